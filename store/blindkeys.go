package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Blind-index keys. Every keyed hash (crypter.blind) is an HMAC-SHA-256 under
// a blind key of the keyring. Key 1 is the index_key of the keys file (the
// only one before keys rotated; migration 15 records it); later keys are
// random, wrapped by the KEK like the data keys, and never leave the
// database in clear.
//
//	keyring
//	  "bix" | key id (1 byte)  -> dekRecord {id, state, created, retired, wrapped, previous, keys_file}
//	  "bix_reindex"            -> reindexProgress {key, source, after}   while a re-index runs
//
// A blind key is "active" (every hash written now; exactly one), "retiring"
// (a rotation is re-indexing: lookups of recomputable indexes try it after
// the active key), "kept" (no recomputable index uses it any more; it is kept
// only to check hashes that cannot be recomputed: leak tracking codes,
// recovery codes, certificate verification codes, one-time codes and their
// tokens, leak drafts) or "retired" (its material is deleted; hashes made
// with it no longer match, so those codes stop working).
//
// Recomputable indexes (reindexSources) are keyed hashes of values that the
// store itself holds sealed: a rotation decrypts each source record in
// batches and moves its index entries to the active key, one transaction per
// batch with the progress, so a crash resumes where it stopped. The key id
// of an entry of a recomputable index is therefore known from the progress:
// records up to "after" of the current source use the new key, the rest the
// old one; lookups try both until the re-index ends. Hashes that cannot be
// recomputed are checked against the active key and then every kept key.
const (
	KeyKept KeyState = "kept" // blind keys only: kept to check codes that cannot be re-hashed
)

var keyBlindReindex = []byte("bix_reindex")

func bixKey(id byte) []byte { return []byte{'b', 'i', 'x', id} }

func bixAD(id byte) []byte { return append([]byte("sealportal/bix\x00"), id) }

// blindKey is one blind-index key in memory.
type blindKey struct {
	id  byte
	key []byte
}

// blindSet is the blind keys in memory.
type blindSet struct {
	active   *blindKey
	retiring []*blindKey // a re-index runs: recomputable indexes may still use these
	kept     []*blindKey // retiring and kept: codes made with these still match
}

// lookupKeys are the keys under which a recomputable index may hold an
// entry: the active key first, then the keys a running re-index is leaving.
func (c *crypter) lookupKeys() []*blindKey {
	s := c.bkeys.Load()
	return append([]*blindKey{s.active}, s.retiring...)
}

// anyKeys are the keys a hash that cannot be recomputed may have been made
// with: the active key first, then every kept one.
func (c *crypter) anyKeys() []*blindKey {
	s := c.bkeys.Load()
	return append([]*blindKey{s.active}, s.kept...)
}

// blindLookup is the keyed hash of value under each lookup key (recomputable
// indexes: login, identity numbers, identity documents, co-offender case
// numbers).
func (c *crypter) blindLookup(purpose, value string) [][]byte {
	var out [][]byte
	for _, k := range c.lookupKeys() {
		out = append(out, k.blind(purpose, value))
	}
	return out
}

// blindAny is the keyed hash of value under every key still kept (hashes
// that cannot be recomputed: leak tracking codes, recovery codes, ...).
func (c *crypter) blindAny(purpose, value string) [][]byte {
	var out [][]byte
	for _, k := range c.anyKeys() {
		out = append(out, k.blind(purpose, value))
	}
	return out
}

// blindMatches reports, in constant time per key, whether hash is the keyed
// hash of value under the active key or a kept one (a code made before a
// rotation still works until its key is retired).
func (c *crypter) blindMatches(hash []byte, purpose, value string) bool {
	ok := 0
	for _, h := range c.blindAny(purpose, value) {
		ok |= subtle.ConstantTimeCompare(hash, h)
	}
	return ok == 1
}

// blindFunc computes a keyed hash under one given key.
type blindFunc func(purpose, value string) []byte

