package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"sealportal/portal"
	"sealportal/store/kv"
)

// auditClock returns a clock that moves on by step at each reading, so that
// every event gets its own time.
func auditClock(start time.Time, step time.Duration) portal.Clock {
	var mu sync.Mutex
	now := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(step)
		return now
	}
}

var auditEpoch = time.Date(2026, 3, 1, 10, 0, 0, 0, portal.China)

// auditProbe is the i'th test event; its detail is easy to find in the file.
func auditProbe(i int) portal.AuditEvent {
	return portal.AuditEvent{
		Action: portal.AuditLoginFailed, ActorID: uint64(i + 1), ActorRole: portal.RoleLawyer,
		SubjectKind: "account", SubjectID: uint64(1000 + i),
		Detail: fmt.Sprintf("probe-%03d", i), RequestID: fmt.Sprintf("req-%d", i),
	}
}

// appendProbes appends events from..to-1, one transaction each.
func appendProbes(t *testing.T, db *DB, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := db.RecordAudit(auditProbe(i)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

func mustVerify(t *testing.T, db *DB) AuditReport {
	t.Helper()
	rep, err := db.VerifyAudit()
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	return rep
}

func wantAuditOK(t *testing.T, db *DB, n uint64) {
	t.Helper()
	rep := mustVerify(t, db)
	if !rep.OK || rep.FirstBad != -1 || rep.Entries != n || rep.Problem != "" {
		t.Fatalf("VerifyAudit = %+v, want OK with %d entries", rep, n)
	}
}

func wantAuditBad(t *testing.T, db *DB, firstBad int64) AuditReport {
	t.Helper()
	rep := mustVerify(t, db)
	if rep.OK || rep.FirstBad != firstBad || rep.Problem == "" {
		t.Fatalf("VerifyAudit = %+v, want not OK with FirstBad %d", rep, firstBad)
	}
	return rep
}

func TestAuditAppendAndRead(t *testing.T) {
	db := newTestDB(t)
	db.now = auditClock(auditEpoch, 1500*time.Microsecond)
	appendProbes(t, db, 0, 40)
	// Several events in one transaction get consecutive indexes and one head.
	err := db.update(func(tx kv.Tx) error {
		for i := 40; i < 50; i++ {
			if err := db.appendAudit(tx, auditProbe(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	head, err := db.AuditHead()
	if err != nil {
		t.Fatalf("AuditHead: %v", err)
	}
	if head.N != 50 {
		t.Fatalf("head N = %d, want 50", head.N)
	}
	all, err := db.AuditEntries(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 50 {
		t.Fatalf("got %d entries, want 50", len(all))
	}
	var prev time.Time
	for i, ev := range all {
		want := auditProbe(i)
		want.Seq, want.At = uint64(i), ev.At
		if ev != want {
			t.Fatalf("entry %d = %+v, want %+v", i, ev, want)
		}
		if ev.At.Location() != time.UTC || ev.At.Nanosecond()%int(time.Millisecond) != 0 || !ev.At.After(prev) {
			t.Fatalf("entry %d at %v: want UTC, whole milliseconds, after %v", i, ev.At, prev)
		}
		prev = ev.At
	}
	if first := all[0].At; !first.Equal(auditEpoch.Add(1500 * time.Microsecond).Truncate(time.Millisecond)) {
		t.Fatalf("first entry at %v", first)
	}

	page, err := db.AuditEntries(10, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 5 || page[0].Seq != 10 || page[4].Seq != 14 {
		t.Fatalf("page 10+5 = %v", page)
	}
	if page, _ := db.AuditEntries(48, 10); len(page) != 2 || page[1].Seq != 49 {
		t.Fatalf("page 48+10 = %v", page)
	}
	if page, _ := db.AuditEntries(50, 10); len(page) != 0 {
		t.Fatalf("page past the end = %v", page)
	}
	wantAuditOK(t, db, 50)
}

// An event written inside a transaction that fails must vanish with it.
func TestAuditRollsBackWithTransaction(t *testing.T) {
	db := newTestDB(t)
	appendProbes(t, db, 0, 3)
	before, err := db.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	err = db.update(func(tx kv.Tx) error {
		if err := db.appendAudit(tx, auditProbe(3)); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("update = %v", err)
	}
	after, err := db.AuditHead()
	if err != nil || after != before {
		t.Fatalf("head after rollback = %v, %v; want %v", after, err, before)
	}
	wantAuditOK(t, db, 3)
	if err := db.RecordAudit(portal.AuditEvent{}); err == nil {
		t.Fatal("an event without an action was accepted")
	}
}

func TestVerifyAuditSizes(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			db := newTestDB(t)
			appendProbes(t, db, 0, n)
			wantAuditOK(t, db, uint64(n))
			head, err := db.AuditHead()
			if err != nil {
				t.Fatalf("AuditHead: %v", err)
			}
			if head.N != int64(n) {
				t.Fatalf("head N = %d, want %d", head.N, n)
			}
			if n == 0 {
				empty, _ := tlog.TreeHash(0, nil)
				if head.Hash != empty {
					t.Fatalf("empty log head hash = %v", head.Hash)
				}
			}
		})
	}
}

// The stored hashes must be the ones tlog's proofs expect: every entry is
// provably in the signed tree.
func TestAuditRecordProofs(t *testing.T) {
	db := newTestDB(t)
	appendProbes(t, db, 0, 37)
	head, err := db.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	err = db.view(func(tx kv.Tx) error {
		r := boltHashes{tx.Bucket(bucketAuditHashes)}
		for i := int64(0); i < head.N; i++ {
			p, err := tlog.ProveRecord(head.N, i, r)
			if err != nil {
				return err
			}
			data := tx.Bucket(bucketAuditEntries).Get(itob(uint64(i)))
			if err := tlog.CheckRecord(p, head.N, head.Hash, i, tlog.RecordHash(data)); err != nil {
				return fmt.Errorf("entry %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Entries survive a restart, and appends after it extend the same tree: the
// old head is provably a prefix of the new one.
func TestAuditReopen(t *testing.T) {
	db := newTestDB(t)
	appendProbes(t, db, 0, 10)
	old, err := db.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	db = reopenTestDB(t, db)
	if h, err := db.AuditHead(); err != nil || h != old {
		t.Fatalf("head after reopen = %v, %v; want %v", h, err, old)
	}
	appendProbes(t, db, 10, 25)
	db = reopenTestDB(t, db)
	head, err := db.AuditHead()
	if err != nil || head.N != 25 {
		t.Fatalf("head = %v, %v; want N 25", head, err)
	}
	all, err := db.AuditEntries(0, 100)
	if err != nil || len(all) != 25 {
		t.Fatalf("entries = %d, %v", len(all), err)
	}
	for i, ev := range all {
		if ev.Seq != uint64(i) || ev.Detail != auditProbe(i).Detail {
			t.Fatalf("entry %d = %+v", i, ev)
		}
	}
	err = db.view(func(tx kv.Tx) error {
		p, err := tlog.ProveTree(head.N, old.N, boltHashes{tx.Bucket(bucketAuditHashes)})
		if err != nil {
			return err
		}
		return tlog.CheckTree(p, head.N, head.Hash, old.N, old.Hash)
	})
	if err != nil {
		t.Fatalf("old head is not a prefix of the new one: %v", err)
	}
	wantAuditOK(t, db, 25)
}

// TestAuditTamperFile edits the database file the way someone with a hex
// editor would: one character of one entry, same length, nothing else. bbolt
// has no checksums on data pages, so only the audit log can notice.
func TestAuditTamperFile(t *testing.T) {
	cases := []struct {
		name  string
		k     int
		field string // the JSON key prefix whose value is changed
		at    int    // offset of the changed character after the prefix
	}{
		{"detail", 7, `"detail":"probe-`, 0},
		{"action", 0, `"action":"`, 0},
		{"at seconds", 13, `"at":"`, len("2026-03-01T02:00:1")},
		{"last entry", 19, `"detail":"probe-`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := newTestDB(t)
			db.now = auditClock(auditEpoch, time.Second)
			appendProbes(t, db, 0, 20)
			wantAuditOK(t, db, 20)
			path := db.Path()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			// On bbolt, copy-on-write leaves stale copies of the entry in
			// freed pages; change every copy so that the live one is surely
			// among them. On PostgreSQL the entry is one value of table kv,
			// changed through SQL.
			marker := fmt.Appendf(nil, `"seq":%d,`, tc.k)
			changed := editAtRest(t, path, func(raw []byte) int {
				n := 0
				for off := 0; ; {
					i := bytes.Index(raw[off:], marker)
					if i < 0 {
						break
					}
					start := off + i
					end := start + bytes.IndexByte(raw[start:], '}')
					f := bytes.Index(raw[start:end], []byte(tc.field))
					if f < 0 {
						t.Fatalf("no %s in entry %d: %q", tc.field, tc.k, raw[start:end])
					}
					pos := start + f + len(tc.field) + tc.at
					raw[pos] = otherChar(raw[pos])
					n++
					off = end
				}
				return n
			})
			if changed == 0 {
				t.Fatalf("entry %d not found in the database", tc.k)
			}

			db = reopenTestDB(t, db)
			// The edit reached the live page: the entry now reads differently.
			got, err := db.AuditEntries(uint64(tc.k), 1)
			if err != nil {
				t.Fatalf("read tampered entry: %v", err)
			}
			want := auditProbe(tc.k)
			if got[0].Detail == want.Detail && got[0].Action == want.Action && got[0].At.Equal(auditEpoch.Add(time.Duration(tc.k+1)*time.Second)) {
				t.Fatalf("entry %d unchanged after editing the file (%d copies): %+v", tc.k, changed, got[0])
			}
			rep := wantAuditBad(t, db, int64(tc.k))
			t.Logf("%d copies changed; report: %+v", changed, rep)
			// The stored tree itself is intact, so the head still checks out;
			// only recomputing from the entries finds the change.
			if _, err := db.AuditHead(); err != nil {
				t.Fatalf("AuditHead: %v", err)
			}
		})
	}
}

// otherChar returns a different character of the same class and length.
func otherChar(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return '0' + (c-'0'+1)%10
	case c >= 'a' && c <= 'z':
		return 'a' + (c-'a'+1)%26
	case c >= 'A' && c <= 'Z':
		return 'A' + (c-'A'+1)%26
	}
	panic(fmt.Sprintf("otherChar(%q)", c))
}

// TestAuditTamperStructure changes the log through bbolt itself, as someone
// with write access to the file and knowledge of its layout could.
func TestAuditTamperStructure(t *testing.T) {
	const n = 20
	setup := func(t *testing.T) *DB {
		db := newTestDB(t)
		appendProbes(t, db, 0, n)
		return db
	}
	edit := func(t *testing.T, db *DB, fn func(tx kv.Tx) error) {
		t.Helper()
		if err := db.update(fn); err != nil {
			t.Fatal(err)
		}
	}
	deleteHashesOf := func(tx kv.Tx, rec int64) error {
		for i := tlog.StoredHashIndex(0, rec); i < tlog.StoredHashCount(rec+1); i++ {
			if err := tx.Bucket(bucketAuditHashes).Delete(itob(uint64(i))); err != nil {
				return err
			}
		}
		return nil
	}

	t.Run("entry deleted from the middle", func(t *testing.T) {
		db := setup(t)
		edit(t, db, func(tx kv.Tx) error { return tx.Bucket(bucketAuditEntries).Delete(itob(5)) })
		rep := wantAuditBad(t, db, 5)
		if rep.Entries != n-1 || !strings.Contains(rep.Problem, "missing") {
			t.Fatalf("report %+v", rep)
		}
	})
	t.Run("last entry deleted with its hashes", func(t *testing.T) {
		db := setup(t)
		edit(t, db, func(tx kv.Tx) error {
			if err := tx.Bucket(bucketAuditEntries).Delete(itob(n - 1)); err != nil {
				return err
			}
			return deleteHashesOf(tx, n-1)
		})
		wantAuditBad(t, db, n-1)
		if _, err := db.AuditHead(); err == nil {
			t.Fatal("AuditHead accepted a head larger than the log")
		}
	})
	t.Run("last entry deleted, hashes kept", func(t *testing.T) {
		db := setup(t)
		edit(t, db, func(tx kv.Tx) error { return tx.Bucket(bucketAuditEntries).Delete(itob(n - 1)) })
		wantAuditBad(t, db, n-1)
		// Extending an inconsistent tree would sign a broken history.
		if err := db.RecordAudit(auditProbe(99)); err == nil {
			t.Fatal("append to an inconsistent log succeeded")
		}
	})
	t.Run("interior hash changed", func(t *testing.T) {
		db := setup(t)
		// Record 7 completes subtrees of 2, 4 and 8 leaves; change the one of 4.
		edit(t, db, func(tx kv.Tx) error {
			return tx.Bucket(bucketAuditHashes).Put(itob(uint64(tlog.StoredHashIndex(2, 1))), make([]byte, tlog.HashSize))
		})
		wantAuditBad(t, db, 7)
	})
	t.Run("entry rewritten with all hashes recomputed", func(t *testing.T) {
		db := setup(t)
		edit(t, db, func(tx kv.Tx) error {
			entries := tx.Bucket(bucketAuditEntries)
			v := copyBytes(entries.Get(itob(4)))
			if err := entries.Put(itob(4), bytes.Replace(v, []byte("probe-004"), []byte("probe-444"), 1)); err != nil {
				return err
			}
			if err := tx.DeleteBucket(bucketAuditHashes); err != nil {
				return err
			}
			hashes, err := tx.CreateBucket(bucketAuditHashes)
			if err != nil {
				return err
			}
			for i := int64(0); i < n; i++ {
				hs, err := tlog.StoredHashes(i, entries.Get(itob(uint64(i))), boltHashes{hashes})
				if err != nil {
					return err
				}
				for j := range hs {
					if err := hashes.Put(itob(uint64(tlog.StoredHashIndex(0, i)+int64(j))), hs[j][:]); err != nil {
						return err
					}
				}
			}
			return nil
		})
		// Only the signature shows it, and it cannot say where.
		rep := wantAuditBad(t, db, -1)
		if !strings.Contains(rep.Problem, "signed head") {
			t.Fatalf("report %+v", rep)
		}
		if _, err := db.AuditHead(); err == nil {
			t.Fatal("AuditHead accepted a head that does not match the stored tree")
		}
	})
	t.Run("older head replayed", func(t *testing.T) {
		db := newTestDB(t)
		appendProbes(t, db, 0, 10)
		var old []byte
		db.view(func(tx kv.Tx) error {
			old = copyBytes(tx.Bucket(bucketMeta).Get(keyAuditHead))
			return nil
		})
		appendProbes(t, db, 10, n)
		edit(t, db, func(tx kv.Tx) error { return tx.Bucket(bucketMeta).Put(keyAuditHead, old) })
		wantAuditBad(t, db, 10)
	})
	t.Run("head removed", func(t *testing.T) {
		db := setup(t)
		edit(t, db, func(tx kv.Tx) error { return tx.Bucket(bucketMeta).Delete(keyAuditHead) })
		wantAuditBad(t, db, 0)
		if _, err := db.AuditHead(); err == nil {
			t.Fatal("AuditHead accepted a log without a head")
		}
	})
	t.Run("head signed by another key", func(t *testing.T) {
		db := setup(t)
		head, err := db.AuditHead()
		if err != nil {
			t.Fatal(err)
		}
		// Same key name, so only the key itself differs.
		skey, _, err := note.GenerateKey(rand.Reader, "sealportal-audit")
		if err != nil {
			t.Fatal(err)
		}
		signer, err := note.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		forged, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(head))}, signer)
		if err != nil {
			t.Fatal(err)
		}
		edit(t, db, func(tx kv.Tx) error { return tx.Bucket(bucketMeta).Put(keyAuditHead, forged) })
		if _, err := db.AuditHead(); err == nil {
			t.Fatal("AuditHead accepted a head signed by another key")
		}
		rep := wantAuditBad(t, db, -1)
		if !strings.Contains(rep.Problem, "does not verify") || rep.Entries != n {
			t.Fatalf("report %+v", rep)
		}
	})
}

// The frontier must give the same hashes as the full stored-hash array.
func TestAuditFrontier(t *testing.T) {
	var full []tlog.Hash
	all := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = full[x]
		}
		return out, nil
	})
	var fr frontier
	for n := int64(0); n < 1100; n++ {
		want, _ := tlog.TreeHash(n, all)
		got, err := tlog.TreeHash(n, &fr)
		if err != nil || got != want {
			t.Fatalf("tree %d: frontier hash %v, %v; want %v", n, got, err, want)
		}
		data := fmt.Appendf(nil, "record %d", n)
		hsFull, _ := tlog.StoredHashes(n, data, all)
		hs, err := tlog.StoredHashes(n, data, &fr)
		if err != nil || fmt.Sprint(hs) != fmt.Sprint(hsFull) {
			t.Fatalf("record %d: %v, %v; want %v", n, hs, err, hsFull)
		}
		full = append(full, hsFull...)
		fr.push(n, hs)
		if len(fr.index) > 64 {
			t.Fatalf("frontier of %d holds %d hashes", n+1, len(fr.index))
		}
	}
}

// BenchmarkAppendAudit measures one event per write transaction. With sync the
// figure is mostly the disk's fsync; without it, the log's own cost.
func BenchmarkAppendAudit(b *testing.B) {
	for _, withSync := range []bool{true, false} {
		b.Run(map[bool]string{true: "sync", false: "nosync"}[withSync], func(b *testing.B) {
			db := openTestDB(b, filepath.Join(b.TempDir(), "portal.db"), NewTestKeys())
			setNoSync(db, !withSync)
			ev := auditProbe(1)
			for b.Loop() {
				if err := db.RecordAudit(ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyAudit measures a full verification of 10,000 entries.
func BenchmarkVerifyAudit(b *testing.B) {
	db := openTestDB(b, filepath.Join(b.TempDir(), "portal.db"), NewTestKeys())
	const n = 10000
	for i := 0; i < n; i += 1000 {
		err := db.update(func(tx kv.Tx) error {
			for j := 0; j < 1000; j++ {
				if err := db.appendAudit(tx, auditProbe(i+j)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		rep, err := db.VerifyAudit()
		if err != nil || !rep.OK || rep.Entries != n {
			b.Fatalf("VerifyAudit = %+v, %v", rep, err)
		}
	}
}
