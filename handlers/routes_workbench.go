package handlers

import "net/http"

// workbenchRoutes are the officials' workbench (issue 18): acceptance and
// review in one step, bulk confirmation of sealing, search by keyed index,
// "my cases" and hand-over, and the sealing register. The supervisor reads
// (search, results) but takes no step and has no organ register.
func workbenchRoutes() []route {
	return []route{
		{http.MethodPost, "/staff/cases/:id/accept-review", organOfficials, (*Server).handleWorkbenchAcceptReview},
		{http.MethodPost, "/staff/cases/:id/assign", organOfficials, (*Server).handleWorkbenchAssign},
		{http.MethodPost, "/staff/confirm-sealing", organOfficials, (*Server).handleWorkbenchBulkConfirm},
		{http.MethodGet, "/staff/search", organStaff, (*Server).handleWorkbenchSearchForm},
		{http.MethodPost, "/staff/search", organStaff, (*Server).handleWorkbenchSearch},
		{http.MethodGet, "/staff/results/:id", organStaff, (*Server).handleWorkbenchResults},
		{http.MethodGet, "/staff/mine", organOfficials, (*Server).handleWorkbenchMine},
		{http.MethodGet, "/staff/register", organOfficials, (*Server).handleWorkbenchRegister},
		{http.MethodGet, "/staff/register.csv", organOfficials, (*Server).handleWorkbenchRegisterCSV},
	}
}
