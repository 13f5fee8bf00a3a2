package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// The public eligibility check: a few questions, one per page, and a result
// that applies R1–R10 (portal.EvaluateEligibility). Nothing is stored and no
// answer ever goes into a URL: every page is a form that posts all the answers
// given so far to POST /check (earlier ones in hidden fields, with the CSRF
// token), and the server decides from them which page comes next. The same
// rules as the API validate the answers (portal.EligibilityFacts.Validate),
// with their field names mapped to the page's field ids.

// checkMaxValue caps what is kept of a typed value: no real answer is longer,
// and a page never echoes a pasted essay back.
const checkMaxValue = 40

// handleCheckStart serves GET /check: what the check is and a start button.
func (s *Server) handleCheckStart(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, views.CheckStartPage(views.CheckStartModel{Page: s.page(c, "check.start.title")}))
}

// handleCheckStep serves POST /check: every button of the check. A "goto"
// button (start, back, change) shows that question with the answers kept; the
// add and remove buttons change the number of act dates; "continue" checks
// the answers up to the page just answered and shows the next question. A
// change started from the result page carries mode=change, and then
// "continue" goes straight back to the result unless a question still needs
// an answer.
func (s *Server) handleCheckStep(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	a := bindCheck(c)
	today := portal.DateOf(s.cfg.Clock())
	changing := c.FormValue(views.CheckFieldMode) == views.CheckModeChange

	if g := views.CheckStep(c.FormValue(views.CheckFieldGoto)); g != "" {
		a = checkNormalize(a)
		if g == views.CheckStepResult || !slices.Contains(views.CheckSteps, g) {
			return s.checkContinue(c, a, views.CheckStepTerm, true, today)
		}
		for !checkApplies(a, g) {
			g = checkPrev(a, g)
		}
		return s.renderCheckStep(c, http.StatusOK, checkView{a: a, step: g, focusAct: -1, changing: changing})
	}

	switch c.FormValue(views.CheckFieldAction) {
	case views.CheckActionAddAct:
		focus := -1
		if len(a.Acts) < views.CheckMaxActs {
			a.Acts = append(a.Acts, views.CheckDate{})
			focus = len(a.Acts) - 1
		}
		return s.renderCheckStep(c, http.StatusOK, checkView{a: a, step: views.CheckStepActs, focusAct: focus, changing: changing})
	case views.CheckActionRemoveAct:
		if len(a.Acts) > 1 {
			a.Acts = a.Acts[:len(a.Acts)-1]
		}
		return s.renderCheckStep(c, http.StatusOK, checkView{a: a, step: views.CheckStepActs, focusAct: -1, changing: changing})
	}

	from := views.CheckStep(c.FormValue(views.CheckFieldStep))
	if from == views.CheckStepResult || !slices.Contains(views.CheckSteps, from) {
		return s.renderCheckStep(c, http.StatusOK, checkView{a: checkNormalize(a), step: views.CheckStepBirthDate, focusAct: -1})
	}
	return s.checkContinue(c, checkNormalize(a), from, changing, today)
}

// checkContinue shows the first question up to from that has a problem, with
// its messages. Otherwise it shows the next question that is asked (when
// changing: the next one still to answer, or the result), with messages only
// if it was answered before and is now wrong (an act date before a changed
// date of birth).
func (s *Server) checkContinue(c echo.Context, a views.CheckAnswers, from views.CheckStep, changing bool, today portal.Date) error {
	facts, errs := checkFacts(a, today)
	at := slices.Index(views.CheckSteps, from)
	for _, st := range views.CheckSteps[:at+1] {
		if checkApplies(a, st) && checkStepHasError(errs, st) {
			return s.renderCheckStep(c, http.StatusUnprocessableEntity, checkView{a: a, step: st, errs: errs, focusAct: -1, changing: changing})
		}
	}
	for _, st := range views.CheckSteps[at+1:] {
		if st == views.CheckStepResult {
			break
		}
		if !checkApplies(a, st) {
			continue
		}
		bad := checkStepHasError(errs, st)
		if changing && !bad {
			continue
		}
		if bad && checkAnswered(a, st) {
			return s.renderCheckStep(c, http.StatusUnprocessableEntity, checkView{a: a, step: st, errs: errs, focusAct: -1, changing: changing})
		}
		return s.renderCheckStep(c, http.StatusOK, checkView{a: a, step: st, focusAct: -1, changing: changing})
	}
	return s.renderCheckResult(c, a, facts)
}

