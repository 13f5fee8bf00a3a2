package portal

import (
	"testing"
	"time"
)

// cellsOf lists which cells (totals included) are suppressed, as a grid of
// "x" and ".".
func cellsOf(t SuppressedTable) []string {
	var out []string
	for _, row := range t {
		s := ""
		for _, c := range row {
			if c.Suppressed {
				s += "x"
			} else {
				s += "."
			}
		}
		out = append(out, s)
	}
	return out
}

// TestSuppress: issue 17 — no cell of fewer than 10 people is shown, and no
// row or column (with its total) lets a suppressed cell be recomputed.
func TestSuppress(t *testing.T) {
	tests := []struct {
		name   string
		counts [][]int
		want   []string // rows of cells then the row total; the last row is the column totals
	}{
		{"all large: nothing suppressed", [][]int{{20, 30}, {40, 50}}, []string{"...", "...", "..."}},
		// 5 alone in its row and column: the smallest other cell of its row
		// (12) and of its column (15) are suppressed; each of those is then
		// alone in its own column or row, and so on, always taking the
		// smallest shown cell, until no row or column has a lone one.
		{"complementary suppression", [][]int{{5, 12, 30}, {15, 100, 40}, {50, 60, 70}},
			[]string{"xxx.", "x.x.", "xx..", "...."}},
		// A zero is fewer than 10 too.
		{"zero suppressed", [][]int{{0, 20}, {30, 40}}, []string{"xx.", "xx.", "..."}},
		// A row whose total is small: every cell of it and its total hidden;
		// the column totals then need partners in the other row.
		{"small row total", [][]int{{3, 4}, {30, 40}}, []string{"xxx", "xxx", "..."}},
		{"two small cells in a row need no partner there", [][]int{{3, 4, 50}, {30, 40, 50}, {30, 40, 50}},
			[]string{"xx..", "xx..", "....", "...."}},
		{"empty: the total alone", [][]int{}, []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Suppress(tt.counts)
			if got.ShowsSmall() {
				t.Errorf("shows a count under %d: %v", MinPublishedCount, got)
			}
			if got.Recoverable() {
				t.Errorf("a suppressed cell can be recomputed: %v", cellsOf(got))
			}
			g := cellsOf(got)
			if len(g) != len(tt.want) {
				t.Fatalf("got %v, want %v", g, tt.want)
			}
			for i := range g {
				if g[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", g, tt.want)
				}
			}
			// Totals are the sums, whatever is shown.
			for i, row := range tt.counts {
				sum := 0
				for _, n := range row {
					sum += n
				}
				if got[i][len(row)].N != sum {
					t.Errorf("row %d total %d, want %d", i, got[i][len(row)].N, sum)
				}
			}
		})
	}
}

// TestSuppressNeverShowsSmallOrRecoverable: random tables keep both
// promises.
func TestSuppressNeverShowsSmallOrRecoverable(t *testing.T) {
	seed := uint32(7)
	next := func() int { seed = seed*1664525 + 1013904223; return int(seed>>16) % 40 }
	for range 500 {
		rows, cols := 1+next()%5, 1+next()%5
		counts := make([][]int, rows)
		for i := range counts {
			counts[i] = make([]int, cols)
			for j := range counts[i] {
				counts[i][j] = next()
			}
		}
		got := Suppress(counts)
		if got.ShowsSmall() || got.Recoverable() {
			t.Fatalf("%v -> %v", counts, cellsOf(got))
		}
	}
}

func TestParseMonthAndPeriod(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{{"2026-03", true}, {"2026-3", false}, {"2026-13", false}, {"1999-12", false}, {"2026-03-01", false}, {"", false}, {"abcd-ef", false}} {
		if _, ok := ParseMonth(tt.in); ok != tt.ok {
			t.Errorf("ParseMonth(%q) ok=%v", tt.in, ok)
		}
	}
	m := Month{2026, time.December}
	if m.Next() != (Month{2027, time.January}) || m.AddMonths(-12) != (Month{2025, time.December}) || MonthFromKey(m.Key()) != m {
		t.Error("month arithmetic")
	}
	for _, tt := range []struct {
		from, to Month
		field    string
	}{
		{Month{2026, 1}, Month{2026, 12}, ""},
		{Month{2026, 2}, Month{2026, 1}, "to"},
		{Month{2016, 1}, Month{2025, 12}, ""},
		{Month{2016, 1}, Month{2026, 1}, "to"},
	} {
		fe := StatisticsPeriod(tt.from, tt.to)
		if (fe["to"] != "") != (tt.field != "") {
			t.Errorf("%v..%v: %v", tt.from, tt.to, fe)
		}
	}
}

func TestSealBand(t *testing.T) {
	for days, want := range map[int]string{0: "0-3", 3: "0-3", 4: "4-7", 7: "4-7", 8: "8-30", 30: "8-30", 31: "31+", 400: "31+"} {
		if got := SealBand(days); got != want {
			t.Errorf("%d days: %s, want %s", days, got, want)
		}
	}
}
