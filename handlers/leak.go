package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Leak reports (R25). Anyone may report, with or without an account: the
// form is saved as a draft that belongs to the browser (a random token in a
// cookie, so nothing about the report is ever in an address), checked, and
// sent. The confirmation shows the tracking code once; it is stored only as a
// keyed hash. The code is only ever posted (to /track and /track/add), never
// put in a URL, so it is in no access log, history or Referer. The tracking
// page shows progress, never the report's contents: a code read over a
// shoulder reveals nothing about the person concerned.

// Tracking attempts per client address: a wrong code costs a try like a right
// one, so nobody can guess codes (100 bits) and the page cannot be used to
// test them in bulk.
const (
	leakTrackTries  = 10
	leakTrackWindow = 10 * time.Minute
)

// The draft cookie holds a random token; the store keeps only its keyed hash.
func (s *Server) leakDraftCookie() string { return s.cookieName("leakdraft") }

func (s *Server) leakDraftToken(c echo.Context) string {
	ck, err := c.Cookie(s.leakDraftCookie())
	if err != nil || len(ck.Value) != 43 {
		return ""
	}
	return ck.Value
}

func (s *Server) setLeakDraftToken(c echo.Context, token string) {
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: s.leakDraftCookie(), Value: token, Path: "/", MaxAge: int(store.LeakDraftTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearLeakDraftToken(c echo.Context) {
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: s.leakDraftCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
}

func newLeakDraftToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// leakInput is what the report form posts; nothing else is read.
type leakInput struct {
	PlaceKind, PlaceDetail, SeenOn, Disclosed, SourceKind, SourceName string
	PersonIDNumber, ContactName, Contact, LinkAccount                 string
}

func bindLeak(c echo.Context) leakInput {
	return leakInput{PlaceKind: c.FormValue("place_kind"), PlaceDetail: c.FormValue("place_detail"), SeenOn: c.FormValue("seen_on"),
		Disclosed: c.FormValue("disclosed"), SourceKind: c.FormValue("source_kind"), SourceName: c.FormValue("source_name"),
		PersonIDNumber: c.FormValue("person_id_number"), ContactName: c.FormValue("contact_name"), Contact: c.FormValue("contact"),
		LinkAccount: c.FormValue("link_account")}
}

func (in leakInput) values() map[string]string {
	return map[string]string{"place_kind": in.PlaceKind, "place_detail": in.PlaceDetail, "seen_on": in.SeenOn,
		"disclosed": in.Disclosed, "source_kind": in.SourceKind, "source_name": in.SourceName,
		"person_id_number": in.PersonIDNumber, "contact_name": in.ContactName, "contact": in.Contact, "link_account": in.LinkAccount}
}

// report builds the draft from the typed answers. A date that is no date is
// the only problem found here; the rest is Validate's.
func (in leakInput) report(u *portal.Account) (portal.LeakReport, portal.FieldErrors) {
	var fe portal.FieldErrors
	r := portal.LeakReport{PlaceKind: portal.LeakPlace(in.PlaceKind), PlaceDetail: strings.TrimSpace(in.PlaceDetail),
		Disclosed: strings.TrimSpace(in.Disclosed), SourceKind: portal.LeakSource(in.SourceKind),
		SourceName: strings.TrimSpace(in.SourceName), ContactName: strings.TrimSpace(in.ContactName), Contact: strings.TrimSpace(in.Contact)}
	if r.SourceKind == portal.LeakSourceUnknown {
		r.SourceName = ""
	}
	if s := strings.TrimSpace(in.SeenOn); s != "" {
		d, ok := portal.ParseDate(s)
		if !ok {
			fe.Add("seen_on", "leak.seen_on_invalid")
		}
		r.SeenOn = d
	}
	r.PersonIDNumber = strings.TrimSpace(in.PersonIDNumber)
	if n, err := portal.ParseIDNumber(r.PersonIDNumber); err == nil {
		r.PersonIDNumber = n.String()
	}
	if u != nil && in.LinkAccount == "yes" {
		r.ReporterAccount = u.ID
	}
	return r, fe
}

// leakValues are a stored draft's answers as form values.
func leakValues(r portal.LeakReport) map[string]string {
	v := map[string]string{"place_kind": string(r.PlaceKind), "place_detail": r.PlaceDetail, "disclosed": r.Disclosed,
		"source_kind": string(r.SourceKind), "source_name": r.SourceName, "person_id_number": r.PersonIDNumber,
		"contact_name": r.ContactName, "contact": r.Contact}
	if !r.SeenOn.IsZero() {
		v["seen_on"] = r.SeenOn.String()
	}
	if r.ReporterAccount != 0 {
		v["link_account"] = "yes"
	}
	return v
}

func leakFiles(docs []portal.Document, url func(portal.Document) string) []views.LeakFile {
	out := make([]views.LeakFile, 0, len(docs))
	for _, d := range docs {
		f := views.LeakFile{ID: d.ID, Name: d.Name, Size: d.Size}
		if url != nil {
			f.URL = url(d)
		}
		out = append(out, f)
	}
	return out
}

// readLeakUploads reads the files of a multipart form's "files" field (a
// browser sends one empty part when none is chosen). A file that is refused
// is named in the field's error; the others are returned.
//
// Without an account, each file spends one of the address's uploads
// (anonUploadFiles per anonUploadWindow); past that the files are refused
// with a translated error and the typed answers stay in the form. All the
// files of one request share one decode budget (portal.RequestDecodeBudget).
func (s *Server) readLeakUploads(c echo.Context, already int) ([]portal.Document, [][]byte, portal.FieldErrors, error) {
	var fe portal.FieldErrors
	form, err := c.MultipartForm()
	if err != nil || form == nil {
		return nil, nil, nil, nil // not multipart: no files
	}
	var docs []portal.Document
	var files [][]byte
	chosen := 0
	budget := portal.NewUploadBudget()
	for _, fh := range form.File["files"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		chosen++
		if already+chosen > portal.MaxLeakDocuments {
			fe.Add("files", "leak.too_many_files")
			break
		}
		if !s.allowUpload(c) {
			fe.Add("files", "upload.rate_limited")
			break
		}
		d, b, err := readUpload(fh, budget)
		if err != nil {
			pe, ok := portal.AsError(err)
			if !ok || pe.Code != portal.CodeInvalid {
				return nil, nil, nil, err
			}
			key := pe.Fields["file"]
			if key == "" {
				key = pe.Key
			}
			fe.Add("files", key)
			continue
		}
		docs, files = append(docs, d), append(files, b)
	}
	return docs, files, fe, nil
}

// mergeFieldErrors adds an invalid error's fields to fe; other errors are
// returned for the error handler.
func mergeFieldErrors(fe *portal.FieldErrors, err error) error {
	if err == nil {
		return nil
	}
	pe, ok := portal.AsError(err)
	if !ok || pe.Code != portal.CodeInvalid {
		return err
	}
	for k, v := range pe.Fields {
		fe.Add(k, v)
	}
	if len(pe.Fields) == 0 {
		fe.Add("files", pe.Key)
	}
	return nil
}

func (s *Server) leakPage(c echo.Context, titleKey, path string) views.Page {
	p := s.page(c, titleKey)
	p.Path = path // a re-rendered post switches language back to a page that exists
	return p
}

func (s *Server) renderLeakForm(c echo.Context, status int, f views.Form, files []portal.Document, notice string) error {
	return s.render(c, status, views.LeakFormPage(views.LeakFormModel{Page: s.leakPage(c, "leak.form.title", "/report"), Form: f,
		Files: leakFiles(files, nil), SignedIn: currentUser(c) != nil, NoticeKey: notice}))
}

// handleLeakForm serves GET /report: the report form, with what this browser
// typed before when it has a draft.
func (s *Server) handleLeakForm(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	f := views.Form{Values: map[string]string{}}
	var files []portal.Document
	if d, err := s.db.LeakDraft(s.leakDraftToken(c)); err == nil {
		f.Values, files = leakValues(d), d.Documents
	} else if portal.ErrorCode(err) != portal.CodeNotFound {
		return err
	} else if currentUser(c) != nil {
		f.Values["link_account"] = "yes"
	}
	notice := ""
	switch c.QueryParam("done") {
	case "nodraft":
		notice = "leak.notice.nodraft"
	case "removed":
		notice = "leak.notice.file_removed"
	}
	return s.render(c, http.StatusOK, views.LeakFormPage(views.LeakFormModel{Page: s.leakPage(c, "leak.form.title", "/report"), Form: f,
		Files: leakFiles(files, nil), SignedIn: currentUser(c) != nil, NoticeKey: notice}))
}

// handleLeakSave serves POST /report (multipart): the answers and any files
// are kept as this browser's draft whatever their state, so nothing typed or
// uploaded is lost; with no problem left the reporter goes on to check them.
func (s *Server) handleLeakSave(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	in := bindLeak(c)
	r, fe := in.report(currentUser(c))
	token := s.leakDraftToken(c)
	if token == "" {
		token = newLeakDraftToken()
	}
	already := 0
	if d, err := s.db.LeakDraft(token); err == nil {
		already = len(d.Documents)
	}
	docs, files, upFE, err := s.readLeakUploads(c, already)
	if err != nil {
		return err
	}
	for k, v := range upFE {
		fe.Add(k, v)
	}
	draft, err := s.db.SaveLeakDraft(token, r, docs, files)
	if err != nil {
		if err := mergeFieldErrors(&fe, err); err != nil {
			return err
		}
		// Keep the typed answers even when the files were refused.
		if draft, err = s.db.SaveLeakDraft(token, r, nil, nil); err != nil {
			return err
		}
	}
	s.setLeakDraftToken(c, token)
	r.Documents = draft.Documents
	if err := mergeFieldErrors(&fe, r.Validate(s.today())); err != nil {
		return err
	}
	if len(fe) > 0 {
		return s.renderLeakForm(c, http.StatusUnprocessableEntity, views.Form{Values: in.values(), Errors: fe}, draft.Documents, "")
	}
	return c.Redirect(http.StatusSeeOther, "/report/check")
}

// handleLeakFileRemove serves POST /report/files/:doc/remove: a file comes
// off this browser's draft.
func (s *Server) handleLeakFileRemove(c echo.Context) error {
	doc, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	if err := s.db.RemoveLeakDraftDocument(s.leakDraftToken(c), doc); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/report?done=removed")
}

// leakAnswers shows a report's answers; the reporter sees the person's
// identity number masked, the supervisor whole.
func leakAnswers(r portal.LeakReport, whole bool) views.LeakAnswers {
	a := views.LeakAnswers{PlaceKind: r.PlaceKind, PlaceDetail: r.PlaceDetail, SeenOn: r.SeenOn, Disclosed: r.Disclosed,
		SourceKind: r.SourceKind, SourceName: r.SourceName, ContactName: r.ContactName, Contact: r.Contact,
		Linked: r.ReporterAccount != 0}
	if r.PersonIDNumber != "" {
		a.Person = r.PersonIDNumber
		if !whole {
			a.Person = maskID(r.PersonIDNumber)
		}
	}
	return a
}

// handleLeakCheck serves GET /report/check: check your answers.
func (s *Server) handleLeakCheck(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	d, err := s.db.LeakDraft(s.leakDraftToken(c))
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return c.Redirect(http.StatusSeeOther, "/report?done=nodraft")
		}
		return err
	}
	if d.Validate(s.today()) != nil {
		return c.Redirect(http.StatusSeeOther, "/report")
	}
	return s.render(c, http.StatusOK, views.LeakCheckPage(views.LeakCheckModel{Page: s.page(c, "leak.check.title"),
		Answers: leakAnswers(d, false), Files: leakFiles(d.Documents, nil)}))
}

