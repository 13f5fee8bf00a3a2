package portal

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// calTestDate parses an ISO date or fails the test binary at once; it keeps the
// tables short.
func calTestDate(s string) Date {
	d, ok := ParseDate(s)
	if !ok {
		panic("bad test date " + s)
	}
	return d
}

// wantCalendarKey asserts err is an invalid *Error with the given key, and that
// the key is one the views translate.
func wantCalendarKey(t *testing.T, err error, key string) {
	t.Helper()
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("error %v is not *Error", err)
	}
	if e.Code != CodeInvalid || e.Key != key {
		t.Fatalf("error = %s/%s, want invalid/%s (%v)", e.Code, e.Key, key, err)
	}
	if !slices.Contains(CalendarMessageKeys(), key) {
		t.Fatalf("key %s missing from CalendarMessageKeys", key)
	}
}

func TestDefaultCalendarYears(t *testing.T) {
	c := DefaultCalendar()
	if got, want := c.Years(), []int{2024, 2025, 2026, 2027}; !slices.Equal(got, want) {
		t.Fatalf("Years() = %v, want %v", got, want)
	}
	if DefaultCalendar() != c {
		t.Fatal("DefaultCalendar parses more than once")
	}
	for _, y := range c.Years() {
		info, ok := c.Year(y)
		if !ok {
			t.Fatalf("Year(%d) missing", y)
		}
		// The data must say where it came from.
		src := info.Source
		if src.Module != "github.com/6tail/lunar-go" || src.Version != "v1.4.7" || !strings.Contains(src.Authority, "State Council") {
			t.Errorf("%d: source = %+v", y, src)
		}
	}
}

