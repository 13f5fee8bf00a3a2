package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The officials' workbench (issue 18): working dozens of cases a day.
// Lists and searches read index rows and keyed hashes, never a scan of
// decrypted cases; a case's contents are seen only on its page, whose every
// view is audited (R17).

// maxBulk bounds one bulk confirmation (four queue pages).
const maxBulk = 200

// workbenchQueue fills the queue page's workbench part: the counts of the
// organ's other queues, read from their index rows, and which rows may be
// confirmed together (R12).
func (s *Server) workbenchQueue(u *portal.Account, m *views.StaffQueueModel) error {
	counts, err := s.db.CountPending(u.OrganID)
	if err != nil {
		return err
	}
	m.Workbench = views.WorkbenchQueue{Queries: counts.Queries, Certificates: counts.Certificates, Corrections: counts.Corrections,
		Police: u.Role == portal.RolePolice}
	var sealed []uint64
	for _, r := range m.Rows {
		if r.Status == portal.StatusSealed || r.Status == portal.StatusUnsealing { // issue 18: unsealings too
			sealed = append(sealed, r.CaseID)
		}
	}
	if len(sealed) == 0 {
		return nil
	}
	ok, err := s.db.BulkConfirmable(u.OrganID, sealed)
	if err != nil {
		return err
	}
	for i := range m.Rows {
		if ok[m.Rows[i].CaseID] {
			m.Rows[i].Confirmable, m.Workbench.BulkConfirm = true, true
			m.Workbench.BulkUnseal = m.Workbench.BulkUnseal || m.Rows[i].Status == portal.StatusUnsealing
		}
	}
	return nil
}

// workbenchCasePanel fills the case page's workbench part: acceptance and
// review as one step while the application waits for acceptance, and the
// organ's official in charge with the hand-over form.
func (s *Server) workbenchCasePanel(m *views.StaffCaseModel, u *portal.Account, cs portal.Case, actor portal.Actor, base string, st staffCaseState) error {
	if actor == "" {
		return nil // the supervisor reads, takes no step
	}
	if offersAcceptReview(u, cs, actor) {
		m.Workbench.AcceptReviewURL = base + "/accept-review"
	}
	m.Workbench.AssignURL = base + "/assign"
	m.Workbench.AssignForm = st.workbenchForm
	a, ok, err := s.db.CaseAssignment(u.OrganID, cs.ID)
	if err != nil || !ok {
		return err
	}
	m.Workbench.AssigneeMe, m.Workbench.AssignedAt = a.To == u.ID, a.At
	if m.Workbench.Assignee, err = s.officialName(a.To); err != nil {
		return err
	}
	if a.From != 0 {
		if m.Workbench.HandedFrom, err = s.officialName(a.From); err != nil {
			return err
		}
	}
	return nil
}

// officialName is an official's name and login, as colleagues know him.
func (s *Server) officialName(id uint64) (string, error) {
	a, err := s.db.Account(id)
	if err != nil {
		return "", err
	}
	return a.Name + " (" + a.Login + ")", nil
}

// offersAcceptReview: the deciding organ may accept the application now, and
// the start of the review follows acceptance in the procedure.
func offersAcceptReview(u *portal.Account, cs portal.Case, actor portal.Actor) bool {
	if actor != portal.ActorDecider || !slices.Contains(staffActions(u, cs, actor), portal.ActionAccept) {
		return false
	}
	next, err := portal.Next(cs.Status, portal.ActionAccept, portal.ActorDecider)
	if err != nil {
		return false
	}
	_, err = portal.Next(next, portal.ActionStartReview, portal.ActorDecider)
	return err == nil
}