// handleLeakSubmit serves POST /report/submit: the draft is sent and the
// confirmation shows the tracking code, this once. The page is never cached.
func (s *Server) handleLeakSubmit(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	token := s.leakDraftToken(c)
	r, code, err := s.db.SubmitLeakReport(token, s.cfg.Calendar, requestID(c))
	if err != nil {
		switch portal.ErrorCode(err) {
		case portal.CodeNotFound:
			// Sent already? A retry after a commit of unknown outcome (or a
			// second press) answers with the same confirmation (outcome.go).
			sent, sentCode, ok, rerr := s.db.LeakReceipt(token)
			if rerr != nil {
				return rerr
			}
			if !ok {
				return c.Redirect(http.StatusSeeOther, "/report?done=nodraft")
			}
			r, code = sent, sentCode
		case portal.CodeInvalid:
			d, derr := s.db.LeakDraft(token)
			if derr != nil {
				return derr
			}
			form, _ := formError(err, leakValues(d))
			return s.renderLeakForm(c, http.StatusUnprocessableEntity, form, d.Documents, "")
		default:
			return err
		}
	}
	s.clearLeakDraftToken(c)
	return s.render(c, http.StatusOK, views.LeakConfirmPage(views.LeakConfirmModel{Page: s.leakPage(c, "leak.confirm.title", "/report"),
		Ref: r.Ref, Code: code, Due: r.Due, DueAwaitsCalendar: r.DueAwaitsCalendar}))
}

