package handlers

import (
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
)

var statCellRE = regexp.MustCompile(`<td class="numeric" data-cell="([^"]*)">(\d+)</td>`)

// pageCells reads the page's table cells: "table|row|column" -> count.
func pageCells(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range statCellRE.FindAllStringSubmatch(body, -1) {
		out[html.UnescapeString(m[1])] = m[2]
	}
	if len(out) == 0 {
		t.Fatal("no table cells on the page")
	}
	return out
}

// csvRecords parses a CSV download, checking the byte-order mark.
func csvRecords(t *testing.T, p *testPage) [][]string {
	t.Helper()
	if !strings.HasPrefix(p.body, "\uFEFF") {
		t.Fatal("no byte-order mark")
	}
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("Content-Type %q", ct)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\uFEFF")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// csvCells reads the statistics CSV: "table|row|column" -> count.
func csvCells(t *testing.T, p *testPage) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i, r := range csvRecords(t, p) {
		if i == 0 {
			continue // the heading
		}
		if len(r) != 4 {
			t.Fatalf("line %d: %v", i+1, r)
		}
		out[r[0]+"|"+r[1]+"|"+r[2]] = r[3]
	}
	return out
}

// TestStatisticsPageAndCSVAgree (issue 17): the supervisor's page and an
// organ's own page show the same numbers as their CSV, every cell; the
// numbers count what happened; the downloads are audited.
func TestStatisticsPageAndCSVAgree(t *testing.T) {
	w := newStaffWorld(t)
	w.sealedBy(w.court, w.judge)
	w.sealedBy(w.court, w.judge)
	w.submitted(w.court2)
	for _, tc := range []struct {
		who  portal.Account
		page string
	}{{w.sup, "/supervision/statistics"}, {w.judge, "/staff/statistics"}} {
		c := w.signIn(tc.who)
		p := c.get(tc.page+"?from=2026-01&to=2026-06").wantStatus(t, http.StatusOK)
		onPage := pageCells(t, p.body)
		inCSV := csvCells(t, c.get(tc.page+".csv?from=2026-01&to=2026-06").wantStatus(t, http.StatusOK))
		if len(onPage) != len(inCSV) {
			t.Errorf("%s: %d cells on the page, %d in the CSV", tc.page, len(onPage), len(inCSV))
		}
		for k, v := range onPage {
			if inCSV[k] != v {
				t.Errorf("%s: %q is %s on the page, %q in the CSV", tc.page, k, v, inCSV[k])
			}
		}
		if got := onPage["Sealing cases by month|2026-03|Decided to seal: within the deadline"]; got != "2" {
			t.Errorf("%s: sealed in March %q", tc.page, got)
		}
		wantReceived := "3"
		if tc.who.ID == w.judge.ID {
			wantReceived = "2" // the other court's case is not the judge's business
		}
		if got := onPage["Sealing cases by month|2026-03|Received"]; got != wantReceived {
			t.Errorf("%s: received in March %q, want %s", tc.page, got, wantReceived)
		}
		if got := auditDetails(t, w, portal.AuditStatisticsExport, tc.who.ID); !slices.Equal(got, []string{"2026-01:2026-06:" + strconv.Itoa(map[bool]int{true: 4, false: 3}[tc.who.ID == w.sup.ID])}) {
			t.Errorf("%s: export audit %v", tc.page, got)
		}
		// The chart is an image with a title and a description, and the
		// research export is the supervisor's alone.
		if !strings.Contains(p.body, `role="img" aria-labelledby="chart-months-title chart-months-desc"`) {
			t.Errorf("%s: no accessible chart", tc.page)
		}
		if strings.Contains(p.body, "research.csv") != (tc.who.ID == w.sup.ID) {
			t.Errorf("%s: research link shown to the wrong role", tc.page)
		}
	}
}

// TestStatisticsOwnOrganOnly: an organ's official reads his own organ's
// numbers, never another's (least privilege), and the supervisor's and the
// research routes are closed to him.
func TestStatisticsOwnOrganOnly(t *testing.T) {
	w := newStaffWorld(t)
	w.sealedBy(w.court, w.judge)
	other := w.signIn(w.judge2)
	// An organ in the address changes nothing: an official reads his own.
	p := other.get("/staff/statistics?organ="+strconv.FormatUint(w.court.ID, 10)).wantStatus(t, http.StatusOK)
	for k, v := range pageCells(t, p.body) {
		if v != "0" {
			t.Errorf("the other court reads %s = %s", k, v)
		}
	}
	p.noText(t, "甲市人民法院")
	other.get("/supervision/statistics").wantStatus(t, http.StatusForbidden)
	other.get("/supervision/statistics/research.csv").wantStatus(t, http.StatusForbidden)
}

