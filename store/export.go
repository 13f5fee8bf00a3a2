package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The person's own data: everything the portal holds about one account, read
// in one transaction so that the copy is consistent (a message and the case
// it belongs to come from the same moment). What each part shows is decided
// in portal/export.go by the same visibility as the citizen's own pages; this
// file only gathers it through the account's indexes, never a scan of a
// whole entity bucket.

// ExportAccount returns everything the portal holds about the account,
// including the contents of the documents it uploaded, up to
// portal.ExportContentCap (the downloadable file).
func (db *DB) ExportAccount(id uint64) (portal.AccountExport, error) {
	return db.exportAccount(id, true)
}

// ExportAccountSummary is ExportAccount without document contents (the page,
// which links to each document instead).
func (db *DB) ExportAccountSummary(id uint64) (portal.AccountExport, error) {
	return db.exportAccount(id, false)
}

// exportDoc is a document the account uploaded, to read its bytes from.
type exportDoc struct {
	where    string
	parent   uint64
	document portal.Document
}

func (db *DB) exportAccount(id uint64, contents bool) (portal.AccountExport, error) {
	var exp portal.AccountExport
	var loads []exportLoad
	err := db.view(func(tx kv.Tx) error {
		a, err := db.getAccount(tx, id)
		if err != nil {
			return err
		}
		exp = portal.AccountExport{Version: portal.ExportVersion, GeneratedAt: db.now().UTC(), Scope: portal.ExportScopeStaff}
		events, err := db.auditBySubjectTx(tx, kindAccount, id)
		if err != nil {
			return err
		}
		var lastLogin time.Time
		exp.Activity = []portal.ExportedActivity{}
		for i := len(events) - 1; i >= 0; i-- {
			ev := events[i]
			if ev.Action == portal.AuditLogin && lastLogin.IsZero() {
				lastLogin = ev.At
			}
			exp.Activity = append(exp.Activity, portal.ExportActivityOf(ev, id))
		}
		exp.Account = portal.ExportAccountOf(a, lastLogin)
		if exp.Sessions, err = exportSessions(tx, id); err != nil {
			return err
		}
		if !a.Role.IsCitizen() {
			// Staff: the cases they work are not data about them.
			return nil
		}
		exp.Scope = portal.ExportScopeCitizen
		rec, l, err := db.exportCitizen(tx, id, contents)
		exp.Citizen, loads = rec, l
		return err
	})
	// The documents' bytes are fetched after the transaction: the object
	// store may be remote (documents.go).
	for _, l := range loads {
		if err != nil {
			break
		}
		exp.Citizen.Documents[l.at].Content, err = db.loadDocument(l.src)
	}
	if err != nil {
		return portal.AccountExport{}, fmt.Errorf("store: export account %d: %w", id, err)
	}
	return exp, nil
}

// exportSessions lists the account's sessions, most recently used first,
// without their ids.
func exportSessions(tx kv.Tx, account uint64) ([]portal.ExportedSession, error) {
	out := []portal.ExportedSession{}
	prefix := itob(account)
	sessions := tx.Bucket(bucketSessions)
	cur := tx.Bucket(bucketSessionsByAcct).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		raw := sessions.Get(k[8:])
		if raw == nil {
			continue
		}
		var r sessionRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("decode session: %w", err)
		}
		out = append(out, portal.ExportedSession{CreatedAt: unixNano(r.CreatedAt), LastSeen: unixNano(r.LastSeen)})
	}
	slices.SortFunc(out, func(a, b portal.ExportedSession) int { return b.LastSeen.Compare(a.LastSeen) })
	return out, nil
}

// auditBySubjectTx is AuditBySubject inside an open transaction.
func (db *DB) auditBySubjectTx(tx kv.Tx, kind string, id uint64) ([]portal.AuditEvent, error) {
	var out []portal.AuditEvent
	idx := tx.Bucket(bucketAuditBySubject)
	if idx == nil {
		return nil, nil
	}
	prefix := auditSubjectKey(kind, id, 0)[:len(kind)+9]
	entries := tx.Bucket(bucketAuditEntries)
	cur := idx.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		raw := entries.Get(k[len(prefix):])
		if raw == nil {
			continue
		}
		var r auditRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("decode audit entry: %w", err)
		}
		out = append(out, r.event())
	}
	return out, nil
}

