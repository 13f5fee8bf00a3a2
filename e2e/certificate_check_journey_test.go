package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// TestJourneyCertificateCheck (R14): a person whose record is sealed asks for
// a proof of no criminal record; the police official opens the request, sees
// the verified identity and the sealed record marked as one that must not
// appear, cannot answer before recording the check of the police records,
// records "no record" and answers; the person prints the certificate with
// the full identity number; a visitor verifies it at /verify and sees what
// the paper shows; the record is later unsealed (R18), and the old
// certificate still verifies exactly as issued. Every page is checked with
// axe in both languages.
func TestJourneyCertificateCheck(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-check")
	police := h.createStaff(portal.RolePolice, "police-check")
	birth := portal.Date{Year: 2006, Month: 4, Day: 20}
	me := h.createCitizen(portal.RoleMinor, "13900007788", "钱小川", 7788, birth)
	// Issue 11: a certificate is asked for an identity-verified person.
	if _, err := h.DB.VerifyIdentity(me.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: me.IDNumber, Name: me.Name}); err != nil {
		t.Fatal(err)
	}
	sealed := certjCompletedCase(h, me, court, police)

	// ---- The person asks.
	h.login(me.Login, testPassword)
	h.visit("/certificates")
	h.both("")
	h.clickAndWait("[data-testid=cert-submit]")
	h.expectPath("/certificates")
	h.both("")
	href := h.attr("[data-testid=cert-link]", "href")
	id, err := strconv.ParseUint(strings.TrimPrefix(href, "/certificates/"), 10, 64)
	if err != nil {
		t.Fatalf("certificate link %q", href)
	}
	h.visit(href)
	h.both("certificate requested")
	h.logout()

	// ---- The police official: the request, the sealed record marked, no
	// answer before the recorded check.
	h.login(police.Login, testPassword)
	h.expectPath("/staff")
	h.both("")
	h.visit("/staff/certificates")
	h.both("")
	h.clickAndWait(fmt.Sprintf("[data-testid=cert-queue-row] a[href=%q]", "/staff/certificates/"+strconv.FormatUint(id, 10)))
	staffPage := "/staff/certificates/" + strconv.FormatUint(id, 10)
	h.expectPath(staffPage)
	h.expectText("[data-testid=cert-police-holder]", me.Name)
	h.expectText("[data-testid=cert-police-id]", me.IDNumber)
	if row := h.text("[data-testid=cert-police-sealed-row]"); !strings.Contains(row, sealed.Ref) {
		t.Fatalf("the sealed record is not shown as one that must not appear: %q", row)
	}
	if h.exists("[data-testid=cert-issue]") {
		t.Fatal("an answer is offered before the check of the police records is recorded")
	}
	h.both("certificate police unchecked")
	// The check without a reference is refused at its field, in both
	// languages (the switch on the refused page returns to the request).
	refused := func() {
		h.click("input[name=result][value=" + string(portal.CheckNoRecord) + "]")
		h.clickAndWait("[data-testid=cert-check-submit]")
		if !h.exists("[data-testid=error-reference]") {
			t.Fatalf("a check without its reference was accepted: %q", h.text("main"))
		}
		if !h.exists("input[name=result][value=" + string(portal.CheckNoRecord) + "]:checked") {
			t.Error("the refused check lost the result chosen")
		}
	}
	refused()
	h.switchLanguage()
	h.expectPath(staffPage)
	refused()
	h.switchLanguage()
	h.expectPath(staffPage)
	h.click("input[name=result][value=" + string(portal.CheckNoRecord) + "]")
	h.fill("#reference", "WFZ-2026-0042")
	h.clickAndWait("[data-testid=cert-check-submit]")
	h.expectPath(staffPage)
	if got := h.attr("[data-testid=cert-check]", "data-result"); got != string(portal.CheckNoRecord) {
		t.Fatalf("the recorded check reads %q", got)
	}
	h.both("certificate police checked")
	h.clickAndWait("[data-testid=cert-issue]")
	h.expectPath("/staff/certificates")
	if got := h.attr("[data-testid=notice]", "data-status"); got != string(portal.CertIssued) {
		t.Fatalf("the answer was %q, want issued", got)
	}
	h.both("")
	// R21: the police mark another of their cases as using sealed
	// information.
	h.visit("/staff/sealed-info")
	h.both("")
	h.fill("#case_number", "(2026)测试刑侦字第12号")
	h.click("input[name=kind][value=" + string(portal.OtherCaseCriminal) + "]")
	h.fill("#basis", "CX-2026-000001")
	h.clickAndWait("[data-testid=sealedinfo-submit]")
	h.expectPath("/staff/sealed-info")
	if !h.exists("[data-testid=sealedinfo-row]") {
		t.Fatalf("the marking is not listed: %q", h.text("main"))
	}
	h.both("")
	h.logout()

	// ---- The person prints the certificate: full name and identity number.
	h.login(me.Login, testPassword)
	h.expectPath("/cases")
	h.both("")
	h.visit(href)
	h.expectText("[data-testid=cert-holder]", me.Name)
	h.expectText("[data-testid=cert-id]", me.IDNumber)
	code := h.text("[data-testid=cert-code]")
	h.both("certificate issued")
	h.logout()

	// ---- A visitor verifies: exactly what the paper shows.
	verify := func(state string) {
		for _, lang := range []views.Lang{views.LangEN, views.LangZH} {
			h.visit("/verify")
			if h.lang() != htmlLang(lang) {
				h.switchLanguage()
			}
			h.expectLang(lang)
			h.fill("#code", code)
			h.clickAndWait("[data-testid=verify-submit]")
			h.expectPath("/verify")
			if got := h.attr("[data-testid=verify-result]", "data-status"); got != string(portal.CertIssued) {
				t.Fatalf("verify %s [%s]: %q", state, lang, got)
			}
			h.expectText("[data-testid=verify-holder]", me.Name)
			h.expectText("[data-testid=verify-id]", me.IDNumber)
			h.expectText("[data-testid=verify-organ]", police.Organ)
			if strings.Contains(h.text("main"), sealed.Ref) {
				t.Fatal("the verification page names the sealed case")
			}
			checkA11y(h.t, h.ctx, "/verify "+state+" ["+string(lang)+"]")
		}
	}
	verify("issued")
	before := h.text("[data-testid=verify-paper]")

	// ---- Later, a new crime before 18 combined to more than five years
	// unseals the record (R18), as the court records it.
	if _, cs, err := h.DB.RecordUnsealingEvent(sealed.ID, portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: portal.UnsealingNewCrime,
		ActDate: portal.Date{Year: 2024, Month: 1, Day: 10}, CombinedMonths: 72}, LegalBasis: "（2026）测试刑初字第9号刑事判决"},
		store.Step{AccountID: court.ID, Role: court.Role, OrganID: court.OrganID, RequestID: "e2e"}, portal.DefaultCalendar()); err != nil || cs.Status != portal.StatusUnsealingApproval {
		t.Fatalf("unsealing: %v %v", cs.Status, err)
	}
	// Issue 18: a second official of the court approves it.
	approver := h.createStaff(portal.RoleCourt, "court-check-2")
	if _, cs, err := h.DB.DecideUnsealingApproval(sealed.ID, store.UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalUnseal}},
		store.Step{AccountID: approver.ID, Role: approver.Role, OrganID: approver.OrganID, RequestID: "e2e"}, portal.DefaultCalendar()); err != nil || cs.Status.RecordSealed() {
		t.Fatalf("approval: %v %v", cs.Status, err)
	}
	// R14: the certificate issued before still verifies exactly as issued.
	verify("after unsealing")
	if after := h.text("[data-testid=verify-paper]"); after != before {
		t.Fatalf("the verification changed after the unsealing:\n%s\n---\n%s", before, after)
	}

	// ---- A new request: the police records show the record; refused with
	// the way forward; the person objects, and the police see it to review.
	h.login(me.Login, testPassword)
	h.visit("/certificates")
	h.clickAndWait("[data-testid=cert-submit]")
	h.expectPath("/certificates")
	second := h.attr("[data-testid=cert-row][data-status=requested] [data-testid=cert-link]", "href")
	secondID, err := strconv.ParseUint(strings.TrimPrefix(second, "/certificates/"), 10, 64)
	if err != nil {
		t.Fatalf("second request link %q", second)
	}
	if _, err := h.DB.RecordCertificateCheck(secondID, portal.CertificateCheck{Result: portal.CheckRecordFound, Reference: "WFZ-2026-0043"}, police, "e2e"); err != nil {
		t.Fatal(err)
	}
	if c, err := h.DB.AnswerCertificate(secondID, police, "e2e"); err != nil || c.Status != portal.CertRefused {
		t.Fatalf("answer: %v %v", c.Status, err)
	}
	h.visit(second)
	if got := h.attr("[data-testid=cert-refused]", "data-refusal"); got != string(portal.CheckRecordFound) {
		t.Fatalf("the refusal reads %q", got)
	}
	h.both("certificate refused")
	h.clickAndWait("[data-testid=cert-objection-submit]")
	if !h.exists("[data-testid=error-reason]") {
		t.Fatalf("an empty objection was accepted: %q", h.text("main"))
	}
	h.switchLanguage()
	h.expectPath(second)
	h.clickAndWait("[data-testid=cert-objection-submit]")
	h.switchLanguage()
	h.expectPath(second)
	h.fill("#reason", "我没有未封存的犯罪记录")
	h.clickAndWait("[data-testid=cert-objection-submit]")
	h.expectPath(second)
	if got := h.attr("[data-testid=cert-objection]", "data-status"); got != string(portal.ObjectionPending) {
		t.Fatalf("the objection is %q", got)
	}
	h.both("certificate objection pending")
	h.logout()
	h.login(police.Login, testPassword)
	h.visit("/staff/certificates")
	if !h.exists("[data-testid=cert-objection-row]") {
		t.Fatalf("the police do not see the objection: %q", h.text("main"))
	}
	h.both("certificate queue with objection")
	h.clickAndWait("[data-testid=cert-objection-open]")
	h.expectPath("/staff/certificates/" + strconv.FormatUint(secondID, 10))
	h.both("certificate objection to review")
}
