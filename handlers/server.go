// Package handlers is the portal's HTTP edge: one route table with the roles
// allowed on each route, middleware (sessions, CSRF, locale, security headers)
// and one file of handlers per area. Handlers bind and validate input, call one
// store method and render a view.
package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Config holds everything the edge needs that is not in the store.
type Config struct {
	// SecureCookies sets Secure and the __Host- prefix on cookies (default in
	// main). Browsers accept Secure cookies from http://localhost, so a plain
	// `go run .` still works; -insecure-cookies is for other plain-http setups.
	SecureCookies bool
	// PublicURL is the portal's canonical address (scheme, host, optional
	// path, no trailing slash), which certificates print as their
	// verification address; never taken from a request. Main requires it
	// unless the portal listens on loopback.
	PublicURL string
	// TrustedProxies are the networks whose X-Forwarded-For is believed; empty
	// means the client address is the socket's.
	TrustedProxies []*net.IPNet
	CitizenIdle    time.Duration
	StaffIdle      time.Duration
	Absolute       time.Duration
	BodyLimit      string        // e.g. "25M"
	RequestTimeout time.Duration // per request, via ContextTimeout
	// LoginRate is how many login attempts one client address may make per
	// minute (burst of the same size).
	LoginRate int
	// LoginPause waits before answering a throttled wrong password
	// (portal.OnLoginFailure); it returns early when ctx ends. Tests replace
	// it so that they need not wait.
	LoginPause func(ctx context.Context, d time.Duration)
	// CodeRate is how many code-sending requests (registration, password
	// reset, e-mail) one client address may make per hour.
	CodeRate int
	Logger   *slog.Logger
	Hasher   *portal.PasswordHasher
	Clock    portal.Clock
	// Calendar is the official working-day calendar for deadlines; the
	// shipped years by default.
	Calendar *portal.Calendar
	// OIDC is the identity provider that verifies citizens' identity
	// (issue 11); empty, only the organ's check verifies.
	OIDC OIDCConfig
	// OperatorContact is how to reach whoever runs this portal (issue 16),
	// shown on the help and contact pages as written; empty, those pages say
	// whom to ask instead.
	OperatorContact string
	// IngestKick wakes the worker that decides organs' bulk jobs (issue 17)
	// when a job arrives; nil, the worker finds it on its next poll.
	IngestKick chan<- struct{}
	// Ready, when set, is asked by /readyz after the store answers: an error
	// makes it answer 503 (the witnessed audit head, issue 15: a database
	// that lost audit entries while serving). The error is logged, not shown.
	Ready func() error
}

