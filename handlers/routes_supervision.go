package handlers

import (
	"net/http"

	"sealportal/portal"
)

// supervisors are the supervising procuratorate's officials (R24, R25, MPL
// art. 105). Nobody else opens the console: organ officials, citizens and
// the system administrator get 403.
var supervisors = access{roles: []portal.Role{portal.RoleSupervisor}}

// supervisionRoutes are the supervision console: one queue of relief
// requests, leak reports and every organ's overdue sealing cases, and the
// supervisor's page of a relief request with its steps. (The page of a leak
// report, /supervision/leaks/:id, is in routes_leak.go.)
func supervisionRoutes() []route {
	return []route{
		{http.MethodGet, "/supervision", supervisors, (*Server).handleSupervision},
		{http.MethodGet, "/supervision/relief/:id", supervisors, (*Server).handleSupervisionRelief},
		{http.MethodGet, "/supervision/relief/:id/documents/:doc", supervisors, (*Server).handleSupervisionReliefDocument},
		{http.MethodPost, "/supervision/relief/:id/messages", supervisors, (*Server).handleSupervisionReliefMessage},
		{http.MethodPost, "/supervision/relief/:id/actions/:action", supervisors, (*Server).handleSupervisionReliefAction},
	}
}
