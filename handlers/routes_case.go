package handlers

import (
	"net/http"

	"sealportal/portal"
)

// citizens are the self-registered people who follow cases: the person, the
// guardian and the lawyer. Which case each may see is decided per case
// (citizenCase: only cases linked to the account).
var citizens = access{roles: portal.CitizenRoles}

// deskers are the citizens who follow other people's cases and may search
// their list (issue 16): lawyers and guardians.
var deskers = access{roles: []portal.Role{portal.RoleLawyer, portal.RoleGuardian}}

// caseRoutes are what citizens see of their cases: my cases, the lawyer's
// dashboard, a case's page with its timeline, messages and notifications.
func caseRoutes() []route {
	return []route{
		{http.MethodGet, "/cases", citizens, (*Server).handleCasesList},
		{http.MethodPost, "/cases/search", deskers, (*Server).handleCasesSearch},
		{http.MethodGet, "/cases/:id", citizens, (*Server).handleCaseShow},
		{http.MethodGet, "/cases/:id/documents/:doc", citizens, (*Server).handleCaseDocument},
		{http.MethodPost, "/cases/:id/messages", citizens, (*Server).handleCaseMessage},
		{http.MethodGet, "/cases/:id/withdraw", citizens, (*Server).handleCaseWithdrawForm},
		{http.MethodPost, "/cases/:id/withdraw", citizens, (*Server).handleCaseWithdraw},
		{http.MethodGet, "/notifications", citizens, (*Server).handleNotifications},
		{http.MethodPost, "/notifications/read", citizens, (*Server).handleNotificationsRead},
	}
}
