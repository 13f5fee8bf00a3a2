package pgkv

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sealportal/store/kv"
)

// txn is one transaction: kv.Tx.
type txn struct {
	e        *Engine
	stx      *sql.Tx
	ctx      context.Context // the caller's: statements run under it
	cancel   context.CancelFunc
	writable bool
	err      error // the first engine error (sticky)

	gen      int64 // kv_writer.gen seen by this transaction
	genKnown bool
	names    *bucketNames       // validated for gen
	local    map[string]*bucket // buckets looked up, created or deleted (nil) here

	pending      map[int64]map[string]op     // queued writes per bucket id
	pendingBytes int                         // their size, to flush big transactions early
	cache        map[int64]map[string][]byte // values read or flushed; nil value: absent

	changedBuckets bool
}

// op is a queued write: a value, or a deletion.
type op struct {
	v   []byte
	del bool
}

// flushAt is the size of queued writes that is sent before commit.
const flushAt = 32 << 20

// cacheWrites is the most bytes of flushed writes kept for reading back.
const cacheWrites = 1 << 20

// fail records the first engine error.
func (t *txn) fail(what string, err error) {
	if t.err == nil && err != nil {
		t.err = fmt.Errorf("pgkv: %s: %w", what, refusedWrite(err))
	}
}

func (t *txn) stmtCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.ctx, t.e.opts.StatementTimeout)
}

func (t *txn) exec(what, q string, args ...any) {
	if t.err != nil {
		return
	}
	ctx, cancel := t.stmtCtx()
	defer cancel()
	_, err := t.stx.ExecContext(ctx, q, args...)
	t.fail(what, err)
}

// row runs a one-row query; found is false when there is no row or on error.
func (t *txn) row(what, q string, args []any, dest ...any) (found bool) {
	if t.err != nil {
		return false
	}
	ctx, cancel := t.stmtCtx()
	defer cancel()
	err := t.stx.QueryRowContext(ctx, q, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false
	}
	t.fail(what, err)
	return err == nil
}

type pair struct {
	k, v []byte
	dead bool // deleted through the cursor
}

// rows runs a query of (k, v) rows.
func (t *txn) rows(what, q string, args ...any) []pair {
	if t.err != nil {
		return nil
	}
	ctx, cancel := t.stmtCtx()
	defer cancel()
	rs, err := t.stx.QueryContext(ctx, q, args...)
	if err != nil {
		t.fail(what, err)
		return nil
	}
	defer func() { _ = rs.Close() }()
	var out []pair
	for rs.Next() {
		var p pair
		if err := rs.Scan(&p.k, &p.v); err != nil {
			t.fail(what, err)
			return nil
		}
		if p.v == nil {
			p.v = []byte{}
		}
		out = append(out, p)
	}
	if err := rs.Err(); err != nil {
		t.fail(what, err)
		return nil
	}
	return out
}

// Err implements kv.Tx.
func (t *txn) Err() error { return t.err }

// Writable implements kv.Tx.
func (t *txn) Writable() bool { return t.writable }

// ensureNames makes t.names the bucket ids of this transaction's view,
// reading them again only when kv_writer.gen moved.
func (t *txn) ensureNames() bool {
	if t.names != nil {
		return true
	}
	if !t.genKnown {
		if !t.row("buckets", "SELECT gen FROM kv_writer WHERE id = 1", nil, &t.gen) {
			t.fail("buckets", errors.New("no kv_writer row"))
			return false
		}
		t.genKnown = true
	}
	if n := t.e.names.Load(); n != nil && n.gen == t.gen {
		t.names = n
		return true
	}
	if t.err != nil {
		return false
	}
	ctx, cancel := t.stmtCtx()
	defer cancel()
	rs, err := t.stx.QueryContext(ctx, "SELECT id, name FROM kv_bucket")
	if err != nil {
		t.fail("buckets", err)
		return false
	}
	defer func() { _ = rs.Close() }()
	n := &bucketNames{gen: t.gen, ids: map[string]int64{}}
	for rs.Next() {
		var id int64
		var name []byte
		if err := rs.Scan(&id, &name); err != nil {
			t.fail("buckets", err)
			return false
		}
		n.ids[string(name)] = id
	}
	if err := rs.Err(); err != nil {
		t.fail("buckets", err)
		return false
	}
	t.names = n
	if !t.changedBuckets {
		t.e.names.Store(n)
	}
	return true
}

