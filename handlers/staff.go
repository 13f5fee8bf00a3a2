package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The officials' console. An official sees the cases of his own organ only:
// the deciding organ's staff decide, a holding organ's staff confirm that
// their records are sealed (R12), the supervisor reads every case and every
// overdue deadline but takes no step. Anyone else gets the same 404 as for a
// case that does not exist, so the console never reveals another organ's
// cases. Every view of a case's contents and every document download is in the
// audit log (R17).

// staffPageSize is how many rows a queue page shows.
const staffPageSize = 50

// Purposes written to the audit log with each read (R16, R17: every read
// states why).
const (
	purposeCaseDuty    = "case_duty"   // the organ decides or holds records of the case
	purposeSupervision = "supervision" // the supervising procuratorate (MPL art. 105)
)

// staffQueueInput is what the queue's filter and search forms send.
type staffQueueInput struct {
	Status, Overdue, Within, Done, Page, Ref string
}

func bindStaffQueue(c echo.Context) staffQueueInput {
	return staffQueueInput{Status: c.QueryParam("status"), Overdue: c.QueryParam("overdue"), Within: c.QueryParam("within"),
		Done: c.QueryParam("done"), Page: c.QueryParam("page"), Ref: c.QueryParam("ref")}
}

func (in staffQueueInput) values() map[string]string {
	return map[string]string{"status": in.Status, "overdue": in.Overdue, "within": in.Within, "done": in.Done, "ref": in.Ref}
}

// filterQuery is the filter as a query string's values, for page links.
func (in staffQueueInput) filterQuery() url.Values {
	return url.Values{"status": {in.Status}, "overdue": {in.Overdue}, "within": {in.Within}, "done": {in.Done}}
}

// filter validates the input into a store filter; an invalid field is left
// out of the filter and reported.
func (in staffQueueInput) filter() (store.QueueFilter, int, portal.FieldErrors) {
	var fe portal.FieldErrors
	f := store.QueueFilter{Limit: staffPageSize, OverdueOnly: in.Overdue != "", IncludeDone: in.Done != ""}
	if st := portal.CaseStatus(in.Status); in.Status != "" {
		if st.Valid() {
			f.Status = st
		} else {
			fe.Add("status", "staff.filter_status_invalid")
		}
	}
	if w := strings.TrimSpace(in.Within); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > 90 {
			fe.Add("within", "staff.filter_within_invalid")
		} else {
			f.DueWithin = n
		}
	}
	page := pageNumber(in.Page)
	f.Offset = (page - 1) * staffPageSize
	return f, page, fe
}

// pageNumber reads a page number; anything unusable is the first page.
func pageNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// normalizeRef reads a reference number as typed: spaces trimmed, letters in
// upper case, full-width hyphens folded.
func normalizeRef(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer("－", "-", "—", "-", "–", "-", " ", "").Replace(s)
	if len(s) > 40 {
		return ""
	}
	return s
}

// pager builds the previous and next links of a list, keeping the filter q
// (only the filter's own fields, never anything else the query carried).
func pager(path string, q url.Values, page, total int) views.StaffPager {
	pages := (total + staffPageSize - 1) / staffPageSize
	if pages < 1 {
		pages = 1
	}
	link := func(p int) string {
		v := url.Values{}
		for k, vs := range q {
			for _, s := range vs {
				if s != "" {
					v.Add(k, s)
				}
			}
		}
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		if enc := v.Encode(); enc != "" {
			return path + "?" + enc
		}
		return path
	}
	out := views.StaffPager{Page: page, Pages: pages}
	if page > 1 {
		out.PrevURL = link(min(page-1, pages))
	}
	if page < pages {
		out.NextURL = link(page + 1)
	}
	return out
}

// staffMaySee reports whether the official may open the case at all, and in
// which capacity. Drafts are nobody's business but the applicant's.
func staffMaySee(u *portal.Account, cs portal.Case) (portal.Actor, bool) {
	if cs.Status == "" || cs.Status == portal.StatusDraft {
		return "", false
	}
	return staffActor(u, cs)
}

// staffCase loads a case for an official and decides access before anything
// of it is shown. The read here only decides access (organ ids and status);
// the contents are shown only after the audited read of showStaffCase.
func (s *Server) staffCase(c echo.Context, id uint64) (portal.Case, portal.Actor, error) {
	u := currentUser(c)
	cs, err := s.db.Case(id)
	if err != nil {
		return portal.Case{}, "", err
	}
	actor, ok := staffMaySee(u, cs)
	if !ok {
		return portal.Case{}, "", portal.NotFound()
	}
	return cs, actor, nil
}

