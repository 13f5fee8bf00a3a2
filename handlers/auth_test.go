package handlers

import (
	"bytes"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

const (
	pwMinor = "river stones at dawn"
	pwStaff = "quiet ledger of hours"
)

var birth2005 = portal.Date{Year: 2005, Month: 6, Day: 1}

// wantSignedOut fails unless opening path sends the browser to the login page
// and back: the mark of a visitor without a session.
func wantSignedOut(t *testing.T, c *testClient, path string) *testPage {
	t.Helper()
	p := c.get(path)
	p.wantPath(t, "/login")
	if len(p.redirects) == 0 || !strings.HasPrefix(p.redirects[0], "/login?next="+path) {
		t.Fatalf("GET %s redirected via %v, want /login?next=%s", path, p.redirects, path)
	}
	return p
}

// wantSignedIn fails unless the account page opens.
func wantSignedIn(t *testing.T, c *testClient) {
	t.Helper()
	c.get("/account").wantPath(t, "/account")
}

// badCheckDigit returns a number that differs from a valid one only in the
// check character.
func badCheckDigit(valid string) string {
	last := valid[17]
	other := byte('0')
	if last == '0' {
		other = '1'
	}
	return valid[:17] + string(other)
}

func TestRegisterThenLogin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.setLang("en")
	id := testIDNumber(11, birth2005)
	p := c.register(portal.RoleMinor, "王小明", "139 1234 5678", id, pwMinor)
	p.wantPath(t, "/login").wantText(t, "Your account has been created. Sign in to continue.")

	// The mobile number signs in whatever way it is typed.
	c.login("+86 139-1234-5678", pwMinor).wantPath(t, "/cases")
	p = c.get("/account").wantPath(t, "/account")
	// The account page masks what a shoulder could read.
	p.wantText(t, "139****5678").noText(t, "13912345678", id)
}

func TestRegisterErrorsKeepValuesAndTranslate(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	valid := testIDNumber(12, birth2005)
	bad := badCheckDigit(valid)
	for _, tc := range []struct {
		lang, htmlLang, checkDigit, tooShort string
	}{
		{"en", `lang="en"`, "This number is not valid. Check each character (the last check character does not match)", "Password must be at least 10 characters"},
		{"zh-CN", `lang="zh-CN"`, "身份证号码有误，请检查每一位（最后一位校验码不匹配）", "密码至少需要10个字符"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			c := ts.newClient()
			c.setLang(tc.lang)
			p := c.register(portal.RoleGuardian, "李 <小红>", "138 0013 8000", bad, "short")
			p.wantStatus(t, http.StatusUnprocessableEntity)
			// POST-redirect-GET: the form again, by a redirect to itself.
			if p.url.Path != "/register" || len(p.redirects) != 1 || p.redirects[0] != "/register" {
				t.Fatalf("ended at %s via %v, want the form again", p.url, p.redirects)
			}
			if !strings.Contains(p.body, tc.htmlLang) {
				t.Fatalf("page is not in %s", tc.lang)
			}
			// Each problem is shown at its field and in the summary at the top.
			if got := p.fieldError("id_number"); !strings.Contains(got, tc.checkDigit) {
				t.Errorf("id_number error = %q, want %q", got, tc.checkDigit)
			}
			if got := p.fieldError("password"); !strings.Contains(got, tc.tooShort) {
				t.Errorf("password error = %q, want %q", got, tc.tooShort)
			}
			summary, ok := p.testid("error-summary")
			if !ok || !strings.Contains(summary, tc.checkDigit) || !strings.Contains(summary, tc.tooShort) {
				t.Errorf("error summary = %q", summary)
			}
			if p.fieldError("name") != "" || p.fieldError("mobile") != "" {
				t.Errorf("fields without a problem show errors: name %q, mobile %q", p.fieldError("name"), p.fieldError("mobile"))
			}
			// What was typed is kept, exactly as typed (and safely escaped).
			for field, want := range map[string]string{"name": "李 <小红>", "mobile": "138 0013 8000", "id_number": bad} {
				if got, _ := p.inputValue(field); got != want {
					t.Errorf("%s value = %q, want %q", field, got, want)
				}
			}
			if strings.Contains(p.body, "<小红>") {
				t.Error("the typed name reached the page unescaped")
			}
			if !strings.Contains(p.body, `value="guardian" checked`) {
				t.Error("the chosen role is not kept")
			}
			// Passwords are never sent back into the page.
			if got, _ := p.inputValue("password"); got != "" {
				t.Errorf("password value = %q, want none", got)
			}
			if strings.Contains(p.body, `value="short"`) {
				t.Error("the password was echoed")
			}
		})
	}
	if _, err := ts.db.AccountByLogin("13800138000"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("a failed registration created an account: %v", err)
	}
}