func (t *txn) lookup(name []byte) *bucket {
	if b, ok := t.local[string(name)]; ok {
		return b
	}
	if !t.ensureNames() {
		return nil
	}
	id, ok := t.names.ids[string(name)]
	if !ok {
		return nil
	}
	b := &bucket{t: t, id: id, name: bytes.Clone(name)}
	t.local[string(name)] = b
	return b
}

// Bucket implements kv.Tx.
func (t *txn) Bucket(name []byte) kv.Bucket {
	if b := t.lookup(name); b != nil {
		return b
	}
	return nil
}

// CreateBucket implements kv.Tx.
func (t *txn) CreateBucket(name []byte) (kv.Bucket, error) {
	if !t.writable {
		return nil, kv.ErrTxNotWritable
	}
	if len(name) == 0 {
		return nil, errors.New("pgkv: bucket name required")
	}
	if t.lookup(name) != nil {
		return nil, kv.ErrBucketExists
	}
	if t.err != nil {
		return nil, t.err
	}
	var id int64
	t.row("create bucket", "SELECT COALESCE(MAX(id), 0) + 1 FROM kv_bucket", nil, &id)
	if t.err == nil && id > math.MaxInt16 {
		t.fail("create bucket", errors.New("too many buckets"))
	}
	t.exec("create bucket", "INSERT INTO kv_bucket (id, name, seq) VALUES ($1, $2, 0)", id, name)
	t.exec("create bucket", "UPDATE kv_writer SET gen = gen + 1 WHERE id = 1")
	if t.err != nil {
		return nil, t.err
	}
	t.changedBuckets = true
	b := &bucket{t: t, id: id, name: bytes.Clone(name), seqKnown: true}
	t.local[string(name)] = b
	return b, nil
}

// CreateBucketIfNotExists implements kv.Tx.
func (t *txn) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if !t.writable {
		return nil, kv.ErrTxNotWritable
	}
	if b := t.lookup(name); b != nil {
		return b, nil
	}
	if t.err != nil {
		return nil, t.err
	}
	return t.CreateBucket(name)
}

// DeleteBucket implements kv.Tx.
func (t *txn) DeleteBucket(name []byte) error {
	if !t.writable {
		return kv.ErrTxNotWritable
	}
	b := t.lookup(name)
	if t.err != nil {
		return t.err
	}
	if b == nil {
		return kv.ErrBucketNotFound
	}
	delete(t.pending, b.id)
	delete(t.cache, b.id)
	t.exec("delete bucket", "DELETE FROM kv WHERE bucket = $1", b.id)
	t.exec("delete bucket", "DELETE FROM kv_bucket WHERE id = $1", b.id)
	t.exec("delete bucket", "UPDATE kv_writer SET gen = gen + 1 WHERE id = 1")
	if t.err != nil {
		return t.err
	}
	t.changedBuckets = true
	b.deleted = true
	t.local[string(name)] = nil
	return nil
}

