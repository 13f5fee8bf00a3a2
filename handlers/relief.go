package handlers

import (
	"errors"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Relief requests as the applicant makes and follows them (R24), and the
// organs' answers to the supervisor's correction notices. A request is only
// ever shown to the account that filed it (and the supervisor): anyone else
// gets the same 404 as for a number that does not exist.
//
// The form is one medium page; its answers become a draft, evidence is
// added to the draft, check your answers shows everything with change links,
// and sending gives the reference number.

// reliefInput is what the relief form posts; nothing else is read.
type reliefInput struct {
	PersonName, Kind, HappenedOn, UnitName, UnitKind, Description, LinkedCase string
	Remedies                                                                  []string
}

func bindRelief(c echo.Context) reliefInput {
	in := reliefInput{PersonName: c.FormValue("person_name"), Kind: c.FormValue("kind"), HappenedOn: strings.TrimSpace(c.FormValue("happened_on")),
		UnitName: c.FormValue("unit_name"), UnitKind: c.FormValue("unit_kind"), Description: c.FormValue("description"),
		LinkedCase: c.FormValue("linked_case")}
	if form, err := c.FormParams(); err == nil {
		in.Remedies = form["remedies"]
	}
	return in
}

func (in reliefInput) values() map[string]string {
	return map[string]string{"person_name": in.PersonName, "kind": in.Kind, "happened_on": in.HappenedOn, "unit_name": in.UnitName,
		"unit_kind": in.UnitKind, "description": in.Description, "linked_case": in.LinkedCase}
}

func (in reliefInput) remedies() map[string]bool {
	out := map[string]bool{}
	for _, r := range in.Remedies {
		out[r] = true
	}
	return out
}

// apply writes the answers onto r. What cannot even be read (a date in
// another format, a case number that is not one of the applicant's) is
// reported here; everything else is the domain's Validate.
func (in reliefInput) apply(r *portal.ReliefRequest, cases []views.ReliefCaseOption) portal.FieldErrors {
	var fe portal.FieldErrors
	r.PersonName, r.Kind, r.UnitName, r.UnitKind, r.Description = in.PersonName, portal.ReliefKind(in.Kind), in.UnitName,
		portal.UnitKind(in.UnitKind), in.Description
	r.HappenedOn = portal.Date{}
	if in.HappenedOn != "" {
		if d, ok := portal.ParseDate(in.HappenedOn); ok && d.Year >= 1900 {
			r.HappenedOn = d
		} else {
			fe.Add("happened_on", "relief.happened_invalid")
		}
	}
	r.Remedies = nil
	for _, m := range portal.ReliefRemedies { // in the form's order, each once
		if slices.Contains(in.Remedies, string(m)) {
			r.Remedies = append(r.Remedies, m)
		}
	}
	if len(in.Remedies) > len(r.Remedies) && len(r.Remedies) == 0 {
		fe.Add("remedies", "relief.remedies_required")
	}
	r.LinkedCaseID = 0
	if in.LinkedCase != "" {
		id, err := strconv.ParseUint(in.LinkedCase, 10, 64)
		if err != nil || !slices.ContainsFunc(cases, func(o views.ReliefCaseOption) bool { return o.ID == id }) {
			fe.Add("linked_case", "relief.linked_case_invalid")
		} else {
			r.LinkedCaseID = id
		}
	}
	return fe
}

// reliefAnswersOf fills the form's values from a stored request.
func reliefAnswersOf(r portal.ReliefRequest) reliefInput {
	in := reliefInput{PersonName: r.PersonName, Kind: string(r.Kind), UnitName: r.UnitName, UnitKind: string(r.UnitKind), Description: r.Description}
	if !r.HappenedOn.IsZero() {
		in.HappenedOn = r.HappenedOn.String()
	}
	if r.LinkedCaseID != 0 {
		in.LinkedCase = strconv.FormatUint(r.LinkedCaseID, 10)
	}
	for _, m := range r.Remedies {
		in.Remedies = append(in.Remedies, string(m))
	}
	return in
}

// reliefCases are the applicant's own sent sealing cases, to link one.
func (s *Server) reliefCases(account uint64) ([]views.ReliefCaseOption, error) {
	list, err := s.db.CasesOfAccount(account)
	if err != nil {
		return nil, err
	}
	var out []views.ReliefCaseOption
	for _, sum := range list {
		if sum.Case.Ref == "" || sum.Case.Status == portal.StatusDraft {
			continue
		}
		out = append(out, views.ReliefCaseOption{ID: sum.Case.ID, Ref: sum.Case.Ref})
	}
	return out, nil
}

// reliefFormModel builds the form page.
func (s *Server) reliefFormModel(c echo.Context, id uint64, in reliefInput, fe portal.FieldErrors) (views.ReliefFormModel, error) {
	u := currentUser(c)
	cases, err := s.reliefCases(u.ID)
	if err != nil {
		return views.ReliefFormModel{}, err
	}
	m := views.ReliefFormModel{Page: s.page(c, "relief.form_title"), ID: id, Form: views.Form{Values: in.values(), Errors: fe},
		Remedies: in.remedies(), Cases: cases, AskPerson: u.Role == portal.RoleGuardian || u.Role == portal.RoleLawyer,
		Today: s.today().String(), Back: "/relief"}
	if id != 0 {
		m.Page.Path = "/relief/" + strconv.FormatUint(id, 10) + "/edit"
		m.Back = "/relief/" + strconv.FormatUint(id, 10) + "/check"
	} else {
		m.Page.Path = "/relief/new"
	}
	return m, nil
}

// reliefFormFail re-renders the form with what was typed and a message per
// field.
func (s *Server) reliefFormFail(c echo.Context, id uint64, in reliefInput, err error) error {
	var fe portal.FieldErrors
	form, ok := formError(err, in.values())
	if !ok {
		return err
	}
	fe = form.Errors
	m, merr := s.reliefFormModel(c, id, in, fe)
	if merr != nil {
		return merr
	}
	m.Form.Summary = form.Summary
	return s.render(c, http.StatusUnprocessableEntity, views.ReliefFormPage(m))
}

// handleReliefNew serves GET /relief/new: the empty form.
func (s *Server) handleReliefNew(c echo.Context) error {
	m, err := s.reliefFormModel(c, 0, reliefInput{}, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ReliefFormPage(m))
}

// handleReliefCreate serves POST /relief/new: the answers become a draft and
// the applicant goes on to the evidence.
func (s *Server) handleReliefCreate(c echo.Context) error {
	u := currentUser(c)
	in := bindRelief(c)
	cases, err := s.reliefCases(u.ID)
	if err != nil {
		return err
	}
	r := portal.ReliefRequest{Capacity: portal.CapacityOf(u.Role)}
	fe := in.apply(&r, cases)
	if err := fe.Err(); err != nil {
		return s.reliefFormFail(c, 0, in, reliefMerge(err, r.Validate(s.today())))
	}
	db, err := s.submissionStore(c) // outcome.go: a retry creates nothing twice
	if err != nil {
		return err
	}
	r, err = db.CreateReliefDraft(r, u.ID)
	if err != nil {
		return s.reliefFormFail(c, 0, in, err)
	}
	return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"/evidence")
}

