package store

import (
	"path/filepath"
	"testing"
	"time"

	"sealportal/portal"
)

// Benchmarks of the case codec (issue 19) on a case as a decided one looks:
// a timeline of 20 steps, 4 documents, 3 holding organs.
//
//	go test -run '^$' -bench 'CaseReadTimeline|CaseDecode' -benchmem ./store/

func timelineCase() portal.Case {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := portal.Case{Ref: "FC-2026-000042", Status: portal.StatusSealed, Capacity: portal.CapacitySelf, PersonName: "基准甲",
		PersonIDNumber: portal.SyntheticIDNumber(42, portal.Date{Year: 2007, Month: 4, Day: 2}).String(), DecidingOrganID: 1,
		OrganCaseNumber: "(2024)基准刑初42号", Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2024, Month: 9, Day: 1},
		Acts: []portal.Act{{Date: portal.Date{Year: 2023, Month: 5, Day: 1}, Main: true}}, Intent: portal.IntentIntentional,
		Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12, Suspended: true}, HoldingOrganIDs: []uint64{1, 2, 3},
		DeclaredTrue: true, Confirmations: map[uint64]time.Time{1: at, 2: at}, CreatedAt: at, SubmittedAt: at, UpdatedAt: at}
	for i := range 4 {
		c.Documents = append(c.Documents, portal.Document{ID: uint64(i + 1), Kind: "judgment", Name: "判决书.pdf", MediaType: "application/pdf",
			Size: 120_000, UploadedBy: 7, UploadedAt: at})
	}
	for i := range 20 {
		c.Events = append(c.Events, portal.CaseEvent{At: at.Add(time.Duration(i) * time.Hour), ActorID: 7, ActorRole: portal.RoleCourt, OrganID: 1,
			Action: portal.ActionSubmit, From: portal.StatusSubmitted, To: portal.StatusAccepted, Rules: []string{"R1", "R7"},
			Note: "依据《中华人民共和国刑事诉讼法》第二百八十六条，对该犯罪记录予以封存。"})
	}
	return c
}

// One case with its timeline read and decrypted, as the case page reads it.
func BenchmarkCaseReadTimeline(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "p.db"), Options{Keys: NewTestKeys()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cs, err := db.ImportCases([]portal.Case{timelineCase()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if c, err := db.Case(cs[0].ID); err != nil || len(c.Events) != 20 {
			b.Fatal(err)
		}
	}
}

// The same case decoded from its stored value (decryption included): in the
// form of before (JSON wrapper, JSON body) and in the envelope with the
// binary body, side by side in one run.
func BenchmarkCaseDecode(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "p.db"), Options{Keys: NewTestKeys()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	c := timelineCase()
	c.ID = 1
	binary, err := db.encodeCase(c)
	if err != nil {
		b.Fatal(err)
	}
	for _, form := range []struct {
		name string
		raw  []byte
	}{{"json", legacySeal(b, db, kindCase, 1, "body", caseBody(c))}, {"binary", binary}} {
		b.Run(form.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(form.raw)))
			for b.Loop() {
				if _, err := db.decodeCase(1, form.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
