package store

import (
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

func leakInput(seen portal.Date) portal.LeakReport {
	return portal.LeakReport{PlaceKind: portal.LeakPlaceWebsite, PlaceDetail: "https://example.org/list", SeenOn: seen,
		Disclosed: "判决书照片", SourceKind: portal.LeakSourceUnit, SourceName: "某中学", ContactName: "匿名举报人甲"}
}

// sendLeak drafts and sends a report, returning it and its tracking code.
func sendLeak(t *testing.T, db *DB, in portal.LeakReport, token string) (portal.LeakReport, string) {
	t.Helper()
	if _, err := db.SaveLeakDraft(token, in, []portal.Document{{Name: "shot.png", MediaType: portal.MediaPNG}},
		[][]byte{[]byte("\x89PNG\r\n\x1a\nleak-evidence-bytes")}); err != nil {
		t.Fatal(err)
	}
	r, code, err := db.SubmitLeakReport(token, portal.DefaultCalendar(), "req-1")
	if err != nil {
		t.Fatal(err)
	}
	return r, code
}

func TestMigration5LeakBuckets(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	err := db.view(func(tx kv.Tx) error {
		for _, b := range leakBuckets() {
			if tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing after migration 5", b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A report is drafted, checked and sent; its tracking code opens it, in any
// spelling a person might type, and is nowhere in the file.
func TestLeakReportLifecycle(t *testing.T) {
	t.Parallel()
	rest := watchAtRest(t)
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 10, 10, 0, 0, 0, portal.China)) // a Tuesday
	db.now = clock

	// A draft may be incomplete; sending it is refused with per-field problems.
	d, err := db.SaveLeakDraft("browser-1", portal.LeakReport{PlaceKind: portal.LeakPlaceWebsite}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != portal.LeakDraft || d.ID == 0 {
		t.Fatalf("draft %+v", d)
	}
	_, _, err = db.SubmitLeakReport("browser-1", portal.DefaultCalendar(), "")
	if pe, ok := portal.AsError(err); !ok || pe.Fields["disclosed"] != "leak.disclosed_required" || pe.Fields["place_detail"] == "" {
		t.Fatalf("incomplete draft sent: %v", err)
	}
	// Another browser's token sees nothing.
	if _, err := db.LeakDraft("browser-2"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("foreign draft: %v", err)
	}
	// The same browser completes it; files are kept across edits.
	if _, err := db.SaveLeakDraft("browser-1", leakInput(portal.Date{Year: 2026, Month: 3, Day: 1}),
		[]portal.Document{{Name: "a.pdf", MediaType: portal.MediaPDF}}, [][]byte{[]byte("%PDF-1.4 first")}); err != nil {
		t.Fatal(err)
	}
	r, code := sendLeak(t, db, leakInput(portal.Date{Year: 2026, Month: 3, Day: 1}), "browser-1")
	if r.Status != portal.LeakReceived || r.Ref != "LK-2026-000001" || len(r.Documents) != 2 {
		t.Fatalf("sent report %+v", r)
	}
	// 15 working days from Tuesday 10 March 2026 (no holiday in between).
	if want := (portal.Date{Year: 2026, Month: 3, Day: 31}); r.Due != want {
		t.Fatalf("due %s, want %s", r.Due, want)
	}
	if _, err := db.LeakDraft("browser-1"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("draft still there after sending: %v", err)
	}
	for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", " ")} {
		got, err := db.LeakByCode(typed)
		if err != nil || got.ID != r.ID {
			t.Fatalf("LeakByCode(%q) = %d, %v", typed, got.ID, err)
		}
	}
	for _, wrong := range []string{"", "ABCD-EFGH-JKMN-PQRS-TUVW", code[:len(code)-1], r.Ref} {
		if _, err := db.LeakByCode(wrong); portal.ErrorCode(err) != portal.CodeNotFound {
			t.Fatalf("LeakByCode(%q): %v", wrong, err)
		}
	}

	// More information later, while open.
	r, err = db.AddLeakInformation(code, "又在公告栏看到了", []portal.Document{{Name: "b.jpg", MediaType: portal.MediaJPEG}},
		[][]byte{[]byte("\xff\xd8\xff more")}, "")
	if err != nil || len(r.Documents) != 3 || r.Events[len(r.Events)-1].Public != "又在公告栏看到了" {
		t.Fatalf("add information: %v %+v", err, r)
	}
	if _, err := db.AddLeakInformation(code, " ", nil, nil, ""); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("empty addition: %v", err)
	}

	sup := portal.Account{ID: 99, Role: portal.RoleSupervisor}
	got, err := db.LeakForSupervisor(r.ID, sup, portal.FreshFactor{}, "req-2")
	if err != nil || got.ContactName != "匿名举报人甲" {
		t.Fatalf("supervisor read: %v %+v", err, got)
	}
	doc, content, err := db.LeakDocumentForSupervisor(r.ID, r.Documents[2].ID, sup, portal.FreshFactor{}, "req-3")
	if err != nil || doc.Name != "b.jpg" || string(content) != "\xff\xd8\xff more" {
		t.Fatalf("document: %v %q %q", err, doc.Name, content)
	}
	// A document id of another report does not open under this one.
	if _, _, err := db.LeakDocumentForSupervisor(r.ID+1, r.Documents[2].ID, sup, portal.FreshFactor{}, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("document under another id: %v", err)
	}

	// R25: closing needs an investigation first, then the outcome.
	step := func(a portal.LeakAction) LeakStep {
		return LeakStep{Action: a, AccountID: sup.ID, Role: sup.Role}
	}
	if _, err := db.ApplyLeakStep(r.ID, step(portal.LeakClose)); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("closed before investigating: %v", err)
	}
	if _, err := db.ApplyLeakStep(r.ID, step(portal.LeakStart)); err != nil {
		t.Fatal(err)
	}
	st := step(portal.LeakRecordFindings)
	st.Findings = &portal.LeakFindings{SourceIdentified: true, Source: "某中学教务处", Stopped: portal.LeakStopTakenDown, PersonInformed: true}
	st.Internal = "电话核实"
	if _, err := db.ApplyLeakStep(r.ID, st); err != nil {
		t.Fatal(err)
	}
	_, err = db.ApplyLeakStep(r.ID, step(portal.LeakClose))
	pe, ok := portal.AsError(err)
	if !ok || pe.Code != portal.CodeInvalid || pe.Fields["responsible"] == "" || pe.Fields["measure"] == "" || pe.Fields["outcome_date"] == "" {
		t.Fatalf("closed without an outcome: %v", err)
	}
	advance(24 * time.Hour)
	st = step(portal.LeakClose)
	st.Outcome = &portal.LeakOutcome{Responsible: portal.LeakResponsibleUnit, ResponsibleName: "某中学", Measure: portal.LeakMeasureCorrectionNotice,
		Date: portal.Date{Year: 2026, Month: 3, Day: 11}, Summary: "已发出纠正意见"}
	r, err = db.ApplyLeakStep(r.ID, st)
	if err != nil || r.Status != portal.LeakClosed || r.Outcome == nil || !r.Due.IsZero() {
		t.Fatalf("close: %v %+v", err, r)
	}
	if _, err := db.AddLeakInformation(code, "还有", nil, nil, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("addition to a closed report: %v", err)
	}

	// Everything survives a restart; the code, in any form, is not in the file.
	db = reopenTestDB(t, db)
	if got, err := db.LeakByCode(code); err != nil || got.Status != portal.LeakClosed || got.Findings.Source != "某中学教务处" {
		t.Fatalf("after reopen: %v %+v", err, got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	compact, _ := portal.NormalizeTrackingCode(code)
	assertNoUTF8AtRest(t, rest, db.Path(), nil, "leak report", []string{code, compact, "匿名举报人甲", "判决书照片", "某中学教务处", "leak-evidence-bytes", "又在公告栏看到了"})
}

// The supervisor's list: nearest deadline first, overdue first, closed last,
// filtered by status and overdue.
func TestLeakQueue(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)) // a Monday
	db.now = clock
	seen := portal.Date{Year: 2026, Month: 3, Day: 1}
	first, _ := sendLeak(t, db, leakInput(seen), "t1")
	advance(7 * 24 * time.Hour)
	second, _ := sendLeak(t, db, leakInput(seen), "t2")
	third, _ := sendLeak(t, db, leakInput(seen), "t3")
	sup := LeakStep{AccountID: 1, Role: portal.RoleSupervisor}
	sup.Action = portal.LeakStart
	if _, err := db.ApplyLeakStep(third.ID, sup); err != nil {
		t.Fatal(err)
	}
	sup.Action = portal.LeakClose
	sup.Outcome = &portal.LeakOutcome{Responsible: portal.LeakResponsibleNotIdentified, Measure: portal.LeakMeasureNoneFound, Date: portal.DateOf(clock())}
	if _, err := db.ApplyLeakStep(third.ID, sup); err != nil {
		t.Fatal(err)
	}
	advance(15 * 24 * time.Hour) // the first report's 15 working days have passed

	ids := func(rows []LeakRow) []uint64 {
		var out []uint64
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	rows, total, err := db.LeakQueue(LeakFilter{})
	if err != nil || total != 2 || len(rows) != 2 || rows[0].ID != first.ID || rows[1].ID != second.ID {
		t.Fatalf("open queue: %v %d %v", err, total, ids(rows))
	}
	if rows[0].Ref != first.Ref || rows[0].Status != string(portal.LeakReceived) || rows[0].Due != first.Due || rows[0].Received.IsZero() {
		t.Fatalf("row %+v", rows[0])
	}
	rows, total, _ = db.LeakQueue(LeakFilter{OverdueOnly: true})
	if total != 1 || rows[0].ID != first.ID {
		t.Fatalf("overdue: %d %v", total, ids(rows))
	}
	rows, total, _ = db.LeakQueue(LeakFilter{Status: "all"})
	if total != 3 || rows[2].ID != third.ID || !rows[2].Due.IsZero() {
		t.Fatalf("all: %d %v", total, ids(rows))
	}
	rows, total, _ = db.LeakQueue(LeakFilter{Status: string(portal.LeakClosed)})
	if total != 1 || rows[0].ID != third.ID {
		t.Fatalf("closed: %d %v", total, ids(rows))
	}
	rows, total, _ = db.LeakQueue(LeakFilter{Status: "all", Offset: 1, Limit: 1})
	if total != 3 || len(rows) != 1 || rows[0].ID != second.ID {
		t.Fatalf("page: %d %v", total, ids(rows))
	}
	if id, err := db.LeakByRef(strings.ToLower(second.Ref)); err != nil || id != second.ID {
		t.Fatalf("by ref: %d %v", id, err)
	}
}

// A report naming a person with a case tells the accounts on the case, and
// only the case's reference and a message key travel: nothing of the report.
func TestLeakNotifiesThePerson(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2026, 3, 10, 10, 0, 0, 0, portal.China))
	db.now = clock
	court, _ := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	// Issue 11: the person is identity verified; an unverified account that
	// merely filed about the number would not be told (TestLeakNotTellsUnverified).
	minor, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000011", Name: "测试人", Mobile: "13800000011",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x",
		IdentityVerified: true, IdentityMethod: portal.IdentityByOrgan}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := completeDraft(t, db, minor, court, police)
	if c, err = db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: minor.ID}, portal.DefaultCalendar()); err != nil {
		t.Fatal(err)
	}
	before, _ := db.UnreadCount(minor.ID)

	in := leakInput(portal.Date{Year: 2026, Month: 3, Day: 1})
	in.PersonIDNumber = c.PersonIDNumber
	in.ReporterAccount = 0
	r, _ := sendLeak(t, db, in, "t")
	if r.PersonNotified != 1 {
		t.Fatalf("PersonNotified = %d", r.PersonNotified)
	}
	after, _ := db.UnreadCount(minor.ID)
	if after != before+1 {
		t.Fatalf("unread %d -> %d", before, after)
	}
	ns, _ := db.Notifications(minor.ID, 10)
	n := ns[0]
	if n.Key != "leak.notify_reported" || n.CaseID != c.ID || n.Ref != c.Ref {
		t.Fatalf("notification %+v", n)
	}
	// A report naming nobody, or someone without a case, tells nobody.
	in.PersonIDNumber = portal.SyntheticIDNumber(8, portal.Date{Year: 2007, Month: 1, Day: 1}).String()
	if r, _ := sendLeak(t, db, in, "t2"); r.PersonNotified != 0 {
		t.Fatalf("notified %d for a person without a case", r.PersonNotified)
	}
}

