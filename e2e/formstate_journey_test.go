package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sealportal/handlers"
	"sealportal/portal"
)

// TestFormsBackAndTimeoutsJourney (issue 16): a form's errors come back by a
// redirect, so a refresh neither resends the form nor loses the page; Back
// after a post returns to a sensible page; a session that times out while a
// form is being filled in does not lose what was typed: after signing in
// again the person is back on the form with the values filled in. On a
// desktop and on a phone, in both languages, axe on every page.
func TestFormsBackAndTimeoutsJourney(t *testing.T) {
	h := newHarness(t)
	me := h.createCitizen(portal.RoleMinor, "13900005501", "刘小云", 5501, portal.Date{Year: 2008, Month: 3, Day: 4})
	h.visit("/login")
	h.both("")
	h.login(me.Login, testPassword)
	// A citizen lands on "my cases".
	h.expectPath("/cases")
	h.both("")
	h.visit("/account/email")
	h.both("")

	for _, viewport := range []struct {
		name          string
		width, height int64
		address       string
	}{{"desktop", 1280, 900, "kept-desktop@example.cn"}, {"phone", 390, 844, "kept-phone@example.cn"}} {
		h.do("viewport "+viewport.name, chromedp.EmulateViewport(viewport.width, viewport.height))

		// ---- An invalid address: the answer is at the form's own address,
		// with the error summary and the typed value.
		h.visit("/account/email")
		h.fill("#email", "not-an-address")
		h.clickAndWait("[data-testid=email-send]")
		h.expectPath("/account/email")
		if !h.exists("[data-testid=error-summary]") || h.value("#email") != "not-an-address" {
			t.Fatalf("%s: the refused form lost its errors or value: %q", viewport.name, h.text("main"))
		}
		// A refresh shows the same answer (no resend: the page is a GET).
		h.do("reload the answer", chromedp.Reload())
		h.loaded("after reloading the answer")
		h.expectPath("/account/email")
		if !h.exists("[data-testid=error-summary]") || h.value("#email") != "not-an-address" {
			t.Fatalf("%s: the refresh lost the errors or the value: %q", viewport.name, h.text("main"))
		}
		h.both("form errors")

		// ---- A valid address: one code sent; refreshing sends no second one.
		h.visit("/account/email")
		h.fill("#email", "liu-"+viewport.name+"@example.cn")
		before := h.outboxCount()
		h.clickAndWait("[data-testid=email-send]")
		h.expectPath("/account/email")
		if n := h.outboxCount(); n != before+1 {
			t.Fatalf("%s: %d messages sent, want 1", viewport.name, n-before)
		}
		h.do("reload after sending", chromedp.Reload())
		h.loaded("after reloading")
		if n := h.outboxCount(); n != before+1 {
			t.Fatalf("%s: the refresh sent the form again (%d messages)", viewport.name, n-before)
		}
		// Back returns to a page of the portal (the form), not to a resend.
		// (Chromium may restore the page from its back-forward cache, without
		// a load event: wait for the address instead.)
		// (Chromium may restore the page from its back-forward cache, without
		// the events chromedp follows: the page is read by script, and the
		// next step navigates afresh.)
		h.historyBack()
		where := ""
		for i := 0; i < 50; i++ {
			time.Sleep(100 * time.Millisecond)
			w, ok := pollJS[string](h, `location.pathname + location.search + "|" + (document.querySelector("[data-testid=page-heading]") ? "heading" : "")`)
			if !ok {
				continue // the page is between two documents
			}
			where = w
			if !strings.Contains(where, "done=") && strings.HasSuffix(where, "|heading") {
				break
			}
		}
		if !strings.HasPrefix(where, "/account") || !strings.HasSuffix(where, "|heading") {
			t.Fatalf("%s: Back went to %s", viewport.name, where)
		}
		if n := h.outboxCount(); n != before+1 {
			t.Fatalf("%s: Back sent the form again", viewport.name)
		}

		// ---- The session times out while the form is being filled in.
		h.visit("/account/email")
		h.fill("#email", viewport.address)
		h.clock.offset.Add(int64(portal.CitizenIdleTimeout + time.Minute))
		h.clickAndWait("[data-testid=email-send]")
		h.expectPath("/login")
		if q := h.location().Query(); q.Get("next") != "/account/email" || q.Get("done") != "expired" {
			t.Fatalf("%s: sent to sign in at %s", viewport.name, h.location())
		}
		if strings.Contains(h.location().String(), "example.cn") {
			t.Fatal("the typed address is in a URL")
		}
		h.axeVariant("signed out by the time limit")
		h.fill("#login", me.Login)
		h.fill("#password", testPassword)
		h.clickAndWait("[data-testid=login-submit]")
		h.expectPath("/account/email")
		if got := h.value("#email"); got != viewport.address {
			t.Fatalf("%s: after signing in again the form holds %q, want %q", viewport.name, got, viewport.address)
		}
		if !h.exists("[data-testid=form-kept]") {
			t.Fatalf("%s: no notice that the form was kept", viewport.name)
		}
		h.axeVariant("form kept after a time-out")
	}
}

// outboxCount is how many SMS and e-mails the portal has queued.
func (h *harness) outboxCount() int {
	h.t.Helper()
	rows, err := h.DB.OutboxRows()
	if err != nil {
		h.t.Fatal(err)
	}
	return len(rows)
}

// TestTimeOutWarningJourney (WCAG 2.2.1): before the idle limit a dialog
// offers to stay signed in, and doing so keeps the session beyond the limit.
// The limit is shortened to 20 seconds for the test.
func TestTimeOutWarningJourney(t *testing.T) {
	const idle = 20 * time.Second
	h := newHarnessWith(t, func(cfg *handlers.Config, _ string) { cfg.CitizenIdle = idle })
	me := h.createCitizen(portal.RoleMinor, "13900005502", "陈小雨", 5502, portal.Date{Year: 2008, Month: 5, Day: 6})
	h.visit("/login")
	h.both("")
	h.login(me.Login, testPassword)
	signedIn := time.Now()
	h.expectPath("/cases")
	h.both("")
	// The dialog opens before the limit (half of it here, two minutes before
	// a real one).
	open := false
	for i := 0; i < 200 && !open; i++ {
		time.Sleep(100 * time.Millisecond)
		open = evalJS[bool](h, `document.getElementById("session-timeout").open`)
	}
	if !open {
		t.Fatal("no time-out warning before the limit")
	}
	if time.Since(signedIn) >= idle {
		t.Fatalf("the warning came %v after signing in, after the limit", time.Since(signedIn))
	}
	h.axeVariant("time-out warning")
	h.click("[data-testid=session-stay]")
	if evalJS[bool](h, `document.getElementById("session-timeout").open`) {
		t.Fatal("the dialog stayed open")
	}
	// Past the original limit, still signed in.
	time.Sleep(time.Until(signedIn.Add(idle + 2*time.Second)))
	h.visit("/cases")
	h.expectPath("/cases")
}