// handleStaffQueue serves GET /staff: the organ's queue by deadline, with
// filters, search by reference number and pages of 50; for the supervisor,
// every organ's overdue cases.
func (s *Server) handleStaffQueue(c echo.Context) error {
	u := currentUser(c)
	in := bindStaffQueue(c)
	if ref := normalizeRef(in.Ref); in.Ref != "" {
		if id, ok := s.findRef(u, ref); ok {
			return c.Redirect(http.StatusSeeOther, "/staff/cases/"+strconv.FormatUint(id, 10))
		}
	}
	refNotFound := strings.TrimSpace(in.Ref) != ""
	if u.Role == portal.RoleSupervisor {
		return s.staffOverdue(c, u, in, refNotFound)
	}
	f, page, fe := in.filter()
	rows, matching, err := s.db.Queue(u.OrganID, f)
	if err != nil {
		return err
	}
	_, open, err := s.db.Queue(u.OrganID, store.QueueFilter{Limit: 1})
	if err != nil {
		return err
	}
	_, overdue, err := s.db.Queue(u.OrganID, store.QueueFilter{OverdueOnly: true, Limit: 1})
	if err != nil {
		return err
	}
	today := s.today()
	m := views.StaffQueueModel{Page: s.page(c, "staff.queue_title"), Role: u.Role, Organ: u.Organ,
		Form: views.Form{Values: in.values(), Errors: fe}, Matching: matching, OpenTotal: open, OverdueTotal: overdue,
		Pager: pager("/staff", in.filterQuery(), page, matching), RefNotFound: refNotFound, MayOpenCase: u.Role.IsOrgan() && u.OrganID != 0}
	if m.Corrections, err = s.reliefCorrectionRows(u); err != nil {
		return err
	}
	for _, r := range rows {
		m.Rows = append(m.Rows, views.StaffQueueRow{CaseID: r.CaseID, Ref: r.Ref, Status: r.Status, Role: r.Role, ExOfficio: r.ExOfficio,
			Received: r.Submitted, Due: r.Due, Overdue: !r.Due.IsZero() && today.After(r.Due) && !r.Status.Final(),
			AwaitsCalendar: r.AwaitsCalendar, Provisional: !r.Due.IsZero() && s.cfg.Calendar.Provisional(r.Due.Year)})
	}
	if err := s.workbenchQueue(u, &m); err != nil { // issue 18
		return err
	}
	status := http.StatusOK
	if len(fe) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, views.StaffQueuePage(m))
}

// findRef returns the id of the case with that reference when the official may
// open it. A case of another organ is answered exactly like a number that
// does not exist.
func (s *Server) findRef(u *portal.Account, ref string) (uint64, bool) {
	if ref == "" {
		return 0, false
	}
	id, err := s.db.CaseByRef(ref)
	if err != nil {
		return 0, false
	}
	cs, err := s.db.Case(id)
	if err != nil {
		return 0, false
	}
	_, ok := staffMaySee(u, cs)
	return id, ok
}

// staffOverdue renders the supervisor's list: every open case whose deadline
// has passed, most overdue first, read from the deadline index.
func (s *Server) staffOverdue(c echo.Context, u *portal.Account, in staffQueueInput, refNotFound bool) error {
	page := pageNumber(in.Page)
	rows, total, err := s.db.Overdue((page-1)*staffPageSize, staffPageSize)
	if err != nil {
		return err
	}
	names, err := s.organNames()
	if err != nil {
		return err
	}
	today := s.today()
	m := views.StaffOverdueModel{Page: s.page(c, "staff.overdue_title"), Organ: u.Organ,
		Form: views.Form{Values: map[string]string{"ref": in.Ref}}, Total: total,
		Pager: pager("/staff", nil, page, total), RefNotFound: refNotFound}
	for _, r := range rows {
		// The index row carries the reference, the status and the organs that
		// owe the next step (for a sealed case each holding organ owes its own
		// sealing, R12), so no case is opened: nothing personal reaches the page.
		row := views.StaffOverdueRow{CaseID: r.CaseID, Ref: r.Ref, Status: r.Status, Due: r.Due,
			DaysLate: int(today.Time().Sub(r.Due.Time()).Hours()+12) / 24}
		for _, o := range r.Owe {
			row.Organs = append(row.Organs, names[o])
		}
		m.Rows = append(m.Rows, row)
	}
	return s.render(c, http.StatusOK, views.StaffOverduePage(m))
}

// organNames maps organ ids to names (organs are public authorities).
func (s *Server) organNames() (map[uint64]string, error) {
	organs, err := s.db.Organs()
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]string, len(organs))
	for _, o := range organs {
		out[o.ID] = o.Name
	}
	return out, nil
}

// handleStaffCase serves GET /staff/cases/:id: the case for an official with
// a duty on it, or the supervisor (read-only).
func (s *Server) handleStaffCase(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	notice := ""
	if done := c.QueryParam("done"); slices.Contains(staffNotices, done) {
		notice = "staff.notice." + done
	}
	return s.showStaffCase(c, http.StatusOK, id, actor, staffCaseState{notice: notice})
}

