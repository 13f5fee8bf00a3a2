package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Supervision on the procuratorate's own initiative (R24, R25, R33): the
// supervisor's opinions to organs, the audit log read by account for a leak
// investigation, and the lists and cross-links the supervisor works from.
//
//	opinions            itob(id) -> {body: encrypted JSON of a portal.Opinion}
//	opinions_by_organ   itob(organ) | itob(id) -> ""
//	opinions_by_due     answered (1 byte) | due (4 bytes) | itob(id) -> {number, kind, organ, issued}
//	opinions_by_case    itob(case) | itob(id) -> ""
//	opinions_by_leak    itob(leak) | itob(id) -> ""
//	audit_by_actor      itob(actor account) | itob(audit index) -> ""
//	leaks_by_case       itob(case) | itob(leak) -> ""   (the cases about a leak report's person)

var (
	bucketOpinions        = []byte("opinions")
	bucketOpinionsByOrgan = []byte("opinions_by_organ")
	bucketOpinionsByDue   = []byte("opinions_by_due")
	bucketOpinionsByCase  = []byte("opinions_by_case")
	bucketOpinionsByLeak  = []byte("opinions_by_leak")
	bucketAuditByActor    = []byte("audit_by_actor")
	bucketLeaksByCase     = []byte("leaks_by_case")
)

const kindOpinion = "opinion"

// The audit actions of supervision.
const (
	AuditOpinionIssued   portal.AuditAction = "opinion_issued"
	AuditOpinionAnswered portal.AuditAction = "opinion_answered"
	// AuditInvestigationRead is the supervisor's read of the audit log for a
	// leak investigation: that read is itself on the record (R17, R25).
	AuditInvestigationRead portal.AuditAction = "investigation_read"
)

// migrationOversightName names the migration that creates the supervision
// buckets and indexes every earlier audit entry by its actor. Tests find it
// by name (the integrator renumbers migrations).
const migrationOversightName = "supervision opinions; audit entries by actor (earlier entries indexed); leaks by case"

func oversightBuckets() [][]byte {
	return [][]byte{bucketOpinions, bucketOpinionsByOrgan, bucketOpinionsByDue, bucketOpinionsByCase,
		bucketOpinionsByLeak, bucketAuditByActor, bucketLeaksByCase}
}

// migrateOversight creates the buckets and indexes the existing audit log by
// actor, so that "every read by this account" is an index read from the first
// entry on.
func migrateOversight(tx kv.Tx) error {
	for _, b := range oversightBuckets() {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	idx := tx.Bucket(bucketAuditByActor)
	entries := tx.Bucket(bucketAuditEntries)
	if entries == nil {
		return nil
	}
	return entries.ForEach(func(k, v []byte) error {
		var r auditRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("audit entry %d: %w", btoi(k), err)
		}
		if r.ActorID == 0 {
			return nil
		}
		return idx.Put(append(itob(r.ActorID), k...), nil)
	})
}

// indexAuditActor records an appended entry under its actor (appendAudit).
func indexAuditActor(tx kv.Tx, actor, seq uint64) error {
	if actor == 0 {
		return nil
	}
	b := tx.Bucket(bucketAuditByActor)
	if b == nil {
		return nil // before the migration, which indexes what exists
	}
	return b.Put(append(itob(actor), itob(seq)...), nil)
}

// opinionDueEntry is what the supervisor's list of opinions shows without
// opening one: no personal data.
type opinionDueEntry struct {
	Number string             `json:"number"`
	Kind   portal.OpinionKind `json:"kind"`
	Organ  uint64             `json:"organ"`
	Issued time.Time          `json:"issued"`
	Cases  int                `json:"cases"`
}

func opinionDueKey(o portal.Opinion) []byte {
	k := make([]byte, 0, 13)
	if o.Answered() {
		k = append(k, 1)
	} else {
		k = append(k, 0)
	}
	k = append(k, dueKey(o.Due)...)
	return append(k, itob(o.ID)...)
}

func (db *DB) putOpinion(tx kv.Tx, old, o portal.Opinion) error {
	raw, err := db.crypt.sealJSON(kindOpinion, o.ID, "body", o)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketOpinions).Put(itob(o.ID), raw); err != nil {
		return err
	}
	if old.ID != 0 {
		if err := tx.Bucket(bucketOpinionsByDue).Delete(opinionDueKey(old)); err != nil {
			return err
		}
	}
	e, err := json.Marshal(opinionDueEntry{Number: o.Number, Kind: o.Kind, Organ: o.OrganID, Issued: o.IssuedAt, Cases: len(o.CaseIDs)})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketOpinionsByDue).Put(opinionDueKey(o), e)
}

