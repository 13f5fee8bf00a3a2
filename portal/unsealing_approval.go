package portal

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Two-step unsealing (issue 18). The Measures (arts. 18–19) oblige the organ
// that sealed a record to unseal it on the grounds of R18, from the day the
// ground arose; CPL art. 286 makes the sealing itself the rule. An unsealing
// ends that protection for good, so the portal never lets one official do it
// alone:
//
//  1. an official of the deciding organ records the event, its legal basis
//     and the rules' answer (RecordUnsealingEvent); an answer of unseal (or
//     the supervisor's confirmation of one the rules left to review) waits
//     for approval, and the record stays sealed (StatusUnsealingApproval);
//  2. a different official of the same organ approves it — the decision that
//     takes effect, with its document served on the person and the guardian
//     and sent to every organ holding records — or rejects it with reasons,
//     and the case returns to sealing;
//  3. every holding organ confirms it lifted the seal on its files, as it
//     confirmed the sealing (R12); the system closes the unsealing when the
//     last one has (StatusUnsealed).

// UnsealingApprovalVerdict is the second official's decision.
type UnsealingApprovalVerdict string

// The verdicts.
const (
	ApprovalUnseal UnsealingApprovalVerdict = "approve" // the record is unsealed
	ApprovalReject UnsealingApprovalVerdict = "reject"  // the recorded unsealing is refused
)

// Action is the step of the state machine the verdict takes.
func (v UnsealingApprovalVerdict) Action() (CaseAction, bool) {
	switch v {
	case ApprovalUnseal:
		return ActionUnseal, true
	case ApprovalReject:
		return ActionRejectUnsealing, true
	}
	return "", false
}

// UnsealingApproval is the second official's decision on a recorded
// unsealing.
type UnsealingApproval struct {
	Verdict UnsealingApprovalVerdict
	Reasons string `json:",omitempty"`
	By      uint64
	At      time.Time
}

// Validate checks the decision: a known verdict; reasons are required for a
// rejection (the recording official and the supervisor must learn why) and
// optional for an approval, whose basis is the recorded event's.
func (a UnsealingApproval) Validate() error {
	var fe FieldErrors
	if _, ok := a.Verdict.Action(); !ok {
		fe.Add("verdict", "unseal.approval_verdict_required")
	}
	n := utf8.RuneCountInString(strings.TrimSpace(a.Reasons))
	switch {
	case n == 0 && a.Verdict == ApprovalReject:
		fe.Add("reasons", "unseal.approval_reasons_required")
	case n > MaxLegalBasisRunes:
		fe.Add("reasons", "unseal.reasons_too_long")
	}
	return fe.Err()
}

// AwaitsApproval reports whether the record waits for the second official:
// the rules said unseal, or the supervisor confirmed an unsealing the rules
// left to review, and nobody approved or rejected it yet.
func (r UnsealingRecord) AwaitsApproval() bool {
	if !r.TwoStep || r.Approval != nil {
		return false
	}
	return r.Step == ActionProposeUnsealing || r.Review != nil && r.Review.Verdict == VerdictConfirmUnsealing
}

// Rejected reports whether the second official refused the unsealing.
func (r UnsealingRecord) Rejected() bool {
	return r.Approval != nil && r.Approval.Verdict == ApprovalReject
}

// UnsealingRecorder is the official who recorded the unsealing waiting for
// approval on the case: the one whose step last led into the unsealing
// procedure (the event's recording; a supervisor's confirmation comes after
// it and does not replace the recorder).
func UnsealingRecorder(c Case) (uint64, bool) {
	for i := len(c.Events) - 1; i >= 0; i-- {
		switch c.Events[i].Action {
		case ActionProposeUnsealing, ActionReferUnsealing:
			return c.Events[i].ActorID, true
		}
	}
	return 0, false
}

// MayApproveUnsealing decides whether the official (account, organ) may
// approve or reject the unsealing waiting on the case: only while one waits,
// only an official of the deciding organ, and never the official who
// recorded it (issue 18: two people decide an unsealing). Another organ's
// official is told the case does not exist.
func MayApproveUnsealing(c Case, account, organ uint64) error {
	if organ == 0 || c.DecidingOrganID != organ {
		return NotFound()
	}
	if c.Status != StatusUnsealingApproval {
		return Conflict("unseal.no_approval")
	}
	recorder, ok := UnsealingRecorder(c)
	if !ok || recorder == account {
		return Forbidden("unseal.self_approval")
	}
	return nil
}

// PendingUnsealHolders lists the holding organs that have not yet confirmed
// they lifted the seal on their files.
func (c Case) PendingUnsealHolders() []uint64 {
	var out []uint64
	for _, id := range c.HoldingOrganIDs {
		if _, ok := c.UnsealConfirmations[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// OwesUnsealConfirmation reports whether organ is a holding organ that still
// has to confirm the unsealing of the case.
func (c Case) OwesUnsealConfirmation(organ uint64) bool {
	return c.Status == StatusUnsealing && organ != 0 && slices.Contains(c.PendingUnsealHolders(), organ)
}

// The audit action of the approver's decision; a holder's confirmation is a
// case step like the sealing's.
const AuditUnsealingApproved AuditAction = "unsealing_approved" // Detail is the verdict
