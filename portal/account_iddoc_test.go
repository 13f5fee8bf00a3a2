package portal

import (
	"testing"
	"time"
)

// R31: registration accepts every kind of identity document. The age rules
// (PIPL art. 31, R1) read the birth date the number carries, or the one typed
// for a document whose number carries none; a typed date is then required
// and must be a real, past date.
func TestRegistrationIdentityDocuments(t *testing.T) {
	today := Date{Year: 2026, Month: 3, Day: 10}
	hk := func(y, m, d int) string {
		return docWithCheck("810000" + Date{Year: y, Month: time.Month(m), Day: d}.Time().Format("20060102") + "001")
	}
	base := func(role Role, typ IDDocType, number, country, birth string) Registration {
		return Registration{Role: role, Name: "John Smith", Mobile: "13800138000", IDNumber: number, DocType: typ, Country: country,
			BirthDate: birth, Password: "a long pass phrase 42", PasswordConfirm: "a long pass phrase 42", PrivacyConsent: true,
			SensitiveConsent: true, Licence: "11101201510234567", Firm: "某某律师事务所"}
	}
	tests := []struct {
		name        string
		reg         Registration
		field, key  string
		wantBirth   Date
		wantCountry string
	}{
		{"passport with state and birth date", base(RoleMinor, DocPassport, "e1234 5678", "gbr", "2008-05-01"), "", "", Date{2008, 5, 1}, "GBR"},
		{"passport without state", base(RoleMinor, DocPassport, "E12345678", "", "2008-05-01"), "doc_country", "iddoc.country_required", Date{}, ""},
		{"passport without birth date", base(RoleMinor, DocPassport, "E12345678", "GBR", ""), "birth_date", "register.birth_date_required", Date{}, ""},
		{"passport, impossible date", base(RoleMinor, DocPassport, "E12345678", "GBR", "2008-02-30"), "birth_date", "register.birth_date_invalid", Date{}, ""},
		{"passport, birth date in the future", base(RoleMinor, DocPassport, "E12345678", "GBR", "2026-03-11"), "birth_date", "register.birth_date_invalid", Date{}, ""},
		{"passport, child of 13 (typed date)", base(RoleMinor, DocPassport, "E12345678", "GBR", "2012-06-01"), "birth_date", "register.child_under_14", Date{}, ""},
		{"passport, guardian of 17 (typed date)", base(RoleGuardian, DocPassport, "E12345678", "GBR", "2009-01-01"), "birth_date", "register.guardian_adult", Date{}, ""},
		{"HK travel permit", base(RoleGuardian, DocHKMOPermit, "H12345678", "", "1980-01-01"), "", "", Date{1980, 1, 1}, ""},
		{"Taiwan travel permit, bad form", base(RoleMinor, DocTWPermit, "1234", "", "2008-01-01"), "id_number", "iddoc.format", Date{}, ""},
		{"HK residence permit carries the date", base(RoleMinor, DocResidencePermit, hk(2008, 5, 1), "", ""), "", "", Date{2008, 5, 1}, ""},
		{"HK residence permit, child of 13 by its number", base(RoleMinor, DocResidencePermit, hk(2012, 6, 1), "", ""), "id_number", "register.child_under_14", Date{}, ""},
		{"HK residence permit, unborn holder", base(RoleMinor, DocResidencePermit, hk(2027, 1, 1), "", ""), "id_number", "id.birth_date", Date{}, ""},
		{"unknown kind", base(RoleMinor, "visa", "E12345678", "", ""), "doc_type", "iddoc.type_required", Date{}, ""},
		{"no kind is the mainland card", base(RoleMinor, "", SyntheticIDNumber(3, Date{2008, 5, 1}).String(), "", ""), "", "", Date{2008, 5, 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.reg.Check(today)
			if tt.field != "" {
				pe, ok := AsError(err)
				if !ok || pe.Fields[tt.field] != tt.key {
					t.Fatalf("got %v, want %s on %s", err, tt.key, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if b, ok := a.BirthDate(); !ok || b != tt.wantBirth {
				t.Fatalf("birth %v %v, want %v", b, ok, tt.wantBirth)
			}
			if a.DocCountry != tt.wantCountry {
				t.Fatalf("country %q", a.DocCountry)
			}
			if tt.reg.DocType == "" || tt.reg.DocType == DocResidentID {
				if a.DocType != "" || !a.DocBirth.IsZero() {
					t.Fatalf("a mainland card stored as %q %v", a.DocType, a.DocBirth)
				}
			} else if a.DocType != tt.reg.DocType {
				t.Fatalf("kind %q", a.DocType)
			}
			if _, hasOwn := mustDoc(t, a).BirthDate(); hasOwn != a.DocBirth.IsZero() {
				t.Fatalf("typed birth date kept %v for a number that carries one: %v", a.DocBirth, hasOwn)
			}
		})
	}
}

func mustDoc(t *testing.T, a Account) IdentityDocument {
	t.Helper()
	d, err := a.Document()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// R31: an account is the person on a case only with the very same document:
// kind, state and number.
func TestAccountSameDocument(t *testing.T) {
	a := Account{IDNumber: "E12345678", DocType: DocPassport, DocCountry: "GBR"}
	tests := []struct {
		name string
		c    Case
		want bool
	}{
		{"same passport", Case{PersonIDNumber: "E12345678", PersonDocType: DocPassport, PersonDocCountry: "GBR"}, true},
		{"other state", Case{PersonIDNumber: "E12345678", PersonDocType: DocPassport, PersonDocCountry: "USA"}, false},
		{"other kind", Case{PersonIDNumber: "12345678", PersonDocType: DocTWPermit}, false},
		{"other number", Case{PersonIDNumber: "E12345679", PersonDocType: DocPassport, PersonDocCountry: "GBR"}, false},
	}
	for _, tt := range tests {
		if got := a.SameDocument(tt.c); got != tt.want {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
	id := SyntheticIDNumber(4, Date{2008, 1, 1}).String()
	m := Account{IDNumber: id}
	if !m.SameDocument(Case{PersonIDNumber: id}) || !m.SameDocument(Case{PersonIDNumber: id, PersonDocType: DocResidentID}) {
		t.Error("a mainland card is not its own document")
	}
	if m.SameDocument(Case{PersonIDNumber: id, PersonDocType: DocResidencePermit}) {
		t.Error("a mainland number matched a residence permit")
	}
}

// R31: a case's person with a passport has the birth date stated on it,
// unless the court found another (R30).
func TestCasePersonDocBirth(t *testing.T) {
	c := Case{PersonIDNumber: "E12345678", PersonDocType: DocPassport, PersonDocCountry: "GBR"}
	if _, ok := c.PersonBirthDate(); ok {
		t.Fatal("a passport alone gave a birth date")
	}
	c.PersonDocBirth = Date{2008, 5, 1}
	if b, ok := c.PersonBirthDate(); !ok || b != (Date{2008, 5, 1}) {
		t.Fatalf("stated birth %v %v", b, ok)
	}
	c.CourtBirthDate = Date{2008, 7, 1}
	if b, _ := c.PersonBirthDate(); b != (Date{2008, 7, 1}) {
		t.Fatalf("the court's finding does not prevail: %v", b)
	}
}

// R31: a citizen account with a document whose number carries no birth date
// is stored only with the stated birth date (the age rules need one).
func TestAccountValidateDocBirth(t *testing.T) {
	a := Account{Role: RoleMinor, Login: "13800138000", Mobile: "13800138000", Name: "John Smith", PasswordHash: "h",
		IDNumber: "E12345678", DocType: DocPassport, DocCountry: "GBR"}
	pe, ok := AsError(a.Validate())
	if !ok || pe.Fields["birth_date"] != "register.birth_date_required" {
		t.Fatalf("no birth date: %v", a.Validate())
	}
	a.DocBirth = Date{2008, 5, 1}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	a.DocCountry = ""
	if pe, ok := AsError(a.Validate()); !ok || pe.Fields["id_number"] == "" {
		t.Fatalf("a passport without its state: %v", a.Validate())
	}
}