// Issue 13 finding 4, as the attacker sends it: registering a taken number
// and a free one gives the same status and the same page (apart from the
// random token, the form's CSRF token and the masked number typed), so the
// form does not tell which numbers have accounts. The owner of the taken
// number gets a notice by SMS, never a code, and nobody can take the number
// over. (Before the fix the taken number answered 422 "cannot be used".)
func TestRegisterDoesNotRevealTakenNumbers(t *testing.T) {
	t.Parallel()
	hasher := portal.NewPasswordHasher(portal.MinimumArgon2)
	ts := newTestServer(t, func(c *Config) { c.Hasher = hasher })
	owner := ts.createCitizen(portal.RoleMinor, "13900000011", pwMinor)
	probe := func(mobile string, seq uint64) (*testPage, time.Duration) {
		c := ts.newClient()
		c.setLang("en")
		began := time.Now()
		p := c.registerForm(portal.RoleGuardian, "张三", mobile, testIDNumber(seq, portal.Date{Year: 1980, Month: 1, Day: 2}), "another long passphrase")
		return p, time.Since(began)
	}
	d0 := hasher.Derivations()
	taken, tTaken := probe("+86 139 0000 0011", 13)
	d1 := hasher.Derivations()
	free, tFree := probe("+86 139 0000 0012", 14)
	d2 := hasher.Derivations()
	// The same work for both: one Argon2 hash each (the costly part, done in
	// the hasher's bounded pool). A form refused by the cheap checks costs
	// none.
	if d1-d0 != 1 || d2-d1 != 1 {
		t.Fatalf("Argon2 runs: taken %d, free %d; want 1 each", d1-d0, d2-d1)
	}
	ts.newClient().registerForm(portal.RoleGuardian, "张三", "13900000013", "123", "another long passphrase").
		wantStatus(t, http.StatusUnprocessableEntity)
	if d := hasher.Derivations() - d2; d != 0 {
		t.Fatalf("a form with a wrong identity number ran Argon2 %d times", d)
	}
	if taken.status != free.status || taken.status != http.StatusOK {
		t.Fatalf("status taken %d, free %d", taken.status, free.status)
	}
	normal := func(p *testPage) string {
		b := regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(p.body, `value=""`)
		return strings.ReplaceAll(strings.ReplaceAll(b, "139****0011", "M"), "139****0012", "M")
	}
	if normal(taken) != normal(free) {
		t.Fatal("the answer for a taken number differs from the answer for a free one")
	}
	// Both ran the password hash (the costly part) before answering: the
	// times are of the same order (a loose bound; the test hasher is cheap).
	t.Logf("taken %s, free %s", tTaken, tFree)
	if _, ok := ts.lastCode("13900000011", portal.OutRegisterCode); ok {
		t.Fatal("a registration code went to a number that has an account")
	}
	if _, ok := ts.lastCode("13900000012", portal.OutRegisterCode); !ok {
		t.Fatal("no code went to the free number")
	}
	notices := 0
	rows, _ := ts.db.OutboxRows()
	for _, m := range rows {
		if m.To == "13900000011" && m.Kind == portal.OutRegisterAttempt {
			notices++
		}
	}
	if notices != 1 {
		t.Fatalf("%d notices to the owner", notices)
	}
	// Whatever code the attacker types, the taken number stays the owner's.
	c := ts.newClient()
	p := c.registerForm(portal.RoleGuardian, "张三", "13900000011", testIDNumber(13, portal.Date{Year: 1980, Month: 1, Day: 2}), "another long passphrase")
	for _, code := range []string{"000000", "123456"} {
		p = c.postForm(p, "/register/code", url.Values{"code": {code}}).wantStatus(t, http.StatusUnprocessableEntity)
	}
	if a, err := ts.db.AccountByLogin("13900000011"); err != nil || a.ID != owner.ID {
		t.Fatalf("the number changed hands: %v", err)
	}
}

