package store

import (
	"path/filepath"
	"testing"
	"time"
)

// Issue 15: on a shared database one app server at a time holds the outbox
// lease; it renews it, another takes it once it lapses or is released. On a
// bbolt file the one process always holds it.
func TestOutboxSenderLease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portal.db")
	keys := NewTestKeys()
	a := openTestDB(t, path, keys)
	if !a.Shared() {
		if held, err := a.ClaimOutboxSender([]byte("server-a")); err != nil || !held {
			t.Fatalf("the bbolt file's process: %v %v", held, err)
		}
		return
	}
	b := openTestDB(t, path, keys) // a second app server on the same database
	clock := newStepClock()
	a.now, b.now = clock.Now, clock.Now
	claim := func(db *DB, holder string, want bool) {
		t.Helper()
		if held, err := db.ClaimOutboxSender([]byte(holder)); err != nil || held != want {
			t.Fatalf("%s claims: %v %v, want %v", holder, held, err, want)
		}
	}
	claim(a, "server-a", true)
	claim(b, "server-b", false)
	clock.advance(OutboxSenderLease / 2)
	claim(a, "server-a", true) // renewed: lasts a whole lease from now
	clock.advance(OutboxSenderLease / 2)
	claim(b, "server-b", false)
	clock.advance(OutboxSenderLease/2 + time.Second) // server-a died: its lease lapses
	claim(b, "server-b", true)
	claim(a, "server-a", false)
	if err := b.ReleaseOutboxSender([]byte("server-b")); err != nil {
		t.Fatal(err)
	}
	if err := a.ReleaseOutboxSender([]byte("server-a")); err != nil { // not its lease: nothing happens
		t.Fatal(err)
	}
	claim(a, "server-a", true) // at once after a clean stop
}