// leakTrackModel is a report's progress as its reporter may read it: the
// steps with what was said to the reporter, the findings without the
// source's name, and the outcome without the responsible's name. Internal
// notes and the report's contents are left out.
func (s *Server) leakTrackModel(p views.Page, r portal.LeakReport, code string) views.LeakTrackModel {
	m := views.LeakTrackModel{Page: p, Code: code, Ref: r.Ref, Status: r.Status, Received: r.SubmittedAt, Due: r.Due,
		DueAwaitsCalendar: r.DueAwaitsCalendar && r.Status.Open(), Files: len(r.Documents)}
	m.CanAdd = code != "" && slices.Contains(portal.AllowedLeak(r.Status, portal.LeakActorReporter), portal.LeakAddInformation)
	for _, e := range r.Events {
		v := views.LeakStepView{At: e.At, Action: e.Action, To: e.To, Public: e.Public, Documents: e.Documents}
		if e.Findings != nil {
			f := *e.Findings
			f.Source = ""
			v.Findings = &f
		}
		m.Steps = append(m.Steps, v)
	}
	if r.Outcome != nil {
		m.Outcome = &views.LeakOutcomeView{Responsible: r.Outcome.Responsible, Measure: r.Outcome.Measure, Date: r.Outcome.Date, Summary: r.Outcome.Summary}
	}
	return m
}

