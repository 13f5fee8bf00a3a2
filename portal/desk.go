package portal

import (
	"time"
)

// The lawyer's desk (issue 16): what a lawyer's or guardian's list of cases
// puts first, and how its search terms are compared.

// DeskPageSize is how many cases one page of the desk lists.
const DeskPageSize = 50

// DeskActionSize is how many cases "needs your action" shows at most, the
// most urgent first (the list below holds every case): enough for a day's
// work, and a dashboard view decrypts at most this many summaries more than
// its page.
const DeskActionSize = 20

// DeskSoonWorkingDays is how near a deadline puts a case under "needs your
// action": within three working days of today.
const DeskSoonWorkingDays = 3

// DeskSoonLimit is the last day a deadline may fall on to count as "within
// three working days" of today, on the portal's working-day calendar
// (portal/calendar.go, as every deadline of the portal). Where the calendar has
// no data for the year, weekends alone are skipped: the list then errs on
// the side of showing a case too early rather than too late.
func DeskSoonLimit(cal *Calendar, today Date) Date {
	if cal != nil {
		if d, err := cal.AddWorkingDays(today, DeskSoonWorkingDays); err == nil {
			return d
		}
	}
	d := today
	for n := 0; n < DeskSoonWorkingDays; {
		d = d.AddDays(1)
		if wd := d.Time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return d
}
