package store

import (
	"bytes"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// oversightWorld is a court and a police organ, a supervisor, officials of
// both, and one case submitted to the court.
type oversightWorld struct {
	db                       *DB
	court, police            portal.Organ
	sup, courtOff, policeOff portal.Account
	minor                    portal.Account
	c                        portal.Case
	advance                  func(time.Duration)
	cal                      *portal.Calendar
	today                    portal.Date
	known                    func(string) bool
	latest                   portal.Date
}

func newOversightWorld(t testing.TB) *oversightWorld {
	t.Helper()
	db := openTestDB(t, filepath.Join(t.TempDir(), "portal.db"), NewTestKeys())
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)) // a Monday
	db.now = clock
	w := &oversightWorld{db: db, advance: advance, cal: portal.DefaultCalendar(), known: func(id string) bool { _, ok := portal.CitationByID(id); return ok }}
	var err error
	if w.court, err = db.EnsureOrgan(portal.RoleCourt, "监督测试法院"); err != nil {
		t.Fatal(err)
	}
	w.police, _ = db.EnsureOrgan(portal.RolePolice, "监督测试公安局")
	supOrgan, _ := db.EnsureOrgan(portal.RoleSupervisor, "监督测试检察院")
	mk := func(role portal.Role, login string, o portal.Organ) portal.Account {
		a, err := db.CreateAccount(portal.Account{Role: role, Login: login, Name: "工作人员", Organ: o.Name, OrganID: o.ID, PasswordHash: "x"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	w.sup = mk(portal.RoleSupervisor, "sup", supOrgan)
	w.courtOff = mk(portal.RoleCourt, "court", w.court)
	w.policeOff = mk(portal.RolePolice, "police", w.police)
	w.minor, err = db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000001", Name: "测试人", Mobile: "13800000001",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.c = ovDraft(t, db, w.minor, w.court, w.police)
	if w.c, err = db.Apply(w.c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: w.minor.ID}, w.cal); err != nil {
		t.Fatal(err)
	}
	w.today = portal.DateOf(clock())
	w.latest = portal.OpinionLatestDue(w.cal, w.today)
	return w
}

// ovDraft is completeDraft (cases_test.go) for a benchmark too.
func ovDraft(t testing.TB, db *DB, filer portal.Account, court, police portal.Organ) portal.Case {
	t.Helper()
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(filer.Role)}, filer.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err = db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName = "测试人"
		c.PersonIDNumber = portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String()
		c.DecidingOrganID, c.OrganCaseNumber = court.ID, "(2023)演刑初字第1号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2023, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 36}
		c.HoldingOrganIDs = []uint64{court.ID, police.ID}
		c.DeclaredTrue = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: "x.pdf", MediaType: portal.MediaPDF, UploadedBy: filer.ID}, []byte("%PDF-1.4 test")); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (w *oversightWorld) step(t *testing.T, a portal.CaseAction, who portal.Actor, organ portal.Organ) {
	t.Helper()
	var err error
	if w.c, err = w.db.Apply(w.c.ID, Step{Action: a, Actor: who, OrganID: organ.ID, AccountID: 99, Note: "n", Rules: []string{"R2"}}, w.cal); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
}

func (w *oversightWorld) opinion(organ portal.Organ, cases ...uint64) portal.Opinion {
	subject := portal.OpinionOnCase
	if len(cases) != 1 {
		subject = portal.OpinionOnOrgan
	}
	return portal.Opinion{Kind: portal.OpinionCorrection, Subject: subject, OrganID: organ.ID, CaseIDs: cases,
		Facts: "该案逾期未作出封存决定，违反规定", Request: "请立即依法封存并书面回复纠正情况", Citations: []string{"cpl-286", "mpl-105"},
		Due: w.today.AddDays(15)}
}

