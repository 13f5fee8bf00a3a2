package store

import (
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// reliefWorld is a store with a court, a police organ, a minor whose case the
// court sealed, and a supervisor.
type reliefWorld struct {
	db                 *DB
	advance            func(time.Duration)
	cal                *portal.Calendar
	court, police, spp portal.Organ
	minor, other, sup  portal.Account
	sealed             portal.Case
}

func newReliefWorld(t *testing.T) *reliefWorld {
	t.Helper()
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)) // a Monday
	db.now = clock
	w := &reliefWorld{db: db, advance: advance, cal: portal.DefaultCalendar()}
	var err error
	if w.court, err = db.EnsureOrgan(portal.RoleCourt, "演示市人民法院"); err != nil {
		t.Fatal(err)
	}
	w.police, _ = db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	w.spp, _ = db.EnsureOrgan(portal.RoleSupervisor, "演示市人民检察院")
	acct := func(role portal.Role, login string, seq uint64, organ portal.Organ) portal.Account {
		a := portal.Account{Role: role, Login: login, Name: "某人", PasswordHash: "x", Organ: organ.Name, OrganID: organ.ID}
		if role.IsCitizen() {
			a.Mobile, a.IDNumber = login, portal.SyntheticIDNumber(seq, portal.Date{Year: 2008, Month: 5, Day: 1}).String()
		}
		a, err := db.CreateAccount(a, 0)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	w.minor = acct(portal.RoleMinor, "13800000011", 11, portal.Organ{})
	w.other = acct(portal.RoleMinor, "13800000012", 12, portal.Organ{})
	w.sup = acct(portal.RoleSupervisor, "spp1", 0, w.spp)
	c := completeDraft(t, db, w.minor, w.court, w.police)
	for _, st := range []Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: w.minor.ID},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, OrganID: w.court.ID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, OrganID: w.court.ID},
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, OrganID: w.court.ID, Rules: []string{"R2"}},
	} {
		if c, err = db.Apply(c.ID, st, w.cal); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	w.sealed = c
	return w
}

func reliefAnswers(linked uint64) portal.ReliefRequest {
	return portal.ReliefRequest{Capacity: portal.CapacitySelf, Kind: portal.ReliefSchool, HappenedOn: portal.Date{Year: 2026, Month: 2, Day: 20},
		UnitName: "演示市第一中学", UnitKind: portal.UnitSchool, Description: "学校查到了已封存的记录并拒绝我入学",
		Remedies: []portal.ReliefRemedy{portal.RemedySealOrCorrect, portal.RemedyReinstatement}, LinkedCaseID: linked}
}

func (w *reliefWorld) sup1(t *testing.T, id uint64, st portal.ReliefStep) portal.ReliefRequest {
	t.Helper()
	st.Actor = portal.ReliefActorSupervisor
	r, err := w.db.ApplyRelief(id, ReliefStep{ReliefStep: st, AccountID: w.sup.ID, Role: portal.RoleSupervisor}, w.cal)
	if err != nil {
		t.Fatalf("%s: %v", st.Action, err)
	}
	return r
}

func (w *reliefWorld) submitted(t *testing.T, linked uint64) portal.ReliefRequest {
	t.Helper()
	r, err := w.db.CreateReliefDraft(reliefAnswers(linked), w.minor.ID)
	if err != nil {
		t.Fatal(err)
	}
	r, err = w.db.ApplyRelief(r.ID, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: w.minor.ID, Role: portal.RoleMinor}, w.cal)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// R24: a relief request walks the whole procedure; the supervisor's queue,
