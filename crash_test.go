package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sealportal/portal"
)

// The crash test builds the real binary, puts it under concurrent load
// (citizens registering and filing complete applications with uploads, case
// messages, anonymous leak reports), kills it with SIGKILL at a random moment
// and starts it again, many times. Every submission that got its confirmation
// (a reference number, a tracking code, a "message sent" answer, a successful
// registration) must be there, intact, after each restart, and the audit log
// must verify after each kill. bbolt commits with fsync before the answer
// goes out, so nothing acknowledged may ever be lost.

const crashCycles = 20

func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds the binary and SIGKILLs it under load 20 times (about a minute); skipped under -short")
	}
	began := time.Now()
	dir := t.TempDir()
	bin := filepath.Join(dir, "sealportal")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data", "portal.db")
	organs := crashOrgans(t, data)
	srv := &crashServer{t: t, bin: bin, data: data, addr: freeAddr(t), log: filepath.Join(dir, "serve.log")}
	w := &crashWorld{srv: srv, organs: organs, pdf: tinyPDF(), png: tinyPNG()}

	// Before the crashes: one citizen files a whole application undisturbed,
	// so that messages have a submitted case to go to.
	srv.start()
	t.Logf("built and started in %s", time.Since(began).Round(time.Millisecond))
	owner := w.newJourney()
	for owner.step != stepNew || len(w.acks.apps) == 0 {
		step := owner.step
		if err := owner.take(w); err != nil {
			t.Fatalf("setup application, step %d: %v", step, err)
		}
	}
	// Messages go from a second browser of the same owner.
	w.messageCase, w.messages = w.acks.apps[0].caseID, w.newClient()
	if _, err := redirectTo("/")(w.messages.submit("/login", "/login", url.Values{"login": {owner.mobile}, "password": {owner.password}})); err != nil {
		t.Fatalf("setup: sign in for messages: %v", err)
	}
	// One of every other kind too, so that each is checked after all the
	// crashes even on a machine too slow to finish one inside a kill window.
	var never atomic.Bool
	w.sendMessages(&never, 0, 1)
	w.sendLeaks(&never, 1)
	w.registerMany(&never, 1)
	if s := w.snapshot(); len(s.msgs) != 1 || len(s.leaks) != 1 || len(s.regs) != 2 {
		t.Fatalf("setup: %d messages, %d leak reports, %d registrations acknowledged; want 1, 1, 2", len(s.msgs), len(s.leaks), len(s.regs))
	}
	journeys := []*crashJourney{owner, w.newJourney(), w.newJourney()}

	var checked crashAcks
	for cycle := 1; cycle <= crashCycles; cycle++ {
		before := w.snapshot()
		var wg sync.WaitGroup
		var stop atomic.Bool
		for _, j := range journeys {
			wg.Go(func() {
				for !stop.Load() && j.next(w) == nil {
				}
			})
		}
		wg.Go(func() { w.sendMessages(&stop, cycle, 0) })
		wg.Go(func() { w.sendLeaks(&stop, 0) })
		wg.Go(func() { w.registerMany(&stop, 0) })
		time.Sleep(time.Duration(50+rand.IntN(351)) * time.Millisecond)
		srv.kill()
		stop.Store(true)
		wg.Wait()

		if out, err := exec.Command(bin, withData(t, data, "verify-audit")...).CombinedOutput(); err != nil {
			t.Fatalf("cycle %d: verify-audit after SIGKILL: %v\n%s", cycle, err, out)
		}
		srv.start()
		fresh := w.snapshot().since(before)
		w.verify(fresh, false)
		checked.add(fresh)
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d cycles done at %s", crashCycles, time.Since(began).Round(time.Millisecond))
	// At the end, everything once more, each application by its owner signing
	// in afresh.
	all := w.snapshot()
	w.verify(all, true)
	srv.stop()
	if out, err := exec.Command(bin, withData(t, data, "verify-audit")...).CombinedOutput(); err != nil {
		t.Fatalf("verify-audit at the end: %v\n%s", err, out)
	}
	t.Logf("%d crash cycles; checked after the crash that acknowledged them: %d registrations, %d applications, %d messages, %d leak reports; all %d checked again at the end",
		crashCycles, len(checked.regs), len(checked.apps), len(checked.msgs), len(checked.leaks), all.total())
	if len(checked.apps) == 0 || len(checked.msgs) == 0 || len(checked.leaks) == 0 {
		t.Logf("note: some kinds of submission never completed between crashes in this run")
	}
}

