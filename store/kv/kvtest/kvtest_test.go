package kvtest

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"sort"
	"sync"
	"testing"

	"sealportal/store/kv"
)

// memEngine is a small in-memory reference engine: the suite's own test that
// its checks hold for an obviously correct engine. Update copies the whole
// state and swaps it in at commit; View reads the current immutable state.
type memEngine struct {
	writer sync.Mutex
	mu     sync.Mutex
	state  *memState
}

type memState struct{ buckets map[string]*memBucketData }

type memBucketData struct {
	keys [][]byte // sorted
	vals map[string][]byte
	seq  uint64
}

func (d *memBucketData) clone() *memBucketData {
	c := &memBucketData{keys: append([][]byte(nil), d.keys...), vals: make(map[string][]byte, len(d.vals)), seq: d.seq}
	for k, v := range d.vals {
		c.vals[k] = v
	}
	return c
}

func newMem() *memEngine { return &memEngine{state: &memState{buckets: map[string]*memBucketData{}}} }

func (e *memEngine) current() *memState {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state
}

func (e *memEngine) View(ctx context.Context, fn func(kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(&memTx{st: e.current()})
}

func (e *memEngine) Update(ctx context.Context, fn func(kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.writer.Lock()
	defer e.writer.Unlock()
	old := e.current()
	st := &memState{buckets: make(map[string]*memBucketData, len(old.buckets))}
	for n, b := range old.buckets {
		st.buckets[n] = b.clone()
	}
	if err := fn(&memTx{st: st, writable: true}); err != nil {
		return err
	}
	e.mu.Lock()
	e.state = st
	e.mu.Unlock()
	return nil
}

func (e *memEngine) Batch(ctx context.Context, fn func(kv.Tx) error) error { return e.Update(ctx, fn) }
func (e *memEngine) Close() error                                          { return nil }

type memTx struct {
	st       *memState
	writable bool
}

func (t *memTx) Bucket(name []byte) kv.Bucket {
	if _, ok := t.st.buckets[string(name)]; !ok {
		return nil
	}
	return &memBucket{t: t, name: string(name)}
}

func (t *memTx) CreateBucket(name []byte) (kv.Bucket, error) {
	if !t.writable {
		return nil, kv.ErrTxNotWritable
	}
	if _, ok := t.st.buckets[string(name)]; ok {
		return nil, kv.ErrBucketExists
	}
	t.st.buckets[string(name)] = &memBucketData{vals: map[string][]byte{}}
	return t.Bucket(name), nil
}

func (t *memTx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if !t.writable {
		return nil, kv.ErrTxNotWritable
	}
	if b := t.Bucket(name); b != nil {
		return b, nil
	}
	return t.CreateBucket(name)
}

func (t *memTx) DeleteBucket(name []byte) error {
	if !t.writable {
		return kv.ErrTxNotWritable
	}
	if _, ok := t.st.buckets[string(name)]; !ok {
		return kv.ErrBucketNotFound
	}
	delete(t.st.buckets, string(name))
	return nil
}

func (t *memTx) ForEachBucket(fn func([]byte) error) error {
	var names []string
	for n := range t.st.buckets {
		names = append(names, n)
	}
	sort.Strings(names) // Go strings compare bytewise
	for _, n := range names {
		if err := fn([]byte(n)); err != nil {
			return err
		}
	}
	return nil
}

func (t *memTx) Writable() bool { return t.writable }
func (t *memTx) Err() error     { return nil }

type memBucket struct {
	t    *memTx
	name string
}

func (b *memBucket) d() *memBucketData { return b.t.st.buckets[b.name] }

func (b *memBucket) Get(k []byte) []byte {
	if v, ok := b.d().vals[string(k)]; ok {
		return bytes.Clone(v)
	}
	return nil
}

func (b *memBucket) Put(k, v []byte) error {
	if !b.t.writable {
		return kv.ErrTxNotWritable
	}
	if len(k) == 0 {
		return errors.New("mem: key required")
	}
	d := b.d()
	if _, ok := d.vals[string(k)]; !ok {
		i := sort.Search(len(d.keys), func(i int) bool { return bytes.Compare(d.keys[i], k) >= 0 })
		d.keys = append(d.keys, nil)
		copy(d.keys[i+1:], d.keys[i:])
		d.keys[i] = bytes.Clone(k)
	}
	d.vals[string(k)] = append([]byte{}, v...)
	return nil
}

func (b *memBucket) Delete(k []byte) error {
	if !b.t.writable {
		return kv.ErrTxNotWritable
	}
	d := b.d()
	if _, ok := d.vals[string(k)]; !ok {
		return nil
	}
	delete(d.vals, string(k))
	i := sort.Search(len(d.keys), func(i int) bool { return bytes.Compare(d.keys[i], k) >= 0 })
	d.keys = append(d.keys[:i], d.keys[i+1:]...)
	return nil
}

func (b *memBucket) NextSequence() (uint64, error) {
	if !b.t.writable {
		return 0, kv.ErrTxNotWritable
	}
	b.d().seq++
	return b.d().seq, nil
}

func (b *memBucket) Sequence() uint64 { return b.d().seq }

func (b *memBucket) SetSequence(v uint64) error {
	if !b.t.writable {
		return kv.ErrTxNotWritable
	}
	b.d().seq = v
	return nil
}

func (b *memBucket) Cursor() kv.Cursor { return &memCursor{b: b, pos: -1} }

func (b *memBucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (b *memBucket) KeyN() int              { return len(b.d().keys) }
func (b *memBucket) SetFillPercent(float64) {}

// memCursor remembers the key it is on and finds its place again at each
// move, so writes between moves are seen.
type memCursor struct {
	b   *memBucket
	key []byte // nil: before the start (pos -1) or past the end (pos 1)
	pos int
}

func (c *memCursor) at(i int) ([]byte, []byte) {
	d := c.b.d()
	if i < 0 {
		c.key, c.pos = nil, -1
		return nil, nil
	}
	if i >= len(d.keys) {
		c.key, c.pos = nil, 1
		return nil, nil
	}
	c.key, c.pos = d.keys[i], 0
	return bytes.Clone(d.keys[i]), bytes.Clone(d.vals[string(d.keys[i])])
}

func (c *memCursor) search(k []byte) int {
	d := c.b.d()
	return sort.Search(len(d.keys), func(i int) bool { return bytes.Compare(d.keys[i], k) >= 0 })
}

func (c *memCursor) First() ([]byte, []byte)        { return c.at(0) }
func (c *memCursor) Last() ([]byte, []byte)         { return c.at(len(c.b.d().keys) - 1) }
func (c *memCursor) Seek(s []byte) ([]byte, []byte) { return c.at(c.search(s)) }

func (c *memCursor) Next() ([]byte, []byte) {
	switch {
	case c.pos < 0:
		return c.at(0)
	case c.pos > 0:
		return nil, nil
	}
	i := c.search(c.key)
	if i < len(c.b.d().keys) && bytes.Equal(c.b.d().keys[i], c.key) {
		i++
	}
	return c.at(i)
}

func (c *memCursor) Prev() ([]byte, []byte) {
	switch {
	case c.pos < 0:
		return nil, nil
	case c.pos > 0:
		return c.at(len(c.b.d().keys) - 1)
	}
	return c.at(c.search(c.key) - 1)
}

func (c *memCursor) Delete() error {
	if !c.b.t.writable {
		return kv.ErrTxNotWritable
	}
	if c.key == nil {
		return nil
	}
	return c.b.Delete(c.key)
}

func TestReferenceEngine(t *testing.T) {
	Run(t, func(t *testing.T) kv.Engine { return newMem() })
}

func TestFaultyWrapperUnarmed(t *testing.T) {
	Run(t, func(t *testing.T) kv.Engine { return Faulty(newMem()) })
}

var errInjected = errors.New("kvtest: injected read failure")

func TestStickyOnFaultyWrapper(t *testing.T) {
	f := Faulty(newMem())
	Sticky(t, f, func(t testing.TB, tx kv.Tx) { f.FailNext(errInjected) })
}

// recorder is a testing.TB that records failures instead of failing the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Error(...any)          { r.failed = true }
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true; runtime.Goexit() }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; runtime.Goexit() }

// TestStickyCatchesAnEngineWithoutStickyErrors: an engine whose failed read
// answers "not found" and commits anyway fails the check.
func TestStickyCatchesAnEngineWithoutStickyErrors(t *testing.T) {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Sticky(r, newMem(), func(testing.TB, kv.Tx) {}) // breaks nothing: reads succeed
	}()
	<-done
	if !r.failed {
		t.Fatal("Sticky passed an engine whose reads never fail")
	}
}
