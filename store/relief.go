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

// Relief requests (R24) and the correction notices the supervisor issues on
// them. The whole request is one AES-GCM ciphertext bound to its id, like a
// case; what the supervisor's queue and the organs' notice lists need lives
// in indexes without personal data:
//
//	relief_requests            id -> {body: encrypted JSON of portal.ReliefRequest}
//	relief_by_ref              "JZ-2026-000007" -> id
//	relief_by_account          account id | relief id -> "" (the filer's list)
//	relief_queue               due (4 bytes; 99999999 for none or finished) | relief id -> reliefQueueEntry
//	relief_documents           document id -> encrypted bytes, bound to the document id and the relief id
//	relief_messages            relief id | message id -> {body: encrypted JSON}
//	correction_notices         organ id | due (4 bytes) | notice id -> noticeEntry (the organ's queue of notices)
//	correction_notice_records  notice id -> {body: encrypted JSON of portal.CorrectionNotice}
//	meta / relief_reference_seq  the last JZ-YYYY-nnnnnn number given

var (
	bucketRelief          = []byte("relief_requests")
	bucketReliefByRef     = []byte("relief_by_ref")
	bucketReliefByAccount = []byte("relief_by_account")
	bucketReliefQueue     = []byte("relief_queue")
	bucketReliefDocuments = []byte("relief_documents")
	bucketReliefMessages  = []byte("relief_messages")
	bucketNotices         = []byte("correction_notices")
	bucketNoticeRecords   = []byte("correction_notice_records")
	keyReliefRefSeq       = []byte("relief_reference_seq")
)

// reliefBuckets are created by migration 4.
func reliefBuckets() [][]byte {
	return [][]byte{bucketRelief, bucketReliefByRef, bucketReliefByAccount, bucketReliefQueue, bucketReliefDocuments,
		bucketReliefMessages, bucketNotices, bucketNoticeRecords}
}

const (
	kindRelief         = "relief"
	kindReliefDocument = "relief_document"
	kindReliefMessage  = "relief_message"
	kindNotice         = "correction_notice"
)

// CorrectionNotice is a correction notice as the organs' queue lists it.
type CorrectionNotice = portal.CorrectionNotice

// reliefBody is the stored form of portal.ReliefRequest.
type reliefBody portal.ReliefRequest

// reliefFiles is the tracked-file shape of relief requests (trackedfile.go).
var reliefFiles = newFileKind(fileKind[portal.ReliefRequest, reliefBody]{kind: kindRelief, records: bucketRelief,
	byRef: bucketReliefByRef, byAccount: bucketReliefByAccount,
	documents: bucketReliefDocuments, docKind: kindReliefDocument, docField: "content:relief:%d",
	refs: bucketReliefDocumentRefs, refKind: kindReliefDocumentRef, refField: "ref:relief:%d", objTag: 'r',
	toBody:   func(r portal.ReliefRequest) reliefBody { return reliefBody(r) },
	fromBody: func(b reliefBody) portal.ReliefRequest { return portal.ReliefRequest(b) }})

func (db *DB) getRelief(tx kv.Tx, id uint64) (portal.ReliefRequest, error) {
	return reliefFiles.get(db, tx, id)
}

// reliefQueueEntry is what the supervisor's queue shows without opening the
// request: no personal data.
type reliefQueueEntry struct {
	Ref       string              `json:"ref"`
	Status    portal.ReliefStatus `json:"status"`
	Due       string              `json:"due,omitempty"`
	Submitted time.Time           `json:"submitted,omitzero"`
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published".
	AwaitsCalendar bool `json:"awaits_calendar,omitempty"`
	Linked         bool `json:"linked,omitempty"`
}

// reliefQueueKey sorts open requests by deadline and finished ones last.
func reliefQueueKey(r portal.ReliefRequest) []byte {
	due, awaits := r.Due, r.DueAwaitsCalendar
	if !r.Status.Open() {
		due, awaits = portal.Date{}, false
	}
	return append(dueKeyOf(due, awaits), itob(r.ID)...)
}

