package store

import (
	"slices"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// identityFixture: a court, a police organ, an official of the court, and the
// person's identity number (born 14 March 2006).
type identityFixture struct {
	db            *DB
	court, police portal.Organ
	official      portal.Account
	number        string
	cal           *portal.Calendar
}

func newIdentityFixture(t *testing.T) identityFixture {
	t.Helper()
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		t.Fatal(err)
	}
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	off, err := db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "judge1", Name: "法官", Organ: court.Name, OrganID: court.ID, PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return identityFixture{db: db, court: court, police: police, official: off, cal: portal.DefaultCalendar(),
		number: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String()}
}

func (f identityFixture) citizen(t *testing.T, role portal.Role, mobile, name, number string, verified bool) portal.Account {
	t.Helper()
	a := portal.Account{Role: role, Login: mobile, Name: name, Mobile: mobile, IDNumber: number, PasswordHash: "x"}
	if role == portal.RoleLawyer {
		a.Licence, a.Firm = "1", "f"
	}
	if verified {
		a.IdentityVerified, a.IdentityMethod, a.Seeded = true, portal.IdentityBySeed, true
	}
	a, err := f.db.CreateAccount(a, 0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// exOfficio opens a case about the fixture's person named name (R11).
func (f identityFixture) exOfficio(t *testing.T, name string) portal.Case {
	t.Helper()
	c := portal.Case{PersonName: name, PersonIDNumber: f.number, DecidingOrganID: f.court.ID, OrganCaseNumber: "(2023)演刑初字第9号",
		Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2023, Month: 9, Day: 1}, Intent: portal.IntentIntentional,
		Acts: []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12},
		HoldingOrganIDs: []uint64{f.court.ID, f.police.ID}}
	c, err := f.db.OpenExOfficio(c, Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, AccountID: f.official.ID,
		Role: portal.RoleCourt, OrganID: f.court.ID, Rules: []string{"R11"}, ConfirmDuplicate: true}, f.cal)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// draft is completeDraft with the paper a guardian or lawyer adds.
