package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// Queries of sealed records (R14–R17). A querying unit sends a query (form,
// check your answers, confirmation with its reference), follows it, signs
// the confidentiality commitment once it is approved and reads the result
// inside the approved window; the organ that sealed the record decides it.
// A query is shown only to the unit that sent it and to staff of the organ it
// is addressed to: anyone else gets the same 404 as for a number that does
// not exist. Every read, and every refused attempt, is audited by the store
// in the same transaction as the read (R16, R17).

// queryInput is what the query form posts; nothing else is read. The unit's
// name and kind come from its account, never from the form.
type queryInput struct {
	PersonDocType, PersonDocCountry                                                                           string
	PersonIDNumber, Reason, BasisKind, LawName, LawArticle, PurposeCategory, Purpose, CaseNumber, Scope, Step string
	Documents                                                                                                 []string
}

func bindQuery(c echo.Context) queryInput {
	in := queryInput{PersonDocType: c.FormValue("person_doc_type"), PersonDocCountry: strings.TrimSpace(c.FormValue("person_doc_country")),
		PersonIDNumber: strings.TrimSpace(c.FormValue("person_id_number")), Reason: c.FormValue("reason"),
		BasisKind: c.FormValue("basis_kind"), LawName: c.FormValue("law_name"), LawArticle: c.FormValue("law_article"),
		PurposeCategory: c.FormValue("purpose_category"), Purpose: c.FormValue("purpose"), CaseNumber: c.FormValue("case_number"),
		Scope: c.FormValue("scope"), Step: c.FormValue("step")}
	if form, err := c.FormParams(); err == nil {
		in.Documents = form["documents"]
	}
	return in
}

func (in queryInput) values() map[string]string {
	docType := in.PersonDocType
	if docType == "" {
		docType = string(portal.DocResidentID)
	}
	return map[string]string{"person_doc_type": docType, "person_doc_country": in.PersonDocCountry,
		"person_id_number": in.PersonIDNumber, "reason": in.Reason, "basis_kind": in.BasisKind,
		"law_name": in.LawName, "law_article": in.LawArticle, "purpose_category": in.PurposeCategory, "purpose": in.Purpose,
		"case_number": in.CaseNumber, "scope": in.Scope}
}

func (in queryInput) ticked() map[string]bool {
	out := map[string]bool{}
	for _, d := range in.Documents {
		out[d] = true
	}
	return out
}

// scope reads a scope and its kinds of document: the known kinds in the
// form's order, each once, and any unknown value kept so that validation
// names it.
func queryScopeOf(kind string, docs []string) portal.QueryScope {
	s := portal.QueryScope{Kind: portal.ScopeKind(kind)}
	if s.Kind != portal.ScopeDocuments {
		return s
	}
	for _, k := range portal.QueryDocumentKinds {
		if slices.Contains(docs, string(k)) {
			s.Documents = append(s.Documents, k)
		}
	}
	for _, d := range docs {
		if !slices.Contains(portal.QueryDocumentKinds, portal.DocumentKind(d)) {
			s.Documents = append(s.Documents, portal.DocumentKind(d))
		}
	}
	return s
}

// query builds the domain value from the answers, with the unit's kind from
// its account.
func (in queryInput) query(unit *portal.Account) portal.Query {
	kind, name, _ := unit.QueryingAs()
	q := portal.Query{UnitKind: kind, UnitName: name, PersonIDNumber: in.PersonIDNumber,
		PersonDocType: portal.IDDocType(in.PersonDocType), PersonDocCountry: in.PersonDocCountry,
		Reason: strings.TrimSpace(in.Reason), Purpose: strings.TrimSpace(in.Purpose), PurposeCategory: portal.QueryPurpose(in.PurposeCategory),
		CaseNumber: strings.TrimSpace(in.CaseNumber),
		Basis:      portal.LegalBasis{Kind: portal.BasisKind(in.BasisKind), Name: strings.TrimSpace(in.LawName), Article: strings.TrimSpace(in.LawArticle)},
		Requested:  queryScopeOf(in.Scope, in.Documents)}
	if q.PersonDocType == portal.DocResidentID {
		q.PersonDocType = ""
	}
	if doc, err := q.PersonDocument(); err == nil {
		q.PersonIDNumber, q.PersonDocCountry = doc.Number, doc.Country
	}
	return q
}

