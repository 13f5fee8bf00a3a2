// Package kvtest is the conformance suite of the kv engine seam: every engine
// (boltkv, pgkv, a wrapper) passes Run, so the store's logic can rely on the
// contract written in package kv whatever engine is below it. It also offers a
// fault-injecting wrapper (Faulty) and a check of sticky errors (Sticky) that
// any engine or wrapper can use.
package kvtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"sealportal/store/kv"
)

// Run runs the whole conformance suite; open returns a fresh, empty engine
// for each subtest (and closes it through t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) kv.Engine) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, kv.Engine)
	}{
		{"BytewiseOrder", testBytewiseOrder},
		{"SeekPrefixes", testSeekPrefixes},
		{"FirstLastNextPrev", testFirstLastNextPrev},
		{"PrevAfterSeekPastEnd", testPrevAfterSeekPastEnd},
		{"EmptyBucketCursor", testEmptyBucketCursor},
		{"ManyKeysBothDirections", testManyKeys},
		{"CursorDelete", testCursorDelete},
		{"OwnWritesVisible", testOwnWritesVisible},
		{"RollbackDiscardsWritesAndSequences", testRollback},
		{"NextSequenceGapless", testNextSequence},
		{"Buckets", testBuckets},
		{"DeleteBucketRemovesKeys", testDeleteBucketKeys},
		{"LargeValues", testLargeValues},
		{"BatchIsolatesFailingCall", testBatchIsolates},
		{"ConcurrentCounterExact", testConcurrentCounter},
		{"ViewSnapshot", testViewSnapshot},
		{"NotWritableInView", testNotWritable},
		{"ValuesCopiedOutStayValid", testValuesCopiedOut},
		{"EmptyKeyRefused", testEmptyKey},
		{"KeyN", testKeyN},
		{"ContextCanceledBeforeStart", testCanceledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var bg = context.Background()

func update(t testing.TB, e kv.Engine, fn func(kv.Tx) error) {
	t.Helper()
	if err := e.Update(bg, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t testing.TB, e kv.Engine, fn func(kv.Tx) error) {
	t.Helper()
	if err := e.View(bg, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// fill creates bucket name with the given keys, each key's value being "v"+key.
func fill(t *testing.T, e kv.Engine, name string, keys ...[]byte) {
	t.Helper()
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Put(k, append([]byte("v"), k...)); err != nil {
				return err
			}
		}
		return nil
	})
}

func keysForward(c kv.Cursor) [][]byte {
	var out [][]byte
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		out = append(out, bytes.Clone(k))
	}
	return out
}

func keysBackward(c kv.Cursor) [][]byte {
	var out [][]byte
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		out = append(out, bytes.Clone(k))
	}
	return out
}

func sorted(keys [][]byte) [][]byte {
	out := make([][]byte, len(keys))
	copy(out, keys)
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i], out[j]) < 0 })
	return out
}

func reversed(keys [][]byte) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[len(keys)-1-i] = k
	}
	return out
}

func equalKeys(t *testing.T, what string, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d keys %x, want %d %x", what, len(got), got, len(want), want)
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s: key %d is %x, want %x (all: %x)", what, i, got[i], want[i], got)
		}
	}
}

// orderKeys are keys whose bytewise order differs from any text collation:
// zero and 0xff bytes, prefixes of each other, high bytes that are not UTF-8.
func orderKeys() [][]byte {
	return [][]byte{
		{0x00}, {0x00, 0x00}, {0x00, 0x01}, {0x01}, {0x7f}, {0x80}, {0xfe, 0xff},
		{0xff}, {0xff, 0x00}, {0xff, 0xff}, {0xff, 0xff, 0xff},
		[]byte("A"), []byte("B"), []byte("a"), []byte("a\x00"), []byte("ab"), []byte("b"),
		[]byte("é"), []byte("中"), []byte("case/1"), []byte("case/10"), []byte("case/2"),
	}
}

