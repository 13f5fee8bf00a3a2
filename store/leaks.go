package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Leak reports (R25). A report is one AES-GCM ciphertext bound to its id, like
// a case; its tracking code is never stored, only its keyed hash (the
// crypter's blind index), so that neither the file nor a backup gives a way
// into a report. What the supervisor's queue needs lives in an index without
// personal data:
//
//	leak_reports      itob(id) -> {body: encrypted JSON of the report}
//	leak_by_code      HMAC("leakcode", code) -> itob(id)
//	leak_by_ref       "LK-2026-000042" -> itob(id)
//	leak_queue        due yyyymmdd (4 bytes; 99999999 once closed) | itob(id) -> {ref, status, received}
//	leak_drafts       HMAC("leakdraft", browser token) -> itob(id) | itob(created, unix nanoseconds)
//	leak_documents    itob(document id) -> encrypted bytes, bound to the document id and the report id
//	leak_by_account   itob(account id) | itob(id) -> ""   (a signed-in reporter who chose to link it)
//	meta/leak_reference_seq                     the last LK-YYYY-nnnnnn number given

var (
	bucketLeakReports   = []byte("leak_reports")
	bucketLeakByCode    = []byte("leak_by_code")
	bucketLeakByRef     = []byte("leak_by_ref")
	bucketLeakQueue     = []byte("leak_queue")
	bucketLeakDrafts    = []byte("leak_drafts")
	bucketLeakDocuments = []byte("leak_documents")
	bucketLeakByAccount = []byte("leak_by_account")
	keyLeakRefSeq       = []byte("leak_reference_seq")
)

// leakBuckets are created by migration 5.
func leakBuckets() [][]byte {
	return [][]byte{bucketLeakReports, bucketLeakByCode, bucketLeakByRef, bucketLeakQueue, bucketLeakDrafts,
		bucketLeakDocuments, bucketLeakByAccount}
}

const (
	kindLeak         = "leak_report"
	kindLeakDocument = "leak_document"
	// LeakDraftTTL is how long an unsent report waits for its browser; older
	// drafts are removed with their files when the next draft is started.
	LeakDraftTTL = 24 * time.Hour
)

// leakBody is the stored form of portal.LeakReport.
type leakBody portal.LeakReport

// leakFiles is the tracked-file shape of leak reports (trackedfile.go); a
// reference number is looked up as typed, trimmed and in capitals.
var leakFiles = newFileKind(fileKind[portal.LeakReport, leakBody]{kind: kindLeak, records: bucketLeakReports,
	byRef: bucketLeakByRef, byAccount: bucketLeakByAccount,
	documents: bucketLeakDocuments, docKind: kindLeakDocument, docField: "content:leak:%d",
	refs: bucketLeakDocumentRefs, refKind: kindLeakDocumentRef, refField: "ref:leak:%d", objTag: 'l',
	normRef:  func(ref string) string { return strings.ToUpper(strings.TrimSpace(ref)) },
	toBody:   func(r portal.LeakReport) leakBody { return leakBody(r) },
	fromBody: func(b leakBody) portal.LeakReport { return portal.LeakReport(b) }})

func (db *DB) putLeak(tx kv.Tx, r portal.LeakReport) error {
	if err := putStatistics(tx, r); err != nil { // issue 17 (statistics.go)
		return err
	}
	return leakFiles.put(db, tx, r.ID, r)
}

func (db *DB) getLeak(tx kv.Tx, id uint64) (portal.LeakReport, error) {
	return leakFiles.get(db, tx, id)
}

// leakQueueEntry is what a queue row shows without opening the report.
type leakQueueEntry struct {
	Ref      string            `json:"ref"`
	Status   portal.LeakStatus `json:"status"`
	Received time.Time         `json:"received"`
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published".
	AwaitsCalendar bool `json:"awaits_calendar,omitempty"`
}

func leakQueueKey(r portal.LeakReport) []byte {
	due, awaits := r.Due, r.DueAwaitsCalendar
	if !r.Status.Open() {
		due, awaits = portal.Date{}, false // closed reports sort last
	}
	return append(dueKeyOf(due, awaits), itob(r.ID)...)
}

