package views

import (
	"strconv"
	"time"

	"github.com/a-h/templ"

	"sealportal/portal"
)

// View models of relief requests (R24): the applicant's form, evidence, check
// your answers, confirmation, list and page; the supervision console and the
// supervisor's page of a request; the organs' correction notices.

// ReliefCaseOption is one of the applicant's own sealing cases to link.
type ReliefCaseOption struct {
	ID  uint64
	Ref string
}

// ReliefFormModel is the relief request form (new, or a draft's answers
// changed).
type ReliefFormModel struct {
	Page      Page
	ID        uint64 // 0 for a new request
	Form      Form   // values by field; remedies are in Remedies
	Remedies  map[string]bool
	Cases     []ReliefCaseOption
	AskPerson bool   // a guardian or lawyer names the person
	Today     string // the latest date allowed, yyyy-mm-dd
	Back      string // where "back" leads
}

// ReliefDocument is a file as listed.
type ReliefDocument struct {
	ID         uint64
	URL        string
	Name       string
	MediaType  string
	Size       int
	UploadedAt time.Time
}

// ReliefEvidenceModel is the evidence page of a draft.
type ReliefEvidenceModel struct {
	Page      Page
	ID        uint64
	Documents []ReliefDocument
	Full      bool
	Form      Form
	NoticeKey string
}

// ReliefAnswers are the applicant's answers as shown on check your answers,
// the applicant's page and the supervisor's page.
type ReliefAnswers struct {
	Capacity      portal.FilerCapacity
	PersonName    string
	Kind          portal.ReliefKind
	HappenedOn    portal.Date
	UnitName      string
	UnitKind      portal.UnitKind
	Description   string
	Remedies      []portal.ReliefRemedy
	LinkedCaseRef string
	LinkedCaseURL string // where the reader opens the case, "" when not his to open
}

// ReliefCheckModel is check your answers before sending.
type ReliefCheckModel struct {
	Page      Page
	ID        uint64
	Answers   ReliefAnswers
	Documents []ReliefDocument
	Due       portal.Date // the supervisor's deadline if sent today; zero when the calendar lacks the year
	// DueAwaitsCalendar: sent today, the deadline would be "to be set when
	// the official calendar is published".
	DueAwaitsCalendar bool
	Form              Form // problems that stop sending
}

// ReliefDoneModel is the confirmation with the reference number.
type ReliefDoneModel struct {
	Page              Page
	ID                uint64
	Ref               string
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
}

// ReliefListRow is one line of my relief requests.
type ReliefListRow struct {
	ID                uint64
	Ref               string
	Draft             bool
	Status            portal.ReliefStatus
	Kind              portal.ReliefKind
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
}

// ReliefListModel is GET /relief.
type ReliefListModel struct {
	Page Page
	Rows []ReliefListRow
}

// ReliefTimelineItem is one event as shown: the organ's name, never an
// official's.
type ReliefTimelineItem struct {
	Event     portal.ReliefEvent
	OrganName string
}

// ReliefMessageView is one message as shown.
type ReliefMessageView struct {
	Mine           bool
	FromSupervisor bool
	FromRole       portal.Role
	Text           string
	At             time.Time
	Documents      []ReliefDocument
}

// ReliefPageModel is the applicant's page of one request.
type ReliefPageModel struct {
	Page              Page
	ID                uint64
	Ref               string
	Status            portal.ReliefStatus
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Answers           ReliefAnswers
	Outcome           string // the outcome on closing, the reason on declining
	Question          string // the supervisor's open question, when waiting for the applicant
	Timeline          []ReliefTimelineItem
	Documents         []ReliefDocument
	Messages          []ReliefMessageView
	MayAct            bool
	ReadOnlyKey       string
	CanMessage        bool
	CanWithdraw       bool
	Form              Form
	NoticeKey         string
	AlertKey          string
}

// ReliefWithdrawModel is the confirmation of a withdrawal.
type ReliefWithdrawModel struct {
	Page     Page
	ID       uint64
	Ref      string
	Status   portal.ReliefStatus
	Allowed  bool
	AlertKey string
}

