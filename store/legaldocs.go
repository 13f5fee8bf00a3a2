package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strconv"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Written legal documents (issue 18): every decision of an organ is issued as
// a numbered document in its name, archived sealed and never changed; the
// services of each document (how, when, on whom) and the explanations of
// rights on a case (R13) are kept beside it.
//
//	legal_documents            itob(id) -> {body: encrypted JSON of portal.LegalDocument}   (written once, never updated)
//	legal_documents_by_case    itob(case id) | itob(document id) -> ""
//	legal_documents_by_query   itob(query id) | itob(document id) -> ""
//	legal_doc_numbers          itob(organ id) | year (4 bytes) | number word -> itob(last sequence)
//	legal_services             itob(document id) -> {body: encrypted JSON list of portal.Service}
//	rights_explanations        itob(case id) -> {body: encrypted JSON list of portal.RightsExplanation}   (R13)
//	service_contacts           itob(case id) -> {body: encrypted JSON of ServiceContacts}

var (
	bucketLegalDocs        = []byte("legal_documents")
	bucketLegalDocsByCase  = []byte("legal_documents_by_case")
	bucketLegalDocsByQuery = []byte("legal_documents_by_query")
	bucketLegalDocNumbers  = []byte("legal_doc_numbers")
	bucketLegalServices    = []byte("legal_services")
	bucketRightsExplained  = []byte("rights_explanations")
	bucketServiceContacts  = []byte("service_contacts")
)

const (
	kindLegalDoc           = "legal_document"
	kindLegalService       = "legal_service"
	kindRightsExplained    = "rights_explanation"
	kindServiceContacts    = "service_contacts"
	migrationLegalDocsName = "written legal documents: documents, their indexes by case and query, numbers per organ and year, services, explanations of rights, addresses for service"
)

func legalDocBuckets() [][]byte {
	return [][]byte{bucketLegalDocs, bucketLegalDocsByCase, bucketLegalDocsByQuery, bucketLegalDocNumbers,
		bucketLegalServices, bucketRightsExplained, bucketServiceContacts}
}

