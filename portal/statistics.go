package portal

import (
	"fmt"
	"slices"
	"time"
)

// Statistics (issue 17): the numbers the supervising procuratorate watches
// (R24, R25) and reformers study. A count is a number of records (cases,
// requests, reports, queries, certificates), never a person's data.

// Month is a calendar month, the unit of the statistics.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the month of t in China's time zone.
func MonthOf(t time.Time) Month {
	d := DateOf(t)
	return Month{d.Year, d.Month}
}

// ParseMonth reads "2006-01", refusing anything else (also years outside
// 2000–2099, which no record of the portal can have).
func ParseMonth(s string) (Month, bool) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 2000 || t.Year() > 2099 {
		return Month{}, false
	}
	return Month{t.Year(), t.Month()}, true
}

// String is "2006-01".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Key is yyyymm as a number, which sorts like the months.
func (m Month) Key() uint32 { return uint32(m.Year*100 + int(m.Month)) } // #nosec G115 -- years 2000–2099

// MonthFromKey is the inverse of Key.
func MonthFromKey(k uint32) Month { return Month{int(k / 100), time.Month(k % 100)} }

// Next is the month after m.
func (m Month) Next() Month {
	if m.Month == time.December {
		return Month{m.Year + 1, time.January}
	}
	return Month{m.Year, m.Month + 1}
}

// AddMonths moves m by n months (n may be negative).
func (m Month) AddMonths(n int) Month {
	t := time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	return Month{t.Year(), t.Month()}
}

// After reports whether m is later than o.
func (m Month) After(o Month) bool { return m.Key() > o.Key() }

// MaxStatisticsMonths bounds one statistics page or export (ten years).
const MaxStatisticsMonths = 120

// StatisticsPeriod checks a period from..to (both included): from not after
// to, and no longer than MaxStatisticsMonths. The message keys name the field
// in error.
func StatisticsPeriod(from, to Month) FieldErrors {
	var fe FieldErrors
	if from.After(to) {
		fe.Add("to", "stats.period_order")
	} else if from.AddMonths(MaxStatisticsMonths-1).Key() < to.Key() {
		fe.Add("to", "stats.period_too_long")
	}
	return fe
}

// Measures: what a statistics counter counts. Cases are counted by the organ
// that decides them (received, decision) or that holds their records (each
// holding organ's own sealing, R12), in the month of the step.
const (
	StatReceived       = "case.received"        // an application submitted, or an ex officio case opened (R11)
	StatSealOnTime     = "case.seal.on_time"    // decided to seal within the stage's deadline (R12)
	StatSealLate       = "case.seal.late"       // decided to seal after it
	StatRefuseOnTime   = "case.refuse.on_time"  // decided not to seal within the deadline
	StatRefuseLate     = "case.refuse.late"     // … after it
	StatConfirmOnTime  = "case.confirm.on_time" // a holding organ sealed its records within R12's 3 days
	StatConfirmLate    = "case.confirm.late"    // … after them
	StatUnsealed       = "case.unsealed"        // the record was unsealed (R18)
	StatReliefReceived = "relief.received"      // a relief request sent (R24)
	StatLeakReceived   = "leak.received"        // a leak report sent (R25)
	StatCertRequested  = "cert.requested"       // a no-criminal-record certificate asked for (R14)
	StatCertIssued     = "cert.issued"
	StatCertRefused    = "cert.refused"
	StatCertRevoked    = "cert.revoked"
)

// StatReliefOutcome is the measure of a relief request ended with status s
// (declined, closed, withdrawn).
func StatReliefOutcome(s ReliefStatus) string { return "relief.outcome." + string(s) }

// StatReliefMeasure is the measure of a step the supervisor took on a relief
// request against an organ or unit: a correction notice, a suggestion… (R24).
func StatReliefMeasure(k ReliefStepKind) string { return "relief.measure." + string(k) }

// StatLeakClosed is the measure of a leak report closed with an
// accountability measure (R25).
func StatLeakClosed(m LeakMeasure) string { return "leak.closed." + string(m) }

// StatQuery is the measure of a query by a unit of kind k: received, or
// decided (approved, refused) (R15, R16).
func StatQuery(k QueryUnitKind, what string) string { return "query." + string(k) + "." + what }

// Time to a sealing decision, counted in calendar days from the day the case
// was received: the bands of the research export.
var SealBands = []string{"0-3", "4-7", "8-30", "31+"}

// SealBand is the band of a sealing decision taken days after receipt.
func SealBand(days int) string {
	switch {
	case days <= 3:
		return SealBands[0]
	case days <= 7:
		return SealBands[1]
	case days <= 30:
		return SealBands[2]
	}
	return SealBands[3]
}

// StatResearchSeal is the research measure of a decision to seal a record of
// a crime of the given intent (intentional, negligent, unknown), in a band of
// time to the decision.
func StatResearchSeal(i Intent, band string) string {
	return "research.seal." + string(IntentOrUnknown(i)) + "." + band
}

// StatResearchRefuse is the research measure of a decision not to seal.
func StatResearchRefuse(i Intent) string { return "research.refuse." + string(IntentOrUnknown(i)) }

