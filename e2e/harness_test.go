package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sealportal/handlers"
	"sealportal/messaging"
	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
	"sealportal/views"
)

const (
	// stepTimeout bounds one browser step (a click, a page load, a query).
	// Queries wait for their element to appear, so without it a wrong selector
	// would hang until browserTimeout.
	stepTimeout = 15 * time.Second
	// browserTimeout bounds the whole browser of one test. Officials' logins
	// go through enrolment or the code page, and CI machines are shared.
	browserTimeout = 5 * time.Minute

	// testPassword is the password of every account the helpers create: long
	// enough and not in the list of common passwords.
	testPassword = "correct horse battery"
)

// harness is the world of one journey: a fresh store in t.TempDir(), the real
// router served on a free port, and one Chromium tab browsing it as
// http://localhost:PORT (Chromium treats localhost as a secure context, so
// the Secure, __Host- cookies of production work unchanged).
//
// Every page load (visit, clickAndWait) waits for the page heading and runs
// axe-core on the page; when the test ends, every page path must have been
// checked in both zh-CN and en, and the browser console must have shown no
// exception, console.error, CSP violation or failed asset.
type harness struct {
	t      *testing.T
	URL    string // http://localhost:PORT, without a trailing slash
	DB     *store.DB
	Hasher *portal.PasswordHasher
	ctx    context.Context // the tab; each step derives its own timeout from it
	// DemoOutbox is the demo delivery file (in the test's folder), where
	// the journeys read the codes a phone would receive.
	DemoOutbox string

	shotDir string
	shotSeq int

	a11yDone  map[string]bool            // page variant + "|" + language: axe already ran
	a11yLangs map[string]map[string]bool // page path -> languages in which it was checked

	closed    atomic.Bool // the test is over: browser log lines are dropped
	mu        sync.Mutex  // guards problems, written by the console reader
	problems  []string
	serverLog lockedBuffer

	// clock is the server's and the store's: real time plus an offset that
	// the authenticator moves on by one TOTP step when a login would
	// otherwise have to wait for a fresh code (the portal refuses a replayed
	// step).
	clock offsetClock
	// totpSecrets and totpLast are the officials' authenticator app: the
	// secret each login enrolled, read from the enrolment page as a person
	// typing it into an app would, and the last step typed.
	totpSecrets map[string]string
	totpLast    map[string]int64
	// configure changes the server's configuration before it is built.
	configure func(cfg *handlers.Config, url string)
}

// offsetClock is real time moved on by a number of nanoseconds.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// newHarness starts the server and the browser for one test, and registers
// their shutdown with t.Cleanup. Without Chromium or axe-core the test is
// skipped (failed under CI=true).
func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with a change to the server's configuration,
// given the server's address.
func newHarnessWith(t *testing.T, configure func(cfg *handlers.Config, url string)) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("browser journeys are skipped with -short")
	}
	chromium := findChromium(t)
	axeSource(t)
	h := &harness{t: t, a11yDone: map[string]bool{}, a11yLangs: map[string]map[string]bool{},
		totpSecrets: map[string]string{}, totpLast: map[string]int64{}, configure: configure}
	h.startServer()
	h.startBrowser(chromium)
	t.Cleanup(h.finish)
	return h
}

// missingTool skips the test, or fails it when CI=true: CI must never pass
// by silently skipping the browser tests.
func missingTool(t testing.TB, what, fix string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing, and CI=true requires the browser tests to run: %s", what, fix)
	}
	t.Skipf("%s is missing, so the browser tests are skipped: %s", what, fix)
}

// findChromium returns CHROMIUM_PATH, /usr/bin/chromium or chromium on PATH.
func findChromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			missingTool(t, "Chromium at CHROMIUM_PATH="+p, err.Error())
		}
		return path
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	missingTool(t, "Chromium", "run `apt-get install chromium fonts-noto-cjk` (Debian), or set CHROMIUM_PATH to a Chromium or Chrome binary")
	return ""
}

