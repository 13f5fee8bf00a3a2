package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Queries of sealed records by querying units (R14–R17). The whole query
// (the person's identity number, the stated reason and purpose, the signed
// commitment) is one AES-GCM ciphertext bound to its id; the lists read
// indexes without personal data:
//
//	queries               id -> {body: encrypted JSON of portal.Query}
//	queries_by_unit       unit account id | query id -> ""           (the unit's list)
//	queries_by_organ      organ id | due (4 bytes; 99999999 once decided) | query id -> queryQueueEntry
//	meta / query_reference_seq  the last CX-YYYY-nnnnnn number given
//
// Migration 7 creates these buckets; write transactions here still create
// them if missing and reads treat a missing bucket as empty, so the code
// does not depend on the order in which areas were added.

var (
	bucketQueries        = []byte("queries")
	bucketQueriesByUnit  = []byte("queries_by_unit")
	bucketQueriesByOrgan = []byte("queries_by_organ")
	keyQueryRefSeq       = []byte("query_reference_seq")
)

const (
	kindQuery        = "query"
	notifyQueryRead  = "queries.notify_access"
	notifyQueryRefus = "queries.notify_refused"
)

// queryBody is the stored form of portal.Query.
type queryBody portal.Query

// queryFiles is the tracked-file shape of queries (trackedfile.go): the
// account index is the querying unit's.
var queryFiles = newFileKind(fileKind[portal.Query, queryBody]{kind: kindQuery, records: bucketQueries,
	byAccount: bucketQueriesByUnit,
	toBody:    func(q portal.Query) queryBody { return queryBody(q) },
	fromBody:  func(b queryBody) portal.Query { return portal.Query(b) }})

// queryQueueEntry is what an organ's queue shows without opening the query:
// no personal data (the unit's name is a public organisation's name).
type queryQueueEntry struct {
	Ref       string             `json:"ref"`
	Status    portal.QueryStatus `json:"status"`
	Due       string             `json:"due,omitempty"`
	UnitName  string             `json:"unit"`
	UnitKind  string             `json:"unit_kind"`
	Submitted time.Time          `json:"submitted"`
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published".
	AwaitsCalendar bool `json:"awaits_calendar,omitempty"`
}

// queryBuckets creates the query buckets inside a write transaction.
func queryBuckets(tx kv.Tx) error {
	for _, b := range [][]byte{bucketQueries, bucketQueriesByUnit, bucketQueriesByOrgan} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return fmt.Errorf("store: query buckets: %w", err)
		}
	}
	return nil
}

func (db *DB) getQuery(tx kv.Tx, id uint64) (portal.Query, error) {
	return queryFiles.get(db, tx, id)
}

// queryQueueKey sorts undecided queries by deadline and decided ones last.
func queryQueueKey(q portal.Query) []byte {
	due, awaits := q.Due, q.DueAwaitsCalendar
	if q.Status != portal.QuerySubmitted {
		due, awaits = portal.Date{}, false
	}
	k := append(itob(q.OrganID), dueKeyOf(due, awaits)...)
	return append(k, itob(q.ID)...)
}

// putQuery writes a query and moves its queue row from old (zero for a new
// one) to q. Buckets exist (queryBuckets was called).
func (db *DB) putQuery(tx kv.Tx, old, q portal.Query) error {
	if err := queryFiles.put(db, tx, q.ID, q); err != nil {
		return err
	}
	if err := putStatistics(tx, q); err != nil { // issue 17 (statistics.go)
		return err
	}
	if old.ID == 0 {
		if err := tx.Bucket(bucketQueriesByUnit).Put(append(itob(q.UnitID), itob(q.ID)...), nil); err != nil {
			return err
		}
	}
	if q.OrganID == 0 {
		return nil // answered by the portal itself: no organ's business
	}
	queue := tx.Bucket(bucketQueriesByOrgan)
	if old.ID != 0 && old.OrganID != 0 {
		if err := queue.Delete(queryQueueKey(old)); err != nil {
			return err
		}
	}
	e := queryQueueEntry{Ref: q.Ref, Status: q.Status, UnitName: q.UnitName, UnitKind: string(q.UnitKind), Submitted: q.SubmittedAt}
	if !q.Due.IsZero() && q.Status == portal.QuerySubmitted {
		e.Due = q.Due.String() // a decided query owes nothing more
	}
	e.AwaitsCalendar = q.DueAwaitsCalendar && q.Status == portal.QuerySubmitted
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return queue.Put(queryQueueKey(q), v)
}

