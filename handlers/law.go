package handlers

import (
	"sealportal/portal"
	"sealportal/views"
)

// testPeriodView is what a case page shows of the test period in force
// (portal.Policy.TestPeriod, a reform option, 0 under current law: then
// nothing shows).
func testPeriodView(cs portal.Case, today portal.Date) views.TestPeriodView {
	months := portal.Policy.TestPeriod.Value
	if months <= 0 || !cs.Status.RecordSealed() {
		return views.TestPeriodView{}
	}
	from, ok := cs.SealingTakesEffect(months)
	if !ok {
		return views.TestPeriodView{}
	}
	return views.TestPeriodView{Months: months, EffectiveFrom: from, Running: cs.InTestPeriod(today, months)}
}
