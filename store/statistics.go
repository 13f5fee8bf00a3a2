package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Statistics (issue 17): counters the supervisor's and the organs' statistics
// pages read, so that no page scans or decrypts records at national scale.
//
//	statistics          itob(organ; 0 = no organ) | yyyymm (4 bytes) | measure -> itob(count)
//	statistics_sources  kind (1 byte) | itob(record id) -> JSON statMemo: the counter keys the record
//	                    adds to now (and for a case the events counted and the deadline in force)
//
// Every write of a case, relief request, leak report, query or certificate
// calls one hook (putStatistics) in the same transaction: it computes the
// record's counter keys, compares them with the memo of what the record added
// before, and moves the counters by the difference. The counters are thus
// always the sum of the memos, whatever happens between two writes (a
// calendar year loaded, a record restated), and a recount from the records
// gives the same numbers (TestStatisticsMatchARecount). Neither bucket holds
// personal data: organ ids, months, measure names and counts.

var (
	bucketStatistics        = []byte("statistics")
	bucketStatisticsSources = []byte("statistics_sources")
	keyStatisticsBackfill   = []byte("statistics_backfill")
)

// Record kinds of statistics_sources.
const (
	statCase        byte = 'c'
	statRelief      byte = 'r'
	statLeak        byte = 'l'
	statQuery       byte = 'q'
	statCertificate byte = 'x'
)

func init() {
	plaintextBuckets["statistics"] = "organ id | month | measure name -> a count (no personal data)"
	plaintextBuckets["statistics_sources"] = "record kind | record id -> the counter keys it adds to, events counted, deadline in force (no personal data)"
}

// migrationStatisticsName names the migration (tests find it by name).
const migrationStatisticsName = "statistics counters by organ, month and measure (issue 17)"

// migrateStatistics creates the buckets and asks for a back-fill of the
// existing records, which needs the keys and so runs after Open has loaded
// them (backfillStatistics).
func migrateStatistics(tx kv.Tx) error {
	for _, b := range [][]byte{bucketStatistics, bucketStatisticsSources} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Put(keyStatisticsBackfill, []byte{statCase})
}

// statKey is one counter: an organ, a month, a measure.
type statKey struct {
	Organ   uint64 `json:"o,omitempty"`
	Month   uint32 `json:"m"`
	Measure string `json:"x"`
}

func (k statKey) bytes() []byte {
	b := make([]byte, 0, 12+len(k.Measure))
	b = append(b, itob(k.Organ)...)
	b = binary.BigEndian.AppendUint32(b, k.Month)
	return append(b, k.Measure...)
}

func sk(organ uint64, at portal.Month, measure string) statKey {
	return statKey{Organ: organ, Month: at.Key(), Measure: measure}
}

// statMemo is what a record adds to the counters. For a case, Events is how
// many of its events are counted, and Due/Awaits the deadline in force after
// them (the deadline the next step is measured against).
type statMemo struct {
	Keys   []statKey   `json:"k,omitempty"`
	Events int         `json:"n,omitempty"`
	Due    portal.Date `json:"d,omitzero"`
	Awaits bool        `json:"a,omitempty"`
}

func statSourceKey(kind byte, id uint64) []byte { return append([]byte{kind}, itob(id)...) }

func getStatMemo(tx kv.Tx, kind byte, id uint64) (statMemo, bool, error) {
	var m statMemo
	b := tx.Bucket(bucketStatisticsSources)
	if b == nil {
		return m, false, nil
	}
	v := b.Get(statSourceKey(kind, id))
	if v == nil {
		return m, true, nil
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, false, fmt.Errorf("store: decode statistics memo: %w", err)
	}
	return m, true, nil
}

// restate moves the counters from what the record added before (its memo)
// to next, and keeps next as its memo.
func restate(tx kv.Tx, kind byte, id uint64, prev, next statMemo) error {
	b, src := tx.Bucket(bucketStatistics), tx.Bucket(bucketStatisticsSources)
	delta := map[statKey]int64{}
	for _, k := range prev.Keys {
		delta[k]--
	}
	for _, k := range next.Keys {
		delta[k]++
	}
	for k, d := range delta {
		if d == 0 {
			continue
		}
		kb := k.bytes()
		var n int64
		if v := b.Get(kb); len(v) == 8 {
			n = int64(btoi(v)) // #nosec G115 -- counts are stored only when > 0
		}
		if n += d; n <= 0 {
			if err := b.Delete(kb); err != nil {
				return err
			}
		} else if err := b.Put(kb, itob(uint64(n))); err != nil {
			return err
		}
	}
	if len(next.Keys) == 0 && next.Events == 0 {
		return src.Delete(statSourceKey(kind, id))
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return err
	}
	return src.Put(statSourceKey(kind, id), raw)
}

