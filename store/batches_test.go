package store

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"sealportal/portal"
	"sealportal/store/kv"
)

// batchSpy counts the write transactions of a store and, per bucket, the
// most keys one of them deleted; failAt makes the failAt-th write transaction
// fail before it runs (a crash between two batches of a job).
type batchSpy struct {
	kv.Engine
	mu      sync.Mutex
	updates int
	most    map[string]int
	failAt  int
}

var errSpyCrash = errors.New("the process stopped here")

func spyBatches(db *DB) *batchSpy {
	s := &batchSpy{Engine: db.eng, most: map[string]int{}}
	db.eng = s
	return s
}

func (s *batchSpy) Update(ctx context.Context, fn func(kv.Tx) error) error {
	s.mu.Lock()
	s.updates++
	crash := s.failAt > 0 && s.updates == s.failAt
	s.mu.Unlock()
	if crash {
		return errSpyCrash
	}
	var deletes map[string]int
	err := s.Engine.Update(ctx, func(tx kv.Tx) error {
		deletes = map[string]int{}
		return fn(&countTx{tx, deletes})
	})
	s.mu.Lock()
	for b, n := range deletes {
		s.most[b] = max(s.most[b], n)
	}
	s.mu.Unlock()
	return err
}

func (s *batchSpy) mostDeleted(bucket []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.most[string(bucket)]
}

type countTx struct {
	kv.Tx
	deletes map[string]int
}

func (t *countTx) Bucket(name []byte) kv.Bucket {
	b := t.Tx.Bucket(name)
	if b == nil {
		return nil
	}
	return countBucket{b, string(name), t.deletes}
}

type countBucket struct {
	kv.Bucket
	name    string
	deletes map[string]int
}

func (b countBucket) Delete(k []byte) error {
	b.deletes[b.name]++
	return b.Bucket.Delete(k)
}

func (b countBucket) Cursor() kv.Cursor { return countCursor{b.Bucket.Cursor(), b} }

type countCursor struct {
	kv.Cursor
	b countBucket
}

func (c countCursor) Delete() error {
	c.b.deletes[c.b.name]++
	return c.Cursor.Delete()
}

// wantBatches fails unless the job took at least the transactions its
// records need in batches of jobBatch, none deleting more than jobBatch keys
// of bucket.
func wantBatches(t *testing.T, spy *batchSpy, bucket []byte, records int) {
	t.Helper()
	if most := spy.mostDeleted(bucket); most > jobBatch || most == 0 {
		t.Errorf("one transaction deleted %d keys of %s; want 1..%d", most, bucket, jobBatch)
	}
	if need := (records + jobBatch - 1) / jobBatch; spy.updates < need {
		t.Errorf("%d write transactions for %d records; want at least %d", spy.updates, records, need)
	}
}