// casesOfPerson finds every case about a person by the identity number's
// blind index (never a scan of all cases), in case id order.
func (db *DB) casesOfPerson(tx kv.Tx, idNumber string) ([]portal.Case, error) {
	ids := idsUnder(tx.Bucket(bucketCasesByPerson), db.crypt.blindLookup("idnumber", idNumber))
	out := make([]portal.Case, 0, len(ids))
	for _, id := range ids {
		c, err := db.getCase(tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// sealedCasesOf finds the sealed records of a person by a mainland identity
// number.
func (db *DB) sealedCasesOf(tx kv.Tx, idNumber string) ([]portal.Case, error) {
	return db.sealedCasesByKey(tx, db.crypt.blindLookup("idnumber", idNumber))
}

// sealedCasesByKey finds the sealed records of a person by the keyed hash of
// an identity document (portal.IdentityDocument.IndexKey, R31), under each
// lookup blind key (blindkeys.go).
func (db *DB) sealedCasesByKey(tx kv.Tx, prefixes [][]byte) ([]portal.Case, error) {
	var all []portal.Case
	for _, id := range idsUnder(tx.Bucket(bucketCasesByPerson), prefixes) {
		c, err := db.getCase(tx, id)
		if err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	var out []portal.Case
	for _, c := range all {
		if portal.IsSealedRecord(c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// CreateQuery stores a query a querying unit submits, in one transaction: the
// query is validated (R15, R16), the person's sealed records are found by the
// identity number's blind index, the query goes to the queue of the organ
// that sealed the record (the deciding organ of the first sealed case; only
// that organ's cases are covered) with the decision deadline of the policy
// table, and it is audited. When the portal holds no sealed record for the
// person no organ is asked: the query waits like every other and the portal
// approves it at the deadline (portal.Query.AsOf), so that nothing in its
// status or timing tells the unit whether a record exists (R14a).
func (db *DB) CreateQuery(q portal.Query, unit portal.Account, cal *portal.Calendar, requestID string) (portal.Query, error) {
	err := db.update(func(tx kv.Tx) error {
		// R15: a querying unit, or an official of a judicial organ from
		// their own account (portal.Account.QueryingAs).
		kind, name, ok := unit.QueryingAs()
		if !ok {
			return portal.Forbidden("queries.unit_kind_missing")
		}
		today := portal.DateOf(db.now())
		now := db.now().UTC()
		q.UnitID, q.UnitName, q.UnitKind = unit.ID, name, kind
		q.Status, q.OrganID, q.CaseIDs, q.Events, q.Commitment = "", 0, nil, nil, nil
		q.Approved, q.WindowFrom, q.WindowTo, q.RefusalReason, q.DecidedAt = portal.QueryScope{}, portal.Date{}, portal.Date{}, "", time.Time{}
		if err := q.Validate(today); err != nil {
			return err
		}
		to, err := portal.NextQuery("", portal.QueryActionSubmit, portal.QueryActorUnit)
		if err != nil {
			return err
		}
		if err := queryBuckets(tx); err != nil {
			return err
		}
		// R31: the person is found by the keyed index of the identity
		// document (a mainland number in the existing "idnumber" index).
		doc, err := q.PersonDocument()
		if err != nil {
			return err
		}
		q.PersonIDNumber, q.PersonDocCountry = doc.Number, doc.Country
		if doc.IsResidentID() {
			q.PersonDocType = ""
		}
		domain, value := doc.IndexKey()
		sealed, err := db.sealedCasesByKey(tx, db.crypt.blindLookup(domain, value))
		if err != nil {
			return err
		}
		if len(sealed) > 0 {
			q.OrganID = sealed[0].DecidingOrganID
			for _, c := range sealed {
				if c.DecidingOrganID == q.OrganID {
					q.CaseIDs = append(q.CaseIDs, c.ID)
				}
			}
		}
		id, err := tx.Bucket(bucketQueries).NextSequence()
		if err != nil {
			return err
		}
		seq, err := nextQueryRef(tx)
		if err != nil {
			return err
		}
		q.ID, q.Ref, q.Status, q.SubmittedAt = id, portal.QueryReference(today.Year, seq), to, now
		if err := db.rememberSubmission(tx, SubmissionQuery, id); err != nil { // idempotency.go
			return err
		}
		// A year without its official calendar leaves the deadline to be
		// set then, whether or not a record was found (R14a): a query that
		// found none is approved by the portal at that deadline once known.
		if q.Due, q.DueAwaitsCalendar, err = dueOrAwait(tx, cal, kindQuery, q.ID, today, portal.Policy.QueryDecision); err != nil {
			return err
		}
		q.Events = []portal.QueryEvent{{At: now, ActorID: unit.ID, ActorRole: unit.Role, Action: portal.QueryActionSubmit, To: to}}
		if err := db.putQuery(tx, portal.Query{}, q); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditQuerySubmitted, ActorID: unit.ID, ActorRole: unit.Role,
			SubjectKind: kindQuery, SubjectID: q.ID, Detail: string(q.PurposeCategory), RequestID: requestID})
	})
	if err != nil {
		return portal.Query{}, err
	}
	return q, nil
}

func nextQueryRef(tx kv.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(keyQueryRefSeq); len(v) == 8 {
		n = btoi(v)
	}
	n++
	return n, meta.Put(keyQueryRefSeq, itob(n))
}

// Query returns a query without any access check: handlers decide who may
// see it (the unit that sent it, the organ it is addressed to). It carries no
// sealed record's contents, only the ids of the cases found.
func (db *DB) Query(id uint64) (portal.Query, error) {
	var q portal.Query
	err := db.view(func(tx kv.Tx) error {
		var err error
		q, err = db.getQuery(tx, id)
		return err
	})
	return q, err
}

// QueriesOfUnit lists a unit's queries, newest first, through its index.
func (db *DB) QueriesOfUnit(unit uint64) ([]portal.Query, error) {
	var out []portal.Query
	err := db.view(func(tx kv.Tx) (err error) {
		out, err = queryFiles.ofAccount(db, tx, unit)
		return err
	})
	return out, err
}

// QueryQueueRow is one row of an organ's query queue.
type QueryQueueRow struct {
	QueryID   uint64
	Ref       string
	Status    portal.QueryStatus
	Due       portal.Date
	UnitName  string
	UnitKind  portal.QueryUnitKind
	Submitted time.Time
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published" (such rows come after every dated one).
	AwaitsCalendar bool
}

// OrganQueries lists the queries addressed to an organ: undecided ones by
// deadline, nearest (and so overdue) first, then the decided ones, read from
// the organ's index.
func (db *DB) OrganQueries(organ uint64) ([]QueryQueueRow, error) {
	var out []QueryQueueRow
	err := db.view(func(tx kv.Tx) error {
		idx := tx.Bucket(bucketQueriesByOrgan)
		if idx == nil || organ == 0 {
			return nil
		}
		prefix := itob(organ)
		cur := idx.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var e queryQueueEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("store: decode query queue row: %w", err)
			}
			row := QueryQueueRow{QueryID: btoi(k[12:]), Ref: e.Ref, Status: e.Status, UnitName: e.UnitName,
				UnitKind: portal.QueryUnitKind(e.UnitKind), Submitted: e.Submitted, AwaitsCalendar: e.AwaitsCalendar}
			if d, ok := portal.ParseDate(e.Due); ok {
				row.Due = d
			}
			out = append(out, row)
		}
		return nil
	})
	return out, err
}

// CaseRefs returns the reference numbers of cases by id, for the organ's
// query page: the references only, never the cases' contents.
func (db *DB) CaseRefs(ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	err := db.view(func(tx kv.Tx) error {
		for _, id := range ids {
			c, err := db.getCase(tx, id)
			if err != nil {
				return err
			}
			out[id] = c.Ref
		}
		return nil
	})
	return out, err
}

// DecideQuery records the sealing organ's decision on a query in one
// transaction. Only staff of the organ the query is addressed to may decide;
// anyone else gets the same not-found as for a query that does not exist.
func (db *DB) DecideQuery(id uint64, d portal.QueryDecision, staff portal.Account, requestID string) (portal.Query, error) {
	var q portal.Query
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getQuery(tx, id)
		if err != nil {
			return err
		}
		if !staff.Role.IsOrgan() || staff.OrganID == 0 || old.OrganID != staff.OrganID {
			return portal.NotFound()
		}
		// An official who filed a query (R15(a)) never decides it: another
		// official of the organ holding the record does.
		if old.UnitID == staff.ID {
			return portal.Forbidden("queries.own_query")
		}
		action := portal.QueryActionRefuse
		if d.Approve {
			action = portal.QueryActionApprove
		}
		to, err := portal.NextQuery(old.Status, action, portal.QueryActorOrgan)
		if err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		if err := d.Check(old, today); err != nil {
			return err
		}
		now := db.now().UTC()
		q = old
		q.Events = slices.Clone(old.Events)
		q.Status, q.DecidedAt = to, now
		note := ""
		if d.Approve {
			q.Approved = portal.QueryScope{Kind: d.Scope.Kind}
			if d.Scope.Kind == portal.ScopeDocuments {
				q.Approved.Documents = slices.Clone(d.Scope.Documents)
			}
			q.WindowFrom, q.WindowTo = d.From, d.To
		} else {
			q.RefusalReason = d.Reason
			note = d.Reason
		}
		q.Events = append(q.Events, portal.QueryEvent{At: now, ActorID: staff.ID, ActorRole: staff.Role, Action: action,
			From: old.Status, To: to, Note: note})
		if err := queryBuckets(tx); err != nil {
			return err
		}
		if err := db.putQuery(tx, old, q); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditQueryDecided, ActorID: staff.ID, ActorRole: staff.Role,
			SubjectKind: kindQuery, SubjectID: id, Detail: string(action), RequestID: requestID})
	})
	return q, err
}

