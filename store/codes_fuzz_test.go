package store

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv/enginetest"
)

// codesWorld is one database holding one sent leak report and one issued
// certificate, with their codes as handed to their holders.
type codesWorld struct {
	db                 *DB
	leakID             uint64
	leakCode, certCode string
}

// build fills the database. It runs inside the first fuzz input (it reuses
// helpers that take a *testing.T); the database itself belongs to the F.
func (w *codesWorld) build(t *testing.T) {
	db := w.db
	cal := portal.DefaultCalendar()
	r, code := sendLeak(t, db, leakInput(portal.Date{Year: 2026, Month: 2, Day: 20}), "fuzz-draft-token-0123456789abcdef")
	w.leakID, w.leakCode = r.ID, code
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		t.Fatal(err)
	}
	police, _ := db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	minor, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000001", Name: "测试人", Mobile: "13800000001",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	officer, err := db.CreateAccount(portal.Account{Role: portal.RolePolice, Login: "police-1", Name: "警官", Organ: police.Name,
		OrganID: police.ID, PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := completeDraft(t, db, minor, court, police)
	for _, s := range []Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: minor.ID},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, OrganID: court.ID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, OrganID: court.ID},
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, OrganID: court.ID, Rules: []string{"R2"}},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, OrganID: court.ID},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, OrganID: police.ID},
	} {
		if c, err = db.Apply(c.ID, s, cal); err != nil {
			t.Fatalf("%s: %v", s.Action, err)
		}
	}
	cert, err := db.RequestCertificate(portal.Certificate{PersonName: minor.Name, PersonIDNumber: minor.IDNumber, RequestedBy: minor.ID,
		RequesterRole: minor.Role, Capacity: portal.CapacitySelf, PoliceOrganID: police.ID}, cal, "fuzz")
	if err != nil {
		t.Fatal(err)
	}
	if _, err = db.RecordCertificateCheck(cert.ID, portal.CertificateCheck{Result: portal.CheckNoRecord, Reference: "fuzz"}, officer, "fuzz"); err != nil {
		t.Fatal(err)
	}
	if cert, err = db.AnswerCertificate(cert.ID, officer, "fuzz"); err != nil || cert.Status != portal.CertIssued {
		t.Fatalf("answer certificate: %+v %v", cert, err)
	}
	w.certCode = portal.GroupVerificationCode(cert.Code)
}

// codesVariant builds what a holder (or a guesser) types: the fuzzed text on
// its own, or wrapped around, inside or after the real code, in either case.
func codesVariant(code, s string, mode byte) string {
	switch mode % 6 {
	case 1:
		return s + code
	case 2:
		i := len(s) % (len(code) + 1)
		return code[:i] + s + code[i:]
	case 3:
		return strings.ToLower(code) + s
	case 4:
		return strings.ReplaceAll(code, "-", s)
	case 5:
		r := []rune(code)
		if len(r) > 0 {
			r[len(s)%len(r)] = 'Z' - r[len(s)%len(r)]%26
		}
		return string(r)
	}
	return s
}

// FuzzCodeLookups types anything into the two public code lookups, the leak
// report's tracking code and the certificate's verification code, as the
// /track and /verify handlers pass them on: nothing panics, a miss is a plain
// not-found (tracking) or the empty answer (verification), and a hit happens
// exactly when the typed text normalises to the real code.
func FuzzCodeLookups(f *testing.F) {
	for _, s := range []string{"", " ", "-", "—", "０", "ABCD-EFGH-JKMN-PQRS-TUVW", "abcd efgh", "\x00", "\xff\xfe", "O0Il1",
		strings.Repeat("A", 24), strings.Repeat("A", 1000), "ＡＢＣＤ－"} {
		for _, mode := range []byte{0, 1, 2, 3, 4, 5} {
			f.Add(s, mode)
		}
	}
	db, err := Open(enginetest.Location(f, filepath.Join(f.TempDir(), "portal.db")), Options{Keys: NewTestKeys()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	setNoSync(db, true) // verifications append audit entries; the file is thrown away
	clock, _ := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	w := &codesWorld{db: db}
	var once sync.Once

	f.Fuzz(func(t *testing.T, s string, mode byte) {
		once.Do(func() { w.build(t) })
		if w.leakCode == "" || w.certCode == "" {
			t.Fatal("the world was not built")
		}

		typed := codesVariant(w.leakCode, s, mode)
		want, _ := portal.NormalizeTrackingCode(w.leakCode)
		got, ok := portal.NormalizeTrackingCode(typed)
		r, err := db.LeakByCode(typed)
		switch {
		case err != nil && portal.ErrorCode(err) != portal.CodeNotFound:
			t.Fatalf("LeakByCode(%q): %v", typed, err)
		case err == nil && r.ID != w.leakID:
			t.Fatalf("LeakByCode(%q) opened report %d", typed, r.ID)
		case err == nil && (!ok || got != want):
			t.Fatalf("LeakByCode(%q) opened the report, normalised %q, real %q", typed, got, want)
		case err != nil && ok && got == want:
			t.Fatalf("LeakByCode(%q) missed the report it names", typed)
		}

		typed = codesVariant(w.certCode, s, mode)
		wantC, _ := portal.NormalizeVerificationCode(w.certCode)
		gotC, okC := portal.NormalizeVerificationCode(typed)
		res, err := db.VerifyCertificate(typed, "fuzz")
		if err != nil {
			t.Fatalf("VerifyCertificate(%q): %v", typed, err)
		}
		hit := res.Status != ""
		if hit != (okC && gotC == wantC) {
			t.Fatalf("VerifyCertificate(%q) = %+v; normalised %q (%v), real %q", typed, res, gotC, okC, wantC)
		}
		if hit && (res.Status != portal.CertIssued || res.HolderID == "") {
			t.Fatalf("VerifyCertificate(%q) = %+v", typed, res)
		}
	})
}
