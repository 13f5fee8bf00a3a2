package handlers

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The public eligibility check: a few questions, one per page, each at its
// own address (/check/birth-date, /check/acts, …), and a result that applies
// R1–R10 (portal.EvaluateEligibility). Each question posts to its own address
// and is answered with a redirect (post, redirect, get), so that refreshing
// never posts twice and the browser's Back shows the question before with its
// answer. The answers are kept on the server between pages (store
// CheckAnswers: sealed, one hour, under a random token in an HttpOnly
// cookie); no answer ever goes into a URL. The same rules as the API validate
// the answers (portal.EligibilityFacts.Validate), with their field names
// mapped to the page's field ids.

// checkMaxValue caps what is kept of a typed value: no real answer is longer,
// and a page never echoes a pasted essay back.
const checkMaxValue = 40

// checkState is what the store keeps between pages: the answers as typed,
// the questions already posted (their problems are shown), and the act row
// to focus after "add another date".
type checkState struct {
	A     views.CheckAnswers `json:"a"`
	Tried []views.CheckStep  `json:"tried,omitempty"`
	Focus int                `json:"focus,omitempty"` // 1 + the row; 0 for none
}

func (s *Server) checkCookie() string { return s.cookieName("check") }

// loadCheck reads the browser's answers; none (or expired) is an empty
// check with no token.
func (s *Server) loadCheck(c echo.Context) (checkState, string, error) {
	var st checkState
	ck, err := c.Cookie(s.checkCookie())
	if err != nil || ck.Value == "" || len(ck.Value) > maxTokenBytes {
		return st, "", nil
	}
	raw, err := s.db.CheckAnswers(ck.Value)
	if portal.ErrorCode(err) == portal.CodeNotFound {
		return st, "", nil
	}
	if err != nil {
		return st, "", err
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return checkState{}, "", nil // an older shape: start again
	}
	return st, ck.Value, nil
}

// saveCheck stores the answers and (re)sets the cookie for another hour.
func (s *Server) saveCheck(c echo.Context, token string, st checkState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	token, err = s.db.SaveCheckAnswers(token, raw)
	if err != nil {
		return err
	}
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: s.checkCookie(), Value: token, Path: "/", MaxAge: int(store.CheckAnswersLifetime.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return nil
}

// forgetCheck deletes the answers and the cookie.
func (s *Server) forgetCheck(c echo.Context, token string) error {
	if token != "" {
		if err := s.db.DeleteCheckAnswers(token); err != nil {
			return err
		}
	}
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: s.checkCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return nil
}

// handleCheckStart serves GET /check: what the check is and a start link.
func (s *Server) handleCheckStart(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, views.CheckStartPage(views.CheckStartModel{Page: s.page(c, "check.start.title")}))
}

// checkStepOfPath is the question (or the result) a route's path names.
func checkStepOfPath(c echo.Context) views.CheckStep {
	return views.CheckStep(strings.TrimPrefix(c.Path(), "/check/"))
}

// handleCheckCurrent serves POST /check (a page of the older single-address
// check left open in a tab) and GET /check/restart (the restart button's
// address typed or bookmarked): the current question, answers kept.
func (s *Server) handleCheckCurrent(c echo.Context) error {
	st, _, err := s.loadCheck(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, views.CheckPath(checkCurrent(checkNormalize(st.A), st, s.today())))
}

// handleCheckRestart serves POST /check/restart: the answers are deleted and
// the first question is shown empty.
func (s *Server) handleCheckRestart(c echo.Context) error {
	_, token, err := s.loadCheck(c)
	if err != nil {
		return err
	}
	if err := s.forgetCheck(c, token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, views.CheckPath(views.CheckStepBirthDate))
}

// handleCheckQuestion serves GET /check/<question> and GET /check/result:
// the question with its stored answer (and its problems, once it was
// posted), or the result. A question that is not asked for these answers, or
// one further on than the answers reach, sends the browser to the current
// question.
func (s *Server) handleCheckQuestion(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	st, _, err := s.loadCheck(c)
	if err != nil {
		return err
	}
	today := s.today()
	step := checkStepOfPath(c)
	a := checkNormalize(st.A)
	cur := checkCurrent(a, st, today)
	if step == views.CheckStepResult {
		if cur != views.CheckStepResult {
			return c.Redirect(http.StatusSeeOther, views.CheckPath(cur))
		}
		facts, _ := checkFacts(a, today)
		return s.renderCheckResult(c, a, facts)
	}
	if !checkApplies(a, step, today) || slices.Index(views.CheckSteps, step) > slices.Index(views.CheckSteps, cur) {
		return c.Redirect(http.StatusSeeOther, views.CheckPath(cur))
	}
	v := checkView{a: a, step: step, focusAct: -1, fromResult: c.QueryParam(views.CheckFieldFrom) == views.CheckFromResult}
	if step == views.CheckStepActs {
		// The rows as posted, with an empty one just added.
		v.a.Acts = st.A.Acts
		if len(v.a.Acts) == 0 {
			v.a.Acts = []views.CheckDate{{}}
		}
		v.focusAct = st.Focus - 1
		v.a.Main = st.A.Main
	}
	if slices.Contains(st.Tried, step) {
		_, v.errs = checkFacts(a, today)
	}
	return s.renderCheckStep(c, http.StatusOK, v)
}

