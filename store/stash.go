package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// A stash keeps short-lived sealed values that a browser names with a random
// token: a form's answer across its redirect (form_states), the eligibility
// check's answers between pages (check_answers), a desk search
// (desk_searches), a workbench results page (workbench_states), an
// official's username and one-time password for the administrator who made
// the account (official_handovers). Each is the same shape:
//
//   - a row key derived from the token (its hash, or the id the token
//     "<id>.<random>" starts with, whose random part is then checked against
//     a keyed hash kept in the value);
//   - a value sealed (AES-GCM, crypt.go) bound to the stash's kind, an id
//     read from the key, and a field, registered in rotate.go;
//   - optionally bound to an account: anyone else's reads are not found;
//   - a lapse time after which the value is not found, and a sweep, run by
//     every write, that deletes what has lapsed (and what no longer opens).
//
// The stash implements that shape once; each of the five declares its
// bucket, seal binding, sweep and accessors and keeps its own bucket layout.
// Every method runs inside the caller's transaction.
type stash[T any] struct {
	bucket []byte
	kind   string // the seal's kind (registered in rotate.go, see stashes)
	field  string // the seal's field
	// envelope: the value is sealJSON's envelope; otherwise the value's
	// JSON is sealed as one ciphertext (crypter.seal).
	envelope bool
	// lazy: the bucket is created by the first write (a view may find none).
	lazy bool
	// sealID is the id the sealed value is bound to, read from its key.
	sealID func(k []byte) uint64
	// lapses is the instant from which the value is not found.
	lapses func(v *T) time.Time
	// owner is the account the value is bound to (nil: bound to none).
	owner func(v *T) uint64
	// tokenHash is the keyed hash of the token kept in the value (nil: the
	// key itself comes from the whole token, nothing to check).
	tokenHash func(v *T) []byte
	// How the sweep finds lapsed values, one of:
	//   byExpiry: an index bucket, lapse (8 bytes, UnixNano) | key -> "",
	//     walked from its front, at most stashSweepBound rows per write;
	//   prefix > 0: the rows whose key shares the written key's first
	//     prefix bytes (one account's), all read;
	//   otherwise keys grow with time (a sequence, or account ids) and each
	//     value lives at least ttl after born: the walk starts at the front
	//     and stops at the first value born within ttl, since every later
	//     one is younger still.
	byExpiry []byte
	prefix   int
	born     func(v *T) time.Time
	ttl      time.Duration
}

// stashSweepBound bounds the rows one write sweeps through an expiry index,
// so that no write pays for a long backlog.
const stashSweepBound = 100

// sealerRegistration is a seal binding that TestEverySealCallIsRegistered
// cannot read at the seal call: a stash's or a tracked file kind's
// (trackedfile.go) methods seal with the kind and field they were declared
// with, and declaring one registers them here.
type sealerRegistration struct{ kind, field string }

// sealers lists those bindings (registerSealer adds one).
var sealers []sealerRegistration

func registerSealer(kind, field string) {
	sealers = append(sealers, sealerRegistration{kind: kind, field: field})
}

func newStash[T any](s stash[T]) *stash[T] {
	registerSealer(s.kind, s.field)
	return &s
}

// seal encrypts v for the row at key k.
func (s *stash[T]) seal(db *DB, k []byte, v *T) ([]byte, error) {
	if s.envelope {
		return db.crypt.sealJSON(s.kind, s.sealID(k), s.field, v)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encode %s: %w", s.kind, err)
	}
	return db.crypt.seal(s.kind, s.sealID(k), s.field, body), nil
}

// open decrypts the value of the row at key k.
func (s *stash[T]) open(db *DB, k, raw []byte) (T, error) {
	var v T
	if s.envelope {
		return v, db.crypt.openJSON(s.kind, s.sealID(k), s.field, raw, &v)
	}
	body, err := db.crypt.open(s.kind, s.sealID(k), s.field, raw)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return v, fmt.Errorf("store: decode %s: %w", s.kind, err)
	}
	return v, nil
}

// writable is the stash's bucket in an update, created if lazy.
func (s *stash[T]) writable(tx kv.Tx) (kv.Bucket, error) {
	if s.lazy {
		return tx.CreateBucketIfNotExists(s.bucket)
	}
	return tx.Bucket(s.bucket), nil
}

// nextID is a new id of the stash's sequence (keys that grow with time).
func (s *stash[T]) nextID(tx kv.Tx) (uint64, error) {
	b, err := s.writable(tx)
	if err != nil {
		return 0, err
	}
	return b.NextSequence()
}

// newToken is a token naming id and the keyed hash the value keeps of it.
func (s *stash[T]) newToken(db *DB, id uint64) (token string, hash []byte) {
	token = newToken(id)
	return token, db.crypt.blind("token:"+s.kind, token)
}

