package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
)

// Unsealing (R18, R19) and co-offender marking (R20, R22) through the real
// router: the deciding organ records events on sealed cases, the rules decide,
// the supervisor decides what is exactly at the limit and reviews every
// event; an adult's case number shows only the marking.

func unsealPath(id uint64) string { return "/staff/cases/" + strconv.FormatUint(id, 10) + "/unsealing" }

// unsealPost fills in the event form as the deciding organ's official would.
func unsealPost(t *testing.T, c *testClient, id uint64, kind portal.UnsealingKind, act, months, basis string) *testPage {
	t.Helper()
	if basis == "" {
		basis = "（2026）甲刑初字第12号刑事判决"
	}
	return c.submit(unsealPath(id), unsealPath(id), url.Values{"kind": {string(kind)}, "act_date": {act},
		"combined_months": {months}, "combined_days": {"0"}, "legal_basis": {basis}})
}

func unsealDecide(t *testing.T, c *testClient, caseID uint64, verdict, reasons string) *testPage {
	t.Helper()
	return c.submit("/supervision/unsealing", "/supervision/unsealing/"+strconv.FormatUint(caseID, 10)+"/decide",
		url.Values{"verdict": {verdict}, "reasons": {reasons}})
}

func unsealLastEvent(t *testing.T, w *certWorld, id uint64) portal.CaseEvent {
	t.Helper()
	c, err := w.db.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Events[len(c.Events)-1]
}