// putLeakQueue moves a report's queue row from where old had it to where r
// has it.
func putLeakQueue(tx kv.Tx, old, r portal.LeakReport) error {
	b := tx.Bucket(bucketLeakQueue)
	if old.Status.Valid() {
		if err := b.Delete(leakQueueKey(old)); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(leakQueueEntry{Ref: r.Ref, Status: r.Status, Received: r.SubmittedAt, AwaitsCalendar: r.DueAwaitsCalendar && r.Status.Open()})
	if err != nil {
		return err
	}
	return b.Put(leakQueueKey(r), raw)
}

func (db *DB) putLeakDocument(tx kv.Tx, reportID uint64, d portal.Document, p *preparedDoc) (portal.Document, error) {
	return leakFiles.putDocument(db, tx, reportID, d, p)
}

func tooManyLeakFiles() error {
	return &portal.Error{Code: portal.CodeInvalid, Key: "leak.too_many_files", Fields: map[string]string{"files": "leak.too_many_files"}}
}

// draftKey is where a browser's draft is found: a keyed hash of the random
// token its cookie holds.
// A draft made before a blind-key rotation keeps the key it was found under
// (a kept key, blindkeys.go); a new one uses the active key.
func (db *DB) draftKey(tx kv.Tx, token string) []byte {
	if b := tx.Bucket(bucketLeakDrafts); b != nil {
		if k, _ := db.getBlindAny(b, "leakdraft", token); k != nil {
			return k
		}
	}
	return db.crypt.blind("leakdraft", token)
}

// leakDraft finds the draft of a token inside tx; not found when there is
// none or it has expired.
func (db *DB) leakDraft(tx kv.Tx, token string) (portal.LeakReport, error) {
	if token == "" {
		return portal.LeakReport{}, portal.NotFound()
	}
	v := tx.Bucket(bucketLeakDrafts).Get(db.draftKey(tx, token))
	if len(v) != 16 {
		return portal.LeakReport{}, portal.NotFound()
	}
	if db.now().Sub(time.Unix(0, int64(btoi(v[8:])))) > LeakDraftTTL { // #nosec G115 -- unix nanoseconds written from time.Now, far below 2^63
		return portal.LeakReport{}, portal.NotFound()
	}
	r, err := db.getLeak(tx, btoi(v[:8]))
	if err != nil {
		return r, err
	}
	if r.Status != portal.LeakDraft {
		return portal.LeakReport{}, portal.NotFound()
	}
	return r, nil
}

// purgeLeakDrafts removes drafts older than LeakDraftTTL with their files:
// what a visitor typed and never sent is not kept. It returns the keys of
// external objects to delete after the commit (dropObjects).
func (db *DB) purgeLeakDrafts(tx kv.Tx) ([]string, error) {
	b := tx.Bucket(bucketLeakDrafts)
	var stale [][]byte
	var ids []uint64
	var objects []string
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if len(v) != 16 || db.now().Sub(time.Unix(0, int64(btoi(v[8:])))) > LeakDraftTTL { // #nosec G115 -- unix nanoseconds written from time.Now, far below 2^63
			stale = append(stale, copyBytes(k))
			if len(v) == 16 {
				ids = append(ids, btoi(v[:8]))
			}
		}
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		r, err := db.getLeak(tx, id)
		if err != nil {
			continue // already gone
		}
		if r.Status != portal.LeakDraft {
			continue
		}
		for _, d := range r.Documents {
			key, err := leakFiles.deleteDocument(db, tx, id, d.ID)
			if err != nil {
				return nil, err
			}
			objects = append(objects, key)
		}
		if err := tx.Bucket(bucketLeakReports).Delete(itob(id)); err != nil {
			return nil, err
		}
	}
	return objects, nil
}

