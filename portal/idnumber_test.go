package portal

import (
	"strings"
	"testing"
	"time"
)

// withCheck completes 17 digits with their check character, computed here
// independently of the table in idnumber.go: weight 2^(17-i) mod 11 for
// position i (1-based), check value (12 - sum mod 11) mod 11, 10 written X.
func withCheck(t testing.TB, first17 string) string {
	t.Helper()
	if len(first17) != 17 {
		t.Fatalf("withCheck(%q): need 17 digits", first17)
	}
	sum := 0
	for i := range 17 {
		w := 1
		for range 17 - i {
			w = w * 2 % 11
		}
		sum += int(first17[i]-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return first17 + "X"
	}
	return first17 + string(rune('0'+v))
}

// wrongCheck returns a valid number with its check character replaced by a
// different one.
func wrongCheck(valid string) string {
	c := "0"
	if valid[17] == '0' {
		c = "1"
	}
	return valid[:17] + c
}

// The two examples printed in GB 11643-1999 itself prove both the test's and
// the package's check-digit arithmetic.
func TestIDCheckCharMatchesStandard(t *testing.T) {
	for _, want := range []string{"11010519491231002X", "440524188001010014"} {
		if got := withCheck(t, want[:17]); got != want {
			t.Errorf("withCheck(%s) = %s, want %s", want[:17], got, want)
		}
		if got := idCheckChar([]byte(want[:17])); got != want[17] {
			t.Errorf("idCheckChar(%s) = %c, want %c", want[:17], got, want[17])
		}
	}
}

func TestParseIDNumberValid(t *testing.T) {
	std := Date{1949, time.December, 31}
	tests := []struct {
		name  string
		in    string
		want  string
		birth Date
	}{
		{"standard example", "11010519491231002X", "11010519491231002X", std},
		{"lower-case x", "11010519491231002x", "11010519491231002X", std},
		{"surrounding spaces", "  11010519491231002X\t", "11010519491231002X", std},
		{"ideographic space", "\u300011010519491231002X\u3000", "11010519491231002X", std},
		{"full-width digits", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", std},
		{"leap day", withCheck(t, "32010220000229123"), withCheck(t, "32010220000229123"), Date{2000, time.February, 29}},
		{"earliest accepted", withCheck(t, "51010219000101001"), withCheck(t, "51010219000101001"), Date{1900, time.January, 1}},
		{"minor", withCheck(t, "44030620100615002"), withCheck(t, "44030620100615002"), Date{2010, time.June, 15}},
		{"future birth is for BornBy", withCheck(t, "11010121000101001"), withCheck(t, "11010121000101001"), Date{2100, time.January, 1}},
		{"province not checked", withCheck(t, "00000020000101001"), withCheck(t, "00000020000101001"), Date{2000, time.January, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseIDNumber(tt.in)
			if err != nil {
				t.Fatalf("ParseIDNumber(%q) = %v", tt.in, err)
			}
			if n.String() != tt.want {
				t.Errorf("String() = %q, want %q", n.String(), tt.want)
			}
			if n.BirthDate() != tt.birth {
				t.Errorf("BirthDate() = %v, want %v", n.BirthDate(), tt.birth)
			}
			if n.IsSynthetic() || n.IsZero() {
				t.Errorf("IsSynthetic() = %v, IsZero() = %v, want both false", n.IsSynthetic(), n.IsZero())
			}
		})
	}
}

func TestParseIDNumberInvalid(t *testing.T) {
	valid := "11010519491231002X"
	tests := []struct {
		name, in, key string
	}{
		{"empty", "", "id.required"},
		{"only spaces", "   ", "id.required"},
		{"17 characters", valid[:17], "id.length"},
		{"19 characters", valid + "1", "id.length"},
		{"15-digit first generation", "110105491231002", "id.length"},
		{"space inside", "110105 19491231002X"[:18], "id.format"},
		{"letter in body", "1101051949123100AX", "id.format"},
		{"X not last", "X10105194912310021", "id.format"},
		{"other check letter", "11010519491231002Y", "id.format"},
		{"hyphen", "110105-1949123100X", "id.format"},
		{"Chinese character", "11010519491231002字", "id.format"},
		{"30 February", withCheck(t, "11010519990230001"), "id.birth_date"},
		{"29 February, not a leap year", withCheck(t, "11010519000229001"), "id.birth_date"},
		{"month 13", withCheck(t, "11010519991301001"), "id.birth_date"},
		{"month 00", withCheck(t, "11010519990001001"), "id.birth_date"},
		{"day 00", withCheck(t, "11010519990100001"), "id.birth_date"},
		{"day 32", withCheck(t, "11010519990132001"), "id.birth_date"},
		{"31 April", withCheck(t, "11010519990431001"), "id.birth_date"},
		{"before 1900", withCheck(t, "11010518991231001"), "id.birth_date"},
		{"standard's 1880 example", "440524188001010014", "id.birth_date"},
		{"year 0000", withCheck(t, "11010500000101001"), "id.birth_date"},
		{"wrong check digit", wrongCheck(valid), "id.check_digit"},
		{"X where a digit belongs", withCheck(t, "44030620100615002")[:17] + "X", "id.check_digit"},
		{"transposed digits", "11010519491213002X", "id.check_digit"},
	}
	// The table depends on the "X where a digit belongs" number's check being a digit.
	if c := withCheck(t, "44030620100615002")[17]; c == 'X' {
		t.Fatal("test number has check X; pick another")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseIDNumber(tt.in)
			e, ok := AsError(err)
			if !ok || e.Code != CodeInvalid || e.Key != tt.key {
				t.Fatalf("ParseIDNumber(%q) = %v, %v; want invalid %s", tt.in, n, err, tt.key)
			}
			if !n.IsZero() {
				t.Errorf("a refused number returned non-zero %v", n)
			}
		})
	}
}

