package handlers

import (
	"regexp"
	"strings"
)

var quickExitForm = regexp.MustCompile(`(?s)<form method="post" action="/exit"[^>]*data-quick-exit-form[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<button type="submit"[^>]*data-testid="quick-exit"`)

// quickExitSignsOut reports whether the page's quick exit is the signed-in
// form: a POST to /exit with the CSRF token (issue 16).
func quickExitSignsOut(p *testPage) bool {
	return quickExitForm.MatchString(p.body) && strings.Contains(p.body, `data-target="https://www.baidu.com/"`)
}
