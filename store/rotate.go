package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The registry of sealed values: every bucket whose values are, or hold,
// ciphertexts of the crypter, and how the associated data (kind, id, field)
// each was sealed with is found again from its key. A rotation re-encrypts
// exactly these; TestEveryBucketIsClassified fails when a bucket is neither
// here nor in plaintextBuckets, and TestEverySealCallIsRegistered when a
// store file seals with a kind or field this registry does not know.
type sealedBucket struct {
	bucket []byte
	kind   string
	// members are the JSON members of the value that hold ciphertexts
	// (sealJSON's "body", an account's sealString fields); nil when the
	// value itself is one ciphertext (documents).
	members []string
	// fields are the field arguments as written at the seal calls (a
	// fmt.Sprintf format where the field names another record), checked
	// against the source by TestEverySealCallIsRegistered.
	fields []string
	// at gives the id and field of the associated data of member (or "")
	// of the value at key k; owner is the owning record's id for documents.
	at func(k []byte, member string, owner uint64) (id uint64, field string)
	// owners, for documents, lists the owning records' documents: the
	// binding names the owner, which the key does not hold.
	owners *ownerIndex
}

// ownerIndex finds the record that owns each document of a bucket.
type ownerIndex struct {
	bucket []byte // the owning records
	docs   func(db *DB, id uint64, raw []byte) ([]uint64, error)
}

func byID(k []byte, member string, _ uint64) (uint64, string) { return btoi(k), member }

func bodyByID(k []byte, _ string, _ uint64) (uint64, string) { return btoi(k), "body" }

