package portal

import (
	"strings"
	"testing"
	"time"
)

// The RFC 6238 appendix B secret ("12345678901234567890" in base32) and its
// published SHA-1 values, cut to six digits.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestTOTPCodeMatchesRFC6238(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
	} {
		got, err := TOTPCode(rfcSecret, TOTPStep(time.Unix(tc.unix, 0)))
		if err != nil || got != tc.want {
			t.Errorf("code at %d = %q, %v; want %q", tc.unix, got, err, tc.want)
		}
	}
}

func TestMatchTOTP(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	cur := TOTPStep(now)
	code := func(step int64) string {
		c, err := TOTPCode(rfcSecret, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name     string
		typed    string
		last     int64
		wantStep int64
		wantKey  string
	}{
		{"current step", code(cur), 0, cur, ""},
		{"spaces are ignored", code(cur)[:3] + " " + code(cur)[3:], 0, cur, ""},
		{"one step behind (phone clock slow)", code(cur - 1), 0, cur - 1, ""},
		{"one step ahead (phone clock fast)", code(cur + 1), 0, cur + 1, ""},
		{"two steps behind is too old", code(cur - 2), 0, 0, "totp.code_wrong"},
		{"two steps ahead is too far", code(cur + 2), 0, 0, "totp.code_wrong"},
		{"replay of the step just used", code(cur), cur, 0, "totp.replayed"},
		{"an older step after a newer one", code(cur - 1), cur, 0, "totp.replayed"},
		{"a later step after an earlier one", code(cur + 1), cur, cur + 1, ""},
		{"wrong digits", "000000", 0, 0, "totp.code_wrong"},
		{"too short", "12345", 0, 0, "totp.code_format"},
		{"letters", "12a456", 0, 0, "totp.code_format"},
		{"empty", "", 0, 0, "totp.code_format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step, err := MatchTOTP(rfcSecret, tc.typed, now, tc.last)
			if tc.wantKey == "" {
				if err != nil || step != tc.wantStep {
					t.Fatalf("MatchTOTP = %d, %v; want step %d", step, err, tc.wantStep)
				}
				return
			}
			pe, ok := AsError(err)
			if !ok || pe.Code != CodeInvalid || pe.Key != tc.wantKey || pe.Fields["code"] != tc.wantKey {
				t.Fatalf("MatchTOTP error = %v; want invalid %s on the field code", err, tc.wantKey)
			}
		})
	}
}

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	codes, err := NewRecoveryCodes()
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d codes, want %d", len(codes), RecoveryCodeCount)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		n, ok := NormalizeRecoveryCode(c)
		if !ok || len(n) != RecoveryCodeLength || seen[n] {
			t.Fatalf("code %q: normalized %q, %v (or a duplicate)", c, n, ok)
		}
		seen[n] = true
		// What people type back: upper case, spaces instead of hyphens.
		if m, ok := NormalizeRecoveryCode(" " + strings.ToUpper(strings.ReplaceAll(c, "-", " ")) + " "); !ok || m != n {
			t.Fatalf("typed back %q as %q, %v", c, m, ok)
		}
	}
	for _, tc := range []struct {
		typed, want string
		ok          bool
	}{
		{"abcd-efgh-jkmn-pqrs", "abcdefghjkmnpqrs", true},
		{"ABCD EFGH JKMN PQRS", "abcdefghjkmnpqrs", true},
		{"abcd-efgh-jkmn-pqrI", "abcdefghjkmnpqr1", true}, // I read as 1
		{"abcd-efgh-jkmn-pqrO", "abcdefghjkmnpqr0", true}, // O read as 0
		{"abcd-efgh-jkmn-pqr", "", false},
		{"abcd-efgh-jkmn-pqrs-t", "", false},
		{"abcd-efgh-jkmn-pq!s", "", false},
		{"123456", "", false},
	} {
		got, ok := NormalizeRecoveryCode(tc.typed)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, %v; want %q, %v", tc.typed, got, ok, tc.want, tc.ok)
		}
	}
}

func TestTOTPSecretAndURI(t *testing.T) {
	t.Parallel()
	s, err := NewTOTPSecret()
	if err != nil || len(s) != 32 {
		t.Fatalf("secret %q, %v: want 32 base32 characters (160 bits)", s, err)
	}
	if g := GroupSecret("ABCDEFGHIJKL"); g != "ABCD EFGH IJKL" {
		t.Fatalf("GroupSecret = %q", g)
	}
	uri := TOTPURI("court-1", s)
	for _, want := range []string{"otpauth://totp/SealingPortal:court-1?", "secret=" + s, "issuer=SealingPortal", "digits=6", "period=30"} {
		if !strings.Contains(uri, want) {
			t.Errorf("uri %q lacks %q", uri, want)
		}
	}
	for _, r := range StaffRoles {
		if !RequiresTOTP(r) {
			t.Errorf("%s must use a second factor", r)
		}
	}
	for _, r := range CitizenRoles {
		if RequiresTOTP(r) {
			t.Errorf("%s may choose", r)
		}
	}
}