// putStatistics is the one hook each record's put calls: rec is a
// portal.Case, ReliefRequest, LeakReport, Query or Certificate as written.
func putStatistics(tx kv.Tx, rec any) error {
	var kind byte
	var id uint64
	switch r := rec.(type) {
	case portal.Case:
		kind, id = statCase, r.ID
	case portal.ReliefRequest:
		kind, id = statRelief, r.ID
	case portal.LeakReport:
		kind, id = statLeak, r.ID
	case portal.Query:
		kind, id = statQuery, r.ID
	case portal.Certificate:
		kind, id = statCertificate, r.ID
	default:
		return fmt.Errorf("store: statistics of %T", rec)
	}
	prev, ok, err := getStatMemo(tx, kind, id)
	if err != nil || !ok {
		return err // before the migration: the back-fill counts it
	}
	next, err := statisticsOf(tx, prev, rec)
	if err != nil {
		return err
	}
	return restate(tx, kind, id, prev, next)
}

// statisticsOf computes a record's memo from its previous one.
func statisticsOf(tx kv.Tx, prev statMemo, rec any) (statMemo, error) {
	switch r := rec.(type) {
	case portal.Case:
		return caseStatistics(prev, r, func() (*portal.Calendar, error) { return statCalendar(tx) })
	case portal.ReliefRequest:
		return statMemo{Keys: reliefStatistics(r)}, nil
	case portal.LeakReport:
		return statMemo{Keys: leakStatistics(r)}, nil
	case portal.Query:
		return statMemo{Keys: queryStatistics(r)}, nil
	case portal.Certificate:
		return statMemo{Keys: certificateStatistics(r)}, nil
	}
	return statMemo{}, fmt.Errorf("store: statistics of %T", rec)
}

// statCal keeps the calendar of the last transaction that needed one, so
// that an import of many cases with their history builds it once per batch.
// The cache holds the transaction itself, so no later transaction can have
// the same address while it is cached.
var statCal struct {
	sync.Mutex
	tx  kv.Tx
	cal *portal.Calendar
}

func statCalendar(tx kv.Tx) (*portal.Calendar, error) {
	statCal.Lock()
	defer statCal.Unlock()
	if statCal.tx == tx && statCal.cal != nil {
		return statCal.cal, nil
	}
	cal, err := calendarOf(tx)
	if err != nil {
		return nil, err
	}
	statCal.tx, statCal.cal = tx, cal
	return cal, nil
}

// caseStatistics counts the case's events not yet counted. Each step is
// measured against the deadline in force before it: the memo's for the first
// new step (the deadline the step was actually taken under); when a write
// brings several steps at once (an import, the back-fill) the deadlines in
// between are recomputed on the calendar the way applyStep sets them. A step
// whose deadline was "to be set when the official calendar is published"
// counts as within it: a deadline not yet set has not been missed.
func caseStatistics(prev statMemo, c portal.Case, calendar func() (*portal.Calendar, error)) (statMemo, error) {
	if c.Status == "" || c.Status == portal.StatusDraft {
		return statMemo{}, nil // a draft is nobody's business but the applicant's
	}
	if prev.Events > len(c.Events) {
		prev = statMemo{} // history rewritten (never by the portal): count afresh
	}
	next := statMemo{Keys: slices.Clone(prev.Keys), Events: len(c.Events), Due: c.Due, Awaits: c.DueAwaitsCalendar}
	sim := portal.Case{Due: prev.Due, DueAwaitsCalendar: prev.Awaits, Events: c.Events[:prev.Events]}
	if prev.Events > 0 {
		sim.Status = c.Events[prev.Events-1].To
	}
	var cal *portal.Calendar
	for i := prev.Events; i < len(c.Events); i++ {
		ev := c.Events[i]
		next.Keys = append(next.Keys, caseEventKeys(c, i, sim.Due)...)
		if i == len(c.Events)-1 {
			break
		}
		if cal == nil {
			var err error
			if cal, err = calendar(); err != nil {
				return statMemo{}, err
			}
		}
		sim.Status, sim.Events = ev.To, c.Events[:i+1]
		if err := setStageDue(cal, &sim, portal.DateOf(ev.At)); err != nil {
			return statMemo{}, err
		}
	}
	return next, nil
}

