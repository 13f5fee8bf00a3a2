package portal

import (
	"strings"
	"testing"
	"time"
)

// idFuzzAlphabet is what a person may type in each position (x folds to X).
const idFuzzAlphabet = "0123456789X"

// FuzzIDNumberOneEdit makes a valid number from fuzzed parts, then makes the
// typing mistakes the check character (ISO 7064 MOD 11-2) exists to catch:
// one character replaced by another, or two neighbours swapped. Every such
// mistake must be refused, with an id.* invalid error, so that a slip of the
// finger can never file against someone else's record. The valid number
// itself must parse, in half-width or full-width, with a lower-case x.
func FuzzIDNumberOneEdit(f *testing.F) {
	f.Add(uint64(1), uint16(2005), uint8(6), uint8(1), uint8(0), uint8(3), false)
	f.Add(uint64(999), uint16(1900), uint8(1), uint8(1), uint8(17), uint8(10), false)
	f.Add(uint64(42), uint16(2008), uint8(2), uint8(29), uint8(12), uint8(0), true)
	f.Add(uint64(7), uint16(9999), uint8(12), uint8(31), uint8(16), uint8(0), true)
	f.Fuzz(func(t *testing.T, seq uint64, year uint16, month, day, pos, char uint8, swap bool) {
		birth := Date{Year: int(year)%8100 + 1900, Month: time.Month(month%12 + 1), Day: int(day%31) + 1}
		if d, ok := ParseDate(birth.String()); !ok || d != birth {
			return // 31 February (String shows it as 3 March): SyntheticIDNumber only takes real dates
		}
		n := SyntheticIDNumber(seq, birth)
		s := n.String()
		for _, typed := range []string{s, " " + strings.ToLower(s) + "\t", idFuzzFullWidth(s)} {
			if got, err := ParseIDNumber(typed); err != nil || got != n {
				t.Fatalf("ParseIDNumber(%q) = %v, %v; want %q", typed, got, err, s)
			}
		}
		b := []byte(s)
		i := int(pos) % len(b)
		if swap {
			j := (i + 1) % len(b)
			b[i], b[j] = b[j], b[i]
		} else {
			b[i] = idFuzzAlphabet[int(char)%len(idFuzzAlphabet)]
		}
		typed := string(b)
		if typed == s {
			return
		}
		got, err := ParseIDNumber(typed)
		if err == nil {
			t.Fatalf("mistyped %q (from %q) accepted as %q", typed, s, got)
		}
		if e, ok := AsError(err); !ok || e.Code != CodeInvalid || !strings.HasPrefix(e.Key, "id.") {
			t.Fatalf("ParseIDNumber(%q): unexpected error %v", typed, err)
		}
	})
}

func idFuzzFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune('０' + (r - '0'))
		case r == 'X':
			b.WriteRune('Ｘ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
