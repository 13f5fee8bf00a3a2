package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// SyntheticPassword is the password of every synthetic citizen account that
// seed -n creates (mobile numbers 170xxxxxxxx). They share one precomputed
// hash: hashing a password per account would take days for a million, and
// these people do not exist. The demo accounts keep their own passwords.
const SyntheticPassword = "synthetic-2026"

// syntheticMobile is the login of the i-th synthetic citizen account.
func syntheticMobile(i int) string { return fmt.Sprintf("170%08d", i) }

// seedScale says how the synthetic data is spread; derived from n so that a
// test with a few hundred cases still has every kind of row.
type seedScale struct {
	organsPerKind int // synthetic organs of each kind, beside the demo ones
	lawyerClients int // cases per synthetic lawyer
}

func scaleFor(n int) seedScale {
	return seedScale{organsPerKind: min(max(n/20000, 1), 50), lawyerClients: 150}
}

// seedCases adds n synthetic cases in every state, spread over organs and
// over deadlines around today, in batched transactions, with their people:
// the person's own account for about one case in four, a guardian's for one
// in eight, lawyers with about 150 clients each for one in five, the rest
// opened ex officio. Citizen-filed cases carry a small document; one in ten
// has an exchange of messages; every case, account and message has its audit
// entry. People are synthetic (province code 99). The demo lawyer files
// exactly 200 cases (a dashboard of 200 clients); the demo minor gets one case
// about himself.
func seedCases(db *store.DB, hasher *portal.PasswordHasher, n int, clock portal.Clock, out io.Writer) error {
	if any, err := db.HasCases(); err != nil {
		return err
	} else if any {
		return errors.New("seed -n: the database already holds cases; seed cases only into an empty database")
	}
	sc := scaleFor(n)
	start := time.Now()
	var deciders, all []uint64
	demoOrgans, err := db.Organs()
	if err != nil {
		return err
	}
	for _, o := range demoOrgans {
		if o.Kind.IsOrgan() {
			all = append(all, o.ID)
			if o.Kind == portal.RoleCourt || o.Kind == portal.RoleProcuratorate {
				deciders = append(deciders, o.ID)
			}
		}
	}
	if len(deciders) == 0 {
		return errors.New("seed: no court or procuratorate: run seed without -n first")
	}
	demoCourt := deciders[0]
	kinds := []struct {
		role portal.Role
		name string
	}{{portal.RoleCourt, "示例省第%03d市人民法院"}, {portal.RoleProcuratorate, "示例省第%03d市人民检察院"},
		{portal.RolePolice, "示例省第%03d市公安局"}, {portal.RoleJudicialAdmin, "示例省第%03d市司法局"}}
	for i := 1; i <= sc.organsPerKind; i++ {
		for _, k := range kinds {
			o, err := db.EnsureOrgan(k.role, fmt.Sprintf(k.name, i))
			if err != nil {
				return err
			}
			all = append(all, o.ID)
			if k.role == portal.RoleCourt || k.role == portal.RoleProcuratorate {
				deciders = append(deciders, o.ID)
			}
		}
	}
	lawyer, err := db.AccountByLogin("19900000003")
	if err != nil {
		return fmt.Errorf("seed: demo lawyer missing: %w", err)
	}
	minor, err := db.AccountByLogin("19900000001")
	if err != nil {
		return fmt.Errorf("seed: demo minor missing: %w", err)
	}
	hash, err := hasher.Hash(SyntheticPassword)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(n), 2026)) // #nosec G404 G115 -- synthetic demo data, not security; any n is a fine seed
	now := clock()
	today := portal.DateOf(now)
	people := 0 // synthetic accounts so far (their mobile numbers)
	// uniqueID gives every synthetic person a number of his own: a number
	// holds only 1,000 sequences per birth date, and two verified accounts
	// with one number are refused (issue 11), so the sequence counts per
	// date (moving to the next day once a date's sequences are used up).
	perBirth := map[portal.Date]uint64{}
	uniqueID := func(birth portal.Date) string {
		for perBirth[birth] >= 989 {
			birth = birth.AddDays(1)
		}
		perBirth[birth]++
		return portal.SyntheticIDNumber(perBirth[birth]+10, birth).String()
	}
	newAccount := func(role portal.Role, name string, birth portal.Date) portal.Account {
		people++
		a := portal.Account{Role: role, Login: syntheticMobile(people), Mobile: syntheticMobile(people), Name: name,
			IDNumber: uniqueID(birth), PasswordHash: hash, Seeded: true,
			IdentityVerified: true, IdentityMethod: portal.IdentityBySeed, // issue 11: demo people are verified
			CreatedAt: now.Add(-time.Duration(rng.IntN(60*24)) * time.Hour).UTC()}
		if role == portal.RoleLawyer {
			a.Licence, a.Firm = fmt.Sprintf("1110120%010d", people), "示例律师事务所"
		}
		return a
	}
	// Synthetic lawyers, made first: each takes sc.lawyerClients cases.
	var lawyers []uint64
	if want := n / 5 / sc.lawyerClients; want > 0 {
		var batch []portal.Account
		for i := 0; i < want; i++ {
			batch = append(batch, newAccount(portal.RoleLawyer, fmt.Sprintf("示例律师%05d", i), portal.Date{Year: 1980, Month: 1, Day: 1 + i%28}))
		}
		made, err := db.ImportAccounts(batch)
		if err != nil {
			return err
		}
		for _, a := range made {
			lawyers = append(lawyers, a.ID)
		}
	}
	statuses := []portal.CaseStatus{portal.StatusSubmitted, portal.StatusReturned, portal.StatusAccepted, portal.StatusUnderReview,
		portal.StatusSealed, portal.StatusRejected, portal.StatusCompleted, portal.StatusWithdrawn, portal.StatusDraft}
	const batchSize = 2000
	var (
		batch    = make([]store.ImportCase, 0, batchSize)
		accounts = make([]portal.Account, 0, batchSize)
		// filer[i] is the index in accounts of batch[i]'s filing guardian, or -1.
		filer   = make([]int, 0, batchSize)
		nAccts  = len(lawyers)
		nDocs   int
		nMsgs   int
		lawyerN int
	)
	flush := func(done int) error {
		if len(batch) == 0 {
			return nil
		}
		// People first, so that each case links to its person's account as it
		// is written (and its filer's id is known).
		if len(accounts) > 0 {
			made, err := db.ImportAccounts(accounts)
			if err != nil {
				return err
			}
			for i, f := range filer {
				if f >= 0 {
					batch[i].Case.FiledBy = made[f].ID
				}
			}
			nAccts += len(made)
		}
		if _, err := db.ImportCasesWith(batch); err != nil {
			return err
		}
		batch, accounts, filer = batch[:0], accounts[:0], filer[:0]
		el := time.Since(start).Seconds()
		fmt.Fprintf(out, "\rseeded %d/%d cases, %d accounts, %d documents, %d messages (%.0f cases/s)", done, n, nAccts, nDocs, nMsgs, float64(done)/el)
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
		decider := deciders[rng.IntN(len(deciders))]
		if i <= 200 {
			decider = demoCourt // the demo people's cases are in the demo court's queue
		}
		c := portal.Case{
			Status:          statuses[i%len(statuses)],
			Capacity:        portal.CapacitySelf,
			PersonName:      fmt.Sprintf("示例人员%07d", i),
			PersonIDNumber:  uniqueID(birth),
			DecidingOrganID: decider,
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
		for range 2 {
			if o := all[rng.IntN(len(all))]; o != c.DecidingOrganID && !c.Holds(o) {
				c.HoldingOrganIDs = append(c.HoldingOrganIDs, o)
			}
		}
		// The person has an account for about one case in four: it is linked
		// to the case as it is written (drafts excepted, as in the portal).
		if i > 0 && rng.IntN(4) == 0 {
			accounts = append(accounts, newAccount(portal.RoleMinor, c.PersonName, birth))
			accounts[len(accounts)-1].IDNumber = c.PersonIDNumber
		}
		guardian := -1
		switch r := rng.IntN(40); {
		case i == 0:
			c.FiledBy, c.PersonName = minor.ID, minor.Name
			c.PersonIDNumber = minor.IDNumber
		case i <= 200:
			c.FiledBy, c.Capacity = lawyer.ID, portal.CapacityLawyer
		case r < 5: // one in eight: a guardian files
			guardian = len(accounts)
			accounts = append(accounts, newAccount(portal.RoleGuardian, fmt.Sprintf("示例监护人%07d", i), birth.AddDays(-365*28)))
			c.Capacity = portal.CapacityGuardian
			// Demo data: the organ has checked the guardianship proof (issue 11).
			c.GuardianshipVerified = c.Status != portal.StatusDraft
		case r < 13 && len(lawyers) > 0: // one in five: a lawyer
			c.FiledBy, c.Capacity = lawyers[lawyerN/sc.lawyerClients%len(lawyers)], portal.CapacityLawyer
			lawyerN++
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
		ic := store.ImportCase{Case: c}
		if !c.ExOfficio {
			// What an applicant uploads: the judgment (a tiny synthetic PNG
			// stands for the scan).
			ic.Documents = []store.ImportDocument{{Document: portal.Document{Kind: portal.DocJudgment, Name: "判决书.png",
				MediaType: portal.MediaPNG, UploadedBy: c.FiledBy, UploadedAt: c.CreatedAt}, Content: seedPNG}}
			nDocs++
		}
		if c.Status != portal.StatusDraft && rng.IntN(10) == 0 {
			ic.Messages = []portal.Message{
				{FromRole: portal.RoleCourt, OrganID: c.DecidingOrganID, Text: "请补充提交身份证明材料。/ Please add proof of identity.", At: c.CreatedAt.Add(2 * time.Hour)},
				{From: c.FiledBy, FromRole: citizenRoleOf(c.Capacity), Text: "已补充,谢谢。/ Added, thank you.", At: c.CreatedAt.Add(5 * time.Hour)},
			}
			nMsgs += 2
		}
		batch = append(batch, ic)
		filer = append(filer, guardian)
		if len(batch) == batchSize {
			if err := flush(i + 1); err != nil {
				return err
			}
		}
	}
	if err := flush(n); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nseeded %d cases, %d accounts, %d documents, %d messages in %s (synthetic accounts: mobile 170xxxxxxxx, password %s)\n",
		n, nAccts, nDocs, nMsgs, time.Since(start).Round(time.Millisecond), SyntheticPassword)
	return nil
}

// citizenRoleOf is the role of the account that files in capacity f.
func citizenRoleOf(f portal.FilerCapacity) portal.Role {
	switch f {
	case portal.CapacityGuardian:
		return portal.RoleGuardian
	case portal.CapacityLawyer:
		return portal.RoleLawyer
	}
	return portal.RoleMinor
}

// seedPNG is a small valid PNG (16×16, grey, about a hundred bytes), made by
// the standard encoder so that it passes the upload checks: the document of
// every synthetic case and the load test's upload.
var seedPNG = func() []byte {
	img := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = byte(0x80 + i%64)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

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
