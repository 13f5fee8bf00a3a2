package portal

import "time"

// The test period (考验期) is a reform option, not the law in force (DOMAIN
// "Reform options"): current law seals at once and for good (R11), and
// Policy.TestPeriod is 0. The portal reads the value so that adopting the
// reform is a one-line change with visible, tested effects. The semantics
// chosen for the option:
//
//   - The sealing decision (R12) is taken as today; the holding organs seal
//     their files as today (the deadlines do not move).
//   - Sealing takes effect (the record counts as sealed for queries and
//     certificates) only when the test period has run from the day of the
//     decision: the decision date plus TestPeriod months, counted as the law
//     counts months (the same day of the month; a month without that day
//     ends on its last day).
//   - During the test period the case pages say when sealing takes effect and
//     that this is a reform option, not current law.
//   - With a test period of 0 nothing changes: sealing takes effect on the
//     day of the decision, and the pages say nothing about a test period.

// AddMonths returns d plus n months, counted as the law counts months: the
// same day of the month, or the last day of a month that lacks it.
func AddMonths(d Date, n int) Date {
	first := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// SealingDecidedOn is the day the deciding organ decided to seal (the last
// seal step of the case), in China's time zone; ok is false when sealing was
// never decided.
func (c Case) SealingDecidedOn() (Date, bool) {
	for i := len(c.Events) - 1; i >= 0; i-- {
		if c.Events[i].Action == ActionSeal {
			return DateOf(c.Events[i].At), true
		}
	}
	return Date{}, false
}

// SealingTakesEffect is the day sealing takes effect under a test period of
// months (Policy.TestPeriod.Value in force): the decision day itself when
// months is 0 (current law, R11), otherwise the end of the test period.
// ok is false when sealing was never decided.
func (c Case) SealingTakesEffect(months int) (Date, bool) {
	decided, ok := c.SealingDecidedOn()
	if !ok {
		return Date{}, false
	}
	if months <= 0 {
		return decided, true
	}
	return AddMonths(decided, months), true
}

// InTestPeriod reports whether, on today, the case's record is sealed by
// decision but sealing has not yet taken effect because a test period of
// months is running. Always false with a test period of 0.
func (c Case) InTestPeriod(today Date, months int) bool {
	if months <= 0 || !c.Status.RecordSealed() {
		return false
	}
	from, ok := c.SealingTakesEffect(months)
	return ok && today.Before(from)
}
