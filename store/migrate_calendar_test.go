package store

import (
	"testing"

	"sealportal/store/kv"
)

// The migration that adds the index of deadlines waiting for a calendar
// year and the calendar confirmations creates both buckets, and running it
// twice changes nothing.
func TestMigrationCalendarAwait(t *testing.T) {
	var m migration
	for _, mm := range migrations {
		if mm.name == calendarAwaitMigrationName {
			m = mm
		}
	}
	if m.apply == nil {
		t.Fatal("migration not in the list")
	}
	b := applyUpTo(t, m.version-1)
	for range 2 {
		if err := b.Update(m.apply); err != nil {
			t.Fatal(err)
		}
	}
	err := b.View(func(tx kv.Tx) error {
		for _, name := range [][]byte{bucketCasesAwaitingCalendar, bucketCalendarConfirmed} {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The migration that adds the index of other records' deadlines waiting for
// a calendar year creates its bucket, and running it twice changes nothing.
func TestMigrationRecordsAwaitCalendar(t *testing.T) {
	var m migration
	for _, mm := range migrations {
		if mm.name == recordsAwaitMigrationName {
			m = mm
		}
	}
	if m.apply == nil {
		t.Fatal("migration not in the list")
	}
	b := applyUpTo(t, m.version-1)
	for range 2 {
		if err := b.Update(m.apply); err != nil {
			t.Fatal(err)
		}
	}
	err := b.View(func(tx kv.Tx) error {
		if tx.Bucket(bucketDeadlinesAwaitingCalendar) == nil {
			t.Errorf("bucket %s missing", bucketDeadlinesAwaitingCalendar)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