// sealedBuckets is the registry. Keep it in step with the seal calls.
var sealedBuckets = []sealedBucket{
	{bucket: bucketAccounts, kind: kindAccount, members: []string{"login", "name", "mobile", "id_number", "licence", "email", "doc_country", "birth_date"},
		fields: []string{"login", "name", "mobile", "id_number", "licence", "email", "doc_country", "birth_date"}, at: byID},
	{bucket: bucketOutbox, kind: kindOutbox, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketPendingRegs, kind: kindPendingReg, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketResets, kind: kindReset, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketHandovers, kind: kindHandover, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketEmailPending, kind: kindEmailPending, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketCheckAnswers, kind: kindCheckAnswers, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketTOTP, kind: kindTOTP, members: []string{"secret", "pending"}, fields: []string{"secret", "pending"}, at: byID},
	{bucket: bucketCases, kind: kindCase, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketWorkbenchStates, kind: kindWorkbenchState, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketCaseSummaries, kind: kindCaseSummary, fields: []string{"summary"},
		at: func(k []byte, _ string, _ uint64) (uint64, string) { return btoi(k), "summary" }},
	{bucket: bucketDocuments, kind: kindDocument, fields: []string{"content:case:%d"},
		at: func(k []byte, _ string, owner uint64) (uint64, string) {
			return btoi(k), fmt.Sprintf("content:case:%d", owner)
		},
		owners: &ownerIndex{bucket: bucketCases, docs: func(db *DB, id uint64, raw []byte) ([]uint64, error) {
			c, err := db.decodeCase(id, raw)
			return docIDs(c.Documents, func(d int) uint64 { return c.Documents[d].ID }), err
		}}},
	{bucket: bucketDocumentRefs, kind: kindDocumentRef, fields: []string{"ref:case:%d"},
		at: func(k []byte, _ string, owner uint64) (uint64, string) {
			return btoi(k), fmt.Sprintf("ref:case:%d", owner)
		},
		owners: &ownerIndex{bucket: bucketCases, docs: func(db *DB, id uint64, raw []byte) ([]uint64, error) {
			c, err := db.decodeCase(id, raw)
			return docIDs(c.Documents, func(d int) uint64 { return c.Documents[d].ID }), err
		}}},
	{bucket: bucketMessages, kind: kindMessage, members: []string{"body"}, fields: []string{"case:%d"},
		at: func(k []byte, _ string, _ uint64) (uint64, string) {
			return btoi(k[8:]), fmt.Sprintf("case:%d", btoi(k[:8]))
		}},
	{bucket: bucketRelief, kind: kindRelief, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketReliefDocuments, kind: kindReliefDocument, fields: []string{"content:relief:%d"},
		at: func(k []byte, _ string, owner uint64) (uint64, string) {
			return btoi(k), fmt.Sprintf("content:relief:%d", owner)
		},
		owners: &ownerIndex{bucket: bucketRelief, docs: func(db *DB, id uint64, raw []byte) ([]uint64, error) {
			var r reliefBody
			err := db.crypt.openJSON(kindRelief, id, "body", raw, &r)
			return docIDs(r.Documents, func(d int) uint64 { return r.Documents[d].ID }), err
		}}},
	{bucket: bucketReliefDocumentRefs, kind: kindReliefDocumentRef, fields: []string{"ref:relief:%d"},
		at: func(k []byte, _ string, owner uint64) (uint64, string) {
			return btoi(k), fmt.Sprintf("ref:relief:%d", owner)
		},
		owners: &ownerIndex{bucket: bucketRelief, docs: func(db *DB, id uint64, raw []byte) ([]uint64, error) {
			var r reliefBody
			err := db.crypt.openJSON(kindRelief, id, "body", raw, &r)
			return docIDs(r.Documents, func(d int) uint64 { return r.Documents[d].ID }), err
		}}},
	{bucket: bucketReliefMessages, kind: kindReliefMessage, members: []string{"body"}, fields: []string{"relief:%d"},
		at: func(k []byte, _ string, _ uint64) (uint64, string) {
			return btoi(k[8:]), fmt.Sprintf("relief:%d", btoi(k[:8]))
		}},
	{bucket: bucketNoticeRecords, kind: kindNotice, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketQueries, kind: kindQuery, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketCertificates, kind: kindCertificate, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketUnsealings, kind: kindUnsealing, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketLegalDocs, kind: kindLegalDoc, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketLegalServices, kind: kindLegalService, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketRightsExplained, kind: kindRightsExplained, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketServiceContacts, kind: kindServiceContacts, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketOpinions, kind: kindOpinion, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketLeakReports, kind: kindLeak, members: []string{"body"}, fields: []string{"body"}, at: bodyByID},
	{bucket: bucketLeakDocuments, kind: kindLeakDocument, fields: []string{"content:leak:%d"},
		at: func(k []byte, _ string, owner uint64) (uint64, string) {
			return btoi(k), fmt.Sprintf("content:leak:%d", owner)
		},
		owners: &ownerIndex{bucket: bucketLeakReports, docs: func(db *DB, id uint64, raw []byte) ([]uint64, error) {
			var r leakBody
			err := db.crypt.openJSON(kindLeak, id, "body", raw, &r)
			return docIDs(r.Documents, func(d int) uint64 { return r.Documents[d].ID }), err
		}}},
	{bucket: bucketLeakDocumentRefs, kind: kindLeakDocumentRef, fields: []string{"ref:leak:%d"},
		at: func(k []byte, _ string, owner uint64) (uint64, string) {
			return btoi(k), fmt.Sprintf("ref:leak:%d", owner)
		},
		owners: &ownerIndex{bucket: bucketLeakReports, docs: func(db *DB, id uint64, raw []byte) ([]uint64, error) {
			var r leakBody
			err := db.crypt.openJSON(kindLeak, id, "body", raw, &r)
			return docIDs(r.Documents, func(d int) uint64 { return r.Documents[d].ID }), err
		}}},
	{bucket: bucketFormStates, kind: kindFormState, members: []string{"body"}, fields: []string{"body"},
		at: func(k []byte, _ string, _ uint64) (uint64, string) { return formStateID(k), "body" }},
	{bucket: bucketLeakReceipts, kind: kindLeakReceipt, members: []string{"body"}, fields: []string{"body"},
		at: func(k []byte, _ string, _ uint64) (uint64, string) { return leakReceiptID(k), "body" }},
}

// isEnvelope reports whether the bucket's values are sealJSON's: the
// envelope of codec.go, or before it the JSON object with one member "body".
func (sb *sealedBucket) isEnvelope() bool {
	return len(sb.members) == 1 && sb.members[0] == "body"
}

