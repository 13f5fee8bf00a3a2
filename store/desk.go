package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The desk (issue 16): a citizen account's list of cases — the lawyer's
// dashboard of every client's case, a guardian's, a person's — read per page
// without decrypting more than the page shows. Indexes per account, written
// in the same transaction as the case (putCase, link, DeleteDraft) or the
// message (AddMessage):
//
//	desk_by_account        account | due (4 bytes) | ^case id -> status   (the list's order: nearest
//	                       deadline first, no deadline last, newest first; a final case counts as
//	                       having no deadline)
//	desk_rows              account | case id -> due (4 bytes)   (where the row above is)
//	desk_counts            account -> count of its rows (8 bytes)
//	desk_returned          account | due | ^case id -> ""   (cases returned for correction)
//	desk_awaiting_reply    account | due | ^case id -> ""   (an organ's message is newer than
//	                       the account's last message on the case)
//
// The two action indexes are keyed in the list's order, like desk_by_account,
// so that "needs your action" is a merge of three ordered walks: its first
// page costs what it shows, however many cases the account has.
//	desk_by_name           account | HMAC("desk_name", normalized person name) | case id -> ""
//	desk_by_organ_case_no  account | HMAC("desk_organ_case_no", normalized organ case number) | case id -> ""
//	desk_searches          account | SHA-256(search cookie) -> AES-GCM(JSON{term, expires})
//
// The two keyed-hash indexes are recomputable (re-indexed by a blind-key
// rotation from the cases, source "desk"). Statuses and reference-free
// dates are no personal data; names and case numbers are only ever hashed
// under the blind key or sealed.

var (
	bucketDeskByAccount  = []byte("desk_by_account")
	bucketDeskRows       = []byte("desk_rows")
	bucketDeskCounts     = []byte("desk_counts")
	bucketDeskReturned   = []byte("desk_returned")
	bucketDeskAwaiting   = []byte("desk_awaiting_reply")
	bucketDeskByName     = []byte("desk_by_name")
	bucketDeskByOrganNo  = []byte("desk_by_organ_case_no")
	bucketDeskSearches   = []byte("desk_searches")
	keyDeskBuildProgress = []byte("desk_build_after")
)

const (
	kindDeskSearch       = "desk_search"
	blindDeskName        = "desk_name"
	blindDeskOrganCaseNo = "desk_organ_case_no"
	// migrationDeskName names the migration that adds the desk's indexes
	// (tests find it by name: the integrator may renumber it).
	migrationDeskName = "the desk: per-account list order, needs-your-action and search indexes by name and organ case number"
)

func deskBuckets() [][]byte {
	return [][]byte{bucketDeskByAccount, bucketDeskRows, bucketDeskCounts, bucketDeskReturned, bucketDeskAwaiting,
		bucketDeskByName, bucketDeskByOrganNo, bucketDeskSearches}
}

// The desk registers its buckets, sealed values and recomputable blind
// indexes here rather than in the shared lists (rotate.go, blindkeys.go),
// which several areas extend at once; its migration is in migrate.go.
func init() {
	sealedBuckets = append(sealedBuckets, sealedBucket{bucket: bucketDeskSearches, kind: kindDeskSearch, fields: []string{"term"},
		at: func(k []byte, _ string, _ uint64) (uint64, string) { return btoi(k[:8]), "term" }})
	for name, why := range map[string]string{
		"desk_by_account":       "account id | due | case id -> status (no personal data)",
		"desk_rows":             "account id | case id -> due",
		"desk_counts":           "account id -> number of cases",
		"desk_returned":         "account id | case id",
		"desk_awaiting_reply":   "account id | case id",
		"desk_by_name":          "account id | keyed hash of the person's normalized name | case id",
		"desk_by_organ_case_no": "account id | keyed hash of the organ's normalized case number | case id",
	} {
		plaintextBuckets[name] = why
	}
	reindexSources = append(reindexSources, reindexSource{"desk", bucketCases, func(db *DB, tx kv.Tx, id uint64, _ []byte, bl blindFunc) ([]blindEntry, error) {
		c, err := db.getCase(tx, id)
		if err != nil {
			return nil, err
		}
		var out []blindEntry
		for _, acct := range caseAccountIDs(tx, id) {
			out = append(out, deskBlindEntries(bl, acct, c)...)
		}
		return out, nil
	}})
}

