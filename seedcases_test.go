package main

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// seed -n fills queues with cases in every state, overdue ones included, and
// links the demo lawyer to his clients, without breaking the audit log.
func TestSeedCases(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "p.db"), store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := seed(db, portal.NewPasswordHasher(portal.MinimumArgon2), io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := seedCases(db, portal.DefaultCalendar(), 450, func() time.Time { return time.Date(2026, 5, 12, 9, 0, 0, 0, portal.China) }, io.Discard); err != nil {
		t.Fatal(err)
	}
	lawyer, err := db.AccountByLogin("19900000003")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := db.CasesOfAccount(lawyer.ID)
	if err != nil || len(cases) != 200 {
		t.Fatalf("lawyer has %d cases (%v), want 200", len(cases), err)
	}
	statuses := map[portal.CaseStatus]int{}
	for _, c := range cases {
		statuses[c.Case.Status]++
		if _, ok := c.Case.Facts(); !ok {
			t.Fatalf("case %s has incomplete facts", c.Case.Ref)
		}
	}
	// Every status of the application procedure (unsealing statuses arise
	// only from later events).
	for _, st := range []portal.CaseStatus{portal.StatusDraft, portal.StatusSubmitted, portal.StatusReturned, portal.StatusAccepted,
		portal.StatusUnderReview, portal.StatusSealed, portal.StatusRejected, portal.StatusCompleted, portal.StatusWithdrawn} {
		if statuses[st] == 0 {
			t.Errorf("no %s case seeded: %v", st, statuses)
		}
	}
	court, err := db.AccountByLogin("court-demo")
	if err != nil {
		t.Fatal(err)
	}
	if _, total, err := db.Queue(court.OrganID, store.QueueFilter{}); err != nil || total == 0 {
		t.Fatalf("court queue total %d, %v", total, err)
	}
	rep, err := db.VerifyAudit()
	if err != nil || !rep.OK {
		t.Fatalf("audit after seeding: %+v %v", rep, err)
	}
}
