package store

import (
	"path/filepath"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv/enginetest"
)

// lastAuditAt is the time of the newest audit entry.
func lastAuditAt(t *testing.T, db *DB) time.Time {
	t.Helper()
	head, err := db.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	evs, err := db.AuditEntries(uint64(head.N-1), 1)
	if err != nil || len(evs) != 1 {
		t.Fatalf("last audit entry: %v %v", evs, err)
	}
	return evs[0].At
}

// TestAuditTimeNeverGoesBackwards: an entry is stamped with the clock, or
// with the previous entry's time when the clock is behind it (issue 15,
// design §6.4). On one store the clock steps back; the log still verifies.
func TestAuditTimeNeverGoesBackwards(t *testing.T) {
	db := newTestDB(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		clock, want time.Time
	}{
		{t0, t0},
		{t0.Add(-time.Hour), t0}, // clock behind: the previous time
		{t0.Add(1500 * time.Microsecond), t0.Add(time.Millisecond)}, // ahead: its own, to the millisecond
		{t0.Add(-time.Second), t0.Add(time.Millisecond)},
		{t0.Add(time.Minute), t0.Add(time.Minute)},
	}
	for i, c := range cases {
		db.now = func() time.Time { return c.clock }
		if err := db.RecordAudit(portal.AuditEvent{Action: portal.AuditLoginFailed}); err != nil {
			t.Fatal(err)
		}
		if got := lastAuditAt(t, db); !got.Equal(c.want) {
			t.Errorf("entry %d with the clock at %v: at %v, want %v", i, c.clock, got, c.want)
		}
	}
	if _, err := db.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

// TestAuditTimeAcrossServers: two app servers on one PostgreSQL database,
// the second's clock an hour behind the first's. Entries alternate between
// them; their times never go backwards in the log's order.
func TestAuditTimeAcrossServers(t *testing.T) {
	enginetest.Require(t, enginetest.Postgres, "two processes on one database; a bbolt file admits one process (its lock)")
	path := filepath.Join(t.TempDir(), "portal.db")
	keys := NewTestKeys()
	a := openTestDB(t, path, keys)
	b := openTestDB(t, path, keys)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a.now = auditClock(t0, time.Second)
	b.now = auditClock(t0.Add(-time.Hour), time.Second)
	for range 5 {
		for _, db := range []*DB{a, b} {
			if err := db.RecordAudit(portal.AuditEvent{Action: portal.AuditLoginFailed}); err != nil {
				t.Fatal(err)
			}
		}
	}
	head, err := b.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	evs, err := a.AuditEntries(0, int(head.N))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].At.Before(evs[i-1].At) {
			t.Fatalf("entry %d at %v is before entry %d at %v", evs[i].Seq, evs[i].At, evs[i-1].Seq, evs[i-1].At)
		}
	}
	if last := evs[len(evs)-1].At; last.Before(t0) {
		t.Fatalf("the last entry (written by the late clock) is at %v, before the first server's entries", last)
	}
	if _, err := b.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}
