package portal

import (
	"strconv"
	"time"
)

// Eligibility: is the record of this case to be sealed (R1–R10)? The rules are
// applied to the facts as the court or procuratorate found them; where the law
// or the facts leave the answer open the portal says "review" (a human legal
// decision) rather than guess.

// Outcome is the answer of a rule evaluation.
type Outcome string

// The outcomes of eligibility and unsealing.
const (
	OutcomeSeal        Outcome = "seal"         // the record is to be sealed
	OutcomeNotEligible Outcome = "not_eligible" // sealing under this regime does not apply
	OutcomeReview      Outcome = "review"       // the law is unclear here: a person decides
	OutcomeNotYet      Outcome = "not_yet"      // the case has not ended; ask again when it has
	OutcomeUnseal      Outcome = "unseal"       // a ground of R18 unseals the record
	OutcomeStaysSealed Outcome = "stays_sealed" // the event does not unseal the record
)

// Decision is the answer with the rules that decided it, in the order they were
// applied, and a message key explaining it in plain language.
type Decision struct {
	Outcome   Outcome
	Rules     []string
	ReasonKey string
}

// Disposition is how the case ended (or that it has not).
type Disposition string

// The dispositions.
const (
	DispositionSentenced                          Disposition = "sentenced"                             // convicted and punished
	DispositionExempted                           Disposition = "exempted"                              // convicted, exempted from punishment (免予刑事处罚)
	DispositionNotProsecuted                      Disposition = "not_prosecuted"                        // a decision not to prosecute (不起诉)
	DispositionConditionalNonProsecutionCompleted Disposition = "conditional_non_prosecution_completed" // conditional non-prosecution, probation completed
	DispositionAcquittedInsufficientEvidence      Disposition = "acquitted_insufficient_evidence"       // acquitted: facts unclear or evidence insufficient
	DispositionNoCriminalLiability                Disposition = "no_criminal_liability"                 // below the age of responsibility or otherwise not liable
	DispositionCaseWithdrawn                      Disposition = "case_withdrawn"                        // the case was withdrawn (撤销案件)
	DispositionPending                            Disposition = "pending"                               // not yet concluded
)

// Dispositions lists every disposition, for forms.
var Dispositions = []Disposition{
	DispositionSentenced, DispositionExempted, DispositionNotProsecuted,
	DispositionConditionalNonProsecutionCompleted, DispositionAcquittedInsufficientEvidence,
	DispositionNoCriminalLiability, DispositionCaseWithdrawn, DispositionPending,
}

// Valid reports whether d is a known disposition.
func (d Disposition) Valid() bool {
	for _, v := range Dispositions {
		if d == v {
			return true
		}
	}
	return false
}

// PenaltyKind is the principal penalty imposed.
type PenaltyKind string

// The penalty kinds.
const (
	PenaltyFixedTerm                    PenaltyKind = "fixed_term"                      // 有期徒刑
	PenaltyCriminalDetention            PenaltyKind = "criminal_detention"              // 拘役
	PenaltyPublicSurveillance           PenaltyKind = "public_surveillance"             // 管制
	PenaltyFineOnly                     PenaltyKind = "fine_only"                       // 单处罚金
	PenaltyDeprivationOfPoliticalRights PenaltyKind = "deprivation_of_political_rights" // 单处剥夺政治权利
	PenaltyLife                         PenaltyKind = "life"                            // 无期徒刑
)

// PenaltyKinds lists every penalty kind, for forms.
var PenaltyKinds = []PenaltyKind{
	PenaltyFixedTerm, PenaltyCriminalDetention, PenaltyPublicSurveillance,
	PenaltyFineOnly, PenaltyDeprivationOfPoliticalRights, PenaltyLife,
}

// Valid reports whether k is a known penalty kind.
func (k PenaltyKind) Valid() bool {
	for _, v := range PenaltyKinds {
		if k == v {
			return true
		}
	}
	return false
}

// The bounds of a term as entered: fixed-term imprisonment after combination
// never exceeds 25 years (CL art. 69), and days complete a month.
const (
	maxTermMonths = 300
	maxTermDays   = 30
	maxActs       = 50
)

