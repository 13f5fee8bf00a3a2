package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sealportal/portal"
	"sealportal/views"
)

// TestApplicationJourney is the acceptance, end to end in the
// browser: a visitor checks eligibility (seal), registers as the person
// himself, applies with two uploads and submits; the court's official accepts,
// reviews and seals, and confirms the court's own records; the police's
// official confirms its records; the person signs in again and finds the case
// completed on its timeline, with notifications waiting.
//
// Every page is checked by axe-core in both languages. The harness checks a
// page once per path (and error summary / notice) and language; pages whose
// content changes at the same address (the steps of /check, which all post to
// one URL, and a case page in each status) are also checked under their own
// variant names with h.axeVariant, in both languages.
func TestApplicationJourney(t *testing.T) {
	started := time.Now()
	h := newHarness(t)
	birth := portal.Date{Year: 2006, Month: 3, Day: 14}
	const (
		mobile     = "13912345678"
		personName = "李小红"
		caseNumber = "(2023)测0101刑初123号"
	)
	idNumber := portal.SyntheticIDNumber(7, birth).String()

	// The officials and their organs come first: the application's pages
	// offer the organs the store knows.
	court := h.createStaff(portal.RoleCourt, "court1")
	police := h.createStaff(portal.RolePolice, "police1")

	// A small judgment (PDF) and identity document (PNG), as a person would
	// have them on disk.
	dir := t.TempDir()
	judgmentFile := filepath.Join(dir, "判决书.pdf")
	identityFile := filepath.Join(dir, "identity.png")
	appjWriteFiles(t, judgmentFile, identityFile)

	// ---- The eligibility check, as a visitor: in Chinese (the browser's
	// language), then in English.
	h.visit("/check")
	h.expectLang(views.LangZH)
	appjEligibilityCheck(h)
	// The language switch on the result stays on it (each question and the
	// result have their own address); the check again in English.
	h.switchLanguage()
	h.expectPath("/check/result")
	h.expectLang(views.LangEN)
	h.visit("/check")
	appjEligibilityCheck(h)

	// ---- Register, as the person himself, then apply from the task list
	// (registering from the result's "Register and apply" is
	// TestJourneyCheckToApplication).
	h.visit("/register")
	h.expectPath("/register")
	h.both("")
	h.click("#role-minor")
	h.fill("#name", personName)
	h.fill("#mobile", mobile)
	h.fill("#id_number", idNumber)
	h.fill("#password", testPassword)
	h.fill("#password_confirm", testPassword)
	h.click("#consent_privacy")
	h.click("#consent_sensitive")
	h.clickAndWait("[data-testid=register-submit]")
	h.enterRegistrationCode(mobile)
	h.expectPath("/login")
	h.expectText("[data-testid=notice]", msg(h.pageLang(), "login.notice_registered"))
	h.both("")
	h.expectText("[data-testid=notice]", msg(h.pageLang(), "login.notice_registered"))
	h.fill("#login", mobile)
	h.fill("#password", testPassword)
	h.clickAndWait("[data-testid=login-submit]")
	h.expectPath("/cases")
	h.both("")

	// ---- Apply: a new application, its task list.
	h.visit("/apply")
	h.expectText("[data-testid=page-heading]", msg(h.pageLang(), "apply.start.heading"))
	h.both("")
	h.clickAndWait("[data-testid=apply-start]")
	caseID := h.pathID(`^/apply/([0-9]+)$`)
	tasks := fmt.Sprintf("/apply/%d", caseID)
	// The person applies for himself: his name and number come from the
	// account, so that section is complete from the start.
	appjSectionState(h, portal.SectionPerson, views.ApplyStateCompleted)
	appjSectionState(h, portal.SectionCase, views.ApplyStateNotStarted)
	h.both("/apply/:id tasks, new")

	// Who the record is about: shown from the account, saved as it is.
	h.clickAndWait("[data-testid=section-person] a")
	h.expectPath(tasks + "/person")
	if got := h.value("#person_name"); got != personName {
		t.Errorf("the person page's name is %q, want the account's %q", got, personName)
	}
	h.expectText("[data-testid=person-id-number]", idNumber)
	h.both("")
	h.clickAndWait("[data-testid=save]")
	h.expectPath(tasks)

	// The case as decided: the court, a 36-month sentence for an act at 17.
	h.clickAndWait("[data-testid=section-case] a")
	h.expectPath(tasks + "/case")
	h.both("")
	appjSelect(h, "#deciding_organ", strconv.FormatUint(court.OrganID, 10))
	h.fill("#case_number", caseNumber)
	h.click("input[name=disposition][value=" + string(portal.DispositionSentenced) + "]")
	appjDate(h, "decision_date", "2023", "11", "20")
	appjDate(h, "acts[0].date", "2023", "6", "10")
	h.click("input[name=intent][value=" + string(portal.IntentIntentional) + "]")
	h.click("input[name=penalty_kind][value=" + string(portal.PenaltyFixedTerm) + "]")
	h.fill("#penalty_months", "36")
	h.clickAndWait("[data-testid=case-form] [data-testid=save]")
	appjNoErrors(h, tasks)
	appjSectionState(h, portal.SectionCase, views.ApplyStateCompleted)
	if got := h.attr("[data-testid=eligibility]", "data-outcome"); got != string(portal.OutcomeSeal) {
		t.Errorf("the task list's eligibility outcome is %q, want %q", got, portal.OutcomeSeal)
	}

	// The organs holding records: the court itself and the police.
	h.clickAndWait("[data-testid=section-organs] a")
	h.expectPath(tasks + "/organs")
	h.both("")
	// The deciding court comes ticked (it holds the records of its
	// judgment, R12).
	if !evalJS[bool](h, fmt.Sprintf(`document.querySelector("#organ-%d").checked`, court.OrganID)) {
		t.Errorf("the deciding court is not ticked among the holders")
		h.click(fmt.Sprintf("#organ-%d", court.OrganID))
	}
	h.click(fmt.Sprintf("#organ-%d", police.OrganID))
	h.clickAndWait("[data-testid=organs-form] [data-testid=save]")
	appjNoErrors(h, tasks)
	appjSectionState(h, portal.SectionOrgans, views.ApplyStateCompleted)

	// Documents: the judgment, then the identity document.
	h.clickAndWait("[data-testid=section-documents] a")
	h.expectPath(tasks + "/documents")
	if !h.exists("[data-testid=documents-missing]") || !h.exists("[data-testid=no-documents]") {
		t.Errorf("the empty documents page does not say what is still needed")
	}
	h.both("")
	appjUpload(h, portal.DocJudgment, judgmentFile)
	// With its notice, the page is checked in this language by the harness;
	// the other language too, here.
	h.both("")
	appjUpload(h, portal.DocIdentity, identityFile)
	if h.exists("[data-testid=documents-missing]") {
		t.Errorf("documents still missing after both uploads: %q", h.text("[data-testid=documents-missing]"))
	}
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=document]").length`); n != 2 {
		t.Errorf("the documents table lists %d documents, want 2", n)
	}
	if got := h.text("[data-testid=document][data-kind=judgment] [data-testid=document-link]"); got != filepath.Base(judgmentFile) {
		t.Errorf("the judgment is listed as %q, want its file name %q", got, filepath.Base(judgmentFile))
	}
	h.clickAndWait("[data-testid=documents-continue]")
	h.expectPath(tasks)
	appjSectionState(h, portal.SectionDocuments, views.ApplyStateCompleted)

	// The one declaration: the information is true (R23: nothing else).
	h.clickAndWait("[data-testid=section-declarations] a")
	h.expectPath(tasks + "/declarations")
	h.both("")
	h.click("#declare_true")
	h.clickAndWait("[data-testid=declarations-form] [data-testid=save]")
	appjNoErrors(h, tasks)
	for _, sec := range portal.Sections {
		appjSectionState(h, sec, views.ApplyStateCompleted)
	}
	h.both("/apply/:id tasks, complete")

	// Check your answers, then send.
	h.clickAndWait("[data-testid=check-link]")
	h.expectPath(tasks + "/check")
	if h.exists("[data-testid=error-summary]") {
		t.Fatalf("check your answers lists problems: %q", h.text("[data-testid=error-summary]"))
	}
	h.expectText("[data-testid=answer-person-name]", personName)
	h.expectText("[data-testid=answer-organ]", court.Organ)
	h.expectText("[data-testid=answer-case-number]", caseNumber)
	if got := h.text("[data-testid=answers-organs]"); !strings.Contains(got, court.Organ) || !strings.Contains(got, police.Organ) {
		t.Errorf("check your answers lists the holding organs as %q, want %s and %s", got, court.Organ, police.Organ)
	}
	h.both("")
	h.clickAndWait("[data-testid=submit]")
	h.expectPath(tasks + "/done")
	ref := h.text("[data-testid=reference]")
	if !regexp.MustCompile(`^FC-[0-9]{4}-[0-9]{6}$`).MatchString(ref) {
		t.Fatalf("the confirmation's reference is %q, want FC-yyyy-nnnnnn", ref)
	}
	h.both("")
	h.clickAndWait("[data-testid=case-link]")
	casePage := fmt.Sprintf("/cases/%d", caseID)
	h.expectPath(casePage)
	appjExpectStatus(h, portal.StatusSubmitted)
	h.both("/cases/:id submitted")
	h.logout()
	h.expectPath("/login")

	// ---- The court's official: the case is in the queue; accept, review,
	// seal with the rules the portal computed, confirm the court's records.
	h.login(court.Login, testPassword)
	h.expectPath("/staff")
	h.both("")
	row := fmt.Sprintf("[data-testid=queue-row][data-ref=%q]", ref)
	if !h.exists(row) {
		t.Fatalf("the court's queue does not list %s: %q", ref, h.text("main"))
	}
	if got := h.attr(row, "data-status"); got != string(portal.StatusSubmitted) {
		t.Errorf("the queue shows %s as %q, want %q", ref, got, portal.StatusSubmitted)
	}
	h.clickAndWait(row + " a")
	staffCase := fmt.Sprintf("/staff/cases/%d", caseID)
	h.expectPath(staffCase)
	h.expectText("[data-testid=standing]", msg(h.pageLang(), "staff.standing.decider"))
	h.expectText("[data-testid=person-id]", idNumber) // R22: the deciding organ sees the full number
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=documents] [data-testid=document-link]").length`); n != 2 {
		t.Errorf("the court's case page lists %d documents, want 2", n)
	}
	appjExpectStatus(h, portal.StatusSubmitted)
	h.both("/staff/cases/:id submitted, decider")
	appjStaffAction(h, portal.ActionAccept, portal.StatusAccepted)
	appjStaffAction(h, portal.ActionStartReview, portal.StatusUnderReview)
	rules := h.value("#seal-rules")
	if rs, ok := appjRuleIDs(rules); !ok || len(rs) == 0 {
		t.Errorf("the seal form's rules are %q, want the rule ids the portal computed", rules)
	}
	appjStaffAction(h, portal.ActionSeal, portal.StatusSealed)
	appjStaffAction(h, portal.ActionConfirm, portal.StatusSealed)
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=holders] li[data-confirmed=true]").length`); n != 1 {
		t.Errorf("after the court's confirmation %d holders are confirmed, want 1: %q", n, h.text("[data-testid=holders]"))
	}
	if !h.exists("[data-testid=no-actions]") {
		t.Errorf("the court is still offered steps after confirming: %q", h.text("[data-testid=actions]"))
	}
	h.logout()

	// ---- The police's official finds the case by its reference and
	// confirms; the case completes.
	h.login(police.Login, testPassword)
	h.expectPath("/staff")
	h.fill("#ref", ref)
	h.clickAndWait("[data-testid=ref-submit]")
	h.expectPath(staffCase)
	h.expectText("[data-testid=standing]", msg(h.pageLang(), "staff.standing.holder"))
	if got := h.text("[data-testid=person-id]"); got == idNumber {
		t.Errorf("a holding organ sees the full identity number (R22 wants it masked)")
	}
	appjExpectStatus(h, portal.StatusSealed)
	h.both("/staff/cases/:id sealed, holder")
	appjStaffAction(h, portal.ActionConfirm, portal.StatusCompleted)
	h.logout()

	// ---- The person signs in again, straight to the case's page (as from a
	// bookmark): its notifications are read on opening it, the case is completed, and the timeline
	// says so.
	h.visit("/login?next=" + url.QueryEscape(casePage))
	h.fill("#login", mobile)
	h.fill("#password", testPassword)
	h.clickAndWait("[data-testid=login-submit]")
	h.expectPath(casePage)
	// Issue 16: opening the case the notifications point to read them.
	if h.exists("[data-testid=unread-count]") {
		t.Errorf("the header still counts %q unread after opening the case they point to", h.text("[data-testid=unread-count]"))
	}
	appjExpectStatus(h, portal.StatusCompleted)
	done := "[data-testid=timeline] li[data-action=" + string(portal.ActionComplete) + "]"
	if !h.exists(done) {
		t.Fatalf("the timeline has no completion event: %q", h.text("[data-testid=timeline]"))
	}
	if got := h.attr(done, "data-to"); got != string(portal.StatusCompleted) {
		t.Errorf("the completion event leads to %q, want %q", got, portal.StatusCompleted)
	}
	if got := h.text(done); !strings.Contains(got, msg(h.pageLang(), "event.complete")) || !strings.Contains(got, msg(h.pageLang(), "status.completed")) {
		t.Errorf("the completion event reads %q, want %q and %q", got, msg(h.pageLang(), "event.complete"), msg(h.pageLang(), "status.completed"))
	}
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=holders] li[data-confirmed=true]").length`); n != 2 {
		t.Errorf("the case page shows %d confirmed holders, want 2: %q", n, h.text("[data-testid=holders]"))
	}
	h.screenshot("completed")
	h.both("/cases/:id completed")
	appjExpectStatus(h, portal.StatusCompleted)

	t.Logf("the journey took %v", time.Since(started).Round(100*time.Millisecond))
}