// R18 through the handler: over 60 months unseals, under stays sealed,
// exactly 60 goes to the supervisor, who decides either way with reasons;
// R19: an adult crime stays sealed whatever its term.
func TestUnsealingR18ThroughHandlers(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	over := w.completed("(2024)甲刑初字第1号")
	under := w.completed("(2024)甲刑初字第2号")
	exactKeep := w.completed("(2024)甲刑初字第3号")
	exactUnseal := w.completed("(2024)甲刑初字第4号")
	adult := w.completed("(2024)甲刑初字第5号")
	judge := w.signIn(w.judge, "en")

	// The form states the grounds and offers the four kinds.
	f := judge.get(unsealPath(over.ID)).wantPath(t, unsealPath(over.ID))
	f.wantText(t, "Record an unsealing event", over.Ref, "A crime committed as an adult never unseals")
	for _, k := range portal.UnsealingKinds {
		if !strings.Contains(f.body, `value="`+string(k)+`"`) {
			t.Fatalf("kind %s not offered", k)
		}
	}
	// Every problem at its field, the typed values kept.
	p := judge.submit(unsealPath(over.ID), unsealPath(over.ID), url.Values{"kind": {"new_crime"}, "act_date": {"2024-02-30"},
		"combined_months": {"x"}, "legal_basis": {" "}}).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("act_date") == "" || p.fieldError("combined_months") == "" {
		t.Fatalf("errors: act_date %q months %q", p.fieldError("act_date"), p.fieldError("combined_months"))
	}
	p = unsealPost(t, judge, over.ID, portal.UnsealingNewCrime, "2024-01-10", "61", " ").wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("legal_basis"), "Give the legal basis") {
		t.Fatalf("legal basis error %q", p.fieldError("legal_basis"))
	}
	if v, _ := p.inputValue("combined_months"); v != "61" {
		t.Fatalf("typed months lost: %q", v)
	}
	p = unsealPost(t, judge, over.ID, portal.UnsealingAdultCrime, "2024-01-10", "61", "").wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("act_date"), "still under 18") {
		t.Fatalf("adult crime before 18: %q", p.fieldError("act_date"))
	}
	if st := w.caseStatus(over.ID); st != portal.StatusCompleted {
		t.Fatalf("a refused form changed the case: %s", st)
	}

	// Over 60 months: recorded for a second official to approve (issue 18),
	// with its legal basis on the timeline; the record stays sealed.
	unsealPost(t, judge, over.ID, portal.UnsealingNewCrime, "2024-01-10", "61", "").wantPath(t, unsealPath(over.ID)).
		wantText(t, "the rules say the record is to be unsealed", "Unsealing awaiting approval", "（2026）甲刑初字第12号刑事判决")
	if st := w.caseStatus(over.ID); st != portal.StatusUnsealingApproval {
		t.Fatalf("over 60: %s", st)
	}
	ev := unsealLastEvent(t, w, over.ID)
	if ev.Action != portal.ActionProposeUnsealing || ev.Note != "（2026）甲刑初字第12号刑事判决" || !unsealHas(ev.Rules, "R18") {
		t.Fatalf("event %+v", ev)
	}
	unsealApprove(t, w.signIn(w.unsealSecondJudge(t), "en"), over.ID, "approve", "").wantPath(t, unsealPath(over.ID))
	if st := w.caseStatus(over.ID); st != portal.StatusUnsealing {
		t.Fatalf("approved: %s", st)
	}
	// Nothing more can be recorded on it.
	judge.get(unsealPath(over.ID)).wantText(t, "only on a record that is sealed")
	unsealPost(t, judge, over.ID, portal.UnsealingNewCrime, "2024-01-10", "70", "").wantStatus(t, http.StatusConflict)

	// Under 60 months: recorded, the record stays sealed.
	unsealPost(t, judge, under.ID, portal.UnsealingUndiscoveredCrime, "2023-12-01", "59", "").wantPath(t, unsealPath(under.ID)).
		wantText(t, "Recorded. The record stays sealed.")
	if st := w.caseStatus(under.ID); st != portal.StatusCompleted {
		t.Fatalf("under 60: %s", st)
	}
	if ev := unsealLastEvent(t, w, under.ID); ev.Action != portal.ActionRecordUnsealingEvent {
		t.Fatalf("under 60 event %+v", ev)
	}

	// R19: an adult crime, whatever its term, stays sealed.
	unsealPost(t, judge, adult.ID, portal.UnsealingAdultCrime, "2025-06-01", "120", "").wantText(t, "The record stays sealed")
	if st := w.caseStatus(adult.ID); st != portal.StatusCompleted {
		t.Fatalf("R19: %s", st)
	}
	if ev := unsealLastEvent(t, w, adult.ID); !unsealHas(ev.Rules, "R19") {
		t.Fatalf("R19 event %+v", ev)
	}

	// Exactly 60 months: the supervisor decides.
	unsealPost(t, judge, exactKeep.ID, portal.UnsealingNewCrime, "2024-01-10", "60", "").wantText(t, "referred to the procuratorate")
	unsealPost(t, judge, exactUnseal.ID, portal.UnsealingRetrial, "", "60", "再审判决").wantText(t, "referred to the procuratorate")
	for _, id := range []uint64{exactKeep.ID, exactUnseal.ID} {
		if st := w.caseStatus(id); st != portal.StatusUnsealingReview {
			t.Fatalf("exactly 60: %s", st)
		}
	}
	// The person is told, and his page stays calm and accurate.
	me := w.signIn(w.minor, "en")
	me.get("/cases/"+strconv.FormatUint(exactKeep.ID, 10)).wantStatus(t, http.StatusOK).wantText(t, "Until it decides, the record stays sealed")
	me.get("/cases/"+strconv.FormatUint(over.ID, 10)).wantStatus(t, http.StatusOK).
		wantText(t, "The record was unsealed on a ground set by law", "Unsealed under the law", "（2026）甲刑初字第12号刑事判决")
	me.get("/cases/"+strconv.FormatUint(under.ID, 10)).wantStatus(t, http.StatusOK).wantText(t, "An event was recorded; the record stays sealed")
	me.get("/notifications").wantText(t, "Something is being reviewed; your record stays sealed meanwhile",
		"Something was recorded on your case; the record stays sealed")

	sup := w.signIn(w.sup, "en")
	list := sup.get("/supervision/unsealing").wantPath(t, "/supervision/unsealing")
	list.wantText(t, exactKeep.Ref, exactUnseal.Ref, over.Ref, under.Ref, adult.Ref, "Waiting for your decision")
	list.noText(t, w.minor.Name, w.minor.IDNumber)
	if n := len(regexp.MustCompile(`data-testid="unseal-decide-form"`).FindAllString(list.body, -1)); n != 2 {
		t.Fatalf("%d decision forms, want 2", n)
	}
	// Reasons are required.
	p = unsealDecide(t, sup, exactKeep.ID, "keep", "  ").wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("reasons"), "Give your reasons") {
		t.Fatalf("reasons error %q", p.fieldError("reasons"))
	}
	unsealDecide(t, sup, exactKeep.ID, "keep", "按《实施办法》，正好五年不超过限度").wantPath(t, "/supervision/unsealing").
		wantText(t, "Decided: the record stays sealed")
	if st := w.caseStatus(exactKeep.ID); st != portal.StatusCompleted {
		t.Fatalf("kept: %s", st)
	}
	unsealDecide(t, sup, exactUnseal.ID, "confirm", "按最高检规则，再审改判为五年的解除封存").wantText(t, "Unsealing confirmed")
	if st := w.caseStatus(exactUnseal.ID); st != portal.StatusUnsealingApproval {
		t.Fatalf("confirmed: %s", st)
	}
	if ev := unsealLastEvent(t, w, exactUnseal.ID); ev.Action != portal.ActionConfirmUnsealing || ev.ActorRole != portal.RoleSupervisor {
		t.Fatalf("confirm event %+v", ev)
	}
	// Decided once: a second decision is refused.
	unsealDecide(t, sup, exactUnseal.ID, "keep", "again").wantStatus(t, http.StatusConflict)
	// Every event stays reviewable, with the decisions.
	list = sup.get("/supervision/unsealing").wantText(t, "Nothing is waiting for a decision", "Kept sealed", "Unsealing confirmed")
	if n := len(regexp.MustCompile(`data-testid="unseal-row"`).FindAllString(list.body, -1)); n != 5 {
		t.Fatalf("%d rows of events, want 5", n)
	}
	// Both languages render.
	sup.setLang("zh-CN")
	sup.get("/supervision/unsealing").wantStatus(t, http.StatusOK).wantText(t, "解除封存的监督")
	judge.setLang("zh-CN")
	judge.get(unsealPath(under.ID)).wantStatus(t, http.StatusOK).wantText(t, "登记解除封存情况", "继续封存")
}