func migrateLegalDocs(tx kv.Tx) error {
	for _, b := range legalDocBuckets() {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// DocIssue is what the official chose for a decision's document: the
// citations of law and, where the decision needs them, the reasons.
type DocIssue struct {
	Kind      portal.LegalDocKind
	Citations []string
	Reasons   string
}

// ServiceContacts are where the person and the guardian are served when the
// person has no account (an ex officio case): addresses, the guardian's name.
// Personal data: sealed like the case.
type ServiceContacts struct {
	Address         string `json:"address,omitempty"`
	GuardianName    string `json:"guardian_name,omitempty"`
	GuardianAddress string `json:"guardian_address,omitempty"`
}

// MaxContactRunes bounds each contact field.
const MaxContactRunes = 200

// docNumberKey is the key of an organ's sequence of a word in a year.
func docNumberKey(organ uint64, year int, word string) []byte {
	k := make([]byte, 0, 12+len(word))
	k = append(k, itob(organ)...)
	k = binary.BigEndian.AppendUint32(k, uint32(year)) // #nosec G115 -- a calendar year
	return append(k, word...)
}

// legalNextDocNumber gives the next number of an organ's kind of document in a
// year, under the store's one writer, so two decisions never share one.
func legalNextDocNumber(tx kv.Tx, o portal.Organ, year int, k portal.LegalDocKind) (string, error) {
	b := tx.Bucket(bucketLegalDocNumbers)
	key := docNumberKey(o.ID, year, k.NumberWord())
	var n uint64
	if v := b.Get(key); len(v) == 8 {
		n = btoi(v)
	}
	n++
	if err := b.Put(key, itob(n)); err != nil {
		return "", err
	}
	return portal.LegalDocNumber(o, year, k, n), nil
}

func (db *DB) legalOrganTx(tx kv.Tx, id uint64) (portal.Organ, error) {
	v := tx.Bucket(bucketOrgans).Get(itob(id))
	if v == nil {
		return portal.Organ{}, portal.NotFound()
	}
	var r organRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return portal.Organ{}, err
	}
	return portal.Organ{ID: id, Kind: r.Kind, Name: r.Name}, nil
}

// legalPersonLangs are the languages of the person's side: the person's account,
// else the filer's when the filer is the person or the guardian (a lawyer's
// language is not the person's).
func (db *DB) legalPersonLangs(tx kv.Tx, c portal.Case) ([]string, error) {
	rel := map[uint64]Relation{}
	if err := caseAccounts(tx, c.ID, rel); err != nil {
		return nil, err
	}
	var langs []string
	for id, r := range rel {
		if r != RelPerson && !(r == RelFiler && c.Capacity != portal.CapacityLawyer) {
			continue
		}
		a, err := db.getAccount(tx, id)
		if err != nil {
			if portal.ErrorCode(err) == portal.CodeNotFound {
				continue
			}
			return nil, err
		}
		if a.Lang != "" && !slices.Contains(langs, a.Lang) {
			langs = append(langs, a.Lang)
		}
	}
	slices.Sort(langs)
	return langs, nil
}

// legalCaseDocFacts gathers what a case's document is composed from.
func (db *DB) legalCaseDocFacts(tx kv.Tx, c portal.Case, organ portal.Organ, issue DocIssue) (portal.LegalDocFacts, error) {
	f := portal.LegalDocFacts{Kind: issue.Kind, Organ: organ, Date: portal.DateOf(db.now()), Citations: issue.Citations,
		Reasons: issue.Reasons, CaseRef: c.Ref, OrganCaseNumber: c.OrganCaseNumber, PersonName: c.PersonName}
	langs, err := db.legalPersonLangs(tx, c)
	if err != nil {
		return f, err
	}
	f.Langs = langs
	contacts, err := db.legalServiceContactsTx(tx, c.ID)
	if err != nil {
		return f, err
	}
	if c.Capacity == portal.CapacityGuardian && c.FiledBy != 0 {
		f.HasGuardian = true
		if a, err := db.getAccount(tx, c.FiledBy); err == nil {
			f.Guardian = a.Name
		}
	}
	if contacts.GuardianName != "" {
		f.HasGuardian, f.Guardian = true, contacts.GuardianName
	}
	if !f.HasGuardian {
		// R13: the guardian is told too while the person is a minor.
		if birth, ok := c.PersonBirthDate(); ok && portal.Under18On(birth, f.Date) {
			f.HasGuardian = true
		}
	}
	for _, h := range c.HoldingOrganIDs {
		if h == organ.ID {
			continue // the issuing organ holds its own copy
		}
		o, err := db.legalOrganTx(tx, h)
		if err != nil {
			return f, err
		}
		f.Holders = append(f.Holders, portal.Recipient{Kind: portal.RecipientOrgan, OrganID: o.ID, Name: o.Name})
	}
	return f, nil
}

// legalIssueTx numbers, composes and archives a document, indexes it under its
// case or query, records the portal's own delivery to organs and units, and
// writes the audit entry; all in the caller's transaction.
func (db *DB) legalIssueTx(tx kv.Tx, f portal.LegalDocFacts, caseID, queryID uint64, st Step) (portal.LegalDocument, error) {
	num, err := legalNextDocNumber(tx, f.Organ, f.Date.Year, f.Kind)
	if err != nil {
		return portal.LegalDocument{}, err
	}
	f.Number = num
	d, err := portal.ComposeLegalDocument(f)
	if err != nil {
		return d, err
	}
	id, err := tx.Bucket(bucketLegalDocs).NextSequence()
	if err != nil {
		return d, err
	}
	idx, owner := bucketLegalDocsByCase, caseID
	if caseID == 0 {
		idx, owner = bucketLegalDocsByQuery, queryID
	}
	d.N = legalCountPrefix(tx.Bucket(idx), itob(owner)) + 1
	d.ID, d.CaseID, d.QueryID, d.IssuedBy, d.IssuedAt = id, caseID, queryID, st.AccountID, db.now().UTC()
	raw, err := db.crypt.sealJSON(kindLegalDoc, id, "body", d)
	if err != nil {
		return d, err
	}
	if err := tx.Bucket(bucketLegalDocs).Put(itob(id), raw); err != nil {
		return d, err
	}
	if err := tx.Bucket(idx).Put(append(itob(owner), itob(id)...), nil); err != nil {
		return d, err
	}
	// Organs and units receive the document in the portal at once: that
	// delivery is a service the portal itself records.
	var auto []portal.Service
	for i, r := range d.Recipients {
		if r.Kind == portal.RecipientOrgan || r.Kind == portal.RecipientUnit {
			auto = append(auto, portal.Service{Recipient: i, Method: portal.ServePortal, On: d.Date, By: st.AccountID,
				OrganID: st.OrganID, RecordedAt: d.IssuedAt})
		}
	}
	if len(auto) > 0 {
		if err := db.legalPutServices(tx, id, auto); err != nil {
			return d, err
		}
	}
	subject, sid := kindCase, caseID
	if caseID == 0 {
		subject, sid = "query", queryID
	}
	return d, db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLegalDocIssued, ActorID: st.AccountID, ActorRole: st.Role,
		SubjectKind: subject, SubjectID: sid, Detail: string(f.Kind) + ":" + strconv.FormatUint(id, 10), RequestID: st.RequestID})
}

