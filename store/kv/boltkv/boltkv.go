// Package boltkv is the embedded engine of the store's kv seam: one bbolt
// file, one process. It is the only package of the project that imports
// bbolt. Its wrappers are single-pointer structs held in interfaces by value,
// so a Get, a Bucket or a cursor move allocates nothing beyond what bbolt does.
package boltkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"sealportal/store/kv"
)

// Options configure Open.
type Options struct {
	LockTimeout time.Duration // waiting for another process's lock; defaults to one second
	MaxSize     int           // bytes; 0 means no limit
	ReadOnly    bool
}

// Engine is a bbolt file as a kv.Engine (also kv.FileBackup and kv.BulkLoader).
type Engine struct {
	db *bbolt.DB
}

var (
	_ kv.Engine     = (*Engine)(nil)
	_ kv.FileBackup = (*Engine)(nil)
	_ kv.BulkLoader = (*Engine)(nil)
)

// Open opens (creating if needed) the bbolt file at path. Another process
// holding it makes Open fail after the lock timeout with an error wrapping
// kv.ErrLocked.
func Open(path string, opt Options) (*Engine, error) {
	if opt.LockTimeout == 0 {
		opt.LockTimeout = time.Second
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opt.LockTimeout, MaxSize: opt.MaxSize, ReadOnly: opt.ReadOnly})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s (is the portal already running?)", kv.ErrLocked, path)
		}
		return nil, err // the file system's or bbolt's error; the caller names the file
	}
	return &Engine{db: db}, nil
}

// Close closes the file; transactions in progress finish first.
func (e *Engine) Close() error { return e.db.Close() }

// Path is the file's path.
func (e *Engine) Path() string { return e.db.Path() }

// View runs fn in a read-only transaction.
func (e *Engine) View(_ context.Context, fn func(kv.Tx) error) error {
	return e.db.View(func(t *bbolt.Tx) error { return fn(tx{t}) })
}

// Update runs fn in the read-write transaction.
func (e *Engine) Update(_ context.Context, fn func(kv.Tx) error) error {
	return mapErr(e.db.Update(func(t *bbolt.Tx) error { return fn(tx{t}) }))
}

// Batch is bbolt's Batch: concurrent calls share one commit and one fsync;
// fn may run more than once.
func (e *Engine) Batch(_ context.Context, fn func(kv.Tx) error) error {
	return mapErr(e.db.Batch(func(t *bbolt.Tx) error { return fn(tx{t}) }))
}

// Backup writes a consistent copy of the file to w in one read transaction.
func (e *Engine) Backup(w io.Writer) (n int64, err error) {
	err = e.db.View(func(t *bbolt.Tx) error {
		n, err = t.WriteTo(w)
		return err
	})
	return n, err
}

// CheckPages runs bbolt's page and free-list consistency check and returns
// its first finding.
func (e *Engine) CheckPages() error {
	return e.db.View(func(t *bbolt.Tx) error {
		var bad error
		for cerr := range t.Check() {
			// The channel must be drained; the first problem is enough to say.
			if bad == nil {
				bad = cerr
			}
		}
		return bad
	})
}

// Size is the size of the database in bytes.
func (e *Engine) Size() (n int64, err error) {
	err = e.db.View(func(t *bbolt.Tx) error { n = t.Size(); return nil })
	return n, err
}

// BulkLoad runs fn without an fsync per transaction, then syncs the file
// once. A crash in the middle can leave the file unusable: only for filling an
// empty database.
func (e *Engine) BulkLoad(fn func() error) error {
	e.db.NoSync = true
	err := fn()
	e.db.NoSync = false
	if serr := e.db.Sync(); err == nil && serr != nil {
		err = fmt.Errorf("boltkv: sync after bulk load: %w", serr)
	}
	return err
}

// SetNoSync turns the fsync of every commit off (true) or back on: for tests
// and benchmarks whose file is thrown away.
func (e *Engine) SetNoSync(off bool) { e.db.NoSync = off }

