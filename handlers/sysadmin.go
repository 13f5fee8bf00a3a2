package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// sysadminActions are what the administrator may do to an account from the
// console; each is confirmed on a page of its own and audited by the store.
var sysadminActions = map[string]bool{"reset-totp": true, "end-sessions": true, "disable": true, "enable": true}

// sysadminRow is what the console shows of an account: no name, and a
// citizen's login (the mobile number) masked, as `admin list-users` does.
func (s *Server) sysadminRow(c echo.Context, a portal.Account) views.SysadminAccountRow {
	login := a.Login
	if a.Role.IsCitizen() {
		login = portal.MaskMobile(a.Login)
	}
	return views.SysadminAccountRow{ID: a.ID, Role: a.Role, Login: login, Organ: a.Organ, Disabled: a.Disabled,
		Locked: a.Locked(s.cfg.Clock()), TOTP: a.TOTPEnabled, Self: a.ID == currentUser(c).ID}
}

// sysadminFilter reads the list's place from the query: role, organ and the
// page's cursor (after/before an account id), or one account (id). Anything
// else is ignored; a value that does not parse is dropped, never an error,
// so a stale link still lands on a list.
func sysadminFilter(c echo.Context) (store.AccountFilter, uint64) {
	q := c.QueryParams()
	num := func(name string) uint64 {
		n, err := strconv.ParseUint(q.Get(name), 10, 64)
		if err != nil {
			return 0
		}
		return n
	}
	var f store.AccountFilter
	if r := portal.Role(q.Get("role")); sysadminRoleKnown(r) {
		f.Role = r
	}
	f.Organ, f.After, f.Before = num("organ"), num("after"), num("before")
	if f.After != 0 {
		f.Before = 0
	}
	return f, num("id")
}

func sysadminRoleKnown(r portal.Role) bool {
	return slices.Contains(portal.StaffRoles, r) || r.IsCitizen()
}

// sysadminQuery is the list's place as a query string (no personal data:
// a role, an organ id, an account id), carried through the confirmation
// page and the action so the administrator returns to the same page.
func sysadminQuery(f store.AccountFilter, id uint64) string {
	v := url.Values{}
	if id != 0 {
		v.Set("id", strconv.FormatUint(id, 10))
	}
	if f.Role != "" {
		v.Set("role", string(f.Role))
	}
	if f.Organ != 0 {
		v.Set("organ", strconv.FormatUint(f.Organ, 10))
	}
	if f.After != 0 {
		v.Set("after", strconv.FormatUint(f.After, 10))
	}
	if f.Before != 0 {
		v.Set("before", strconv.FormatUint(f.Before, 10))
	}
	return v.Encode()
}

// handleSysadminAccounts serves GET /sysadmin/accounts: a page of 50
// accounts, filtered by role and organ, or the one account a login search
// found (?id=).
func (s *Server) handleSysadminAccounts(c echo.Context) error {
	f, id := sysadminFilter(c)
	m := views.SysadminAccountsModel{Page: s.page(c, "sysadmin.accounts_title"), Role: f.Role, Organ: f.Organ,
		Roles: append(append([]portal.Role(nil), portal.StaffRoles...), portal.CitizenRoles...)}
	organs, err := s.db.Organs()
	if err != nil {
		return err
	}
	for _, o := range organs {
		m.Organs = append(m.Organs, views.SysadminOrgan{ID: o.ID, Name: o.Name})
	}
	if id != 0 {
		// One account: the answer to a search by login.
		a, err := s.db.Account(id)
		if err != nil {
			return err
		}
		m.Rows, m.Single = []views.SysadminAccountRow{s.sysadminRow(c, a)}, true
	} else {
		page, err := s.db.ListAccounts(f)
		if err != nil {
			return err
		}
		for _, a := range page.Accounts {
			m.Rows = append(m.Rows, s.sysadminRow(c, a))
		}
		base := store.AccountFilter{Role: f.Role, Organ: f.Organ}
		if page.HasPrev && len(page.Accounts) > 0 {
			p := base
			p.Before = page.Accounts[0].ID
			m.PrevURL = "/sysadmin/accounts?" + sysadminQuery(p, 0)
			m.FirstURL = "/sysadmin/accounts?" + sysadminQuery(base, 0)
		}
		if page.HasNext && len(page.Accounts) > 0 {
			n := base
			n.After = page.Accounts[len(page.Accounts)-1].ID
			m.NextURL = "/sysadmin/accounts?" + sysadminQuery(n, 0)
		}
	}
	m.Back = sysadminQuery(f, id)
	for i := range m.Rows {
		m.Rows[i].Back = m.Back
	}
	if done := c.QueryParam("done"); sysadminActions[done] || done == "created" {
		m.NoticeKey = "sysadmin.done_" + done
	}
	return s.render(c, http.StatusOK, views.SysadminAccountsPage(m))
}

