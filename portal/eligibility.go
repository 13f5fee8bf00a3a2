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
	// R28: records of an administrative penalty and of specialised correctional
	// education (专门矫治教育) of a minor are sealed like criminal records (Law on
	// Preventing Juvenile Delinquency 2020 art. 59 para 2).
	DispositionAdministrativePenalty            Disposition = "administrative_penalty"
	DispositionSpecialisedCorrectionalEducation Disposition = "specialised_correctional_education"
	DispositionPending                          Disposition = "pending" // not yet concluded
)

// Dispositions lists every disposition, for forms.
var Dispositions = []Disposition{
	DispositionSentenced, DispositionExempted, DispositionNotProsecuted,
	DispositionConditionalNonProsecutionCompleted, DispositionAcquittedInsufficientEvidence,
	DispositionNoCriminalLiability, DispositionCaseWithdrawn,
	DispositionAdministrativePenalty, DispositionSpecialisedCorrectionalEducation, DispositionPending,
}

// convicted reports whether the disposition is a criminal conviction (a
// penalty, or guilt with exemption from punishment): what CL art. 17 forbids
// for an act before the age of 12 (R29).
func (d Disposition) convicted() bool {
	return d == DispositionSentenced || d == DispositionExempted
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
	PenaltyDeportation                  PenaltyKind = "deportation"                     // 驱逐出境 imposed alone (CL art. 35), R28
)

// PenaltyKinds lists every penalty kind, for forms.
var PenaltyKinds = []PenaltyKind{
	PenaltyFixedTerm, PenaltyCriminalDetention, PenaltyPublicSurveillance,
	PenaltyFineOnly, PenaltyDeprivationOfPoliticalRights, PenaltyDeportation, PenaltyLife,
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
	// the case. R5: it is entered from the judgment, never computed. R27: the
	// court may find several main acts.
	Main bool
	// Intent is whether the crime of this act was intentional or negligent
	// (R32); empty when not stated. Current law seals both alike; some
	// employment bans apply only to intentional crimes, so a query shows it.
	Intent Intent `json:",omitempty"`
}

// ActIntents are the intents an act may carry (empty: not stated).
var ActIntents = []Intent{IntentIntentional, IntentNegligent}

// validActIntent reports whether i may be stored on an act.
func validActIntent(i Intent) bool {
	return i == "" || i == IntentIntentional || i == IntentNegligent || i == IntentUnknown
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
	// Single says the sentence punishes one crime, so the single-crime
	// maxima of CL arts. 38, 42, 45 apply (R29); otherwise the term may be a
	// combined one (数罪并罚, CL art. 69) and the higher maxima apply.
	Single bool `json:",omitempty"`
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
			case !f.BirthDate.IsZero() && f.Disposition.convicted() && a.Date.Before(birthdayAt(f.BirthDate, minAgeOfLiability)):
				// R29: no criminal penalty (nor conviction) for an act before
				// the age of 12 (CL art. 17); the 12th birthday itself is not
				// "before".
				fe.Add(field, "eligibility.act_under_12")
			}
			if !validActIntent(a.Intent) {
				fe.Add("acts["+strconv.Itoa(i)+"].intent", "eligibility.intent_unknown")
			}
		}
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

// minAgeOfLiability is the youngest age at which any criminal liability is
// possible (CL art. 17 para 3, since 2021): R29.
const minAgeOfLiability = 12

// termRange is the legal range of a kind of penalty in months (R29): the
// minimum, the maximum for one crime, and the maximum after combination of
// several crimes (数罪并罚).
type termRange struct{ min, single, combined int }

// termRanges are CL art. 38 (管制 3 months–2 years), art. 42 (拘役 1–6
// months), art. 45 (有期徒刑 6 months–15 years) and art. 69 (combined: 管制
// at most 3 years, 拘役 at most 1 year, 有期徒刑 at most 20 years, or 25
// when the separate terms add up to 35 years or more; the portal cannot see
// the separate terms, so it accepts up to 25).
var termRanges = map[PenaltyKind]termRange{
	PenaltyPublicSurveillance: {min: 3, single: 24, combined: 36},
	PenaltyCriminalDetention:  {min: 1, single: 6, combined: 12},
	PenaltyFixedTerm:          {min: 6, single: 180, combined: 300},
}