// migrateDesk creates the desk's buckets; Open builds their rows.
func migrateDesk(tx kv.Tx) error {
	for _, b := range deskBuckets() {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	// The rows need the cases decrypted, which the keyring opened after
	// the migrations allows: Open finishes the build (deskBuild) in
	// batches from this mark.
	return tx.Bucket(bucketMeta).Put(keyDeskBuildProgress, itob(0))
}

// deskBlindEntries are a case's keyed-hash entries for one account.
func deskBlindEntries(bl blindFunc, account uint64, c portal.Case) []blindEntry {
	var out []blindEntry
	if n := portal.NormalizeName(c.PersonName); n != "" {
		out = append(out, blindEntry{bucketDeskByName, deskHashKey(account, bl(blindDeskName, n), c.ID)})
	}
	if n := deskCaseNo(c.OrganCaseNumber); n != "" {
		out = append(out, blindEntry{bucketDeskByOrganNo, deskHashKey(account, bl(blindDeskOrganCaseNo, n), c.ID)})
	}
	return out
}

// deskCaseNo is an organ's case number as compared (portal.NormalizeCaseNumber),
// "" for none.
func deskCaseNo(s string) string {
	n, _ := portal.NormalizeCaseNumber(s)
	return n
}

func deskHashKey(account uint64, hash []byte, caseID uint64) []byte {
	k := make([]byte, 0, 16+len(hash))
	k = append(k, itob(account)...)
	k = append(k, hash...)
	return append(k, itob(caseID)...)
}

func pairKey(a, b uint64) []byte { return append(itob(a), itob(b)...) }

// deskDue is where a case sorts on the desk: by its deadline while it is
// open, after every dated case while its deadline waits for the calendar,
// last once final or without a deadline.
func deskDue(c portal.Case) []byte {
	if c.Status.Final() || c.Status == portal.StatusDraft {
		return dueKey(portal.Date{})
	}
	return dueKeyOf(c.Due, c.DueAwaitsCalendar)
}

func deskOrderKey(account uint64, due []byte, caseID uint64) []byte {
	k := make([]byte, 0, 20)
	k = append(k, itob(account)...)
	k = append(k, due...)
	return append(k, itob(^caseID)...)
}

// caseAccountIDs lists the accounts linked to a case.
func caseAccountIDs(tx kv.Tx, caseID uint64) []uint64 {
	var out []uint64
	prefix := itob(caseID)
	cur := tx.Bucket(bucketCaseAccounts).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		out = append(out, btoi(k[8:]))
	}
	return out
}

// deskReady reports whether the desk's buckets exist (a database migrated
// by an older build within a test has none; every write skips them then).
func deskReady(tx kv.Tx) bool { return tx.Bucket(bucketDeskByAccount) != nil }

// deskPut brings every linked account's desk rows from old to c (putCase).
func (db *DB) deskPut(tx kv.Tx, old, c portal.Case) error {
	if !deskReady(tx) {
		return nil
	}
	for _, acct := range caseAccountIDs(tx, c.ID) {
		if err := db.deskRow(tx, acct, old, c); err != nil {
			return err
		}
	}
	return nil
}

// deskLink adds the desk row of a case newly linked to an account (link).
// A case not yet written gets its rows from putCase.
func (db *DB) deskLink(tx kv.Tx, account, caseID uint64) error {
	if !deskReady(tx) || tx.Bucket(bucketCases).Get(itob(caseID)) == nil {
		return nil
	}
	c, err := db.getCase(tx, caseID)
	if err != nil {
		return err
	}
	return db.deskRow(tx, account, portal.Case{}, c)
}

// deskRow writes one account's rows of a case; old is the case as its rows
// were written (zero when unknown: then only the current entries are put).
func (db *DB) deskRow(tx kv.Tx, account uint64, old, c portal.Case) error {
	rows, order := tx.Bucket(bucketDeskRows), tx.Bucket(bucketDeskByAccount)
	rk := pairKey(account, c.ID)
	due := deskDue(c)
	key := deskOrderKey(account, due, c.ID)
	ret, awaiting := tx.Bucket(bucketDeskReturned), tx.Bucket(bucketDeskAwaiting)
	if prev := rows.Get(rk); prev != nil {
		prevKey := deskOrderKey(account, prev, c.ID)
		if err := order.Delete(prevKey); err != nil {
			return err
		}
		if err := ret.Delete(prevKey); err != nil {
			return err
		}
		if awaiting.Get(prevKey) != nil {
			if err := awaiting.Delete(prevKey); err != nil {
				return err
			}
			if err := awaiting.Put(key, nil); err != nil {
				return err
			}
		}
	} else if err := deskCount(tx, account, 1); err != nil {
		return err
	}
	if err := rows.Put(rk, due); err != nil {
		return err
	}
	if err := order.Put(key, []byte(c.Status)); err != nil {
		return err
	}
	if c.Status == portal.StatusReturned {
		if err := ret.Put(key, nil); err != nil {
			return err
		}
	}
	if old.ID != 0 && (portal.NormalizeName(old.PersonName) != portal.NormalizeName(c.PersonName) ||
		deskCaseNo(old.OrganCaseNumber) != deskCaseNo(c.OrganCaseNumber)) {
		if err := db.deskDeleteHashes(tx, account, old); err != nil {
			return err
		}
	}
	for _, e := range deskBlindEntries(db.crypt.blind, account, c) {
		if err := tx.Bucket(e.bucket).Put(e.key, nil); err != nil {
			return err
		}
	}
	return nil
}

