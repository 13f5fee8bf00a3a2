package portal

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Organ is one of the authorities that seal records (R12): a court, a
// procuratorate, a police organ or a judicial administration organ.
type Organ struct {
	ID   uint64
	Kind Role // RoleCourt, RoleProcuratorate, RolePolice or RoleJudicialAdmin
	Name string
}

// Intent records whether the crime was intentional or negligent. Current law
// does not distinguish them (DOMAIN "Reform options"); the portal records it so
// that a future rule can.
type Intent string

// The intents.
const (
	IntentIntentional Intent = "intentional"
	IntentNegligent   Intent = "negligent"
	IntentUnknown     Intent = "unknown"
)

// FilerCapacity is in what capacity the application was filed.
type FilerCapacity string

// The capacities; they mirror the citizen roles.
const (
	CapacitySelf     FilerCapacity = "self"
	CapacityGuardian FilerCapacity = "guardian"
	CapacityLawyer   FilerCapacity = "lawyer"
)

// CapacityOf is the capacity in which an account of role r files.
func CapacityOf(r Role) FilerCapacity {
	switch r {
	case RoleGuardian:
		return CapacityGuardian
	case RoleLawyer:
		return CapacityLawyer
	}
	return CapacitySelf
}

// DocumentKind is what a document is.
type DocumentKind string

// The document kinds.
const (
	DocJudgment         DocumentKind = "judgment"          // the judgment or decision
	DocIdentity         DocumentKind = "identity"          // the person's identity document
	DocGuardianship     DocumentKind = "guardianship"      // proof of guardianship (guardians)
	DocPowerOfAttorney  DocumentKind = "power_of_attorney" // power of attorney (lawyers)
	DocOther            DocumentKind = "other"
	DocMessageAttachent DocumentKind = "message" // attached to a message
)

// DocumentKinds are those an applicant chooses from.
var DocumentKinds = []DocumentKind{DocJudgment, DocIdentity, DocGuardianship, DocPowerOfAttorney, DocOther}

// Valid reports whether k is a known document kind.
func (k DocumentKind) Valid() bool {
	return slices.Contains(DocumentKinds, k) || k == DocMessageAttachent
}

// Upload limits.
const (
	MaxDocumentBytes    = 10 << 20
	MaxDocumentsPerCase = 20
)

// Document is the description of an uploaded file; its bytes are stored
// encrypted apart from the case.
type Document struct {
	ID         uint64
	Kind       DocumentKind
	Name       string // the name the uploader gave, for display only, never a path
	MediaType  string // decided from the content: application/pdf, image/jpeg, image/png
	Size       int
	UploadedBy uint64
	UploadedAt time.Time
}

// CaseEvent is one step of a case's history: who, when, what, on which legal
// basis. The timeline is built from these.
type CaseEvent struct {
	At        time.Time
	ActorID   uint64
	ActorRole Role
	OrganID   uint64 // for staff actions: the organ acting
	Action    CaseAction
	From, To  CaseStatus
	Rules     []string // rule ids the step relies on
	Note      string   // a reason, a message to the applicant, or a legal basis in words
}

