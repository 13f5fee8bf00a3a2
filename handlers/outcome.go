package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/store"
	"sealportal/views"
)

// A commit whose outcome is unknown (issue 14, scale-out design §6.8): the
// connection to a database server died during COMMIT, so what was sent may
// or may not have been saved. The store reports it as store.KeyOutcomeUnknown
// (never as a failure, never as a success); handleError answers every form
// with one page (renderOutcomeUnknown) that says so, points to the page where
// whatever was saved shows, and keeps what was typed in a form that sends it
// again unchanged. Forms that create something carry a random submission id
// (views.SubmissionIDField), which the retry sends again: the store then
// creates nothing twice and answers *store.DoneError, which answerDone turns
// into the confirmation of what the first attempt created.

// submissionStore is the store for this request's form: the one that
// remembers what the form's submission id creates for the signed-in account
// (store.DB.Submission). A form without an id (an older page, a client that
// does not send one) gets the plain store; a malformed id is refused.
func (s *Server) submissionStore(c echo.Context) (*store.DB, error) {
	id := c.FormValue(views.SubmissionIDName)
	if id == "" {
		return s.db, nil
	}
	if !store.ValidSubmissionID(id) {
		return nil, echo.NewHTTPError(http.StatusBadRequest)
	}
	return s.db.Submission(accountIDOf(c), id), nil
}

// submissionAnswer is, per form route, the kind of record its submissions
// create and where the confirmation of one is shown.
type submissionAnswer struct {
	kind store.SubmissionKind
	url  func(id uint64) string
}

func answerPath(format string) func(uint64) string {
	return func(id uint64) string {
		if strings.Contains(format, "%d") {
			return fmt.Sprintf(format, id)
		}
		return format
	}
}

// submissionAnswers are the routes whose forms carry a submission id; each
// answers a retry where its handler sends a first success.
var submissionAnswers = map[string]submissionAnswer{
	"POST /apply":                           {store.SubmissionDraft, answerPath("/apply/%d")},
	"POST /cases/:id/messages":              {store.SubmissionMessage, answerPath("/cases/%d?done=message#messages")},
	"POST /staff/cases/:id/messages":        {store.SubmissionMessage, answerPath("/staff/cases/%d?done=message#messages")},
	"POST /queries/new":                     {store.SubmissionQuery, answerPath("/queries/%d/confirmation")},
	"POST /certificates":                    {store.SubmissionCertificate, answerPath("/certificates?done=requested")},
	"POST /relief/new":                      {store.SubmissionRelief, answerPath("/relief/%d/evidence")},
	"POST /relief/:id/messages":             {store.SubmissionReliefMessage, answerPath("/relief/%d?done=message#messages")},
	"POST /supervision/relief/:id/messages": {store.SubmissionReliefMessage, answerPath("/supervision/relief/%d?done=message#messages")},
}

// answerDone answers a submission the store had already saved with what its
// handler answers a first success (POST-redirect-GET); it reports whether err
// was such an answer. A submission id sent to another kind of form than the
// one that used it is a bad request.
func (s *Server) answerDone(c echo.Context, err error) bool {
	d, ok := store.AsDone(err)
	if !ok {
		return false
	}
	a, known := submissionAnswers[c.Request().Method+" "+c.Path()]
	if !known || a.kind != d.Kind {
		s.handleError(echo.NewHTTPError(http.StatusBadRequest), c)
		return true
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if rerr := c.Redirect(http.StatusSeeOther, a.url(d.ID)); rerr != nil {
		s.log.Error("answer saved submission", "request_id", requestID(c), "err", rerr)
	}
	return true
}

// outcomeLook is where whatever a form saved shows, by the form's address:
// the list of the person's files of that kind, or the page of the file the
// form belongs to.
func outcomeLook(c echo.Context) (href, key string) {
	p := c.Request().URL.Path
	switch {
	case strings.HasPrefix(p, "/apply"), strings.HasPrefix(p, "/cases/"), p == "/check/apply":
		return "/cases", "outcome.look_cases"
	case strings.HasPrefix(p, "/relief"):
		return "/relief", "outcome.look_relief"
	case strings.HasPrefix(p, "/queries"):
		return "/queries", "outcome.look_queries"
	case strings.HasPrefix(p, "/certificates"):
		return "/certificates", "outcome.look_certificates"
	}
	if c.Request().Method == http.MethodPost {
		return ownerPage(p), "outcome.look_page"
	}
	return pathOnly(p), "outcome.look_page"
}

// renderOutcomeUnknown answers a write whose commit may or may not have been
// saved. A form's values come back in a form that posts them again unchanged
// to the same address, submission id included (passwords and codes are left
// out, and chosen files cannot be sent back). The page is kept and shown by
// the form's page like any form's answer (Server.render), or sent as it is
// when the store cannot keep it.
func (s *Server) renderOutcomeUnknown(c echo.Context, status int) {
	c.Set(ctxDirectAnswer, false)
	m := views.OutcomeUnknownModel{Page: s.page(c, "outcome.title"), Status: status}
	m.LookHref, m.LookKey = outcomeLook(c)
	if c.Request().Method == http.MethodPost && !isAPI(c) {
		m.Action, m.Fields, m.Multipart, m.HadFiles = keptForm(c)
		for _, f := range m.Fields {
			if f.Name != views.SubmissionIDName && strings.TrimSpace(f.Value) != "" {
				m.Shown = append(m.Shown, f)
			}
		}
	}
	if err := s.render(c, status, views.OutcomeUnknownPage(m)); err != nil {
		s.log.Error("render outcome page", "request_id", requestID(c), "err", err)
		_ = c.String(status, http.StatusText(status))
	}
}
