package portal

// DecidedByDates reports the decision when the date of birth and the dates of
// the acts decide it alone, whatever the case's outcome, so that the
// eligibility check need not ask how the case ended or what sentence was
// given. R6: every act after the 18th birthday is not eligible under this
// regime; no disposition can change that. Nothing else is decided by the
// dates alone (R5: acts on both sides of 18 depend on the court's finding and
// on how the case ended).
func DecidedByDates(birth Date, acts []Act) (Decision, bool) {
	if birth.IsZero() || len(acts) == 0 {
		return Decision{}, false
	}
	for _, a := range acts {
		if a.Date.IsZero() || Under18On(birth, a.Date) {
			return Decision{}, false
		}
	}
	// The same evaluation as with every answer, so the rules and the reason
	// are the ones the full check gives.
	return EvaluateEligibility(EligibilityFacts{BirthDate: birth, Acts: acts, Disposition: DispositionPending}), true
}
