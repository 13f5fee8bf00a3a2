package store

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The workbench's store (issue 18): search through keyed hashes, results
// kept for their owner, the sealing register, assignment and counts.

func wbOfficial(t *testing.T, db *DB, role portal.Role, login string, o portal.Organ) portal.Account {
	t.Helper()
	a, err := db.CreateAccount(portal.Account{Role: role, Login: login, Name: "工作人员" + login, Organ: o.Name, OrganID: o.ID, PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestWorkbenchSearchByBlindIndex(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	judge := wbOfficial(t, db, portal.RoleCourt, "judge-1", w.court)
	other, _ := db.EnsureOrgan(portal.RoleCourt, "别市人民法院")
	stranger := wbOfficial(t, db, portal.RoleCourt, "judge-2", other)
	supOrgan, _ := db.EnsureOrgan(portal.RoleSupervisor, "演示市人民检察院")
	sup := wbOfficial(t, db, portal.RoleSupervisor, "sup-1", supOrgan)
	// A draft of the same person is nobody's business but its writer's.
	completeDraft(t, db, w.minor, w.court, w.police)

	cases := []struct {
		name   string
		reader portal.Account
		kind   portal.SearchKind
		term   string
		want   int
	}{
		{"deciding organ by identity number", judge, portal.SearchIDNumber, w.minor.IDNumber, 1},
		{"holding organ by identity number", w.officer, portal.SearchIDNumber, w.minor.IDNumber, 1},
		{"another court sees nothing", stranger, portal.SearchIDNumber, w.minor.IDNumber, 0},
		{"supervisor sees every organ's", sup, portal.SearchIDNumber, w.minor.IDNumber, 1},
		{"name with a space typed", judge, portal.SearchName, " 测 试人 ", 1},
		{"another name", judge, portal.SearchName, "测试", 0},
		{"case number with full-width brackets", judge, portal.SearchCaseNumber, "（2023）演刑初字第1号", 1},
		{"case number of another organ's reader", stranger, portal.SearchCaseNumber, "(2023)演刑初字第1号", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, n, err := db.SearchCases(tc.reader, tc.kind, tc.term, "req")
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.want {
				t.Fatalf("%d results, want %d", n, tc.want)
			}
			res, err := db.WorkbenchResults(id, tc.reader)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) != tc.want || tc.want > 0 && res.Rows[0].Ref != w.cs.Ref {
				t.Fatalf("results %+v", res.Rows)
			}
		})
	}
	if _, _, err := db.SearchCases(judge, portal.SearchIDNumber, "12345", "req"); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("a malformed identity number: %v, want invalid", err)
	}
	// Every search is in the audit log by kind and count, never by term.
	entries, err := db.AuditEntries(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	searches := 0
	for _, e := range entries {
		for _, secret := range []string{w.minor.IDNumber, "测试人", "演刑初字"} {
			if strings.Contains(e.Detail, secret) {
				t.Fatalf("audit entry %+v carries the search term", e)
			}
		}
		if e.Action == portal.AuditCaseSearch {
			searches++
			if e.ActorID == judge.ID && e.Detail != "idnumber:1" && e.Detail != "name:1" && e.Detail != "name:0" && e.Detail != "case_number:1" {
				t.Fatalf("search entry detail %q", e.Detail)
			}
		}
	}
	if searches != len(cases) {
		t.Fatalf("%d search entries, want %d", searches, len(cases))
	}
}

func TestWorkbenchResultsAreTheOwnersForAWhile(t *testing.T) {
	w := newCertWorld(t)
	judge := wbOfficial(t, w.db, portal.RoleCourt, "judge-1", w.court)
	judge2 := wbOfficial(t, w.db, portal.RoleCourt, "judge-2", w.court)
	id, _, err := w.db.SearchCases(judge, portal.SearchIDNumber, w.minor.IDNumber, "req")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.WorkbenchResults(id, judge2); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("a colleague opens the results: %v", err)
	}
	w.advance(StateTTL + time.Second)
	if _, err := w.db.WorkbenchResults(id, judge); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("expired results: %v", err)
	}
	// The next state purges the expired one.
	if _, _, err := w.db.SearchCases(judge, portal.SearchName, "测试人", "req"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketWorkbenchStates).Get(itob(id)) != nil {
			t.Fatal("the expired state is still stored")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestWorkbenchSealingRegister(t *testing.T) {
	w := newCertWorld(t) // sealed by the court, confirmed by court and police on 2026-03-02
	day := portal.Date{Year: 2026, Month: 3, Day: 2}
	rows, truncated, err := w.db.SealingRegister(w.court.ID, day, day)
	if err != nil || truncated {
		t.Fatal(err, truncated)
	}
	kinds := map[string]bool{}
	for _, r := range rows {
		if r.Ref != w.cs.Ref || r.Day != day {
			t.Fatalf("row %+v", r)
		}
		kinds[r.Kind] = true
	}
	if len(rows) != 2 || !kinds[RegisterSealed] || !kinds[RegisterConfirmed] {
		t.Fatalf("court register %+v", rows)
	}
	police, _, _ := w.db.SealingRegister(w.police.ID, day, day)
	if len(police) != 1 || police[0].Kind != RegisterConfirmed {
		t.Fatalf("police register %+v", police)
	}
	next := portal.Date{Year: 2026, Month: 3, Day: 3}
	if later, _, _ := w.db.SealingRegister(w.court.ID, next, next.AddDays(30)); len(later) != 0 {
		t.Fatalf("register outside the period %+v", later)
	}
	exported, _, err := w.db.ExportSealingRegister(w.officer, day, day, "req")
	if err != nil || len(exported) != 1 {
		t.Fatal(err, exported)
	}
	entries, _ := w.db.AuditEntries(0, 1000)
	if last := entries[len(entries)-1]; last.Action != portal.AuditRegisterExport || last.Detail != "2026-03-02:2026-03-02:1" {
		t.Fatalf("export audit %+v", last)
	}
}

func TestWorkbenchAssignAndHandOver(t *testing.T) {
	w := newCertWorld(t)
	a := wbOfficial(t, w.db, portal.RoleCourt, "judge-1", w.court)
	b := wbOfficial(t, w.db, portal.RoleCourt, "judge-2", w.court)
	cop := w.officer
	if err := w.db.Assign(w.cs.ID, a, a.ID, "req"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Assign(w.cs.ID, a, a.ID, "req"); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("assigning again: %v", err)
	}
	if err := w.db.Assign(w.cs.ID, a, cop.ID, "req"); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("handing over to another organ's official: %v", err)
	}
	mine, _ := w.db.AssignedCases(a, 50)
	if len(mine) != 1 || mine[0].CaseID != w.cs.ID || mine[0].Assignee != a.ID {
		t.Fatalf("my cases %+v", mine)
	}
	if err := w.db.Assign(w.cs.ID, a, b.ID, "req"); err != nil {
		t.Fatal(err)
	}
	if mine, _ := w.db.AssignedCases(a, 50); len(mine) != 0 {
		t.Fatalf("handed over, still a's: %+v", mine)
	}
	if theirs, _ := w.db.AssignedCases(b, 50); len(theirs) != 1 {
		t.Fatalf("b's cases %+v", theirs)
	}
	as, ok, _ := w.db.CaseAssignment(w.court.ID, w.cs.ID)
	if !ok || as.To != b.ID || as.From != a.ID || as.By != a.ID {
		t.Fatalf("assignment %+v", as)
	}
	// The police's own assignment is separate (each organ its 承办人).
	if err := w.db.Assign(w.cs.ID, cop, cop.ID, "req"); err != nil {
		t.Fatal(err)
	}
	if as, _, _ := w.db.CaseAssignment(w.court.ID, w.cs.ID); as.To != b.ID {
		t.Fatalf("the police's assignment changed the court's: %+v", as)
	}
	other, _ := w.db.EnsureOrgan(portal.RoleCourt, "别市人民法院")
	stranger := wbOfficial(t, w.db, portal.RoleCourt, "judge-3", other)
	if err := w.db.Assign(w.cs.ID, stranger, stranger.ID, "req"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("another court assigns: %v", err)
	}
}