// caseEventKeys are the counters event i of c adds to, measured against due
// (zero: no deadline set).
func caseEventKeys(c portal.Case, i int, due portal.Date) []statKey {
	ev := c.Events[i]
	at := portal.MonthOf(ev.At)
	late := !due.IsZero() && portal.DateOf(ev.At).After(due)
	pick := func(onTime, lateM string) string {
		if late {
			return lateM
		}
		return onTime
	}
	switch ev.Action {
	case portal.ActionExOfficio:
		return []statKey{sk(c.DecidingOrganID, at, portal.StatReceived)}
	case portal.ActionSubmit:
		if ev.From == "" || ev.From == portal.StatusDraft { // a resubmission after a return is the same case
			return []statKey{sk(c.DecidingOrganID, at, portal.StatReceived)}
		}
	case portal.ActionSeal:
		out := []statKey{sk(c.DecidingOrganID, at, pick(portal.StatSealOnTime, portal.StatSealLate))}
		if received, ok := caseReceived(c); ok {
			days := int(portal.DateOf(ev.At).Time().Sub(received.Time()).Hours()+12) / 24
			out = append(out, sk(c.DecidingOrganID, at, portal.StatResearchSeal(c.Intent, portal.SealBand(days))))
		}
		return out
	case portal.ActionReject:
		return []statKey{sk(c.DecidingOrganID, at, pick(portal.StatRefuseOnTime, portal.StatRefuseLate)),
			sk(c.DecidingOrganID, at, portal.StatResearchRefuse(c.Intent))}
	case portal.ActionConfirm:
		if ev.OrganID != 0 {
			return []statKey{sk(ev.OrganID, at, pick(portal.StatConfirmOnTime, portal.StatConfirmLate))}
		}
	case portal.ActionUnseal, portal.ActionConfirmUnsealing:
		return []statKey{sk(c.DecidingOrganID, at, portal.StatUnsealed)}
	}
	return nil
}

// caseReceived is the day the case was received: its first submission, or
// its opening ex officio.
func caseReceived(c portal.Case) (portal.Date, bool) {
	for _, ev := range c.Events {
		if ev.Action == portal.ActionExOfficio || ev.Action == portal.ActionSubmit {
			return portal.DateOf(ev.At), true
		}
	}
	return portal.Date{}, false
}

func reliefStatistics(r portal.ReliefRequest) []statKey {
	var out []statKey
	for _, ev := range r.Events {
		at := portal.MonthOf(ev.At)
		switch ev.Action {
		case portal.ReliefSubmit:
			out = append(out, sk(0, at, portal.StatReliefReceived))
		case portal.ReliefDecline, portal.ReliefClose, portal.ReliefWithdraw:
			out = append(out, sk(0, at, portal.StatReliefOutcome(ev.To)))
		case portal.ReliefIssueNotice:
			out = append(out, sk(ev.OrganID, at, portal.StatReliefMeasure(portal.StepCorrectionNotice)))
		case portal.ReliefRecordStep:
			if ev.Kind != "" {
				out = append(out, sk(ev.OrganID, at, portal.StatReliefMeasure(ev.Kind)))
			}
		}
	}
	return out
}

func leakStatistics(r portal.LeakReport) []statKey {
	if r.Status == portal.LeakDraft || r.Status == "" || r.SubmittedAt.IsZero() {
		return nil
	}
	out := []statKey{sk(0, portal.MonthOf(r.SubmittedAt), portal.StatLeakReceived)}
	if r.Status == portal.LeakClosed && r.Outcome != nil {
		at := portal.MonthOf(r.UpdatedAt)
		for _, ev := range r.Events {
			if ev.Action == portal.LeakClose {
				at = portal.MonthOf(ev.At)
			}
		}
		out = append(out, sk(0, at, portal.StatLeakClosed(r.Outcome.Measure)))
	}
	return out
}

func queryStatistics(q portal.Query) []statKey {
	if q.SubmittedAt.IsZero() {
		return nil
	}
	out := []statKey{sk(q.OrganID, portal.MonthOf(q.SubmittedAt), portal.StatQuery(q.UnitKind, "received"))}
	if !q.DecidedAt.IsZero() {
		switch q.Status {
		case portal.QueryApproved, portal.QuerySigned:
			out = append(out, sk(q.OrganID, portal.MonthOf(q.DecidedAt), portal.StatQuery(q.UnitKind, "approved")))
		case portal.QueryRefused:
			out = append(out, sk(q.OrganID, portal.MonthOf(q.DecidedAt), portal.StatQuery(q.UnitKind, "refused")))
		}
	}
	return out
}

