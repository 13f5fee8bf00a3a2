package main

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// seed -n fills queues with cases in every state, overdue ones included, and
// links the demo lawyer to his clients, without breaking the audit log.
func TestSeedCases(t *testing.T) {
	db, err := store.Open(enginetest.Location(t, filepath.Join(t.TempDir(), "p.db")), store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := seed(db, portal.NewPasswordHasher(portal.MinimumArgon2), io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := seedCases(db, portal.NewPasswordHasher(portal.MinimumArgon2), 450, func() time.Time { return time.Date(2026, 5, 12, 9, 0, 0, 0, portal.China) }, io.Discard); err != nil {
		t.Fatal(err)
	}
	lawyer, err := db.AccountByLogin("19900000003")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := db.CasesOfAccount(lawyer.ID)
	if err != nil || len(cases) != 200 {
		t.Fatalf("lawyer has %d cases (%v), want 200", len(cases), err)
	}
	statuses := map[portal.CaseStatus]int{}
	for _, c := range cases {
		statuses[c.Case.Status]++
		if _, ok := c.Case.Facts(); !ok {
			t.Fatalf("case %s has incomplete facts", c.Case.Ref)
		}
	}
	// Every status of the application procedure (unsealing statuses arise
	// only from later events).
	for _, st := range []portal.CaseStatus{portal.StatusDraft, portal.StatusSubmitted, portal.StatusReturned, portal.StatusAccepted,
		portal.StatusUnderReview, portal.StatusSealed, portal.StatusRejected, portal.StatusCompleted, portal.StatusWithdrawn} {
		if statuses[st] == 0 {
			t.Errorf("no %s case seeded: %v", st, statuses)
		}
	}
	court, err := db.AccountByLogin("court-demo")
	if err != nil {
		t.Fatal(err)
	}
	if _, total, err := db.Queue(court.OrganID, store.QueueFilter{}); err != nil || total == 0 {
		t.Fatalf("court queue total %d, %v", total, err)
	}
	rep, err := db.VerifyAudit()
	if err != nil || !rep.OK {
		t.Fatalf("audit after seeding: %+v %v", rep, err)
	}
}

// seed -n links everything as the portal would: people's accounts see the
// cases about them, guardians and lawyers the cases they filed, documents
// open, messages read back, the overdue list needs no case, every synthetic
// account signs in with the documented password, and a second run refuses.
func TestSeedCasesPeopleLinked(t *testing.T) {
	db, err := store.Open(enginetest.Location(t, filepath.Join(t.TempDir(), "p.db")), store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hasher := portal.NewPasswordHasher(portal.MinimumArgon2)
	if err := seed(db, hasher, io.Discard); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2026, 5, 12, 9, 0, 0, 0, portal.China) }
	const n = 3000
	if err := seedCases(db, hasher, n, clock, io.Discard); err != nil {
		t.Fatal(err)
	}
	minor, err := db.AccountByLogin("19900000001")
	if err != nil {
		t.Fatal(err)
	}
	if own, err := db.CasesOfAccount(minor.ID); err != nil || len(own) != 1 {
		t.Fatalf("demo minor has %d cases (%v), want exactly his own", len(own), err)
	}
	roles := map[portal.Role]int{}
	linked := map[portal.Role]int{}
	docs, msgs := 0, 0
	for i := 1; ; i++ {
		a, err := db.AccountByLogin(syntheticMobile(i))
		if err != nil {
			break
		}
		roles[a.Role]++
		if i == 1 {
			if ok, _, err := hasher.Verify(SyntheticPassword, a.PasswordHash); err != nil || !ok {
				t.Fatalf("synthetic password does not verify: %v", err)
			}
		}
		cases, err := db.CasesOfAccount(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) > 0 {
			linked[a.Role]++
		}
		for _, cs := range cases {
			if a.Role == portal.RoleMinor && cs.Case.PersonIDNumber != a.IDNumber {
				t.Fatalf("person account %d linked to a case about someone else", a.ID)
			}
			if a.Role != portal.RoleMinor && cs.Case.FiledBy != a.ID {
				t.Fatalf("%s %d linked to a case filed by %d", a.Role, a.ID, cs.Case.FiledBy)
			}
			for _, d := range cs.Case.Documents {
				if b, err := db.DocumentContent(cs.Case.ID, d.ID); err != nil || len(b) != d.Size {
					t.Fatalf("document %d of case %d: %d bytes, %v", d.ID, cs.Case.ID, len(b), err)
				}
				docs++
			}
			m, err := db.Messages(cs.Case.ID)
			if err != nil {
				t.Fatal(err)
			}
			msgs += len(m)
		}
	}
	for _, r := range []portal.Role{portal.RoleMinor, portal.RoleGuardian, portal.RoleLawyer} {
		if roles[r] == 0 || linked[r] == 0 {
			t.Errorf("%s accounts: %d, with cases: %d", r, roles[r], linked[r])
		}
	}
	if docs == 0 || msgs == 0 {
		t.Errorf("documents %d, messages %d seen through people's accounts", docs, msgs)
	}
	rows, total, err := db.Overdue(0, 50)
	if err != nil || total == 0 || len(rows) == 0 {
		t.Fatalf("overdue: %d rows of %d, %v", len(rows), total, err)
	}
	for _, r := range rows {
		c, err := db.Case(r.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Ref != c.Ref || r.Status != c.Status || len(r.Owe) == 0 {
			t.Fatalf("overdue row %+v does not match case %s %s", r, c.Ref, c.Status)
		}
	}
	if err := seedCases(db, hasher, 10, clock, io.Discard); err == nil {
		t.Fatal("a second seed -n on a database with cases was accepted")
	}
	rep, err := db.VerifyAudit()
	if err != nil || !rep.OK {
		t.Fatalf("audit after seeding: %+v %v", rep, err)
	}
}
