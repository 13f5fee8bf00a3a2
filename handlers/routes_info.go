package handlers

import "net/http"

// infoRoutes are the public information pages, for anyone, in plain words:
// an index, your rights after sealing, how to ask for relief, how to report a
// leak.
func infoRoutes() []route {
	return []route{
		{http.MethodGet, "/help", public, (*Server).handleInfoIndex},
		{http.MethodGet, "/rights", public, (*Server).handleInfoRights},
		{http.MethodGet, "/help/relief", public, (*Server).handleInfoRelief},
		{http.MethodGet, "/help/report", public, (*Server).handleInfoReport},
	}
}