// deskDeleteHashes deletes a case's keyed-hash entries of one account under
// every lookup key (a re-index may be running).
func (db *DB) deskDeleteHashes(tx kv.Tx, account uint64, c portal.Case) error {
	for _, k := range db.crypt.lookupKeys() {
		for _, e := range deskBlindEntries(k.blind, account, c) {
			if err := tx.Bucket(e.bucket).Delete(e.key); err != nil {
				return err
			}
		}
	}
	return nil
}

// deskUnlink removes every desk entry of a case for an account (a draft
// deleted).
func (db *DB) deskUnlink(tx kv.Tx, account uint64, c portal.Case) error {
	if !deskReady(tx) {
		return nil
	}
	rk := pairKey(account, c.ID)
	rows := tx.Bucket(bucketDeskRows)
	if prev := rows.Get(rk); prev != nil {
		prevKey := deskOrderKey(account, prev, c.ID)
		for _, b := range [][]byte{bucketDeskByAccount, bucketDeskReturned, bucketDeskAwaiting} {
			if err := tx.Bucket(b).Delete(prevKey); err != nil {
				return err
			}
		}
		if err := rows.Delete(rk); err != nil {
			return err
		}
		if err := deskCount(tx, account, -1); err != nil {
			return err
		}
	}
	return db.deskDeleteHashes(tx, account, c)
}

func deskCount(tx kv.Tx, account uint64, delta int64) error {
	b := tx.Bucket(bucketDeskCounts)
	var n int64
	if v := b.Get(itob(account)); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v)) // #nosec G115 -- a count this code wrote
	}
	n += delta
	if n <= 0 {
		return b.Delete(itob(account))
	}
	return b.Put(itob(account), itob(uint64(n))) // #nosec G115 -- n > 0
}

