package handlers

// infoRoutes: see the handlers of this area.
func infoRoutes() []route {
	return []route{}
}
