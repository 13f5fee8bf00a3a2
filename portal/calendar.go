package portal

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// The official working-day calendar. Deadlines counted in working days follow
// the State Council's yearly holiday schedule (statutory days off and the
// weekend days worked in exchange, 调休), never weekday arithmetic: a Saturday
// may be a working day and a Wednesday a rest day. The calendar is shipped as
// data for the years whose schedule is published, an administrator can load a
// new year, and a date in a year the calendar lacks is an error rather than a
// guess.
//
// The files in calendardata/ were generated from the module
// github.com/6tail/lunar-go v1.4.7 (package HolidayUtil, GetHolidaysByYear)
// by a throw-away program outside this module, and each records its source
// and how it was checked against the State Council notice.

//go:embed calendardata/*.json
var calendarFiles embed.FS

// CalendarSource says where a year's schedule came from, so that a reviewer can
// check it against the official notice.
type CalendarSource struct {
	Authority string `json:"authority"`         // the official document, e.g. the State Council notice
	Module    string `json:"module,omitempty"`  // the module the data was generated from, if any
	Package   string `json:"package,omitempty"` // the package within that module
	Version   string `json:"version,omitempty"` // the module version
	Note      string `json:"note,omitempty"`    // how the data was produced and checked
	// Official says the data was checked item by item against the State
	// Council notice. A year without it (e.g. generated from a module before
	// anyone read the notice) is provisional: deadlines counted on it are
	// marked so on staff pages until an administrator confirms the year.
	Official bool `json:"official,omitempty"`
}

// CalendarDay is one date of a holiday schedule with the holiday it belongs to.
type CalendarDay struct {
	Date    Date
	Holiday string
}

// CalendarYear is the holiday schedule of one year: the days off that fall
// outside an ordinary weekend pattern and the weekend days that are worked.
type CalendarYear struct {
	Year   int
	Source CalendarSource
	Off    []CalendarDay // statutory days off (some fall on weekends; listing them is harmless)
	Worked []CalendarDay // weekend days worked in exchange (调休上班)
}

// calendarError is the one shape of the calendar's errors: invalid, with a
// message key for people and the detail for logs.
func calendarError(key string, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Key: key, Err: fmt.Errorf("calendar: "+format, args...)}
}

// Validate checks a year before it may be used for deadlines: every date lies
// inside the year, no date is listed twice or both off and worked, a worked day
// is a Saturday or Sunday (the State Council only ever moves weekend days), the
// source is named, and the year has at least one day off (an empty file is a
// mistake, not a year without holidays).
func (y CalendarYear) Validate() error {
	if y.Year < 1949 || y.Year > 9999 {
		return calendarError("calendar.year_invalid", "year %d out of range", y.Year)
	}
	if strings.TrimSpace(y.Source.Authority) == "" {
		return calendarError("calendar.source_missing", "year %d names no source", y.Year)
	}
	if len(y.Off) == 0 {
		return calendarError("calendar.year_empty", "year %d lists no day off", y.Year)
	}
	off := make(map[Date]bool, len(y.Off))
	for _, d := range y.Off {
		if d.Date.Year != y.Year {
			return calendarError("calendar.date_outside_year", "day off %s is not in %d", d.Date, y.Year)
		}
		if off[d.Date] {
			return calendarError("calendar.date_duplicate", "day off %s listed twice", d.Date)
		}
		off[d.Date] = true
	}
	worked := make(map[Date]bool, len(y.Worked))
	for _, d := range y.Worked {
		if d.Date.Year != y.Year {
			return calendarError("calendar.date_outside_year", "worked day %s is not in %d", d.Date, y.Year)
		}
		if worked[d.Date] {
			return calendarError("calendar.date_duplicate", "worked day %s listed twice", d.Date)
		}
		if off[d.Date] {
			return calendarError("calendar.date_off_and_worked", "%s is both a day off and a worked day", d.Date)
		}
		if wd := d.Date.Time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			return calendarError("calendar.worked_not_weekend", "worked day %s is a %s, not a weekend day", d.Date, wd)
		}
		worked[d.Date] = true
	}
	return nil
}

// calendarFile is the JSON form of a CalendarYear (calendardata/YYYY.json).
type calendarFile struct {
	Year   int             `json:"year"`
	Source CalendarSource  `json:"source"`
	Off    []calendarEntry `json:"days_off"`
	Worked []calendarEntry `json:"days_worked"`
}