// bindCheck reads every answer the check's forms can post; nothing else is
// read. The number of act rows comes from the hidden acts-count field.
func bindCheck(c echo.Context) views.CheckAnswers {
	date := func(base string) views.CheckDate {
		return views.CheckDate{Year: checkValue(c, base+"-year"), Month: checkValue(c, base+"-month"), Day: checkValue(c, base+"-day")}
	}
	a := views.CheckAnswers{
		Birth:       date(views.CheckFieldBirth),
		Main:        checkValue(c, views.CheckFieldMain),
		Disposition: checkValue(c, views.CheckFieldDisposition),
		PenaltyKind: checkValue(c, views.CheckFieldPenaltyKind),
		Months:      checkValue(c, views.CheckFieldMonths),
		Days:        checkValue(c, views.CheckFieldDays),
		Suspended:   c.FormValue(views.CheckFieldSuspended) == "yes",
	}
	n, err := strconv.Atoi(c.FormValue(views.CheckFieldActsCount))
	if err != nil || n < 1 {
		n = 1
	}
	n = min(n, views.CheckMaxActs)
	for i := range n {
		a.Acts = append(a.Acts, date(views.CheckActField(i)))
	}
	return a
}

// checkValue is a form value, trimmed and capped at checkMaxValue characters.
func checkValue(c echo.Context, name string) string {
	v := strings.TrimSpace(c.FormValue(name))
	if utf8.RuneCountInString(v) > checkMaxValue {
		v = string([]rune(v)[:checkMaxValue])
	}
	return v
}

// checkNormalize drops empty act rows (keeping one), follows the main act
// through the renumbering, and forgets answers that no longer apply: the
// sentence when the case did not end in one, the term when the sentence was
// not a prison term, the main act when there is only one.
func checkNormalize(a views.CheckAnswers) views.CheckAnswers {
	var acts []views.CheckDate
	main := a.Main
	for i, d := range a.Acts {
		if d.Empty() {
			continue
		}
		if a.Main == strconv.Itoa(i) {
			main = strconv.Itoa(len(acts))
		}
		acts = append(acts, d)
	}
	if len(acts) == 0 {
		acts = []views.CheckDate{{}}
	}
	a.Acts, a.Main = acts, main
	if len(a.Acts) < 2 {
		a.Main = ""
	}
	if a.Disposition != string(portal.DispositionSentenced) {
		a.PenaltyKind = ""
	}
	if a.PenaltyKind != string(portal.PenaltyFixedTerm) {
		a.Months, a.Days, a.Suspended = "", "", false
	}
	return a
}

// checkApplies reports whether question st is asked, given the answers.
func checkApplies(a views.CheckAnswers, st views.CheckStep) bool {
	switch st {
	case views.CheckStepMainAct:
		return len(a.Acts) > 1
	case views.CheckStepPenalty:
		return a.Disposition == string(portal.DispositionSentenced)
	case views.CheckStepTerm:
		return a.Disposition == string(portal.DispositionSentenced) && a.PenaltyKind == string(portal.PenaltyFixedTerm)
	}
	return slices.Contains(views.CheckSteps, st)
}

// checkPrev is the question before st that is asked; "" before the first.
func checkPrev(a views.CheckAnswers, st views.CheckStep) views.CheckStep {
	i := slices.Index(views.CheckSteps, st)
	for i--; i >= 0; i-- {
		if checkApplies(a, views.CheckSteps[i]) {
			return views.CheckSteps[i]
		}
	}
	return ""
}

// checkAnswered reports whether anything was entered for question st.
func checkAnswered(a views.CheckAnswers, st views.CheckStep) bool {
	switch st {
	case views.CheckStepBirthDate:
		return !a.Birth.Empty()
	case views.CheckStepActs:
		return slices.ContainsFunc(a.Acts, func(d views.CheckDate) bool { return !d.Empty() })
	case views.CheckStepMainAct:
		return a.Main != ""
	case views.CheckStepOutcome:
		return a.Disposition != ""
	case views.CheckStepPenalty:
		return a.PenaltyKind != ""
	case views.CheckStepTerm:
		return a.Months != "" || a.Days != "" || a.Suspended
	}
	return false
}

