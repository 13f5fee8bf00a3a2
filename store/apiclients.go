package store

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Organs' machine credentials (issue 17): an organ's case management system
// sends its records with "Authorization: Bearer <secret>". The secret is 32
// random bytes shown once; only its SHA-256 is kept (a high-entropy secret
// needs no slow hash), indexed so that a request finds its credential
// without comparing against every one. The buckets:
//
//	api_clients          client id -> JSON apiClientRecord (organ, name, hash, times; no personal data)
//	api_clients_by_hash  SHA-256 of the secret -> client id

var (
	bucketAPIClients       = []byte("api_clients")
	bucketAPIClientsByHash = []byte("api_clients_by_hash")
)

// apiSecretPrefix marks the portal's secrets so that a leaked one is easy to
// recognise in a scanner.
const apiSecretPrefix = "sps_"

type apiClientRecord struct {
	Organ   uint64    `json:"organ"`
	Name    string    `json:"name"`
	Hash    []byte    `json:"hash"`
	Created time.Time `json:"created"`
	Rotated time.Time `json:"rotated,omitzero"`
	Revoked time.Time `json:"revoked,omitzero"`
}

// APIClient is a credential as listed (never its secret).
type APIClient struct {
	ID       uint64
	ClientID string
	Organ    uint64
	Name     string
	Created  time.Time
	Rotated  time.Time
	Revoked  time.Time
}

// ClientIDOf is the public name of a credential.
func ClientIDOf(id uint64) string { return "oc_" + strconv.FormatUint(id, 10) }

// ParseClientID reads "oc_N" (or N).
func ParseClientID(s string) (uint64, bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(s), "oc_"), 10, 64)
	return n, err == nil && n > 0
}

func newAPISecret() (secret string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("store: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	secret = apiSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(secret))
	return secret, h[:]
}

func (r apiClientRecord) client(id uint64) APIClient {
	return APIClient{ID: id, ClientID: ClientIDOf(id), Organ: r.Organ, Name: r.Name, Created: r.Created, Rotated: r.Rotated, Revoked: r.Revoked}
}

func getAPIClient(tx kv.Tx, id uint64) (apiClientRecord, error) {
	var r apiClientRecord
	b := tx.Bucket(bucketAPIClients)
	if b == nil {
		return r, portal.NotFound()
	}
	v := b.Get(itob(id))
	if v == nil {
		return r, portal.NotFound()
	}
	return r, json.Unmarshal(v, &r)
}

func putAPIClient(tx kv.Tx, id uint64, r apiClientRecord) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketAPIClients).Put(itob(id), raw)
}

// CreateAPIClient creates a credential for a sealing organ and returns it
// with its secret, which is never stored and cannot be shown again. actor is
// the administrator's account (0 for the command line).
func (db *DB) CreateAPIClient(organ uint64, name string, actor uint64) (APIClient, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return APIClient{}, "", portal.Invalid("apiclient.name_required")
	}
	var out APIClient
	var secret string
	err := db.update(func(tx kv.Tx) error {
		v := tx.Bucket(bucketOrgans).Get(itob(organ))
		if v == nil {
			return portal.NotFound()
		}
		var o organRecord
		if err := json.Unmarshal(v, &o); err != nil {
			return err
		}
		if !o.Kind.IsOrgan() {
			return portal.Invalid("apiclient.not_sealing_organ")
		}
		id, err := tx.Bucket(bucketAPIClients).NextSequence()
		if err != nil {
			return err
		}
		var hash []byte
		secret, hash = newAPISecret()
		r := apiClientRecord{Organ: organ, Name: name, Hash: hash, Created: db.now().UTC()}
		if err := putAPIClient(tx, id, r); err != nil {
			return err
		}
		if err := tx.Bucket(bucketAPIClientsByHash).Put(hash, itob(id)); err != nil {
			return err
		}
		out = r.client(id)
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditAPIClientCreated, ActorID: actor, SubjectKind: kindAPIClient,
			SubjectID: id, Detail: "organ:" + strconv.FormatUint(organ, 10)})
	})
	return out, secret, err
}

// APIClients lists every credential in id order.
func (db *DB) APIClients() ([]APIClient, error) {
	var out []APIClient
	err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketAPIClients).ForEach(func(k, v []byte) error {
			var r apiClientRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r.client(btoi(k)))
			return nil
		})
	})
	return out, err
}

