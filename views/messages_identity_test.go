package views

import (
	"strings"
	"testing"
)

// Issue 11: the identity notifications may reach a phone screen (the other
// engineer's outbox sends notifications): no word of them reveals a criminal
// matter, in either language.
func TestIdentityNotificationsAreDiscreet(t *testing.T) {
	banned := []string{"犯罪", "刑事", "封存", "法院", "案件", "criminal", "crime", "seal", "court", "case", "record"}
	for _, key := range []string{"notify.identity_claimed", "notify.identity_verified", "notify.new_device",
		"notify.guardian_ended", "notify.handed_over", "notify.guardianship_verified"} {
		for _, lang := range []Lang{LangZH, LangEN} {
			text := Translate(lang, key)
			if text == key {
				t.Fatalf("%s has no %s text", key, lang)
			}
			for _, w := range banned {
				if strings.Contains(strings.ToLower(text), w) {
					t.Errorf("%s (%s) %q contains %q", key, lang, text, w)
				}
			}
		}
	}
}
