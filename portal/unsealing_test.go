package portal

import "testing"

func TestEvaluateUnsealing(t *testing.T) {
	birth := calTestDate("2005-06-10") // the 18th birthday is 2023-06-10
	ev := func(kind UnsealingKind, act string, months, days int) UnsealingEvent {
		e := UnsealingEvent{Kind: kind, CombinedMonths: months, CombinedDays: days}
		if act != "" {
			e.ActDate = calTestDate(act)
		}
		return e
	}
	comb := func(e UnsealingEvent) UnsealingEvent { e.Combined = true; return e }
	tests := []struct {
		name    string
		event   UnsealingEvent
		outcome Outcome
		rules   []string
	}{
		// R18(a): a new crime before 18.
		{"new crime, combined over 60 months", ev(UnsealingNewCrime, "2022-05-01", 72, 0), OutcomeUnseal, []string{"R1", "R4", "R18"}},
		{"new crime, combined 60 months and one day", ev(UnsealingNewCrime, "2022-05-01", 60, 1), OutcomeUnseal, []string{"R1", "R4", "R18"}},
		{"new crime, combined exactly 60 months", ev(UnsealingNewCrime, "2022-05-01", 60, 0), OutcomeReview, []string{"R1", "R4", "R18"}},
		{"new crime, combined under 60 months", ev(UnsealingNewCrime, "2022-05-01", 48, 0), OutcomeStaysSealed, []string{"R1", "R4", "R18"}},
		{"new crime on the 18th birthday", ev(UnsealingNewCrime, "2023-06-10", 72, 0), OutcomeUnseal, []string{"R1", "R4", "R18"}},
		// R19: a new crime after 18, whatever the term.
		{"new crime the day after the 18th birthday", ev(UnsealingNewCrime, "2023-06-11", 120, 0), OutcomeStaysSealed, []string{"R1", "R19"}},
		// R18(b): an undiscovered earlier crime.
		{"undiscovered crime, combined over", ev(UnsealingUndiscoveredCrime, "2021-03-01", 61, 0), OutcomeUnseal, []string{"R1", "R4", "R18"}},
		{"undiscovered crime, combined exactly 60", ev(UnsealingUndiscoveredCrime, "2021-03-01", 60, 0), OutcomeReview, []string{"R1", "R4", "R18"}},
		{"undiscovered crime, combined under", ev(UnsealingUndiscoveredCrime, "2021-03-01", 30, 15), OutcomeStaysSealed, []string{"R1", "R4", "R18"}},
		{"undiscovered crime committed after 18", ev(UnsealingUndiscoveredCrime, "2024-01-01", 90, 0), OutcomeStaysSealed, []string{"R1", "R19"}},
		// R18(c): a retrial.
		{"retrial over 60 months", ev(UnsealingRetrial, "", 66, 0), OutcomeUnseal, []string{"R18"}},
		{"retrial exactly 60 months", ev(UnsealingRetrial, "", 60, 0), OutcomeReview, []string{"R18"}},
		{"retrial under 60 months", ev(UnsealingRetrial, "", 24, 0), OutcomeStaysSealed, []string{"R18"}},
		// R19: an adult crime never unseals.
		{"adult crime with a long term", ev(UnsealingAdultCrime, "2024-01-01", 240, 0), OutcomeStaysSealed, []string{"R19"}},
		// R19 revised: an adult crime combined with the sealed sentence (CL
		// arts. 69–71, 77) to five years or more is where the texts disagree.
		{"R19 adult crime combined over 60 months", comb(ev(UnsealingAdultCrime, "2024-01-01", 72, 0)), OutcomeReview, []string{"R19", "R4"}},
		{"R19 adult crime combined exactly 60 months", comb(ev(UnsealingAdultCrime, "2024-01-01", 60, 0)), OutcomeReview, []string{"R19", "R4", "R18"}},
		{"R19 adult crime combined under 60 months", comb(ev(UnsealingAdultCrime, "2024-01-01", 59, 30)), OutcomeStaysSealed, []string{"R19", "R4"}},
		{"R19 adult crime not combined, long term", ev(UnsealingAdultCrime, "2024-01-01", 300, 0), OutcomeStaysSealed, []string{"R19"}},
		{"R19 new crime after 18 combined over", comb(ev(UnsealingNewCrime, "2023-06-11", 61, 0)), OutcomeReview, []string{"R1", "R19", "R4"}},
		{"R19 undiscovered crime after 18 combined over", comb(ev(UnsealingUndiscoveredCrime, "2024-01-01", 90, 0)), OutcomeReview, []string{"R1", "R19", "R4"}},
		{"R19 undiscovered crime after 18 combined exactly", comb(ev(UnsealingUndiscoveredCrime, "2024-01-01", 60, 0)), OutcomeReview, []string{"R1", "R19", "R4", "R18"}},
		{"R18 new crime before 18 marked combined is R18 as before", comb(ev(UnsealingNewCrime, "2022-05-01", 72, 0)), OutcomeUnseal, []string{"R1", "R4", "R18"}},
		// R18 revised: a retrial that finds the act was committed after 18.
		{"R18 retrial finds the act after 18", ev(UnsealingRetrial, "2023-06-11", 24, 0), OutcomeReview, []string{"R1", "R18"}},
		{"R18 retrial finds the act after 18, over the limit", ev(UnsealingRetrial, "2024-01-01", 72, 0), OutcomeReview, []string{"R1", "R18"}},
		{"R18 retrial finds the act on the 18th birthday", ev(UnsealingRetrial, "2023-06-10", 24, 0), OutcomeStaysSealed, []string{"R18"}},
		{"R18 retrial finds the act before 18, over", ev(UnsealingRetrial, "2022-01-01", 61, 0), OutcomeUnseal, []string{"R18"}},
		// Unvalidated events are not guessed at.
		{"unknown kind", ev("pardon", "", 0, 0), OutcomeReview, []string{}},
		{"new crime without a date", ev(UnsealingNewCrime, "", 72, 0), OutcomeReview, []string{}},
	}
	for _, tt := range tests {
		wantDecision(t, tt.name, EvaluateUnsealing(birth, tt.event), tt.outcome, tt.rules...)
	}
}

