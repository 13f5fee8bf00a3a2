package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// newMinorAccount writes an account with sealed fields (name, login, mobile,
// identity number), so each call adds values sealed with the active key.
func newMinorAccount(t *testing.T, db *DB, n int) portal.Account {
	t.Helper()
	mobile := fmt.Sprintf("139%08d", n)
	a, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: mobile, Name: fmt.Sprintf("钥匙人%d", n), Mobile: mobile,
		IDNumber: portal.SyntheticIDNumber(uint64(n), portal.Date{Year: 2007, Month: 8, Day: 9}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatalf("create account %d: %v", n, err)
	}
	return a
}

// activateNewKey runs a data key rotation only as far as its first commit:
// a new key is active and the old one retiring, nothing re-encrypted yet
// (the rotation's context is cancelled before the first batch).
func activateNewKey(t *testing.T, db *DB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.RotateDataKeys(ctx, RotateOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("rotation stopped after the activation: %v, want context.Canceled", err)
	}
}

func checkAccountName(t *testing.T, db *DB, want portal.Account) {
	t.Helper()
	got, err := db.Account(want.ID)
	if err != nil {
		t.Fatalf("read account %d: %v", want.ID, err)
	}
	if got.Name != want.Name {
		t.Fatalf("account %d: name %q, want %q", want.ID, got.Name, want.Name)
	}
}

