package portal

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Queries of sealed records (R14–R17). Only two kinds of unit may ask (R15):
// a judicial organ that needs the record for a case (or for
// recidivism-prevention work), and a unit acting under a state regulation —
// a law or an administrative regulation (CL art. 96). A query states reason,
// legal basis and purpose, all three (R16); the organ that sealed the record
// decides within the policy deadline, approving only what the purpose needs
// for a limited window, or refusing with a reason. Nothing is shown before the
// unit has signed the confidentiality commitment (保密承诺书), and every read
// — and every refused attempt — is written to the audit log (R16, R17).

// QueryUnitKind is what kind of querying unit an account is (R15). It is set
// when the account is created from the command line, never by the unit.
type QueryUnitKind string

// The kinds of querying unit.
const (
	QueryUnitJudicial  QueryUnitKind = "judicial"  // R15(a): a judicial organ, for a case
	QueryUnitRegulated QueryUnitKind = "regulated" // R15(b): a unit acting under a state regulation
)

// QueryUnitKinds lists the kinds, for the command line and forms.
var QueryUnitKinds = []QueryUnitKind{QueryUnitJudicial, QueryUnitRegulated}

// Valid reports whether k is one of the two kinds R15 admits. Anything else
// (including an account created without a kind) may not query at all.
func (k QueryUnitKind) Valid() bool { return slices.Contains(QueryUnitKinds, k) }

// BasisKind is what sort of legal text a query relies on.
type BasisKind string

// The kinds of legal basis.
const (
	BasisLaw                      BasisKind = "law"                       // a law of the NPC or its Standing Committee
	BasisAdministrativeRegulation BasisKind = "administrative_regulation" // an administrative regulation of the State Council
	BasisJudicialInterpretation   BasisKind = "judicial_interpretation"   // judicial organs only
	BasisOther                    BasisKind = "other"                     // a local or departmental rule, an internal policy
)

// BasisKinds lists the kinds in the form's order.
var BasisKinds = []BasisKind{BasisLaw, BasisAdministrativeRegulation, BasisJudicialInterpretation, BasisOther}

// IsStateRegulation reports whether the basis is a state regulation in the
// sense of CL art. 96: a law or an administrative regulation (R15b).
func (b BasisKind) IsStateRegulation() bool {
	return b == BasisLaw || b == BasisAdministrativeRegulation
}

// AllowedFor reports whether a unit of kind k may rely on b. R15(b): a unit
// that is not a judicial organ must rely on a law or an administrative
// regulation; a local rule or an internal policy is not enough. A judicial
// organ may also cite a judicial interpretation; it never relies on "other".
func (b BasisKind) AllowedFor(k QueryUnitKind) bool {
	switch k {
	case QueryUnitJudicial:
		return b.IsStateRegulation() || b == BasisJudicialInterpretation
	case QueryUnitRegulated:
		return b.IsStateRegulation()
	}
	return false
}

// QueryPurpose is the category of a query's purpose; the audit log records it
// with every read ("query:<id>:<category>") and the person sees it.
type QueryPurpose string

// The purpose categories.
const (
	PurposeCase       QueryPurpose = "case"        // R15(a): a judicial organ handling a specific case (R19)
	PurposeRecidivism QueryPurpose = "recidivism"  // R15(a): recidivism-prevention work
	PurposeEmployment QueryPurpose = "employment"  // R15(b): a law bars people with records from a job
	PurposeLicence    QueryPurpose = "licence"     // R15(b): a licence or qualification under a law
	PurposeOtherState QueryPurpose = "other_state" // R15(b): another duty under a state regulation
)

// QueryPurposes lists every category in the form's order.
var QueryPurposes = []QueryPurpose{PurposeCase, PurposeRecidivism, PurposeEmployment, PurposeLicence, PurposeOtherState}

// PurposesFor lists the categories a unit of kind k may state (R15).
func PurposesFor(k QueryUnitKind) []QueryPurpose {
	switch k {
	case QueryUnitJudicial:
		return []QueryPurpose{PurposeCase, PurposeRecidivism}
	case QueryUnitRegulated:
		return []QueryPurpose{PurposeEmployment, PurposeLicence, PurposeOtherState}
	}
	return nil
}