// crashOrgans creates the organs applications name, directly in the store
// before the server first starts, and returns court, procuratorate, police.
func crashOrgans(t *testing.T, data string) [3]portal.Organ {
	t.Helper()
	return organsIn(t, testConfig(t, data))
}

// organsIn is crashOrgans in the database of c.
func organsIn(t *testing.T, c config) [3]portal.Organ {
	t.Helper()
	db, err := c.openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out [3]portal.Organ
	for i, o := range []struct {
		role portal.Role
		name string
	}{{portal.RoleCourt, "北京市海淀区人民法院"}, {portal.RoleProcuratorate, "北京市海淀区人民检察院"}, {portal.RolePolice, "北京市公安局海淀分局"}} {
		if out[i], err = db.EnsureOrgan(o.role, o.name); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// crashServer is the binary under test.
type crashServer struct {
	t    *testing.T
	bin  string
	data string
	addr string
	log  string
	cmd  *exec.Cmd
	// dbArgs name the database when set (several servers on one
	// PostgreSQL database); else the test's database of data.
	dbArgs []string
}

func (s *crashServer) base() string { return "http://" + s.addr }

func (s *crashServer) start() {
	s.t.Helper()
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close()
	// Cheap password hashes keep sign-ins fast; each client claims its own
	// address through the trusted loopback proxy, so per-address limits on
	// sign-ins and tracking codes treat them as the different people they are.
	db := s.dbArgs
	if db == nil {
		db = dataArgs(s.t, s.data) // -data, and -database-url on PostgreSQL
	}
	args := append([]string{"serve", "-addr", s.addr, "-insecure-cookies",
		"-password-cost", "minimum", "-trusted-proxies", "127.0.0.1/32", "-log-format", "json"}, db...)
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	// A test that fails midway must not leave its server running.
	cmd := s.cmd
	s.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	raw, _ := os.ReadFile(s.log)
	s.t.Fatalf("the server did not become ready; log:\n%s", lastLines(string(raw), 20))
}

func (s *crashServer) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
}

func (s *crashServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

var (
	crashErrRE = regexp.MustCompile(`(?s)class="error-message"[^>]*>(.*?)</|data-testid="error-message"[^>]*>(.*?)</|class="error-summary.*?</div>`)
	crashTagRE = regexp.MustCompile(`<[^>]*>`)
)

// pageErrors is the error messages a page shows, for failure reports.
func pageErrors(body string) string {
	var out []string
	for _, m := range crashErrRE.FindAllString(body, 8) {
		out = append(out, strings.Join(strings.Fields(crashTagRE.ReplaceAllString("<"+m, " ")), " "))
	}
	return strings.Join(out, " | ")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// crashClient is one browser: a cookie jar, no automatic redirects, and an
// address of its own (X-Forwarded-For through the trusted loopback proxy).
type crashClient struct {
	hc   *http.Client
	base string
	ip   string
}

var crashIPs atomic.Uint32

func (w *crashWorld) newClient() *crashClient {
	jar, _ := cookiejar.New(nil)
	n := crashIPs.Add(1)
	return &crashClient{
		hc: &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: w.transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		base: w.srv.base(),
		ip:   fmt.Sprintf("127.%d.%d.%d", 1+n>>16&0xff, n>>8&0xff, n&0xff),
	}
}

type crashPage struct {
	status   int
	body     string
	location string
}

func (c *crashClient) do(method, path, contentType string, body io.Reader) (crashPage, error) {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return crashPage{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-Forwarded-For", c.ip)
	req.Header.Set("Accept-Language", "en")
	resp, err := c.hc.Do(req)
	if err != nil {
		return crashPage{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return crashPage{}, err
	}
	if method == http.MethodPost && resp.StatusCode == http.StatusSeeOther && setsFormAnswer(resp) {
		// POST-redirect-GET: the form's answer is shown by its page.
		return c.get(resp.Header.Get("Location"))
	}
	return crashPage{status: resp.StatusCode, body: string(raw), location: resp.Header.Get("Location")}, nil
}

// setsFormAnswer reports whether a form post's answer was kept for the page
// it redirects to (handlers/formstate.go).
func setsFormAnswer(resp *http.Response) bool {
	for _, ck := range resp.Cookies() {
		if (ck.Name == "form" || ck.Name == "__Host-form") && ck.MaxAge >= 0 {
			return true
		}
	}
	return false
}

func (c *crashClient) get(path string) (crashPage, error) { return c.do(http.MethodGet, path, "", nil) }

var crashCSRF = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// form opens a page and returns its CSRF token.
func (c *crashClient) form(path string) (string, error) {
	p, err := c.get(path)
	if err != nil {
		return "", err
	}
	m := crashCSRF.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		return "", fmt.Errorf("%w: GET %s: %d without a form", errUnexpected, path, p.status)
	}
	return html.UnescapeString(m[1]), nil
}

// submit opens formPath and posts values to action, as a browser would.
func (c *crashClient) submit(formPath, action string, values url.Values) (crashPage, error) {
	token, err := c.form(formPath)
	if err != nil {
		return crashPage{}, err
	}
	if values == nil {
		values = url.Values{}
	}
	values.Set("_csrf", token)
	return c.do(http.MethodPost, action, "application/x-www-form-urlencoded", strings.NewReader(values.Encode()))
}

type crashFile struct{ field, name string }

// submitMultipart is submit with files, as the upload forms send them.
func (c *crashClient) submitMultipart(formPath, action string, values url.Values, file crashFile, content []byte) (crashPage, error) {
	token, err := c.form(formPath)
	if err != nil {
		return crashPage{}, err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", token)
	for k, vs := range values {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if file.field != "" {
		fw, _ := mw.CreateFormFile(file.field, file.name)
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	return c.do(http.MethodPost, action, mw.FormDataContentType(), &body)
}

// redirectTo checks a success answer: a 303 to a path starting with prefix.
func redirectTo(prefix string) func(crashPage, error) (crashPage, error) {
	return func(p crashPage, err error) (crashPage, error) {
		if err != nil {
			return p, err
		}
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, prefix) {
			return p, fmt.Errorf("%w: status %d, location %q, want a redirect to %s; page says: %s", errUnexpected, p.status, p.location, prefix, pageErrors(p.body))
		}
		return p, nil
	}
}

var (
	crashTokenRE  = regexp.MustCompile(`name="token" value="([^"]*)"`)
	crashMaskedRE = regexp.MustCompile(`name="masked" value="([^"]*)"`)
	crashSMSCode  = regexp.MustCompile(`\b(\d{6})\b`)
)

// demoOutbox is the demo delivery file of the server (beside the database).
func (s *crashServer) demoOutbox() string {
	return filepath.Join(filepath.Dir(s.data), "demo-outbox.jsonl")
}

// registerWithCode registers as a person would: the form, then the code from
// the text message (the demo outbox), which the sender delivers within about
// a second. A code that never comes means the server died.
func (c *crashClient) registerWithCode(outboxes []string, values url.Values) (crashPage, error) {
	values.Set("consent_privacy", "yes")
	values.Set("consent_sensitive", "yes")
	p, err := c.submit("/register", "/register", values)
	if err != nil {
		return p, err
	}
	tok, masked := crashTokenRE.FindStringSubmatch(p.body), crashMaskedRE.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || tok == nil || masked == nil {
		return p, fmt.Errorf("%w: register: status %d without the code form; page says: %s", errUnexpected, p.status, pageErrors(p.body))
	}
	mobile := values.Get("mobile")
	var code string
	for deadline := time.Now().Add(5 * time.Second); code == "" && time.Now().Before(deadline); {
		for _, outbox := range outboxes {
			if code == "" {
				code = lastDemoCode(outbox, mobile)
			}
		}
		if code == "" {
			if _, err := c.get("/healthz"); err != nil {
				return p, err // the server is gone
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if code == "" {
		return p, fmt.Errorf("no code arrived for %s", mobile)
	}
	csrf := crashCSRF.FindStringSubmatch(p.body)
	if csrf == nil {
		return p, fmt.Errorf("%w: code form without a CSRF token", errUnexpected)
	}
	v := url.Values{"_csrf": {html.UnescapeString(csrf[1])}, "token": {html.UnescapeString(tok[1])}, "masked": {masked[1]}, "code": {code}, "action": {"confirm"}}
	return redirectTo("/login")(c.do(http.MethodPost, "/register/code", "application/x-www-form-urlencoded", strings.NewReader(v.Encode())))
}

// lastDemoCode is the code of the newest line to mobile in the demo outbox.
func lastDemoCode(path, mobile string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	code := ""
	for _, l := range strings.Split(string(raw), "\n") {
		var d struct{ To, Text string }
		if json.Unmarshal([]byte(l), &d) == nil && d.To == mobile {
			if m := crashSMSCode.FindStringSubmatch(d.Text); m != nil {
				code = m[1]
			}
		}
	}
	return code
}

// errUnexpected is an answer that is not the success one: the server is up,
// but the step must be started over.
var errUnexpected = errors.New("unexpected answer")

// What was acknowledged.
type (
	ackReg struct {
		mobile, password string
	}
	ackApp struct {
		owner  *crashJourney
		caseID uint64
		ref    string
	}
	ackMsg  struct{ text string }
	ackLeak struct{ code, ref, disclosed string }
)

type crashAcks struct {
	regs  []ackReg
	apps  []ackApp
	msgs  []ackMsg
	leaks []ackLeak
}

func (w *crashWorld) snapshot() crashAcks {
	w.ackMu.Lock()
	defer w.ackMu.Unlock()
	a := w.acks
	return crashAcks{regs: append([]ackReg(nil), a.regs...), apps: append([]ackApp(nil), a.apps...),
		msgs: append([]ackMsg(nil), a.msgs...), leaks: append([]ackLeak(nil), a.leaks...)}
}

func (a crashAcks) since(b crashAcks) crashAcks {
	return crashAcks{regs: a.regs[len(b.regs):], apps: a.apps[len(b.apps):], msgs: a.msgs[len(b.msgs):], leaks: a.leaks[len(b.leaks):]}
}

func (a *crashAcks) add(b crashAcks) {
	a.regs, a.apps, a.msgs, a.leaks = append(a.regs, b.regs...), append(a.apps, b.apps...), append(a.msgs, b.msgs...), append(a.leaks, b.leaks...)
}

func (a crashAcks) total() int { return len(a.regs) + len(a.apps) + len(a.msgs) + len(a.leaks) }

type crashWorld struct {
	srv         *crashServer
	organs      [3]portal.Organ
	pdf, png    []byte
	ackMu       sync.Mutex
	acks        crashAcks
	seq         atomic.Uint64
	surprises   atomic.Int32
	messageCase uint64
	messages    *crashClient
	// peerOutboxes are the demo outboxes of other servers on the same
	// database: any of them may deliver a text message (two_servers_test.go).
	peerOutboxes []string
	// transport, when set, carries the world's requests (the failover test
	// times every acknowledged write through it).
	transport http.RoundTripper
}

// outboxes are the demo delivery files a registration code may arrive in.
func (w *crashWorld) outboxes() []string {
	return append([]string{w.srv.demoOutbox()}, w.peerOutboxes...)
}

// unexpected logs the first few answers that made a journey start over; a
// few are expected (a step whose answer was lost to the kill, tried again).
func (w *crashWorld) unexpected(err error) {
	if w.surprises.Add(1) <= 10 {
		w.srv.t.Logf("starting over after: %v", err)
	}
}

// The steps of a citizen's journey. A step whose request failed (the server
// was killed) is tried again after the restart; one that got an unexpected
// answer starts a new application (or a new account, before signing in).
const (
	stepRegister = iota
	stepLogin
	stepNew
	stepPerson
	stepCase
	stepOrgans
	stepJudgment
	stepIdentity
	stepGuardianship
	stepDeclare
	stepSubmit
	stepDone
)

// crashJourney is one guardian: registers, signs in, then files one complete
// application after another, each for another child.
type crashJourney struct {
	c        *crashClient
	mobile   string
	password string
	step     int
	draft    uint64
}

func (w *crashWorld) newJourney() *crashJourney {
	j := &crashJourney{c: w.newClient(), password: "crash-test-pass-2026"}
	j.mobile = fmt.Sprintf("139%08d", w.seq.Add(1))
	return j
}

var crashDraftRE = regexp.MustCompile(`^/apply/(\d+)$`)
var crashRefRE = regexp.MustCompile(`data-testid="reference"[^>]*>([^<]+)<`)

func (j *crashJourney) path(page string) string {
	p := "/apply/" + strconv.FormatUint(j.draft, 10)
	if page != "" {
		p += "/" + page
	}
	return p
}

// next takes one step. A transport error means the server is gone.
func (j *crashJourney) next(w *crashWorld) error {
	err := j.take(w)
	if err != nil && errors.Is(err, errUnexpected) {
		w.unexpected(err)
		if j.step <= stepLogin {
			*j = *w.newJourney()
		} else {
			j.step = stepNew
		}
		return nil
	}
	return err
}

func (j *crashJourney) take(w *crashWorld) error {
	c := j.c
	var err error
	switch j.step {
	case stepRegister:
		seq := w.seq.Add(1)
		_, err = c.registerWithCode(w.outboxes(), url.Values{"role": {"guardian"}, "name": {"崩溃测试监护人"}, "mobile": {j.mobile},
			"id_number": {portal.SyntheticIDNumber(seq, portal.Date{Year: 1980, Month: 5, Day: 17}).String()},
			"password":  {j.password}, "password_confirm": {j.password}})
		if err == nil {
			w.ackMu.Lock()
			w.acks.regs = append(w.acks.regs, ackReg{j.mobile, j.password})
			w.ackMu.Unlock()
		}
	case stepLogin:
		_, err = redirectTo("/")(c.submit("/login", "/login", url.Values{"login": {j.mobile}, "password": {j.password}}))
	case stepNew:
		var p crashPage
		p, err = redirectTo("/apply/")(c.submit("/apply", "/apply", nil))
		if err == nil {
			m := crashDraftRE.FindStringSubmatch(p.location)
			if m == nil {
				return fmt.Errorf("%w: new draft at %q", errUnexpected, p.location)
			}
			j.draft, _ = strconv.ParseUint(m[1], 10, 64)
		}
	case stepPerson:
		seq := w.seq.Add(1)
		_, err = redirectTo(j.path(""))(c.submit(j.path("person"), j.path("person"), url.Values{"person_name": {"崩溃测试人"},
			"person_id_number": {portal.SyntheticIDNumber(seq, portal.Date{Year: 2009, Month: 3, Day: 14}).String()}}))
	case stepCase:
		_, err = redirectTo(j.path(""))(c.submit(j.path("case"), j.path("case"), url.Values{
			"deciding_organ": {strconv.FormatUint(w.organs[0].ID, 10)}, "case_number": {"(2025)京0108刑初12号"},
			"disposition":        {"sentenced"},
			"decision_date-year": {"2025"}, "decision_date-month": {"9"}, "decision_date-day": {"1"},
			"acts[0].date-year": {"2025"}, "acts[0].date-month": {"1"}, "acts[0].date-day": {"10"},
			"intent":       {"intentional"},
			"penalty_kind": {"fixed_term"}, "penalty_months": {"12"}, "penalty_suspended": {"yes"},
			"action": {"save"},
		}))
	case stepOrgans:
		v := url.Values{}
		for _, o := range w.organs {
			v.Add("holding_organs", strconv.FormatUint(o.ID, 10))
		}
		_, err = redirectTo(j.path(""))(c.submit(j.path("organs"), j.path("organs"), v))
	case stepJudgment:
		_, err = redirectTo(j.path("documents"))(c.submitMultipart(j.path("documents"), j.path("documents"), url.Values{"kind": {"judgment"}},
			crashFile{"file", "判决书.pdf"}, w.pdf))
	case stepIdentity:
		_, err = redirectTo(j.path("documents"))(c.submitMultipart(j.path("documents"), j.path("documents"), url.Values{"kind": {"identity"}},
			crashFile{"file", "id.png"}, w.png))
	case stepGuardianship:
		_, err = redirectTo(j.path("documents"))(c.submitMultipart(j.path("documents"), j.path("documents"), url.Values{"kind": {"guardianship"}},
			crashFile{"file", "监护证明.png"}, w.png))
	case stepDeclare:
		_, err = redirectTo(j.path(""))(c.submit(j.path("declarations"), j.path("declarations"), url.Values{"declare_true": {"yes"}}))
	case stepSubmit:
		_, err = redirectTo(j.path("done"))(c.submit(j.path("check"), j.path("submit"), nil))
	case stepDone:
		var p crashPage
		if p, err = c.get(j.path("done")); err != nil {
			return err
		}
		m := crashRefRE.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || m == nil {
			return fmt.Errorf("%w: confirmation page %d without a reference", errUnexpected, p.status)
		}
		w.ackMu.Lock()
		w.acks.apps = append(w.acks.apps, ackApp{owner: j, caseID: j.draft, ref: strings.TrimSpace(m[1])})
		w.ackMu.Unlock()
		j.step = stepNew
		return nil
	}
	if err == nil {
		j.step++
	}
	return err
}

// registerMany registers new guardians, each from a new browser, until the
// server dies; each must be able to sign in after the restart.
func (w *crashWorld) registerMany(stop *atomic.Bool, limit int) {
	for i := 0; !stop.Load() && (limit == 0 || i < limit); i++ {
		j := w.newJourney()
		if err := j.take(w); err != nil && !errors.Is(err, errUnexpected) {
			return
		} else if err != nil {
			w.unexpected(err)
		}
	}
}

// sendMessages writes messages on the setup case until the server dies.
func (w *crashWorld) sendMessages(stop *atomic.Bool, cycle, limit int) {
	c := w.messages
	path := "/cases/" + strconv.FormatUint(w.messageCase, 10)
	for i := 0; !stop.Load() && (limit == 0 || i < limit); i++ {
		text := fmt.Sprintf("crash-message-%d-%d-%d", cycle, i, rand.Uint32())
		_, err := redirectTo(path)(c.submitMultipart(path, path+"/messages", url.Values{"text": {text}}, crashFile{}, nil))
		if err != nil {
			return
		}
		w.ackMu.Lock()
		w.acks.msgs = append(w.acks.msgs, ackMsg{text})
		w.ackMu.Unlock()
	}
}

var (
	crashCodeRE    = regexp.MustCompile(`data-testid="tracking-code"[^>]*>([^<]+)<`)
	crashLeakRefRE = regexp.MustCompile(`data-testid="leak-ref"[^>]*>([^<]+)<`)
)

// sendLeaks files anonymous leak reports, each from a new browser, until the
// server dies.
func (w *crashWorld) sendLeaks(stop *atomic.Bool, limit int) {
	for i := 0; !stop.Load() && (limit == 0 || i < limit); i++ {
		c := w.newClient()
		disclosed := fmt.Sprintf("crash-leak-%d", rand.Uint64())
		_, err := redirectTo("/report/check")(c.submitMultipart("/report", "/report", url.Values{"place_kind": {"website"}, "place_detail": {"https://bbs.example.org/t/42"},
			"seen_on": {"2026-03-01"}, "disclosed": {disclosed}, "source_kind": {"unit"}, "source_name": {"某中学"}},
			crashFile{"files", "screenshot.png"}, w.png))
		if err != nil {
			if errors.Is(err, errUnexpected) {
				w.unexpected(err)
				continue
			}
			return
		}
		p, err := c.submit("/report/check", "/report/submit", nil)
		if err != nil {
			return
		}
		code, ref := crashCodeRE.FindStringSubmatch(p.body), crashLeakRefRE.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || code == nil || ref == nil {
			continue
		}
		w.ackMu.Lock()
		w.acks.leaks = append(w.acks.leaks, ackLeak{strings.TrimSpace(code[1]), strings.TrimSpace(ref[1]), disclosed})
		w.ackMu.Unlock()
	}
}

// verify checks acknowledged submissions on the running server. With fresh,
// every application is opened by its owner signing in in a new browser.
func (w *crashWorld) verify(a crashAcks, fresh bool) {
	t := w.srv.t
	t.Helper()
	for _, r := range a.regs {
		c := w.newClient()
		if _, err := redirectTo("/")(c.submit("/login", "/login", url.Values{"login": {r.mobile}, "password": {r.password}})); err != nil {
			t.Errorf("acknowledged registration %s cannot sign in: %v", r.mobile, err)
		}
	}
	clients := map[*crashJourney]*crashClient{}
	for _, app := range a.apps {
		c := app.owner.c
		if fresh {
			if clients[app.owner] == nil {
				clients[app.owner] = w.newClient()
				if _, err := redirectTo("/")(clients[app.owner].submit("/login", "/login", url.Values{"login": {app.owner.mobile}, "password": {app.owner.password}})); err != nil {
					t.Errorf("owner of %s cannot sign in: %v", app.ref, err)
				}
			}
			c = clients[app.owner]
		}
		p, err := c.get("/cases/" + strconv.FormatUint(app.caseID, 10))
		if err != nil || p.status != http.StatusOK || !strings.Contains(p.body, app.ref) {
			t.Errorf("acknowledged application %s (case %d) missing after the crash: %d %v", app.ref, app.caseID, p.status, err)
		}
	}
	if len(a.msgs) > 0 {
		p, err := w.messages.get("/cases/" + strconv.FormatUint(w.messageCase, 10))
		for _, m := range a.msgs {
			if err != nil || !strings.Contains(p.body, m.text) {
				t.Errorf("acknowledged message %s missing after the crash (%v)", m.text, err)
			}
		}
	}
	for _, l := range a.leaks {
		c := w.newClient()
		p, err := c.submit("/track", "/track", url.Values{"code": {l.code}})
		if err != nil || p.status != http.StatusOK || !strings.Contains(p.body, l.ref) {
			t.Errorf("acknowledged leak report %s cannot be tracked after the crash: %d %v", l.ref, p.status, err)
		}
	}
}

// tinyPDF is a valid one-page PDF with a correct cross-reference table, so
// that the upload check's parser accepts it.
func tinyPDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// tinyPNG is a real 4×4 image, since images are decoded and encoded again.
func tinyPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.Set(i%4, i/4, color.RGBA{uint8(i * 16), 80, 160, 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