func TestRegisterLawyerNeedsLicence(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, tc := range []struct{ lang, want string }{
		{"en", "Enter your practice licence number"},
		{"zh-CN", "律师请输入执业证号"},
	} {
		c := ts.newClient()
		c.setLang(tc.lang)
		p := c.register(portal.RoleLawyer, "赵律师", "13700001111", testIDNumber(14, portal.Date{Year: 1985, Month: 3, Day: 4}),
			pwMinor, "firm", "测试律师事务所")
		p.wantStatus(t, http.StatusUnprocessableEntity)
		if got := p.fieldError("licence"); !strings.Contains(got, tc.want) {
			t.Fatalf("%s: licence error = %q, want %q", tc.lang, got, tc.want)
		}
		if got, _ := p.inputValue("firm"); got != "测试律师事务所" {
			t.Fatalf("firm value = %q", got)
		}
	}
}

func TestLoginSetsSessionCookie(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000021", pwMinor)
	c := ts.newClient()
	p := c.login("13900000021", pwMinor).wantPath(t, "/cases")
	if len(p.redirects) != 1 || p.redirects[0] != "/cases" {
		t.Fatalf("login redirected via %v, want straight to my cases (/cases)", p.redirects)
	}
	if p.first.StatusCode != http.StatusSeeOther {
		t.Fatalf("login answered %d, want 303", p.first.StatusCode)
	}
	ck := p.setCookie("__Host-session")
	if ck == nil || len(ck.Value) < 43 {
		t.Fatalf("no __Host-session cookie set: %v", p.set)
	}
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("session cookie %q: want HttpOnly, Secure, SameSite=Lax, Path=/ and no Domain", ck.String())
	}
	if ck.MaxAge > 0 || !ck.Expires.IsZero() {
		t.Fatalf("session cookie %q outlives the browser session", ck.String())
	}
	if csrf := p.setCookie("__Host-csrf"); csrf != nil && (!csrf.HttpOnly || !csrf.Secure || csrf.Path != "/") {
		t.Fatalf("csrf cookie %q", csrf.String())
	}
}

func TestLoginFailureIsGeneric(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000031", pwMinor)
	c := ts.newClient()
	c.setLang("en")
	const want = "We could not sign you in. The username or password is wrong, or the account is locked for 15 minutes after 5 wrong passwords."

	wrong := c.login("13900000031", "not the password at all").wantStatus(t, http.StatusUnprocessableEntity).wantText(t, want)
	unknown := c.login("13900000039", "not the password at all").wantStatus(t, http.StatusUnprocessableEntity).wantText(t, want)
	ws, _ := wrong.testid("error-summary")
	us, _ := unknown.testid("error-summary")
	if ws == "" || ws != us {
		t.Fatalf("messages differ:\nwrong password: %q\nunknown login:  %q", ws, us)
	}
	if got, _ := unknown.inputValue("login"); got != "13900000039" {
		t.Fatalf("typed login not kept: %q", got)
	}
	wantSignedOut(t, c, "/account")
}

