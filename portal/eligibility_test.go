package portal

import (
	"slices"
	"testing"
)

func TestUnder18On(t *testing.T) {
	tests := []struct {
		name  string
		birth string
		day   string
		want  bool
	}{
		{"day before the 18th birthday", "2005-06-10", "2023-06-09", true},
		{"the 18th birthday itself is under 18", "2005-06-10", "2023-06-10", true},
		{"the day after is 18", "2005-06-10", "2023-06-11", false},
		{"long before", "2005-06-10", "2019-01-01", true},
		{"29 Feb birth, 28 Feb of a non-leap year", "2004-02-29", "2022-02-28", true},
		{"29 Feb birth, 1 Mar is the birthday", "2004-02-29", "2022-03-01", true},
		{"29 Feb birth, 2 Mar is 18", "2004-02-29", "2022-03-02", false},
		{"31 Dec birth, New Year's Eve birthday", "2005-12-31", "2023-12-31", true},
		{"31 Dec birth, New Year's Day", "2005-12-31", "2024-01-01", false},
	}
	for _, tt := range tests {
		if got := Under18On(calTestDate(tt.birth), calTestDate(tt.day)); got != tt.want {
			t.Errorf("%s: Under18On(%s, %s) = %v, want %v", tt.name, tt.birth, tt.day, got, tt.want)
		}
	}
	if got := EighteenthBirthday(calTestDate("2004-02-29")); got.String() != "2022-03-01" {
		t.Errorf("EighteenthBirthday(2004-02-29) = %s, want 2022-03-01", got)
	}
}

// wantDecision asserts outcome and rules, and that the reason has a message key
// the views know.
func wantDecision(t *testing.T, name string, got Decision, outcome Outcome, rules ...string) {
	t.Helper()
	if got.Outcome != outcome || !slices.Equal(got.Rules, rules) {
		t.Errorf("%s: got %s %v, want %s %v", name, got.Outcome, got.Rules, outcome, rules)
	}
	if got.Rules == nil {
		t.Errorf("%s: Rules is nil; the API promises a list", name)
	}
	if !slices.Contains(EligibilityMessageKeys(), got.ReasonKey) {
		t.Errorf("%s: reason key %q missing from EligibilityMessageKeys", name, got.ReasonKey)
	}
}

