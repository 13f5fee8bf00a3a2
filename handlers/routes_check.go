package handlers

import (
	"net/http"

	"sealportal/portal"
	"sealportal/views"
)

// checkRoutes are the public eligibility check and the JSON APIs. Each
// question of the check has its own address, shown by a GET and answered by
// a POST that redirects (check.go); no answer ever appears in a URL.
// /check/restart is POST only (its GET, and a POST to the older single
// address /check, show the current question). /check/apply turns the answers
// into a new application of the signed-in citizen (checkflow.go). The APIs
// are exempt from CSRF (they read no cookie) and rate-limited per client
// address inside the handler (api.go).
func checkRoutes() []route {
	r := []route{
		{http.MethodGet, "/check", public, (*Server).handleCheckStart},
		{http.MethodPost, "/check", public, (*Server).handleCheckCurrent},
		{http.MethodGet, "/check/restart", public, (*Server).handleCheckCurrent},
		{http.MethodPost, "/check/restart", public, (*Server).handleCheckRestart},
		{http.MethodPost, "/check/apply", access{roles: portal.CitizenRoles}, (*Server).handleCheckApply},
		{http.MethodPost, "/api/v1/eligibility", public, (*Server).handleAPIEligibility},
		{http.MethodPost, "/api/v1/unsealing-check", public, (*Server).handleAPIUnsealing},
	}
	for _, st := range views.CheckSteps {
		r = append(r, route{http.MethodGet, views.CheckPath(st), public, (*Server).handleCheckQuestion})
		if st != views.CheckStepResult {
			r = append(r, route{http.MethodPost, views.CheckPath(st), public, (*Server).handleCheckAnswer})
		}
	}
	return r
}
