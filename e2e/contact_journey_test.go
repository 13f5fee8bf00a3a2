package e2e

import (
	"strings"
	"testing"

	"sealportal/messaging"
	"sealportal/portal"
	"sealportal/views"
)

// TestJourneyRegisterByCodeAndResetPassword: a person registers with the code
// the SMS carried (read from the demo outbox, as `go run .` delivers it),
// forgets the password, resets it by SMS code (which also lifts a lockout),
// signs in with the new one and adds an e-mail address for notices,
// confirmed by the code e-mailed to it. Every page in both languages, and
// every message the person received is discreet.
func TestJourneyRegisterByCodeAndResetPassword(t *testing.T) {
	h := newHarness(t)
	zh, en := views.LangZH, views.LangEN
	const mobile = "13812340001"
	const newPassword = "a new horse battery"
	idNumber := portal.SyntheticIDNumber(41, portal.Date{Year: 2006, Month: 3, Day: 14}).String()

	// Registration, in Chinese: the form, then the code page.
	h.visit("/register")
	h.expectLang(zh)
	if !h.exists("[data-testid=privacy-notice]") {
		t.Fatal("the register form shows no privacy notice")
	}
	h.click("#role-minor")
	h.fill("#name", "李小华")
	h.fill("#mobile", mobile)
	h.fill("#id_number", idNumber)
	h.fill("#password", testPassword)
	h.fill("#password_confirm", testPassword)
	h.click("#consent_privacy")
	h.click("#consent_sensitive")
	h.clickAndWait("[data-testid=register-submit]")
	h.axeVariant("register code page")
	h.expectText("[data-testid=code-sent]", msg(zh, "code.sent_to", "138****0001"))
	h.screenshot("register-code")
	h.enterRegistrationCode(mobile)
	h.expectPath("/login")
	h.expectText("[data-testid=notice]", msg(zh, "login.notice_registered"))

	// Locked out by five wrong passwords, the person resets by SMS.
	for range portal.MaxFailedLogins {
		h.fill("#login", mobile)
		h.fill("#password", "not the password")
		h.clickAndWait("[data-testid=login-submit]")
	}
	h.clickAndWait("[data-testid=forgot-link]")
	h.expectPath("/login/forgot")
	h.fill("#mobile", mobile)
	h.clickAndWait("[data-testid=forgot-submit]")
	h.axeVariant("reset page")
	h.fill("#code", h.smsCode(mobile))
	h.fill("#new_password", newPassword)
	h.fill("#new_password_confirm", newPassword)
	h.clickAndWait("[data-testid=reset-submit]")
	h.expectPath("/login")
	h.expectText("[data-testid=notice]", msg(zh, "login.notice_reset"))
	h.login(mobile, newPassword)
	h.expectPath("/cases")
	h.visit("/account")
	h.both("")

	// E-mail as well as SMS.
	h.clickAndWait("[data-testid=account-email]")
	h.expectPath("/account/email")
	h.fill("#email", "lixiaohua@example.org")
	h.clickAndWait("[data-testid=email-send]")
	h.fill("#code", h.smsCode("lixiaohua@example.org"))
	h.clickAndWait("[data-testid=email-confirm]")
	h.expectText("[data-testid=email-current]", msg(h.pageLang(), "email.current", "lixiaohua@example.org"))
	h.both("")

	// The same pages in English: a second person registers, and a reset is
	// asked for (an unknown number gets the same page).
	h.logout()
	if h.pageLang() != en {
		h.switchLanguage()
	}
	h.expectLang(en)
	h.visit("/register")
	h.click("#role-guardian")
	h.fill("#name", "Wang Fang")
	h.fill("#mobile", "13812340002")
	h.fill("#id_number", portal.SyntheticIDNumber(42, portal.Date{Year: 1980, Month: 1, Day: 2}).String())
	h.fill("#password", testPassword)
	h.fill("#password_confirm", testPassword)
	h.click("#consent_privacy")
	h.click("#consent_sensitive")
	h.clickAndWait("[data-testid=register-submit]")
	h.axeVariant("register code page")
	h.enterRegistrationCode("13812340002")
	h.expectText("[data-testid=notice]", msg(en, "login.notice_registered"))
	h.visit("/login/forgot")
	h.fill("#mobile", "13812340009")
	h.clickAndWait("[data-testid=forgot-submit]")
	h.axeVariant("reset page")
	h.expectText("[data-testid=code-sent]", msg(en, "reset.sent_to", "138****0009"))

	// What the phones and the mailbox received: each message in the
	// person's language, none revealing what the matter is.
	lines, err := messaging.ReadDemo(h.DemoOutbox)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, l := range lines {
		got[l.To]++
		low := strings.ToLower(l.Text)
		for _, w := range []string{"犯罪", "刑事", "封存", "法院", "crime", "criminal", "seal", "court"} {
			if strings.Contains(low, w) {
				t.Errorf("message to %s says %q: %s", l.To, w, l.Text)
			}
		}
	}
	if got[mobile] != 3 || got["lixiaohua@example.org"] != 1 || got["13812340002"] != 1 || got["13812340009"] != 0 {
		t.Errorf("messages per recipient %v: want a code, a reset code and a password notice to %s, one code each to the e-mail and the second person, none to an unknown number", got, mobile)
	}
}