// TestWorkbenchMigrationAndBackfill: a database whose cases predate the
// workbench gets its cards, search keys and register on the next Open.
func TestWorkbenchMigrationAndBackfill(t *testing.T) {
	w := newCertWorld(t)
	judge := wbOfficial(t, w.db, portal.RoleCourt, "judge-1", w.court)
	var m *migration
	for i := range migrations {
		if migrations[i].name == migrationWorkbenchName {
			m = &migrations[i]
		}
	}
	if m == nil {
		t.Fatal("no workbench migration")
	}
	// Back to before the workbench: its buckets gone.
	if err := w.db.update(func(tx kv.Tx) error {
		for _, b := range workbenchBuckets() {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return m.apply(tx)
	}); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := w.db.SearchCases(judge, portal.SearchCaseNumber, "(2023)演刑初字第1号", "req"); n != 0 {
		t.Fatal("found before the back-fill")
	}
	db := reopenTestDB(t, w.db)
	if _, n, err := db.SearchCases(judge, portal.SearchCaseNumber, "(2023)演刑初字第1号", "req"); err != nil || n != 1 {
		t.Fatalf("after the back-fill: %d, %v", n, err)
	}
	rows, _, _ := db.SealingRegister(w.court.ID, portal.Date{Year: 2026, Month: 1, Day: 1}, portal.Date{Year: 2026, Month: 12, Day: 31})
	if len(rows) != 2 {
		t.Fatalf("register after the back-fill %+v", rows)
	}
}

func TestWorkbenchCountPending(t *testing.T) {
	w := newCertWorld(t)
	before, err := w.db.CountPending(w.police.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.request(t)
	after, _ := w.db.CountPending(w.police.ID)
	if after.Certificates != before.Certificates+1 {
		t.Fatalf("certificate requests %d -> %d", before.Certificates, after.Certificates)
	}
	if other, _ := w.db.CountPending(w.court.ID); other.Certificates != 0 {
		t.Fatalf("the court counts the police's requests: %+v", other)
	}
}

// TestWorkbenchSearchAfterBlindKeyRotation: the name and case-number entries
// move to the new blind key with the rest of the cases' indexes, and none is
// left under the retired one.
func TestWorkbenchSearchAfterBlindKeyRotation(t *testing.T) {
	w := newCertWorld(t)
	judge := wbOfficial(t, w.db, portal.RoleCourt, "judge-1", w.court)
	old := w.db.crypt.bkeys.Load().active
	if _, err := w.db.RotateBlindKey(context.Background(), BlindRotateOptions{BatchRecords: 1}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind portal.SearchKind
		term string
	}{{portal.SearchName, "测试人"}, {portal.SearchCaseNumber, "(2023)演刑初字第1号"}, {portal.SearchIDNumber, w.minor.IDNumber}} {
		if _, n, err := w.db.SearchCases(judge, tc.kind, tc.term, "req"); err != nil || n != 1 {
			t.Fatalf("%s after the rotation: %d, %v", tc.kind, n, err)
		}
	}
	if err := w.db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketWorkbenchSearch)
		for _, k := range [][]byte{old.blind("wb_name", "测试人"), old.blind("wb_caseno", "(2023)演刑初字第1号")} {
			if c := b.Cursor(); c != nil {
				if got, _ := c.Seek(k); got != nil && bytes.HasPrefix(got, k) {
					t.Errorf("an entry under the old blind key is left")
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
