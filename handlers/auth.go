package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// registerInput is what the register form posts; nothing else is read.
type registerInput struct {
	Role, Name, Mobile, IDNumber, Licence, Firm, Password, PasswordConfirm string
	ConsentPrivacy, ConsentSensitive                                       string
	// R31: the kind of identity document, a passport's issuing state, and
	// the birth date asked for a document whose number carries none.
	DocType, Country, BirthDate string
	// Then is registerThenApply to land on a new application (checkflow.go).
	Then string
}

func bindRegister(c echo.Context) registerInput {
	return registerInput{
		Role: c.FormValue("role"), Name: c.FormValue("name"), Mobile: c.FormValue("mobile"),
		IDNumber: c.FormValue("id_number"), Licence: c.FormValue("licence"), Firm: c.FormValue("firm"),
		Password: c.FormValue("password"), PasswordConfirm: c.FormValue("password_confirm"),
		ConsentPrivacy: c.FormValue("consent_privacy"), ConsentSensitive: c.FormValue("consent_sensitive"),
		DocType: c.FormValue("doc_type"), Country: c.FormValue("doc_country"), BirthDate: c.FormValue("birth_date"),
		Then: registerThen(c),
	}
}

// values are the typed answers to show again on a failed form. Passwords are
// deliberately not sent back into the page.
func (in registerInput) values() map[string]string {
	return map[string]string{"role": in.Role, "name": in.Name, "mobile": in.Mobile,
		"id_number": in.IDNumber, "licence": in.Licence, "firm": in.Firm,
		"consent_privacy": in.ConsentPrivacy, "consent_sensitive": in.ConsentSensitive,
		"doc_type": in.DocType, "doc_country": in.Country, "birth_date": in.BirthDate, "then": in.Then}
}

// handleRegisterForm serves GET /register.
func (s *Server) handleRegisterForm(c echo.Context) error {
	role := c.QueryParam("role")
	if !portal.Role(role).IsCitizen() {
		role = ""
	}
	m := views.RegisterModel{Page: s.page(c, "register.title"), Form: views.Form{Values: map[string]string{"role": role, "doc_type": string(portal.DocResidentID), "then": registerThen(c)}}}
	if c.QueryParam("expired") != "" {
		m.NoticeKey = "code.registration_expired"
	}
	return s.render(c, http.StatusOK, views.RegisterPage(m))
}

// formError turns a domain validation or conflict error into a form with the
// typed values kept; other errors are not the user's to fix.
func formError(err error, values map[string]string) (views.Form, bool) {
	pe, ok := portal.AsError(err)
	if !ok || (pe.Code != portal.CodeInvalid && pe.Code != portal.CodeConflict) {
		return views.Form{}, false
	}
	f := views.Form{Values: values, Errors: map[string]string{}}
	for k, v := range pe.Fields {
		f.Errors[k] = v
	}
	if len(f.Errors) == 0 {
		f.Summary = pe.Key
	}
	return f, true
}

// handleLoginForm serves GET /login.
func (s *Server) handleLoginForm(c echo.Context) error {
	m := views.LoginModel{Page: s.page(c, "login.title"), Next: safeNext(c.QueryParam("next"))}
	switch c.QueryParam("done") {
	case "registered":
		m.NoticeKey = "login.notice_registered"
	case "password":
		m.NoticeKey = "login.notice_password_changed"
	case "logout":
		m.NoticeKey = "login.notice_logged_out"
	case "expired":
		m.NoticeKey = "login.notice_expired"
	case "second_factor":
		m.NoticeKey = "totp.pending_gone"
	case "reset":
		m.NoticeKey = "login.notice_reset"
	}
	if expired, _ := c.Get(ctxExpired).(bool); expired {
		m.NoticeKey = "login.notice_expired"
	}
	return s.render(c, http.StatusOK, views.LoginPage(m))
}

