package static

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// The stylesheets use logical properties only, so that a right-to-left
// language (dir="rtl" on <html>, from its language file) mirrors the layout
// with no stylesheet of its own: no left/right in property names or
// text-align/float values, and no four-value margin or padding whose left and
// right differ.
func TestStylesheetsAreDirectionNeutral(t *testing.T) {
	physical := regexp.MustCompile(`(?i)(^|[;{\s])((margin|padding|border)-(left|right)[a-z-]*|left|right)\s*:|(text-align|float|clear)\s*:\s*(left|right)\b`)
	fourValues := regexp.MustCompile(`(?i)(^|[;{\s])(margin|padding)\s*:\s*([^;}\s]+)\s+([^;}\s]+)\s+([^;}\s]+)\s+([^;}\s]+)\s*[;}]`)
	names, err := fs.Glob(Files, "*.css")
	if err != nil || len(names) == 0 {
		t.Fatalf("stylesheets: %v %v", names, err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(Files, name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := physical.FindString(line); m != "" {
				t.Errorf("%s:%d: physical property %q; use the logical one (inline-start/end)", name, i+1, strings.TrimSpace(m))
			}
			for _, m := range fourValues.FindAllStringSubmatch(line, -1) {
				if m[4] != m[6] {
					t.Errorf("%s:%d: %s with different right and left (%s): use %s-inline", name, i+1, m[2], strings.TrimSpace(m[0]), m[2])
				}
			}
		}
	}
}
