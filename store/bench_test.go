package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"sealportal/portal"
)

// Benchmarks of the store's hot paths on a database of benchCases() synthetic
// cases (100 000 by default; SEALPORTAL_BENCH_CASES to change), spread over
// 100 deciding organs with deadlines around today, one lawyer with 200
// clients. The database is built once and kept in the temp folder
// (sealportal-bench-N-vSCHEMA/, with its keys) so that `go test -bench . -count 10` for benchstat
// builds it once; delete it to rebuild.
//
//	go test -run '^$' -bench . -benchmem ./store/

func benchCases() int {
	if n, err := strconv.Atoi(os.Getenv("SEALPORTAL_BENCH_CASES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

type benchFixture struct {
	db     *DB
	court  uint64   // a deciding organ with its share of the cases
	lawyer uint64   // an account with 200 cases
	ids    []uint64 // some case ids to read
}

var (
	benchOnce sync.Once
	benchFix  benchFixture
	benchErr  error
)

// benchClock is a fixed "today" so that the kept database's deadlines stay
// around it.
func benchClock() time.Time { return time.Date(2026, 5, 12, 9, 0, 0, 0, portal.China) }

func benchDB(b *testing.B) benchFixture {
	b.Helper()
	benchOnce.Do(func() { benchFix, benchErr = buildBenchDB(benchCases()) })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFix
}

func buildBenchDB(n int) (benchFixture, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("sealportal-bench-%d-v%d", n, SchemaVersion()))
	path := filepath.Join(dir, "portal.db")
	_, statErr := os.Stat(path + ".ok")
	if statErr != nil {
		_ = os.RemoveAll(dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return benchFixture{}, err
	}
	keys, err := LoadOrCreateKeys(dir, func(string) string { return "" })
	if err != nil {
		return benchFixture{}, err
	}
	db, err := Open(path, Options{Keys: keys, Clock: benchClock})
	if err != nil {
		return benchFixture{}, err
	}
	var f benchFixture
	f.db = db
	var organs []uint64
	for i := range 100 {
		kind := portal.RoleCourt
		if i%2 == 1 {
			kind = portal.RoleProcuratorate
		}
		o, err := db.EnsureOrgan(kind, fmt.Sprintf("基准第%03d号机关", i))
		if err != nil {
			return f, err
		}
		organs = append(organs, o.ID)
	}
	f.court = organs[0]
	hash := "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	if statErr != nil {
		lawyers, err := db.ImportAccounts([]portal.Account{{Role: portal.RoleLawyer, Login: "17000000001", Mobile: "17000000001", Name: "基准律师",
			IDNumber: portal.SyntheticIDNumber(1, portal.Date{Year: 1980, Month: 1, Day: 1}).String(), Licence: "11101200000000009", Firm: "基准律所",
			PasswordHash: hash}})
		if err != nil {
			return f, err
		}
		rng := rand.New(rand.NewPCG(1, 2))
		today := portal.DateOf(benchClock())
		statuses := []portal.CaseStatus{portal.StatusSubmitted, portal.StatusAccepted, portal.StatusUnderReview, portal.StatusSealed,
			portal.StatusCompleted, portal.StatusRejected}
		batch := make([]portal.Case, 0, 2000)
		for i := range n {
			birth := portal.Date{Year: 2000 + rng.IntN(8), Month: time.Month(1 + rng.IntN(12)), Day: 1 + rng.IntN(28)}
			c := portal.Case{Status: statuses[i%len(statuses)], Capacity: portal.CapacitySelf, PersonName: fmt.Sprintf("基准%07d", i),
				PersonIDNumber: portal.SyntheticIDNumber(uint64(i), birth).String(), DecidingOrganID: organs[rng.IntN(len(organs))],
				OrganCaseNumber: fmt.Sprintf("(2024)基准刑初%d号", i), Disposition: portal.DispositionSentenced,
				DecisionDate: portal.Date{Year: 2024, Month: 9, Day: 1}, Acts: []portal.Act{{Date: birth.AddDays(365 * 15), Main: true}},
				Intent: portal.IntentIntentional, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12},
				DeclaredTrue: true, CreatedAt: benchClock().UTC(), SubmittedAt: benchClock().UTC(), ExOfficio: true}
			c.HoldingOrganIDs = []uint64{c.DecidingOrganID, organs[rng.IntN(len(organs))]}
			if !c.Status.Final() {
				c.Due = today.AddDays(rng.IntN(21) - 10)
			}
			if i < 200 {
				c.FiledBy, c.Capacity, c.ExOfficio = lawyers[0].ID, portal.CapacityLawyer, false
			}
			batch = append(batch, c)
			if len(batch) == cap(batch) || i == n-1 {
				if _, err := db.ImportCases(batch); err != nil {
					return f, err
				}
				batch = batch[:0]
			}
		}
		if err := os.WriteFile(path+".ok", nil, 0o600); err != nil {
			return f, err
		}
	}
	lawyer, err := db.AccountByLogin("17000000001")
	if err != nil {
		return f, err
	}
	f.lawyer = lawyer.ID
	for i := range 1000 {
		f.ids = append(f.ids, uint64(1+(i*7919)%n))
	}
	return f, nil
}

// The first page of an organ's queue, by deadline.
func BenchmarkQueueFirstPage(b *testing.B) {
	f := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		if rows, _, err := f.db.Queue(f.court, QueueFilter{}); err != nil || len(rows) == 0 {
			b.Fatal(len(rows), err)
		}
	}
}

// An organ's overdue cases, 50 a page, with their count.
func BenchmarkQueueOverdue(b *testing.B) {
	f := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		if rows, _, err := f.db.Queue(f.court, QueueFilter{OverdueOnly: true, Limit: 50}); err != nil || len(rows) == 0 {
			b.Fatal(len(rows), err)
		}
	}
}

// The supervisor's list of every organ's overdue cases, 50 a page.
func BenchmarkOverdue(b *testing.B) {
	f := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		if rows, _, err := f.db.Overdue(0, 50); err != nil || len(rows) == 0 {
			b.Fatal(len(rows), err)
		}
	}
}

// One case read and decrypted (the case page's read).
func BenchmarkCaseRead(b *testing.B) {
	f := benchDB(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := f.db.Case(f.ids[i%len(f.ids)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// A lawyer's 200 cases (the dashboard's read).
func BenchmarkCasesOfAccount200(b *testing.B) {
	f := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		if cs, err := f.db.CasesOfAccount(f.lawyer); err != nil || len(cs) != 200 {
			b.Fatal(len(cs), err)
		}
	}
}

// The same 200 cases as the dashboard now reads them: summary records only.
func BenchmarkCaseListOfAccount200(b *testing.B) {
	f := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		if cs, err := f.db.CaseListOfAccount(f.lawyer); err != nil || len(cs) != 200 {
			b.Fatal(len(cs), err)
		}
	}
}