func testBytewiseOrder(t *testing.T, e kv.Engine) {
	keys := orderKeys()
	fill(t, e, "order", keys...)
	want := sorted(keys)
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("order"))
		equalKeys(t, "forward", keysForward(b.Cursor()), want)
		equalKeys(t, "backward", keysBackward(b.Cursor()), reversed(want))
		var each [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			if !bytes.Equal(v, append([]byte("v"), k...)) {
				t.Errorf("ForEach: %x has value %x", k, v)
			}
			each = append(each, bytes.Clone(k))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		equalKeys(t, "ForEach", each, want)
		for _, k := range keys {
			if v := b.Get(k); !bytes.Equal(v, append([]byte("v"), k...)) {
				t.Errorf("Get(%x) = %x", k, v)
			}
		}
		for _, k := range [][]byte{{0x00, 0x00, 0x00}, {0x02}, []byte("a\x01"), {0xff, 0x01}} {
			if v := b.Get(k); v != nil {
				t.Errorf("Get(%x) of an absent key = %x, want nil", k, v)
			}
		}
		return nil
	})
	// The same order inside the writing transaction, before commit.
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("order2"))
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Put(k, []byte{1}); err != nil {
				return err
			}
		}
		equalKeys(t, "forward before commit", keysForward(b.Cursor()), want)
		equalKeys(t, "backward before commit", keysBackward(b.Cursor()), reversed(want))
		return nil
	})
}

func testSeekPrefixes(t *testing.T, e kv.Engine) {
	keys := [][]byte{
		[]byte("a/1"), []byte("a/2"), []byte("ab/1"), []byte("b"), []byte("b/\x00"), []byte("b/\xff"),
		[]byte("b0"), []byte("c"), {0xff, 0x00}, {0xff, 0xff},
	}
	fill(t, e, "p", keys...)
	prefixed := func(c kv.Cursor, prefix []byte) [][]byte {
		var out [][]byte
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, bytes.Clone(k))
		}
		return out
	}
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("p"))
		for _, tc := range []struct {
			prefix string
			want   []string
		}{
			{"a/", []string{"a/1", "a/2"}},
			{"a", []string{"a/1", "a/2", "ab/1"}},
			{"b/", []string{"b/\x00", "b/\xff"}},
			{"b", []string{"b", "b/\x00", "b/\xff", "b0"}},
			{"\xff", []string{"\xff\x00", "\xff\xff"}},
			{"\xff\xff", []string{"\xff\xff"}},
			{"d", nil},
			{"", []string{"a/1", "a/2", "ab/1", "b", "b/\x00", "b/\xff", "b0", "c", "\xff\x00", "\xff\xff"}},
		} {
			var want [][]byte
			for _, w := range tc.want {
				want = append(want, []byte(w))
			}
			equalKeys(t, fmt.Sprintf("prefix %q", tc.prefix), prefixed(b.Cursor(), []byte(tc.prefix)), want)
		}
		// Seek lands on the key itself or the first after it.
		c := b.Cursor()
		for _, tc := range []struct{ seek, want string }{
			{"a/2", "a/2"}, {"a/3", "ab/1"}, {"b/", "b/\x00"}, {"b/\x00\x00", "b/\xff"}, {"\x00", "a/1"}, {"\xff", "\xff\x00"},
		} {
			k, v := c.Seek([]byte(tc.seek))
			if string(k) != tc.want || string(v) != "v"+tc.want {
				t.Errorf("Seek(%q) = %q, %q; want %q", tc.seek, k, v, tc.want)
			}
		}
		return nil
	})
}

func testFirstLastNextPrev(t *testing.T, e kv.Engine) {
	fill(t, e, "m", []byte("a"), []byte("b"), []byte("c"), []byte("d"))
	view(t, e, func(tx kv.Tx) error {
		c := tx.Bucket([]byte("m")).Cursor()
		steps := []struct {
			move func() ([]byte, []byte)
			name string
			want string
		}{
			{c.First, "First", "a"}, {c.Next, "Next", "b"}, {c.Next, "Next", "c"}, {c.Prev, "Prev", "b"},
			{c.Last, "Last", "d"}, {c.Prev, "Prev", "c"}, {c.Next, "Next", "d"}, {c.Next, "Next past the end", ""},
			{c.Last, "Last", "d"}, {c.First, "First", "a"}, {c.Prev, "Prev before the start", ""},
			{func() ([]byte, []byte) { return c.Seek([]byte("b")) }, "Seek b", "b"}, {c.Prev, "Prev", "a"},
			{func() ([]byte, []byte) { return c.Seek([]byte("bb")) }, "Seek bb", "c"}, {c.Prev, "Prev", "b"},
			{c.Next, "Next", "c"},
		}
		for i, s := range steps {
			k, v := s.move()
			if string(k) != s.want {
				t.Fatalf("step %d %s = %q, want %q", i, s.name, k, s.want)
			}
			if s.want == "" && v != nil {
				t.Fatalf("step %d %s: value %q past the end", i, s.name, v)
			}
			if s.want != "" && string(v) != "v"+s.want {
				t.Fatalf("step %d %s: value %q", i, s.name, v)
			}
		}
		return nil
	})
}