func certificateStatistics(c portal.Certificate) []statKey {
	if c.RequestedAt.IsZero() {
		return nil
	}
	out := []statKey{sk(c.PoliceOrganID, portal.MonthOf(c.RequestedAt), portal.StatCertRequested)}
	if c.AnsweredAt.IsZero() {
		return out
	}
	at := portal.MonthOf(c.AnsweredAt)
	switch c.Status {
	case portal.CertIssued:
		out = append(out, sk(c.PoliceOrganID, at, portal.StatCertIssued))
	case portal.CertRevoked:
		out = append(out, sk(c.PoliceOrganID, at, portal.StatCertIssued), sk(c.PoliceOrganID, at, portal.StatCertRevoked))
	case portal.CertRefused:
		out = append(out, sk(c.PoliceOrganID, at, portal.StatCertRefused))
	}
	return out
}

// StatCount is one counter as read: an organ (0 for what is no organ's:
// relief requests, leak reports), a month, a measure and its count.
type StatCount struct {
	Organ   uint64
	Month   portal.Month
	Measure string
	N       int
}

// Statistics reads the counters of the months from..to (both included): of
// one organ, or with all of every organ and of none. It reads only the
// counters (organs × months × measures), never a record.
func (db *DB) Statistics(organ uint64, all bool, from, to portal.Month) ([]StatCount, error) {
	var out []StatCount
	err := db.view(func(tx kv.Tx) error {
		var err error
		out, err = statisticsRows(tx, organ, all, from, to)
		return err
	})
	return out, err
}

func statisticsRows(tx kv.Tx, organ uint64, all bool, from, to portal.Month) ([]StatCount, error) {
	b := tx.Bucket(bucketStatistics)
	if b == nil {
		return nil, nil
	}
	var out []StatCount
	// The few measure names are interned: one string each, not one per counter.
	names := map[string]string{}
	read := func(organ uint64) {
		prefix := itob(organ)
		start := binary.BigEndian.AppendUint32(slices.Clone(prefix), from.Key())
		cur := b.Cursor()
		for k, v := cur.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			if len(k) < 12 || len(v) != 8 {
				continue
			}
			m := binary.BigEndian.Uint32(k[8:12])
			if m > to.Key() {
				break
			}
			name, ok := names[string(k[12:])]
			if !ok {
				name = string(k[12:])
				names[name] = name
			}
			out = append(out, StatCount{Organ: organ, Month: portal.MonthFromKey(m), Measure: name, N: int(btoi(v))}) // #nosec G115 -- a count
		}
	}
	if !all {
		read(organ)
		return out, nil
	}
	// Every organ that has counters: jump from one organ's prefix to the next.
	cur := b.Cursor()
	for k, _ := cur.First(); k != nil; {
		if len(k) < 8 {
			k, _ = cur.Next()
			continue
		}
		o := btoi(k[:8])
		read(o)
		if o == ^uint64(0) {
			break
		}
		k, _ = cur.Seek(itob(o + 1))
	}
	return out, nil
}

// ExportStatistics is Statistics for a download, audited in the same
// transaction with the period, the organ (0: all) and the number of counters.
// The caller decides which organ the reader may read (handlers: his own, or
// any for the supervisor).
// research says the export is the anonymised one for researchers.
func (db *DB) ExportStatistics(reader portal.Account, organ uint64, all, research bool, from, to portal.Month, requestID string) ([]StatCount, error) {
	var out []StatCount
	err := db.update(func(tx kv.Tx) error {
		var err error
		if out, err = statisticsRows(tx, organ, all, from, to); err != nil {
			return err
		}
		action := portal.AuditStatisticsExport
		if research {
			action = portal.AuditResearchExport
		}
		if all {
			organ = 0
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: action, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: "organ", SubjectID: organ, Detail: fmt.Sprintf("%s:%s:%d", from, to, len(out)), RequestID: requestID})
	})
	return out, err
}

// Backlog is an organ's open work today, from the queue's counters (no case
// is opened): cases it decides, by status, and how many are overdue.
type Backlog struct {
	Organ     uint64
	Submitted int // waiting for acceptance
	Review    int // accepted or under review, or a decision against the rules awaiting approval
	Sealing   int // sealed by decision, its own records not yet sealed (R12)
	Overdue   int // of all these, past their deadline
}