// R33: an opinion is issued to an organ with a duty on the case, numbered,
// sealed in the file, listed for the organ and the supervisor; only that
// organ replies; the reply moves it from open to answered.
func TestOpinionIssueAndAnswer(t *testing.T) {
	w := newOversightWorld(t)
	db := w.db
	// Only the supervisor issues.
	if _, err := db.IssueOpinion(w.opinion(w.court, w.c.ID), w.courtOff, w.latest, w.known, "r"); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("issued by a court official: %v", err)
	}
	// An organ without a duty on the case, an uncited article, a past date.
	bad := w.opinion(w.court, w.c.ID)
	bad.OrganID = w.sup.OrganID
	bad.Citations = []string{"no-such-article"}
	bad.Due = w.today
	_, err := db.IssueOpinion(bad, w.sup, w.latest, w.known, "r")
	pe, ok := portal.AsError(err)
	if !ok || pe.Code != portal.CodeInvalid || pe.Fields["organ"] == "" || pe.Fields["citations"] == "" || pe.Fields["due"] == "" {
		t.Fatalf("bad opinion: %v", err)
	}
	o, err := db.IssueOpinion(w.opinion(w.court, w.c.ID), w.sup, w.latest, w.known, "r")
	if err != nil {
		t.Fatal(err)
	}
	if o.Number != "JW-2026-000001" || len(o.CaseRefs) != 1 || o.CaseRefs[0] != w.c.Ref {
		t.Fatalf("opinion %+v", o)
	}
	// The police holds records of the case: it may receive one too.
	if _, err := db.IssueOpinion(w.opinion(w.police, w.c.ID), w.sup, w.latest, w.known, "r"); err != nil {
		t.Fatalf("to a holder: %v", err)
	}
	if list, err := db.OpinionsOfOrgan(w.court.ID); err != nil || len(list) != 1 || list[0].ID != o.ID {
		t.Fatalf("court's opinions %v %v", list, err)
	}
	if list, err := db.OpinionsOfCase(w.c.ID); err != nil || len(list) != 2 {
		t.Fatalf("case's opinions %v %v", list, err)
	}
	// The text is ciphertext in the file.
	if err := db.view(func(tx kv.Tx) error {
		if v := tx.Bucket(bucketOpinions).Get(itob(o.ID)); bytes.Contains(v, []byte("书面回复")) || v == nil {
			t.Errorf("opinion stored in clear: %q", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Another organ cannot answer (404); a short answer is refused.
	if _, err := db.AnswerOpinion(o.ID, w.policeOff, "已经全部纠正完毕并报告", "r"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("answered by another organ: %v", err)
	}
	if _, err := db.AnswerOpinion(o.ID, w.courtOff, "好", "r"); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("short answer: %v", err)
	}
	rows, total, err := db.OpinionQueue(OpinionFilter{State: "open"})
	if err != nil || total != 2 || rows[0].Answered {
		t.Fatalf("open %v %d %v", rows, total, err)
	}
	w.advance(20 * 24 * time.Hour)
	if _, total, _ := db.OpinionQueue(OpinionFilter{State: "overdue"}); total != 2 {
		t.Fatalf("overdue %d, want 2", total)
	}
	got, err := db.AnswerOpinion(o.ID, w.courtOff, "本院已于今日完成封存，并已书面告知当事人。", "r")
	if err != nil || !got.Answered() {
		t.Fatalf("answer %v %v", got, err)
	}
	if _, err := db.AnswerOpinion(o.ID, w.courtOff, "本院已于今日完成封存，并已书面告知当事人。", "r"); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("answered twice: %v", err)
	}
	for state, want := range map[string]int{"": 2, "open": 1, "overdue": 1, "answered": 1} {
		if _, total, err := db.OpinionQueue(OpinionFilter{State: state}); err != nil || total != want {
			t.Errorf("state %q: %d %v, want %d", state, total, err, want)
		}
	}
	// Both steps are in the audit log by the actor.
	evs, err := db.AuditBySubject(kindOpinion, o.ID)
	if err != nil || len(evs) != 2 || evs[0].Action != AuditOpinionIssued || evs[1].Action != AuditOpinionAnswered {
		t.Fatalf("audit %v %v", evs, err)
	}
}

// A bulk opinion covers cases the organ has a duty on, and no other.
func TestOpinionBulkChecksEachCase(t *testing.T) {
	w := newOversightWorld(t)
	other := completeDraft(t, w.db, w.minor, w.police, w.police) // decided by the police, not held by the court
	if _, err := w.db.Apply(other.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: w.minor.ID}, w.cal); err != nil {
		t.Fatal(err)
	}
	_, err := w.db.IssueOpinion(w.opinion(w.court, w.c.ID, other.ID), w.sup, w.latest, w.known, "r")
	if pe, ok := portal.AsError(err); !ok || pe.Fields["cases"] != "oversight.case_not_organ" {
		t.Fatalf("a case of another organ: %v", err)
	}
	o, err := w.db.IssueOpinion(w.opinion(w.police, w.c.ID, other.ID), w.sup, w.latest, w.known, "r")
	if err != nil || len(o.CaseIDs) != 2 {
		t.Fatalf("bulk to the police: %v %v", o, err)
	}
}

