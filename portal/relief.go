package portal

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Relief (R24): when information that should be sealed was disclosed, or a
// record was not sealed when it should have been, and the person was treated
// unequally for it, the person, the guardian or a lawyer asks the supervising
// procuratorate to act. The supervisor accepts the request or says why not,
// may ask for more, records the steps it takes (an inquiry, a correction
// notice, a procuratorial suggestion, a record sealed by an organ) and closes
// the request with an outcome the applicant can read. Like a sealing case the
// procedure is an explicit state machine; anything not in its table is
// refused.

// ReliefKind is what happened to the person.
type ReliefKind string

// The kinds of relief request.
const (
	ReliefSchool      ReliefKind = "school"      // refused admission to, or expelled from, a school
	ReliefJob         ReliefKind = "job"         // refused or dismissed from a job
	ReliefEnlistment  ReliefKind = "enlistment"  // refused enlistment
	ReliefBenefit     ReliefKind = "benefit"     // refused social security or another benefit
	ReliefDeclaration ReliefKind = "declaration" // asked to declare a sealed record on a form (R23)
	ReliefNotSealed   ReliefKind = "not_sealed"  // the record was not sealed when it should have been (R11, R12)
	ReliefOther       ReliefKind = "other"
)

// ReliefKinds lists the kinds in the order the form offers them.
var ReliefKinds = []ReliefKind{ReliefSchool, ReliefJob, ReliefEnlistment, ReliefBenefit, ReliefDeclaration, ReliefNotSealed, ReliefOther}

// Valid reports whether k is a known kind.
func (k ReliefKind) Valid() bool { return slices.Contains(ReliefKinds, k) }

// UnitKind is what sort of organ or unit treated the person unequally.
type UnitKind string

// The unit kinds.
const (
	UnitSchool        UnitKind = "school"
	UnitEmployer      UnitKind = "employer"
	UnitPoliceStation UnitKind = "police_station"
	UnitCourt         UnitKind = "court"
	UnitProcuratorate UnitKind = "procuratorate"
	UnitJudicialAdmin UnitKind = "judicial_admin"
	UnitArmed         UnitKind = "recruitment" // a recruitment office
	UnitCommunity     UnitKind = "community"   // a residents' or villagers' committee
	UnitGovernment    UnitKind = "government"  // another government department (social security…)
	UnitOther         UnitKind = "other"
)

// UnitKinds lists the unit kinds in the order the form offers them.
var UnitKinds = []UnitKind{UnitSchool, UnitEmployer, UnitPoliceStation, UnitCourt, UnitProcuratorate, UnitJudicialAdmin,
	UnitArmed, UnitCommunity, UnitGovernment, UnitOther}

// Valid reports whether k is a known unit kind.
func (k UnitKind) Valid() bool { return slices.Contains(UnitKinds, k) }

// ReliefRemedy is what the person asks for.
type ReliefRemedy string

// The remedies a person may ask for (several at once).
const (
	RemedySealOrCorrect    ReliefRemedy = "seal_or_correct"   // seal or correct the record (R24)
	RemedyStopDisclosure   ReliefRemedy = "stop_disclosure"   // stop the disclosure
	RemedyReinstatement    ReliefRemedy = "reinstatement"     // admission, the job or the benefit back
	RemedyApology          ReliefRemedy = "apology"           // an apology
	RemedyCompensationInfo ReliefRemedy = "compensation_info" // information on compensation
)

// ReliefRemedies lists the remedies in the order the form offers them.
var ReliefRemedies = []ReliefRemedy{RemedySealOrCorrect, RemedyStopDisclosure, RemedyReinstatement, RemedyApology, RemedyCompensationInfo}

// Valid reports whether r is a known remedy.
func (r ReliefRemedy) Valid() bool { return slices.Contains(ReliefRemedies, r) }

// ReliefStatus is where a relief request stands.
type ReliefStatus string

