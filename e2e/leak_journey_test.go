package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"sealportal/portal"
	"sealportal/views"
)

// TestJourneyLeakReport: an anonymous visitor reads the help pages, reports a
// leak with a screenshot (getting one thing wrong first), writes down the
// tracking code, follows the report and adds more; the supervisor
// investigates and closes it with its accountability outcome (after a refused
// close without one); the tracking page shows the outcome. Once in Chinese,
// once in English; every page checked with axe.
func TestJourneyLeakReport(t *testing.T) {
	h := newHarness(t)
	shot := filepath.Join(t.TempDir(), "shot.png")
	// A real PNG: uploads are decoded and re-encoded (portal.CheckUpload).
	appjWriteFiles(t, filepath.Join(t.TempDir(), "unused.pdf"), shot)
	sup := h.createStaff(portal.RoleSupervisor, "sup-leaks")
	_ = sup
	today := portal.DateOf(time.Now()).String()
	for i, lang := range []views.Lang{views.LangZH, views.LangEN} {
		h.visit("/")
		if i == 1 {
			h.switchLanguage()
		}
		h.expectLang(lang)
		for _, p := range []string{"/help", "/rights", "/help/relief", "/help/report"} {
			h.visit(p)
		}
		h.visit("/report")
		if !h.exists("[data-testid=quick-exit]") {
			t.Fatal("no quick exit on /report")
		}
		h.click("#place_kind")
		h.fill("#place_detail", "https://bbs.example.org/t/42")
		evalJS[bool](h, `(document.querySelector("#seen_on").value = "2026-03-01", true)`)
		h.click("#source_kind-3")
		h.do("choose a file", chromedp.SetUploadFiles("#files", []string{shot}))
		h.clickAndWait("[data-testid=leak-continue]")
		h.expectPath("/report")
		if !h.exists("[data-testid=error-summary] a[href='#disclosed']") {
			t.Fatal("no error summary link to #disclosed")
		}
		h.fill("#disclosed", "某某的判决书照片")
		h.clickAndWait("[data-testid=leak-continue]")
		h.expectPath("/report/check")
		h.clickAndWait("[data-testid=leak-submit]")
		h.expectPath("/report") // POST-redirect-GET: the confirmation is shown at /report
		code := h.text("[data-testid=tracking-code]")
		ref := h.text("[data-testid=leak-ref]")

		h.visit("/track")
		h.fill("#code", "WRONG-CODE")
		h.clickAndWait("[data-testid=track-submit]")
		h.expectText("[data-testid=error-code]", msg(lang, "form.error_prefix")+" "+msg(lang, "leak.track_not_found"))
		h.fill("#code", code)
		h.clickAndWait("[data-testid=track-submit]")
		h.expectText("[data-testid=leak-status]", msg(lang, "leak.status.received"))
		h.fill("#more", "公告栏上也贴了")
		h.clickAndWait("[data-testid=track-add]")

		h.login("sup-leaks", testPassword)
		id, err := h.DB.LeakByRef(ref)
		if err != nil {
			t.Fatal(err)
		}
		page := "/supervision/leaks/" + strconv.FormatUint(id, 10)
		h.visit(page)
		h.clickAndWait("[data-testid=submit-start_investigation]")
		h.click("#findings-source_identified")
		h.fill("#findings-source", "某中学教务处")
		h.click("#findings-stopped")
		h.click("#findings-person_informed")
		h.clickAndWait("[data-testid=submit-record_findings]")
		h.clickAndWait("[data-testid=submit-close]")
		if !h.exists("[data-testid=error-summary] a[href='#close-measure']") {
			t.Fatal("closing without an outcome was not refused per field")
		}
		h.click("#close-responsible-1")
		h.fill("#close-responsible_name", "某中学")
		h.click("#close-measure-2")
		evalJS[bool](h, `(document.querySelector("#close-outcome_date").value = "`+today+`", true)`)
		h.clickAndWait("[data-testid=submit-close]")
		h.expectText("[data-testid=leak-status]", msg(lang, "leak.status.closed"))
		h.logout()

		h.visit("/track")
		h.fill("#code", code)
		h.clickAndWait("[data-testid=track-submit]")
		h.expectText("[data-testid=outcome-measure]", msg(lang, "leak.measure_plain.correction_notice"))
	}

	// The quick exit, with JavaScript: the history entry is replaced, so Back
	// does not return to the form; Esc three times leaves too.
	redirect := `document.querySelector("[data-quick-exit]").setAttribute("href", location.origin + "/help"); true`
	h.visit("/")
	h.visit("/report")
	evalJS[bool](h, redirect)
	before := evalJS[int](h, `history.length`)
	h.clickAndWait("[data-testid=quick-exit]")
	h.expectPath("/help")
	if after := evalJS[int](h, `history.length`); after != before {
		t.Fatalf("history grew from %d to %d: Back would return to the form", before, after)
	}
	h.visit("/track")
	evalJS[bool](h, redirect)
	run(h, "press Esc three times", chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.KeyEvent(strings.Repeat(kb.Escape, 3))))
	h.loaded("after Esc")
	h.expectPath("/help")

	// Without JavaScript it is a plain link to the neutral site, sending no referrer.
	if _, err := chromedp.Call(h.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	h.visit("/report")
	if href := h.attr("[data-testid=quick-exit]", "href"); href != "https://www.baidu.com/" {
		t.Fatalf("quick exit href %q", href)
	}
	if rel := h.attr("[data-testid=quick-exit]", "rel"); !strings.Contains(rel, "noreferrer") {
		t.Fatalf("quick exit rel %q", rel)
	}
	if _, err := chromedp.Call(h.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
}
