package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The second factor of an account lives in its own bucket, created by the
// first write that needs it (CreateBucketIfNotExists), so that databases made
// before it need no migration and readers treat a missing bucket as "nobody
// enrolled".
var bucketTOTP = []byte("totp")

const kindTOTP = "totp"

// totpRecord is an account's second factor. The secrets are AES-GCM
// ciphertexts bound to the account id. Recovery codes are kept as
// HMAC-SHA-256 under the index key: a code carries 80 random bits, so a slow
// password hash would add nothing against guessing, and the key means a copy
// of the database file alone cannot even test a guess.
type totpRecord struct {
	Secret    []byte    `json:"secret,omitempty"`    // the enrolled secret
	Pending   []byte    `json:"pending,omitempty"`   // a secret shown at enrolment, not yet confirmed
	PendingAt time.Time `json:"pending_at,omitzero"` // when it was shown
	LastStep  int64     `json:"last_step,omitempty"` // the last time step accepted (replay guard)
	Recovery  [][]byte  `json:"recovery,omitempty"`  // keyed hashes of the unused recovery codes
	// RecoveryKey is the blind key that made the recovery hashes (0: key 1,
	// before blind keys rotated; blindkeys.go).
	RecoveryKey byte      `json:"recovery_key,omitempty"`
	EnabledAt   time.Time `json:"enabled_at,omitzero"` // when enrolment was confirmed
}

// pendingSecretAge bounds how long an unconfirmed secret is shown again; an
// older one is replaced, so that a secret glimpsed long ago is never enrolled.
const pendingSecretAge = time.Hour

func getTOTP(tx kv.Tx, id uint64) (totpRecord, bool, error) {
	var r totpRecord
	b := tx.Bucket(bucketTOTP)
	if b == nil {
		return r, false, nil
	}
	raw := b.Get(itob(id))
	if raw == nil {
		return r, false, nil
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, false, fmt.Errorf("store: decode totp %d: %w", id, err)
	}
	return r, true, nil
}

func putTOTP(tx kv.Tx, id uint64, r totpRecord) error {
	b, err := tx.CreateBucketIfNotExists(bucketTOTP)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(r) // #nosec G117 -- Secret and Pending are sealed by db.crypt before they reach a totpRecord
	if err != nil {
		return err
	}
	return b.Put(itob(id), raw)
}

// totpEnabled reports whether the account has confirmed a second factor.
func totpEnabled(tx kv.Tx, id uint64) bool {
	r, ok, err := getTOTP(tx, id)
	return err == nil && ok && len(r.Secret) > 0
}

// StartTOTPEnrolment returns the secret to show on the enrolment page: the one
// already shown (so that reloading the page keeps the QR code the app has
// scanned), or candidate, which is stored as pending. An account that is
// already enrolled gets a conflict.
func (db *DB) StartTOTPEnrolment(id uint64, candidate string) (string, error) {
	secret := candidate
	err := db.update(func(tx kv.Tx) error {
		if _, err := db.getAccount(tx, id); err != nil {
			return err
		}
		r, _, err := getTOTP(tx, id)
		if err != nil {
			return err
		}
		if len(r.Secret) > 0 {
			return portal.Conflict("totp.already_enrolled")
		}
		now := db.now().UTC()
		if len(r.Pending) > 0 && now.Sub(r.PendingAt) < pendingSecretAge {
			secret, err = db.crypt.openString(kindTOTP, id, "pending", r.Pending)
			return err
		}
		r.Pending, r.PendingAt = db.crypt.sealString(kindTOTP, id, "pending", candidate), now
		return putTOTP(tx, id, r)
	})
	return secret, err
}

// ConfirmTOTP enrols the pending secret when code is right for it, stores the
// keyed hashes of the recovery codes and audits the enrolment. A wrong code is
// an invalid error on the field "code" and changes nothing.
func (db *DB) ConfirmTOTP(id uint64, code string, recovery []string, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		r, _, err := getTOTP(tx, id)
		if err != nil {
			return err
		}
		if len(r.Secret) > 0 {
			return portal.Conflict("totp.already_enrolled")
		}
		if len(r.Pending) == 0 {
			return &portal.Error{Code: portal.CodeInvalid, Key: "totp.enrol_expired", Fields: map[string]string{"code": "totp.enrol_expired"}}
		}
		secret, err := db.crypt.openString(kindTOTP, id, "pending", r.Pending)
		if err != nil {
			return err
		}
		now := db.now()
		step, err := portal.MatchTOTP(secret, code, now, 0)
		if err != nil {
			return err
		}
		bk := db.crypt.bkeys.Load().active
		r = totpRecord{Secret: db.crypt.sealString(kindTOTP, id, "secret", secret), LastStep: step, EnabledAt: now.UTC(), RecoveryKey: bk.id}
		for _, c := range recovery {
			n, ok := portal.NormalizeRecoveryCode(c)
			if !ok {
				return portal.Internal(fmt.Errorf("store: recovery code of account %d has the wrong shape", id))
			}
			r.Recovery = append(r.Recovery, bk.blind("recovery", strconv.FormatUint(id, 10)+":"+n))
		}
		if err := putTOTP(tx, id, r); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditTOTPEnrolled, ActorID: id, ActorRole: a.Role,
			SubjectKind: kindAccount, SubjectID: id, RequestID: requestID})
	})
}