// SignCommitment archives the unit's signed confidentiality commitment with
// the query (R16). Only the unit that sent the query signs it.
func (db *DB) SignCommitment(id uint64, cm portal.Commitment, unit portal.Account, requestID string) (portal.Query, error) {
	var q portal.Query
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getQuery(tx, id)
		if err != nil {
			return err
		}
		if old.UnitID != unit.ID {
			return portal.NotFound()
		}
		// R14a: the unit acts on what it may see; before the answer is
		// released the query is "submitted" and there is nothing to sign.
		seen := old.ForUnit(portal.DateOf(db.now()))
		to, err := portal.NextQuery(seen.Status, portal.QueryActionSign, portal.QueryActorUnit)
		if err != nil {
			return err
		}
		if err := cm.Validate(); err != nil {
			return err
		}
		now := db.now().UTC()
		cm.SignedAt = now
		q = seen
		q.Events = slices.Clone(seen.Events)
		q.Commitment = &cm
		q.Status = to
		q.Events = append(q.Events, portal.QueryEvent{At: now, ActorID: unit.ID, ActorRole: unit.Role, Action: portal.QueryActionSign,
			From: seen.Status, To: to})
		if err := queryBuckets(tx); err != nil {
			return err
		}
		if err := db.putQuery(tx, old, q); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditQueryCommitment, ActorID: unit.ID, ActorRole: unit.Role,
			SubjectKind: kindQuery, SubjectID: id, RequestID: requestID})
	})
	return q, err
}

