package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/pquerna/otp/totp"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"sealportal/portal"
	"sealportal/store/kv/boltkv"
)

// The load test: one scenario after another against a running portal with
// seeded data (seed -n) and the demo accounts, each at -c connections in a
// closed loop for -duration, then the raw single-put rate of bbolt on the
// same disk, and the server's peak resident memory.
//
// Scenarios (their names, for -scenarios):
//
//	healthz            GET /healthz, the baseline of the run
//	start              GET / (the public start page)
//	eligibility_api    POST /api/v1/eligibility with a complete case (JSON)
//	minor_case         GET /cases/:id as the demo minor (his own case page)
//	lawyer_dashboard   GET /cases as the demo lawyer (200 clients)
//	staff_overdue      GET /staff?overdue=1 as the demo court's official (50 a page)
//	supervisor_overdue GET /staff as the demo supervisor (every organ's overdue cases, 50 a page)
//	submission         POST /apply/:id/submit of a complete draft (see below)
//	ingest             an organ's bulk records with the case page read meanwhile
//	                   (loadtest_ingest.go; only when named: it writes cases)
//
// The load test speaks HTTP only, so it runs against a portal on either
// engine (bbolt or PostgreSQL); the raw bbolt put rate is of the disk of
// -data or -disk-dir, whatever the portal's engine.
//
// A submission is the one request that sends an application: POST
// /apply/:id/submit with the CSRF token, answered 303 to /apply/:id/done,
// which validates every section and writes the case, its reference, indexes,
// notifications and audit entry in one fsynced transaction. Each request
// submits a different draft, prepared before the timed part through the
// portal's own forms as the demo guardian: person, case, organs, three small
// PNG uploads (judgment, identity, guardianship) and declarations. The
// scenario ends early, and says so, when the prepared drafts run out.
//
// Rate limits: the public API allows apiRatePerMinute requests a minute per
// client address, so one machine hitting it flat out is refused with 429 after
// the first burst — which is the limiter working. To measure the API itself,
// the load test sends each request with an X-Forwarded-For address from a
// pool of 65 536 (10.0.0.0/16), as a reverse proxy would for many clients;
// the portal believes it only when started with -trusted-proxies
// 127.0.0.1/32 (the documented setup behind a proxy). Without that, the
// scenario reports the 429s as errors and says why.

// loadScenarios is the order of a full run.
var loadScenarios = []string{"healthz", "start", "eligibility_api", "minor_case", "lawyer_dashboard", "staff_overdue",
	"supervisor_overdue", "submission"}

type loadOptions struct {
	target        *url.URL
	duration      time.Duration
	conns         int
	json          bool
	scenarios     []string
	allowRemote   bool
	pid           int
	diskDir       string
	submissions   int
	staffTOTP     string
	minor, lawyer loadLogin
	court, super  loadLogin
	guardian      loadLogin
	spread        bool
	// pin binds the server to serverCPUs and the load test to clientCPUs
	// (issue 19), so that on one machine they do not take each other's cores.
	pin                    bool
	serverCPUs, clientCPUs []int
	ingest                 loadIngestOptions
}

type loadLogin struct{ login, password string }

// loadReport is the -json output, exactly these fields.
type loadReport struct {
	Scenarios       []loadScenarioResult `json:"scenarios"`
	BboltSinglePut  float64              `json:"bbolt_single_put_rps"`
	SubmissionRatio float64              `json:"submission_ratio"`
	PeakRSSMB       float64              `json:"peak_rss_mb"`
	// Summary is issue 19's figures by name; Pinning the cores used, when
	// -pin bound them.
	Summary loadSummary  `json:"summary"`
	Pinning *loadPinning `json:"pinning,omitempty"`
	// Ingest is the ingest scenario's figures, when it ran.
	Ingest *loadIngestResult `json:"ingest,omitempty"`
}

// loadSummary names the figures issue 19 sets targets for: /healthz, a
// person's case page (minor_case) and the court's overdue queue
// (staff_overdue), each with its ratio to /healthz and its p99, and the
// server's peak resident memory. A scenario not run leaves zeros.
type loadSummary struct {
	HealthzRPS        float64 `json:"healthz_rps"`
	HealthzP99        float64 `json:"healthz_p99_ms"`
	CasePageRPS       float64 `json:"case_page_rps"`
	CasePageRatio     float64 `json:"case_page_ratio"`
	CasePageP99       float64 `json:"case_page_p99_ms"`
	OverdueQueueRPS   float64 `json:"overdue_queue_rps"`
	OverdueQueueRatio float64 `json:"overdue_queue_ratio"`
	OverdueQueueP99   float64 `json:"overdue_queue_p99_ms"`
	PeakRSSMB         float64 `json:"peak_rss_mb"`
}

