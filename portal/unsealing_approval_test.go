package portal

import (
	"strings"
	"testing"
	"time"
)

// Issue 18, R18: the unsealing procedure as a table, step by step, from
// the recording to the last holder's confirmation; nobody but the named
// actor takes a step, and the record stays sealed until approval.
func TestUnsealingTwoStepStateMachine(t *testing.T) {
	steps := []struct {
		name   string
		from   CaseStatus
		action CaseAction
		actor  Actor
		want   CaseStatus
		sealed bool // the record is sealed after the step
	}{
		{"recorded: waits for approval", StatusCompleted, ActionProposeUnsealing, ActorDecider, StatusUnsealingApproval, true},
		{"recorded while holders seal", StatusSealed, ActionProposeUnsealing, ActorDecider, StatusUnsealingApproval, true},
		{"supervisor confirms a review: waits for approval", StatusUnsealingReview, ActionConfirmUnsealing, ActorSupervisor, StatusUnsealingApproval, true},
		{"second official approves: unsealed", StatusUnsealingApproval, ActionUnseal, ActorApprover, StatusUnsealing, false},
		{"second official rejects: sealed again", StatusUnsealingApproval, ActionRejectUnsealing, ActorApprover, StatusSealed, true},
		{"a holder confirms", StatusUnsealing, ActionConfirmUnsealed, ActorHolder, StatusUnsealing, false},
		{"the last holder: closed", StatusUnsealing, ActionCompleteUnsealing, ActorSystem, StatusUnsealed, false},
	}
	for _, tt := range steps {
		got, err := Next(tt.from, tt.action, tt.actor)
		if err != nil || got != tt.want {
			t.Errorf("%s: Next = %q, %v; want %q", tt.name, got, err, tt.want)
			continue
		}
		if got.RecordSealed() != tt.sealed {
			t.Errorf("%s: %s.RecordSealed() = %v", tt.name, got, !tt.sealed)
		}
	}
	// Nobody else takes the approval's or the holders' steps.
	refused := []struct {
		from   CaseStatus
		action CaseAction
		actor  Actor
	}{
		{StatusUnsealingApproval, ActionUnseal, ActorDecider},
		{StatusUnsealingApproval, ActionUnseal, ActorSupervisor},
		{StatusUnsealingApproval, ActionUnseal, ActorHolder},
		{StatusUnsealingApproval, ActionRejectUnsealing, ActorDecider},
		{StatusSealed, ActionUnseal, ActorApprover},
		{StatusCompleted, ActionUnseal, ActorDecider},
		{StatusUnsealingApproval, ActionConfirmUnsealed, ActorHolder},
		{StatusUnsealing, ActionConfirmUnsealed, ActorDecider},
		{StatusUnsealing, ActionConfirmUnsealed, ActorApplicant},
		{StatusUnsealed, ActionConfirmUnsealed, ActorHolder},
		{StatusUnsealing, ActionCompleteUnsealing, ActorHolder},
		{StatusUnsealingApproval, ActionWithdraw, ActorApplicant},
		{StatusUnsealing, ActionWithdraw, ActorApplicant},
	}
	for _, tt := range refused {
		if _, err := Next(tt.from, tt.action, tt.actor); ErrorCode(err) != CodeConflict {
			t.Errorf("Next(%s, %s, %s) = %v; want refused", tt.from, tt.action, tt.actor, err)
		}
	}
	// The rules' step is never a button; the holder's is.
	if got := Allowed(StatusSealed, ActorDecider); len(got) != 0 {
		t.Errorf("Allowed(sealed, decider) = %v", got)
	}
	if got := Allowed(StatusUnsealing, ActorHolder); len(got) != 1 || got[0] != ActionConfirmUnsealed {
		t.Errorf("Allowed(unsealing, holder) = %v", got)
	}
	if StatusUnsealing.Final() || StatusUnsealingApproval.Final() || !StatusUnsealed.Final() {
		t.Error("the unsealing is over only when every holder confirmed")
	}
}

