package store

import (
	"bytes"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/blob"
	"sealportal/store/kv"
)

// certWorld is a store with a court, a police organ and a person whose case
// has been sealed and completed.
type certWorld struct {
	db            *DB
	cal           *portal.Calendar
	advance       func(time.Duration)
	court, police portal.Organ
	minor         portal.Account
	officer       portal.Account
	cs            portal.Case
}

func newCertWorld(t *testing.T) *certWorld { t.Helper(); return newCertWorldWith(t, nil) }

// newCertWorldWith is newCertWorld with the documents' objects in blobs
// (nil: the engine's own, documents.go).
func newCertWorldWith(t *testing.T, blobs blob.Store) *certWorld {
	t.Helper()
	db := newTestDB(t)
	db.blobs = blobs
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)) // a Monday
	db.now = clock
	w := &certWorld{db: db, cal: portal.DefaultCalendar(), advance: advance}
	var err error
	if w.court, err = db.EnsureOrgan(portal.RoleCourt, "演示市人民法院"); err != nil {
		t.Fatal(err)
	}
	w.police, _ = db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	w.minor, err = db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000001", Name: "测试人", Mobile: "13800000001",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.officer, err = db.CreateAccount(portal.Account{Role: portal.RolePolice, Login: "police-1", Name: "警官", Organ: w.police.Name,
		OrganID: w.police.ID, PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := completeDraft(t, db, w.minor, w.court, w.police)
	for _, s := range []Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: w.minor.ID},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, OrganID: w.court.ID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, OrganID: w.court.ID},
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, OrganID: w.court.ID, Rules: []string{"R2"}},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, OrganID: w.court.ID},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, OrganID: w.police.ID},
	} {
		if c, err = db.Apply(c.ID, s, w.cal); err != nil {
			t.Fatalf("%s: %v", s.Action, err)
		}
	}
	if c.Status != portal.StatusCompleted {
		t.Fatalf("status %s", c.Status)
	}
	w.cs = c
	return w
}

