package handlers

import (
	"net/http"

	"sealportal/portal"
)

// leakSupervisor is the supervising procuratorate: the only role that reads
// leak reports and investigates them (R25, MPL art. 105).
var leakSupervisor = access{roles: []portal.Role{portal.RoleSupervisor}}

// leakRoutes are leak reports: anyone may report, with or without an
// account, and follow the report with its tracking code, which is only ever
// posted, never put in an address; a signed-in reporter who linked a report
// also finds it under /report/mine. The supervisor reads and investigates each
// report; the supervision console lists them (store.LeakQueue).
func leakRoutes() []route {
	return []route{
		{http.MethodGet, "/report", public, (*Server).handleLeakForm},
		{http.MethodPost, "/report", public, (*Server).handleLeakSave},
		{http.MethodPost, "/report/files/:doc/remove", public, (*Server).handleLeakFileRemove},
		{http.MethodGet, "/report/check", public, (*Server).handleLeakCheck},
		{http.MethodPost, "/report/submit", public, (*Server).handleLeakSubmit},
		{http.MethodGet, "/report/mine", signedIn, (*Server).handleLeakMine},
		{http.MethodGet, "/report/mine/:id", signedIn, (*Server).handleLeakMineShow},
		{http.MethodGet, "/track", public, (*Server).handleLeakTrackForm},
		{http.MethodPost, "/track", public, (*Server).handleLeakTrack},
		{http.MethodPost, "/track/add", public, (*Server).handleLeakTrackAdd},

		{http.MethodGet, "/supervision/leaks/:id", leakSupervisor, (*Server).handleLeakSupervisor},
		{http.MethodGet, "/supervision/leaks/:id/documents/:doc", leakSupervisor, (*Server).handleLeakSupervisorDocument},
		{http.MethodPost, "/supervision/leaks/:id/start", leakSupervisor, (*Server).handleLeakSupervisorStart},
		{http.MethodPost, "/supervision/leaks/:id/findings", leakSupervisor, (*Server).handleLeakSupervisorFindings},
		{http.MethodPost, "/supervision/leaks/:id/close", leakSupervisor, (*Server).handleLeakSupervisorClose},
	}
}
