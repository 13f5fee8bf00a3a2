package handlers

// queryRoutes: see the handlers of this area.
func queryRoutes() []route {
	return []route{}
}
