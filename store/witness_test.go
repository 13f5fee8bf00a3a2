package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"sealportal/portal"
	"sealportal/store/kv"
)

func recordAudits(t *testing.T, db *DB, n int, detail string) {
	t.Helper()
	for range n {
		if err := db.RecordAudit(portal.AuditEvent{Action: portal.AuditLoginFailed, Detail: detail}); err != nil {
			t.Fatal(err)
		}
	}
}

func signedHead(t *testing.T, db *DB) ([]byte, tlog.Tree) {
	t.Helper()
	raw, tree, err := db.SignedAuditHead()
	if err != nil {
		t.Fatal(err)
	}
	return raw, tree
}

// truncateAudit puts the log back to the state it had at size n with head
// signed head, as a restore of an older copy (or a failover to a standby that
// lacked the last commits) would: the later entries and their hashes are
// gone. It writes through the engine, as the restore does, not the store.
func truncateAudit(t *testing.T, db *DB, n int64, head []byte) {
	t.Helper()
	err := db.eng.Update(context.Background(), func(tx kv.Tx) error {
		entries, hashes, meta, err := auditBuckets(tx)
		if err != nil {
			return err
		}
		size, err := auditSize(entries, hashes)
		if err != nil {
			return err
		}
		for i := n; i < size; i++ {
			if err := entries.Delete(itob(uint64(i))); err != nil {
				return err
			}
		}
		for i := tlog.StoredHashCount(n); i < tlog.StoredHashCount(size); i++ {
			if err := hashes.Delete(itob(uint64(i))); err != nil {
				return err
			}
		}
		return meta.Put(keyAuditHead, head)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAuditWitnessConsistency: a witnessed head is extended by a longer log
// and by the same log; a log that lost the witnessed suffix, or replaced it
// with other entries (a fork, even a longer one), is refused with
// ErrAuditLost; a head signed by another key is no witness (issue 15).
func TestAuditWitnessConsistency(t *testing.T) {
	db := newTestDB(t)
	empty, tree0 := signedHead(t, db)
	recordAudits(t, db, 5, "a")
	head5, tree5 := signedHead(t, db)
	if tree5.N != tree0.N+5 || head5 == nil {
		t.Fatalf("head after 5 entries: %d entries (from %d)", tree5.N, tree0.N)
	}
	recordAudits(t, db, 3, "a")
	head8, tree8 := signedHead(t, db)

	for _, w := range []struct {
		name string
		raw  []byte
		n    int64
	}{{"older head", head5, tree5.N}, {"same head", head8, tree8.N}} {
		old, cur, err := db.CheckAuditExtends(w.raw)
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if old.N != w.n || cur != tree8 {
			t.Fatalf("%s: witnessed %d, current %+v; want %d, %+v", w.name, old.N, cur, w.n, tree8)
		}
	}
	if empty != nil {
		if _, _, err := db.CheckAuditExtends(empty); err != nil {
			t.Fatalf("the head of the log at open: %v", err)
		}
	}

	// A restore of the copy taken at 5 entries: the witness saw 8.
	truncateAudit(t, db, tree5.N, head5)
	if _, tree, _ := db.SignedAuditHead(); tree != tree5 {
		t.Fatalf("after the restore: %+v, want %+v", tree, tree5)
	}
	_, _, err := db.CheckAuditExtends(head8)
	if !errors.Is(err, ErrAuditLost) || !strings.Contains(err.Error(), "3 lost") {
		t.Fatalf("lost suffix: %v, want ErrAuditLost with 3 lost", err)
	}
	// New work after the restore makes the log longer than the witness saw,
	// but its entries 6 to 8 are not the witnessed ones.
	recordAudits(t, db, 4, "b")
	_, _, err = db.CheckAuditExtends(head8)
	if !errors.Is(err, ErrAuditLost) || !strings.Contains(err.Error(), "differ") {
		t.Fatalf("forked log: %v, want ErrAuditLost (entries differ)", err)
	}
	if _, _, err := db.CheckAuditExtends(head5); err != nil {
		t.Fatalf("the head before the loss still extends: %v", err)
	}

	// A head signed by another portal's audit key is not a witness.
	other := newTestDB(t)
	recordAudits(t, other, 1, "c")
	foreign, _ := signedHead(t, other)
	if _, _, err := db.CheckAuditExtends(foreign); err == nil || errors.Is(err, ErrAuditLost) || !strings.Contains(err.Error(), "audit key") {
		t.Fatalf("foreign head: %v, want a signature error", err)
	}
}
