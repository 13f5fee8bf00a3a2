package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

const (
	awaitsEN       = "To be set when the official calendar is published"
	awaitsInlineEN = "a date to be set when the official calendar is published"
	awaitsZH       = "待国务院公布该年度节假日安排后确定"
)

// toDec29 moves the test clock to Wednesday 29 December 2027: every
// working-day deadline counted from then ends in 2028, which the shipped
// calendar lacks.
func toDec29(ts *testServer) {
	ts.clock.advance(time.Date(2027, 12, 29, 10, 0, 0, 0, portal.China).Sub(ts.clock.Now()))
}

// load2028 loads the 2028 calendar as an administrator would; it returns how
// many waiting deadlines were set.
func load2028(t *testing.T, ts *testServer) int {
	t.Helper()
	if _, ok := portal.DefaultCalendar().Year(2028); ok {
		t.Fatal("the shipped calendar now has 2028: move this test to a later year")
	}
	raw, err := json.Marshal(map[string]any{"year": 2028, "source": map[string]any{"authority": "test: 国务院办公厅关于2028年部分节假日安排的通知", "module": "example.org/holidays"},
		"days_off": []map[string]string{{"date": "2028-01-01", "holiday": "元旦"}}, "days_worked": []map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	y, err := portal.ParseCalendarYear(raw)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ts.db.PutCalendarYear(y, raw, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Issue 12: a relief request and a correction notice whose deadline falls
// in a year without the official calendar are sent, and every page that
// shows the deadline — the applicant's, the supervisor's, the organ's, in
// both languages — says it is to be set when the calendar is published;
// loading the year sets it (R24).
func TestReliefDeadlineWaitsForCalendarYear(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	toDec29(w.testServer)
	minor := w.signIn(w.minor)
	p := minor.submit("/relief/new", "/relief/new", rlfValidForm(w.sealed.ID))
	id := rlfIDOf(t, p)
	rlfMultipart(t, minor, rlfPath(id, "/evidence"), p.csrf(t), nil, rlfFile{"refusal.pdf", testValidPDF}).wantPath(t, rlfPath(id, "/evidence"))
	minor.get(rlfPath(id, "/check")).wantText(t, "must deal with it by "+awaitsInlineEN)
	done := minor.submit(rlfPath(id, "/check"), rlfPath(id, "/submit"), nil).wantPath(t, rlfPath(id, "/confirmation"))
	done.wantText(t, "must deal with it by "+awaitsInlineEN)
	minor.get(rlfPath(id, "")).wantText(t, awaitsEN)
	minor.get("/relief").wantText(t, awaitsEN)
	minor.setLang("zh-CN")
	minor.get(rlfPath(id, "")).wantText(t, awaitsZH)
	minor.setLang("en")

	sup := w.signIn(w.sup)
	console := sup.get("/supervision")
	if !strings.Contains(console.body, `data-awaits-calendar="true"`) || !strings.Contains(console.text(), awaitsEN) {
		t.Fatal("the supervisor's queue does not say the deadline waits for the calendar")
	}
	sup.get(supPath(id, "")).wantText(t, awaitsEN)
	sup.submit(supPath(id, ""), supPath(id, "/actions/accept"), nil).wantPath(t, supPath(id, ""))
	sup.get(supPath(id, "")).wantText(t, "Issued today, the answer is due by "+awaitsInlineEN)
	organ := strconv.FormatUint(w.police.ID, 10)
	sup.submit(supPath(id, ""), supPath(id, "/actions/issue_notice"), url.Values{"organ": {organ}, "note": {"Seal the police file now."}}).
		wantPath(t, supPath(id, "")).wantText(t, "Correction notice issued.", "Answer due by "+awaitsInlineEN)
	notices, err := w.db.CorrectionNotices(w.police.ID)
	if err != nil || len(notices) != 1 || !notices[0].DueAwaitsCalendar {
		t.Fatalf("notices %+v %v", notices, err)
	}
	nid := strconv.FormatUint(notices[0].ID, 10)
	police := w.signIn(w.officer)
	police.get("/staff/corrections").wantText(t, awaitsEN)
	police.get("/staff/corrections/"+nid).wantText(t, awaitsEN)
	police.setLang("zh-CN")
	police.get("/staff/corrections/"+nid).wantText(t, awaitsZH)

	if n := load2028(t, w.testServer); n < 2 {
		t.Fatalf("loading 2028 set %d deadlines", n)
	}
	r, err := w.db.Relief(id)
	if err != nil || r.DueAwaitsCalendar || r.Due.Year != 2028 {
		t.Fatalf("request after loading: due %v awaits %v %v", r.Due, r.DueAwaitsCalendar, err)
	}
	minor.get(rlfPath(id, "")).noText(t, awaitsEN).wantText(t, "2028")
	police.setLang("en")
	police.get("/staff/corrections/"+nid).noText(t, awaitsEN).wantText(t, "2028")
}

// Issue 12 with R14a: queries sent when the decision deadline's year has no
// official calendar — one about a sealed record that the organ approves, one
// it refuses, one about nobody — look exactly alike to the unit, day after
// day, and say the deadline is to be set; the organ's list and page say so
// too. Once the year is loaded all three have the same deadline and the
// answers appear after it, as always.
func TestQueryDeadlineWaitsForCalendarYearAlike(t *testing.T) {
	w := newQTWorld(t, portal.QueryUnitRegulated)
	toDec29(w.testServer)
	unitC := w.qtSignIn("unit-1", "en")
	nobody := testIDNumber(4242, portal.Date{Year: 2005, Month: 6, Day: 1})
	type q struct {
		id       uint64
		ref      string
		idNumber string
	}
	file := func(idNumber string) q {
		id := w.fileQuery(unitC, qtAnswers(idNumber))
		qq, err := w.db.Query(id)
		if err != nil {
			t.Fatal(err)
		}
		if !qq.DueAwaitsCalendar || !qq.Due.IsZero() {
			t.Fatalf("query %s: due %v awaits %v", qq.Ref, qq.Due, qq.DueAwaitsCalendar)
		}
		return q{id, qq.Ref, idNumber}
	}
	approved, refused, none := file(w.minor.IDNumber), file(w.minor.IDNumber), file(nobody)
	unitC.get(qtPath(none.id, "/confirmation")).wantText(t, "The sealing organ will decide by "+awaitsInlineEN)

	judge := w.signIn(w.judge)
	judge.get("/staff/queries").wantText(t, awaitsEN)
	page := judge.get(qtStaffPath(approved.id, "")).wantPath(t, qtStaffPath(approved.id, "")).wantText(t, awaitsEN)
	w.post(judge, page, qtStaffPath(approved.id, "/approve"), url.Values{"scope": {"documents"}, "documents": {"judgment"},
		"window_from": {"2028-01-10"}, "window_to": {"2028-01-30"}}).wantPath(t, qtStaffPath(approved.id, ""))
	page = judge.get(qtStaffPath(refused.id, "")).wantPath(t, qtStaffPath(refused.id, ""))
	w.post(judge, page, qtStaffPath(refused.id, "/refuse"), url.Values{"refusal_reason": {"不符合条件"}}).wantPath(t, qtStaffPath(refused.id, ""))

	pages := func(c *testClient, x q) []string {
		list := c.get("/queries").wantPath(t, "/queries")
		show := c.get(qtPath(x.id, "")).wantStatus(t, http.StatusOK)
		conf := c.get(qtPath(x.id, "/confirmation")).wantStatus(t, http.StatusOK)
		return []string{qtRow(t, list, x.id, x.ref, x.idNumber), qtNormal(show.body, x.id, x.ref, x.idNumber),
			qtNormal(conf.body, x.id, x.ref, x.idNumber)}
	}
	names := []string{"list row", "query page", "confirmation"}
	// Far past any three working days, no calendar yet: all wait alike.
	for day := 0; day < 12; day += 5 {
		if day > 0 {
			w.clock.advance(5 * 24 * time.Hour)
			unitC = w.qtSignIn("unit-1", "en")
		}
		want := pages(unitC, none)
		if !strings.Contains(want[0], `data-status="submitted"`) || !strings.Contains(want[0], awaitsEN) {
			t.Fatalf("day %d: the no-record query is not waiting for the calendar: %s", day, want[0])
		}
		for _, x := range []q{approved, refused} {
			got := pages(unitC, x)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("day %d: the %s of a query about a sealed record differs from one about no record: %s",
						day, names[i], qtDiff(got[i], want[i]))
				}
			}
		}
	}
	if n := load2028(t, w.testServer); n < 3 {
		t.Fatalf("loading 2028 set %d deadlines", n)
	}
	var due portal.Date
	for _, x := range []q{approved, refused, none} {
		qq, err := w.db.Query(x.id)
		if err != nil || qq.DueAwaitsCalendar || qq.Due.IsZero() || !due.IsZero() && qq.Due != due {
			t.Fatalf("query %s after loading: due %v awaits %v %v", x.ref, qq.Due, qq.DueAwaitsCalendar, err)
		}
		due = qq.Due
	}
	// The clock (8 January 2028) is past the deadline: the answers appear.
	unitC = w.qtSignIn("unit-1", "en")
	list := unitC.get("/queries").wantPath(t, "/queries")
	for x, status := range map[q]string{approved: "approved", refused: "refused", none: "approved"} {
		if row := qtRow(t, list, x.id, x.ref, x.idNumber); !strings.Contains(row, `data-status="`+status+`"`) {
			t.Errorf("after the deadline %s: %s", x.ref, row)
		}
	}
}

// Issue 12 with R14: a certificate request and an objection filed when
// their deadline's year has no official calendar are accepted; the person's
// list and page and the police organ's queue and page say the deadline is to
// be set, in both languages; loading the year sets it.
func TestCertificateDeadlineWaitsForCalendarYear(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	toDec29(w.testServer)
	me := w.signIn(w.minor, "en")
	p := certRequest(t, me, "self", w.police).wantPath(t, "/certificates").wantText(t, "Due by "+awaitsInlineEN)
	id := certLastID(t, p)
	me.get("/certificates/"+id).wantText(t, "must answer by "+awaitsInlineEN)
	me.setLang("zh-CN")
	me.get("/certificates/"+id).wantText(t, awaitsZH)
	me.setLang("en")
	cop := w.signIn(w.officer, "en")
	q := cop.get("/staff/certificates").wantText(t, awaitsEN)
	if !strings.Contains(q.body, `data-awaits-calendar="true"`) {
		t.Fatal("the police queue does not mark the waiting deadline")
	}
	cop.get("/staff/certificates/"+id).wantText(t, awaitsEN)

	// Refused after the check; the person objects, still in the missing year.
	cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/check", url.Values{"result": {"record_found"}, "reference": {"WFZ-8"}}).
		wantPath(t, "/staff/certificates/"+id)
	cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/issue", nil).wantPath(t, "/staff/certificates")
	me.submit("/certificates/"+id, "/certificates/"+id+"/objection", url.Values{"reason": {"我没有未封存的记录"}}).
		wantPath(t, "/certificates/"+id).wantText(t, "Objection filed", awaitsEN)
	cop.get("/staff/certificates").wantText(t, "Objections to review (1)", awaitsEN)
	cop.setLang("zh-CN")
	cop.get("/staff/certificates/"+id).wantText(t, awaitsZH)
	cop.setLang("en")

	if n := load2028(t, w.testServer); n < 1 {
		t.Fatalf("loading 2028 set %d deadlines", n)
	}
	me.get("/certificates/"+id).noText(t, awaitsEN).wantText(t, "2028")
	cop.get("/staff/certificates").noText(t, awaitsEN)
}

// Issue 12 with R25: a leak report sent when its deadline's year has no
// official calendar is accepted; the confirmation, the reporter's tracking
// page and the supervisor's list and page say the deadline is to be set, in
// both languages; loading the year sets it.
func TestLeakDeadlineWaitsForCalendarYear(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	toDec29(ts)
	c := ts.newClient()
	c.setLang("en")
	form := leakReportForm(c.get("/report").wantStatus(t, http.StatusOK).csrf(t))
	form.Set("seen_on", "2027-12-20")
	leakMultipart(t, c, "/report", form, nil).wantPath(t, "/report/check")
	p := c.submit("/report/check", "/report/submit", nil).wantPath(t, "/report")
	p.wantText(t, "aims to finish by "+awaitsInlineEN)
	code, _ := p.testid("tracking-code")
	ref, _ := p.testid("leak-ref")
	if code == "" || ref == "" {
		t.Fatalf("no code or reference\n%s", excerpt(p))
	}
	if got, _ := leakTrack(t, c, code).testid("leak-due"); got != awaitsInlineEN {
		t.Fatalf("tracking page due %q", got)
	}
	c.setLang("zh-CN")
	leakTrack(t, c, code).wantText(t, awaitsZH)

	ts.createStaff(portal.RoleSupervisor, "sup-1", pwStaff, false)
	sc := ts.newClient()
	sc.setLang("en")
	sc.login("sup-1", pwStaff)
	id, err := ts.db.LeakByRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	page := "/supervision/leaks/" + strconv.FormatUint(id, 10)
	sc.get(page).wantText(t, awaitsEN)
	list := sc.get("/supervision?kind=leak")
	if !strings.Contains(list.body, `data-awaits-calendar="true"`) {
		t.Fatalf("the supervisor's list does not mark the waiting deadline\n%s", excerpt(list))
	}
	sc.setLang("zh-CN")
	sc.get(page).wantText(t, awaitsZH)

	if n := load2028(t, ts); n != 1 {
		t.Fatalf("loading 2028 set %d deadlines", n)
	}
	sc.setLang("en")
	sc.get(page).noText(t, awaitsEN).wantText(t, "2028")
}

// Issue 12: an application sent when its acceptance deadline falls in a year
// without the official calendar is listed on the filer's "my cases" page with
// "to be set when the official calendar is published", not a blank, in both
// languages; loading the year puts the date there.
func TestMyCasesListShowsDeadlineWaitingForCalendar(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	toDec29(w.testServer)
	guardian := w.citizen(portal.RoleGuardian, "13900000951", "王监护", testIDNumber(951, portal.Date{Year: 1980, Month: 3, Day: 3}))
	c := w.submit(w.draft(guardian, "王小二", testIDNumber(952, portal.Date{Year: 2010, Month: 4, Day: 4})), guardian)
	if !c.DueAwaitsCalendar {
		t.Fatalf("the acceptance deadline of a filing on 29 December 2027 does not wait for 2028: due %v", c.Due)
	}
	cl := w.signIn(guardian)
	cl.setLang("en")
	if p := cl.get("/cases"); !strings.Contains(p.text(), awaitsEN) || !strings.Contains(p.body, `data-awaits-calendar="true"`) {
		t.Fatalf("the list does not say the deadline waits for the calendar:\n%s", excerpt(p))
	}
	cl.setLang("zh-CN")
	cl.get("/cases").wantText(t, awaitsZH)
	cl.setLang("en")
	if n := load2028(t, w.testServer); n == 0 {
		t.Fatal("loading 2028 set no waiting deadline")
	}
	if p := cl.get("/cases"); strings.Contains(p.text(), awaitsEN) {
		t.Fatalf("the list still waits for the calendar after 2028 was loaded:\n%s", excerpt(p))
	}
}
