package views

import (
	"time"

	"sealportal/portal"
)

// View models of what citizens see of their cases after submission: the list
// of my cases (the lawyer's dashboard), a case's page, the withdrawal
// confirmation and the notifications.

// MyCaseNext is the "what happens next" of a case in plain words: a message key
// chosen from the status and the steps the state machine leaves open, and the
// values its text needs.
type MyCaseNext struct {
	Key       string
	Organ     string      // the organ that owes the next step, when one does
	Due       portal.Date // by when; zero when nobody owes a step
	Confirmed int         // sealing: holding organs that confirmed…
	Holders   int         // …of how many
}

// MyCaseRow is one line of the list of cases.
type MyCaseRow struct {
	ID      uint64
	Ref     string // "" for a draft never sent
	Draft   bool
	Status  portal.CaseStatus
	Client  string // the person's name, shown to the lawyer only (who is entitled to it)
	Due     portal.Date
	Overdue bool
	// DueAwaitsCalendar: the deadline is "to be set when the official
	// calendar is published" (issue 12).
	DueAwaitsCalendar bool
	Next              MyCaseNext
	// GuardianEnded: the reader was the guardian and the person has turned
	// 18 (R1, issue 11); the row says so instead of a next step.
	GuardianEnded bool
	// Issue 16, the desk: the organ's case number and why the case needs the
	// reader's action.
	OrganCaseNo   string
	Returned      bool
	AwaitingReply bool
	DueSoon       bool
}

// MyCasesModel is GET /cases: a person's or guardian's cases, or a lawyer's
// dashboard of every client's case with a status filter.
type MyCasesModel struct {
	Page      Page
	Lawyer    bool
	Rows      []MyCaseRow
	Statuses  []portal.CaseStatus // the filter's choices
	Filter    string              // the status chosen, "" for all
	NoticeKey string              // e.g. an unknown filter value was ignored
	Total     int                 // cases before filtering
	Relief    []ReliefListRow     // the account's relief requests (R24), on the same page
	Desk      DeskModel           // issue 16: needs your action, search, pages
}

// MyCaseDocument is a document as listed on the case page.
type MyCaseDocument struct {
	ID         uint64
	Name       string
	Kind       portal.DocumentKind
	Size       int
	UploadedAt time.Time
}

// MyCaseHolder is a holding organ and whether it confirmed sealing (R12).
type MyCaseHolder struct {
	Name        string
	Confirmed   bool
	ConfirmedAt time.Time
}

// MyCaseMessage is one message as shown: the organ's name for staff, never the
// official's; "you" for the reader's own; the role for the other citizens.
type MyCaseMessage struct {
	Mine      bool
	FromOrgan string
	FromRole  portal.Role
	Text      string
	Documents []MyCaseDocument
	At        time.Time
}

// MyCaseEligibility is what the rules say of the facts entered, recomputed.
type MyCaseEligibility struct {
	Outcome   portal.Outcome
	Rules     []string
	ReasonKey string
}

// MyCaseModel is the citizen's page of one case.
type MyCaseModel struct {
	LegalDocs     []LegalDocView // issue 18: the documents served on the person
	Page          Page
	ID            uint64
	Ref           string
	Client        string // issue 16: the person's name, for the lawyer or guardian who filed
	Status        portal.CaseStatus
	ExOfficio     bool
	DecidingOrgan string
	OrganCaseNo   string
	Due           portal.Date
	Overdue       bool
	// DueAwaitsCalendar: the deadline is "to be set when the official
	// calendar is published".
	DueAwaitsCalendar bool
	// TestPeriod: when sealing takes effect under a test period (a reform
	// option; nothing shows under current law).
	TestPeriod  TestPeriodView
	Next        MyCaseNext
	Timeline    []TimelineItem
	Eligibility *MyCaseEligibility // nil while the facts are incomplete
	Documents   []MyCaseDocument
	Holders     []MyCaseHolder
	Messages    []MyCaseMessage
	ReturnNote  string // the organ's message on a returned case
	MayAct      bool   // the reader may take new steps (R1 for guardians)
	ReadOnlyKey string // why not, when not
	CanMessage  bool
	CanWithdraw bool
	CanResubmit bool
	Form        Form   // the message form
	NoticeKey   string // after a step: message sent, withdrawn
	AlertKey    string // a step refused
	// UnverifiedKey explains, while the identity (or guardianship) is not
	// verified, why the organs' documents and messages are not shown.
	UnverifiedKey string
	// HandedOver: a matter the guardian started is now the adult's own
	// (R1, issue 16); the page says so.
	HandedOver bool
}

// MyCaseWithdrawModel is the confirmation page of a withdrawal.
type MyCaseWithdrawModel struct {
	Page     Page
	ID       uint64
	Ref      string
	Status   portal.CaseStatus
	Allowed  bool
	AlertKey string
}

// NotificationRow is one notification.
type NotificationRow struct {
	CaseID uint64
	Ref    string
	Key    string
	At     time.Time
	Read   bool
	From   string // the organ behind it (issue 16)
	Link   string // the page a notification without a case points to
}

// NotificationsModel is GET /notifications.
type NotificationsModel struct {
	Page      Page
	Rows      []NotificationRow
	Unread    int
	NoticeKey string
}
