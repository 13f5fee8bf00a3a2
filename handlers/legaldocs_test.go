package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

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
	mp := minor.get("/cases/"+legalItoaID(cs.ID)).wantText(t, "Legal documents served on you", "Notice of sealing of a criminal record")
	_ = mp
	minor.get("/cases/"+legalItoaID(cs.ID)+"/legal-documents/1").wantStatus(t, http.StatusOK).wantText(t, "犯罪记录封存通知书", "李小华")
	minor.get("/cases/"+legalItoaID(cs.ID)+"/legal-documents/2").wantStatus(t, http.StatusNotFound)
}

func legalItoaID(id uint64) string { return staffCasePath(id)[len("/staff/cases/"):] }

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
	// Six years: the rules refuse too, so one official decides (issue 18).
	cs := w.submittedWith(w.court, func(c *portal.Case) { c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 72} })
	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(cs.ID, portal.ActionStartReview, w.judge)
	judge := w.signIn(w.judge)
	staffAct(judge, cs.ID, portal.ActionReject, url.Values{"rules": {"R2"}, "note": {"判处的刑罚超过五年"}, "citations": {"cpl-286"}}).wantPath(t, staffCasePath(cs.ID))
	judge.get(staffCasePath(cs.ID, "/legal-documents/1")).wantText(t, "不予封存犯罪记录决定书", "判处的刑罚超过五年", "不封字第1号")
	w.signIn(w.officer).get(staffCasePath(cs.ID, "/legal-documents/1")).wantStatus(t, http.StatusNotFound)
	w.signIn(w.minor).get("/cases/"+legalItoaID(cs.ID)+"/legal-documents/1").wantStatus(t, http.StatusOK).wantText(t, "判处的刑罚超过五年")
}

// Issue 18, R18: an unsealing approved through the console issues its
// decision in the deciding organ's name, sent to the holders; nothing is
// issued before the second official approves, and one referred to the
// supervisor and confirmed is issued, on approval, by the deciding organ
// too (Measures: the organ that sealed unseals).
func TestLegalDocUnsealingThroughHandlers(t *testing.T) {
	w := newCertWorld(t)
	over := w.completed("(2024)甲刑初字第1号")
	exact := w.completed("(2024)甲刑初字第4号")
	judge := w.signIn(w.judge, "en")
	second := w.signIn(w.unsealSecondJudge(t), "en")
	unsealPost(t, judge, over.ID, portal.UnsealingNewCrime, "2024-01-10", "61", "").wantPath(t, unsealPath(over.ID))
	if docs, _ := w.db.LegalDocumentsOfCase(over.ID); len(docs) != 0 {
		t.Fatalf("a document before approval: %d", len(docs))
	}
	unsealApprove(t, second, over.ID, "approve", "").wantPath(t, unsealPath(over.ID))
	docs, err := w.db.LegalDocumentsOfCase(over.ID)
	if err != nil || len(docs) != 1 || docs[0].Kind != portal.DocUnsealingDecision || !strings.Contains(docs[0].Number, "法") ||
		!strings.HasSuffix(docs[0].Number, "解封字第1号") || !docs[0].Addressed(portal.RecipientOrgan, w.police.ID) {
		t.Fatalf("documents %+v %v", docs, err)
	}
	judge.get(staffCasePath(over.ID, "/legal-documents/1")).wantText(t, "解除犯罪记录封存决定书", "（2026）甲刑初字第12号刑事判决")
	w.signIn(w.officer, "en").get(staffCasePath(over.ID, "/legal-documents/1")).wantStatus(t, http.StatusOK)

	// Exactly 60 months: referred; the supervisor confirms the unsealing.
	unsealPost(t, judge, exact.ID, portal.UnsealingNewCrime, "2024-01-10", "60", "").wantPath(t, unsealPath(exact.ID))
	if docs, _ := w.db.LegalDocumentsOfCase(exact.ID); len(docs) != 0 {
		t.Fatalf("a referral issued %d documents", len(docs))
	}
	sup := w.signIn(w.sup, "en")
	unsealDecide(t, sup, exact.ID, string(portal.VerdictConfirmUnsealing), "再审后的刑期按五年以上计算").wantPath(t, "/supervision/unsealing")
	if docs, _ := w.db.LegalDocumentsOfCase(exact.ID); len(docs) != 0 {
		t.Fatalf("a document before approval: %d", len(docs))
	}
	unsealApprove(t, second, exact.ID, "approve", "按监督机关意见").wantPath(t, unsealPath(exact.ID))
	docs, err = w.db.LegalDocumentsOfCase(exact.ID)
	if err != nil || len(docs) != 1 || docs[0].OrganID != w.court.ID || !strings.HasSuffix(docs[0].Number, "解封字第2号") {
		t.Fatalf("documents after review %+v %v", docs, err)
	}
}