// RotateAPIClient replaces a live credential's secret: the old one stops
// working in the same transaction.
func (db *DB) RotateAPIClient(id, actor uint64) (APIClient, string, error) {
	var out APIClient
	var secret string
	err := db.update(func(tx kv.Tx) error {
		r, err := getAPIClient(tx, id)
		if err != nil {
			return err
		}
		if !r.Revoked.IsZero() {
			return portal.Conflict("apiclient.revoked")
		}
		if err := tx.Bucket(bucketAPIClientsByHash).Delete(r.Hash); err != nil {
			return err
		}
		secret, r.Hash = newAPISecret()
		r.Rotated = db.now().UTC()
		if err := putAPIClient(tx, id, r); err != nil {
			return err
		}
		if err := tx.Bucket(bucketAPIClientsByHash).Put(r.Hash, itob(id)); err != nil {
			return err
		}
		out = r.client(id)
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditAPIClientRotated, ActorID: actor, SubjectKind: kindAPIClient, SubjectID: id})
	})
	return out, secret, err
}

// RevokeAPIClient ends a credential for good. The hash stays on the record
// (so that a revoked secret is recognised and its use audited) but leaves the
// index that lets a request in.
func (db *DB) RevokeAPIClient(id, actor uint64) (APIClient, error) {
	var out APIClient
	err := db.update(func(tx kv.Tx) error {
		r, err := getAPIClient(tx, id)
		if err != nil {
			return err
		}
		if !r.Revoked.IsZero() {
			return portal.Conflict("apiclient.revoked")
		}
		if err := tx.Bucket(bucketAPIClientsByHash).Delete(r.Hash); err != nil {
			return err
		}
		r.Revoked = db.now().UTC()
		if err := putAPIClient(tx, id, r); err != nil {
			return err
		}
		out = r.client(id)
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditAPIClientRevoked, ActorID: actor, SubjectKind: kindAPIClient, SubjectID: id})
	})
	return out, err
}

// dummyHash is compared against when no credential matches, so that a miss
// costs the same work as a hit.
var dummyHash = sha256.Sum256([]byte("no such credential"))

// AuthenticateAPIClient finds the live credential whose secret is presented.
// The lookup is by SHA-256 of the secret (learning whether a hash is in the
// index tells nothing about secrets without a preimage), followed by a
// constant-time comparison; any failure is the same unauthorized error.
func (db *DB) AuthenticateAPIClient(secret string) (APIClient, error) {
	h := sha256.Sum256([]byte(secret))
	var out APIClient
	found := false
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketAPIClientsByHash)
		if b == nil {
			return nil
		}
		v := b.Get(h[:])
		stored := dummyHash[:]
		var r apiClientRecord
		if len(v) == 8 {
			var err error
			if r, err = getAPIClient(tx, btoi(v)); err != nil {
				return err
			}
			stored = r.Hash
		}
		ok := subtle.ConstantTimeCompare(stored, h[:]) == 1
		if ok && len(v) == 8 && r.Revoked.IsZero() {
			out, found = r.client(btoi(v)), true
		}
		return nil
	})
	if err != nil {
		return APIClient{}, err
	}
	if !found || !strings.HasPrefix(secret, apiSecretPrefix) {
		return APIClient{}, &portal.Error{Code: portal.CodeForbidden, Key: "apiclient.unauthorized"}
	}
	return out, nil
}

// AuditAPIUse records one use of a credential (an operation that writes
// nothing else, such as reading a job). Batched: uses that arrive together
// share a transaction.
func (db *DB) AuditAPIUse(c APIClient, op, requestID string) error {
	return db.batch(func(tx kv.Tx) error {
		return db.appendAudit(tx, apiUse(c, op, requestID))
	})
}

func apiUse(c APIClient, op, requestID string) portal.AuditEvent {
	return portal.AuditEvent{Action: portal.AuditAPIClientUsed, SubjectKind: kindAPIClient, SubjectID: c.ID,
		Detail: fmt.Sprintf("organ:%d %s", c.Organ, op), RequestID: requestID}
}

const kindAPIClient = "api_client"
