package store

import (
	"encoding/json"
	"testing"
	"time"

	"sealportal/portal"
)

// A missing calendar year never blocks a filing: the deadline waits ("to be
// set when the official calendar is published"), the queue still lists the
// case, and loading the year sets the deadline counted from the day the stage
// began. A year from a non-official source is provisional until confirmed
// against the State Council notice, and both steps are audited.
func TestDeadlineWaitsForCalendarYear(t *testing.T) {
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2027, 12, 29, 10, 0, 0, 0, portal.China)) // a Wednesday; 2028 is not shipped
	db.now = clock
	cal := portal.DefaultCalendar()
	if _, ok := cal.Year(2028); ok {
		t.Fatal("the shipped calendar now has 2028: move this test to a later year")
	}
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		t.Fatal(err)
	}
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	minor, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000001", Name: "测试人", Mobile: "13800000001",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := completeDraft(t, db, minor, court, police)
	c, err = db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: minor.ID}, cal)
	if err != nil {
		t.Fatalf("a filing whose deadline falls in a missing year was refused: %v", err)
	}
	if !c.Due.IsZero() || !c.DueAwaitsCalendar || c.DueFrom != (portal.Date{Year: 2027, Month: 12, Day: 29}) ||
		c.DueDeadline != portal.Policy.ApplicationAcceptance.Key {
		t.Fatalf("case due %v awaits %v from %v deadline %q", c.Due, c.DueAwaitsCalendar, c.DueFrom, c.DueDeadline)
	}
	rows, total, err := db.Queue(court.ID, QueueFilter{})
	if err != nil || total != 1 || len(rows) != 1 {
		t.Fatalf("queue %v %d %v: the waiting case must still be listed", rows, total, err)
	}

	// A day later the year is loaded (from a source not checked against the
	// notice): the deadline is counted from 29 December.
	advance(24 * time.Hour)
	y := portal.CalendarYear{Year: 2028, Source: portal.CalendarSource{Authority: "test: 国务院办公厅关于2028年部分节假日安排的通知", Module: "example.org/holidays"},
		Off: []portal.CalendarDay{{Date: portal.Date{Year: 2028, Month: 1, Day: 1}, Holiday: "元旦"}}}
	raw, err := json.Marshal(map[string]any{"year": 2028, "source": map[string]any{"authority": y.Source.Authority, "module": y.Source.Module},
		"days_off": []map[string]string{{"date": "2028-01-01", "holiday": "元旦"}}, "days_worked": []map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := portal.ParseCalendarYear(raw); err != nil {
		t.Fatal(err)
	}
	n, err := db.PutCalendarYear(y, raw, 42)
	if err != nil || n != 1 {
		t.Fatalf("PutCalendarYear: %d set, %v", n, err)
	}
	got, err := db.Case(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 30 and 31 December, then Monday 3 January (1 January is a Saturday off, 2 a Sunday).
	if want := (portal.Date{Year: 2028, Month: 1, Day: 3}); got.Due != want || got.DueAwaitsCalendar || !got.DueFrom.IsZero() {
		t.Fatalf("after loading 2028: due %v awaits %v, want %v", got.Due, got.DueAwaitsCalendar, want)
	}
	rows, _, err = db.Queue(court.ID, QueueFilter{})
	if err != nil || len(rows) != 1 || rows[0].Due != (portal.Date{Year: 2028, Month: 1, Day: 3}) {
		t.Fatalf("queue after loading: %+v %v", rows, err)
	}
	// Loading again sets nothing more.
	if n, err := db.PutCalendarYear(y, raw, 42); err != nil || n != 0 {
		t.Fatalf("second load: %d set, %v", n, err)
	}

	loaded, err := db.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Provisional(2028) {
		t.Fatal("2028 from a non-official source is not provisional")
	}
	if err := db.ConfirmCalendarYear(2028, " ", 42); err == nil {
		t.Fatal("a confirmation without the notice was accepted")
	}
	if err := db.ConfirmCalendarYear(2031, "国办发明电〔2030〕1号", 42); err == nil {
		t.Fatal("a year the calendar lacks was confirmed")
	}
	if err := db.ConfirmCalendarYear(2028, "国办发明电〔2027〕9号", 42); err != nil {
		t.Fatal(err)
	}
	if loaded, _ = db.Calendar(); loaded.Provisional(2028) {
		t.Fatal("2028 still provisional after the confirmation")
	}
	// Reloading the year needs a new confirmation: the data may differ.
	if _, err := db.PutCalendarYear(y, raw, 42); err != nil {
		t.Fatal(err)
	}
	if loaded, _ = db.Calendar(); !loaded.Provisional(2028) {
		t.Fatal("a reloaded year kept its old confirmation")
	}
	entries, err := db.AuditEntries(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var loads, confirms int
	for _, e := range entries {
		switch e.Action {
		case portal.AuditCalendarLoaded:
			loads++
		case portal.AuditCalendarConfirmed:
			confirms++
			if e.ActorID != 42 || e.SubjectID != 2028 {
				t.Errorf("confirmation audit %+v", e)
			}
		}
	}
	if loads != 3 || confirms != 1 {
		t.Fatalf("audit: %d loads, %d confirmations", loads, confirms)
	}
}

// A sealing deadline waiting for a calendar year survives an unsealing
// review that keeps the record sealed, and is still counted when the year
// is loaded.
func TestAwaitingDeadlineSurvivesUnsealingReview(t *testing.T) {
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2027, 12, 30, 10, 0, 0, 0, portal.China)) // 3 days later is 2028, not shipped
	db.now = clock
	cal := portal.DefaultCalendar()
	court, _ := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	minor, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000002", Name: "测试人", Mobile: "13800000002",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := completeDraft(t, db, minor, court, police)
	judge := Step{Actor: portal.ActorDecider, AccountID: 9, Role: portal.RoleCourt, OrganID: court.ID}
	for _, st := range []Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: minor.ID},
		{Action: portal.ActionAccept, Actor: judge.Actor, AccountID: judge.AccountID, OrganID: court.ID},
		{Action: portal.ActionStartReview, Actor: judge.Actor, AccountID: judge.AccountID, OrganID: court.ID},
		{Action: portal.ActionSeal, Actor: judge.Actor, AccountID: judge.AccountID, OrganID: court.ID, Rules: []string{"R2"}},
	} {
		if c, err = db.Apply(c.ID, st, cal); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	if c.Status != portal.StatusSealed || !c.DueAwaitsCalendar || c.DueDeadline != portal.Policy.OrganSealing.Key {
		t.Fatalf("sealed case: %s awaits %v %q", c.Status, c.DueAwaitsCalendar, c.DueDeadline)
	}
	ev := portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: portal.UnsealingNewCrime, ActDate: portal.Date{Year: 2024, Month: 1, Day: 1}, CombinedMonths: 60}, LegalBasis: "判决"}
	if _, c, err = db.RecordUnsealingEvent(c.ID, ev, judge, cal); err != nil || c.Status != portal.StatusUnsealingReview {
		t.Fatalf("exactly 60: %s %v", c.Status, err)
	}
	sup := Step{AccountID: 11, Role: portal.RoleSupervisor}
	if _, c, err = db.DecideUnsealingReview(c.ID, portal.UnsealingReview{Verdict: portal.VerdictKeepSealed, Reasons: "按《实施办法》"}, sup, cal); err != nil {
		t.Fatal(err)
	}
	if c.Status != portal.StatusSealed || !c.DueAwaitsCalendar || c.DueFrom != (portal.Date{Year: 2027, Month: 12, Day: 30}) {
		t.Fatalf("after keeping sealed: %s awaits %v from %v", c.Status, c.DueAwaitsCalendar, c.DueFrom)
	}
	y := portal.CalendarYear{Year: 2028, Source: portal.CalendarSource{Authority: "test notice", Official: true},
		Off: []portal.CalendarDay{{Date: portal.Date{Year: 2028, Month: 1, Day: 1}, Holiday: "元旦"}}}
	raw := []byte(`{"year":2028,"source":{"authority":"test notice","official":true},"days_off":[{"date":"2028-01-01","holiday":"元旦"}],"days_worked":[]}`)
	if n, err := db.PutCalendarYear(y, raw, 1); err != nil || n != 1 {
		t.Fatalf("load: %d %v", n, err)
	}
	got, _ := db.Case(c.ID)
	// 30 Dec + 3 calendar days = 2 Jan 2028, a Sunday: moved to Monday 3 Jan.
	if want := (portal.Date{Year: 2028, Month: 1, Day: 3}); got.Due != want || got.DueAwaitsCalendar {
		t.Fatalf("due %v awaits %v, want %v", got.Due, got.DueAwaitsCalendar, want)
	}
}
