package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Proofs of no criminal record (R14) and unsealing events (R18, R19).
//
//	certificates             itob(id) -> {body: encrypted JSON of portal.Certificate, code included}
//	certificates_by_code     HMAC("certcode", code) -> itob(id)    (the lookup never sees the code)
//	certificates_by_account  itob(account id) | itob(id) -> ""     (the requester and the person's own accounts)
//	certificates_by_person   HMAC("idnumber", id number) | itob(id) -> ""   (the person's certificates)
//	certificate_queue        itob(police organ id) | due (4 bytes) | itob(id) -> {ref, requested}
//	unsealings               itob(id) -> {body: encrypted JSON of portal.UnsealingRecord}
//	unsealings_by_case       itob(case id) | itob(id) -> ""
//	unsealing_pending        itob(case id) -> itob(unsealing id)   (reviews waiting for the supervisor)
//	meta/certificate_reference_seq                                  the last ZM- number given
//
// The buckets are created by the first write that needs them (inside that
// write's transaction); reads treat a missing bucket as empty.

var (
	bucketCertificates     = []byte("certificates")
	bucketCertByCode       = []byte("certificates_by_code")
	bucketCertByAccount    = []byte("certificates_by_account")
	bucketCertByPerson     = []byte("certificates_by_person")
	bucketCertQueue        = []byte("certificate_queue")
	bucketUnsealings       = []byte("unsealings")
	bucketUnsealingsByCase = []byte("unsealings_by_case")
	bucketUnsealingPending = []byte("unsealing_pending")
	keyCertRefSeq          = []byte("certificate_reference_seq")
)

const (
	kindCertificate = "certificate"
	kindUnsealing   = "unsealing"
)

func certificateBuckets() [][]byte {
	return [][]byte{bucketCertificates, bucketCertByCode, bucketCertByAccount, bucketCertByPerson, bucketCertQueue,
		bucketUnsealings, bucketUnsealingsByCase, bucketUnsealingPending, bucketCoOffenderCases, bucketCertObjections}
}

// ensureCertificateBuckets creates this area's buckets inside a write
// transaction.
func ensureCertificateBuckets(tx kv.Tx) error {
	for _, b := range certificateBuckets() {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return fmt.Errorf("store: create bucket %s: %w", b, err)
		}
	}
	return nil
}

// certPut and certGet store and read an encrypted record of this area in
// bucket b (sealJSON/openJSON, bound to the record's kind and id); a missing
// bucket reads as no record.
func (db *DB) certPut(b kv.Bucket, kind string, id uint64, v any) error {
	raw, err := db.crypt.sealJSON(kind, id, "body", v)
	if err != nil {
		return err
	}
	return b.Put(itob(id), raw)
}

func (db *DB) certGet(b kv.Bucket, kind string, id uint64, v any) error {
	if b == nil {
		return portal.NotFound()
	}
	raw := b.Get(itob(id))
	if raw == nil {
		return portal.NotFound()
	}
	return db.crypt.openJSON(kind, id, "body", raw, v)
}

// certificateBody is the stored form of portal.Certificate.
type certificateBody portal.Certificate

// certificateFiles is the tracked-file shape of certificate requests
// (trackedfile.go); the account index holds the requester's and the
// person's own accounts.
var certificateFiles = newFileKind(fileKind[portal.Certificate, certificateBody]{kind: kindCertificate,
	records: bucketCertificates, byAccount: bucketCertByAccount,
	toBody:   func(c portal.Certificate) certificateBody { return certificateBody(c) },
	fromBody: func(b certificateBody) portal.Certificate { return portal.Certificate(b) }})

func (db *DB) getCertificate(tx kv.Tx, id uint64) (portal.Certificate, error) {
	c, err := certificateFiles.get(db, tx, id)
	if err != nil {
		return portal.Certificate{}, err
	}
	return c, nil
}

func (db *DB) putCertificate(tx kv.Tx, c portal.Certificate) error {
	if err := putStatistics(tx, c); err != nil { // issue 17 (statistics.go)
		return err
	}
	return certificateFiles.put(db, tx, c.ID, c)
}

type certQueueEntry struct {
	Ref       string    `json:"ref"`
	Requested time.Time `json:"requested"`
}

func certQueueKey(organ uint64, due portal.Date, awaits bool, id uint64) []byte {
	k := make([]byte, 0, 20)
	k = append(k, itob(organ)...)
	k = append(k, dueKeyOf(due, awaits)...)
	return append(k, itob(id)...)
}

