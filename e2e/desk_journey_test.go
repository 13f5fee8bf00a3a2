package e2e

import (
	"fmt"
	"testing"
	"time"

	"sealportal/portal"
)

// TestJourneyLawyerDesk (issue 16): a legal-aid lawyer with several clients
// opens "my cases", sees first the case returned for correction under "needs
// your action", finds a client by name (the name never in the address), and
// opens the case, whose page names the client and the court's case number.
// Every page is checked with axe in both languages.
func TestJourneyLawyerDesk(t *testing.T) {
	h := newHarness(t)
	lawyer := h.createCitizen(portal.RoleLawyer, "13900000088", "法援律师", 88, portal.Date{Year: 1985, Month: 3, Day: 3})
	court, err := h.DB.EnsureOrgan(portal.RoleCourt, testOrgans[portal.RoleCourt])
	if err != nil {
		t.Fatal(err)
	}
	today := portal.DateOf(time.Now())
	var batch []portal.Case
	for i, name := range []string{"赵一", "钱二", "孙三", "李四", "周五"} {
		c := portal.Case{Status: portal.StatusAccepted, FiledBy: lawyer.ID, Capacity: portal.CapacityLawyer, PersonName: name,
			OrganCaseNumber: fmt.Sprintf("(2025)测刑初%d号", i+1), DecidingOrganID: court.ID, HoldingOrganIDs: []uint64{court.ID},
			Due: today.AddDays(20 + i), CreatedAt: time.Now().UTC(), SubmittedAt: time.Now().UTC()}
		if name == "钱二" {
			c.Status, c.Due = portal.StatusReturned, portal.Date{}
		}
		batch = append(batch, c)
	}
	cases, err := h.DB.ImportCases(batch)
	if err != nil {
		t.Fatal(err)
	}
	returned, sun := cases[1], cases[2]

	h.visit("/login")
	h.both("")
	h.login(lawyer.Login, testPassword)
	h.both("")
	h.visit("/cases")
	h.both("desk with needs your action")
	if !h.exists(fmt.Sprintf(`[data-testid=action-row][data-ref=%q] [data-testid=reason-returned]`, returned.Ref)) {
		t.Fatal("the case returned for correction is not under needs your action")
	}
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=case-row]").length`); n != 5 {
		t.Fatalf("%d cases listed, want 5", n)
	}

	// Find a client by name.
	h.fill("#q", "孙三")
	h.clickAndWait("[data-testid=desk-search-submit]")
	h.expectPath("/cases")
	if q := h.location().RawQuery; q != "" {
		t.Fatalf("the list after the search has the query %q", q)
	}
	h.both("desk search result")
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=case-row]").length`); n != 1 {
		t.Fatalf("%d cases found, want 1", n)
	}
	h.clickAndWait(fmt.Sprintf(`[data-testid=case-row][data-ref=%q] [data-testid=case-link]`, sun.Ref))
	h.expectPath(fmt.Sprintf("/cases/%d", sun.ID))
	h.both("")
	if got := h.text("[data-testid=case-client-name]"); got != "孙三" {
		t.Fatalf("the case page names %q", got)
	}
	if got := h.text("[data-testid=organ-case-number]"); got != "(2025)测刑初3号" {
		t.Fatalf("the case page shows the case number %q", got)
	}
}
