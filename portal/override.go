package portal

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Decisions that cannot quietly go wrong (issue 18). The rules (R1–R10)
// compute whether a record is to be sealed; the deciding organ decides. A
// decision against the computation — refusing a case the rules say must be
// sealed, or sealing one they say is not eligible — is an override: it needs
// written reasons and the approval of a second official of the same organ,
// and the supervising procuratorate sees it in its list of overrides (MPL
// art. 105). Until approved the case waits ("awaiting a second official's
// approval"); the second official takes the decision or sends the case back
// to review.

// Override is a decision against the rules' computation waiting for a second
// official.
type Override struct {
	ID      uint64     // the row of the supervisor's list of overrides
	Action  CaseAction // ActionSeal or ActionReject
	Outcome Outcome    // what the rules computed (OutcomeSeal or OutcomeNotEligible)
	// Rules are the rule ids the proposed decision relies on.
	Rules      []string
	Reasons    string
	ProposedBy uint64
	OrganID    uint64
	ProposedAt time.Time
}

// MaxOverrideReasonRunes bounds the written reasons of an override.
const MaxOverrideReasonRunes = MaxMessageRunes

// AgainstRules reports whether deciding a on the case goes against what the
// rules compute from its facts, and what they compute: sealing where they
// say not eligible, refusing where they say seal. Where the rules answer
// review or not yet, or the facts are incomplete, the organ's decision is
// its own and no override is needed.
func AgainstRules(c Case, a CaseAction) (Decision, bool) {
	d, ok := c.Eligibility()
	if !ok {
		return Decision{}, false
	}
	switch {
	case a == ActionSeal && d.Outcome == OutcomeNotEligible:
		return d, true
	case a == ActionReject && d.Outcome == OutcomeSeal:
		return d, true
	}
	return d, false
}

// Validate checks a proposed override, with the form's field names: the
// decision is a seal or a refusal and the reasons are written.
func (o Override) Validate() error {
	var fe FieldErrors
	if o.Action != ActionSeal && o.Action != ActionReject {
		fe.Add("action", "override.action_invalid")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(o.Reasons)); {
	case n == 0:
		fe.Add("note", "override.reasons_required")
	case n > MaxOverrideReasonRunes:
		fe.Add("note", "staff.note_too_long")
	}
	if o.ProposedBy == 0 || o.OrganID == 0 {
		fe.Add("action", "override.action_invalid")
	}
	return fe.Err()
}

// MayDecideOverride checks that account (of organ) may approve or reject the
// override pending on c: an official of the deciding organ who did not
// propose it. The first official cannot approve his own override.
func MayDecideOverride(c Case, account, organ uint64) error {
	if c.Status != StatusOverridePending || c.Override == nil {
		return Conflict("override.none_pending")
	}
	if organ == 0 || organ != c.DecidingOrganID || organ != c.Override.OrganID {
		return NotFound()
	}
	if account == 0 || account == c.Override.ProposedBy {
		return Forbidden("override.same_official")
	}
	return nil
}

// OverrideState is where an entry of the supervisor's list stands.
type OverrideState string

// The states of an override.
const (
	OverridePending  OverrideState = "pending"
	OverrideApproved OverrideState = "approved"
	OverrideRejected OverrideState = "rejected"
)

// OverrideEntry is a row of the supervisor's list of overrides. It holds the
// case's reference and ids, never personal data; the reasons are read on the
// case's page (an audited read, R17).
type OverrideEntry struct {
	ID         uint64
	CaseID     uint64
	Ref        string
	OrganID    uint64
	Action     CaseAction
	Outcome    Outcome
	State      OverrideState
	ProposedBy uint64
	ProposedAt time.Time
	DecidedBy  uint64    `json:",omitempty"`
	DecidedAt  time.Time `json:",omitzero"`
}

// exOfficioBarred are the steps an ex officio case never has: no return for
// correction (nobody applied who could correct anything) and no citizen's
// withdrawal (R11: sealing does not depend on an application).
var exOfficioBarred = []CaseAction{ActionReturn, ActionWithdraw}

// AllowedOn is Allowed for a particular case: an ex officio case has neither
// a return nor a withdrawal (R11).
func AllowedOn(c Case, actor Actor) []CaseAction {
	out := Allowed(c.Status, actor)
	if c.ExOfficio {
		out = slices.DeleteFunc(out, func(a CaseAction) bool { return slices.Contains(exOfficioBarred, a) })
	}
	return out
}

// CheckExOfficio refuses a step that an ex officio case never has (R11).
func CheckExOfficio(c Case, a CaseAction) error {
	if c.ExOfficio && slices.Contains(exOfficioBarred, a) {
		return Forbidden("decide.exofficio_barred")
	}
	return nil
}

// ExOfficioDispositions are the outcomes each kind of organ decides itself
// and can therefore open a case for ex officio (R11, R12): the court its
// judgments (a sentence, exemption from punishment, an acquittal, R10), the
// procuratorate its decisions not to prosecute (R8), the police the cases it
// withdraws (撤销案件, R9), its administrative penalties and the specialised
// correctional education decided with it (Law on Preventing Juvenile
// Delinquency 2020 art. 45; R28), the
// judicial administration the sentences whose community correction it ends
// (R33).
var ExOfficioDispositions = map[Role][]Disposition{
	RoleCourt:         {DispositionSentenced, DispositionExempted, DispositionAcquittedInsufficientEvidence, DispositionNoCriminalLiability},
	RoleProcuratorate: {DispositionNotProsecuted, DispositionConditionalNonProsecutionCompleted},
	RolePolice: {DispositionCaseWithdrawn, DispositionNoCriminalLiability, DispositionAdministrativePenalty,
		DispositionSpecialisedCorrectionalEducation},
	RoleJudicialAdmin: {DispositionSentenced},
}

// MayOpenWith reports whether an organ of kind may open a case ex officio
// with disposition d.
func MayOpenWith(kind Role, d Disposition) bool {
	return slices.Contains(ExOfficioDispositions[kind], d)
}

// Audit actions of overrides.
const (
	AuditOverrideProposed AuditAction = "override_proposed" // Detail is the decision:what the rules computed
	AuditOverrideApproved AuditAction = "override_approved" // Detail is the decision taken
	AuditOverrideRejected AuditAction = "override_rejected" // Detail is the decision not taken
)

// CaseVersion names the state of a case a page shows: the time of its last
// change and the number of steps in its timeline (two steps in the same
// instant still differ). A step posted with another version comes from a
// stale page (issue 18).
func CaseVersion(c Case) string {
	return strconv.FormatInt(c.UpdatedAt.UnixNano(), 36) + "." + strconv.Itoa(len(c.Events))
}

// VersionSteps is the number of timeline steps a version names, false when
// the version is not one.
func VersionSteps(v string) (int, bool) {
	_, n, ok := strings.Cut(v, ".")
	if !ok {
		return 0, false
	}
	k, err := strconv.Atoi(n)
	return k, err == nil && k >= 0
}
