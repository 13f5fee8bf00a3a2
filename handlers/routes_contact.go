package handlers

import (
	"net/http"

	"sealportal/portal"
)

// contactRoutes are registration by code, password reset by SMS and the
// person's e-mail address for notices (contact.go).
func contactRoutes() []route {
	citizens := access{roles: portal.CitizenRoles}
	return []route{
		{http.MethodPost, registerCodePath, public, (*Server).handleRegisterCode},
		{http.MethodGet, "/login/forgot", public, (*Server).handleForgotForm},
		{http.MethodPost, "/login/forgot", public, (*Server).handleForgotSubmit},
		{http.MethodPost, resetPath, public, (*Server).handleResetSubmit},
		{http.MethodGet, "/account/email", citizens, (*Server).handleEmailForm},
		{http.MethodPost, "/account/email", citizens, (*Server).handleEmailSubmit},
	}
}
