package portal

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Leak reports (R25, CPL art. 286): anyone, with or without an account, may
// tell the supervising procuratorate that information from a sealed record
// appeared where it must not. The report is followed with a tracking code that
// only the reporter holds. The supervisor investigates (the source, stopping
// the disclosure, informing the person concerned) and may close the report
// only with an accountability outcome: who was responsible (or that nobody
// could be identified), the measure taken and its date. R25: "a leak report
// stays open until its outcome is recorded".

// LeakStatus is where a leak report stands.
type LeakStatus string

// The statuses of a leak report.
const (
	LeakDraft         LeakStatus = "draft"         // being written; nobody but the reporter's browser knows it
	LeakReceived      LeakStatus = "received"      // sent; waiting for the supervisor to start
	LeakInvestigating LeakStatus = "investigating" // the supervisor is investigating
	LeakClosed        LeakStatus = "closed"        // closed with an accountability outcome (R25)
)

// LeakStatuses lists the statuses of a sent report, in the order of the procedure.
var LeakStatuses = []LeakStatus{LeakReceived, LeakInvestigating, LeakClosed}

// Valid reports whether s is the status of a sent report.
func (s LeakStatus) Valid() bool { return slices.Contains(LeakStatuses, s) }

// Open reports whether the supervisor still owes a step.
func (s LeakStatus) Open() bool { return s == LeakReceived || s == LeakInvestigating }

// LeakAction is a step taken on a leak report.
type LeakAction string

// The actions.
const (
	LeakSubmit         LeakAction = "submit"              // the reporter sends the report
	LeakAddInformation LeakAction = "add_information"     // the reporter adds information or evidence later
	LeakStart          LeakAction = "start_investigation" // the supervisor starts investigating
	LeakRecordFindings LeakAction = "record_findings"     // the supervisor records what the investigation found
	LeakClose          LeakAction = "close"               // the supervisor closes it with the accountability outcome (R25)
)

// LeakActor is the capacity in which someone acts on a report.
type LeakActor string

// The actors.
const (
	LeakActorReporter   LeakActor = "reporter"   // whoever holds the tracking code (or filed it signed in)
	LeakActorSupervisor LeakActor = "supervisor" // the supervising procuratorate (MPL art. 105)
)

// LeakTransition is one row of the table.
type LeakTransition struct {
	From   LeakStatus
	Action LeakAction
	Actor  LeakActor
	To     LeakStatus
}

// LeakTransitions is the whole procedure: received -> investigating -> closed.
// The reporter may add information while the report is open; a closed report
// takes nothing more.
var LeakTransitions = []LeakTransition{
	{LeakDraft, LeakSubmit, LeakActorReporter, LeakReceived},
	{LeakReceived, LeakAddInformation, LeakActorReporter, LeakReceived},
	{LeakInvestigating, LeakAddInformation, LeakActorReporter, LeakInvestigating},
	{LeakReceived, LeakStart, LeakActorSupervisor, LeakInvestigating},
	{LeakInvestigating, LeakRecordFindings, LeakActorSupervisor, LeakInvestigating},
	{LeakInvestigating, LeakClose, LeakActorSupervisor, LeakClosed},
}

// NextLeak returns the status that action by actor leads to from status, or a
// conflict error when the table has no such row.
func NextLeak(from LeakStatus, action LeakAction, actor LeakActor) (LeakStatus, error) {
	for _, t := range LeakTransitions {
		if t.From == from && t.Action == action && t.Actor == actor {
			return t.To, nil
		}
	}
	return "", Conflict("leak.action_not_allowed")
}

// AllowedLeak lists the actions actor may take on a report in status from.
func AllowedLeak(from LeakStatus, actor LeakActor) []LeakAction {
	var out []LeakAction
	for _, t := range LeakTransitions {
		if t.From == from && t.Actor == actor {
			out = append(out, t.Action)
		}
	}
	return out
}

// LeakPlace is where the sealed information appeared.
type LeakPlace string

// The places.
const (
	LeakPlaceWebsite      LeakPlace = "website"
	LeakPlaceNoticeBoard  LeakPlace = "notice_board"
	LeakPlaceDocument     LeakPlace = "document"
	LeakPlaceConversation LeakPlace = "conversation"
	LeakPlaceOther        LeakPlace = "other"
)

