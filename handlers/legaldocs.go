package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Written legal documents (issue 18). A deciding step (seal, reject) issues
// its document in the same store transaction, citing what the official
// ticked in the citation picker; an unsealing and a query decision issue
// theirs right after the decision. The documents are printable pages, the
// person's copies are on the citizen's case page, and the issuing organ
// records how, when and on whom each was served, and the explanation of
// rights (R13).

// docKindOf is the document a case step issues, if any.
func docKindOf(a portal.CaseAction) (portal.LegalDocKind, bool) {
	switch a {
	case portal.ActionSeal:
		return portal.DocSealingNotice, true
	case portal.ActionReject:
		return portal.DocRefusalDecision, true
	}
	return "", false
}

// legalFormCitations reads the ticked citations of a form.
func legalFormCitations(c echo.Context) []string {
	form, err := c.FormParams()
	if err != nil {
		return nil
	}
	return form["citations"]
}

// applyStaffStep takes a staff step on a case; a step that decides issues its
// document in the same transaction (store.ApplyWithDocument). It is the one
// call handleStaffAction makes.
func (s *Server) applyStaffStep(c echo.Context, id uint64, st store.Step) error {
	kind, issues := docKindOf(st.Action)
	if !issues {
		_, err := s.db.Apply(id, st, s.cfg.Calendar)
		return err
	}
	cits, ok := portal.ParseCitationIDs(legalFormCitations(c))
	if !ok {
		return &portal.Error{Code: portal.CodeInvalid, Key: "legaldoc.citations_invalid", Fields: map[string]string{"citations": "legaldoc.citations_invalid"}}
	}
	_, _, err := s.db.ApplyWithDocument(id, st, s.cfg.Calendar, store.DocIssue{Kind: kind, Citations: cits, Reasons: st.Note})
	return err
}

// legalRuleCitationIDs are the citations of rules, for the documents whose form
// has no picker (an unsealing decided by the rules, a query decision).
func legalRuleCitationIDs(rules []string, fallback ...string) []string {
	var ids []string
	for _, c := range portal.CitationsForRules(rules) {
		ids = append(ids, c.ID)
	}
	if len(ids) == 0 {
		ids = fallback
	}
	return ids
}

// issueQueryLetter issues the decision letter of a decided query to the
// querying unit (R16).
func (s *Server) issueQueryLetter(c echo.Context, queryID uint64) error {
	u := currentUser(c)
	_, err := s.db.IssueQueryDocument(queryID, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)},
		legalRuleCitationIDs([]string{"R15", "R16", "R14a"}))
	return err
}

// legalDocView builds the view of a document; services may be nil (the
// citizen's view shows none).
func legalDocView(d portal.LegalDocument, url string, organs map[uint64]string, svc []portal.Service) views.LegalDocView {
	v := views.LegalDocView{N: d.N, URL: url, Kind: d.Kind, Number: d.Number, Date: d.Date, Organ: organs[d.OrganID], Texts: d.Texts}
	for i, r := range d.Recipients {
		rv := views.LegalDocRecipientView{Index: i, Kind: r.Kind, Name: r.Name}
		for _, s := range svc {
			if s.Recipient == i {
				rv.Services = append(rv.Services, views.LegalDocServiceView{Method: s.Method, On: s.On, Note: s.Note})
			}
		}
		v.Recipients = append(v.Recipients, rv)
	}
	return v
}

// staffSeesDoc decides whether an official sees a document of a case he may
// see: the issuing organ, an organ it was sent to, the supervisor.
func staffSeesDoc(u *portal.Account, d portal.LegalDocument) bool {
	return u.Role == portal.RoleSupervisor || d.OrganID == u.OrganID || d.Addressed(portal.RecipientOrgan, u.OrganID)
}

// citizenSeesDoc: the person's side sees the documents served on the person
// or the guardian, once it may see the organ's material of the case.
func citizenSeesDoc(d portal.LegalDocument) bool {
	return d.Addressed(portal.RecipientPerson, 0) || d.Addressed(portal.RecipientGuardian, 0)
}

