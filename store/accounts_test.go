package store

import (
	"sync"
	"testing"
	"time"

	"sealportal/portal"
)

// stepClock is a clock the test moves by hand.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func newStepClock() *stepClock {
	return &stepClock{now: time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// A hash is only a string to the store; tests need no real one.
const fakeHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func testCitizen(role portal.Role, mobile string, seq uint64) portal.Account {
	a := portal.Account{
		Role: role, Login: mobile, Mobile: mobile, Name: "周晓明",
		IDNumber:     portal.SyntheticIDNumber(seq, portal.Date{Year: 2006, Month: 5, Day: 17}).String(),
		PasswordHash: fakeHash,
	}
	if role == portal.RoleLawyer {
		a.Licence, a.Firm = "11101201510234567", "某某律师事务所"
	}
	return a
}

func testStaff(role portal.Role, login string) portal.Account {
	return portal.Account{Role: role, Login: login, Name: "吴法官", Organ: "某市人民法院", PasswordHash: fakeHash, MustChangePassword: true}
}

func mustCreate(t *testing.T, db *DB, a portal.Account) portal.Account {
	t.Helper()
	got, err := db.CreateAccount(a, 0)
	if err != nil {
		t.Fatalf("CreateAccount(%s %s): %v", a.Role, a.Login, err)
	}
	return got
}

func TestCreateAccountReadBack(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	clock := newStepClock()
	db.now = clock.Now
	in := testCitizen(portal.RoleLawyer, "13800000001", 1)
	a := mustCreate(t, db, in)
	if a.ID == 0 || !a.CreatedAt.Equal(clock.Now()) {
		t.Fatalf("created %+v: want an id and CreatedAt %v", a, clock.Now())
	}
	b := mustCreate(t, db, testStaff(portal.RoleCourt, "court-1"))
	if b.ID <= a.ID {
		t.Fatalf("ids %d then %d: want increasing", a.ID, b.ID)
	}

	for name, get := range map[string]func() (portal.Account, error){
		"Account":        func() (portal.Account, error) { return db.Account(a.ID) },
		"AccountByLogin": func() (portal.Account, error) { return db.AccountByLogin("13800000001") },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := in
		want.ID, want.CreatedAt = a.ID, got.CreatedAt
		if got != want || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("%s = %+v\nwant %+v", name, got, want)
		}
	}
	ids, err := db.AccountsByIDNumber(in.IDNumber)
	if err != nil || len(ids) != 1 || ids[0] != a.ID {
		t.Fatalf("AccountsByIDNumber = %v, %v; want [%d]", ids, err, a.ID)
	}
	if _, err := db.AccountByLogin("13800000002"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("unknown login: %v, want not found", err)
	}
	if _, err := db.Account(999); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("unknown id: %v, want not found", err)
	}
	all, err := db.Accounts()
	if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].Login != "court-1" {
		t.Fatalf("Accounts = %+v, %v", all, err)
	}
}

// Several people may register with one identity number (a person and their
// guardian's account for them, say); the index lists them all.
func TestAccountsByIDNumberListsEvery(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000011", 5))
	b := mustCreate(t, db, testCitizen(portal.RoleGuardian, "13800000012", 5))
	mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000013", 6))
	ids, err := db.AccountsByIDNumber(portal.SyntheticIDNumber(5, portal.Date{Year: 2006, Month: 5, Day: 17}).String())
	if err != nil || len(ids) != 2 || ids[0] != a.ID || ids[1] != b.ID {
		t.Fatalf("AccountsByIDNumber = %v, %v; want [%d %d]", ids, err, a.ID, b.ID)
	}
}

func TestCreateAccountDuplicateLogin(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000021", 1))
	_, err := db.CreateAccount(testCitizen(portal.RoleGuardian, "13800000021", 2), 0)
	pe, ok := portal.AsError(err)
	if !ok || pe.Code != portal.CodeConflict || pe.Fields["mobile"] == "" {
		t.Fatalf("duplicate mobile: %v, want a conflict on the mobile field", err)
	}
	if total, _, _ := db.AccountCounts(); total != 1 {
		t.Fatalf("%d accounts after a refused duplicate", total)
	}
}

// The store validates inside the transaction: no caller can skip it.
func TestCreateAccountValidates(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	for name, mutate := range map[string]func(*portal.Account){
		"no name":        func(a *portal.Account) { a.Name = " " },
		"no hash":        func(a *portal.Account) { a.PasswordHash = "" },
		"bad id number":  func(a *portal.Account) { a.IDNumber = a.IDNumber[:17] + otherCheck(a.IDNumber[17]) },
		"bad mobile":     func(a *portal.Account) { a.Mobile = "12345" },
		"unknown role":   func(a *portal.Account) { a.Role = "king" },
		"lawyer no firm": func(a *portal.Account) { a.Role, a.Licence = portal.RoleLawyer, "123" },
	} {
		a := testCitizen(portal.RoleMinor, "13800000031", 1)
		mutate(&a)
		if _, err := db.CreateAccount(a, 0); portal.ErrorCode(err) != portal.CodeInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "court-9", Name: "x", PasswordHash: fakeHash}, 0); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Errorf("staff without organ: %v, want invalid", err)
	}
	if total, _, _ := db.AccountCounts(); total != 0 {
		t.Fatalf("%d accounts stored from invalid input", total)
	}
	// Nothing half-written either: the login is still free.
	mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000031", 1))
}

