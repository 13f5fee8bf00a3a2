package portal

// The processing of a sealing case is an explicit state machine: a table of
// (status, action, actor) -> next status. Anything not in the table is refused.
// The same table drives the buttons a person is offered and the "what happens
// next" text, so the screens can never promise a step the rules do not allow.

// CaseStatus is where a sealing case stands.
type CaseStatus string

// The statuses of a sealing case.
const (
	StatusDraft       CaseStatus = "draft"        // the applicant is still writing it
	StatusSubmitted   CaseStatus = "submitted"    // waiting for the deciding organ to accept or return it
	StatusReturned    CaseStatus = "returned"     // returned to the applicant for correction
	StatusAccepted    CaseStatus = "accepted"     // accepted; the organ is to review it
	StatusUnderReview CaseStatus = "under_review" // being reviewed by the deciding organ
	StatusSealed      CaseStatus = "sealed"       // sealing decided; holding organs are sealing their files (R12)
	StatusRejected    CaseStatus = "rejected"     // the organ decided the record is not to be sealed
	StatusCompleted   CaseStatus = "completed"    // every holding organ confirmed it has sealed its records
	StatusWithdrawn   CaseStatus = "withdrawn"    // the applicant withdrew before a decision
	// R18: an event reported against a sealed record whose combined term is
	// exactly 60 months waits for the supervisor's legal decision.
	StatusUnsealingReview CaseStatus = "unsealing_review"
	// R18: the record was unsealed, from the day the ground arose.
	StatusUnsealed CaseStatus = "unsealed"
	// StatusOverridePending: an official decided against the rules'
	// computation (override.go); the decision waits for a second official
	// of the same organ.
	StatusOverridePending CaseStatus = "override_pending"
	// Two-step unsealing (issue 18, R18; unsealing_approval.go): an event
	// the rules (or the supervisor) say unseals waits for a second official
	// of the deciding organ; the record stays sealed until approved.
	StatusUnsealingApproval CaseStatus = "unsealing_approval"
	// StatusUnsealing: the unsealing was approved and took effect; the
	// organs that hold records are lifting the seal on their files and each
	// confirms it, as they confirmed the sealing (R12).
	StatusUnsealing CaseStatus = "unsealing"
)

// CaseStatuses lists the statuses in the order of the procedure.
var CaseStatuses = []CaseStatus{StatusDraft, StatusSubmitted, StatusReturned, StatusAccepted, StatusUnderReview,
	StatusSealed, StatusRejected, StatusCompleted, StatusWithdrawn, StatusUnsealingReview, StatusUnsealed, StatusOverridePending,
	StatusUnsealingApproval, StatusUnsealing}

