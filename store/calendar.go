package store

import (
	"go.etcd.io/bbolt"

	"sealportal/portal"
)

var bucketCalendar = []byte("calendar_years")

// PutCalendarYear stores an administrator-loaded calendar year (its JSON as
// given, after validation) so that every later start uses it.
func (db *DB) PutCalendarYear(y portal.CalendarYear, raw []byte, actor uint64) error {
	if err := y.Validate(); err != nil {
		return err
	}
	return db.update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCalendar)
		if err != nil {
			return err
		}
		if err := b.Put(itob(uint64(y.Year)), raw); err != nil { // #nosec G115 -- Validate keeps Year in 1949..9999
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCalendarLoaded, ActorID: actor, SubjectKind: "calendar", SubjectID: uint64(y.Year)}) // #nosec G115 -- Validate keeps Year in 1949..9999
	})
}

// Calendar returns the shipped calendar with every loaded year added (a loaded
// year replaces a shipped one of the same number).
func (db *DB) Calendar() (*portal.Calendar, error) {
	cal := portal.DefaultCalendar()
	err := db.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCalendar)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			y, err := portal.ParseCalendarYear(v)
			if err != nil {
				return err
			}
			cal, err = cal.WithYear(y)
			return err
		})
	})
	return cal, err
}
