package handlers

import (
	"net/http"

	"sealportal/portal"
)

// sysadmins manage accounts and never read cases.
var sysadmins = access{roles: []portal.Role{portal.RoleSysadmin}}

// securityRoutes are the second factor (the login's code page, enrolment,
// the step-up before sealed records) and the administrator's console.
func securityRoutes() []route {
	return []route{
		{http.MethodGet, "/login/code", public, (*Server).handleLoginCodeForm},
		{http.MethodPost, "/login/code", public, (*Server).handleLoginCodeSubmit},
		{http.MethodGet, "/account/totp", signedIn, (*Server).handleTOTPStatus},
		{http.MethodGet, "/account/totp/setup", signedIn, (*Server).handleTOTPSetupForm},
		{http.MethodPost, "/account/totp/setup", signedIn, (*Server).handleTOTPSetupSubmit},
		{http.MethodGet, "/account/verify", signedIn, (*Server).handleStepUpForm},
		{http.MethodPost, "/account/verify", signedIn, (*Server).handleStepUpSubmit},

		{http.MethodGet, "/sysadmin/accounts", sysadmins, (*Server).handleSysadminAccounts},
		{http.MethodPost, "/sysadmin/accounts/find", sysadmins, (*Server).handleSysadminFind},
		{http.MethodGet, "/sysadmin/accounts/new", sysadmins, (*Server).handleSysadminNewForm},
		{http.MethodPost, "/sysadmin/accounts/new", sysadmins, (*Server).handleSysadminNewSubmit},
		{http.MethodGet, "/sysadmin/accounts/created/:token", sysadmins, (*Server).handleSysadminCreated},
		{http.MethodGet, "/sysadmin/accounts/:id/:action", sysadmins, (*Server).handleSysadminConfirm},
		{http.MethodPost, "/sysadmin/accounts/:id/:action", sysadmins, (*Server).handleSysadminAction},
	}
}
