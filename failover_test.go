//go:build failover

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The failover test (issue 15): three PostgreSQL nodes managed by Patroni
// with etcd, in synchronous_mode_strict (failover_cluster_test.go); two portal
// processes (the real binary) on one keys file, both on libpq's multi-host
// read-write URL; citizens filing complete applications, case messages,
// anonymous leak reports and registrations spread over both; the leader's
// machine killed (Patroni, postmaster and backends together, SIGKILL, by PID)
// at a random moment, three times in a row, while the writing goes on. After
// each kill: every acknowledged write is on the new leader (each submission
// and leak report by its reference number, once), no reference number twice,
// the audit log verifies with a contiguous index, and both portals become
// ready again and accept new work.
//
// TestFailoverNegativeControl proves the checker able to fail: a standby left
// behind on purpose, promoted by hand after the leader dies, must make the
// same checker report acknowledged writes lost.
//
//	go test -tags failover -run TestFailover -count=1 -v -timeout 20m .
//
// FAILOVER_SEED fixes the random kill moments (the seed is logged);
// FAILOVER_KEEP=1 keeps the cluster's folder and logs.

const failoverKills = 3

// ackClock carries a world's requests and times every acknowledged write:
// a form post answered 303 (POST-redirect-GET). It also counts the answers
// that said the outcome is unknown (not acknowledged: the citizen is told to
// look) and the errors (no answer, or a 5xx page).
type ackClock struct {
	mu      sync.Mutex
	acks    []time.Time
	unknown int
	busy    int      // 503 "the service is busy": no writable server yet
	errs    int      // no answer, or another 5xx
	errSeen []string // the first few of errs, for the log: what they were
}

// noteErr counts an error and keeps its description (method, path, status
// or transport error; no personal data) for the log.
func (a *ackClock) noteErr(r *http.Request, what string) {
	a.errs++
	if len(a.errSeen) < 10 {
		a.errSeen = append(a.errSeen, fmt.Sprintf("%s %s %s: %s", time.Now().UTC().Format("15:04:05.000"), r.Method, r.URL.Path, what))
	}
}

var outcomeUnknownMark = []byte(`data-testid="outcome-unknown"`)

func (a *ackClock) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.noteErr(r, err.Error())
		return nil, err
	}
	switch {
	case r.Method == http.MethodPost && resp.StatusCode == http.StatusSeeOther:
		a.acks = append(a.acks, now)
	case resp.StatusCode >= 500:
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		switch {
		case rerr == nil && bytes.Contains(body, outcomeUnknownMark):
			a.unknown++
		case resp.StatusCode == http.StatusServiceUnavailable:
			a.busy++
		default:
			a.noteErr(r, fmt.Sprintf("status %d", resp.StatusCode))
		}
	}
	return resp, nil
}

// figures are the counters now.
func (a *ackClock) figures() (acks, unknown, busy, errs int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.acks), a.unknown, a.busy, a.errs
}

// longestGap is the longest time between two acknowledged writes in
// [from, to], and where it began.
func (a *ackClock) longestGap(from, to time.Time) (time.Duration, time.Time) {
	a.mu.Lock()
	ts := append([]time.Time(nil), a.acks...)
	a.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	var gap time.Duration
	var at time.Time
	prev := from
	for _, t := range ts {
		if t.Before(from) {
			continue
		}
		if t.After(to) {
			break
		}
		if d := t.Sub(prev); d > gap {
			gap, at = d, prev
		}
		prev = t
	}
	if d := to.Sub(prev); d > gap {
		gap, at = d, prev
	}
	return gap, at
}

// failoverRig is the cluster, the two portals and their citizens.
type failoverRig struct {
	t       *testing.T
	bin     string
	dir     string
	keys    string
	cluster *patroniCluster
	servers [2]*crashServer
	worlds  [2]*crashWorld
	clock   *ackClock
	stop    atomic.Bool
	wg      sync.WaitGroup
	lost    atomic.Int32 // acknowledged submissions whose confirmation never showed
}