// SaveLeakDraft stores what a reporter typed, before it is checked and sent.
// The draft belongs to the browser holding token (a random value in a
// cookie): the first call creates it, later ones replace the typed answers
// and add files. Nothing is validated yet except the number of files, so
// that a half-filled form and its files are not lost.
func (db *DB) SaveLeakDraft(token string, in portal.LeakReport, docs []portal.Document, files [][]byte) (portal.LeakReport, error) {
	if token == "" {
		return portal.LeakReport{}, fmt.Errorf("store: leak draft without a token")
	}
	if len(docs) != len(files) {
		return portal.LeakReport{}, fmt.Errorf("store: leak draft has %d documents and %d files", len(docs), len(files))
	}
	if len(files) > portal.MaxLeakDocuments {
		return portal.LeakReport{}, tooManyLeakFiles()
	}
	// Encrypted and uploaded before the transaction (documents.go).
	prepared, err := leakFiles.prepareDocuments(db, files...)
	if err != nil {
		return portal.LeakReport{}, err
	}
	var r portal.LeakReport
	var purged []string
	err = db.update(func(tx kv.Tx) error {
		now := db.now().UTC()
		purged = nil
		old, err := db.leakDraft(tx, token)
		switch {
		case err == nil:
		case portal.ErrorCode(err) == portal.CodeNotFound:
			if purged, err = db.purgeLeakDrafts(tx); err != nil {
				return err
			}
			id, err := tx.Bucket(bucketLeakReports).NextSequence()
			if err != nil {
				return err
			}
			old = portal.LeakReport{ID: id, Status: portal.LeakDraft, CreatedAt: now}
			v := append(itob(id), itob(uint64(now.UnixNano()))...)
			if err := tx.Bucket(bucketLeakDrafts).Put(db.draftKey(tx, token), v); err != nil {
				return err
			}
		default:
			return err
		}
		if len(old.Documents)+len(docs) > portal.MaxLeakDocuments {
			return tooManyLeakFiles()
		}
		r = in
		r.ID, r.Status, r.CreatedAt, r.UpdatedAt = old.ID, portal.LeakDraft, old.CreatedAt, now
		r.Ref, r.Events, r.Outcome, r.Findings, r.Due, r.PersonNotified = "", nil, nil, portal.LeakFindings{}, portal.Date{}, 0
		r.Documents = slices.Clone(old.Documents)
		for i, d := range docs {
			d.Kind = portal.DocOther
			if d, err = db.putLeakDocument(tx, r.ID, d, prepared[i]); err != nil {
				return err
			}
			r.Documents = append(r.Documents, d)
		}
		return db.putLeak(tx, r)
	})
	if err == nil {
		db.dropObjects(purged)
	}
	return r, err
}

// LeakDraft returns the unsent report of the browser holding token.
func (db *DB) LeakDraft(token string) (portal.LeakReport, error) {
	var r portal.LeakReport
	err := db.view(func(tx kv.Tx) error {
		var err error
		r, err = db.leakDraft(tx, token)
		return err
	})
	return r, err
}

// RemoveLeakDraftDocument takes a file off an unsent report.
func (db *DB) RemoveLeakDraftDocument(token string, docID uint64) error {
	var key string
	err := db.update(func(tx kv.Tx) error {
		r, err := db.leakDraft(tx, token)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(r.Documents, func(d portal.Document) bool { return d.ID == docID })
		if i < 0 {
			return portal.NotFound()
		}
		r.Documents = slices.Delete(slices.Clone(r.Documents), i, i+1)
		var err2 error
		if key, err2 = leakFiles.deleteDocument(db, tx, r.ID, docID); err2 != nil {
			return err2
		}
		return db.putLeak(tx, r)
	})
	if err == nil {
		db.dropObjects([]string{key})
	}
	return err
}

