package handlers

import (
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"sealportal/portal"
	"sealportal/views"
)

// Verified contact and recovery (issue 11 part A, issue 13 finding 4).
//
// Registration happens in two steps: the form is checked (cheap checks
// first), the password hashed in the bounded hashing pool, and the checked
// registration held sealed in the store with the password already hashed
// (the password itself is never stored); a 6-digit code goes to the mobile
// number and the account exists only once the code comes back. A number that
// already has an account gets the very same answer ("we sent a code"), while
// its owner gets a notice instead of a code, so the form tells nobody which
// numbers are registered.

// codeRateDefault is how many code-sending requests (registrations, resets)
// one client address may make per hour; perNumber* bound them per mobile
// number, whoever asks.
const (
	codeRateDefault  = 30
	perNumberBurst   = 5
	perNumberEvery   = 12 * time.Minute
	codeLimiterTTL   = time.Hour
	maxEmailRunes    = 254
	maxTokenBytes    = 80
	registerCodePath = "/register/code"
	resetPath        = "/login/reset"
)

func newCodeLimiters(perHour int) (byAddr, byNumber *middleware.RateLimiterMemoryStore) {
	byAddr = middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(perHour) / 3600), Burst: perHour, ExpiresIn: codeLimiterTTL})
	byNumber = middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Every(perNumberEvery), Burst: perNumberBurst, ExpiresIn: codeLimiterTTL})
	return byAddr, byNumber
}

// allowCode applies both limits; the number's key is kept in memory only.
func (s *Server) allowCode(c echo.Context, number string) bool {
	if ok, _ := s.codeByAddr.Allow(c.RealIP()); !ok {
		return false
	}
	if number != "" {
		if ok, _ := s.codeByNumber.Allow("n:" + number); !ok {
			return false
		}
	}
	return true
}

func (in registerInput) registration(lang views.Lang) portal.Registration {
	return portal.Registration{Role: portal.Role(in.Role), Name: in.Name, Mobile: in.Mobile, IDNumber: in.IDNumber,
		Licence: in.Licence, Firm: in.Firm, Password: in.Password, PasswordConfirm: in.PasswordConfirm, Lang: string(lang),
		PrivacyConsent: in.ConsentPrivacy == "yes", SensitiveConsent: in.ConsentSensitive == "yes",
		DocType: portal.IDDocType(in.DocType), Country: in.Country, BirthDate: in.BirthDate}
}

// handleRegisterSubmit serves POST /register: every valid registration is
// answered with the code page, whether the number is free or taken.
func (s *Server) handleRegisterSubmit(c echo.Context) error {
	in := bindRegister(c)
	again := func(status int, form views.Form) error {
		return s.render(c, status, views.RegisterPage(views.RegisterModel{Page: s.page(c, "register.title"), Form: form}))
	}
	// Cheap checks first: nothing is hashed for a form that will be refused.
	acct, err := in.registration(langOf(c)).Check(portal.DateOf(s.cfg.Clock()))
	if err != nil {
		form, ok := formError(err, in.values())
		if !ok {
			return err
		}
		return again(http.StatusUnprocessableEntity, form)
	}
	if !s.allowCode(c, acct.Mobile) {
		return again(http.StatusTooManyRequests, views.Form{Values: in.values(), Summary: "code.rate_limited"})
	}
	// The hash is made for free and taken numbers alike (same time), in the
	// hasher's bounded pool (portal.PasswordHasher.derive).
	if acct.PasswordHash, err = s.cfg.Hasher.Hash(in.Password); err != nil {
		return portal.Internal(err)
	}
	now := s.cfg.Clock().UTC()
	acct.PasswordChangedAt, acct.PrivacyConsentAt, acct.SensitiveConsentAt = now, now, now
	token, err := s.db.StartRegistration(acct)
	if err != nil {
		return err
	}
	return s.renderRegisterCode(c, http.StatusOK, token, portal.MaskMobile(acct.Mobile), views.Form{}, "")
}

func (s *Server) renderRegisterCode(c echo.Context, status int, token, masked string, form views.Form, notice string) error {
	return s.render(c, status, views.RegisterCodePage(views.CodeModel{Page: s.page(c, "code.register_title"),
		Token: token, Masked: masked, Form: form, NoticeKey: notice, Then: registerThen(c)}))
}