func newFailoverRig(t *testing.T) *failoverRig {
	t.Helper()
	began := time.Now()
	r := &failoverRig{t: t, dir: t.TempDir(), clock: &ackClock{}}
	if os.Getenv("FAILOVER_KEEP") != "" { // the portals' logs too
		dir, err := os.MkdirTemp("", "failover-portals-")
		if err != nil {
			t.Fatal(err)
		}
		r.dir = dir
		t.Logf("portals' folder kept: %s", dir)
	}
	r.bin = filepath.Join(r.dir, "sealportal")
	build := make(chan error, 1)
	var buildOut []byte
	go func() {
		var err error
		buildOut, err = exec.Command("go", "build", "-o", r.bin, ".").CombinedOutput()
		build <- err
	}()
	r.cluster = newPatroniCluster(t)
	r.cluster.up()
	s, _ := r.cluster.state()
	t.Logf("etcd ×3 and Patroni ×3 up in %s: %s", time.Since(began).Round(100*time.Millisecond), s)
	if err := <-build; err != nil {
		t.Fatalf("go build: %v\n%s", err, buildOut)
	}
	r.keys = filepath.Join(r.dir, "keys.json")
	setup := r.config("setup", r.cluster.url())
	organs := organsIn(t, setup) // the keys file, the schema, the organs
	for i, name := range []string{"a", "b"} {
		r.servers[i] = &crashServer{t: t, bin: r.bin, data: filepath.Join(r.dir, name, "portal.db"), addr: freeAddr(t),
			log: filepath.Join(r.dir, name+".log"), dbArgs: r.args(name, r.cluster.url())}
		r.worlds[i] = &crashWorld{srv: r.servers[i], organs: organs, pdf: tinyPDF(), png: tinyPNG(), transport: r.clock}
	}
	r.worlds[1].seq.Store(50_000_000) // distinct mobiles and identity numbers
	r.worlds[0].peerOutboxes = []string{r.servers[1].demoOutbox()}
	r.worlds[1].peerOutboxes = []string{r.servers[0].demoOutbox()}
	for _, s := range r.servers {
		s.start()
		t.Cleanup(func() { stopPortal(t, s) })
	}
	t.Logf("two portals ready at %s", time.Since(began).Round(100*time.Millisecond))
	return r
}

// stopPortal stops a portal with SIGTERM; one still running 20 s later gets
// SIGQUIT (the Go runtime writes every goroutine's stack to its log) and then
// SIGKILL, and the test says so.
func stopPortal(t *testing.T, s *crashServer) {
	if s.cmd == nil || s.cmd.ProcessState != nil {
		return
	}
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return
	case <-time.After(20 * time.Second):
	}
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	t.Logf("portal %s did not stop within 20 s of SIGTERM; its goroutines are in %s", s.addr, s.log)
}

// config and args name the database at dsn for the store and for the
// binary's subcommands; every process shares the one keys file.
func (r *failoverRig) config(name, dsn string) config {
	return config{data: filepath.Join(r.dir, name, "portal.db"), keys: r.keys, databaseURL: dsn}
}

func (r *failoverRig) args(name, dsn string) []string {
	return []string{"-data", filepath.Join(r.dir, name, "portal.db"), "-keys", r.keys, "-database-url", dsn}
}

// startWriting starts each world's citizens: one owner's application filed
// undisturbed first (messages need a case), then journeys filing application
// after application, messages on the owner's case, leak reports and
// registrations, until stopWriting. Every worker goes on across errors.
func (r *failoverRig) startWriting() {
	r.t.Helper()
	for i, w := range r.worlds {
		owner := w.newJourney()
		for owner.step != stepNew || len(w.snapshot().apps) == 0 {
			step := owner.step
			if err := owner.take(w); err != nil {
				r.t.Fatalf("portal %d: setup application, step %d: %v", i, step, err)
			}
		}
		w.messageCase, w.messages = w.snapshot().apps[0].caseID, w.newClient()
		if _, err := redirectTo("/")(w.messages.submit("/login", "/login", url.Values{"login": {owner.mobile}, "password": {owner.password}})); err != nil {
			r.t.Fatalf("portal %d: sign in for messages: %v", i, err)
		}
		for _, j := range []*crashJourney{owner, w.newJourney(), w.newJourney()} {
			r.wg.Go(func() { r.journey(w, j) })
		}
		r.wg.Go(func() { r.repeat(func() { w.sendMessages(&r.stop, i, 0) }) })
		r.wg.Go(func() { r.repeat(func() { w.sendLeaks(&r.stop, 0) }) })
		r.wg.Go(func() { r.repeat(func() { w.registerMany(&r.stop, 0) }) })
	}
}

