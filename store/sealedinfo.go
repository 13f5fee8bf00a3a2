package store

import (
	"bytes"
	"encoding/json"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Other cases that use sealed information (R21). A marking names a judicial
// organ's own case number and kind, nothing of the sealed record; the
// lookup of the co-offender marking (R20) answers for it too.
//
//	sealed_info_marks      itob(id) -> JSON of portal.SealedInfoMark (organ's case number and kind, organ, date)
//	sealed_info_by_number  HMAC("cooffender", normalised case number) | itob(id) -> ""
//	sealed_info_by_organ   itob(organ id) | itob(id) -> ""

var (
	bucketSealedInfoMarks    = []byte("sealed_info_marks")
	bucketSealedInfoByNumber = []byte("sealed_info_by_number")
	bucketSealedInfoByOrgan  = []byte("sealed_info_by_organ")
)

// MarkSealedInfoCase records that one of the official's organ's cases uses
// sealed information (R21), in one transaction with its indexes and the audit
// entry. Marking the same case number twice is a conflict.
func (db *DB) MarkSealedInfoCase(m portal.SealedInfoMark, official portal.Account, requestID string) (portal.SealedInfoMark, error) {
	err := db.update(func(tx kv.Tx) error {
		if err := m.Validate(official.Role); err != nil {
			return err
		}
		if official.OrganID == 0 {
			return portal.Forbidden("error.forbidden")
		}
		for _, b := range [][]byte{bucketSealedInfoMarks, bucketSealedInfoByNumber, bucketSealedInfoByOrgan} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		prefix := db.crypt.blind("cooffender", m.CaseNumber)
		for _, otherID := range idsUnder(tx.Bucket(bucketSealedInfoByNumber), db.crypt.blindLookup("cooffender", m.CaseNumber)) {
			var other portal.SealedInfoMark
			if err := json.Unmarshal(tx.Bucket(bucketSealedInfoMarks).Get(itob(otherID)), &other); err != nil {
				return err
			}
			if other.OrganID == official.OrganID {
				return &portal.Error{Code: portal.CodeConflict, Key: "sealedinfo.already_marked",
					Fields: map[string]string{"case_number": "sealedinfo.already_marked"}}
			}
		}
		id, err := tx.Bucket(bucketSealedInfoMarks).NextSequence()
		if err != nil {
			return err
		}
		m.ID, m.OrganID, m.MarkedBy, m.MarkedAt = id, official.OrganID, official.ID, db.now().UTC()
		raw, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketSealedInfoMarks).Put(itob(id), raw); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSealedInfoByNumber).Put(append(prefix, itob(id)...), nil); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSealedInfoByOrgan).Put(append(itob(official.OrganID), itob(id)...), nil); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditSealedInfoMarked, ActorID: official.ID, ActorRole: official.Role,
			SubjectKind: "sealed_info", SubjectID: id, Detail: string(m.Kind), RequestID: requestID})
	})
	return m, err
}

// SealedInfoMarksOfOrgan lists an organ's markings, oldest first.
func (db *DB) SealedInfoMarksOfOrgan(organ uint64) ([]portal.SealedInfoMark, error) {
	var out []portal.SealedInfoMark
	err := db.view(func(tx kv.Tx) error {
		idx := tx.Bucket(bucketSealedInfoByOrgan)
		if idx == nil || organ == 0 {
			return nil
		}
		prefix := itob(organ)
		cur := idx.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			var m portal.SealedInfoMark
			if err := json.Unmarshal(tx.Bucket(bucketSealedInfoMarks).Get(k[8:]), &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// sealedInfoMarked reports whether a normalised case number carries an R21
// marking (inside the lookup's transaction).
func (db *DB) sealedInfoMarked(tx kv.Tx, norm string) bool {
	b := tx.Bucket(bucketSealedInfoByNumber)
	if b == nil {
		return false
	}
	return len(idsUnder(b, db.crypt.blindLookup("cooffender", norm))) > 0
}