// putRelief writes a request and moves its index rows from old (zero for a
// new one) to r.
func (db *DB) putRelief(tx kv.Tx, old, r portal.ReliefRequest) error {
	if err := reliefFiles.put(db, tx, r.ID, r); err != nil {
		return err
	}
	if err := putStatistics(tx, r); err != nil { // issue 17 (statistics.go)
		return err
	}
	if r.Ref != "" && r.Ref != old.Ref {
		if err := reliefFiles.putRef(tx, r.Ref, r.ID); err != nil {
			return err
		}
	}
	q := tx.Bucket(bucketReliefQueue)
	if old.ID != 0 && old.Status != "" && old.Status != portal.ReliefDraft {
		if err := q.Delete(reliefQueueKey(old)); err != nil {
			return err
		}
	}
	if r.Status == portal.ReliefDraft {
		return nil // a draft is nobody's business but the applicant's
	}
	e := reliefQueueEntry{Ref: r.Ref, Status: r.Status, Submitted: r.SubmittedAt, Linked: r.LinkedCaseID != 0, AwaitsCalendar: r.DueAwaitsCalendar && r.Status.Open()}
	if !r.Due.IsZero() {
		e.Due = r.Due.String()
	}
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return q.Put(reliefQueueKey(r), v)
}

// checkLinkedCase makes sure the linked sealing case is one of the account's
// own sent cases, and fills in its reference.
func (db *DB) checkLinkedCase(tx kv.Tx, account uint64, r *portal.ReliefRequest) error {
	if r.LinkedCaseID == 0 {
		r.LinkedCaseRef = ""
		return nil
	}
	bad := &portal.Error{Code: portal.CodeInvalid, Key: "error.form_invalid", Fields: map[string]string{"linked_case": "relief.linked_case_invalid"}}
	if tx.Bucket(bucketCasesByAccount).Get(append(itob(account), itob(r.LinkedCaseID)...)) == nil {
		return bad
	}
	c, err := db.getCase(tx, r.LinkedCaseID)
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return bad
		}
		return err
	}
	if c.Ref == "" || c.Status == portal.StatusDraft {
		return bad
	}
	r.LinkedCaseRef = c.Ref
	return nil
}

// cleanRelief trims what the applicant typed before it is validated and stored.
func cleanRelief(r *portal.ReliefRequest) {
	r.PersonName = strings.TrimSpace(r.PersonName)
	r.UnitName = strings.TrimSpace(r.UnitName)
	r.Description = strings.TrimSpace(r.Description)
	if r.Capacity == portal.CapacitySelf {
		r.PersonName = "" // the person's own account is the person
	}
}

// CreateReliefDraft stores the applicant's answers as a draft, to which
// evidence is added before it is sent.
func (db *DB) CreateReliefDraft(r portal.ReliefRequest, account uint64) (portal.ReliefRequest, error) {
	err := db.update(func(tx kv.Tx) error {
		to, err := portal.NextRelief("", portal.ReliefCreate, portal.ReliefActorApplicant)
		if err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		cleanRelief(&r)
		if err := r.Validate(today); err != nil {
			return err
		}
		if err := db.checkLinkedCase(tx, account, &r); err != nil {
			return err
		}
		id, err := tx.Bucket(bucketRelief).NextSequence()
		if err != nil {
			return err
		}
		now := db.now().UTC()
		r.ID, r.Status, r.FiledBy, r.CreatedAt, r.UpdatedAt = id, to, account, now, now
		if err := db.rememberSubmission(tx, SubmissionRelief, id); err != nil { // idempotency.go
			return err
		}
		r.Ref, r.Due, r.Outcome, r.Documents, r.NoticeIDs = "", portal.Date{}, "", nil, nil
		r.Events = []portal.ReliefEvent{{At: now, ActorID: account, Action: portal.ReliefCreate, To: to}}
		if err := db.putRelief(tx, portal.ReliefRequest{}, r); err != nil {
			return err
		}
		if err := tx.Bucket(bucketReliefByAccount).Put(append(itob(account), itob(id)...), nil); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseCreated, ActorID: account, SubjectKind: kindRelief, SubjectID: id, Detail: "draft"})
	})
	return r, err
}

