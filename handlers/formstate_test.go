package handlers

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// isPage reports whether an answer is an HTML page.
func isPage(p *testPage) bool {
	return strings.HasPrefix(p.header.Get("Content-Type"), "text/html")
}

// TestEveryPOSTAnswersWithRedirect walks the route table (through the
// authorization matrix's rows: every GET and every POST route, as every
// role, with each route's own form and, for POSTs, an empty one, which is
// the error path) and fails on a form post answered with a page: every POST
// is answered with a redirect (issue 16), except the routes listed in
// directAnswerPOSTs, which the README lists too. Error pages (404, 403, 413)
// say what went wrong with the request itself. GET of an address that only
// takes posts is sent to the page that owns it.
func TestEveryPOSTAnswersWithRedirect(t *testing.T) {
	t.Parallel()
	w := newMatrixWorld(t)
	rs := mxCheckSpecs(t, w)
	posts := 0
	for i, role := range mxRoles {
		t.Run(string(role), func(t *testing.T) {
			c := w.signIn(t, role, i)
			for _, row := range mxRows(t, w, rs, role) {
				key := row.route.method + " " + row.route.path
				if row.route.method == http.MethodGet {
					if p := c.do(http.MethodGet, row.path, nil); p.status >= 500 {
						t.Errorf("GET %s as %s: %d", row.path, role, p.status)
					}
					continue
				}
				forms := []url.Values{row.form}
				if mxSpecs[mxRouteKey(row.route)].order == 0 && len(row.form) > 0 {
					forms = append(forms, nil) // nothing filled in
				}
				for _, f := range forms {
					v := url.Values{}
					for k, vs := range f {
						v[k] = vs
					}
					v.Set(csrfField, c.cookie(mxCookie(w.testServer, "csrf")))
					p := c.do(row.route.method, row.path, v)
					posts++
					if _, exempt := directAnswerPOSTs[key]; exempt || isAPI2(row.path) {
						continue
					}
					if p.status >= 200 && p.status < 300 && isPage(p) {
						t.Errorf("POST %s as %s (%s) answered %d with a page, want a redirect", row.path, role, row.own, p.status)
					}
					if isPage(p) && (p.status == http.StatusBadRequest || p.status == http.StatusConflict || p.status == http.StatusUnprocessableEntity) {
						t.Errorf("POST %s as %s (%s) answered %d with a page, want a redirect", row.path, role, row.own, p.status)
					}
				}
				// A bookmark of a POST-only address goes to its page.
				if role != mxAnonymous && row.own != mxForeign && row.own != mxOtherOrgan && !isGETPage(row.path) && !isAPI2(row.path) {
					p := c.do(http.MethodGet, row.path, nil)
					if p.status != http.StatusSeeOther || p.header.Get("Location") != ownerPage(row.path) {
						t.Errorf("GET of POST-only %s as %s: %d to %q, want 303 to %q", row.path, role, p.status, p.header.Get("Location"), ownerPage(row.path))
					}
				}
			}
		})
	}
	if posts < 500 {
		t.Fatalf("only %d posts sent", posts)
	}
}

func isAPI2(path string) bool { return strings.HasPrefix(path, "/api/") }

