package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// awaitingFixture is a store on 29 December 2027 with one filed case whose
// acceptance deadline waits for 2028, and stale rows of both awaiting
// indexes (records gone since) beyond several batches.
func awaitingFixture(t *testing.T) (*DB, portal.Case) {
	t.Helper()
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2027, 12, 29, 10, 0, 0, 0, portal.China))
	db.now = clock
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
	if c, err = db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: minor.ID}, portal.DefaultCalendar()); err != nil || !c.DueAwaitsCalendar {
		t.Fatalf("filing: %v, awaits %v", err, c.DueAwaitsCalendar)
	}
	row, err := json.Marshal(awaitingDeadline{From: dec29, Deadline: portal.Policy.ApplicationAcceptance.Key})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.update(func(tx kv.Tx) error {
		for i := range staleAwaiting {
			id := uint64(1_000_000 + i)
			if err := tx.Bucket(bucketCasesAwaitingCalendar).Put(itob(id), nil); err != nil {
				return err
			}
			if err := tx.Bucket(bucketDeadlinesAwaitingCalendar).Put(awaitingKey(kindRelief, id), row); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return db, c
}

const staleAwaiting = 1203

// wantAwaitingDone checks that the case's deadline is set and both indexes
// and the resume mark are empty.
func wantAwaitingDone(t *testing.T, db *DB, c portal.Case) {
	t.Helper()
	got, err := db.Case(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (portal.Date{Year: 2028, Month: 1, Day: 3}); got.Due != want || got.DueAwaitsCalendar {
		t.Errorf("due %v awaits %v, want %v", got.Due, got.DueAwaitsCalendar, want)
	}
	if err := db.view(func(tx kv.Tx) error {
		if n := tx.Bucket(bucketCasesAwaitingCalendar).KeyN(); n != 0 {
			t.Errorf("%d cases still indexed as waiting", n)
		}
		if n := tx.Bucket(bucketDeadlinesAwaitingCalendar).KeyN(); n != 0 {
			t.Errorf("%d records still indexed as waiting", n)
		}
		if tx.Bucket(bucketMeta).Get(keyCalendarRecompute) != nil {
			t.Error("the recompute mark is still set")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Issue 15: loading a calendar year sets the deadlines that waited for it in
// bounded batches, not in the transaction that stores the year; the
// administrator is told the same count.
func TestCalendarRecomputeInBatches(t *testing.T) {
	t.Parallel()
	db, c := awaitingFixture(t)
	y, raw := year2028(t)
	spy := spyBatches(db)
	n, err := db.PutCalendarYear(y, raw, 42)
	if err != nil || n != 1 {
		t.Fatalf("PutCalendarYear = %d, %v; want the one case", n, err)
	}
	wantBatches(t, spy, bucketCasesAwaitingCalendar, staleAwaiting+1)
	wantBatches(t, spy, bucketDeadlinesAwaitingCalendar, staleAwaiting)
	if need := 1 + 2*((staleAwaiting+jobBatch)/jobBatch); spy.updates < need {
		t.Errorf("%d write transactions, want at least %d", spy.updates, need)
	}
	wantAwaitingDone(t, db, c)
}

// A crash after the year is stored and one batch is done: the next start
// finishes the count.
func TestCalendarRecomputeResumesAfterACrash(t *testing.T) {
	t.Parallel()
	db, c := awaitingFixture(t)
	y, raw := year2028(t)
	spy := spyBatches(db)
	spy.failAt = 3 // the year, one batch of cases, then the crash
	if _, err := db.PutCalendarYear(y, raw, 42); !errors.Is(err, errSpyCrash) {
		t.Fatalf("PutCalendarYear: %v", err)
	}
	if err := db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketMeta).Get(keyCalendarRecompute) == nil {
			t.Error("no recompute mark after the crash")
		}
		if n := tx.Bucket(bucketCasesAwaitingCalendar).KeyN(); n != staleAwaiting+1-jobBatch {
			t.Errorf("%d cases indexed after one batch, want %d", n, staleAwaiting+1-jobBatch)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db = reopenTestDB(t, db)
	wantAwaitingDone(t, db, c)
}
