package store

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// One-time codes sent by SMS or e-mail: a registration waiting for its code,
// a password reset, an e-mail address waiting for confirmation. Each is one
// sealed row; the browser holds a token "<id>.<random>" whose keyed hash is in
// the row, and the code itself is kept only as a keyed hash.
//
// A registration for a mobile number that already has an account, and a reset
// for a login that has none, get a row and a token exactly like the others
// (Decoy), so the answer never tells whether a number is registered; such a
// row has no code, so no code entered for it can ever match.

var (
	bucketPendingRegs  = []byte("registrations_pending")
	bucketResets       = []byte("password_resets")
	bucketEmailPending = []byte("email_pending")
)

const (
	kindPendingReg   = "registration"
	kindReset        = "password_reset"
	kindEmailPending = "email_pending"
)

// pendingLifetime is how long a pending row is kept at most (several codes
// may be sent within it); PurgeCodes deletes older ones.
const pendingLifetime = time.Hour

func codeBuckets() [][]byte { return [][]byte{bucketPendingRegs, bucketResets, bucketEmailPending} }

// pendingCode is the stored row of every kind.
type pendingCode struct {
	TokenHash []byte           `json:"token_hash,omitempty"`
	Decoy     bool             `json:"decoy,omitempty"`
	Code      portal.CodeState `json:"code"`
	Created   time.Time        `json:"created"`
	// Registration: the account to create (password already hashed; the
	// password itself is never stored).
	Account portal.Account `json:"account,omitzero"`
	// Reset: the account; e-mail: the address being confirmed.
	AccountID uint64 `json:"account_id,omitempty"`
	Email     string `json:"email,omitempty"`
}

// Errors of code entry, shown on the code forms.
var (
	errCodeWrong   = &portal.Error{Code: portal.CodeInvalid, Key: "code.wrong", Fields: map[string]string{"code": "code.wrong"}}
	errCodeExpired = &portal.Error{Code: portal.CodeInvalid, Key: "code.expired", Fields: map[string]string{"code": "code.expired"}}
	errCodeResend  = &portal.Error{Code: portal.CodeInvalid, Key: "code.resend_wait", Fields: map[string]string{"code": "code.resend_wait"}}
)

func newToken(id uint64) string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strconv.FormatUint(id, 10) + "." + base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenID(token string) (uint64, bool) {
	i := strings.IndexByte(token, '.')
	if i <= 0 || len(token) > 80 {
		return 0, false
	}
	id, err := strconv.ParseUint(token[:i], 10, 64)
	return id, err == nil
}

func (db *DB) codeHash(kind string, id uint64, code string) []byte {
	return db.crypt.blind("code:"+kind, fmt.Sprintf("%d:%s", id, code))
}

func (db *DB) putPending(tx kv.Tx, bucket []byte, kind string, id uint64, p pendingCode) error {
	raw, err := db.crypt.sealJSON(kind, id, "body", p)
	if err != nil {
		return err
	}
	return tx.Bucket(bucket).Put(itob(id), raw)
}

// getPending finds the row of a token; a wrong or unknown token is NotFound.
func (db *DB) getPending(tx kv.Tx, bucket []byte, kind, token string) (uint64, pendingCode, error) {
	id, ok := tokenID(token)
	if !ok {
		return 0, pendingCode{}, portal.NotFound()
	}
	raw := tx.Bucket(bucket).Get(itob(id))
	if raw == nil {
		return 0, pendingCode{}, portal.NotFound()
	}
	var p pendingCode
	if err := db.crypt.openJSON(kind, id, "body", raw, &p); err != nil {
		return 0, pendingCode{}, err
	}
	if !db.crypt.blindMatches(p.TokenHash, "token:"+kind, token) {
		return 0, pendingCode{}, portal.NotFound()
	}
	return id, p, nil
}

// newCode gives p a fresh code and returns it (not for decoys).
func (db *DB) newCode(kind string, id uint64, p *pendingCode, now time.Time) string {
	code := portal.OneTimeCode()
	p.Code.Hash = db.codeHash(kind, id, code)
	p.Code.Expires = now.Add(portal.CodeLifetime)
	p.Code.Tries = 0
	p.Code.Sends++
	p.Code.LastSent = now
	return code
}

