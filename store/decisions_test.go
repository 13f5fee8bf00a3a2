package store

import (
	"errors"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// decisionsWorld: a court with two officials, a police organ, and a case
// under review that the rules say is to be sealed (R2: 36 months).
type decisionsWorld struct {
	db            *DB
	cal           *portal.Calendar
	court, police portal.Organ
	judge, second portal.Account
	c             portal.Case
}

func newDecisionsWorld(t *testing.T) *decisionsWorld {
	t.Helper()
	db := newTestDB(t)
	clock, _ := fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China))
	db.now = clock
	w := &decisionsWorld{db: db, cal: portal.DefaultCalendar()}
	var err error
	if w.court, err = db.EnsureOrgan(portal.RoleCourt, "演示市人民法院"); err != nil {
		t.Fatal(err)
	}
	w.police, _ = db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	for i, a := range []*portal.Account{&w.judge, &w.second} {
		*a, err = db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "judge" + string(rune('a'+i)), Name: "法官", Organ: w.court.Name,
			OrganID: w.court.ID, PasswordHash: "x"}, 0)
		if err != nil {
			t.Fatal(err)
		}
	}
	minor, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000001", Name: "测试人", Mobile: "13800000001",
		IDNumber: portal.SyntheticIDNumber(7, portal.Date{Year: 2006, Month: 3, Day: 14}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.c = completeDraft(t, db, minor, w.court, w.police)
	w.c = w.apply(t, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: minor.ID})
	w.c = w.apply(t, w.by(w.judge, portal.ActionAccept))
	w.c = w.apply(t, w.by(w.judge, portal.ActionStartReview))
	return w
}

func (w *decisionsWorld) by(a portal.Account, action portal.CaseAction) Step {
	return Step{Action: action, Actor: portal.ActorDecider, AccountID: a.ID, Role: a.Role, OrganID: a.OrganID, Rules: []string{"R2"}, Note: "理由"}
}

func (w *decisionsWorld) apply(t *testing.T, st Step) portal.Case {
	t.Helper()
	c, err := w.db.Apply(w.c.ID, st, w.cal)
	if err != nil {
		t.Fatalf("%s: %v", st.Action, err)
	}
	return c
}

// Issue 18: refusing a case the rules say must be sealed is refused as a
// plain step; as an override it waits for a second official, who cannot be
// the first; approved, the refusal is taken and the supervisor's list shows
// it; every step is in the audit log.
func TestOverrideNeedsSecondOfficial(t *testing.T) {
	t.Parallel()
	w := newDecisionsWorld(t)
	if _, err := w.db.Apply(w.c.ID, w.by(w.judge, portal.ActionReject), w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("a refusal against R2 as a plain step: %v", err)
	}
	if _, err := w.db.ProposeOverride(w.c.ID, portal.Override{Action: portal.ActionSeal, Reasons: "x"}, w.by(w.judge, ""), w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("an override with the rules: %v", err)
	}
	if _, err := w.db.ProposeOverride(w.c.ID, portal.Override{Action: portal.ActionReject, Reasons: "  "}, w.by(w.judge, ""), w.cal); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("an override without reasons: %v", err)
	}
	c, err := w.db.ProposeOverride(w.c.ID, portal.Override{Action: portal.ActionReject, Rules: []string{"R2"}, Reasons: "判决书认定的刑期有误"}, w.by(w.judge, ""), w.cal)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != portal.StatusOverridePending || c.Override == nil || c.Override.ProposedBy != w.judge.ID || c.Override.Outcome != portal.OutcomeSeal {
		t.Fatalf("after the proposal: %s %+v", c.Status, c.Override)
	}
	if _, err := w.db.DecideOverride(c.ID, true, "", w.by(w.judge, ""), w.cal); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("the first official approved his own override: %v", err)
	}
	other := w.second
	other.OrganID = w.police.ID
	if _, err := w.db.DecideOverride(c.ID, true, "", w.by(other, ""), w.cal); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("another organ approved: %v", err)
	}
	if _, err := w.db.Apply(c.ID, Step{Action: portal.ActionSeal, Actor: portal.ActorApprover, AccountID: w.second.ID, OrganID: w.court.ID}, w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("the approver took another decision than proposed: %v", err)
	}
	rows, total, err := w.db.Overrides(0, 50)
	if err != nil || total != 1 || rows[0].State != portal.OverridePending || rows[0].Ref != c.Ref {
		t.Fatalf("list while pending: %+v %d %v", rows, total, err)
	}
	c, err = w.db.DecideOverride(c.ID, true, "", w.by(w.second, ""), w.cal)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != portal.StatusRejected || c.Override != nil {
		t.Fatalf("after approval: %s %+v", c.Status, c.Override)
	}
	last := c.Events[len(c.Events)-1]
	if last.Action != portal.ActionReject || last.ActorID != w.second.ID || last.Note != "判决书认定的刑期有误" {
		t.Fatalf("the decision's event %+v", last)
	}
	rows, _, _ = w.db.Overrides(0, 50)
	if rows[0].State != portal.OverrideApproved || rows[0].DecidedBy != w.second.ID {
		t.Fatalf("list after approval: %+v", rows[0])
	}
	audit := auditActionsOf(t, w.db)
	for _, a := range []portal.AuditAction{portal.AuditOverrideProposed, portal.AuditOverrideApproved} {
		if !audit[a] {
			t.Errorf("no %s in the audit log", a)
		}
	}
}

