package handlers

import "net/http"

// legalDocRoutes are the written legal documents (issue 18): the printable
// document pages of officials (organStaff: the issuing organ, the organs it
// was sent to, the supervisor; 404 for anyone else), the issuing organ's
// records of services and of the explanation of rights (organOfficials, the
// deciding organ only), the person's copies (citizens linked to the case)
// and the query decision letters (the deciding organ and the querying unit).
func legalDocRoutes() []route {
	return []route{
		{http.MethodGet, "/staff/cases/:id/legal-documents", organStaff, (*Server).handleStaffLegalDocs},
		{http.MethodPost, "/staff/cases/:id/legal-documents/explanations", organOfficials, (*Server).handleStaffRightsExplained},
		{http.MethodPost, "/staff/cases/:id/legal-documents/contacts", organOfficials, (*Server).handleStaffServiceContacts},
		{http.MethodGet, "/staff/cases/:id/legal-documents/:n", organStaff, (*Server).handleStaffLegalDoc},
		{http.MethodPost, "/staff/cases/:id/legal-documents/:n/services", organOfficials, (*Server).handleStaffLegalDocService},
		{http.MethodGet, "/cases/:id/legal-documents/:n", citizens, (*Server).handleCaseLegalDoc},
		{http.MethodGet, "/staff/queries/:id/legal-documents/:n", organOfficials, (*Server).handleStaffQueryLegalDoc},
		{http.MethodGet, "/queries/:id/legal-documents/:n", queryingUnits, (*Server).handleQueryLegalDoc},
	}
}

// The staff pages of documents show a sealed record's person and case: a
// recent second factor first, like the case page (R17).
func init() {
	sealedRecordRoutes["GET /staff/cases/:id/legal-documents"] = true
	sealedRecordRoutes["GET /staff/cases/:id/legal-documents/:n"] = true
}