func (h *harness) startServer() {
	t := h.t
	// The store is a bbolt file in dir, or a database of its own on the
	// PostgreSQL pass (issue 14); the demo outbox is a file in dir either way.
	dir := t.TempDir()
	db, err := store.Open(enginetest.Location(t, filepath.Join(dir, "portal.db")), store.Options{Keys: store.NewTestKeys(), Clock: h.clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	h.DB = db
	h.Hasher = portal.NewPasswordHasher(portal.MinimumArgon2)
	// The server's log is kept, and shown only when the test fails.
	logger := slog.New(slog.NewTextHandler(&h.serverLog, nil))
	// The outbox is delivered as `go run .` does with no gateway: demo
	// delivery into a file in the test's folder. Stopped before the store
	// closes (cleanups run last-registered first).
	h.DemoOutbox = filepath.Join(dir, messaging.DemoFile)
	demo := &messaging.Demo{Path: h.DemoOutbox}
	sender := &messaging.Sender{DB: db, SMS: demo, Email: demo, Log: logger, Now: h.clock.Now, Poll: 50 * time.Millisecond}
	senderCtx, stopSender := context.WithCancel(context.Background())
	senderDone := make(chan struct{})
	go func() { defer close(senderDone); sender.Run(senderCtx) }()
	t.Cleanup(func() { stopSender(); <-senderDone })
	srv := httptest.NewUnstartedServer(nil) // listens on 127.0.0.1:0
	h.URL = fmt.Sprintf("http://localhost:%d", srv.Listener.Addr().(*net.TCPAddr).Port)
	cfg := handlers.Config{SecureCookies: true, Hasher: h.Hasher, Logger: logger, Clock: h.clock.Now}
	if h.configure != nil {
		// The address is known before the server is built, so that a
		// journey can register it elsewhere (an identity provider's
		// callback address).
		h.configure(&cfg, h.URL)
	}
	e, err := handlers.New(cfg, db)
	if err != nil {
		t.Fatalf("handlers.New: %v", err)
	}
	srv.Config.Handler = e
	srv.Config.ErrorLog = log.New(&h.serverLog, "http: ", 0)
	srv.Start()
	t.Cleanup(srv.Close)
}

func (h *harness) startBrowser(execPath string) {
	t := h.t
	var browserOut lockedBuffer
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Containers often have a 64 MB /dev/shm, which Chromium can fill.
		chromedp.Flag("disable-dev-shm-usage", true),
		// No desktop keyring to ask for on a server.
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		// A Chinese-speaking visitor: the portal's default language comes from
		// Accept-Language until the language switch sets its cookie.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.WindowSize(1280, 1000),
		chromedp.CombinedOutput(&browserOut),
	}
	life, cancelLife := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(life, opts...)
	logf := func(format string, args ...any) {
		if !h.closed.Load() {
			t.Logf("chromedp: "+format, args...)
		}
	}
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	consoleDone := make(chan struct{})
	t.Cleanup(func() {
		// Nothing may log through t once the test is over: stop logging first,
		// then stop the browser and wait for the console reader to end.
		h.closed.Store(true)
		cancelTab()
		cancelAlloc()
		cancelLife()
		select {
		case <-consoleDone:
		case <-time.After(5 * time.Second):
		}
	})
	// The first run starts the browser and binds its life to ctx, so it gets
	// no step timeout; a browser that does not start is stopped by a timer.
	timer := time.AfterFunc(time.Minute, cancelAlloc)
	err := chromedp.Do(ctx)
	timer.Stop()
	if err != nil {
		close(consoleDone)
		t.Fatalf("start %s: %v\nbrowser output:\n%s", execPath, err, tail(browserOut.String(), 4000))
	}
	h.ctx = ctx
	messages := chromedp.Console(ctx)
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			h.console(m)
		}
	}()
}