// TestKeyringVersionCountsEveryKeyChange: the keyring's version rises with
// every commit that changes a key record, and a write transaction of a
// process whose keys in memory are older (as another app server's would be,
// design §6.5) reads the keyring again and seals with the key active now.
func TestKeyringVersionCountsEveryKeyChange(t *testing.T) {
	db := newTestDB(t)
	version := func() uint64 {
		var v uint64
		if err := db.view(func(tx kv.Tx) error { v = keyringVersion(tx.Bucket(bucketKeyring)); return nil }); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	if v0 == 0 {
		t.Fatal("a new keyring has version 0: its first key was written without counting")
	}
	if db.ring.version != v0 {
		t.Fatalf("in memory: version %d, keyring %d", db.ring.version, v0)
	}
	newMinorAccount(t, db, 1)
	if version() != v0 {
		t.Fatal("a write that changes no key raised the keyring's version")
	}

	// What this process knew before the rotation, to play the stale server.
	staleKeys, staleVersion := db.crypt.keys.Load(), db.ring.version
	activateNewKey(t, db)
	if version() <= v0 {
		t.Fatal("activating a new key did not raise the keyring's version")
	}
	db.crypt.keys.Store(staleKeys)
	db.ring.stateMu.Lock()
	db.ring.version = staleVersion
	db.ring.stateMu.Unlock()
	if db.crypt.activeKeyID() != 1 {
		t.Fatalf("stale keys: active %d, want 1", db.crypt.activeKeyID())
	}
	before, err := db.KeyUse()
	if err != nil {
		t.Fatal(err)
	}
	a := newMinorAccount(t, db, 2)
	after, err := db.KeyUse()
	if err != nil {
		t.Fatal(err)
	}
	if after[1] != before[1] || after[2] <= before[2] {
		t.Fatalf("a write by a process that had not seen the rotation sealed with the retiring key: use before %v, after %v", before, after)
	}
	if db.crypt.activeKeyID() != 2 || db.ring.version != version() {
		t.Fatalf("after the write: active key %d (want 2), version in memory %d, keyring %d", db.crypt.activeKeyID(), db.ring.version, version())
	}
	checkAccountName(t, db, a)
}

// TestKeyRotationSeenByAnotherServer is issue 15's acceptance: two app
// servers on one PostgreSQL database with the same keys; a key rotation on
// the first is seen by the second before the old key retires. The second
// reads the first's values under the new key without having written, never
// seals with the retiring key once it is retiring, and after a second full
// rotation it neither writes nor needs the retired key.
func TestKeyRotationSeenByAnotherServer(t *testing.T) {
	enginetest.Require(t, enginetest.Postgres, "two processes on one database; a bbolt file admits one process (its lock)")
	path := filepath.Join(t.TempDir(), "portal.db")
	keys := NewTestKeys()
	a := openTestDB(t, path, keys)
	b := openTestDB(t, path, keys)
	if !a.Shared() || !b.Shared() {
		t.Fatal("PostgreSQL store not shared")
	}
	acc := []portal.Account{newMinorAccount(t, a, 1)}
	checkAccountName(t, b, acc[0])
	if b.crypt.activeKeyID() != 1 {
		t.Fatalf("b: active key %d, want 1", b.crypt.activeKeyID())
	}

	activateNewKey(t, a)
	// a writes under key 2; b, which has not written since, reads it.
	acc = append(acc, newMinorAccount(t, a, 2))
	checkAccountName(t, b, acc[1])

	// b writes: under key 2, never under the retiring key 1.
	before, err := a.KeyUse()
	if err != nil {
		t.Fatal(err)
	}
	acc = append(acc, newMinorAccount(t, b, 3))
	after, err := a.KeyUse()
	if err != nil {
		t.Fatal(err)
	}
	if after[1] != before[1] || after[2] <= before[2] {
		t.Fatalf("server b sealed with the retiring key: use before %v, after %v", before, after)
	}

	// a finishes the rotation: key 1 retires, and everything reads on both.
	rep, err := a.RotateDataKeys(context.Background(), RotateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Resumed || len(rep.Retired) != 1 || rep.Retired[0] != 1 {
		t.Fatalf("resumed rotation: %+v, want key 1 retired", rep)
	}
	for _, x := range acc {
		checkAccountName(t, a, x)
		checkAccountName(t, b, x)
	}

	// A whole rotation on a while b is idle: key 3 active, key 2 retired.
	if _, err := a.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	acc = append(acc, newMinorAccount(t, b, 4))
	if id := b.crypt.activeKeyID(); id != 3 {
		t.Fatalf("b seals with key %d after the second rotation, want 3", id)
	}
	if _, ok := b.crypt.keys.Load().byID[2]; ok {
		t.Fatal("b still holds retired key 2 in memory")
	}
	use, err := b.KeyUse()
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range use {
		if id != 3 {
			t.Fatalf("values under key %d (%d) after two rotations: %v", id, n, use)
		}
	}
	for _, x := range acc {
		checkAccountName(t, b, x)
	}
	infos, err := b.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range infos {
		if k.ID != 3 && (k.State != KeyRetired || k.HasKey) {
			t.Fatalf("key %d: %s, material %v; want retired without material", k.ID, k.State, k.HasKey)
		}
	}
}

// TestKEKRotationSeenByAnotherServer: a KEK rotation on one server (KEK from
// the environment, so the wraps under the old KEK stay until a start with the
// new one) leaves the other server, still on the old KEK, reading and writing
// through those wraps. A data key added afterwards is wrapped under the new
// KEK only: the old server then refuses to write, saying why, rather than
// seal with a key the keyring has moved past.
func TestKEKRotationSeenByAnotherServer(t *testing.T) {
	enginetest.Require(t, enginetest.Postgres, "two processes on one database; a bbolt file admits one process (its lock)")
	path := filepath.Join(t.TempDir(), "portal.db")
	keys := NewTestKeys()
	a := openTestDB(t, path, keys)
	b := openTestDB(t, path, keys)
	first := newMinorAccount(t, a, 1)
	newKEK, _ := NewKEK()
	nk, _ := DecodeKEK(newKEK)
	if rep, err := a.RotateKEK(nk); err != nil || !rep.Pending {
		t.Fatalf("KEK rotation: %+v %v", rep, err)
	}
	second := newMinorAccount(t, b, 2) // b reloads through the previous wraps
	if _, _, old := b.ring.current(); !old {
		t.Fatal("b does not know it runs with the previous KEK")
	}
	checkAccountName(t, a, second)
	checkAccountName(t, b, first)

	if _, err := a.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := b.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13900000003", Name: "钥匙人3", Mobile: "13900000003", PasswordHash: "x"}, 0)
	if err == nil || !strings.Contains(err.Error(), "cannot read it") {
		t.Fatalf("b wrote after a data key it cannot unwrap was activated: %v", err)
	}
}
