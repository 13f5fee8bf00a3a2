package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// backupData is a data folder with demo accounts and audit entries, closed.
func backupData(t *testing.T) string {
	t.Helper()
	data := testData(t)
	db, err := testConfig(t, data).openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := seed(db, testHasher, io.Discard); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return data
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// The backup command writes a checked copy and says how big it is, how long
// it took and how many cases it holds; restore puts it in a new data folder
// that has the same keys file, where it opens with every account.
func TestBackupAndRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the bbolt file's own backups; PostgreSQL is backed up with its own tools (TestBackupRestoreOnPostgresPointToItsTools)")
	data := backupData(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	var buf bytes.Buffer
	if err := runBackup([]string{"-data", data, "-o", out}, &buf); err != nil {
		t.Fatalf("backup: %v\n%s", err, buf.String())
	}
	for _, want := range []string{"backup written to " + out, "bytes", "0 cases", strconv.Itoa(len(demoAccounts)) + " accounts", "audit entries verified"} {
		if !strings.Contains(buf.String(), want) {
			t.Fatalf("backup output lacks %q:\n%s", want, buf.String())
		}
	}

	target := filepath.Join(t.TempDir(), "restored", "portal.db")
	// Without the keys file, restore refuses: it cannot read the backup.
	if err := runRestore([]string{out, "-data", target}, io.Discard); err == nil || !strings.Contains(err.Error(), "no keys") {
		t.Fatalf("restore without keys: %v", err)
	}
	copyFile(t, store.KeysPath(filepath.Dir(data), func(string) string { return "" }), filepath.Join(filepath.Dir(target), store.KeysFile))
	buf.Reset()
	if err := runRestore([]string{out, "-data", target}, &buf); err != nil {
		t.Fatalf("restore: %v\n%s", err, buf.String())
	}
	db := openData(t, target)
	if a, err := db.AccountByLogin(demoAccounts[0].login); err != nil || a.Name != demoAccounts[0].name {
		t.Fatalf("restored account: %+v %v", a, err)
	}
	if rep, err := db.VerifyAudit(); err != nil || !rep.OK {
		t.Fatalf("restored audit: %+v %v", rep, err)
	}
}

// Restore refuses to overwrite: a database held by a running server at all,
// an existing one without -force; with -force the old file is kept beside it.
// A damaged backup is refused before anything is touched.
func TestRestoreRefusals(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the bbolt file's own backups; PostgreSQL is backed up with its own tools (TestBackupRestoreOnPostgresPointToItsTools)")
	data := backupData(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := runBackup([]string{"-data", data, "-o", out}, io.Discard); err != nil {
		t.Fatal(err)
	}

	if err := runRestore([]string{out, "-data", data}, io.Discard); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("existing target without -force: %v", err)
	}

	live := openData(t, data)
	if err := runRestore([]string{"-force", out, "-data", data}, io.Discard); err == nil || !strings.Contains(err.Error(), "running portal") {
		t.Fatalf("live target: %v", err)
	}
	live.Close()
	before, _ := os.ReadFile(data)

	damaged := filepath.Join(t.TempDir(), "damaged.db")
	raw, _ := os.ReadFile(out)
	for i := 4096 * 2; i < len(raw); i += 4096 {
		raw[i+100] ^= 0xff // a byte inside every page after the two meta pages
	}
	if err := os.WriteFile(damaged, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := runRestore([]string{damaged, "-data", data, "-force"}, io.Discard); err == nil {
		t.Fatal("a damaged backup was restored")
	}
	if now, _ := os.ReadFile(data); !bytes.Equal(now, before) {
		t.Fatal("a refused restore changed the database")
	}

	var buf bytes.Buffer
	if err := runRestore([]string{out, "-data", data, "-force"}, &buf); err != nil {
		t.Fatalf("restore -force: %v", err)
	}
	kept, _ := filepath.Glob(data + ".before-restore-*")
	if len(kept) != 1 || !strings.Contains(buf.String(), kept[0]) {
		t.Fatalf("old database kept as %v; output:\n%s", kept, buf.String())
	}
	if old, _ := os.ReadFile(kept[0]); !bytes.Equal(old, before) {
		t.Fatal("the kept old database is not the old file")
	}
}

// While a server holds the database, the backup command asks it over the
// control socket, and the server writes and checks the copy.
func TestBackupThroughControlSocket(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the bbolt file's own backups; PostgreSQL is backed up with its own tools (TestBackupRestoreOnPostgresPointToItsTools)")
	data := backupData(t)
	db := openData(t, data)
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	runner := &backupRunner{db: db, log: log}
	done := make(chan error, 1)
	go func() {
		done <- serveControl(ctx, db, controlSocket(data), log, map[string]controlCommand{"backup": runner.controlBackup})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(controlSocket(data)); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	out := filepath.Join(t.TempDir(), "hot.db")
	var buf bytes.Buffer
	if err := runBackup([]string{"-data", data, "-o", out}, &buf); err != nil {
		t.Fatalf("backup via server: %v\n%s", err, buf.String())
	}
	if !strings.Contains(buf.String(), "asking it over") || !strings.Contains(buf.String(), "backup written to "+out) {
		t.Fatalf("output:\n%s", buf.String())
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	// A relative path is refused by the server (its working folder is not
	// the caller's); the command makes paths absolute first.
	var w bytes.Buffer
	runner.controlBackup(ctx, "relative.db", &w)
	if !strings.HasPrefix(w.String(), "error:") {
		t.Fatalf("relative path: %q", w.String())
	}
}

// Scheduled backups are named by time and only the newest N are kept; other
// files in the folder are never touched.
func TestScheduledBackupsArePruned(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the bbolt file's own backups; PostgreSQL is backed up with its own tools (TestBackupRestoreOnPostgresPointToItsTools)")
	data := backupData(t)
	db := openData(t, data)
	dir := filepath.Join(t.TempDir(), "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &backupRunner{db: db, dir: dir, keep: 2, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)
	for i := range 4 {
		r.scheduledOnce(start.Add(time.Duration(i) * time.Hour))
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"notes.txt", "portal-20260302T040000Z.db", "portal-20260302T050000Z.db"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("folder holds %v, want %v", names, want)
	}
	if _, err := store.CheckFile(filepath.Join(dir, want[2]), store.Options{Keys: mustKeysOf(t, data)}); err != nil {
		t.Fatalf("scheduled backup does not check: %v", err)
	}
}

func mustKeysOf(t *testing.T, data string) store.Keys {
	t.Helper()
	k, err := config{data: data}.existingKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