// Act is one criminal act of the case.
type Act struct {
	Date Date
	// Main is the court's finding that this act is the main criminal conduct of
	// the case. R5: it is entered from the judgment, never computed.
	Main bool
	// Intent is whether this act's crime was intentional or negligent
	// ("intentional", "negligent", or "" when not recorded), R32.
	Intent string
}

// Penalty is the principal penalty of a sentence.
type Penalty struct {
	Kind PenaltyKind
	// Months and Days are the imposed term of a fixed-term sentence (or of
	// detention or surveillance, where they are informative only). R4: when
	// several crimes were punished together this is the finally decided term
	// after combination (数罪并罚), not the sum of the separate terms. R3: for a
	// suspended sentence it is the imposed term, not the probation period.
	Months, Days int
	Suspended    bool
}

// EligibilityFacts are what the eligibility rules need to know about a case.
type EligibilityFacts struct {
	BirthDate   Date
	Acts        []Act
	Disposition Disposition
	Penalty     *Penalty // required when sentenced, absent otherwise
}

// Validate checks the facts as entered, field by field, with the field names of
// the public API (birth_date, acts, acts[i].date, disposition, penalty,
// penalty.kind, penalty.months, penalty.days).
func (f EligibilityFacts) Validate(today Date) error {
	var fe FieldErrors
	switch {
	case f.BirthDate.IsZero():
		fe.Add("birth_date", "eligibility.birth_date_required")
	case f.BirthDate.After(today):
		fe.Add("birth_date", "eligibility.birth_date_future")
	}
	mains := 0
	switch {
	case len(f.Acts) == 0:
		fe.Add("acts", "eligibility.acts_required")
	case len(f.Acts) > maxActs:
		fe.Add("acts", "eligibility.acts_too_many")
	default:
		for i, a := range f.Acts {
			field := "acts[" + strconv.Itoa(i) + "].date"
			switch {
			case a.Date.IsZero():
				fe.Add(field, "eligibility.act_date_required")
			case a.Date.After(today):
				fe.Add(field, "eligibility.act_future")
			case !f.BirthDate.IsZero() && a.Date.Before(f.BirthDate):
				fe.Add(field, "eligibility.act_before_birth")
			}
			if a.Main {
				mains++
			}
		}
	}
	if mains > 1 {
		// R5: the court finds one main criminal conduct.
		fe.Add("acts", "eligibility.main_multiple")
	}
	switch {
	case f.Disposition == "":
		fe.Add("disposition", "eligibility.disposition_required")
	case !f.Disposition.Valid():
		fe.Add("disposition", "eligibility.disposition_unknown")
	case f.Disposition == DispositionSentenced && f.Penalty == nil:
		fe.Add("penalty", "eligibility.penalty_required")
	case f.Disposition != DispositionSentenced && f.Penalty != nil:
		fe.Add("penalty", "eligibility.penalty_unexpected")
	}
	if p := f.Penalty; p != nil && f.Disposition == DispositionSentenced {
		p.validate(&fe)
	}
	return fe.Err()
}

func (p Penalty) validate(fe *FieldErrors) {
	if !p.Kind.Valid() {
		fe.Add("penalty.kind", "eligibility.penalty_kind_unknown")
		return
	}
	if p.Suspended && p.Kind != PenaltyFixedTerm && p.Kind != PenaltyCriminalDetention {
		// Only detention and fixed-term imprisonment can be suspended (CL art. 72).
		fe.Add("penalty.kind", "eligibility.suspended_kind")
	}
	if p.Months < 0 || p.Months > maxTermMonths {
		fe.Add("penalty.months", "eligibility.months_range")
	}
	if p.Days < 0 || p.Days > maxTermDays {
		fe.Add("penalty.days", "eligibility.days_range")
	}
	if p.Kind == PenaltyFixedTerm && p.Months == 0 && p.Days == 0 {
		// R2 compares the term, so a fixed term needs one.
		fe.Add("penalty.months", "eligibility.months_range")
	}
}

// EighteenthBirthday returns the day the person turns 18. R1: born on 29
// February, in a year without that day the birthday is 1 March, the reading most
// favourable to the minor.
func EighteenthBirthday(birth Date) Date {
	return birthdayAt(birth, Policy.AgeOfMajority.Value)
}

