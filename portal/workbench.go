package portal

import (
	"strings"
	"unicode"
)

// The officials' workbench (issue 18): search keys, the steps that go
// together, and the audit actions of the workbench.

// Audit actions of the workbench. A search's entry names the kind of key and
// the number of results, never the term (R17: every read is logged; MPL 103:
// the log itself carries no identifying data).
const (
	AuditCaseSearch     AuditAction = "case_search"     // an official searched cases; Detail is kind:results
	AuditCaseAssigned   AuditAction = "case_assigned"   // a case handed to an official of the organ; Detail is organ:from:to
	AuditRegisterExport AuditAction = "register_export" // the sealing register exported; Detail is from:to:rows
)

// SearchKind is what an official searches cases by.
type SearchKind string

// The kinds of search key.
const (
	SearchIDNumber   SearchKind = "idnumber"    // the person's mainland identity number
	SearchName       SearchKind = "name"        // the person's name as recorded on the case
	SearchCaseNumber SearchKind = "case_number" // the deciding organ's own case number (e.g. (2024)甲刑初字第7号)
)

// SearchKinds lists the kinds in the order the form offers them.
var SearchKinds = []SearchKind{SearchIDNumber, SearchName, SearchCaseNumber}

// Valid reports whether k is a known kind.
func (k SearchKind) Valid() bool {
	for _, v := range SearchKinds {
		if k == v {
			return true
		}
	}
	return false
}

// NormalizeSearchName folds a name as typed or as recorded to the form it is
// indexed under: no spaces of any width, the several middle dots of
// transcribed names as one, Latin letters in lower case. "" when nothing is
// left or the name is longer than any recorded one.
func NormalizeSearchName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case r == '•' || r == '・' || r == '．' || r == '‧' || r == '.':
			r = '·'
		default:
			r = unicode.ToLower(foldWide(r))
		}
		b.WriteRune(r)
	}
	out := b.String()
	if len([]rune(out)) > 100 {
		return ""
	}
	return out
}

// AcceptAndReview are the two steps of the deciding organ that an official
// may take as one: acceptance, then the start of the review. Nothing in the
// law (R12, SPP Rules) requires a pause between them; each is recorded as
// its own step with its own audit entry, so the timeline is the same as when
// they are taken apart.
var AcceptAndReview = []CaseAction{ActionAccept, ActionStartReview}

// foldWide maps the full-width ASCII forms (U+FF01–FF5E) that Chinese input
// methods produce in full-width mode to ASCII.
func foldWide(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return r
}
