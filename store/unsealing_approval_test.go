package store

import (
	"slices"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
)

// approveUnsealingForTest approves the unsealing waiting on a case as a
// second official (account 6) of the deciding organ.
func approveUnsealingForTest(t *testing.T, db *DB, caseID, organ uint64, cal *portal.Calendar) portal.Case {
	t.Helper()
	_, c, err := db.DecideUnsealingApproval(caseID, UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalUnseal}},
		Step{AccountID: 6, Role: portal.RoleCourt, OrganID: organ, RequestID: "approve"}, cal)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return c
}

func unsealOver(legal string) portal.UnsealingRecord {
	return portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: portal.UnsealingNewCrime, ActDate: portal.Date{Year: 2024, Month: 2, Day: 1},
		CombinedMonths: 72}, LegalBasis: legal}
}

// Issue 18, R18: recorded by one official, approved by another of the same
// organ, confirmed by every holder; the document goes out on approval, the
// open list and the queues follow each step.
func TestUnsealingTwoStepStore(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	recorder := Step{AccountID: 5, Role: portal.RoleCourt, OrganID: w.court.ID, RequestID: "rec"}
	second := Step{AccountID: 6, Role: portal.RoleCourt, OrganID: w.court.ID, RequestID: "app"}
	approve := UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalUnseal, Reasons: "核对判决无误"}}

	if _, _, err := db.DecideUnsealingApproval(w.cs.ID, approve, second, w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("nothing to approve: %v", err)
	}
	rec, cs, err := db.RecordUnsealingEvent(w.cs.ID, unsealOver("（2026）演刑初字第3号判决"), recorder, w.cal)
	if err != nil || cs.Status != portal.StatusUnsealingApproval || !rec.AwaitsApproval() || !cs.Status.RecordSealed() {
		t.Fatalf("recorded: %s %+v %v", cs.Status, rec, err)
	}
	if docs, _ := db.LegalDocumentsOfCase(w.cs.ID); len(docs) != 0 {
		t.Fatalf("a document before approval: %d", len(docs))
	}
	open, err := db.OpenUnsealings()
	if err != nil || len(open) != 1 || open[0].Status != portal.StatusUnsealingApproval || open[0].Record.ID != rec.ID {
		t.Fatalf("open %+v %v", open, err)
	}
	// Refused: the recorder himself, another organ, a missing verdict, a
	// rejection without reasons; nothing changes.
	refused := []struct {
		name string
		d    UnsealingDecision
		st   Step
		want portal.Code
	}{
		{"self-approval", approve, recorder, portal.CodeForbidden},
		{"another organ", approve, Step{AccountID: 9, Role: portal.RolePolice, OrganID: w.police.ID}, portal.CodeNotFound},
		{"no verdict", UnsealingDecision{}, second, portal.CodeInvalid},
		{"reject without reasons", UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalReject}}, second, portal.CodeInvalid},
		{"unknown citation", UnsealingDecision{Approval: approve.Approval, Citations: []string{"nope"}}, second, portal.CodeInvalid},
	}
	for _, tt := range refused {
		if _, _, err := db.DecideUnsealingApproval(w.cs.ID, tt.d, tt.st, w.cal); portal.ErrorCode(err) != tt.want {
			t.Errorf("%s: %v; want %s", tt.name, err, tt.want)
		}
	}
	if c, _ := db.Case(w.cs.ID); c.Status != portal.StatusUnsealingApproval {
		t.Fatalf("a refused decision changed the case: %s", c.Status)
	}
	// Nor can the recorder get round it through an ordinary step.
	if _, err := db.Apply(w.cs.ID, Step{Action: portal.ActionUnseal, Actor: portal.ActorApprover, AccountID: 5, OrganID: w.court.ID}, w.cal); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("self-approval through Apply: %v", err)
	}

	rec, cs, err = db.DecideUnsealingApproval(w.cs.ID, approve, second, w.cal)
	if err != nil || cs.Status != portal.StatusUnsealing || !rec.Unsealed() || rec.Approval.By != 6 || cs.Status.RecordSealed() {
		t.Fatalf("approved: %s %+v %v", cs.Status, rec, err)
	}
	docs, err := db.LegalDocumentsOfCase(w.cs.ID)
	if err != nil || len(docs) != 1 || docs[0].Kind != portal.DocUnsealingDecision || docs[0].OrganID != w.court.ID {
		t.Fatalf("documents %+v %v", docs, err)
	}
	d := docs[0]
	if !d.Addressed(portal.RecipientPerson, 0) || !d.Addressed(portal.RecipientOrgan, w.police.ID) || len(d.Citations) == 0 {
		t.Fatalf("document recipients %+v citations %v", d.Recipients, d.Citations)
	}
	if _, _, err := db.DecideUnsealingApproval(w.cs.ID, approve, second, w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("approved twice: %v", err)
	}
	// Every holder has the unsealing in its queue, and its card says it may
	// confirm it (the bulk form's check box).
	for _, o := range []uint64{w.court.ID, w.police.ID} {
		rows, _, err := db.Queue(o, QueueFilter{Status: portal.StatusUnsealing})
		if err != nil || !slices.ContainsFunc(rows, func(r QueueRow) bool { return r.CaseID == w.cs.ID }) {
			t.Fatalf("organ %d queue %+v %v", o, rows, err)
		}
		if ok, _ := db.BulkConfirmable(o, []uint64{w.cs.ID}); !ok[w.cs.ID] {
			t.Fatalf("organ %d may not confirm", o)
		}
	}
	// Each holder is notified.
	if n, _, _ := db.StaffNotifications(w.officer, 10); !slices.ContainsFunc(n, func(x StaffNotification) bool { return x.Key == NotifyStaffUnsealed }) {
		t.Fatalf("police not notified: %+v", n)
	}
	open, _ = db.OpenUnsealings()
	if len(open) != 1 || len(open[0].Pending) != 2 {
		t.Fatalf("open after approval %+v", open)
	}
	// The police confirm; the court is still to; twice is refused; an organ
	// holding nothing is refused.
	if cs, err = db.Apply(w.cs.ID, Step{Action: portal.ActionConfirmUnsealed, Actor: portal.ActorHolder, AccountID: w.officer.ID, OrganID: w.police.ID}, w.cal); err != nil || cs.Status != portal.StatusUnsealing {
		t.Fatalf("police confirm: %s %v", cs.Status, err)
	}
	if _, err := db.Apply(w.cs.ID, Step{Action: portal.ActionConfirmUnsealed, Actor: portal.ActorHolder, OrganID: w.police.ID}, w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("confirmed twice: %v", err)
	}
	if _, err := db.Apply(w.cs.ID, Step{Action: portal.ActionConfirmUnsealed, Actor: portal.ActorHolder, OrganID: 999}, w.cal); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("a stranger confirms: %v", err)
	}
	if ok, _ := db.BulkConfirmable(w.police.ID, []uint64{w.cs.ID}); ok[w.cs.ID] {
		t.Fatal("the police may confirm again")
	}
	if open, _ = db.OpenUnsealings(); len(open) != 1 || len(open[0].Pending) != 1 || open[0].Pending[0] != w.court.ID {
		t.Fatalf("pending after the police %+v", open)
	}
	// The last holder: the unsealing is over, off the open list and the queues.
	if cs, err = db.Apply(w.cs.ID, Step{Action: portal.ActionConfirmUnsealed, Actor: portal.ActorHolder, OrganID: w.court.ID}, w.cal); err != nil || cs.Status != portal.StatusUnsealed {
		t.Fatalf("last confirm: %s %v", cs.Status, err)
	}
	if last := cs.Events[len(cs.Events)-1]; last.Action != portal.ActionCompleteUnsealing {
		t.Fatalf("last event %+v", last)
	}
	if open, _ = db.OpenUnsealings(); len(open) != 0 {
		t.Fatalf("still open %+v", open)
	}
	if rows, _, _ := db.Queue(w.police.ID, QueueFilter{}); slices.ContainsFunc(rows, func(r QueueRow) bool { return r.CaseID == w.cs.ID }) {
		t.Fatal("still in the police queue")
	}
	// The audit log has the approval with its verdict.
	events, err := db.AuditBySubject(kindCase, w.cs.ID)
	if err != nil || !slices.ContainsFunc(events, func(e portal.AuditEvent) bool {
		return e.Action == portal.AuditUnsealingApproved && e.Detail == string(portal.ApprovalUnseal) && e.ActorID == 6
	}) {
		t.Errorf("no audit entry of the approval: %v", err)
	}
}

