package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// accountAudits lists the audit events about an account with the given action.
func (ts *testServer) accountAudits(action portal.AuditAction, subject uint64) []portal.AuditEvent {
	ts.t.Helper()
	all, err := ts.db.AuditEntries(0, 10000)
	if err != nil {
		ts.t.Fatal(err)
	}
	var out []portal.AuditEvent
	for _, e := range all {
		if e.Action == action && e.SubjectKind == "account" && e.SubjectID == subject {
			out = append(out, e)
		}
	}
	return out
}

var recoveryCodeRE = regexp.MustCompile(`data-testid="recovery-code">([^<]*)<`)

// enrolByHand completes the enrolment page the client is on as a person
// would: it types the secret shown as text into "the app" (the test
// authenticator) and the app's code into the form. It returns the recovery
// codes page.
func enrolByHand(t *testing.T, c *testClient, p *testPage, login string) (*testPage, []string) {
	t.Helper()
	p.wantPath(t, "/account/totp/setup")
	if qr, _ := regexp.MatchString(`data-testid="totp-qr"`, p.body); !qr || !strings.Contains(p.body, `src="data:image/png;base64,`) {
		t.Fatal("the enrolment page has no inline QR image")
	}
	secret, ok := p.testid("totp-secret")
	if !ok || len(strings.ReplaceAll(secret, " ", "")) != 32 {
		t.Fatalf("secret shown as %q", secret)
	}
	c.ts.authenticator.remember(login, strings.ReplaceAll(secret, " ", ""))
	v := p.hiddenFields("/account/totp/setup")
	v.Set(csrfField, p.csrf(t))
	v.Set("code", c.ts.totpCode(login))
	codesPage := c.post("/account/totp/setup", v).wantPath(t, "/account/totp/setup")
	var codes []string
	for _, m := range recoveryCodeRE.FindAllStringSubmatch(codesPage.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != portal.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d\n%s", len(codes), portal.RecoveryCodeCount, excerpt(codesPage))
	}
	return codesPage, codes
}

// continueFrom follows the "I have saved them" link of the codes page.
func continueFrom(t *testing.T, c *testClient, codesPage *testPage) *testPage {
	t.Helper()
	m := continueRE.FindStringSubmatch(codesPage.body)
	if m == nil {
		t.Fatal("no continue link on the recovery codes page")
	}
	return c.get(m[1])
}

// manualClient is an English browser that types second-factor codes itself.
func (ts *testServer) manualClient() *testClient {
	c := ts.newClient()
	c.manualSecondFactor = true
	c.setLang("en")
	return c
}

// typeCode posts a code on the code page the client is on (login or step-up).
func typeCode(t *testing.T, c *testClient, p *testPage, code string) *testPage {
	t.Helper()
	action := "/login/code"
	if strings.Contains(p.body, `action="/account/verify"`) {
		action = "/account/verify"
	}
	v := p.hiddenFields(action)
	v.Set(csrfField, p.csrf(t))
	v.Set("code", code)
	return c.post(action, v)
}