// ScopeKind is how much of a sealed record a query may see.
type ScopeKind string

// The scopes, narrowest first.
const (
	ScopeExists    ScopeKind = "exists"    // whether a sealed record exists, told truthfully to an approved lawful querier (R14a)
	ScopeDocuments ScopeKind = "documents" // named kinds of document of the sealed case(s)
	ScopeSummary   ScopeKind = "summary"   // a summary of the sealed case(s): judicial organs only (R15a)
)

// ScopeKinds lists the scopes, narrowest first.
var ScopeKinds = []ScopeKind{ScopeExists, ScopeDocuments, ScopeSummary}

// Valid reports whether s is a known scope.
func (s ScopeKind) Valid() bool { return slices.Contains(ScopeKinds, s) }

// ScopesFor lists the scopes a unit of kind k may ask for. A case summary is
// for a judicial organ handling a case (R15a, R19); a unit acting under a
// state regulation learns at most named documents (R16: only what the purpose
// needs).
func ScopesFor(k QueryUnitKind) []ScopeKind {
	switch k {
	case QueryUnitJudicial:
		return ScopeKinds
	case QueryUnitRegulated:
		return []ScopeKind{ScopeExists, ScopeDocuments}
	}
	return nil
}

// QueryDocumentKinds are the kinds of document a query may name: the
// judgment or decision, and other documents of the case. Identity papers,
// proofs of guardianship and powers of attorney concern the applicant, not
// the record, and are never disclosed.
var QueryDocumentKinds = []DocumentKind{DocJudgment, DocOther}

// QueryScope is a scope with, for ScopeDocuments, the kinds of document named.
type QueryScope struct {
	Kind      ScopeKind
	Documents []DocumentKind
}

// Covers reports whether the scope s includes what want asks for: the same
// scope, or "exists" (which every scope answers). For documents, every kind
// wanted must be named in s.
func (s QueryScope) Covers(want QueryScope) bool {
	switch {
	case want.Kind == ScopeExists:
		return s.Kind.Valid()
	case want.Kind != s.Kind:
		return false
	case want.Kind == ScopeDocuments:
		for _, d := range want.Documents {
			if !slices.Contains(s.Documents, d) {
				return false
			}
		}
	}
	return true
}

// check validates a scope for a unit of kind k, reporting against the form
// fields prefix+"scope" and prefix+"documents".
func (s QueryScope) check(k QueryUnitKind, prefix string, fe *FieldErrors) {
	switch {
	case !s.Kind.Valid():
		fe.Add(prefix+"scope", "queries.scope_required")
		return
	case !slices.Contains(ScopesFor(k), s.Kind):
		fe.Add(prefix+"scope", "queries.scope_summary_judicial_only")
		return
	}
	if s.Kind != ScopeDocuments {
		return
	}
	if len(s.Documents) == 0 {
		fe.Add(prefix+"documents", "queries.documents_required")
	}
	for _, d := range s.Documents {
		if !slices.Contains(QueryDocumentKinds, d) {
			fe.Add(prefix+"documents", "queries.documents_unknown")
		}
	}
}

// QueryStatus is where a query stands.
type QueryStatus string

// The statuses of a query.
const (
	QuerySubmitted QueryStatus = "submitted" // waiting for the sealing organ's decision
	QueryApproved  QueryStatus = "approved"  // approved; the unit must sign the commitment before any result is shown
	QueryRefused   QueryStatus = "refused"   // refused, with a reason
	QuerySigned    QueryStatus = "signed"    // commitment signed; the result may be read inside the window
)

// QueryStatuses lists the statuses.
var QueryStatuses = []QueryStatus{QuerySubmitted, QueryApproved, QueryRefused, QuerySigned}

// QueryAction is a step on a query.
type QueryAction string

// The actions.
const (
	QueryActionSubmit  QueryAction = "submit"  // the unit sends the query
	QueryActionApprove QueryAction = "approve" // the organ approves a scope for a window
	QueryActionRefuse  QueryAction = "refuse"  // the organ refuses, with a reason
	QueryActionSign    QueryAction = "sign"    // the unit signs the confidentiality commitment (R16)
)