func birthdayAt(birth Date, age int) Date {
	y := birth.Year + age
	if birth.Month == time.February && birth.Day == 29 && !isLeapYear(y) {
		return Date{y, time.March, 1}
	}
	return Date{y, birth.Month, birth.Day}
}

// Under18On reports whether a person born on birth was under 18 on day. R1: the
// 18th birthday itself is still under 18; full age counts from the day after.
func Under18On(birth, day Date) bool {
	return !day.After(EighteenthBirthday(birth))
}

// EvaluateEligibility applies R1–R10 to validated facts and cites every rule that
// decided, in the order applied. Facts that did not pass Validate give review.
func EvaluateEligibility(f EligibilityFacts) Decision {
	if len(f.Acts) == 0 || f.BirthDate.IsZero() || !f.Disposition.Valid() {
		return Decision{Outcome: OutcomeReview, Rules: []string{}, ReasonKey: "eligibility.reason.facts_incomplete"}
	}

	// R1: age on the day of each act.
	rules := []string{"R1"}
	under, adult := 0, 0
	var main *Act
	for i := range f.Acts {
		if Under18On(f.BirthDate, f.Acts[i].Date) {
			under++
		} else {
			adult++
		}
		if f.Acts[i].Main && main == nil {
			main = &f.Acts[i]
		}
	}
	if under == 0 {
		// R6: every act was committed as an adult; no disposition can change that.
		return Decision{OutcomeNotEligible, append(rules, "R6"), "eligibility.reason.adult_acts"}
	}

	// R12: organs seal after the case ends, so a pending case cannot be answered
	// yet (the court's finding of the main conduct, R5, also comes then).
	if f.Disposition == DispositionPending {
		return Decision{OutcomeNotYet, append(rules, "R12"), "eligibility.reason.pending"}
	}

	if adult > 0 {
		// R5: acts on both sides of the 18th birthday; the court's finding of the
		// main criminal conduct decides, and the portal never computes it.
		rules = append(rules, "R5")
		switch {
		case main == nil:
			return Decision{OutcomeReview, rules, "eligibility.reason.main_act_unknown"}
		case !Under18On(f.BirthDate, main.Date):
			return Decision{OutcomeNotEligible, rules, "eligibility.reason.main_act_adult"}
		}
	}

	switch f.Disposition {
	case DispositionExempted:
		// R2: conviction with exemption from punishment is sealable.
		return Decision{OutcomeSeal, append(rules, "R2"), "eligibility.reason.exempted"}
	case DispositionNotProsecuted:
		// R8: every kind of non-prosecution of a juvenile suspect is sealed.
		return Decision{OutcomeSeal, append(rules, "R8"), "eligibility.reason.not_prosecuted"}
	case DispositionConditionalNonProsecutionCompleted:
		// R8: conditional non-prosecution, once its probation is over.
		return Decision{OutcomeSeal, append(rules, "R8"), "eligibility.reason.conditional_completed"}
	case DispositionAcquittedInsufficientEvidence:
		// R10: acquittal for unclear facts or insufficient evidence.
		return Decision{OutcomeSeal, append(rules, "R10"), "eligibility.reason.acquitted"}
	case DispositionNoCriminalLiability:
		// R9: no criminal liability.
		return Decision{OutcomeSeal, append(rules, "R9"), "eligibility.reason.no_liability"}
	case DispositionCaseWithdrawn:
		// R9: the case was withdrawn.
		return Decision{OutcomeSeal, append(rules, "R9"), "eligibility.reason.withdrawn"}
	case DispositionSentenced:
		return evaluatePenalty(f.Penalty, rules)
	}
	return Decision{OutcomeReview, rules, "eligibility.reason.facts_incomplete"}
}

