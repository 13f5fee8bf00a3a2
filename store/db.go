// Package store keeps the portal's data (accounts, sessions, cases and the
// tamper-evident audit log) in a kv engine: by default one bbolt file
// (kv/boltkv). Personal fields are encrypted before they reach the engine.
// See doc.go for the bucket tree and the engine seam.
package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"sealportal/portal"
	"sealportal/store/blob"
	"sealportal/store/kv"
	"sealportal/store/kv/boltkv"
)

// DB is the portal's store. Every exported method is one domain operation in
// one engine transaction.
type DB struct {
	eng      kv.Engine
	path     string
	now      portal.Clock
	crypt    *crypter
	ring     *keyring // the KEK and the rotation lock (keyring.go)
	signer   note.Signer
	verifier note.Verifier
	// migrating is Open's keys while the migrations run (migrationKeys).
	migrating *migrationInput
	group     *groupCommit // grouped commits of audited searches (groupcommit.go)
	accounts  *accountMemo // the signed-in accounts' last decode (accountmemo.go); nil: none kept
	// submission is the form submission this copy of the store writes for
	// (DB.Submission, idempotency.go); nil: none.
	submission *submission
	// blobs is the external object store of documents (documents.go); nil:
	// the engine keeps them (engineBlobs).
	blobs blob.Store
	sweep *sweepState // the orphan sweeper's place (documents.go), shared by copies
}

// Options configure Open.
type Options struct {
	Keys        Keys
	Clock       portal.Clock  // defaults to the wall clock
	LockTimeout time.Duration // defaults to one second
	MaxSize     int           // bytes; 0 means no limit
	ReadOnly    bool
	// Blobs is where documents' objects go (issue 15, documents.go): nil
	// keeps them in the engine, the embedded default.
	Blobs blob.Store
}

// ErrLocked is returned when another process holds the database file (the
// engine's kv.ErrLocked).
var ErrLocked = errors.New("store: database is in use by another process")