// certHolderKey is the keyed hash of the holder's identity document (R31):
// a mainland number in the "idnumber" index, as before.
func (db *DB) certHolderKey(c portal.Certificate) []byte {
	return certHolderKeyWith(db.crypt.blind, c)
}

// certHolderKeyWith is certHolderKey under a given blind key.
func certHolderKeyWith(bl blindFunc, c portal.Certificate) []byte {
	doc, err := c.HolderDocument()
	if err != nil {
		return bl("idnumber", c.PersonIDNumber)
	}
	domain, value := doc.IndexKey()
	return bl(domain, value)
}

// certificateAccounts lists the accounts that see a certificate.
func certificateAccounts(tx kv.Tx, c portal.Certificate, db *DB) ([]uint64, error) {
	out := []uint64{c.RequestedBy}
	for _, id := range idsUnder(tx.Bucket(bucketAccountsByIDNum), db.lookupWith(func(bl blindFunc) []byte { return certHolderKeyWith(bl, c) })) {
		if id == c.RequestedBy {
			continue
		}
		a, err := db.getAccount(tx, id)
		if err != nil {
			return nil, err
		}
		// The person's own accounts only: a guardian or lawyer registered with
		// the same number is somebody else's mistake, not a holder.
		// Issue 11: and only the identity-verified one; an account that
		// merely typed the number sees nothing of the person's.
		if a.Role == portal.RoleMinor && a.IdentityVerified {
			out = append(out, id)
		}
	}
	return out, nil
}

// RequestCertificate stores a request for a proof of no criminal record (R14),
// due within Policy.Certificate working days on the calendar, in the queue of
// the police organ chosen. The requester and the person's own accounts see it.
// A second request for the same person while one is waiting is refused.
func (db *DB) RequestCertificate(c portal.Certificate, cal *portal.Calendar, requestID string) (portal.Certificate, error) {
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		c.PersonName = strings.TrimSpace(c.PersonName)
		if doc, err := c.HolderDocument(); err == nil {
			c.PersonIDNumber, c.PersonDocCountry = doc.Number, doc.Country
			if doc.IsResidentID() {
				c.PersonDocType = ""
			}
		}
		if err := c.Validate(today); err != nil {
			return err
		}
		raw := tx.Bucket(bucketOrgans).Get(itob(c.PoliceOrganID))
		var organ organRecord
		if raw == nil || json.Unmarshal(raw, &organ) != nil || organ.Kind != portal.RolePolice {
			return &portal.Error{Code: portal.CodeInvalid, Key: "cert.police_required", Fields: map[string]string{"police": "cert.police_required"}}
		}
		// One waiting request per person and requester is enough.
		prefix := itob(c.RequestedBy)
		cur := tx.Bucket(bucketCertByAccount).Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			other, err := db.getCertificate(tx, btoi(k[8:]))
			if err != nil {
				return err
			}
			if other.Status == portal.CertRequested && other.PersonIDNumber == c.PersonIDNumber && other.PersonDocType == c.PersonDocType {
				return &portal.Error{Code: portal.CodeConflict, Key: "cert.pending_exists", Fields: map[string]string{"person": "cert.pending_exists"}}
			}
		}
		id, err := tx.Bucket(bucketCertificates).NextSequence()
		if err != nil {
			return err
		}
		// A year without its official calendar leaves the deadline to be set then.
		due, awaits, err := dueOrAwait(tx, cal, kindCertificate, id, today, portal.Policy.Certificate)
		if err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		var seq uint64
		if v := meta.Get(keyCertRefSeq); len(v) == 8 {
			seq = btoi(v)
		}
		seq++
		if err := meta.Put(keyCertRefSeq, itob(seq)); err != nil {
			return err
		}
		now := db.now().UTC()
		c.ID, c.Ref, c.Status, c.RequestedAt, c.Due = id, portal.CertificateReference(today.Year, seq), portal.CertRequested, now, due
		if err := db.rememberSubmission(tx, SubmissionCertificate, id); err != nil { // idempotency.go
			return err
		}
		c.DueAwaitsCalendar = awaits
		c.AnsweredAt, c.AnsweredBy, c.IssuingOrgan, c.Code, c.RevokedAt = time.Time{}, 0, "", "", time.Time{}
		if err := db.putCertificate(tx, c); err != nil {
			return err
		}
		accts, err := certificateAccounts(tx, c, db)
		if err != nil {
			return err
		}
		for _, a := range accts {
			if err := tx.Bucket(bucketCertByAccount).Put(append(itob(a), itob(id)...), nil); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketCertByPerson).Put(append(db.certHolderKey(c), itob(id)...), nil); err != nil {
			return err
		}
		q, err := json.Marshal(certQueueEntry{Ref: c.Ref, Requested: now})
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketCertQueue).Put(certQueueKey(c.PoliceOrganID, due, awaits, id), q); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCertificateRequested, ActorID: c.RequestedBy, ActorRole: c.RequesterRole,
			SubjectKind: kindCertificate, SubjectID: id, RequestID: requestID})
	})
	return c, err
}

