package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// migration1Buckets are the buckets migration 1 creates.
var migration1Buckets = [][]byte{bucketAccounts, bucketAccountsByLogin, bucketAccountsByIDNum,
	bucketSessions, bucketSessionsByAcct, bucketAuditEntries, bucketAuditHashes}

func schemaVersionOf(t *testing.T, db *DB) int {
	t.Helper()
	v := -1
	err := db.view(func(tx kv.Tx) error {
		if m := tx.Bucket(bucketMeta); m != nil {
			v = readVersion(m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A fresh database is at the current schema version with every bucket.
func TestFreshDatabaseIsMigrated(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	if v := schemaVersionOf(t, db); v != SchemaVersion() {
		t.Fatalf("schema version %d, want %d", v, SchemaVersion())
	}
	for i, m := range migrations {
		if m.version != i+1 {
			t.Fatalf("migration %d has version %d: versions must run 1, 2, 3…", i, m.version)
		}
	}
	if err := db.Ping(); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	// Reopening runs nothing again and keeps the version.
	db = reopenTestDB(t, db)
	if v := schemaVersionOf(t, db); v != SchemaVersion() {
		t.Fatalf("schema version %d after reopen", v)
	}
}

// Migration 1 on an empty file creates the initial buckets and records
// version 1.
func TestMigration1(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "m1.db")
	b, err := openRaw(t, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	db := &DB{eng: b.Engine, path: path}
	m := migrations[0]
	if m.version != 1 {
		t.Fatalf("first migration has version %d", m.version)
	}
	err = db.update(func(tx kv.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if err := m.apply(tx); err != nil {
			return err
		}
		return meta.Put(keySchemaVersion, itob(1))
	})
	if err != nil {
		t.Fatalf("migration 1: %v", err)
	}
	err = db.view(func(tx kv.Tx) error {
		for _, name := range migration1Buckets {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing after migration 1", name)
			}
		}
		if v := readVersion(tx.Bucket(bucketMeta)); v != 1 {
			t.Errorf("version %d after migration 1", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Applying it again (a crash between apply and commit is retried) is harmless.
	if err := db.update(m.apply); err != nil {
		t.Fatalf("migration 1 twice: %v", err)
	}
	// And Open takes a version-1 file the rest of the way.
	b.Close()
	full := openTestDB(t, path, NewTestKeys())
	if v := schemaVersionOf(t, full); v != SchemaVersion() {
		t.Fatalf("version %d after Open, want %d", v, SchemaVersion())
	}
	err = full.view(func(tx kv.Tx) error {
		for _, name := range migration1Buckets {
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

// A database written by a newer program is refused rather than damaged.
func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	path, keys := db.Path(), mustKeys(t, db)
	err := db.update(func(tx kv.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, itob(uint64(SchemaVersion()+1)))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, ro := range []bool{false, true} {
		if db2, err := Open(path, Options{Keys: keys, ReadOnly: ro}); err == nil {
			db2.Close()
			t.Fatalf("read-only=%v: a newer schema opened", ro)
		} else if !strings.Contains(err.Error(), "schema") {
			t.Fatalf("read-only=%v: error %q does not mention the schema", ro, err)
		}
	}
}

func mustKeys(t *testing.T, db *DB) Keys {
	t.Helper()
	v, ok := testKeys.Load(db.Path())
	if !ok {
		t.Fatal("no keys")
	}
	return v.(Keys)
}

// A second process opening the same file fails within about a second, with a
// message naming the file. bbolt's flock is per open file description, so a
// second Open from this process blocks exactly as another process would.
func TestSecondOpenFailsFast(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the file's lock; a PostgreSQL database admits several processes")
	db := newTestDB(t)
	start := time.Now()
	db2, err := Open(db.Path(), Options{Keys: mustKeys(t, db)})
	elapsed := time.Since(start)
	if err == nil {
		db2.Close()
		t.Fatal("a second Open of a database in use succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("error %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), db.Path()) {
		t.Fatalf("error %q does not name the file %s", err, db.Path())
	}
	if elapsed < 900*time.Millisecond || elapsed > 3*time.Second {
		t.Fatalf("failed after %v, want about a second", elapsed)
	}
	// The first holder is unaffected.
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
}

// The file (on PostgreSQL: the data directory, the WAL and a dump) holds no
// personal data in the clear: fields are sealed with the data key and logins
// are found through keyed hashes.
func TestNoPlaintextInFile(t *testing.T) {
	t.Parallel()
	rest := watchAtRest(t)
	db := newTestDB(t)
	lawyer := testCitizen(portal.RoleLawyer, "13566778899", 3)
	lawyer.Name = "司马律师"
	mustCreate(t, db, lawyer)
	minor := testCitizen(portal.RoleMinor, "15012345678", 4)
	minor.Name = "欧阳小红"
	mustCreate(t, db, minor)
	// Reading back still works, so the data is there, only not in the clear.
	if got, err := db.AccountByLogin("15012345678"); err != nil || got.Name != "欧阳小红" {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	path := db.Path()
	db.Close()
	assertNoUTF8AtRest(t, rest, path, nil, "accounts", []string{"司马律师", "欧阳小红", "13566778899", "15012345678", "66778899", "12345678",
		lawyer.IDNumber, minor.IDNumber, minor.IDNumber[:17], lawyer.Licence})
}

// A database opened read-only (verify-audit) reads but never writes.
func TestReadOnlyOpen(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000091", 1))
	path, keys := db.Path(), mustKeys(t, db)
	db.Close()
	ro, err := Open(path, Options{Keys: keys, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.AccountByLogin("13800000091"); err != nil {
		t.Fatal(err)
	}
	_, err = ro.CreateAccount(testCitizen(portal.RoleMinor, "13800000092", 2), 0)
	if err == nil {
		t.Fatal("a read-only store accepted a write")
	}
	// The same refusal on both engines: the seam's "full or read-only".
	if !errors.Is(err, kv.ErrFull) {
		t.Fatalf("a write to a read-only store: %v, want kv.ErrFull", err)
	}
	// A session save, which on PostgreSQL bypasses the writer lock, is
	// refused as well.
	if err := ro.PutSession(sessionHash(91), portal.Session{AccountID: 1, CreatedAt: time.Now(), LastSeen: time.Now()}); !errors.Is(err, kv.ErrFull) {
		t.Fatalf("a session saved to a read-only store: %v", err)
	}
}

// Opening with a key-encryption key that does not belong to the file fails at
// Open with ErrWrongKEK (the data keys in its keyring do not unwrap); with the
// right KEK but another index key, logins are not found.
func TestWrongKeysCannotRead(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000101", 1))
	path, keys := db.Path(), mustKeys(t, db)
	db.Close()
	if other, err := Open(path, Options{Keys: NewTestKeys()}); err == nil {
		other.Close()
		t.Fatal("opened with another KEK")
	} else if !errors.Is(err, ErrWrongKEK) {
		t.Fatalf("error %v, want ErrWrongKEK", err)
	}
	otherIndex := NewTestKeys()
	keys.Index = otherIndex.Index
	other := openTestDB(t, path, keys)
	if _, err := other.AccountByLogin("13800000101"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("login found with another index key: %v", err)
	}
}