// handleWorkbenchAcceptReview serves POST /staff/cases/:id/accept-review:
// the deciding organ accepts the application and starts its review in one
// transaction. Each step is recorded (timeline, audit log) as if taken
// apart; a case that cannot be accepted now is refused whole.
func (s *Server) handleWorkbenchAcceptReview(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u := currentUser(c)
	cs, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	if actor == "" {
		return portal.Forbidden("staff.read_only")
	}
	refused := func() error {
		return s.showStaffCase(c, http.StatusConflict, id, actor, staffCaseState{notice: "case.action_not_allowed"})
	}
	if !offersAcceptReview(u, cs, actor) {
		return refused()
	}
	var steps []store.Step
	for _, a := range portal.AcceptAndReview {
		steps = append(steps, store.Step{Action: a, Actor: portal.ActorDecider, AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)})
	}
	if _, err := s.db.ApplyAll(id, steps, s.cfg.Calendar); err != nil {
		if code := portal.ErrorCode(err); code == portal.CodeConflict || code == portal.CodeForbidden {
			return refused()
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/cases/%d?done=accept_review#actions", id))
}

// handleWorkbenchAssign serves POST /staff/cases/:id/assign: the official
// takes the case ("me") or hands it over to a colleague of the same organ,
// named by login. Audited; the previous official sees the hand-over on the
// case page.
func (s *Server) handleWorkbenchAssign(c echo.Context) error {
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
	login := strings.TrimSpace(c.FormValue("assignee"))
	values := map[string]string{"assignee": login}
	fail := func(key string) error {
		f := views.Form{Values: values, Errors: map[string]string{"assignee": key}}
		return s.showStaffCase(c, http.StatusUnprocessableEntity, id, actor, staffCaseState{workbenchForm: f})
	}
	to := u.ID
	if c.FormValue("me") == "" {
		switch {
		case login == "":
			return fail("workbench.assignee_required")
		case utf8.RuneCountInString(login) > 100:
			return fail("workbench.assignee_invalid")
		}
		a, err := s.db.AccountByLogin(login)
		if err != nil {
			if portal.ErrorCode(err) == portal.CodeNotFound {
				return fail("workbench.assignee_invalid")
			}
			return err
		}
		to = a.ID
	}
	if err := s.db.Assign(id, *u, to, requestID(c)); err != nil {
		if portal.ErrorCode(err) == portal.CodeInvalid {
			return fail(errKey(err))
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/cases/%d?done=assigned#actions", id))
}

// handleWorkbenchBulkConfirm serves POST /staff/confirm-sealing: a holding
// organ confirms the sealing of several cases (R12), or the unsealing of
// those being unsealed (issue 18, R18). Each case is its own
// step with its own audit entry, under the same rules as the single
// confirmation; a case that cannot be confirmed is reported by reference
// (or only counted, when it is not the organ's at all) and the others go
// through.
func (s *Server) handleWorkbenchBulkConfirm(c echo.Context) error {
	u := currentUser(c)
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	raw := form["case"]
	refuse := func(key string) error {
		return s.render(c, http.StatusUnprocessableEntity, views.WorkbenchResultsPage(views.WorkbenchResultsModel{
			Page: s.page(c, "workbench.bulk_title"), Kind: "bulk_confirm", ErrorKey: key}))
	}
	if len(raw) == 0 {
		return refuse("workbench.bulk_none_selected")
	}
	if len(raw) > maxBulk {
		return refuse("workbench.bulk_too_many")
	}
	var ids []uint64
	unknown := 0
	for _, v := range raw {
		id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		switch {
		case err != nil || id == 0:
			unknown++
		case !slices.Contains(ids, id):
			ids = append(ids, id)
		}
	}
	var done []uint64
	var failed []string
	for _, id := range ids {
		row, ok, err := s.db.WorkbenchCase(id, u.OrganID)
		if err != nil {
			return err
		}
		if !ok || row.Standing == "" {
			unknown++ // not the organ's: its reference is not ours to show
			continue
		}
		if !row.Confirmable {
			failed = append(failed, row.Ref)
			continue
		}
		action, rules := portal.ActionConfirm, []string{"R12"}
		if row.Status == portal.StatusUnsealing {
			// Issue 18: the holder lifted the seal on its files (R18).
			action, rules = portal.ActionConfirmUnsealed, []string{"R18"}
		}
		_, err = s.db.Apply(id, store.Step{Action: action, Actor: portal.ActorHolder, AccountID: u.ID, Role: u.Role,
			OrganID: u.OrganID, Rules: rules, RequestID: requestID(c)}, s.cfg.Calendar)
		if err != nil {
			if code := portal.ErrorCode(err); code != portal.CodeConflict && code != portal.CodeForbidden && code != portal.CodeInvalid {
				return err
			}
			failed = append(failed, row.Ref) // someone confirmed meanwhile, say
			continue
		}
		done = append(done, id)
	}
	state, err := s.db.SaveBulkResult(u.ID, done, failed, unknown)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/results/"+strconv.FormatUint(state, 10))
}

// handleWorkbenchSearchForm serves GET /staff/search.
func (s *Server) handleWorkbenchSearchForm(c echo.Context) error {
	return s.render(c, http.StatusOK, views.WorkbenchSearchPage(views.WorkbenchSearchModel{Page: s.page(c, "workbench.search_title"),
		Form: views.Form{Values: map[string]string{"kind": string(portal.SearchIDNumber)}}}))
}

// handleWorkbenchSearch serves POST /staff/search: the search runs through
// keyed hashes in the store, is audited by kind of key, and its results are
// kept server-side for the official; the browser is sent to them by a
// redirect whose address holds only the results' number, never the term.
func (s *Server) handleWorkbenchSearch(c echo.Context) error {
	u := currentUser(c)
	kind := portal.SearchKind(c.FormValue("kind"))
	term := c.FormValue("term")
	values := map[string]string{"kind": string(kind), "term": term}
	fail := func(fe portal.FieldErrors) error {
		return s.render(c, http.StatusUnprocessableEntity, views.WorkbenchSearchPage(views.WorkbenchSearchModel{
			Page: s.page(c, "workbench.search_title"), Form: views.Form{Values: values, Errors: fe}}))
	}
	var fe portal.FieldErrors
	if !kind.Valid() {
		fe.Add("kind", "workbench.search_kind_invalid")
	}
	switch {
	case strings.TrimSpace(term) == "":
		fe.Add("term", "workbench.search_term_required")
	case utf8.RuneCountInString(term) > 100:
		fe.Add("term", "workbench.search_term_invalid")
	case kind == portal.SearchIDNumber:
		if _, err := portal.ParseIDNumber(term); err != nil {
			fe.Add("term", errKey(err))
		}
	}
	if len(fe) > 0 {
		return fail(fe)
	}
	state, _, err := s.db.SearchCases(*u, kind, term, requestID(c))
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeInvalid {
			fe.Add("term", errKey(err))
			return fail(fe)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/results/"+strconv.FormatUint(state, 10))
}

// handleWorkbenchResults serves GET /staff/results/:id: a search's results
// or a bulk confirmation's outcome, for the official who asked only, for a
// short while; anyone else's (or an expired one) is a 404.
func (s *Server) handleWorkbenchResults(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u := currentUser(c)
	res, err := s.db.WorkbenchResults(id, *u)
	if err != nil {
		return err
	}
	title := "workbench.results_title"
	if res.Kind != "search" {
		title = "workbench.bulk_title"
	}
	m := views.WorkbenchResultsModel{Page: s.page(c, title), Kind: res.Kind, SearchKind: res.SearchKind, Failed: res.Failed, Unknown: res.Unknown,
		Rows: s.workbenchRows(res.Rows)}
	return s.render(c, http.StatusOK, views.WorkbenchResultsPage(m))
}

func (s *Server) workbenchRows(rows []store.WorkbenchRow) []views.WorkbenchRow {
	today := s.today()
	out := make([]views.WorkbenchRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, views.WorkbenchRow{CaseID: r.CaseID, Ref: r.Ref, Status: r.Status, Standing: r.Standing, Due: r.Due,
			AwaitsCalendar: r.AwaitsCalendar, Overdue: !r.Due.IsZero() && today.After(r.Due) && !r.Status.Final()})
	}
	return out
}

// handleWorkbenchMine serves GET /staff/mine: the cases the official is in
// charge of.
func (s *Server) handleWorkbenchMine(c echo.Context) error {
	u := currentUser(c)
	rows, err := s.db.AssignedCases(*u, maxBulk)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.WorkbenchMinePage(views.WorkbenchMineModel{Page: s.page(c, "workbench.mine_title"), Rows: s.workbenchRows(rows)}))
}

// registerPeriod reads the register's period: by default the current month
// up to today; at most a year.
func (s *Server) registerPeriod(c echo.Context) (from, to portal.Date, values map[string]string, fe portal.FieldErrors) {
	today := s.today()
	values = map[string]string{"from": strings.TrimSpace(c.QueryParam("from")), "to": strings.TrimSpace(c.QueryParam("to"))}
	from, to = portal.Date{Year: today.Year, Month: today.Month, Day: 1}, today
	if values["from"] == "" {
		values["from"] = from.String()
	} else if d, ok := portal.ParseDate(values["from"]); !ok {
		fe.Add("from", "workbench.register_date_invalid")
	} else {
		from = d
	}
	if values["to"] == "" {
		values["to"] = to.String()
	} else if d, ok := portal.ParseDate(values["to"]); !ok {
		fe.Add("to", "workbench.register_date_invalid")
	} else {
		to = d
	}
	if len(fe) == 0 && (from.After(to) || to.After(from.AddDays(366))) {
		fe.Add("to", "workbench.register_period_invalid")
	}
	return from, to, values, fe
}

// handleWorkbenchRegister serves GET /staff/register: the organ's sealing
// register (封存登记台账) of a period, read from its index.
func (s *Server) handleWorkbenchRegister(c echo.Context) error {
	u := currentUser(c)
	from, to, values, fe := s.registerPeriod(c)
	m := views.WorkbenchRegisterModel{Page: s.page(c, "workbench.register_title"), Organ: u.Organ, Form: views.Form{Values: values, Errors: fe}}
	if len(fe) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, views.WorkbenchRegisterPage(m))
	}
	rows, truncated, err := s.db.SealingRegister(u.OrganID, from, to)
	if err != nil {
		return err
	}
	m.Truncated = truncated
	m.CSVURL = "/staff/register.csv?" + url.Values{"from": {from.String()}, "to": {to.String()}}.Encode()
	for _, r := range rows {
		m.Rows = append(m.Rows, views.WorkbenchRegisterRow{CaseID: r.CaseID, Ref: r.Ref, Kind: r.Kind, Day: r.Day, At: r.At})
	}
	return s.render(c, http.StatusOK, views.WorkbenchRegisterPage(m))
}

