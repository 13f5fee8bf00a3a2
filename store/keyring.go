package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Envelope encryption. Personal data is sealed with data keys (DEKs): random
// 32-byte AES-256-GCM keys kept in the database, each wrapped (AES-256-GCM)
// by the key-encryption key (KEK), which never enters the database (keys.go).
// A copy of the file alone therefore opens nothing, a data key can be rotated
// by re-encrypting in place (rotate.go), and the KEK can be rotated by
// rewrapping a few dozen bytes per data key.
//
//	keyring
//	  "dek" | key id (1 byte)   -> dekRecord {id, state, created, retired, wrapped, previous}
//	  "kek"                     -> kekRecord {fingerprint, previous}   which KEK wraps the keys
//	  "last_id"                 -> 1 byte: the last key id given (ids are not reused while 255 last)
//	  "version"                 -> 8 bytes: a counter raised by every change of a key record (keyring_shared.go)
//
// A key is "active" (seals new values; exactly one), "retiring" (a rotation
// is moving its values to the active key) or "retired" (a full scan found no
// value naming it; its wrapped material is deleted, the record stays as
// history).
var bucketKeyring = []byte("keyring")

var (
	keyKEK            = []byte("kek")
	keyLastID         = []byte("last_id")
	keyKeyringVersion = []byte("version")
)

func dekKey(id byte) []byte { return []byte{'d', 'e', 'k', id} }

// KeyState is where a data key is in its life.
type KeyState string

// The states of a data key.
const (
	KeyActive   KeyState = "active"
	KeyRetiring KeyState = "retiring"
	KeyRetired  KeyState = "retired"
)

type dekRecord struct {
	ID       byte      `json:"id"`
	State    KeyState  `json:"state"`
	Created  time.Time `json:"created"`
	Retired  time.Time `json:"retired,omitzero"`
	Wrapped  []byte    `json:"wrapped,omitempty"`   // nonce | AES-GCM(KEK, key), associated data "sealportal/dek" 0 id
	Previous []byte    `json:"previous,omitempty"`  // the same under the previous KEK, while a KEK rotation is not yet confirmed
	KeysFile bool      `json:"keys_file,omitempty"` // blind key 1 only: the material is the keys file's index_key, not wrapped here
}

type kekRecord struct {
	Fingerprint string `json:"fingerprint"`        // of the KEK that made every "wrapped"
	Previous    string `json:"previous,omitempty"` // of the KEK that made every "previous"
}

// ErrWrongKEK is returned by Open when the configured key-encryption key does
// not unwrap the database's data keys.
var ErrWrongKEK = errors.New("store: the key-encryption key does not open this database's keyring")

// KeyInfo describes a data key without its material, for `admin rotate-keys`
// and tests.
type KeyInfo struct {
	ID      byte
	State   KeyState
	Created time.Time
	Retired time.Time
	HasKey  bool // the wrapped material is still stored
}

// keyring is the KEK side of the store: the KEK in memory (to wrap new data
// keys), where it came from, and a lock so that one rotation runs at a time.
type keyring struct {
	mu         sync.Mutex // held by a rotation of either kind
	stateMu    sync.Mutex // guards the fields below
	kek        []byte
	kekFP      string
	oldKEK     bool   // opened with the previous KEK of an unconfirmed KEK rotation
	file       string // keys file to update on a KEK rotation ("" when none)
	kekFromEnv bool
	version    uint64     // the keyring's "version" when the keys in memory were read
	reloadMu   sync.Mutex // one reload at a time (keyring_shared.go)
}

func (r *keyring) current() ([]byte, string, bool) {
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	return r.kek, r.kekFP, r.oldKEK
}

