// Package views renders every page of the portal with templ. Pages take typed
// view models; every string a person reads comes from the message catalogue:
// one file per language under locales/ (go-i18n's JSON message format, which
// translators' tools read), embedded in the binary. Simplified Chinese is the
// default and the reference every other language must match key for key.
package views

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is a supported language: the BCP 47 tag its file is named after.
type Lang string

// The two languages the portal ships with; Chinese is the default. Others are
// added as files (README, "Adding a language"), with no change to code.
const (
	LangZH Lang = "zh-CN"
	LangEN Lang = "en"
)

//go:embed locales/*.json
var localeFiles embed.FS

// A catalogue holds every language's messages. It is built once at start-up
// and never written again, so lookups need no lock.
type catalogueSet struct {
	langs    []Lang                     // the default first, then by tag
	messages map[Lang]map[string]string // language -> key -> text
	matcher  language.Matcher
}

var catalogue = mustLoadCatalogue(localeFiles, "locales")

func mustLoadCatalogue(fsys fs.FS, dir string) *catalogueSet {
	c, err := loadCatalogue(fsys, dir)
	if err != nil {
		panic("views: " + err.Error())
	}
	return c
}

// loadCatalogue reads every <tag>.json under dir. The file of the default
// language must be there; each file's tag must parse as BCP 47.
func loadCatalogue(fsys fs.FS, dir string) (*catalogueSet, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	c := &catalogueSet{messages: map[Lang]map[string]string{}}
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		mf, err := i18n.ParseMessageFileBytes(buf, name, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		tag := strings.TrimSuffix(path.Base(name), ".json")
		if _, err := language.Parse(tag); err != nil {
			return nil, fmt.Errorf("%s: the file name is not a language tag: %w", name, err)
		}
		m := make(map[string]string, len(mf.Messages))
		for _, msg := range mf.Messages {
			m[msg.ID] = msg.Other
		}
		c.messages[Lang(tag)] = m
		c.langs = append(c.langs, Lang(tag))
	}
	if _, ok := c.messages[LangZH]; !ok {
		return nil, fmt.Errorf("no %s.json: the default language is missing", LangZH)
	}
	sort.Slice(c.langs, func(i, j int) bool {
		if (c.langs[i] == LangZH) != (c.langs[j] == LangZH) {
			return c.langs[i] == LangZH
		}
		return c.langs[i] < c.langs[j]
	})
	tags := make([]language.Tag, len(c.langs))
	for i, l := range c.langs {
		tags[i] = language.MustParse(string(l))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Languages lists the languages of the catalogue, the default first.
func Languages() []Lang { return append([]Lang(nil), catalogue.langs...) }

// LookupLang returns the supported language whose tag is exactly s (a
// cookie's or a link's value), and false for anything else.
func LookupLang(s string) (Lang, bool) {
	if _, ok := catalogue.messages[Lang(s)]; ok {
		return Lang(s), true
	}
	return "", false
}

// ParseLang maps an Accept-Language header to the best supported language
// (golang.org/x/text/language's matcher, q-values honoured), falling back to
// Chinese.
func ParseLang(s string) Lang {
	tags, _, err := language.ParseAcceptLanguage(s)
	if err != nil || len(tags) == 0 {
		return LangZH
	}
	_, i, conf := catalogue.matcher.Match(tags...)
	if conf == language.No {
		return LangZH
	}
	return catalogue.langs[i]
}

// Translate returns the message for key in lang, formatting args with
// fmt.Sprintf verbs when given. A key the language lacks falls back to
// Chinese (the catalogue test forbids it); an unknown key returns the key
// itself so that a missing message is visible, never blank.
func Translate(lang Lang, key string, args ...any) string {
	s, ok := catalogue.messages[lang][key]
	if !ok {
		if s, ok = catalogue.messages[LangZH][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// HasMessage reports whether key is in the catalogue.
func HasMessage(key string) bool { _, ok := catalogue.messages[LangZH][key]; return ok }

// MessageKeys lists every key, sorted (used by tests).
func MessageKeys() []string {
	keys := make([]string, 0, len(catalogue.messages[LangZH]))
	for k := range catalogue.messages[LangZH] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Dir is the writing direction of a language, "rtl" or "ltr", from its file.
func Dir(l Lang) string {
	if Translate(l, "lang.dir") == "rtl" {
		return "rtl"
	}
	return "ltr"
}

type langKey struct{}

// WithLang returns a context carrying the reader's language for T.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, langKey{}, l)
}

// LangOf returns the language carried by ctx, Chinese by default.
func LangOf(ctx context.Context) Lang {
	if l, ok := ctx.Value(langKey{}).(Lang); ok {
		return l
	}
	return LangZH
}

// T translates key in the language carried by ctx.
func T(ctx context.Context, key string, args ...any) string {
	return Translate(LangOf(ctx), key, args...)
}
