package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Cases. The whole case (person, facts, documents list, history) is one
// AES-GCM ciphertext bound to the case id: a sealed record's contents never
// reach the file in clear. What lists need (status, reference, deadline,
// organs) lives in indexes without personal data:
//
//	cases               id -> envelope of the case's encrypted binary form (codec.go, casecodec.go)
//	cases_by_ref        reference -> id
//	cases_by_account    account id | case id -> relation (filer, person)
//	case_accounts       case id | account id -> relation (the reverse, for notifications)
//	cases_by_person     HMAC(identity number) | case id -> ""
//	queue_by_organ      organ id | due (yyyymmdd, 99999999 when none) | case id -> queueEntry
//	open_by_due         due | case id -> organ id | JSON{ref, status, submitted, owe} (open cases with a
//	                    deadline: the supervisor's overdue list, shown without opening a case)
//	queue_counts        organ id | due | status -> count (rows of queue_by_organ; organ 0 counts
//	                    open_by_due), so that a list's total is a sum over dates, not a walk of its rows
//	case_summaries      case id -> ciphertext of the summary's binary form: what a person's or lawyer's list shows,
//	                    so a dashboard of 200 clients decodes 200 small records, not 200 cases
//	documents           document id -> encrypted bytes, bound to document id and case id
//	organs              id -> organ
//	organs_by_name      kind | 0 | name -> id

var (
	bucketCases          = []byte("cases")
	bucketCasesByRef     = []byte("cases_by_ref")
	bucketCasesByAccount = []byte("cases_by_account")
	bucketCaseAccounts   = []byte("case_accounts")
	bucketCasesByPerson  = []byte("cases_by_person")
	bucketQueueByOrgan   = []byte("queue_by_organ")
	bucketOpenByDue      = []byte("open_by_due")
	bucketQueueCounts    = []byte("queue_counts")
	bucketCaseSummaries  = []byte("case_summaries")
	bucketDocuments      = []byte("documents")
	bucketOrgans         = []byte("organs")
	bucketOrgansByName   = []byte("organs_by_name")
	bucketMessages       = []byte("messages")
	bucketNotifications  = []byte("notifications")
	bucketUnread         = []byte("notifications_unread")
	keyRefSeq            = []byte("reference_seq")
)

// Relation is how an account is connected to a case.
type Relation string

// The relations.
const (
	RelFiler  Relation = "filer"  // filed it (the person, a guardian or a lawyer)
	RelPerson Relation = "person" // the account of the person the record is about
)

const (
	kindCase        = "case"
	kindCaseSummary = "case_summary"
)

// caseSummary is the part of a case that the lists of the people linked to it
// show (the cases page, the lawyer's dashboard). It carries the person's name
// (R22: the lawyer acting for the person is entitled to it), so it is sealed
// like the case.
type caseSummary struct {
	Ref        string            `json:"ref,omitempty"`
	Status     portal.CaseStatus `json:"status"`
	Due        portal.Date       `json:"due,omitzero"`
	Decider    uint64            `json:"decider,omitempty"`
	Holders    int               `json:"holders,omitempty"`
	Pending    int               `json:"pending,omitempty"`
	PersonName string            `json:"person_name,omitempty"`
	// OrganCaseNo is the organ's own case number (issue 16: the desk shows it).
	OrganCaseNo string `json:"organ_case_no,omitempty"`
	// AwaitsCalendar: the deadline waits for a calendar year (issue 12).
	AwaitsCalendar bool `json:"awaits_calendar,omitempty"`
}

func summarize(c portal.Case) caseSummary {
	return caseSummary{Ref: c.Ref, Status: c.Status, Due: c.Due, Decider: c.DecidingOrganID,
		Holders: len(c.HoldingOrganIDs), Pending: len(c.PendingHolders()), PersonName: c.PersonName,
		AwaitsCalendar: c.DueAwaitsCalendar, OrganCaseNo: c.OrganCaseNumber}
}

// putCaseSummary writes the list record beside the case (in putCase, so no
// write can forget it). The bucket is created on first use: databases older
// than the summaries fall back to reading the case until its next write.
func (db *DB) putCaseSummary(tx kv.Tx, c portal.Case) error {
	b, err := tx.CreateBucketIfNotExists(bucketCaseSummaries)
	if err != nil {
		return err
	}
	// The value is the bare ciphertext of the summary's binary form
	// (casecodec.go; JSON before issue 19, still read by openSummary): a
	// dashboard opens 50 of them per page.
	body := summarize(c).appendBinary([]byte{bodyBinaryV1})
	return b.Put(itob(c.ID), db.crypt.seal(kindCaseSummary, c.ID, "summary", body))
}

const kindDocument = "document"

// caseBody is the stored form of portal.Case. A separate type so that the
// domain type can grow methods freely; fields convert one to one.
type caseBody portal.Case

// caseFiles is the tracked-file shape of cases (trackedfile.go). The stored
// form carries the binary codec (casecodec.go). cases_by_account holds the
// account's relation to the case and its lists read the case summaries, so
// they stay in this file.
var caseFiles = newFileKind(fileKind[portal.Case, caseBody]{kind: kindCase, records: bucketCases, byRef: bucketCasesByRef,
	documents: bucketDocuments, docKind: kindDocument, docField: "content:case:%d",
	refs: bucketDocumentRefs, refKind: kindDocumentRef, refField: "ref:case:%d", objTag: 'c',
	toBody:   func(c portal.Case) caseBody { return caseBody(c) },
	fromBody: func(b caseBody) portal.Case { return portal.Case(b) }})

func (db *DB) encodeCase(c portal.Case) ([]byte, error) { return caseFiles.encode(db, c.ID, c) }

func (db *DB) decodeCase(id uint64, raw []byte) (portal.Case, error) {
	return caseFiles.decode(db, id, raw)
}

func (db *DB) getCase(tx kv.Tx, id uint64) (portal.Case, error) { return caseFiles.get(db, tx, id) }

// queueEntry is what a queue row shows without opening the case: no personal
// data.
type queueEntry struct {
	Ref       string            `json:"ref"`
	Status    portal.CaseStatus `json:"status"`
	Due       string            `json:"due,omitempty"`
	Role      string            `json:"role"` // "decider" or "holder"
	ExOfficio bool              `json:"ex_officio,omitempty"`
	Submitted time.Time         `json:"submitted,omitzero"`
	// AwaitsCalendar: the deadline waits for a calendar year not yet loaded.
	AwaitsCalendar bool `json:"awaits_calendar,omitempty"`
}

func dueKey(d portal.Date) []byte {
	b := make([]byte, 4)
	v := uint32(99999999)
	if !d.IsZero() {
		v = uint32(d.Year*10000 + int(d.Month)*100 + d.Day) // #nosec G115 -- a valid date is at most 99991231
	}
	binary.BigEndian.PutUint32(b, v)
	return b
}

// awaitingDueKey is the 4-byte due of a row whose deadline waits for a
// calendar year not yet loaded: after every dated row, before the finished
// ones (99999999).
const awaitingDueKey = 99999998

// dueKeyOf is dueKey, or awaitingDueKey when the deadline awaits the
// calendar.
func dueKeyOf(d portal.Date, awaits bool) []byte {
	if awaits {
		b := make([]byte, 4)
		binary.BigEndian.PutUint32(b, awaitingDueKey)
		return b
	}
	return dueKey(d)
}

// keyAwaits reports whether a 4-byte due is awaitingDueKey.
func keyAwaits(b []byte) bool { return binary.BigEndian.Uint32(b) == awaitingDueKey }