// ReadQuery is a unit's read of the result of its query, in one transaction
// with its audit entries (R16, R17): one AuditSealedRead per sealed case read,
// detail "query:<id>:<purpose>", and a notification to every account linked
// to the case. A read that is not allowed — before the commitment is signed,
// outside the window, or beyond the approved scope — is refused, and the
// refusal is audited and notified just the same (committed, then returned as
// a forbidden error whose key says why). Only the unit that sent the query
// may read it; anyone else gets not-found.
func (db *DB) ReadQuery(id uint64, want portal.QueryScope, reader portal.Account, proof portal.FreshFactor, requestID string) (portal.QueryResult, error) {
	var res portal.QueryResult
	var refused string
	if err := proof.Check(reader, db.now()); err != nil {
		return res, err
	}
	err := db.update(func(tx kv.Tx) error {
		q, err := db.getQuery(tx, id)
		if err != nil {
			return err
		}
		if q.UnitID != reader.ID {
			return portal.NotFound()
		}
		today := portal.DateOf(db.now())
		// R14a: the unit's reads answer from what it may see: before the
		// answer is released every query is "submitted".
		q = q.ForUnit(today)
		if !want.Kind.Valid() {
			want = q.Approved
		}
		cases := make([]portal.Case, 0, len(q.CaseIDs))
		for _, cid := range q.CaseIDs {
			c, err := db.getCase(tx, cid)
			if err != nil {
				return err
			}
			cases = append(cases, c)
		}
		if refused = q.ReadRefusal(today, want); refused != "" {
			return db.auditQueryAccess(tx, q, cases, reader, portal.AuditQueryReadRefused, portal.QueryRefusedDetail(q, refused), notifyQueryRefus, requestID)
		}
		// R14a: the approved lawful querier is told the truth about the
		// sealed records the query found.
		res = portal.BuildQueryResult(q, want, cases, db.now().UTC())
		return db.auditQueryAccess(tx, q, cases, reader, portal.AuditSealedRead, portal.QueryReadDetail(q), notifyQueryRead, requestID)
	})
	if err != nil {
		return portal.QueryResult{}, err
	}
	if refused != "" {
		return portal.QueryResult{}, portal.ReadRefusedError(refused)
	}
	return res, nil
}