// SubmitLeakReport sends the browser's draft, in one transaction: it is
// validated, given a reference number, a deadline on the calendar
// (portal.Policy.LeakReportHandling) and a fresh tracking code, joins the
// supervisor's queue, the person it concerns is told when he or she has a
// case in the portal (never who reported it), and the audit log records it.
// The code is returned once and stored as its keyed hash; for an hour a
// sealed receipt keeps it for a retry from the same browser after a commit of
// unknown outcome (idempotency_leak.go).
func (db *DB) SubmitLeakReport(token string, cal *portal.Calendar, requestID string) (portal.LeakReport, string, error) {
	var r portal.LeakReport
	var code string
	err := db.update(func(tx kv.Tx) error {
		old, err := db.leakDraft(tx, token)
		if err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		if err := old.Validate(today); err != nil {
			return err
		}
		to, err := portal.NextLeak(old.Status, portal.LeakSubmit, portal.LeakActorReporter)
		if err != nil {
			return err
		}
		r = old
		now := db.now().UTC()
		seq, err := nextLeakRef(tx)
		if err != nil {
			return err
		}
		r.Ref = portal.LeakReference(today.Year, seq)
		// A year without its official calendar leaves the deadline to be set then.
		if r.Due, r.DueAwaitsCalendar, err = dueOrAwait(tx, cal, kindLeak, r.ID, today, portal.Policy.LeakReportHandling); err != nil {
			return err
		}
		r.Status, r.SubmittedAt, r.UpdatedAt = to, now, now
		r.Events = []portal.LeakEvent{{At: now, Action: portal.LeakSubmit, From: old.Status, To: to, Documents: len(r.Documents)}}
		code = portal.NewTrackingCode()
		compact, _ := portal.NormalizeTrackingCode(code)
		byCode := tx.Bucket(bucketLeakByCode)
		bk := db.crypt.bkeys.Load().active
		if _, v := db.getBlindAny(byCode, "leakcode", compact); v != nil {
			return portal.Internal(fmt.Errorf("store: tracking code collision"))
		}
		// The value names the blind key that made the hash (blindkeys.go):
		// a code cannot be re-hashed, so a rotation counts what still needs
		// the old key.
		if err := byCode.Put(bk.blind("leakcode", compact), append(itob(r.ID), bk.id)); err != nil {
			return err
		}
		if err := leakFiles.putRef(tx, r.Ref, r.ID); err != nil {
			return err
		}
		if r.ReporterAccount != 0 {
			if err := tx.Bucket(bucketLeakByAccount).Put(append(itob(r.ReporterAccount), itob(r.ID)...), nil); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketLeakDrafts).Delete(db.draftKey(tx, token)); err != nil {
			return err
		}
		if err := db.putLeakReceipt(tx, token, r.ID, code); err != nil { // a retry's answer (idempotency_leak.go)
			return err
		}
		if r.PersonNotified, err = db.notifyLeakPerson(tx, r.PersonIDNumber, "leak.notify_reported"); err != nil {
			return err
		}
		if err := db.putLeak(tx, r); err != nil {
			return err
		}
		if err := putLeakQueue(tx, old, r); err != nil {
			return err
		}
		if _, err := db.linkLeakCases(tx, r); err != nil { // oversight.go: cross-links by case
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLeakReported, ActorID: r.ReporterAccount,
			SubjectKind: kindLeak, SubjectID: r.ID, RequestID: requestID})
	})
	if err != nil {
		return portal.LeakReport{}, "", err
	}
	return r, code, nil
}

func nextLeakRef(tx kv.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(keyLeakRefSeq); len(v) == 8 {
		n = btoi(v)
	}
	n++
	return n, meta.Put(keyLeakRefSeq, itob(n))
}

