package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sealportal/portal"
)

var sessionHandleInPage = regexp.MustCompile(`name="session" value="([0-9a-f]{24})"`)

// A person sees where they are signed in (browser and system, when it
// started, when last used; no address) and ends a session they do not
// recognise; that browser is signed out, the end is audited, and nobody can
// end another account's session (issue 13 finding 6).
func TestAccountSessionsListAndEnd(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.createCitizen(portal.RoleGuardian, "13900007301", pwMinor)
	phone := ts.newClient()
	phone.setLang("en")
	phone.header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36")
	phone.login("13900007301", pwMinor).wantPath(t, "/cases")
	ts.clock.advance(2 * 60e9)
	laptop := ts.newClient()
	laptop.setLang("en")
	laptop.header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0")
	laptop.login("13900007301", pwMinor).wantPath(t, "/cases")
	p := laptop.get("/account").wantPath(t, "/account")
	p.wantText(t, "Where you are signed in", "Chrome · Android", "Firefox · Windows", "This device", "10 March 2026")
	if strings.Contains(p.body, "127.0.0.1") {
		t.Fatal("the sessions list shows an address")
	}
	handles := sessionHandleInPage.FindAllStringSubmatch(p.body, -1)
	if len(handles) != 2 {
		t.Fatalf("%d sessions listed, want 2", len(handles))
	}
	// The first row is this laptop (most recently used); the second the phone.
	phoneHandle := handles[1][1]

	// Someone else cannot end the phone's session.
	other := ts.newClient()
	other.setLang("en")
	ts.createCitizen(portal.RoleGuardian, "13900007302", pwMinor)
	q := other.login("13900007302", pwMinor).wantPath(t, "/cases")
	other.post("/account/sessions/end", url.Values{csrfField: {q.csrf(t)}, "session": {phoneHandle}}).wantStatus(t, http.StatusNotFound)
	other.post("/account/sessions/end", url.Values{csrfField: {q.csrf(t)}, "session": {"../x"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantText(t, "Choose the session to end.")
	phone.get("/account").wantPath(t, "/account")

	// Without the CSRF token nothing happens.
	laptop.post("/account/sessions/end", url.Values{"session": {phoneHandle}}).wantStatus(t, http.StatusForbidden)
	phone.get("/account").wantPath(t, "/account")

	// The owner ends the phone's session from the laptop.
	laptop.post("/account/sessions/end", url.Values{csrfField: {p.csrf(t)}, "session": {phoneHandle}}).
		wantPath(t, "/account").wantText(t, "The session has ended")
	phone.get("/account").wantPath(t, "/login")
	evs := ts.accountAudits(portal.AuditSessionsEnded, owner.ID)
	if len(evs) != 1 || evs[0].Detail != "one_by_holder" || evs[0].ActorID != owner.ID {
		t.Fatalf("audit %+v", evs)
	}
	// Ending this device signs out.
	p = laptop.get("/account")
	mine := sessionHandleInPage.FindStringSubmatch(p.body)
	laptop.post("/account/sessions/end", url.Values{csrfField: {p.csrf(t)}, "session": {mine[1]}}).wantPath(t, "/login")
	laptop.get("/account").wantPath(t, "/login")
}
