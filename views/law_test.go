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
