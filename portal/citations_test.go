package portal

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every rule of shared/DOMAIN.md, so that a rule without a citation fails here.
var domainRules = []string{"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "R13",
	"R14", "R14a", "R15", "R16", "R17", "R18", "R19", "R20", "R21", "R22", "R23", "R24", "R25", "R26", "R27",
	"R28", "R29", "R30", "R31", "R32", "R33"}

func TestCitationTableIsWellFormed(t *testing.T) {
	ruleID := regexp.MustCompile(`\bR[0-9]+a?\b`)
	stableID := regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	seen := map[string]bool{}
	for _, c := range Citations() {
		if !stableID.MatchString(c.ID) || seen[c.ID] {
			t.Errorf("citation id %q: malformed or duplicated", c.ID)
		}
		seen[c.ID] = true
		if c.ZH == "" || c.EN == "" {
			t.Errorf("citation %s lacks a language", c.ID)
		}
		// Documents cite the law, never the portal's rule ids.
		if ruleID.MatchString(c.ZH) || ruleID.MatchString(c.EN) {
			t.Errorf("citation %s shows a rule id", c.ID)
		}
		if !strings.HasPrefix(c.ZH, "《") {
			t.Errorf("citation %s: the Chinese text must start with the instrument's title", c.ID)
		}
		// DOMAIN.md: the Measures are cited by number only for arts. 1–3.
		if strings.HasPrefix(c.ID, "measures-") && c.ID != "measures-2" && strings.Contains(c.ZH, "办法》第") {
			t.Errorf("citation %s numbers an article of the Measures beyond art. 3", c.ID)
		}
		got, ok := CitationByID(c.ID)
		if !ok || got != c {
			t.Errorf("CitationByID(%s) = %v, %v", c.ID, got, ok)
		}
	}
	for rule, ids := range ruleCitations {
		for _, id := range ids {
			if !seen[id] {
				t.Errorf("rule %s maps to unknown citation %s", rule, id)
			}
		}
	}
}

func TestEveryRuleHasACitation(t *testing.T) {
	for _, r := range domainRules {
		if len(CitationsForRule(r)) == 0 {
			t.Errorf("rule %s has no citation", r)
		}
	}
	if CitationsForRule("R99") != nil {
		t.Error("an unknown rule has citations")
	}
}

func TestCitationsKnownProvisions(t *testing.T) {
	cases := []struct {
		rule, id, zh string
	}{
		// R2: CPL art. 286 is the statute that seals (2018 numbering).
		{"R2", "cpl-286", "《中华人民共和国刑事诉讼法》第二百八十六条"},
		// R2: "以下" includes the number itself.
		{"R2", "cl-99", "《中华人民共和国刑法》第九十九条"},
		// R23: no declaration when enlisting or taking a job.
		{"R23", "cl-100-2", "《中华人民共和国刑法》第一百条第二款"},
		// R18: SPP Rules art. 485 on unsealing.
		{"R18", "spp-485", "《人民检察院刑事诉讼规则》第四百八十五条"},
		// R24: procuratorial supervision (MPL art. 105).
		{"R24", "mpl-105", "《中华人民共和国未成年人保护法》第一百零五条"},
		// R7: the scope of sealing is art. 2 of the Measures.
		{"R7", "measures-2", "《最高人民法院、最高人民检察院、公安部、司法部关于未成年人犯罪记录封存的实施办法》第二条"},
	}
	for _, tc := range cases {
		c, ok := CitationByID(tc.id)
		if !ok || c.ZH != tc.zh {
			t.Errorf("%s = %q, want %q", tc.id, c.ZH, tc.zh)
		}
		if !slices.ContainsFunc(CitationsForRule(tc.rule), func(x Citation) bool { return x.ID == tc.id }) {
			t.Errorf("rule %s does not offer %s", tc.rule, tc.id)
		}
	}
	if c, _ := CitationByID("cpl-286"); c.In("en") != "Criminal Procedure Law of the People's Republic of China, art. 286" || c.In("zh-CN") != c.ZH {
		t.Errorf("In: %q", c.In("en"))
	}
}

func TestParseCitationIDs(t *testing.T) {
	cases := []struct {
		in   []string
		want []string
		ok   bool
	}{
		{nil, []string{}, true},
		{[]string{"cpl-286", " cl-99 ", "cpl-286", ""}, []string{"cpl-286", "cl-99"}, true},
		{[]string{"cpl-286", "R2"}, nil, false},
		{[]string{"<script>"}, nil, false},
	}
	for _, tc := range cases {
		got, ok := ParseCitationIDs(tc.in)
		if ok != tc.ok || (ok && !slices.Equal(got, tc.want)) {
			t.Errorf("ParseCitationIDs(%q) = %q, %v", tc.in, got, ok)
		}
	}
	if got := CitationsForRules([]string{"R1", "R2"}); len(got) != 3 || got[0].ID != "cpl-286" {
		t.Errorf("CitationsForRules = %v", got)
	}
}
