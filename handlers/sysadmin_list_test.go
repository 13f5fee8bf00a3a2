package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
)

// The administrator's list pages at 50 with filters by role and organ, finds
// an account by its exact login (in the body, never the URL), and returns to
// the same page after an action.
func TestSysadminListPagesFiltersAndReturns(t *testing.T) {
	t.Parallel()
	w := newSysadminWorld(t)
	fakeHash := func(string) (string, error) {
		return "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", nil
	}
	var police []uint64
	for i := range 120 {
		role, organ := portal.RoleCourt, "列表法院"
		if i%2 == 1 {
			role, organ = portal.RolePolice, "列表公安分局"
		}
		a, _, err := w.db.CreateOfficial(portal.NewOfficial{Role: role, Organ: organ, Name: "列表官员", Login: fmt.Sprintf("list-%03d", i)},
			"pw", fakeHash, 0)
		if err != nil {
			t.Fatal(err)
		}
		if role == portal.RolePolice {
			police = append(police, a.ID)
		}
	}
	rows := func(p *testPage) int {
		return strings.Count(p.body, `data-testid="account-`) - strings.Count(p.body, `data-testid="account-status"`) - strings.Count(p.body, `data-testid="account-totp"`)
	}

	first := w.ac.get("/sysadmin/accounts").wantPath(t, "/sysadmin/accounts")
	if n := rows(first); n != 50 {
		t.Fatalf("first page: %d rows, want 50", n)
	}
	if _, ok := first.testid("page-prev"); ok {
		t.Error("the first page offers a previous page")
	}
	next := nextHref(t, first, "page-next")
	second := w.ac.get(next).wantPath(t, "/sysadmin/accounts")
	if n := rows(second); n != 50 {
		t.Fatalf("second page: %d rows, want 50", n)
	}
	if _, ok := second.testid("page-prev"); !ok {
		t.Error("the second page has no previous page")
	}

	// Police only: 60 accounts, pages of 50 and 10, none of another role.
	pol := w.ac.get("/sysadmin/accounts?role=police").wantPath(t, "/sysadmin/accounts")
	if n := rows(pol); n != 50 || strings.Contains(pol.body, ">list-000<") {
		t.Fatalf("police filter: %d rows (court account shown: %v)", n, strings.Contains(pol.body, ">list-000<"))
	}
	pol2 := w.ac.get(nextHref(t, pol, "page-next")).wantPath(t, "/sysadmin/accounts")
	if n := rows(pol2); n != 10 {
		t.Fatalf("police page 2: %d rows, want 10", n)
	}

	// An action from page 2 of the police list returns to that page.
	target := police[55]
	path := "/sysadmin/accounts/" + strconv.FormatUint(target, 10) + "/disable?" + strings.TrimPrefix(nextHref(t, pol, "page-next"), "/sysadmin/accounts?")
	done := w.ac.submit(path, path, nil).wantPath(t, "/sysadmin/accounts")
	q := done.url.Query()
	if q.Get("role") != "police" || q.Get("after") == "" || q.Get("done") != "disable" {
		t.Errorf("after the action: %s, want the police list's second page", done.url.RequestURI())
	}
	if !strings.Contains(done.body, "list-111") {
		t.Errorf("the page returned to does not show the account acted on")
	}

	// Find by login: a hit shows that one account; the login is not in any URL.
	found := w.ac.submit("/sysadmin/accounts", "/sysadmin/accounts/find", url.Values{"login": {"LIST-007"}}).wantPath(t, "/sysadmin/accounts")
	if rows(found) != 1 || !strings.Contains(found.body, "list-007") {
		t.Fatalf("find: %d rows", rows(found))
	}
	for _, r := range append(found.redirects, found.url.RequestURI()) {
		if strings.Contains(strings.ToLower(r), "list-007") {
			t.Errorf("the login is in a URL: %s", r)
		}
	}
	// A citizen's mobile number finds the citizen (masked on the page).
	w.ac.submit("/sysadmin/accounts", "/sysadmin/accounts/find", url.Values{"login": {"139 0000 8001"}}).
		wantPath(t, "/sysadmin/accounts").wantText(t, portal.MaskMobile("13900008001"))
	// A miss says so and keeps what was typed.
	miss := w.ac.submit("/sysadmin/accounts", "/sysadmin/accounts/find", url.Values{"login": {"nobody-here"}})
	if miss.fieldError("login") == "" {
		t.Fatalf("a miss has no error on the field (status %d)", miss.status)
	}
	if v, _ := miss.inputValue("login"); v != "nobody-here" {
		t.Errorf("the typed login was lost: %q", v)
	}
}