// Issue 15: the hourly purge of delivery records deletes them in bounded
// batches, all of them, and keeps the younger ones.
func TestPurgeOutboxInBatches(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const old, young = 1203, 4
	if err := db.update(func(tx kv.Tx) error {
		for i := range old + young {
			id := uint64(i + 1)
			done := now.Add(-OutboxRetention - time.Hour)
			if i >= old {
				done = now.Add(-time.Hour)
			}
			m := OutboxMessage{ID: id, Channel: portal.ChannelSMS, Status: OutboxSent, Created: done, DoneAt: done}
			if err := db.putOutbox(tx, m); err != nil {
				return err
			}
			if err := tx.Bucket(bucketOutboxDone).Put(timeKey(done, id), nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	spy := spyBatches(db)
	n, err := db.PurgeOutbox(now.Add(-OutboxRetention))
	if err != nil || n != old {
		t.Fatalf("PurgeOutbox = %d, %v; want %d", n, err, old)
	}
	wantBatches(t, spy, bucketOutboxDone, old)
	if rows, err := db.OutboxRows(); err != nil || len(rows) != young {
		t.Fatalf("%d rows left (%v), want %d", len(rows), err, young)
	}
}

// Issue 15: expired registrations, resets and e-mail confirmations go in
// bounded batches; live ones stay.
func TestPurgeCodesInBatches(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const old = 1203
	type row struct {
		bucket []byte
		kind   string
	}
	rows := []row{{bucketPendingRegs, kindPendingReg}, {bucketResets, kindReset}, {bucketEmailPending, kindEmailPending}}
	if err := db.update(func(tx kv.Tx) error {
		for i := range old {
			if err := db.putPending(tx, bucketPendingRegs, kindPendingReg, uint64(i+1), pendingCode{Created: now.Add(-2 * pendingLifetime)}); err != nil {
				return err
			}
		}
		for j, r := range rows { // one live row in each bucket, after the old ones
			if err := db.putPending(tx, r.bucket, r.kind, uint64(old+10+j), pendingCode{Created: now.Add(-time.Minute)}); err != nil {
				return err
			}
		}
		return db.putPending(tx, bucketResets, kindReset, 5, pendingCode{Created: now.Add(-pendingLifetime)})
	}); err != nil {
		t.Fatal(err)
	}
	spy := spyBatches(db)
	n, err := db.PurgeCodes(now)
	if err != nil || n != old+1 {
		t.Fatalf("PurgeCodes = %d, %v; want %d", n, err, old+1)
	}
	wantBatches(t, spy, bucketPendingRegs, old)
	if err := db.view(func(tx kv.Tx) error {
		for _, r := range rows {
			if got := tx.Bucket(r.bucket).KeyN(); got != 1 {
				t.Errorf("%s: %d rows left, want the live one", r.bucket, got)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Issue 15: an unacknowledged bulk body of many chunks is removed in bounded
// batches; a crash between two batches leaves a job the next start finishes
// removing, with one audit entry; a decided job's chunks are not touched.
func TestAbandonReceivingIngestInBatches(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	const chunks = 1203
	if err := db.update(func(tx kv.Tx) error {
		if err := putIngestJob(tx, 7, ingestJobRecord{Organ: 1, Receiving: true, State: portal.IngestQueued, Chunks: chunks}); err != nil {
			return err
		}
		if err := putIngestJob(tx, 8, ingestJobRecord{Organ: 1, State: portal.IngestQueued, Chunks: 2}); err != nil {
			return err
		}
		for i := range chunks {
			if err := tx.Bucket(bucketIngestChunks).Put(chunkKey(7, i), []byte("sealed chunk")); err != nil {
				return err
			}
		}
		for i := range 2 {
			if err := tx.Bucket(bucketIngestChunks).Put(chunkKey(8, i), []byte("sealed chunk")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, before, err := db.SignedAuditHead()
	if err != nil {
		t.Fatal(err)
	}
	inner := db.eng
	spy := spyBatches(db)
	spy.failAt = 2
	if _, err := db.AbandonReceivingIngest(); !errors.Is(err, errSpyCrash) {
		t.Fatalf("the crash between batches: %v", err)
	}
	if err := db.view(func(tx kv.Tx) error {
		if _, err := getIngestJob(tx, 7); err != nil {
			t.Errorf("the job went before its chunks: %v", err)
		}
		if left := countPrefix(tx.Bucket(bucketIngestChunks), itob(7)); left != chunks-jobBatch {
			t.Errorf("%d chunks left after one batch, want %d", left, chunks-jobBatch)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.eng = inner
	spy = spyBatches(db)
	n, err := db.AbandonReceivingIngest()
	if err != nil || n != 1 {
		t.Fatalf("AbandonReceivingIngest after the crash = %d, %v; want 1", n, err)
	}
	wantBatches(t, spy, bucketIngestChunks, chunks-jobBatch)
	if err := db.view(func(tx kv.Tx) error {
		if _, err := getIngestJob(tx, 7); portal.ErrorCode(err) != portal.CodeNotFound {
			t.Errorf("the abandoned job is still there: %v", err)
		}
		if left := countPrefix(tx.Bucket(bucketIngestChunks), itob(7)); left != 0 {
			t.Errorf("%d chunks of the abandoned job left", left)
		}
		if left := countPrefix(tx.Bucket(bucketIngestChunks), itob(8)); left != 2 {
			t.Errorf("the queued job has %d chunks, want 2", left)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var after tlog.Tree
	if _, after, err = db.SignedAuditHead(); err != nil || after.N != before.N+1 {
		t.Fatalf("audit entries %d -> %d (%v); want one for the abandoned job", before.N, after.N, err)
	}
}

func countPrefix(b kv.Bucket, prefix []byte) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
		n++
	}
	return n
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("the connection broke") }

// Issue 15: a body that breaks off after more chunks than one batch is
// removed in bounded batches, the job with the last of them.
func TestReceiveIngestFailureRemovesInBatches(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	organ := ingestTestOrgan(t, db)
	// Lines of 100 bytes: a chunk of ingestChunkLines lines is 50 kB and a
	// flush (ingestFlushBytes) writes about 85 chunks, so more than jobBatch
	// chunks are stored when the body breaks off.
	const chunks = jobBatch + 100
	line := `{"record_id":"` + strings.Repeat("x", 82) + "\"}\n"
	body := io.MultiReader(strings.NewReader(strings.Repeat(line, chunks*ingestChunkLines)), failingReader{})
	spy := spyBatches(db)
	if _, err := db.ReceiveIngest(organ.ID, APIClient{}, body, "t"); err == nil || !strings.Contains(err.Error(), "the connection broke") {
		t.Fatalf("a broken body: %v", err)
	}
	if most := spy.mostDeleted(bucketIngestChunks); most != jobBatch {
		t.Errorf("one transaction deleted %d chunks; want at most, and here exactly, %d", most, jobBatch)
	}
	if err := db.view(func(tx kv.Tx) error {
		if n := tx.Bucket(bucketIngestChunks).KeyN(); n != 0 {
			t.Errorf("%d chunks left", n)
		}
		if n := tx.Bucket(bucketIngestJobs).KeyN(); n != 0 {
			t.Errorf("%d jobs left", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
