package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// ingestTestDecode is a small decoder for the store's own tests (the real
// one, the eligibility API's parser, is in handlers and tested there).
func ingestTestDecode(line []byte, today portal.Date) (portal.IngestRecord, map[string]string) {
	var in struct {
		RecordID string `json:"record_id"`
		Number   string `json:"number"`
		Name     string `json:"name"`
		Months   int    `json:"months"`
	}
	if err := json.Unmarshal(line, &in); err != nil || in.RecordID == "" {
		return portal.IngestRecord{}, map[string]string{"body": "check.api.malformed"}
	}
	birth := portal.Date{Year: 2005, Month: 6, Day: 10}
	return portal.IngestRecord{
		RecordID: in.RecordID,
		Person:   portal.IngestPerson{Name: in.Name, DocType: portal.DocResidentID, IDNumber: in.Number, BirthDate: birth},
		Facts: portal.EligibilityFacts{BirthDate: birth, Acts: []portal.Act{{Date: portal.Date{Year: 2022, Month: 1, Day: 1}, Main: true}},
			Disposition: portal.DispositionSentenced, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: in.Months}},
		DecidedOn: portal.Date{Year: 2023, Month: 3, Day: 1},
	}, nil
}

func ingestTestLines(n int, start int) string {
	var b strings.Builder
	birth := portal.Date{Year: 2005, Month: 6, Day: 10}
	for i := start; i < start+n; i++ {
		months := 24
		if i%4 == 3 {
			months = 72 // not eligible (R2)
		}
		fmt.Fprintf(&b, `{"record_id":"R-%d","number":%q,"name":"李四","months":%d}`+"\n", i, portal.SyntheticIDNumber(uint64(i)+1, birth).String(), months)
	}
	return b.String()
}

