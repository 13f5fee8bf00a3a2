package portal

import (
	"strings"
	"time"
)

// The person's own data (PIPL arts. 44–45: the right to see and copy what a
// handler of personal information holds about oneself). A signed-in account
// can read everything the portal holds about it on one page and take it away
// as one JSON file. What goes into that file is decided here, by the same
// visibility the citizen's own pages apply: a case as the case page shows it,
// a relief request as its page shows it, a leak report as its reporter may
// read it, an access to a sealed record as "who looked at my record" shows it.
// Secrets never leave: no password hash, no second-factor secret, no recovery
// code, no session id.

// ExportVersion names the format of the file, so that a reader (or a later
// portal importing it) knows which fields to expect.
const ExportVersion = "sealportal-export/1"

// ExportContentCap bounds the document contents one export carries: the
// bytes of the documents the person uploaded, base64 in the file. Beyond it
// the file lists the documents without their contents and says so.
const ExportContentCap = 20 << 20

// AuditDataExport records that an account read its own data (the page or the
// file). Detail is "page" or "json"; nothing personal goes into the entry.
const AuditDataExport AuditAction = "data_export"

// The scopes of an export. Staff accounts (and the system administrator) get
// their own account data only: the cases they work are not data about them.
const (
	ExportScopeCitizen = "citizen"
	ExportScopeStaff   = "staff"
)

// The relations a person can have to a case, as the export names them.
const (
	ExportRelApplicant = "applicant" // filed it for himself
	ExportRelGuardian  = "guardian"  // filed it as the person's guardian
	ExportRelLawyer    = "lawyer"    // filed it as the person's lawyer
	ExportRelPerson    = "person"    // the person the record is about (filed by someone else or ex officio)
)

// AccountExport is everything the portal holds about one account.
type AccountExport struct {
	Version     string             `json:"version"`
	GeneratedAt time.Time          `json:"generated_at"`
	Scope       string             `json:"scope"`
	Notes       map[string]string  `json:"notes,omitempty"` // plain-words explanations, in the reader's language
	Account     ExportedAccount    `json:"account"`
	Sessions    []ExportedSession  `json:"sessions"`
	Activity    []ExportedActivity `json:"account_activity"`
	// Citizen is the citizen's records; nil for staff accounts.
	Citizen *CitizenRecords `json:"citizen_records,omitempty"`
}

// CitizenRecords are the records a citizen account is connected to.
type CitizenRecords struct {
	Cases            []ExportedCase         `json:"cases"`
	Documents        []ExportedDocument     `json:"documents_uploaded"`
	DocumentContents ExportedContents       `json:"document_contents"`
	Notifications    []ExportedNotification `json:"notifications"`
	Relief           []ExportedRelief       `json:"relief_requests"`
	Leaks            []ExportedLeak         `json:"leak_reports"`
	Certificates     []ExportedCertificate  `json:"certificates"`
	AccessLog        []ExportedAccess       `json:"access_log"`
}

// ExportedContents says how much document content the file carries.
type ExportedContents struct {
	CapBytes      int64 `json:"cap_bytes"`
	IncludedBytes int64 `json:"included_bytes"`
	Included      int   `json:"included_documents"`
	// Truncated is true when documents were left without their contents
	// because the cap was reached; each such document says content_omitted.
	Truncated bool `json:"truncated"`
	Omitted   int  `json:"omitted_documents"`
}