// checkStepOf is the question on which a field id is asked.
func checkStepOf(id string) views.CheckStep {
	switch {
	case id == views.CheckFieldBirth:
		return views.CheckStepBirthDate
	case id == views.CheckFieldMain:
		return views.CheckStepMainAct
	case strings.HasPrefix(id, "acts-"):
		return views.CheckStepActs
	case id == views.CheckFieldDisposition:
		return views.CheckStepOutcome
	case id == views.CheckFieldPenaltyKind:
		return views.CheckStepPenalty
	case id == views.CheckFieldMonths || id == views.CheckFieldDays || id == views.CheckFieldSuspended:
		return views.CheckStepTerm
	}
	return views.CheckStepBirthDate
}

func checkStepHasError(errs map[string]string, st views.CheckStep) bool {
	for id := range errs {
		if checkStepOf(id) == st {
			return true
		}
	}
	return false
}

// checkFieldID maps a field name of EligibilityFacts.Validate (the API's
// names: birth_date, acts[1].date, penalty.months…) to the id of the page's
// input, which must be a valid HTML id for the error summary's link.
func checkFieldID(field string) string {
	switch field {
	case "birth_date":
		return views.CheckFieldBirth
	case "acts":
		return views.CheckActField(0)
	case "disposition":
		return views.CheckFieldDisposition
	case "penalty", "penalty.kind":
		return views.CheckFieldPenaltyKind
	case "penalty.months":
		return views.CheckFieldMonths
	case "penalty.days":
		return views.CheckFieldDays
	case "penalty.suspended":
		// R29: a suspension beyond three years is said on the term's page.
		return views.CheckFieldMonths
	}
	if rest, ok := strings.CutPrefix(field, "acts["); ok {
		if i, err := strconv.Atoi(strings.TrimSuffix(rest, "].date")); err == nil {
			return views.CheckActField(i)
		}
	}
	return views.CheckFieldBirth
}

// checkFacts builds the facts from the typed answers and validates them: the
// page's own parsing problems first (a date that is not a date, a number that
// is not a number), then the domain's rules. Errors are keyed by field id.
func checkFacts(a views.CheckAnswers, today portal.Date) (portal.EligibilityFacts, map[string]string) {
	errs := map[string]string{}
	add := func(id, key string) {
		if _, ok := errs[id]; !ok {
			errs[id] = key
		}
	}
	var f portal.EligibilityFacts
	f.BirthDate = checkParseDate(a.Birth, views.CheckFieldBirth, add)
	main := checkMainIndex(a)
	for i, d := range a.Acts {
		f.Acts = append(f.Acts, portal.Act{Date: checkParseDate(d, views.CheckActField(i), add), Main: i == main})
	}
	if len(a.Acts) > 1 && main < 0 && a.Main != views.CheckMainUnknown {
		add(views.CheckFieldMain, "check.main_required")
	}
	f.Disposition = portal.Disposition(a.Disposition)
	if f.Disposition == portal.DispositionSentenced && a.PenaltyKind != "" {
		p := &portal.Penalty{Kind: portal.PenaltyKind(a.PenaltyKind)}
		if p.Kind == portal.PenaltyFixedTerm {
			if a.Months == "" {
				add(views.CheckFieldMonths, "check.months_required")
			} else if n, ok := checkNumber(a.Months); ok {
				p.Months = n
			} else {
				add(views.CheckFieldMonths, "check.number_invalid")
			}
			if a.Days != "" {
				if n, ok := checkNumber(a.Days); ok {
					p.Days = n
				} else {
					add(views.CheckFieldDays, "check.number_invalid")
				}
			}
			p.Suspended = a.Suspended
		}
		f.Penalty = p
	}
	if err := f.Validate(today); err != nil {
		pe, ok := portal.AsError(err)
		if ok {
			for field, key := range pe.Fields {
				add(checkFieldID(field), key)
			}
		}
	}
	return f, errs
}

// checkMainIndex is the index of the act marked as main, -1 for none.
func checkMainIndex(a views.CheckAnswers) int {
	i, err := strconv.Atoi(a.Main)
	if err != nil || i < 0 || i >= len(a.Acts) || len(a.Acts) < 2 {
		return -1
	}
	return i
}

