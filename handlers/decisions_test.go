package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
)

// underReview is the world's application, accepted and under review by the
// court (the rules say seal: R2, an 18-month suspended term).
func (w *staffWorld) underReview() portal.Case {
	w.t.Helper()
	cs := w.submitted(w.court)
	w.step(cs.ID, portal.ActionAccept, w.judge)
	return w.step(cs.ID, portal.ActionStartReview, w.judge)
}

// Issue 18: a refusal against the rules needs written reasons and a second
// official of the same organ; the first cannot approve his own; the second
// approves and the refusal is taken; the supervisor sees it in the list of
// overrides; every step is audited.
func TestOverrideRefusalNeedsSecondOfficial(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	second := w.official(portal.RoleCourt, "judge-a2", w.court)
	cs := w.underReview()
	judge := w.signIn(w.judge)

	p := judge.get(staffCasePath(cs.ID))
	if _, ok := p.testid("override-warning-reject"); !ok {
		t.Fatal("the refusal form does not say it goes against the rules")
	}
	if _, ok := p.testid("override-warning-seal"); ok {
		t.Fatal("sealing, as the rules say, is marked as an override")
	}
	p = staffAct(judge, cs.ID, portal.ActionReject, url.Values{"rules": {"R2"}, "note": {" "}}).wantStatus(t, http.StatusUnprocessableEntity)
	if msg := p.fieldError("note"); !strings.HasSuffix(msg, "Give the reasons for deciding differently from the rules.") {
		t.Fatalf("override without reasons: %q", msg)
	}
	staffAct(judge, cs.ID, portal.ActionReject, url.Values{"rules": {"R2"}, "note": {"The judgment's term was corrected on appeal."}}).
		wantPath(t, staffCasePath(cs.ID)).wantText(t, "awaits another official of your organ")
	if st := w.status(cs.ID); st != portal.StatusOverridePending {
		t.Fatalf("after the proposal: %s", st)
	}
	p = judge.get(staffCasePath(cs.ID))
	if _, ok := p.testid("override-own"); !ok {
		t.Fatal("the proposer is not told that another official must approve")
	}
	if _, ok := p.testid("override-approve"); ok {
		t.Fatal("the proposer is offered his own approval")
	}
	// Posting the approval anyway is refused.
	judge.post(staffCasePath(cs.ID, "/override/approve"), url.Values{csrfField: {p.csrf(t)}}).wantStatus(t, http.StatusConflict).
		wantText(t, "cannot approve it")
	if st := w.status(cs.ID); st != portal.StatusOverridePending {
		t.Fatalf("self-approval changed the status to %s", st)
	}
	// An official of another court sees nothing.
	other := w.signIn(w.judge2)
	other.post(staffCasePath(cs.ID, "/override/approve"), url.Values{csrfField: {other.get("/staff").csrf(t)}}).wantStatus(t, http.StatusNotFound)

	sc := w.signIn(second)
	p = sc.get(staffCasePath(cs.ID)).wantText(t, "Awaiting a second official's approval", "The judgment's term was corrected on appeal.")
	if v, _ := p.testid("override-proposer"); !strings.Contains(v, "judge-a") {
		t.Fatalf("proposer shown as %q", v)
	}
	sc.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/override/approve"), nil).
		wantPath(t, staffCasePath(cs.ID)).wantText(t, "You approved the decision.", "Last changed by")
	got, err := w.db.Case(cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := got.Events[len(got.Events)-1]
	if got.Status != portal.StatusRejected || last.ActorID != second.ID || last.Note != "The judgment's term was corrected on appeal." {
		t.Fatalf("after approval: %s %+v", got.Status, last)
	}
	if n := len(w.staffAudits(portal.AuditOverrideProposed, w.judge.ID, cs.ID)); n != 1 {
		t.Fatalf("%d proposal audits", n)
	}
	if n := len(w.staffAudits(portal.AuditOverrideApproved, second.ID, cs.ID)); n != 1 {
		t.Fatalf("%d approval audits", n)
	}

	sup := w.signIn(w.sup)
	p = sup.get("/supervision/overrides").wantStatus(t, http.StatusOK).wantText(t, cs.Ref, "Approved", "Not to seal")
	if !strings.Contains(p.body, `data-state="approved"`) {
		t.Fatal("no approved row in the supervisor's list")
	}
	// Nothing of the person is on the list.
	p.noText(t, w.minor.Name, w.minor.IDNumber)
}

// A second official who rejects the override sends the case back to review
// with a reason; without one the form keeps the page and says why.
func TestOverrideRejectedByTheSecondOfficial(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	second := w.official(portal.RoleCourt, "judge-a2", w.court)
	cs := w.underReview()
	staffAct(w.signIn(w.judge), cs.ID, portal.ActionReject, url.Values{"rules": {"R2"}, "note": {"reasons"}}).wantPath(t, staffCasePath(cs.ID))
	sc := w.signIn(second)
	p := sc.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/override/reject"), url.Values{"note": {""}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if msg := p.fieldError("override-note"); !strings.HasSuffix(msg, "Give the reasons for not approving.") {
		t.Fatalf("rejection without reasons: %q", msg)
	}
	sc.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/override/reject"), url.Values{"note": {"The term is within five years."}}).
		wantPath(t, staffCasePath(cs.ID)).wantText(t, "the case is back under review")
	if st := w.status(cs.ID); st != portal.StatusUnderReview {
		t.Fatalf("after rejection: %s", st)
	}
	sup := w.signIn(w.sup)
	if p := sup.get("/supervision/overrides"); !strings.Contains(p.body, `data-state="rejected"`) {
		t.Fatal("no rejected row in the supervisor's list")
	}
}

