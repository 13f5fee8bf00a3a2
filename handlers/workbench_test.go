package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
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

// sealedBy takes a submitted case of the court through acceptance, review
// and the decision to seal, in the store.
func (w *staffWorld) sealedBy(court portal.Organ, judge portal.Account) portal.Case {
	w.t.Helper()
	cs := w.submitted(court)
	for _, a := range []portal.CaseAction{portal.ActionAccept, portal.ActionStartReview} {
		w.step(cs.ID, a, judge)
	}
	c, err := w.db.Apply(cs.ID, store.Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: judge.ID, Role: judge.Role,
		OrganID: judge.OrganID, Rules: []string{"R2"}}, w.cal)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func auditDetails(t *testing.T, w *staffWorld, action portal.AuditAction, actor uint64) []string {
	t.Helper()
	all, err := w.db.AuditEntries(0, 5000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range all {
		if e.Action == action && e.ActorID == actor {
			out = append(out, e.Detail)
		}
	}
	return out
}

// TestWorkbenchAcceptAndReviewOneStep: one button takes both steps; each is
// on the timeline and in the audit log as if taken apart.
func TestWorkbenchAcceptAndReviewOneStep(t *testing.T) {
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	page := judge.get(staffCasePath(cs.ID))
	if _, ok := page.testid("accept-review"); !ok {
		t.Fatal("no accept-and-review step on a submitted case")
	}
	p := judge.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/accept-review"), nil).wantStatus(t, http.StatusOK)
	if loc := p.first.Header.Get("Location"); !strings.HasSuffix(loc, "?done=accept_review#actions") {
		t.Fatalf("Location %q", loc)
	}
	p.wantText(t, "The application has been accepted and its review has started.")
	if st := w.status(cs.ID); st != portal.StatusUnderReview {
		t.Fatalf("status %s, want under review", st)
	}
	steps := w.staffAudits(portal.AuditCaseStep, w.judge.ID, cs.ID)
	if len(steps) != 2 || steps[0].Detail != "accept:accepted" || steps[1].Detail != "start_review:under_review" {
		t.Fatalf("audit %+v", steps)
	}
	c, _ := w.db.Case(cs.ID)
	n := len(c.Events)
	if c.Events[n-2].Action != portal.ActionAccept || c.Events[n-1].Action != portal.ActionStartReview {
		t.Fatalf("timeline %+v", c.Events[n-2:])
	}
	// Under review, the combined step is gone, and posting it is refused.
	if _, ok := judge.get(staffCasePath(cs.ID)).testid("accept-review"); ok {
		t.Fatal("accept-and-review offered on a case under review")
	}
	judge.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/accept-review"), nil).wantStatus(t, http.StatusConflict)
	// Another court's official gets the 404 of a case that does not exist.
	other := w.signIn(w.judge2)
	cs2 := w.submitted(w.court)
	other.submit("/staff", staffCasePath(cs2.ID, "/accept-review"), nil).wantStatus(t, http.StatusNotFound)
	if st := w.status(cs2.ID); st != portal.StatusSubmitted {
		t.Fatalf("another court changed the case: %s", st)
	}
}

// TestWorkbenchBulkConfirmSealing: the police confirm several sealed cases
// from the queue in one post; each is its own audited step; a case already
// confirmed is reported by reference, one not the organ's is only counted.
func TestWorkbenchBulkConfirmSealing(t *testing.T) {
	w := newStaffWorld(t)
	var ids []string
	var cases []portal.Case
	for range 5 {
		cs := w.sealedBy(w.court, w.judge)
		cases = append(cases, cs)
		ids = append(ids, strconv.FormatUint(cs.ID, 10))
	}
	officer := w.signIn(w.officer)
	queue := officer.get("/staff").wantStatus(t, http.StatusOK)
	if got := strings.Count(queue.body, `data-testid="bulk-select"`); got != 5 {
		t.Fatalf("%d check boxes, want 5", got)
	}
	// One is confirmed singly meanwhile.
	staffAct(officer, cases[0].ID, portal.ActionConfirm, nil).wantStatus(t, http.StatusOK)
	p := officer.submit("/staff", "/staff/confirm-sealing", url.Values{"case": append(ids, "987654", "x")}).wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(p.url.Path, "/staff/results/") {
		t.Fatalf("ended at %s", p.url)
	}
	if v, _ := p.testid("bulk-confirmed"); !strings.Contains(v, "4") {
		t.Fatalf("confirmed %q", v)
	}
	p.wantText(t, cases[0].Ref, "2 cases are not in your organ's queue.")
	for _, cs := range cases[1:] {
		c, _ := w.db.Case(cs.ID)
		if _, ok := c.Confirmations[w.police.ID]; !ok {
			t.Fatalf("%s not confirmed", cs.Ref)
		}
		if a := w.staffAudits(portal.AuditCaseStep, w.officer.ID, cs.ID); len(a) != 1 || a[0].Detail != "confirm:sealed" {
			t.Fatalf("%s audit %+v", cs.Ref, a)
		}
	}
	// The queue has nothing left to tick.
	if strings.Contains(officer.get("/staff").body, `data-testid="bulk-select"`) {
		t.Fatal("check boxes left on the queue")
	}
	// Nothing selected: a clear refusal.
	officer.submit("/staff", "/staff/confirm-sealing", nil).wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "Select at least one case.")
	// The results are the officer's alone.
	judge := w.signIn(w.judge)
	judge.get(p.url.Path).wantStatus(t, http.StatusNotFound)
}

