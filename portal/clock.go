package portal

import "time"

// Clock gives the current time. Production uses time.Now; tests inject a fixed
// or stepped clock so that deadline and lockout tests need no sleeping.
type Clock func() time.Time

// SystemClock is the wall clock.
func SystemClock() time.Time { return time.Now() }

// China is the time zone in which dates of law (birthdays, deadlines) are read.
var China = time.FixedZone("CST", 8*3600)

// Date is a calendar day without time, as the law counts days.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in China's time zone.
func DateOf(t time.Time) Date {
	y, m, d := t.In(China).Date()
	return Date{y, m, d}
}

// ParseDate reads an ISO date (2006-01-02), refusing impossible dates.
func ParseDate(s string) (Date, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, false
	}
	return Date{t.Year(), t.Month(), t.Day()}, true
}

// Time returns midnight of the day in China's time zone.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, China) }

// String is the ISO form, 2006-01-02.
func (d Date) String() string { return d.Time().Format("2006-01-02") }

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.Year == 0 }

// AddDays returns the date n calendar days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Time().Before(o.Time()) }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.Time().After(o.Time()) }
