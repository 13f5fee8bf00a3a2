package views

import (
	"time"

	"sealportal/portal"
)

// View models of the officials' workbench (issue 18). Nothing here carries
// personal data of a case: the lists come from index rows (reference,
// status, deadline), and a case's contents are seen only on its page, whose
// every view is audited (R17).

// WorkbenchQueue is what the workbench adds to an organ's queue page: the
// counts of the organ's other queues and the bulk confirmation of sealing.
type WorkbenchQueue struct {
	Queries, Certificates, Corrections int
	Police                             bool // certificate requests are the police's (R14)
	// BulkConfirm: some rows of the page can be confirmed together (R12).
	BulkConfirm bool
	// BulkUnseal: some of them are unsealings to confirm (issue 18).
	BulkUnseal bool
}

// WorkbenchCasePanel is what the workbench adds to a case's action panel.
type WorkbenchCasePanel struct {
	// AcceptReviewURL posts acceptance and the start of the review as one
	// step ("" when not offered).
	AcceptReviewURL string
	// Assignment (承办人); AssignURL is "" for a reader who may not assign.
	AssignURL    string
	AssignForm   Form
	Assignee     string // name of the official in charge, "" for none
	AssigneeMe   bool
	HandedFrom   string // name of the official it was handed over from
	AssignedAt   time.Time
	AssignedByMe bool
}

// WorkbenchRow is a case in a workbench list.
type WorkbenchRow struct {
	CaseID         uint64
	Ref            string
	Status         portal.CaseStatus
	Standing       string // decider, holder, "" for the supervisor
	Due            portal.Date
	AwaitsCalendar bool
	Overdue        bool
}

// WorkbenchSearchModel is the search form (GET and a refused POST of
// /staff/search). The term is shown back only in the form's field, never in
// an address.
type WorkbenchSearchModel struct {
	Page Page
	Form Form // kind, term
}

// WorkbenchResultsModel is a results page: a search's, or a bulk
// confirmation's.
type WorkbenchResultsModel struct {
	Page       Page
	Kind       string // search, bulk_confirm
	SearchKind portal.SearchKind
	Rows       []WorkbenchRow
	Failed     []string // references of cases a bulk step could not take
	Unknown    int      // selected cases that are not the organ's (or do not exist)
	ErrorKey   string   // a refused bulk post (nothing selected)
}

// WorkbenchMineModel is "my cases": the cases the official is in charge of.
type WorkbenchMineModel struct {
	Page Page
	Rows []WorkbenchRow
}

// WorkbenchRegisterModel is the sealing register (封存登记台账) of a period.
type WorkbenchRegisterModel struct {
	Page      Page
	Organ     string
	Form      Form // from, to
	Rows      []WorkbenchRegisterRow
	Truncated bool
	CSVURL    string // "" when the period is invalid
}

// WorkbenchRegisterRow is one entry of the register.
type WorkbenchRegisterRow struct {
	CaseID uint64
	Ref    string
	Kind   string // sealed, refused, confirmed, unsealed
	Day    portal.Date
	At     time.Time
}