func (r *failoverRig) repeat(fn func()) {
	for !r.stop.Load() {
		fn()
		time.Sleep(100 * time.Millisecond)
	}
}

// journey runs one citizen's applications. A step that got no answer is
// tried again; one that got another answer than success starts over, as in
// the crash test, except the confirmation page of a submission that was
// answered 303: that is read again until it shows the reference number (an
// acknowledged submission must have one).
func (r *failoverRig) journey(w *crashWorld, j *crashJourney) {
	tries := 0
	for !r.stop.Load() {
		err := j.take(w)
		switch {
		case err == nil:
			tries = 0
		case j.step == stepDone:
			if tries++; tries > 150 {
				r.lost.Add(1)
				r.t.Errorf("a submission answered 303 whose confirmation never showed its reference number (draft %d): %v", j.draft, err)
				j.step, tries = stepNew, 0
			}
			time.Sleep(200 * time.Millisecond)
		case errors.Is(err, errUnexpected):
			w.unexpected(err)
			if j.step <= stepLogin {
				*j = *w.newJourney()
			} else {
				j.step = stepNew
			}
			time.Sleep(50 * time.Millisecond)
		default:
			time.Sleep(200 * time.Millisecond)
		}
	}
}

func (r *failoverRig) stopWriting() {
	r.stop.Store(true)
	r.wg.Wait()
}

// acks is what both worlds have acknowledged so far.
func (r *failoverRig) acks() []worldAcks {
	var out []worldAcks
	for _, w := range r.worlds {
		out = append(out, worldAcks{acks: w.snapshot(), messageCase: w.messageCase})
	}
	return out
}

