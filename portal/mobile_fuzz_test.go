package portal

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMobileShapes checks the two promises made about a mobile number
// whatever is typed: MaskMobile never shows the middle four digits (nor any
// digit of something that is not a number), and a number that normalises
// normalises to the same in every shape people copy it in.
func FuzzMobileShapes(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "8613812345678", "", " ", "+", "86", "１３８１２３４５６７８",
		"\x80", "138 1234 5678", "+8613812345678 ", "1381234567８", "12345678901", "+85212345678", "138\u30001234\u30005678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		masked := MaskMobile(s)
		m, err := NormalizeMobile(s)
		if err != nil {
			if e, ok := AsError(err); !ok || e.Code != CodeInvalid || (e.Key != "mobile.required" && e.Key != "mobile.invalid") {
				t.Fatalf("NormalizeMobile(%q): unexpected error %v", s, err)
			}
			if masked != "" && masked != strings.Repeat("*", mobileLen) {
				t.Fatalf("MaskMobile(%q) = %q shows part of something that is no number", s, masked)
			}
			return
		}
		if utf8.RuneCountInString(masked) != mobileLen || masked[3:7] != "****" || masked[:3] != m[:3] || masked[7:] != m[7:] {
			t.Fatalf("MaskMobile(%q) = %q for %q", s, masked, m)
		}
		for _, typed := range []string{m, "+86" + m, "86" + m, "+86 " + m[:3] + "-" + m[3:7] + "-" + m[7:], " " + m + " ",
			m[:3] + "\u3000" + m[3:7] + "\u3000" + m[7:], mobileFuzzFullWidth(m)} {
			if got, err := NormalizeMobile(typed); err != nil || got != m {
				t.Fatalf("NormalizeMobile(%q) = %q, %v; want %q (from %q)", typed, got, err, m, s)
			}
		}
	})
}

func mobileFuzzFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune('０' + (r - '0'))
	}
	return b.String()
}