// staffNotices are the ?done= values that show a notice after a redirect.
var staffNotices = []string{"accept", "return", "start_review", "seal", "reject", "confirm", "message", "ex_officio", "court_birth_date", "take_up",
	"identity_verified", "guardianship_verified", "accept_review", "assigned"}

// staffCaseState is what a re-rendered case page carries over from a failed
// form: which action failed, with the values typed and the errors.
type staffCaseState struct {
	identityForm views.Form
	notice       string
	failedAction portal.CaseAction
	actionForm   views.Form
	messageForm  views.Form
	// courtBirthForm is the court-found birth date form (R30) after a
	// failed post.
	courtBirthForm views.Form
	// workbenchForm is the hand-over form after a failed post (issue 18).
	workbenchForm views.Form
	// decisions: a step refused because the page was stale, or an
	// override's failed rejection (decisions.go).
	decisions decisionsState
}

// showStaffCase reads the case through the audited read (R17) and renders its
// page. Access has been decided by staffCase.
func (s *Server) showStaffCase(c echo.Context, status int, id uint64, actor portal.Actor, st staffCaseState) error {
	u := currentUser(c)
	purpose := purposeCaseDuty
	if u.Role == portal.RoleSupervisor {
		purpose = purposeSupervision
	}
	cs, err := s.db.CaseForStaff(id, *u, s.freshFactor(c), purpose, requestID(c))
	if err != nil {
		return err
	}
	msgs, err := s.db.Messages(id)
	if err != nil {
		return err
	}
	names, err := s.organNames()
	if err != nil {
		return err
	}
	today := s.today()
	base := "/staff/cases/" + strconv.FormatUint(id, 10)
	page := s.page(c, "staff.case_page_title")
	// A page re-rendered after a failed post switches language back to the
	// case's page, not to the post's address.
	page.Path = base
	m := views.StaffCaseModel{Page: page, NoticeKey: st.notice, CaseID: id, Ref: cs.Ref,
		Status: cs.Status, ExOfficio: cs.ExOfficio, Capacity: cs.Capacity, Submitted: cs.SubmittedAt, Due: cs.Due,
		Overdue: cs.Overdue(today) && !cs.Status.Final(), ReadOnly: actor == "",
		PersonName: cs.PersonName, DecidingOrgan: names[cs.DecidingOrganID], OrganCaseNumber: cs.OrganCaseNumber,
		Disposition: cs.Disposition, DecisionDate: cs.DecisionDate, Acts: cs.Acts, Intent: cs.Intent, Penalty: cs.Penalty,
		MessageForm: st.messageForm, CourtBirthDate: cs.CourtBirthDate, DueAwaitsCalendar: cs.DueAwaitsCalendar,
		DueProvisional: !cs.Due.IsZero() && s.cfg.Calendar.Provisional(cs.Due.Year), TestPeriod: testPeriodView(cs, today),
		MayRecordCourtBirth: actor == portal.ActorDecider, CourtBirthForm: staffCourtBirthForm(cs, st.courtBirthForm)}
	switch actor {
	case portal.ActorDecider:
		m.Standing = "decider"
	case portal.ActorHolder:
		m.Standing = "holder"
	default:
		m.Standing = "supervisor"
	}
	if doc, err := cs.PersonDocument(); err == nil {
		if b, ok := doc.BirthDate(); ok {
			m.BirthDate = b
		}
		// R31: the kind of document (and a passport's state) is shown with
		// its number, so that the official checks the right papers.
		if !doc.IsResidentID() {
			m.PersonDocType, m.PersonDocCountry = doc.Type, doc.Country
		}
		// R22: the deciding organ needs the full number to find its files;
		// holders and the supervisor see only enough to tell people apart.
		if actor == portal.ActorDecider {
			m.PersonID = doc.Number
		} else {
			m.PersonID, m.PersonIDMasked = doc.Masked(), true
		}
	}
	if err := s.staffIdentityModel(&m, cs, actor, base, st); err != nil {
		return err
	}
	if m.LegalDocs, err = s.staffLegalDocsSummary(u, cs, actor); err != nil {
		return err
	}
	for _, o := range cs.HoldingOrganIDs {
		at, ok := cs.Confirmations[o]
		m.Holders = append(m.Holders, views.StaffHolder{Name: names[o], Own: o == u.OrganID && u.OrganID != 0, Confirmed: ok, At: at})
	}
	if m.Unsealing, err = s.unsealApprovalView(u, cs, views.Form{}); err != nil { // issue 18
		return err
	}
	if d, ok := cs.Eligibility(); ok {
		m.Eligibility = &views.StaffEligibility{Outcome: d.Outcome, Rules: d.Rules, ReasonKey: d.ReasonKey}
	}
	docURL := func(d portal.Document) string { return base + "/documents/" + strconv.FormatUint(d.ID, 10) }
	inMessages := map[uint64]bool{}
	for _, msg := range msgs {
		sm := views.StaffMessage{FromStaff: msg.FromRole.IsStaff(), FromRole: msg.FromRole, Organ: names[msg.OrganID], Text: msg.Text, At: msg.At}
		for _, d := range msg.Documents {
			inMessages[d.ID] = true
			sm.Documents = append(sm.Documents, views.StaffDocument{URL: docURL(d), Name: d.Name, Kind: d.Kind, MediaType: d.MediaType, Size: d.Size, UploadedAt: d.UploadedAt})
		}
		m.Messages = append(m.Messages, sm)
	}
	for _, d := range cs.Documents {
		if inMessages[d.ID] {
			continue // shown with its message
		}
		m.Documents = append(m.Documents, views.StaffDocument{URL: docURL(d), Name: d.Name, Kind: d.Kind, MediaType: d.MediaType, Size: d.Size, UploadedAt: d.UploadedAt})
	}
	for _, ev := range cs.Events {
		m.Timeline = append(m.Timeline, views.TimelineItem{Event: ev, OrganName: names[ev.OrganID]})
	}
	suggested := ""
	if m.Eligibility != nil {
		suggested = strings.Join(m.Eligibility.Rules, ", ")
	}
	for _, a := range staffActions(u, cs, actor) {
		f := views.Form{Values: map[string]string{}}
		if a == portal.ActionSeal {
			// The rules' computation is offered as a starting point; the organ
			// confirms or corrects it.
			f.Values["rules"] = suggested
		}
		if a == st.failedAction {
			f = st.actionForm
		}
		spec := staffActionSpecs[a]
		m.Actions = append(m.Actions, views.StaffActionForm{Action: a, URL: base + "/actions/" + string(a), Form: f,
			ShowNote: spec.note != noteNone, NoteRequired: spec.note == noteRequired, ShowRules: spec.rules != rulesNone,
			Warning: a == portal.ActionReject})
	}
	if err := s.decisionsModel(&m, u, cs, actor, base, st.decisions); err != nil {
		return err
	}
	if st.failedAction != "" && !st.decisions.stale && !slices.Contains(staffActions(u, cs, actor), st.failedAction) {
		// The step is no longer possible (someone else took one meanwhile):
		// say so at the top of the page.
		m.NoticeKey = "case.action_not_allowed"
	}
	if m.Oversight, err = s.oversightCasePanel(c, cs); err != nil {
		return err
	}
	if err := s.workbenchCasePanel(&m, u, cs, actor, base, st); err != nil {
		return err
	}
	return s.render(c, status, views.StaffCasePage(m))
}