// QueryActor is the capacity in which someone acts on a query.
type QueryActor string

// The actors.
const (
	QueryActorUnit   QueryActor = "unit"   // the querying unit that sent it
	QueryActorOrgan  QueryActor = "organ"  // staff of the organ that sealed the record
	QueryActorSystem QueryActor = "system" // the portal itself
)

// QueryTransition is one row of the query's state machine.
type QueryTransition struct {
	From   QueryStatus
	Action QueryAction
	Actor  QueryActor
	To     QueryStatus
}

// QueryTransitions is the whole procedure; "" as From is the query's creation.
var QueryTransitions = []QueryTransition{
	{"", QueryActionSubmit, QueryActorUnit, QuerySubmitted},
	{QuerySubmitted, QueryActionApprove, QueryActorOrgan, QueryApproved},
	{QuerySubmitted, QueryActionRefuse, QueryActorOrgan, QueryRefused},
	// The portal holds no sealed record for the person: no organ is asked,
	// and the portal approves the scope asked at the decision deadline, the
	// day the unit would learn an organ's decision (R14a: same states, same
	// schedule, whether or not a record exists; Query.AsOf).
	{QuerySubmitted, QueryActionApprove, QueryActorSystem, QueryApproved},
	{QueryApproved, QueryActionSign, QueryActorUnit, QuerySigned},
}

// NextQuery returns the status action by actor leads to from status, or a
// conflict error.
func NextQuery(from QueryStatus, action QueryAction, actor QueryActor) (QueryStatus, error) {
	for _, t := range QueryTransitions {
		if t.From == from && t.Action == action && t.Actor == actor {
			return t.To, nil
		}
	}
	return "", Conflict("queries.action_not_allowed")
}

// LegalBasis is the law or administrative regulation a query relies on, by
// name and article (R16).
type LegalBasis struct {
	Kind    BasisKind
	Name    string // e.g. 《中华人民共和国未成年人保护法》
	Article string // e.g. 第六十二条
}

// String is the basis as one line, e.g. 《未成年人保护法》第六十二条.
func (b LegalBasis) String() string { return strings.TrimSpace(b.Name + " " + b.Article) }

// Commitment is the signed confidentiality commitment (保密承诺书), archived
// with the query: the exact text signed (both languages), who signed it in
// which position, and when.
type Commitment struct {
	Text           string
	SignerName     string
	SignerPosition string
	Agreed         bool
	SignedAt       time.Time
}

// Validate checks a commitment as the unit submits it, with the form fields
// signer_name, signer_position and agree.
func (c Commitment) Validate() error {
	var fe FieldErrors
	queryCheckText(&fe, "signer_name", c.SignerName, MaxNameRunes, "queries.signer_name_required", "queries.too_long")
	queryCheckText(&fe, "signer_position", c.SignerPosition, MaxNameRunes, "queries.signer_position_required", "queries.too_long")
	if !c.Agreed {
		fe.Add("agree", "queries.agree_required")
	}
	if strings.TrimSpace(c.Text) == "" {
		return Internal(fmt.Errorf("query commitment without its text"))
	}
	return fe.Err()
}

// QueryEvent is one step of a query's history.
type QueryEvent struct {
	At        time.Time
	ActorID   uint64
	ActorRole Role
	Action    QueryAction
	From, To  QueryStatus
	Note      string
}