// The statuses of a relief request.
const (
	ReliefDraft         ReliefStatus = "draft"          // the applicant is still writing it
	ReliefSubmitted     ReliefStatus = "submitted"      // waiting for the supervisor to accept or decline it
	ReliefInfoRequested ReliefStatus = "info_requested" // the supervisor asked the applicant for more before deciding
	ReliefAccepted      ReliefStatus = "accepted"       // accepted; the supervisor is acting on it
	ReliefDeclined      ReliefStatus = "declined"       // not accepted, with the reason
	ReliefClosed        ReliefStatus = "closed"         // closed with an outcome
	ReliefWithdrawn     ReliefStatus = "withdrawn"      // withdrawn by the applicant before closing
)

// ReliefStatuses lists the statuses in the order of the procedure.
var ReliefStatuses = []ReliefStatus{ReliefDraft, ReliefSubmitted, ReliefInfoRequested, ReliefAccepted, ReliefDeclined,
	ReliefClosed, ReliefWithdrawn}

// Valid reports whether s is a known status.
func (s ReliefStatus) Valid() bool { return slices.Contains(ReliefStatuses, s) }

// Final reports whether the request is finished: nobody owes a step.
func (s ReliefStatus) Final() bool {
	return s == ReliefDeclined || s == ReliefClosed || s == ReliefWithdrawn
}

// Open reports whether the supervisor owes a step (or awaits the applicant):
// sent and not finished.
func (s ReliefStatus) Open() bool {
	return s == ReliefSubmitted || s == ReliefInfoRequested || s == ReliefAccepted
}

// ReliefAction is a step someone takes on a relief request.
type ReliefAction string

// The actions.
const (
	ReliefCreate         ReliefAction = "create"          // the applicant starts a draft
	ReliefSubmit         ReliefAction = "submit"          // the applicant sends it
	ReliefAccept         ReliefAction = "accept"          // the supervisor accepts it
	ReliefDecline        ReliefAction = "decline"         // the supervisor declines it, with the reason
	ReliefAskInfo        ReliefAction = "ask_info"        // the supervisor asks the applicant for more
	ReliefProvideInfo    ReliefAction = "provide_info"    // the applicant answers a request for more
	ReliefRecordStep     ReliefAction = "record_step"     // the supervisor records a step it took
	ReliefIssueNotice    ReliefAction = "issue_notice"    // the supervisor issues a correction notice to an organ on the linked case
	ReliefNoticeAnswered ReliefAction = "notice_answered" // the organ answers the correction notice
	ReliefClose          ReliefAction = "close"           // the supervisor closes it with an outcome
	ReliefWithdraw       ReliefAction = "withdraw"        // the applicant withdraws it
)

// ReliefActor is the capacity in which someone acts on a relief request;
// derived from the account's role and relation, never chosen by the user.
type ReliefActor string

// The actors.
const (
	ReliefActorApplicant  ReliefActor = "applicant"  // the account that filed it
	ReliefActorSupervisor ReliefActor = "supervisor" // the supervising procuratorate (R24, MPL art. 105)
	ReliefActorOrgan      ReliefActor = "organ"      // the organ a correction notice was issued to
)

// ReliefTransition is one row of the table.
type ReliefTransition struct {
	From   ReliefStatus
	Action ReliefAction
	Actor  ReliefActor
	To     ReliefStatus
}