// checkCode compares an entered code; a wrong one counts a try, which the
// caller must commit (the transaction is not rolled back for it).
func (db *DB) checkCode(kind string, id uint64, p *pendingCode, code string, now time.Time) error {
	if !p.Code.Usable(now) {
		return errCodeExpired
	}
	code = strings.TrimSpace(code)
	if p.Decoy || len(code) != 6 || !db.crypt.blindMatches(p.Code.Hash, "code:"+kind, fmt.Sprintf("%d:%s", id, code)) {
		p.Code.Tries++
		return errCodeWrong
	}
	return nil
}

// StartRegistration holds a checked registration (password already hashed)
// and sends a code to its mobile number. When the number already has an
// account nothing is created that could ever complete, and its owner gets a
// notice instead of a code; the caller cannot tell the two apart.
func (db *DB) StartRegistration(a portal.Account) (token string, err error) {
	err = db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketPendingRegs)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		now := db.now().UTC()
		token = newToken(id)
		p := pendingCode{TokenHash: db.crypt.blind("token:"+kindPendingReg, token), Created: now}
		if owner := db.getBlind(tx.Bucket(bucketAccountsByLogin), "login", a.Login); owner != nil {
			p.Decoy = true
			p.Code.Sends, p.Code.LastSent, p.Code.Expires = 1, now, now.Add(portal.CodeLifetime)
			if err := db.enqueueSecurityNotice(tx, btoi(owner), portal.OutRegisterAttempt); err != nil {
				return err
			}
		} else {
			p.Account = a
			code := db.newCode(kindPendingReg, id, &p, now)
			if err := db.enqueueTo(tx, portal.ChannelSMS, a.Mobile, a.Lang, portal.OutRegisterCode, code, 0); err != nil {
				return err
			}
		}
		return db.putPending(tx, bucketPendingRegs, kindPendingReg, id, p)
	})
	return token, err
}

// ResendRegistrationCode sends a new code, at most CodeMaxSends times and no
// sooner than CodeResendAfter after the last one.
func (db *DB) ResendRegistrationCode(token string) error {
	return db.resend(bucketPendingRegs, kindPendingReg, token, func(tx kv.Tx, p pendingCode, code string) error {
		return db.enqueueTo(tx, portal.ChannelSMS, p.Account.Mobile, p.Account.Lang, portal.OutRegisterCode, code, 0)
	})
}

func (db *DB) resend(bucket []byte, kind, token string, send func(tx kv.Tx, p pendingCode, code string) error) error {
	return db.update(func(tx kv.Tx) error {
		id, p, err := db.getPending(tx, bucket, kind, token)
		if err != nil {
			return err
		}
		now := db.now().UTC()
		if !p.Code.CanResend(now) {
			return errCodeResend
		}
		if p.Decoy {
			p.Code.Sends, p.Code.LastSent, p.Code.Expires, p.Code.Tries = p.Code.Sends+1, now, now.Add(portal.CodeLifetime), 0
		} else if err := send(tx, p, db.newCode(kind, id, &p, now)); err != nil {
			return err
		}
		return db.putPending(tx, bucket, kind, id, p)
	})
}

// ConfirmRegistration creates the account when the code is right. A wrong
// code counts one of CodeMaxTries.
func (db *DB) ConfirmRegistration(token, code string) (portal.Account, error) {
	var a portal.Account
	var codeErr error
	err := db.update(func(tx kv.Tx) error {
		id, p, err := db.getPending(tx, bucketPendingRegs, kindPendingReg, token)
		if err != nil {
			return err
		}
		if codeErr = db.checkCode(kindPendingReg, id, &p, code, db.now().UTC()); codeErr != nil {
			return db.putPending(tx, bucketPendingRegs, kindPendingReg, id, p)
		}
		a = p.Account
		if err := db.createAccount(tx, &a, 0); err != nil {
			return err
		}
		return tx.Bucket(bucketPendingRegs).Delete(itob(id))
	})
	if err == nil {
		err = codeErr
	}
	return a, err
}

