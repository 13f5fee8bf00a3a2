package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Unsealing (R18, R19). The deciding organ's official records an event
// reported against a sealed record; the store applies the rules
// (portal.EvaluateUnsealing) and takes the step they pick: propose the
// unsealing to a second official (unsealing_approval.go), refer to the supervisor
// (exactly 60 months), or only record it (R19 for adult crimes, R18 within
// the limit). The supervisor decides referred events and reviews every one.

// unsealCase decides access for the unsealing and co-offender pages: only the
// deciding organ's officials; anyone else gets the 404 of a case that does not
// exist.
func (s *Server) unsealCase(c echo.Context) (uint64, error) {
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

// unsealInput is what the event form posts; nothing else is read.
type unsealInput struct {
	Kind, ActDate, Months, Days, LegalBasis string
	// Combined: the adult crime's sentence was combined with the sealed one
	// (CL arts. 69–71, 77), R19.
	Combined bool
}

func bindUnseal(c echo.Context) unsealInput {
	return unsealInput{Kind: c.FormValue("kind"), ActDate: c.FormValue("act_date"), Months: c.FormValue("combined_months"),
		Days: c.FormValue("combined_days"), LegalBasis: c.FormValue("legal_basis"), Combined: c.FormValue("combined") != ""}
}

func (in unsealInput) values() map[string]string {
	v := map[string]string{"kind": in.Kind, "act_date": in.ActDate, "combined_months": in.Months,
		"combined_days": in.Days, "legal_basis": in.LegalBasis}
	if in.Combined {
		v["combined"] = "yes"
	}
	return v
}

// unsealCount reads a term's months or days; blank is 0. The rules check the
// range.
func unsealCount(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100000 {
		return 0, false
	}
	return n, true
}

// record builds the event; what cannot be read (a date, a number) is reported
// here, the rest by the store's validation inside its transaction.
func (in unsealInput) record() (portal.UnsealingRecord, portal.FieldErrors) {
	var fe portal.FieldErrors
	r := portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: portal.UnsealingKind(in.Kind), Combined: in.Combined}, LegalBasis: strings.TrimSpace(in.LegalBasis)}
	if s := strings.TrimSpace(in.ActDate); s != "" {
		d, ok := portal.ParseDate(s)
		if !ok {
			fe.Add("act_date", "unseal.date_invalid")
		}
		r.Event.ActDate = d
	}
	var ok bool
	// R18 compares the combined term: it must be stated, except for an adult
	// crime not combined with the sealed sentence, which never unseals
	// whatever its term (R19).
	if strings.TrimSpace(in.Months) == "" && (r.Event.Kind != portal.UnsealingAdultCrime || r.Event.Combined) {
		fe.Add("combined_months", "unseal.months_required")
	} else if r.Event.CombinedMonths, ok = unsealCount(in.Months); !ok {
		fe.Add("combined_months", "unseal.number_invalid")
	}
	if r.Event.CombinedDays, ok = unsealCount(in.Days); !ok {
		fe.Add("combined_days", "unseal.number_invalid")
	}
	return r, fe
}

// unsealRecordView shows a recorded event.
func unsealRecordView(r portal.UnsealingRecord, names map[uint64]string) views.UnsealRecordView {
	v := views.UnsealRecordView{ID: r.ID, CaseID: r.CaseID, CaseRef: r.CaseRef, Organ: names[r.DecidingOrganID], Kind: r.Event.Kind,
		ActDate: r.Event.ActDate, Combined: r.Event.Combined, Months: r.Event.CombinedMonths, Days: r.Event.CombinedDays, LegalBasis: r.LegalBasis,
		Outcome: r.Decision.Outcome, Rules: r.Decision.Rules, ReasonKey: r.Decision.ReasonKey, Step: r.Step,
		RecordedAt: r.RecordedAt, Pending: r.Pending(), Unsealed: r.Unsealed()}
	if r.Review != nil {
		v.Review = &views.UnsealReviewView{Verdict: r.Review.Verdict, Reasons: r.Review.Reasons, At: r.Review.At}
	}
	return v
}

// unsealNotices are the ?done= values of the event form.
var unsealNotices = []string{string(portal.OutcomeUnseal), string(portal.OutcomeReview), string(portal.OutcomeStaysSealed),
	string(portal.ApprovalUnseal), string(portal.ApprovalReject)}

// renderUnsealForm reads the case through the audited read (R17: the
// official has a duty on it) and renders the event form with the events
// recorded so far.
func (s *Server) renderUnsealForm(c echo.Context, status int, id uint64, f views.Form, notice string) error {
	return s.renderUnsealPage(c, status, id, f, views.Form{}, notice)
}

// renderUnsealPage renders the unsealing page with the event form f and the
// approval form approval (issue 18).
func (s *Server) renderUnsealPage(c echo.Context, status int, id uint64, f, approval views.Form, notice string) error {
	u := currentUser(c)
	cs, err := s.db.CaseForStaff(id, *u, s.freshFactor(c), purposeCaseDuty, requestID(c))
	if err != nil {
		return err
	}
	records, err := s.db.UnsealingsOfCase(id)
	if err != nil {
		return err
	}
	names, err := s.organNames()
	if err != nil {
		return err
	}
	page := s.page(c, "unseal.title")
	page.Path = "/staff/cases/" + strconv.FormatUint(id, 10) + "/unsealing"
	m := views.UnsealFormModel{Page: page, CaseID: id, Ref: cs.Ref, Status: cs.Status, Form: f, NoticeKey: notice,
		MayRecord: cs.Status == portal.StatusSealed || cs.Status == portal.StatusCompleted}
	for i := len(records) - 1; i >= 0; i-- {
		m.Records = append(m.Records, unsealRecordView(records[i], names))
	}
	if m.Approval, err = s.unsealApprovalView(u, cs, approval); err != nil {
		return err
	}
	return s.render(c, status, views.UnsealFormPage(m))
}