// exportLookups caches what several records name: organs, the accounts of
// readers (for their organ's or unit's name), queries.
type exportLookups struct {
	db      *DB
	tx      kv.Tx
	organs  map[uint64]string
	readers map[uint64]string
	queries map[uint64]portal.Query
}

// organ is an organ's public name, "" for none or one that no longer exists.
func (l *exportLookups) organ(id uint64) string {
	if id == 0 {
		return ""
	}
	if n, ok := l.organs[id]; ok {
		return n
	}
	var r organRecord
	if v := l.tx.Bucket(bucketOrgans).Get(itob(id)); v != nil {
		_ = json.Unmarshal(v, &r) // a broken organ row shows no name rather than failing the export
	}
	l.organs[id] = r.Name
	return r.Name
}

// reader is the organ or unit of the account that read a record, never the
// official's own name (R22).
func (l *exportLookups) reader(id uint64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if n, ok := l.readers[id]; ok {
		return n, nil
	}
	a, err := l.db.getAccount(l.tx, id)
	if err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
		return "", err
	}
	l.readers[id] = a.Organ
	return a.Organ, nil
}

func (l *exportLookups) query(id uint64) (portal.Query, error) {
	if q, ok := l.queries[id]; ok {
		return q, nil
	}
	q, err := l.db.getQuery(l.tx, id)
	if err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
		return q, err
	}
	l.queries[id] = q
	return q, nil
}

// exportCitizen gathers a citizen's records: cases, relief requests, leak
// reports, certificates, notifications, the accesses to his sealed records
// and the documents he uploaded.
func (db *DB) exportCitizen(tx kv.Tx, id uint64, contents bool) (*portal.CitizenRecords, []exportLoad, error) {
	var loads []exportLoad
	rec := &portal.CitizenRecords{Cases: []portal.ExportedCase{}, Documents: []portal.ExportedDocument{},
		Notifications: []portal.ExportedNotification{}, Relief: []portal.ExportedRelief{}, Leaks: []portal.ExportedLeak{},
		Certificates: []portal.ExportedCertificate{}, AccessLog: []portal.ExportedAccess{},
		DocumentContents: portal.ExportedContents{CapBytes: portal.ExportContentCap}}
	look := &exportLookups{db: db, tx: tx, organs: map[uint64]string{}, readers: map[uint64]string{}, queries: map[uint64]portal.Query{}}
	var uploaded []exportDoc

	// Cases, through the account's index.
	prefix := itob(id)
	cur := tx.Bucket(bucketCasesByAccount).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		c, err := db.getCase(tx, btoi(k[8:]))
		if err != nil {
			return nil, nil, err
		}
		msgs, err := db.caseMessagesTx(tx, c.ID)
		if err != nil {
			return nil, nil, err
		}
		rec.Cases = append(rec.Cases, portal.ExportCase(c, Relation(v) == RelFiler, id, msgs, look.organ))
		for _, d := range c.Documents {
			if d.UploadedBy == id {
				uploaded = append(uploaded, exportDoc{where: portal.ExportInCase, parent: c.ID, document: d})
			}
		}
		if c.Status == portal.StatusDraft {
			continue // a draft was never shown to anyone
		}
		evs, err := db.auditBySubjectTx(tx, kindCase, c.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, ev := range evs {
			if !portal.IsAccess(ev) {
				continue
			}
			who, err := look.reader(ev.ActorID)
			if err != nil {
				return nil, nil, err
			}
			var q portal.Query
			if qid, _, _, ok := portal.ParseQueryAuditDetail(ev.Detail); ok {
				if q, err = look.query(qid); err != nil {
					return nil, nil, err
				}
			}
			rec.AccessLog = append(rec.AccessLog, portal.ExportAccess(ev, c.Ref, who, q))
		}
	}
	slices.SortStableFunc(rec.AccessLog, func(a, b portal.ExportedAccess) int { return b.At.Compare(a.At) })

	// Relief requests he filed.
	cur = tx.Bucket(bucketReliefByAccount).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		r, err := db.getRelief(tx, btoi(k[8:]))
		if err != nil {
			return nil, nil, err
		}
		msgs, err := db.reliefMessagesTx(tx, r.ID)
		if err != nil {
			return nil, nil, err
		}
		rec.Relief = append(rec.Relief, portal.ExportRelief(r, id, msgs, look.organ))
		for _, d := range r.Documents {
			if d.UploadedBy == id {
				uploaded = append(uploaded, exportDoc{where: portal.ExportInRelief, parent: r.ID, document: d})
			}
		}
	}

	// Leak reports he linked to his account when he sent them.
	cur = tx.Bucket(bucketLeakByAccount).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		r, err := db.getLeak(tx, btoi(k[8:]))
		if err != nil {
			return nil, nil, err
		}
		rec.Leaks = append(rec.Leaks, portal.ExportLeak(r))
	}

	// Certificates he asked for or that are about him.
	if b := tx.Bucket(bucketCertByAccount); b != nil {
		cur = b.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			c, err := db.getCertificate(tx, btoi(k[8:]))
			if err != nil {
				return nil, nil, err
			}
			rec.Certificates = append(rec.Certificates, portal.ExportCertificate(c))
		}
	}

	// Notifications, newest first.
	cur = tx.Bucket(bucketNotifications).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		var n portal.Notification
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, nil, fmt.Errorf("decode notification: %w", err)
		}
		rec.Notifications = append(rec.Notifications, portal.ExportedNotification{At: n.At, CaseID: n.CaseID, Ref: n.Ref, Key: n.Key, Read: n.Read})
	}
	slices.Reverse(rec.Notifications)

	// The documents he uploaded, with their contents up to the cap.
	refs := map[string]string{}
	for _, c := range rec.Cases {
		refs[fmt.Sprintf("%s:%d", portal.ExportInCase, c.ID)] = c.Ref
	}
	for _, r := range rec.Relief {
		refs[fmt.Sprintf("%s:%d", portal.ExportInRelief, r.ID)] = r.Ref
	}
	for _, u := range uploaded {
		d := u.document
		e := portal.ExportedDocument{ID: d.ID, Where: u.where, ParentID: u.parent, ParentRef: refs[fmt.Sprintf("%s:%d", u.where, u.parent)],
			Kind: d.Kind, Name: d.Name, MediaType: d.MediaType, Size: d.Size, UploadedAt: d.UploadedAt, UploadedByYou: true}
		if contents {
			dc := &rec.DocumentContents
			if dc.IncludedBytes+int64(d.Size) > dc.CapBytes {
				e.ContentOmitted, dc.Truncated = true, true
				dc.Omitted++
			} else {
				src, ok, err := db.exportSource(tx, u)
				if err != nil {
					return nil, nil, err
				}
				if ok {
					loads = append(loads, exportLoad{at: len(rec.Documents), src: src})
					dc.IncludedBytes += int64(d.Size)
					dc.Included++
				}
			}
		}
		rec.Documents = append(rec.Documents, e)
	}
	return rec, loads, nil
}

