package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Supervision on the procuratorate's own initiative (R24, R25, R33; MPL art.
// 105): the supervisor's opinions to organs and the organs' replies, the
// lists of refusals and of holders owing confirmation, the leak
// investigation in the audit log, and the cross-links between records about
// one person. Nothing personal is shown here beyond what the supervisor's
// audited reads already show: references, statuses and organs' names.

// opinionRules are the rules whose citations an opinion from each subject
// proposes (portal.CitationsForRules); the rest of the table is offered too.
var opinionRules = map[portal.OpinionSubject][]string{
	portal.OpinionOnCase:  {"R12", "R24", "R33"},
	portal.OpinionOnOrgan: {"R12", "R24", "R33"},
	portal.OpinionOnLeak:  {"R17", "R22", "R25", "R33"},
}

// opinionDefaultCitations are the citations ticked on a new form: the
// provisions every such opinion rests on (the organs' duty to seal, the
// procuratorate's supervision; for a leak, the liability for disclosure and
// the minor's identity shield). The supervisor adds or removes.
var opinionDefaultCitations = map[portal.OpinionSubject][]string{
	portal.OpinionOnCase:  {"cpl-286", "measures-organ-duties", "measures-supervision"},
	portal.OpinionOnOrgan: {"cpl-286", "measures-organ-duties", "measures-supervision"},
	portal.OpinionOnLeak:  {"measures-accountability", "mpl-103", "measures-supervision"},
}

// opinionStates are the filters of the supervisor's list.
var opinionStates = []string{"", "open", "overdue", "answered"}

func citationKnown(id string) bool {
	_, ok := portal.CitationByID(id)
	return ok
}

// opinionTarget is what a new opinion is issued from.
type opinionTarget struct {
	subject portal.OpinionSubject
	caseID  uint64
	leakID  uint64
	organID uint64
}

// parseID reads an optional positive id; ok is false for anything else
// typed.
func parseID(s string) (uint64, bool) {
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n > 0
}

// opinionTargetOf reads the subject from the query (GET) or the form (POST):
// exactly one of case, leak or organ. A malformed id is a page that does not
// exist; no subject, or two, is a request to refuse (422).
func opinionTargetOf(subject, caseS, leakS, organS string) (opinionTarget, error) {
	caseID, ok1 := parseID(caseS)
	leakID, ok2 := parseID(leakS)
	organID, ok3 := parseID(organS)
	if !ok1 || !ok2 || !ok3 {
		return opinionTarget{}, portal.NotFound()
	}
	t := opinionTarget{caseID: caseID, leakID: leakID, organID: organID}
	switch {
	case caseID != 0 && leakID == 0:
		t.subject = portal.OpinionOnCase
	case leakID != 0 && caseID == 0:
		t.subject = portal.OpinionOnLeak
	case organID != 0 && caseID == 0 && leakID == 0:
		t.subject = portal.OpinionOnOrgan
	default:
		return opinionTarget{}, portal.Invalid("oversight.subject_invalid")
	}
	if subject != "" && portal.OpinionSubject(subject) != t.subject {
		return opinionTarget{}, portal.Invalid("oversight.subject_invalid")
	}
	return t, nil
}

// opinionChoices is what a re-rendered form keeps of the multiple choices.
type opinionChoices struct {
	cases     map[uint64]bool
	citations map[string]bool
}