// handleCheckAnswer serves POST /check/<question>: the question's own
// answers replace the stored ones. The add and remove buttons change the
// number of act dates and show the acts again; "continue" shows the question
// again when it has a problem, else the next question asked (skipping what
// the rules no longer need), or, for a change started from the result, the
// first question still to answer or the result.
func (s *Server) handleCheckAnswer(c echo.Context) error {
	st, token, err := s.loadCheck(c)
	if err != nil {
		return err
	}
	today := s.today()
	step := checkStepOfPath(c)
	from := ""
	if c.FormValue(views.CheckFieldFrom) == views.CheckFromResult {
		from = "?" + views.CheckFieldFrom + "=" + views.CheckFromResult
	}
	bindCheckStep(c, step, &st.A)
	st.Focus = 0
	if step == views.CheckStepActs {
		switch c.FormValue(views.CheckFieldAction) {
		case views.CheckActionAddAct:
			if len(st.A.Acts) < views.CheckMaxActs {
				st.A.Acts = append(st.A.Acts, views.CheckDate{})
				st.Focus = len(st.A.Acts)
			}
			if err := s.saveCheck(c, token, st); err != nil {
				return err
			}
			return c.Redirect(http.StatusSeeOther, views.CheckPath(step)+from)
		case views.CheckActionRemoveAct:
			if len(st.A.Acts) > 1 {
				st.A.Acts = st.A.Acts[:len(st.A.Acts)-1]
			}
			if err := s.saveCheck(c, token, st); err != nil {
				return err
			}
			return c.Redirect(http.StatusSeeOther, views.CheckPath(step)+from)
		}
	}
	st.A = checkNormalize(st.A)
	if !slices.Contains(st.Tried, step) {
		st.Tried = append(st.Tried, step)
	}
	if err := s.saveCheck(c, token, st); err != nil {
		return err
	}
	_, errs := checkFacts(st.A, today)
	if checkStepHasError(errs, step) {
		return c.Redirect(http.StatusSeeOther, views.CheckPath(step)+from)
	}
	cur := checkCurrent(st.A, st, today)
	next := checkNext(st.A, step, today)
	if from != "" || slices.Index(views.CheckSteps, cur) < slices.Index(views.CheckSteps, next) {
		next = cur
	}
	return c.Redirect(http.StatusSeeOther, views.CheckPath(next))
}

// checkCurrent is the first question asked that is not answered, or has a
// problem; the result when there is none.
func checkCurrent(a views.CheckAnswers, st checkState, today portal.Date) views.CheckStep {
	_, errs := checkFacts(a, today)
	for _, step := range views.CheckSteps {
		if step == views.CheckStepResult {
			break
		}
		if !checkApplies(a, step, today) {
			continue
		}
		if !checkAnswered(a, step) || checkStepHasError(errs, step) {
			return step
		}
	}
	return views.CheckStepResult
}

// checkNext is the question asked after step (or the result).
func checkNext(a views.CheckAnswers, step views.CheckStep, today portal.Date) views.CheckStep {
	for _, st := range views.CheckSteps[slices.Index(views.CheckSteps, step)+1:] {
		if st == views.CheckStepResult || checkApplies(a, st, today) {
			return st
		}
	}
	return views.CheckStepResult
}

// bindCheckStep reads the answers of one question into a; nothing else is
// read. The number of act rows comes from the hidden acts-count field.
func bindCheckStep(c echo.Context, step views.CheckStep, a *views.CheckAnswers) {
	date := func(base string) views.CheckDate {
		return views.CheckDate{Year: checkValue(c, base+"-year"), Month: checkValue(c, base+"-month"), Day: checkValue(c, base+"-day")}
	}
	switch step {
	case views.CheckStepBirthDate:
		a.Birth = date(views.CheckFieldBirth)
	case views.CheckStepActs:
		n, err := strconv.Atoi(c.FormValue(views.CheckFieldActsCount))
		if err != nil || n < 1 {
			n = 1
		}
		a.Acts = nil
		for i := range min(n, views.CheckMaxActs) {
			a.Acts = append(a.Acts, date(views.CheckActField(i)))
		}
	case views.CheckStepMainAct:
		a.Main = checkValue(c, views.CheckFieldMain)
	case views.CheckStepOutcome:
		a.Disposition = checkValue(c, views.CheckFieldDisposition)
	case views.CheckStepPenalty:
		a.PenaltyKind = checkValue(c, views.CheckFieldPenaltyKind)
	case views.CheckStepTerm:
		a.Years, a.Months, a.Days = checkValue(c, views.CheckFieldYears), checkValue(c, views.CheckFieldMonths), checkValue(c, views.CheckFieldDays)
		a.Suspended = c.FormValue(views.CheckFieldSuspended) == "yes"
	}
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
		a.Years, a.Months, a.Days, a.Suspended = "", "", "", false
	}
	return a
}

