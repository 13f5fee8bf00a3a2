package views

import (
	"time"

	"sealportal/portal"
)

// Two-step unsealing (issue 18): the approval by a second official of the
// deciding organ and the holders' confirmations.

// UnsealHolderView is one holding organ's confirmation of an unsealing.
type UnsealHolderView struct {
	Name      string
	Own       bool // the reader's organ
	Confirmed bool
	At        time.Time
}

// UnsealApprovalView is the approval part of the unsealing page and of the
// case page.
type UnsealApprovalView struct {
	CaseID uint64
	Status portal.CaseStatus
	// Recorder names the official who recorded the unsealing; RecordedAt is
	// when. MayApprove: the reader is another official of the deciding
	// organ and the unsealing waits (the form is shown); Own: the reader
	// recorded it and waits for a colleague.
	Recorder   string
	RecordedAt time.Time
	MayApprove bool
	Own        bool
	Form       Form // the approval form's values and errors; Values["rules"] suggests the citations
	// Approver and ApprovedAt once approved.
	Approver   string
	ApprovedAt time.Time
	Holders    []UnsealHolderView
	Pending    int // holders that have not confirmed
}

// Waiting reports whether the unsealing waits for approval.
func (v UnsealApprovalView) Waiting() bool { return v.Status == portal.StatusUnsealingApproval }

// UnsealOpenRow is a row of the supervisor's list of open unsealings.
type UnsealOpenRow struct {
	CaseID     uint64
	CaseRef    string
	Organ      string
	Status     portal.CaseStatus
	RecordedAt time.Time
	Pending    []string // names of the holders that have not confirmed
}

// unsealCitationForm is the approval form as the citation picker reads it.
func unsealCitationForm(f Form) StaffActionForm {
	return StaffActionForm{Action: portal.ActionUnseal, Form: f}
}

// unsealApprovalOrder is the order of the approval form's fields in its
// summary.
var unsealApprovalOrder = []string{"verdict", "reasons", "citations"}

func unsealApprovalID(name string) string {
	if name == "citations" {
		return string(portal.ActionUnseal) + "-citations"
	}
	return "approval-" + name
}

// UnsealLinked reports whether the case page links to the unsealing page:
// the record is or was sealed.
func UnsealLinked(s portal.CaseStatus) bool {
	switch s {
	case portal.StatusSealed, portal.StatusCompleted, portal.StatusUnsealingReview, portal.StatusUnsealed,
		portal.StatusUnsealingApproval, portal.StatusUnsealing:
		return true
	}
	return false
}
