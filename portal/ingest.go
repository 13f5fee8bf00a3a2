package portal

import (
	"slices"
)

// Bulk records from organs' own systems (issue 17): an organ's case
// management system sends its records, one per line, and the portal decides
// each by the rules (R1–R10, R27, R28) and opens the ex officio case the law
// requires (R11) without anyone applying.

// IngestPerson is the person a record is about, as the organ recorded him.
// BirthDate is the birth date the court found (R30); DocCountry is the
// issuing state of a passport (R31).
type IngestPerson struct {
	Name       string
	DocType    IDDocType
	IDNumber   string
	DocCountry string
	BirthDate  Date
}

// IngestRecord is one decoded line: the organ's own record id, the person,
// the facts in the vocabulary of the eligibility API, and the organs holding
// parts of the record (R7, R12; the sending organ always holds its own).
type IngestRecord struct {
	RecordID    string
	Person      IngestPerson
	Facts       EligibilityFacts
	DecidedOn   Date
	EffectiveOn Date
	Holders     []uint64
}

// MaxRecordIDRunes bounds an organ's record id.
const MaxRecordIDRunes = 64

// IntentOf is the case's intent as the main acts state it (R32): intentional
// when any main act is, negligent when every main act stated is, otherwise
// unknown.
func (r IngestRecord) IntentOf() Intent {
	var seen []Intent
	for _, a := range r.Facts.Acts {
		if a.Main && a.Intent != "" {
			seen = append(seen, a.Intent)
		}
	}
	switch {
	case slices.Contains(seen, IntentIntentional):
		return IntentIntentional
	case len(seen) > 0:
		return IntentNegligent
	}
	return IntentUnknown
}

// Case is the ex officio case the record becomes at the deciding organ:
// the record id is its organ case number.
func (r IngestRecord) Case(organ uint64) Case {
	c := Case{
		PersonName:      r.Person.Name,
		PersonIDNumber:  r.Person.IDNumber,
		CourtBirthDate:  r.Person.BirthDate,
		DecidingOrganID: organ,
		OrganCaseNumber: r.RecordID,
		Disposition:     r.Facts.Disposition,
		DecisionDate:    r.DecidedOn,
		Acts:            slices.Clone(r.Facts.Acts),
		Intent:          r.IntentOf(),
		Penalty:         r.Facts.Penalty,
	}
	if r.Person.DocType != DocResidentID {
		c.PersonDocType, c.PersonDocCountry = r.Person.DocType, r.Person.DocCountry
	}
	if doc, err := c.PersonDocument(); err == nil {
		c.PersonIDNumber, c.PersonDocCountry = doc.Number, doc.Country
	}
	c.HoldingOrganIDs = []uint64{organ}
	for _, h := range r.Holders {
		if !slices.Contains(c.HoldingOrganIDs, h) {
			c.HoldingOrganIDs = append(c.HoldingOrganIDs, h)
		}
	}
	return c
}

// IngestState is where a job is.
type IngestState string

const (
	IngestQueued  IngestState = "queued"
	IngestRunning IngestState = "running"
	IngestDone    IngestState = "done"
)

// IngestCounts are a job's numbers; a line is counted only once its batch
// is committed.
type IngestCounts struct {
	Received    int `json:"received"`
	Sealed      int `json:"sealed"`
	Review      int `json:"review"`
	NotEligible int `json:"not_eligible"`
	NotYet      int `json:"not_yet"`
	Rejected    int `json:"rejected"`
	Duplicates  int `json:"duplicates"`
	Updated     int `json:"updated"`
}

// IngestLineError is a rejected line: its number, the field at fault and the
// message key (translated when read). No value of the line is kept.
type IngestLineError struct {
	Line  int    `json:"line"`
	Field string `json:"field"`
	Key   string `json:"key"`
}

// Audit actions of organs' machine credentials and bulk records.
const (
	AuditAPIClientCreated AuditAction = "api_client_created"
	AuditAPIClientRotated AuditAction = "api_client_rotated"
	AuditAPIClientRevoked AuditAction = "api_client_revoked"
	AuditAPIClientUsed    AuditAction = "api_client_used" // Detail is the operation
	AuditIngestJob        AuditAction = "ingest_job"      // Detail: received | done
	// AuditIngestDecided is each record's decision; Detail is
	// "outcome:rules" (e.g. "seal:R1,R2"), the subject the case when one
	// was opened or changed, else the job.
	AuditIngestDecided AuditAction = "ingest_decided"
	AuditIngestUpdated AuditAction = "ingest_updated"
)
