package handlers

import "sealportal/portal"

// workbenchFixtures (issue 18): each official's own results page (a bulk
// confirmation that took nothing), and another organ's official's, which is
// nobody else's business.
func (w *mxWorld) workbenchFixtures() {
	w.t.Helper()
	r := w.kind("workbench-results")
	for _, role := range append(append([]portal.Role{}, portal.OrganRoles...), portal.RoleSupervisor) {
		id, err := w.db.SaveBulkResult(w.acting[role].ID, nil, nil, 1)
		if err != nil {
			w.t.Fatal(err)
		}
		r.own[role] = mxParams{"id": mxID(id)}
	}
	id, err := w.db.SaveBulkResult(w.officialOf["court-b"].ID, nil, nil, 1)
	if err != nil {
		w.t.Fatal(err)
	}
	r.foreign = mxParams{"id": mxID(id)}
	r.otherOrgan = mxParams{"id": mxID(id)}
	r.unknown = mxParams{"id": mxUnknownID}
}
