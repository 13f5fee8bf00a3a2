package views

import (
	"strconv"

	"sealportal/portal"
)

// The eligibility check (/check) is a short series of questions, one per page,
// each at its own address (/check/birth-date, /check/acts, …) so that the
// browser's Back button shows the previous question with its answer. The
// answers are kept on the server between pages (sealed, for an hour, under a
// random token in an HttpOnly cookie) and never go into a URL. The names
// below are shared by the templates and the handler that reads them back, and
// are stable for test automation.

// CheckStep names one page of the check.
type CheckStep string

// The pages of the check, in the order they are asked. main-act is asked only
// when there is more than one act, penalty only for a sentence, term only for
// fixed-term imprisonment.
const (
	CheckStepBirthDate CheckStep = "birth-date"
	CheckStepActs      CheckStep = "acts"
	CheckStepMainAct   CheckStep = "main-act"
	CheckStepOutcome   CheckStep = "outcome"
	CheckStepPenalty   CheckStep = "penalty"
	CheckStepTerm      CheckStep = "term"
	CheckStepResult    CheckStep = "result"
)

// CheckSteps lists the question pages in order (the result comes last).
var CheckSteps = []CheckStep{
	CheckStepBirthDate, CheckStepActs, CheckStepMainAct, CheckStepOutcome,
	CheckStepPenalty, CheckStepTerm, CheckStepResult,
}

// CheckMaxActs is how many act dates the check's page takes. What decides is
// whether any act was on or before the 18th birthday and when the main act
// was (R5, R6), so the earliest, the latest and the main one are enough.
const CheckMaxActs = 5

// CheckMainUnknown is the answer "the judgment does not say / not sure" to the
// main-act question.
const CheckMainUnknown = "unknown"

// Names of the check's form fields. A date is three inputs named base-year,
// base-month and base-day; the year input (the first) has the id base, so an
// error summary link to #base lands in it.
const (
	CheckFieldAction      = "action" // continue, add_act, remove_act
	CheckFieldFrom        = "from"   // CheckFromResult while changing an answer from the result
	CheckFieldBirth       = "birth-date"
	CheckFieldActsCount   = "acts-count"
	CheckFieldMain        = "acts-main"
	CheckFieldDisposition = "disposition"
	CheckFieldPenaltyKind = "penalty-kind"
	CheckFieldYears       = "penalty-years"
	CheckFieldMonths      = "penalty-months"
	CheckFieldDays        = "penalty-days"
	CheckFieldSuspended   = "penalty-suspended"
)

// CheckFromResult marks a change started from the result page (the change
// link's ?from=result, then a hidden field): "continue" then returns to the
// result as soon as every question is answered.
const CheckFromResult = "result"

// CheckPath is the address of a question (or of the result).
func CheckPath(st CheckStep) string { return "/check/" + string(st) }

// The actions of the check's buttons.
const (
	CheckActionContinue  = "continue"
	CheckActionAddAct    = "add_act"
	CheckActionRemoveAct = "remove_act"
)

// CheckActField is the base name (and id) of the i-th act's date.
func CheckActField(i int) string { return "acts-" + strconv.Itoa(i) + "-date" }

// CheckDate is a date as typed in its three boxes.
type CheckDate struct{ Year, Month, Day string }

// Empty reports whether nothing was typed.
func (d CheckDate) Empty() bool { return d.Year == "" && d.Month == "" && d.Day == "" }

// CheckAnswers are the answers as typed, kept as strings so that a page shows
// exactly what was entered.
type CheckAnswers struct {
	Birth       CheckDate
	Acts        []CheckDate // at least one row
	Main        string      // index of the main act, CheckMainUnknown, or ""
	Disposition string
	PenaltyKind string
	Years       string
	Months      string
	Days        string
	Suspended   bool
}

// CheckStartModel is the check's start page.
type CheckStartModel struct{ Page Page }

// CheckStepModel is one question page.
type CheckStepModel struct {
	Page    Page
	Step    CheckStep
	Back    string // the address of the page before (the start page before the first)
	Answers CheckAnswers
	Form    Form     // errors keyed by field id (CheckFieldBirth, CheckActField(i), …)
	Order   []string // the order of the error summary
	// ActDates are the acts' dates, for the main-act question's labels.
	ActDates []portal.Date
	// FromResult is a change started from the result page.
	FromResult bool
	// FocusAct is the row just added by "add another date", which gets the
	// focus (-1 for none): without JavaScript the page reloads at the top.
	FocusAct int
}