// loadPinning is where -pin put the two processes.
type loadPinning struct {
	ServerPID  int   `json:"server_pid"`
	ServerCPUs []int `json:"server_cpus"`
	ClientCPUs []int `json:"client_cpus"`
}

func summarize(rep loadReport) loadSummary {
	out := loadSummary{PeakRSSMB: rep.PeakRSSMB}
	for _, s := range rep.Scenarios {
		switch s.Name {
		case "healthz":
			out.HealthzRPS, out.HealthzP99 = s.RPS, s.P99
		case "minor_case":
			out.CasePageRPS, out.CasePageRatio, out.CasePageP99 = s.RPS, s.RatioToBaseline, s.P99
		case "staff_overdue":
			out.OverdueQueueRPS, out.OverdueQueueRatio, out.OverdueQueueP99 = s.RPS, s.RatioToBaseline, s.P99
		}
	}
	return out
}

// parseCPUList reads a CPU list as taskset -c writes it: "1", "0,2", "0-3".
func parseCPUList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b >= 1024 {
			return nil, fmt.Errorf("CPU list %q: want e.g. 0 or 0,2 or 1-3", s)
		}
		for c := a; c <= b; c++ {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

type loadScenarioResult struct {
	Name            string  `json:"name"`
	RPS             float64 `json:"rps"`
	P50             float64 `json:"p50_ms"`
	P95             float64 `json:"p95_ms"`
	P99             float64 `json:"p99_ms"`
	Errors          int     `json:"errors"`
	RatioToBaseline float64 `json:"ratio_to_baseline"`

	requests int
	note     string
}

func runLoadtest(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	var err error
	target := fs.String("target", env("PORTAL_LOADTEST_TARGET", "http://127.0.0.1:8080"), "base URL of a running portal with seeded data")
	var o loadOptions
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long each scenario runs")
	fs.IntVar(&o.conns, "c", 64, "concurrent connections (a closed loop: each sends its next request when the last is answered)")
	fs.BoolVar(&o.json, "json", false, "print the machine-readable report only")
	only := fs.String("scenarios", "", "comma-separated scenarios to run (default all): "+strings.Join(loadScenarios, ","))
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a target that is not on this machine's loopback")
	fs.IntVar(&o.pid, "pid", 0, "the server's process id for its memory (default: the process listening on the target's port)")
	data := fs.String("data", "", "the portal's database file: the bbolt rate is measured in its folder (same disk)")
	fs.StringVar(&o.diskDir, "disk-dir", "", "folder for the raw bbolt measurement (default: -data's folder, else the system temp folder)")
	fs.IntVar(&o.submissions, "submissions", 2000, "drafts prepared before the submission scenario (one per submitted request)")
	fs.StringVar(&o.staffTOTP, "staff-totp-secret", env("PORTAL_LOADTEST_TOTP_SECRET", DemoStaffTOTPSecret), "base32 authenticator secret of the staff demo accounts, for the one-time code at sign-in (env PORTAL_LOADTEST_TOTP_SECRET; default the one seed enrols)")
	fs.BoolVar(&o.pin, "pin", false, "bind the server (-pid, or the process on the target's port) to -server-cpus and this load test to -client-cpus, so that on one machine neither takes the other's cores (Linux sched_setaffinity)")
	serverCPUs := fs.String("server-cpus", "0", "with -pin: the server's CPUs (taskset -c syntax)")
	clientCPUs := fs.String("client-cpus", "1", "with -pin: this load test's CPUs (taskset -c syntax)")
	fs.BoolVar(&o.spread, "spread-clients", true, "send API requests with X-Forwarded-For from 10.0.0.0/16 (counted per client only when the portal runs with -trusted-proxies 127.0.0.1/32)")
	fs.IntVar(&o.ingest.records, "ingest-records", 100000, "ingest: records sent in all")
	fs.IntVar(&o.ingest.jobRecords, "ingest-job-records", 100000, "ingest: records per job (one POST each, read by the server within its two-minute read timeout)")
	fs.StringVar(&o.ingest.secret, "ingest-secret", env("PORTAL_LOADTEST_INGEST_SECRET", ""), "ingest: the organ's API secret from `admin create-api-client` (env PORTAL_LOADTEST_INGEST_SECRET)")
	holders := fs.String("ingest-holders", "", "ingest: organ ids (admin list-organs) that hold parts of the records besides the sender, comma-separated; each record names up to two")
	fs.Float64Var(&o.ingest.readRate, "ingest-read-rate", 50, "ingest: case page requests a second while the jobs run (an open loop over at most -c connections)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.ingest.poll = time.Second
	if o.ingest.holders, err = parseOrganList(*holders); err != nil {
		return fmt.Errorf("-ingest-holders: %w", err)
	}
	if o.ingest.readRate <= 0 {
		return errors.New("-ingest-read-rate must be positive")
	}
	u, err := url.Parse(strings.TrimRight(*target, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("-target %q: want http://host:port", *target)
	}
	o.target = u
	if !o.allowRemote && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("-target %s is not on loopback: a load test is for your own machine (-allow-remote to insist)", u.Host)
	}
	if o.conns < 1 || o.duration <= 0 {
		return errors.New("-c and -duration must be positive")
	}
	if o.pin {
		if o.serverCPUs, err = parseCPUList(*serverCPUs); err != nil {
			return fmt.Errorf("-server-cpus: %w", err)
		}
		if o.clientCPUs, err = parseCPUList(*clientCPUs); err != nil {
			return fmt.Errorf("-client-cpus: %w", err)
		}
		for _, c := range o.serverCPUs {
			if slices.Contains(o.clientCPUs, c) {
				return fmt.Errorf("-pin: CPU %d is in both -server-cpus and -client-cpus", c)
			}
		}
	}
	o.scenarios = loadScenarios
	if *only != "" {
		o.scenarios = nil
		for _, s := range strings.Split(*only, ",") {
			s = strings.TrimSpace(s)
			if !slices.Contains(loadScenarios, s) && s != loadIngestScenario {
				return fmt.Errorf("-scenarios: unknown %q (%s,%s)", s, strings.Join(loadScenarios, ","), loadIngestScenario)
			}
			o.scenarios = append(o.scenarios, s)
		}
	}
	if o.diskDir == "" {
		o.diskDir = os.TempDir()
		if *data != "" {
			o.diskDir = filepath.Dir(*data)
		}
	}
	o.minor = loadLogin{"19900000001", "demo-minor-2026"}
	o.guardian = loadLogin{"19900000002", "demo-guardian-2026"}
	o.lawyer = loadLogin{"19900000003", "demo-lawyer-2026"}
	o.court = loadLogin{"court-demo", "demo-court-2026"}
	o.super = loadLogin{"supervisor-demo", "demo-supervisor-2026"}
	rep, err := loadtest(context.Background(), o, out)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return nil
}

// loadtest runs the scenarios and returns the report; progress and the table
// go to out unless o.json.
func loadtest(ctx context.Context, o loadOptions, out io.Writer) (loadReport, error) {
	logf := func(format string, a ...any) {
		if !o.json {
			fmt.Fprintf(out, format+"\n", a...)
		}
	}
	rep := loadReport{Scenarios: []loadScenarioResult{}}
	base := o.target.String()
	pid := o.pid
	if pid == 0 {
		pid = pidListeningOn(o.target)
	}
	rss := newRSSSampler(pid)
	defer rss.stop()
	if pid == 0 {
		logf("server process not found on this machine: peak_rss_mb is 0 (-pid to name it)")
	}
	if o.pin {
		if pid == 0 {
			return rep, errors.New("-pin: the server's process was not found (-pid to name it)")
		}
		if err := pinProcess(pid, o.serverCPUs); err != nil {
			return rep, err
		}
		if err := pinProcess(0, o.clientCPUs); err != nil {
			return rep, err
		}
		rep.Pinning = &loadPinning{ServerPID: pid, ServerCPUs: o.serverCPUs, ClientCPUs: o.clientCPUs}
		logf("pinned: server %d on CPUs %v, load test on CPUs %v", pid, o.serverCPUs, o.clientCPUs)
	}

	sessions := map[string]*loadSession{}
	signIn := func(key string, l loadLogin, staff bool) (*loadSession, error) {
		if s := sessions[key]; s != nil {
			return s, nil
		}
		s := newLoadSession(base)
		if err := s.login(l, staff, o.staffTOTP); err != nil {
			return nil, fmt.Errorf("sign in as %s: %w", l.login, err)
		}
		sessions[key] = s
		return s, nil
	}
	var baseline float64
	for _, name := range o.scenarios {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if name == loadIngestScenario {
			// The readers ask for the demo minor's case page, as minor_case does.
			page, err := prepareScenario("minor_case", o, signIn, logf)
			if err != nil {
				return rep, fmt.Errorf("scenario ingest: %w", err)
			}
			var t vegeta.Target
			if err := page.targeter(&t); err != nil {
				return rep, err
			}
			res, err := runIngestScenario(ctx, o, t, logf)
			if err != nil {
				return rep, fmt.Errorf("scenario ingest: %w", err)
			}
			rep.Ingest = &res
			continue
		}
		sc, err := prepareScenario(name, o, signIn, logf)
		if err != nil {
			return rep, fmt.Errorf("scenario %s: %w", name, err)
		}
		res := attackScenario(name, sc, o)
		if name == "healthz" {
			baseline = res.RPS
		}
		if baseline > 0 {
			res.RatioToBaseline = round2(res.RPS / baseline)
		}
		if sc.exhausted.Load() {
			res.note = fmt.Sprintf("all %d prepared drafts submitted before the end", sc.pool)
		}
		if res.Errors > 0 && name == "eligibility_api" && sc.rateLimited.Load() > 0 {
			res.note = fmt.Sprintf("%d answers were 429: start the portal with -trusted-proxies 127.0.0.1/32 so that the spread client addresses count", sc.rateLimited.Load())
		}
		rep.Scenarios = append(rep.Scenarios, res)
		logf("%-18s %8.0f req/s  p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  errors %d%s", name, res.RPS, res.P50, res.P95, res.P99, res.Errors,
			map[bool]string{true: "  (" + res.note + ")", false: ""}[res.note != ""])
	}
	put := 0.0
	if len(rep.Scenarios) > 0 { // the disk's baseline, for the submission's ratio
		var err error
		if put, err = boltkv.SinglePutRate(o.diskDir, 2*time.Second); err != nil {
			return rep, err
		}
	}
	rep.BboltSinglePut = round2(put)
	for _, s := range rep.Scenarios {
		if s.Name == "submission" && put > 0 {
			rep.SubmissionRatio = round2(s.RPS / put)
		}
	}
	rep.PeakRSSMB = round2(rss.stop())
	rep.Summary = summarize(rep)
	if !o.json {
		printLoadTable(out, rep, o)
	}
	return rep, nil
}

func printLoadTable(out io.Writer, rep loadReport, o loadOptions) {
	if len(rep.Scenarios) == 0 { // ingest alone
		if rep.Ingest != nil {
			printIngestResult(out, rep.Ingest)
		}
		fmt.Fprintf(out, "server peak resident memory: %.1f MB\n", rep.PeakRSSMB)
		return
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scenario\treq/s\tp50 ms\tp95 ms\tp99 ms\terrors\t÷ healthz\t\n")
	for _, s := range rep.Scenarios {
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%.3f\t\n", s.Name, s.RPS, s.P50, s.P95, s.P99, s.Errors, s.RatioToBaseline)
	}
	_ = tw.Flush()
	fmt.Fprintf(out, "bbolt single-put transactions (fsync) in %s: %.0f/s; submissions ÷ that: %.3f\n", o.diskDir, rep.BboltSinglePut, rep.SubmissionRatio)
	fmt.Fprintf(out, "server peak resident memory: %.1f MB\n", rep.PeakRSSMB)
	if sm := rep.Summary; sm.HealthzRPS > 0 {
		fmt.Fprintf(out, "issue 19: case page %.3f of /healthz (p99 %.2f ms), overdue queue %.3f (p99 %.2f ms)\n",
			sm.CasePageRatio, sm.CasePageP99, sm.OverdueQueueRatio, sm.OverdueQueueP99)
	}
	if rep.Ingest != nil {
		printIngestResult(out, rep.Ingest)
	}
	if p := rep.Pinning; p != nil {
		fmt.Fprintf(out, "pinned: server %d on CPUs %v, load test on CPUs %v\n", p.ServerPID, p.ServerCPUs, p.ClientCPUs)
	}
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// loadScenario is what one scenario sends.
type loadScenario struct {
	targeter    vegeta.Targeter
	ok          map[uint16]bool // statuses that count as success
	pool        int
	exhausted   atomic.Bool
	rateLimited atomic.Int64
}

func prepareScenario(name string, o loadOptions, signIn func(string, loadLogin, bool) (*loadSession, error), logf func(string, ...any)) (*loadScenario, error) {
	base := o.target.String()
	get := func(path string, s *loadSession) *loadScenario {
		h := http.Header{}
		if s != nil {
			h = s.header()
		}
		return &loadScenario{ok: map[uint16]bool{200: true},
			targeter: vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + path, Header: h})}
	}
	switch name {
	case "healthz":
		return get("/healthz", nil), nil
	case "start":
		return get("/", nil), nil
	case "eligibility_api":
		body := []byte(`{"birth_date":"2006-03-14","acts":[{"date":"2021-01-10","main":true}],"disposition":"sentenced",` +
			`"penalty":{"kind":"fixed_term","months":12,"days":0,"suspended":true}}`)
		var n atomic.Uint32
		sc := &loadScenario{ok: map[uint16]bool{200: true}}
		sc.targeter = func(t *vegeta.Target) error {
			h := http.Header{"Content-Type": {"application/json"}}
			if o.spread {
				i := n.Add(1)
				h.Set("X-Forwarded-For", fmt.Sprintf("10.0.%d.%d", byte(i>>8), byte(i))) // #nosec G115 -- truncation wanted: the low 16 bits pick a fake client
			}
			*t = vegeta.Target{Method: http.MethodPost, URL: base + "/api/v1/eligibility", Body: body, Header: h}
			return nil
		}
		return sc, nil
	case "minor_case":
		s, err := signIn("minor", o.minor, false)
		if err != nil {
			return nil, err
		}
		ids, err := s.caseLinks("/cases")
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, errors.New("the demo minor has no case: seed the database with seed -n")
		}
		return get("/cases/"+ids[0], s), nil
	case "lawyer_dashboard":
		s, err := signIn("lawyer", o.lawyer, false)
		if err != nil {
			return nil, err
		}
		ids, err := s.caseLinks("/cases")
		if err != nil {
			return nil, err
		}
		logf("the demo lawyer's dashboard lists %d cases", len(ids))
		return get("/cases", s), nil
	case "staff_overdue":
		s, err := signIn("court", o.court, true)
		if err != nil {
			return nil, err
		}
		return get("/staff?overdue=1", s), nil
	case "supervisor_overdue":
		s, err := signIn("supervisor", o.super, true)
		if err != nil {
			return nil, err
		}
		return get("/staff", s), nil
	case "submission":
		s, err := signIn("guardian", o.guardian, false)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		drafts, err := prepareDrafts(s, o.submissions, min(8, o.conns))
		if err != nil {
			return nil, err
		}
		logf("prepared %d complete drafts in %s", len(drafts), time.Since(start).Round(time.Millisecond))
		sc := &loadScenario{ok: map[uint16]bool{303: true}, pool: len(drafts)}
		var next atomic.Int64
		h := s.header()
		sc.targeter = func(t *vegeta.Target) error {
			i := next.Add(1) - 1
			if i >= int64(len(drafts)) {
				sc.exhausted.Store(true)
				return vegeta.ErrNoTargets
			}
			*t = vegeta.Target{Method: http.MethodPost, URL: base + "/apply/" + drafts[i] + "/submit", Header: h,
				Body: []byte("_csrf=" + url.QueryEscape(s.csrf))}
			t.Header = t.Header.Clone()
			t.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return nil
		}
		return sc, nil
	}
	return nil, fmt.Errorf("unknown scenario %q", name)
}

// attackScenario runs one scenario with vegeta at o.conns workers, each
// sending its next request as soon as the last is answered (rate 0).
func attackScenario(name string, sc *loadScenario, o loadOptions) loadScenarioResult {
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(o.conns)), vegeta.MaxWorkers(uint64(o.conns)), // #nosec G115 -- o.conns >= 1, checked in runLoadtest
		vegeta.Connections(o.conns), vegeta.MaxConnections(o.conns), vegeta.KeepAlive(true),
		vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(30*time.Second), vegeta.MaxBody(1<<20))
	var m vegeta.Metrics
	errs := 0
	for res := range atk.Attack(sc.targeter, vegeta.Rate{Freq: 0}, o.duration, name) {
		if errors.Is(errors.New(res.Error), vegeta.ErrNoTargets) || res.Error == vegeta.ErrNoTargets.Error() {
			continue // the prepared drafts ran out: not a request
		}
		m.Add(res)
		if res.Error != "" || !sc.ok[res.Code] {
			errs++
			if res.Code == http.StatusTooManyRequests {
				sc.rateLimited.Add(1)
			}
		}
	}
	m.Close()
	ms := func(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }
	rps := 0.0
	if el := (m.Duration + m.Wait).Seconds(); el > 0 {
		rps = float64(m.Requests) / el
	}
	return loadScenarioResult{Name: name, RPS: round2(rps), P50: ms(m.Latencies.P50), P95: ms(m.Latencies.P95), P99: ms(m.Latencies.P99),
		Errors: errs, requests: int(m.Requests)} // #nosec G115 -- a request count of one run
}