func (s *Server) renderLeakTrackForm(c echo.Context, status int, f views.Form) error {
	return s.render(c, status, views.LeakTrackFormPage(views.LeakTrackFormModel{Page: s.leakPage(c, "leak.track.title", "/track"), Form: f}))
}

// handleLeakTrackForm serves GET /track: the form asking for the code.
func (s *Server) handleLeakTrackForm(c echo.Context) error {
	return s.renderLeakTrackForm(c, http.StatusOK, views.Form{})
}

// leakTrackAllowed spends one try of the client address; false means the
// page saying to wait has been rendered.
func (s *Server) leakTrackAllowed(c echo.Context) (bool, error) {
	if ok, _ := s.trackLimiter.Allow(c.RealIP()); ok {
		return true, nil
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(leakTrackWindow.Seconds())))
	return false, s.renderLeakTrackForm(c, http.StatusTooManyRequests, views.Form{Summary: "leak.track_rate_limited"})
}

// handleLeakTrack serves POST /track: the code opens the report's progress.
// A wrong code, or one that cannot be a code, gets the same answer and
// reveals nothing.
func (s *Server) handleLeakTrack(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if ok, err := s.leakTrackAllowed(c); !ok {
		return err
	}
	code := c.FormValue("code")
	if strings.TrimSpace(code) == "" {
		return s.renderLeakTrackForm(c, http.StatusUnprocessableEntity, views.Form{Errors: map[string]string{"code": "leak.track_code_required"}})
	}
	r, err := s.db.LeakByCode(code)
	if err != nil {
		if portal.ErrorCode(err) != portal.CodeNotFound {
			return err
		}
		return s.renderLeakTrackForm(c, http.StatusNotFound, views.Form{Values: map[string]string{"code": code},
			Errors: map[string]string{"code": "leak.track_not_found"}})
	}
	return s.render(c, http.StatusOK, views.LeakTrackPage(s.leakTrackModel(s.leakPage(c, "leak.track.report_title", "/track"), r, code)))
}

