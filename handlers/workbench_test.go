package handlers

import (
	"net/http"
	"strings"
	"testing"

	"sealportal/portal"
)

// Issue 18: the officials' workbench — the action panel at the top of the
// case page, acceptance and review in one step, bulk confirmation of sealing,
// search by blind index, assignment, counts and the sealing register.

// TestWorkbenchActionPanelOnTop: the steps come before the case's details,
// and a step returns to them (#actions, focusable) with its outcome in a
// status region inside the panel.
func TestWorkbenchActionPanelOnTop(t *testing.T) {
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	p := judge.get(staffCasePath(cs.ID)).wantStatus(t, http.StatusOK)
	panel, summary := strings.Index(p.body, `id="actions"`), strings.Index(p.body, `data-testid="case-summary"`)
	if panel < 0 || summary < 0 || panel > summary {
		t.Fatalf("action panel at %d, case summary at %d: the panel must come first", panel, summary)
	}
	if !strings.Contains(p.body, `id="actions" tabindex="-1"`) {
		t.Fatal("the action panel is not focusable")
	}
	p = staffAct(judge, cs.ID, portal.ActionAccept, nil).wantStatus(t, http.StatusOK)
	if loc := p.first.Header.Get("Location"); !strings.HasSuffix(loc, "?done=accept#actions") {
		t.Fatalf("after a step Location = %q, want the case's #actions", loc)
	}
	notice := strings.Index(p.body, `role="status"`)
	end := strings.Index(p.body, `data-testid="case-summary"`)
	if notice < strings.Index(p.body, `id="actions"`) || notice > end {
		t.Fatal("the step's outcome is not announced inside the action panel")
	}
}
