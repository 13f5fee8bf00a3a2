package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"

	"sealportal/portal"
	"sealportal/views"
)

// TestJourneyRegisterLoginLanguageLogout: a young person finds the start
// page, registers (getting one thing wrong first), signs in, reads the account
// page, switches to English and signs out. Every page is checked with axe in
// Chinese and in English.
func TestJourneyRegisterLoginLanguageLogout(t *testing.T) {
	h := newHarness(t)
	zh, en := views.LangZH, views.LangEN
	const mobile = "13812345678"
	idNumber := portal.SyntheticIDNumber(1, portal.Date{Year: 2006, Month: 3, Day: 14}).String()

	// The start page, in Chinese because the browser asks for it.
	h.visit("/")
	h.expectLang(zh)
	h.expectText("[data-testid=page-heading]", msg(zh, "start.heading"))
	h.clickAndWait("[data-testid=start-register]")
	h.expectPath("/register")
	h.expectText("[data-testid=page-heading]", msg(zh, "register.title"))

	// A first try with no name and a mistyped identity number (wrong check
	// digit): the error summary lists both, and what was typed is kept.
	h.click("#role-minor")
	h.fill("#mobile", mobile)
	h.fill("#id_number", wrongCheckDigit(idNumber))
	h.fill("#password", testPassword)
	h.fill("#password_confirm", testPassword)
	h.click("#consent_privacy")
	h.click("#consent_sensitive")
	h.clickAndWait("[data-testid=register-submit]")
	h.expectPath("/register")
	if !h.exists("[data-testid=error-summary]") {
		t.Fatalf("no error summary after submitting an empty name; heading %q", h.text("[data-testid=page-heading]"))
	}
	for _, field := range []string{"name", "id_number"} {
		if !h.exists("[data-testid=error-summary] a[href='#" + field + "']") {
			t.Errorf("the error summary has no link to #%s: %q", field, h.text("[data-testid=error-summary]"))
		}
		if !h.exists("[data-testid=error-" + field + "]") {
			t.Errorf("no error message at the %s field", field)
		}
		if got := h.attr("#"+field, "aria-invalid"); got != "true" {
			t.Errorf("#%s aria-invalid = %q, want true", field, got)
		}
	}
	if h.exists("[data-testid=error-mobile]") {
		t.Errorf("the valid mobile number is marked wrong: %q", h.text("[data-testid=error-mobile]"))
	}
	if got := h.value("#mobile"); got != mobile {
		t.Errorf("the typed mobile number was not kept: %q", got)
	}
	if got := h.value("#id_number"); got != wrongCheckDigit(idNumber) {
		t.Errorf("the typed identity number was not kept: %q", got)
	}
	if !evalJS[bool](h, `document.getElementById("role-minor").checked`) {
		t.Errorf("the chosen role was not kept")
	}
	if got := h.value("#password"); got != "" {
		t.Errorf("the password was sent back into the page")
	}
	// app.js moves the focus to the summary: proof that the script runs
	// under the CSP.
	if !evalJS[bool](h, `document.activeElement?.dataset?.testid === "error-summary"`) {
		t.Errorf("the focus is not on the error summary (app.js did not run?)")
	}
	h.screenshot("register-errors")

	// Fixed: a code comes by SMS (read from the demo outbox), and once it
	// is typed in the account is created and the login page says so. The
	// consents ticked the first time were kept.
	h.fill("#name", "张小明")
	h.fill("#id_number", idNumber)
	h.fill("#password", testPassword)
	h.fill("#password_confirm", testPassword)
	h.clickAndWait("[data-testid=register-submit]")
	h.enterRegistrationCode(mobile)
	h.expectPath("/login")
	h.expectText("[data-testid=notice]", msg(zh, "login.notice_registered"))

	// Sign in with the mobile number.
	h.fill("#login", mobile)
	h.fill("#password", testPassword)
	h.clickAndWait("[data-testid=login-submit]")
	// A citizen lands on "my cases" (issue 16).
	h.expectPath("/cases")
	h.both("")
	h.both("")
	h.visit("/account")
	h.expectText("[data-testid=page-heading]", msg(zh, "account.title"))
	h.expectText("[data-testid=account-role]", msg(zh, "role.minor"))
	if got := h.text("[data-testid=nav-account]"); !strings.Contains(got, msg(zh, "role.minor")) {
		t.Errorf("the header's account link %q does not show the role", got)
	}
	// Personal data is masked on screen.
	if body := h.text("main"); strings.Contains(body, mobile) || strings.Contains(body, idNumber) {
		t.Errorf("the account page shows the full mobile or identity number: %q", body)
	}
	checkSessionCookies(t, h.cookies())

	// Switch to English: the same page, now in English, remembered in a cookie.
	h.switchLanguage()
	h.expectPath("/account")
	h.expectLang(en)
	h.expectText("[data-testid=page-heading]", msg(en, "account.title"))
	h.expectText("[data-testid=account-role]", msg(en, "role.minor"))
	if c := h.cookies()["lang"]; c == nil || c.Value != string(en) {
		t.Errorf("language cookie = %+v, want lang=en", c)
	}
	h.screenshot("account-en")

	// Sign out: back at the login page, told so in English, session gone.
	h.logout()
	h.expectPath("/login")
	h.expectLang(en)
	h.expectText("[data-testid=page-heading]", msg(en, "login.title"))
	h.expectText("[data-testid=notice]", msg(en, "login.notice_logged_out"))
	if h.exists("[data-testid=logout]") || !h.exists("[data-testid=nav-login]") {
		t.Errorf("the header still shows a signed-in person after logout")
	}
	if c := h.cookies()["__Host-session"]; c != nil {
		t.Errorf("the session cookie survived logout: %+v", c)
	}
	// The account page now asks to sign in again.
	h.visit("/account")
	h.expectPath("/login")
	if next := h.location().Query().Get("next"); next != "/account" {
		t.Errorf("login after a signed-out visit has next=%q, want /account", next)
	}

	// The pages seen so far only in Chinese, now in English (for axe).
	h.visit("/")
	h.expectText("[data-testid=page-heading]", msg(en, "start.heading"))
	h.visit("/register")
	h.clickAndWait("[data-testid=register-submit]")
	if !h.exists("[data-testid=error-summary]") {
		t.Errorf("no error summary after submitting an empty form")
	}
	h.expectText("[data-testid=error-summary] h2", msg(en, "form.error_summary"))
}

