package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// "My data" through the real router: the page in both languages, the JSON
// download, deleting drafts (and not deleting what was sent), the staff
// version, and the audit entry each reading leaves.

// mydataWorld is a court, a judge, and two citizens each with a sent case
// the judge has read and answered, plus a relief draft with evidence.
type mydataWorld struct {
	*casesWorld
	a, b         portal.Account
	caseA, caseB portal.Case
	reliefA      portal.ReliefRequest
	textA, textB string
}

func newMydataWorld(t *testing.T) *mydataWorld {
	t.Helper()
	w := &mydataWorld{casesWorld: newCasesWorld(t), textA: "甲的留言：请尽快处理", textB: "乙的留言：另一件事"}
	w.a = w.citizen(portal.RoleMinor, "13800000101", "张小明", testIDNumber(idSeq.Add(1), portal.Date{Year: 2008, Month: 4, Day: 1}))
	w.b = w.citizen(portal.RoleMinor, "13900000202", "李小红", testIDNumber(idSeq.Add(1), portal.Date{Year: 2008, Month: 5, Day: 1}))
	for _, p := range []struct {
		acct *portal.Account
		cs   *portal.Case
		text string
	}{{&w.a, &w.caseA, w.textA}, {&w.b, &w.caseB, w.textB}} {
		*p.cs = w.submit(w.draft(*p.acct, p.acct.Name, p.acct.IDNumber), *p.acct)
		if _, err := w.db.AddMessage(portal.Message{CaseID: p.cs.ID, From: p.acct.ID, FromRole: p.acct.Role, Text: p.text}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.AddMessage(portal.Message{CaseID: p.cs.ID, From: w.judge.ID, FromRole: portal.RoleCourt, OrganID: w.court.ID,
			Text: "法院回复" + p.acct.Name}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.CaseForStaff(p.cs.ID, w.judge, portal.ProveFreshFactor(w.judge.ID, w.clock.Now()), purposeCaseDuty, "req"); err != nil {
			t.Fatal(err)
		}
	}
	r, err := w.db.CreateReliefDraft(portal.ReliefRequest{Capacity: portal.CapacitySelf, Kind: portal.ReliefJob,
		HappenedOn: portal.Date{Year: 2026, Month: 1, Day: 5}, UnitName: "某公司", UnitKind: portal.UnitEmployer,
		Description: "单位拒绝录用张小明", Remedies: []portal.ReliefRemedy{portal.RemedyReinstatement}}, w.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddReliefDocuments(r.ID, w.a.ID, []portal.Document{{Name: "evidence.pdf", MediaType: portal.MediaPDF}},
		[][]byte{[]byte("%PDF-1.4 evidence of A")}); err != nil {
		t.Fatal(err)
	}
	w.reliefA = r
	return w
}

// mydataDownload fetches the JSON file and checks the headers of a download
// that is never cached.
func mydataDownload(t *testing.T, c *testClient) ([]byte, portal.AccountExport) {
	t.Helper()
	p := c.get("/account/data.json").wantStatus(t, http.StatusOK)
	if cd := p.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".json") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var exp portal.AccountExport
	if err := json.Unmarshal([]byte(p.body), &exp); err != nil {
		t.Fatalf("the download does not parse: %v", err)
	}
	if exp.Version != portal.ExportVersion {
		t.Errorf("version %q", exp.Version)
	}
	return []byte(p.body), exp
}

// The page says in both languages what each part is, that sealed records
// are kept (R11) and which drafts may be deleted; personal numbers are
// masked on screen.
func TestMyDataPageInBothLanguages(t *testing.T) {
	w := newMydataWorld(t)
	c := w.signIn(w.a)
	p := c.get("/account/data").wantStatus(t, http.StatusOK)
	mydataNoRawKeys(t, p)
	p.wantText(t, "My data", "Sealed case records are never deleted", "Implementation Measures on the Sealing of Juvenile Criminal Records", "张小明", w.caseA.Ref, w.textA, "演示市人民法院",
		"Who looked at your sealed records", "Draft relief request")
	p.noText(t, w.a.IDNumber, w.a.Mobile, w.b.Name, w.caseB.Ref, w.textB)
	// Issue 16: the law's article, never the portal's rule id.
	if m := regexp.MustCompile(`\bR[0-9]+\b`).FindString(p.text()); m != "" {
		t.Errorf("the page shows the rule id %s", m)
	}
	for _, id := range []string{"mydata-r11", "mydata-account", "mydata-sessions", "mydata-case", "mydata-documents", "mydata-access", "download-json"} {
		if _, ok := p.testid(id); !ok {
			t.Errorf("the page has no %s", id)
		}
	}
	if !strings.Contains(p.body, `href="`+mydataReliefDeletePath(w.reliefA.ID)+`"`) {
		t.Error("no delete link for the relief draft")
	}
	c.setLang("zh-CN")
	p = c.get("/account/data").wantStatus(t, http.StatusOK)
	mydataNoRawKeys(t, p)
	p.wantText(t, "我的数据", "封存的案件记录不会被删除", "关于未成年人犯罪记录封存的实施办法", "谁查看过你的封存记录", "救济申请草稿")
}

// The download parses, carries the person's records with working download
// links and his files' contents, nothing of the other citizen, no secret; and
// each reading is in the audit log with ids only.
func TestMyDataJSONDownload(t *testing.T) {
	w := newMydataWorld(t)
	c := w.signIn(w.a)
	raw, exp := mydataDownload(t, c)
	if exp.Scope != portal.ExportScopeCitizen || exp.Citizen == nil || exp.Account.IDNumber != w.a.IDNumber {
		t.Fatalf("export: scope %q, account %+v", exp.Scope, exp.Account)
	}
	rec := exp.Citizen
	if len(rec.Cases) != 1 || rec.Cases[0].Ref != w.caseA.Ref || len(rec.Cases[0].Messages) != 2 || len(rec.AccessLog) != 1 {
		t.Fatalf("records: %d cases, %d accesses", len(rec.Cases), len(rec.AccessLog))
	}
	// Three case documents (judgment, identity) and one piece of evidence.
	if len(rec.Documents) != 3 || rec.DocumentContents.Truncated {
		t.Fatalf("documents: %+v", rec.DocumentContents)
	}
	for _, d := range rec.Documents {
		if d.DownloadPath == "" || len(d.Content) != d.Size {
			t.Errorf("document %d: path %q, %d bytes of %d", d.ID, d.DownloadPath, len(d.Content), d.Size)
			continue
		}
		got := c.get(d.DownloadPath).wantStatus(t, http.StatusOK)
		if !bytes.Equal([]byte(got.body), d.Content) {
			t.Errorf("%s serves other bytes than the export carries", d.DownloadPath)
		}
	}
	for _, leak := range []string{"$argon2id", w.b.Name, w.b.IDNumber, w.b.Mobile, w.caseB.Ref, w.textB, "法院回复" + w.b.Name, w.judge.Name, w.judge.Login} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("the download contains %q", leak)
		}
	}
	evs, err := w.db.AuditBySubject("account", w.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Action != portal.AuditDataExport || last.ActorID != w.a.ID || last.SubjectID != w.a.ID || last.Detail != "json" {
		t.Errorf("last audit entry %+v, want data_export json by the account", last)
	}
	c.get("/account/data").wantStatus(t, http.StatusOK)
	evs, _ = w.db.AuditBySubject("account", w.a.ID)
	if last := evs[len(evs)-1]; last.Action != portal.AuditDataExport || last.Detail != "page" {
		t.Errorf("reading the page left %+v", last)
	}
	// The next file lists the earlier readings among the account's history.
	_, exp = mydataDownload(t, c)
	n := 0
	for _, a := range exp.Activity {
		if a.Action == portal.AuditDataExport && a.ByYou {
			n++
		}
	}
	if n != 2 {
		t.Errorf("history lists %d exports, want 2", n)
	}
}

// A relief draft is deleted from "my data" after a confirmation; another
// account gets a 404 and nothing is deleted; a sent request is kept (409).
func TestMyDataReliefDraftDelete(t *testing.T) {
	w := newMydataWorld(t)
	path := mydataReliefDeletePath(w.reliefA.ID)
	other := w.signIn(w.b)
	other.get(path).wantStatus(t, http.StatusNotFound)
	other.submit("/account/data", path, nil).wantStatus(t, http.StatusNotFound)
	if _, err := w.db.Relief(w.reliefA.ID); err != nil {
		t.Fatalf("a foreign delete removed the draft: %v", err)
	}
	c := w.signIn(w.a)
	c.get(path).wantStatus(t, http.StatusOK).wantText(t, "Delete the draft relief request?")
	p := c.submit(path, path, nil).wantPath(t, "/account/data")
	p.wantText(t, "The draft has been deleted.")
	if _, err := w.db.Relief(w.reliefA.ID); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("draft still there: %v", err)
	}
	// A sent request cannot be deleted.
	r, err := w.db.CreateReliefDraft(portal.ReliefRequest{Capacity: portal.CapacitySelf, Kind: portal.ReliefSchool,
		HappenedOn: portal.Date{Year: 2026, Month: 1, Day: 5}, UnitName: "某学校", UnitKind: portal.UnitSchool,
		Description: "学校拒绝入学", Remedies: []portal.ReliefRemedy{portal.RemedyReinstatement}}, w.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ApplyRelief(r.ID, store.ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: w.a.ID, Role: w.a.Role}, w.cal); err != nil {
		t.Fatal(err)
	}
	sent := mydataReliefDeletePath(r.ID)
	c.get(sent).wantStatus(t, http.StatusConflict)
	c.submit("/account/data", sent, nil).wantStatus(t, http.StatusConflict)
	if got, err := w.db.Relief(r.ID); err != nil || got.Status != portal.ReliefSubmitted {
		t.Fatalf("the sent request changed: %v %v", got.Status, err)
	}
}

