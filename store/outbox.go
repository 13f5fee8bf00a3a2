package store

import (
	"bytes"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The outbox: every SMS and e-mail the portal sends is first a row written in
// the same transaction as the event that causes it, so a message is never lost
// when the process dies after the commit and never exists for an event that
// rolled back. The sender (package messaging) delivers due rows and records
// the outcome here.
//
// Retention: a row holds the recipient and the text (personal data, sealed
// like every other personal field). The moment a row reaches a final state
// (sent, or given up) its recipient and text are erased, keeping only the
// channel, template, account, times and outcome as the delivery record; that
// record is deleted OutboxRetention later.

var (
	bucketOutbox     = []byte("outbox")
	bucketOutboxDue  = []byte("outbox_due")
	bucketOutboxDone = []byte("outbox_done")
)

const kindOutbox = "outbox"

// OutboxRetention is how long the delivery record of a finished message is
// kept (without recipient or text).
const OutboxRetention = 30 * 24 * time.Hour

// Outbox states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed" // given up after MaxOutboxAttempts or expiry
)

// MaxOutboxAttempts bounds delivery attempts of one message.
const MaxOutboxAttempts = 10

// OutboxMessage is one queued message.
type OutboxMessage struct {
	ID        uint64              `json:"id"`
	Channel   portal.Channel      `json:"channel"`
	To        string              `json:"to,omitempty"`
	Subject   string              `json:"subject,omitempty"`
	Text      string              `json:"text,omitempty"`
	Kind      portal.OutboundKind `json:"kind"`
	Lang      string              `json:"lang"`
	Param     string              `json:"param,omitempty"` // the template's parameter (a code, a suffix), for template-based SMS gateways
	Account   uint64              `json:"account,omitempty"`
	Created   time.Time           `json:"created"`
	Status    string              `json:"status"`
	Attempts  int                 `json:"attempts"`
	NextAt    time.Time           `json:"next_at"`
	DoneAt    time.Time           `json:"done_at,omitzero"`
	LastError string              `json:"last_error,omitempty"` // no personal data: a class of error from the gateway
	GatewayID string              `json:"gateway_id,omitempty"`
	// InFlight is set, and committed, before each delivery attempt and
	// cleared with its outcome: found set, the previous attempt's outcome is
	// unknown (the process died during it), and the deliverer is told so
	// that it can look for the earlier copy where its protocol allows.
	InFlight bool `json:"in_flight,omitempty"`
	// Resumed is not stored: true when this attempt follows an attempt whose
	// outcome is unknown.
	Resumed bool `json:"-"`
}

// Expired reports whether the message is no longer worth sending at now: a
// one-time code after its lifetime.
func (m OutboxMessage) Expired(now time.Time) bool {
	switch m.Kind {
	case portal.OutRegisterCode, portal.OutResetCode, portal.OutEmailCode:
		return !now.Before(m.Created.Add(portal.CodeLifetime))
	}
	return false
}

func outboxBuckets() [][]byte { return [][]byte{bucketOutbox, bucketOutboxDue, bucketOutboxDone} }

func timeKey(t time.Time, id uint64) []byte {
	return append(itob(uint64(t.UnixNano())), itob(id)...) // #nosec G115 -- times after 1970
}

func (db *DB) putOutbox(tx kv.Tx, m OutboxMessage) error {
	raw, err := db.crypt.sealJSON(kindOutbox, m.ID, "body", m)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketOutbox).Put(itob(m.ID), raw)
}

func (db *DB) getOutbox(tx kv.Tx, id uint64) (OutboxMessage, error) {
	raw := tx.Bucket(bucketOutbox).Get(itob(id))
	if raw == nil {
		return OutboxMessage{}, portal.NotFound()
	}
	var m OutboxMessage
	err := db.crypt.openJSON(kindOutbox, id, "body", raw, &m)
	return m, err
}

