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

// The supervision console (R24, R25, MPL art. 105): one queue of relief
// requests, leak reports and every organ's overdue sealing cases, nearest
// deadline first; counts at the top; filters by kind, status, organ and
// overdue; 50 per page. And the supervisor's page of a relief request with
// the steps it may take.

// supPageSize is how many rows a page of the console shows.
const supPageSize = 50

// The kinds of item in the queue.
const (
	supKindRelief = "relief"
	supKindLeak   = "leak"
	supKindCase   = "case"
)

// supLeakHooks connect the console to the leak reports' store. They are set
// by supervision_leaks.go; without them the console shows no leak reports.
type supLeakHooks struct {
	statuses []string // the statuses a sent report can have, in order
	// open counts the open reports.
	open func(db *store.DB) (int, error)
	// rows lists the first n reports matching the filter by deadline, and how
	// many match in all.
	rows func(db *store.DB, status string, overdueOnly bool, n int, today portal.Date) ([]views.SupervisionRow, int, error)
}

var supLeaks *supLeakHooks

// supCaseStatuses are the statuses an overdue sealing case can have: those
// with a deadline that an organ owes.
var supCaseStatuses = []portal.CaseStatus{portal.StatusSubmitted, portal.StatusAccepted, portal.StatusUnderReview, portal.StatusSealed}

// supReliefStatuses are the statuses of a sent relief request.
var supReliefStatuses = []portal.ReliefStatus{portal.ReliefSubmitted, portal.ReliefInfoRequested, portal.ReliefAccepted,
	portal.ReliefDeclined, portal.ReliefClosed, portal.ReliefWithdrawn}

// supInput is what the console's filter form sends.
type supInput struct {
	Kind, Status, Organ, Overdue, Page string
}

func bindSupervision(c echo.Context) supInput {
	return supInput{Kind: c.QueryParam("kind"), Status: c.QueryParam("status"), Organ: c.QueryParam("organ"),
		Overdue: c.QueryParam("overdue"), Page: c.QueryParam("page")}
}

func (in supInput) values() map[string]string {
	return map[string]string{"kind": in.Kind, "status": in.Status, "organ": in.Organ, "overdue": in.Overdue}
}

// supFilter is the console's filter once validated.
type supFilter struct {
	kinds       map[string]bool
	status      string // the status within its kind, "" for every open item
	organ       uint64
	overdueOnly bool
	page        int
}

// filter validates the input; an invalid field is left out and reported.
func (in supInput) filter(organs []portal.Organ) (supFilter, portal.FieldErrors) {
	var fe portal.FieldErrors
	f := supFilter{kinds: map[string]bool{supKindRelief: true, supKindLeak: supLeaks != nil, supKindCase: true},
		overdueOnly: in.Overdue != "", page: 1}
	if n, err := strconv.Atoi(in.Page); err == nil && n > 0 && n <= 1_000_000 {
		f.page = n
	}
	only := func(kind string) {
		for k := range f.kinds {
			f.kinds[k] = f.kinds[k] && k == kind
		}
	}
	switch in.Kind {
	case "":
	case supKindRelief, supKindCase:
		only(in.Kind)
	case supKindLeak:
		if supLeaks == nil {
			fe.Add("kind", "supervision.filter_kind_invalid")
		} else {
			only(in.Kind)
		}
	default:
		fe.Add("kind", "supervision.filter_kind_invalid")
	}
	if in.Status != "" {
		kind, st, _ := strings.Cut(in.Status, ":")
		if !slices.Contains(supStatusValues(kind), st) {
			fe.Add("status", "supervision.filter_status_invalid")
		} else if in.Kind != "" && in.Kind != kind {
			fe.Add("status", "supervision.filter_status_kind")
		} else {
			only(kind)
			f.status = st
		}
	}
	if in.Organ != "" {
		id, err := strconv.ParseUint(in.Organ, 10, 64)
		switch {
		case err != nil || !slices.ContainsFunc(organs, func(o portal.Organ) bool { return o.ID == id && o.Kind.IsOrgan() }):
			fe.Add("organ", "supervision.filter_organ_invalid")
		case in.Kind == supKindRelief || in.Kind == supKindLeak:
			fe.Add("organ", "supervision.filter_organ_cases")
		default:
			// The organ is a sealing case's: only cases have one.
			only(supKindCase)
			f.organ = id
		}
	}
	return f, fe
}

