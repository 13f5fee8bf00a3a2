package store

import (
	"sealportal/portal"
	"sealportal/store/kv"
)

// keyCalendarRecompute (bucket meta) is set with a loaded calendar year and
// cleared when every deadline that waited for it has been looked at
// (issue 15: bounded batches).
var keyCalendarRecompute = []byte("calendar_recompute")

// recomputeAwaiting sets the deadlines that waited for a calendar year, on
// the calendar as stored, in write transactions of at most jobBatch cases or
// records (batches.go): the cases first, then the other records. Each is
// checked again in its batch (a case decided since is only unindexed), so a
// run interrupted by a crash, or run twice, sets each deadline once. It
// returns how many were set, and clears keyCalendarRecompute at the end.
func (db *DB) recomputeAwaiting() (int, error) {
	n := 0
	for _, step := range []func(kv.Tx, *portal.Calendar, []byte, int) (int, []byte, bool, error){
		db.recomputeAwaitingDeadlines, db.recomputeAwaitingRecords,
	} {
		var after []byte
		for more := true; more; {
			set := 0
			var last []byte
			err := db.update(func(tx kv.Tx) error {
				cal, err := calendarOf(tx)
				if err != nil {
					return err
				}
				set, last, more, err = step(tx, cal, after, jobBatch)
				return err
			})
			if err != nil {
				return n, err
			}
			n += set
			after = last
		}
	}
	return n, db.update(func(tx kv.Tx) error { return tx.Bucket(bucketMeta).Delete(keyCalendarRecompute) })
}

// resumeCalendarRecompute finishes, at a start, a recompute that a crash
// interrupted after its calendar year was stored.
func (db *DB) resumeCalendarRecompute() error {
	pending := false
	if err := db.view(func(tx kv.Tx) error {
		pending = tx.Bucket(bucketMeta).Get(keyCalendarRecompute) != nil
		return nil
	}); err != nil || !pending {
		return err
	}
	_, err := db.recomputeAwaiting()
	return err
}