// loadSession is one signed-in browser: its cookies (kept by hand, since
// Go's cookie jar withholds Secure cookies from http://127.0.0.1 while
// browsers send them to a loopback origin) and its CSRF token.
type loadSession struct {
	base    string
	hc      *http.Client
	mu      sync.Mutex
	cookies map[string]string
	csrf    string
}

func newLoadSession(base string) *loadSession {
	return &loadSession{base: base, cookies: map[string]string{}, hc: &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (s *loadSession) header() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for k, v := range s.cookies {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	h := http.Header{"Cookie": {strings.Join(parts, "; ")}, "Accept-Language": {"zh-CN"}}
	if s.csrf != "" {
		h.Set("X-CSRF-Token", s.csrf)
	}
	return h
}

// do sends one request and returns the status, Location and body.
func (s *loadSession) do(method, path, contentType string, body []byte) (int, string, []byte, error) {
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header = s.header()
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	s.mu.Lock()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(s.cookies, ck.Name)
			continue
		}
		s.cookies[ck.Name] = ck.Value
		if strings.HasSuffix(ck.Name, "csrf") {
			s.csrf = ck.Value
		}
	}
	s.mu.Unlock()
	return resp.StatusCode, resp.Header.Get("Location"), raw, err
}

func (s *loadSession) postForm(path string, v url.Values) (int, string, []byte, error) {
	v.Set("_csrf", s.csrf)
	return s.do(http.MethodPost, path, "application/x-www-form-urlencoded", []byte(v.Encode()))
}