func dateFromKey(b []byte) portal.Date {
	v := binary.BigEndian.Uint32(b)
	if v == 99999999 || v == awaitingDueKey {
		return portal.Date{}
	}
	return portal.Date{Year: int(v / 10000), Month: time.Month(v / 100 % 100), Day: int(v % 100)}
}

// putCase writes a case and rebuilds its index rows from old (the case as it
// was, zero for a new one) to c.
func (db *DB) putCase(tx kv.Tx, old, c portal.Case) error {
	if err := caseFiles.put(db, tx, c.ID, c); err != nil {
		return err
	}
	if err := db.putCaseSummary(tx, c); err != nil {
		return err
	}
	if c.Ref != "" && old.Ref != c.Ref {
		if err := caseFiles.putRef(tx, c.Ref, c.ID); err != nil {
			return err
		}
	}
	if old.PersonIDNumber != c.PersonIDNumber || old.PersonDocType != c.PersonDocType || old.PersonDocCountry != c.PersonDocCountry {
		if old.PersonIDNumber != "" {
			if err := db.deleteUnder(tx.Bucket(bucketCasesByPerson), func(bl blindFunc) []byte { return append(casePersonKeyWith(bl, old), itob(c.ID)...) }); err != nil {
				return err
			}
		}
		if c.PersonIDNumber != "" {
			if err := tx.Bucket(bucketCasesByPerson).Put(append(db.casePersonKey(c), itob(c.ID)...), nil); err != nil {
				return err
			}
		}
	}
	// The person's own accounts follow the case (an ex officio case, or one a
	// guardian or lawyer filed, appears on the person's page) once it is more
	// than a draft: a draft is only its writer's, and typing someone's number
	// into one must not push anything into that person's account.
	if c.PersonIDNumber != "" && c.Status != "" && c.Status != portal.StatusDraft &&
		(old.ID == 0 || old.Status == "" || old.Status == portal.StatusDraft || old.PersonIDNumber != c.PersonIDNumber) {
		if err := db.linkPersonAccounts(tx, c); err != nil {
			return err
		}
	}
	if err := putAwaitingCalendar(tx, c); err != nil {
		return err
	}
	if err := deleteQueueRows(tx, old); err != nil {
		return err
	}
	if err := db.putWorkbench(tx, old, c); err != nil { // issue 18 (workbench.go)
		return err
	}
	if err := putQueueRows(tx, c); err != nil {
		return err
	}
	if err := putStatistics(tx, c); err != nil { // issue 17 (statistics.go)
		return err
	}
	return db.deskPut(tx, old, c) // issue 16: the desk's rows of every linked account
}

// queueRows lists the organ queue rows a case has: the deciding organ while
// it owes or awaits a step, and each holding organ that has not yet confirmed
// sealing. Drafts are nobody's business but the applicant's.
func queueRows(c portal.Case) map[uint64]queueEntry {
	rows := map[uint64]queueEntry{}
	if c.ID == 0 || c.Status == "" || c.Status == portal.StatusDraft || c.Status.Final() && c.Status != portal.StatusCompleted && c.Status != portal.StatusRejected && !c.SealingDuty {
		return rows
	}
	due := ""
	if !c.Due.IsZero() {
		due = c.Due.String()
	}
	if c.DecidingOrganID != 0 {
		rows[c.DecidingOrganID] = queueEntry{Ref: c.Ref, Status: c.Status, Due: due, Role: "decider", ExOfficio: c.ExOfficio, Submitted: c.SubmittedAt,
			AwaitsCalendar: c.DueAwaitsCalendar}
	}
	if c.Status == portal.StatusUnsealing { // issue 18: each holder confirms the unsealing
		for _, o := range c.PendingUnsealHolders() {
			if _, ok := rows[o]; !ok {
				rows[o] = queueEntry{Ref: c.Ref, Status: c.Status, Due: due, Role: "holder", ExOfficio: c.ExOfficio, Submitted: c.SubmittedAt,
					AwaitsCalendar: c.DueAwaitsCalendar}
			}
		}
	}
	if c.Status == portal.StatusSealed {
		for _, o := range c.PendingHolders() {
			if _, ok := rows[o]; !ok {
				rows[o] = queueEntry{Ref: c.Ref, Status: c.Status, Due: due, Role: "holder", ExOfficio: c.ExOfficio, Submitted: c.SubmittedAt,
					AwaitsCalendar: c.DueAwaitsCalendar}
			}
		}
	}
	return rows
}

func queueKey(organ uint64, due portal.Date, caseID uint64) []byte {
	k := make([]byte, 0, 20)
	k = append(k, itob(organ)...)
	k = append(k, dueKey(due)...)
	return append(k, itob(caseID)...)
}

// open cases are those somebody still owes a step on.
func isOpen(c portal.Case) bool {
	return c.Status != "" && c.Status != portal.StatusDraft && !c.Status.Final()
}

// queue rows are kept for final decided cases too (completed, rejected) so a
// queue can be filtered by them; they carry no deadline.
func deleteQueueRows(tx kv.Tx, c portal.Case) error {
	for organ, e := range queueRows(c) {
		if err := tx.Bucket(bucketQueueByOrgan).Delete(queueKey(organ, c.Due, c.ID)); err != nil {
			return err
		}
		if err := addQueueCount(tx, organ, c.Due, e.Status, -1); err != nil {
			return err
		}
	}
	if isOpen(c) && !c.Due.IsZero() {
		if err := tx.Bucket(bucketOpenByDue).Delete(append(dueKey(c.Due), itob(c.ID)...)); err != nil {
			return err
		}
		return addQueueCount(tx, 0, c.Due, c.Status, -1)
	}
	return nil
}

// queueCountKey is a queue_counts key: organ (0 for the deadline index of all
// organs) | due | status.
func queueCountKey(organ uint64, due portal.Date, st portal.CaseStatus) []byte {
	return append(append(itob(organ), dueKey(due)...), st...)
}

// addQueueCount adds delta to the number of rows of an organ's queue with a
// deadline and status; a count that reaches zero is removed.
func addQueueCount(tx kv.Tx, organ uint64, due portal.Date, st portal.CaseStatus, delta int64) error {
	b := tx.Bucket(bucketQueueCounts)
	if b == nil {
		return nil // before migration 9; the migration counts what exists
	}
	k := queueCountKey(organ, due, st)
	var n int64
	if v := b.Get(k); len(v) == 8 {
		n = int64(btoi(v)) // #nosec G115 -- counts are stored only when > 0
	}
	if n += delta; n <= 0 {
		return b.Delete(k)
	}
	return b.Put(k, itob(uint64(n)))
}

// queueTotal sums the counts of an organ's rows that match: a status (or,
// with none, every status but the final ones unless done is asked for) and a
// deadline before today (overdue) or no later than horizon. ok is false when
// the database has no counts (before migration 9).
func queueTotal(tx kv.Tx, organ uint64, st portal.CaseStatus, includeDone bool, overdueBefore, horizon portal.Date) (total int, ok bool) {
	b := tx.Bucket(bucketQueueCounts)
	if b == nil {
		return 0, false
	}
	prefix := itob(organ)
	cur := b.Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		due := dateFromKey(k[8:12])
		if !overdueBefore.IsZero() && (due.IsZero() || !overdueBefore.After(due)) {
			break
		}
		if !horizon.IsZero() && (due.IsZero() || due.After(horizon)) {
			break
		}
		rs := portal.CaseStatus(k[12:])
		if st != "" && rs != st || st == "" && !includeDone && rs.Final() && rs != portal.StatusWithdrawn {
			continue
		}
		total += int(btoi(v)) // #nosec G115 -- a count of cases
	}
	return total, true
}

