package views

import (
	"fmt"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"sealportal/portal"
)

// View models of the applicant's journey: start page, task list, one page per
// section, check your answers, confirmation.

// ApplyMaxActs is how many act rows the case page offers at most; the "add
// another act" button adds one row per press, without JavaScript.
const ApplyMaxActs = 5

// applyMaxMB is the per-file limit in whole megabytes, for the texts.
const applyMaxMB = portal.MaxDocumentBytes >> 20

// ApplyDraftRow is one application the account can still continue.
type ApplyDraftRow struct {
	ID         uint64
	Status     portal.CaseStatus
	PersonName string // what the account itself typed; "" when not yet given
	UpdatedAt  time.Time
}

// ApplyStartModel is GET /apply.
type ApplyStartModel struct {
	Page      Page
	Capacity  portal.FilerCapacity
	Drafts    []ApplyDraftRow
	NoticeKey string
}

// Section states on the task list.
const (
	ApplyStateCompleted  = "completed"
	ApplyStateNotStarted = "not_started"
	ApplyStateProblems   = "problems"
)

// ApplySection is one row of the task list.
type ApplySection struct {
	Name     string // portal.SectionPerson, …
	State    string // ApplyStateCompleted, ApplyStateNotStarted or ApplyStateProblems
	Problems []string
}

// ApplyEligibility is what the rules say of the facts entered so far.
type ApplyEligibility struct {
	Known     bool
	Outcome   portal.Outcome
	Rules     []string
	ReasonKey string
}

// ApplyTasksModel is the task list, GET /apply/:id.
type ApplyTasksModel struct {
	Page        Page
	ID          uint64
	Status      portal.CaseStatus
	Capacity    portal.FilerCapacity
	Sections    []ApplySection
	AllComplete bool
	Eligibility ApplyEligibility
	ReturnNote  string // the organ's reason when the application came back for correction
	Deletable   bool
	NoticeKey   string
}

// ApplyPersonModel is the person page.
type ApplyPersonModel struct {
	Page      Page
	ID        uint64
	Capacity  portal.FilerCapacity
	Form      Form
	BirthDate portal.Date // read from the identity number, shown as a check; zero when unknown
}

// ApplyOrganOption is an organ a person can choose.
type ApplyOrganOption struct {
	ID   uint64
	Kind portal.Role
	Name string
}

// ApplyCaseModel is the case page.
type ApplyCaseModel struct {
	Page   Page
	ID     uint64
	Form   Form
	Organs []ApplyOrganOption // the organs that decide
	Rows   int                // act rows shown
}

// ApplyOrgansModel is the page of the organs that hold records.
type ApplyOrgansModel struct {
	Page     Page
	ID       uint64
	Form     Form
	Organs   []ApplyOrganOption
	Selected map[uint64]bool
}

// ApplyDocumentsModel is the documents page.
type ApplyDocumentsModel struct {
	Page      Page
	ID        uint64
	Capacity  portal.FilerCapacity
	Form      Form // kind and file errors of a failed upload, the chosen kind kept
	Documents []portal.Document
	Kinds     []portal.DocumentKind
	Missing   []string // message keys of the documents still needed
	// Needed are the kinds still needed, uploaded together on one form
	// (one file box each).
	Needed    []portal.DocumentKind
	Full      bool // the per-application limit is reached
	NoticeKey string
}

// ApplyDeclarationsModel is the declarations page.
type ApplyDeclarationsModel struct {
	Page Page
	ID   uint64
	Form Form
}

// ApplyProblem is one problem on the check page, linking to its field on its
// section's page.
type ApplyProblem struct {
	Section string
	Field   string
	Key     string
}

// ApplyAct is one act as shown on the check page.
type ApplyAct struct {
	Date portal.Date
	Main bool
}

// ApplyCheckModel is check your answers, GET /apply/:id/check.
type ApplyCheckModel struct {
	Page         Page
	ID           uint64
	Status       portal.CaseStatus
	Capacity     portal.FilerCapacity
	PersonName   string
	PersonID     string
	BirthDate    portal.Date
	DecidingName string
	CaseNumber   string
	Disposition  portal.Disposition
	DecisionDate portal.Date
	Acts         []ApplyAct
	Intent       portal.Intent
	Penalty      *portal.Penalty
	Holders      []string
	Documents    []portal.Document
	DeclaredTrue bool
	Problems     []ApplyProblem
	// DeclareError is the declaration's problem after sending without it
	// (the declaration is made on this page).
	DeclareError string
	Eligibility  ApplyEligibility
	Due          portal.Date // the acceptance deadline if submitted today; zero when the calendar lacks the year
}

// ApplyDoneModel is the confirmation page.
type ApplyDoneModel struct {
	Page   Page
	ID     uint64
	Ref    string
	Status portal.CaseStatus
	Due    portal.Date
}

// ApplyDeleteModel is the question before a draft is deleted.
type ApplyDeleteModel struct {
	Page       Page
	ID         uint64
	PersonName string
}

// applyURL is a page of one application.
func applyURL(id uint64, page string) templ.SafeURL {
	if page == "" {
		return templ.SafeURL(fmt.Sprintf("/apply/%d", id))
	}
	return templ.SafeURL(fmt.Sprintf("/apply/%d/%s", id, page))
}

// applyDocURL is one document of an application.
func applyDocURL(id, doc uint64, suffix string) templ.SafeURL {
	return templ.SafeURL(fmt.Sprintf("/apply/%d/documents/%d%s", id, doc, suffix))
}

// applyProblemURL links a problem to its field on its section's page.
func applyProblemURL(id uint64, p ApplyProblem) templ.SafeURL {
	return templ.SafeURL(fmt.Sprintf("/apply/%d/%s#%s", id, p.Section, p.Field))
}

// applyActField names the inputs of act row i.
func applyActField(i int, part string) string {
	if part == "" {
		return fmt.Sprintf("acts[%d].date", i)
	}
	return fmt.Sprintf("acts[%d].date_%s", i, part)
}

func applyItoa(i int) string { return strconv.Itoa(i) }

func applyIDStr(id uint64) string { return strconv.FormatUint(id, 10) }

// applyFileSize shows a size in KB or MB.
func applyFileSize(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// applyPenaltyTerm describes a sentence's term.
func applyPenaltyTerm(l Lang, p *portal.Penalty) string {
	if p == nil || (p.Months == 0 && p.Days == 0) {
		return ""
	}
	if p.Days == 0 {
		return Translate(l, "apply.term_months", p.Months)
	}
	return Translate(l, "apply.term", p.Months, p.Days)
}

// applyOrgansOfKind filters options by kind, keeping their order.
func applyOrgansOfKind(all []ApplyOrganOption, k portal.Role) []ApplyOrganOption {
	var out []ApplyOrganOption
	for _, o := range all {
		if o.Kind == k {
			out = append(out, o)
		}
	}
	return out
}

// applyOrganKinds are the kinds in the order the pages group them.
var applyOrganKinds = []portal.Role{portal.RoleCourt, portal.RoleProcuratorate, portal.RolePolice, portal.RoleJudicialAdmin}

// applyIntents are the intent answers.
var applyIntents = []portal.Intent{portal.IntentIntentional, portal.IntentNegligent, portal.IntentUnknown}
