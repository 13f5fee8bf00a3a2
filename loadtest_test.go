package main

import (
	"bytes"
	"context"
	"encoding/json"
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
)

// loadtestServer is the portal in this process on a temp database with the
// demo accounts and a few hundred synthetic cases, behind a trusted loopback
// "proxy" as the load test's documented setup has it.
func loadtestServer(t *testing.T) *httptest.Server {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "p.db"), store.Options{Keys: store.NewTestKeys()})
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
	e, err := handlers.New(handlers.Config{SecureCookies: true, TrustedProxies: []*net.IPNet{loopback}, Hasher: hasher,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, db)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
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