// checkSessionCookies checks that the signed-in browser holds the session and
// CSRF cookies with the attributes production needs: the __Host- prefix
// (Secure, Path=/, no Domain), HttpOnly, and SameSite Lax resp. Strict.
// Chromium accepts them from http://localhost, a secure context.
func checkSessionCookies(t *testing.T, cookies map[string]*network.Cookie) {
	t.Helper()
	for name, sameSite := range map[string]network.CookieSameSite{
		"__Host-session": network.CookieSameSiteLax,
		"__Host-csrf":    network.CookieSameSiteStrict,
	} {
		c := cookies[name]
		switch {
		case c == nil:
			names := make([]string, 0, len(cookies))
			for n := range cookies {
				names = append(names, n)
			}
			t.Errorf("cookie %s missing; the browser has %v", name, names)
		case !c.Secure || !c.HTTPOnly || c.Path != "/" || c.SameSite != sameSite || !c.Session || strings.HasPrefix(c.Domain, "."):
			t.Errorf("cookie %s: secure=%v httpOnly=%v path=%q domain=%q sameSite=%q session=%v; want secure, httpOnly, path /, host-only, %s, session",
				name, c.Secure, c.HTTPOnly, c.Path, c.Domain, c.SameSite, c.Session, sameSite)
		}
	}
}

// wrongCheckDigit returns the identity number with another last character,
// so that only its GB 11643 check digit is wrong.
func wrongCheckDigit(id string) string {
	last := id[len(id)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return id[:len(id)-1] + string(repl)
}
