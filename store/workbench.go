package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The officials' workbench (issue 18): what an organ needs to work dozens of
// cases a day without opening (decrypting) each one.
//
//	workbench_cases     case id -> caseCard {ref, status, due, decider, holders, confirmed}: no personal data;
//	                    search results, "my cases" and access checks read it instead of the case
//	workbench_search    HMAC("wb_name", name) | case id -> "" and HMAC("wb_caseno", organ case number) | case id -> ""
//	                    (identity numbers are looked up in cases_by_person); recomputable, re-indexed with the
//	                    blind key (blindkeys.go, source "cases")
//	sealing_register    organ | day (4 bytes yyyymmdd) | case id | kind -> registerEntry {ref, kind, at}: what the
//	                    organ sealed, refused, confirmed and unsealed (封存登记台账)
//	case_assignments    organ | case id -> assignment {to, from, by, at}: the organ's official in charge (承办人)
//	cases_by_assignee   account id | case id -> organ id
//	workbench_states    itob(id) -> {body: sealed JSON of a search's or a bulk step's results, its owner and
//	                    expiry}: the results page after POST-redirect-GET, so that a search term never
//	                    travels in a URL
//
// All but workbench_states are written in the same transaction as the case
// (putCase calls putWorkbench), so they never disagree with it.

var (
	bucketWorkbenchCards  = []byte("workbench_cases")
	bucketWorkbenchSearch = []byte("workbench_search")
	bucketSealingRegister = []byte("sealing_register")
	bucketAssignments     = []byte("case_assignments")
	bucketByAssignee      = []byte("cases_by_assignee")
	bucketWorkbenchStates = []byte("workbench_states")
	keyWorkbenchBackfill  = []byte("workbench_backfill")
)

const kindWorkbenchState = "workbench_state"

// workbenchBuckets are created by the workbench's migration.
func workbenchBuckets() [][]byte {
	return [][]byte{bucketWorkbenchCards, bucketWorkbenchSearch, bucketSealingRegister, bucketAssignments, bucketByAssignee, bucketWorkbenchStates}
}

// migrationWorkbenchName names the migration (tests find it by name).
const migrationWorkbenchName = "workbench: case cards, search keys, sealing register, assignments, result states (issue 18)"

