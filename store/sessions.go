package store

import (
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
func (db *DB) PutSession(hash []byte, s portal.Session) error {
	raw, err := json.Marshal(sessionRecord{AccountID: s.AccountID, Role: s.Role,
		CreatedAt: s.CreatedAt.UnixNano(), LastSeen: s.LastSeen.UnixNano(), Values: s.Values})
	if err != nil {
		return err
	}
	return db.update(func(tx kv.Tx) error {
		if err := tx.Bucket(bucketSessions).Put(hash, raw); err != nil {
			return err
		}
		if s.AccountID != 0 {
			return tx.Bucket(bucketSessionsByAcct).Put(append(itob(s.AccountID), hash...), nil)
		}
		return nil
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
		if err := tx.Bucket(bucketSessionsByAcct).Delete(append(itob(r.AccountID), hash...)); err != nil {
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

// DeleteExpiredSessions removes sessions last seen before cutoff (nanoseconds
// since the epoch); run periodically so the bucket does not grow without end.
func (db *DB) DeleteExpiredSessions(idleCutoff, absoluteCutoff int64) (int, error) {
	n := 0
	err := db.update(func(tx kv.Tx) error {
		var dead [][]byte
		err := tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var r sessionRecord
			if err := json.Unmarshal(v, &r); err != nil || r.LastSeen < idleCutoff || r.CreatedAt < absoluteCutoff {
				dead = append(dead, copyBytes(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := deleteSession(tx, k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	return n, err
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
