package portal

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

var queryToday = Date{Year: 2026, Month: 3, Day: 10}

func validQuery(kind QueryUnitKind) Query {
	q := Query{
		UnitKind:       kind,
		PersonIDNumber: SyntheticIDNumber(3, Date{Year: 2006, Month: 3, Day: 14}).String(),
		Reason:         "拟聘用为保育员",
		Basis:          LegalBasis{Kind: BasisLaw, Name: "《中华人民共和国未成年人保护法》", Article: "第六十二条"},
		Purpose:        "入职查询",
		Requested:      QueryScope{Kind: ScopeExists},
	}
	if kind == QueryUnitJudicial {
		q.PurposeCategory, q.CaseNumber = PurposeCase, "(2026)演刑初字第9号"
		q.Requested = QueryScope{Kind: ScopeSummary}
	} else {
		q.PurposeCategory = PurposeEmployment
	}
	return q
}

// fieldsOf returns the per-field keys of an invalid error, failing on any
// other outcome.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	e, ok := AsError(err)
	if !ok || e.Code != CodeInvalid {
		t.Fatalf("want an invalid error, got %v", err)
	}
	return e.Fields
}

// R15, R16: reason, legal basis (name and article) and purpose are all
// required; a regulated unit must cite a law or administrative regulation; a
// case summary is for judicial organs; a unit of neither kind cannot submit.
func TestQueryValidate(t *testing.T) {
	if err := validQuery(QueryUnitRegulated).Validate(queryToday); err != nil {
		t.Fatalf("valid regulated query: %v", err)
	}
	if err := validQuery(QueryUnitJudicial).Validate(queryToday); err != nil {
		t.Fatalf("valid judicial query: %v", err)
	}
	tests := []struct {
		name  string
		kind  QueryUnitKind
		edit  func(*Query)
		field string
	}{
		{"no reason", QueryUnitRegulated, func(q *Query) { q.Reason = "  " }, "reason"},
		{"no purpose", QueryUnitRegulated, func(q *Query) { q.Purpose = "" }, "purpose"},
		{"no law name", QueryUnitRegulated, func(q *Query) { q.Basis.Name = "" }, "law_name"},
		{"no article", QueryUnitRegulated, func(q *Query) { q.Basis.Article = "" }, "law_article"},
		{"no basis kind", QueryUnitRegulated, func(q *Query) { q.Basis.Kind = "" }, "basis_kind"},
		{"R15b: an internal rule is no state regulation", QueryUnitRegulated, func(q *Query) { q.Basis.Kind = BasisOther }, "basis_kind"},
		{"R15b: no judicial interpretation for a regulated unit", QueryUnitRegulated, func(q *Query) { q.Basis.Kind = BasisJudicialInterpretation }, "basis_kind"},
		{"judicial organ relies on no other rule", QueryUnitJudicial, func(q *Query) { q.Basis.Kind = BasisOther }, "basis_kind"},
		{"bad id number", QueryUnitRegulated, func(q *Query) { q.PersonIDNumber = "123" }, "person_id_number"},
		{"purpose of the other kind", QueryUnitRegulated, func(q *Query) { q.PurposeCategory = PurposeCase }, "purpose_category"},
		{"R15a: judicial organ names its case", QueryUnitJudicial, func(q *Query) { q.CaseNumber = "" }, "case_number"},
		{"summary is for judicial organs", QueryUnitRegulated, func(q *Query) { q.Requested = QueryScope{Kind: ScopeSummary} }, "scope"},
		{"no scope", QueryUnitRegulated, func(q *Query) { q.Requested = QueryScope{} }, "scope"},
		{"documents need kinds", QueryUnitRegulated, func(q *Query) { q.Requested = QueryScope{Kind: ScopeDocuments} }, "documents"},
		{"identity papers are never disclosed", QueryUnitRegulated, func(q *Query) {
			q.Requested = QueryScope{Kind: ScopeDocuments, Documents: []DocumentKind{DocIdentity}}
		}, "documents"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := validQuery(tc.kind)
			tc.edit(&q)
			f := fieldsOf(t, q.Validate(queryToday))
			if f[tc.field] == "" {
				t.Fatalf("no message for %s: %v", tc.field, f)
			}
		})
	}
	// R16: all three missing at once are reported at once.
	q := validQuery(QueryUnitRegulated)
	q.Reason, q.Basis, q.Purpose = "", LegalBasis{}, ""
	f := fieldsOf(t, q.Validate(queryToday))
	for _, k := range []string{"reason", "basis_kind", "law_name", "law_article", "purpose"} {
		if f[k] == "" {
			t.Errorf("no message for %s", k)
		}
	}
	// R15: a unit that is neither may not query at all.
	q = validQuery(QueryUnitRegulated)
	q.UnitKind = ""
	if ErrorCode(q.Validate(queryToday)) != CodeForbidden {
		t.Fatal("a unit of no kind could submit")
	}
}

