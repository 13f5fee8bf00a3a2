package handlers

// The shared test harness of the handlers package: a real router (New) over a
// real store — a bbolt file in t.TempDir(), or on the PostgreSQL pass a
// database of the test's own (enginetest, issue 14) — served by httptest, and
// a browser-like client that keeps its own cookies, follows redirects and
// fills in the CSRF field the way a person submitting a page would.
//
// Typical use:
//
//	ts := newTestServer(t)
//	ts.createCitizen(portal.RoleMinor, "13800000001", "a long passphrase")
//	c := ts.newClient()
//	p := c.login("13800000001", "a long passphrase")
//	p.wantPath(t, "/account")
//	ts.clock.advance(16 * time.Minute)
//	c.get("/account").wantPath(t, "/login")

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// testHasher uses the cheapest parameters NewPasswordHasher allows; even so a
// hash costs about 0.2 s under -race, so tests create accounts with
// hashFor (cached) and go through the forms only where the form is the point.
var testHasher = portal.NewPasswordHasher(portal.MinimumArgon2)

var hashCache sync.Map // password -> PHC string

// hashFor returns a hash of pw made once per test binary.
func hashFor(t testing.TB, pw string) string {
	t.Helper()
	if h, ok := hashCache.Load(pw); ok {
		return h.(string)
	}
	h, err := testHasher.Hash(pw)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	hashCache.Store(pw, h)
	return h
}

// testClock is a controllable clock shared by the handlers and the store, so
// that idle timeouts and lockouts are tested without sleeping.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// testEpoch is a Tuesday morning in Beijing.
var testEpoch = time.Date(2026, 3, 10, 10, 0, 0, 0, portal.China)

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testServer is one portal: its store, clock and HTTP server.
type testServer struct {
	t     *testing.T
	db    *store.DB
	clock *testClock
	cfg   Config
	echo  *echo.Echo
	srv   *httptest.Server
	// authenticator is the phone app of every official: the TOTP secrets the
	// clients enrolled, by login, and the last step each one typed.
	authenticator testAuthenticator
	// started is the wall time the server was made (storeRawBytes reads the
	// PostgreSQL WAL written since).
	started time.Time
}

// testAuthenticator plays the authenticator app for the test clients, so that
// officials' logins complete enrolment and the code step by themselves (see
// testClient.manualSecondFactor).
type testAuthenticator struct {
	mu      sync.Mutex
	secrets map[string]string
	last    map[string]int64
}

// remember stores the secret an enrolment page showed for login.
func (a *testAuthenticator) remember(login, secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.secrets == nil {
		a.secrets, a.last = map[string]string{}, map[string]int64{}
	}
	a.secrets[normalizeLogin(login)] = secret
	delete(a.last, normalizeLogin(login))
}

// secret is the enrolled secret of login, "" when none is known.
func (a *testAuthenticator) secret(login string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.secrets[normalizeLogin(login)]
}