// maxSuspendableMonths is the longest term that may be suspended: detention
// or a fixed term of at most three years (CL art. 72), R29.
const maxSuspendableMonths = 36

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
		return
	}
	if p.Days < 0 || p.Days > maxTermDays {
		fe.Add("penalty.days", "eligibility.days_range")
		return
	}
	if p.Kind == PenaltyFixedTerm && p.Months == 0 && p.Days == 0 {
		// R2 compares the term, so a fixed term needs one.
		fe.Add("penalty.months", "eligibility.months_range")
		return
	}
	r, ranged := termRanges[p.Kind]
	// A term of detention or surveillance may be left out (it does not decide
	// R2); a term that is given must be a legal one (R29).
	if ranged && (p.Months != 0 || p.Days != 0) {
		max := r.combined
		if p.Single {
			max = r.single
		}
		switch {
		case p.Months < r.min:
			fe.Add("penalty.months", "eligibility.term_below_min."+string(p.Kind))
		case termExceeds(p.Months, p.Days, max):
			if p.Single {
				fe.Add("penalty.months", "eligibility.term_over_max."+string(p.Kind))
			} else {
				fe.Add("penalty.months", "eligibility.term_over_combined."+string(p.Kind))
			}
		}
	}
	if p.Suspended && p.Kind == PenaltyFixedTerm && termExceeds(p.Months, p.Days, maxSuspendableMonths) {
		// R29: CL art. 72 suspends only a term of at most three years.
		fe.Add("penalty.suspended", "eligibility.suspended_over_3y")
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

	// R1: age on the day of each act (R30: the birth date is the one the court
	// found, where it found one).
	rules := []string{"R1"}
	under, adult, mainsUnder, mainsAdult := 0, 0, 0, 0
	for _, a := range f.Acts {
		minor := Under18On(f.BirthDate, a.Date)
		if minor {
			under++
		} else {
			adult++
		}
		switch {
		case a.Main && minor:
			mainsUnder++
		case a.Main:
			mainsAdult++
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
		case f.Disposition == DispositionAcquittedInsufficientEvidence:
			// R27: an acquittal (R10) of acts on both sides of 18 finds no
			// main conduct; whose records are sealed is a legal question.
			return Decision{OutcomeReview, append(rules, "R10", "R27"), "eligibility.reason.acquitted_both_sides"}
		case mainsUnder > 0 && mainsAdult > 0:
			// R27: main acts on both sides of the 18th birthday.
			return Decision{OutcomeReview, append(rules, "R27"), "eligibility.reason.main_acts_both_sides"}
		case mainsAdult > 0:
			return Decision{OutcomeNotEligible, rules, "eligibility.reason.main_act_adult"}
		case mainsUnder == 0:
			if p := f.Penalty; f.Disposition == DispositionSentenced && p != nil &&
				(p.Kind == PenaltyLife || p.Kind == PenaltyFixedTerm && termExceeds(p.Months, p.Days, Policy.MaxSealableMonths.Value)) {
				// R27: whatever the court's finding, a penalty over five
				// years is not sealable (R2 decides it).
				return Decision{OutcomeNotEligible, append(rules, "R27", "R2"), "eligibility.reason.no_main_term_over"}
			}
			return Decision{OutcomeReview, rules, "eligibility.reason.main_act_unknown"}
		}
		// R27: every main act was committed before 18: as R5.
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
	case DispositionAdministrativePenalty:
		// R28: an administrative penalty of a minor is sealed like a
		// criminal record (Law on Preventing Juvenile Delinquency art. 59).
		return Decision{OutcomeSeal, append(rules, "R28"), "eligibility.reason.administrative_penalty"}
	case DispositionSpecialisedCorrectionalEducation:
		// R28: specialised correctional education likewise.
		return Decision{OutcomeSeal, append(rules, "R28"), "eligibility.reason.correctional_education"}
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
	case PenaltyDeportation:
		// R28: deportation imposed alone (CL art. 35) is within the limit.
		return Decision{OutcomeSeal, append(rules, "R28"), "eligibility.reason.deportation"}
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
		"eligibility.act_under_12",
		"eligibility.intent_unknown",
		"eligibility.suspended_over_3y",
		"eligibility.term_below_min.public_surveillance",
		"eligibility.term_below_min.criminal_detention",
		"eligibility.term_below_min.fixed_term",
		"eligibility.term_over_max.public_surveillance",
		"eligibility.term_over_max.criminal_detention",
		"eligibility.term_over_max.fixed_term",
		"eligibility.term_over_combined.public_surveillance",
		"eligibility.term_over_combined.criminal_detention",
		"eligibility.term_over_combined.fixed_term",
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
		"unsealing.combined_retrial",
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
		"eligibility.reason.deportation",
		"eligibility.reason.administrative_penalty",
		"eligibility.reason.correctional_education",
		"eligibility.reason.acquitted_both_sides",
		"eligibility.reason.main_acts_both_sides",
		"eligibility.reason.no_main_term_over",
		"unsealing.reason.facts_incomplete",
		"unsealing.reason.adult_crime",
		"unsealing.reason.crime_after_18",
		"unsealing.reason.over_limit",
		"unsealing.reason.exactly_limit",
		"unsealing.reason.within_limit",
		"unsealing.reason.retrial_adult_act",
		"unsealing.reason.adult_combined_over",
		"unsealing.reason.adult_combined_exactly",
		"unsealing.reason.adult_combined_within",
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
		"calendar.notice_required",
	}
}
