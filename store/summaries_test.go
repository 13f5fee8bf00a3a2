package store

import (
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The list rows (cases page, filer's dashboard) come from the summary
// records and follow every write of the case: a draft, its submission, its
// deletion. A case written before summaries existed is read whole.
func TestCaseListFollowsTheCase(t *testing.T) {
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	cal := portal.DefaultCalendar()
	court, _ := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	filer, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000001", Name: "测试人", Mobile: "13800000001",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := completeDraft(t, db, filer, court, police)
	rowOf := func() CaseListRow {
		t.Helper()
		rows, err := db.CaseListOfAccount(filer.ID)
		if err != nil || len(rows) != 1 {
			t.Fatalf("list = %v, %v; want one row", rows, err)
		}
		return rows[0]
	}
	if r := rowOf(); r.Status != portal.StatusDraft || r.PersonName != "测试人" || r.Decider != court.ID || r.Holders != 2 || r.Relation != RelFiler {
		t.Fatalf("draft row = %+v", r)
	}
	c, err = db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: filer.ID}, cal)
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(); r.Status != c.Status || r.Ref != c.Ref || r.Ref == "" || r.Due != c.Due || r.Due.IsZero() {
		t.Fatalf("submitted row = %+v, case %s %s %s", r, c.Status, c.Ref, c.Due)
	}

	// An older database: no summary record, the row is read from the case.
	if err := db.update(func(tx kv.Tx) error { return tx.Bucket(bucketCaseSummaries).Delete(itob(c.ID)) }); err != nil {
		t.Fatal(err)
	}
	if r := rowOf(); r.Status != c.Status || r.Ref != c.Ref || r.PersonName != "测试人" {
		t.Fatalf("fallback row = %+v", r)
	}

	// A deleted draft leaves no summary behind.
	d, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(filer.Role)}, filer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteDraft(d.ID, filer.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketCaseSummaries).Get(itob(d.ID)) != nil {
			t.Error("the deleted draft's summary is still stored")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