// An official's first login: the password, then enrolment before anything
// else, then the recovery codes once, then the case page.
func TestTOTPStaffFirstLoginEnrolsThenOpensCase(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	c := w.manualClient()
	p := c.login("judge-a", staffPassword).wantPath(t, "/account/totp/setup").
		wantText(t, "Set up two-step verification", "Official accounts must use two-step verification")
	// Nothing else is open before enrolment; the page asked for is kept.
	q := c.get(staffCasePath(cs.ID)).wantPath(t, "/account/totp/setup")
	if next, _ := q.inputValue("next"); next != staffCasePath(cs.ID) {
		t.Fatalf("enrolment forgets the page asked for: next=%q", next)
	}
	// A wrong code is refused on the field, the same secret stays.
	secret, _ := p.testid("totp-secret")
	bad := c.submit("/account/totp/setup", "/account/totp/setup", url.Values{"code": {"12345"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.fieldError("code"), "Enter the 6-digit code or a recovery code.") {
		t.Fatalf("field error %q", bad.fieldError("code"))
	}
	if again, _ := bad.testid("totp-secret"); again != secret {
		t.Fatal("the secret changed on a failed confirmation")
	}
	codesPage, _ := enrolByHand(t, c, q, "judge-a")
	codesPage.wantText(t, "These recovery codes are shown only this once")
	continueFrom(t, c, codesPage).wantPath(t, staffCasePath(cs.ID))
	// The codes are never shown again.
	c.get("/account/totp/setup").wantPath(t, "/account/totp").wantText(t, "On", "Recovery codes left: 10")
	if n := len(w.accountAudits(portal.AuditTOTPEnrolled, w.judge.ID)); n != 1 {
		t.Fatalf("%d enrolment audits", n)
	}
	// In Chinese too.
	c.setLang("zh-CN")
	c.get("/account/totp").wantText(t, "两步验证", "已开启")
}

// After enrolment, the password alone opens no session: the code page asks
// for the code, a wrong one is refused, a replayed one too, and the right one
// opens the console.
func TestTOTPLoginWithCode(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	w.signIn(w.judge) // enrols through the harness' authenticator
	c := w.manualClient()
	p := c.login("judge-a", staffPassword).wantPath(t, "/login/code").wantText(t, "Enter your verification code")
	// The half-done login is not a session of the account.
	c.get("/staff").wantPath(t, "/login")
	p = c.get("/login/code").wantPath(t, "/login/code")
	bad := typeCode(t, c, p, "000000").wantStatus(t, http.StatusUnprocessableEntity)
	if msg := bad.fieldError("code"); !strings.Contains(msg, "wrong") {
		t.Fatalf("wrong code message %q", msg)
	}
	code := w.totpCode("judge-a")
	typeCode(t, c, bad, code).wantPath(t, "/staff")
	if n := len(w.accountAudits(portal.AuditSecondFactorFailed, w.judge.ID)); n != 1 {
		t.Fatalf("%d failed second factors audited, want 1", n)
	}
	// The same code (same time step) is refused to anyone else.
	c2 := w.manualClient()
	p2 := c2.login("judge-a", staffPassword).wantPath(t, "/login/code")
	typeCode(t, c2, p2, code).wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "This code has already been used")
	// Chinese message.
	c3 := w.manualClient()
	c3.setLang("zh-CN")
	p3 := c3.login("judge-a", staffPassword).wantPath(t, "/login/code")
	typeCode(t, c3, p3, code).wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "这个验证码已经用过了")
}

// Three wrong codes end the half-done login; five lock the account.
func TestTOTPWrongCodesEndPendingLoginAndLock(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	w.signIn(w.judge)
	c := w.manualClient()
	p := c.login("judge-a", staffPassword).wantPath(t, "/login/code")
	for i := 0; i < portal.PendingLoginAttempts-1; i++ {
		p = typeCode(t, c, p, "abcdef").wantStatus(t, http.StatusUnprocessableEntity)
	}
	typeCode(t, c, p, "abcdef").wantPath(t, "/login").wantText(t, "Enter your password again")
	c.get("/login/code").wantPath(t, "/login")
	// Two more wrong codes after a new password make five: locked.
	p = c.login("judge-a", staffPassword).wantPath(t, "/login/code")
	p = typeCode(t, c, p, "abcdef").wantStatus(t, http.StatusUnprocessableEntity)
	typeCode(t, c, p, "abcdef").wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "the account is locked")
	if len(w.accountAudits(portal.AuditLockout, w.judge.ID)) != 1 {
		t.Fatal("lockout not audited")
	}
	// Even the right code does not pass now.
	c.login("judge-a", staffPassword).wantStatus(t, http.StatusUnprocessableEntity)
}

// The half-done login waits five minutes at most.
func TestTOTPPendingLoginExpires(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	w.signIn(w.judge)
	c := w.manualClient()
	c.login("judge-a", staffPassword).wantPath(t, "/login/code")
	w.clock.advance(portal.PendingLoginAge + time.Second)
	c.get("/login/code").wantPath(t, "/login")
}

// A recovery code signs in once, is audited, and is spent.
func TestTOTPRecoveryCodeWorksOnce(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	c := w.manualClient()
	p := c.login("judge-a", staffPassword)
	codesPage, codes := enrolByHand(t, c, p, "judge-a")
	continueFrom(t, c, codesPage).wantPath(t, "/staff")
	c.logout()

	p = c.login("judge-a", staffPassword).wantPath(t, "/login/code")
	typeCode(t, c, p, strings.ToUpper(codes[0])).wantPath(t, "/staff")
	if len(w.accountAudits(portal.AuditRecoveryCodeUsed, w.judge.ID)) != 1 {
		t.Fatal("recovery code use not audited")
	}
	c.get("/account/totp").wantText(t, "Recovery codes left: 9")
	c.logout()
	p = c.login("judge-a", staffPassword).wantPath(t, "/login/code")
	typeCode(t, c, p, codes[0]).wantStatus(t, http.StatusUnprocessableEntity)
	typeCode(t, c, p, codes[1]).wantPath(t, "/staff")
}