func (w *certWorld) request(t *testing.T) portal.Certificate {
	t.Helper()
	c, err := w.db.RequestCertificate(portal.Certificate{PersonName: w.minor.Name, PersonIDNumber: w.minor.IDNumber,
		RequestedBy: w.minor.ID, RequesterRole: w.minor.Role, Capacity: portal.CapacitySelf, PoliceOrganID: w.police.ID}, w.cal, "req")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// check records the official's check of the police records on a request.
func (w *certWorld) check(t *testing.T, id uint64, result portal.CertificateCheckResult) {
	t.Helper()
	if _, err := w.db.RecordCertificateCheck(id, portal.CertificateCheck{Result: result, Reference: "WFZ-2026-0001"}, w.officer, "req"); err != nil {
		t.Fatal(err)
	}
}

// R14 and R18: a sealed person's request is answered only after the police
// official's recorded check; "no record" issues the certificate, which
// verifies with exactly what the paper shows (looked up by keyed hash
// only), and a later unsealing does not revoke it.
func TestCertificateLifecycle(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	c := w.request(t)
	// Three working days after Monday 2 March.
	if c.Ref != "ZM-2026-000001" || c.Status != portal.CertRequested || c.Due != (portal.Date{Year: 2026, Month: 3, Day: 5}) {
		t.Fatalf("request %+v", c)
	}
	if _, err := db.RequestCertificate(portal.Certificate{PersonName: w.minor.Name, PersonIDNumber: w.minor.IDNumber,
		RequestedBy: w.minor.ID, RequesterRole: w.minor.Role, PoliceOrganID: w.police.ID}, w.cal, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("second waiting request: %v", err)
	}
	rows, total, err := db.CertificateQueue(w.police.ID, 0, 50)
	if err != nil || total != 1 || rows[0].ID != c.ID || rows[0].Due != c.Due {
		t.Fatalf("queue %v %d %v", rows, total, err)
	}
	// Only the police organ addressed answers.
	other := w.officer
	other.OrganID = w.court.ID
	if _, err := db.AnswerCertificate(c.ID, other, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("another organ answers: %v", err)
	}
	// R14: no answer without the official's recorded check of the police
	// records, whatever the portal's own cases say.
	if _, err := db.AnswerCertificate(c.ID, w.officer, ""); portal.ErrorCode(err) != portal.CodeConflict || errKeyOf(err) != "cert.check_required" {
		t.Fatalf("answered without a check: %v", err)
	}
	if _, err := db.RecordCertificateCheck(c.ID, portal.CertificateCheck{Result: portal.CheckNoRecord, Reference: "x"}, other, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("another organ checks: %v", err)
	}
	if _, err := db.RecordCertificateCheck(c.ID, portal.CertificateCheck{Result: "maybe", Reference: ""}, w.officer, ""); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("bad check: %v", err)
	}
	// The official sees the sealed record the portal knows (audited), so that
	// it does not appear.
	_, sealed, err := db.CertificateForPolice(c.ID, w.officer, "req")
	if err != nil || len(sealed) != 1 || sealed[0].CaseRef != w.cs.Ref {
		t.Fatalf("sealed records shown %+v %v", sealed, err)
	}
	w.check(t, c.ID, portal.CheckNoRecord)
	c, err = db.AnswerCertificate(c.ID, w.officer, "req")
	if err != nil || c.Status != portal.CertIssued || len(c.Code) != portal.VerificationCodeLength || c.IssuingOrgan != w.police.Name {
		t.Fatalf("answer %+v %v", c, err)
	}
	if _, err := db.AnswerCertificate(c.ID, w.officer, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("answered twice: %v", err)
	}
	if _, total, _ := db.CertificateQueue(w.police.ID, 0, 50); total != 0 {
		t.Fatalf("queue after answer: %d", total)
	}
	mine, err := db.CertificatesOfAccount(w.minor.ID)
	if err != nil || len(mine) != 1 || mine[0].Code != c.Code {
		t.Fatalf("mine %v %v", mine, err)
	}
	if _, err := db.CertificateOfAccount(w.officer.ID, c.ID); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("someone else's certificate: %v", err)
	}
	res, err := db.VerifyCertificate(portal.GroupVerificationCode(c.Code), "")
	paper := portal.VerificationResult{Status: portal.CertIssued, Ref: c.Ref, HolderName: w.minor.Name, HolderID: w.minor.IDNumber,
		IssuingOrgan: w.police.Name, IssuedOn: portal.Date{Year: 2026, Month: 3, Day: 2}}
	if err != nil || res != paper {
		t.Fatalf("verify %+v %v, want what the paper shows %+v", res, err, paper)
	}
	if res, _ := db.VerifyCertificate("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ", ""); res.Status != "" {
		t.Fatalf("wrong code verifies: %+v", res)
	}
	// The code is nowhere in the file in clear, only its keyed hash.
	db.view(func(tx kv.Tx) error {
		return tx.ForEachBucket(func(name []byte) error {
			b := tx.Bucket(name)
			return b.ForEach(func(k, v []byte) error {
				if bytes.Contains(k, []byte(c.Code)) || bytes.Contains(v, []byte(c.Code)) {
					t.Errorf("code in clear in bucket %s", name)
				}
				return nil
			})
		})
	})

	// R18: a new crime before 18 with a combined term over 60 months unseals;
	// R14: the certificate issued before stays valid, as issued.
	w.advance(24 * time.Hour)
	before, _ := db.UnreadCount(w.minor.ID)
	rec, cs, err := db.RecordUnsealingEvent(w.cs.ID, portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: portal.UnsealingNewCrime,
		ActDate: portal.Date{Year: 2024, Month: 2, Day: 1}, CombinedMonths: 72}, LegalBasis: "（2026）演刑初字第3号判决"},
		Step{AccountID: 5, Role: portal.RoleCourt, OrganID: w.court.ID, RequestID: "r"}, w.cal)
	if err != nil || cs.Status != portal.StatusUnsealingApproval || rec.Step != portal.ActionProposeUnsealing || rec.Unsealed() || !rec.AwaitsApproval() {
		t.Fatalf("unsealing %+v %s %v", rec, cs.Status, err)
	}
	if last := cs.Events[len(cs.Events)-1]; last.Note != "（2026）演刑初字第3号判决" || len(last.Rules) == 0 {
		t.Fatalf("event %+v", last)
	}
	// Issue 18: a second official approves; the holders confirm.
	cs = approveUnsealingForTest(t, db, w.cs.ID, w.court.ID, w.cal)
	for _, o := range []uint64{w.court.ID, w.police.ID} {
		if cs, err = db.Apply(w.cs.ID, Step{Action: portal.ActionConfirmUnsealed, Actor: portal.ActorHolder, OrganID: o}, w.cal); err != nil {
			t.Fatal(err)
		}
	}
	if cs.Status != portal.StatusUnsealed {
		t.Fatalf("status %s", cs.Status)
	}
	if res, _ = db.VerifyCertificate(c.Code, ""); res != paper {
		t.Fatalf("after unsealing %+v, want %+v", res, paper)
	}
	// Recorded, approved, each holder's confirmation, closed: the person is
	// told of each step of his own record.
	if after, _ := db.UnreadCount(w.minor.ID); after != before+5 {
		t.Fatalf("unread %d -> %d, want the unsealing's five steps", before, after)
	}
	// A new request: the police records show the record; refused.
	c2 := w.request(t)
	w.check(t, c2.ID, portal.CheckRecordFound)
	c2, err = db.AnswerCertificate(c2.ID, w.officer, "")
	if err != nil || c2.Status != portal.CertRefused || c2.Code != "" || c2.RefusalKind() != portal.CheckRecordFound {
		t.Fatalf("after unsealing %+v %v", c2, err)
	}
	list, total, err := db.UnsealingRecords(0, 10)
	if err != nil || total != 1 || len(list) != 1 || list[0].CaseRef != w.cs.Ref {
		t.Fatalf("records %v %d %v", list, total, err)
	}
	db2 := reopenTestDB(t, db)
	if res, _ := db2.VerifyCertificate(c.Code, ""); res != paper {
		t.Fatalf("after reopening %+v", res)
	}
}