// staffActions lists the steps the official's organ may take on the case now:
// the deciding organ's steps of the procedure, and the confirmation of
// sealing for an organ holding records (the deciding organ too, when it holds
// some) that has not yet confirmed (R12). The supervisor takes none.
func staffActions(u *portal.Account, cs portal.Case, actor portal.Actor) []portal.CaseAction {
	var out []portal.CaseAction
	if actor == portal.ActorDecider {
		// R11: an ex officio case has no return for correction.
		for _, a := range portal.AllowedOn(cs, portal.ActorDecider) {
			if a == portal.ActionTakeUp && !cs.SealingDuty {
				continue // R11: only a withdrawal that left the duty
			}
			out = append(out, a)
		}
	}
	if actor != "" && u.OrganID != 0 && cs.Holds(u.OrganID) {
		if cs.Status == portal.StatusUnsealing {
			// Issue 18: each holder confirms the unsealing once.
			if cs.OwesUnsealConfirmation(u.OrganID) {
				out = append(out, portal.ActionConfirmUnsealed)
			}
		} else if _, done := cs.Confirmations[u.OrganID]; !done {
			out = append(out, portal.Allowed(cs.Status, portal.ActorHolder)...)
		}
	}
	return out
}

type noteUse int

const (
	noteNone noteUse = iota
	noteOptional
	noteRequired
)

type rulesUse int

const (
	rulesNone rulesUse = iota
	rulesRequired
)

// staffActionSpec says what an action's form asks for.
type staffActionSpec struct {
	note    noteUse
	noteKey string // the error when a required note is missing
	rules   rulesUse
	// fixed are the rules the step always relies on.
	fixed []string
}

