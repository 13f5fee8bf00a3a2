package handlers

// applyRoutes are the applicant's journey: drafts, the task list, each
// section's page, documents, check your answers, submission.
func applyRoutes() []route {
	return []route{}
}
