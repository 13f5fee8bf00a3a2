package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The audit log is a Merkle tree log in the style of Certificate Transparency,
// built with golang.org/x/mod/sumdb/tlog:
//
//	audit_entries  itob(index)             -> JSON of an auditRecord, index from 0
//	audit_hashes   itob(stored hash index) -> 32-byte tlog hash (leaves and completed subtrees)
//	meta/audit_head                        -> note signed with the audit key over tlog.FormatTree
//
// What is hashed is exactly the stored bytes of an entry, so changing any byte
// of history changes its leaf hash, every subtree above it and the tree hash,
// and the signed head no longer matches. Appending costs O(log n) reads: tlog
// only needs the roots of the complete subtrees to the left of the new leaf.

// auditRecord is the stored form of a portal.AuditEvent. It is kept apart from
// the domain type so that a change to the domain's JSON tags can never change
// how old entries decode; Seq comes first so that an entry's bytes begin with
// its own index.
type auditRecord struct {
	Seq         uint64    `json:"seq"`
	At          time.Time `json:"at"`
	Action      string    `json:"action"`
	ActorID     uint64    `json:"actor_id,omitempty"`
	ActorRole   string    `json:"actor_role,omitempty"`
	SubjectKind string    `json:"subject_kind,omitempty"`
	SubjectID   uint64    `json:"subject_id,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	RequestID   string    `json:"request_id,omitempty"`
}

func auditRecordOf(ev portal.AuditEvent) auditRecord {
	return auditRecord{
		Seq: ev.Seq, At: ev.At, Action: string(ev.Action),
		ActorID: ev.ActorID, ActorRole: string(ev.ActorRole),
		SubjectKind: ev.SubjectKind, SubjectID: ev.SubjectID,
		Detail: ev.Detail, RequestID: ev.RequestID,
	}
}

func (r auditRecord) event() portal.AuditEvent {
	return portal.AuditEvent{
		Seq: r.Seq, At: r.At, Action: portal.AuditAction(r.Action),
		ActorID: r.ActorID, ActorRole: portal.Role(r.ActorRole),
		SubjectKind: r.SubjectKind, SubjectID: r.SubjectID,
		Detail: r.Detail, RequestID: r.RequestID,
	}
}

// maxAuditPage bounds one AuditEntries call so that an admin page cannot ask
// for the whole log at once.
const maxAuditPage = 1000

// boltHashes reads stored hashes from the audit_hashes bucket of one
// transaction; inside a write transaction it sees that transaction's own writes.
type boltHashes struct{ b kv.Bucket }

func (h boltHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		v := h.b.Get(itob(uint64(idx))) // #nosec G115 -- tlog asks only for indexes in [0, size)
		if len(v) != tlog.HashSize {
			return nil, fmt.Errorf("store: audit stored hash %d missing", idx)
		}
		copy(out[i][:], v)
	}
	return out, nil
}

// auditBuckets returns the audit buckets and the meta bucket of tx.
func auditBuckets(tx kv.Tx) (entries, hashes, meta kv.Bucket, err error) {
	entries, hashes, meta = tx.Bucket(bucketAuditEntries), tx.Bucket(bucketAuditHashes), tx.Bucket(bucketMeta)
	if entries == nil || hashes == nil || meta == nil {
		return nil, nil, nil, errors.New("store: audit buckets missing")
	}
	return entries, hashes, meta, nil
}

// auditSize returns the number of entries in the log, from its last key, and
// checks that the stored hashes end where that many entries put them: extending
// a tree whose hashes do not match its entries would sign a broken history.
func auditSize(entries, hashes kv.Bucket) (int64, error) {
	n, _, err := auditTail(entries, hashes)
	return n, err
}

// auditTail is auditSize that also returns the last entry's bytes (nil for
// an empty log), valid until the transaction ends.
func auditTail(entries, hashes kv.Bucket) (int64, []byte, error) {
	var n int64
	k, last := entries.Cursor().Last()
	if k != nil {
		n = int64(btoi(k)) + 1 // #nosec G115 -- keys are entry indexes written from n >= 0
	}
	var stored int64
	if k, _ := hashes.Cursor().Last(); k != nil {
		stored = int64(btoi(k)) + 1 // #nosec G115 -- keys are hash indexes written from values >= 0
	}
	if want := tlog.StoredHashCount(n); stored != want {
		return 0, nil, fmt.Errorf("store: audit log inconsistent: %d entries need %d stored hashes, found %d", n, want, stored)
	}
	return n, last, nil
}

// auditAt is the time of an entry to append after the entry last (nil: the
// first entry): now, or the last entry's time when now is earlier. The app
// servers' clocks differ a little even with NTP, and the log's order is the
// writer lock's order, so an entry written by a server whose clock is behind
// would otherwise look older than the one before it (issue 15, design §6.4).
func auditAt(now time.Time, last []byte) time.Time {
	at := now.UTC().Truncate(time.Millisecond)
	if last == nil {
		return at
	}
	var prev struct {
		At time.Time `json:"at"`
	}
	if err := json.Unmarshal(last, &prev); err == nil && prev.At.After(at) {
		return prev.At.UTC()
	}
	return at
}

// appendAudit appends ev to the audit log inside tx, so that the event commits
// or rolls back together with the change it records. It sets Seq and At,
// writes the entry and its new stored hashes, and signs the new tree head.
func (db *DB) appendAudit(tx kv.Tx, ev portal.AuditEvent) error {
	if ev.Action == "" {
		return errors.New("store: audit event without an action")
	}
	entries, hashes, meta, err := auditBuckets(tx)
	if err != nil {
		return err
	}
	n, last, err := auditTail(entries, hashes)
	if err != nil {
		return err
	}
	ev.Seq = uint64(n) // #nosec G115 -- n is the log size, >= 0
	// Milliseconds are enough to order events for a reader and keep entries
	// short; never before the previous entry (auditAt).
	ev.At = auditAt(db.now(), last)
	data, err := json.Marshal(auditRecordOf(ev))
	if err != nil {
		return fmt.Errorf("store: audit append %d: %w", n, err)
	}
	r := boltHashes{hashes}
	hs, err := tlog.StoredHashes(n, data, r)
	if err != nil {
		return fmt.Errorf("store: audit append %d: %w", n, err)
	}
	// Keys only ever grow, so full pages waste nothing and halve the file's share.
	entries.SetFillPercent(1)
	hashes.SetFillPercent(1)
	if err := entries.Put(itob(uint64(n)), data); err != nil { // #nosec G115 -- n is the log size, >= 0
		return fmt.Errorf("store: audit append %d: %w", n, err)
	}
	base := tlog.StoredHashIndex(0, n)
	for i := range hs {
		// hs[i][:] stays reachable until the transaction ends, as bbolt requires.
		if err := hashes.Put(itob(uint64(base+int64(i))), hs[i][:]); err != nil { // #nosec G115 -- a stored hash index, >= 0
			return fmt.Errorf("store: audit append %d: %w", n, err)
		}
	}
	// A bulk transaction (ingest.go) signs the head once, at its end.
	if _, deferred := auditSignDeferred.Load(tx); !deferred {
		if err := db.signAuditHead(meta, r, n+1); err != nil {
			return fmt.Errorf("store: audit append %d: %w", n, err)
		}
	}
	// The subject index lets a person see every access to his record ("who
	// looked at my record") without scanning the log. It is not part of the
	// hashed history: verify-audit checks the entries it points to.
	if ev.SubjectKind != "" && ev.SubjectID != 0 {
		if bySubject := tx.Bucket(bucketAuditBySubject); bySubject != nil {
			if err := bySubject.Put(auditSubjectKey(ev.SubjectKind, ev.SubjectID, uint64(n)), nil); err != nil { // #nosec G115 -- n is the log size, >= 0
				return fmt.Errorf("store: audit append %d: subject index: %w", n, err)
			}
		}
	}
	// And by actor: every action of one account, for a leak investigation
	// (oversight.go).
	if err := indexAuditActor(tx, ev.ActorID, uint64(n)); err != nil { // #nosec G115 -- n is the log size, >= 0
		return fmt.Errorf("store: audit append %d: actor index: %w", n, err)
	}
	return nil
}

// signAuditHead signs the tree head of a log of n entries into meta.
func (db *DB) signAuditHead(meta kv.Bucket, r boltHashes, n int64) error {
	th, err := tlog.TreeHash(n, r)
	if err != nil {
		return fmt.Errorf("tree hash: %w", err)
	}
	head, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: n, Hash: th}))}, db.signer)
	if err != nil {
		return fmt.Errorf("sign head: %w", err)
	}
	return meta.Put(keyAuditHead, head)
}

var bucketAuditBySubject = []byte("audit_by_subject")

func auditSubjectKey(kind string, id, seq uint64) []byte {
	k := make([]byte, 0, len(kind)+17)
	k = append(k, kind...)
	k = append(k, 0)
	k = append(k, itob(id)...)
	return append(k, itob(seq)...)
}

// AuditBySubject lists the audit entries about one record (e.g. "case", 42),
// oldest first, read through the subject index.
func (db *DB) AuditBySubject(kind string, id uint64) ([]portal.AuditEvent, error) {
	var out []portal.AuditEvent
	err := db.view(func(tx kv.Tx) error {
		idx := tx.Bucket(bucketAuditBySubject)
		if idx == nil {
			return nil
		}
		prefix := auditSubjectKey(kind, id, 0)[:len(kind)+9]
		entries := tx.Bucket(bucketAuditEntries)
		cur := idx.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			raw := entries.Get(k[len(prefix):])
			if raw == nil {
				continue
			}
			var r auditRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("store: decode audit entry: %w", err)
			}
			out = append(out, r.event())
		}
		return nil
	})
	return out, err
}

// RecordAudit appends one event in its own transaction, for events that change
// nothing else: a failed login for an unknown account, a refused read.
func (db *DB) RecordAudit(ev portal.AuditEvent) error {
	return db.update(func(tx kv.Tx) error { return db.appendAudit(tx, ev) })
}

// openHead checks the signature on a stored head and parses the tree it signs.
func (db *DB) openHead(raw []byte) (tlog.Tree, error) {
	n, err := note.Open(raw, note.VerifierList(db.verifier))
	if err != nil {
		return tlog.Tree{}, err
	}
	// The stored bytes must be exactly what was signed: base64 decodes a last
	// character with other unused bits to the same signature, and a line of
	// an unknown key is skipped by Open; either would change the stored head
	// without failing the signature (found by FuzzVerifyAudit).
	if len(n.UnverifiedSigs) > 0 {
		return tlog.Tree{}, errors.New("store: the audit head carries a signature of an unknown key")
	}
	for _, sig := range n.Sigs {
		b, err := base64.StdEncoding.DecodeString(sig.Base64)
		if err != nil || base64.StdEncoding.EncodeToString(b) != sig.Base64 {
			return tlog.Tree{}, errors.New("store: the audit head's signature is not in its canonical encoding")
		}
	}
	return tlog.ParseTree([]byte(n.Text))
}

// AuditHead returns the signed tree head after checking its signature and that
// it describes the stored tree: its size and its hash, recomputed from the
// stored subtree hashes. An empty log has the empty tree and needs no head.
// Whether the entries still match their hashes is VerifyAudit's job.
func (db *DB) AuditHead() (tlog.Tree, error) {
	var tree tlog.Tree
	err := db.view(func(tx kv.Tx) error {
		entries, hashes, meta, err := auditBuckets(tx)
		if err != nil {
			return err
		}
		n, err := auditSize(entries, hashes)
		if err != nil {
			return err
		}
		raw := meta.Get(keyAuditHead)
		if raw == nil {
			if n != 0 {
				return fmt.Errorf("store: audit head missing for %d entries", n)
			}
			th, _ := tlog.TreeHash(0, nil) // the empty tree reads no hashes
			tree = tlog.Tree{N: 0, Hash: th}
			return nil
		}
		if tree, err = db.openHead(raw); err != nil {
			return fmt.Errorf("store: audit head: %w", err)
		}
		if tree.N != n {
			return fmt.Errorf("store: audit head signs %d entries, log has %d", tree.N, n)
		}
		th, err := tlog.TreeHash(n, boltHashes{hashes})
		if err != nil {
			return fmt.Errorf("store: audit head: %w", err)
		}
		if th != tree.Hash {
			return fmt.Errorf("store: audit head hash differs from the stored tree of %d entries", n)
		}
		return nil
	})
	return tree, err
}

// AuditEntries returns up to limit entries starting at index from, in order.
// A limit outside 1..1000 means 1000.
func (db *DB) AuditEntries(from uint64, limit int) ([]portal.AuditEvent, error) {
	if limit <= 0 || limit > maxAuditPage {
		limit = maxAuditPage
	}
	var out []portal.AuditEvent
	err := db.view(func(tx kv.Tx) error {
		entries := tx.Bucket(bucketAuditEntries)
		if entries == nil {
			return errors.New("store: audit buckets missing")
		}
		c := entries.Cursor()
		for k, v := c.Seek(itob(from)); k != nil && len(out) < limit; k, v = c.Next() {
			var r auditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("store: audit entry %d: %w", btoi(k), err)
			}
			out = append(out, r.event())
		}
		return nil
	})
	return out, err
}

// AuditReport is the outcome of VerifyAudit, as `verify-audit` prints it.
type AuditReport struct {
	Entries  uint64 // entries present in the log
	OK       bool
	FirstBad int64  // index of the first entry found changed, missing or unsigned; -1 if none
	Problem  string // what failed, in words; empty when OK
}

// frontier holds the roots of the complete subtrees of a tree of n records,
// left to right (which is also increasing stored hash index), and nothing
// else. That is all tlog reads to append record n or to hash the tree of n, so
// recomputing a log of any length needs at most 64 hashes in memory.
type frontier struct {
	index []int64
	hash  []tlog.Hash
}

func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, want := range indexes {
		j := len(f.index) - 1
		for j >= 0 && f.index[j] != want {
			j--
		}
		if j < 0 {
			return nil, fmt.Errorf("store: audit verify: hash %d not on the frontier", want)
		}
		out[i] = f.hash[j]
	}
	return out, nil
}

// push records the hashes stored for record n: the leaf and, when the record
// completes subtrees, their roots. Those subtrees absorb the len(hs)-1 smallest
// frontier roots, and the last hash is the one new root that replaces them.
func (f *frontier) push(n int64, hs []tlog.Hash) {
	keep := len(f.index) - (len(hs) - 1)
	f.index = append(f.index[:keep], tlog.StoredHashIndex(0, n)+int64(len(hs)-1))
	f.hash = append(f.hash[:keep], hs[len(hs)-1])
}

// VerifyAudit recomputes the whole log from its entries and compares it with
// what is stored and signed. It trusts no stored hash: each entry's leaf and
// subtree hashes are recomputed in memory and compared with the stored ones,
// then the recomputed tree hash is compared with the signed head. It reads in
// one transaction with cursors and keeps only the frontier (O(log n) hashes),
// so memory stays bounded however long the log grows (a million entries take
// about a megabyte of heap and some seconds). Writers are not blocked meanwhile,
// but pages they free cannot be reused until the read ends.
//
// A problem found in the data is reported, not returned as an error; the error
// is for failures to read at all. A rewrite of history that also recomputes
// every stored hash is caught only by the signed head, which cannot say where
// the rewrite began, so FirstBad stays -1 then. Rolling the whole file back to
// an earlier signed state cannot be seen from the file alone.
func (db *DB) VerifyAudit() (AuditReport, error) {
	rep := AuditReport{FirstBad: -1}
	var problems []string
	bad := func(index int64, format string, args ...any) {
		if rep.FirstBad < 0 && index >= 0 {
			rep.FirstBad = index
		}
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	err := db.view(func(tx kv.Tx) error {
		entries, hashes, meta, err := auditBuckets(tx)
		if err != nil {
			return err
		}
		var (
			fr     frontier
			n      int64 // entries recomputed so far, in order
			broken bool  // after the first bad entry, only count the rest
		)
		hc := hashes.Cursor()
		hk, hv := hc.First()
		ec := entries.Cursor()
		for k, v := ec.First(); k != nil; k, v = ec.Next() {
			rep.Entries++
			if broken {
				continue
			}
			if len(k) != 8 {
				bad(n, "entry key %x is not an index", k)
				broken = true
				continue
			}
			if i := int64(btoi(k)); i != n { // #nosec G115 -- keys are entry indexes written from n >= 0
				bad(n, "entry %d missing (the next stored entry is %d)", n, i)
				broken = true
				continue
			}
			hs, err := tlog.StoredHashes(n, v, &fr)
			if err != nil {
				return err
			}
			base := tlog.StoredHashIndex(0, n)
			for j, h := range hs {
				idx := base + int64(j)
				switch {
				case hk == nil || len(hk) != 8 || int64(btoi(hk)) != idx || len(hv) != tlog.HashSize: // #nosec G115 -- keys are hash indexes written from values >= 0
					bad(n, "entry %d: stored hash %d missing", n, idx)
				case j == 0 && !bytes.Equal(hv, h[:]):
					bad(n, "entry %d: contents differ from the hash recorded when it was written", n)
				case !bytes.Equal(hv, h[:]):
					bad(n, "entry %d: stored subtree hash %d differs from the recomputed one", n, idx)
				default:
					hk, hv = hc.Next()
					continue
				}
				broken = true
				break
			}
			if broken {
				continue
			}
			var seq struct {
				Seq *uint64 `json:"seq"`
			}
			if err := json.Unmarshal(v, &seq); err != nil || seq.Seq == nil || *seq.Seq != uint64(n) {
				bad(n, "entry %d: does not carry its own index", n)
				broken = true
				continue
			}
			fr.push(n, hs)
			n++
		}
		if !broken && hk != nil {
			bad(n, "stored hashes continue after the last entry %d: entries were removed from the end", n-1)
			broken = true
		}

		raw := meta.Get(keyAuditHead)
		if raw == nil {
			if rep.Entries > 0 {
				bad(0, "no signed tree head for %d entries", rep.Entries)
			}
			return nil
		}
		head, err := db.openHead(raw)
		if err != nil {
			bad(-1, "signed tree head does not verify: %v", err)
			return nil
		}
		if broken {
			return nil // the recomputed tree is incomplete; there is nothing to compare
		}
		if head.N != n {
			bad(min(head.N, n), "signed tree head covers %d entries, the log has %d", head.N, n)
			return nil
		}
		th, err := tlog.TreeHash(n, &fr)
		if err != nil {
			return err
		}
		if th != head.Hash {
			bad(-1, "tree hash of %d entries differs from the signed head: history was rewritten", n)
		}
		return nil
	})
	if err != nil {
		return AuditReport{}, fmt.Errorf("store: verify audit: %w", err)
	}
	rep.OK = len(problems) == 0
	rep.Problem = strings.Join(problems, "; ")
	return rep, nil
}
