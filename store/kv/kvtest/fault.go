package kvtest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"sealportal/store/kv"
)

// FaultEngine wraps an engine and makes reads fail on demand, the way a
// network engine's reads fail: Get and cursor moves answer nil and record the
// error in the transaction (sticky), and View, Update and Batch then roll back
// and return it whatever fn returned. The conformance suite passes on it
// unarmed; Sticky checks it armed.
type FaultEngine struct {
	inner kv.Engine
	mu    sync.Mutex
	next  error
}

// Faulty wraps e.
func Faulty(e kv.Engine) *FaultEngine { return &FaultEngine{inner: e} }

// FailNext makes the next Get, cursor move, Sequence or KeyN (in any
// transaction) fail with err.
func (f *FaultEngine) FailNext(err error) {
	f.mu.Lock()
	f.next = err
	f.mu.Unlock()
}

func (f *FaultEngine) take() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.next
	f.next = nil
	return err
}

func (f *FaultEngine) wrap(fn func(kv.Tx) error) func(kv.Tx) error {
	return func(tx kv.Tx) error {
		ft := &faultTx{Tx: tx, f: f}
		err := fn(ft)
		if ft.err != nil {
			return ft.err
		}
		return err
	}
}

// View implements kv.Engine.
func (f *FaultEngine) View(ctx context.Context, fn func(kv.Tx) error) error {
	return f.inner.View(ctx, f.wrap(fn))
}

// Update implements kv.Engine.
func (f *FaultEngine) Update(ctx context.Context, fn func(kv.Tx) error) error {
	return f.inner.Update(ctx, f.wrap(fn))
}

// Batch implements kv.Engine.
func (f *FaultEngine) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	return f.inner.Batch(ctx, f.wrap(fn))
}

// Close implements kv.Engine.
func (f *FaultEngine) Close() error { return f.inner.Close() }

type faultTx struct {
	kv.Tx
	f   *FaultEngine
	err error
}

// fail reports whether the operation must fail (an armed fault, or an earlier
// one in this transaction).
func (t *faultTx) fail() bool {
	if t.err != nil {
		return true
	}
	if err := t.f.take(); err != nil {
		t.err = err
		return true
	}
	return false
}

func (t *faultTx) Err() error {
	if t.err != nil {
		return t.err
	}
	return t.Tx.Err()
}

func (t *faultTx) Bucket(name []byte) kv.Bucket {
	b := t.Tx.Bucket(name)
	if b == nil {
		return nil
	}
	return &faultBucket{Bucket: b, t: t}
}

func (t *faultTx) CreateBucket(name []byte) (kv.Bucket, error) {
	if t.err != nil {
		return nil, t.err
	}
	b, err := t.Tx.CreateBucket(name)
	if err != nil {
		return nil, err
	}
	return &faultBucket{Bucket: b, t: t}, nil
}

func (t *faultTx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if t.err != nil {
		return nil, t.err
	}
	b, err := t.Tx.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	return &faultBucket{Bucket: b, t: t}, nil
}

type faultBucket struct {
	kv.Bucket
	t *faultTx
}

func (b *faultBucket) Get(k []byte) []byte {
	if b.t.fail() {
		return nil
	}
	return b.Bucket.Get(k)
}

func (b *faultBucket) Put(k, v []byte) error {
	if b.t.err != nil {
		return b.t.err
	}
	return b.Bucket.Put(k, v)
}

func (b *faultBucket) Delete(k []byte) error {
	if b.t.err != nil {
		return b.t.err
	}
	return b.Bucket.Delete(k)
}

func (b *faultBucket) Sequence() uint64 {
	if b.t.fail() {
		return 0
	}
	return b.Bucket.Sequence()
}

func (b *faultBucket) KeyN() int {
	if b.t.fail() {
		return 0
	}
	return b.Bucket.KeyN()
}

func (b *faultBucket) Cursor() kv.Cursor { return &faultCursor{c: b.Bucket.Cursor(), t: b.t} }