// R18 exactly 60 months: the supervisor decides; kept sealed, a completed
// case is completed again. R19: an adult crime only leaves a trace.
func TestUnsealingReviewAndAdultCrime(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	court := Step{AccountID: 5, Role: portal.RoleCourt, OrganID: w.court.ID}
	ev := func(kind portal.UnsealingKind, act portal.Date, months int) portal.UnsealingRecord {
		return portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: kind, ActDate: act, CombinedMonths: months}, LegalBasis: "判决"}
	}
	// Another organ, a missing basis, a sealed-record check.
	if _, _, err := db.RecordUnsealingEvent(w.cs.ID, ev(portal.UnsealingNewCrime, portal.Date{Year: 2024, Month: 1, Day: 1}, 70),
		Step{OrganID: w.police.ID}, w.cal); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("holder records: %v", err)
	}
	bad := ev(portal.UnsealingNewCrime, portal.Date{Year: 2024, Month: 1, Day: 1}, 70)
	bad.LegalBasis = ""
	if _, _, err := db.RecordUnsealingEvent(w.cs.ID, bad, court, w.cal); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("no basis: %v", err)
	}
	rec, cs, err := db.RecordUnsealingEvent(w.cs.ID, ev(portal.UnsealingAdultCrime, portal.Date{Year: 2025, Month: 1, Day: 1}, 120), court, w.cal)
	if err != nil || cs.Status != portal.StatusCompleted || rec.Decision.Outcome != portal.OutcomeStaysSealed {
		t.Fatalf("R19: %+v %s %v", rec.Decision, cs.Status, err)
	}
	rec, cs, err = db.RecordUnsealingEvent(w.cs.ID, ev(portal.UnsealingNewCrime, portal.Date{Year: 2024, Month: 1, Day: 1}, 60), court, w.cal)
	if err != nil || cs.Status != portal.StatusUnsealingReview || !rec.Pending() {
		t.Fatalf("exactly 60: %+v %s %v", rec, cs.Status, err)
	}
	pending, err := db.PendingUnsealingReviews()
	if err != nil || len(pending) != 1 || pending[0].ID != rec.ID {
		t.Fatalf("pending %v %v", pending, err)
	}
	// Still sealed while under review: a certificate says no record.
	c := w.request(t)
	w.check(t, c.ID, portal.CheckNoRecord)
	if c, _ = db.AnswerCertificate(c.ID, w.officer, ""); c.Status != portal.CertIssued {
		t.Fatalf("during review %s", c.Status)
	}
	sup := Step{AccountID: 9, Role: portal.RoleSupervisor}
	if _, _, err := db.DecideUnsealingReview(w.cs.ID, portal.UnsealingReview{Verdict: portal.VerdictKeepSealed}, sup, w.cal); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("no reasons: %v", err)
	}
	rec, cs, err = db.DecideUnsealingReview(w.cs.ID, portal.UnsealingReview{Verdict: portal.VerdictKeepSealed, Reasons: "按《实施办法》理解"}, sup, w.cal)
	if err != nil || cs.Status != portal.StatusCompleted || rec.Review == nil || rec.Unsealed() {
		t.Fatalf("kept: %+v %s %v", rec, cs.Status, err)
	}
	if _, _, err := db.DecideUnsealingReview(w.cs.ID, portal.UnsealingReview{Verdict: portal.VerdictKeepSealed, Reasons: "x"}, sup, w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("decided twice: %v", err)
	}
	if res, _ := db.VerifyCertificate(c.Code, ""); res.Status != portal.CertIssued {
		t.Fatalf("kept sealed, certificate %+v", res)
	}
	// Referred again and confirmed: unsealed; the certificate stays valid (R14).
	if _, cs, err = db.RecordUnsealingEvent(w.cs.ID, ev(portal.UnsealingRetrial, portal.Date{}, 60), court, w.cal); err != nil || cs.Status != portal.StatusUnsealingReview {
		t.Fatalf("retrial 60: %s %v", cs.Status, err)
	}
	if _, cs, err = db.DecideUnsealingReview(w.cs.ID, portal.UnsealingReview{Verdict: portal.VerdictConfirmUnsealing, Reasons: "按SPP规则"}, sup, w.cal); err != nil || cs.Status != portal.StatusUnsealingApproval {
		t.Fatalf("confirmed: %s %v", cs.Status, err)
	}
	// Issue 18: the court's second official approves; unsealed.
	if cs = approveUnsealingForTest(t, db, w.cs.ID, w.court.ID, w.cal); cs.Status != portal.StatusUnsealing {
		t.Fatalf("approved: %s", cs.Status)
	}
	if res, _ := db.VerifyCertificate(c.Code, ""); res.Status != portal.CertIssued {
		t.Fatalf("confirmed, certificate %+v", res)
	}
	all, err := db.UnsealingsOfCase(w.cs.ID)
	if err != nil || len(all) != 3 {
		t.Fatalf("case records %d %v", len(all), err)
	}
	if _, _, err := db.RecordUnsealingEvent(w.cs.ID, ev(portal.UnsealingNewCrime, portal.Date{Year: 2024, Month: 1, Day: 1}, 70), court, w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("unsealed twice: %v", err)
	}
}

