package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// `admin reset-totp` removes an official's second factor so that the next
// login enrols again, and audits it with the command line as the actor.
func TestAdminResetTOTP(t *testing.T) {
	t.Parallel()
	db := openData(t, testData(t))
	a, err := db.CreateAccount(portal.Account{Role: portal.RolePolice, Login: "police-9", Name: "x", Organ: "测试市公安局", PasswordHash: "h"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := db.StartTOTPEnrolment(a.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := portal.TOTPCode(secret, portal.TOTPStep(time.Now()))
	codes, _ := portal.NewRecoveryCodes()
	if err := db.ConfirmTOTP(a.ID, code, codes, ""); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := adminResetTOTP(db, a.ID, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "reset") {
		t.Fatalf("output %q", out.String())
	}
	if got, _ := db.Account(a.ID); got.TOTPEnabled {
		t.Fatal("still enrolled")
	}
	evs, _ := db.AuditBySubject("account", a.ID)
	if last := evs[len(evs)-1]; last.Action != portal.AuditTOTPReset || last.RequestID != "cli" {
		t.Fatalf("last audit %+v", last)
	}
	if err := adminResetTOTP(db, 0, &out); err == nil {
		t.Fatal("no -id accepted")
	}
	if err := adminResetTOTP(db, 999, &out); err == nil {
		t.Fatal("a missing account was reset")
	}
}