// Query is one query of a sealed record by a querying unit.
type Query struct {
	ID     uint64
	Ref    string // e.g. CX-2026-000001
	Status QueryStatus

	// The unit, as its account says (never typed by the unit).
	UnitID   uint64
	UnitName string
	UnitKind QueryUnitKind

	// The request (R16). The person is named by an identity document (R31):
	// PersonDocType "" (or resident_id) is the mainland identity card, as
	// before; PersonDocCountry is a passport's issuing state.
	PersonIDNumber   string
	PersonDocType    IDDocType
	PersonDocCountry string
	Reason           string
	Basis            LegalBasis
	PurposeCategory  QueryPurpose
	Purpose          string
	CaseNumber       string // a judicial organ's case the query is for (PurposeCase)
	Requested        QueryScope

	// Routing: the organ that sealed the record and the sealed cases found
	// for the person (by the identity number's blind index). Set by the store.
	OrganID uint64
	CaseIDs []uint64
	Due     Date

	// DueAwaitsCalendar: the deadline falls in a year whose official calendar
	// is not loaded yet ("to be set when the official calendar is published");
	// Due is zero until PutCalendarYear counts it.
	DueAwaitsCalendar bool `json:",omitempty"`

	// The decision.
	Approved      QueryScope
	WindowFrom    Date
	WindowTo      Date
	RefusalReason string
	DecidedAt     time.Time

	Commitment *Commitment

	Events      []QueryEvent
	SubmittedAt time.Time
}

// PersonDocument is the identity document naming the query's person (R31);
// no kind is the mainland identity card.
func (q Query) PersonDocument() (IdentityDocument, error) {
	return parseStoredDocument(q.PersonDocType, q.PersonIDNumber, q.PersonDocCountry)
}

// Limits of a query's free text.
const (
	MaxQueryTextRunes    = 1000
	maxQueryShortRunes   = 100
	MaxQueryCaseNumRunes = 60
)

// MaxQueryWindowDays is the longest window an approval may give, in calendar
// days including both ends. It is the portal's own standard (the law sets
// none): R16 says only what the purpose needs, for as long as it needs it.
const MaxQueryWindowDays = 30

// SystemWindowDays is the window the portal gives itself when it approves a
// query that found no sealed record (Query.AsOf).
const SystemWindowDays = 30

func queryCheckText(fe *FieldErrors, field, v string, max int, required, tooLong string) {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	switch {
	case n == 0:
		fe.Add(field, required)
	case n > max:
		fe.Add(field, tooLong)
	}
}

// MayQuery says whether a unit of kind k may submit a query at all (R15): a
// unit that is neither a judicial organ nor one acting under a state
// regulation may not.
func MayQuery(k QueryUnitKind) error {
	if !k.Valid() {
		return Forbidden("queries.unit_kind_missing")
	}
	return nil
}

// Validate checks a query as the unit submits it, as of today, with the form
// fields person_id_number, reason, basis_kind, law_name, law_article,
// purpose_category, purpose, case_number, scope and documents. A unit that
// may not query at all gets a forbidden error and no field list.
func (q Query) Validate(today Date) error {
	if err := MayQuery(q.UnitKind); err != nil {
		return err
	}
	var fe FieldErrors
	if doc, err := q.PersonDocument(); err != nil {
		switch key := errKey(err); key {
		case "iddoc.type_required":
			fe.Add("person_doc_type", key)
		case "iddoc.country_required":
			fe.Add("person_doc_country", key)
		default:
			fe.Add("person_id_number", key)
		}
	} else if birth, known := doc.BirthDate(); known && today.Before(birth) {
		fe.Add("person_id_number", "id.birth_date")
	}
	// R16: reason, legal basis and purpose are all required.
	queryCheckText(&fe, "reason", q.Reason, MaxQueryTextRunes, "queries.reason_required", "queries.too_long")
	switch {
	case q.Basis.Kind == "" || !slices.Contains(BasisKinds, q.Basis.Kind):
		fe.Add("basis_kind", "queries.basis_kind_required")
	case !q.Basis.Kind.AllowedFor(q.UnitKind) && q.UnitKind == QueryUnitRegulated:
		// R15(b): only a law or an administrative regulation is a state
		// regulation; a unit relying on anything less may not query.
		fe.Add("basis_kind", "queries.basis_state_regulation_required")
	case !q.Basis.Kind.AllowedFor(q.UnitKind):
		fe.Add("basis_kind", "queries.basis_judicial")
	}
	queryCheckText(&fe, "law_name", q.Basis.Name, maxQueryShortRunes, "queries.law_name_required", "queries.too_long")
	queryCheckText(&fe, "law_article", q.Basis.Article, maxQueryShortRunes, "queries.law_article_required", "queries.too_long")
	if !slices.Contains(PurposesFor(q.UnitKind), q.PurposeCategory) {
		fe.Add("purpose_category", "queries.purpose_category_required")
	}
	queryCheckText(&fe, "purpose", q.Purpose, MaxQueryTextRunes, "queries.purpose_required", "queries.too_long")
	if q.PurposeCategory == PurposeCase {
		// R15(a): a judicial organ queries for a specific case.
		queryCheckText(&fe, "case_number", q.CaseNumber, MaxQueryCaseNumRunes, "queries.case_number_required", "queries.too_long")
	} else if utf8.RuneCountInString(q.CaseNumber) > MaxQueryCaseNumRunes {
		fe.Add("case_number", "queries.too_long")
	}
	q.Requested.check(q.UnitKind, "", &fe)
	return fe.Err()
}