// exportLoad is a document whose bytes go into the export at Documents[at].
type exportLoad struct {
	at  int
	src docSource
}

// exportSource finds one uploaded document inside tx; not ok when its bytes
// are gone (a file taken off a draft).
func (db *DB) exportSource(tx kv.Tx, u exportDoc) (docSource, bool, error) {
	var src docSource
	var err error
	if u.where == portal.ExportInRelief {
		src, err = reliefFiles.documentSource(db, tx, u.parent, u.document.ID)
	} else {
		src, err = caseFiles.documentSource(db, tx, u.parent, u.document.ID)
	}
	if portal.ErrorCode(err) == portal.CodeNotFound {
		return src, false, nil
	}
	return src, err == nil, err
}

// caseMessagesTx is Messages inside an open transaction.
func (db *DB) caseMessagesTx(tx kv.Tx, caseID uint64) ([]portal.Message, error) {
	var out []portal.Message
	prefix := itob(caseID)
	cur := tx.Bucket(bucketMessages).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		var m portal.Message
		if err := db.crypt.openJSON(kindMessage, btoi(k[8:]), fmt.Sprintf("case:%d", caseID), v, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// reliefMessagesTx is ReliefMessages inside an open transaction.
func (db *DB) reliefMessagesTx(tx kv.Tx, reliefID uint64) ([]portal.ReliefMessage, error) {
	var out []portal.ReliefMessage
	prefix := itob(reliefID)
	cur := tx.Bucket(bucketReliefMessages).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		var m portal.ReliefMessage
		if err := db.crypt.openJSON(kindReliefMessage, btoi(k[8:]), fmt.Sprintf("relief:%d", reliefID), v, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