// supStatusValues lists the statuses of one kind as the filter sends them.
func supStatusValues(kind string) []string {
	var out []string
	switch kind {
	case supKindRelief:
		for _, s := range supReliefStatuses {
			out = append(out, string(s))
		}
	case supKindCase:
		for _, s := range supCaseStatuses {
			out = append(out, string(s))
		}
	case supKindLeak:
		if supLeaks != nil {
			out = supLeaks.statuses
		}
	}
	return out
}

// supStatusGroups are the status filter's choices, grouped by kind.
func supStatusGroups() []views.SupervisionStatusGroup {
	g := []views.SupervisionStatusGroup{{Kind: supKindRelief}}
	for _, s := range supReliefStatuses {
		g[0].Statuses = append(g[0].Statuses, views.SupervisionOption{Value: supKindRelief + ":" + string(s), LabelKey: "relief.status." + string(s)})
	}
	if supLeaks != nil {
		lg := views.SupervisionStatusGroup{Kind: supKindLeak}
		for _, s := range supLeaks.statuses {
			lg.Statuses = append(lg.Statuses, views.SupervisionOption{Value: supKindLeak + ":" + s, LabelKey: "leak.status." + s})
		}
		g = append(g, lg)
	}
	cg := views.SupervisionStatusGroup{Kind: supKindCase}
	for _, s := range supCaseStatuses {
		cg.Statuses = append(cg.Statuses, views.SupervisionOption{Value: supKindCase + ":" + string(s), LabelKey: "status." + string(s)})
	}
	return append(g, cg)
}

// supChunk reads the first n rows of a source that answers at most 200 rows
// per call, and the source's total.
func supChunk(n int, read func(offset, limit int) ([]views.SupervisionRow, int, error)) ([]views.SupervisionRow, int, error) {
	var out []views.SupervisionRow
	total := 0
	for offset := 0; ; {
		limit := min(200, n-offset)
		if limit <= 0 {
			limit = 1 // still learn the total
		}
		rows, t, err := read(offset, limit)
		if err != nil {
			return nil, 0, err
		}
		total = t
		if offset < n {
			out = append(out, rows[:min(len(rows), n-offset)]...)
		}
		offset += len(rows)
		if len(rows) == 0 || offset >= n || offset >= total {
			return out, total, nil
		}
	}
}

func supDaysLate(today, due portal.Date) int {
	if due.IsZero() || !today.After(due) {
		return 0
	}
	return int(today.Time().Sub(due.Time()).Hours()+12) / 24
}

// reliefSource lists relief requests for the console.
func (s *Server) supReliefRows(f supFilter, n int) ([]views.SupervisionRow, int, error) {
	today := s.today()
	return supChunk(n, func(offset, limit int) ([]views.SupervisionRow, int, error) {
		rows, total, err := s.db.ReliefQueue(store.ReliefFilter{Status: portal.ReliefStatus(f.status), OverdueOnly: f.overdueOnly, Offset: offset, Limit: limit})
		if err != nil {
			return nil, 0, err
		}
		var out []views.SupervisionRow
		for _, r := range rows {
			overdue := r.Status.Open() && !r.Due.IsZero() && today.After(r.Due)
			out = append(out, views.SupervisionRow{Kind: supKindRelief, ID: r.ID, Ref: r.Ref, Status: string(r.Status),
				StatusKey: "relief.status." + string(r.Status), Due: r.Due, Overdue: overdue, DaysLate: supDaysLate(today, r.Due),
				DueAwaitsCalendar: r.AwaitsCalendar, Received: r.Submitted, URL: "/supervision/relief/" + strconv.FormatUint(r.ID, 10)})
		}
		return out, total, nil
	})
}