// queryBasisKinds are the kinds of legal basis the form offers a unit of
// kind k: what it may rely on, and "other" so that a unit with only a local
// or internal rule learns clearly that it cannot query (R15b).
func queryBasisKinds(k portal.QueryUnitKind) []portal.BasisKind {
	var out []portal.BasisKind
	for _, b := range portal.BasisKinds {
		if b.AllowedFor(k) || b == portal.BasisOther {
			out = append(out, b)
		}
	}
	return out
}

func (s *Server) queryFormModel(c echo.Context, in queryInput, form views.Form) views.QueryFormModel {
	u := currentUser(c)
	kind, unitName, _ := u.QueryingAs()
	p := s.page(c, "queries.form_title")
	p.Path = "/queries/new"
	if form.Values == nil {
		form.Values = in.values()
	}
	return views.QueryFormModel{Page: p, Form: form, Documents: in.ticked(), UnitName: unitName, UnitKind: kind,
		MayQuery: portal.MayQuery(kind) == nil, BasisKinds: queryBasisKinds(kind), Purposes: portal.PurposesFor(kind),
		Scopes: portal.ScopesFor(kind), DocKinds: portal.QueryDocumentKinds}
}

// queryDocMasked is the person's document number as pages show it (R31).
func queryDocMasked(q portal.Query) string {
	if doc, err := q.PersonDocument(); err == nil {
		return doc.Masked()
	}
	return ""
}

// queryDocLast4 is the last four characters of the person's document number.
func queryDocLast4(q portal.Query) string {
	if doc, err := q.PersonDocument(); err == nil {
		return doc.Last4()
	}
	return ""
}

// queryMasked is the identity number as lists show it.
func queryMasked(idNumber string) string {
	if id, err := portal.ParseIDNumber(idNumber); err == nil {
		return id.Masked()
	}
	return ""
}

func queryLast4(idNumber string) string {
	if id, err := portal.ParseIDNumber(idNumber); err == nil {
		return id.Last4()
	}
	return ""
}

// queryAnswers shows a query's request; the identity number masked unless
// full is set (check your answers, where the unit verifies what it typed).
func queryAnswers(q portal.Query, full bool) views.QueryAnswers {
	a := views.QueryAnswers{PersonIDNumber: queryDocMasked(q), PersonDocType: q.PersonDocType, PersonDocCountry: q.PersonDocCountry,
		Reason: q.Reason, Basis: q.Basis,
		PurposeCategory: q.PurposeCategory, Purpose: q.Purpose, CaseNumber: q.CaseNumber, Scope: q.Requested}
	if full {
		a.PersonIDNumber = q.PersonIDNumber
	}
	if a.PersonDocType == portal.DocResidentID {
		a.PersonDocType = ""
	}
	return a
}

// handleQueriesList serves GET /queries: the unit's queries, newest first,
// with status, deadline and window.
func (s *Server) handleQueriesList(c echo.Context) error {
	u := currentUser(c)
	list, err := s.db.QueriesOfUnit(u.ID)
	if err != nil {
		return err
	}
	today := s.today()
	kind, unitName, _ := u.QueryingAs()
	m := views.QueryListModel{Page: s.page(c, "queries.list_title"), UnitName: unitName, UnitKind: kind, MayQuery: portal.MayQuery(kind) == nil}
	for _, q := range list {
		// R14a: the unit sees each query as sent until its answer is
		// released, and never "overdue" (a late organ would show a record).
		q = q.ForUnit(today)
		m.Rows = append(m.Rows, views.QueryRow{ID: q.ID, Ref: q.Ref, Status: q.Status, PersonLast4: queryDocLast4(q),
			Submitted: q.SubmittedAt, Due: q.Due, DueAwaitsCalendar: q.DueAwaitsCalendar, WindowFrom: q.WindowFrom, WindowTo: q.WindowTo,
			WindowEnded: !q.WindowTo.IsZero() && today.After(q.WindowTo)})
	}
	return s.render(c, http.StatusOK, views.QueryListPage(m))
}