// CertificatesOfAccount lists the certificates an account sees, newest first.
func (db *DB) CertificatesOfAccount(account uint64) ([]portal.Certificate, error) {
	var out []portal.Certificate
	err := db.view(func(tx kv.Tx) (err error) {
		out, err = certificateFiles.ofAccount(db, tx, account)
		return err
	})
	return out, err
}

// CertificateOfAccount returns one certificate the account sees; any other is
// not found, exactly like one that does not exist.
func (db *DB) CertificateOfAccount(account, id uint64) (portal.Certificate, error) {
	var c portal.Certificate
	err := db.view(func(tx kv.Tx) (err error) {
		c, err = certificateFiles.ofAccountByID(db, tx, account, id)
		return err
	})
	return c, err
}

// CertificateQueueRow is one waiting request in a police organ's queue: its
// number and dates, nothing about the person.
type CertificateQueueRow struct {
	ID        uint64
	Ref       string
	Requested time.Time
	Due       portal.Date
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published" (such rows come after every dated one).
	AwaitsCalendar bool
}

// CertificateQueue lists a police organ's waiting requests by deadline,
// nearest (or most overdue) first, read from the queue index.
func (db *DB) CertificateQueue(organ uint64, offset, limit int) (rows []CertificateQueueRow, total int, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	err = db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketCertQueue)
		if b == nil {
			return nil
		}
		prefix := itob(organ)
		cur := b.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			total++
			if total <= offset || len(rows) >= limit {
				continue
			}
			var e certQueueEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			rows = append(rows, CertificateQueueRow{ID: btoi(k[12:]), Ref: e.Ref, Requested: e.Requested, Due: dateFromKey(k[8:12]), AwaitsCalendar: keyAwaits(k[8:12])})
		}
		return nil
	})
	return rows, total, err
}

// CertificateSealedRecord is a sealed record the portal knows for the holder
// of a certificate request, shown to the police official so that it does not
// appear on the certificate (R14): the case's number, the deciding organ's
// case number and the date of the decision, nothing more.
type CertificateSealedRecord struct {
	CaseRef         string
	OrganCaseNumber string
	DecidingOrganID uint64
	DecisionDate    portal.Date
}

// policeCertificate reads a request for the police organ it was addressed
// to; any other official gets not-found, like a request that does not exist.
func (db *DB) policeCertificate(tx kv.Tx, id uint64, officer portal.Account) (portal.Certificate, error) {
	c, err := db.getCertificate(tx, id)
	if err != nil {
		return portal.Certificate{}, err
	}
	if officer.Role != portal.RolePolice || officer.OrganID == 0 || officer.OrganID != c.PoliceOrganID {
		return portal.Certificate{}, portal.NotFound()
	}
	return c, nil
}

// CertificateForPolice opens a request for the police official who handles
// it: the request with the holder's verified identity, and the sealed records
// the portal knows for that identity, marked for the page as records that
// must not appear (R14). Showing a sealed record is a read of sealed data: one
// AuditSealedRead per record, detail "certificate:<id>" (R17).
func (db *DB) CertificateForPolice(id uint64, officer portal.Account, requestID string) (portal.Certificate, []CertificateSealedRecord, error) {
	var c portal.Certificate
	var out []CertificateSealedRecord
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		var err error
		if c, err = db.policeCertificate(tx, id, officer); err != nil {
			return err
		}
		sealed, err := db.sealedCasesByKey(tx, db.lookupWith(func(bl blindFunc) []byte { return certHolderKeyWith(bl, c) }))
		if err != nil {
			return err
		}
		for _, sc := range sealed {
			out = append(out, CertificateSealedRecord{CaseRef: sc.Ref, OrganCaseNumber: sc.OrganCaseNumber,
				DecidingOrganID: sc.DecidingOrganID, DecisionDate: sc.DecisionDate})
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSealedRead, ActorID: officer.ID, ActorRole: officer.Role,
				SubjectKind: kindCase, SubjectID: sc.ID, Detail: fmt.Sprintf("certificate:%d", c.ID), RequestID: requestID}); err != nil {
				return err
			}
		}
		return nil
	})
	return c, out, err
}

