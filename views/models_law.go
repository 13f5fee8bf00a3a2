package views

import "sealportal/portal"

// TestPeriodView is what a case page shows of the test period, a reform
// option (portal/testperiod.go). Months 0 (current law) shows nothing.
type TestPeriodView struct {
	Months        int
	EffectiveFrom portal.Date // the day sealing takes effect
	Running       bool        // today is inside the test period
}