func TestIDNumberPresentation(t *testing.T) {
	n, err := ParseIDNumber("11010519491231002x")
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Last4(); got != "002X" {
		t.Errorf("Last4() = %q", got)
	}
	if got := n.Masked(); got != "**************002X" {
		t.Errorf("Masked() = %q", got)
	}
	var zero IDNumber
	if zero.String() != "" || zero.Last4() != "" || zero.Masked() != "" || !zero.IsZero() || zero.IsSynthetic() {
		t.Errorf("zero IDNumber presents as %q %q %q", zero.String(), zero.Last4(), zero.Masked())
	}
}

func TestIDNumberBornBy(t *testing.T) {
	n, err := ParseIDNumber(withCheck(t, "11010520100615001"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		today Date
		want  bool
	}{
		{Date{2010, time.June, 14}, false},
		{Date{2010, time.June, 15}, true},
		{Date{2026, time.January, 1}, true},
	}
	for _, tt := range tests {
		if got := n.BornBy(tt.today); got != tt.want {
			t.Errorf("BornBy(%v) = %v, want %v", tt.today, got, tt.want)
		}
	}
	if (IDNumber{}).BornBy(Date{2026, time.January, 1}) {
		t.Error("the zero IDNumber claims a birth")
	}
}

func TestSyntheticIDNumber(t *testing.T) {
	tests := []struct {
		seq   uint64
		birth Date
		want  string
	}{
		{0, Date{2008, time.March, 1}, withCheck(t, "99000020080301000")},
		{42, Date{1900, time.January, 1}, withCheck(t, "99000019000101042")},
		{1999, Date{2012, time.February, 29}, withCheck(t, "99000020120229999")},
	}
	for _, tt := range tests {
		n := SyntheticIDNumber(tt.seq, tt.birth)
		if n.String() != tt.want {
			t.Errorf("SyntheticIDNumber(%d, %v) = %s, want %s", tt.seq, tt.birth, n, tt.want)
		}
		if !n.IsSynthetic() || n.BirthDate() != tt.birth {
			t.Errorf("%s: IsSynthetic() = %v, BirthDate() = %v", n, n.IsSynthetic(), n.BirthDate())
		}
		parsed, err := ParseIDNumber(n.String())
		if err != nil || parsed != n {
			t.Errorf("synthetic %s does not parse back: %v, %v", n, parsed, err)
		}
	}
	// Every sequence number yields a valid check digit, including X.
	sawX := false
	for seq := range uint64(1000) {
		n := SyntheticIDNumber(seq, Date{1990, time.May, 20})
		if _, err := ParseIDNumber(n.String()); err != nil {
			t.Fatalf("seq %d: %s does not parse: %v", seq, n, err)
		}
		sawX = sawX || strings.HasSuffix(n.String(), "X")
	}
	if !sawX {
		t.Error("no synthetic number ended in X; the check character is not exercised")
	}
}

func TestSyntheticIDNumberPanicsOnImpossibleBirth(t *testing.T) {
	for _, birth := range []Date{{}, {1899, time.December, 31}, {2001, time.February, 29}, {10000, time.January, 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SyntheticIDNumber(_, %+v) did not panic", birth)
				}
			}()
			SyntheticIDNumber(1, birth)
		}()
	}
}

func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", " 11010519491231002X ", "440524188001010014",
		"11010519990230001X", "1101051949123100", "110105194912310020X", "", "ＸＸＸ", "１１０１０５１９４９１２３１００２ｘ",
		"99000020080301000" + "0", "\xff\xfe11010519491231002X",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseIDNumber(s)
		if err != nil {
			if e, ok := AsError(err); !ok || e.Code != CodeInvalid || !strings.HasPrefix(e.Key, "id.") {
				t.Fatalf("ParseIDNumber(%q): unexpected error %v", s, err)
			}
			return
		}
		c := n.String()
		if len(c) != 18 || n.BirthDate().Before(idEarliestBirth) {
			t.Fatalf("ParseIDNumber(%q) accepted non-canonical %q", s, c)
		}
		again, err := ParseIDNumber(c)
		if err != nil || again != n {
			t.Fatalf("ParseIDNumber(%q) = %q, which parses back as %v, %v", s, c, again, err)
		}
		if n.Masked()[14:] != n.Last4() || n.Last4() != c[14:] {
			t.Fatalf("Masked() %q and Last4() %q disagree with %q", n.Masked(), n.Last4(), c)
		}
	})
}
