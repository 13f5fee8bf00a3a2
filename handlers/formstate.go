package handlers

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
)

// Forms, Back and time-outs (issue 16). Every form post is answered with a
// redirect (POST-redirect-GET), so that Back, refresh and bookmarks never
// resubmit a form. The one seam is Server.render: a page rendered in answer to
// a POST is not sent; it is kept server-side, sealed, for a few minutes
// (portal.FormAnswer) under the hash of a random id in an HttpOnly cookie, and
// the browser is sent (303) to the page that owns the form, whose GET shows
// it — with the typed values and the error messages — and shows it again on a
// refresh while it lives. Going to any other page drops it. Nothing typed
// ever goes into a URL.
//
// A form posted after its session timed out is kept the same way for 30
// minutes (portal.FormKept, without passwords, codes, CSRF tokens or files);
// once the same account has signed in again it lands on the form's page and
// the typed values are filled back into the form (fillKeptForm).

// Cookies naming the two kinds of form state. Each holds only a random id;
// the store keys the state by the id's SHA-256.
const (
	formAnswerCookie = "form"
	formKeptCookie   = "formkept"
)

// directAnswerPOSTs are the POST routes still answered directly with a page,
// each with its reason; the README's "Forms, Back and time-outs" lists the
// same, and TestEveryPOSTAnswersWithRedirect checks both.
// None today: the eligibility check, the last one, now keeps its answers
// sealed on the server between its pages and redirects like every form.
var directAnswerPOSTs = map[string]string{}

// answersByRedirect reports whether a page rendered for this request is to
// be kept and redirected to rather than sent.
func answersByRedirect(c echo.Context) bool {
	req := c.Request()
	if req.Method != http.MethodPost || isAPI(c) {
		return false
	}
	if direct, _ := c.Get(ctxDirectAnswer).(bool); direct {
		return false
	}
	if c.Response().Header().Get(echo.HeaderRetryAfter) != "" {
		// A refusal for too many tries says when to try again, in a header
		// the redirect could not carry; sending it again changes nothing.
		return false
	}
	_, exempt := directAnswerPOSTs[req.Method+" "+c.Path()]
	return !exempt
}

// ctxDirectAnswer marks a request whose page is sent as it is: error pages
// (not found, forbidden, too large, too many, storage full, internal) say
// what went wrong with this very request; there is no form to show again.
const ctxDirectAnswer = "direct_answer"

// redirectWithAnswer keeps the page rendered in answer to a form post and
// sends the browser to the page that owns the form. When the store cannot
// keep it (full, read-only), the page is sent as it is: typing is never lost
// for want of a redirect.
func (s *Server) redirectWithAnswer(c echo.Context, status int, body []byte) error {
	owner := s.ownerOf(c.Request())
	id := s.formCookieID(c, formAnswerCookie, true)
	st := portal.FormState{Kind: portal.FormAnswer, AccountID: accountIDOf(c), Path: pathOnly(owner), Status: status,
		Body: body, Expires: s.cfg.Clock().Add(portal.FormAnswerAge)}
	if err := s.db.PutFormState(hashID(id), st); err != nil {
		s.log.Error("keep form answer", "request_id", requestID(c), "err", err)
		return c.HTMLBlob(status, body)
	}
	// Set on every answer, so that each one is recognisable as kept.
	s.setFormCookie(c, formAnswerCookie, id)
	return c.Redirect(http.StatusSeeOther, owner)
}

// serveFormAnswer answers a GET of a page with the answer kept for it, if
// any; a kept answer for another page (or another account) is dropped.
func (s *Server) serveFormAnswer(c echo.Context) (bool, error) {
	id := s.formCookieID(c, formAnswerCookie, false)
	if id == "" {
		return false, nil
	}
	st, err := s.db.FormState(hashID(id), portal.FormAnswer)
	if err == nil && st.AccountID == accountIDOf(c) && st.Path == c.Request().URL.Path && (!st.Shown || isReload(c.Request())) {
		if !st.Shown {
			st.Shown = true
			if err := s.db.PutFormState(hashID(id), st); err != nil {
				s.log.Error("mark form answer shown", "request_id", requestID(c), "err", err)
			}
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return true, c.HTMLBlob(st.Status, st.Body)
	}
	if err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
		s.log.Error("read form answer", "request_id", requestID(c), "err", err)
	}
	if err := s.db.DeleteFormState(hashID(id), portal.FormAnswer); err != nil {
		s.log.Error("drop form answer", "request_id", requestID(c), "err", err)
	}
	s.clearCookie(c, formAnswerCookie)
	return false, nil
}