// opinionFormModel builds the form for a target; fresh fills the proposed
// values (organ, cases, citations) of a first visit.
func (s *Server) opinionFormModel(c echo.Context, t opinionTarget, f views.Form, ch opinionChoices, fresh bool) (views.OpinionFormModel, error) {
	names, err := s.organNames()
	if err != nil {
		return views.OpinionFormModel{}, err
	}
	organs, err := s.db.Organs()
	if err != nil {
		return views.OpinionFormModel{}, err
	}
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	m := views.OpinionFormModel{Page: s.page(c, "oversight.new_title"), Subject: t.subject, Back: "/supervision"}
	sealing := func(id uint64) bool {
		return slices.ContainsFunc(organs, func(o portal.Organ) bool { return o.ID == id && o.Kind.IsOrgan() })
	}
	q := url.Values{}
	switch t.subject {
	case portal.OpinionOnCase:
		cs, err := s.db.Case(t.caseID)
		if err != nil {
			return m, err
		}
		if cs.Status == portal.StatusDraft {
			return m, portal.NotFound()
		}
		m.CaseID, m.CaseRef = cs.ID, cs.Ref
		m.Back = "/staff/cases/" + strconv.FormatUint(cs.ID, 10)
		q.Set("case", strconv.FormatUint(cs.ID, 10))
		// R12: the organs with a duty on the case, the one that owes the
		// next step first.
		duty := []uint64{cs.DecidingOrganID}
		for _, h := range cs.HoldingOrganIDs {
			if !slices.Contains(duty, h) {
				duty = append(duty, h)
			}
		}
		owing := cs.DecidingOrganID
		if p := cs.PendingHolders(); cs.Status == portal.StatusSealed && len(p) > 0 {
			owing = p[0]
		}
		if fresh {
			f.Values["organ"] = strconv.FormatUint(owing, 10)
			if want := c.QueryParam("organ"); want != "" {
				if id, ok := parseID(want); ok && slices.Contains(duty, id) {
					f.Values["organ"] = want
				}
			}
		}
		for _, id := range duty {
			if id != 0 {
				m.Organs = append(m.Organs, views.OversightOption{Value: strconv.FormatUint(id, 10), Label: names[id]})
			}
		}
	case portal.OpinionOnLeak:
		ref, err := s.db.LeakRef(t.leakID)
		if err != nil {
			return m, err
		}
		m.LeakID, m.LeakRef = t.leakID, ref
		m.Back = leakSupervisorPath(t.leakID)
		q.Set("leak", strconv.FormatUint(t.leakID, 10))
		for _, o := range organs {
			if o.Kind.IsOrgan() {
				m.Organs = append(m.Organs, views.OversightOption{Value: strconv.FormatUint(o.ID, 10), Label: o.Name})
			}
		}
	case portal.OpinionOnOrgan:
		if !sealing(t.organID) {
			return m, portal.NotFound()
		}
		m.OrganFixed, m.OrganName = true, names[t.organID]
		f.Values["organ"] = strconv.FormatUint(t.organID, 10)
		m.Back = "/supervision?kind=case&organ=" + strconv.FormatUint(t.organID, 10)
		q.Set("organ", strconv.FormatUint(t.organID, 10))
		rows, _, err := s.db.OverdueFiltered(store.OverdueFilter{Organ: t.organID, Limit: portal.OpinionMaxCases})
		if err != nil {
			return m, err
		}
		today := s.today()
		for _, r := range rows {
			checked := fresh || ch.cases[r.CaseID]
			m.Cases = append(m.Cases, views.OversightOption{Value: strconv.FormatUint(r.CaseID, 10),
				Label:   views.Translate(langOf(c), "oversight.case_option", r.Ref, supDaysLate(today, r.Due)),
				Checked: checked})
		}
	}
	m.Page.Path = "/supervision/opinions/new?" + q.Encode()
	for _, k := range portal.OpinionKinds {
		m.Kinds = append(m.Kinds, views.OversightOption{Value: string(k), LabelKey: "oversight.kind." + string(k), Hint: "oversight.kind_hint." + string(k)})
	}
	if fresh {
		f.Values["kind"] = string(portal.OpinionCorrection)
	}
	lang := string(langOf(c))
	suggested := map[string]bool{}
	for _, cit := range portal.CitationsForRules(opinionRules[t.subject]) {
		suggested[cit.ID] = true
		checked := fresh && slices.Contains(opinionDefaultCitations[t.subject], cit.ID) || ch.citations[cit.ID]
		m.Suggested = append(m.Suggested, views.OversightOption{Value: cit.ID, Label: cit.In(lang), Checked: checked})
	}
	for _, cit := range portal.Citations() {
		if !suggested[cit.ID] {
			m.Others = append(m.Others, views.OversightOption{Value: cit.ID, Label: cit.In(lang), Checked: ch.citations[cit.ID]})
		}
	}
	today := s.today()
	m.DueDefaults = map[string]string{}
	for _, k := range portal.OpinionKinds {
		d, err := portal.OpinionDefaultDue(s.cfg.Calendar, k, today)
		switch {
		case portal.IsCalendarMissing(err):
			m.DueNote = "oversight.due_calendar_missing"
			m.DueDefaults[string(k)] = "—"
		case err != nil:
			return m, err
		default:
			m.DueDefaults[string(k)] = d.String()
		}
	}
	m.DueLatest = portal.OpinionLatestDue(s.cfg.Calendar, today)
	m.Form = f
	return m, nil
}

