package handlers

import "net/http"

// formStateRoutes are the session keep-alive of the time-out warning
// (formstate.go).
func formStateRoutes() []route {
	return []route{
		{http.MethodPost, "/session/keepalive", signedIn, (*Server).handleKeepAlive},
	}
}