// staffActionSpecs is every action an official can post; any other name is a
// 404. A return must tell the applicant what to correct; a decision either
// way states its legal basis by rule id, and a refusal its reasons.
var staffActionSpecs = map[portal.CaseAction]staffActionSpec{
	portal.ActionAccept:      {note: noteOptional},
	portal.ActionReturn:      {note: noteRequired, noteKey: "staff.return_note_required"},
	portal.ActionStartReview: {note: noteNone},
	portal.ActionSeal:        {note: noteOptional, rules: rulesRequired},
	portal.ActionReject:      {note: noteRequired, noteKey: "staff.reject_note_required", rules: rulesRequired},
	// R12: each organ seals what it holds.
	portal.ActionConfirm: {note: noteOptional, fixed: []string{"R12"}},
	// Issue 18, R18: each holder lifts the seal on what it holds.
	portal.ActionConfirmUnsealed: {note: noteOptional, fixed: []string{"R18"}},
	// R11: the withdrawn application's record is still to be sealed.
	portal.ActionTakeUp: {note: noteOptional, fixed: []string{"R11"}},
}

// staffActionInput is what an action's form posts; nothing else is read.
type staffActionInput struct {
	Note, Rules string
}

func (in staffActionInput) values() map[string]string {
	return map[string]string{"note": in.Note, "rules": in.Rules}
}

var ruleIDRE = regexp.MustCompile(`^R([1-9]|1[0-9]|2[0-6])$`)