func (db *DB) getOpinion(tx kv.Tx, id uint64) (portal.Opinion, error) {
	b := tx.Bucket(bucketOpinions)
	if b == nil {
		return portal.Opinion{}, portal.NotFound()
	}
	v := b.Get(itob(id))
	if v == nil {
		return portal.Opinion{}, portal.NotFound()
	}
	var o portal.Opinion
	if err := db.crypt.openJSON(kindOpinion, id, "body", v, &o); err != nil {
		return portal.Opinion{}, err
	}
	return o, nil
}

// organIsSealing reports whether id is one of the four sealing organs.
func organIsSealing(tx kv.Tx, id uint64) bool {
	v := tx.Bucket(bucketOrgans).Get(itob(id))
	if v == nil {
		return false
	}
	var r organRecord
	return json.Unmarshal(v, &r) == nil && r.Kind.IsOrgan()
}

// organDutyOn reports whether an organ has a duty on the case: it decides it
// or holds records of it (R12). An opinion goes only to such an organ.
func organDutyOn(c portal.Case, organ uint64) bool {
	return organ != 0 && (c.DecidingOrganID == organ || c.Holds(organ))
}

// IssueOpinion issues a supervision opinion to an organ, in one transaction
// with its indexes and the audit entry (R24, R33). The cases it covers must be
// cases the organ has a duty on; their references are taken from the cases.
// latest bounds the reply date (portal.OpinionLatestDue) and known says
// whether a cited article is in the citation table.
func (db *DB) IssueOpinion(o portal.Opinion, supervisor portal.Account, latest portal.Date, known func(string) bool, requestID string) (portal.Opinion, error) {
	if supervisor.Role != portal.RoleSupervisor {
		return o, portal.Forbidden("error.forbidden")
	}
	err := db.update(func(tx kv.Tx) error {
		now := db.now()
		today := portal.DateOf(now)
		o.CaseRefs = make([]string, len(o.CaseIDs))
		if !organIsSealing(tx, o.OrganID) {
			o.OrganID = 0 // reported by Validate as a field error
		}
		seen := map[uint64]bool{}
		var fe portal.FieldErrors
		for i, id := range o.CaseIDs {
			c, err := db.getCase(tx, id)
			if err != nil || c.Status == portal.StatusDraft || seen[id] {
				fe.Add("cases", "oversight.cases_invalid")
				continue
			}
			seen[id] = true
			if !organDutyOn(c, o.OrganID) {
				fe.Add("cases", "oversight.case_not_organ")
			}
			o.CaseRefs[i] = c.Ref
		}
		if o.Subject == portal.OpinionOnLeak {
			r, err := db.getLeak(tx, o.LeakID)
			if err != nil || r.Status == portal.LeakDraft {
				return portal.NotFound()
			}
			o.LeakRef = r.Ref
		}
		o.Facts, o.Request = strings.TrimSpace(o.Facts), strings.TrimSpace(o.Request)
		if err := o.Validate(today, latest, known); err != nil {
			if e, ok := portal.AsError(err); ok && e.Fields != nil {
				for f, k := range fe {
					if _, ok := e.Fields[f]; !ok {
						e.Fields[f] = k
					}
				}
			}
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, err := tx.Bucket(bucketOpinions).NextSequence()
		if err != nil {
			return err
		}
		o.ID, o.IssuedBy, o.IssuedAt = id, supervisor.ID, now.UTC()
		o.Number = portal.OpinionNumber(o.Kind, now.In(portal.China).Year(), id)
		o.Answer, o.AnsweredBy, o.AnsweredAt = "", 0, time.Time{}
		if err := db.putOpinion(tx, portal.Opinion{}, o); err != nil {
			return err
		}
		if err := tx.Bucket(bucketOpinionsByOrgan).Put(append(itob(o.OrganID), itob(id)...), nil); err != nil {
			return err
		}
		for _, c := range o.CaseIDs {
			if err := tx.Bucket(bucketOpinionsByCase).Put(append(itob(c), itob(id)...), nil); err != nil {
				return err
			}
		}
		if o.LeakID != 0 {
			if err := tx.Bucket(bucketOpinionsByLeak).Put(append(itob(o.LeakID), itob(id)...), nil); err != nil {
				return err
			}
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: AuditOpinionIssued, ActorID: supervisor.ID, ActorRole: supervisor.Role,
			SubjectKind: kindOpinion, SubjectID: id, Detail: fmt.Sprintf("%s:organ:%d:cases:%d", o.Kind, o.OrganID, len(o.CaseIDs)), RequestID: requestID})
	})
	return o, err
}

