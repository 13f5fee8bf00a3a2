package portal

import (
	"strings"
	"testing"
	"time"
)

// R14: a sealed record, or none, is always answered "no criminal record"; a
// record that is not sealed is never certified away.
func TestAnswerCertificate(t *testing.T) {
	tests := []struct {
		name     string
		statuses []CaseStatus
		want     CertificateAnswer
	}{
		{"no case at all", nil, AnswerNoRecord},
		{"sealing decided", []CaseStatus{StatusSealed}, AnswerNoRecord},
		{"sealing completed", []CaseStatus{StatusCompleted}, AnswerNoRecord},
		{"R18 review pending: still sealed", []CaseStatus{StatusUnsealingReview}, AnswerNoRecord},
		{"a draft is no record", []CaseStatus{StatusDraft, StatusCompleted}, AnswerNoRecord},
		{"a withdrawn application is no record", []CaseStatus{StatusWithdrawn}, AnswerNoRecord},
		{"R18 unsealed", []CaseStatus{StatusCompleted, StatusUnsealed}, AnswerNotThroughWeb},
		{"not sealed", []CaseStatus{StatusRejected}, AnswerNotThroughWeb},
		{"sealing still being decided", []CaseStatus{StatusUnderReview}, AnswerNotThroughWeb},
		{"submitted", []CaseStatus{StatusSubmitted}, AnswerNotThroughWeb},
	}
	for _, tt := range tests {
		if got := AnswerCertificate(tt.statuses); got != tt.want {
			t.Errorf("%s: AnswerCertificate(%v) = %s, want %s", tt.name, tt.statuses, got, tt.want)
		}
	}
}

func TestVerificationCode(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := NewVerificationCode()
		if len(c) != VerificationCodeLength || seen[c] {
			t.Fatalf("code %q (len %d, seen %v)", c, len(c), seen[c])
		}
		seen[c] = true
		got, ok := NormalizeVerificationCode(GroupVerificationCode(c))
		if !ok || got != c {
			t.Fatalf("grouped %q normalises to %q, %v", GroupVerificationCode(c), got, ok)
		}
		if got, ok := NormalizeVerificationCode(" " + strings.ToLower(c[:8]) + "－" + c[8:] + "\u3000"); !ok || got != c {
			t.Fatalf("typed variant of %q: %q, %v", c, got, ok)
		}
	}
	// 24 characters of 32 symbols: 120 bits, above the 100 asked for.
	if VerificationCodeLength*5 < 100 {
		t.Fatal("code too short")
	}
	if g := GroupVerificationCode("ABCDEFGHJKLMNPQRSTUVWXYZ"); g != "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ" {
		t.Fatalf("grouped %q", g)
	}
	for _, bad := range []string{"", "ABCD", "ABCDEFGHJKLMNPQRSTUVWXYZ2", "ABCDEFGHJKLMNPQRSTUVWXY0", "ABCDEFGHJKLMNPQRSTUVWXYO", "../../etc", "ABCDEFGHJKLMNPQRSTUVWXY你"} {
		if _, ok := NormalizeVerificationCode(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzNormalizeVerificationCode(f *testing.F) {
	f.Add("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ")
	f.Add("abcd efgh")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := NormalizeVerificationCode(s)
		if !ok {
			return
		}
		if len(c) != VerificationCodeLength {
			t.Fatalf("%q -> %q", s, c)
		}
		if again, ok := NormalizeVerificationCode(c); !ok || again != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, c, again)
		}
	})
}

// The verification page learns the status, the dates and the last four
// characters of the identity number, nothing else.
func TestCertificateVerify(t *testing.T) {
	id := SyntheticIDNumber(7, Date{Year: 2007, Month: 5, Day: 1})
	issued := time.Date(2026, 3, 12, 9, 0, 0, 0, China)
	c := Certificate{Status: CertIssued, PersonName: "李小华", PersonIDNumber: id.String(), AnsweredAt: issued}
	v := c.Verify()
	if v.Status != CertIssued || v.IssuedOn != (Date{Year: 2026, Month: 3, Day: 12}) || v.Last4 != id.Last4() || !v.RevokedOn.IsZero() {
		t.Fatalf("issued: %+v", v)
	}
	c.Status, c.RevokedAt = CertRevoked, issued.Add(48*time.Hour)
	if v := c.Verify(); v.Status != CertRevoked || v.RevokedOn != (Date{Year: 2026, Month: 3, Day: 14}) {
		t.Fatalf("revoked: %+v", v)
	}
	for _, s := range []CertificateStatus{CertRequested, CertRefused} {
		c.Status = s
		if v := c.Verify(); v != (VerificationResult{}) {
			t.Fatalf("%s verifies as %+v", s, v)
		}
	}
}

func TestCertificateValidate(t *testing.T) {
	today := Date{Year: 2026, Month: 3, Day: 10}
	ok := Certificate{PersonName: "李小华", PersonIDNumber: SyntheticIDNumber(3, Date{Year: 2008, Month: 1, Day: 2}).String(),
		PoliceOrganID: 4, RequesterRole: RoleMinor}
	if err := ok.Validate(today); err != nil {
		t.Fatal(err)
	}
	bad := ok
	bad.PersonIDNumber, bad.PoliceOrganID = "123", 0
	err := bad.Validate(today)
	pe, _ := AsError(err)
	if ErrorCode(err) != CodeInvalid || pe.Fields["person"] == "" || pe.Fields["police"] == "" {
		t.Fatalf("err %v", err)
	}
	staff := ok
	staff.RequesterRole = RolePolice
	if staff.Validate(today) == nil {
		t.Fatal("an official may not request a certificate for a person")
	}
}