// handleUnsealForm serves GET /staff/cases/:id/unsealing: the event form of
// the deciding organ, with the events recorded on the case.
func (s *Server) handleUnsealForm(c echo.Context) error {
	id, err := s.unsealCase(c)
	if err != nil {
		return err
	}
	notice := ""
	if done := c.QueryParam("done"); slices.Contains(unsealNotices, done) {
		notice = "unseal.notice." + done
	}
	return s.renderUnsealForm(c, http.StatusOK, id, views.Form{Values: map[string]string{}}, notice)
}

// handleUnsealRecord serves POST /staff/cases/:id/unsealing: the event is
// recorded and the rules' step taken in one store call (R18, R19).
func (s *Server) handleUnsealRecord(c echo.Context) error {
	id, err := s.unsealCase(c)
	if err != nil {
		return err
	}
	in := bindUnseal(c)
	r, fe := in.record()
	if len(fe) > 0 {
		return s.renderUnsealForm(c, http.StatusUnprocessableEntity, id, views.Form{Values: in.values(), Errors: fe}, "")
	}
	u := currentUser(c)
	rec, _, err := s.db.RecordUnsealingEvent(id, r, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)}, s.cfg.Calendar)
	if err != nil {
		f, ok := formError(err, in.values())
		if !ok {
			return err
		}
		if key, bad := f.Errors["birth_date"]; bad {
			// The case's identity number gives no birth date: nothing the
			// official can fix on this form.
			delete(f.Errors, "birth_date")
			f.Summary = key
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
		}
		return s.renderUnsealForm(c, status, id, f, "")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+strconv.FormatUint(id, 10)+"/unsealing?done="+string(rec.Decision.Outcome))
}

// renderUnsealSupervision renders the supervisor's list: the reviews waiting
// (with the form of the one that failed, if any) and every recorded event.
func (s *Server) renderUnsealSupervision(c echo.Context, status int, failedCase uint64, failed views.Form, notice string) error {
	pending, err := s.db.PendingUnsealingReviews()
	if err != nil {
		return err
	}
	page := pageNumber(c.QueryParam("page"))
	all, total, err := s.db.UnsealingRecords((page-1)*staffPageSize, staffPageSize)
	if err != nil {
		return err
	}
	names, err := s.organNames()
	if err != nil {
		return err
	}
	p := s.page(c, "unseal.sup_title")
	p.Path = "/supervision/unsealing"
	m := views.UnsealSupervisionModel{Page: p, Total: total, Pager: pager("/supervision/unsealing", nil, page, total), NoticeKey: notice}
	if m.Open, err = s.unsealOpenRows(names); err != nil {
		return err
	}
	for _, r := range pending {
		v := unsealRecordView(r, names)
		v.DecideURL = "/supervision/unsealing/" + strconv.FormatUint(r.CaseID, 10) + "/decide"
		v.Form = views.Form{Values: map[string]string{}}
		if r.CaseID == failedCase {
			v.Form = failed
		}
		m.Pending = append(m.Pending, v)
	}
	for _, r := range all {
		m.All = append(m.All, unsealRecordView(r, names))
	}
	return s.render(c, status, views.UnsealSupervisionPage(m))
}

// handleUnsealSupervision serves GET /supervision/unsealing.
func (s *Server) handleUnsealSupervision(c echo.Context) error {
	notice := ""
	switch c.QueryParam("done") {
	case string(portal.VerdictConfirmUnsealing), string(portal.VerdictKeepSealed):
		notice = "unseal.notice." + c.QueryParam("done")
	}
	return s.renderUnsealSupervision(c, http.StatusOK, 0, views.Form{}, notice)
}

// handleUnsealDecide serves POST /supervision/unsealing/:case/decide: the
// supervisor confirms the unsealing or keeps the record sealed, with reasons
// (R18: exactly 60 months is a legal decision, not the portal's).
func (s *Server) handleUnsealDecide(c echo.Context) error {
	caseID, err := pathID(c, "case")
	if err != nil {
		return err
	}
	values := map[string]string{"verdict": c.FormValue("verdict"), "reasons": c.FormValue("reasons")}
	rv := portal.UnsealingReview{Verdict: portal.UnsealingReviewVerdict(values["verdict"]), Reasons: strings.TrimSpace(values["reasons"])}
	if err := rv.Validate(); err != nil {
		f, _ := formError(err, values)
		return s.renderUnsealSupervision(c, http.StatusUnprocessableEntity, caseID, f, "")
	}
	u := currentUser(c)
	_, _, err = s.db.DecideUnsealingReview(caseID, rv, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)}, s.cfg.Calendar)
	if err != nil {
		switch portal.ErrorCode(err) {
		case portal.CodeConflict:
			return s.renderUnsealSupervision(c, http.StatusConflict, 0, views.Form{}, errKey(err))
		case portal.CodeInvalid:
			f, _ := formError(err, values)
			return s.renderUnsealSupervision(c, http.StatusUnprocessableEntity, caseID, f, "")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/supervision/unsealing?done="+string(rv.Verdict))
}