func legalCountPrefix(b kv.Bucket, prefix []byte) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n
}

// ApplyWithDocument takes a deciding step of the procedure and issues its
// document in the same transaction: a decision is never recorded without its
// document, nor a document without its decision.
func (db *DB) ApplyWithDocument(caseID uint64, st Step, cal *portal.Calendar, issue DocIssue) (portal.Case, portal.LegalDocument, error) {
	var c portal.Case
	var d portal.LegalDocument
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		organ, err := db.legalOrganTx(tx, st.OrganID)
		if err != nil {
			return err
		}
		// The document's own checks first, so that a missing citation is
		// reported on the form before anything changes.
		probe := portal.LegalDocFacts{Kind: issue.Kind, Citations: issue.Citations, Reasons: issue.Reasons}
		if err := probe.Validate(); err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		c, err = db.applyStep(tx, old, st, cal, today)
		if err != nil {
			return err
		}
		f, err := db.legalCaseDocFacts(tx, c, organ, issue)
		if err != nil {
			return err
		}
		d, err = db.legalIssueTx(tx, f, c.ID, 0, st)
		return err
	})
	return c, d, err
}

// IssueCaseDocument issues a document on a case whose decision another store
// call already recorded (an unsealing, decided by the rules or the
// supervisor). It is idempotent per decision: once a document of the kind
// was issued after the case's last event, it returns that one.
func (db *DB) IssueCaseDocument(caseID uint64, st Step, issue DocIssue) (portal.LegalDocument, error) {
	var d portal.LegalDocument
	err := db.update(func(tx kv.Tx) error {
		c, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if len(c.Events) > 0 {
			last := c.Events[len(c.Events)-1].At
			docs, err := db.legalDocsOfTx(tx, bucketLegalDocsByCase, caseID)
			if err != nil {
				return err
			}
			for _, x := range docs {
				if x.Kind == issue.Kind && !x.IssuedAt.Before(last) {
					d = x
					return nil
				}
			}
		}
		organ, err := db.legalOrganTx(tx, st.OrganID)
		if err != nil {
			return err
		}
		f, err := db.legalCaseDocFacts(tx, c, organ, issue)
		if err != nil {
			return err
		}
		d, err = db.legalIssueTx(tx, f, c.ID, 0, st)
		return err
	})
	return d, err
}

// IssueQueryDocument issues the decision letter of a decided query to the
// querying unit (R16), once per decision.
func (db *DB) IssueQueryDocument(queryID uint64, st Step, citations []string) (portal.LegalDocument, error) {
	var d portal.LegalDocument
	err := db.update(func(tx kv.Tx) error {
		q, err := db.getQuery(tx, queryID)
		if err != nil {
			return err
		}
		if q.Status == portal.QuerySubmitted || q.DecidedAt.IsZero() || q.OrganID != st.OrganID {
			return portal.NotFound()
		}
		docs, err := db.legalDocsOfTx(tx, bucketLegalDocsByQuery, queryID)
		if err != nil {
			return err
		}
		for _, x := range docs {
			if !x.IssuedAt.Before(q.DecidedAt) {
				d = x
				return nil
			}
		}
		organ, err := db.legalOrganTx(tx, st.OrganID)
		if err != nil {
			return err
		}
		f := portal.LegalDocFacts{Kind: portal.DocQueryDecision, Organ: organ, Date: portal.DateOf(db.now()), Citations: citations,
			QueryRef: q.Ref, UnitName: q.UnitName, Approved: q.Status != portal.QueryRefused,
			WindowFrom: q.WindowFrom, WindowTo: q.WindowTo, Reasons: q.RefusalReason}
		d, err = db.legalIssueTx(tx, f, 0, queryID, st)
		return err
	})
	return d, err
}