// ForEachBucket implements kv.Tx.
func (t *txn) ForEachBucket(fn func(name []byte) error) error {
	if t.err != nil {
		return t.err
	}
	ctx, cancel := t.stmtCtx()
	rs, err := t.stx.QueryContext(ctx, "SELECT name FROM kv_bucket ORDER BY name")
	if err != nil {
		cancel()
		t.fail("list buckets", err)
		return t.err
	}
	var names [][]byte
	for rs.Next() {
		var n []byte
		if err := rs.Scan(&n); err != nil {
			t.fail("list buckets", err)
			break
		}
		names = append(names, n)
	}
	t.fail("list buckets", rs.Err())
	_ = rs.Close()
	cancel()
	if t.err != nil {
		return t.err
	}
	for _, n := range names {
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}

// flush sends the queued writes: per bucket one multi-row DELETE of every
// queued key, then one multi-row INSERT of every queued value (no upsert is
// needed under the writer lock).
func (t *txn) flush() {
	if t.err != nil || len(t.pending) == 0 {
		return
	}
	ids := make([]int64, 0, len(t.pending))
	for id := range t.pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	type row struct {
		id   int64
		k, v []byte
	}
	var puts []row
	for _, id := range ids {
		ops := t.pending[id]
		keys := make([]string, 0, len(ops))
		for k := range ops {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for start := 0; start < len(keys); start += 1000 {
			chunk := keys[start:min(start+1000, len(keys))]
			var q strings.Builder
			args := make([]any, 0, len(chunk)+1)
			args = append(args, id)
			q.WriteString("DELETE FROM kv WHERE bucket = $1 AND k IN (")
			for i, k := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("$" + strconv.Itoa(i+2))
				args = append(args, []byte(k))
			}
			q.WriteString(")")
			t.exec("write", q.String(), args...)
		}
		for _, k := range keys {
			if o := ops[k]; !o.del {
				puts = append(puts, row{id, []byte(k), o.v})
			}
		}
	}
	for start := 0; start < len(puts); {
		var q strings.Builder
		q.WriteString("INSERT INTO kv (bucket, k, v) VALUES ")
		var args []any
		size := 0
		n := 0
		for ; start < len(puts) && n < 1000 && (n == 0 || size+len(puts[start].v) < flushAt); start, n = start+1, n+1 {
			p := puts[start]
			if n > 0 {
				q.WriteString(", ")
			}
			i := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d)", i+1, i+2, i+3)
			args = append(args, p.id, p.k, p.v)
			size += len(p.k) + len(p.v)
		}
		t.exec("write", q.String(), args...)
	}
	if t.err != nil {
		return
	}
	// Small writes stay readable from memory; big ones (a bulk load) are
	// forgotten, so that a long transaction's memory stays bounded.
	keep := t.pendingBytes <= cacheWrites
	if t.cache == nil {
		t.cache = map[int64]map[string][]byte{}
	}
	for id, ops := range t.pending {
		m := t.cache[id]
		if m == nil {
			m = map[string][]byte{}
			t.cache[id] = m
		}
		for k, o := range ops {
			switch {
			case !keep:
				delete(m, k)
			case o.del:
				m[k] = nil
			default:
				m[k] = o.v
			}
		}
	}
	t.pending, t.pendingBytes = nil, 0
}

// bucket is one bucket in one transaction: kv.Bucket.
type bucket struct {
	t        *txn
	id       int64
	name     []byte
	seq      uint64
	seqKnown bool
	deleted  bool
}

// Get implements kv.Bucket.
func (b *bucket) Get(k []byte) []byte {
	t := b.t
	if t.err != nil || b.deleted {
		return nil
	}
	if o, ok := t.pending[b.id][string(k)]; ok {
		if o.del {
			return nil
		}
		return o.v
	}
	if v, ok := t.cache[b.id][string(k)]; ok {
		return v
	}
	var v []byte
	found := t.row("get", "SELECT v FROM kv WHERE bucket = $1 AND k = $2", []any{b.id, k}, &v)
	if t.err != nil {
		return nil
	}
	if found && v == nil {
		v = []byte{}
	}
	if t.cache == nil {
		t.cache = map[int64]map[string][]byte{}
	}
	if t.cache[b.id] == nil {
		t.cache[b.id] = map[string][]byte{}
	}
	t.cache[b.id][string(k)] = v
	return v
}

func (b *bucket) writable() error {
	switch {
	case !b.t.writable:
		return kv.ErrTxNotWritable
	case b.t.err != nil:
		return b.t.err
	case b.deleted:
		return kv.ErrBucketNotFound
	}
	return nil
}

func (b *bucket) queue(k []byte, o op) error {
	if err := b.writable(); err != nil {
		return err
	}
	if len(k) == 0 {
		return ErrKeyRequired
	}
	if len(k) > MaxKeySize {
		return ErrKeyTooLarge
	}
	t := b.t
	if t.pending == nil {
		t.pending = map[int64]map[string]op{}
	}
	if t.pending[b.id] == nil {
		t.pending[b.id] = map[string]op{}
	}
	t.pending[b.id][string(k)] = o
	t.pendingBytes += len(k) + len(o.v)
	if t.pendingBytes > flushAt {
		t.flush()
	}
	return t.err
}

