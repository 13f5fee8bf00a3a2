package portal

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Proofs of no criminal record (无犯罪记录证明, R14). The person, or the
// legal representative, asks for one; the police organ chosen answers within
// Policy.Certificate (3 working days, MPS Rules). The portal is not the
// criminal-record database: it never answers by itself. The police official
// checks the police records system and records the result (CertificateCheck)
// — an explicit, audited step — and only then is the answer given, from that
// result alone: no record, or only sealed records, is a certificate of no
// criminal record, word for word the certificate of a person who never had a
// case (R14, CL art. 100 para 2, MPL art. 113); a record found is a refusal
// with the way forward (an objection, R14); a check that cannot be decided
// online sends the person to a police station. A certificate states the
// situation on its issue date: a later unsealing does not revoke it (R14).

// CertificateStatus is where a certificate request stands.
type CertificateStatus string

// The statuses.
const (
	CertRequested CertificateStatus = "requested" // waiting for the police organ
	CertIssued    CertificateStatus = "issued"    // issued: it verifies as valid
	CertRefused   CertificateStatus = "refused"   // cannot be issued through the portal
	// CertRevoked is kept for certificates revoked by earlier versions of the
	// portal on an unsealing; R14 (revised): an unsealing no longer revokes.
	CertRevoked CertificateStatus = "revoked"
)

// CertificateStatuses lists every status.
var CertificateStatuses = []CertificateStatus{CertRequested, CertIssued, CertRefused, CertRevoked}

// CertificateReferencePrefix is the prefix of certificate numbers.
const CertificateReferencePrefix = "ZM"

// CertificateReference formats a certificate's number, e.g. ZM-2026-000042.
// It names the certificate for the holder and the police; it opens nothing.
func CertificateReference(year int, seq uint64) string {
	return fmt.Sprintf("%s-%d-%06d", CertificateReferencePrefix, year, seq)
}

// Certificate is one request and, once issued, the certificate itself.
type Certificate struct {
	ID     uint64
	Ref    string
	Status CertificateStatus

	// The holder: the person the certificate is about.
	PersonName     string
	PersonIDNumber string
	// PersonDocType is the holder's identity document (R31): "" is the
	// mainland identity card; PersonDocCountry a passport's issuing state.
	PersonDocType    IDDocType
	PersonDocCountry string

	// Who asked, in which capacity, and of which police organ.
	RequestedBy   uint64
	RequesterRole Role
	Capacity      FilerCapacity
	PoliceOrganID uint64
	RequestedAt   time.Time
	Due           Date // Policy.Certificate working days after the request

	// DueAwaitsCalendar: the deadline falls in a year whose official calendar
	// is not loaded yet ("to be set when the official calendar is published");
	// Due is zero until PutCalendarYear counts it.
	DueAwaitsCalendar bool `json:",omitempty"`

	// The answer.
	AnsweredAt   time.Time
	AnsweredBy   uint64
	IssuingOrgan string // the police organ's name as printed
	// Code is the verification code printed on the certificate. The store
	// keeps it only inside the certificate's encrypted body (for the holder to
	// print again) and looks it up by its keyed hash; it never goes into a URL.
	Code string

	RevokedAt time.Time

	// Check is the official's recorded check of the police records (R14):
	// without it no answer is given.
	Check *CertificateCheck
	// Objection is the person's objection to the answer, if any (R14).
	Objection *CertificateObjection
}

// CertificateCheckResult is what the police records system says (R14).
type CertificateCheckResult string

// The results of a check.
const (
	CheckNoRecord     CertificateCheckResult = "no_record"     // no record, or only sealed records (R14)
	CheckRecordFound  CertificateCheckResult = "record_found"  // a record that is not sealed
	CheckCannotDecide CertificateCheckResult = "cannot_decide" // the records cannot settle it online: go to a police station
)

// CertificateCheckResults lists the results in the form's order.
var CertificateCheckResults = []CertificateCheckResult{CheckNoRecord, CheckRecordFound, CheckCannotDecide}

