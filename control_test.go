package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// startControl serves the control socket of db for the test's duration.
func keysStartControl(t *testing.T, db *store.DB, more map[string]controlCommand) string {
	t.Helper()
	sock := controlSocket(db.Path())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveControl(ctx, db, sock, slog.New(slog.NewTextHandler(io.Discard, nil)), more) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serveControl: %v", err)
		}
		if _, err := os.Stat(sock); err == nil {
			t.Error("the socket was not removed")
		}
	})
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(sock); err == nil {
			return sock
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("control socket never appeared")
	return ""
}

func keysSeedAccounts(t *testing.T, db *store.DB, n int) []portal.Account {
	t.Helper()
	var out []portal.Account
	for i := 0; i < n; i++ {
		a, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: fmt.Sprintf("1380000%04d", i), Name: fmt.Sprintf("控制测试%04d", i),
			Mobile: fmt.Sprintf("1380000%04d", i), IDNumber: portal.SyntheticIDNumber(uint64(300+i), portal.Date{Year: 2007, Month: 1, Day: 2}).String(),
			PasswordHash: "x"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// While a server holds the database, `admin rotate-keys` asks it over the
// control socket (mode 0600): the rotation runs in the server's process in
// batches, the progress comes back line by line, and the server's own reads
// work throughout and after.
func TestRotateKeysThroughControlSocket(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the control socket of a server holding the bbolt file; on PostgreSQL admin commands run directly (TestRotateKeysDirect, TestTwoServersOnePostgres)")
	data := testData(t)
	db := openData(t, data)
	accts := keysSeedAccounts(t, db, 12)
	sock := keysStartControl(t, db, nil)
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket mode %v %v", fi.Mode(), err)
	}
	var out bytes.Buffer
	if err := adminRotateKeys(withData(t, data, "-batch", "3"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	if strings.Count(text, "batch ") < 4 || !strings.Contains(text, "data key 2 is active") || !strings.Contains(text, "retired keys [1]") {
		t.Fatalf("output:\n%s", text)
	}
	for _, a := range accts {
		if strings.Contains(text, a.Name) || strings.Contains(text, a.Mobile) {
			t.Fatal("personal data in the output")
		}
	}
	ks, err := db.Keyring()
	if err != nil || len(ks) != 2 || ks[0].State != store.KeyRetired || ks[0].HasKey || ks[1].State != store.KeyActive {
		t.Fatalf("keyring %+v %v", ks, err)
	}
	for _, a := range accts {
		if got, err := db.Account(a.ID); err != nil || got.Name != a.Name {
			t.Fatalf("account %d: %v", a.ID, err)
		}
	}
	// The keyring listing and an unknown command.
	out.Reset()
	if err := adminRotateKeys(withData(t, data, "-list"), &out); err != nil || !strings.Contains(out.String(), "key 1: retired") {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	if _, err := askControl(sock, "drop-everything", io.Discard); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}
}

// Rotating the KEK through the socket: the new KEK file is created, the
// server rewraps and rewrites its keys file; a restart with the keys file
// opens the database and the old KEK no longer does.
func TestRotateKEKThroughControlSocket(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the control socket of a server holding the bbolt file")
	data := testData(t)
	db := openData(t, data)
	a := keysSeedAccounts(t, db, 1)[0]
	keysStartControl(t, db, nil)
	keysPath := filepath.Join(filepath.Dir(data), store.KeysFile)
	oldKeys, err := store.LoadOrCreateKeysFile(keysPath, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	kekFile := filepath.Join(t.TempDir(), "new.kek")
	var out bytes.Buffer
	if err := adminRotateKeys(withData(t, data, "-new-kek", kekFile), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "rewrapped under the new KEK") || !strings.Contains(out.String(), keysPath) {
		t.Fatalf("output:\n%s", out.String())
	}
	fi, err := os.Stat(kekFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("kek file %v %v", fi, err)
	}
	raw, _ := os.ReadFile(kekFile)
	newKEK, err := store.DecodeKEK(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := store.Open(data, store.Options{Keys: oldKeys}); err == nil {
		t.Fatal("the old KEK still opens the database")
	}
	reopened := openData(t, data)
	if got, err := reopened.Account(a.ID); err != nil || got.Name != a.Name {
		t.Fatalf("account after the KEK rotation: %v", err)
	}
	k, _ := store.LoadOrCreateKeysFile(keysPath, func(string) string { return "" })
	if !bytes.Equal(k.KEK, newKEK) {
		t.Fatal("the keys file does not hold the new KEK")
	}
}

// Without a server, `admin rotate-keys` opens the database itself; a stale
// socket file left by a dead server does not stop it.
func TestRotateKeysDirect(t *testing.T) {
	t.Parallel()
	data := testData(t)
	db := openData(t, data)
	a := keysSeedAccounts(t, db, 5)[0]
	db.Close()
	if err := os.WriteFile(controlSocket(data), nil, 0o600); err != nil { // not a socket: nobody answers
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := adminRotateKeys(withData(t, data, "-batch", "2"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "data key 2 is active") {
		t.Fatalf("output:\n%s", out.String())
	}
	os.Remove(controlSocket(data))
	db = openData(t, data)
	if got, err := db.Account(a.ID); err != nil || got.Name != a.Name {
		t.Fatalf("account: %v", err)
	}
	if use, _ := db.KeyUse(); len(use) != 1 || use[2] == 0 {
		t.Fatalf("use %v", use)
	}
}

// Other parts of the program add commands (backup does), and a second
// server on the same socket is refused.
func TestControlMoreCommandsAndSecondServer(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the control socket of a server holding the bbolt file")
	data := testData(t)
	db := openData(t, data)
	sock := keysStartControl(t, db, map[string]controlCommand{
		"echo": func(_ context.Context, arg string, w io.Writer) { io.WriteString(w, "line\nok "+arg+"\n") },
	})
	var out bytes.Buffer
	if got, err := askControl(sock, "echo hello", &out); err != nil || got != "hello" || out.String() != "line\n" {
		t.Fatalf("echo: %q %q %v", got, out.String(), err)
	}
	if err := serveControl(context.Background(), db, sock, slog.New(slog.NewTextHandler(io.Discard, nil)), nil); err == nil {
		t.Fatal("a second server took the socket")
	}
}

// Issue 13: `admin rotate-keys -blind` rotates the blind-index key through
// the server (logins and identity numbers re-indexed in batches, reads work
// after), -list shows the old key kept for codes, and -retire-blind deletes
// it; without a server the same runs directly. No personal data in the output.
func TestRotateBlindKeyThroughControlSocket(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the control socket of a server holding the bbolt file; on PostgreSQL TestRotateBlindKeyDirect")
	data := testData(t)
	db := openData(t, data)
	accts := keysSeedAccounts(t, db, 7)
	sock := keysStartControl(t, db, nil)
	var out bytes.Buffer
	if err := adminRotateKeys(withData(t, data, "-blind", "-batch", "3"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	if strings.Count(text, "re-index to blind key 2") < 3 || !strings.Contains(text, "blind-index key 2 is active") || !strings.Contains(text, "old keys [1] kept") {
		t.Fatalf("output:\n%s", text)
	}
	for _, a := range accts {
		if strings.Contains(text, a.Name) || strings.Contains(text, a.Mobile) || strings.Contains(text, a.IDNumber) {
			t.Fatal("personal data in the output")
		}
		if got, err := db.AccountByLogin(a.Login); err != nil || got.ID != a.ID {
			t.Fatalf("login %d after the rotation: %v", a.ID, err)
		}
		if ids, err := db.AccountsByIDNumber(a.IDNumber); err != nil || len(ids) != 1 || ids[0] != a.ID {
			t.Fatalf("identity number %d after the rotation: %v %v", a.ID, ids, err)
		}
	}
	out.Reset()
	if err := adminRotateKeys(withData(t, data, "-list"), &out); err != nil || !strings.Contains(out.String(), "blind key 1: kept, created") || !strings.Contains(out.String(), "0 long-lived codes") || !strings.Contains(out.String(), "blind key 2: active") {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := adminRotateKeys(withData(t, data, "-retire-blind", "2"), &out); err == nil {
		t.Fatal("the active blind key was retired")
	}
	if err := adminRotateKeys(withData(t, data, "-retire-blind", "1"), &out); err != nil || !strings.Contains(out.String(), "blind-index key 1 retired") {
		t.Fatalf("retire: %v\n%s", err, out.String())
	}
	if err := adminRotateKeys(withData(t, data, "-blind", "-list"), io.Discard); err == nil {
		t.Fatal("two modes at once were accepted")
	}
	if _, err := askControl(sock, "retire-blind x", io.Discard); err == nil || !strings.Contains(err.Error(), "key id") {
		t.Fatalf("bad key id: %v", err)
	}
}

func TestRotateBlindKeyDirect(t *testing.T) {
	t.Parallel()
	data := testData(t)
	db := openData(t, data)
	a := keysSeedAccounts(t, db, 4)[2]
	db.Close()
	var out bytes.Buffer
	if err := adminRotateKeys(withData(t, data, "-blind", "-batch", "2"), &out); err != nil || !strings.Contains(out.String(), "blind-index key 2 is active") {
		t.Fatalf("%v\n%s", err, out.String())
	}
	db = openData(t, data)
	if got, err := db.AccountByLogin(a.Login); err != nil || got.ID != a.ID {
		t.Fatalf("login after the rotation: %v", err)
	}
}