func testPrevAfterSeekPastEnd(t *testing.T, e kv.Engine) {
	fill(t, e, "m", []byte("a"), []byte("b"), []byte("c"))
	view(t, e, func(tx kv.Tx) error {
		c := tx.Bucket([]byte("m")).Cursor()
		if k, v := c.Seek([]byte("z")); k != nil || v != nil {
			t.Fatalf("Seek past the end = %q, %q", k, v)
		}
		if k, _ := c.Prev(); string(k) != "c" {
			t.Fatalf("Prev after Seek past the end = %q, want the last key c", k)
		}
		if k, _ := c.Prev(); string(k) != "b" {
			t.Fatalf("then Prev = %q, want b", k)
		}
		// The idiom "last key with a prefix": Seek just past the prefix, Prev.
		if k, _ := c.Seek([]byte("b\xff")); string(k) != "c" {
			t.Fatalf("Seek b\\xff = %q", k)
		}
		if k, _ := c.Prev(); string(k) != "b" {
			t.Fatalf("Prev after Seek b\\xff = %q, want b", k)
		}
		return nil
	})
}

func testEmptyBucketCursor(t *testing.T, e kv.Engine) {
	fill(t, e, "empty")
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("empty"))
		if b == nil {
			t.Fatal("an empty bucket reads as absent")
		}
		c := b.Cursor()
		for name, move := range map[string]func() ([]byte, []byte){
			"First": c.First, "Last": c.Last, "Next": c.Next, "Prev": c.Prev,
			"Seek": func() ([]byte, []byte) { return c.Seek([]byte("a")) },
		} {
			if k, v := move(); k != nil || v != nil {
				t.Errorf("%s on an empty bucket = %q, %q", name, k, v)
			}
		}
		return nil
	})
}

func be(i int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(i)) } // #nosec G115 -- small test counts

// testManyKeys walks more keys than any engine's page of rows (pgkv pages
// 256 at a time), both ways, turning around in the middle.
func testManyKeys(t *testing.T, e kv.Engine) {
	const n = 1000
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("many"))
		if err != nil {
			return err
		}
		for i := n - 1; i >= 0; i-- {
			if err := b.Put(be(i), be(i*2)); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("many"))
		c := b.Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if !bytes.Equal(k, be(i)) || !bytes.Equal(v, be(i*2)) {
				t.Fatalf("forward %d: %x=%x", i, k, v)
			}
			i++
		}
		if i != n {
			t.Fatalf("forward walked %d keys, want %d", i, n)
		}
		i = n - 1
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			if !bytes.Equal(k, be(i)) {
				t.Fatalf("backward %d: %x", i, k)
			}
			i--
		}
		if i != -1 {
			t.Fatalf("backward stopped at %d", i)
		}
		// Turn around across page boundaries.
		c.Seek(be(600))
		for j := 599; j >= 200; j-- {
			if k, _ := c.Prev(); !bytes.Equal(k, be(j)) {
				t.Fatalf("Prev to %d: %x", j, k)
			}
		}
		for j := 201; j <= 900; j++ {
			if k, _ := c.Next(); !bytes.Equal(k, be(j)) {
				t.Fatalf("Next to %d: %x", j, k)
			}
		}
		if got := b.KeyN(); got != n {
			t.Fatalf("KeyN = %d, want %d", got, n)
		}
		return nil
	})
}

