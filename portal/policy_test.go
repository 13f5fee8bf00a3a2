package portal

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var ruleIDPattern = regexp.MustCompile(`^R[0-9]+$`)

func TestPolicyTableComplete(t *testing.T) {
	all := Policy.All()
	// All must list every named entry, so that none escapes these checks.
	if n := reflect.TypeOf(Policy).NumField(); len(all) != n {
		t.Fatalf("All() lists %d entries, the table has %d", len(all), n)
	}
	keys := map[string]bool{}
	for _, d := range all {
		if d.Key == "" || keys[d.Key] {
			t.Errorf("entry %+v: empty or duplicate key", d)
		}
		keys[d.Key] = true
		if strings.TrimSpace(d.Source) == "" {
			t.Errorf("%s: no source", d.Key)
		}
		if !ruleIDPattern.MatchString(d.Rule) {
			t.Errorf("%s: rule %q is not a rule id", d.Key, d.Rule)
		}
		switch d.Unit {
		case UnitWorkingDays, UnitCalendarDays, UnitMonths, UnitYears:
		default:
			t.Errorf("%s: unknown unit %q", d.Key, d.Unit)
		}
		// Only the reform option is off (0); every rule of current law has a value.
		if d.Key == Policy.TestPeriod.Key {
			if d.Value != 0 {
				t.Errorf("test period is %d, but current law has none (R11)", d.Value)
			}
			continue
		}
		if d.Value <= 0 {
			t.Errorf("%s: value %d is not positive", d.Key, d.Value)
		}
	}
}

// The values the law fixes, so that changing one is a deliberate act with a
// failing test to update.
func TestPolicyStatutoryValues(t *testing.T) {
	tests := []struct {
		got  Deadline
		val  int
		unit DayUnit
		rule string
	}{
		{Policy.MaxSealableMonths, 60, UnitMonths, "R2"},
		{Policy.AgeOfMajority, 18, UnitYears, "R1"},
		{Policy.OrganSealing, 3, UnitCalendarDays, "R12"},
		{Policy.Certificate, 3, UnitWorkingDays, "R14"},
		{Policy.QueryDecision, 3, UnitWorkingDays, "R16"},
		{Policy.ObjectionReview, 15, UnitWorkingDays, "R14"},
		{Policy.ObjectionReviewExtended, 30, UnitWorkingDays, "R14"},
		{Policy.TestPeriod, 0, UnitMonths, "R11"},
	}
	for _, tt := range tests {
		if tt.got.Value != tt.val || tt.got.Unit != tt.unit || tt.got.Rule != tt.rule {
			t.Errorf("%s = %d %s (%s), want %d %s (%s)", tt.got.Key, tt.got.Value, tt.got.Unit, tt.got.Rule, tt.val, tt.unit, tt.rule)
		}
	}
}

// Values the law does not set must say so, and statutory ones must not.
func TestPolicyPortalStandardsLabelled(t *testing.T) {
	standard := map[string]bool{
		Policy.ApplicationAcceptance.Key: true,
		Policy.ReviewDecision.Key:        true,
		Policy.ReliefHandling.Key:        true,
		Policy.LeakReportHandling.Key:    true,
		Policy.CorrectionAnswer.Key:      true,
	}
	for _, d := range Policy.All() {
		labelled := strings.Contains(d.Source, "portal service standard (no statutory deadline)")
		if labelled != standard[d.Key] {
			t.Errorf("%s: labelled portal standard = %v, want %v", d.Key, labelled, standard[d.Key])
		}
	}
}

func TestDue(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		name string
		from string
		d    Deadline
		want string
	}{
		// R12: 3 calendar days, the last on Spring Festival, moves past it.
		{"organ sealing over Spring Festival", "2026-02-12", Policy.OrganSealing, "2026-02-24"},
		// R14: 3 working days, the worked Saturday counting.
		{"certificate before Spring Festival", "2026-02-11", Policy.Certificate, "2026-02-14"},
		// R16: 3 working days over National Day.
		{"query decision over National Day", "2026-09-29", Policy.QueryDecision, "2026-10-09"},
		// R14: 15 working days.
		{"objection review", "2026-09-28", Policy.ObjectionReview, "2026-10-23"},
	}
	for _, tt := range tests {
		got, err := c.Due(calTestDate(tt.from), tt.d)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.String() != tt.want {
			t.Errorf("%s: Due = %s, want %s", tt.name, got, tt.want)
		}
	}
	for _, d := range Policy.All() {
		_, err := c.Due(calTestDate("2026-03-02"), d)
		if d.Unit.IsDays() && err != nil {
			t.Errorf("%s: %v", d.Key, err)
		}
		if !d.Unit.IsDays() && ErrorCode(err) != CodeInternal {
			t.Errorf("%s is not a deadline, Due gave %v", d.Key, err)
		}
	}
	_, err := c.Due(calTestDate("2028-03-01"), Policy.Certificate)
	wantCalendarKey(t, err, "calendar.year_missing")
}
