package e2e

import (
	"testing"

	"sealportal/portal"
)

// TestJourneyMyData: a person with an unsent draft opens "My data" from the
// account page, sees what the portal holds (account, sessions, the draft with
// its delete link, the R11 note that sealed records are kept), confirms the
// deletion of the draft, and lands back on the page without it. Every page is
// checked with axe in both languages.
func TestJourneyMyData(t *testing.T) {
	h := newHarness(t)
	birth := portal.Date{Year: 2007, Month: 5, Day: 20}
	minor := h.createCitizen(portal.RoleMinor, "13900000077", "数据测试人", 77, birth)
	draft, err := h.DB.CreateDraft(portal.Case{Capacity: portal.CapacityOf(minor.Role)}, minor.ID)
	if err != nil {
		t.Fatal(err)
	}

	h.visit("/login")
	h.both("")
	h.login(minor.Login, testPassword)
	h.visit("/account")
	h.both("")
	h.clickAndWait("[data-testid=my-data]")
	h.expectPath("/account/data")
	h.both("")
	if got := h.text("[data-testid=mydata-name]"); got != "数据测试人" {
		t.Fatalf("the page shows the name %q", got)
	}
	if !h.exists("[data-testid=mydata-r11]") || !h.exists("[data-testid=download-json]") {
		t.Fatal("the page lacks the R11 note or the JSON download")
	}
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=mydata-draft]").length`); n != 1 {
		t.Fatalf("%d drafts listed, want the one unsent application", n)
	}

	// Deleting the draft goes through a confirmation page.
	h.clickAndWait("[data-testid=draft-delete]")
	h.both("")
	h.clickAndWait("main form button[type=submit]")
	h.both("with notice")
	if _, err := h.DB.Case(draft.ID); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("the draft is still stored after its deletion: %v", err)
	}
	h.visit("/account/data")
	if !h.exists("[data-testid=mydata-no-drafts]") {
		t.Fatal("the deleted draft is still listed")
	}
}
