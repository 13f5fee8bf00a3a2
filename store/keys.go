package store

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Keys are the secrets the store needs from outside the database. They are
// generated on first start into the keys file (mode 0600; by default keys.json
// beside the database) or taken from the environment, and are never written
// into the database itself.
//
// Personal data is encrypted with data keys (DEKs) that live in the database's
// keyring, each wrapped by the key-encryption key (KEK) held here (keyring.go):
// rotating a data key re-encrypts the data without touching this file, and
// rotating the KEK rewraps a few dozen bytes per data key.
type Keys struct {
	KEK           []byte // 32 bytes: AES-256-GCM key that wraps the data keys in the keyring
	Index         []byte // 32 bytes: HMAC-SHA-256 key for blind indexes (identity number, mobile)
	AuditSigner   string // golang.org/x/mod/sumdb/note Ed25519 signer key for the audit tree head
	AuditVerifier string // its public verifier key

	// LegacyData is the data key of a keys file written before the keyring
	// existed (its "data_key"), or PORTAL_DATA_KEY. Migration 8 wraps it as
	// data key 1; afterwards it is dropped from the keys file and ignored.
	LegacyData []byte

	file       string // the keys file these came from ("" for NewTestKeys)
	kekFromEnv bool   // the KEK came from PORTAL_KEK, so no file can be updated on a KEK rotation
}

// KeysFile is the default name of the secrets file, beside the database.
const KeysFile = "keys.json"

type keysFile struct {
	KEK           string `json:"kek,omitempty"`
	Data          string `json:"data_key,omitempty"` // only in files written before the keyring (migration 8)
	Index         string `json:"index_key"`
	AuditSigner   string `json:"audit_signer"`
	AuditVerifier string `json:"audit_verifier"`
}

// Environment variables that, when set, override the keys file.
const (
	EnvKeysFile      = "PORTAL_KEYS_FILE"      // where the keys file is (default: keys.json beside the database)
	EnvKEK           = "PORTAL_KEK"            // base64 of 32 bytes: the key-encryption key
	EnvDataKey       = "PORTAL_DATA_KEY"       // legacy: base64 of 32 bytes, read only to upgrade an older database
	EnvIndexKey      = "PORTAL_INDEX_KEY"      // base64 of 32 bytes
	EnvAuditSigner   = "PORTAL_AUDIT_SIGNER"   // note signer key
	EnvAuditVerifier = "PORTAL_AUDIT_VERIFIER" // note verifier key
)

// KeysPath is where the keys file of a database in dir is: PORTAL_KEYS_FILE
// when set, else dir/keys.json.
func KeysPath(dir string, getenv func(string) string) string {
	if p := getenv(EnvKeysFile); p != "" {
		return p
	}
	return filepath.Join(dir, KeysFile)
}

// LoadOrCreateKeys reads the keys file of the database folder dir (see
// KeysPath), creating it with fresh random keys when absent, then applies any
// environment overrides. getenv is os.Getenv in production and a map lookup in
// tests.
func LoadOrCreateKeys(dir string, getenv func(string) string) (Keys, error) {
	return LoadOrCreateKeysFile(KeysPath(dir, getenv), getenv)
}