// Issue 18, R16, R14a: the decision of a query issues its letter to the
// unit; the unit reads it only once the answer is released.
func TestLegalDocQueryLetter(t *testing.T) {
	w := newQTWorld(t, portal.QueryUnitRegulated)
	unitC := w.qtSignIn("unit-1", "zh-CN")
	id := w.fileQuery(unitC, qtAnswers(w.minor.IDNumber))
	judge := w.signIn(w.judge)
	page := w.keep(judge.get(qtStaffPath(id, "")))
	w.post(judge, page, qtStaffPath(id, "/refuse"), url.Values{"refusal_reason": {"查询目的与所依据的规定不符"}}).wantPath(t, qtStaffPath(id, ""))
	docs, err := w.db.LegalDocumentsOfQuery(id)
	if err != nil || len(docs) != 1 || !strings.HasSuffix(docs[0].Number, "查字第1号") || !docs[0].Addressed(portal.RecipientUnit, 0) {
		t.Fatalf("letters %+v %v", docs, err)
	}
	if !strings.Contains(judge.get(qtStaffPath(id, "")).body, `data-testid="query-legal-docs"`) {
		t.Fatal("the staff query page does not list the letter")
	}
	if strings.Contains(unitC.get(qtPath(id, "")).body, `data-testid="query-legal-docs"`) {
		t.Fatal("the unit's page lists the letter before the answer is released")
	}
	judge.get(qtStaffPath(id, "/legal-documents/1")).wantStatus(t, http.StatusOK).wantText(t, "查询封存犯罪记录决定书", "查询目的与所依据的规定不符", "演示市某幼儿园")
	// R14a: not before the deadline has passed.
	unitC.get(qtPath(id, "/legal-documents/1")).wantStatus(t, http.StatusNotFound)
	w.clock.advance(4 * 24 * time.Hour)
	unitC = w.qtSignIn("unit-1", "zh-CN")
	unitC.get(qtPath(id, "/legal-documents/1")).wantStatus(t, http.StatusOK).wantText(t, "不予准许")
	if !strings.Contains(unitC.get(qtPath(id, "")).body, `data-testid="query-legal-docs"`) {
		t.Fatal("the unit's page does not list the released letter")
	}
	w.signIn(w.judge2).get(qtStaffPath(id, "/legal-documents/1")).wantStatus(t, http.StatusNotFound)
}

// Issue 18: the ex officio form takes the addresses for service and the
// guardian's name of a person who has no account; a failed form keeps them.
func TestLegalDocExOfficioContacts(t *testing.T) {
	w := newStaffWorld(t)
	judge := w.signIn(w.judge)
	form := url.Values{
		"person_name": {"无账户人"}, "person_id_number": {testIDNumber(777, staffBirth)}, "case_number": {"(2024)甲刑初字第99号"},
		"decision_date": {"2024-11-01"}, "disposition": {"sentenced"},
		"acts[0].date": {"2023-08-05"}, "acts[0].intent": {"intentional"},
		"penalty_kind": {"fixed_term"}, "penalty_months": {"12"}, "intent": {"intentional"},
		"holding_organs": {strconv.FormatUint(w.court.ID, 10)},
		"address":        {strings.Repeat("路", 201)}, "guardian_name": {"无账户监护人"},
	}
	p := judge.submit("/staff/cases/new", "/staff/cases/new", form).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("address") == "" {
		t.Fatalf("no error for a long address\n%s", excerpt(p))
	}
	if v, _ := p.inputValue("guardian_name"); v != "无账户监护人" {
		t.Fatalf("typed guardian lost: %q", v)
	}
	form.Set("address", "甲市某路2号")
	p = judge.submit("/staff/cases/new", "/staff/cases/new", form)
	id, err := strconv.ParseUint(strings.TrimPrefix(p.url.Path, "/staff/cases/"), 10, 64)
	if err != nil {
		t.Fatalf("ex officio ended at %s\n%s", p.url.Path, excerpt(p))
	}
	if sc, err := w.db.ServiceContacts(id); err != nil || sc.Address != "甲市某路2号" || sc.GuardianName != "无账户监护人" {
		t.Fatalf("contacts %+v %v", sc, err)
	}
	// The guardian is then an addressee of the notice.
	staffAct(judge, id, portal.ActionSeal, url.Values{"rules": {"R2"}, "citations": {"cpl-286"}}).wantPath(t, staffCasePath(id))
	judge.get(staffCasePath(id, "/legal-documents/1")).wantText(t, "无账户监护人（法定代理人）")
}