func TestUnsealingEventValidate(t *testing.T) {
	birth := calTestDate("2005-06-10")
	today := calTestDate("2026-03-02")
	ok := UnsealingEvent{Kind: UnsealingNewCrime, ActDate: calTestDate("2022-05-01"), CombinedMonths: 72}
	with := func(change func(*UnsealingEvent)) UnsealingEvent {
		e := ok
		change(&e)
		return e
	}
	tests := []struct {
		name  string
		birth Date
		event UnsealingEvent
		want  map[string]string
	}{
		{"valid", birth, ok, nil},
		{"retrial needs no act date", birth, UnsealingEvent{Kind: UnsealingRetrial, CombinedMonths: 66}, nil},
		{"adult crime", birth, UnsealingEvent{Kind: UnsealingAdultCrime, ActDate: calTestDate("2024-01-01")}, nil},
		{"birth date missing", Date{}, ok, map[string]string{"birth_date": "eligibility.birth_date_required"}},
		{"birth date in the future", calTestDate("2026-03-03"), ok,
			map[string]string{"birth_date": "eligibility.birth_date_future", "event.act_date": "unsealing.act_before_birth"}},
		{"kind unknown", birth, with(func(e *UnsealingEvent) { e.Kind = "pardon" }),
			map[string]string{"event.kind": "unsealing.kind_unknown"}},
		{"act date missing", birth, with(func(e *UnsealingEvent) { e.ActDate = Date{} }),
			map[string]string{"event.act_date": "unsealing.act_date_required"}},
		{"act date in the future", birth, with(func(e *UnsealingEvent) { e.ActDate = calTestDate("2026-03-03") }),
			map[string]string{"event.act_date": "unsealing.act_future"}},
		{"act date before birth", birth, with(func(e *UnsealingEvent) { e.ActDate = calTestDate("2005-06-09") }),
			map[string]string{"event.act_date": "unsealing.act_before_birth"}},
		{"adult crime on the 18th birthday", birth, UnsealingEvent{Kind: UnsealingAdultCrime, ActDate: calTestDate("2023-06-10")},
			map[string]string{"event.act_date": "unsealing.adult_crime_under_18"}},
		{"months negative", birth, with(func(e *UnsealingEvent) { e.CombinedMonths = -1 }),
			map[string]string{"event.combined_months": "unsealing.months_range"}},
		{"months over 300", birth, with(func(e *UnsealingEvent) { e.CombinedMonths = 301 }),
			map[string]string{"event.combined_months": "unsealing.months_range"}},
		{"days over 30", birth, with(func(e *UnsealingEvent) { e.CombinedDays = 31 }),
			map[string]string{"event.combined_days": "unsealing.days_range"}},
		{"R19 adult crime combined", birth, UnsealingEvent{Kind: UnsealingAdultCrime, ActDate: calTestDate("2024-01-01"), Combined: true, CombinedMonths: 72}, nil},
		{"R18 retrial with the act date it found", birth, UnsealingEvent{Kind: UnsealingRetrial, ActDate: calTestDate("2024-01-01"), CombinedMonths: 24}, nil},
		{"a retrial is never combined", birth, UnsealingEvent{Kind: UnsealingRetrial, Combined: true, CombinedMonths: 66},
			map[string]string{"event.combined": "unsealing.combined_retrial"}},
	}
	for _, tt := range tests {
		wantFields(t, tt.name, tt.event.Validate(tt.birth, today), tt.want)
	}
}
