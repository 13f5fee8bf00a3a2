package handlers

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The public information pages answer anyone, in both languages, with every
// text translated; the pages about relief and leaks carry the quick exit.
func TestInfoPages(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	rawKey := regexp.MustCompile(`\b(info|leak)\.[a-z_]+(\.[a-z_]+)*\b`)
	for _, tc := range []struct {
		path      string
		quickExit bool
		en, zh    string
	}{
		{"/help", false, "Help and information", "帮助和信息"},
		{"/rights", false, "Sealing happens by itself, and it lasts", "封存是自动的"},
		{"/help/relief", true, "How to ask for help when you were treated unfairly", "受到不公平对待时怎么申请帮助"},
		{"/help/report", true, "How to report a leak of a sealed record", "怎么举报泄露封存记录"},
	} {
		for _, lang := range []string{"en", "zh-CN"} {
			c := ts.newClient()
			c.setLang(lang)
			p := c.get(tc.path).wantPath(t, tc.path)
			want := tc.zh
			if lang == "en" {
				want = tc.en
			}
			p.wantText(t, want)
			if m := rawKey.FindString(p.text()); m != "" {
				t.Errorf("%s (%s): untranslated key %s", tc.path, lang, m)
			}
			if _, ok := p.testid("page-heading"); !ok {
				t.Errorf("%s: no heading", tc.path)
			}
			if _, ok := p.testid("quick-exit"); ok != tc.quickExit {
				t.Errorf("%s: quick exit present %v, want %v", tc.path, ok, tc.quickExit)
			}
			if tc.quickExit {
				leakWantQuickExit(t, p)
			}
			if strings.Contains(p.body, " style=") || strings.Contains(p.body, "<script>") {
				t.Errorf("%s: inline style or script", tc.path)
			}
		}
	}
	// R14 and CL art. 100 in plain words.
	c := ts.newClient()
	c.setLang("en")
	c.get("/rights").wantText(t, "the certificate always says there is no criminal record", "Criminal Law, article 100",
		"within 3 working days")
	c.get("/help/report").wantText(t, "within 15 working days", "We never tell anyone who made the report")
	p := c.get("/help")
	for _, link := range []string{"/rights", "/help/relief", "/help/report", "/track"} {
		if !strings.Contains(p.body, `href="`+link+`"`) {
			t.Errorf("/help does not link to %s", link)
		}
	}
}

// The quick exit is on the leak pages, and its script is served.
func TestQuickExitOnLeakPages(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	for _, path := range []string{"/report", "/track"} {
		leakWantQuickExit(t, c.get(path).wantPath(t, path))
	}
	p := c.get("/static/quickexit.js").wantStatus(t, http.StatusOK)
	if !strings.Contains(p.body, "location.replace") || !strings.Contains(p.body, "Escape") {
		t.Fatal("quickexit.js does not replace the history entry or listen for Esc")
	}
}