func TestLoginLockout(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000041", pwMinor)
	c := ts.newClient()
	c.setLang("en")
	for i := 0; i < portal.MaxFailedLogins; i++ {
		c.login("13900000041", "wrong password number").wantStatus(t, http.StatusUnprocessableEntity)
	}
	// The sixth attempt has the right password and still fails, with the same
	// message as any failure.
	c.login("13900000041", pwMinor).wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "We could not sign you in.")
	wantSignedOut(t, c, "/account")

	ts.clock.advance(portal.LockoutDuration - time.Second)
	c.login("13900000041", pwMinor).wantStatus(t, http.StatusUnprocessableEntity)
	ts.clock.advance(time.Second)
	c.login("13900000041", pwMinor).wantPath(t, "/cases")
}

func TestLoginRotatesSessionID(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000051", pwMinor)
	name := ts.sessionCookie()

	// An id planted before login (fixation) is not the one after.
	c := ts.newClient()
	planted := strings.Repeat("A", 43)
	c.setCookie(name, planted)
	c.login("13900000051", pwMinor).wantPath(t, "/cases")
	first := c.cookie(name)
	if first == "" || first == planted {
		t.Fatalf("session cookie after login = %q, planted %q", first, planted)
	}

	// Signing in again in the same browser issues a new id and ends the old one.
	c.login("13900000051", pwMinor).wantPath(t, "/cases")
	second := c.cookie(name)
	if second == "" || second == first {
		t.Fatalf("session id not rotated at the second login: %q", second)
	}
	old := ts.newClient()
	old.setCookie(name, first)
	wantSignedOut(t, old, "/account")
	wantSignedIn(t, c)
}

func TestLogoutEndsSession(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000061", pwMinor)
	c := ts.newClient()
	c.setLang("en")
	c.login("13900000061", pwMinor).wantPath(t, "/cases")
	cookie := c.cookie(ts.sessionCookie())

	c.logout().wantPath(t, "/login").wantText(t, "You have signed out.")
	if got := c.cookie(ts.sessionCookie()); got != "" {
		t.Fatalf("session cookie still held after logout: %q", got)
	}
	wantSignedOut(t, c, "/account")

	// Someone who copied the cookie before logout gets nothing with it.
	thief := ts.newClient()
	thief.setCookie(ts.sessionCookie(), cookie)
	wantSignedOut(t, thief, "/account")
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000071", pwMinor)
	phone, laptop := ts.newClient(), ts.newClient()
	laptop.setLang("en")
	phone.login("13900000071", pwMinor).wantPath(t, "/cases")
	laptop.login("13900000071", pwMinor).wantPath(t, "/cases")

	// A wrong current password changes nothing.
	p := laptop.changePassword("not my password", "a brand new passphrase").wantStatus(t, http.StatusUnprocessableEntity)
	if got := p.fieldError("current_password"); !strings.Contains(got, "The current password is wrong") {
		t.Fatalf("current_password error = %q", got)
	}
	wantSignedIn(t, phone)

	before := laptop.cookie(ts.sessionCookie())
	laptop.changePassword(pwMinor, "a brand new passphrase").wantPath(t, "/account").
		wantText(t, "Your password has been changed. Every other sign-in has ended.")
	if after := laptop.cookie(ts.sessionCookie()); after == "" || after == before {
		t.Fatalf("the changing browser did not get a fresh session id")
	}
	wantSignedIn(t, laptop)
	wantSignedOut(t, phone, "/account")

	phone.login("13900000071", pwMinor).wantStatus(t, http.StatusUnprocessableEntity)
	phone.login("13900000071", "a brand new passphrase").wantPath(t, "/cases")
}

func TestDisablingEndsSessions(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	a := ts.createCitizen(portal.RoleGuardian, "13900000081", pwMinor)
	c := ts.newClient()
	c.login("13900000081", pwMinor).wantPath(t, "/cases")
	if err := ts.db.SetDisabled(a.ID, true, 0); err != nil {
		t.Fatal(err)
	}
	wantSignedOut(t, c, "/account")
	c.login("13900000081", pwMinor).wantStatus(t, http.StatusUnprocessableEntity)
}