func (b *faultBucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.t.err
}

type faultCursor struct {
	c kv.Cursor
	t *faultTx
}

func (c *faultCursor) move(m func() ([]byte, []byte)) ([]byte, []byte) {
	if c.t.fail() {
		return nil, nil
	}
	return m()
}

func (c *faultCursor) First() ([]byte, []byte) { return c.move(c.c.First) }
func (c *faultCursor) Last() ([]byte, []byte)  { return c.move(c.c.Last) }
func (c *faultCursor) Next() ([]byte, []byte)  { return c.move(c.c.Next) }
func (c *faultCursor) Prev() ([]byte, []byte)  { return c.move(c.c.Prev) }
func (c *faultCursor) Seek(s []byte) ([]byte, []byte) {
	return c.move(func() ([]byte, []byte) { return c.c.Seek(s) })
}
func (c *faultCursor) Delete() error {
	if c.t.err != nil {
		return c.t.err
	}
	return c.c.Delete()
}

// Sticky checks the sticky-error contract on e. breakTx must make the
// engine's next read in tx fail: arm a FaultEngine, kill a connection. It
// checks that the failed read answers nil (never a stale or wrong value),
// that Tx.Err reports it, that Update rolls back (a write made before the
// failure is not committed) and returns the error although fn returned nil,
// that View returns it too, and that the engine works afterwards.
func Sticky(t testing.TB, e kv.Engine, breakTx func(t testing.TB, tx kv.Tx)) {
	t.Helper()
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("sticky"))
		if err != nil {
			return err
		}
		for _, k := range []string{"present", "other", "third"} {
			if err := b.Put([]byte(k), []byte("v"+k)); err != nil {
				return err
			}
		}
		return nil
	})
	var sticky error
	err := e.Update(bg, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("sticky"))
		if err := b.Put([]byte("written"), []byte("x")); err != nil {
			return err
		}
		if err := b.Delete([]byte("other")); err != nil {
			return err
		}
		breakTx(t, tx)
		if v := b.Get([]byte("present")); v != nil {
			t.Errorf("a failed Get answered %q", v)
		}
		if sticky = tx.Err(); sticky == nil {
			t.Fatal("a failed Get recorded no error in the transaction")
		}
		if v := b.Get([]byte("third")); v != nil {
			t.Errorf("a Get after the failure answered %q", v)
		}
		if k, _ := b.Cursor().First(); k != nil {
			t.Errorf("a cursor after the failure answered %q", k)
		}
		if err := tx.Err(); err == nil {
			t.Error("the error is not sticky")
		}
		return nil // as a careless caller would: the engine must not commit
	})
	if err == nil {
		t.Fatal("Update committed a transaction whose Get failed")
	}
	if !errors.Is(err, sticky) && err.Error() != sticky.Error() && !bytes.Contains([]byte(err.Error()), []byte(sticky.Error())) {
		t.Errorf("Update returned %v, not the recorded error %v", err, sticky)
	}
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("sticky"))
		if b.Get([]byte("written")) != nil || b.Get([]byte("other")) == nil {
			t.Fatal("the writes of a transaction with a failed Get were committed")
		}
		return nil
	})
	err = e.View(bg, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("sticky"))
		breakTx(t, tx)
		if v := b.Get([]byte("present")); v != nil {
			t.Errorf("a failed Get in a View answered %q", v)
		}
		return nil
	})
	if err == nil {
		t.Fatal("a View whose Get failed returned nil: a failure would read as not found")
	}
	update(t, e, func(tx kv.Tx) error {
		return tx.Bucket([]byte("sticky")).Put([]byte("after"), []byte("ok"))
	})
	view(t, e, func(tx kv.Tx) error {
		if v := tx.Bucket([]byte("sticky")).Get([]byte("after")); string(v) != "ok" {
			t.Fatalf("the engine does not work after a failure: %q", v)
		}
		return nil
	})
}
