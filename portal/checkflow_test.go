package portal

import (
	"slices"
	"testing"
	"time"
)

// R6: acts all after the 18th birthday decide without the outcome; R1: the
// birthday itself is still under 18, so an act on it does not; R5: acts on
// both sides of 18 do not.
func TestDecidedByDates(t *testing.T) {
	birth := Date{Year: 2005, Month: 6, Day: 10}
	day := func(y int, m time.Month, d int) Act { return Act{Date: Date{Year: y, Month: m, Day: d}} }
	tests := []struct {
		name    string
		acts    []Act
		decided bool
	}{
		{"R6: one act the day after the 18th birthday", []Act{day(2023, 6, 11)}, true},
		{"R6: every act as an adult", []Act{day(2024, 1, 1), day(2025, 2, 2)}, true},
		{"R1: an act on the 18th birthday is a minor's", []Act{day(2023, 6, 10)}, false},
		{"R5: acts on both sides of 18", []Act{day(2023, 6, 1), day(2023, 7, 1)}, false},
		{"no acts", nil, false},
		{"an act without a date", []Act{{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := DecidedByDates(birth, tt.acts)
			if ok != tt.decided {
				t.Fatalf("decided = %v, want %v (%+v)", ok, tt.decided, d)
			}
			if ok && (d.Outcome != OutcomeNotEligible || !slices.Contains(d.Rules, "R6")) {
				t.Errorf("decision %+v, want not eligible by R6", d)
			}
		})
	}
	if _, ok := DecidedByDates(Date{}, []Act{day(2023, 6, 11)}); ok {
		t.Errorf("decided without a date of birth")
	}
}
