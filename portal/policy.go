package portal

import "fmt"

// The policy table: every number of the law that a new regulation could change,
// each with its unit, the rule it serves and where it comes from, so that a
// change of law is a one-line change here with a test. Where the law sets no
// time limit for a step the portal adds, the value is the portal's own service
// standard and says so; it must never be presented as a statutory deadline.

// DayUnit is the unit of a policy value.
type DayUnit string

// The units of the policy table.
const (
	UnitWorkingDays  DayUnit = "working_days"  // counted on the official calendar, the first day not counted
	UnitCalendarDays DayUnit = "calendar_days" // the first day not counted, a last day on a rest day moves forward
	UnitMonths       DayUnit = "months"
	UnitYears        DayUnit = "years"
)

// IsDays reports whether the unit counts days, i.e. whether the value is a
// deadline that Calendar.Due can compute.
func (u DayUnit) IsDays() bool { return u == UnitWorkingDays || u == UnitCalendarDays }

// Deadline is one entry of the policy table: a time limit, or a threshold of the
// law such as the longest sealable term.
type Deadline struct {
	Key    string  // a stable identifier, e.g. "organ_sealing"
	Value  int     // in Unit
	Unit   DayUnit // working days, calendar days, months or years
	Rule   string  // the rule id of shared/DOMAIN.md the value serves
	Source string  // the legal text it comes from, or the honest label of a portal standard
}

// sourcePortalStandard labels values the law does not set.
const sourcePortalStandard = "portal service standard (no statutory deadline)"

// PolicyTable names every entry, so that code reads Policy.OrganSealing rather
// than a bare 3.
type PolicyTable struct {
	// Thresholds of eligibility.
	MaxSealableMonths Deadline // R2
	AgeOfMajority     Deadline // R1

	// Statutory time limits.
	OrganSealing            Deadline // R12
	Certificate             Deadline // R14
	QueryDecision           Deadline // R16
	ObjectionReview         Deadline // R14
	ObjectionReviewExtended Deadline // R14

	// Portal service standards for steps the law does not time.
	ApplicationAcceptance Deadline // R11
	ReviewDecision        Deadline // R12
	ReliefHandling        Deadline // R24
	LeakReportHandling    Deadline // R25
	CorrectionAnswer      Deadline // R24

	// Reform options, off under the current law.
	TestPeriod Deadline // R11
}