// LeakPlaces lists the places in the order the form offers them.
var LeakPlaces = []LeakPlace{LeakPlaceWebsite, LeakPlaceNoticeBoard, LeakPlaceDocument, LeakPlaceConversation, LeakPlaceOther}

// LeakSource is who is believed to have disclosed it.
type LeakSource string

// The sources.
const (
	LeakSourceOrgan    LeakSource = "organ"    // a court, procuratorate, police or judicial administration organ
	LeakSourceUnit     LeakSource = "unit"     // another unit: a school, an employer, a community committee…
	LeakSourceOfficial LeakSource = "official" // a named official
	LeakSourceUnknown  LeakSource = "unknown"
)

// LeakSources lists the sources in the order the form offers them.
var LeakSources = []LeakSource{LeakSourceOrgan, LeakSourceUnit, LeakSourceOfficial, LeakSourceUnknown}

// LeakStop is whether the disclosure was stopped, and how.
type LeakStop string

// The ways a disclosure is stopped.
const (
	LeakStopNotYet    LeakStop = "not_yet"    // still visible, or not known
	LeakStopTakenDown LeakStop = "taken_down" // removed from a website or notice board
	LeakStopRetrieved LeakStop = "retrieved"  // copies of a document retrieved
)

// LeakStops lists them in the order the form offers them.
var LeakStops = []LeakStop{LeakStopTakenDown, LeakStopRetrieved, LeakStopNotYet}

// LeakResponsible is who the investigation found responsible.
type LeakResponsible string

// The answers.
const (
	LeakResponsibleOfficial      LeakResponsible = "official"
	LeakResponsibleUnit          LeakResponsible = "unit"
	LeakResponsibleNotIdentified LeakResponsible = "not_identified"
)

// LeakResponsibles lists them in the order the form offers them.
var LeakResponsibles = []LeakResponsible{LeakResponsibleOfficial, LeakResponsibleUnit, LeakResponsibleNotIdentified}

// LeakMeasure is the accountability measure taken (R25).
type LeakMeasure string

// The measures.
const (
	LeakMeasureDiscipline       LeakMeasure = "discipline"        // disciplinary action against the official
	LeakMeasureCriminalReferral LeakMeasure = "criminal_referral" // referred for criminal liability (serious consequences)
	LeakMeasureCorrectionNotice LeakMeasure = "correction_notice" // a correction notice (纠正意见) to the organ or unit
	LeakMeasureNoneFound        LeakMeasure = "none_found"        // no violation found
)

// LeakMeasures lists them in the order the form offers them.
var LeakMeasures = []LeakMeasure{LeakMeasureDiscipline, LeakMeasureCriminalReferral, LeakMeasureCorrectionNotice, LeakMeasureNoneFound}

// Limits of a leak report.
const (
	MaxLeakDocuments = 20   // evidence files on one report, over its whole life
	MaxLeakText      = 2000 // runes of a free-text answer
	MaxLeakShortText = 200  // runes of a name or an address
	MaxLeakPlaceText = 500  // runes of where it appeared (a long web address)
)

// LeakFindings are what the investigation established so far.
type LeakFindings struct {
	SourceIdentified bool
	Source           string // who or what the source was; for the supervisor only
	Stopped          LeakStop
	PersonInformed   bool // the person concerned was told (MPL, PIPL art. 57)
}

// LeakOutcome is the accountability outcome without which a report cannot be
// closed (R25).
type LeakOutcome struct {
	Responsible     LeakResponsible
	ResponsibleName string // the official or the unit; empty when not identified
	Measure         LeakMeasure
	Date            Date   // the date of the measure (or of the finding that none was due)
	Summary         string // optional plain words for the reporter
}

// LeakEvent is one step of a report's history. Public is what the reporter
// may read on the tracking page; Internal is the supervisor's own note and is
// never shown there.
type LeakEvent struct {
	At        time.Time
	ActorRole Role // empty for an anonymous reporter
	Action    LeakAction
	From, To  LeakStatus
	Public    string
	Internal  string
	Documents int           // evidence files added with the step
	Findings  *LeakFindings // for record_findings: what was recorded
}

