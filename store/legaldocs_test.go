package store

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

type docWorld struct {
	db            *DB
	cal           *portal.Calendar
	court, police portal.Organ
	minor         portal.Account
	advance       func(time.Duration)
}

func newDocWorld(t *testing.T, lang string) *docWorld {
	t.Helper()
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	w := &docWorld{db: db, cal: portal.DefaultCalendar(), advance: advance}
	var err error
	if w.court, err = db.EnsureOrgan(portal.RoleCourt, "演示市人民法院"); err != nil {
		t.Fatal(err)
	}
	w.police, _ = db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	w.minor, err = db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000001", Name: "测试人", Mobile: "13800000001",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x", Lang: lang}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// underReview files a case and brings it to the court's review.
func (w *docWorld) underReview(t *testing.T, change ...func(*portal.Case) error) portal.Case {
	t.Helper()
	c := completeDraft(t, w.db, w.minor, w.court, w.police)
	for _, f := range change {
		if _, err := w.db.UpdateDraft(c.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []Step{{Action: portal.ActionSubmit, Actor: portal.ActorApplicant},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, OrganID: w.court.ID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, OrganID: w.court.ID}} {
		var err error
		if c, err = w.db.Apply(c.ID, s, w.cal); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// Issue 18, R12, R33: the sealing decision and its notice commit together;
// the notice is numbered per organ and year, names the holders and is in the
// person's language too.
func TestSealingIssuesNumberedNotice(t *testing.T) {
	w := newDocWorld(t, portal.LangEN)
	c := w.underReview(t)
	st := Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, OrganID: w.court.ID, AccountID: 5, Role: portal.RoleCourt, Rules: []string{"R2"}}
	// No citation: refused, and nothing changed.
	if _, _, err := w.db.ApplyWithDocument(c.ID, st, w.cal, DocIssue{Kind: portal.DocSealingNotice}); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("no citation: %v", err)
	}
	if got, _ := w.db.Case(c.ID); got.Status != portal.StatusUnderReview {
		t.Fatalf("status changed without a document: %s", got.Status)
	}
	c, d, err := w.db.ApplyWithDocument(c.ID, st, w.cal, DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286", "cl-99"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != portal.StatusSealed || d.Number != "〔2026〕法0001封字第1号" || d.N != 1 || d.OrganID != w.court.ID {
		t.Fatalf("case %s, document %+v", c.Status, d)
	}
	if len(d.Texts) != 2 || d.Texts[0].Lang != portal.LangZH || d.Texts[1].Lang != portal.LangEN {
		t.Fatalf("languages %v", d.Texts)
	}
	if !d.Addressed(portal.RecipientPerson, 0) || !d.Addressed(portal.RecipientOrgan, w.police.ID) || d.Addressed(portal.RecipientOrgan, w.court.ID) {
		t.Fatalf("recipients %+v", d.Recipients)
	}
	zh := d.Text(portal.LangZH)
	if zh.Title != "犯罪记录封存通知书" || !slices.Contains(zh.Citations, "《中华人民共和国刑事诉讼法》第二百八十六条") {
		t.Fatalf("zh text %+v", zh)
	}
	// The police received it in the portal at issue: a recorded service.
	svc, err := w.db.ServicesOfCase(c.ID)
	if err != nil || len(svc[d.ID]) != 1 || svc[d.ID][0].Method != portal.ServePortal || d.Recipients[svc[d.ID][0].Recipient].OrganID != w.police.ID {
		t.Fatalf("services %+v %v", svc, err)
	}
	// A second case gets the next number of the same organ and year.
	c2 := w.underReview(t)
	_, d2, err := w.db.ApplyWithDocument(c2.ID, st, w.cal, DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286"}})
	if err != nil || d2.Number != "〔2026〕法0001封字第2号" || d2.N != 1 {
		t.Fatalf("second number %q %v", d2.Number, err)
	}
	// A refusal has its own word and sequence, and needs reasons.
	// Six years: the rules refuse too, so no second official is needed.
	c3 := w.underReview(t, overFiveYears)
	rej := st
	rej.Action, rej.Note = portal.ActionReject, ""
	if _, _, err := w.db.ApplyWithDocument(c3.ID, rej, w.cal, DocIssue{Kind: portal.DocRefusalDecision, Citations: []string{"cpl-286"}}); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("refusal without reasons: %v", err)
	}
	rej.Note = "刑期超过五年"
	_, d3, err := w.db.ApplyWithDocument(c3.ID, rej, w.cal, DocIssue{Kind: portal.DocRefusalDecision, Citations: []string{"cpl-286"}, Reasons: rej.Note})
	if err != nil || d3.Number != "〔2026〕法0001不封字第1号" || !strings.Contains(strings.Join(d3.Text(portal.LangZH).Paragraphs, ""), "刑期超过五年") {
		t.Fatalf("refusal %+v %v", d3, err)
	}
	if d3.Addressed(portal.RecipientOrgan, w.police.ID) {
		t.Error("a refusal is not sent to the holders")
	}
	// A new year starts at 1 again.
	w.advance(300 * 24 * time.Hour)
	c4 := w.underReview(t)
	_, d4, err := w.db.ApplyWithDocument(c4.ID, st, w.cal, DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286"}})
	if err != nil || d4.Number != "〔2026〕法0001封字第3号" && !strings.HasPrefix(d4.Number, "〔2027〕") {
		t.Fatalf("next year %q %v", d4.Number, err)
	}
	if strings.HasPrefix(d4.Number, "〔2027〕") && d4.Number != "〔2027〕法0001封字第1号" {
		t.Fatalf("a new year's sequence: %q", d4.Number)
	}
}

// Issue 18: documents are archived sealed and survive a reopen and a key
// rotation; a staff read is audited, a citizen's is not.
func TestLegalDocumentArchivedSealedAndAudited(t *testing.T) {
	w := newDocWorld(t, "")
	c := w.underReview(t)
	_, d, err := w.db.ApplyWithDocument(c.ID, Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, OrganID: w.court.ID, AccountID: 5, Role: portal.RoleCourt},
		w.cal, DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Texts) != 1 {
		t.Fatalf("Chinese only for a person without a language: %d texts", len(d.Texts))
	}
	err = w.db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketLegalDocs).ForEach(func(_, v []byte) error {
			if bytes.Contains(v, []byte("测试人")) || bytes.Contains(v, []byte("通知书")) {
				t.Error("a document in clear")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	db := reopenTestDB(t, w.db)
	judge := portal.Account{ID: 5, Role: portal.RoleCourt, OrganID: w.court.ID}
	got, _, err := db.LegalDocument(c.ID, 0, 1, LegalDocRead{Reader: judge, Purpose: "case_duty", RequestID: "r"})
	if err != nil || got.Number != d.Number || got.Text(portal.LangZH).Addressee != "测试人：" {
		t.Fatalf("read back %+v %v", got, err)
	}
	if _, _, err := db.LegalDocument(c.ID, 0, 2, LegalDocRead{Reader: judge}); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("no second document: %v", err)
	}
	if _, _, err := db.LegalDocument(c.ID, 0, 1, LegalDocRead{Reader: w.minor}); err != nil {
		t.Fatal(err)
	}
	evs, _ := db.AuditBySubject("case", c.ID)
	reads := 0
	for _, e := range evs {
		if e.Action == portal.AuditDocumentRead && strings.Contains(e.Detail, ":legaldoc:") {
			reads++
			if e.ActorID != judge.ID {
				t.Errorf("read by %d audited", e.ActorID)
			}
		}
	}
	if reads != 1 {
		t.Fatalf("%d audited reads, want 1 (the judge's)", reads)
	}
}

// Issue 18: a service is recorded by the issuing organ only, on a real
// recipient, not before the issue nor in the future; R13's explanation needs
// a method and someone it was given to.
func TestServiceAndRightsExplanation(t *testing.T) {
	w := newDocWorld(t, "")
	c := w.underReview(t)
	court := Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, OrganID: w.court.ID, AccountID: 5, Role: portal.RoleCourt}
	_, d, err := w.db.ApplyWithDocument(c.ID, court, w.cal, DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286"}})
	if err != nil {
		t.Fatal(err)
	}
	today := portal.DateOf(w.db.now())
	cases := []struct {
		name string
		s    portal.Service
		st   Step
		code portal.Code
	}{
		{"ok", portal.Service{Recipient: 0, Method: portal.ServeInPerson, On: today}, court, ""},
		{"by a holder", portal.Service{Recipient: 0, Method: portal.ServePost, On: today}, Step{OrganID: w.police.ID}, portal.CodeForbidden},
		{"no such recipient", portal.Service{Recipient: 9, Method: portal.ServePost, On: today}, court, portal.CodeInvalid},
		{"unknown method", portal.Service{Recipient: 0, Method: "pigeon", On: today}, court, portal.CodeInvalid},
		{"future", portal.Service{Recipient: 0, Method: portal.ServePost, On: today.AddDays(1)}, court, portal.CodeInvalid},
		{"before issue", portal.Service{Recipient: 0, Method: portal.ServePost, On: today.AddDays(-1)}, court, portal.CodeInvalid},
	}
	for _, tc := range cases {
		err := w.db.RecordService(c.ID, 1, tc.s, tc.st)
		if portal.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	svc, _ := w.db.ServicesOfCase(c.ID)
	if len(svc[d.ID]) != 2 { // the police's portal delivery and the person's service
		t.Fatalf("services %+v", svc[d.ID])
	}
	if err := w.db.RecordRightsExplanation(c.ID, portal.RightsExplanation{Method: portal.ExplainInPerson, On: today}, court); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("explained to nobody: %v", err)
	}
	if err := w.db.RecordRightsExplanation(c.ID, portal.RightsExplanation{Method: portal.ExplainPhone, On: today, ToPerson: true, ToGuardian: true}, court); err != nil {
		t.Fatal(err)
	}
	ex, err := w.db.RightsExplanations(c.ID)
	if err != nil || len(ex) != 1 || ex[0].By != 5 || ex[0].Method != portal.ExplainPhone {
		t.Fatalf("explanations %+v %v", ex, err)
	}
	if err := w.db.SetServiceContacts(c.ID, ServiceContacts{Address: "演示市某路1号", GuardianName: "监护人甲"}, court); err != nil {
		t.Fatal(err)
	}
	if sc, err := w.db.ServiceContacts(c.ID); err != nil || sc.GuardianName != "监护人甲" {
		t.Fatalf("contacts %+v %v", sc, err)
	}
}

func TestMigrationLegalDocsCreatesBuckets(t *testing.T) {
	v := 0
	for _, m := range migrations {
		if m.name == migrationLegalDocsName {
			v = m.version
		}
	}
	if v == 0 {
		t.Fatal("migration not in the list")
	}
	b := applyUpTo(t, v)
	err := b.View(func(tx kv.Tx) error {
		for _, name := range legalDocBuckets() {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(migrateLegalDocs); err != nil {
		t.Errorf("applied twice: %v", err)
	}
}

// legalDocsSealedWorld issues a document with a service, an explanation of
// rights and addresses on a case of the rotation tests' world, so that every
// sealed kind of legaldocs.go is there; it returns the secrets they hold.
func legalDocsSealedWorld(t *testing.T, db *DB, caseID, organID uint64) []string {
	t.Helper()
	st := Step{AccountID: 5, Role: portal.RoleCourt, OrganID: organID}
	if _, err := db.IssueCaseDocument(caseID, st, DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286"},
		Reasons: "LEGALDOC-REASON-SECRET"}); err != nil {
		t.Fatal(err)
	}
	today := portal.DateOf(db.now())
	if err := db.RecordService(caseID, 1, portal.Service{Recipient: 0, Method: portal.ServePost, On: today, Note: "SERVICE-NOTE-SECRET"}, st); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordRightsExplanation(caseID, portal.RightsExplanation{Method: portal.ExplainInPerson, On: today, ToPerson: true,
		Note: "EXPLAIN-NOTE-SECRET"}, st); err != nil {
		t.Fatal(err)
	}
	if err := db.SetServiceContacts(caseID, ServiceContacts{Address: "CONTACT-ADDRESS-SECRET"}, st); err != nil {
		t.Fatal(err)
	}
	return []string{"LEGALDOC-REASON-SECRET", "SERVICE-NOTE-SECRET", "EXPLAIN-NOTE-SECRET", "CONTACT-ADDRESS-SECRET"}
}

// overFiveYears makes a draft's penalty six years of fixed-term
// imprisonment: the rules refuse to seal it (R2), so a refusal by one
// official agrees with them (issue 18: no override).
func overFiveYears(c *portal.Case) error {
	c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 72}
	return nil
}