// supCaseRows lists every organ's overdue sealing cases (the deadline index:
// never a scan of all cases). Each row's reference, status and late organs
// come from the case; nothing personal reaches the page. A status or organ
// filter reads every overdue case to count what matches.
func (s *Server) supCaseRows(f supFilter, n int, names reliefOrganNames) ([]views.SupervisionRow, int, error) {
	today := s.today()
	// The index row carries what the list shows, including the organs that
	// owe the next step (R12: each holding organ owes its own sealing), so no
	// case is decrypted for the list.
	row := func(r store.OverdueRow) views.SupervisionRow {
		var organs []string
		for _, o := range r.Owe {
			organs = append(organs, names[o])
		}
		return views.SupervisionRow{Kind: supKindCase, ID: r.CaseID, Ref: r.Ref, Status: string(r.Status), StatusKey: "status." + string(r.Status),
			Organ: strings.Join(organs, "、"), Due: r.Due, Overdue: true, DaysLate: supDaysLate(today, r.Due), Received: r.Submitted,
			URL: "/staff/cases/" + strconv.FormatUint(r.CaseID, 10)}
	}
	return supChunk(n, func(offset, limit int) ([]views.SupervisionRow, int, error) {
		var rows []store.OverdueRow
		var total int
		var err error
		if f.status == "" && f.organ == 0 {
			rows, total, err = s.db.Overdue(offset, limit)
		} else {
			rows, total, err = s.db.OverdueFiltered(store.OverdueFilter{Status: portal.CaseStatus(f.status), Organ: f.organ, Offset: offset, Limit: limit})
		}
		if err != nil {
			return nil, 0, err
		}
		out := make([]views.SupervisionRow, 0, len(rows))
		for _, r := range rows {
			out = append(out, row(r))
		}
		return out, total, nil
	})
}

// supKindOrder breaks ties between items due the same day.
var supKindOrder = map[string]int{supKindRelief: 0, supKindLeak: 1, supKindCase: 2}