// reliefMerge joins the field errors of binding and of validation, the
// binding's first, so that the whole form is checked at once.
func reliefMerge(errs ...error) error {
	var fe portal.FieldErrors
	for _, err := range errs {
		if pe, ok := portal.AsError(err); ok {
			for k, v := range pe.Fields {
				fe.Add(k, v)
			}
		}
	}
	return fe.Err()
}

// reliefLoad reads the route's request for the signed-in citizen: only the
// account that filed it sees it; anyone else gets a 404.
func (s *Server) reliefLoad(c echo.Context) (portal.ReliefRequest, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return portal.ReliefRequest{}, err
	}
	r, err := s.db.Relief(id)
	if err != nil {
		return portal.ReliefRequest{}, err
	}
	u := currentUser(c)
	if u == nil || r.FiledBy != u.ID {
		return portal.ReliefRequest{}, portal.NotFound()
	}
	if u.Role == portal.RoleGuardian && r.LinkedCaseID != 0 {
		// R1, issue 11: on the person's 18th birthday the guardian's access
		// to relief on that case ends with the rest; the page says so.
		cs, err := s.db.Case(r.LinkedCaseID)
		if err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
			return portal.ReliefRequest{}, err
		}
		if err == nil && portal.GuardianAccessEnded(cs, s.today()) {
			return portal.ReliefRequest{}, portal.Forbidden("identity.guardian_access_ended")
		}
	}
	return r, nil
}