func TestEvaluateEligibility(t *testing.T) {
	const birth = "2005-06-10" // the 18th birthday is 2023-06-10
	under := Act{Date: calTestDate("2022-01-15")}
	onBirthday := Act{Date: calTestDate("2023-06-10")}
	adult := Act{Date: calTestDate("2023-06-11")}
	mainUnder := Act{Date: under.Date, Main: true}
	mainAdult := Act{Date: adult.Date, Main: true}
	fixed := func(months, days int) *Penalty { return &Penalty{Kind: PenaltyFixedTerm, Months: months, Days: days} }
	sentenced := func(p *Penalty, acts ...Act) EligibilityFacts {
		return EligibilityFacts{BirthDate: calTestDate(birth), Acts: acts, Disposition: DispositionSentenced, Penalty: p}
	}
	ended := func(d Disposition, acts ...Act) EligibilityFacts {
		return EligibilityFacts{BirthDate: calTestDate(birth), Acts: acts, Disposition: d}
	}
	leap := func(act string) EligibilityFacts {
		return EligibilityFacts{BirthDate: calTestDate("2004-02-29"), Acts: []Act{{Date: calTestDate(act)}},
			Disposition: DispositionSentenced, Penalty: fixed(12, 0)}
	}

	tests := []struct {
		name    string
		facts   EligibilityFacts
		outcome Outcome
		rules   []string
	}{
		// R1: age at the act.
		{"act on the 18th birthday", sentenced(fixed(36, 0), onBirthday), OutcomeSeal, []string{"R1", "R2"}},
		{"act the day after the 18th birthday", sentenced(fixed(36, 0), adult), OutcomeNotEligible, []string{"R1", "R6"}},
		{"29 Feb birth, act on 28 Feb", leap("2022-02-28"), OutcomeSeal, []string{"R1", "R2"}},
		{"29 Feb birth, act on 1 Mar (the birthday)", leap("2022-03-01"), OutcomeSeal, []string{"R1", "R2"}},
		{"29 Feb birth, act on 2 Mar", leap("2022-03-02"), OutcomeNotEligible, []string{"R1", "R6"}},

		// R2: the penalty.
		{"exactly 60 months", sentenced(fixed(60, 0), under), OutcomeSeal, []string{"R1", "R2"}},
		{"60 months and one day", sentenced(fixed(60, 1), under), OutcomeNotEligible, []string{"R1", "R2"}},
		{"61 months", sentenced(fixed(61, 0), under), OutcomeNotEligible, []string{"R1", "R2"}},
		{"59 months and 30 days", sentenced(fixed(59, 30), under), OutcomeSeal, []string{"R1", "R2"}},
		{"criminal detention", sentenced(&Penalty{Kind: PenaltyCriminalDetention, Months: 4}, under), OutcomeSeal, []string{"R1", "R2"}},
		{"public surveillance", sentenced(&Penalty{Kind: PenaltyPublicSurveillance, Months: 12}, under), OutcomeSeal, []string{"R1", "R2"}},
		{"fine only", sentenced(&Penalty{Kind: PenaltyFineOnly}, under), OutcomeSeal, []string{"R1", "R2"}},
		{"deprivation of political rights only", sentenced(&Penalty{Kind: PenaltyDeprivationOfPoliticalRights, Months: 12}, under), OutcomeSeal, []string{"R1", "R2"}},
		{"exempted from punishment", ended(DispositionExempted, under), OutcomeSeal, []string{"R1", "R2"}},
		{"life imprisonment", sentenced(&Penalty{Kind: PenaltyLife}, under), OutcomeNotEligible, []string{"R1", "R2"}},

		// R3: suspended sentences compare the imposed term.
		{"suspended 36 months", sentenced(&Penalty{Kind: PenaltyFixedTerm, Months: 36, Suspended: true}, under), OutcomeSeal, []string{"R1", "R2", "R3"}},
		{"suspended detention", sentenced(&Penalty{Kind: PenaltyCriminalDetention, Months: 5, Suspended: true}, under), OutcomeSeal, []string{"R1", "R2", "R3"}},
		{"suspended, imposed term over the limit", sentenced(&Penalty{Kind: PenaltyFixedTerm, Months: 66, Suspended: true}, under), OutcomeNotEligible, []string{"R1", "R2", "R3"}},

		// R4: two crimes of 36 months each, combined by the court into 54 months:
		// the 54 is entered and compared, never the sum of 72.
		{"combined term of several crimes", sentenced(fixed(54, 0), under, Act{Date: calTestDate("2022-08-01")}), OutcomeSeal, []string{"R1", "R2"}},

		// R5: acts on both sides of the 18th birthday.
		{"straddling, main act before 18", sentenced(fixed(36, 0), mainUnder, adult), OutcomeSeal, []string{"R1", "R5", "R2"}},
		{"straddling, main act on the 18th birthday", sentenced(fixed(36, 0), Act{Date: onBirthday.Date, Main: true}, adult), OutcomeSeal, []string{"R1", "R5", "R2"}},
		{"straddling, main act before 18, suspended", sentenced(&Penalty{Kind: PenaltyFixedTerm, Months: 24, Suspended: true}, mainUnder, adult), OutcomeSeal, []string{"R1", "R5", "R2", "R3"}},
		{"straddling, main act before 18, term over", sentenced(fixed(72, 0), mainUnder, adult), OutcomeNotEligible, []string{"R1", "R5", "R2"}},
		{"straddling, main act after 18", sentenced(fixed(36, 0), under, mainAdult), OutcomeNotEligible, []string{"R1", "R5"}},
		{"straddling, no act marked main", sentenced(fixed(36, 0), under, adult), OutcomeReview, []string{"R1", "R5"}},
		{"straddling, not prosecuted, main act before 18", ended(DispositionNotProsecuted, adult, mainUnder), OutcomeSeal, []string{"R1", "R5", "R8"}},
		{"single act marked main", sentenced(fixed(36, 0), mainUnder), OutcomeSeal, []string{"R1", "R2"}},

		// R6: all acts after the 18th birthday.
		{"all acts as an adult", ended(DispositionNotProsecuted, adult, Act{Date: calTestDate("2024-01-01")}), OutcomeNotEligible, []string{"R1", "R6"}},

		// R8, R9, R10: cases that ended without punishment.
		{"not prosecuted", ended(DispositionNotProsecuted, under), OutcomeSeal, []string{"R1", "R8"}},
		{"conditional non-prosecution completed", ended(DispositionConditionalNonProsecutionCompleted, under), OutcomeSeal, []string{"R1", "R8"}},
		{"acquitted for insufficient evidence", ended(DispositionAcquittedInsufficientEvidence, under), OutcomeSeal, []string{"R1", "R10"}},
		{"no criminal liability", ended(DispositionNoCriminalLiability, under), OutcomeSeal, []string{"R1", "R9"}},
		{"case withdrawn", ended(DispositionCaseWithdrawn, under), OutcomeSeal, []string{"R1", "R9"}},

		// R12: nothing to seal until the case ends.
		{"pending", ended(DispositionPending, under), OutcomeNotYet, []string{"R1", "R12"}},
		{"pending, straddling with no main act yet", ended(DispositionPending, under, adult), OutcomeNotYet, []string{"R1", "R12"}},
		{"pending, all acts as an adult", ended(DispositionPending, adult), OutcomeNotEligible, []string{"R1", "R6"}},

		// R27: several main acts.
		{"R27 two main acts, both before 18", sentenced(fixed(36, 0), mainUnder, Act{Date: onBirthday.Date, Main: true}, adult), OutcomeSeal, []string{"R1", "R5", "R2"}},
		{"R27 two main acts, all before 18, no adult act", sentenced(fixed(36, 0), mainUnder, Act{Date: onBirthday.Date, Main: true}), OutcomeSeal, []string{"R1", "R2"}},
		{"R27 main acts on both sides of 18", sentenced(fixed(36, 0), mainUnder, mainAdult), OutcomeReview, []string{"R1", "R5", "R27"}},
		{"R27 main acts on both sides, not prosecuted", ended(DispositionNotProsecuted, mainUnder, mainAdult), OutcomeReview, []string{"R1", "R5", "R27"}},
		{"R27 two main acts after 18", sentenced(fixed(36, 0), under, mainAdult, Act{Date: calTestDate("2024-01-01"), Main: true}), OutcomeNotEligible, []string{"R1", "R5"}},
		{"R27 acquittal of acts on both sides of 18", ended(DispositionAcquittedInsufficientEvidence, under, adult), OutcomeReview, []string{"R1", "R5", "R10", "R27"}},
		{"R27 acquittal on both sides, a main act marked", ended(DispositionAcquittedInsufficientEvidence, mainUnder, adult), OutcomeReview, []string{"R1", "R5", "R10", "R27"}},
		{"R27 no main act, penalty over five years", sentenced(fixed(72, 0), under, adult), OutcomeNotEligible, []string{"R1", "R5", "R27", "R2"}},
		{"R27 no main act, 60 months and a day", sentenced(fixed(60, 1), under, adult), OutcomeNotEligible, []string{"R1", "R5", "R27", "R2"}},
		{"R27 no main act, life", sentenced(&Penalty{Kind: PenaltyLife}, under, adult), OutcomeNotEligible, []string{"R1", "R5", "R27", "R2"}},
		{"R27 no main act, exactly 60 months is still review", sentenced(fixed(60, 0), under, adult), OutcomeReview, []string{"R1", "R5"}},

		// R28: other sealed records of minors, and deportation alone.
		{"R28 administrative penalty", ended(DispositionAdministrativePenalty, under), OutcomeSeal, []string{"R1", "R28"}},
		{"R28 specialised correctional education", ended(DispositionSpecialisedCorrectionalEducation, under), OutcomeSeal, []string{"R1", "R28"}},
		{"R28 administrative penalty, all acts as an adult", ended(DispositionAdministrativePenalty, adult), OutcomeNotEligible, []string{"R1", "R6"}},
		{"R28 correctional education, straddling, main act before 18", ended(DispositionSpecialisedCorrectionalEducation, mainUnder, adult), OutcomeSeal, []string{"R1", "R5", "R28"}},
		{"R28 deportation alone", sentenced(&Penalty{Kind: PenaltyDeportation}, under), OutcomeSeal, []string{"R1", "R2", "R28"}},

		// R30: the court-found birth date is what the rules are given; a
		// later birth date makes the same act a minor's.
		{"R30 court-found birth date makes the act a minor's", EligibilityFacts{BirthDate: calTestDate("2006-01-01"), Acts: []Act{adult}, Disposition: DispositionSentenced, Penalty: fixed(36, 0)}, OutcomeSeal, []string{"R1", "R2"}},

		// Facts that skipped validation are never guessed at.
		{"no acts", ended(DispositionNotProsecuted), OutcomeReview, []string{}},
		{"sentenced without penalty", sentenced(nil, under), OutcomeReview, []string{"R1"}},
	}
	for _, tt := range tests {
		wantDecision(t, tt.name, EvaluateEligibility(tt.facts), tt.outcome, tt.rules...)
	}
}

