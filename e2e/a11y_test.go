package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeRun runs the rules every page must pass, WCAG 2.0, 2.1 and 2.2 at levels
// A and AA, and returns only the violations.
const axeRun = `axe.run(document, {
	runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
	resultTypes: ["violations"]
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target.map(String).join(" "), html: n.html, summary: n.failureSummary || ""}))
})))`

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

var (
	axeOnce sync.Once
	axeJS   string
	axePath string
	axeErr  error
)

// axeSource returns node_modules/axe-core/axe.min.js, found by walking up from
// the working directory (the package folder under go test) to the module root
// (the folder of go.mod), where `npm ci` installs it. A missing file skips the test, or fails it
// under CI=true.
func axeSource(t testing.TB) string {
	t.Helper()
	axeOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			axeErr = err
			return
		}
		for {
			p := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
			if b, err := os.ReadFile(p); err == nil {
				// End with an expression whose value is cheap to return.
				axeJS, axePath = string(b)+"\n;void 0", p
				return
			}
			_, modErr := os.Stat(filepath.Join(dir, "go.mod"))
			parent := filepath.Dir(dir)
			if modErr == nil || parent == dir {
				axeErr = fmt.Errorf("node_modules/axe-core/axe.min.js not found between the working directory and the module root %s", dir)
				return
			}
			dir = parent
		}
	})
	if axeErr != nil {
		missingTool(t, "axe-core", "run `npm ci` at the repository root ("+axeErr.Error()+")")
	}
	return axeJS
}

// checkA11y runs axe-core on the page open in the tab of ctx and fails the
// test (without stopping it, so that every page's problems are listed) with
// each violation: rule id, impact, help and the first few elements.
//
// axe is injected with Runtime.evaluate, which the page's CSP does not apply
// to; the CSP forbids the inline <script> a page-side injection would need.
func checkA11y(t testing.TB, ctx context.Context, pageName string) {
	t.Helper()
	src := axeSource(t)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	present, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object" && typeof window.axe.run === "function"`))
	if err != nil {
		t.Fatalf("accessibility check of %s: %v", pageName, err)
	}
	if !present {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			t.Fatalf("accessibility check of %s: inject %s: %v", pageName, axePath, err)
		}
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("accessibility check of %s: axe.run: %v", pageName, err)
	}
	if len(violations) == 0 {
		return
	}
	const maxNodes = 3
	var b strings.Builder
	fmt.Fprintf(&b, "accessibility: axe-core found %d violation(s) on %s:", len(violations), pageName)
	for _, v := range violations {
		fmt.Fprintf(&b, "\n  - %s (%s): %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			if i == maxNodes {
				fmt.Fprintf(&b, "\n    … and %d more element(s)", len(v.Nodes)-maxNodes)
				break
			}
			fmt.Fprintf(&b, "\n    at %s\n       %s", n.Target, strings.ReplaceAll(n.Summary, "\n", "\n       "))
		}
	}
	t.Error(b.String())
}