// handleQueryNew serves GET /queries/new: the empty form, or for a unit that
// is neither a judicial organ nor one acting under a state regulation, the
// reason it cannot query (R15).
func (s *Server) handleQueryNew(c echo.Context) error {
	return s.render(c, http.StatusOK, views.QueryFormPage(s.queryFormModel(c, queryInput{}, views.Form{})))
}

// handleQueryPost serves POST /queries/new, the three steps of sending: the
// form's answers are checked and shown on check your answers (step=check),
// sent back to the form to change (step=edit), or sent (step=submit), which
// leads to the confirmation page with the reference.
func (s *Server) handleQueryPost(c echo.Context) error {
	u := currentUser(c)
	in := bindQuery(c)
	q := in.query(u)
	if err := portal.MayQuery(q.UnitKind); err != nil {
		m := s.queryFormModel(c, in, views.Form{})
		return s.render(c, http.StatusForbidden, views.QueryFormPage(m))
	}
	if in.Step == "edit" {
		return s.render(c, http.StatusOK, views.QueryFormPage(s.queryFormModel(c, in, views.Form{})))
	}
	if err := q.Validate(s.today()); err != nil {
		return s.queryFormFail(c, in, err)
	}
	if in.Step != "submit" {
		p := s.page(c, "queries.check_title")
		p.Path = "/queries/new"
		docs := make([]string, 0, len(q.Requested.Documents))
		for _, d := range q.Requested.Documents {
			docs = append(docs, string(d))
		}
		return s.render(c, http.StatusOK, views.QueryCheckPage(views.QueryCheckModel{Page: p, Answers: queryAnswers(q, true),
			Values: in.values(), Documents: docs}))
	}
	db, err := s.submissionStore(c) // outcome.go: a retry creates nothing twice
	if err != nil {
		return err
	}
	q, err = db.CreateQuery(q, *u, s.cfg.Calendar, requestID(c))
	if err != nil {
		return s.queryFormFail(c, in, err)
	}
	return c.Redirect(http.StatusSeeOther, "/queries/"+strconv.FormatUint(q.ID, 10)+"/confirmation")
}

// queryFormFail re-renders the form with what was typed and a message per
// field (R16: a query missing its reason, legal basis or purpose is refused
// field by field).
func (s *Server) queryFormFail(c echo.Context, in queryInput, err error) error {
	form, ok := formError(err, in.values())
	if !ok {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, views.QueryFormPage(s.queryFormModel(c, in, form)))
}

// unitQuery reads the route's query for the signed-in unit, as the unit may
// see it today (R14a: as sent until the answer is released); only the unit
// that sent it sees it; anyone else gets a 404.
func (s *Server) unitQuery(c echo.Context) (portal.Query, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return portal.Query{}, err
	}
	q, err := s.db.Query(id)
	if err != nil {
		return portal.Query{}, err
	}
	if u := currentUser(c); u == nil || q.UnitID != u.ID {
		return portal.Query{}, portal.NotFound()
	}
	return q.ForUnit(s.today()), nil
}

// handleQueryConfirmation serves GET /queries/:id/confirmation: the
// reference after sending.
func (s *Server) handleQueryConfirmation(c echo.Context) error {
	q, err := s.unitQuery(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.QueryConfirmationPage(views.QueryConfirmationModel{
		Page: s.page(c, "queries.confirm_title"), ID: q.ID, Ref: q.Ref, Due: q.Due, DueAwaitsCalendar: q.DueAwaitsCalendar, Answered: q.Status != portal.QuerySubmitted}))
}

