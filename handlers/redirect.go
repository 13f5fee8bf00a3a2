package handlers

import (
	"net/url"
	"strings"
)

// maxLocalPath bounds a return address; the portal's own addresses are far
// shorter.
const maxLocalPath = 200

// localPath is the one check of every return address a client can choose
// (next after login, language switch, second-factor enrolment and step-up):
// it accepts only a path on this site and returns it serialised again by
// net/url, or "" for anything else. Browsers drop tabs and newlines from an
// address and read "\" as "/", so "/\t/evil.example/" or "/\evil.example"
// would leave the site: any byte at or below 0x20, DEL and the backslash
// refuse the address, raw or percent-encoded, as do a scheme, a host, user
// information, "//" at the start, and anything that is not a path. The
// fragment is dropped; the query is kept, encoded again.
func localPath(p string) string {
	if p == "" || len(p) > maxLocalPath || p[0] != '/' || unsafeInPath(p) {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || unsafeInPath(u.Path) {
		return ""
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return ""
		}
		for k, vs := range q {
			if unsafeInPath(k) || strings.ContainsFunc(strings.Join(vs, ""), func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				return ""
			}
		}
		if enc := q.Encode(); enc != "" {
			out += "?" + enc
		}
	}
	// What comes out must itself be a plain local path: checked once more on
	// the serialised form, which is what the browser will read.
	if len(out) > maxLocalPath || !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || unsafeInPath(out) {
		return ""
	}
	return out
}

// unsafeInPath reports a byte a browser would drop or reinterpret in an
// address: controls and space (<= 0x20), DEL and the backslash.
func unsafeInPath(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b <= 0x20 || b == 0x7f || b == '\\' {
			return true
		}
	}
	return false
}
