// Package views renders every page of the portal with templ. Pages take typed
// view models; every string a person reads comes from the message catalogue in
// this package, in Simplified Chinese (the default) and English.
package views

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Lang is a supported language tag.
type Lang string

// The supported languages; Chinese is the default.
const (
	LangZH Lang = "zh-CN"
	LangEN Lang = "en"
)

// ParseLang maps a cookie value or Accept-Language header to a supported
// language, falling back to Chinese.
func ParseLang(s string) Lang {
	// Accept-Language is ordered by preference when q-values are absent, which is
	// what browsers send; q-values are honoured by taking the highest.
	best, bestQ := Lang(""), -1.0
	for _, part := range strings.Split(s, ",") {
		tag, q := strings.TrimSpace(part), 1.0
		if i := strings.Index(tag, ";"); i >= 0 {
			var qv float64
			if _, err := fmt.Sscanf(strings.TrimSpace(tag[i+1:]), "q=%g", &qv); err == nil {
				q = qv
			}
			tag = strings.TrimSpace(tag[:i])
		}
		tag = strings.ToLower(tag)
		var l Lang
		switch {
		case strings.HasPrefix(tag, "zh"):
			l = LangZH
		case strings.HasPrefix(tag, "en"):
			l = LangEN
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	if best == "" {
		return LangZH
	}
	return best
}

// catalogue maps a message key to its Chinese and English text. Files named
// messages_*.go add their area's messages from init.
var catalogue = map[string][2]string{}

// addMessages registers messages; a key registered twice is a programming
// error caught at start-up (and by the catalogue test).
func addMessages(m map[string][2]string) {
	for k, v := range m {
		if _, dup := catalogue[k]; dup {
			panic("views: duplicate message key " + k)
		}
		catalogue[k] = v
	}
}

// Translate returns the message for key in lang, formatting args with
// fmt.Sprintf verbs when given. An unknown key returns the key itself so that a
// missing message is visible, never blank (the catalogue test forbids it).
func Translate(lang Lang, key string, args ...any) string {
	v, ok := catalogue[key]
	if !ok {
		return key
	}
	s := v[0]
	if lang == LangEN {
		s = v[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// HasMessage reports whether key is in the catalogue.
func HasMessage(key string) bool { _, ok := catalogue[key]; return ok }

// MessageKeys lists every key, sorted (used by tests).
func MessageKeys() []string {
	keys := make([]string, 0, len(catalogue))
	for k := range catalogue {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
