package portal

import (
	"strings"
	"unicode"
)

// mobileLen is the length of a mainland China mobile number.
const mobileLen = 11

// NormalizeMobile reads a mainland China mobile number as a person types it and
// returns its canonical 11-digit form, which is also what citizens sign in with.
//
// People copy numbers from contact cards and SMS in many shapes, so spaces
// (including the ideographic space), hyphens, full-width digits and a leading
// +86 or 86 country code are accepted and removed. What remains must be 1, then
// 3 to 9, then nine digits: every mainland mobile network has numbers of that
// shape, and nothing else is one. Numbers from Hong Kong, Macao, Taiwan or
// abroad are refused, because the portal's text messages reach mainland numbers
// only.
//
// The error is an invalid *Error with key mobile.required or mobile.invalid.
func NormalizeMobile(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalid("mobile.required")
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = foldFullWidth(r)
		switch {
		case unicode.IsSpace(r) || r == '-':
			continue
		case r == '+' && b.Len() == 0:
			// A plus sign is only meaningful in front of a country code.
		case r < '0' || r > '9':
			return "", Invalid("mobile.invalid")
		}
		b.WriteRune(r)
	}
	m := b.String()
	switch {
	case strings.HasPrefix(m, "+86"):
		m = m[3:]
	case strings.HasPrefix(m, "+"):
		return "", Invalid("mobile.invalid")
	case len(m) == mobileLen+2 && strings.HasPrefix(m, "86"):
		// Without the plus, 86 is a country code only when eleven digits
		// follow; a bare 11-digit number never starts with 8.
		m = m[2:]
	}
	if !isMobile(m) {
		return "", Invalid("mobile.invalid")
	}
	return m, nil
}

// MaskMobile hides the middle four digits of a mobile number, 138****5678, the
// form Chinese services show to confirm a number without disclosing it. Input
// that is not a mobile number is masked whole, so a mistake can never leak it.
func MaskMobile(m string) string {
	n, err := NormalizeMobile(m)
	if err != nil {
		if m == "" {
			return ""
		}
		return strings.Repeat("*", mobileLen)
	}
	return n[:3] + "****" + n[7:]
}

// isMobile reports whether m is 1, then 3 to 9, then nine ASCII digits.
func isMobile(m string) bool {
	if len(m) != mobileLen || m[0] != '1' || m[1] < '3' || m[1] > '9' {
		return false
	}
	for i := 2; i < len(m); i++ {
		if m[i] < '0' || m[i] > '9' {
			return false
		}
	}
	return true
}
