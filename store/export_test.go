package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// A stored hash in the real format, so that a leak of it would be found by
// its prefix.
const exportTestHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

// exportPerson is one citizen with a sent case, a message, a document, a
// relief draft with evidence, and a staff reply.
type exportPerson struct {
	acct     portal.Account
	caseID   uint64
	ref      string
	text     string // his message
	doc      []byte // his document's bytes
	relief   uint64
	reliefTx string // his relief description
}

func exportFixture(t *testing.T, db *DB, seq uint64, name, mobile, text string, court, police portal.Organ, staff portal.Account) exportPerson {
	t.Helper()
	cal := portal.DefaultCalendar()
	id := portal.SyntheticIDNumber(seq, portal.Date{Year: 2006, Month: 3, Day: 14}).String()
	a, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: mobile, Name: name, Mobile: mobile, IDNumber: id,
		PasswordHash: exportTestHash}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := exportPerson{acct: a, text: text, doc: []byte("%PDF-1.4 content of " + name), reliefTx: "单位拒绝录用" + name}
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = name, id
		c.DecidingOrganID, c.OrganCaseNumber = court.ID, "(2023)演刑初字第"+name+"号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2023, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 36}
		c.HoldingOrganIDs = []uint64{court.ID, police.ID}
		c.DeclaredTrue = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddDocument(c.ID, portal.Document{Kind: portal.DocJudgment, Name: "judgment-" + mobile + ".pdf", MediaType: portal.MediaPDF, UploadedBy: a.ID}, p.doc); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddDocument(c.ID, portal.Document{Kind: portal.DocIdentity, Name: "id.pdf", MediaType: portal.MediaPDF, UploadedBy: a.ID}, []byte("%PDF-1.4 id")); err != nil {
		t.Fatal(err)
	}
	c, err = db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: a.ID, Role: a.Role}, cal)
	if err != nil {
		t.Fatal(err)
	}
	p.caseID, p.ref = c.ID, c.Ref
	if _, err := db.AddMessage(portal.Message{CaseID: c.ID, From: a.ID, FromRole: a.Role, Text: text}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddMessage(portal.Message{CaseID: c.ID, From: staff.ID, FromRole: staff.Role, OrganID: court.ID, Text: "法院回复" + name}, nil); err != nil {
		t.Fatal(err)
	}
	// The court reads the case on duty: the access log shows it (R17).
	if _, err := db.CaseForStaff(c.ID, staff, portal.FreshFactor{}, "case_duty", "req-1"); err != nil {
		t.Fatal(err)
	}
	r, err := db.CreateReliefDraft(portal.ReliefRequest{Capacity: portal.CapacitySelf, Kind: portal.ReliefJob,
		HappenedOn: portal.Date{Year: 2026, Month: 1, Day: 5}, UnitName: "某公司", UnitKind: portal.UnitEmployer,
		Description: p.reliefTx, Remedies: []portal.ReliefRemedy{portal.RemedyReinstatement}}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddReliefDocuments(r.ID, a.ID, []portal.Document{{Name: "evidence.pdf", MediaType: portal.MediaPDF}}, [][]byte{[]byte("%PDF-1.4 evidence " + name)}); err != nil {
		t.Fatal(err)
	}
	p.relief = r.ID
	if err := db.RecordLoginSuccess(a.ID, "", "req-login"); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSession([]byte("session-hash-of-"+mobile+"-32-bytes-long!"), portal.Session{AccountID: a.ID, Role: a.Role,
		CreatedAt: db.now(), LastSeen: db.now()}); err != nil {
		t.Fatal(err)
	}
	return p
}

func exportFixtures(t *testing.T) (*DB, exportPerson, exportPerson, portal.Account) {
	t.Helper()
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		t.Fatal(err)
	}
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	staff, err := db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "court-judge", Name: "审判员丙", Organ: court.Name,
		OrganID: court.ID, PasswordHash: exportTestHash}, 0)
	if err != nil {
		t.Fatal(err)
	}
	a := exportFixture(t, db, 7, "张小明", "13800000001", "甲的留言：请尽快处理", court, police, staff)
	b := exportFixture(t, db, 8, "李小红", "13900000002", "乙的留言：另一件事", court, police, staff)
	return db, a, b, staff
}

