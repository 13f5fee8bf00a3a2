package e2e

import (
	"strconv"
	"testing"

	"sealportal/portal"
	"sealportal/store"
)

// TestJourneyOverrideNeedsSecondOfficial (issue 18): the rules say a case is
// to be sealed (R2); a court official refuses it, which the case page marks
// as a decision against the rules needing written reasons and a second
// official. The case then waits; the same official cannot approve it; a
// second official of the court approves, and the refusal is taken; the
// supervisor sees it in the list of overrides. Every page is checked with
// axe in both languages.
func TestJourneyOverrideNeedsSecondOfficial(t *testing.T) {
	h := newHarness(t)
	judge := h.createStaff(portal.RoleCourt, "court-override-1")
	second := h.createStaff(portal.RoleCourt, "court-override-2")
	h.createStaff(portal.RoleSupervisor, "sup-override")
	me := h.createCitizen(portal.RoleMinor, "13900000871", "覃小明", 871, portal.Date{Year: 2008, Month: 1, Day: 2})
	id := decjUnderReview(h, me, judge)
	path := "/staff/cases/" + strconv.FormatUint(id, 10)

	h.visit("/login")
	h.both("")
	h.login(judge.Login, testPassword)
	h.expectPath("/staff")
	h.both("")
	h.visit(path)
	h.both("case under review with a refusal against the rules", func(h *harness) {
		if !h.exists("[data-testid=override-warning-reject]") {
			h.t.Fatal("the refusal form does not say it goes against the rules")
		}
		if h.exists("[data-testid=override-warning-seal]") {
			h.t.Fatal("sealing, as the rules say, is marked as an override")
		}
	})
	h.fill("#reject-rules", "R2")
	h.fill("#reject-note", "判决已经二审改判，刑期应当重新核对。")
	h.clickAndWait("[data-testid=submit-reject]")
	if got := h.location().Query().Get("done"); got != "propose_override" {
		h.t.Fatalf("the refusal was not recorded as an override: %s", h.location().RequestURI())
	}
	decjStatus(h, portal.StatusOverridePending)
	h.both("override pending, seen by the official who decided", func(h *harness) {
		if !h.exists("[data-testid=override-own]") || h.exists("[data-testid=override-approve]") {
			h.t.Fatal("the official who decided is offered his own approval")
		}
	})
	h.logout()

	h.login(second.Login, testPassword)
	h.visit(path)
	h.both("override pending, seen by a second official", func(h *harness) {
		if !h.exists("[data-testid=override-approve]") || !h.exists("[data-testid=override-reject]") {
			h.t.Fatal("the second official is not offered the approval")
		}
	})
	h.clickAndWait("[data-testid=submit-approve-override]")
	decjStatus(h, portal.StatusRejected)
	h.both("refusal approved by the second official", func(h *harness) {
		if !h.exists("[data-testid=last-changed]") {
			h.t.Fatal("the page does not say who changed the case last")
		}
	})
	h.logout()

	h.login("sup-override", testPassword)
	h.visit("/supervision/overrides")
	h.both("", func(h *harness) {
		if !h.exists(`[data-testid=override-row][data-state=approved]`) {
			h.t.Fatal("the supervisor's list lacks the approved override")
		}
	})
}

// decjUnderReview is an application by me, accepted and under review by the
// judge's court, which the rules say is to be sealed (R2: 12 months).
func decjUnderReview(h *harness, me, judge portal.Account) uint64 {
	h.t.Helper()
	db, cal := h.DB, portal.DefaultCalendar()
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, me.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = me.Name, me.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = judge.OrganID, "(2024)测试刑初字第871号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2024, Month: 2, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 8, Day: 5}}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}
		c.HoldingOrganIDs = []uint64{judge.OrganID}
		c.DeclaredTrue = true
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: me.ID},
			[]byte("%PDF-1.4 "+string(k))); err != nil {
			h.t.Fatal(err)
		}
	}
	for _, st := range []store.Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: me.ID, Role: me.Role},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, AccountID: judge.ID, Role: judge.Role, OrganID: judge.OrganID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, AccountID: judge.ID, Role: judge.Role, OrganID: judge.OrganID},
	} {
		if c, err = db.Apply(c.ID, st, cal); err != nil {
			h.t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return c.ID
}

// decjStatus fails unless the case page's summary shows status want.
func decjStatus(h *harness, want portal.CaseStatus) {
	h.t.Helper()
	sel := "[data-testid=case-summary] [data-testid=case-status]"
	if got := h.attr(sel, "data-status"); got != string(want) {
		h.t.Fatalf("the case on %s is %q, want %q", h.location().Path, got, want)
	}
}