// reliefDraft reads the applicant's own draft; a sent request goes to its
// page instead (ok false, redirected).
func (s *Server) reliefDraft(c echo.Context) (portal.ReliefRequest, bool, error) {
	r, err := s.reliefLoad(c)
	if err != nil {
		return r, false, err
	}
	if r.Status != portal.ReliefDraft {
		return r, false, c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10))
	}
	return r, true, nil
}

// handleReliefEdit serves GET /relief/:id/edit: the draft's answers to change.
func (s *Server) handleReliefEdit(c echo.Context) error {
	r, ok, err := s.reliefDraft(c)
	if !ok {
		return err
	}
	m, err := s.reliefFormModel(c, r.ID, reliefAnswersOf(r), nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ReliefFormPage(m))
}

// handleReliefUpdate serves POST /relief/:id/edit: changed answers, then
// back to check your answers.
func (s *Server) handleReliefUpdate(c echo.Context) error {
	r, ok, err := s.reliefDraft(c)
	if !ok {
		return err
	}
	u := currentUser(c)
	in := bindRelief(c)
	cases, err := s.reliefCases(u.ID)
	if err != nil {
		return err
	}
	next := r
	if fe := in.apply(&next, cases); len(fe) > 0 {
		return s.reliefFormFail(c, r.ID, in, reliefMerge(fe.Err(), next.Validate(s.today())))
	}
	if _, err := s.db.UpdateReliefDraft(r.ID, u.ID, func(d *portal.ReliefRequest) error {
		d.PersonName, d.Kind, d.HappenedOn, d.UnitName, d.UnitKind = next.PersonName, next.Kind, next.HappenedOn, next.UnitName, next.UnitKind
		d.Description, d.Remedies, d.LinkedCaseID = next.Description, next.Remedies, next.LinkedCaseID
		return nil
	}); err != nil {
		return s.reliefFormFail(c, r.ID, in, err)
	}
	return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"/check")
}

func reliefDocs(base string, docs []portal.Document) []views.ReliefDocument {
	var out []views.ReliefDocument
	for _, d := range docs {
		out = append(out, views.ReliefDocument{ID: d.ID, URL: base + "/documents/" + strconv.FormatUint(d.ID, 10), Name: d.Name,
			MediaType: d.MediaType, Size: d.Size, UploadedAt: d.UploadedAt})
	}
	return out
}

func (s *Server) reliefEvidenceModel(c echo.Context, r portal.ReliefRequest) views.ReliefEvidenceModel {
	base := "/relief/" + strconv.FormatUint(r.ID, 10)
	m := views.ReliefEvidenceModel{Page: s.page(c, "relief.evidence_heading"), ID: r.ID, Documents: reliefDocs(base, r.Documents),
		Full: len(r.Documents) >= portal.MaxDocumentsPerCase}
	m.Page.Path = base + "/evidence"
	return m
}

// handleReliefEvidence serves GET /relief/:id/evidence.
func (s *Server) handleReliefEvidence(c echo.Context) error {
	r, ok, err := s.reliefDraft(c)
	if !ok {
		return err
	}
	m := s.reliefEvidenceModel(c, r)
	switch c.QueryParam("done") {
	case "uploaded":
		m.NoticeKey = "relief.notice.uploaded"
	case "removed":
		m.NoticeKey = "relief.notice.removed"
	}
	return s.render(c, http.StatusOK, views.ReliefEvidencePage(m))
}