// migrateWorkbench creates the buckets and asks for a back-fill of the
// existing cases, which needs the keys and so runs after Open has loaded
// them (backfillWorkbench).
func migrateWorkbench(tx kv.Tx) error {
	for _, b := range workbenchBuckets() {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Put(keyWorkbenchBackfill, itob(0))
}

// caseCard is what the workbench shows of a case without opening it.
type caseCard struct {
	Ref            string            `json:"ref"`
	Status         portal.CaseStatus `json:"status"`
	Due            portal.Date       `json:"due,omitzero"`
	AwaitsCalendar bool              `json:"awaits_calendar,omitempty"`
	Decider        uint64            `json:"decider,omitempty"`
	Holders        []uint64          `json:"holders,omitempty"`
	Confirmed      []uint64          `json:"confirmed,omitempty"`
	// UnsealConfirmed: the holders that confirmed an unsealing (issue 18).
	UnsealConfirmed []uint64 `json:"unseal_confirmed,omitempty"`
}

func cardOf(c portal.Case) caseCard {
	card := caseCard{Ref: c.Ref, Status: c.Status, Due: c.Due, AwaitsCalendar: c.DueAwaitsCalendar, Decider: c.DecidingOrganID,
		Holders: slices.Clone(c.HoldingOrganIDs)}
	for o := range c.Confirmations {
		card.Confirmed = append(card.Confirmed, o)
	}
	slices.Sort(card.Confirmed)
	for o := range c.UnsealConfirmations {
		card.UnsealConfirmed = append(card.UnsealConfirmed, o)
	}
	slices.Sort(card.UnsealConfirmed)
	return card
}

// standing is the organ's relation to the card's case: "decider", "holder"
// or "" (none).
func (card caseCard) standing(organ uint64) string {
	switch {
	case organ == 0:
		return ""
	case card.Decider == organ:
		return "decider"
	case slices.Contains(card.Holders, organ):
		return "holder"
	}
	return ""
}

// workbenchVisible: drafts are nobody's business but the applicant's.
func workbenchVisible(c portal.Case) bool {
	return c.ID != 0 && c.Status != "" && c.Status != portal.StatusDraft
}

// workbenchEntries are the case's search entries under one blind key.
func workbenchEntries(bl blindFunc, c portal.Case) [][]byte {
	var out [][]byte
	if !workbenchVisible(c) {
		return nil
	}
	if n := portal.NormalizeSearchName(c.PersonName); n != "" {
		out = append(out, append(bl("wb_name", n), itob(c.ID)...))
	}
	if n, ok := portal.NormalizeCaseNumber(c.OrganCaseNumber); ok {
		out = append(out, append(bl("wb_caseno", n), itob(c.ID)...))
	}
	return out
}

// putWorkbench keeps the workbench's indexes in step with a case write.
func (db *DB) putWorkbench(tx kv.Tx, old, c portal.Case) error {
	cards, err := tx.CreateBucketIfNotExists(bucketWorkbenchCards)
	if err != nil {
		return err
	}
	search, err := tx.CreateBucketIfNotExists(bucketWorkbenchSearch)
	if err != nil {
		return err
	}
	if !workbenchVisible(c) {
		if err := cards.Delete(itob(c.ID)); err != nil {
			return err
		}
	} else {
		raw, err := json.Marshal(cardOf(c))
		if err != nil {
			return err
		}
		if err := cards.Put(itob(c.ID), raw); err != nil {
			return err
		}
	}
	oldE, newE := workbenchEntries(db.crypt.blind, old), workbenchEntries(db.crypt.blind, c)
	if !slices.EqualFunc(oldE, newE, bytes.Equal) {
		// The old entries may have been made under a retiring key while a
		// re-index runs: delete them under every lookup key.
		for i := range workbenchEntries(db.crypt.blind, old) {
			if err := db.deleteUnder(search, func(bl blindFunc) []byte { return workbenchEntries(bl, old)[i] }); err != nil {
				return err
			}
		}
		for _, k := range newE {
			if err := search.Put(k, nil); err != nil {
				return err
			}
		}
	}
	return db.putRegisterRows(tx, old, c)
}

// Register kinds: what an organ did about sealing on a day.
const (
	RegisterSealed    = "sealed"    // the deciding organ decided to seal (R12)
	RegisterRefused   = "refused"   // the deciding organ decided not to seal
	RegisterConfirmed = "confirmed" // the organ sealed the records it holds (R12)
	RegisterUnsealed  = "unsealed"  // the record was unsealed (R18)
)

// registerKind maps a step to its register kind ("" when the step is not
// registered).
func registerKind(a portal.CaseAction) string {
	switch a {
	case portal.ActionSeal:
		return RegisterSealed
	case portal.ActionReject:
		return RegisterRefused
	case portal.ActionConfirm:
		return RegisterConfirmed
	case portal.ActionUnseal: // issue 18: the approved unsealing
		return RegisterUnsealed
	}
	return ""
}

// registerEntry is a sealing_register value: no personal data.
type registerEntry struct {
	Ref  string    `json:"ref"`
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
}

func registerKey(organ uint64, day portal.Date, caseID uint64, kind string) []byte {
	k := append(itob(organ), dueKey(day)...)
	return append(append(k, itob(caseID)...), kind...)
}

// putRegisterRows adds a register row for each registered step the write
// appends to the case's timeline.
func (db *DB) putRegisterRows(tx kv.Tx, old, c portal.Case) error {
	if len(c.Events) <= len(old.Events) {
		return nil
	}
	reg, err := tx.CreateBucketIfNotExists(bucketSealingRegister)
	if err != nil {
		return err
	}
	for _, ev := range c.Events[len(old.Events):] {
		kind := registerKind(ev.Action)
		if kind == "" {
			continue
		}
		organ := ev.OrganID
		if kind == RegisterUnsealed || kind == RegisterSealed || kind == RegisterRefused {
			// The deciding organ's register, also when the supervisor
			// confirmed the unsealing (R18).
			organ = c.DecidingOrganID
		}
		if organ == 0 {
			continue
		}
		raw, err := json.Marshal(registerEntry{Ref: c.Ref, Kind: kind, At: ev.At})
		if err != nil {
			return err
		}
		if err := reg.Put(registerKey(organ, portal.DateOf(ev.At), c.ID, kind), raw); err != nil {
			return err
		}
	}
	return nil
}

// backfillBatch is how many cases one transaction of the back-fill opens.
const backfillBatch = 500

// backfillWorkbench writes the workbench's indexes of the cases that existed
// before them, a batch per transaction, resuming where it stopped (the
// progress is in meta). Run by Open after the keys are loaded.
func (db *DB) backfillWorkbench() error {
	for {
		done := false
		err := db.update(func(tx kv.Tx) error {
			meta := tx.Bucket(bucketMeta)
			v := meta.Get(keyWorkbenchBackfill)
			if len(v) != 8 {
				done = true
				return nil
			}
			after := btoi(v)
			cur := tx.Bucket(bucketCases).Cursor()
			var k []byte
			if after == 0 {
				k, _ = cur.First()
			} else if k, _ = cur.Seek(itob(after)); k != nil && btoi(k) == after {
				k, _ = cur.Next()
			}
			var ids []uint64
			for ; k != nil && len(ids) < backfillBatch; k, _ = cur.Next() {
				if len(k) == 8 {
					ids = append(ids, btoi(k))
				}
			}
			for _, id := range ids {
				c, err := db.getCase(tx, id)
				if err != nil {
					return err
				}
				// As if the case were written now, from nothing: its card,
				// its search entries and a register row per registered step.
				if err := db.putWorkbench(tx, portal.Case{}, c); err != nil {
					return err
				}
				after = id
			}
			if len(ids) < backfillBatch {
				done = true
				return meta.Delete(keyWorkbenchBackfill)
			}
			return meta.Put(keyWorkbenchBackfill, itob(after))
		})
		if err != nil {
			return fmt.Errorf("store: workbench back-fill: %w", err)
		}
		if done {
			return nil
		}
	}
}

// WorkbenchRow is a case as the workbench lists it: no personal data.
type WorkbenchRow struct {
	CaseID         uint64
	Ref            string
	Status         portal.CaseStatus
	Due            portal.Date
	AwaitsCalendar bool
	Standing       string // decider, holder, or "" for the supervisor
	// Confirmable: the organ holds records of the sealed case and has not yet
	// confirmed their sealing (R12).
	Confirmable bool
	// Assignee is the organ's official in charge, 0 when none.
	Assignee uint64
}

func readCard(tx kv.Tx, id uint64) (caseCard, bool, error) {
	b := tx.Bucket(bucketWorkbenchCards)
	if b == nil {
		return caseCard{}, false, nil
	}
	raw := b.Get(itob(id))
	if raw == nil {
		return caseCard{}, false, nil
	}
	var card caseCard
	if err := json.Unmarshal(raw, &card); err != nil {
		return caseCard{}, false, fmt.Errorf("store: decode case card %d: %w", id, err)
	}
	return card, true, nil
}

func rowOf(tx kv.Tx, id uint64, card caseCard, organ uint64) WorkbenchRow {
	r := WorkbenchRow{CaseID: id, Ref: card.Ref, Status: card.Status, Due: card.Due, AwaitsCalendar: card.AwaitsCalendar,
		Standing: card.standing(organ)}
	r.Confirmable = card.Status == portal.StatusSealed && slices.Contains(card.Holders, organ) && !slices.Contains(card.Confirmed, organ) ||
		card.Status == portal.StatusUnsealing && slices.Contains(card.Holders, organ) && !slices.Contains(card.UnsealConfirmed, organ)
	if a, ok := readAssignment(tx, organ, id); ok {
		r.Assignee = a.To
	}
	return r
}

// maySeeCard is the workbench's access rule, the same as the case page's
// (handlers.staffActor): the supervisor sees every case, an organ's official
// the cases his organ decides or holds records of.
func maySeeCard(reader portal.Account, card caseCard) bool {
	if reader.Role == portal.RoleSupervisor {
		return true
	}
	return reader.Role.IsOrgan() && card.standing(reader.OrganID) != ""
}

// MaxSearchResults bounds one search's results.
const MaxSearchResults = 200

// SearchCases finds the cases the reader may see whose person has the
// identity number or the name, or whose deciding organ's case number is the
// term, through keyed hashes only: no case is opened (decrypted) and the cost
// grows with the number of matches, not of cases. The search is in the audit
// log with the kind of key and the number of results, never the term
// (R17). The results are kept for the reader alone for a short while
// (workbench_states), and their state's id is returned for the results
// page. Searches that arrive together share a commit (grouped,
// groupcommit.go): each is still audited in the transaction that finds it.
func (db *DB) SearchCases(reader portal.Account, kind portal.SearchKind, term, requestID string) (stateID uint64, n int, err error) {
	index, prefixes, err := db.searchKeys(kind, term)
	if err != nil {
		return 0, 0, err
	}
	err = db.grouped(func(tx kv.Tx) error {
		ids, err := visibleMatches(tx, reader, index, prefixes)
		if err != nil {
			return err
		}
		n = len(ids)
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseSearch, ActorID: reader.ID, ActorRole: reader.Role,
			Detail: string(kind) + ":" + strconv.Itoa(n), RequestID: requestID}); err != nil {
			return err
		}
		stateID, err = db.putState(tx, reader.ID, workbenchState{Kind: "search", SearchKind: kind, Cases: ids})
		return err
	})
	return stateID, n, err
}

