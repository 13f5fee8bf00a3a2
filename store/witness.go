package store

import (
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"sealportal/store/kv"
)

// The witnessed audit head (issue 15, design §6.4). The signed tree head is
// copied every minute somewhere outside the database (the root package's
// witness.go); at start-up the portal proves with a tlog consistency proof
// that the database's log extends the last head so witnessed. A restore of an
// older copy, or a failover to a standby that had not received the last
// commits, loses audit entries that were acknowledged; the proof fails and
// the portal refuses to serve instead of signing a new history over the gap.

// ErrAuditLost is the error of CheckAuditExtends when the database's log is
// not an extension of the witnessed head: entries the witness saw are missing
// or were replaced.
var ErrAuditLost = errors.New("store: the audit log does not extend the witnessed head")

// SignedAuditHead returns the signed tree head as stored (the note's bytes,
// which a witness keeps) and the tree it signs, after checking it against the
// stored tree as AuditHead does. An empty log has no signed head: raw is nil.
func (db *DB) SignedAuditHead() (raw []byte, tree tlog.Tree, err error) {
	err = db.view(func(tx kv.Tx) error {
		var e error
		raw, tree, e = db.auditHeadIn(tx)
		raw = copyBytes(raw)
		return e
	})
	return raw, tree, err
}

// auditHeadIn reads and checks the signed head of tx: its signature, its size
// against the entries, its hash against the stored subtree hashes.
func (db *DB) auditHeadIn(tx kv.Tx) ([]byte, tlog.Tree, error) {
	entries, hashes, meta, err := auditBuckets(tx)
	if err != nil {
		return nil, tlog.Tree{}, err
	}
	n, err := auditSize(entries, hashes)
	if err != nil {
		return nil, tlog.Tree{}, err
	}
	raw := meta.Get(keyAuditHead)
	if raw == nil {
		if n != 0 {
			return nil, tlog.Tree{}, fmt.Errorf("store: audit head missing for %d entries", n)
		}
		th, _ := tlog.TreeHash(0, nil) // the empty tree reads no hashes
		return nil, tlog.Tree{N: 0, Hash: th}, nil
	}
	tree, err := db.openHead(raw)
	if err != nil {
		return nil, tlog.Tree{}, fmt.Errorf("store: audit head: %w", err)
	}
	if tree.N != n {
		return nil, tlog.Tree{}, fmt.Errorf("store: audit head signs %d entries, log has %d", tree.N, n)
	}
	th, err := tlog.TreeHash(n, boltHashes{hashes})
	if err != nil {
		return nil, tlog.Tree{}, fmt.Errorf("store: audit head: %w", err)
	}
	if th != tree.Hash {
		return nil, tlog.Tree{}, fmt.Errorf("store: audit head hash differs from the stored tree of %d entries", n)
	}
	return raw, tree, nil
}

// CheckAuditExtends checks that the database's audit log extends the head
// witnessed (a signed note SignedAuditHead returned earlier, by this server
// or another): the witness's signature must verify with the audit key, and a
// consistency proof from the stored hashes must lead from the witnessed tree
// to the current one. It returns the witnessed and the current tree. The
// error wraps ErrAuditLost when entries are missing or different; other
// errors mean the witness or the database could not be read as such.
func (db *DB) CheckAuditExtends(witnessed []byte) (old, cur tlog.Tree, err error) {
	_, old, cur, err = db.AuditHeadExtending(witnessed)
	return old, cur, err
}

// AuditHeadExtending is CheckAuditExtends that also returns the current
// signed head, read in the same snapshot as the proof. A witness writes that
// head and no other: a head read in a later transaction may come from another
// node (a failover between the two reads) whose log does not extend the
// witnessed one, and the witness would then move back to a shorter history
// (issue 15). A nil witnessed (no head witnessed yet) only reads the head.
func (db *DB) AuditHeadExtending(witnessed []byte) (head []byte, old, cur tlog.Tree, err error) {
	if witnessed != nil {
		if old, err = db.openHead(witnessed); err != nil {
			return nil, old, cur, fmt.Errorf("store: the witnessed audit head does not verify with this portal's audit key: %w", err)
		}
	}
	err = db.view(func(tx kv.Tx) error {
		var e error
		if head, cur, e = db.auditHeadIn(tx); e != nil {
			return e
		}
		head = copyBytes(head)
		switch {
		case old.N == 0:
			return nil
		case cur.N < old.N:
			return fmt.Errorf("%w: the database holds %d entries, the witness saw %d (%d lost)", ErrAuditLost, cur.N, old.N, old.N-cur.N)
		}
		hashes := boltHashes{tx.Bucket(bucketAuditHashes)}
		proof, e := tlog.ProveTree(cur.N, old.N, hashes)
		if e != nil {
			return fmt.Errorf("store: audit consistency proof: %w", e)
		}
		if e := tlog.CheckTree(proof, cur.N, cur.Hash, old.N, old.Hash); e != nil {
			return fmt.Errorf("%w: the first %d entries differ from those the witness saw (%v)", ErrAuditLost, old.N, e)
		}
		return nil
	})
	return head, old, cur, err
}