func legalStaffDocURL(caseID uint64, n int) string {
	return "/staff/cases/" + strconv.FormatUint(caseID, 10) + "/legal-documents/" + strconv.Itoa(n)
}

func legalExplanationViews(ex []portal.RightsExplanation, organs map[uint64]string) []views.RightsExplanationView {
	var out []views.RightsExplanationView
	for _, e := range ex {
		out = append(out, views.RightsExplanationView{On: e.On, Method: e.Method, ToPerson: e.ToPerson, ToGuardian: e.ToGuardian,
			Organ: organs[e.OrganID], Note: e.Note})
	}
	return out
}

// staffLegalDocsSummary is the documents section of the staff case page;
// showStaffCase calls it once.
func (s *Server) staffLegalDocsSummary(u *portal.Account, cs portal.Case, actor portal.Actor) (views.StaffLegalDocsSummary, error) {
	var m views.StaffLegalDocsSummary
	docs, err := s.db.LegalDocumentsOfCase(cs.ID)
	if err != nil {
		return m, err
	}
	ex, err := s.db.RightsExplanations(cs.ID)
	if err != nil {
		return m, err
	}
	svc, err := s.db.ServicesOfCase(cs.ID)
	if err != nil {
		return m, err
	}
	organs, err := s.organNames()
	if err != nil {
		return m, err
	}
	m.Show = len(docs) > 0 || len(ex) > 0 || actor == portal.ActorDecider
	if actor == portal.ActorDecider || u.Role == portal.RoleSupervisor {
		m.ManageURL = "/staff/cases/" + strconv.FormatUint(cs.ID, 10) + "/legal-documents"
	}
	for _, d := range docs {
		if !staffSeesDoc(u, d) {
			continue
		}
		v := legalDocView(d, legalStaffDocURL(cs.ID, d.N), organs, svc[d.ID])
		for _, r := range v.Recipients {
			if !r.Served() {
				m.Unserved++
			}
		}
		m.Docs = append(m.Docs, v)
	}
	m.Explanations = legalExplanationViews(ex, organs)
	return m, nil
}

// handleStaffLegalDoc serves GET /staff/cases/:id/legal-documents/:n: one
// document as printed, with its services; the issuing organ records a
// service there. The read is audited (R17).
func (s *Server) handleStaffLegalDoc(c echo.Context) error {
	return s.showStaffLegalDoc(c, http.StatusOK, views.Form{Values: map[string]string{}}, "")
}

func (s *Server) showStaffLegalDoc(c echo.Context, status int, f views.Form, notice string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return portal.NotFound()
	}
	cs, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	u := currentUser(c)
	// Whether the reader may see it is decided on the list, before the
	// audited read of the document itself.
	docs, err := s.db.LegalDocumentsOfCase(id)
	if err != nil {
		return err
	}
	if n > len(docs) || !staffSeesDoc(u, docs[n-1]) {
		return portal.NotFound()
	}
	purpose := purposeCaseDuty
	if u.Role == portal.RoleSupervisor {
		purpose = purposeSupervision
	}
	d, svc, err := s.db.LegalDocument(id, 0, n, store.LegalDocRead{Reader: *u, Purpose: purpose, RequestID: requestID(c)})
	if err != nil {
		return err
	}
	organs, err := s.organNames()
	if err != nil {
		return err
	}
	page := s.page(c, "legaldoc.page_title")
	page.Path = legalStaffDocURL(id, n)
	if notice == "" && c.QueryParam("done") == "served" {
		notice = "legaldoc.notice.served"
	}
	m := views.LegalDocPageModel{Page: page, NoticeKey: notice, Ref: cs.Ref, BackURL: "/staff/cases/" + strconv.FormatUint(id, 10),
		Doc: legalDocView(d, legalStaffDocURL(id, n), organs, svc), ShowServices: true,
		MayServe: actor == portal.ActorDecider && d.OrganID == u.OrganID, ServeURL: legalStaffDocURL(id, n) + "/services", Form: f}
	if m.Form.Values["served_on"] == "" && !m.Form.HasErrors() {
		m.Form.Values["served_on"] = s.today().String()
	}
	return s.render(c, status, views.LegalDocPage(m))
}