// QueryDecision is what the organ decides: approve a scope for a window, or
// refuse with a reason.
type QueryDecision struct {
	Approve bool
	Scope   QueryScope
	From    Date
	To      Date
	Reason  string
}

// Check validates a decision on q as of today, with the form fields scope,
// documents, window_from and window_to (approval) or refusal_reason. R16:
// the organ discloses only what the purpose needs, so an approval is never
// broader than what was asked, and is for a limited window that starts no
// earlier than the decision.
func (d QueryDecision) Check(q Query, today Date) error {
	var fe FieldErrors
	if !d.Approve {
		queryCheckText(&fe, "refusal_reason", d.Reason, MaxQueryTextRunes, "queries.refusal_reason_required", "queries.too_long")
		return fe.Err()
	}
	d.Scope.check(q.UnitKind, "", &fe)
	if _, bad := fe["scope"]; !bad && !q.Requested.Covers(d.Scope) {
		fe.Add("scope", "queries.scope_broader")
	}
	switch {
	case d.From.IsZero():
		fe.Add("window_from", "queries.window_from_required")
	case d.From.Before(today):
		fe.Add("window_from", "queries.window_from_past")
	}
	switch {
	case d.To.IsZero():
		fe.Add("window_to", "queries.window_to_required")
	case !d.From.IsZero() && d.To.Before(d.From):
		fe.Add("window_to", "queries.window_to_before")
	case !d.From.IsZero() && d.To.After(d.From.AddDays(MaxQueryWindowDays-1)):
		fe.Add("window_to", "queries.window_too_long")
	}
	return fe.Err()
}

// Overdue reports whether the decision is late on today.
func (q Query) Overdue(today Date) bool {
	return q.Status == QuerySubmitted && !q.Due.IsZero() && today.After(q.Due)
}

// InWindow reports whether today lies in the approved window, both ends
// included.
func (q Query) InWindow(today Date) bool {
	return !q.WindowFrom.IsZero() && !today.Before(q.WindowFrom) && !today.After(q.WindowTo)
}

// Why a read under a query is refused; each is recorded in the audit log as
// "query_refused:<id>:<why>".
const (
	ReadRefusedNotApproved = "not_approved"
	ReadRefusedUnsigned    = "unsigned"
	ReadRefusedWindow      = "outside_window"
	ReadRefusedScope       = "beyond_scope"
)

// ReadRefusal says why reading want under q on today is refused, "" when it
// is allowed: the query must be approved, the commitment signed (R16), today
// inside the window and want within the approved scope.
func (q Query) ReadRefusal(today Date, want QueryScope) string {
	switch {
	case q.Status == QueryApproved:
		return ReadRefusedUnsigned
	case q.Status != QuerySigned || q.Commitment == nil:
		return ReadRefusedNotApproved
	case !q.InWindow(today):
		return ReadRefusedWindow
	case !q.Approved.Covers(want):
		return ReadRefusedScope
	}
	return ""
}

// ReadRefusedError is the error a refused read returns; its key explains why.
func ReadRefusedError(why string) *Error {
	return Forbidden("queries.read_refused." + why)
}