// the organ's notices, the timeline and the applicant's notifications follow.
func TestReliefProcedure(t *testing.T) {
	w := newReliefWorld(t)
	db := w.db
	unreadBefore, _ := db.UnreadCount(w.minor.ID)

	r, err := db.CreateReliefDraft(reliefAnswers(w.sealed.ID), w.minor.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != portal.ReliefDraft || r.Ref != "" || r.LinkedCaseRef != w.sealed.Ref {
		t.Fatalf("draft %+v", r)
	}
	if rows, total, _ := db.ReliefQueue(ReliefFilter{}); total != 0 || len(rows) != 0 {
		t.Fatalf("a draft is in the supervisor's queue: %v", rows)
	}
	docs, err := db.AddReliefDocuments(r.ID, w.minor.ID, []portal.Document{{Name: "notice.pdf", MediaType: portal.MediaPDF}},
		[][]byte{[]byte("%PDF-1.4 refusal letter")})
	if err != nil || len(docs) != 1 {
		t.Fatalf("evidence %v %v", docs, err)
	}
	if got, err := db.ReliefDocumentContent(r.ID, docs[0].ID); err != nil || string(got) != "%PDF-1.4 refusal letter" {
		t.Fatalf("evidence content %q %v", got, err)
	}
	if _, err := db.ReliefDocumentContent(r.ID+1, docs[0].ID); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("evidence of another request: %v", err)
	}

	r, err = db.ApplyRelief(r.ID, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: w.minor.ID, Role: portal.RoleMinor}, w.cal)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ref != "JZ-2026-000001" || r.Status != portal.ReliefSubmitted {
		t.Fatalf("submitted %s %s", r.Ref, r.Status)
	}
	// R24: 15 working days from Monday 2 March 2026 (no holiday in March).
	if want := (portal.Date{Year: 2026, Month: 3, Day: 23}); r.Due != want {
		t.Fatalf("due %v, want %v", r.Due, want)
	}
	if id, err := db.ReliefByRef(r.Ref); err != nil || id != r.ID {
		t.Fatalf("by ref %d %v", id, err)
	}
	rows, total, err := db.ReliefQueue(ReliefFilter{})
	if err != nil || total != 1 || rows[0].Ref != r.Ref || !rows[0].Linked || rows[0].Due != r.Due {
		t.Fatalf("queue %v %d %v", rows, total, err)
	}

	// A question before deciding waits for the applicant; his message answers it.
	r = w.sup1(t, r.ID, portal.ReliefStep{Action: portal.ReliefAskInfo, Note: "请提供学校的书面通知"})
	if r.Status != portal.ReliefInfoRequested {
		t.Fatalf("after the question: %s", r.Status)
	}
	if _, err := db.AddReliefMessage(portal.ReliefMessage{ReliefID: r.ID, From: w.minor.ID, FromRole: portal.RoleMinor, Text: "附上通知",
		Documents: []portal.Document{{Name: "letter.png", MediaType: portal.MediaPNG}}}, [][]byte{[]byte("\x89PNG\r\n\x1a\nx")}, w.cal); err != nil {
		t.Fatal(err)
	}
	if r, _ = db.Relief(r.ID); r.Status != portal.ReliefSubmitted || len(r.Documents) != 2 {
		t.Fatalf("after the answer: %s, %d documents", r.Status, len(r.Documents))
	}
	msgs, err := db.ReliefMessages(r.ID)
	if err != nil || len(msgs) != 2 || msgs[0].FromRole != portal.RoleSupervisor || msgs[1].From != w.minor.ID {
		t.Fatalf("messages %+v %v", msgs, err)
	}

	r = w.sup1(t, r.ID, portal.ReliefStep{Action: portal.ReliefAccept})
	r = w.sup1(t, r.ID, portal.ReliefStep{Action: portal.ReliefRecordStep, Kind: portal.StepInquiry, Note: "已向学校发函了解情况"})

	// A correction notice to the police puts it in the police's list with its
	// own deadline: 15 working days from today.
	w.advance(24 * time.Hour) // Tuesday 3 March
	r = w.sup1(t, r.ID, portal.ReliefStep{Action: portal.ReliefIssueNotice, OrganID: w.police.ID, Note: "请立即封存该案记录"})
	notices, err := db.CorrectionNotices(w.police.ID)
	if err != nil || len(notices) != 1 {
		t.Fatalf("police notices %v %v", notices, err)
	}
	n := notices[0]
	if want := (portal.Date{Year: 2026, Month: 3, Day: 24}); n.Due != want || n.CaseRef != w.sealed.Ref || n.ReliefRef != r.Ref || n.Answered() {
		t.Fatalf("notice %+v, want due %v", n, want)
	}
	if last := r.Events[len(r.Events)-1]; last.NoticeID != n.ID || last.NoticeDue != n.Due || last.OrganID != w.police.ID {
		t.Fatalf("notice event %+v", last)
	}
	if other, _ := db.CorrectionNotices(w.court.ID); len(other) != 0 {
		t.Fatalf("the court sees the police's notice: %v", other)
	}
	if err := db.AnswerCorrection(n.ID, w.court.ID, "不是我们", w.sup.ID); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("another organ answers: %v", err)
	}
	if err := db.AnswerCorrection(n.ID, w.police.ID, " ", w.sup.ID); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("an empty answer: %v", err)
	}
	if err := db.AnswerCorrection(n.ID, w.police.ID, "已封存并通报学校", w.sup.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.AnswerCorrection(n.ID, w.police.ID, "again", w.sup.ID); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("answered twice: %v", err)
	}
	if got, _ := db.CorrectionNotice(n.ID); !got.Answered() || got.Answer != "已封存并通报学校" {
		t.Fatalf("answered notice %+v", got)
	}

	r = w.sup1(t, r.ID, portal.ReliefStep{Action: portal.ReliefClose, Note: "公安机关已封存，学校已恢复入学资格"})
	if r.Status != portal.ReliefClosed || r.Outcome != "公安机关已封存，学校已恢复入学资格" {
		t.Fatalf("closed %s %q", r.Status, r.Outcome)
	}
	if rows, total, _ := db.ReliefQueue(ReliefFilter{}); total != 0 {
		t.Fatalf("a closed request is still open: %v", rows)
	}
	if rows, total, _ := db.ReliefQueue(ReliefFilter{Status: portal.ReliefClosed}); total != 1 || !rows[0].Due.IsZero() {
		t.Fatalf("closed filter %v", rows)
	}

	// Notifications: question, message (the question), accepted, step, notice,
	// notice answered, closed — never for the applicant's own steps.
	list, _ := db.Notifications(w.minor.ID, 50)
	var keys []string
	for _, n := range list[:len(list)-unreadBefore] {
		keys = append(keys, n.Key)
		if n.Ref != r.Ref || n.CaseID != r.ID {
			t.Errorf("notification %+v", n)
		}
	}
	want := []string{"notify.relief.closed", "notify.relief.notice_answered", "notify.relief.notice", "notify.relief.step",
		"notify.relief.accepted", "notify.relief.info_requested"}
	if len(keys) != len(want) {
		t.Fatalf("notifications %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("notifications %v, want %v", keys, want)
		}
	}

	mine, err := db.ReliefOfAccount(w.minor.ID)
	if err != nil || len(mine) != 1 || mine[0].ID != r.ID {
		t.Fatalf("my relief %v %v", mine, err)
	}
	if theirs, _ := db.ReliefOfAccount(w.other.ID); len(theirs) != 0 {
		t.Fatalf("another's list %v", theirs)
	}

	// Everything survives a restart.
	db2 := reopenTestDB(t, db)
	got, err := db2.Relief(r.ID)
	if err != nil || got.Status != portal.ReliefClosed || len(got.Events) != len(r.Events) || got.UnitName != "演示市第一中学" {
		t.Fatalf("after reopen %+v %v", got.Status, err)
	}
}

