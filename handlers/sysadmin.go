package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
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

// handleSysadminAccounts serves GET /sysadmin/accounts: every account.
func (s *Server) handleSysadminAccounts(c echo.Context) error {
	accts, err := s.db.Accounts()
	if err != nil {
		return err
	}
	m := views.SysadminAccountsModel{Page: s.page(c, "sysadmin.accounts_title")}
	for _, a := range accts {
		m.Rows = append(m.Rows, s.sysadminRow(c, a))
	}
	if done := c.QueryParam("done"); sysadminActions[done] {
		m.NoticeKey = "sysadmin.done_" + done
	}
	return s.render(c, http.StatusOK, views.SysadminAccountsPage(m))
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
	return s.render(c, http.StatusOK, views.SysadminConfirmPage(views.SysadminConfirmModel{
		Page: s.page(c, "sysadmin.confirm_"+action), Row: s.sysadminRow(c, a), Action: action}))
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
	return c.Redirect(http.StatusSeeOther, "/sysadmin/accounts?done="+action)
}
