package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sealportal/store/kv"
)

// migrationCodecName names the migration to the envelope and the case's
// binary form (codec.go, casecodec.go); tests find it by name.
const migrationCodecName = "sealed records in the binary envelope, cases in their compact binary form (issue 19); rewritten in batches by Open"

// keyCodecRewrite is the meta key of the rewrite's progress: the bucket and
// the last key done ("bucket" 0x00 key), empty before the first batch. Its
// absence means nothing is left to rewrite.
var keyCodecRewrite = []byte("codec_rewrite_after")

// codecRewriteBatch and codecRewriteBatchBytes bound one write transaction of the rewrite: values
// looked at and bytes written, as a key rotation does.
const (
	codecRewriteBatch      = 1000
	codecRewriteBatchBytes = 4 << 20
)

// migrateCodec asks Open for the rewrite: re-encoding a case needs the data
// keys, which the keyring opens after the migrations, and a million records
// do not belong in one transaction.
func migrateCodec(tx kv.Tx) error {
	return tx.Bucket(bucketMeta).Put(keyCodecRewrite, []byte{})
}

// rewriteLegacyRecords rewrites, in transactions of at most codecRewriteBatch
// values, every sealed value still in the JSON wrapper of before: a case
// decrypted and sealed again in its binary form under the active key (same
// contents, so no index changes), any other record's ciphertext moved as it
// is into the envelope (no decryption); and every case summary whose
// plaintext is JSON, sealed again in its binary form. It resumes from its mark after a
// crash and ends by deleting it. Readers take both forms throughout.
// batch is the values per transaction; stopAfter > 0 (tests) stops after
// that many transactions, as a crash would.
func (db *DB) rewriteLegacyRecords(batch, stopAfter int) error {
	for n := 0; stopAfter <= 0 || n < stopAfter; n++ {
		done := false
		err := db.update(func(tx kv.Tx) error {
			meta := tx.Bucket(bucketMeta)
			mark := meta.Get(keyCodecRewrite)
			if mark == nil {
				done = true
				return nil
			}
			next, err := db.rewriteBatch(tx, mark, batch)
			if err != nil {
				return err
			}
			if next == nil {
				done = true
				return meta.Delete(keyCodecRewrite)
			}
			return meta.Put(keyCodecRewrite, next)
		})
		if err != nil {
			return fmt.Errorf("store: codec rewrite: %w", err)
		}
		if done {
			return nil
		}
	}
	return nil
}

// rewriteBatch rewrites up to one batch from after the mark and returns the
// next mark, nil when every bucket is done.
func (db *DB) rewriteBatch(tx kv.Tx, mark []byte, batch int) ([]byte, error) {
	bucketName, after, _ := bytes.Cut(mark, []byte{0})
	started := len(bucketName) == 0
	values, size := 0, 0
	for i := range sealedBuckets {
		sb := &sealedBuckets[i]
		if !sb.isEnvelope() && sb.kind != kindCaseSummary {
			continue
		}
		if !started {
			if !bytes.Equal(sb.bucket, bucketName) {
				continue
			}
			started = true
		} else {
			after = nil
		}
		b := tx.Bucket(sb.bucket)
		if b == nil {
			continue
		}
		type put struct{ k, v []byte }
		var puts []put
		c := b.Cursor()
		k, v := c.First()
		if after != nil {
			if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		for ; k != nil; k, v = c.Next() {
			if v == nil {
				continue // a nested bucket
			}
			values++
			var nv []byte
			var err error
			switch {
			case sb.kind == kindCaseSummary:
				nv, err = db.reencodeSummary(k, v)
			case isLegacyWrapper(v):
				nv, err = db.reencode(sb, k, v)
			}
			if err != nil {
				return nil, fmt.Errorf("bucket %s key %x: %w", sb.bucket, k, err)
			}
			if nv != nil {
				puts = append(puts, put{copyBytes(k), nv})
				size += len(nv)
			}
			if values >= batch || size >= codecRewriteBatchBytes {
				break
			}
		}
		for _, p := range puts {
			if err := b.Put(p.k, p.v); err != nil {
				return nil, err
			}
		}
		if k != nil {
			return append(append(append([]byte(nil), sb.bucket...), 0), k...), nil
		}
	}
	return nil, nil
}

// reencode is a legacy value in the envelope: a case in its binary form,
// anything else with its ciphertext unchanged.
func (db *DB) reencode(sb *sealedBucket, k, v []byte) ([]byte, error) {
	if sb.kind == kindCase {
		if len(k) != 8 {
			return nil, errCodec
		}
		c, err := db.decodeCase(btoi(k), v)
		if err != nil {
			return nil, err
		}
		return db.encodeCase(c)
	}
	var rec sealedRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, err
	}
	if len(rec.Body) == 0 {
		return nil, errCodec
	}
	return append([]byte{envelopeV1}, rec.Body...), nil
}

// reencodeSummary is a case summary of before (bare ciphertext of JSON) in
// the binary form, or nil when it already is.
func (db *DB) reencodeSummary(k, v []byte) ([]byte, error) {
	if len(k) != 8 {
		return nil, errCodec
	}
	id := btoi(k)
	body, err := db.crypt.open(kindCaseSummary, id, "summary", v)
	if err != nil {
		return nil, err
	}
	defer clear(body)
	if len(body) > 0 && body[0] == bodyBinaryV1 {
		return nil, nil
	}
	var s caseSummary
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, err
	}
	return db.crypt.seal(kindCaseSummary, id, "summary", s.appendBinary([]byte{bodyBinaryV1})), nil
}