// queryShowModel builds the query's page for the unit.
func (s *Server) queryShowModel(c echo.Context, q portal.Query, form views.Form) views.QueryShowModel {
	today := s.today()
	p := s.page(c, "queries.show_title")
	p.Path = "/queries/" + strconv.FormatUint(q.ID, 10)
	m := views.QueryShowModel{Page: p, ID: q.ID, Ref: q.Ref, Status: q.Status, Answers: queryAnswers(q, false),
		Submitted: q.SubmittedAt, Due: q.Due, DueAwaitsCalendar: q.DueAwaitsCalendar, Approved: q.Approved, WindowFrom: q.WindowFrom,
		WindowTo: q.WindowTo, InWindow: q.InWindow(today), WindowEnded: !q.WindowTo.IsZero() && today.After(q.WindowTo),
		RefusalReason: q.RefusalReason, Form: form,
		CommitmentZH: views.Translate(views.LangZH, "queries.commitment_text"),
		CommitmentEN: views.Translate(views.LangEN, "queries.commitment_text")}
	if q.Commitment != nil {
		m.Commitment = &views.QueryCommitmentView{SignerName: q.Commitment.SignerName, SignerPosition: q.Commitment.SignerPosition,
			SignedAt: q.Commitment.SignedAt}
		// The archived text is what was signed: both languages, the Chinese
		// first (queryCommitmentText).
		parts := strings.SplitN(q.Commitment.Text, queryCommitmentSep, 2)
		m.CommitmentZH, m.CommitmentEN = parts[0], ""
		if len(parts) == 2 {
			m.CommitmentEN = parts[1]
		}
	}
	return m
}

// handleQueryShow serves GET /queries/:id: the status; once approved, the
// commitment form; once signed, the button that reads the result.
func (s *Server) handleQueryShow(c echo.Context) error {
	q, err := s.unitQuery(c)
	if err != nil {
		return err
	}
	m := s.queryShowModel(c, q, views.Form{})
	if q.Status != portal.QuerySubmitted { // R14a: not before the answer is released
		if m.LegalDocs, err = s.queryLetterLinks(q, "/queries/"+strconv.FormatUint(q.ID, 10)); err != nil {
			return err
		}
	}
	if c.QueryParam("done") == "signed" {
		m.NoticeKey = "queries.notice_signed"
	}
	return s.render(c, http.StatusOK, views.QueryShowPage(m))
}

// queryCommitmentText is the commitment in both languages as one archived
// text: what the unit saw is what is kept.
func queryCommitmentText() string {
	return views.Translate(views.LangZH, "queries.commitment_text") + queryCommitmentSep + views.Translate(views.LangEN, "queries.commitment_text")
}

// queryCommitmentSep joins the two languages of the archived commitment (the
// texts themselves hold no blank line).
const queryCommitmentSep = "\n\n"

// handleQueryCommitment serves POST /queries/:id/commitment: the unit signs
// the confidentiality commitment (R16): signer's name and position, the
// checkbox, and the time (set by the store).
func (s *Server) handleQueryCommitment(c echo.Context) error {
	q, err := s.unitQuery(c)
	if err != nil {
		return err
	}
	values := map[string]string{"signer_name": c.FormValue("signer_name"), "signer_position": c.FormValue("signer_position"),
		"agree": c.FormValue("agree")}
	cm := portal.Commitment{Text: queryCommitmentText(), SignerName: strings.TrimSpace(values["signer_name"]),
		SignerPosition: strings.TrimSpace(values["signer_position"]), Agreed: values["agree"] == "yes"}
	if _, err := s.db.SignCommitment(q.ID, cm, *currentUser(c), requestID(c)); err != nil {
		form, ok := formError(err, values)
		if !ok {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, views.QueryShowPage(s.queryShowModel(c, q, form)))
	}
	return c.Redirect(http.StatusSeeOther, "/queries/"+strconv.FormatUint(q.ID, 10)+"?done=signed")
}