// R20, R22: the marking answers yes or no, and only while the record is sealed.
func TestCoOffenderMarking(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	court := Step{AccountID: 5, Role: portal.RoleCourt, OrganID: w.court.ID}
	if _, err := db.SetCoOffenders(w.cs.ID, []string{"(2023)演刑初字第2号"}, Step{OrganID: w.police.ID}); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("holder sets: %v", err)
	}
	cs, err := db.SetCoOffenders(w.cs.ID, []string{"（2023）演刑初字第2号", "(2023)演刑初字第2号 ", "(2023)演刑初字第9号"}, court)
	if err != nil || len(cs.CoOffenderCases) != 2 {
		t.Fatalf("set %v %v", cs.CoOffenderCases, err)
	}
	reader := portal.Account{ID: 77, Role: portal.RoleProcuratorate}
	for number, want := range map[string]bool{"(2023)演刑初字第2号": true, "（2023） 演刑初字第9号": true, "(2023)演刑初字第3号": false} {
		if got, err := db.CoOffenderMarked(number, reader, ""); err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", number, got, err, want)
		}
	}
	// Replaced: the old number is no longer marked.
	if _, err := db.SetCoOffenders(w.cs.ID, []string{"(2023)演刑初字第9号"}, court); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.CoOffenderMarked("(2023)演刑初字第2号", reader, ""); got {
		t.Error("removed number still marked")
	}
	if _, err := db.CoOffenderMarked("  ", reader, ""); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Errorf("blank number: %v", err)
	}
	// Unsealed, the adult's file no longer carries sealed information.
	if _, _, err := db.RecordUnsealingEvent(w.cs.ID, portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: portal.UnsealingRetrial, CombinedMonths: 80},
		LegalBasis: "再审判决"}, court, w.cal); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.CoOffenderMarked("(2023)演刑初字第9号", reader, ""); !got {
		t.Error("unmarked before the unsealing was approved (issue 18)")
	}
	approveUnsealingForTest(t, db, w.cs.ID, w.court.ID, w.cal)
	if got, _ := db.CoOffenderMarked("(2023)演刑初字第9号", reader, ""); got {
		t.Error("marked after unsealing")
	}
}

