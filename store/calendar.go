package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"sealportal/portal"
	"sealportal/store/kv"
)

var (
	bucketCalendar = []byte("calendar_years")
	// bucketCalendarConfirmed records the years an administrator confirmed
	// against the State Council notice (itob(year) -> calendarConfirmation).
	bucketCalendarConfirmed = []byte("calendar_confirmed")
	// bucketCasesAwaitingCalendar lists the open cases whose stage deadline
	// falls in a year the calendar lacks (itob(case id) -> ""), so that
	// loading the year recomputes them without a walk over every case.
	bucketCasesAwaitingCalendar = []byte("cases_awaiting_calendar")
)

// calendarConfirmation is who confirmed a calendar year, when, against which
// notice. No personal data: the actor is an account id.
type calendarConfirmation struct {
	Notice string    `json:"notice"`
	Actor  uint64    `json:"actor,omitempty"`
	At     time.Time `json:"at"`
}

// maxNoticeRunes bounds the name of the notice a confirmation cites.
const maxNoticeRunes = 200

// PutCalendarYear stores an administrator-loaded calendar year (its JSON as
// given, after validation) so that every later start uses it, then counts
// every deadline that waited for that year (a filing or decision made while
// the year was missing, "to be set when the official calendar is published")
// in batches (recomputeAwaiting). It returns how many deadlines were set.
func (db *DB) PutCalendarYear(y portal.CalendarYear, raw []byte, actor uint64) (int, error) {
	if err := y.Validate(); err != nil {
		return 0, err
	}
	err := db.update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCalendar)
		if err != nil {
			return err
		}
		if err := b.Put(itob(uint64(y.Year)), raw); err != nil { // #nosec G115 -- Validate keeps Year in 1949..9999
			return err
		}
		// A year loaded again must be confirmed again: the data changed.
		if cb := tx.Bucket(bucketCalendarConfirmed); cb != nil {
			if err := cb.Delete(itob(uint64(y.Year))); err != nil { // #nosec G115 -- as above
				return err
			}
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCalendarLoaded, ActorID: actor, SubjectKind: "calendar", SubjectID: uint64(y.Year)}); err != nil { // #nosec G115 -- Validate keeps Year in 1949..9999
			return err
		}
		// Counted after the commit, in batches; a start finishes a count
		// that a crash interrupted (resumeCalendarRecompute).
		return tx.Bucket(bucketMeta).Put(keyCalendarRecompute, []byte{1})
	})
	if err != nil {
		return 0, err
	}
	return db.recomputeAwaiting()
}

// ConfirmCalendarYear records that an administrator checked a year loaded
// from a non-official source against the State Council notice, naming the
// notice; deadlines counted on it are then no longer marked provisional.
// Audited.
func (db *DB) ConfirmCalendarYear(year int, notice string, actor uint64) error {
	notice = strings.TrimSpace(notice)
	if notice == "" || utf8.RuneCountInString(notice) > maxNoticeRunes {
		return &portal.Error{Code: portal.CodeInvalid, Key: "calendar.notice_required", Fields: map[string]string{"notice": "calendar.notice_required"}}
	}
	return db.update(func(tx kv.Tx) error {
		cal, err := calendarOf(tx)
		if err != nil {
			return err
		}
		if _, ok := cal.Year(year); !ok {
			return &portal.Error{Code: portal.CodeNotFound, Key: "calendar.year_missing"}
		}
		b, err := tx.CreateBucketIfNotExists(bucketCalendarConfirmed)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(calendarConfirmation{Notice: notice, Actor: actor, At: db.now().UTC()})
		if err != nil {
			return err
		}
		if err := b.Put(itob(uint64(year)), raw); err != nil { // #nosec G115 -- a year the calendar knows, 1949..9999
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCalendarConfirmed, ActorID: actor, SubjectKind: "calendar", SubjectID: uint64(year)}) // #nosec G115 -- as above
	})
}

// Calendar returns the shipped calendar with every loaded year added (a loaded
// year replaces a shipped one of the same number) and the administrators'
// confirmations applied.
func (db *DB) Calendar() (*portal.Calendar, error) {
	var cal *portal.Calendar
	err := db.view(func(tx kv.Tx) error {
		var err error
		cal, err = calendarOf(tx)
		return err
	})
	return cal, err
}

// calendarOf builds the calendar inside a transaction.
func calendarOf(tx kv.Tx) (*portal.Calendar, error) {
	cal := portal.DefaultCalendar()
	if b := tx.Bucket(bucketCalendar); b != nil {
		err := b.ForEach(func(_, v []byte) error {
			y, err := portal.ParseCalendarYear(v)
			if err != nil {
				return err
			}
			cal, err = cal.WithYear(y)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if b := tx.Bucket(bucketCalendarConfirmed); b != nil {
		err := b.ForEach(func(k, _ []byte) error {
			if len(k) != 8 {
				return nil
			}
			c, err := cal.Confirmed(int(btoi(k))) // #nosec G115 -- years written by ConfirmCalendarYear
			if err != nil {
				return nil // the year is no longer known: nothing to confirm
			}
			cal = c
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return cal, nil
}

// recomputeAwaitingDeadlines counts, on cal, the deadlines of at most limit
// cases that waited for a missing calendar year, from the first case after
// the key after, each from the day its stage began; those still in a missing
// year keep waiting. It returns how many were set, the last key looked at and
// whether any case is left after it.
func (db *DB) recomputeAwaitingDeadlines(tx kv.Tx, cal *portal.Calendar, after []byte, limit int) (n int, last []byte, more bool, err error) {
	b := tx.Bucket(bucketCasesAwaitingCalendar)
	if b == nil {
		return 0, nil, false, nil
	}
	var ids []uint64
	c := b.Cursor()
	for k, _ := seekAfter(c, after); k != nil; k, _ = c.Next() {
		if len(ids) == limit {
			more = true
			break
		}
		last = bytes.Clone(k)
		if len(k) == 8 {
			ids = append(ids, btoi(k))
		}
	}
	n, err = db.setAwaitingCases(tx, b, cal, ids)
	return n, last, more, err
}

// setAwaitingCases is recomputeAwaitingDeadlines for the cases ids.
func (db *DB) setAwaitingCases(tx kv.Tx, b kv.Bucket, cal *portal.Calendar, ids []uint64) (int, error) {
	n := 0
	for _, id := range ids {
		old, err := db.getCase(tx, id)
		if pe, ok := portal.AsError(err); ok && pe.Code == portal.CodeNotFound {
			if err := b.Delete(itob(id)); err != nil {
				return n, err
			}
			continue
		}
		if err != nil {
			return n, err
		}
		if !old.DueAwaitsCalendar {
			if err := b.Delete(itob(id)); err != nil {
				return n, err
			}
			continue
		}
		d, ok := portal.Policy.ByKey(old.DueDeadline)
		if !ok {
			continue
		}
		due, err := cal.Due(old.DueFrom, d)
		if portal.IsCalendarMissing(err) {
			continue
		}
		if err != nil {
			return n, err
		}
		c := old
		c.Due, c.DueAwaitsCalendar, c.DueFrom, c.DueDeadline = due, false, portal.Date{}, ""
		if err := db.putCase(tx, old, c); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