// notifyLeakPerson tells the accounts linked to the cases of the person with
// this identity number (the person, and whoever filed for him or her) that a
// disclosure of their sealed information was reported, through the case's
// notifications: the case's reference and a message key, nothing about the
// report or its reporter. Drafts are not cases yet. Each account is told once.
// It returns how many accounts were told.
func (db *DB) notifyLeakPerson(tx kv.Tx, idNumber, key string) (int, error) {
	if idNumber == "" {
		return 0, nil
	}
	cases := idsUnder(tx.Bucket(bucketCasesByPerson), db.crypt.blindLookup("idnumber", idNumber))
	told := map[uint64]bool{}
	for _, id := range cases {
		c, err := db.getCase(tx, id)
		if err != nil {
			return 0, err
		}
		if c.Status == portal.StatusDraft || c.Ref == "" {
			continue
		}
		rels := map[uint64]Relation{}
		if err := caseAccounts(tx, id, rels); err != nil {
			return 0, err
		}
		accts := make([]uint64, 0, len(rels))
		for a := range rels {
			accts = append(accts, a)
		}
		slices.Sort(accts)
		for _, a := range accts {
			if told[a] {
				continue
			}
			// Issue 11: a leak of the person's record is told only to those
			// who see the organs' material on the case.
			if ok, err := db.seesOrganMaterial(tx, a, rels[a], c); err != nil || !ok {
				if err != nil {
					return 0, err
				}
				continue
			}
			told[a] = true
			if err := db.notify(tx, a, portal.Notification{CaseID: c.ID, Ref: c.Ref, Key: key}); err != nil {
				return 0, err
			}
		}
	}
	return len(told), nil
}

// leakByCode finds a report by its tracking code inside tx. A code that is
// malformed or unknown is simply not found: the two are not told apart.
func (db *DB) leakByCode(tx kv.Tx, code string) (portal.LeakReport, error) {
	compact, ok := portal.NormalizeTrackingCode(code)
	if !ok {
		return portal.LeakReport{}, portal.NotFound()
	}
	// Tracking codes are never re-hashed: a kept blind key still opens a
	// report filed before a rotation (blindkeys.go).
	_, v := db.getBlindAny(tx.Bucket(bucketLeakByCode), "leakcode", compact)
	if v == nil {
		return portal.LeakReport{}, portal.NotFound()
	}
	return db.getLeak(tx, btoi(v))
}

// LeakByCode returns the report a tracking code opens. The handler shows the
// reporter only its progress, never its contents.
func (db *DB) LeakByCode(code string) (portal.LeakReport, error) {
	var r portal.LeakReport
	err := db.view(func(tx kv.Tx) error {
		var err error
		r, err = db.leakByCode(tx, code)
		return err
	})
	return r, err
}

// AddLeakInformation adds what the holder of a tracking code tells later:
// text, files or both, while the report is open.
func (db *DB) AddLeakInformation(code, text string, docs []portal.Document, files [][]byte, requestID string) (portal.LeakReport, error) {
	if len(docs) != len(files) {
		return portal.LeakReport{}, fmt.Errorf("store: leak addition has %d documents and %d files", len(docs), len(files))
	}
	// Encrypted and uploaded before the transaction (documents.go).
	prepared, err := leakFiles.prepareDocuments(db, files...)
	if err != nil {
		return portal.LeakReport{}, err
	}
	var r portal.LeakReport
	err = db.update(func(tx kv.Tx) error {
		old, err := db.leakByCode(tx, code)
		if err != nil {
			return err
		}
		to, err := portal.NextLeak(old.Status, portal.LeakAddInformation, portal.LeakActorReporter)
		if err != nil {
			return err
		}
		text = strings.TrimSpace(text)
		if err := portal.ValidateLeakAddition(text, len(docs), len(old.Documents)); err != nil {
			return err
		}
		r = old
		r.Documents = slices.Clone(old.Documents)
		for i, d := range docs {
			d.Kind = portal.DocOther
			if d, err = db.putLeakDocument(tx, r.ID, d, prepared[i]); err != nil {
				return err
			}
			r.Documents = append(r.Documents, d)
		}
		now := db.now().UTC()
		r.UpdatedAt = now
		r.Events = append(slices.Clone(old.Events), portal.LeakEvent{At: now, Action: portal.LeakAddInformation, From: old.Status, To: to,
			Public: text, Documents: len(docs)})
		r.Status = to
		if err := db.putLeak(tx, r); err != nil {
			return err
		}
		if err := putLeakQueue(tx, old, r); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLeakAdded, SubjectKind: kindLeak, SubjectID: r.ID,
			Detail: fmt.Sprintf("documents:%d", len(docs)), RequestID: requestID})
	})
	return r, err
}