// totpCode returns a code the server will accept for login now: the earliest
// step within the allowed skew that is later than the last one typed (the
// server refuses a replayed step). When all three were used, the test clock
// moves on by one step.
func (ts *testServer) totpCode(login string) string {
	ts.t.Helper()
	a := &ts.authenticator
	secret := a.secret(login)
	if secret == "" {
		ts.t.Fatalf("no TOTP secret known for %s", login)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	key := normalizeLogin(login)
	cur := portal.TOTPStep(ts.clock.Now())
	step := max(cur-portal.TOTPSkew, a.last[key]+1)
	if step > cur+portal.TOTPSkew {
		ts.clock.advance(portal.TOTPPeriod)
		step = portal.TOTPStep(ts.clock.Now()) + portal.TOTPSkew
	}
	code, err := portal.TOTPCode(secret, step)
	if err != nil {
		ts.t.Fatalf("totp code: %v", err)
	}
	a.last[key] = step
	return code
}

// testPublicURL is the canonical address of test servers (Config.PublicURL).
const testPublicURL = "https://portal.example.gov.cn"

// newTestServer starts the real router over a fresh database. Options adjust
// the Config before New; by default cookies are Secure with the __Host- prefix,
// as in production.
func newTestServer(t *testing.T, opts ...func(*Config)) *testServer {
	t.Helper()
	clock := &testClock{now: testEpoch}
	started := time.Now()
	db, err := store.Open(enginetest.Location(t, filepath.Join(t.TempDir(), "portal.db")), store.Options{Keys: store.NewTestKeys(), Clock: clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	cfg := Config{
		SecureCookies: true,
		PublicURL:     testPublicURL,
		LoginPause:    func(context.Context, time.Duration) {},
		Hasher:        testHasher,
		Clock:         clock.Now,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	e, err := New(cfg, db)
	if err != nil {
		db.Close()
		t.Fatalf("handlers.New: %v", err)
	}
	ts := &testServer{t: t, db: db, clock: clock, cfg: cfg, echo: e, srv: httptest.NewServer(e), started: started}
	t.Cleanup(func() {
		ts.srv.Close()
		db.Close()
	})
	return ts
}

// sessionCookie is the name of the session cookie in this server's setup.
func (ts *testServer) sessionCookie() string {
	if ts.cfg.SecureCookies {
		return "__Host-session"
	}
	return "session"
}

// testIDNumber is a valid (synthetic, province 99) identity number of someone
// born on birth; seq makes it unique.
func testIDNumber(seq uint64, birth portal.Date) string {
	return portal.SyntheticIDNumber(seq, birth).String()
}

var idSeq atomic.Uint64

// createCitizen stores a citizen account directly (no form, cached hash) and
// returns it. Lawyers get a licence and firm.
func (ts *testServer) createCitizen(role portal.Role, mobile, pw string) portal.Account {
	ts.t.Helper()
	a := portal.Account{Role: role, Login: mobile, Mobile: mobile, Name: "测试用户",
		IDNumber:     testIDNumber(idSeq.Add(1), portal.Date{Year: 2005, Month: 6, Day: 1}),
		PasswordHash: hashFor(ts.t, pw)}
	if role == portal.RoleLawyer {
		a.Licence, a.Firm = "11101200000000009", "测试律师事务所"
	}
	a, err := ts.db.CreateAccount(a, 0)
	if err != nil {
		ts.t.Fatalf("create citizen %s: %v", mobile, err)
	}
	return a
}

// createStaff stores an official's account as `admin create-user` would.
func (ts *testServer) createStaff(role portal.Role, login, pw string, mustChange bool) portal.Account {
	ts.t.Helper()
	organ := "测试市人民法院"
	if role == portal.RoleSysadmin {
		organ = ""
	}
	a, err := ts.db.CreateAccount(portal.Account{Role: role, Login: login, Name: "测试工作人员", Organ: organ,
		PasswordHash: hashFor(ts.t, pw), MustChangePassword: mustChange}, 0)
	if err != nil {
		ts.t.Fatalf("create staff %s: %v", login, err)
	}
	return a
}

// testClient is one browser: its own cookies, no automatic redirects (the
// client follows them itself so that tests can see the chain).
type testClient struct {
	t       *testing.T
	ts      *testServer
	hc      *http.Client
	cookies map[string]string
	// header is added to every request (e.g. Accept-Language, X-Forwarded-For).
	header http.Header
	// lastLogin is the login this browser last typed on the sign-in form.
	lastLogin string
	// manualSecondFactor stops the client from completing enrolment and the
	// code pages by itself; tests of the second factor itself set it.
	manualSecondFactor bool
}

// newClient returns a browser with no cookies. Go's cookiejar will not send
// Secure cookies over plain http, so the client keeps cookies itself: one
// host, every cookie at Path=/.
func (ts *testServer) newClient() *testClient {
	return &testClient{t: ts.t, ts: ts, cookies: map[string]string{}, header: http.Header{},
		hc: &http.Client{
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
}

// testPage is what a request ended with, after any redirects.
type testPage struct {
	status    int
	header    http.Header
	body      string
	url       *url.URL       // the final URL (path and query matter)
	redirects []string       // each Location followed, in order
	set       []*http.Cookie // every Set-Cookie seen along the way
	first     *http.Response // the first response, before any redirect
}

// cookie returns the value of a cookie the client holds, "" when none.
func (c *testClient) cookie(name string) string { return c.cookies[name] }

// setCookie plants a cookie, as a browser that had it would send it.
func (c *testClient) setCookie(name, value string) { c.cookies[name] = value }

// setLang chooses the language as the header's switch would.
func (c *testClient) setLang(lang string) { c.setCookie(langCookie, lang) }

// encodedForm is a request body with its content type, kept as bytes so that
// a 307 or 308 can send it again.
type encodedForm struct {
	body        []byte
	contentType string
}

func urlencoded(form url.Values) *encodedForm {
	if form == nil {
		return nil
	}
	return &encodedForm{body: []byte(form.Encode()), contentType: "application/x-www-form-urlencoded"}
}

// testUpload is one file of a multipart form.
type testUpload struct {
	field, name string
	content     []byte
}

// multipartForm encodes fields (sorted, as url.Values keeps them) and files as
// a browser's upload form does.
func multipartForm(t testing.TB, fields url.Values, files ...testUpload) *encodedForm {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range fields[k] {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.content); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &encodedForm{body: buf.Bytes(), contentType: mw.FormDataContentType()}
}

// do sends one request and does not follow a redirect.
func (c *testClient) do(method, target string, form url.Values) *testPage {
	c.t.Helper()
	return c.send(method, target, urlencoded(form))
}

// postMultipart posts fields and files as an upload form does, following
// redirects like a user.
func (c *testClient) postMultipart(path string, fields url.Values, files ...testUpload) *testPage {
	c.t.Helper()
	return c.followForm(http.MethodPost, path, multipartForm(c.t, fields, files...))
}

// send sends one request with an encoded body (nil for none).
func (c *testClient) send(method, target string, form *encodedForm) *testPage {
	c.t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		c.t.Fatalf("bad url %q: %v", target, err)
	}
	if !u.IsAbs() {
		u, _ = url.Parse(c.ts.srv.URL + target)
	}
	var body io.Reader
	if form != nil {
		body = bytes.NewReader(form.body)
	}
	req, err := http.NewRequest(method, u.String(), body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", form.contentType)
	}
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	for name, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, target, err)
	}
	p := &testPage{status: resp.StatusCode, header: resp.Header, body: string(raw), url: resp.Request.URL, first: resp}
	for _, ck := range resp.Cookies() {
		p.set = append(p.set, ck)
		if ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now())) {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return p
}

// follow sends a request and follows redirects as a browser does (303, 302
// and 301 turn into GET).
func (c *testClient) follow(method, target string, form url.Values) *testPage {
	c.t.Helper()
	if method == http.MethodPost && strings.HasPrefix(target, "/login") && form.Get("login") != "" {
		c.lastLogin = form.Get("login")
	}
	return c.followForm(method, target, urlencoded(form))
}

// followForm is follow with an encoded body. Unless manualSecondFactor is
// set, a page that asks to enrol a second factor or for a code is completed
// as an official with the app at hand would, so that every test that signs
// an official in gets past the second factor the way a person does.
func (c *testClient) followForm(method, target string, form *encodedForm) *testPage {
	c.t.Helper()
	p := c.followRaw(method, target, form)
	if !c.manualSecondFactor {
		p = c.passSecondFactor(p)
	}
	return p
}

var continueRE = regexp.MustCompile(`<a[^>]*\bhref="([^"]*)"[^>]*data-testid="totp-continue"`)

// passSecondFactor completes an enrolment page (reading the secret shown for
// manual entry, as a person typing it into the app would) and then the
// recovery codes page, or a code page (at login or step-up) for a login whose
// secret the authenticator knows. Other pages are returned as they are.
func (c *testClient) passSecondFactor(p *testPage) *testPage {
	c.t.Helper()
	for range 3 {
		var next *testPage
		switch {
		case p.status == http.StatusOK && strings.Contains(p.body, `data-testid="totp-enrol-form"`) && c.lastLogin != "":
			secret, _ := p.testid("totp-secret")
			c.ts.authenticator.remember(c.lastLogin, strings.ReplaceAll(secret, " ", ""))
			v := p.hiddenFields("/account/totp/setup")
			v.Set(csrfField, p.csrf(c.t))
			v.Set("code", c.ts.totpCode(c.lastLogin))
			next = c.followRaw(http.MethodPost, "/account/totp/setup", urlencoded(v))
			m := continueRE.FindStringSubmatch(next.body)
			if m == nil {
				c.t.Fatalf("enrolment of %s did not show the recovery codes\n%s", c.lastLogin, excerpt(next))
			}
			codes := next
			next = c.followRaw(http.MethodGet, html.UnescapeString(m[1]), nil)
			next.redirects = append(append([]string{"/account/totp/setup"}, codes.redirects...), append([]string{html.UnescapeString(m[1])}, next.redirects...)...)
		case p.status == http.StatusOK && strings.Contains(p.body, `data-testid="totp-code-form"`) && c.ts.authenticator.secret(c.lastLogin) != "":
			action := "/login/code"
			if strings.Contains(p.body, `action="/account/verify"`) {
				action = "/account/verify"
			}
			v := p.hiddenFields(action)
			v.Set(csrfField, p.csrf(c.t))
			v.Set("code", c.ts.totpCode(c.lastLogin))
			next = c.followRaw(http.MethodPost, action, urlencoded(v))
			next.redirects = append([]string{action}, next.redirects...)
		default:
			return p
		}
		next.redirects = append(append([]string{}, p.redirects...), next.redirects...)
		next.set = append(append([]*http.Cookie{}, p.set...), next.set...)
		next.first = p.first
		p = next
	}
	return p
}

// followRaw follows redirects without completing second-factor pages.
func (c *testClient) followRaw(method, target string, form *encodedForm) *testPage {
	c.t.Helper()
	p := c.send(method, target, form)
	first := p.first
	var chain []string
	set := p.set
	for i := 0; p.status >= 300 && p.status < 400; i++ {
		if i == 10 {
			c.t.Fatalf("%s %s: too many redirects: %v", method, target, chain)
		}
		loc, err := p.url.Parse(p.header.Get("Location"))
		if err != nil {
			c.t.Fatalf("bad Location %q", p.header.Get("Location"))
		}
		chain = append(chain, loc.RequestURI())
		if p.status != http.StatusTemporaryRedirect && p.status != http.StatusPermanentRedirect {
			method, form = http.MethodGet, nil
		}
		p = c.send(method, loc.String(), form)
		set = append(set, p.set...)
	}
	p.redirects, p.set, p.first = chain, set, first
	return p
}

// get loads a page, following redirects.
func (c *testClient) get(path string) *testPage {
	c.t.Helper()
	return c.follow(http.MethodGet, path, nil)
}

// post sends a form as is (no CSRF token added), following redirects.
func (c *testClient) post(path string, form url.Values) *testPage {
	c.t.Helper()
	return c.follow(http.MethodPost, path, form)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// csrf is the token in a page's hidden _csrf field.
func (p *testPage) csrf(t *testing.T) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil || m[1] == "" {
		t.Fatalf("no _csrf field on %s (status %d)", p.url.Path, p.status)
	}
	return html.UnescapeString(m[1])
}

// submit opens the page at formPath and posts values to action with what a
// browser would add: the page's _csrf token and the hidden inputs of the form
// that posts to action (a login's next page, say). Redirects are followed.
// action need not be a form on that page (tests of refusals post anywhere).
func (c *testClient) submit(formPath, action string, values url.Values) *testPage {
	c.t.Helper()
	form := c.get(formPath)
	if form.status != http.StatusOK {
		c.t.Fatalf("GET %s = %d (ended at %s), want 200", formPath, form.status, form.url.RequestURI())
	}
	v := form.hiddenFields(action)
	v.Set(csrfField, form.csrf(c.t))
	for k, vs := range values {
		v[k] = vs
	}
	return c.post(action, v)
}

var (
	hiddenRE = regexp.MustCompile(`<input[^>]*\btype="hidden"[^>]*>`)
	nameRE   = regexp.MustCompile(`\bname="([^"]*)"`)
	valueRE  = regexp.MustCompile(`\bvalue="([^"]*)"`)
)

// hiddenFields are the hidden inputs of the page's form that posts to action
// (the first one, when several do), empty when no form does.
func (p *testPage) hiddenFields(action string) url.Values {
	v := url.Values{}
	re := regexp.MustCompile(`(?s)<form[^>]*\baction="` + regexp.QuoteMeta(html.EscapeString(action)) + `"[^>]*>(.*?)</form>`)
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		return v
	}
	for _, tag := range hiddenRE.FindAllString(m[1], -1) {
		n, val := nameRE.FindStringSubmatch(tag), valueRE.FindStringSubmatch(tag)
		if n == nil || val == nil {
			continue
		}
		v.Set(html.UnescapeString(n[1]), html.UnescapeString(val[1]))
	}
	return v
}

// register fills in the register form (the password typed twice, both
// consents ticked) and, when the portal answers with the code page, types the
// code the SMS carried (read from the outbox, as a phone would receive it).
func (c *testClient) register(role portal.Role, name, mobile, idNumber, pw string, extra ...string) *testPage {
	c.t.Helper()
	p := c.registerForm(role, name, mobile, idNumber, pw, extra...)
	if p.status != http.StatusOK || p.url.Path != "/register" || !strings.Contains(p.body, `action="/register/code"`) {
		return p
	}
	normalized, err := portal.NormalizeMobile(mobile)
	if err != nil {
		c.t.Fatalf("code page for an invalid number %q", mobile)
	}
	code, ok := c.ts.lastCode(normalized, portal.OutRegisterCode)
	if !ok {
		return p // a taken number: its owner got a notice, not a code
	}
	return c.postForm(p, "/register/code", url.Values{"code": {code}, "action": {"confirm"}})
}

// registerForm is the first step of registration only.
func (c *testClient) registerForm(role portal.Role, name, mobile, idNumber, pw string, extra ...string) *testPage {
	c.t.Helper()
	v := url.Values{"role": {string(role)}, "name": {name}, "mobile": {mobile}, "id_number": {idNumber},
		"password": {pw}, "password_confirm": {pw}, "consent_privacy": {"yes"}, "consent_sensitive": {"yes"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return c.submit("/register", "/register", v)
}

// postForm posts the form of page p that goes to action, with its hidden
// fields and the given values.
func (c *testClient) postForm(p *testPage, action string, values url.Values) *testPage {
	c.t.Helper()
	v := p.hiddenFields(action)
	for k, vs := range values {
		v[k] = vs
	}
	return c.post(action, v)
}

// lastCode is the code of the newest outbox message of a kind to a recipient.
func (ts *testServer) lastCode(to string, kind portal.OutboundKind) (string, bool) {
	ts.t.Helper()
	rows, err := ts.db.OutboxRows()
	if err != nil {
		ts.t.Fatal(err)
	}
	code := ""
	for _, m := range rows {
		if m.To == to && m.Kind == kind {
			code = m.Param
		}
	}
	return code, code != ""
}

// login fills in the sign-in form.
func (c *testClient) login(login, pw string) *testPage {
	c.t.Helper()
	return c.submit("/login", "/login", url.Values{"login": {login}, "password": {pw}})
}

// logout presses the header's sign-out button (from the account page).
func (c *testClient) logout() *testPage {
	c.t.Helper()
	return c.submit("/account", "/logout", nil)
}

// changePassword fills in the change-password form.
func (c *testClient) changePassword(current, next string) *testPage {
	c.t.Helper()
	return c.submit("/account/password", "/account/password", url.Values{
		"current_password": {current}, "new_password": {next}, "new_password_confirm": {next}})
}

// wantStatus fails unless the final status is want.
func (p *testPage) wantStatus(t *testing.T, want int) *testPage {
	t.Helper()
	if p.status != want {
		t.Fatalf("%s: status %d, want %d (redirects %v)\n%s", p.url.RequestURI(), p.status, want, p.redirects, excerpt(p))
	}
	return p
}

// wantPath fails unless the final page is at path (the query is ignored) with
// status 200.
func (p *testPage) wantPath(t *testing.T, path string) *testPage {
	t.Helper()
	if p.url.Path != path || p.status != http.StatusOK {
		t.Fatalf("ended at %s with status %d, want %s with 200 (redirects %v)\n%s", p.url.RequestURI(), p.status, path, p.redirects, excerpt(p))
	}
	return p
}

// wantText fails unless the page's visible text contains every s.
func (p *testPage) wantText(t *testing.T, ss ...string) *testPage {
	t.Helper()
	txt := p.text()
	for _, s := range ss {
		if !strings.Contains(txt, s) {
			t.Fatalf("%s (status %d): no %q in the page\n%s", p.url.RequestURI(), p.status, s, excerpt(p))
		}
	}
	return p
}

// noText fails if the page's visible text contains any s.
func (p *testPage) noText(t *testing.T, ss ...string) *testPage {
	t.Helper()
	txt := p.text()
	for _, s := range ss {
		if strings.Contains(txt, s) {
			t.Fatalf("%s: unexpected %q in the page", p.url.RequestURI(), s)
		}
	}
	return p
}

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// text is the page without tags, entities decoded and white space collapsed.
func (p *testPage) text() string { return visible(p.body) }

func visible(s string) string {
	return strings.TrimSpace(spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(s, " ")), " "))
}

// testid returns the visible text of the first element with the given
// data-testid, and whether there is one. Elements nesting a tag of their own
// name are not supported (none of ours do).
func (p *testPage) testid(id string) (string, bool) {
	i := strings.Index(p.body, `data-testid="`+id+`"`)
	if i < 0 {
		return "", false
	}
	open := strings.LastIndex(p.body[:i], "<")
	name := p.body[open+1:]
	name = name[:strings.IndexAny(name, " \t\n>")]
	start := i + strings.Index(p.body[i:], ">") + 1
	end := strings.Index(p.body[start:], "</"+name+">")
	if end < 0 {
		return visible(p.body[start:]), true
	}
	return visible(p.body[start : start+end]), true
}

// fieldError is the visible message under a form field, "" when none.
func (p *testPage) fieldError(field string) string {
	s, _ := p.testid("error-" + field)
	return s
}

// inputValue is the value attribute of the input named name ("" when absent).
func (p *testPage) inputValue(name string) (string, bool) {
	re := regexp.MustCompile(`<input[^>]*\bname="` + regexp.QuoteMeta(name) + `"[^>]*>`)
	tag := re.FindString(p.body)
	if tag == "" {
		return "", false
	}
	m := valueRE.FindStringSubmatch(tag)
	if m == nil {
		return "", true
	}
	return html.UnescapeString(m[1]), true
}

// setCookie returns the last Set-Cookie for name seen along the way.
func (p *testPage) setCookie(name string) *http.Cookie {
	var out *http.Cookie
	for _, c := range p.set {
		if c.Name == name {
			out = c
		}
	}
	return out
}

func excerpt(p *testPage) string {
	s := p.text()
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return fmt.Sprintf("page text: %s", s)
}