// What the store refuses, whatever the handler let through.
func TestReliefRefusals(t *testing.T) {
	w := newReliefWorld(t)
	db := w.db
	code := func(err error) portal.Code {
		if err == nil {
			return ""
		}
		return portal.ErrorCode(err)
	}
	field := func(err error, f string) string {
		pe, _ := portal.AsError(err)
		if pe == nil {
			return ""
		}
		return pe.Fields[f]
	}

	// The linked case must be one of the applicant's own.
	if _, err := db.CreateReliefDraft(reliefAnswers(w.sealed.ID), w.other.ID); field(err, "linked_case") != "relief.linked_case_invalid" {
		t.Fatalf("another's case linked: %v", err)
	}
	if _, err := db.CreateReliefDraft(reliefAnswers(9999), w.minor.ID); field(err, "linked_case") != "relief.linked_case_invalid" {
		t.Fatalf("an unknown case linked: %v", err)
	}
	bad := reliefAnswers(0)
	bad.Remedies = nil
	if _, err := db.CreateReliefDraft(bad, w.minor.ID); field(err, "remedies") != "relief.remedies_required" {
		t.Fatalf("no remedy: %v", err)
	}

	// Only the filer touches a draft; a sent request is no longer editable.
	d, err := db.CreateReliefDraft(reliefAnswers(0), w.minor.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateReliefDraft(d.ID, w.other.ID, func(*portal.ReliefRequest) error { return nil }); code(err) != portal.CodeNotFound {
		t.Fatalf("another edits the draft: %v", err)
	}
	if _, err := db.ReliefForSupervisor(d.ID, w.sup, portal.FreshFactor{}, ""); code(err) != portal.CodeNotFound {
		t.Fatalf("the supervisor reads a draft: %v", err)
	}
	if _, err := db.ApplyRelief(d.ID, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: w.other.ID}, w.cal); code(err) != portal.CodeNotFound {
		t.Fatalf("another submits the draft: %v", err)
	}
	files := make([][]byte, portal.MaxDocumentsPerCase+1)
	docs := make([]portal.Document, len(files))
	for i := range files {
		files[i], docs[i] = []byte("%PDF-x"), portal.Document{Name: "a.pdf", MediaType: portal.MediaPDF}
	}
	if _, err := db.AddReliefDocuments(d.ID, w.minor.ID, docs, files); field(err, "file") == "" {
		t.Fatalf("21 files: %v", err)
	}

	r := w.submitted(t, 0)
	if _, err := db.UpdateReliefDraft(r.ID, w.minor.ID, func(*portal.ReliefRequest) error { return nil }); code(err) != portal.CodeConflict {
		t.Fatalf("edit after sending: %v", err)
	}
	step := func(a portal.ReliefAction, st portal.ReliefStep) error {
		st.Action, st.Actor = a, portal.ReliefActorSupervisor
		_, err := db.ApplyRelief(r.ID, ReliefStep{ReliefStep: st, AccountID: w.sup.ID, Role: portal.RoleSupervisor}, w.cal)
		return err
	}
	if err := step(portal.ReliefClose, portal.ReliefStep{Note: "x"}); code(err) != portal.CodeConflict {
		t.Fatalf("close before accepting: %v", err)
	}
	if err := step(portal.ReliefDecline, portal.ReliefStep{}); field(err, "note") != "relief.reason_required" {
		t.Fatalf("decline without a reason: %v", err)
	}
	if err := step(portal.ReliefAccept, portal.ReliefStep{}); err != nil {
		t.Fatal(err)
	}
	if err := step(portal.ReliefIssueNotice, portal.ReliefStep{OrganID: w.police.ID, Note: "x"}); code(err) != portal.CodeConflict {
		t.Fatalf("a notice without a linked case: %v", err)
	}
	if err := step(portal.ReliefRecordStep, portal.ReliefStep{Kind: portal.StepRecordSealed, OrganID: 9999, Note: "x"}); field(err, "organ") == "" {
		t.Fatalf("an unknown organ: %v", err)
	}
	if err := step(portal.ReliefClose, portal.ReliefStep{}); field(err, "note") != "relief.outcome_required" {
		t.Fatalf("close without an outcome: %v", err)
	}
	// Another person's message on the request is refused like a missing one.
	if _, err := db.AddReliefMessage(portal.ReliefMessage{ReliefID: r.ID, From: w.other.ID, FromRole: portal.RoleMinor, Text: "hi"}, nil, w.cal); code(err) != portal.CodeNotFound {
		t.Fatalf("another's message: %v", err)
	}
	if _, err := db.ApplyRelief(r.ID, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefWithdraw, Actor: portal.ReliefActorApplicant},
		AccountID: w.minor.ID}, w.cal); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyRelief(r.ID, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefWithdraw, Actor: portal.ReliefActorApplicant},
		AccountID: w.minor.ID}, w.cal); code(err) != portal.CodeConflict {
		t.Fatalf("withdraw twice: %v", err)
	}
	if _, err := db.AddReliefMessage(portal.ReliefMessage{ReliefID: r.ID, From: w.minor.ID, FromRole: portal.RoleMinor, Text: "hi"}, nil, w.cal); code(err) != portal.CodeConflict {
		t.Fatalf("a message after withdrawal: %v", err)
	}
}

