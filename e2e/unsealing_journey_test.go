package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
)

// TestJourneyUnsealingTwoStep (issue 18, R18): a court official records that
// a new crime committed before 18 was combined with the sealed sentence to
// more than five years; the record stays sealed and he cannot approve his
// own record; a second official of the court approves it, citing the
// provisions the picker ticks, and the unsealing decision is issued; the
// police confirm the unsealing in bulk from their queue, the supervisor sees
// that the procuratorate has not confirmed yet, the procuratorate confirms
// from the case page, and the unsealing is over. The person sees a truthful
// status at each stage. Every page is checked with axe in both languages.
func TestJourneyUnsealingTwoStep(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-unseal")
	colleague := h.createAccount(portal.Account{Role: portal.RoleCourt, Login: "court-unseal2", Name: "测试同事", Organ: court.Organ,
		OrganID: court.OrganID}, testPassword)
	police := h.createStaff(portal.RolePolice, "police-unseal")
	procur := h.createStaff(portal.RoleProcuratorate, "procur-unseal")
	sup := h.createStaff(portal.RoleSupervisor, "sup-unseal")
	birth := portal.Date{Year: 2006, Month: 4, Day: 20}
	me := h.createAccount(portal.Account{Role: portal.RoleMinor, Login: "13900007701", Mobile: "13900007701", Name: "郑小明",
		IDNumber: portal.SyntheticIDNumber(7701, birth).String()}, testPassword)
	if _, err := h.DB.VerifyIdentity(me.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: me.IDNumber, Name: me.Name}); err != nil {
		t.Fatal(err)
	}
	cal := portal.DefaultCalendar()
	cs := ldjCaseUnderReview(h, me, court, []uint64{police.OrganID, procur.OrganID}, "(2024)测试刑初字第77号")
	seal := store.Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID, Rules: []string{"R2"}}
	if _, _, err := h.DB.ApplyWithDocument(cs.ID, seal, cal, store.DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286"}}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []portal.Account{police, procur} {
		if _, err := h.DB.Apply(cs.ID, store.Step{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: o.ID, Role: o.Role,
			OrganID: o.OrganID, Rules: []string{"R12"}}, cal); err != nil {
			t.Fatal(err)
		}
	}
	staffCase := fmt.Sprintf("/staff/cases/%d", cs.ID)
	unsealPage := staffCase + "/unsealing"
	myCase := fmt.Sprintf("/cases/%d", cs.ID)
	status := func() portal.CaseStatus {
		c, err := h.DB.Case(cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status
	}

	// ---- The court records the event; the rules say unseal, and it waits.
	h.login(court.Login, testPassword)
	h.expectPath("/staff")
	h.visit(staffCase)
	h.both("/staff/cases/:id completed, before an unsealing")
	h.clickAndWait("[data-testid=unsealing-link]")
	h.expectPath(unsealPage)
	h.both("/staff/cases/:id/unsealing on a sealed record")
	h.click("#kind") // a new crime committed before 18
	h.fill("#act_date", "2024-01-10")
	h.fill("#combined_months", "72")
	h.fill("#combined_days", "0")
	h.fill("#legal_basis", "（2026）测试刑初字第90号刑事判决")
	h.clickAndWait("[data-testid=unseal-submit]")
	h.expectPath(unsealPage)
	h.expectText("[data-testid=notice]", msg(h.pageLang(), "unseal.notice.unseal"))
	if !h.exists("[data-testid=unseal-own-record]") || h.exists("[data-testid=unseal-approve-form]") {
		t.Fatalf("the recorder is offered the approval: %q", h.text("[data-testid=unseal-approval]"))
	}
	if st := status(); st != portal.StatusUnsealingApproval || !st.RecordSealed() {
		t.Fatalf("after recording: %s", st)
	}
	h.both("/staff/cases/:id/unsealing recorded, awaiting approval")
	h.logout()

	// ---- The person: still sealed, being checked.
	h.login(me.Login, testPassword)
	h.visit(myCase)
	if got := h.attr("[data-testid=case-status]", "data-status"); got != string(portal.StatusUnsealingApproval) {
		t.Fatalf("the person's case shows %q", got)
	}
	if txt := h.text("main"); strings.Contains(txt, "R18") || strings.Contains(txt, "court-unseal") {
		t.Fatalf("the person's page shows internal detail: %q", txt)
	}
	h.both("/cases/:id unsealing awaiting approval")
	h.logout()

	// ---- A second official of the court approves it.
	h.login(colleague.Login, testPassword)
	h.visit(unsealPage)
	if !h.exists("[data-testid=unseal-approve-form]") {
		t.Fatalf("no approval form for the colleague: %q", h.text("main"))
	}
	if !h.exists("[data-testid=citation-measures-unsealing]:checked") {
		t.Fatalf("the picker does not tick the provision on unsealing: %q", h.text("[data-testid=citation-picker]"))
	}
	h.both("/staff/cases/:id/unsealing approval form")
	h.click("#approval-verdict")
	h.fill("#approval-reasons", "核对新判决，数罪并罚后执行六年")
	h.clickAndWait("[data-testid=unseal-approve-submit]")
	h.expectPath(unsealPage)
	h.expectText("[data-testid=notice]", msg(h.pageLang(), "unseal.notice.approve"))
	if st := status(); st != portal.StatusUnsealing {
		t.Fatalf("after approval: %s", st)
	}
	docs, err := h.DB.LegalDocumentsOfCase(cs.ID)
	if err != nil || len(docs) != 2 || docs[1].Kind != portal.DocUnsealingDecision || !docs[1].Addressed(portal.RecipientOrgan, procur.OrganID) {
		t.Fatalf("documents %+v %v", docs, err)
	}
	h.both("/staff/cases/:id/unsealing approved, holders confirming")
	h.logout()

	// ---- The police confirm it in bulk from their queue.
	h.login(police.Login, testPassword)
	h.expectPath("/staff")
	box := "#select-" + strconv.FormatUint(cs.ID, 10)
	if !h.exists(box) || !h.exists("[data-testid=bulk-unseal-hint]") {
		t.Fatalf("no check box for the unsealing in the police queue: %q", h.text("main"))
	}
	h.both("queue with an unsealing to confirm")
	h.click(box)
	h.clickAndWait("[data-testid=bulk-confirm-submit]")
	if got := h.attr("[data-testid=bulk-confirmed]", "data-count"); got != "1" {
		t.Fatalf("confirmed %s cases, want 1", got)
	}
	h.both("bulk result of an unsealing")
	if c, _ := h.DB.Case(cs.ID); c.Status != portal.StatusUnsealing || len(c.PendingUnsealHolders()) != 1 {
		t.Fatalf("after the police: %s %v", c.Status, c.PendingUnsealHolders())
	}
	h.logout()

	// ---- The supervisor sees that the procuratorate has not confirmed.
	h.login(sup.Login, testPassword)
	h.visit("/supervision/unsealing")
	if got := h.text("[data-testid=unseal-open-pending]"); !strings.Contains(got, procur.Organ) || strings.Contains(got, police.Organ) {
		t.Fatalf("the supervisor's list names %q as not confirmed", got)
	}
	h.both("/supervision/unsealing with an open unsealing")
	h.visit(staffCase)
	if got := h.text("[data-testid=unseal-case-panel]"); !strings.Contains(got, procur.Organ) {
		t.Fatalf("the case page's unsealing panel: %q", got)
	}
	h.both("/staff/cases/:id unsealing, one holder pending (supervisor)")
	h.logout()

	// ---- The procuratorate confirms from the case page: the unsealing is over.
	h.login(procur.Login, testPassword)
	h.visit(staffCase)
	h.both("/staff/cases/:id unsealing to confirm")
	appjStaffAction(h, portal.ActionConfirmUnsealed, portal.StatusUnsealed)
	if !h.exists("[data-testid=unseal-all-confirmed]") {
		t.Fatalf("the case page does not say every holder confirmed: %q", h.text("[data-testid=unseal-case-panel]"))
	}
	h.logout()

	h.login(sup.Login, testPassword)
	h.visit("/supervision/unsealing")
	if !h.exists("[data-testid=unseal-open-none]") {
		t.Fatalf("the unsealing is still listed as open: %q", h.text("[data-testid=unseal-open]"))
	}
	h.both("/supervision/unsealing with none open")
	h.logout()

	// ---- The person: unsealed, with the decision among his documents.
	h.login(me.Login, testPassword)
	h.visit(myCase)
	if got := h.attr("[data-testid=case-status]", "data-status"); got != string(portal.StatusUnsealed) {
		t.Fatalf("the person's case shows %q", got)
	}
	if main := strings.ToLower(h.text("main")); !strings.Contains(main, "解除犯罪记录封存决定书") && !strings.Contains(main, "decision to unseal a criminal record") {
		t.Fatalf("the person's page lists no unsealing decision: %q", h.text("main"))
	}
	if h.exists("[data-testid=holders]") {
		t.Fatalf("the person's page still says the organs have sealed: %q", h.text("main"))
	}
	h.both("/cases/:id unsealed")
}
