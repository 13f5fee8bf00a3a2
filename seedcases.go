package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// seedCases adds n synthetic cases in every state, spread over the organs and
// over deadlines around today, in batched transactions. People are synthetic
// (province code 99). The demo lawyer files up to 200 of them (a dashboard of
// 200 clients); the demo minor gets one case about himself; the rest are opened
// ex officio by the organs.
func seedCases(db *store.DB, cal *portal.Calendar, n int, clock portal.Clock, out io.Writer) error {
	organs, err := db.Organs()
	if err != nil {
		return err
	}
	var deciders, all []uint64
	for _, o := range organs {
		all = append(all, o.ID)
		if o.Kind == portal.RoleCourt || o.Kind == portal.RoleProcuratorate {
			deciders = append(deciders, o.ID)
		}
	}
	if len(deciders) == 0 {
		return fmt.Errorf("seed: no court or procuratorate: run seed without -n first")
	}
	lawyer, err := db.AccountByLogin("19900000003")
	if err != nil {
		return fmt.Errorf("seed: demo lawyer missing: %w", err)
	}
	minor, err := db.AccountByLogin("19900000001")
	if err != nil {
		return fmt.Errorf("seed: demo minor missing: %w", err)
	}
	rng := rand.New(rand.NewPCG(uint64(n), 2026))
	now := clock()
	today := portal.DateOf(now)
	statuses := []portal.CaseStatus{portal.StatusSubmitted, portal.StatusReturned, portal.StatusAccepted, portal.StatusUnderReview,
		portal.StatusSealed, portal.StatusRejected, portal.StatusCompleted, portal.StatusWithdrawn, portal.StatusDraft}
	const batchSize = 2000
	start := time.Now()
	batch := make([]portal.Case, 0, batchSize)
	flush := func(done int) error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := db.ImportCases(batch); err != nil {
			return err
		}
		batch = batch[:0]
		fmt.Fprintf(out, "\rseeded %d/%d cases (%.0f/s)", done, n, float64(done)/time.Since(start).Seconds())
		return nil
	}
	for i := 0; i < n; i++ {
		birth := portal.Date{Year: 1995 + rng.IntN(14), Month: time.Month(1 + rng.IntN(12)), Day: 1 + rng.IntN(28)}
		act := birth.AddDays(365*14 + rng.IntN(365*3))
		decided := act.AddDays(60 + rng.IntN(300))
		if decided.After(today) {
			decided = today.AddDays(-rng.IntN(30) - 1)
			act = decided.AddDays(-90)
		}
		c := portal.Case{
			Status:          statuses[i%len(statuses)],
			Capacity:        portal.CapacitySelf,
			PersonName:      fmt.Sprintf("示例人员%06d", i),
			PersonIDNumber:  portal.SyntheticIDNumber(uint64(i), birth).String(),
			DecidingOrganID: deciders[rng.IntN(len(deciders))],
			OrganCaseNumber: fmt.Sprintf("(%d)示例刑初字第%d号", decided.Year, i+1),
			Disposition:     portal.DispositionSentenced,
			DecisionDate:    decided,
			Acts:            []portal.Act{{Date: act, Main: true}},
			Intent:          portal.IntentIntentional,
			Penalty:         &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 6 + rng.IntN(60)},
			DeclaredTrue:    true,
			CreatedAt:       now.Add(-time.Duration(rng.IntN(30*24)) * time.Hour).UTC(),
		}
		c.HoldingOrganIDs = []uint64{c.DecidingOrganID}
		for _, o := range all {
			if o != c.DecidingOrganID && rng.IntN(2) == 0 {
				c.HoldingOrganIDs = append(c.HoldingOrganIDs, o)
			}
		}
		switch {
		case i == 0:
			c.FiledBy, c.PersonName = minor.ID, minor.Name
			c.PersonIDNumber = minor.IDNumber
		case i <= 200:
			c.FiledBy, c.Capacity = lawyer.ID, portal.CapacityLawyer
		default:
			c.ExOfficio = true
			if c.Status == portal.StatusDraft {
				c.Status = portal.StatusSubmitted
			}
		}
		c.SubmittedAt = c.CreatedAt
		c.Events = seedEvents(c)
		if !c.Status.Final() && c.Status != portal.StatusReturned && c.Status != portal.StatusDraft {
			// Deadlines from 10 days ago to 10 days ahead, so queues hold
			// overdue, due-soon and later cases.
			c.Due = today.AddDays(rng.IntN(21) - 10)
		}
		if c.Status == portal.StatusCompleted {
			c.Confirmations = map[uint64]time.Time{}
			for _, o := range c.HoldingOrganIDs {
				c.Confirmations[o] = c.CreatedAt
			}
		}
		batch = append(batch, c)
		if len(batch) == batchSize {
			if err := flush(i + 1); err != nil {
				return err
			}
		}
	}
	if err := flush(n); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nseeded %d cases in %s\n", n, time.Since(start).Round(time.Millisecond))
	_ = cal
	return nil
}

// seedEvents gives a synthetic case a timeline consistent with its status,
// walking the state machine's own table.
func seedEvents(c portal.Case) []portal.CaseEvent {
	path := map[portal.CaseStatus][]portal.CaseAction{
		portal.StatusDraft:       nil,
		portal.StatusSubmitted:   {portal.ActionSubmit},
		portal.StatusReturned:    {portal.ActionSubmit, portal.ActionReturn},
		portal.StatusAccepted:    {portal.ActionSubmit, portal.ActionAccept},
		portal.StatusUnderReview: {portal.ActionSubmit, portal.ActionAccept, portal.ActionStartReview},
		portal.StatusSealed:      {portal.ActionSubmit, portal.ActionAccept, portal.ActionStartReview, portal.ActionSeal},
		portal.StatusRejected:    {portal.ActionSubmit, portal.ActionAccept, portal.ActionStartReview, portal.ActionReject},
		portal.StatusCompleted:   {portal.ActionSubmit, portal.ActionAccept, portal.ActionStartReview, portal.ActionSeal, portal.ActionComplete},
		portal.StatusWithdrawn:   {portal.ActionSubmit, portal.ActionWithdraw},
	}[c.Status]
	actors := map[portal.CaseAction]portal.Actor{portal.ActionSubmit: portal.ActorApplicant, portal.ActionWithdraw: portal.ActorApplicant,
		portal.ActionComplete: portal.ActorSystem}
	var events []portal.CaseEvent
	from := portal.StatusDraft
	at := c.CreatedAt
	for _, a := range path {
		actor, ok := actors[a]
		if !ok {
			actor = portal.ActorDecider
		}
		to, err := portal.Next(from, a, actor)
		if err != nil {
			panic(fmt.Sprintf("seed: %s from %s: %v", a, from, err)) // the table changed: fix the path above
		}
		ev := portal.CaseEvent{At: at, Action: a, From: from, To: to, OrganID: c.DecidingOrganID}
		switch a {
		case portal.ActionSeal:
			ev.Rules = []string{"R1", "R2"}
		case portal.ActionReject, portal.ActionReturn:
			ev.Note = "示例说明 / sample note"
		}
		events = append(events, ev)
		from, at = to, at.Add(time.Hour)
	}
	return events
}