func putQueueRows(tx kv.Tx, c portal.Case) error {
	for organ, e := range queueRows(c) {
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketQueueByOrgan).Put(queueKey(organ, c.Due, c.ID), raw); err != nil {
			return err
		}
		if err := addQueueCount(tx, organ, c.Due, e.Status, 1); err != nil {
			return err
		}
	}
	if isOpen(c) && !c.Due.IsZero() {
		v, err := overdueValue(c)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketOpenByDue).Put(append(dueKey(c.Due), itob(c.ID)...), v); err != nil {
			return err
		}
		return addQueueCount(tx, 0, c.Due, c.Status, 1)
	}
	return nil
}

// overdueEntry is what the supervisor's overdue list shows of a case, kept in
// the deadline index after the deciding organ's id so that the list never
// opens (decrypts) a case: the reference, the status, when it was received and
// which organs owe the next step. No personal data.
type overdueEntry struct {
	Ref       string            `json:"ref"`
	Status    portal.CaseStatus `json:"status"`
	Submitted time.Time         `json:"submitted,omitzero"`
	Owe       []uint64          `json:"owe,omitempty"`
}

// overdueValue is an open_by_due value: itob(deciding organ) followed by the
// JSON of overdueEntry. The first eight bytes alone are the older format,
// which readers still accept.
func overdueValue(c portal.Case) ([]byte, error) {
	owe := []uint64{c.DecidingOrganID}
	if c.Status == portal.StatusSealed {
		owe = c.PendingHolders() // R12: each holding organ owes its own sealing
	}
	raw, err := json.Marshal(overdueEntry{Ref: c.Ref, Status: c.Status, Submitted: c.SubmittedAt, Owe: owe})
	if err != nil {
		return nil, err
	}
	return append(itob(c.DecidingOrganID), raw...), nil
}

func (db *DB) link(tx kv.Tx, account, caseID uint64, rel Relation) error {
	if err := linkRows(tx, account, caseID, rel); err != nil {
		return err
	}
	return db.deskLink(tx, account, caseID) // issue 16
}

// linkRows is link without the desk's rows, for putCase, whose deskPut
// writes them for every linked account from the case in hand (deskLink would
// read the case back and decrypt it).
func linkRows(tx kv.Tx, account, caseID uint64, rel Relation) error {
	if err := tx.Bucket(bucketCasesByAccount).Put(append(itob(account), itob(caseID)...), []byte(rel)); err != nil {
		return err
	}
	return tx.Bucket(bucketCaseAccounts).Put(append(itob(caseID), itob(account)...), []byte(rel))
}

// casePersonKey is the keyed hash under which the case's person is indexed
// (R31): a mainland number in the "idnumber" index, as before; another
// identity document under its kind, state and number.
func (db *DB) casePersonKey(c portal.Case) []byte {
	return casePersonKeyWith(db.crypt.blind, c)
}

// casePersonKeys is casePersonKey under every lookup key, active first.
func (db *DB) casePersonKeys(c portal.Case) [][]byte {
	return db.lookupWith(func(bl blindFunc) []byte { return casePersonKeyWith(bl, c) })
}

// casePersonKeyWith is casePersonKey under a given blind key (a re-index,
// or a lookup under each key, blindkeys.go).
func casePersonKeyWith(bl blindFunc, c portal.Case) []byte {
	if c.PersonDocType == "" || c.PersonDocType == portal.DocResidentID {
		return bl("idnumber", c.PersonIDNumber)
	}
	if doc, err := c.PersonDocument(); err == nil {
		domain, value := doc.IndexKey()
		return bl(domain, value)
	}
	return bl("iddoc", string(c.PersonDocType)+"|"+c.PersonDocCountry+"|"+c.PersonIDNumber)
}

// linkPersonAccounts links the person's identity-verified account to the
// case, when the name on the account matches the name on the record (issue
// 11). A contact-verified account that merely typed the number gets nothing.
func (db *DB) linkPersonAccounts(tx kv.Tx, c portal.Case) error {
	holder, ok, err := db.verifiedHolder(tx, db.casePersonKeys(c), 0)
	if err != nil || !ok {
		return err
	}
	a, err := db.getAccount(tx, holder)
	if err != nil {
		return err
	}
	if a.Role != portal.RoleMinor || !portal.NamesMatch(a.Name, c.PersonName) || !a.SameDocument(c) {
		return nil
	}
	if existing := tx.Bucket(bucketCasesByAccount).Get(append(itob(a.ID), itob(c.ID)...)); existing != nil {
		return nil
	}
	return linkRows(tx, a.ID, c.ID, RelPerson) // putCase's deskPut, after this, writes the desk's rows
}

// linkCasesOfVerifiedPerson links the cases about a person whose identity
// has just been verified (or a verified demo account) to the account: every
// case past its draft whose recorded name matches, and a guardian's
// unsubmitted draft about a person who is now an adult (R1: it passes to
// him).
func (db *DB) linkCasesOfVerifiedPerson(tx kv.Tx, a portal.Account) error {
	if a.Role != portal.RoleMinor || a.IDNumber == "" || !a.IdentityVerified {
		return nil
	}
	cases := idsUnder(tx.Bucket(bucketCasesByPerson), db.accountPersonKeys(a))
	today := portal.DateOf(db.now())
	for _, id := range cases {
		c, err := db.getCase(tx, id)
		if err != nil {
			return err
		}
		if !portal.NamesMatch(a.Name, c.PersonName) || !a.SameDocument(c) || c.FiledBy == a.ID {
			continue
		}
		if c.Status == portal.StatusDraft && !(c.Capacity == portal.CapacityGuardian && portal.GuardianAccessEnded(c, today)) {
			continue // linked when submitted
		}
		if err := db.link(tx, a.ID, id, RelPerson); err != nil {
			return err
		}
		if c.Capacity == portal.CapacityGuardian && portal.GuardianAccessEnded(c, today) &&
			(c.Status == portal.StatusDraft || c.Status == portal.StatusReturned) {
			// R1: the matter the guardian left unsent passes to the adult,
			// who is told (once).
			if err := db.tellHandedOver(tx, c, a.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// Relation returns how account is connected to a case, "" when it is not.
func (db *DB) Relation(account, caseID uint64) (Relation, error) {
	var rel Relation
	err := db.view(func(tx kv.Tx) error {
		rel = Relation(tx.Bucket(bucketCasesByAccount).Get(append(itob(account), itob(caseID)...)))
		return nil
	})
	return rel, err
}

// CaseAccounts lists the accounts connected to a case and how.
func (db *DB) CaseAccounts(caseID uint64) (map[uint64]Relation, error) {
	out := map[uint64]Relation{}
	err := db.view(func(tx kv.Tx) error {
		return caseAccounts(tx, caseID, out)
	})
	return out, err
}

func caseAccounts(tx kv.Tx, caseID uint64, out map[uint64]Relation) error {
	prefix := itob(caseID)
	cur := tx.Bucket(bucketCaseAccounts).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		out[btoi(k[8:])] = Relation(v)
	}
	return nil
}

// CreateDraft stores a new draft application filed by account.
func (db *DB) CreateDraft(c portal.Case, account uint64) (portal.Case, error) {
	err := db.update(func(tx kv.Tx) error {
		id, err := tx.Bucket(bucketCases).NextSequence()
		if err != nil {
			return err
		}
		now := db.now().UTC()
		c.ID, c.Status, c.FiledBy, c.CreatedAt, c.UpdatedAt = id, portal.StatusDraft, account, now, now
		if err := db.rememberSubmission(tx, SubmissionDraft, id); err != nil { // idempotency.go
			return err
		}
		if err := db.putCase(tx, portal.Case{}, c); err != nil {
			return err
		}
		if err := db.link(tx, account, id, RelFiler); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseCreated, ActorID: account, SubjectKind: kindCase, SubjectID: id, Detail: "draft"})
	})
	return c, err
}

// Case returns a case without any access check: handlers decide who may see
// it, and staff reads go through CaseForStaff, which audits.
func (db *DB) Case(id uint64) (portal.Case, error) {
	var c portal.Case
	err := db.view(func(tx kv.Tx) error {
		var err error
		c, err = db.getCase(tx, id)
		return err
	})
	return c, err
}

// CaseForStaff returns a case's contents to an official and writes the read to
// the audit log in the same transaction (R17): no read without its record.
//
// proof must show a second factor passed within portal.StepUpAge.
func (db *DB) CaseForStaff(id uint64, reader portal.Account, proof portal.FreshFactor, purpose, requestID string) (portal.Case, error) {
	var c portal.Case
	if err := proof.Check(reader, db.now()); err != nil {
		return c, err
	}
	err := db.update(func(tx kv.Tx) error {
		var err error
		if c, err = db.getCase(tx, id); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSealedRead, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: kindCase, SubjectID: id, Detail: purpose, RequestID: requestID})
	})
	return c, err
}

