package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// handleStart serves GET /: what sealing is, who may apply, and the right not
// to declare a sealed record (CL art. 100).
func (s *Server) handleStart(c echo.Context) error {
	return s.render(c, http.StatusOK, views.StartPage(views.StartModel{Page: s.page(c, "start.title")}))
}

// handleLangSwitch serves GET /lang?to=<tag>&next=/path (any language with a file): it stores the choice in
// a cookie and returns to the page. A link, so it works without JavaScript.
func (s *Server) handleLangSwitch(c echo.Context) error {
	to, ok := views.LookupLang(c.QueryParam("to"))
	if !ok {
		to = views.LangZH
	}
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: langCookie, Value: string(to), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	next := localPath(c.QueryParam("next"))
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// handleHealthz serves GET /healthz: the process is up.
func (s *Server) handleHealthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// handleReadyz serves GET /readyz: the store answers, and the server's own
// checks (Config.Ready) pass.
func (s *Server) handleReadyz(c echo.Context) error {
	if err := s.db.Ping(); err != nil {
		s.log.Error("readyz", "err", err)
		return c.String(http.StatusServiceUnavailable, "store unavailable")
	}
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(); err != nil {
			s.log.Error("readyz", "err", err)
			return c.String(http.StatusServiceUnavailable, "not ready")
		}
	}
	return c.String(http.StatusOK, "ready")
}

// handleAccount serves GET /account: the signed-in person's own details,
// masked where a shoulder could read them.
func (s *Server) handleAccount(c echo.Context) error {
	if err := s.readNoticesAt(c, "/account"); err != nil { // issue 16
		return err
	}
	notice := ""
	switch c.QueryParam("done") {
	case "password":
		notice = "account.notice_password_changed"
	case "session_ended":
		notice = "account.notice_session_ended"
	}
	return s.renderAccount(c, http.StatusOK, notice)
}

// renderAccount renders the account page with a notice (or, for a status
// other than 200, an error) and the person's sessions.
func (s *Server) renderAccount(c echo.Context, status int, key string) error {
	u := currentUser(c)
	m := views.AccountModel{Page: s.page(c, "account.title"), Role: u.Role, Name: u.Name, Organ: u.Organ, IdentityVerified: u.IdentityVerified,
		Firm: u.Firm, Licence: u.Licence, Login: u.Login, CreatedAt: u.CreatedAt}
	if u.Role.IsCitizen() {
		m.Mobile = maskMobile(u.Mobile)
		m.IDNumber = maskID(u.IDNumber)
		if u.DocType != portal.DocResidentID {
			m.DocType, m.DocCountry = u.DocType, u.DocCountry // R31
		}
		m.Login = ""
	}
	if status == http.StatusOK {
		m.NoticeKey = key
	} else {
		m.SessionsError = key
	}
	var err error
	if m.Sessions, err = s.accountSessions(c); err != nil {
		return err
	}
	return s.render(c, status, views.AccountPage(m))
}

func maskMobile(m string) string { return portal.MaskMobile(m) }

// maskID masks an identity number; a document of another kind (R31) shows
// its last four characters likewise.
func maskID(id string) string {
	if n, err := portal.ParseIDNumber(id); err == nil {
		return n.Masked()
	}
	return portal.IdentityDocument{Number: id}.Masked()
}
