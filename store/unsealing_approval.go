package store

import (
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Two-step unsealing (issue 18, R18; portal/unsealing_approval.go).
//
//	unsealing_open   itob(case id) -> itob(unsealing id)   (unsealings waiting for approval or for the
//	                 holders' confirmations: the supervisor's list; plain ids, no personal data)
//
// An event the rules (or the supervisor) say unseals is recorded and waits
// for a second official of the deciding organ; on approval the case is
// unsealed, the unsealing decision is issued in the same transaction and
// sent to every holding organ, served on the person and the guardian as the
// sealing notice was, and each holding organ confirms it lifted the seal on
// its files (an ordinary step of the procedure, ActionConfirmUnsealed).

var bucketUnsealingOpen = []byte("unsealing_open")

// migrationUnsealingOpenName names the migration that adds the index of the
// open unsealings; tests find it by name, since the integrator may renumber
// it. Records written before it follow the one-step procedure they were
// decided under (portal.UnsealingRecord.TwoStep is false), and none of them
// waits for an approval, so nothing is back-filled.
const migrationUnsealingOpenName = "two-step unsealing: the index of unsealings waiting for approval or holders' confirmations (issue 18)"

func migrateUnsealingOpen(tx kv.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketUnsealingOpen)
	return err
}

// putUnsealingOpen lists the case's unsealing as open.
func putUnsealingOpen(tx kv.Tx, caseID, unsealingID uint64) error {
	b, err := tx.CreateBucketIfNotExists(bucketUnsealingOpen)
	if err != nil {
		return err
	}
	return b.Put(itob(caseID), itob(unsealingID))
}

// deleteUnsealingOpen takes the case off the open list (rejected, or every
// holder confirmed).
func deleteUnsealingOpen(tx kv.Tx, caseID uint64) error {
	if b := tx.Bucket(bucketUnsealingOpen); b != nil {
		return b.Delete(itob(caseID))
	}
	return nil
}

// openUnsealing is the unsealing of the case on the open list.
func (db *DB) openUnsealing(tx kv.Tx, caseID uint64) (portal.UnsealingRecord, bool, error) {
	b := tx.Bucket(bucketUnsealingOpen)
	if b == nil {
		return portal.UnsealingRecord{}, false, nil
	}
	v := b.Get(itob(caseID))
	if v == nil {
		return portal.UnsealingRecord{}, false, nil
	}
	r, err := db.getUnsealing(tx, btoi(v))
	return r, err == nil, err
}

// UnsealingDecision is the second official's decision with the provisions
// of law its document cites (chosen from the citation table; empty takes the
// citations of the rules that decided).
type UnsealingDecision struct {
	Approval  portal.UnsealingApproval
	Citations []string
}

// DecideUnsealingApproval records the second official's decision on the
// unsealing waiting on a case, in one transaction (issue 18):
//   - only an official of the deciding organ other than the one who recorded
//     it (portal.MayApproveUnsealing: another organ's official gets not
//     found, the recorder forbidden);
//   - approved, the record is unsealed (StatusUnsealing), the unsealing
//     decision is issued in the organ's name, served on the person and the
//     guardian and sent to every holding organ, and each holding organ owes
//     its confirmation (none held: the unsealing is over at once);
//   - rejected, with reasons, the record stays sealed and the case returns
//     to where it was (completed again when every holder had confirmed the
//     sealing, R12, or sealing with its former deadline).
func (db *DB) DecideUnsealingApproval(caseID uint64, d UnsealingDecision, st Step, cal *portal.Calendar) (portal.UnsealingRecord, portal.Case, error) {
	var r portal.UnsealingRecord
	var c portal.Case
	a := d.Approval
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if err := portal.MayApproveUnsealing(old, st.AccountID, st.OrganID); err != nil {
			return err
		}
		a.Reasons = strings.TrimSpace(a.Reasons)
		if err := a.Validate(); err != nil {
			return err
		}
		var ok bool
		if r, ok, err = db.openUnsealing(tx, caseID); err != nil {
			return err
		}
		if !ok || !r.AwaitsApproval() {
			return portal.Conflict("unseal.no_approval")
		}
		action, _ := a.Verdict.Action()
		if action == portal.ActionUnseal {
			if len(d.Citations) == 0 {
				for _, ct := range portal.CitationsForRules(r.Decision.Rules) {
					d.Citations = append(d.Citations, ct.ID)
				}
			}
			// The document's own checks first, so that a bad citation is
			// reported on the form before anything changes.
			if err := (portal.LegalDocFacts{Kind: portal.DocUnsealingDecision, Citations: d.Citations}).Validate(); err != nil {
				return err
			}
		}
		today := portal.DateOf(db.now())
		note := a.Reasons
		if note == "" {
			note = r.LegalBasis
		}
		st.Action, st.Actor, st.Rules, st.Note = action, portal.ActorApprover, r.Decision.Rules, note
		if c, err = db.applyStep(tx, old, st, cal, today); err != nil {
			return err
		}
		switch action {
		case portal.ActionUnseal:
			organ, err := db.legalOrganTx(tx, st.OrganID)
			if err != nil {
				return err
			}
			reasons := r.LegalBasis
			if a.Reasons != "" {
				reasons += "\n" + a.Reasons
			}
			f, err := db.legalCaseDocFacts(tx, c, organ, DocIssue{Kind: portal.DocUnsealingDecision, Citations: d.Citations, Reasons: reasons})
			if err != nil {
				return err
			}
			if _, err := db.legalIssueTx(tx, f, c.ID, 0, st); err != nil {
				return err
			}
			if len(c.PendingUnsealHolders()) == 0 {
				if c, err = db.applyStep(tx, c, Step{Action: portal.ActionCompleteUnsealing, Actor: portal.ActorSystem, Rules: []string{"R18"}}, cal, today); err != nil {
					return err
				}
			}
		case portal.ActionRejectUnsealing:
			if c, err = db.restoreSealing(tx, c, r, cal, today); err != nil {
				return err
			}
			if err := deleteUnsealingOpen(tx, caseID); err != nil {
				return err
			}
		}
		a.By, a.At = st.AccountID, db.now().UTC()
		r.Approval = &a
		if err := db.putUnsealing(tx, r); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditUnsealingApproved, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: string(a.Verdict), RequestID: st.RequestID})
	})
	return r, c, err
}