// waitReady waits for both portals' /readyz to answer 200.
func (r *failoverRig) waitReady(limit time.Duration) time.Duration {
	r.t.Helper()
	began := time.Now()
	hc := http.Client{Timeout: 2 * time.Second}
	for _, s := range r.servers {
		for {
			resp, err := hc.Get(s.base() + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Since(began) > limit {
				r.t.Fatalf("portal %s not ready %s after the new leader: %v", s.addr, limit, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return time.Since(began)
}

// acceptsWork has each portal take one new leak report (a submission with a
// reference number) within limit, and says how long that took.
func (r *failoverRig) acceptsWork(limit time.Duration) time.Duration {
	r.t.Helper()
	began := time.Now()
	var never atomic.Bool
	for i, w := range r.worlds {
		before := len(w.snapshot().leaks)
		deadline := time.Now().Add(limit)
		for len(w.snapshot().leaks) == before {
			if time.Now().After(deadline) {
				r.t.Fatalf("portal %d accepted no new leak report within %s after the failover", i, limit)
			}
			w.sendLeaks(&never, 1)
		}
	}
	return time.Since(began)
}

// worldAcks are one world's acknowledged writes and its messages' case.
type worldAcks struct {
	acks        crashAcks
	messageCase uint64
}

// failoverCheck is what the checker found.
type failoverCheck struct {
	acknowledged int      // distinct acknowledged writes checked
	lost         []string // acknowledged writes missing
	duplicates   []string // reference numbers acknowledged or stored twice
	problems     []string // the audit log, or a read that failed
	auditEntries int
}

func (c failoverCheck) String() string {
	return fmt.Sprintf("%d acknowledged writes checked, %d lost, %d duplicate reference numbers, %d audit entries, problems: %q",
		c.acknowledged, len(c.lost), len(c.duplicates), c.auditEntries, c.problems)
}

var auditOKRE = regexp.MustCompile(`audit log OK: (\d+) entries`)

// checkAcknowledged is the checker, one function for the failovers and for
// the negative control: it opens the database at dsn read-only and looks for
// every acknowledged write, de-duplicated (an answer repeated for a retried
// form is one write): each application once among its owner's cases under
// its reference number, each leak report by its reference number, each
// message on its case, each registration's account; reference numbers never
// twice; then verify-audit, the signed head and a contiguous index.
func (r *failoverRig) checkAcknowledged(dsn string, all []worldAcks) failoverCheck {
	var out failoverCheck
	cfg := r.config("check", dsn)
	db, err := cfg.openStore(true)
	if err != nil {
		out.problems = append(out.problems, "open: "+err.Error())
		return out
	}
	defer db.Close()
	lost := func(format string, a ...any) { out.lost = append(out.lost, fmt.Sprintf(format, a...)) }
	problem := func(format string, a ...any) { out.problems = append(out.problems, fmt.Sprintf(format, a...)) }

	// De-duplicate: one application per (case, reference), one leak report
	// per (tracking code, reference); a reference number with two different
	// records is a duplicate.
	apps := map[string]ackApp{}
	leaks := map[string]ackLeak{}
	regs := map[string]bool{}
	msgs := map[uint64]map[string]bool{}
	for _, w := range all {
		for _, a := range w.acks.apps {
			if prev, ok := apps[a.ref]; ok && prev.caseID != a.caseID {
				out.duplicates = append(out.duplicates, fmt.Sprintf("application %s acknowledged for cases %d and %d", a.ref, prev.caseID, a.caseID))
			}
			apps[a.ref] = a
		}
		for _, l := range w.acks.leaks {
			if prev, ok := leaks[l.ref]; ok && prev.code != l.code {
				out.duplicates = append(out.duplicates, fmt.Sprintf("leak report %s acknowledged twice", l.ref))
			}
			if _, ok := apps[l.ref]; ok {
				out.duplicates = append(out.duplicates, fmt.Sprintf("reference %s names an application and a leak report", l.ref))
			}
			leaks[l.ref] = l
		}
		for _, g := range w.acks.regs {
			regs[g.mobile] = true
		}
		if msgs[w.messageCase] == nil {
			msgs[w.messageCase] = map[string]bool{}
		}
		for _, m := range w.acks.msgs {
			msgs[w.messageCase][m.text] = true
		}
	}

	stored := map[*crashJourney]map[string]int{}
	for ref, a := range apps {
		out.acknowledged++
		if stored[a.owner] == nil {
			stored[a.owner] = map[string]int{}
			acct, err := db.AccountByLogin(a.owner.mobile)
			if err != nil {
				lost("application %s: its owner's account: %v", ref, err)
				continue
			}
			cases, err := db.CasesOfAccount(acct.ID)
			if err != nil {
				problem("cases of %s: %v", a.owner.mobile, err)
				continue
			}
			for _, c := range cases {
				if c.Case.Ref != "" {
					stored[a.owner][c.Case.Ref]++
				}
			}
		}
		switch n := stored[a.owner][ref]; {
		case n == 0:
			lost("application %s (case %d)", ref, a.caseID)
		case n > 1:
			out.duplicates = append(out.duplicates, fmt.Sprintf("application %s stored %d times", ref, n))
		default:
			if id, err := db.CaseByRef(ref); err != nil || id != a.caseID {
				lost("application %s: by its reference: case %d, %v (want case %d)", ref, id, err, a.caseID)
			}
		}
	}
	for ref := range leaks {
		out.acknowledged++
		if _, err := db.LeakByRef(ref); err != nil {
			lost("leak report %s: %v", ref, err)
		}
	}
	for mobile := range regs {
		out.acknowledged++
		if _, err := db.AccountByLogin(mobile); err != nil {
			lost("registration %s: %v", mobile, err)
		}
	}
	for caseID, texts := range msgs {
		have := map[string]int{}
		ms, err := db.Messages(caseID)
		if err != nil {
			problem("messages of case %d: %v", caseID, err)
		}
		for _, m := range ms {
			have[m.Text]++
		}
		for text := range texts {
			out.acknowledged++
			switch have[text] {
			case 0:
				lost("message %s on case %d", text, caseID)
			case 1:
			default:
				out.duplicates = append(out.duplicates, fmt.Sprintf("message %s stored %d times", text, have[text]))
			}
		}
	}

	// The audit log: verify-audit (hashes, signatures, signed head), and the
	// index contiguous from 0 to the head.
	raw, err := exec.Command(r.bin, append([]string{"verify-audit"}, r.args("check", dsn)...)...).CombinedOutput()
	m := auditOKRE.FindSubmatch(raw)
	if err != nil || m == nil {
		problem("verify-audit: %v: %s", err, lastLines(string(raw), 5))
		return out
	}
	out.auditEntries, _ = strconv.Atoi(string(m[1]))
	head, err := db.AuditHead()
	if err != nil || head.N < int64(out.auditEntries) {
		problem("signed head covers %d entries, verify-audit counted %d (%v)", head.N, out.auditEntries, err)
	}
	var read uint64
	for {
		evs, err := db.AuditEntries(read, 1000)
		if err != nil {
			problem("audit entries from %d: %v", read, err)
			break
		}
		for _, ev := range evs {
			if ev.Seq != read {
				problem("audit entry %d carries index %d: the index is not contiguous", read, ev.Seq)
				return out
			}
			read++
		}
		if len(evs) < 1000 {
			break
		}
	}
	if int64(read) < head.N { // #nosec G115 -- a count of entries
		problem("%d audit entries read, the signed head covers %d", read, head.N)
	}
	return out
}

func failoverRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FAILOVER_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("FAILOVER_SEED: %v", err)
		}
	}
	t.Logf("random kill moments: FAILOVER_SEED=%d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x5ea1))
}

func TestFailover(t *testing.T) {
	began := time.Now()
	rnd := failoverRand(t)
	r := newFailoverRig(t)
	r.startWriting()
	defer r.stopWriting()

	var summary []string
	for kill := 1; kill <= failoverKills; kill++ {
		healthy := time.Now()
		s := r.cluster.waitHealthy(180 * time.Second)
		t.Logf("kill %d: cluster healthy after %.1f s: %s", kill, time.Since(healthy).Seconds(), s)
		leader, _ := s.role("leader")
		sync, _ := s.role("sync_standby")
		wait := time.Duration(3000+rnd.IntN(5000)) * time.Millisecond
		time.Sleep(wait)
		acks0, unknown0, busy0, errs0 := r.clock.figures()
		tk := time.Now()
		what := r.cluster.kill(nodeIndex(leader.Name))
		t.Logf("kill %d: %s was the leader (%s the synchronous standby); after %s of writing: SIGKILL to %s",
			kill, leader.Name, sync.Name, wait.Round(time.Millisecond), what)
		s = r.cluster.waitFor(90*time.Second, "a new leader", func(s clusterState) bool {
			l, ok := s.role("leader")
			return ok && l.Name != leader.Name && l.State == "running"
		})
		newLeader, _ := s.role("leader")
		toLeader := time.Since(tk)
		toReady := r.waitReady(60 * time.Second)
		toWork := r.acceptsWork(90 * time.Second)
		time.Sleep(2 * time.Second) // writing goes on against the new leader
		outage, gapAt := r.clock.longestGap(tk.Add(-2*time.Second), time.Now())
		acks1, unknown1, busy1, errs1 := r.clock.figures()

		checking := time.Now()
		c := r.checkAcknowledged(r.cluster.url(), r.acks())
		t.Logf("kill %d: checked in %.1f s", kill, time.Since(checking).Seconds())
		line := fmt.Sprintf("kill %d: %s → %s; new leader after %.1f s, both portals ready %.1f s later and took a new leak report %.1f s after that; write outage %.1f s (from %+.1f s of the kill); around the kill %d writes acknowledged, %d outcome-unknown answers, %d answers 503 busy, %d other errors; checker: %s",
			kill, leader.Name, newLeader.Name, toLeader.Seconds(), toReady.Seconds(), toWork.Seconds(), outage.Seconds(), gapAt.Sub(tk).Seconds(),
			acks1-acks0, unknown1-unknown0, busy1-busy0, errs1-errs0, c)
		t.Log(line)
		summary = append(summary, line)
		if newLeader.Name != sync.Name {
			t.Errorf("kill %d: the new leader %s was not the synchronous standby %s", kill, newLeader.Name, sync.Name)
		}
		if len(c.lost) > 0 || len(c.duplicates) > 0 || len(c.problems) > 0 || c.acknowledged == 0 {
			t.Fatalf("kill %d: lost %q, duplicates %q, problems %q", kill, first(c.lost, 10), first(c.duplicates, 10), c.problems)
		}
		r.cluster.rejoin(nodeIndex(leader.Name))
	}
	r.cluster.waitHealthy(180 * time.Second)
	r.stopWriting()
	if r.lost.Load() > 0 {
		t.FailNow()
	}
	acks, unknown, busy, errs := r.clock.figures()
	r.clock.mu.Lock()
	for _, e := range r.clock.errSeen {
		t.Logf("other error: %s", e)
	}
	r.clock.mu.Unlock()
	c := r.checkAcknowledged(r.cluster.url(), r.acks())
	if len(c.lost) > 0 || len(c.duplicates) > 0 || len(c.problems) > 0 {
		t.Fatalf("at the end: lost %q, duplicates %q, problems %q", first(c.lost, 10), first(c.duplicates, 10), c.problems)
	}
	for i, w := range r.worlds {
		a := w.snapshot()
		t.Logf("portal %d acknowledged %d applications, %d messages, %d leak reports, %d registrations", i, len(a.apps), len(a.msgs), len(a.leaks), len(a.regs))
		if len(a.apps) < 2 || len(a.msgs) == 0 || len(a.leaks) == 0 {
			t.Errorf("portal %d: a kind of submission was hardly acknowledged", i)
		}
	}
	t.Logf("%d kills, 0 acknowledged writes lost: %d form posts answered 303, %d outcome-unknown answers, %d answers 503 busy, %d other errors in all; checker at the end: %s; %s in all",
		failoverKills, acks, unknown, busy, errs, c, time.Since(began).Round(time.Second))
	for _, l := range summary {
		t.Log(l)
	}
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// TestFailoverNegativeControl proves that the checker can fail (the lesson
// of the design's Proof A): with Patroni paused, the replica that is not the
// synchronous standby dies (its PostgreSQL stops receiving WAL) while the
// writing goes on; then the leader dies, and an operator promotes the lagging
// node by hand (pg_ctl promote) instead of the synchronous standby. The same
// checkAcknowledged as after the failovers must report acknowledged writes
// lost on it.
func TestFailoverNegativeControl(t *testing.T) {
	began := time.Now()
	r := newFailoverRig(t)
	r.startWriting()
	defer r.stopWriting()
	c := r.cluster
	s := c.waitHealthy(180 * time.Second)
	leader, _ := s.role("leader")
	syncStandby, _ := s.role("sync_standby")
	lagging, _ := s.role("replica")
	li, ai := nodeIndex(leader.Name), nodeIndex(lagging.Name)

	// Maintenance mode: Patroni promotes nobody and restarts nothing.
	req, err := http.NewRequest(http.MethodPatch, fmt.Sprintf("http://127.0.0.1:%d/config", c.rest[li]), strings.NewReader(`{"pause": true}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("pausing Patroni: %s", resp.Status)
	}
	c.waitFor(30*time.Second, "Patroni paused", func(s clusterState) bool { return s.Pause })
	time.Sleep(3 * time.Second) // every node's loop has seen it

	// The lagging node stops where it is; writes go on (the synchronous
	// standby confirms them).
	what := c.kill(ai)
	before := total(r.acks())
	t.Logf("%s (a replica, not the synchronous standby %s) stopped: SIGKILL to %s; %d writes acknowledged so far", lagging.Name, syncStandby.Name, what, before)
	for deadline := time.Now().Add(30 * time.Second); total(r.acks()) < before+40 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	after := total(r.acks())
	if after == before {
		t.Fatalf("no write was acknowledged after %s stopped", lagging.Name)
	}
	what = c.kill(li)
	t.Logf("leader %s killed (%s) after %d more writes were acknowledged", leader.Name, what, after-before)
	r.stopWriting()
	for _, s := range r.servers {
		stopPortal(t, s) // the check is about the data
	}

	// The operator's mistake: the lagging node promoted by hand.
	pgCtl := filepath.Join(c.pgBin, "pg_ctl")
	if out, err := c.run(pgCtl, "-D", c.dataDir(ai), "-l", filepath.Join(c.dir, "manual.log"), "-w", "-t", "60", "start"); err != nil {
		t.Fatalf("pg_ctl start %s: %v\n%s", lagging.Name, err, out)
	}
	if out, err := c.run(pgCtl, "-D", c.dataDir(ai), "-w", "-t", "60", "promote"); err != nil {
		t.Fatalf("pg_ctl promote %s: %v\n%s", lagging.Name, err, out)
	}
	check := r.checkAcknowledged(c.nodeURL(ai), r.acks())
	t.Logf("negative control: checker on %s, promoted by hand: %s; first lost: %q", lagging.Name, check, first(check.lost, 3))
	if len(check.lost) == 0 {
		t.Fatalf("the checker reported no acknowledged write lost on a standby that stopped %d acknowledged writes ago: it cannot fail", after-before)
	}
	t.Logf("negative control: %d writes acknowledged after the standby stopped (it may have lagged before), %d reported lost; %s in all", after-before, len(check.lost), time.Since(began).Round(time.Second))
}

// total counts acknowledged writes of every kind.
func total(all []worldAcks) int {
	n := 0
	for _, w := range all {
		n += w.acks.total()
	}
	return n
}