// Staff who passed the second factor more than five minutes ago are asked
// again before a sealed record's page or document, and come back to it.
func TestTOTPStepUpBeforeSealedRecord(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	w.signIn(w.judge)
	c := w.manualClient()
	p := c.login("judge-a", staffPassword)
	typeCode(t, c, p, w.totpCode("judge-a")).wantPath(t, "/staff")
	c.get(staffCasePath(cs.ID)).wantPath(t, staffCasePath(cs.ID))
	// Active for six minutes (the idle limit is five, so touch in between):
	// the step-up counts from inactivity (issue 18), so working on is not
	// interrupted.
	w.clock.advance(4 * time.Minute)
	c.get("/staff").wantPath(t, "/staff")
	w.clock.advance(2 * time.Minute)
	c.get("/staff").wantPath(t, "/staff") // the queue holds no sealed contents
	c.get(staffCasePath(cs.ID)).wantPath(t, staffCasePath(cs.ID))
	// Five minutes without activity (a longer idle limit) asks again.
	goStale(t, w.testServer, c)
	p = c.get(staffCasePath(cs.ID)).wantPath(t, "/account/verify").wantText(t, "Confirm it is you")
	if p.url.Query().Get("next") != staffCasePath(cs.ID) {
		t.Fatalf("step-up next = %q", p.url.Query().Get("next"))
	}
	if n, _ := p.inputValue("next"); n != staffCasePath(cs.ID) {
		t.Fatalf("hidden next = %q", n)
	}
	typeCode(t, c, p, "000000").wantStatus(t, http.StatusUnprocessableEntity)
	typeCode(t, c, p, w.totpCode("judge-a")).wantPath(t, staffCasePath(cs.ID))
	if n := w.accountAudits(portal.AuditSecondFactorFailed, w.judge.ID); len(n) != 1 || n[0].Detail != "step_up" {
		t.Fatalf("step-up failure audit %+v", n)
	}
	// A document of the case is guarded the same way.
	goStale(t, w.testServer, c)
	doc := staffCasePath(cs.ID, "/documents/", strconv.FormatUint(cs.Documents[0].ID, 10))
	c.get(doc).wantPath(t, "/account/verify")
	for route := range sealedRecordRoutes {
		method, path, _ := strings.Cut(route, " ")
		found := false
		for _, r := range routes() {
			found = found || (r.method == method && r.path == path)
		}
		if !found {
			t.Errorf("step-up route %s is not in the route table", route)
		}
	}
}

// The step-up page never sends anyone to another site.
func TestTOTPStepUpRefusesOpenRedirect(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	w.signIn(w.judge)
	c := w.manualClient()
	typeCode(t, c, c.login("judge-a", staffPassword), w.totpCode("judge-a")).wantPath(t, "/staff")
	for _, evil := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		p := c.get("/account/verify?next="+url.QueryEscape(evil)).wantPath(t, "/account/verify")
		if n, _ := p.inputValue("next"); n != "" {
			t.Fatalf("next %q kept as %q", evil, n)
		}
		v := url.Values{csrfField: {p.csrf(t)}, "code": {w.totpCode("judge-a")}, "next": {evil}}
		q := c.post("/account/verify", v)
		if q.url.Host != strings.TrimPrefix(w.srv.URL, "http://") || q.url.Path != "/staff" {
			t.Fatalf("next %q led to %s", evil, q.url)
		}
	}
}

// A citizen may turn two-step verification on; it is then asked at login.
func TestTOTPCitizenEnables(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleGuardian, "13900007001", pwMinor)
	c := ts.manualClient()
	c.login("13900007001", pwMinor).wantPath(t, "/cases")
	p := c.get("/account/totp").wantPath(t, "/account/totp").wantText(t, "Off")
	if _, ok := p.testid("totp-enable"); !ok {
		t.Fatal("no way to turn it on")
	}
	p = c.get("/account/totp/setup")
	codesPage, _ := enrolByHand(t, c, p, "13900007001")
	continueFrom(t, c, codesPage).wantPath(t, "/account/totp").wantText(t, "Two-step verification is on.")
	c.logout()
	p = c.login("13900007001", pwMinor).wantPath(t, "/login/code")
	typeCode(t, c, p, ts.totpCode("13900007001")).wantPath(t, "/cases")
}