// handleStaffLegalDocService serves POST
// /staff/cases/:id/legal-documents/:n/services: the issuing organ records
// how, when and on whom the document was served.
func (s *Server) handleStaffLegalDocService(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return portal.NotFound()
	}
	_, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	if actor != portal.ActorDecider {
		return portal.NotFound()
	}
	values := map[string]string{"recipient": c.FormValue("recipient"), "method": c.FormValue("method"),
		"served_on": c.FormValue("served_on"), "note": c.FormValue("note")}
	var fe portal.FieldErrors
	rcp, err := strconv.Atoi(strings.TrimSpace(values["recipient"]))
	if err != nil {
		fe.Add("recipient", "legaldoc.recipient_required")
	}
	on, ok := portal.ParseDate(strings.TrimSpace(values["served_on"]))
	if !ok {
		fe.Add("served_on", "legaldoc.date_invalid")
	}
	if len(fe) > 0 {
		return s.showStaffLegalDoc(c, http.StatusUnprocessableEntity, views.Form{Values: values, Errors: fe}, "")
	}
	u := currentUser(c)
	svc := portal.Service{Recipient: rcp, Method: portal.ServiceMethod(values["method"]), On: on, Note: strings.TrimSpace(values["note"])}
	if err := s.db.RecordService(id, n, svc, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)}); err != nil {
		if portal.ErrorCode(err) == portal.CodeForbidden {
			return portal.NotFound()
		}
		f, ok := formError(err, values)
		if !ok {
			return err
		}
		return s.showStaffLegalDoc(c, http.StatusUnprocessableEntity, f, "")
	}
	return c.Redirect(http.StatusSeeOther, legalStaffDocURL(id, n)+"?done=served")
}

// handleStaffLegalDocs serves GET /staff/cases/:id/legal-documents: the
// case's documents, explanations of rights (R13) and addresses for service.
func (s *Server) handleStaffLegalDocs(c echo.Context) error {
	notice := ""
	switch c.QueryParam("done") {
	case "explained":
		notice = "legaldoc.notice.explained"
	case "contacts":
		notice = "legaldoc.notice.contacts"
	}
	return s.showStaffLegalDocs(c, http.StatusOK, views.Form{}, views.Form{}, notice)
}

func (s *Server) showStaffLegalDocs(c echo.Context, status int, explain, contacts views.Form, notice string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cs, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if actor != portal.ActorDecider && u.Role != portal.RoleSupervisor {
		return portal.NotFound()
	}
	sum, err := s.staffLegalDocsSummary(u, cs, actor)
	if err != nil {
		return err
	}
	base := "/staff/cases/" + strconv.FormatUint(id, 10)
	page := s.page(c, "legaldoc.section_title")
	page.Path = base + "/legal-documents"
	m := views.LegalDocsCaseModel{Page: page, NoticeKey: notice, CaseID: id, Ref: cs.Ref, BackURL: base, Docs: sum.Docs,
		Explanations: sum.Explanations, MayRecord: actor == portal.ActorDecider,
		ExplainURL: base + "/legal-documents/explanations", ExplainForm: explain,
		ContactsURL: base + "/legal-documents/contacts", ContactsForm: contacts}
	if m.ExplainForm.Values == nil {
		m.ExplainForm.Values = map[string]string{"explained_on": s.today().String()}
	}
	if m.ContactsForm.Values == nil && m.MayRecord {
		// The addresses are personal data of a sealed case: read only for
		// the deciding organ, whose page this is.
		sc, err := s.db.ServiceContacts(id)
		if err != nil {
			return err
		}
		m.ContactsForm.Values = map[string]string{"address": sc.Address, "guardian_name": sc.GuardianName, "guardian_address": sc.GuardianAddress}
	}
	return s.render(c, status, views.LegalDocsCasePage(m))
}

// legalDeciderCase loads a case on which the reader's organ decides; any other
// reader gets the 404 of a case that does not exist.
func (s *Server) legalDeciderCase(c echo.Context) (uint64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, err
	}
	_, actor, err := s.staffCase(c, id)
	if err != nil {
		return 0, err
	}
	if actor != portal.ActorDecider {
		return 0, portal.NotFound()
	}
	return id, nil
}