// LoadOrCreateKeysFile is LoadOrCreateKeys with the keys file named
// explicitly (the -keys flag). A file written before the keyring existed
// (it has a data_key and no kek) gets a fresh KEK added, written to disk
// before the database is opened, so that the data key is never wrapped under
// a KEK that is not stored; the data_key itself is removed once the
// database's keyring holds it (see Open).
func LoadOrCreateKeysFile(path string, getenv func(string) string) (Keys, error) {
	var kf keysFile
	raw, err := os.ReadFile(path) // #nosec G304 -- the keys file the operator names with -keys
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &kf); err != nil {
			return Keys{}, fmt.Errorf("store: read %s: %w", path, err)
		}
		if kf.KEK == "" && getenv(EnvKEK) == "" {
			if kf.Data == "" {
				return Keys{}, fmt.Errorf("store: %s has no kek and %s is not set", path, EnvKEK)
			}
			// A keys file of the previous version: give it a KEK now.
			if kf.KEK, err = randomKey(); err != nil {
				return Keys{}, err
			}
			if err := writeKeysFile(path, kf, false); err != nil {
				return Keys{}, fmt.Errorf("%w (to keep the key-encryption key out of this file, set %s)", err, EnvKEK)
			}
		}
	case errors.Is(err, os.ErrNotExist):
		if kf, err = newKeysFile(); err != nil {
			return Keys{}, err
		}
		if getenv(EnvKEK) != "" {
			kf.KEK = "" // the KEK lives in the environment only
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return Keys{}, fmt.Errorf("store: create %s: %w", filepath.Dir(path), err)
		}
		// Exclusive: two first starts racing must not overwrite each other's keys.
		if err := writeKeysFile(path, kf, true); err != nil {
			return Keys{}, err
		}
	default:
		return Keys{}, fmt.Errorf("store: read %s: %w", path, err)
	}
	k := Keys{file: path}
	if v := getenv(EnvKEK); v != "" {
		kf.KEK, k.kekFromEnv = v, true
	}
	for env, dst := range map[string]*string{EnvDataKey: &kf.Data, EnvIndexKey: &kf.Index, EnvAuditSigner: &kf.AuditSigner, EnvAuditVerifier: &kf.AuditVerifier} {
		if v := getenv(env); v != "" {
			*dst = v
		}
	}
	if k.KEK, err = decodeKey(kf.KEK, "kek ("+EnvKEK+")"); err != nil {
		return Keys{}, err
	}
	if kf.Data != "" {
		if k.LegacyData, err = decodeKey(kf.Data, "data_key"); err != nil {
			return Keys{}, err
		}
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

// File is the keys file the keys were read from ("" when made in memory).
func (k Keys) File() string { return k.file }

// KEKFromEnv reports whether the KEK came from PORTAL_KEK rather than the file.
func (k Keys) KEKFromEnv() bool { return k.kekFromEnv }

// writeKeysFile writes kf to path with mode 0600. A new file is created
// exclusively; an existing one is replaced through a temporary file and a
// rename, so that a crash leaves either the old or the new keys, never half.
func writeKeysFile(path string, kf keysFile, exclusive bool) error {
	out, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	out = append(out, '\n')
	target := path
	if !exclusive {
		target = path + ".tmp"
		// A leftover of an earlier crash.
		if err := os.Remove(target); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: remove %s: %w", target, err)
		}
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the -keys file (or its .tmp)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", target, err)
	}
	if _, err := f.Write(out); err != nil {
		_ = f.Close() // the write error is the one to report
		return fmt.Errorf("store: write %s: %w", target, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync error is the one to report
		return fmt.Errorf("store: sync %s: %w", target, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: write %s: %w", target, err)
	}
	if !exclusive {
		if err := os.Rename(target, path); err != nil {
			return fmt.Errorf("store: replace %s: %w", path, err)
		}
	}
	// The keys must survive a crash once we report them written.
	if err := SyncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("store: write %s: %w", path, err)
	}
	return nil
}

// readKeysFile reads the keys file as it is on disk, without environment
// overrides.
func readKeysFile(path string) (keysFile, error) {
	var kf keysFile
	raw, err := os.ReadFile(path) // #nosec G304 -- the keys file the operator names with -keys
	if err != nil {
		return kf, fmt.Errorf("store: read %s: %w", path, err)
	}
	if err := json.Unmarshal(raw, &kf); err != nil {
		return kf, fmt.Errorf("store: read %s: %w", path, err)
	}
	return kf, nil
}

// updateKeysFileIf rewrites the keys file when change reports a change:
// dropping the legacy data key once the keyring holds it.
func updateKeysFileIf(path string, change func(*keysFile) bool) error {
	kf, err := readKeysFile(path)
	if err != nil {
		return err
	}
	if !change(&kf) {
		return nil
	}
	return writeKeysFile(path, kf, false)
}

// updateKeysFile rewrites the keys file with change applied (a new KEK).
func updateKeysFile(path string, change func(*keysFile)) error {
	return updateKeysFileIf(path, func(kf *keysFile) bool { change(kf); return true })
}

func newKeysFile() (keysFile, error) {
	var kf keysFile
	var err error
	if kf.KEK, err = randomKey(); err != nil {
		return kf, err
	}
	if kf.Index, err = randomKey(); err != nil {
		return kf, err
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, "sealportal-audit")
	if err != nil {
		return kf, fmt.Errorf("store: audit key: %w", err)
	}
	kf.AuditSigner, kf.AuditVerifier = skey, vkey
	return kf, nil
}

func randomKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: random key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// NewKEK returns a fresh random key-encryption key, base64 encoded as the keys
// file and PORTAL_KEK hold it.
func NewKEK() (string, error) { return randomKey() }

// DecodeKEK reads a KEK written as base64 of 32 bytes (surrounding space is
// ignored, so a file with a final newline works).
func DecodeKEK(s string) ([]byte, error) { return decodeKey(strings.TrimSpace(s), "kek") }

func decodeKey(s, name string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("store: %s must be base64 of 32 bytes", name)
	}
	return b, nil
}

// NewTestKeys returns fresh random keys (for tests and tools). A database
// opened with them for the first time gets a fresh data key in its keyring.
func NewTestKeys() Keys {
	kf, err := newKeysFile()
	if err != nil {
		panic(err)
	}
	k := Keys{AuditSigner: kf.AuditSigner, AuditVerifier: kf.AuditVerifier}
	k.KEK, _ = base64.StdEncoding.DecodeString(kf.KEK)
	k.Index, _ = base64.StdEncoding.DecodeString(kf.Index)
	return k
}