// UpdateReliefDraft saves the applicant's changed answers on a draft. fn
// edits a copy; only the answers are kept from it.
func (db *DB) UpdateReliefDraft(id, account uint64, fn func(*portal.ReliefRequest) error) (portal.ReliefRequest, error) {
	var r portal.ReliefRequest
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getRelief(tx, id)
		if err != nil {
			return err
		}
		if old.FiledBy != account {
			return portal.NotFound()
		}
		if old.Status != portal.ReliefDraft {
			return portal.Conflict("relief.not_editable")
		}
		r = old
		r.Remedies = slices.Clone(old.Remedies)
		if err := fn(&r); err != nil {
			return err
		}
		// Everything but the answers stays as it was.
		r.ID, r.Ref, r.Status, r.FiledBy, r.Capacity = old.ID, old.Ref, old.Status, old.FiledBy, old.Capacity
		r.Documents, r.Events, r.Due, r.Outcome, r.NoticeIDs, r.CreatedAt = old.Documents, old.Events, old.Due, old.Outcome, old.NoticeIDs, old.CreatedAt
		cleanRelief(&r)
		if err := r.Validate(portal.DateOf(db.now())); err != nil {
			return err
		}
		if err := db.checkLinkedCase(tx, account, &r); err != nil {
			return err
		}
		r.UpdatedAt = db.now().UTC()
		return db.putRelief(tx, old, r)
	})
	return r, err
}

func (db *DB) putReliefDocument(tx kv.Tx, reliefID uint64, d portal.Document, p *preparedDoc) (portal.Document, error) {
	return reliefFiles.putDocument(db, tx, reliefID, d, p)
}

var errTooManyDocs = &portal.Error{Code: portal.CodeInvalid, Key: "upload.too_many", Fields: map[string]string{"file": "relief.too_many_files"}}

// AddReliefDocuments adds evidence to the applicant's draft: the bytes are
// stored encrypted, at most portal.MaxDocumentsPerCase files in all.
func (db *DB) AddReliefDocuments(id, account uint64, docs []portal.Document, files [][]byte) ([]portal.Document, error) {
	if len(docs) != len(files) {
		return nil, fmt.Errorf("store: %d documents and %d files", len(docs), len(files))
	}
	if len(files) > portal.MaxDocumentsPerCase {
		return nil, errTooManyDocs
	}
	// Encrypted and uploaded before the transaction (documents.go).
	prepared, err := reliefFiles.prepareDocuments(db, files...)
	if err != nil {
		return nil, err
	}
	var out []portal.Document
	err = db.update(func(tx kv.Tx) error {
		out = out[:0]
		old, err := db.getRelief(tx, id)
		if err != nil {
			return err
		}
		if old.FiledBy != account {
			return portal.NotFound()
		}
		if old.Status != portal.ReliefDraft {
			return portal.Conflict("relief.not_editable")
		}
		if len(old.Documents)+len(docs) > portal.MaxDocumentsPerCase {
			return errTooManyDocs
		}
		r := old
		r.Documents = slices.Clone(old.Documents)
		for i, d := range docs {
			d.Kind, d.UploadedBy = portal.DocOther, account
			if d, err = db.putReliefDocument(tx, id, d, prepared[i]); err != nil {
				return err
			}
			r.Documents = append(r.Documents, d)
			out = append(out, d)
		}
		r.UpdatedAt = db.now().UTC()
		if err := db.putRelief(tx, old, r); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditDocumentAdded, ActorID: account, SubjectKind: kindRelief,
			SubjectID: id, Detail: fmt.Sprintf("evidence:%d", len(docs))})
	})
	return out, err
}