// Reads work on a database where this area never wrote: the buckets are
// created by the first write.
func TestCertificateReadsWithoutBuckets(t *testing.T) {
	db := newTestDB(t)
	if list, err := db.CertificatesOfAccount(1); err != nil || len(list) != 0 {
		t.Fatal(list, err)
	}
	if _, err := db.CertificateOfAccount(1, 1); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatal(err)
	}
	if _, n, err := db.CertificateQueue(1, 0, 10); err != nil || n != 0 {
		t.Fatal(n, err)
	}
	if res, err := db.VerifyCertificate("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ", ""); err != nil || res.Status != "" {
		t.Fatal(res, err)
	}
	if l, err := db.PendingUnsealingReviews(); err != nil || len(l) != 0 {
		t.Fatal(l, err)
	}
	if l, n, err := db.UnsealingRecords(0, 10); err != nil || n != 0 || len(l) != 0 {
		t.Fatal(l, err)
	}
	if l, err := db.UnsealingsOfCase(1); err != nil || len(l) != 0 {
		t.Fatal(l, err)
	}
}

func errKeyOf(err error) string {
	if e, ok := portal.AsError(err); ok {
		return e.Key
	}
	return ""
}

// R14: an objection to a refused answer is reviewed within 15 working days,
// extendable once to 30 from the filing; upheld with a corrected check, the
// certificate is issued; a cannot-decide check refuses too.
func TestCertificateObjection(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	c := w.request(t)
	if _, err := db.FileCertificateObjection(c.ID, "错了", w.minor, w.cal, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("objection before the answer: %v", err)
	}
	w.check(t, c.ID, portal.CheckCannotDecide)
	c, err := db.AnswerCertificate(c.ID, w.officer, "")
	if err != nil || c.Status != portal.CertRefused || c.RefusalKind() != portal.CheckCannotDecide {
		t.Fatalf("cannot decide %+v %v", c, err)
	}
	if _, err := db.FileCertificateObjection(c.ID, "错了", w.officer, w.cal, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("someone else objects: %v", err)
	}
	if _, err := db.FileCertificateObjection(c.ID, "  ", w.minor, w.cal, ""); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("empty objection: %v", err)
	}
	c, err = db.FileCertificateObjection(c.ID, "我没有犯罪记录", w.minor, w.cal, "")
	// Monday 2 March + 15 working days = Monday 23 March.
	if err != nil || c.Objection == nil || c.Objection.Status != portal.ObjectionPending || c.Objection.Due != (portal.Date{Year: 2026, Month: 3, Day: 23}) {
		t.Fatalf("filed %+v %v", c.Objection, err)
	}
	if _, err := db.FileCertificateObjection(c.ID, "again", w.minor, w.cal, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("second objection: %v", err)
	}
	rows, err := db.CertificateObjections(w.police.ID)
	if err != nil || len(rows) != 1 || rows[0].Due != c.Objection.Due {
		t.Fatalf("objection list %+v %v", rows, err)
	}
	c, err = db.DecideCertificateObjection(c.ID, ObjectionDecision{Action: portal.ObjectionExtend, Text: "需要核查档案"}, w.officer, w.cal, "")
	// 30 working days from 2 March: Tuesday 14 April (4–6 April Qingming).
	if err != nil || !c.Objection.Extended || c.Objection.Due != (portal.Date{Year: 2026, Month: 4, Day: 14}) {
		t.Fatalf("extended %+v %v", c.Objection, err)
	}
	if _, err := db.DecideCertificateObjection(c.ID, ObjectionDecision{Action: portal.ObjectionExtend, Text: "again"}, w.officer, w.cal, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("extended twice: %v", err)
	}
	if _, err := db.DecideCertificateObjection(c.ID, ObjectionDecision{Action: portal.ObjectionUphold, Text: "核实无记录"}, w.officer, w.cal, ""); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("upheld without a corrected check: %v", err)
	}
	c, err = db.DecideCertificateObjection(c.ID, ObjectionDecision{Action: portal.ObjectionUphold, Text: "核实无记录",
		Checked: &portal.CertificateCheck{Result: portal.CheckNoRecord, Reference: "WFZ-2"}}, w.officer, w.cal, "")
	if err != nil || c.Status != portal.CertIssued || c.Objection.Status != portal.ObjectionUpheld || c.Code == "" || len(c.Objection.Events) != 3 {
		t.Fatalf("upheld %+v %v", c, err)
	}
	if res, _ := db.VerifyCertificate(c.Code, ""); res.Status != portal.CertIssued {
		t.Fatalf("verify after objection %+v", res)
	}
	if rows, _ := db.CertificateObjections(w.police.ID); len(rows) != 0 {
		t.Fatalf("decided objection still listed %+v", rows)
	}
}

