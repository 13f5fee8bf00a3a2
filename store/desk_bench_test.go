package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"sealportal/portal"
)

// Benchmarks of the desk (issue 16) on one lawyer with deskBenchClients()
// clients (20 000 by default; SEALPORTAL_DESK_BENCH_CLIENTS to change): a
// page costs the same whatever the account holds, where the whole list
// (CaseListOfAccount, the dashboard before the desk) grows with it. The
// database is kept in the temp folder like the other benchmarks'.
//
//	go test -run '^$' -bench Desk -benchmem ./store/

func deskBenchClients() int {
	if n, err := strconv.Atoi(os.Getenv("SEALPORTAL_DESK_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

var (
	deskBenchOnce   sync.Once
	deskBenchDB     *DB
	deskBenchLawyer uint64
	deskBenchErr    error
)

func deskBench(b *testing.B) (*DB, uint64) {
	b.Helper()
	deskBenchOnce.Do(func() { deskBenchDB, deskBenchLawyer, deskBenchErr = buildDeskBench(deskBenchClients()) })
	if deskBenchErr != nil {
		b.Fatal(deskBenchErr)
	}
	return deskBenchDB, deskBenchLawyer
}

func buildDeskBench(n int) (*DB, uint64, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("sealportal-deskbench-%d-v%d", n, SchemaVersion()))
	path := filepath.Join(dir, "portal.db")
	_, statErr := os.Stat(path + ".ok")
	if statErr != nil {
		_ = os.RemoveAll(dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, 0, err
	}
	keys, err := LoadOrCreateKeys(dir, func(string) string { return "" })
	if err != nil {
		return nil, 0, err
	}
	db, err := Open(path, Options{Keys: keys, Clock: benchClock})
	if err != nil {
		return nil, 0, err
	}
	if statErr != nil {
		court, err := db.EnsureOrgan(portal.RoleCourt, "基准法院")
		if err != nil {
			return nil, 0, err
		}
		if _, err := db.ImportAccounts([]portal.Account{{Role: portal.RoleLawyer, Login: "17000000002", Mobile: "17000000002", Name: "基准大律师",
			IDNumber: portal.SyntheticIDNumber(2, portal.Date{Year: 1980, Month: 1, Day: 1}).String(), Licence: "11101200000000009", Firm: "基准律所",
			PasswordHash: "x"}}); err != nil {
			return nil, 0, err
		}
		lawyer, err := db.AccountByLogin("17000000002")
		if err != nil {
			return nil, 0, err
		}
		today := portal.DateOf(benchClock())
		statuses := []portal.CaseStatus{portal.StatusSubmitted, portal.StatusReturned, portal.StatusAccepted, portal.StatusUnderReview,
			portal.StatusSealed, portal.StatusCompleted, portal.StatusRejected}
		batch := make([]portal.Case, 0, 2000)
		for i := range n {
			c := portal.Case{Status: statuses[i%len(statuses)], FiledBy: lawyer.ID, Capacity: portal.CapacityLawyer,
				PersonName: fmt.Sprintf("基准客户%07d", i), OrganCaseNumber: fmt.Sprintf("(2024)基准刑初%d号", i), DecidingOrganID: court.ID,
				CreatedAt: benchClock().UTC()}
			if !c.Status.Final() {
				c.Due = today.AddDays(i%41 - 10)
			}
			batch = append(batch, c)
			if len(batch) == cap(batch) || i == n-1 {
				if _, err := db.ImportCases(batch); err != nil {
					return nil, 0, err
				}
				batch = batch[:0]
			}
		}
		if err := os.WriteFile(path+".ok", nil, 0o600); err != nil {
			return nil, 0, err
		}
	}
	lawyer, err := db.AccountByLogin("17000000002")
	return db, lawyer.ID, err
}

func benchDesk(b *testing.B, q DeskQuery, wantRows int) {
	db, lawyer := deskBench(b)
	q.Soon = portal.DeskSoonLimit(portal.DefaultCalendar(), portal.DateOf(benchClock()))
	b.ReportAllocs()
	for b.Loop() {
		v, err := db.Desk(lawyer, q)
		if err != nil || len(v.Rows) != wantRows {
			b.Fatalf("%d rows, %v", len(v.Rows), err)
		}
	}
}

// The dashboard's first page with its needs-your-action section.
func BenchmarkDeskFirstPage(b *testing.B) { benchDesk(b, DeskQuery{Page: 1}, portal.DeskPageSize) }

// A page deep in the list (the walk to it reads index keys only).
func BenchmarkDeskPage100(b *testing.B) { benchDesk(b, DeskQuery{Page: 100}, portal.DeskPageSize) }

// A search by a client's full name.
func BenchmarkDeskSearchName(b *testing.B) {
	benchDesk(b, DeskQuery{Term: fmt.Sprintf("基准客户%07d", deskBenchClients()/2)}, 1)
}

// The whole list decrypted, as the dashboard read it before the desk: for
// comparison, it grows with the account.
func BenchmarkDeskWholeListBefore(b *testing.B) {
	db, lawyer := deskBench(b)
	b.ReportAllocs()
	for b.Loop() {
		rows, err := db.CaseListOfAccount(lawyer)
		if err != nil || len(rows) != deskBenchClients() {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}
