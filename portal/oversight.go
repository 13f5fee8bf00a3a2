package portal

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Supervision on the procuratorate's own initiative (R24, R33; MPL art. 105):
// the supervisor, on seeing an organ's failure — a case not sealed in time, a
// holder that never confirmed its sealing, a refusal or unsealing it doubts,
// a leak — issues a written opinion to that organ. Two kinds, as the SPP
// Rules (2019) art. 552 distinguishes them: a correction notice (纠正违法通知书)
// for a violation in one or more cases, and a procuratorial suggestion
// (检察建议书) for a problem that recurs (the same organ late on many cases).
// Each opinion is numbered, cites articles of law, and waits for the organ's
// written reply until its own deadline.

// OpinionKind is the kind of a supervision opinion.
type OpinionKind string

// The kinds of opinion.
const (
	// OpinionCorrection is a correction notice (纠正意见 / 纠正违法通知书):
	// SPP Rules (2019) arts. 552–553.
	OpinionCorrection OpinionKind = "correction"
	// OpinionSuggestion is a procuratorial suggestion (检察建议书):
	// 《人民检察院检察建议工作规定》(2019).
	OpinionSuggestion OpinionKind = "suggestion"
)

// OpinionKinds lists the kinds in the order the form offers them.
var OpinionKinds = []OpinionKind{OpinionCorrection, OpinionSuggestion}

// Valid reports whether k is a known kind.
func (k OpinionKind) Valid() bool { return slices.Contains(OpinionKinds, k) }

// OpinionSubject says what an opinion was issued from.
type OpinionSubject string

// The subjects of an opinion.
const (
	OpinionOnCase  OpinionSubject = "case"  // one sealing case (the case page, an overdue row, a list)
	OpinionOnLeak  OpinionSubject = "leak"  // a leak report (R25)
	OpinionOnOrgan OpinionSubject = "organ" // the organ's overdue cases together (bulk)
)

// Valid reports whether s is a known subject.
func (s OpinionSubject) Valid() bool {
	return s == OpinionOnCase || s == OpinionOnLeak || s == OpinionOnOrgan
}

// OpinionReply is the policy table of the organs' time to reply in writing,
// by kind, each with its source. A correction notice sets its own period (SPP
// Rules 2019 art. 553: the organ replies "within the period the notice
// sets"); 15 days is the period the portal proposes, which the supervisor may
// change. A procuratorial suggestion is answered within two months of
// receipt, or sooner when the matter is urgent (2019 Provisions).
var OpinionReply = map[OpinionKind]Deadline{
	// R24, R33: the notice sets its period; the portal proposes 15 days.
	OpinionCorrection: {Key: "correction_opinion_reply", Value: 15, Unit: UnitCalendarDays, Rule: "R33",
		Source: "SPP Rules (2019) art. 553 (the organ replies within the period the correction notice sets); " + sourcePortalStandard + " for the proposed 15 days"},
	// R24, R33: two months from receipt, shorter when urgent.
	OpinionSuggestion: {Key: "suggestion_reply", Value: 2, Unit: UnitMonths, Rule: "R33",
		Source: "《人民检察院检察建议工作规定》(2019) (the addressee handles the suggestion and replies in writing within two months of receipt; a shorter period when the matter is urgent)"},
}

// OpinionLongestReply bounds the period a supervisor may set for a correction
// notice: the Rules leave it to the notice, the portal keeps it within two
// months so that no notice is left without a reply for longer than a
// suggestion may be (a portal bound, not a statutory one).
const OpinionLongestReply = 2 // months

// OpinionDefaultDue is the reply date the form proposes for an opinion issued
// on issued: the policy period counted on the calendar (a last day on a rest
// day moves to the next working day). A year the calendar lacks is an error
// the caller shows: the supervisor then types a date.
func OpinionDefaultDue(cal *Calendar, kind OpinionKind, issued Date) (Date, error) {
	d, ok := OpinionReply[kind]
	if !ok {
		return Date{}, Invalid("oversight.kind_invalid")
	}
	if d.Unit == UnitMonths {
		return cal.CalendarDeadline(AddMonths(issued, d.Value), 0)
	}
	return cal.Due(issued, d)
}

// OpinionLatestDue is the last reply date a supervisor may set: two months
// (moved off a rest day when the calendar knows the year) for either kind.
func OpinionLatestDue(cal *Calendar, issued Date) Date {
	raw := AddMonths(issued, OpinionLongestReply)
	if cal != nil {
		if d, err := cal.CalendarDeadline(raw, 0); err == nil {
			return d
		}
	}
	return raw
}

// Limits of an opinion's texts, in characters.
const (
	OpinionTextMin    = 10
	OpinionTextMax    = 4000
	OpinionMaxCases   = 200 // cases one bulk opinion may cover
	OpinionMaxCite    = 12
	OpinionNumberWide = 6
)

