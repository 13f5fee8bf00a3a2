package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	"sealportal/portal"
	"sealportal/store/kv"
)

const kindMessage = "message"

// AddMessage stores a message on a case with its attachments (each stored
// encrypted like any document), notifies the other accounts on the case and
// audits it, in one transaction.
func (db *DB) AddMessage(m portal.Message, files [][]byte) (portal.Message, error) {
	if len(files) > portal.MaxDocumentsPerCase*2 {
		return m, &portal.Error{Code: portal.CodeInvalid, Key: "upload.too_many", Fields: map[string]string{"file": "upload.too_many"}}
	}
	// Encrypted and uploaded before the transaction (documents.go).
	prepared, err := caseFiles.prepareDocuments(db, files...)
	if err != nil {
		return m, err
	}
	err = db.update(func(tx kv.Tx) error {
		c, err := db.getCase(tx, m.CaseID)
		if err != nil {
			return err
		}
		if len(files) != len(m.Documents) {
			return fmt.Errorf("store: message has %d documents and %d files", len(m.Documents), len(files))
		}
		if len(c.Documents)+len(m.Documents) > portal.MaxDocumentsPerCase*2 {
			return &portal.Error{Code: portal.CodeInvalid, Key: "upload.too_many", Fields: map[string]string{"file": "upload.too_many"}}
		}
		m.Text = strings.TrimSpace(m.Text)
		if err := m.Validate(); err != nil {
			return err
		}
		for i := range m.Documents {
			m.Documents[i].UploadedBy = m.From
			m.Documents[i].Kind = portal.DocMessageAttachent
			if m.Documents[i], err = db.putDocument(tx, m.CaseID, m.Documents[i], prepared[i]); err != nil {
				return err
			}
		}
		// Attachments join the case's documents so that the same access rules
		// and download route serve them.
		if len(m.Documents) > 0 {
			old := c
			c.Documents = append(append([]portal.Document{}, old.Documents...), m.Documents...)
			if err := db.putCase(tx, old, c); err != nil {
				return err
			}
		}
		b := tx.Bucket(bucketMessages)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		m.ID, m.At = id, db.now().UTC()
		if err := db.rememberSubmission(tx, SubmissionMessage, m.CaseID); err != nil { // idempotency.go
			return err
		}
		raw, err := db.crypt.sealJSON(kindMessage, id, fmt.Sprintf("case:%d", m.CaseID), m)
		if err != nil {
			return err
		}
		if err := b.Put(append(itob(m.CaseID), itob(id)...), raw); err != nil {
			return err
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditMessage, ActorID: m.From, ActorRole: m.FromRole,
			SubjectKind: kindCase, SubjectID: m.CaseID}); err != nil {
			return err
		}
		if err := deskMessage(tx, m); err != nil { // issue 16: awaiting a reply
			return err
		}
		if m.FromRole.IsCitizen() {
			// Issue 18: the deciding organ's officials are told too.
			if err := db.notifyOrgan(tx, c.DecidingOrganID, c, NotifyStaffMessage, m.From); err != nil {
				return err
			}
		}
		return db.notifyCase(tx, c, "notify.message", m.From)
	})
	return m, err
}

// Messages lists a case's messages, oldest first.
func (db *DB) Messages(caseID uint64) ([]portal.Message, error) {
	var out []portal.Message
	err := db.view(func(tx kv.Tx) error {
		prefix := itob(caseID)
		cur := tx.Bucket(bucketMessages).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var m portal.Message
			if err := db.crypt.openJSON(kindMessage, btoi(k[8:]), fmt.Sprintf("case:%d", caseID), v, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// notifyCase tells every account on the case but the one who acted.
func (db *DB) notifyCase(tx kv.Tx, c portal.Case, key string, except uint64) error {
	rels := map[uint64]Relation{}
	if err := caseAccounts(tx, c.ID, rels); err != nil {
		return err
	}
	for acct := range rels {
		if acct == except {
			continue
		}
		if err := db.notify(tx, acct, portal.Notification{CaseID: c.ID, Ref: c.Ref, Key: key}); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) notify(tx kv.Tx, account uint64, n portal.Notification) error {
	b := tx.Bucket(bucketNotifications)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	n.ID, n.At, n.Read = id, db.now().UTC(), false
	raw, err := json.Marshal(n)
	if err != nil {
		return err
	}
	if err := b.Put(append(itob(account), itob(id)...), raw); err != nil {
		return err
	}
	if err := addUnread(tx, account, 1); err != nil {
		return err
	}
	// Every notification a person can see also goes out by SMS (and e-mail
	// when the person added one), in the same transaction, discreetly: the
	// text only says there is news and gives the reference's last digits.
	a, err := db.getAccount(tx, account)
	if portal.ErrorCode(err) == portal.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return db.enqueueForAccount(tx, a, outboundKindOf(n.Key), portal.RefSuffix(n.Ref))
}

// outboundKindOf picks the SMS template of a notification: security events
// have their own; every other change is "there is news, sign in".
func outboundKindOf(key string) portal.OutboundKind {
	switch key {
	case NotifyIdentityClaimed:
		return portal.OutIdentityClaimed
	case NotifyNewDevice:
		return portal.OutNewDeviceSignIn
	}
	return portal.OutProgress
}

func addUnread(tx kv.Tx, account uint64, delta int64) error {
	b := tx.Bucket(bucketUnread)
	var n int64
	if v := b.Get(itob(account)); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v)) // #nosec G115 -- counts are stored from values >= 0
	}
	n += delta
	if n < 0 {
		n = 0
	}
	return b.Put(itob(account), itob(uint64(n)))
}

// UnreadCount is the number of unread notifications, for the header badge:
// one key read, not a scan.
func (db *DB) UnreadCount(account uint64) (int, error) {
	var n int
	err := db.view(func(tx kv.Tx) error {
		if v := tx.Bucket(bucketUnread).Get(itob(account)); len(v) == 8 {
			n = int(btoi(v)) // #nosec G115 -- a count of notifications
		}
		return nil
	})
	return n, err
}

// Notifications lists an account's notifications, newest first.
func (db *DB) Notifications(account uint64, limit int) ([]portal.Notification, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var out []portal.Notification
	err := db.view(func(tx kv.Tx) error {
		prefix := itob(account)
		cur := tx.Bucket(bucketNotifications).Cursor()
		k, v := cur.Seek(itob(account + 1))
		if k == nil {
			k, v = cur.Last()
		} else {
			k, v = cur.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = cur.Prev() {
			var n portal.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// MarkNotificationsRead marks every notification of the account as read.
func (db *DB) MarkNotificationsRead(account uint64) error {
	return db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketNotifications)
		prefix := itob(account)
		type pair struct{ k, v []byte }
		var changed []pair
		cur := b.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var n portal.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			if n.Read {
				continue
			}
			n.Read = true
			raw, err := json.Marshal(n)
			if err != nil {
				return err
			}
			changed = append(changed, pair{copyBytes(k), raw})
		}
		for _, e := range changed {
			if err := b.Put(e.k, e.v); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketUnread).Put(itob(account), itob(0))
	})
}