// ReliefTransitions is the whole procedure. "" as From is the creation.
var ReliefTransitions = []ReliefTransition{
	{"", ReliefCreate, ReliefActorApplicant, ReliefDraft},
	{ReliefDraft, ReliefSubmit, ReliefActorApplicant, ReliefSubmitted},
	{ReliefSubmitted, ReliefAccept, ReliefActorSupervisor, ReliefAccepted},
	{ReliefSubmitted, ReliefDecline, ReliefActorSupervisor, ReliefDeclined},
	{ReliefInfoRequested, ReliefDecline, ReliefActorSupervisor, ReliefDeclined},
	// Before deciding, a question puts the request in the applicant's hands
	// until he answers; after acceptance the work goes on while he answers.
	{ReliefSubmitted, ReliefAskInfo, ReliefActorSupervisor, ReliefInfoRequested},
	{ReliefAccepted, ReliefAskInfo, ReliefActorSupervisor, ReliefAccepted},
	{ReliefInfoRequested, ReliefProvideInfo, ReliefActorApplicant, ReliefSubmitted},
	{ReliefAccepted, ReliefRecordStep, ReliefActorSupervisor, ReliefAccepted},
	{ReliefAccepted, ReliefIssueNotice, ReliefActorSupervisor, ReliefAccepted},
	{ReliefAccepted, ReliefClose, ReliefActorSupervisor, ReliefClosed},
	// A correction notice has a life of its own (R11: the organ must seal
	// whatever becomes of the request), so its answer is recorded whenever it
	// comes.
	{ReliefAccepted, ReliefNoticeAnswered, ReliefActorOrgan, ReliefAccepted},
	{ReliefClosed, ReliefNoticeAnswered, ReliefActorOrgan, ReliefClosed},
	{ReliefWithdrawn, ReliefNoticeAnswered, ReliefActorOrgan, ReliefWithdrawn},
	{ReliefSubmitted, ReliefWithdraw, ReliefActorApplicant, ReliefWithdrawn},
	{ReliefInfoRequested, ReliefWithdraw, ReliefActorApplicant, ReliefWithdrawn},
	{ReliefAccepted, ReliefWithdraw, ReliefActorApplicant, ReliefWithdrawn},
}

// NextRelief returns the status that action by actor leads to from status, or
// a conflict error.
func NextRelief(from ReliefStatus, action ReliefAction, actor ReliefActor) (ReliefStatus, error) {
	for _, t := range ReliefTransitions {
		if t.From == from && t.Action == action && t.Actor == actor {
			return t.To, nil
		}
	}
	return "", Conflict("relief.action_not_allowed")
}

// AllowedRelief lists the actions actor may take on a request in status from,
// in table order, leaving out the creation.
func AllowedRelief(from ReliefStatus, actor ReliefActor) []ReliefAction {
	var out []ReliefAction
	for _, t := range ReliefTransitions {
		if t.From == from && t.Actor == actor && t.From != "" {
			out = append(out, t.Action)
		}
	}
	return out
}

// ReliefStepKind is what the supervisor did (R24).
type ReliefStepKind string

// The kinds of step the supervisor records.
const (
	StepInquiry          ReliefStepKind = "inquiry"           // an inquiry sent to the unit
	StepCorrectionNotice ReliefStepKind = "correction_notice" // a correction notice (纠正意见) issued
	StepSuggestion       ReliefStepKind = "suggestion"        // a procuratorial suggestion (检察建议)
	StepRecordSealed     ReliefStepKind = "record_sealed"     // the record was sealed by an organ
)

// ReliefStepKinds lists the kinds in the order the form offers them.
var ReliefStepKinds = []ReliefStepKind{StepInquiry, StepCorrectionNotice, StepSuggestion, StepRecordSealed}

// Valid reports whether k is a known step kind.
func (k ReliefStepKind) Valid() bool { return slices.Contains(ReliefStepKinds, k) }

// Limits of the relief texts.
const (
	MaxReliefUnitRunes        = 100
	MaxReliefDescriptionRunes = 4000
	MaxReliefNoteRunes        = 2000
)

// ReliefEvent is one step of a request's history.
type ReliefEvent struct {
	At        time.Time
	ActorID   uint64
	ActorRole Role
	OrganID   uint64 // the organ the step concerns: sealed by, notice to, answered by
	Action    ReliefAction
	From, To  ReliefStatus
	Kind      ReliefStepKind // for recorded steps and notices
	Note      string         // a reason, a question, what was done, the outcome
	NoticeID  uint64         // for notices and their answers
	NoticeDue Date           // for a notice: by when the organ must answer
	// NoticeDueAwaitsCalendar: the notice's deadline waits for the official
	// calendar of its year (set with NoticeDue when the year is loaded).
	NoticeDueAwaitsCalendar bool `json:",omitempty"`
}