func ingestTestOrgan(t testing.TB, db *DB) portal.Organ {
	t.Helper()
	o, err := db.EnsureOrgan(portal.RoleCourt, "测试法院")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func ingestTestOptions() IngestOptions {
	return IngestOptions{Decode: ingestTestDecode, Calendar: portal.DefaultCalendar()}
}

// TestIngestResumesAfterStop: a job stopped between batches resumes, after a
// reopen, at its next batch; every line is counted once, the body's chunks
// are deleted as they are decided, and sending the same records again is
// all duplicates.
func TestIngestResumesAfterStop(t *testing.T) {
	db := newTestDB(t)
	db.now = func() time.Time { return time.Date(2026, 3, 10, 10, 0, 0, 0, portal.China) }
	organ := ingestTestOrgan(t, db)
	job, err := db.ReceiveIngest(organ.ID, APIClient{}, strings.NewReader(ingestTestLines(1200, 0)), "t")
	if err != nil {
		t.Fatal(err)
	}
	if job.Lines != 1200 || job.Chunks != 3 || job.State != portal.IngestQueued {
		t.Fatalf("received %+v", job)
	}
	if _, _, err := db.IngestStep(job.ID, ingestTestOptions()); err != nil {
		t.Fatal(err)
	}
	db = reopenTestDB(t, db)
	mid, err := db.IngestJobOf(organ.ID, job.ID)
	if err != nil || mid.NextChunk != 1 || mid.Counts.Received != 500 || mid.State != portal.IngestRunning {
		t.Fatalf("after one batch and a restart: %+v %v", mid, err)
	}
	id, ok, err := db.NextIngestJob()
	if err != nil || !ok || id != job.ID {
		t.Fatalf("next job %d %v %v", id, ok, err)
	}
	for done := false; !done; {
		if _, done, err = db.IngestStep(id, ingestTestOptions()); err != nil {
			t.Fatal(err)
		}
	}
	end, err := db.IngestJobOf(organ.ID, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if end.State != portal.IngestDone || end.Counts.Received != 1200 || end.Counts.Sealed != 900 || end.Counts.NotEligible != 300 {
		t.Fatalf("done %+v", end)
	}
	if _, ok, _ := db.NextIngestJob(); ok {
		t.Error("a done job is still queued")
	}
	_ = db.view(func(tx kv.Tx) error {
		if n := tx.Bucket(bucketIngestChunks).KeyN(); n != 0 {
			t.Errorf("%d chunks left after the job", n)
		}
		if n := tx.Bucket(bucketIngestRecords).KeyN(); n != 1200 {
			t.Errorf("%d record ids, want 1200", n)
		}
		return nil
	})
	// Another organ does not see the job.
	if _, err := db.IngestJobOf(organ.ID+1, job.ID); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Errorf("another organ: %v", err)
	}
	again, err := db.ReceiveIngest(organ.ID, APIClient{}, strings.NewReader(ingestTestLines(1200, 0)), "t")
	if err != nil {
		t.Fatal(err)
	}
	batches := 0
	if err := db.IngestRun(context.Background(), again.ID, ingestTestOptions(), func(IngestJob) { batches++ }); err != nil {
		t.Fatal(err)
	}
	if j, _ := db.IngestJobOf(organ.ID, again.ID); j.Counts.Duplicates != 1200 || j.Counts.Sealed != 0 || j.State != portal.IngestDone || batches != 3 {
		t.Errorf("resent: %+v, %d batches", j, batches)
	}
	// The audit log, whose head a batch signs once at its end, verifies.
	rep, err := db.VerifyAudit()
	if err != nil || !rep.OK {
		t.Errorf("verify audit: %+v %v", rep, err)
	}
}

// TestIngestReceiveLongLineAndAbandon: a line over the limit is kept as a
// marker and rejected, never held whole; a body that was still arriving at a
// stop is removed at the next start.
func TestIngestReceiveLongLineAndAbandon(t *testing.T) {
	db := newTestDB(t)
	organ := ingestTestOrgan(t, db)
	body := ingestTestLines(2, 0) + `{"record_id":"` + strings.Repeat("x", IngestMaxLine+10) + `"}` + "\n" + ingestTestLines(1, 5)
	job, err := db.ReceiveIngest(organ.ID, APIClient{}, strings.NewReader(body), "t")
	if err != nil {
		t.Fatal(err)
	}
	for done := false; !done; {
		if _, done, err = db.IngestStep(job.ID, ingestTestOptions()); err != nil {
			t.Fatal(err)
		}
	}
	var errs []portal.IngestLineError
	if err := db.IngestErrors(organ.ID, job.ID, func(e portal.IngestLineError) error { errs = append(errs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || errs[0].Line != 3 || errs[0].Key != "ingest.line_too_long" {
		t.Errorf("errors %+v", errs)
	}
	// A receiving job (the process stopped during the upload).
	err = db.update(func(tx kv.Tx) error {
		return putIngestJob(tx, 999, ingestJobRecord{Organ: organ.ID, Receiving: true, State: portal.IngestQueued})
	})
	if err != nil {
		t.Fatal(err)
	}
	// And one whose upload began a minute ago: on a shared engine another
	// server may still be receiving it, so only the single process of a bbolt
	// file abandons it.
	err = db.update(func(tx kv.Tx) error {
		return putIngestJob(tx, 1000, ingestJobRecord{Organ: organ.ID, Receiving: true, State: portal.IngestQueued, Created: db.now().Add(-time.Minute)})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := 2
	if db.Shared() {
		want = 1
	}
	if n, err := db.AbandonReceivingIngest(); err != nil || n != want {
		t.Errorf("abandoned %d %v, want %d", n, err, want)
	}
	if _, err := db.IngestJobOf(organ.ID, 999); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Errorf("abandoned job still there: %v", err)
	}
	err = db.view(func(tx kv.Tx) error {
		_, err := getIngestJob(tx, 1000)
		return err
	})
	if db.Shared() && err != nil {
		t.Errorf("a young receiving job on a shared engine was abandoned: %v", err)
	}
}

// TestIngestChunksRotate: a body waiting to be decided is re-encrypted by a
// data key rotation like every sealed value, and still decides afterwards.
func TestIngestChunksRotate(t *testing.T) {
	db := newTestDB(t)
	organ := ingestTestOrgan(t, db)
	job, err := db.ReceiveIngest(organ.ID, APIClient{}, strings.NewReader(ingestTestLines(10, 0)), "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, done, err := db.IngestStep(job.ID, ingestTestOptions()); err != nil || !done {
		t.Fatalf("after rotation: done %v %v", done, err)
	}
}

// The migration that adds the bulk records' buckets creates them, and
// running it twice changes nothing.
func TestMigrationIngest(t *testing.T) {
	var m migration
	for _, mm := range migrations {
		if mm.name == migrationIngestName {
			m = mm
		}
	}
	if m.apply == nil {
		t.Fatal("migration not in the list")
	}
	b := applyUpTo(t, m.version-1)
	for range 2 {
		if err := b.Update(m.apply); err != nil {
			t.Fatal(err)
		}
	}
	_ = b.View(func(tx kv.Tx) error {
		for _, name := range ingestBuckets() {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	})
}

// TestAPIClientSecrets: only a hash is stored; a credential is refused for
// an organ that seals nothing.
func TestAPIClientSecrets(t *testing.T) {
	db := newTestDB(t)
	organ := ingestTestOrgan(t, db)
	cl, secret, err := db.CreateAPIClient(organ.ID, "系统", 0)
	if err != nil || !strings.HasPrefix(secret, apiSecretPrefix) || len(secret) != len(apiSecretPrefix)+43 {
		t.Fatalf("create: %+v %q %v", cl, secret, err)
	}
	_ = db.view(func(tx kv.Tx) error {
		return tx.ForEachBucket(func(name []byte) error {
			b := tx.Bucket(name)
			return b.ForEach(func(k, v []byte) error {
				if strings.Contains(string(k)+string(v), secret[len(apiSecretPrefix):]) {
					t.Errorf("bucket %s holds the secret", name)
				}
				return nil
			})
		})
	})
	got, err := db.AuthenticateAPIClient(secret)
	if err != nil || got.ID != cl.ID || got.Organ != organ.ID {
		t.Errorf("authenticate: %+v %v", got, err)
	}
	sup, err := db.EnsureOrgan(portal.RoleSupervisor, "监督院")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateAPIClient(sup.ID, "x", 0); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Errorf("supervisor credential: %v", err)
	}
	if _, _, err := db.CreateAPIClient(12345, "x", 0); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Errorf("unknown organ: %v", err)
	}
}