// CaseByRef finds a case's id by its reference number.
func (db *DB) CaseByRef(ref string) (uint64, error) {
	var id uint64
	err := db.view(func(tx kv.Tx) (err error) {
		id, err = caseFiles.idByRef(tx, ref)
		return err
	})
	return id, err
}

// UpdateDraft saves an applicant's edit of a draft or of a returned
// application. fn edits the stored case; only the applicant's fields may be
// changed, which the handler guarantees by what it binds.
func (db *DB) UpdateDraft(id uint64, fn func(*portal.Case) error) (portal.Case, error) {
	var c portal.Case
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, id)
		if err != nil {
			return err
		}
		if old.Status != portal.StatusDraft && old.Status != portal.StatusReturned {
			return portal.Conflict("case.not_editable")
		}
		c = old
		c.Acts = slices.Clone(old.Acts)
		c.HoldingOrganIDs = slices.Clone(old.HoldingOrganIDs)
		c.Documents = slices.Clone(old.Documents)
		if err := fn(&c); err != nil {
			return err
		}
		c.ID, c.Status, c.Ref, c.Events, c.FiledBy = old.ID, old.Status, old.Ref, old.Events, old.FiledBy
		c.UpdatedAt = db.now().UTC()
		return db.putCase(tx, old, c)
	})
	return c, err
}

// DeleteDraft removes a draft that was never submitted (the person's right to
// delete what is only theirs; submitted cases are never deleted, R11).
func (db *DB) DeleteDraft(id, account uint64) error {
	var objects []string
	err := db.update(func(tx kv.Tx) error {
		objects = objects[:0]
		c, err := db.getCase(tx, id)
		if err != nil {
			return err
		}
		if c.Status != portal.StatusDraft || c.Ref != "" {
			return portal.Conflict("case.not_deletable")
		}
		for _, d := range c.Documents {
			key, err := caseFiles.deleteDocument(db, tx, id, d.ID)
			if err != nil {
				return err
			}
			objects = append(objects, key)
		}
		rels := map[uint64]Relation{}
		if err := caseAccounts(tx, id, rels); err != nil {
			return err
		}
		for acct := range rels {
			if err := db.deskUnlink(tx, acct, c); err != nil {
				return err
			}
			if err := tx.Bucket(bucketCasesByAccount).Delete(append(itob(acct), itob(id)...)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketCaseAccounts).Delete(append(itob(id), itob(acct)...)); err != nil {
				return err
			}
		}
		if c.PersonIDNumber != "" {
			if err := db.deleteUnder(tx.Bucket(bucketCasesByPerson), func(bl blindFunc) []byte { return append(casePersonKeyWith(bl, c), itob(id)...) }); err != nil {
				return err
			}
		}
		if b := tx.Bucket(bucketCaseSummaries); b != nil {
			if err := b.Delete(itob(id)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketCases).Delete(itob(id)); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditDraftDeleted, ActorID: account, SubjectKind: kindCase, SubjectID: id})
	})
	if err == nil {
		db.dropObjects(objects)
	}
	return err
}

// AddDocument stores an uploaded file's bytes encrypted and lists it on the
// case, refusing more than portal.MaxDocumentsPerCase. Message attachments are
// added with the message instead.
func (db *DB) AddDocument(caseID uint64, d portal.Document, content []byte) (portal.Document, error) {
	// Encrypted and uploaded before the transaction (documents.go).
	prepared, err := caseFiles.prepareDocuments(db, content)
	if err != nil {
		return d, err
	}
	err = db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if old.Status != portal.StatusDraft && old.Status != portal.StatusReturned {
			return portal.Conflict("case.not_editable")
		}
		if len(old.Documents) >= portal.MaxDocumentsPerCase {
			return &portal.Error{Code: portal.CodeInvalid, Key: "upload.too_many", Fields: map[string]string{"file": "upload.too_many"}}
		}
		if d, err = db.putDocument(tx, caseID, d, prepared[0]); err != nil {
			return err
		}
		c := old
		c.Documents = append(slices.Clone(old.Documents), d)
		c.UpdatedAt = db.now().UTC()
		if err := db.putCase(tx, old, c); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditDocumentAdded, ActorID: d.UploadedBy, SubjectKind: kindCase, SubjectID: caseID, Detail: string(d.Kind)})
	})
	return d, err
}

func (db *DB) putDocument(tx kv.Tx, caseID uint64, d portal.Document, p *preparedDoc) (portal.Document, error) {
	return caseFiles.putDocument(db, tx, caseID, d, p)
}

// RemoveDocument takes a document off a draft or returned application.
func (db *DB) RemoveDocument(caseID, docID, account uint64) error {
	_, err := db.UpdateDraft(caseID, func(c *portal.Case) error {
		i := slices.IndexFunc(c.Documents, func(d portal.Document) bool { return d.ID == docID })
		if i < 0 {
			return portal.NotFound()
		}
		c.Documents = slices.Delete(c.Documents, i, i+1)
		return nil
	})
	if err != nil {
		return err
	}
	var key string
	err = db.update(func(tx kv.Tx) (err error) {
		key, err = caseFiles.deleteDocument(db, tx, caseID, docID)
		return err
	})
	if err == nil {
		db.dropObjects([]string{key})
	}
	return err
}

// StaffDocumentContent returns a case document's bytes to an official or
// the supervisor whose access the caller has decided and audited, once proof
// shows a second factor passed within portal.StepUpAge.
func (db *DB) StaffDocumentContent(caseID, docID uint64, reader portal.Account, proof portal.FreshFactor) ([]byte, error) {
	if err := proof.Check(reader, db.now()); err != nil {
		return nil, err
	}
	return db.DocumentContent(caseID, docID)
}