// showsPage reports whether a GET route is a page, as opposed to what a page
// loads (static files, documents shown inside it) or a probe: only a page
// shows, keeps or drops a form's answer.
func showsPage(r route) bool {
	switch {
	case strings.HasPrefix(r.path, "/static/"), r.path == "/healthz", r.path == "/readyz",
		strings.Contains(r.path, "/documents/"), strings.HasPrefix(r.path, "/api/"):
		return false
	}
	return true
}

// isReload reports whether a GET is the browser's reload of the page it
// shows (browsers send Cache-Control: max-age=0 or no-cache then; following
// a link or a redirect sends neither): a reload shows a form's answer again,
// a fresh visit of the page shows the page afresh.
func isReload(req *http.Request) bool {
	cc := strings.ToLower(req.Header.Get(echo.HeaderCacheControl))
	return strings.Contains(cc, "max-age=0") || strings.Contains(cc, "no-cache") ||
		strings.EqualFold(req.Header.Get("Pragma"), "no-cache")
}

// dropFormAnswer forgets the answer kept for this browser: a new form post
// is answered afresh (by a redirect of its own or a new kept answer), so an
// old answer never shows after it.
func (s *Server) dropFormAnswer(c echo.Context) error {
	id := s.formCookieID(c, formAnswerCookie, false)
	if id == "" {
		return nil
	}
	return s.db.DeleteFormState(hashID(id), portal.FormAnswer)
}

// keepExpiredForm keeps what was typed into a form posted after its session
// timed out, for the account whose session it was, and answers where to sign
// in again. Passwords, codes, the CSRF token and files are never kept.
func (s *Server) keepExpiredForm(c echo.Context) {
	acct, _ := c.Get(ctxExpiredAccount).(uint64)
	req := c.Request()
	if acct == 0 || req.Method != http.MethodPost || isAPI(c) {
		return
	}
	params, err := c.FormParams()
	if err != nil {
		return
	}
	values := map[string][]string{}
	for name, vs := range params {
		if name == csrfField || secretField(name) {
			continue
		}
		values[name] = append([]string(nil), vs...)
	}
	hadFiles := false
	if mf := req.MultipartForm; mf != nil {
		for _, fhs := range mf.File {
			for _, fh := range fhs {
				hadFiles = hadFiles || fh.Filename != ""
			}
		}
	}
	if len(values) == 0 && !hadFiles {
		return
	}
	id := s.formCookieID(c, formKeptCookie, true)
	st := portal.FormState{Kind: portal.FormKept, AccountID: acct, Path: pathOnly(s.ownerOf(req)), Action: req.URL.Path,
		Values: values, HadFiles: hadFiles, Expires: s.cfg.Clock().Add(portal.FormKeptAge)}
	if err := s.db.PutFormState(hashID(id), st); err != nil {
		s.log.Error("keep expired form", "request_id", requestID(c), "err", err)
	}
}

// withKeptForm runs next and, when a form kept across a time-out belongs to
// this account and this page, fills its values into the page's form. A kept
// form of another account is dropped, never shown.
func (s *Server) withKeptForm(c echo.Context, next echo.HandlerFunc) error {
	id := s.formCookieID(c, formKeptCookie, false)
	u := currentUser(c)
	if id == "" || u == nil {
		return next(c)
	}
	st, err := s.db.FormState(hashID(id), portal.FormKept)
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeNotFound {
			s.clearCookie(c, formKeptCookie)
		}
		return next(c)
	}
	if st.AccountID != u.ID {
		if err := s.db.DeleteFormState(hashID(id), portal.FormKept); err != nil {
			return err
		}
		s.clearCookie(c, formKeptCookie)
		return next(c)
	}
	if st.Path != c.Request().URL.Path {
		return next(c)
	}
	res := c.Response()
	orig := res.Writer
	cw := &captureWriter{header: orig.Header()}
	res.Writer = cw
	err = next(c)
	res.Writer = orig
	if !res.Committed {
		return err
	}
	body := cw.buf.Bytes()
	if cw.status == http.StatusOK && strings.HasPrefix(orig.Header().Get(echo.HeaderContentType), echo.MIMETextHTML) {
		if filled, ok := fillKeptForm(body, st, langOf(c)); ok {
			body = filled
			if derr := s.db.DeleteFormState(hashID(id), portal.FormKept); derr != nil {
				s.log.Error("drop kept form", "request_id", requestID(c), "err", derr)
			}
			s.clearCookie(c, formKeptCookie)
			orig.Header().Del(echo.HeaderContentLength)
		}
	}
	orig.WriteHeader(cw.status)
	_, werr := orig.Write(body)
	if err != nil {
		return err
	}
	return werr
}

// captureWriter holds a page back so that a kept form can be filled into it.
type captureWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (w *captureWriter) Header() http.Header { return w.header }
func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}