// console records what the page writes to the console. An uncaught
// exception, a console.error, a CSP or other security message and a failed
// asset are problems that fail the test at its end; the rest (such as the
// "failed to load resource" of a 422 form page) is only logged.
func (h *harness) console(m chromedp.ConsoleMessage) {
	line := fmt.Sprintf("%s %s: %s", m.Type, m.URL, m.Text)
	if m.Source != "" {
		line = fmt.Sprintf("%s (%s) %s: %s", m.Type, m.Source, m.URL, m.Text)
	}
	problem := m.IsException() || m.Type == chromedp.ConsoleError &&
		(m.Source == "" || m.Source == "javascript" || m.Source == "security" ||
			m.Source == "network" && strings.Contains(m.URL, "/static/"))
	if !problem {
		if !h.closed.Load() {
			h.t.Logf("browser console: %s", line)
		}
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.problems = append(h.problems, line)
}

// finish runs first among the cleanups, while the browser still runs.
func (h *harness) finish() {
	t := h.t
	// Console events travel asynchronously; give the last ones a moment.
	time.Sleep(100 * time.Millisecond)
	h.mu.Lock()
	problems := slices.Clone(h.problems)
	h.mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser console: %s", p)
	}
	if !t.Failed() && !t.Skipped() {
		h.checkBothLanguages()
	}
	if t.Failed() {
		h.saveFailure()
		t.Logf("server log (last 8 KB):\n%s", tail(h.serverLog.String(), 8192))
	}
}

