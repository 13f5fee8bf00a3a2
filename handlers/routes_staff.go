package handlers

import (
	"net/http"
)

// staffRoutes are the officials' console: the organ's queue, the supervisor's
// overdue queue, a case's page and the actions on it.
func staffRoutes() []route {
	return []route{
		{http.MethodGet, "/staff", organStaff, (*Server).handleStaffHome},
	}
}