// LeakReport is one report of a disclosure of sealed information.
type LeakReport struct {
	ID     uint64
	Ref    string
	Status LeakStatus

	// Where, when and what.
	PlaceKind   LeakPlace
	PlaceDetail string // a web address, the notice board's place, the document…
	SeenOn      Date
	Disclosed   string

	// Who is believed to have disclosed it.
	SourceKind LeakSource
	SourceName string

	// Whom it concerns (optional): the identity number lets a person with a
	// case in the portal be told, never who reported it.
	PersonIDNumber string
	PersonNotified int // how many portal accounts of the person were told

	// Optional contact details of the reporter, for the supervisor only.
	ContactName string
	Contact     string

	Documents       []Document
	ReporterAccount uint64 // the signed-in reporter who chose to link it; 0 when anonymous

	Findings LeakFindings
	Outcome  *LeakOutcome

	Due Date // the supervisor's deadline while open

	// DueAwaitsCalendar: the deadline falls in a year whose official calendar
	// is not loaded yet ("to be set when the official calendar is published");
	// Due is zero until PutCalendarYear counts it.
	DueAwaitsCalendar bool `json:",omitempty"`
	Events            []LeakEvent
	CreatedAt         time.Time
	SubmittedAt       time.Time
	UpdatedAt         time.Time
}

// Overdue reports whether the report's deadline has passed on today.
func (r LeakReport) Overdue(today Date) bool {
	return r.Status.Open() && !r.Due.IsZero() && today.After(r.Due)
}

// Document returns the report's evidence file with the given id.
func (r LeakReport) Document(id uint64) (Document, bool) {
	for _, d := range r.Documents {
		if d.ID == id {
			return d, true
		}
	}
	return Document{}, false
}

func leakRunes(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }

// Validate checks a report before it is sent; field names are the report
// form's. The store calls it inside the submitting transaction.
func (r LeakReport) Validate(today Date) error {
	var fe FieldErrors
	switch {
	case !slices.Contains(LeakPlaces, r.PlaceKind):
		fe.Add("place_kind", "leak.place_required")
	case r.PlaceKind == LeakPlaceWebsite && leakRunes(r.PlaceDetail) == 0:
		fe.Add("place_detail", "leak.place_address_required")
	}
	if leakRunes(r.PlaceDetail) > MaxLeakPlaceText {
		fe.Add("place_detail", "leak.too_long_500")
	}
	switch {
	case r.SeenOn.IsZero():
		fe.Add("seen_on", "leak.seen_on_required")
	case r.SeenOn.After(today):
		fe.Add("seen_on", "leak.seen_on_future")
	}
	switch n := leakRunes(r.Disclosed); {
	case n == 0:
		fe.Add("disclosed", "leak.disclosed_required")
	case n > MaxLeakText:
		fe.Add("disclosed", "leak.too_long_2000")
	}
	if !slices.Contains(LeakSources, r.SourceKind) {
		fe.Add("source_kind", "leak.source_required")
	}
	if leakRunes(r.SourceName) > MaxLeakShortText {
		fe.Add("source_name", "leak.too_long_200")
	}
	if r.PersonIDNumber != "" {
		if _, err := ParseIDNumber(r.PersonIDNumber); err != nil {
			fe.Add("person_id_number", errKey(err))
		}
	}
	if leakRunes(r.ContactName) > MaxLeakShortText {
		fe.Add("contact_name", "leak.too_long_200")
	}
	if leakRunes(r.Contact) > MaxLeakShortText {
		fe.Add("contact", "leak.too_long_200")
	}
	if len(r.Documents) > MaxLeakDocuments {
		fe.Add("files", "leak.too_many_files")
	}
	return fe.Err()
}

// Validate checks recorded findings; field names are the findings form's.
func (f LeakFindings) Validate() error {
	var fe FieldErrors
	if !slices.Contains(LeakStops, f.Stopped) {
		fe.Add("stopped", "leak.findings_stopped_required")
	}
	if f.SourceIdentified && leakRunes(f.Source) == 0 {
		fe.Add("source", "leak.findings_source_required")
	}
	if leakRunes(f.Source) > MaxLeakShortText {
		fe.Add("source", "leak.too_long_200")
	}
	return fe.Err()
}

