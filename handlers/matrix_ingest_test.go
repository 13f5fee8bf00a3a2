package handlers

import (
	"strings"

	"sealportal/portal"
	"sealportal/store"
)

// ingestFixtures: a bulk job of the court (issue 17) and one of another
// court. The organ routes read no session: every role and the visitor get the
// same 401 without a credential, for an own, another organ's or an unknown
// job alike (the credential's own checks are in ingest_test.go).
func (w *mxWorld) ingestFixtures() {
	job := func(organ string) mxParams {
		j, err := w.db.ReceiveIngest(w.organs[organ].ID, store.APIClient{}, strings.NewReader("{}\n"), "mx")
		if err != nil {
			w.t.Fatalf("ingest job: %v", err)
		}
		return mxParams{"id": mxID(j.ID)}
	}
	r := w.kind("ingest-job")
	own := job("court")
	for _, role := range portal.AllRoles {
		r.own[role] = own
	}
	r.own[mxAnonymous] = own
	r.otherOrgan = job("court-b")
	r.unknown = mxParams{"id": mxUnknownID}
}
