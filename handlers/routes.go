package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// access declares who may use a route. The zero value allows nobody: a route
// must say either public or which roles, so forgetting is a locked door.
type access struct {
	public bool
	roles  []portal.Role
}

var (
	public   = access{public: true}
	signedIn = access{roles: portal.AllRoles}
	// organStaff are the officials who work cases: the four sealing organs and
	// the supervising procuratorate. The system administrator is not among them.
	organStaff = access{roles: append(append([]portal.Role{}, portal.OrganRoles...), portal.RoleSupervisor)}
)

// allows reports whether a signed-in account with role r may use the route.
func (a access) allows(r portal.Role) bool { return a.public || slices.Contains(a.roles, r) }

// declared reports whether the route says who may use it.
func (a access) declared() bool { return a.public || len(a.roles) > 0 }

type route struct {
	method  string
	path    string
	access  access
	handler func(*Server, echo.Context) error
}

// routes is the one route table: every route of the portal with the roles
// allowed on it. Nothing is registered anywhere else (a test checks). Each
// area keeps its rows next to its handlers; this is where they are joined.
func routes() []route {
	var all []route
	for _, area := range [][]route{coreRoutes(), checkRoutes(), applyRoutes(), caseRoutes(), staffRoutes(),
		reliefRoutes(), leakRoutes(), supervisionRoutes(), infoRoutes(), queryRoutes(), certificateRoutes(), securityRoutes(), mydataRoutes(), identityRoutes(), contactRoutes(), workbenchRoutes(), legalDocRoutes(), noticesRoutes(), oversightRoutes(), decisionsRoutes(), formStateRoutes(), ingestRoutes(), statisticsRoutes()} {
		all = append(all, area...)
	}
	return all
}

// coreRoutes are the frame: start page, language, health, static files,
// accounts.
func coreRoutes() []route {
	return []route{
		{http.MethodGet, "/", public, (*Server).handleStart},
		{http.MethodGet, "/lang", public, (*Server).handleLangSwitch},
		{http.MethodGet, "/healthz", public, (*Server).handleHealthz},
		{http.MethodGet, "/readyz", public, (*Server).handleReadyz},
		{http.MethodGet, "/static/*", public, (*Server).handleStatic},

		{http.MethodGet, "/register", public, (*Server).handleRegisterForm},
		{http.MethodPost, "/register", public, (*Server).handleRegisterSubmit},
		{http.MethodGet, "/login", public, (*Server).handleLoginForm},
		{http.MethodPost, "/login", public, (*Server).handleLoginSubmit},
		{http.MethodPost, "/logout", signedIn, (*Server).handleLogout},

		{http.MethodGet, "/account", signedIn, (*Server).handleAccount},
		{http.MethodPost, "/account/sessions/end", signedIn, (*Server).handleSessionEnd},
		{http.MethodGet, "/account/password", signedIn, (*Server).handlePasswordForm},
		{http.MethodPost, "/account/password", signedIn, (*Server).handlePasswordSubmit},
	}
}

func (s *Server) register(e *echo.Echo) error {
	for _, r := range routes() {
		r := r
		h := func(c echo.Context) error { return r.handler(s, c) }
		e.Add(r.method, r.path, h, s.guard(r))
	}
	// A POST-only address that a GET route with a parameter would also match
	// (POST /staff/cases/:id/legal-documents/contacts beside GET
	// /staff/cases/:id/legal-documents/:n) would be read by that GET as an
	// id: a bookmark or a re-login landing there goes to the page that owns
	// it instead, like every other POST-only address (issue 16).
	for _, path := range shadowedPOSTOnly() {
		e.GET(path, func(c echo.Context) error {
			return c.Redirect(http.StatusSeeOther, ownerPage(c.Request().URL.Path))
		})
	}
	return nil
}

