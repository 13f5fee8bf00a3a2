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
)

// crypter is the one place where personal data is encrypted and blind-indexed.
// Ciphertexts start with a one-byte key id so that key rotation can later add
// keys without touching the record format; the record kind, id and field name are
// bound as associated data so that a ciphertext cannot be moved to another
// record or field.
type crypter struct {
	keyID byte
	aead  cipher.AEAD
	index []byte
}

const currentKeyID byte = 1

func newCrypter(k Keys) (*crypter, error) {
	if len(k.Data) != 32 || len(k.Index) != 32 {
		return nil, errors.New("store: data and index keys must be 32 bytes")
	}
	block, err := aes.NewCipher(k.Data)
	if err != nil {
		return nil, fmt.Errorf("store: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: gcm: %w", err)
	}
	return &crypter{keyID: currentKeyID, aead: aead, index: append([]byte(nil), k.Index...)}, nil
}

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
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("store: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+c.aead.Overhead())
	out = append(out, c.keyID)
	out = append(out, nonce...)
	return c.aead.Seal(out, nonce, plaintext, associated(kind, id, field))
}

// open decrypts what seal produced for the same kind, id and field.
func (c *crypter) open(kind string, id uint64, field string, ciphertext []byte) ([]byte, error) {
	ns := c.aead.NonceSize()
	if len(ciphertext) < 1+ns+c.aead.Overhead() {
		return nil, errors.New("store: ciphertext too short")
	}
	if ciphertext[0] != c.keyID {
		return nil, fmt.Errorf("store: unknown key id %d", ciphertext[0])
	}
	nonce := ciphertext[1 : 1+ns]
	pt, err := c.aead.Open(nil, nonce, ciphertext[1+ns:], associated(kind, id, field))
	if err != nil {
		return nil, fmt.Errorf("store: decrypt %s %d %s: %w", kind, id, field, err)
	}
	return pt, nil
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
// so that equal values can be found without being readable.
func (c *crypter) blind(purpose, value string) []byte {
	m := hmac.New(sha256.New, c.index)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// sealedRecord is how every encrypted record is stored: a JSON object whose
// body is the AES-GCM ciphertext of the record's own JSON.
type sealedRecord struct {
	Body []byte `json:"body"`
}

// sealJSON marshals v and encrypts it, bound to the record's kind, id and
// field, into the stored form.
func (c *crypter) sealJSON(kind string, id uint64, field string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encode %s %d: %w", kind, id, err)
	}
	return json.Marshal(sealedRecord{Body: c.seal(kind, id, field, body)})
}

// openJSON decrypts what sealJSON stored under the same kind, id and field and
// unmarshals it into v.
func (c *crypter) openJSON(kind string, id uint64, field string, raw []byte, v any) error {
	var rec sealedRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("store: decode %s %d: %w", kind, id, err)
	}
	body, err := c.open(kind, id, field, rec.Body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("store: decode %s %d body: %w", kind, id, err)
	}
	return nil
}
