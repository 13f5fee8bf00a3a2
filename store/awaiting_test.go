package store

import (
	"encoding/json"
	"testing"
	"time"

	"sealportal/portal"
)

// year2028 is a calendar year the shipped calendar lacks, as an
// administrator would load it, with its JSON.
func year2028(t *testing.T) (portal.CalendarYear, []byte) {
	t.Helper()
	if _, ok := portal.DefaultCalendar().Year(2028); ok {
		t.Fatal("the shipped calendar now has 2028: move this test to a later year")
	}
	y := portal.CalendarYear{Year: 2028, Source: portal.CalendarSource{Authority: "test: 国务院办公厅关于2028年部分节假日安排的通知", Module: "example.org/holidays"},
		Off: []portal.CalendarDay{{Date: portal.Date{Year: 2028, Month: 1, Day: 1}, Holiday: "元旦"}}}
	raw, err := json.Marshal(map[string]any{"year": 2028, "source": map[string]any{"authority": y.Source.Authority, "module": y.Source.Module},
		"days_off": []map[string]string{{"date": "2028-01-01", "holiday": "元旦"}}, "days_worked": []map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	return y, raw
}

// toLateDecember moves a clock set on Monday 2 March 2026 to Wednesday 29
// December 2027, so that every working-day deadline counted from then ends in
// 2028, which the shipped calendar lacks.
func toLateDecember(advance func(time.Duration)) {
	from := time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)
	advance(time.Date(2027, 12, 29, 10, 0, 0, 0, portal.China).Sub(from))
}

var dec29 = portal.Date{Year: 2027, Month: 12, Day: 29}

// wantDue is the deadline d counted from the day from on the store's
// calendar (after 2028 is loaded).
func wantDue(t *testing.T, db *DB, from portal.Date, d portal.Deadline) portal.Date {
	t.Helper()
	cal, err := db.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	due, err := cal.Due(from, d)
	if err != nil {
		t.Fatal(err)
	}
	return due
}

// A relief request and a correction notice (R24) filed when the deadline's
// year has no official calendar are accepted "to be set when the official
// calendar is published", listed after every dated request, and counted
// when the year is loaded, which moves them to their place in the queue.
func TestReliefAndNoticeWaitForCalendarYear(t *testing.T) {
	w := newReliefWorld(t)
	db := w.db
	toLateDecember(w.advance)
	y, raw := year2028(t)
	with2028, err := w.cal.WithYear(y)
	if err != nil {
		t.Fatal(err)
	}

	a := w.submitted(t, w.sealed.ID) // on the shipped calendar: 2028 missing
	if !a.Due.IsZero() || !a.DueAwaitsCalendar || a.Ref == "" || a.Status != portal.ReliefSubmitted {
		t.Fatalf("request filed in a missing year: due %v awaits %v ref %q status %s", a.Due, a.DueAwaitsCalendar, a.Ref, a.Status)
	}
	// A day later another request is filed by an instance that already
	// knows 2028: it has a date, and sorts before the waiting one.
	w.advance(24 * time.Hour)
	b, err := db.CreateReliefDraft(reliefAnswers(0), w.other.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err = db.ApplyRelief(b.ID, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: w.other.ID, Role: portal.RoleMinor}, with2028)
	if err != nil || b.Due.IsZero() || b.DueAwaitsCalendar {
		t.Fatalf("dated request %v %v %v", b.Due, b.DueAwaitsCalendar, err)
	}
	rows, total, err := db.ReliefQueue(ReliefFilter{})
	if err != nil || total != 2 || rows[0].ID != b.ID || rows[1].ID != a.ID || !rows[1].AwaitsCalendar || !rows[1].Due.IsZero() || rows[0].AwaitsCalendar {
		t.Fatalf("queue before loading %+v %d %v", rows, total, err)
	}
	if over, _, _ := db.ReliefQueue(ReliefFilter{OverdueOnly: true}); len(over) != 0 {
		t.Fatalf("a waiting request is listed as overdue: %+v", over)
	}

	// The supervisor accepts the waiting request and issues a notice, also
	// due in 2028.
	w.sup1(t, a.ID, portal.ReliefStep{Action: portal.ReliefAccept})
	a = w.sup1(t, a.ID, portal.ReliefStep{Action: portal.ReliefIssueNotice, OrganID: w.police.ID, Note: "请立即封存该案记录"})
	notices, err := db.CorrectionNotices(w.police.ID)
	if err != nil || len(notices) != 1 || !notices[0].DueAwaitsCalendar || !notices[0].Due.IsZero() {
		t.Fatalf("notice %+v %v", notices, err)
	}
	if ev := a.Events[len(a.Events)-1]; !ev.NoticeDueAwaitsCalendar || !ev.NoticeDue.IsZero() {
		t.Fatalf("notice event %+v", ev)
	}

	n, err := db.PutCalendarYear(y, raw, 42)
	if err != nil || n != 2 {
		t.Fatalf("PutCalendarYear: %d set, %v", n, err)
	}
	got, err := db.Relief(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := wantDue(t, db, dec29, portal.Policy.ReliefHandling); got.Due != want || got.DueAwaitsCalendar {
		t.Fatalf("request after loading: due %v awaits %v, want %v", got.Due, got.DueAwaitsCalendar, want)
	}
	if ev := got.Events[len(got.Events)-1]; ev.NoticeDueAwaitsCalendar || ev.NoticeDue != wantDue(t, db, dec29.AddDays(1), portal.Policy.CorrectionAnswer) {
		t.Fatalf("notice event after loading %+v", ev)
	}
	rows, _, err = db.ReliefQueue(ReliefFilter{})
	if err != nil || len(rows) != 2 || rows[0].ID != a.ID || rows[0].Due != got.Due || rows[0].AwaitsCalendar {
		t.Fatalf("queue after loading %+v %v", rows, err)
	}
	notices, err = db.CorrectionNotices(w.police.ID)
	if err != nil || len(notices) != 1 || notices[0].DueAwaitsCalendar || notices[0].Due != wantDue(t, db, dec29.AddDays(1), portal.Policy.CorrectionAnswer) {
		t.Fatalf("notice after loading %+v %v", notices, err)
	}
	if n, err := db.PutCalendarYear(y, raw, 42); err != nil || n != 0 {
		t.Fatalf("second load: %d set, %v", n, err)
	}
}

// A leak report (R25) sent when its deadline's year has no official calendar
// is accepted, listed last among the open ones, and counted on loading.
func TestLeakReportWaitsForCalendarYear(t *testing.T) {
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	toLateDecember(advance)
	r, code := sendLeak(t, db, leakInput(portal.Date{Year: 2027, Month: 12, Day: 20}), "tok-1")
	if code == "" || r.Ref == "" || !r.Due.IsZero() || !r.DueAwaitsCalendar {
		t.Fatalf("report in a missing year: %+v", r)
	}
	rows, total, err := db.LeakQueue(LeakFilter{})
	if err != nil || total != 1 || !rows[0].AwaitsCalendar || !rows[0].Due.IsZero() {
		t.Fatalf("queue before loading %+v %v", rows, err)
	}
	y, raw := year2028(t)
	if n, err := db.PutCalendarYear(y, raw, 42); err != nil || n != 1 {
		t.Fatalf("PutCalendarYear: %d set, %v", n, err)
	}
	want := wantDue(t, db, dec29, portal.Policy.LeakReportHandling)
	rows, _, err = db.LeakQueue(LeakFilter{})
	if err != nil || len(rows) != 1 || rows[0].AwaitsCalendar || rows[0].Due != want {
		t.Fatalf("queue after loading %+v %v, want due %v", rows, err, want)
	}
}

// R16 and R14a: a query sent when the decision deadline's year has no
// official calendar waits the same way whether or not the person has a
// sealed record — same state, no date — and once the year is loaded both get
// the same deadline; the one without a record is then approved at it.
func TestQueryWaitsForCalendarYearAlike(t *testing.T) {
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	cal := portal.DefaultCalendar()
	c, _, court := queriesSealedCase(t, db, cal)
	unit := queriesUnit(t, db, "unit-1", portal.QueryUnitRegulated)
	toLateDecember(advance)
	withRecord, err := db.CreateQuery(queriesRequest(c.PersonIDNumber), unit, cal, "")
	if err != nil {
		t.Fatalf("query with a record in a missing year: %v", err)
	}
	nobody := portal.SyntheticIDNumber(99, portal.Date{Year: 2000, Month: 1, Day: 1}).String()
	without, err := db.CreateQuery(queriesRequest(nobody), unit, cal, "")
	if err != nil {
		t.Fatalf("query without a record in a missing year: %v", err)
	}
	for _, q := range []portal.Query{withRecord, without} {
		if q.Status != portal.QuerySubmitted || !q.Due.IsZero() || !q.DueAwaitsCalendar {
			t.Fatalf("query %s: status %s due %v awaits %v", q.Ref, q.Status, q.Due, q.DueAwaitsCalendar)
		}
	}
	rows, err := db.OrganQueries(court.ID)
	if err != nil || len(rows) != 1 || !rows[0].AwaitsCalendar {
		t.Fatalf("organ queue %+v %v", rows, err)
	}
	// Long after, still no calendar: neither is released early.
	advance(10 * 24 * time.Hour)
	sign := portal.Commitment{Text: "t", SignerName: "a", SignerPosition: "b", Agreed: true}
	if _, err := db.SignCommitment(without.ID, sign, unit, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("a waiting query without a record was released: %v", err)
	}
	y, raw := year2028(t)
	if n, err := db.PutCalendarYear(y, raw, 42); err != nil || n != 2 {
		t.Fatalf("PutCalendarYear: %d set, %v", n, err)
	}
	want := wantDue(t, db, dec29, portal.Policy.QueryDecision)
	for _, id := range []uint64{withRecord.ID, without.ID} {
		q, err := db.Query(id)
		if err != nil || q.Due != want || q.DueAwaitsCalendar || q.Status != portal.QuerySubmitted {
			t.Fatalf("query %d after loading: %+v %v, want due %v", id, q, err, want)
		}
	}
	rows, err = db.OrganQueries(court.ID)
	if err != nil || len(rows) != 1 || rows[0].AwaitsCalendar || rows[0].Due != want {
		t.Fatalf("organ queue after loading %+v %v", rows, err)
	}
	// The clock is past the deadline now: the one without a record is
	// approved by the portal, as the organ's decision would have been due.
	if q, err := db.SignCommitment(without.ID, sign, unit, ""); err != nil || q.Status != portal.QuerySigned {
		t.Fatalf("query without a record after its deadline: %+v %v", q, err)
	}
}

// R14: a certificate request and an objection filed when their deadline's
// year has no official calendar are accepted and listed last, and counted on
// loading; an extension in a missing year waits too.
func TestCertificateAndObjectionWaitForCalendarYear(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	c := w.request(t) // in March 2026, dated
	w.check(t, c.ID, portal.CheckCannotDecide)
	if _, err := db.AnswerCertificate(c.ID, w.officer, ""); err != nil {
		t.Fatal(err)
	}
	toLateDecember(w.advance)
	obj, err := db.FileCertificateObjection(c.ID, "我没有犯罪记录", w.minor, w.cal, "")
	if err != nil || obj.Objection == nil || !obj.Objection.DueAwaitsCalendar || !obj.Objection.Due.IsZero() {
		t.Fatalf("objection in a missing year %+v %v", obj.Objection, err)
	}
	orows, err := db.CertificateObjections(w.police.ID)
	if err != nil || len(orows) != 1 || !orows[0].AwaitsCalendar || !orows[0].Due.IsZero() {
		t.Fatalf("objection list %+v %v", orows, err)
	}
	// Extending it in the missing year leaves it waiting, counted from the filing.
	obj, err = db.DecideCertificateObjection(c.ID, ObjectionDecision{Action: portal.ObjectionExtend, Text: "需要进一步核查"}, w.officer, w.cal, "")
	if err != nil || !obj.Objection.Extended || !obj.Objection.DueAwaitsCalendar {
		t.Fatalf("extension in a missing year %+v %v", obj.Objection, err)
	}
	if orows, err = db.CertificateObjections(w.police.ID); err != nil || len(orows) != 1 || !orows[0].AwaitsCalendar {
		t.Fatalf("objection list after extension %+v %v", orows, err)
	}

	// The same person asks for a new certificate.
	r, err := db.RequestCertificate(portal.Certificate{PersonName: w.minor.Name, PersonIDNumber: w.minor.IDNumber,
		RequestedBy: w.minor.ID, RequesterRole: w.minor.Role, Capacity: portal.CapacitySelf, PoliceOrganID: w.police.ID}, w.cal, "req")
	if err != nil || !r.DueAwaitsCalendar || !r.Due.IsZero() || r.Status != portal.CertRequested {
		t.Fatalf("request in a missing year %+v %v", r, err)
	}
	qrows, total, err := db.CertificateQueue(w.police.ID, 0, 0)
	if err != nil || total != 1 || !qrows[0].AwaitsCalendar || !qrows[0].Due.IsZero() {
		t.Fatalf("certificate queue %+v %v", qrows, err)
	}

	y, raw := year2028(t)
	if n, err := db.PutCalendarYear(y, raw, 42); err != nil || n != 2 {
		t.Fatalf("PutCalendarYear: %d set, %v", n, err)
	}
	wantReq := wantDue(t, db, dec29, portal.Policy.Certificate)
	if got, err := db.CertificateOfAccount(w.minor.ID, r.ID); err != nil || got.Due != wantReq || got.DueAwaitsCalendar {
		t.Fatalf("request after loading %+v %v, want %v", got, err, wantReq)
	}
	if qrows, _, err = db.CertificateQueue(w.police.ID, 0, 0); err != nil || len(qrows) != 1 || qrows[0].AwaitsCalendar || qrows[0].Due != wantReq {
		t.Fatalf("certificate queue after loading %+v %v", qrows, err)
	}
	wantObj := wantDue(t, db, dec29, portal.Policy.ObjectionReviewExtended)
	if got, err := db.CertificateOfAccount(w.minor.ID, c.ID); err != nil || got.Objection.Due != wantObj || got.Objection.DueAwaitsCalendar {
		t.Fatalf("objection after loading %+v %v, want %v", got.Objection, err, wantObj)
	}
	if orows, err = db.CertificateObjections(w.police.ID); err != nil || len(orows) != 1 || orows[0].AwaitsCalendar || orows[0].Due != wantObj {
		t.Fatalf("objection list after loading %+v %v", orows, err)
	}
}

// The awaiting index refuses a kind nobody can set, rather than keep a row
// no calendar load would ever clear.
func TestDueOrAwaitUnknownKind(t *testing.T) {
	if _, _, err := dueOrAwait(nil, portal.DefaultCalendar(), "no_such_kind", 1, dec29, portal.Policy.Certificate); err == nil {
		t.Fatal("an unknown kind was accepted")
	}
}