func TestQueryStateMachine(t *testing.T) {
	tests := []struct {
		from   QueryStatus
		action QueryAction
		actor  QueryActor
		to     QueryStatus
	}{
		{"", QueryActionSubmit, QueryActorUnit, QuerySubmitted},
		{QuerySubmitted, QueryActionApprove, QueryActorOrgan, QueryApproved},
		{QuerySubmitted, QueryActionRefuse, QueryActorOrgan, QueryRefused},
		{QueryApproved, QueryActionSign, QueryActorUnit, QuerySigned},
		{QuerySubmitted, QueryActionApprove, QueryActorUnit, ""},
		{QuerySubmitted, QueryActionSign, QueryActorUnit, ""},
		{QueryRefused, QueryActionApprove, QueryActorOrgan, ""},
		{QuerySigned, QueryActionSign, QueryActorUnit, ""},
		{QueryApproved, QueryActionRefuse, QueryActorOrgan, ""},
	}
	for _, tc := range tests {
		got, err := NextQuery(tc.from, tc.action, tc.actor)
		if tc.to == "" {
			if ErrorCode(err) != CodeConflict {
				t.Errorf("%s %s by %s: allowed (to %s)", tc.from, tc.action, tc.actor, got)
			}
			continue
		}
		if err != nil || got != tc.to {
			t.Errorf("%s %s by %s = %s, %v; want %s", tc.from, tc.action, tc.actor, got, err, tc.to)
		}
	}
}

// R16: an approval is never broader than the request, and is for a limited
// window that starts no earlier than the decision; a refusal has a reason.
func TestQueryDecisionCheck(t *testing.T) {
	q := validQuery(QueryUnitRegulated)
	q.Requested = QueryScope{Kind: ScopeDocuments, Documents: []DocumentKind{DocJudgment}}
	ok := QueryDecision{Approve: true, Scope: QueryScope{Kind: ScopeExists}, From: queryToday, To: queryToday.AddDays(6)}
	if err := ok.Check(q, queryToday); err != nil {
		t.Fatalf("narrower approval: %v", err)
	}
	same := ok
	same.Scope = q.Requested
	if err := same.Check(q, queryToday); err != nil {
		t.Fatalf("approval as asked: %v", err)
	}
	longest := ok
	longest.To = queryToday.AddDays(MaxQueryWindowDays - 1)
	if err := longest.Check(q, queryToday); err != nil {
		t.Fatalf("longest window: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*QueryDecision)
		field string
	}{
		{"broader kinds", func(d *QueryDecision) {
			d.Scope = QueryScope{Kind: ScopeDocuments, Documents: []DocumentKind{DocJudgment, DocOther}}
		}, "scope"},
		{"summary for a regulated unit", func(d *QueryDecision) { d.Scope = QueryScope{Kind: ScopeSummary} }, "scope"},
		{"no start", func(d *QueryDecision) { d.From = Date{} }, "window_from"},
		{"start in the past", func(d *QueryDecision) { d.From = queryToday.AddDays(-1) }, "window_from"},
		{"no end", func(d *QueryDecision) { d.To = Date{} }, "window_to"},
		{"end before start", func(d *QueryDecision) { d.To = queryToday.AddDays(-1); d.From = queryToday }, "window_to"},
		{"window too long", func(d *QueryDecision) { d.To = queryToday.AddDays(MaxQueryWindowDays) }, "window_to"},
		{"refusal without reason", func(d *QueryDecision) { *d = QueryDecision{Reason: " "} }, "refusal_reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := ok
			tc.edit(&d)
			if f := fieldsOf(t, d.Check(q, queryToday)); f[tc.field] == "" {
				t.Fatalf("no message for %s: %v", tc.field, f)
			}
		})
	}
}

