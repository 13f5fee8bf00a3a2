package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Decisions that cannot quietly go wrong (issue 18):
//
//   - a decision against the rules' computation (sealing what they call not
//     eligible, refusing what they say must be sealed) is an override: the
//     official writes reasons, and it waits for a second official of the same
//     organ, who approves (takes the decision) or rejects it (the case
//     returns to review); the supervisor lists every override;
//   - the staff case page says who changed the case last and when, and a
//     step posted from a page the case changed since is refused with what
//     changed, keeping what was typed.

func init() {
	staffNotices = append(staffNotices, "propose_override", "approve_override", "reject_override")
}

// decisionsState is what a re-rendered case page carries for this area.
type decisionsState struct {
	stale      bool
	since      string // the version the stale page showed
	rejectForm views.Form
}

// formVersion reads the hidden version field (portal.CaseVersion as the page
// showed it); anything unusable is "" (no check).
func formVersion(c echo.Context) string {
	v := strings.TrimSpace(c.FormValue("version"))
	if _, ok := portal.VersionSteps(v); !ok || len(v) > 40 {
		return ""
	}
	return v
}

// staleVersion reports whether the page the step came from showed an older
// state of the case.
func staleVersion(cs portal.Case, version string) bool {
	return version != "" && portal.CaseVersion(cs) != version
}

// showStale re-renders the case page after a step from a stale page: the
// changes since, the typed values kept, nothing done.
func (s *Server) showStale(c echo.Context, id uint64, actor portal.Actor, action portal.CaseAction, values map[string]string, since string) error {
	return s.showStaffCase(c, http.StatusConflict, id, actor, staffCaseState{failedAction: action,
		actionForm: views.Form{Values: values, Summary: "decide.stale"}, decisions: decisionsState{stale: true, since: since}})
}

// officialNames names the officials who acted on a case: "name (login)".
// Citizens are never named here (their login is a mobile number); they
// appear by their capacity.
func (s *Server) officialNames(ids map[uint64]bool) map[uint64]string {
	out := map[uint64]string{}
	for id := range ids {
		if id == 0 {
			continue
		}
		a, err := s.db.Account(id)
		if err != nil || !a.Role.IsStaff() {
			continue
		}
		name := strings.TrimSpace(a.Name)
		if name == "" {
			out[id] = a.Login
		} else {
			out[id] = name + " (" + a.Login + ")"
		}
	}
	return out
}

// whoKey names a non-official actor of an event.
func whoKey(ev portal.CaseEvent) string {
	switch {
	case ev.ActorRole.IsCitizen():
		return "decide.who.applicant"
	case ev.ActorID == 0:
		return "decide.who.system"
	}
	return "decide.who_unknown"
}

// decisionsModel fills the case page's panel and marks the decision forms
// that go against the rules; every form carries the page's version.
func (s *Server) decisionsModel(m *views.StaffCaseModel, u *portal.Account, cs portal.Case, actor portal.Actor, base string, st decisionsState) error {
	version := portal.CaseVersion(cs)
	for i := range m.Actions {
		a := &m.Actions[i]
		a.Version = version
		if _, against := portal.AgainstRules(cs, a.Action); against {
			a.Override, a.ShowNote, a.NoteRequired = true, true, true
		}
	}
	ids := map[uint64]bool{}
	for _, ev := range cs.Events {
		ids[ev.ActorID] = true
	}
	if cs.Override != nil {
		ids[cs.Override.ProposedBy] = true
	}
	names := s.officialNames(ids)
	d := views.DecisionsModel{Stale: st.stale}
	if n := len(cs.Events); n > 0 {
		last := cs.Events[n-1]
		d.LastChangedAt, d.LastChangedBy = last.At, names[last.ActorID]
		if d.LastChangedBy == "" {
			d.LastChangedKey = whoKey(last)
		}
	}
	if st.stale {
		seen, _ := portal.VersionSteps(st.since)
		for i, ev := range cs.Events {
			if i >= seen {
				ch := views.DecisionChange{At: ev.At, By: names[ev.ActorID], Action: ev.Action}
				if ch.By == "" {
					ch.ByKey = whoKey(ev)
				}
				if ev.To != ev.From {
					ch.To = ev.To
				}
				d.Changes = append(d.Changes, ch)
			}
		}
	}
	if o := cs.Override; o != nil && cs.Status == portal.StatusOverridePending {
		v := &views.OverrideView{Action: o.Action, Outcome: o.Outcome, Rules: o.Rules, Reasons: o.Reasons,
			ProposedBy: names[o.ProposedBy], ProposedAt: o.ProposedAt, Version: version,
			ApproveURL: base + "/override/approve", RejectURL: base + "/override/reject", Form: st.rejectForm}
		if actor == portal.ActorDecider {
			v.Own = u.ID == o.ProposedBy
			v.MayDecide = portal.MayDecideOverride(cs, u.ID, u.OrganID) == nil
		}
		if v.Form.Values == nil {
			v.Form.Values = map[string]string{}
		}
		d.Override = v
	}
	m.Decisions = d
	return nil
}

