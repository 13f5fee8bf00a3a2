package handlers

import "net/http"

// decisionsRoutes are issue 18's: a second official of the deciding organ
// approves or rejects a decision against the rules' computation (the store
// checks the organ and that the approver is not the proposer), and the
// supervisor lists every such decision; officials read their organ's
// notifications.
func decisionsRoutes() []route {
	return []route{
		{http.MethodPost, "/staff/cases/:id/override/approve", organOfficials, (*Server).handleOverrideApprove},
		{http.MethodPost, "/staff/cases/:id/override/reject", organOfficials, (*Server).handleOverrideReject},
		{http.MethodGet, "/supervision/overrides", supervisors, (*Server).handleOverrides},
		// Officials' notifications: the organ's, seen by its officials.
		{http.MethodGet, "/staff/notifications", organOfficials, (*Server).handleStaffNotifications},
		{http.MethodPost, "/staff/notifications/read", organOfficials, (*Server).handleStaffNotificationsRead},
	}
}
