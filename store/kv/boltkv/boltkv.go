// Package boltkv is the embedded engine of the store's kv seam: one bbolt
// file, one process. It is the only package of the project that imports
// bbolt. Its transactions are pooled and cache their buckets and cursors, so a
// Bucket, a Get, a Cursor or a cursor move allocates nothing of its own (see
// txState).
package boltkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
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
	return e.db.View(func(t *bbolt.Tx) error { return with(t, fn) })
}

// Update runs fn in the read-write transaction.
func (e *Engine) Update(_ context.Context, fn func(kv.Tx) error) error {
	return mapErr(e.db.Update(func(t *bbolt.Tx) error { return with(t, fn) }))
}

// Batch is bbolt's Batch: concurrent calls share one commit and one fsync;
// fn may run more than once.
func (e *Engine) Batch(_ context.Context, fn func(kv.Tx) error) error {
	return mapErr(e.db.Batch(func(t *bbolt.Tx) error { return with(t, fn) }))
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

// txState is one transaction as the store sees it. It is pooled, and it
// keeps the transaction's buckets (by name) and cursors in slabs, so that on
// the hot paths a Bucket, a Get, a Cursor or a cursor move allocates nothing
// of its own: a read transaction of bbolt would otherwise allocate a Bucket
// on every lookup, and a cursor handed out in an interface escapes to the heap.
// Like a bbolt transaction, it belongs to one goroutine.
type txState struct {
	t     *bbolt.Tx
	bks   []bucket       // the buckets looked up so far (name = names[off:off+n])
	names []byte         // their names, end to end
	curs  []bbolt.Cursor // the cursors handed out
}

type boltTx = txState // for the tests

var statePool = sync.Pool{New: func() any { return new(txState) }}

// with runs fn with the pooled state of t.
func with(t *bbolt.Tx, fn func(kv.Tx) error) error {
	st := statePool.Get().(*txState)
	st.t = t
	err := fn(st)
	st.reset()
	statePool.Put(st)
	return err
}

// maxSlab bounds what a pooled state keeps between transactions (a migration
// may open thousands of cursors).
const maxSlab = 1024

func (st *txState) reset() {
	st.t = nil
	clear(st.bks)
	clear(st.curs)
	st.bks, st.names, st.curs = st.bks[:0], st.names[:0], st.curs[:0]
	if cap(st.curs) > maxSlab {
		st.curs = nil
	}
	if cap(st.bks) > maxSlab {
		st.bks, st.names = nil, nil
	}
}

// cached finds a bucket looked up earlier in this transaction.
func (st *txState) cached(name []byte) int {
	for i := range st.bks {
		b := &st.bks[i]
		if b.n == len(name) && string(st.names[b.off:b.off+b.n]) == string(name) {
			return i
		}
	}
	return -1
}

// keep caches b under name and returns its wrapper. The wrapper points into
// the slab: when the slab grows, wrappers handed out earlier keep pointing at
// the old copy, which stays valid (a bucket wrapper never changes).
func (st *txState) keep(name []byte, b *bbolt.Bucket) kv.Bucket {
	if i := st.cached(name); i >= 0 {
		st.bks[i].b = b
		return &st.bks[i]
	}
	off := len(st.names)
	st.names = append(st.names, name...)
	st.bks = append(st.bks, bucket{b: b, st: st, off: off, n: len(name)})
	return &st.bks[len(st.bks)-1]
}

func (st *txState) Bucket(name []byte) kv.Bucket {
	if i := st.cached(name); i >= 0 {
		return &st.bks[i]
	}
	b := st.t.Bucket(name)
	if b == nil {
		return nil
	}
	return st.keep(name, b)
}

func (st *txState) CreateBucket(name []byte) (kv.Bucket, error) {
	b, err := st.t.CreateBucket(name)
	if err != nil {
		return nil, mapErr(err)
	}
	return st.keep(name, b), nil
}

func (st *txState) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	b, err := st.t.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, mapErr(err)
	}
	return st.keep(name, b), nil
}

func (st *txState) DeleteBucket(name []byte) error {
	if err := st.t.DeleteBucket(name); err != nil {
		return mapErr(err)
	}
	if i := st.cached(name); i >= 0 {
		st.bks[i].n = -1 // forgotten: no name has that length
	}
	return nil
}

func (st *txState) ForEachBucket(fn func(name []byte) error) error {
	return st.t.ForEach(func(name []byte, _ *bbolt.Bucket) error { return fn(name) })
}

func (st *txState) Writable() bool { return st.t.Writable() }

// Err is always nil: bbolt's reads are memory reads of a mapped file.
func (st *txState) Err() error { return nil }

type bucket struct {
	b      *bbolt.Bucket
	st     *txState
	off, n int // the name in st.names
}

func (b *bucket) Get(key []byte) []byte                    { return b.b.Get(key) }
func (b *bucket) Put(key, value []byte) error              { return mapErr(b.b.Put(key, value)) }
func (b *bucket) Delete(key []byte) error                  { return mapErr(b.b.Delete(key)) }
func (b *bucket) Sequence() uint64                         { return b.b.Sequence() }
func (b *bucket) SetSequence(v uint64) error               { return mapErr(b.b.SetSequence(v)) }
func (b *bucket) ForEach(fn func(k, v []byte) error) error { return b.b.ForEach(fn) }
func (b *bucket) KeyN() int                                { return b.b.Stats().KeyN }
func (b *bucket) SetFillPercent(p float64)                 { b.b.FillPercent = p }

func (b *bucket) NextSequence() (uint64, error) {
	n, err := b.b.NextSequence()
	return n, mapErr(err)
}

// Cursor hands out a cursor kept in the transaction's slab: bbolt's own
// Cursor() is inlined here and its result copied, so it does not escape.
func (b *bucket) Cursor() kv.Cursor {
	st := b.st
	st.curs = append(st.curs, bbolt.Cursor{})
	c := &st.curs[len(st.curs)-1]
	*c = *b.b.Cursor()
	return cursor{c}
}

// cursor holds one pointer: stored in an interface it needs no allocation.
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