// handleSysadminFind serves POST /sysadmin/accounts/find: the account with
// exactly that login (through the keyed login index; a login is personal
// data for citizens, so it travels in the body, never the URL).
func (s *Server) handleSysadminFind(c echo.Context) error {
	login := strings.TrimSpace(c.FormValue("login"))
	values := map[string]string{"login": login}
	fail := func(key string) error {
		m := views.SysadminAccountsModel{Page: s.page(c, "sysadmin.accounts_title"),
			Find: views.Form{Values: values, Errors: map[string]string{"login": key}}}
		return s.render(c, http.StatusUnprocessableEntity, views.SysadminAccountsPage(m))
	}
	if login == "" || len(login) > 64 {
		return fail("sysadmin.find_required")
	}
	a, err := s.db.AccountByLogin(strings.ToLower(login))
	if err != nil && portal.ErrorCode(err) == portal.CodeNotFound {
		// A citizen's login is the mobile number as typed or normalised.
		if m, nerr := portal.NormalizeMobile(login); nerr == nil {
			a, err = s.db.AccountByLogin(m)
		}
	}
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return fail("sysadmin.find_none")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/sysadmin/accounts?id="+strconv.FormatUint(a.ID, 10))
}

// sysadminTarget reads the account and the action from the path.
func (s *Server) sysadminTarget(c echo.Context) (portal.Account, string, error) {
	action := c.Param("action")
	if !sysadminActions[action] {
		return portal.Account{}, "", portal.NotFound()
	}
	id, err := pathID(c, "id")
	if err != nil {
		return portal.Account{}, "", err
	}
	a, err := s.db.Account(id)
	if err != nil {
		return portal.Account{}, "", err
	}
	// Disabling one's own account would lock the last administrator out.
	if (action == "disable" || action == "enable") && a.ID == currentUser(c).ID {
		return portal.Account{}, "", portal.Forbidden("sysadmin.self_refused")
	}
	return a, action, nil
}

// handleSysadminConfirm serves GET /sysadmin/accounts/:id/:action: the
// confirmation page.
func (s *Server) handleSysadminConfirm(c echo.Context) error {
	a, action, err := s.sysadminTarget(c)
	if err != nil {
		return err
	}
	f, id := sysadminFilter(c)
	row := s.sysadminRow(c, a)
	row.Back = sysadminQuery(f, id)
	return s.render(c, http.StatusOK, views.SysadminConfirmPage(views.SysadminConfirmModel{
		Page: s.page(c, "sysadmin.confirm_"+action), Row: row, Action: action}))
}

// handleSysadminAction serves POST /sysadmin/accounts/:id/:action: reset the
// second factor (which ends the sessions and forces re-enrolment), end every
// session, disable or enable. The store audits each with the administrator as
// actor.
func (s *Server) handleSysadminAction(c echo.Context) error {
	a, action, err := s.sysadminTarget(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	switch action {
	case "reset-totp":
		err = s.db.ResetTOTP(a.ID, u.ID, requestID(c))
	case "end-sessions":
		err = s.db.EndSessions(a.ID, u.ID, requestID(c))
	case "disable", "enable":
		err = s.db.SetDisabled(a.ID, action == "disable", u.ID)
	}
	if err != nil {
		return err
	}
	if a.ID == u.ID && (action == "reset-totp" || action == "end-sessions") {
		// The administrator's own sessions have just ended with the others.
		s.endSession(c, currentSession(c))
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	// Back to the page of the list the administrator came from.
	f, id := sysadminFilter(c)
	back := sysadminQuery(f, id)
	if back != "" {
		back += "&"
	}
	return c.Redirect(http.StatusSeeOther, "/sysadmin/accounts?"+back+"done="+action)
}
