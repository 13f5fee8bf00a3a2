package store

import (
	"sealportal/portal"
	"sealportal/store/kv"
)

// SetCourtBirthDate records on a case the birth date the court found where it
// differs from the identity number (R30; SPC Interpretation of the CPL 2021
// art. 146); a zero date removes it. Only the deciding organ records it (any
// other organ gets the 404 of a case that does not exist); the date may not be
// in the future nor after an act of the case. From then on the rules use it
// (portal.Case.PersonBirthDate). Audited, in one transaction.
func (db *DB) SetCourtBirthDate(caseID uint64, birth portal.Date, st Step) (portal.Case, error) {
	var c portal.Case
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if st.OrganID == 0 || old.DecidingOrganID != st.OrganID || old.Status == "" || old.Status == portal.StatusDraft {
			return portal.NotFound()
		}
		today := portal.DateOf(db.now())
		var fe portal.FieldErrors
		switch {
		case birth.IsZero():
		case birth.After(today):
			fe.Add("court_birth_date", "eligibility.birth_date_future")
		default:
			for _, a := range old.Acts {
				if a.Date.Before(birth) {
					fe.Add("court_birth_date", "law.court_birth_after_act")
					break
				}
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		c = old
		c.CourtBirthDate = birth
		c.UpdatedAt = db.now().UTC()
		if err := db.putCase(tx, old, c); err != nil {
			return err
		}
		detail := "set"
		if birth.IsZero() {
			detail = "removed"
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCourtBirthDate, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: detail, RequestID: st.RequestID})
	})
	return c, err
}
