package store

import (
	"bytes"

	"sealportal/store/kv"
)

// Long jobs in bounded batches (issue 15). Every job that may meet an
// unbounded number of records (the hourly purges of delivery records and
// expired codes, the start-up abandon of unacknowledged bulk bodies, the
// session sweeper, the rate-limit sweep, key rotation, the index rebuilds and
// backfills) works in write transactions of at most jobBatch records and
// resumes after the last key it handled, so that none holds the writer lock
// (the global lock row on PostgreSQL, the one writer of bbolt) for long while
// other app servers wait to write. Each batch is idempotent: it checks again
// under the lock what it deletes, and a crash between batches leaves work
// that the next run finishes.
const jobBatch = 500

// deletePrefixUpTo deletes at most limit keys of b that start with prefix
// and reports how many it deleted (fewer than limit: none is left).
func deletePrefixUpTo(b kv.Bucket, prefix []byte, limit int) (int, error) {
	c := b.Cursor()
	var keys [][]byte
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(keys) < limit; k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// seekAfter positions c at the first key after after (at the first key when
// after is nil).
func seekAfter(c kv.Cursor, after []byte) (k, v []byte) {
	if after == nil {
		return c.First()
	}
	if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
		k, v = c.Next()
	}
	return k, v
}