// handleRegisterCode serves POST /register/code: the code creates the account.
func (s *Server) handleRegisterCode(c echo.Context) error {
	token, masked := boundToken(c), boundMasked(c)
	if c.FormValue("action") == "resend" {
		err := s.db.ResendRegistrationCode(token)
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return c.Redirect(http.StatusSeeOther, "/register?expired=1")
		}
		if err != nil {
			form, ok := formError(err, nil)
			if !ok {
				return err
			}
			return s.renderRegisterCode(c, http.StatusUnprocessableEntity, token, masked, form, "")
		}
		return s.renderRegisterCode(c, http.StatusOK, token, masked, views.Form{}, "code.resent")
	}
	code := strings.TrimSpace(c.FormValue("code"))
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return s.renderRegisterCode(c, http.StatusUnprocessableEntity, token, masked,
			views.Form{Errors: map[string]string{"code": "code.format"}}, "")
	}
	acct, err := s.db.ConfirmRegistration(token, code)
	switch {
	case portal.ErrorCode(err) == portal.CodeNotFound, portal.ErrorCode(err) == portal.CodeConflict:
		// Unknown token, or the number was registered by another pending
		// registration in the meantime: start again.
		return c.Redirect(http.StatusSeeOther, "/register?expired=1")
	case err != nil:
		form, ok := formError(err, nil)
		if !ok {
			return err
		}
		return s.renderRegisterCode(c, http.StatusUnprocessableEntity, token, masked, form, "")
	}
	if registerThen(c) == registerThenApply {
		// Register and apply: signed in, on a new application with the
		// eligibility check's answers (checkflow.go).
		return s.registerAndApply(c, acct)
	}
	return c.Redirect(http.StatusSeeOther, "/login?done=registered")
}

// boundToken reads the pending token of the code forms (never personal data).
func boundToken(c echo.Context) string {
	t := c.FormValue("token")
	if len(t) > maxTokenBytes {
		return ""
	}
	return t
}

// boundMasked is the masked number the code page shows again ("138****8000").
func boundMasked(c echo.Context) string {
	m := c.FormValue("masked")
	if len(m) != 11 || strings.Trim(m, "0123456789*") != "" {
		return ""
	}
	return m
}

// handleForgotForm serves GET /login/forgot.
func (s *Server) handleForgotForm(c echo.Context) error {
	return s.render(c, http.StatusOK, views.ForgotPage(views.ForgotModel{Page: s.page(c, "forgot.title")}))
}

// handleForgotSubmit serves POST /login/forgot: the same answer for every
// well-formed number; a code goes only to a number that has an account.
func (s *Server) handleForgotSubmit(c echo.Context) error {
	typed := c.FormValue("mobile")
	mobile, err := portal.NormalizeMobile(typed)
	if err != nil {
		return s.render(c, http.StatusUnprocessableEntity, views.ForgotPage(views.ForgotModel{Page: s.page(c, "forgot.title"),
			Form: views.Form{Values: map[string]string{"mobile": typed}, Errors: map[string]string{"mobile": errKey(err)}}}))
	}
	if !s.allowCode(c, mobile) {
		return s.render(c, http.StatusTooManyRequests, views.ForgotPage(views.ForgotModel{Page: s.page(c, "forgot.title"),
			Form: views.Form{Values: map[string]string{"mobile": typed}, Summary: "code.rate_limited"}}))
	}
	token, err := s.db.StartPasswordReset(mobile)
	if err != nil {
		return err
	}
	return s.renderReset(c, http.StatusOK, token, portal.MaskMobile(mobile), views.Form{}, "")
}

func (s *Server) renderReset(c echo.Context, status int, token, masked string, form views.Form, notice string) error {
	return s.render(c, status, views.ResetPage(views.CodeModel{Page: s.page(c, "reset.title"), Token: token, Masked: masked,
		Form: form, NoticeKey: notice}))
}