// ExportedAccount is the account itself, without any secret.
type ExportedAccount struct {
	ID       uint64 `json:"id"`
	Role     Role   `json:"role"`
	Name     string `json:"name"`
	Login    string `json:"login"`
	Mobile   string `json:"mobile,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
	// The identity document other than the mainland card (R31).
	DocType            IDDocType `json:"id_document_kind,omitempty"`
	DocCountry         string    `json:"id_document_state,omitempty"`
	DocBirth           string    `json:"birth_date_stated,omitempty"`
	Licence            string    `json:"licence,omitempty"`
	Firm               string    `json:"firm,omitempty"`
	Organ              string    `json:"organ,omitempty"`
	UnitKind           string    `json:"unit_kind,omitempty"`
	CreatedAt          time.Time `json:"created_at"`
	LastLogin          time.Time `json:"last_login,omitzero"`
	PasswordChangedAt  time.Time `json:"password_changed_at,omitzero"`
	MustChangePassword bool      `json:"must_change_password"`
	TwoFactorEnabled   bool      `json:"two_factor_enabled"`
	Disabled           bool      `json:"disabled"`
	LockedUntil        time.Time `json:"locked_until,omitzero"`
	// Contact and consent (issue 11 part A).
	Lang               string    `json:"language,omitempty"`
	Email              string    `json:"email,omitempty"`
	PrivacyConsentAt   time.Time `json:"privacy_consent_at,omitzero"`
	SensitiveConsentAt time.Time `json:"sensitive_consent_at,omitzero"`
}

// ExportAccountOf copies the account's own fields, leaving out every secret
// (the password hash, a second-factor secret, recovery codes) and the login
// failure counter. lastLogin comes from the audit log.
func ExportAccountOf(a Account, lastLogin time.Time) ExportedAccount {
	var birth string
	if !a.DocBirth.IsZero() {
		birth = a.DocBirth.String()
	}
	return ExportedAccount{
		ID: a.ID, Role: a.Role, Name: a.Name, Login: a.Login, Mobile: a.Mobile, IDNumber: a.IDNumber,
		DocType: a.DocType, DocCountry: a.DocCountry, DocBirth: birth,
		Licence: a.Licence, Firm: a.Firm, Organ: a.Organ, UnitKind: a.UnitKind, CreatedAt: a.CreatedAt,
		LastLogin: lastLogin, PasswordChangedAt: a.PasswordChangedAt, MustChangePassword: a.MustChangePassword,
		TwoFactorEnabled: TwoFactorEnabled(a), Disabled: a.Disabled, LockedUntil: a.LockedUntil,
		Lang: a.Lang, Email: a.Email, PrivacyConsentAt: a.PrivacyConsentAt, SensitiveConsentAt: a.SensitiveConsentAt,
	}
}

// TwoFactorEnabled reports whether the account signs in with a second factor:
// whether it is on, never its secret or recovery codes.
func TwoFactorEnabled(a Account) bool { return a.TOTPEnabled }

// ExportedSession is one signed-in browser: when it began and was last used.
// Its id is never exported (it would let the holder of the file sign in).
type ExportedSession struct {
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// ExportedActivity is one audit entry about the account: a sign-in, a
// password change, a lockout, an export.
type ExportedActivity struct {
	At     time.Time   `json:"at"`
	Action AuditAction `json:"action"`
	ByYou  bool        `json:"by_you"`
}

// ExportActivityOf is an audit entry about the account as its holder sees it:
// what and when, and whether he did it, never another account's id.
func ExportActivityOf(ev AuditEvent, self uint64) ExportedActivity {
	return ExportedActivity{At: ev.At, Action: ev.Action, ByYou: ev.ActorID == self}
}

// ExportedDocument describes a document; Content is set only in the list of
// documents the person uploaded, and only up to ExportContentCap.
type ExportedDocument struct {
	ID             uint64       `json:"id"`
	Where          string       `json:"where"` // "case" or "relief"
	ParentID       uint64       `json:"parent_id"`
	ParentRef      string       `json:"parent_ref,omitempty"`
	Kind           DocumentKind `json:"kind"`
	Name           string       `json:"name"`
	MediaType      string       `json:"media_type"`
	Size           int          `json:"size"`
	UploadedAt     time.Time    `json:"uploaded_at"`
	UploadedByYou  bool         `json:"uploaded_by_you"`
	DownloadPath   string       `json:"download_path,omitempty"`
	Content        []byte       `json:"content_base64,omitempty"`
	ContentOmitted bool         `json:"content_omitted,omitempty"`
}

// Where a document belongs.
const (
	ExportInCase   = "case"
	ExportInRelief = "relief"
)

func exportDocument(d Document, where string, parent uint64, ref string, self uint64) ExportedDocument {
	return ExportedDocument{ID: d.ID, Where: where, ParentID: parent, ParentRef: ref, Kind: d.Kind, Name: d.Name,
		MediaType: d.MediaType, Size: d.Size, UploadedAt: d.UploadedAt, UploadedByYou: d.UploadedBy == self}
}

// ExportedCase is a case as the citizen's case page shows it, with what the
// filer entered when he is the filer.
type ExportedCase struct {
	ID              uint64                `json:"id"`
	Ref             string                `json:"ref,omitempty"`
	Relation        string                `json:"relation"`
	Status          CaseStatus            `json:"status"`
	ExOfficio       bool                  `json:"ex_officio"`
	DecidingOrgan   string                `json:"deciding_organ,omitempty"`
	OrganCaseNumber string                `json:"organ_case_number,omitempty"`
	Due             string                `json:"due,omitempty"`
	CreatedAt       time.Time             `json:"created_at"`
	SubmittedAt     time.Time             `json:"submitted_at,omitzero"`
	UpdatedAt       time.Time             `json:"updated_at,omitzero"`
	Deletable       bool                  `json:"deletable"` // a draft never sent; everything else is kept (R11)
	Application     *ExportedApplication  `json:"application,omitempty"`
	Eligibility     *ExportedEligibility  `json:"eligibility,omitempty"`
	Timeline        []ExportedCaseEvent   `json:"timeline"`
	HoldingOrgans   []ExportedHolder      `json:"holding_organs"`
	Documents       []ExportedDocument    `json:"documents"`
	Messages        []ExportedCaseMessage `json:"messages"`
}

// ExportedApplication is what the filer entered on the application.
type ExportedApplication struct {
	Capacity       FilerCapacity    `json:"capacity"`
	PersonName     string           `json:"person_name,omitempty"`
	PersonIDNumber string           `json:"person_id_number,omitempty"`
	Disposition    Disposition      `json:"disposition,omitempty"`
	DecisionDate   string           `json:"decision_date,omitempty"`
	Acts           []ExportedAct    `json:"acts,omitempty"`
	Intent         Intent           `json:"intent,omitempty"`
	Penalty        *ExportedPenalty `json:"penalty,omitempty"`
	DeclaredTrue   bool             `json:"declared_true"`
}

// ExportedAct is one criminal act's date and whether it was the main conduct.
type ExportedAct struct {
	Date string `json:"date"`
	Main bool   `json:"main"`
}

// ExportedPenalty is the principal penalty as entered.
type ExportedPenalty struct {
	Kind      PenaltyKind `json:"kind"`
	Months    int         `json:"months,omitempty"`
	Days      int         `json:"days,omitempty"`
	Suspended bool        `json:"suspended,omitempty"`
}

// ExportedEligibility is what the rules say of the entered facts.
type ExportedEligibility struct {
	Outcome   Outcome  `json:"outcome"`
	Rules     []string `json:"rules"`
	ReasonKey string   `json:"reason_key,omitempty"`
}

// ExportedCaseEvent is one step of the case's history: the organ, never the
// official.
type ExportedCaseEvent struct {
	At     time.Time  `json:"at"`
	Action CaseAction `json:"action"`
	From   CaseStatus `json:"from,omitempty"`
	To     CaseStatus `json:"to,omitempty"`
	Organ  string     `json:"organ,omitempty"`
	Rules  []string   `json:"rules,omitempty"`
	Note   string     `json:"note,omitempty"`
	ByYou  bool       `json:"by_you"`
}

// ExportedHolder is an organ holding records of the case and whether it has
// confirmed sealing them (R12).
type ExportedHolder struct {
	Organ       string    `json:"organ"`
	Confirmed   bool      `json:"confirmed"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
}