// IntentOrUnknown maps an unrecorded intent to unknown.
func IntentOrUnknown(i Intent) Intent {
	if i == IntentIntentional || i == IntentNegligent {
		return i
	}
	return IntentUnknown
}

// Intents lists the intents in the order the research export shows them.
var Intents = []Intent{IntentIntentional, IntentNegligent, IntentUnknown}

// MinPublishedCount is the smallest count the research export shows: a cell
// of fewer people is suppressed (issue 17).
const MinPublishedCount = 10

// Cell is one number of a published table: its value, and whether it is
// suppressed (shown as "<10" or "x", never as the number).
type Cell struct {
	N          int
	Suppressed bool
}

// SuppressedTable is a table with its row totals (last column) and column
// totals (last row), every cell decided shown or suppressed.
type SuppressedTable [][]Cell

// Suppress protects a table of counts for publication: rows × cols of
// counts, to which it adds a total column and a total row. The method:
//
//  1. Primary suppression: every cell (totals included) below
//     MinPublishedCount is suppressed — a small count identifies people.
//  2. Complementary suppression: each row and each column, with its total,
//     is an equation (the cells add up to the total). An equation with
//     exactly one suppressed member would let a reader compute it back by
//     subtraction; so while any has exactly one, the smallest shown cell of
//     that equation (a total only when no inner cell is left) is suppressed
//     too, and the tables' equations are checked again until none has a
//     lone suppressed member.
//
// This is the classic cell-suppression rule of official statistics: no row
// or column lets a suppressed cell be recomputed. It does not solve the
// system of all equations at once (a linear-programming attack on a large
// table may narrow a suppressed cell to a range); the export's tables are
// small and the range it narrows to stays below the threshold.
func Suppress(counts [][]int) SuppressedTable {
	rows := len(counts)
	cols := 0
	if rows > 0 {
		cols = len(counts[0])
	}
	t := make(SuppressedTable, rows+1)
	for i := range t {
		t[i] = make([]Cell, cols+1)
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			n := counts[i][j]
			t[i][j].N = n
			t[i][cols].N += n
			t[rows][j].N += n
			t[rows][cols].N += n
		}
	}
	for i := range t {
		for j := range t[i] {
			if t[i][j].N < MinPublishedCount {
				t[i][j].Suppressed = true
			}
		}
	}
	// Every equation: the coordinates of its members, total last.
	var eqs [][][2]int
	for i := 0; i <= rows; i++ {
		var eq [][2]int
		for j := 0; j <= cols; j++ {
			eq = append(eq, [2]int{i, j})
		}
		eqs = append(eqs, eq)
	}
	for j := 0; j <= cols; j++ {
		var eq [][2]int
		for i := 0; i <= rows; i++ {
			eq = append(eq, [2]int{i, j})
		}
		eqs = append(eqs, eq)
	}
	for changed := true; changed; {
		changed = false
		for _, eq := range eqs {
			if len(eq) < 2 {
				continue // a total alone: nothing to recompute it from
			}
			hidden := 0
			for _, p := range eq {
				if t[p[0]][p[1]].Suppressed {
					hidden++
				}
			}
			if hidden != 1 {
				continue
			}
			// The smallest shown inner member, else the total.
			best := -1
			for k, p := range eq[:len(eq)-1] {
				c := t[p[0]][p[1]]
				if !c.Suppressed && (best < 0 || c.N < t[eq[best][0]][eq[best][1]].N) {
					best = k
				}
			}
			if best < 0 {
				best = len(eq) - 1
			}
			p := eq[best]
			if !t[p[0]][p[1]].Suppressed {
				t[p[0]][p[1]].Suppressed = true
				changed = true
			}
		}
	}
	return t
}

// Recoverable reports whether any suppressed cell of t is the only
// suppressed member of a row or column equation (what Suppress prevents);
// tests and the export's own check use it.
func (t SuppressedTable) Recoverable() bool {
	if len(t) == 0 {
		return false
	}
	rows, cols := len(t)-1, len(t[0])-1
	if rows == 0 && cols == 0 {
		return false // a total alone
	}
	for i := 0; i <= rows; i++ {
		hidden := 0
		for j := 0; j <= cols; j++ {
			if t[i][j].Suppressed {
				hidden++
			}
		}
		if hidden == 1 {
			return true
		}
	}
	for j := 0; j <= cols; j++ {
		hidden := 0
		for i := 0; i <= rows; i++ {
			if t[i][j].Suppressed {
				hidden++
			}
		}
		if hidden == 1 {
			return true
		}
	}
	return false
}

// ShowsSmall reports whether t shows any count below MinPublishedCount.
func (t SuppressedTable) ShowsSmall() bool {
	return slices.ContainsFunc(t, func(row []Cell) bool {
		return slices.ContainsFunc(row, func(c Cell) bool { return !c.Suppressed && c.N < MinPublishedCount })
	})
}

// Audit actions of the statistics' downloads.
const (
	AuditStatisticsExport AuditAction = "statistics_export" // the statistics downloaded; Detail is from:to:counters
	AuditResearchExport   AuditAction = "research_export"   // the anonymised research export downloaded; Detail as above
)
