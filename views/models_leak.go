package views

import (
	"context"
	"strconv"
	"time"

	"sealportal/portal"
)

// View models of leak reports (/report, /track, /report/mine, the
// supervisor's page of a report) and of the public information pages.

// LeakFile is one evidence file as listed (its bytes are never on a page).
type LeakFile struct {
	ID   uint64
	Name string
	Size int
	URL  string // a download link, for the supervisor only
}

// LeakFormModel is the report form: GET /report, and POST /report when
// something is wrong.
type LeakFormModel struct {
	Page      Page
	Form      Form
	Files     []LeakFile // already attached to this browser's draft
	SignedIn  bool       // the reporter may link the report to the account
	NoticeKey string
}

// LeakAnswers are the report's answers as the reporter and the supervisor
// read them.
type LeakAnswers struct {
	PlaceKind   portal.LeakPlace
	PlaceDetail string
	SeenOn      portal.Date
	Disclosed   string
	SourceKind  portal.LeakSource
	SourceName  string
	Person      string // the identity number: masked for the reporter, whole for the supervisor
	ContactName string
	Contact     string
	Linked      bool // linked to the signed-in reporter's account
}

// LeakCheckModel is GET /report/check: check your answers before sending.
type LeakCheckModel struct {
	Page    Page
	Answers LeakAnswers
	Files   []LeakFile
}

// LeakConfirmModel is the confirmation after sending: the tracking code is
// on this page once and nowhere else.
type LeakConfirmModel struct {
	Page              Page
	Ref               string
	Code              string
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
}

// LeakTrackFormModel is GET /track, and POST /track when the code opens
// nothing or the address has tried too often.
type LeakTrackFormModel struct {
	Page Page
	Form Form
}

// LeakStepView is one step of a report's history. Internal is set only on
// the supervisor's page.
type LeakStepView struct {
	At        time.Time
	Action    portal.LeakAction
	To        portal.LeakStatus
	Public    string
	Internal  string
	Documents int
	Findings  *portal.LeakFindings
}

// LeakOutcomeView is the accountability outcome. The reporter reads whether
// someone was found responsible, the measure and its date; the name of the
// official or unit is on the supervisor's page only.
type LeakOutcomeView struct {
	Responsible portal.LeakResponsible
	Name        string
	Measure     portal.LeakMeasure
	Date        portal.Date
	Summary     string
}

// LeakTrackModel is what the holder of a tracking code (or the signed-in
// reporter, on /report/mine/:id) sees: the progress, never the contents.
type LeakTrackModel struct {
	Page              Page
	Code              string // carried in the add-information form's hidden field; "" on /report/mine
	Ref               string
	Status            portal.LeakStatus
	Received          time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Steps             []LeakStepView
	Outcome           *LeakOutcomeView
	CanAdd            bool
	Files             int // files on the report so far
	Form              Form
	NoticeKey         string
}

// LeakMineRow is one of a signed-in reporter's reports.
type LeakMineRow struct {
	ID       uint64
	Ref      string
	Status   portal.LeakStatus
	Received time.Time
}

// LeakMineModel is GET /report/mine.
type LeakMineModel struct {
	Page Page
	Rows []LeakMineRow
}

// LeakSupervisorModel is GET /supervision/leaks/:id.
type LeakSupervisorModel struct {
	Oversight         OversightPanel // opinions, investigation, cross-links (oversight.templ)
	Page              Page
	ID                uint64
	Ref               string
	Status            portal.LeakStatus
	Received          time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Answers           LeakAnswers
	PersonNotified    int
	Files             []LeakFile
	Steps             []LeakStepView
	Findings          portal.LeakFindings
	HasFindings       bool
	Outcome           *LeakOutcomeView
	Actions           []portal.LeakAction
	// The form that failed, with its values and errors.
	Failed     portal.LeakAction
	FailedForm Form
	NoticeKey  string
}

// ActionForm returns the form state of one action: the failed one's, or an
// empty form (with today's date offered for closing).
func (m LeakSupervisorModel) ActionForm(a portal.LeakAction) Form {
	if a == m.Failed {
		return m.FailedForm
	}
	return Form{}
}

// HasAction reports whether the supervisor may take action a now.
func (m LeakSupervisorModel) HasAction(a portal.LeakAction) bool {
	for _, x := range m.Actions {
		if x == a {
			return true
		}
	}
	return false
}

func (m LeakSupervisorModel) actionURL(a string) string {
	return "/supervision/leaks/" + strconv.FormatUint(m.ID, 10) + "/" + a
}

// InfoModel is a public information page.
type InfoModel struct {
	Page Page
	// Operator is the portal operator's contact (issue 16), "" when the
	// deployment has not set one: the help pages then say whom to ask.
	Operator string
}

// leakDay shows a date in the reader's language, "" when there is none.
func leakDay(ctx context.Context, d portal.Date) string {
	if d.IsZero() {
		return ""
	}
	return FormatDay(LangOf(ctx), d)
}