// proposeOverride records a decision against the rules as an override: the
// written reasons are required; the case then waits for a second official.
func (s *Server) proposeOverride(c echo.Context, id uint64, actor portal.Actor, action portal.CaseAction, in staffActionInput, version string) error {
	u := currentUser(c)
	fail := func(status int, f views.Form) error {
		return s.showStaffCase(c, status, id, actor, staffCaseState{failedAction: action, actionForm: f})
	}
	spec := staffActionSpecs[action]
	spec.note, spec.noteKey = noteRequired, "override.reasons_required"
	rules, note, fe := in.check(spec)
	if len(fe) > 0 {
		return fail(http.StatusUnprocessableEntity, views.Form{Values: in.values(), Errors: fe})
	}
	_, err := s.db.ProposeOverride(id, portal.Override{Action: action, Rules: rules, Reasons: note},
		store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c), Version: version}, s.cfg.Calendar)
	if errKey(err) == "decide.stale" {
		return s.showStale(c, id, actor, action, in.values(), version)
	}
	if err != nil {
		form, ok := formError(err, in.values())
		if !ok {
			return err
		}
		return fail(http.StatusConflict, form)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/cases/%d?done=propose_override", id))
}

// handleOverrideApprove serves POST /staff/cases/:id/override/approve: a
// second official of the deciding organ takes the proposed decision.
func (s *Server) handleOverrideApprove(c echo.Context) error {
	return s.decideOverride(c, true)
}

// handleOverrideReject serves POST /staff/cases/:id/override/reject: a
// second official sends the case back to review, with reasons.
func (s *Server) handleOverrideReject(c echo.Context) error {
	return s.decideOverride(c, false)
}

func (s *Server) decideOverride(c echo.Context, approve bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cs, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	if actor != portal.ActorDecider {
		return portal.NotFound()
	}
	u := currentUser(c)
	note := c.FormValue("note")
	values := map[string]string{"note": note}
	fail := func(status int, f views.Form) error {
		return s.showStaffCase(c, status, id, actor, staffCaseState{decisions: decisionsState{rejectForm: f}})
	}
	version := formVersion(c)
	if staleVersion(cs, version) {
		return s.showStaffCase(c, http.StatusConflict, id, actor, staffCaseState{decisions: decisionsState{stale: true, since: version,
			rejectForm: views.Form{Values: values}}})
	}
	if !approve && utf8.RuneCountInString(note) > portal.MaxMessageRunes {
		return fail(http.StatusUnprocessableEntity, views.Form{Values: values, Errors: map[string]string{"note": "staff.note_too_long"}})
	}
	proposed := cs.Override
	st := store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c), Version: version}
	_, err = s.db.DecideOverride(id, approve, note, st, s.cfg.Calendar)
	if err == nil && approve && proposed != nil {
		// The approved decision is a written decision like any other (issue
		// 18): its notice or refusal decision, in the approver's organ's
		// name, citing the rules the proposal relied on, with its reasons.
		if kind, ok := docKindOf(proposed.Action); ok {
			_, err = s.db.IssueCaseDocument(id, st, store.DocIssue{Kind: kind,
				Citations: legalRuleCitationIDs(proposed.Rules, "cpl-286"), Reasons: proposed.Reasons})
		}
	}
	if err != nil {
		switch portal.ErrorCode(err) {
		case portal.CodeInvalid:
			f, _ := formError(err, values)
			return fail(http.StatusUnprocessableEntity, f)
		case portal.CodeConflict, portal.CodeForbidden:
			return fail(http.StatusConflict, views.Form{Values: values, Summary: errKey(err)})
		}
		return err
	}
	done := "approve_override"
	if !approve {
		done = "reject_override"
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/cases/%d?done=%s", id, done))
}