// SupervisionCounts are the numbers at the top of the console.
type SupervisionCounts struct {
	ReliefOpen   int
	LeakOpen     int
	LeaksKnown   bool // the leak reports' store answers
	CasesOverdue int
}

// SupervisionStatusGroup is one kind's statuses in the status filter.
type SupervisionStatusGroup struct {
	Kind     string // relief, leak, case
	Statuses []SupervisionOption
}

// SupervisionOption is one option of a select.
type SupervisionOption struct {
	Value    string
	LabelKey string
	Label    string // when not a key (an organ's name)
}

// SupervisionRow is one line of the mixed queue.
type SupervisionRow struct {
	Kind              string // relief, leak, case
	ID                uint64
	Ref               string
	Status            string
	StatusKey         string
	Organ             string // for sealing cases: the organ(s) that owe the step
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	DaysLate          int
	Received          time.Time
	URL               string
}

// SupervisionPager links to the previous and next pages.
type SupervisionPager struct {
	Page, Pages      int
	PrevURL, NextURL string
}

// SupervisionModel is GET /supervision.
type SupervisionModel struct {
	Page     Page
	Counts   SupervisionCounts
	Form     Form
	Kinds    []string
	Statuses []SupervisionStatusGroup
	Organs   []SupervisionOption
	Rows     []SupervisionRow
	Total    int
	Pager    SupervisionPager
}

// SupervisionNotice is a correction notice as the supervisor sees it.
type SupervisionNotice struct {
	ID                uint64
	Organ             string
	Text              string
	IssuedAt          time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Answered          bool
	Answer            string
	AnsweredAt        time.Time
}

// SupervisionActionForm is one step the supervisor may take now.
type SupervisionActionForm struct {
	Action portal.ReliefAction
	URL    string
	Form   Form
}

// SupervisionReliefModel is the supervisor's page of a relief request.
type SupervisionReliefModel struct {
	Oversight         OversightPanel // cross-links (oversight.templ)
	Page              Page
	ID                uint64
	Ref               string
	Status            portal.ReliefStatus
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Submitted         time.Time
	Answers           ReliefAnswers
	Outcome           string
	Timeline          []ReliefTimelineItem
	Documents         []ReliefDocument
	Messages          []ReliefMessageView
	Notices           []SupervisionNotice
	Actions           []SupervisionActionForm
	Organs            []SupervisionOption // every organ, for steps
	SealOrgans        []SupervisionOption // the sealing organs, for notices
	NoticeDue         portal.Date         // a notice issued today would be due then
	NoticeDueAwaits   bool                // ...or its deadline would wait for the official calendar
	CanMessage        bool
	MessageForm       Form
	NoticeKey         string
	AlertKey          string
}

// Action returns the form of action a, and whether it is offered.
func (m SupervisionReliefModel) Action(a portal.ReliefAction) (SupervisionActionForm, bool) {
	for _, f := range m.Actions {
		if f.Action == a {
			return f, true
		}
	}
	return SupervisionActionForm{}, false
}

// CorrectionRow is one correction notice in an organ's list.
type CorrectionRow struct {
	ID                uint64
	ReliefRef         string
	CaseRef           string
	CaseURL           string // the organ's page of the case, "" when the organ has no duty on it
	IssuedAt          time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Answered          bool
}

// CorrectionListModel is the organ's list of correction notices.
type CorrectionListModel struct {
	Page  Page
	Organ string
	Rows  []CorrectionRow
}

// CorrectionModel is one correction notice and the organ's answer form.
type CorrectionModel struct {
	Page              Page
	ID                uint64
	Organ             string
	ReliefRef         string
	CaseRef           string
	CaseURL           string
	Text              string
	IssuedAt          time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Answered          bool
	Answer            string
	AnsweredAt        time.Time
	Form              Form
	NoticeKey         string
}

// ReliefNotificationURL is where a notification links: a relief request's
// page for a relief reference, the case page otherwise.
func ReliefNotificationURL(caseID uint64, ref string) templ.SafeURL {
	if portal.IsReliefReference(ref) {
		return templ.SafeURL("/relief/" + strconv.FormatUint(caseID, 10))
	}
	return templ.SafeURL("/cases/" + strconv.FormatUint(caseID, 10))
}
