package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sealportal/portal"
)

// The whole registration by code: the form answers with the code page, the
// account exists only after the code, the code page keeps its wrong tries
// and the sign-in page welcomes the new account. The language of the page
// becomes the language of the person's SMS.
func TestRegisterByCode(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.setLang("en")
	p := c.registerForm(portal.RoleMinor, "王小明", "13900000201", testIDNumber(201, birth2005), pwMinor).wantStatus(t, http.StatusOK)
	p.wantText(t, "We have sent a 6-digit code to 139****0201")
	if _, err := ts.db.AccountByLogin("13900000201"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatal("the account exists before the code")
	}
	code, ok := ts.lastCode("13900000201", portal.OutRegisterCode)
	if !ok {
		t.Fatal("no code sent")
	}
	rows, _ := ts.db.OutboxRows()
	if m := rows[len(rows)-1]; m.Lang != portal.LangEN || !strings.Contains(m.Text, code) {
		t.Fatalf("code message %+v", m)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p = c.postForm(p, "/register/code", url.Values{"code": {wrong}}).wantStatus(t, http.StatusUnprocessableEntity)
	p.wantText(t, "That code is not right")
	p = c.postForm(p, "/register/code", url.Values{"code": {"12ab"}}).wantStatus(t, http.StatusUnprocessableEntity)
	p.wantText(t, "Enter the 6-digit code")
	// A resend right away waits; the code page stays usable.
	p = c.postForm(p, "/register/code", url.Values{"action": {"resend"}}).wantStatus(t, http.StatusUnprocessableEntity)
	p.wantText(t, "once a minute")
	c.postForm(p, "/register/code", url.Values{"code": {code}}).wantPath(t, "/login").wantText(t, "Your account has been created")
	a, err := ts.db.AccountByLogin("13900000201")
	if err != nil || a.Lang != portal.LangEN || a.PrivacyConsentAt.IsZero() || a.SensitiveConsentAt.IsZero() {
		t.Fatalf("account %+v %v", a, err)
	}
	c.login("13900000201", pwMinor).wantPath(t, "/cases")
	// A forged or used token leads back to the form, not to an error page.
	c2 := ts.newClient()
	c2.setLang("en")
	p = c2.registerForm(portal.RoleMinor, "王小明", "13900000202", testIDNumber(202, birth2005), pwMinor)
	forged := p.hiddenFields("/register/code")
	forged.Set("token", "1.forged")
	forged.Set("code", "123456")
	c2.post("/register/code", forged).wantPath(t, "/register").wantText(t, "The registration expired")
}

// PIPL art. 31 and arts. 28-30 at the form: a child under 14 is told what to
// do (the guardian registers), a guardian must be an adult, and both consents
// must be ticked, each on its own. Nothing is sent and nothing is created.
func TestRegisterChildGuardianAndConsent(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	today := portal.DateOf(testEpoch)
	c := ts.newClient()
	c.setLang("en")
	child := portal.Date{Year: today.Year - 12, Month: 1, Day: 1}
	p := c.registerForm(portal.RoleMinor, "小明", "13900000211", testIDNumber(211, child), pwMinor).wantStatus(t, http.StatusUnprocessableEntity)
	if got := p.fieldError("id_number"); !strings.Contains(got, "Children under 14 cannot register themselves. Ask a parent or other guardian") {
		t.Fatalf("under 14: %q", got)
	}
	teen := portal.Date{Year: today.Year - 16, Month: 1, Day: 1}
	p = c.registerForm(portal.RoleGuardian, "小红", "13900000212", testIDNumber(212, teen), pwMinor).wantStatus(t, http.StatusUnprocessableEntity)
	if got := p.fieldError("id_number"); !strings.Contains(got, "Guardians and lawyers must be 18 or older") {
		t.Fatalf("teen guardian: %q", got)
	}
	p = c.registerForm(portal.RoleMinor, "小刚", "13900000213", testIDNumber(213, birth2005), pwMinor, "consent_sensitive", "").
		wantStatus(t, http.StatusUnprocessableEntity)
	if got := p.fieldError("consent_sensitive"); !strings.Contains(got, "separate consent") || p.fieldError("consent_privacy") != "" {
		t.Fatalf("sensitive consent: %q / %q", got, p.fieldError("consent_privacy"))
	}
	p.wantText(t, "How we handle your personal information")
	if got, _ := p.inputValue("name"); got != "小刚" {
		t.Fatalf("typed name lost: %q", got)
	}
	for _, m := range []string{"13900000211", "13900000212", "13900000213"} {
		if _, ok := ts.lastCode(m, portal.OutRegisterCode); ok {
			t.Fatalf("a code went to %s for a refused form", m)
		}
	}
}

// Registrations are limited per mobile number, whoever asks and from
// wherever: the sixth within minutes is refused without sending anything.
func TestRegisterRateLimitPerNumber(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for i := range perNumberBurst + 1 {
		c := ts.newClient()
		c.header.Set("X-Forwarded-For", "203.0.113."+string(rune('1'+i))) // ignored: no trusted proxy
		p := c.registerForm(portal.RoleMinor, "王小明", "13900000221", testIDNumber(221, birth2005), pwMinor)
		want := http.StatusOK
		if i == perNumberBurst {
			want = http.StatusTooManyRequests
		}
		p.wantStatus(t, want)
	}
	rows, _ := ts.db.OutboxRows()
	n := 0
	for _, m := range rows {
		if m.To == "13900000221" {
			n++
		}
	}
	if n != perNumberBurst {
		t.Fatalf("%d messages to the number, want %d", n, perNumberBurst)
	}
}

// Forgot password: a reset by SMS code sets the new password, ends every
// session, lifts a lockout, and says so on the sign-in page; an unknown
// number gets the same page and no SMS.
func TestForgotPasswordResetsAndUnlocks(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000231", pwMinor)
	other := ts.newClient()
	other.login("13900000231", pwMinor).wantPath(t, "/cases")
	attacker := ts.newClient()
	for range portal.MaxFailedLogins {
		attacker.login("13900000231", "wrong password here").wantStatus(t, http.StatusUnprocessableEntity)
	}
	c := ts.newClient()
	c.setLang("en")
	c.login("13900000231", pwMinor).wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "Forgot password")
	c.get("/login").wantText(t, "Forgot your password or locked out?")

	known := c.submit("/login/forgot", "/login/forgot", url.Values{"mobile": {"139 0000 0231"}}).wantStatus(t, http.StatusOK)
	unknown := ts.newClient()
	unknown.setLang("en")
	u := unknown.submit("/login/forgot", "/login/forgot", url.Values{"mobile": {"13900000239"}}).wantStatus(t, http.StatusOK)
	if _, ok := ts.lastCode("13900000239", portal.OutResetCode); ok {
		t.Fatal("a reset code went to a number without an account")
	}
	u.wantText(t, "If 139****0239 has an account")
	code, ok := ts.lastCode("13900000231", portal.OutResetCode)
	if !ok {
		t.Fatal("no reset code")
	}
	const newPw = "a brand new passphrase"
	p := c.postForm(known, "/login/reset", url.Values{"code": {code}, "new_password": {newPw}, "new_password_confirm": {"typo"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	c.postForm(p, "/login/reset", url.Values{"code": {code}, "new_password": {newPw}, "new_password_confirm": {newPw}}).
		wantPath(t, "/login").wantText(t, "any lock is lifted")
	wantSignedOut(t, other, "/account")
	c.login("13900000231", newPw).wantPath(t, "/cases")
	if _, ok := ts.lastCode("13900000231", portal.OutPasswordChanged); ok {
		t.Fatal("lastCode found a parameter on a notice")
	}
	rows, _ := ts.db.OutboxRows()
	notice := false
	for _, m := range rows {
		notice = notice || (m.To == "13900000231" && m.Kind == portal.OutPasswordChanged)
	}
	if !notice {
		t.Fatal("the owner was not told the password changed")
	}
}

// E-mail for notices: added on the account page, used only after its code.
func TestAccountEmail(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	a := ts.createCitizen(portal.RoleMinor, "13900000241", pwMinor)
	c := ts.newClient()
	c.setLang("en")
	c.login("13900000241", pwMinor).wantPath(t, "/cases")
	c.get("/account").wantText(t, "Text messages and e-mail")
	// The language of the person's messages can be changed here.
	c.submit("/account/email", "/account/email", url.Values{"action": {"lang"}, "lang": {"fr"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "Choose a language")
	c.submit("/account/email", "/account/email", url.Values{"action": {"lang"}, "lang": {"en"}}).
		wantPath(t, "/account/email").wantText(t, "Text messages and e-mails will come in that language")
	if got, _ := ts.db.Account(a.ID); got.Lang != portal.LangEN {
		t.Fatalf("lang %q", got.Lang)
	}
	c.submit("/account/email", "/account/email", url.Values{"action": {"send"}, "email": {"not an address"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "Enter a valid e-mail address")
	c.submit("/account/email", "/account/email", url.Values{"action": {"send"}, "email": {"me@example.org"}}).
		wantPath(t, "/account/email").wantText(t, "We sent a code to me@example.org")
	code, ok := ts.lastCode("me@example.org", portal.OutEmailCode)
	if !ok {
		t.Fatal("no code e-mailed")
	}
	c.submit("/account/email", "/account/email", url.Values{"action": {"confirm"}, "code": {code}}).
		wantPath(t, "/account/email").wantText(t, "Notices also go to me@example.org")
	if got, _ := ts.db.Account(a.ID); got.Email != "me@example.org" {
		t.Fatalf("email %q", got.Email)
	}
	c.submit("/account/email", "/account/email", url.Values{"action": {"remove"}}).wantPath(t, "/account/email").wantText(t, "E-mails stopped")
}
