package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Form states (portal.FormState) carry a form's answer across a redirect, or a
// form posted after its session timed out until its writer signs in again.
// They are keyed by the SHA-256 of a random cookie id and the kind, sealed
// (they hold what people typed and the pages shown to them), and live for
// minutes: form_states_by_expiry lets every write purge the expired ones
// without scanning the bucket.
var (
	bucketFormStates         = []byte("form_states")
	bucketFormStatesByExpiry = []byte("form_states_by_expiry")
)

const kindFormState = "form_state"

// migrationFormStatesName names the migration that adds the form states'
// buckets (tests find it by name).
const migrationFormStatesName = "form states: a form's answer across its redirect, a form kept across a sign-in"

func formStateBuckets() [][]byte { return [][]byte{bucketFormStates, bucketFormStatesByExpiry} }

type formStateBody struct {
	Kind      byte                `json:"kind"`
	AccountID uint64              `json:"account_id,omitempty"`
	Path      string              `json:"path"`
	Action    string              `json:"action,omitempty"`
	Status    int                 `json:"status,omitempty"`
	Body      []byte              `json:"body,omitempty"`
	Values    map[string][]string `json:"values,omitempty"`
	HadFiles  bool                `json:"had_files,omitempty"`
	Shown     bool                `json:"shown,omitempty"`
	Expires   int64               `json:"expires"`
}

// formStateKey is the row key: the cookie id's hash and the kind.
func formStateKey(hash []byte, kind portal.FormStateKind) ([]byte, error) {
	if len(hash) != 32 {
		return nil, fmt.Errorf("store: form state key of %d bytes", len(hash))
	}
	return append(append([]byte{}, hash...), byte(kind)), nil
}

// formStateID is the id the sealed value is bound to: the key's first bytes.
func formStateID(k []byte) uint64 { return binary.BigEndian.Uint64(k[:8]) }

// PutFormState stores (or replaces) the state of kind st.Kind under hash,
// and purges expired states.
func (db *DB) PutFormState(hash []byte, st portal.FormState) error {
	k, err := formStateKey(hash, st.Kind)
	if err != nil {
		return err
	}
	if st.Expires.IsZero() {
		return fmt.Errorf("store: form state without expiry")
	}
	raw, err := db.crypt.sealJSON(kindFormState, formStateID(k), "body", formStateBody{Kind: byte(st.Kind),
		AccountID: st.AccountID, Path: st.Path, Action: st.Action, Status: st.Status, Body: st.Body,
		Values: st.Values, HadFiles: st.HadFiles, Shown: st.Shown, Expires: st.Expires.UnixNano()})
	if err != nil {
		return err
	}
	return db.update(func(tx kv.Tx) error {
		if err := purgeFormStates(tx, db.now()); err != nil {
			return err
		}
		if err := db.deleteFormState(tx, k); err != nil {
			return err
		}
		if err := tx.Bucket(bucketFormStates).Put(k, raw); err != nil {
			return err
		}
		return tx.Bucket(bucketFormStatesByExpiry).Put(append(expiryKey(st.Expires), k...), nil)
	})
}

// FormState returns the state of kind under hash; none, or one past its
// expiry, is not found.
func (db *DB) FormState(hash []byte, kind portal.FormStateKind) (portal.FormState, error) {
	k, err := formStateKey(hash, kind)
	if err != nil {
		return portal.FormState{}, portal.NotFound()
	}
	var b formStateBody
	err = db.view(func(tx kv.Tx) error {
		raw := tx.Bucket(bucketFormStates).Get(k)
		if raw == nil {
			return portal.NotFound()
		}
		return db.crypt.openJSON(kindFormState, formStateID(k), "body", raw, &b)
	})
	if err != nil {
		return portal.FormState{}, err
	}
	exp := time.Unix(0, b.Expires)
	if !db.now().Before(exp) {
		return portal.FormState{}, portal.NotFound()
	}
	return portal.FormState{Kind: portal.FormStateKind(b.Kind), AccountID: b.AccountID, Path: b.Path, Action: b.Action,
		Status: b.Status, Body: b.Body, Values: b.Values, HadFiles: b.HadFiles, Shown: b.Shown, Expires: exp}, nil
}

// DeleteFormState removes the state of kind under hash (none is no error).
func (db *DB) DeleteFormState(hash []byte, kind portal.FormStateKind) error {
	k, err := formStateKey(hash, kind)
	if err != nil {
		return nil
	}
	return db.update(func(tx kv.Tx) error { return db.deleteFormState(tx, k) })
}

func (db *DB) deleteFormState(tx kv.Tx, k []byte) error {
	b := tx.Bucket(bucketFormStates)
	raw := b.Get(k)
	if raw == nil {
		return nil
	}
	var body formStateBody
	if err := db.crypt.openJSON(kindFormState, formStateID(k), "body", raw, &body); err == nil {
		if err := tx.Bucket(bucketFormStatesByExpiry).Delete(append(expiryKey(time.Unix(0, body.Expires)), k...)); err != nil {
			return err
		}
	}
	// A value that no longer opens (a retired key) is left to the purge's
	// index row, which deletes it at its expiry anyway.
	return b.Delete(k)
}

// purgeFormStates deletes the states expired by now, oldest first, a bounded
// number per write so that no write pays for a long backlog.
func purgeFormStates(tx kv.Tx, now time.Time) error {
	idx, b := tx.Bucket(bucketFormStatesByExpiry), tx.Bucket(bucketFormStates)
	c := idx.Cursor()
	limit := expiryKey(now)
	n := 0
	for k, _ := c.First(); k != nil && n < 100 && string(k[:8]) <= string(limit); k, _ = c.First() {
		if err := b.Delete(k[8:]); err != nil {
			return err
		}
		if err := c.Delete(); err != nil {
			return err
		}
		n++
	}
	return nil
}

func expiryKey(t time.Time) []byte { return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())) }