// lookupWith computes an index key (made by f from a blindFunc) under each
// lookup key, active first.
func (db *DB) lookupWith(f func(blindFunc) []byte) [][]byte {
	var out [][]byte
	for _, k := range db.crypt.lookupKeys() {
		out = append(out, f(k.blind))
	}
	return out
}

// getBlind reads a recomputable index entry keyed by the hash of value,
// trying each lookup key.
func (db *DB) getBlind(b kv.Bucket, purpose, value string) []byte {
	for _, k := range db.crypt.blindLookup(purpose, value) {
		if v := b.Get(k); v != nil {
			return v
		}
	}
	return nil
}

// getBlindAny reads an entry keyed by the hash of a value that cannot be
// recomputed (a code), trying every kept key.
func (db *DB) getBlindAny(b kv.Bucket, purpose, value string) ([]byte, []byte) {
	for _, k := range db.crypt.blindAny(purpose, value) {
		if v := b.Get(k); v != nil {
			return k, v
		}
	}
	return nil, nil
}

// idsUnder lists the 8-byte ids that follow any of the prefixes in bucket b
// (a recomputable index read under each lookup key), in order, without
// repeats.
func idsUnder(b kv.Bucket, prefixes [][]byte) []uint64 {
	seen := map[uint64]bool{}
	var ids []uint64
	cur := b.Cursor()
	for _, prefix := range prefixes {
		for k, _ := cur.Seek(prefix); k != nil && len(k) == len(prefix)+8 && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			if id := btoi(k[len(prefix):]); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// deleteUnder deletes an index entry made by f under every lookup key (an
// update does not know which key the entry was made with while a re-index
// runs).
func (db *DB) deleteUnder(b kv.Bucket, f func(blindFunc) []byte) error {
	for _, k := range db.lookupWith(f) {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func wrapBlind(kek []byte, id byte, key []byte) ([]byte, error) {
	return wrapUnderKEK(kek, bixAD(id), key)
}

func unwrapBlind(kek []byte, id byte, wrapped []byte) ([]byte, error) {
	return unwrapUnderKEK(kek, bixAD(id), wrapped)
}

func readBlindKeys(kr kv.Bucket) ([]dekRecord, error) {
	var out []dekRecord
	c := kr.Cursor()
	prefix := []byte("bix")
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != 4 {
			continue // bix_reindex
		}
		var r dekRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("store: keyring: decode blind key %x: %w", k[3:], err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func putBlindKey(kr kv.Bucket, r dekRecord) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := bumpKeyringVersion(kr); err != nil { // keyring_shared.go
		return err
	}
	return kr.Put(bixKey(r.ID), raw)
}

// migrateBlindKeys is migration 15: the index key of the keys file becomes
// blind key 1, active. Nothing else is rewritten: every existing hash was
// made with it.
func migrateBlindKeys(tx kv.Tx) error {
	kr, err := tx.CreateBucketIfNotExists(bucketKeyring)
	if err != nil {
		return err
	}
	if kr.Get(bixKey(1)) != nil {
		return nil
	}
	created := time.Now().UTC()
	if in, ok := migrationKeys.Load(tx); ok {
		created = in.(migrationInput).now.UTC()
	}
	return putBlindKey(kr, dekRecord{ID: 1, State: KeyActive, Created: created, KeysFile: true})
}

// loadBlindKeys reads the blind keys with the KEK (or the previous KEK's
// wraps, usePrevious) into a blindSet. A keyring without blind keys (a
// database migrated by a test without keys) has the keys file's key only.
func loadBlindKeys(kr kv.Bucket, keys Keys, usePrevious bool) (*blindSet, error) {
	recs, err := readBlindKeys(kr)
	if err != nil {
		return nil, err
	}
	set := &blindSet{}
	if len(recs) == 0 {
		set.active = &blindKey{id: 1, key: append([]byte(nil), keys.Index...)}
		return set, nil
	}
	for _, r := range recs {
		if r.State == KeyRetired {
			continue
		}
		var material []byte
		if r.KeysFile {
			material = append([]byte(nil), keys.Index...)
		} else {
			wrapped := r.Wrapped
			if usePrevious {
				wrapped = r.Previous
			}
			if material, err = unwrapBlind(keys.KEK, r.ID, wrapped); err != nil {
				return nil, fmt.Errorf("%w: blind key %d does not unwrap: %v", ErrWrongKEK, r.ID, err)
			}
		}
		k := &blindKey{id: r.ID, key: material}
		switch r.State {
		case KeyActive:
			if set.active != nil {
				return nil, fmt.Errorf("store: keyring: blind keys %d and %d are both active", set.active.id, r.ID)
			}
			set.active = k
		case KeyRetiring:
			set.retiring = append(set.retiring, k)
			set.kept = append(set.kept, k)
		case KeyKept:
			set.kept = append(set.kept, k)
		}
	}
	if set.active == nil {
		return nil, errors.New("store: keyring: no active blind key")
	}
	return set, nil
}

// rewrapBlindKeys wraps the blind keys under newKEK, keeping the current
// wraps as previous (RotateKEK).
func rewrapBlindKeys(kr kv.Bucket, kek, newKEK []byte) (int, error) {
	recs, err := readBlindKeys(kr)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range recs {
		if len(r.Wrapped) == 0 {
			continue
		}
		key, err := unwrapBlind(kek, r.ID, r.Wrapped)
		if err != nil {
			return n, fmt.Errorf("store: rotate kek: unwrap blind key %d: %w", r.ID, err)
		}
		r.Previous = r.Wrapped
		if r.Wrapped, err = wrapBlind(newKEK, r.ID, key); err != nil {
			return n, err
		}
		if err := putBlindKey(kr, r); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// forgetPreviousBlindWraps deletes the wraps under the previous KEK once the
// new one is confirmed.
func forgetPreviousBlindWraps(kr kv.Bucket) error {
	recs, err := readBlindKeys(kr)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Previous != nil {
			r.Previous = nil
			if err := putBlindKey(kr, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// reindexSource is a bucket of records whose blind-index entries can be
// recomputed from what the record holds sealed.
type reindexSource struct {
	name    string
	bucket  []byte
	entries func(db *DB, tx kv.Tx, id uint64, raw []byte, bl blindFunc) ([]blindEntry, error)
}

// blindEntry is one index entry: the bucket and the key under one blind key.
type blindEntry struct {
	bucket []byte
	key    []byte
}

// reindexSources are every recomputable blind index, by the records that
// hold the values.
var reindexSources = []reindexSource{
	{"accounts", bucketAccounts, func(db *DB, tx kv.Tx, id uint64, _ []byte, bl blindFunc) ([]blindEntry, error) {
		a, err := db.getAccount(tx, id)
		if err != nil {
			return nil, err
		}
		out := []blindEntry{{bucketAccountsByLogin, bl("login", a.Login)}}
		if a.IDNumber != "" {
			out = append(out, blindEntry{bucketAccountsByIDNum, append(accountPersonKeyWith(bl, a), itob(id)...)})
		}
		return out, nil
	}},
	{"cases", bucketCases, func(db *DB, tx kv.Tx, id uint64, _ []byte, bl blindFunc) ([]blindEntry, error) {
		c, err := db.getCase(tx, id)
		if err != nil {
			return nil, err
		}
		var out []blindEntry
		if c.PersonIDNumber != "" {
			out = append(out, blindEntry{bucketCasesByPerson, append(casePersonKeyWith(bl, c), itob(id)...)})
		}
		for _, n := range c.CoOffenderCases {
			out = append(out, blindEntry{bucketCoOffenderCases, coOffenderKeyWith(bl, n, id)})
		}
		for _, k := range workbenchEntries(bl, c) { // issue 18: names and organ case numbers
			out = append(out, blindEntry{bucketWorkbenchSearch, k})
		}
		return out, nil
	}},
	{"certificates", bucketCertificates, func(db *DB, tx kv.Tx, id uint64, _ []byte, bl blindFunc) ([]blindEntry, error) {
		c, err := db.getCertificate(tx, id)
		if err != nil {
			return nil, err
		}
		return []blindEntry{{bucketCertByPerson, append(certHolderKeyWith(bl, c), itob(id)...)}}, nil
	}},
	{"sealed_info_marks", bucketSealedInfoMarks, func(_ *DB, _ kv.Tx, id uint64, raw []byte, bl blindFunc) ([]blindEntry, error) {
		var m portal.SealedInfoMark
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("store: decode sealed information mark %d: %w", id, err)
		}
		return []blindEntry{{bucketSealedInfoByNumber, append(bl("cooffender", m.CaseNumber), itob(id)...)}}, nil
	}},
}

// reindexProgress is where a re-index is: the new key, the source being
// walked and the last record id done in it.
type reindexProgress struct {
	Key    byte   `json:"key"`
	Source int    `json:"source"`
	After  uint64 `json:"after"`
}

// BlindKeyInfo describes a blind key without its material.
type BlindKeyInfo struct {
	ID       byte
	State    KeyState
	Created  time.Time
	Retired  time.Time
	KeysFile bool // the material is the index_key of the keys file
	// Codes counts the codes that cannot be re-hashed and were made with
	// this key: leak tracking codes, certificate verification codes and
	// accounts' sets of unused recovery codes (one-time codes and leak
	// drafts, which expire within a day, are not counted).
	Codes int
}

// blindCodeUse counts, by blind key id, the long-lived codes each key made
// (the key id stored with each: the byte after the record id in
// leak_by_code and certificates_by_code, RecoveryKey of a TOTP record; a
// value written before blind keys rotated has none and is key 1's).
func blindCodeUse(tx kv.Tx) (map[byte]int, error) {
	use := map[byte]int{}
	for _, name := range [][]byte{bucketLeakByCode, bucketCertByCode} {
		b := tx.Bucket(name)
		if b == nil {
			continue
		}
		if err := b.ForEach(func(_, v []byte) error {
			if len(v) == 9 {
				use[v[8]]++
			} else {
				use[1]++
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if b := tx.Bucket(bucketTOTP); b != nil {
		if err := b.ForEach(func(k, v []byte) error {
			var r totpRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("store: decode totp %x: %w", k, err)
			}
			if len(r.Recovery) > 0 {
				use[max(r.RecoveryKey, 1)]++
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return use, nil
}

// BlindKeys lists the blind-index keys, oldest first.
func (db *DB) BlindKeys() ([]BlindKeyInfo, error) {
	var out []BlindKeyInfo
	err := db.view(func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		if kr == nil {
			return nil
		}
		recs, err := readBlindKeys(kr)
		if err != nil {
			return err
		}
		use, err := blindCodeUse(tx)
		for _, r := range recs {
			out = append(out, BlindKeyInfo{ID: r.ID, State: r.State, Created: r.Created, Retired: r.Retired, KeysFile: r.KeysFile, Codes: use[r.ID]})
		}
		return err
	})
	return out, err
}

// BlindRotateOptions tune RotateBlindKey.
type BlindRotateOptions struct {
	BatchRecords int                     // source records re-indexed per transaction (default 500)
	Pause        time.Duration           // pause between batches, to leave the disk to requests
	Progress     func(BlindRotateReport) // called after each batch
	stopAfter    int                     // tests: stop after this many batches, as a crash would
}

// BlindRotateReport says what a blind-key rotation did.
type BlindRotateReport struct {
	NewKey    byte
	OldKeys   []byte // the keys the re-index left (now kept for codes only)
	Resumed   bool   // an interrupted re-index was continued
	Records   int    // source records re-indexed by this run
	Entries   int    // index entries moved to the new key by this run
	Completed bool
}

var errReindexStopped = errors.New("store: re-index stopped (test)")

// RotateBlindKey makes a new random blind key active and re-indexes every
// recomputable index under it, in batches; an interrupted run (crash,
// cancel) is continued by the next call instead of starting another key.
// When the re-index completes, the old keys become "kept": no index uses
// them, and they only check codes made before the rotation (RetireBlindKey
// deletes them). Audited with key ids only.
func (db *DB) RotateBlindKey(ctx context.Context, opt BlindRotateOptions) (BlindRotateReport, error) {
	var rep BlindRotateReport
	if opt.BatchRecords <= 0 {
		opt.BatchRecords = 500
	}
	ring := db.ring
	if !ring.mu.TryLock() {
		return rep, ErrRotationBusy
	}
	defer ring.mu.Unlock()
	kek, _, old := ring.current()
	if old {
		return rep, errors.New("store: this process runs with the previous KEK of an unconfirmed KEK rotation; start it with the new KEK first")
	}
	var prog reindexProgress
	var newKey []byte
	err := db.update(func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		if raw := kr.Get(keyBlindReindex); raw != nil {
			rep.Resumed = true
			return json.Unmarshal(raw, &prog)
		}
		recs, err := readBlindKeys(kr)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return errors.New("store: keyring has no blind keys (schema older than 14?)")
		}
		last := 0
		for _, r := range recs {
			last = max(last, int(r.ID))
		}
		if last >= 255 {
			return errors.New("store: keyring: all 255 blind key ids are used")
		}
		id := byte(last + 1)
		newKey = make([]byte, 32)
		if _, err := rand.Read(newKey); err != nil {
			return err
		}
		wrapped, err := wrapBlind(kek, id, newKey)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.State == KeyActive {
				r.State = KeyRetiring
				if err := putBlindKey(kr, r); err != nil {
					return err
				}
			}
		}
		if err := putBlindKey(kr, dekRecord{ID: id, State: KeyActive, Created: db.now().UTC(), Wrapped: wrapped}); err != nil {
			return err
		}
		prog = reindexProgress{Key: id}
		if err := putJSON(kr, keyBlindReindex, prog); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditKeyActivated, SubjectKind: "blind_key", SubjectID: uint64(id)})
	})
	if err != nil {
		return rep, err
	}
	rep.NewKey = prog.Key
	if err := db.reloadBlindKeys(kek); err != nil {
		return rep, err
	}
	batches := 0
	for prog.Source < len(reindexSources) {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if opt.stopAfter > 0 && batches >= opt.stopAfter {
			return rep, errReindexStopped
		}
		if err := db.reindexBatch(&prog, opt.BatchRecords, &rep); err != nil {
			return rep, err
		}
		batches++
		if opt.Progress != nil {
			opt.Progress(rep)
		}
		if opt.Pause > 0 {
			select {
			case <-ctx.Done():
				return rep, ctx.Err()
			case <-time.After(opt.Pause):
			}
		}
	}
	// Every recomputable entry is under the new key: the old keys only check
	// codes from now on.
	err = db.update(func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		recs, err := readBlindKeys(kr)
		if err != nil {
			return err
		}
		rep.OldKeys = nil
		for _, r := range recs {
			if r.State != KeyRetiring {
				continue
			}
			r.State = KeyKept
			if err := putBlindKey(kr, r); err != nil {
				return err
			}
			rep.OldKeys = append(rep.OldKeys, r.ID)
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditKeyRetired, SubjectKind: "blind_key", SubjectID: uint64(r.ID), Detail: "reindexed; kept for codes"}); err != nil {
				return err
			}
		}
		return kr.Delete(keyBlindReindex)
	})
	if err != nil {
		return rep, err
	}
	rep.Completed = true
	return rep, db.reloadBlindKeys(kek)
}

func putJSON(b kv.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// reloadBlindKeys reads the blind keys of the keyring into the crypter.
func (db *DB) reloadBlindKeys(kek []byte) error {
	return db.view(func(tx kv.Tx) error {
		set, err := loadBlindKeys(tx.Bucket(bucketKeyring), Keys{KEK: kek, Index: db.crypt.keysFileIndex()}, false)
		if err != nil {
			return err
		}
		db.crypt.bkeys.Store(set)
		return nil
	})
}

// keysFileIndex is the material of blind key 1 (the keys file's index_key),
// kept in memory from Open.
func (c *crypter) keysFileIndex() []byte { return c.indexFromFile }

// reindexBatch moves the index entries of up to n source records to the
// active key, with the progress, in one transaction.
func (db *DB) reindexBatch(prog *reindexProgress, n int, rep *BlindRotateReport) error {
	set := db.crypt.bkeys.Load()
	if set.active.id != prog.Key {
		return fmt.Errorf("store: re-index to blind key %d, but key %d is active", prog.Key, set.active.id)
	}
	next := *prog
	records, entries := 0, 0
	err := db.update(func(tx kv.Tx) error {
		next = *prog
		records, entries = 0, 0
		src := reindexSources[next.Source]
		b := tx.Bucket(src.bucket)
		if b == nil {
			next.Source, next.After = next.Source+1, 0
			return putJSON(tx.Bucket(bucketKeyring), keyBlindReindex, next)
		}
		cur := b.Cursor()
		var k, v []byte
		if next.After == 0 {
			k, v = cur.First()
		} else if k, v = cur.Seek(itob(next.After)); k != nil && btoi(k) == next.After {
			k, v = cur.Next()
		}
		// Collect first: the index buckets change under the walk.
		type rec struct {
			id  uint64
			raw []byte
		}
		var batch []rec
		for ; k != nil && len(batch) < n; k, v = cur.Next() {
			if len(k) != 8 || v == nil {
				continue
			}
			batch = append(batch, rec{btoi(k), append([]byte(nil), v...)})
		}
		for _, r := range batch {
			newEntries, err := src.entries(db, tx, r.id, r.raw, set.active.blind)
			if err != nil {
				return err
			}
			for _, old := range set.retiring {
				oldEntries, err := src.entries(db, tx, r.id, r.raw, old.blind)
				if err != nil {
					return err
				}
				for i, e := range oldEntries {
					ib := tx.Bucket(e.bucket)
					if ib == nil {
						continue
					}
					val := ib.Get(e.key)
					if val == nil {
						continue
					}
					val = append([]byte(nil), val...)
					if err := ib.Delete(e.key); err != nil {
						return err
					}
					if err := ib.Put(newEntries[i].key, val); err != nil {
						return err
					}
					entries++
				}
			}
			records++
			next.After = r.id
		}
		if len(batch) < n {
			next.Source, next.After = next.Source+1, 0
		}
		return putJSON(tx.Bucket(bucketKeyring), keyBlindReindex, next)
	})
	if err != nil {
		return err
	}
	*prog = next
	rep.Records += records
	rep.Entries += entries
	return nil
}

// RetireBlindKey deletes a kept blind key: codes made with it (leak tracking
// codes, recovery codes, certificate verification codes, one-time codes)
// stop working. The operator chooses when, once those have expired, been
// used or been replaced (README, Security). Key 1's material is the keys
// file's index_key; retiring it stops its use (the file may then drop it only
// once a later version stops requiring the field). Audited.
func (db *DB) RetireBlindKey(id byte) error {
	ring := db.ring
	if !ring.mu.TryLock() {
		return ErrRotationBusy
	}
	defer ring.mu.Unlock()
	kek, _, old := ring.current()
	if old {
		return errors.New("store: this process runs with the previous KEK of an unconfirmed KEK rotation; start it with the new KEK first")
	}
	err := db.update(func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		raw := kr.Get(bixKey(id))
		if raw == nil {
			return fmt.Errorf("store: no blind key %d", id)
		}
		var r dekRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		if r.State != KeyKept {
			return fmt.Errorf("store: blind key %d is %s; only a kept key (its re-index done) can be retired", id, r.State)
		}
		r.State, r.Retired, r.Wrapped, r.Previous = KeyRetired, db.now().UTC(), nil, nil
		if err := putBlindKey(kr, r); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditKeyRetired, SubjectKind: "blind_key", SubjectID: uint64(id), Detail: "codes no longer checked"})
	})
	if err != nil {
		return err
	}
	return db.reloadBlindKeys(kek)
}
