package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sealportal/views"
)

// handleInfoIndex serves GET /help: the list of information pages.
func (s *Server) handleInfoIndex(c echo.Context) error {
	return s.render(c, http.StatusOK, views.InfoIndexPage(views.InfoModel{Page: s.page(c, "info.index.title"), Operator: s.cfg.OperatorContact}))
}

// handleInfoRights serves GET /rights: your rights after sealing (R11, R14,
// R15, R23; CL art. 100).
func (s *Server) handleInfoRights(c echo.Context) error {
	return s.render(c, http.StatusOK, views.InfoRightsPage(views.InfoModel{Page: s.page(c, "info.rights.title"), Operator: s.cfg.OperatorContact}))
}

// handleInfoRelief serves GET /help/relief: how to ask for relief and what
// happens next (R24). It carries the quick exit.
func (s *Server) handleInfoRelief(c echo.Context) error {
	return s.render(c, http.StatusOK, views.InfoReliefPage(views.InfoModel{Page: s.page(c, "info.relief.title")}))
}

// handleInfoReport serves GET /help/report: how to report a leak and what
// happens after (R25). It carries the quick exit.
func (s *Server) handleInfoReport(c echo.Context) error {
	return s.render(c, http.StatusOK, views.InfoReportPage(views.InfoModel{Page: s.page(c, "info.report.title")}))
}