var (
	loadFormRE  = regexp.MustCompile(`(?s)<form[^>]*method="post"[^>]*action="([^"]+)"(.*?)</form>`)
	loadInputRE = regexp.MustCompile(`<input[^>]*name="([^"]*(?:code|totp|otp)[^"]*)"`)
)

// login signs in through the login form. When a staff sign-in answers with a
// second-factor page (TOTP), the code is computed from totpSecret and sent on
// the first form of that page whose input is named like a code.
func (s *loadSession) login(l loadLogin, staff bool, totpSecret string) error {
	if _, _, _, err := s.do(http.MethodGet, "/login", "", nil); err != nil {
		return err
	}
	status, loc, body, err := s.postForm("/login", url.Values{"login": {l.login}, "password": {l.password}})
	if err != nil {
		return err
	}
	if status != http.StatusSeeOther {
		return fmt.Errorf("login answered %d: %s", status, loadExcerpt(body))
	}
	home := "/cases" // a citizen lands on "my cases" (issue 16)
	if staff {
		home = "/staff"
	}
	for range 3 {
		if loc == home || strings.HasPrefix(loc, home+"?") {
			return nil
		}
		// A second factor, or another interstitial page.
		status, _, page, err := s.do(http.MethodGet, loc, "", nil)
		if err != nil {
			return err
		}
		m := loadFormRE.FindSubmatch(page)
		in := loadInputRE.FindSubmatch(page)
		if status != http.StatusOK || m == nil || in == nil {
			return fmt.Errorf("after login the portal sent %s, not %s, and it is no code page this load test can answer", loc, home)
		}
		if totpSecret == "" {
			return fmt.Errorf("%s asks for a one-time code: give the staff TOTP secret with -staff-totp-secret", l.login)
		}
		// A code is accepted once per 30-second step (replays are refused):
		// when the step was just spent (seed, or a previous run), wait for
		// the next one.
		for try := 0; ; try++ {
			code, err := totp.GenerateCode(totpSecret, time.Now())
			if err != nil {
				return fmt.Errorf("totp: %w", err)
			}
			status, loc, body, err = s.postForm(string(m[1]), url.Values{string(in[1]): {code}})
			if err != nil {
				return err
			}
			// A refused code is answered by a redirect back to the code
			// page (POST-redirect-GET); a passed one goes on elsewhere.
			if status == http.StatusSeeOther && loc != string(m[1]) || try == 2 {
				break
			}
			time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(31 * time.Second)))
		}
		if status != http.StatusSeeOther || loc == string(m[1]) {
			return fmt.Errorf("one-time code answered %d to %q: %s", status, loc, loadExcerpt(body))
		}
	}
	return fmt.Errorf("login of %s did not reach %s", l.login, home)
}

