package store

import (
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Issue 19: the organ's queue, its overdue filter, the supervisor's overdue
// list and the workbench card read only their index rows. With every case
// record made unreadable, a page of 50 still comes out whole: reference,
// status, deadline, role and the organs that owe the next step.
func TestQueuePagesReadNoCase(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	court, err := db.EnsureOrgan(portal.RoleCourt, "测试市人民法院")
	if err != nil {
		t.Fatal(err)
	}
	now := db.now()
	today := portal.DateOf(now)
	var batch []portal.Case
	for i := range 70 {
		birth := portal.Date{Year: 2008, Month: time.Month(1 + i%12), Day: 1 + i%28}
		batch = append(batch, portal.Case{Status: portal.StatusSubmitted, Capacity: portal.CapacitySelf, PersonName: "甲",
			PersonIDNumber:  portal.SyntheticIDNumber(uint64(300+i), birth).String(), // #nosec G115 -- a loop index
			DecidingOrganID: court.ID, HoldingOrganIDs: []uint64{court.ID}, OrganCaseNumber: "(2025)示例刑初1号",
			Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2025, Month: 9, Day: 1},
			Acts:   []portal.Act{{Date: portal.Date{Year: 2024, Month: 1, Day: 10}, Main: true}},
			Intent: portal.IntentIntentional, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12, Suspended: true},
			DeclaredTrue: true, CreatedAt: now, SubmittedAt: now, Due: today.AddDays(i%10 - 8), // 56 of 70 overdue
			Events: []portal.CaseEvent{{At: now, Action: portal.ActionSubmit, From: portal.StatusDraft, To: portal.StatusSubmitted}}})
	}
	cases, err := db.ImportCases(batch)
	if err != nil {
		t.Fatal(err)
	}
	refs := map[uint64]string{}
	for _, c := range cases {
		refs[c.ID] = c.Ref
	}
	// Every case record becomes garbage: any read of a case fails.
	if err := db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketCases)
		for _, c := range cases {
			if err := b.Put(itob(c.ID), []byte("not a case")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Case(cases[0].ID); err == nil {
		t.Fatal("the case is still readable: the test proves nothing")
	}
	check := func(name string, id uint64, ref string, st portal.CaseStatus) {
		t.Helper()
		if ref == "" || ref != refs[id] || st != portal.StatusSubmitted {
			t.Errorf("%s: case %d row ref %q status %q, want %q submitted", name, id, ref, st, refs[id])
		}
	}
	rows, total, err := db.Queue(court.ID, QueueFilter{})
	if err != nil || total != 70 || len(rows) != 50 {
		t.Fatalf("queue: %d rows of %d, %v", len(rows), total, err)
	}
	for i, r := range rows {
		check("queue", r.CaseID, r.Ref, r.Status)
		if r.Role != "decider" || i > 0 && r.Due.Before(rows[i-1].Due) {
			t.Errorf("queue row %d: %+v", i, r)
		}
	}
	rows, total, err = db.Queue(court.ID, QueueFilter{OverdueOnly: true, Offset: 50})
	if err != nil || total != 56 || len(rows) != 6 {
		t.Fatalf("overdue queue, second page: %d rows of %d, %v", len(rows), total, err)
	}
	over, total, err := db.Overdue(0, 50)
	if err != nil || total != 56 || len(over) != 50 {
		t.Fatalf("overdue list: %d rows of %d, %v", len(over), total, err)
	}
	for _, r := range over {
		check("overdue", r.CaseID, r.Ref, r.Status)
		if len(r.Owe) != 1 || r.Owe[0] != court.ID || !today.After(r.Due) {
			t.Errorf("overdue row %+v", r)
		}
	}
	row, ok, err := db.WorkbenchCase(cases[0].ID, court.ID)
	if err != nil || !ok || row.Standing != "decider" {
		t.Fatalf("workbench card: %+v, %v, %v", row, ok, err)
	}
	check("card", row.CaseID, row.Ref, row.Status)
}