// Validate checks the accountability outcome (R25): who was responsible (or
// that nobody could be identified), the measure and its date are all required.
// Discipline and a referral for criminal liability need someone responsible.
// Field names are the close form's.
func (o LeakOutcome) Validate(today Date) error {
	var fe FieldErrors
	if !slices.Contains(LeakResponsibles, o.Responsible) {
		fe.Add("responsible", "leak.outcome_responsible_required")
	} else if o.Responsible != LeakResponsibleNotIdentified && leakRunes(o.ResponsibleName) == 0 {
		fe.Add("responsible_name", "leak.outcome_name_required")
	}
	if leakRunes(o.ResponsibleName) > MaxLeakShortText {
		fe.Add("responsible_name", "leak.too_long_200")
	}
	switch {
	case !slices.Contains(LeakMeasures, o.Measure):
		fe.Add("measure", "leak.outcome_measure_required")
	case o.Responsible == LeakResponsibleNotIdentified &&
		(o.Measure == LeakMeasureDiscipline || o.Measure == LeakMeasureCriminalReferral):
		fe.Add("measure", "leak.outcome_measure_needs_responsible")
	}
	switch {
	case o.Date.IsZero():
		fe.Add("outcome_date", "leak.outcome_date_required")
	case o.Date.After(today):
		fe.Add("outcome_date", "leak.outcome_date_future")
	}
	if leakRunes(o.Summary) > MaxLeakText {
		fe.Add("summary", "leak.too_long_2000")
	}
	return fe.Err()
}

// ValidateLeakAddition checks what a reporter adds later: some text or at
// least one file, within the limits.
func ValidateLeakAddition(text string, files, already int) error {
	var fe FieldErrors
	n := leakRunes(text)
	switch {
	case n == 0 && files == 0:
		fe.Add("more", "leak.add_required")
	case n > MaxLeakText:
		fe.Add("more", "leak.too_long_2000")
	}
	if already+files > MaxLeakDocuments {
		fe.Add("files", "leak.too_many_files")
	}
	return fe.Err()
}

// LeakReferencePrefix is the prefix of leak report reference numbers.
const LeakReferencePrefix = "LK"

// LeakReference formats a report's reference number, e.g. LK-2026-000042. It
// is printed for the reporter to quote and gives no access by itself.
func LeakReference(year int, seq uint64) string {
	return fmt.Sprintf("%s-%d-%06d", LeakReferencePrefix, year, seq)
}

// The tracking code: 20 characters from an alphabet of 32 that leaves out the
// look-alikes 0/O and 1/I, so 100 random bits, shown in groups of four. It is
// the only key to an anonymous report, so it is shown once, never put in a
// URL, and stored only as a keyed hash.
const (
	trackingAlphabet   = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	TrackingCodeLength = 20
	trackingGroup      = 4
)

// NewTrackingCode returns a fresh random code in its grouped form
// (XXXX-XXXX-XXXX-XXXX-XXXX).
func NewTrackingCode() string {
	b := make([]byte, TrackingCodeLength)
	if _, err := rand.Read(b); err != nil {
		panic("portal: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	var sb strings.Builder
	for i, v := range b {
		if i > 0 && i%trackingGroup == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(trackingAlphabet[v&31]) // 256 is a multiple of 32: uniform
	}
	return sb.String()
}

// NormalizeTrackingCode turns what a person typed into the code's compact
// form (upper case, no spaces or dashes); ok is false when it cannot be a
// code at all.
func NormalizeTrackingCode(s string) (string, bool) {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '　' || r == '－' || r == '—':
			continue
		case r < 128 && strings.ContainsRune(trackingAlphabet, r):
			sb.WriteRune(r)
		default:
			return "", false
		}
		if sb.Len() > TrackingCodeLength {
			return "", false
		}
	}
	if sb.Len() != TrackingCodeLength {
		return "", false
	}
	return sb.String(), true
}

// Audit actions of leak reports. Reads of a report by the supervisor are
// AuditSealedRead (R17): a report carries the sealed information itself.
const (
	AuditLeakReported AuditAction = "leak_reported"
	AuditLeakStep     AuditAction = "leak_step" // Detail is action:new status
	AuditLeakAdded    AuditAction = "leak_information_added"
)

// LeakMessageKeys lists every message key the leak rules may return, for the
// catalogue's tests.
func LeakMessageKeys() []string {
	return []string{"leak.action_not_allowed", "leak.place_required", "leak.place_address_required", "leak.too_long_500",
		"leak.seen_on_required", "leak.seen_on_future", "leak.disclosed_required", "leak.too_long_2000",
		"leak.source_required", "leak.too_long_200", "leak.too_many_files", "leak.findings_stopped_required",
		"leak.findings_source_required", "leak.outcome_responsible_required", "leak.outcome_name_required",
		"leak.outcome_measure_required", "leak.outcome_measure_needs_responsible", "leak.outcome_date_required",
		"leak.outcome_date_future", "leak.add_required"}
}