func (f identityFixture) draft(t *testing.T, filer portal.Account) portal.Case {
	t.Helper()
	c := completeDraft(t, f.db, filer, f.court, f.police)
	kind := map[portal.Role]portal.DocumentKind{portal.RoleGuardian: portal.DocGuardianship, portal.RoleLawyer: portal.DocPowerOfAttorney}[filer.Role]
	if kind != "" {
		if _, err := f.db.AddDocument(c.ID, portal.Document{Kind: kind, Name: "p.pdf", MediaType: portal.MediaPDF, UploadedBy: filer.ID}, []byte("%PDF-1.4 p")); err != nil {
			t.Fatal(err)
		}
	}
	c, err := f.db.Case(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rel(t *testing.T, db *DB, account, caseID uint64) Relation {
	t.Helper()
	r, err := db.Relation(account, caseID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func notificationKeys(t *testing.T, db *DB, account uint64) []string {
	t.Helper()
	ns, err := db.Notifications(account, 100)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, n := range ns {
		keys = append(keys, n.Key)
	}
	return keys
}

// Issue 11 acceptance: a stranger who registers with another person's
// identity number (any name, own mobile) is linked to nothing of that person,
// cannot become the verified holder, and the verified holder is told.
func TestStrangerWithAnothersNumberGetsNothing(t *testing.T) {
	f := newIdentityFixture(t)
	holder := f.citizen(t, portal.RoleMinor, "13800000001", "测试人", f.number, true)
	c := f.exOfficio(t, "测试人")
	if r := rel(t, f.db, holder.ID, c.ID); r != RelPerson {
		t.Fatalf("verified holder relation %q, want person", r)
	}
	for i, name := range []string{"测试人", "陌生人"} { // the same name, or any other
		stranger := f.citizen(t, portal.RoleMinor, "1390000000"+string(rune('1'+i)), name, f.number, false)
		if r := rel(t, f.db, stranger.ID, c.ID); r != "" {
			t.Fatalf("stranger %q linked as %q", name, r)
		}
		list, err := f.db.CasesOfAccount(stranger.ID)
		if err != nil || len(list) != 0 {
			t.Fatalf("stranger's cases %v %v", list, err)
		}
		_, err = f.db.VerifyIdentity(stranger.ID, IdentityProof{Method: portal.IdentityByOIDC, IDNumber: f.number, Name: name})
		if pe, ok := portal.AsError(err); !ok || pe.Key != "identity.already_verified" {
			t.Fatalf("stranger verifies: %v, want identity.already_verified", err)
		}
		if r := rel(t, f.db, stranger.ID, c.ID); r != "" {
			t.Fatalf("stranger linked after a refused verification: %q", r)
		}
		// No withdrawal of someone else's case, whatever the status.
		if _, err := f.db.Apply(c.ID, Step{Action: portal.ActionWithdraw, Actor: portal.ActorApplicant, AccountID: stranger.ID,
			Role: portal.RoleMinor}, f.cal); err == nil {
			t.Fatal("stranger withdrew the ex officio case")
		}
	}
	if n := countKey(notificationKeys(t, f.db, holder.ID), NotifyIdentityClaimed); n != 4 {
		t.Fatalf("holder told %d times, want 4 (two registrations, two refused verifications)", n)
	}
	a, _ := f.db.Account(holder.ID)
	if !a.IdentityVerified {
		t.Fatal("holder lost verification")
	}
}

func countKey(keys []string, k string) int {
	n := 0
	for _, v := range keys {
		if v == k {
			n++
		}
	}
	return n
}

// Links by identity number happen only once the account is verified, and
// then every existing record is linked; the number must be the account's
// and the name must match (issue 11).
func TestVerificationLinksExistingRecords(t *testing.T) {
	f := newIdentityFixture(t)
	c := f.exOfficio(t, "阿依古丽·买买提")
	person := f.citizen(t, portal.RoleMinor, "13800000001", "阿依古丽・买买提", f.number, false)
	if r := rel(t, f.db, person.ID, c.ID); r != "" {
		t.Fatalf("contact-verified account linked: %q", r)
	}
	other := portal.SyntheticIDNumber(8, portal.Date{Year: 2006, Month: 3, Day: 14}).String()
	tests := []struct {
		name, number, name2, want string
	}{
		{"wrong number", other, "阿依古丽·买买提", "identity.number_mismatch"},
		{"wrong name", f.number, "阿依古丽", "identity.name_mismatch"},
		{"empty name", f.number, "", "identity.name_mismatch"},
	}
	for _, tt := range tests {
		_, err := f.db.VerifyIdentity(person.ID, IdentityProof{Method: portal.IdentityByOIDC, IDNumber: tt.number, Name: tt.name2})
		if pe, ok := portal.AsError(err); !ok || pe.Key != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
	if r := rel(t, f.db, person.ID, c.ID); r != "" {
		t.Fatalf("linked after refusals: %q", r)
	}
	a, err := f.db.VerifyIdentity(person.ID, IdentityProof{Method: portal.IdentityByOIDC, IDNumber: f.number, Name: " 阿依古丽·买买提 "})
	if err != nil || !a.IdentityVerified || a.IdentityMethod != portal.IdentityByOIDC {
		t.Fatalf("verify: %+v %v", a, err)
	}
	if r := rel(t, f.db, person.ID, c.ID); r != RelPerson {
		t.Fatalf("after verification relation %q, want person", r)
	}
	// A case opened later is linked at once.
	c2 := f.exOfficio(t, "阿依古丽·买买提")
	if r := rel(t, f.db, person.ID, c2.ID); r != RelPerson {
		t.Fatalf("later case relation %q", r)
	}
	// A record under another name is never linked (name match); since issue
	// 18 an organ cannot even open one against the identity on file.
	c3 := portal.Case{PersonName: "别人", PersonIDNumber: f.number, DecidingOrganID: f.court.ID, OrganCaseNumber: "(2023)演刑初字第10号",
		Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2023, Month: 9, Day: 1}, Intent: portal.IntentIntentional,
		Acts: []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12},
		HoldingOrganIDs: []uint64{f.court.ID}}
	if _, err := f.db.OpenExOfficio(c3, Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, AccountID: f.official.ID,
		Role: portal.RoleCourt, OrganID: f.court.ID}, f.cal); err == nil {
		t.Fatal("record under another name opened")
	} else if pe, _ := portal.AsError(err); pe.Fields["person_name"] != "decide.name_mismatch" {
		t.Fatalf("record under another name: %v", err)
	}
	evs, _ := f.db.AuditBySubject(kindAccount, person.ID)
	if !slices.ContainsFunc(evs, func(e portal.AuditEvent) bool { return e.Action == portal.AuditIdentityVerified && e.Detail == "oidc" }) {
		t.Fatal("verification not audited")
	}
}

// One identity number has at most one verified account, whichever way it is
// verified, and a verified demo account cannot be created twice.
func TestOneVerifiedAccountPerNumber(t *testing.T) {
	f := newIdentityFixture(t)
	first := f.citizen(t, portal.RoleMinor, "13800000001", "测试人", f.number, false)
	second := f.citizen(t, portal.RoleMinor, "13800000002", "测试人", f.number, false)
	if _, err := f.db.VerifyIdentity(first.ID, IdentityProof{Method: portal.IdentityByOIDC, IDNumber: f.number, Name: "测试人"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.db.VerifyIdentity(second.ID, IdentityProof{Method: portal.IdentityByOIDC, IDNumber: f.number, Name: "测试人"})
	if portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("second verification: %v", err)
	}
	if n := countKey(notificationKeys(t, f.db, first.ID), NotifyIdentityClaimed); n != 1 {
		t.Fatalf("holder told %d times", n)
	}
	_, err = f.db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000003", Name: "测试人", Mobile: "13800000003",
		IDNumber: f.number, PasswordHash: "x", IdentityVerified: true, IdentityMethod: portal.IdentityBySeed}, 0)
	if portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("second verified account created: %v", err)
	}
	// Verifying again is harmless.
	if _, err := f.db.VerifyIdentity(first.ID, IdentityProof{Method: portal.IdentityByOIDC, IDNumber: f.number, Name: "测试人"}); err != nil {
		t.Fatal(err)
	}
}