// The page links an application draft to its existing delete route, which
// deletes it; a sent application is refused and kept (R11).
func TestMyDataApplicationDraftDelete(t *testing.T) {
	w := newMydataWorld(t)
	d, err := w.db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, w.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	del := applyPath(d.ID, "delete")
	c := w.signIn(w.a)
	if p := c.get("/account/data"); !strings.Contains(p.body, `href="`+del+`"`) {
		t.Fatal("no delete link for the application draft")
	}
	c.submit(del, del, nil).wantStatus(t, http.StatusOK)
	if _, err := w.db.Case(d.ID); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("draft still there: %v", err)
	}
	sent := applyPath(w.caseA.ID, "delete")
	c.submit("/account/data", sent, nil).wantStatus(t, http.StatusConflict)
	if got, err := w.db.Case(w.caseA.ID); err != nil || got.Status != portal.StatusSubmitted {
		t.Fatalf("the sent application changed: %v %v", got.Status, err)
	}
	if p := c.get("/account/data"); strings.Contains(p.body, `href="`+sent+`"`) {
		t.Error("a sent application is offered for deletion")
	}
}

// This browser's unsent leak report is shown and can be deleted; without one
// the delete route is a 404.
func TestMyDataLeakDraftDelete(t *testing.T) {
	w := newMydataWorld(t)
	c := w.signIn(w.a)
	c.get("/account/data/leak-draft/delete").wantStatus(t, http.StatusNotFound)
	token := strings.Repeat("k", 43)
	if _, err := w.db.SaveLeakDraft(token, portal.LeakReport{Disclosed: "在公告栏看到"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	c.setCookie("__Host-leakdraft", token)
	if _, ok := c.get("/account/data").testid("mydata-leak-draft"); !ok {
		t.Fatal("the page does not show this browser's unsent report")
	}
	c.get("/account/data/leak-draft/delete").wantStatus(t, http.StatusOK)
	c.submit("/account/data/leak-draft/delete", "/account/data/leak-draft/delete", nil).wantPath(t, "/account/data")
	if _, err := w.db.LeakDraft(token); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("leak draft still there: %v", err)
	}
}

// An official's data is his own account only: no case, no citizen's data,
// no password hash, no second-factor secret.
func TestMyDataStaffExportHasNoCaseContents(t *testing.T) {
	w := newMydataWorld(t)
	c := w.signIn(w.judge)
	p := c.get("/account/data").wantStatus(t, http.StatusOK)
	if _, ok := p.testid("mydata-staff-note"); !ok {
		t.Error("the staff page does not say why no case is listed")
	}
	p.noText(t, w.caseA.Ref, w.a.Name, w.textA)
	raw, exp := mydataDownload(t, c)
	if exp.Scope != portal.ExportScopeStaff || exp.Citizen != nil || exp.Account.Login != w.judge.Login {
		t.Fatalf("staff export: scope %q, account %+v", exp.Scope, exp.Account)
	}
	if !exp.Account.TwoFactorEnabled {
		t.Error("the judge enrolled a second factor at sign-in; the export should say so")
	}
	secret := w.authenticator.secret(w.judge.Login)
	if secret == "" {
		t.Fatal("the judge's second-factor secret is not known to the test")
	}
	for _, leak := range []string{"$argon2id", secret, w.caseA.Ref, w.caseB.Ref, w.a.Name, w.b.Name, w.textA, "法院回复"} {
		if leak != "" && bytes.Contains(raw, []byte(leak)) {
			t.Errorf("the staff download contains %q", leak)
		}
	}
	// The system administrator sees his own account the same way.
	admin := w.createStaff(portal.RoleSysadmin, "admin1", casesPassword, false)
	ac := w.newClient()
	ac.login(admin.Login, casesPassword).wantStatus(t, http.StatusOK)
	ac.get("/account/data").wantStatus(t, http.StatusOK).noText(t, w.caseA.Ref)
	_, aexp := mydataDownload(t, ac)
	if aexp.Scope != portal.ExportScopeStaff || aexp.Citizen != nil {
		t.Errorf("sysadmin export: %q", aexp.Scope)
	}
	// Relief drafts are a citizen's: officials are refused the route.
	c.get(mydataReliefDeletePath(w.reliefA.ID)).wantStatus(t, http.StatusForbidden)
}

var mydataRawKeyRE = regexp.MustCompile(`\b(mydata|accesslog|relief|leak|cert|apply|status|role|account|register)\.[a-z_.]+[a-z]`)

// mydataNoRawKeys fails when a message key shows instead of its text.
func mydataNoRawKeys(t *testing.T, p *testPage) {
	t.Helper()
	casesNoRawKeys(t, p)
	if k := mydataRawKeyRE.FindString(p.text()); k != "" {
		t.Errorf("%s shows the raw message key %q", p.url.RequestURI(), k)
	}
}

// Every message key this area shows is in the catalogue, including those
// made from a draft's kind, a relation, an account event or a note.
func TestMyDataMessagesExist(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, file := range []string{"mydata.go", "../views/mydata.templ"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(mydata\.[a-z_.]*[a-z_])"`).FindAllStringSubmatch(string(src), -1) {
			keys = append(keys, m[1])
		}
	}
	for _, k := range []string{"draft.application", "draft.relief", "relation." + portal.ExportRelApplicant, "relation." + portal.ExportRelGuardian,
		"relation." + portal.ExportRelLawyer, "relation." + portal.ExportRelPerson, "where." + portal.ExportInCase, "where." + portal.ExportInRelief,
		"delete.relief.title", "delete.leak.title", "action.other", "account_link"} {
		keys = append(keys, "mydata."+k)
	}
	for _, a := range []portal.AuditAction{portal.AuditLogin, portal.AuditLoginFailed, portal.AuditLockout, portal.AuditLogout,
		portal.AuditAccountCreated, portal.AuditAccountDisabled, portal.AuditPasswordChanged, portal.AuditSessionsEnded, portal.AuditDataExport} {
		keys = append(keys, "mydata.action."+string(a))
	}
	for _, k := range []string{"version", "account", "sessions", "activity", "keeping", "cases", "documents", "contents", "access", "staff"} {
		keys = append(keys, "mydata.note."+k)
	}
	for _, k := range keys {
		if strings.HasSuffix(k, ".") || k == "mydata.note" || k == "mydata.action" {
			continue // prefixes, completed above
		}
		if !views.HasMessage(k) {
			t.Errorf("no message %q", k)
		}
	}
}
