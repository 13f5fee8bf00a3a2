package views

import (
	"fmt"
	"strconv"
)

// StatisticsModel is the statistics page (issue 17): the supervisor's of
// every organ, or an organ's own. Every label is already translated, so that
// the page and its CSV show the same words and the same numbers.
type StatisticsModel struct {
	Page        Page
	Action      string // the form's address: /supervision/statistics or /staff/statistics
	Organ       string // an organ's own page: its name
	Form        Form   // from, to (months)
	Period      string // the period shown, in words; "" when the form is in error
	CSVURL      string
	ResearchURL string // the supervisor's anonymised research export; "" for organs
	// Organs is the supervisor's choice of one organ (every organ by
	// default); nil on an organ's own page.
	Organs []SupervisionOption
	Charts []StatChart
	Tables []StatTable
}

// StatTable is one table of counts: a caption, column headings and rows.
type StatTable struct {
	ID      string // for ids and test ids
	Caption string
	Corner  string // the heading of the rows' column
	Cols    []string
	Rows    []StatRow
	Empty   string // shown instead when there are no rows
}

// StatRow is one row: its heading and a count per column.
type StatRow struct {
	Label string
	Cells []int
}

// Cell names a cell for tests that compare the page with its CSV.
func (t StatTable) Cell(r StatRow, j int) string { return t.Caption + "|" + r.Label + "|" + t.Cols[j] }

// StatChart is a bar chart of some columns of a table, drawn as SVG on the
// server. It repeats the table's numbers; the table is its text alternative.
type StatChart struct {
	ID     string
	Title  string
	Desc   string // what the chart shows, in words, with the table's place
	Series []StatSeries
	Groups []StatGroup
}

// StatSeries is one kind of bar: its label and how it is drawn. Each series
// has both a colour (contrast at least 3:1 on white, WCAG 1.4.11) and a
// fill pattern of its own, so that colour is never the only difference.
type StatSeries struct {
	Label   string
	Colour  string
	Pattern string // "" solid, "hatch", "dots"
}

// StatGroup is one group of bars (a month), one value per series.
type StatGroup struct {
	Label  string
	Values []int
}

// Chart geometry, in SVG user units.
const (
	chartHeight = 200
	chartTop    = 16
	chartBottom = 40 // room for the month labels
	chartLeft   = 48 // room for the scale
	chartBar    = 12
	chartGap    = 14
)

// StatBar is one bar as drawn.
type StatBar struct {
	X, Y, W, H int
	Fill       string
	Title      string // "2026-03 — received: 12", the bar's own text alternative
}

// Width is the chart's width.
func (c StatChart) Width() int {
	return chartLeft + len(c.Groups)*(len(c.Series)*chartBar+chartGap) + chartGap
}

// Height is the chart's height.
func (c StatChart) Height() int { return chartHeight + chartTop + chartBottom }

// ViewBox is the SVG viewBox.
func (c StatChart) ViewBox() string { return fmt.Sprintf("0 0 %d %d", c.Width(), c.Height()) }

// Max is the top of the scale: the largest value, at least 1.
func (c StatChart) Max() int {
	m := 1
	for _, g := range c.Groups {
		for _, v := range g.Values {
			m = max(m, v)
		}
	}
	return m
}

// Bars lays the bars out.
func (c StatChart) Bars() []StatBar {
	var out []StatBar
	top := c.Max()
	for gi, g := range c.Groups {
		x0 := chartLeft + chartGap + gi*(len(c.Series)*chartBar+chartGap)
		for si, v := range g.Values {
			h := v * chartHeight / top
			if v > 0 && h < 1 {
				h = 1
			}
			s := c.Series[si]
			out = append(out, StatBar{X: x0 + si*chartBar, Y: chartTop + chartHeight - h, W: chartBar - 2, H: h,
				Fill: s.fill(c.ID), Title: g.Label + " — " + s.Label + ": " + strconv.Itoa(v)})
		}
	}
	return out
}

func (s StatSeries) fill(chart string) string {
	if s.Pattern == "" {
		return s.Colour
	}
	return "url(#" + chart + "-" + s.Pattern + ")"
}

// Fill is the series' fill in the chart (its pattern, or its colour).
func (c StatChart) Fill(s StatSeries) string { return s.fill(c.ID) }

// StatLabel is a label on the month axis.
type StatLabel struct {
	X    int
	Text string
}

// Labels are the month labels under each group.
func (c StatChart) Labels() []StatLabel {
	var out []StatLabel
	for gi, g := range c.Groups {
		x := chartLeft + chartGap + gi*(len(c.Series)*chartBar+chartGap) + len(c.Series)*chartBar/2
		out = append(out, StatLabel{X: x, Text: g.Label})
	}
	return out
}

// Baseline is the y of the bars' foot.
func (c StatChart) Baseline() int { return chartTop + chartHeight }

// TopY is the y of the top of the scale.
func (c StatChart) TopY() int { return chartTop }

// LabelY is the y of the month labels.
func (c StatChart) LabelY() int { return chartTop + chartHeight + 16 }