// appjEligibilityCheck walks the eligibility check from its start page,
// which the browser shows, to the result, in the page's language: born
// 2006-03-14, one act on 2023-06-10, a fixed-term sentence of 36 months. The
// result is "seal". Each question has its own address.
func appjEligibilityCheck(h *harness) {
	h.t.Helper()
	l := h.pageLang()
	h.expectText("[data-testid=page-heading]", msg(l, "check.start.heading"))
	h.clickAndWait("[data-testid=check-start]")
	appjCheckStep(h, views.CheckStepBirthDate)
	appjDate(h, views.CheckFieldBirth, "2006", "3", "14")
	appjCheckContinue(h, views.CheckStepActs)
	appjDate(h, views.CheckActField(0), "2023", "6", "10")
	appjCheckContinue(h, views.CheckStepOutcome)
	h.click("[data-testid=" + views.CheckFieldDisposition + "-" + string(portal.DispositionSentenced) + "]")
	appjCheckContinue(h, views.CheckStepPenalty)
	h.click("[data-testid=" + views.CheckFieldPenaltyKind + "-" + string(portal.PenaltyFixedTerm) + "]")
	appjCheckContinue(h, views.CheckStepTerm)
	h.fill("#"+views.CheckFieldYears, "3")
	appjCheckContinue(h, views.CheckStepResult)
	if got := h.attr("[data-testid=check-outcome]", "data-outcome"); got != string(portal.OutcomeSeal) {
		h.t.Fatalf("the check's outcome is %q (%q), want %q", got, h.text("[data-testid=check-reason]"), portal.OutcomeSeal)
	}
	h.expectText("[data-testid=check-outcome]", msg(l, "check.result.seal"))
	if h.attr("[data-testid=check-rules]", "data-rules") == "" {
		h.t.Errorf("the check's result names no rules")
	}
}

