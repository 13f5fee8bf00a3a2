package portal

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Proofs of no criminal record (无犯罪记录证明, R14). The person, or the
// legal representative, asks for one; the police organ chosen answers within
// Policy.Certificate (3 working days, MPS Rules). For a person whose records
// are all sealed, or who has none, the certificate always says "no criminal
// record" and is word for word the certificate of a person who never had a
// case: nothing on it or on the verification page hints at a sealed record
// (R14, CL art. 100 para 2, MPL art. 113). A record that is not sealed is
// never certified away: the request is answered that the certificate cannot
// be issued through the portal, in neutral words that say nothing of a record.

// CertificateStatus is where a certificate request stands.
type CertificateStatus string

// The statuses.
const (
	CertRequested CertificateStatus = "requested" // waiting for the police organ
	CertIssued    CertificateStatus = "issued"    // issued: it verifies as valid
	CertRefused   CertificateStatus = "refused"   // cannot be issued through the portal
	CertRevoked   CertificateStatus = "revoked"   // withdrawn after issue, e.g. when the record was unsealed (R18)
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

	// Who asked, in which capacity, and of which police organ.
	RequestedBy   uint64
	RequesterRole Role
	Capacity      FilerCapacity
	PoliceOrganID uint64
	RequestedAt   time.Time
	Due           Date // Policy.Certificate working days after the request

	// The answer.
	AnsweredAt   time.Time
	AnsweredBy   uint64
	IssuingOrgan string // the police organ's name as printed
	// Code is the verification code printed on the certificate. The store
	// keeps it only inside the certificate's encrypted body (for the holder to
	// print again) and looks it up by its keyed hash; it never goes into a URL.
	Code string

	RevokedAt time.Time
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
	if id, err := ParseIDNumber(c.PersonIDNumber); err != nil || !id.BornBy(today) {
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

// CertificateAnswer is what the police answer to a request, from the statuses
// of the person's cases in the portal (R14).
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

// VerificationResult is all the public verification page may say: whether the
// code belongs to a valid or a revoked certificate, its dates and the last
// four characters of the holder's identity number. Nothing about any record.
type VerificationResult struct {
	Status    CertificateStatus // CertIssued (valid), CertRevoked, or "" (not valid)
	IssuedOn  Date
	RevokedOn Date
	Last4     string
}

// Verify is what a certificate tells the verification page.
func (c Certificate) Verify() VerificationResult {
	switch c.Status {
	case CertIssued:
		return VerificationResult{Status: CertIssued, IssuedOn: c.IssuedOn(), Last4: last4(c.PersonIDNumber)}
	case CertRevoked:
		return VerificationResult{Status: CertRevoked, IssuedOn: c.IssuedOn(), RevokedOn: DateOf(c.RevokedAt), Last4: last4(c.PersonIDNumber)}
	}
	return VerificationResult{}
}

func last4(id string) string {
	n, err := ParseIDNumber(id)
	if err != nil {
		return ""
	}
	return n.Last4()
}

// Audit actions of certificates.
const (
	AuditCertificateRequested AuditAction = "certificate_requested"
	AuditCertificateAnswered  AuditAction = "certificate_answered" // Detail is the answer
	AuditCertificateRevoked   AuditAction = "certificate_revoked"  // Detail is the reason
	AuditCertificateVerified  AuditAction = "certificate_verified" // a code matched; Detail is the status shown
)