// R12, R24: the refusals and the holders owing confirmation are read from the
// indexes.
func TestOversightLists(t *testing.T) {
	w := newOversightWorld(t)
	w.step(t, portal.ActionAccept, portal.ActorDecider, w.court)
	w.step(t, portal.ActionStartReview, portal.ActorDecider, w.court)
	w.step(t, portal.ActionSeal, portal.ActorDecider, w.court)
	w.step(t, portal.ActionConfirm, portal.ActorHolder, w.court)
	w.advance(10 * 24 * time.Hour)
	rows, total, err := w.db.Unconfirmed(0, 50)
	if err != nil || total != 1 || rows[0].Organ != w.police.ID || rows[0].CaseID != w.c.ID || rows[0].Due.IsZero() {
		t.Fatalf("unconfirmed %v %d %v", rows, total, err)
	}
	if rows, total, _ := w.db.Refusals(0, 50); total != 0 {
		t.Fatalf("refusals before any %v", rows)
	}
	// A second case, refused.
	c2 := completeDraft(t, w.db, w.minor, w.court, w.police)
	if _, err := w.db.UpdateDraft(c2.ID, overFiveYears); err != nil {
		t.Fatal(err)
	}
	w.c = c2
	w.step(t, portal.ActionSubmit, portal.ActorApplicant, portal.Organ{})
	w.step(t, portal.ActionAccept, portal.ActorDecider, w.court)
	w.step(t, portal.ActionStartReview, portal.ActorDecider, w.court)
	w.step(t, portal.ActionReject, portal.ActorDecider, w.court)
	rows, total, err = w.db.Refusals(0, 50)
	if err != nil || total != 1 || rows[0].CaseID != c2.ID || rows[0].Organ != w.court.ID || rows[0].Status != portal.StatusRejected {
		t.Fatalf("refusals %v %d %v", rows, total, err)
	}
}

// R17, R25: the investigation reads the audit log of the person's case and of
// one account through the indexes, and the read is itself audited.
func TestInvestigateLeak(t *testing.T) {
	w := newOversightWorld(t)
	db := w.db
	// The court reads the case twice; the police once.
	for _, a := range []portal.Account{w.courtOff, w.courtOff, w.policeOff} {
		if _, err := db.CaseForStaff(w.c.ID, a, portal.FreshFactor{}, "case_duty", "r"); err != nil {
			t.Fatal(err)
		}
	}
	in := leakInput(w.today)
	in.PersonIDNumber = w.c.PersonIDNumber
	r, _ := sendLeak(t, db, in, "tok-1")
	if _, err := db.InvestigateLeak(r.ID, 0, 0, w.courtOff, portal.FreshFactor{}, "r"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("read by an organ: %v", err)
	}
	inv, err := db.InvestigateLeak(r.ID, 0, 0, w.sup, portal.FreshFactor{}, "r")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Cases) != 1 || inv.CaseID != w.c.ID {
		t.Fatalf("cases %v, shown %d", inv.Cases, inv.CaseID)
	}
	reads := 0
	for _, e := range inv.Entries {
		if e.Action == portal.AuditSealedRead {
			reads++
		}
	}
	if reads != 3 {
		t.Fatalf("%d reads in the case's log, want 3: %v", reads, inv.Entries)
	}
	byCourt, err := db.InvestigateLeak(r.ID, 0, w.courtOff.ID, w.sup, portal.FreshFactor{}, "r")
	if err != nil || byCourt.Account != w.courtOff.ID || len(byCourt.Entries) != 2 {
		t.Fatalf("the court official's actions %v %v", byCourt.Entries, err)
	}
	// A case not about the person is not readable from this report.
	if _, err := db.InvestigateLeak(r.ID, w.c.ID+100, 0, w.sup, portal.FreshFactor{}, "r"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("another case: %v", err)
	}
	evs, err := db.AuditBySubject(kindLeak, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	audited := 0
	for _, e := range evs {
		if e.Action == AuditInvestigationRead && e.ActorID == w.sup.ID {
			audited++
		}
	}
	if audited != 2 {
		t.Fatalf("%d investigation reads audited, want 2: %v", audited, evs)
	}
	// The cross-links: the case finds the report, the report the case.
	refs, err := db.PersonCrossLinks([]uint64{w.c.ID}, CrossRef{Kind: "case", ID: w.c.ID})
	if err != nil || len(refs) != 1 || refs[0].Kind != "leak" || refs[0].Ref != r.Ref {
		t.Fatalf("cross-links of the case %v %v", refs, err)
	}
	seed, _ := db.LeakCaseIDs(r.ID)
	refs, err = db.PersonCrossLinks(seed, CrossRef{Kind: "leak", ID: r.ID})
	if err != nil || len(refs) != 1 || refs[0].Kind != "case" || refs[0].ID != w.c.ID {
		t.Fatalf("cross-links of the report %v %v", refs, err)
	}
}

