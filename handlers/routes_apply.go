package handlers

import (
	"net/http"

	"sealportal/portal"
)

// applicants are the signed-in citizens who file applications: the person
// himself, a guardian, a lawyer. Which cases each may touch is decided per
// case (citizenCase, applicantMayAct).
var applicants = access{roles: portal.CitizenRoles}

// applyRoutes are the applicant's journey: drafts, the task list, each
// section's page, documents, check your answers, submission.
func applyRoutes() []route {
	return []route{
		{http.MethodGet, "/apply", applicants, (*Server).handleApplyStart},
		{http.MethodPost, "/apply", applicants, (*Server).handleApplyCreate},
		{http.MethodGet, "/apply/:id", applicants, (*Server).handleApplyTasks},
		{http.MethodGet, "/apply/:id/person", applicants, (*Server).handleApplyPersonForm},
		{http.MethodPost, "/apply/:id/person", applicants, (*Server).handleApplyPersonSave},
		{http.MethodGet, "/apply/:id/case", applicants, (*Server).handleApplyCaseForm},
		{http.MethodPost, "/apply/:id/case", applicants, (*Server).handleApplyCaseSave},
		{http.MethodGet, "/apply/:id/organs", applicants, (*Server).handleApplyOrgansForm},
		{http.MethodPost, "/apply/:id/organs", applicants, (*Server).handleApplyOrgansSave},
		{http.MethodGet, "/apply/:id/documents", applicants, (*Server).handleApplyDocuments},
		{http.MethodPost, "/apply/:id/documents", applicants, (*Server).handleApplyUpload},
		{http.MethodPost, "/apply/:id/documents/needed", applicants, (*Server).handleApplyUploadNeeded},
		{http.MethodGet, "/apply/:id/documents/:doc", applicants, (*Server).handleApplyDocumentDownload},
		{http.MethodPost, "/apply/:id/documents/:doc/remove", applicants, (*Server).handleApplyDocumentRemove},
		{http.MethodGet, "/apply/:id/declarations", applicants, (*Server).handleApplyDeclarationsForm},
		{http.MethodPost, "/apply/:id/declarations", applicants, (*Server).handleApplyDeclarationsSave},
		{http.MethodGet, "/apply/:id/check", applicants, (*Server).handleApplyCheck},
		{http.MethodPost, "/apply/:id/submit", applicants, (*Server).handleApplySubmit},
		{http.MethodGet, "/apply/:id/done", applicants, (*Server).handleApplyDone},
		{http.MethodGet, "/apply/:id/delete", applicants, (*Server).handleApplyDeleteForm},
		{http.MethodPost, "/apply/:id/delete", applicants, (*Server).handleApplyDelete},
	}
}
