package portal

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Objections to a certificate answer (R14). The person, or whoever asked for
// the certificate, may object to a refusal or dispute an issued answer; the
// police organ that answered reviews the objection within
// Policy.ObjectionReview working days (15), extendable once to
// Policy.ObjectionReviewExtended (30) counted from the filing (MPS Rules
// 2021). Like a relief request it is a small state machine with a timeline,
// a deadline and a decision: upheld (for a refusal: the official records a
// corrected check and the certificate is issued) or rejected with reasons.

// ObjectionStatus is where an objection stands.
type ObjectionStatus string

// The statuses.
const (
	ObjectionPending  ObjectionStatus = "pending"  // waiting for the police organ's review
	ObjectionUpheld   ObjectionStatus = "upheld"   // the answer was corrected
	ObjectionRejected ObjectionStatus = "rejected" // the answer stands, with reasons
)

// ObjectionAction is a step on an objection.
type ObjectionAction string

// The actions.
const (
	ObjectionFile   ObjectionAction = "file"   // the citizen objects
	ObjectionExtend ObjectionAction = "extend" // the police extend the review to 30 working days, once
	ObjectionUphold ObjectionAction = "uphold" // the police correct the answer
	ObjectionReject ObjectionAction = "reject" // the police keep the answer
)

// ObjectionTransition is one row of the objection's state machine.
type ObjectionTransition struct {
	From   ObjectionStatus
	Action ObjectionAction
	To     ObjectionStatus
}

// ObjectionTransitions is the whole procedure; "" as From is the filing.
var ObjectionTransitions = []ObjectionTransition{
	{"", ObjectionFile, ObjectionPending},
	{ObjectionPending, ObjectionExtend, ObjectionPending},
	{ObjectionPending, ObjectionUphold, ObjectionUpheld},
	{ObjectionPending, ObjectionReject, ObjectionRejected},
}

// NextObjection returns where action leads from status, or a conflict.
func NextObjection(from ObjectionStatus, action ObjectionAction) (ObjectionStatus, error) {
	for _, t := range ObjectionTransitions {
		if t.From == from && t.Action == action {
			return t.To, nil
		}
	}
	return "", Conflict("cert.objection.not_allowed")
}

// ObjectionEvent is one step of an objection's timeline.
type ObjectionEvent struct {
	At        time.Time
	ActorID   uint64
	ActorRole Role
	Action    ObjectionAction
	Note      string
}

// CertificateObjection is one objection to a certificate's answer (R14).
type CertificateObjection struct {
	Status   ObjectionStatus
	Reason   string
	FiledBy  uint64
	FiledAt  time.Time
	Due      Date // ObjectionReview working days after the filing
	Extended bool // the due date is ObjectionReviewExtended working days after the filing

	// DueAwaitsCalendar: the deadline falls in a year whose official calendar
	// is not loaded yet ("to be set when the official calendar is published");
	// Due is zero until PutCalendarYear counts it.
	DueAwaitsCalendar bool `json:",omitempty"`
	Decision          string
	Events            []ObjectionEvent
}

// MaxObjectionRunes limits an objection's and a decision's text.
const MaxObjectionRunes = 2000

// CheckObjectionText validates the free text of a step (the reason of the
// objection, of an extension or of a decision) for the form field name.
func CheckObjectionText(name, text string) error {
	var fe FieldErrors
	switch n := utf8.RuneCountInString(strings.TrimSpace(text)); {
	case n == 0:
		fe.Add(name, "cert.objection.text_required")
	case n > MaxObjectionRunes:
		fe.Add(name, "cert.objection.text_too_long")
	}
	return fe.Err()
}

// MayObject reports whether the certificate's answer may be objected to: an
// answered request (issued or refused) with no objection yet (R14).
func (c Certificate) MayObject() bool {
	return (c.Status == CertIssued || c.Status == CertRefused) && c.Objection == nil
}

// Overdue reports whether a pending objection is past its deadline.
func (o CertificateObjection) Overdue(today Date) bool {
	return o.Status == ObjectionPending && !o.Due.IsZero() && today.After(o.Due)
}