func testCursorDelete(t *testing.T, e kv.Engine) {
	fill(t, e, "d", []byte("a"), []byte("b"), []byte("c"), []byte("d"), []byte("e"))
	update(t, e, func(tx kv.Tx) error {
		c := tx.Bucket([]byte("d")).Cursor()
		if k, _ := c.Seek([]byte("b")); string(k) != "b" {
			t.Fatalf("Seek b = %q", k)
		}
		if err := c.Delete(); err != nil {
			return err
		}
		if k, _ := c.Next(); string(k) != "c" {
			t.Fatalf("Next after deleting b = %q, want c (the contract: continues after the deleted key)", k)
		}
		// The purge idiom: delete from the front, First again.
		for k, _ := c.First(); k != nil && string(k) < "d"; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		equalKeys(t, "after deletes, same transaction", keysForward(c), [][]byte{[]byte("d"), []byte("e")})
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("d"))
		equalKeys(t, "after commit", keysForward(b.Cursor()), [][]byte{[]byte("d"), []byte("e")})
		if b.Get([]byte("a")) != nil || b.Get([]byte("b")) != nil {
			t.Fatal("a deleted key still reads")
		}
		if err := b.Cursor().Delete(); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Fatalf("Cursor.Delete in a View = %v, want ErrTxNotWritable", err)
		}
		return nil
	})
}

func testOwnWritesVisible(t *testing.T, e kv.Engine) {
	fill(t, e, "w", []byte("b"), []byte("d"))
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("w"))
		if err := b.Put([]byte("a"), []byte("new a")); err != nil {
			return err
		}
		if err := b.Put([]byte("d"), []byte("new d")); err != nil {
			return err
		}
		if err := b.Delete([]byte("b")); err != nil {
			return err
		}
		if err := b.Delete([]byte("absent")); err != nil {
			t.Fatalf("Delete of an absent key: %v", err)
		}
		if v := b.Get([]byte("a")); string(v) != "new a" {
			t.Fatalf("Get a = %q", v)
		}
		if v := b.Get([]byte("b")); v != nil {
			t.Fatalf("Get of a deleted key = %q", v)
		}
		if v := b.Get([]byte("d")); string(v) != "new d" {
			t.Fatalf("Get d = %q", v)
		}
		equalKeys(t, "cursor sees own writes", keysForward(b.Cursor()), [][]byte{[]byte("a"), []byte("d")})
		if k, v := b.Cursor().Seek([]byte("c")); string(k) != "d" || string(v) != "new d" {
			t.Fatalf("Seek c = %q %q", k, v)
		}
		// Read, write again, read again: the newest write wins.
		if err := b.Put([]byte("a"), []byte("newer a")); err != nil {
			return err
		}
		if v := b.Get([]byte("a")); string(v) != "newer a" {
			t.Fatalf("Get a after a second Put = %q", v)
		}
		if err := b.Delete([]byte("a")); err != nil {
			return err
		}
		if err := b.Put([]byte("e"), []byte("e")); err != nil {
			return err
		}
		equalKeys(t, "cursor after more writes", keysForward(b.Cursor()), [][]byte{[]byte("d"), []byte("e")})
		// A bucket created in this transaction is usable at once.
		nb, err := tx.CreateBucket([]byte("fresh"))
		if err != nil {
			return err
		}
		if err := nb.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		if v := tx.Bucket([]byte("fresh")).Get([]byte("k")); string(v) != "v" {
			t.Fatalf("Get in a bucket created in this transaction = %q", v)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		equalKeys(t, "after commit", keysForward(tx.Bucket([]byte("w")).Cursor()), [][]byte{[]byte("d"), []byte("e")})
		if v := tx.Bucket([]byte("w")).Get([]byte("d")); string(v) != "new d" {
			t.Fatalf("d after commit = %q", v)
		}
		if tx.Bucket([]byte("fresh")) == nil {
			t.Fatal("the bucket created in the transaction is gone")
		}
		return nil
	})
}

var errAbort = errors.New("kvtest: abort")

