package portal

import (
	"testing"
	"time"
)

// Benchmarks of the domain's hot paths, for benchstat (go test -bench .
// -benchmem -count 10 ./portal/). BenchmarkEvaluateEligibility and
// BenchmarkAddWorkingDays live beside their tests.

// benchCase is a complete application as the store holds it.
func benchCase() Case {
	birth := Date{Year: 2007, Month: 5, Day: 9}
	return Case{Status: StatusDraft, Capacity: CapacityGuardian, PersonName: "甲", PersonIDNumber: SyntheticIDNumber(42, birth).String(),
		DecidingOrganID: 1, OrganCaseNumber: "(2024)示例刑初1号", Disposition: DispositionSentenced, DecisionDate: Date{Year: 2024, Month: 9, Day: 1},
		Acts: []Act{{Date: Date{Year: 2023, Month: 1, Day: 10}, Main: true}}, Intent: IntentIntentional,
		Penalty: &Penalty{Kind: PenaltyFixedTerm, Months: 12, Suspended: true}, HoldingOrganIDs: []uint64{1, 2, 3},
		Documents:    []Document{{ID: 1, Kind: DocJudgment}, {ID: 2, Kind: DocIdentity}, {ID: 3, Kind: DocGuardianship}},
		DeclaredTrue: true}
}

// The deadline of a stage (R11, R12): working days on the official calendar.
func BenchmarkStageDeadline(b *testing.B) {
	cal := DefaultCalendar()
	from := Date{Year: 2026, Month: 4, Day: 30}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cal.Due(from, Policy.ApplicationAcceptance); err != nil {
			b.Fatal(err)
		}
	}
}

// What the case page recomputes: the facts of a stored case and the rules'
// decision on them.
func BenchmarkCaseEligibility(b *testing.B) {
	c := benchCase()
	b.ReportAllocs()
	for b.Loop() {
		f, ok := c.Facts()
		if !ok {
			b.Fatal("incomplete facts")
		}
		_ = EvaluateEligibility(f)
	}
}

// The whole check a submission makes before it is stored.
func BenchmarkValidateForSubmit(b *testing.B) {
	c := benchCase()
	today := DateOf(time.Date(2026, 5, 12, 9, 0, 0, 0, China))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.ValidateForSubmit(today); err != nil {
			b.Fatal(err)
		}
	}
}