// handleOpinionNew serves GET /supervision/opinions/new?case=|leak=|organ=:
// the form of a new opinion from a case (its page, an overdue row, a list),
// a leak report, or for an organ's overdue cases together.
//
// Without any, the organs to choose from for a bulk opinion.
func (s *Server) handleOpinionNew(c echo.Context) error {
	if c.QueryParam("case") == "" && c.QueryParam("leak") == "" && c.QueryParam("organ") == "" {
		organs, err := s.db.Organs()
		if err != nil {
			return err
		}
		m := views.OpinionStartModel{Page: s.page(c, "oversight.new_title")}
		for _, o := range organs {
			if o.Kind.IsOrgan() {
				m.Organs = append(m.Organs, views.OversightLink{Ref: o.Name, URL: "/supervision/opinions/new?organ=" + strconv.FormatUint(o.ID, 10)})
			}
		}
		return s.render(c, http.StatusOK, views.OpinionStartPage(m))
	}
	// From a list, a case comes with the organ the row names: the case is
	// the subject, and the organ is proposed when it has a duty on it.
	t, err := opinionTargetOf("", c.QueryParam("case"), c.QueryParam("leak"), c.QueryParam("organ"))
	if err != nil {
		return err
	}
	m, err := s.opinionFormModel(c, t, views.Form{}, opinionChoices{}, true)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.OpinionFormPage(m))
}

// handleOpinionIssue serves POST /supervision/opinions: the opinion is
// issued, numbered and joins the organ's list with its reply date (R33).
func (s *Server) handleOpinionIssue(c echo.Context) error {
	subject := c.FormValue("subject")
	organS := c.FormValue("organ")
	target := organS
	if subject != string(portal.OpinionOnOrgan) {
		target = ""
	}
	t, err := opinionTargetOf(subject, c.FormValue("case"), c.FormValue("leak"), target)
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	values := map[string]string{"kind": c.FormValue("kind"), "organ": organS, "facts": c.FormValue("facts"),
		"request": c.FormValue("request"), "due": c.FormValue("due")}
	ch := opinionChoices{cases: map[uint64]bool{}, citations: map[string]bool{}}
	o := portal.Opinion{Kind: portal.OpinionKind(values["kind"]), Subject: t.subject, LeakID: t.leakID,
		Facts: values["facts"], Request: values["request"]}
	var fe portal.FieldErrors
	if id, ok := parseID(organS); ok {
		o.OrganID = id
	}
	switch t.subject {
	case portal.OpinionOnCase:
		o.CaseIDs = []uint64{t.caseID}
	case portal.OpinionOnOrgan:
		for _, v := range form["cases"] {
			id, ok := parseID(v)
			if !ok || id == 0 {
				fe.Add("cases", "oversight.cases_invalid")
				continue
			}
			if !ch.cases[id] {
				ch.cases[id] = true
				o.CaseIDs = append(o.CaseIDs, id)
			}
		}
	}
	for _, v := range form["citations"] {
		v = strings.TrimSpace(v)
		if !ch.citations[v] && v != "" {
			ch.citations[v] = true
			o.Citations = append(o.Citations, v)
		}
	}
	today := s.today()
	switch due := strings.TrimSpace(values["due"]); {
	case due != "":
		d, ok := portal.ParseDate(due)
		if !ok {
			fe.Add("due", "oversight.due_invalid")
		}
		o.Due = d
	case o.Kind.Valid():
		// Left empty: the period of the kind (portal.OpinionReply).
		if d, err := portal.OpinionDefaultDue(s.cfg.Calendar, o.Kind, today); err == nil {
			o.Due = d
		} else if !portal.IsCalendarMissing(err) {
			return err
		}
	}
	err = fe.Err()
	if err == nil {
		o, err = s.db.IssueOpinion(o, *currentUser(c), portal.OpinionLatestDue(s.cfg.Calendar, today), citationKnown, requestID(c))
	}
	if err != nil {
		f, ok := formError(err, values)
		if !ok {
			return err
		}
		m, merr := s.opinionFormModel(c, t, f, ch, false)
		if merr != nil {
			return merr
		}
		return s.render(c, http.StatusUnprocessableEntity, views.OpinionFormPage(m))
	}
	return c.Redirect(http.StatusSeeOther, "/supervision/opinions/"+strconv.FormatUint(o.ID, 10)+"?done=issued")
}