// Opinion is one supervision opinion to one organ.
type Opinion struct {
	ID      uint64
	Number  string // e.g. JW-2026-000007; see OpinionNumber
	Kind    OpinionKind
	Subject OpinionSubject
	OrganID uint64

	CaseIDs  []uint64 // the cases it covers (one for a case, several in bulk)
	CaseRefs []string // their references, in the same order
	LeakID   uint64   // the leak report it was issued from
	LeakRef  string

	Facts     string   // what the supervisor found (违法事实 / 存在的问题)
	Request   string   // what the organ must do (纠正意见 / 检察建议)
	Citations []string // ids of the articles of law it cites, from the citation table

	IssuedBy uint64
	IssuedAt time.Time
	Due      Date // the organ's reply is due on this day

	Answer     string
	AnsweredBy uint64
	AnsweredAt time.Time
}

// Answered reports whether the organ has replied.
func (o Opinion) Answered() bool { return !o.AnsweredAt.IsZero() }

// Overdue reports whether the reply is late on today.
func (o Opinion) Overdue(today Date) bool {
	return !o.Answered() && !o.Due.IsZero() && today.After(o.Due)
}

// Covers reports whether the opinion covers the case.
func (o Opinion) Covers(caseID uint64) bool { return slices.Contains(o.CaseIDs, caseID) }

// OpinionPrefixes are the number prefixes by kind: JW (纠违) for a correction
// notice, JJ (检建) for a procuratorial suggestion.
var OpinionPrefixes = map[OpinionKind]string{OpinionCorrection: "JW", OpinionSuggestion: "JJ"}

// OpinionNumber formats an opinion's number from its kind, year and sequence.
func OpinionNumber(kind OpinionKind, year int, seq uint64) string {
	return fmt.Sprintf("%s-%d-%0*d", OpinionPrefixes[kind], year, OpinionNumberWide, seq)
}

func runesIn(s string) int { return len([]rune(strings.TrimSpace(s))) }

// Validate checks an opinion before it is issued: its kind and subject, the
// organ, what it covers, both texts, at least one cited article (known to
// the citation table: known reports whether an id is in it) and a reply date
// after today and no later than latest (R33).
func (o Opinion) Validate(today, latest Date, known func(string) bool) error {
	var fe FieldErrors
	if !o.Kind.Valid() {
		fe.Add("kind", "oversight.kind_invalid")
	}
	if !o.Subject.Valid() {
		return Invalid("oversight.subject_invalid")
	}
	if o.OrganID == 0 {
		fe.Add("organ", "oversight.organ_required")
	}
	switch o.Subject {
	case OpinionOnCase:
		if len(o.CaseIDs) != 1 {
			fe.Add("cases", "oversight.cases_required")
		}
	case OpinionOnOrgan:
		if len(o.CaseIDs) == 0 {
			fe.Add("cases", "oversight.cases_required")
		}
	case OpinionOnLeak:
		if o.LeakID == 0 {
			return Invalid("oversight.subject_invalid")
		}
	}
	if len(o.CaseIDs) > OpinionMaxCases {
		fe.Add("cases", "oversight.cases_too_many")
	}
	if len(o.CaseRefs) != len(o.CaseIDs) {
		return Internal(fmt.Errorf("opinion: %d cases and %d references", len(o.CaseIDs), len(o.CaseRefs)))
	}
	for field, text := range map[string]string{"facts": o.Facts, "request": o.Request} {
		switch n := runesIn(text); {
		case n == 0:
			fe.Add(field, "oversight."+field+"_required")
		case n < OpinionTextMin:
			fe.Add(field, "oversight.text_short")
		case n > OpinionTextMax:
			fe.Add(field, "oversight.text_long")
		}
	}
	switch {
	case len(o.Citations) == 0:
		fe.Add("citations", "oversight.citations_required")
	case len(o.Citations) > OpinionMaxCite:
		fe.Add("citations", "oversight.citations_too_many")
	default:
		seen := map[string]bool{}
		for _, id := range o.Citations {
			if seen[id] || known == nil || !known(id) {
				fe.Add("citations", "oversight.citations_invalid")
			}
			seen[id] = true
		}
	}
	switch {
	case o.Due.IsZero():
		fe.Add("due", "oversight.due_required")
	case !o.Due.After(today):
		fe.Add("due", "oversight.due_past")
	case o.Due.After(latest):
		fe.Add("due", "oversight.due_too_late")
	}
	return fe.Err()
}

// ValidateOpinionAnswer checks the organ's written reply.
func ValidateOpinionAnswer(text string) error {
	var fe FieldErrors
	switch n := runesIn(text); {
	case n == 0:
		fe.Add("answer", "oversight.answer_required")
	case n < OpinionTextMin:
		fe.Add("answer", "oversight.text_short")
	case n > OpinionTextMax:
		fe.Add("answer", "oversight.text_long")
	}
	return fe.Err()
}