// handleReliefUpload serves POST /relief/:id/evidence (multipart, one or more
// files): each is checked by its content (PDF, JPEG or PNG, at most 10 MB),
// at most 20 in all.
func (s *Server) handleReliefUpload(c echo.Context) error {
	r, ok, err := s.reliefDraft(c)
	if !ok {
		return err
	}
	fail := func(err error) error {
		form, ok := formError(err, nil)
		if !ok {
			return err
		}
		if len(form.Errors) == 0 {
			form.Errors = map[string]string{"file": form.Summary}
			form.Summary = ""
		}
		m := s.reliefEvidenceModel(c, r)
		m.Form = form
		return s.render(c, http.StatusUnprocessableEntity, views.ReliefEvidencePage(m))
	}
	mf, err := c.MultipartForm()
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	var headers []*multipart.FileHeader
	if mf != nil {
		headers = mf.File["file"]
	}
	if len(headers) == 0 {
		return fail(&portal.Error{Code: portal.CodeInvalid, Key: "upload.required", Fields: map[string]string{"file": "upload.required"}})
	}
	if len(r.Documents)+len(headers) > portal.MaxDocumentsPerCase {
		return fail(&portal.Error{Code: portal.CodeInvalid, Key: "upload.too_many", Fields: map[string]string{"file": "relief.too_many_files"}})
	}
	u := currentUser(c)
	var docs []portal.Document
	var files [][]byte
	for _, fh := range headers {
		d, content, err := readUpload(fh, portal.NewUploadBudget())
		if err != nil {
			return fail(err)
		}
		docs, files = append(docs, d), append(files, content)
	}
	if _, err := s.db.AddReliefDocuments(r.ID, u.ID, docs, files); err != nil {
		return fail(err)
	}
	return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"/evidence?done=uploaded")
}

// handleReliefRemoveDocument serves POST /relief/:id/evidence/:doc/delete.
func (s *Server) handleReliefRemoveDocument(c echo.Context) error {
	r, ok, err := s.reliefDraft(c)
	if !ok {
		return err
	}
	docID, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	if err := s.db.RemoveReliefDocument(r.ID, docID, currentUser(c).ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"/evidence?done=removed")
}

// reliefAnswers is what the views show of the applicant's answers; the
// linked case opens on the reader's own page of it (caseURL "" for none).
func reliefAnswers(r portal.ReliefRequest, caseURL string) views.ReliefAnswers {
	a := views.ReliefAnswers{Capacity: r.Capacity, PersonName: r.PersonName, Kind: r.Kind, HappenedOn: r.HappenedOn, UnitName: r.UnitName,
		UnitKind: r.UnitKind, Description: r.Description, Remedies: r.Remedies, LinkedCaseRef: r.LinkedCaseRef}
	if r.LinkedCaseID != 0 && caseURL != "" {
		a.LinkedCaseURL = caseURL + strconv.FormatUint(r.LinkedCaseID, 10)
	}
	return a
}

func (s *Server) reliefCheckModel(c echo.Context, r portal.ReliefRequest) views.ReliefCheckModel {
	base := "/relief/" + strconv.FormatUint(r.ID, 10)
	m := views.ReliefCheckModel{Page: s.page(c, "relief.check_heading"), ID: r.ID, Answers: reliefAnswers(r, ""),
		Documents: reliefDocs(base, r.Documents)}
	m.Page.Path = base + "/check"
	// R24: the deadline if sent today; in a year the calendar lacks, it will
	// be set when the official calendar is published.
	due, err := s.cfg.Calendar.Due(s.today(), portal.Policy.ReliefHandling)
	if err == nil {
		m.Due = due
	}
	m.DueAwaitsCalendar = portal.IsCalendarMissing(err)
	return m
}

// handleReliefCheck serves GET /relief/:id/check: check your answers.
func (s *Server) handleReliefCheck(c echo.Context) error {
	r, ok, err := s.reliefDraft(c)
	if !ok {
		return err
	}
	return s.render(c, http.StatusOK, views.ReliefCheckPage(s.reliefCheckModel(c, r)))
}

// handleReliefSubmit serves POST /relief/:id/submit: the request goes to the
// supervisor's queue with its deadline and reference number.
func (s *Server) handleReliefSubmit(c echo.Context) error {
	r, err := s.reliefLoad(c)
	if err != nil {
		return err
	}
	if r.Status != portal.ReliefDraft {
		// Sent already: a retry (after a commit of unknown outcome, or a
		// second press) answers with the confirmation (outcome.go).
		return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"/confirmation")
	}
	u := currentUser(c)
	_, err = s.db.ApplyRelief(r.ID, store.ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: u.ID, Role: u.Role, RequestID: requestID(c)}, s.cfg.Calendar)
	if err != nil {
		form, ok := formError(err, nil)
		if !ok {
			return err
		}
		m := s.reliefCheckModel(c, r)
		m.Form = form
		return s.render(c, http.StatusUnprocessableEntity, views.ReliefCheckPage(m))
	}
	return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"/confirmation")
}