// opinionView shows an opinion to the supervisor (every link) or to an
// official of the organ it was issued to (links to the cases the organ has
// a duty on; no link to a leak report).
func (s *Server) opinionView(c echo.Context, o portal.Opinion, names map[uint64]string, forOrgan bool) views.OpinionView {
	u := currentUser(c)
	lang := string(langOf(c))
	v := views.OpinionView{ID: o.ID, Number: o.Number, Kind: o.Kind, Subject: o.Subject, Organ: names[o.OrganID],
		Facts: o.Facts, Request: o.Request, IssuedAt: o.IssuedAt, Due: o.Due, Overdue: o.Overdue(s.today()),
		Answered: o.Answered(), Answer: o.Answer, AnsweredAt: o.AnsweredAt}
	if forOrgan {
		v.URL = "/staff/opinions/" + strconv.FormatUint(o.ID, 10)
	} else {
		v.URL = "/supervision/opinions/" + strconv.FormatUint(o.ID, 10)
	}
	for i, id := range o.CaseIDs {
		l := views.OversightLink{Kind: "case", Ref: o.CaseRefs[i]}
		if forOrgan {
			l.URL = s.reliefCaseURLFor(u, id)
		} else {
			l.URL = "/staff/cases/" + strconv.FormatUint(id, 10)
		}
		v.Cases = append(v.Cases, l)
	}
	if o.LeakID != 0 {
		l := views.OversightLink{Kind: "leak", Ref: o.LeakRef}
		if !forOrgan {
			l.URL = leakSupervisorPath(o.LeakID)
		}
		v.Leak = &l
	}
	for _, id := range o.Citations {
		if cit, ok := portal.CitationByID(id); ok {
			v.Citations = append(v.Citations, cit.In(lang))
		}
	}
	return v
}

// handleOpinionShow serves GET /supervision/opinions/:id: the opinion as a
// printable document, with the organ's reply once given.
func (s *Server) handleOpinionShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	o, err := s.db.Opinion(id)
	if err != nil {
		return err
	}
	names, err := s.organNames()
	if err != nil {
		return err
	}
	m := views.OpinionModel{Page: s.page(c, "oversight.opinion_title"), Opinion: s.opinionView(c, o, names, false), Back: "/supervision/opinions"}
	m.Page.Path = m.Opinion.URL
	if c.QueryParam("done") == "issued" {
		m.NoticeKey = "oversight.notice.issued"
	}
	return s.render(c, http.StatusOK, views.OpinionPage(m))
}

