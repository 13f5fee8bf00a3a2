package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"sealportal/portal"
)

// The ingest scenario (issue 17): an organ's system sends its records in
// bulk, the portal decides, audits and seals them in the background, and the
// pages must keep answering meanwhile. It is not part of a full run (it
// writes cases into the database); name it with -scenarios ingest.
//
// The load test sends -ingest-records NDJSON lines to POST
// /api/v1/organ/records with the organ credential of -ingest-secret (made by
// `admin create-api-client`), in jobs of -ingest-job-records lines one after
// the other (each POST must arrive within the server's read timeout of two
// minutes), then polls GET /api/v1/organ/jobs/{id} once a second until every
// job is done. The rate is the records of all jobs divided by the time from
// the first POST to the last job's "done": receiving, deciding, sealing and
// auditing together. During the whole of it, readers ask for the demo
// minor's case page at -ingest-read-rate requests a second (an open loop:
// a slow answer does not slow the next request, so queueing behind the
// ingest shows in the latencies) over at most -c connections.
//
// The records are the seed -n mix: synthetic persons (province code 99) born
// 1995–2008, one main act at 14 to 16, a decision 60 to 360 days later,
// eight in ten sentenced to 6–65 months (sealable up to five years, R2),
// the rest exempted, not concluded, acquitted, a main act on both sides of 18
// (R27: review) or over five years; each held by up to two other organs of
// -ingest-holders besides the sending one (R12).

// loadIngestScenario is the scenario's name for -scenarios.
const loadIngestScenario = "ingest"

// loadIngestResult is the scenario's figures in the -json report.
type loadIngestResult struct {
	Records        int                 `json:"records"`
	Jobs           int                 `json:"jobs"`
	Seconds        float64             `json:"seconds"`
	RecordsPerSec  float64             `json:"records_per_s"`
	ReceiveSeconds float64             `json:"receive_seconds"`
	Counts         portal.IngestCounts `json:"counts"`
	ReadRate       float64             `json:"case_page_offered_rps"`
	CasePage       loadScenarioResult  `json:"case_page"`
}

// loadIngestOptions are the scenario's flags.
type loadIngestOptions struct {
	records, jobRecords int
	secret              string
	holders             []uint64
	readRate            float64
	poll                time.Duration
}

// parseOrganList reads -ingest-holders: organ ids, comma-separated.
func parseOrganList(s string) ([]uint64, error) {
	var out []uint64
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseUint(part, 10, 64)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("organ ids, comma-separated (admin list-organs): %q", part)
		}
		out = append(out, id)
	}
	return out, nil
}

// ingestRecordWriter writes the scenario's records from first (a record's
// number in the run) on, stamped with the run so that a second run sends
// new record ids rather than duplicates.
type ingestRecordWriter struct {
	run     string
	holders []uint64
	today   portal.Date
}

// ingestPersonBirth is the i-th synthetic person's birth date and sequence:
// 5,100 dates from 1995 (stepped so that neighbouring records differ) and
// 1,000 sequences per date, so the first 5.1 million persons are distinct.
// The sequences count down from 999 while seed -n's count up from 11 (about
// 270 a date for a million cases), so a record's person is never a seeded
// person of another name (which the portal rejects); the same record number
// is always the same person with the same name, so a second run adds
// records of the same persons.
func ingestPersonBirth(i int) (portal.Date, uint64) {
	const dates = 5100
	d := portal.Date{Year: 1995, Month: 1, Day: 1}.AddDays(i * 7919 % dates)
	return d, uint64(999 - i/dates%1000) // #nosec G115 -- i >= 0
}

var ingestNames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
var ingestGiven = []string{"伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明"}