// Issue 18: a rejected unsealing leaves the record sealed, the case where it
// was, and no document; a completed case is completed again.
func TestUnsealingRejected(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	recorder := Step{AccountID: 5, Role: portal.RoleCourt, OrganID: w.court.ID}
	if _, _, err := db.RecordUnsealingEvent(w.cs.ID, unsealOver("判决"), recorder, w.cal); err != nil {
		t.Fatal(err)
	}
	before, _, _ := db.StaffNotifications(w.officer, 50)
	rec, cs, err := db.DecideUnsealingApproval(w.cs.ID, UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalReject, Reasons: "判决尚未生效"}},
		Step{AccountID: 6, Role: portal.RoleCourt, OrganID: w.court.ID}, w.cal)
	if err != nil || cs.Status != portal.StatusCompleted || !rec.Rejected() || rec.Unsealed() || !cs.Status.RecordSealed() {
		t.Fatalf("rejected: %s %+v %v", cs.Status, rec, err)
	}
	if docs, _ := db.LegalDocumentsOfCase(w.cs.ID); len(docs) != 0 {
		t.Fatalf("a document for a rejected unsealing: %d", len(docs))
	}
	if open, _ := db.OpenUnsealings(); len(open) != 0 {
		t.Fatalf("open after rejection %+v", open)
	}
	// The holders are not told to seal again.
	if after, _, _ := db.StaffNotifications(w.officer, 50); len(after) != len(before) {
		t.Fatalf("holders notified of a rejection: %d -> %d", len(before), len(after))
	}
	// A new event may be recorded afterwards.
	if _, cs, err = db.RecordUnsealingEvent(w.cs.ID, unsealOver("另一判决"), recorder, w.cal); err != nil || cs.Status != portal.StatusUnsealingApproval {
		t.Fatalf("recorded again: %s %v", cs.Status, err)
	}
}