// The deciding organ's official verifies the applicant against the papers
// (issue 11 (b)); nobody else can, and only on the person's own application.
func TestVerifyApplicantByOrgan(t *testing.T) {
	f := newIdentityFixture(t)
	minor := f.citizen(t, portal.RoleMinor, "13800000001", "测试人", f.number, false)
	c := completeDraft(t, f.db, minor, f.court, f.police)
	if _, err := f.db.VerifyApplicantByOrgan(c.ID, OrganCheck{Official: f.official}); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("check on a draft: %v", err)
	}
	if _, err := f.db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: minor.ID, Role: portal.RoleMinor}, f.cal); err != nil {
		t.Fatal(err)
	}
	policeman, _ := f.db.CreateAccount(portal.Account{Role: portal.RolePolice, Login: "cop", Name: "警官", Organ: f.police.Name, OrganID: f.police.ID, PasswordHash: "x"}, 0)
	if _, err := f.db.VerifyApplicantByOrgan(c.ID, OrganCheck{Official: policeman}); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("check by a holding organ: %v", err)
	}
	a, err := f.db.VerifyApplicantByOrgan(c.ID, OrganCheck{Official: f.official, RequestID: "r1"})
	if err != nil || !a.IdentityVerified || a.IdentityMethod != portal.IdentityByOrgan {
		t.Fatalf("organ check: %+v %v", a, err)
	}
	evs, _ := f.db.AuditBySubject(kindCase, c.ID)
	if !slices.ContainsFunc(evs, func(e portal.AuditEvent) bool {
		return e.Action == portal.AuditIdentityVerified && e.ActorID == f.official.ID
	}) {
		t.Fatal("organ's check not audited on the case")
	}
	// A guardian's application is not the applicant's identity to check.
	guardian := f.citizen(t, portal.RoleGuardian, "13800000009", "监护人", portal.SyntheticIDNumber(3, portal.Date{Year: 1980, Month: 1, Day: 1}).String(), false)
	g := f.draft(t, guardian)
	if _, err := f.db.Apply(g.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: guardian.ID, Role: portal.RoleGuardian}, f.cal); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.VerifyApplicantByOrgan(g.ID, OrganCheck{Official: f.official}); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("identity check on a guardian's case: %v", err)
	}
}