// searchKeys is the index a search reads and the keyed hashes of its term
// under each lookup key (a blind-key rotation may be under way).
func (db *DB) searchKeys(kind portal.SearchKind, term string) (index []byte, prefixes [][]byte, err error) {
	switch kind {
	case portal.SearchIDNumber:
		num, err := portal.ParseIDNumber(term)
		if err != nil {
			return nil, nil, err
		}
		return bucketCasesByPerson, db.casePersonKeys(portal.Case{PersonIDNumber: num.String()}), nil
	case portal.SearchName:
		name := portal.NormalizeSearchName(term)
		if name == "" {
			return nil, nil, portal.Invalid("workbench.search_term_invalid")
		}
		return bucketWorkbenchSearch, db.crypt.blindLookup("wb_name", name), nil
	case portal.SearchCaseNumber:
		num, ok := portal.NormalizeCaseNumber(term)
		if !ok {
			return nil, nil, portal.Invalid("workbench.search_term_invalid")
		}
		return bucketWorkbenchSearch, db.crypt.blindLookup("wb_caseno", num), nil
	}
	return nil, nil, portal.Invalid("workbench.search_kind_invalid")
}

// visibleMatches lists the cases under the prefixes that the reader may
// see, at most MaxSearchResults: a cursor seek per lookup key and a card
// read per match, so the cost follows the matches, not the cases.
func visibleMatches(tx kv.Tx, reader portal.Account, index []byte, prefixes [][]byte) ([]uint64, error) {
	var ids []uint64
	b, cards := tx.Bucket(index), tx.Bucket(bucketWorkbenchCards)
	if b == nil || cards == nil {
		return nil, nil
	}
	for _, id := range idsUnder(b, prefixes) {
		raw := cards.Get(itob(id))
		if raw == nil {
			continue
		}
		// Only what the access rule reads: a common name's matches are
		// mostly other organs' cases, and decoding whole cards (the
		// deadline's date above all) was most of such a search's time.
		var card struct {
			Decider uint64   `json:"decider"`
			Holders []uint64 `json:"holders"`
		}
		if err := json.Unmarshal(raw, &card); err != nil {
			return nil, fmt.Errorf("store: decode case card %d: %w", id, err)
		}
		if maySeeCard(reader, caseCard{Decider: card.Decider, Holders: card.Holders}) {
			ids = append(ids, id)
		}
		if len(ids) == MaxSearchResults {
			break
		}
	}
	return ids, nil
}

