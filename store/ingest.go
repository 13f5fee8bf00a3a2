package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Bulk records from organs' systems (issue 17). A job's body is stored first,
// sealed, in chunks of ingestChunkLines lines; the job is acknowledged only
// once the whole body is committed. Each chunk is then decided in one
// transaction that also moves the job's progress (the next chunk) and counts
// and deletes the chunk: a line is counted exactly when its batch commits,
// and a job interrupted by a crash resumes at its next chunk. The buckets:
//
//	ingest_jobs     job id -> JSON ingestJobRecord (organ, state, progress, counts; no personal data)
//	ingest_queue    job id -> "" (queued or running jobs, oldest first)
//	ingest_chunks   job id | chunk number -> sealed JSON of the chunk's lines (kind ingest_chunk, field chunk:N)
//	ingest_errors   job id | line number -> JSON [{field, key}] (message keys only, never a value of the line)
//	ingest_records  organ id | the organ's record id -> JSON{case, outcome, digest}: digest is the keyed hash
//	                of the decoded record (duplicate or update), case the case it opened (0 for none)

var (
	bucketIngestJobs    = []byte("ingest_jobs")
	bucketIngestQueue   = []byte("ingest_queue")
	bucketIngestChunks  = []byte("ingest_chunks")
	bucketIngestErrors  = []byte("ingest_errors")
	bucketIngestRecords = []byte("ingest_records")
)

const (
	kindIngestChunk = "ingest_chunk"
	kindIngestJob   = "ingest_job"
	// blindIngestContent is the purpose of a record's content hash.
	blindIngestContent = "ingest_content"
	// ingestChunkLines is a batch: the lines decided in one transaction.
	ingestChunkLines = 500
	// IngestMaxLine bounds one line (the eligibility API's body limit).
	IngestMaxLine = 64 << 10
	// ingestFlushBytes is how much of a body is written per transaction
	// while it is received.
	ingestFlushBytes = 4 << 20
	// migrationIngestName names the migration that creates the buckets
	// (tests find it by name).
	migrationIngestName = "bulk records of organs' systems: machine credentials, jobs, sealed bodies, errors, record ids"
)

func ingestBuckets() [][]byte {
	return [][]byte{bucketAPIClients, bucketAPIClientsByHash, bucketIngestJobs, bucketIngestQueue, bucketIngestChunks,
		bucketIngestErrors, bucketIngestRecords}
}

func migrateIngest(tx kv.Tx) error {
	for _, b := range ingestBuckets() {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// Registered here rather than in the shared lists (rotate.go), as desk.go does.
func init() {
	sealedBuckets = append(sealedBuckets, sealedBucket{bucket: bucketIngestChunks, kind: kindIngestChunk, members: []string{"body"},
		fields: []string{"chunk:%d"},
		at: func(k []byte, _ string, _ uint64) (uint64, string) {
			return btoi(k[:8]), fmt.Sprintf("chunk:%d", btoi(k[8:]))
		}})
	for name, why := range map[string]string{
		"api_clients":         "an organ's machine credential: organ id, name of the system, SHA-256 of the secret, times",
		"api_clients_by_hash": "SHA-256 of a credential's secret -> credential id",
		"ingest_jobs":         "a bulk job's organ, state, progress and counts",
		"ingest_queue":        "ids of jobs waiting or running",
		"ingest_errors":       "line numbers, field names and message keys of rejected lines; no value of a line",
		"ingest_records":      "organ id | the organ's own record id -> case id, outcome, keyed hash of the content",
	} {
		plaintextBuckets[name] = why
	}
}

type ingestJobRecord struct {
	Organ     uint64              `json:"organ"`
	Client    uint64              `json:"client,omitempty"`
	State     portal.IngestState  `json:"state"`
	Receiving bool                `json:"receiving,omitempty"`
	Lines     int                 `json:"lines"`
	Chunks    int                 `json:"chunks"`
	NextChunk int                 `json:"next_chunk"`
	Counts    portal.IngestCounts `json:"counts"`
	Created   time.Time           `json:"created"`
	Finished  time.Time           `json:"finished,omitzero"`
}

// IngestJob is a job as its organ sees it.
type IngestJob struct {
	ID        uint64
	Organ     uint64
	State     portal.IngestState
	Lines     int
	Chunks    int
	NextChunk int
	Counts    portal.IngestCounts
	Created   time.Time
	Finished  time.Time
}

func (r ingestJobRecord) job(id uint64) IngestJob {
	return IngestJob{ID: id, Organ: r.Organ, State: r.State, Lines: r.Lines, Chunks: r.Chunks, NextChunk: r.NextChunk,
		Counts: r.Counts, Created: r.Created, Finished: r.Finished}
}

// ingestChunk is the stored form of a chunk's lines.
type ingestChunk struct {
	First int      `json:"first"` // line number of Lines[0], from 1
	Lines []string `json:"lines"`
	Long  []int    `json:"long,omitempty"` // indexes of lines over IngestMaxLine (kept empty)
}

func getIngestJob(tx kv.Tx, id uint64) (ingestJobRecord, error) {
	var r ingestJobRecord
	v := tx.Bucket(bucketIngestJobs).Get(itob(id))
	if v == nil {
		return r, portal.NotFound()
	}
	return r, json.Unmarshal(v, &r)
}

func putIngestJob(tx kv.Tx, id uint64, r ingestJobRecord) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketIngestJobs).Put(itob(id), raw)
}

