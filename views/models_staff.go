package views

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"sealportal/portal"
)

// View models of the officials' console. They carry what the page shows and
// nothing more: personal data arrive already reduced to what the reader's
// organ is entitled to (R22).

// StaffQueueModel is an organ's queue (GET /staff).
type StaffQueueModel struct {
	Page         Page
	Corrections  []CorrectionRow // the supervisor's correction notices to this organ (R24)
	Role         portal.Role
	Organ        string
	Form         Form // the filter as typed: status, overdue, within, done, ref
	Rows         []StaffQueueRow
	Matching     int // rows matching the filter, over every page
	OpenTotal    int // every case the organ owes or awaits a step on
	OverdueTotal int
	Pager        StaffPager
	RefNotFound  bool
	MayOpenCase  bool // the organ may open a case on its own initiative (R11)
	Workbench    WorkbenchQueue
}

// StaffQueueRow is one case of the queue; the index it comes from holds no
// personal data, so neither does the row.
type StaffQueueRow struct {
	CaseID    uint64
	Ref       string
	Status    portal.CaseStatus
	Role      string // decider or holder: what the organ owes on the case
	ExOfficio bool
	Received  time.Time
	Due       portal.Date
	Overdue   bool
	// AwaitsCalendar: the deadline waits for the official calendar.
	AwaitsCalendar bool
	// Provisional: the deadline was counted on a calendar year not yet
	// confirmed against the State Council notice.
	Provisional bool
	// Confirmable: the organ may confirm the sealing now (issue 18, bulk).
	Confirmable bool
}

// StaffOverdueModel is the supervisor's list of every organ's overdue cases.
type StaffOverdueModel struct {
	Page        Page
	Organ       string
	Form        Form // ref
	Rows        []StaffOverdueRow
	Total       int
	Pager       StaffPager
	RefNotFound bool
}

// StaffOverdueRow is one overdue case and the organs that owe the late step.
type StaffOverdueRow struct {
	CaseID   uint64
	Ref      string
	Status   portal.CaseStatus
	Organs   []string
	Due      portal.Date
	DaysLate int
}

// StaffPager links to the previous and next pages of a list; an empty URL
// means there is none.
type StaffPager struct {
	Page, Pages      int
	PrevURL, NextURL string
}

// StaffCaseModel is a case's page for an official (GET /staff/cases/:id).
type StaffCaseModel struct {
	Workbench WorkbenchCasePanel // issue 18: accept and review, assignment
	Oversight OversightPanel     // supervision opinions and cross-links (oversight.templ)
	// Identity (issue 11): the deciding organ's explicit check of the
	// identity papers ("identity") or of the guardianship proof
	// ("guardianship"); IdentityDone says it was done; IdentityForm carries
	// a refused check's error.
	IdentityCheck string
	IdentityDone  string
	IdentityURL   string
	IdentityForm  Form

	Page      Page
	NoticeKey string
	CaseID    uint64
	Ref       string
	Status    portal.CaseStatus
	ExOfficio bool
	Capacity  portal.FilerCapacity
	Submitted time.Time
	Due       portal.Date
	Overdue   bool
	// Standing is how the reader's organ stands to the case: decider, holder
	// or supervisor (read-only).
	Standing string
	ReadOnly bool

	PersonName string
	PersonID   string // in full for the deciding organ, masked for everyone else (R22)
	// PersonDocType and PersonDocCountry name a document other than the
	// mainland identity card (R31); empty for the identity card.
	PersonDocType    portal.IDDocType
	PersonDocCountry string
	PersonIDMasked   bool
	BirthDate        portal.Date
	// CourtBirthDate is the court-found birth date (R30), zero when none; it
	// prevails over the identity number for the rules.
	CourtBirthDate portal.Date
	// DueAwaitsCalendar: the deadline falls in a year whose official
	// calendar is not loaded yet; it is computed when the year is loaded.
	DueAwaitsCalendar bool
	// DueProvisional: the deadline was counted on a calendar year loaded from
	// a non-official source that no administrator has yet confirmed against
	// the State Council notice.
	DueProvisional bool
	// TestPeriod: when sealing takes effect under a test period (a reform
	// option; nothing shows under current law).
	TestPeriod TestPeriodView
	// MayRecordCourtBirth: the reader's organ decides the case and may record
	// the court-found birth date (R30) with CourtBirthForm.
	MayRecordCourtBirth bool
	CourtBirthForm      Form

	DecidingOrgan   string
	OrganCaseNumber string
	Disposition     portal.Disposition
	DecisionDate    portal.Date
	Acts            []portal.Act
	Intent          portal.Intent
	Penalty         *portal.Penalty
	Holders         []StaffHolder
	Unsealing       *UnsealApprovalView // issue 18: the unsealing's state and holders' confirmations

	Eligibility *StaffEligibility
	Documents   []StaffDocument
	Timeline    []TimelineItem
	Messages    []StaffMessage
	Actions     []StaffActionForm
	MessageForm Form
	LegalDocs   StaffLegalDocsSummary // issue 18
	// Decisions: last change, stale page, pending override (issue 18).
	Decisions DecisionsModel
}

