package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// accountRecord is the stored form of portal.Account. Personal fields are
// AES-GCM ciphertexts bound to the account id; the login is found through a
// blind index, never stored in clear.
type accountRecord struct {
	Role     portal.Role `json:"role"`
	Login    []byte      `json:"login"`
	Name     []byte      `json:"name"`
	Mobile   []byte      `json:"mobile,omitempty"`
	IDNumber []byte      `json:"id_number,omitempty"`
	// The identity document's kind in clear ("" the mainland identity card),
	// a passport's state and a typed birth date sealed (R31).
	DocType            portal.IDDocType `json:"doc_type,omitempty"`
	DocCountry         []byte           `json:"doc_country,omitempty"`
	DocBirth           []byte           `json:"birth_date,omitempty"`
	Licence            []byte           `json:"licence,omitempty"`
	Firm               string           `json:"firm,omitempty"`
	Organ              string           `json:"organ,omitempty"`
	OrganID            uint64           `json:"organ_id,omitempty"`
	UnitKind           string           `json:"unit_kind,omitempty"`
	PasswordHash       string           `json:"password_hash"`
	MustChangePassword bool             `json:"must_change_password,omitempty"`
	Disabled           bool             `json:"disabled,omitempty"`
	FailedLogins       int              `json:"failed_logins,omitempty"`
	LockedUntil        time.Time        `json:"locked_until,omitzero"`
	Lockouts           int              `json:"lockouts,omitempty"`
	LockoutsSince      time.Time        `json:"lockouts_since,omitzero"`
	CreatedAt          time.Time        `json:"created_at"`
	PasswordChangedAt  time.Time        `json:"password_changed_at,omitzero"`
	Seeded             bool             `json:"seeded,omitempty"`
	// Identity level (issue 11); clear, so a migration can read it.
	IdentityVerified   bool                  `json:"identity_verified,omitempty"`
	IdentityVerifiedAt time.Time             `json:"identity_verified_at,omitzero"`
	IdentityMethod     portal.IdentityMethod `json:"identity_method,omitempty"`

	// Contact and messaging (issue 11, part A).
	Lang               string    `json:"lang,omitempty"`
	Email              []byte    `json:"email,omitempty"`
	PrivacyConsentAt   time.Time `json:"privacy_consent_at,omitzero"`
	SensitiveConsentAt time.Time `json:"sensitive_consent_at,omitzero"`
}

const kindAccount = "account"

func (db *DB) encodeAccount(a portal.Account) ([]byte, error) {
	c := db.crypt
	r := accountRecord{
		Role:               a.Role,
		Login:              c.sealString(kindAccount, a.ID, "login", a.Login),
		Name:               c.sealString(kindAccount, a.ID, "name", a.Name),
		Mobile:             c.sealString(kindAccount, a.ID, "mobile", a.Mobile),
		IDNumber:           c.sealString(kindAccount, a.ID, "id_number", a.IDNumber),
		Licence:            c.sealString(kindAccount, a.ID, "licence", a.Licence),
		Firm:               a.Firm,
		Organ:              a.Organ,
		OrganID:            a.OrganID,
		UnitKind:           a.UnitKind,
		PasswordHash:       a.PasswordHash,
		MustChangePassword: a.MustChangePassword,
		Disabled:           a.Disabled,
		FailedLogins:       a.FailedLogins,
		LockedUntil:        a.LockedUntil,
		Lockouts:           a.Lockouts,
		LockoutsSince:      a.LockoutsSince,
		CreatedAt:          a.CreatedAt,
		PasswordChangedAt:  a.PasswordChangedAt,
		Seeded:             a.Seeded,
		IdentityVerified:   a.IdentityVerified,
		IdentityVerifiedAt: a.IdentityVerifiedAt,
		IdentityMethod:     a.IdentityMethod,
		Lang:               a.Lang,
		PrivacyConsentAt:   a.PrivacyConsentAt,
		SensitiveConsentAt: a.SensitiveConsentAt,
	}
	if a.Email != "" {
		r.Email = c.sealString(kindAccount, a.ID, "email", a.Email)
	}
	if a.DocType != "" && a.DocType != portal.DocResidentID {
		r.DocType = a.DocType
		if a.DocCountry != "" {
			r.DocCountry = c.sealString(kindAccount, a.ID, "doc_country", a.DocCountry)
		}
		if !a.DocBirth.IsZero() {
			r.DocBirth = c.sealString(kindAccount, a.ID, "birth_date", a.DocBirth.String())
		}
	}
	return json.Marshal(r)
}