// TestEligibilityFactsUnchanged guards the caller's slice: evaluation only reads.
func TestEligibilityFactsUnchanged(t *testing.T) {
	acts := []Act{{Date: calTestDate("2022-01-15")}, {Date: calTestDate("2023-07-01"), Main: false}}
	f := EligibilityFacts{BirthDate: calTestDate("2005-06-10"), Acts: acts, Disposition: DispositionExempted}
	EvaluateEligibility(f)
	if acts[0].Main || acts[1].Main {
		t.Fatal("EvaluateEligibility changed the acts")
	}
}

// wantFields asserts that err is exactly the given field errors.
func wantFields(t *testing.T, name string, err error, want map[string]string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("%s: unexpected error %v", name, err)
		}
		return
	}
	e, ok := AsError(err)
	if !ok || e.Code != CodeInvalid {
		t.Fatalf("%s: error %v is not invalid", name, err)
	}
	for field, key := range want {
		if e.Fields[field] != key {
			t.Errorf("%s: field %s = %q, want %q (all: %v)", name, field, e.Fields[field], key, e.Fields)
		}
	}
	if len(e.Fields) != len(want) {
		t.Errorf("%s: fields %v, want exactly %v", name, e.Fields, want)
	}
	for _, key := range e.Fields {
		if !slices.Contains(EligibilityMessageKeys(), key) {
			t.Errorf("%s: key %q missing from EligibilityMessageKeys", name, key)
		}
	}
}

