package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"sealportal/store/kv"
)

var bucketGroupTest = []byte("group_commit_test")

// groupTestStart makes the test bucket and starts a leader whose write waits
// for release, so that the calls made meanwhile queue behind it; it returns
// once the leader is inside its transaction.
func groupTestStart(t *testing.T, db *DB) (release chan struct{}, leaderDone chan error) {
	t.Helper()
	if err := db.update(func(tx kv.Tx) error { _, err := tx.CreateBucket(bucketGroupTest); return err }); err != nil {
		t.Fatal(err)
	}
	release, leaderDone = make(chan struct{}), make(chan error, 1)
	inside := make(chan struct{})
	go func() {
		leaderDone <- db.grouped(func(tx kv.Tx) error {
			close(inside)
			<-release
			return tx.Bucket(bucketGroupTest).Put([]byte("leader"), []byte("1"))
		})
	}()
	<-inside
	return release, leaderDone
}

// waitPending waits until n calls queue behind the leader.
func waitPending(t *testing.T, db *DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		db.group.mu.Lock()
		k := len(db.group.pending)
		db.group.mu.Unlock()
		if k == n {
			return
		}
	}
	t.Fatalf("%d calls never queued", n)
}

// Calls that arrive while a commit is in flight share the next one: 30
// searches during one commit cost one more transaction, not 30, and each is
// written.
func TestGroupedCallsShareOneCommit(t *testing.T) {
	db := newTestDB(t)
	release, leaderDone := groupTestStart(t, db)
	const n = 30
	var wg sync.WaitGroup
	txids := make([]uint64, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.grouped(func(tx kv.Tx) error {
				txids[i] = db.group.txns.Load() // writes are serialized: this call's transaction
				return tx.Bucket(bucketGroupTest).Put(fmt.Appendf(nil, "k%02d", i), []byte("v"))
			})
		}()
	}
	waitPending(t, db, n)
	close(release)
	wg.Wait()
	if err := <-leaderDone; err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if txids[i] != txids[0] {
			t.Fatalf("the queued calls ran in transactions %d and %d, want one", txids[0], txids[i])
		}
	}
	if err := db.view(func(tx kv.Tx) error {
		if got := tx.Bucket(bucketGroupTest).KeyN(); got != n+1 {
			return fmt.Errorf("%d keys written, want %d", got, n+1)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Nobody leads any more: a lone call commits at once.
	if err := db.grouped(func(tx kv.Tx) error { return tx.Bucket(bucketGroupTest).Put([]byte("lone"), nil) }); err != nil {
		t.Fatal(err)
	}
}

// A call that fails, or panics, in a group gets its own error and writes
// nothing; the others of its group are committed all the same.
func TestGroupedFailureStaysWithItsCall(t *testing.T) {
	db := newTestDB(t)
	release, leaderDone := groupTestStart(t, db)
	refused := errors.New("refused")
	// The failing call leads the group, the panicking one is in its middle.
	fns := []func(tx kv.Tx) error{
		func(tx kv.Tx) error {
			_ = tx.Bucket(bucketGroupTest).Put([]byte("refused"), nil)
			return refused
		},
		func(tx kv.Tx) error { return tx.Bucket(bucketGroupTest).Put([]byte("a"), nil) },
		func(tx kv.Tx) error { panic("boom") },
		func(tx kv.Tx) error { return tx.Bucket(bucketGroupTest).Put([]byte("b"), nil) },
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = db.grouped(fn) }()
		waitPending(t, db, i+1) // in this order in the queue
	}
	close(release)
	wg.Wait()
	if err := <-leaderDone; err != nil {
		t.Fatalf("leader: %v", err)
	}
	if errs[1] != nil || errs[3] != nil {
		t.Fatalf("the good calls failed: %v, %v", errs[1], errs[3])
	}
	if !errors.Is(errs[0], refused) {
		t.Fatalf("the failing call got %v", errs[0])
	}
	if errs[2] == nil {
		t.Fatal("the panicking call got no error")
	}
	if err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketGroupTest)
		for _, k := range []string{"leader", "a", "b"} {
			if b.Get([]byte(k)) == nil {
				return fmt.Errorf("%s not written", k)
			}
		}
		if b.Get([]byte("refused")) != nil {
			return errors.New("the failed call's write was committed")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
