package portal

import (
	"strings"
	"testing"
)

func validOpinion(today Date) Opinion {
	return Opinion{Kind: OpinionCorrection, Subject: OpinionOnCase, OrganID: 3, CaseIDs: []uint64{7}, CaseRefs: []string{"FC-2026-000007"},
		Facts: "逾期未作出封存决定，违反规定", Request: "请立即封存并书面回复", Citations: []string{"cpl-286"}, Due: today.AddDays(15)}
}

// R33: an opinion names its kind, organ, cases, both texts, known citations
// and a reply date after today and no later than the latest allowed.
func TestOpinionValidate(t *testing.T) {
	today := Date{Year: 2026, Month: 3, Day: 2}
	latest := today.AddDays(60)
	known := func(id string) bool { _, ok := CitationByID(id); return ok }
	tests := []struct {
		name  string
		edit  func(*Opinion)
		field string // "" when valid
	}{
		{"valid", func(*Opinion) {}, ""},
		{"unknown kind", func(o *Opinion) { o.Kind = "warning" }, "kind"},
		{"no organ", func(o *Opinion) { o.OrganID = 0 }, "organ"},
		{"case subject with two cases", func(o *Opinion) { o.CaseIDs, o.CaseRefs = []uint64{1, 2}, []string{"a", "b"} }, "cases"},
		{"bulk without cases", func(o *Opinion) { o.Subject, o.CaseIDs, o.CaseRefs = OpinionOnOrgan, nil, nil }, "cases"},
		{"empty facts", func(o *Opinion) { o.Facts = "  " }, "facts"},
		{"short request", func(o *Opinion) { o.Request = "请纠正" }, "request"},
		{"long facts", func(o *Opinion) { o.Facts = strings.Repeat("字", OpinionTextMax+1) }, "facts"},
		{"no citation", func(o *Opinion) { o.Citations = nil }, "citations"},
		{"unknown citation", func(o *Opinion) { o.Citations = []string{"cpl-999"} }, "citations"},
		{"repeated citation", func(o *Opinion) { o.Citations = []string{"cpl-286", "cpl-286"} }, "citations"},
		{"no date", func(o *Opinion) { o.Due = Date{} }, "due"},
		{"today", func(o *Opinion) { o.Due = today }, "due"},
		{"tomorrow", func(o *Opinion) { o.Due = today.AddDays(1) }, ""},
		{"the latest day", func(o *Opinion) { o.Due = latest }, ""},
		{"after the latest day", func(o *Opinion) { o.Due = latest.AddDays(1) }, "due"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := validOpinion(today)
			tc.edit(&o)
			err := o.Validate(today, latest, known)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			pe, ok := AsError(err)
			if !ok || pe.Code != CodeInvalid || pe.Fields[tc.field] == "" {
				t.Fatalf("got %v, want a problem with %s", err, tc.field)
			}
		})
	}
	// A leak opinion without its report, and an unknown subject, are not a
	// form's problem.
	o := validOpinion(today)
	o.Subject, o.CaseIDs, o.CaseRefs = OpinionOnLeak, nil, nil
	if err := o.Validate(today, latest, known); ErrorCode(err) != CodeInvalid {
		t.Fatalf("leak without a report: %v", err)
	}
	o.LeakID = 4
	if err := o.Validate(today, latest, known); err != nil {
		t.Fatalf("leak opinion: %v", err)
	}
}

// R33: the reply periods of the policy table. A correction notice: the
// portal proposes 15 days (a last day on a rest day moves to the next working
// day); a procuratorial suggestion: two months (2019 Provisions).
func TestOpinionDefaultDue(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		kind   OpinionKind
		issued Date
		want   Date
	}{
		// Monday 2 March 2026 + 15 days = Tuesday 17 March.
		{OpinionCorrection, Date{Year: 2026, Month: 3, Day: 2}, Date{Year: 2026, Month: 3, Day: 17}},
		// Friday 6 March + 15 = Saturday 21 March, moved to Monday 23 March.
		{OpinionCorrection, Date{Year: 2026, Month: 3, Day: 6}, Date{Year: 2026, Month: 3, Day: 23}},
		// 2 March + two months = Saturday 2 May, in the Labour Day holiday
		// (1–5 May 2026): the next working day.
		{OpinionSuggestion, Date{Year: 2026, Month: 3, Day: 2}, mustWorkingDayFrom(t, cal, Date{Year: 2026, Month: 5, Day: 2})},
		// 31 December + two months = 28 February (a month without the 31st
		// ends on its last day); Saturday 28 February 2026 is worked in
		// exchange for the Spring Festival, so it stands.
		{OpinionSuggestion, Date{Year: 2025, Month: 12, Day: 31}, Date{Year: 2026, Month: 2, Day: 28}},
	}
	for _, tc := range tests {
		got, err := OpinionDefaultDue(cal, tc.kind, tc.issued)
		if err != nil || got != tc.want {
			t.Errorf("%s issued %v: %v %v, want %v", tc.kind, tc.issued, got, err, tc.want)
		}
	}
	if _, err := OpinionDefaultDue(cal, "other", Date{Year: 2026, Month: 3, Day: 2}); ErrorCode(err) != CodeInvalid {
		t.Errorf("unknown kind: %v", err)
	}
	// Each period names its source.
	for k, d := range OpinionReply {
		if d.Source == "" || d.Rule == "" {
			t.Errorf("%s: no source", k)
		}
	}
	if latest := OpinionLatestDue(cal, Date{Year: 2026, Month: 3, Day: 2}); latest.Before(Date{Year: 2026, Month: 5, Day: 2}) {
		t.Errorf("latest %v before two months", latest)
	}
}

// mustWorkingDayFrom is the first working day on or after d.
func mustWorkingDayFrom(t *testing.T, cal *Calendar, d Date) Date {
	t.Helper()
	got, err := cal.CalendarDeadline(d, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got == d {
		t.Fatalf("%v is a working day; the case does not test the move", d)
	}
	return got
}

func TestOpinionNumberAndAnswer(t *testing.T) {
	if got := OpinionNumber(OpinionCorrection, 2026, 7); got != "JW-2026-000007" {
		t.Errorf("correction number %q", got)
	}
	if got := OpinionNumber(OpinionSuggestion, 2026, 12); got != "JJ-2026-000012" {
		t.Errorf("suggestion number %q", got)
	}
	for text, ok := range map[string]bool{"": false, "已纠正": false, "本院已完成封存并书面告知当事人": true, strings.Repeat("字", OpinionTextMax+1): false} {
		if err := ValidateOpinionAnswer(text); (err == nil) != ok {
			t.Errorf("answer of %d characters: %v", len([]rune(text)), err)
		}
	}
	o := Opinion{Due: Date{Year: 2026, Month: 3, Day: 17}}
	if o.Overdue(Date{Year: 2026, Month: 3, Day: 17}) || !o.Overdue(Date{Year: 2026, Month: 3, Day: 18}) {
		t.Error("overdue from the day after the reply date")
	}
}