// A guardianship is verified by the organ, and only for an adult guardian.
func TestVerifyGuardianship(t *testing.T) {
	tests := []struct {
		name     string
		birth    portal.Date
		passport bool // R31: the guardian's birth date is the one stated at registration
		want     string
	}{
		{"adult", portal.Date{Year: 1980, Month: 1, Day: 1}, false, ""},
		{"minor guardian", portal.Date{Year: 2009, Month: 1, Day: 1}, false, "identity.guardian_not_adult"},
		{"adult with a passport", portal.Date{Year: 1980, Month: 1, Day: 1}, true, ""},
		{"minor guardian with a passport", portal.Date{Year: 2009, Month: 1, Day: 1}, true, "identity.guardian_not_adult"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newIdentityFixture(t)
			clock, _ := fixedClock(time.Date(2024, 1, 10, 10, 0, 0, 0, portal.China)) // the person is 17
			f.db.now = clock
			var g portal.Account
			if tt.passport {
				var err error
				g, err = f.db.CreateAccount(portal.Account{Role: portal.RoleGuardian, Login: "1380000001" + string(rune('1'+i)),
					Mobile: "1380000001" + string(rune('1'+i)), Name: "Guardian", IDNumber: "P1234567", DocType: portal.DocPassport,
					DocCountry: "DEU", DocBirth: tt.birth, PasswordHash: "x"}, 0)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				g = f.citizen(t, portal.RoleGuardian, "1380000000"+string(rune('1'+i)), "监护人", portal.SyntheticIDNumber(3, tt.birth).String(), false)
			}
			c := f.draft(t, g)
			if _, err := f.db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: g.ID, Role: portal.RoleGuardian}, f.cal); err != nil {
				t.Fatal(err)
			}
			got, err := f.db.VerifyGuardianship(c.ID, OrganCheck{Official: f.official})
			if tt.want != "" {
				if pe, ok := portal.AsError(err); !ok || pe.Key != tt.want {
					t.Fatalf("%v, want %s", err, tt.want)
				}
				return
			}
			if err != nil || !got.GuardianshipVerified {
				t.Fatalf("%+v %v", got.GuardianshipVerified, err)
			}
			again, _ := f.db.Case(c.ID)
			if !again.GuardianshipVerified {
				t.Fatal("not stored")
			}
		})
	}
}

// R1: after the 18th birthday the guardian's access ends; a draft passes to
// the adult's verified account and both are told, once.
func TestGuardianAccessEndsAndDraftPassesToTheAdult(t *testing.T) {
	f := newIdentityFixture(t)
	clock, advance := fixedClock(time.Date(2024, 3, 2, 10, 0, 0, 0, portal.China))
	f.db.now = clock
	g := f.citizen(t, portal.RoleGuardian, "13800000001", "监护人", portal.SyntheticIDNumber(3, portal.Date{Year: 1980, Month: 1, Day: 1}).String(), false)
	c := f.draft(t, g) // the person was born 14 March 2006
	if done, err := f.db.NoticeGuardianAccessEnded(c.ID, g.ID); err != nil || done {
		t.Fatalf("before 18: %v %v", done, err)
	}
	advance(2*365*24*time.Hour + 20*24*time.Hour) // past 14 March 2024+2
	adult := f.citizen(t, portal.RoleMinor, "13800000002", "测试人", f.number, true)
	if r := rel(t, f.db, adult.ID, c.ID); r != RelPerson {
		// A verified adult finds the guardian's draft about him (R1).
		t.Fatalf("adult's relation to the guardian's draft %q", r)
	}
	done, err := f.db.NoticeGuardianAccessEnded(c.ID, g.ID)
	if err != nil || !done {
		t.Fatalf("after 18: %v %v", done, err)
	}
	if done, _ := f.db.NoticeGuardianAccessEnded(c.ID, g.ID); done {
		t.Fatal("noticed twice")
	}
	if n := countKey(notificationKeys(t, f.db, g.ID), NotifyGuardianEnded); n != 1 {
		t.Fatalf("guardian told %d times", n)
	}
	if n := countKey(notificationKeys(t, f.db, adult.ID), NotifyHandedOver); n != 1 {
		t.Fatalf("adult told %d times, want once", n)
	}
}

