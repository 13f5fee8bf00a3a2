package handlers

import (
	"net/http"
	"testing"

	"sealportal/portal"
)

// R15(a): an official of a judicial organ opens the query form from their
// own account, in the organ's name and as a judicial organ (for a case or
// recidivism prevention); the judicial administration is refused.
func TestJudicialOfficialsQueryFromTheirOwnAccounts(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	hash := func(p string) (string, error) { return hashFor(t, p), nil }
	for _, tc := range []struct {
		role   portal.Role
		login  string
		organ  string
		status int
	}{
		{portal.RoleProcuratorate, "jq-proc", "查询市人民检察院", http.StatusOK},
		{portal.RolePolice, "jq-police", "查询市公安局", http.StatusOK},
		{portal.RoleJudicialAdmin, "jq-sfj", "查询市司法局", http.StatusForbidden},
	} {
		a, _, err := ts.db.CreateOfficial(portal.NewOfficial{Role: tc.role, Organ: tc.organ, Name: "查询官员", Login: tc.login}, pwStaff, hash, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.db.ChangePassword(a.ID, hashFor(t, pwStaff), "t"); err != nil {
			t.Fatal(err)
		}
		c := ts.newClient()
		c.setLang("en")
		c.login(tc.login, pwStaff)
		p := c.get("/queries/new")
		if p.status != tc.status {
			t.Fatalf("%s: GET /queries/new = %d, want %d", tc.role, p.status, tc.status)
		}
		if tc.status == http.StatusOK {
			p.wantText(t, tc.organ, "Judicial organ")
			if _, ok := p.testid("nav-queries"); !ok {
				t.Errorf("%s: no link to queries in the header", tc.role)
			}
		}
	}
}