// Sync flushes the file to disk.
func (e *Engine) Sync() error { return e.db.Sync() }

// mapErr turns bbolt's errors into the seam's, keeping bbolt's in the chain.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrMaxSizeReached), errors.Is(err, berrors.ErrDatabaseReadOnly):
		return fmt.Errorf("%w: %w", kv.ErrFull, err)
	case errors.Is(err, berrors.ErrTxNotWritable):
		return fmt.Errorf("%w: %w", kv.ErrTxNotWritable, err)
	case errors.Is(err, berrors.ErrBucketNotFound):
		return fmt.Errorf("%w: %w", kv.ErrBucketNotFound, err)
	case errors.Is(err, berrors.ErrBucketExists):
		return fmt.Errorf("%w: %w", kv.ErrBucketExists, err)
	}
	return err
}

// tx, bucket and cursor hold one pointer each: stored in an interface they
// need no allocation.
type tx struct{ t *bbolt.Tx }

type boltTx = tx // for the tests

func (x tx) Bucket(name []byte) kv.Bucket {
	b := x.t.Bucket(name)
	if b == nil {
		return nil
	}
	return bucket{b}
}

func (x tx) CreateBucket(name []byte) (kv.Bucket, error) {
	b, err := x.t.CreateBucket(name)
	if err != nil {
		return nil, mapErr(err)
	}
	return bucket{b}, nil
}

func (x tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	b, err := x.t.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, mapErr(err)
	}
	return bucket{b}, nil
}

func (x tx) DeleteBucket(name []byte) error { return mapErr(x.t.DeleteBucket(name)) }

func (x tx) ForEachBucket(fn func(name []byte) error) error {
	return x.t.ForEach(func(name []byte, _ *bbolt.Bucket) error { return fn(name) })
}

func (x tx) Writable() bool { return x.t.Writable() }

// Err is always nil: bbolt's reads are memory reads of a mapped file.
func (x tx) Err() error { return nil }

type bucket struct{ b *bbolt.Bucket }

func (b bucket) Get(key []byte) []byte                    { return b.b.Get(key) }
func (b bucket) Put(key, value []byte) error              { return mapErr(b.b.Put(key, value)) }
func (b bucket) Delete(key []byte) error                  { return mapErr(b.b.Delete(key)) }
func (b bucket) NextSequence() (uint64, error)            { n, err := b.b.NextSequence(); return n, mapErr(err) }
func (b bucket) Sequence() uint64                         { return b.b.Sequence() }
func (b bucket) SetSequence(v uint64) error               { return mapErr(b.b.SetSequence(v)) }
func (b bucket) Cursor() kv.Cursor                        { return cursor{b.b.Cursor()} }
func (b bucket) ForEach(fn func(k, v []byte) error) error { return b.b.ForEach(fn) }
func (b bucket) KeyN() int                                { return b.b.Stats().KeyN }
func (b bucket) SetFillPercent(p float64)                 { b.b.FillPercent = p }

type cursor struct{ c *bbolt.Cursor }

func (c cursor) First() ([]byte, []byte)           { return c.c.First() }
func (c cursor) Last() ([]byte, []byte)            { return c.c.Last() }
func (c cursor) Seek(seek []byte) ([]byte, []byte) { return c.c.Seek(seek) }
func (c cursor) Next() ([]byte, []byte)            { return c.c.Next() }
func (c cursor) Prev() ([]byte, []byte)            { return c.c.Prev() }
func (c cursor) Delete() error                     { return mapErr(c.c.Delete()) }

// CompactTo writes a compacted copy of the file to path: the live data only,
// without the freed pages that may still hold old values (tests that look for
// bytes in the file).
func (e *Engine) CompactTo(path string) error {
	dst, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	if err := bbolt.Compact(dst, e.db, 0); err != nil {
		_ = dst.Close() // the error above is the one to report
		return err
	}
	return dst.Close()
}
