package portal

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Other cases that use sealed information (R21). A judicial organ that uses
// sealed information in another case of its own — criminal, civil,
// administrative or public-interest — marks that case's file "含犯罪记录封存
// 信息" and keeps it confidential. The marking names the organ's own case
// number and kind, never the sealed record or its person (R22); it answers the
// same lookup as the co-offender marking (R20).

// OtherCaseKind is the kind of the case that uses sealed information.
type OtherCaseKind string

// The kinds R21 names.
const (
	OtherCaseCriminal       OtherCaseKind = "criminal"
	OtherCaseCivil          OtherCaseKind = "civil"
	OtherCaseAdministrative OtherCaseKind = "administrative"
	OtherCasePublicInterest OtherCaseKind = "public_interest"
)

// OtherCaseKinds lists the kinds in the form's order.
var OtherCaseKinds = []OtherCaseKind{OtherCaseCriminal, OtherCaseCivil, OtherCaseAdministrative, OtherCasePublicInterest}

// SealedInfoMarkers are the roles that mark their cases (R21: judicial
// organs, here the court, the procuratorate and the public security organ).
var SealedInfoMarkers = []Role{RoleCourt, RoleProcuratorate, RolePolice}

// MaxSealedInfoBasisRunes limits the basis of a marking.
const MaxSealedInfoBasisRunes = 200

// SealedInfoMark is one case marked as using sealed information (R21).
type SealedInfoMark struct {
	ID         uint64
	CaseNumber string // the organ's own case number, normalised
	Kind       OtherCaseKind
	// Basis says where the sealed information came from, e.g. the query
	// reference (CX-…) under which it was read; never its contents.
	Basis    string
	OrganID  uint64
	MarkedBy uint64
	MarkedAt time.Time
}

// Validate checks a marking as the organ enters it, with the form fields
// case_number, kind and basis; the case number is normalised in place.
func (m *SealedInfoMark) Validate(role Role) error {
	if !slices.Contains(SealedInfoMarkers, role) {
		return Forbidden("error.forbidden")
	}
	var fe FieldErrors
	if strings.TrimSpace(m.CaseNumber) == "" {
		fe.Add("case_number", "sealedinfo.case_number_required")
	} else if n, ok := NormalizeCaseNumber(m.CaseNumber); !ok {
		fe.Add("case_number", "cooff.number_invalid")
	} else {
		m.CaseNumber = n
	}
	if !slices.Contains(OtherCaseKinds, m.Kind) {
		fe.Add("kind", "sealedinfo.kind_required")
	}
	m.Basis = strings.TrimSpace(m.Basis)
	switch n := utf8.RuneCountInString(m.Basis); {
	case n == 0:
		fe.Add("basis", "sealedinfo.basis_required")
	case n > MaxSealedInfoBasisRunes:
		fe.Add("basis", "sealedinfo.basis_too_long")
	}
	return fe.Err()
}

// AuditSealedInfoMarked is the audit action of a marking; Detail is the kind.
const AuditSealedInfoMarked AuditAction = "sealed_info_marked"
