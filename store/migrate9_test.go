package store

import (
	"encoding/json"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// migration returns the migration of a version.
func migrationOf(t *testing.T, version int) migration {
	t.Helper()
	for _, m := range migrations {
		if m.version == version {
			return m
		}
	}
	t.Fatalf("no migration %d", version)
	return migration{}
}

// Migration 9 gives each overdue-index row written in the old format (the
// deciding organ's id alone) the reference, status and submission time from
// the organ's queue row, leaves a sealed case's row for the case to answer
// (which holders still owe is known only there), and running it twice
// changes nothing.
func TestMigration9FillsTheOverdueIndex(t *testing.T) {
	b := applyUpTo(t, 7)
	due := portal.Date{Year: 2026, Month: 3, Day: 2}
	submitted := time.Date(2026, 2, 20, 8, 0, 0, 0, time.UTC)
	rows := []struct {
		id     uint64
		status portal.CaseStatus
	}{{1, portal.StatusSubmitted}, {2, portal.StatusUnderReview}, {3, portal.StatusSealed}}
	const organ = 7
	err := b.Update(func(tx kv.Tx) error {
		for _, r := range rows {
			raw, _ := json.Marshal(queueEntry{Ref: "FC-2026-00000" + string(rune('0'+r.id)), Status: r.status, Due: due.String(), Role: "decider", Submitted: submitted})
			if err := tx.Bucket(bucketQueueByOrgan).Put(queueKey(organ, due, r.id), raw); err != nil {
				return err
			}
			if err := tx.Bucket(bucketOpenByDue).Put(append(dueKey(due), itob(r.id)...), itob(organ)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := migrationOf(t, 9)
	for range 2 {
		if err := b.Update(m.apply); err != nil {
			t.Fatal(err)
		}
	}
	err = b.View(func(tx kv.Tx) error {
		for _, r := range rows {
			v := tx.Bucket(bucketOpenByDue).Get(append(dueKey(due), itob(r.id)...))
			if btoi(v) != organ {
				t.Errorf("case %d: organ %d, want %d", r.id, btoi(v), organ)
			}
			if r.status == portal.StatusSealed {
				if len(v) != 8 {
					t.Errorf("sealed case %d rewritten: %s", r.id, v[8:])
				}
				continue
			}
			var e overdueEntry
			if err := json.Unmarshal(v[8:], &e); err != nil {
				t.Fatalf("case %d: %v", r.id, err)
			}
			if e.Status != r.status || e.Ref == "" || !e.Submitted.Equal(submitted) || len(e.Owe) != 1 || e.Owe[0] != organ {
				t.Errorf("case %d: %+v", r.id, e)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The overdue list reads what it shows from the index and, for a row in the
// old format, from the case; filtering by status or owing organ reads the
// index alone.
func TestOverdueRowsFromTheIndex(t *testing.T) {
	db := newTestDB(t)
	court, err := db.EnsureOrgan(portal.RoleCourt, "某法院")
	if err != nil {
		t.Fatal(err)
	}
	police, err := db.EnsureOrgan(portal.RolePolice, "某公安局")
	if err != nil {
		t.Fatal(err)
	}
	today := portal.DateOf(db.now())
	mk := func(seq uint64, st portal.CaseStatus) portal.Case {
		c := portal.Case{Status: st, PersonName: "甲", PersonIDNumber: portal.SyntheticIDNumber(seq, portal.Date{Year: 2008, Month: 1, Day: 2}).String(),
			DecidingOrganID: court.ID, HoldingOrganIDs: []uint64{court.ID, police.ID}, Due: today.AddDays(-int(seq)),
			CreatedAt: db.now().UTC(), SubmittedAt: db.now().UTC()}
		if st == portal.StatusSealed {
			c.Confirmations = map[uint64]time.Time{court.ID: db.now().UTC()}
		}
		return c
	}
	cases, err := db.ImportCases([]portal.Case{mk(11, portal.StatusSubmitted), mk(12, portal.StatusSealed), mk(13, portal.StatusAccepted)})
	if err != nil {
		t.Fatal(err)
	}
	// The accepted case's row as an older build wrote it.
	old := cases[2]
	if err := db.update(func(tx kv.Tx) error {
		return tx.Bucket(bucketOpenByDue).Put(append(dueKey(old.Due), itob(old.ID)...), itob(court.ID))
	}); err != nil {
		t.Fatal(err)
	}
	rows, total, err := db.Overdue(0, 50)
	if err != nil || total != 3 || len(rows) != 3 {
		t.Fatalf("overdue: %d rows, total %d, %v", len(rows), total, err)
	}
	byID := map[uint64]OverdueRow{}
	for _, r := range rows {
		byID[r.CaseID] = r
	}
	for _, c := range cases {
		r := byID[c.ID]
		if r.Ref != c.Ref || r.Status != c.Status || r.Due != c.Due || r.Organ != court.ID {
			t.Errorf("row %+v for case %s %s", r, c.Ref, c.Status)
		}
	}
	if owe := byID[cases[1].ID].Owe; len(owe) != 1 || owe[0] != police.ID {
		t.Errorf("sealed case owes %v, want the police that has not confirmed", owe)
	}
	got, n, err := db.OverdueFiltered(OverdueFilter{Organ: police.ID})
	if err != nil || n != 1 || got[0].CaseID != cases[1].ID {
		t.Fatalf("owed by the police: %+v %d %v", got, n, err)
	}
	got, n, err = db.OverdueFiltered(OverdueFilter{Status: portal.StatusAccepted})
	if err != nil || n != 1 || got[0].CaseID != old.ID {
		t.Fatalf("accepted: %+v %d %v", got, n, err)
	}
}

// The queue counts give the same totals as walking the rows, for every
// filter, after imports and steps, and migration 9 rebuilds them alike.
func TestQueueCountsMatchTheRows(t *testing.T) {
	db := newTestDB(t)
	court, err := db.EnsureOrgan(portal.RoleCourt, "某法院")
	if err != nil {
		t.Fatal(err)
	}
	police, err := db.EnsureOrgan(portal.RolePolice, "某公安局")
	if err != nil {
		t.Fatal(err)
	}
	today := portal.DateOf(db.now())
	statuses := []portal.CaseStatus{portal.StatusSubmitted, portal.StatusAccepted, portal.StatusUnderReview, portal.StatusSealed,
		portal.StatusCompleted, portal.StatusRejected, portal.StatusWithdrawn}
	var batch []portal.Case
	for i := range 60 {
		c := portal.Case{Status: statuses[i%len(statuses)], PersonName: "乙", PersonIDNumber: portal.SyntheticIDNumber(uint64(100+i), portal.Date{Year: 2008, Month: 1, Day: 2}).String(),
			DecidingOrganID: court.ID, HoldingOrganIDs: []uint64{court.ID, police.ID}, CreatedAt: db.now().UTC(), SubmittedAt: db.now().UTC()}
		if !c.Status.Final() {
			c.Due = today.AddDays(i%9 - 4)
		}
		batch = append(batch, c)
	}
	cases, err := db.ImportCases(batch)
	if err != nil {
		t.Fatal(err)
	}
	// A step moves a case between counts.
	if _, err := db.Apply(cases[0].ID, Step{Action: portal.ActionAccept, Actor: portal.ActorDecider, OrganID: court.ID}, portal.DefaultCalendar()); err != nil {
		t.Fatal(err)
	}
	filters := []QueueFilter{{}, {OverdueOnly: true}, {DueWithin: 2}, {IncludeDone: true}, {Status: portal.StatusSealed}, {Status: portal.StatusAccepted, OverdueOnly: true}}
	totals := func() []int {
		var out []int
		for _, organ := range []uint64{court.ID, police.ID} {
			for _, f := range filters {
				_, n, err := db.Queue(organ, f)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, n)
			}
		}
		_, n, err := db.Overdue(0, 5)
		if err != nil {
			t.Fatal(err)
		}
		return append(out, n)
	}
	counted := totals()
	if err := db.update(func(tx kv.Tx) error { return tx.DeleteBucket(bucketQueueCounts) }); err != nil {
		t.Fatal(err)
	}
	walked := totals()
	if err := db.update(migrationOf(t, 9).apply); err != nil {
		t.Fatal(err)
	}
	rebuilt := totals()
	for i := range counted {
		if counted[i] != walked[i] || rebuilt[i] != walked[i] {
			t.Fatalf("totals by counts %v, by walking %v, after migration 9 %v", counted, walked, rebuilt)
		}
	}
	if walked[1] == 0 || walked[len(walked)-1] == 0 {
		t.Fatalf("no overdue case in the fixture: %v", walked)
	}
}