// ExportedCaseMessage is a message on a case: staff speak as their organ.
type ExportedCaseMessage struct {
	At        time.Time          `json:"at"`
	FromYou   bool               `json:"from_you"`
	FromRole  Role               `json:"from_role"`
	FromOrgan string             `json:"from_organ,omitempty"`
	Text      string             `json:"text,omitempty"`
	Documents []ExportedDocument `json:"documents,omitempty"`
}

// ExportDate writes a date as yyyy-mm-dd, "" for none.
func ExportDate(d Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// ExportRelation names how the account is connected to a case: as its filer
// in the capacity it was filed in, or as the person it is about.
func ExportRelation(filer bool, capacity FilerCapacity) string {
	if !filer {
		return ExportRelPerson
	}
	switch capacity {
	case CapacityGuardian:
		return ExportRelGuardian
	case CapacityLawyer:
		return ExportRelLawyer
	}
	return ExportRelApplicant
}

// ExportCase is a case as the account sees it (self is the account, filer
// whether it filed the case; organ names an organ by id). The case page's
// visibility holds: the organ speaks, never an official by name or id; the
// co-offenders' case numbers stay with the organs (R20, R22). The facts the
// filer entered are his own answers and are given to the filer only.
func ExportCase(c Case, filer bool, self uint64, msgs []Message, organ func(uint64) string) ExportedCase {
	e := ExportedCase{ID: c.ID, Ref: c.Ref, Relation: ExportRelation(filer, c.Capacity), Status: c.Status, ExOfficio: c.ExOfficio,
		DecidingOrgan: organ(c.DecidingOrganID), OrganCaseNumber: c.OrganCaseNumber, Due: ExportDate(c.Due),
		CreatedAt: c.CreatedAt, SubmittedAt: c.SubmittedAt, UpdatedAt: c.UpdatedAt,
		Deletable: filer && c.Status == StatusDraft && c.Ref == "",
		Timeline:  []ExportedCaseEvent{}, HoldingOrgans: []ExportedHolder{}, Documents: []ExportedDocument{}, Messages: []ExportedCaseMessage{}}
	if filer {
		a := &ExportedApplication{Capacity: c.Capacity, PersonName: c.PersonName, PersonIDNumber: c.PersonIDNumber,
			Disposition: c.Disposition, DecisionDate: ExportDate(c.DecisionDate), Intent: c.Intent, DeclaredTrue: c.DeclaredTrue}
		for _, act := range c.Acts {
			a.Acts = append(a.Acts, ExportedAct{Date: ExportDate(act.Date), Main: act.Main})
		}
		if c.Penalty != nil {
			a.Penalty = &ExportedPenalty{Kind: c.Penalty.Kind, Months: c.Penalty.Months, Days: c.Penalty.Days, Suspended: c.Penalty.Suspended}
		}
		e.Application = a
	}
	if d, ok := c.Eligibility(); ok {
		e.Eligibility = &ExportedEligibility{Outcome: d.Outcome, Rules: d.Rules, ReasonKey: d.ReasonKey}
	}
	for _, ev := range c.Events {
		e.Timeline = append(e.Timeline, ExportedCaseEvent{At: ev.At, Action: ev.Action, From: ev.From, To: ev.To,
			Organ: organ(ev.OrganID), Rules: ev.Rules, Note: ev.Note, ByYou: ev.ActorID == self})
	}
	for _, id := range c.HoldingOrganIDs {
		at, ok := c.Confirmations[id]
		e.HoldingOrgans = append(e.HoldingOrgans, ExportedHolder{Organ: organ(id), Confirmed: ok, ConfirmedAt: at})
	}
	for _, d := range c.Documents {
		e.Documents = append(e.Documents, exportDocument(d, ExportInCase, c.ID, c.Ref, self))
	}
	for _, m := range msgs {
		em := ExportedCaseMessage{At: m.At, FromYou: m.From == self, FromRole: m.FromRole, Text: m.Text}
		if m.FromRole.IsStaff() {
			em.FromOrgan = organ(m.OrganID) // the organ speaks, never the official by name
		}
		for _, d := range m.Documents {
			em.Documents = append(em.Documents, exportDocument(d, ExportInCase, c.ID, c.Ref, self))
		}
		e.Messages = append(e.Messages, em)
	}
	return e
}

// ExportedNotification is one notification: a message key and a reference.
type ExportedNotification struct {
	At     time.Time `json:"at"`
	CaseID uint64    `json:"case_id,omitempty"`
	Ref    string    `json:"ref,omitempty"`
	Key    string    `json:"key"`
	Read   bool      `json:"read"`
}

// ExportedRelief is a relief request (R24) as its page shows its filer.
type ExportedRelief struct {
	ID            uint64                  `json:"id"`
	Ref           string                  `json:"ref,omitempty"`
	Status        ReliefStatus            `json:"status"`
	Capacity      FilerCapacity           `json:"capacity"`
	PersonName    string                  `json:"person_name,omitempty"`
	Kind          ReliefKind              `json:"kind"`
	HappenedOn    string                  `json:"happened_on,omitempty"`
	UnitName      string                  `json:"unit_name"`
	UnitKind      UnitKind                `json:"unit_kind"`
	Description   string                  `json:"description"`
	Remedies      []ReliefRemedy          `json:"remedies"`
	LinkedCaseRef string                  `json:"linked_case_ref,omitempty"`
	Due           string                  `json:"due,omitempty"`
	Outcome       string                  `json:"outcome,omitempty"`
	CreatedAt     time.Time               `json:"created_at"`
	SubmittedAt   time.Time               `json:"submitted_at,omitzero"`
	Deletable     bool                    `json:"deletable"`
	Timeline      []ExportedReliefEvent   `json:"timeline"`
	Documents     []ExportedDocument      `json:"documents"`
	Messages      []ExportedReliefMessage `json:"messages"`
}

// ExportedReliefEvent is one step of a relief request.
type ExportedReliefEvent struct {
	At        time.Time      `json:"at"`
	Action    ReliefAction   `json:"action"`
	From      ReliefStatus   `json:"from,omitempty"`
	To        ReliefStatus   `json:"to,omitempty"`
	Kind      ReliefStepKind `json:"kind,omitempty"`
	Organ     string         `json:"organ,omitempty"`
	Note      string         `json:"note,omitempty"`
	NoticeDue string         `json:"notice_due,omitempty"`
	ByYou     bool           `json:"by_you"`
}

// ExportedReliefMessage is a message between the applicant and the
// supervisor.
type ExportedReliefMessage struct {
	At        time.Time          `json:"at"`
	FromYou   bool               `json:"from_you"`
	FromRole  Role               `json:"from_role"`
	Text      string             `json:"text,omitempty"`
	Documents []ExportedDocument `json:"documents,omitempty"`
}

// ExportRelief is a relief request as its filer's page shows it: the outcome
// once decided, the history from the day it was sent, no official's id.
func ExportRelief(r ReliefRequest, self uint64, msgs []ReliefMessage, organ func(uint64) string) ExportedRelief {
	e := ExportedRelief{ID: r.ID, Ref: r.Ref, Status: r.Status, Capacity: r.Capacity, PersonName: r.PersonName, Kind: r.Kind,
		HappenedOn: ExportDate(r.HappenedOn), UnitName: r.UnitName, UnitKind: r.UnitKind, Description: r.Description,
		Remedies: r.Remedies, LinkedCaseRef: r.LinkedCaseRef, Due: ExportDate(r.Due), CreatedAt: r.CreatedAt,
		SubmittedAt: r.SubmittedAt, Deletable: r.Status == ReliefDraft,
		Timeline: []ExportedReliefEvent{}, Documents: []ExportedDocument{}, Messages: []ExportedReliefMessage{}}
	if e.Remedies == nil {
		e.Remedies = []ReliefRemedy{}
	}
	if r.Status == ReliefClosed || r.Status == ReliefDeclined {
		e.Outcome = r.Outcome
	}
	for _, ev := range r.Events {
		if ev.Action == ReliefCreate {
			continue
		}
		e.Timeline = append(e.Timeline, ExportedReliefEvent{At: ev.At, Action: ev.Action, From: ev.From, To: ev.To, Kind: ev.Kind,
			Organ: organ(ev.OrganID), Note: ev.Note, NoticeDue: ExportDate(ev.NoticeDue), ByYou: ev.ActorID == self})
	}
	for _, d := range r.Documents {
		e.Documents = append(e.Documents, exportDocument(d, ExportInRelief, r.ID, r.Ref, self))
	}
	for _, m := range msgs {
		em := ExportedReliefMessage{At: m.At, FromYou: m.From == self, FromRole: m.FromRole, Text: m.Text}
		for _, d := range m.Documents {
			em.Documents = append(em.Documents, exportDocument(d, ExportInRelief, r.ID, r.Ref, self))
		}
		e.Messages = append(e.Messages, em)
	}
	return e
}

// ExportedLeak is a leak report the signed-in reporter linked to his
// account: his own answers and the progress the tracking page shows.
type ExportedLeak struct {
	ID          uint64             `json:"id"`
	Ref         string             `json:"ref"`
	Status      LeakStatus         `json:"status"`
	ReceivedAt  time.Time          `json:"received_at,omitzero"`
	Due         string             `json:"due,omitempty"`
	PlaceKind   LeakPlace          `json:"place_kind"`
	PlaceDetail string             `json:"place_detail,omitempty"`
	SeenOn      string             `json:"seen_on,omitempty"`
	Disclosed   string             `json:"disclosed"`
	SourceKind  LeakSource         `json:"source_kind"`
	SourceName  string             `json:"source_name,omitempty"`
	Person      string             `json:"person_id_number_masked,omitempty"`
	ContactName string             `json:"contact_name,omitempty"`
	Contact     string             `json:"contact,omitempty"`
	Steps       []ExportedLeakStep `json:"steps"`
	Outcome     *ExportedLeakEnd   `json:"outcome,omitempty"`
	Documents   []ExportedDocument `json:"documents"`
}

// ExportedLeakStep is a step of a report as the reporter may read it: the
// supervisor's internal notes and the source it found stay with it.
type ExportedLeakStep struct {
	At        time.Time     `json:"at"`
	Action    LeakAction    `json:"action"`
	To        LeakStatus    `json:"to"`
	Public    string        `json:"public,omitempty"`
	Documents int           `json:"documents,omitempty"`
	Findings  *LeakFindings `json:"findings,omitempty"`
}

// ExportedLeakEnd is the accountability outcome as the reporter reads it
// (R25), without the name of the person found responsible.
type ExportedLeakEnd struct {
	Responsible LeakResponsible `json:"responsible"`
	Measure     LeakMeasure     `json:"measure"`
	Date        string          `json:"date,omitempty"`
	Summary     string          `json:"summary,omitempty"`
}

// ExportLeak is a report as its reporter may read it. The identity number of
// the person it concerns is masked, as on the reporter's own check page: it
// may be someone else's (R22).
func ExportLeak(r LeakReport) ExportedLeak {
	e := ExportedLeak{ID: r.ID, Ref: r.Ref, Status: r.Status, ReceivedAt: r.SubmittedAt, Due: ExportDate(r.Due),
		PlaceKind: r.PlaceKind, PlaceDetail: r.PlaceDetail, SeenOn: ExportDate(r.SeenOn), Disclosed: r.Disclosed,
		SourceKind: r.SourceKind, SourceName: r.SourceName, Person: MaskIDNumber(r.PersonIDNumber),
		ContactName: r.ContactName, Contact: r.Contact, Steps: []ExportedLeakStep{}, Documents: []ExportedDocument{}}
	for _, ev := range r.Events {
		s := ExportedLeakStep{At: ev.At, Action: ev.Action, To: ev.To, Public: ev.Public, Documents: ev.Documents}
		if ev.Findings != nil {
			f := *ev.Findings
			f.Source = "" // for the supervisor only
			s.Findings = &f
		}
		e.Steps = append(e.Steps, s)
	}
	if r.Outcome != nil {
		e.Outcome = &ExportedLeakEnd{Responsible: r.Outcome.Responsible, Measure: r.Outcome.Measure,
			Date: ExportDate(r.Outcome.Date), Summary: r.Outcome.Summary}
	}
	for _, d := range r.Documents {
		// Evidence of a report has no citizen download: the reporter's files
		// went to the supervisor, so only their description comes back.
		e.Documents = append(e.Documents, ExportedDocument{ID: d.ID, Where: "leak_report", ParentID: r.ID, ParentRef: r.Ref,
			Kind: d.Kind, Name: d.Name, MediaType: d.MediaType, Size: d.Size, UploadedAt: d.UploadedAt})
	}
	return e
}

// MaskIDNumber masks an identity number as the portal's pages do, "" for
// none or an invalid one.
func MaskIDNumber(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	n, err := ParseIDNumber(s)
	if err != nil {
		return ""
	}
	return n.Masked()
}

// ExportedCertificate is a no-criminal-record certificate (R14) as its page
// shows it: the holder's number masked, the verification code once issued.
type ExportedCertificate struct {
	ID               uint64            `json:"id"`
	Ref              string            `json:"ref"`
	Status           CertificateStatus `json:"status"`
	Capacity         FilerCapacity     `json:"capacity,omitempty"`
	PersonName       string            `json:"person_name,omitempty"`
	PersonIDMasked   string            `json:"person_id_number_masked,omitempty"`
	RequestedAt      time.Time         `json:"requested_at"`
	Due              string            `json:"due,omitempty"`
	IssuedOn         string            `json:"issued_on,omitempty"`
	IssuingOrgan     string            `json:"issuing_organ,omitempty"`
	VerificationCode string            `json:"verification_code,omitempty"`
	RevokedAt        time.Time         `json:"revoked_at,omitzero"`
}

// ExportCertificate is a certificate as the account's certificate page shows
// it.
func ExportCertificate(c Certificate) ExportedCertificate {
	e := ExportedCertificate{ID: c.ID, Ref: c.Ref, Status: c.Status, Capacity: c.Capacity, PersonName: c.PersonName,
		PersonIDMasked: MaskIDNumber(c.PersonIDNumber), RequestedAt: c.RequestedAt, Due: ExportDate(c.Due),
		IssuedOn: ExportDate(c.IssuedOn()), IssuingOrgan: c.IssuingOrgan, RevokedAt: c.RevokedAt}
	if c.Status == CertIssued {
		e.VerificationCode = GroupVerificationCode(c.Code)
	}
	return e
}

// ExportedAccess is one access to a sealed record the account is connected
// to, as "who looked at my record" shows it (R16, R17): the organ or unit,
// never the official; the query it was made under and its purpose, or the
// organ's duty on the case.
type ExportedAccess struct {
	At              time.Time    `json:"at"`
	CaseID          uint64       `json:"case_id"`
	CaseRef         string       `json:"case_ref,omitempty"`
	Who             string       `json:"who,omitempty"`
	Role            Role         `json:"role"`
	Kind            string       `json:"kind"` // "read", "document" or "refused"
	QueryRef        string       `json:"query_ref,omitempty"`
	PurposeCategory QueryPurpose `json:"purpose_category,omitempty"`
	Purpose         string       `json:"purpose,omitempty"`
	Duty            string       `json:"duty,omitempty"`           // "case_duty", "supervision" or "other"
	RefusedReason   string       `json:"refused_reason,omitempty"` // why an attempt was stopped
}

// AccessActions are the audit actions that are an access to a case's sealed
// record (the same the access-log page lists).
var AccessActions = []AuditAction{AuditSealedRead, AuditDocumentRead, AuditQueryReadRefused}

// IsAccess reports whether an audit entry about a case is an access by staff
// or a querying unit to its sealed record.
func IsAccess(ev AuditEvent) bool {
	if !ev.ActorRole.IsStaff() {
		return false
	}
	for _, a := range AccessActions {
		if ev.Action == a {
			return true
		}
	}
	return false
}

// ExportAccess describes an access entry: who is the reader's organ or unit
// name; q is the query the read was made under (zero when it was a duty).
func ExportAccess(ev AuditEvent, caseRef, who string, q Query) ExportedAccess {
	e := ExportedAccess{At: ev.At, CaseID: ev.SubjectID, CaseRef: caseRef, Who: who, Role: ev.ActorRole, Kind: "read"}
	switch ev.Action {
	case AuditDocumentRead:
		e.Kind = "document"
	case AuditQueryReadRefused:
		e.Kind = "refused"
	}
	if _, rest, refused, ok := ParseQueryAuditDetail(ev.Detail); ok {
		e.QueryRef, e.PurposeCategory, e.Purpose = q.Ref, q.PurposeCategory, q.Purpose
		if refused {
			e.RefusedReason = rest
		}
		return e
	}
	e.Duty = AccessDuty(ev.Detail)
	return e
}

// AccessDuty names the duty an organ read a case under, from the audit detail
// the staff console writes ("case_duty" or "supervision", possibly followed
// by ":document:<id>"); anything else is "other".
func AccessDuty(detail string) string {
	head, _, _ := strings.Cut(detail, ":")
	switch head {
	case "case_duty", "supervision":
		return head
	}
	return "other"
}