// Put implements kv.Bucket.
func (b *bucket) Put(k, v []byte) error {
	if v == nil {
		v = []byte{}
	}
	return b.queue(k, op{v: v})
}

// Delete implements kv.Bucket.
func (b *bucket) Delete(k []byte) error {
	if err := b.writable(); err != nil {
		return err
	}
	if len(k) == 0 {
		return nil
	}
	return b.queue(k, op{del: true})
}

// NextSequence implements kv.Bucket: under the writer lock, rolled back
// with the transaction.
func (b *bucket) NextSequence() (uint64, error) {
	if err := b.writable(); err != nil {
		return 0, err
	}
	var n int64
	if !b.t.row("sequence", "UPDATE kv_bucket SET seq = seq + 1 WHERE id = $1 RETURNING seq", []any{b.id}, &n) {
		b.t.fail("sequence", kv.ErrBucketNotFound)
		return 0, b.t.err
	}
	b.seq, b.seqKnown = uint64(n), true // #nosec G115 -- written only from uint64 values within int64 range
	return b.seq, nil
}

// Sequence implements kv.Bucket.
func (b *bucket) Sequence() uint64 {
	if b.t.err != nil || b.deleted {
		return 0
	}
	if !b.seqKnown {
		var n int64
		if !b.t.row("sequence", "SELECT seq FROM kv_bucket WHERE id = $1", []any{b.id}, &n) {
			b.t.fail("sequence", kv.ErrBucketNotFound)
			return 0
		}
		b.seq, b.seqKnown = uint64(n), true // #nosec G115 -- written only from uint64 values within int64 range
	}
	return b.seq
}

// SetSequence implements kv.Bucket.
func (b *bucket) SetSequence(v uint64) error {
	if err := b.writable(); err != nil {
		return err
	}
	if v > math.MaxInt64 {
		return errors.New("pgkv: sequence out of range")
	}
	b.t.exec("sequence", "UPDATE kv_bucket SET seq = $2 WHERE id = $1", b.id, int64(v))
	if b.t.err != nil {
		return b.t.err
	}
	b.seq, b.seqKnown = v, true
	return nil
}

// KeyN implements kv.Bucket.
func (b *bucket) KeyN() int {
	if b.t.err != nil || b.deleted {
		return 0
	}
	b.t.flush()
	var n int64
	b.t.row("count", "SELECT count(*) FROM kv WHERE bucket = $1", []any{b.id}, &n)
	return int(n)
}

// SetFillPercent implements kv.Bucket: PostgreSQL has no such hint.
func (b *bucket) SetFillPercent(float64) {}

// ForEach implements kv.Bucket.
func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.t.err
}

// Cursor implements kv.Bucket.
func (b *bucket) Cursor() kv.Cursor { return &cursor{b: b, pos: -1} }

// cursor reads a page of rows at a time. The page is in ascending order;
// lowDone/highDone say that no key lies below/above it. pos is the index of
// the current row: -1 before the page, len(page) after it.
type cursor struct {
	b                 *bucket
	page              []pair
	pos               int
	lowDone, highDone bool
	anchor            []byte // a Seek's key, when its page is empty
	positioned        bool
}

const (
	qFirst = "SELECT k, v FROM kv WHERE bucket = $1 ORDER BY k LIMIT 256"
	qLast  = "SELECT k, v FROM kv WHERE bucket = $1 ORDER BY k DESC LIMIT 256"
	qGE    = "SELECT k, v FROM kv WHERE bucket = $1 AND k >= $2 ORDER BY k LIMIT 256"
	qGT    = "SELECT k, v FROM kv WHERE bucket = $1 AND k > $2 ORDER BY k LIMIT 256"
	qLT    = "SELECT k, v FROM kv WHERE bucket = $1 AND k < $2 ORDER BY k DESC LIMIT 256"
)

func (c *cursor) fetch(q string, args ...any) ([]pair, bool) {
	t := c.b.t
	if t.err != nil || c.b.deleted {
		return nil, false
	}
	t.flush() // reads see this transaction's own writes
	rows := t.rows("cursor", q, append([]any{c.b.id}, args...)...)
	return rows, t.err == nil
}

