package portal

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Identity documents (R31). Everyone tried in China is covered (CL art. 6):
// besides the mainland resident identity card, foreigners' permanent
// residence cards, the residence permits of Hong Kong, Macao and Taiwan
// residents, their travel permits to the mainland, and foreign passports
// identify a person on a case, an applicant and a certificate's holder.

// IDDocType is the kind of identity document.
type IDDocType string

// The kinds of identity document.
const (
	// DocResidentID is the mainland resident identity card (居民身份证).
	DocResidentID IDDocType = "resident_id"
	// DocResidencePermit is the residence permit of Hong Kong, Macao and
	// Taiwan residents (港澳台居民居住证): 18 characters like a resident
	// identity number, region 810000 (HK), 820000 (Macao) or 830000 (Taiwan).
	DocResidencePermit IDDocType = "hmt_residence_permit"
	// DocForeignPR is the foreigner's permanent residence identity card
	// (外国人永久居留身份证): the 2023 card, 18 characters beginning with 9
	// with a birth date and an ISO 7064 check character, or the older card,
	// three letters of nationality and twelve digits.
	DocForeignPR IDDocType = "foreign_permanent_residence"
	// DocHKMOPermit is the mainland travel permit of Hong Kong and Macao
	// residents (港澳居民来往内地通行证): H or M and 8 (or 10) digits.
	DocHKMOPermit IDDocType = "hkmo_travel_permit"
	// DocTWPermit is the mainland travel permit of Taiwan residents
	// (台湾居民来往大陆通行证): 8 digits (10 on older permits).
	DocTWPermit IDDocType = "tw_travel_permit"
	// DocPassport is a foreign passport: 5 to 17 letters and digits, with the
	// issuing state (ISO 3166 alpha-3), since numbers are unique only per state.
	DocPassport IDDocType = "passport"
)

// IDDocTypes lists the kinds in the forms' order.
var IDDocTypes = []IDDocType{DocResidentID, DocResidencePermit, DocForeignPR, DocHKMOPermit, DocTWPermit, DocPassport}

// Valid reports whether t is a known kind.
func (t IDDocType) Valid() bool { return slices.Contains(IDDocTypes, t) }

// IdentityDocument is one identity document: its kind, number and, for a
// passport, the issuing state. Build it with ParseIdentityDocument.
type IdentityDocument struct {
	Type    IDDocType
	Number  string // canonical: upper case, no spaces
	Country string // passports only: ISO 3166 alpha-3, upper case
	birth   Date
}

// hmtRegions are the region codes of residence permits.
var hmtRegions = []string{"810000", "820000", "830000"}

// canonicalDocNumber folds full-width characters, drops spaces and dashes
// and upper-cases what a person typed.
func canonicalDocNumber(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		r = foldFullWidth(r)
		switch {
		case r == ' ' || r == '\u3000' || r == '-':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func allUpperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

func allUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// parseStoredDocument parses the identity document of a stored record: a
// record without a kind (written before R31, or naming the mainland card) is
// the mainland identity card. A form's empty kind is still an error
// (ParseIdentityDocument).
func parseStoredDocument(t IDDocType, number, country string) (IdentityDocument, error) {
	if t == "" {
		t = DocResidentID
	}
	return ParseIdentityDocument(t, number, country)
}

// ParseIdentityDocument checks a document's number for its kind (R31), as a
// person types it, and returns it in canonical form. Each failure is an
// invalid *Error: iddoc.type_required, iddoc.number_required,
// iddoc.format (the number does not have the kind's form),
// iddoc.country_required (a passport without its state), or the keys of
// ParseIDNumber for the 18-character kinds.
func ParseIdentityDocument(t IDDocType, number, country string) (IdentityDocument, error) {
	if !t.Valid() {
		return IdentityDocument{}, Invalid("iddoc.type_required")
	}
	n := canonicalDocNumber(number)
	if n == "" {
		return IdentityDocument{}, Invalid("iddoc.number_required")
	}
	d := IdentityDocument{Type: t, Number: n}
	switch t {
	case DocResidentID:
		id, err := ParseIDNumber(n)
		if err != nil {
			return IdentityDocument{}, err
		}
		d.Number, d.birth = id.String(), id.BirthDate()
	case DocResidencePermit:
		id, err := ParseIDNumber(n)
		if err != nil {
			return IdentityDocument{}, err
		}
		if !slices.Contains(hmtRegions, id.String()[:6]) {
			return IdentityDocument{}, Invalid("iddoc.format")
		}
		d.Number, d.birth = id.String(), id.BirthDate()
	case DocForeignPR:
		switch {
		case len(n) == 18 && n[0] == '9':
			id, err := ParseIDNumber(n)
			if err != nil {
				return IdentityDocument{}, err
			}
			d.Number, d.birth = id.String(), id.BirthDate()
		case len(n) == 15 && allUpper(n[:3]) && allDigits(n[3:]):
		default:
			return IdentityDocument{}, Invalid("iddoc.format")
		}
	case DocHKMOPermit:
		if !(len(n) == 9 || len(n) == 11) || (n[0] != 'H' && n[0] != 'M') || !allDigits(n[1:]) {
			return IdentityDocument{}, Invalid("iddoc.format")
		}
	case DocTWPermit:
		if !(len(n) == 8 || len(n) == 10) || !allDigits(n) {
			return IdentityDocument{}, Invalid("iddoc.format")
		}
	case DocPassport:
		if utf8.RuneCountInString(n) < 5 || len(n) > 17 || !allUpperAlnum(n) {
			return IdentityDocument{}, Invalid("iddoc.format")
		}
		c := canonicalDocNumber(country)
		if len(c) != 3 || !allUpper(c) {
			return IdentityDocument{}, Invalid("iddoc.country_required")
		}
		d.Country = c
	}
	return d, nil
}

// BirthDate is the birth date the document's number carries; known is false
// for the kinds whose numbers carry none (travel permits, passports, the
// older permanent residence card): the birth date then comes from the case
// (the court's finding, R30) or the document itself, never a guess.
func (d IdentityDocument) BirthDate() (birth Date, known bool) {
	return d.birth, !d.birth.IsZero()
}

// IsResidentID reports whether the document is a mainland identity card.
func (d IdentityDocument) IsResidentID() bool { return d.Type == DocResidentID }

// IndexKey is what the store's keyed index of persons hashes: the bare
// number for a mainland identity card (the existing "idnumber" index, so
// nothing already stored moves), and the kind, state and number for every
// other document, so that different kinds of document never collide.
func (d IdentityDocument) IndexKey() (domain, value string) {
	if d.Type == DocResidentID {
		return "idnumber", d.Number
	}
	return "iddoc", string(d.Type) + "|" + d.Country + "|" + d.Number
}

// Masked shows the number with all but its last four characters hidden.
func (d IdentityDocument) Masked() string {
	if len(d.Number) <= 4 {
		return d.Number
	}
	return strings.Repeat("*", len(d.Number)-4) + d.Number[len(d.Number)-4:]
}

// Last4 is the number's last four characters.
func (d IdentityDocument) Last4() string {
	if len(d.Number) <= 4 {
		return d.Number
	}
	return d.Number[len(d.Number)-4:]
}