// A rejected override returns the case to review; the refusal can then be
// proposed again.
func TestOverrideRejectedReturnsToReview(t *testing.T) {
	t.Parallel()
	w := newDecisionsWorld(t)
	c, err := w.db.ProposeOverride(w.c.ID, portal.Override{Action: portal.ActionReject, Rules: []string{"R2"}, Reasons: "理由"}, w.by(w.judge, ""), w.cal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.DecideOverride(c.ID, false, " ", w.by(w.second, ""), w.cal); portal.ErrorCode(err) != portal.CodeInvalid {
		t.Fatalf("rejected without a note: %v", err)
	}
	c, err = w.db.DecideOverride(c.ID, false, "刑期在五年以内，应当封存", w.by(w.second, ""), w.cal)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != portal.StatusUnderReview || c.Override != nil || c.Due.IsZero() {
		t.Fatalf("after rejection: %s %+v due %v", c.Status, c.Override, c.Due)
	}
	rows, _, _ := w.db.Overrides(0, 50)
	if rows[0].State != portal.OverrideRejected {
		t.Fatalf("list: %+v", rows[0])
	}
	if !auditActionsOf(t, w.db)[portal.AuditOverrideRejected] {
		t.Error("no rejection in the audit log")
	}
	// The decision with the rules needs nobody else.
	if c = w.apply(t, w.by(w.second, portal.ActionSeal)); c.Status != portal.StatusSealed {
		t.Fatalf("seal: %s", c.Status)
	}
}

// Issue 18 item 5: a step posted from a page the case changed since is
// refused.
func TestStaleStepRefused(t *testing.T) {
	t.Parallel()
	w := newDecisionsWorld(t)
	st := w.by(w.judge, portal.ActionSeal)
	stale := w.c
	stale.Events = stale.Events[:len(stale.Events)-1]
	st.Version = portal.CaseVersion(stale) // the same instant, one step fewer
	if _, err := w.db.Apply(w.c.ID, st, w.cal); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("stale step: %v", err)
	}
	st.Version = portal.CaseVersion(w.c)
	w.apply(t, st)
}

// R11: an ex officio case has no return; each organ opens only its own kind
// of disposition; a name other than the identity on file is refused; a
// duplicate needs confirmation.
func TestExOfficioRules(t *testing.T) {
	t.Parallel()
	w := newDecisionsWorld(t)
	open := func(c portal.Case, confirm bool) (portal.Case, error) {
		st := w.by(w.judge, portal.ActionExOfficio)
		st.ConfirmDuplicate = confirm
		return w.db.OpenExOfficio(c, st, w.cal)
	}
	base := w.c
	base.ID, base.Ref, base.Status, base.Events, base.Documents, base.Confirmations = 0, "", "", nil, nil, nil
	base.OrganCaseNumber = "(2024)演刑初字第9号"
	bad := base
	bad.Disposition, bad.Penalty = portal.DispositionNotProsecuted, nil
	if pe, _ := portal.AsError(func() error { _, err := open(bad, false); return err }()); pe == nil || pe.Fields["disposition"] != "decide.disposition_not_for_organ" {
		t.Fatalf("a court opened a non-prosecution: %v", pe)
	}
	other := base
	other.PersonName = "别人"
	if pe, _ := portal.AsError(func() error { _, err := open(other, false); return err }()); pe == nil || pe.Fields["person_name"] != "decide.name_mismatch" {
		t.Fatalf("another name for the number: %v", pe)
	}
	c, err := open(base, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Apply(c.ID, w.by(w.judge, portal.ActionReturn), w.cal); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("return on an ex officio case: %v", err)
	}
	if f, err := w.db.ExOfficioFindings(base); err != nil || len(f.Duplicates) != 1 || f.Duplicates[0] != c.Ref {
		t.Fatalf("findings %+v %v", f, err)
	}
	if pe, _ := portal.AsError(func() error { _, err := open(base, false); return err }()); pe == nil || pe.Fields["case_number"] != "decide.duplicate" {
		t.Fatalf("duplicate without confirmation: %v", pe)
	}
	if _, err := open(base, true); err != nil {
		t.Fatalf("duplicate confirmed: %v", err)
	}
}

