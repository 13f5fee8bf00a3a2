package handlers

import "net/http"

// mydataRoutes are the person's own data: every signed-in account sees (and
// downloads) what the portal holds about it — a citizen his records, an
// official only his own account. Drafts that have no delete route of their
// own are deleted here: a citizen's relief request drafts (404 for another
// account's), and the unsent leak report of this browser.
func mydataRoutes() []route {
	return []route{
		{http.MethodGet, "/account/data", signedIn, (*Server).handleMyData},
		{http.MethodGet, "/account/data.json", signedIn, (*Server).handleMyDataJSON},
		{http.MethodGet, "/account/data/relief/:id/delete", citizens, (*Server).handleMyDataReliefDeleteForm},
		{http.MethodPost, "/account/data/relief/:id/delete", citizens, (*Server).handleMyDataReliefDelete},
		{http.MethodGet, "/account/data/leak-draft/delete", signedIn, (*Server).handleMyDataLeakDeleteForm},
		{http.MethodPost, "/account/data/leak-draft/delete", signedIn, (*Server).handleMyDataLeakDelete},
	}
}
