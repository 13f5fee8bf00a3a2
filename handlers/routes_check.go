package handlers

import "net/http"

// checkRoutes are the public eligibility check and the JSON APIs. The check
// is one URL: every page posts its answers to POST /check, so no answer ever
// appears in a URL (see check.go). The APIs are exempt from CSRF (they read no
// cookie) and rate-limited per client address inside the handler (api.go).
func checkRoutes() []route {
	return []route{
		{http.MethodGet, "/check", public, (*Server).handleCheckStart},
		{http.MethodPost, "/check", public, (*Server).handleCheckStep},
		{http.MethodPost, "/api/v1/eligibility", public, (*Server).handleAPIEligibility},
		{http.MethodPost, "/api/v1/unsealing-check", public, (*Server).handleAPIUnsealing},
	}
}