// handleReliefConfirmation serves GET /relief/:id/confirmation: the
// reference number.
func (s *Server) handleReliefConfirmation(c echo.Context) error {
	r, err := s.reliefLoad(c)
	if err != nil {
		return err
	}
	if r.Status == portal.ReliefDraft {
		return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"/check")
	}
	return s.render(c, http.StatusOK, views.ReliefDonePage(views.ReliefDoneModel{Page: s.page(c, "relief.done_title"), ID: r.ID, Ref: r.Ref, Due: r.Due, DueAwaitsCalendar: r.DueAwaitsCalendar}))
}

// reliefRows lists an account's relief requests: open ones by deadline
// first, finished ones and drafts after (also for the "my cases" page).
func (s *Server) reliefRows(account uint64) ([]views.ReliefListRow, error) {
	list, err := s.db.ReliefOfAccount(account)
	if err != nil {
		return nil, err
	}
	today := s.today()
	var rows []views.ReliefListRow
	for _, r := range list {
		rows = append(rows, views.ReliefListRow{ID: r.ID, Ref: r.Ref, Draft: r.Status == portal.ReliefDraft, Status: r.Status,
			Kind: r.Kind, Due: r.Due, Overdue: r.Overdue(today), DueAwaitsCalendar: r.DueAwaitsCalendar && r.Status.Open()})
	}
	slices.SortStableFunc(rows, func(a, b views.ReliefListRow) int {
		ao, bo := a.Status.Open(), b.Status.Open()
		switch {
		case ao != bo:
			if ao {
				return -1
			}
			return 1
		case ao && a.Due.IsZero() != b.Due.IsZero():
			// A deadline still to be set (or none) comes after the dated ones.
			if b.Due.IsZero() {
				return -1
			}
			return 1
		case ao && a.Due != b.Due:
			if a.Due.Before(b.Due) {
				return -1
			}
			return 1
		}
		return 0
	})
	return rows, nil
}

// handleReliefList serves GET /relief: my relief requests with status and
// deadline.
func (s *Server) handleReliefList(c echo.Context) error {
	rows, err := s.reliefRows(currentUser(c).ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ReliefListPage(views.ReliefListModel{Page: s.page(c, "relief.list_title"), Rows: rows}))
}

// reliefMayAct reports whether the applicant may take new steps: a guardian
// only while the person of the linked case is under 18 (R1); the person and
// the lawyer always.
func (s *Server) reliefMayAct(u *portal.Account, r portal.ReliefRequest) (bool, error) {
	if u.Role != portal.RoleGuardian || r.LinkedCaseID == 0 {
		return true, nil
	}
	cs, err := s.db.Case(r.LinkedCaseID)
	if err != nil {
		return false, err
	}
	return portal.GuardianMayAct(cs, s.today()), nil
}

// organName looks an organ's name up ("" for none or an unknown one).
type reliefOrganNames map[uint64]string

func (s *Server) reliefOrganNames() (reliefOrganNames, error) {
	organs, err := s.db.Organs()
	if err != nil {
		return nil, err
	}
	out := reliefOrganNames{}
	for _, o := range organs {
		out[o.ID] = o.Name
	}
	return out, nil
}

func reliefTimeline(r portal.ReliefRequest, names reliefOrganNames) []views.ReliefTimelineItem {
	var out []views.ReliefTimelineItem
	for _, ev := range r.Events {
		if ev.Action == portal.ReliefCreate {
			continue // the draft is the applicant's own business; the history starts when it is sent
		}
		out = append(out, views.ReliefTimelineItem{Event: ev, OrganName: names[ev.OrganID]})
	}
	return out
}

func reliefMessageViews(msgs []portal.ReliefMessage, reader uint64, base string) []views.ReliefMessageView {
	var out []views.ReliefMessageView
	for _, m := range msgs {
		out = append(out, views.ReliefMessageView{Mine: m.From == reader, FromSupervisor: m.FromRole == portal.RoleSupervisor,
			FromRole: m.FromRole, Text: m.Text, At: m.At, Documents: reliefDocs(base, m.Documents)})
	}
	return out
}