// TestWorkbenchSearch: by identity number, name and organ case number; the
// term travels only in the POST body; results limited to the organ's cases
// (the supervisor sees all); every search audited without its term.
func TestWorkbenchSearch(t *testing.T) {
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	for _, tc := range []struct{ kind, term string }{
		{"idnumber", w.minor.IDNumber}, {"name", "李 小华"}, {"case_number", "（2024）甲刑初字第7号"},
	} {
		p := judge.submit("/staff/search", "/staff/search", url.Values{"kind": {tc.kind}, "term": {tc.term}}).wantStatus(t, http.StatusOK)
		for _, r := range append(p.redirects, p.url.String()) {
			if strings.Contains(r, url.QueryEscape(tc.term)) || strings.Contains(r, tc.term) || strings.Contains(r, "term") {
				t.Fatalf("the term is in the address %q", r)
			}
		}
		if refs := resultRefs(p); len(refs) != 1 || refs[0] != cs.Ref {
			t.Fatalf("%s: results %v", tc.kind, refs)
		}
	}
	// Another court finds nothing of it; the supervisor finds it.
	other := w.signIn(w.judge2)
	if refs := resultRefs(other.submit("/staff/search", "/staff/search", url.Values{"kind": {"idnumber"}, "term": {w.minor.IDNumber}})); len(refs) != 0 {
		t.Fatalf("another court found %v", refs)
	}
	sup := w.signIn(w.sup)
	if refs := resultRefs(sup.submit("/staff", "/staff/search", url.Values{"kind": {"idnumber"}, "term": {w.minor.IDNumber}})); len(refs) != 1 {
		t.Fatalf("the supervisor found %v", refs)
	}
	// A malformed number: the form again, with the typed term, 422.
	p := judge.submit("/staff/search", "/staff/search", url.Values{"kind": {"idnumber"}, "term": {"11010520"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if v, _ := p.inputValue("term"); v != "11010520" {
		t.Fatalf("typed term not kept: %q", v)
	}
	judge.submit("/staff/search", "/staff/search", url.Values{"kind": {"shoe_size"}, "term": {"42"}}).wantStatus(t, http.StatusUnprocessableEntity)
	// Audited by kind and count, never by term.
	got := auditDetails(t, w, portal.AuditCaseSearch, w.judge.ID)
	if !slices.Equal(got, []string{"idnumber:1", "name:1", "case_number:1"}) {
		t.Fatalf("judge's search audit %v", got)
	}
	all, _ := w.db.AuditEntries(0, 5000)
	for _, e := range all {
		if strings.Contains(e.Detail, w.minor.IDNumber) || strings.Contains(e.Detail, "小华") || strings.Contains(e.Detail, "甲刑初") {
			t.Fatalf("audit entry carries a term: %+v", e)
		}
	}
}

var resultRowRE = regexp.MustCompile(`data-testid="result-row" data-ref="([^"]*)"`)

func resultRefs(p *testPage) []string {
	var out []string
	for _, m := range resultRowRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestWorkbenchAssignAndHandOver: an official takes a case, hands it over to
// a colleague of the same organ; both see it; "my cases" follows.
func TestWorkbenchAssignAndHandOver(t *testing.T) {
	w := newStaffWorld(t)
	colleague := w.official(portal.RoleCourt, "judge-a2", w.court)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	judge.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/assign"), url.Values{"me": {"1"}}).wantStatus(t, http.StatusOK).
		wantText(t, "The official in charge has been set.")
	if refs := resultRefs(judge.get("/staff/mine")); len(refs) != 1 || refs[0] != cs.Ref {
		t.Fatalf("my cases %v", refs)
	}
	// A login that is not the organ's: refused, typed value kept.
	p := judge.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/assign"), url.Values{"assignee": {"police-a"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if v, _ := p.inputValue("assignee"); v != "police-a" {
		t.Fatalf("typed login not kept: %q", v)
	}
	judge.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/assign"), url.Values{"assignee": {"judge-a2"}}).wantStatus(t, http.StatusOK)
	if refs := resultRefs(judge.get("/staff/mine")); len(refs) != 0 {
		t.Fatalf("handed over, still in my cases: %v", refs)
	}
	col := w.signIn(colleague)
	if refs := resultRefs(col.get("/staff/mine")); len(refs) != 1 {
		t.Fatalf("colleague's cases %v", refs)
	}
	col.get(staffCasePath(cs.ID)).wantText(t, "(you)", "Handed over from")
	judge.get(staffCasePath(cs.ID)).wantText(t, "judge-a2", "Handed over from")
	if got := auditDetails(t, w, portal.AuditCaseAssigned, w.judge.ID); len(got) != 2 {
		t.Fatalf("assignment audit %v", got)
	}
	// The supervisor reads the case but assigns nothing.
	sup := w.signIn(w.sup)
	sup.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/assign"), url.Values{"me": {"1"}}).wantStatus(t, http.StatusForbidden)
}

// TestWorkbenchRegisterAndCSV: the register lists what the organ sealed and
// confirmed in the period; the CSV opens in Excel (BOM), holds no personal
// data and its export is audited.
func TestWorkbenchRegisterAndCSV(t *testing.T) {
	w := newStaffWorld(t)
	cs := w.sealedBy(w.court, w.judge)
	judge := w.signIn(w.judge)
	p := judge.get("/staff/register").wantStatus(t, http.StatusOK)
	if n := strings.Count(p.body, `data-testid="register-row"`); n != 1 {
		t.Fatalf("%d register rows, want 1 (decided to seal)", n)
	}
	p.wantText(t, cs.Ref, "Decided to seal")
	judge.get("/staff/register?from=2026-03-20&to=2026-03-01").wantStatus(t, http.StatusUnprocessableEntity)
	judge.get("/staff/register?from=yesterday").wantStatus(t, http.StatusUnprocessableEntity)
	csvPage := judge.get("/staff/register.csv?from=2026-03-01&to=2026-03-31").wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(csvPage.body, "\uFEFF") {
		t.Fatal("no byte-order mark")
	}
	if ct := csvPage.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("Content-Type %q", ct)
	}
	if !strings.Contains(csvPage.body, cs.Ref) || strings.Contains(csvPage.body, w.minor.Name) || strings.Contains(csvPage.body, w.minor.IDNumber) {
		t.Fatalf("csv %q", csvPage.body)
	}
	if got := auditDetails(t, w, portal.AuditRegisterExport, w.judge.ID); !slices.Equal(got, []string{"2026-03-01:2026-03-31:1"}) {
		t.Fatalf("export audit %v", got)
	}
	// The police's register is its own: nothing confirmed yet.
	officer := w.signIn(w.officer)
	if n := strings.Count(officer.get("/staff/register").body, `data-testid="register-row"`); n != 0 {
		t.Fatalf("police register rows %d", n)
	}
}

// TestWorkbenchPendingCounts: the queue page counts the organ's pending
// certificate requests from the index.
func TestWorkbenchPendingCounts(t *testing.T) {
	w := newStaffWorld(t)
	officer := w.signIn(w.officer)
	if v, _ := officer.get("/staff").testid("count-certificates"); v != "0" {
		t.Fatalf("certificates %q", v)
	}
	if _, err := w.db.RequestCertificate(portal.Certificate{PersonName: w.minor.Name, PersonIDNumber: w.minor.IDNumber, RequestedBy: w.minor.ID,
		RequesterRole: w.minor.Role, Capacity: portal.CapacitySelf, PoliceOrganID: w.police.ID}, w.cal, "req"); err != nil {
		t.Fatal(err)
	}
	if v, _ := officer.get("/staff").testid("count-certificates"); v != "1" {
		t.Fatalf("certificates %q", v)
	}
	judge := w.signIn(w.judge)
	if _, ok := judge.get("/staff").testid("count-certificates"); ok {
		t.Fatal("a court counts certificate requests")
	}
}