// ReliefRequest is one request for relief (R24).
type ReliefRequest struct {
	ID       uint64
	Ref      string // e.g. JZ-2026-000007; given when submitted
	Status   ReliefStatus
	FiledBy  uint64
	Capacity FilerCapacity

	// The person treated unequally, named when a guardian or lawyer files
	// (the person's own account is the person).
	PersonName string

	// What happened.
	Kind        ReliefKind
	HappenedOn  Date
	UnitName    string
	UnitKind    UnitKind
	Description string
	Remedies    []ReliefRemedy

	// The sealing case it concerns, optional: one of the applicant's own.
	LinkedCaseID  uint64
	LinkedCaseRef string

	Documents []Document

	// Processing.
	Due Date // the supervisor's deadline (R24 service standard), from submission

	// DueAwaitsCalendar: the deadline falls in a year whose official calendar
	// is not loaded yet ("to be set when the official calendar is published");
	// Due is zero until PutCalendarYear counts it.
	DueAwaitsCalendar bool `json:",omitempty"`
	Outcome           string
	NoticeIDs         []uint64
	Events            []ReliefEvent
	CreatedAt         time.Time
	SubmittedAt       time.Time
	UpdatedAt         time.Time
}

// Overdue reports whether the supervisor's deadline has passed on today while
// the request is still open.
func (r ReliefRequest) Overdue(today Date) bool {
	return r.Status.Open() && !r.Due.IsZero() && today.After(r.Due)
}

// Document returns the attached document with the given id.
func (r ReliefRequest) Document(id uint64) (Document, bool) {
	for _, d := range r.Documents {
		if d.ID == id {
			return d, true
		}
	}
	return Document{}, false
}

// Validate checks the applicant's answers as of today; field names are the
// form's. R23: the form asks what the unit did, never what the record says.
func (r ReliefRequest) Validate(today Date) error {
	var fe FieldErrors
	if r.Capacity == CapacityGuardian || r.Capacity == CapacityLawyer {
		switch n := utf8.RuneCountInString(strings.TrimSpace(r.PersonName)); {
		case n == 0:
			fe.Add("person_name", "relief.person_name_required")
		case n > MaxNameRunes:
			fe.Add("person_name", "relief.person_name_too_long")
		}
	}
	if !r.Kind.Valid() {
		fe.Add("kind", "relief.kind_required")
	}
	switch {
	case r.HappenedOn.IsZero():
		fe.Add("happened_on", "relief.happened_required")
	case r.HappenedOn.After(today):
		fe.Add("happened_on", "relief.happened_future")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(r.UnitName)); {
	case n == 0:
		fe.Add("unit_name", "relief.unit_name_required")
	case n > MaxReliefUnitRunes:
		fe.Add("unit_name", "relief.unit_name_too_long")
	}
	if !r.UnitKind.Valid() {
		fe.Add("unit_kind", "relief.unit_kind_required")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(r.Description)); {
	case n == 0:
		fe.Add("description", "relief.description_required")
	case n > MaxReliefDescriptionRunes:
		fe.Add("description", "relief.description_too_long")
	}
	if len(r.Remedies) == 0 {
		fe.Add("remedies", "relief.remedies_required")
	}
	for _, m := range r.Remedies {
		if !m.Valid() {
			fe.Add("remedies", "relief.remedies_required")
		}
	}
	if len(r.Documents) > MaxDocumentsPerCase {
		fe.Add("file", "upload.too_many")
	}
	return fe.Err()
}

// ReliefStep is what someone does on a request, before it is applied.
type ReliefStep struct {
	Action  ReliefAction
	Actor   ReliefActor
	Kind    ReliefStepKind // record_step: what was done
	OrganID uint64         // record_step of a record sealed: by which organ; issue_notice: to which organ
	Note    string         // the reason, the question, the step, the notice's text or the outcome
}