// Issue 18: the approver is a different official of the deciding organ.
func TestMayApproveUnsealing(t *testing.T) {
	const organ, other, recorder, second = 7, 8, 100, 101
	waiting := Case{DecidingOrganID: organ, Status: StatusUnsealingApproval, Events: []CaseEvent{
		{ActorID: 50, Action: ActionSeal},
		{ActorID: recorder, Action: ActionProposeUnsealing},
	}}
	// Referred to the supervisor first: the recorder is still the one who
	// recorded, not the supervisor who confirmed.
	reviewed := Case{DecidingOrganID: organ, Status: StatusUnsealingApproval, Events: []CaseEvent{
		{ActorID: recorder, Action: ActionReferUnsealing},
		{ActorID: 900, Action: ActionConfirmUnsealing},
	}}
	sealed := waiting
	sealed.Status = StatusCompleted
	tests := []struct {
		name           string
		c              Case
		account, organ uint64
		want           Code
	}{
		{"a second official approves", waiting, second, organ, ""},
		{"the recorder may not approve his own record", waiting, recorder, organ, CodeForbidden},
		{"another organ: not found", waiting, second, other, CodeNotFound},
		{"no organ: not found", waiting, second, 0, CodeNotFound},
		{"nothing waits", sealed, second, organ, CodeConflict},
		{"after a review, a second official", reviewed, second, organ, ""},
		{"after a review, still not the recorder", reviewed, recorder, organ, CodeForbidden},
		{"no recorder on file: refused", Case{DecidingOrganID: organ, Status: StatusUnsealingApproval}, second, organ, CodeForbidden},
	}
	for _, tt := range tests {
		var got Code
		if err := MayApproveUnsealing(tt.c, tt.account, tt.organ); err != nil {
			got = ErrorCode(err)
		}
		if got != tt.want {
			t.Errorf("%s: %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestUnsealingApprovalValidate(t *testing.T) {
	tests := []struct {
		name   string
		a      UnsealingApproval
		fields []string
	}{
		{"approve without reasons", UnsealingApproval{Verdict: ApprovalUnseal}, nil},
		{"approve with reasons", UnsealingApproval{Verdict: ApprovalUnseal, Reasons: "核对判决无误"}, nil},
		{"reject with reasons", UnsealingApproval{Verdict: ApprovalReject, Reasons: "判决尚未生效"}, nil},
		{"reject without reasons", UnsealingApproval{Verdict: ApprovalReject, Reasons: "  "}, []string{"reasons"}},
		{"no verdict", UnsealingApproval{}, []string{"verdict"}},
		{"unknown verdict", UnsealingApproval{Verdict: "maybe", Reasons: "x"}, []string{"verdict"}},
		{"reasons too long", UnsealingApproval{Verdict: ApprovalUnseal, Reasons: strings.Repeat("理", MaxLegalBasisRunes+1)}, []string{"reasons"}},
	}
	for _, tt := range tests {
		err := tt.a.Validate()
		pe, _ := AsError(err)
		if len(tt.fields) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if pe == nil || len(pe.Fields) != len(tt.fields) {
			t.Errorf("%s: %v; want fields %v", tt.name, err, tt.fields)
			continue
		}
		for _, f := range tt.fields {
			if pe.Fields[f] == "" {
				t.Errorf("%s: no error on %s: %v", tt.name, f, pe.Fields)
			}
		}
	}
}

// A record's state: waiting, approved (unsealed) or rejected; records from
// before the two-step procedure keep their meaning.
func TestUnsealingRecordStates(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	confirm := &UnsealingReview{Verdict: VerdictConfirmUnsealing, Reasons: "x"}
	keep := &UnsealingReview{Verdict: VerdictKeepSealed, Reasons: "x"}
	tests := []struct {
		name                     string
		r                        UnsealingRecord
		awaits, unsealed, reject bool
	}{
		{"proposed", UnsealingRecord{TwoStep: true, Step: ActionProposeUnsealing}, true, false, false},
		{"approved", UnsealingRecord{TwoStep: true, Step: ActionProposeUnsealing, Approval: &UnsealingApproval{Verdict: ApprovalUnseal, At: now}}, false, true, false},
		{"rejected", UnsealingRecord{TwoStep: true, Step: ActionProposeUnsealing, Approval: &UnsealingApproval{Verdict: ApprovalReject, Reasons: "x"}}, false, false, true},
		{"review confirmed: waits", UnsealingRecord{TwoStep: true, Step: ActionReferUnsealing, Review: confirm}, true, false, false},
		{"review pending: not yet", UnsealingRecord{TwoStep: true, Step: ActionReferUnsealing}, false, false, false},
		{"review kept sealed", UnsealingRecord{TwoStep: true, Step: ActionReferUnsealing, Review: keep}, false, false, false},
		{"only recorded (R19)", UnsealingRecord{TwoStep: true, Step: ActionRecordUnsealingEvent}, false, false, false},
		{"legacy: unsealed by the rules", UnsealingRecord{Step: ActionUnseal}, false, true, false},
		{"legacy: unsealed by the supervisor", UnsealingRecord{Step: ActionReferUnsealing, Review: confirm}, false, true, false},
	}
	for _, tt := range tests {
		if tt.r.AwaitsApproval() != tt.awaits || tt.r.Unsealed() != tt.unsealed || tt.r.Rejected() != tt.reject {
			t.Errorf("%s: awaits %v unsealed %v rejected %v", tt.name, tt.r.AwaitsApproval(), tt.r.Unsealed(), tt.r.Rejected())
		}
	}
}

// Issue 18: the holders still owing their confirmation of an unsealing.
func TestPendingUnsealHolders(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := Case{Status: StatusUnsealing, HoldingOrganIDs: []uint64{2, 3, 4}, UnsealConfirmations: map[uint64]time.Time{3: at},
		Confirmations: map[uint64]time.Time{2: at, 3: at, 4: at}}
	if got := c.PendingUnsealHolders(); len(got) != 2 || got[0] != 2 || got[1] != 4 {
		t.Fatalf("pending %v", got)
	}
	for organ, want := range map[uint64]bool{2: true, 3: false, 4: true, 9: false, 0: false} {
		if c.OwesUnsealConfirmation(organ) != want {
			t.Errorf("organ %d owes = %v", organ, !want)
		}
	}
	c.Status = StatusUnsealed
	if c.OwesUnsealConfirmation(2) {
		t.Error("an unsealing that is over owes nothing")
	}
}