// handleLeakTrackAdd serves POST /track/add (multipart): the holder of the
// code (posted again in a hidden field) adds information or files.
func (s *Server) handleLeakTrackAdd(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if ok, err := s.leakTrackAllowed(c); !ok {
		return err
	}
	code, text := c.FormValue("code"), c.FormValue("more")
	r, err := s.db.LeakByCode(code)
	if err != nil {
		if portal.ErrorCode(err) != portal.CodeNotFound {
			return err
		}
		return s.renderLeakTrackForm(c, http.StatusNotFound, views.Form{Errors: map[string]string{"code": "leak.track_not_found"}})
	}
	page := s.leakPage(c, "leak.track.report_title", "/track")
	fail := func(status int, r portal.LeakReport, f views.Form) error {
		m := s.leakTrackModel(page, r, code)
		m.Form = f
		return s.render(c, status, views.LeakTrackPage(m))
	}
	values := map[string]string{"more": text}
	docs, files, fe, err := s.readLeakUploads(c, len(r.Documents))
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return fail(http.StatusUnprocessableEntity, r, views.Form{Values: values, Errors: fe})
	}
	updated, err := s.db.AddLeakInformation(code, text, docs, files, requestID(c))
	if err != nil {
		switch portal.ErrorCode(err) {
		case portal.CodeInvalid:
			form, _ := formError(err, values)
			return fail(http.StatusUnprocessableEntity, r, form)
		case portal.CodeConflict:
			return fail(http.StatusConflict, r, views.Form{Values: values, Summary: "leak.action_not_allowed"})
		}
		return err
	}
	m := s.leakTrackModel(page, updated, code)
	m.NoticeKey = "leak.notice.added"
	return s.render(c, http.StatusOK, views.LeakTrackPage(m))
}

// handleLeakMine serves GET /report/mine: the reports a signed-in reporter
// chose to keep in the account.
func (s *Server) handleLeakMine(c echo.Context) error {
	list, err := s.db.LeaksOfAccount(currentUser(c).ID)
	if err != nil {
		return err
	}
	m := views.LeakMineModel{Page: s.page(c, "leak.mine.title")}
	for _, r := range list {
		m.Rows = append(m.Rows, views.LeakMineRow{ID: r.ID, Ref: r.Ref, Status: r.Status, Received: r.SubmittedAt})
	}
	return s.render(c, http.StatusOK, views.LeakMinePage(m))
}

// handleLeakMineShow serves GET /report/mine/:id: one of them, as the
// tracking page shows it; another account's report is a 404.
func (s *Server) handleLeakMineShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.db.LeakOfAccount(currentUser(c).ID, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.LeakTrackPage(s.leakTrackModel(s.page(c, "leak.track.report_title"), r, "")))
}

// leakSupervisorNotices are the ?done= values that show a notice.
var leakSupervisorNotices = []string{string(portal.LeakStart), string(portal.LeakRecordFindings), string(portal.LeakClose)}

// handleLeakSupervisor serves GET /supervision/leaks/:id: a report as the
// supervisor reads it, each view in the audit log (R17).
func (s *Server) handleLeakSupervisor(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	notice := ""
	if done := c.QueryParam("done"); slices.Contains(leakSupervisorNotices, done) {
		notice = "leak.notice." + done
	}
	return s.showLeakSupervisor(c, http.StatusOK, id, "", views.Form{}, notice)
}

func leakSupervisorPath(id uint64) string { return "/supervision/leaks/" + strconv.FormatUint(id, 10) }

func (s *Server) showLeakSupervisor(c echo.Context, status int, id uint64, failed portal.LeakAction, f views.Form, notice string) error {
	u := currentUser(c)
	r, err := s.db.LeakForSupervisor(id, *u, s.freshFactor(c), requestID(c))
	if err != nil {
		return err
	}
	today := s.today()
	base := leakSupervisorPath(id)
	m := views.LeakSupervisorModel{Page: s.leakPage(c, "leak.sup.title", base), ID: r.ID, Ref: r.Ref, Status: r.Status,
		Received: r.SubmittedAt, Due: r.Due, Overdue: r.Overdue(today), DueAwaitsCalendar: r.DueAwaitsCalendar && r.Status.Open(), Answers: leakAnswers(r, true),
		PersonNotified: r.PersonNotified, Findings: r.Findings, Actions: portal.AllowedLeak(r.Status, portal.LeakActorSupervisor),
		Failed: failed, FailedForm: f, NoticeKey: notice,
		Files: leakFiles(r.Documents, func(d portal.Document) string {
			return base + "/documents/" + strconv.FormatUint(d.ID, 10)
		})}
	for _, e := range r.Events {
		m.Steps = append(m.Steps, views.LeakStepView{At: e.At, Action: e.Action, To: e.To, Public: e.Public, Internal: e.Internal,
			Documents: e.Documents, Findings: e.Findings})
		if e.Findings != nil {
			m.HasFindings = true
		}
	}
	if r.Outcome != nil {
		m.Outcome = &views.LeakOutcomeView{Responsible: r.Outcome.Responsible, Name: r.Outcome.ResponsibleName,
			Measure: r.Outcome.Measure, Date: r.Outcome.Date, Summary: r.Outcome.Summary}
	}
	if m.Oversight, err = s.oversightLeakPanel(c, id); err != nil {
		return err
	}
	return s.render(c, status, views.LeakSupervisorPage(m))
}