// Opinion returns one opinion without any access check (the handlers check
// the organ).
func (db *DB) Opinion(id uint64) (portal.Opinion, error) {
	var o portal.Opinion
	err := db.view(func(tx kv.Tx) error {
		var err error
		o, err = db.getOpinion(tx, id)
		return err
	})
	return o, err
}

// opinionsUnder reads the opinions listed under a prefix of an index.
func (db *DB) opinionsUnder(bucket, prefix []byte) ([]portal.Opinion, error) {
	var out []portal.Opinion
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		cur := b.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			o, err := db.getOpinion(tx, btoi(k[len(prefix):]))
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	// Open ones first, by reply date; then answered ones, newest first.
	slices.SortStableFunc(out, func(a, b portal.Opinion) int {
		switch {
		case a.Answered() != b.Answered():
			if a.Answered() {
				return 1
			}
			return -1
		case !a.Answered():
			return a.Due.Time().Compare(b.Due.Time())
		}
		return b.AnsweredAt.Compare(a.AnsweredAt)
	})
	return out, err
}

// OpinionsOfOrgan lists the opinions issued to an organ: open ones first by
// reply date, then answered ones.
func (db *DB) OpinionsOfOrgan(organ uint64) ([]portal.Opinion, error) {
	if organ == 0 {
		return nil, nil
	}
	return db.opinionsUnder(bucketOpinionsByOrgan, itob(organ))
}

// OpinionsOfCase lists the opinions that cover a case.
func (db *DB) OpinionsOfCase(caseID uint64) ([]portal.Opinion, error) {
	return db.opinionsUnder(bucketOpinionsByCase, itob(caseID))
}

// OpinionsOfLeak lists the opinions issued from a leak report.
func (db *DB) OpinionsOfLeak(leakID uint64) ([]portal.Opinion, error) {
	return db.opinionsUnder(bucketOpinionsByLeak, itob(leakID))
}

// OpinionFilter narrows the supervisor's list of opinions.
type OpinionFilter struct {
	State  string // "" every one, "open", "overdue", "answered"
	Offset int
	Limit  int // default 50, at most 200
}

// OpinionRow is one row of the supervisor's list, read from the due index.
type OpinionRow struct {
	ID       uint64
	Number   string
	Kind     portal.OpinionKind
	Organ    uint64
	Issued   time.Time
	Due      portal.Date
	Cases    int
	Answered bool
}

// OpinionQueue lists opinions from the due index: open ones by reply date
// (overdue first), then answered ones, never opening an opinion.
func (db *DB) OpinionQueue(f OpinionFilter) (rows []OpinionRow, total int, err error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	today := portal.DateOf(db.now())
	err = db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketOpinionsByDue)
		if b == nil {
			return nil
		}
		cur := b.Cursor()
		k, v := cur.First()
		if f.State == "answered" {
			k, v = cur.Seek([]byte{1})
		}
		for ; k != nil; k, v = cur.Next() {
			answered := k[0] == 1
			due := dateFromKey(k[1:5])
			if (f.State == "open" || f.State == "overdue") && answered {
				break
			}
			if f.State == "overdue" && !today.After(due) {
				break // keys are in reply-date order
			}
			total++
			if total <= f.Offset || len(rows) >= f.Limit {
				continue
			}
			var e opinionDueEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			rows = append(rows, OpinionRow{ID: btoi(k[5:]), Number: e.Number, Kind: e.Kind, Organ: e.Organ, Issued: e.Issued,
				Due: due, Cases: e.Cases, Answered: answered})
		}
		return nil
	})
	return rows, total, err
}

