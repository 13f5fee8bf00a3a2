package handlers

import "net/http"

// noticesRoutes are issue 16's pages: whom to contact, the glossary, and the
// quick exit that signs out (public, so that it leaves even after the session
// has ended; the CSRF token is still checked).
func noticesRoutes() []route {
	return []route{
		{http.MethodGet, "/help/contact", public, (*Server).handleHelpContact},
		{http.MethodGet, "/help/glossary", public, (*Server).handleHelpGlossary},
		{http.MethodPost, "/exit", public, (*Server).handleQuickExit},
		{http.MethodGet, "/exit", public, (*Server).handleExitPage},
	}
}