// checkApplies reports whether question st is asked, given the answers: not
// how the case ended, nor the sentence, once the dates alone decide (R6).
func checkApplies(a views.CheckAnswers, st views.CheckStep, today portal.Date) bool {
	switch st {
	case views.CheckStepOutcome, views.CheckStepPenalty, views.CheckStepTerm:
		if _, decided := checkDecided(a, today); decided {
			return false
		}
	}
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

// checkDecided is the decision of the dates alone (R6, portal.DecidedByDates)
// once the date of birth and the acts are answered without a problem.
func checkDecided(a views.CheckAnswers, today portal.Date) (portal.Decision, bool) {
	f, errs := checkFacts(a, today)
	for _, st := range []views.CheckStep{views.CheckStepBirthDate, views.CheckStepActs, views.CheckStepMainAct} {
		if checkStepHasError(errs, st) {
			return portal.Decision{}, false
		}
	}
	return portal.DecidedByDates(f.BirthDate, f.Acts)
}

// checkPrev is the address of the question before st that is asked; the
// start page before the first.
func checkPrev(a views.CheckAnswers, st views.CheckStep, today portal.Date) string {
	i := slices.Index(views.CheckSteps, st)
	for i--; i >= 0; i-- {
		if checkApplies(a, views.CheckSteps[i], today) {
			return views.CheckPath(views.CheckSteps[i])
		}
	}
	return "/check"
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
		return a.Years != "" || a.Months != "" || a.Days != ""
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
	case id == views.CheckFieldYears || id == views.CheckFieldMonths || id == views.CheckFieldDays || id == views.CheckFieldSuspended:
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
		return views.CheckFieldYears
	case "penalty.days":
		return views.CheckFieldDays
	case "penalty.suspended":
		// R29: a suspension beyond three years is said on the term's page.
		return views.CheckFieldYears
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
			// The term as the judgment writes it: years and months (R29:
			// at most 25 years even when combined).
			if a.Years == "" && a.Months == "" {
				add(views.CheckFieldYears, "checkflow.term_required")
			}
			if a.Years != "" {
				if n, ok := checkNumber(a.Years); ok && n <= 25 {
					p.Months += 12 * n
				} else {
					add(views.CheckFieldYears, "checkflow.years_invalid")
				}
			}
			if a.Months != "" {
				if n, ok := checkNumber(a.Months); ok {
					p.Months += n
				} else {
					add(views.CheckFieldMonths, "checkflow.months_invalid")
				}
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
	a          views.CheckAnswers
	step       views.CheckStep
	errs       map[string]string // by field id; only the step's own are shown
	focusAct   int               // the act row just added, -1 for none
	fromResult bool              // a change started from the result page
}

// renderCheckStep shows a question with the answers.
func (s *Server) renderCheckStep(c echo.Context, status int, v checkView) error {
	a, st := v.a, v.step
	m := views.CheckStepModel{
		Page: s.page(c, checkTitles[st]), Step: st, Back: checkPrev(a, st, s.today()), Answers: a, FocusAct: v.focusAct, FromResult: v.fromResult,
		Form: views.Form{Values: map[string]string{views.CheckFieldYears: a.Years, views.CheckFieldMonths: a.Months, views.CheckFieldDays: a.Days}, Errors: map[string]string{}},
	}
	var order []string
	switch st {
	case views.CheckStepActs:
		for i := range a.Acts {
			order = append(order, views.CheckActField(i))
		}
	case views.CheckStepTerm:
		order = []string{views.CheckFieldYears, views.CheckFieldMonths, views.CheckFieldDays}
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
	d, decided := checkDecided(a, s.today())
	if !decided {
		d = portal.EvaluateEligibility(f)
	}
	m := views.CheckResultModel{
		Page:    s.page(c, "check.result.title"),
		Outcome: d.Outcome, Rules: d.Rules, ReasonKey: d.ReasonKey, Decided: decided,
		BirthDate: f.BirthDate, Main: checkMainIndex(a), Disposition: f.Disposition,
	}
	for _, r := range d.Rules {
		// The articles of law behind each rule; the rule ids themselves are
		// the portal's and never shown to citizens.
		if key := "checkflow.basis." + r; views.HasMessage(key) && !slices.Contains(m.Basis, key) {
			m.Basis = append(m.Basis, key)
		}
	}
	for _, act := range f.Acts {
		m.Acts = append(m.Acts, act.Date)
	}
	if p := f.Penalty; p != nil && !decided {
		m.PenaltyKind, m.Months, m.Days, m.Suspended = p.Kind, p.Months, p.Days, p.Suspended
	}
	if u := currentUser(c); u != nil {
		m.SignedIn = true
		m.CanApply = u.Role.IsCitizen()
	}
	return s.render(c, http.StatusOK, views.CheckResultPage(m))
}