// MaxCheckReferenceRunes limits the police records system's reference.
const MaxCheckReferenceRunes = 60

// CertificateCheck is the police official's recorded check of the police
// records system (R14): the result, the reference of the check in that
// system, who checked and when.
type CertificateCheck struct {
	Result    CertificateCheckResult
	Reference string
	By        uint64
	At        time.Time
}

// Validate checks a check as the official records it, with the form fields
// result and reference.
func (k CertificateCheck) Validate() error {
	var fe FieldErrors
	if !slices.Contains(CertificateCheckResults, k.Result) {
		fe.Add("result", "cert.check_result_required")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(k.Reference)); {
	case n == 0:
		fe.Add("reference", "cert.check_reference_required")
	case n > MaxCheckReferenceRunes:
		fe.Add("reference", "cert.check_reference_too_long")
	}
	return fe.Err()
}

// AnswerFromCheck is the answer to a request from the official's recorded
// check (R14): no record (or only sealed records) issues the certificate;
// anything else refuses it. Without a check there is no answer: the portal
// never answers from its own data.
func AnswerFromCheck(k *CertificateCheck) (CertificateStatus, error) {
	if k == nil || !slices.Contains(CertificateCheckResults, k.Result) {
		return "", Conflict("cert.check_required")
	}
	if k.Result == CheckNoRecord {
		return CertIssued, nil
	}
	return CertRefused, nil
}

// RefusalKind says which refusal a refused certificate carries: the record
// found, or the check that cannot be decided online ("" when not refused).
func (c Certificate) RefusalKind() CertificateCheckResult {
	if c.Status != CertRefused || c.Check == nil {
		return ""
	}
	return c.Check.Result
}

// HolderDocument is the holder's identity document (R31).
func (c Certificate) HolderDocument() (IdentityDocument, error) {
	return parseStoredDocument(c.PersonDocType, c.PersonIDNumber, c.PersonDocCountry)
}

// IssuedOn is the date of issue in China.
func (c Certificate) IssuedOn() Date {
	if c.Status != CertIssued && c.Status != CertRevoked {
		return Date{}
	}
	return DateOf(c.AnsweredAt)
}

// Overdue reports whether an unanswered request is past its deadline.
func (c Certificate) Overdue(today Date) bool {
	return c.Status == CertRequested && !c.Due.IsZero() && today.After(c.Due)
}

// Validate checks a request before it is stored.
func (c Certificate) Validate(today Date) error {
	var fe FieldErrors
	if name := strings.TrimSpace(c.PersonName); name == "" || utf8.RuneCountInString(name) > MaxNameRunes {
		fe.Add("person", "cert.person_required")
	}
	if doc, err := c.HolderDocument(); err != nil {
		fe.Add("person", "cert.person_required")
	} else if birth, known := doc.BirthDate(); known && today.Before(birth) {
		fe.Add("person", "cert.person_required")
	}
	if c.PoliceOrganID == 0 {
		fe.Add("police", "cert.police_required")
	}
	if !c.RequesterRole.IsCitizen() {
		fe.Add("person", "cert.person_required")
	}
	return fe.Err()
}

// CertificateAnswer is what the portal's own cases say about a person. It is
// no longer the answer to a certificate request (that needs the official's
// check, AnswerFromCheck); queries use it to tell whether every record the
// portal holds about a person is sealed (OnlySealed).
type CertificateAnswer string

// The answers.
const (
	AnswerNoRecord      CertificateAnswer = "no_record"       // issue the certificate: no criminal record
	AnswerNotThroughWeb CertificateAnswer = "not_through_web" // the certificate cannot be issued through the portal
)

// AnswerCertificate decides a request from the statuses of every case about
// the person. R14: a sealed record (sealed, completed, or in an unsealing
// review, R18) is answered "no criminal record", exactly as no record at all;
// drafts and withdrawn applications are no record of anything. A record that
// was unsealed (R18), that the organ decided not to seal, or whose sealing is
// still being decided is not certified away: the portal sends the person to
// the police station, and says nothing more.
func AnswerCertificate(statuses []CaseStatus) CertificateAnswer {
	for _, s := range statuses {
		switch {
		case s.RecordSealed(), s == StatusDraft, s == StatusWithdrawn, s == "":
			continue
		default:
			return AnswerNotThroughWeb
		}
	}
	return AnswerNoRecord
}