func (db *DB) decodeAccount(id uint64, raw []byte) (portal.Account, error) {
	var r accountRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return portal.Account{}, fmt.Errorf("store: decode account %d: %w", id, err)
	}
	a := portal.Account{
		ID: id, Role: r.Role, Firm: r.Firm, Organ: r.Organ, OrganID: r.OrganID, UnitKind: r.UnitKind, PasswordHash: r.PasswordHash,
		MustChangePassword: r.MustChangePassword, Disabled: r.Disabled, FailedLogins: r.FailedLogins,
		LockedUntil: r.LockedUntil, Lockouts: r.Lockouts, LockoutsSince: r.LockoutsSince, CreatedAt: r.CreatedAt, PasswordChangedAt: r.PasswordChangedAt, Seeded: r.Seeded,
		IdentityVerified: r.IdentityVerified, IdentityVerifiedAt: r.IdentityVerifiedAt, IdentityMethod: r.IdentityMethod,
		Lang: r.Lang, PrivacyConsentAt: r.PrivacyConsentAt, SensitiveConsentAt: r.SensitiveConsentAt,
		DocType: r.DocType,
	}
	c := db.crypt
	var err error
	var birth string
	for _, f := range []struct {
		name string
		src  []byte
		dst  *string
	}{{"login", r.Login, &a.Login}, {"name", r.Name, &a.Name}, {"mobile", r.Mobile, &a.Mobile},
		{"id_number", r.IDNumber, &a.IDNumber}, {"licence", r.Licence, &a.Licence}, {"email", r.Email, &a.Email},
		{"doc_country", r.DocCountry, &a.DocCountry}, {"birth_date", r.DocBirth, &birth}} {
		if *f.dst, err = c.openString(kindAccount, id, f.name, f.src); err != nil {
			return portal.Account{}, err
		}
	}
	if birth != "" {
		d, ok := portal.ParseDate(birth)
		if !ok {
			return portal.Account{}, fmt.Errorf("store: decode account %d: birth date", id)
		}
		a.DocBirth = d
	}
	return a, nil
}

// accountPersonKey is the keyed hash under which an account is found by its
// identity document (R31): the very key of the cases' person index
// (casePersonKey), so the same document finds both. A mainland number stays
// in the "idnumber" domain as before.
func (db *DB) accountPersonKey(a portal.Account) []byte {
	return accountPersonKeyWith(db.crypt.blind, a)
}

// accountPersonKeys is accountPersonKey under every lookup key, active first
// (a blind-key re-index may be running, blindkeys.go).
func (db *DB) accountPersonKeys(a portal.Account) [][]byte {
	return db.lookupWith(func(bl blindFunc) []byte { return accountPersonKeyWith(bl, a) })
}

// accountPersonKeyWith is accountPersonKey under a given blind key.
func accountPersonKeyWith(bl blindFunc, a portal.Account) []byte {
	if a.DocType == "" || a.DocType == portal.DocResidentID {
		return bl("idnumber", a.IDNumber)
	}
	if doc, err := a.Document(); err == nil {
		domain, value := doc.IndexKey()
		return bl(domain, value)
	}
	return bl("iddoc", string(a.DocType)+"|"+a.DocCountry+"|"+a.IDNumber)
}