// handleQueryRead serves POST /queries/:id/read: the result, only the
// approved scope (a narrower scope may be asked for with the field "scope").
// It is a POST because every read is written to the audit log and the person
// is told. A refused read (unsigned, outside the window, beyond the scope) is
// audited too and answered 403 on the query's page, saying why.
func (s *Server) handleQueryRead(c echo.Context) error {
	q, err := s.unitQuery(c)
	if err != nil {
		return err
	}
	var docs []string
	if form, err := c.FormParams(); err == nil {
		docs = form["documents"]
	}
	want := queryScopeOf(c.FormValue("scope"), docs)
	res, err := s.db.ReadQuery(q.ID, want, *currentUser(c), s.freshFactor(c), requestID(c))
	if err != nil {
		pe, ok := portal.AsError(err)
		if !ok || pe.Code != portal.CodeForbidden {
			return err
		}
		if q, err = s.db.Query(q.ID); err != nil {
			return err
		}
		m := s.queryShowModel(c, q.ForUnit(s.today()), views.Form{})
		m.RefusedKey = pe.Key
		return s.render(c, http.StatusForbidden, views.QueryShowPage(m))
	}
	organs := s.casesOrgans()
	m := views.QueryResultModel{Page: s.page(c, "queries.result_title"), ID: q.ID, Ref: q.Ref, UnitName: q.UnitName,
		PersonLast4: queryDocLast4(q), Scope: res.Scope, SealedRecord: res.SealedRecord, JuvenileEffect: res.JuvenileEffect,
		ReadAt: res.ReadAt, WindowTo: q.WindowTo}
	m.Page.Path = "/queries/" + strconv.FormatUint(q.ID, 10)
	for _, cs := range res.Cases {
		organ, err := organs.name(cs.DecidingOrganID)
		if err != nil {
			return err
		}
		m.Cases = append(m.Cases, views.QueryCaseView{Ref: cs.Ref, Organ: organ, CaseNumber: cs.OrganCaseNumber,
			Disposition: cs.Disposition, DecisionDate: cs.DecisionDate, Penalty: cs.Penalty, Acts: cs.Acts})
	}
	for _, d := range res.Documents {
		m.Documents = append(m.Documents, views.QueryDocView{ID: d.Document.ID, CaseRef: d.CaseRef, Kind: d.Document.Kind,
			Name: d.Document.Name, Size: d.Document.Size})
	}
	return s.render(c, http.StatusOK, views.QueryResultPage(m))
}

// handleQueryDocument serves GET /queries/:id/documents/:doc: a document of
// an approved documents scope, audited with the query like every read, or
// refused (and audited) outside the window or beyond the scope.
func (s *Server) handleQueryDocument(c echo.Context) error {
	q, err := s.unitQuery(c)
	if err != nil {
		return err
	}
	docID, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	d, content, err := s.db.QueryDocumentContent(q.ID, docID, *currentUser(c), s.freshFactor(c), requestID(c))
	if err != nil {
		return err
	}
	return serveDocument(c, d, content)
}

// staffQuery reads the route's query for an official: only staff of the
// organ it is addressed to see it; anyone else gets a 404.
func (s *Server) staffQuery(c echo.Context) (portal.Query, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return portal.Query{}, err
	}
	q, err := s.db.Query(id)
	if err != nil {
		return portal.Query{}, err
	}
	u := currentUser(c)
	if u == nil || !u.Role.IsOrgan() || u.OrganID == 0 || q.OrganID != u.OrganID {
		return portal.Query{}, portal.NotFound()
	}
	return q, nil
}

