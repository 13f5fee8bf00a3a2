package store

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"sealportal/portal"
)

// The case's compact binary form (issue 19): what a case page, a decision and
// every other read of a whole case decode, instead of encoding/json (19 % of
// the case page's CPU in the profile). Fields are written in a fixed order,
// each as codec.go's primitives; a plaintext starting with bodyBinaryV1 is
// this form, one starting with '{' the case's JSON of before, still read.
//
// Adding a field to portal.Case (or to a type it holds) means adding it here,
// at the end of its type's list, in both functions: TestCaseCodecCoversEveryField
// fills every field by reflection and fails when one does not come back.
// Changing the order or the meaning of what is here needs a new format byte.

func (c caseBody) appendBinary(b []byte) []byte {
	e := &enc{b: b}
	e.uint(c.ID)
	e.str(c.Ref)
	e.str(string(c.Status))
	e.bool(c.ExOfficio)
	e.uint(c.FiledBy)
	e.str(string(c.Capacity))
	e.str(c.PersonName)
	e.str(c.PersonIDNumber)
	e.date(c.CourtBirthDate)
	e.str(string(c.PersonDocType))
	e.str(c.PersonDocCountry)
	e.date(c.PersonDocBirth)
	e.uint(c.DecidingOrganID)
	e.str(c.OrganCaseNumber)
	e.str(string(c.Disposition))
	e.date(c.DecisionDate)
	e.count(len(c.Acts), c.Acts == nil)
	for _, a := range c.Acts {
		e.date(a.Date)
		e.bool(a.Main)
		e.str(string(a.Intent))
	}
	e.str(string(c.Intent))
	e.bool(c.Penalty != nil)
	if p := c.Penalty; p != nil {
		e.str(string(p.Kind))
		e.int(p.Months)
		e.int(p.Days)
		e.bool(p.Suspended)
		e.bool(p.Single)
	}
	e.count(len(c.HoldingOrganIDs), c.HoldingOrganIDs == nil)
	for _, o := range c.HoldingOrganIDs {
		e.uint(o)
	}
	e.strings(c.CoOffenderCases)
	e.count(len(c.Documents), c.Documents == nil)
	for _, d := range c.Documents {
		e.uint(d.ID)
		e.str(string(d.Kind))
		e.str(d.Name)
		e.str(d.MediaType)
		e.int(d.Size)
		e.uint(d.UploadedBy)
		e.time(d.UploadedAt)
	}
	e.bool(c.DeclaredTrue)
	e.bool(c.GuardianshipVerified)
	e.bool(c.SealingDuty)
	e.bool(c.GuardianEndNoticed)
	e.bool(c.HandedOverNoticed)
	e.count(len(c.Confirmations), c.Confirmations == nil)
	// In key order, so that equal cases have equal plaintexts.
	for _, o := range slices.Sorted(maps.Keys(c.Confirmations)) {
		e.uint(o)
		e.time(c.Confirmations[o])
	}
	e.date(c.Due)
	e.bool(c.DueAwaitsCalendar)
	e.date(c.DueFrom)
	e.str(c.DueDeadline)
	e.count(len(c.Events), c.Events == nil)
	for _, ev := range c.Events {
		e.time(ev.At)
		e.uint(ev.ActorID)
		e.str(string(ev.ActorRole))
		e.uint(ev.OrganID)
		e.str(string(ev.Action))
		e.str(string(ev.From))
		e.str(string(ev.To))
		e.strings(ev.Rules)
		e.str(ev.Note)
	}
	e.bool(c.Override != nil)
	if o := c.Override; o != nil {
		e.uint(o.ID)
		e.str(string(o.Action))
		e.str(string(o.Outcome))
		e.strings(o.Rules)
		e.str(o.Reasons)
		e.uint(o.ProposedBy)
		e.uint(o.OrganID)
		e.time(o.ProposedAt)
	}
	e.time(c.CreatedAt)
	e.time(c.SubmittedAt)
	e.time(c.UpdatedAt)
	// Issue 18: the holders' confirmations of an approved unsealing, in key order.
	e.count(len(c.UnsealConfirmations), c.UnsealConfirmations == nil)
	for _, o := range slices.Sorted(maps.Keys(c.UnsealConfirmations)) {
		e.uint(o)
		e.time(c.UnsealConfirmations[o])
	}
	return e.b
}

