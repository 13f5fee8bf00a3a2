package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The desk's keyed-hash indexes are recomputable: the blind-key rotation
// tests check them with the others.
func init() {
	recomputableBuckets = append(recomputableBuckets, bucketDeskByName, bucketDeskByOrganNo)
}

// deskWorld is a lawyer with many clients' cases, and a second lawyer with a
// client of the same name.
type deskWorld struct {
	db            *DB
	lawyer, other portal.Account
	cases         []portal.Case // the lawyer's, in import order
	today         portal.Date
}

func newDeskWorld(t *testing.T, n int) *deskWorld {
	t.Helper()
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)) // a Monday
	db.now = clock
	w := &deskWorld{db: db, today: portal.Date{Year: 2026, Month: 3, Day: 2}}
	var lawyers []portal.Account
	for i := range 2 {
		login := fmt.Sprintf("1390000000%d", i)
		lawyers = append(lawyers, portal.Account{Role: portal.RoleLawyer, Login: login, Name: "律师", Mobile: login, PasswordHash: "x",
			IDNumber: portal.SyntheticIDNumber(uint64(900+i), portal.Date{Year: 1980, Month: 1, Day: 1}).String(), Licence: "11101200000000009", Firm: "律所"})
	}
	lawyers, err := db.ImportAccounts(lawyers)
	if err != nil {
		t.Fatal(err)
	}
	w.lawyer, w.other = lawyers[0], lawyers[1]
	var batch []portal.Case
	for i := range n {
		c := portal.Case{Status: portal.StatusSubmitted, FiledBy: w.lawyer.ID, Capacity: portal.CapacityLawyer,
			PersonName: fmt.Sprintf("客户%03d", i), OrganCaseNumber: fmt.Sprintf("（2025）京0105刑初%d号", i),
			Due: w.today.AddDays(i % 40), CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, portal.China)}
		if i%10 == 9 {
			c.Status, c.Due = portal.StatusCompleted, portal.Date{}
		}
		batch = append(batch, c)
	}
	if w.cases, err = db.ImportCases(batch); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportCases([]portal.Case{{Status: portal.StatusUnderReview, FiledBy: w.other.ID, Capacity: portal.CapacityLawyer,
		PersonName: "客户001", OrganCaseNumber: "（2025）京0105刑初1号", Due: w.today, CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *deskWorld) desk(t *testing.T, q DeskQuery) DeskView {
	t.Helper()
	v, err := w.db.Desk(w.lawyer.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// deskOrdered checks the desk's order: by deadline, no deadline last, newest
// first within a day.
func deskOrdered(t *testing.T, rows []DeskRow) {
	t.Helper()
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		switch {
		case a.Due.IsZero() && !b.Due.IsZero() && !b.Status.Final():
			t.Fatalf("row %d without a deadline before row %d with one", i-1, i)
		case !a.Due.IsZero() && !b.Due.IsZero() && b.Due.Before(a.Due):
			t.Fatalf("row %d due %s after row %d due %s", i, b.Due, i-1, a.Due)
		case a.Due == b.Due && a.CaseID < b.CaseID:
			t.Fatalf("rows %d and %d of one day not newest first", i-1, i)
		}
	}
}

// The desk pages at 50 in a stable order, clamps an out-of-range page, and
// decrypts only the page: a corrupt summary on page 3 fails page 3 alone.
func TestDeskPagesDecryptOnlyThePage(t *testing.T) {
	t.Parallel()
	w := newDeskWorld(t, 120)
	seen := map[uint64]bool{}
	for page, want := range map[int]int{1: 50, 2: 50, 3: 20} {
		v := w.desk(t, DeskQuery{Page: page})
		if len(v.Rows) != want || v.Total != 120 || v.All != 120 || v.Pages != 3 || v.Page != page {
			t.Fatalf("page %d: %d rows, total %d, all %d, pages %d", page, len(v.Rows), v.Total, v.All, v.Pages)
		}
		deskOrdered(t, v.Rows)
		for _, r := range v.Rows {
			if seen[r.CaseID] {
				t.Fatalf("case %d on two pages", r.CaseID)
			}
			seen[r.CaseID] = true
			if r.PersonName == "" || r.OrganCaseNo == "" || r.Relation != RelFiler {
				t.Fatalf("row %+v lacks the client's name, the organ's case number or the relation", r)
			}
		}
	}
	// Needs your action shows the most urgent few and counts them all.
	if v := w.desk(t, DeskQuery{Soon: w.today.AddDays(60)}); len(v.Action) != portal.DeskActionSize || v.ActionTotal != 108 {
		t.Fatalf("needs your action: %d rows of %d, want %d of 108", len(v.Action), v.ActionTotal, portal.DeskActionSize)
	} else {
		deskOrdered(t, v.Action)
	}
	if v := w.desk(t, DeskQuery{Page: 99}); v.Page != 3 || len(v.Rows) != 20 {
		t.Fatalf("page 99 = page %d with %d rows, want the last page", v.Page, len(v.Rows))
	}
	// The status filter counts from the index.
	if v := w.desk(t, DeskQuery{Status: portal.StatusCompleted}); v.Total != 12 || len(v.Rows) != 12 {
		t.Fatalf("completed: total %d, %d rows, want 12", v.Total, len(v.Rows))
	}
	last := w.desk(t, DeskQuery{Page: 3}).Rows[19].CaseID
	if err := w.db.update(func(tx kv.Tx) error {
		return tx.Bucket(bucketCaseSummaries).Put(itob(last), []byte("corrupt"))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Desk(w.lawyer.ID, DeskQuery{Page: 1}); err != nil {
		t.Fatalf("page 1 read a summary of page 3: %v", err)
	}
	if _, err := w.db.Desk(w.lawyer.ID, DeskQuery{Page: 3}); err == nil {
		t.Fatal("page 3 did not read its own (corrupt) summary")
	}
}

// Needs your action: a case returned for correction, an organ's message not
// yet answered (until the account replies), a deadline within three working
// days — and nothing else.
func TestDeskNeedsYourAction(t *testing.T) {
	t.Parallel()
	w := newDeskWorld(t, 30)
	db := w.db
	soon := portal.DeskSoonLimit(portal.DefaultCalendar(), w.today)
	action := func() map[uint64]DeskRow {
		t.Helper()
		v := w.desk(t, DeskQuery{Soon: soon})
		out := map[uint64]DeskRow{}
		for _, r := range v.Action {
			out[r.CaseID] = r
		}
		if len(out) != v.ActionTotal {
			t.Fatalf("%d rows, total %d", len(out), v.ActionTotal)
		}
		deskOrdered(t, v.Action)
		return out
	}
	a := action()
	for _, c := range w.cases {
		_, in := a[c.ID]
		if want := !c.Status.Final() && !c.Due.After(soon); in != want {
			t.Errorf("case due %s (%s): in needs-your-action %v, want %v (soon = %s)", c.Due, c.Status, in, want, soon)
		}
		if in && !a[c.ID].DueSoon {
			t.Errorf("case %d listed without its reason", c.ID)
		}
	}
	far := w.cases[20] // due in 20 days
	if _, in := a[far.ID]; in {
		t.Fatal("a far deadline is listed")
	}
	// Returned for correction.
	if _, err := db.Apply(far.ID, Step{Action: portal.ActionReturn, Actor: portal.ActorDecider, AccountID: 99, Role: portal.RoleCourt, Note: "补正"}, portal.DefaultCalendar()); err != nil {
		t.Fatal(err)
	}
	if r, in := action()[far.ID]; !in || !r.Returned || r.Status != portal.StatusReturned {
		t.Fatalf("returned case: %+v %v", r, in)
	}
	// An organ's message awaits the reply; the lawyer's reply answers it.
	other := w.cases[25]
	if _, err := db.AddMessage(portal.Message{CaseID: other.ID, From: 99, FromRole: portal.RoleCourt, Text: "请补充材料"}, nil); err != nil {
		t.Fatal(err)
	}
	if r, in := action()[other.ID]; !in || !r.AwaitingReply || r.Returned {
		t.Fatalf("awaiting reply: %+v %v", r, in)
	}
	if _, err := db.AddMessage(portal.Message{CaseID: other.ID, From: w.lawyer.ID, FromRole: portal.RoleLawyer, Text: "已补充"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, in := action()[other.ID]; in {
		t.Fatal("the lawyer replied, yet the case still awaits a reply")
	}
	// The other lawyer's desk holds none of it.
	if v, err := db.Desk(w.other.ID, DeskQuery{Soon: soon}); err != nil || v.All != 1 || v.ActionTotal != 1 {
		t.Fatalf("other lawyer: %+v %v", v, err)
	}
}

// Search finds the account's cases by the client's exact normalized name,
// the organ's case number as typed in any width, or the reference — never
// another account's case — and follows a change of name and a blind-key
// rotation.
func TestDeskSearch(t *testing.T) {
	t.Parallel()
	w := newDeskWorld(t, 60)
	db := w.db
	ids := func(term string) []uint64 {
		t.Helper()
		v := w.desk(t, DeskQuery{Term: term})
		var out []uint64
		for _, r := range v.Rows {
			out = append(out, r.CaseID)
		}
		if v.Total != len(out) {
			t.Fatalf("%q: total %d, %d rows", term, v.Total, len(out))
		}
		return out
	}
	c1 := w.cases[1]
	for _, term := range []string{"客户001", " 客户 001 ", "客户００１", "(2025)京0105刑初1号", "（2025）京0105刑初1号", c1.Ref, " " + c1.Ref} {
		if got := ids(term); len(got) != 1 || got[0] != c1.ID {
			t.Errorf("search %q = %v, want only case %d", term, got, c1.ID)
		}
	}
	for _, term := range []string{"客户", "客户0011", "nobody", "（2025）京0105刑初"} {
		if got := ids(term); len(got) != 0 {
			t.Errorf("search %q = %v, want nothing (no partial matches)", term, got)
		}
	}
	// The other lawyer's reference is not this lawyer's.
	otherCase, err := db.Desk(w.other.ID, DeskQuery{})
	if err != nil || len(otherCase.Rows) != 1 {
		t.Fatal(err)
	}
	if got := ids(otherCase.Rows[0].Ref); len(got) != 0 {
		t.Fatalf("found another account's case by its reference: %v", got)
	}
	// A draft's client renamed is found under the new name only.
	d, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityLawyer}, w.lawyer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateDraft(d.ID, func(c *portal.Case) error { c.PersonName = "原名人"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := ids("原名人"); len(got) != 1 || got[0] != d.ID {
		t.Fatalf("draft by name: %v", got)
	}
	if _, err := db.UpdateDraft(d.ID, func(c *portal.Case) error { c.PersonName = "改名人"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := ids("原名人"); len(got) != 0 {
		t.Fatalf("old name still matches: %v", got)
	}
	if got := ids("改名人"); len(got) != 1 {
		t.Fatalf("new name: %v", got)
	}
	// A deleted draft leaves nothing behind.
	if err := db.DeleteDraft(d.ID, w.lawyer.ID); err != nil {
		t.Fatal(err)
	}
	if got := ids("改名人"); len(got) != 0 {
		t.Fatalf("deleted draft still found: %v", got)
	}
	if v := w.desk(t, DeskQuery{}); v.All != 60 {
		t.Fatalf("after the deleted draft: %d cases, want 60", v.All)
	}
	// A blind-key rotation moves the entries; search still finds.
	if _, err := db.RotateBlindKey(context.Background(), BlindRotateOptions{BatchRecords: 7}); err != nil {
		t.Fatal(err)
	}
	if got := ids("客户002"); len(got) != 1 || got[0] != w.cases[2].ID {
		t.Fatalf("after rotation: %v", got)
	}
	if got := ids("(2025)京0105刑初3号"); len(got) != 1 || got[0] != w.cases[3].ID {
		t.Fatalf("after rotation, by case number: %v", got)
	}
	want := expectedUnder(t, db, db.crypt.bkeys.Load().active)
	for _, k := range indexKeys(t, db)[string(bucketDeskByName)] {
		if !want[string(bucketDeskByName)+"|"+k] {
			t.Fatalf("an entry of desk_by_name is not under the active key after the rotation")
		}
	}
}

// The migration creates the desk's buckets and leaves the build mark; Open
// then indexes the cases and messages written before (found by name: the
// integrator may renumber it).
func TestMigrationDesk(t *testing.T) {
	t.Parallel()
	w := newDeskWorld(t, 70)
	db := w.db
	c := w.cases[30]
	if _, err := db.AddMessage(portal.Message{CaseID: c.ID, From: 99, FromRole: portal.RoleCourt, Text: "请回复"}, nil); err != nil {
		t.Fatal(err)
	}
	var m migration
	for _, x := range migrations {
		if x.name == migrationDeskName {
			m = x
		}
	}
	if m.apply == nil {
		t.Fatal("no desk migration")
	}
	// The database as it was before: no desk buckets at all.
	if err := db.update(func(tx kv.Tx) error {
		for _, b := range deskBuckets() {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		if err := m.apply(tx); err != nil {
			return err
		}
		if tx.Bucket(bucketMeta).Get(keyDeskBuildProgress) == nil {
			t.Error("the migration left no build mark")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db = reopenTestDB(t, db)
	w.db = db
	v := w.desk(t, DeskQuery{Page: 2, Soon: w.today})
	if v.All != 70 || len(v.Rows) != 20 {
		t.Fatalf("after the build: all %d, %d rows on page 2", v.All, len(v.Rows))
	}
	awaiting := false
	for _, r := range v.Action {
		awaiting = awaiting || r.CaseID == c.ID && r.AwaitingReply
	}
	if !awaiting {
		t.Fatal("the organ's earlier message does not await a reply after the build")
	}
	if got := w.desk(t, DeskQuery{Term: "客户045"}); len(got.Rows) != 1 {
		t.Fatalf("search after the build: %d rows", len(got.Rows))
	}
	if err := db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketMeta).Get(keyDeskBuildProgress) != nil {
			t.Error("the build mark is still there")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A kept search is the account's and the cookie's only, and expires.
func TestDeskSearchState(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	if err := db.PutDeskSearch(1, "tok-a", "张三"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		acct  uint64
		token string
		want  string
	}{{1, "tok-a", "张三"}, {2, "tok-a", ""}, {1, "tok-b", ""}, {1, "", ""}} {
		if got, err := db.DeskSearch(tc.acct, tc.token); err != nil || got != tc.want {
			t.Errorf("DeskSearch(%d, %q) = %q, %v; want %q", tc.acct, tc.token, got, err, tc.want)
		}
	}
	advance(DeskSearchTTL)
	if got, _ := db.DeskSearch(1, "tok-a"); got != "" {
		t.Fatalf("expired search still kept: %q", got)
	}
	if err := db.PutDeskSearch(1, "tok-c", "李四"); err != nil {
		t.Fatal(err)
	}
	if err := db.view(func(tx kv.Tx) error {
		if n := tx.Bucket(bucketDeskSearches).KeyN(); n != 1 {
			t.Errorf("%d searches kept, want the expired one dropped", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ClearDeskSearch(1, "tok-c"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DeskSearch(1, "tok-c"); got != "" {
		t.Fatalf("cleared search still kept: %q", got)
	}
}