func chunkKey(job uint64, n int) []byte { return append(itob(job), itob(uint64(n))...) } // #nosec G115 -- chunk numbers are >= 0

// ErrIngestTooLarge is returned when a body is larger than allowed.
var ErrIngestTooLarge = errors.New("store: ingest body too large")

// ReceiveIngest stores a job's body (NDJSON, one record per line) sealed in
// chunks, reading it line by line (never more than ingestFlushBytes held),
// and queues the job in the last transaction: the job exists for its organ
// only once the whole body is committed. An interrupted body leaves a
// receiving job that AbandonReceivingIngest removes at the next start.
func (db *DB) ReceiveIngest(organ uint64, client APIClient, body io.Reader, requestID string) (IngestJob, error) {
	var id uint64
	rec := ingestJobRecord{Organ: organ, Client: client.ID, State: portal.IngestQueued, Receiving: true, Created: db.now().UTC()}
	err := db.update(func(tx kv.Tx) error {
		v := tx.Bucket(bucketOrgans).Get(itob(organ))
		if v == nil {
			return portal.NotFound()
		}
		var err error
		if id, err = tx.Bucket(bucketIngestJobs).NextSequence(); err != nil {
			return err
		}
		return putIngestJob(tx, id, rec)
	})
	if err != nil {
		return IngestJob{}, err
	}
	br := bufio.NewReaderSize(body, 64<<10)
	var pending []ingestChunk
	cur := ingestChunk{First: 1}
	pendingBytes := 0
	push := func() {
		if len(cur.Lines) > 0 {
			pending = append(pending, cur)
			cur = ingestChunk{First: rec.Lines + 1}
		}
	}
	write := func(last bool) error {
		err := db.update(func(tx kv.Tx) error {
			r, err := getIngestJob(tx, id)
			if err != nil {
				return err
			}
			for _, ch := range pending {
				sealed, err := db.crypt.sealJSON(kindIngestChunk, id, fmt.Sprintf("chunk:%d", r.Chunks), ch)
				if err != nil {
					return err
				}
				if err := tx.Bucket(bucketIngestChunks).Put(chunkKey(id, r.Chunks), sealed); err != nil {
					return err
				}
				r.Chunks++
			}
			r.Lines = rec.Lines
			if last {
				r.Receiving = false
				if err := tx.Bucket(bucketIngestQueue).Put(itob(id), nil); err != nil {
					return err
				}
				if client.ID != 0 {
					if err := db.appendAudit(tx, apiUse(client, fmt.Sprintf("records job:%d", id), requestID)); err != nil {
						return err
					}
				}
				if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIngestJob, SubjectKind: kindIngestJob, SubjectID: id,
					Detail: fmt.Sprintf("received organ:%d lines:%d", organ, r.Lines), RequestID: requestID}); err != nil {
					return err
				}
			}
			rec = r
			return putIngestJob(tx, id, r)
		})
		pending, pendingBytes = nil, 0
		return err
	}
	fail := func(err error) (IngestJob, error) {
		// Nothing was acknowledged: the partial body goes, jobBatch chunks
		// per transaction (batches.go), the job record with the last of
		// them; a crash midway leaves a receiving job that
		// AbandonReceivingIngest removes.
		for more := true; more; {
			derr := db.update(func(tx kv.Tx) error {
				n, err := deletePrefixUpTo(tx.Bucket(bucketIngestChunks), itob(id), jobBatch)
				if more = n == jobBatch; more || err != nil {
					return err
				}
				return tx.Bucket(bucketIngestJobs).Delete(itob(id))
			})
			if derr != nil {
				return IngestJob{}, errors.Join(err, derr)
			}
		}
		return IngestJob{}, err
	}
	curBytes := 0
	for {
		line, long, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			if errors.Is(err, ErrIngestTooLarge) {
				return fail(ErrIngestTooLarge)
			}
			return fail(fmt.Errorf("store: read ingest body: %w", err))
		}
		if line != nil || long {
			rec.Lines++
			if long {
				cur.Long = append(cur.Long, len(cur.Lines))
			}
			cur.Lines = append(cur.Lines, string(line))
			pendingBytes += len(line)
			curBytes += len(line)
			if len(cur.Lines) >= ingestChunkLines || curBytes >= 1<<20 {
				push()
				curBytes = 0
			}
			if pendingBytes >= ingestFlushBytes {
				if werr := write(false); werr != nil {
					return fail(werr)
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	push()
	if err := write(true); err != nil {
		return fail(err)
	}
	return rec.job(id), nil
}

// readLine reads one line without its end, holding at most IngestMaxLine
// bytes: a longer line is skipped to its end and reported as long. At the
// end of input it returns io.EOF (with the last line, if unterminated).
func readLine(br *bufio.Reader) (line []byte, long bool, err error) {
	var buf []byte
	for {
		frag, isPrefix, rerr := br.ReadLine()
		if rerr != nil {
			if errors.Is(rerr, io.EOF) && (buf != nil || long) {
				return buf, long, io.EOF
			}
			return nil, false, rerr
		}
		if !long {
			if len(buf)+len(frag) > IngestMaxLine {
				long, buf = true, nil
			} else {
				buf = append(buf, frag...)
			}
		}
		if !isPrefix {
			if buf == nil {
				buf = []byte{}
			}
			if long {
				return nil, true, nil
			}
			return buf, false, nil
		}
	}
}

// receivingGrace is how old a job still receiving its body must be before a
// starting process on a shared engine abandons it: another live server may be
// receiving it (a body's upload is cut by the server's read timeout, minutes).
const receivingGrace = 15 * time.Minute

// AbandonReceivingIngest removes jobs whose body was still arriving when the
// process stopped: their sender never got an answer, so nothing of them was
// acknowledged. Called once at start, before anything is received. On a
// shared engine (several servers on one PostgreSQL database) only jobs older
// than receivingGrace go: a younger one may be arriving at another server.
// A job's chunks go in transactions of at most jobBatch (batches.go); the job
// record and its audit entry go with the last of them, so a crash midway
// leaves a receiving job that the next start finishes removing.
func (db *DB) AbandonReceivingIngest() (int, error) {
	shared := db.Shared()
	now := db.now()
	abandoned := func(r ingestJobRecord) bool {
		return r.Receiving && (!shared || now.Sub(r.Created) > receivingGrace)
	}
	var drop []uint64
	err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketIngestJobs).ForEach(func(k, v []byte) error {
			var r ingestJobRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if abandoned(r) {
				drop = append(drop, btoi(k))
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range drop {
		for more := true; more; {
			gone := false
			err := db.update(func(tx kv.Tx) error {
				more, gone = false, false
				b := tx.Bucket(bucketIngestJobs)
				v := b.Get(itob(id))
				if v == nil {
					return nil // removed by another server
				}
				var r ingestJobRecord
				if err := json.Unmarshal(v, &r); err != nil {
					return err
				}
				if !abandoned(r) {
					return nil // its body arrived meanwhile
				}
				chunks, err := deletePrefixUpTo(tx.Bucket(bucketIngestChunks), itob(id), jobBatch)
				if err != nil {
					return err
				}
				if chunks == jobBatch {
					more = true
					return nil
				}
				if err := b.Delete(itob(id)); err != nil {
					return err
				}
				gone = true
				return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIngestJob, SubjectKind: kindIngestJob, SubjectID: id,
					Detail: "abandoned: the body was not complete when the portal stopped"})
			})
			if err != nil {
				return n, err
			}
			if gone {
				n++
			}
		}
	}
	return n, nil
}

// IngestJobOf returns a job of organ; another organ's job, or none, is not
// found. A client's read is audited.
func (db *DB) IngestJobOf(organ, id uint64) (IngestJob, error) {
	var out IngestJob
	err := db.view(func(tx kv.Tx) error {
		r, err := getIngestJob(tx, id)
		if err != nil {
			return err
		}
		if r.Organ != organ || r.Receiving {
			return portal.NotFound()
		}
		out = r.job(id)
		return nil
	})
	return out, err
}

// IngestErrors calls fn for each rejected line of organ's job, in line order.
func (db *DB) IngestErrors(organ, id uint64, fn func(portal.IngestLineError) error) error {
	var rows []portal.IngestLineError
	err := db.view(func(tx kv.Tx) error {
		r, err := getIngestJob(tx, id)
		if err != nil {
			return err
		}
		if r.Organ != organ || r.Receiving {
			return portal.NotFound()
		}
		c := tx.Bucket(bucketIngestErrors).Cursor()
		prefix := itob(id)
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var fs []portal.IngestLineError
			if err := json.Unmarshal(v, &fs); err != nil {
				return err
			}
			rows = append(rows, fs...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range rows {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// NextIngestJob is the oldest queued or running job, if any.
func (db *DB) NextIngestJob() (uint64, bool, error) {
	var id uint64
	var ok bool
	err := db.view(func(tx kv.Tx) error {
		if k, _ := tx.Bucket(bucketIngestQueue).Cursor().First(); k != nil {
			id, ok = btoi(k), true
		}
		return nil
	})
	return id, ok, err
}

// IngestDecoder decodes one line into a record, or the field errors (field
// -> message key) that reject it. It is the eligibility API's parser
// (handlers), given to the store so the rules of the format live in one place.
type IngestDecoder func(line []byte, today portal.Date) (portal.IngestRecord, map[string]string)

// IngestOptions are what deciding a job needs from outside the store.
type IngestOptions struct {
	Decode   IngestDecoder
	Calendar *portal.Calendar
	// Reason gives the text of a review's reason, for the organ's queue.
	Reason func(key string) string
}

type decodedLine struct {
	no     int
	rec    portal.IngestRecord
	fields map[string]string
}

// IngestStep decides the job's next chunk in one transaction and reports
// whether the job is done. Safe to call again after a crash: the chunk and
// the progress move together.
func (db *DB) IngestStep(id uint64, opt IngestOptions) (IngestJob, bool, error) {
	p, err := db.prepareIngest(id, -1, opt)
	if err != nil {
		return IngestJob{}, false, err
	}
	return db.commitIngest(p, opt)
}

// IngestRun decides a job to its end (or until ctx ends), decoding the next
// batch on another core while the current one is written: the single writer
// only writes. progress is called after each batch.
func (db *DB) IngestRun(ctx context.Context, id uint64, opt IngestOptions, progress func(IngestJob)) error {
	job, err := db.jobRecord(id)
	if err != nil {
		return err
	}
	type result struct {
		p   preparedIngest
		err error
	}
	ch := make(chan result, 2)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ch)
		for n := job.NextChunk; n < job.Chunks; n++ {
			p, err := db.prepareIngest(id, n, opt)
			select {
			case ch <- result{p, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for r := range ch {
		if r.err != nil {
			return r.err
		}
		j, done, err := db.commitIngest(r.p, opt)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(j)
		}
		if done {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	// Nothing left to decode (an empty job, or one whose last batch was
	// committed before a stop): the step that marks it done.
	j, _, err := db.IngestStep(id, opt)
	if err == nil && progress != nil {
		progress(j)
	}
	return err
}

func (db *DB) jobRecord(id uint64) (ingestJobRecord, error) {
	var job ingestJobRecord
	err := db.view(func(tx kv.Tx) error {
		var err error
		job, err = getIngestJob(tx, id)
		return err
	})
	return job, err
}

// preparedIngest is a chunk read and decoded, ready to be decided.
type preparedIngest struct {
	id    uint64
	n     int // the chunk
	have  bool
	lines []decodedLine
	today portal.Date
}

// prepareIngest reads and decodes chunk n of the job (n < 0: the job's next
// one) outside any write transaction.
func (db *DB) prepareIngest(id uint64, n int, opt IngestOptions) (preparedIngest, error) {
	p := preparedIngest{id: id, n: n, today: portal.DateOf(db.now())}
	var chunk ingestChunk
	err := db.view(func(tx kv.Tx) error {
		job, err := getIngestJob(tx, id)
		if err != nil {
			return err
		}
		if p.n < 0 {
			p.n = job.NextChunk
		}
		if job.Receiving || job.State == portal.IngestDone || p.n >= job.Chunks || p.n < job.NextChunk {
			return nil
		}
		raw := tx.Bucket(bucketIngestChunks).Get(chunkKey(id, p.n))
		if raw == nil {
			return fmt.Errorf("store: ingest job %d: chunk %d missing", id, p.n)
		}
		p.have = true
		return db.crypt.openJSON(kindIngestChunk, id, fmt.Sprintf("chunk:%d", p.n), raw, &chunk)
	})
	if err != nil {
		return p, err
	}
	for i, l := range chunk.Lines {
		no := chunk.First + i
		if isLong(chunk.Long, i) {
			p.lines = append(p.lines, decodedLine{no: no, fields: map[string]string{"body": "ingest.line_too_long"}})
			continue
		}
		if strings.TrimSpace(l) == "" {
			continue // blank lines (a trailing newline) are not records
		}
		rec, fe := opt.Decode([]byte(l), p.today)
		p.lines = append(p.lines, decodedLine{no: no, rec: rec, fields: fe})
	}
	return p, nil
}

// auditSignDeferred marks the write transactions that append many audit
// entries and sign the log's head once, at their end (appendAudit).
var auditSignDeferred sync.Map // kv.Tx -> struct{}

// commitIngest decides a prepared chunk in one write transaction, if it is
// still the job's next one.
func (db *DB) commitIngest(p preparedIngest, opt IngestOptions) (IngestJob, bool, error) {
	var job ingestJobRecord
	done := false
	err := db.update(func(tx kv.Tx) error {
		auditSignDeferred.Store(tx, struct{}{})
		defer auditSignDeferred.Delete(tx)
		var err error
		if job, err = getIngestJob(tx, p.id); err != nil {
			return err
		}
		if job.State == portal.IngestDone {
			done = true
			return nil
		}
		if p.have && job.NextChunk == p.n {
			job.State = portal.IngestRunning
			kinds := map[uint64]portal.Role{}
			for _, l := range p.lines {
				if err := db.ingestLine(tx, p.id, &job, l, kinds, opt, p.today); err != nil {
					return fmt.Errorf("store: ingest job %d line %d: %w", p.id, l.no, err)
				}
			}
			if err := tx.Bucket(bucketIngestChunks).Delete(chunkKey(p.id, p.n)); err != nil {
				return err
			}
			job.NextChunk++
		}
		if job.NextChunk >= job.Chunks {
			job.State, job.Finished, done = portal.IngestDone, db.now().UTC(), true
			if err := tx.Bucket(bucketIngestQueue).Delete(itob(p.id)); err != nil {
				return err
			}
			c := job.Counts
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIngestJob, SubjectKind: kindIngestJob, SubjectID: p.id,
				Detail: fmt.Sprintf("done organ:%d received:%d sealed:%d review:%d not_eligible:%d not_yet:%d rejected:%d duplicates:%d updated:%d",
					job.Organ, c.Received, c.Sealed, c.Review, c.NotEligible, c.NotYet, c.Rejected, c.Duplicates, c.Updated)}); err != nil {
				return err
			}
		}
		if err := putIngestJob(tx, p.id, job); err != nil {
			return err
		}
		return db.signAuditHeadNow(tx)
	})
	if err != nil {
		return IngestJob{}, false, err
	}
	return job.job(p.id), done, nil
}

// signAuditHeadNow signs the audit log's head as the transaction leaves it.
func (db *DB) signAuditHeadNow(tx kv.Tx) error {
	entries, hashes, meta, err := auditBuckets(tx)
	if err != nil {
		return err
	}
	n, err := auditSize(entries, hashes)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	return db.signAuditHead(meta, boltHashes{hashes}, n)
}

func isLong(long []int, i int) bool {
	for _, l := range long {
		if l == i {
			return true
		}
	}
	return false
}

// ingestRecordEntry is an ingest_records value.
type ingestRecordEntry struct {
	Case    uint64         `json:"case,omitempty"`
	Outcome portal.Outcome `json:"outcome"`
	Digest  []byte         `json:"digest"`
}

func ingestRecordKey(organ uint64, recordID string) []byte {
	return append(itob(organ), recordID...)
}

// reject records a line's field errors and counts it.
func rejectLine(tx kv.Tx, job uint64, r *ingestJobRecord, line int, fields map[string]string) error {
	var out []portal.IngestLineError
	for f, k := range fields {
		out = append(out, portal.IngestLineError{Line: line, Field: f, Key: k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	raw, err := json.Marshal(out)
	if err != nil {
		return err
	}
	r.Counts.Rejected++
	return tx.Bucket(bucketIngestErrors).Put(append(itob(job), itob(uint64(line))...), raw) // #nosec G115 -- line numbers are >= 1
}

// ingestFieldOf maps the case's form fields to the record's.
func ingestFieldOf(k string) string {
	switch k {
	case "person_name":
		return "person.name"
	case "person_id_number":
		return "person.id_number"
	case "person_doc_type":
		return "person.id_type"
	case "person_doc_country":
		return "person.country"
	case "court_birth_date", "acts":
		return "person.birth_date"
	case "case_number":
		return "record_id"
	case "decision_date":
		return "decided_on"
	case "intent":
		return "acts"
	case "holding_organs":
		return "holders"
	case "penalty_kind":
		return "penalty.kind"
	case "penalty_months":
		return "penalty.months"
	case "penalty_days":
		return "penalty.days"
	}
	return k
}

// ingestLine decides one line inside the batch's transaction (R1–R10, R27,
// R28 through portal.EvaluateEligibility; R11 and R12 through the ex officio
// case): a record the rules seal becomes a sealed case with a deadline for
// every holding organ, a review waits in the deciding organ's queue with the
// reason, and the others are counted and recorded. Nothing is written for a
// line before it has passed every check, so a refused line leaves nothing.
func (db *DB) ingestLine(tx kv.Tx, jobID uint64, job *ingestJobRecord, l decodedLine, kinds map[uint64]portal.Role,
	opt IngestOptions, today portal.Date) error {
	job.Counts.Received++
	if len(l.fields) > 0 {
		return rejectLine(tx, jobID, job, l.no, l.fields)
	}
	organ := job.Organ
	kindOf := func(id uint64) (portal.Role, bool) {
		if k, ok := kinds[id]; ok {
			return k, k != ""
		}
		var r organRecord
		v := tx.Bucket(bucketOrgans).Get(itob(id))
		if v == nil || json.Unmarshal(v, &r) != nil {
			kinds[id] = ""
			return "", false
		}
		kinds[id] = r.Kind
		return r.Kind, true
	}
	for _, h := range l.rec.Holders {
		if k, ok := kindOf(h); !ok || !k.IsOrgan() {
			return rejectLine(tx, jobID, job, l.no, map[string]string{"holders": "ingest.holder_unknown"})
		}
	}
	rec := l.rec
	c := rec.Case(organ)
	fe := map[string]string{}
	for _, sec := range []string{portal.SectionPerson, portal.SectionCase, portal.SectionOrgans} {
		for k, v := range c.SectionErrors(sec, today) {
			if _, ok := fe[ingestFieldOf(k)]; !ok {
				fe[ingestFieldOf(k)] = v
			}
		}
	}
	if len(fe) > 0 {
		return rejectLine(tx, jobID, job, l.no, fe)
	}
	canon, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	key := ingestRecordKey(organ, rec.RecordID)
	var prev *ingestRecordEntry
	if v := tx.Bucket(bucketIngestRecords).Get(key); v != nil {
		prev = &ingestRecordEntry{}
		if err := json.Unmarshal(v, prev); err != nil {
			return err
		}
		if db.crypt.blindMatches(prev.Digest, blindIngestContent, string(canon)) {
			job.Counts.Duplicates++
			return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIngestDecided, SubjectKind: kindIngestJob, SubjectID: jobID,
				Detail: fmt.Sprintf("duplicate line:%d", l.no)})
		}
	}
	d := portal.EvaluateEligibility(rec.Facts)
	rules := d.Rules
	detail := string(d.Outcome) + ":" + strings.Join(rules, ",") + " line:" + strconv.Itoa(l.no)
	opens := d.Outcome == portal.OutcomeSeal || d.Outcome == portal.OutcomeReview
	kind, _ := kindOf(organ)
	entry := ingestRecordEntry{Outcome: d.Outcome, Digest: db.crypt.blind(blindIngestContent, string(canon))}
	if prev != nil {
		entry.Case = prev.Case
	}
	step := Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, Role: kind, OrganID: organ, Rules: append([]string{"R11"}, rules...)}
	if d.Outcome == portal.OutcomeReview && opt.Reason != nil {
		step.Note = opt.Reason(d.ReasonKey)
	}
	switch {
	case prev != nil && prev.Case != 0:
		// A changed record updates its case (audited); a case still in
		// review that the rules now seal is sealed.
		old, err := db.getCase(tx, prev.Case)
		if err != nil {
			return err
		}
		nc := old
		nc.PersonName, nc.PersonIDNumber, nc.PersonDocType, nc.PersonDocCountry = c.PersonName, c.PersonIDNumber, c.PersonDocType, c.PersonDocCountry
		nc.CourtBirthDate, nc.Disposition, nc.DecisionDate, nc.Acts, nc.Intent, nc.Penalty = c.CourtBirthDate, c.Disposition, c.DecisionDate, c.Acts, c.Intent, c.Penalty
		for _, h := range c.HoldingOrganIDs {
			if !nc.Holds(h) {
				nc.HoldingOrganIDs = append(append([]uint64{}, nc.HoldingOrganIDs...), h)
			}
		}
		nc.UpdatedAt = db.now().UTC()
		if err := db.putCase(tx, old, nc); err != nil {
			return err
		}
		if d.Outcome == portal.OutcomeSeal && nc.Status == portal.StatusUnderReview {
			if _, err := db.applyStep(tx, nc, Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, Role: kind, OrganID: organ, Rules: rules}, opt.Calendar, today); err != nil {
				return err
			}
		}
		job.Counts.Updated++
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIngestUpdated, SubjectKind: kindCase, SubjectID: nc.ID,
			Detail: detail + " job:" + strconv.FormatUint(jobID, 10)}); err != nil {
			return err
		}
	case opens:
		// The ex officio checks (checkExOfficioOpen) run before the case is
		// written: the organ opens only what it decides (R12), the name
		// matches the identity on file, and a case it opened by hand with the
		// same number is not opened twice. A refusal rejects the line (the
		// only writes before it are an id and a reference number left unused).
		opened, err := db.openExOfficio(tx, c, step, opt.Calendar)
		if pe, ok := portal.AsError(err); ok && pe.Code == portal.CodeInvalid && len(pe.Fields) > 0 {
			fields := map[string]string{}
			for k, v := range pe.Fields {
				fields[ingestFieldOf(k)] = v
			}
			return rejectLine(tx, jobID, job, l.no, fields)
		}
		if err != nil {
			return err
		}
		if d.Outcome == portal.OutcomeSeal {
			if _, err := db.applyStep(tx, opened, Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, Role: kind, OrganID: organ, Rules: rules}, opt.Calendar, today); err != nil {
				return err
			}
		}
		entry.Case = opened.ID
		if prev != nil {
			job.Counts.Updated++
		} else if d.Outcome == portal.OutcomeSeal {
			job.Counts.Sealed++
		} else {
			job.Counts.Review++
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIngestDecided, SubjectKind: kindCase, SubjectID: opened.ID,
			Detail: detail + " job:" + strconv.FormatUint(jobID, 10)}); err != nil {
			return err
		}
	default:
		switch {
		case prev != nil:
			job.Counts.Updated++
		case d.Outcome == portal.OutcomeNotYet:
			job.Counts.NotYet++
		default:
			job.Counts.NotEligible++
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIngestDecided, SubjectKind: kindIngestJob, SubjectID: jobID,
			Detail: detail}); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketIngestRecords).Put(key, raw)
}

// IngestRecordStats counts what an organ's records became: the distinct
// record ids kept, and the distinct cases they opened. `ingest` prints it;
// the crash test checks with it that every acknowledged line is there once.
func (db *DB) IngestRecordStats(organ uint64) (records, cases int, err error) {
	err = db.view(func(tx kv.Tx) error {
		seen := map[uint64]bool{}
		c := tx.Bucket(bucketIngestRecords).Cursor()
		prefix := itob(organ)
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e ingestRecordEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			records++
			if e.Case != 0 {
				if seen[e.Case] {
					return fmt.Errorf("store: case %d opened by two records", e.Case)
				}
				seen[e.Case] = true
				if tx.Bucket(bucketCases).Get(itob(e.Case)) == nil {
					return fmt.Errorf("store: record's case %d is missing", e.Case)
				}
			}
		}
		cases = len(seen)
		return nil
	})
	return records, cases, err
}