var loadCaseLinkRE = regexp.MustCompile(`href="/cases/(\d+)"`)

// caseLinks lists the case ids a list page links to, in order, once each.
func (s *loadSession) caseLinks(path string) ([]string, error) {
	status, _, body, err := s.do(http.MethodGet, path, "", nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d", path, status)
	}
	var ids []string
	for _, m := range loadCaseLinkRE.FindAllSubmatch(body, -1) {
		if id := string(m[1]); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

var loadErrorRE = regexp.MustCompile(`(?s)class="error-message"[^>]*>(.*?)</`)

// loadExcerpt is what a failed answer says: its field errors when it is a
// form page, else its start.
func loadExcerpt(b []byte) string {
	if ms := loadErrorRE.FindAllSubmatch(b, 5); len(ms) > 0 {
		var out []string
		for _, m := range ms {
			out = append(out, strings.Join(strings.Fields(string(m[1])), " "))
		}
		return strings.Join(out, "; ")
	}
	if len(b) > 300 {
		b = b[:300]
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

var (
	loadApplyRE = regexp.MustCompile(`^/apply/(\d+)$`)
	loadOrganRE = regexp.MustCompile(`<option value="(\d+)"`)
)

// prepareDrafts fills in n complete applications as the guardian, with
// workers in parallel, and returns their ids. Each is one new draft through
// the portal's forms: a synthetic child born in 2010 (province code 99), a
// suspended sentence for an act at 14 or 15, the deciding court holding the record,
// three small PNG uploads and the declaration.
func prepareDrafts(s *loadSession, n, workers int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	firstID, err := newDraft(s)
	if err != nil {
		return nil, err
	}
	_, _, page, err := s.do(http.MethodGet, "/apply/"+firstID+"/case", "", nil)
	if err != nil {
		return nil, err
	}
	om := loadOrganRE.FindSubmatch(page)
	if om == nil {
		return nil, errors.New("the case form offers no deciding organ")
	}
	organ := string(om[1])
	png := loadPNG()
	stamp := uint64(time.Now().UnixNano())
	ids := make([]string, n)
	var (
		wg   sync.WaitGroup
		next atomic.Int64
		mu   sync.Mutex
		fail error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				id := ""
				if i == 0 {
					id = firstID
				}
				id, err := fillDraft(s, id, organ, portal.SyntheticIDNumber(stamp+uint64(i), portal.Date{Year: 2010, Month: time.Month(1 + i%12), Day: 1 + i%28}).String(), png) // #nosec G115 -- i is a loop index from 0
				if err != nil {
					mu.Lock()
					if fail == nil {
						fail = fmt.Errorf("draft %d: %w", i, err)
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	return ids, fail
}

// newDraft presses "start a new application" and returns the draft's id.
func newDraft(s *loadSession) (string, error) {
	status, loc, body, err := s.postForm("/apply", url.Values{})
	if err != nil {
		return "", err
	}
	m := loadApplyRE.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		return "", fmt.Errorf("new draft: %d to %q: %s", status, loc, loadExcerpt(body))
	}
	return m[1], nil
}

// fillDraft completes a draft (a new one when id is ""), section by section.
func fillDraft(s *loadSession, id, organ, idNumber string, png []byte) (string, error) {
	if id == "" {
		var err error
		if id, err = newDraft(s); err != nil {
			return "", err
		}
	}
	p := "/apply/" + id
	steps := []struct {
		path string
		form url.Values
	}{
		{p + "/person", url.Values{"person_name": {"负载测试儿童"}, "person_id_number": {idNumber}}},
		{p + "/case", url.Values{"deciding_organ": {organ}, "case_number": {"(2025)示例刑初12号"}, "disposition": {"sentenced"},
			"decision_date-year": {"2025"}, "decision_date-month": {"9"}, "decision_date-day": {"1"},
			"acts[0].date-year": {"2025"}, "acts[0].date-month": {"1"}, "acts[0].date-day": {"10"},
			"intent": {"intentional"}, "penalty_kind": {"fixed_term"}, "penalty_months": {"12"}, "penalty_suspended": {"yes"},
			"action": {"save"}}},
		{p + "/organs", url.Values{"holding_organs": {organ}}},
	}
	for _, st := range steps {
		status, _, body, err := s.postForm(st.path, st.form)
		if err != nil {
			return "", err
		}
		if status != http.StatusSeeOther {
			return "", fmt.Errorf("POST %s: %d: %s", st.path, status, loadExcerpt(body))
		}
	}
	for _, kind := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity, portal.DocGuardianship} {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField("_csrf", s.csrf)
		_ = w.WriteField("kind", string(kind))
		fw, err := w.CreateFormFile("file", string(kind)+".png")
		if err != nil {
			return "", err
		}
		_, _ = fw.Write(png)
		_ = w.Close()
		status, _, body, err := s.do(http.MethodPost, p+"/documents", w.FormDataContentType(), b.Bytes())
		if err != nil {
			return "", err
		}
		if status != http.StatusSeeOther {
			return "", fmt.Errorf("upload %s: %d: %s", kind, status, loadExcerpt(body))
		}
	}
	status, _, body, err := s.postForm(p+"/declarations", url.Values{"declare_true": {"yes"}})
	if err != nil {
		return "", err
	}
	if status != http.StatusSeeOther {
		return "", fmt.Errorf("declarations: %d: %s", status, loadExcerpt(body))
	}
	return id, nil
}

// loadPNG is the small upload of a submission: a valid 16×16 PNG (the same
// bytes seed -n stores).
func loadPNG() []byte { return seedPNG }

// pidListeningOn finds the process listening on the target's TCP port on
// this machine, from /proc/net/tcp{,6} (the socket's inode) and /proc/*/fd
// (who holds it). 0 when it cannot be found (another machine, a container,
// or no permission).
func pidListeningOn(target *url.URL) int {
	port := target.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[target.Scheme]
	}
	p, err := strconv.Atoi(port)
	if err != nil || !isLoopbackHost(target.Hostname()) {
		return 0
	}
	inodes := map[string]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(file) // #nosec G304 -- one of the two fixed /proc paths above
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
				continue
			}
			i := strings.LastIndexByte(fields[1], ':')
			if v, err := strconv.ParseUint(fields[1][i+1:], 16, 16); err == nil && int(v) == p {
				inodes["socket:["+fields[9]+"]"] = true
			}
		}
		_ = f.Close() // read-only
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, dir := range procs {
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && inodes[link] {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
				return pid
			}
		}
	}
	return 0
}

// rssSampler follows a process's resident memory: VmRSS every 100 ms and,
// at the end, the kernel's own high-water mark VmHWM.
type rssSampler struct {
	pid  int
	done chan struct{}
	once sync.Once
	max  atomic.Int64 // kB
	peak float64
}

func newRSSSampler(pid int) *rssSampler {
	r := &rssSampler{pid: pid, done: make(chan struct{})}
	if pid == 0 {
		return r
	}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := procStatusKB(pid, "VmRSS:"); kb > r.max.Load() {
				r.max.Store(kb)
			}
			select {
			case <-r.done:
				return
			case <-t.C:
			}
		}
	}()
	return r
}

// stop ends the sampling and returns the peak in MB.
func (r *rssSampler) stop() float64 {
	r.once.Do(func() {
		close(r.done)
		if r.pid == 0 {
			return
		}
		kb := max(r.max.Load(), procStatusKB(r.pid, "VmHWM:"))
		r.peak = float64(kb) / 1024
	})
	return r.peak
}

func procStatusKB(pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, field) {
			f := strings.Fields(line[len(field):])
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}
