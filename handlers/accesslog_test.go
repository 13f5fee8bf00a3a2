package handlers

import (
	"net/http"
	"strconv"
	"testing"

	"sealportal/portal"
)

// "Who looked at my record" (R17): empty until someone reads the record; an
// organ's read on duty is listed with the organ's name and the duty, never the
// official's name; the page is read-only and only for the case's own people.
func TestAccessLogListsDutyReads(t *testing.T) {
	w := newStaffWorld(t)
	c := w.submitted(w.court)
	path := "/cases/" + strconv.FormatUint(c.ID, 10) + "/access"

	person := w.newClient()
	person.setLang("en")
	person.login(w.minor.Login, staffPassword).wantStatus(t, http.StatusOK)
	p := person.get(path).wantPath(t, path)
	if _, ok := p.testid("access-none"); !ok {
		t.Fatalf("a record nobody read lists accesses:\n%s", excerpt(p))
	}
	if len(p.hiddenFields(path)) != 0 {
		t.Fatal("the access page has a form of its own: it is read-only")
	}

	judge := w.signIn(w.judge)
	judge.get("/staff/cases/"+strconv.FormatUint(c.ID, 10)).wantStatus(t, http.StatusOK)
	police := w.signIn(w.officer)
	police.get("/staff/cases/"+strconv.FormatUint(c.ID, 10)).wantStatus(t, http.StatusOK)

	p = person.get(path).wantPath(t, path)
	p.wantText(t, "Who looked at my record", "甲市人民法院", "甲市公安局", "Working on your case (their job)", "Read the case record")
	p.noText(t, "测试工作人员")
	if got, _ := p.testid("access-count"); got != "2 in all" {
		t.Fatalf("count %q", got)
	}
	// Newest first: the police read came last.
	if who, _ := p.testid("access-who"); who != "甲市公安局" {
		t.Fatalf("first entry %q, want the police (newest first)", who)
	}

	// Someone else's record: 404, like a case that does not exist.
	other := w.createCitizen(portal.RoleMinor, "13900003333", staffPassword)
	oc := w.newClient()
	oc.login(other.Login, staffPassword).wantStatus(t, http.StatusOK)
	oc.get(path).wantStatus(t, http.StatusNotFound)
	oc.get("/cases/999999/access").wantStatus(t, http.StatusNotFound)
	// Visitors are sent to sign in.
	w.newClient().get(path).wantPath(t, "/login")
}
