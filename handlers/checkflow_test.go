package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sealportal/portal"
)

// From the check to a sent application on the guided route: "Apply now"
// opens the first part still to fill in, with the check's answers on the
// case page; each part saved opens the next one (the deciding court already
// ticked among the holders); the two documents still needed go up together;
// the declaration is made next to the send button.
func TestCheckGuidedApplication(t *testing.T) {
	t.Parallel()
	ts, o := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleMinor, "13900000601")
	w := chkStart(t, c)
	w.answer(chkDate("birth-date", "2009-01-01"))
	w.answer(chkDate("acts-0-date", "2024-06-01"))
	w.answer(chkOne("disposition", "sentenced"))
	w.answer(chkOne("penalty-kind", "fixed_term"))
	w.answer(url.Values{"penalty-years": {"1"}, "penalty-suspended": {"yes"}})
	w.wantResult(portal.OutcomeSeal, "R1 R2 R3")

	p := c.submit("/check/result", "/check/apply", nil)
	id := chkAppliedCase(t, p)
	p.wantPath(t, applyP(id, "case")) // the person is the account's: complete
	for name, want := range map[string]string{"acts[0].date-year": "2024", "acts[0].date-month": "6", "acts[0].date-day": "1", "penalty_months": "12"} {
		if got, _ := p.inputValue(name); got != want {
			t.Errorf("the case page's %s is %q, want %q from the check", name, got, want)
		}
	}
	for _, v := range []string{"sentenced", "fixed_term"} {
		if !regexp.MustCompile(`<input[^>]*value="` + v + `"[^>]*checked`).MatchString(p.body) {
			t.Errorf("%s is not chosen from the check", v)
		}
	}
	if !regexp.MustCompile(`<input[^>]*name="penalty_suspended"[^>]*checked`).MatchString(p.body) {
		t.Error("the suspension is not carried")
	}

	// The rest of the case: the answers the check did not ask.
	v := applyCaseForm(o.court.ID)
	v.Set("acts[0].date-year", "2024")
	v.Set("acts[0].date-month", "6")
	v.Set("acts[0].date-day", "1")
	p = c.submit(applyP(id, "case"), applyP(id, "case"), v).wantPath(t, applyP(id, "organs"))
	if !regexp.MustCompile(fmt.Sprintf(`<input[^>]*value="%d"[^>]*checked`, o.court.ID)).MatchString(p.body) {
		t.Error("the deciding court is not ticked among the holders")
	}
	applyFillOrgans(t, c, id, o.court, o.police).wantPath(t, applyP(id, "documents"))

	// Both documents still needed at once.
	p = c.get(applyP(id, "documents"))
	for _, f := range []string{"file_judgment", "file_identity"} {
		if !strings.Contains(p.body, `name="`+f+`"`) {
			t.Fatalf("no box for %s on the documents page", f)
		}
	}
	// Nothing chosen: said at the first box.
	p = c.postMultipart(applyP(id, "documents/needed"), url.Values{"_csrf": {p.csrf(t)}})
	// The refusal is shown on the documents page after the redirect (PRG).
	if p.url.Path != applyP(id, "documents") || p.fieldError("file_judgment") == "" {
		t.Fatalf("an empty upload: %d at %s, error %q", p.status, p.url.Path, p.fieldError("file_judgment"))
	}
	p = c.postMultipart(applyP(id, "documents/needed"), url.Values{"_csrf": {p.csrf(t)}},
		testUpload{"file_judgment", "判决书.pdf", applyPDF}, testUpload{"file_identity", "id.png", applyPNG})
	p.wantPath(t, applyP(id, "check"))
	if _, ok := p.testid("error-summary"); ok {
		t.Fatalf("check your answers lists problems\n%s", excerpt(p))
	}

	// Sending without the declaration: the box says so.
	p = c.postForm(p, applyP(id, "submit"), nil)
	if p.status != http.StatusUnprocessableEntity || p.fieldError("declare_true") == "" {
		t.Fatalf("sent without the declaration: %d\n%s", p.status, excerpt(p))
	}
	if _, ok := p.testid("error-summary"); !ok {
		t.Error("no error summary for the declaration")
	}
	p = c.postForm(p, applyP(id, "submit"), url.Values{"declare_true": {"yes"}})
	p.wantPath(t, applyP(id, "done"))
	ref, _ := p.testid("reference")
	if !regexp.MustCompile(`^FC-[0-9]{4}-[0-9]{6}$`).MatchString(ref) {
		t.Fatalf("reference %q", ref)
	}
	cs, err := ts.db.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Status != portal.StatusSubmitted || !cs.DeclaredTrue || cs.Penalty == nil || cs.Penalty.Months != 12 || !cs.Penalty.Suspended {
		t.Fatalf("sent case %s declared %v penalty %+v", cs.Status, cs.DeclaredTrue, cs.Penalty)
	}
}

// An application started from /apply keeps the task list as its hub: a
// saved part goes back to it.
func TestApplyUnguidedKeepsTheTaskList(t *testing.T) {
	t.Parallel()
	ts, o := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleMinor, "13900000602")
	id := applyStartDraft(t, c)
	c.submit(applyP(id, "case"), applyP(id, "case"), applyCaseForm(o.court.ID)).wantPath(t, applyP(id, ""))
}
