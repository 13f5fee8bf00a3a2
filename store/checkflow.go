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

// SaveCheckAnswers stores the answers of the browser holding token and
// returns the token: a new one (and a new row) when token is "", unknown or
// expired. Rows older than CheckAnswersLifetime are purged on the way.
func (db *DB) SaveCheckAnswers(token string, answers []byte) (string, error) {
	if len(answers) > checkAnswersMaxBytes || !json.Valid(answers) {
		return "", fmt.Errorf("store: check answers of %d bytes are not a small JSON document", len(answers))
	}
	err := db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketCheckAnswers)
		now := db.now().UTC()
		id, row, err := db.checkAnswersRow(tx, token)
		switch {
		case err == nil:
		case portal.ErrorCode(err) == portal.CodeNotFound:
			if err := db.purgeCheckAnswers(tx); err != nil {
				return err
			}
			if id, err = b.NextSequence(); err != nil {
				return err
			}
			token = newToken(id)
			row = checkAnswersRow{TokenHash: db.crypt.blind("token:"+kindCheckAnswers, token), Created: now}
		default:
			return err
		}
		row.Updated, row.Answers = now, append(json.RawMessage(nil), answers...)
		raw, err := db.crypt.sealJSON(kindCheckAnswers, id, "body", row)
		if err != nil {
			return err
		}
		return b.Put(itob(id), raw)
	})
	return token, err
}

// CheckAnswers returns the answers of the browser holding token; not found
// when there are none or they have expired.
func (db *DB) CheckAnswers(token string) ([]byte, error) {
	var out []byte
	err := db.view(func(tx kv.Tx) error {
		_, row, err := db.checkAnswersRow(tx, token)
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
		id, _, err := db.checkAnswersRow(tx, token)
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.Bucket(bucketCheckAnswers).Delete(itob(id))
	})
}

// checkAnswersRow finds the live row of a token inside tx.
func (db *DB) checkAnswersRow(tx kv.Tx, token string) (uint64, checkAnswersRow, error) {
	id, ok := tokenID(token)
	if !ok {
		return 0, checkAnswersRow{}, portal.NotFound()
	}
	raw := tx.Bucket(bucketCheckAnswers).Get(itob(id))
	if raw == nil {
		return 0, checkAnswersRow{}, portal.NotFound()
	}
	var row checkAnswersRow
	if err := db.crypt.openJSON(kindCheckAnswers, id, "body", raw, &row); err != nil {
		return 0, checkAnswersRow{}, err
	}
	if !db.crypt.blindMatches(row.TokenHash, "token:"+kindCheckAnswers, token) ||
		db.now().Sub(row.Updated) > CheckAnswersLifetime {
		return 0, checkAnswersRow{}, portal.NotFound()
	}
	return id, row, nil
}

// purgeCheckAnswers deletes expired rows. Ids grow with time, so the walk
// stops at the first row created within the lifetime: every later one is
// younger still. Rows created earlier but still in use are stepped over.
func (db *DB) purgeCheckAnswers(tx kv.Tx) error {
	b := tx.Bucket(bucketCheckAnswers)
	now := db.now()
	var stale [][]byte
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		var row checkAnswersRow
		if err := db.crypt.openJSON(kindCheckAnswers, btoi(k), "body", v, &row); err != nil {
			stale = append(stale, copyBytes(k)) // unreadable: nobody can use it
			continue
		}
		if now.Sub(row.Created) <= CheckAnswersLifetime {
			break
		}
		if now.Sub(row.Updated) > CheckAnswersLifetime {
			stale = append(stale, copyBytes(k))
		}
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