// QueryDocumentContent is a unit's download of one document under a
// documents scope: allowed only when a read of that document's kind is
// (ReadRefusal), and audited like every read, AuditDocumentRead with detail
// "query:<id>:<purpose>:document:<doc>", or refused and audited. A document
// that is not in one of the query's sealed cases is not found.
func (db *DB) QueryDocumentContent(id, docID uint64, reader portal.Account, proof portal.FreshFactor, requestID string) (portal.Document, []byte, error) {
	if err := proof.Check(reader, db.now()); err != nil {
		return portal.Document{}, nil, err
	}
	var (
		doc     portal.Document
		src     docSource
		refused string
	)
	err := db.update(func(tx kv.Tx) error {
		q, err := db.getQuery(tx, id)
		if err != nil {
			return err
		}
		if q.UnitID != reader.ID {
			return portal.NotFound()
		}
		var owner portal.Case
		found := false
		for _, cid := range q.CaseIDs {
			c, err := db.getCase(tx, cid)
			if err != nil {
				return err
			}
			if d, ok := c.Document(docID); ok && d.Kind != portal.DocMessageAttachent {
				owner, doc, found = c, d, true
				break
			}
		}
		if !found {
			return portal.NotFound()
		}
		want := portal.QueryScope{Kind: portal.ScopeDocuments, Documents: []portal.DocumentKind{doc.Kind}}
		today := portal.DateOf(db.now())
		q = q.ForUnit(today)
		cases := []portal.Case{owner}
		if refused = q.ReadRefusal(today, want); refused != "" {
			return db.auditQueryAccess(tx, q, cases, reader, portal.AuditQueryReadRefused,
				fmt.Sprintf("%s:document:%d", portal.QueryRefusedDetail(q, refused), docID), notifyQueryRefus, requestID)
		}
		if src, err = caseFiles.documentSource(db, tx, owner.ID, docID); err != nil {
			return err
		}
		return db.auditQueryAccess(tx, q, cases, reader, portal.AuditDocumentRead,
			fmt.Sprintf("%s:document:%d", portal.QueryReadDetail(q), docID), notifyQueryRead, requestID)
	})
	if err != nil {
		return portal.Document{}, nil, err
	}
	if refused != "" {
		return portal.Document{}, nil, portal.ReadRefusedError(refused)
	}
	content, err := db.loadDocument(src) // after the transaction: the object store may be remote
	if err != nil {
		return portal.Document{}, nil, err
	}
	return doc, content, nil
}

// auditQueryAccess writes one audit entry per sealed case (subject "case", so
// that the person sees it in "who looked at my record") and notifies every
// account linked to the case. A query that found no sealed case is audited
// on the query itself.
func (db *DB) auditQueryAccess(tx kv.Tx, q portal.Query, cases []portal.Case, reader portal.Account,
	action portal.AuditAction, detail, notifyKey, requestID string) error {
	if len(cases) == 0 {
		return db.appendAudit(tx, portal.AuditEvent{Action: action, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: kindQuery, SubjectID: q.ID, Detail: detail, RequestID: requestID})
	}
	for _, c := range cases {
		if err := db.appendAudit(tx, portal.AuditEvent{Action: action, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: kindCase, SubjectID: c.ID, Detail: detail, RequestID: requestID}); err != nil {
			return err
		}
		if err := db.notifyCase(tx, c, notifyKey, reader.ID); err != nil {
			return err
		}
	}
	return nil
}

// QueryDecisionCases gives the organ deciding a query the reference and the
// acts of each sealed case found (R32: each act's date and intent, since some
// employment bans apply only to intentional crimes), read in one transaction
// with one AuditSealedRead per case, detail "query_decision:<id>" (R17).
// Only staff of the organ the query is addressed to; anyone else not-found.
func (db *DB) QueryDecisionCases(id uint64, staff portal.Account, requestID string) (map[uint64]string, map[uint64][]portal.QueryActSummary, error) {
	refs := map[uint64]string{}
	acts := map[uint64][]portal.QueryActSummary{}
	err := db.update(func(tx kv.Tx) error {
		q, err := db.getQuery(tx, id)
		if err != nil {
			return err
		}
		if !staff.Role.IsOrgan() || staff.OrganID == 0 || q.OrganID != staff.OrganID {
			return portal.NotFound()
		}
		for _, cid := range q.CaseIDs {
			c, err := db.getCase(tx, cid)
			if err != nil {
				return err
			}
			refs[cid], acts[cid] = c.Ref, portal.QueryActs(c)
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSealedRead, ActorID: staff.ID, ActorRole: staff.Role,
				SubjectKind: kindCase, SubjectID: cid, Detail: fmt.Sprintf("query_decision:%d", q.ID), RequestID: requestID}); err != nil {
				return err
			}
		}
		return nil
	})
	return refs, acts, err
}