// appjCheckContinue presses "continue" and expects question want (or the
// result) next.
func appjCheckContinue(h *harness, want views.CheckStep) {
	h.t.Helper()
	h.clickAndWait("[data-testid=check-continue]")
	appjCheckStep(h, want)
}

// appjCheckStep fails unless the check shows question want (or the result),
// and checks that page with axe.
func appjCheckStep(h *harness, want views.CheckStep) {
	h.t.Helper()
	h.expectPath(views.CheckPath(want))
	if h.exists("[data-testid=error-summary]") {
		h.t.Fatalf("the check refused the answers: %q", h.text("[data-testid=error-summary]"))
	}
	if want == views.CheckStepResult {
		if !h.exists("[data-testid=check-outcome]") {
			h.t.Fatalf("the check shows %q, not its result", h.text("[data-testid=page-heading]"))
		}
	} else if got := h.attr("[data-testid=check-form]", "data-step"); got != string(want) {
		h.t.Fatalf("the check shows question %q, want %q", got, want)
	}
	h.axeVariant("/check " + string(want))
}

// appjStaffAction takes a step on the official's case page, expects its
// notice and the case's new status, and checks the page in both languages.
func appjStaffAction(h *harness, action portal.CaseAction, want portal.CaseStatus) {
	h.t.Helper()
	h.clickAndWait("[data-testid=submit-" + string(action) + "]")
	if got := h.location().Query().Get("done"); got != string(action) {
		problem := ""
		if h.exists("[data-testid=error-summary]") {
			problem = h.text("[data-testid=error-summary]")
		}
		h.t.Fatalf("%s was not done: the browser is at %s %q", action, h.location().RequestURI(), problem)
	}
	h.expectText("[data-testid=notice]", msg(h.pageLang(), "staff.notice."+string(action)))
	appjExpectStatus(h, want)
	h.both("/staff/cases/:id after " + string(action))
}