// evaluatePenalty applies R2 and R3 to a sentence.
func evaluatePenalty(p *Penalty, rules []string) Decision {
	if p == nil {
		return Decision{OutcomeReview, rules, "eligibility.reason.facts_incomplete"}
	}
	rules = append(rules, "R2")
	if p.Suspended {
		// R3: a suspended sentence compares the imposed term, not the probation.
		rules = append(rules, "R3")
	}
	switch p.Kind {
	case PenaltyLife:
		// R2: life imprisonment is never sealable.
		return Decision{OutcomeNotEligible, rules, "eligibility.reason.life"}
	case PenaltyFixedTerm:
		// R2: exactly 60 months is inside the limit (CL art. 99 "以下"); 60 months
		// and one day is not. R4: the term is the combined term as decided.
		if termExceeds(p.Months, p.Days, Policy.MaxSealableMonths.Value) {
			return Decision{OutcomeNotEligible, rules, "eligibility.reason.term_over"}
		}
		return Decision{OutcomeSeal, rules, "eligibility.reason.term_within"}
	case PenaltyCriminalDetention:
		// R2: criminal detention (拘役) is always sealable.
		return Decision{OutcomeSeal, rules, "eligibility.reason.detention"}
	case PenaltyPublicSurveillance:
		// R2: public surveillance (管制) is always sealable.
		return Decision{OutcomeSeal, rules, "eligibility.reason.surveillance"}
	case PenaltyFineOnly:
		// R2: a fine alone (单处罚金) is sealable.
		return Decision{OutcomeSeal, rules, "eligibility.reason.fine_only"}
	case PenaltyDeprivationOfPoliticalRights:
		// R2: deprivation of political rights alone is sealable.
		return Decision{OutcomeSeal, rules, "eligibility.reason.political_rights"}
	}
	return Decision{OutcomeReview, rules, "eligibility.reason.facts_incomplete"}
}

// termExceeds reports whether a term of months and days is longer than limit
// months. A month plus days is never compared by converting to days: the law
// counts the term in months, and 60 months and 1 day is over 60 months.
func termExceeds(months, days, limit int) bool {
	return months > limit || (months == limit && days > 0)
}

// termEquals reports whether a term is exactly limit months.
func termEquals(months, days, limit int) bool { return months == limit && days == 0 }

// EligibilityMessageKeys lists every message key that eligibility and unsealing
// may return (reasons and field errors), so that the views can prove each has a
// text in both languages.
func EligibilityMessageKeys() []string {
	return []string{
		// field errors
		"eligibility.birth_date_required",
		"eligibility.birth_date_future",
		"eligibility.acts_required",
		"eligibility.acts_too_many",
		"eligibility.act_date_required",
		"eligibility.act_future",
		"eligibility.act_before_birth",
		"eligibility.main_multiple",
		"eligibility.disposition_required",
		"eligibility.disposition_unknown",
		"eligibility.penalty_required",
		"eligibility.penalty_unexpected",
		"eligibility.penalty_kind_unknown",
		"eligibility.suspended_kind",
		"eligibility.months_range",
		"eligibility.days_range",
		"unsealing.kind_unknown",
		"unsealing.act_date_required",
		"unsealing.act_future",
		"unsealing.act_before_birth",
		"unsealing.adult_crime_under_18",
		"unsealing.months_range",
		"unsealing.days_range",
		// reasons
		"eligibility.reason.facts_incomplete",
		"eligibility.reason.adult_acts",
		"eligibility.reason.pending",
		"eligibility.reason.main_act_unknown",
		"eligibility.reason.main_act_adult",
		"eligibility.reason.exempted",
		"eligibility.reason.not_prosecuted",
		"eligibility.reason.conditional_completed",
		"eligibility.reason.acquitted",
		"eligibility.reason.no_liability",
		"eligibility.reason.withdrawn",
		"eligibility.reason.life",
		"eligibility.reason.term_over",
		"eligibility.reason.term_within",
		"eligibility.reason.detention",
		"eligibility.reason.surveillance",
		"eligibility.reason.fine_only",
		"eligibility.reason.political_rights",
		"unsealing.reason.facts_incomplete",
		"unsealing.reason.adult_crime",
		"unsealing.reason.crime_after_18",
		"unsealing.reason.over_limit",
		"unsealing.reason.exactly_limit",
		"unsealing.reason.within_limit",
	}
}

// CalendarMessageKeys lists every message key the calendar may return.
func CalendarMessageKeys() []string {
	return []string{
		"calendar.year_missing",
		"calendar.year_invalid",
		"calendar.year_empty",
		"calendar.source_missing",
		"calendar.data_invalid",
		"calendar.date_outside_year",
		"calendar.date_duplicate",
		"calendar.date_off_and_worked",
		"calendar.worked_not_weekend",
		"calendar.days_negative",
	}
}