// handleStaffQueries serves GET /staff/queries: the organ's queries,
// undecided ones by deadline (overdue first and flagged), then the decided.
func (s *Server) handleStaffQueries(c echo.Context) error {
	u := currentUser(c)
	rows, err := s.db.OrganQueries(u.OrganID)
	if err != nil {
		return err
	}
	today := s.today()
	m := views.StaffQueryListModel{Page: s.page(c, "queries.staff_title"), Organ: u.Organ}
	for _, r := range rows {
		overdue := r.Status == portal.QuerySubmitted && !r.Due.IsZero() && today.After(r.Due)
		if r.Status == portal.QuerySubmitted {
			m.Open++
		}
		if overdue {
			m.Overdue++
		}
		m.Rows = append(m.Rows, views.StaffQueryRow{ID: r.QueryID, Ref: r.Ref, Status: r.Status, UnitName: r.UnitName,
			UnitKind: r.UnitKind, Submitted: r.Submitted, Due: r.Due, Overdue: overdue, DueAwaitsCalendar: r.AwaitsCalendar})
	}
	return s.render(c, http.StatusOK, views.StaffQueryListPage(m))
}

// staffQueryModel builds the organ's page of a query: the references of the
// cases found and each act's date and intent (R32; the read is audited by the
// store), nothing else of the sealed contents.
func (s *Server) staffQueryModel(c echo.Context, q portal.Query) (views.StaffQueryModel, error) {
	refs, acts, err := s.db.QueryDecisionCases(q.ID, *currentUser(c), requestID(c))
	if err != nil {
		return views.StaffQueryModel{}, err
	}
	today := s.today()
	// R14a: the unit learns the decision the day after the deadline; the
	// proposed window starts then (or today, when that is later).
	from := today
	if !q.Due.IsZero() && !q.Due.AddDays(1).Before(today) {
		from = q.Due.AddDays(1)
	}
	p := s.page(c, "queries.staff_title")
	p.Path = "/staff/queries/" + strconv.FormatUint(q.ID, 10)
	m := views.StaffQueryModel{Page: p, ID: q.ID, Ref: q.Ref, Status: q.Status, UnitName: q.UnitName, UnitKind: q.UnitKind,
		Answers: queryAnswers(q, false), Submitted: q.SubmittedAt, Due: q.Due, Overdue: q.Overdue(today), DueAwaitsCalendar: q.DueAwaitsCalendar && q.Status == portal.QuerySubmitted,
		Approved: q.Approved, WindowFrom: q.WindowFrom, WindowTo: q.WindowTo, RefusalReason: q.RefusalReason,
		DecidedAt: q.DecidedAt, MaxWindowDays: portal.MaxQueryWindowDays,
		ApproveForm: views.Form{Values: map[string]string{"scope": string(q.Requested.Kind), "window_from": from.String(),
			"window_to": from.AddDays(6).String()}},
		Documents: map[string]bool{}}
	for _, id := range q.CaseIDs {
		m.Cases = append(m.Cases, views.StaffQueryCase{ID: id, Ref: refs[id], Acts: acts[id]})
	}
	// R16: the approval may give what was asked or only "exists".
	m.Scopes = []portal.ScopeKind{portal.ScopeExists}
	if q.Requested.Kind != portal.ScopeExists {
		m.Scopes = append(m.Scopes, q.Requested.Kind)
	}
	if q.Requested.Kind == portal.ScopeDocuments {
		m.DocKinds = q.Requested.Documents
		for _, d := range q.Requested.Documents {
			m.Documents[string(d)] = true
		}
	}
	if q.Commitment != nil {
		m.Commitment = &views.QueryCommitmentView{SignerName: q.Commitment.SignerName, SignerPosition: q.Commitment.SignerPosition,
			SignedAt: q.Commitment.SignedAt}
	}
	if m.LegalDocs, err = s.queryLetterLinks(q, "/staff/queries/"+strconv.FormatUint(q.ID, 10)); err != nil {
		return m, err
	}
	switch c.QueryParam("done") {
	case "approved":
		m.NoticeKey = "queries.notice_approved"
	case "refused":
		m.NoticeKey = "queries.notice_refused"
	}
	return m, nil
}

