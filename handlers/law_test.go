package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
)

// Issue 12 part A on the ex officio form: several main acts (R27), the intent
// of each act (R32), the new dispositions (R28) and a court-found birth date
// that prevails over the identity number (R30).
func TestStaffExOfficioHarderCases(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	judge := w.signIn(w.judge)
	n, err := portal.ParseIDNumber(w.minor.IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	birth := n.BirthDate()
	eighteen := portal.EighteenthBirthday(birth)
	// By the identity number the second act is an adult's; the court found
	// the person was born a year later (R30), so both acts are a minor's.
	minorAct := portal.Date{Year: eighteen.Year - 1, Month: 1, Day: 10}
	adultAct := portal.Date{Year: eighteen.Year, Month: eighteen.Month, Day: eighteen.Day}.AddDays(5)
	court := portal.Date{Year: birth.Year + 1, Month: birth.Month, Day: 1}
	form := url.Values{
		"person_name": {w.minor.Name}, "person_id_number": {w.minor.IDNumber}, "case_number": {"(2024)甲刑初字第12号"},
		"court_birth_date": {court.String()},
		"decision_date":    {adultAct.AddDays(30).String()}, "disposition": {"sentenced"},
		"acts[0].date": {minorAct.String()}, "acts[0].intent": {"intentional"},
		"acts[1].date": {adultAct.String()}, "acts[1].intent": {"negligent"},
		"main_act":     {"0", "1"},
		"penalty_kind": {"fixed_term"}, "penalty_months": {"24"}, "intent": {"intentional"},
		"holding_organs": {strconv.FormatUint(w.court.ID, 10)},
	}
	if adultAct.AddDays(30).After(portal.DateOf(testEpoch)) {
		t.Fatalf("test dates run past today: %s", adultAct)
	}

	// An unknown intent and an impossible court date are the form's errors,
	// with the typed values kept.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("acts[1].intent", "reckless")
	bad.Set("court_birth_date", "2005-02-30")
	p := judge.submit("/staff/cases/new", "/staff/cases/new", bad).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("acts[1].date") == "" || p.fieldError("court_birth_date") == "" {
		t.Fatalf("no error for the bad intent or court date\n%s", excerpt(p))
	}
	if !strings.Contains(p.body, `id="main_act-1" name="main_act" value="1" checked`) {
		t.Fatal("the second main act was not kept ticked")
	}

	p = judge.submit("/staff/cases/new", "/staff/cases/new", form)
	if !strings.HasPrefix(p.url.Path, "/staff/cases/") || p.status != http.StatusOK {
		t.Fatalf("ex officio ended at %s (%d)\n%s", p.url.Path, p.status, excerpt(p))
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(p.url.Path, "/staff/cases/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := w.db.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	if cs.CourtBirthDate != court || len(cs.Acts) != 2 || !cs.Acts[0].Main || !cs.Acts[1].Main ||
		cs.Acts[0].Intent != portal.IntentIntentional || cs.Acts[1].Intent != portal.IntentNegligent {
		t.Fatalf("stored case %+v", cs)
	}
	if b, _ := cs.PersonBirthDate(); b != court {
		t.Fatalf("birth date for the rules %s, want the court's %s (R30)", b, court)
	}
	// R30 then R27: with the court's date both main acts are a minor's, so
	// the rules say seal; by the number alone they would straddle (review).
	if d, _ := cs.Eligibility(); d.Outcome != portal.OutcomeSeal {
		t.Fatalf("eligibility %+v, want seal", d)
	}
	cs.CourtBirthDate = portal.Date{}
	if d, _ := cs.Eligibility(); d.Outcome != portal.OutcomeReview {
		t.Fatalf("eligibility by the number %+v, want review (R27)", d)
	}
	if !strings.Contains(p.body, `data-testid="court-birth-date"`) || strings.Count(p.body, `data-testid="act-intent"`) != 2 {
		t.Fatalf("case page lacks the court's birth date or the intents\n%s", excerpt(p))
	}
	p.wantText(t, "Birth date found by the court", "Intentional", "Negligent")
}

// R28 on the ex officio form: the new dispositions and deportation.
func TestStaffExOfficioNewDispositions(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	judge := w.signIn(w.judge)
	p := judge.get("/staff/cases/new")
	if !strings.Contains(p.body, `value="deportation"`) {
		t.Fatal("ex officio form lacks deportation")
	}
	// Issue 18: each organ opens only what it decides; administrative
	// penalties and specialised correctional education are the police's.
	police := w.signIn(w.officer).get("/staff/cases/new")
	for _, v := range []string{`value="administrative_penalty"`, `value="specialised_correctional_education"`} {
		if !strings.Contains(police.body, v) {
			t.Fatalf("police's ex officio form lacks %s", v)
		}
	}
	form := url.Values{
		"person_name": {w.minor.Name}, "person_id_number": {w.minor.IDNumber}, "case_number": {"(2024)甲刑初字第13号"},
		"decision_date": {"2024-12-02"}, "disposition": {"sentenced"}, "acts[0].date": {"2023-09-10"},
		"penalty_kind": {"deportation"}, "intent": {"intentional"},
		"holding_organs": {strconv.FormatUint(w.court.ID, 10)},
	}
	p = judge.submit("/staff/cases/new", "/staff/cases/new", form)
	if p.status != http.StatusOK || !strings.HasPrefix(p.url.Path, "/staff/cases/") {
		t.Fatalf("deportation case: %s (%d)\n%s", p.url.Path, p.status, excerpt(p))
	}
	p.wantText(t, "Deportation only")
	// R29: a suspended deportation is an error on the form.
	form.Set("penalty_suspended", "1")
	form.Set("case_number", "(2024)甲刑初字第14号")
	p = judge.submit("/staff/cases/new", "/staff/cases/new", form).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("penalty_kind") == "" {
		t.Fatalf("no error for a suspended deportation\n%s", excerpt(p))
	}
}

// R19 and R18 revised through the unsealing form: an adult crime combined
// with the sealed sentence to more than 60 months goes to the supervisor
// (review), not combined it stays sealed; a retrial that found the act was
// committed after 18 goes to the supervisor too.
func TestUnsealingCombinedAndRetrialThroughHandlers(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	combined := w.completed("(2024)甲刑初字第21号")
	notCombined := w.completed("(2024)甲刑初字第22号")
	retrial := w.completed("(2024)甲刑初字第23号")
	judge := w.signIn(w.judge, "en")

	f := judge.get(unsealPath(combined.ID))
	f.wantText(t, "The adult crime was combined with the sealed sentence")
	// Combined without its term: the term is asked for, the tick kept.
	p := judge.submit(unsealPath(combined.ID), unsealPath(combined.ID), url.Values{"kind": {"adult_crime"}, "act_date": {"2025-06-01"},
		"combined": {"yes"}, "legal_basis": {"（2026）甲刑初字第30号"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("combined_months") == "" || !strings.Contains(p.body, `name="combined" value="yes" aria-describedby="combined-hint" checked`) {
		t.Fatalf("combined without a term: %q\n%s", p.fieldError("combined_months"), excerpt(p))
	}
	judge.submit(unsealPath(combined.ID), unsealPath(combined.ID), url.Values{"kind": {"adult_crime"}, "act_date": {"2025-06-01"},
		"combined": {"yes"}, "combined_months": {"72"}, "legal_basis": {"（2026）甲刑初字第30号"}}).
		wantText(t, "referred to the procuratorate", "Combined with the sealed sentence")
	if st := w.caseStatus(combined.ID); st != portal.StatusUnsealingReview {
		t.Fatalf("R19 combined over 60: %s", st)
	}
	if ev := unsealLastEvent(t, w, combined.ID); ev.Action != portal.ActionReferUnsealing || !unsealHas(ev.Rules, "R19") {
		t.Fatalf("R19 combined event %+v", ev)
	}

	unsealPost(t, judge, notCombined.ID, portal.UnsealingAdultCrime, "2025-06-01", "72", "").wantText(t, "The record stays sealed")
	if st := w.caseStatus(notCombined.ID); st != portal.StatusCompleted {
		t.Fatalf("R19 not combined: %s", st)
	}

	// A retrial cannot be "combined".
	p = judge.submit(unsealPath(retrial.ID), unsealPath(retrial.ID), url.Values{"kind": {"retrial"}, "combined": {"yes"},
		"combined_months": {"24"}, "legal_basis": {"再审判决"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("combined") == "" {
		t.Fatalf("no error for a combined retrial\n%s", excerpt(p))
	}
	// The retrial found the act after the 18th birthday: review (R18).
	cs, err := w.db.Case(retrial.ID)
	if err != nil {
		t.Fatal(err)
	}
	birth, _ := cs.PersonBirthDate()
	after := portal.EighteenthBirthday(birth).AddDays(1)
	unsealPost(t, judge, retrial.ID, portal.UnsealingRetrial, after.String(), "24", "再审判决").wantText(t, "referred to the procuratorate")
	if ev := unsealLastEvent(t, w, retrial.ID); ev.Action != portal.ActionReferUnsealing || !unsealHas(ev.Rules, "R18") || !unsealHas(ev.Rules, "R1") {
		t.Fatalf("retrial event %+v", ev)
	}
}

// Under current law (Policy.TestPeriod 0) a sealed case's pages say nothing
// about a test period; the reform's rendering is tested in views.
func TestNoTestPeriodUnderCurrentLaw(t *testing.T) {
	t.Parallel()
	if portal.Policy.TestPeriod.Value != 0 {
		t.Fatal("a test period is set: current law has none (R11)")
	}
	w := newCertWorld(t)
	cs := w.completed("(2024)甲刑初字第31号")
	judge := w.signIn(w.judge, "en")
	p := judge.get("/staff/cases/" + strconv.FormatUint(cs.ID, 10))
	if p.status != http.StatusOK || strings.Contains(p.body, `data-testid="test-period"`) {
		t.Fatalf("staff case page %d shows a test period", p.status)
	}
	if v := testPeriodView(cs, portal.DateOf(testEpoch)); v.Months != 0 {
		t.Fatalf("test period view %+v under current law", v)
	}
}

// R29 on the ex officio form: a suspended term over three years is refused
// at the term, with the typed values kept.
func TestStaffExOfficioSuspendedOverThreeYears(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	judge := w.signIn(w.judge)
	form := url.Values{
		"person_name": {w.minor.Name}, "person_id_number": {w.minor.IDNumber}, "case_number": {"(2024)甲刑初字第15号"},
		"decision_date": {"2024-12-02"}, "disposition": {"sentenced"}, "acts[0].date": {"2023-09-10"},
		"penalty_kind": {"fixed_term"}, "penalty_months": {"48"}, "penalty_suspended": {"1"}, "intent": {"intentional"},
		"holding_organs": {strconv.FormatUint(w.court.ID, 10)},
	}
	p := judge.submit("/staff/cases/new", "/staff/cases/new", form).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("penalty_months"), "3 years") {
		t.Fatalf("penalty_months error %q\n%s", p.fieldError("penalty_months"), excerpt(p))
	}
	if v, _ := p.inputValue("penalty_months"); v != "48" {
		t.Fatalf("typed term lost: %q", v)
	}
}

// R28 and R29 on the application's case page: the new dispositions and
// deportation are offered and saved; a suspended term over three years is a
// problem said at the term.
func TestApplyCaseNewValues(t *testing.T) {
	t.Parallel()
	ts, o := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleGuardian, "13900000391")
	id := applyStartDraft(t, c)
	applyFillPerson(t, c, id, "李小华", testIDNumber(391, portal.Date{Year: 2010, Month: 5, Day: 1})).wantPath(t, applyP(id, ""))
	p := c.get(applyP(id, "case"))
	for _, v := range []string{`value="administrative_penalty"`, `value="specialised_correctional_education"`, `value="deportation"`} {
		if !strings.Contains(p.body, v) {
			t.Fatalf("case page lacks %s", v)
		}
	}
	v := applyCaseForm(o.court.ID)
	v.Set("disposition", "specialised_correctional_education")
	p = c.submit(applyP(id, "case"), applyP(id, "case"), v).wantPath(t, applyP(id, ""))
	if cs, _ := ts.db.Case(id); cs.Disposition != portal.DispositionSpecialisedCorrectionalEducation || cs.Penalty != nil {
		t.Fatalf("stored %s %+v", cs.Disposition, cs.Penalty)
	}
	if !strings.Contains(p.body, `data-outcome="seal"`) {
		t.Fatalf("correctional education not shown as sealed (R28)\n%s", excerpt(p))
	}
	v = applyCaseForm(o.court.ID)
	v.Set("penalty_kind", "deportation")
	v.Del("penalty_months")
	v.Del("penalty_suspended")
	c.submit(applyP(id, "case"), applyP(id, "case"), v).wantPath(t, applyP(id, ""))
	if cs, _ := ts.db.Case(id); cs.Penalty == nil || cs.Penalty.Kind != portal.PenaltyDeportation {
		t.Fatalf("deportation not stored: %+v", cs.Penalty)
	}
	// R27: two main acts, both ticked and kept.
	v = applyCaseForm(o.court.ID)
	v.Set("act_rows", "2")
	v.Set("acts[1].date-year", "2025")
	v.Set("acts[1].date-month", "2")
	v.Set("acts[1].date-day", "1")
	v["main"] = []string{"0", "1", "1", "x"}
	c.submit(applyP(id, "case"), applyP(id, "case"), v).wantPath(t, applyP(id, ""))
	if cs, _ := ts.db.Case(id); len(cs.Acts) != 2 || !cs.Acts[0].Main || !cs.Acts[1].Main {
		t.Fatalf("acts %+v, want both main", cs.Acts)
	}
	p = c.get(applyP(id, "case"))
	if !strings.Contains(p.body, `value="0" checked`) || !strings.Contains(p.body, `value="1" checked`) {
		t.Fatalf("the two main acts are not shown ticked\n%s", excerpt(p))
	}
	v = applyCaseForm(o.court.ID)
	v.Set("penalty_months", "48")
	c.submit(applyP(id, "case"), applyP(id, "case"), v)
	p = c.get(applyP(id, "check"))
	if !strings.Contains(p.body, fmt.Sprintf(`href="/apply/%d/case#penalty_months"`, id)) || !strings.Contains(p.text(), "3 years (36 months)") {
		t.Fatalf("a suspended 48-month term is not listed as a problem at the term\n%s", excerpt(p))
	}
}

// R30 on an application's case page: the deciding organ records the court's
// birth date (and may remove it); holders and other organs get a 404; bad
// dates are said at the field. Audited.
func TestStaffRecordsCourtBirthDate(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	cs := w.completed("(2024)甲刑初字第41号")
	path := "/staff/cases/" + strconv.FormatUint(cs.ID, 10)
	post := path + "/court-birth-date"
	judge := w.signIn(w.judge, "en")
	p := judge.get(path)
	if _, ok := p.testid("court-birth-form"); !ok {
		t.Fatal("the deciding organ is not offered the court's birth date form")
	}
	// Only the deciding organ: a holder and another court get a 404.
	w.signIn(w.officer, "en").submit(path, post, url.Values{"court_birth_date": {"2006-01-01"}}).wantStatus(t, http.StatusNotFound)
	w.signIn(w.judge2, "en").submit("/staff", post, url.Values{"court_birth_date": {"2006-01-01"}}).wantStatus(t, http.StatusNotFound)
	if got, _ := w.db.Case(cs.ID); !got.CourtBirthDate.IsZero() {
		t.Fatal("a refused post changed the case")
	}

	birth, _ := cs.PersonBirthDate()
	act := cs.Acts[0].Date
	for _, bad := range []string{"2006-02-30", "2999-01-01", act.AddDays(1).String()} {
		p = judge.submit(path, post, url.Values{"court_birth_date": {bad}}).wantStatus(t, http.StatusUnprocessableEntity)
		if p.fieldError("court_birth_date") == "" {
			t.Fatalf("%s: no error at the field\n%s", bad, excerpt(p))
		}
		if v, _ := p.inputValue("court_birth_date"); v != bad {
			t.Fatalf("typed %q kept as %q", bad, v)
		}
	}
	court := birth.AddDays(40)
	if !court.Before(act) {
		t.Fatalf("fixture: act %s too close to birth %s", act, birth)
	}
	p = judge.submit(path, post, url.Values{"court_birth_date": {court.String()}})
	if p.status != http.StatusOK || p.url.Path != path {
		t.Fatalf("saving ended at %s (%d)", p.url.Path, p.status)
	}
	p.wantText(t, "The birth date found by the court is saved", "Birth date found by the court")
	got, _ := w.db.Case(cs.ID)
	if got.CourtBirthDate != court {
		t.Fatalf("stored %s, want %s", got.CourtBirthDate, court)
	}
	if b, _ := got.PersonBirthDate(); b != court {
		t.Fatalf("rules use %s, want the court's %s", b, court)
	}
	// Empty removes it.
	judge.submit(path, post, url.Values{"court_birth_date": {""}})
	if got, _ = w.db.Case(cs.ID); !got.CourtBirthDate.IsZero() {
		t.Fatalf("not removed: %s", got.CourtBirthDate)
	}
	evs, err := w.db.AuditBySubject("case", cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == portal.AuditCourtBirthDate {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d court birth date audit events, want 2", n)
	}
}
