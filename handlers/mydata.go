package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// "My data" (PIPL arts. 44–45): a signed-in account reads everything the
// portal holds about it on one page and downloads the same as one JSON file.
// The store gathers it in one read transaction (store.ExportAccount) with the
// visibility of the citizen's own pages (portal/export.go); staff get their
// own account only. Each reading is written in the audit log before anything
// is shown, naming the account and nothing else, so that a copy of someone's
// data never leaves without its record. The drafts that have no delete route
// of their own (relief requests, this browser's unsent leak report) are
// deleted here; sent applications and sealed records are kept (R11).

// mydataAudit records that the signed-in account read its own data, as the
// page or the file: ids and the format only, no personal data.
func (s *Server) mydataAudit(c echo.Context, format string) error {
	u := currentUser(c)
	return s.db.RecordAudit(portal.AuditEvent{Action: portal.AuditDataExport, ActorID: u.ID, ActorRole: u.Role,
		SubjectKind: "account", SubjectID: u.ID, Detail: format, RequestID: requestID(c)})
}

// mydataLinks fills in where each document can be downloaded: the citizen
// routes that already serve it (which check, again, that the account may).
// Evidence of a leak report has no citizen download and gets no link.
func mydataLinks(exp *portal.AccountExport) {
	rec := exp.Citizen
	if rec == nil {
		return
	}
	link := func(d *portal.ExportedDocument) {
		switch d.Where {
		case portal.ExportInCase:
			d.DownloadPath = fmt.Sprintf("/cases/%d/documents/%d", d.ParentID, d.ID)
		case portal.ExportInRelief:
			d.DownloadPath = fmt.Sprintf("/relief/%d/documents/%d", d.ParentID, d.ID)
		}
	}
	for i := range rec.Documents {
		link(&rec.Documents[i])
	}
	for i := range rec.Cases {
		cs := &rec.Cases[i]
		for j := range cs.Documents {
			link(&cs.Documents[j])
		}
		for j := range cs.Messages {
			for k := range cs.Messages[j].Documents {
				link(&cs.Messages[j].Documents[k])
			}
		}
	}
	for i := range rec.Relief {
		r := &rec.Relief[i]
		for j := range r.Documents {
			link(&r.Documents[j])
		}
		for j := range r.Messages {
			for k := range r.Messages[j].Documents {
				link(&r.Messages[j].Documents[k])
			}
		}
	}
}

// mydataNotes explains the parts of the file in the reader's language.
func mydataNotes(lang views.Lang, citizen bool) map[string]string {
	keys := []string{"version", "account", "sessions", "activity", "keeping"}
	if citizen {
		keys = append(keys, "cases", "documents", "contents", "access")
	} else {
		keys = append(keys, "staff")
	}
	out := map[string]string{}
	for _, k := range keys {
		out[k] = views.Translate(lang, "mydata.note."+k)
	}
	return out
}

// mydataAccount is the account as the page shows it: a citizen's mobile and
// identity numbers masked, as on /account (the file has them in full).
func mydataAccount(a portal.ExportedAccount) views.MyDataAccount {
	m := views.MyDataAccount{Role: a.Role, Name: a.Name, Login: a.Login, Organ: a.Organ, Firm: a.Firm, Licence: a.Licence,
		CreatedAt: a.CreatedAt, LastLogin: a.LastLogin, PasswordChanged: a.PasswordChangedAt, TwoFactorEnabled: a.TwoFactorEnabled}
	if a.Role.IsCitizen() {
		m.Mobile, m.IDNumber, m.Login = maskMobile(a.Mobile), maskID(a.IDNumber), ""
	}
	return m
}

// handleMyData serves GET /account/data: what the portal holds about the
// account, section by section, with the drafts that may be deleted.
func (s *Server) handleMyData(c echo.Context) error {
	u := currentUser(c)
	exp, err := s.db.ExportAccountSummary(u.ID)
	if err != nil {
		return err
	}
	if err := s.mydataAudit(c, "page"); err != nil {
		return err
	}
	mydataLinks(&exp)
	m := views.MyDataModel{Page: s.page(c, "mydata.title"), Data: exp, Account: mydataAccount(exp.Account)}
	if c.QueryParam("done") == "deleted" {
		m.NoticeKey = "mydata.notice_deleted"
	}
	if rec := exp.Citizen; rec != nil {
		for _, cs := range rec.Cases {
			if cs.Deletable {
				m.Drafts = append(m.Drafts, views.MyDataDraft{Kind: "application", CreatedAt: cs.CreatedAt,
					OpenPath: applyPath(cs.ID, ""), DeletePath: applyPath(cs.ID, "delete")})
			}
		}
		for _, r := range rec.Relief {
			if r.Deletable {
				m.Drafts = append(m.Drafts, views.MyDataDraft{Kind: "relief", CreatedAt: r.CreatedAt,
					OpenPath: "/relief/" + strconv.FormatUint(r.ID, 10), DeletePath: mydataReliefDeletePath(r.ID)})
			}
		}
	}
	// The browser's unsent leak report is nobody's account's: it is found by
	// the cookie this browser holds, and shown only here.
	if token := s.leakDraftToken(c); token != "" {
		d, err := s.db.LeakDraft(token)
		switch {
		case err == nil:
			m.LeakDraft = &views.MyDataLeakDraft{CreatedAt: d.CreatedAt, Files: len(d.Documents)}
		case portal.ErrorCode(err) != portal.CodeNotFound:
			return err
		}
	}
	return s.render(c, http.StatusOK, views.MyDataPage(m))
}