// Only the deciding organ records events; a holding organ, another court and
// the supervisor cannot, and citizens never reach the pages.
func TestUnsealingAccess(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	cs := w.completed("(2024)甲刑初字第6号")
	w.signIn(w.judge2, "en").get(unsealPath(cs.ID)).wantStatus(t, http.StatusNotFound)
	cop := w.signIn(w.officer, "en") // the police holds records of the case, but does not decide it
	cop.get(unsealPath(cs.ID)).wantStatus(t, http.StatusNotFound)
	cop.submit("/staff/certificates", unsealPath(cs.ID), url.Values{"kind": {"retrial"}, "combined_months": {"80"}, "legal_basis": {"x"}}).
		wantStatus(t, http.StatusNotFound)
	sup := w.signIn(w.sup, "en")
	sup.get(unsealPath(cs.ID)).wantStatus(t, http.StatusForbidden)
	me := w.signIn(w.minor, "en")
	me.get(unsealPath(cs.ID)).wantStatus(t, http.StatusForbidden)
	me.get("/supervision/unsealing").wantStatus(t, http.StatusForbidden)
	w.signIn(w.judge, "en").get("/supervision/unsealing").wantStatus(t, http.StatusForbidden)
	if st := w.caseStatus(cs.ID); st != portal.StatusCompleted {
		t.Fatalf("status %s", st)
	}
	// A case still under review is not sealed: nothing to record.
	judge := w.signIn(w.judge, "en")
	judge.get(unsealPath(cs.ID+1000)).wantStatus(t, http.StatusNotFound)
}

