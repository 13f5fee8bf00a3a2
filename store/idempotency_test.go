package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// unknownEngine answers the next armed write transactions as a server engine
// whose connection died during COMMIT: commit (the transaction was saved) or
// not (it was rolled back), and answer kv.ErrOutcomeUnknown either way.
type unknownEngine struct {
	kv.Engine
	mode atomic.Int32 // 0: pass; 1: commit then unknown; 2: roll back then unknown
}

const (
	unknownCommitted  = 1
	unknownRolledBack = 2
)

var errLostCommit = errors.New("test: the connection died during COMMIT")

func (e *unknownEngine) write(ctx context.Context, run func(context.Context, func(kv.Tx) error) error, fn func(kv.Tx) error) error {
	switch e.mode.Swap(0) {
	case unknownCommitted:
		if err := run(ctx, fn); err != nil {
			return err
		}
		return fmt.Errorf("test: commit: %w: %w", kv.ErrOutcomeUnknown, errLostCommit)
	case unknownRolledBack:
		_ = run(ctx, func(tx kv.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			return errLostCommit // roll back what fn wrote
		})
		return fmt.Errorf("test: commit: %w: %w", kv.ErrOutcomeUnknown, errLostCommit)
	}
	return run(ctx, fn)
}

func (e *unknownEngine) Update(ctx context.Context, fn func(kv.Tx) error) error {
	return e.write(ctx, e.Engine.Update, fn)
}

func (e *unknownEngine) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	return e.write(ctx, e.Engine.Batch, fn)
}

func draftsOf(t *testing.T, db *DB, account uint64) int {
	t.Helper()
	list, err := db.CasesOfAccount(account)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// Issue 14, design §6.8: a write whose commit may or may not have happened is
// reported as outcome unknown (never as a plain failure), and a retry with the
// same submission id creates nothing more and names what the first one
// created; ids are the account's own, and a submission that was not saved is
// saved by its retry.
func TestSubmissionRetryAfterUnknownCommit(t *testing.T) {
	db := newTestDB(t)
	eng := &unknownEngine{Engine: db.eng}
	db.eng = eng
	const alice, bob = 41, 42
	id := "AAAAAAAAAAAAAAAAAAAAAA"
	if !ValidSubmissionID(id) {
		t.Fatal("the test's id is not valid")
	}

	eng.mode.Store(unknownCommitted)
	_, err := db.Submission(alice, id).CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, alice)
	if !IsOutcomeUnknown(err) {
		t.Fatalf("a lost commit answered %v, want outcome unknown", err)
	}
	if pe, ok := portal.AsError(err); !ok || pe.Key != KeyOutcomeUnknown || pe.Code != portal.CodeInternal {
		t.Fatalf("a lost commit answered %#v, want the domain error %s", err, KeyOutcomeUnknown)
	}
	if n := draftsOf(t, db, alice); n != 1 {
		t.Fatalf("%d drafts after the committed attempt, want 1", n)
	}
	first, _ := db.CasesOfAccount(alice)

	// The retry: nothing new, and the answer names the draft.
	for range 2 {
		_, err = db.Submission(alice, id).CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, alice)
		d, ok := AsDone(err)
		if !ok || d.Kind != SubmissionDraft || d.ID != first[0].Case.ID {
			t.Fatalf("the retry answered %v (%+v), want the draft %d", err, d, first[0].Case.ID)
		}
		if n := draftsOf(t, db, alice); n != 1 {
			t.Fatalf("%d drafts after the retry, want 1", n)
		}
	}
	if d, ok, err := db.SubmissionDone(alice, id); err != nil || !ok || d.ID != first[0].Case.ID {
		t.Fatalf("SubmissionDone = %+v %v %v", d, ok, err)
	}

	// Another account's id of the same spelling is its own.
	if _, err := db.Submission(bob, id).CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, bob); err != nil {
		t.Fatal(err)
	}
	if n := draftsOf(t, db, bob); n != 1 {
		t.Fatalf("bob has %d drafts, want 1", n)
	}

	// An attempt that was rolled back after all: its retry saves it, once.
	id2 := "BBBBBBBBBBBBBBBBBBBBBB"
	eng.mode.Store(unknownRolledBack)
	if _, err := db.Submission(alice, id2).CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, alice); !IsOutcomeUnknown(err) {
		t.Fatalf("a lost commit answered %v", err)
	}
	if n := draftsOf(t, db, alice); n != 1 {
		t.Fatalf("%d drafts after the rolled-back attempt, want 1", n)
	}
	if _, ok, _ := db.SubmissionDone(alice, id2); ok {
		t.Fatal("a rolled-back submission is remembered")
	}
	if _, err := db.Submission(alice, id2).CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Submission(alice, id2).CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, alice); err == nil {
		t.Fatal("the second retry created again")
	}
	if n := draftsOf(t, db, alice); n != 2 {
		t.Fatalf("%d drafts after the retries, want 2", n)
	}

	// Without a valid id there is no check: each call creates.
	for _, bad := range []string{"", "short", "AAAAAAAAAAAAAAAAAAAAA!", "AAAAAAAAAAAAAAAAAAAAAAA"} {
		if db.Submission(alice, bad) != db {
			t.Errorf("Submission(%q) is not the plain store", bad)
		}
	}
	if db.Submission(0, id) != db {
		t.Error("Submission without an account is not the plain store")
	}
	if rep, err := db.VerifyAudit(); err != nil || !rep.OK {
		t.Fatalf("audit: %+v %v", rep, err)
	}
}