// handleResetSubmit serves POST /login/reset: the code and a new password.
// The password is hashed only after the code proved right; the reset ends
// every session and lifts a lockout.
func (s *Server) handleResetSubmit(c echo.Context) error {
	token, masked := boundToken(c), boundMasked(c)
	fail := func(err error) error {
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return c.Redirect(http.StatusSeeOther, "/login/forgot?expired=1")
		}
		form, ok := formError(err, nil)
		if !ok {
			return err
		}
		return s.renderReset(c, http.StatusUnprocessableEntity, token, masked, form, "")
	}
	if c.FormValue("action") == "resend" {
		if err := s.db.ResendResetCode(token); err != nil {
			return fail(err)
		}
		return s.renderReset(c, http.StatusOK, token, masked, views.Form{}, "code.resent")
	}
	code, next, confirm := strings.TrimSpace(c.FormValue("code")), c.FormValue("new_password"), c.FormValue("new_password_confirm")
	var fe portal.FieldErrors
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		fe.Add("code", "code.format")
	}
	if err := portal.CheckPasswordPolicy(next); err != nil {
		fe.Add("new_password", errKey(err))
	} else if next != confirm {
		fe.Add("new_password_confirm", "password.mismatch")
	}
	if len(fe) > 0 {
		return s.renderReset(c, http.StatusUnprocessableEntity, token, masked, views.Form{Errors: fe}, "")
	}
	if err := s.db.CheckResetCode(token, code); err != nil {
		return fail(err)
	}
	hash, err := s.cfg.Hasher.Hash(next)
	if err != nil {
		return portal.Internal(err)
	}
	if err := s.db.CompletePasswordReset(token, code, hash, requestID(c)); err != nil {
		return fail(err)
	}
	return c.Redirect(http.StatusSeeOther, "/login?done=reset")
}

// handleEmailForm serves GET /account/email: a person may add an e-mail
// address; notices then go there as well as by SMS.
func (s *Server) handleEmailForm(c echo.Context) error {
	return s.renderEmail(c, http.StatusOK, views.Form{}, c.QueryParam("done"))
}

func (s *Server) renderEmail(c echo.Context, status int, form views.Form, done string) error {
	u := currentUser(c)
	pending, err := s.db.PendingEmail(u.ID)
	if err != nil {
		return err
	}
	m := views.EmailModel{Page: s.page(c, "email.title"), Current: u.Email, Pending: pending, Form: form, Lang: portal.NormalizeLang(u.Lang)}
	switch done {
	case "sent":
		m.NoticeKey = "email.notice_sent"
	case "added":
		m.NoticeKey = "email.notice_added"
	case "removed":
		m.NoticeKey = "email.notice_removed"
	case "lang":
		m.NoticeKey = "email.notice_lang"
	}
	return s.render(c, status, views.EmailPage(m))
}

// handleEmailSubmit serves POST /account/email: send a code to the address,
// confirm the code, or stop e-mail.
func (s *Server) handleEmailSubmit(c echo.Context) error {
	u := currentUser(c)
	switch c.FormValue("action") {
	case "lang":
		lang := c.FormValue("lang")
		if lang != portal.LangZH && lang != portal.LangEN {
			return s.renderEmail(c, http.StatusUnprocessableEntity, views.Form{Errors: map[string]string{"lang": "email.lang_required"}}, "")
		}
		if err := s.db.SetAccountLang(u.ID, lang); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/account/email?done=lang")
	case "remove":
		if err := s.db.RemoveEmail(u.ID, requestID(c)); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/account/email?done=removed")
	case "confirm":
		code := strings.TrimSpace(c.FormValue("code"))
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			return s.renderEmail(c, http.StatusUnprocessableEntity, views.Form{Errors: map[string]string{"code": "code.format"}}, "")
		}
		if err := s.db.ConfirmEmail(u.ID, code, requestID(c)); err != nil {
			form, ok := formError(err, nil)
			if !ok {
				return err
			}
			return s.renderEmail(c, http.StatusUnprocessableEntity, form, "")
		}
		return c.Redirect(http.StatusSeeOther, "/account/email?done=added")
	case "send":
	default:
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	typed := strings.TrimSpace(c.FormValue("email"))
	email, ok := parseEmail(typed)
	if !ok {
		return s.renderEmail(c, http.StatusUnprocessableEntity, views.Form{Values: map[string]string{"email": typed},
			Errors: map[string]string{"email": "email.invalid"}}, "")
	}
	if !s.allowCode(c, "e:"+strings.ToLower(email)) {
		return s.renderEmail(c, http.StatusTooManyRequests, views.Form{Values: map[string]string{"email": typed}, Summary: "code.rate_limited"}, "")
	}
	if err := s.db.StartEmailConfirmation(u.ID, email); err != nil {
		form, ok := formError(err, map[string]string{"email": typed})
		if !ok {
			return err
		}
		return s.renderEmail(c, http.StatusUnprocessableEntity, form, "")
	}
	return c.Redirect(http.StatusSeeOther, "/account/email?done=sent")
}

// parseEmail accepts one plain address (no display name, no angle brackets).
func parseEmail(s string) (string, bool) {
	if s == "" || len(s) > maxEmailRunes || strings.ContainsAny(s, " <>\"\r\n,;") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", false
	}
	return s, true
}
