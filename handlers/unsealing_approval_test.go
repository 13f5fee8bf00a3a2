package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
)

// Two-step unsealing (issue 18, R18) through the real router: one court
// official records, a second one approves (never the recorder, never another
// organ), every holder confirms — alone or in bulk from its queue — and the
// person, the case page and the supervisor see the truth at each step.

// unsealSecondJudge is a second official of the deciding court.
func (w *certWorld) unsealSecondJudge(t *testing.T) portal.Account {
	t.Helper()
	if a, err := w.db.AccountByLogin("cert-judge-b"); err == nil {
		return a
	}
	return w.certOfficial(portal.RoleCourt, "cert-judge-b", w.court)
}

// unsealApprove posts the approval form from the unsealing page, citing the
// provision on unsealing.
func unsealApprove(t *testing.T, c *testClient, id uint64, verdict, reasons string) *testPage {
	t.Helper()
	return c.submit(unsealPath(id), unsealPath(id)+"/approve", url.Values{"verdict": {verdict}, "reasons": {reasons},
		"citations": {"measures-unsealing", "spp-485"}})
}

func TestUnsealingTwoStepThroughHandlers(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	cs := w.completed("(2024)甲刑初字第21号")
	rejected := w.completed("(2024)甲刑初字第22号")
	judge := w.signIn(w.judge, "en")
	second := w.signIn(w.unsealSecondJudge(t), "en")

	unsealPost(t, judge, cs.ID, portal.UnsealingNewCrime, "2024-01-10", "61", "").wantPath(t, unsealPath(cs.ID))
	// The recorder sees that a colleague must approve; no form is offered,
	// and posting one anyway is refused (403) without changing anything.
	own := judge.get(unsealPath(cs.ID)).wantText(t, "You recorded this unsealing; another official of your organ must approve it.")
	if strings.Contains(own.body, `data-testid="unseal-approve-form"`) {
		t.Fatal("the recorder is offered the approval form")
	}
	judge.post(unsealPath(cs.ID)+"/approve", url.Values{csrfField: {own.csrf(t)}, "verdict": {"approve"}, "citations": {"measures-unsealing"}}).
		wantStatus(t, http.StatusForbidden).wantText(t, "You cannot approve an unsealing you recorded")
	if st := w.caseStatus(cs.ID); st != portal.StatusUnsealingApproval {
		t.Fatalf("self-approval changed the case: %s", st)
	}
	// Another court's official, and the police that holds records, get the
	// 404 of a case that does not exist.
	for _, a := range []portal.Account{w.judge2, w.officer} {
		c := w.signIn(a, "en")
		p := c.get("/staff")
		c.post(unsealPath(cs.ID)+"/approve", url.Values{csrfField: {p.csrf(t)}, "verdict": {"approve"}, "citations": {"measures-unsealing"}}).
			wantStatus(t, http.StatusNotFound)
	}
	// The person is told the truth: still sealed, being checked.
	me := w.signIn(w.minor, "en")
	me.get("/cases/"+strconv.FormatUint(cs.ID, 10)).wantText(t, "Unsealing awaiting approval", "Until then the record stays sealed").
		noText(t, "测试工作人员", "cert-judge", "R18")
	// The supervisor lists it as waiting for approval.
	sup := w.signIn(w.sup, "en")
	sup.get("/supervision/unsealing").wantText(t, "Unsealings waiting for approval or confirmation", cs.Ref, "Waiting for the deciding organ's approval")

	// The second official: a missing verdict, a rejection without reasons,
	// an approval without a citation are each said at their field, the typed
	// values kept.
	// The colleague's case page leads to the approval.
	if _, ok := second.get(staffCasePath(cs.ID)).testid("unseal-approval-link"); !ok {
		t.Fatal("no link to the approval on the colleague's case page")
	}
	if _, ok := judge.get(staffCasePath(cs.ID)).testid("unseal-approval-link"); ok {
		t.Fatal("the recorder is led to approve his own record")
	}
	p := second.get(unsealPath(cs.ID)).wantText(t, "Approval of the unsealing", "Recorded by 测试工作人员 (cert-judge)")
	if !strings.Contains(p.body, `data-testid="unseal-approve-form"`) || !strings.Contains(p.body, `data-testid="citation-measures-unsealing"`) {
		t.Fatal("no approval form with its citations")
	}
	bad := second.submit(unsealPath(cs.ID), unsealPath(cs.ID)+"/approve", url.Values{"verdict": {""}, "reasons": {"草稿"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if bad.fieldError("verdict") == "" {
		t.Fatalf("no verdict error: %s", excerpt(bad))
	}
	if !strings.Contains(bad.body, ">草稿</textarea>") {
		t.Fatal("typed reasons lost")
	}
	if p := unsealApprove(t, second, cs.ID, "reject", " ").wantStatus(t, http.StatusUnprocessableEntity); !strings.Contains(p.fieldError("reasons"), "Give the reasons") {
		t.Fatalf("reasons error %q", p.fieldError("reasons"))
	}
	second.submit(unsealPath(cs.ID), unsealPath(cs.ID)+"/approve", url.Values{"verdict": {"approve"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "Choose at least one provision of law.")
	if st := w.caseStatus(cs.ID); st != portal.StatusUnsealingApproval {
		t.Fatalf("a refused form changed the case: %s", st)
	}

	// Approved: unsealed, the decision issued and sent to the police.
	unsealApprove(t, second, cs.ID, "approve", "核对判决无误").wantPath(t, unsealPath(cs.ID)).
		wantText(t, "The unsealing is approved", "Approved by 测试工作人员 (cert-judge-b)", "Organs that have not yet confirmed the unsealing: 2.")
	if st := w.caseStatus(cs.ID); st != portal.StatusUnsealing {
		t.Fatalf("approved: %s", st)
	}
	docs, err := w.db.LegalDocumentsOfCase(cs.ID)
	if err != nil || len(docs) != 1 || docs[0].Kind != portal.DocUnsealingDecision || !docs[0].Addressed(portal.RecipientOrgan, w.police.ID) ||
		!docs[0].Addressed(portal.RecipientPerson, 0) || len(docs[0].Citations) != 2 {
		t.Fatalf("documents %+v %v", docs, err)
	}
	// Approving again is a conflict.
	pg := second.get(unsealPath(cs.ID))
	second.post(unsealPath(cs.ID)+"/approve", url.Values{csrfField: {pg.csrf(t)}, "verdict": {"approve"}, "citations": {"measures-unsealing"}}).
		wantStatus(t, http.StatusConflict)

	// The person: unsealed, with the decision, nothing internal.
	me.get("/cases/"+strconv.FormatUint(cs.ID, 10)).wantText(t, "The record was unsealed on a ground set by law", "Unsealed under the law").
		noText(t, "cert-judge-b", "R18")
	me.get("/notifications").wantText(t, "Your record was unsealed under the law")

	// The police: notified, the case in its queue with a check box, the
	// confirmation offered on the case page.
	cop := w.signIn(w.officer, "en")
	cop.get("/staff/notifications").wantText(t, "The record was unsealed: lift the seal on your organ's records and confirm")
	q := cop.get("/staff").wantText(t, cs.Ref, "For a checked case being unsealed")
	if !strings.Contains(q.body, `name="case" value="`+strconv.FormatUint(cs.ID, 10)+`"`) {
		t.Fatal("no check box for the unsealing in the police queue")
	}
	page := cop.get(staffCasePath(cs.ID)).wantText(t, "Confirm your organ's records are unsealed", "Organs that have not yet confirmed the unsealing: 2.")
	if forms := staffActionForms(page); len(forms) != 1 || forms[0] != string(portal.ActionConfirmUnsealed) {
		t.Fatalf("police actions %v", forms)
	}
	staffAct(cop, cs.ID, portal.ActionConfirmUnsealed, url.Values{"note": {"档案已解封"}}).wantPath(t, staffCasePath(cs.ID)).
		wantText(t, "Your organ's unsealing has been confirmed.", "Organs that have not yet confirmed the unsealing: 1.")
	if forms := staffActionForms(cop.get(staffCasePath(cs.ID))); len(forms) != 0 {
		t.Fatalf("confirm offered twice: %v", forms)
	}
	// In bulk: the police again (already confirmed) is told by reference;
	// another court, holding nothing, learns nothing of the case.
	q = cop.get("/staff")
	again := cop.post("/staff/confirm-sealing", url.Values{csrfField: {q.csrf(t)}, "case": {strconv.FormatUint(cs.ID, 10)}}).wantStatus(t, http.StatusOK)
	if ref, _ := again.testid("bulk-failed-ref"); ref != cs.Ref {
		t.Fatalf("a second bulk confirmation: %s", excerpt(again))
	}
	stranger := w.signIn(w.judge2, "en")
	q = stranger.get("/staff")
	foreign := stranger.post("/staff/confirm-sealing", url.Values{csrfField: {q.csrf(t)}, "case": {strconv.FormatUint(cs.ID, 10)}}).
		wantStatus(t, http.StatusOK).noText(t, cs.Ref)
	if n, _ := foreign.testid("bulk-confirmed"); !strings.Contains(foreign.body, `data-count="0"`) {
		t.Fatalf("a foreign organ confirmed: %q", n)
	}
	if c, _ := w.db.Case(cs.ID); len(c.PendingUnsealHolders()) != 1 {
		t.Fatalf("pending after the refused bulk steps: %v", c.PendingUnsealHolders())
	}
	// The supervisor names the court as the organ that has not confirmed.
	row := sup.get("/supervision/unsealing")
	if m := regexp.MustCompile(`(?s)data-testid="unseal-open-pending">(.*?)</td>`).FindStringSubmatch(row.body); m == nil ||
		!strings.Contains(m[1], w.court.Name) || strings.Contains(m[1], w.police.Name) {
		t.Fatalf("pending holders on the supervisor's list: %v", m)
	}
	// The court confirms for the records it holds, in bulk from its queue.
	q = judge.get("/staff")
	judge.post("/staff/confirm-sealing", url.Values{csrfField: {q.csrf(t)}, "case": {strconv.FormatUint(cs.ID, 10)}}).wantStatus(t, http.StatusOK)
	if st := w.caseStatus(cs.ID); st != portal.StatusUnsealed {
		t.Fatalf("after every holder: %s", st)
	}
	sup.get("/supervision/unsealing").wantText(t, "No unsealing waits for approval or confirmation.")
	judge.get(staffCasePath(cs.ID)).wantText(t, "Every organ holding records has confirmed the unsealing.")
	// Each confirmation is its own audited step.
	events, _ := w.db.AuditBySubject("case", cs.ID)
	n := 0
	for _, e := range events {
		if e.Action == portal.AuditCaseStep && strings.HasPrefix(e.Detail, string(portal.ActionConfirmUnsealed)+":") {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d confirmation steps audited, want 2", n)
	}

	// Rejected with reasons: the record stays sealed, no document, the
	// case completed again.
	unsealPost(t, judge, rejected.ID, portal.UnsealingNewCrime, "2024-01-10", "61", "")
	unsealApprove(t, second, rejected.ID, "reject", "该判决尚未生效").wantPath(t, unsealPath(rejected.ID)).
		wantText(t, "The unsealing was rejected; the record stays sealed.")
	if st := w.caseStatus(rejected.ID); st != portal.StatusCompleted {
		t.Fatalf("rejected: %s", st)
	}
	if docs, _ := w.db.LegalDocumentsOfCase(rejected.ID); len(docs) != 0 {
		t.Fatalf("a rejected unsealing issued %d documents", len(docs))
	}
	me.get("/notifications").wantText(t, "The check is over: your record stays sealed")

	// Both languages render every page of the procedure.
	for _, c := range []*testClient{judge, second, cop, sup} {
		c.setLang("zh-CN")
	}
	second.get(unsealPath(cs.ID)).wantStatus(t, http.StatusOK).wantText(t, "解除封存的批准")
	cop.get(staffCasePath(cs.ID)).wantStatus(t, http.StatusOK).wantText(t, "所有持有记录的机关都已确认解除封存。")
	sup.get("/supervision/unsealing").wantStatus(t, http.StatusOK).wantText(t, "待批准或待确认的解除封存")
}

// Issue 18: the store refuses the recorder even when the handler is
// bypassed, and the state is never half-written.
func TestUnsealingSelfApprovalRefusedInStore(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	cs := w.completed("(2024)甲刑初字第23号")
	st := store.Step{AccountID: w.judge.ID, Role: w.judge.Role, OrganID: w.court.ID}
	if _, _, err := w.db.RecordUnsealingEvent(cs.ID, portal.UnsealingRecord{LegalBasis: "判决", Event: portal.UnsealingEvent{
		Kind: portal.UnsealingNewCrime, ActDate: portal.Date{Year: 2024, Month: 1, Day: 10}, CombinedMonths: 61}}, st, w.cal); err != nil {
		t.Fatal(err)
	}
	_, _, err := w.db.DecideUnsealingApproval(cs.ID, store.UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalUnseal}}, st, w.cal)
	if portal.ErrorCode(err) != portal.CodeForbidden || w.caseStatus(cs.ID) != portal.StatusUnsealingApproval {
		t.Fatalf("self-approval: %v %s", err, w.caseStatus(cs.ID))
	}
}
