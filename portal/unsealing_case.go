package portal

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Unsealing events recorded on a sealing case (R18, R19). The deciding organ
// reports the event; EvaluateUnsealing answers; UnsealingStep turns the answer
// into the one step of the state machine that follows. An answer of review
// waits for the supervisor, who confirms the unsealing or keeps the record
// sealed, with reasons. Every recorded event, whatever its answer, stays on
// the case for the supervisor to review.

// RecordSealed reports whether a case in this status holds a sealed record:
// sealing was decided (R12) and nothing has unsealed it. A record in an
// unsealing review is still sealed until the supervisor decides (R18), and a
// recorded unsealing until a second official approves it (issue 18).
func (s CaseStatus) RecordSealed() bool {
	return s == StatusSealed || s == StatusCompleted || s == StatusUnsealingReview || s == StatusUnsealingApproval
}

// UnsealingStep is the step that follows the rules' answer on an event: unseal
// (R18 a/b/c over the limit), refer to the supervisor (exactly 60 months) or
// only record it (within the limit, or an adult crime, R19).
func UnsealingStep(d Decision) (CaseAction, error) {
	switch d.Outcome {
	case OutcomeUnseal:
		return ActionProposeUnsealing, nil
	case OutcomeReview:
		return ActionReferUnsealing, nil
	case OutcomeStaysSealed:
		return ActionRecordUnsealingEvent, nil
	}
	return "", &Error{Code: CodeInternal, Key: "error.internal"}
}

// MaxLegalBasisRunes bounds the legal-basis note of an unsealing event.
const MaxLegalBasisRunes = 500

// UnsealingReviewVerdict is the supervisor's decision on a review.
type UnsealingReviewVerdict string

// The verdicts.
const (
	VerdictConfirmUnsealing UnsealingReviewVerdict = "confirm" // the record is unsealed
	VerdictKeepSealed       UnsealingReviewVerdict = "keep"    // the record stays sealed
)

// Action is the step of the state machine the verdict takes.
func (v UnsealingReviewVerdict) Action() (CaseAction, bool) {
	switch v {
	case VerdictConfirmUnsealing:
		return ActionConfirmUnsealing, true
	case VerdictKeepSealed:
		return ActionKeepSealed, true
	}
	return "", false
}

// UnsealingReview is the supervisor's decision on an event the rules left to
// a legal review.
type UnsealingReview struct {
	Verdict UnsealingReviewVerdict
	Reasons string
	By      uint64
	At      time.Time
}

// Validate checks a review: a known verdict and the reasons, which are
// always given (R18: the portal never guesses, and a person's decision is
// explained).
func (r UnsealingReview) Validate() error {
	var fe FieldErrors
	if _, ok := r.Verdict.Action(); !ok {
		fe.Add("verdict", "unseal.verdict_required")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(r.Reasons)); {
	case n == 0:
		fe.Add("reasons", "unseal.reasons_required")
	case n > MaxLegalBasisRunes:
		fe.Add("reasons", "unseal.reasons_too_long")
	}
	return fe.Err()
}

// UnsealingRecord is one event recorded on a case with the rules' answer.
type UnsealingRecord struct {
	ID              uint64
	CaseID          uint64
	CaseRef         string
	DecidingOrganID uint64
	Event           UnsealingEvent
	// LegalBasis names the judgment or ruling of the new case, or the retrial,
	// on which the event rests; every unsealing names its basis.
	LegalBasis string
	Decision   Decision
	Step       CaseAction // the step the answer took (UnsealingStep)
	RecordedBy uint64
	RecordedAt time.Time
	// PriorStatus and PriorDue are the case's status and deadline before the
	// event, so that a review that keeps the record sealed restores them.
	PriorStatus CaseStatus
	PriorDue    Date
	// PriorAwaitsCalendar, PriorDueFrom and PriorDueDeadline keep a deadline
	// that was waiting for a calendar year, so that keeping the record sealed
	// restores that too.
	PriorAwaitsCalendar bool             `json:",omitempty"`
	PriorDueFrom        Date             `json:",omitzero"`
	PriorDueDeadline    string           `json:",omitempty"`
	Review              *UnsealingReview // the supervisor's decision, when the answer was review
	// TwoStep says the record follows the two-step procedure (issue 18):
	// an unsealing takes effect only on Approval by a second official.
	// Records from before it have none: they took effect when recorded or
	// when the supervisor confirmed them.
	TwoStep  bool               `json:",omitempty"`
	Approval *UnsealingApproval `json:",omitempty"`
}

