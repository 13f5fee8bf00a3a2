package portal

import (
	"testing"
	"unicode/utf8"
)

// docWithCheck completes 17 characters with their ISO 7064 MOD 11-2 check.
func docWithCheck(s17 string) string {
	return s17 + string(idCheckChar([]byte(s17)))
}

// R31: each kind of identity document is checked for its own form; the
// 18-character kinds carry a birth date, the others none.
func TestParseIdentityDocument(t *testing.T) {
	resident := SyntheticIDNumber(5, Date{Year: 2007, Month: 6, Day: 1}).String()
	hk := docWithCheck("81000020070601001")
	fprNew := docWithCheck("93115620070601001")
	tests := []struct {
		name          string
		typ           IDDocType
		number, ctry  string
		want          string
		key           string
		birth         bool
		wantCountry   string
		wantIndexKind string
	}{
		{"resident id", DocResidentID, resident, "", resident, "", true, "", "idnumber"},
		{"HK residence permit", DocResidencePermit, hk, "", hk, "", true, "", "iddoc"},
		{"residence permit with a mainland region", DocResidencePermit, resident, "", "", "iddoc.format", false, "", ""},
		{"new permanent residence card", DocForeignPR, fprNew, "", fprNew, "", true, "", "iddoc"},
		{"old permanent residence card", DocForeignPR, "usa 110012345678", "", "USA110012345678", "", false, "", "iddoc"},
		{"permanent residence card, bad form", DocForeignPR, "US1100123456789", "", "", "iddoc.format", false, "", ""},
		{"new card, bad check", DocForeignPR, fprNew[:17] + "0", "", "", "id.check_digit", false, "", ""},
		{"HK travel permit", DocHKMOPermit, "h1234567８", "", "H12345678", "", false, "", "iddoc"},
		{"Macao travel permit, 10 digits", DocHKMOPermit, "M1234567890", "", "M1234567890", "", false, "", "iddoc"},
		{"travel permit, wrong letter", DocHKMOPermit, "X12345678", "", "", "iddoc.format", false, "", ""},
		{"Taiwan travel permit", DocTWPermit, "12345678", "", "12345678", "", false, "", "iddoc"},
		{"Taiwan travel permit, 9 digits", DocTWPermit, "123456789", "", "", "iddoc.format", false, "", ""},
		{"passport", DocPassport, "e1234567 ", "fra", "E1234567", "", false, "FRA", "iddoc"},
		{"passport without state", DocPassport, "E1234567", "", "", "iddoc.country_required", false, "", ""},
		{"passport, too short", DocPassport, "E12", "FRA", "", "iddoc.format", false, "", ""},
		{"passport, punctuation", DocPassport, "E12/4567", "FRA", "", "iddoc.format", false, "", ""},
		{"no kind", "", "E1234567", "", "", "iddoc.type_required", false, "", ""},
		{"no number", DocPassport, "  ", "FRA", "", "iddoc.number_required", false, "", ""},
	}
	for _, tt := range tests {
		d, err := ParseIdentityDocument(tt.typ, tt.number, tt.ctry)
		if tt.key != "" {
			e, ok := AsError(err)
			if !ok || e.Key != tt.key {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.key)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if d.Number != tt.want || d.Country != tt.wantCountry {
			t.Errorf("%s: %+v, want %s %s", tt.name, d, tt.want, tt.wantCountry)
		}
		if _, known := d.BirthDate(); known != tt.birth {
			t.Errorf("%s: birth date known %v", tt.name, known)
		}
		if domain, _ := d.IndexKey(); domain != tt.wantIndexKind {
			t.Errorf("%s: index domain %s", tt.name, domain)
		}
	}
	// The same number under two kinds never shares an index key.
	a, _ := ParseIdentityDocument(DocTWPermit, "12345678", "")
	b, _ := ParseIdentityDocument(DocPassport, "12345678", "USA")
	c, _ := ParseIdentityDocument(DocPassport, "12345678", "GBR")
	_, ka := a.IndexKey()
	_, kb := b.IndexKey()
	_, kc := c.IndexKey()
	if ka == kb || kb == kc {
		t.Errorf("index keys collide: %q %q %q", ka, kb, kc)
	}
	if b.Masked() != "****5678" || b.Last4() != "5678" {
		t.Errorf("masked %q %q", b.Masked(), b.Last4())
	}
}

// FuzzParseIdentityDocument: any input either fails with an invalid error
// or yields a canonical number that parses again to itself.
func FuzzParseIdentityDocument(f *testing.F) {
	f.Add(0, "H12345678", "")
	f.Add(5, "E1234567", "FRA")
	f.Add(2, "USA110012345678", "")
	f.Fuzz(func(t *testing.T, kind int, number, country string) {
		if kind < 0 {
			kind = -kind
		}
		typ := IDDocTypes[kind%len(IDDocTypes)]
		d, err := ParseIdentityDocument(typ, number, country)
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("%q: %v", number, err)
			}
			return
		}
		if !utf8.ValidString(d.Number) || d.Number == "" {
			t.Fatalf("%q: number %q", number, d.Number)
		}
		again, err := ParseIdentityDocument(typ, d.Number, d.Country)
		if err != nil || again != d {
			t.Fatalf("%q: canonical %+v parses to %+v, %v", number, d, again, err)
		}
	})
}