// normalizeLogin maps what a person types to the stored login: a mobile
// number in its canonical form, or a staff username in lower case.
func normalizeLogin(s string) string {
	if m, err := portal.NormalizeMobile(s); err == nil {
		return m
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// handleLoginSubmit serves POST /login. Every failure shows the same message,
// and an unknown account costs the same hashing time as a known one, so the
// page never reveals whether an account exists.
func (s *Server) handleLoginSubmit(c echo.Context) error {
	next := safeNext(c.FormValue("next"))
	typed := c.FormValue("login")
	fail := func(status int, key string) error {
		return s.render(c, status, views.LoginPage(views.LoginModel{Page: s.page(c, "login.title"), Next: next,
			Form: views.Form{Values: map[string]string{"login": typed}, Summary: key}}))
	}
	if ok, _ := s.loginLimiter.Allow(c.RealIP()); !ok {
		return fail(http.StatusTooManyRequests, "login.rate_limited")
	}
	login, password := normalizeLogin(typed), c.FormValue("password")
	if login == "" || password == "" {
		return fail(http.StatusUnprocessableEntity, "login.failed")
	}
	acct, err := s.db.AccountByLogin(login)
	if err != nil {
		if portal.ErrorCode(err) != portal.CodeNotFound {
			return err
		}
		s.cfg.Hasher.DummyVerify(password)
		if err := s.db.RecordAudit(portal.AuditEvent{Action: portal.AuditLoginFailed, Detail: "unknown_login", RequestID: requestID(c)}); err != nil {
			return err
		}
		return fail(http.StatusUnprocessableEntity, "login.failed")
	}
	if acct.Disabled || acct.Locked(s.cfg.Clock()) {
		s.cfg.Hasher.DummyVerify(password)
		detail := "locked"
		if acct.Disabled {
			detail = "disabled"
		}
		if err := s.db.RecordAudit(portal.AuditEvent{Action: portal.AuditLoginFailed, SubjectKind: "account", SubjectID: acct.ID, Detail: detail, RequestID: requestID(c)}); err != nil {
			return err
		}
		return fail(http.StatusUnprocessableEntity, "login.failed")
	}
	ok, rehash, err := s.cfg.Hasher.Verify(password, acct.PasswordHash)
	if err != nil {
		return portal.Internal(err)
	}
	if !ok {
		_, delay, err := s.db.RecordLoginFailure(acct.ID, requestID(c))
		if err != nil {
			return err
		}
		// Throttled rather than locked where a second factor protects the
		// account (portal.OnLoginFailure): the answer waits.
		s.cfg.LoginPause(c.Request().Context(), delay)
		return fail(http.StatusUnprocessableEntity, "login.failed")
	}
	newHash := ""
	if rehash {
		// Parameters were raised since this hash was made: upgrade it now, the
		// only moment the password is known.
		if newHash, err = s.cfg.Hasher.Hash(password); err != nil {
			return portal.Internal(err)
		}
	}
	if acct.TOTPEnabled {
		// The password is only half: no session of the account exists until
		// the second factor passes (handleLoginCodeSubmit).
		if newHash != "" {
			if err := s.db.UpgradePasswordHash(acct.ID, newHash); err != nil {
				return err
			}
		}
		if err := s.startPendingLogin(c, acct, next); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/login/code")
	}
	if err := s.db.RecordLoginSuccess(acct.ID, newHash, requestID(c)); err != nil {
		return err
	}
	if err := s.startSession(c, acct); err != nil {
		return err
	}
	return s.afterLogin(c, acct, next)
}

// afterLogin sends a freshly signed-in account on: first to replace a
// one-time password, then to enrol a second factor when its role requires
// one, then where it was going.
func (s *Server) afterLogin(c echo.Context, acct portal.Account, next string) error {
	next = landingAfterLogin(next)
	if err := s.noteDevice(c, acct); err != nil {
		return err
	}
	if acct.MustChangePassword {
		return c.Redirect(http.StatusSeeOther, "/account/password")
	}
	if acct.NeedsTOTPEnrolment() {
		return c.Redirect(http.StatusSeeOther, totpSetupURL(next))
	}
	if next == "" {
		next = homeFor(acct.Role)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// homeFor is where an account lands after login.
func homeFor(r portal.Role) string {
	switch {
	case r.IsOrgan() || r == portal.RoleSupervisor:
		return "/staff"
	case r == portal.RoleQueryingUnit:
		return "/queries"
	case r == portal.RoleSysadmin:
		return "/sysadmin/accounts"
	case r.IsCitizen():
		// A citizen lands on "my cases" (issue 16).
		return "/cases"
	}
	return "/account"
}

// safeNext is where to go after signing in: a local path other than the
// account pages themselves.
func safeNext(p string) string {
	p = localPath(p)
	if p == "/login" || p == "/logout" || p == "/register" || strings.HasPrefix(p, "/login/") || strings.HasPrefix(p, "/register/") {
		return ""
	}
	return p
}

// handleLogout serves POST /logout.
func (s *Server) handleLogout(c echo.Context) error {
	u, sess := currentUser(c), currentSession(c)
	if sess != nil && !sess.IsNew {
		if err := s.db.Logout(hashID(sess.ID), u.ID, requestID(c)); err != nil {
			return err
		}
		s.endSession(c, sess)
	}
	return c.Redirect(http.StatusSeeOther, "/login?done=logout")
}

// handlePasswordForm serves GET /account/password.
func (s *Server) handlePasswordForm(c echo.Context) error {
	u := currentUser(c)
	return s.render(c, http.StatusOK, views.PasswordPage(views.PasswordModel{Page: s.page(c, "password.title"), Forced: u.MustChangePassword}))
}

// handlePasswordSubmit serves POST /account/password. Changing the password
// ends every session of the account; this browser gets a fresh one.
func (s *Server) handlePasswordSubmit(c echo.Context) error {
	u := currentUser(c)
	current, next, confirm := c.FormValue("current_password"), c.FormValue("new_password"), c.FormValue("new_password_confirm")
	var fe portal.FieldErrors
	ok, _, err := s.cfg.Hasher.Verify(current, u.PasswordHash)
	if err != nil {
		return portal.Internal(err)
	}
	if !ok {
		fe.Add("current_password", "password.current_wrong")
	}
	if err := portal.CheckPasswordPolicy(next); err != nil {
		fe.Add("new_password", errKey(err))
	} else if next == current {
		fe.Add("new_password", "password.same_as_old")
	} else if next != confirm {
		fe.Add("new_password_confirm", "password.mismatch")
	}
	if len(fe) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, views.PasswordPage(views.PasswordModel{
			Page: s.page(c, "password.title"), Forced: u.MustChangePassword, Form: views.Form{Errors: fe}}))
	}
	hash, err := s.cfg.Hasher.Hash(next)
	if err != nil {
		return portal.Internal(err)
	}
	if err := s.db.ChangePassword(u.ID, hash, requestID(c)); err != nil {
		return err
	}
	acct, err := s.db.Account(u.ID)
	if err != nil {
		return err
	}
	c.Set(ctxSession, nil) // already deleted with every other session
	if err := s.startSession(c, acct); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=password")
}

func errKey(err error) string {
	if pe, ok := portal.AsError(err); ok {
		return pe.Key
	}
	return "error.form_invalid"
}
