package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The statistics of sealing (issue 17): the supervisor's of every organ at
// /supervision/statistics and each organ's own at /staff/statistics. The
// pages read the store's counters (store/statistics.go), never a record, so
// they cost the same at a million cases as at ten. The same tables make the
// page, its CSV and its charts, so they cannot disagree.

// statsPeriod reads and validates the period: from and to are months
// (yyyy-mm); the default is the twelve months up to this one. values keeps
// what was typed, fe a translated message key per field in error.
func (s *Server) statsPeriod(c echo.Context) (from, to portal.Month, values map[string]string, fe portal.FieldErrors) {
	today := s.today()
	values = map[string]string{"from": strings.TrimSpace(c.QueryParam("from")), "to": strings.TrimSpace(c.QueryParam("to"))}
	to = portal.Month{Year: today.Year, Month: today.Month}
	from = to.AddMonths(-11)
	for _, f := range []struct {
		name string
		m    *portal.Month
	}{{"from", &from}, {"to", &to}} {
		if values[f.name] == "" {
			values[f.name] = f.m.String()
		} else if m, ok := portal.ParseMonth(values[f.name]); !ok {
			fe.Add(f.name, "stats.month_invalid")
		} else {
			*f.m = m
		}
	}
	if len(fe) == 0 {
		fe = portal.StatisticsPeriod(from, to)
	}
	return from, to, values, fe
}

// statsScope is whose numbers a request reads.
type statsScope struct {
	supervisor bool   // the supervisor: every organ, or one he chose
	all        bool   // every organ (and what is no organ's: relief, leaks)
	organ      uint64 // one organ's: an official's own, or the supervisor's choice
	action     string // the page's address
}

// statsScopeOf decides whose numbers the request reads. An official reads
// his own organ's, whatever the address says; the supervisor every organ's,
// or one organ's he chose (organ=id, validated against the organs).
func (s *Server) statsScopeOf(c echo.Context, u *portal.Account, values map[string]string, fe *portal.FieldErrors) (statsScope, []portal.Organ, error) {
	if u.Role != portal.RoleSupervisor {
		return statsScope{organ: u.OrganID, action: "/staff/statistics"}, nil, nil
	}
	sc := statsScope{supervisor: true, all: true, action: "/supervision/statistics"}
	organs, err := s.db.Organs()
	if err != nil {
		return sc, nil, err
	}
	v := strings.TrimSpace(c.QueryParam("organ"))
	values["organ"] = v
	if v == "" {
		return sc, organs, nil
	}
	id, perr := strconv.ParseUint(v, 10, 64)
	if perr != nil || !slices.ContainsFunc(organs, func(o portal.Organ) bool { return o.ID == id && o.Kind != portal.RoleSupervisor }) {
		fe.Add("organ", "stats.organ_invalid")
		return sc, organs, nil
	}
	sc.all, sc.organ = false, id
	return sc, organs, nil
}

// handleStatisticsSupervision serves GET /supervision/statistics.
func (s *Server) handleStatisticsSupervision(c echo.Context) error { return s.statisticsPage(c) }

// handleStatisticsOrgan serves GET /staff/statistics: the official's own
// organ only.
func (s *Server) handleStatisticsOrgan(c echo.Context) error { return s.statisticsPage(c) }

// handleStatisticsSupervisionCSV serves GET /supervision/statistics.csv.
func (s *Server) handleStatisticsSupervisionCSV(c echo.Context) error { return s.statisticsCSV(c) }

// handleStatisticsOrganCSV serves GET /staff/statistics.csv.
func (s *Server) handleStatisticsOrganCSV(c echo.Context) error { return s.statisticsCSV(c) }

func (s *Server) statisticsPage(c echo.Context) error {
	u := currentUser(c)
	from, to, values, fe := s.statsPeriod(c)
	sc, organs, err := s.statsScopeOf(c, u, values, &fe)
	if err != nil {
		return err
	}
	m := views.StatisticsModel{Page: s.page(c, "stats.title"), Action: sc.action, Form: views.Form{Values: values, Errors: fe}}
	if !sc.supervisor {
		m.Organ = u.Organ
	} else {
		m.Organs = []views.SupervisionOption{}
		for _, o := range organs {
			if o.Kind != portal.RoleSupervisor {
				m.Organs = append(m.Organs, views.SupervisionOption{Value: strconv.FormatUint(o.ID, 10), Label: o.Name})
			}
		}
	}
	if len(fe) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, views.StatisticsPage(m))
	}
	rows, err := s.db.Statistics(sc.organ, sc.all, from, to)
	if err != nil {
		return err
	}
	tables, charts, err := s.statisticsTables(langOf(c), sc, from, to, rows)
	if err != nil {
		return err
	}
	m.Tables, m.Charts = tables, charts
	q := url.Values{"from": {from.String()}, "to": {to.String()}}
	m.Period = views.Translate(langOf(c), "stats.period", from.String(), to.String())
	if sc.supervisor {
		m.ResearchURL = "/supervision/statistics/research.csv?" + q.Encode()
		if !sc.all {
			q.Set("organ", strconv.FormatUint(sc.organ, 10))
		}
	}
	m.CSVURL = sc.action + ".csv?" + q.Encode()
	return s.render(c, http.StatusOK, views.StatisticsPage(m))
}

