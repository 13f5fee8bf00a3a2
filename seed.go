package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/pquerna/otp/totp"

	"sealportal/portal"
	"sealportal/store"
)

// demoAccount is one of the demo accounts listed in the README. Their identity
// numbers are synthetic (province code 99, which does not exist), so they can
// never be a real person's.
type demoAccount struct {
	role     portal.Role
	login    string
	password string
	name     string
	organ    string
	unitKind portal.QueryUnitKind // querying units only (R15)
	birth    portal.Date
}

var demoAccounts = []demoAccount{
	{role: portal.RoleMinor, login: "19900000001", password: "demo-minor-2026", name: "演示当事人", birth: portal.Date{Year: 2006, Month: 3, Day: 14}},
	{role: portal.RoleGuardian, login: "19900000002", password: "demo-guardian-2026", name: "演示监护人", birth: portal.Date{Year: 1980, Month: 7, Day: 2}},
	{role: portal.RoleLawyer, login: "19900000003", password: "demo-lawyer-2026", name: "演示律师", birth: portal.Date{Year: 1985, Month: 11, Day: 20}},
	{role: portal.RoleCourt, login: "court-demo", password: "demo-court-2026", name: "演示法官", organ: "演示市人民法院"},
	{role: portal.RoleProcuratorate, login: "procuratorate-demo", password: "demo-procuratorate-2026", name: "演示检察官", organ: "演示市人民检察院"},
	{role: portal.RolePolice, login: "police-demo", password: "demo-police-2026", name: "演示民警", organ: "演示市公安局"},
	{role: portal.RoleJudicialAdmin, login: "judicial-admin-demo", password: "demo-judicial-2026", name: "演示社区矫正工作人员", organ: "演示市司法局"}, // #nosec G101 -- published demo account (README), seeded only into an empty database
	{role: portal.RoleSupervisor, login: "supervisor-demo", password: "demo-supervisor-2026", name: "演示监督检察官", organ: "演示市人民检察院"},
	{role: portal.RoleSysadmin, login: "sysadmin-demo", password: "demo-sysadmin-2026", name: "演示管理员"}, // #nosec G101 -- published demo account (README), seeded only into an empty database
	// A unit acting under a state regulation (R15b): a kindergarten checking a
	// new hire under 《未成年人保护法》第六十二条.
	{role: portal.RoleQueryingUnit, login: "unit-demo", password: "demo-unit-2026", name: "演示查询人", organ: "演示市某幼儿园", unitKind: portal.QueryUnitRegulated}, // #nosec G101 -- published demo account (README), seeded only into an empty database
}

// runSeed creates the demo accounts on an empty database. It refuses a
// database holding any account it did not create, so it can never mix demo
// data into real data.
func runSeed(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dataFlags(fs, &c)
	n := fs.Int("n", 0, "also add N synthetic cases in every state, spread over organs and deadlines, with their people, documents, messages and audit entries (an empty database only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// On PostgreSQL two seeds must not interleave: the admin lock.
	db, done, err := c.openAdmin(false)
	if err != nil {
		return err
	}
	defer done()
	hasher := portal.NewPasswordHasher(portal.DefaultArgon2)
	if err := seed(db, hasher, out); err != nil {
		return err
	}
	if *n > 0 {
		// Cases go only into an empty database (seedCases checks), so the
		// bulk load may skip the per-transaction fsync.
		return db.BulkLoad(func() error { return seedCases(db, hasher, *n, portal.SystemClock, out) })
	}
	return nil
}

func seed(db *store.DB, hasher *portal.PasswordHasher, out io.Writer) error {
	total, seeded, err := db.AccountCounts()
	if err != nil {
		return err
	}
	if total > seeded {
		return errors.New("seed: this database holds real accounts; seed only works on an empty database or one it seeded itself")
	}
	if total == 0 {
		for i, d := range demoAccounts {
			hash, err := hasher.Hash(d.password)
			if err != nil {
				return err
			}
			a := portal.Account{Role: d.role, Login: d.login, Name: d.name, Organ: d.organ, UnitKind: string(d.unitKind), PasswordHash: hash, Seeded: true}
			if err := assignOrgan(db, &a); err != nil {
				return fmt.Errorf("seed %s: %w", d.role, err)
			}
			if d.role.IsCitizen() {
				a.Mobile = d.login
				a.IDNumber = portal.SyntheticIDNumber(uint64(i+1), d.birth).String()
				// Issue 11: the demo accounts are identity verified, so the
				// demo shows records linked by identity number.
				a.IdentityVerified, a.IdentityMethod = true, portal.IdentityBySeed
			}
			if d.role == portal.RoleLawyer {
				a.Licence, a.Firm = "11101200000000001", "演示法律援助中心"
			}
			if _, err := db.CreateAccount(a, 0); err != nil {
				return fmt.Errorf("seed %s: %w", d.role, err)
			}
		}
	}
	if err := enrolDemoTOTP(db); err != nil {
		return err
	}
	fmt.Fprintln(out, "Demo accounts (sign in at /login):")
	for _, d := range demoAccounts {
		fmt.Fprintf(out, "  %-15s %-20s %s\n", d.role, d.login, d.password)
	}
	fmt.Fprintf(out, "Staff accounts ask for a one-time code: the demo authenticator secret is %s\n", DemoStaffTOTPSecret)
	return nil
}

// DemoStaffTOTPSecret is the authenticator secret (base32) of every demo staff
// account, printed by seed and documented in the README, so that a person
// trying the demo, the browser tests and the load test can sign staff in
// (oathtool --totp -b SECRET). Like the demo passwords it is public: demo
// accounts exist only in a database seed created.
const DemoStaffTOTPSecret = "SEALPORTALDEMOSTAFFSECRETKEYABCD"

// enrolDemoTOTP gives each demo staff account the demo authenticator secret,
// through the same enrolment steps as the setup page. Accounts already
// enrolled are left alone, so seeding again changes nothing.
func enrolDemoTOTP(db *store.DB) error {
	for _, d := range demoAccounts {
		if !portal.RequiresTOTP(d.role) {
			continue
		}
		a, err := db.AccountByLogin(d.login)
		if err != nil {
			return fmt.Errorf("seed: totp of %s: %w", d.login, err)
		}
		if a.TOTPEnabled {
			continue
		}
		secret, err := db.StartTOTPEnrolment(a.ID, DemoStaffTOTPSecret)
		if err != nil {
			return fmt.Errorf("seed: totp of %s: %w", d.login, err)
		}
		if secret != DemoStaffTOTPSecret {
			return fmt.Errorf("seed: totp of %s: another enrolment is pending", d.login)
		}
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			return err
		}
		if err := db.ConfirmTOTP(a.ID, code, nil, "seed"); err != nil {
			return fmt.Errorf("seed: totp of %s: %w", d.login, err)
		}
	}
	return nil
}
