package store

import (
	"fmt"
	"slices"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The administrator's list pages through 50 rows at a time, forward and
// back, under each filter, and returns exactly the accounts the filter
// selects; the migration builds the same indexes for an older database.
func TestListAccountsPagesEveryFilter(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	courtA, err := db.EnsureOrgan(portal.RoleCourt, "甲区人民法院")
	if err != nil {
		t.Fatal(err)
	}
	courtB, err := db.EnsureOrgan(portal.RoleCourt, "乙区人民法院")
	if err != nil {
		t.Fatal(err)
	}
	police, err := db.EnsureOrgan(portal.RolePolice, "甲区公安分局")
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		role  portal.Role
		organ uint64
	}
	all := map[uint64]want{}
	for i := range 160 {
		var a portal.Account
		switch i % 4 {
		case 0:
			a = testCitizen(portal.RoleMinor, fmt.Sprintf("138%08d", i), uint64(i+1))
		case 1:
			a = testStaff(portal.RoleCourt, fmt.Sprintf("court-%03d", i))
			a.OrganID, a.Organ = courtA.ID, courtA.Name
		case 2:
			a = testStaff(portal.RoleCourt, fmt.Sprintf("courtb-%03d", i))
			a.OrganID, a.Organ = courtB.ID, courtB.Name
		case 3:
			a = testStaff(portal.RolePolice, fmt.Sprintf("police-%03d", i))
			a.OrganID, a.Organ = police.ID, police.Name
		}
		got := mustCreate(t, db, a)
		all[got.ID] = want{a.Role, a.OrganID}
	}
	expect := func(f AccountFilter) []uint64 {
		var ids []uint64
		for id, w := range all {
			if (f.Role == "" || w.role == f.Role) && (f.Organ == 0 || w.organ == f.Organ) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return ids
	}
	check := func(t *testing.T, db *DB) {
		for _, f := range []AccountFilter{{}, {Role: portal.RoleCourt}, {Organ: courtA.ID}, {Role: portal.RoleCourt, Organ: courtB.ID},
			{Role: portal.RolePolice}, {Organ: police.ID, Role: portal.RoleCourt}, {Role: portal.RoleSysadmin}} {
			wantIDs := expect(f)
			// Forward through every page.
			var got []uint64
			cur := f
			for n := 0; ; n++ {
				p, err := db.ListAccounts(cur)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Accounts) > AccountPageSize {
					t.Fatalf("%+v: a page of %d", f, len(p.Accounts))
				}
				if p.HasPrev != (n > 0) {
					t.Errorf("%+v page %d: HasPrev %v", f, n, p.HasPrev)
				}
				for _, a := range p.Accounts {
					got = append(got, a.ID)
				}
				if !p.HasNext {
					break
				}
				cur.After, cur.Before = p.Accounts[len(p.Accounts)-1].ID, 0
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("%+v forward: %v, want %v", f, got, wantIDs)
			}
			// Back from the end: the page before the last id is the 50
			// before it.
			if len(wantIDs) > AccountPageSize {
				last := wantIDs[len(wantIDs)-1]
				b := f
				b.Before = last
				p, err := db.ListAccounts(b)
				if err != nil {
					t.Fatal(err)
				}
				var back []uint64
				for _, a := range p.Accounts {
					back = append(back, a.ID)
				}
				i := len(wantIDs) - 1
				if !slices.Equal(back, wantIDs[i-AccountPageSize:i]) || !p.HasNext || p.HasPrev != (i-AccountPageSize > 0) {
					t.Errorf("%+v back: %v (prev %v next %v), want %v", f, back, p.HasPrev, p.HasNext, wantIDs[i-AccountPageSize:i])
				}
			}
			// Before the first row: an empty first page that knows more follow.
			if len(wantIDs) > 0 {
				b := f
				b.Before = wantIDs[0]
				if p, err := db.ListAccounts(b); err != nil || len(p.Accounts) != 0 || p.HasPrev {
					t.Errorf("%+v before the first: %d rows, prev %v, %v", f, len(p.Accounts), p.HasPrev, err)
				}
			}
		}
	}
	check(t, db)

	// The migration rebuilds the same indexes from the accounts alone.
	err = db.update(func(tx kv.Tx) error {
		for _, b := range [][]byte{bucketAccountsByRole, bucketAccountsByOrgan} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		var m migration
		for _, mm := range migrations {
			if mm.name == migrationAccountIndexesName {
				m = mm
			}
		}
		if m.apply == nil {
			t.Fatal("migration not in the list")
		}
		return m.apply(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, db)
}