// reliefPageModel builds the applicant's page of a request.
func (s *Server) reliefPageModel(c echo.Context, r portal.ReliefRequest) (views.ReliefPageModel, error) {
	u := currentUser(c)
	mayAct, err := s.reliefMayAct(u, r)
	if err != nil {
		return views.ReliefPageModel{}, err
	}
	names, err := s.reliefOrganNames()
	if err != nil {
		return views.ReliefPageModel{}, err
	}
	msgs, err := s.db.ReliefMessages(r.ID)
	if err != nil {
		return views.ReliefPageModel{}, err
	}
	base := "/relief/" + strconv.FormatUint(r.ID, 10)
	// Documents that came with a message are shown with it.
	inMessages := map[uint64]bool{}
	for _, m := range msgs {
		for _, d := range m.Documents {
			inMessages[d.ID] = true
		}
	}
	var evidence []portal.Document
	for _, d := range r.Documents {
		if !inMessages[d.ID] {
			evidence = append(evidence, d)
		}
	}
	m := views.ReliefPageModel{Page: s.page(c, "relief.page_title"), ID: r.ID, Ref: r.Ref, Status: r.Status, Due: r.Due,
		DueAwaitsCalendar: r.DueAwaitsCalendar && r.Status.Open(), Overdue: r.Overdue(s.today()), Answers: reliefAnswers(r, "/cases/"), Timeline: reliefTimeline(r, names),
		Documents: reliefDocs(base, evidence), Messages: reliefMessageViews(msgs, u.ID, base), MayAct: mayAct,
		CanMessage:  mayAct && r.Status.Open(),
		CanWithdraw: mayAct && slices.Contains(portal.AllowedRelief(r.Status, portal.ReliefActorApplicant), portal.ReliefWithdraw)}
	m.Page.Path = base
	if r.Status == portal.ReliefClosed || r.Status == portal.ReliefDeclined {
		m.Outcome = r.Outcome
	}
	if r.Status == portal.ReliefInfoRequested {
		for _, ev := range r.Events {
			if ev.Action == portal.ReliefAskInfo {
				m.Question = ev.Note
			}
		}
	}
	if !mayAct {
		m.ReadOnlyKey = "relief.read_only_guardian"
	}
	switch c.QueryParam("done") {
	case "message":
		m.NoticeKey = "relief.notice.message"
	case "withdrawn":
		m.NoticeKey = "relief.notice.withdrawn"
	}
	return m, nil
}

// handleReliefShow serves GET /relief/:id: the request's status, deadline,
// outcome, timeline, answers, files and messages.
func (s *Server) handleReliefShow(c echo.Context) error {
	r, err := s.reliefLoad(c)
	if err != nil {
		return err
	}
	if r.Status == portal.ReliefDraft {
		return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"/check")
	}
	// Issue 16: opening what a notification points to reads it.
	if _, err := s.db.MarkNotificationsReadFor(currentUser(c).ID, r.Ref); err != nil {
		return err
	}
	m, err := s.reliefPageModel(c, r)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ReliefPage(m))
}

// handleReliefDocument serves GET /relief/:id/documents/:doc: a file of the
// applicant's own request, as an attachment.
func (s *Server) handleReliefDocument(c echo.Context) error {
	r, err := s.reliefLoad(c)
	if err != nil {
		return err
	}
	return s.reliefServeDocument(c, r)
}

func (s *Server) reliefServeDocument(c echo.Context, r portal.ReliefRequest) error {
	docID, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	d, ok := r.Document(docID)
	if !ok {
		return portal.NotFound()
	}
	content, err := s.db.ReliefDocumentContent(r.ID, d.ID)
	if err != nil {
		return err
	}
	return serveDocument(c, d, content)
}

