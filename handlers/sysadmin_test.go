package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
)

// sysadminWorld is a portal with an administrator, a court official and a
// citizen; the administrator is signed in (through enrolment).
type sysadminWorld struct {
	*testServer
	admin, judge, citizen portal.Account
	ac                    *testClient
}

func newSysadminWorld(t *testing.T) *sysadminWorld {
	t.Helper()
	ts := newTestServer(t)
	w := &sysadminWorld{testServer: ts}
	w.admin = ts.createStaff(portal.RoleSysadmin, "sysadmin-1", pwStaff, false)
	w.judge = ts.createStaff(portal.RoleCourt, "court-1", pwStaff, false)
	w.citizen = ts.createCitizen(portal.RoleMinor, "13900008001", pwMinor)
	w.ac = ts.newClient()
	w.ac.setLang("en")
	w.ac.login("sysadmin-1", pwStaff).wantPath(t, "/sysadmin/accounts")
	return w
}

// act confirms an action on the console as the administrator.
func (w *sysadminWorld) act(id uint64, action string) *testPage {
	w.t.Helper()
	path := "/sysadmin/accounts/" + strconv.FormatUint(id, 10) + "/" + action
	return w.ac.submit(path, path, nil)
}

// The list shows role, login, organ, status and enrolment, and no citizen's
// personal data.
func TestSysadminListsAccountsWithoutPersonalData(t *testing.T) {
	t.Parallel()
	w := newSysadminWorld(t)
	p := w.ac.get("/account").wantPath(t, "/account")
	if _, ok := p.testid("sysadmin-console"); !ok {
		t.Fatal("no link to the console on the account page")
	}
	p = w.ac.get("/sysadmin/accounts").wantPath(t, "/sysadmin/accounts").
		wantText(t, "Accounts", "court-1", "测试市人民法院", portal.MaskMobile("13900008001")).
		noText(t, "13900008001", "测试用户", "测试工作人员")
	row := `data-testid="account-` + strconv.FormatUint(w.judge.ID, 10) + `"`
	if !strings.Contains(p.body, row) {
		t.Fatal("no row for the judge")
	}
	// The administrator enrolled at login; the judge has not signed in yet.
	if s, _ := p.testid("account-totp"); s != "Set up" {
		t.Fatalf("administrator's own 2FA column %q", s)
	}
	w.ac.setLang("zh-CN")
	w.ac.get("/sysadmin/accounts").wantText(t, "账户管理", "未设置")
	// Nobody else may open the console.
	jc := w.newClient()
	jc.login("court-1", pwStaff).wantPath(t, "/staff")
	jc.get("/sysadmin/accounts").wantStatus(t, http.StatusForbidden)
}

// Resetting an official's second factor ends the sessions (the old cookie
// stops working) and forces enrolment with a new secret at the next login.
func TestSysadminResetTOTPForcesReEnrolment(t *testing.T) {
	t.Parallel()
	w := newSysadminWorld(t)
	jc := w.newClient()
	jc.login("court-1", pwStaff).wantPath(t, "/staff")
	oldSecret := w.authenticator.secret("court-1")
	path := "/sysadmin/accounts/" + strconv.FormatUint(w.judge.ID, 10) + "/reset-totp"
	w.ac.get(path).wantPath(t, path).wantText(t, "Confirm: reset two-step verification", "court-1")
	w.act(w.judge.ID, "reset-totp").wantPath(t, "/sysadmin/accounts").
		wantText(t, "Two-step verification was reset and every session of the account has ended.")
	ev := w.accountAudits(portal.AuditTOTPReset, w.judge.ID)
	if len(ev) != 1 || ev[0].ActorID != w.admin.ID {
		t.Fatalf("reset audit %+v", ev)
	}
	jc.get("/staff").wantPath(t, "/login")
	mc := w.manualClient()
	p := mc.login("court-1", pwStaff).wantPath(t, "/account/totp/setup")
	codesPage, _ := enrolByHand(t, mc, p, "court-1")
	continueFrom(t, mc, codesPage).wantPath(t, "/staff")
	if w.authenticator.secret("court-1") == oldSecret {
		t.Fatal("re-enrolment kept the old secret")
	}
}

// Ending an account's sessions logs it out everywhere.
func TestSysadminEndsSessions(t *testing.T) {
	t.Parallel()
	w := newSysadminWorld(t)
	jc := w.newClient()
	jc.login("court-1", pwStaff).wantPath(t, "/staff")
	w.act(w.judge.ID, "end-sessions").wantPath(t, "/sysadmin/accounts").wantText(t, "Every session of the account has ended.")
	jc.get("/staff").wantPath(t, "/login")
	ev := w.accountAudits(portal.AuditSessionsEnded, w.judge.ID)
	if len(ev) != 1 || ev[0].ActorID != w.admin.ID {
		t.Fatalf("end-sessions audit %+v", ev)
	}
}

// Disabling stops the login and ends the sessions; enabling lets it back.
// The administrator cannot disable himself.
func TestSysadminDisableEnable(t *testing.T) {
	t.Parallel()
	w := newSysadminWorld(t)
	cc := w.newClient()
	cc.login("13900008001", pwMinor).wantPath(t, "/cases")
	w.act(w.citizen.ID, "disable").wantPath(t, "/sysadmin/accounts").wantText(t, "The account is disabled.")
	cc.get("/account").wantPath(t, "/login")
	cc.login("13900008001", pwMinor).wantStatus(t, http.StatusUnprocessableEntity)
	w.act(w.citizen.ID, "enable").wantPath(t, "/sysadmin/accounts")
	cc.login("13900008001", pwMinor).wantPath(t, "/cases")
	if len(w.accountAudits(portal.AuditAccountDisabled, w.citizen.ID)) != 2 {
		t.Fatal("disable and enable not both audited")
	}
	self := "/sysadmin/accounts/" + strconv.FormatUint(w.admin.ID, 10) + "/disable"
	w.ac.get(self).wantStatus(t, http.StatusForbidden)
	w.ac.get("/sysadmin/accounts/"+strconv.FormatUint(w.judge.ID, 10)+"/delete").wantStatus(t, http.StatusNotFound)
	// A post without the confirmation page's CSRF token is refused.
	w.ac.post("/sysadmin/accounts/"+strconv.FormatUint(w.judge.ID, 10)+"/disable", nil).wantStatus(t, http.StatusForbidden)
}