func TestEligibilityFactsValidate(t *testing.T) {
	today := calTestDate("2026-03-02")
	base := func() EligibilityFacts {
		return EligibilityFacts{
			BirthDate:   calTestDate("2005-06-10"),
			Acts:        []Act{{Date: calTestDate("2022-01-15")}},
			Disposition: DispositionSentenced,
			Penalty:     &Penalty{Kind: PenaltyFixedTerm, Months: 36},
		}
	}
	with := func(change func(*EligibilityFacts)) EligibilityFacts {
		f := base()
		change(&f)
		return f
	}
	manyActs := make([]Act, 51)
	for i := range manyActs {
		manyActs[i] = Act{Date: calTestDate("2022-01-15")}
	}
	tests := []struct {
		name  string
		facts EligibilityFacts
		want  map[string]string
	}{
		{"valid", base(), nil},
		{"valid, not prosecuted", with(func(f *EligibilityFacts) { f.Disposition = DispositionNotProsecuted; f.Penalty = nil }), nil},
		{"R29 fixed term of days only is below six months", with(func(f *EligibilityFacts) { f.Penalty.Months = 0; f.Penalty.Days = 20 }),
			map[string]string{"penalty.months": "eligibility.term_below_min.fixed_term"}},
		{"birth date missing", with(func(f *EligibilityFacts) { f.BirthDate = Date{} }),
			map[string]string{"birth_date": "eligibility.birth_date_required"}},
		{"birth date in the future", with(func(f *EligibilityFacts) { f.BirthDate = calTestDate("2026-03-03"); f.Acts = nil }),
			map[string]string{"birth_date": "eligibility.birth_date_future", "acts": "eligibility.acts_required"}},
		{"no acts", with(func(f *EligibilityFacts) { f.Acts = nil }),
			map[string]string{"acts": "eligibility.acts_required"}},
		{"too many acts", with(func(f *EligibilityFacts) { f.Acts = manyActs }),
			map[string]string{"acts": "eligibility.acts_too_many"}},
		{"act date missing", with(func(f *EligibilityFacts) { f.Acts = []Act{{}} }),
			map[string]string{"acts[0].date": "eligibility.act_date_required"}},
		{"act before birth", with(func(f *EligibilityFacts) {
			f.Acts = append(f.Acts, Act{Date: calTestDate("2005-06-09")})
		}), map[string]string{"acts[1].date": "eligibility.act_before_birth"}},
		{"act in the future", with(func(f *EligibilityFacts) { f.Acts[0].Date = calTestDate("2026-03-03") }),
			map[string]string{"acts[0].date": "eligibility.act_future"}},
		{"act today is fine", with(func(f *EligibilityFacts) { f.BirthDate = calTestDate("2010-01-01"); f.Acts[0].Date = today }), nil},
		{"R27 two main acts are accepted", with(func(f *EligibilityFacts) {
			f.Acts = []Act{{Date: calTestDate("2022-01-15"), Main: true}, {Date: calTestDate("2023-07-01"), Main: true}}
		}), nil},
		// R32: an act may carry its intent.
		{"R32 intents", with(func(f *EligibilityFacts) {
			f.Acts = []Act{{Date: calTestDate("2022-01-15"), Intent: IntentIntentional}, {Date: calTestDate("2022-02-15"), Intent: IntentNegligent}}
		}), nil},
		{"R32 unknown intent", with(func(f *EligibilityFacts) { f.Acts[0].Intent = "reckless" }),
			map[string]string{"acts[0].intent": "eligibility.intent_unknown"}},
		// R29: impossible inputs.
		{"R29 act before 12, sentenced", with(func(f *EligibilityFacts) { f.Acts[0].Date = calTestDate("2017-06-09") }),
			map[string]string{"acts[0].date": "eligibility.act_under_12"}},
		{"R29 act before 12, exempted", with(func(f *EligibilityFacts) {
			f.Acts[0].Date = calTestDate("2017-06-09")
			f.Disposition, f.Penalty = DispositionExempted, nil
		}), map[string]string{"acts[0].date": "eligibility.act_under_12"}},
		{"R29 act on the 12th birthday", with(func(f *EligibilityFacts) { f.Acts[0].Date = calTestDate("2017-06-10") }), nil},
		{"R29 act before 12, no criminal liability", with(func(f *EligibilityFacts) {
			f.Acts[0].Date = calTestDate("2015-01-01")
			f.Disposition, f.Penalty = DispositionNoCriminalLiability, nil
		}), nil},
		{"R29 suspended 36 months", with(func(f *EligibilityFacts) { f.Penalty.Suspended = true }), nil},
		{"R29 suspended 36 months and a day", with(func(f *EligibilityFacts) { f.Penalty.Suspended = true; f.Penalty.Days = 1 }),
			map[string]string{"penalty.suspended": "eligibility.suspended_over_3y"}},
		{"R29 suspended 48 months", with(func(f *EligibilityFacts) { f.Penalty.Suspended = true; f.Penalty.Months = 48 }),
			map[string]string{"penalty.suspended": "eligibility.suspended_over_3y"}},
		{"R29 suspended deportation", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyDeportation, Suspended: true} }),
			map[string]string{"penalty.kind": "eligibility.suspended_kind"}},
		{"R29 suspended surveillance", with(func(f *EligibilityFacts) {
			f.Penalty = &Penalty{Kind: PenaltyPublicSurveillance, Months: 6, Suspended: true}
		}), map[string]string{"penalty.kind": "eligibility.suspended_kind"}},
		{"R29 fixed term 6 months", with(func(f *EligibilityFacts) { f.Penalty.Months = 6 }), nil},
		{"R29 fixed term 5 months 30 days", with(func(f *EligibilityFacts) { f.Penalty.Months = 5; f.Penalty.Days = 30 }),
			map[string]string{"penalty.months": "eligibility.term_below_min.fixed_term"}},
		{"R29 fixed term of one crime, 15 years", with(func(f *EligibilityFacts) { f.Penalty.Months = 180; f.Penalty.Single = true }), nil},
		{"R29 fixed term of one crime over 15 years", with(func(f *EligibilityFacts) { f.Penalty.Months = 180; f.Penalty.Days = 1; f.Penalty.Single = true }),
			map[string]string{"penalty.months": "eligibility.term_over_max.fixed_term"}},
		{"R29 combined fixed term of 25 years", with(func(f *EligibilityFacts) { f.Penalty.Months = 300 }), nil},
		{"R29 combined fixed term over 25 years", with(func(f *EligibilityFacts) { f.Penalty.Months = 300; f.Penalty.Days = 1 }),
			map[string]string{"penalty.months": "eligibility.term_over_combined.fixed_term"}},
		{"R29 detention without a term is accepted", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyCriminalDetention} }), nil},
		{"R29 detention 1 month", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyCriminalDetention, Months: 1} }), nil},
		{"R29 detention of days only", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyCriminalDetention, Days: 20} }),
			map[string]string{"penalty.months": "eligibility.term_below_min.criminal_detention"}},
		{"R29 detention of one crime, 7 months", with(func(f *EligibilityFacts) {
			f.Penalty = &Penalty{Kind: PenaltyCriminalDetention, Months: 7, Single: true}
		}),
			map[string]string{"penalty.months": "eligibility.term_over_max.criminal_detention"}},
		{"R29 combined detention, 12 months", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyCriminalDetention, Months: 12} }), nil},
		{"R29 combined detention, 13 months", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyCriminalDetention, Months: 13} }),
			map[string]string{"penalty.months": "eligibility.term_over_combined.criminal_detention"}},
		{"R29 surveillance 2 months", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyPublicSurveillance, Months: 2} }),
			map[string]string{"penalty.months": "eligibility.term_below_min.public_surveillance"}},
		{"R29 surveillance of one crime, 24 months", with(func(f *EligibilityFacts) {
			f.Penalty = &Penalty{Kind: PenaltyPublicSurveillance, Months: 24, Single: true}
		}), nil},
		{"R29 surveillance of one crime, 25 months", with(func(f *EligibilityFacts) {
			f.Penalty = &Penalty{Kind: PenaltyPublicSurveillance, Months: 25, Single: true}
		}),
			map[string]string{"penalty.months": "eligibility.term_over_max.public_surveillance"}},
		{"R29 combined surveillance, 37 months", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyPublicSurveillance, Months: 37} }),
			map[string]string{"penalty.months": "eligibility.term_over_combined.public_surveillance"}},
		{"R28 administrative penalty takes no penalty", with(func(f *EligibilityFacts) { f.Disposition = DispositionAdministrativePenalty; f.Penalty = nil }), nil},
		{"disposition missing", with(func(f *EligibilityFacts) { f.Disposition = ""; f.Penalty = nil }),
			map[string]string{"disposition": "eligibility.disposition_required"}},
		{"disposition unknown", with(func(f *EligibilityFacts) { f.Disposition = "convicted" }),
			map[string]string{"disposition": "eligibility.disposition_unknown"}},
		{"sentenced without penalty", with(func(f *EligibilityFacts) { f.Penalty = nil }),
			map[string]string{"penalty": "eligibility.penalty_required"}},
		{"penalty with another disposition", with(func(f *EligibilityFacts) { f.Disposition = DispositionExempted }),
			map[string]string{"penalty": "eligibility.penalty_unexpected"}},
		{"penalty kind unknown", with(func(f *EligibilityFacts) { f.Penalty.Kind = "death" }),
			map[string]string{"penalty.kind": "eligibility.penalty_kind_unknown"}},
		{"suspended fine", with(func(f *EligibilityFacts) { f.Penalty = &Penalty{Kind: PenaltyFineOnly, Suspended: true} }),
			map[string]string{"penalty.kind": "eligibility.suspended_kind"}},
		{"months over 300", with(func(f *EligibilityFacts) { f.Penalty.Months = 301 }),
			map[string]string{"penalty.months": "eligibility.months_range"}},
		{"months negative", with(func(f *EligibilityFacts) { f.Penalty.Months = -1 }),
			map[string]string{"penalty.months": "eligibility.months_range"}},
		{"days over 30", with(func(f *EligibilityFacts) { f.Penalty.Days = 31 }),
			map[string]string{"penalty.days": "eligibility.days_range"}},
		{"fixed term of nothing", with(func(f *EligibilityFacts) { f.Penalty.Months = 0 }),
			map[string]string{"penalty.months": "eligibility.months_range"}},
		{"300 months is allowed", with(func(f *EligibilityFacts) { f.Penalty.Months = 300 }), nil},
	}
	for _, tt := range tests {
		wantFields(t, tt.name, tt.facts.Validate(today), tt.want)
	}
}

