package store

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv/enginetest"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// A first start writes a keys file (0600) holding the KEK, the index and
// audit keys and no data key; the data key lives wrapped in the database.
func TestKeysFileHoldsTheKEK(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keys, err := LoadOrCreateKeys(dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeysFile)
	if keys.File() != path || keys.KEKFromEnv() || len(keys.KEK) != 32 || keys.LegacyData != nil {
		t.Fatalf("keys %s %v", keys.File(), keys.KEKFromEnv())
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	kf, _ := readKeysFile(path)
	if kf.KEK == "" || kf.Data != "" {
		t.Fatalf("keys file %+v", kf)
	}
	// PORTAL_KEYS_FILE puts the file elsewhere.
	other := filepath.Join(t.TempDir(), "secrets", "k.json")
	k2, err := LoadOrCreateKeys(dir, envOf(map[string]string{EnvKeysFile: other}))
	if err != nil || k2.File() != other {
		t.Fatalf("PORTAL_KEYS_FILE: %v %v", k2.File(), err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatal(err)
	}
}

// With PORTAL_KEK the keys file holds no KEK; forgetting the variable later
// is an error, not a fresh KEK.
func TestKEKFromEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kek, _ := NewKEK()
	env := envOf(map[string]string{EnvKEK: kek})
	keys, err := LoadOrCreateKeys(dir, env)
	if err != nil || !keys.KEKFromEnv() {
		t.Fatalf("%v %v", keys.KEKFromEnv(), err)
	}
	if kf, _ := readKeysFile(keys.File()); kf.KEK != "" {
		t.Fatal("the KEK from the environment was written to the file")
	}
	db, err := Open(enginetest.Location(t, filepath.Join(dir, "portal.db")), Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := LoadOrCreateKeys(dir, noEnv); err == nil || !strings.Contains(err.Error(), EnvKEK) {
		t.Fatalf("without PORTAL_KEK: %v", err)
	}
}

// A wrong KEK is refused at Open with ErrWrongKEK and a message naming both
// fingerprints and where the KEK comes from.
func TestWrongKEKAtOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keys, err := LoadOrCreateKeys(dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "portal.db")
	db, err := Open(enginetest.Location(t, path), Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000401", 41))
	db.Close()
	wrong := keys
	wrong.KEK = NewTestKeys().KEK
	_, err = Open(enginetest.Location(t, path), Options{Keys: wrong})
	if !errors.Is(err, ErrWrongKEK) {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{kekFingerprint(wrong.KEK), kekFingerprint(keys.KEK), EnvKEK, keys.File()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// Rotating the KEK of a file-configured portal rewraps the data keys,
// rewrites the keys file and deletes the old wraps at once: the new KEK
// opens the database, the old one no longer does, and nothing is
// re-encrypted.
func TestRotateKEKWithKeysFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keys, err := LoadOrCreateKeys(dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "portal.db")
	db, err := Open(enginetest.Location(t, path), Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000402", 42))
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	newKEK := NewTestKeys().KEK
	rep, err := db.RotateKEK(newKEK)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pending || rep.KeysFile != keys.File() || rep.Rewrapped != 1 || rep.NewFingerprint != kekFingerprint(newKEK) {
		t.Fatalf("report %+v", rep)
	}
	// The running process keeps working, and wraps new data keys under the new KEK.
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	kf, _ := readKeysFile(keys.File())
	if kf.KEK != base64.StdEncoding.EncodeToString(newKEK) {
		t.Fatal("keys file not updated")
	}
	if _, err := Open(enginetest.Location(t, path), Options{Keys: keys}); !errors.Is(err, ErrWrongKEK) {
		t.Fatalf("old KEK after a confirmed rotation: %v", err)
	}
	reloaded, err := LoadOrCreateKeys(dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	db, err = Open(enginetest.Location(t, path), Options{Keys: reloaded})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Account(a.ID); err != nil || got.Name != a.Name {
		t.Fatalf("account: %v", err)
	}
}

// With the KEK in PORTAL_KEK the operator must set the new value: until the
// first start with it the old KEK still opens the database (and refuses data
// key rotations); that start deletes the old wraps.
func TestRotateKEKFromEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oldKEK, _ := NewKEK()
	keys, err := LoadOrCreateKeys(dir, envOf(map[string]string{EnvKEK: oldKEK}))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "portal.db")
	db, err := Open(enginetest.Location(t, path), Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000403", 43))
	newKEK, _ := NewKEK()
	nk, _ := DecodeKEK(newKEK + "\n")
	rep, err := db.RotateKEK(nk)
	if err != nil || !rep.Pending || rep.KeysFile != "" {
		t.Fatalf("%+v %v", rep, err)
	}
	db.Close()
	// Restarted with the old value: still opens, but no rotation meanwhile.
	db, err = Open(enginetest.Location(t, path), Options{Keys: keys})
	if err != nil {
		t.Fatalf("old KEK before the switch: %v", err)
	}
	if got, err := db.Account(a.ID); err != nil || got.Name != a.Name {
		t.Fatalf("account: %v", err)
	}
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{}); err == nil {
		t.Fatal("a data key rotation ran under the previous KEK")
	}
	db.Close()
	// Restarted with the new value: the switch is confirmed.
	keys2, err := LoadOrCreateKeys(dir, envOf(map[string]string{EnvKEK: newKEK}))
	if err != nil {
		t.Fatal(err)
	}
	db, err = Open(enginetest.Location(t, path), Options{Keys: keys2})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.Account(a.ID); err != nil || got.Name != a.Name {
		t.Fatalf("account: %v", err)
	}
	db.Close()
	if _, err := Open(enginetest.Location(t, path), Options{Keys: keys}); !errors.Is(err, ErrWrongKEK) {
		t.Fatalf("old KEK after the switch: %v", err)
	}
}