// auditActionsOf is the set of actions audited about the world's case.
func auditActionsOf(t *testing.T, db *DB) map[portal.AuditAction]bool {
	t.Helper()
	out := map[portal.AuditAction]bool{}
	evs, err := db.AuditBySubject(kindCase, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		out[e.Action] = true
	}
	return out
}

// The migration that adds the list of overrides: a database from before it
// gains the bucket on opening, and an override can then be listed.
func TestMigrationOverrides(t *testing.T) {
	t.Parallel()
	w := newDecisionsWorld(t)
	err := w.db.update(func(tx kv.Tx) error {
		if err := tx.DeleteBucket(bucketOverrides); err != nil {
			return err
		}
		for i, m := range migrations {
			if m.name == migrationOverridesName {
				return tx.Bucket(bucketMeta).Put(keySchemaVersion, itob(uint64(migrations[i-1].version)))
			}
		}
		return errors.New("migration not found")
	})
	if err != nil {
		t.Fatal(err)
	}
	w.db = reopenTestDB(t, w.db)
	if _, err := w.db.ProposeOverride(w.c.ID, portal.Override{Action: portal.ActionReject, Rules: []string{"R2"}, Reasons: "理由"}, w.by(w.judge, ""), w.cal); err != nil {
		t.Fatal(err)
	}
	if rows, total, err := w.db.Overrides(0, 10); err != nil || total != 1 || len(rows) != 1 {
		t.Fatalf("after the migration: %v %d %v", rows, total, err)
	}
}

// Issue 18: officials are told when a case of their organ needs them: a new
// application (the deciding organ), a citizen's message, an override to
// approve (not its proposer), sealing to do (each holding organ).
func TestStaffNotifications(t *testing.T) {
	t.Parallel()
	w := newDecisionsWorld(t) // submitted, accepted and under review
	list := func(a portal.Account) ([]string, int) {
		t.Helper()
		ns, unread, err := w.db.StaffNotifications(a, 50)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, n := range ns {
			if n.Ref != w.c.Ref || n.CaseID != w.c.ID {
				t.Fatalf("notification %+v", n)
			}
			keys = append(keys, n.Key)
		}
		return keys, unread
	}
	if keys, unread := list(w.judge); len(keys) != 1 || keys[0] != NotifyStaffNewApplication || unread != 1 {
		t.Fatalf("after submission: %v %d", keys, unread)
	}
	if _, err := w.db.AddMessage(portal.Message{CaseID: w.c.ID, From: w.c.FiledBy, FromRole: portal.RoleMinor, Text: "请问进展"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ProposeOverride(w.c.ID, portal.Override{Action: portal.ActionReject, Rules: []string{"R2"}, Reasons: "理由"}, w.by(w.judge, ""), w.cal); err != nil {
		t.Fatal(err)
	}
	if keys, _ := list(w.second); len(keys) != 3 || keys[0] != NotifyStaffOverride || keys[1] != NotifyStaffMessage {
		t.Fatalf("second official: %v", keys)
	}
	if keys, _ := list(w.judge); len(keys) != 2 {
		t.Fatalf("the proposer is told of his own override: %v", keys)
	}
	if err := w.db.MarkStaffNotificationsRead(w.second); err != nil {
		t.Fatal(err)
	}
	if _, unread := list(w.second); unread != 0 {
		t.Fatalf("%d unread after marking read", unread)
	}
	if _, err := w.db.DecideOverride(w.c.ID, false, "不批准", w.by(w.second, ""), w.cal); err != nil {
		t.Fatal(err)
	}
	w.apply(t, w.by(w.second, portal.ActionSeal))
	police := portal.Account{ID: 999, OrganID: w.police.ID}
	if ns, unread, err := w.db.StaffNotifications(police, 50); err != nil || unread != 1 || ns[0].Key != NotifyStaffToSeal {
		t.Fatalf("holding police: %+v %d %v", ns, unread, err)
	}
}
