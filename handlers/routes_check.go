package handlers

// checkRoutes are the public eligibility check and the JSON APIs.
func checkRoutes() []route {
	return []route{}
}
