package handlers

// supervisionRoutes: see the handlers of this area.
func supervisionRoutes() []route {
	return []route{}
}