// Policy is the table in force.
var Policy = PolicyTable{
	// R2: "at most five years" includes five years itself (CL art. 99, "以下").
	MaxSealableMonths: Deadline{Key: "max_sealable_term", Value: 60, Unit: UnitMonths, Rule: "R2",
		Source: "CPL art. 286 (fixed-term imprisonment of at most five years); CL art. 99 (\"以下\" includes the number itself)"},
	// R1: the person must have been under 18 when the crime was committed.
	AgeOfMajority: Deadline{Key: "age_of_majority", Value: 18, Unit: UnitYears, Rule: "R1",
		Source: "CPL art. 286 (a crime committed under 18); Measures (records of crimes committed under 18); full years count from the day after the birthday"},
	// R12: each organ seals within 3 days of receiving the documents.
	OrganSealing: Deadline{Key: "organ_sealing", Value: 3, Unit: UnitCalendarDays, Rule: "R12",
		Source: "Measures (each organ seals the records it holds within 3 days of receiving the judgment or decision)"},
	// R14: a no-criminal-record certificate within 3 working days.
	Certificate: Deadline{Key: "certificate", Value: 3, Unit: UnitWorkingDays, Rule: "R14",
		Source: "MPS Rules 2021 (no-criminal-record certificate issued within 3 working days)"},
	// R16: a query of a sealed record is decided within 3 working days.
	QueryDecision: Deadline{Key: "query_decision", Value: 3, Unit: UnitWorkingDays, Rule: "R16",
		Source: "Measures (query decided within 3 working days); the older SPP Rules (2019) said 7 days"},
	// R14: an objection to a certificate is reviewed within 15 working days.
	ObjectionReview: Deadline{Key: "objection_review", Value: 15, Unit: UnitWorkingDays, Rule: "R14",
		Source: "MPS Rules 2021 (objection reviewed within 15 working days)"},
	// R14: the objection review may be extended, to 30 working days in all.
	ObjectionReviewExtended: Deadline{Key: "objection_review_extended", Value: 30, Unit: UnitWorkingDays, Rule: "R14",
		Source: "MPS Rules 2021 (objection review extendable to 30 working days)"},
	// R11: an application only prompts what the organs must do anyway, so it is
	// accepted or returned quickly; the law sets no limit.
	ApplicationAcceptance: Deadline{Key: "application_acceptance", Value: 3, Unit: UnitWorkingDays, Rule: "R11",
		Source: sourcePortalStandard + "; accept or return an application"},
	// R12: the review decision is held to R12's 3 days, counted from acceptance.
	ReviewDecision: Deadline{Key: "review_decision", Value: 3, Unit: UnitCalendarDays, Rule: "R12",
		Source: sourcePortalStandard + "; decide an accepted application within R12's 3 days (Measures) counted from acceptance"},
	// R24: the supervising procuratorate handles a relief request.
	ReliefHandling: Deadline{Key: "relief_handling", Value: 15, Unit: UnitWorkingDays, Rule: "R24",
		Source: sourcePortalStandard + "; the supervisor handles a relief request"},
	// R25: a leak report is handled and its outcome recorded.
	LeakReportHandling: Deadline{Key: "leak_report_handling", Value: 15, Unit: UnitWorkingDays, Rule: "R25",
		Source: sourcePortalStandard + "; a leak report is handled"},
	// R24: an organ answers the supervisor's correction notice.
	CorrectionAnswer: Deadline{Key: "correction_answer", Value: 15, Unit: UnitWorkingDays, Rule: "R24",
		Source: sourcePortalStandard + "; an organ answers a correction notice of the supervising procuratorate"},
	// R11: current law seals at once and for good; a test period is a reform
	// proposal kept here at 0 (off) so that adopting it is a one-line change.
	// When set, sealing takes effect that many months after the decision and
	// the case pages say so (portal/testperiod.go has the semantics).
	TestPeriod: Deadline{Key: "test_period", Value: 0, Unit: UnitMonths, Rule: "R11",
		Source: "reform option, not in force (DOMAIN \"Reform options\"); current law seals immediately and permanently"},
}

// All lists every entry in the order of the table, for the policy page and the
// tests.
func (p PolicyTable) All() []Deadline {
	return []Deadline{
		p.MaxSealableMonths,
		p.AgeOfMajority,
		p.OrganSealing,
		p.Certificate,
		p.QueryDecision,
		p.ObjectionReview,
		p.ObjectionReviewExtended,
		p.ApplicationAcceptance,
		p.ReviewDecision,
		p.ReliefHandling,
		p.LeakReportHandling,
		p.CorrectionAnswer,
		p.TestPeriod,
	}
}

// ByKey returns the entry with the given key.
func (p PolicyTable) ByKey(key string) (Deadline, bool) {
	for _, d := range p.All() {
		if d.Key == key {
			return d, true
		}
	}
	return Deadline{}, false
}

// Due returns the last day of the time limit d counted from the day from (which
// is not counted): working-day limits on the official calendar, calendar-day
// limits moved forward off a rest day. A threshold in months or years is not a
// deadline; asking for its due date is a programming error.
func (c *Calendar) Due(from Date, d Deadline) (Date, error) {
	switch d.Unit {
	case UnitWorkingDays:
		return c.AddWorkingDays(from, d.Value)
	case UnitCalendarDays:
		return c.CalendarDeadline(from, d.Value)
	default:
		return Date{}, Internal(fmt.Errorf("policy: %s is in %s, not a deadline", d.Key, d.Unit))
	}
}
