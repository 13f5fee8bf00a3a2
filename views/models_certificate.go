package views

import (
	"time"

	"github.com/a-h/templ"

	"sealportal/portal"
)

// View models of proofs of no criminal record (/certificates, the police
// queue, the public /verify page), unsealing events (the deciding organ's
// form and the supervisor's list) and co-offender marking.

// CertPersonOption is a person the signed-in account may request a
// certificate for: "self" for the person's own account, else the id of a case
// the guardian or lawyer follows. The identity number arrives masked.
type CertPersonOption struct {
	Value    string
	Name     string
	MaskedID string
	Ref      string // the case it comes from, for guardians and lawyers
}

// CertPoliceOption is a police organ that issues certificates.
type CertPoliceOption struct {
	ID   uint64
	Name string
}

// CertRow is one of the account's certificates or requests.
type CertRow struct {
	ID                uint64
	Ref               string
	Status            portal.CertificateStatus
	PersonName        string
	MaskedID          string
	RequestedAt       time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	AnsweredAt        time.Time
	RevokedAt         time.Time
}

// CertListModel is GET /certificates: the request form and the account's
// requests and certificates.
type CertListModel struct {
	Page      Page
	Form      Form
	Persons   []CertPersonOption
	Police    []CertPoliceOption
	Rows      []CertRow
	NoticeKey string
	Days      int // the time limit in working days (portal.Policy.Certificate)
}

// CertificateModel is GET /certificates/:id: the printable certificate once
// issued, or where the request stands.
type CertificateModel struct {
	Page              Page
	ID                uint64
	Ref               string
	Status            portal.CertificateStatus
	HolderName        string
	HolderID          string           // in full, as on a paper certificate (R14)
	HolderDoc         portal.IDDocType // "" is the mainland identity card (R31)
	HolderState       string
	RequestedAt       time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	IssuedOn          portal.Date
	RevokedOn         portal.Date
	AnsweredOn        portal.Date
	IssuingOrgan      string
	Code              string        // grouped for reading; only on an issued certificate
	VerifyURL         string        // the absolute address of /verify on this host
	QR                templ.SafeURL // a data: URL of the QR code's PNG, which encodes VerifyURL only
	// Refusal is which refusal a refused request carries (R14): a record
	// found, or a check that cannot be decided online.
	Refusal   portal.CertificateCheckResult
	Objection *CertObjectionView
	MayObject bool
	Form      Form // the objection form
	NoticeKey string
}

// CertObjectionView is an objection to a certificate's answer as shown to
// the citizen and to the police (R14).
type CertObjectionView struct {
	Status            portal.ObjectionStatus
	Reason            string
	FiledAt           time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Extended          bool
	Decision          string
	Events            []portal.ObjectionEvent
}

// CertSealedRow is a sealed record the portal knows for a request's holder,
// shown to the police official as one that must not appear (R14).
type CertSealedRow struct {
	CaseRef         string
	OrganCaseNumber string
	Organ           string
	DecisionDate    portal.Date
}

// CertPolicePageModel is GET /staff/certificates/:id: the request as the police
// official handles it: the holder's verified identity, the sealed records
// that must not appear, the check of the police records and the answer, and
// any objection.
type CertPolicePageModel struct {
	Page              Page
	ID                uint64
	Ref               string
	Status            portal.CertificateStatus
	HolderName        string
	HolderID          string
	HolderDoc         portal.IDDocType
	HolderState       string
	RequestedAt       time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
	Sealed            []CertSealedRow
	Check             *portal.CertificateCheck
	CheckOpts         []portal.CertificateCheckResult
	CheckForm         Form // the check form
	Form              Form // the objection decision form
	Objection         *CertObjectionView
	NoticeKey         string
}

// CertObjectionRow is a pending objection in the police organ's list.
type CertObjectionRow struct {
	ID                uint64
	Ref               string
	Filed             time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
}

// CertQueueRow is one waiting request in the police queue.
type CertQueueRow struct {
	ID                uint64
	Ref               string
	Requested         time.Time
	Due               portal.Date
	DueAwaitsCalendar bool // the deadline is "to be set when the official calendar is published"
	Overdue           bool
}

// CertQueueModel is GET /staff/certificates: the police organ's requests by
// deadline.
type CertQueueModel struct {
	Page      Page
	Organ     string
	Rows      []CertQueueRow
	Total     int
	Pager     StaffPager
	NoticeKey string
	// Answered is the request just answered, with its outcome.
	AnsweredRef    string
	AnsweredStatus portal.CertificateStatus
	Summary        string // a form-level problem (e.g. already answered)
	Objections     []CertObjectionRow
}

// VerifyModel is GET and POST /verify.
type VerifyModel struct {
	Page    Page
	Form    Form
	Checked bool // a code was checked: Result is the answer
	Result  portal.VerificationResult
}

// UnsealReviewView is the supervisor's decision on a review.
type UnsealReviewView struct {
	Verdict portal.UnsealingReviewVerdict
	Reasons string
	At      time.Time
}

// UnsealRecordView is one recorded unsealing event.
type UnsealRecordView struct {
	ID         uint64
	CaseID     uint64
	CaseRef    string
	Organ      string
	Kind       portal.UnsealingKind
	ActDate    portal.Date
	Combined   bool // R19: an adult crime combined with the sealed sentence
	Months     int
	Days       int
	LegalBasis string
	Outcome    portal.Outcome
	Rules      []string
	ReasonKey  string
	Step       portal.CaseAction
	RecordedAt time.Time
	Pending    bool
	Unsealed   bool
	Review     *UnsealReviewView
	// DecideURL and Form are the supervisor's decision form on a pending review.
	DecideURL string
	Form      Form
}

// UnsealFormModel is GET /staff/cases/:id/unsealing: the deciding organ
// records an event against a sealed record (R18, R19).
type UnsealFormModel struct {
	Page      Page
	CaseID    uint64
	Ref       string
	Status    portal.CaseStatus
	MayRecord bool // the record is sealed: an event can be recorded
	Form      Form
	Records   []UnsealRecordView
	NoticeKey string
	// Approval: the two-step unsealing's state (issue 18); nil when none.
	Approval *UnsealApprovalView
}

// UnsealSupervisionModel is GET /supervision/unsealing: reviews waiting for
// the supervisor and every recorded event.
type UnsealSupervisionModel struct {
	Page      Page
	Pending   []UnsealRecordView
	Open      []UnsealOpenRow // issue 18: waiting for approval or holders' confirmations
	All       []UnsealRecordView
	Total     int
	Pager     StaffPager
	NoticeKey string
}

// CoOffenderFormModel is GET /staff/cases/:id/cooffenders (R20).
type CoOffenderFormModel struct {
	Page      Page
	CaseID    uint64
	Ref       string
	Numbers   []string
	Form      Form
	NoticeKey string
}

// CoOffenderLookupModel is GET /staff/cooffender: the marking of an adult's
// case number, never anything about the minor (R22).
type CoOffenderLookupModel struct {
	Page    Page
	Form    Form
	Checked bool
	Marked  bool
}

// SealedInfoModel is GET and POST /staff/sealed-info: the organ's other cases
// marked as using sealed information (R21), and the form to mark one.
type SealedInfoModel struct {
	Page      Page
	Form      Form
	Marks     []portal.SealedInfoMark
	NoticeKey string
}
