package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sealportal/portal"
	"sealportal/views"
)

// The counts of the journey from the start page to a sent application, for
// a visitor who checks eligibility, registers and applies for himself (issue
// 16). Page loads are the top-level documents the browser shows (a post
// answered by a redirect is one load); entries are the answers a person types
// or chooses: a date in three boxes is one answer, the code from the SMS is
// one. Before the guided route (measured with the same counting on the same
// journey through the older check, the login after registering, "My cases",
// the application's start page and its task list, skipping the person page
// that was already complete) they were 27 page loads and 31 entries.
const (
	checkflowLoads   = 15
	checkflowEntries = 22
)

// TestJourneyCheckToApplication walks the journey twice, in Chinese on
// a desktop window and in English on a phone-sized one (390×844), with axe on
// every page: the check (one question per address, Back keeps the answers),
// "Register and apply" (the code signs the new account in), the new
// application opened at its first part with the check's answers filled in,
// Back through the application, the documents still needed uploaded
// together, check your answers with the declaration, and the reference. The
// page loads and the entries are counted and must not grow.
func TestJourneyCheckToApplication(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court1")
	police := h.createStaff(portal.RolePolice, "police1")
	dir := t.TempDir()
	judgmentFile := filepath.Join(dir, "判决书.pdf")
	identityFile := filepath.Join(dir, "identity.png")
	appjWriteFiles(t, judgmentFile, identityFile)

	var loads atomic.Int64
	var counting atomic.Bool
	if err := chromedp.Listen(h.ctx, func(ev any) {
		if e, ok := ev.(*page.EventFrameNavigated); ok && e.Frame.ParentID == "" && counting.Load() {
			loads.Add(1)
		}
	}); err != nil {
		t.Fatalf("listen: %v", err)
	}

	for i, walk := range []struct {
		lang   views.Lang
		phone  bool
		mobile string
	}{
		{views.LangZH, false, "13912340001"},
		{views.LangEN, true, "13912340002"},
	} {
		if walk.phone {
			h.do("a phone-sized window", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
		}
		if walk.lang == views.LangEN {
			h.visit("/lang?to=en&next=/")
		}
		birth := portal.Date{Year: 2006, Month: 3, Day: 14}
		idNumber := portal.SyntheticIDNumber(uint64(30+i), birth).String()
		entries := 0
		entry := func(n int) { entries += n }
		loads.Store(0)
		counting.Store(true)

		// ---- The check.
		h.visit("/")
		h.expectLang(walk.lang)
		h.clickAndWait("[data-testid=start-check]")
		h.expectPath("/check")
		h.clickAndWait("[data-testid=check-start]")
		h.expectPath("/check/birth-date")
		appjDate(h, views.CheckFieldBirth, "2006", "3", "14")
		entry(1)
		appjCheckContinue(h, views.CheckStepActs)
		appjDate(h, views.CheckActField(0), "2023", "6", "10")
		entry(1)
		appjCheckContinue(h, views.CheckStepOutcome)

		// Back twice with the browser's button: each question at its own
		// address, with its answer; then on again with "continue".
		counting.Store(false)
		checkflowBack(h, "/check/acts")
		if got := checkflowValue(h, fmt.Sprintf("[id=%q]", views.CheckActField(0))); got != "2023" {
			t.Errorf("Back to the acts shows the year %q, want 2023", got)
		}
		checkflowBack(h, "/check/birth-date")
		if got := checkflowValue(h, "#"+views.CheckFieldBirth+"-month"); got != "3" {
			t.Errorf("Back to the birth date shows the month %q, want 3", got)
		}
		// The address loaded afresh shows the stored answer too.
		h.visit("/check/birth-date")
		if got := h.value("#" + views.CheckFieldBirth + "-month"); got != "3" {
			t.Errorf("the birth date page loaded again shows the month %q, want 3", got)
		}
		appjCheckContinue(h, views.CheckStepActs)
		appjCheckContinue(h, views.CheckStepOutcome)
		counting.Store(true)

		h.click("[data-testid=" + views.CheckFieldDisposition + "-" + string(portal.DispositionSentenced) + "]")
		entry(1)
		appjCheckContinue(h, views.CheckStepPenalty)
		h.click("[data-testid=" + views.CheckFieldPenaltyKind + "-" + string(portal.PenaltyFixedTerm) + "]")
		entry(1)
		appjCheckContinue(h, views.CheckStepTerm)
		h.fill("#"+views.CheckFieldYears, "3")
		entry(1)
		appjCheckContinue(h, views.CheckStepResult)
		if got := h.attr("[data-testid=check-outcome]", "data-outcome"); got != string(portal.OutcomeSeal) {
			t.Fatalf("the check's outcome is %q, want seal", got)
		}
		basis := h.text("[data-testid=check-rules]")
		if !strings.Contains(basis, msg(walk.lang, "checkflow.basis.R2")) {
			t.Errorf("the legal basis reads %q, want the articles of R2", basis)
		}
		if m := regexp.MustCompile(`\bR[0-9]{1,2}\b`).FindString(h.text("main")); m != "" {
			t.Errorf("the result shows the rule id %s", m)
		}

		// ---- Register and apply.
		h.clickAndWait("[data-testid=check-register]")
		h.expectPath("/register")
		h.click("#role-minor")
		h.fill("#name", "李小红")
		h.fill("#mobile", walk.mobile)
		h.fill("#id_number", idNumber)
		h.fill("#password", testPassword)
		h.fill("#password_confirm", testPassword)
		h.click("#consent_privacy")
		h.click("#consent_sensitive")
		entry(8)
		h.clickAndWait("[data-testid=register-submit]")
		h.fill("#code", h.smsCode(walk.mobile))
		entry(1)
		h.clickAndWait("[data-testid=code-submit]")
		caseID := h.pathID(`^/apply/([0-9]+)/case$`)
		if got := h.value("[id='acts[0].date']"); got != "2023" {
			t.Errorf("the case page's act year is %q, want 2023 from the check", got)
		}
		if got := h.value("#penalty_months"); got != "36" {
			t.Errorf("the case page's term is %q months, want 36 from the check", got)
		}
		if !evalJS[bool](h, `document.querySelector("input[name=disposition][value=sentenced]").checked`) {
			t.Errorf("the case page's outcome is not the check's")
		}

		// ---- The rest of the case, then the organs.
		appjSelect(h, "#deciding_organ", strconv.FormatUint(court.OrganID, 10))
		h.fill("#case_number", "(2023)测0101刑初123号")
		appjDate(h, "decision_date", "2023", "11", "20")
		h.click("input[name=intent][value=" + string(portal.IntentIntentional) + "]")
		entry(4)
		h.clickAndWait("[data-testid=case-form] [data-testid=save]")
		h.expectPath(fmt.Sprintf("/apply/%d/organs", caseID))

		// Back through the application: the case page with what was saved,
		// saved again as it is.
		counting.Store(false)
		checkflowBack(h, fmt.Sprintf("/apply/%d/case", caseID))
		if got := checkflowValue(h, "#case_number"); got != "(2023)测0101刑初123号" {
			t.Errorf("Back to the case shows the case number %q", got)
		}
		// Loaded afresh, the page shows what was saved; saved again as it is.
		h.visit(fmt.Sprintf("/apply/%d/case", caseID))
		if got := h.value("#case_number"); got != "(2023)测0101刑初123号" {
			t.Errorf("the case page loaded again shows the case number %q", got)
		}
		h.clickAndWait("[data-testid=case-form] [data-testid=save]")
		h.expectPath(fmt.Sprintf("/apply/%d/organs", caseID))
		counting.Store(true)

		if !evalJS[bool](h, fmt.Sprintf(`document.querySelector("#organ-%d").checked`, court.OrganID)) {
			t.Errorf("the deciding court is not ticked among the holders")
		}
		h.click(fmt.Sprintf("#organ-%d", police.OrganID))
		entry(1)
		h.clickAndWait("[data-testid=organs-form] [data-testid=save]")
		h.expectPath(fmt.Sprintf("/apply/%d/documents", caseID))

		// ---- Both documents at once.
		h.do("choose the judgment", chromedp.SetUploadFiles(chromedp.CSS("#file_judgment"), []string{judgmentFile}))
		h.do("choose the identity document", chromedp.SetUploadFiles(chromedp.CSS("#file_identity"), []string{identityFile}))
		entry(2)
		h.clickAndWait("[data-testid=upload-needed]")

		// ---- Check your answers: the check's answers carried, then send.
		h.expectPath(fmt.Sprintf("/apply/%d/check", caseID))
		if h.exists("[data-testid=error-summary]") {
			t.Fatalf("check your answers lists problems: %q", h.text("[data-testid=error-summary]"))
		}
		if got := h.text("[data-testid=answer-acts]"); !strings.Contains(got, "2023") {
			t.Errorf("check your answers lists the acts as %q", got)
		}
		if got := h.text("[data-testid=answer-disposition]"); got == "" {
			t.Errorf("check your answers has no outcome")
		}
		if got := h.text("[data-testid=answer-penalty]"); !strings.Contains(got, "36") && !strings.Contains(got, "3") {
			t.Errorf("check your answers lists the sentence as %q", got)
		}
		h.click("#declare_true")
		entry(1)
		h.clickAndWait("[data-testid=submit]")
		h.expectPath(fmt.Sprintf("/apply/%d/done", caseID))
		ref := h.text("[data-testid=reference]")
		if !regexp.MustCompile(`^FC-[0-9]{4}-[0-9]{6}$`).MatchString(ref) {
			t.Fatalf("the reference is %q", ref)
		}
		counting.Store(false)

		t.Logf("%s%s: %d page loads and %d entries from / to the reference %s", walk.lang,
			map[bool]string{true: " (phone)", false: ""}[walk.phone], loads.Load(), entries, ref)
		if n := loads.Load(); n != checkflowLoads {
			t.Errorf("%s: %d page loads from / to a sent application, want %d", walk.lang, n, checkflowLoads)
		}
		if entries != checkflowEntries {
			t.Errorf("%s: %d entries, want %d", walk.lang, entries, checkflowEntries)
		}
		h.logout()
	}
}

// checkflowBack presses the browser's Back button and waits for the page at
// path with its heading: loaded again, or restored from the back-forward
// cache, which fires no load event (so the page is read by script; axe
// checked it when it was first shown).
func checkflowBack(h *harness, path string) {
	h.t.Helper()
	h.historyBack()
	deadline := time.Now().Add(stepTimeout)
	for {
		where, ok := pollJS[string](h, `location.pathname`)
		ready, ok2 := pollJS[bool](h, `document.readyState === "complete" && document.querySelector("[data-testid=page-heading]") !== null`)
		if ok && ok2 && where == path && ready {
			break
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("Back led to %s, want %s", evalJS[string](h, `location.pathname`), path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkflowValue is a field's value read by script (valid after a restore
// from the back-forward cache).
func checkflowValue(h *harness, sel string) string {
	h.t.Helper()
	return evalJS[string](h, fmt.Sprintf(`document.querySelector(%s).value`, jsString(sel)))
}
