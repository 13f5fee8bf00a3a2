package main

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sealportal/store/kv/enginetest"
)

// `verify` checks a database as a restored copy must be checked: on both
// engines it reports the schema, the counts and the audit log, and it fails
// (ok=false, exit 1) once an audit entry has been changed behind the
// portal's back.
func TestVerifyCommand(t *testing.T) {
	t.Parallel()
	path := backupSeeded(t)
	var out bytes.Buffer
	ok, err := runVerify(dataArgs(t, path), &out)
	if err != nil || !ok {
		t.Fatalf("verify: ok=%v err=%v\n%s", ok, err, out.String())
	}
	for _, want := range []string{" OK: schema ", strconv.Itoa(len(demoAccounts)) + " accounts", "audit entries verified"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("verify output lacks %q:\n%s", want, out.String())
		}
	}
	if changed := tamperStored(t, path, func(raw []byte) int { return tamperAction(t, raw, 2) }); changed == 0 {
		t.Fatal("audit entry 2 not found")
	}
	out.Reset()
	ok, err = runVerify(dataArgs(t, path), &out)
	if err != nil || ok || !strings.Contains(out.String(), "FAILED") || !strings.Contains(out.String(), "audit log broken at entry 2") {
		t.Fatalf("verify after tampering: ok=%v err=%v\n%s", ok, err, out.String())
	}
	// It never creates keys: a folder without them is refused.
	other := filepath.Join(t.TempDir(), "portal.db")
	c := testConfig(t, path)
	args := []string{"-data", other}
	if c.onServer() {
		args = append(args, "-database-url", c.databaseURL)
	}
	if _, err := runVerify(args, &out); err == nil || !strings.Contains(err.Error(), "no keys") {
		t.Fatalf("verify without keys: %v", err)
	}
}

// backupSeeded is a data folder whose database holds the demo accounts and
// their audit entries, closed.
func backupSeeded(t *testing.T) string {
	t.Helper()
	data := testData(t)
	db, err := testConfig(t, data).openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := seed(db, testHasher, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return data
}

// On PostgreSQL, backup and restore are the database's own tools: the
// commands say so (pgBackRest, point-in-time recovery, verify) and touch
// nothing.
func TestBackupRestoreOnPostgresPointToItsTools(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Postgres, "backup and restore of a PostgreSQL database")
	data := backupSeeded(t)
	target := filepath.Join(t.TempDir(), "copy.db")
	var out bytes.Buffer
	for name, err := range map[string]error{
		"backup":  runBackup(withData(t, data, "-o", target), &out),
		"restore": runRestore(withData(t, data, target, "-force"), &out),
	} {
		if err == nil {
			t.Fatalf("%s on PostgreSQL did not refuse", name)
		}
		for _, want := range []string{"pgBackRest", "point-in-time recovery", "sealportal verify"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q lacks %q", name, err, want)
			}
		}
	}
	if out.Len() != 0 {
		t.Fatalf("the refusals wrote %q", out.String())
	}
	if _, err := runVerify(dataArgs(t, data), &out); err != nil {
		t.Fatalf("verify after the refusals: %v", err)
	}
}

// On PostgreSQL an administrative command runs beside the servers, one at a
// time: while another holds the admin lock it says so at once (the exit
// status is 2, main.go) and changes nothing; afterwards it runs.
func TestAdminBusyOnPostgres(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Postgres, "the admin lock row of a shared database")
	data := testData(t)
	db := openData(t, data) // a running server keeps the database open meanwhile
	unlock, err := db.LockAdmin(false)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = runAdmin(withData(t, data, "create-user", "-role", "court", "-organ", "演示市人民法院", "-name", "张法官"), &out)
	if !errors.Is(err, errAdminBusy) || !strings.Contains(err.Error(), "another administrative command is running") {
		t.Fatalf("create-user while the admin lock is held: %v", err)
	}
	if err := runSeed(withData(t, data), &out); !errors.Is(err, errAdminBusy) {
		t.Fatalf("seed while the admin lock is held: %v", err)
	}
	if total, _, err := db.AccountCounts(); err != nil || total != 0 {
		t.Fatalf("a refused command wrote: %d accounts, %v", total, err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := runAdmin(withData(t, data, "create-user", "-role", "court", "-organ", "演示市人民法院", "-name", "张法官"), &out); err != nil {
		t.Fatalf("create-user after the lock was released: %v", err)
	}
	// verify-audit needs no lock: it reads one snapshot, beside everything.
	unlock, err = db.LockAdmin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if ok, err := runVerifyAudit(withData(t, data), &out); err != nil || !ok {
		t.Fatalf("verify-audit beside a held admin lock: %v %v", ok, err)
	}
}

// The database URL's password is never shown, and -database-url takes only
// a PostgreSQL URL.
func TestDatabaseURLFlag(t *testing.T) {
	c := config{data: "data/portal.db", databaseURL: "postgres://portal:s3cret-pw@db1:5432,db2:5432/portal?target_session_attrs=read-write"}
	if !c.onServer() || c.location() != c.databaseURL || strings.Contains(c.where(), "s3cret-pw") || !strings.Contains(c.where(), "db1") {
		t.Fatalf("onServer %v, location %q, where %q", c.onServer(), c.location(), c.where())
	}
	if err := c.checkLocation(); err != nil {
		t.Fatal(err)
	}
	c.databaseURL = "/var/lib/portal/portal.db"
	if err := c.checkLocation(); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Fatalf("a file path as -database-url: %v", err)
	}
	if _, err := c.openStore(false); err == nil {
		t.Fatal("openStore took a file path as -database-url")
	}
	c = config{data: "data/portal.db"}
	if c.onServer() || c.location() != "data/portal.db" || c.where() != "data/portal.db" {
		t.Fatalf("without -database-url: %v %q %q", c.onServer(), c.location(), c.where())
	}
	// Scheduled file backups are refused on PostgreSQL before anything is
	// opened (nothing listens at that address).
	if err := runServe([]string{"-database-url", "postgres://nobody@127.0.0.1:1/none", "-backup-every", "1h"}); err == nil || !strings.Contains(err.Error(), "pgBackRest") {
		t.Fatalf("serve -backup-every on PostgreSQL: %v", err)
	}
	// The environment variable is the flag's default.
	t.Setenv("PORTAL_DATABASE_URL", "postgres://portal@db/portal")
	var f config
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dataFlags(fs, &f)
	if err := fs.Parse(nil); err != nil || f.databaseURL != "postgres://portal@db/portal" {
		t.Fatalf("PORTAL_DATABASE_URL: %q %v", f.databaseURL, err)
	}
}
