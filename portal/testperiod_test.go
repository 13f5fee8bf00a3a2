package portal

import (
	"testing"
	"time"
)

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from   string
		months int
		want   string
	}{
		{"2026-03-10", 6, "2026-09-10"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-08-31", 6, "2027-02-28"},
		{"2026-11-15", 14, "2028-01-15"},
		{"2026-03-10", 0, "2026-03-10"},
	}
	for _, tt := range tests {
		if got := AddMonths(calTestDate(tt.from), tt.months); got.String() != tt.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.from, tt.months, got, tt.want)
		}
	}
}

// The test period (a reform option, R11 "Reform options"): with 0 months,
// sealing takes effect on the day of the decision and no test period runs;
// with N months it takes effect N months after the decision.
func TestTestPeriod(t *testing.T) {
	if Policy.TestPeriod.Value != 0 {
		t.Fatalf("the test period is %d months: current law has none (R11)", Policy.TestPeriod.Value)
	}
	decided := time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC) // 11 March in China
	sealed := Case{Status: StatusCompleted, Events: []CaseEvent{
		{At: decided.Add(-48 * time.Hour), Action: ActionStartReview},
		{At: decided, Action: ActionSeal},
		{At: decided.Add(24 * time.Hour), Action: ActionComplete},
	}}
	tests := []struct {
		name     string
		c        Case
		months   int
		today    string
		effect   string // "" when sealing was never decided
		inPeriod bool
	}{
		{"R11 current law: no test period, effect on the decision day", sealed, 0, "2026-03-11", "2026-03-11", false},
		{"reform: 6 months, the day after the decision", sealed, 6, "2026-03-12", "2026-09-11", true},
		{"reform: 6 months, the last day of the period", sealed, 6, "2026-09-10", "2026-09-11", true},
		{"reform: 6 months, the day it takes effect", sealed, 6, "2026-09-11", "2026-09-11", false},
		{"reform: an unsealed record runs no test period", Case{Status: StatusUnsealed, Events: sealed.Events}, 6, "2026-03-12", "2026-09-11", false},
		{"never sealed", Case{Status: StatusUnderReview}, 6, "2026-03-12", "", false},
	}
	for _, tt := range tests {
		got, ok := tt.c.SealingTakesEffect(tt.months)
		if tt.effect == "" {
			if ok {
				t.Errorf("%s: takes effect %s, want never", tt.name, got)
			}
		} else if !ok || got.String() != tt.effect {
			t.Errorf("%s: takes effect %s %v, want %s", tt.name, got, ok, tt.effect)
		}
		if in := tt.c.InTestPeriod(calTestDate(tt.today), tt.months); in != tt.inPeriod {
			t.Errorf("%s: in test period %v, want %v", tt.name, in, tt.inPeriod)
		}
	}
}
