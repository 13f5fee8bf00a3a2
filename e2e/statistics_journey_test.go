package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// TestJourneyStatistics (issue 17): a court official opens his organ's
// statistics from the workbench, reads the month's numbers in the table
// under the chart, and asks for an impossible period (a translated error,
// the typed value kept); the supervisor opens every organ's statistics from
// the header and finds both downloads. Every page is checked with axe in both
// languages (the harness checks each page as it loads; both switches
// language).
func TestJourneyStatistics(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-stats")
	h.createStaff(portal.RoleSupervisor, "sup-stats")

	// Three cases the court opened ex officio and decided to seal this
	// month, with their steps (the counters count steps).
	now := time.Now().UTC()
	var batch []portal.Case
	for i := range 3 {
		batch = append(batch, portal.Case{Status: portal.StatusSealed, Capacity: portal.CapacitySelf, ExOfficio: true,
			PersonName: fmt.Sprintf("统计%02d", i), PersonIDNumber: portal.SyntheticIDNumber(uint64(700+i), portal.Date{Year: 2006, Month: 3, Day: 1 + i}).String(),
			DecidingOrganID: court.OrganID, OrganCaseNumber: fmt.Sprintf("(2024)统计刑初字第%d号", i+1),
			Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2024, Month: 9, Day: 1},
			Acts: []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}, Intent: portal.IntentNegligent,
			Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}, HoldingOrganIDs: []uint64{court.OrganID},
			DeclaredTrue: true, CreatedAt: now, SubmittedAt: now,
			Events: []portal.CaseEvent{
				{At: now, ActorRole: portal.RoleCourt, OrganID: court.OrganID, Action: portal.ActionExOfficio, To: portal.StatusUnderReview, Rules: []string{"R11"}},
				{At: now, ActorRole: portal.RoleCourt, OrganID: court.OrganID, Action: portal.ActionSeal, From: portal.StatusUnderReview, To: portal.StatusSealed, Rules: []string{"R2"}},
			}})
	}
	if _, err := h.DB.ImportCases(batch); err != nil {
		t.Fatal(err)
	}
	month := portal.MonthOf(now).String()

	// ---- The court official: his organ's numbers.
	h.visit("/login")
	h.both("")
	h.login(court.Login, testPassword)
	h.expectPath("/staff")
	h.both("")
	h.clickAndWait("[data-testid=workbench-statistics-link]")
	h.expectPath("/staff/statistics")
	h.both("", func(h *harness) {
		if !h.exists("[data-testid=chart-chart-months] svg[role=img] title") {
			t.Fatal("no chart with a title")
		}
		cell := fmt.Sprintf(`[data-testid=table-months] tbody tr:last-child td:nth-of-type(1)`)
		if got := h.text(cell); got != "3" {
			t.Fatalf("received this month: %q, want 3 (%s)", got, month)
		}
		if h.exists("[data-testid=stats-research]") {
			t.Fatal("an organ is offered the research export")
		}
	})
	// An impossible month: the error summary, the value kept.
	h.visit("/staff/statistics?from=2026-13&to=" + month)
	h.both("", func(h *harness) {
		if !h.exists("[data-testid=error-summary]") || h.value("#from") != "2026-13" {
			t.Fatalf("no error, or the typed month is lost: %q", h.value("#from"))
		}
	})
	h.logout()

	// ---- The supervisor: every organ, and the research export.
	h.login("sup-stats", testPassword)
	h.visit("/supervision")
	h.both("")
	h.clickAndWait("[data-testid=nav-statistics]")
	h.expectPath("/supervision/statistics")
	h.both("", func(h *harness) {
		if !strings.Contains(h.text("[data-testid=table-organs]"), testOrgans[portal.RoleCourt]) {
			t.Fatal("the court is not in the supervisor's table by organ")
		}
		if !h.exists("[data-testid=stats-research]") || !h.exists("[data-testid=stats-csv]") {
			t.Fatal("the downloads are missing")
		}
	})
}
