package faultkv_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"sealportal/store/kv"
	"sealportal/store/kv/boltkv"
	"sealportal/store/kv/faultkv"
)

var ctx = context.Background()

var (
	bucketName = []byte("b")
	present    = []byte("present")
)

// newEngine is a bbolt engine holding bucket b with key "present" = "v",
// wrapped by faultkv.
func newEngine(t *testing.T) *faultkv.Engine {
	t.Helper()
	inner, err := boltkv.Open(filepath.Join(t.TempDir(), "kv.db"), boltkv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := faultkv.New(inner)
	t.Cleanup(func() { _ = e.Close() })
	if err := e.Update(ctx, func(tx kv.Tx) error {
		b, err := tx.CreateBucket(bucketName)
		if err != nil {
			return err
		}
		return b.Put(present, []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

// readKey reads key in a clean transaction (no fault armed).
func readKey(t *testing.T, e *faultkv.Engine, key string) []byte {
	t.Helper()
	var v []byte
	if err := e.View(ctx, func(tx kv.Tx) error {
		v = append([]byte(nil), tx.Bucket(bucketName).Get([]byte(key))...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(v) == 0 {
		return nil
	}
	return v
}

// A read-modify-write whose Get failed reads nil, as "absent" would: the
// closure goes on and writes, returns nil, and still nothing is committed.
func TestFailedGetCannotCommit(t *testing.T) {
	e := newEngine(t)
	e.FailNth(faultkv.Get, 2)
	err := e.Update(ctx, func(tx kv.Tx) error {
		b := tx.Bucket(bucketName)
		if err := b.Put([]byte("before"), []byte("1")); err != nil {
			return err
		}
		_ = b.Get([]byte("absent")) // the first Get passes
		if b.Get(present) != nil {  // the second one fails and reads nil
			t.Error("the failed Get answered a value")
		}
		if tx.Err() == nil {
			t.Error("Tx.Err is nil after a failed Get")
		}
		if b.Get(present) != nil {
			t.Error("a Get after the failure answered a value: the error is not sticky")
		}
		return b.Put([]byte("after"), []byte("1"))
	})
	if !errors.Is(err, faultkv.ErrInjected) {
		t.Fatalf("Update = %v, want the injected error", err)
	}
	for _, k := range []string{"before", "after"} {
		if readKey(t, e, k) != nil {
			t.Errorf("%q was committed after a failed Get", k)
		}
	}
	if e.Fired(faultkv.Get) != 1 {
		t.Errorf("faults fired = %d, want 1", e.Fired(faultkv.Get))
	}
}

// Batch may run fn again when a run fails (bbolt retries the failed call
// alone): the run whose Get failed is rolled back, and only a run that read
// the value may commit what it derived from it.
func TestFailedGetInBatchCommitsOnlyACleanRun(t *testing.T) {
	e := newEngine(t)
	e.FailNth(faultkv.Get, 1)
	var runs []bool // per run: did its Get fail?
	err := e.Batch(ctx, func(tx kv.Tx) error {
		b := tx.Bucket(bucketName)
		v := b.Get(present)
		runs = append(runs, tx.Err() != nil)
		return b.Put([]byte("copy"), append([]byte("seen:"), v...))
	})
	if len(runs) == 0 || !runs[0] {
		t.Fatalf("runs = %v: the first run's Get did not fail", runs)
	}
	switch {
	case err == nil:
		if runs[len(runs)-1] {
			t.Fatal("Batch committed the run whose Get failed")
		}
		if got := string(readKey(t, e, "copy")); got != "seen:v" {
			t.Fatalf("committed %q, want the clean run's \"seen:v\"", got)
		}
	case errors.Is(err, faultkv.ErrInjected):
		if readKey(t, e, "copy") != nil {
			t.Fatal("a failed Batch committed")
		}
	default:
		t.Fatalf("Batch = %v", err)
	}
}

// A lookup that failed must not come back as "not found".
func TestFailedGetIsNotNotFound(t *testing.T) {
	e := newEngine(t)
	e.FailNth(faultkv.Get, 1)
	found := true
	err := e.View(ctx, func(tx kv.Tx) error {
		found = tx.Bucket(bucketName).Get(present) != nil
		return nil // the closure believes the key is absent
	})
	if !errors.Is(err, faultkv.ErrInjected) {
		t.Fatalf("View = %v, want the injected error", err)
	}
	if found {
		t.Fatal("the failed Get answered a value")
	}
	// The fault fired once; the next read is a normal one.
	if string(readKey(t, e, string(present))) != "v" {
		t.Fatal("the key is gone after the fault")
	}
}

// A scan cut short by a failed cursor move is an error, not a short list.
func TestFailedCursorMoveIsAnError(t *testing.T) {
	e := newEngine(t)
	if err := e.Update(ctx, func(tx kv.Tx) error {
		b := tx.Bucket(bucketName)
		for _, k := range []string{"a", "c", "d"} {
			if err := b.Put([]byte(k), []byte("1")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e.FailNth(faultkv.Move, 3)
	n := 0
	err := e.View(ctx, func(tx kv.Tx) error {
		c := tx.Bucket(bucketName).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		if k, _ := c.Last(); k != nil {
			t.Error("a move after the failure landed on a key")
		}
		return nil
	})
	if !errors.Is(err, faultkv.ErrInjected) || n != 2 {
		t.Fatalf("View = %v after %d keys, want the injected error after 2", err, n)
	}
	e.FailNth(faultkv.Move, 2)
	err = e.View(ctx, func(tx kv.Tx) error {
		return tx.Bucket(bucketName).ForEach(func(k, v []byte) error { return nil })
	})
	if !errors.Is(err, faultkv.ErrInjected) {
		t.Fatalf("ForEach = %v, want the injected error", err)
	}
}

// A failed Put is sticky too: a closure that ignores its error still cannot
// commit, and the writes before it are rolled back with it.
func TestFailedPutRollsBackTheTransaction(t *testing.T) {
	e := newEngine(t)
	e.FailNth(faultkv.Write, 2)
	var seq uint64
	err := e.Update(ctx, func(tx kv.Tx) error {
		b := tx.Bucket(bucketName)
		var err error
		if seq, err = b.NextSequence(); err != nil { // write 1
			return err
		}
		if err := b.Put([]byte("x"), []byte("1")); !errors.Is(err, faultkv.ErrInjected) { // write 2
			t.Errorf("Put = %v, want the injected error", err)
		}
		_ = b.Delete(present) // after the failure: refused
		return nil
	})
	if !errors.Is(err, faultkv.ErrInjected) {
		t.Fatalf("Update = %v, want the injected error", err)
	}
	if readKey(t, e, "x") != nil || readKey(t, e, string(present)) == nil {
		t.Fatal("writes of a failed transaction were committed")
	}
	_ = e.View(ctx, func(tx kv.Tx) error {
		if got := tx.Bucket(bucketName).Sequence(); got != seq-1 {
			t.Errorf("sequence = %d after rollback, want %d", got, seq-1)
		}
		return nil
	})
}

// Without a fault armed the wrapper is transparent, and it counts.
func TestNoFaultIsTransparent(t *testing.T) {
	e := newEngine(t)
	e.FailNth(faultkv.Get, 0)
	if string(readKey(t, e, string(present))) != "v" || e.Count(faultkv.Get) != 1 {
		t.Fatalf("count = %d", e.Count(faultkv.Get))
	}
	if err := e.Update(ctx, func(tx kv.Tx) error {
		return tx.Bucket(bucketName).Put([]byte("y"), []byte("2"))
	}); err != nil {
		t.Fatal(err)
	}
	if string(readKey(t, e, "y")) != "2" {
		t.Fatal("a plain write was lost")
	}
	if _, ok := e.Inner().(*boltkv.Engine); !ok {
		t.Fatal("Inner is not the wrapped engine")
	}
}