// RemoveReliefDocument takes a file off the applicant's draft.
func (db *DB) RemoveReliefDocument(id, docID, account uint64) error {
	var key string
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getRelief(tx, id)
		if err != nil {
			return err
		}
		if old.FiledBy != account {
			return portal.NotFound()
		}
		if old.Status != portal.ReliefDraft {
			return portal.Conflict("relief.not_editable")
		}
		i := slices.IndexFunc(old.Documents, func(d portal.Document) bool { return d.ID == docID })
		if i < 0 {
			return portal.NotFound()
		}
		r := old
		r.Documents = slices.Delete(slices.Clone(old.Documents), i, i+1)
		r.UpdatedAt = db.now().UTC()
		if err := db.putRelief(tx, old, r); err != nil {
			return err
		}
		key, err = reliefFiles.deleteDocument(db, tx, id, docID)
		return err
	})
	if err == nil {
		db.dropObjects([]string{key})
	}
	return err
}

// ReliefDocumentContent returns a file's bytes; the caller has decided that
// the reader may have them. A file of another request does not decrypt under
// this request's binding and answers 404.
func (db *DB) ReliefDocumentContent(reliefID, docID uint64) ([]byte, error) {
	var src docSource
	err := db.view(func(tx kv.Tx) (err error) {
		src, err = reliefFiles.documentSource(db, tx, reliefID, docID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.loadDocument(src)
}

// Relief returns a request without any access check: handlers decide who may
// see it (the filer, the supervisor).
func (db *DB) Relief(id uint64) (portal.ReliefRequest, error) {
	var r portal.ReliefRequest
	err := db.view(func(tx kv.Tx) error {
		var err error
		r, err = db.getRelief(tx, id)
		return err
	})
	return r, err
}

// ReliefForSupervisor returns a request to the supervisor. A request linked
// to a sealing case tells of a sealed record, so the read is in the audit log
// in the same transaction, like any read of the case (R17).
func (db *DB) ReliefForSupervisor(id uint64, reader portal.Account, proof portal.FreshFactor, requestID string) (portal.ReliefRequest, error) {
	var r portal.ReliefRequest
	if err := proof.Check(reader, db.now()); err != nil {
		return r, err
	}
	err := db.update(func(tx kv.Tx) error {
		var err error
		if r, err = db.getRelief(tx, id); err != nil {
			return err
		}
		if r.Status == portal.ReliefDraft {
			return portal.NotFound() // a draft is the applicant's alone
		}
		if r.LinkedCaseID == 0 {
			return nil
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSealedRead, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: kindCase, SubjectID: r.LinkedCaseID, Detail: "supervision:relief:" + r.Ref, RequestID: requestID})
	})
	return r, err
}

// ReliefOfAccount lists the requests an account filed, newest first, read
// through the account's index.
func (db *DB) ReliefOfAccount(account uint64) ([]portal.ReliefRequest, error) {
	var out []portal.ReliefRequest
	err := db.view(func(tx kv.Tx) (err error) {
		out, err = reliefFiles.ofAccount(db, tx, account)
		return err
	})
	return out, err
}

// ReliefByRef finds a request's id by its reference number.
func (db *DB) ReliefByRef(ref string) (uint64, error) {
	var id uint64
	err := db.view(func(tx kv.Tx) (err error) {
		id, err = reliefFiles.idByRef(tx, ref)
		return err
	})
	return id, err
}

// ReliefStep is one step on a relief request by someone.
type ReliefStep struct {
	portal.ReliefStep
	AccountID uint64
	Role      portal.Role
	NoticeID  uint64 // the notice an organ answers
	RequestID string
}

// ApplyRelief takes one step on a request in one transaction: the state
// machine decides the next status, the step is validated, the deadline is
// computed on the calendar when the request is sent (R24), a correction
// notice joins the organ's queue with its own deadline, and the timeline,
// indexes, notification and audit log follow.
func (db *DB) ApplyRelief(id uint64, st ReliefStep, cal *portal.Calendar) (portal.ReliefRequest, error) {
	var r portal.ReliefRequest
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getRelief(tx, id)
		if err != nil {
			return err
		}
		r, err = db.applyRelief(tx, old, st, cal)
		return err
	})
	return r, err
}