// LeakForSupervisor returns a report to the supervisor and writes the read to
// the audit log in the same transaction (R17: a report carries the sealed
// information itself).
func (db *DB) LeakForSupervisor(id uint64, reader portal.Account, proof portal.FreshFactor, requestID string) (portal.LeakReport, error) {
	var r portal.LeakReport
	if err := proof.Check(reader, db.now()); err != nil {
		return r, err
	}
	err := db.update(func(tx kv.Tx) error {
		var err error
		if r, err = db.getLeak(tx, id); err != nil {
			return err
		}
		if r.Status == portal.LeakDraft {
			return portal.NotFound() // unsent: nobody's business but the reporter's
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSealedRead, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: kindLeak, SubjectID: id, Detail: "supervision", RequestID: requestID})
	})
	return r, err
}

// LeakDocumentForSupervisor returns an evidence file of a sent report and
// audits the read in the same transaction.
func (db *DB) LeakDocumentForSupervisor(id, docID uint64, reader portal.Account, proof portal.FreshFactor, requestID string) (portal.Document, []byte, error) {
	var d portal.Document
	var src docSource
	if err := proof.Check(reader, db.now()); err != nil {
		return d, nil, err
	}
	err := db.update(func(tx kv.Tx) error {
		r, err := db.getLeak(tx, id)
		if err != nil {
			return err
		}
		var ok bool
		if d, ok = r.Document(docID); !ok || r.Status == portal.LeakDraft {
			return portal.NotFound()
		}
		if src, err = leakFiles.documentSource(db, tx, id, docID); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditDocumentRead, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: kindLeak, SubjectID: id, Detail: fmt.Sprintf("supervision:document:%d", docID), RequestID: requestID})
	})
	if err != nil {
		return d, nil, err
	}
	content, err := db.loadDocument(src) // after the transaction: the object store may be remote
	return d, content, err
}

// LeakStep is one step of the supervisor on a report.
type LeakStep struct {
	Action    portal.LeakAction
	AccountID uint64
	Role      portal.Role
	Findings  *portal.LeakFindings // record_findings
	Outcome   *portal.LeakOutcome  // close: required (R25)
	Public    string               // a note the reporter may read
	Internal  string               // the supervisor's own note
	RequestID string
}

// ApplyLeakStep takes one step of the investigation, in one transaction: the
// state machine decides the next status, findings and the outcome are
// validated (a report is never closed without its accountability outcome,
// R25), the event joins the history, the queue row and audit log follow, and
// the person concerned is told when the report is closed.
func (db *DB) ApplyLeakStep(id uint64, st LeakStep) (portal.LeakReport, error) {
	var r portal.LeakReport
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getLeak(tx, id)
		if err != nil {
			return err
		}
		if old.Status == portal.LeakDraft {
			return portal.NotFound()
		}
		if st.Role != portal.RoleSupervisor {
			return portal.Forbidden("error.forbidden")
		}
		to, err := portal.NextLeak(old.Status, st.Action, portal.LeakActorSupervisor)
		if err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		public, internal := strings.TrimSpace(st.Public), strings.TrimSpace(st.Internal)
		var fe portal.FieldErrors
		if leakRuneCount(public) > portal.MaxLeakText {
			fe.Add("public", "leak.too_long_2000")
		}
		if leakRuneCount(internal) > portal.MaxLeakText {
			fe.Add("internal", "leak.too_long_2000")
		}
		r = old
		r.Events = slices.Clone(old.Events)
		now := db.now().UTC()
		ev := portal.LeakEvent{At: now, ActorRole: st.Role, Action: st.Action, From: old.Status, To: to, Public: public, Internal: internal}
		switch st.Action {
		case portal.LeakRecordFindings:
			if st.Findings == nil {
				fe.Add("stopped", "leak.findings_stopped_required")
				break
			}
			f := *st.Findings
			f.Source = strings.TrimSpace(f.Source)
			if err := f.Validate(); err != nil {
				pe, _ := portal.AsError(err)
				for k, v := range pe.Fields {
					fe.Add(k, v)
				}
			}
			r.Findings = f
			ev.Findings = &f
		case portal.LeakClose:
			// R25: no accountability outcome, no closing.
			if st.Outcome == nil {
				st.Outcome = &portal.LeakOutcome{}
			}
			o := *st.Outcome
			o.ResponsibleName, o.Summary = strings.TrimSpace(o.ResponsibleName), strings.TrimSpace(o.Summary)
			if o.Responsible == portal.LeakResponsibleNotIdentified {
				o.ResponsibleName = ""
			}
			if err := o.Validate(today); err != nil {
				pe, _ := portal.AsError(err)
				for k, v := range pe.Fields {
					fe.Add(k, v)
				}
			}
			r.Outcome = &o
			r.Due, r.DueAwaitsCalendar = portal.Date{}, false
		}
		if err := fe.Err(); err != nil {
			return err
		}
		r.Status, r.UpdatedAt = to, now
		r.Events = append(r.Events, ev)
		if st.Action == portal.LeakClose {
			if _, err := db.notifyLeakPerson(tx, r.PersonIDNumber, "leak.notify_closed"); err != nil {
				return err
			}
		}
		if err := db.putLeak(tx, r); err != nil {
			return err
		}
		if err := putLeakQueue(tx, old, r); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLeakStep, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindLeak, SubjectID: id, Detail: string(st.Action) + ":" + string(to), RequestID: st.RequestID})
	})
	return r, err
}