// AnswerOpinion records the organ's written reply to an opinion issued to it;
// an opinion of another organ answers 404, like one that does not exist.
func (db *DB) AnswerOpinion(id uint64, official portal.Account, answer, requestID string) (portal.Opinion, error) {
	var o portal.Opinion
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getOpinion(tx, id)
		if err != nil {
			return err
		}
		if official.OrganID == 0 || old.OrganID != official.OrganID || !official.Role.IsOrgan() {
			return portal.NotFound()
		}
		if old.Answered() {
			return portal.Conflict("oversight.already_answered")
		}
		answer = strings.TrimSpace(answer)
		if err := portal.ValidateOpinionAnswer(answer); err != nil {
			return err
		}
		o = old
		o.Answer, o.AnsweredBy, o.AnsweredAt = answer, official.ID, db.now().UTC()
		if err := db.putOpinion(tx, old, o); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: AuditOpinionAnswered, ActorID: official.ID, ActorRole: official.Role,
			SubjectKind: kindOpinion, SubjectID: id, RequestID: requestID})
	})
	return o, err
}

// ---- The leak investigation: the audit log by case and by account ----

// leakCases lists the cases about a report's person (R25), by the keyed
// hash of the identity number: never a decryption of cases to compare.
func (db *DB) leakCases(tx kv.Tx, r portal.LeakReport) []uint64 {
	if r.PersonIDNumber == "" {
		return nil
	}
	return idsUnder(tx.Bucket(bucketCasesByPerson), db.crypt.blindLookup("idnumber", r.PersonIDNumber))
}

// linkLeakCases records the report under each case about its person, so a
// case's page finds its leak reports by index. Called when a report is sent
// and again whenever the supervisor investigates it (a report sent before
// this index existed is indexed then).
func (db *DB) linkLeakCases(tx kv.Tx, r portal.LeakReport) ([]uint64, error) {
	ids := db.leakCases(tx, r)
	b := tx.Bucket(bucketLeaksByCase)
	if b == nil {
		return ids, nil
	}
	for _, c := range ids {
		if err := b.Put(append(itob(c), itob(r.ID)...), nil); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// InvestigationCase is one case about a leak report's person.
type InvestigationCase struct {
	ID     uint64
	Ref    string
	Status portal.CaseStatus
}

// LeakInvestigation is what the supervisor reads to investigate a leak: the
// cases about the person and, for the case asked for (or the first), every
// audit entry about that case; or, for an account asked for, every audit
// entry that account made.
type LeakInvestigation struct {
	Report  portal.LeakReport
	Cases   []InvestigationCase
	CaseID  uint64              // the case whose log is shown, 0 for none
	Entries []portal.AuditEvent // oldest first
	Account uint64              // the account whose reads are shown, 0 for none
}

// maxInvestigationEntries bounds one page of a log read for an investigation.
const maxInvestigationEntries = 2000

// InvestigateLeak reads, for a sent leak report, the audit log of the leaked
// person's case (caseID, one of the report's cases; 0 for the first) or every
// entry made by an account (account != 0), from the indexes by subject and
// by actor — never a scan of the log — and writes the read itself to the
// audit log in the same transaction (R17, R25).
func (db *DB) InvestigateLeak(leakID, caseID, account uint64, reader portal.Account, proof portal.FreshFactor, requestID string) (LeakInvestigation, error) {
	var inv LeakInvestigation
	if reader.Role != portal.RoleSupervisor {
		return inv, portal.NotFound()
	}
	if err := proof.Check(reader, db.now()); err != nil {
		return inv, err
	}
	err := db.update(func(tx kv.Tx) error {
		r, err := db.getLeak(tx, leakID)
		if err != nil {
			return err
		}
		if r.Status == portal.LeakDraft {
			return portal.NotFound()
		}
		inv.Report = r
		ids, err := db.linkLeakCases(tx, r)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := db.getCase(tx, id)
			if err != nil {
				return err
			}
			if c.Status == portal.StatusDraft {
				continue
			}
			inv.Cases = append(inv.Cases, InvestigationCase{ID: id, Ref: c.Ref, Status: c.Status})
		}
		detail := ""
		switch {
		case account != 0:
			if _, err := db.getAccount(tx, account); err != nil {
				return portal.NotFound()
			}
			inv.Account = account
			inv.Entries, err = auditUnder(tx, bucketAuditByActor, itob(account))
			detail = fmt.Sprintf("leak:%d:account:%d", leakID, account)
		case caseID != 0 || len(inv.Cases) > 0:
			if caseID == 0 {
				caseID = inv.Cases[0].ID
			}
			if !slices.ContainsFunc(inv.Cases, func(c InvestigationCase) bool { return c.ID == caseID }) {
				return portal.NotFound()
			}
			inv.CaseID = caseID
			prefix := auditSubjectKey(kindCase, caseID, 0)[:len(kindCase)+9]
			inv.Entries, err = auditUnder(tx, bucketAuditBySubject, prefix)
			detail = fmt.Sprintf("leak:%d:case:%d", leakID, caseID)
		default:
			detail = fmt.Sprintf("leak:%d", leakID)
		}
		if err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: AuditInvestigationRead, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: kindLeak, SubjectID: leakID, Detail: detail, RequestID: requestID})
	})
	return inv, err
}

