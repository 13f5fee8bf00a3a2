package views

import (
	"context"
	"html"
	"strings"
	"testing"

	"sealportal/portal"
)

// The staff pages say when a deadline waits for the official calendar and
// when it was counted on a provisional year, in both languages.
func TestStaffPagesShowCalendarState(t *testing.T) {
	page := func(lang Lang) Page {
		return Page{TitleKey: "staff.case_page_title", Lang: lang, CSRF: "0123456789012345678901234567890123456789abc", Path: "/staff/cases/1",
			User: &User{Role: portal.RoleCourt}}
	}
	for _, lang := range []Lang{LangZH, LangEN} {
		ctx := WithLang(context.Background(), lang)
		var b strings.Builder
		m := StaffCaseModel{Page: page(lang), CaseID: 1, Ref: "FC-2027-000001", Status: portal.StatusSubmitted, DueAwaitsCalendar: true}
		if err := StaffCasePage(m).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), Translate(lang, "law.due_awaits_calendar")) || !strings.Contains(b.String(), `data-awaits-calendar="true"`) {
			t.Errorf("%s: case page does not say the deadline waits for the calendar", lang)
		}
		b.Reset()
		m = StaffCaseModel{Page: page(lang), CaseID: 1, Ref: "FC-2027-000001", Status: portal.StatusSubmitted,
			Due: portal.Date{Year: 2027, Month: 3, Day: 4}, DueProvisional: true, CourtBirthDate: portal.Date{Year: 2006, Month: 1, Day: 1}}
		if err := StaffCasePage(m).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), `data-testid="due-provisional"`) || !strings.Contains(b.String(), html.EscapeString(Translate(lang, "law.court_birth_date_prevails"))) {
			t.Errorf("%s: case page lacks the provisional mark or the court's birth date", lang)
		}
		b.Reset()
		q := StaffQueueModel{Page: page(lang), Rows: []StaffQueueRow{{CaseID: 1, Ref: "FC-2027-000001", Status: portal.StatusSubmitted, Role: "decider", AwaitsCalendar: true},
			{CaseID: 2, Ref: "FC-2027-000002", Status: portal.StatusSubmitted, Role: "decider", Due: portal.Date{Year: 2027, Month: 3, Day: 4}, Provisional: true}}}
		if err := StaffQueuePage(q).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), Translate(lang, "law.due_awaits_calendar")) || !strings.Contains(b.String(), `data-testid="due-provisional"`) {
			t.Errorf("%s: queue does not mark the waiting and the provisional deadlines", lang)
		}
	}
}

// The test period (a reform option) shows on the case pages only when one is
// set; under current law (0 months) nothing shows.
func TestCasePagesShowTestPeriod(t *testing.T) {
	from := portal.Date{Year: 2026, Month: 9, Day: 11}
	for _, lang := range []Lang{LangZH, LangEN} {
		ctx := WithLang(context.Background(), lang)
		page := Page{TitleKey: "cases.case_page_title", Lang: lang, CSRF: "0123456789012345678901234567890123456789abc", Path: "/cases/1",
			User: &User{Role: portal.RoleMinor}}
		for _, tc := range []struct {
			tp   TestPeriodView
			want string // "" when nothing may show
		}{
			{TestPeriodView{}, ""},
			{TestPeriodView{Months: 6, EffectiveFrom: from, Running: true}, T(ctx, "law.test_period_running", "6", FormatDay(lang, from))},
			{TestPeriodView{Months: 6, EffectiveFrom: from}, T(ctx, "law.test_period_over", FormatDay(lang, from))},
		} {
			var mine, staff strings.Builder
			if err := MyCasePage(MyCaseModel{Page: page, ID: 1, Ref: "FC-2026-000001", Status: portal.StatusCompleted, TestPeriod: tc.tp}).Render(ctx, &mine); err != nil {
				t.Fatal(err)
			}
			if err := StaffCasePage(StaffCaseModel{Page: page, CaseID: 1, Ref: "FC-2026-000001", Status: portal.StatusCompleted, TestPeriod: tc.tp}).Render(ctx, &staff); err != nil {
				t.Fatal(err)
			}
			for name, body := range map[string]string{"citizen": mine.String(), "staff": staff.String()} {
				has := strings.Contains(body, `data-testid="test-period"`)
				if tc.want == "" && has {
					t.Errorf("%s %s: a test period shows under current law", lang, name)
				}
				if tc.want != "" && (!has || !strings.Contains(body, html.EscapeString(tc.want)) || !strings.Contains(body, html.EscapeString(T(ctx, "law.test_period_reform")))) {
					t.Errorf("%s %s: test period %+v not shown as %q", lang, name, tc.tp, tc.want)
				}
			}
		}
	}
}
