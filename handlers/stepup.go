package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// stepUpCodeField is the code field of the step-up page shown in answer to
// a stale form post: it is posted together with the kept form to the form's
// own address.
const stepUpCodeField = "stepup_code"

// freshFactor is the session layer's proof for the store (portal.FreshFactor)
// of when this session last passed its second factor, read from the
// server-side session. This is the only place that mints it.
func (s *Server) freshFactor(c echo.Context) portal.FreshFactor {
	u, sess := currentUser(c), currentSession(c)
	if u == nil || sess == nil {
		return portal.FreshFactor{}
	}
	v, _ := sess.Values[svSecondFactor].(string)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return portal.ProveFreshFactor(u.ID, time.Time{})
	}
	return portal.ProveFreshFactor(u.ID, time.Unix(0, n))
}

// answerStepUp answers a sealed read the store refused for want of a fresh
// second factor. A page (GET) is sent to the step-up page and comes back to
// itself. A form post is answered with the step-up page itself, whose form
// carries what was typed (hidden fields, never stored) back to the same
// address together with the code: nothing typed is lost, nothing personal
// is kept on the server, and the post is not replayed through a redirect.
// Chosen files cannot be carried; the page says so.
func (s *Server) answerStepUp(c echo.Context, form views.Form) error {
	req := c.Request()
	if req.Method != http.MethodPost {
		return c.Redirect(http.StatusSeeOther, "/account/verify?next="+url.QueryEscape(safeNext(req.URL.RequestURI())))
	}
	m := views.SecondFactorModel{Page: s.page(c, "totp.stepup_title"), Action: req.URL.Path, StepUp: true,
		CodeField: stepUpCodeField, Form: form}
	if req.MultipartForm != nil && len(req.MultipartForm.File) > 0 {
		m.FilesDropped = true
	}
	for name, vs := range req.PostForm {
		if name == csrfField || name == stepUpCodeField {
			continue
		}
		for _, v := range vs {
			m.Kept = append(m.Kept, views.KeptField{Name: name, Value: v})
		}
	}
	views.SortKept(m.Kept)
	m.Page.Path = returnPathOf(req)
	return s.render(c, http.StatusForbidden, views.SecondFactorPage(m))
}

// returnPathOf is the page a form post belongs to: its address without the
// last element (/staff/cases/7/messages belongs to /staff/cases/7).
func returnPathOf(req *http.Request) string {
	p := req.URL.Path
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' {
			return safeNext(p[:i])
		}
	}
	return safeNext(p)
}

// stepUpWithPost checks the code posted with a kept form (stepUpCodeField).
// It reports whether the handler may go on: the code passed (the session is
// marked fresh) or none was posted. A wrong code answers the step-up page
// again with the form still kept.
func (s *Server) stepUpWithPost(c echo.Context, u *portal.Account) (bool, error) {
	req := c.Request()
	if req.Method != http.MethodPost || !u.TOTPEnabled {
		return true, nil
	}
	code := c.FormValue(stepUpCodeField)
	if code == "" && !formHas(c, stepUpCodeField) {
		return true, nil
	}
	res, err := s.db.VerifySecondFactor(u.ID, code, store.SecondFactorStepUp, requestID(c))
	if err != nil {
		return false, err
	}
	if res.Locked {
		s.endSession(c, currentSession(c))
		return false, c.Redirect(http.StatusSeeOther, "/login?done=second_factor")
	}
	if !res.Passed {
		return false, s.answerStepUp(c, views.Form{Errors: map[string]string{stepUpCodeField: res.Key}})
	}
	return true, s.markSecondFactor(c)
}

func formHas(c echo.Context, name string) bool {
	_ = c.Request().ParseForm()
	_, ok := c.Request().PostForm[name]
	if !ok && c.Request().MultipartForm != nil {
		_, ok = c.Request().MultipartForm.Value[name]
	}
	return ok
}
