package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// From the eligibility check to an application without typing anything
// twice: a signed-in citizen's "Apply now" (POST /check/apply), and a
// visitor's "Register and apply" (the register form and its code page carry
// then=apply; the code signs the new account in, handleRegisterCode). Both
// create a new application with the check's answers filled in (the dates of
// the acts and the main act, how the case ended, the sentence and its term;
// the date of birth where the application takes it as typed) and open the
// first part still to fill in. The check's answers are then deleted: they
// live on in the application.

// registerThenApply is the value of the register form's "then" field that
// asks to land on a new application.
const registerThenApply = "apply"

// registerThen reads the register and code forms' "then" field; nothing but
// registerThenApply is kept.
func registerThen(c echo.Context) string {
	if c.FormValue("then") == registerThenApply || c.QueryParam("then") == registerThenApply {
		return registerThenApply
	}
	return ""
}

// handleCheckApply serves POST /check/apply: a new application of the
// signed-in citizen with the check's answers.
func (s *Server) handleCheckApply(c echo.Context) error {
	u := currentUser(c)
	cs, err := s.applyFromCheck(c, *u)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, applyFirstOpen(cs, s.today()))
}

// registerAndApply signs a just-registered account in (the code proved the
// mobile number, as a password would) and opens a new application with the
// check's answers.
func (s *Server) registerAndApply(c echo.Context, acct portal.Account) error {
	if err := s.db.RecordLoginSuccess(acct.ID, "", requestID(c)); err != nil {
		return err
	}
	if err := s.startSession(c, acct); err != nil {
		return err
	}
	cs, err := s.applyFromCheck(c, acct)
	if err != nil {
		return err
	}
	return s.afterLogin(c, acct, applyFirstOpen(cs, s.today()))
}

// applyFromCheck creates the application: what a new application of the
// account holds (applyNewDraft), and every answer of the check that passed
// its checks. Answers that expired give an application without them.
func (s *Server) applyFromCheck(c echo.Context, u portal.Account) (portal.Case, error) {
	st, token, err := s.loadCheck(c)
	if err != nil {
		return portal.Case{}, err
	}
	draft := applyNewDraft(&u)
	if token != "" {
		checkPrefill(&draft, checkNormalize(st.A), s.today())
	}
	cs, err := s.db.CreateDraft(draft, u.ID)
	if err != nil {
		return cs, err
	}
	return cs, s.forgetCheck(c, token)
}

// checkPrefill fills the draft with the check's answers, each only when it
// has no problem (a wrong answer is left for the application's own page).
func checkPrefill(d *portal.Case, a views.CheckAnswers, today portal.Date) {
	f, errs := checkFacts(a, today)
	ok := func(st views.CheckStep) bool { return !checkStepHasError(errs, st) }
	if ok(views.CheckStepActs) && ok(views.CheckStepMainAct) {
		for _, act := range f.Acts {
			if !act.Date.IsZero() {
				// R5: the main act is the court's finding as the person
				// read it in the judgment, never computed.
				d.Acts = append(d.Acts, portal.Act{Date: act.Date, Main: act.Main})
			}
		}
	}
	if _, decided := checkDecided(a, today); decided {
		return // R6: how the case ended was not asked
	}
	if ok(views.CheckStepOutcome) && f.Disposition.Valid() {
		d.Disposition = f.Disposition
		if p := f.Penalty; p != nil && ok(views.CheckStepPenalty) && ok(views.CheckStepTerm) && p.Kind.Valid() {
			pen := *p
			d.Penalty = &pen
		}
	}
	// The date of birth as typed: an application takes it from the person's
	// identity number, except for a document whose number carries none
	// (R31), where it is this date. The person applying for himself has his
	// account's document; a guardian's ward is under 18 (else the guardian
	// could not file, R1).
	if ok(views.CheckStepBirthDate) && !f.BirthDate.IsZero() && d.Capacity != portal.CapacitySelf &&
		(d.Capacity != portal.CapacityGuardian || portal.Under18On(f.BirthDate, today)) {
		d.PersonDocBirth = f.BirthDate
	}
}

// applyFirstOpen is the page of the first part of the application still to
// fill in, in the task list's order; check your answers once all are done.
func applyFirstOpen(cs portal.Case, today portal.Date) string {
	for _, sec := range portal.Sections {
		if len(cs.SectionErrors(sec, today)) > 0 {
			return applyPath(cs.ID, sec)
		}
	}
	return applyPath(cs.ID, "check")
}
