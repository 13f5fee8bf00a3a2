package portal

import (
	"strings"
	"time"
	"unicode/utf8"
)

// IDNumber is a resident identity number (公民身份号码) as defined by
// GB 11643-1999: six digits of administrative region (GB/T 2260), eight of birth
// date (YYYYMMDD), three of sequence (odd for men, even for women) and one check
// character computed with ISO 7064 MOD 11-2, which is a digit or X.
//
// The zero value is "no number"; use ParseIDNumber or SyntheticIDNumber to make
// one. Two IDNumbers are equal (==) exactly when their canonical forms are.
type IDNumber struct {
	s     string // canonical: 17 digits and a digit or upper-case X
	birth Date
}

// idNumberLen is the length of a second-generation number. First-generation
// 15-digit numbers were withdrawn in 2013 and are not accepted.
const idNumberLen = 18

// idEarliestBirth is the earliest birth date accepted. Nobody born before it
// holds a living identity number, and the check catches century typos.
var idEarliestBirth = Date{1900, time.January, 1}

// idWeights are the ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 of the first 17
// positions, and idCheckChars maps the weighted sum mod 11 to the check char.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// syntheticRegion is the region code of synthetic numbers. GB/T 2260 assigns
// no province code 99, so such a number can never belong to a real person, yet
// it passes every check ParseIDNumber makes.
const syntheticRegion = "990000"

// ParseIDNumber reads a resident identity number as a person types it.
//
// Surrounding spaces are trimmed, full-width digits and X (typed with a Chinese
// input method in full-width mode) are read as their ASCII forms, and a
// lower-case x is accepted as the check character. The number is then checked
// for length, format, a possible birth date no earlier than 1900-01-01 and the
// check digit, in that order; each failure is an invalid *Error with its own key
// (id.required, id.length, id.format, id.birth_date, id.check_digit).
//
// The region code is deliberately not checked against a list of provinces or
// counties. GB/T 2260 changes every few years and numbers keep the code of the
// county that issued them even after that county is merged or renamed, so any
// list would refuse some real people, and a person who cannot enter their own
// number cannot apply to seal their record at all. The check digit already
// catches nearly every typo, and the organs verify identity against their own
// files before sealing anything. Not checking also lets the synthetic numbers of
// demonstration data (province 99) parse like real ones.
//
// A birth date in the future is not refused here, because parsing takes no
// clock; callers that know today's date use BornBy.
func ParseIDNumber(s string) (IDNumber, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return IDNumber{}, Invalid("id.required")
	}
	if utf8.RuneCountInString(s) != idNumberLen {
		return IDNumber{}, Invalid("id.length")
	}
	var b [idNumberLen]byte
	i := 0
	for _, r := range s {
		r = foldFullWidth(r)
		if r == 'x' {
			r = 'X'
		}
		ok := r >= '0' && r <= '9' || (r == 'X' && i == idNumberLen-1)
		if !ok {
			return IDNumber{}, Invalid("id.format")
		}
		b[i] = byte(r)
		i++
	}
	birth, ok := idBirthDate(b[6:14])
	if !ok {
		return IDNumber{}, Invalid("id.birth_date")
	}
	if idCheckChar(b[:17]) != b[17] {
		return IDNumber{}, Invalid("id.check_digit")
	}
	return IDNumber{s: string(b[:]), birth: birth}, nil
}

// SyntheticIDNumber makes a valid-looking number for demonstration and seed
// data: region 990000 (a province that does not exist), the given birth date,
// seq mod 1000 as the three-digit sequence and a correct check digit, so that it
// parses like a real number while IsSynthetic tells it apart.
//
// It panics when birth is not a date ParseIDNumber accepts (before 1900 or after
// 9999, or impossible), as that is a mistake in the calling seed code rather than
// in anyone's input.
func SyntheticIDNumber(seq uint64, birth Date) IDNumber {
	if birth.Year < idEarliestBirth.Year || birth.Year > 9999 || DateOf(birth.Time()) != birth {
		panic("portal: synthetic id number: impossible birth date " + birth.String())
	}
	var b [idNumberLen]byte
	copy(b[:6], syntheticRegion)
	writeDigits(b[6:10], birth.Year)
	writeDigits(b[10:12], int(birth.Month))
	writeDigits(b[12:14], birth.Day)
	writeDigits(b[14:17], int(seq%1000))
	b[17] = idCheckChar(b[:17])
	return IDNumber{s: string(b[:]), birth: birth}
}

// String returns the canonical 18-character form, with an upper-case X, or ""
// for the zero value.
func (n IDNumber) String() string { return n.s }

// IsZero reports whether n is the zero value rather than a parsed number.
func (n IDNumber) IsZero() bool { return n.s == "" }

// BirthDate is the birth date encoded in positions 7 to 14. It is the only
// source of a person's age in the portal, so it is never typed twice.
func (n IDNumber) BirthDate() Date { return n.birth }

// BornBy reports whether the encoded birth date is on or before today: a number
// whose holder is not yet born is a typo, but only a caller with a clock can say.
func (n IDNumber) BornBy(today Date) bool {
	return !n.IsZero() && !n.birth.After(today)
}

// Last4 returns the last four characters, enough for a person to recognise
// their own number on a screen without showing it to anyone looking over them.
func (n IDNumber) Last4() string {
	if n.IsZero() {
		return ""
	}
	return n.s[idNumberLen-4:]
}

// Masked returns the number with all but the last four characters replaced by
// asterisks, e.g. **************123X, for lists, logs and printouts.
func (n IDNumber) Masked() string {
	if n.IsZero() {
		return ""
	}
	return strings.Repeat("*", idNumberLen-4) + n.Last4()
}

// IsSynthetic reports whether the number was made by SyntheticIDNumber (or
// otherwise carries the nonexistent province 99), so that demonstration data
// can be marked and never mistaken for a real person's.
func (n IDNumber) IsSynthetic() bool { return strings.HasPrefix(n.s, syntheticRegion[:2]) }

// idBirthDate reads YYYYMMDD from eight ASCII digits, refusing impossible dates
// such as 19990230 and dates before idEarliestBirth.
func idBirthDate(b []byte) (Date, bool) {
	y := readDigits(b[0:4])
	m := readDigits(b[4:6])
	d := readDigits(b[6:8])
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return Date{}, false
	}
	date := Date{y, time.Month(m), d}
	// time.Date normalises 30 February to 2 March; a date that does not survive
	// the round trip did not exist.
	if DateOf(date.Time()) != date || date.Before(idEarliestBirth) {
		return Date{}, false
	}
	return date, true
}

// idCheckChar computes the ISO 7064 MOD 11-2 check character of 17 digits.
func idCheckChar(b []byte) byte {
	sum := 0
	for i, c := range b[:17] {
		sum += int(c-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// readDigits reads a short run of ASCII digits already known to be digits.
func readDigits(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// writeDigits writes v into b as zero-padded decimal, keeping the low digits.
func writeDigits(b []byte, v int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// foldFullWidth maps the full-width digits and letters X and x (U+FF10–FF19,
// U+FF38, U+FF58), which Chinese input methods produce in full-width mode, to
// ASCII, and leaves every other rune alone.
func foldFullWidth(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return r - '０' + '0'
	case r == 'Ｘ':
		return 'X'
	case r == 'ｘ':
		return 'x'
	}
	return r
}
