package store

import (
	"bytes"
	"maps"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"sealportal/portal"
	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// auditFuzzEntries is the length of the log the fuzzer tampers with: seven
// entries make a tree with complete subtrees of sizes 4, 2 and 1, so that
// leaves, inner hashes and the frontier are all in play.
const auditFuzzEntries = 7

// auditState is everything VerifyAudit reads: both audit buckets and the
// signed head.
type auditState struct {
	entries, hashes map[string]string
	head            string
}

func readAuditState(tb testing.TB, db *DB) auditState {
	tb.Helper()
	st := auditState{entries: map[string]string{}, hashes: map[string]string{}}
	err := db.view(func(tx kv.Tx) error {
		entries, hashes, meta, err := auditBuckets(tx)
		if err != nil {
			return err
		}
		_ = entries.ForEach(func(k, v []byte) error { st.entries[string(k)] = string(v); return nil })
		_ = hashes.ForEach(func(k, v []byte) error { st.hashes[string(k)] = string(v); return nil })
		st.head = string(meta.Get(keyAuditHead))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func (a auditState) equal(b auditState) bool {
	return a.head == b.head && maps.Equal(a.entries, b.entries) && maps.Equal(a.hashes, b.hashes)
}

// restoreAudit writes st back over whatever the fuzzer left.
func restoreAudit(tb testing.TB, db *DB, st auditState) {
	tb.Helper()
	err := db.update(func(tx kv.Tx) error {
		for name, m := range map[string]map[string]string{string(bucketAuditEntries): st.entries, string(bucketAuditHashes): st.hashes} {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for k, v := range m {
				if err := b.Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bucketMeta).Put(keyAuditHead, []byte(st.head))
	})
	if err != nil {
		tb.Fatalf("restore audit: %v", err)
	}
}

// tamperAudit applies the fuzzer's edits: ops is read three bytes at a time
// (what, which, where) and data is cut into the bytes written.
func tamperAudit(tx kv.Tx, ops, data []byte) error {
	entries, hashes, meta, err := auditBuckets(tx)
	if err != nil {
		return err
	}
	take := func(n byte) []byte {
		k := min(int(n)%64, len(data))
		out := data[:k]
		data = data[k:]
		return out
	}
	flip := func(b kv.Bucket, key []byte, pos, bit byte) error {
		v := b.Get(key)
		if len(v) == 0 {
			return nil
		}
		w := bytes.Clone(v)
		w[int(pos)%len(w)] ^= 1 << (bit % 8)
		return b.Put(key, w)
	}
	for len(ops) >= 3 {
		what, which, where := ops[0], ops[1], ops[2]
		ops = ops[3:]
		entryKey := itob(uint64(which) % (auditFuzzEntries + 2))
		hashKey := itob(uint64(which) % uint64(tlog.StoredHashCount(auditFuzzEntries)+2))
		switch what % 10 {
		case 0:
			err = flip(entries, entryKey, where, which>>4)
		case 1:
			err = entries.Put(entryKey, take(where))
		case 2:
			err = entries.Delete(entryKey)
		case 3:
			if v := entries.Get(entryKey); len(v) > 0 {
				err = entries.Put(entryKey, bytes.Clone(v[:int(where)%len(v)]))
			}
		case 4:
			err = flip(hashes, hashKey, where, which>>4)
		case 5:
			err = hashes.Put(hashKey, take(where))
		case 6:
			err = hashes.Delete(hashKey)
		case 7:
			err = flip(meta, keyAuditHead, where, which)
		case 8:
			err = meta.Put(keyAuditHead, take(where))
		case 9:
			// A key of another length or beyond the end.
			if k := take(where); len(k) > 0 {
				if which%2 == 0 {
					err = entries.Put(k, take(which))
				} else {
					err = hashes.Put(k, take(which))
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// FuzzVerifyAudit changes the audit buckets' bytes as an attacker with the
// file would (flip, replace, truncate, delete, insert; the signed head too)
// and runs the verifier: it must never panic or fail to read, must report a
// problem whenever anything differs from what was written, and must pass
// when the edits happen to change nothing.
func FuzzVerifyAudit(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add([]byte{0, 3, 10}, []byte{})
	f.Add([]byte{1, 6, 5}, []byte(`{"seq":6,"at":"2026-03-10T02:00:00Z","action":"login"}`))
	f.Add([]byte{2, 6, 0, 6, 12, 0}, []byte{})
	f.Add([]byte{3, 2, 9}, []byte{})
	f.Add([]byte{4, 5, 31, 4, 5, 31}, []byte{})
	f.Add([]byte{5, 0, 32}, bytes.Repeat([]byte{0xab}, 32))
	f.Add([]byte{7, 1, 40}, []byte{})
	f.Add([]byte{8, 0, 20}, []byte("go.sum database tree\n"))
	f.Add([]byte{9, 0, 3, 9, 1, 9}, []byte("abcdefghijklmnopqrstuvwxyz0123456789"))

	db, err := Open(enginetest.Location(f, filepath.Join(f.TempDir(), "portal.db")), Options{Keys: NewTestKeys()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	setNoSync(db, true) // the file is thrown away; restoring after each input need not wait for the disk
	for i := range auditFuzzEntries {
		if err := db.RecordAudit(portal.AuditEvent{Action: portal.AuditLoginFailed, SubjectKind: "account", SubjectID: uint64(i + 1),
			Detail: "fuzz", RequestID: "r"}); err != nil {
			f.Fatal(err)
		}
	}
	clean := readAuditState(f, db)
	if rep, err := db.VerifyAudit(); err != nil || !rep.OK || rep.Entries != auditFuzzEntries {
		f.Fatalf("the untouched log does not verify: %+v %v", rep, err)
	}

	f.Fuzz(func(t *testing.T, ops, data []byte) {
		if len(ops) > 60 {
			ops = ops[:60]
		}
		if err := db.update(func(tx kv.Tx) error { return tamperAudit(tx, ops, data) }); err != nil {
			// bbolt refuses some keys and values (empty, too long): nothing was changed.
			t.Skipf("edit refused: %v", err)
		}
		defer restoreAudit(t, db, clean)
		changed := !readAuditState(t, db).equal(clean)
		rep, err := db.VerifyAudit()
		if err != nil {
			t.Fatalf("verify failed to read (changed=%v): %v", changed, err)
		}
		if changed && rep.OK {
			t.Fatalf("tampered log verifies: ops %x data %q", ops, data)
		}
		if !changed && !rep.OK {
			t.Fatalf("untouched log reported: %s", rep.Problem)
		}
		if !rep.OK && rep.Problem == "" {
			t.Fatal("a problem without words")
		}
		if rep.FirstBad >= int64(rep.Entries)+1 && rep.Entries > 0 {
			t.Fatalf("first bad %d of %d entries", rep.FirstBad, rep.Entries)
		}
	})
}