// handleStaffRightsExplained serves POST
// /staff/cases/:id/legal-documents/explanations: R13, who explained the
// person's rights and duties, when, how and to whom.
func (s *Server) handleStaffRightsExplained(c echo.Context) error {
	id, err := s.legalDeciderCase(c)
	if err != nil {
		return err
	}
	values := map[string]string{"method": c.FormValue("method"), "explained_on": c.FormValue("explained_on"),
		"to_person": c.FormValue("to_person"), "to_guardian": c.FormValue("to_guardian"), "note": c.FormValue("note")}
	e := portal.RightsExplanation{Method: portal.ExplainMethod(values["method"]), ToPerson: values["to_person"] != "",
		ToGuardian: values["to_guardian"] != "", Note: strings.TrimSpace(values["note"])}
	var ok bool
	if e.On, ok = portal.ParseDate(strings.TrimSpace(values["explained_on"])); !ok {
		e.On = portal.Date{}
	}
	u := currentUser(c)
	if err := s.db.RecordRightsExplanation(id, e, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)}); err != nil {
		f, ok := formError(err, values)
		if !ok {
			return err
		}
		return s.showStaffLegalDocs(c, http.StatusUnprocessableEntity, f, views.Form{}, "")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+strconv.FormatUint(id, 10)+"/legal-documents?done=explained")
}

// bindServiceContacts reads the addresses for service of a form (the
// documents page, the ex officio form), checking their length.
func bindServiceContacts(c echo.Context) (store.ServiceContacts, map[string]string, portal.FieldErrors) {
	values := map[string]string{"address": c.FormValue("address"), "guardian_name": c.FormValue("guardian_name"),
		"guardian_address": c.FormValue("guardian_address")}
	var fe portal.FieldErrors
	for k, v := range values {
		if utf8.RuneCountInString(strings.TrimSpace(v)) > store.MaxContactRunes {
			fe.Add(k, "legaldoc.contact_too_long")
		}
	}
	return store.ServiceContacts{Address: strings.TrimSpace(values["address"]), GuardianName: strings.TrimSpace(values["guardian_name"]),
		GuardianAddress: strings.TrimSpace(values["guardian_address"])}, values, fe
}

// handleStaffServiceContacts serves POST
// /staff/cases/:id/legal-documents/contacts.
func (s *Server) handleStaffServiceContacts(c echo.Context) error {
	id, err := s.legalDeciderCase(c)
	if err != nil {
		return err
	}
	sc, values, fe := bindServiceContacts(c)
	if len(fe) > 0 {
		return s.showStaffLegalDocs(c, http.StatusUnprocessableEntity, views.Form{}, views.Form{Values: values, Errors: fe}, "")
	}
	u := currentUser(c)
	if err := s.db.SetServiceContacts(id, sc, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+strconv.FormatUint(id, 10)+"/legal-documents?done=contacts")
}

// legalCheckContacts adds the problems of the addresses typed on the ex
// officio form to the form's errors.
func legalCheckContacts(c echo.Context, fe *portal.FieldErrors) {
	_, _, cfe := bindServiceContacts(c)
	for k, v := range cfe {
		fe.Add(k, v)
	}
}

// legalContactValues keeps the addresses typed on a posted ex officio form
// when it is shown again.
func legalContactValues(c echo.Context, f views.Form) views.Form {
	if c.Request().Method != http.MethodPost {
		return f
	}
	_, values, _ := bindServiceContacts(c)
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	for k, v := range values {
		f.Values[k] = v
	}
	return f
}

// saveExOfficioContacts records the addresses typed on the ex officio form
// for the case just opened; blank fields record nothing.
func (s *Server) saveExOfficioContacts(c echo.Context, caseID uint64) error {
	sc, _, fe := bindServiceContacts(c)
	if len(fe) > 0 || sc == (store.ServiceContacts{}) {
		return nil
	}
	u := currentUser(c)
	return s.db.SetServiceContacts(caseID, sc, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)})
}