// handleOverrides serves GET /supervision/overrides: every decision against
// the rules' computation, newest first, for the supervisor (MPL art. 105).
// The rows carry references and officials' names, nothing of the person; the
// reasons are read on the case's page, an audited read.
func (s *Server) handleOverrides(c echo.Context) error {
	page := pageNumber(c.QueryParam("page"))
	rows, total, err := s.db.Overrides((page-1)*staffPageSize, staffPageSize)
	if err != nil {
		return err
	}
	organs, err := s.organNames()
	if err != nil {
		return err
	}
	ids := map[uint64]bool{}
	for _, r := range rows {
		ids[r.ProposedBy], ids[r.DecidedBy] = true, true
	}
	names := s.officialNames(ids)
	m := views.OverridesModel{Page: s.page(c, "override.list_title"), Total: total, Pager: pager("/supervision/overrides", nil, page, total)}
	for _, r := range rows {
		m.Rows = append(m.Rows, views.OverrideRow{CaseURL: "/staff/cases/" + strconv.FormatUint(r.CaseID, 10), Ref: r.Ref, Organ: organs[r.OrganID],
			Action: r.Action, Outcome: r.Outcome, State: r.State, ProposedBy: names[r.ProposedBy], ProposedAt: r.ProposedAt,
			DecidedBy: names[r.DecidedBy], DecidedAt: r.DecidedAt})
	}
	return s.render(c, http.StatusOK, views.OverridesPage(m))
}

// exOfficioDocuments reads the judgment or decision attached to an ex
// officio case (optional), through the upload checks every upload passes.
func exOfficioDocuments(c echo.Context) ([]store.ImportDocument, portal.FieldErrors) {
	var fe portal.FieldErrors
	fh, err := c.FormFile("file")
	switch {
	case err == nil:
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		return nil, nil
	default:
		fe.Add("file", "upload.malformed")
		return nil, fe
	}
	d, content, err := readUpload(fh, portal.NewUploadBudget())
	if err != nil {
		if pe, ok := portal.AsError(err); ok && len(pe.Fields) > 0 {
			for k, v := range pe.Fields {
				fe.Add(k, v)
			}
			return nil, fe
		}
		fe.Add("file", errKey(err))
		return nil, fe
	}
	d.Kind = portal.DocJudgment
	return []store.ImportDocument{{Document: d, Content: content}}, nil
}

// exOfficioDuplicates are the references of the cases a refused ex officio
// case duplicates, for the confirm-anyway step; looked up through the person
// index only when the store reported a duplicate.
func (s *Server) exOfficioDuplicates(cs portal.Case, f views.Form) []string {
	if f.Error("case_number") != "decide.duplicate" {
		return nil
	}
	found, err := s.db.ExOfficioFindings(cs)
	if err != nil {
		return nil
	}
	return found.Duplicates
}

// handleStaffNotifications serves GET /staff/notifications: what cases of
// the official's organ need it (issue 18), newest first, the unread marked.
func (s *Server) handleStaffNotifications(c echo.Context) error {
	u := currentUser(c)
	ns, unread, err := s.db.StaffNotifications(*u, staffPageSize)
	if err != nil {
		return err
	}
	m := views.StaffNotificationsModel{Page: s.page(c, "staff_notify.title"), Unread: unread}
	if c.QueryParam("done") == "read" {
		m.NoticeKey = "staff_notify.marked_read"
	}
	for _, n := range ns {
		m.Rows = append(m.Rows, views.StaffNotificationRow{CaseURL: "/staff/cases/" + strconv.FormatUint(n.CaseID, 10), Ref: n.Ref,
			Key: n.Key, At: n.At, Unread: n.Unread})
	}
	return s.render(c, http.StatusOK, views.StaffNotificationsPage(m))
}

// handleStaffNotificationsRead serves POST /staff/notifications/read.
func (s *Server) handleStaffNotificationsRead(c echo.Context) error {
	if err := s.db.MarkStaffNotificationsRead(*currentUser(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/notifications?done=read")
}
