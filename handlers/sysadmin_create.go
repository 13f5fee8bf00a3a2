package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// The administrator opens officials' accounts from a web form as well as
// from `admin create-user` (both through store.CreateOfficial, audited with
// the administrator as actor). Citizens register themselves and are not
// offered here.

// officialInput is the form's fields, trimmed.
type officialInput struct {
	Role, OrganID, Organ, Name, Login, UnitKind string
}

func bindOfficial(c echo.Context) officialInput {
	return officialInput{Role: strings.TrimSpace(c.FormValue("role")), OrganID: strings.TrimSpace(c.FormValue("organ_id")),
		Organ: strings.TrimSpace(c.FormValue("organ")), Name: strings.TrimSpace(c.FormValue("name")),
		Login: strings.TrimSpace(c.FormValue("login")), UnitKind: strings.TrimSpace(c.FormValue("unit_kind"))}
}

func (in officialInput) values() map[string]string {
	return map[string]string{"role": in.Role, "organ_id": in.OrganID, "organ": in.Organ, "name": in.Name,
		"login": in.Login, "unit_kind": in.UnitKind}
}

func (s *Server) officialModel(c echo.Context, form views.Form) (views.SysadminNewModel, error) {
	m := views.SysadminNewModel{Page: s.page(c, "sysadmin.new.title"), Form: form, Roles: portal.StaffRoles,
		UnitKinds: portal.QueryUnitKinds}
	organs, err := s.db.Organs()
	if err != nil {
		return m, err
	}
	for _, o := range organs {
		m.Organs = append(m.Organs, views.SysadminOrgan{ID: o.ID, Name: o.Name, Kind: o.Kind})
	}
	return m, nil
}

// handleSysadminNewForm serves GET /sysadmin/accounts/new.
func (s *Server) handleSysadminNewForm(c echo.Context) error {
	m, err := s.officialModel(c, views.Form{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.SysadminNewPage(m))
}

// handleSysadminNewSubmit serves POST /sysadmin/accounts/new: the account is
// created and the administrator is sent to its handover page.
func (s *Server) handleSysadminNewSubmit(c echo.Context) error {
	in := bindOfficial(c)
	n := portal.NewOfficial{Role: portal.Role(in.Role), Organ: in.Organ, Name: in.Name, Login: in.Login, UnitKind: in.UnitKind}
	if in.OrganID != "" {
		id, err := strconv.ParseUint(in.OrganID, 10, 64)
		if err != nil {
			return s.officialFailed(c, in, map[string]string{"organ_id": "sysadmin.new.organ_kind"})
		}
		n.OrganID = id
	}
	if n.OrganID != 0 && n.Organ != "" {
		// One organ: chosen or named, not both.
		return s.officialFailed(c, in, map[string]string{"organ": "sysadmin.new.organ_both"})
	}
	_, token, err := s.db.CreateOfficial(n, portal.OneTimePassword(), s.cfg.Hasher.Hash, currentUser(c).ID)
	if err != nil {
		form, ok := formError(err, in.values())
		if !ok {
			return err
		}
		return s.officialFailed(c, in, form.Errors)
	}
	return c.Redirect(http.StatusSeeOther, "/sysadmin/accounts/created/"+token)
}

func (s *Server) officialFailed(c echo.Context, in officialInput, errs map[string]string) error {
	m, err := s.officialModel(c, views.Form{Values: in.values(), Errors: errs})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, views.SysadminNewPage(m))
}

// handleSysadminCreated serves GET /sysadmin/accounts/created/:token: the
// new account's username and one-time password, for the administrator who
// made it, for ten minutes (a refresh shows them again; afterwards, or for
// anyone else, 404). Never cached.
func (s *Server) handleSysadminCreated(c echo.Context) error {
	h, err := s.db.OfficialHandover(c.Param("token"), currentUser(c).ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, views.SysadminCreatedPage(views.SysadminCreatedModel{
		Page: s.page(c, "sysadmin.created.title"), Row: s.sysadminRow(c, h.Account), Login: h.Login, Password: h.Password,
		Expires: h.Expires}))
}