// citizenLegalDocs are the person's copies for the citizen's case page.
func (s *Server) citizenLegalDocs(cs portal.Case, organMaterial bool) ([]views.LegalDocView, error) {
	if !organMaterial {
		return nil, nil
	}
	docs, err := s.db.LegalDocumentsOfCase(cs.ID)
	if err != nil {
		return nil, err
	}
	var out []views.LegalDocView
	for _, d := range docs {
		if citizenSeesDoc(d) {
			out = append(out, legalDocView(d, "/cases/"+strconv.FormatUint(cs.ID, 10)+"/legal-documents/"+strconv.Itoa(d.N), nil, nil))
		}
	}
	return out, nil
}

// handleCaseLegalDoc serves GET /cases/:id/legal-documents/:n: the person's
// copy of a document served on him or the guardian. The read is in "who
// looked at my record" like every citizen read.
func (s *Server) handleCaseLegalDoc(c echo.Context) error {
	cs, _, organMaterial, _, err := s.casesLoadRel(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || !organMaterial {
		return portal.NotFound()
	}
	u := currentUser(c)
	d, _, err := s.db.LegalDocument(cs.ID, 0, n, store.LegalDocRead{Reader: *u, RequestID: requestID(c)})
	if err != nil {
		return err
	}
	if !citizenSeesDoc(d) {
		return portal.NotFound()
	}
	if err := s.db.RecordCitizenRead(cs.ID, *u, "legaldoc:"+strconv.FormatUint(d.ID, 10), requestID(c)); err != nil {
		return err
	}
	page := s.page(c, "legaldoc.page_title")
	m := views.LegalDocPageModel{Page: page, Ref: cs.Ref, BackURL: "/cases/" + strconv.FormatUint(cs.ID, 10),
		Doc: legalDocView(d, "", nil, nil)}
	return s.render(c, http.StatusOK, views.LegalDocPage(m))
}

// handleStaffQueryLegalDoc serves GET /staff/queries/:id/legal-documents/:n:
// the decision letter of a query, for the deciding organ.
func (s *Server) handleStaffQueryLegalDoc(c echo.Context) error {
	q, err := s.staffQuery(c)
	if err != nil {
		return err
	}
	return s.showQueryLetter(c, q, "/staff/queries/"+strconv.FormatUint(q.ID, 10))
}

// handleQueryLegalDoc serves GET /queries/:id/legal-documents/:n: the
// decision letter addressed to the querying unit.
func (s *Server) handleQueryLegalDoc(c echo.Context) error {
	q, err := s.unitQuery(c)
	if err != nil {
		return err
	}
	// R14a: until the answer is released the unit sees its query as sent;
	// the letter, which states the decision, waits as long.
	if q.Status == portal.QuerySubmitted {
		return portal.NotFound()
	}
	return s.showQueryLetter(c, q, "/queries/"+strconv.FormatUint(q.ID, 10))
}

func (s *Server) showQueryLetter(c echo.Context, q portal.Query, back string) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return portal.NotFound()
	}
	u := currentUser(c)
	d, svc, err := s.db.LegalDocument(0, q.ID, n, store.LegalDocRead{Reader: *u, Purpose: "query", RequestID: requestID(c)})
	if err != nil {
		return err
	}
	organs, err := s.organNames()
	if err != nil {
		return err
	}
	m := views.LegalDocPageModel{Page: s.page(c, "legaldoc.page_title"), Ref: q.Ref, BackURL: back,
		Doc: legalDocView(d, "", organs, svc), ShowServices: u.Role.IsOrgan()}
	return s.render(c, http.StatusOK, views.LegalDocPage(m))
}

// queryLetterLinks lists the decision letters of a query for its pages.
func (s *Server) queryLetterLinks(q portal.Query, base string) ([]views.LegalDocView, error) {
	docs, err := s.db.LegalDocumentsOfQuery(q.ID)
	if err != nil {
		return nil, err
	}
	var out []views.LegalDocView
	for _, d := range docs {
		out = append(out, legalDocView(d, base+"/legal-documents/"+strconv.Itoa(d.N), nil, nil))
	}
	return out, nil
}