// guard enforces the route's declaration: visitors are sent to log in (401 is
// turned into a redirect by the error handler), other roles get 403. Signed-in
// pages are never cached, and an account that must change its one-time
// password can do nothing else first.
func (s *Server) guard(r route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			next := next
			if !r.access.declared() {
				return echo.NewHTTPError(http.StatusForbidden)
			}
			u := currentUser(c)
			if u != nil {
				c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
				if u.MustChangePassword && r.path != "/account/password" && r.path != "/logout" && !strings.HasPrefix(r.path, "/static/") && r.path != "/lang" {
					return c.Redirect(http.StatusSeeOther, "/account/password")
				}
				if u.NeedsTOTPEnrolment() && !allowedBeforeEnrolment(r) {
					return c.Redirect(http.StatusSeeOther, totpSetupURL(returnPath(c, r)))
				}
			}
			if r.method == http.MethodGet && showsPage(r) {
				// Forms, Back and time-outs (formstate.go): the answer of a
				// form post is shown here, a form kept across a time-out is
				// filled back in.
				if served, err := s.serveFormAnswer(c); served {
					return err
				}
				inner := next
				next = func(c echo.Context) error { return s.withKeptForm(c, inner) }
			} else if r.method == http.MethodPost {
				if err := s.dropFormAnswer(c); err != nil {
					return err
				}
			}
			if r.access.public {
				return next(c)
			}
			if u == nil {
				return echo.NewHTTPError(http.StatusUnauthorized)
			}
			if !r.access.allows(u.Role) {
				return echo.NewHTTPError(http.StatusForbidden)
			}
			// A form post answered with the step-up page comes back with its
			// code (stepUpWithPost); the store itself refuses sealed reads
			// without a fresh factor (portal.FreshFactor).
			if ok, err := s.stepUpWithPost(c, u); !ok {
				return err
			}
			if showsSealedRecord(r) && u.TOTPEnabled && s.secondFactorAge(c) > portal.StepUpAge {
				if r.method == http.MethodPost {
					// The step-up page carries the typed form back with the code.
					return s.answerStepUp(c, views.Form{})
				}
				return c.Redirect(http.StatusSeeOther, "/account/verify?next="+url.QueryEscape(returnPath(c, r)))
			}
			return next(c)
		}
	}
}

// sealedRecordRoutes show the contents of a sealed record (or its documents)
// to an official, a supervisor or a querying unit. Before any of them, the
// second factor must have passed within portal.StepUpAge (R17: only the
// person who holds the account reads a sealed record), so that a session left
// open on an unattended screen does not open sealed files. Keyed by method
// and route pattern.
var sealedRecordRoutes = map[string]bool{
	"GET /staff/cases/:id":                       true, // CaseForStaff
	"GET /staff/cases/:id/documents/:doc":        true, // DocumentContent
	"GET /staff/cases/:id/unsealing":             true, // CaseForStaff
	"POST /queries/:id/read":                     true, // ReadQuery
	"GET /queries/:id/documents/:doc":            true, // QueryDocumentContent
	"GET /supervision/leaks/:id":                 true, // LeakForSupervisor
	"GET /supervision/leaks/:id/documents/:doc":  true,
	"GET /supervision/relief/:id":                true, // ReliefForSupervisor
	"GET /supervision/relief/:id/documents/:doc": true,
}

// showsSealedRecord reports whether the route needs a recent second factor.
func showsSealedRecord(r route) bool { return sealedRecordRoutes[r.method+" "+r.path] }

// allowedBeforeEnrolment are the routes an official who has not yet enrolled
// a second factor may use: enrolment itself, and the frame.
func allowedBeforeEnrolment(r route) bool {
	switch r.path {
	case "/account/totp/setup", "/logout", "/account/password", "/lang":
		return true
	}
	return strings.HasPrefix(r.path, "/static/")
}

// returnPath is where to come back to after a detour (enrolment, step-up): the
// page asked for, or for a form post the page it was posted from (a post
// cannot be replayed through a redirect).
func returnPath(c echo.Context, r route) string {
	p := c.Request().URL.RequestURI()
	if r.method != http.MethodGet {
		p = c.Request().URL.Path
		if i := strings.LastIndex(p, "/"); i > 0 {
			p = p[:i]
		}
	}
	return safeNext(p)
}

// shadowedPOSTOnly are the POST-only addresses a GET route with a parameter
// would also match; each gets a GET that redirects to its owning page.
func shadowedPOSTOnly() []string {
	get, _ := routePatterns()
	seen := map[string]bool{}
	for _, r := range routes() {
		if r.method == http.MethodGet {
			seen[r.path] = true
		}
	}
	var out []string
	for _, r := range routes() {
		if r.method == http.MethodGet || seen[r.path] || strings.HasSuffix(r.path, "*") {
			continue
		}
		segs := strings.Split(r.path, "/")
		for _, pat := range get {
			if literalsMatched(pat, segs) >= 0 {
				seen[r.path] = true
				out = append(out, r.path)
				break
			}
		}
	}
	return out
}