// auditUnder reads the entries an audit index lists under a prefix (the
// last 8 bytes of each key are the entry's index), oldest first, at most
// maxInvestigationEntries of the newest.
func auditUnder(tx kv.Tx, bucket, prefix []byte) ([]portal.AuditEvent, error) {
	idx := tx.Bucket(bucket)
	entries := tx.Bucket(bucketAuditEntries)
	if idx == nil || entries == nil {
		return nil, nil
	}
	var out []portal.AuditEvent
	cur := idx.Cursor()
	// Walk back from the end of the prefix so the newest entries are kept.
	end := append(slices.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	k, _ := cur.Seek(end)
	if k == nil {
		k, _ = cur.Last()
	} else {
		k, _ = cur.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < maxInvestigationEntries; k, _ = cur.Prev() {
		raw := entries.Get(k[len(k)-8:])
		if raw == nil {
			continue
		}
		var r auditRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("store: decode audit entry: %w", err)
		}
		out = append(out, r.event())
	}
	slices.Reverse(out)
	return out, nil
}

// ---- Lists for the supervisor ----

// OversightCaseRow is a row of a supervisor's list of cases: from the
// indexes, no case opened.
type OversightCaseRow struct {
	CaseID    uint64
	Organ     uint64 // the organ the row is about (the deciding organ, or a holder owing confirmation)
	Ref       string
	Status    portal.CaseStatus
	Due       portal.Date
	Submitted time.Time
}

// Refusals lists every case an organ decided not to seal (不予封存), organ by
// organ, from each organ's queue index: a refusal's row has no deadline, so
// only the tail of each organ's index is read.
func (db *DB) Refusals(offset, limit int) (rows []OversightCaseRow, total int, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	err = db.view(func(tx kv.Tx) error {
		organs := tx.Bucket(bucketOrgans)
		q := tx.Bucket(bucketQueueByOrgan)
		if organs == nil || q == nil {
			return nil
		}
		oc := organs.Cursor()
		for ok, _ := oc.First(); ok != nil; ok, _ = oc.Next() {
			if len(ok) != 8 {
				continue
			}
			prefix := append(slices.Clone(ok), dueKey(portal.Date{})...)
			cur := q.Cursor()
			for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
				st, err := queueStatus(v)
				if err != nil {
					return err
				}
				if st != portal.StatusRejected {
					continue
				}
				var e queueEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return err
				}
				if e.Role != "decider" {
					continue
				}
				total++
				if total <= offset || len(rows) >= limit {
					continue
				}
				rows = append(rows, OversightCaseRow{CaseID: btoi(k[12:]), Organ: btoi(ok), Ref: e.Ref, Status: st, Submitted: e.Submitted})
			}
		}
		return nil
	})
	return rows, total, err
}

// Unconfirmed lists, holder by holder, the sealed cases whose holding organs
// have not confirmed their sealing (R12), nearest deadline first, read from
// the index of open cases by deadline (no case opened).
func (db *DB) Unconfirmed(offset, limit int) (rows []OversightCaseRow, total int, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	err = db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketOpenByDue)
		if b == nil {
			return nil
		}
		cur := b.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			if len(v) <= 8 || len(k) != 12 {
				continue
			}
			var e overdueEntry
			if err := json.Unmarshal(v[8:], &e); err != nil {
				return err
			}
			if e.Status != portal.StatusSealed {
				continue
			}
			for _, organ := range e.Owe {
				total++
				if total <= offset || len(rows) >= limit {
					continue
				}
				rows = append(rows, OversightCaseRow{CaseID: btoi(k[4:]), Organ: organ, Ref: e.Ref, Status: e.Status,
					Due: dateFromKey(k[:4]), Submitted: e.Submitted})
			}
		}
		return nil
	})
	return rows, total, err
}

