package handlers

import (
	"encoding/json"
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
	police.get("/staff/corrections/" + nid).wantText(t, awaitsEN)
	police.setLang("zh-CN")
	police.get("/staff/corrections/" + nid).wantText(t, awaitsZH)

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
