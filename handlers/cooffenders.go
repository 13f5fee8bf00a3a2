package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Co-offenders (R20, R22). The deciding organ lists on a sealing case the case
// numbers of the adults who offended with the minor; any organ's official (or
// the supervisor) can then look up an adult's case number and learn only
// whether its file carries the marking "含犯罪记录封存信息" (contains
// sealed-record information). The lookup never answers with the minor's
// name, identity number or case: the store does not return them.

func (s *Server) renderCoOffenders(c echo.Context, status int, id uint64, f views.Form, notice string) error {
	cs, err := s.db.Case(id) // access decided by unsealCase; the page shows no personal data
	if err != nil {
		return err
	}
	if f.Values == nil {
		f.Values = map[string]string{"numbers": strings.Join(cs.CoOffenderCases, "\n")}
	}
	page := s.page(c, "cooff.title")
	page.Path = "/staff/cases/" + strconv.FormatUint(id, 10) + "/cooffenders"
	return s.render(c, status, views.CoOffenderFormPage(views.CoOffenderFormModel{Page: page, CaseID: id, Ref: cs.Ref,
		Numbers: cs.CoOffenderCases, Form: f, NoticeKey: notice}))
}

// handleCoOffendersForm serves GET /staff/cases/:id/cooffenders: the adults'
// case numbers on the case, editable by the deciding organ.
func (s *Server) handleCoOffendersForm(c echo.Context) error {
	id, err := s.unsealCase(c)
	if err != nil {
		return err
	}
	notice := ""
	if c.QueryParam("done") == "saved" {
		notice = "cooff.notice.saved"
	}
	return s.renderCoOffenders(c, http.StatusOK, id, views.Form{}, notice)
}

// handleCoOffendersSave serves POST /staff/cases/:id/cooffenders: the list is
// replaced by the numbers posted, one per line (R20).
func (s *Server) handleCoOffendersSave(c echo.Context) error {
	id, err := s.unsealCase(c)
	if err != nil {
		return err
	}
	text := c.FormValue("numbers")
	values := map[string]string{"numbers": text}
	numbers, err := portal.ParseCoOffenderCases(text)
	if err == nil {
		u := currentUser(c)
		_, err = s.db.SetCoOffenders(id, numbers, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)})
	}
	if err != nil {
		f, ok := formError(err, values)
		if !ok {
			return err
		}
		return s.renderCoOffenders(c, http.StatusUnprocessableEntity, id, f, "")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+strconv.FormatUint(id, 10)+"/cooffenders?done=saved")
}

// handleCoOffenderLookup serves GET /staff/cooffender?number=…: whether an
// adult's case file is marked (R20), and nothing else (R22). An adult's case
// number is not the minor's personal data, so it may travel in the address.
func (s *Server) handleCoOffenderLookup(c echo.Context) error {
	page := s.page(c, "cooff.lookup_title")
	page.Path = "/staff/cooffender"
	m := views.CoOffenderLookupModel{Page: page, Form: views.Form{Values: map[string]string{}}}
	params := c.QueryParams()
	if _, asked := params["number"]; !asked {
		return s.render(c, http.StatusOK, views.CoOffenderLookupPage(m))
	}
	number := c.QueryParam("number")
	m.Form.Values["number"] = number
	if strings.TrimSpace(number) == "" {
		m.Form.Errors = map[string]string{"number": "cooff.number_required"}
		return s.render(c, http.StatusUnprocessableEntity, views.CoOffenderLookupPage(m))
	}
	marked, err := s.db.CoOffenderMarked(number, *currentUser(c), requestID(c))
	if err != nil {
		f, ok := formError(err, m.Form.Values)
		if !ok {
			return err
		}
		m.Form = f
		return s.render(c, http.StatusUnprocessableEntity, views.CoOffenderLookupPage(m))
	}
	m.Checked, m.Marked = true, marked
	return s.render(c, http.StatusOK, views.CoOffenderLookupPage(m))
}