// parseRules reads rule ids as typed ("R2, R3" or "r2 r3" or "R2、R3"),
// refusing anything that is not one of DOMAIN's R1–R26.
func parseRules(s string) ([]string, bool) {
	if utf8.RuneCountInString(s) > 200 {
		return nil, false
	}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000'
	})
	var out []string
	for _, f := range fields {
		id := strings.ToUpper(f)
		if !ruleIDRE.MatchString(id) {
			return nil, false
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, true
}

// check validates the input for an action, returning the rules and note the
// step will carry.
func (in staffActionInput) check(spec staffActionSpec) (rules []string, note string, fe portal.FieldErrors) {
	if spec.note != noteNone {
		note = strings.TrimSpace(in.Note)
		switch {
		case note == "" && spec.note == noteRequired:
			fe.Add("note", spec.noteKey)
		case utf8.RuneCountInString(note) > portal.MaxMessageRunes:
			fe.Add("note", "staff.note_too_long")
		}
	}
	if spec.rules != rulesNone {
		rs, ok := parseRules(in.Rules)
		switch {
		case !ok:
			fe.Add("rules", "staff.rules_invalid")
		case len(rs) == 0 && spec.rules == rulesRequired:
			fe.Add("rules", "staff.rules_required")
		}
		rules = rs
	}
	for _, r := range spec.fixed {
		if !slices.Contains(rules, r) {
			rules = append(rules, r)
		}
	}
	return rules, note, fe
}

// handleStaffAction serves POST /staff/cases/:id/actions/:action: one step of
// the procedure by the official's organ. The state machine in the store
// decides whether it is possible now; a refused step re-renders the page with
// the reason.
func (s *Server) handleStaffAction(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	action := portal.CaseAction(c.Param("action"))
	spec, known := staffActionSpecs[action]
	if !known {
		return portal.NotFound()
	}
	in := staffActionInput{Note: c.FormValue("note"), Rules: c.FormValue("rules")}
	u := currentUser(c)
	cs, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	if actor == "" {
		return portal.Forbidden("staff.read_only")
	}
	fail := func(status int, f views.Form) error {
		return s.showStaffCase(c, status, id, actor, staffCaseState{failedAction: action, actionForm: f})
	}
	version := formVersion(c)
	if staleVersion(cs, version) {
		return s.showStale(c, id, actor, action, in.values(), version)
	}
	if !slices.Contains(staffActions(u, cs, actor), action) {
		return fail(http.StatusConflict, views.Form{Values: in.values(), Summary: "case.action_not_allowed"})
	}
	if _, against := portal.AgainstRules(cs, action); against {
		// Issue 18: a decision against the rules needs a second official.
		return s.proposeOverride(c, id, actor, action, in, version)
	}
	rules, note, fe := in.check(spec)
	if len(fe) > 0 {
		return fail(http.StatusUnprocessableEntity, views.Form{Values: in.values(), Errors: fe})
	}
	// The capacity follows from the step: confirming is what a holding organ
	// does (the deciding organ too, for the records it holds); every other
	// step is the deciding organ's.
	stepActor := portal.ActorDecider
	if action == portal.ActionConfirm || action == portal.ActionConfirmUnsealed {
		stepActor = portal.ActorHolder
	}
	err = s.applyStaffStep(c, id, store.Step{Action: action, Actor: stepActor, AccountID: u.ID, Role: u.Role, OrganID: u.OrganID,
		Rules: rules, Note: note, RequestID: requestID(c), Version: version})
	if errKey(err) == "decide.stale" {
		return s.showStale(c, id, actor, action, in.values(), version)
	}
	if err != nil {
		form, ok := formError(err, in.values())
		if !ok {
			if portal.ErrorCode(err) != portal.CodeForbidden {
				return err
			}
			form = views.Form{Values: in.values(), Summary: errKey(err)}
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict || portal.ErrorCode(err) == portal.CodeForbidden {
			status = http.StatusConflict
		}
		return fail(status, form)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/cases/%d?done=%s#actions", id, action))
}

// handleStaffMessage serves POST /staff/cases/:id/messages: the organ writes
// to the applicant, e.g. to ask for a document, with an optional attachment.
func (s *Server) handleStaffMessage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u := currentUser(c)
	_, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	if actor == "" {
		return portal.Forbidden("staff.read_only")
	}
	text := c.FormValue("text")
	values := map[string]string{"text": text}
	fail := func(f views.Form) error {
		return s.showStaffCase(c, http.StatusUnprocessableEntity, id, actor, staffCaseState{messageForm: f})
	}
	m := portal.Message{CaseID: id, From: u.ID, FromRole: u.Role, OrganID: u.OrganID, Text: strings.TrimSpace(text)}
	var files [][]byte
	fh, err := c.FormFile("file")
	switch {
	case err == nil:
		d, content, err := readUpload(fh, portal.NewUploadBudget())
		if err != nil {
			if f, ok := formError(err, values); ok {
				return fail(f)
			}
			return err
		}
		m.Documents, files = []portal.Document{d}, [][]byte{content}
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		// No attachment.
	default:
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	if err := m.Validate(); err != nil {
		if f, ok := formError(err, values); ok {
			return fail(f)
		}
		return err
	}
	db, err := s.submissionStore(c) // outcome.go: a retry adds nothing twice
	if err != nil {
		return err
	}
	if _, err := db.AddMessage(m, files); err != nil {
		if f, ok := formError(err, values); ok {
			return fail(f)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/cases/%d?done=message#messages", id))
}

// handleStaffDocument serves GET /staff/cases/:id/documents/:doc: a document
// of the case, for an official with a duty on it or the supervisor. The
// download is written to the audit log before the bytes are read (R17).
func (s *Server) handleStaffDocument(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	u := currentUser(c)
	cs, _, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	d, ok := cs.Document(docID)
	if !ok {
		return portal.NotFound()
	}
	purpose := purposeCaseDuty
	if u.Role == portal.RoleSupervisor {
		purpose = purposeSupervision
	}
	if err := s.db.RecordAudit(portal.AuditEvent{Action: portal.AuditDocumentRead, ActorID: u.ID, ActorRole: u.Role,
		SubjectKind: "case", SubjectID: id, Detail: purpose + ":document:" + strconv.FormatUint(docID, 10), RequestID: requestID(c)}); err != nil {
		return err
	}
	content, err := s.db.StaffDocumentContent(id, docID, *u, s.freshFactor(c))
	if err != nil {
		return err
	}
	return serveDocument(c, d, content)
}

// staffExOfficioInput is what the ex officio form posts; nothing else is read.
type staffExOfficioInput struct {
	PersonDocType, PersonDocCountry                                   string // R31
	PersonName, PersonIDNumber, CaseNumber, DecisionDate, Disposition string
	// MainActs are the rows the court found to be main criminal conduct
	// (R5; several of them, R27), each a row index.
	MainActs                                                          []string
	Acts                                                              [views.StaffActRows]string
	ActIntents                                                        [views.StaffActRows]string // R32: per act, "" when not stated
	PenaltyKind, PenaltyMonths, PenaltyDays, PenaltySuspended, Intent string
	// CourtBirthDate is the birth date the court found where it differs
	// from the identity number (R30); blank when it does not.
	CourtBirthDate string
	HoldingOrgans  []string
}

func bindStaffExOfficio(c echo.Context) staffExOfficioInput {
	in := staffExOfficioInput{PersonDocType: c.FormValue("person_doc_type"), PersonDocCountry: c.FormValue("person_doc_country"),
		PersonName: c.FormValue("person_name"), PersonIDNumber: c.FormValue("person_id_number"),
		CaseNumber: c.FormValue("case_number"), DecisionDate: c.FormValue("decision_date"), Disposition: c.FormValue("disposition"),
		PenaltyKind: c.FormValue("penalty_kind"), PenaltyMonths: c.FormValue("penalty_months"),
		PenaltyDays: c.FormValue("penalty_days"), PenaltySuspended: c.FormValue("penalty_suspended"), Intent: c.FormValue("intent"),
		CourtBirthDate: c.FormValue("court_birth_date")}
	for i := range in.Acts {
		in.Acts[i] = c.FormValue(fmt.Sprintf("acts[%d].date", i))
		in.ActIntents[i] = c.FormValue(fmt.Sprintf("acts[%d].intent", i))
	}
	if params, err := c.FormParams(); err == nil {
		in.HoldingOrgans = params["holding_organs"]
		for _, v := range params["main_act"] {
			if v != "" && !slices.Contains(in.MainActs, v) {
				in.MainActs = append(in.MainActs, v)
			}
		}
	}
	if len(in.HoldingOrgans) > 100 {
		in.HoldingOrgans = in.HoldingOrgans[:100]
	}
	if len(in.MainActs) > views.StaffActRows+1 {
		in.MainActs = in.MainActs[:views.StaffActRows+1]
	}
	return in
}

func (in staffExOfficioInput) values() map[string]string {
	docType := in.PersonDocType
	if docType == "" {
		docType = string(portal.DocResidentID)
	}
	v := map[string]string{"person_doc_type": docType, "person_doc_country": in.PersonDocCountry,
		"person_name": in.PersonName, "person_id_number": in.PersonIDNumber, "case_number": in.CaseNumber,
		"decision_date": in.DecisionDate, "disposition": in.Disposition, "main_act": strings.Join(in.MainActs, ","), "penalty_kind": in.PenaltyKind,
		"penalty_months": in.PenaltyMonths, "penalty_days": in.PenaltyDays, "penalty_suspended": in.PenaltySuspended, "intent": in.Intent,
		"court_birth_date": in.CourtBirthDate}
	for i, a := range in.Acts {
		v[fmt.Sprintf("acts[%d].date", i)] = a
		v[fmt.Sprintf("acts[%d].intent", i)] = in.ActIntents[i]
	}
	return v
}

// toCase builds the case the organ opens. The form's own errors (dates and
// numbers that do not parse, unknown organs) are reported here; the rules of
// the sections (R1, R2, identity, required fields) are checked by the store
// inside the creating transaction.
func (in staffExOfficioInput) toCase(u *portal.Account, organs map[uint64]portal.Organ) (portal.Case, portal.FieldErrors) {
	var fe portal.FieldErrors
	cs := portal.Case{
		PersonName:      strings.TrimSpace(in.PersonName),
		OrganCaseNumber: strings.TrimSpace(in.CaseNumber),
		Disposition:     portal.Disposition(in.Disposition),
		Intent:          portal.Intent(in.Intent),
		DecidingOrganID: u.OrganID,
	}
	// R31: the person's identity document of any kind; the store reports
	// why one is refused.
	if t := portal.IDDocType(in.PersonDocType); t != "" && t != portal.DocResidentID {
		cs.PersonDocType, cs.PersonDocCountry = t, strings.TrimSpace(in.PersonDocCountry)
	}
	cs.PersonIDNumber = strings.TrimSpace(in.PersonIDNumber)
	if doc, err := cs.PersonDocument(); err == nil {
		cs.PersonIDNumber, cs.PersonDocCountry = doc.Number, doc.Country
	}
	if s := strings.TrimSpace(in.DecisionDate); s != "" {
		if d, ok := portal.ParseDate(s); ok {
			cs.DecisionDate = d
		} else {
			fe.Add("decision_date", "staff.date_invalid")
		}
	}
	if s := strings.TrimSpace(in.CourtBirthDate); s != "" {
		// R30: the court's finding of the birth date prevails over the
		// identity number; the rules then use it.
		if d, ok := portal.ParseDate(s); ok {
			cs.CourtBirthDate = d
		} else {
			fe.Add("court_birth_date", "staff.date_invalid")
		}
	}
	main := map[int]bool{}
	for _, v := range in.MainActs {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n >= len(in.Acts) {
			fe.Add("main_act", "staff.main_act_invalid")
			continue
		}
		main[n] = true
	}
	for i, s := range in.Acts {
		s = strings.TrimSpace(s)
		if s == "" {
			if main[i] {
				fe.Add("main_act", "staff.main_act_empty")
			}
			continue
		}
		d, ok := portal.ParseDate(s)
		if !ok {
			fe.Add(fmt.Sprintf("acts[%d].date", i), "staff.date_invalid")
			continue
		}
		intent := portal.Intent(in.ActIntents[i])
		if intent != "" && !slices.Contains(portal.ActIntents, intent) {
			fe.Add(fmt.Sprintf("acts[%d].date", i), "eligibility.intent_unknown")
			intent = ""
		}
		cs.Acts = append(cs.Acts, portal.Act{Date: d, Main: main[i], Intent: intent})
	}
	// A sentence is asked for only when the case ended with one; otherwise
	// whatever the penalty fields hold is not part of the case.
	if cs.Disposition == portal.DispositionSentenced && in.PenaltyKind != "" {
		p := &portal.Penalty{Kind: portal.PenaltyKind(in.PenaltyKind), Suspended: in.PenaltySuspended != ""}
		var ok bool
		if p.Months, ok = smallNumber(in.PenaltyMonths); !ok {
			fe.Add("penalty_months", "eligibility.months_range")
		}
		if p.Days, ok = smallNumber(in.PenaltyDays); !ok {
			fe.Add("penalty_days", "eligibility.days_range")
		}
		cs.Penalty = p
	}
	for _, s := range in.HoldingOrgans {
		id, err := strconv.ParseUint(s, 10, 64)
		o, known := organs[id]
		if err != nil || !known || !o.Kind.IsOrgan() {
			fe.Add("holding_organs", "staff.holders_invalid")
			continue
		}
		if !slices.Contains(cs.HoldingOrganIDs, id) {
			cs.HoldingOrganIDs = append(cs.HoldingOrganIDs, id)
		}
	}
	return cs, fe
}

// smallNumber reads an optional non-negative count (months, days); blank is 0.
func smallNumber(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 10000 {
		return 0, false
	}
	return n, true
}

// sealingOrgans lists the organs that can hold records (not the supervisor).
func (s *Server) sealingOrgans() ([]portal.Organ, map[uint64]portal.Organ, error) {
	all, err := s.db.Organs()
	if err != nil {
		return nil, nil, err
	}
	var list []portal.Organ
	byID := map[uint64]portal.Organ{}
	for _, o := range all {
		if o.Kind.IsOrgan() {
			list = append(list, o)
			byID[o.ID] = o
		}
	}
	return list, byID, nil
}

func (s *Server) renderExOfficio(c echo.Context, status int, f views.Form, checked []uint64, duplicates ...string) error {
	u := currentUser(c)
	list, _, err := s.sealingOrgans()
	if err != nil {
		return err
	}
	m := views.StaffExOfficioModel{Page: s.page(c, "staff.exofficio_title"), Form: legalContactValues(c, f), Organ: u.Organ, Acts: views.StaffActRows,
		Dispositions: portal.ExOfficioDispositions[u.Role], Duplicates: duplicates}
	for _, o := range list {
		m.Organs = append(m.Organs, views.StaffOrganOption{ID: o.ID, Name: o.Name, Kind: o.Kind, Checked: slices.Contains(checked, o.ID)})
	}
	return s.render(c, status, views.StaffExOfficioPage(m))
}

// handleStaffExOfficioForm serves GET /staff/cases/new.
func (s *Server) handleStaffExOfficioForm(c echo.Context) error {
	u := currentUser(c)
	if u.OrganID == 0 {
		return portal.Forbidden("error.forbidden")
	}
	// The official's own organ usually holds records of its own case.
	return s.renderExOfficio(c, http.StatusOK, views.Form{Values: map[string]string{}}, []uint64{u.OrganID})
}

// handleStaffExOfficioSubmit serves POST /staff/cases/new: the organ opens a
// case on its own initiative (R11: sealing must not depend on an
// application). The official's organ decides it; the person, if registered,
// sees it appear, since the store links cases to accounts by identity number.
func (s *Server) handleStaffExOfficioSubmit(c echo.Context) error {
	u := currentUser(c)
	if u.OrganID == 0 {
		return portal.Forbidden("error.forbidden")
	}
	in := bindStaffExOfficio(c)
	_, organs, err := s.sealingOrgans()
	if err != nil {
		return err
	}
	cs, fe := in.toCase(u, organs)
	docs, docErrs := exOfficioDocuments(c)
	for k, v := range docErrs {
		fe.Add(k, v)
	}
	// Every section's problems at once (the store checks them again inside
	// its transaction, and stops at the first section that fails).
	today := s.today()
	for _, sec := range []string{portal.SectionPerson, portal.SectionCase, portal.SectionOrgans} {
		for k, v := range cs.SectionErrors(sec, today) {
			fe.Add(k, v)
		}
	}
	legalCheckContacts(c, &fe)
	if len(fe) > 0 {
		return s.renderExOfficio(c, http.StatusUnprocessableEntity, views.Form{Values: in.values(), Errors: fe}, cs.HoldingOrganIDs)
	}
	created, err := s.db.OpenExOfficio(cs, store.Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, AccountID: u.ID,
		Role: u.Role, OrganID: u.OrganID, Rules: []string{"R11"}, RequestID: requestID(c),
		ConfirmDuplicate: c.FormValue("confirm_duplicate") != ""}, s.cfg.Calendar, docs...)
	if err != nil {
		f, ok := formError(err, in.values())
		if !ok {
			return err
		}
		return s.renderExOfficio(c, http.StatusUnprocessableEntity, f, cs.HoldingOrganIDs, s.exOfficioDuplicates(cs, f)...)
	}
	if err := s.saveExOfficioContacts(c, created.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/cases/%d?done=ex_officio", created.ID))
}