type calendarEntry struct {
	Date    string `json:"date"`
	Holiday string `json:"holiday"`
}

// ParseCalendarYear reads one year's schedule in the format of
// calendardata/YYYY.json and validates it. Unknown fields are refused so that a
// misspelt "days_worked" cannot silently drop the worked weekends.
func ParseCalendarYear(data []byte) (CalendarYear, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f calendarFile
	if err := dec.Decode(&f); err != nil {
		return CalendarYear{}, calendarError("calendar.data_invalid", "decode: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return CalendarYear{}, calendarError("calendar.data_invalid", "trailing data after the year")
	}
	y := CalendarYear{Year: f.Year, Source: f.Source}
	conv := func(list []calendarEntry) ([]CalendarDay, error) {
		out := make([]CalendarDay, 0, len(list))
		for _, e := range list {
			d, ok := ParseDate(e.Date)
			if !ok {
				return nil, calendarError("calendar.data_invalid", "bad date %q", e.Date)
			}
			out = append(out, CalendarDay{Date: d, Holiday: e.Holiday})
		}
		return out, nil
	}
	var err error
	if y.Off, err = conv(f.Off); err != nil {
		return CalendarYear{}, err
	}
	if y.Worked, err = conv(f.Worked); err != nil {
		return CalendarYear{}, err
	}
	if err := y.Validate(); err != nil {
		return CalendarYear{}, err
	}
	return y, nil
}

// Calendar answers working-day questions for the years it knows. It is never
// changed after construction (WithYear returns a new one), so one value may be
// shared by any number of goroutines.
type Calendar struct {
	years map[int]*calendarYearData
}

// calendarYearData is a year ready for arithmetic: working[i] tells whether day
// i+1 of the year is a working day.
type calendarYearData struct {
	info    CalendarYear
	working []bool
	// confirmed: an administrator confirmed the year against the State
	// Council notice after it was loaded (Calendar.Confirmed).
	confirmed bool
}

func buildYear(y CalendarYear) *calendarYearData {
	n := daysInYear(y.Year)
	data := &calendarYearData{info: y, working: make([]bool, n)}
	first := time.Date(y.Year, time.January, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		wd := first.AddDate(0, 0, i).Weekday()
		data.working[i] = wd != time.Saturday && wd != time.Sunday
	}
	for _, d := range y.Off {
		data.working[yearDay(d.Date)-1] = false
	}
	for _, d := range y.Worked {
		data.working[yearDay(d.Date)-1] = true
	}
	return data
}

var defaultCalendar = sync.OnceValue(func() *Calendar {
	entries, err := calendarFiles.ReadDir("calendardata")
	if err != nil {
		panic("portal: read embedded calendar: " + err.Error())
	}
	c := &Calendar{years: map[int]*calendarYearData{}}
	for _, e := range entries {
		name := path.Join("calendardata", e.Name())
		b, err := calendarFiles.ReadFile(name)
		if err != nil {
			panic("portal: read " + name + ": " + err.Error())
		}
		y, err := ParseCalendarYear(b)
		if err != nil {
			// The embedded data is checked by the tests; a bad file is a build defect.
			panic("portal: " + name + ": " + err.Error())
		}
		if _, dup := c.years[y.Year]; dup {
			panic(fmt.Sprintf("portal: %s: year %d shipped twice", name, y.Year))
		}
		c.years[y.Year] = buildYear(y)
	}
	return c
})

// DefaultCalendar returns the calendar of the embedded years. The data is parsed
// once; the value is shared and immutable.
func DefaultCalendar() *Calendar { return defaultCalendar() }

// WithYear returns a new calendar that also knows y (replacing a year already
// present, for a corrected notice). The receiver is left unchanged, so readers
// holding it are never disturbed; the caller swaps the pointer.
func (c *Calendar) WithYear(y CalendarYear) (*Calendar, error) {
	if err := y.Validate(); err != nil {
		return nil, err
	}
	n := &Calendar{years: make(map[int]*calendarYearData, len(c.years)+1)}
	for k, v := range c.years {
		n.years[k] = v
	}
	n.years[y.Year] = buildYear(y)
	return n, nil
}

// Years lists the years the calendar knows, in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// Year returns the schedule of one year and whether the calendar has it, so that
// an administrator can see the source of the data in use.
func (c *Calendar) Year(year int) (CalendarYear, bool) {
	y, ok := c.years[year]
	if !ok {
		return CalendarYear{}, false
	}
	return y.info, true
}

// Provisional reports whether the calendar knows year only from a
// non-official source that no administrator has confirmed against the State
// Council notice. A year the calendar lacks is not provisional, it is missing.
func (c *Calendar) Provisional(year int) bool {
	y, ok := c.years[year]
	return ok && !y.info.Source.Official && !y.confirmed
}

// Confirmed returns a new calendar in which year is confirmed against the
// official notice (no longer provisional); a year it lacks is an error.
func (c *Calendar) Confirmed(year int) (*Calendar, error) {
	y, ok := c.years[year]
	if !ok {
		return nil, calendarError("calendar.year_missing", "no holiday schedule for %d", year)
	}
	n := &Calendar{years: make(map[int]*calendarYearData, len(c.years))}
	for k, v := range c.years {
		n.years[k] = v
	}
	cy := *y
	cy.confirmed = true
	n.years[year] = &cy
	return n, nil
}

// IsCalendarMissing reports whether err says a deadline falls in a year whose
// official calendar is not loaded yet. Such a deadline is "to be set when the
// official calendar is published", never a reason to refuse a filing.
func IsCalendarMissing(err error) bool {
	e, ok := AsError(err)
	return ok && e.Key == "calendar.year_missing"
}

func (c *Calendar) year(year int) (*calendarYearData, error) {
	y, ok := c.years[year]
	if !ok {
		return nil, calendarError("calendar.year_missing", "no holiday schedule for %d", year)
	}
	return y, nil
}

// IsWorkingDay reports whether d is a working day under the official schedule.
func (c *Calendar) IsWorkingDay(d Date) (bool, error) {
	y, err := c.year(d.Year)
	if err != nil {
		return false, err
	}
	return y.working[yearDay(d)-1], nil
}

// AddWorkingDays returns the n-th working day after from. The day from itself is
// not counted, whatever it is, so a document received on a Saturday has its
// first working day on the Monday (or a worked Saturday) after.
func (c *Calendar) AddWorkingDays(from Date, n int) (Date, error) {
	if n < 0 {
		return Date{}, calendarError("calendar.days_negative", "cannot add %d working days", n)
	}
	// The year of from itself need not be known: from is not counted.
	year, day := from.Year, yearDay(from)
	data := c.years[year]
	for n > 0 {
		day++
		if day > daysInYear(year) {
			year, day, data = year+1, 1, nil
		}
		if data == nil {
			var err error
			if data, err = c.year(year); err != nil {
				return Date{}, err
			}
		}
		if data.working[day-1] {
			n--
		}
	}
	return dateOfYearDay(year, day), nil
}

// CalendarDeadline counts n calendar days after from (the first day is not
// counted) and, if the last day is a rest day, moves it forward to the next
// working day. This is how R12's "3 days" for an organ to seal is counted, as
// procedural periods are in Chinese criminal procedure.
func (c *Calendar) CalendarDeadline(from Date, n int) (Date, error) {
	if n < 0 {
		return Date{}, calendarError("calendar.days_negative", "cannot add %d calendar days", n)
	}
	d := from.AddDays(n)
	for {
		ok, err := c.IsWorkingDay(d)
		if err != nil {
			return Date{}, err
		}
		if ok {
			return d, nil
		}
		d = d.AddDays(1)
	}
}

// WorkingDaysBetween counts the working days after a up to and including b, the
// inverse of AddWorkingDays: AddWorkingDays(a, n) == b gives n. When b is before
// a the count is negative (a deadline passed that many working days ago).
func (c *Calendar) WorkingDaysBetween(a, b Date) (int, error) {
	if b.Before(a) {
		n, err := c.WorkingDaysBetween(b, a)
		return -n, err
	}
	count := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		ok, err := c.IsWorkingDay(d)
		if err != nil {
			return 0, err
		}
		if ok {
			count++
		}
	}
	return count, nil
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeapYear(y) {
		return 366
	}
	return 365
}

// yearDay is the day of the year, 1 to 366.
func yearDay(d Date) int {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).YearDay()
}

func dateOfYearDay(year, day int) Date {
	t := time.Date(year, time.January, day, 0, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}