// The export holds what was created for the account and nothing of another
// account: the second citizen's name, number, mobile, texts and file bytes
// appear nowhere in the first one's file, and no secret does either.
func TestExportAccountHoldsOwnDataOnly(t *testing.T) {
	db, a, b, staff := exportFixtures(t)
	// A draft of the first person's: listed, and deletable.
	draft, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, a.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := db.ExportAccount(a.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(exp)
	if err != nil {
		t.Fatal(err)
	}
	if exp.Version != portal.ExportVersion || exp.Scope != portal.ExportScopeCitizen || exp.GeneratedAt.IsZero() {
		t.Errorf("header: %q %q %v", exp.Version, exp.Scope, exp.GeneratedAt)
	}
	if exp.Account.Name != a.acct.Name || exp.Account.IDNumber != a.acct.IDNumber || exp.Account.Mobile != a.acct.Mobile {
		t.Errorf("account: %+v", exp.Account)
	}
	if exp.Account.LastLogin.IsZero() {
		t.Error("last login missing")
	}
	if len(exp.Sessions) != 1 {
		t.Errorf("sessions: %d, want 1", len(exp.Sessions))
	}
	rec := exp.Citizen
	if rec == nil {
		t.Fatal("no citizen records")
	}
	if len(rec.Cases) != 2 {
		t.Fatalf("cases: %d, want 2 (sent and draft)", len(rec.Cases))
	}
	var sent, dr portal.ExportedCase
	for _, c := range rec.Cases {
		switch c.ID {
		case a.caseID:
			sent = c
		case draft.ID:
			dr = c
		}
	}
	if sent.Ref != a.ref || sent.Relation != portal.ExportRelApplicant || sent.Deletable || sent.Application == nil ||
		sent.Application.PersonName != a.acct.Name || len(sent.Messages) != 2 || len(sent.Documents) != 2 || len(sent.Timeline) == 0 {
		t.Errorf("sent case: %+v", sent)
	}
	if sent.Messages[1].FromOrgan != "演示市人民法院" || sent.Messages[1].FromYou || !sent.Messages[0].FromYou {
		t.Errorf("messages: %+v", sent.Messages)
	}
	if !dr.Deletable {
		t.Errorf("draft not deletable: %+v", dr)
	}
	// Two case documents and one piece of relief evidence, with contents.
	if len(rec.Documents) != 3 || rec.DocumentContents.Truncated || rec.DocumentContents.Included != 3 {
		t.Errorf("documents: %d, contents %+v", len(rec.Documents), rec.DocumentContents)
	}
	if !bytes.Equal(rec.Documents[0].Content, a.doc) {
		t.Errorf("first document's content %q, want %q", rec.Documents[0].Content, a.doc)
	}
	if len(rec.Relief) != 1 || rec.Relief[0].Description != a.reliefTx || !rec.Relief[0].Deletable {
		t.Errorf("relief: %+v", rec.Relief)
	}
	if len(rec.Notifications) == 0 {
		t.Error("no notifications (the court's message notifies)")
	}
	if len(rec.AccessLog) != 1 || rec.AccessLog[0].Who != "演示市人民法院" || rec.AccessLog[0].Duty != "case_duty" ||
		rec.AccessLog[0].CaseRef != a.ref || rec.AccessLog[0].Role != portal.RoleCourt {
		t.Errorf("access log: %+v", rec.AccessLog)
	}
	s := string(raw)
	for _, want := range []string{a.acct.Name, a.acct.IDNumber, a.text, a.reliefTx, base64.StdEncoding.EncodeToString(a.doc)} {
		if !strings.Contains(s, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	for _, leak := range []string{b.acct.Name, b.acct.IDNumber, b.acct.Mobile, b.text, b.reliefTx, b.ref, "法院回复" + b.acct.Name,
		string(b.doc), base64.StdEncoding.EncodeToString(b.doc), "$argon2id", exportTestHash, staff.Name, staff.Login} {
		if strings.Contains(s, leak) {
			t.Errorf("export of %s contains %q", a.acct.Name, leak)
		}
	}
}

// An official's export is his own account only: no case, no case contents,
// no citizen's data, no secret.
func TestExportStaffHasNoCaseContents(t *testing.T) {
	db, a, b, staff := exportFixtures(t)
	exp, err := db.ExportAccount(staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if exp.Scope != portal.ExportScopeStaff || exp.Citizen != nil {
		t.Fatalf("staff export: scope %q, citizen %v", exp.Scope, exp.Citizen)
	}
	if exp.Account.Name != staff.Name || exp.Account.Organ != "演示市人民法院" {
		t.Errorf("account: %+v", exp.Account)
	}
	raw, _ := json.Marshal(exp)
	for _, p := range []exportPerson{a, b} {
		for _, leak := range []string{p.acct.Name, p.acct.IDNumber, p.ref, p.text, "$argon2id"} {
			if strings.Contains(string(raw), leak) {
				t.Errorf("staff export contains %q", leak)
			}
		}
	}
}

// Document contents stop at the cap; the export says which were left out.
func TestExportContentCap(t *testing.T) {
	db := newTestDB(t)
	a, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000009", Name: "王小五", Mobile: "13800000009",
		IDNumber: portal.SyntheticIDNumber(9, portal.Date{Year: 2007, Month: 5, Day: 1}).String(), PasswordHash: exportTestHash}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 8<<20)
	for range 3 {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: portal.DocOther, Name: "big.pdf", MediaType: portal.MediaPDF, UploadedBy: a.ID}, big); err != nil {
			t.Fatal(err)
		}
	}
	exp, err := db.ExportAccount(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	dc := exp.Citizen.DocumentContents
	if !dc.Truncated || dc.Included != 2 || dc.Omitted != 1 || dc.IncludedBytes != 16<<20 || dc.CapBytes != portal.ExportContentCap {
		t.Errorf("contents: %+v", dc)
	}
	docs := exp.Citizen.Documents
	if len(docs) != 3 || docs[2].Content != nil || !docs[2].ContentOmitted || len(docs[0].Content) != 8<<20 {
		t.Errorf("third document: omitted %v, content %d bytes", docs[2].ContentOmitted, len(docs[2].Content))
	}
	// The page's summary carries no contents at all.
	sum, err := db.ExportAccountSummary(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sum.Citizen.Documents {
		if d.Content != nil {
			t.Fatal("summary carries document contents")
		}
	}
}

// A relief draft is deleted by its filer only, with its files; a sent
// request is kept (R11's spirit: what was sent joins a procedure).
func TestDeleteReliefDraft(t *testing.T) {
	db, a, b, _ := exportFixtures(t)
	if err := db.DeleteReliefDraft(a.relief, b.acct.ID, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("another account's delete: %v, want not found", err)
	}
	if err := db.DeleteReliefDraft(a.relief, a.acct.ID, "req"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Relief(a.relief); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("deleted draft still there: %v", err)
	}
	if list, _ := db.ReliefOfAccount(a.acct.ID); len(list) != 0 {
		t.Errorf("index still lists %d", len(list))
	}
	if _, err := db.ApplyRelief(b.relief, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: b.acct.ID, Role: b.acct.Role}, portal.DefaultCalendar()); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteReliefDraft(b.relief, b.acct.ID, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("sent request delete: %v, want conflict", err)
	}
	evs, err := db.AuditBySubject(kindRelief, a.relief)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Action != portal.AuditDraftDeleted || last.ActorID != a.acct.ID {
		t.Errorf("last audit entry %+v", last)
	}
}

// An unsent leak report is deleted by the browser that holds its token.
func TestDeleteLeakDraft(t *testing.T) {
	db := newTestDB(t)
	token := strings.Repeat("t", 43)
	d, err := db.SaveLeakDraft(token, portal.LeakReport{Disclosed: "在公告栏看到"}, []portal.Document{{Name: "photo.png", MediaType: "image/png"}},
		[][]byte{[]byte("png bytes")})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteLeakDraft(strings.Repeat("u", 43), 0, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("other token: %v, want not found", err)
	}
	if err := db.DeleteLeakDraft(token, 5, "req"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LeakDraft(token); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("draft still there: %v", err)
	}
	if err := db.DeleteLeakDraft(token, 5, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("second delete: %v, want not found", err)
	}
	evs, _ := db.AuditBySubject(kindLeak, d.ID)
	if len(evs) != 1 || evs[0].Action != portal.AuditDraftDeleted {
		t.Errorf("audit: %+v", evs)
	}
}
