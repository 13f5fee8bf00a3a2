package handlers

import "net/http"

// oversightRoutes are supervision on the procuratorate's own initiative (R24,
// R25, R33):
//   - the supervisor issues opinions (correction notices, procuratorial
//     suggestions) from a case, an overdue row, a leak report or in bulk for
//     an organ, and follows them; reads the lists of refusals and of holders
//     owing confirmation; investigates a leak in the audit log (audited);
//   - an organ's officials read the opinions issued to their organ and reply
//     in writing (an opinion of another organ answers 404).
func oversightRoutes() []route {
	return []route{
		{http.MethodGet, "/supervision/opinions", supervisors, (*Server).handleOpinionList},
		{http.MethodGet, "/supervision/opinions/new", supervisors, (*Server).handleOpinionNew},
		{http.MethodPost, "/supervision/opinions", supervisors, (*Server).handleOpinionIssue},
		{http.MethodGet, "/supervision/opinions/:id", supervisors, (*Server).handleOpinionShow},
		{http.MethodGet, "/supervision/refusals", supervisors, (*Server).handleRefusals},
		{http.MethodGet, "/supervision/unconfirmed", supervisors, (*Server).handleUnconfirmed},
		{http.MethodGet, "/supervision/leaks/:id/investigation", supervisors, (*Server).handleInvestigation},
		{http.MethodPost, "/supervision/leaks/:id/investigation", supervisors, (*Server).handleInvestigationAccount},

		{http.MethodGet, "/staff/opinions", organOfficials, (*Server).handleOrganOpinionList},
		{http.MethodGet, "/staff/opinions/:id", organOfficials, (*Server).handleOrganOpinionShow},
		{http.MethodPost, "/staff/opinions/:id/answer", organOfficials, (*Server).handleOrganOpinionAnswer},
	}
}

func init() {
	// The investigation shows who read a sealed record and when, and the
	// report it starts from carries the sealed information: a recent second
	// factor first, as for the report's own page (R17).
	sealedRecordRoutes["GET /supervision/leaks/:id/investigation"] = true
	sealedRecordRoutes["POST /supervision/leaks/:id/investigation"] = true
}
