package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Sessions are keyed by the SHA-256 of the random id the browser holds, so the
// database never contains a usable cookie. sessions_by_account lets logout,
// password change and disabling end every session of an account.

type sessionRecord struct {
	AccountID uint64            `json:"account_id,omitempty"`
	Role      portal.Role       `json:"role,omitempty"`
	CreatedAt int64             `json:"created_at"`
	LastSeen  int64             `json:"last_seen"`
	Values    map[string]string `json:"values,omitempty"`
}

// PutSession stores (creates or replaces) a session under its id hash.
//
// On an engine that can write one key outside the writer lock
// (kv.UnlockedPutter: PostgreSQL), the frequent save of a session that is
// already stored for the same account (a request's touch, a flash value)
// does not queue behind the audited writers (design §6.3): the record is the
// same bytes either way, it depends on no other key, and sessions are not
// audited. Creating a session, or giving it another account, still goes
// under the lock, since it writes the sessions_by_account index too; ending
// sessions (logout, password change, disabling, the sweeper) always does.
func (db *DB) PutSession(hash []byte, s portal.Session) error {
	raw, err := encodeSession(s)
	if err != nil {
		return err
	}
	if up, ok := db.eng.(kv.UnlockedPutter); ok {
		done, err := db.touchSession(up, hash, s.AccountID, raw)
		if done || err != nil {
			return err
		}
	}
	return db.update(func(tx kv.Tx) error {
		if err := tx.Bucket(bucketSessions).Put(hash, raw); err != nil {
			return err
		}
		if s.AccountID != 0 {
			return tx.Bucket(bucketSessionsByAcct).Put(sessionIndexKey(s.AccountID, hash), nil)
		}
		return nil
	})
}

// encodeSession is a session's stored record: the same bytes whichever way
// it is written.
func encodeSession(s portal.Session) ([]byte, error) {
	return json.Marshal(sessionRecord{AccountID: s.AccountID, Role: s.Role,
		CreatedAt: s.CreatedAt.UnixNano(), LastSeen: s.LastSeen.UnixNano(), Values: s.Values})
}

func sessionIndexKey(accountID uint64, hash []byte) []byte {
	return append(itob(accountID), hash...)
}

// hasKey reports whether b holds key (whatever its value, empty included).
func hasKey(b kv.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return k != nil && bytes.Equal(k, key)
}

// touchSession saves a session outside the writer lock when it is stored
// already for the same account, with its index entry; it reports whether it
// did (false: the caller saves it under the lock).
//
// A session ended while it was being saved must stay ended: the unlocked
// write would otherwise bring it back without its index entry, where ending
// the account's sessions (a password change) could no longer find it. So
// after the write, a session of an account whose index entry is gone is
// removed under the lock (dropOrphanSession): ending wins over a touch.
func (db *DB) touchSession(up kv.UnlockedPutter, hash []byte, accountID uint64, raw []byte) (bool, error) {
	known := false
	err := db.view(func(tx kv.Tx) error {
		old := tx.Bucket(bucketSessions).Get(hash)
		if old == nil {
			return nil
		}
		var r sessionRecord
		if json.Unmarshal(old, &r) != nil || r.AccountID != accountID {
			return nil
		}
		known = accountID == 0 || hasKey(tx.Bucket(bucketSessionsByAcct), sessionIndexKey(accountID, hash))
		return nil
	})
	if err != nil || !known {
		return false, err
	}
	if err := up.PutUnlocked(context.Background(), bucketSessions, hash, raw); err != nil {
		return true, storageFull(err)
	}
	if accountID == 0 {
		return true, nil
	}
	return true, db.dropOrphanSession(hash)
}

// dropOrphanSession removes the session stored under hash if it belongs to an
// account but its sessions_by_account entry is gone (it was ended while an
// unlocked save wrote it back).
func (db *DB) dropOrphanSession(hash []byte) error {
	orphan := func(tx kv.Tx) bool {
		raw := tx.Bucket(bucketSessions).Get(hash)
		if raw == nil {
			return false
		}
		var r sessionRecord
		if json.Unmarshal(raw, &r) != nil || r.AccountID == 0 {
			return false
		}
		return !hasKey(tx.Bucket(bucketSessionsByAcct), sessionIndexKey(r.AccountID, hash))
	}
	found := false
	if err := db.view(func(tx kv.Tx) error { found = orphan(tx); return nil }); err != nil || !found {
		return err
	}
	return db.update(func(tx kv.Tx) error {
		if !orphan(tx) { // saved again under the lock meanwhile
			return nil
		}
		return tx.Bucket(bucketSessions).Delete(hash)
	})
}

// Session returns the session stored under hash, or a not-found error.
func (db *DB) Session(hash []byte) (portal.Session, error) {
	var s portal.Session
	err := db.view(func(tx kv.Tx) error {
		raw := tx.Bucket(bucketSessions).Get(hash)
		if raw == nil {
			return portal.NotFound()
		}
		var r sessionRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("store: decode session: %w", err)
		}
		s = portal.Session{AccountID: r.AccountID, Role: r.Role, Values: r.Values,
			CreatedAt: unixNano(r.CreatedAt), LastSeen: unixNano(r.LastSeen)}
		return nil
	})
	return s, err
}

// DeleteSession removes one session (logout, expiry, id rotation).
func (db *DB) DeleteSession(hash []byte) error {
	return db.update(func(tx kv.Tx) error { return deleteSession(tx, hash) })
}

// EndSessions removes every session of an account and audits it.
func (db *DB) EndSessions(accountID, actor uint64, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		if err := deleteSessionsOf(tx, accountID); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSessionsEnded, ActorID: actor,
			SubjectKind: kindAccount, SubjectID: accountID, RequestID: requestID})
	})
}

