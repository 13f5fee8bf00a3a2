package views

import (
	"time"

	"sealportal/portal"
)

// View models of queries of sealed records (R14–R17): the querying unit's
// pages (my queries, the form, check your answers, the confirmation, a
// query's page with the confidentiality commitment, the result), the sealing
// organ's queue and decision page, and the person's "who looked at my
// record".

// QueryAnswers are a query's request as the unit wrote it.
type QueryAnswers struct {
	PersonDocType    portal.IDDocType // "" is the mainland identity card (R31)
	PersonDocCountry string           // a passport's issuing state
	PersonIDNumber   string           // masked everywhere but on check your answers
	Reason           string
	Basis            portal.LegalBasis
	PurposeCategory  portal.QueryPurpose
	Purpose          string
	CaseNumber       string
	Scope            portal.QueryScope
}

// QueryRow is one line of the unit's list.
type QueryRow struct {
	ID                uint64
	Ref               string
	Status            portal.QueryStatus
	PersonLast4       string
	Submitted         time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	WindowFrom        portal.Date
	WindowTo          portal.Date
	WindowEnded       bool
}

// QueryListModel is GET /queries.
type QueryListModel struct {
	Page     Page
	UnitName string
	UnitKind portal.QueryUnitKind
	MayQuery bool
	Rows     []QueryRow
}

// QueryFormModel is GET /queries/new and the form re-rendered.
type QueryFormModel struct {
	Page       Page
	Form       Form
	Documents  map[string]bool // document kinds ticked
	UnitName   string
	UnitKind   portal.QueryUnitKind
	MayQuery   bool
	BasisKinds []portal.BasisKind
	Purposes   []portal.QueryPurpose
	Scopes     []portal.ScopeKind
	DocKinds   []portal.DocumentKind
}

// QueryCheckModel is check your answers before sending: the answers and the
// same values again in hidden fields, to send or to change.
type QueryCheckModel struct {
	Page      Page
	Answers   QueryAnswers
	Values    map[string]string
	Documents []string
}

// QueryConfirmationModel is the confirmation page with the reference.
type QueryConfirmationModel struct {
	Page              Page
	ID                uint64
	Ref               string
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Answered          bool // answered by the portal at once (no decision to wait for)
}

// QueryCommitmentView is a signed commitment as archived.
type QueryCommitmentView struct {
	SignerName     string
	SignerPosition string
	SignedAt       time.Time
}

// QueryShowModel is GET /queries/:id: where the query stands and, once
// approved, the commitment form and then the button to read the result.
type QueryShowModel struct {
	LegalDocs         []LegalDocView // issue 18: the decision letter, once released
	Page              Page
	ID                uint64
	Ref               string
	Status            portal.QueryStatus
	Answers           QueryAnswers
	Submitted         time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Approved          portal.QueryScope
	WindowFrom        portal.Date
	WindowTo          portal.Date
	InWindow          bool
	WindowEnded       bool
	RefusalReason     string
	Commitment        *QueryCommitmentView
	CommitmentZH      string
	CommitmentEN      string
	Form              Form // the commitment form
	NoticeKey         string
	RefusedKey        string // a read was just refused: why
}

// QueryCaseView is one sealed case in a case-summary result: the decision,
// never the person's name or address (R22).
type QueryCaseView struct {
	Ref          string
	Organ        string
	CaseNumber   string
	Disposition  portal.Disposition
	DecisionDate portal.Date
	Penalty      *portal.Penalty
	Acts         []portal.QueryActSummary
}

// QueryDocView is a document a documents result lists.
type QueryDocView struct {
	ID      uint64
	CaseRef string
	Kind    portal.DocumentKind
	Name    string
	Size    int
}

// QueryResultModel is the result of POST /queries/:id/read: only the
// approved scope.
type QueryResultModel struct {
	Page        Page
	ID          uint64
	Ref         string
	UnitName    string
	PersonLast4 string
	Scope       portal.QueryScope
	// SealedRecord is the truthful answer to the approved lawful querier
	// (R14a); JuvenileEffect adds, for a judicial organ, the limited legal
	// effect of a juvenile record (CL art. 65, art. 100 para 2).
	SealedRecord   bool
	JuvenileEffect bool
	Cases          []QueryCaseView
	Documents      []QueryDocView
	ReadAt         time.Time
	WindowTo       portal.Date
}

// StaffQueryRow is one line of the organ's query queue.
type StaffQueryRow struct {
	ID                uint64
	Ref               string
	Status            portal.QueryStatus
	UnitName          string
	UnitKind          portal.QueryUnitKind
	Submitted         time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
}

// StaffQueryListModel is GET /staff/queries.
type StaffQueryListModel struct {
	Page    Page
	Organ   string
	Rows    []StaffQueryRow
	Open    int
	Overdue int
}

// StaffQueryCase is a sealed case the query found: its reference only.
type StaffQueryCase struct {
	ID   uint64
	Ref  string
	Acts []portal.QueryActSummary // each act's date and intent (R32)
}

// StaffQueryModel is GET /staff/queries/:id and the decision forms.
type StaffQueryModel struct {
	LegalDocs         []LegalDocView // issue 18: the decision letter
	Page              Page
	ID                uint64
	Ref               string
	Status            portal.QueryStatus
	UnitName          string
	UnitKind          portal.QueryUnitKind
	Answers           QueryAnswers
	Submitted         time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Cases             []StaffQueryCase
	Approved          portal.QueryScope
	WindowFrom        portal.Date
	WindowTo          portal.Date
	RefusalReason     string
	DecidedAt         time.Time
	Commitment        *QueryCommitmentView
	Scopes            []portal.ScopeKind    // what the approval may give: never more than asked
	DocKinds          []portal.DocumentKind // the kinds asked for
	Documents         map[string]bool
	ApproveForm       Form
	RefuseForm        Form
	NoticeKey         string
	MaxWindowDays     int
}

// AccessEntry is one access to a sealed record as the person sees it: when,
// which organ or unit (never an official's name), in which role, on what
// footing and for what purpose.
type AccessEntry struct {
	At              time.Time
	Who             string // the organ's or unit's name
	Role            portal.Role
	Kind            string // "read", "document" or "refused"
	QueryRef        string // under an approved query…
	PurposeCategory portal.QueryPurpose
	Purpose         string // …the purpose the unit stated
	DutyKey         string // …or the organ's duty on the case
	RefusedKey      string // why an attempt was stopped
}

// AccessLogModel is GET /cases/:id/access.
type AccessLogModel struct {
	Page    Page
	CaseID  uint64
	Ref     string
	Entries []AccessEntry
	// Sealed: the page may say "sealed" only once the record is (issue 16).
	Sealed bool
}