func BenchmarkEvaluateEligibility(b *testing.B) {
	f := EligibilityFacts{
		BirthDate:   calTestDate("2005-06-10"),
		Acts:        []Act{{Date: calTestDate("2022-01-15"), Main: true}, {Date: calTestDate("2023-07-01")}},
		Disposition: DispositionSentenced,
		Penalty:     &Penalty{Kind: PenaltyFixedTerm, Months: 60, Suspended: true},
	}
	for b.Loop() {
		if d := EvaluateEligibility(f); d.Outcome != OutcomeSeal {
			b.Fatal(d)
		}
	}
}

// TestCaseCourtBirthDate: R30, a court-found birth date that differs from the
// identity number prevails for eligibility.
func TestCaseCourtBirthDate(t *testing.T) {
	// 110105200506100025: born 2005-06-10 by the number; the act of
	// 2023-07-01 is an adult's by it.
	c := Case{PersonIDNumber: "110105200506100025", Disposition: DispositionSentenced,
		Acts: []Act{{Date: calTestDate("2023-07-01")}}, Penalty: &Penalty{Kind: PenaltyFixedTerm, Months: 24}}
	if _, err := ParseIDNumber(c.PersonIDNumber); err != nil {
		t.Fatalf("test id number invalid: %v", err)
	}
	d, ok := c.Eligibility()
	if !ok || d.Outcome != OutcomeNotEligible {
		t.Fatalf("by the identity number: %v %v, want not_eligible", d, ok)
	}
	c.CourtBirthDate = calTestDate("2005-09-01") // the court found a later birth
	if b, _ := c.PersonBirthDate(); b != c.CourtBirthDate {
		t.Fatalf("PersonBirthDate = %v, want the court's %v", b, c.CourtBirthDate)
	}
	d, ok = c.Eligibility()
	if !ok || d.Outcome != OutcomeSeal {
		t.Fatalf("by the court's birth date: %v %v, want seal (R30)", d, ok)
	}
}
