package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// totpSetupURL is the enrolment page, coming back to next afterwards.
func totpSetupURL(next string) string {
	if next = safeNext(next); next != "" {
		return "/account/totp/setup?next=" + url.QueryEscape(next)
	}
	return "/account/totp/setup"
}

// totpLabel names the account in the authenticator app: an official's
// username, a citizen's masked mobile number (the app is not ours to trust
// with a full number).
func totpLabel(u *portal.Account) string {
	if u.Role.IsCitizen() {
		return portal.MaskMobile(u.Login)
	}
	return u.Login
}

// handleTOTPStatus serves GET /account/totp: whether two-step verification is
// on, and the way to turn it on.
func (s *Server) handleTOTPStatus(c echo.Context) error {
	u := currentUser(c)
	m := views.TOTPStatusModel{Page: s.page(c, "totp.status_title"), Enabled: u.TOTPEnabled, Required: portal.RequiresTOTP(u.Role)}
	if u.TOTPEnabled {
		n, err := s.db.RecoveryCodesLeft(u.ID)
		if err != nil {
			return err
		}
		m.RecoveryLeft = n
	}
	if c.QueryParam("done") == "enabled" {
		m.NoticeKey = "totp.notice_enabled"
	}
	return s.render(c, http.StatusOK, views.TOTPStatusPage(m))
}

// renderTOTPSetup shows the enrolment page with the pending secret (a new one
// the first time, the same one when the page is shown again).
func (s *Server) renderTOTPSetup(c echo.Context, status int, next string, f views.Form) error {
	u := currentUser(c)
	candidate, err := portal.NewTOTPSecret()
	if err != nil {
		return portal.Internal(err)
	}
	secret, err := s.db.StartTOTPEnrolment(u.ID, candidate)
	if err != nil {
		return err
	}
	qr, err := qrDataURL(portal.TOTPURI(totpLabel(u), secret))
	if err != nil {
		return err
	}
	return s.render(c, status, views.TOTPSetupPage(views.TOTPSetupModel{Page: s.page(c, "totp.setup_title"), Form: f,
		QR: qr, Secret: portal.GroupSecret(secret), Next: next, Forced: portal.RequiresTOTP(u.Role)}))
}

// handleTOTPSetupForm serves GET /account/totp/setup: enrolment, at an
// official's first login or when a citizen turns it on.
func (s *Server) handleTOTPSetupForm(c echo.Context) error {
	if currentUser(c).TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/account/totp")
	}
	return s.renderTOTPSetup(c, http.StatusOK, safeNext(c.QueryParam("next")), views.Form{})
}

// handleTOTPSetupSubmit serves POST /account/totp/setup: the code proves the
// app holds the secret; the recovery codes are then shown, this once.
func (s *Server) handleTOTPSetupSubmit(c echo.Context) error {
	u := currentUser(c)
	next := safeNext(c.FormValue("next"))
	if u.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/account/totp")
	}
	codes, err := portal.NewRecoveryCodes()
	if err != nil {
		return portal.Internal(err)
	}
	if err := s.db.ConfirmTOTP(u.ID, c.FormValue("code"), codes, requestID(c)); err != nil {
		form, ok := formError(err, map[string]string{})
		if !ok {
			return err
		}
		return s.renderTOTPSetup(c, http.StatusUnprocessableEntity, next, form)
	}
	// Enrolling is itself a pass of the second factor: the step-up clock
	// starts now.
	if err := s.markSecondFactor(c); err != nil {
		return err
	}
	if next == "" {
		next = homeFor(u.Role)
		if u.Role.IsCitizen() {
			next = "/account/totp?done=enabled"
		}
	}
	return s.render(c, http.StatusOK, views.RecoveryCodesPage(views.RecoveryCodesModel{
		Page: s.page(c, "totp.codes_title"), Codes: codes, Next: next}))
}

// handleLoginCodeForm serves GET /login/code: the second page of a login.
func (s *Server) handleLoginCodeForm(c echo.Context) error {
	id, next, _ := s.pendingLogin(c)
	if id == 0 {
		return c.Redirect(http.StatusSeeOther, "/login?done=second_factor")
	}
	return s.render(c, http.StatusOK, views.SecondFactorPage(views.SecondFactorModel{
		Page: s.page(c, "totp.login_title"), Action: "/login/code", Next: next}))
}

// handleLoginCodeSubmit serves POST /login/code. Only when the code (or a
// recovery code) passes is a session of the account started. Wrong codes
// count towards the account's lockout; after portal.PendingLoginAttempts of
// them the password must be typed again.
func (s *Server) handleLoginCodeSubmit(c echo.Context) error {
	id, next, tries := s.pendingLogin(c)
	if id == 0 {
		return c.Redirect(http.StatusSeeOther, "/login?done=second_factor")
	}
	res, err := s.db.VerifySecondFactor(id, c.FormValue("code"), store.SecondFactorLogin, requestID(c))
	if err != nil {
		return err
	}
	sess := currentSession(c)
	if res.Locked {
		s.endSession(c, sess)
		return s.render(c, http.StatusUnprocessableEntity, views.LoginPage(views.LoginModel{Page: s.page(c, "login.title"),
			Form: views.Form{Summary: "totp.locked"}}))
	}
	if !res.Passed {
		tries++
		if tries >= portal.PendingLoginAttempts {
			s.endSession(c, sess)
			return c.Redirect(http.StatusSeeOther, "/login?done=second_factor")
		}
		sess.Values[svPendingTries] = strconv.Itoa(tries)
		if err := s.sessions.Save(c.Request(), c.Response(), sess); err != nil {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, views.SecondFactorPage(views.SecondFactorModel{
			Page: s.page(c, "totp.login_title"), Action: "/login/code", Next: next,
			Form: views.Form{Errors: map[string]string{"code": res.Key}}}))
	}
	acct, err := s.db.Account(id)
	if err != nil {
		return err
	}
	if err := s.startSession(c, acct); err != nil {
		return err
	}
	if err := s.markSecondFactor(c); err != nil {
		return err
	}
	return s.afterLogin(c, acct, next)
}

// handleStepUpForm serves GET /account/verify?next=: the code again before a
// sealed record is shown. next must be a local path (no open redirect).
func (s *Server) handleStepUpForm(c echo.Context) error {
	if !currentUser(c).TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, totpSetupURL(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, views.SecondFactorPage(views.SecondFactorModel{
		Page: s.page(c, "totp.stepup_title"), Action: "/account/verify", Next: safeNext(c.QueryParam("next")), StepUp: true}))
}

// handleStepUpSubmit serves POST /account/verify.
func (s *Server) handleStepUpSubmit(c echo.Context) error {
	u := currentUser(c)
	next := safeNext(c.FormValue("next"))
	res, err := s.db.VerifySecondFactor(u.ID, c.FormValue("code"), store.SecondFactorStepUp, requestID(c))
	if err != nil {
		return err
	}
	if res.Locked {
		// The lockout has ended every session of the account.
		s.endSession(c, currentSession(c))
		return c.Redirect(http.StatusSeeOther, "/login?done=second_factor")
	}
	if !res.Passed {
		return s.render(c, http.StatusUnprocessableEntity, views.SecondFactorPage(views.SecondFactorModel{
			Page: s.page(c, "totp.stepup_title"), Action: "/account/verify", Next: next, StepUp: true,
			Form: views.Form{Errors: map[string]string{"code": res.Key}}}))
	}
	if err := s.markSecondFactor(c); err != nil {
		return err
	}
	if next == "" {
		next = homeFor(u.Role)
	}
	return c.Redirect(http.StatusSeeOther, next)
}