// Open opens (creating if needed) the store at location and runs pending
// migrations: the bbolt database file at that path, or, for a postgres://
// URL, that PostgreSQL database (OpenURL). On bbolt a second process fails
// after the lock timeout with ErrLocked.
func Open(path string, opt Options) (*DB, error) {
	if IsDatabaseURL(path) {
		return OpenURL(path, opt)
	}
	// The keys are checked before the file is opened, as before the seam.
	if err := checkKeys(opt.Keys); err != nil {
		return nil, err
	}
	eng, err := boltkv.Open(path, boltkv.Options{LockTimeout: opt.LockTimeout, MaxSize: opt.MaxSize, ReadOnly: opt.ReadOnly})
	if err != nil {
		if errors.Is(err, kv.ErrLocked) {
			return nil, fmt.Errorf("%w: %s (is the portal already running?)", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return OpenEngine(eng, path, opt)
}

// checkKeys refuses keys the store cannot use, before anything is opened.
func checkKeys(keys Keys) error {
	if _, err := note.NewSigner(keys.AuditSigner); err != nil {
		return fmt.Errorf("store: audit signer: %w", err)
	}
	if _, err := note.NewVerifier(keys.AuditVerifier); err != nil {
		return fmt.Errorf("store: audit verifier: %w", err)
	}
	if _, err := newCrypter(keys.Index); err != nil {
		return err
	}
	if len(keys.KEK) != 32 {
		return errors.New("store: the key-encryption key must be 32 bytes")
	}
	return nil
}

// OpenEngine opens the store on an engine that is already open (name is what
// Path reports: the file, or the server's name without credentials), runs
// pending migrations and loads the keyring. The store owns eng from then on:
// on error it is closed, and DB.Close closes it.
func OpenEngine(eng kv.Engine, name string, opt Options) (*DB, error) {
	db, err := openEngine(eng, name, opt)
	if err != nil {
		_ = eng.Close() // the error above is the one to report
		return nil, err
	}
	return db, nil
}

func openEngine(eng kv.Engine, path string, opt Options) (*DB, error) {
	if opt.Clock == nil {
		opt.Clock = portal.SystemClock
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
	db := &DB{eng: eng, path: path, now: opt.Clock, crypt: crypt, signer: signer, verifier: verifier, accounts: &accountMemo{}, group: &groupCommit{}, blobs: opt.Blobs, sweep: &sweepState{}}
	maintain := !opt.ReadOnly // migrations and back-fills are run here
	if !opt.ReadOnly {
		// On a shared engine (PostgreSQL) the migrations and back-fills run
		// under the admin lock: one starting process migrates, the others
		// wait and then find nothing left to do.
		// When another process holds the lock and the schema is already
		// current, that process is an administrative command (which ran
		// the migrations and back-fills when it opened the store) or a
		// server finishing its back-fills: start without waiting for it
		// and leave them to it, or a long key rotation would keep every
		// server from starting.
		unlock, err := db.LockAdmin(false)
		if errors.Is(err, kv.ErrAdminBusy) {
			if db.checkSchema() == nil {
				unlock, err, maintain = func() error { return nil }, nil, false
			} else {
				unlock, err = db.LockAdmin(true)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("store: waiting for the admin lock to migrate: %w", err)
		}
		defer func() { _ = unlock() }()
		if maintain {
			// Migration 8 wraps an older keys file's data key under the KEK.
			db.migrating = &migrationInput{keys: opt.Keys, now: opt.Clock()}
			err = db.migrate()
			db.migrating = nil
			if err != nil {
				return nil, err
			}
		}
	} else if err := db.checkSchema(); err != nil {
		return nil, err
	}
	if err := db.openKeyring(opt.Keys, opt.ReadOnly); err != nil {
		return nil, err
	}
	if maintain {
		// Indexes of cases written before them need the keyring: the
		// workbench's (issue 18, workbench.go) and the desk's (issue 16, desk.go).
		// Sealed records in the form of before the codec (issue 19,
		// codec_migrate.go) are rewritten first, in batches; they read either way.
		err := db.rewriteLegacyRecords(codecRewriteBatch, 0)
		if err == nil {
			err = db.backfillWorkbench()
		}
		if err == nil {
			err = db.deskBuild()
		}
		if err == nil {
			err = db.backfillStatistics() // issue 17 (statistics.go)
		}
		if err == nil {
			err = db.resumeCalendarRecompute() // issue 15 (calendar_batches.go)
		}
		if err != nil {
			return nil, err
		}
	}
	return db, nil
}

// Close closes the engine.
func (db *DB) Close() error { return db.eng.Close() }

// Path is the database file's path (the name given to OpenEngine).
func (db *DB) Path() string { return db.path }

// Engine is the engine under the store (for tools and tests; the store's
// logic never leaves its own methods).
func (db *DB) Engine() kv.Engine { return db.eng }

// Ping checks that the store answers a read transaction (for /readyz), and,
// on a server engine, that the server is a writable primary (design §6.8:
// the load balancer drains the app servers while no primary is reachable).
func (db *DB) Ping() error {
	if r, ok := db.eng.(interface{ Ready(context.Context) error }); ok {
		if err := r.Ready(context.Background()); err != nil {
			return err
		}
	}
	return db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("store: meta bucket missing")
		}
		return nil
	})
}

// update runs fn in one write transaction, translating the engine's
// storage-full error into a domain error the user can be shown. The engine
// returns the transaction's sticky error (Tx.Err) whatever fn returned, and
// then rolls back (kv's contract).
func (db *DB) update(fn func(tx kv.Tx) error) error {
	return storageFull(db.eng.Update(context.Background(), db.fresh(db.submissionFirst(fn))))
}

// storageFull makes a write refused by a full or read-only database a domain
// error (error.storage_full), and a commit of unknown outcome one too
// (outcomeUnknown, idempotency.go); other errors pass unchanged.
func storageFull(err error) error {
	if err != nil && errors.Is(err, kv.ErrFull) {
		return &portal.Error{Code: portal.CodeInternal, Key: "error.storage_full", Err: err}
	}
	return outcomeUnknown(err)
}

// batch is update for frequent, independent writes such as a case's steps
// (submissions, decisions): calls that arrive together share one transaction
// and one fsync (bbolt's Batch, at most 10 ms of waiting), so throughput under
// load is no longer one fsync per request. The engine may run fn more than
// once (when another call in the same batch fails, each is retried alone), so
// fn must change nothing outside the transaction except overwriting its
// results.
func (db *DB) batch(fn func(tx kv.Tx) error) error {
	return storageFull(db.eng.Batch(context.Background(), db.fresh(db.submissionFirst(fn))))
}

// BulkLoad runs fn, which fills an empty database (seed -n), without an fsync
// per transaction, then syncs the file once: a million synthetic cases are
// bound by the CPU instead of by thousands of disk flushes. A crash in the
// middle can leave the file unusable, which is acceptable only because the
// database was empty: delete it and seed again.
// An engine without a bulk mode runs fn as it is.
func (db *DB) BulkLoad(fn func() error) error {
	if bl, ok := db.eng.(kv.BulkLoader); ok {
		return bl.BulkLoad(fn)
	}
	return fn()
}

// view runs fn in one read transaction; the engine returns its sticky error.
func (db *DB) view(fn func(tx kv.Tx) error) error {
	return db.eng.View(context.Background(), fn)
}

// itob encodes an id as an 8-byte big-endian key, so that keys sort by id.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// btoi decodes an 8-byte big-endian key.
func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// copyBytes copies a value out of a transaction: the engine's slices are only
// valid until it ends.
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
