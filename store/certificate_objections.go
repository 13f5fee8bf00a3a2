package store

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Objections to certificate answers (R14). The objection lives inside the
// certificate's encrypted body; the police organ's list of pending
// objections is an index without personal data:
//
//	certificate_objections   itob(police organ) | due (4 bytes) | itob(certificate id) -> {ref, filed}

var bucketCertObjections = []byte("certificate_objections")

type certObjectionEntry struct {
	Ref   string    `json:"ref"`
	Filed time.Time `json:"filed"`
}

// FileCertificateObjection records an objection to an answered certificate
// (R14) by an account that follows it, due within Policy.ObjectionReview
// working days, in the answering police organ's list. A certificate the
// account does not follow is not found.
func (db *DB) FileCertificateObjection(id uint64, reason string, by portal.Account, cal *portal.Calendar, requestID string) (portal.Certificate, error) {
	var c portal.Certificate
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		if tx.Bucket(bucketCertByAccount).Get(append(itob(by.ID), itob(id)...)) == nil {
			return portal.NotFound()
		}
		var err error
		if c, err = db.getCertificate(tx, id); err != nil {
			return err
		}
		if !c.MayObject() {
			return portal.Conflict("cert.objection.not_allowed")
		}
		reason = strings.TrimSpace(reason)
		if err := portal.CheckObjectionText("reason", reason); err != nil {
			return err
		}
		to, err := portal.NextObjection("", portal.ObjectionFile)
		if err != nil {
			return err
		}
		now := db.now().UTC()
		// A year without its official calendar leaves the deadline to be set then.
		due, awaits, err := dueOrAwait(tx, cal, kindObjection, c.ID, portal.DateOf(now), portal.Policy.ObjectionReview)
		if err != nil {
			return err
		}
		c.Objection = &portal.CertificateObjection{Status: to, Reason: reason, FiledBy: by.ID, FiledAt: now, Due: due, DueAwaitsCalendar: awaits,
			Events: []portal.ObjectionEvent{{At: now, ActorID: by.ID, ActorRole: by.Role, Action: portal.ObjectionFile}}}
		if err := db.putCertificate(tx, c); err != nil {
			return err
		}
		if err := db.putObjectionQueue(tx, c, portal.Date{}, false); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCertificateObjection, ActorID: by.ID, ActorRole: by.Role,
			SubjectKind: kindCertificate, SubjectID: c.ID, Detail: string(portal.ObjectionFile), RequestID: requestID})
	})
	return c, err
}

// putObjectionQueue moves the certificate's row in its organ's list of
// pending objections from oldDue (zero and not oldAwaits: none) to its
// current due date, or removes it once decided.
func (db *DB) putObjectionQueue(tx kv.Tx, c portal.Certificate, oldDue portal.Date, oldAwaits bool) error {
	b := tx.Bucket(bucketCertObjections)
	if !oldDue.IsZero() || oldAwaits {
		if err := b.Delete(certQueueKey(c.PoliceOrganID, oldDue, oldAwaits, c.ID)); err != nil {
			return err
		}
	}
	if c.Objection == nil || c.Objection.Status != portal.ObjectionPending {
		return nil
	}
	v, err := json.Marshal(certObjectionEntry{Ref: c.Ref, Filed: c.Objection.FiledAt})
	if err != nil {
		return err
	}
	return b.Put(certQueueKey(c.PoliceOrganID, c.Objection.Due, c.Objection.DueAwaitsCalendar, c.ID), v)
}

// ObjectionDecision is what the police organ does with a pending objection:
// extend the review once, uphold it or reject it, with the reasons. Upholding
// an objection to a refusal needs the corrected check of the police records
// (its result must be "no record"), and the certificate is then issued.
type ObjectionDecision struct {
	Action  portal.ObjectionAction
	Text    string
	Checked *portal.CertificateCheck
}