// kekFingerprint names a KEK without revealing it, so that a wrong KEK can be
// told apart from damaged key material in error messages.
func kekFingerprint(kek []byte) string {
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("sealportal/kek-fingerprint"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

func kekAEAD(kek []byte) (cipher.AEAD, error) {
	if len(kek) != 32 {
		return nil, errors.New("store: the key-encryption key must be 32 bytes")
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func dekAD(id byte) []byte { return append([]byte("sealportal/dek\x00"), id) }

// wrapDEK seals a data key under the KEK, bound to its key id.
func wrapDEK(kek []byte, id byte, dek []byte) ([]byte, error) {
	return wrapUnderKEK(kek, dekAD(id), dek)
}

func unwrapDEK(kek []byte, id byte, wrapped []byte) ([]byte, error) {
	return unwrapUnderKEK(kek, dekAD(id), wrapped)
}

// wrapUnderKEK seals a key (a data key, a blind-index key) under the KEK with
// AES-GCM, bound by ad to what the key is and its id.
func wrapUnderKEK(kek, ad, key []byte) ([]byte, error) {
	aead, err := kekAEAD(kek)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, key, ad), nil
}

// unwrapUnderKEK opens what wrapUnderKEK sealed with the same ad.
func unwrapUnderKEK(kek, ad, wrapped []byte) ([]byte, error) {
	aead, err := kekAEAD(kek)
	if err != nil {
		return nil, err
	}
	ns := aead.NonceSize()
	if len(wrapped) < ns+aead.Overhead() {
		return nil, errors.New("wrapped key too short")
	}
	return aead.Open(nil, wrapped[:ns], wrapped[ns:], ad)
}

func readDEKs(kr kv.Bucket) ([]dekRecord, error) {
	var out []dekRecord
	c := kr.Cursor()
	prefix := []byte("dek")
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r dekRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("store: keyring: decode key %x: %w", k[3:], err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func putDEK(kr kv.Bucket, r dekRecord) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := bumpKeyringVersion(kr); err != nil {
		return err
	}
	return kr.Put(dekKey(r.ID), raw)
}

func readKEKRecord(kr kv.Bucket) (kekRecord, error) {
	var r kekRecord
	raw := kr.Get(keyKEK)
	if raw == nil {
		return r, nil
	}
	err := json.Unmarshal(raw, &r)
	return r, err
}

func putKEKRecord(kr kv.Bucket, r kekRecord) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := bumpKeyringVersion(kr); err != nil {
		return err
	}
	return kr.Put(keyKEK, raw)
}

// nextKeyID gives a key id never given before while ids last; after 255
// rotations it reuses the lowest id whose record is retired, which a full
// scan proved no ciphertext names.
func nextKeyID(kr kv.Bucket, deks []dekRecord) (byte, error) {
	last := 0
	if v := kr.Get(keyLastID); len(v) == 1 {
		last = int(v[0])
	}
	for _, d := range deks {
		last = max(last, int(d.ID))
	}
	if last < 255 {
		return byte(last + 1), kr.Put(keyLastID, []byte{byte(last + 1)})
	}
	used := map[byte]bool{}
	for _, d := range deks {
		if d.State != KeyRetired || len(d.Wrapped) > 0 {
			used[d.ID] = true
		}
	}
	for id := 1; id <= 255; id++ {
		if !used[byte(id)] {
			return byte(id), nil
		}
	}
	return 0, errors.New("store: keyring: all 255 key ids are in use")
}

// migrationKeys hands Open's keys (DB.migrating) to migration 8, whose apply
// function sees only the transaction: the key is the migrating kv.Tx (an
// engine's Tx must therefore be comparable), stored by DB.migrate for the
// length of that transaction.
var migrationKeys sync.Map // kv.Tx -> migrationInput

type migrationInput struct {
	keys Keys
	now  time.Time
}

// migrateKeyring is migration 8: it creates the keyring and, when Open is
// running it, wraps the data key of an older keys file as key 1 under the KEK
// in the same transaction as the version bump. Run from a test without keys,
// it only creates the bucket and Open fills the keyring afterwards.
func migrateKeyring(tx kv.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketKeyring); err != nil {
		return err
	}
	in, ok := migrationKeys.Load(tx)
	if !ok {
		return nil
	}
	return setupKeyring(tx, in.(migrationInput).keys, in.(migrationInput).now)
}

// setupKeyring gives an empty keyring its first data key: the legacy data key
// of an upgraded database (checked against a value it sealed), or a fresh
// random key when the database holds no sealed value yet. A database with
// sealed values and no legacy key is refused: a fresh key could read nothing.
func setupKeyring(tx kv.Tx, keys Keys, now time.Time) error {
	kr, err := tx.CreateBucketIfNotExists(bucketKeyring)
	if err != nil {
		return err
	}
	deks, err := readDEKs(kr)
	if err != nil || len(deks) > 0 {
		return err
	}
	sample, hasData := firstSealed(tx)
	var dek []byte
	switch {
	case keys.LegacyData != nil:
		if hasData {
			k, err := newDataKey(1, keys.LegacyData)
			if err != nil {
				return err
			}
			if err := sample.check(k); err != nil {
				return fmt.Errorf("store: keyring: the data_key of the keys file (or %s) does not decrypt this database (%s): %w", EnvDataKey, sample.where, err)
			}
		}
		dek = append([]byte(nil), keys.LegacyData...)
	case hasData:
		return fmt.Errorf("store: keyring: this database holds data sealed before the keyring existed (%s); open it once with the keys file that has its data_key (or %s) so that migration 8 can wrap that key", sample.where, EnvDataKey)
	default:
		dek = make([]byte, 32)
		if _, err := rand.Read(dek); err != nil {
			return err
		}
	}
	wrapped, err := wrapDEK(keys.KEK, 1, dek)
	if err != nil {
		return fmt.Errorf("store: keyring: wrap key 1: %w", err)
	}
	if err := putDEK(kr, dekRecord{ID: 1, State: KeyActive, Created: now.UTC(), Wrapped: wrapped}); err != nil {
		return err
	}
	if err := kr.Put(keyLastID, []byte{1}); err != nil {
		return err
	}
	return putKEKRecord(kr, kekRecord{Fingerprint: kekFingerprint(keys.KEK)})
}

// openKeyring reads the keyring with the configured KEK and loads every data
// key that still has material into the crypter. It sets up an empty keyring
// (a database migrated without keys at hand) and, when the KEK is the new
// one of a KEK rotation, deletes the wraps under the previous KEK: this start
// proves the new KEK is in place.
func (db *DB) openKeyring(keys Keys, readOnly bool) error {
	if len(keys.KEK) != 32 {
		return errors.New("store: the key-encryption key must be 32 bytes")
	}
	ring := &keyring{kek: append([]byte(nil), keys.KEK...), kekFP: kekFingerprint(keys.KEK), file: keys.file, kekFromEnv: keys.kekFromEnv}
	var st ringState
	load := func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		if kr == nil {
			return errors.New("store: keyring missing (schema older than 8?)")
		}
		deks, err := readDEKs(kr)
		if err != nil {
			return err
		}
		if len(deks) == 0 {
			if readOnly {
				return errors.New("store: keyring is empty")
			}
			if err := setupKeyring(tx, keys, db.now()); err != nil {
				return err
			}
		}
		if st, err = readRing(kr, keys.KEK, ring.kekFP, keys.Index, keysFileName(keys)); err != nil {
			return err
		}
		if readOnly || st.usePrevious || st.kekRec.Previous == "" {
			return nil
		}
		// The new KEK opened the keyring: the rotation to it is confirmed.
		for _, d := range st.deks {
			if d.Previous != nil {
				d.Previous = nil
				if err := putDEK(kr, d); err != nil {
					return err
				}
			}
		}
		if err := forgetPreviousBlindWraps(kr); err != nil {
			return err
		}
		if err := putKEKRecord(kr, kekRecord{Fingerprint: st.kekRec.Fingerprint}); err != nil {
			return err
		}
		st.version = keyringVersion(kr) // the confirmation changed it
		return nil
	}
	var err error
	if readOnly {
		err = db.view(load)
	} else {
		err = db.update(load)
	}
	if err != nil {
		return err
	}
	if err := db.crypt.setKeys(st.active, st.plain); err != nil {
		return err
	}
	db.crypt.bkeys.Store(st.blind)
	ring.oldKEK = st.usePrevious
	ring.version = st.version
	db.ring = ring
	if db.Shared() {
		// Another app server may add a data key at any time (design §6.5):
		// a value naming a key this process does not hold makes it read the
		// keyring again, once, before the value is called undecryptable.
		db.crypt.reload = db.reloadKeyringForRead
	}
	if !readOnly && keys.LegacyData != nil && keys.file != "" {
		// A keys file that cannot be rewritten (a read-only mounted secret)
		// keeps its data_key, as before the upgrade: not a reason to refuse
		// to start. The next `admin rotate-keys` retires that key anyway.
		_ = db.forgetLegacyKey(keys.file, st.plain)
	}
	return nil
}

// ringState is the keyring as read with one KEK: the data keys unwrapped,
// the blind keys, and the version it was read at.
type ringState struct {
	deks        []dekRecord
	kekRec      kekRecord
	usePrevious bool // the KEK given is the previous one of an unconfirmed KEK rotation
	active      byte
	plain       map[byte][]byte
	blind       *blindSet
	version     uint64
}

// readRing reads and unwraps the keyring with kek (whose fingerprint is fp;
// index is the keys file's index key, blind key 1). keysName names the keys
// file in the error of a wrong KEK.
func readRing(kr kv.Bucket, kek []byte, fp string, index []byte, keysName string) (ringState, error) {
	st := ringState{plain: map[byte][]byte{}, version: keyringVersion(kr)}
	var err error
	if st.deks, err = readDEKs(kr); err != nil {
		return st, err
	}
	if st.kekRec, err = readKEKRecord(kr); err != nil {
		return st, fmt.Errorf("store: keyring: %w", err)
	}
	// The previous KEK still opens the keyring after a KEK rotation until
	// a start with the new one confirms it (RotateKEK).
	st.usePrevious = fp != st.kekRec.Fingerprint && st.kekRec.Previous != "" && fp == st.kekRec.Previous
	if fp != st.kekRec.Fingerprint && !st.usePrevious {
		return st, fmt.Errorf("%w (the KEK given has fingerprint %s, the keyring was wrapped by %s): check %s or the kek in %s",
			ErrWrongKEK, fp, st.kekRec.Fingerprint, EnvKEK, keysName)
	}
	for _, d := range st.deks {
		wrapped := d.Wrapped
		if st.usePrevious {
			wrapped = d.Previous
		}
		if len(wrapped) == 0 {
			if d.State != KeyRetired {
				return st, fmt.Errorf("store: keyring: key %d is %s but has no material", d.ID, d.State)
			}
			continue
		}
		k, err := unwrapDEK(kek, d.ID, wrapped)
		if err != nil {
			return st, fmt.Errorf("%w: key %d does not unwrap: %v", ErrWrongKEK, d.ID, err)
		}
		st.plain[d.ID] = k
		if d.State == KeyActive {
			if st.active != 0 {
				return st, fmt.Errorf("store: keyring: keys %d and %d are both active", st.active, d.ID)
			}
			st.active = d.ID
		}
	}
	if st.active == 0 {
		return st, errors.New("store: keyring: no active data key")
	}
	st.blind, err = loadBlindKeys(kr, Keys{KEK: kek, Index: index}, st.usePrevious)
	return st, err
}

func keysFileName(k Keys) string {
	if k.file == "" {
		return "the keys file"
	}
	return k.file
}

// forgetLegacyKey removes the data_key from the keys file once the keyring
// holds it as key 1 (or key 1 has since been retired): from then on the file
// holds only the KEK, and a stolen keys file without the database, or the
// database without the keys file, opens nothing.
func (db *DB) forgetLegacyKey(path string, plain map[byte][]byte) error {
	var first dekRecord
	err := db.view(func(tx kv.Tx) error {
		raw := tx.Bucket(bucketKeyring).Get(dekKey(1))
		if raw == nil {
			return nil
		}
		return json.Unmarshal(raw, &first)
	})
	if err != nil || first.ID != 1 {
		return err
	}
	return updateKeysFileIf(path, func(kf *keysFile) bool {
		if kf.Data == "" {
			return false
		}
		legacy, err := decodeKey(kf.Data, "data_key")
		if err != nil {
			return false
		}
		if first.State == KeyRetired || bytes.Equal(plain[1], legacy) {
			kf.Data = ""
			return true
		}
		return false
	})
}

// Keyring lists the data keys, oldest first, without their material.
func (db *DB) Keyring() ([]KeyInfo, error) {
	var out []KeyInfo
	err := db.view(func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		if kr == nil {
			return nil
		}
		deks, err := readDEKs(kr)
		for _, d := range deks {
			out = append(out, KeyInfo{ID: d.ID, State: d.State, Created: d.Created, Retired: d.Retired, HasKey: len(d.Wrapped) > 0})
		}
		return err
	})
	return out, err
}