// statisticsCSV is the page's tables as one CSV, a line per cell (table,
// row, column, count), UTF-8 with a byte-order mark like the sealing
// register's export (Excel reads the Chinese), audited with its period.
func (s *Server) statisticsCSV(c echo.Context) error {
	u := currentUser(c)
	from, to, values, fe := s.statsPeriod(c)
	sc, _, err := s.statsScopeOf(c, u, values, &fe)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	rows, err := s.db.ExportStatistics(*u, sc.organ, sc.all, false, from, to, requestID(c))
	if err != nil {
		return err
	}
	lang := langOf(c)
	tables, _, err := s.statisticsTables(lang, sc, from, to, rows)
	if err != nil {
		return err
	}
	var recs [][]string
	recs = append(recs, []string{views.Translate(lang, "stats.col_table"), views.Translate(lang, "stats.col_row"),
		views.Translate(lang, "stats.col_column"), views.Translate(lang, "stats.col_count")})
	for _, t := range tables {
		for _, r := range t.Rows {
			for j, n := range r.Cells {
				recs = append(recs, []string{t.Caption, r.Label, t.Cols[j], strconv.Itoa(n)})
			}
		}
	}
	return sendCSV(c, fmt.Sprintf("statistics-%s-%s.csv", compactMonth(from), compactMonth(to)), recs)
}

func compactMonth(m portal.Month) string { return strings.ReplaceAll(m.String(), "-", "") }