// appjExpectStatus fails unless the case on the page (its summary's status
// tag, not the timeline's) is in status want.
func appjExpectStatus(h *harness, want portal.CaseStatus) {
	h.t.Helper()
	sel := "[data-testid=case-summary] [data-testid=case-status]"
	if got := h.attr(sel, "data-status"); got != string(want) {
		h.t.Fatalf("the case on %s is %q, want %q", h.location().Path, got, want)
	}
	h.expectText(sel, msg(h.pageLang(), "status."+string(want)))
}

// appjUpload chooses the kind and the file on the documents page and uploads
// it; the page comes back with the upload's notice and the document listed.
func appjUpload(h *harness, kind portal.DocumentKind, file string) {
	h.t.Helper()
	appjSelect(h, "#kind", string(kind))
	h.do("choose "+file, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	h.clickAndWait("[data-testid=upload]")
	if h.exists("[data-testid=error-summary]") {
		h.t.Fatalf("the upload of %s was refused: %q", file, h.text("[data-testid=error-summary]"))
	}
	if got := h.location().Query().Get("done"); got != "uploaded" {
		h.t.Fatalf("after the upload of %s the browser is at %s", file, h.location().RequestURI())
	}
	h.expectText("[data-testid=notice]", msg(h.pageLang(), "apply.notice_uploaded"))
	if !h.exists("[data-testid=document][data-kind=" + string(kind) + "]") {
		h.t.Errorf("the documents table lists no %s document", kind)
	}
}

// appjSelect chooses an option of a select element, as a person would.
func appjSelect(h *harness, sel, value string) {
	h.t.Helper()
	h.do("choose "+value+" in "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SetValue(chromedp.CSS(sel), value))
	if got := h.value(sel); got != value {
		h.t.Fatalf("%s holds %q after choosing %q (no such option?)", sel, got, value)
	}
}

// appjDate types a date into its three boxes: base (the year), base-month,
// base-day. Ids with brackets are matched by attribute.
func appjDate(h *harness, base, year, month, day string) {
	h.t.Helper()
	h.fill(fmt.Sprintf("[id=%q]", base), year)
	h.fill(fmt.Sprintf("[id=%q]", base+"-month"), month)
	h.fill(fmt.Sprintf("[id=%q]", base+"-day"), day)
}

// appjNoErrors fails, with the error summary, unless a section's page saved
// and the browser is back at path.
func appjNoErrors(h *harness, path string) {
	h.t.Helper()
	if h.exists("[data-testid=error-summary]") {
		h.t.Fatalf("%s refused the answers: %q", h.location().Path, h.text("[data-testid=error-summary]"))
	}
	h.expectPath(path)
}

// appjSectionState fails unless the task list shows section sec in state.
func appjSectionState(h *harness, sec, state string) {
	h.t.Helper()
	if got := h.attr("[data-testid=section-"+sec+"]", "data-state"); got != state {
		h.t.Errorf("the task list shows section %s as %q, want %q: %q", sec, got, state, h.text("[data-testid=section-"+sec+"]"))
	}
}

// appjRuleIDs reads rule ids as the seal form shows them ("R1, R2").
func appjRuleIDs(s string) ([]string, bool) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == '、' }) {
		if !regexp.MustCompile(`^R([1-9]|1[0-9]|2[0-6])$`).MatchString(f) {
			return nil, false
		}
		out = append(out, f)
	}
	return out, true
}

// appjWriteFiles writes a tiny valid PDF and a 1×1 PNG.
func appjWriteFiles(t *testing.T, pdfPath, pngPath string) {
	t.Helper()
	pdf := "%PDF-1.4\n" +
		"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >> endobj\n" +
		"trailer << /Root 1 0 R >>\n%%EOF\n"
	if err := os.WriteFile(pdfPath, []byte(pdf), 0o644); err != nil {
		t.Fatalf("write %s: %v", pdfPath, err)
	}
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.Gray{Y: 200})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatalf("encode png: %v", err)
	}
	if err := os.WriteFile(pngPath, b.Bytes(), 0o644); err != nil {
		t.Fatalf("write %s: %v", pngPath, err)
	}
}
