package portal

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Identity levels (issue 11). A citizen account is at one of two levels:
//
//   - contact verified (IdentityVerified false): it may start applications and
//     see what it filed itself — its drafts, its submissions and their status —
//     and file relief requests and leak reports, nothing else;
//   - identity verified: only then are records held by organs linked to it by
//     identity number (ex officio cases, cases a guardian or lawyer filed, their
//     documents, messages and who-looked).
//
// One identity number has at most one verified citizen account; the name on
// the account must match the name on the record for a link.

// IdentityMethod is how an account's identity was verified.
type IdentityMethod string

// The methods.
const (
	IdentityByOIDC  IdentityMethod = "oidc"  // an external identity provider (OpenID Connect)
	IdentityByOrgan IdentityMethod = "organ" // the accepting official checked the identity papers
	IdentityBySeed  IdentityMethod = "seed"  // a demo account created by the seed command
)

// Valid reports whether m is a known method.
func (m IdentityMethod) Valid() bool {
	return m == IdentityByOIDC || m == IdentityByOrgan || m == IdentityBySeed
}

// Audit actions of identity.
const (
	AuditIdentityVerified     AuditAction = "identity_verified"      // Detail is the method
	AuditIdentityRefused      AuditAction = "identity_refused"       // Detail is the reason key
	AuditGuardianshipVerified AuditAction = "guardianship_verified"  // the organ checked the guardianship proof
	AuditNewDevice            AuditAction = "new_device_sign_in"     // a sign-in from a device not seen before
	AuditCitizenRead          AuditAction = "citizen_read"           // a citizen read a sealed case's contents
	AuditGuardianAccessEnded  AuditAction = "guardian_access_ended"  // R1: the person turned 18
	AuditSealingDutyRemains   AuditAction = "sealing_duty_remains"   // R11: withdrawn, yet the organ must seal
	AuditCaseHandedOver       AuditAction = "case_handed_to_adult"   // R1: a guardian's draft or returned case passes to the adult
	AuditIdentityClaimRefused AuditAction = "identity_claim_refused" // a second account claimed a verified number
)

// middleDots are the characters people and systems use for the separator in
// transliterated names (e.g. 阿依古丽·买买提): Latin-1 middle dot, katakana
// middle dot and its half-width form, bullet, hyphenation point, dot
// operator, bullet operator, Greek ano teleia, one-dot leader.
var middleDots = []rune{'\u00B7', '\u30FB', '\uFF65', '\u2022', '\u2027', '\u22C5', '\u2219', '\u0387', '\u2024'}

// NormalizeName is the form in which two names are compared: Unicode NFKC
// (full-width letters and digits become half-width), every middle-dot variant
// becomes U+00B7, white space is dropped (names are written with or without
// spaces between surname and given name), and Latin letters are lower-cased.
func NormalizeName(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case isMiddleDot(r):
			b.WriteRune('\u00B7')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func isMiddleDot(r rune) bool {
	for _, d := range middleDots {
		if r == d {
			return true
		}
	}
	return false
}

// NamesMatch reports whether two names are the same person's name after
// NormalizeName; an empty name never matches.
func NamesMatch(a, b string) bool {
	na, nb := NormalizeName(a), NormalizeName(b)
	return na != "" && na == nb
}

// AdultOn reports whether the holder of an identity number is 18 or older on
// today (R1: under 18 up to and including the 18th birthday).
func AdultOn(idNumber string, today Date) bool {
	n, err := ParseIDNumber(idNumber)
	if err != nil {
		return false
	}
	return !Under18On(n.BirthDate(), today)
}

// GuardianAccessEnded reports whether a guardian's access to a case has
// ended: the person has passed the 18th birthday (R1).
func GuardianAccessEnded(c Case, today Date) bool {
	birth, ok := c.PersonBirthDate()
	return ok && !Under18On(birth, today)
}

// WithdrawalLeavesDuty reports whether the organ still owes sealing after the
// application is withdrawn: sealing is ex officio (R11), so where the facts
// entered make the record sealable the withdrawal ends the application, not
// the organ's duty.
func WithdrawalLeavesDuty(c Case) bool {
	d, ok := c.Eligibility()
	return ok && d.Outcome == OutcomeSeal
}
