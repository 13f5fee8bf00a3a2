package e2e

import (
	"fmt"
	"strings"
	"testing"

	"sealportal/portal"
)

// TestJourneyTwoStepVerification: an official's first login goes through
// enrolment (QR code and the key as text, a wrong code refused first), the
// recovery codes shown once, then the console; the next login asks for the
// code; the administrator resets the official's second factor from the
// console after a confirmation page, and the official enrols again. Every
// page is checked with axe in both languages.
func TestJourneyTwoStepVerification(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-2fa")
	admin := h.createStaff(portal.RoleSysadmin, "admin-2fa")

	// ---- First login: enrolment before anything else.
	h.visit("/login")
	h.fill("#login", court.Login)
	h.fill("#password", testPassword)
	h.clickAndWait("[data-testid=login-submit]")
	h.expectPath("/account/totp/setup")
	if src := h.attr("[data-testid=totp-qr]", "src"); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("the QR code is not an inline PNG: %.40q", src)
	}
	h.both("")
	secret := strings.ReplaceAll(h.text("[data-testid=totp-secret]"), " ", "")
	if len(secret) != 32 {
		t.Fatalf("the key shown for typing is %q", secret)
	}
	h.fill("#code", "12345")
	h.clickAndWait("[data-testid=totp-enrol-submit]")
	if !h.exists("[data-testid=error-summary] a[href='#code']") {
		t.Fatal("a short code was not refused on its field")
	}
	h.totpSecrets[court.Login] = secret
	h.fill("#code", h.totpCode(court.Login))
	h.clickAndWait("[data-testid=totp-enrol-submit]")
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=recovery-code]").length`); n != portal.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d", n, portal.RecoveryCodeCount)
	}
	h.axeVariant("recovery codes")
	h.clickAndWait("[data-testid=totp-continue]")
	h.expectPath("/staff")
	h.visit("/account/totp")
	h.both("")
	h.logout()

	// ---- Later logins: the code page, in both languages.
	h.visit("/login")
	h.fill("#login", court.Login)
	h.fill("#password", testPassword)
	h.clickAndWait("[data-testid=login-submit]")
	h.expectPath("/login/code")
	h.both("")
	h.fill("#code", h.totpCode(court.Login))
	h.clickAndWait("[data-testid=totp-code-submit]")
	h.expectPath("/staff")
	h.logout()

	// ---- The administrator resets the official's second factor.
	h.login(admin.Login, testPassword)
	h.expectPath("/sysadmin/accounts") // the administrator lands on the accounts (issue 18)
	h.both("")
	h.both("") // back in the language the rest of the journey reads
	h.clickAndWait(fmt.Sprintf("[data-testid=account-%d] [data-testid=action-reset-totp]", court.ID))
	h.expectPath(fmt.Sprintf("/sysadmin/accounts/%d/reset-totp", court.ID))
	h.both("")
	h.clickAndWait("[data-testid=sysadmin-confirm]")
	h.expectPath("/sysadmin/accounts")
	if got := h.text(fmt.Sprintf("[data-testid=account-%d] [data-testid=account-totp]", court.ID)); got == "" || h.exists(fmt.Sprintf("[data-testid=account-%d] [data-testid=action-reset-totp]", court.ID)) {
		t.Errorf("after the reset the official's row still offers a reset (2FA column %q)", got)
	}
	h.logout()

	// ---- The official enrols again (a new key) at the next login.
	h.login(court.Login, testPassword)
	h.expectPath("/staff")
	if h.totpSecrets[court.Login] == secret {
		t.Error("re-enrolment showed the old key")
	}
}