// RecordCertificateCheck records the official's check of the police records
// system on a waiting request (R14): the result and the system's reference,
// audited (AuditCertificateChecked, detail the result). A check may be
// recorded again, audited again, until the answer is given.
func (db *DB) RecordCertificateCheck(id uint64, k portal.CertificateCheck, officer portal.Account, requestID string) (portal.Certificate, error) {
	var c portal.Certificate
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		var err error
		if c, err = db.policeCertificate(tx, id, officer); err != nil {
			return err
		}
		if c.Status != portal.CertRequested {
			return portal.Conflict("cert.already_answered")
		}
		k.Reference = strings.TrimSpace(k.Reference)
		if err := k.Validate(); err != nil {
			return err
		}
		k.By, k.At = officer.ID, db.now().UTC()
		c.Check = &k
		if err := db.putCertificate(tx, c); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCertificateChecked, ActorID: officer.ID, ActorRole: officer.Role,
			SubjectKind: kindCertificate, SubjectID: c.ID, Detail: string(k.Result), RequestID: requestID})
	})
	return c, err
}

// issueCertificate turns c into an issued certificate: the issuing organ's
// name as printed and a fresh verification code, looked up only by its keyed
// hash.
func (db *DB) issueCertificate(tx kv.Tx, c *portal.Certificate, officer portal.Account) error {
	var organ organRecord
	if raw := tx.Bucket(bucketOrgans).Get(itob(officer.OrganID)); raw != nil {
		if err := json.Unmarshal(raw, &organ); err != nil {
			return err
		}
	}
	c.Status, c.IssuingOrgan = portal.CertIssued, organ.Name
	if c.IssuingOrgan == "" {
		c.IssuingOrgan = officer.Organ
	}
	c.Code = portal.NewVerificationCode()
	bk := db.crypt.bkeys.Load().active
	if _, v := db.getBlindAny(tx.Bucket(bucketCertByCode), "certcode", c.Code); v != nil {
		return portal.Internal(fmt.Errorf("store: verification code collision"))
	}
	// The value names the blind key that made the hash (blindkeys.go).
	return tx.Bucket(bucketCertByCode).Put(bk.blind("certcode", c.Code), append(itob(c.ID), bk.id))
}

// AnswerCertificate answers a waiting request on behalf of the police organ
// it was addressed to, in one transaction, from the official's recorded check
// of the police records (portal.AnswerFromCheck, R14) and from nothing else:
// without a recorded check it is a conflict. No record, or only sealed
// records, issues the certificate with a fresh verification code; a record
// found, or a check that cannot be decided online, refuses it with the way
// forward. The accounts that follow the certificate are notified.
func (db *DB) AnswerCertificate(id uint64, officer portal.Account, requestID string) (portal.Certificate, error) {
	var c portal.Certificate
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		var err error
		if c, err = db.policeCertificate(tx, id, officer); err != nil {
			return err
		}
		if c.Status != portal.CertRequested {
			return portal.Conflict("cert.already_answered")
		}
		status, err := portal.AnswerFromCheck(c.Check)
		if err != nil {
			return err
		}
		old := c
		c.AnsweredAt, c.AnsweredBy = db.now().UTC(), officer.ID
		key := "notify.certificate.refused"
		if status == portal.CertIssued {
			if err := db.issueCertificate(tx, &c, officer); err != nil {
				return err
			}
			key = "notify.certificate.issued"
		} else {
			c.Status = portal.CertRefused
		}
		if err := db.putCertificate(tx, c); err != nil {
			return err
		}
		if err := tx.Bucket(bucketCertQueue).Delete(certQueueKey(old.PoliceOrganID, old.Due, old.DueAwaitsCalendar, old.ID)); err != nil {
			return err
		}
		if err := db.notifyCertificate(tx, c, key, officer.ID); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCertificateAnswered, ActorID: officer.ID, ActorRole: officer.Role,
			SubjectKind: kindCertificate, SubjectID: c.ID, Detail: string(c.Status), RequestID: requestID})
	})
	return c, err
}