func TestIdleTimeoutCitizen(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000091", pwMinor)
	c := ts.newClient()
	c.setLang("en")
	c.login("13900000091", pwMinor).wantPath(t, "/cases")

	// Activity keeps the session alive: 28 minutes in all, never 15 idle.
	ts.clock.advance(14 * time.Minute)
	wantSignedIn(t, c)
	ts.clock.advance(14 * time.Minute)
	wantSignedIn(t, c)

	ts.clock.advance(portal.CitizenIdleTimeout + time.Second)
	p := wantSignedOut(t, c, "/account")
	p.wantText(t, "You were signed out after a period of inactivity")
	// The ended session stays ended when the clock is not the problem.
	wantSignedOut(t, c, "/account")
}

func TestIdleTimeoutStaff(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createStaff(portal.RoleCourt, "court-1", pwStaff, false)
	c := ts.newClient()
	c.login("court-1", pwStaff).wantPath(t, "/staff")

	ts.clock.advance(4 * time.Minute)
	c.get("/staff").wantPath(t, "/staff")
	ts.clock.advance(portal.StaffIdleTimeout + time.Second)
	wantSignedOut(t, c, "/staff")
}

func TestAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleLawyer, "13900000101", pwMinor)
	c := ts.newClient()
	c.login("13900000101", pwMinor).wantPath(t, "/cases")

	step := 14 * time.Minute
	var elapsed time.Duration
	for elapsed+step < portal.AbsoluteTimeout {
		ts.clock.advance(step)
		elapsed += step
		wantSignedIn(t, c)
	}
	// Still busy, never idle, but past eight hours in all.
	ts.clock.advance(portal.AbsoluteTimeout - elapsed + time.Second)
	wantSignedOut(t, c, "/account")
}

func TestCSRFRequired(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000111", pwMinor)
	c := ts.newClient()
	token := c.get("/login").wantStatus(t, http.StatusOK).csrf(t)

	refused := func(path string, form url.Values, header ...string) {
		t.Helper()
		if len(header) == 2 {
			c.header.Set(header[0], header[1])
			defer c.header.Del(header[0])
		}
		if p := c.do(http.MethodPost, path, form); p.status != http.StatusForbidden {
			t.Fatalf("POST %s %v: status %d, want 403", path, form, p.status)
		}
	}

	login := url.Values{"login": {"13900000111"}, "password": {pwMinor}}
	refused("/login", login)
	refused("/login", with(login, "_csrf", strings.Repeat("x", 43)))
	refused("/login", with(login, "_csrf", token), "Sec-Fetch-Site", "cross-site")
	// A token of another browser is worth nothing here.
	other := ts.newClient().get("/login").csrf(t)
	refused("/login", with(login, "_csrf", other))
	wantSignedOut(t, c, "/account")

	reg := url.Values{"role": {"minor"}, "name": {"钱一"}, "mobile": {"13900000112"}, "id_number": {testIDNumber(15, birth2005)},
		"password": {pwMinor}, "password_confirm": {pwMinor}, "consent_privacy": {"yes"}, "consent_sensitive": {"yes"}}
	refused("/register", reg)
	if _, err := ts.db.AccountByLogin("13900000112"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("registration without a token created an account: %v", err)
	}
	codePage := c.submit("/register", "/register", reg).wantStatus(t, http.StatusOK)
	code, _ := ts.lastCode("13900000112", portal.OutRegisterCode)
	refused("/register/code", with(with(codePage.hiddenFields("/register/code"), "code", code), "_csrf", other))
	c.postForm(codePage, "/register/code", url.Values{"code": {code}}).wantPath(t, "/login")

	c.login("13900000111", pwMinor).wantPath(t, "/cases")
	refused("/account/password", url.Values{"current_password": {pwMinor}, "new_password": {"changed passphrase"}, "new_password_confirm": {"changed passphrase"}})
	refused("/logout", nil)
	wantSignedIn(t, c)
	c.changePassword(pwMinor, "changed passphrase").wantPath(t, "/account")
	c.logout().wantPath(t, "/login")
	wantSignedOut(t, c, "/account")
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// Without trusted proxies the client address is the socket's: a different
// X-Forwarded-For on every attempt does not earn a fresh allowance.
func TestLoginRateLimitIgnoresForwardedFor(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(c *Config) { c.LoginRate = 4 })
	c := ts.newClient()
	c.setLang("en")
	token := c.get("/login").csrf(t)
	for i := 0; i <= ts.cfg.LoginRate; i++ {
		c.header.Set("X-Forwarded-For", "203.0.113."+string(rune('1'+i)))
		c.header.Set("X-Real-IP", "198.51.100."+string(rune('1'+i)))
		// An empty password is refused without hashing, but only after the
		// limiter has counted the attempt: a cheap way to spend the allowance.
		p := c.post("/login", url.Values{"_csrf": {token}, "login": {"13900000199"}, "password": {""}})
		if i < ts.cfg.LoginRate {
			p.wantStatus(t, http.StatusUnprocessableEntity)
			continue
		}
		p.wantStatus(t, http.StatusTooManyRequests).wantText(t, "Too many attempts.")
	}
}