// DecideCertificateObjection records the police organ's step on a pending
// objection, in one transaction, audited and notified to the accounts that
// follow the certificate. An objection of another organ is not found.
func (db *DB) DecideCertificateObjection(id uint64, d ObjectionDecision, officer portal.Account, cal *portal.Calendar, requestID string) (portal.Certificate, error) {
	var c portal.Certificate
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		var err error
		if c, err = db.policeCertificate(tx, id, officer); err != nil {
			return err
		}
		if c.Objection == nil {
			return portal.NotFound()
		}
		o := *c.Objection
		o.Events = slices.Clone(o.Events)
		if d.Action != portal.ObjectionExtend && d.Action != portal.ObjectionUphold && d.Action != portal.ObjectionReject {
			return &portal.Error{Code: portal.CodeInvalid, Key: "cert.objection.action_required",
				Fields: map[string]string{"action": "cert.objection.action_required"}}
		}
		to, err := portal.NextObjection(o.Status, d.Action)
		if err != nil {
			return err
		}
		if d.Action == portal.ObjectionExtend && o.Extended {
			return portal.Conflict("cert.objection.already_extended")
		}
		d.Text = strings.TrimSpace(d.Text)
		if err := portal.CheckObjectionText("text", d.Text); err != nil {
			return err
		}
		now := db.now().UTC()
		oldDue, oldAwaits := o.Due, o.DueAwaitsCalendar
		key := "notify.certificate.objection_decided"
		switch d.Action {
		case portal.ObjectionExtend:
			// R14: extendable to 30 working days, counted from the filing.
			if o.Due, o.DueAwaitsCalendar, err = dueOrAwait(tx, cal, kindObjection, c.ID, portal.DateOf(o.FiledAt), portal.Policy.ObjectionReviewExtended); err != nil {
				return err
			}
			o.Extended = true
			key = "notify.certificate.objection_extended"
		case portal.ObjectionUphold:
			if c.Status == portal.CertRefused {
				if d.Checked == nil || d.Checked.Result != portal.CheckNoRecord {
					return &portal.Error{Code: portal.CodeInvalid, Key: "cert.objection.check_required",
						Fields: map[string]string{"reference": "cert.objection.check_required"}}
				}
				k := *d.Checked
				k.Reference = strings.TrimSpace(k.Reference)
				if err := k.Validate(); err != nil {
					return err
				}
				k.By, k.At = officer.ID, now
				c.Check = &k
				if err := db.issueCertificate(tx, &c, officer); err != nil {
					return err
				}
				c.AnsweredAt, c.AnsweredBy = now, officer.ID
			}
			o.Decision = d.Text
		case portal.ObjectionReject:
			o.Decision = d.Text
		}
		o.Status = to
		o.Events = append(o.Events, portal.ObjectionEvent{At: now, ActorID: officer.ID, ActorRole: officer.Role, Action: d.Action, Note: d.Text})
		c.Objection = &o
		if err := db.putCertificate(tx, c); err != nil {
			return err
		}
		if err := db.putObjectionQueue(tx, c, oldDue, oldAwaits); err != nil {
			return err
		}
		if err := db.notifyCertificate(tx, c, key, officer.ID); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCertificateObjection, ActorID: officer.ID, ActorRole: officer.Role,
			SubjectKind: kindCertificate, SubjectID: c.ID, Detail: string(d.Action), RequestID: requestID})
	})
	return c, err
}

// CertificateObjectionRow is one pending objection in a police organ's list.
type CertificateObjectionRow struct {
	ID    uint64
	Ref   string
	Filed time.Time
	Due   portal.Date
	// AwaitsCalendar: the deadline is "to be set when the official calendar
	// is published" (such rows come after every dated one).
	AwaitsCalendar bool
}

// CertificateObjections lists a police organ's pending objections by
// deadline, nearest first, from the index.
func (db *DB) CertificateObjections(organ uint64) ([]CertificateObjectionRow, error) {
	var rows []CertificateObjectionRow
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketCertObjections)
		if b == nil || organ == 0 {
			return nil
		}
		prefix := itob(organ)
		cur := b.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var e certObjectionEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			rows = append(rows, CertificateObjectionRow{ID: btoi(k[12:]), Ref: e.Ref, Filed: e.Filed, Due: dateFromKey(k[8:12]), AwaitsCalendar: keyAwaits(k[8:12])})
		}
		return nil
	})
	return rows, err
}