// Second-factor purposes, written as the audit detail.
const (
	SecondFactorLogin  = "login"
	SecondFactorStepUp = "step_up"
)

// VerifySecondFactor checks a six-digit code or a recovery code for the
// account, in one transaction so that two requests cannot both spend the same
// step or recovery code. A TOTP step at or before the last accepted one is a
// replay. A failure counts towards the account's lockout like a wrong password
// and is audited; a recovery code is spent and audited. At login (purpose
// SecondFactorLogin) success also resets the failure count and audits the
// login, which the password alone did not.
func (db *DB) VerifySecondFactor(id uint64, typed, purpose, requestID string) (portal.SecondFactorResult, error) {
	var res portal.SecondFactorResult
	err := db.update(func(tx kv.Tx) error {
		res = portal.SecondFactorResult{}
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		now := db.now()
		if a.Disabled || a.Locked(now) {
			res.Locked, res.Key = true, "totp.locked"
			return nil
		}
		r, ok, err := getTOTP(tx, id)
		if err != nil {
			return err
		}
		if !ok || len(r.Secret) == 0 {
			return portal.Conflict("totp.not_enrolled")
		}
		if code, isTOTP := portal.NormalizeTOTPCode(typed); isTOTP {
			secret, err := db.crypt.openString(kindTOTP, id, "secret", r.Secret)
			if err != nil {
				return err
			}
			step, err := portal.MatchTOTP(secret, code, now, r.LastStep)
			if err == nil {
				r.LastStep, res.Passed = step, true
			} else if pe, ok := portal.AsError(err); ok && pe.Code == portal.CodeInvalid {
				res.Key = pe.Key
			} else {
				return err
			}
		} else if code, isRecovery := portal.NormalizeRecoveryCode(typed); isRecovery {
			// A code made before a blind-key rotation matches under its kept
			// key (blindkeys.go) until the operator retires that key.
			res.Key = "totp.code_wrong"
			for i, stored := range r.Recovery {
				if db.crypt.blindMatches(stored, "recovery", strconv.FormatUint(id, 10)+":"+code) {
					r.Recovery = append(r.Recovery[:i:i], r.Recovery[i+1:]...)
					res.Passed, res.Recovery, res.Key = true, true, ""
					break
				}
			}
		} else {
			res.Key = "totp.code_format"
		}
		res.RecoveryLeft = len(r.Recovery)
		if !res.Passed {
			return db.recordSecondFactorFailure(tx, a, purpose, requestID, &res)
		}
		if err := putTOTP(tx, id, r); err != nil {
			return err
		}
		if res.Recovery {
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditRecoveryCodeUsed, ActorID: id, ActorRole: a.Role,
				SubjectKind: kindAccount, SubjectID: id, Detail: purpose, RequestID: requestID}); err != nil {
				return err
			}
		}
		if purpose != SecondFactorLogin {
			return nil
		}
		a.FailedLogins, a.LockedUntil = 0, time.Time{}
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLogin, ActorID: id, ActorRole: a.Role,
			SubjectKind: kindAccount, SubjectID: id, Detail: "totp", RequestID: requestID})
	})
	return res, err
}

// recordSecondFactorFailure counts a wrong second factor like a wrong
// password (portal.MaxFailedLogins, then a lockout that also ends the
// account's sessions, so that a step-up cannot be guessed from a stolen
// session) and audits it.
func (db *DB) recordSecondFactorFailure(tx kv.Tx, a portal.Account, purpose, requestID string, res *portal.SecondFactorResult) error {
	now := db.now()
	a.FailedLogins++
	ev := portal.AuditEvent{Action: portal.AuditSecondFactorFailed, ActorID: a.ID, ActorRole: a.Role,
		SubjectKind: kindAccount, SubjectID: a.ID, Detail: purpose, RequestID: requestID}
	if err := db.appendAudit(tx, ev); err != nil {
		return err
	}
	if a.FailedLogins >= portal.MaxFailedLogins {
		a.LockedUntil = now.Add(portal.LockoutDuration).UTC()
		a.FailedLogins = 0
		res.Locked = true
		if err := deleteSessionsOf(tx, a.ID); err != nil {
			return err
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLockout, SubjectKind: kindAccount,
			SubjectID: a.ID, Detail: "second_factor", RequestID: requestID}); err != nil {
			return err
		}
	}
	return db.putAccount(tx, a)
}

// ResetTOTP removes an account's second factor and recovery codes and ends
// its sessions; an official must enrol again at the next login, a citizen is
// back to password only. actor is the administrator (0 for the command line).
func (db *DB) ResetTOTP(id, actor uint64, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		if _, err := db.getAccount(tx, id); err != nil {
			return err
		}
		if b := tx.Bucket(bucketTOTP); b != nil {
			if err := b.Delete(itob(id)); err != nil {
				return err
			}
		}
		if err := deleteSessionsOf(tx, id); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditTOTPReset, ActorID: actor,
			SubjectKind: kindAccount, SubjectID: id, RequestID: requestID})
	})
}

// RecoveryCodesLeft is how many unused recovery codes the account has.
func (db *DB) RecoveryCodesLeft(id uint64) (int, error) {
	n := 0
	err := db.view(func(tx kv.Tx) error {
		r, _, err := getTOTP(tx, id)
		n = len(r.Recovery)
		return err
	})
	return n, err
}
