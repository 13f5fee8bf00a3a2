package handlers

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/store"
	"sealportal/views"
)

// svDevice is the session value naming the browser and system it was
// started from (deviceSummary); the address is not kept (it is personal
// data and says little to the person).
const svDevice = "device"

// deviceSummary reduces a User-Agent to "browser · system" from a short list
// of names, "" when neither is recognised: enough for a person to tell their
// phone from an unknown computer, nothing that identifies them.
func deviceSummary(ua string) string {
	browser := ""
	switch {
	case strings.Contains(ua, "MicroMessenger/"):
		browser = "WeChat"
	case strings.Contains(ua, "Edg/"):
		browser = "Edge"
	case strings.Contains(ua, "Firefox/"):
		browser = "Firefox"
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "CriOS/"):
		browser = "Chrome"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	}
	system := ""
	switch {
	case strings.Contains(ua, "Android"):
		system = "Android"
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad"):
		system = "iOS"
	case strings.Contains(ua, "Windows"):
		system = "Windows"
	case strings.Contains(ua, "Mac OS X") || strings.Contains(ua, "Macintosh"):
		system = "macOS"
	case strings.Contains(ua, "Linux"):
		system = "Linux"
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	}
	return system
}

// accountSessions lists the signed-in person's sessions for the account
// page, this one marked.
func (s *Server) accountSessions(c echo.Context) ([]views.SessionRow, error) {
	u, sess := currentUser(c), currentSession(c)
	list, err := s.db.SessionsOf(u.ID)
	if err != nil {
		return nil, err
	}
	current := ""
	if sess != nil && sess.ID != "" {
		current = store.SessionHandle(hashID(sess.ID))
	}
	rows := make([]views.SessionRow, 0, len(list))
	for _, si := range list {
		rows = append(rows, views.SessionRow{Handle: si.Handle, Device: si.Session.Values[svDevice],
			Started: si.Session.CreatedAt, LastSeen: si.Session.LastSeen, Current: si.Handle == current})
	}
	return rows, nil
}

var sessionHandleRE = regexp.MustCompile(`^[0-9a-f]{24}$`)

// handleSessionEnd serves POST /account/sessions/end: the person ends one
// of their sessions (a phone left signed in, a browser they do not know).
// Ending this one signs out. A handle of no session of theirs is not found;
// the end is audited.
func (s *Server) handleSessionEnd(c echo.Context) error {
	u, sess := currentUser(c), currentSession(c)
	handle := c.FormValue("session")
	if !sessionHandleRE.MatchString(handle) {
		return s.renderAccount(c, http.StatusUnprocessableEntity, "account.session_missing")
	}
	current := sess != nil && sess.ID != "" && store.SessionHandle(hashID(sess.ID)) == handle
	if err := s.db.EndSessionOf(u.ID, handle, requestID(c)); err != nil {
		return err
	}
	if current {
		s.endSession(c, sess)
		return c.Redirect(http.StatusSeeOther, "/login?done=logout")
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=session_ended")
}