// DocumentContent returns a document's bytes; the caller has already decided
// that the reader may have them (and audits staff reads through CaseForStaff).
func (db *DB) DocumentContent(caseID, docID uint64) ([]byte, error) {
	var src docSource
	err := db.view(func(tx kv.Tx) (err error) {
		// A document of another case does not decrypt under this case's
		// binding: it answers as if it did not exist.
		src, err = caseFiles.documentSource(db, tx, caseID, docID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.loadDocument(src) // after the transaction: the object store may be remote
}

// Step is one action on a case by someone, with its legal basis.
type Step struct {
	Action    portal.CaseAction
	Actor     portal.Actor
	AccountID uint64
	Role      portal.Role
	OrganID   uint64
	Rules     []string
	Note      string
	RequestID string
	// Version is portal.CaseVersion of the case as the official's page
	// showed it; a step from a page the case changed since is refused
	// (decisions.go). Empty skips the check (the system's own steps).
	Version string
	// ConfirmDuplicate: the official confirmed opening an ex officio case
	// although one with the same person and case number exists.
	ConfirmDuplicate bool
}

// Apply takes one step of the procedure on a case, in one transaction: the
// state machine decides the next status, the stage's deadline is computed on
// the calendar, the event joins the timeline, the indexes, notifications and
// audit log follow. When the last holding organ confirms, the system completes
// the case in the same transaction.
func (db *DB) Apply(caseID uint64, st Step, cal *portal.Calendar) (portal.Case, error) {
	var c portal.Case
	// Batched: the closure only reads and writes the transaction and
	// overwrites c, so running it again is harmless.
	err := db.batch(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		c, err = db.applyStep(tx, old, st, cal, today)
		return err
	})
	return c, err
}

func (db *DB) applyStep(tx kv.Tx, old portal.Case, st Step, cal *portal.Calendar, today portal.Date) (portal.Case, error) {
	to, err := portal.Next(old.Status, st.Action, st.Actor)
	if err != nil {
		return old, err
	}
	c := old
	c.Events = slices.Clone(old.Events)
	if err := decisionChecks(&c, st); err != nil {
		return old, err
	}
	now := db.now().UTC()
	switch st.Action {
	case portal.ActionSubmit:
		if err := c.ValidateForSubmit(today); err != nil {
			return old, err
		}
		if c.Ref == "" {
			seq, err := nextRef(tx)
			if err != nil {
				return old, err
			}
			c.Ref = portal.Reference(today.Year, seq)
		}
		c.SubmittedAt = now
	case portal.ActionConfirm:
		if !c.Holds(st.OrganID) {
			return old, portal.Forbidden("case.not_holder")
		}
		if _, done := c.Confirmations[st.OrganID]; done {
			return old, portal.Conflict("case.already_confirmed")
		}
		conf := map[uint64]time.Time{}
		for k, v := range old.Confirmations {
			conf[k] = v
		}
		conf[st.OrganID] = now
		c.Confirmations = conf
	case portal.ActionWithdraw:
		// Issue 11: only the filer withdraws; an ex officio case is never a
		// citizen's to withdraw (R11).
		if c.ExOfficio || c.FiledBy == 0 || st.Role.IsCitizen() && st.AccountID != c.FiledBy {
			return old, portal.Forbidden("cases.withdraw_not_filer")
		}
		// R11: the withdrawal ends the application, not the organ's duty to
		// seal a record the facts make sealable.
		c.SealingDuty = portal.WithdrawalLeavesDuty(c)
	case portal.ActionTakeUp:
		if !c.SealingDuty {
			return old, &portal.Error{Code: portal.CodeConflict, Key: "case.action_not_allowed"}
		}
		c.SealingDuty, c.ExOfficio = false, true
	case portal.ActionConfirmUnsealed: // issue 18 (unsealing_approval.go)
		if err := confirmUnsealed(old, &c, st.OrganID, now); err != nil {
			return old, err
		}
	case portal.ActionUnseal:
		c.UnsealConfirmations = nil // every holder owes its confirmation afresh
	case portal.ActionReturn, portal.ActionReject:
		if st.Note == "" {
			return old, &portal.Error{Code: portal.CodeInvalid, Key: "case.reason_required", Fields: map[string]string{"note": "case.reason_required"}}
		}
	}
	c.Status = to
	c.UpdatedAt = now
	c.Events = append(c.Events, portal.CaseEvent{At: now, ActorID: st.AccountID, ActorRole: st.Role, OrganID: st.OrganID,
		Action: st.Action, From: old.Status, To: to, Rules: st.Rules, Note: st.Note})
	if err := setStageDue(cal, &c, today); err != nil {
		return old, err
	}
	if err := db.putCase(tx, old, c); err != nil {
		return old, err
	}
	if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseStep, ActorID: st.AccountID, ActorRole: st.Role,
		SubjectKind: kindCase, SubjectID: c.ID, Detail: string(st.Action) + ":" + string(to), RequestID: st.RequestID}); err != nil {
		return old, err
	}
	key := "notify.status." + string(to)
	if to == old.Status || st.Action == portal.ActionRejectUnsealing {
		key = "notify.action." + string(st.Action) // e.g. one holding organ confirmed
	}
	if err := db.notifyCase(tx, c, key, st.AccountID); err != nil {
		return old, err
	}
	if err := db.notifyStaff(tx, old, c, st); err != nil {
		return old, err
	}
	if c.SealingDuty && st.Action == portal.ActionWithdraw {
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSealingDutyRemains, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: c.ID, Detail: "R11", RequestID: st.RequestID}); err != nil {
			return old, err
		}
	}
	if c.Status == portal.StatusSealed && len(c.PendingHolders()) == 0 && st.Action == portal.ActionConfirm {
		return db.applyStep(tx, c, Step{Action: portal.ActionComplete, Actor: portal.ActorSystem, Rules: []string{"R12"}}, cal, today)
	}
	if c.Status == portal.StatusUnsealing && len(c.PendingUnsealHolders()) == 0 && st.Action == portal.ActionConfirmUnsealed {
		return db.applyStep(tx, c, Step{Action: portal.ActionCompleteUnsealing, Actor: portal.ActorSystem, Rules: []string{"R18"}}, cal, today)
	}
	if to == portal.StatusUnsealed {
		if err := deleteUnsealingOpen(tx, c.ID); err != nil { // issue 18: the unsealing is over
			return old, err
		}
	}
	return c, nil
}

// stageDeadline is the deadline of the stage a case is in now: acceptance
// within the service standard, the review decision within R12's 3 days of
// acceptance, each holding organ's sealing within 3 days of the decision
// (R12). keep says the stage keeps the deadline it had (a review counted from
// acceptance, a holder's confirmation); ok false says nobody owes a step.
func stageDeadline(c portal.Case) (d portal.Deadline, keep, ok bool) {
	switch c.Status {
	case portal.StatusSubmitted:
		return portal.Policy.ApplicationAcceptance, false, true
	case portal.StatusAccepted:
		return portal.Policy.ReviewDecision, false, true
	case portal.StatusUnderReview:
		if !c.Due.IsZero() || c.DueAwaitsCalendar {
			return portal.Deadline{}, true, true // the review keeps the deadline counted from acceptance
		}
		return portal.Policy.ReviewDecision, false, true
	case portal.StatusSealed:
		if len(c.Events) > 0 && c.Events[len(c.Events)-1].Action == portal.ActionSeal {
			return portal.Policy.OrganSealing, false, true
		}
		return portal.Deadline{}, true, true
	}
	return portal.Deadline{}, false, false
}

// setStageDue sets the case's deadline for the stage it is in now. A
// deadline in a year whose official calendar is not loaded never blocks the
// step: it is left "to be set when the official calendar is published", with
// the day it counts from and the policy entry, and PutCalendarYear counts it
// when the year is loaded.
func setStageDue(cal *portal.Calendar, c *portal.Case, today portal.Date) error {
	d, keep, ok := stageDeadline(*c)
	switch {
	case keep:
		return nil
	case !ok:
		c.Due, c.DueAwaitsCalendar, c.DueFrom, c.DueDeadline = portal.Date{}, false, portal.Date{}, ""
		return nil
	}
	due, err := cal.Due(today, d)
	switch {
	case portal.IsCalendarMissing(err):
		c.Due, c.DueAwaitsCalendar, c.DueFrom, c.DueDeadline = portal.Date{}, true, today, d.Key
	case err != nil:
		return err
	default:
		c.Due, c.DueAwaitsCalendar, c.DueFrom, c.DueDeadline = due, false, portal.Date{}, ""
	}
	return nil
}