// restoreSealing puts a case whose unsealing was refused back where it was
// before the event: completed at once when every holding organ had
// confirmed the sealing (R12), or sealing with its former deadline.
func (db *DB) restoreSealing(tx kv.Tx, c portal.Case, r portal.UnsealingRecord, cal *portal.Calendar, today portal.Date) (portal.Case, error) {
	if len(c.PendingHolders()) == 0 {
		return db.applyStep(tx, c, Step{Action: portal.ActionComplete, Actor: portal.ActorSystem, Rules: []string{"R12"}}, cal, today)
	}
	if c.Due == r.PriorDue && c.DueAwaitsCalendar == r.PriorAwaitsCalendar {
		return c, nil
	}
	prev := c
	c.Due = r.PriorDue
	c.DueAwaitsCalendar, c.DueFrom, c.DueDeadline = r.PriorAwaitsCalendar, r.PriorDueFrom, r.PriorDueDeadline
	return c, db.putCase(tx, prev, c)
}

// confirmUnsealed is applyStep's part of a holder's confirmation of an
// unsealing: only an organ that holds records and has not confirmed yet.
func confirmUnsealed(old portal.Case, c *portal.Case, organ uint64, now time.Time) error {
	if !c.Holds(organ) {
		return portal.Forbidden("case.not_holder")
	}
	if _, done := c.UnsealConfirmations[organ]; done {
		return portal.Conflict("case.already_confirmed")
	}
	conf := map[uint64]time.Time{}
	for k, v := range old.UnsealConfirmations {
		conf[k] = v
	}
	conf[organ] = now
	c.UnsealConfirmations = conf
	return nil
}

// OpenUnsealingRow is a row of the supervisor's list of open unsealings: the
// record (its event, legal basis and the rules' answer, no personal data) and
// the holding organs that have not confirmed yet.
type OpenUnsealingRow struct {
	Record  portal.UnsealingRecord
	Status  portal.CaseStatus
	Holders []uint64
	Pending []uint64 // holders that have not confirmed (while the case is unsealing)
	// Confirmed: when each holder confirmed.
	Confirmed map[uint64]time.Time
}

// OpenUnsealings lists the unsealings waiting for approval or for holders'
// confirmations, in case order, for the supervisor (issue 18: "names the
// organs that have not confirmed"). The case is read inside the store for
// its status and holders only; nothing personal leaves it.
func (db *DB) OpenUnsealings() ([]OpenUnsealingRow, error) {
	var out []OpenUnsealingRow
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketUnsealingOpen)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			r, err := db.getUnsealing(tx, btoi(v))
			if err != nil {
				return err
			}
			c, err := db.getCase(tx, btoi(k))
			if err != nil {
				return err
			}
			row := OpenUnsealingRow{Record: r, Status: c.Status, Holders: append([]uint64(nil), c.HoldingOrganIDs...), Confirmed: map[uint64]time.Time{}}
			for o, at := range c.UnsealConfirmations {
				row.Confirmed[o] = at
			}
			if c.Status == portal.StatusUnsealing {
				row.Pending = c.PendingUnsealHolders()
			}
			out = append(out, row)
			return nil
		})
	})
	return out, err
}

// UnsealingOpenOf is the open unsealing of a case, if any.
func (db *DB) UnsealingOpenOf(caseID uint64) (portal.UnsealingRecord, bool, error) {
	var r portal.UnsealingRecord
	var ok bool
	err := db.view(func(tx kv.Tx) error {
		var err error
		r, ok, err = db.openUnsealing(tx, caseID)
		return err
	})
	return r, ok, err
}