func testRollback(t *testing.T, e kv.Engine) {
	fill(t, e, "r", []byte("keep"))
	update(t, e, func(tx kv.Tx) error {
		_, err := tx.Bucket([]byte("r")).NextSequence()
		return err
	})
	err := e.Update(bg, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("r"))
		if err := b.Put([]byte("new"), []byte("x")); err != nil {
			return err
		}
		if err := b.Delete([]byte("keep")); err != nil {
			return err
		}
		for range 3 {
			if _, err := b.NextSequence(); err != nil {
				return err
			}
		}
		if got := b.Sequence(); got != 4 {
			t.Errorf("Sequence inside the transaction = %d, want 4", got)
		}
		if _, err := tx.CreateBucket([]byte("rolled back")); err != nil {
			return err
		}
		if err := tx.DeleteBucket([]byte("r2")); !errors.Is(err, kv.ErrBucketNotFound) {
			t.Errorf("DeleteBucket of an absent bucket = %v", err)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("r"))
		if b.Get([]byte("new")) != nil || b.Get([]byte("keep")) == nil {
			t.Fatal("a rolled back write is visible, or a rolled back delete took effect")
		}
		if got := b.Sequence(); got != 1 {
			t.Fatalf("Sequence after rollback = %d, want 1", got)
		}
		if tx.Bucket([]byte("rolled back")) != nil {
			t.Fatal("a bucket created in a rolled back transaction exists")
		}
		return nil
	})
	// A panic in fn rolls back too.
	func() {
		defer func() { _ = recover() }()
		_ = e.Update(bg, func(tx kv.Tx) error {
			if err := tx.Bucket([]byte("r")).Put([]byte("panic"), []byte("x")); err != nil {
				return err
			}
			panic("kvtest: panic in fn")
		})
	}()
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("r"))
		if b.Get([]byte("panic")) != nil {
			t.Fatal("a write of a panicking Update was committed")
		}
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		if n != 2 {
			t.Fatalf("NextSequence after the rollback = %d, want 2 (no gap)", n)
		}
		return nil
	})
}

func testNextSequence(t *testing.T, e kv.Engine) {
	fill(t, e, "s1")
	fill(t, e, "s2")
	view(t, e, func(tx kv.Tx) error {
		if got := tx.Bucket([]byte("s1")).Sequence(); got != 0 {
			t.Fatalf("a new bucket's sequence = %d", got)
		}
		if _, err := tx.Bucket([]byte("s1")).NextSequence(); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Fatalf("NextSequence in a View = %v", err)
		}
		return nil
	})
	var got []uint64
	for range 5 {
		update(t, e, func(tx kv.Tx) error {
			for range 2 {
				n, err := tx.Bucket([]byte("s1")).NextSequence()
				if err != nil {
					return err
				}
				got = append(got, n)
			}
			return nil
		})
	}
	for i, n := range got {
		if n != uint64(i+1) { // #nosec G115 -- small test counts
			t.Fatalf("sequence %d = %d, want %d (all %v)", i, n, i+1, got)
		}
	}
	update(t, e, func(tx kv.Tx) error {
		if got := tx.Bucket([]byte("s2")).Sequence(); got != 0 {
			t.Fatalf("sequences are per bucket: s2 = %d", got)
		}
		if err := tx.Bucket([]byte("s2")).SetSequence(1 << 40); err != nil {
			return err
		}
		n, err := tx.Bucket([]byte("s2")).NextSequence()
		if err != nil || n != 1<<40+1 {
			t.Fatalf("NextSequence after SetSequence = %d, %v", n, err)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		if got := tx.Bucket([]byte("s2")).Sequence(); got != 1<<40+1 {
			t.Fatalf("s2 after commit = %d", got)
		}
		if got := tx.Bucket([]byte("s1")).Sequence(); got != 10 {
			t.Fatalf("s1 after commit = %d", got)
		}
		return nil
	})
}