// The verification code: 24 characters from an alphabet of 32 without the
// look-alikes 0/O and 1/I, so 120 random bits, printed in six groups of four.
const (
	VerificationCodeLength = 24
	verificationGroup      = 4
	verificationAlphabet   = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
)

// NewVerificationCode returns a fresh random code in its compact form.
func NewVerificationCode() string {
	b := make([]byte, VerificationCodeLength)
	if _, err := rand.Read(b); err != nil {
		panic("portal: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	out := make([]byte, len(b))
	for i, v := range b {
		out[i] = verificationAlphabet[v&31] // 256 is a multiple of 32: uniform
	}
	return string(out)
}

// GroupVerificationCode shows a compact code in groups of four for reading
// aloud and typing: XXXX-XXXX-XXXX-XXXX-XXXX-XXXX.
func GroupVerificationCode(code string) string {
	var sb strings.Builder
	for i, r := range code {
		if i > 0 && i%verificationGroup == 0 {
			sb.WriteByte('-')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// NormalizeVerificationCode turns what a person typed into the compact form
// (upper case, no spaces or dashes); ok is false when it cannot be a code at
// all, which the page answers exactly like a code that matches nothing.
func NormalizeVerificationCode(s string) (string, bool) {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\u3000' || r == '－' || r == '—':
			continue
		case r < 128 && strings.ContainsRune(verificationAlphabet, r):
			sb.WriteRune(r)
		default:
			return "", false
		}
		if sb.Len() > VerificationCodeLength {
			return "", false
		}
	}
	if sb.Len() != VerificationCodeLength {
		return "", false
	}
	return sb.String(), true
}

// VerificationResult is what the public verification page shows: exactly
// what the paper certificate shows (its number, the holder's full name and
// identity number, the issuing organ and the date of issue) and nothing about
// later events (R14: an unsealing does not revoke a certificate). A
// certificate revoked by an earlier version of the portal still reads as
// revoked.
type VerificationResult struct {
	Status       CertificateStatus // CertIssued (valid), CertRevoked, or "" (not valid)
	Ref          string
	HolderName   string
	HolderID     string
	HolderDoc    IDDocType // "" is the mainland identity card (R31)
	HolderState  string    // a passport's issuing state
	IssuingOrgan string
	IssuedOn     Date
	RevokedOn    Date
}

// Verify is what a certificate tells the verification page.
func (c Certificate) Verify() VerificationResult {
	switch c.Status {
	case CertIssued:
		return VerificationResult{Status: CertIssued, Ref: c.Ref, HolderName: c.PersonName, HolderID: c.PersonIDNumber,
			HolderDoc: c.PersonDocType, HolderState: c.PersonDocCountry,
			IssuingOrgan: c.IssuingOrgan, IssuedOn: c.IssuedOn()}
	case CertRevoked:
		return VerificationResult{Status: CertRevoked, Ref: c.Ref, IssuedOn: c.IssuedOn(), RevokedOn: DateOf(c.RevokedAt)}
	}
	return VerificationResult{}
}

// Audit actions of certificates.
const (
	AuditCertificateRequested AuditAction = "certificate_requested"
	AuditCertificateAnswered  AuditAction = "certificate_answered"  // Detail is the answer
	AuditCertificateRevoked   AuditAction = "certificate_revoked"   // Detail is the reason (earlier versions only)
	AuditCertificateChecked   AuditAction = "certificate_checked"   // Detail is the check's result (R14)
	AuditCertificateObjection AuditAction = "certificate_objection" // Detail is the step (filed, extended, upheld, rejected)
	AuditCertificateVerified  AuditAction = "certificate_verified"  // a code matched; Detail is the status shown
)