// workbenchState is a results page's content: which cases, never a search
// term. Sealed all the same: which cases one person has is itself personal.
type workbenchState struct {
	Owner   uint64    `json:"owner"`
	Expires time.Time `json:"expires"`
	Kind    string    `json:"kind"` // search, bulk_confirm
	Cases   []uint64  `json:"cases,omitempty"`
	Failed  []string  `json:"failed,omitempty"` // references of cases a bulk step could not take
	Unknown int       `json:"unknown,omitempty"`
	// SearchKind is the kind of key a search used.
	SearchKind portal.SearchKind `json:"search,omitempty"`
}

// StateTTL is how long a results page can be reloaded.
const StateTTL = 15 * time.Minute

// workbenchStates is their stash: ids grow with time and every state lives
// StateTTL, so the sweep stops at the first one still live.
var workbenchStates = newStash(stash[workbenchState]{bucket: bucketWorkbenchStates, kind: kindWorkbenchState, field: "body",
	envelope: true, lazy: true, sealID: btoi, ttl: StateTTL,
	born:   func(st *workbenchState) time.Time { return st.Expires.Add(-StateTTL) },
	lapses: func(st *workbenchState) time.Time { return st.Expires },
	owner:  func(st *workbenchState) uint64 { return st.Owner }})

func (db *DB) putState(tx kv.Tx, owner uint64, st workbenchState) (uint64, error) {
	id, err := workbenchStates.nextID(tx)
	if err != nil {
		return 0, err
	}
	st.Owner, st.Expires = owner, db.now().Add(StateTTL)
	return id, workbenchStates.put(db, tx, itob(id), st)
}