func leakRuneCount(s string) int { return len([]rune(s)) }

// LeakByRef finds a sent report's id by its reference number.
func (db *DB) LeakByRef(ref string) (uint64, error) {
	var id uint64
	err := db.view(func(tx kv.Tx) (err error) {
		id, err = leakFiles.idByRef(tx, ref)
		return err
	})
	return id, err
}

// LeaksOfAccount lists the reports a signed-in reporter linked to the account,
// newest first.
func (db *DB) LeaksOfAccount(account uint64) ([]portal.LeakReport, error) {
	var out []portal.LeakReport
	err := db.view(func(tx kv.Tx) (err error) {
		out, err = leakFiles.ofAccount(db, tx, account)
		return err
	})
	return out, err
}

// LeakOfAccount returns one report linked to the account; any other is not
// found, like an id that does not exist.
func (db *DB) LeakOfAccount(account, id uint64) (portal.LeakReport, error) {
	var r portal.LeakReport
	err := db.view(func(tx kv.Tx) (err error) {
		r, err = leakFiles.ofAccountByID(db, tx, account, id)
		return err
	})
	return r, err
}

// LeakFilter narrows the supervisor's list of leak reports.
type LeakFilter struct {
	Status      string // "" for the open ones (received, investigating); "all"; or one status
	OverdueOnly bool
	Offset      int
	Limit       int // default 50, at most 200
}

// LeakRow is one row of the supervisor's list: no personal data.
type LeakRow struct {
	ID       uint64
	Ref      string
	Status   string
	Due      portal.Date // zero once closed
	Received time.Time
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published" (such rows come after every dated one).
	AwaitsCalendar bool
}

// LeakQueue lists sent reports by deadline, nearest first (so overdue ones
// first; closed ones last), read from the queue index, never a scan of the
// reports.
func (db *DB) LeakQueue(f LeakFilter) (rows []LeakRow, total int, err error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	today := portal.DateOf(db.now())
	err = db.view(func(tx kv.Tx) error {
		cur := tx.Bucket(bucketLeakQueue).Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			due := dateFromKey(k[:4])
			if f.OverdueOnly && (due.IsZero() || !today.After(due)) {
				break // keys are in deadline order: nothing later is overdue
			}
			var e leakQueueEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			switch f.Status {
			case "":
				if !e.Status.Open() {
					continue
				}
			case "all":
			default:
				if string(e.Status) != f.Status {
					continue
				}
			}
			total++
			if total <= f.Offset || len(rows) >= f.Limit {
				continue
			}
			rows = append(rows, LeakRow{ID: btoi(k[4:]), Ref: e.Ref, Status: string(e.Status), Due: due, Received: e.Received, AwaitsCalendar: e.AwaitsCalendar})
		}
		return nil
	})
	return rows, total, err
}