// formCookieID is the random id of the named form-state cookie; with create,
// a new one is minted (and set) when the browser has none.
func (s *Server) formCookieID(c echo.Context, base string, create bool) string {
	if ck, err := c.Cookie(s.cookieName(base)); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	if !create {
		return ""
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	s.setFormCookie(c, base, id)
	return id
}

// setFormCookie sets (or sets again) a form-state cookie. A browser-session
// cookie: the state it names expires on the server within minutes.
func (s *Server) setFormCookie(c echo.Context, base, id string) {
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: s.cookieName(base), Value: id, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(c echo.Context, base string) {
	// #nosec G124 -- an expiring cookie; the attributes match the one it deletes
	c.SetCookie(&http.Cookie{Name: s.cookieName(base), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func accountIDOf(c echo.Context) uint64 {
	if u := currentUser(c); u != nil {
		return u.ID
	}
	return 0
}

func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// routePatterns are the route table's paths split into segments, GET and
// the others apart, for finding the page that owns a POST-only address.
func routePatterns() (get, other [][]string) {
	routePatternsOnce.Do(func() {
		for _, r := range routes() {
			if strings.HasSuffix(r.path, "*") {
				continue
			}
			if r.method == http.MethodGet {
				getPatternsVal = append(getPatternsVal, strings.Split(r.path, "/"))
			} else {
				otherPatternsVal = append(otherPatternsVal, strings.Split(r.path, "/"))
			}
		}
	})
	return getPatternsVal, otherPatternsVal
}

var (
	routePatternsOnce sync.Once
	getPatternsVal    [][]string
	otherPatternsVal  [][]string
)

// literalsMatched is how many fixed segments of pat match segs, or -1 when
// pat does not match.
func literalsMatched(pat, segs []string) int {
	if len(pat) != len(segs) {
		return -1
	}
	n := 0
	for i := range pat {
		switch {
		case strings.HasPrefix(pat[i], ":"):
			if segs[i] == "" {
				return -1
			}
		case pat[i] == segs[i]:
			n++
		default:
			return -1
		}
	}
	return n
}

// isGETPage reports whether a GET route matches path as the page of that
// address: a POST route that names the address more exactly (POST
// /apply/7/documents/needed beside GET /apply/:id/documents/:doc) is not
// that GET route's page, which would read "needed" as a document id.
func isGETPage(path string) bool {
	segs := strings.Split(path, "/")
	get, other := routePatterns()
	best := -1
	for _, pat := range get {
		best = max(best, literalsMatched(pat, segs))
	}
	if best < 0 {
		return false
	}
	for _, pat := range other {
		if literalsMatched(pat, segs) > best {
			return false
		}
	}
	return true
}

// ownerPage is the page that owns an address: itself when it is a page (a GET
// route), otherwise the nearest page above it (/cases/7/messages belongs to
// /cases/7; /staff/cases/7/actions/decide to /staff/cases/7), or the start
// page. Unknown ids are not looked up here: the owner's GET answers 404.
func ownerPage(path string) string {
	p := localPath(path)
	if p == "" {
		return "/"
	}
	p = pathOnly(p)
	for p != "" && p != "/" {
		if isGETPage(p) {
			return p
		}
		p = p[:strings.LastIndexByte(p, '/')]
	}
	return "/"
}

// ownerOf is where a form post's answer is shown: the same address (with its
// query, e.g. /login?next=…, which the form already had) when that is a page,
// otherwise the page that owns it.
func (s *Server) ownerOf(req *http.Request) string {
	if isGETPage(req.URL.Path) {
		if p := localPath(req.URL.RequestURI()); p != "" {
			return p
		}
	}
	return ownerPage(req.URL.Path)
}

// landingAfterLogin is where a sign-in goes on to: the page asked for, never
// a POST-only address (a re-login after a time-out comes back to the page of
// the form), with its query kept.
func landingAfterLogin(next string) string {
	if next == "" {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil {
		return ""
	}
	if isGETPage(u.Path) {
		return next
	}
	return ownerPage(u.Path)
}

// idleSeconds is the time limit without activity of a session of role r.
func (s *Server) idleSeconds(r portal.Role) int {
	idle := s.cfg.CitizenIdle
	if r.IsStaff() {
		idle = s.cfg.StaffIdle
	}
	return int(idle.Seconds())
}

// handleKeepAlive serves POST /session/keepalive: the page's script says the
// person is still there (typing, or "stay signed in"); loading the session
// has already renewed it. It answers 204 to a script; a session already over
// is sent to sign in like any other request.
func (s *Server) handleKeepAlive(c echo.Context) error {
	// loadSession touches a session at most every 30 seconds; the person
	// asked to stay, so the time limit restarts now.
	if sess := currentSession(c); sess != nil && !sess.IsNew {
		sess.Values[svSeen] = s.cfg.Clock()
		if err := s.sessions.Save(c.Request(), c.Response(), sess); err != nil {
			return err
		}
	}
	return c.NoContent(http.StatusNoContent)
}