// ---- Cross-links about one person (R24, R25) ----

// CrossRef is one record linked to another through the person it is about.
type CrossRef struct {
	Kind   string // "case", "leak", "relief"
	ID     uint64
	Ref    string
	Status string
}

// PersonCrossLinks lists, for a seed of cases, the other cases about the
// same person (by the keyed hashes of the person's identity document:
// casePersonKeys, never a decryption to compare), the leak reports about
// them (leaks_by_case) and the relief requests filed on them by the person
// or by those linked to the cases (relief_by_account). except names records
// to leave out (the page's own).
func (db *DB) PersonCrossLinks(seed []uint64, except CrossRef) ([]CrossRef, error) {
	var out []CrossRef
	err := db.view(func(tx kv.Tx) error {
		cases := map[uint64]bool{}
		var order []uint64
		add := func(id uint64) {
			if !cases[id] {
				cases[id] = true
				order = append(order, id)
			}
		}
		for _, id := range seed {
			c, err := db.getCase(tx, id)
			if err != nil {
				if portal.ErrorCode(err) == portal.CodeNotFound {
					continue
				}
				return err
			}
			add(id)
			if c.PersonIDNumber == "" {
				continue
			}
			for _, other := range idsUnder(tx.Bucket(bucketCasesByPerson), db.casePersonKeys(c)) {
				add(other)
			}
		}
		leaks := map[uint64]bool{}
		reliefs := map[uint64]bool{}
		for _, id := range order {
			c, err := db.getCase(tx, id)
			if err != nil {
				return err
			}
			if c.Status == portal.StatusDraft {
				continue
			}
			if !(except.Kind == "case" && except.ID == id) {
				out = append(out, CrossRef{Kind: "case", ID: id, Ref: c.Ref, Status: string(c.Status)})
			}
			if b := tx.Bucket(bucketLeaksByCase); b != nil {
				for _, lid := range idsUnder(b, [][]byte{itob(id)}) {
					if leaks[lid] || except.Kind == "leak" && except.ID == lid {
						continue
					}
					leaks[lid] = true
					r, err := db.getLeak(tx, lid)
					if err != nil {
						return err
					}
					out = append(out, CrossRef{Kind: "leak", ID: lid, Ref: r.Ref, Status: string(r.Status)})
				}
			}
			rels := map[uint64]Relation{}
			if err := caseAccounts(tx, id, rels); err != nil {
				return err
			}
			for acct, rel := range rels {
				for _, rid := range idsUnder(tx.Bucket(bucketReliefByAccount), [][]byte{itob(acct)}) {
					if reliefs[rid] || except.Kind == "relief" && except.ID == rid {
						continue
					}
					r, err := db.getRelief(tx, rid)
					if err != nil {
						return err
					}
					if r.Status == portal.ReliefDraft || r.LinkedCaseID != id && rel != RelPerson {
						continue
					}
					reliefs[rid] = true
					out = append(out, CrossRef{Kind: "relief", ID: rid, Ref: r.Ref, Status: string(r.Status)})
				}
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b CrossRef) int { return strings.Compare(a.Kind+a.Ref, b.Kind+b.Ref) })
	return out, err
}

// LeakCaseIDs lists the cases about a sent leak report's person without
// reading the report for anyone (the supervisor's page of the report has
// already read it, audited); used to seed its cross-links.
func (db *DB) LeakCaseIDs(leakID uint64) ([]uint64, error) {
	var ids []uint64
	err := db.view(func(tx kv.Tx) error {
		r, err := db.getLeak(tx, leakID)
		if err != nil {
			return err
		}
		ids = db.leakCases(tx, r)
		return nil
	})
	return ids, err
}

// LeakRef returns a sent report's reference, to name it on a form; nothing
// else of the report is read out (a draft is not found).
func (db *DB) LeakRef(id uint64) (string, error) {
	var ref string
	err := db.view(func(tx kv.Tx) error {
		r, err := db.getLeak(tx, id)
		if err != nil {
			return err
		}
		if r.Status == portal.LeakDraft {
			return portal.NotFound()
		}
		ref = r.Ref
		return nil
	})
	return ref, err
}
