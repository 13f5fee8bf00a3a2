package store

import (
	"bytes"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// recountStatistics counts every record from scratch (no memo): what the
// counters must hold.
func recountStatistics(t *testing.T, db *DB) map[string]uint64 {
	t.Helper()
	want := map[string]uint64{}
	err := db.view(func(tx kv.Tx) error {
		for _, src := range statisticsSources {
			b := tx.Bucket(src.bucket)
			if b == nil {
				continue
			}
			if err := b.ForEach(func(k, _ []byte) error {
				if len(k) != 8 {
					return nil
				}
				rec, err := src.read(db, tx, btoi(k))
				if err != nil {
					return err
				}
				m, err := statisticsOf(tx, statMemo{}, rec)
				if err != nil {
					return err
				}
				for _, sk := range m.Keys {
					want[string(sk.bytes())]++
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func statisticsCounters(t *testing.T, db *DB) map[string]uint64 {
	t.Helper()
	got := map[string]uint64{}
	if err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketStatistics).ForEach(func(k, v []byte) error {
			got[string(k)] = btoi(v)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func sameCounts(t *testing.T, got, want map[string]uint64) {
	t.Helper()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("counter %x (%q): %d, recount %d", k[:12], k[12:], got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("counter %x (%q) = %d not in the recount", k[:12], k[12:], n)
		}
	}
}

// statisticsWorld is a mix of events: the sealed world's case, relief
// request, leak report and query, a case sealed on time, one sealed and
// confirmed late, a certificate asked for.
func statisticsWorld(t *testing.T) (*sealedWorld, map[string]int) {
	t.Helper()
	w := newSealedWorld(t)
	db := w.db
	run := func(c portal.Case, steps ...Step) portal.Case {
		t.Helper()
		var err error
		for _, s := range steps {
			if c, err = db.Apply(c.ID, s, w.cal); err != nil {
				t.Fatalf("%s: %v", s.Action, err)
			}
		}
		return c
	}
	submit := Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: w.minor.ID}
	accept := Step{Action: portal.ActionAccept, Actor: portal.ActorDecider, OrganID: w.court.ID}
	review := Step{Action: portal.ActionStartReview, Actor: portal.ActorDecider, OrganID: w.court.ID}
	seal := Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, OrganID: w.court.ID, Rules: []string{"R2"}}
	confirmPolice := Step{Action: portal.ActionConfirm, Actor: portal.ActorHolder, OrganID: w.police.ID}
	// Late: decided ten days after acceptance, the police seals a week later.
	late := run(completeDraft(t, db, w.minor, w.court, w.police), submit, accept, review)
	w.advance(10 * 24 * time.Hour)
	late = run(late, seal)
	w.advance(7 * 24 * time.Hour)
	run(late, confirmPolice)
	// Another on time.
	run(completeDraft(t, db, w.minor, w.court, w.police), submit, accept, review, seal)
	return w, map[string]int{portal.StatSealLate: 1, portal.StatConfirmLate: 1, portal.StatSealOnTime: 2, portal.StatCertRequested: 1}
}

// TestStatisticsMatchARecount: after a mix of events the counters are
// exactly what a recount of the records gives, and the steps taken late are
// counted late (R12).
func TestStatisticsMatchARecount(t *testing.T) {
	w, expect := statisticsWorld(t)
	sameCounts(t, statisticsCounters(t, w.db), recountStatistics(t, w.db))
	rows, err := w.db.Statistics(0, true, portal.Month{Year: 2026, Month: 1}, portal.Month{Year: 2026, Month: 12})
	if err != nil {
		t.Fatal(err)
	}
	sum := map[string]int{}
	for _, r := range rows {
		sum[r.Measure] += r.N
	}
	for m, n := range expect {
		if sum[m] != n {
			t.Errorf("%s: %d, want %d (all: %v)", m, sum[m], n, sum)
		}
	}
	if sum[portal.StatReceived] != 3 || sum[portal.StatConfirmOnTime] != 2 || sum[portal.StatReliefReceived] != 1 || sum[portal.StatLeakReceived] != 1 {
		t.Errorf("counts %v", sum)
	}
	// One organ sees its own counters only.
	own, err := w.db.Statistics(w.police.ID, false, portal.Month{Year: 2026, Month: 1}, portal.Month{Year: 2026, Month: 12})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range own {
		if r.Organ != w.police.ID {
			t.Errorf("police reads organ %d's counter", r.Organ)
		}
	}
	if len(own) == 0 {
		t.Error("the police has no counters")
	}
	// A period outside every event reads nothing.
	if none, _ := w.db.Statistics(0, true, portal.Month{Year: 2025, Month: 1}, portal.Month{Year: 2025, Month: 12}); len(none) != 0 {
		t.Errorf("2025: %v", none)
	}
}

// TestStatisticsHoldNoPersonalData: the counters and their memos hold no
// name, number or content of any record.
func TestStatisticsHoldNoPersonalData(t *testing.T) {
	w, _ := statisticsWorld(t)
	if err := w.db.view(func(tx kv.Tx) error {
		for _, b := range [][]byte{bucketStatistics, bucketStatisticsSources} {
			if err := tx.Bucket(b).ForEach(func(k, v []byte) error {
				for _, s := range w.secrets {
					if bytes.Contains(k, []byte(s)) || bytes.Contains(v, []byte(s)) {
						t.Errorf("%s holds %q", b, s)
					}
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestStatisticsMigrationAndBackfill: a database whose records predate the
// counters gets them on the next Open, in batches, equal to a recount.
func TestStatisticsMigrationAndBackfill(t *testing.T) {
	w, _ := statisticsWorld(t)
	var m *migration
	for i := range migrations {
		if migrations[i].name == migrationStatisticsName {
			m = &migrations[i]
		}
	}
	if m == nil {
		t.Fatal("no statistics migration")
	}
	want := statisticsCounters(t, w.db)
	if err := w.db.update(func(tx kv.Tx) error {
		for _, b := range [][]byte{bucketStatistics, bucketStatisticsSources} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return m.apply(tx)
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(statisticsCounters(t, w.db)); n != 0 {
		t.Fatalf("%d counters before the back-fill", n)
	}
	db := reopenTestDB(t, w.db)
	sameCounts(t, statisticsCounters(t, db), want)
	if err := db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketMeta).Get(keyStatisticsBackfill) != nil {
			t.Error("the back-fill's progress is left in meta")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestBacklogsReadTheQueueCounts: the backlog is the queue's open work.
func TestBacklogsReadTheQueueCounts(t *testing.T) {
	w := newCertWorld(t)
	c := completeDraft(t, w.db, w.minor, w.court, w.police)
	if _, err := w.db.Apply(c.ID, Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: w.minor.ID}, w.cal); err != nil {
		t.Fatal(err)
	}
	bl, err := w.db.Backlogs(w.court.ID, false)
	if err != nil || len(bl) != 1 || bl[0].Submitted != 1 || bl[0].Overdue != 0 {
		t.Fatalf("%+v %v", bl, err)
	}
	w.advance(30 * 24 * time.Hour)
	if bl, _ = w.db.Backlogs(0, true); len(bl) != 1 || bl[0].Organ != w.court.ID || bl[0].Overdue != 1 {
		t.Fatalf("a month later %+v", bl)
	}
}
