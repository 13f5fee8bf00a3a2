package handlers

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Issue 16: no dead ends and notices people can use.

// handleHelpContact serves GET /help/contact: relief, 12309, 12348 and the
// portal operator's contact (Config.OperatorContact).
func (s *Server) handleHelpContact(c echo.Context) error {
	return s.render(c, http.StatusOK, views.ContactPage(views.ContactModel{Page: s.page(c, "notices.contact.title"),
		Operator: s.cfg.OperatorContact}))
}

// handleHelpGlossary serves GET /help/glossary: one word per concept.
func (s *Server) handleHelpGlossary(c echo.Context) error {
	return s.render(c, http.StatusOK, views.GlossaryPage(views.GlossaryModel{Page: s.page(c, "glossary.title")}))
}

// handleQuickExit serves POST /exit: the quick exit of a signed-in page ends
// the session like signing out, then passes through the neutral page (a
// form's redirect may not leave the site under form-action 'self'). A visitor
// whose session already ended leaves the same way.
func (s *Server) handleQuickExit(c echo.Context) error {
	u, sess := currentUser(c), currentSession(c)
	if u != nil && sess != nil && !sess.IsNew {
		if err := s.db.Logout(hashID(sess.ID), u.ID, requestID(c)); err != nil {
			return err
		}
		s.endSession(c, sess)
	}
	return c.Redirect(http.StatusSeeOther, "/exit")
}

// handleExitPage serves GET /exit: a page that names nothing and goes on to
// an ordinary website at once, without JavaScript too.
func (s *Server) handleExitPage(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return s.render(c, http.StatusOK, views.ExitPage(views.ExitModel{Page: s.page(c, "notices.exit.title"), Target: views.QuickExitTarget}))
}

// recordSealed reports whether the case's record is sealed now: the page
// says "sealed" only then (issue 16).
func recordSealed(st portal.CaseStatus) bool {
	switch st {
	case portal.StatusSealed, portal.StatusCompleted, portal.StatusUnsealingReview, portal.StatusUnsealingApproval:
		return true
	}
	return false
}

// notificationSenders names the organ behind each notification (issue 16):
// a case's deciding organ, the supervising procuratorate for a relief
// request, the portal for account news. Names are looked up once per case;
// a case the account no longer sees (a former guardian's) is named by the
// portal only, never by reading it.
func (s *Server) notificationSenders(c echo.Context) func(portal.Notification) (string, error) {
	lang := langOf(c)
	u := currentUser(c)
	organs := s.casesOrgans()
	cache := map[uint64]string{}
	return func(n portal.Notification) (string, error) {
		switch {
		case n.Ref == "":
			return views.Translate(lang, "notices.notification_from_portal"), nil
		case portal.IsReliefReference(n.Ref):
			return views.Translate(lang, "notices.notification_from_relief"), nil
		}
		if name, ok := cache[n.CaseID]; ok {
			return name, nil
		}
		name := views.Translate(lang, "notices.notification_from_portal")
		rel, err := s.db.Relation(u.ID, n.CaseID)
		if err != nil {
			return "", err
		}
		if rel != "" {
			cs, err := s.db.Case(n.CaseID)
			if err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
				return "", err
			}
			if err == nil && cs.Ref == n.Ref {
				org, err := organs.name(cs.DecidingOrganID)
				if err != nil {
					return "", err
				}
				if org != "" {
					name = org
				}
			}
		}
		cache[n.CaseID] = name
		return name, nil
	}
}

// noticeTargets are the pages that notifications without a case point to:
// opening the page reads them (issue 16).
var noticeTargets = []struct {
	path string
	keys []string
}{
	{"/certificates", []string{"notify.certificate.issued", "notify.certificate.refused", "notify.certificate.revoked",
		"notify.certificate.objection_decided", "notify.certificate.objection_extended"}},
	{"/identity", []string{store.NotifyIdentityClaimed, store.NotifyIdentityVerified}},
	{"/account", []string{store.NotifyNewDevice}},
}

// noticeTarget is the page a notification without a case points to, "" for
// none.
func noticeTarget(key string) string {
	for _, t := range noticeTargets {
		if slices.Contains(t.keys, key) {
			return t.path
		}
	}
	return ""
}

// readNoticesAt marks read the signed-in citizen's notifications that point
// to path, when that page is opened (issue 16).
func (s *Server) readNoticesAt(c echo.Context, path string) error {
	u := currentUser(c)
	if u == nil || !u.Role.IsCitizen() {
		return nil
	}
	for _, t := range noticeTargets {
		if t.path == path {
			_, err := s.db.MarkNotificationsReadByKey(u.ID, t.keys...)
			return err
		}
	}
	return nil
}
