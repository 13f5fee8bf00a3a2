package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// crypter is the one place where personal data is encrypted and blind-indexed.
// Ciphertexts start with a one-byte key id naming the data key (DEK) of the
// keyring that sealed them (keyring.go), so that a rotation can add a key and
// re-encrypt in the background while every value stays readable; the record
// kind, id and field name are bound as associated data so that a ciphertext
// cannot be moved to another record or field.
type crypter struct {
	keys  atomic.Pointer[keySet]   // swapped whole, so readers never lock
	bkeys atomic.Pointer[blindSet] // the blind-index keys (blindkeys.go), swapped whole too

	indexFromFile []byte // the keys file's index_key: the material of blind key 1

	// reload, on an engine shared by several app servers, reads the keyring
	// again when a value names a key id not in memory (keyring_shared.go);
	// nil on bbolt, where this process made every key it can meet.
	reload func() bool
}

// dataKey is one unwrapped data key.
type dataKey struct {
	id   byte
	aead cipher.AEAD
}

// keySet is the data keys in memory: the active one seals, any of them opens.
type keySet struct {
	active *dataKey
	byID   map[byte]*dataKey
}

func newCrypter(index []byte) (*crypter, error) {
	if len(index) != 32 {
		return nil, errors.New("store: index key must be 32 bytes")
	}
	c := &crypter{indexFromFile: append([]byte(nil), index...)}
	// Until the keyring is read (openKeyring), the keys file's index key is
	// blind key 1, the only one there was before blind keys rotated.
	c.bkeys.Store(&blindSet{active: &blindKey{id: 1, key: append([]byte(nil), index...)}})
	return c, nil
}

func newDataKey(id byte, key []byte) (*dataKey, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("store: data key %d must be 32 bytes", id)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: gcm: %w", err)
	}
	return &dataKey{id: id, aead: aead}, nil
}

// setKeys replaces the keys in memory: keys maps key id to the unwrapped key,
// active names the one that seals from now on.
func (c *crypter) setKeys(active byte, keys map[byte][]byte) error {
	ks := &keySet{byID: make(map[byte]*dataKey, len(keys))}
	for id, k := range keys {
		dk, err := newDataKey(id, k)
		if err != nil {
			return err
		}
		ks.byID[id] = dk
	}
	if ks.active = ks.byID[active]; ks.active == nil {
		return fmt.Errorf("store: active data key %d is not in the keyring", active)
	}
	c.keys.Store(ks)
	return nil
}

// addKey adds an unwrapped key to the keys in memory, making it the active
// one when active is set.
func (c *crypter) addKey(id byte, key []byte, active bool) error {
	dk, err := newDataKey(id, key)
	if err != nil {
		return err
	}
	old := c.keys.Load()
	ks := &keySet{active: old.active, byID: make(map[byte]*dataKey, len(old.byID)+1)}
	for k, v := range old.byID {
		ks.byID[k] = v
	}
	ks.byID[id] = dk
	if active {
		ks.active = dk
	}
	c.keys.Store(ks)
	return nil
}

// removeKeys forgets retired keys (never the active one).
func (c *crypter) removeKeys(ids []byte) {
	if len(ids) == 0 {
		return
	}
	old := c.keys.Load()
	ks := &keySet{active: old.active, byID: make(map[byte]*dataKey, len(old.byID))}
	for k, v := range old.byID {
		ks.byID[k] = v
	}
	for _, id := range ids {
		if id != old.active.id {
			delete(ks.byID, id)
		}
	}
	c.keys.Store(ks)
}

// activeKeyID is the id of the key that seals now.
func (c *crypter) activeKeyID() byte { return c.keys.Load().active.id }

// associated builds the associated data binding a ciphertext to its place.
func associated(kind string, id uint64, field string) []byte {
	ad := make([]byte, 0, len(kind)+len(field)+10)
	ad = append(ad, kind...)
	ad = append(ad, 0)
	ad = binary.BigEndian.AppendUint64(ad, id)
	ad = append(ad, field...)
	return ad
}

// seal encrypts plaintext for the given record kind, id and field.
func (c *crypter) seal(kind string, id uint64, field string, plaintext []byte) []byte {
	return c.keys.Load().active.seal(associated(kind, id, field), plaintext)
}

// seal encrypts plaintext under this key with associated data ad: key id,
// random nonce, then the AES-GCM ciphertext and tag.
func (k *dataKey) seal(ad, plaintext []byte) []byte { return k.sealAppend(nil, ad, plaintext) }

