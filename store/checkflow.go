package store

import (
	"encoding/json"
	"fmt"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The answers of the public eligibility check (/check) between its pages.
// They are what a visitor typed about a criminal case (dates of birth and of
// the acts, how the case ended), so they are sealed like every other personal
// value, and kept only for CheckAnswersLifetime after the last page: the
// browser holds a token "<id>.<random>" in an HttpOnly cookie, the row holds
// only a keyed hash of it. The answers themselves are a small JSON document of
// the check's handler; the store seals and returns it without reading it.

var bucketCheckAnswers = []byte("check_answers")

const kindCheckAnswers = "check_answers"

// CheckAnswersLifetime is how long the answers are kept after the last page
// answered; a check left longer starts again.
const CheckAnswersLifetime = time.Hour

// checkAnswersMaxBytes bounds one row: the check has a handful of short
// answers, so anything bigger is a bug, not a visitor.
const checkAnswersMaxBytes = 8 << 10

type checkAnswersRow struct {
	TokenHash []byte          `json:"token_hash"`
	Created   time.Time       `json:"created"`
	Updated   time.Time       `json:"updated"`
	Answers   json.RawMessage `json:"answers"`
}

// checkAnswers is their stash: a row lapses CheckAnswersLifetime after its
// last page, and ids grow with time, so the sweep stops at the first row
// created within the lifetime (rows created earlier but still in use are
// stepped over).
var checkAnswers = newStash(stash[checkAnswersRow]{bucket: bucketCheckAnswers, kind: kindCheckAnswers, field: "body", envelope: true,
	sealID: btoi, ttl: CheckAnswersLifetime,
	born:      func(r *checkAnswersRow) time.Time { return r.Created },
	lapses:    func(r *checkAnswersRow) time.Time { return r.Updated.Add(CheckAnswersLifetime) },
	tokenHash: func(r *checkAnswersRow) []byte { return r.TokenHash }})

// SaveCheckAnswers stores the answers of the browser holding token and
// returns the token: a new one (and a new row) when token is "", unknown or
// expired. Rows older than CheckAnswersLifetime are purged on the way.
func (db *DB) SaveCheckAnswers(token string, answers []byte) (string, error) {
	if len(answers) > checkAnswersMaxBytes || !json.Valid(answers) {
		return "", fmt.Errorf("store: check answers of %d bytes are not a small JSON document", len(answers))
	}
	err := db.update(func(tx kv.Tx) error {
		now := db.now().UTC()
		id, row, err := checkAnswers.peekToken(db, tx, token, 0)
		switch {
		case err == nil:
		case portal.ErrorCode(err) == portal.CodeNotFound:
			if id, err = checkAnswers.nextID(tx); err != nil {
				return err
			}
			row = checkAnswersRow{Created: now}
			token, row.TokenHash = checkAnswers.newToken(db, id)
		default:
			return err
		}
		row.Updated, row.Answers = now, append(json.RawMessage(nil), answers...)
		return checkAnswers.put(db, tx, itob(id), row)
	})
	return token, err
}

// CheckAnswers returns the answers of the browser holding token; not found
// when there are none or they have expired.
func (db *DB) CheckAnswers(token string) ([]byte, error) {
	var out []byte
	err := db.view(func(tx kv.Tx) error {
		_, row, err := checkAnswers.peekToken(db, tx, token, 0)
		if err != nil {
			return err
		}
		out = append([]byte(nil), row.Answers...)
		return nil
	})
	return out, err
}

// DeleteCheckAnswers forgets the answers of token (a check started again, or
// its answers moved into an application). Unknown tokens are not an error.
func (db *DB) DeleteCheckAnswers(token string) error {
	return db.update(func(tx kv.Tx) error {
		id, _, err := checkAnswers.peekToken(db, tx, token, 0)
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		return checkAnswers.drop(db, tx, itob(id))
	})
}