// Behind a trusted proxy the forwarded address is the client's: the limit is
// per client, not per proxy.
func TestLoginRateLimitTrustedProxy(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(c *Config) {
		c.LoginRate = 2
		_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
		c.TrustedProxies = append(c.TrustedProxies, loopback)
	})
	c := ts.newClient()
	token := c.get("/login").csrf(t)
	attempt := func(xff string) int {
		c.header.Set("X-Forwarded-For", xff)
		return c.post("/login", url.Values{"_csrf": {token}, "login": {"13900000198"}, "password": {""}}).status
	}
	for _, xff := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		if got := attempt(xff); got != http.StatusUnprocessableEntity {
			t.Fatalf("first attempt from %s: %d, want 422", xff, got)
		}
	}
	attempt("203.0.113.9")
	attempt("203.0.113.9")
	if got := attempt("203.0.113.9"); got != http.StatusTooManyRequests {
		t.Fatalf("third attempt from one client: %d, want 429", got)
	}
}

// The database file, read as bytes, holds no personal data in the clear:
// not the name, the mobile number (in any typed form), the identity number,
// the licence, the password or the session cookie. On PostgreSQL the same
// holds for a raw dump, the data files and the WAL (storeRawBytes).
func TestDatabaseHoldsNoPlaintextPersonalData(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	minorID := testIDNumber(16, birth2005)
	lawyerID := testIDNumber(17, portal.Date{Year: 1979, Month: 12, Day: 31})
	minor := ts.newClient()
	minor.register(portal.RoleMinor, "林晓雨", "139 8765 4321", minorID, pwMinor).wantPath(t, "/login")
	lawyer := ts.newClient()
	lawyer.register(portal.RoleLawyer, "欧阳律师", "13612340987", lawyerID, "lawyer passphrase 42",
		"licence", "31101201910987654", "firm", "测试法律援助中心").wantPath(t, "/login")
	minor.login("13987654321", "a wrong password").wantStatus(t, http.StatusUnprocessableEntity)
	minor.login("13987654321", pwMinor).wantPath(t, "/cases")
	cookie := minor.cookie(ts.sessionCookie())

	ts.srv.Close()
	if err := ts.db.Close(); err != nil {
		t.Fatal(err)
	}
	raw := storeRawBytes(t, ts)
	for _, secret := range []string{
		"林晓雨", "欧阳律师",
		"13987654321", "139 8765 4321", "98765432", "13612340987", "61234098",
		minorID, minorID[:17], minorID[6:14], lawyerID, lawyerID[:17],
		"31101201910987654",
		pwMinor, "lawyer passphrase 42",
		cookie,
	} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the database file contains %q in the clear", secret)
		}
	}
}
