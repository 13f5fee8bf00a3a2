package views

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// verbs finds the fmt verbs of a message; every translation must carry the
// same ones in the same order, or Translate would print %!s(MISSING).
var verbs = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// Every language file has every key of the default language (and no other),
// no empty text, the same fmt verbs, a direction, and date layouts that
// print a date.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	ref := catalogue.messages[LangZH]
	if len(ref) < 1000 {
		t.Fatalf("the default language has only %d messages", len(ref))
	}
	if len(catalogue.langs) < 2 {
		t.Fatalf("languages: %v", catalogue.langs)
	}
	for _, l := range catalogue.langs {
		m := catalogue.messages[l]
		for k, zh := range ref {
			s, ok := m[k]
			if !ok {
				t.Errorf("%s: no message %q", l, k)
				continue
			}
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
			if a, b := verbs.FindAllString(zh, -1), verbs.FindAllString(s, -1); strings.Join(a, " ") != strings.Join(b, " ") {
				t.Errorf("%s: %q has verbs %v, the default %v", l, k, b, a)
			}
		}
		for k := range m {
			if _, ok := ref[k]; !ok {
				t.Errorf("%s: %q is not a key of %s", l, k, LangZH)
			}
		}
		if d := m["lang.dir"]; d != "ltr" && d != "rtl" {
			t.Errorf("%s: lang.dir %q", l, d)
		}
		day := time.Date(2026, 12, 3, 9, 5, 0, 0, time.UTC)
		for _, k := range []string{"format.day", "format.datetime"} {
			if got := day.Format(m[k]); !strings.Contains(got, "2026") || !strings.Contains(got, "3") {
				t.Errorf("%s: %s %q prints %q", l, k, m[k], got)
			}
		}
	}
}

func TestParseLang(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   Lang
	}{
		{"", LangZH},
		{"zh-CN,zh;q=0.9,en;q=0.8", LangZH},
		{"en-US,en;q=0.9", LangEN},
		{"en-GB", LangEN},
		{"zh", LangZH},
		{"en;q=0.5, zh;q=0.8", LangZH},
		{"zh;q=0.2, en;q=0.9", LangEN},
		{"fr-FR", LangZH},        // no file: the default
		{"de, en;q=0.3", LangEN}, // the first language with a file
		{";;;===,,", LangZH},     // garbage
		{strings.Repeat("x", 5000), LangZH},
	} {
		if got := ParseLang(tc.header); got != tc.want {
			t.Errorf("ParseLang(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	for _, s := range []string{"zh-CN", "en"} {
		if l, ok := LookupLang(s); !ok || string(l) != s {
			t.Errorf("LookupLang(%q) = %q, %v", s, l, ok)
		}
	}
	for _, s := range []string{"", "EN", "zh", "en-US", "../en", "fr"} {
		if _, ok := LookupLang(s); ok {
			t.Errorf("LookupLang(%q) accepted", s)
		}
	}
}

// A translator adds a language by adding one file: here a right-to-left one
// (Uyghur), made from the Chinese file with its direction and name changed.
// The negotiation, the switch and the page's direction follow with no
// change to code.
func TestAddingALanguageIsOneFile(t *testing.T) {
	zh, err := fs.ReadFile(localeFiles, "locales/zh-CN.json")
	if err != nil {
		t.Fatal(err)
	}
	en, err := fs.ReadFile(localeFiles, "locales/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(zh, &m); err != nil {
		t.Fatal(err)
	}
	m["lang.name"], m["lang.dir"] = "ئۇيغۇرچە", "rtl"
	m["service.name"] = "ئۇيغۇرچە سىناق"
	ug, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"l/zh-CN.json": {Data: zh},
		"l/en.json":    {Data: en},
		"l/ug.json":    {Data: ug},
	}
	c, err := loadCatalogue(fsys, "l")
	if err != nil {
		t.Fatal(err)
	}
	saved := catalogue
	catalogue = c
	defer func() { catalogue = saved }()

	if got := ParseLang("ug-CN,ug;q=0.9"); got != "ug" {
		t.Fatalf("ParseLang(ug) = %q", got)
	}
	if Dir("ug") != "rtl" || Dir(LangZH) != "ltr" {
		t.Fatalf("directions: ug %s, zh %s", Dir("ug"), Dir(LangZH))
	}
	var buf bytes.Buffer
	ctx := WithLang(context.Background(), "ug")
	if err := StartPage(StartModel{Page: Page{TitleKey: "start.title", Lang: "ug", Path: "/"}}).Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`<html lang="ug" dir="rtl">`, "ئۇيغۇرچە سىناق", `href="/lang?to=zh-CN&amp;next=/"`, `href="/lang?to=en&amp;next=/"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the Uyghur start page lacks %s", want)
		}
	}
	// A file missing the default language is refused, as is a file whose
	// name is not a language tag.
	if _, err := loadCatalogue(fstest.MapFS{"l/en.json": {Data: en}}, "l"); err == nil {
		t.Error("a catalogue without zh-CN loaded")
	}
	if _, err := loadCatalogue(fstest.MapFS{"l/zh-CN.json": {Data: zh}, "l/not a tag!.json": {Data: en}}, "l"); err == nil {
		t.Error("a file named 'not a tag!' loaded")
	}
}