// A draft nobody sends is removed with its files after a day.
func TestLeakDraftsExpire(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 10, 10, 0, 0, 0, portal.China))
	db.now = clock
	d, err := db.SaveLeakDraft("old", leakInput(portal.Date{Year: 2026, Month: 3, Day: 1}),
		[]portal.Document{{Name: "a.pdf"}}, [][]byte{[]byte("%PDF-1.4 x")})
	if err != nil {
		t.Fatal(err)
	}
	advance(LeakDraftTTL + time.Minute)
	if _, err := db.LeakDraft("old"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("expired draft: %v", err)
	}
	if _, err := db.SaveLeakDraft("new", portal.LeakReport{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	_ = db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketLeakReports).Get(itob(d.ID)) != nil || tx.Bucket(bucketLeakDocuments).Get(itob(d.Documents[0].ID)) != nil {
			t.Error("expired draft or its file kept")
		}
		if tx.Bucket(bucketLeakDrafts).KeyN() != 1 {
			t.Error("expired draft key kept")
		}
		return nil
	})
	// At most 20 files.
	docs := make([]portal.Document, portal.MaxLeakDocuments+1)
	files := make([][]byte, len(docs))
	if _, err := db.SaveLeakDraft("new", portal.LeakReport{}, docs, files); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("21 files: %v", err)
	}
}

// Issue 11: a stranger who filed an application about someone else's number
// (contact verified only) is not told of leaks of that person's record.
func TestLeakNotTellsUnverified(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2026, 3, 10, 10, 0, 0, 0, portal.China))
	db.now = clock
	court, _ := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	stranger, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000012", Name: "测试人", Mobile: "13800000012",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := completeDraft(t, db, stranger, court, police)
	if c, err = db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: stranger.ID}, portal.DefaultCalendar()); err != nil {
		t.Fatal(err)
	}
	in := leakInput(portal.Date{Year: 2026, Month: 3, Day: 1})
	in.PersonIDNumber = c.PersonIDNumber
	in.ReporterAccount = 0
	if r, _ := sendLeak(t, db, in, "t"); r.PersonNotified != 0 {
		t.Fatalf("PersonNotified = %d, want 0", r.PersonNotified)
	}
}