// supLess orders the mixed queue: by deadline, nearest (most overdue) first,
// items without one last.
func supCompare(a, b views.SupervisionRow) int {
	switch {
	case a.Due.IsZero() != b.Due.IsZero():
		if a.Due.IsZero() {
			return 1
		}
		return -1
	case a.Due != b.Due:
		if a.Due.Before(b.Due) {
			return -1
		}
		return 1
	case a.Kind != b.Kind:
		return supKindOrder[a.Kind] - supKindOrder[b.Kind]
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// supPager builds the previous and next links, keeping the filter.
func supPager(in supInput, page, total int) views.SupervisionPager {
	pages := max(1, (total+supPageSize-1)/supPageSize)
	link := func(p int) string {
		v := url.Values{}
		for k, s := range in.values() {
			if s != "" {
				v.Set(k, s)
			}
		}
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		if enc := v.Encode(); enc != "" {
			return "/supervision?" + enc
		}
		return "/supervision"
	}
	p := views.SupervisionPager{Page: page, Pages: pages}
	if page > 1 {
		p.PrevURL = link(min(page-1, pages))
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// handleSupervision serves GET /supervision: the counts, the filters and one
// queue of relief requests, leak reports and overdue sealing cases.
func (s *Server) handleSupervision(c echo.Context) error {
	in := bindSupervision(c)
	organs, err := s.db.Organs()
	if err != nil {
		return err
	}
	names := reliefOrganNames{}
	var organOpts []views.SupervisionOption
	for _, o := range organs {
		names[o.ID] = o.Name
		if o.Kind.IsOrgan() {
			organOpts = append(organOpts, views.SupervisionOption{Value: strconv.FormatUint(o.ID, 10), Label: o.Name})
		}
	}
	f, fe := in.filter(organs)
	m := views.SupervisionModel{Page: s.page(c, "supervision.title"), Form: views.Form{Values: in.values(), Errors: fe},
		Kinds: []string{supKindRelief}, Statuses: supStatusGroups(), Organs: organOpts}
	if supLeaks != nil {
		m.Kinds = append(m.Kinds, supKindLeak)
	}
	m.Kinds = append(m.Kinds, supKindCase)

	// The counts at the top do not depend on the filter.
	if _, m.Counts.ReliefOpen, err = s.db.ReliefQueue(store.ReliefFilter{Limit: 1}); err != nil {
		return err
	}
	if _, m.Counts.CasesOverdue, err = s.db.Overdue(0, 1); err != nil {
		return err
	}
	if supLeaks != nil {
		if m.Counts.LeakOpen, err = supLeaks.open(s.db); err != nil {
			return err
		}
		m.Counts.LeaksKnown = true
	}

	n := f.page * supPageSize
	var all []views.SupervisionRow
	if f.kinds[supKindRelief] {
		rows, total, err := s.supReliefRows(f, n)
		if err != nil {
			return err
		}
		all, m.Total = append(all, rows...), m.Total+total
	}
	if f.kinds[supKindLeak] && supLeaks != nil {
		today := s.today()
		rows, total, err := supLeaks.rows(s.db, f.status, f.overdueOnly, n, today)
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i].DaysLate = supDaysLate(today, rows[i].Due)
		}
		all, m.Total = append(all, rows...), m.Total+total
	}
	if f.kinds[supKindCase] {
		rows, total, err := s.supCaseRows(f, n, names)
		if err != nil {
			return err
		}
		all, m.Total = append(all, rows...), m.Total+total
	}
	slices.SortStableFunc(all, supCompare)
	if from := (f.page - 1) * supPageSize; from < len(all) {
		m.Rows = all[from:min(len(all), from+supPageSize)]
	}
	m.Pager = supPager(in, f.page, m.Total)
	status := http.StatusOK
	if len(fe) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, views.SupervisionPage(m))
}

// supReliefState is what a re-rendered page carries over from a failed form.
type supReliefState struct {
	notice       string
	alert        string
	failedAction portal.ReliefAction
	actionForm   views.Form
	messageForm  views.Form
}

// supReliefActions are the steps the supervisor takes through the action
// route; the others (the applicant's, the organ's) are never offered.
var supReliefActions = []portal.ReliefAction{portal.ReliefAccept, portal.ReliefDecline, portal.ReliefAskInfo,
	portal.ReliefRecordStep, portal.ReliefIssueNotice, portal.ReliefClose}

// showSupervisionRelief reads the request through the audited read (R17 when
// it links a sealing case) and renders the supervisor's page.
func (s *Server) showSupervisionRelief(c echo.Context, status int, id uint64, st supReliefState) error {
	u := currentUser(c)
	r, err := s.db.ReliefForSupervisor(id, *u, s.freshFactor(c), requestID(c))
	if err != nil {
		return err
	}
	notices, err := s.db.ReliefNotices(id)
	if err != nil {
		return err
	}
	msgs, err := s.db.ReliefMessages(id)
	if err != nil {
		return err
	}
	organs, err := s.db.Organs()
	if err != nil {
		return err
	}
	names := reliefOrganNames{}
	m := views.SupervisionReliefModel{}
	for _, o := range organs {
		names[o.ID] = o.Name
		opt := views.SupervisionOption{Value: strconv.FormatUint(o.ID, 10), Label: o.Name}
		m.Organs = append(m.Organs, opt)
		if o.Kind.IsOrgan() {
			m.SealOrgans = append(m.SealOrgans, opt)
		}
	}
	today := s.today()
	base := "/supervision/relief/" + strconv.FormatUint(id, 10)
	m.Page = s.page(c, "supervision.relief_title")
	m.Page.Path = base
	m.ID, m.Ref, m.Status, m.Due, m.Overdue, m.Submitted = r.ID, r.Ref, r.Status, r.Due, r.Overdue(today), r.SubmittedAt
	m.DueAwaitsCalendar = r.DueAwaitsCalendar && r.Status.Open()
	m.Answers = reliefAnswers(r, "/staff/cases/")
	if r.Status.Final() {
		m.Outcome = r.Outcome
	}
	m.Timeline = reliefTimeline(r, names)
	inMessages := map[uint64]bool{}
	for _, msg := range msgs {
		for _, d := range msg.Documents {
			inMessages[d.ID] = true
		}
	}
	var evidence []portal.Document
	for _, d := range r.Documents {
		if !inMessages[d.ID] {
			evidence = append(evidence, d)
		}
	}
	m.Documents = reliefDocs(base, evidence)
	m.Messages = reliefMessageViews(msgs, u.ID, base)
	for _, n := range notices {
		m.Notices = append(m.Notices, views.SupervisionNotice{ID: n.ID, Organ: names[n.OrganID], Text: n.Text, IssuedAt: n.IssuedAt,
			Due: n.Due, Overdue: n.Overdue(today), DueAwaitsCalendar: n.DueAwaitsCalendar && !n.Answered(), Answered: n.Answered(), Answer: n.Answer, AnsweredAt: n.AnsweredAt})
	}
	due, err := s.cfg.Calendar.Due(today, portal.Policy.CorrectionAnswer)
	if err == nil {
		m.NoticeDue = due
	}
	m.NoticeDueAwaits = portal.IsCalendarMissing(err)
	allowed := portal.AllowedRelief(r.Status, portal.ReliefActorSupervisor)
	for _, a := range supReliefActions {
		if !slices.Contains(allowed, a) || a == portal.ReliefIssueNotice && r.LinkedCaseID == 0 {
			continue
		}
		f := views.Form{Values: map[string]string{}}
		if a == st.failedAction {
			f = st.actionForm
		}
		m.Actions = append(m.Actions, views.SupervisionActionForm{Action: a, URL: base + "/actions/" + string(a), Form: f})
	}
	m.CanMessage = r.Status.Open()
	m.MessageForm = st.messageForm
	m.NoticeKey, m.AlertKey = st.notice, st.alert
	if m.Oversight, err = s.oversightReliefPanel(id, r.LinkedCaseID); err != nil {
		return err
	}
	return s.render(c, status, views.SupervisionReliefPage(m))
}

// handleSupervisionRelief serves GET /supervision/relief/:id.
func (s *Server) handleSupervisionRelief(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	st := supReliefState{}
	if done := c.QueryParam("done"); done == "message" || slices.Contains(supReliefActions, portal.ReliefAction(done)) {
		st.notice = "supervision.notice." + done
	}
	return s.showSupervisionRelief(c, http.StatusOK, id, st)
}

// handleSupervisionReliefDocument serves GET
// /supervision/relief/:id/documents/:doc.
func (s *Server) handleSupervisionReliefDocument(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.db.ReliefForSupervisor(id, *currentUser(c), s.freshFactor(c), requestID(c))
	if err != nil {
		return err
	}
	return s.reliefServeDocument(c, r)
}

// handleSupervisionReliefMessage serves POST /supervision/relief/:id/messages:
// a message to the applicant, who is notified.
func (s *Server) handleSupervisionReliefMessage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.db.Relief(id); err != nil {
		return err
	}
	u := currentUser(c)
	text := c.FormValue("text")
	db, err := s.submissionStore(c) // outcome.go: a retry adds nothing twice
	if err != nil {
		return err
	}
	_, err = db.AddReliefMessage(portal.ReliefMessage{ReliefID: id, From: u.ID, FromRole: u.Role, Text: text}, nil, s.cfg.Calendar)
	if err != nil {
		form, ok := formError(err, map[string]string{"text": text})
		if !ok {
			return err
		}
		st := supReliefState{messageForm: form}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status, st.alert, st.messageForm = http.StatusConflict, form.Summary, views.Form{}
		}
		return s.showSupervisionRelief(c, status, id, st)
	}
	return c.Redirect(http.StatusSeeOther, "/supervision/relief/"+strconv.FormatUint(id, 10)+"?done=message#messages")
}