// write sends records first..first+n-1 to w, one line each.
func (g ingestRecordWriter) write(w io.Writer, first, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	type act struct {
		Date   string `json:"date"`
		Main   bool   `json:"main,omitempty"`
		Intent string `json:"intent,omitempty"`
	}
	type penalty struct {
		Kind   string `json:"kind"`
		Months int    `json:"months"`
	}
	type person struct {
		Name      string `json:"name"`
		IDType    string `json:"id_type"`
		IDNumber  string `json:"id_number"`
		BirthDate string `json:"birth_date"`
	}
	type record struct {
		RecordID    string   `json:"record_id"`
		Person      person   `json:"person"`
		Acts        []act    `json:"acts"`
		Disposition string   `json:"disposition"`
		Penalty     *penalty `json:"penalty,omitempty"`
		DecidedOn   string   `json:"decided_on,omitempty"`
		EffectiveOn string   `json:"effective_on,omitempty"`
		Holders     []uint64 `json:"holders,omitempty"`
	}
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := first; i < first+n; i++ {
		rng := rand.New(rand.NewPCG(uint64(i), 17)) // #nosec G404 G115 -- synthetic load, not security; i >= 0
		birth, seq := ingestPersonBirth(i)
		a := birth.AddDays(365*14 + rng.IntN(365*2))
		decided := a.AddDays(60 + rng.IntN(300))
		r := record{RecordID: fmt.Sprintf("LT-%s-%d", g.run, i),
			Person: person{Name: ingestNames[i%len(ingestNames)] + ingestGiven[i/len(ingestNames)%len(ingestGiven)], IDType: "resident_id",
				IDNumber: portal.SyntheticIDNumber(seq, birth).String(), BirthDate: birth.String()},
			Acts: []act{{Date: a.String(), Main: true, Intent: "intentional"}}}
		switch k := rng.IntN(100); {
		case k < 80: // seed -n's own: a fixed term of 6 to 65 months
			r.Disposition, r.Penalty = "sentenced", &penalty{Kind: "fixed_term", Months: 6 + rng.IntN(60)}
		case k < 85:
			r.Disposition = "exempted"
		case k < 90: // not concluded: no decision yet
			r.Disposition, r.Acts[0].Main, r.Acts[0].Intent = "pending", false, ""
		case k < 95:
			r.Disposition, r.Acts[0].Main, r.Acts[0].Intent = "acquitted_insufficient_evidence", false, ""
		case k < 98: // main acts before and after 18 (R27): review
			r.Disposition, r.Acts[0].Intent = "exempted", ""
			// A person too young for an act after 18 before today is
			// simply exempted.
			if late := birth.AddDays(365*18 + 30 + rng.IntN(200)); late.AddDays(200).Before(g.today) {
				r.Acts = append(r.Acts, act{Date: late.String(), Main: true})
				decided = late.AddDays(60 + rng.IntN(100))
			}
		default: // over five years (R2)
			r.Disposition, r.Penalty = "sentenced", &penalty{Kind: "fixed_term", Months: 72 + rng.IntN(48)}
		}
		if r.Disposition != "pending" {
			if !decided.Before(g.today) {
				decided = g.today.AddDays(-1 - rng.IntN(30))
			}
			effective := decided.AddDays(15)
			if !effective.Before(g.today) {
				effective = decided
			}
			r.DecidedOn, r.EffectiveOn = decided.String(), effective.String()
		}
		if len(g.holders) > 0 {
			for range rng.IntN(3) {
				if h := g.holders[rng.IntN(len(g.holders))]; !containsID(r.Holders, h) {
					r.Holders = append(r.Holders, h)
				}
			}
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// runIngestScenario sends the jobs, waits for them and measures the case
// page meanwhile; caseTarget is the page the readers ask for.
func runIngestScenario(ctx context.Context, o loadOptions, caseTarget vegeta.Target, logf func(string, ...any)) (loadIngestResult, error) {
	ing := o.ingest
	res := loadIngestResult{Records: ing.records, ReadRate: ing.readRate}
	if ing.secret == "" {
		return res, errors.New("-ingest-secret is required: make one with `admin create-api-client -organ N -name loadtest` (the organ from `admin list-organs`)")
	}
	if ing.records < 1 || ing.jobRecords < 1 {
		return res, errors.New("-ingest-records and -ingest-job-records must be positive")
	}
	base := o.target.String()
	hc := &http.Client{} // a job's body may take long: the context bounds it
	api := func(ctx context.Context, method, path string, body io.Reader, v any) (int, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, body)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+ing.secret)
		req.Header.Set("Accept-Language", "en")
		if body != nil {
			req.Header.Set("Content-Type", "application/x-ndjson")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return resp.StatusCode, err
		}
		if resp.StatusCode/100 != 2 {
			return resp.StatusCode, fmt.Errorf("%s %s: %d: %s", method, path, resp.StatusCode, loadExcerpt(raw))
		}
		return resp.StatusCode, json.Unmarshal(raw, v)
	}
	// A wrong credential fails here, before the readers start.
	if st, err := api(ctx, http.MethodGet, "/api/v1/organ/jobs/0", nil, &struct{}{}); st != http.StatusNotFound {
		if st == http.StatusUnauthorized {
			return res, errors.New("-ingest-secret: the portal refused the credential (401)")
		}
		return res, fmt.Errorf("the organ API did not answer as expected: %d %v", st, err)
	}

	// The readers, open loop, for as long as the jobs take.
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(o.conns)), vegeta.MaxWorkers(uint64(o.conns)), // #nosec G115 -- o.conns >= 1
		vegeta.Connections(o.conns), vegeta.MaxConnections(o.conns), vegeta.KeepAlive(true),
		vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(30*time.Second), vegeta.MaxBody(1<<20))
	var (
		metrics vegeta.Metrics
		readErr int
		readers sync.WaitGroup
	)
	rate := vegeta.Rate{Freq: max(1, int(ing.readRate+0.5)), Per: time.Second}
	readers.Add(1)
	go func() {
		defer readers.Done()
		for r := range atk.Attack(vegeta.NewStaticTargeter(caseTarget), rate, 0, "ingest_case_page") {
			metrics.Add(r)
			if r.Error != "" || r.Code != http.StatusOK {
				readErr++
			}
		}
	}()
	stopReaders := func() loadScenarioResult {
		atk.Stop()
		readers.Wait()
		metrics.Close()
		ms := func(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }
		rps := 0.0
		if el := (metrics.Duration + metrics.Wait).Seconds(); el > 0 {
			rps = float64(metrics.Requests) / el
		}
		return loadScenarioResult{Name: "ingest_case_page", RPS: round2(rps), P50: ms(metrics.Latencies.P50), P95: ms(metrics.Latencies.P95),
			P99: ms(metrics.Latencies.P99), Errors: readErr, requests: int(metrics.Requests)} // #nosec G115 -- a request count
	}

	gen := ingestRecordWriter{run: strconv.FormatInt(time.Now().Unix(), 36), holders: ing.holders, today: portal.DateOf(time.Now().In(portal.China))}
	start := time.Now()
	var ids []string
	var receive time.Duration
	for first := 0; first < ing.records; first += ing.jobRecords {
		n := min(ing.jobRecords, ing.records-first)
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(gen.write(pw, first, n)) }()
		t0 := time.Now()
		var ans struct {
			JobID string `json:"job_id"`
		}
		st, err := api(ctx, http.MethodPost, "/api/v1/organ/records", pr, &ans)
		_ = pr.Close() // stops the writer if the server stopped reading
		if err != nil || st != http.StatusAccepted || ans.JobID == "" {
			res.CasePage = stopReaders()
			return res, fmt.Errorf("job of records %d–%d: %d %v", first, first+n-1, st, err)
		}
		receive += time.Since(t0)
		ids = append(ids, ans.JobID)
		logf("ingest: job %s accepted, %d lines (records %d–%d) in %s", ans.JobID, n, first, first+n-1, time.Since(t0).Round(time.Millisecond))
	}
	for _, id := range ids {
		for {
			var job struct {
				State  string              `json:"state"`
				Counts portal.IngestCounts `json:"counts"`
			}
			if _, err := api(ctx, http.MethodGet, "/api/v1/organ/jobs/"+id, nil, &job); err != nil {
				res.CasePage = stopReaders()
				return res, fmt.Errorf("job %s: %w", id, err)
			}
			if job.State == "done" {
				addCounts(&res.Counts, job.Counts)
				logf("ingest: job %s done at %s: %s", id, time.Since(start).Round(time.Second), countsLine(0, job.Counts)[len("job 0: "):])
				break
			}
			select {
			case <-ctx.Done():
				res.CasePage = stopReaders()
				return res, ctx.Err()
			case <-time.After(ing.poll):
			}
		}
	}
	el := time.Since(start)
	res.CasePage = stopReaders()
	res.Jobs, res.Seconds, res.ReceiveSeconds = len(ids), round2(el.Seconds()), round2(receive.Seconds())
	res.RecordsPerSec = round2(float64(ing.records) / el.Seconds())
	return res, nil
}

func addCounts(sum *portal.IngestCounts, c portal.IngestCounts) {
	sum.Received += c.Received
	sum.Sealed += c.Sealed
	sum.Review += c.Review
	sum.NotEligible += c.NotEligible
	sum.NotYet += c.NotYet
	sum.Rejected += c.Rejected
	sum.Duplicates += c.Duplicates
	sum.Updated += c.Updated
}

func printIngestResult(out io.Writer, r *loadIngestResult) {
	c := r.CasePage
	fmt.Fprintf(out, "ingest: %d records in %d jobs, %.1f s (%.1f s receiving): %.0f records/s; sealed %d, review %d, not_eligible %d, not_yet %d, rejected %d, duplicates %d, updated %d\n",
		r.Records, r.Jobs, r.Seconds, r.ReceiveSeconds, r.RecordsPerSec, r.Counts.Sealed, r.Counts.Review, r.Counts.NotEligible, r.Counts.NotYet,
		r.Counts.Rejected, r.Counts.Duplicates, r.Counts.Updated)
	fmt.Fprintf(out, "ingest: case page meanwhile, %.0f req/s offered: %.1f answered, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, errors %d\n",
		r.ReadRate, c.RPS, c.P50, c.P95, c.P99, c.Errors)
}