// Backlogs reads the backlog of one organ, or of every organ with all (the
// organs with open work), in one pass over the queue's counters
// (queue_counts: organ | due | status -> count), never a case.
func (db *DB) Backlogs(organ uint64, all bool) ([]Backlog, error) {
	today := portal.DateOf(db.now())
	var out []Backlog
	err := db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketQueueCounts)
		if b == nil {
			if !all {
				out = []Backlog{{Organ: organ}}
			}
			return nil
		}
		var prefix []byte
		if !all {
			prefix = itob(organ)
			out = []Backlog{{Organ: organ}}
		}
		cur := b.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			if len(k) < 12 || len(v) != 8 {
				continue
			}
			o := btoi(k[:8])
			if o == 0 {
				continue // the deadline index of all organs, not an organ
			}
			if len(out) == 0 || out[len(out)-1].Organ != o {
				out = append(out, Backlog{Organ: o})
			}
			bl := &out[len(out)-1]
			n := int(btoi(v)) // #nosec G115 -- a count of cases
			switch portal.CaseStatus(k[12:]) {
			case portal.StatusSubmitted:
				bl.Submitted += n
			case portal.StatusAccepted, portal.StatusUnderReview, portal.StatusOverridePending:
				bl.Review += n
			case portal.StatusSealed:
				bl.Sealing += n
			default:
				continue // returned to the applicant, or decided
			}
			if due := dateFromKey(k[8:12]); !due.IsZero() && today.After(due) {
				bl.Overdue += n
			}
		}
		return nil
	})
	return out, err
}

// statisticsBatch is how many records one transaction of the back-fill reads.
const statisticsBatch = 500

// The back-fill walks the kinds in this order; its progress in meta is the
// kind (1 byte) and the last record id done (8 bytes).
var statisticsSources = []struct {
	kind   byte
	bucket []byte
	read   func(db *DB, tx kv.Tx, id uint64) (any, error)
}{
	{statCase, bucketCases, func(db *DB, tx kv.Tx, id uint64) (any, error) { return db.getCase(tx, id) }},
	{statRelief, bucketRelief, func(db *DB, tx kv.Tx, id uint64) (any, error) { return db.getRelief(tx, id) }},
	{statLeak, bucketLeakReports, func(db *DB, tx kv.Tx, id uint64) (any, error) { return db.getLeak(tx, id) }},
	{statQuery, bucketQueries, func(db *DB, tx kv.Tx, id uint64) (any, error) { return db.getQuery(tx, id) }},
	{statCertificate, bucketCertificates, func(db *DB, tx kv.Tx, id uint64) (any, error) { return db.getCertificate(tx, id) }},
}

// backfillStatistics counts the records written before the counters, a
// bounded batch per transaction, resuming where it stopped. Run by Open after
// the keys are loaded; a record the hook has counted since is restated, not
// counted twice (the memo).
func (db *DB) backfillStatistics() error {
	for {
		done := false
		err := db.update(func(tx kv.Tx) error {
			meta := tx.Bucket(bucketMeta)
			v := meta.Get(keyStatisticsBackfill)
			if len(v) != 1 && len(v) != 9 {
				done = true
				return nil
			}
			idx := slices.IndexFunc(statisticsSources, func(s struct {
				kind   byte
				bucket []byte
				read   func(db *DB, tx kv.Tx, id uint64) (any, error)
			}) bool {
				return s.kind == v[0]
			})
			if idx < 0 {
				done = true
				return meta.Delete(keyStatisticsBackfill)
			}
			src := statisticsSources[idx]
			var after uint64
			if len(v) == 9 {
				after = btoi(v[1:])
			}
			var ids []uint64
			if b := tx.Bucket(src.bucket); b != nil {
				cur := b.Cursor()
				for k, _ := cur.Seek(itob(after + 1)); k != nil && len(ids) < statisticsBatch; k, _ = cur.Next() {
					if len(k) == 8 {
						ids = append(ids, btoi(k))
					}
				}
			}
			for _, id := range ids {
				rec, err := src.read(db, tx, id)
				if err != nil {
					return err
				}
				if err := putStatistics(tx, rec); err != nil {
					return err
				}
				after = id
			}
			if len(ids) < statisticsBatch {
				if idx+1 == len(statisticsSources) {
					done = true
					return meta.Delete(keyStatisticsBackfill)
				}
				return meta.Put(keyStatisticsBackfill, []byte{statisticsSources[idx+1].kind})
			}
			return meta.Put(keyStatisticsBackfill, append([]byte{src.kind}, itob(after)...))
		})
		if err != nil {
			return fmt.Errorf("store: statistics back-fill: %w", err)
		}
		if done {
			return nil
		}
	}
}