// handleMyDataJSON serves GET /account/data.json: the same as one file, with
// the contents of the documents the account uploaded (up to
// portal.ExportContentCap), as an attachment that is never cached.
func (s *Server) handleMyDataJSON(c echo.Context) error {
	exp, err := s.db.ExportAccount(currentUser(c).ID)
	if err != nil {
		return err
	}
	mydataLinks(&exp)
	exp.Notes = mydataNotes(langOf(c), exp.Citizen != nil)
	body, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		return portal.Internal(fmt.Errorf("mydata: encode export: %w", err))
	}
	if err := s.mydataAudit(c, "json"); err != nil {
		return err
	}
	h := c.Response().Header()
	// The file name carries the date only: no name or number of the person.
	h.Set(echo.HeaderContentDisposition, `attachment; filename="sealportal-export-`+s.today().String()+`.json"`)
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", body)
}

func mydataReliefDeletePath(id uint64) string {
	return "/account/data/relief/" + strconv.FormatUint(id, 10) + "/delete"
}

// mydataReliefDraft loads the route's relief request for deletion: another
// account's is a 404 like one that does not exist; a sent one is a conflict
// (it is kept).
func (s *Server) mydataReliefDraft(c echo.Context) (portal.ReliefRequest, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return portal.ReliefRequest{}, err
	}
	r, err := s.db.Relief(id)
	if err != nil {
		return portal.ReliefRequest{}, err
	}
	if r.FiledBy != currentUser(c).ID {
		return portal.ReliefRequest{}, portal.NotFound()
	}
	if r.Status != portal.ReliefDraft {
		return portal.ReliefRequest{}, portal.Conflict("mydata.not_deletable")
	}
	return r, nil
}

// handleMyDataReliefDeleteForm serves GET /account/data/relief/:id/delete:
// are you sure?
func (s *Server) handleMyDataReliefDeleteForm(c echo.Context) error {
	r, err := s.mydataReliefDraft(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.MyDataDeletePage(views.MyDataDeleteModel{Page: s.page(c, "mydata.delete.relief.title"),
		Kind: "relief", CreatedAt: r.CreatedAt, Action: mydataReliefDeletePath(r.ID), Back: "/account/data"}))
}

// handleMyDataReliefDelete serves POST /account/data/relief/:id/delete: the
// draft and its files are deleted; a sent request is refused (409) and kept.
func (s *Server) handleMyDataReliefDelete(c echo.Context) error {
	r, err := s.mydataReliefDraft(c)
	if err != nil {
		return err
	}
	if err := s.db.DeleteReliefDraft(r.ID, currentUser(c).ID, requestID(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account/data?done=deleted")
}

// handleMyDataLeakDeleteForm serves GET /account/data/leak-draft/delete: are
// you sure? Without an unsent report in this browser, a 404.
func (s *Server) handleMyDataLeakDeleteForm(c echo.Context) error {
	d, err := s.db.LeakDraft(s.leakDraftToken(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.MyDataDeletePage(views.MyDataDeleteModel{Page: s.page(c, "mydata.delete.leak.title"),
		Kind: "leak", CreatedAt: d.CreatedAt, Action: "/account/data/leak-draft/delete", Back: "/account/data"}))
}

// handleMyDataLeakDelete serves POST /account/data/leak-draft/delete: this
// browser's unsent report and its files are deleted, and its cookie cleared.
func (s *Server) handleMyDataLeakDelete(c echo.Context) error {
	if err := s.db.DeleteLeakDraft(s.leakDraftToken(c), currentUser(c).ID, requestID(c)); err != nil {
		return err
	}
	s.clearLeakDraftToken(c)
	return c.Redirect(http.StatusSeeOther, "/account/data?done=deleted")
}