func docIDs[T any](docs []T, id func(int) uint64) []uint64 {
	out := make([]uint64, len(docs))
	for i := range docs {
		out[i] = id(i)
	}
	return out
}

// plaintextBuckets are the buckets whose values are not sealed, each with the
// reason it holds no personal data in clear.
var plaintextBuckets = map[string]string{
	"meta":                        "schema version, signed audit tree head, reference number counters",
	"keyring":                     "data keys wrapped under the KEK, which is never in the database",
	"accounts_by_login":           "keyed hashes (HMAC under the index key) of logins -> account id",
	"accounts_by_idnumber":        "keyed hashes of identity documents (casePersonKey's keys) | account id",
	"account_devices":             "account id | SHA-256 of a device cookie -> first-seen time",
	"sessions":                    "SHA-256 of the cookie id -> account id, role, times",
	"sessions_by_account":         "account id | SHA-256 of the cookie id",
	"accounts_by_role":            "role | account id: an official's public function, no personal data",
	"accounts_by_organ":           "organ id | role | account id: an official's public function, no personal data",
	"audit_entries":               "actions, ids, roles and times; the audit log carries no personal data by design",
	"audit_hashes":                "tlog hashes",
	"audit_by_subject":            "subject kind | id | audit index",
	"organs":                      "authorities' public names",
	"organs_by_name":              "authorities' public names -> id",
	"cases_by_ref":                "reference numbers (FC-...) -> case id",
	"cases_by_account":            "account id | case id -> relation",
	"case_accounts":               "case id | account id -> relation",
	"cases_by_person":             "keyed hashes of identity numbers | case id",
	"queue_by_organ":              "organ | due | case id -> reference, status, dates",
	"open_by_due":                 "due | case id -> organ ids, reference, status, dates",
	"queue_counts":                "organ | due | status -> a count of queue rows",
	"notifications":               "case id, reference, message key, read flag",
	"notifications_unread":        "counters",
	"calendar_years":              "the public working-day calendar",
	"calendar_confirmed":          "year -> the official notice it was checked against, when, by which account id",
	"cases_awaiting_calendar":     "case id of a deadline waiting for a calendar year",
	"deadlines_awaiting_calendar": "record kind | id -> the day a deadline counts from and its policy key, waiting for a calendar year",
	"relief_by_ref":               "reference numbers (JZ-...) -> id",
	"relief_by_account":           "account id | relief id",
	"relief_queue":                "due | id -> reference, status, dates",
	"correction_notices":          "organ | due | notice id -> references, answered flag",
	"queries_by_unit":             "unit account id | query id",
	"queries_by_organ":            "organ | due | id -> reference, status, unit's public name and kind",
	"certificates_by_code":        "keyed hashes of verification codes -> id",
	"certificates_by_account":     "account id | certificate id",
	"certificates_by_person":      "keyed hashes of identity numbers | certificate id",
	"certificate_queue":           "police organ | due | id -> reference, date",
	"certificate_objections":      "police organ | due | certificate id -> reference, date",
	"unsealings_by_case":          "case id | unsealing id",
	"unsealing_pending":           "case id -> unsealing id",
	"unsealing_open":              "case id -> unsealing id (waiting for approval or holders' confirmations)",
	"overrides":                   "override id -> case reference and ids, decision, state, times (the reasons stay in the sealed case)",
	"staff_notifications":         "organ | id -> case id, reference, message key, time",
	"staff_notifications_seen":    "official's account id -> newest notification id read",
	"cooffender_cases":            "keyed hashes of adult case numbers | case id",
	"sealed_info_marks":           "a judicial organ's own case number and kind, organ and date (R21); nothing of the sealed record",
	"sealed_info_by_number":       "keyed hashes of case numbers | marking id",
	"sealed_info_by_organ":        "organ id | marking id",
	"leak_by_code":                "keyed hashes of tracking codes -> id (the code itself is never stored)",
	"leak_by_ref":                 "reference numbers (LK-...) -> id",
	"leak_queue":                  "due | id -> reference, status, date",
	"leak_drafts":                 "keyed hashes of browser tokens -> id | created",
	"leak_by_account":             "account id | report id",
	"legal_documents_by_case":     "case id | legal document id",
	"legal_documents_by_query":    "query id | legal document id",
	"legal_doc_numbers":           "organ id | year | number word -> the last sequence of document numbers",
	"opinions_by_organ":           "organ id | opinion id",
	"opinions_by_due":             "answered | due | opinion id -> number, kind, organ, issued time, count of cases",
	"opinions_by_case":            "case id | opinion id",
	"opinions_by_leak":            "leak report id | opinion id",
	"audit_by_actor":              "account id | audit index",
	"leaks_by_case":               "case id | leak report id",
	"outbox_due":                  "due time | outbox id",
	"outbox_done":                 "time finished | outbox id (for the retention purge)",
	"workbench_cases":             "case id -> reference, status, deadline, organ ids (workbench.go)",
	"workbench_search":            "keyed hashes of names and organ case numbers | case id",
	"sealing_register":            "organ | day | case id | kind -> reference, kind, time",
	"case_assignments":            "organ | case id -> account ids and time",
	"submissions":                 "account id | SHA-256 of a random submission id -> kind of record, its id, time (idempotency.go)",
	"cases_by_assignee":           "account id | case id -> organ id",
	"form_states_by_expiry":       "expiry time | SHA-256 of a cookie id and a kind letter",
	"document_objects":            "random object keys -> kind letter | document id: which objects a document row names (documents.go)",
	"blob_objects":                "the engine's own object store: random object keys -> time | a document's AES-GCM ciphertext under its own random key, which only the sealed row holds (documents.go)",
	"rate_limits":                 "limit name | window | keyed hash of a client address | random: one key per hit (limits.go)",
}

