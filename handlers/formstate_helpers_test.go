package handlers

import (
	"net/http"
	"strings"
)

// followFormAnswer follows a form post's redirect to the page that shows its
// kept answer (POST-redirect-GET), so that a test sees the answer's status
// and page as a person would; any other answer is returned as it is.
func followFormAnswer(c *testClient, p *testPage) *testPage {
	c.t.Helper()
	if p.status != http.StatusSeeOther || !setsCookie(p, mxCookie(c.ts, formAnswerCookie)) {
		return p
	}
	loc := p.header.Get("Location")
	next := c.send(http.MethodGet, loc, nil)
	next.redirects = append([]string{loc}, next.redirects...)
	next.first = p.first
	return next
}

func setsCookie(p *testPage, name string) bool {
	for _, ck := range p.set {
		if ck.Name == name && ck.MaxAge >= 0 {
			return true
		}
	}
	return false
}

func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// keepCookies stores the cookies a raw response set, as a browser would.
func (c *testClient) keepCookies(resp *http.Response) {
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
}
