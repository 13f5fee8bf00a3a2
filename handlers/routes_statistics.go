package handlers

import "net/http"

// statisticsRoutes are the numbers of sealing (issue 17). Least privilege:
// the supervising procuratorate reads every organ's and the anonymised
// research export (it alone supervises all organs, R24, R25, and answers
// for what leaves the portal about them); an organ's official reads his own
// organ's numbers and nothing of another's; the administrator, citizens and
// units read none.
func statisticsRoutes() []route {
	return []route{
		{http.MethodGet, "/supervision/statistics", supervisors, (*Server).handleStatisticsSupervision},
		{http.MethodGet, "/supervision/statistics.csv", supervisors, (*Server).handleStatisticsSupervisionCSV},
		{http.MethodGet, "/supervision/statistics/research.csv", supervisors, (*Server).handleStatisticsResearchCSV},
		{http.MethodGet, "/staff/statistics", organOfficials, (*Server).handleStatisticsOrgan},
		{http.MethodGet, "/staff/statistics.csv", organOfficials, (*Server).handleStatisticsOrganCSV},
	}
}