// StaffHolder is a holding organ and whether it has sealed its records.
type StaffHolder struct {
	Name      string
	Own       bool // the reader's organ
	Confirmed bool
	At        time.Time
}

// StaffEligibility is what the rules compute from the facts entered: advice
// to the deciding organ, never its decision.
type StaffEligibility struct {
	Outcome   portal.Outcome
	Rules     []string
	ReasonKey string
}

// StaffDocument is a document with its download link.
type StaffDocument struct {
	URL        string
	Name       string
	Kind       portal.DocumentKind
	MediaType  string
	Size       int
	UploadedAt time.Time
}

// StaffMessage is one message of the case's thread; staff messages name the
// organ, never the official.
type StaffMessage struct {
	FromStaff bool
	FromRole  portal.Role
	Organ     string
	Text      string
	At        time.Time
	Documents []StaffDocument
}

// StaffActionForm is one step the reader's organ may take now, as a form.
type StaffActionForm struct {
	Action       portal.CaseAction
	URL          string
	Form         Form // typed values and errors when this form failed; defaults otherwise
	ShowNote     bool
	NoteRequired bool
	ShowRules    bool
	Warning      bool // a decision that ends the procedure gets the warning button
	// Version is the case's version the page shows (a step from a stale
	// page is refused); Override says the decision goes against the rules'
	// computation and needs a second official (issue 18).
	Version  string
	Override bool
}

// StaffExOfficioModel is the form to open a case on the organ's own
// initiative (R11).
type StaffExOfficioModel struct {
	Page   Page
	Form   Form
	Organ  string
	Organs []StaffOrganOption
	Acts   int // how many act rows the form offers
	// Dispositions are those the official's kind of organ decides (issue
	// 18); Duplicates the references of cases with the same person and case
	// number, to be confirmed.
	Dispositions []portal.Disposition
	Duplicates   []string
}

// StaffOrganOption is a holding organ the form offers.
type StaffOrganOption struct {
	ID      uint64
	Name    string
	Kind    portal.Role
	Checked bool
}

// StaffActRows is how many act dates the ex officio form offers.
const StaffActRows = 3

// staffActField is the form name of an act's date, as the eligibility API and
// the store's field errors name it.
func staffActField(i int) string { return fmt.Sprintf("acts[%d].date", i) }

// staffActIntentField is the form name of an act's intent (R32).
func staffActIntentField(i int) string { return fmt.Sprintf("acts[%d].intent", i) }

// staffMainChecked reports whether row i is among the main acts the form
// holds (a comma-separated list of row indexes, R27).
func staffMainChecked(list string, i int) bool {
	return slices.Contains(strings.Split(list, ","), strconv.Itoa(i))
}

// RulesBirthDate is the birth date the rules use: the court's where it found
// one (R30), otherwise the identity number's.
func (m StaffCaseModel) RulesBirthDate() portal.Date {
	if !m.CourtBirthDate.IsZero() {
		return m.CourtBirthDate
	}
	return m.BirthDate
}

// staffExOfficioOrder is the order of the ex officio form's fields in the
// error summary.
func staffExOfficioOrder() []string {
	out := []string{"person_name", "person_doc_type", "person_id_number", "person_doc_country", "court_birth_date", "case_number", "decision_date", "disposition", "acts"}
	for i := 0; i < StaffActRows; i++ {
		out = append(out, staffActField(i))
	}
	return append(out, "main_act", "penalty_kind", "penalty_months", "penalty_days", "intent", "holding_organs", "address", "guardian_name", "guardian_address", "file")
}

// staffSize shows a file size in kilobytes.
func staffSize(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	if n < 1024*1024 {
		return fmt.Sprintf("%d KB", (n+512)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// staffDay shows a date, or a dash when unset.
func staffDay(l Lang, d portal.Date) string {
	if d.IsZero() {
		return "—"
	}
	return FormatDay(l, d)
}

// staffWhen shows a moment, or a dash when unset.
func staffWhen(l Lang, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return FormatDateTime(l, t)
}

// staffDate shows a time as a date, or a dash when unset.
func staffDate(l Lang, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return formatDate(l, t)
}

// staffPenaltyText says what the sentence was in one phrase.
func staffPenaltyText(ctx context.Context, p *portal.Penalty) string {
	if p == nil {
		return T(ctx, "staff.penalty_none")
	}
	s := T(ctx, "staff.penalty."+string(p.Kind))
	switch {
	case p.Days > 0:
		s += T(ctx, "staff.penalty_term", p.Months, p.Days)
	case p.Months > 0:
		s += T(ctx, "staff.penalty_term_months", p.Months)
	}
	if p.Suspended {
		s += T(ctx, "staff.penalty_suspended")
	}
	return s
}