// reliefNotifyKeys is what the applicant is told after each step (nothing for
// his own steps).
var reliefNotifyKeys = map[portal.ReliefAction]string{
	portal.ReliefAccept:         "notify.relief.accepted",
	portal.ReliefDecline:        "notify.relief.declined",
	portal.ReliefAskInfo:        "notify.relief.info_requested",
	portal.ReliefRecordStep:     "notify.relief.step",
	portal.ReliefIssueNotice:    "notify.relief.notice",
	portal.ReliefNoticeAnswered: "notify.relief.notice_answered",
	portal.ReliefClose:          "notify.relief.closed",
}

// organKind reads an organ's kind inside the transaction.
func organKind(tx kv.Tx, id uint64) (portal.Role, bool) {
	v := tx.Bucket(bucketOrgans).Get(itob(id))
	if v == nil {
		return "", false
	}
	var o organRecord
	if err := json.Unmarshal(v, &o); err != nil {
		return "", false
	}
	return o.Kind, true
}

func (db *DB) applyRelief(tx kv.Tx, old portal.ReliefRequest, st ReliefStep, cal *portal.Calendar) (portal.ReliefRequest, error) {
	to, err := portal.NextRelief(old.Status, st.Action, st.Actor)
	if err != nil {
		return old, err
	}
	if st.Actor == portal.ReliefActorApplicant && st.AccountID != old.FiledBy {
		return old, portal.NotFound()
	}
	st.Note = strings.TrimSpace(st.Note)
	if err := st.ReliefStep.Validate(old); err != nil {
		return old, err
	}
	if st.OrganID != 0 {
		// The organ named must exist, and a notice goes to a sealing organ (R12).
		kind, ok := organKind(tx, st.OrganID)
		if !ok || st.Action == portal.ReliefIssueNotice && !kind.IsOrgan() {
			return old, &portal.Error{Code: portal.CodeInvalid, Key: "error.form_invalid", Fields: map[string]string{"organ": "relief.organ_required"}}
		}
	}
	today := portal.DateOf(db.now())
	now := db.now().UTC()
	r := old
	r.Events = slices.Clone(old.Events)
	ev := portal.ReliefEvent{At: now, ActorID: st.AccountID, ActorRole: st.Role, OrganID: st.OrganID, Action: st.Action,
		From: old.Status, To: to, Kind: st.Kind, Note: st.Note}
	switch st.Action {
	case portal.ReliefSubmit:
		if err := r.Validate(today); err != nil {
			return old, err
		}
		// R24: the supervisor's time runs from the day the request is sent;
		// a year without its official calendar leaves it to be set then.
		if r.Due, r.DueAwaitsCalendar, err = dueOrAwait(tx, cal, kindRelief, r.ID, today, portal.Policy.ReliefHandling); err != nil {
			return old, err
		}
		seq, err := nextReliefRef(tx)
		if err != nil {
			return old, err
		}
		r.Ref, r.SubmittedAt = portal.ReliefReference(today.Year, seq), now
		ev.Note = ""
	case portal.ReliefDecline, portal.ReliefClose:
		r.Outcome = st.Note
	case portal.ReliefAskInfo:
		// The question is also a message, so the conversation reads in order.
		if _, err := db.putReliefMessage(tx, portal.ReliefMessage{ReliefID: r.ID, From: st.AccountID, FromRole: st.Role, Text: st.Note}); err != nil {
			return old, err
		}
	case portal.ReliefIssueNotice:
		n, err := db.issueNotice(tx, r, st, cal, today, now)
		if err != nil {
			return old, err
		}
		r.NoticeIDs = append(slices.Clone(old.NoticeIDs), n.ID)
		ev.Kind, ev.NoticeID, ev.NoticeDue, ev.NoticeDueAwaitsCalendar = portal.StepCorrectionNotice, n.ID, n.Due, n.DueAwaitsCalendar
	case portal.ReliefNoticeAnswered:
		ev.NoticeID = st.NoticeID
	}
	r.Status, r.UpdatedAt = to, now
	r.Events = append(r.Events, ev)
	if err := db.putRelief(tx, old, r); err != nil {
		return old, err
	}
	if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseStep, ActorID: st.AccountID, ActorRole: st.Role,
		SubjectKind: kindRelief, SubjectID: r.ID, Detail: string(st.Action) + ":" + string(to), RequestID: st.RequestID}); err != nil {
		return old, err
	}
	if key, ok := reliefNotifyKeys[st.Action]; ok && r.FiledBy != st.AccountID {
		if err := db.notify(tx, r.FiledBy, portal.Notification{CaseID: r.ID, Ref: r.Ref, Key: key}); err != nil {
			return old, err
		}
	}
	return r, nil
}

