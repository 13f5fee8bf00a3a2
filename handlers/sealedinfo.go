package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// Other cases that use sealed information (R21): a judicial organ's official
// marks one of the organ's own cases 含犯罪记录封存信息; the store audits it,
// and the co-offender lookup (/staff/cooffender) then answers "marked" for
// that case number.

func (s *Server) renderSealedInfo(c echo.Context, status int, f views.Form, notice string) error {
	u := currentUser(c)
	marks, err := s.db.SealedInfoMarksOfOrgan(u.OrganID)
	if err != nil {
		return err
	}
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	p := s.page(c, "sealedinfo.title")
	p.Path = "/staff/sealed-info"
	return s.render(c, status, views.SealedInfoPage(views.SealedInfoModel{Page: p, Form: f, Marks: marks, NoticeKey: notice}))
}

// handleSealedInfoList serves GET /staff/sealed-info: the organ's markings
// and the form.
func (s *Server) handleSealedInfoList(c echo.Context) error {
	notice := ""
	if c.QueryParam("done") == "marked" {
		notice = "sealedinfo.notice"
	}
	return s.renderSealedInfo(c, http.StatusOK, views.Form{}, notice)
}

// handleSealedInfoMark serves POST /staff/sealed-info: marks one of the
// organ's cases (R21).
func (s *Server) handleSealedInfoMark(c echo.Context) error {
	values := map[string]string{"case_number": c.FormValue("case_number"), "kind": c.FormValue("kind"), "basis": c.FormValue("basis")}
	m := portal.SealedInfoMark{CaseNumber: values["case_number"], Kind: portal.OtherCaseKind(values["kind"]), Basis: values["basis"]}
	if _, err := s.db.MarkSealedInfoCase(m, *currentUser(c), requestID(c)); err != nil {
		f, ok := formError(err, values)
		if !ok {
			return err
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
		}
		return s.renderSealedInfo(c, status, f, "")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/sealed-info?done=marked")
}