func (c *caseBody) decodeBinary(b []byte) error {
	d := newDec(b)
	var x caseBody
	x.ID = d.uint()
	x.Ref = d.str()
	x.Status = portal.CaseStatus(d.str())
	x.ExOfficio = d.bool()
	x.FiledBy = d.uint()
	x.Capacity = portal.FilerCapacity(d.str())
	x.PersonName = d.str()
	x.PersonIDNumber = d.str()
	x.CourtBirthDate = d.date()
	x.PersonDocType = portal.IDDocType(d.str())
	x.PersonDocCountry = d.str()
	x.PersonDocBirth = d.date()
	x.DecidingOrganID = d.uint()
	x.OrganCaseNumber = d.str()
	x.Disposition = portal.Disposition(d.str())
	x.DecisionDate = d.date()
	if n, isNil := d.count(5); !isNil {
		x.Acts = make([]portal.Act, n)
		for i := range x.Acts {
			x.Acts[i] = portal.Act{Date: d.date(), Main: d.bool(), Intent: portal.Intent(d.str())}
		}
	}
	x.Intent = portal.Intent(d.str())
	if d.bool() {
		x.Penalty = &portal.Penalty{Kind: portal.PenaltyKind(d.str()), Months: d.int(), Days: d.int(), Suspended: d.bool(), Single: d.bool()}
	}
	if n, isNil := d.count(1); !isNil {
		x.HoldingOrganIDs = make([]uint64, n)
		for i := range x.HoldingOrganIDs {
			x.HoldingOrganIDs[i] = d.uint()
		}
	}
	x.CoOffenderCases = d.strings()
	if n, isNil := d.count(7); !isNil {
		x.Documents = make([]portal.Document, n)
		for i := range x.Documents {
			x.Documents[i] = portal.Document{ID: d.uint(), Kind: portal.DocumentKind(d.str()), Name: d.str(), MediaType: d.str(),
				Size: d.int(), UploadedBy: d.uint(), UploadedAt: d.time()}
		}
	}
	x.DeclaredTrue = d.bool()
	x.GuardianshipVerified = d.bool()
	x.SealingDuty = d.bool()
	x.GuardianEndNoticed = d.bool()
	x.HandedOverNoticed = d.bool()
	if n, isNil := d.count(2); !isNil {
		x.Confirmations = make(map[uint64]time.Time, min(n, 64))
		for range n {
			o := d.uint()
			x.Confirmations[o] = d.time()
		}
	}
	x.Due = d.date()
	x.DueAwaitsCalendar = d.bool()
	x.DueFrom = d.date()
	x.DueDeadline = d.str()
	if n, isNil := d.count(9); !isNil {
		x.Events = make([]portal.CaseEvent, n)
		for i := range x.Events {
			x.Events[i] = portal.CaseEvent{At: d.time(), ActorID: d.uint(), ActorRole: portal.Role(d.str()), OrganID: d.uint(),
				Action: portal.CaseAction(d.str()), From: portal.CaseStatus(d.str()), To: portal.CaseStatus(d.str()),
				Rules: d.strings(), Note: d.str()}
			if d.err != nil {
				break
			}
		}
	}
	if d.bool() {
		x.Override = &portal.Override{ID: d.uint(), Action: portal.CaseAction(d.str()), Outcome: portal.Outcome(d.str()),
			Rules: d.strings(), Reasons: d.str(), ProposedBy: d.uint(), OrganID: d.uint(), ProposedAt: d.time()}
	}
	x.CreatedAt = d.time()
	x.SubmittedAt = d.time()
	x.UpdatedAt = d.time()
	if n, isNil := d.count(2); !isNil {
		x.UnsealConfirmations = make(map[uint64]time.Time, min(n, 64))
		for range n {
			o := d.uint()
			x.UnsealConfirmations[o] = d.time()
		}
	}
	if err := d.end(); err != nil {
		return err
	}
	*c = x
	return nil
}

// The summary's binary form (issue 19): a lawyer's desk decodes 50 of them a
// page. Same rules as the case's: append new fields at the end, in both
// functions (TestSummaryCodecCoversEveryField).

func (s caseSummary) appendBinary(b []byte) []byte {
	e := &enc{b: b}
	e.str(s.Ref)
	e.str(string(s.Status))
	e.date(s.Due)
	e.uint(s.Decider)
	e.int(s.Holders)
	e.int(s.Pending)
	e.str(s.PersonName)
	e.str(s.OrganCaseNo)
	e.bool(s.AwaitsCalendar)
	return e.b
}

func (s *caseSummary) decodeBinary(b []byte) error {
	d := newDec(b)
	x := caseSummary{Ref: d.str(), Status: portal.CaseStatus(d.str()), Due: d.date(), Decider: d.uint(), Holders: d.int(),
		Pending: d.int(), PersonName: d.str(), OrganCaseNo: d.str(), AwaitsCalendar: d.bool()}
	if err := d.end(); err != nil {
		return err
	}
	*s = x
	return nil
}

// openSummary decrypts and decodes a case's summary record: the binary form,
// or the JSON written before it.
func (db *DB) openSummary(id uint64, raw []byte) (caseSummary, error) {
	var s caseSummary
	body, err := db.crypt.open(kindCaseSummary, id, "summary", raw)
	if err != nil {
		return s, err
	}
	if len(body) > 0 && body[0] == bodyBinaryV1 {
		err = s.decodeBinary(body[1:])
	} else {
		err = json.Unmarshal(body, &s)
	}
	clear(body)
	if err != nil {
		return caseSummary{}, fmt.Errorf("store: decode case summary %d: %w", id, err)
	}
	return s, nil
}
