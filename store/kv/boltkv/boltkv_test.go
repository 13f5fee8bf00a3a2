package boltkv

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"sealportal/store/kv"
)

var ctx = context.Background()

func open(t *testing.T, opt Options) (*Engine, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kv.db")
	e, err := Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, path
}

func TestSecondOpenFailsWithErrLocked(t *testing.T) {
	_, path := open(t, Options{})
	_, err := Open(path, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, kv.ErrLocked) {
		t.Fatalf("second open: %v, want kv.ErrLocked", err)
	}
}

func TestMaxSizeAndReadOnlyAreErrFull(t *testing.T) {
	e, path := open(t, Options{MaxSize: 1 << 20})
	big := bytes.Repeat([]byte{1}, 2<<20)
	err := e.Update(ctx, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), big)
	})
	if !errors.Is(err, kv.ErrFull) {
		t.Fatalf("over the size limit: %v, want kv.ErrFull", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	err = ro.Update(ctx, func(tx kv.Tx) error { return nil })
	if !errors.Is(err, kv.ErrFull) {
		t.Fatalf("update of a read-only file: %v, want kv.ErrFull", err)
	}
}

func TestErrorsAreTheSeams(t *testing.T) {
	e, _ := open(t, Options{})
	err := e.Update(ctx, func(tx kv.Tx) error {
		if _, err := tx.CreateBucket([]byte("b")); err != nil {
			return err
		}
		if _, err := tx.CreateBucket([]byte("b")); !errors.Is(err, kv.ErrBucketExists) {
			t.Errorf("second CreateBucket: %v, want kv.ErrBucketExists", err)
		}
		if err := tx.DeleteBucket([]byte("none")); !errors.Is(err, kv.ErrBucketNotFound) {
			t.Errorf("DeleteBucket of none: %v, want kv.ErrBucketNotFound", err)
		}
		if tx.Bucket([]byte("none")) != nil {
			t.Error("an absent bucket is not a nil interface")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.View(ctx, func(tx kv.Tx) error {
		if tx.Writable() {
			t.Error("a view is writable")
		}
		if err := tx.Bucket([]byte("b")).Put([]byte("k"), []byte("v")); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Errorf("Put in a view: %v, want kv.ErrTxNotWritable", err)
		}
		return tx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOrderCursorsSequencesAndKeyN(t *testing.T) {
	e, _ := open(t, Options{})
	keys := [][]byte{{0x00}, {0x01, 0xff}, {0x02}, {0x80}, {0xff, 0x00}}
	err := e.Update(ctx, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		b.SetFillPercent(1)
		for i := len(keys) - 1; i >= 0; i-- {
			if err := b.Put(keys[i], keys[i]); err != nil {
				return err
			}
		}
		if n, err := b.NextSequence(); err != nil || n != 1 {
			t.Errorf("NextSequence = %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A rolled-back transaction rolls its sequence back.
	_ = e.Update(ctx, func(tx kv.Tx) error {
		_, _ = tx.Bucket([]byte("b")).NextSequence()
		return errors.New("roll back")
	})
	err = e.View(ctx, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if b.Sequence() != 1 {
			t.Errorf("sequence after rollback = %d, want 1", b.Sequence())
		}
		if b.KeyN() != len(keys) {
			t.Errorf("KeyN = %d, want %d", b.KeyN(), len(keys))
		}
		c := b.Cursor()
		i := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if !bytes.Equal(k, keys[i]) {
				t.Errorf("key %d = %x, want %x", i, k, keys[i])
			}
			i++
		}
		if k, _ := c.Seek([]byte{0x03}); !bytes.Equal(k, []byte{0x80}) {
			t.Errorf("Seek(03) = %x, want 80", k)
		}
		if k, _ := c.Prev(); !bytes.Equal(k, []byte{0x02}) {
			t.Errorf("Prev = %x, want 02", k)
		}
		if k, _ := c.Last(); !bytes.Equal(k, []byte{0xff, 0x00}) {
			t.Errorf("Last = %x", k)
		}
		var names []string
		_ = tx.ForEachBucket(func(name []byte) error { names = append(names, string(name)); return nil })
		if len(names) != 1 || names[0] != "b" {
			t.Errorf("buckets = %q", names)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFileBackupCopiesAndChecks(t *testing.T) {
	e, _ := open(t, Options{})
	if err := e.Update(ctx, func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := e.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup = %d, %v (buffer %d)", n, err, buf.Len())
	}
	if size, err := e.Size(); err != nil || size != n {
		t.Fatalf("Size = %d, %v, want %d", size, err, n)
	}
	if err := e.CheckPages(); err != nil {
		t.Fatal(err)
	}
}

// The wrappers must not allocate per Get, Bucket or cursor move: the store's
// hot paths call them thousands of times a page.
func TestWrappersDoNotAllocate(t *testing.T) {
	e, _ := open(t, Options{})
	if err := e.Update(ctx, func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := range 100 {
			if err := b.Put([]byte{byte(i)}, []byte("v")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	name, key := []byte("b"), []byte{42}
	err := e.View(ctx, func(tx kv.Tx) error {
		b := tx.Bucket(name)
		c := b.Cursor()
		c.First()
		// bbolt itself may allocate in a Get (its internal cursor); the
		// wrapper adds nothing to that.
		rawB := tx.(*boltTx).t.Bucket(name)
		want := testing.AllocsPerRun(100, func() { rawB.Get(key) })
		if n := testing.AllocsPerRun(100, func() {
			if b.Get(key) == nil {
				t.Fatal("no value")
			}
		}); n != want {
			t.Errorf("Get allocates %v times, bbolt alone %v", n, want)
		}
		// A bucket looked up again comes from the transaction's cache (a
		// read transaction of bbolt allocates one on every lookup).
		if n := testing.AllocsPerRun(100, func() { tx.Bucket(name) }); n != 0 {
			t.Errorf("Bucket allocates %v times", n)
		}
		if n := testing.AllocsPerRun(100, func() {
			if k, _ := c.Seek(key); k == nil {
				t.Fatal("no key")
			}
			c.Next()
			c.Prev()
		}); n != 0 {
			t.Errorf("cursor moves allocate %v times", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Cursors come from the transaction's slab, kept by the pool between
	// transactions: once warm, opening one allocates nothing but what bbolt
	// does in its first move (the cursor's stack).
	for range 2 {
		_ = e.View(ctx, func(tx kv.Tx) error {
			b := tx.Bucket(name)
			for range 50 {
				b.Cursor()
			}
			return nil
		})
	}
	_ = e.View(ctx, func(tx kv.Tx) error {
		b := tx.Bucket(name)
		rawB := tx.(*boltTx).t.Bucket(name)
		want := testing.AllocsPerRun(50, func() { rawB.Cursor().First() })
		if n := testing.AllocsPerRun(50, func() { b.Cursor().First() }); n != want {
			t.Errorf("Cursor+First allocates %v times in a warm transaction, bbolt alone %v", n, want)
		}
		return nil
	})
}

// Buckets cached by a transaction follow its deletions and creations.
func TestBucketCacheFollowsDeleteAndCreate(t *testing.T) {
	e, _ := open(t, Options{})
	err := e.Update(ctx, func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		if err := b.Put([]byte("k"), []byte("old")); err != nil {
			return err
		}
		if tx.Bucket([]byte("b")) == nil || tx.Bucket([]byte("bb")) != nil {
			t.Error("lookup after create")
		}
		if err := tx.DeleteBucket([]byte("b")); err != nil {
			return err
		}
		if tx.Bucket([]byte("b")) != nil {
			t.Error("a deleted bucket is still found")
		}
		nb, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		if nb.Get([]byte("k")) != nil || tx.Bucket([]byte("b")).Get([]byte("k")) != nil {
			t.Error("the recreated bucket holds the deleted one's keys")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSinglePutRate(t *testing.T) {
	r, err := SinglePutRate(t.TempDir(), 50*time.Millisecond)
	if err != nil || r <= 0 {
		t.Fatalf("SinglePutRate = %v, %v", r, err)
	}
}
