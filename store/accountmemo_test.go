package store

import (
	"testing"

	"sealportal/portal"
)

// The session check's account (issue 19) is the account as Account reads it,
// decoded once while the record stays the same, and decoded afresh after any
// change: a disabled account or a new password is seen at the next request.
func TestSignedInAccountIsNeverStale(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	a, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "17000000001", Mobile: "17000000001", Name: "甲",
		IDNumber: portal.SyntheticIDNumber(1, portal.Date{Year: 2008, Month: 1, Day: 2}).String(), PasswordHash: "hash-1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.Account(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := db.SignedInAccount(a.ID)
		if err != nil || got != want {
			t.Fatalf("SignedInAccount = %+v, %v; Account = %+v", got, err, want)
		}
	}
	if e, ok := db.accounts.m[a.ID]; !ok || e.acct != want {
		t.Fatalf("the decode was not kept: %+v", e)
	}
	if err := db.SetDisabled(a.ID, true, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := db.SignedInAccount(a.ID); err != nil || !got.Disabled {
		t.Errorf("after disabling: %+v, %v", got, err)
	}
	if err := db.ChangePassword(a.ID, "hash-2", "req"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.SignedInAccount(a.ID); err != nil || got.PasswordHash != "hash-2" {
		t.Errorf("after a password change: %q, %v", got.PasswordHash, err)
	}
	if _, err := db.SignedInAccount(a.ID + 1000); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Errorf("unknown account: %v", err)
	}
}

// The memo is bounded: when full it starts afresh.
func TestAccountMemoIsBounded(t *testing.T) {
	t.Parallel()
	m := &accountMemo{}
	for i := range accountMemoSize + 10 {
		m.put(uint64(i), itob(uint64(i)), portal.Account{ID: uint64(i)}) // #nosec G115 -- a loop index
	}
	if len(m.m) > accountMemoSize {
		t.Fatalf("%d entries", len(m.m))
	}
	if _, ok := m.get(accountMemoSize+9, itob(accountMemoSize+9)); !ok {
		t.Error("the newest entry is missing")
	}
	if _, ok := m.get(accountMemoSize+9, itob(1)); ok {
		t.Error("an entry answered for other bytes")
	}
	var none *accountMemo
	none.put(1, []byte{1}, portal.Account{})
	if _, ok := none.get(1, []byte{1}); ok {
		t.Error("a nil memo answered")
	}
}
