package handlers

// reliefRoutes: see the handlers of this area.
func reliefRoutes() []route {
	return []route{}
}
