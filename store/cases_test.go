package store

import (
	"testing"
	"time"

	"sealportal/portal"
)

// fixedClock returns a clock that tests can move.
func fixedClock(t time.Time) (portal.Clock, func(time.Duration)) {
	now := t
	return func() time.Time { return now }, func(d time.Duration) { now = now.Add(d) }
}

func completeDraft(t *testing.T, db *DB, filer portal.Account, court, police portal.Organ) portal.Case {
	t.Helper()
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(filer.Role)}, filer.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err = db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName = "测试人"
		c.PersonIDNumber = portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String()
		c.DecidingOrganID, c.OrganCaseNumber = court.ID, "(2023)演刑初字第1号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2023, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 36}
		c.HoldingOrganIDs = []uint64{court.ID, police.ID}
		c.DeclaredTrue = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: "x.pdf", MediaType: portal.MediaPDF, UploadedBy: filer.ID}, []byte("%PDF-1.4 test")); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// A case walks the whole procedure; queues, the overdue list, notifications
// and the timeline follow each step.
func TestCaseProcedure(t *testing.T) {
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)) // a Monday
	db.now = clock
	cal := portal.DefaultCalendar()
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		t.Fatal(err)
	}
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	minor, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000001", Name: "测试人", Mobile: "13800000001",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := completeDraft(t, db, minor, court, police)
	step := func(a portal.CaseAction, who portal.Actor, organ uint64, want portal.CaseStatus) portal.Case {
		t.Helper()
		got, err := db.Apply(c.ID, Step{Action: a, Actor: who, OrganID: organ, AccountID: 99, Note: "n", Rules: []string{"R2"}}, cal)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if got.Status != want {
			t.Fatalf("%s: status %s, want %s", a, got.Status, want)
		}
		return got
	}
	c = step(portal.ActionSubmit, portal.ActorApplicant, 0, portal.StatusSubmitted)
	if c.Ref != "FC-2026-000001" {
		t.Errorf("reference %q", c.Ref)
	}
	// Acceptance within 3 working days of Monday 2 March: Thursday 5 March.
	if want := (portal.Date{Year: 2026, Month: 3, Day: 5}); c.Due != want {
		t.Errorf("due %v, want %v", c.Due, want)
	}
	rows, total, err := db.Queue(court.ID, QueueFilter{})
	if err != nil || total != 1 || rows[0].Ref != c.Ref {
		t.Fatalf("court queue %v %d %v", rows, total, err)
	}
	advance(5 * 24 * time.Hour) // Saturday 7 March: overdue
	over, n, _ := db.Overdue(0, 50)
	if n != 1 || over[0].CaseID != c.ID {
		t.Fatalf("overdue %v %d", over, n)
	}
	if rows, _, _ := db.Queue(court.ID, QueueFilter{OverdueOnly: true}); len(rows) != 1 {
		t.Fatalf("overdue queue %v", rows)
	}
	c = step(portal.ActionAccept, portal.ActorDecider, court.ID, portal.StatusAccepted)
	if over, n, _ := db.Overdue(0, 50); n != 0 {
		t.Fatalf("still overdue after acceptance: %v", over)
	}
	c = step(portal.ActionStartReview, portal.ActorDecider, court.ID, portal.StatusUnderReview)
	c = step(portal.ActionSeal, portal.ActorDecider, court.ID, portal.StatusSealed)
	if rows, _, _ := db.Queue(police.ID, QueueFilter{}); len(rows) != 1 || rows[0].Role != "holder" {
		t.Fatalf("police queue %v", rows)
	}
	if _, err := db.Apply(c.ID, Step{Action: portal.ActionConfirm, Actor: portal.ActorHolder, OrganID: 12345}, cal); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("confirm by a non-holder: %v", err)
	}
	c = step(portal.ActionConfirm, portal.ActorHolder, court.ID, portal.StatusSealed)
	c = step(portal.ActionConfirm, portal.ActorHolder, police.ID, portal.StatusCompleted)
	if last := c.Events[len(c.Events)-1]; last.Action != portal.ActionComplete {
		t.Fatalf("last event %v", last)
	}
	if rows, _, _ := db.Queue(police.ID, QueueFilter{}); len(rows) != 0 {
		t.Fatalf("police queue after completion %v", rows)
	}
	n, err = db.UnreadCount(minor.ID)
	if err != nil || n != 7 {
		t.Fatalf("unread %d %v, want 7 (one per step; the last confirmation and completion are two)", n, err)
	}
	// The whole case is ciphertext in the file.
	db2 := reopenTestDB(t, db)
	got, err := db2.Case(c.ID)
	if err != nil || got.Status != portal.StatusCompleted || got.PersonName != "测试人" {
		t.Fatalf("after reopen %+v %v", got.Status, err)
	}
}