// handleLeakSupervisorDocument serves GET /supervision/leaks/:id/documents/:doc:
// an evidence file, the read audited with it.
func (s *Server) handleLeakSupervisorDocument(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	d, content, err := s.db.LeakDocumentForSupervisor(id, docID, *currentUser(c), s.freshFactor(c), requestID(c))
	if err != nil {
		return err
	}
	return serveDocument(c, d, content)
}

// leakStep applies one step and answers like the other action forms: back to
// the report with a notice, or the page again with the form's problems.
func (s *Server) leakStep(c echo.Context, id uint64, st store.LeakStep, values map[string]string, pre portal.FieldErrors) error {
	if len(pre) > 0 {
		return s.showLeakSupervisor(c, http.StatusUnprocessableEntity, id, st.Action, views.Form{Values: values, Errors: pre}, "")
	}
	u := currentUser(c)
	st.AccountID, st.Role, st.RequestID = u.ID, u.Role, requestID(c)
	if _, err := s.db.ApplyLeakStep(id, st); err != nil {
		switch portal.ErrorCode(err) {
		case portal.CodeInvalid:
			form, _ := formError(err, values)
			return s.showLeakSupervisor(c, http.StatusUnprocessableEntity, id, st.Action, form, "")
		case portal.CodeConflict:
			return s.showLeakSupervisor(c, http.StatusConflict, id, st.Action, views.Form{Values: values, Summary: errKey(err)}, "")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s?done=%s", leakSupervisorPath(id), st.Action))
}

// handleLeakSupervisorStart serves POST /supervision/leaks/:id/start.
func (s *Server) handleLeakSupervisorStart(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	public, internal := c.FormValue("public"), c.FormValue("internal")
	return s.leakStep(c, id, store.LeakStep{Action: portal.LeakStart, Public: public, Internal: internal},
		map[string]string{"public": public, "internal": internal}, nil)
}

// handleLeakSupervisorFindings serves POST /supervision/leaks/:id/findings:
// the source identified, the disclosure stopped, the person informed.
func (s *Server) handleLeakSupervisorFindings(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v := map[string]string{"source_identified": c.FormValue("source_identified"), "source": c.FormValue("source"),
		"stopped": c.FormValue("stopped"), "person_informed": c.FormValue("person_informed"),
		"public": c.FormValue("public"), "internal": c.FormValue("internal")}
	f := portal.LeakFindings{SourceIdentified: v["source_identified"] == "yes", Source: v["source"],
		Stopped: portal.LeakStop(v["stopped"]), PersonInformed: v["person_informed"] == "yes"}
	return s.leakStep(c, id, store.LeakStep{Action: portal.LeakRecordFindings, Findings: &f, Public: v["public"], Internal: v["internal"]}, v, nil)
}

// handleLeakSupervisorClose serves POST /supervision/leaks/:id/close: the
// report is closed only with its accountability outcome (R25) — who was
// responsible (or nobody identified), the measure and its date; each missing
// answer is named next to its field.
func (s *Server) handleLeakSupervisorClose(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v := map[string]string{"responsible": c.FormValue("responsible"), "responsible_name": c.FormValue("responsible_name"),
		"measure": c.FormValue("measure"), "outcome_date": c.FormValue("outcome_date"),
		"summary": c.FormValue("summary"), "internal": c.FormValue("internal")}
	o := portal.LeakOutcome{Responsible: portal.LeakResponsible(v["responsible"]), ResponsibleName: strings.TrimSpace(v["responsible_name"]),
		Measure: portal.LeakMeasure(v["measure"]), Summary: v["summary"]}
	var pre portal.FieldErrors
	if ds := strings.TrimSpace(v["outcome_date"]); ds != "" {
		d, ok := portal.ParseDate(ds)
		if !ok {
			// The date cannot be read: say so, with every other problem too.
			pre.Add("outcome_date", "leak.outcome_date_invalid")
			if err := o.Validate(s.today()); err != nil {
				pe, _ := portal.AsError(err)
				for k, key := range pe.Fields {
					pre.Add(k, key)
				}
			}
		}
		o.Date = d
	}
	return s.leakStep(c, id, store.LeakStep{Action: portal.LeakClose, Outcome: &o, Public: "", Internal: v["internal"]}, v, pre)
}
