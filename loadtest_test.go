package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"sealportal/handlers"
	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// loadtestServer is the portal in this process on a temp database with the
// demo accounts and a few hundred synthetic cases, behind a trusted loopback
// "proxy" as the load test's documented setup has it.
func loadtestServer(t *testing.T) *httptest.Server {
	srv, _ := loadtestServerWith(t, false)
	return srv
}

// loadtestServerWith is loadtestServer, with serve's background worker of
// organs' bulk jobs when ingest (issue 17); it returns the store too. The
// database is on the test run's engine (enginetest: bbolt, or PostgreSQL
// when PORTAL_TEST_DATABASE_URL is set).
func loadtestServerWith(t *testing.T, ingest bool) (*httptest.Server, *store.DB) {
	t.Helper()
	db, err := store.Open(enginetest.Location(t, filepath.Join(t.TempDir(), "p.db")), store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hasher := portal.NewPasswordHasher(portal.MinimumArgon2)
	if err := seed(db, hasher, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := seedCases(db, hasher, 400, portal.SystemClock, io.Discard); err != nil {
		t.Fatal(err)
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.1/32")
	cfg := handlers.Config{SecureCookies: true, TrustedProxies: []*net.IPNet{loopback}, Hasher: hasher,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if ingest {
		cal, err := db.Calendar()
		if err != nil {
			t.Fatal(err)
		}
		kick := make(chan struct{}, 1)
		cfg.IngestKick, cfg.Calendar = kick, cal
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			runIngestWorker(ctx, db, ingestOptions(cal), kick, cfg.Logger)
		}()
		t.Cleanup(func() { cancel(); <-done }) // before the store closes (cleanups run last first)
	}
	e, err := handlers.New(cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv, db
}

// Every scenario runs against a seeded portal without a single error, and
// -json has exactly the documented shape.
func TestLoadtestJSONShapeAndNoErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	srv := loadtestServer(t)
	u, _ := url.Parse(srv.URL)
	o := loadOptions{target: u, duration: time.Second, conns: 4, json: true, scenarios: loadScenarios, diskDir: t.TempDir(),
		submissions: 60, spread: true, staffTOTP: DemoStaffTOTPSecret,
		minor: loadLogin{"19900000001", "demo-minor-2026"}, guardian: loadLogin{"19900000002", "demo-guardian-2026"},
		lawyer: loadLogin{"19900000003", "demo-lawyer-2026"}, court: loadLogin{"court-demo", "demo-court-2026"},
		super: loadLogin{"supervisor-demo", "demo-supervisor-2026"}}
	var out bytes.Buffer
	rep, err := loadtest(context.Background(), o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var names []string
	for _, s := range rep.Scenarios {
		names = append(names, s.Name)
		if s.Errors != 0 || s.requests == 0 || s.RPS <= 0 || s.P99 <= 0 || s.P50 > s.P99 {
			t.Errorf("scenario %+v", s)
		}
		if s.Name == "submission" && s.note == "" && s.requests > o.submissions {
			t.Errorf("more submissions (%d) than prepared drafts (%d)", s.requests, o.submissions)
		}
	}
	if !slices.Equal(names, loadScenarios) || rep.Scenarios[0].RatioToBaseline != 1 {
		t.Fatalf("scenarios %v, baseline ratio %v", names, rep.Scenarios[0].RatioToBaseline)
	}
	if rep.BboltSinglePut <= 0 || rep.SubmissionRatio <= 0 || rep.PeakRSSMB <= 0 {
		t.Fatalf("report %+v", rep)
	}
	// The JSON has exactly the documented keys.
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	if got := keysOf(generic); !reflect.DeepEqual(got, []string{"bbolt_single_put_rps", "peak_rss_mb", "scenarios", "submission_ratio", "summary"}) {
		t.Fatalf("top-level keys %v", got)
	}
	// Issue 19's figures by name, taken from their scenarios.
	if got := keysOf(generic["summary"].(map[string]any)); !reflect.DeepEqual(got, []string{"case_page_p99_ms", "case_page_ratio", "case_page_rps",
		"healthz_p99_ms", "healthz_rps", "overdue_queue_p99_ms", "overdue_queue_ratio", "overdue_queue_rps", "peak_rss_mb"}) {
		t.Fatalf("summary keys %v", got)
	}
	for _, sc := range rep.Scenarios {
		sm := rep.Summary
		if sc.Name == "minor_case" && (sm.CasePageRPS != sc.RPS || sm.CasePageRatio != sc.RatioToBaseline || sm.CasePageP99 != sc.P99) ||
			sc.Name == "staff_overdue" && (sm.OverdueQueueRPS != sc.RPS || sm.OverdueQueueRatio != sc.RatioToBaseline || sm.OverdueQueueP99 != sc.P99) ||
			sc.Name == "healthz" && (sm.HealthzRPS != sc.RPS || sm.HealthzP99 != sc.P99) {
			t.Errorf("summary %+v does not match scenario %+v", sm, sc)
		}
	}
	if rep.Summary.PeakRSSMB != rep.PeakRSSMB || rep.Pinning != nil {
		t.Errorf("summary %+v, pinning %+v without -pin", rep.Summary, rep.Pinning)
	}
	first := generic["scenarios"].([]any)[0].(map[string]any)
	if got := keysOf(first); !reflect.DeepEqual(got, []string{"errors", "name", "p50_ms", "p95_ms", "p99_ms", "ratio_to_baseline", "rps"}) {
		t.Fatalf("scenario keys %v", got)
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The load test refuses a target off this machine unless told otherwise, and
// unknown scenarios.
func TestLoadtestRefusesRemoteTargets(t *testing.T) {
	for _, args := range [][]string{
		{"-target", "http://192.0.2.10:8080"},
		{"-target", "https://portal.example.org"},
		{"-target", "http://127.0.0.1:1", "-scenarios", "healthz,nope"},
	} {
		err := runLoadtest(args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "loopback") && !strings.Contains(err.Error(), "unknown") {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// The ingest scenario (issue 17) against a real server with its background
// worker: every record sent is received and decided (none rejected: the
// generated lines are valid), the mix gives every outcome the scenario
// promises, the case page is read meanwhile without an error, and the -json
// report carries the figures under "ingest". A wrong credential stops the
// scenario before anything is sent.
func TestLoadtestIngestScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	srv, db := loadtestServerWith(t, true)
	organs, err := db.Organs()
	if err != nil {
		t.Fatal(err)
	}
	var court uint64
	var holders []uint64
	for _, o := range organs {
		switch {
		case o.Kind == portal.RoleCourt && court == 0:
			court = o.ID
		case o.Kind.IsOrgan():
			holders = append(holders, o.ID)
		}
	}
	_, secret, err := db.CreateAPIClient(court, "loadtest", 0)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	o := loadOptions{target: u, duration: time.Second, conns: 4, json: true, scenarios: []string{loadIngestScenario}, diskDir: t.TempDir(),
		minor:  loadLogin{"19900000001", "demo-minor-2026"},
		ingest: loadIngestOptions{records: 1200, jobRecords: 500, secret: secret, holders: holders, readRate: 20, poll: 100 * time.Millisecond}}
	var out bytes.Buffer
	rep, err := loadtest(context.Background(), o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	r := rep.Ingest
	if r == nil || len(rep.Scenarios) != 0 {
		t.Fatalf("report %+v", rep)
	}
	c := r.Counts
	if r.Records != 1200 || r.Jobs != 3 || c.Received != 1200 || c.Rejected != 0 || c.Duplicates != 0 || c.Updated != 0 ||
		c.Sealed+c.Review+c.NotEligible+c.NotYet != 1200 || c.Sealed < 700 || c.Review == 0 || c.NotEligible == 0 || c.NotYet == 0 {
		t.Fatalf("ingest %+v", r)
	}
	if r.RecordsPerSec <= 0 || r.Seconds <= 0 || r.ReceiveSeconds <= 0 || r.ReceiveSeconds > r.Seconds {
		t.Fatalf("ingest times %+v", r)
	}
	if p := r.CasePage; p.requests == 0 || p.Errors != 0 || p.P50 <= 0 || p.P50 > p.P99 {
		t.Fatalf("case page during the job %+v", p)
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	ing, _ := generic["ingest"].(map[string]any)
	if got := keysOf(ing); !reflect.DeepEqual(got, []string{"case_page", "case_page_offered_rps", "counts", "jobs", "receive_seconds",
		"records", "records_per_s", "seconds"}) {
		t.Fatalf("ingest keys %v", got)
	}
	// The cases are there: the court's ex officio cases from these records.
	records, cases, err := db.IngestRecordStats(court)
	if err != nil || records != 1200 || cases < c.Sealed {
		t.Fatalf("court: %d record ids, %d cases (%v); counts %+v", records, cases, err, c)
	}

	o.ingest.secret = "not-a-secret"
	if _, err := loadtest(context.Background(), o, io.Discard); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a wrong credential: %v", err)
	}
}

// The records are valid lines of the organ API, the same for the same
// record number, distinct persons, and their record ids carry the run.
func TestIngestRecordWriter(t *testing.T) {
	g := ingestRecordWriter{run: "r1", holders: []uint64{7, 8, 9}, today: portal.Date{Year: 2026, Month: 12, Day: 3}}
	var a, b bytes.Buffer
	if err := g.write(&a, 0, 3000); err != nil {
		t.Fatal(err)
	}
	if err := g.write(&b, 1000, 10); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(a.String(), "\n"), "\n")
	if len(lines) != 3000 || lines[1000] != strings.Split(b.String(), "\n")[0] {
		t.Fatalf("%d lines; line 1000 differs when written alone", len(lines))
	}
	ids := map[string]bool{}
	dispositions := map[string]int{}
	for i, l := range lines {
		rec, fe := handlers.DecodeIngestLine([]byte(l), g.today)
		if fe != nil {
			t.Fatalf("line %d %s: %v", i, l, fe)
		}
		var v struct {
			RecordID    string `json:"record_id"`
			Disposition string `json:"disposition"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil || v.RecordID != fmt.Sprintf("LT-r1-%d", i) {
			t.Fatalf("line %d: %s %v", i, v.RecordID, err)
		}
		dispositions[v.Disposition]++
		if ids[rec.Person.IDNumber] {
			t.Fatalf("line %d: person %d repeated", i, i)
		}
		ids[rec.Person.IDNumber] = true
		for _, h := range rec.Holders {
			if !containsID(g.holders, h) {
				t.Fatalf("line %d: holder %d", i, h)
			}
		}
	}
	if len(dispositions) != 4 || dispositions["sentenced"] < 2400 {
		t.Fatalf("dispositions %v", dispositions)
	}
}

// -ingest-holders takes organ ids, comma-separated, and refuses anything else.
func TestParseOrganList(t *testing.T) {
	for in, want := range map[string][]uint64{"": nil, "2": {2}, "2, 3,24": {2, 3, 24}, "2,,3": {2, 3}} {
		if got, err := parseOrganList(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"0", "x", "2;3", "-1"} {
		if _, err := parseOrganList(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if err := runLoadtest([]string{"-target", "http://127.0.0.1:1", "-ingest-holders", "a"}, io.Discard); err == nil || !strings.Contains(err.Error(), "-ingest-holders") {
		t.Errorf("bad -ingest-holders: %v", err)
	}
}