// putAwaitingCalendar keeps the index of cases whose deadline waits for a
// calendar year in step with the case.
func putAwaitingCalendar(tx kv.Tx, c portal.Case) error {
	if !c.DueAwaitsCalendar || c.Status.Final() {
		if b := tx.Bucket(bucketCasesAwaitingCalendar); b != nil {
			return b.Delete(itob(c.ID))
		}
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bucketCasesAwaitingCalendar)
	if err != nil {
		return err
	}
	return b.Put(itob(c.ID), nil)
}

func nextRef(tx kv.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(keyRefSeq); len(v) == 8 {
		n = btoi(v)
	}
	n++
	return n, meta.Put(keyRefSeq, itob(n))
}

// OpenExOfficio records a case an organ opens on its own initiative (R11): the
// person is linked by identity number and, with an account, sees it appear.
// docs are the judgment or decision attached to it (issue 18), stored
// encrypted like any upload in the same transaction.
func (db *DB) OpenExOfficio(c portal.Case, st Step, cal *portal.Calendar, docs ...ImportDocument) (portal.Case, error) {
	if len(docs) > portal.MaxDocumentsPerCase {
		return c, &portal.Error{Code: portal.CodeInvalid, Key: "upload.too_many", Fields: map[string]string{"file": "upload.too_many"}}
	}
	if err := db.prepareImportDocuments(docs); err != nil {
		return c, err
	}
	err := db.update(func(tx kv.Tx) error {
		var err error
		c, err = db.openExOfficio(tx, c, st, cal, docs...)
		return err
	})
	return c, err
}

// openExOfficio is OpenExOfficio inside a transaction (also the bulk
// records of organs' systems, ingest.go).
func (db *DB) openExOfficio(tx kv.Tx, c portal.Case, st Step, cal *portal.Calendar, docs ...ImportDocument) (portal.Case, error) {
	err := func() error {
		id, err := tx.Bucket(bucketCases).NextSequence()
		if err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		now := db.now().UTC()
		seq, err := nextRef(tx)
		if err != nil {
			return err
		}
		c.ID, c.ExOfficio, c.FiledBy, c.CreatedAt, c.SubmittedAt = id, true, st.AccountID, now, now
		c.Ref = portal.Reference(today.Year, seq)
		c.Status = ""
		if err := c.SectionErrors(portal.SectionPerson, today).Err(); err != nil {
			return err
		}
		if err := c.SectionErrors(portal.SectionCase, today).Err(); err != nil {
			return err
		}
		if err := c.SectionErrors(portal.SectionOrgans, today).Err(); err != nil {
			return err
		}
		if err := db.checkExOfficioOpen(tx, c, st); err != nil {
			return err
		}
		if len(docs) > portal.MaxDocumentsPerCase {
			return &portal.Error{Code: portal.CodeInvalid, Key: "upload.too_many", Fields: map[string]string{"file": "upload.too_many"}}
		}
		for _, d := range docs {
			d.Document.UploadedBy = st.AccountID
			stored, err := db.putImportDocument(tx, id, d)
			if err != nil {
				return err
			}
			c.Documents = append(c.Documents, stored)
		}
		if err := db.putCase(tx, portal.Case{}, c); err != nil {
			return err
		}
		c, err = db.applyStep(tx, c, st, cal, today)
		return err
	}()
	return c, err
}

// CaseSummary is a row of a person's or lawyer's list.
type CaseSummary struct {
	Case     portal.Case
	Relation Relation
}

// CasesOfAccount lists the cases connected to an account, read through the
// account's index (never a scan of all cases).
func (db *DB) CasesOfAccount(account uint64) ([]CaseSummary, error) {
	var out []CaseSummary
	err := db.view(func(tx kv.Tx) error {
		prefix := itob(account)
		cur := tx.Bucket(bucketCasesByAccount).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			c, err := db.getCase(tx, btoi(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, CaseSummary{Case: c, Relation: Relation(v)})
		}
		return nil
	})
	return out, err
}

// CaseListRow is a row of a person's, guardian's or lawyer's list of cases,
// read from the case summaries (the case itself is not decoded).
type CaseListRow struct {
	CaseID     uint64
	Relation   Relation
	Ref        string
	Status     portal.CaseStatus
	Due        portal.Date
	Decider    uint64
	Holders    int // holding organs (R12)
	Pending    int // holding organs that have not yet confirmed sealing
	PersonName string
	// DueAwaitsCalendar: the deadline is "to be set when the official
	// calendar is published" (issue 12).
	DueAwaitsCalendar bool
}

// CaseListOfAccount is CasesOfAccount for lists: the same cases through the
// account's index, each from its small summary record (a case written before
// summaries existed is read whole).
func (db *DB) CaseListOfAccount(account uint64) ([]CaseListRow, error) {
	var out []CaseListRow
	err := db.view(func(tx kv.Tx) error {
		prefix := itob(account)
		sums := tx.Bucket(bucketCaseSummaries)
		cur := tx.Bucket(bucketCasesByAccount).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			id := btoi(k[8:])
			var s caseSummary
			if raw := bucketGet(sums, itob(id)); raw != nil {
				var err error
				if s, err = db.openSummary(id, raw); err != nil {
					return err
				}
			} else {
				c, err := db.getCase(tx, id)
				if err != nil {
					return err
				}
				s = summarize(c)
			}
			out = append(out, CaseListRow{CaseID: id, Relation: Relation(v), Ref: s.Ref, Status: s.Status, Due: s.Due,
				Decider: s.Decider, Holders: s.Holders, Pending: s.Pending, PersonName: s.PersonName, DueAwaitsCalendar: s.AwaitsCalendar})
		}
		return nil
	})
	return out, err
}

// bucketGet is Get on a bucket that may not exist yet.
func bucketGet(b kv.Bucket, k []byte) []byte {
	if b == nil {
		return nil
	}
	return b.Get(k)
}

// QueueRow is one row of an organ's queue.
type QueueRow struct {
	CaseID    uint64
	Ref       string
	Status    portal.CaseStatus
	Due       portal.Date
	Role      string // decider or holder
	ExOfficio bool
	Submitted time.Time
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published".
	AwaitsCalendar bool
}

// QueueFilter narrows an organ's queue.
type QueueFilter struct {
	Status      portal.CaseStatus // "" for all open statuses
	OverdueOnly bool
	DueWithin   int // days from today; 0 for no limit
	IncludeDone bool
	Offset      int
	Limit       int // default 50
}

