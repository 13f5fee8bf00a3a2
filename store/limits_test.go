package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

func rateHits(t *testing.T, db *DB, name, client string, limit, n int) (allowed int) {
	t.Helper()
	for range n {
		ok, err := db.RateHit(name, client, limit, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		}
	}
	return allowed
}

// TestRateHitFixedWindow: a fixed window of limit hits per client and name;
// other clients and names count apart; the next window starts afresh; ended
// windows are swept; no client address is stored in clear (issue 15, §6.6).
func TestRateHitFixedWindow(t *testing.T) {
	db := newTestDB(t)
	now := time.Date(2026, 3, 1, 10, 0, 10, 0, time.UTC)
	db.now = func() time.Time { return now }
	if got := rateHits(t, db, "login", "203.0.113.7", 3, 5); got != 3 {
		t.Fatalf("allowed %d of 5 with a limit of 3", got)
	}
	if got := rateHits(t, db, "login", "203.0.113.8", 3, 1); got != 1 {
		t.Fatal("another address was refused")
	}
	if got := rateHits(t, db, "api", "203.0.113.7", 3, 1); got != 1 {
		t.Fatal("another limit's count was shared")
	}
	now = now.Add(40 * time.Second) // still the same minute
	if got := rateHits(t, db, "login", "203.0.113.7", 3, 1); got != 0 {
		t.Fatal("allowed again within the window")
	}
	now = now.Add(20 * time.Second) // the next minute
	if got := rateHits(t, db, "login", "203.0.113.7", 3, 4); got != 3 {
		t.Fatalf("next window: allowed %d of 4, want 3", got)
	}
	n, err := db.SweepRateLimits("login", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 { // 3 + 1 hits of the ended minute; the api limit is not swept
		t.Fatalf("swept %d hits, want 4", n)
	}
	if got := rateHits(t, db, "login", "203.0.113.7", 3, 1); got != 0 {
		t.Fatal("the sweep removed hits of the current window")
	}
	err = db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketRateLimits).ForEach(func(k, _ []byte) error {
			if bytes.Contains(k, []byte("203.0.113")) {
				t.Errorf("key %q holds the address in clear", k)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RateHit("login", "x", 0, time.Minute); err == nil {
		t.Fatal("a limit of 0 accepted")
	}
}

// TestRateHitSharedAcrossServers: two app servers on one PostgreSQL
// database share one count per client.
func TestRateHitSharedAcrossServers(t *testing.T) {
	enginetest.Require(t, enginetest.Postgres, "two processes on one database; a bbolt file admits one process (its lock)")
	path := filepath.Join(t.TempDir(), "portal.db")
	keys := NewTestKeys()
	a := openTestDB(t, path, keys)
	b := openTestDB(t, path, keys)
	now := time.Date(2026, 3, 1, 10, 0, 10, 0, time.UTC)
	a.now = func() time.Time { return now }
	b.now = a.now
	if got := rateHits(t, a, "login", "198.51.100.1", 5, 3); got != 3 {
		t.Fatalf("server a: %d of 3", got)
	}
	if got := rateHits(t, b, "login", "198.51.100.1", 5, 3); got != 2 {
		t.Fatalf("server b allowed %d after a's 3 hits, want 2 (limit 5 shared)", got)
	}
	if got := rateHits(t, a, "login", "198.51.100.1", 5, 1); got != 0 {
		t.Fatal("server a allowed a hit over the shared limit")
	}
}

// BenchmarkRateHit measures one allowed hit (a count and a write): outside
// the writer lock where the engine allows it, and under it for comparison.
func BenchmarkRateHit(b *testing.B) {
	for _, unlocked := range []bool{true, false} {
		name := "locked"
		if unlocked {
			name = "unlocked"
		}
		b.Run(name, func(b *testing.B) {
			db := openTestDB(b, filepath.Join(b.TempDir(), "portal.db"), NewTestKeys())
			b.ResetTimer()
			for i := range b.N {
				// A client per hit keeps every count under its limit.
				if _, err := db.rateHit("login", fmt.Sprint(i), 100, time.Minute, unlocked); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The migration creates the bucket, and running it twice is harmless.
func TestMigrationRateLimits(t *testing.T) {
	var m *migration
	for i := range migrations {
		if migrations[i].name == migrationRateLimitsName {
			m = &migrations[i]
		}
	}
	if m == nil {
		t.Fatalf("no migration named %q", migrationRateLimitsName)
	}
	b := applyUpTo(t, m.version)
	for range 2 {
		if err := b.Update(m.apply); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
	_ = b.View(func(tx kv.Tx) error {
		if tx.Bucket(bucketRateLimits) == nil {
			t.Errorf("bucket %s missing after the migration", bucketRateLimits)
		}
		return nil
	})
}
