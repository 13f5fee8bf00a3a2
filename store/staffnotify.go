package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Officials' notifications (issue 18): a case of the organ needs it — a new
// application, a citizen's message, a decision awaiting a second official's
// approval, records to seal or an unsealing to act on. They are kept per
// organ (every official of the organ sees them, except the one whose own step
// caused it) and carry the reference and a message key, never personal data.

var (
	bucketStaffNotifications     = []byte("staff_notifications")
	bucketStaffNotificationsSeen = []byte("staff_notifications_seen")
)

// The message keys of officials' notifications.
const (
	NotifyStaffNewApplication = "staff_notify.new_application"
	NotifyStaffMessage        = "staff_notify.message"
	NotifyStaffOverride       = "staff_notify.override"
	NotifyStaffToSeal         = "staff_notify.to_seal"
	NotifyStaffUnsealed       = "staff_notify.unsealed"
	NotifyStaffUnsealApproval = "staff_notify.unseal_approval" // issue 18
)

// StaffNotification is one notification of an organ.
type StaffNotification struct {
	ID     uint64
	CaseID uint64
	Ref    string
	Key    string
	At     time.Time
	Except uint64 `json:",omitempty"` // the official whose step caused it
	Unread bool   `json:"-"`
}

// notifyStaff tells the organs a step concerns: the deciding organ of a new
// application and of an override to approve; each holding organ when sealing
// is decided (R12) and when the record is unsealed (R18).
func (db *DB) notifyStaff(tx kv.Tx, old, c portal.Case, st Step) error {
	switch {
	case st.Action == portal.ActionSubmit:
		return db.notifyOrgan(tx, c.DecidingOrganID, c, NotifyStaffNewApplication, st.AccountID)
	case st.Action == portal.ActionProposeOverride:
		return db.notifyOrgan(tx, c.DecidingOrganID, c, NotifyStaffOverride, st.AccountID)
	case st.Action == portal.ActionProposeUnsealing || st.Action == portal.ActionConfirmUnsealing:
		// Issue 18: a second official of the deciding organ approves.
		return db.notifyOrgan(tx, c.DecidingOrganID, c, NotifyStaffUnsealApproval, st.AccountID)
	case c.Status == portal.StatusSealed && old.Status != portal.StatusSealed && old.Status != portal.StatusUnsealingReview &&
		old.Status != portal.StatusUnsealingApproval:
		for _, o := range c.PendingHolders() {
			if err := db.notifyOrgan(tx, o, c, NotifyStaffToSeal, st.AccountID); err != nil {
				return err
			}
		}
	case c.Status == portal.StatusUnsealing && old.Status != portal.StatusUnsealing:
		// Issue 18: every holder lifts the seal on its files and confirms.
		for _, o := range c.HoldingOrganIDs {
			if err := db.notifyOrgan(tx, o, c, NotifyStaffUnsealed, st.AccountID); err != nil {
				return err
			}
		}
	}
	return nil
}

// notifyOrgan adds a notification to an organ's list.
func (db *DB) notifyOrgan(tx kv.Tx, organ uint64, c portal.Case, key string, except uint64) error {
	if organ == 0 || c.Ref == "" {
		return nil
	}
	b := tx.Bucket(bucketStaffNotifications)
	if b == nil {
		return fmt.Errorf("store: no %s bucket", bucketStaffNotifications)
	}
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(StaffNotification{ID: id, CaseID: c.ID, Ref: c.Ref, Key: key, At: db.now().UTC(), Except: except})
	if err != nil {
		return err
	}
	return b.Put(append(itob(organ), itob(id)...), raw)
}

// StaffNotifications lists the newest notifications of the official's organ
// (at most limit), newest first, each marked unread when newer than what the
// official last marked read, with the number unread.
func (db *DB) StaffNotifications(official portal.Account, limit int) (out []StaffNotification, unread int, err error) {
	if official.OrganID == 0 {
		return nil, 0, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	err = db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketStaffNotifications)
		if b == nil {
			return nil
		}
		var seen uint64
		if v := tx.Bucket(bucketStaffNotificationsSeen).Get(itob(official.ID)); len(v) == 8 {
			seen = btoi(v)
		}
		prefix := itob(official.OrganID)
		cur := b.Cursor()
		k, v := cur.Seek(itob(official.OrganID + 1))
		if k == nil {
			k, v = cur.Last()
		} else {
			k, v = cur.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Prev() {
			var n StaffNotification
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("store: staff notification %d: %w", btoi(k[8:]), err)
			}
			if n.Except == official.ID {
				continue
			}
			n.Unread = n.ID > seen
			if n.Unread {
				unread++
			}
			if len(out) < limit {
				out = append(out, n)
			} else if !n.Unread {
				break
			}
		}
		return nil
	})
	return out, unread, err
}

// MarkStaffNotificationsRead marks every notification of the official's
// organ up to now as read for that official.
func (db *DB) MarkStaffNotificationsRead(official portal.Account) error {
	return db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketStaffNotifications)
		if b == nil {
			return nil
		}
		return tx.Bucket(bucketStaffNotificationsSeen).Put(itob(official.ID), itob(b.Sequence()))
	})
}
