package portal

// Unsealing (解除封存): a sealed record is unsealed only on the grounds of R18,
// from the day the ground arises. A crime committed as an adult that is not
// combined with the sealed sentence leaves the record sealed (R19); one that is
// combined with it (CL arts. 69–71, 77) to five years or more, and a retrial
// that finds the act was committed after 18, are where the binding texts
// disagree or the sealing itself is put in doubt: a person decides (review).

// UnsealingKind is the event that might unseal a record.
type UnsealingKind string

// The kinds of event.
const (
	UnsealingNewCrime          UnsealingKind = "new_crime"          // R18(a): a new crime committed before 18
	UnsealingUndiscoveredCrime UnsealingKind = "undiscovered_crime" // R18(b): an earlier crime found later (漏罪)
	UnsealingRetrial           UnsealingKind = "retrial"            // R18(c): a retrial changed the penalty
	UnsealingAdultCrime        UnsealingKind = "adult_crime"        // R19: a crime committed as an adult
)

// UnsealingKinds lists every kind, for forms.
var UnsealingKinds = []UnsealingKind{
	UnsealingNewCrime, UnsealingUndiscoveredCrime, UnsealingRetrial, UnsealingAdultCrime,
}

// Valid reports whether k is a known kind.
func (k UnsealingKind) Valid() bool {
	for _, v := range UnsealingKinds {
		if k == v {
			return true
		}
	}
	return false
}

// UnsealingEvent is an event reported against a sealed record.
type UnsealingEvent struct {
	Kind UnsealingKind
	// ActDate is the day the new or undiscovered crime (or the adult crime) was
	// committed; for a retrial it is the day the retrial found the sealed act
	// was committed, and may be left unset when the retrial did not change it.
	ActDate Date
	// Combined says the sentence of a crime committed as an adult was combined
	// with the sealed sentence (数罪并罚, CL arts. 69–71, 77: e.g. probation
	// revoked), R19. Crimes committed before 18 are compared after combination
	// anyway (R18 a/b).
	Combined bool `json:",omitempty"`
	// CombinedMonths and CombinedDays are the finally decided term after
	// combination with the sealed sentence (R4, R18 a/b), or the term set by the
	// retrial (R18 c).
	CombinedMonths, CombinedDays int
}

// Validate checks the event against the person's birth date, with the field
// names event.kind, event.act_date, event.combined_months, event.combined_days
// and birth_date.
func (e UnsealingEvent) Validate(birth, today Date) error {
	var fe FieldErrors
	switch {
	case birth.IsZero():
		fe.Add("birth_date", "eligibility.birth_date_required")
	case birth.After(today):
		fe.Add("birth_date", "eligibility.birth_date_future")
	}
	if !e.Kind.Valid() {
		fe.Add("event.kind", "unsealing.kind_unknown")
	}
	switch {
	case e.ActDate.IsZero():
		if e.Kind != UnsealingRetrial {
			fe.Add("event.act_date", "unsealing.act_date_required")
		}
	case e.ActDate.After(today):
		fe.Add("event.act_date", "unsealing.act_future")
	case !birth.IsZero() && e.ActDate.Before(birth):
		fe.Add("event.act_date", "unsealing.act_before_birth")
	case e.Kind == UnsealingAdultCrime && !birth.IsZero() && Under18On(birth, e.ActDate):
		// R1, R19: an act on or before the 18th birthday is not an adult crime;
		// it must be reported as a new or undiscovered crime so R18 is applied.
		fe.Add("event.act_date", "unsealing.adult_crime_under_18")
	}
	if e.CombinedMonths < 0 || e.CombinedMonths > maxTermMonths {
		fe.Add("event.combined_months", "unsealing.months_range")
	}
	if e.CombinedDays < 0 || e.CombinedDays > maxTermDays {
		fe.Add("event.combined_days", "unsealing.days_range")
	}
	if e.Combined && e.Kind == UnsealingRetrial {
		// A retrial re-decides the sealed case itself; nothing is combined.
		fe.Add("event.combined", "unsealing.combined_retrial")
	}
	return fe.Err()
}

// EvaluateUnsealing decides whether a validated event unseals the record of a
// person born on birth (R30: the court-found birth date where there is one),
// citing the rules that decided.
func EvaluateUnsealing(birth Date, e UnsealingEvent) Decision {
	limit := Policy.MaxSealableMonths.Value
	var rules []string
	switch e.Kind {
	case UnsealingAdultCrime:
		return evaluateAdultCrime(e, []string{"R19"}, "unsealing.reason.adult_crime")
	case UnsealingNewCrime, UnsealingUndiscoveredCrime:
		// R1: only a crime committed on or before the 18th birthday can unseal.
		if birth.IsZero() || e.ActDate.IsZero() {
			return Decision{OutcomeReview, []string{}, "unsealing.reason.facts_incomplete"}
		}
		if !Under18On(birth, e.ActDate) {
			// R19: committed as an adult, whatever it was reported as.
			return evaluateAdultCrime(e, []string{"R1", "R19"}, "unsealing.reason.crime_after_18")
		}
		// R4: the combined term as finally decided is compared, not the sum.
		rules = []string{"R1", "R4", "R18"}
	case UnsealingRetrial:
		rules = []string{"R18"}
		if !e.ActDate.IsZero() && !birth.IsZero() && !Under18On(birth, e.ActDate) {
			// R18: the retrial found the act was committed after 18, so the
			// record should never have been sealed: a person decides.
			return Decision{OutcomeReview, []string{"R1", "R18"}, "unsealing.reason.retrial_adult_act"}
		}
	default:
		return Decision{OutcomeReview, []string{}, "unsealing.reason.facts_incomplete"}
	}
	switch {
	case termExceeds(e.CombinedMonths, e.CombinedDays, limit):
		// R18 a/b/c: more than 60 months unseals.
		return Decision{OutcomeUnseal, rules, "unsealing.reason.over_limit"}
	case termEquals(e.CombinedMonths, e.CombinedDays, limit):
		// R18: exactly 60 months is read differently by the Measures and the SPP
		// Rules; the portal does not pick one, a person decides.
		return Decision{OutcomeReview, rules, "unsealing.reason.exactly_limit"}
	default:
		// R18: nothing else unseals.
		return Decision{OutcomeStaysSealed, rules, "unsealing.reason.within_limit"}
	}
}

// evaluateAdultCrime answers for a crime committed as an adult (R19). Not
// combined with the sealed sentence, it never unseals; a judicial organ may
// query the sealed record for that case instead (R15). Combined with it (CL
// arts. 69–71, 77), SPP Rules art. 485 unseals at five years or more while the
// Measures unseal only for crimes committed as a minor: from exactly 60
// months up a person decides; below, every text keeps it sealed.
func evaluateAdultCrime(e UnsealingEvent, rules []string, notCombinedKey string) Decision {
	if !e.Combined {
		return Decision{OutcomeStaysSealed, rules, notCombinedKey}
	}
	limit := Policy.MaxSealableMonths.Value
	rules = append(rules, "R4")
	switch {
	case termExceeds(e.CombinedMonths, e.CombinedDays, limit):
		return Decision{OutcomeReview, rules, "unsealing.reason.adult_combined_over"}
	case termEquals(e.CombinedMonths, e.CombinedDays, limit):
		return Decision{OutcomeReview, append(rules, "R18"), "unsealing.reason.adult_combined_exactly"}
	default:
		return Decision{OutcomeStaysSealed, rules, "unsealing.reason.adult_combined_within"}
	}
}