// Logout removes one session and audits the logout.
func (db *DB) Logout(hash []byte, accountID uint64, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		if err := deleteSession(tx, hash); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLogout, ActorID: accountID,
			SubjectKind: kindAccount, SubjectID: accountID, RequestID: requestID})
	})
}

func deleteSession(tx kv.Tx, hash []byte) error {
	b := tx.Bucket(bucketSessions)
	raw := b.Get(hash)
	if raw == nil {
		return nil
	}
	var r sessionRecord
	if err := json.Unmarshal(raw, &r); err == nil && r.AccountID != 0 {
		if err := tx.Bucket(bucketSessionsByAcct).Delete(sessionIndexKey(r.AccountID, hash)); err != nil {
			return err
		}
	}
	return b.Delete(hash)
}

func deleteSessionsOf(tx kv.Tx, accountID uint64) error {
	idx := tx.Bucket(bucketSessionsByAcct)
	sessions := tx.Bucket(bucketSessions)
	prefix := itob(accountID)
	var keys [][]byte
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) > 8 && btoi(k[:8]) == accountID; k, _ = c.Next() {
		keys = append(keys, copyBytes(k))
	}
	for _, k := range keys {
		if err := sessions.Delete(k[8:]); err != nil {
			return err
		}
		if err := idx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// sweepPage is the most sessions one transaction of the sweeper deletes
// (design §6.3), so that it never holds the writer lock for long.
var sweepPage = 500

// DeleteExpiredSessions removes sessions last seen before idleCutoff or
// created before absoluteCutoff (nanoseconds since the epoch); run
// periodically so the bucket does not grow without end. It finds them in
// read transactions and deletes them in write transactions of at most
// sweepPage sessions, checking each again there: a session touched since it
// was found is kept.
func (db *DB) DeleteExpiredSessions(idleCutoff, absoluteCutoff int64) (int, error) {
	expired := func(v []byte) bool {
		var r sessionRecord
		return json.Unmarshal(v, &r) != nil || r.LastSeen < idleCutoff || r.CreatedAt < absoluteCutoff
	}
	n := 0
	var after []byte
	for {
		var dead [][]byte
		more := false
		err := db.view(func(tx kv.Tx) error {
			dead, more = nil, false
			c := tx.Bucket(bucketSessions).Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil; k, v = c.Next() {
				if len(dead) == sweepPage {
					more = true
					break
				}
				if expired(v) {
					dead = append(dead, copyBytes(k))
				}
			}
			return nil
		})
		if err != nil || len(dead) == 0 {
			return n, err
		}
		deleted := 0
		err = db.update(func(tx kv.Tx) error {
			deleted = 0
			b := tx.Bucket(bucketSessions)
			for _, k := range dead {
				if v := b.Get(k); v == nil || !expired(v) {
					continue // gone, or touched since
				}
				if err := deleteSession(tx, k); err != nil {
					return err
				}
				deleted++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += deleted
		if !more {
			return n, nil
		}
		after = dead[len(dead)-1]
	}
}

// SessionInfo is one live session of an account as its holder sees it:
// Handle names it in forms (a prefix of the hash of the id hash, so no form
// or page carries anything that opens the session), Session its times and
// values.
type SessionInfo struct {
	Handle  string
	Session portal.Session
}

// sessionHandle is the public name of the session stored under hash.
func sessionHandle(hash []byte) string {
	h := sha256.Sum256(hash)
	return hex.EncodeToString(h[:12])
}

// SessionHandle is the public name of the session stored under hash.
func SessionHandle(hash []byte) string { return sessionHandle(hash) }

// SessionsOf lists an account's sessions, most recently seen first.
func (db *DB) SessionsOf(accountID uint64) ([]SessionInfo, error) {
	var out []SessionInfo
	err := db.view(func(tx kv.Tx) error {
		idx, sessions := tx.Bucket(bucketSessionsByAcct), tx.Bucket(bucketSessions)
		prefix := itob(accountID)
		c := idx.Cursor()
		for k, _ := c.Seek(prefix); k != nil && len(k) > 8 && btoi(k[:8]) == accountID; k, _ = c.Next() {
			raw := sessions.Get(k[8:])
			if raw == nil {
				continue
			}
			var r sessionRecord
			if err := json.Unmarshal(raw, &r); err != nil || r.AccountID != accountID {
				continue
			}
			out = append(out, SessionInfo{Handle: sessionHandle(k[8:]), Session: portal.Session{AccountID: r.AccountID, Role: r.Role,
				Values: r.Values, CreatedAt: unixNano(r.CreatedAt), LastSeen: unixNano(r.LastSeen)}})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b SessionInfo) int { return b.Session.LastSeen.Compare(a.Session.LastSeen) })
	return out, err
}

// EndSessionOf ends one session of an account, named by its handle, and
// audits it. A handle of no session of this account is not found.
func (db *DB) EndSessionOf(accountID uint64, handle, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		idx := tx.Bucket(bucketSessionsByAcct)
		prefix := itob(accountID)
		var hash []byte
		c := idx.Cursor()
		for k, _ := c.Seek(prefix); k != nil && len(k) > 8 && btoi(k[:8]) == accountID; k, _ = c.Next() {
			if subtle.ConstantTimeCompare([]byte(sessionHandle(k[8:])), []byte(handle)) == 1 {
				hash = copyBytes(k[8:])
				break
			}
		}
		if hash == nil {
			return portal.NotFound()
		}
		if err := deleteSession(tx, hash); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSessionsEnded, ActorID: accountID,
			SubjectKind: kindAccount, SubjectID: accountID, Detail: "one_by_holder", RequestID: requestID})
	})
}