func nextHref(t *testing.T, p *testPage, testid string) string {
	t.Helper()
	i := strings.Index(p.body, `data-testid="`+testid+`"`)
	if i < 0 {
		t.Fatalf("no %s link on %s", testid, p.url.RequestURI())
	}
	j := strings.LastIndex(p.body[:i], `href="`)
	k := strings.Index(p.body[j+6:], `"`)
	return strings.ReplaceAll(p.body[j+6:j+6+k], "&amp;", "&")
}

// The administrator opens an official's account from the web form: refused
// input keeps its values; the handover page shows the username and one-time
// password to that administrator only; the official signs in with them and
// must change the password; the audit log names the administrator.
func TestSysadminOpensAnOfficialsAccount(t *testing.T) {
	t.Parallel()
	w := newSysadminWorld(t)
	bad := w.ac.submit("/sysadmin/accounts/new", "/sysadmin/accounts/new", url.Values{"role": {"querying_unit"}, "organ": {"某市教育局"}, "name": {"王老师"}})
	if bad.fieldError("unit_kind") == "" {
		t.Fatalf("a querying unit without its kind was not refused on the field (status %d)", bad.status)
	}
	if v, _ := bad.inputValue("organ"); v != "某市教育局" {
		t.Errorf("the organ typed was lost: %q", v)
	}
	bad = w.ac.submit("/sysadmin/accounts/new", "/sysadmin/accounts/new", url.Values{"role": {"police"}, "name": {"李警官"}, "login": {"13900001111"}})
	if bad.fieldError("organ") == "" || bad.fieldError("login") == "" {
		t.Errorf("no organ and a mobile number as login: errors organ %q login %q", bad.fieldError("organ"), bad.fieldError("login"))
	}

	p := w.ac.submit("/sysadmin/accounts/new", "/sysadmin/accounts/new", url.Values{"role": {"police"}, "organ": {"新区公安分局"}, "name": {"李警官"}})
	p.wantPath(t, p.url.Path)
	if !strings.HasPrefix(p.url.Path, "/sysadmin/accounts/created/") {
		t.Fatalf("ended at %s", p.url.Path)
	}
	login, _ := p.testid("created-login")
	password, _ := p.testid("created-password")
	login, password = visible(login), visible(password)
	if !strings.HasPrefix(login, "police-") || len(password) != 20 {
		t.Fatalf("handover: login %q password %q", login, password)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the handover page may be cached: %q", p.header.Get("Cache-Control"))
	}
	// A refresh shows it again; another administrator gets nothing.
	w.ac.get(p.url.Path).wantPath(t, p.url.Path).wantText(t, password)
	w.createStaff(portal.RoleSysadmin, "sysadmin-2", pwStaff, false)
	other := w.newClient()
	other.login("sysadmin-2", pwStaff)
	if got := other.get(p.url.Path); got.status != http.StatusNotFound || strings.Contains(got.body, password) {
		t.Errorf("another administrator: status %d", got.status)
	}
	// The official signs in and must change the password first.
	oc := w.newClient()
	oc.login(login, password).wantPath(t, "/account/password")
	// The audit log names the administrator as the author.
	a, err := w.db.AccountByLogin(login)
	if err != nil {
		t.Fatal(err)
	}
	events, err := w.db.AuditBySubject("account", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var byAdmin bool
	for _, e := range events {
		if e.Action == portal.AuditAccountCreated && e.ActorID == w.admin.ID {
			byAdmin = true
		}
	}
	if !byAdmin {
		t.Errorf("no account-created entry by the administrator: %+v", events)
	}
}
