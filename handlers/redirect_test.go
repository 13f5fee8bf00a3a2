package handlers

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sealportal/portal"
)

// browserResolve resolves a Location the way a browser's URL parser does:
// tabs and newlines are removed anywhere, and a backslash counts as a slash.
// The host it lands on is what matters to an open redirect.
func browserResolve(t testing.TB, base, loc string) *url.URL {
	t.Helper()
	clean := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, strings.TrimLeft(loc, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
	b, _ := url.Parse(base)
	u, err := url.Parse(clean)
	if err != nil {
		return &url.URL{Host: "unparseable"}
	}
	return b.ResolveReference(u)
}

// evilNexts are return addresses an attacker puts in links: other sites
// spelled the ways browsers forgive.
var evilNexts = []string{
	"//evil.example/", "/\t/evil.example/", "/%09/evil.example/", "/\n/evil.example", "/\r\n/evil.example",
	"/\\evil.example", "/%5Cevil.example", "\\/evil.example", "https://evil.example/", "http:evil.example",
	"javascript:alert(1)", " /x", "/\x00/evil.example", "/\x7f/evil.example", "/%2F/evil.example",
	"/%2f%2fevil.example", "/ /evil.example", "/\x0b/evil.example", "/\x0c/evil.example",
}

// TestLocalPath: the one check of return addresses keeps local paths (with
// their query, encoded again) and refuses everything else.
func TestLocalPath(t *testing.T) {
	t.Parallel()
	keep := map[string]string{
		"/staff":                  "/staff",
		"/staff/cases/7?done=x":   "/staff/cases/7?done=x",
		"/a?b=c&a=d":              "/a?a=d&b=c",
		"/cases/1#messages":       "/cases/1",
		"/x?q=a%20b":              "/x?q=a+b",
		"/%E4%B8%AD":              "/%E4%B8%AD",
		"/中":                      "/%E4%B8%AD",
		"/report?next=//evil.com": "/report?next=%2F%2Fevil.com",
	}
	for in, want := range keep {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
	for _, in := range append(evilNexts, "", "staff", strings.Repeat("/a", 101), "/x?a=%00", "/x?%09=1") {
		if got := localPath(in); got != "" {
			t.Errorf("localPath(%q) = %q, want refused", in, got)
		}
	}
}

// FuzzLocalPath: whatever comes in, what localPath accepts is a path that a
// browser resolves on this site, and checking it again changes nothing.
// Seeds are in testdata/fuzz/FuzzLocalPath.
func FuzzLocalPath(f *testing.F) {
	for _, s := range append(evilNexts, "/staff", "/a?b=c", "/%E4%B8%AD#x") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := localPath(in)
		if out == "" {
			return
		}
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || unsafeInPath(out) || len(out) > maxLocalPath {
			t.Fatalf("localPath(%q) = %q", in, out)
		}
		if u := browserResolve(t, "https://portal.example/base/", out); u.Host != "portal.example" || u.Scheme != "https" {
			t.Fatalf("localPath(%q) = %q lands on %s", in, out, u)
		}
		if again := localPath(out); again != out {
			t.Fatalf("not stable: %q -> %q -> %q", in, out, again)
		}
	})
}

// TestOpenRedirectAsAttacker: the attacker's links through the language
// switch, the login form, enrolment and step-up never lead off the site.
func TestOpenRedirectAsAttacker(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleGuardian, "13900007101", pwMinor)
	host := strings.TrimPrefix(ts.srv.URL, "http://")
	nc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, evil := range evilNexts {
		// /lang?next=…: a plain GET redirect anyone can be sent to.
		resp, err := nc.Get(ts.srv.URL + "/lang?to=en&next=" + url.QueryEscape(evil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if u := browserResolve(t, ts.srv.URL+"/lang", resp.Header.Get("Location")); u.Host != host {
			t.Errorf("/lang next %q redirects to %s", evil, u)
		}
		// The login form keeps next in a hidden field only when it is local.
		c := ts.manualClient()
		p := c.get("/login?next=" + url.QueryEscape(evil))
		if n, _ := p.inputValue("next"); n != "" && browserResolve(t, ts.srv.URL, n).Host != host {
			t.Errorf("login form keeps next %q as %q", evil, n)
		}
		v := url.Values{csrfField: {p.csrf(t)}, "login": {"13900007101"}, "password": {pwMinor}, "next": {evil}}
		q := c.post("/login", v)
		for _, loc := range q.redirects {
			if u := browserResolve(t, ts.srv.URL+"/login", loc); u.Host != host {
				t.Errorf("login next %q redirects to %s", evil, u)
			}
		}
		// Enrolment keeps next for its continue link.
		e := c.get("/account/totp/setup?next=" + url.QueryEscape(evil))
		if n, _ := e.inputValue("next"); n != "" && browserResolve(t, ts.srv.URL, n).Host != host {
			t.Errorf("enrolment keeps next %q as %q", evil, n)
		}
	}
}

// The continue link after second-factor enrolment, reached from an
// attacker's link with a hostile next, stays on the site (issue 13 finding 3).
func TestOpenRedirectEnrolmentContinue(t *testing.T) {
	t.Parallel()
	for i, evil := range []string{"/\t/evil.example/", "/%09/evil.example/", "/\\evil.example"} {
		ts := newTestServer(t)
		host := strings.TrimPrefix(ts.srv.URL, "http://")
		mobile := "1390000740" + string(rune('1'+i))
		ts.createCitizen(portal.RoleGuardian, mobile, pwMinor)
		c := ts.manualClient()
		c.login(mobile, pwMinor).wantPath(t, "/cases")
		// The attacker's link passes next in the query, encoded.
		p := c.get("/account/totp/setup?next=" + url.QueryEscape(evil))
		codesPage, _ := enrolByHand(t, c, p, mobile)
		m := continueRE.FindStringSubmatch(codesPage.body)
		if m == nil {
			t.Fatal("no continue link")
		}
		if u := browserResolve(t, ts.srv.URL+"/account/totp/setup", html.UnescapeString(m[1])); u.Host != host {
			t.Fatalf("next %q: continue link %q leads to %s", evil, m[1], u)
		}
		// The same hostile next posted with the enrolment form directly.
		q := c.post("/account/totp/setup", url.Values{csrfField: {p.csrf(t)}, "code": {"000000"}, "next": {evil}})
		if n, _ := q.inputValue("next"); n != "" && browserResolve(t, ts.srv.URL, n).Host != host {
			t.Fatalf("next %q kept as %q", evil, n)
		}
	}
}