func (c *Config) defaults() {
	if c.PublicURL == "" {
		c.PublicURL = "http://localhost"
	}
	if c.OIDC.IDNumberClaim == "" {
		c.OIDC.IDNumberClaim = "id_number"
	}
	if c.OIDC.NameClaim == "" {
		c.OIDC.NameClaim = "name"
	}
	if c.OIDC.Scopes == nil {
		c.OIDC.Scopes = []string{"profile"}
	}
	if c.CitizenIdle == 0 {
		c.CitizenIdle = portal.CitizenIdleTimeout
	}
	if c.StaffIdle == 0 {
		c.StaffIdle = portal.StaffIdleTimeout
	}
	if c.Absolute == 0 {
		c.Absolute = portal.AbsoluteTimeout
	}
	if c.BodyLimit == "" {
		c.BodyLimit = "25M"
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.CodeRate == 0 {
		c.CodeRate = codeRateDefault
	}
	if c.LoginPause == nil {
		c.LoginPause = sleepCtx
	}
	if c.LoginRate == 0 {
		c.LoginRate = 20
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Hasher == nil {
		c.Hasher = portal.NewPasswordHasher(portal.DefaultArgon2)
	}
	if c.Clock == nil {
		c.Clock = portal.SystemClock
	}
	if c.Calendar == nil {
		c.Calendar = portal.DefaultCalendar()
	}
}

// Server carries the dependencies of every handler.
type Server struct {
	cfg      Config
	db       *store.DB
	log      *slog.Logger
	sessions *sessionStore
	// loginLimiter limits login attempts per client address, on top of the
	// per-account lockout, so one address cannot try many accounts.
	loginLimiter Limiter
	// apiLimiter limits the public JSON APIs per client address.
	apiLimiter Limiter
	// trackLimiter limits leak-report tracking-code tries per client address.
	trackLimiter Limiter
	// codeByAddr and codeByNumber limit requests that send a code by SMS or
	// e-mail (registration, password reset, e-mail), per client address and
	// per mobile number or address (contact.go).
	codeByAddr, codeByNumber *middleware.RateLimiterMemoryStore
	oidc                     *oidcClient
}

// New builds the Echo instance with every middleware and route.
func New(cfg Config, db *store.DB) (*echo.Echo, error) {
	cfg.defaults()
	s := &Server{cfg: cfg, db: db, log: cfg.Logger}
	s.sessions = newSessionStore(db, cfg)
	s.oidc = &oidcClient{cfg: cfg.OIDC}
	// Per-address limits: shared by the app servers on PostgreSQL (limiter.go).
	s.loginLimiter = s.newLimiter("login", cfg.LoginRate, time.Minute)
	s.apiLimiter = s.newLimiter("api", apiRatePerMinute, time.Minute)
	s.trackLimiter = s.newLimiter("leak_track", leakTrackTries, leakTrackWindow)
	s.codeByAddr, s.codeByNumber = newCodeLimiters(cfg.CodeRate)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Client addresses come from the socket unless a proxy range is trusted:
	// Echo's default would believe X-Forwarded-For from anyone.
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.HTTPErrorHandler = s.handleError
	if err := s.middleware(e); err != nil {
		return nil, err
	}
	if err := s.register(e); err != nil {
		return nil, err
	}
	return e, nil
}

// render writes a templ component to a buffer first, so that a template error
// still yields a clean 500 page instead of half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	ctx := views.WithLang(c.Request().Context(), langOf(c))
	if err := comp.Render(ctx, &buf); err != nil {
		return portal.Internal(fmt.Errorf("render %s: %w", c.Path(), err))
	}
	if answersByRedirect(c) {
		// POST-redirect-GET: the answer is shown by the GET of the form's page.
		return s.redirectWithAnswer(c, status, buf.Bytes())
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// page builds the common view model of every page.
func (s *Server) page(c echo.Context, titleKey string) views.Page {
	p := views.Page{
		TitleKey:  titleKey,
		Lang:      langOf(c),
		CSRF:      csrfToken(c),
		Path:      c.Request().URL.Path,
		RequestID: requestID(c),
	}
	if u := currentUser(c); u != nil {
		_, _, queries := u.QueryingAs()
		p.User = &views.User{Role: u.Role, Staff: u.Role.IsStaff(), Console: u.Role.IsOrgan() || u.Role == portal.RoleSupervisor, Queries: queries,
			IdleSeconds: s.idleSeconds(u.Role)}
		if n, err := s.db.UnreadCount(u.ID); err == nil {
			p.User.Unread = n
		}
	}
	return p
}

// handleError is the one Echo v4 error handler: it maps domain error codes and
// Echo's HTTP errors to statuses and renders the error page in the reader's
// language. Internal errors are logged with the request id, never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if s.answerDone(c, err) { // a retried submission already saved (outcome.go)
		return
	}
	status, key := http.StatusInternalServerError, "error.internal"
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		key = statusKey(status)
	case errors.Is(err, context.DeadlineExceeded):
		status, key = http.StatusServiceUnavailable, "error.timeout"
	case store.IsUnavailable(err):
		// No database server to write to (a failover's election, issue 15):
		// nothing was saved, and the same request may succeed in seconds.
		status, key = http.StatusServiceUnavailable, "error.timeout"
		c.Response().Header().Set("Retry-After", "5")
	default:
		if pe, ok := portal.AsError(err); ok && pe.Code == portal.CodeStepUp {
			// A sealed read the store refused to a stale second factor. The
			// request's context is cancelled by now (see below).
			c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
			if serr := s.answerStepUp(c, views.Form{}); serr != nil {
				s.log.Error("step-up answer", "request_id", requestID(c), "err", serr)
			}
			return
		}
		if pe, ok := portal.AsError(err); ok {
			switch pe.Code {
			case portal.CodeInvalid:
				status = http.StatusBadRequest
			case portal.CodeNotFound:
				status = http.StatusNotFound
			case portal.CodeForbidden:
				status = http.StatusForbidden
			case portal.CodeConflict:
				status = http.StatusConflict
			}
			key = pe.Key
			if pe.Code == portal.CodeNotFound {
				key = "error.not_found"
			}
			if key == keyStorageFull {
				// The store could not write (disk or size limit full, or
				// opened read-only): not a bug, and not the visitor's fault.
				status = http.StatusInsufficientStorage
			}
			if key == store.KeyOutcomeUnknown {
				// Saved or not: nobody can tell yet (outcome.go).
				status = http.StatusServiceUnavailable
			}
		}
	}
	if status >= 500 {
		s.log.Error("request failed", "request_id", requestID(c), "route", c.Path(), "method", c.Request().Method, "err", err)
		if key != keyStorageFull && key != "error.timeout" && key != store.KeyOutcomeUnknown {
			key = "error.internal"
		}
	}
	if status == http.StatusMethodNotAllowed && (c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead) && !isAPI(c) {
		// A bookmark or a re-login landing on an address that only takes
		// form posts goes to the page that owns it (whose GET answers 404
		// for an unknown or foreign id).
		_ = c.Redirect(http.StatusSeeOther, ownerPage(c.Request().URL.Path))
		return
	}
	if status == http.StatusUnauthorized {
		// Not signed in: send the visitor to the login page and back afterwards
		// (to the form's page, never to a POST-only address), saying why when
		// a session has just timed out; a form posted after the time-out is
		// kept for its writer (keepExpiredForm).
		s.keepExpiredForm(c)
		target := "/login?next=" + safeNext(ownerPage(c.Request().URL.Path))
		if expired, _ := c.Get(ctxExpired).(bool); expired {
			target += "&done=expired"
		}
		_ = c.Redirect(http.StatusSeeOther, target)
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if isAPI(c) {
		_ = c.JSON(status, map[string]any{"error": map[string]any{"code": apiCode(status), "fields": map[string]string{},
			"message": views.Translate(langOf(c), key), "request_id": requestID(c)}})
		return
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	switch status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		// A refused form post (bad input, a step not allowed now) is kept and
		// shown by its page like any form's answer (formstate.go).
	default:
		c.Set(ctxDirectAnswer, true)
	}
	// The error handler runs after ContextTimeout has returned and cancelled
	// the request's context (and after a timeout, by definition); templ refuses
	// to render into a cancelled context, so the page is rendered without it.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	if key == keyStorageFull {
		s.renderStorageFull(c, status, "")
		return
	}
	if store.IsUnavailable(err) && c.Request().Method == http.MethodPost {
		// Nothing was saved (no server took the transaction): the typed
		// values come back in a form that sends them again, as when the
		// store is full, and not only on the browser's Back button.
		s.renderStorageFull(c, status, key)
		return
	}
	if key == store.KeyOutcomeUnknown {
		s.renderOutcomeUnknown(c, status)
		return
	}
	p := s.page(c, statusKey(status))
	if rerr := s.render(c, status, views.ErrorPage(views.ErrorModel{Page: p, Status: status, MessageKey: key})); rerr != nil {
		s.log.Error("render error page", "request_id", requestID(c), "err", rerr)
		_ = c.String(status, http.StatusText(status))
	}
}