// handleWorkbenchRegisterCSV serves GET /staff/register.csv: the register
// of a period as a CSV file, UTF-8 with a byte-order mark so that Excel
// reads the Chinese correctly. The export is audited (period and rows).
//
// The file holds the reference, the date and time and the step, and no
// personal data: a spreadsheet leaves the portal's access control and audit
// log for good (R17, R22), and the register's purpose — counting and
// checking what the organ did, and when — needs no name; an official who
// needs the person opens the case by its reference, an audited read.
func (s *Server) handleWorkbenchRegisterCSV(c echo.Context) error {
	u := currentUser(c)
	from, to, _, fe := s.registerPeriod(c)
	if len(fe) > 0 {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	rows, _, err := s.db.ExportSealingRegister(*u, from, to, requestID(c))
	if err != nil {
		return err
	}
	lang := langOf(c)
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true // what Excel expects
	header := []string{views.Translate(lang, "workbench.col_day"), views.Translate(lang, "staff.col_ref"),
		views.Translate(lang, "workbench.col_step"), views.Translate(lang, "workbench.col_time")}
	if err := w.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Day.String(), r.Ref, views.Translate(lang, "workbench.register_kind."+r.Kind),
			r.At.In(portal.China).Format("2006-01-02 15:04")}
		if err := w.Write(csvSafe(rec)); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	name := fmt.Sprintf("sealing-register-%s-%s.csv", strings.ReplaceAll(from.String(), "-", ""), strings.ReplaceAll(to.String(), "-", ""))
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(rec []string) []string {
	for i, v := range rec {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			rec[i] = "'" + v
		}
	}
	return rec
}