// Case is a sealing case: an application by a person, guardian or lawyer, or
// a case an organ opened ex officio (R11).
type Case struct {
	ID        uint64
	Ref       string // the reference number people quote, e.g. FC-2026-000042
	Status    CaseStatus
	ExOfficio bool

	// Who filed, and the accounts that may follow the case.
	FiledBy  uint64
	Capacity FilerCapacity

	// The person the record is about.
	PersonName     string
	PersonIDNumber string
	// CourtBirthDate is the birth date the court found on all the evidence
	// where it differs from the identity number (SPC Interpretation of the CPL
	// 2021 art. 146); R30: it then prevails. Zero when the court found none.
	CourtBirthDate Date `json:",omitzero"`
	// PersonDocType is the kind of the person's identity document (R31): ""
	// is the mainland identity card; PersonDocCountry a passport's state.
	PersonDocType    IDDocType
	PersonDocCountry string
	// PersonDocBirth is the birth date the document itself shows, for a
	// document whose number carries none (passports, travel permits, the
	// older permanent residence card): a person applying for himself states
	// it at registration (R31). Zero otherwise.
	PersonDocBirth Date `json:",omitzero"`

	// The case as decided.
	DecidingOrganID uint64
	OrganCaseNumber string
	Disposition     Disposition
	DecisionDate    Date
	Acts            []Act
	Intent          Intent
	Penalty         *Penalty
	HoldingOrganIDs []uint64 // organs that hold records of it (R7, R12)
	// CoOffenderCases are the case numbers of adults who offended together
	// with the person (R20); their files are marked, never linked to him (R22).
	CoOffenderCases []string

	Documents []Document

	// Declarations made before submission.
	DeclaredTrue bool

	// Identity (issue 11). GuardianshipVerified is set by the deciding
	// organ's explicit step against the guardianship proof; until then the
	// guardian sees only what the guardian filed. SealingDuty records that
	// the organ still owes sealing after a withdrawal (R11).
	GuardianshipVerified bool
	SealingDuty          bool
	GuardianEndNoticed   bool // R1: the former guardian was told once
	HandedOverNoticed    bool // R1: the adult was told once that the matter is now his

	// Processing.
	Confirmations map[uint64]time.Time // holding organ id -> when it confirmed sealing
	// UnsealConfirmations: holding organ id -> when it confirmed lifting the
	// seal on its files after an approved unsealing (issue 18, R18).
	UnsealConfirmations map[uint64]time.Time `json:",omitempty"`
	Due                 Date                 // the current stage's deadline; zero when nobody owes a step
	// DueAwaitsCalendar says the stage's deadline falls in a year whose
	// official calendar is not loaded yet: Due is zero, the filing or decision
	// went ahead, and the deadline is counted from DueFrom when the year is
	// loaded ("to be set when the official calendar is published").
	DueAwaitsCalendar bool   `json:",omitempty"`
	DueFrom           Date   `json:",omitzero"`
	DueDeadline       string `json:",omitempty"` // the policy key of the awaited deadline
	Events            []CaseEvent
	// Override is a decision against the rules waiting for a second
	// official's approval (override.go); nil otherwise.
	Override    *Override `json:",omitempty"`
	CreatedAt   time.Time
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

// PersonDocument is the person's identity document (R31); no kind is the
// mainland identity card.
func (c Case) PersonDocument() (IdentityDocument, error) {
	return parseStoredDocument(c.PersonDocType, c.PersonIDNumber, c.PersonDocCountry)
}

// PersonBirthDate is the court-found birth date where staff recorded one
// (R30); otherwise it is taken from the identity number (GB 11643), or from
// another identity document whose number carries it (R31: residence permits,
// the 2023 permanent residence card); travel permits and passports carry
// none, and the birth date is then the one the document shows as the person
// stated it (PersonDocBirth), or unknown.
func (c Case) PersonBirthDate() (Date, bool) {
	if !c.CourtBirthDate.IsZero() {
		return c.CourtBirthDate, true
	}
	doc, err := c.PersonDocument()
	if err != nil {
		return Date{}, false
	}
	if b, ok := doc.BirthDate(); ok {
		return b, true
	}
	return c.PersonDocBirth, !c.PersonDocBirth.IsZero()
}

// Facts are the eligibility facts the case states.
func (c Case) Facts() (EligibilityFacts, bool) {
	birth, ok := c.PersonBirthDate()
	if !ok || c.Disposition == "" || len(c.Acts) == 0 {
		return EligibilityFacts{}, false
	}
	return EligibilityFacts{BirthDate: birth, Acts: c.Acts, Disposition: c.Disposition, Penalty: c.Penalty}, true
}

// Eligibility recomputes what the rules say of the entered facts; an
// application the rules call not eligible can still be submitted (the organ
// decides), with the reason shown to both sides.
func (c Case) Eligibility() (Decision, bool) {
	f, ok := c.Facts()
	if !ok {
		return Decision{}, false
	}
	return EvaluateEligibility(f), true
}

// HasDocument reports whether a document of kind k is attached.
func (c Case) HasDocument(k DocumentKind) bool {
	for _, d := range c.Documents {
		if d.Kind == k {
			return true
		}
	}
	return false
}

// Document returns the attached document with the given id.
func (c Case) Document(id uint64) (Document, bool) {
	for _, d := range c.Documents {
		if d.ID == id {
			return d, true
		}
	}
	return Document{}, false
}

// Holds reports whether organ holds records of the case.
func (c Case) Holds(organ uint64) bool { return slices.Contains(c.HoldingOrganIDs, organ) }

// PendingHolders lists holding organs that have not confirmed sealing.
func (c Case) PendingHolders() []uint64 {
	var out []uint64
	for _, id := range c.HoldingOrganIDs {
		if _, ok := c.Confirmations[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// Overdue reports whether the current stage's deadline has passed on today.
func (c Case) Overdue(today Date) bool { return !c.Due.IsZero() && today.After(c.Due) }

// Sections of the application's task list, in order.
const (
	SectionPerson       = "person"
	SectionCase         = "case"
	SectionOrgans       = "organs"
	SectionDocuments    = "documents"
	SectionDeclarations = "declarations"
)

// Sections lists the task list's sections.
var Sections = []string{SectionPerson, SectionCase, SectionOrgans, SectionDocuments, SectionDeclarations}

// SectionErrors checks one section of a draft as of today: nil when it is
// complete and valid. Field names are the form fields of that section's page.
func (c Case) SectionErrors(section string, today Date) FieldErrors {
	var fe FieldErrors
	switch section {
	case SectionPerson:
		name := strings.TrimSpace(c.PersonName)
		if name == "" {
			fe.Add("person_name", "apply.person_name_required")
		} else if utf8.RuneCountInString(name) > MaxNameRunes {
			fe.Add("person_name", "register.name_too_long")
		}
		if doc, err := c.PersonDocument(); err != nil {
			switch key := errKey(err); key {
			case "iddoc.type_required":
				fe.Add("person_doc_type", key)
			case "iddoc.country_required":
				fe.Add("person_doc_country", key)
			default:
				fe.Add("person_id_number", key)
			}
		} else if birth, known := doc.BirthDate(); known && today.Before(birth) {
			fe.Add("person_id_number", "id.birth_date")
		}
		if !c.CourtBirthDate.IsZero() && c.CourtBirthDate.After(today) {
			// R30: the court's finding is of a past day.
			fe.Add("court_birth_date", "eligibility.birth_date_future")
		}
	case SectionCase:
		if c.DecidingOrganID == 0 {
			fe.Add("deciding_organ", "apply.organ_required")
		}
		if n := strings.TrimSpace(c.OrganCaseNumber); n == "" {
			fe.Add("case_number", "apply.case_number_required")
		} else if utf8.RuneCountInString(n) > 60 {
			fe.Add("case_number", "apply.case_number_too_long")
		}
		if c.DecisionDate.IsZero() {
			// A case not yet concluded has no decision date; the rules answer
			// "not yet" for it.
			if c.Disposition != DispositionPending {
				fe.Add("decision_date", "apply.decision_date_required")
			}
		} else if c.DecisionDate.After(today) {
			fe.Add("decision_date", "apply.decision_date_future")
		}
		switch c.Intent {
		case IntentIntentional, IntentNegligent, IntentUnknown:
		default:
			fe.Add("intent", "apply.intent_required")
		}
		birth, ok := c.PersonBirthDate()
		if !ok {
			fe.Add("acts", "apply.person_first")
			break
		}
		f := EligibilityFacts{BirthDate: birth, Acts: c.Acts, Disposition: c.Disposition, Penalty: c.Penalty}
		if err := f.Validate(today); err != nil {
			if pe, ok := AsError(err); ok {
				for k, v := range pe.Fields {
					fe.Add(caseField(k), v)
				}
			}
		}
		for i, a := range c.Acts {
			if !c.DecisionDate.IsZero() && a.Date.After(c.DecisionDate) {
				fe.Add(fmt.Sprintf("acts[%d].date", i), "apply.act_after_decision")
			}
		}
	case SectionOrgans:
		if len(c.HoldingOrganIDs) == 0 {
			fe.Add("holding_organs", "apply.holding_required")
		}
	case SectionDocuments:
		if !c.HasDocument(DocJudgment) {
			fe.Add("documents", "apply.doc_judgment_required")
		}
		if !c.HasDocument(DocIdentity) {
			fe.Add("documents", "apply.doc_identity_required")
		}
		switch c.Capacity {
		case CapacityGuardian:
			if !c.HasDocument(DocGuardianship) {
				fe.Add("documents", "apply.doc_guardianship_required")
			}
		case CapacityLawyer:
			if !c.HasDocument(DocPowerOfAttorney) {
				fe.Add("documents", "apply.doc_attorney_required")
			}
		}
	case SectionDeclarations:
		if !c.DeclaredTrue {
			fe.Add("declare_true", "apply.declare_required")
		}
	}
	return fe
}

// caseField maps the eligibility API's field names to the case form's.
func caseField(k string) string {
	switch k {
	case "birth_date":
		return "acts"
	case "penalty.kind":
		return "penalty_kind"
	case "penalty.months":
		return "penalty_months"
	case "penalty.days":
		return "penalty_days"
	case "penalty":
		return "penalty_kind"
	case "penalty.suspended":
		// R29: said at the term, whose field shows errors on every form.
		return "penalty_months"
	}
	if strings.HasPrefix(k, "acts[") && strings.HasSuffix(k, "].intent") {
		return strings.TrimSuffix(k, "].intent") + "].date"
	}
	return k
}

// ValidateForSubmit checks every section; the store calls it inside the
// submitting transaction so no path can skip it.
func (c Case) ValidateForSubmit(today Date) error {
	var all FieldErrors
	for _, s := range Sections {
		for k, v := range c.SectionErrors(s, today) {
			all.Add(s+"."+k, v)
		}
	}
	return all.Err()
}

// ReferencePrefix is the prefix of application reference numbers.
const ReferencePrefix = "FC"

// Reference formats a case's reference number from its year and sequence,
// e.g. FC-2026-000042.
func Reference(year int, seq uint64) string {
	return fmt.Sprintf("%s-%d-%06d", ReferencePrefix, year, seq)
}

// GuardianMayAct reports whether a guardian may still take new steps: only
// while the person is under 18 (R1's counting: up to and including the 18th
// birthday). Afterwards the person takes the case over; what the guardian filed
// stays.
func GuardianMayAct(c Case, today Date) bool {
	birth, ok := c.PersonBirthDate()
	return ok && Under18On(birth, today)
}

// Message is one message on a case between the applicant's side and staff.
type Message struct {
	ID        uint64
	CaseID    uint64
	From      uint64
	FromRole  Role
	OrganID   uint64
	Text      string
	Documents []Document
	At        time.Time
}

// MaxMessageRunes bounds a message's text.
const MaxMessageRunes = 2000

// Validate checks a message before it is stored.
func (m Message) Validate() error {
	var fe FieldErrors
	n := utf8.RuneCountInString(strings.TrimSpace(m.Text))
	switch {
	case n == 0 && len(m.Documents) == 0:
		fe.Add("text", "message.required")
	case n > MaxMessageRunes:
		fe.Add("text", "message.too_long")
	}
	return fe.Err()
}

// Notification tells an account that something happened on a case. It holds a
// message key and the case reference, never personal data.
type Notification struct {
	ID     uint64
	CaseID uint64
	Ref    string
	Key    string
	At     time.Time
	Read   bool
}