// handleOpinionList serves GET /supervision/opinions?state=: every opinion,
// open ones by reply date (overdue first), then answered ones.
func (s *Server) handleOpinionList(c echo.Context) error {
	state := c.QueryParam("state")
	if !slices.Contains(opinionStates, state) {
		return portal.Invalid("oversight.filter_invalid")
	}
	page := pageNumber(c.QueryParam("page"))
	rows, total, err := s.db.OpinionQueue(store.OpinionFilter{State: state, Offset: (page - 1) * staffPageSize, Limit: staffPageSize})
	if err != nil {
		return err
	}
	names, err := s.organNames()
	if err != nil {
		return err
	}
	today := s.today()
	m := views.OpinionListModel{Page: s.page(c, "oversight.opinions_title"), State: state, States: opinionStates, Total: total}
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	m.Pager = pager("/supervision/opinions", q, page, total)
	for _, r := range rows {
		m.Rows = append(m.Rows, views.OpinionView{ID: r.ID, Number: r.Number, Kind: r.Kind, Organ: names[r.Organ], IssuedAt: r.Issued,
			Due: r.Due, Answered: r.Answered, Overdue: !r.Answered && today.After(r.Due),
			URL: "/supervision/opinions/" + strconv.FormatUint(r.ID, 10)})
	}
	return s.render(c, http.StatusOK, views.OpinionListPage(m))
}

// handleOrganOpinionList serves GET /staff/opinions: the opinions issued to
// the official's organ.
func (s *Server) handleOrganOpinionList(c echo.Context) error {
	u := currentUser(c)
	list, err := s.db.OpinionsOfOrgan(u.OrganID)
	if err != nil {
		return err
	}
	names, err := s.organNames()
	if err != nil {
		return err
	}
	m := views.OpinionListModel{Page: s.page(c, "oversight.organ_opinions_title"), ForOrgan: true, Organ: u.Organ, Total: len(list)}
	for _, o := range list {
		m.Rows = append(m.Rows, s.opinionView(c, o, names, true))
	}
	return s.render(c, http.StatusOK, views.OpinionListPage(m))
}

// organOpinion reads the route's opinion for an official of the organ it was
// issued to; any other organ gets a 404.
func (s *Server) organOpinion(c echo.Context) (portal.Opinion, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return portal.Opinion{}, err
	}
	o, err := s.db.Opinion(id)
	if err != nil {
		return o, err
	}
	if u := currentUser(c); u.OrganID == 0 || o.OrganID != u.OrganID {
		return portal.Opinion{}, portal.NotFound()
	}
	return o, nil
}

func (s *Server) renderOrganOpinion(c echo.Context, status int, o portal.Opinion, f views.Form, notice string) error {
	names, err := s.organNames()
	if err != nil {
		return err
	}
	m := views.OpinionModel{Page: s.page(c, "oversight.opinion_title"), Opinion: s.opinionView(c, o, names, true), ForOrgan: true,
		Form: f, NoticeKey: notice, Back: "/staff/opinions"}
	m.Page.Path = m.Opinion.URL
	return s.render(c, status, views.OpinionPage(m))
}

// handleOrganOpinionShow serves GET /staff/opinions/:id: the opinion and the
// form of the written reply.
func (s *Server) handleOrganOpinionShow(c echo.Context) error {
	o, err := s.organOpinion(c)
	if err != nil {
		return err
	}
	notice := ""
	if c.QueryParam("done") == "answered" {
		notice = "oversight.notice.answered"
	}
	return s.renderOrganOpinion(c, http.StatusOK, o, views.Form{}, notice)
}