func (c *cursor) at() ([]byte, []byte) {
	if c.pos < 0 || c.pos >= len(c.page) {
		return nil, nil
	}
	p := c.page[c.pos]
	return p.k, p.v
}

func (c *cursor) load(q string, desc bool, args ...any) bool {
	rows, ok := c.fetch(q, args...)
	if !ok {
		c.page, c.pos = nil, 0
		return false
	}
	if desc {
		slices.Reverse(rows)
	}
	c.page = rows
	c.positioned = true
	return true
}

// First implements kv.Cursor.
func (c *cursor) First() ([]byte, []byte) {
	if !c.load(qFirst, false) {
		return nil, nil
	}
	c.lowDone, c.highDone, c.pos = true, len(c.page) < pageSize, 0
	return c.skip(1)
}

// Last implements kv.Cursor.
func (c *cursor) Last() ([]byte, []byte) {
	if !c.load(qLast, true) {
		return nil, nil
	}
	c.highDone, c.lowDone, c.pos = true, len(c.page) < pageSize, len(c.page)-1
	return c.skip(-1)
}

// Seek implements kv.Cursor.
func (c *cursor) Seek(seek []byte) ([]byte, []byte) {
	if seek == nil {
		seek = []byte{}
	}
	if !c.load(qGE, false, seek) {
		return nil, nil
	}
	c.lowDone, c.highDone, c.pos = len(seek) == 0, len(c.page) < pageSize, 0
	c.anchor = bytes.Clone(seek)
	return c.skip(1)
}

// Next implements kv.Cursor.
func (c *cursor) Next() ([]byte, []byte) {
	if !c.positioned {
		return c.First()
	}
	c.pos++
	return c.skip(1)
}

// Prev implements kv.Cursor.
func (c *cursor) Prev() ([]byte, []byte) {
	if !c.positioned {
		return c.Last()
	}
	c.pos--
	return c.skip(-1)
}

// skip settles on the row at pos or the next live one in direction dir,
// reading the neighbouring page when pos leaves the current one.
func (c *cursor) skip(dir int) ([]byte, []byte) {
	for {
		if c.b.t.err != nil {
			return nil, nil
		}
		switch {
		case c.pos >= len(c.page):
			if c.highDone {
				c.pos = len(c.page)
				return nil, nil
			}
			if !c.turnPage(1) {
				return nil, nil
			}
			continue
		case c.pos < 0:
			if c.lowDone {
				c.pos = -1
				return nil, nil
			}
			if !c.turnPage(-1) {
				return nil, nil
			}
			continue
		}
		if !c.page[c.pos].dead {
			return c.at()
		}
		c.pos += dir
	}
}

// turnPage reads the page after (dir 1) or before (dir -1) the current one.
// When there is none, the current page stays and the cursor is past its end.
func (c *cursor) turnPage(dir int) bool {
	var rows []pair
	var ok bool
	if dir > 0 {
		rows, ok = c.fetch(qGT, c.page[len(c.page)-1].k)
	} else {
		from := c.anchor
		if len(c.page) > 0 {
			from = c.page[0].k
		}
		rows, ok = c.fetch(qLT, from)
		slices.Reverse(rows)
	}
	if !ok {
		return false
	}
	if len(rows) == 0 {
		if dir > 0 {
			c.highDone, c.pos = true, len(c.page)
		} else {
			c.lowDone, c.pos = true, -1
		}
		return true
	}
	c.page = rows
	if dir > 0 {
		c.lowDone, c.highDone, c.pos = false, len(rows) < pageSize, 0
	} else {
		c.highDone, c.lowDone, c.pos = false, len(rows) < pageSize, len(rows)-1
	}
	return true
}

// Delete implements kv.Cursor: it removes the current key; the cursor stays
// between its neighbours.
func (c *cursor) Delete() error {
	if err := c.b.writable(); err != nil {
		return err
	}
	if c.pos < 0 || c.pos >= len(c.page) || c.page[c.pos].dead {
		return nil
	}
	if err := c.b.Delete(c.page[c.pos].k); err != nil {
		return err
	}
	c.page[c.pos].dead = true
	return nil
}