// QueryCaseSummary is what a case-summary scope shows of one sealed case: the
// decision, never the person's name or address (R22).
type QueryCaseSummary struct {
	CaseID          uint64
	Ref             string
	DecidingOrganID uint64
	OrganCaseNumber string
	Disposition     Disposition
	DecisionDate    Date
	Penalty         *Penalty
	Acts            []QueryActSummary
}

// QueryDocument is a document a documents scope discloses.
type QueryDocument struct {
	CaseID   uint64
	CaseRef  string
	Document Document
}

// QueryResult is what a read under an approved query shows: never more than
// the approved scope. R14a: a unit the law allows to know (R15), whose query
// was approved, is told the truth: whether the person has a sealed record
// (SealedRecord), marked 含犯罪记录封存信息 and under the signed commitment;
// a judicial organ is also reminded of the limited legal effect of a
// juvenile record (JuvenileEffect: CL art. 65, no recidivism from crimes
// committed under 18; art. 100 para 2).
type QueryResult struct {
	Query          Query
	Scope          QueryScope
	SealedRecord   bool
	JuvenileEffect bool
	Cases          []QueryCaseSummary
	Documents      []QueryDocument
	ReadAt         time.Time
}

// QueryActSummary is one act of a sealed case as a query decision shows it:
// the date and, where the case records it, whether the crime was intentional
// or negligent (R32: some employment bans, e.g. Teachers Law art. 14, apply
// only to intentional crimes).
type QueryActSummary struct {
	Date   Date
	Main   bool
	Intent string
}

// QueryActs lists the acts of a sealed case for the organ's decision page and
// a summary result (R32): each act's own intent when recorded, otherwise the
// case's intent when it is intentional or negligent, otherwise "".
func QueryActs(c Case) []QueryActSummary {
	out := make([]QueryActSummary, 0, len(c.Acts))
	for _, a := range c.Acts {
		in := string(a.Intent)
		if in == "" && (c.Intent == IntentIntentional || c.Intent == IntentNegligent) {
			in = string(c.Intent)
		}
		out = append(out, QueryActSummary{Date: a.Date, Main: a.Main, Intent: in})
	}
	return out
}

// BuildQueryResult limits what the sealed cases of q say to the scope want,
// which the caller has checked against the approval (ReadRefusal). R14a: the
// answer is the truth about the sealed records the query found.
func BuildQueryResult(q Query, want QueryScope, cases []Case, at time.Time) QueryResult {
	r := QueryResult{Query: q, Scope: want, ReadAt: at, SealedRecord: len(cases) > 0}
	r.JuvenileEffect = r.SealedRecord && q.UnitKind == QueryUnitJudicial
	switch want.Kind {
	case ScopeSummary:
		for _, c := range cases {
			r.Cases = append(r.Cases, QueryCaseSummary{CaseID: c.ID, Ref: c.Ref, DecidingOrganID: c.DecidingOrganID,
				OrganCaseNumber: c.OrganCaseNumber, Disposition: c.Disposition, DecisionDate: c.DecisionDate, Penalty: c.Penalty,
				Acts: QueryActs(c)})
		}
	case ScopeDocuments:
		for _, c := range cases {
			for _, d := range c.Documents {
				if slices.Contains(want.Documents, d.Kind) {
					r.Documents = append(r.Documents, QueryDocument{CaseID: c.ID, CaseRef: c.Ref, Document: d})
				}
			}
		}
	}
	return r
}

// Released reports whether the unit may learn the query's answer on today:
// from the first day after the decision deadline, or as soon as an organ
// decided after it (R14a: until then every query looks the same).
func (q Query) Released(today Date) bool {
	return !q.Due.IsZero() && today.After(q.Due)
}

