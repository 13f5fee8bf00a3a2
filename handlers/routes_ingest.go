package handlers

import "net/http"

// ingestRoutes are the organs' bulk API (ingest.go) and the API's own
// description. They are public as far as sessions go (they read no cookie
// and are exempt from CSRF, like every /api/v1 route): each organ route
// refuses any request without a live credential of the organ (organAPI),
// which the matrix test checks as a 401 for every role.
func ingestRoutes() []route {
	return []route{
		{http.MethodGet, "/api/v1/openapi.json", public, (*Server).handleOpenAPI},
		{http.MethodPost, "/api/v1/organ/records", public, (*Server).handleOrganRecords},
		{http.MethodGet, "/api/v1/organ/jobs/:id", public, (*Server).handleOrganJob},
		{http.MethodGet, "/api/v1/organ/jobs/:id/errors", public, (*Server).handleOrganJobErrors},
	}
}
