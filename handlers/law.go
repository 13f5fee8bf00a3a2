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

// testPeriodView is what a case page shows of the test period in force
// (portal.Policy.TestPeriod, a reform option, 0 under current law: then
// nothing shows).
func testPeriodView(cs portal.Case, today portal.Date) views.TestPeriodView {
	months := portal.Policy.TestPeriod.Value
	if months <= 0 || !cs.Status.RecordSealed() {
		return views.TestPeriodView{}
	}
	from, ok := cs.SealingTakesEffect(months)
	if !ok {
		return views.TestPeriodView{}
	}
	return views.TestPeriodView{Months: months, EffectiveFrom: from, Running: cs.InTestPeriod(today, months)}
}

// handleStaffCourtBirthDate serves POST /staff/cases/:id/court-birth-date:
// the deciding organ records (or, left empty, removes) the birth date the
// court found where it differs from the identity number (R30). Any other
// official gets the 404 of a case that does not exist.
func (s *Server) handleStaffCourtBirthDate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	if actor != portal.ActorDecider {
		return portal.NotFound()
	}
	typed := c.FormValue("court_birth_date")
	values := map[string]string{"court_birth_date": typed}
	fail := func(f views.Form) error {
		return s.showStaffCase(c, http.StatusUnprocessableEntity, id, actor, staffCaseState{courtBirthForm: f})
	}
	var birth portal.Date
	if v := strings.TrimSpace(typed); v != "" {
		d, ok := portal.ParseDate(v)
		if !ok {
			var fe portal.FieldErrors
			fe.Add("court_birth_date", "staff.date_invalid")
			f, _ := formError(fe.Err(), values)
			return fail(f)
		}
		birth = d
	}
	u := currentUser(c)
	if _, err := s.db.SetCourtBirthDate(id, birth, store.Step{AccountID: u.ID, Role: u.Role, OrganID: u.OrganID, RequestID: requestID(c)}); err != nil {
		if f, ok := formError(err, values); ok {
			return fail(f)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+strconv.FormatUint(id, 10)+"?done=court_birth_date")
}

// staffCourtBirthForm is the court-found birth date form: after a failed post
// what was typed, otherwise the date on the case.
func staffCourtBirthForm(cs portal.Case, failed views.Form) views.Form {
	if failed.Values != nil {
		return failed
	}
	v := ""
	if !cs.CourtBirthDate.IsZero() {
		v = cs.CourtBirthDate.String()
	}
	return views.Form{Values: map[string]string{"court_birth_date": v}}
}