// A message sent again with the same submission id after an unknown commit
// is not added twice.
func TestSubmissionMessageOnce(t *testing.T) {
	db := newTestDB(t)
	eng := &unknownEngine{Engine: db.eng}
	db.eng = eng
	const alice = 41
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, alice)
	if err != nil {
		t.Fatal(err)
	}
	id := "CCCCCCCCCCCCCCCCCCCCCC"
	msg := portal.Message{CaseID: c.ID, From: alice, FromRole: portal.RoleMinor, Text: "请尽快处理"}
	eng.mode.Store(unknownCommitted)
	if _, err := db.Submission(alice, id).AddMessage(msg, nil); !IsOutcomeUnknown(err) {
		t.Fatalf("a lost commit answered %v", err)
	}
	_, err = db.Submission(alice, id).AddMessage(msg, nil)
	if d, ok := AsDone(err); !ok || d.Kind != SubmissionMessage || d.ID != c.ID {
		t.Fatalf("the retry answered %v", err)
	}
	msgs, err := db.Messages(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
}

// The migration that adds the bucket of submission ids creates it, and
// running it twice changes nothing.
func TestMigrationSubmissions(t *testing.T) {
	var m migration
	for _, mm := range migrations {
		if mm.name == migrationSubmissionsName {
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
	err := b.View(func(tx kv.Tx) error {
		for _, name := range [][]byte{bucketSubmissions, bucketLeakReceipts} {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A sent leak report leaves a sealed receipt under its browser's draft token
// for an hour: a retry from that browser after a commit of unknown outcome
// gets the same reference number and tracking code; another token gets
// nothing; after the hour the receipt answers nothing and the next report
// purges it. The code is never in the bucket in clear.
func TestLeakReceipt(t *testing.T) {
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	db.now = clock
	seen := portal.Date{Year: 2026, Month: 3, Day: 1}
	r, code := sendLeak(t, db, leakInput(seen), "browser-receipt-1")
	got, gotCode, ok, err := db.LeakReceipt("browser-receipt-1")
	if err != nil || !ok || got.ID != r.ID || got.Ref != r.Ref || gotCode != code {
		t.Fatalf("receipt = %+v %q %v %v, want %s %s", got.Ref, gotCode, ok, err, r.Ref, code)
	}
	for _, other := range []string{"", "browser-receipt-2"} {
		if _, _, ok, err := db.LeakReceipt(other); ok || err != nil {
			t.Fatalf("receipt of %q: %v %v", other, ok, err)
		}
	}
	count := func() (n int) {
		t.Helper()
		err := db.view(func(tx kv.Tx) error {
			return tx.Bucket(bucketLeakReceipts).ForEach(func(_, v []byte) error {
				compact, _ := portal.NormalizeTrackingCode(code)
				if bytes.Contains(v, []byte(code)) || bytes.Contains(v, []byte(compact)) {
					t.Error("the tracking code is in clear in the receipt")
				}
				n++
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d receipts, want 1", n)
	}
	advance(LeakReceiptTTL + time.Minute)
	if _, _, ok, err := db.LeakReceipt("browser-receipt-1"); ok || err != nil {
		t.Fatalf("an expired receipt answers: %v %v", ok, err)
	}
	sendLeak(t, db, leakInput(seen), "browser-receipt-2")
	if n := count(); n != 1 {
		t.Fatalf("%d receipts after the next report, want 1 (the expired one purged)", n)
	}
}
