package views

import (
	"slices"
	"strings"
	"testing"

	"sealportal/portal"
)

// Every key the eligibility, unsealing and calendar code can return has a text
// in both languages. The lists come from portal, whose tests prove that every
// key returned is on them.
func TestEligibilityMessages(t *testing.T) {
	keys := append(portal.EligibilityMessageKeys(), portal.CalendarMessageKeys()...)
	// A few keys spelled out, so that emptied lists cannot pass unnoticed.
	for _, k := range []string{"eligibility.acts_required", "eligibility.reason.term_within", "unsealing.reason.exactly_limit", "calendar.year_missing"} {
		if !slices.Contains(keys, k) {
			t.Errorf("key %s not listed by portal", k)
		}
	}
	for _, k := range keys {
		if !HasMessage(k) {
			t.Errorf("no message for %s", k)
			continue
		}
		zh, en := Translate(LangZH, k), Translate(LangEN, k)
		if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" || zh == en {
			t.Errorf("%s: incomplete translation %q / %q", k, zh, en)
		}
		// R14: nothing said about a sealed record may claim a criminal record exists.
		if strings.Contains(strings.ToLower(en), "has a criminal record") || strings.Contains(zh, "有犯罪记录") {
			t.Errorf("%s: says a criminal record exists", k)
		}
	}
}
