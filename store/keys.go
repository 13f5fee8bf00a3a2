package store

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"
)

// Keys are the secrets the store needs. They are generated on first start into
// the data folder (mode 0600) or taken from the environment, and are never
// written into the database itself.
type Keys struct {
	Data          []byte // 32 bytes: AES-256-GCM key for personal fields
	Index         []byte // 32 bytes: HMAC-SHA-256 key for blind indexes (identity number, mobile)
	AuditSigner   string // golang.org/x/mod/sumdb/note Ed25519 signer key for the audit tree head
	AuditVerifier string // its public verifier key
}

// KeysFile is the name of the secrets file inside the data folder.
const KeysFile = "keys.json"

type keysFile struct {
	Data          string `json:"data_key"`
	Index         string `json:"index_key"`
	AuditSigner   string `json:"audit_signer"`
	AuditVerifier string `json:"audit_verifier"`
}

// Environment variables that, when set, override the keys file.
const (
	EnvDataKey       = "PORTAL_DATA_KEY"       // base64 of 32 bytes
	EnvIndexKey      = "PORTAL_INDEX_KEY"      // base64 of 32 bytes
	EnvAuditSigner   = "PORTAL_AUDIT_SIGNER"   // note signer key
	EnvAuditVerifier = "PORTAL_AUDIT_VERIFIER" // note verifier key
)

// LoadOrCreateKeys reads dir/keys.json, creating it with fresh random keys when
// absent, then applies any environment overrides. getenv is os.Getenv in
// production and a map lookup in tests.
func LoadOrCreateKeys(dir string, getenv func(string) string) (Keys, error) {
	path := filepath.Join(dir, KeysFile)
	var kf keysFile
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &kf); err != nil {
			return Keys{}, fmt.Errorf("store: read %s: %w", path, err)
		}
	case errors.Is(err, os.ErrNotExist):
		if kf, err = newKeysFile(); err != nil {
			return Keys{}, err
		}
		out, _ := json.MarshalIndent(kf, "", "  ")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return Keys{}, fmt.Errorf("store: create %s: %w", dir, err)
		}
		// O_EXCL: two first starts racing must not overwrite each other's keys.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return Keys{}, fmt.Errorf("store: create %s: %w", path, err)
		}
		if _, err := f.Write(out); err != nil {
			f.Close()
			return Keys{}, fmt.Errorf("store: write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return Keys{}, fmt.Errorf("store: write %s: %w", path, err)
		}
	default:
		return Keys{}, fmt.Errorf("store: read %s: %w", path, err)
	}
	for env, dst := range map[string]*string{EnvDataKey: &kf.Data, EnvIndexKey: &kf.Index, EnvAuditSigner: &kf.AuditSigner, EnvAuditVerifier: &kf.AuditVerifier} {
		if v := getenv(env); v != "" {
			*dst = v
		}
	}
	var k Keys
	if k.Data, err = decodeKey(kf.Data, "data_key"); err != nil {
		return Keys{}, err
	}
	if k.Index, err = decodeKey(kf.Index, "index_key"); err != nil {
		return Keys{}, err
	}
	k.AuditSigner, k.AuditVerifier = kf.AuditSigner, kf.AuditVerifier
	if _, err := note.NewSigner(k.AuditSigner); err != nil {
		return Keys{}, fmt.Errorf("store: audit signer key: %w", err)
	}
	if _, err := note.NewVerifier(k.AuditVerifier); err != nil {
		return Keys{}, fmt.Errorf("store: audit verifier key: %w", err)
	}
	return k, nil
}

func newKeysFile() (keysFile, error) {
	var kf keysFile
	for _, dst := range []*string{&kf.Data, &kf.Index} {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return kf, fmt.Errorf("store: random key: %w", err)
		}
		*dst = base64.StdEncoding.EncodeToString(b)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, "sealportal-audit")
	if err != nil {
		return kf, fmt.Errorf("store: audit key: %w", err)
	}
	kf.AuditSigner, kf.AuditVerifier = skey, vkey
	return kf, nil
}

func decodeKey(s, name string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("store: %s must be base64 of 32 bytes", name)
	}
	return b, nil
}

// NewTestKeys returns fresh random keys (for tests and tools).
func NewTestKeys() Keys {
	kf, err := newKeysFile()
	if err != nil {
		panic(err)
	}
	k := Keys{AuditSigner: kf.AuditSigner, AuditVerifier: kf.AuditVerifier}
	k.Data, _ = base64.StdEncoding.DecodeString(kf.Data)
	k.Index, _ = base64.StdEncoding.DecodeString(kf.Index)
	return k
}