// notifyCertificate tells the accounts that follow a certificate; the
// notification names no case and no person.
func (db *DB) notifyCertificate(tx kv.Tx, c portal.Certificate, key string, except uint64) error {
	b := tx.Bucket(bucketCertByAccount)
	suffix := itob(c.ID)
	accts, err := certificateAccounts(tx, c, db)
	if err != nil {
		return err
	}
	for _, a := range accts {
		if a == except || b.Get(append(itob(a), suffix...)) == nil {
			continue
		}
		if err := db.notify(tx, a, portal.Notification{Key: key}); err != nil {
			return err
		}
	}
	return nil
}

// VerifyCertificate answers the public verification page for a code: valid,
// revoked or not valid (the zero result), and nothing else. A code that
// cannot be a code is not looked up. A match is written to the audit log.
func (db *DB) VerifyCertificate(code, requestID string) (portal.VerificationResult, error) {
	compact, ok := portal.NormalizeVerificationCode(code)
	if !ok {
		return portal.VerificationResult{}, nil
	}
	var id uint64
	err := db.view(func(tx kv.Tx) error {
		if b := tx.Bucket(bucketCertByCode); b != nil {
			// Codes are never re-hashed: a kept blind key still checks one
			// made before a rotation (blindkeys.go).
			if _, v := db.getBlindAny(b, "certcode", compact); v != nil {
				id = btoi(v)
			}
		}
		return nil
	})
	if err != nil || id == 0 {
		return portal.VerificationResult{}, err
	}
	var res portal.VerificationResult
	err = db.update(func(tx kv.Tx) error {
		c, err := db.getCertificate(tx, id)
		if err != nil {
			return err
		}
		res = c.Verify()
		if res.Status == "" {
			return nil
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCertificateVerified, SubjectKind: kindCertificate, SubjectID: id,
			Detail: string(res.Status), RequestID: requestID})
	})
	return res, err
}

// Unsealing (R18, R19).

type unsealingBody portal.UnsealingRecord

func (db *DB) getUnsealing(tx kv.Tx, id uint64) (portal.UnsealingRecord, error) {
	var r unsealingBody
	if err := db.certGet(tx.Bucket(bucketUnsealings), kindUnsealing, id, &r); err != nil {
		return portal.UnsealingRecord{}, err
	}
	return portal.UnsealingRecord(r), nil
}

func (db *DB) putUnsealing(tx kv.Tx, r portal.UnsealingRecord) error {
	return db.certPut(tx.Bucket(bucketUnsealings), kindUnsealing, r.ID, unsealingBody(r))
}

// RecordUnsealingEvent records an event reported against a sealed record by
// the deciding organ (st names the official), in one transaction: the event is
// checked against the person's birth date, the rules answer
// (portal.EvaluateUnsealing), and the step they pick is taken through the
// state machine with the legal basis as its note. An unsealing revokes no
// certificate (R14); an answer of review waits for the supervisor;
// any other answer is only recorded (R19). The case's accounts are notified
// by the step.
func (db *DB) RecordUnsealingEvent(caseID uint64, r portal.UnsealingRecord, st Step, cal *portal.Calendar) (portal.UnsealingRecord, portal.Case, error) {
	var c portal.Case
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if st.OrganID == 0 || old.DecidingOrganID != st.OrganID {
			return portal.NotFound()
		}
		if old.Status != portal.StatusSealed && old.Status != portal.StatusCompleted {
			return portal.Conflict("unseal.not_sealed")
		}
		today := portal.DateOf(db.now())
		birth, _ := old.PersonBirthDate()
		r.LegalBasis = strings.TrimSpace(r.LegalBasis)
		if err := r.Validate(birth, today); err != nil {
			return err
		}
		r.Decision = portal.EvaluateUnsealing(birth, r.Event)
		if r.Step, err = portal.UnsealingStep(r.Decision); err != nil {
			return err
		}
		st.Action, st.Actor, st.Rules, st.Note = r.Step, portal.ActorDecider, r.Decision.Rules, r.LegalBasis
		if c, err = db.applyStep(tx, old, st, cal, today); err != nil {
			return err
		}
		id, err := tx.Bucket(bucketUnsealings).NextSequence()
		if err != nil {
			return err
		}
		r.ID, r.CaseID, r.CaseRef, r.DecidingOrganID = id, caseID, old.Ref, old.DecidingOrganID
		r.RecordedBy, r.RecordedAt, r.PriorStatus, r.PriorDue, r.Review = st.AccountID, db.now().UTC(), old.Status, old.Due, nil
		r.PriorAwaitsCalendar, r.PriorDueFrom, r.PriorDueDeadline = old.DueAwaitsCalendar, old.DueFrom, old.DueDeadline
		r.TwoStep, r.Approval = true, nil // issue 18: an unsealing waits for a second official
		if err := db.putUnsealing(tx, r); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUnsealingsByCase).Put(append(itob(caseID), itob(id)...), nil); err != nil {
			return err
		}
		switch r.Step {
		case portal.ActionReferUnsealing:
			if err := tx.Bucket(bucketUnsealingPending).Put(itob(caseID), itob(id)); err != nil {
				return err
			}
		case portal.ActionProposeUnsealing:
			if err := putUnsealingOpen(tx, caseID, id); err != nil {
				return err
			}
		}
		// R14: an unsealing does not revoke a certificate issued before it
		// took effect; the certificate states the situation on its issue date.
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditUnsealingRecorded, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: string(r.Decision.Outcome), RequestID: st.RequestID})
	})
	return r, c, err
}