// Test2026MatchesNotice compares the whole of 2026 with the State Council notice
// of 4 November 2025, day by day.
func Test2026MatchesNotice(t *testing.T) {
	off := map[string]bool{}
	for _, r := range [][2]string{
		{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
		{"2026-10-01", "2026-10-07"},
	} {
		for d := calTestDate(r[0]); !d.After(calTestDate(r[1])); d = d.AddDays(1) {
			off[d.String()] = true
		}
	}
	worked := map[string]bool{"2026-01-04": true, "2026-02-14": true, "2026-02-28": true,
		"2026-05-09": true, "2026-09-20": true, "2026-10-10": true}
	c := DefaultCalendar()
	for d := calTestDate("2026-01-01"); d.Year == 2026; d = d.AddDays(1) {
		wd := d.Time().Weekday()
		want := (wd >= 1 && wd <= 5 && !off[d.String()]) || worked[d.String()]
		got, err := c.IsWorkingDay(d)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("IsWorkingDay(%s, %s) = %v, want %v", d, wd, got, want)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		date string
		want bool
	}{
		{"2026-01-01", false}, // New Year's Day
		{"2026-01-02", false}, // Friday, part of the New Year break
		{"2026-01-04", true},  // Sunday worked in exchange
		{"2026-01-05", true},  // ordinary Monday
		{"2026-02-14", true},  // Saturday worked before Spring Festival
		{"2026-02-16", false}, // Monday inside Spring Festival
		{"2026-02-23", false}, // last day of Spring Festival, a Monday
		{"2026-02-24", true},  // back to work
		{"2026-02-28", true},  // Saturday worked after Spring Festival
		{"2026-03-01", false}, // ordinary Sunday
		{"2026-03-07", false}, // ordinary Saturday
		{"2026-09-20", true},  // Sunday worked before National Day
		{"2026-09-25", false}, // Mid-Autumn Festival, a Friday
		{"2026-10-07", false}, // last day of National Day
		{"2026-10-08", true},  // Thursday after National Day
		{"2026-10-10", true},  // Saturday worked after National Day
		{"2026-10-11", false}, // ordinary Sunday
		{"2024-02-18", true},  // 2024: Sunday worked after Spring Festival
		{"2025-10-08", false}, // 2025: the eighth day of the combined National Day and Mid-Autumn break
		{"2027-02-05", false}, // 2027: Spring Festival eve
	}
	for _, tt := range tests {
		got, err := c.IsWorkingDay(calTestDate(tt.date))
		if err != nil {
			t.Fatalf("%s: %v", tt.date, err)
		}
		if got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}

func TestYearMissingIsAnError(t *testing.T) {
	c := DefaultCalendar()
	// Never guess by weekday: a Monday in an unknown year is still an error.
	_, err := c.IsWorkingDay(calTestDate("2023-06-05"))
	wantCalendarKey(t, err, "calendar.year_missing")
	_, err = c.IsWorkingDay(calTestDate("2028-01-03"))
	wantCalendarKey(t, err, "calendar.year_missing")
	_, err = c.AddWorkingDays(calTestDate("2027-12-30"), 3)
	wantCalendarKey(t, err, "calendar.year_missing")
	_, err = c.CalendarDeadline(calTestDate("2027-12-29"), 3)
	wantCalendarKey(t, err, "calendar.year_missing")
	_, err = c.WorkingDaysBetween(calTestDate("2027-12-20"), calTestDate("2028-01-05"))
	wantCalendarKey(t, err, "calendar.year_missing")
}

func TestAddWorkingDays(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero days is the day itself", "2026-03-04", 0, "2026-03-04"},
		{"ordinary week", "2026-03-02", 3, "2026-03-05"},
		{"over an ordinary weekend", "2026-03-05", 3, "2026-03-10"},
		{"from a Saturday, the Saturday not counted", "2026-03-07", 1, "2026-03-09"},
		{"worked Saturday counts", "2026-02-13", 1, "2026-02-14"},
		{"across Spring Festival", "2026-02-13", 2, "2026-02-24"},
		{"across Spring Festival from Thursday", "2026-02-12", 3, "2026-02-24"},
		{"from inside Spring Festival", "2026-02-18", 1, "2026-02-24"},
		{"worked Saturday after Spring Festival", "2026-02-24", 4, "2026-02-28"},
		{"worked Sunday before National Day", "2026-09-18", 1, "2026-09-20"},
		{"across National Day", "2026-09-30", 1, "2026-10-08"},
		{"across National Day into a worked Saturday", "2026-09-30", 3, "2026-10-10"},
		{"across the year end into a worked Sunday", "2025-12-31", 1, "2026-01-04"},
		{"from a year not loaded into a loaded one", "2023-12-31", 1, "2024-01-02"},
		{"fifteen working days over National Day", "2026-09-28", 15, "2026-10-23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.AddWorkingDays(calTestDate(tt.from), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
	_, err := c.AddWorkingDays(calTestDate("2026-03-02"), -1)
	wantCalendarKey(t, err, "calendar.days_negative")
}

func TestCalendarDeadline(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"weekday to weekday", "2026-03-02", 3, "2026-03-05"},
		{"last day a Saturday moves to Monday", "2026-03-04", 3, "2026-03-09"},
		{"last day a worked Saturday stays", "2026-02-11", 3, "2026-02-14"},
		{"last day in Spring Festival moves past it", "2026-02-12", 3, "2026-02-24"},
		{"last day on National Day moves past it", "2026-09-28", 3, "2026-10-08"},
		{"rest days in between count, the last day moves", "2026-02-13", 3, "2026-02-24"},
		{"last day before a holiday is kept", "2026-09-21", 3, "2026-09-24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.CalendarDeadline(calTestDate(tt.from), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("CalendarDeadline(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
	_, err := c.CalendarDeadline(calTestDate("2026-03-02"), -3)
	wantCalendarKey(t, err, "calendar.days_negative")
}

// WorkingDaysBetween is the inverse of AddWorkingDays on every day of 2026.
func TestWorkingDaysBetweenInvertsAdd(t *testing.T) {
	c := DefaultCalendar()
	for from := calTestDate("2026-01-01"); from.Year == 2026; from = from.AddDays(1) {
		for _, n := range []int{0, 1, 3, 15} {
			to, err := c.AddWorkingDays(from, n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.WorkingDaysBetween(from, to)
			if err != nil {
				t.Fatal(err)
			}
			if got != n {
				t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", from, to, got, n)
			}
			back, err := c.WorkingDaysBetween(to, from)
			if err != nil {
				t.Fatal(err)
			}
			if back != -n {
				t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", to, from, back, -n)
			}
		}
	}
}

const validYearJSON = `{
  "year": 2028,
  "source": {"authority": "State Council notice (test)", "module": "example.com/m", "version": "v0"},
  "days_off": [{"date": "2028-01-03", "holiday": "元旦节"}],
  "days_worked": [{"date": "2028-01-08", "holiday": "元旦节"}]
}`

func TestParseCalendarYear(t *testing.T) {
	y, err := ParseCalendarYear([]byte(validYearJSON))
	if err != nil {
		t.Fatal(err)
	}
	if y.Year != 2028 || len(y.Off) != 1 || len(y.Worked) != 1 || y.Off[0].Holiday != "元旦节" {
		t.Fatalf("parsed %+v", y)
	}

	tests := []struct {
		name string
		json string
		key  string
	}{
		{"not json", `{"year":`, "calendar.data_invalid"},
		{"unknown field", `{"year":2028,"source":{"authority":"x"},"days_off":[{"date":"2028-01-03"}],"days_wroked":[]}`, "calendar.data_invalid"},
		{"trailing data", validYearJSON + `{}`, "calendar.data_invalid"},
		{"bad date", `{"year":2028,"source":{"authority":"x"},"days_off":[{"date":"2028-02-30"}]}`, "calendar.data_invalid"},
		{"year out of range", `{"year":0,"source":{"authority":"x"},"days_off":[{"date":"2028-01-03"}]}`, "calendar.year_invalid"},
		{"no source", `{"year":2028,"source":{"authority":" "},"days_off":[{"date":"2028-01-03"}]}`, "calendar.source_missing"},
		{"no day off", `{"year":2028,"source":{"authority":"x"},"days_off":[]}`, "calendar.year_empty"},
		{"day off outside the year", `{"year":2028,"source":{"authority":"x"},"days_off":[{"date":"2027-12-31"}]}`, "calendar.date_outside_year"},
		{"worked day outside the year", `{"year":2028,"source":{"authority":"x"},"days_off":[{"date":"2028-01-03"}],"days_worked":[{"date":"2029-01-06"}]}`, "calendar.date_outside_year"},
		{"day off twice", `{"year":2028,"source":{"authority":"x"},"days_off":[{"date":"2028-01-03"},{"date":"2028-01-03"}]}`, "calendar.date_duplicate"},
		{"worked day twice", `{"year":2028,"source":{"authority":"x"},"days_off":[{"date":"2028-01-03"}],"days_worked":[{"date":"2028-01-08"},{"date":"2028-01-08"}]}`, "calendar.date_duplicate"},
		{"both off and worked", `{"year":2028,"source":{"authority":"x"},"days_off":[{"date":"2028-01-08"}],"days_worked":[{"date":"2028-01-08"}]}`, "calendar.date_off_and_worked"},
		{"worked day on a weekday", `{"year":2028,"source":{"authority":"x"},"days_off":[{"date":"2028-01-03"}],"days_worked":[{"date":"2028-01-05"}]}`, "calendar.worked_not_weekend"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCalendarYear([]byte(tt.json))
			wantCalendarKey(t, err, tt.key)
		})
	}
}

func TestWithYear(t *testing.T) {
	base := DefaultCalendar()
	y, err := ParseCalendarYear([]byte(validYearJSON))
	if err != nil {
		t.Fatal(err)
	}
	c, err := base.WithYear(y)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Years(); !slices.Equal(got, []int{2024, 2025, 2026, 2027, 2028}) {
		t.Fatalf("Years() = %v", got)
	}
	// The original is untouched: readers holding it see no change.
	if _, err := base.IsWorkingDay(calTestDate("2028-01-03")); err == nil {
		t.Fatal("WithYear changed the receiver")
	}
	for _, tt := range []struct {
		date string
		want bool
	}{
		{"2028-01-03", false}, // Monday off
		{"2028-01-08", true},  // Saturday worked
		{"2028-01-04", true},  // ordinary Tuesday
	} {
		got, err := c.IsWorkingDay(calTestDate(tt.date))
		if err != nil || got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, %v; want %v", tt.date, got, err, tt.want)
		}
	}
	// The last day of 2027 now reaches into the loaded year.
	if got, err := c.AddWorkingDays(calTestDate("2027-12-31"), 1); err != nil || got.String() != "2028-01-04" {
		t.Errorf("AddWorkingDays across into 2028 = %s, %v", got, err)
	}
	// A year built by hand is validated too.
	bad := y
	bad.Worked = []CalendarDay{{Date: calTestDate("2028-01-05")}}
	_, err = base.WithYear(bad)
	wantCalendarKey(t, err, "calendar.worked_not_weekend")
}

func TestCalendarConcurrentReads(t *testing.T) {
	c := DefaultCalendar()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := calTestDate("2026-02-01").AddDays(i)
			for range 100 {
				if _, err := c.AddWorkingDays(from, 10); err != nil {
					t.Error(err)
					return
				}
				if _, err := DefaultCalendar().CalendarDeadline(from, 3); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := DefaultCalendar()
	from := calTestDate("2026-09-28")
	for b.Loop() {
		if _, err := c.AddWorkingDays(from, 15); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseCalendarYear: the loader never panics, and whatever it accepts is a
// valid year a calendar can be built from.
func FuzzParseCalendarYear(f *testing.F) {
	f.Add([]byte(validYearJSON))
	for _, y := range DefaultCalendar().Years() {
		b, err := calendarFiles.ReadFile("calendardata/" + strconv.Itoa(y) + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := ParseCalendarYear(data)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("error %v is not *Error", err)
			}
			return
		}
		if err := y.Validate(); err != nil {
			t.Fatalf("accepted an invalid year: %v", err)
		}
		if _, err := DefaultCalendar().WithYear(y); err != nil {
			t.Fatal(err)
		}
	})
}

// A year generated from a non-official source is provisional until an
// administrator confirms it against the State Council notice; the shipped
// years checked against the notice are not.
func TestCalendarProvisional(t *testing.T) {
	cal := DefaultCalendar()
	for _, y := range []int{2024, 2025, 2026} {
		if cal.Provisional(y) {
			t.Errorf("%d provisional, but its data was checked against the notice", y)
		}
	}
	if !cal.Provisional(2027) {
		t.Fatal("2027 from lunar-go, unchecked, is not provisional")
	}
	if cal.Provisional(2031) {
		t.Fatal("a missing year is missing, not provisional")
	}
	conf, err := cal.Confirmed(2027)
	if err != nil {
		t.Fatal(err)
	}
	if conf.Provisional(2027) || !cal.Provisional(2027) {
		t.Fatal("Confirmed must return a new calendar with 2027 confirmed and leave the old one alone")
	}
	if _, err := cal.Confirmed(2031); !IsCalendarMissing(err) {
		t.Fatalf("confirming a missing year: %v", err)
	}
	_, err = cal.AddWorkingDays(Date{Year: 2031, Month: 3, Day: 2}, 3)
	if !IsCalendarMissing(err) {
		t.Fatalf("a deadline in 2031: %v, want calendar.year_missing", err)
	}
	if IsCalendarMissing(Conflict("x")) || IsCalendarMissing(nil) {
		t.Fatal("IsCalendarMissing says yes to another error")
	}
}
