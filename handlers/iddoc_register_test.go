package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
)

// R31: people without a mainland identity number register with their own
// document, are verified by the organ against it, see the cases about them
// and ask for certificates that show the document as the paper does.

// hkPermitNumber is a Hong Kong resident's residence permit number (region
// 810000) for the birth date and sequence, with its check character.
func hkPermitNumber(birth portal.Date, seq int) string {
	n := "810000" + birth.Time().Format("20060102") + strconv.Itoa(100+seq%900)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, r := range n {
		sum += int(r-'0') * weights[i]
	}
	return n + string("10X98765432"[sum%11])
}

// iddocPerson is a person with a non-mainland document, as registration
// posts it.
type iddocPerson struct {
	name, mobile, kind, number, country, birth string
}

func (p iddocPerson) extra() []string {
	return []string{"doc_type", p.kind, "doc_country", p.country, "birth_date", p.birth}
}

func (p iddocPerson) doc(t *testing.T) portal.IdentityDocument {
	t.Helper()
	d, err := portal.ParseIdentityDocument(portal.IDDocType(p.kind), p.number, p.country)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// exOfficio opens a case about the person with the document, as a court does
// (R11), and returns it.
func (w *certWorld) exOfficioDoc(t *testing.T, name string, doc portal.IdentityDocument, number string) portal.Case {
	t.Helper()
	c := portal.Case{PersonName: name, PersonIDNumber: doc.Number, PersonDocType: doc.Type, PersonDocCountry: doc.Country,
		DecidingOrganID: w.court.ID, OrganCaseNumber: number, CourtBirthDate: portal.Date{Year: 2006, Month: 5, Day: 1},
		Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2025, Month: 9, Day: 1}, Intent: portal.IntentIntentional,
		Acts:    []portal.Act{{Date: portal.Date{Year: 2024, Month: 1, Day: 5}, Main: true}},
		Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}, HoldingOrganIDs: []uint64{w.court.ID, w.police.ID}}
	c, err := w.db.OpenExOfficio(c, store.Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, AccountID: w.judge.ID,
		Role: portal.RoleCourt, OrganID: w.court.ID, Rules: []string{"R11"}}, w.cal)
	if err != nil {
		t.Fatal(err)
	}
	// Sealed, so that the police see it marked as a record that must not
	// appear (R14).
	for _, st := range []store.Step{
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: w.judge.ID, Role: w.judge.Role, OrganID: w.court.ID, Rules: []string{"R2"}},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: w.judge.ID, Role: w.judge.Role, OrganID: w.court.ID},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: w.officer.ID, Role: w.officer.Role, OrganID: w.police.ID},
	} {
		if c, err = w.db.Apply(c.ID, st, w.cal); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return c
}

// registerDoc registers the person through the real form (the SMS code read
// as a phone would) and signs in; it returns the browser and the account.
func (w *certWorld) registerDoc(t *testing.T, p iddocPerson) (*testClient, portal.Account) {
	t.Helper()
	c := w.newClient()
	c.setLang("en")
	c.register(portal.RoleMinor, p.name, p.mobile, p.number, certPW, p.extra()...).wantPath(t, "/login")
	c.login(p.mobile, certPW).wantStatus(t, http.StatusOK)
	a, err := w.db.AccountByLogin(p.mobile)
	if err != nil {
		t.Fatal(err)
	}
	return c, a
}

// applySelf starts an application through the real form (the person's
// document filled in from the account), completes it and submits it.
func (w *certWorld) applySelf(t *testing.T, c *testClient, a portal.Account) portal.Case {
	t.Helper()
	p := c.submit("/apply", "/apply", nil).wantStatus(t, http.StatusOK)
	id, err := strconv.ParseUint(strings.TrimPrefix(p.url.Path, "/apply/"), 10, 64)
	if err != nil {
		t.Fatalf("apply ended at %s", p.url.Path)
	}
	cs, err := w.db.UpdateDraft(id, func(c *portal.Case) error {
		c.DecidingOrganID, c.OrganCaseNumber = w.court.ID, "(2025)甲刑初字第31号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2025, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2024, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}
		c.HoldingOrganIDs = []uint64{w.court.ID, w.police.ID}
		c.DeclaredTrue = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := w.db.AddDocument(cs.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: a.ID},
			[]byte("%PDF-1.4 "+string(k))); err != nil {
			t.Fatal(err)
		}
	}
	cs, err = w.db.Apply(cs.ID, store.Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: a.ID, Role: a.Role}, w.cal)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return cs
}

// organVerifies is the deciding organ's check of the papers on the staff case
// page (POST /staff/cases/:id/identity); the page shows the document's kind
// and number in full to the official who checks them.
func (w *certWorld) organVerifies(t *testing.T, cs portal.Case, label, number string) {
	t.Helper()
	judge := w.signIn(w.judge, "en")
	path := "/staff/cases/" + strconv.FormatUint(cs.ID, 10)
	p := judge.get(path).wantStatus(t, http.StatusOK).wantText(t, "Check the applicant's identity")
	if got, _ := p.testid("person-id"); got != number {
		t.Fatalf("staff page shows number %q, want %q", got, number)
	}
	if label != "" {
		if got, _ := p.testid("person-doc-kind"); got != label {
			t.Fatalf("staff page shows kind %q, want %q", got, label)
		}
	}
	judge.submit(path, path+"/identity", url.Values{"check": {"identity"}, "papers_checked": {"yes"}}).
		wantPath(t, path).wantText(t, "The applicant's identity is verified")
}

