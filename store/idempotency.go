package store

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Submissions whose commit may have happened without our knowing it (issue
// 14, scale-out design §6.8). On a server engine a connection can die during
// COMMIT: the engine then answers kv.ErrOutcomeUnknown, and the store turns it
// into a domain error (KeyOutcomeUnknown) that the portal shows as "we could
// not confirm that this was saved", never as a failure or a success, with the
// typed values kept for a retry. The retry must not create a second file or
// add a second message: a form that creates something carries a random
// submission id, and the store keeps, in the same transaction as what it
// creates, which record that id created for the account. A second
// transaction with the same id creates nothing and answers *DoneError naming
// the record, whose confirmation the portal then shows.
//
//	submissions   itob(account id) | SHA-256(submission id)[:16] -> kind (1 byte) | itob(record id) | created (8 bytes, UnixNano)
//
// The id is random and only its hash is kept; the value names a kind of
// record and its id (no personal data), so the bucket is not sealed.

// KeyOutcomeUnknown is the message key of a write whose commit may or may not
// have been saved.
const KeyOutcomeUnknown = "outcome.unknown"

var bucketSubmissions = []byte("submissions")

// migrationSubmissionsName names the migration that creates the bucket of
// submission ids; tests find it by name, since the integrator may renumber it.
const migrationSubmissionsName = "submission ids of forms that create a record, and receipts of sent leak reports (retries after an unknown commit)"

func migrateSubmissions(tx kv.Tx) error {
	for _, b := range [][]byte{bucketSubmissions, bucketLeakReceipts} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// outcomeUnknown makes a commit of unknown outcome a domain error the user
// can be shown (KeyOutcomeUnknown); other errors pass unchanged.
func outcomeUnknown(err error) error {
	if err != nil && errors.Is(err, kv.ErrOutcomeUnknown) {
		return &portal.Error{Code: portal.CodeInternal, Key: KeyOutcomeUnknown, Err: err}
	}
	return err
}

// IsOutcomeUnknown reports whether err is a write whose commit may or may not
// have been saved.
func IsOutcomeUnknown(err error) bool {
	pe, ok := portal.AsError(err)
	return ok && pe.Key == KeyOutcomeUnknown || errors.Is(err, kv.ErrOutcomeUnknown)
}

// SubmissionKind is the kind of record a submission created.
type SubmissionKind byte

// The kinds of records created by submissions. Values are stored: append only.
const (
	SubmissionDraft         SubmissionKind = 'a' // an application's draft (CreateDraft); the id is the case's
	SubmissionMessage       SubmissionKind = 'm' // a message on a case (AddMessage); the id is the case's
	SubmissionQuery         SubmissionKind = 'q' // a query (CreateQuery)
	SubmissionCertificate   SubmissionKind = 'c' // a certificate request (RequestCertificate)
	SubmissionRelief        SubmissionKind = 'r' // a relief request's draft (CreateReliefDraft)
	SubmissionReliefMessage SubmissionKind = 'n' // a message on a relief request (AddReliefMessage); the id is the request's
)

// Done is what an earlier transaction with the same submission id created.
type Done struct {
	Kind SubmissionKind
	ID   uint64 // the record whose confirmation answers the retry (for messages: the case or request)
	At   time.Time
}

// DoneError answers a submission already saved: nothing was written again.
type DoneError struct{ Done Done }

func (e *DoneError) Error() string {
	return fmt.Sprintf("store: submission already saved (kind %q, id %d)", e.Done.Kind, e.Done.ID)
}

// AsDone reports whether err answers a submission already saved, and what it
// created.
func AsDone(err error) (Done, bool) {
	var de *DoneError
	if errors.As(err, &de) {
		return de.Done, true
	}
	return Done{}, false
}

// submission is the submission id a DB returned by Submission carries.
type submission struct {
	account uint64
	key     []byte // itob(account) | SHA-256(id)[:16]
}

// SubmissionIDLen is the length of a valid submission id: 22 characters of
// unpadded base64url (16 random bytes).
const SubmissionIDLen = 22

// ValidSubmissionID reports whether id has the form NewSubmissionID gives.
func ValidSubmissionID(id string) bool {
	if len(id) != SubmissionIDLen {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil && len(b) == 16
}

// Submission is the store for one form submission of the account with the
// submission id id: its writes first check that no earlier transaction saved
// the same submission (else they write nothing and answer *DoneError), and the
// methods that create a record remember it under the id in their own
// transaction. An invalid id (or account 0) gives the store itself, without
// the check.
func (db *DB) Submission(account uint64, id string) *DB {
	if account == 0 || !ValidSubmissionID(id) {
		return db
	}
	sum := sha256.Sum256([]byte(id))
	d := *db
	d.submission = &submission{account: account, key: append(itob(account), sum[:16]...)}
	return &d
}

// submissionFirst wraps a write transaction of a submission: when the
// submission was saved before, fn does not run and the transaction answers
// *DoneError.
func (db *DB) submissionFirst(fn func(tx kv.Tx) error) func(tx kv.Tx) error {
	if db.submission == nil {
		return fn
	}
	return func(tx kv.Tx) error {
		if d, ok := submissionDone(tx, db.submission.key); ok {
			return &DoneError{Done: d}
		}
		return fn(tx)
	}
}

func submissionDone(tx kv.Tx, key []byte) (Done, bool) {
	b := tx.Bucket(bucketSubmissions)
	if b == nil {
		return Done{}, false
	}
	v := b.Get(key)
	if len(v) != 17 {
		return Done{}, false
	}
	return Done{Kind: SubmissionKind(v[0]), ID: btoi(v[1:9]), At: unixNano(int64(binary.BigEndian.Uint64(v[9:])))}, true // #nosec G115 -- a time this code wrote
}

// rememberSubmission records, inside the transaction that created it, the
// record a submission created; without a submission id it does nothing.
func (db *DB) rememberSubmission(tx kv.Tx, kind SubmissionKind, id uint64) error {
	if db.submission == nil {
		return nil
	}
	b := tx.Bucket(bucketSubmissions)
	if b == nil {
		return errors.New("store: submissions bucket missing")
	}
	v := make([]byte, 17)
	v[0] = byte(kind)
	binary.BigEndian.PutUint64(v[1:9], id)
	binary.BigEndian.PutUint64(v[9:], uint64(db.now().UnixNano())) // #nosec G115 -- times after 1970
	return b.Put(db.submission.key, v)
}

// SubmissionDone is what the account's submission id created, if a
// transaction saved it (for a page that must tell whether a retried form was
// saved).
func (db *DB) SubmissionDone(account uint64, id string) (Done, bool, error) {
	s := db.Submission(account, id).submission
	if s == nil {
		return Done{}, false, nil
	}
	var d Done
	var ok bool
	err := db.view(func(tx kv.Tx) error {
		d, ok = submissionDone(tx, s.key)
		return nil
	})
	return d, ok, err
}