// KEKReport says what a KEK rotation did and what is left to the operator.
type KEKReport struct {
	OldFingerprint, NewFingerprint string
	Rewrapped                      int    // data keys rewrapped
	BlindRewrapped                 int    // blind-index keys rewrapped (key 1 lives in the keys file, not here)
	KeysFile                       string // the keys file now holding the new KEK ("" when the KEK is in PORTAL_KEK)
	Pending                        bool   // the wraps under the old KEK are kept until a start with the new KEK
}

// RotateKEK rewraps every data key under newKEK. The wraps under the current
// KEK are kept as "previous" until the new KEK is known to be in place: when
// the KEK came from the keys file, the file is rewritten (temporary file and
// rename) and the previous wraps deleted at once; when it came from
// PORTAL_KEK, the operator sets the new value and the first start with it
// deletes them (until then the old KEK still opens the database). Either way
// a crash at any point leaves a database that one of the two KEKs opens.
func (db *DB) RotateKEK(newKEK []byte) (KEKReport, error) {
	ring := db.ring
	ring.mu.Lock()
	defer ring.mu.Unlock()
	kek, fp, old := ring.current()
	rep := KEKReport{OldFingerprint: fp, NewFingerprint: kekFingerprint(newKEK)}
	if len(newKEK) != 32 {
		return rep, errors.New("store: the new key-encryption key must be 32 bytes")
	}
	if old {
		return rep, errors.New("store: this process runs with the previous KEK of an unconfirmed KEK rotation; start it with the new KEK first")
	}
	if rep.NewFingerprint == fp {
		return rep, errors.New("store: the new KEK is the one in use")
	}
	err := db.update(func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		deks, err := readDEKs(kr)
		if err != nil {
			return err
		}
		rep.Rewrapped = 0
		for _, d := range deks {
			if len(d.Wrapped) == 0 {
				d.Previous = nil
				if err := putDEK(kr, d); err != nil {
					return err
				}
				continue
			}
			dek, err := unwrapDEK(kek, d.ID, d.Wrapped)
			if err != nil {
				return fmt.Errorf("store: rotate kek: unwrap key %d: %w", d.ID, err)
			}
			d.Previous = d.Wrapped
			if d.Wrapped, err = wrapDEK(newKEK, d.ID, dek); err != nil {
				return err
			}
			if err := putDEK(kr, d); err != nil {
				return err
			}
			rep.Rewrapped++
		}
		n, err := rewrapBlindKeys(kr, kek, newKEK)
		if err != nil {
			return err
		}
		rep.BlindRewrapped = n
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditKEKRotated, SubjectKind: "kek", Detail: rep.NewFingerprint}); err != nil {
			return err
		}
		return putKEKRecord(kr, kekRecord{Fingerprint: rep.NewFingerprint, Previous: fp})
	})
	if err != nil {
		return rep, err
	}
	ring.stateMu.Lock()
	// oldKEK too: a write of another goroutine may have reloaded the keyring
	// between the commit and here, with the KEK that is now the previous one.
	ring.kek, ring.kekFP, ring.oldKEK = append([]byte(nil), newKEK...), rep.NewFingerprint, false
	ring.stateMu.Unlock()
	if ring.kekFromEnv || ring.file == "" {
		rep.Pending = true
		return rep, nil
	}
	enc := base64.StdEncoding.EncodeToString(newKEK)
	if err := updateKeysFile(ring.file, func(kf *keysFile) { kf.KEK = enc }); err != nil {
		rep.Pending = true
		return rep, fmt.Errorf("store: rotate kek: the keyring is wrapped under the new KEK (the old one still opens it) but %s could not be updated: %w", ring.file, err)
	}
	rep.KeysFile = ring.file
	err = db.update(func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		deks, err := readDEKs(kr)
		if err != nil {
			return err
		}
		for _, d := range deks {
			if d.Previous != nil {
				d.Previous = nil
				if err := putDEK(kr, d); err != nil {
					return err
				}
			}
		}
		if err := forgetPreviousBlindWraps(kr); err != nil {
			return err
		}
		return putKEKRecord(kr, kekRecord{Fingerprint: rep.NewFingerprint})
	})
	if err != nil {
		rep.Pending = true
	}
	return rep, err
}
