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

// formStates is their stash: swept through form_states_by_expiry.
var formStates = newStash(stash[formStateBody]{bucket: bucketFormStates, kind: kindFormState, field: "body", envelope: true,
	sealID: formStateID, byExpiry: bucketFormStatesByExpiry,
	lapses: func(b *formStateBody) time.Time { return time.Unix(0, b.Expires) }})

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
	body := formStateBody{Kind: byte(st.Kind), AccountID: st.AccountID, Path: st.Path, Action: st.Action, Status: st.Status,
		Body: st.Body, Values: st.Values, HadFiles: st.HadFiles, Shown: st.Shown, Expires: st.Expires.UnixNano()}
	return db.update(func(tx kv.Tx) error { return formStates.put(db, tx, k, body) })
}

// FormState returns the state of kind under hash; none, or one past its
// expiry, is not found.
func (db *DB) FormState(hash []byte, kind portal.FormStateKind) (portal.FormState, error) {
	k, err := formStateKey(hash, kind)
	if err != nil {
		return portal.FormState{}, portal.NotFound()
	}
	var b formStateBody
	err = db.view(func(tx kv.Tx) (err error) {
		b, err = formStates.peek(db, tx, k, 0)
		return err
	})
	if err != nil {
		return portal.FormState{}, err
	}
	return portal.FormState{Kind: portal.FormStateKind(b.Kind), AccountID: b.AccountID, Path: b.Path, Action: b.Action,
		Status: b.Status, Body: b.Body, Values: b.Values, HadFiles: b.HadFiles, Shown: b.Shown, Expires: time.Unix(0, b.Expires)}, nil
}

// DeleteFormState removes the state of kind under hash (none is no error).
func (db *DB) DeleteFormState(hash []byte, kind portal.FormStateKind) error {
	k, err := formStateKey(hash, kind)
	if err != nil {
		return nil
	}
	return db.update(func(tx kv.Tx) error { return formStates.drop(db, tx, k) })
}
