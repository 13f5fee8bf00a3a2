package store

import (
	"bytes"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

func newTOTPTestAccount(t *testing.T, db *DB) portal.Account {
	t.Helper()
	a, err := db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "court-1", Name: "法官", Organ: "测试市人民法院", PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func codeAt(t *testing.T, secret string, now time.Time, delta int64) string {
	t.Helper()
	c, err := portal.TOTPCode(secret, portal.TOTPStep(now)+delta)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// auditActions lists the actions audited about an account, in order.
func auditActions(t *testing.T, db *DB, id uint64) []portal.AuditAction {
	t.Helper()
	evs, err := db.AuditBySubject(kindAccount, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []portal.AuditAction
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

func countAction(acts []portal.AuditAction, a portal.AuditAction) int {
	n := 0
	for _, x := range acts {
		if x == a {
			n++
		}
	}
	return n
}

// Enrolment keeps the pending secret across page loads, needs a right code,
// stores the secret encrypted and the recovery codes only as keyed hashes, and
// survives a reopen; the account then reports TOTPEnabled.
func TestTOTPEnrolAndReopen(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }
	a := newTOTPTestAccount(t, db)
	s1, _ := portal.NewTOTPSecret()
	s2, _ := portal.NewTOTPSecret()
	got, err := db.StartTOTPEnrolment(a.ID, s1)
	if err != nil || got != s1 {
		t.Fatalf("start = %q, %v", got, err)
	}
	if got, _ = db.StartTOTPEnrolment(a.ID, s2); got != s1 {
		t.Fatalf("reloading the page changed the secret")
	}
	codes, _ := portal.NewRecoveryCodes()
	if err := db.ConfirmTOTP(a.ID, "000000", codes, "r1"); portal.ErrorCode(err) != portal.CodeInvalid {
		if codeAt(t, s1, now, 0) != "000000" {
			t.Fatalf("wrong code: %v, want invalid", err)
		}
	}
	if err := db.ConfirmTOTP(a.ID, codeAt(t, s1, now, 0), codes, "r2"); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if _, err := db.StartTOTPEnrolment(a.ID, s2); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("enrolling twice: %v, want conflict", err)
	}
	// Neither the secret nor any recovery code is in the file in clear.
	err = db.view(func(tx kv.Tx) error {
		raw := tx.Bucket(bucketTOTP).Get(itob(a.ID))
		for _, s := range append([]string{s1}, codes...) {
			n, _ := portal.NormalizeRecoveryCode(s)
			if bytes.Contains(raw, []byte(s)) || (n != "" && bytes.Contains(raw, []byte(n))) {
				t.Errorf("%q stored in clear", s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db = reopenTestDB(t, db)
	acct, err := db.Account(a.ID)
	if err != nil || !acct.TOTPEnabled {
		t.Fatalf("after reopen: enabled %v, %v", acct.TOTPEnabled, err)
	}
	if n, _ := db.RecoveryCodesLeft(a.ID); n != portal.RecoveryCodeCount {
		t.Fatalf("%d recovery codes left", n)
	}
	// The enrolling code's step is already spent.
	res, err := db.VerifySecondFactor(a.ID, codeAt(t, s1, now, 0), SecondFactorLogin, "r3")
	if err != nil || res.Passed || res.Key != "totp.replayed" {
		t.Fatalf("replay of the enrolment code: %+v, %v", res, err)
	}
	now = now.Add(portal.TOTPPeriod)
	if res, err = db.VerifySecondFactor(a.ID, codeAt(t, s1, now, 0), SecondFactorLogin, "r4"); err != nil || !res.Passed {
		t.Fatalf("next step: %+v, %v", res, err)
	}
	acts := auditActions(t, db, a.ID)
	if countAction(acts, portal.AuditTOTPEnrolled) != 1 || countAction(acts, portal.AuditSecondFactorFailed) != 1 || countAction(acts, portal.AuditLogin) != 1 {
		t.Fatalf("audit %v", acts)
	}
	if accts, _ := db.Accounts(); len(accts) != 1 || !accts[0].TOTPEnabled {
		t.Fatalf("Accounts() does not report the enrolment")
	}
}

// A recovery code works once; wrong codes count towards the lockout, which
// ends the account's sessions.
func TestTOTPRecoveryCodesAndLockout(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }
	a := newTOTPTestAccount(t, db)
	secret, _ := db.StartTOTPEnrolment(a.ID, mustSecret(t))
	codes, _ := portal.NewRecoveryCodes()
	if err := db.ConfirmTOTP(a.ID, codeAt(t, secret, now, 0), codes, ""); err != nil {
		t.Fatal(err)
	}
	res, err := db.VerifySecondFactor(a.ID, codes[3], SecondFactorStepUp, "")
	if err != nil || !res.Passed || !res.Recovery || res.RecoveryLeft != portal.RecoveryCodeCount-1 {
		t.Fatalf("recovery code: %+v, %v", res, err)
	}
	if res, _ = db.VerifySecondFactor(a.ID, codes[3], SecondFactorLogin, ""); res.Passed {
		t.Fatal("a recovery code worked twice")
	}
	if countAction(auditActions(t, db, a.ID), portal.AuditRecoveryCodeUsed) != 1 {
		t.Fatal("recovery code use not audited")
	}
	if err := db.PutSession([]byte("h1"), portal.Session{AccountID: a.ID, Role: a.Role}); err != nil {
		t.Fatal(err)
	}
	// One failure so far; four more lock the account.
	for i := 0; i < portal.MaxFailedLogins-1; i++ {
		res, _ = db.VerifySecondFactor(a.ID, "999999x", SecondFactorLogin, "")
	}
	if !res.Locked {
		t.Fatalf("not locked after %d failures: %+v", portal.MaxFailedLogins, res)
	}
	if _, err := db.Session([]byte("h1")); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("the lockout left a session: %v", err)
	}
	if res, _ = db.VerifySecondFactor(a.ID, codes[4], SecondFactorLogin, ""); res.Passed || !res.Locked {
		t.Fatalf("a locked account passed: %+v", res)
	}
}

// A reset removes the factor, ends the sessions and is audited; the account
// can enrol again with a new secret.
func TestTOTPReset(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }
	a := newTOTPTestAccount(t, db)
	secret, _ := db.StartTOTPEnrolment(a.ID, mustSecret(t))
	codes, _ := portal.NewRecoveryCodes()
	if err := db.ConfirmTOTP(a.ID, codeAt(t, secret, now, 0), codes, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSession([]byte("h1"), portal.Session{AccountID: a.ID, Role: a.Role}); err != nil {
		t.Fatal(err)
	}
	if err := db.ResetTOTP(a.ID, 99, "req"); err != nil {
		t.Fatal(err)
	}
	acct, _ := db.Account(a.ID)
	if acct.TOTPEnabled || !acct.NeedsTOTPEnrolment() {
		t.Fatal("still enrolled after the reset")
	}
	if _, err := db.Session([]byte("h1")); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatal("the reset left a session")
	}
	if _, err := db.VerifySecondFactor(a.ID, codes[0], SecondFactorLogin, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("old recovery code after reset: %v, want conflict (not enrolled)", err)
	}
	fresh := mustSecret(t)
	if got, _ := db.StartTOTPEnrolment(a.ID, fresh); got != fresh {
		t.Fatal("re-enrolment reused the old secret")
	}
	evs, _ := db.AuditBySubject(kindAccount, a.ID)
	last := evs[len(evs)-1]
	if last.Action != portal.AuditTOTPReset || last.ActorID != 99 {
		t.Fatalf("last audit %+v", last)
	}
	if err := db.ResetTOTP(12345, 99, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("reset of a missing account: %v", err)
	}
}

func mustSecret(t *testing.T) string {
	t.Helper()
	s, err := portal.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