// put sweeps what has lapsed, then stores v at key k (replacing a value
// there, and its expiry index row).
func (s *stash[T]) put(db *DB, tx kv.Tx, k []byte, v T) error {
	b, err := s.writable(tx)
	if err != nil {
		return err
	}
	if err := s.sweep(db, tx, b, k); err != nil {
		return err
	}
	if s.byExpiry != nil {
		if err := s.drop(db, tx, k); err != nil {
			return err
		}
	}
	raw, err := s.seal(db, k, &v)
	if err != nil {
		return err
	}
	if err := b.Put(k, raw); err != nil {
		return err
	}
	if s.byExpiry != nil {
		return tx.Bucket(s.byExpiry).Put(append(expiryKey(s.lapses(&v)), k...), nil)
	}
	return nil
}

// peek reads the value at key k for owner (ignored when the stash binds no
// account); a missing, lapsed or foreign one is not found. A value that does
// not open is an error.
func (s *stash[T]) peek(db *DB, tx kv.Tx, k []byte, owner uint64) (T, error) {
	var zero T
	b := tx.Bucket(s.bucket)
	if b == nil {
		return zero, portal.NotFound()
	}
	raw := b.Get(k)
	if raw == nil {
		return zero, portal.NotFound()
	}
	v, err := s.open(db, k, raw)
	if err != nil {
		return zero, err
	}
	if (s.owner != nil && s.owner(&v) != owner) || !db.now().Before(s.lapses(&v)) {
		return zero, portal.NotFound()
	}
	return v, nil
}

// peekToken reads the value a token "<id>.<random>" names (its key is the
// id), checking the token against the keyed hash the value keeps.
func (s *stash[T]) peekToken(db *DB, tx kv.Tx, token string, owner uint64) (uint64, T, error) {
	var zero T
	id, ok := tokenID(token)
	if !ok {
		return 0, zero, portal.NotFound()
	}
	v, err := s.peek(db, tx, itob(id), owner)
	if err != nil {
		return 0, zero, err
	}
	if !db.crypt.blindMatches(s.tokenHash(&v), "token:"+s.kind, token) {
		return 0, zero, portal.NotFound()
	}
	return id, v, nil
}

// take reads the value at key k like peek and deletes it.
func (s *stash[T]) take(db *DB, tx kv.Tx, k []byte, owner uint64) (T, error) {
	v, err := s.peek(db, tx, k, owner)
	if err != nil {
		return v, err
	}
	return v, s.drop(db, tx, k)
}

// drop deletes the value at key k, if any, and its expiry index row.
func (s *stash[T]) drop(db *DB, tx kv.Tx, k []byte) error {
	b := tx.Bucket(s.bucket)
	if b == nil {
		return nil
	}
	if s.byExpiry != nil {
		raw := b.Get(k)
		if raw == nil {
			return nil
		}
		// A value that no longer opens (a retired key) is left to the
		// sweep's index row, which deletes it at its lapse anyway.
		if v, err := s.open(db, k, raw); err == nil {
			if err := tx.Bucket(s.byExpiry).Delete(append(expiryKey(s.lapses(&v)), k...)); err != nil {
				return err
			}
		}
	}
	return b.Delete(k)
}

// sweep deletes the lapsed values that the stash's sweep reaches (see the
// type); k is the key being written.
func (s *stash[T]) sweep(db *DB, tx kv.Tx, b kv.Bucket, k []byte) error {
	now := db.now()
	if s.byExpiry != nil {
		idx := tx.Bucket(s.byExpiry)
		c := idx.Cursor()
		limit := expiryKey(now)
		n := 0
		for ik, _ := c.First(); ik != nil && n < stashSweepBound && string(ik[:8]) <= string(limit); ik, _ = c.First() {
			if err := b.Delete(ik[8:]); err != nil {
				return err
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	}
	var stale [][]byte
	c := b.Cursor()
	if s.prefix > 0 {
		prefix := k[:s.prefix]
		for rk, v := c.Seek(prefix); rk != nil && bytes.HasPrefix(rk, prefix); rk, v = c.Next() {
			if val, err := s.open(db, rk, v); err != nil || !now.Before(s.lapses(&val)) {
				stale = append(stale, copyBytes(rk))
			}
		}
	} else {
		for rk, v := c.First(); rk != nil; rk, v = c.Next() {
			val, err := s.open(db, rk, v)
			if err != nil {
				stale = append(stale, copyBytes(rk)) // unreadable: nobody can use it
				continue
			}
			if now.Before(s.born(&val).Add(s.ttl)) {
				break
			}
			if !now.Before(s.lapses(&val)) {
				stale = append(stale, copyBytes(rk))
			}
		}
	}
	for _, rk := range stale {
		if err := b.Delete(rk); err != nil {
			return err
		}
	}
	return nil
}

func expiryKey(t time.Time) []byte { return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())) }
