// Package kv is the store's engine seam: named buckets of ordered byte keys
// (bytewise order), snapshot reads, and read-write transactions that run one at
// a time across the whole deployment. The store's logic (package store) is
// written against these interfaces only; an engine (boltkv for the embedded
// bbolt file, pgkv for PostgreSQL) implements them. See
// ../shared/design/scale-out.md §6.1 for the design.
//
// The contract every engine keeps, checked by the conformance suite in
// kv/kvtest:
//
//   - Keys sort bytewise (bytes.Compare), in every bucket, for every cursor.
//   - View runs fn in one consistent snapshot; any number may run at once.
//   - Update runs fn in a read-write transaction; at most one runs at a time
//     across every process sharing the engine, so a read-modify-write inside
//     one Update is serializable. Its writes are visible to its own reads
//     (Get and cursors) before commit.
//   - Batch is Update for frequent independent writes: calls that arrive
//     together may share one commit, and fn may run more than once (when
//     another call of the same batch fails), so fn must change nothing outside
//     the transaction except overwriting its own results.
//   - Sticky errors. Get and cursor moves have no error result (they keep
//     bbolt's signatures so that the store's helpers stay simple). An engine
//     that can fail there (a network, a disk) records its first error in the
//     transaction and answers nil from then on; View, Update and Batch then
//     roll back and return that error whatever fn returned. A nil that was
//     really an engine failure can therefore never be committed, nor shown to
//     anyone as "not found".
//   - A commit whose outcome is unknown (the connection died during COMMIT)
//     returns an error wrapping ErrOutcomeUnknown, never nil and never an
//     error that claims the transaction was rolled back.
//   - Values returned by Get and cursors are valid only until the transaction
//     ends, and must not be modified; copy them to keep them.
//   - NextSequence is transactional and gapless: a rolled-back transaction
//     rolls its sequence back too.
//   - Buckets are flat (no nested buckets).
package kv

import (
	"context"
	"errors"
	"io"
)

// Engine is one database: an embedded file or a server.
type Engine interface {
	// View runs fn in a read-only snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in the one read-write transaction; it commits when fn
	// returns nil and the transaction recorded no engine error.
	Update(ctx context.Context, fn func(Tx) error) error
	// Batch is Update that may share its commit with concurrent calls; fn may
	// run more than once.
	Batch(ctx context.Context, fn func(Tx) error) error
	// Close releases the engine; transactions in progress finish first.
	Close() error
}

// Tx is one transaction.
type Tx interface {
	// Bucket returns the named bucket, or nil when it does not exist.
	Bucket(name []byte) Bucket
	// CreateBucket creates a bucket; ErrBucketExists if it is there already.
	CreateBucket(name []byte) (Bucket, error)
	// CreateBucketIfNotExists returns the named bucket, creating it if needed.
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	// DeleteBucket removes a bucket and all its keys; ErrBucketNotFound if
	// there is none.
	DeleteBucket(name []byte) error
	// ForEachBucket calls fn with each bucket's name, in bytewise order.
	ForEachBucket(fn func(name []byte) error) error
	// Writable reports whether this is a read-write transaction.
	Writable() bool
	// Err is the first engine error recorded in this transaction (nil when
	// none); View, Update and Batch return it and roll back.
	Err() error
}

// Bucket is a set of keys in bytewise order.
type Bucket interface {
	// Get returns the value of key, or nil when absent (or after an engine
	// error, which Tx.Err then reports).
	Get(key []byte) []byte
	// Put sets key to value. Neither may be modified until the transaction
	// ends. ErrTxNotWritable in a read-only transaction.
	Put(key, value []byte) error
	// Delete removes key; removing an absent key is not an error.
	Delete(key []byte) error
	// NextSequence increments and returns the bucket's sequence.
	NextSequence() (uint64, error)
	// Sequence returns the bucket's current sequence.
	Sequence() uint64
	// SetSequence sets the bucket's sequence.
	SetSequence(v uint64) error
	// Cursor returns a cursor over the bucket's keys.
	Cursor() Cursor
	// ForEach calls fn with each key and value in order; fn must not change
	// the bucket.
	ForEach(fn func(k, v []byte) error) error
	// KeyN counts the bucket's keys (reports and backups, not hot paths).
	KeyN() int
	// SetFillPercent is a hint for append-only buckets (bbolt fills their
	// pages fully); engines without pages ignore it.
	SetFillPercent(p float64)
}

// Cursor walks a bucket's keys. Each move returns the key and value it lands
// on, or nil, nil past the end (or after an engine error).
type Cursor interface {
	First() (key, value []byte)
	Last() (key, value []byte)
	// Seek moves to key, or to the first key after it.
	Seek(seek []byte) (key, value []byte)
	Next() (key, value []byte)
	Prev() (key, value []byte)
	// Delete removes the key the cursor is on; the next Next continues after it.
	Delete() error
}

// FileBackup is what only an embedded engine offers: a consistent hot copy of
// its file and a check of its pages (backup.go and CheckFile).
type FileBackup interface {
	// Backup writes a consistent copy of the whole database to w.
	Backup(w io.Writer) (int64, error)
	// CheckPages verifies the file's internal structure.
	CheckPages() error
	// Size is the size of the database in bytes.
	Size() (int64, error)
}

// BulkLoader is an engine that can fill an empty database faster by giving up
// durability until fn returns (seed -n only).
type BulkLoader interface {
	BulkLoad(fn func() error) error
}

// AdminLocker is an engine shared by several processes (a server): schema
// changes, migrations and administrative commands take its admin lock so that
// one process at a time runs them across the deployment. An embedded engine
// has one process by construction and does not implement it.
type AdminLocker interface {
	// LockAdmin takes the admin lock and holds it until unlock is called.
	// Without wait it answers ErrAdminBusy at once when another process
	// holds it.
	LockAdmin(ctx context.Context, wait bool) (unlock func() error, err error)
}

// UnlockedPutter is an engine that can set one key outside the writer lock,
// for hot values that depend on no other key (sessions, design §6.3).
type UnlockedPutter interface {
	PutUnlocked(ctx context.Context, bucket, key, value []byte) error
}

// Errors every engine uses, so the store can tell them apart whatever the engine.
var (
	ErrBucketNotFound = errors.New("kv: bucket not found")
	ErrBucketExists   = errors.New("kv: bucket already exists")
	ErrTxNotWritable  = errors.New("kv: transaction not writable")
	// ErrOutcomeUnknown wraps a commit that may or may not have been saved:
	// the connection failed during COMMIT. The page says so and keeps the
	// input; a retried submission must be idempotent.
	ErrOutcomeUnknown = errors.New("kv: the outcome of the commit is unknown")
	// ErrUnavailable wraps a transaction that could not reach a usable
	// server (none answers, none is writable: an election in progress) or
	// lost its connection before COMMIT: nothing of it was saved, and trying
	// again shortly may succeed.
	ErrUnavailable = errors.New("kv: the database is unavailable")
	// ErrFull is a write refused because the database reached its size limit
	// or is read-only.
	ErrFull = errors.New("kv: database full or read-only")
	// ErrLocked is an embedded file already held by another process.
	ErrLocked = errors.New("kv: database is in use by another process")
	// ErrAdminBusy is LockAdmin without waiting while another process holds
	// the admin lock.
	ErrAdminBusy = errors.New("kv: another administrative process is running")
)