// state reads a results state of its owner; anyone else's, or an expired
// one, is not found.
func (db *DB) state(tx kv.Tx, id, owner uint64) (workbenchState, error) {
	return workbenchStates.peek(db, tx, itob(id), owner)
}

// Results is a results page: the rows the reader may still see.
type Results struct {
	Kind       string
	SearchKind portal.SearchKind
	Rows       []WorkbenchRow
	Failed     []string
	Unknown    int
}

// WorkbenchResults reads a results state of the reader; access to each case
// is decided again (it may have changed since).
func (db *DB) WorkbenchResults(id uint64, reader portal.Account) (Results, error) {
	var out Results
	err := db.view(func(tx kv.Tx) error {
		st, err := db.state(tx, id, reader.ID)
		if err != nil {
			return err
		}
		out = Results{Kind: st.Kind, SearchKind: st.SearchKind, Failed: st.Failed, Unknown: st.Unknown}
		for _, cid := range st.Cases {
			card, ok, err := readCard(tx, cid)
			if err != nil {
				return err
			}
			if ok && maySeeCard(reader, card) {
				out.Rows = append(out.Rows, rowOf(tx, cid, card, reader.OrganID))
			}
		}
		return nil
	})
	return out, err
}

// SaveBulkResult keeps a bulk step's outcome for its results page.
func (db *DB) SaveBulkResult(owner uint64, done []uint64, failed []string, unknown int) (uint64, error) {
	var id uint64
	err := db.update(func(tx kv.Tx) error {
		var err error
		id, err = db.putState(tx, owner, workbenchState{Kind: "bulk_confirm", Cases: done, Failed: failed, Unknown: unknown})
		return err
	})
	return id, err
}

// WorkbenchRow reads the card of one case for the organ (ok false when the
// case is a draft or unknown).
func (db *DB) WorkbenchCase(id, organ uint64) (row WorkbenchRow, ok bool, err error) {
	err = db.view(func(tx kv.Tx) error {
		card, found, err := readCard(tx, id)
		if err != nil || !found {
			return err
		}
		row, ok = rowOf(tx, id, card, organ), true
		return nil
	})
	return row, ok, err
}

// assignment is a case_assignments value.
type assignment struct {
	To   uint64    `json:"to"`
	From uint64    `json:"from,omitempty"` // the official it was handed over from
	By   uint64    `json:"by"`
	At   time.Time `json:"at"`
}

func assignmentKey(organ, caseID uint64) []byte { return append(itob(organ), itob(caseID)...) }

func readAssignment(tx kv.Tx, organ, caseID uint64) (assignment, bool) {
	b := tx.Bucket(bucketAssignments)
	if b == nil || organ == 0 {
		return assignment{}, false
	}
	raw := b.Get(assignmentKey(organ, caseID))
	var a assignment
	if raw == nil || json.Unmarshal(raw, &a) != nil {
		return assignment{}, false
	}
	return a, true
}

// Assignment is who is in charge of a case for an organ.
type Assignment struct {
	To, From, By uint64
	At           time.Time
}

