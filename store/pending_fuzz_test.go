package store

import (
	"path/filepath"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv/enginetest"
)

// FuzzPendingCodes sends arbitrary tokens and codes to the code forms'
// store calls (registration, password reset): nothing panics, an unknown or
// forged token is NotFound, and only the real token with the real code
// creates the account.
func FuzzPendingCodes(f *testing.F) {
	db, err := Open(enginetest.Location(f, filepath.Join(f.TempDir(), "portal.db")), Options{Keys: NewTestKeys()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	a := portal.Account{Role: portal.RoleMinor, Login: "13800000001", Mobile: "13800000001", Name: "测试人",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}
	token, err := db.StartRegistration(a)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct{ token, code string }{{token, "000000"}, {"1.x", "123456"}, {"", ""},
		{"18446744073709551615.a", "999999"}, {"1." + token[2:], "１２３４５６"}, {"-1.abc", "12345"}} {
		f.Add(seed.token, seed.code)
	}
	f.Fuzz(func(t *testing.T, tok, code string) {
		_, err := db.ConfirmRegistration(tok, code)
		if tok != token && portal.ErrorCode(err) != portal.CodeNotFound {
			t.Fatalf("token %q: %v, want NotFound", tok, err)
		}
		if err == nil {
			t.Fatalf("token %q code %q created the account", tok, code)
		}
		if err := db.CheckResetCode(tok, code); portal.ErrorCode(err) != portal.CodeNotFound {
			t.Fatalf("reset with token %q: %v, want NotFound", tok, err)
		}
	})
}
