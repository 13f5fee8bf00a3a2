package store

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Issue 18: a search by identity number, name or organ case number answers
// in under 50 ms p99. Each benchmark searches the bench database
// (bench_test.go: benchCases() cases, 100 000 by default) for the person of
// one case after another, as an official of the case's deciding organ, and
// reports the 99th percentile of one whole search: the keyed-hash lookup,
// the access check on each match's card, the audit entry and the results
// state, committed. Nothing is decrypted but the results state written.
//
//	go test -run '^$' -bench Search -benchtime 2000x ./store/
//	SEALPORTAL_BENCH_CASES=10000 go test -run '^$' -bench Search -benchtime 2000x ./store/   (the second size)

type benchSearchTarget struct {
	reader             portal.Account
	idNumber, name, no string
}

func benchSearchTargets(b *testing.B, f benchFixture, n int) []benchSearchTarget {
	b.Helper()
	readers := map[uint64]portal.Account{}
	var out []benchSearchTarget
	for _, id := range f.ids[:n] {
		c, err := f.db.Case(id)
		if err != nil {
			b.Fatal(err)
		}
		r, ok := readers[c.DecidingOrganID]
		if !ok {
			login := "bench-official-" + strconv.FormatUint(c.DecidingOrganID, 10)
			if r, err = f.db.AccountByLogin(login); err != nil {
				organ, err := f.db.Organ(c.DecidingOrganID)
				if err != nil {
					b.Fatal(err)
				}
				r, err = f.db.CreateAccount(portal.Account{Role: organ.Kind, Login: login, Name: "基准承办人", Organ: organ.Name, OrganID: organ.ID, PasswordHash: "x"}, 0)
				if err != nil {
					b.Fatal(err)
				}
			}
			readers[c.DecidingOrganID] = r
		}
		out = append(out, benchSearchTarget{reader: r, idNumber: c.PersonIDNumber, name: c.PersonName, no: c.OrganCaseNumber})
	}
	return out
}

func benchSearch(b *testing.B, kind portal.SearchKind, term func(benchSearchTarget) string) {
	f := benchDB(b)
	targets := benchSearchTargets(b, f, 200)
	durations := make([]time.Duration, 0, b.N)
	found := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := targets[i%len(targets)]
		start := time.Now()
		_, n, err := f.db.SearchCases(t.reader, kind, term(t), "bench")
		durations = append(durations, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		found += n
	}
	b.StopTimer()
	if found < b.N {
		b.Fatalf("%d searches found %d cases: every target must find its own", b.N, found)
	}
	slices.Sort(durations)
	p99 := durations[len(durations)*99/100]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(found)/float64(b.N), "results/op")
}

func BenchmarkSearchIDNumber(b *testing.B) {
	benchSearch(b, portal.SearchIDNumber, func(t benchSearchTarget) string { return t.idNumber })
}

func BenchmarkSearchName(b *testing.B) {
	benchSearch(b, portal.SearchName, func(t benchSearchTarget) string { return t.name })
}

func BenchmarkSearchCaseNumber(b *testing.B) {
	benchSearch(b, portal.SearchCaseNumber, func(t benchSearchTarget) string { return t.no })
}

// benchLookup measures the read half of a search alone (keyed hashes, the
// index seek, a card per match), without the commit of the audit entry and
// the results state, whose cost is the disk's sync and does not depend on
// the number of cases.
func benchLookup(b *testing.B, kind portal.SearchKind, term func(benchSearchTarget) string) {
	f := benchDB(b)
	targets := benchSearchTargets(b, f, 200)
	found := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := targets[i%len(targets)]
		index, prefixes, err := f.db.searchKeys(kind, term(t))
		if err != nil {
			b.Fatal(err)
		}
		if err := f.db.view(func(tx kv.Tx) error {
			ids, err := visibleMatches(tx, t.reader, index, prefixes)
			found += len(ids)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	if found < b.N {
		b.Fatalf("%d lookups found %d cases", b.N, found)
	}
}

func BenchmarkSearchLookupIDNumber(b *testing.B) {
	benchLookup(b, portal.SearchIDNumber, func(t benchSearchTarget) string { return t.idNumber })
}

func BenchmarkSearchLookupName(b *testing.B) {
	benchLookup(b, portal.SearchName, func(t benchSearchTarget) string { return t.name })
}

func BenchmarkSearchLookupCaseNumber(b *testing.B) {
	benchLookup(b, portal.SearchCaseNumber, func(t benchSearchTarget) string { return t.no })
}