// The migration indexes every earlier audit entry by its actor, and is
// found by its name (the integrator renumbers migrations).
func TestMigrationOversightIndexesAuditByActor(t *testing.T) {
	var m *migration
	for i := range migrations {
		if migrations[i].name == migrationOversightName {
			m = &migrations[i]
		}
	}
	if m == nil {
		t.Fatal("no migration named " + migrationOversightName)
	}
	w := newOversightWorld(t)
	for range 3 {
		if _, err := w.db.CaseForStaff(w.c.ID, w.courtOff, portal.FreshFactor{}, "case_duty", "r"); err != nil {
			t.Fatal(err)
		}
	}
	// As before the migration: no index.
	if err := w.db.update(func(tx kv.Tx) error {
		for _, b := range oversightBuckets() {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.update(m.apply); err != nil {
		t.Fatal(err)
	}
	count := func(actor uint64) int {
		n := 0
		_ = w.db.view(func(tx kv.Tx) error {
			entries, err := auditUnder(tx, bucketAuditByActor, itob(actor))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.ActorID != actor {
					t.Errorf("entry of %d under %d", e.ActorID, actor)
				}
			}
			n = len(entries)
			return nil
		})
		return n
	}
	if n := count(w.courtOff.ID); n != 3 {
		t.Fatalf("%d entries of the court official indexed, want 3", n)
	}
	// Applying it again changes nothing; new entries are indexed as written.
	if err := w.db.update(m.apply); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.CaseForStaff(w.c.ID, w.courtOff, portal.FreshFactor{}, "case_duty", "r"); err != nil {
		t.Fatal(err)
	}
	if n := count(w.courtOff.ID); n != 4 {
		t.Fatalf("%d entries after one more read, want 4", n)
	}
}

// BenchmarkInvestigateLeakByAccount reads one official's actions from a log
// where nearly every entry is someone else's: the index by actor makes the
// cost follow that official's entries, not the log's length (compare the
// sizes: go test ./store -run '^$' -bench InvestigateLeak).
func BenchmarkInvestigateLeakByAccount(b *testing.B) {
	for _, others := range []int{1_000, 20_000} {
		b.Run(strconv.Itoa(others)+"-other-entries", func(b *testing.B) {
			w := newOversightWorld(b)
			db := w.db
			if err := db.update(func(tx kv.Tx) error {
				for i := range others {
					if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLogin, ActorID: w.minor.ID + uint64(1000+i%50), ActorRole: portal.RoleMinor}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			for range 20 {
				if _, err := db.CaseForStaff(w.c.ID, w.policeOff, portal.FreshFactor{}, "case_duty", "r"); err != nil {
					b.Fatal(err)
				}
			}
			in := leakInput(w.today)
			in.PersonIDNumber = w.c.PersonIDNumber
			if _, err := db.SaveLeakDraft("tok", in, nil, nil); err != nil {
				b.Fatal(err)
			}
			r, _, err := db.SubmitLeakReport("tok", w.cal, "r")
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				inv, err := db.InvestigateLeak(r.ID, 0, w.policeOff.ID, w.sup, portal.FreshFactor{}, "r")
				if err != nil || len(inv.Entries) != 20 {
					b.Fatalf("%d entries, %v", len(inv.Entries), err)
				}
			}
		})
	}
}