// handleStaffQuery serves GET /staff/queries/:id.
func (s *Server) handleStaffQuery(c echo.Context) error {
	q, err := s.staffQuery(c)
	if err != nil {
		return err
	}
	m, err := s.staffQueryModel(c, q)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.StaffQueryPage(m))
}

// queryDate reads an ISO date field: zero when empty, an error key when it
// cannot be read.
func queryDate(v string, field string, fe *portal.FieldErrors) portal.Date {
	v = strings.TrimSpace(v)
	if v == "" {
		return portal.Date{}
	}
	d, ok := portal.ParseDate(v)
	if !ok {
		fe.Add(field, "queries.date_invalid")
	}
	return d
}

// handleStaffQueryApprove serves POST /staff/queries/:id/approve: a scope no
// broader than asked and a limited window (R16).
func (s *Server) handleStaffQueryApprove(c echo.Context) error {
	q, err := s.staffQuery(c)
	if err != nil {
		return err
	}
	var docs []string
	if form, err := c.FormParams(); err == nil {
		docs = form["documents"]
	}
	values := map[string]string{"scope": c.FormValue("scope"), "window_from": c.FormValue("window_from"), "window_to": c.FormValue("window_to")}
	var fe portal.FieldErrors
	d := portal.QueryDecision{Approve: true, Scope: queryScopeOf(values["scope"], docs),
		From: queryDate(values["window_from"], "window_from", &fe), To: queryDate(values["window_to"], "window_to", &fe)}
	var form views.Form
	if fe.Err() != nil {
		// A date that cannot be read is reported with every other problem
		// of the form at once.
		if pe, ok := portal.AsError(d.Check(q, s.today())); ok {
			for k, v := range pe.Fields {
				fe.Add(k, v)
			}
		}
		form = views.Form{Values: values, Errors: fe}
	} else {
		_, err := s.db.DecideQuery(q.ID, d, *currentUser(c), requestID(c))
		if err == nil {
			if err := s.issueQueryLetter(c, q.ID); err != nil {
				return err
			}
			return c.Redirect(http.StatusSeeOther, "/staff/queries/"+strconv.FormatUint(q.ID, 10)+"?done=approved")
		}
		var ok bool
		if form, ok = formError(err, values); !ok {
			return err
		}
	}
	m, err := s.staffQueryModel(c, q)
	if err != nil {
		return err
	}
	m.ApproveForm = form
	m.Documents = map[string]bool{}
	for _, d := range docs {
		m.Documents[d] = true
	}
	return s.render(c, http.StatusUnprocessableEntity, views.StaffQueryPage(m))
}

// handleStaffQueryRefuse serves POST /staff/queries/:id/refuse: a refusal
// needs its reason.
func (s *Server) handleStaffQueryRefuse(c echo.Context) error {
	q, err := s.staffQuery(c)
	if err != nil {
		return err
	}
	values := map[string]string{"refusal_reason": c.FormValue("refusal_reason")}
	d := portal.QueryDecision{Reason: strings.TrimSpace(values["refusal_reason"])}
	_, err = s.db.DecideQuery(q.ID, d, *currentUser(c), requestID(c))
	if err == nil {
		if err := s.issueQueryLetter(c, q.ID); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/staff/queries/"+strconv.FormatUint(q.ID, 10)+"?done=refused")
	}
	form, ok := formError(err, values)
	if !ok {
		return err
	}
	m, merr := s.staffQueryModel(c, q)
	if merr != nil {
		return merr
	}
	m.RefuseForm = form
	return s.render(c, http.StatusUnprocessableEntity, views.StaffQueryPage(m))
}
