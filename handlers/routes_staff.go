package handlers

import (
	"net/http"

	"sealportal/portal"
)

// organOfficials are the staff of the four sealing organs: they act on the
// cases of their organ. The supervisor reads every case but takes no step and
// sends no message (R24: supervision is by notices, not by doing the organ's
// work), so the routes that change a case are closed to it here, before any
// handler runs.
var organOfficials = access{roles: portal.OrganRoles}

// staffRoutes are the officials' console: the organ's queue, the supervisor's
// overdue queue, a case's page and the actions on it.
func staffRoutes() []route {
	return []route{
		{http.MethodGet, "/staff", organStaff, (*Server).handleStaffQueue},
		{http.MethodGet, "/staff/cases/new", organOfficials, (*Server).handleStaffExOfficioForm},
		{http.MethodPost, "/staff/cases/new", organOfficials, (*Server).handleStaffExOfficioSubmit},
		{http.MethodGet, "/staff/cases/:id", organStaff, (*Server).handleStaffCase},
		{http.MethodGet, "/staff/cases/:id/documents/:doc", organStaff, (*Server).handleStaffDocument},
		{http.MethodPost, "/staff/cases/:id/messages", organOfficials, (*Server).handleStaffMessage},
		{http.MethodPost, "/staff/cases/:id/actions/:action", organOfficials, (*Server).handleStaffAction},
		{http.MethodPost, "/staff/cases/:id/court-birth-date", organOfficials, (*Server).handleStaffCourtBirthDate},
		{http.MethodPost, "/staff/cases/:id/identity", organOfficials, (*Server).handleStaffIdentity},
	}
}
