package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Decisions that cannot quietly go wrong (issue 18): overrides of the rules'
// computation with a second official, the stale-page check, and the rules of
// ex officio cases. The buckets of this file:
//
//	overrides   itob(id) -> JSON portal.OverrideEntry (reference, ids, state, times; no personal data;
//	            created by migrationOverridesName)
//
//	staff_notifications       itob(organ) | itob(id) -> JSON{id, case id, reference, message key, time, except account}
//	staff_notifications_seen  itob(account) -> itob(the newest notification id the official marked read)
//
// The override itself (with its written reasons) lives on the case, sealed
// with it (portal.Case.Override).

var bucketOverrides = []byte("overrides")

// migrationOverridesName names the migration that adds the list of overrides
// (tests find it by name).
const migrationOverridesName = "decisions: the supervisor's list of decisions against the rules' computation; officials' notifications"

// decisionChecks runs inside applyStep, on the case as it is before the step
// (c is the copy the step will write): a step posted from a stale page is
// refused; a decision against the rules by one official is refused (it must
// go through ProposeOverride); the approver's decision must be the one
// proposed, by another official of the organ; an ex officio case has no
// return and no withdrawal (R11).
func decisionChecks(c *portal.Case, st Step) error {
	if st.Version != "" && portal.CaseVersion(*c) != st.Version {
		return portal.Conflict("decide.stale")
	}
	if err := portal.CheckExOfficio(*c, st.Action); err != nil {
		return err
	}
	switch st.Actor {
	case portal.ActorDecider:
		if st.Action == portal.ActionSeal || st.Action == portal.ActionReject {
			if _, against := portal.AgainstRules(*c, st.Action); against {
				return portal.Conflict("override.required")
			}
		}
	case portal.ActorApprover:
		if st.Action == portal.ActionUnseal || st.Action == portal.ActionRejectUnsealing {
			// Issue 18: the unsealing's second official, never its recorder.
			return portal.MayApproveUnsealing(*c, st.AccountID, st.OrganID)
		}
		if err := portal.MayDecideOverride(*c, st.AccountID, st.OrganID); err != nil {
			return err
		}
		if st.Action != portal.ActionRejectOverride && st.Action != c.Override.Action {
			return portal.Conflict("case.action_not_allowed")
		}
		c.Override = nil
	}
	return nil
}

// ProposeOverride records a decision against the rules' computation (seal or
// reject, o.Action) by the official st names, in one transaction: the case
// waits for a second official (StatusOverridePending), the supervisor's list
// gains a row, the step is in the timeline and the audit log. A decision that
// is not against the rules needs no override and is refused.
func (db *DB) ProposeOverride(caseID uint64, o portal.Override, st Step, cal *portal.Calendar) (portal.Case, error) {
	var c portal.Case
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if st.OrganID == 0 || old.DecidingOrganID != st.OrganID {
			return portal.NotFound()
		}
		if st.Version != "" && portal.CaseVersion(old) != st.Version {
			return portal.Conflict("decide.stale")
		}
		d, against := portal.AgainstRules(old, o.Action)
		if !against {
			return portal.Conflict("override.not_needed")
		}
		o.Reasons = strings.TrimSpace(o.Reasons)
		o.ProposedBy, o.OrganID, o.Outcome, o.ProposedAt = st.AccountID, st.OrganID, d.Outcome, db.now().UTC()
		if err := o.Validate(); err != nil {
			return err
		}
		b := tx.Bucket(bucketOverrides)
		if o.ID, err = b.NextSequence(); err != nil {
			return err
		}
		e := portal.OverrideEntry{ID: o.ID, CaseID: caseID, Ref: old.Ref, OrganID: st.OrganID, Action: o.Action, Outcome: o.Outcome,
			State: portal.OverridePending, ProposedBy: o.ProposedBy, ProposedAt: o.ProposedAt}
		if err := putOverrideEntry(b, e); err != nil {
			return err
		}
		withOverride := old
		withOverride.Override = &o
		// The timeline says a decision waits for approval; the reasons stay
		// with the officials until the decision is taken.
		st.Action, st.Actor, st.Rules, st.Note, st.Version = portal.ActionProposeOverride, portal.ActorDecider, nil, "", ""
		c, err = db.applyStep(tx, withOverride, st, cal, portal.DateOf(db.now()))
		if err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditOverrideProposed, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: string(o.Action) + ":" + string(o.Outcome), RequestID: st.RequestID})
	})
	return c, err
}