// enqueueTo writes one message into the outbox within tx.
func (db *DB) enqueueTo(tx kv.Tx, ch portal.Channel, to, lang string, kind portal.OutboundKind, param string, account uint64) error {
	if to == "" {
		return nil
	}
	b := tx.Bucket(bucketOutbox)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	now := db.now().UTC()
	lang = portal.NormalizeLang(lang)
	m := OutboxMessage{ID: id, Channel: ch, To: to, Text: portal.OutboundText(kind, lang, param), Kind: kind, Lang: lang,
		Param: param, Account: account, Created: now, Status: OutboxPending, NextAt: now}
	if ch == portal.ChannelEmail {
		m.Subject = portal.EmailSubject(lang)
	}
	if err := db.putOutbox(tx, m); err != nil {
		return err
	}
	return tx.Bucket(bucketOutboxDue).Put(timeKey(now, id), nil)
}

// enqueueForAccount sends a template to an account: by SMS to its mobile and,
// when it confirmed one, by e-mail too.
//
// Accounts made by the seed command get nothing: their numbers are invented,
// and a seeded load test would fill the outbox with millions of rows.
func (db *DB) enqueueForAccount(tx kv.Tx, a portal.Account, kind portal.OutboundKind, param string) error {
	if a.Seeded {
		return nil
	}
	if err := db.enqueueTo(tx, portal.ChannelSMS, a.Mobile, a.Lang, kind, param, a.ID); err != nil {
		return err
	}
	return db.enqueueTo(tx, portal.ChannelEmail, a.Email, a.Lang, kind, param, a.ID)
}

// enqueueSecurityNotice tells an account's owner about a security event
// (password changed, someone tried to register with the number or claimed
// the identity number, a new device signed in) in the transaction of the
// event. Unknown accounts are ignored: there is nobody to tell.
func (db *DB) enqueueSecurityNotice(tx kv.Tx, account uint64, kind portal.OutboundKind) error {
	a, err := db.getAccount(tx, account)
	if portal.ErrorCode(err) == portal.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return db.enqueueForAccount(tx, a, kind, "")
}

// EnqueueSecurityNotice is enqueueSecurityNotice in a transaction of its own,
// for events that write nothing else.
func (db *DB) EnqueueSecurityNotice(account uint64, kind portal.OutboundKind) error {
	return db.update(func(tx kv.Tx) error { return db.enqueueSecurityNotice(tx, account, kind) })
}

