package store

import (
	"sealportal/portal"
	"sealportal/store/kv"
)

// Drafts are the only records a person may delete: what was never sent is
// nobody's business but its writer's. Anything sent joins a procedure whose
// records are kept (R11: sealed records are kept, not deleted, and do not
// expire). Application drafts are deleted by DeleteDraft (cases.go); relief
// requests and leak reports have theirs here.

// DeleteReliefDraft removes a relief request that was never sent, with its
// files. A request of another account is not found, like one that does not
// exist; a sent one is a conflict and nothing is deleted.
func (db *DB) DeleteReliefDraft(id, account uint64, requestID string) error {
	var objects []string
	err := db.update(func(tx kv.Tx) error {
		objects = objects[:0]
		r, err := db.getRelief(tx, id)
		if err != nil {
			return err
		}
		if r.FiledBy != account {
			return portal.NotFound()
		}
		if r.Status != portal.ReliefDraft || r.Ref != "" {
			return portal.Conflict("mydata.not_deletable")
		}
		for _, d := range r.Documents {
			key, err := reliefFiles.deleteDocument(db, tx, id, d.ID)
			if err != nil {
				return err
			}
			objects = append(objects, key)
		}
		if err := tx.Bucket(bucketReliefByAccount).Delete(append(itob(account), itob(id)...)); err != nil {
			return err
		}
		// A draft has no queue row, reference or messages (putRelief and
		// AddReliefMessage refuse drafts), so the row is all that is left.
		if err := tx.Bucket(bucketRelief).Delete(itob(id)); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditDraftDeleted, ActorID: account, SubjectKind: kindRelief,
			SubjectID: id, RequestID: requestID})
	})
	if err == nil {
		db.dropObjects(objects) // after the commit (documents.go)
	}
	return err
}

// DeleteLeakDraft removes the unsent leak report of the browser holding
// token, with its files (otherwise it would go after LeakDraftTTL). No draft
// for the token is not found. actor is the signed-in account, 0 for none.
func (db *DB) DeleteLeakDraft(token string, actor uint64, requestID string) error {
	var objects []string
	err := db.update(func(tx kv.Tx) error {
		objects = objects[:0]
		r, err := db.leakDraft(tx, token)
		if err != nil {
			return err
		}
		for _, d := range r.Documents {
			key, err := leakFiles.deleteDocument(db, tx, r.ID, d.ID)
			if err != nil {
				return err
			}
			objects = append(objects, key)
		}
		if err := tx.Bucket(bucketLeakDrafts).Delete(db.draftKey(tx, token)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketLeakReports).Delete(itob(r.ID)); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditDraftDeleted, ActorID: actor, SubjectKind: kindLeak,
			SubjectID: r.ID, RequestID: requestID})
	})
	if err == nil {
		db.dropObjects(objects) // after the commit (documents.go)
	}
	return err
}
