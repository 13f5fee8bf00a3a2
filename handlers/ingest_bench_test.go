package handlers

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// ingestMixLines makes n record lines of the court, unique persons from
// start, in a mix of outcomes like seed's: most sealable (sentences, an
// exemption), some over five years, some in review (R27), some not yet
// concluded, a few bad lines.
func ingestMixLines(n, start int, holders string) []string {
	out := make([]string, 0, n)
	dec := `"decided_on":"2023-03-01"`
	for i := start; i < start+n; i++ {
		id := fmt.Sprintf("B-%d", i)
		var facts string
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			facts = fmt.Sprintf(`"acts":[{"date":"2022-01-01","main":true,"intent":"intentional"}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":%d}`, 6+i%50)
		case 5:
			facts = `"acts":[{"date":"2022-01-01","main":true}],"disposition":"exempted"`
		case 6:
			facts = `"acts":[{"date":"2022-01-01","main":true}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":96}`
		case 7:
			facts = `"acts":[{"date":"2022-01-01","main":true},{"date":"2023-08-01","main":true}],"disposition":"exempted"`
			dec = `"decided_on":"2024-01-10"`
		case 8:
			facts = `"acts":[{"date":"2022-01-01"}],"disposition":"pending"`
		case 9:
			facts = `"acts":[{"date":"2022-01-01"}],"disposition":"pardoned"`
		}
		out = append(out, ingestLine(id, uint64(100000+i), facts, dec, holders))
		dec = `"decided_on":"2023-03-01"`
	}
	return out
}

// BenchmarkIngest measures bulk records decided, audited and sealed into
// cases per second on bbolt, in jobs of 5,000 lines (10 batches each):
//
//	go test ./handlers -run XXX -bench BenchmarkIngest -benchtime 4x
func BenchmarkIngest(b *testing.B) {
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, portal.China)
	db, err := store.Open(enginetest.Location(b, filepath.Join(b.TempDir(), "portal.db")), store.Options{Keys: store.NewTestKeys(), Clock: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	court, _ := db.EnsureOrgan(portal.RoleCourt, "基准法院")
	proc, _ := db.EnsureOrgan(portal.RoleProcuratorate, "基准检察院")
	police, _ := db.EnsureOrgan(portal.RolePolice, "基准公安局")
	holders := fmt.Sprintf(`"holders":[%d,%d]`, proc.ID, police.ID)
	opt := store.IngestOptions{Decode: DecodeIngestLine, Calendar: portal.DefaultCalendar(), Reason: func(k string) string { return k }}
	const perJob = 5000
	b.ResetTimer()
	var lines int
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		body := strings.Join(ingestMixLines(perJob, i*perJob, holders), "\n")
		b.StartTimer()

		job, err := db.ReceiveIngest(court.ID, store.APIClient{}, strings.NewReader(body), "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := db.IngestRun(context.Background(), job.ID, opt, nil); err != nil {
			b.Fatal(err)
		}
		lines += perJob
	}
	b.ReportMetric(float64(lines)/time.Since(start).Seconds(), "records/s")
	// On a shared machine the wall clock says little: the CPU time per
	// record (both cores: the decoder and the writer) says what one idle
	// machine would do.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(lines), "cpu-µs/record")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