// R20, R22: the deciding organ lists the adults' case numbers; any organ's
// official looking up such a number sees the marking and nothing about the
// minor.
func TestCoOffenderMarking(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	cs := w.completed("(2024)甲刑初字第10号")
	path := "/staff/cases/" + strconv.FormatUint(cs.ID, 10) + "/cooffenders"
	judge := w.signIn(w.judge, "en")
	judge.get(path).wantPath(t, path).wantText(t, "None listed")
	p := judge.submit(path, path, url.Values{"numbers": {strings.Repeat("长", 61)}}).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("numbers"), "60 characters") {
		t.Fatalf("numbers error %q", p.fieldError("numbers"))
	}
	judge.submit(path, path, url.Values{"numbers": {"（2024）甲刑初字第88号\n(2024)甲刑初字第89号\n"}}).wantPath(t, path).
		wantText(t, "Saved", "(2024)甲刑初字第88号", "(2024)甲刑初字第89号")
	w.signIn(w.judge2, "en").get(path).wantStatus(t, http.StatusNotFound)

	for _, lang := range []string{"zh-CN", "en"} {
		cop := w.signIn(w.officer2, lang) // another police organ, holding only the adult's case
		p := cop.get("/staff/cooffender?number="+url.QueryEscape("(2024) 甲刑初字第88号")).wantPath(t, "/staff/cooffender")
		if m, _ := p.testid("cooff-marking"); !strings.Contains(m, "含犯罪记录封存信息") {
			t.Fatalf("%s: marking %q", lang, m)
		}
		if lang == "en" {
			p.wantText(t, "Contains sealed-record information")
		}
		p.noText(t, w.minor.Name, w.minor.IDNumber, w.minor.IDNumber[len(w.minor.IDNumber)-4:], cs.Ref, "(2024)甲刑初字第10号")
		if strings.Contains(p.body, "/staff/cases/"+strconv.FormatUint(cs.ID, 10)) {
			t.Fatal("the lookup links the minor's case")
		}
		none := cop.get("/staff/cooffender?number="+url.QueryEscape("(2024)甲刑初字第90号")).wantStatus(t, http.StatusOK).noText(t, w.minor.Name)
		if !strings.Contains(none.body, `data-testid="cooff-result" data-marked="false"`) {
			t.Fatalf("unknown number: %s", excerpt(none))
		}
	}
	cop := w.signIn(w.officer2, "en")
	cop.get("/staff/cooffender").wantPath(t, "/staff/cooffender").noText(t, "No marking")
	if p := cop.get("/staff/cooffender?number=+").wantStatus(t, http.StatusUnprocessableEntity); p.fieldError("number") == "" {
		t.Fatal("blank number accepted")
	}
	w.signIn(w.minor, "en").get("/staff/cooffender?number=x").wantStatus(t, http.StatusForbidden)

	// Recorded, the adult's file still carries the marking until a second
	// official approves (issue 18); unsealed, it no longer does.
	unsealPost(t, judge, cs.ID, portal.UnsealingRetrial, "", "80", "再审判决").wantText(t, "the rules say the record is to be unsealed")
	cop.get("/staff/cooffender?number="+url.QueryEscape("(2024)甲刑初字第88号")).wantText(t, "Contains sealed-record information")
	unsealApprove(t, w.signIn(w.unsealSecondJudge(t), "en"), cs.ID, "approve", "")
	after := cop.get("/staff/cooffender?number="+url.QueryEscape("(2024)甲刑初字第88号")).wantText(t, "No marking")
	if _, marked := after.testid("cooff-marking"); marked {
		t.Fatal("marked after unsealing")
	}
}

func unsealHas(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