// sealedValue is one ciphertext inside a stored value.
type sealedValue struct {
	member string // "" for a raw value
	ct     []byte
}

// ciphertextsOf lists the ciphertexts inside a value of sb's bucket.
func (sb *sealedBucket) ciphertextsOf(v []byte) ([]sealedValue, map[string]json.RawMessage, error) {
	if sb.members == nil {
		if len(v) == 0 {
			return nil, nil, nil
		}
		return []sealedValue{{ct: v}}, nil, nil
	}
	if sb.isEnvelope() && len(v) > 0 && v[0] == envelopeV1 {
		// sealJSON's envelope (codec.go): the value is its body's ciphertext.
		if len(v) == 1 {
			return nil, nil, errCodec
		}
		return []sealedValue{{member: "body", ct: v[1:]}}, nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(v, &obj); err != nil {
		return nil, nil, err
	}
	var out []sealedValue
	for _, m := range sb.members {
		raw, ok := obj[m]
		if !ok || string(raw) == "null" {
			continue
		}
		var ct []byte
		if err := json.Unmarshal(raw, &ct); err != nil {
			return nil, nil, fmt.Errorf("member %s: %w", m, err)
		}
		if len(ct) > 0 {
			out = append(out, sealedValue{member: m, ct: ct})
		}
	}
	return out, obj, nil
}

// sample is one sealed value, used to check a legacy data key before
// migration 8 wraps it.
type sample struct {
	where string
	check func(k *dataKey) error
}

// firstSealed finds a sealed value whose binding is known from its key alone
// (documents need their owner, so they are not used).
func firstSealed(tx kv.Tx) (sample, bool) {
	for i := range sealedBuckets {
		sb := &sealedBuckets[i]
		b := tx.Bucket(sb.bucket)
		if b == nil || sb.owners != nil {
			continue
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			cts, _, err := sb.ciphertextsOf(v)
			if err != nil || len(cts) == 0 {
				continue
			}
			key, sv := copyBytes(k), sealedValue{member: cts[0].member, ct: copyBytes(cts[0].ct)}
			return sample{where: fmt.Sprintf("bucket %s, key %x", sb.bucket, key), check: func(dk *dataKey) error {
				id, field := sb.at(key, sv.member, 0)
				_, err := dk.open(associated(sb.kind, id, field), sv.ct)
				return err
			}}, true
		}
	}
	return sample{}, false
}

// RotateOptions tune a data key rotation.
type RotateOptions struct {
	BatchValues int           // values looked at per write transaction; default 500
	BatchBytes  int           // bytes re-encrypted per write transaction; default 8 MiB
	Pause       time.Duration // rest between batches, so that requests waiting to write go first
	Progress    func(RotateProgress)

	stopAfter int // tests: stop after this many batches, as a crash would
}

// RotateProgress is reported after each batch. No personal data: bucket
// names and counts.
type RotateProgress struct {
	Phase       string // "reencrypt" or "retire"
	Bucket      string
	Scanned     int // values looked at in this bucket so far
	Reencrypted int // in this bucket so far
	Total       int // re-encrypted by the whole rotation so far
	Batches     int
}

// RotateReport is what a rotation did.
type RotateReport struct {
	Resumed     bool   // an interrupted rotation was finished
	Active      byte   // the key that seals now
	Retired     []byte // keys retired and deleted by this run
	Reencrypted int
	Scanned     int
	Batches     int
	Orphans     int // documents no record lists: left under their old key (see StillUsed)
	StillUsed   map[byte]int
	Duration    time.Duration
}

// ErrRotationBusy is returned when another rotation runs in this process.
var ErrRotationBusy = errors.New("store: a key rotation is already running")

var errRotationStopped = errors.New("store: rotation stopped (test)")

// RotateDataKeys introduces a new data key, makes it the one that seals,
// re-encrypts every sealed value (the registry above) in batches of bounded
// size, each its own write transaction so that the portal keeps serving
// between them, and then, after a full scan inside one write transaction finds
// no value naming them, marks the old keys retired and deletes their wrapped
// material. It is resumable: run again after a crash it finds the keys still
// "retiring", creates no new key, skips every value already under the active
// key and finishes.
func (db *DB) RotateDataKeys(ctx context.Context, opt RotateOptions) (RotateReport, error) {
	start := time.Now()
	var rep RotateReport
	if opt.BatchValues <= 0 {
		opt.BatchValues = 500
	}
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = 8 << 20
	}
	ring := db.ring
	if !ring.mu.TryLock() {
		return rep, ErrRotationBusy
	}
	defer ring.mu.Unlock()
	kek, _, oldKEK := ring.current()
	if oldKEK {
		return rep, errors.New("store: this process runs with the previous KEK of an unconfirmed KEK rotation; start it with the new KEK first")
	}
	var newKey []byte
	var newID byte
	err := db.update(func(tx kv.Tx) error {
		kr := tx.Bucket(bucketKeyring)
		deks, err := readDEKs(kr)
		if err != nil {
			return err
		}
		for _, d := range deks {
			if d.State == KeyRetiring {
				rep.Resumed = true
			}
			if d.State == KeyActive {
				rep.Active = d.ID
			}
		}
		if rep.Resumed {
			return nil
		}
		if newID, err = nextKeyID(kr, deks); err != nil {
			return err
		}
		newKey = make([]byte, 32)
		if _, err := rand.Read(newKey); err != nil {
			return err
		}
		wrapped, err := wrapDEK(kek, newID, newKey)
		if err != nil {
			return err
		}
		for _, d := range deks {
			if d.State == KeyActive {
				d.State = KeyRetiring
				if err := putDEK(kr, d); err != nil {
					return err
				}
			}
		}
		rep.Active = newID
		if err := putDEK(kr, dekRecord{ID: newID, State: KeyActive, Created: db.now().UTC(), Wrapped: wrapped}); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditKeyActivated, SubjectKind: "data_key", SubjectID: uint64(newID)})
	})
	if err != nil {
		return rep, fmt.Errorf("store: rotate: new key: %w", err)
	}
	if newKey != nil {
		// Only once the wrapped key is committed may anything be sealed with it.
		if err := db.crypt.addKey(newID, newKey, true); err != nil {
			return rep, err
		}
	}
	active := db.crypt.keys.Load().active
	if active.id != rep.Active {
		return rep, fmt.Errorf("store: rotate: key %d is active in the keyring but %d in memory", rep.Active, active.id)
	}
	for pass := 0; ; pass++ {
		if err := db.reencryptAll(ctx, active, opt, &rep); err != nil {
			rep.Duration = time.Since(start)
			return rep, err
		}
		still, retired, err := db.retireUnused(opt)
		if err != nil {
			return rep, err
		}
		rep.Retired = append(rep.Retired, retired...)
		if len(still) == 0 {
			rep.StillUsed = nil
			break
		}
		rep.StillUsed = still
		// A value sealed with the old key by a write that began before the
		// switch, or a document with no owner: one more pass, then give up.
		if pass == 2 || rep.Orphans > 0 {
			rep.Duration = time.Since(start)
			return rep, fmt.Errorf("store: rotate: %d values still name retiring keys (%d documents no record lists); the keys stay retiring: %v", sum(still), rep.Orphans, still)
		}
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

func sum(m map[byte]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// reencryptAll runs through every registered bucket in batches, moving each
// ciphertext not under active to it.
func (db *DB) reencryptAll(ctx context.Context, active *dataKey, opt RotateOptions, rep *RotateReport) error {
	for i := range sealedBuckets {
		sb := &sealedBuckets[i]
		var owners map[uint64]uint64
		if sb.owners != nil {
			need, err := db.bucketNeedsWork(sb, active.id)
			if err != nil {
				return err
			}
			if !need {
				continue
			}
			if owners, err = db.ownerMap(sb); err != nil {
				return err
			}
		}
		var after []byte
		prog := RotateProgress{Phase: "reencrypt", Bucket: string(sb.bucket)}
		for done := false; !done; {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("store: rotate: %w", err)
			}
			if opt.stopAfter > 0 && rep.Batches >= opt.stopAfter {
				return errRotationStopped
			}
			err := db.update(func(tx kv.Tx) error {
				b := tx.Bucket(sb.bucket)
				if b == nil {
					done = true
					return nil
				}
				type put struct{ k, v []byte }
				var puts []put
				c := b.Cursor()
				k, v := c.First()
				if after != nil {
					if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
						k, v = c.Next()
					}
				}
				values, size := 0, 0
				for ; k != nil; k, v = c.Next() {
					if v == nil {
						continue // a nested bucket
					}
					after = copyBytes(k)
					values++
					nv, err := db.reencryptValue(sb, k, v, owners, active, rep)
					if err != nil {
						return fmt.Errorf("bucket %s key %x: %w", sb.bucket, k, err)
					}
					if nv != nil {
						puts = append(puts, put{copyBytes(k), nv})
						size += len(nv)
					}
					if values >= opt.BatchValues || size >= opt.BatchBytes {
						break
					}
				}
				if k == nil {
					done = true
				}
				for _, p := range puts {
					if err := b.Put(p.k, p.v); err != nil {
						return err
					}
				}
				prog.Scanned += values
				prog.Reencrypted += len(puts)
				rep.Scanned += values
				rep.Reencrypted += len(puts)
				return nil
			})
			if err != nil {
				return fmt.Errorf("store: rotate: %w", err)
			}
			rep.Batches++
			prog.Total, prog.Batches = rep.Reencrypted, rep.Batches
			if opt.Progress != nil {
				opt.Progress(prog)
			}
			if opt.Pause > 0 && !done {
				time.Sleep(opt.Pause)
			}
		}
	}
	return nil
}

