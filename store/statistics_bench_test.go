package store

import (
	"path/filepath"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
)

// BenchmarkStatisticsAllOrgans: the supervisor's page reads the counters of
// every organ for twelve months: here 1,000 organs × 24 months × 10
// measures are stored (240,000 counters, what a national deployment's
// counters of two years look like at that many organs) and one read of a
// year is timed. It opens no record, so its cost depends on the number of
// organs and months, not of cases.
//
//	go test -run '^$' -bench StatisticsAllOrgans ./store/
func BenchmarkStatisticsAllOrgans(b *testing.B) {
	db := openTestDB(b, filepath.Join(b.TempDir(), "portal.db"), NewTestKeys())
	measures := []string{portal.StatReceived, portal.StatSealOnTime, portal.StatSealLate, portal.StatRefuseOnTime, portal.StatRefuseLate,
		portal.StatConfirmOnTime, portal.StatConfirmLate, portal.StatUnsealed, portal.StatCertRequested, portal.StatCertIssued}
	start := portal.Month{Year: 2025, Month: 1}
	for organ := uint64(1); organ <= 1000; organ++ {
		if err := db.update(func(tx kv.Tx) error {
			bk := tx.Bucket(bucketStatistics)
			for m, i := start, 0; i < 24; m, i = m.Next(), i+1 {
				for _, x := range measures {
					if err := bk.Put(sk(organ, m, x).bytes(), itob(uint64(organ%17+1))); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rows, err := db.Statistics(0, true, portal.Month{Year: 2026, Month: 1}, portal.Month{Year: 2026, Month: 12})
		if err != nil || len(rows) != 1000*12*len(measures) {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}
