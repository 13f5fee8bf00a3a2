package portal

import "testing"

// Every row of the table is allowed, and every other (status, action, actor)
// combination is refused with a conflict.
func TestTransitionsExhaustive(t *testing.T) {
	actions := []CaseAction{ActionSubmit, ActionAccept, ActionReturn, ActionStartReview, ActionSeal, ActionReject,
		ActionConfirm, ActionComplete, ActionWithdraw, ActionExOfficio, ActionTakeUp,
		ActionRecordUnsealingEvent, ActionUnseal, ActionReferUnsealing, ActionConfirmUnsealing, ActionKeepSealed,
		ActionProposeOverride, ActionRejectOverride,
		ActionProposeUnsealing, ActionRejectUnsealing, ActionConfirmUnsealed, ActionCompleteUnsealing}
	actors := []Actor{ActorApplicant, ActorDecider, ActorHolder, ActorSystem, ActorSupervisor, ActorApprover}
	allowed := map[Transition]bool{}
	for _, tr := range Transitions {
		allowed[Transition{tr.From, tr.Action, tr.Actor, ""}] = true
	}
	statuses := append([]CaseStatus{""}, CaseStatuses...)
	var yes, no int
	for _, from := range statuses {
		for _, a := range actions {
			for _, who := range actors {
				to, err := Next(from, a, who)
				if allowed[Transition{from, a, who, ""}] {
					yes++
					if err != nil || !to.Valid() {
						t.Errorf("Next(%q, %s, %s) = %q, %v; want an allowed transition", from, a, who, to, err)
					}
					continue
				}
				no++
				if err == nil {
					t.Errorf("Next(%q, %s, %s) = %q; want refused", from, a, who, to)
				} else if ErrorCode(err) != CodeConflict {
					t.Errorf("Next(%q, %s, %s) error code %s; want conflict", from, a, who, ErrorCode(err))
				}
			}
		}
	}
	if yes != len(Transitions) {
		t.Fatalf("checked %d allowed transitions, table has %d (duplicate rows?)", yes, len(Transitions))
	}
	t.Logf("%d transitions allowed, %d combinations refused", yes, no)
}

// The procedure as a person lives it, step by step.
func TestTransitionsTable(t *testing.T) {
	tests := []struct {
		from   CaseStatus
		action CaseAction
		actor  Actor
		want   CaseStatus
	}{
		{StatusDraft, ActionSubmit, ActorApplicant, StatusSubmitted},
		{StatusSubmitted, ActionReturn, ActorDecider, StatusReturned},
		{StatusReturned, ActionSubmit, ActorApplicant, StatusSubmitted},
		{StatusSubmitted, ActionAccept, ActorDecider, StatusAccepted},
		{StatusAccepted, ActionStartReview, ActorDecider, StatusUnderReview},
		{StatusUnderReview, ActionSeal, ActorDecider, StatusSealed},
		{StatusSealed, ActionConfirm, ActorHolder, StatusSealed},
		{StatusSealed, ActionComplete, ActorSystem, StatusCompleted},
		{StatusUnderReview, ActionReject, ActorDecider, StatusRejected},
		{StatusUnderReview, ActionWithdraw, ActorApplicant, StatusWithdrawn},
		{"", ActionExOfficio, ActorDecider, StatusUnderReview}, // R11: sealing does not wait for an application
	}
	for _, tt := range tests {
		got, err := Next(tt.from, tt.action, tt.actor)
		if err != nil || got != tt.want {
			t.Errorf("Next(%q, %s, %s) = %q, %v; want %q", tt.from, tt.action, tt.actor, got, err, tt.want)
		}
	}
	// No withdrawal after a decision, and the applicant never decides.
	for _, s := range []CaseStatus{StatusSealed, StatusRejected, StatusCompleted, StatusWithdrawn} {
		if _, err := Next(s, ActionWithdraw, ActorApplicant); err == nil {
			t.Errorf("withdraw from %s allowed", s)
		}
	}
	if _, err := Next(StatusUnderReview, ActionSeal, ActorApplicant); err == nil {
		t.Error("applicant may seal")
	}
	if _, err := Next(StatusUnderReview, ActionSeal, ActorHolder); err == nil {
		t.Error("a holding organ may decide")
	}
}

