package store

import (
	"bytes"
	"encoding/json"

	"sealportal/portal"
	"sealportal/store/kv"
)

// MarkNotificationsReadFor marks as read the account's unread notifications
// that point to the thing with reference ref (a case's or a relief request's):
// opening what a notification points to reads it (issue 16). It returns how
// many it marked. An empty ref marks nothing.
func (db *DB) MarkNotificationsReadFor(account uint64, ref string) (int, error) {
	if ref == "" {
		return 0, nil
	}
	return db.markNotificationsRead(account, func(n portal.Notification) bool { return n.Ref == ref })
}

// MarkNotificationsReadByKey marks as read the account's unread notifications
// of the given keys that point to no case (identity, certificate news), when
// the page they are about is opened.
func (db *DB) MarkNotificationsReadByKey(account uint64, keys ...string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	return db.markNotificationsRead(account, func(n portal.Notification) bool {
		if n.Ref != "" {
			return false
		}
		for _, k := range keys {
			if n.Key == k {
				return true
			}
		}
		return false
	})
}

// markNotificationsRead marks the account's unread notifications that match
// and lowers the unread count by as many, in one transaction. Nothing is
// written when nothing matches, so opening a page twice costs one read.
func (db *DB) markNotificationsRead(account uint64, match func(portal.Notification) bool) (int, error) {
	unread, err := db.UnreadCount(account)
	if err != nil || unread == 0 {
		return 0, err
	}
	// Look before writing: most page views have nothing to mark.
	var any bool
	err = db.view(func(tx kv.Tx) error {
		prefix := itob(account)
		cur := tx.Bucket(bucketNotifications).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && !any; k, v = cur.Next() {
			var n portal.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			any = !n.Read && match(n)
		}
		return nil
	})
	if err != nil || !any {
		return 0, err
	}
	var marked int
	err = db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketNotifications)
		prefix := itob(account)
		type kv struct{ k, v []byte }
		var changed []kv
		cur := b.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var n portal.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			if n.Read || !match(n) {
				continue
			}
			n.Read = true
			raw, err := json.Marshal(n)
			if err != nil {
				return err
			}
			changed = append(changed, kv{copyBytes(k), raw})
		}
		for _, e := range changed {
			if err := b.Put(e.k, e.v); err != nil {
				return err
			}
		}
		marked = len(changed)
		if marked == 0 {
			return nil
		}
		return addUnread(tx, account, -int64(marked))
	})
	return marked, err
}