// handleReliefMessage serves POST /relief/:id/messages (multipart: text and
// an optional file, which joins the evidence). When the supervisor asked for
// more before deciding, this is the answer.
func (s *Server) handleReliefMessage(c echo.Context) error {
	r, err := s.reliefLoad(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	mayAct, err := s.reliefMayAct(u, r)
	if err != nil {
		return err
	}
	if !mayAct {
		return portal.Forbidden("relief.read_only_guardian")
	}
	text := c.FormValue("text")
	fail := func(status int, err error) error {
		m, merr := s.reliefPageModel(c, r)
		if merr != nil {
			return merr
		}
		form, ok := formError(err, map[string]string{"text": text})
		if !ok {
			return err
		}
		if len(form.Errors) == 0 {
			m.AlertKey, form.Summary = form.Summary, ""
		}
		m.Form = form
		return s.render(c, status, views.ReliefPage(m))
	}
	msg := portal.ReliefMessage{ReliefID: r.ID, From: u.ID, FromRole: u.Role, Text: text}
	var files [][]byte
	fh, err := c.FormFile("file")
	switch {
	case err == nil:
		d, content, err := readUpload(fh, portal.NewUploadBudget())
		if err != nil {
			return fail(http.StatusUnprocessableEntity, err)
		}
		msg.Documents, files = []portal.Document{d}, [][]byte{content}
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
	default:
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	db, err := s.submissionStore(c) // outcome.go: a retry adds nothing twice
	if err != nil {
		return err
	}
	if _, err := db.AddReliefMessage(msg, files, s.cfg.Calendar); err != nil {
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
		}
		return fail(status, err)
	}
	return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"?done=message#messages")
}

// handleReliefWithdrawForm serves GET /relief/:id/withdraw: the
// confirmation, or why the request can no longer be withdrawn.
func (s *Server) handleReliefWithdrawForm(c echo.Context) error {
	r, err := s.reliefLoad(c)
	if err != nil {
		return err
	}
	return s.reliefWithdrawPage(c, http.StatusOK, r, "")
}

func (s *Server) reliefWithdrawPage(c echo.Context, status int, r portal.ReliefRequest, alert string) error {
	allowed := slices.Contains(portal.AllowedRelief(r.Status, portal.ReliefActorApplicant), portal.ReliefWithdraw)
	if !allowed && alert == "" {
		alert = "relief.action_not_allowed"
	}
	m := views.ReliefWithdrawModel{Page: s.page(c, "relief.withdraw_confirm_title"), ID: r.ID, Ref: r.Ref, Status: r.Status,
		Allowed: allowed && alert == "", AlertKey: alert}
	m.Page.Path = "/relief/" + strconv.FormatUint(r.ID, 10) + "/withdraw"
	return s.render(c, status, views.ReliefWithdrawPage(m))
}

// handleReliefWithdraw serves POST /relief/:id/withdraw: the applicant
// withdraws before the request is closed; the state machine refuses later.
func (s *Server) handleReliefWithdraw(c echo.Context) error {
	r, err := s.reliefLoad(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	mayAct, err := s.reliefMayAct(u, r)
	if err != nil {
		return err
	}
	if !mayAct {
		return portal.Forbidden("relief.read_only_guardian")
	}
	_, err = s.db.ApplyRelief(r.ID, store.ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefWithdraw, Actor: portal.ReliefActorApplicant},
		AccountID: u.ID, Role: u.Role, RequestID: requestID(c)}, s.cfg.Calendar)
	if err != nil {
		if portal.ErrorCode(err) != portal.CodeConflict {
			return err
		}
		if now, lerr := s.db.Relief(r.ID); lerr == nil {
			r = now
		}
		return s.reliefWithdrawPage(c, http.StatusConflict, r, "relief.action_not_allowed")
	}
	return c.Redirect(http.StatusSeeOther, "/relief/"+strconv.FormatUint(r.ID, 10)+"?done=withdrawn")
}

// reliefCorrectionRows lists the correction notices issued to the official's
// organ: open ones by deadline first, answered ones after (for GET
// /staff/corrections and the top of the staff queue).
func (s *Server) reliefCorrectionRows(u *portal.Account) ([]views.CorrectionRow, error) {
	if u.OrganID == 0 || !u.Role.IsOrgan() {
		return nil, nil
	}
	list, err := s.db.CorrectionNotices(u.OrganID)
	if err != nil {
		return nil, err
	}
	today := s.today()
	var open, answered []views.CorrectionRow
	for _, n := range list {
		row := views.CorrectionRow{ID: n.ID, ReliefRef: n.ReliefRef, CaseRef: n.CaseRef, CaseURL: s.reliefCaseURLFor(u, n.CaseID),
			IssuedAt: n.IssuedAt, Due: n.Due, Overdue: n.Overdue(today), Answered: n.Answered(),
			DueAwaitsCalendar: n.DueAwaitsCalendar && !n.Answered()}
		if row.Answered {
			answered = append(answered, row)
		} else {
			open = append(open, row)
		}
	}
	return append(open, answered...), nil
}

