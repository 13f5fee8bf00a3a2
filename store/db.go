// Package store keeps the portal's data in one bbolt file: accounts, sessions,
// cases and the tamper-evident audit log. Personal fields are encrypted before
// they reach bbolt. See doc.go for the bucket tree.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/mod/sumdb/note"

	"sealportal/portal"
	"sealportal/store/kv"
)

// DB is the portal's store. Every exported method is one domain operation in
// one bbolt transaction.
type DB struct {
	bolt     *bbolt.DB
	path     string
	now      portal.Clock
	crypt    *crypter
	ring     *keyring // the KEK and the rotation lock (keyring.go)
	signer   note.Signer
	verifier note.Verifier
}

// Options configure Open.
type Options struct {
	Keys        Keys
	Clock       portal.Clock  // defaults to the wall clock
	LockTimeout time.Duration // defaults to one second
	MaxSize     int           // bytes; 0 means no limit
	ReadOnly    bool
}

// ErrLocked is returned when another process holds the database file.
var ErrLocked = errors.New("store: database is in use by another process")

// Open opens (creating if needed) the database at path and runs pending
// migrations. A second process fails after the lock timeout with ErrLocked.
func Open(path string, opt Options) (*DB, error) {
	if opt.Clock == nil {
		opt.Clock = portal.SystemClock
	}
	if opt.LockTimeout == 0 {
		opt.LockTimeout = time.Second
	}
	signer, err := note.NewSigner(opt.Keys.AuditSigner)
	if err != nil {
		return nil, fmt.Errorf("store: audit signer: %w", err)
	}
	verifier, err := note.NewVerifier(opt.Keys.AuditVerifier)
	if err != nil {
		return nil, fmt.Errorf("store: audit verifier: %w", err)
	}
	crypt, err := newCrypter(opt.Keys.Index)
	if err != nil {
		return nil, err
	}
	if len(opt.Keys.KEK) != 32 {
		return nil, errors.New("store: the key-encryption key must be 32 bytes")
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opt.LockTimeout, MaxSize: opt.MaxSize, ReadOnly: opt.ReadOnly})
	if err != nil {
		if errors.Is(err, kv.ErrLocked) {
			return nil, fmt.Errorf("%w: %s (is the portal already running?)", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path, now: opt.Clock, crypt: crypt, signer: signer, verifier: verifier}
	if !opt.ReadOnly {
		// Migration 8 wraps an older keys file's data key under the KEK.
		migrationKeys.Store(b, migrationInput{keys: opt.Keys, now: opt.Clock()})
		err := db.migrate()
		migrationKeys.Delete(b)
		if err != nil {
			_ = b.Close() // the error above is the one to report
			return nil, err
		}
	} else if err := db.checkSchema(); err != nil {
		_ = b.Close() // the error above is the one to report
		return nil, err
	}
	if err := db.openKeyring(opt.Keys, opt.ReadOnly); err != nil {
		_ = b.Close() // the error above is the one to report
		return nil, err
	}
	if !opt.ReadOnly {
		// Indexes of cases written before them need the keyring: the
		// workbench's (issue 18, workbench.go) and the desk's (issue 16, desk.go).
		err := db.backfillWorkbench()
		if err == nil {
			err = db.deskBuild()
		}
		if err == nil {
			err = db.backfillStatistics() // issue 17 (statistics.go)
		}
		if err != nil {
			_ = b.Close() // the error above is the one to report
			return nil, err
		}
	}
	return db, nil
}

// Close closes the database file.
func (db *DB) Close() error { return db.bolt.Close() }

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Ping checks that the store answers a read transaction (for /readyz).
func (db *DB) Ping() error {
	return db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("store: meta bucket missing")
		}
		return nil
	})
}

// update runs fn in one write transaction, translating bbolt's storage-full
// error into a domain error the user can be shown.
func (db *DB) update(fn func(tx kv.Tx) error) error {
	err := db.update(fn)
	if errors.Is(err, kv.ErrFull) || errors.Is(err, kv.ErrFull) {
		return &portal.Error{Code: portal.CodeInternal, Key: "error.storage_full", Err: err}
	}
	return err
}

// batch is update for frequent, independent writes such as a case's steps
// (submissions, decisions): calls that arrive together share one transaction
// and one fsync (bbolt's Batch, at most 10 ms of waiting), so throughput under
// load is no longer one fsync per request. bbolt may run fn more than once
// (when another call in the same batch fails, each is retried alone), so fn
// must change nothing outside the transaction except overwriting its results.
func (db *DB) batch(fn func(tx kv.Tx) error) error {
	err := db.batch(fn)
	if errors.Is(err, kv.ErrFull) || errors.Is(err, kv.ErrFull) {
		return &portal.Error{Code: portal.CodeInternal, Key: "error.storage_full", Err: err}
	}
	return err
}

// BulkLoad runs fn, which fills an empty database (seed -n), without an fsync
// per transaction, then syncs the file once: a million synthetic cases are
// bound by the CPU instead of by thousands of disk flushes. A crash in the
// middle can leave the file unusable, which is acceptable only because the
// database was empty: delete it and seed again.
func (db *DB) BulkLoad(fn func() error) error {
	setNoSync(db, true)
	err := fn()
	setNoSync(db, false)
	if serr := syncFile(db); err == nil && serr != nil {
		err = fmt.Errorf("store: sync after bulk load: %w", serr)
	}
	return err
}

// view runs fn in one read transaction.
func (db *DB) view(fn func(tx kv.Tx) error) error { return db.view(fn) }

// itob encodes an id as an 8-byte big-endian key, so that keys sort by id.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// btoi decodes an 8-byte big-endian key.
func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// copyBytes copies a value out of a transaction: bbolt's slices are only valid
// until it ends.
func copyBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