// Only the filer withdraws; never an ex officio case; a withdrawal of a
// sealable record leaves the organ's duty in its queue (R11), which the organ
// takes up ex officio.
func TestWithdrawalRules(t *testing.T) {
	f := newIdentityFixture(t)
	minor := f.citizen(t, portal.RoleMinor, "13800000001", "测试人", f.number, true)
	eo := f.exOfficio(t, "测试人")
	if _, err := f.db.Apply(eo.ID, Step{Action: portal.ActionWithdraw, Actor: portal.ActorApplicant, AccountID: minor.ID, Role: portal.RoleMinor}, f.cal); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("person withdrew the ex officio case: %v", err)
	}
	lawyer := f.citizen(t, portal.RoleLawyer, "13800000003", "律师", portal.SyntheticIDNumber(4, portal.Date{Year: 1980, Month: 1, Day: 1}).String(), false)
	c := f.draft(t, lawyer)
	if _, err := f.db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: lawyer.ID, Role: portal.RoleLawyer}, f.cal); err != nil {
		t.Fatal(err)
	}
	if r := rel(t, f.db, minor.ID, c.ID); r != RelPerson {
		t.Fatalf("verified person relation %q", r)
	}
	if _, err := f.db.Apply(c.ID, Step{Action: portal.ActionWithdraw, Actor: portal.ActorApplicant, AccountID: minor.ID, Role: portal.RoleMinor}, f.cal); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("the person withdrew the lawyer's filing: %v", err)
	}
	got, err := f.db.Apply(c.ID, Step{Action: portal.ActionWithdraw, Actor: portal.ActorApplicant, AccountID: lawyer.ID, Role: portal.RoleLawyer}, f.cal)
	if err != nil || got.Status != portal.StatusWithdrawn || !got.SealingDuty {
		t.Fatalf("filer's withdrawal: %s duty=%v %v", got.Status, got.SealingDuty, err)
	}
	rows, total, err := f.db.Queue(f.court.ID, QueueFilter{})
	if err != nil || !slices.ContainsFunc(rows, func(r QueueRow) bool { return r.CaseID == c.ID }) {
		t.Fatalf("the duty left the court's open queue: %v %v", rows, err)
	}
	if total != len(rows) {
		t.Fatalf("queue total %d for %d rows", total, len(rows))
	}
	got, err = f.db.Apply(c.ID, Step{Action: portal.ActionTakeUp, Actor: portal.ActorDecider, AccountID: f.official.ID, Role: portal.RoleCourt,
		OrganID: f.court.ID, Rules: []string{"R11"}}, f.cal)
	if err != nil || got.Status != portal.StatusUnderReview || !got.ExOfficio || got.SealingDuty {
		t.Fatalf("take up: %s eo=%v duty=%v %v", got.Status, got.ExOfficio, got.SealingDuty, err)
	}
	if _, err := f.db.Apply(c.ID, Step{Action: portal.ActionWithdraw, Actor: portal.ActorApplicant, AccountID: lawyer.ID, Role: portal.RoleLawyer}, f.cal); err == nil {
		t.Fatal("taken-up case withdrawn again")
	}
	// An unsealable record's withdrawal leaves no duty and cannot be taken up.
	c2 := f.draft(t, lawyer)
	if _, err := f.db.UpdateDraft(c2.ID, func(c *portal.Case) error {
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 70}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Apply(c2.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: lawyer.ID, Role: portal.RoleLawyer}, f.cal); err != nil {
		t.Fatal(err)
	}
	got, err = f.db.Apply(c2.ID, Step{Action: portal.ActionWithdraw, Actor: portal.ActorApplicant, AccountID: lawyer.ID, Role: portal.RoleLawyer}, f.cal)
	if err != nil || got.SealingDuty {
		t.Fatalf("unsealable withdrawal: duty=%v %v", got.SealingDuty, err)
	}
	if _, err := f.db.Apply(c2.ID, Step{Action: portal.ActionTakeUp, Actor: portal.ActorDecider, OrganID: f.court.ID}, f.cal); err == nil {
		t.Fatal("took up a case without a duty")
	}
}

// A new device is audited and told once; a known one is not.
func TestRecordSignInDevice(t *testing.T) {
	f := newIdentityFixture(t)
	a := f.citizen(t, portal.RoleMinor, "13800000001", "测试人", f.number, false)
	for i, tt := range []struct {
		token string
		want  bool
	}{{"dev-a", false}, {"dev-a", false}, {"dev-b", true}, {"dev-c", true}, {"dev-b", false}} { // the first device is learnt silently
		got, err := f.db.RecordSignInDevice(a.ID, a.Role, tt.token, "")
		if err != nil || got != tt.want {
			t.Fatalf("%d: %v %v, want %v", i, got, err, tt.want)
		}
	}
	if n := countKey(notificationKeys(t, f.db, a.ID), NotifyNewDevice); n != 2 {
		t.Fatalf("told %d times", n)
	}
	evs, _ := f.db.AuditBySubject(kindAccount, a.ID)
	if n := len(slices.DeleteFunc(evs, func(e portal.AuditEvent) bool { return e.Action != portal.AuditNewDevice })); n != 2 {
		t.Fatalf("%d audit entries", n)
	}
}