// sealAppend is seal appending to prefix (the envelope's format byte), in
// one allocation.
func (k *dataKey) sealAppend(prefix, ad, plaintext []byte) []byte {
	ns := k.aead.NonceSize()
	out := make([]byte, 0, len(prefix)+1+ns+len(plaintext)+k.aead.Overhead())
	out = append(out, prefix...)
	out = append(out, k.id)
	nonce := out[len(out) : len(out)+ns]
	if _, err := rand.Read(nonce); err != nil {
		panic("store: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	out = out[:len(out)+ns]
	return k.aead.Seal(out, nonce, plaintext, ad)
}

// open decrypts what seal produced for the same kind, id and field.
func (c *crypter) open(kind string, id uint64, field string, ciphertext []byte) ([]byte, error) {
	return c.openAppend(nil, kind, id, field, ciphertext)
}

// openAppend is open appending the plaintext to dst (a reused buffer).
func (c *crypter) openAppend(dst []byte, kind string, id uint64, field string, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) == 0 {
		return nil, errors.New("store: ciphertext too short")
	}
	k := c.keys.Load().byID[ciphertext[0]]
	if k == nil && c.reload != nil && c.reload() {
		k = c.keys.Load().byID[ciphertext[0]]
	}
	if k == nil {
		return nil, fmt.Errorf("store: decrypt %s %d %s: unknown or retired key id %d", kind, id, field, ciphertext[0])
	}
	pt, err := k.openAppend(dst, associated(kind, id, field), ciphertext)
	if err != nil {
		return nil, fmt.Errorf("store: decrypt %s %d %s: %w", kind, id, field, err)
	}
	return pt, nil
}

// open decrypts what seal produced under this key with the same associated data.
func (k *dataKey) open(ad, ciphertext []byte) ([]byte, error) {
	return k.openAppend(nil, ad, ciphertext)
}

func (k *dataKey) openAppend(dst, ad, ciphertext []byte) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(ciphertext) < 1+ns+k.aead.Overhead() {
		return nil, errors.New("ciphertext too short")
	}
	return k.aead.Open(dst, ciphertext[1:1+ns], ciphertext[1+ns:], ad)
}

// sealString and openString are the string forms used by records.
func (c *crypter) sealString(kind string, id uint64, field, s string) []byte {
	if s == "" {
		return nil
	}
	return c.seal(kind, id, field, []byte(s))
}

func (c *crypter) openString(kind string, id uint64, field string, b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	pt, err := c.open(kind, id, field, b)
	return string(pt), err
}

// blind returns a keyed hash of value within a purpose ("idnumber", "login"),
// so that equal values can be found without being readable. It uses the
// active blind key: what is written now. Lookups use blindLookup (indexes
// that a rotation re-indexes) or blindAny (hashes that cannot be recomputed).
func (c *crypter) blind(purpose, value string) []byte {
	return c.bkeys.Load().active.blind(purpose, value)
}

// blind is HMAC-SHA-256 under this key of purpose, 0, value.
func (k *blindKey) blind(purpose, value string) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// sealedRecord is how every encrypted record was stored before the envelope
// (codec.go): a JSON object whose body is the AES-GCM ciphertext of the
// record's own JSON. Still read; rewriteLegacyRecords replaces it.
type sealedRecord struct {
	Body []byte `json:"body"`
}

// sealJSON encodes v (its binary form when it has one, else JSON) and
// encrypts it, bound to the record's kind, id and field, into the stored
// form: the envelope of codec.go.
func (c *crypter) sealJSON(kind string, id uint64, field string, v any) ([]byte, error) {
	var body []byte
	if bb, ok := v.(binaryBody); ok {
		body = bb.appendBinary([]byte{bodyBinaryV1})
	} else {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("store: encode %s %d: %w", kind, id, err)
		}
	}
	return c.keys.Load().active.sealAppend([]byte{envelopeV1}, associated(kind, id, field), body), nil
}

// plainBuffers are openJSON's plaintext buffers, kept up to
// maxPooledPlaintext bytes.
var plainBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledPlaintext = 64 << 10

// openJSON decrypts what sealJSON stored under the same kind, id and field
// (the envelope, or the JSON wrapper of before) and decodes it into v (the
// binary form or JSON, whichever the plaintext is).
func (c *crypter) openJSON(kind string, id uint64, field string, raw []byte, v any) error {
	var ct []byte
	switch {
	case len(raw) > 0 && raw[0] == envelopeV1:
		ct = raw[1:]
	case isLegacyWrapper(raw):
		var rec sealedRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("store: decode %s %d: %w", kind, id, err)
		}
		ct = rec.Body
	default:
		return fmt.Errorf("store: decode %s %d: unknown record format", kind, id)
	}
	// The plaintext goes to a reused buffer: both decoders copy what they
	// keep (strings, byte slices), and the buffer is cleared after use.
	bp := plainBuffers.Get().(*[]byte)
	defer func() {
		clear(*bp) // what was written: the personal data of this read
		if cap(*bp) <= maxPooledPlaintext {
			plainBuffers.Put(bp)
		}
	}()
	body, err := c.openAppend((*bp)[:0], kind, id, field, ct)
	if err != nil {
		return err
	}
	*bp = body
	if len(body) > 0 && body[0] == bodyBinaryV1 {
		bd, ok := v.(binaryDecoder)
		if !ok {
			return fmt.Errorf("store: decode %s %d body: a binary body for a type without one", kind, id)
		}
		if err := bd.decodeBinary(body[1:]); err != nil {
			return fmt.Errorf("store: decode %s %d body: %w", kind, id, err)
		}
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("store: decode %s %d body: %w", kind, id, err)
	}
	return nil
}