// Pending reports whether the record waits for the supervisor.
func (r UnsealingRecord) Pending() bool { return r.Step == ActionReferUnsealing && r.Review == nil }

// Unsealed reports whether the event ended with the record unsealed, by the
// rules or by the supervisor.
func (r UnsealingRecord) Unsealed() bool {
	if r.TwoStep {
		return r.Approval != nil && r.Approval.Verdict == ApprovalUnseal
	}
	// Before the two-step procedure: "unseal" was the rules' own step.
	return r.Step == ActionUnseal || r.Review != nil && r.Review.Verdict == VerdictConfirmUnsealing
}

// Validate checks the event against the person's birth date and the legal
// basis, with the form's field names: kind, act_date, combined_months,
// combined_days, legal_basis (and birth_date when the case lacks one).
func (r UnsealingRecord) Validate(birth, today Date) error {
	var fe FieldErrors
	if err := r.Event.Validate(birth, today); err != nil {
		if pe, ok := AsError(err); ok {
			for k, v := range pe.Fields {
				fe.Add(strings.TrimPrefix(k, "event."), v)
			}
		}
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(r.LegalBasis)); {
	case n == 0:
		fe.Add("legal_basis", "unseal.legal_basis_required")
	case n > MaxLegalBasisRunes:
		fe.Add("legal_basis", "unseal.legal_basis_too_long")
	}
	return fe.Err()
}

// Audit actions of unsealing and co-offender marking.
const (
	AuditUnsealingRecorded AuditAction = "unsealing_recorded" // Detail is the rules' outcome
	AuditUnsealingReviewed AuditAction = "unsealing_reviewed" // Detail is the verdict
	AuditCoOffendersSet    AuditAction = "cooffenders_set"    // Detail is how many numbers
	AuditCoOffenderLookup  AuditAction = "cooffender_lookup"  // Detail is marked or not_marked
)

// Co-offenders (R20, R22). A sealing case lists the case numbers of adults who
// offended together with the minor; the adults' files are then marked
// "contains sealed-record information" (含犯罪记录封存信息), and nothing
// produced from them carries the minor's identity.

// MaxCoOffenderCases bounds the case numbers a case lists.
const MaxCoOffenderCases = 20

// maxCaseNumberRunes bounds one case number (as the application form does).
const maxCaseNumberRunes = 60

// NormalizeCaseNumber reads a case number as typed: white space removed,
// full-width brackets and hyphens folded to their ASCII forms, Latin letters
// in upper case, so that "（2024）京0108刑初123号" and "(2024)京0108刑初123号"
// are the same number. ok is false when nothing is left or it is too long.
func NormalizeCaseNumber(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\u3000':
			continue
		case '（':
			r = '('
		case '）':
			r = ')'
		case '〔', '［':
			r = '['
		case '〕', '］':
			r = ']'
		case '－', '—', '–':
			r = '-'
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" || utf8.RuneCountInString(out) > maxCaseNumberRunes {
		return "", false
	}
	return out, true
}

// ParseCoOffenderCases reads the co-offenders' case numbers, one per line (or
// separated by commas or semicolons), normalised and without repeats. Every
// problem is reported against the field "numbers".
func ParseCoOffenderCases(s string) ([]string, error) {
	var fe FieldErrors
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '，' || r == ';' || r == '；' || r == '、'
	}) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		n, ok := NormalizeCaseNumber(part)
		if !ok {
			fe.Add("numbers", "cooff.number_invalid")
			continue
		}
		if !containsString(out, n) {
			out = append(out, n)
		}
	}
	if len(out) > MaxCoOffenderCases {
		fe.Add("numbers", "cooff.too_many")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
