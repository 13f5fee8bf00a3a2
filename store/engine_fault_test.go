package store

import (
	"errors"
	"path/filepath"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv/boltkv"
	"sealportal/store/kv/faultkv"
)

// openFaulty opens a fresh store on the bbolt engine wrapped by faultkv,
// through OpenEngine as any other engine would be.
func openFaulty(t *testing.T) (*DB, *faultkv.Engine) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "portal.db")
	inner, err := boltkv.Open(path, boltkv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fe := faultkv.New(inner)
	db, err := OpenEngine(fe, path, Options{Keys: NewTestKeys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, fe
}

// The seam's contract through the store's own methods: a lookup whose read
// failed in the engine is an error, never "not found" (a citizen would be
// told his account does not exist), and a write whose read failed commits
// nothing (the login's uniqueness check read nil, as for a free login).
func TestEngineFailureIsNeitherNotFoundNorCommitted(t *testing.T) {
	db, fe := openFaulty(t)
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000001", 1))

	fe.FailNth(faultkv.Get, 1)
	_, err := db.AccountByLogin(a.Login)
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Code == portal.CodeNotFound {
		t.Fatal("a failed read answered not found")
	}
	if !errors.Is(err, faultkv.ErrInjected) {
		t.Fatalf("AccountByLogin = %v, want the engine's error", err)
	}
	if got, err := db.AccountByLogin(a.Login); err != nil || got.ID != a.ID {
		t.Fatalf("after the fault: %+v, %v", got, err)
	}

	// A list cut short by a failed cursor move is an error, not a short or
	// empty list.
	fe.FailNth(faultkv.Move, 1)
	if ids, err := db.AccountsByIDNumber(a.IDNumber); !errors.Is(err, faultkv.ErrInjected) {
		t.Fatalf("AccountsByIDNumber = %v, %v, want the engine's error", ids, err)
	}
	if ids, err := db.AccountsByIDNumber(a.IDNumber); err != nil || len(ids) != 1 {
		t.Fatalf("after the fault: %v, %v", ids, err)
	}

	// Every Get of the creation fails in turn: whichever read it was, the
	// account must not be there afterwards.
	for n := 1; ; n++ {
		fired := fe.Fired(faultkv.Get)
		fe.FailNth(faultkv.Get, n)
		b := testCitizen(portal.RoleMinor, "13800000002", 2)
		_, err := db.CreateAccount(b, 0)
		if fe.Fired(faultkv.Get) == fired {
			// The creation made fewer than n reads: it ran clean.
			fe.FailNth(faultkv.Get, 0)
			if err != nil {
				t.Fatalf("clean creation: %v", err)
			}
			if n < 3 {
				t.Fatalf("the creation made only %d reads: the test proves little", n-1)
			}
			t.Logf("each of the creation's %d reads failed in turn", n-1)
			break
		}
		if !errors.Is(err, faultkv.ErrInjected) {
			t.Fatalf("Get %d failed: CreateAccount = %v, want the engine's error", n, err)
		}
		if _, err := db.AccountByLogin(b.Login); err == nil {
			t.Fatalf("Get %d failed, and the account was committed all the same", n)
		}
		if n > 200 {
			t.Fatal("CreateAccount never finished clean")
		}
	}
	// The audit log of those refused writes has no gap and verifies.
	rep, err := db.VerifyAudit()
	if err != nil || !rep.OK {
		t.Fatalf("audit after refused writes: %+v, %v", rep, err)
	}
}