// reliefCaseURLFor is the official's page of the case when the organ has a
// duty on it, "" otherwise (no link to a page that would answer 404).
func (s *Server) reliefCaseURLFor(u *portal.Account, caseID uint64) string {
	// The case's plain workbench card carries its status and organs, so a
	// list of notices decrypts no case for its links (issue 19); a case
	// without a card yet is read whole, as before.
	if row, ok, err := s.db.WorkbenchCase(caseID, u.OrganID); err != nil {
		return ""
	} else if ok {
		switch {
		case row.Status == "" || row.Status == portal.StatusDraft:
			return ""
		case u.Role == portal.RoleSupervisor:
		case !u.Role.IsOrgan() || u.OrganID == 0 || row.Standing == "":
			return ""
		}
		return "/staff/cases/" + strconv.FormatUint(caseID, 10)
	}
	cs, err := s.db.Case(caseID)
	if err != nil || cs.Status == portal.StatusDraft {
		return ""
	}
	if _, ok := staffActor(u, cs); !ok {
		return ""
	}
	return "/staff/cases/" + strconv.FormatUint(caseID, 10)
}

// handleCorrectionList serves GET /staff/corrections: the correction notices
// issued to the official's organ, with their deadlines.
func (s *Server) handleCorrectionList(c echo.Context) error {
	u := currentUser(c)
	rows, err := s.reliefCorrectionRows(u)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.CorrectionListPage(views.CorrectionListModel{Page: s.page(c, "relief.corrections_heading"),
		Organ: u.Organ, Rows: rows}))
}

// correctionLoad reads the route's notice for an official of the organ it was
// issued to; any other organ gets a 404.
func (s *Server) correctionLoad(c echo.Context) (store.CorrectionNotice, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return store.CorrectionNotice{}, err
	}
	n, err := s.db.CorrectionNotice(id)
	if err != nil {
		return n, err
	}
	if u := currentUser(c); u.OrganID == 0 || n.OrganID != u.OrganID {
		return store.CorrectionNotice{}, portal.NotFound()
	}
	return n, nil
}

func (s *Server) correctionModel(c echo.Context, n store.CorrectionNotice) views.CorrectionModel {
	u := currentUser(c)
	m := views.CorrectionModel{Page: s.page(c, "relief.correction_title"), ID: n.ID, Organ: u.Organ, ReliefRef: n.ReliefRef,
		CaseRef: n.CaseRef, CaseURL: s.reliefCaseURLFor(u, n.CaseID), Text: n.Text, IssuedAt: n.IssuedAt, Due: n.Due,
		DueAwaitsCalendar: n.DueAwaitsCalendar && !n.Answered(), Overdue: n.Overdue(s.today()), Answered: n.Answered(), Answer: n.Answer, AnsweredAt: n.AnsweredAt}
	m.Page.Path = "/staff/corrections/" + strconv.FormatUint(n.ID, 10)
	return m
}

// handleCorrectionShow serves GET /staff/corrections/:id: the notice and the
// answer form.
func (s *Server) handleCorrectionShow(c echo.Context) error {
	n, err := s.correctionLoad(c)
	if err != nil {
		return err
	}
	m := s.correctionModel(c, n)
	if c.QueryParam("done") == "answered" {
		m.NoticeKey = "relief.notice.answered"
	}
	return s.render(c, http.StatusOK, views.CorrectionPage(m))
}

// handleCorrectionAnswer serves POST /staff/corrections/:id/answer: the
// organ answers the supervisor's correction notice (R24); the answer joins
// the relief request's timeline and the applicant is told.
func (s *Server) handleCorrectionAnswer(c echo.Context) error {
	n, err := s.correctionLoad(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	answer := c.FormValue("answer")
	if err := s.db.AnswerCorrection(n.ID, u.OrganID, answer, u.ID); err != nil {
		form, ok := formError(err, map[string]string{"answer": answer})
		if !ok {
			return err
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
			if now, lerr := s.db.CorrectionNotice(n.ID); lerr == nil {
				n = now
			}
		}
		m := s.correctionModel(c, n)
		m.Form = form
		return s.render(c, status, views.CorrectionPage(m))
	}
	return c.Redirect(http.StatusSeeOther, "/staff/corrections/"+strconv.FormatUint(n.ID, 10)+"?done=answered")
}