func testBuckets(t *testing.T, e kv.Engine) {
	names := [][]byte{[]byte("b"), []byte("a"), {0x00}, {0xff, 0x00}, []byte("a\x00"), []byte("中文")}
	update(t, e, func(tx kv.Tx) error {
		if tx.Bucket([]byte("a")) != nil {
			t.Fatal("an absent bucket is not nil")
		}
		if !tx.Writable() {
			t.Fatal("Update's transaction is not writable")
		}
		for _, n := range names {
			if _, err := tx.CreateBucket(n); err != nil {
				return err
			}
		}
		if _, err := tx.CreateBucket([]byte("a")); !errors.Is(err, kv.ErrBucketExists) {
			t.Fatalf("CreateBucket of an existing bucket = %v", err)
		}
		b, err := tx.CreateBucketIfNotExists([]byte("a"))
		if err != nil || b == nil {
			t.Fatalf("CreateBucketIfNotExists of an existing bucket = %v, %v", b, err)
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	list := func(tx kv.Tx) [][]byte {
		var out [][]byte
		if err := tx.ForEachBucket(func(name []byte) error {
			out = append(out, bytes.Clone(name))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	view(t, e, func(tx kv.Tx) error {
		if tx.Writable() {
			t.Fatal("View's transaction is writable")
		}
		equalKeys(t, "ForEachBucket", list(tx), sorted(names))
		if v := tx.Bucket([]byte("a")).Get([]byte("k")); string(v) != "v" {
			t.Fatalf("Get = %q", v)
		}
		if tx.Bucket([]byte("a\x00")).Get([]byte("k")) != nil {
			t.Fatal("buckets share keys")
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		if err := tx.DeleteBucket([]byte("a")); err != nil {
			return err
		}
		if tx.Bucket([]byte("a")) != nil {
			t.Fatal("a deleted bucket is still there in its transaction")
		}
		if err := tx.DeleteBucket([]byte("a")); !errors.Is(err, kv.ErrBucketNotFound) {
			t.Fatalf("DeleteBucket twice = %v", err)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		if tx.Bucket([]byte("a")) != nil {
			t.Fatal("a deleted bucket exists after commit")
		}
		var left [][]byte
		for _, n := range names {
			if string(n) != "a" {
				left = append(left, n)
			}
		}
		equalKeys(t, "ForEachBucket after delete", list(tx), sorted(left))
		return nil
	})
}

func testDeleteBucketKeys(t *testing.T, e kv.Engine) {
	fill(t, e, "gone", []byte("a"), []byte("b"))
	update(t, e, func(tx kv.Tx) error {
		if err := tx.DeleteBucket([]byte("gone")); err != nil {
			return err
		}
		b, err := tx.CreateBucket([]byte("gone"))
		if err != nil {
			return err
		}
		if b.Get([]byte("a")) != nil || b.Sequence() != 0 {
			t.Fatal("a recreated bucket has the old one's keys or sequence")
		}
		return b.Put([]byte("c"), []byte("c"))
	})
	view(t, e, func(tx kv.Tx) error {
		equalKeys(t, "recreated bucket", keysForward(tx.Bucket([]byte("gone")).Cursor()), [][]byte{[]byte("c")})
		return nil
	})
}

func testLargeValues(t *testing.T, e kv.Engine) {
	big := make([]byte, 10<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("big"))
		if err != nil {
			return err
		}
		if err := b.Put([]byte("doc"), big); err != nil {
			return err
		}
		if err := b.Put([]byte("small"), []byte("s")); err != nil {
			return err
		}
		if v := b.Get([]byte("doc")); !bytes.Equal(v, big) {
			t.Fatalf("10 MB value before commit: %d bytes", len(v))
		}
		// A cursor read in between (an engine may send its queued writes).
		if k, v := b.Cursor().Last(); string(k) != "small" || string(v) != "s" {
			t.Fatalf("Last before commit = %q, %q", k, v)
		}
		if v := b.Get([]byte("doc")); !bytes.Equal(v, big) {
			t.Fatalf("10 MB value read again before commit: %d bytes", len(v))
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("big"))
		if v := b.Get([]byte("doc")); !bytes.Equal(v, big) {
			t.Fatalf("10 MB value after commit: %d bytes", len(v))
		}
		if k, v := b.Cursor().First(); string(k) != "doc" || !bytes.Equal(v, big) {
			t.Fatalf("10 MB value through a cursor: %q, %d bytes", k, len(v))
		}
		return nil
	})
}

func testBatchIsolates(t *testing.T, e kv.Engine) {
	fill(t, e, "batch")
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = e.Batch(bg, func(tx kv.Tx) error {
				b := tx.Bucket([]byte("batch"))
				if err := b.Put(be(i), []byte("x")); err != nil {
					return err
				}
				if _, err := b.NextSequence(); err != nil {
					return err
				}
				if i%4 == 1 {
					return fmt.Errorf("call %d: %w", i, errAbort)
				}
				return nil
			})
		})
	}
	wg.Wait()
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("batch"))
		ok := 0
		for i := range n {
			failed := i%4 == 1
			if failed != (errs[i] != nil) || (failed && !errors.Is(errs[i], errAbort)) {
				t.Errorf("call %d returned %v", i, errs[i])
			}
			if got := b.Get(be(i)) != nil; got == failed {
				t.Errorf("call %d (failing %v): its write present = %v", i, failed, got)
			}
			if !failed {
				ok++
			}
		}
		if got := b.Sequence(); got != uint64(ok) { // #nosec G115 -- small test counts
			t.Errorf("sequence = %d, want %d: a failing call's NextSequence was kept, or a call ran twice without rollback", got, ok)
		}
		return nil
	})
}