// Queue lists an organ's cases by deadline, nearest first (overdue first,
// since their deadlines are earliest; cases with no deadline last), read from
// the organ's index.
func (db *DB) Queue(organ uint64, f QueueFilter) (rows []QueueRow, total int, err error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	today := portal.DateOf(db.now())
	var horizon portal.Date
	if f.DueWithin > 0 {
		horizon = today.AddDays(f.DueWithin)
	}
	err = db.view(func(tx kv.Tx) error {
		var overdueBefore portal.Date
		if f.OverdueOnly {
			overdueBefore = today
		}
		// The total comes from the counts; the walk below then stops as soon
		// as the page is full.
		counted, ok := queueTotal(tx, organ, f.Status, f.IncludeDone, overdueBefore, horizon)
		prefix := itob(organ)
		cur := tx.Bucket(bucketQueueByOrgan).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			if ok && len(rows) >= f.Limit {
				break
			}
			due := dateFromKey(k[8:12])
			if f.OverdueOnly && (due.IsZero() || !today.After(due)) {
				break // keys are in deadline order: nothing later is overdue
			}
			if !horizon.IsZero() && (due.IsZero() || due.After(horizon)) {
				break
			}
			// Counting every matching row must not decode each one: the
			// status is read straight from the entry's JSON, and only the
			// rows of the page asked for are decoded in full.
			st, err := queueStatus(v)
			if err != nil {
				return err
			}
			if f.Status != "" && st != f.Status {
				continue
			}
			// A withdrawn case is in a queue only while the organ still
			// owes its sealing (R11, SealingDuty): that row is open work.
			if f.Status == "" && !f.IncludeDone && st.Final() && st != portal.StatusWithdrawn {
				continue
			}
			total++
			if total <= f.Offset || len(rows) >= f.Limit {
				continue
			}
			var e queueEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			rows = append(rows, QueueRow{CaseID: btoi(k[12:]), Ref: e.Ref, Status: e.Status, Due: due, Role: e.Role, ExOfficio: e.ExOfficio, Submitted: e.Submitted,
				AwaitsCalendar: e.AwaitsCalendar})
		}
		if ok {
			total = counted
		}
		return nil
	})
	return rows, total, err
}

var queueStatusField = []byte(`"status":"`)

// queueStatus reads the status of a queueEntry's JSON without decoding the
// rest. encoding/json writes the fields in declaration order and a status
// never holds a quote or a backslash, so the first "status":" is the field;
// anything unexpected falls back to a full decode.
func queueStatus(v []byte) (portal.CaseStatus, error) {
	if i := bytes.Index(v, queueStatusField); i >= 0 {
		rest := v[i+len(queueStatusField):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 && bytes.IndexByte(rest[:j], '\\') < 0 {
			return portal.CaseStatus(rest[:j]), nil
		}
	}
	var e queueEntry
	if err := json.Unmarshal(v, &e); err != nil {
		return "", err
	}
	return e.Status, nil
}

// OverdueRow is a row of the supervisor's list of overdue cases of all organs.
// Ref, Status, Submitted and Owe come from the deadline index itself (the
// organs that owe the next step: the deciding organ, or each holding organ
// that has not confirmed a sealing, R12).
type OverdueRow struct {
	CaseID    uint64
	Organ     uint64
	Due       portal.Date
	Ref       string
	Status    portal.CaseStatus
	Submitted time.Time
	Owe       []uint64
}

// Overdue lists every open case whose deadline is before today, most overdue
// first, read from the deadline index up to today (never a scan of all cases,
// and no case is decrypted: the index carries what the list shows).
func (db *DB) Overdue(offset, limit int) (rows []OverdueRow, total int, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	today := portal.DateOf(db.now())
	end := dueKey(today)
	err = db.view(func(tx kv.Tx) error {
		counted, ok := queueTotal(tx, 0, "", true, today, portal.Date{})
		cur := tx.Bucket(bucketOpenByDue).Cursor()
		for k, v := cur.First(); k != nil && bytes.Compare(k[:4], end) < 0; k, v = cur.Next() {
			if ok && len(rows) >= limit {
				break // the total is known: no need to walk further
			}
			total++
			if total <= offset || len(rows) >= limit {
				continue
			}
			r := OverdueRow{CaseID: btoi(k[4:]), Organ: btoi(v), Due: dateFromKey(k[:4])}
			if err := db.fillOverdueRow(tx, &r, v[8:]); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		if ok {
			total = counted
		}
		return nil
	})
	return rows, total, err
}

// fillOverdueRow reads the list's fields from the index value, or from the
// case for a row written before the index carried them (migration 9 rewrites
// those).
func (db *DB) fillOverdueRow(tx kv.Tx, r *OverdueRow, raw []byte) error {
	if len(raw) > 0 {
		var e overdueEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("store: overdue index of case %d: %w", r.CaseID, err)
		}
		r.Ref, r.Status, r.Submitted, r.Owe = e.Ref, e.Status, e.Submitted, e.Owe
		return nil
	}
	c, err := db.getCase(tx, r.CaseID)
	if err != nil {
		return err
	}
	raw, err = overdueValue(c)
	if err != nil {
		return err
	}
	return db.fillOverdueRow(tx, r, raw[8:])
}

// OverdueFilter narrows the supervisor's overdue list by status and by an
// organ that owes the next step.
type OverdueFilter struct {
	Status portal.CaseStatus
	Organ  uint64
	Offset int
	Limit  int // default 50
}

// OverdueFiltered is Overdue narrowed by status or organ, still from the
// deadline index alone (each overdue row's small index value is read, no case
// is opened).
func (db *DB) OverdueFiltered(f OverdueFilter) (rows []OverdueRow, total int, err error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	today := portal.DateOf(db.now())
	end := dueKey(today)
	err = db.view(func(tx kv.Tx) error {
		cur := tx.Bucket(bucketOpenByDue).Cursor()
		for k, v := cur.First(); k != nil && bytes.Compare(k[:4], end) < 0; k, v = cur.Next() {
			r := OverdueRow{CaseID: btoi(k[4:]), Organ: btoi(v), Due: dateFromKey(k[:4])}
			if err := db.fillOverdueRow(tx, &r, v[8:]); err != nil {
				return err
			}
			if f.Status != "" && r.Status != f.Status || f.Organ != 0 && !slices.Contains(r.Owe, f.Organ) {
				continue
			}
			total++
			if total <= f.Offset || len(rows) >= f.Limit {
				continue
			}
			rows = append(rows, r)
		}
		return nil
	})
	return rows, total, err
}

// rebuildOverdueIndex is migration 9: queue_counts is built (countQueues),
// and every open_by_due row gets the list's
// fields after the organ id, taken from the deciding organ's queue row of the
// same case (plain index data, so the migration needs no key). A sealed case
// is left in the old format: which holders still owe their sealing is known
// exactly only from the case, so its row is read through the case until its
// next step rewrites it.
func rebuildOverdueIndex(tx kv.Tx) error {
	open, queue := tx.Bucket(bucketOpenByDue), tx.Bucket(bucketQueueByOrgan)
	if open == nil || queue == nil {
		return nil
	}
	type row struct{ key, value []byte }
	var rewrite []row
	cur := open.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if len(v) != 8 {
			continue
		}
		decider := btoi(v)
		raw := queue.Get(append(itob(decider), k...)) // organ | due | case id
		if raw == nil {
			continue
		}
		var e queueEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return err
		}
		if e.Status == portal.StatusSealed {
			continue
		}
		out, err := json.Marshal(overdueEntry{Ref: e.Ref, Status: e.Status, Submitted: e.Submitted, Owe: []uint64{decider}})
		if err != nil {
			return err
		}
		rewrite = append(rewrite, row{copyBytes(k), append(itob(decider), out...)})
	}
	for _, r := range rewrite {
		if err := open.Put(r.key, r.value); err != nil {
			return err
		}
	}
	return countQueues(tx)
}

