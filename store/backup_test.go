package store

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// backupWorld is a database with accounts, a complete case and audit entries.
func backupWorld(t *testing.T) (*DB, portal.Case) {
	t.Helper()
	db := newTestDB(t)
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		t.Fatal(err)
	}
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	minor := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000001", 7))
	mustCreate(t, db, testStaff(portal.RoleCourt, "judge"))
	c := completeDraft(t, db, minor, court, police)
	appendProbes(t, db, 0, 5)
	return db, c
}

// A hot copy taken while writers keep writing is a complete, consistent
// database: it opens with the same keys, passes bbolt's check, decrypts, its
// audit log verifies, and it holds every record committed before it began.
func TestBackupToWhileWriting(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the hot copy of the file; PostgreSQL is backed up with its own tools")
	db, c := backupWorld(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 100; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.RecordAudit(auditProbe(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	out := filepath.Join(t.TempDir(), "copy.db")
	rep, err := db.BackupTo(out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 1 || rep.Accounts != 2 || rep.Schema != SchemaVersion() || rep.Audit < 5 || rep.Bytes <= 0 {
		t.Fatalf("report %+v", rep)
	}
	st, err := os.Stat(out)
	if err != nil || st.Size() != rep.Bytes {
		t.Fatalf("file %v size vs report %d: %v", st, rep.Bytes, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".copy.db.tmp-*")); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
	cp, err := Open(out, Options{Keys: mustKeys(t, db), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	got, err := cp.testCaseByID(c.ID)
	if err != nil || got.PersonName != "测试人" || got.Ref != c.Ref {
		t.Fatalf("case in copy: %+v, %v", got, err)
	}
	if rep2, err := CheckFile(out, Options{Keys: mustKeys(t, db)}); err != nil || rep2.Cases != 1 {
		t.Fatalf("CheckFile: %+v %v", rep2, err)
	}
}

func (db *DB) testCaseByID(id uint64) (c portal.Case, err error) {
	err = db.view(func(tx kv.Tx) error {
		c, err = db.getCase(tx, id)
		return err
	})
	return c, err
}

// A backup can never be written over the live database itself.
func TestBackupRefusesLiveFile(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the hot copy of the file; PostgreSQL is backed up with its own tools")
	db, _ := backupWorld(t)
	if _, err := db.BackupTo(db.Path()); err == nil || !strings.Contains(err.Error(), "live database") {
		t.Fatalf("got %v", err)
	}
	if _, err := db.Account(1); err != nil {
		t.Fatalf("live database damaged: %v", err)
	}
}

// A copy is refused by the check when the keys at hand cannot read it, when its
// audit log was changed, or when it is not a portal database at all.
func TestCheckCopyFindsProblems(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "copies of the file; TestCheckRestoredDatabase is PostgreSQL's")
	db, _ := backupWorld(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if _, err := db.BackupTo(good); err != nil {
		t.Fatal(err)
	}
	// Other keys fail either at Open (a keyring wrapped by another key) or
	// when the first record does not decrypt.
	if _, err := CheckFile(good, Options{Keys: NewTestKeys()}); err == nil {
		t.Fatal("a copy passed the check with keys that did not write it")
	}

	// Change one audit entry in a second copy.
	bad := filepath.Join(dir, "bad.db")
	if _, err := db.BackupTo(bad); err != nil {
		t.Fatal(err)
	}
	b, err := openRaw(t, bad)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx kv.Tx) error {
		e := tx.Bucket(bucketAuditEntries)
		v := append([]byte(nil), e.Get(itob(2))...)
		v[len(v)/2] ^= 1
		return e.Put(itob(2), v)
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CheckFile(bad, Options{Keys: mustKeys(t, db)}); !errors.Is(err, ErrBadCopy) || !strings.Contains(err.Error(), "audit") {
		t.Fatalf("changed audit entry: got %v", err)
	}

	other := filepath.Join(dir, "other.db")
	ob, err := openRaw(t, other)
	if err != nil {
		t.Fatal(err)
	}
	ob.Close()
	if _, err := CheckFile(other, Options{Keys: mustKeys(t, db)}); err == nil {
		t.Fatal("an empty bbolt file passed the check")
	}
}

// On PostgreSQL the portal makes no copies (pgBackRest and point-in-time
// recovery do): Backup and BackupTo say so and write nothing. What the portal
// does is check a restored database, as CheckFile checks a copy of the file:
// it passes with the keys that wrote it, fails with others, and fails when an
// audit entry was changed in the table.
func TestCheckRestoredDatabase(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Postgres, "the server's backups; TestBackupToWhileWriting and TestCheckCopyFindsProblems are bbolt's")
	db, _ := backupWorld(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	if _, err := db.BackupTo(out); err == nil || !strings.Contains(err.Error(), "its own tools") {
		t.Fatalf("BackupTo on PostgreSQL: %v", err)
	}
	if _, err := db.Backup(io.Discard); err == nil || !strings.Contains(err.Error(), "its own tools") {
		t.Fatalf("Backup on PostgreSQL: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Dir(out)); len(left) != 0 {
		t.Fatalf("BackupTo left files behind: %v", left)
	}
	path, keys := db.Path(), mustKeys(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := CheckFile(path, Options{Keys: keys})
	if err != nil || rep.Cases != 1 || rep.Accounts != 2 || rep.Audit < 5 || rep.Schema != SchemaVersion() {
		t.Fatalf("CheckFile of the database: %+v, %v", rep, err)
	}
	if _, err := CheckFile(path, Options{Keys: NewTestKeys()}); err == nil {
		t.Fatal("the database passed the check with keys that did not write it")
	}
	changed := editAtRest(t, path, func(v []byte) int {
		if i := bytes.Index(v, []byte(`"detail":"probe-002"`)); i >= 0 {
			v[i+len(`"detail":"probe-00`)] = '9'
			return 1
		}
		return 0
	})
	if changed != 1 {
		t.Fatalf("%d audit entries changed", changed)
	}
	if _, err := CheckFile(path, Options{Keys: keys}); !errors.Is(err, ErrBadCopy) || !strings.Contains(err.Error(), "audit") {
		t.Fatalf("CheckFile after an audit entry was changed: %v", err)
	}
}