// sendCSV writes records as a CSV download: UTF-8 with a byte-order mark,
// CRLF, no cell read as a formula (csvSafe), never cached.
func sendCSV(c echo.Context, name string, recs [][]string) error {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	for _, r := range recs {
		if err := w.Write(csvSafe(r)); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// The cases' columns: what each month and organ counts.
var statsCaseMeasures = []string{portal.StatReceived, portal.StatSealOnTime, portal.StatSealLate, portal.StatRefuseOnTime,
	portal.StatRefuseLate, portal.StatConfirmOnTime, portal.StatConfirmLate, portal.StatUnsealed}

// statisticsTables builds the page's tables and charts from the counters.
func (s *Server) statisticsTables(lang views.Lang, sc statsScope, from, to portal.Month, rows []store.StatCount) ([]views.StatTable, []views.StatChart, error) {
	tr := func(key string, args ...any) string { return views.Translate(lang, key, args...) }
	sum := map[string]int{}                // measure -> count over the period
	byMonth := map[string]map[string]int{} // month -> measure -> count
	byOrgan := map[uint64]map[string]int{} // organ -> measure -> count
	for _, r := range rows {
		sum[r.Measure] += r.N
		mk := r.Month.String()
		if byMonth[mk] == nil {
			byMonth[mk] = map[string]int{}
		}
		byMonth[mk][r.Measure] += r.N
		if byOrgan[r.Organ] == nil {
			byOrgan[r.Organ] = map[string]int{}
		}
		byOrgan[r.Organ][r.Measure] += r.N
	}
	var cols []string
	for _, m := range statsCaseMeasures {
		cols = append(cols, tr("stats.measure."+m))
	}
	cells := func(counts map[string]int, measures []string) []int {
		out := make([]int, len(measures))
		for i, m := range measures {
			out[i] = counts[m]
		}
		return out
	}
	// Cases by month, every month of the period (a month with nothing is a 0).
	monthly := views.StatTable{ID: "months", Caption: tr("stats.table.months"), Corner: tr("stats.col_month"), Cols: cols}
	chart := views.StatChart{ID: "chart-months", Title: tr("stats.chart.months"), Desc: tr("stats.chart.months_desc"),
		Series: []views.StatSeries{
			{Label: tr("stats.measure." + portal.StatReceived), Colour: "#1d70b8"},
			{Label: tr("stats.series.on_time"), Colour: "#00703c", Pattern: "dots"},
			{Label: tr("stats.series.late"), Colour: "#d4351c", Pattern: "hatch"},
		}}
	for m := from; !m.After(to); m = m.Next() {
		counts := byMonth[m.String()]
		monthly.Rows = append(monthly.Rows, views.StatRow{Label: m.String(), Cells: cells(counts, statsCaseMeasures)})
		chart.Groups = append(chart.Groups, views.StatGroup{Label: m.String(), Values: []int{counts[portal.StatReceived],
			counts[portal.StatSealOnTime] + counts[portal.StatRefuseOnTime] + counts[portal.StatConfirmOnTime],
			counts[portal.StatSealLate] + counts[portal.StatRefuseLate] + counts[portal.StatConfirmLate]}})
	}
	tables := []views.StatTable{monthly}

	// Cases by organ, and the review backlog today.
	names := map[uint64]string{}
	organs, err := s.db.Organs()
	if err != nil {
		return nil, nil, err
	}
	for _, o := range organs {
		names[o.ID] = o.Name
	}
	ids := make([]uint64, 0, len(byOrgan))
	for o := range byOrgan {
		if o != 0 {
			ids = append(ids, o)
		}
	}
	slices.Sort(ids)
	byOrganT := views.StatTable{ID: "organs", Caption: tr("stats.table.organs"), Corner: tr("stats.col_organ"), Cols: cols, Empty: tr("stats.none")}
	for _, o := range ids {
		byOrganT.Rows = append(byOrganT.Rows, views.StatRow{Label: names[o], Cells: cells(byOrgan[o], statsCaseMeasures)})
	}
	tables = append(tables, byOrganT)
	backlogs, err := s.db.Backlogs(sc.organ, sc.all)
	if err != nil {
		return nil, nil, err
	}
	backlog := views.StatTable{ID: "backlog", Caption: tr("stats.table.backlog"), Corner: tr("stats.col_organ"), Empty: tr("stats.none"),
		Cols: []string{tr("stats.backlog.submitted"), tr("stats.backlog.review"), tr("stats.backlog.sealing"), tr("stats.backlog.overdue")}}
	for _, b := range backlogs {
		if sc.all && b.Submitted+b.Review+b.Sealing == 0 {
			continue // the supervisor's table lists the organs with open work
		}
		backlog.Rows = append(backlog.Rows, views.StatRow{Label: names[b.Organ], Cells: []int{b.Submitted, b.Review, b.Sealing, b.Overdue}})
	}
	tables = append(tables, backlog)

	// Queries by kind of unit and outcome (R15, R16).
	queries := views.StatTable{ID: "queries", Caption: tr("stats.table.queries"), Corner: tr("stats.col_unit"),
		Cols: []string{tr("stats.query.received"), tr("stats.query.approved"), tr("stats.query.refused")}}
	for _, k := range []portal.QueryUnitKind{portal.QueryUnitJudicial, portal.QueryUnitRegulated} {
		queries.Rows = append(queries.Rows, views.StatRow{Label: tr("stats.unit." + string(k)),
			Cells: []int{sum[portal.StatQuery(k, "received")], sum[portal.StatQuery(k, "approved")], sum[portal.StatQuery(k, "refused")]}})
	}
	tables = append(tables, queries)

	// Certificates (R14).
	certMeasures := []string{portal.StatCertRequested, portal.StatCertIssued, portal.StatCertRefused, portal.StatCertRevoked}
	certs := views.StatTable{ID: "certificates", Caption: tr("stats.table.certificates"), Corner: tr("stats.col_period")}
	for _, m := range certMeasures {
		certs.Cols = append(certs.Cols, tr("stats.measure."+m))
	}
	certs.Rows = []views.StatRow{{Label: tr("stats.period", from.String(), to.String()), Cells: cells(sum, certMeasures)}}
	tables = append(tables, certs)

	if sc.all {
		// Relief requests and leak reports: the supervisor's own work (R24, R25).
		relief := views.StatTable{ID: "relief", Caption: tr("stats.table.relief"), Corner: tr("stats.col_what"), Cols: []string{tr("stats.col_count")}}
		for _, m := range statsReliefMeasures() {
			relief.Rows = append(relief.Rows, views.StatRow{Label: tr("stats.measure." + m), Cells: []int{sum[m]}})
		}
		leaks := views.StatTable{ID: "leaks", Caption: tr("stats.table.leaks"), Corner: tr("stats.col_what"), Cols: []string{tr("stats.col_count")}}
		for _, m := range statsLeakMeasures() {
			leaks.Rows = append(leaks.Rows, views.StatRow{Label: tr("stats.measure." + m), Cells: []int{sum[m]}})
		}
		tables = append(tables, relief, leaks)
	}
	return tables, []views.StatChart{chart}, nil
}

func statsReliefMeasures() []string {
	out := []string{portal.StatReliefReceived}
	for _, st := range []portal.ReliefStatus{portal.ReliefClosed, portal.ReliefDeclined, portal.ReliefWithdrawn} {
		out = append(out, portal.StatReliefOutcome(st))
	}
	for _, k := range []portal.ReliefStepKind{portal.StepCorrectionNotice, portal.StepSuggestion, portal.StepInquiry, portal.StepRecordSealed} {
		out = append(out, portal.StatReliefMeasure(k))
	}
	return out
}

func statsLeakMeasures() []string {
	out := []string{portal.StatLeakReceived}
	for _, m := range portal.LeakMeasures {
		out = append(out, portal.StatLeakClosed(m))
	}
	return out
}

// handleStatisticsResearchCSV serves GET /supervision/statistics/research.csv:
// the anonymised export for research on the system's gaps (intent against
// negligence, time to a sealing decision, leaks). It holds counts only,
// summed over every organ, and every count of fewer than 10 is shown as
// "<10", with the complementary cells that would let it be recomputed from a
// total (portal.Suppress). Only the supervisor downloads it; audited.
func (s *Server) handleStatisticsResearchCSV(c echo.Context) error {
	u := currentUser(c)
	from, to, _, fe := s.statsPeriod(c)
	if len(fe) > 0 {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	rows, err := s.db.ExportStatistics(*u, 0, true, true, from, to, requestID(c))
	if err != nil {
		return err
	}
	lang := langOf(c)
	recs := researchRecords(lang, from, to, rows)
	return sendCSV(c, fmt.Sprintf("research-%s-%s.csv", compactMonth(from), compactMonth(to)), recs)
}

// researchTable is one table of the research export before suppression.
type researchTable struct {
	title      string
	rowLabels  []string
	colLabels  []string
	counts     [][]int
	suppressed portal.SuppressedTable
}

// researchTables sums the counters into the export's tables and suppresses
// them.
func researchTables(lang views.Lang, rows []store.StatCount) []researchTable {
	tr := func(key string, args ...any) string { return views.Translate(lang, key, args...) }
	sum := map[string]int{}
	for _, r := range rows {
		sum[r.Measure] += r.N
	}
	decisions := researchTable{title: tr("stats.research.decisions")}
	for _, b := range portal.SealBands {
		decisions.colLabels = append(decisions.colLabels, tr("stats.research.band", b))
	}
	decisions.colLabels = append(decisions.colLabels, tr("stats.research.refused"))
	for _, i := range portal.Intents {
		decisions.rowLabels = append(decisions.rowLabels, tr("stats.intent."+string(i)))
		var row []int
		for _, b := range portal.SealBands {
			row = append(row, sum[portal.StatResearchSeal(i, b)])
		}
		decisions.counts = append(decisions.counts, append(row, sum[portal.StatResearchRefuse(i)]))
	}
	leaks := researchTable{title: tr("stats.research.leaks"), colLabels: []string{tr("stats.col_count")}}
	for _, m := range portal.LeakMeasures {
		leaks.rowLabels = append(leaks.rowLabels, tr("stats.measure."+portal.StatLeakClosed(m)))
		leaks.counts = append(leaks.counts, []int{sum[portal.StatLeakClosed(m)]})
	}
	out := []researchTable{decisions, leaks}
	for i := range out {
		out[i].suppressed = portal.Suppress(out[i].counts)
	}
	return out
}

// researchRecords is the export's CSV: a note on the method, then each table
// with its row and column totals; a suppressed cell reads "<10".
func researchRecords(lang views.Lang, from, to portal.Month, rows []store.StatCount) [][]string {
	tr := func(key string, args ...any) string { return views.Translate(lang, key, args...) }
	recs := [][]string{{tr("stats.research.title", from.String(), to.String())}, {tr("stats.research.method")}}
	for _, t := range researchTables(lang, rows) {
		recs = append(recs, []string{}, []string{t.title})
		head := append([]string{""}, t.colLabels...)
		recs = append(recs, append(head, tr("stats.research.total")))
		for i, row := range t.suppressed {
			label := tr("stats.research.total")
			if i < len(t.rowLabels) {
				label = t.rowLabels[i]
			}
			rec := []string{label}
			for _, cell := range row {
				rec = append(rec, researchCell(cell))
			}
			recs = append(recs, rec)
		}
	}
	return recs
}

func researchCell(c portal.Cell) string {
	if c.Suppressed {
		return fmt.Sprintf("<%d", portal.MinPublishedCount)
	}
	return strconv.Itoa(c.N)
}
