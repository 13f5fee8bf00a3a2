package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
)

// Every route in the table says who may use it: a route without a
// declaration would be refused to everyone, but shipping one is a mistake.
func TestRouteTableDeclaresRoles(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range routes() {
		key := r.method + " " + r.path
		if !r.access.declared() {
			t.Errorf("%s declares no roles", key)
		}
		if r.handler == nil {
			t.Errorf("%s has no handler", key)
		}
		if seen[key] {
			t.Errorf("%s is in the table twice", key)
		}
		seen[key] = true
		for _, role := range r.access.roles {
			if !role.Valid() {
				t.Errorf("%s allows unknown role %q", key, role)
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("the route table is empty")
	}
}

// Nothing is registered outside the table, and everything in it is registered.
func TestEveryRegisteredRouteIsInTable(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	table := map[string]bool{}
	for _, r := range routes() {
		table[r.method+" "+r.path] = true
	}
	// The redirects of POST-only addresses a GET route with a parameter
	// would read as an id are the one addition (routes.go).
	for _, p := range shadowedPOSTOnly() {
		table["GET "+p] = true
	}
	registered := map[string]bool{}
	for _, r := range ts.echo.Routes() {
		key := r.Method + " " + r.Path
		registered[key] = true
		if !table[key] {
			t.Errorf("%s is registered but not in the route table", key)
		}
	}
	for key := range table {
		if !registered[key] {
			t.Errorf("%s is in the table but not registered", key)
		}
	}
}

// The zero access value is a locked door, even for a signed-in account.
func TestUndeclaredRouteIsRefused(t *testing.T) {
	t.Parallel()
	s := &Server{}
	e := echo.New()
	for _, u := range []*portal.Account{nil, {Role: portal.RoleSysadmin}, {Role: portal.RoleMinor}} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/x", nil), httptest.NewRecorder())
		if u != nil {
			c.Set(ctxUser, u)
		}
		called := false
		err := s.guard(route{method: http.MethodGet, path: "/x"})(func(echo.Context) error { called = true; return nil })(c)
		var he *echo.HTTPError
		if called || !asHTTPError(err, &he) || he.Code != http.StatusForbidden {
			t.Fatalf("undeclared route with user %v: called=%v err=%v, want 403", u, called, err)
		}
	}
}

func asHTTPError(err error, he **echo.HTTPError) bool {
	e, ok := err.(*echo.HTTPError)
	*he = e
	return ok
}

var paramRE = regexp.MustCompile(`:[^/]+`)

// concretePath fills a route pattern's parameters with plausible values.
func concretePath(pattern string) string {
	p := paramRE.ReplaceAllString(pattern, "1")
	return strings.ReplaceAll(p, "*", "x")
}

// A visitor who is not signed in is sent to log in from every guarded route,
// whatever its method, and comes back afterwards.
func TestGuardedRoutesSendVisitorsToLogin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	token := c.get("/login").csrf(t)
	n := 0
	for _, r := range routes() {
		if r.access.public {
			continue
		}
		n++
		path := concretePath(r.path)
		var form url.Values
		if r.method != http.MethodGet && r.method != http.MethodHead {
			form = url.Values{"_csrf": {token}}
		}
		p := c.do(r.method, path, form)
		// A form post comes back to the page that owns it, never to its
		// POST-only address (issue 16).
		want := "/login?next=" + safeNext(ownerPage(path))
		if p.status != http.StatusSeeOther || p.header.Get("Location") != want {
			t.Errorf("%s %s as a visitor: %d to %q, want 303 to %q", r.method, path, p.status, p.header.Get("Location"), want)
		}
	}
	if n == 0 {
		t.Fatal("no guarded routes")
	}
}

func TestStaffRouteRoles(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000201", pwMinor)
	ts.createStaff(portal.RoleCourt, "court-1", pwStaff, false)
	ts.createStaff(portal.RoleSysadmin, "sysadmin-1", pwStaff, false)

	t.Run("visitor", func(t *testing.T) {
		c := ts.newClient()
		p := c.do(http.MethodGet, "/staff", nil)
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/login?next=/staff" {
			t.Fatalf("visitor at /staff: %d to %q", p.status, p.header.Get("Location"))
		}
		// Signing in from there comes back to the console.
		c.get("/staff").wantPath(t, "/login")
		p = c.submit("/login?next=/staff", "/login", url.Values{"login": {"court-1"}, "password": {pwStaff}})
		p.wantPath(t, "/staff")
	})
	t.Run("minor", func(t *testing.T) {
		c := ts.newClient()
		c.setLang("en")
		c.login("13900000201", pwMinor).wantPath(t, "/cases")
		c.get("/staff").wantStatus(t, http.StatusForbidden).wantText(t, "You do not have permission to see this page")
	})
	t.Run("sysadmin", func(t *testing.T) {
		// The administrator manages accounts, not cases.
		c := ts.newClient()
		c.login("sysadmin-1", pwStaff).wantPath(t, "/sysadmin/accounts")
		c.get("/staff").wantStatus(t, http.StatusForbidden).wantText(t, "你没有权限访问此页面")
	})
	t.Run("court", func(t *testing.T) {
		c := ts.newClient()
		c.login("COURT-1", pwStaff).wantPath(t, "/staff")
		c.get("/staff").wantPath(t, "/staff")
	})
}