// handleOrganOpinionAnswer serves POST /staff/opinions/:id/answer: the
// organ's written reply (R33).
func (s *Server) handleOrganOpinionAnswer(c echo.Context) error {
	o, err := s.organOpinion(c)
	if err != nil {
		return err
	}
	answer := c.FormValue("answer")
	if _, err := s.db.AnswerOpinion(o.ID, *currentUser(c), answer, requestID(c)); err != nil {
		f, ok := formError(err, map[string]string{"answer": answer})
		if !ok {
			return err
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
			if now, lerr := s.db.Opinion(o.ID); lerr == nil {
				o = now
			}
		}
		return s.renderOrganOpinion(c, status, o, f, "")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/opinions/"+strconv.FormatUint(o.ID, 10)+"?done=answered")
}

// ---- Lists ----

func (s *Server) oversightCaseList(c echo.Context, list string, read func(offset, limit int) ([]store.OversightCaseRow, int, error)) error {
	page := pageNumber(c.QueryParam("page"))
	rows, total, err := read((page-1)*staffPageSize, staffPageSize)
	if err != nil {
		return err
	}
	names, err := s.organNames()
	if err != nil {
		return err
	}
	today := s.today()
	path := "/supervision/" + list
	m := views.OversightCaseListModel{Page: s.page(c, "oversight."+list+"_title"), List: list, Total: total, Pager: pager(path, nil, page, total)}
	m.Page.Path = path
	for _, r := range rows {
		id := strconv.FormatUint(r.CaseID, 10)
		m.Rows = append(m.Rows, views.OversightCaseRow{Case: views.OversightLink{Kind: "case", Ref: r.Ref, URL: "/staff/cases/" + id},
			Organ: names[r.Organ], StatusKey: "status." + string(r.Status), Due: r.Due, DaysLate: supDaysLate(today, r.Due), Received: r.Submitted,
			OpinionURL: "/supervision/opinions/new?case=" + id + "&organ=" + strconv.FormatUint(r.Organ, 10)})
	}
	return s.render(c, http.StatusOK, views.OversightCaseListPage(m))
}

// handleRefusals serves GET /supervision/refusals: every decision not to
// seal (不予封存), by organ.
func (s *Server) handleRefusals(c echo.Context) error {
	return s.oversightCaseList(c, "refusals", s.db.Refusals)
}

// handleUnconfirmed serves GET /supervision/unconfirmed: each holding organ
// that has not confirmed the sealing of a sealed case (R12), with how long
// it is overdue.
func (s *Server) handleUnconfirmed(c echo.Context) error {
	return s.oversightCaseList(c, "unconfirmed", s.db.Unconfirmed)
}

// ---- The leak investigation ----

// investigationActions are the audit actions with a name on the page; the
// others show their code.
var investigationActions = []portal.AuditAction{portal.AuditSealedRead, portal.AuditDocumentRead, portal.AuditQueryReadRefused,
	portal.AuditCitizenRead, portal.AuditCaseStep, portal.AuditMessage, portal.AuditLogin, portal.AuditLogout, portal.AuditLoginFailed,
	store.AuditInvestigationRead, store.AuditOpinionIssued, store.AuditOpinionAnswered}

// handleInvestigation serves GET /supervision/leaks/:id/investigation
// [?case=|?account=]: every audit entry about a case of the leaked person, or
// every entry made by one account (the suspected official), from the audit
// indexes; the read is itself audited (R17, R25).
func (s *Server) handleInvestigation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	caseID, ok1 := parseID(c.QueryParam("case"))
	account, ok2 := parseID(c.QueryParam("account"))
	if !ok1 || !ok2 || caseID != 0 && account != 0 {
		return portal.NotFound()
	}
	return s.renderInvestigation(c, http.StatusOK, id, caseID, account, views.Form{})
}