// AsOf is the query on today with the portal's own answer applied: a query
// that found no sealed record is approved by the portal, for the scope asked,
// once the decision deadline has passed, with a window starting the day after
// it (R14a: on the schedule of an organ's decision, so that its status and
// timing say nothing about a record).
func (q Query) AsOf(today Date) Query {
	if q.Status != QuerySubmitted || len(q.CaseIDs) != 0 || q.OrganID != 0 || !q.Released(today) {
		return q
	}
	from := q.Due.AddDays(1)
	at := time.Date(from.Year, time.Month(from.Month), from.Day, 0, 0, 0, 0, China)
	q.Status = QueryApproved
	q.Approved = QueryScope{Kind: q.Requested.Kind, Documents: slices.Clone(q.Requested.Documents)}
	q.WindowFrom, q.WindowTo = from, from.AddDays(SystemWindowDays-1)
	q.DecidedAt = at
	q.Events = append(slices.Clone(q.Events), QueryEvent{At: at, Action: QueryActionApprove, From: QuerySubmitted, To: QueryApproved})
	return q
}

// ForUnit is the query as the unit that sent it sees it on today (R14a):
// until the answer is released, exactly as it was sent — status submitted,
// the deadline, no decision, no window, never "overdue" — whether or not the
// person has a record and whenever the organ decided; afterwards, the
// decision.
func (q Query) ForUnit(today Date) Query {
	q = q.AsOf(today)
	if q.Status == QuerySubmitted || (q.Released(today) || q.decidedLate()) {
		return q
	}
	q.Status = QuerySubmitted
	q.Approved, q.WindowFrom, q.WindowTo, q.RefusalReason, q.DecidedAt = QueryScope{}, Date{}, Date{}, "", time.Time{}
	q.Commitment = nil
	if len(q.Events) > 1 {
		q.Events = q.Events[:1]
	}
	return q
}

// decidedLate reports whether an organ decided after the deadline: the unit
// has waited past it already, and learns the decision at once.
func (q Query) decidedLate() bool {
	return !q.DecidedAt.IsZero() && !q.Due.IsZero() && DateOf(q.DecidedAt).After(q.Due)
}

// IsSealedRecord reports whether a case is a sealed record a query can find
// (CaseStatus.RecordSealed: sealing decided, and nothing has unsealed it; a
// record under the legal review of an unsealing event is still sealed, R18).
func IsSealedRecord(c Case) bool { return c.Status.RecordSealed() }

// QueryReferencePrefix is the prefix of query reference numbers.
const QueryReferencePrefix = "CX"

// QueryReference formats a query's reference, e.g. CX-2026-000001.
func QueryReference(year int, seq uint64) string {
	return fmt.Sprintf("%s-%d-%06d", QueryReferencePrefix, year, seq)
}

// Audit actions of queries. Reads under a query are AuditSealedRead (the case
// itself) or AuditDocumentRead with the detail "query:<id>:<purpose>"; a
// refused attempt is AuditQueryReadRefused with "query_refused:<id>:<why>".
const (
	AuditQuerySubmitted   AuditAction = "query_submitted"
	AuditQueryDecided     AuditAction = "query_decided"
	AuditQueryCommitment  AuditAction = "query_commitment"
	AuditQueryReadRefused AuditAction = "query_read_refused"
)

// QueryReadDetail is the audit detail of a read under q.
func QueryReadDetail(q Query) string {
	return fmt.Sprintf("query:%d:%s", q.ID, q.PurposeCategory)
}

// QueryRefusedDetail is the audit detail of a refused read under q.
func QueryRefusedDetail(q Query, why string) string {
	return fmt.Sprintf("query_refused:%d:%s", q.ID, why)
}

// ParseQueryAuditDetail reads the query id back from an audit detail written
// by QueryReadDetail or QueryRefusedDetail (with any suffix, e.g. a
// document), and what follows it: the purpose or the reason of a refusal.
func ParseQueryAuditDetail(detail string) (id uint64, rest string, refused, ok bool) {
	var head string
	switch {
	case strings.HasPrefix(detail, "query:"):
		head = strings.TrimPrefix(detail, "query:")
	case strings.HasPrefix(detail, "query_refused:"):
		head, refused = strings.TrimPrefix(detail, "query_refused:"), true
	default:
		return 0, "", false, false
	}
	parts := strings.SplitN(head, ":", 3)
	if len(parts) < 2 {
		return 0, "", false, false
	}
	id, err := strconv.ParseUint(parts[0], 10, 64)
	if err != nil || id == 0 {
		return 0, "", false, false
	}
	return id, parts[1], refused, true
}