// DecideOverride is the second official's answer, in one transaction:
// approved, the proposed decision is taken (by the approver, with the written
// reasons and rules of the proposal); rejected, the case returns to review
// with the approver's note. The supervisor's row records the answer.
func (db *DB) DecideOverride(caseID uint64, approve bool, note string, st Step, cal *portal.Calendar) (portal.Case, error) {
	var c portal.Case
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if err := portal.MayDecideOverride(old, st.AccountID, st.OrganID); err != nil {
			return err
		}
		o := *old.Override
		st.Actor = portal.ActorApprover
		state, audit := portal.OverrideApproved, portal.AuditOverrideApproved
		if approve {
			st.Action, st.Rules, st.Note = o.Action, o.Rules, o.Reasons
		} else {
			note = strings.TrimSpace(note)
			if note == "" {
				return &portal.Error{Code: portal.CodeInvalid, Key: "override.reject_note_required", Fields: map[string]string{"note": "override.reject_note_required"}}
			}
			st.Action, st.Rules, st.Note = portal.ActionRejectOverride, nil, note
			state, audit = portal.OverrideRejected, portal.AuditOverrideRejected
		}
		if c, err = db.applyStep(tx, old, st, cal, portal.DateOf(db.now())); err != nil {
			return err
		}
		b := tx.Bucket(bucketOverrides)
		if b == nil {
			return fmt.Errorf("store: override %d of case %d: no list", o.ID, caseID)
		}
		var e portal.OverrideEntry
		if raw := b.Get(itob(o.ID)); raw != nil {
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("store: override %d: %w", o.ID, err)
			}
		}
		e.State, e.DecidedBy, e.DecidedAt = state, st.AccountID, db.now().UTC()
		if err := putOverrideEntry(b, e); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: audit, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: string(o.Action), RequestID: st.RequestID})
	})
	return c, err
}

func putOverrideEntry(b kv.Bucket, e portal.OverrideEntry) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put(itob(e.ID), raw)
}

// Overrides lists every override, newest first, a page at a time, for the
// supervisor (MPL art. 105), with the total.
func (db *DB) Overrides(offset, limit int) (rows []portal.OverrideEntry, total int, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	err = db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketOverrides)
		if b == nil {
			return nil
		}
		total = int(b.Sequence()) // #nosec G115 -- a count of overrides; ids are never reused and rows never deleted
		cur := b.Cursor()
		i := 0
		for k, v := cur.Last(); k != nil && len(rows) < limit; k, v = cur.Prev() {
			i++
			if i <= offset {
				continue
			}
			var e portal.OverrideEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("store: override %d: %w", btoi(k), err)
			}
			rows = append(rows, e)
		}
		return nil
	})
	return rows, total, err
}

// ExOfficioFindings is what the store knows about the person and the case
// number of an ex officio case before it is opened.
type ExOfficioFindings struct {
	// Duplicates are the references of cases about the same person with the
	// same organ case number at the same organ.
	Duplicates []string
	// NameMismatch: the identity on file for the identity number (a
	// verified account, or the cases already recorded about the person)
	// carries another name.
	NameMismatch bool
}

// ExOfficioFindings looks up the person of c through the person index (a
// keyed hash of the identity document, never a scan of decrypted cases):
// the verified account holding the number, and the few cases recorded about
// that person.
func (db *DB) ExOfficioFindings(c portal.Case) (ExOfficioFindings, error) {
	var f ExOfficioFindings
	err := db.view(func(tx kv.Tx) error {
		var err error
		f, err = db.exOfficioFindings(tx, c)
		return err
	})
	return f, err
}

func (db *DB) exOfficioFindings(tx kv.Tx, c portal.Case) (ExOfficioFindings, error) {
	var f ExOfficioFindings
	if strings.TrimSpace(c.PersonIDNumber) == "" {
		return f, nil
	}
	keys := db.casePersonKeys(c)
	holder, ok, err := db.verifiedHolder(tx, keys, 0)
	if err != nil {
		return f, err
	}
	if ok {
		a, err := db.getAccount(tx, holder)
		if err != nil {
			return f, err
		}
		if a.SameDocument(c) && !portal.NamesMatch(a.Name, c.PersonName) {
			f.NameMismatch = true
		}
	}
	number, _ := portal.NormalizeCaseNumber(c.OrganCaseNumber)
	anyName, nameMatches := false, false
	for _, id := range idsUnder(tx.Bucket(bucketCasesByPerson), keys) {
		other, err := db.getCase(tx, id)
		if err != nil {
			return f, err
		}
		if other.Status == "" || other.Status == portal.StatusDraft {
			continue // a draft is only its writer's word
		}
		anyName = true
		if portal.NamesMatch(other.PersonName, c.PersonName) {
			nameMatches = true
		}
		if n, _ := portal.NormalizeCaseNumber(other.OrganCaseNumber); number != "" && n == number && other.DecidingOrganID == c.DecidingOrganID {
			f.Duplicates = append(f.Duplicates, other.Ref)
		}
	}
	if !ok && anyName && !nameMatches {
		f.NameMismatch = true
	}
	return f, nil
}

// checkExOfficioOpen runs inside OpenExOfficio: the organ opens only the
// dispositions it decides; the name matches the identity on file; a
// duplicate is opened only when the official confirmed it.
func (db *DB) checkExOfficioOpen(tx kv.Tx, c portal.Case, st Step) error {
	var r organRecord
	v := tx.Bucket(bucketOrgans).Get(itob(c.DecidingOrganID))
	if v == nil {
		return portal.NotFound()
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return err
	}
	var fe portal.FieldErrors
	if !portal.MayOpenWith(r.Kind, c.Disposition) {
		fe.Add("disposition", "decide.disposition_not_for_organ")
	}
	f, err := db.exOfficioFindings(tx, c)
	if err != nil {
		return err
	}
	if f.NameMismatch {
		fe.Add("person_name", "decide.name_mismatch")
	}
	if len(f.Duplicates) > 0 && !st.ConfirmDuplicate {
		fe.Add("case_number", "decide.duplicate")
	}
	return fe.Err()
}