// Validate checks what the step needs on request r: a reason to decline, a
// question to ask, a step's kind and description (and the organ that sealed),
// a notice's organ, text and linked sealing case, an outcome to close.
func (s ReliefStep) Validate(r ReliefRequest) error {
	var fe FieldErrors
	note := utf8.RuneCountInString(strings.TrimSpace(s.Note))
	field := "note"
	if s.Action == ReliefNoticeAnswered {
		field = "answer" // the organ's form calls it the answer
	}
	if note > MaxReliefNoteRunes {
		fe.Add(field, "relief.note_too_long")
	}
	switch s.Action {
	case ReliefDecline:
		if note == 0 {
			fe.Add("note", "relief.reason_required")
		}
	case ReliefAskInfo:
		if note == 0 {
			fe.Add("note", "relief.question_required")
		}
	case ReliefRecordStep:
		if !s.Kind.Valid() {
			fe.Add("kind", "relief.step_kind_required")
		}
		if note == 0 {
			fe.Add("note", "relief.step_note_required")
		}
		if s.Kind == StepRecordSealed && s.OrganID == 0 {
			fe.Add("organ", "relief.organ_required")
		}
	case ReliefIssueNotice:
		// R24: the notice concerns the sealing of a case the portal knows.
		if r.LinkedCaseID == 0 {
			return Conflict("relief.notice_needs_case")
		}
		if s.OrganID == 0 {
			fe.Add("organ", "relief.organ_required")
		}
		if note == 0 {
			fe.Add("note", "relief.notice_text_required")
		}
	case ReliefClose:
		if note == 0 {
			fe.Add("note", "relief.outcome_required")
		}
	case ReliefNoticeAnswered:
		if note == 0 {
			fe.Add(field, "relief.answer_required")
		}
	}
	return fe.Err()
}

// ReliefMessage is one message on a relief request between the applicant and
// the supervisor.
type ReliefMessage struct {
	ID        uint64
	ReliefID  uint64
	From      uint64
	FromRole  Role
	Text      string
	Documents []Document
	At        time.Time
}

// Validate checks a message before it is stored.
func (m ReliefMessage) Validate() error {
	return Message{Text: m.Text, Documents: m.Documents}.Validate()
}

// CorrectionNotice is a correction notice (纠正意见) the supervisor issues to
// an organ about the sealing case linked to a relief request (R24). It sits in
// that organ's queue with its own deadline until the organ answers.
type CorrectionNotice struct {
	ID        uint64
	ReliefID  uint64
	ReliefRef string
	CaseID    uint64
	CaseRef   string
	OrganID   uint64
	Text      string // what the organ must correct
	IssuedBy  uint64
	IssuedAt  time.Time
	Due       Date // Policy.CorrectionAnswer from the day of issue

	// DueAwaitsCalendar: the deadline falls in a year whose official calendar
	// is not loaded yet ("to be set when the official calendar is published");
	// Due is zero until PutCalendarYear counts it.
	DueAwaitsCalendar bool `json:",omitempty"`
	Answer            string
	AnsweredBy        uint64
	AnsweredAt        time.Time
}

// Answered reports whether the organ has answered.
func (n CorrectionNotice) Answered() bool { return !n.AnsweredAt.IsZero() }

// Overdue reports whether the organ's answer is late on today.
func (n CorrectionNotice) Overdue(today Date) bool {
	return !n.Answered() && !n.Due.IsZero() && today.After(n.Due)
}

// ReliefReferencePrefix is the prefix of relief reference numbers (救济).
const ReliefReferencePrefix = "JZ"

// ReliefReference formats a relief request's reference number from its year
// and sequence, e.g. JZ-2026-000007.
func ReliefReference(year int, seq uint64) string {
	return fmt.Sprintf("%s-%d-%06d", ReliefReferencePrefix, year, seq)
}

// IsReliefReference reports whether ref is a relief request's reference (so
// that a notification links to the relief page, not a sealing case's).
func IsReliefReference(ref string) bool { return strings.HasPrefix(ref, ReliefReferencePrefix+"-") }