// R31: a holder without a mainland identity number (a passport with its
// issuing state) is certified like anyone, from the official's check; the
// certificate and /verify show the document as on paper.
func TestCertificateForPassportHolder(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	bad := portal.Certificate{PersonName: "Jean Dupont", PersonIDNumber: "E1234567", PersonDocType: portal.DocPassport,
		RequestedBy: w.minor.ID, RequesterRole: w.minor.Role, PoliceOrganID: w.police.ID}
	if _, err := db.RequestCertificate(bad, w.cal, ""); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("a passport without its state: %v", err)
	}
	ok := bad
	ok.PersonIDNumber, ok.PersonDocCountry = "e1234567", "fra"
	c, err := db.RequestCertificate(ok, w.cal, "")
	if err != nil || c.PersonIDNumber != "E1234567" || c.PersonDocCountry != "FRA" {
		t.Fatalf("request %+v %v", c, err)
	}
	// The portal holds no sealed record for this document.
	if _, sealed, err := db.CertificateForPolice(c.ID, w.officer, ""); err != nil || len(sealed) != 0 {
		t.Fatalf("sealed %+v %v", sealed, err)
	}
	w.check(t, c.ID, portal.CheckNoRecord)
	if c, err = db.AnswerCertificate(c.ID, w.officer, ""); err != nil || c.Status != portal.CertIssued {
		t.Fatalf("answer %+v %v", c, err)
	}
	res, err := db.VerifyCertificate(c.Code, "")
	if err != nil || res.HolderID != "E1234567" || res.HolderDoc != portal.DocPassport || res.HolderState != "FRA" {
		t.Fatalf("verify %+v %v", res, err)
	}
}
