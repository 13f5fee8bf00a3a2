package store

import (
	"bytes"
	"encoding/json"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Deadlines other than a sealing case's stage deadline (relief requests,
// correction notices, leak reports, queries, certificate requests and
// objections) that fall in a year whose official calendar is not loaded yet
// never block the filing or the decision: the record is kept with a zero due
// date and DueAwaitsCalendar, its queue row sorts after every dated row
// (awaitingDueKey), and one index lists them for PutCalendarYear:
//
//	deadlines_awaiting_calendar   kind | 0x00 | itob(id) -> {from, deadline}
//
// where kind names the record kind (awaitingKinds), from is the day the time
// limit counts from and deadline the key of the policy entry. Loading a year
// counts each one that it now covers and hands the date to its kind's setter,
// which writes the record and moves its queue row, in the same transaction.

var bucketDeadlinesAwaitingCalendar = []byte("deadlines_awaiting_calendar")

// kindObjection names a certificate's objection in the awaiting index (its id
// is the certificate's).
const kindObjection = "certificate_objection"

// awaitingDeadline is one row of the index: no personal data.
type awaitingDeadline struct {
	From     portal.Date `json:"from"`
	Deadline string      `json:"deadline"`
}

// awaitingSetter writes the counted due date on the record of its kind with
// that id, if it still awaits the calendar, and moves its queue row; set
// says whether it did.
type awaitingSetter func(db *DB, tx kv.Tx, id uint64, due portal.Date) (set bool, err error)

// awaitingKinds lists the kinds of record whose deadline can await the
// calendar, each with how to set it.
var awaitingKinds = map[string]awaitingSetter{
	kindRelief:      setReliefDue,
	kindNotice:      setNoticeDue,
	kindLeak:        setLeakDue,
	kindQuery:       setQueryDue,
	kindCertificate: setCertificateDue,
	kindObjection:   setObjectionDue,
}

func awaitingKey(kind string, id uint64) []byte {
	k := make([]byte, 0, len(kind)+9)
	k = append(k, kind...)
	k = append(k, 0)
	return append(k, itob(id)...)
}

// dueOrAwait counts deadline d from the day from on cal for the record of
// kind with id. A year the calendar lacks is no error: it returns a zero date
// and awaits true, and indexes the record so that loading the year sets it.
// A deadline that is counted removes any earlier index row of the record.
func dueOrAwait(tx kv.Tx, cal *portal.Calendar, kind string, id uint64, from portal.Date, d portal.Deadline) (portal.Date, bool, error) {
	if _, ok := awaitingKinds[kind]; !ok {
		return portal.Date{}, false, portal.Internal(errUnknownAwaitingKind(kind))
	}
	due, err := cal.Due(from, d)
	switch {
	case portal.IsCalendarMissing(err):
		b, err := tx.CreateBucketIfNotExists(bucketDeadlinesAwaitingCalendar)
		if err != nil {
			return portal.Date{}, false, err
		}
		v, err := json.Marshal(awaitingDeadline{From: from, Deadline: d.Key})
		if err != nil {
			return portal.Date{}, false, err
		}
		return portal.Date{}, true, b.Put(awaitingKey(kind, id), v)
	case err != nil:
		return portal.Date{}, false, err
	}
	if b := tx.Bucket(bucketDeadlinesAwaitingCalendar); b != nil {
		if err := b.Delete(awaitingKey(kind, id)); err != nil {
			return portal.Date{}, false, err
		}
	}
	return due, false, nil
}

type errUnknownAwaitingKind string

func (e errUnknownAwaitingKind) Error() string {
	return "store: no awaiting-calendar setter for kind " + string(e)
}

// recomputeAwaitingRecords counts, on cal, the indexed deadlines of at most
// limit records other than cases, from the first row after the key after,
// and sets those the calendar now covers on their records; those still in a
// missing year keep waiting. It returns how many were set, the last key
// looked at and whether any row is left after it.
func (db *DB) recomputeAwaitingRecords(tx kv.Tx, cal *portal.Calendar, after []byte, limit int) (int, []byte, bool, error) {
	b := tx.Bucket(bucketDeadlinesAwaitingCalendar)
	if b == nil {
		return 0, nil, false, nil
	}
	var last []byte
	more := false
	var rows []awaitingRow
	c := b.Cursor()
	for k, v := seekAfter(c, after); k != nil; k, v = c.Next() {
		if len(rows) == limit {
			more = true
			break
		}
		last = bytes.Clone(k)
		i := bytes.IndexByte(k, 0)
		if i < 0 || len(k) != i+9 {
			continue
		}
		var e awaitingDeadline
		if err := json.Unmarshal(v, &e); err != nil {
			return 0, nil, false, err
		}
		rows = append(rows, awaitingRow{key: bytes.Clone(k), kind: string(k[:i]), id: btoi(k[i+1:]), e: e})
	}
	n, err := db.setAwaitingRecords(tx, b, cal, rows)
	return n, last, more, err
}

// awaitingRow is one row of deadlines_awaiting_calendar.
type awaitingRow struct {
	key  []byte
	kind string
	id   uint64
	e    awaitingDeadline
}

// setAwaitingRecords is recomputeAwaitingRecords for rows.
func (db *DB) setAwaitingRecords(tx kv.Tx, b kv.Bucket, cal *portal.Calendar, rows []awaitingRow) (int, error) {
	n := 0
	for _, r := range rows {
		set, ok := awaitingKinds[r.kind]
		d, known := portal.Policy.ByKey(r.e.Deadline)
		if !ok || !known {
			continue
		}
		due, err := cal.Due(r.e.From, d)
		if portal.IsCalendarMissing(err) {
			continue
		}
		if err != nil {
			return n, err
		}
		done, err := set(db, tx, r.id, due)
		if pe, isPE := portal.AsError(err); isPE && pe.Code == portal.CodeNotFound {
			err = nil // the record is gone: nothing to set
		}
		if err != nil {
			return n, err
		}
		if err := b.Delete(r.key); err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

func setReliefDue(db *DB, tx kv.Tx, id uint64, due portal.Date) (bool, error) {
	old, err := db.getRelief(tx, id)
	if err != nil || !old.DueAwaitsCalendar {
		return false, err
	}
	r := old
	r.Due, r.DueAwaitsCalendar = due, false
	return true, db.putRelief(tx, old, r)
}

func setNoticeDue(db *DB, tx kv.Tx, id uint64, due portal.Date) (bool, error) {
	old, err := db.getNotice(tx, id)
	if err != nil || !old.DueAwaitsCalendar {
		return false, err
	}
	if err := tx.Bucket(bucketNotices).Delete(noticeKey(old)); err != nil {
		return true, err
	}
	n := old
	n.Due, n.DueAwaitsCalendar = due, false
	if err := db.putNotice(tx, n); err != nil {
		return true, err
	}
	// The request's history shows the notice's deadline too.
	rold, err := db.getRelief(tx, n.ReliefID)
	if err != nil {
		return true, err
	}
	r := rold
	r.Events = append([]portal.ReliefEvent(nil), rold.Events...)
	for i, ev := range r.Events {
		if ev.NoticeID == id && ev.NoticeDueAwaitsCalendar {
			r.Events[i].NoticeDue, r.Events[i].NoticeDueAwaitsCalendar = due, false
		}
	}
	return true, db.putRelief(tx, rold, r)
}

func setLeakDue(db *DB, tx kv.Tx, id uint64, due portal.Date) (bool, error) {
	old, err := db.getLeak(tx, id)
	if err != nil || !old.DueAwaitsCalendar {
		return false, err
	}
	r := old
	r.Due, r.DueAwaitsCalendar = due, false
	if err := db.putLeak(tx, r); err != nil {
		return true, err
	}
	return true, putLeakQueue(tx, old, r)
}

// setQueryDue sets a query's decision deadline. A query that found no sealed
// record is then approved by the portal at that deadline, as one an organ
// decides is answered by it: the same schedule either way (R14a).
func setQueryDue(db *DB, tx kv.Tx, id uint64, due portal.Date) (bool, error) {
	old, err := db.getQuery(tx, id)
	if err != nil || !old.DueAwaitsCalendar {
		return false, err
	}
	q := old
	q.Due, q.DueAwaitsCalendar = due, false
	return true, db.putQuery(tx, old, q)
}

func setCertificateDue(db *DB, tx kv.Tx, id uint64, due portal.Date) (bool, error) {
	old, err := db.getCertificate(tx, id)
	if err != nil || !old.DueAwaitsCalendar {
		return false, err
	}
	c := old
	c.Due, c.DueAwaitsCalendar = due, false
	if err := db.putCertificate(tx, c); err != nil {
		return true, err
	}
	if old.Status != portal.CertRequested {
		return true, nil // answered: no longer in the queue
	}
	q := tx.Bucket(bucketCertQueue)
	k := certQueueKey(old.PoliceOrganID, old.Due, true, old.ID)
	v := q.Get(k)
	if v == nil {
		return true, nil
	}
	v = bytes.Clone(v)
	if err := q.Delete(k); err != nil {
		return true, err
	}
	return true, q.Put(certQueueKey(c.PoliceOrganID, c.Due, false, c.ID), v)
}

func setObjectionDue(db *DB, tx kv.Tx, id uint64, due portal.Date) (bool, error) {
	c, err := db.getCertificate(tx, id)
	if err != nil || c.Objection == nil || !c.Objection.DueAwaitsCalendar {
		return false, err
	}
	o := *c.Objection
	oldDue := o.Due
	o.Due, o.DueAwaitsCalendar = due, false
	c.Objection = &o
	if err := db.putCertificate(tx, c); err != nil {
		return true, err
	}
	return true, db.putObjectionQueue(tx, c, oldDue, true)
}