// countQueues (re)builds queue_counts from the organ queues and the deadline
// index (part of migration 9).
func countQueues(tx kv.Tx) error {
	if err := tx.DeleteBucket(bucketQueueCounts); err != nil && !errors.Is(err, kv.ErrBucketNotFound) {
		return err
	}
	counts, err := tx.CreateBucket(bucketQueueCounts)
	if err != nil {
		return err
	}
	sums := map[string]uint64{}
	err = tx.Bucket(bucketQueueByOrgan).ForEach(func(k, v []byte) error {
		st, err := queueStatus(v)
		if err != nil {
			return err
		}
		sums[string(append(copyBytes(k[:12]), st...))]++
		return nil
	})
	if err != nil {
		return err
	}
	queue := tx.Bucket(bucketQueueByOrgan)
	err = tx.Bucket(bucketOpenByDue).ForEach(func(k, v []byte) error {
		var st portal.CaseStatus
		if len(v) > 8 {
			var e overdueEntry
			if err := json.Unmarshal(v[8:], &e); err != nil {
				return err
			}
			st = e.Status
		} else if raw := queue.Get(append(itob(btoi(v)), k...)); raw != nil {
			var err error
			if st, err = queueStatus(raw); err != nil {
				return err
			}
		}
		sums[string(queueCountKey(0, dateFromKey(k[:4]), st))]++
		return nil
	})
	if err != nil {
		return err
	}
	for k, n := range sums {
		if err := counts.Put([]byte(k), itob(n)); err != nil {
			return err
		}
	}
	return nil
}

// ImportCase is one synthetic case of an import batch with its documents
// (stored encrypted like any upload) and messages.
type ImportCase struct {
	Case      portal.Case
	Documents []ImportDocument
	Messages  []portal.Message // From, FromRole, OrganID and Text; the case id and time are set here
}

// ImportDocument is a document of an imported case and its bytes.
type ImportDocument struct {
	Document portal.Document
	Content  []byte

	prepared *preparedDoc // encrypted and uploaded before the transaction (documents.go)
}

// prepareImportDocuments encrypts and uploads docs' contents, before the
// transaction that records them.
func (db *DB) prepareImportDocuments(docs []ImportDocument) error {
	contents := make([][]byte, len(docs))
	for i := range docs {
		contents[i] = docs[i].Content
	}
	prepared, err := caseFiles.prepareDocuments(db, contents...)
	if err != nil {
		return err
	}
	for i := range docs {
		docs[i].prepared = prepared[i]
	}
	return nil
}

// putImportDocument records a prepared document of case id.
func (db *DB) putImportDocument(tx kv.Tx, id uint64, d ImportDocument) (portal.Document, error) {
	if d.prepared == nil {
		return d.Document, errors.New("store: document not prepared before the transaction")
	}
	return db.putDocument(tx, id, d.Document, d.prepared)
}

// ImportCases writes a batch of complete cases in one transaction, with their
// indexes, links to the filing account (when FiledBy is set) and to the
// person's accounts, and one audit entry per case. It is for the seed
// command's synthetic data, where one transaction per case would take hours
// for a million.
func (db *DB) ImportCases(batch []portal.Case) ([]portal.Case, error) {
	in := make([]ImportCase, len(batch))
	for i, c := range batch {
		in[i].Case = c
	}
	return db.ImportCasesWith(in)
}

// ImportCasesWith is ImportCases with documents and messages. Each case gets
// an audit entry (created, "seed"), and each message its own, as the portal
// would have written them.
func (db *DB) ImportCasesWith(batch []ImportCase) ([]portal.Case, error) {
	for i := range batch {
		if err := db.prepareImportDocuments(batch[i].Documents); err != nil {
			return nil, err
		}
	}
	out := make([]portal.Case, 0, len(batch))
	err := db.update(func(tx kv.Tx) error {
		out = out[:0]
		b := tx.Bucket(bucketCases)
		// Ids only grow within a batch: full pages cost nothing and keep the
		// file small, as for the audit log.
		b.SetFillPercent(0.95)
		for _, ic := range batch {
			c := ic.Case
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			c.ID = id
			if c.Status != portal.StatusDraft && c.Ref == "" {
				seq, err := nextRef(tx)
				if err != nil {
					return err
				}
				c.Ref = portal.Reference(portal.DateOf(c.CreatedAt).Year, seq)
			}
			c.Documents = slices.Clone(c.Documents)
			for _, d := range ic.Documents {
				doc, err := db.putImportDocument(tx, id, d)
				if err != nil {
					return err
				}
				c.Documents = append(c.Documents, doc)
			}
			// The filer first: putCase then writes the desk's rows of every
			// linked account from the case in hand, and the filer's link
			// wins over the person's (a person who files his own case).
			if c.FiledBy != 0 {
				if err := linkRows(tx, c.FiledBy, id, RelFiler); err != nil {
					return err
				}
			}
			if err := db.putCase(tx, portal.Case{}, c); err != nil {
				return err
			}
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseCreated, ActorID: c.FiledBy,
				SubjectKind: kindCase, SubjectID: id, Detail: "seed"}); err != nil {
				return err
			}
			for _, m := range ic.Messages {
				if err := db.importMessage(tx, c, m); err != nil {
					return err
				}
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// importMessage stores one message of an imported case, audited, without
// notifications (synthetic people read nothing).
func (db *DB) importMessage(tx kv.Tx, c portal.Case, m portal.Message) error {
	b := tx.Bucket(bucketMessages)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	m.ID, m.CaseID = id, c.ID
	if m.From == 0 && m.FromRole.IsCitizen() {
		m.From = c.FiledBy
	}
	if m.At.IsZero() {
		m.At = c.CreatedAt
	}
	raw, err := db.crypt.sealJSON(kindMessage, id, fmt.Sprintf("case:%d", c.ID), m)
	if err != nil {
		return err
	}
	if err := b.Put(append(itob(c.ID), itob(id)...), raw); err != nil {
		return err
	}
	if err := deskMessage(tx, m); err != nil {
		return err
	}
	return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditMessage, ActorID: m.From, ActorRole: m.FromRole,
		SubjectKind: kindCase, SubjectID: c.ID})
}

// HasCases reports whether the database holds any case (the seed command
// adds synthetic cases only to a database without any).
func (db *DB) HasCases() (bool, error) {
	var any bool
	err := db.view(func(tx kv.Tx) error {
		k, _ := tx.Bucket(bucketCases).Cursor().First()
		any = k != nil
		return nil
	})
	return any, err
}

// ImportAccounts creates a batch of synthetic citizen accounts in one
// transaction, with their login and identity-number indexes, links to cases
// already about them, and one audit entry each. The seed command gives them
// all one precomputed password hash: hashing a password per synthetic account
// would take days for a million.
func (db *DB) ImportAccounts(batch []portal.Account) ([]portal.Account, error) {
	out := make([]portal.Account, 0, len(batch))
	err := db.update(func(tx kv.Tx) error {
		out = out[:0]
		b, byLogin := tx.Bucket(bucketAccounts), tx.Bucket(bucketAccountsByLogin)
		b.SetFillPercent(0.95)
		now := db.now().UTC()
		for _, a := range batch {
			if err := a.Validate(); err != nil {
				return fmt.Errorf("store: import account %s: %w", a.Login, err)
			}
			loginKey := db.crypt.blind("login", a.Login)
			if db.getBlind(byLogin, "login", a.Login) != nil {
				return &portal.Error{Code: portal.CodeConflict, Key: "register.login_taken", Fields: map[string]string{"mobile": "register.login_taken"}}
			}
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			a.ID = id
			if a.CreatedAt.IsZero() {
				a.CreatedAt = now
			}
			if err := db.putAccount(tx, a); err != nil {
				return err
			}
			if err := byLogin.Put(loginKey, itob(id)); err != nil {
				return err
			}
			if a.IDNumber != "" {
				if err := tx.Bucket(bucketAccountsByIDNum).Put(append(db.accountPersonKey(a), itob(id)...), nil); err != nil {
					return err
				}
				if err := db.onNewAccountIdentity(tx, a); err != nil {
					return err
				}
			}
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditAccountCreated,
				SubjectKind: kindAccount, SubjectID: id, Detail: string(a.Role)}); err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}