func (db *DB) getLegalDoc(tx kv.Tx, id uint64) (portal.LegalDocument, error) {
	raw := tx.Bucket(bucketLegalDocs).Get(itob(id))
	if raw == nil {
		return portal.LegalDocument{}, portal.NotFound()
	}
	var d portal.LegalDocument
	err := db.crypt.openJSON(kindLegalDoc, id, "body", raw, &d)
	return d, err
}

func (db *DB) legalDocsOfTx(tx kv.Tx, idx []byte, owner uint64) ([]portal.LegalDocument, error) {
	b := tx.Bucket(idx)
	if b == nil {
		return nil, nil
	}
	var out []portal.LegalDocument
	prefix := itob(owner)
	cur := b.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		d, err := db.getLegalDoc(tx, btoi(k[8:]))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// LegalDocumentsOfCase lists a case's documents in issue order.
func (db *DB) LegalDocumentsOfCase(caseID uint64) ([]portal.LegalDocument, error) {
	var out []portal.LegalDocument
	err := db.view(func(tx kv.Tx) error {
		var err error
		out, err = db.legalDocsOfTx(tx, bucketLegalDocsByCase, caseID)
		return err
	})
	return out, err
}

// LegalDocumentsOfQuery lists a query's decision letters.
func (db *DB) LegalDocumentsOfQuery(queryID uint64) ([]portal.LegalDocument, error) {
	var out []portal.LegalDocument
	err := db.view(func(tx kv.Tx) error {
		var err error
		out, err = db.legalDocsOfTx(tx, bucketLegalDocsByQuery, queryID)
		return err
	})
	return out, err
}

// LegalDocRead says who reads an archived document and why: a staff read is
// written to the audit log in the transaction that reads it (R17).
type LegalDocRead struct {
	Reader    portal.Account
	Purpose   string // the staff console's purpose, e.g. case_duty
	RequestID string
}

// LegalDocument returns the n-th document of a case (queryID 0) or of a
// query (caseID 0) with its services. A staff reader's read is audited.
func (db *DB) LegalDocument(caseID, queryID uint64, n int, rd LegalDocRead) (portal.LegalDocument, []portal.Service, error) {
	var d portal.LegalDocument
	var svc []portal.Service
	err := db.update(func(tx kv.Tx) error {
		idx, owner, subject := bucketLegalDocsByCase, caseID, kindCase
		if caseID == 0 {
			idx, owner, subject = bucketLegalDocsByQuery, queryID, "query"
		}
		docs, err := db.legalDocsOfTx(tx, idx, owner)
		if err != nil {
			return err
		}
		if owner == 0 || n < 1 || n > len(docs) {
			return portal.NotFound()
		}
		d = docs[n-1]
		if rd.Reader.Role.IsStaff() {
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditDocumentRead, ActorID: rd.Reader.ID, ActorRole: rd.Reader.Role,
				SubjectKind: subject, SubjectID: owner, Detail: rd.Purpose + ":legaldoc:" + strconv.FormatUint(d.ID, 10), RequestID: rd.RequestID}); err != nil {
				return err
			}
		}
		svc, err = db.legalServicesTx(tx, d.ID)
		return err
	})
	return d, svc, err
}

func (db *DB) legalServicesTx(tx kv.Tx, docID uint64) ([]portal.Service, error) {
	raw := tx.Bucket(bucketLegalServices).Get(itob(docID))
	if raw == nil {
		return nil, nil
	}
	var out []portal.Service
	err := db.crypt.openJSON(kindLegalService, docID, "body", raw, &out)
	return out, err
}

func (db *DB) legalPutServices(tx kv.Tx, docID uint64, add []portal.Service) error {
	old, err := db.legalServicesTx(tx, docID)
	if err != nil {
		return err
	}
	raw, err := db.crypt.sealJSON(kindLegalService, docID, "body", append(old, add...))
	if err != nil {
		return err
	}
	return tx.Bucket(bucketLegalServices).Put(itob(docID), raw)
}

// ServicesOfCase returns the services of every document of a case, by
// document id.
func (db *DB) ServicesOfCase(caseID uint64) (map[uint64][]portal.Service, error) {
	out := map[uint64][]portal.Service{}
	err := db.view(func(tx kv.Tx) error {
		prefix := itob(caseID)
		cur := tx.Bucket(bucketLegalDocsByCase).Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			s, err := db.legalServicesTx(tx, btoi(k[8:]))
			if err != nil {
				return err
			}
			out[btoi(k[8:])] = s
		}
		return nil
	})
	return out, err
}

