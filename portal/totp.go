package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// Second factor: time-based one-time passwords (RFC 6238) with the parameters
// every authenticator app understands (SHA-1, six digits, 30-second steps),
// and single-use recovery codes for a lost phone. These are security settings,
// not rules of law.
const (
	TOTPPeriod = 30 * time.Second
	// TOTPSkew is how many steps either side of now are accepted, for a phone
	// whose clock is a little off.
	TOTPSkew = 1
	// TOTPIssuer names the portal in the authenticator app.
	TOTPIssuer = "SealingPortal"
	// RecoveryCodeCount codes are issued at enrolment, each usable once.
	RecoveryCodeCount = 10
	// StepUpAge is how long a passed second factor lets staff open sealed
	// records before they are asked again (R17: sealed contents are shown only
	// to the person who just proved to hold the account).
	StepUpAge = 5 * time.Minute
	// PendingLoginAge is how long a login whose password was right waits for
	// its second factor.
	PendingLoginAge = 5 * time.Minute
	// PendingLoginAttempts is how many wrong codes one pending login may try
	// before the password must be typed again; every wrong code also counts
	// towards the account's lockout (MaxFailedLogins).
	PendingLoginAttempts = 3
)

// RequiresTOTP reports whether an account of role r must use a second factor:
// every official account does; citizens may turn it on.
func RequiresTOTP(r Role) bool { return r.IsStaff() }

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh 160-bit secret (the length RFC 4226 recommends
// for HMAC-SHA-1) in base32 without padding, as apps and oathtool take it.
func NewTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("portal: totp secret: %w", err)
	}
	return b32.EncodeToString(b), nil
}

// TOTPStep is the RFC 6238 time step counter at t.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode is the six-digit code of secret at step.
func TOTPCode(secret string, step int64) (string, error) {
	if step < 0 {
		return "", fmt.Errorf("portal: totp step %d is before 1970", step)
	}
	return hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// NormalizeTOTPCode strips what people type around the digits ("123 456").
// It reports false unless exactly six digits remain.
func NormalizeTOTPCode(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) != 6 {
		return "", false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return s, true
}

// MatchTOTP checks a typed code against secret at now, allowing TOTPSkew steps
// either side. It returns the step that matched. A step at or before lastStep
// was already used (or is older than one that was) and is refused as a replay
// (RFC 6238 section 5.2), with key "totp.replayed"; a wrong code has key
// "totp.code_wrong".
func MatchTOTP(secret, typed string, now time.Time, lastStep int64) (int64, error) {
	code, ok := NormalizeTOTPCode(typed)
	if !ok {
		return 0, &Error{Code: CodeInvalid, Key: "totp.code_format", Fields: map[string]string{"code": "totp.code_format"}}
	}
	cur := TOTPStep(now)
	for step := cur - TOTPSkew; step <= cur+TOTPSkew; step++ {
		want, err := TOTPCode(secret, step)
		if err != nil {
			return 0, Internal(fmt.Errorf("portal: totp code: %w", err))
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if step <= lastStep {
				return 0, &Error{Code: CodeInvalid, Key: "totp.replayed", Fields: map[string]string{"code": "totp.replayed"}}
			}
			return step, nil
		}
	}
	return 0, &Error{Code: CodeInvalid, Key: "totp.code_wrong", Fields: map[string]string{"code": "totp.code_wrong"}}
}

// TOTPURI is the otpauth:// address the enrolment QR code carries (the Key
// URI format of Google Authenticator, which every app reads). label names the
// account in the app; it is a login, never a person's name.
func TOTPURI(label, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", TOTPIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + TOTPIssuer + ":" + label, RawQuery: v.Encode()}
	return u.String()
}

// GroupSecret shows a base32 secret in groups of four for typing by hand.
func GroupSecret(s string) string { return group(s, 4, " ") }

func group(s string, n int, sep string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%n == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// recoveryAlphabet is 32 symbols (5 bits each): lower-case letters without
// i, l, o and u, and the ten digits, so that a typed i or l can be read as 1
// and o as 0 (see NormalizeRecoveryCode).
const recoveryAlphabet = "abcdefghjkmnpqrstvwxyz0123456789"

// RecoveryCodeLength is 16 symbols of 5 bits: 80 random bits per code, out of
// reach of guessing even with the limited attempts taken away.
const RecoveryCodeLength = 16

// NewRecoveryCodes returns RecoveryCodeCount fresh codes, grouped for reading
// ("abcd-efgh-jkmn-pqrs").
func NewRecoveryCodes() ([]string, error) {
	out := make([]string, RecoveryCodeCount)
	buf := make([]byte, RecoveryCodeLength)
	for i := range out {
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("portal: recovery codes: %w", err)
		}
		var b strings.Builder
		for _, x := range buf {
			b.WriteByte(recoveryAlphabet[x&31])
		}
		out[i] = group(b.String(), 4, "-")
	}
	return out, nil
}

// NormalizeRecoveryCode turns what a person typed into the canonical code
// (lower case, no separators, look-alike letters mapped), reporting false
// unless it has the shape of a recovery code.
func NormalizeRecoveryCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case ' ', '-', '\u00a0':
			continue
		case 'i', 'l':
			r = '1'
		case 'o':
			r = '0'
		case 'u':
			r = 'v'
		}
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != RecoveryCodeLength {
		return "", false
	}
	return b.String(), true
}

// SecondFactorResult is what checking a second factor came to.
type SecondFactorResult struct {
	Passed       bool
	Recovery     bool // a recovery code was used (and is now spent)
	RecoveryLeft int  // unused recovery codes after this check
	Locked       bool // the account is locked (now, or was already)
	Key          string
}