// Overdue requests come first in the queue and are found by the overdue
// filter; a request past its deadline is flagged until it is finished.
func TestReliefQueueOverdue(t *testing.T) {
	w := newReliefWorld(t)
	first := w.submitted(t, 0)
	w.advance(7 * 24 * time.Hour)
	second := w.submitted(t, 0)
	if rows, _, _ := w.db.ReliefQueue(ReliefFilter{OverdueOnly: true}); len(rows) != 0 {
		t.Fatalf("overdue too early: %v", rows)
	}
	w.advance(16 * 24 * time.Hour) // 25 March: the first is due 23 March
	rows, total, err := w.db.ReliefQueue(ReliefFilter{OverdueOnly: true})
	if err != nil || total != 1 || rows[0].ID != first.ID {
		t.Fatalf("overdue %v %d %v", rows, total, err)
	}
	rows, total, _ = w.db.ReliefQueue(ReliefFilter{Limit: 1})
	if total != 2 || len(rows) != 1 || rows[0].ID != first.ID {
		t.Fatalf("first page %v %d", rows, total)
	}
	rows, _, _ = w.db.ReliefQueue(ReliefFilter{Offset: 1, Limit: 1})
	if len(rows) != 1 || rows[0].ID != second.ID {
		t.Fatalf("second page %v", rows)
	}
	if _, err := w.db.ReliefForSupervisor(first.ID, w.sup, portal.FreshFactor{}, "req"); err != nil {
		t.Fatal(err)
	}
}