func TestAllowedListsOnlyTableRows(t *testing.T) {
	got := Allowed(StatusUnderReview, ActorDecider)
	want := []CaseAction{ActionSeal, ActionReject, ActionReturn}
	if len(got) != len(want) {
		t.Fatalf("Allowed = %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Allowed = %v; want %v", got, want)
		}
	}
	if a := Allowed(StatusCompleted, ActorApplicant); len(a) != 0 {
		t.Fatalf("completed case offers %v", a)
	}
}

// R18, R19: unsealing steps exist only on a sealed record; the deciding organ
// records the event, the rules pick the step, the supervisor decides a
// review, and nobody else takes any of them.
func TestUnsealingTransitions(t *testing.T) {
	tests := []struct {
		from   CaseStatus
		action CaseAction
		actor  Actor
		want   CaseStatus
	}{
		{StatusCompleted, ActionProposeUnsealing, ActorDecider, StatusUnsealingApproval},
		{StatusSealed, ActionProposeUnsealing, ActorDecider, StatusUnsealingApproval},
		{StatusCompleted, ActionReferUnsealing, ActorDecider, StatusUnsealingReview},
		{StatusSealed, ActionReferUnsealing, ActorDecider, StatusUnsealingReview},
		{StatusCompleted, ActionRecordUnsealingEvent, ActorDecider, StatusCompleted}, // R19, R18 within the limit
		{StatusSealed, ActionRecordUnsealingEvent, ActorDecider, StatusSealed},
		{StatusUnsealingReview, ActionConfirmUnsealing, ActorSupervisor, StatusUnsealingApproval},
		// Issue 18: the second official unseals or rejects; holders confirm.
		{StatusUnsealingApproval, ActionUnseal, ActorApprover, StatusUnsealing},
		{StatusUnsealingApproval, ActionRejectUnsealing, ActorApprover, StatusSealed},
		{StatusUnsealing, ActionConfirmUnsealed, ActorHolder, StatusUnsealing},
		{StatusUnsealing, ActionCompleteUnsealing, ActorSystem, StatusUnsealed},
		{StatusUnsealingReview, ActionKeepSealed, ActorSupervisor, StatusSealed},
	}
	for _, tt := range tests {
		got, err := Next(tt.from, tt.action, tt.actor)
		if err != nil || got != tt.want {
			t.Errorf("Next(%q, %s, %s) = %q, %v; want %q", tt.from, tt.action, tt.actor, got, err, tt.want)
		}
	}
	// Nothing unseals a record that was never sealed, or twice.
	for _, s := range []CaseStatus{StatusDraft, StatusSubmitted, StatusUnderReview, StatusRejected, StatusWithdrawn, StatusUnsealed, StatusUnsealingReview} {
		for _, a := range []CaseAction{ActionUnseal, ActionProposeUnsealing, ActionReferUnsealing, ActionRecordUnsealingEvent} {
			if _, err := Next(s, a, ActorDecider); err == nil {
				t.Errorf("%s allowed from %s", a, s)
			}
		}
	}
	// Only the supervisor decides a review; the organ, holders and applicants do not.
	for _, who := range []Actor{ActorApplicant, ActorDecider, ActorHolder, ActorSystem} {
		for _, a := range []CaseAction{ActionConfirmUnsealing, ActionKeepSealed} {
			if _, err := Next(StatusUnsealingReview, a, who); err == nil {
				t.Errorf("%s may %s", who, a)
			}
		}
	}
	// The rules' steps are never offered as buttons; the supervisor's are.
	for _, s := range []CaseStatus{StatusSealed, StatusCompleted} {
		for _, a := range Allowed(s, ActorDecider) {
			if a == ActionUnseal || a == ActionReferUnsealing || a == ActionRecordUnsealingEvent {
				t.Errorf("Allowed(%s, decider) offers %s", s, a)
			}
		}
	}
	if got := Allowed(StatusUnsealingReview, ActorSupervisor); len(got) != 2 || got[0] != ActionConfirmUnsealing || got[1] != ActionKeepSealed {
		t.Errorf("Allowed(unsealing_review, supervisor) = %v", got)
	}
	if !StatusUnsealed.Final() || StatusUnsealingReview.Final() {
		t.Error("unsealed must be final, unsealing_review open")
	}
}