// Issue 18: a case whose organs hold nothing is unsealed at once on
// approval; an approved review follows the same two steps.
func TestUnsealingReviewThenApproval(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	recorder := Step{AccountID: 5, Role: portal.RoleCourt, OrganID: w.court.ID}
	ev := unsealOver("判决")
	ev.Event.CombinedMonths = 60
	if _, cs, err := db.RecordUnsealingEvent(w.cs.ID, ev, recorder, w.cal); err != nil || cs.Status != portal.StatusUnsealingReview {
		t.Fatalf("referred: %s %v", cs.Status, err)
	}
	if _, _, err := db.DecideUnsealingReview(w.cs.ID, portal.UnsealingReview{Verdict: portal.VerdictConfirmUnsealing, Reasons: "按SPP规则"},
		Step{AccountID: 50, Role: portal.RoleSupervisor}, w.cal); err != nil {
		t.Fatal(err)
	}
	// The recorder is still the recorder after the supervisor's step.
	if _, _, err := db.DecideUnsealingApproval(w.cs.ID, UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalUnseal}}, recorder, w.cal); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("recorder approves after review: %v", err)
	}
	cs := approveUnsealingForTest(t, db, w.cs.ID, w.court.ID, w.cal)
	if cs.Status != portal.StatusUnsealing || len(cs.PendingUnsealHolders()) != 2 {
		t.Fatalf("approved: %s %v", cs.Status, cs.PendingUnsealHolders())
	}
	recs, _ := db.UnsealingsOfCase(w.cs.ID)
	if len(recs) != 1 || !recs[0].Unsealed() || recs[0].Review == nil || recs[0].Approval == nil {
		t.Fatalf("record %+v", recs)
	}
}

// The migration that adds the open unsealings' index creates it, and
// running it twice changes nothing.
func TestMigrationUnsealingOpen(t *testing.T) {
	var m migration
	for _, mm := range migrations {
		if mm.name == migrationUnsealingOpenName {
			m = mm
		}
	}
	if m.apply == nil {
		t.Fatal("migration not in the list")
	}
	b := applyUpTo(t, m.version-1)
	for range 2 {
		if err := b.Update(m.apply); err != nil {
			t.Fatal(err)
		}
	}
	_ = b.View(func(tx kv.Tx) error {
		if tx.Bucket(bucketUnsealingOpen) == nil {
			t.Error("bucket missing")
		}
		return nil
	})
}