// putAccount writes the account row; indexes are the caller's business.
func (db *DB) putAccount(tx kv.Tx, a portal.Account) error {
	raw, err := db.encodeAccount(a)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketAccounts).Put(itob(a.ID), raw)
}

func (db *DB) getAccount(tx kv.Tx, id uint64) (portal.Account, error) {
	raw := tx.Bucket(bucketAccounts).Get(itob(id))
	if raw == nil {
		return portal.Account{}, portal.NotFound()
	}
	a, err := db.decodeAccount(id, raw)
	a.TOTPEnabled = totpEnabled(tx, id)
	return a, err
}

// CreateAccount stores a new account and its indexes, and audits the creation,
// all in one transaction. A login (mobile number or username) already in use is
// a conflict. actor is the account that did it (0 for self-registration or the
// command line).
func (db *DB) CreateAccount(a portal.Account, actor uint64) (portal.Account, error) {
	err := db.update(func(tx kv.Tx) error { return db.createAccount(tx, &a, actor) })
	if err != nil {
		return portal.Account{}, err
	}
	return a, nil
}

// createAccount is CreateAccount within tx; it sets a.ID.
func (db *DB) createAccount(tx kv.Tx, ap *portal.Account, actor uint64) error {
	a := *ap
	{
		if err := a.Validate(); err != nil {
			return err
		}
		byLogin := tx.Bucket(bucketAccountsByLogin)
		loginKey := db.crypt.blind("login", a.Login)
		if db.getBlind(byLogin, "login", a.Login) != nil {
			return &portal.Error{Code: portal.CodeConflict, Key: "register.login_taken", Fields: map[string]string{"mobile": "register.login_taken"}}
		}
		b := tx.Bucket(bucketAccounts)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		a.ID = id
		if a.CreatedAt.IsZero() {
			a.CreatedAt = db.now().UTC()
		}
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		if err := byLogin.Put(loginKey, itob(id)); err != nil {
			return err
		}
		if err := indexAccount(tx, a); err != nil {
			return err
		}
		if a.IDNumber != "" {
			key := append(db.accountPersonKey(a), itob(id)...)
			if err := tx.Bucket(bucketAccountsByIDNum).Put(key, nil); err != nil {
				return err
			}
			// Issue 11: records held by organs are linked only to an
			// identity-verified account (seed creates verified demo
			// accounts); a new claim on a number that already has a
			// verified holder is never linked, and the holder is told.
			if err := db.onNewAccountIdentity(tx, a); err != nil {
				return err
			}
		}
		*ap = a
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditAccountCreated, ActorID: actor,
			SubjectKind: kindAccount, SubjectID: id, Detail: string(a.Role)})
	}
}

// Account returns the account with the given id.
func (db *DB) Account(id uint64) (portal.Account, error) {
	var a portal.Account
	err := db.view(func(tx kv.Tx) error {
		var err error
		a, err = db.getAccount(tx, id)
		return err
	})
	return a, err
}

// AccountByLogin finds an account by its login (mobile number or username).
func (db *DB) AccountByLogin(login string) (portal.Account, error) {
	var a portal.Account
	err := db.view(func(tx kv.Tx) error {
		v := db.getBlind(tx.Bucket(bucketAccountsByLogin), "login", login)
		if v == nil {
			return portal.NotFound()
		}
		var err error
		a, err = db.getAccount(tx, btoi(v))
		return err
	})
	return a, err
}

// AccountsByIDNumber lists the ids of the accounts registered with an
// identity number, found through its keyed hash.
func (db *DB) AccountsByIDNumber(idNumber string) ([]uint64, error) {
	var ids []uint64
	err := db.view(func(tx kv.Tx) error {
		ids = idsUnder(tx.Bucket(bucketAccountsByIDNum), db.crypt.blindLookup("idnumber", idNumber))
		return nil
	})
	return ids, err
}