func TestOneTimePasswordMustBeChanged(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createStaff(portal.RolePolice, "police-1", pwStaff, true)
	c := ts.newClient()
	c.setLang("en")
	c.login("police-1", pwStaff).wantPath(t, "/account/password").
		wantText(t, "This is a one-time password. Set your own password before you continue.")
	for _, path := range []string{"/staff", "/account", "/"} {
		p := c.get(path).wantPath(t, "/account/password")
		if len(p.redirects) != 1 {
			t.Fatalf("GET %s redirected via %v", path, p.redirects)
		}
	}
	c.changePassword(pwStaff, "my own police passphrase").wantPath(t, "/account")
	c.get("/staff").wantPath(t, "/staff")
	c.get("/account").wantPath(t, "/account")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	for _, path := range []string{"/", "/login", "/no-such-page", "/static/app.css"} {
		p := c.get(path)
		h := p.header
		csp := h.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		for name, want := range map[string]string{
			"X-Frame-Options":        "DENY",
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
		if hsts := h.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
			t.Errorf("%s: Strict-Transport-Security = %q", path, hsts)
		}
	}
	// No inline script or style could run under that policy, so none is written.
	p := c.get("/")
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") || strings.Contains(p.body, "<style") || strings.Contains(p.body, " onclick=") {
		t.Error("the start page has inline script or style")
	}
	if cc := c.get("/static/app.css").header.Get("Cache-Control"); !strings.Contains(cc, "max-age") {
		t.Errorf("static Cache-Control = %q", cc)
	}
}

// Plain-http setups without Secure cookies get no HSTS and unprefixed cookies.
func TestInsecureCookiesSetup(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(c *Config) { c.SecureCookies = false })
	c := ts.newClient()
	p := c.get("/login")
	if hsts := p.header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("HSTS %q without secure cookies", hsts)
	}
	ck := p.setCookie("csrf")
	if ck == nil || ck.Secure || !ck.HttpOnly {
		t.Fatalf("csrf cookie %v, want plain csrf, HttpOnly, not Secure", ck)
	}
	if p.setCookie("__Host-csrf") != nil {
		t.Fatal("__Host- cookie without Secure")
	}
}

func TestSignedInPagesAreNotCached(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleGuardian, "13900000211", pwMinor)
	c := ts.newClient()
	c.login("13900000211", pwMinor).wantPath(t, "/cases")
	for _, path := range []string{"/account", "/account/password", "/"} {
		if cc := c.get(path).header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("signed in, %s: Cache-Control %q, want no-store", path, cc)
		}
	}
}

func TestNotFoundPage(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, tc := range []struct {
		name, cookie, acceptLanguage, want, htmlLang string
	}{
		{"default", "", "", "找不到该页面", `<html lang="zh-CN"`},
		{"cookie en", "en", "", "Page not found", `<html lang="en"`},
		{"cookie zh", "zh-CN", "en-GB,en;q=0.9", "找不到该页面", `<html lang="zh-CN"`},
		{"header en", "", "en-US,en;q=0.9,zh;q=0.5", "Page not found", `<html lang="en"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.newClient()
			if tc.cookie != "" {
				c.setLang(tc.cookie)
			}
			if tc.acceptLanguage != "" {
				c.header.Set("Accept-Language", tc.acceptLanguage)
			}
			p := c.get("/cases/no/such/page").wantStatus(t, http.StatusNotFound)
			if msg, _ := p.testid("error-message"); msg != tc.want {
				t.Fatalf("error message %q, want %q", msg, tc.want)
			}
			if !strings.Contains(p.body, tc.htmlLang) {
				t.Fatalf("page not marked %s", tc.htmlLang)
			}
		})
	}
}

// The language switch is a plain link that remembers the choice.
func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.get("/lang?to=en&next=/healthz").wantPath(t, "/healthz")
	c.get("/register").wantText(t, "Create an account")
	// Only local paths are followed.
	c.get("/lang?to=zh-CN&next=//evil.example").wantPath(t, "/").wantText(t, "首页")
}

func TestRequestIDHeader(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	ids := map[string]bool{}
	for _, path := range []string{"/", "/", "/no-such-page", "/healthz"} {
		id := c.get(path).header.Get(echo.HeaderXRequestID)
		if id == "" || ids[id] {
			t.Fatalf("%s: request id %q (seen: %v)", path, id, ids)
		}
		ids[id] = true
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.get("/healthz").wantStatus(t, http.StatusOK)
	c.get("/readyz").wantStatus(t, http.StatusOK)
}
