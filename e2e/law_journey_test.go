package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sealportal/portal"
	"sealportal/store"
)

// TestJourneyLawHarderCases: a court official opens a case ex officio with a
// court-found birth date (R30), two main acts (R27) and the intent of each act
// (R32); the case page shows them; once sealed, the official records an adult
// crime combined with the sealed sentence to more than five years (R19), which
// goes to the procuratorate for review. Every page is checked with axe in both
// languages.
func TestJourneyLawHarderCases(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-law")
	birth := portal.Date{Year: 2005, Month: 6, Day: 10}
	idNumber := portal.SyntheticIDNumber(41, birth).String()

	h.visit("/login")
	h.both("")
	h.login("court-law", testPassword)
	h.expectPath("/staff")
	h.both("")
	h.visit("/staff/cases/new")
	h.both("")
	h.fill("#person_name", "王小明")
	h.fill("#person_id_number", idNumber)
	lawjSet(h, "#court_birth_date", "2005-09-01")
	h.fill("#case_number", "(2024)测试刑初字第41号")
	lawjSet(h, "#decision_date", "2024-12-02")
	lawjSet(h, "#disposition", string(portal.DispositionSentenced))
	lawjSet(h, `[id="acts[0].date"]`, "2023-01-10")
	lawjSet(h, `[id="acts[0].intent"]`, string(portal.IntentIntentional))
	lawjSet(h, `[id="acts[1].date"]`, "2023-07-01")
	lawjSet(h, `[id="acts[1].intent"]`, string(portal.IntentNegligent))
	lawjTick(h, "#main_act-0")
	lawjTick(h, "#main_act-1")
	lawjSet(h, "#penalty_kind", string(portal.PenaltyFixedTerm))
	h.fill("#penalty_months", "24")
	lawjTick(h, "#intent-intentional")
	lawjTick(h, fmt.Sprintf("#organ-%d", court.OrganID))
	h.clickAndWait("[data-testid=ex-officio-submit]")
	id := h.pathID(`^/staff/cases/(\d+)$`)
	h.both("ex officio case with the court's birth date and intents", func(h *harness) {
		if !h.exists("[data-testid=court-birth-date]") {
			h.t.Fatal("the case page does not show the court-found birth date")
		}
		if n := evalJS[int](h, `document.querySelectorAll("[data-testid=act-intent]").length`); n != 2 {
			h.t.Fatalf("%d act intents shown, want 2", n)
		}
	})
	cs, err := h.DB.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	// R30 then R27: by the court's date both main acts are a minor's.
	if d, _ := cs.Eligibility(); d.Outcome != portal.OutcomeSeal {
		t.Fatalf("eligibility %+v, want seal", d)
	}

	// The court seals and confirms (through the store, as the staff journey
	// does elsewhere), then records the adult crime.
	cal := portal.DefaultCalendar()
	for _, st := range []store.Step{
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID, Rules: []string{"R2", "R27", "R30"}},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID},
	} {
		if _, err := h.DB.Apply(id, st, cal); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	path := "/staff/cases/" + strconv.FormatUint(id, 10) + "/unsealing"
	h.visit(path)
	h.both("")
	for i, k := range portal.UnsealingKinds {
		if k == portal.UnsealingAdultCrime {
			sel := "#kind"
			if i > 0 {
				sel = "#kind-" + strconv.Itoa(i)
			}
			lawjTick(h, sel)
		}
	}
	h.fill("#act_date", "2025-06-01")
	lawjTick(h, "#combined")
	h.fill("#combined_months", "72")
	h.fill("#legal_basis", "（2025）测试刑初字第88号刑事判决")
	h.clickAndWait("[data-testid=unseal-submit]")
	h.expectPath(path)
	h.both("unsealing form after a combined adult crime", func(h *harness) {
		want := msg(h.pageLang(), "law.unseal_combined_short")
		if got := h.text("[data-testid=unseal-combined]"); !strings.Contains(got, want) {
			h.t.Fatalf("history says %q, want %q", got, want)
		}
	})
	if c, _ := h.DB.Case(id); c.Status != portal.StatusUnsealingReview {
		t.Fatalf("status %s, want unsealing review (R19)", c.Status)
	}
}

// lawjSet sets a field's value as a date picker or a select would, and tells
// the page it changed.
func lawjSet(h *harness, sel, value string) {
	h.t.Helper()
	h.do("set "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const e = document.querySelector(%s); e.value = %s; e.dispatchEvent(new Event("change", {bubbles: true})); })()`,
		jsString(sel), jsString(value))))
	if got := h.value(sel); got != value {
		h.t.Fatalf("set %s: the field holds %q, want %q", sel, got, value)
	}
}

// lawjTick ticks a checkbox or radio button (unless the form ticked it
// already, as it does the official's own organ) and checks that it is ticked.
func lawjTick(h *harness, sel string) {
	h.t.Helper()
	if !evalJS[bool](h, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(sel))) {
		h.click(sel)
	}
	if !evalJS[bool](h, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(sel))) {
		h.t.Fatalf("%s is not ticked after clicking it", sel)
	}
}