func testConcurrentCounter(t *testing.T, e kv.Engine) {
	fill(t, e, "counter")
	Counter(t, []kv.Engine{e}, 8, 25)
}

// Counter has goroutines spread over engines (several engines may share one
// database) each increment one counter perRoutine times through Update, as a
// read-modify-write: the final value is exact only if writers are serialized.
// Bucket "counter" must exist.
func Counter(t *testing.T, engines []kv.Engine, routines, perRoutine int) {
	t.Helper()
	var wg sync.WaitGroup
	errc := make(chan error, routines)
	for r := range routines {
		e := engines[r%len(engines)]
		wg.Go(func() {
			for range perRoutine {
				err := e.Update(bg, func(tx kv.Tx) error {
					b := tx.Bucket([]byte("counter"))
					var n uint64
					if v := b.Get([]byte("n")); v != nil {
						n = binary.BigEndian.Uint64(v)
					}
					if err := b.Put([]byte("k"+fmt.Sprint(n)), []byte{1}); err != nil {
						return err
					}
					return b.Put([]byte("n"), binary.BigEndian.AppendUint64(nil, n+1))
				})
				if err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("Update: %v", err)
	}
	view(t, engines[0], func(tx kv.Tx) error {
		b := tx.Bucket([]byte("counter"))
		want := uint64(routines * perRoutine) // #nosec G115 -- small test counts
		if got := binary.BigEndian.Uint64(b.Get([]byte("n"))); got != want {
			t.Fatalf("counter = %d, want %d: writers were not serialized", got, want)
		}
		if got := b.KeyN(); got != routines*perRoutine+1 {
			t.Fatalf("%d keys, want %d", got, routines*perRoutine+1)
		}
		return nil
	})
}

func testViewSnapshot(t *testing.T, e kv.Engine) {
	fill(t, e, "snap", []byte("a"))
	// An embedded engine (bbolt) that must grow its memory map waits for
	// the readers to end; writing and deleting 2 MB first leaves it room,
	// so that the commit below happens during the View on every engine.
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("room"))
		if err != nil {
			return err
		}
		for i := range 8 {
			if err := b.Put(be(i), make([]byte, 256<<10)); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error { return tx.DeleteBucket([]byte("room")) })
	started, committed := make(chan struct{}), make(chan error)
	go func() {
		<-started
		committed <- e.Update(bg, func(tx kv.Tx) error {
			b := tx.Bucket([]byte("snap"))
			if err := b.Put([]byte("a"), []byte("changed")); err != nil {
				return err
			}
			if err := b.Put([]byte("b"), []byte("new")); err != nil {
				return err
			}
			_, err := b.NextSequence()
			return err
		})
	}()
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("snap"))
		if v := b.Get([]byte("a")); string(v) != "va" {
			t.Fatalf("a = %q", v)
		}
		close(started)
		select {
		case err := <-committed:
			if err != nil {
				t.Fatalf("a concurrent Update failed: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("an Update waited for a View to end")
		}
		if v := b.Get([]byte("a")); string(v) != "va" {
			t.Fatalf("a View sees a commit made during it: a = %q", v)
		}
		if v := b.Get([]byte("b")); v != nil {
			t.Fatalf("a View sees a key committed during it: %q", v)
		}
		equalKeys(t, "cursor in the old snapshot", keysForward(b.Cursor()), [][]byte{[]byte("a")})
		if got := b.Sequence(); got != 0 {
			t.Fatalf("a View sees a sequence committed during it: %d", got)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		if v := tx.Bucket([]byte("snap")).Get([]byte("a")); string(v) != "changed" {
			t.Fatalf("a new View misses the commit: %q", v)
		}
		return nil
	})
}

func testNotWritable(t *testing.T, e kv.Engine) {
	fill(t, e, "ro", []byte("a"))
	err := e.View(bg, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("ro"))
		for name, err := range map[string]error{
			"Put":          b.Put([]byte("x"), []byte("y")),
			"Delete":       b.Delete([]byte("a")),
			"SetSequence":  b.SetSequence(5),
			"DeleteBucket": tx.DeleteBucket([]byte("ro")),
		} {
			if !errors.Is(err, kv.ErrTxNotWritable) {
				t.Errorf("%s in a View = %v, want ErrTxNotWritable", name, err)
			}
		}
		if _, err := tx.CreateBucket([]byte("new")); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Errorf("CreateBucket in a View = %v", err)
		}
		if _, err := tx.CreateBucketIfNotExists([]byte("new")); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Errorf("CreateBucketIfNotExists in a View = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	view(t, e, func(tx kv.Tx) error {
		if string(tx.Bucket([]byte("ro")).Get([]byte("a"))) != "va" || tx.Bucket([]byte("new")) != nil {
			t.Fatal("a refused write changed the database")
		}
		return nil
	})
}