func TestIdentityDocumentRegistrationVerifiedCertificate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		person iddocPerson
		label  string // the document's name as the certificate and /verify show it
	}{
		{"passport", iddocPerson{name: "John Smith", mobile: "13900003101", kind: "passport", number: "e1234 5678", country: "gbr", birth: "2006-05-01"},
			"Foreign passport (GBR)"},
		{"hk residence permit", iddocPerson{name: "陈港生", mobile: "13900003102", kind: "hmt_residence_permit",
			number: hkPermitNumber(portal.Date{Year: 2006, Month: 5, Day: 1}, 7)},
			"Residence permit for Hong Kong, Macao and Taiwan residents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCertWorld(t)
			doc := tc.person.doc(t)
			eo := w.exOfficioDoc(t, tc.person.name, doc, "(2025)甲刑初字第8号")

			me, acct := w.registerDoc(t, tc.person)
			if acct.DocType != doc.Type || acct.IDNumber != doc.Number || acct.DocCountry != doc.Country || acct.IdentityVerified {
				t.Fatalf("account %+v", acct)
			}
			if b, ok := acct.BirthDate(); !ok || b != (portal.Date{Year: 2006, Month: 5, Day: 1}) {
				t.Fatalf("birth date %v %v", b, ok)
			}
			// The account page names the document, its number masked.
			acc := me.get("/account").wantStatus(t, http.StatusOK)
			if got, _ := acc.testid("account-doc-kind"); got != tc.label {
				t.Fatalf("account page kind %q", got)
			}
			if got, _ := acc.testid("account-id-number"); got != doc.Masked() {
				t.Fatalf("account page number %q", got)
			}
			// Contact verified only: the organ's case is not his yet, nor a
			// certificate.
			me.get("/cases").wantStatus(t, http.StatusOK).noText(t, eo.Ref)
			me.get(casesPath(eo.ID)).wantStatus(t, http.StatusNotFound)

			cs := w.applySelf(t, me, acct)
			if cs.PersonDocType != doc.Type || cs.PersonIDNumber != doc.Number || cs.PersonDocCountry != doc.Country {
				t.Fatalf("the application's person %q %q %q", cs.PersonDocType, cs.PersonIDNumber, cs.PersonDocCountry)
			}
			w.organVerifies(t, cs, tc.label, doc.Number)
			if a, _ := w.db.Account(acct.ID); !a.IdentityVerified || a.IdentityMethod != portal.IdentityByOrgan {
				t.Fatalf("not verified: %+v", a)
			}
			// The case the court opened about him is now linked.
			me.get("/cases").wantStatus(t, http.StatusOK).wantText(t, eo.Ref)
			me.get(casesPath(eo.ID)).wantStatus(t, http.StatusOK)

			// A certificate: requested, checked by the police (the document
			// in full), issued, showing the document as the paper does.
			p := certRequest(t, me, "self", w.police).wantPath(t, "/certificates")
			id := certLastID(t, p)
			cop := w.signIn(w.officer, "en")
			cop.get("/staff/certificates/"+id).wantStatus(t, http.StatusOK).
				wantText(t, tc.person.name, tc.label, doc.Number, eo.Ref, "Sealed: must not appear")
			cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/check", url.Values{"result": {"no_record"}, "reference": {"WFZ-31"}}).
				wantPath(t, "/staff/certificates/"+id)
			cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/issue", nil).wantPath(t, "/staff/certificates")
			cert := me.get("/certificates/"+id).wantPath(t, "/certificates/"+id).wantText(t, tc.label, doc.Number, tc.person.name)
			certNoRecordWording(t, cert)
			code, ok := cert.testid("cert-code")
			if !ok {
				t.Fatal("no code on the certificate")
			}
			anon := w.newClient()
			anon.setLang("en")
			v := certVerify(t, anon, code)
			if certVerifyStatus(v) != "issued" {
				t.Fatalf("verify: %s", excerpt(v))
			}
			v.wantText(t, tc.label, doc.Number, tc.person.name).noText(t, eo.Ref)
			anon.setLang("zh-CN")
			zh := map[portal.IDDocType]string{portal.DocPassport: "外国护照 (GBR)", portal.DocResidencePermit: "港澳台居民居住证"}[doc.Type]
			certVerify(t, anon, code).wantText(t, zh, doc.Number)
		})
	}
}