// Issue 18 item 5: two officials on one case. A step posted from a page the
// case changed since is refused with what changed, and the typed text is
// kept; the page says who changed the case last.
func TestStalePageRefusedKeepsTypedText(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	second := w.official(portal.RoleCourt, "judge-a2", w.court)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	page := judge.get(staffCasePath(cs.ID))
	w.step(cs.ID, portal.ActionAccept, second)
	p := judge.postForm(page, staffCasePath(cs.ID, "/actions/return"), url.Values{"note": {"Please attach page two."}}).
		wantStatus(t, http.StatusConflict)
	if _, ok := p.testid("stale-notice"); !ok {
		t.Fatal("no notice that the case changed")
	}
	p.wantText(t, "Application accepted", "测试工作人员 (judge-a2)")
	if !strings.Contains(p.body, ">Please attach page two.</textarea>") {
		t.Fatal("the typed text was not kept")
	}
	if st := w.status(cs.ID); st != portal.StatusAccepted {
		t.Fatalf("the stale step was taken: %s", st)
	}
	if v, _ := p.testid("last-changed"); !strings.Contains(v, "Last changed by 测试工作人员 (judge-a2)") {
		t.Fatalf("last changed: %q", v)
	}
	// From the page as it is now, the step goes through.
	staffAct(judge, cs.ID, portal.ActionReturn, url.Values{"note": {"Please attach page two."}}).wantPath(t, staffCasePath(cs.ID))
}

