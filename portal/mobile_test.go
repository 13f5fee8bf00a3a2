package portal

import "testing"

func TestNormalizeMobile(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "13812345678", "13812345678"},
		{"every second digit 3 to 9", "19912345678", "19912345678"},
		{"second digit 3", "13012345678", "13012345678"},
		{"surrounding spaces", " 13812345678 ", "13812345678"},
		{"grouped with spaces", "138 1234 5678", "13812345678"},
		{"grouped with hyphens", "138-1234-5678", "13812345678"},
		{"plus 86", "+8613812345678", "13812345678"},
		{"plus 86 spaced", "+86 138 1234 5678", "13812345678"},
		{"plus 86 hyphen", "+86-138-1234-5678", "13812345678"},
		{"86 without plus", "8613812345678", "13812345678"},
		{"86 spaced", "86 13812345678", "13812345678"},
		{"ideographic space", "138\u300012345678", "13812345678"},
		{"full-width digits", "１３８１２３４５６７８", "13812345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeMobile(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeMobile(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalizeMobileInvalid(t *testing.T) {
	tests := []struct {
		name, in, key string
	}{
		{"empty", "", "mobile.required"},
		{"only spaces", "  ", "mobile.required"},
		{"only separators", "- -", "mobile.invalid"},
		{"ten digits", "1381234567", "mobile.invalid"},
		{"twelve digits", "138123456789", "mobile.invalid"},
		{"second digit 2", "12812345678", "mobile.invalid"},
		{"second digit 0", "10812345678", "mobile.invalid"},
		{"not starting with 1", "23812345678", "mobile.invalid"},
		{"landline", "01062345678", "mobile.invalid"},
		{"letters", "1381234567a", "mobile.invalid"},
		{"parentheses", "(138)12345678", "mobile.invalid"},
		{"dots", "138.1234.5678", "mobile.invalid"},
		{"other country", "+85291234567", "mobile.invalid"},
		{"plus inside", "138+12345678", "mobile.invalid"},
		{"two plus signs", "++8613812345678", "mobile.invalid"},
		{"86 twice", "868613812345678", "mobile.invalid"},
		{"plus 86 alone", "+86", "mobile.invalid"},
		{"86 with ten digits", "861381234567", "mobile.invalid"},
		{"plus without 86", "+13812345678", "mobile.invalid"},
		{"Arabic-Indic digits", "١٣٨١٢٣٤٥٦٧٨", "mobile.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeMobile(tt.in)
			e, ok := AsError(err)
			if !ok || e.Code != CodeInvalid || e.Key != tt.key {
				t.Fatalf("NormalizeMobile(%q) = %q, %v; want invalid %s", tt.in, got, err, tt.key)
			}
		})
	}
}

func TestMaskMobile(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"+86 138 1234 5678", "138****5678"},
		{"", ""},
		{"12345", "***********"},
		{"not a number at all", "***********"},
	}
	for _, tt := range tests {
		if got := MaskMobile(tt.in); got != tt.want {
			t.Errorf("MaskMobile(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNormalizeMobile(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "8613812345678", "", "+", "86", "１３８１２３４５６７８", "\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := NormalizeMobile(s)
		if err != nil {
			if e, ok := AsError(err); !ok || e.Code != CodeInvalid {
				t.Fatalf("NormalizeMobile(%q): unexpected error %v", s, err)
			}
			return
		}
		if !isMobile(m) {
			t.Fatalf("NormalizeMobile(%q) = %q, not 11 mobile digits", s, m)
		}
		if again, err := NormalizeMobile(m); err != nil || again != m {
			t.Fatalf("NormalizeMobile(%q) = %q, which normalises again to %q, %v", s, m, again, err)
		}
		if masked := MaskMobile(s); masked != m[:3]+"****"+m[7:] {
			t.Fatalf("MaskMobile(%q) = %q", s, masked)
		}
	})
}
