package store

import (
	"context"
	"fmt"
	"time"

	"sealportal/store/kv"
)

// The keyring across app servers (issue 15, design §6.5). Several processes
// share one PostgreSQL database, and any of them may add, activate or retire
// a data key (admin rotate-keys, RotateDataKeys) or rewrap the keys under a
// new KEK. Every change of a key record raises the keyring's "version"
// counter in the same transaction (putDEK, putKEKRecord, putBlindKey); every
// write transaction reads it first (one Get, under the writer lock) and, when
// it differs from the version of the keys in memory, reads the keyring again
// before fn seals anything. Writes are serialized, so after the commit that
// activates a new key no process seals with the old one, and none with a key
// after the commit that retires it. A read that meets a key id not in memory
// reads the keyring once (crypter.reload) before calling the value
// undecryptable.

// keyringVersion is the keyring's change counter (0 before the first change
// that counted).
func keyringVersion(kr kv.Bucket) uint64 {
	if v := kr.Get(keyKeyringVersion); len(v) == 8 {
		return btoi(v)
	}
	return 0
}

// bumpKeyringVersion raises the change counter; the key record's change is
// written in the same transaction.
func bumpKeyringVersion(kr kv.Bucket) error {
	return kr.Put(keyKeyringVersion, itob(keyringVersion(kr)+1))
}

// fresh wraps a write transaction's fn so that the keys in memory are the
// keyring's current ones before fn runs.
func (db *DB) fresh(fn func(tx kv.Tx) error) func(tx kv.Tx) error {
	return func(tx kv.Tx) error {
		if err := db.keyringFresh(tx); err != nil {
			return err
		}
		return fn(tx)
	}
}

// keyringFresh reloads the keyring in tx when its version is not the one in
// memory. Before openKeyring (migrations) there is nothing to refresh.
func (db *DB) keyringFresh(tx kv.Tx) error {
	ring := db.ring
	if ring == nil {
		return nil
	}
	kr := tx.Bucket(bucketKeyring)
	if kr == nil {
		return nil
	}
	v := keyringVersion(kr)
	ring.stateMu.Lock()
	same := v == ring.version
	ring.stateMu.Unlock()
	if same {
		return nil
	}
	// Inside a write transaction the keyring is the latest committed one:
	// it replaces the keys in memory even when its counter is lower (a
	// database restored from an older copy).
	return db.reloadKeyring(kr, true)
}

// reloadKeyring reads the keyring of kr into memory. A write transaction's
// reading always wins; a read transaction's snapshot only when its version
// is newer than the one in memory, so that an older snapshot never brings
// back a retired key as the active one.
func (db *DB) reloadKeyring(kr kv.Bucket, authoritative bool) error {
	ring := db.ring
	ring.reloadMu.Lock()
	defer ring.reloadMu.Unlock()
	v := keyringVersion(kr)
	ring.stateMu.Lock()
	cur := ring.version
	ring.stateMu.Unlock()
	if v == cur || (!authoritative && v < cur) {
		return nil
	}
	kek, fp, _ := ring.current()
	rec, err := readKEKRecord(kr)
	if err != nil {
		return fmt.Errorf("store: keyring: %w", err)
	}
	if fp != rec.Fingerprint && fp != rec.Previous && ring.file != "" && !ring.kekFromEnv {
		// Another server rotated the KEK and rewrote the keys file both
		// use: take the new KEK from it.
		if kf, err := readKeysFile(ring.file); err == nil {
			if k, err := decodeKey(kf.KEK, "kek"); err == nil && kekFingerprint(k) == rec.Fingerprint {
				kek, fp = k, rec.Fingerprint
			}
		}
	}
	st, err := readRing(kr, kek, fp, db.crypt.keysFileIndex(), keysFileName(Keys{file: ring.file}))
	if err != nil {
		return fmt.Errorf("store: the keyring changed on another server and this one cannot read it: %w", err)
	}
	if err := db.crypt.setKeys(st.active, st.plain); err != nil {
		return err
	}
	db.crypt.bkeys.Store(st.blind)
	ring.stateMu.Lock()
	ring.kek, ring.kekFP, ring.oldKEK, ring.version = kek, fp, st.usePrevious, st.version
	ring.stateMu.Unlock()
	return nil
}

// keyringReadTimeout bounds the read of the keyring that a value naming an
// unknown key id causes (a read transaction of its own).
const keyringReadTimeout = 10 * time.Second

// reloadKeyringForRead is the crypter's reload on a shared engine: it reads
// the keyring in a read transaction of its own and reports whether the keys
// in memory may have changed.
func (db *DB) reloadKeyringForRead() bool {
	ctx, cancel := context.WithTimeout(context.Background(), keyringReadTimeout)
	defer cancel()
	err := db.eng.View(ctx, func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		if kr == nil {
			return nil
		}
		return db.reloadKeyring(kr, false)
	})
	return err == nil
}