// RecordLoginFailure counts a failed password for an existing account and
// applies portal.OnLoginFailure: a lockout only for accounts without a second
// factor (a bounded number of times a day), a throttling pause otherwise. It
// reports whether the account is locked now and the pause to make.
func (db *DB) RecordLoginFailure(id uint64, requestID string) (locked bool, delay time.Duration, err error) {
	err = db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		now := db.now()
		var f portal.LoginFailure
		a, f = portal.OnLoginFailure(a, now)
		delay = f.Delay
		ev := portal.AuditEvent{Action: portal.AuditLoginFailed, SubjectKind: kindAccount, SubjectID: id, RequestID: requestID}
		if f.Locked {
			ev = portal.AuditEvent{Action: portal.AuditLockout, SubjectKind: kindAccount, SubjectID: id, RequestID: requestID}
		} else if f.Delay > 0 {
			ev.Detail = "throttled"
		}
		locked = a.Locked(now)
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		return db.appendAudit(tx, ev)
	})
	return locked, delay, err
}

// RecordLoginSuccess resets the failure count and, when the hash parameters
// were upgraded at this login, stores the new hash.
func (db *DB) RecordLoginSuccess(id uint64, newHash string, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		a.FailedLogins, a.LockedUntil = 0, time.Time{}
		if newHash != "" {
			a.PasswordHash = newHash
		}
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLogin, ActorID: id, ActorRole: a.Role,
			SubjectKind: kindAccount, SubjectID: id, RequestID: requestID})
	})
}

// UpgradePasswordHash stores a hash made with raised parameters at a login
// whose password was right but whose second factor is still to come (the
// only moment the password is known); nothing else changes.
func (db *DB) UpgradePasswordHash(id uint64, newHash string) error {
	return db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		a.PasswordHash = newHash
		return db.putAccount(tx, a)
	})
}

// ChangePassword stores a new hash, clears the must-change flag and ends every
// session of the account, so that a stolen cookie stops working.
func (db *DB) ChangePassword(id uint64, newHash string, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		a.PasswordHash, a.MustChangePassword = newHash, false
		a.PasswordChangedAt = db.now().UTC()
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		if err := deleteSessionsOf(tx, id); err != nil {
			return err
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditPasswordChanged, ActorID: id, ActorRole: a.Role,
			SubjectKind: kindAccount, SubjectID: id, RequestID: requestID}); err != nil {
			return err
		}
		// The owner hears of it by SMS (and e-mail): a change they did not
		// make is a stolen account.
		return db.enqueueSecurityNotice(tx, id, portal.OutPasswordChanged)
	})
}

// SetDisabled disables (or re-enables) an account; disabling ends its sessions.
func (db *DB) SetDisabled(id uint64, disabled bool, actor uint64) error {
	return db.update(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		a.Disabled = disabled
		if err := db.putAccount(tx, a); err != nil {
			return err
		}
		if disabled {
			if err := deleteSessionsOf(tx, id); err != nil {
				return err
			}
		}
		detail := "disabled"
		if !disabled {
			detail = "enabled"
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditAccountDisabled, ActorID: actor,
			SubjectKind: kindAccount, SubjectID: id, Detail: detail})
	})
}

// Accounts lists every account in id order (for the administrator's list).
func (db *DB) Accounts() ([]portal.Account, error) {
	var out []portal.Account
	err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			a, err := db.decodeAccount(btoi(k), v)
			if err != nil {
				return err
			}
			a.TOTPEnabled = totpEnabled(tx, a.ID)
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// ErrNotSeeded is returned by CountAccounts' callers when real accounts exist.
var ErrNotSeeded = errors.New("store: the database holds accounts the seed command did not create")

// AccountCounts reports how many accounts exist and how many of them the seed
// command created.
func (db *DB) AccountCounts() (total, seeded int, err error) {
	err = db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			var r struct {
				Seeded bool `json:"seeded"`
			}
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			total++
			if r.Seeded {
				seeded++
			}
			return nil
		})
	})
	return total, seeded, err
}