// checkBothLanguages fails the test for every page that axe checked in only
// one language: each page must be visited once in zh-CN and once in en.
func (h *harness) checkBothLanguages() {
	var missing []string
	for path, langs := range h.a11yLangs {
		for _, l := range []string{htmlLang(views.LangZH), htmlLang(views.LangEN)} {
			if !langs[l] {
				missing = append(missing, fmt.Sprintf("%s in %s", path, l))
			}
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		h.t.Errorf("accessibility: every visited page must also be checked in the other language; not checked: %s",
			strings.Join(missing, ", "))
	}
}

// saveFailure keeps a screenshot and the HTML of the page where the test
// failed, in E2E_SCREENSHOTS or a new folder in the system's temp dir (not
// t.TempDir, which is deleted with the test).
func (h *harness) saveFailure() {
	t := h.t
	if h.ctx == nil {
		return
	}
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "sealportal-e2e-"); err != nil {
			t.Logf("keep failure artefacts: %v", err)
			return
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("keep failure artefacts: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	base := filepath.Join(dir, fileSafe(t.Name())+"-failure")
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(base+".png", png, 0o644)
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err == nil {
		_ = os.WriteFile(base+".html", []byte(html), 0o644)
	}
	t.Logf("the page at failure was %s; screenshot and HTML: %s.{png,html}", loc, base)
}

// do runs browser steps under one step timeout and fails the test on error.
func (h *harness) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

// run runs one browser action that returns a value, under the step timeout.
func run[T any](h *harness, what string, a chromedp.Action[T]) T {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// historyBack presses the browser's Back button. The script schedules the
// navigation for after it has answered, so the evaluation never races the
// navigation it starts (Chromium answers that race with "Inspected target
// navigated or closed", which is not the portal's fault).
func (h *harness) historyBack() {
	h.t.Helper()
	h.do("Back", chromedp.Evaluate[chromedp.Void](`setTimeout(() => history.back(), 0)`))
}

// pollJS is evalJS for a page that may be in the middle of a navigation: an
// evaluation cut short by it reports ok=false instead of failing the test,
// and the caller asks again.
func pollJS[T any](h *harness, expr string) (v T, ok bool) {
	ctx, cancel := context.WithTimeout(h.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	return v, err == nil
}

// evalJS evaluates a JavaScript expression in the page and decodes its value.
// Runtime.evaluate is not subject to the page's CSP.
func evalJS[T any](h *harness, expr string) T {
	h.t.Helper()
	return run(h, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// visit loads path (with its query) and checks the page.
func (h *harness) visit(path string) {
	h.t.Helper()
	h.do("visit "+path, chromedp.Navigate(h.URL+path))
	h.loaded("visit " + path)
}

// clickAndWait clicks a link or a submit button and waits for the next page
// to load, then checks it.
func (h *harness) clickAndWait(sel string) {
	h.t.Helper()
	run(h, "click "+sel+" and wait for the next page",
		chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	h.loaded("after clicking " + sel)
}

// click clicks an element that changes the page in place (a radio button, a
// checkbox, a disclosure).
func (h *harness) click(sel string) {
	h.t.Helper()
	h.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// fill replaces the value of a text field by typing, as a person would.
func (h *harness) fill(sel, value string) {
	h.t.Helper()
	s := chromedp.CSS(sel)
	// chromedp.Clear sets the value attribute, which no longer shows once a
	// field was typed in, and SetValue cannot set "": clear the property.
	clear := chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).value = ""`, jsString(sel)))
	h.do("fill "+sel, chromedp.WaitVisible(s), clear, chromedp.SendKeys(s, value))
	if got := h.value(sel); got != value {
		h.t.Fatalf("fill %s: the field holds %q after typing %q", sel, got, value)
	}
}

// text is the visible text of the first element matching sel, with runs of
// white space collapsed.
func (h *harness) text(sel string) string {
	h.t.Helper()
	return strings.Join(strings.Fields(run(h, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel)))), " ")
}

// value is the current value of a form field.
func (h *harness) value(sel string) string {
	h.t.Helper()
	return run(h, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// exists reports at once, without waiting, whether sel matches an element.
func (h *harness) exists(sel string) bool {
	h.t.Helper()
	return evalJS[bool](h, fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)))
}

// attr is an attribute of the first element matching sel ("" when absent).
func (h *harness) attr(sel, name string) string {
	h.t.Helper()
	return evalJS[string](h, fmt.Sprintf(`(document.querySelector(%s)?.getAttribute(%s)) ?? ""`, jsString(sel), jsString(name)))
}

// location is the current URL without scheme and host: path and query.
func (h *harness) location() *url.URL {
	h.t.Helper()
	loc := run(h, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		h.t.Fatalf("parse location %q: %v", loc, err)
	}
	return u
}

// lang is the lang attribute of <html>: "zh-CN" or "en".
func (h *harness) lang() string {
	h.t.Helper()
	return evalJS[string](h, `document.documentElement.lang`)
}

// cookies are the browser's cookies for the portal, by name.
func (h *harness) cookies() map[string]*network.Cookie {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{h.URL + "/"}})
	if err != nil {
		h.t.Fatalf("read cookies: %v", err)
	}
	m := map[string]*network.Cookie{}
	for _, c := range res.Cookies {
		m[c.Name] = c
	}
	return m
}

// screenshot saves a full-page PNG in E2E_SCREENSHOTS (when set) or in the
// test's temp dir, and returns its path.
func (h *harness) screenshot(name string) string {
	h.t.Helper()
	if h.shotDir == "" {
		h.shotDir = os.Getenv("E2E_SCREENSHOTS")
		if h.shotDir == "" {
			h.shotDir = h.t.TempDir()
		} else if err := os.MkdirAll(h.shotDir, 0o755); err != nil {
			h.t.Fatalf("screenshot folder: %v", err)
		}
	}
	png := run(h, "screenshot "+name, chromedp.FullScreenshot(100))
	h.shotSeq++
	file := filepath.Join(h.shotDir, fmt.Sprintf("%s-%02d-%s.png", fileSafe(h.t.Name()), h.shotSeq, fileSafe(name)))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		h.t.Fatalf("screenshot %s: %v", name, err)
	}
	return file
}

// loaded waits for the page heading that every page has, then runs axe-core
// on the page unless this variant of it was already checked in this language.
func (h *harness) loaded(what string) {
	h.t.Helper()
	h.do(what+": wait for the page heading", chromedp.WaitVisible(chromedp.CSS(`[data-testid=page-heading]`)))
	type pageInfo struct {
		Path   string `json:"path"`
		Lang   string `json:"lang"`
		Errors bool   `json:"errors"`
		Notice bool   `json:"notice"`
	}
	p := evalJS[pageInfo](h, `({path: location.pathname, lang: document.documentElement.lang,
		errors: document.querySelector("[data-testid=error-summary]") !== null,
		notice: document.querySelector("[data-testid=notice]") !== null})`)
	path := numericSegment.ReplaceAllString(p.Path, "/:id")
	if h.a11yLangs[path] == nil {
		h.a11yLangs[path] = map[string]bool{}
	}
	h.a11yLangs[path][p.Lang] = true
	variant := path
	if p.Errors {
		variant += " with error summary"
	}
	if p.Notice {
		variant += " with notice"
	}
	if key := variant + "|" + p.Lang; !h.a11yDone[key] {
		h.a11yDone[key] = true
		start := time.Now()
		checkA11y(h.t, h.ctx, fmt.Sprintf("%s [%s]", variant, p.Lang))
		h.t.Logf("axe checked %s [%s] in %v", variant, p.Lang, time.Since(start).Round(time.Millisecond))
	}
}

// numericSegment makes /applications/17 and /applications/18 one page.
var numericSegment = regexp.MustCompile(`/[0-9]+`)

// createAccount stores an account with password, as the admin command would.
func (h *harness) createAccount(a portal.Account, password string) portal.Account {
	h.t.Helper()
	hash, err := h.Hasher.Hash(password)
	if err != nil {
		h.t.Fatalf("hash password: %v", err)
	}
	a.PasswordHash = hash
	a.PasswordChangedAt = time.Now().UTC()
	created, err := h.DB.CreateAccount(a, 0)
	if err != nil {
		h.t.Fatalf("create %s account %q: %v", a.Role, a.Login, err)
	}
	return created
}

// createStaff creates an official who signs in with login and testPassword.
// Organ staff and supervisors work for a test organ of their kind, registered
// in the store (db.EnsureOrgan) so that the account's OrganID is set: without
// it an official sees no queue and can act on no case. The organ exists from
// then on, so applicants find it in the organ lists.
func (h *harness) createStaff(role portal.Role, login string) portal.Account {
	h.t.Helper()
	if !role.IsStaff() {
		h.t.Fatalf("createStaff: %s is not a staff role", role)
	}
	a := portal.Account{Role: role, Login: login, Name: "测试" + views.Translate(views.LangZH, "role."+string(role))}
	if role != portal.RoleSysadmin {
		o, err := h.DB.EnsureOrgan(role, testOrgans[role])
		if err != nil {
			h.t.Fatalf("createStaff: register the %s organ: %v", role, err)
		}
		a.Organ, a.OrganID = o.Name, o.ID
	}
	return h.createAccount(a, testPassword)
}

var testOrgans = map[portal.Role]string{
	portal.RoleCourt:         "测试市人民法院",
	portal.RoleProcuratorate: "测试市人民检察院",
	portal.RolePolice:        "测试市公安局",
	portal.RoleJudicialAdmin: "测试市司法局",
	portal.RoleSupervisor:    "测试市人民检察院",
}

// createCitizen creates a citizen who signs in with mobile and testPassword.
// seq makes the synthetic identity number unique among the test's people.
func (h *harness) createCitizen(role portal.Role, mobile, name string, seq uint64, birth portal.Date) portal.Account {
	h.t.Helper()
	a := portal.Account{Role: role, Login: mobile, Mobile: mobile, Name: name,
		IDNumber: portal.SyntheticIDNumber(seq, birth).String()}
	if role == portal.RoleLawyer {
		a.Licence, a.Firm = "11101200000000001", "测试法律援助中心"
	}
	return h.createAccount(a, testPassword)
}

// login signs in through the login page; the caller checks where it lands.
// An official's second factor is completed on the way as a person with the
// app at hand would: enrolment at the first login (the secret typed from the
// page, the recovery codes acknowledged), the six-digit code at later ones.
// Those pages are not recorded for the two-language accessibility check
// (their own journey checks them); the page the login lands on is.
func (h *harness) login(login, password string) {
	h.t.Helper()
	h.visit("/login")
	h.fill("#login", login)
	h.fill("#password", password)
	h.clickQuietly("[data-testid=login-submit]")
	h.passSecondFactor(login)
	h.loaded("after signing in")
	if h.location().Path == "/cases" && h.location().RawQuery == "" {
		// A citizen lands on "my cases" (issue 16): checked in both
		// languages here, and back to the language the journey was in.
		h.both("")
		h.both("")
	}
}

// clickQuietly clicks and waits for the next page's heading without the
// accessibility check of clickAndWait.
func (h *harness) clickQuietly(sel string) {
	h.t.Helper()
	run(h, "click "+sel+" and wait for the next page",
		chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	h.do("after clicking "+sel+": wait for the page heading", chromedp.WaitVisible(chromedp.CSS(`[data-testid=page-heading]`)))
}

// passSecondFactor completes the enrolment or code page the browser is on,
// if any.
func (h *harness) passSecondFactor(login string) {
	h.t.Helper()
	for range 3 {
		switch {
		case h.exists("[data-testid=totp-enrol-form]"):
			h.totpSecrets[login] = strings.ReplaceAll(h.text("[data-testid=totp-secret]"), " ", "")
			delete(h.totpLast, login)
			h.fill("#code", h.totpCode(login))
			h.clickQuietly("[data-testid=totp-enrol-submit]")
			if !h.exists("[data-testid=recovery-codes]") {
				h.t.Fatalf("enrolment of %s did not show the recovery codes: %q", login, h.text("main"))
			}
			h.clickQuietly("[data-testid=totp-continue]")
		case h.exists("[data-testid=totp-code-form]") && h.totpSecrets[login] != "":
			h.fill("#code", h.totpCode(login))
			h.clickQuietly("[data-testid=totp-code-submit]")
		default:
			return
		}
	}
}

// totpCode is the code the authenticator of login shows now: the current
// step, or the next one when the current was already typed; when both were,
// the clock moves on by one step rather than the test waiting for it. (The
// step before is not used: in real time it may age out before the form is
// sent.)
func (h *harness) totpCode(login string) string {
	h.t.Helper()
	secret := h.totpSecrets[login]
	if secret == "" {
		h.t.Fatalf("no TOTP secret known for %s", login)
	}
	cur := portal.TOTPStep(h.clock.Now())
	step := max(cur, h.totpLast[login]+1)
	if step > cur+portal.TOTPSkew {
		h.clock.offset.Add(int64(portal.TOTPPeriod))
		step = portal.TOTPStep(h.clock.Now()) + portal.TOTPSkew
	}
	code, err := portal.TOTPCode(secret, step)
	if err != nil {
		h.t.Fatalf("totp code: %v", err)
	}
	h.totpLast[login] = step
	return code
}

// logout signs out with the header's button.
func (h *harness) logout() {
	h.t.Helper()
	h.clickAndWait("[data-testid=logout]")
}

// switchLanguage follows the header's language link.
func (h *harness) switchLanguage() {
	h.t.Helper()
	h.clickAndWait("[data-testid=lang-switch]")
}

// expectText fails unless the text of sel is want.
func (h *harness) expectText(sel, want string) {
	h.t.Helper()
	if got := h.text(sel); got != want {
		h.t.Errorf("text of %s on %s = %q, want %q", sel, h.location().Path, got, want)
	}
}

// expectPath fails the test unless the browser is at path.
func (h *harness) expectPath(path string) {
	h.t.Helper()
	if got := h.location().Path; got != path {
		h.t.Fatalf("the browser is at %s, want %s (heading %q)", got, path, h.text("[data-testid=page-heading]"))
	}
}

// expectLang fails unless the page is in language l.
func (h *harness) expectLang(l views.Lang) {
	h.t.Helper()
	if got := h.lang(); got != htmlLang(l) {
		h.t.Errorf("html[lang] on %s = %q, want %q", h.location().Path, got, htmlLang(l))
	}
}

// msg is a message of the catalogue, so tests follow changes of wording.
func msg(l views.Lang, key string, args ...any) string {
	return strings.Join(strings.Fields(views.Translate(l, key, args...)), " ")
}

// htmlLang is the lang attribute the layout writes for l.
func htmlLang(l views.Lang) string { return string(l) }

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileSafe(s string) string { return strings.Trim(unsafeFileChars.ReplaceAllString(s, "_"), "_") }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// lockedBuffer is a bytes.Buffer that the server's goroutines and the test
// can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// pathID reads a numeric id from the browser's path with a pattern whose
// first group is the id (e.g. `^/cases/(\d+)$`).
func (h *harness) pathID(pattern string) uint64 {
	h.t.Helper()
	path := h.location().Path
	m := regexp.MustCompile(pattern).FindStringSubmatch(path)
	if m == nil {
		h.t.Fatalf("the browser is at %s, want a path like %s", path, pattern)
	}
	id, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		h.t.Fatalf("id in %s: %v", path, err)
	}
	return id
}

// pageLang is the language of the page shown.
func (h *harness) pageLang() views.Lang {
	h.t.Helper()
	if h.lang() == htmlLang(views.LangEN) {
		return views.LangEN
	}
	return views.LangZH
}

// both checks the page just loaded in the other language too: it follows the
// header's language switch, which returns to the page's path. A page with a
// query (a ?done= notice, which the header's link does not carry) is switched
// through the same /lang address with the whole path and query as next. The
// browser then stays in the other language, so a journey alternates languages
// from page to page.
//
// variant names a state of the page that the harness's checks (once per path
// and language) cannot tell apart, such as a case page in another status; it
// is then checked with axe under that name in both languages. "" relies on the
// harness alone. Each extra check runs on the page in both languages.
func (h *harness) both(variant string, extra ...func(*harness)) {
	h.t.Helper()
	check := func() {
		if variant != "" {
			h.axeVariant(variant)
		}
		for _, f := range extra {
			f(h)
		}
	}
	check()
	before := h.location()
	from := h.pageLang()
	if before.RawQuery == "" {
		h.switchLanguage()
	} else {
		to := views.LangEN
		if from == views.LangEN {
			to = views.LangZH
		}
		h.visit("/lang?to=" + string(to) + "&next=" + url.QueryEscape(before.RequestURI()))
	}
	if got := h.location(); got.Path != before.Path || got.RawQuery != before.RawQuery {
		h.t.Fatalf("the language switch on %s led to %s", before.RequestURI(), got.RequestURI())
	}
	if h.pageLang() == from {
		h.t.Fatalf("the language switch on %s kept the language %s", before.Path, from)
	}
	check()
}

// axeVariant runs axe once per named page state and language.
func (h *harness) axeVariant(variant string) {
	h.t.Helper()
	lang := h.lang()
	key := "variant " + variant + "|" + lang
	if h.a11yDone[key] {
		return
	}
	h.a11yDone[key] = true
	start := time.Now()
	checkA11y(h.t, h.ctx, fmt.Sprintf("%s [%s]", variant, lang))
	h.t.Logf("axe checked %s [%s] in %v", variant, lang, time.Since(start).Round(time.Millisecond))
}

// smsCode waits (up to ten seconds) for the newest message to "to" in the demo
// outbox that carries a 6-digit code, and returns the code: what a person
// reads on the phone.
func (h *harness) smsCode(to string) string {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		lines, _ := messaging.ReadDemo(h.DemoOutbox)
		for i := len(lines) - 1; i >= 0; i-- {
			if lines[i].To != to {
				continue
			}
			if m := smsCodeRE.FindStringSubmatch(lines[i].Text); m != nil {
				return m[1]
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no code arrived for %s in the demo outbox", to)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var smsCodeRE = regexp.MustCompile(`\b(\d{6})\b`)

// enterRegistrationCode is registration's second step: the code page is
// shown, the code comes by SMS (the demo outbox) and is typed in.
func (h *harness) enterRegistrationCode(mobile string) {
	h.t.Helper()
	h.expectPath("/register")
	if !h.exists("[data-testid=register-code-form]") {
		h.t.Fatalf("no code page after registering; heading %q", h.text("[data-testid=page-heading]"))
	}
	h.fill("#code", h.smsCode(mobile))
	h.clickAndWait("[data-testid=code-submit]")
}