// deskMessage keeps "awaiting your reply" in step with a new message: an
// organ's message awaits every linked account's reply; an account's own
// message answers it (AddMessage, importMessage).
func deskMessage(tx kv.Tx, m portal.Message) error {
	if !deskReady(tx) {
		return nil
	}
	b, rows := tx.Bucket(bucketDeskAwaiting), tx.Bucket(bucketDeskRows)
	// keyOf is the entry's key in the list's order; nil when the account
	// has no row of the case.
	keyOf := func(acct uint64) []byte {
		due := rows.Get(pairKey(acct, m.CaseID))
		if due == nil {
			return nil
		}
		return deskOrderKey(acct, due, m.CaseID)
	}
	if m.FromRole.IsStaff() {
		for _, acct := range caseAccountIDs(tx, m.CaseID) {
			if k := keyOf(acct); k != nil {
				if err := b.Put(k, nil); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if k := keyOf(m.From); m.From != 0 && k != nil {
		return b.Delete(k)
	}
	return nil
}

// deskBuildBatch is how many cases one transaction of the build indexes.
const deskBuildBatch = 500

// deskBuild indexes the cases written before the desk existed, in batches
// from the progress mark the migration left, so that a crash resumes where
// it stopped; the mark is removed at the end. It also rewrites each case's
// summary (which now carries the organ's case number). Open runs it once
// the keyring is open.
func (db *DB) deskBuild() error {
	for {
		done := false
		err := db.update(func(tx kv.Tx) error {
			meta := tx.Bucket(bucketMeta)
			mark := meta.Get(keyDeskBuildProgress)
			if mark == nil {
				done = true
				return nil
			}
			after := btoi(mark)
			cur := tx.Bucket(bucketCases).Cursor()
			var k, v []byte
			if after == 0 {
				k, v = cur.First()
			} else if k, v = cur.Seek(itob(after)); k != nil && btoi(k) == after {
				k, v = cur.Next()
			}
			var ids []uint64
			for ; k != nil && len(ids) < deskBuildBatch; k, v = cur.Next() {
				if len(k) == 8 && v != nil {
					ids = append(ids, btoi(k))
				}
			}
			for _, id := range ids {
				if err := db.deskBuildCase(tx, id); err != nil {
					return err
				}
			}
			if len(ids) < deskBuildBatch {
				done = true
				return meta.Delete(keyDeskBuildProgress)
			}
			return meta.Put(keyDeskBuildProgress, itob(ids[len(ids)-1]))
		})
		if err != nil {
			return fmt.Errorf("store: build the desk's indexes: %w", err)
		}
		if done {
			return nil
		}
	}
}

// deskBuildCase indexes one existing case for its accounts, including who
// owes a reply to the organs' messages.
func (db *DB) deskBuildCase(tx kv.Tx, id uint64) error {
	c, err := db.getCase(tx, id)
	if err != nil {
		return err
	}
	if err := db.putCaseSummary(tx, c); err != nil {
		return err
	}
	if err := db.deskPut(tx, portal.Case{}, c); err != nil {
		return err
	}
	prefix := itob(id)
	cur := tx.Bucket(bucketMessages).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		var m portal.Message
		if err := db.crypt.openJSON(kindMessage, btoi(k[8:]), fmt.Sprintf("case:%d", id), v, &m); err != nil {
			return err
		}
		m.CaseID = id
		if err := deskMessage(tx, m); err != nil {
			return err
		}
	}
	return nil
}

// DeskRow is a row of the desk: the list row from the case's summary and
// why it needs the account's action.
type DeskRow struct {
	CaseListRow
	OrganCaseNo   string
	Returned      bool // returned for correction
	AwaitingReply bool // an organ's message is newer than the account's last reply
	DueSoon       bool // the deadline falls within three working days (or has passed)
}

// DeskQuery asks for one page of an account's desk.
type DeskQuery struct {
	Page   int               // 1-based; out of range is clamped
	Status portal.CaseStatus // "" for every status
	Term   string            // a search: a client's name, a reference or an organ's case number; "" for none
	Soon   portal.Date       // the last day of "within three working days" (portal.DeskSoonLimit)
}

// DeskView is one page of the desk.
type DeskView struct {
	Action      []DeskRow // needs your action: at most portal.DeskActionSize
	ActionTotal int
	Rows        []DeskRow
	Total       int // rows matching the filter and search
	Page, Pages int
	All         int // every case of the account
}

// Desk reads one page of an account's desk in one transaction, decrypting
// only the summaries of the rows it returns: the needs-your-action section
// (at most portal.DeskActionSize) and the page.
func (db *DB) Desk(account uint64, q DeskQuery) (DeskView, error) {
	var out DeskView
	err := db.view(func(tx kv.Tx) error {
		if !deskReady(tx) {
			return fmt.Errorf("store: the desk's indexes are missing")
		}
		if v := tx.Bucket(bucketDeskCounts).Get(itob(account)); len(v) == 8 {
			out.All = int(btoi(v)) // #nosec G115 -- a count this code wrote
		}
		action, total := deskAction(tx, account, q.Soon, portal.DeskActionSize)
		out.ActionTotal = total
		page := max(q.Page, 1)
		var ids []uint64
		switch {
		case q.Term != "":
			ids, out.Total = db.deskSearchPage(tx, account, q, &page)
		case q.Status != "":
			ids, out.Total = deskFilteredPage(tx, account, q.Status, &page)
		default:
			out.Total = out.All
			page = min(page, max(1, (out.Total+portal.DeskPageSize-1)/portal.DeskPageSize))
			ids = deskWalk(tx, account, (page-1)*portal.DeskPageSize, portal.DeskPageSize)
		}
		out.Page, out.Pages = page, max(1, (out.Total+portal.DeskPageSize-1)/portal.DeskPageSize)
		reasons := map[uint64]DeskRow{}
		for _, a := range action {
			reasons[a.CaseID] = a
		}
		cache := map[uint64]DeskRow{}
		row := func(id uint64) (DeskRow, error) {
			if r, ok := cache[id]; ok {
				return r, nil
			}
			r, err := db.deskSummary(tx, account, id)
			if err != nil {
				return r, err
			}
			a := reasons[id]
			r.Returned, r.AwaitingReply, r.DueSoon = a.Returned, a.AwaitingReply, a.DueSoon
			cache[id] = r
			return r, nil
		}
		for _, a := range action {
			r, err := row(a.CaseID)
			if err != nil {
				return err
			}
			out.Action = append(out.Action, r)
		}
		for _, id := range ids {
			r, err := row(id)
			if err != nil {
				return err
			}
			out.Rows = append(out.Rows, r)
		}
		return nil
	})
	return out, err
}

// deskAction lists the first n of the account's cases that need its action,
// in the list's order, and how many there are, from the indexes alone: a
// merge of three walks in the same order — returned for correction,
// awaiting a reply, and the list itself up to the "soon" deadline — with no
// decryption and no allocation per case beyond the n returned.
func deskAction(tx kv.Tx, account uint64, soon portal.Date, n int) ([]DeskRow, int) {
	prefix := itob(account)
	type stream struct {
		cur kv.Cursor
		key []byte
	}
	var limit uint32
	if !soon.IsZero() {
		limit = binary.BigEndian.Uint32(dueKey(soon))
	}
	open := func(b []byte) *stream {
		st := &stream{cur: tx.Bucket(b).Cursor()}
		st.key, _ = st.cur.Seek(prefix)
		return st
	}
	streams := [3]*stream{open(bucketDeskReturned), open(bucketDeskAwaiting), open(bucketDeskByAccount)}
	live := func(i int) bool {
		k := streams[i].key
		if k == nil || !bytes.HasPrefix(k, prefix) {
			return false
		}
		return i != 2 || binary.BigEndian.Uint32(k[8:12]) <= limit
	}
	var out []DeskRow
	var buf [20]byte
	total := 0
	for {
		var least []byte
		for i := range streams {
			if live(i) && (least == nil || bytes.Compare(streams[i].key, least) < 0) {
				least = streams[i].key
			}
		}
		if least == nil {
			return out, total
		}
		least = append(buf[:0], least...)
		var r DeskRow
		for i := range streams {
			if live(i) && bytes.Equal(streams[i].key, least) {
				switch i {
				case 0:
					r.Returned = true
				case 1:
					r.AwaitingReply = true
				case 2:
					r.DueSoon = true
				}
				streams[i].key, _ = streams[i].cur.Next()
			}
		}
		total++
		if len(out) < n {
			r.CaseID = ^btoi(least[12:])
			out = append(out, r)
		}
	}
}

// deskWalk lists up to n case ids of the account in the desk's order after
// skipping skip (no decryption).
func deskWalk(tx kv.Tx, account uint64, skip, n int) []uint64 {
	var ids []uint64
	prefix := itob(account)
	cur := tx.Bucket(bucketDeskByAccount).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(ids) < n; k, _ = cur.Next() {
		if skip > 0 {
			skip--
			continue
		}
		ids = append(ids, ^btoi(k[12:]))
	}
	return ids
}

// deskFilteredPage is the page of the account's cases in one status, and
// how many there are (the statuses are read from the index, not the cases).
func deskFilteredPage(tx kv.Tx, account uint64, st portal.CaseStatus, page *int) ([]uint64, int) {
	var all []uint64
	prefix := itob(account)
	cur := tx.Bucket(bucketDeskByAccount).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if portal.CaseStatus(v) == st {
			all = append(all, ^btoi(k[12:]))
		}
	}
	return pageOf(all, page), len(all)
}

func pageOf(all []uint64, page *int) []uint64 {
	pages := max(1, (len(all)+portal.DeskPageSize-1)/portal.DeskPageSize)
	*page = min(max(*page, 1), pages)
	from := (*page - 1) * portal.DeskPageSize
	return all[min(from, len(all)):min(from+portal.DeskPageSize, len(all))]
}

// deskSearchPage finds the account's cases whose client's name, reference
// or organ's case number is the term, through the keyed-hash indexes (no
// case is decrypted to search), in the desk's order, and returns a page.
func (db *DB) deskSearchPage(tx kv.Tx, account uint64, q DeskQuery, page *int) ([]uint64, int) {
	ids := db.deskSearch(tx, account, q.Term)
	rows, order := tx.Bucket(bucketDeskRows), tx.Bucket(bucketDeskByAccount)
	type keyed struct {
		key []byte
		id  uint64
	}
	var list []keyed
	for _, id := range ids {
		due := rows.Get(pairKey(account, id))
		if due == nil {
			continue
		}
		k := deskOrderKey(account, due, id)
		if q.Status != "" && portal.CaseStatus(order.Get(k)) != q.Status {
			continue
		}
		list = append(list, keyed{k, id})
	}
	slices.SortFunc(list, func(a, b keyed) int { return bytes.Compare(a.key, b.key) })
	all := make([]uint64, len(list))
	for i, k := range list {
		all[i] = k.id
	}
	return pageOf(all, page), len(all)
}

// deskSearch is the set of the account's case ids matching the term: the
// exact normalized name, the organ's normalized case number, or the
// reference (a case of another account never matches).
func (db *DB) deskSearch(tx kv.Tx, account uint64, term string) []uint64 {
	seen := map[uint64]bool{}
	var ids []uint64
	add := func(list []uint64) {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if n := portal.NormalizeName(term); n != "" {
		add(idsUnder(tx.Bucket(bucketDeskByName), db.lookupWith(func(bl blindFunc) []byte {
			return append(itob(account), bl(blindDeskName, n)...)
		})))
	}
	if n := deskCaseNo(term); n != "" {
		add(idsUnder(tx.Bucket(bucketDeskByOrganNo), db.lookupWith(func(bl blindFunc) []byte {
			return append(itob(account), bl(blindDeskOrganCaseNo, n)...)
		})))
		if v := tx.Bucket(bucketCasesByRef).Get([]byte(n)); len(v) == 8 {
			if tx.Bucket(bucketCasesByAccount).Get(pairKey(account, btoi(v))) != nil {
				add([]uint64{btoi(v)})
			}
		}
	}
	return ids
}

// deskSummary reads one row from the case's summary (the whole case for a
// case written before summaries existed).
func (db *DB) deskSummary(tx kv.Tx, account, id uint64) (DeskRow, error) {
	var s caseSummary
	if raw := bucketGet(tx.Bucket(bucketCaseSummaries), itob(id)); raw != nil {
		var err error
		if s, err = db.openSummary(id, raw); err != nil {
			return DeskRow{}, err
		}
	} else {
		c, err := db.getCase(tx, id)
		if err != nil {
			return DeskRow{}, err
		}
		s = summarize(c)
	}
	rel := Relation(tx.Bucket(bucketCasesByAccount).Get(pairKey(account, id)))
	return DeskRow{CaseListRow: CaseListRow{CaseID: id, Relation: rel, Ref: s.Ref, Status: s.Status, Due: s.Due,
		Decider: s.Decider, Holders: s.Holders, Pending: s.Pending, PersonName: s.PersonName, DueAwaitsCalendar: s.AwaitsCalendar},
		OrganCaseNo: s.OrganCaseNo}, nil
}

// deskSearchState is a search kept on the server: the term never travels in
// a URL (it is personal data), only an unguessable cookie names it.
type deskSearchState struct {
	Term    string    `json:"term"`
	Expires time.Time `json:"expires"`
}

// DeskSearchTTL is how long a search is kept.
const DeskSearchTTL = 30 * time.Minute

func deskSearchKey(account uint64, token string) []byte {
	h := sha256.Sum256([]byte(token))
	return append(itob(account), h[:]...)
}

// deskSearches is their stash: the key starts with the account, which the
// sealed term is bound to, and a write sweeps that account's searches.
var deskSearches = newStash(stash[deskSearchState]{bucket: bucketDeskSearches, kind: kindDeskSearch, field: "term",
	sealID: func(k []byte) uint64 { return btoi(k[:8]) }, prefix: 8,
	lapses: func(st *deskSearchState) time.Time { return st.Expires }})

// PutDeskSearch keeps an account's search term, sealed, under the SHA-256 of
// the cookie token; the account's expired searches are dropped on the way.
func (db *DB) PutDeskSearch(account uint64, token, term string) error {
	return db.update(func(tx kv.Tx) error {
		return deskSearches.put(db, tx, deskSearchKey(account, token), deskSearchState{Term: term, Expires: db.now().Add(DeskSearchTTL)})
	})
}

// DeskSearch is the account's kept search term under the cookie token, ""
// when there is none or it expired.
func (db *DB) DeskSearch(account uint64, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	var term string
	err := db.view(func(tx kv.Tx) error {
		st, err := deskSearches.peek(db, tx, deskSearchKey(account, token), 0)
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return nil
		}
		term = st.Term
		return err
	})
	return term, err
}

// ClearDeskSearch forgets the search under the cookie token.
func (db *DB) ClearDeskSearch(account uint64, token string) error {
	return db.update(func(tx kv.Tx) error { return deskSearches.drop(db, tx, deskSearchKey(account, token)) })
}