// DecideUnsealingReview records the supervisor's decision on a review (R18,
// exactly 60 months), in one transaction: confirmed, the unsealing waits for
// a second official of the deciding organ (issue 18; certificates already
// issued stay valid, R14); kept, the record stays sealed and the
// case returns to where it was (completed again at once when every holding
// organ had confirmed, R12, or sealing with its former deadline).
func (db *DB) DecideUnsealingReview(caseID uint64, rv portal.UnsealingReview, st Step, cal *portal.Calendar) (portal.UnsealingRecord, portal.Case, error) {
	var r portal.UnsealingRecord
	var c portal.Case
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		rv.Reasons = strings.TrimSpace(rv.Reasons)
		if err := rv.Validate(); err != nil {
			return err
		}
		v := tx.Bucket(bucketUnsealingPending).Get(itob(caseID))
		if v == nil {
			return portal.Conflict("unseal.no_review")
		}
		var err error
		if r, err = db.getUnsealing(tx, btoi(v)); err != nil {
			return err
		}
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		action, _ := rv.Verdict.Action()
		today := portal.DateOf(db.now())
		st.Action, st.Actor, st.Rules, st.Note = action, portal.ActorSupervisor, r.Decision.Rules, rv.Reasons
		if c, err = db.applyStep(tx, old, st, cal, today); err != nil {
			return err
		}
		switch action {
		case portal.ActionKeepSealed:
			if c, err = db.restoreSealing(tx, c, r, cal, today); err != nil {
				return err
			}
		case portal.ActionConfirmUnsealing:
			// Issue 18: confirmed, the unsealing still waits for a second
			// official of the deciding organ.
			r.TwoStep = true
			if err := putUnsealingOpen(tx, caseID, r.ID); err != nil {
				return err
			}
		}
		rv.By, rv.At = st.AccountID, db.now().UTC()
		r.Review = &rv
		if err := db.putUnsealing(tx, r); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUnsealingPending).Delete(itob(caseID)); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditUnsealingReviewed, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: string(rv.Verdict), RequestID: st.RequestID})
	})
	return r, c, err
}

// UnsealingsOfCase lists the events recorded on a case, oldest first.
func (db *DB) UnsealingsOfCase(caseID uint64) ([]portal.UnsealingRecord, error) {
	var out []portal.UnsealingRecord
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketUnsealingsByCase)
		if b == nil {
			return nil
		}
		prefix := itob(caseID)
		cur := b.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			r, err := db.getUnsealing(tx, btoi(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// PendingUnsealingReviews lists the reviews waiting for the supervisor, in
// case order.
func (db *DB) PendingUnsealingReviews() ([]portal.UnsealingRecord, error) {
	var out []portal.UnsealingRecord
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketUnsealingPending)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			r, err := db.getUnsealing(tx, btoi(v))
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// UnsealingRecords lists every recorded event, newest first, a page at a
// time, for the supervisor to review (R18: every unsealing is reviewable).
func (db *DB) UnsealingRecords(offset, limit int) (rows []portal.UnsealingRecord, total int, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	err = db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketUnsealings)
		if b == nil {
			return nil
		}
		total = int(b.Sequence()) // #nosec G115 -- a count of records; ids are never reused and records never deleted
		cur := b.Cursor()
		i := 0
		for k, _ := cur.Last(); k != nil && len(rows) < limit; k, _ = cur.Prev() {
			i++
			if i <= offset {
				continue
			}
			r, err := db.getUnsealing(tx, btoi(k))
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return nil
	})
	return rows, total, err
}