// R11: an ex officio case offers no return, and a posted one is refused.
// Each kind of organ is offered only the dispositions it decides.
func TestExOfficioNoReturnAndOrganDispositions(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	judge := w.signIn(w.judge)
	p := judge.get("/staff/cases/new")
	if !strings.Contains(p.body, `value="sentenced"`) || strings.Contains(p.body, `value="not_prosecuted"`) {
		t.Fatal("the court is offered the wrong dispositions")
	}
	police := w.signIn(w.officer)
	p = police.get("/staff/cases/new")
	if !strings.Contains(p.body, `value="case_withdrawn"`) || strings.Contains(p.body, `value="sentenced"`) {
		t.Fatal("the police is offered the wrong dispositions")
	}
	form := url.Values{"person_name": {w.minor.Name}, "person_id_number": {w.minor.IDNumber}, "case_number": {"(2024)甲刑初字第8号"},
		"decision_date": {"2024-11-01"}, "disposition": {"sentenced"}, "acts[0].date": {"2023-08-05"}, "penalty_kind": {"fixed_term"},
		"penalty_months": {"12"}, "intent": {"intentional"}, "holding_organs": {itoa(w.court.ID)}}
	// A name other than the identity on file is refused.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("person_name", "王五")
	p = judge.submit("/staff/cases/new", "/staff/cases/new", bad).wantStatus(t, http.StatusUnprocessableEntity)
	if msg := p.fieldError("person_name"); !strings.Contains(msg, "does not match the identity on file") {
		t.Fatalf("name mismatch: %q", msg)
	}
	p = judge.submit("/staff/cases/new", "/staff/cases/new", form).wantText(t, "Opened by the organ on its own initiative")
	id := pathIDOf(t, p.url.Path)
	if forms := staffActionForms(p); slices.Contains(forms, "return") {
		t.Fatalf("return offered on an ex officio case: %v", forms)
	}
	judge.submit(staffCasePath(id), staffCasePath(id, "/actions/return"), url.Values{"note": {"x"}}).wantStatus(t, http.StatusConflict)
	if st := w.status(id); st != portal.StatusUnderReview {
		t.Fatalf("status %s", st)
	}
	// The same person and case number again: a warning, then confirmed.
	p = judge.submit("/staff/cases/new", "/staff/cases/new", form).wantStatus(t, http.StatusUnprocessableEntity)
	if _, ok := p.testid("duplicate-warning"); !ok {
		t.Fatal("no duplicate warning")
	}
	confirmed := url.Values{"confirm_duplicate": {"yes"}}
	for k, v := range form {
		confirmed[k] = v
	}
	judge.submit("/staff/cases/new", "/staff/cases/new", confirmed).wantText(t, "Opened by the organ on its own initiative")
}

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

// pathIDOf is the case id of a /staff/cases/:id path.
func pathIDOf(t *testing.T, path string) uint64 {
	t.Helper()
	id, err := strconv.ParseUint(strings.TrimPrefix(path, "/staff/cases/"), 10, 64)
	if err != nil {
		t.Fatalf("not a case page: %s", path)
	}
	return id
}

// Issue 18 item 4: the deciding organ's officials are told of a new
// application and of an override to approve, in the portal; marking them
// read clears the count.
func TestStaffNotificationsPage(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	second := w.official(portal.RoleCourt, "judge-a2", w.court)
	cs := w.underReview()
	staffAct(w.signIn(w.judge), cs.ID, portal.ActionReject, url.Values{"rules": {"R2"}, "note": {"reasons"}}).wantPath(t, staffCasePath(cs.ID))
	sc := w.signIn(second)
	p := sc.get("/staff/notifications").wantStatus(t, http.StatusOK).
		wantText(t, cs.Ref, "A new application was received", "A decision against the rules awaits your approval", "2 unread")
	p.noText(t, w.minor.Name)
	sc.submit("/staff/notifications", "/staff/notifications/read", nil).wantPath(t, "/staff/notifications").
		wantText(t, "All notifications are marked as read.")
	if p := sc.get("/staff/notifications"); strings.Contains(p.body, `data-unread="true"`) {
		t.Fatal("still unread after marking read")
	}
	// The proposer is not told of his own override; another court nothing.
	if p := w.signIn(w.judge).get("/staff/notifications"); strings.Contains(p.body, `data-key="staff_notify.override"`) {
		t.Fatal("the proposer is told of his own override")
	}
	if p := w.signIn(w.judge2).get("/staff/notifications"); strings.Contains(p.body, cs.Ref) {
		t.Fatal("another court sees the case")
	}
}