// checkParseDate reads a date typed in three boxes. Nothing typed is left to
// the domain ("enter the date"); a partial or impossible date is the page's
// own problem. The year has four digits; full-width digits (typed with a
// Chinese input method) are accepted.
func checkParseDate(d views.CheckDate, id string, add func(id, key string)) portal.Date {
	if d.Empty() {
		return portal.Date{}
	}
	if d.Year == "" || d.Month == "" || d.Day == "" {
		add(id, "check.date_incomplete")
		return portal.Date{}
	}
	y, oky := checkNumber(d.Year)
	m, okm := checkNumber(d.Month)
	day, okd := checkNumber(d.Day)
	if !oky || !okm || !okd || len(checkDigits(d.Year)) != 4 || y < 1900 || m < 1 || m > 12 || day < 1 || day > 31 {
		add(id, "check.date_invalid")
		return portal.Date{}
	}
	date, ok := portal.ParseDate(strconv.Itoa(y) + "-" + checkPad2(m) + "-" + checkPad2(day))
	if !ok {
		add(id, "check.date_invalid")
		return portal.Date{}
	}
	return date
}

func checkPad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// checkDigits maps full-width digits to ASCII.
func checkDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

// checkNumber reads a whole number of at most six digits (no sign).
func checkNumber(s string) (int, bool) {
	s = checkDigits(s)
	if s == "" || len(s) > 6 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// checkTitles are the message keys of each question's title and heading.
var checkTitles = map[views.CheckStep]string{
	views.CheckStepBirthDate: "check.birth.heading",
	views.CheckStepActs:      "check.acts.heading",
	views.CheckStepMainAct:   "check.main.heading",
	views.CheckStepOutcome:   "check.outcome.heading",
	views.CheckStepPenalty:   "check.penalty.heading",
	views.CheckStepTerm:      "check.term.heading",
}

// checkView is what a question page is rendered from.
type checkView struct {
	a        views.CheckAnswers
	step     views.CheckStep
	errs     map[string]string // by field id; only the step's own are shown
	focusAct int               // the act row just added, -1 for none
	changing bool              // a change started from the result page
}

// renderCheckStep shows a question with the answers.
func (s *Server) renderCheckStep(c echo.Context, status int, v checkView) error {
	a, st := v.a, v.step
	m := views.CheckStepModel{
		Page: s.page(c, checkTitles[st]), Step: st, Back: checkPrev(a, st), Answers: a, FocusAct: v.focusAct, Changing: v.changing,
		Form: views.Form{Values: map[string]string{views.CheckFieldMonths: a.Months, views.CheckFieldDays: a.Days}, Errors: map[string]string{}},
	}
	var order []string
	switch st {
	case views.CheckStepActs:
		for i := range a.Acts {
			order = append(order, views.CheckActField(i))
		}
	case views.CheckStepTerm:
		order = []string{views.CheckFieldMonths, views.CheckFieldDays}
	case views.CheckStepBirthDate:
		order = []string{views.CheckFieldBirth}
	case views.CheckStepMainAct:
		order = []string{views.CheckFieldMain}
		for i, d := range a.Acts {
			m.ActDates = append(m.ActDates, checkParseDate(d, views.CheckActField(i), func(string, string) {}))
		}
	case views.CheckStepOutcome:
		order = []string{views.CheckFieldDisposition}
	case views.CheckStepPenalty:
		order = []string{views.CheckFieldPenaltyKind}
	}
	for id, key := range v.errs {
		if checkStepOf(id) == st && slices.Contains(order, id) {
			m.Form.Errors[id] = key
		}
	}
	m.Order = order
	return s.render(c, status, views.CheckStepPage(m))
}

// renderCheckResult applies the rules to the validated facts and shows the
// answer with the answers given.
func (s *Server) renderCheckResult(c echo.Context, a views.CheckAnswers, f portal.EligibilityFacts) error {
	d := portal.EvaluateEligibility(f)
	m := views.CheckResultModel{
		Page: s.page(c, "check.result.title"), Answers: a,
		Outcome: d.Outcome, Rules: d.Rules, ReasonKey: d.ReasonKey,
		BirthDate: f.BirthDate, Main: checkMainIndex(a), Disposition: f.Disposition,
	}
	for _, act := range f.Acts {
		m.Acts = append(m.Acts, act.Date)
	}
	if p := f.Penalty; p != nil {
		m.PenaltyKind, m.Months, m.Days, m.Suspended = p.Kind, p.Months, p.Days, p.Suspended
	}
	if u := currentUser(c); u != nil {
		m.SignedIn = true
		m.CanApply = u.Role.IsCitizen()
	}
	return s.render(c, http.StatusOK, views.CheckResultPage(m))
}
