package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// TestJourneyWorkbench (issue 18): a police officer confirms the sealing of
// 20 cases in one bulk step from the queue; a court official finds a case by
// the person's identity number and by the court's own case number (the term
// never in an address), opens it, and hands it over to a colleague, who
// finds it under "my cases"; the court's sealing register. Every page is
// checked with axe in both languages.
func TestJourneyWorkbench(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-wb")
	colleague := h.createAccount(portal.Account{Role: portal.RoleCourt, Login: "court-wb2", Name: "测试同事", Organ: court.Organ, OrganID: court.OrganID}, testPassword)
	police := h.createStaff(portal.RolePolice, "police-wb")

	// Twenty cases the court decided to seal; the court and the police hold
	// records of each (R12).
	now := time.Now().UTC()
	var batch []portal.Case
	for i := range 20 {
		birth := portal.Date{Year: 2006, Month: 3, Day: 1 + i}
		batch = append(batch, portal.Case{Status: portal.StatusSealed, Capacity: portal.CapacitySelf, ExOfficio: true,
			PersonName: fmt.Sprintf("工作台%02d", i), PersonIDNumber: portal.SyntheticIDNumber(uint64(900+i), birth).String(),
			DecidingOrganID: court.OrganID, OrganCaseNumber: fmt.Sprintf("(2024)测试刑初字第%d号", 100+i),
			Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2024, Month: 9, Day: 1},
			Acts: []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}, Intent: portal.IntentIntentional,
			Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}, HoldingOrganIDs: []uint64{court.OrganID, police.OrganID},
			DeclaredTrue: true, CreatedAt: now, SubmittedAt: now})
	}
	cases, err := h.DB.ImportCases(batch)
	if err != nil {
		t.Fatal(err)
	}

	// ---- The police officer ticks the twenty cases and confirms them in
	// one step.
	h.login(police.Login, testPassword)
	h.expectPath("/staff")
	h.both("queue with cases to confirm")
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=bulk-select]").length`); n != 20 {
		t.Fatalf("%d check boxes on the queue, want 20", n)
	}
	for _, c := range cases {
		h.click("#select-" + strconv.FormatUint(c.ID, 10))
	}
	h.clickAndWait("[data-testid=bulk-confirm-submit]")
	if !strings.HasPrefix(h.location().Path, "/staff/results/") {
		t.Fatalf("after the bulk step the browser is at %s", h.location())
	}
	if got := h.attr("[data-testid=bulk-confirmed]", "data-count"); got != "20" {
		t.Fatalf("confirmed %s cases, want 20", got)
	}
	h.both("")
	for _, c := range cases {
		got, err := h.DB.Case(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got.Confirmations[police.OrganID]; !ok {
			t.Fatalf("%s was not confirmed", c.Ref)
		}
	}
	h.visit("/staff")
	if h.exists("[data-testid=bulk-select]") {
		t.Fatal("check boxes left after confirming every case")
	}
	h.logout()

	// ---- The court official finds a case by identity number.
	target := cases[7]
	h.login(court.Login, testPassword)
	h.expectPath("/staff")
	h.both("")
	h.clickAndWait("[data-testid=workbench-search-link]")
	h.expectPath("/staff/search")
	h.both("")
	h.click("#kind-idnumber")
	h.fill("#term", target.PersonIDNumber)
	h.clickAndWait("[data-testid=workbench-search-submit]")
	if loc := h.location(); !strings.HasPrefix(loc.Path, "/staff/results/") || loc.RawQuery != "" || strings.Contains(loc.String(), target.PersonIDNumber) {
		t.Fatalf("search results at %s", loc)
	}
	h.expectText("[data-testid=result-row] a", target.Ref)
	h.both("search results")

	// ... and by the court's own case number, typed with full-width brackets.
	h.visit("/staff/search")
	h.click("#kind-case_number")
	h.fill("#term", "（2024）测试刑初字第107号")
	h.clickAndWait("[data-testid=workbench-search-submit]")
	h.expectText("[data-testid=result-row] a", target.Ref)
	// A malformed identity number is refused at its field, the term kept.
	h.visit("/staff/search")
	h.click("#kind-idnumber")
	h.fill("#term", "12345")
	h.clickAndWait("[data-testid=workbench-search-submit]")
	if !h.exists("[data-testid=error-term]") || h.value("#term") != "12345" {
		t.Fatalf("a malformed number was not refused with the term kept: %q", h.text("main"))
	}
	h.both("search refused")

	// ---- Opens the case and hands it over to a colleague.
	h.visit("/staff/cases/" + strconv.FormatUint(target.ID, 10))
	h.both("case to assign")
	h.fill("#assignee", colleague.Login)
	h.clickAndWait("[data-testid=assign-submit]")
	if !strings.Contains(h.text("[data-testid=assignee]"), colleague.Login) {
		t.Fatalf("assignee shown %q", h.text("[data-testid=assignee]"))
	}
	if focused := evalJS[string](h, `location.hash`); focused != "#actions" {
		t.Errorf("after the step the page is at %q, want #actions", focused)
	}
	h.both("case assigned")
	h.visit("/staff/register")
	h.both("")
	h.logout()

	// ---- The colleague finds it under "my cases".
	h.login(colleague.Login, testPassword)
	h.visit("/staff/mine")
	h.expectText("[data-testid=result-row] a", target.Ref)
	h.both("")
	h.clickAndWait("[data-testid=result-row] a")
	if !strings.Contains(h.text("[data-testid=assignee]"), colleague.Login) {
		t.Fatalf("the colleague does not see the case as his: %q", h.text("[data-testid=assignee]"))
	}
	h.both("case assigned to me")
}
