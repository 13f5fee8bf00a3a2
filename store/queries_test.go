package store

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// queriesSealedCase walks a case to sealing (R12) and returns it with its
// person's account.
func queriesSealedCase(t *testing.T, db *DB, cal *portal.Calendar) (portal.Case, portal.Account, portal.Organ) {
	t.Helper()
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
	c := completeDraft(t, db, minor, court, police)
	for _, st := range []Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: minor.ID},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, OrganID: court.ID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, OrganID: court.ID},
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, OrganID: court.ID, Rules: []string{"R2"}},
	} {
		if c, err = db.Apply(c.ID, st, cal); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return c, minor, court
}

func queriesUnit(t *testing.T, db *DB, login string, kind portal.QueryUnitKind) portal.Account {
	t.Helper()
	a, err := db.CreateAccount(portal.Account{Role: portal.RoleQueryingUnit, Login: login, Name: "查询人", Organ: "演示市某幼儿园",
		UnitKind: string(kind), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func queriesRequest(idNumber string) portal.Query {
	return portal.Query{PersonIDNumber: idNumber, Reason: "拟聘用", Purpose: "入职查询", PurposeCategory: portal.PurposeEmployment,
		Basis:     portal.LegalBasis{Kind: portal.BasisLaw, Name: "《未成年人保护法》", Article: "第六十二条"},
		Requested: portal.QueryScope{Kind: portal.ScopeDocuments, Documents: []portal.DocumentKind{portal.DocJudgment}}}
}

// A query finds the person's sealed case by the blind index, goes to the
// sealing organ's queue with the R16 deadline, and every read — allowed or
// refused — is audited against the case in the same transaction and notified.
func TestQueryLifecycle(t *testing.T) {
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)) // a Monday
	db.now = clock
	cal := portal.DefaultCalendar()
	c, minor, court := queriesSealedCase(t, db, cal)
	unit := queriesUnit(t, db, "unit-1", portal.QueryUnitRegulated)

	q, err := db.CreateQuery(queriesRequest(c.PersonIDNumber), unit, cal, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if q.Ref != "CX-2026-000001" || q.Status != portal.QuerySubmitted || q.OrganID != court.ID || len(q.CaseIDs) != 1 || q.CaseIDs[0] != c.ID {
		t.Fatalf("query %+v", q)
	}
	if want := (portal.Date{Year: 2026, Month: 3, Day: 5}); q.Due != want {
		t.Errorf("due %v, want %v (3 working days, R16)", q.Due, want)
	}
	if q.UnitName != "演示市某幼儿园" || q.UnitKind != portal.QueryUnitRegulated {
		t.Errorf("unit %q %q", q.UnitName, q.UnitKind)
	}
	rows, err := db.OrganQueries(court.ID)
	if err != nil || len(rows) != 1 || rows[0].Ref != q.Ref || rows[0].Due != q.Due {
		t.Fatalf("court queue %+v %v", rows, err)
	}
	if mine, _ := db.QueriesOfUnit(unit.ID); len(mine) != 1 || mine[0].ID != q.ID {
		t.Fatalf("unit list %+v", mine)
	}

	// Staff of another organ cannot decide it.
	other, _ := db.EnsureOrgan(portal.RoleCourt, "另一法院")
	stranger := portal.Account{ID: 500, Role: portal.RoleCourt, OrganID: other.ID}
	today := portal.DateOf(clock())
	approve := portal.QueryDecision{Approve: true, Scope: q.Requested, From: today, To: today.AddDays(10)}
	if _, err := db.DecideQuery(q.ID, approve, stranger, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("stranger decided: %v", err)
	}
	judge := portal.Account{ID: 501, Role: portal.RoleCourt, OrganID: court.ID}
	if q, err = db.DecideQuery(q.ID, approve, judge, ""); err != nil || q.Status != portal.QueryApproved {
		t.Fatalf("approve %v %v", q.Status, err)
	}
	if rows, _ := db.OrganQueries(court.ID); len(rows) != 1 || rows[0].Status != portal.QueryApproved || !rows[0].Due.IsZero() {
		t.Fatalf("queue after decision %+v", rows)
	}

	before, _ := db.UnreadCount(minor.ID)
	// R14a: until the deadline has passed the unit sees the query as sent:
	// it cannot sign, and a read is refused as "not approved", exactly as
	// for a query that found nothing.
	cm := portal.Commitment{Text: "承诺 / commitment", SignerName: "王某", SignerPosition: "园长", Agreed: true}
	if _, err := db.SignCommitment(q.ID, cm, unit, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("signed before the answer was released: %v", err)
	}
	if _, err := db.ReadQuery(q.ID, portal.QueryScope{}, unit, portal.FreshFactor{}, ""); err == nil || !strings.Contains(err.Error(), portal.ReadRefusedNotApproved) {
		t.Fatalf("read before release: %v", err)
	}
	advance(4 * 24 * time.Hour) // Friday 6 March: the day after the deadline
	// R16: nothing before the commitment; the attempt is audited.
	if _, err := db.ReadQuery(q.ID, portal.QueryScope{}, unit, portal.FreshFactor{}, ""); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("read before commitment: %v", err)
	}
	if q, err = db.SignCommitment(q.ID, cm, unit, ""); err != nil || q.Status != portal.QuerySigned || q.Commitment.SignedAt.IsZero() {
		t.Fatalf("sign %v %v", q.Status, err)
	}
	res, err := db.ReadQuery(q.ID, portal.QueryScope{}, unit, portal.FreshFactor{}, "r2")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 1 || res.Documents[0].Document.Kind != portal.DocJudgment || len(res.Cases) != 0 || !res.SealedRecord || res.JuvenileEffect {
		t.Fatalf("result %+v", res)
	}
	doc, content, err := db.QueryDocumentContent(q.ID, res.Documents[0].Document.ID, unit, portal.FreshFactor{}, "")
	if err != nil || doc.Kind != portal.DocJudgment || !strings.HasPrefix(string(content), "%PDF") {
		t.Fatalf("document %v %v", doc, err)
	}
	// The identity document is beyond the scope.
	var identity portal.Document
	for _, d := range c.Documents {
		if d.Kind == portal.DocIdentity {
			identity = d
		}
	}
	if _, _, err := db.QueryDocumentContent(q.ID, identity.ID, unit, portal.FreshFactor{}, ""); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("identity document: %v", err)
	}
	// Another unit cannot read it at all.
	thief := queriesUnit(t, db, "unit-2", portal.QueryUnitRegulated)
	if _, err := db.ReadQuery(q.ID, portal.QueryScope{}, thief, portal.FreshFactor{}, ""); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("another unit: %v", err)
	}
	advance(7 * 24 * time.Hour) // past the window's last day (12 March)
	if _, err := db.ReadQuery(q.ID, portal.QueryScope{}, unit, portal.FreshFactor{}, ""); err == nil || !strings.Contains(err.Error(), portal.ReadRefusedWindow) {
		t.Fatalf("read after the window: %v", err)
	}

	evs, err := db.AuditBySubject("case", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		if ev.ActorID == unit.ID {
			got = append(got, string(ev.Action)+" "+ev.Detail)
		}
	}
	want := []string{
		"query_read_refused query_refused:1:not_approved",
		"query_read_refused query_refused:1:unsigned",
		"sealed_read query:1:employment",
		"document_read query:1:employment:document:" + itoa(res.Documents[0].Document.ID),
		"query_read_refused query_refused:1:beyond_scope:document:" + itoa(identity.ID),
		"query_read_refused query_refused:1:outside_window",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit of the case:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	after, _ := db.UnreadCount(minor.ID)
	if after-before != len(want) {
		t.Fatalf("%d new notifications, want %d", after-before, len(want))
	}
	// What was written survives a reopen, commitment included.
	db2 := reopenTestDB(t, db)
	q2, err := db2.Query(q.ID)
	if err != nil || q2.Commitment == nil || q2.Commitment.SignerPosition != "园长" || q2.Reason != "拟聘用" {
		t.Fatalf("after reopen %+v %v", q2, err)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// A person of whom the portal holds no sealed record: the query waits like
// any other (R14a) and is approved by the portal for the scope asked the day
// after the deadline; the answer says no sealed record. A unit of no kind
// cannot submit (R15); reads work on a database whose query buckets do not
// exist yet.
func TestQueryNoSealedRecordAndRefusals(t *testing.T) {
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	cal := portal.DefaultCalendar()
	if rows, err := db.OrganQueries(1); err != nil || len(rows) != 0 {
		t.Fatalf("empty queue %v %v", rows, err)
	}
	if _, err := db.Query(1); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("missing query: %v", err)
	}
	unit := queriesUnit(t, db, "unit-1", portal.QueryUnitRegulated)
	if mine, err := db.QueriesOfUnit(unit.ID); err != nil || len(mine) != 0 {
		t.Fatalf("empty list %v %v", mine, err)
	}
	nobody := portal.SyntheticIDNumber(99, portal.Date{Year: 2000, Month: 1, Day: 1}).String()
	q, err := db.CreateQuery(queriesRequest(nobody), unit, cal, "")
	if err != nil {
		t.Fatal(err)
	}
	if q.Status != portal.QuerySubmitted || q.OrganID != 0 || q.Due != (portal.Date{Year: 2026, Month: 3, Day: 5}) {
		t.Fatalf("no-record query %+v", q)
	}
	sign := portal.Commitment{Text: "t", SignerName: "a", SignerPosition: "b", Agreed: true}
	if _, err := db.SignCommitment(q.ID, sign, unit, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("signed before the deadline: %v", err)
	}
	advance(4 * 24 * time.Hour)
	if q, err = db.SignCommitment(q.ID, sign, unit, ""); err != nil || q.Status != portal.QuerySigned ||
		q.WindowFrom != (portal.Date{Year: 2026, Month: 3, Day: 6}) || q.Approved.Kind != portal.ScopeDocuments || len(q.Events) != 3 {
		t.Fatalf("signed %+v %v", q, err)
	}
	res, err := db.ReadQuery(q.ID, portal.QueryScope{}, unit, portal.FreshFactor{}, "")
	if err != nil || res.SealedRecord || len(res.Documents) != 0 {
		t.Fatalf("answer %+v %v", res, err)
	}
	if evs, _ := db.AuditBySubject("query", q.ID); len(evs) == 0 || evs[len(evs)-1].Action != portal.AuditSealedRead {
		t.Fatalf("read of a no-record query not audited: %+v", evs)
	}

	neither, err := db.CreateAccount(portal.Account{Role: portal.RoleQueryingUnit, Login: "unit-x", Name: "x", Organ: "某公司", PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateQuery(queriesRequest(nobody), neither, cal, ""); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("unit of no kind: %v", err)
	}
	bad := queriesRequest(nobody)
	bad.Basis.Kind = portal.BasisOther
	if _, err := db.CreateQuery(bad, unit, cal, ""); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("no state regulation: %v", err)
	}
	if mine, _ := db.QueriesOfUnit(unit.ID); len(mine) != 1 {
		t.Fatalf("refused submissions were stored: %d", len(mine))
	}
}

// R14a: an approved lawful querier is told the truth: the sealed record
// exists; a judicial organ is reminded of the juvenile record's limited legal
// effect (CL art. 65, art. 100 para 2).
func TestQueryTruthfulAnswer(t *testing.T) {
	db := newTestDB(t)
	clock, advance := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	cal := portal.DefaultCalendar()
	c, _, court := queriesSealedCase(t, db, cal)
	read := func(unit portal.Account, req portal.Query) portal.QueryResult {
		t.Helper()
		q, err := db.CreateQuery(req, unit, cal, "")
		if err != nil {
			t.Fatal(err)
		}
		today := portal.DateOf(clock())
		judge := portal.Account{ID: 501, Role: portal.RoleCourt, OrganID: court.ID}
		if _, err := db.DecideQuery(q.ID, portal.QueryDecision{Approve: true, Scope: req.Requested, From: today, To: today.AddDays(20)}, judge, ""); err != nil {
			t.Fatal(err)
		}
		advance(7 * 24 * time.Hour)
		if _, err := db.SignCommitment(q.ID, portal.Commitment{Text: "t", SignerName: "a", SignerPosition: "b", Agreed: true}, unit, ""); err != nil {
			t.Fatal(err)
		}
		res, err := db.ReadQuery(q.ID, portal.QueryScope{}, unit, portal.FreshFactor{}, "")
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	req := queriesRequest(c.PersonIDNumber)
	req.Requested = portal.QueryScope{Kind: portal.ScopeExists}
	if res := read(queriesUnit(t, db, "unit-1", portal.QueryUnitRegulated), req); !res.SealedRecord || res.JuvenileEffect {
		t.Fatalf("regulated unit: %+v", res)
	}
	jreq := req
	jreq.PurposeCategory, jreq.CaseNumber, jreq.Requested = portal.PurposeCase, "（2026）演刑初字第9号", portal.QueryScope{Kind: portal.ScopeSummary}
	res := read(queriesUnit(t, db, "court-1", portal.QueryUnitJudicial), jreq)
	if !res.SealedRecord || !res.JuvenileEffect || len(res.Cases) != 1 || len(res.Cases[0].Acts) != len(c.Acts) {
		t.Fatalf("judicial organ: %+v", res)
	}
}