// RecordService records that the n-th document of a case was served on one of
// its recipients (issue 18). Only the issuing organ records services.
func (db *DB) RecordService(caseID uint64, n int, s portal.Service, st Step) error {
	return db.update(func(tx kv.Tx) error {
		docs, err := db.legalDocsOfTx(tx, bucketLegalDocsByCase, caseID)
		if err != nil {
			return err
		}
		if n < 1 || n > len(docs) {
			return portal.NotFound()
		}
		d := docs[n-1]
		if d.OrganID != st.OrganID {
			return portal.Forbidden("legaldoc.not_issuer")
		}
		s.By, s.OrganID, s.RecordedAt = st.AccountID, st.OrganID, db.now().UTC()
		if err := portal.ValidateService(d, s, portal.DateOf(db.now())); err != nil {
			return err
		}
		if err := db.legalPutServices(tx, d.ID, []portal.Service{s}); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditLegalDocServed, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: string(s.Method) + ":" + strconv.FormatUint(d.ID, 10), RequestID: st.RequestID})
	})
}

// RecordRightsExplanation records that the person and the guardian were told
// about sealing and their rights and duties (R13); part of the case.
func (db *DB) RecordRightsExplanation(caseID uint64, e portal.RightsExplanation, st Step) error {
	return db.update(func(tx kv.Tx) error {
		if _, err := db.getCase(tx, caseID); err != nil {
			return err
		}
		e.By, e.OrganID, e.RecordedAt = st.AccountID, st.OrganID, db.now().UTC()
		if err := e.Validate(portal.DateOf(db.now())); err != nil {
			return err
		}
		old, err := db.legalExplanationsTx(tx, caseID)
		if err != nil {
			return err
		}
		raw, err := db.crypt.sealJSON(kindRightsExplained, caseID, "body", append(old, e))
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketRightsExplained).Put(itob(caseID), raw); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditRightsExplained, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: "R13:" + string(e.Method), RequestID: st.RequestID})
	})
}

func (db *DB) legalExplanationsTx(tx kv.Tx, caseID uint64) ([]portal.RightsExplanation, error) {
	raw := tx.Bucket(bucketRightsExplained).Get(itob(caseID))
	if raw == nil {
		return nil, nil
	}
	var out []portal.RightsExplanation
	err := db.crypt.openJSON(kindRightsExplained, caseID, "body", raw, &out)
	return out, err
}

// RightsExplanations lists a case's explanations of rights (R13).
func (db *DB) RightsExplanations(caseID uint64) ([]portal.RightsExplanation, error) {
	var out []portal.RightsExplanation
	err := db.view(func(tx kv.Tx) error {
		var err error
		out, err = db.legalExplanationsTx(tx, caseID)
		return err
	})
	return out, err
}

func (db *DB) legalServiceContactsTx(tx kv.Tx, caseID uint64) (ServiceContacts, error) {
	var sc ServiceContacts
	raw := tx.Bucket(bucketServiceContacts).Get(itob(caseID))
	if raw == nil {
		return sc, nil
	}
	err := db.crypt.openJSON(kindServiceContacts, caseID, "body", raw, &sc)
	return sc, err
}

// ServiceContacts returns the addresses for service of a case.
func (db *DB) ServiceContacts(caseID uint64) (ServiceContacts, error) {
	var sc ServiceContacts
	err := db.view(func(tx kv.Tx) error {
		var err error
		sc, err = db.legalServiceContactsTx(tx, caseID)
		return err
	})
	return sc, err
}

// SetServiceContacts records the addresses for service of a case.
func (db *DB) SetServiceContacts(caseID uint64, sc ServiceContacts, st Step) error {
	return db.update(func(tx kv.Tx) error {
		if _, err := db.getCase(tx, caseID); err != nil {
			return err
		}
		raw, err := db.crypt.sealJSON(kindServiceContacts, caseID, "body", sc)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketServiceContacts).Put(itob(caseID), raw); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditContactChanged, ActorID: st.AccountID, ActorRole: st.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: "service_contacts", RequestID: st.RequestID})
	})
}
