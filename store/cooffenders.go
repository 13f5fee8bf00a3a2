package store

import (
	"strconv"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Co-offenders (R20, R22). A sealing case lists the case numbers of the
// adults who offended with the minor; the index below lets staff who hold
// only an adult's case learn that its file "contains sealed-record
// information" without learning anything about the minor.
//
//	cooffender_cases   HMAC("cooffender", normalised case number) | itob(case id) -> ""
//
// The index holds keyed hashes, so the file does not link case numbers to
// sealed cases in clear. Several minors' cases may name the same adult case.

var bucketCoOffenderCases = []byte("cooffender_cases")

func (db *DB) coOffenderKey(number string, caseID uint64) []byte {
	return coOffenderKeyWith(db.crypt.blind, number, caseID)
}

// coOffenderKeyWith is coOffenderKey under a given blind key.
func coOffenderKeyWith(bl blindFunc, number string, caseID uint64) []byte {
	return append(bl("cooffender", number), itob(caseID)...)
}

// SetCoOffenders replaces the adult co-offenders' case numbers listed on a
// case, for the deciding organ (st names the official), with the index, in
// one transaction. Numbers are normalised (portal.NormalizeCaseNumber).
func (db *DB) SetCoOffenders(caseID uint64, numbers []string, st Step) (portal.Case, error) {
	var c portal.Case
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if st.OrganID == 0 || old.DecidingOrganID != st.OrganID || old.Status == "" || old.Status == portal.StatusDraft {
			return portal.NotFound()
		}
		var clean []string
		for _, n := range numbers {
			norm, ok := portal.NormalizeCaseNumber(n)
			if !ok {
				return &portal.Error{Code: portal.CodeInvalid, Key: "cooff.number_invalid", Fields: map[string]string{"numbers": "cooff.number_invalid"}}
			}
			if !coOffenderContains(clean, norm) {
				clean = append(clean, norm)
			}
		}
		if len(clean) > portal.MaxCoOffenderCases {
			return &portal.Error{Code: portal.CodeInvalid, Key: "cooff.too_many", Fields: map[string]string{"numbers": "cooff.too_many"}}
		}
		idx := tx.Bucket(bucketCoOffenderCases)
		for _, n := range old.CoOffenderCases {
			if err := db.deleteUnder(idx, func(bl blindFunc) []byte { return coOffenderKeyWith(bl, n, caseID) }); err != nil {
				return err
			}
		}
		for _, n := range clean {
			if err := idx.Put(db.coOffenderKey(n, caseID), nil); err != nil {
				return err
			}
		}
		c = old
		c.CoOffenderCases = clean
		c.UpdatedAt = db.now().UTC()
		if err := db.putCase(tx, old, c); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCoOffendersSet, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: strconv.Itoa(len(clean)), RequestID: st.RequestID})
	})
	return c, err
}

func coOffenderContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// CoOffenderMarked reports whether an adult's case number is listed on a
// case whose record is sealed (R20), or a case number was marked by its
// judicial organ as using sealed information (R21): the only answer the
// lookup gives. The
// matching case is never returned, so no caller can learn the minor's identity
// or case from it (R22). The lookup is written to the audit log.
func (db *DB) CoOffenderMarked(number string, reader portal.Account, requestID string) (bool, error) {
	norm, ok := portal.NormalizeCaseNumber(number)
	if !ok {
		return false, &portal.Error{Code: portal.CodeInvalid, Key: "cooff.number_invalid", Fields: map[string]string{"number": "cooff.number_invalid"}}
	}
	marked := false
	err := db.update(func(tx kv.Tx) error {
		if err := ensureCertificateBuckets(tx); err != nil {
			return err
		}
		for _, id := range idsUnder(tx.Bucket(bucketCoOffenderCases), db.crypt.blindLookup("cooffender", norm)) {
			c, err := db.getCase(tx, id)
			if err != nil {
				return err
			}
			if c.Status.RecordSealed() {
				marked = true
				break
			}
		}
		// R21: a case marked by its judicial organ as using sealed
		// information answers the same.
		marked = marked || db.sealedInfoMarked(tx, norm)
		detail := "not_marked"
		if marked {
			detail = "marked"
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCoOffenderLookup, ActorID: reader.ID, ActorRole: reader.Role,
			Detail: detail, RequestID: requestID})
	})
	return marked, err
}