// handleInvestigationAccount serves POST
// /supervision/leaks/:id/investigation: the login of the suspected official
// (typed, since it need not appear in the case's log) leads to every action
// of that account. The login travels in the form, never in an address; an
// unknown login, or a citizen's, is refused at the field.
func (s *Server) handleInvestigationAccount(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	login := strings.TrimSpace(c.FormValue("login"))
	a, err := s.db.AccountByLogin(login)
	switch {
	case login == "":
		return s.renderInvestigation(c, http.StatusUnprocessableEntity, id, 0, 0,
			views.Form{Values: map[string]string{"login": login}, Errors: map[string]string{"login": "oversight.login_required"}})
	case err != nil && portal.ErrorCode(err) != portal.CodeNotFound:
		return err
	case err != nil || !a.Role.IsStaff():
		return s.renderInvestigation(c, http.StatusUnprocessableEntity, id, 0, 0,
			views.Form{Values: map[string]string{"login": login}, Errors: map[string]string{"login": "oversight.login_unknown"}})
	}
	return c.Redirect(http.StatusSeeOther, leakSupervisorPath(id)+"/investigation?account="+strconv.FormatUint(a.ID, 10))
}

// renderInvestigation reads (audited) and shows the log of a case or an
// account, with the form to name an official by login.
func (s *Server) renderInvestigation(c echo.Context, status int, id, caseID, account uint64, f views.Form) error {
	u := currentUser(c)
	inv, err := s.db.InvestigateLeak(id, caseID, account, *u, s.freshFactor(c), requestID(c))
	if err != nil {
		return err
	}
	base := leakSupervisorPath(id) + "/investigation"
	m := views.InvestigationModel{Page: s.page(c, "oversight.investigation_page"), LeakID: id, LeakRef: inv.Report.Ref,
		Account: inv.Account, Back: leakSupervisorPath(id), NoPerson: inv.Report.PersonIDNumber == "", Form: f}
	m.Page.Path = base
	for _, cs := range inv.Cases {
		m.Cases = append(m.Cases, views.OversightOption{Value: base + "?case=" + strconv.FormatUint(cs.ID, 10), Label: cs.Ref,
			Checked: cs.ID == inv.CaseID && inv.Account == 0})
		if cs.ID == inv.CaseID {
			m.CaseRef = cs.Ref
		}
	}
	accounts := map[uint64]portal.Account{}
	who := func(id uint64) (portal.Account, error) {
		if a, ok := accounts[id]; ok {
			return a, nil
		}
		a, err := s.db.Account(id)
		if err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
			return a, err
		}
		accounts[id] = a
		return a, nil
	}
	if inv.Account != 0 {
		a, err := who(inv.Account)
		if err != nil {
			return err
		}
		m.Organ, m.Role = a.Organ, a.Role
	}
	for _, ev := range slices.Backward(inv.Entries) {
		e := views.InvestigationEntry{At: ev.At, Action: string(ev.Action), Role: ev.ActorRole, AccountID: ev.ActorID,
			Subject: ev.SubjectKind + " " + strconv.FormatUint(ev.SubjectID, 10), Detail: ev.Detail}
		if slices.Contains(investigationActions, ev.Action) {
			e.ActionKey = "oversight.action." + string(ev.Action)
		}
		if ev.ActorID != 0 {
			a, err := who(ev.ActorID)
			if err != nil {
				return err
			}
			// Officials and units by their organ's name; a citizen only by
			// capacity (R22).
			if a.Role.IsStaff() {
				e.Organ = a.Organ
			}
			if inv.Account != ev.ActorID {
				e.AccountURL = base + "?account=" + strconv.FormatUint(ev.ActorID, 10)
			}
		}
		m.Entries = append(m.Entries, e)
	}
	return s.render(c, status, views.InvestigationPage(m))
}

// ---- Panels and cross-links ----

// crossLinks turns the store's cross-links into links of the supervisor's
// pages.
func crossLinks(refs []store.CrossRef) []views.OversightLink {
	out := make([]views.OversightLink, 0, len(refs))
	for _, r := range refs {
		id := strconv.FormatUint(r.ID, 10)
		l := views.OversightLink{Kind: r.Kind, Ref: r.Ref}
		switch r.Kind {
		case "case":
			l.URL, l.Status = "/staff/cases/"+id, "status."+r.Status
		case "leak":
			l.URL, l.Status = "/supervision/leaks/"+id, "leak.status."+r.Status
		case "relief":
			l.URL, l.Status = "/supervision/relief/"+id, "relief.status."+r.Status
		}
		out = append(out, l)
	}
	return out
}