// R31: a passport number is unique only with its issuing state. A stranger
// with the same number and name but another state, registered and verified
// by the organ on his own application, gets nothing of the first person's:
// no case, no certificate; and his verification is not a claim on the first
// person's document.
func TestIdentityDocumentSameNumberOtherState(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	gbr := iddocPerson{name: "John Smith", mobile: "13900003201", kind: "passport", number: "E12345678", country: "GBR", birth: "2006-05-01"}
	usa := iddocPerson{name: "John Smith", mobile: "13900003202", kind: "passport", number: "E12345678", country: "USA", birth: "2006-05-01"}
	eo := w.exOfficioDoc(t, gbr.name, gbr.doc(t), "(2025)甲刑初字第9号")

	me, acct := w.registerDoc(t, gbr)
	w.organVerifies(t, w.applySelf(t, me, acct), "Foreign passport (GBR)", "E12345678")
	me.get("/cases").wantText(t, eo.Ref)
	id := certLastID(t, certRequest(t, me, "self", w.police).wantPath(t, "/certificates"))

	stranger, sa := w.registerDoc(t, usa)
	scs := w.applySelf(t, stranger, sa)
	w.organVerifies(t, scs, "Foreign passport (USA)", "E12345678")
	if a, _ := w.db.Account(sa.ID); !a.IdentityVerified {
		t.Fatal("the other state's holder was refused as if the document were taken")
	}
	ns, _ := w.db.Notifications(acct.ID, 50)
	if slices.ContainsFunc(ns, func(n portal.Notification) bool { return n.Key == store.NotifyIdentityClaimed }) {
		t.Fatal("another state's passport was taken for a claim on the holder's document")
	}
	stranger.get("/cases").wantStatus(t, http.StatusOK).noText(t, eo.Ref)
	stranger.get(casesPath(eo.ID)).wantStatus(t, http.StatusNotFound)
	stranger.get("/certificates/"+id).wantStatus(t, http.StatusNotFound)
	stranger.get("/certificates").noText(t, "ZM-2026-000001")
	mine, err := w.db.CasesOfAccount(sa.ID)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(mine, func(s store.CaseSummary) bool { return s.Case.ID == eo.ID }) {
		t.Fatal("the first person's case is linked to the stranger")
	}
	// The first person does not get the stranger's application either.
	me.get("/cases").noText(t, scs.Ref)
}

// R31: the register form asks for the document's kind, a passport's state
// and, for a document whose number carries none, the birth date; each
// missing answer is refused at its field with the typed values kept, in both
// languages; the age rules read the typed birth date.
func TestRegisterIdentityDocumentErrors(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, tc := range []struct {
		lang, field, want string
		extra             []string
	}{
		{"en", "doc_country", "For a passport, enter the three-letter code of the issuing state",
			[]string{"doc_type", "passport", "birth_date", "2006-05-01"}},
		{"zh-CN", "doc_country", "护照请填写三个字母的签发国家代码", []string{"doc_type", "passport", "birth_date", "2006-05-01"}},
		{"en", "birth_date", "carries no birth date", []string{"doc_type", "passport", "doc_country", "FRA"}},
		{"zh-CN", "birth_date", "请填写出生日期", []string{"doc_type", "passport", "doc_country", "FRA"}},
		{"en", "birth_date", "Enter a real date of birth", []string{"doc_type", "passport", "doc_country", "FRA", "birth_date", "2006-02-30"}},
		{"en", "birth_date", "Children under 14 cannot register themselves", []string{"doc_type", "passport", "doc_country", "FRA", "birth_date", "2015-01-01"}},
		{"en", "id_number", "The number does not have the form of the kind of document chosen",
			[]string{"doc_type", "hkmo_travel_permit", "birth_date", "2006-05-01"}},
		{"en", "doc_type", "Choose the kind of identity document", []string{"doc_type", "visa"}},
	} {
		c := ts.newClient()
		c.setLang(tc.lang)
		p := c.registerForm(portal.RoleMinor, "Marie Curie", "13900003301", "AB1234567", "a long passphrase", tc.extra...).
			wantStatus(t, http.StatusUnprocessableEntity)
		if got := p.fieldError(tc.field); !strings.Contains(got, tc.want) {
			t.Fatalf("%s %v: %s error %q, want %q\n%s", tc.lang, tc.extra, tc.field, got, tc.want, excerpt(p))
		}
		if !strings.Contains(p.body, `value="AB1234567"`) || !strings.Contains(p.body, `value="Marie Curie"`) {
			t.Fatalf("%v: typed values lost", tc.extra)
		}
		for i := 0; i+1 < len(tc.extra); i += 2 {
			if tc.extra[i] == "doc_type" {
				if tc.extra[i+1] != "visa" && !strings.Contains(p.body, `value="`+tc.extra[i+1]+`" checked`) {
					t.Fatalf("%v: the kind chosen is not kept", tc.extra)
				}
				continue
			}
			if !strings.Contains(p.body, `value="`+tc.extra[i+1]+`"`) {
				t.Fatalf("%v: %s not kept", tc.extra, tc.extra[i])
			}
		}
	}
	// The form offers every kind, the mainland card chosen by default.
	c := ts.newClient()
	c.setLang("en")
	p := c.get("/register").wantStatus(t, http.StatusOK)
	if !strings.Contains(p.body, `value="resident_id" checked`) {
		t.Fatal("the mainland identity card is not the default")
	}
	p.wantText(t, "Foreign passport", "Mainland travel permit for Hong Kong and Macao residents", "Date of birth")
}