// CaseAssignment reads the organ's official in charge of a case.
func (db *DB) CaseAssignment(organ, caseID uint64) (Assignment, bool, error) {
	var out Assignment
	var ok bool
	err := db.view(func(tx kv.Tx) error {
		a, found := readAssignment(tx, organ, caseID)
		out, ok = Assignment(a), found
		return nil
	})
	return out, ok, err
}

// Assign puts an official of the organ in charge of a case (承办人), or hands
// it over from the one in charge. The organ must decide or hold records of
// the case, the new official must be an enabled official of the same organ.
// Audited with the organ and both officials' ids; the previous one keeps
// seeing the hand-over on the case page.
func (db *DB) Assign(caseID uint64, by portal.Account, to uint64, requestID string) error {
	return db.update(func(tx kv.Tx) error {
		card, ok, err := readCard(tx, caseID)
		if err != nil {
			return err
		}
		organ := by.OrganID
		if !ok || !by.Role.IsOrgan() || card.standing(organ) == "" {
			return portal.NotFound()
		}
		target, err := db.getAccount(tx, to)
		if err != nil || target.OrganID != organ || target.Role != by.Role || target.Disabled {
			return &portal.Error{Code: portal.CodeInvalid, Key: "workbench.assignee_invalid", Fields: map[string]string{"assignee": "workbench.assignee_invalid"}}
		}
		prev, had := readAssignment(tx, organ, caseID)
		if had && prev.To == to {
			return &portal.Error{Code: portal.CodeInvalid, Key: "workbench.assignee_same", Fields: map[string]string{"assignee": "workbench.assignee_same"}}
		}
		assigns, err := tx.CreateBucketIfNotExists(bucketAssignments)
		if err != nil {
			return err
		}
		byAssignee, err := tx.CreateBucketIfNotExists(bucketByAssignee)
		if err != nil {
			return err
		}
		if had {
			if err := byAssignee.Delete(append(itob(prev.To), itob(caseID)...)); err != nil {
				return err
			}
		}
		a := assignment{To: to, By: by.ID, At: db.now().UTC()}
		if had {
			a.From = prev.To
		}
		raw, err := json.Marshal(a)
		if err != nil {
			return err
		}
		if err := assigns.Put(assignmentKey(organ, caseID), raw); err != nil {
			return err
		}
		if err := byAssignee.Put(append(itob(to), itob(caseID)...), itob(organ)); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseAssigned, ActorID: by.ID, ActorRole: by.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: fmt.Sprintf("%d:%d:%d", organ, a.From, to), RequestID: requestID})
	})
}

// AssignedCases lists the cases the official is in charge of for his organ
// (the queue's "my cases"), newest case first, up to limit.
func (db *DB) AssignedCases(official portal.Account, limit int) ([]WorkbenchRow, error) {
	var out []WorkbenchRow
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketByAssignee)
		if b == nil {
			return nil
		}
		prefix := itob(official.ID)
		cur := b.Cursor()
		// Newest first: walk back from the end of the account's keys.
		k, v := cur.Seek(itob(official.ID + 1))
		if k == nil {
			k, v = cur.Last()
		} else {
			k, v = cur.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = cur.Prev() {
			if btoi(v) != official.OrganID {
				continue // assigned while in another organ
			}
			id := btoi(k[8:])
			card, ok, err := readCard(tx, id)
			if err != nil {
				return err
			}
			if ok && card.standing(official.OrganID) != "" {
				out = append(out, rowOf(tx, id, card, official.OrganID))
			}
		}
		return nil
	})
	return out, err
}

// RegisterRow is a row of the sealing register.
type RegisterRow struct {
	CaseID uint64
	Ref    string
	Kind   string
	Day    portal.Date
	At     time.Time
}

// MaxRegisterRows bounds one register page or export.
const MaxRegisterRows = 10000

// SealingRegister lists what the organ sealed, refused, confirmed and
// unsealed from one day to another (both included), by day. truncated says
// the period holds more than MaxRegisterRows.
func (db *DB) SealingRegister(organ uint64, from, to portal.Date) (rows []RegisterRow, truncated bool, err error) {
	err = db.view(func(tx kv.Tx) error {
		rows, truncated, err = registerRows(tx, organ, from, to)
		return err
	})
	return rows, truncated, err
}