func nextReliefRef(tx kv.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(keyReliefRefSeq); len(v) == 8 {
		n = btoi(v)
	}
	n++
	return n, meta.Put(keyReliefRefSeq, itob(n))
}

// noticeEntry is what an organ's list of notices shows without opening one.
type noticeEntry struct {
	ReliefRef string `json:"relief_ref"`
	CaseRef   string `json:"case_ref"`
	Answered  bool   `json:"answered,omitempty"`
}

func noticeKey(n portal.CorrectionNotice) []byte {
	k := make([]byte, 0, 20)
	k = append(k, itob(n.OrganID)...)
	k = append(k, dueKeyOf(n.Due, n.DueAwaitsCalendar)...)
	return append(k, itob(n.ID)...)
}

func (db *DB) putNotice(tx kv.Tx, n portal.CorrectionNotice) error {
	raw, err := db.crypt.sealJSON(kindNotice, n.ID, "body", n)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketNoticeRecords).Put(itob(n.ID), raw); err != nil {
		return err
	}
	e, err := json.Marshal(noticeEntry{ReliefRef: n.ReliefRef, CaseRef: n.CaseRef, Answered: n.Answered()})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketNotices).Put(noticeKey(n), e)
}

func (db *DB) getNotice(tx kv.Tx, id uint64) (portal.CorrectionNotice, error) {
	raw := tx.Bucket(bucketNoticeRecords).Get(itob(id))
	if raw == nil {
		return portal.CorrectionNotice{}, portal.NotFound()
	}
	var n portal.CorrectionNotice
	if err := db.crypt.openJSON(kindNotice, id, "body", raw, &n); err != nil {
		return portal.CorrectionNotice{}, err
	}
	return n, nil
}

// issueNotice creates a correction notice to st.OrganID on the request's
// linked case, due Policy.CorrectionAnswer from today (R24).
func (db *DB) issueNotice(tx kv.Tx, r portal.ReliefRequest, st ReliefStep, cal *portal.Calendar, today portal.Date, now time.Time) (portal.CorrectionNotice, error) {
	c, err := db.getCase(tx, r.LinkedCaseID)
	if err != nil {
		return portal.CorrectionNotice{}, err
	}
	id, err := tx.Bucket(bucketNoticeRecords).NextSequence()
	if err != nil {
		return portal.CorrectionNotice{}, err
	}
	due, awaits, err := dueOrAwait(tx, cal, kindNotice, id, today, portal.Policy.CorrectionAnswer)
	if err != nil {
		return portal.CorrectionNotice{}, err
	}
	n := portal.CorrectionNotice{ID: id, ReliefID: r.ID, ReliefRef: r.Ref, CaseID: c.ID, CaseRef: c.Ref, OrganID: st.OrganID,
		Text: st.Note, IssuedBy: st.AccountID, IssuedAt: now, Due: due, DueAwaitsCalendar: awaits}
	return n, db.putNotice(tx, n)
}

// ReliefFilter narrows the supervisor's queue of relief requests.
type ReliefFilter struct {
	Status      portal.ReliefStatus // "" for every open request
	OverdueOnly bool
	Offset      int
	Limit       int // default 50, at most 200
}

// ReliefRow is one row of the supervisor's queue.
type ReliefRow struct {
	ID        uint64
	Ref       string
	Status    portal.ReliefStatus
	Due       portal.Date // zero once finished
	Submitted time.Time
	Linked    bool // linked to a sealing case
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published" (such rows come after every dated one).
	AwaitsCalendar bool
}

