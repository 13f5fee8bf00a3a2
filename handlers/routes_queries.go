package handlers

import (
	"net/http"

	"sealportal/portal"
)

// queryingUnits are the accounts of units that may query sealed records
// (R15). Which queries each sees is decided per query: only its own (404 for
// any other).
// Officials of the judicial organs query from their own accounts (R15(a),
// portal.Account.QueryingAs), with no unit account of their own.
var queryingUnits = access{roles: portal.QueryingRoles}

// queryRoutes are queries of sealed records (R14–R17): the querying unit's
// pages, the sealing organ's queue and decision (organOfficials, and only the
// organ the query is addressed to: 404 for any other), and "who looked at my
// record" for the people on a case (citizens, and only cases linked to the
// account: 404 for any other).
func queryRoutes() []route {
	return []route{
		{http.MethodGet, "/queries", queryingUnits, (*Server).handleQueriesList},
		{http.MethodGet, "/queries/new", queryingUnits, (*Server).handleQueryNew},
		{http.MethodPost, "/queries/new", queryingUnits, (*Server).handleQueryPost},
		{http.MethodGet, "/queries/:id", queryingUnits, (*Server).handleQueryShow},
		{http.MethodGet, "/queries/:id/confirmation", queryingUnits, (*Server).handleQueryConfirmation},
		{http.MethodPost, "/queries/:id/commitment", queryingUnits, (*Server).handleQueryCommitment},
		{http.MethodPost, "/queries/:id/read", queryingUnits, (*Server).handleQueryRead},
		{http.MethodGet, "/queries/:id/documents/:doc", queryingUnits, (*Server).handleQueryDocument},

		{http.MethodGet, "/staff/queries", organOfficials, (*Server).handleStaffQueries},
		{http.MethodGet, "/staff/queries/:id", organOfficials, (*Server).handleStaffQuery},
		{http.MethodPost, "/staff/queries/:id/approve", organOfficials, (*Server).handleStaffQueryApprove},
		{http.MethodPost, "/staff/queries/:id/refuse", organOfficials, (*Server).handleStaffQueryRefuse},

		{http.MethodGet, "/cases/:id/access", citizens, (*Server).handleCaseAccessLog},
	}
}
