// Package faultkv wraps any kv.Engine and makes a chosen operation fail, the
// way a remote engine fails (a dropped connection, a statement timeout): the
// Nth Get, cursor move or write of the engine records a sticky error in its
// transaction, answers nil from then on, and the transaction's View, Update or
// Batch returns that error and rolls back whatever fn returned. Tests use it
// to prove the kv contract (see package kv): a failed Get can neither be
// committed nor read as "not found".
package faultkv

import (
	"context"
	"errors"
	"sync"

	"sealportal/store/kv"
)

// ErrInjected is the error faultkv records.
var ErrInjected = errors.New("faultkv: injected engine failure")

// Op is a kind of operation that can be made to fail.
type Op int

// The operations counted.
const (
	Get   Op = iota // Bucket.Get
	Move            // a cursor move (First, Last, Seek, Next, Prev) or one step of ForEach
	Write           // Put, Delete, NextSequence, SetSequence, Cursor.Delete, bucket creation or deletion
	numOps
)

// Engine is a kv.Engine whose operations fail on demand.
type Engine struct {
	inner kv.Engine

	mu     sync.Mutex
	count  [numOps]int
	failAt [numOps]int // 0: never
	fired  [numOps]int // how many faults were injected
}

var _ kv.Engine = (*Engine)(nil)

// New wraps inner.
func New(inner kv.Engine) *Engine { return &Engine{inner: inner} }

// FailNth makes the nth operation of kind op from now on (n ≥ 1) fail once;
// n = 0 cancels a pending fault. It resets the counter of op.
func (e *Engine) FailNth(op Op, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.count[op], e.failAt[op] = 0, n
}

// Count is how many operations of kind op ran since the last FailNth(op, …).
func (e *Engine) Count(op Op) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count[op]
}

// Fired is how many faults of kind op were injected so far.
func (e *Engine) Fired(op Op) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fired[op]
}

// Inner is the wrapped engine.
func (e *Engine) Inner() kv.Engine { return e.inner }

// hit counts one operation of kind op and reports whether it must fail.
func (e *Engine) hit(op Op) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.count[op]++
	if e.failAt[op] != 0 && e.count[op] == e.failAt[op] {
		e.failAt[op] = 0
		e.fired[op]++
		return true
	}
	return false
}

// View runs fn in a read-only transaction of the inner engine.
func (e *Engine) View(ctx context.Context, fn func(kv.Tx) error) error {
	return e.inner.View(ctx, e.wrap(fn))
}

// Update runs fn in a read-write transaction of the inner engine.
func (e *Engine) Update(ctx context.Context, fn func(kv.Tx) error) error {
	return e.inner.Update(ctx, e.wrap(fn))
}

// Batch runs fn in a batched transaction of the inner engine.
func (e *Engine) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	return e.inner.Batch(ctx, e.wrap(fn))
}

// Close closes the inner engine.
func (e *Engine) Close() error { return e.inner.Close() }

// wrap gives fn a faulty transaction and returns its sticky error, if any,
// to the inner engine, which then rolls back: this is the part of the
// contract every engine's View/Update/Batch must keep.
func (e *Engine) wrap(fn func(kv.Tx) error) func(kv.Tx) error {
	return func(inner kv.Tx) error {
		t := &tx{inner: inner, e: e}
		err := fn(t)
		if t.err != nil {
			return t.err
		}
		return err
	}
}

type tx struct {
	inner kv.Tx
	e     *Engine
	err   error // sticky: the first injected failure
}

// fail reports whether the operation must answer nil: an earlier failure, or
// a fault injected now.
func (t *tx) fail(op Op) bool {
	if t.err != nil {
		return true
	}
	if t.e.hit(op) {
		t.err = ErrInjected
		return true
	}
	return false
}

func (t *tx) wrapBucket(b kv.Bucket) kv.Bucket {
	if b == nil {
		return nil
	}
	return &bucket{inner: b, t: t}
}

// Bucket is not made to fail: a nil bucket means "absent" to the store, and
// an engine whose bucket lookup can fail must record it like a Get.
func (t *tx) Bucket(name []byte) kv.Bucket { return t.wrapBucket(t.inner.Bucket(name)) }

func (t *tx) CreateBucket(name []byte) (kv.Bucket, error) {
	if t.fail(Write) {
		return nil, t.err
	}
	b, err := t.inner.CreateBucket(name)
	return t.wrapBucket(b), err
}

func (t *tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if t.fail(Write) {
		return nil, t.err
	}
	b, err := t.inner.CreateBucketIfNotExists(name)
	return t.wrapBucket(b), err
}

func (t *tx) DeleteBucket(name []byte) error {
	if t.fail(Write) {
		return t.err
	}
	return t.inner.DeleteBucket(name)
}

func (t *tx) ForEachBucket(fn func(name []byte) error) error {
	return t.inner.ForEachBucket(func(name []byte) error {
		if t.fail(Move) {
			return t.err
		}
		return fn(name)
	})
}

func (t *tx) Writable() bool { return t.inner.Writable() }

func (t *tx) Err() error {
	if t.err != nil {
		return t.err
	}
	return t.inner.Err()
}

type bucket struct {
	inner kv.Bucket
	t     *tx
}

func (b *bucket) Get(key []byte) []byte {
	if b.t.fail(Get) {
		return nil
	}
	return b.inner.Get(key)
}

func (b *bucket) Put(key, value []byte) error {
	if b.t.fail(Write) {
		return b.t.err
	}
	return b.inner.Put(key, value)
}

func (b *bucket) Delete(key []byte) error {
	if b.t.fail(Write) {
		return b.t.err
	}
	return b.inner.Delete(key)
}

func (b *bucket) NextSequence() (uint64, error) {
	if b.t.fail(Write) {
		return 0, b.t.err
	}
	return b.inner.NextSequence()
}

// Sequence answers 0 after a failure (a remote read like Get).
func (b *bucket) Sequence() uint64 {
	if b.t.fail(Get) {
		return 0
	}
	return b.inner.Sequence()
}

func (b *bucket) SetSequence(v uint64) error {
	if b.t.fail(Write) {
		return b.t.err
	}
	return b.inner.SetSequence(v)
}

func (b *bucket) Cursor() kv.Cursor { return &cursor{inner: b.inner.Cursor(), t: b.t} }

func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	return b.inner.ForEach(func(k, v []byte) error {
		if b.t.fail(Move) {
			return b.t.err
		}
		return fn(k, v)
	})
}

func (b *bucket) KeyN() int                { return b.inner.KeyN() }
func (b *bucket) SetFillPercent(p float64) { b.inner.SetFillPercent(p) }

type cursor struct {
	inner kv.Cursor
	t     *tx
}

func (c *cursor) move(k, v []byte) ([]byte, []byte) {
	if c.t.fail(Move) {
		return nil, nil
	}
	return k, v
}

// Each move is made on the inner cursor first, so that a later move after a
// failure would not be mistaken for a valid position; after a failure every
// move answers nil.
func (c *cursor) First() ([]byte, []byte)           { return c.move(c.inner.First()) }
func (c *cursor) Last() ([]byte, []byte)            { return c.move(c.inner.Last()) }
func (c *cursor) Seek(seek []byte) ([]byte, []byte) { return c.move(c.inner.Seek(seek)) }
func (c *cursor) Next() ([]byte, []byte)            { return c.move(c.inner.Next()) }
func (c *cursor) Prev() ([]byte, []byte)            { return c.move(c.inner.Prev()) }

func (c *cursor) Delete() error {
	if c.t.fail(Write) {
		return c.t.err
	}
	return c.inner.Delete()
}