// reencryptValue returns the value with every ciphertext moved to active, or
// nil when all already are (so a resumed rotation skips it).
func (db *DB) reencryptValue(sb *sealedBucket, k, v []byte, owners map[uint64]uint64, active *dataKey, rep *RotateReport) ([]byte, error) {
	cts, obj, err := sb.ciphertextsOf(v)
	if err != nil {
		return nil, err
	}
	changed := false
	keys := db.crypt.keys.Load()
	for _, sv := range cts {
		if sv.ct[0] == active.id {
			continue
		}
		var owner uint64
		if sb.owners != nil {
			var ok bool
			if owner, ok = owners[btoi(k)]; !ok {
				rep.Orphans++
				return nil, nil
			}
		}
		old := keys.byID[sv.ct[0]]
		if old == nil {
			return nil, fmt.Errorf("sealed with key %d, which is not in the keyring", sv.ct[0])
		}
		id, field := sb.at(k, sv.member, owner)
		ad := associated(sb.kind, id, field)
		pt, err := old.open(ad, sv.ct)
		if err != nil {
			return nil, fmt.Errorf("decrypt %s %d %s: %w", sb.kind, id, field, err)
		}
		if sb.members == nil {
			return active.seal(ad, pt), nil
		}
		if obj == nil { // the envelope
			return active.sealAppend([]byte{envelopeV1}, ad, pt), nil
		}
		nct := active.seal(ad, pt)
		if obj[sv.member], err = json.Marshal(nct); err != nil {
			return nil, err
		}
		changed = true
	}
	if !changed {
		return nil, nil
	}
	return json.Marshal(obj)
}