// The README's "Forms, Back and time-outs" lists exactly the POST routes
// answered directly with a page.
func TestREADMEListsDirectAnswers(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i := strings.Index(s, "## Forms, Back and time-outs")
	if i < 0 {
		t.Fatal("README has no section \"Forms, Back and time-outs\"")
	}
	s = s[i+3:]
	if j := strings.Index(s, "\n## "); j >= 0 {
		s = s[:j]
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^- `(POST [^`]+)`").FindAllStringSubmatch(s, -1) {
		listed = append(listed, m[1])
	}
	var want []string
	for k := range directAnswerPOSTs {
		want = append(want, k)
	}
	slices.Sort(listed)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("README lists %v, directAnswerPOSTs has %v", listed, want)
	}
}

// A form's errors survive a refresh (the browser's reload) but not a fresh
// visit or another page, the typed values are never in a URL, and the
// answer is another account's never.
func TestFormAnswerRefreshAndNavigation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.setLang("en")
	p := c.register(portal.RoleGuardian, "李小红", "138 0013 8000", "not an id number", "short")
	p.wantStatus(t, http.StatusUnprocessableEntity)
	if p.first.StatusCode != http.StatusSeeOther || p.url.RequestURI() != "/register" {
		t.Fatalf("POST /register answered %d, ended at %s", p.first.StatusCode, p.url)
	}
	if strings.Contains(p.url.RawQuery, "138") || !strings.Contains(p.body, "李小红") {
		t.Fatalf("typed values lost or in the URL: %s", p.url)
	}
	// A reload shows the answer again: the errors and the typed name.
	c.header.Set("Cache-Control", "max-age=0")
	r := c.get("/register").wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "李小红") {
		t.Fatal("reload lost the typed name")
	}
	c.header.Del("Cache-Control")
	// Another page drops it; coming back shows the empty form.
	c.get("/").wantStatus(t, http.StatusOK)
	c.header.Set("Cache-Control", "max-age=0")
	back := c.get("/register").wantStatus(t, http.StatusOK)
	c.header.Del("Cache-Control")
	if strings.Contains(back.body, "李小红") {
		t.Fatal("the answer survived a visit to another page")
	}
	// A fresh visit (a link, not a reload) of the same page shows it afresh.
	c.register(portal.RoleGuardian, "李小红", "138 0013 8000", "not an id number", "short").wantStatus(t, http.StatusUnprocessableEntity)
	c.get("/register").wantStatus(t, http.StatusOK)
	// The answer is stored sealed for minutes, then gone.
	c.register(portal.RoleGuardian, "李小红", "138 0013 8000", "not an id number", "short")
	ts.clock.advance(portal.FormAnswerAge + time.Second)
	c.header.Set("Cache-Control", "max-age=0")
	c.get("/register").wantStatus(t, http.StatusOK)
}

// Refreshing after adding evidence never adds it twice: the post is answered
// by a redirect, and the refresh is a GET.
func TestRefreshAfterMessageDoesNotResend(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	page := staffCasePath(cs.ID)
	form := judge.get(page)
	p := judge.postForm(form, page+"/messages", url.Values{"text": {"请补充材料一份"}})
	if p.first.StatusCode != http.StatusSeeOther {
		t.Fatalf("message post answered %d", p.first.StatusCode)
	}
	judge.header.Set("Cache-Control", "max-age=0")
	judge.get(p.url.RequestURI())
	judge.get(p.url.RequestURI())
	msgs, err := w.db.Messages(cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Text == "请补充材料一份" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d copies of the message after two refreshes", n)
	}
}

// A GET of an address that only takes posts (a bookmark, a re-login landing)
// goes to the page that owns it; an unknown id still ends in 404.
func TestGETOfPostOnlyAddress(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	judge.get(staffCasePath(cs.ID, "/actions/accept")).wantPath(t, staffCasePath(cs.ID))
	judge.get(staffCasePath(cs.ID, "/messages")).wantPath(t, staffCasePath(cs.ID))
	judge.get("/staff/cases/987654/messages").wantStatus(t, http.StatusNotFound)
	judge.get("/track/add").wantPath(t, "/track")
	judge.get("/logout").wantPath(t, "/")
	// A visitor sent to sign in from a POST-only address comes back to its page.
	v := w.newClient()
	p := v.get(staffCasePath(cs.ID, "/messages"))
	if len(p.redirects) < 2 || p.redirects[1] != "/login?next="+staffCasePath(cs.ID) {
		t.Fatalf("redirects %v", p.redirects)
	}
}

// A form posted after the session timed out is kept (without secrets or
// files) and filled back into the same form after the same account signs in
// again; another account never sees it.
func TestExpiredFormKeptAcrossSignIn(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	page := staffCasePath(cs.ID)
	form := judge.get(page)
	csrf := form.csrf(t)
	w.clock.advance(portal.StaffIdleTimeout + time.Minute)
	const typed = "这段很长的说明是我在会话超时前写的"
	p := judge.post(page+"/messages", url.Values{csrfField: {csrf}, "text": {typed}, "totp_code": {"123456"}})
	p.wantPath(t, "/login")
	if got := p.redirects[0]; got != "/login?next="+page+"&done=expired" {
		t.Fatalf("sent to %s", got)
	}
	if strings.Contains(strings.Join(p.redirects, " "), "这段") {
		t.Fatal("typed text in a URL")
	}
	back := judge.postForm(p, "/login", url.Values{"login": {"judge-a"}, "password": {staffPassword}})
	back.wantPath(t, page).wantText(t, typed)
	if _, ok := back.testid("form-kept"); !ok {
		t.Fatal("no notice that the form was kept")
	}
	if strings.Contains(back.body, "123456") {
		t.Fatal("a code was kept")
	}
	// Filled in once: the next visit shows the form afresh.
	if again := judge.get(page); strings.Contains(again.body, typed) {
		t.Fatal("kept form shown twice")
	}
}

// Another account signing in on the same browser never sees a kept form.
func TestExpiredFormNotShownToAnotherAccount(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	page := staffCasePath(cs.ID)
	csrf := judge.get(page).csrf(t)
	w.clock.advance(portal.StaffIdleTimeout + time.Minute)
	judge.post(page+"/messages", url.Values{csrfField: {csrf}, "text": {"只给本人看的草稿"}}).wantPath(t, "/login")
	other := w.createStaff(portal.RoleCourt, "judge-other", staffPassword, false)
	_ = other
	p := judge.login("judge-other", staffPassword)
	if strings.Contains(p.body, "只给本人看的草稿") {
		t.Fatal("another account saw the kept form")
	}
	q := judge.get(page)
	if strings.Contains(q.body, "只给本人看的草稿") {
		t.Fatal("another account saw the kept form on the page")
	}
}

// The step-up counts from inactivity (issue 18): an official who works on
// is not asked again for the code.
func TestStepUpCountsFromInactivity(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	page := staffCasePath(cs.ID)
	for range 6 {
		w.clock.advance(2 * time.Minute)
		judge.get(page).wantPath(t, page)
	}
	goStale(t, w.testServer, judge)
	judge.manualSecondFactor = true
	judge.get(page).wantPath(t, "/account/verify")
}

// A citizen lands on "my cases" after signing in.
func TestCitizenLandsOnMyCases(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900009901", pwMinor)
	c := ts.newClient()
	c.login("13900009901", pwMinor).wantPath(t, "/cases")
	c.logout()
	// Sent to sign in from a page, back to that page.
	p := c.get("/certificates")
	p = c.postForm(p, "/login", url.Values{"login": {"13900009901"}, "password": {pwMinor}})
	p.wantPath(t, "/certificates")
}

// The time limit is stated on signed-in pages without JavaScript, with the
// dialog for scripts; the TOTP code field has autofocus.
func TestTimeLimitStated(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900009902", pwMinor)
	c := ts.newClient()
	c.setLang("en")
	p := c.login("13900009902", pwMinor)
	p.wantText(t, "you are signed out after 15 minutes without activity")
	if _, ok := p.testid("session-timeout"); !ok {
		t.Fatal("no time-out dialog")
	}
	c.post("/session/keepalive", url.Values{csrfField: {p.csrf(t)}}).wantStatus(t, http.StatusNoContent)
}

// What a page loads (its CSS, script, a document shown in it) does not drop
// the page's kept answer before a reload.
func TestFormAnswerSurvivesAssets(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.register(portal.RoleGuardian, "王小二", "138 0013 8001", "not an id number", "short").wantStatus(t, http.StatusUnprocessableEntity)
	c.get("/static/app.css").wantStatus(t, http.StatusOK)
	c.get("/healthz")
	c.header.Set("Cache-Control", "max-age=0")
	if p := c.get("/register"); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "王小二") {
		t.Fatalf("reload after the page's assets: %d", p.status)
	}
}

// Refreshing the page after adding a document to an application does not
// add it twice: the upload is answered by a redirect, the refresh is a GET.
func TestRefreshAfterUploadAddsNothing(t *testing.T) {
	t.Parallel()
	ts, c, id := uploadDraft(t, 41)
	p := applyUpload(t, c, id, "identity", "id.png", applyPNG).wantPath(t, applyP(id, "documents"))
	c.header.Set("Cache-Control", "max-age=0")
	c.get(p.url.RequestURI())
	c.get(p.url.RequestURI())
	cs, err := ts.db.Case(id)
	if err != nil || len(cs.Documents) != 1 {
		t.Fatalf("after two refreshes: %d documents, %v", len(cs.Documents), err)
	}
}
