package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sealportal/portal"
)

// Issue 18, R12, R33: the court seals through the console with the citations
// it ticks; the notice is numbered, printable, listed on the staff case page
// of the court and of the holding police, and the person's copy is on his
// case page; staff reads are audited.
func TestLegalDocSealingNoticeEndToEnd(t *testing.T) {
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(cs.ID, portal.ActionStartReview, w.judge)
	judge := w.signIn(w.judge)

	// The picker ticks the citations of the rules the form suggests.
	p := judge.get(staffCasePath(cs.ID))
	if !strings.Contains(p.body, `data-testid="citation-cpl-286" checked`) {
		t.Fatal("the seal form does not tick CPL art. 286 for the suggested rules")
	}
	// Nothing ticked: refused, said at the picker, nothing decided.
	p = staffAct(judge, cs.ID, portal.ActionSeal, url.Values{"rules": {"R2"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.body, `data-testid="error-citations"`) || w.status(cs.ID) != portal.StatusUnderReview {
		t.Fatalf("sealing without a citation: status %s", w.status(cs.ID))
	}
	// An id not in the table is refused too.
	staffAct(judge, cs.ID, portal.ActionSeal, url.Values{"rules": {"R2"}, "citations": {"R2"}}).wantStatus(t, http.StatusUnprocessableEntity)
	staffAct(judge, cs.ID, portal.ActionSeal, url.Values{"rules": {"R2"}, "citations": {"cpl-286", "cl-99"}}).wantPath(t, staffCasePath(cs.ID))
	if w.status(cs.ID) != portal.StatusSealed {
		t.Fatal("not sealed")
	}
	number := "〔2026〕法" // the court's prefix and the year
	p = judge.get(staffCasePath(cs.ID)).wantText(t, "Legal documents", "Notice of sealing of a criminal record")
	if got, _ := p.testid("legal-doc-number"); !strings.HasPrefix(got, number) || !strings.HasSuffix(got, "封字第1号") {
		t.Fatalf("number %q", got)
	}
	doc := judge.get(staffCasePath(cs.ID, "/legal-documents/1")).wantStatus(t, http.StatusOK)
	doc.wantText(t, "犯罪记录封存通知书", "《中华人民共和国刑事诉讼法》第二百八十六条", "《中华人民共和国刑法》第九十九条", "甲市人民法院", "人民检察院申请监督")
	doc.noText(t, "R2")
	if !strings.Contains(doc.body, "legaldoc.css") {
		t.Fatal("the document page has no print stylesheet")
	}
	if n := len(w.staffAudits(portal.AuditDocumentRead, w.judge.ID, cs.ID)); n != 1 {
		t.Fatalf("%d audited reads of the document, want 1", n)
	}

	// The holding police received it, with the portal's recorded delivery.
	police := w.signIn(w.officer)
	police.get(staffCasePath(cs.ID)).wantText(t, "Notice of sealing of a criminal record")
	pd := police.get(staffCasePath(cs.ID, "/legal-documents/1")).wantStatus(t, http.StatusOK)
	if !strings.Contains(pd.body, `data-testid="served"`) {
		t.Fatal("the police's delivery is not recorded")
	}
	// The police cannot record a service on the court's document, nor see
	// the court's management page.
	police.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/legal-documents/1/services"),
		url.Values{"recipient": {"0"}, "method": {"post"}, "served_on": {"2026-03-10"}}).wantStatus(t, http.StatusNotFound)
	police.get(staffCasePath(cs.ID, "/legal-documents")).wantStatus(t, http.StatusNotFound)
	// Another court sees nothing.
	w.signIn(w.judge2).get(staffCasePath(cs.ID, "/legal-documents/1")).wantStatus(t, http.StatusNotFound)

	// The person's copy, on his case page.
	minor := w.signIn(w.minor)
	mp := minor.get("/cases/"+itoaID(cs.ID)).wantText(t, "Legal documents served on you", "Notice of sealing of a criminal record")
	_ = mp
	minor.get("/cases/"+itoaID(cs.ID)+"/legal-documents/1").wantStatus(t, http.StatusOK).wantText(t, "犯罪记录封存通知书", "李小华")
	minor.get("/cases/"+itoaID(cs.ID)+"/legal-documents/2").wantStatus(t, http.StatusNotFound)
}

func itoaID(id uint64) string { return staffCasePath(id)[len("/staff/cases/"):] }

// Issue 18: the service of a document and the explanation of rights (R13)
// are recorded by the deciding organ; a failed form keeps what was typed.
func TestLegalDocServiceAndRightsExplanation(t *testing.T) {
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(cs.ID, portal.ActionStartReview, w.judge)
	judge := w.signIn(w.judge)
	staffAct(judge, cs.ID, portal.ActionSeal, url.Values{"rules": {"R2"}, "citations": {"cpl-286"}}).wantPath(t, staffCasePath(cs.ID))
	docPath := staffCasePath(cs.ID, "/legal-documents/1")
	today := w.cfg.Clock().Format("2006-01-02")

	p := judge.submit(docPath, docPath+"/services", url.Values{"recipient": {"0"}, "method": {""}, "served_on": {today}, "note": {"EMS 1234"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if v, _ := p.inputValue("note"); v != "EMS 1234" {
		t.Fatalf("typed note lost: %q", v)
	}
	judge.submit(docPath, docPath+"/services", url.Values{"recipient": {"0"}, "method": {"in_person"}, "served_on": {"2099-01-01"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "cannot be after today")
	judge.submit(docPath, docPath+"/services", url.Values{"recipient": {"0"}, "method": {"in_person"}, "served_on": {today}}).
		wantPath(t, docPath).wantText(t, "The service was recorded.", "In person")

	manage := staffCasePath(cs.ID, "/legal-documents")
	judge.get(staffCasePath(cs.ID)).wantText(t, "No explanation of rights has been recorded yet.")
	judge.submit(manage, manage+"/explanations", url.Values{"method": {"phone"}, "explained_on": {today}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "Choose whom it was explained to.")
	judge.submit(manage, manage+"/explanations", url.Values{"method": {"phone"}, "explained_on": {today}, "to_person": {"yes"}, "to_guardian": {"yes"}}).
		wantPath(t, manage).wantText(t, "The explanation of rights was recorded.")
	judge.get(staffCasePath(cs.ID)).wantText(t, "By phone", "(the person)", "(the guardian)")
	if n := len(w.staffAudits(portal.AuditRightsExplained, w.judge.ID, cs.ID)); n != 1 {
		t.Fatalf("%d audited explanations", n)
	}
	// Addresses for service: sealed, shown to the deciding organ only.
	judge.submit(manage, manage+"/contacts", url.Values{"address": {strings.Repeat("路", 201)}}).wantStatus(t, http.StatusUnprocessableEntity)
	judge.submit(manage, manage+"/contacts", url.Values{"address": {"甲市某路1号"}, "guardian_name": {"李大华"}}).wantPath(t, manage)
	if sc, err := w.db.ServiceContacts(cs.ID); err != nil || sc.GuardianName != "李大华" {
		t.Fatalf("contacts %+v %v", sc, err)
	}
}

// Issue 18: a refusal's document carries the reasons and is not sent to the
// holders.
func TestLegalDocRefusal(t *testing.T) {
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(cs.ID, portal.ActionStartReview, w.judge)
	judge := w.signIn(w.judge)
	staffAct(judge, cs.ID, portal.ActionReject, url.Values{"rules": {"R2"}, "note": {"判处的刑罚超过五年"}, "citations": {"cpl-286"}}).wantPath(t, staffCasePath(cs.ID))
	judge.get(staffCasePath(cs.ID, "/legal-documents/1")).wantText(t, "不予封存犯罪记录决定书", "判处的刑罚超过五年", "不封字第1号")
	w.signIn(w.officer).get(staffCasePath(cs.ID, "/legal-documents/1")).wantStatus(t, http.StatusNotFound)
	w.signIn(w.minor).get("/cases/"+itoaID(cs.ID)+"/legal-documents/1").wantStatus(t, http.StatusOK).wantText(t, "判处的刑罚超过五年")
}