// DueOutbox returns up to limit pending messages whose time has come.
func (db *DB) DueOutbox(now time.Time, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := db.view(func(tx kv.Tx) error {
		end := itob(uint64(now.UnixNano())) // #nosec G115 -- times after 1970
		cur := tx.Bucket(bucketOutboxDue).Cursor()
		for k, _ := cur.First(); k != nil && len(out) < limit && bytes.Compare(k[:8], end) <= 0; k, _ = cur.Next() {
			m, err := db.getOutbox(tx, btoi(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// NextOutboxAt is when the earliest pending message is due (zero if none).
func (db *DB) NextOutboxAt() (time.Time, error) {
	var at time.Time
	err := db.view(func(tx kv.Tx) error {
		if k, _ := tx.Bucket(bucketOutboxDue).Cursor().First(); k != nil {
			at = time.Unix(0, int64(btoi(k[:8]))) // #nosec G115 -- written from UnixNano
		}
		return nil
	})
	return at, err
}

// BeginOutboxAttempt marks a message in flight and commits it before the
// deliverer is called. The returned message has Resumed set when an earlier
// attempt never recorded its outcome.
func (db *DB) BeginOutboxAttempt(id uint64) (OutboxMessage, error) {
	var m OutboxMessage
	err := db.update(func(tx kv.Tx) error {
		var err error
		if m, err = db.getOutbox(tx, id); err != nil {
			return err
		}
		if m.Status != OutboxPending {
			return portal.NotFound()
		}
		m.Resumed = m.InFlight
		m.InFlight = true
		m.Attempts++
		return db.putOutbox(tx, m)
	})
	return m, err
}

// OutboxResult is the outcome of one attempt.
type OutboxResult struct {
	Sent      bool
	GatewayID string
	Error     string    // a class of error, no personal data
	RetryAt   time.Time // when to try again; zero gives up
}

// FinishOutboxAttempt records an attempt's outcome. A final state erases the
// recipient and the text (see Retention above).
func (db *DB) FinishOutboxAttempt(id uint64, r OutboxResult) error {
	return db.update(func(tx kv.Tx) error {
		m, err := db.getOutbox(tx, id)
		if err != nil {
			return err
		}
		if m.Status != OutboxPending {
			return nil
		}
		if err := tx.Bucket(bucketOutboxDue).Delete(timeKey(m.NextAt, id)); err != nil {
			return err
		}
		m.InFlight, m.LastError, m.GatewayID = false, r.Error, r.GatewayID
		now := db.now().UTC()
		switch {
		case r.Sent:
			m.Status = OutboxSent
		case r.RetryAt.IsZero():
			m.Status = OutboxFailed
		default:
			m.NextAt = r.RetryAt.UTC()
			if err := tx.Bucket(bucketOutboxDue).Put(timeKey(m.NextAt, id), nil); err != nil {
				return err
			}
			return db.putOutbox(tx, m)
		}
		m.DoneAt, m.To, m.Text, m.Subject, m.Param = now, "", "", "", ""
		if err := tx.Bucket(bucketOutboxDone).Put(timeKey(now, id), nil); err != nil {
			return err
		}
		return db.putOutbox(tx, m)
	})
}

// PostponeOutbox moves a message's due time without counting an attempt
// (the per-recipient rate limit).
func (db *DB) PostponeOutbox(id uint64, at time.Time) error {
	return db.update(func(tx kv.Tx) error {
		m, err := db.getOutbox(tx, id)
		if err != nil || m.Status != OutboxPending {
			return err
		}
		if err := tx.Bucket(bucketOutboxDue).Delete(timeKey(m.NextAt, id)); err != nil {
			return err
		}
		m.NextAt = at.UTC()
		if err := tx.Bucket(bucketOutboxDue).Put(timeKey(m.NextAt, id), nil); err != nil {
			return err
		}
		return db.putOutbox(tx, m)
	})
}

// PurgeOutbox deletes the delivery records of messages finished before
// before, and returns how many went. It deletes at most jobBatch records per
// transaction (batches.go), oldest first, until none is left.
func (db *DB) PurgeOutbox(before time.Time) (int, error) {
	end := itob(uint64(before.UnixNano())) // #nosec G115 -- times after 1970
	n := 0
	for {
		k := 0
		err := db.update(func(tx kv.Tx) error {
			k = 0
			cur := tx.Bucket(bucketOutboxDone).Cursor()
			for key, _ := cur.First(); key != nil && bytes.Compare(key[:8], end) < 0 && k < jobBatch; key, _ = cur.First() {
				if err := tx.Bucket(bucketOutbox).Delete(key[8:]); err != nil {
					return err
				}
				if err := cur.Delete(); err != nil {
					return err
				}
				k++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += k
		if k < jobBatch {
			return n, nil
		}
	}
}

// OutboxRow returns one message as stored (for tests and the delivery
// record).
func (db *DB) OutboxRow(id uint64) (OutboxMessage, error) {
	var m OutboxMessage
	err := db.view(func(tx kv.Tx) error {
		var err error
		m, err = db.getOutbox(tx, id)
		return err
	})
	return m, err
}

// OutboxRows lists every message, oldest first (tests and diagnostics).
func (db *DB) OutboxRows() ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, _ []byte) error {
			m, err := db.getOutbox(tx, btoi(k))
			out = append(out, m)
			return err
		})
	})
	return out, err
}
