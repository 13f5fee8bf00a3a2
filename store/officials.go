package store

import (
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// An official's account is opened by the system administrator, who hands
// the username and a one-time password over (in person or by the organ's
// own channel). The web form shows them on a page of their own after the
// POST's redirect: the handover row keeps them sealed for handoverLifetime,
// readable only by the administrator who created the account, then it is
// gone (the password must be changed at first sign-in anyway).
//
//	official_handovers  itob(account id) -> {body: sealed handover}
var bucketHandovers = []byte("official_handovers")

const (
	kindHandover     = "official_handover"
	handoverLifetime = 10 * time.Minute
)

type handover struct {
	TokenHash []byte    `json:"token_hash"`
	Actor     uint64    `json:"actor"`
	Login     string    `json:"login"`
	Password  string    `json:"password"`
	Expires   time.Time `json:"expires"`
}

// Handover is what the administrator reads once the account exists.
type Handover struct {
	Account  portal.Account
	Login    string
	Password string
	Expires  time.Time
}

// CreateOfficial opens an official's account: the organ (an existing one by
// id, or one named, created if new), a random username unless one is given,
// the one-time password hashed by hash, all in one audited transaction with
// actor (the administrator; 0 from the command line) as its author. It
// returns the account and, when actor is not 0, the token of the handover
// page.
func (db *DB) CreateOfficial(n portal.NewOfficial, password string, hash func(string) (string, error), actor uint64) (portal.Account, string, error) {
	if err := n.Validate(); err != nil {
		return portal.Account{}, "", err
	}
	ph, err := hash(password)
	if err != nil {
		return portal.Account{}, "", err
	}
	a := portal.Account{Role: n.Role, Name: strings.TrimSpace(n.Name), Organ: strings.TrimSpace(n.Organ),
		UnitKind: n.UnitKind, PasswordHash: ph, MustChangePassword: true}
	if n.NeedsOrgan() {
		if n.OrganID != 0 {
			o, err := db.Organ(n.OrganID)
			if err != nil || o.Kind != n.OrganKind() {
				return portal.Account{}, "", fieldError("organ", "sysadmin.new.organ_kind")
			}
			a.OrganID, a.Organ = o.ID, o.Name
		} else {
			o, err := db.EnsureOrgan(n.OrganKind(), n.Organ)
			if err != nil {
				return portal.Account{}, "", err
			}
			a.OrganID, a.Organ = o.ID, o.Name
		}
	}
	var token string
	err = db.update(func(tx kv.Tx) error {
		a.Login = strings.ToLower(strings.TrimSpace(n.Login))
		if a.Login == "" {
			for {
				a.Login = portal.RandomOfficialLogin(n.Role)
				if db.getBlind(tx.Bucket(bucketAccountsByLogin), "login", a.Login) == nil {
					break
				}
			}
		}
		if err := db.createAccount(tx, &a, actor); err != nil {
			if portal.ErrorCode(err) == portal.CodeConflict {
				return fieldError("login", "sysadmin.new.login_taken")
			}
			return err
		}
		if actor == 0 {
			return nil
		}
		h := handover{Actor: actor, Login: a.Login, Password: password, Expires: db.now().UTC().Add(handoverLifetime)}
		token, h.TokenHash = handovers.newToken(db, a.ID)
		// Handovers past their time are deleted whenever one is written.
		return handovers.put(db, tx, itob(a.ID), h)
	})
	if err != nil {
		return portal.Account{}, "", err
	}
	return a, token, nil
}

func fieldError(field, key string) error {
	return &portal.Error{Code: portal.CodeInvalid, Key: "error.form_invalid", Fields: map[string]string{field: key}}
}

// handovers is their stash: account ids grow with time and every handover
// lives handoverLifetime, so the sweep stops at the first one still live.
var handovers = newStash(stash[handover]{bucket: bucketHandovers, kind: kindHandover, field: "body", envelope: true, lazy: true,
	sealID: btoi, ttl: handoverLifetime,
	born:      func(h *handover) time.Time { return h.Expires.Add(-handoverLifetime) },
	lapses:    func(h *handover) time.Time { return h.Expires },
	owner:     func(h *handover) uint64 { return h.Actor },
	tokenHash: func(h *handover) []byte { return h.TokenHash }})

// OfficialHandover returns the username and one-time password of an
// account just created, to the administrator who created it, while the
// handover lasts; anything else (another administrator, a wrong or expired
// token) is NotFound.
func (db *DB) OfficialHandover(token string, actor uint64) (Handover, error) {
	var out Handover
	err := db.view(func(tx kv.Tx) error {
		id, h, err := handovers.peekToken(db, tx, token, actor)
		if err != nil {
			return err
		}
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		out = Handover{Account: a, Login: h.Login, Password: h.Password, Expires: h.Expires}
		return nil
	})
	return out, err
}