func testValuesCopiedOut(t *testing.T, e kv.Engine) {
	fill(t, e, "copy", []byte("a"), []byte("b"))
	var got, cur []byte
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("copy"))
		got = bytes.Clone(b.Get([]byte("a")))
		_, v := b.Cursor().Last()
		cur = bytes.Clone(v)
		return nil
	})
	// Churn the database so that a reused page or buffer would show.
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("copy"))
		for i := range 200 {
			if err := b.Put(be(i), bytes.Repeat([]byte{0xee}, 512)); err != nil {
				return err
			}
		}
		if err := b.Put([]byte("a"), []byte("XX")); err != nil {
			return err
		}
		return b.Delete([]byte("b"))
	})
	if string(got) != "va" || string(cur) != "vb" {
		t.Fatalf("values copied out of a transaction changed: %q, %q", got, cur)
	}
	// A value handed to Put may be reused by the caller after commit.
	buf := []byte("first")
	update(t, e, func(tx kv.Tx) error { return tx.Bucket([]byte("copy")).Put([]byte("buf"), buf) })
	copy(buf, "XXXXX")
	view(t, e, func(tx kv.Tx) error {
		if v := tx.Bucket([]byte("copy")).Get([]byte("buf")); string(v) != "first" {
			t.Fatalf("the engine kept the caller's buffer after commit: %q", v)
		}
		return nil
	})
}

func testEmptyKey(t *testing.T, e kv.Engine) {
	fill(t, e, "e")
	_ = e.Update(bg, func(tx kv.Tx) error {
		if err := tx.Bucket([]byte("e")).Put(nil, []byte("x")); err == nil {
			t.Error("Put with an empty key succeeded")
		}
		return errAbort
	})
}

func testKeyN(t *testing.T, e kv.Engine) {
	fill(t, e, "n", []byte("a"), []byte("b"), []byte("c"))
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("n"))
		if err := b.Put([]byte("d"), nil); err != nil {
			return err
		}
		if err := b.Delete([]byte("a")); err != nil {
			return err
		}
		if got := b.KeyN(); got != 3 {
			t.Fatalf("KeyN inside the transaction = %d, want 3", got)
		}
		b.SetFillPercent(1.0)
		return nil
	})
}

func testCanceledContext(t *testing.T, e kv.Engine) {
	fill(t, e, "ctx")
	ctx, cancel := context.WithCancel(bg)
	cancel()
	ran := false
	err := e.Update(ctx, func(tx kv.Tx) error {
		ran = true
		return tx.Bucket([]byte("ctx")).Put([]byte("a"), []byte("b"))
	})
	if err == nil && !ran {
		t.Fatal("Update with a canceled context returned nil without running fn")
	}
	if err == nil {
		// An engine may run fn anyway (bbolt ignores the context); the write is then committed.
		return
	}
	view(t, e, func(tx kv.Tx) error {
		if tx.Bucket([]byte("ctx")).Get([]byte("a")) != nil {
			t.Fatal("Update returned an error but committed")
		}
		return nil
	})
}