// A supervisor's read of a request linked to a sealing case is in the audit
// log (R17); one without a link tells of no sealed record.
func TestReliefSupervisorReadAudited(t *testing.T) {
	w := newReliefWorld(t)
	linked := w.submitted(t, w.sealed.ID)
	plain := w.submitted(t, 0)
	count := func() int {
		evs, err := w.db.AuditEntries(0, 10000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Action == portal.AuditSealedRead && e.SubjectID == w.sealed.ID && e.ActorID == w.sup.ID {
				n++
			}
		}
		return n
	}
	before := count()
	if _, err := w.db.ReliefForSupervisor(plain.ID, w.sup, portal.FreshFactor{}, "r1"); err != nil {
		t.Fatal(err)
	}
	if count() != before {
		t.Fatal("a read of an unlinked request was audited as a sealed read")
	}
	if _, err := w.db.ReliefForSupervisor(linked.ID, w.sup, portal.FreshFactor{}, "r2"); err != nil {
		t.Fatal(err)
	}
	if count() != before+1 {
		t.Fatal("the read of a linked request is not in the audit log")
	}
}

// What the applicant wrote, the evidence and the notice never reach the file
// in clear.
func TestReliefEncryptedAtRest(t *testing.T) {
	rest := watchAtRest(t)
	w := newReliefWorld(t)
	r, err := w.db.CreateReliefDraft(reliefAnswers(w.sealed.ID), w.minor.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddReliefDocuments(r.ID, w.minor.ID, []portal.Document{{Name: "e.pdf", MediaType: portal.MediaPDF}},
		[][]byte{[]byte("%PDF-1.4 SECRET-EVIDENCE-42")}); err != nil {
		t.Fatal(err)
	}
	r = w.submitted(t, 0) // a second one, to have one sent
	r, _ = w.db.CreateReliefDraft(reliefAnswers(w.sealed.ID), w.minor.ID)
	if _, err := w.db.ApplyRelief(r.ID, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: w.minor.ID}, w.cal); err != nil {
		t.Fatal(err)
	}
	w.sup1(t, r.ID, portal.ReliefStep{Action: portal.ReliefAccept})
	w.sup1(t, r.ID, portal.ReliefStep{Action: portal.ReliefIssueNotice, OrganID: w.police.ID, Note: "NOTICE-TEXT-SECRET"})
	path := w.db.Path()
	w.db.Close()
	assertNoUTF8AtRest(t, rest, path, nil, "relief", []string{"演示市第一中学", "学校查到了已封存的记录", "SECRET-EVIDENCE-42", "NOTICE-TEXT-SECRET"})
}

// Migration 4 creates every bucket the relief store uses.
func TestMigration4ReliefBuckets(t *testing.T) {
	db := newTestDB(t)
	err := db.view(func(tx kv.Tx) error {
		for _, b := range reliefBuckets() {
			if tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing", b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
