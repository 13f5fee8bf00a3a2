package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"sealportal/portal"
	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// applyUpTo runs the migrations up to and including version on a fresh file,
// as an older build would have left it.
func applyUpTo(t *testing.T, version int) rawFile {
	t.Helper()
	b, err := openRaw(t, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	for _, m := range migrations {
		if m.version > version {
			break
		}
		err := b.Update(func(tx kv.Tx) error {
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
		{8, [][]byte{bucketKeyring}},
		{9, [][]byte{bucketQueueCounts}},
	}
	for _, tt := range tests {
		b := applyUpTo(t, tt.version)
		err := b.View(func(tx kv.Tx) error {
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
	err := db.update(func(tx kv.Tx) error {
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

// legacyDatabase writes a database as the version before the keyring left
// it: schema 7, values sealed with one data key under key id 1, and a keys
// file holding that data_key (no kek). It returns the database and keys paths.
func legacyDatabase(t *testing.T) (dbPath, keysPath string, legacy []byte, acct portal.Account, doc portal.Document, caseID uint64) {
	t.Helper()
	dir := t.TempDir()
	dbPath, keysPath = filepath.Join(dir, "portal.db"), filepath.Join(dir, KeysFile)
	b, err := openRaw(t, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:7] {
		err := b.Update(func(tx kv.Tx) error {
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
			t.Fatal(err)
		}
	}
	kf, err := newKeysFile()
	if err != nil {
		t.Fatal(err)
	}
	kf.KEK = ""
	if kf.Data, err = randomKey(); err != nil {
		t.Fatal(err)
	}
	legacy, _ = decodeKey(kf.Data, "data_key")
	index, _ := decodeKey(kf.Index, "index_key")
	crypt, err := newCrypter(index)
	if err != nil {
		t.Fatal(err)
	}
	if err := crypt.setKeys(1, map[byte][]byte{1: legacy}); err != nil { // the old crypter's one key, id 1
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(kf.AuditSigner)
	verifier, _ := note.NewVerifier(kf.AuditVerifier)
	old := &DB{eng: b.Engine, path: dbPath, now: portal.SystemClock, crypt: crypt, signer: signer, verifier: verifier}
	acct = mustCreate(t, old, testCitizen(portal.RoleMinor, "13800000321", 21))
	court, _ := old.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	police, _ := old.EnsureOrgan(portal.RolePolice, "演示市公安局")
	c := completeDraft(t, old, acct, court, police)
	doc = addLegacyDocument(t, old, c.ID, portal.Document{Kind: portal.DocOther, Name: "old.pdf", MediaType: portal.MediaPDF, UploadedBy: acct.ID}, []byte("%PDF-1.4 OLD-LAYOUT"))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := writeKeysFile(keysPath, kf, true); err != nil {
		t.Fatal(err)
	}
	return dbPath, keysPath, legacy, acct, doc, c.ID
}

func noEnv(string) string { return "" }

// Migration 8 wraps the data key of a database made by the previous version
// as key 1 under a KEK: the keys file gains a kek before the database is
// touched and loses its data_key once the keyring holds it; everything reads
// as before, and a rotation then retires the old key.
func TestMigration8WrapsLegacyDataKey(t *testing.T) {
	t.Parallel()
	dbPath, keysPath, legacy, acct, doc, caseID := legacyDatabase(t)
	keys, err := LoadOrCreateKeysFile(keysPath, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(keys.LegacyData, legacy) || len(keys.KEK) != 32 {
		t.Fatal("LoadOrCreateKeysFile did not keep the legacy data key and add a KEK")
	}
	kf, err := readKeysFile(keysPath)
	if err != nil || kf.KEK == "" || kf.Data == "" {
		t.Fatalf("before Open the keys file must hold the new kek and still the data_key: %+v %v", kf, err)
	}
	db, err := Open(enginetest.Location(t, dbPath), Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if v := schemaVersionOf(t, db); v < 8 {
		t.Fatalf("version %d", v)
	}
	if ks, err := db.Keyring(); err != nil || len(ks) != 1 || ks[0].ID != 1 || ks[0].State != KeyActive {
		t.Fatalf("keyring %+v %v", ks, err)
	}
	if got, err := db.Account(acct.ID); err != nil || got.Name != acct.Name || got.Mobile != acct.Mobile {
		t.Fatalf("account after migration: %+v %v", got, err)
	}
	if got, err := db.DocumentContent(caseID, doc.ID); err != nil || string(got) != "%PDF-1.4 OLD-LAYOUT" {
		t.Fatalf("document after migration: %q %v", got, err)
	}
	kf, err = readKeysFile(keysPath)
	if err != nil || kf.Data != "" || kf.KEK == "" {
		t.Fatalf("after Open the keys file must hold only the kek: data_key %q %v", kf.Data, err)
	}
	if fi, err := os.Stat(keysPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keys file mode %v %v", fi.Mode(), err)
	}
	raw, _ := os.ReadFile(keysPath)
	if bytes.Contains(raw, []byte(base64.StdEncoding.EncodeToString(legacy))) {
		t.Fatal("the legacy data key is still in the keys file")
	}
	// Migration 8 ran once: applying it again is harmless.
	if err := db.update(migrations[7].apply); err != nil {
		t.Fatal(err)
	}
	// A rotation moves everything off the legacy key.
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	keys2, err := LoadOrCreateKeysFile(keysPath, noEnv)
	if err != nil || keys2.LegacyData != nil || !bytes.Equal(keys2.KEK, keys.KEK) {
		t.Fatalf("reloaded keys: %v", err)
	}
	db, err = Open(enginetest.Location(t, dbPath), Options{Keys: keys2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Account(acct.ID); err != nil || got.Name != acct.Name {
		t.Fatalf("account after rotation: %+v %v", got, err)
	}
	if use, _ := db.KeyUse(); use[1] != 0 {
		t.Fatalf("legacy key still used: %v", use)
	}
}

// An old database opened with a wrong data_key, or without any, is refused
// with a message saying what is missing, and is left at version 7.
func TestMigration8RefusesWithoutTheLegacyKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(kf *keysFile)
		want   string
	}{
		{"wrong data_key", func(kf *keysFile) { kf.Data, _ = randomKey() }, "does not decrypt"},
		{"no data_key", func(kf *keysFile) { kf.Data, kf.KEK = "", kf.Index }, "data_key"},
	} {
		dbPath, keysPath, _, _, _, _ := legacyDatabase(t)
		if err := updateKeysFile(keysPath, tc.change); err != nil {
			t.Fatal(err)
		}
		keys, err := LoadOrCreateKeysFile(keysPath, noEnv)
		if err != nil {
			t.Fatal(err)
		}
		db, err := Open(enginetest.Location(t, dbPath), Options{Keys: keys})
		if err == nil {
			db.Close()
			t.Fatalf("%s: opened", tc.name)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: error %q does not say %q", tc.name, err, tc.want)
		}
		b, err := openRaw(t, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		b.View(func(tx kv.Tx) error {
			if v := readVersion(tx.Bucket(bucketMeta)); v != 7 {
				t.Errorf("%s: version %d after a refused migration", tc.name, v)
			}
			return nil
		})
		b.Close()
	}
}