// Valid reports whether s is a known status.
func (s CaseStatus) Valid() bool {
	for _, v := range CaseStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Final reports whether the procedure is over: nobody owes a step on the case.
// A completed case stays sealed for good (R11), yet an unsealing event (R18)
// can still be recorded on it; an unsealed case is over for the portal.
func (s CaseStatus) Final() bool {
	return s == StatusRejected || s == StatusCompleted || s == StatusWithdrawn || s == StatusUnsealed
}

// CaseAction is a step someone takes on a case.
type CaseAction string

// The actions.
const (
	ActionSubmit      CaseAction = "submit"       // the applicant sends the application (again, after a return)
	ActionAccept      CaseAction = "accept"       // the deciding organ accepts it
	ActionReturn      CaseAction = "return"       // the deciding organ returns it for correction, with a message
	ActionStartReview CaseAction = "start_review" // the deciding organ starts its review
	ActionSeal        CaseAction = "seal"         // the deciding organ decides to seal (with the rule ids)
	ActionReject      CaseAction = "reject"       // the deciding organ decides not to seal (with reasons and rule ids)
	ActionConfirm     CaseAction = "confirm"      // a holding organ confirms it has sealed its records (R12)
	ActionComplete    CaseAction = "complete"     // the system closes the case when every holder confirmed
	ActionWithdraw    CaseAction = "withdraw"     // the applicant withdraws before a decision
	ActionExOfficio   CaseAction = "ex_officio"   // an organ opens a case on its own initiative (R11)
	// ActionTakeUp: the deciding organ takes up, ex officio, an application
	// the applicant withdrew whose facts make the record sealable (R11: a
	// withdrawal never ends the organ's duty to seal).
	ActionTakeUp CaseAction = "take_up"

	// Unsealing (R18, R19). The deciding organ records an event reported
	// against the sealed record; the rules' answer (portal.EvaluateUnsealing)
	// picks which of the three steps is taken (UnsealingStep), so that each
	// row of the table has one outcome.
	ActionRecordUnsealingEvent CaseAction = "record_unsealing_event" // the event leaves the record sealed (R18 within the limit, R19)
	ActionProposeUnsealing     CaseAction = "propose_unsealing"      // R18: the event unseals; a second official approves
	ActionReferUnsealing       CaseAction = "refer_unsealing"        // R18: exactly 60 months, the supervisor decides
	ActionConfirmUnsealing     CaseAction = "confirm_unsealing"      // the supervisor decides the record is to be unsealed
	ActionKeepSealed           CaseAction = "keep_sealed"            // the supervisor decides the record stays sealed
	// Two-step unsealing (issue 18): the second official of the deciding
	// organ unseals (the decision that takes effect) or rejects the record
	// with reasons; each holding organ then confirms it lifted the seal on
	// its files, and the system closes the unsealing when all have.
	ActionUnseal            CaseAction = "unseal"             // the approver's decision: the record is unsealed (R18)
	ActionRejectUnsealing   CaseAction = "reject_unsealing"   // the approver refuses the recorded unsealing, with reasons
	ActionConfirmUnsealed   CaseAction = "confirm_unsealed"   // a holding organ lifted the seal on its files
	ActionCompleteUnsealing CaseAction = "complete_unsealing" // the system, when every holding organ confirmed

	// Overrides (override.go): a decision against the rules' computation is
	// proposed by one official and approved (the decision itself, taken by
	// the approver) or rejected by a second official of the same organ.
	ActionProposeOverride CaseAction = "propose_override"
	ActionRejectOverride  CaseAction = "reject_override"
)

// Actor is the capacity in which someone acts on a case; it is derived from
// the account's role and its relation to the case, never chosen by the user.
type Actor string

// The actors.
const (
	ActorApplicant Actor = "applicant" // the person, the guardian (while the person is under 18) or the lawyer
	ActorDecider   Actor = "decider"   // staff of the organ the case is addressed to
	ActorHolder    Actor = "holder"    // staff of an organ that holds records of the case
	ActorSystem    Actor = "system"    // the portal itself
	// ActorSupervisor is the supervising procuratorate (MPL art. 105): it
	// decides an unsealing that the rules leave to a legal review (R18).
	ActorSupervisor Actor = "supervisor"
	// ActorApprover is a second official of the deciding organ, not the one
	// who proposed the override being approved (override.go).
	ActorApprover Actor = "approver"
)

// Transition is one row of the table.
type Transition struct {
	From   CaseStatus
	Action CaseAction
	Actor  Actor
	To     CaseStatus
}

// Transitions is the whole procedure. "" as From is the case's creation.
var Transitions = []Transition{
	{StatusDraft, ActionSubmit, ActorApplicant, StatusSubmitted},
	{StatusReturned, ActionSubmit, ActorApplicant, StatusSubmitted},
	{StatusSubmitted, ActionAccept, ActorDecider, StatusAccepted},
	{StatusSubmitted, ActionReturn, ActorDecider, StatusReturned},
	{StatusAccepted, ActionStartReview, ActorDecider, StatusUnderReview},
	{StatusAccepted, ActionReturn, ActorDecider, StatusReturned},
	{StatusUnderReview, ActionSeal, ActorDecider, StatusSealed},
	{StatusUnderReview, ActionReject, ActorDecider, StatusRejected},
	{StatusUnderReview, ActionReturn, ActorDecider, StatusReturned},
	{StatusSealed, ActionConfirm, ActorHolder, StatusSealed},
	{StatusSealed, ActionComplete, ActorSystem, StatusCompleted},
	{StatusDraft, ActionWithdraw, ActorApplicant, StatusWithdrawn},
	{StatusSubmitted, ActionWithdraw, ActorApplicant, StatusWithdrawn},
	{StatusReturned, ActionWithdraw, ActorApplicant, StatusWithdrawn},
	{StatusAccepted, ActionWithdraw, ActorApplicant, StatusWithdrawn},
	{StatusUnderReview, ActionWithdraw, ActorApplicant, StatusWithdrawn},
	{"", ActionExOfficio, ActorDecider, StatusUnderReview},
	// R11: the store allows it only on a withdrawal that left the duty.
	{StatusWithdrawn, ActionTakeUp, ActorDecider, StatusUnderReview},

	// Unsealing (R18, R19): only on a record that is sealed.
	{StatusSealed, ActionRecordUnsealingEvent, ActorDecider, StatusSealed},
	{StatusCompleted, ActionRecordUnsealingEvent, ActorDecider, StatusCompleted},
	{StatusSealed, ActionProposeUnsealing, ActorDecider, StatusUnsealingApproval},
	{StatusCompleted, ActionProposeUnsealing, ActorDecider, StatusUnsealingApproval},
	{StatusSealed, ActionReferUnsealing, ActorDecider, StatusUnsealingReview},
	{StatusCompleted, ActionReferUnsealing, ActorDecider, StatusUnsealingReview},
	{StatusUnsealingReview, ActionConfirmUnsealing, ActorSupervisor, StatusUnsealingApproval},
	// Kept sealed, the case returns to sealing; the store completes it at once
	// when every holding organ had already confirmed (R12).
	{StatusUnsealingReview, ActionKeepSealed, ActorSupervisor, StatusSealed},
	// Two-step unsealing (issue 18): nothing is unsealed until a second
	// official of the deciding organ approves; rejected, the case returns to
	// sealing (completed again at once when every holder had confirmed).
	{StatusUnsealingApproval, ActionUnseal, ActorApprover, StatusUnsealing},
	{StatusUnsealingApproval, ActionRejectUnsealing, ActorApprover, StatusSealed},
	{StatusUnsealing, ActionConfirmUnsealed, ActorHolder, StatusUnsealing},
	{StatusUnsealing, ActionCompleteUnsealing, ActorSystem, StatusUnsealed},

	// Overrides: the decision against the rules waits for a second official,
	// who takes it (seal or reject) or sends the case back to review.
	{StatusUnderReview, ActionProposeOverride, ActorDecider, StatusOverridePending},
	{StatusOverridePending, ActionSeal, ActorApprover, StatusSealed},
	{StatusOverridePending, ActionReject, ActorApprover, StatusRejected},
	{StatusOverridePending, ActionRejectOverride, ActorApprover, StatusUnderReview},
}

// Next returns the status that action by actor leads to from status, or a
// forbidden error naming neither the rule nor the case.
func Next(from CaseStatus, action CaseAction, actor Actor) (CaseStatus, error) {
	for _, t := range Transitions {
		if t.From == from && t.Action == action && t.Actor == actor {
			return t.To, nil
		}
	}
	return "", &Error{Code: CodeConflict, Key: "case.action_not_allowed"}
}

// Allowed lists the actions actor may take on a case in status from, in table
// order, leaving out the system's own and the unsealing steps that the rules
// pick rather than a person (UnsealingStep): an official records the event,
// and R18 decides which of them follows.
func Allowed(from CaseStatus, actor Actor) []CaseAction {
	var out []CaseAction
	for _, t := range Transitions {
		if t.From == from && t.Actor == actor && t.From != "" && !ruleChosen(t.Action) {
			out = append(out, t.Action)
		}
	}
	return out
}

// ruleChosen reports whether the rules, not a person, choose the action. A
// proposed override is chosen by the rules too: a seal or a refusal against
// their computation becomes one (override.go).
func ruleChosen(a CaseAction) bool {
	return a == ActionRecordUnsealingEvent || a == ActionProposeUnsealing || a == ActionReferUnsealing || a == ActionProposeOverride
}