// handleSupervisionReliefAction serves POST
// /supervision/relief/:id/actions/:action: accept, decline (with the
// reason), ask for more (the question), record a step (kind, note, organ),
// issue a correction notice to an organ on the linked case (R24; it joins
// that organ's queue with its own deadline), close (with the outcome).
func (s *Server) handleSupervisionReliefAction(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	action := portal.ReliefAction(c.Param("action"))
	if !slices.Contains(supReliefActions, action) {
		return portal.NotFound()
	}
	if _, err := s.db.Relief(id); err != nil {
		return err
	}
	u := currentUser(c)
	values := map[string]string{"kind": c.FormValue("kind"), "organ": c.FormValue("organ"), "note": c.FormValue("note")}
	st := portal.ReliefStep{Action: action, Actor: portal.ReliefActorSupervisor, Kind: portal.ReliefStepKind(values["kind"]), Note: values["note"]}
	var fe portal.FieldErrors
	if v := values["organ"]; v != "" {
		if st.OrganID, err = strconv.ParseUint(v, 10, 64); err != nil || st.OrganID == 0 {
			fe.Add("organ", "relief.organ_required")
		}
	}
	err = fe.Err()
	if err == nil {
		_, err = s.db.ApplyRelief(id, store.ReliefStep{ReliefStep: st, AccountID: u.ID, Role: u.Role, RequestID: requestID(c)}, s.cfg.Calendar)
	}
	if err != nil {
		form, ok := formError(err, values)
		if !ok {
			return err
		}
		state := supReliefState{failedAction: action, actionForm: form}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			// The step is not possible now (someone took another meanwhile):
			// say so at the top.
			status, state.alert, state.actionForm = http.StatusConflict, form.Summary, views.Form{}
		}
		return s.showSupervisionRelief(c, status, id, state)
	}
	return c.Redirect(http.StatusSeeOther, "/supervision/relief/"+strconv.FormatUint(id, 10)+"?done="+string(action))
}
