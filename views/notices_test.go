package views

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// glossarySynonyms is the glossary's rule as a table (issue 16): for each
// concept, the one word the portal uses and the synonyms it must not use in
// either language.
var glossarySynonyms = []struct {
	preferred string
	forbidden []string
}{
	{"受理编号", []string{"申请编号", "案件编号", "参考编号", "受理号码", "你的编号", "尚无编号"}},
	{"案号", []string{"原案件编号", "机关编号", "案件号码"}},
	{"reference number", []string{"original case number", "application number", "reference no.", "ref. no", "case reference"}},
	{"case number", []string{"case no.", "file number", "docket number"}},
	{"无犯罪记录证明", []string{"无犯罪证明", "无犯罪记录证书"}},
	{"certificate of no criminal record", []string{"clean record certificate", "police clearance"}},
	{"救济申请", []string{"救济请求"}},
	{"relief request", []string{"request for help", "requests for help"}},
}

// TestCatalogueUsesOneTermPerConcept fails when a message uses a synonym the
// glossary forbids, and when the glossary's own terms are missing.
func TestCatalogueUsesOneTermPerConcept(t *testing.T) {
	keys := MessageKeys()
	for _, row := range glossarySynonyms {
		for _, k := range keys {
			for i, l := range Languages() {
				text := Translate(l, k)
				low := strings.ToLower(text)
				for _, bad := range row.forbidden {
					if strings.Contains(low, strings.ToLower(bad)) {
						t.Errorf("%s [%d]: %q uses %q; the portal says %q", k, i, text, bad, row.preferred)
					}
				}
			}
		}
	}
	for _, g := range Glossary {
		for _, prefix := range []string{"glossary.t.", "glossary.d."} {
			v, ok := inEveryLanguage(prefix+g.Key), HasMessage(prefix+g.Key)
			if !ok || v[0] == "" || v[1] == "" {
				t.Errorf("glossary %s%s missing in a language", prefix, g.Key)
			}
		}
	}
	// The preferred words are the glossary's.
	want := map[string]bool{"受理编号": true, "案号": true, "reference number": true, "case number": true, "救济": true, "relief": true}
	for _, g := range Glossary {
		v := inEveryLanguage("glossary.t." + g.Key)
		delete(want, v[0])
		delete(want, v[1])
	}
	if len(want) > 0 {
		t.Errorf("the glossary lacks %v", want)
	}
}

// citizenPrefixes are the message keys of pages citizens (the person, the
// guardian, the lawyer) and visitors read; staff, supervision and querying
// unit pages may name the portal's rule ids for the officials.
var citizenPrefixes = []string{"cases.", "case.", "apply.", "relief.", "mydata.", "info.", "accesslog.", "notify.", "notices.",
	"glossary.", "law.art.", "layout.", "error.", "identity.", "leak.", "account.", "cert.list", "cert.page", "cert.request",
	"event.", "status.", "eligibility.", "check.", "actor."}

var ruleIDText = regexp.MustCompile(`\bR[0-9]+\b`)

// TestCitizenMessagesNameNoRuleIDs: citizens read articles of law, never the
// portal's internal rule ids (issue 16).
func TestCitizenMessagesNameNoRuleIDs(t *testing.T) {
	for _, k := range MessageKeys() {
		v := inEveryLanguage(k)
		citizen := false
		for _, p := range citizenPrefixes {
			citizen = citizen || strings.HasPrefix(k, p)
		}
		if strings.HasPrefix(k, "identity.staff") || strings.HasPrefix(k, "relief.sup") {
			citizen = false
		}
		if !citizen {
			continue
		}
		for i, text := range v {
			if m := ruleIDText.FindString(text); m != "" {
				t.Errorf("%s [%d] shows the rule id %s: %q", k, i, m, text)
			}
		}
	}
}

// TestLawBasisNeverShowsRuleIDs: every rule id the portal decides with has an
// article of law in both languages, and LawBasis leaves out what it cannot
// name.
func TestLawBasisNeverShowsRuleIDs(t *testing.T) {
	for _, lang := range []Lang{LangZH, LangEN} {
		ctx := WithLang(context.Background(), lang)
		var all []string
		for i := 1; i <= 33; i++ {
			all = append(all, "R"+strconv.Itoa(i))
		}
		got := LawBasis(ctx, all)
		if ruleIDText.MatchString(got) || got == "" {
			t.Errorf("%s: %q", lang, got)
		}
		if got := LawBasis(ctx, []string{"R1", "R1", "R99", "x"}); got != T(ctx, "law.art.R1") {
			t.Errorf("%s: R1 twice, an unknown id and junk give %q", lang, got)
		}
	}
	for i := 1; i <= 33; i++ {
		if !HasMessage("law.art.R" + strconv.Itoa(i)) {
			t.Errorf("no article of law for R%d", i)
		}
	}
}

// inEveryLanguage is a message in each language of the catalogue, the
// default first.
func inEveryLanguage(key string) []string {
	var out []string
	for _, l := range Languages() {
		out = append(out, Translate(l, key))
	}
	return out
}
