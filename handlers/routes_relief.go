package handlers

import "net/http"

// reliefRoutes are the relief requests of citizens (R24) — the person, the
// guardian and the lawyer; each request is shown only to the account that
// filed it (404 for anyone else) — and the organs' answers to the
// supervisor's correction notices (organOfficials, and only the organ the
// notice was issued to: 404 for any other).
func reliefRoutes() []route {
	return []route{
		{http.MethodGet, "/relief", citizens, (*Server).handleReliefList},
		{http.MethodGet, "/relief/new", citizens, (*Server).handleReliefNew},
		{http.MethodPost, "/relief/new", citizens, (*Server).handleReliefCreate},
		{http.MethodGet, "/relief/:id", citizens, (*Server).handleReliefShow},
		{http.MethodGet, "/relief/:id/edit", citizens, (*Server).handleReliefEdit},
		{http.MethodPost, "/relief/:id/edit", citizens, (*Server).handleReliefUpdate},
		{http.MethodGet, "/relief/:id/evidence", citizens, (*Server).handleReliefEvidence},
		{http.MethodPost, "/relief/:id/evidence", citizens, (*Server).handleReliefUpload},
		{http.MethodPost, "/relief/:id/evidence/:doc/delete", citizens, (*Server).handleReliefRemoveDocument},
		{http.MethodGet, "/relief/:id/check", citizens, (*Server).handleReliefCheck},
		{http.MethodPost, "/relief/:id/submit", citizens, (*Server).handleReliefSubmit},
		{http.MethodGet, "/relief/:id/confirmation", citizens, (*Server).handleReliefConfirmation},
		{http.MethodGet, "/relief/:id/documents/:doc", citizens, (*Server).handleReliefDocument},
		{http.MethodPost, "/relief/:id/messages", citizens, (*Server).handleReliefMessage},
		{http.MethodGet, "/relief/:id/withdraw", citizens, (*Server).handleReliefWithdrawForm},
		{http.MethodPost, "/relief/:id/withdraw", citizens, (*Server).handleReliefWithdraw},

		{http.MethodGet, "/staff/corrections", organOfficials, (*Server).handleCorrectionList},
		{http.MethodGet, "/staff/corrections/:id", organOfficials, (*Server).handleCorrectionShow},
		{http.MethodPost, "/staff/corrections/:id/answer", organOfficials, (*Server).handleCorrectionAnswer},
	}
}
