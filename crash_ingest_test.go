package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"sealportal/portal"
)

// TestCrashIngest sends a 100,000-line job to the real binary, kills it with
// SIGKILL while the job is being decided, and starts it again: the job
// resumes where its last committed batch left it and completes, every line
// acknowledged by the 202 is counted exactly once, every record id is kept
// once, no case is opened twice, and the audit log verifies.
//
// INGEST_CRASH_LINES overrides the size (default 100000) on a slow machine.
func TestCrashIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("ingest crash test: builds the binary and decides a 100,000-line job; skipped under -short")
	}
	lines := 100000
	if v, err := strconv.Atoi(os.Getenv("INGEST_CRASH_LINES")); err == nil && v > 0 {
		lines = v
	}
	began := time.Now()
	dir := t.TempDir()
	bin := filepath.Join(dir, "sealportal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data", "portal.db")
	organs := crashOrgans(t, data)
	court := organs[0]
	secret := crashAPIClient(t, data, court.ID)

	file := filepath.Join(dir, "records.ndjson")
	writeIngestFile(t, file, lines, organs)
	srv := &crashServer{t: t, bin: bin, data: data, addr: freeAddr(t), log: filepath.Join(dir, "serve.log")}
	srv.start()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.base()+"/api/v1/organ/records", f)
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var acc struct {
		JobID string `json:"job_id"`
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(raw, &acc) != nil || acc.JobID == "" {
		t.Fatalf("POST records: %d %s", resp.StatusCode, raw)
	}
	t.Logf("%d lines acknowledged as job %s at %s", lines, acc.JobID, time.Since(began).Round(time.Millisecond))

	// Kill in the middle of the job: once a fifth is decided.
	var before ingestJobView
	for deadline := time.Now().Add(10 * time.Minute); ; {
		before = jobOf(t, srv, secret, acc.JobID)
		if before.Counts.Received >= lines/5 || before.State == "done" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not get a fifth of the way in 10 minutes: %+v", before)
		}
		time.Sleep(200 * time.Millisecond)
	}
	srv.kill()
	if before.State == "done" {
		t.Fatalf("the job finished before the kill (%+v): nothing was tested", before)
	}
	killedAt := time.Now()
	if out, err := exec.Command(bin, withData(t, data, "verify-audit")...).CombinedOutput(); err != nil {
		t.Fatalf("verify-audit after SIGKILL: %v\n%s", err, out)
	}
	srv.start()
	after := jobOf(t, srv, secret, acc.JobID)
	if after.Counts.Received < before.Counts.Received {
		t.Fatalf("after the restart the job counts %d lines, it had counted %d before the kill", after.Counts.Received, before.Counts.Received)
	}
	t.Logf("killed at %d lines decided; resumed at %d", before.Counts.Received, after.Counts.Received)
	for deadline := time.Now().Add(20 * time.Minute); after.State != "done"; {
		if time.Now().After(deadline) {
			t.Fatalf("the job did not complete after the restart: %+v", after)
		}
		time.Sleep(500 * time.Millisecond)
		after = jobOf(t, srv, secret, acc.JobID)
	}
	resumed := time.Since(killedAt)
	srv.stop()

	c := after.Counts
	if c.Received != lines {
		t.Errorf("received %d, want every one of the %d acknowledged lines once", c.Received, lines)
	}
	if sum := c.Sealed + c.Review + c.NotEligible + c.NotYet + c.Rejected + c.Duplicates + c.Updated; sum != c.Received {
		t.Errorf("the outcomes add up to %d of %d lines: %+v", sum, c.Received, c)
	}
	if c.Duplicates != 0 || c.Updated != 0 {
		t.Errorf("a line was decided twice (duplicates %d, updated %d): %+v", c.Duplicates, c.Updated, c)
	}
	db, err := testConfig(t, data).openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	records, cases, err := db.IngestRecordStats(court.ID)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if want := c.Received - c.Rejected; records != want {
		t.Errorf("%d record ids kept, want %d", records, want)
	}
	if want := c.Sealed + c.Review; cases != want {
		t.Errorf("%d cases opened, want %d (sealed + review)", cases, want)
	}
	if out, err := exec.Command(bin, withData(t, data, "verify-audit")...).CombinedOutput(); err != nil {
		t.Fatalf("verify-audit at the end: %v\n%s", err, out)
	}
	t.Logf("%d lines: %+v; %d record ids, %d cases; finished %s after the restart, %s in all",
		lines, c, records, cases, resumed.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

type ingestJobView struct {
	State  string              `json:"state"`
	Counts portal.IngestCounts `json:"counts"`
}

func jobOf(t *testing.T, srv *crashServer, secret, id string) ingestJobView {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.base()+"/api/v1/organ/jobs/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v ingestJobView
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&v) != nil {
		t.Fatalf("GET job %s: %d", id, resp.StatusCode)
	}
	return v
}

// crashAPIClient makes the court's credential before the server starts.
func crashAPIClient(t *testing.T, data string, organ uint64) string {
	t.Helper()
	db, err := testConfig(t, data).openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, secret, err := db.CreateAPIClient(organ, "crash test", 0)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// writeIngestFile writes n court records of distinct persons: most sealable,
// a tenth over five years, a tenth not concluded, a few bad lines.
func writeIngestFile(t *testing.T, path string, n int, organs [3]portal.Organ) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range n {
		birth := portal.DateOf(time.Date(2005, 6, 10-i/1000%300, 12, 0, 0, 0, portal.China))
		facts := `"acts":[{"date":"2022-01-01","main":true}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":24}`
		switch i % 10 {
		case 6:
			facts = `"acts":[{"date":"2022-01-01","main":true}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":96}`
		case 8:
			facts = `"acts":[{"date":"2022-01-01"}],"disposition":"pending"`
		case 9:
			if i%100 == 99 {
				facts = `"acts":[{"date":"2022-01-01"}],"disposition":"pardoned"`
			}
		}
		fmt.Fprintf(w, `{"record_id":"K-%d","person":{"name":"王五","id_type":"resident_id","id_number":%q,"birth_date":%q},%s,"decided_on":"2023-03-01","holders":[%d,%d]}`+"\n",
			i, portal.SyntheticIDNumber(uint64(i), birth).String(), birth.String(), facts, organs[1].ID, organs[2].ID)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
