package views

import (
	"context"
	"regexp"
	"strings"
	"time"

	"sealportal/portal"
)

// NextStepsKind picks the "what you can do next" block of a page that would
// otherwise be a dead end (issue 16): an overdue case, a refused case, a
// closed or declined relief request. "" shows nothing.
type NextStepsKind string

// The pages that end in next steps.
const (
	NextNone           NextStepsKind = ""
	NextOverdue        NextStepsKind = "overdue"
	NextRejected       NextStepsKind = "rejected"
	NextReliefClosed   NextStepsKind = "relief_closed"
	NextReliefDeclined NextStepsKind = "relief_declined"
)

// CaseNextSteps is the block a case page shows: refused before overdue (a
// refused case owes no step).
func CaseNextSteps(status portal.CaseStatus, overdue bool) NextStepsKind {
	switch {
	case status == portal.StatusRejected:
		return NextRejected
	case overdue && !status.Final():
		return NextOverdue
	}
	return NextNone
}

// ReliefNextSteps is the block a relief request's page shows.
func ReliefNextSteps(status portal.ReliefStatus) NextStepsKind {
	switch status {
	case portal.ReliefClosed:
		return NextReliefClosed
	case portal.ReliefDeclined:
		return NextReliefDeclined
	}
	return NextNone
}

// The numbers every dead end and every help page gives (issue 16).
const (
	Hotline12309 = "12309"
	Web12309     = "https://www.12309.gov.cn/"
	Hotline12348 = "12348"
)

// ContactModel is GET /help/contact.
type ContactModel struct {
	Page     Page
	Operator string // the portal operator's contact; "" says whom to ask instead
}

// GlossaryTerm is one concept: its one word in each language and what it
// means. Key is the suffix of glossary.t.* and glossary.d.*.
type GlossaryTerm struct{ Key string }

// Glossary is the one list of the portal's words (GET /help/glossary); the
// catalogue test forbids their synonyms.
var Glossary = []GlossaryTerm{{"ref"}, {"caseno"}, {"seal"}, {"unseal"}, {"relief"}, {"cert"}, {"organ"}, {"proc"},
	{"guardian"}, {"aid"}, {"unit"}}

// GlossaryModel is GET /help/glossary.
type GlossaryModel struct{ Page Page }

// ExitModel is the neutral page the quick exit passes through after signing
// out, on its way to an ordinary website.
type ExitModel struct {
	Page   Page
	Target string
}

// QuickExitTarget is the ordinary website the quick exit opens.
const QuickExitTarget = "https://www.baidu.com/"

// ruleID matches the portal's internal rule ids.
var ruleID = regexp.MustCompile(`^R[0-9]+$`)

// LawBasis turns the portal's rule ids (R1…) into the articles of law a
// citizen reads: each rule's article once, in order, unknown ids left out
// rather than shown (issue 16: citizens never see rule ids).
func LawBasis(ctx context.Context, rules []string) string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rules {
		r = strings.TrimSpace(r)
		if !ruleID.MatchString(r) {
			continue
		}
		key := "law.art." + r
		if !HasMessage(key) {
			continue
		}
		text := T(ctx, key)
		if seen[text] {
			continue
		}
		seen[text] = true
		out = append(out, text)
	}
	sep := "；"
	if LangOf(ctx) == LangEN {
		sep = "; "
	}
	return strings.Join(out, sep)
}

// AccessGroup is one line of "who looked at my record": the reads of one
// organ or unit on one day, of one kind and on one footing (issue 16).
type AccessGroup struct {
	AccessEntry
	Day   portal.Date
	Count int
	First time.Time
	Last  time.Time
}

// GroupAccess folds entries (newest first) into one line per organ or unit,
// day, kind and footing, keeping the newest-first order of each line's
// latest read.
func GroupAccess(entries []AccessEntry) []AccessGroup {
	type key struct {
		day                                      portal.Date
		who, kind, query, duty, refused, purpose string
		role                                     portal.Role
	}
	index := map[key]int{}
	var out []AccessGroup
	for _, e := range entries {
		k := key{portal.DateOf(e.At), e.Who, e.Kind, e.QueryRef, e.DutyKey, e.RefusedKey, e.Purpose, e.Role}
		if i, ok := index[k]; ok {
			g := &out[i]
			g.Count++
			if e.At.Before(g.First) {
				g.First = e.At
			}
			if e.At.After(g.Last) {
				g.Last = e.At
			}
			continue
		}
		index[k] = len(out)
		out = append(out, AccessGroup{AccessEntry: e, Day: k.day, Count: 1, First: e.At, Last: e.At})
	}
	return out
}

// glossaryPeer is the language a glossary term is also given in: English
// beside Chinese, Chinese beside every other language (the language of the
// proceedings).
func glossaryPeer(l Lang) Lang {
	if l == LangZH {
		return LangEN
	}
	return LangZH
}