// R16, R17: nothing before the commitment, nothing outside the window, nothing
// beyond the approved scope.
func TestQueryReadRefusal(t *testing.T) {
	q := validQuery(QueryUnitJudicial)
	q.Status = QueryApproved
	q.Approved = QueryScope{Kind: ScopeDocuments, Documents: []DocumentKind{DocJudgment}}
	q.WindowFrom, q.WindowTo = queryToday, queryToday.AddDays(4)
	judgment := QueryScope{Kind: ScopeDocuments, Documents: []DocumentKind{DocJudgment}}
	if got := q.ReadRefusal(queryToday, judgment); got != ReadRefusedUnsigned {
		t.Fatalf("unsigned: %q", got)
	}
	q.Status, q.Commitment = QuerySigned, &Commitment{Text: "x", SignerName: "a", SignerPosition: "b", Agreed: true, SignedAt: time.Now()}
	tests := []struct {
		day  Date
		want QueryScope
		why  string
	}{
		{queryToday, judgment, ""},
		{queryToday.AddDays(4), judgment, ""},
		{queryToday, QueryScope{Kind: ScopeExists}, ""},
		{queryToday.AddDays(5), judgment, ReadRefusedWindow},
		{queryToday.AddDays(-1), judgment, ReadRefusedWindow},
		{queryToday, QueryScope{Kind: ScopeSummary}, ReadRefusedScope},
		{queryToday, QueryScope{Kind: ScopeDocuments, Documents: []DocumentKind{DocOther}}, ReadRefusedScope},
	}
	for _, tc := range tests {
		if got := q.ReadRefusal(tc.day, tc.want); got != tc.why {
			t.Errorf("%s %v: %q, want %q", tc.day, tc.want, got, tc.why)
		}
	}
	q.Status = QueryRefused
	if got := q.ReadRefusal(queryToday, judgment); got != ReadRefusedNotApproved {
		t.Errorf("refused query: %q", got)
	}
}

// R14a: an approved query is told the truth about the sealed records found;
// a judicial organ also the juvenile record's limited effect; other scopes
// show only what they name, with each act's intent (R32).
func TestBuildQueryResult(t *testing.T) {
	cases := []Case{{ID: 1, Ref: "FC-2026-000001", Disposition: DispositionSentenced, PersonName: "某某", Intent: IntentNegligent,
		Acts:      []Act{{Date: Date{Year: 2023, Month: 1, Day: 1}, Intent: "intentional"}, {Date: Date{Year: 2023, Month: 2, Day: 1}}},
		Documents: []Document{{ID: 1, Kind: DocJudgment}, {ID: 2, Kind: DocIdentity}, {ID: 3, Kind: DocOther}}}}
	q := validQuery(QueryUnitJudicial)
	r := BuildQueryResult(q, QueryScope{Kind: ScopeExists}, cases, time.Now())
	if !r.SealedRecord || !r.JuvenileEffect || len(r.Cases) != 0 || len(r.Documents) != 0 {
		t.Fatalf("exists: %+v", r)
	}
	r = BuildQueryResult(q, QueryScope{Kind: ScopeExists}, nil, time.Now())
	if r.SealedRecord || r.JuvenileEffect {
		t.Fatalf("exists, nothing found: %+v", r)
	}
	reg := validQuery(QueryUnitRegulated)
	r = BuildQueryResult(reg, QueryScope{Kind: ScopeDocuments, Documents: []DocumentKind{DocJudgment}}, cases, time.Now())
	if !r.SealedRecord || r.JuvenileEffect || len(r.Cases) != 0 || len(r.Documents) != 1 || r.Documents[0].Document.ID != 1 {
		t.Fatalf("documents: %+v", r)
	}
	r = BuildQueryResult(q, QueryScope{Kind: ScopeSummary}, cases, time.Now())
	if len(r.Cases) != 1 || len(r.Documents) != 0 || r.Cases[0].Ref != "FC-2026-000001" {
		t.Fatalf("summary: %+v", r)
	}
	// R32: the act's own intent, else the case's.
	if acts := r.Cases[0].Acts; len(acts) != 2 || acts[0].Intent != "intentional" || acts[1].Intent != "negligent" {
		t.Fatalf("acts %+v", acts)
	}
}

