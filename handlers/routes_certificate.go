package handlers

// certificateRoutes: see the handlers of this area.
func certificateRoutes() []route {
	return []route{}
}
