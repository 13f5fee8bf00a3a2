package handlers

import (
	"net/http"

	"sealportal/portal"
)

// policeOfficials are the police organ's staff: they answer requests for a
// proof of no criminal record (R14, MPS Rules).
var policeOfficials = access{roles: []portal.Role{portal.RolePolice}}

// judicialOrgans mark their other cases that use sealed information (R21).
var judicialOrgans = access{roles: portal.SealedInfoMarkers}

// certificateRoutes are proofs of no criminal record (R14), unsealing events
// (R18, R19) and co-offender marking (R20, R22):
//   - citizens ask for certificates, print them and object to an answer;
//     the police organ asked checks the police records, records the check,
//     answers from it and reviews objections (R14); anyone checks a certificate at /verify with its code,
//     which is only ever posted, never put in an address;
//   - the deciding organ's officials record unsealing events on a sealed case
//     and list adult co-offenders' case numbers (organOfficials: the route is
//     closed to the supervisor, and staffActor answers 404 to other organs);
//   - the supervisor decides reviews and reviews every unsealing;
//   - officials of the organs and the supervisor look up an adult's case
//     number for the marking;
//   - judicial organs mark their other cases that use sealed information
//     (R21), which the same lookup then answers.
func certificateRoutes() []route {
	return []route{
		{http.MethodGet, "/certificates", citizens, (*Server).handleCertList},
		{http.MethodPost, "/certificates", citizens, (*Server).handleCertRequest},
		{http.MethodGet, "/certificates/:id", citizens, (*Server).handleCertShow},
		{http.MethodPost, "/certificates/:id/objection", citizens, (*Server).handleCertObject},
		{http.MethodGet, "/staff/certificates", policeOfficials, (*Server).handleCertQueue},
		{http.MethodGet, "/staff/certificates/:id", policeOfficials, (*Server).handleCertStaffShow},
		{http.MethodPost, "/staff/certificates/:id/check", policeOfficials, (*Server).handleCertCheck},
		{http.MethodPost, "/staff/certificates/:id/issue", policeOfficials, (*Server).handleCertIssue},
		{http.MethodPost, "/staff/certificates/:id/objection", policeOfficials, (*Server).handleCertObjectionDecide},
		{http.MethodGet, "/verify", public, (*Server).handleVerifyForm},
		{http.MethodPost, "/verify", public, (*Server).handleVerify},

		{http.MethodGet, "/staff/cases/:id/unsealing", organOfficials, (*Server).handleUnsealForm},
		{http.MethodPost, "/staff/cases/:id/unsealing", organOfficials, (*Server).handleUnsealRecord},
		// Issue 18: a second official of the deciding organ approves.
		{http.MethodPost, "/staff/cases/:id/unsealing/approve", organOfficials, (*Server).handleUnsealApprove},
		{http.MethodGet, "/supervision/unsealing", supervisors, (*Server).handleUnsealSupervision},
		{http.MethodPost, "/supervision/unsealing/:case/decide", supervisors, (*Server).handleUnsealDecide},

		{http.MethodGet, "/staff/cases/:id/cooffenders", organOfficials, (*Server).handleCoOffendersForm},
		{http.MethodPost, "/staff/cases/:id/cooffenders", organOfficials, (*Server).handleCoOffendersSave},
		{http.MethodGet, "/staff/cooffender", organStaff, (*Server).handleCoOffenderLookup},
		{http.MethodGet, "/staff/sealed-info", judicialOrgans, (*Server).handleSealedInfoList},
		{http.MethodPost, "/staff/sealed-info", judicialOrgans, (*Server).handleSealedInfoMark},
	}
}