func registerRows(tx kv.Tx, organ uint64, from, to portal.Date) ([]RegisterRow, bool, error) {
	b := tx.Bucket(bucketSealingRegister)
	if b == nil || organ == 0 {
		return nil, false, nil
	}
	var out []RegisterRow
	start := append(itob(organ), dueKey(from)...)
	end := binary.BigEndian.Uint32(dueKey(to))
	prefix := itob(organ)
	cur := b.Cursor()
	for k, v := cur.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if binary.BigEndian.Uint32(k[8:12]) > end {
			break
		}
		if len(out) == MaxRegisterRows {
			return out, true, nil
		}
		var e registerEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, false, fmt.Errorf("store: decode register row: %w", err)
		}
		out = append(out, RegisterRow{CaseID: btoi(k[12:20]), Ref: e.Ref, Kind: e.Kind, Day: dateFromKey(k[8:12]), At: e.At})
	}
	return out, false, nil
}

// ExportSealingRegister is SealingRegister for a download, written to the
// audit log with the period and the number of rows in the same transaction.
func (db *DB) ExportSealingRegister(reader portal.Account, from, to portal.Date, requestID string) ([]RegisterRow, bool, error) {
	var rows []RegisterRow
	var truncated bool
	err := db.update(func(tx kv.Tx) error {
		var err error
		if rows, truncated, err = registerRows(tx, reader.OrganID, from, to); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditRegisterExport, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: "organ", SubjectID: reader.OrganID, Detail: fmt.Sprintf("%s:%s:%d", from, to, len(rows)), RequestID: requestID})
	})
	return rows, truncated, err
}

// OrganCounts are the pending items of an organ's other queues, read from
// their index rows (no record is opened).
type OrganCounts struct {
	Queries, Certificates, Corrections int
}

// CountPending counts the organ's pending queries (R16), certificate requests
// (R14, police only) and unanswered correction notices (R24).
func (db *DB) CountPending(organ uint64) (OrganCounts, error) {
	var out OrganCounts
	if organ == 0 {
		return out, nil
	}
	err := db.view(func(tx kv.Tx) error {
		prefix := itob(organ)
		decided := dueKey(portal.Date{})
		if b := tx.Bucket(bucketQueriesByOrgan); b != nil {
			cur := b.Cursor()
			for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
				if len(k) >= 12 && !bytes.Equal(k[8:12], decided) {
					out.Queries++
				}
			}
		}
		if b := tx.Bucket(bucketCertQueue); b != nil {
			cur := b.Cursor()
			for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
				if len(k) >= 12 && !bytes.Equal(k[8:12], decided) {
					out.Certificates++
				}
			}
		}
		if b := tx.Bucket(bucketNotices); b != nil {
			cur := b.Cursor()
			for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
				var e struct {
					Answered bool `json:"answered"`
				}
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("store: decode correction notice row: %w", err)
				}
				if !e.Answered {
					out.Corrections++
				}
			}
		}
		return nil
	})
	return out, err
}

// ApplyAll takes several steps of the procedure on a case in one
// transaction (issue 18: "accept and start review"): each step goes through
// the state machine, the timeline and the audit log exactly as Apply would
// take it, and either all are taken or none.
func (db *DB) ApplyAll(caseID uint64, steps []Step, cal *portal.Calendar) (portal.Case, error) {
	var c portal.Case
	err := db.update(func(tx kv.Tx) error {
		var err error
		if c, err = db.getCase(tx, caseID); err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		for _, st := range steps {
			if c, err = db.applyStep(tx, c, st, cal, today); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err
}

// BulkConfirmable reports, from the cards, which of the cases the organ may
// confirm the sealing of now (R12): the queue's check boxes.
func (db *DB) BulkConfirmable(organ uint64, ids []uint64) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	err := db.view(func(tx kv.Tx) error {
		for _, id := range ids {
			card, ok, err := readCard(tx, id)
			if err != nil {
				return err
			}
			if ok && rowOf(tx, id, card, organ).Confirmable {
				out[id] = true
			}
		}
		return nil
	})
	return out, err
}