// bucketNeedsWork reports whether any value of sb is not under key active,
// so that the owner map of a document bucket is only built when needed.
func (db *DB) bucketNeedsWork(sb *sealedBucket, active byte) (bool, error) {
	need := false
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(sb.bucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) > 0 && v[0] != active {
				need = true
			}
			return nil
		})
	})
	return need, err
}

// ownerMap reads, in one read transaction, which record owns each document.
func (db *DB) ownerMap(sb *sealedBucket) (map[uint64]uint64, error) {
	out := map[uint64]uint64{}
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(sb.owners.bucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			ids, err := sb.owners.docs(db, btoi(k), v)
			if err != nil {
				return err
			}
			for _, d := range ids {
				out[d] = btoi(k)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: rotate: owners of %s: %w", sb.bucket, err)
	}
	return out, nil
}

// keyUse counts, over every registered bucket, the values naming each key id.
func keyUse(tx kv.Tx) (map[byte]int, error) {
	use := map[byte]int{}
	for i := range sealedBuckets {
		sb := &sealedBuckets[i]
		b := tx.Bucket(sb.bucket)
		if b == nil {
			continue
		}
		err := b.ForEach(func(k, v []byte) error {
			if v == nil {
				return nil
			}
			cts, _, err := sb.ciphertextsOf(v)
			if err != nil {
				return fmt.Errorf("bucket %s key %x: %w", sb.bucket, k, err)
			}
			for _, sv := range cts {
				use[sv.ct[0]]++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return use, nil
}

// retireUnused scans every sealed value inside one write transaction (so no
// write can slip in between the scan and the deletion) and retires each
// retiring key that no ciphertext names, deleting its wrapped material. It
// returns the retiring keys still in use with their counts.
func (db *DB) retireUnused(opt RotateOptions) (map[byte]int, []byte, error) {
	still := map[byte]int{}
	var retired []byte
	err := db.update(func(tx kv.Tx) error {
		still, retired = map[byte]int{}, nil
		use, err := keyUse(tx)
		if err != nil {
			return err
		}
		kr := tx.Bucket(bucketKeyring)
		deks, err := readDEKs(kr)
		if err != nil {
			return err
		}
		for _, d := range deks {
			if d.State != KeyRetiring {
				continue
			}
			if n := use[d.ID]; n > 0 {
				still[d.ID] = n
				continue
			}
			d.State, d.Retired, d.Wrapped, d.Previous = KeyRetired, db.now().UTC(), nil, nil
			if err := putDEK(kr, d); err != nil {
				return err
			}
			retired = append(retired, d.ID)
			if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditKeyRetired, SubjectKind: "data_key", SubjectID: uint64(d.ID)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: rotate: retire: %w", err)
	}
	db.crypt.removeKeys(retired)
	if opt.Progress != nil {
		opt.Progress(RotateProgress{Phase: "retire"})
	}
	sort.Slice(retired, func(i, j int) bool { return retired[i] < retired[j] })
	return still, retired, nil
}

// KeyUse counts the sealed values naming each data key id: after a finished
// rotation only the active key appears.
func (db *DB) KeyUse() (map[byte]int, error) {
	var use map[byte]int
	err := db.view(func(tx kv.Tx) error {
		var err error
		use, err = keyUse(tx)
		return err
	})
	return use, err
}
