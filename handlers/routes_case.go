package handlers

// caseRoutes are what citizens see of their cases: my cases, the lawyer's
// dashboard, a case's page with its timeline, messages and notifications.
func caseRoutes() []route {
	return []route{}
}