// TestStatisticsSupervisorChoosesAnOrgan: the supervisor reads one organ's
// numbers month by month; an organ that is not one of the sealing organs is
// refused with a translated message and the choice kept.
func TestStatisticsSupervisorChoosesAnOrgan(t *testing.T) {
	w := newStaffWorld(t)
	w.sealedBy(w.court, w.judge)
	w.submitted(w.court2)
	c := w.signIn(w.sup)
	id := strconv.FormatUint(w.court2.ID, 10)
	p := c.get("/supervision/statistics?from=2026-03&to=2026-03&organ="+id).wantStatus(t, http.StatusOK)
	cells := pageCells(t, p.body)
	if got := cells["Sealing cases by month|2026-03|Received"]; got != "1" {
		t.Errorf("the other court's received: %q", got)
	}
	if got := cells["Sealing cases by month|2026-03|Decided to seal: within the deadline"]; got != "0" {
		t.Errorf("the other court's sealed: %q", got)
	}
	if !strings.Contains(p.body, `statistics.csv?from=2026-03&amp;organ=`+id) {
		t.Error("the CSV link does not carry the organ")
	}
	inCSV := csvCells(t, c.get("/supervision/statistics.csv?from=2026-03&to=2026-03&organ="+id).wantStatus(t, http.StatusOK))
	for k, v := range cells {
		if inCSV[k] != v {
			t.Errorf("%q: page %s, CSV %q", k, v, inCSV[k])
		}
	}
	for _, bad := range []string{"99999", "x", strconv.FormatUint(w.supOrgan.ID, 10)} {
		p := c.get("/supervision/statistics?organ="+bad).wantStatus(t, http.StatusUnprocessableEntity)
		p.wantText(t, "Choose an organ from the list")
		c.get("/supervision/statistics.csv?organ="+bad).wantStatus(t, http.StatusBadRequest)
	}
}

// TestStatisticsPeriodIsValidated: a month that is not one, a period the
// wrong way round or too long is refused with a translated message, and the
// form keeps what was typed; the CSV refuses it too.
func TestStatisticsPeriodIsValidated(t *testing.T) {
	w := newStaffWorld(t)
	c := w.signIn(w.sup)
	for _, tc := range []struct{ query, message, kept string }{
		{"from=2026-13&to=2026-03", "Enter the month as year-month", "2026-13"},
		{"from=March&to=2026-03", "Enter the month as year-month", "March"},
		{"from=2026-05&to=2026-03", "The end month cannot be before the start month", "2026-05"},
		{"from=2010-01&to=2026-03", "A period can be at most 120 months", "2010-01"},
	} {
		p := c.get("/supervision/statistics?"+tc.query).wantStatus(t, http.StatusUnprocessableEntity)
		p.wantText(t, tc.message)
		if !strings.Contains(p.body, `value="`+tc.kept+`"`) {
			t.Errorf("%s: the typed value is not kept", tc.query)
		}
		c.get("/supervision/statistics.csv?"+tc.query).wantStatus(t, http.StatusBadRequest)
	}
	// No period: the twelve months up to this one.
	c.get("/supervision/statistics").wantStatus(t, http.StatusOK).wantText(t, "2025-04 to 2026-03")
}

// TestStatisticsResearchExport: the anonymised export shows no count under
// 10 and shows counts of 10 and more; it names no case, person or organ.
func TestStatisticsResearchExport(t *testing.T) {
	w := newStaffWorld(t)
	var refs []string
	for range 11 {
		refs = append(refs, w.sealedBy(w.court, w.judge).Ref)
	}
	c := w.signIn(w.sup)
	p := c.get("/supervision/statistics/research.csv?from=2026-01&to=2026-12").wantStatus(t, http.StatusOK)
	shown := 0
	for _, r := range csvRecords(t, p) {
		for _, cell := range r[1:] {
			n, err := strconv.Atoi(cell)
			if err != nil {
				continue
			}
			if n < portal.MinPublishedCount {
				t.Errorf("a count of %d is shown: %v", n, r)
			}
			if n == 11 {
				shown++
			}
		}
	}
	if shown == 0 {
		t.Errorf("the 11 decisions are nowhere: %q", p.body)
	}
	if !strings.Contains(p.body, "<10") {
		t.Error("nothing suppressed")
	}
	for _, s := range append(refs, "甲市人民法院", w.minor.Name) {
		if strings.Contains(p.body, s) {
			t.Errorf("the export names %q", s)
		}
	}
	if got := auditDetails(t, w, portal.AuditResearchExport, w.sup.ID); len(got) != 1 {
		t.Errorf("research audit %v", got)
	}
}
