package store

import (
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"sealportal/portal"
)

// applyUpTo runs the migrations up to and including version on a fresh file,
// as an older build would have left it.
func applyUpTo(t *testing.T, version int) *bbolt.DB {
	t.Helper()
	b, err := bbolt.Open(filepath.Join(t.TempDir(), "m.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	for _, m := range migrations {
		if m.version > version {
			break
		}
		err := b.Update(func(tx *bbolt.Tx) error {
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			if err := m.apply(tx); err != nil {
				return err
			}
			return meta.Put(keySchemaVersion, itob(uint64(m.version)))
		})
		if err != nil {
			t.Fatalf("migration %d: %v", m.version, err)
		}
	}
	return b
}

// Each migration creates its buckets, in order, and running it twice (a crash
// retried) is harmless.
func TestMigrationsCreateTheirBuckets(t *testing.T) {
	tests := []struct {
		version int
		buckets [][]byte
	}{
		{2, [][]byte{bucketCases, bucketCasesByRef, bucketCasesByAccount, bucketCaseAccounts, bucketCasesByPerson,
			bucketQueueByOrgan, bucketOpenByDue, bucketDocuments, bucketOrgans, bucketOrgansByName, bucketMessages,
			bucketNotifications, bucketUnread}},
		{3, [][]byte{bucketCalendar}},
		{4, reliefBuckets()},
		{5, leakBuckets()},
		{6, [][]byte{bucketAuditBySubject}},
		{7, append([][]byte{bucketQueries, bucketQueriesByUnit, bucketQueriesByOrgan}, certificateBuckets()...)},
	}
	for _, tt := range tests {
		b := applyUpTo(t, tt.version)
		err := b.View(func(tx *bbolt.Tx) error {
			if v := readVersion(tx.Bucket(bucketMeta)); v != tt.version {
				t.Errorf("version %d, want %d", v, tt.version)
			}
			for _, name := range tt.buckets {
				if tx.Bucket(name) == nil {
					t.Errorf("bucket %s missing after migration %d", name, tt.version)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Update(migrations[tt.version-1].apply); err != nil {
			t.Errorf("migration %d applied twice: %v", tt.version, err)
		}
	}
}

// Migration 6 indexes audit entries written before it existed, so "who
// looked at my record" also shows accesses from before the upgrade.
func TestMigration6IndexesEarlierEntries(t *testing.T) {
	db := newTestDB(t)
	for i := 0; i < 3; i++ {
		if err := db.RecordAudit(portal.AuditEvent{Action: portal.AuditSealedRead, ActorID: 9, SubjectKind: "case", SubjectID: 42}); err != nil {
			t.Fatal(err)
		}
	}
	// Forget the index, as a version-5 database never had it, then migrate.
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		if err := tx.DeleteBucket(bucketAuditBySubject); err != nil {
			return err
		}
		return migrations[5].apply(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.AuditBySubject("case", 42)
	if err != nil || len(got) != 3 {
		t.Fatalf("AuditBySubject after migration 6: %d entries, %v; want 3", len(got), err)
	}
	if rep, err := db.VerifyAudit(); err != nil || !rep.OK {
		t.Fatalf("audit after migration 6: %+v %v", rep, err)
	}
}