// keyStorageFull is the key of store writes refused for want of space or
// because the store is read-only (store.update).
const keyStorageFull = "error.storage_full"

// renderStorageFull answers a write the store refused. Nothing was saved, so a
// form's typed values are sent back in a form that posts them again unchanged
// to the same address; secrets (passwords, codes) are left out, and chosen
// files cannot be sent back. The page itself only reads.
func (s *Server) renderStorageFull(c echo.Context, status int, messageKey string) {
	m := views.StorageFullModel{Page: s.page(c, "storage.title"), Status: status, MessageKey: messageKey}
	if c.Request().Method == http.MethodPost {
		m.Action, m.Fields, m.Multipart, m.HadFiles = keptForm(c)
	}
	if err := s.render(c, status, views.StorageFullPage(m)); err != nil {
		s.log.Error("render storage page", "request_id", requestID(c), "err", err)
		_ = c.String(status, http.StatusText(status))
	}
}

// keptForm is what a POST sent, for a page that offers to send it again
// unchanged (storage full, outcome unknown): its address, its fields sorted by
// name without the CSRF token and secrets (secretField), whether it was a
// multipart form and whether it carried chosen files, which cannot be sent back.
func keptForm(c echo.Context) (action string, fields []views.StorageField, multipart, hadFiles bool) {
	req := c.Request()
	action = req.URL.Path
	if params, err := c.FormParams(); err == nil {
		for name, vals := range params {
			if name == csrfField || secretField(name) {
				continue
			}
			for _, v := range vals {
				fields = append(fields, views.StorageField{Name: name, Value: v})
			}
		}
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	if mf := req.MultipartForm; mf != nil {
		multipart = true
		for _, fhs := range mf.File {
			for _, fh := range fhs {
				hadFiles = hadFiles || fh.Filename != ""
			}
		}
	}
	return action, fields, multipart, hadFiles
}

// secretField reports form fields never echoed back into a page: any whose
// name has a word such as password or code (password_confirm, totp_code).
func secretField(name string) bool {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r < 'a' || r > 'z' })
	for _, w := range words {
		switch w {
		case "password", "code", "secret", "otp", "totp", "token", "pin", "passcode":
			return true
		}
	}
	return false
}

func statusKey(status int) string {
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return "error.not_found"
	case http.StatusForbidden:
		return "error.forbidden"
	case http.StatusBadRequest:
		return "error.bad_request"
	case http.StatusRequestEntityTooLarge:
		return "error.too_large"
	case http.StatusTooManyRequests:
		return "error.too_many"
	case http.StatusServiceUnavailable:
		return "error.timeout"
	case http.StatusInsufficientStorage:
		return "storage.title"
	default:
		if status >= 500 {
			return "error.internal"
		}
		return "error.bad_request"
	}
}

func apiCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusConflict:
		return "conflict"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusInsufficientStorage:
		return "storage_full"
	}
	return "internal"
}

func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return len(p) >= 5 && p[:5] == "/api/"
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