func TestAccountsSurviveReopen(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000041", 1))
	s := mustCreate(t, db, testStaff(portal.RolePolice, "police-1"))
	db = reopenTestDB(t, db)
	got, err := db.AccountByLogin("13800000041")
	if err != nil || got.ID != a.ID || got.Name != a.Name || got.IDNumber != a.IDNumber || got.Mobile != a.Mobile {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	gs, err := db.Account(s.ID)
	if err != nil || gs.Login != "police-1" || !gs.MustChangePassword || gs.Organ != s.Organ {
		t.Fatalf("staff after reopen: %+v, %v", gs, err)
	}
	// The id sequence carries on rather than reusing ids.
	c := mustCreate(t, db, testCitizen(portal.RoleGuardian, "13800000042", 2))
	if c.ID <= s.ID {
		t.Fatalf("new id %d after reopen, want > %d", c.ID, s.ID)
	}
}

func TestLoginFailuresLockAndSuccessResets(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	clock := newStepClock()
	db.now = clock.Now
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000051", 1))
	for i := 1; i < portal.MaxFailedLogins; i++ {
		locked, _, err := db.RecordLoginFailure(a.ID, "r")
		if err != nil || locked {
			t.Fatalf("failure %d: locked=%v err=%v", i, locked, err)
		}
	}
	locked, _, err := db.RecordLoginFailure(a.ID, "r")
	if err != nil || !locked {
		t.Fatalf("failure %d: locked=%v err=%v, want locked", portal.MaxFailedLogins, locked, err)
	}
	got, _ := db.Account(a.ID)
	if !got.Locked(clock.Now().Add(portal.LockoutDuration-time.Second)) || got.Locked(clock.Now().Add(portal.LockoutDuration)) {
		t.Fatalf("locked until %v, want %v", got.LockedUntil, clock.Now().Add(portal.LockoutDuration))
	}

	// The lock survives a restart.
	db = reopenTestDB(t, db)
	if got, _ := db.Account(a.ID); !got.Locked(clock.Now()) {
		t.Fatal("lock lost on reopen")
	}

	clock.advance(portal.LockoutDuration)
	if err := db.RecordLoginSuccess(a.ID, "", "r"); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Account(a.ID)
	if got.FailedLogins != 0 || !got.LockedUntil.IsZero() || got.PasswordHash != fakeHash {
		t.Fatalf("after success: %+v", got)
	}
	// A success with an upgraded hash stores it.
	if err := db.RecordLoginSuccess(a.ID, "$argon2id$new", "r"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(a.ID); got.PasswordHash != "$argon2id$new" {
		t.Fatalf("hash not upgraded: %q", got.PasswordHash)
	}
}

func TestChangePasswordEndsSessions(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	clock := newStepClock()
	db.now = clock.Now
	a := mustCreate(t, db, testStaff(portal.RoleCourt, "court-1"))
	other := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000061", 1))
	h1, h2, h3 := putTestSession(t, db, a.ID, 1), putTestSession(t, db, a.ID, 2), putTestSession(t, db, other.ID, 3)

	clock.advance(time.Hour)
	if err := db.ChangePassword(a.ID, "$argon2id$changed", "r"); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Account(a.ID)
	if got.PasswordHash != "$argon2id$changed" || got.MustChangePassword || !got.PasswordChangedAt.Equal(clock.Now()) {
		t.Fatalf("after change: %+v", got)
	}
	wantNoSession(t, db, h1)
	wantNoSession(t, db, h2)
	wantSession(t, db, h3)
}

func TestSetDisabledEndsSessions(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	a := mustCreate(t, db, testCitizen(portal.RoleGuardian, "13800000071", 1))
	h := putTestSession(t, db, a.ID, 1)
	if err := db.SetDisabled(a.ID, true, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(a.ID); !got.Disabled {
		t.Fatal("not disabled")
	}
	wantNoSession(t, db, h)
	if err := db.SetDisabled(a.ID, false, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(a.ID); got.Disabled {
		t.Fatal("still disabled after enabling")
	}
	if err := db.SetDisabled(999, true, 0); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("disable unknown account: %v", err)
	}
}

func TestAccountCounts(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	if total, seeded, err := db.AccountCounts(); err != nil || total != 0 || seeded != 0 {
		t.Fatalf("empty: %d %d %v", total, seeded, err)
	}
	demo := testCitizen(portal.RoleMinor, "19900000001", 1)
	demo.Seeded = true
	mustCreate(t, db, demo)
	mustCreate(t, db, testStaff(portal.RoleCourt, "court-1"))
	if total, seeded, err := db.AccountCounts(); err != nil || total != 2 || seeded != 1 {
		t.Fatalf("counts: %d %d %v, want 2 1", total, seeded, err)
	}
}

// Every change to an account leaves a line in the audit log, in the same
// transaction.
func TestAccountChangesAreAudited(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000081", 1))
	if _, _, err := db.RecordLoginFailure(a.ID, "r1"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordLoginSuccess(a.ID, "", "r2"); err != nil {
		t.Fatal(err)
	}
	if err := db.ChangePassword(a.ID, fakeHash+"x", "r3"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetDisabled(a.ID, true, 7); err != nil {
		t.Fatal(err)
	}
	evs, err := db.AuditEntries(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []portal.AuditAction{portal.AuditAccountCreated, portal.AuditLoginFailed, portal.AuditLogin, portal.AuditPasswordChanged, portal.AuditAccountDisabled}
	if len(evs) != len(want) {
		t.Fatalf("%d audit entries, want %d: %+v", len(evs), len(want), evs)
	}
	for i, ev := range evs {
		if ev.Action != want[i] || ev.SubjectID != a.ID {
			t.Errorf("entry %d = %+v, want %s on account %d", i, ev, want[i], a.ID)
		}
	}
	wantAuditOK(t, db, uint64(len(want)))
}

// otherCheck is a check character other than c.
func otherCheck(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}