// oversightCasePanel is the block on a case's staff page: for the
// supervisor, the opinions on the case, the link to issue one and the
// records about the same person; for an organ, the opinions issued to it
// on the case (nothing when there are none).
func (s *Server) oversightCasePanel(c echo.Context, cs portal.Case) (views.OversightPanel, error) {
	u := currentUser(c)
	list, err := s.db.OpinionsOfCase(cs.ID)
	if err != nil {
		return views.OversightPanel{}, err
	}
	names, err := s.organNames()
	if err != nil {
		return views.OversightPanel{}, err
	}
	p := views.OversightPanel{Supervisor: u.Role == portal.RoleSupervisor}
	for _, o := range list {
		if p.Supervisor || o.OrganID == u.OrganID && u.OrganID != 0 {
			p.Opinions = append(p.Opinions, s.opinionView(c, o, names, !p.Supervisor))
		}
	}
	if !p.Supervisor {
		p.Show = len(p.Opinions) > 0
		return p, nil
	}
	p.Show = true
	p.IssueURL = "/supervision/opinions/new?case=" + strconv.FormatUint(cs.ID, 10)
	refs, err := s.db.PersonCrossLinks([]uint64{cs.ID}, store.CrossRef{Kind: "case", ID: cs.ID})
	if err != nil {
		return p, err
	}
	p.Related = crossLinks(refs)
	return p, nil
}

// oversightLeakPanel is the block on a leak report's supervisor page.
func (s *Server) oversightLeakPanel(c echo.Context, leakID uint64) (views.OversightPanel, error) {
	list, err := s.db.OpinionsOfLeak(leakID)
	if err != nil {
		return views.OversightPanel{}, err
	}
	names, err := s.organNames()
	if err != nil {
		return views.OversightPanel{}, err
	}
	id := strconv.FormatUint(leakID, 10)
	p := views.OversightPanel{Show: true, Supervisor: true, IssueURL: "/supervision/opinions/new?leak=" + id,
		InvestURL: leakSupervisorPath(leakID) + "/investigation"}
	for _, o := range list {
		p.Opinions = append(p.Opinions, s.opinionView(c, o, names, false))
	}
	seed, err := s.db.LeakCaseIDs(leakID)
	if err != nil {
		return p, err
	}
	refs, err := s.db.PersonCrossLinks(seed, store.CrossRef{Kind: "leak", ID: leakID})
	if err != nil {
		return p, err
	}
	p.Related = crossLinks(refs)
	return p, nil
}

// oversightReliefPanel is the block of cross-links on a relief request's
// supervisor page (its own correction notices are on the page already).
func (s *Server) oversightReliefPanel(reliefID, linkedCase uint64) (views.OversightPanel, error) {
	p := views.OversightPanel{Show: true, Supervisor: true}
	if linkedCase == 0 {
		return p, nil
	}
	refs, err := s.db.PersonCrossLinks([]uint64{linkedCase}, store.CrossRef{Kind: "relief", ID: reliefID})
	if err != nil {
		return p, err
	}
	p.Related = crossLinks(refs)
	list, err := s.db.OpinionsOfCase(linkedCase)
	if err != nil {
		return p, err
	}
	names, err := s.organNames()
	if err != nil {
		return p, err
	}
	for _, o := range list {
		p.Opinions = append(p.Opinions, views.OpinionView{ID: o.ID, Number: o.Number, Kind: o.Kind, Organ: names[o.OrganID],
			Due: o.Due, Answered: o.Answered(), Overdue: o.Overdue(s.today()), URL: "/supervision/opinions/" + strconv.FormatUint(o.ID, 10)})
	}
	return p, nil
}
