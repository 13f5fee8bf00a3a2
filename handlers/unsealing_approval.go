package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Two-step unsealing (issue 18, R18; portal/unsealing_approval.go). One
// official of the deciding organ records the event (handleUnsealRecord); a
// different official of the same organ approves it — the decision, with
// its document sent to every holding organ and served on the person and the
// guardian — or rejects it with reasons; each holding organ confirms it
// lifted the seal on its files, alone from the case page or in bulk from
// its queue, one audited step per case.

func init() {
	staffNotices = append(staffNotices, string(portal.ActionConfirmUnsealed))
}

// unsealApprovalView builds the approval part of the unsealing page and of
// the case page; nil when the case has no two-step unsealing to show.
func (s *Server) unsealApprovalView(u *portal.Account, cs portal.Case, form views.Form) (*views.UnsealApprovalView, error) {
	switch cs.Status {
	case portal.StatusUnsealingApproval, portal.StatusUnsealing, portal.StatusUnsealed:
	default:
		return nil, nil
	}
	var rec portal.UnsealingRecord
	found := false
	if cs.Status == portal.StatusUnsealed {
		// Over: the latest approved record, if it followed the two steps.
		recs, err := s.db.UnsealingsOfCase(cs.ID)
		if err != nil {
			return nil, err
		}
		for i := len(recs) - 1; i >= 0 && !found; i-- {
			if recs[i].TwoStep && recs[i].Unsealed() {
				rec, found = recs[i], true
			}
		}
	} else {
		var err error
		if rec, found, err = s.db.UnsealingOpenOf(cs.ID); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, nil
	}
	v := &views.UnsealApprovalView{CaseID: cs.ID, Status: cs.Status, RecordedAt: rec.RecordedAt, Form: form}
	if v.Form.Values == nil {
		v.Form.Values = map[string]string{}
	}
	if _, ok := v.Form.Values["rules"]; !ok {
		v.Form.Values["rules"] = strings.Join(rec.Decision.Rules, ", ")
	}
	var err error
	if rec.RecordedBy != 0 {
		if v.Recorder, err = s.officialName(rec.RecordedBy); err != nil {
			return nil, err
		}
	}
	if cs.Status == portal.StatusUnsealingApproval {
		v.MayApprove = portal.MayApproveUnsealing(cs, u.ID, u.OrganID) == nil
		v.Own = rec.RecordedBy == u.ID
		return v, nil
	}
	if rec.Approval != nil {
		v.ApprovedAt = rec.Approval.At
		if v.Approver, err = s.officialName(rec.Approval.By); err != nil {
			return nil, err
		}
	}
	names, err := s.organNames()
	if err != nil {
		return nil, err
	}
	for _, o := range cs.HoldingOrganIDs {
		at, ok := cs.UnsealConfirmations[o]
		v.Holders = append(v.Holders, views.UnsealHolderView{Name: names[o], Own: o == u.OrganID && u.OrganID != 0, Confirmed: ok, At: at})
		if !ok && cs.Status == portal.StatusUnsealing {
			v.Pending++
		}
	}
	return v, nil
}

// unsealApprovalInput is what the approval form posts; nothing else is read.
type unsealApprovalInput struct {
	Verdict, Reasons string
	Citations        []string
}

func bindUnsealApproval(c echo.Context) unsealApprovalInput {
	return unsealApprovalInput{Verdict: c.FormValue("verdict"), Reasons: c.FormValue("reasons"), Citations: legalFormCitations(c)}
}

func (in unsealApprovalInput) values() map[string]string {
	return map[string]string{"verdict": in.Verdict, "reasons": in.Reasons}
}

// check reads the decision; the store checks it again in its transaction.
func (in unsealApprovalInput) check() (store.UnsealingDecision, portal.FieldErrors) {
	var fe portal.FieldErrors
	d := store.UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.UnsealingApprovalVerdict(in.Verdict), Reasons: strings.TrimSpace(in.Reasons)}}
	if err := d.Approval.Validate(); err != nil {
		if pe, ok := portal.AsError(err); ok {
			for k, v := range pe.Fields {
				fe.Add(k, v)
			}
		}
	}
	if d.Approval.Verdict == portal.ApprovalUnseal {
		// The decision's document cites the provisions the official chose
		// from the table (issue 18); at least one.
		cits, ok := portal.ParseCitationIDs(in.Citations)
		switch {
		case !ok:
			fe.Add("citations", "legaldoc.citations_invalid")
		case len(cits) == 0:
			fe.Add("citations", "legaldoc.citations_required")
		}
		d.Citations = cits
	}
	return d, fe
}

// handleUnsealApprove serves POST /staff/cases/:id/unsealing/approve: a
// second official of the deciding organ approves the recorded unsealing or
// rejects it with reasons. Another organ's official gets the 404 of a case
// that does not exist; the official who recorded it is refused (403).
func (s *Server) handleUnsealApprove(c echo.Context) error {
	id, err := s.unsealCase(c)
	if err != nil {
		return err
	}
	in := bindUnsealApproval(c)
	d, fe := in.check()
	fail := func(status int, f views.Form) error {
		return s.renderUnsealPage(c, status, id, views.Form{Values: map[string]string{}}, f, "")
	}
	if len(fe) > 0 {
		return fail(http.StatusUnprocessableEntity, views.Form{Values: in.values(), Errors: fe})
	}
	u := currentUser(c)
	_, _, err = s.db.DecideUnsealingApproval(id, d, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)}, s.cfg.Calendar)
	if err != nil {
		switch portal.ErrorCode(err) {
		case portal.CodeForbidden:
			return fail(http.StatusForbidden, views.Form{Values: in.values(), Summary: errKey(err)})
		case portal.CodeConflict:
			return fail(http.StatusConflict, views.Form{Values: in.values(), Summary: errKey(err)})
		case portal.CodeInvalid:
			f, _ := formError(err, in.values())
			return fail(http.StatusUnprocessableEntity, f)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+strconv.FormatUint(id, 10)+"/unsealing?done="+in.Verdict)
}

// unsealOpenRows are the supervisor's rows of open unsealings, naming the
// holders that have not confirmed.
func (s *Server) unsealOpenRows(names map[uint64]string) ([]views.UnsealOpenRow, error) {
	open, err := s.db.OpenUnsealings()
	if err != nil {
		return nil, err
	}
	var out []views.UnsealOpenRow
	for _, o := range open {
		r := views.UnsealOpenRow{CaseID: o.Record.CaseID, CaseRef: o.Record.CaseRef, Organ: names[o.Record.DecidingOrganID], Status: o.Status,
			RecordedAt: o.Record.RecordedAt}
		for _, h := range o.Pending {
			r.Pending = append(r.Pending, names[h])
		}
		out = append(out, r)
	}
	return out, nil
}
