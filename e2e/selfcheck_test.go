package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestChecksCatchProblems guards the guards: axe must report a page with
// violations, and the console watch must catch a CSP violation. A checker
// that silently passed everything would make every journey meaningless.
func TestChecksCatchProblems(t *testing.T) {
	h := newHarness(t)

	// A bad page of our own making: no lang, an image without alt text, an
	// empty link.
	h.do("open a bad page", chromedp.Navigate(`data:text/html,<title>bad</title><img src="data:,"><a href="x"></a>`))
	rec := &recordingTB{TB: t}
	checkA11y(rec, h.ctx, "a bad page")
	report := strings.Join(rec.errors, "\n")
	for _, want := range []string{"image-alt (critical)", "html-has-lang", "link-name", "at img"} {
		if !strings.Contains(report, want) {
			t.Errorf("checkA11y's report lacks %q:\n%s", want, report)
		}
	}

	// An inline script on a portal page breaks the CSP and must be caught.
	h.visit("/")
	h.do("inject an inline script", chromedp.Evaluate[chromedp.Void](
		`document.body.appendChild(Object.assign(document.createElement("script"), {textContent: "window.inline = 1"}))`))
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		problems := h.problems
		h.problems = nil // expected: they must not fail the test at its end
		h.mu.Unlock()
		if len(problems) > 0 {
			if !strings.Contains(strings.Join(problems, "\n"), "Content Security Policy") {
				t.Errorf("the console watch caught %q, not the CSP violation", problems)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console watch did not report the CSP violation of an inline script")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The start page is checked in English too, as the harness demands.
	h.switchLanguage()
}

// recordingTB keeps what checkA11y reports instead of failing the test.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Helper()           {}
func (r *recordingTB) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