// R14a: until the answer is released (the day after the deadline, or an
// organ's late decision), the unit sees every query as sent, whether it found
// a sealed record (and the organ decided at once) or nothing.
func TestQueryForUnit(t *testing.T) {
	due := Date{Year: 2026, Month: 3, Day: 5}
	sent := time.Date(2026, 3, 2, 10, 0, 0, 0, China)
	base := Query{ID: 1, Status: QuerySubmitted, Due: due, Requested: QueryScope{Kind: ScopeExists},
		Events: []QueryEvent{{At: sent, Action: QueryActionSubmit, To: QuerySubmitted}}}
	nothing := base
	approved := base
	approved.OrganID, approved.CaseIDs = 7, []uint64{3}
	approved.Status, approved.Approved, approved.DecidedAt = QueryApproved, QueryScope{Kind: ScopeExists}, sent.Add(time.Hour)
	approved.WindowFrom, approved.WindowTo = Date{Year: 2026, Month: 3, Day: 2}, Date{Year: 2026, Month: 3, Day: 20}
	approved.Events = append(slices.Clone(base.Events), QueryEvent{At: sent.Add(time.Hour), Action: QueryActionApprove, From: QuerySubmitted, To: QueryApproved})
	refused := approved
	refused.Status, refused.Approved, refused.WindowFrom, refused.WindowTo, refused.RefusalReason = QueryRefused, QueryScope{}, Date{}, Date{}, "不符合条件"
	waiting := approved
	waiting.Status, waiting.Approved, waiting.WindowFrom, waiting.WindowTo, waiting.DecidedAt = QuerySubmitted, QueryScope{}, Date{}, Date{}, time.Time{}
	waiting.Events = base.Events
	for day := 2; day <= 5; day++ {
		today := Date{Year: 2026, Month: 3, Day: day}
		want := nothing.ForUnit(today)
		for name, q := range map[string]Query{"approved": approved, "refused": refused, "waiting": waiting} {
			got := q.ForUnit(today)
			got.OrganID, got.CaseIDs = 0, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %v: %+v, unit sees differently from no record %+v", name, today, got, want)
			}
		}
	}
	after := Date{Year: 2026, Month: 3, Day: 6}
	if q := nothing.ForUnit(after); q.Status != QueryApproved || q.WindowFrom != after || q.Approved.Kind != ScopeExists {
		t.Errorf("no record after the deadline: %+v", q)
	}
	if q := approved.ForUnit(after); q.Status != QueryApproved {
		t.Errorf("approved after the deadline: %+v", q)
	}
	if q := refused.ForUnit(after); q.Status != QueryRefused || q.RefusalReason == "" {
		t.Errorf("refused after the deadline: %+v", q)
	}
	late := refused
	late.DecidedAt = time.Date(2026, 3, 9, 9, 0, 0, 0, China)
	if q := late.ForUnit(Date{Year: 2026, Month: 3, Day: 9}); q.Status != QueryRefused {
		t.Errorf("late decision: %+v", q)
	}
}

func TestCommitmentValidate(t *testing.T) {
	ok := Commitment{Text: "承诺", SignerName: "王某", SignerPosition: "园长", Agreed: true}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, edit := range map[string]func(*Commitment){
		"signer_name":     func(c *Commitment) { c.SignerName = "" },
		"signer_position": func(c *Commitment) { c.SignerPosition = " " },
		"agree":           func(c *Commitment) { c.Agreed = false },
	} {
		c := ok
		edit(&c)
		if f := fieldsOf(t, c.Validate()); f[field] == "" {
			t.Errorf("no message for %s", field)
		}
	}
}

func TestQueryAuditDetail(t *testing.T) {
	q := Query{ID: 42, PurposeCategory: PurposeEmployment}
	for _, tc := range []struct {
		detail  string
		rest    string
		refused bool
	}{
		{QueryReadDetail(q), "employment", false},
		{QueryReadDetail(q) + ":document:7", "employment", false},
		{QueryRefusedDetail(q, ReadRefusedWindow), ReadRefusedWindow, true},
	} {
		id, rest, refused, ok := ParseQueryAuditDetail(tc.detail)
		if !ok || id != 42 || rest != tc.rest || refused != tc.refused {
			t.Errorf("%s: %d %q %v %v", tc.detail, id, rest, refused, ok)
		}
	}
	for _, bad := range []string{"case_duty", "query:", "query:x:y", "query:0:a", "supervision:document:1"} {
		if _, _, _, ok := ParseQueryAuditDetail(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
