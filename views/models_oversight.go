package views

import (
	"time"

	"sealportal/portal"
)

// View models of supervision on the procuratorate's own initiative (R24,
// R25, R33): opinions, the supervisor's lists, the leak investigation and the
// cross-links between records about one person.

// OversightLink is a reference that links to its page ("" URL: shown as text).
type OversightLink struct {
	Kind   string // case, leak, relief
	Ref    string
	URL    string
	Status string // the status's message key
}

// OversightOption is a choice of a form: a value, its label (already in the
// reader's language, or a message key) and whether it is chosen.
type OversightOption struct {
	Value    string
	Label    string
	LabelKey string
	Checked  bool
	Hint     string
}

// OpinionFormModel is the supervisor's form for a new opinion.
type OpinionFormModel struct {
	Page    Page
	Form    Form
	Subject portal.OpinionSubject
	CaseID  uint64
	CaseRef string
	LeakID  uint64
	LeakRef string
	// OrganFixed: a bulk opinion is to the organ chosen on the console.
	OrganFixed  bool
	OrganName   string
	Organs      []OversightOption
	Cases       []OversightOption // bulk: the organ's overdue cases
	Suggested   []OversightOption // the citations for the subject, checked by default
	Others      []OversightOption // the rest of the citation table
	Kinds       []OversightOption
	DueDefaults map[string]string // kind -> the proposed reply date
	DueLatest   portal.Date
	DueNote     string // a message key when no date can be proposed (calendar missing)
	Back        string
}

// OpinionView is one opinion as printed and shown.
type OpinionView struct {
	ID         uint64
	Number     string
	Kind       portal.OpinionKind
	Subject    portal.OpinionSubject
	Organ      string
	Cases      []OversightLink
	Leak       *OversightLink
	Facts      string
	Request    string
	Citations  []string // in the reader's language
	IssuedAt   time.Time
	Due        portal.Date
	Overdue    bool
	Answered   bool
	Answer     string
	AnsweredAt time.Time
	URL        string
}

// OpinionModel is the page of one opinion: the supervisor's (printable) or
// the organ's (with the reply form while unanswered).
type OpinionModel struct {
	Page      Page
	Opinion   OpinionView
	ForOrgan  bool
	Form      Form
	NoticeKey string
	Back      string
}

// OpinionListModel lists opinions: the supervisor's (every organ, filtered
// by state) or an organ's own.
type OpinionListModel struct {
	Page     Page
	ForOrgan bool
	Organ    string
	State    string
	States   []string
	Rows     []OpinionView
	Total    int
	Pager    StaffPager
}

// OversightCaseListModel is a supervisor's list of cases (refusals, holders
// owing confirmation).
type OversightCaseListModel struct {
	Page  Page
	List  string // refusals, unconfirmed
	Rows  []OversightCaseRow
	Total int
	Pager StaffPager
}

// OversightCaseRow is one row of such a list.
type OversightCaseRow struct {
	Case       OversightLink
	Organ      string
	StatusKey  string
	Due        portal.Date
	DaysLate   int
	Received   time.Time
	OpinionURL string
}

// OrganOverdue is one organ's count of holdings owing confirmation.
type OrganOverdue struct {
	Organ   string
	Count   int
	MaxLate int
}

// InvestigationModel is the audit log read for a leak investigation.
type InvestigationModel struct {
	Page     Page
	LeakID   uint64
	LeakRef  string
	Cases    []OversightOption // the cases about the person (Value: URL of its log)
	CaseRef  string            // the case whose log is shown
	Account  uint64            // the account whose actions are shown
	Organ    string            // that account's organ
	Role     portal.Role
	Entries  []InvestigationEntry
	NoPerson bool // the report names no identity number: no case to read
	Form     Form // the login of an official whose actions to read
	Back     string
}

// InvestigationEntry is one audit entry.
type InvestigationEntry struct {
	At         time.Time
	Action     string
	ActionKey  string // a message key, "" when the action has none
	Role       portal.Role
	Organ      string
	AccountID  uint64
	AccountURL string // the log of every action of this account
	Subject    string
	Detail     string
}

// OversightPanel is the supervision block on a case's or a report's page:
// the opinions about it, the records about the same person and the links to
// act.
type OversightPanel struct {
	Show       bool
	Supervisor bool
	IssueURL   string // "" when no opinion can be issued from here
	InvestURL  string
	Opinions   []OpinionView
	Related    []OversightLink
}

// OpinionStartModel is the choice of an organ for a bulk opinion.
type OpinionStartModel struct {
	Page   Page
	Organs []OversightLink
}
