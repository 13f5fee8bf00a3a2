package handlers

import (
	"net/http"
	"slices"
	"strconv"

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
	s.guideApply(c, cs)
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

// The guided route: an application opened from the check goes from each
// part saved to the next part still to fill in, rather than back to the task
// list (which stays the hub of an application started from /apply). The
// browser marks the application as guided with a cookie scoped to its own
// pages (/apply/<id>) that holds its id, no personal data.
func (s *Server) applyGuideCookie() string {
	if s.cfg.SecureCookies {
		return "__Secure-guided" // __Host- would need the path /
	}
	return "guided"
}

// guideApply marks application cs as guided in this browser.
func (s *Server) guideApply(c echo.Context, cs portal.Case) {
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: s.applyGuideCookie(), Value: strconv.FormatUint(cs.ID, 10), Path: applyPath(cs.ID, ""), MaxAge: 24 * 3600,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// applyAfterSave is where a saved part leads: the next part still to fill
// in on the guided route, else the task list.
func (s *Server) applyAfterSave(c echo.Context, cs portal.Case) string {
	if ck, err := c.Cookie(s.applyGuideCookie()); err == nil && ck.Value == strconv.FormatUint(cs.ID, 10) {
		return applyFirstOpen(cs, s.today())
	}
	return applyPath(cs.ID, "")
}

// applyFirstOpen is the page of the first part of the application still to
// fill in, in the task list's order; check your answers once all are done.
func applyFirstOpen(cs portal.Case, today portal.Date) string {
	for _, sec := range portal.Sections {
		if sec == portal.SectionDeclarations {
			continue // made on check your answers
		}
		if len(cs.SectionErrors(sec, today)) > 0 {
			return applyPath(cs.ID, sec)
		}
	}
	return applyPath(cs.ID, "check")
}

// The application's flow without detours: each part saved opens the next
// part still to fill in (applyFirstOpen), the documents still needed are
// uploaded together, and the one declaration (the information is true, R23)
// is made on check your answers, next to the send button.

// applyNeededKinds are the kinds of the documents still needed, in the order
// of applyMissingDocs.
func applyNeededKinds(cs portal.Case) []portal.DocumentKind {
	var out []portal.DocumentKind
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity, portal.DocGuardianship, portal.DocPowerOfAttorney} {
		if slices.Contains(applyDocKinds(cs.Capacity), k) && !cs.HasDocument(k) &&
			(k == portal.DocJudgment || k == portal.DocIdentity ||
				k == portal.DocGuardianship && cs.Capacity == portal.CapacityGuardian ||
				k == portal.DocPowerOfAttorney && cs.Capacity == portal.CapacityLawyer) {
			out = append(out, k)
		}
	}
	return out
}

// applyNeededField is the file box of a needed kind.
func applyNeededField(k portal.DocumentKind) string { return "file_" + string(k) }

// handleApplyUploadNeeded serves POST /apply/:id/documents/needed
// (multipart): a file for each document still needed, checked as one upload
// each (handleApplyUpload). Every file that passes is kept; a refused one
// shows the page again with its message at its box. When nothing is missing
// any more, the next part still to fill in opens.
func (s *Server) handleApplyUploadNeeded(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	fe := portal.FieldErrors{}
	budget := portal.NewUploadBudget()
	chosen := 0
	for _, kind := range applyNeededKinds(ac.cs) {
		field := applyNeededField(kind)
		fh, err := c.FormFile(field)
		if err != nil || fh == nil {
			continue
		}
		chosen++
		doc, content, err := readUpload(fh, budget)
		if err == nil {
			doc.Kind, doc.UploadedBy = kind, ac.u.ID
			_, err = s.db.AddDocument(ac.cs.ID, doc, content)
		}
		if err != nil {
			pe, isPE := portal.AsError(err)
			if !isPE || pe.Code != portal.CodeInvalid {
				return err
			}
			fe.Add(field, pe.Key)
		}
	}
	if chosen == 0 {
		if needed := applyNeededKinds(ac.cs); len(needed) > 0 {
			fe.Add(applyNeededField(needed[0]), "upload.required")
		}
	}
	cs, err := s.db.Case(ac.cs.ID)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return s.renderApplyDocuments(c, http.StatusUnprocessableEntity, cs, views.Form{Errors: fe}, "")
	}
	if len(applyMissingDocs(cs)) > 0 {
		return c.Redirect(http.StatusSeeOther, applyPath(cs.ID, "documents?done=uploaded"))
	}
	return c.Redirect(http.StatusSeeOther, s.applyAfterSave(c, cs))
}

// applySplitDeclaration: when the declaration is all that is missing, its
// problem leaves the list (the box is on this page, next to the send
// button), and is returned as the box's error only after a send. With other
// problems the list keeps it, linking to the declarations page.
func applySplitDeclaration(problems []views.ApplyProblem, posted bool) ([]views.ApplyProblem, string) {
	declare := ""
	for _, p := range problems {
		if p.Section != portal.SectionDeclarations {
			return problems, ""
		}
		declare = p.Key
	}
	if !posted {
		declare = ""
	}
	return nil, declare
}

// applyDeclareOnSubmit records the declaration ticked next to the send
// button before the application is sent (the store checks it with every
// other part in the sending transaction).
func (s *Server) applyDeclareOnSubmit(c echo.Context, cs portal.Case) (portal.Case, error) {
	if cs.DeclaredTrue || c.FormValue("declare_true") != "yes" {
		return cs, nil
	}
	return s.db.UpdateDraft(cs.ID, func(d *portal.Case) error { d.DeclaredTrue = true; return nil })
}