// ReliefQueue lists relief requests by deadline, nearest first (overdue ones
// first; finished ones last), read from the queue index.
func (db *DB) ReliefQueue(f ReliefFilter) (rows []ReliefRow, total int, err error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	today := portal.DateOf(db.now())
	err = db.view(func(tx kv.Tx) error {
		cur := tx.Bucket(bucketReliefQueue).Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			due := dateFromKey(k[:4])
			if f.OverdueOnly && (due.IsZero() || !today.After(due)) {
				break // keys are in deadline order: nothing later is overdue
			}
			if due.IsZero() && !keyAwaits(k[:4]) && (f.Status == "" || f.Status.Open()) {
				break // only finished requests are kept without a deadline, after all the others
			}
			var e reliefQueueEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if f.Status == "" && !e.Status.Open() || f.Status != "" && e.Status != f.Status {
				continue
			}
			total++
			if total <= f.Offset || len(rows) >= f.Limit {
				continue
			}
			rows = append(rows, ReliefRow{ID: btoi(k[4:]), Ref: e.Ref, Status: e.Status, Due: due, Submitted: e.Submitted, Linked: e.Linked, AwaitsCalendar: e.AwaitsCalendar})
		}
		return nil
	})
	return rows, total, err
}

// putReliefMessage stores a message (its attachments already stored).
func (db *DB) putReliefMessage(tx kv.Tx, m portal.ReliefMessage) (portal.ReliefMessage, error) {
	b := tx.Bucket(bucketReliefMessages)
	id, err := b.NextSequence()
	if err != nil {
		return m, err
	}
	m.ID, m.At = id, db.now().UTC()
	raw, err := db.crypt.sealJSON(kindReliefMessage, id, fmt.Sprintf("relief:%d", m.ReliefID), m)
	if err != nil {
		return m, err
	}
	return m, b.Put(append(itob(m.ReliefID), itob(id)...), raw)
}

// AddReliefMessage stores a message between the applicant and the supervisor,
// with the applicant's attachments as further evidence. When the supervisor
// asked the applicant for more before deciding, the applicant's message is
// the answer and sends the request back to the supervisor (provide_info).
// The applicant is notified of the supervisor's messages.
func (db *DB) AddReliefMessage(m portal.ReliefMessage, files [][]byte, cal *portal.Calendar) (portal.ReliefMessage, error) {
	if len(files) > portal.MaxDocumentsPerCase*2 {
		return m, errTooManyDocs
	}
	// Encrypted and uploaded before the transaction (documents.go).
	prepared, err := reliefFiles.prepareDocuments(db, files...)
	if err != nil {
		return m, err
	}
	err = db.update(func(tx kv.Tx) error {
		old, err := db.getRelief(tx, m.ReliefID)
		if err != nil {
			return err
		}
		applicant := m.From == old.FiledBy
		if !applicant && m.FromRole != portal.RoleSupervisor {
			return portal.NotFound()
		}
		if old.Status == portal.ReliefDraft || old.Status.Final() {
			return portal.Conflict("relief.messages_closed")
		}
		if len(files) != len(m.Documents) {
			return fmt.Errorf("store: message has %d documents and %d files", len(m.Documents), len(files))
		}
		if len(old.Documents)+len(m.Documents) > portal.MaxDocumentsPerCase*2 {
			return errTooManyDocs
		}
		m.Text = strings.TrimSpace(m.Text)
		if err := m.Validate(); err != nil {
			return err
		}
		r := old
		if len(m.Documents) > 0 {
			r.Documents = slices.Clone(old.Documents)
			for i := range m.Documents {
				m.Documents[i].UploadedBy, m.Documents[i].Kind = m.From, portal.DocMessageAttachent
				if m.Documents[i], err = db.putReliefDocument(tx, r.ID, m.Documents[i], prepared[i]); err != nil {
					return err
				}
				r.Documents = append(r.Documents, m.Documents[i])
			}
			r.UpdatedAt = db.now().UTC()
			if err := db.putRelief(tx, old, r); err != nil {
				return err
			}
		}
		if m, err = db.putReliefMessage(tx, m); err != nil {
			return err
		}
		if err := db.rememberSubmission(tx, SubmissionReliefMessage, r.ID); err != nil { // idempotency.go
			return err
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditMessage, ActorID: m.From, ActorRole: m.FromRole,
			SubjectKind: kindRelief, SubjectID: r.ID}); err != nil {
			return err
		}
		if applicant && r.Status == portal.ReliefInfoRequested {
			_, err := db.applyRelief(tx, r, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefProvideInfo,
				Actor: portal.ReliefActorApplicant}, AccountID: m.From, Role: m.FromRole}, cal)
			return err
		}
		if !applicant {
			return db.notify(tx, r.FiledBy, portal.Notification{CaseID: r.ID, Ref: r.Ref, Key: "notify.relief.message"})
		}
		return nil
	})
	return m, err
}