// StartPasswordReset sends a reset code to the mobile number of the account
// with this login. Unknown logins, and accounts without a mobile number
// (officials, whose passwords the administrator resets), get a decoy row:
// the answer is the same.
func (db *DB) StartPasswordReset(login string) (token string, err error) {
	err = db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketResets)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		now := db.now().UTC()
		token = newToken(id)
		p := pendingCode{TokenHash: db.crypt.blind("token:"+kindReset, token), Created: now, Decoy: true}
		p.Code.Sends, p.Code.LastSent, p.Code.Expires = 1, now, now.Add(portal.CodeLifetime)
		if v := db.getBlind(tx.Bucket(bucketAccountsByLogin), "login", login); v != nil {
			a, err := db.getAccount(tx, btoi(v))
			if err != nil {
				return err
			}
			if a.Mobile != "" && !a.Disabled {
				p.Decoy, p.AccountID, p.Code.Sends = false, a.ID, 0
				code := db.newCode(kindReset, id, &p, now)
				if err := db.enqueueTo(tx, portal.ChannelSMS, a.Mobile, a.Lang, portal.OutResetCode, code, a.ID); err != nil {
					return err
				}
			}
		}
		return db.putPending(tx, bucketResets, kindReset, id, p)
	})
	return token, err
}

// ResendResetCode is ResendRegistrationCode for a reset.
func (db *DB) ResendResetCode(token string) error {
	return db.resend(bucketResets, kindReset, token, func(tx kv.Tx, p pendingCode, code string) error {
		a, err := db.getAccount(tx, p.AccountID)
		if err != nil {
			return err
		}
		return db.enqueueTo(tx, portal.ChannelSMS, a.Mobile, a.Lang, portal.OutResetCode, code, a.ID)
	})
}

// CheckResetCode tests a code without using it up (a wrong one counts a try),
// so that the caller hashes the new password only for a right code.
func (db *DB) CheckResetCode(token, code string) error {
	var codeErr error
	err := db.update(func(tx kv.Tx) error {
		id, p, err := db.getPending(tx, bucketResets, kindReset, token)
		if err != nil {
			return err
		}
		if codeErr = db.checkCode(kindReset, id, &p, code, db.now().UTC()); codeErr != nil {
			return db.putPending(tx, bucketResets, kindReset, id, p)
		}
		return nil
	})
	if err == nil {
		err = codeErr
	}
	return err
}

// CompletePasswordReset sets the new password when the code is right: it
// ends every session, lifts a lockout, audits, and tells the owner.
func (db *DB) CompletePasswordReset(token, code, newHash, requestID string) error {
	var codeErr error
	err := db.update(func(tx kv.Tx) error {
		id, p, err := db.getPending(tx, bucketResets, kindReset, token)
		if err != nil {
			return err
		}
		if codeErr = db.checkCode(kindReset, id, &p, code, db.now().UTC()); codeErr != nil {
			return db.putPending(tx, bucketResets, kindReset, id, p)
		}
		a, err := db.getAccount(tx, p.AccountID)
		if err != nil {
			return err
		}
		a.PasswordHash, a.MustChangePassword = newHash, false
		a.PasswordChangedAt = db.now().UTC()
		a.FailedLogins, a.LockedUntil = 0, time.Time{}
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		if err := deleteSessionsOf(tx, a.ID); err != nil {
			return err
		}
		if err := tx.Bucket(bucketResets).Delete(itob(id)); err != nil {
			return err
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditPasswordChanged, ActorID: a.ID, ActorRole: a.Role,
			SubjectKind: kindAccount, SubjectID: a.ID, Detail: "reset_by_sms", RequestID: requestID}); err != nil {
			return err
		}
		return db.enqueueSecurityNotice(tx, a.ID, portal.OutPasswordChanged)
	})
	if err == nil {
		err = codeErr
	}
	return err
}

// StartEmailConfirmation sends a code to an e-mail address the account wants
// to add; the address is used only once the code comes back.
func (db *DB) StartEmailConfirmation(account uint64, email string) error {
	return db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, account)
		if err != nil {
			return err
		}
		now := db.now().UTC()
		var p pendingCode
		if raw := tx.Bucket(bucketEmailPending).Get(itob(account)); raw != nil {
			if err := db.crypt.openJSON(kindEmailPending, account, "body", raw, &p); err != nil {
				return err
			}
			if !p.Code.CanResend(now) && now.Sub(p.Created) < pendingLifetime {
				return &portal.Error{Code: portal.CodeInvalid, Key: "code.resend_wait", Fields: map[string]string{"email": "code.resend_wait"}}
			}
			if now.Sub(p.Created) >= pendingLifetime {
				p = pendingCode{}
			}
		}
		if p.Created.IsZero() {
			p.Created = now
		}
		p.AccountID, p.Email = account, email
		code := db.newCode(kindEmailPending, account, &p, now)
		if err := db.enqueueTo(tx, portal.ChannelEmail, email, a.Lang, portal.OutEmailCode, code, account); err != nil {
			return err
		}
		return db.putPending(tx, bucketEmailPending, kindEmailPending, account, p)
	})
}