// Migration 10: existing citizen accounts become contact verified and lose
// their links by identity number; seeded demo accounts become verified.
func TestMigrationIdentityLevels(t *testing.T) {
	if !slices.ContainsFunc(migrations, func(m migration) bool { return m.name[:16] == "identity levels:" }) {
		t.Fatal("migration not registered")
	}
	f := newIdentityFixture(t)
	old := f.citizen(t, portal.RoleMinor, "13800000001", "测试人", f.number, false)
	demo := f.citizen(t, portal.RoleMinor, "13800000002", "演示", portal.SyntheticIDNumber(5, portal.Date{Year: 2006, Month: 1, Day: 1}).String(), false)
	c := f.exOfficio(t, "测试人")
	err := f.db.update(func(tx kv.Tx) error {
		// As an older build left them: a link by number without any proof,
		// and a demo account without a level.
		if err := f.db.link(tx, old.ID, c.ID, RelPerson); err != nil {
			return err
		}
		d, err := f.db.getAccount(tx, demo.ID)
		if err != nil {
			return err
		}
		d.Seeded = true
		if err := f.db.putAccount(tx, d); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketAccountDevices); err != nil {
			return err
		}
		for i := 0; i < 2; i++ { // run twice: a retried migration is harmless
			if err := migrateIdentityLevels(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := rel(t, f.db, old.ID, c.ID); r != "" {
		t.Fatalf("unproven link kept: %q", r)
	}
	accts, _ := f.db.CaseAccounts(c.ID)
	if _, ok := accts[old.ID]; ok {
		t.Fatal("reverse link kept")
	}
	d, _ := f.db.Account(demo.ID)
	if !d.IdentityVerified || d.IdentityMethod != portal.IdentityBySeed {
		t.Fatalf("demo account %+v", d)
	}
	o, _ := f.db.Account(old.ID)
	if o.IdentityVerified {
		t.Fatal("old account verified")
	}
	if _, err := f.db.RecordSignInDevice(old.ID, old.Role, "x", ""); err != nil {
		t.Fatal(err)
	}
}

// R1: the adult was verified while still a minor; when the former guardian
// next reaches the returned case, it passes to the adult, who is told.
func TestReturnedCasePassesWhenGuardianNotices(t *testing.T) {
	f := newIdentityFixture(t)
	clock, advance := fixedClock(time.Date(2024, 3, 2, 10, 0, 0, 0, portal.China))
	f.db.now = clock
	g := f.citizen(t, portal.RoleGuardian, "13800000001", "监护人", portal.SyntheticIDNumber(3, portal.Date{Year: 1980, Month: 1, Day: 1}).String(), false)
	person := f.citizen(t, portal.RoleMinor, "13800000002", "测试人", f.number, true)
	c := f.draft(t, g)
	if _, err := f.db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: g.ID, Role: portal.RoleGuardian}, f.cal); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Apply(c.ID, Step{Action: portal.ActionReturn, Actor: portal.ActorDecider, AccountID: f.official.ID, Role: portal.RoleCourt,
		OrganID: f.court.ID, Note: "补正"}, f.cal); err != nil {
		t.Fatal(err)
	}
	if r := rel(t, f.db, person.ID, c.ID); r != RelPerson {
		t.Fatalf("the verified person follows the submitted case: %q", r) // linked at submission
	}
	advance(3 * 365 * 24 * time.Hour)
	done, err := f.db.NoticeGuardianAccessEnded(c.ID, g.ID)
	if err != nil || !done {
		t.Fatalf("%v %v", done, err)
	}
	if n := countKey(notificationKeys(t, f.db, g.ID), NotifyGuardianEnded); n != 1 {
		t.Fatalf("guardian told %d times", n)
	}
	if n := countKey(notificationKeys(t, f.db, person.ID), NotifyHandedOver); n != 1 {
		t.Fatalf("the adult told %d times of the returned case, want once", n)
	}
}