// ReliefMessages lists a request's messages, oldest first.
func (db *DB) ReliefMessages(id uint64) ([]portal.ReliefMessage, error) {
	var out []portal.ReliefMessage
	err := db.view(func(tx kv.Tx) error {
		prefix := itob(id)
		cur := tx.Bucket(bucketReliefMessages).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var m portal.ReliefMessage
			if err := db.crypt.openJSON(kindReliefMessage, btoi(k[8:]), fmt.Sprintf("relief:%d", id), v, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// CorrectionNotices lists the correction notices issued to an organ, by
// deadline, nearest first (answered ones included, marked by AnsweredAt),
// read from the organ's index.
func (db *DB) CorrectionNotices(organ uint64) ([]CorrectionNotice, error) {
	var out []CorrectionNotice
	err := db.view(func(tx kv.Tx) error {
		prefix := itob(organ)
		cur := tx.Bucket(bucketNotices).Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			n, err := db.getNotice(tx, btoi(k[12:]))
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// CorrectionNotice returns one notice without any access check.
func (db *DB) CorrectionNotice(id uint64) (CorrectionNotice, error) {
	var n CorrectionNotice
	err := db.view(func(tx kv.Tx) error {
		var err error
		n, err = db.getNotice(tx, id)
		return err
	})
	return n, err
}

// ReliefNotices lists the correction notices issued on a request, in the
// order they were issued.
func (db *DB) ReliefNotices(reliefID uint64) ([]CorrectionNotice, error) {
	var out []CorrectionNotice
	err := db.view(func(tx kv.Tx) error {
		r, err := db.getRelief(tx, reliefID)
		if err != nil {
			return err
		}
		for _, id := range r.NoticeIDs {
			n, err := db.getNotice(tx, id)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// AnswerCorrection records an organ's answer to a correction notice issued to
// it; a notice of another organ answers 404, like one that does not exist.
// The answer joins the relief request's timeline and the applicant is told.
func (db *DB) AnswerCorrection(noticeID, organ uint64, answer string, actor uint64) error {
	return db.update(func(tx kv.Tx) error {
		n, err := db.getNotice(tx, noticeID)
		if err != nil {
			return err
		}
		if n.OrganID != organ || organ == 0 {
			return portal.NotFound()
		}
		if n.Answered() {
			return portal.Conflict("relief.notice_already_answered")
		}
		who, err := db.getAccount(tx, actor)
		if err != nil {
			return err
		}
		r, err := db.getRelief(tx, n.ReliefID)
		if err != nil {
			return err
		}
		answer = strings.TrimSpace(answer)
		st := ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefNoticeAnswered, Actor: portal.ReliefActorOrgan,
			OrganID: organ, Note: answer}, AccountID: actor, Role: who.Role, NoticeID: n.ID}
		if _, err := db.applyRelief(tx, r, st, nil); err != nil {
			return err
		}
		n.Answer, n.AnsweredBy, n.AnsweredAt = answer, actor, db.now().UTC()
		if err := db.putNotice(tx, n); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseStep, ActorID: actor, ActorRole: who.Role,
			SubjectKind: kindNotice, SubjectID: n.ID, Detail: "answered"})
	})
}