// PendingEmail is the address waiting for its code ("" if none).
func (db *DB) PendingEmail(account uint64) (string, error) {
	var email string
	err := db.view(func(tx kv.Tx) error {
		raw := tx.Bucket(bucketEmailPending).Get(itob(account))
		if raw == nil {
			return nil
		}
		var p pendingCode
		if err := db.crypt.openJSON(kindEmailPending, account, "body", raw, &p); err != nil {
			return err
		}
		if p.Code.Usable(db.now()) {
			email = p.Email
		}
		return nil
	})
	return email, err
}

// ConfirmEmail stores the pending address when the code is right.
func (db *DB) ConfirmEmail(account uint64, code, requestID string) error {
	var codeErr error
	err := db.update(func(tx kv.Tx) error {
		raw := tx.Bucket(bucketEmailPending).Get(itob(account))
		if raw == nil {
			codeErr = errCodeExpired
			return nil
		}
		var p pendingCode
		if err := db.crypt.openJSON(kindEmailPending, account, "body", raw, &p); err != nil {
			return err
		}
		if codeErr = db.checkCode(kindEmailPending, account, &p, code, db.now().UTC()); codeErr != nil {
			return db.putPending(tx, bucketEmailPending, kindEmailPending, account, p)
		}
		a, err := db.getAccount(tx, account)
		if err != nil {
			return err
		}
		a.Email = p.Email
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		if err := tx.Bucket(bucketEmailPending).Delete(itob(account)); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditContactChanged, ActorID: account, ActorRole: a.Role,
			SubjectKind: kindAccount, SubjectID: account, Detail: "email_added", RequestID: requestID})
	})
	if err == nil {
		err = codeErr
	}
	return err
}

// RemoveEmail stops e-mail to the account (SMS goes on).
func (db *DB) RemoveEmail(account uint64, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, account)
		if err != nil {
			return err
		}
		a.Email = ""
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		if err := tx.Bucket(bucketEmailPending).Delete(itob(account)); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditContactChanged, ActorID: account, ActorRole: a.Role,
			SubjectKind: kindAccount, SubjectID: account, Detail: "email_removed", RequestID: requestID})
	})
}

// SetAccountLang sets the language of the account's SMS and e-mail.
func (db *DB) SetAccountLang(account uint64, lang string) error {
	return db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, account)
		if err != nil {
			return err
		}
		a.Lang = portal.NormalizeLang(lang)
		return db.putAccount(tx, a)
	})
}

// PurgeCodes deletes pending registrations, resets and e-mail confirmations
// older than pendingLifetime, and returns how many went. Each transaction
// looks at no more than jobBatch rows (batches.go) and the next resumes after
// the last one it looked at.
func (db *DB) PurgeCodes(now time.Time) (int, error) {
	n := 0
	for _, k := range []struct {
		bucket []byte
		kind   string
	}{{bucketPendingRegs, kindPendingReg}, {bucketResets, kindReset}, {bucketEmailPending, kindEmailPending}} {
		var after []byte
		for more := true; more; {
			deleted := 0
			var last []byte
			err := db.update(func(tx kv.Tx) error {
				deleted, last, more = 0, nil, false
				b := tx.Bucket(k.bucket)
				var old [][]byte
				c := b.Cursor()
				seen := 0
				for key, raw := seekAfter(c, after); key != nil; key, raw = c.Next() {
					if seen == jobBatch {
						more = true
						break
					}
					seen++
					last = bytes.Clone(key)
					var p pendingCode
					if err := db.crypt.openJSON(k.kind, btoi(key), "body", raw, &p); err != nil {
						return err
					}
					if now.Sub(p.Created) >= pendingLifetime {
						old = append(old, last)
					}
				}
				for _, key := range old {
					if err := b.Delete(key); err != nil {
						return err
					}
				}
				deleted = len(old)
				return nil
			})
			if err != nil {
				return n, err
			}
			n += deleted
			after = last
		}
	}
	return n, nil
}