// CheckResultModel is the result page with the answers to check and change.
type CheckResultModel struct {
	Page    Page
	Outcome portal.Outcome
	// Rules are the rules that decided (for tests, in a data attribute:
	// citizens never see rule ids); Basis the legal basis of each as a
	// message key naming the articles of law.
	Rules     []string
	Basis     []string
	ReasonKey string
	// Decided says the dates alone decided (R6): how the case ended was not
	// asked, so it is not listed.
	Decided   bool
	BirthDate portal.Date
	Acts      []portal.Date
	Main      int // index of the main act, -1 when not known or one act
	// Disposition and PenaltyKind are the answers; Months and Days only for
	// fixed-term imprisonment.
	Disposition portal.Disposition
	PenaltyKind portal.PenaltyKind
	Months      int
	Days        int
	Suspended   bool
	// SignedIn is any signed-in account; CanApply a signed-in citizen, who is
	// offered /apply instead of /register.
	SignedIn bool
	CanApply bool
}

// checkOutcomeClass colours the result panel; the text always names the
// outcome too, so colour is never the only signal.
func checkOutcomeClass(o portal.Outcome) string {
	switch o {
	case portal.OutcomeSeal:
		return "notice notice-success check-outcome"
	case portal.OutcomeNotEligible, portal.OutcomeReview:
		return "notice notice-warning check-outcome"
	}
	return "notice check-outcome"
}

// checkRadioID is the id of a radio button: the first of a group carries the
// group's id, so the error summary's link lands on it.
func checkRadioID(group string, i int, value string) string {
	if i == 0 {
		return group
	}
	return group + "-" + value
}

// checkDescribedBy joins the ids of a group's hint and error.
func checkDescribedBy(id string, hint bool, errKey string) string {
	s := ""
	if hint {
		s = id + "-hint"
	}
	if errKey != "" {
		if s != "" {
			s += " "
		}
		s += id + "-error"
	}
	return s
}

// checkActLabel is "Act 2: 10 June 2023" for the main-act question.
func checkActLabel(l Lang, i int, d portal.Date) string {
	if d.IsZero() {
		return Translate(l, "check.act_n", i+1)
	}
	return Translate(l, "check.act_n_date", i+1, FormatDay(l, d))
}

// checkOption is one radio button of a question, already translated.
type checkOption struct{ Value, Label, Hint string }

// checkDispositionOptions are the answers to "how did the case end?".
func checkDispositionOptions(l Lang) []checkOption {
	opts := make([]checkOption, 0, len(portal.Dispositions))
	for _, d := range portal.Dispositions {
		opts = append(opts, checkOption{string(d), Translate(l, "check.disposition."+string(d)), Translate(l, "check.disposition."+string(d)+".hint")})
	}
	return opts
}

// checkPenaltyOptions are the answers to "what sentence did the court give?".
func checkPenaltyOptions(l Lang) []checkOption {
	opts := make([]checkOption, 0, len(portal.PenaltyKinds))
	for _, k := range portal.PenaltyKinds {
		opts = append(opts, checkOption{string(k), Translate(l, "check.penalty."+string(k)), Translate(l, "check.penalty."+string(k)+".hint")})
	}
	return opts
}

// checkMainOptions are the acts, then "not sure".
func checkMainOptions(l Lang, acts []portal.Date) []checkOption {
	opts := make([]checkOption, 0, len(acts)+1)
	for i, d := range acts {
		opts = append(opts, checkOption{Value: strconv.Itoa(i), Label: checkActLabel(l, i, d)})
	}
	return append(opts, checkOption{CheckMainUnknown, Translate(l, "check.main.unknown"), Translate(l, "check.main.unknown_hint")})
}

// checkTermText is "3 years 6 months", with the days when there are any and
// ", suspended" when it was.
func checkTermText(l Lang, months, days int, suspended bool) string {
	var s string
	switch {
	case months >= 12 && months%12 == 0:
		s = Translate(l, "checkflow.term_years", months/12)
	case months >= 12:
		s = Translate(l, "checkflow.term_years_months", months/12, months%12)
	default:
		s = Translate(l, "checkflow.term_months", months)
	}
	if days > 0 {
		s += Translate(l, "checkflow.term_days", days)
	}
	if suspended {
		s += Translate(l, "check.answers.suspended")
	}
	return s
}

// checkMainText is the answer to the main-act question.
func checkMainText(l Lang, main int, acts []portal.Date) string {
	if main < 0 || main >= len(acts) {
		return Translate(l, "check.main.unknown")
	}
	return checkActLabel(l, main, acts[main])
}
