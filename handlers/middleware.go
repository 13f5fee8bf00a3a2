package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"sealportal/portal"
	"sealportal/views"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func (s *Server) middleware(e *echo.Echo) error {
	e.Use(s.recoverPanics)
	e.Use(assignRequestID)
	e.Use(s.securityHeaders)
	e.Use(s.logRequests)
	e.Use(s.compress) // compress.go
	// The organs' bulk records (issue 17) have their own, larger limit and
	// are read line by line, never held whole (ingest.go).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: s.cfg.BodyLimit,
		Skipper: func(c echo.Context) bool { return c.Request().URL.Path == "/api/v1/organ/records" }}))
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: s.cfg.RequestTimeout}))
	e.Use(s.locale)
	e.Use(s.csrf)
	e.Use(s.loadSession)
	return nil
}

// recoverPanics turns a panic into a logged 500 with the request id; the stack
// goes to the log, never to the page.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "request_id", requestID(c), "route", c.Path(), "panic", fmt.Sprint(r))
				err = fmt.Errorf("panic in %s: %v", c.Path(), r)
			}
		}()
		return next(c)
	}
}

// assignRequestID gives every request a fresh id, echoed in the response
// header, the logs and error pages. A client's own X-Request-Id is ignored so
// that nobody can write into our logs or pages through it.
func assignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderXRequestID, newRequestID())
		return next(c)
	}
}

func newRequestID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}

// logRequests writes one structured line per request: the route pattern (never
// the raw URL with its query), the status and the duration. No personal data.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.log.Info("request", "request_id", requestID(c), "method", c.Request().Method, "route", c.Path(),
			"status", c.Response().Status, "bytes", c.Response().Size, "ms", time.Since(start).Milliseconds())
		return nil
	}
}

const langCookie = "lang"

// locale picks the language: the switch's cookie first (any language with a
// file), then Accept-Language.
func (s *Server) locale(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang := views.ParseLang(c.Request().Header.Get("Accept-Language"))
		if ck, err := c.Cookie(langCookie); err == nil {
			if l, ok := views.LookupLang(ck.Value); ok {
				lang = l
			}
		}
		c.Set(ctxLang, lang)
		c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
		return next(c)
	}
}

func langOf(c echo.Context) views.Lang {
	if l, ok := c.Get(ctxLang).(views.Lang); ok {
		return l
	}
	return views.LangZH
}

const (
	ctxLang    = "lang"
	ctxCSRF    = "csrf"
	ctxUser    = "user"
	ctxSession = "session"
	csrfField  = "_csrf"
)

func (s *Server) cookieName(base string) string {
	if s.cfg.SecureCookies {
		return "__Host-" + base
	}
	return base
}

// csrf is a double-submit token: a random value in a __Host- cookie that every
// state-changing form must echo in its _csrf field (or the X-CSRF-Token header).
// A cookie with the __Host- prefix cannot be planted by a sibling domain, and
// requests that the browser marks as cross-site are refused outright.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isPublicAPI(c) {
			// The JSON APIs read no cookie and change no state: nothing to
			// forge, and no token cookie to hand out.
			return next(c)
		}
		name := s.cookieName("csrf")
		token := ""
		if ck, err := c.Cookie(name); err == nil && len(ck.Value) == 43 {
			token = ck.Value
		}
		if token == "" {
			b := make([]byte, 32)
			_, _ = rand.Read(b)
			token = base64.RawURLEncoding.EncodeToString(b)
			// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
			c.SetCookie(&http.Cookie{Name: name, Value: token, Path: "/", HttpOnly: true,
				Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
		}
		c.Set(ctxCSRF, token)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if site := c.Request().Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			return portal.Forbidden("error.csrf")
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			sent = c.FormValue(csrfField)
		}
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			return portal.Forbidden("error.csrf")
		}
		return next(c)
	}
}

func isPublicAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/v1/")
}

func csrfToken(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}

// noStore marks signed-in pages as uncacheable so that a shared computer's
// back button shows nothing after logout.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}
