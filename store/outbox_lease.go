package store

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"sealportal/store/kv"
)

// One sender of the outbox across app servers (issue 15). Every server runs
// the messaging sender; on a shared database only the one holding this lease
// delivers, so two servers never pick the same due message and send it twice
// (the second would take the first's attempt for one whose outcome is
// unknown). The holder renews the lease well before it lapses; when it dies,
// another server takes over once the lease has lapsed, and a message it left
// in flight is resumed as such (BeginOutboxAttempt's Resumed). On a bbolt
// file the one process always holds it and nothing is written.

// keyOutboxSender (bucket meta) holds the holder's id, a zero byte and the
// lease's end (UnixNano in decimal).
var keyOutboxSender = []byte("outbox_sender")

// outboxLease reads the value of keyOutboxSender.
func outboxLease(v []byte) (holder []byte, end int64, ok bool) {
	holder, e, found := bytes.Cut(v, []byte{0})
	if !found {
		return nil, 0, false
	}
	end, err := strconv.ParseInt(string(e), 10, 64)
	return holder, end, err == nil
}

// OutboxSenderLease is how long a claim to deliver the outbox lasts.
const OutboxSenderLease = time.Minute

// ClaimOutboxSender claims or renews the lease for holder (a random id of
// the calling process) and reports whether holder holds it now. A lease that
// another holder still holds is seen in a read transaction, without taking
// the writer lock.
func (db *DB) ClaimOutboxSender(holder []byte) (bool, error) {
	if len(holder) == 0 || bytes.IndexByte(holder, 0) >= 0 {
		return false, errors.New("store: an outbox lease holder is a non-empty id without zero bytes")
	}
	if !db.Shared() {
		return true, nil
	}
	now := db.now()
	free := func(v []byte) bool {
		h, end, ok := outboxLease(v)
		return !ok || bytes.Equal(h, holder) || now.UnixNano() >= end
	}
	busy := false
	if err := db.view(func(tx kv.Tx) error {
		busy = !free(tx.Bucket(bucketMeta).Get(keyOutboxSender))
		return nil
	}); err != nil || busy {
		return false, err
	}
	held := false
	err := db.update(func(tx kv.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if held = free(meta.Get(keyOutboxSender)); !held {
			return nil
		}
		v := append(append(bytes.Clone(holder), 0), strconv.FormatInt(now.Add(OutboxSenderLease).UnixNano(), 10)...)
		return meta.Put(keyOutboxSender, v)
	})
	return held && err == nil, err
}

// ReleaseOutboxSender ends holder's lease, if it holds it, so that another
// server takes over at once (a server that stops cleanly).
func (db *DB) ReleaseOutboxSender(holder []byte) error {
	if !db.Shared() {
		return nil
	}
	return db.update(func(tx kv.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if h, _, ok := outboxLease(meta.Get(keyOutboxSender)); ok && bytes.Equal(h, holder) {
			return meta.Delete(keyOutboxSender)
		}
		return nil
	})
}
