package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"sealportal/store/kv"
)

// Rate limits shared by every app server of one database (issue 15, design
// §6.6): a fixed-window count of hits per client, for the per-address limits
// of the handlers (login, public API, certificate verification, leak
// tracking) when several app servers serve the portal. On one bbolt file the
// handlers keep their limits in memory (one process sees every request).
//
//	rate_limits  name | 0 | itob(window number) | blind("ratelimit", client)[:16] | 8 random bytes -> ""
//
// Each allowed hit is a key of its own, so hits of several servers at once
// never overwrite one another's count (a counter row read and rewritten
// outside the writer lock would lose updates). Hits are written outside the
// writer lock where the engine can (kv.UnlockedPutter), so a flood of login
// attempts never queues behind the audited writes; the count is a prefix
// scan bounded by the limit. Clients are keyed by the blind index (HMAC under
// the active blind key), never by their address in clear; a blind key
// rotation starts their count afresh, which only loosens one window.
// Windows that ended are deleted by SweepRateLimits in bounded batches.
// The bucket is created by the migration named migrationRateLimitsName.
var bucketRateLimits = []byte("rate_limits")

// rateHitKeyLen is a hit key's length after its name and 0.
const rateHitKeyLen = 8 + 16 + 8

func ratePrefix(name string, window uint64, client []byte) []byte {
	k := make([]byte, 0, len(name)+1+rateHitKeyLen)
	k = append(k, name...)
	k = append(k, 0)
	k = append(k, itob(window)...)
	return append(k, client...)
}

// windowOf is the number of the fixed window of length w that t falls in.
func windowOf(t time.Time, w time.Duration) uint64 {
	return uint64(t.UnixNano() / int64(w)) // #nosec G115 -- times after 1970
}

// RateHit counts one hit of client (an address) against limit hits per
// window under name ("login", "api", …) across every server of the
// database, and reports whether it is allowed. A refused hit is not counted.
// Servers that check at the same instant may together allow a few hits over
// the limit (each sees the other's hit only once written): a bound of the
// number of servers, not a lost count.
func (db *DB) RateHit(name, client string, limit int, window time.Duration) (bool, error) {
	return db.rateHit(name, client, limit, window, true)
}

// rateHit is RateHit; without unlocked the hit is written under the writer
// lock even where the engine could do without (BenchmarkRateHit compares).
func (db *DB) rateHit(name, client string, limit int, window time.Duration, unlocked bool) (bool, error) {
	if name == "" || limit <= 0 || window <= 0 {
		return false, errors.New("store: rate limit: name, limit and window are required")
	}
	prefix := ratePrefix(name, windowOf(db.now(), window), db.crypt.blind("ratelimit", client)[:16])
	n := 0
	err := db.view(func(tx kv.Tx) error {
		c := tx.Bucket(bucketRateLimits).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && n < limit; k, _ = c.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: rate limit: %w", err)
	}
	if n >= limit {
		return false, nil
	}
	key := make([]byte, len(prefix)+8)
	copy(key, prefix)
	if _, err := rand.Read(key[len(prefix):]); err != nil {
		return false, err
	}
	if up, ok := db.eng.(kv.UnlockedPutter); ok && unlocked {
		err = up.PutUnlocked(context.Background(), bucketRateLimits, key, []byte{})
	} else {
		err = db.update(func(tx kv.Tx) error { return tx.Bucket(bucketRateLimits).Put(key, []byte{}) })
	}
	if err != nil {
		return false, fmt.Errorf("store: rate limit: %w", err)
	}
	return true, nil
}

// migrationRateLimitsName names the migration that creates rate_limits.
const migrationRateLimitsName = "rate limits shared by the app servers"

func migrateRateLimits(tx kv.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketRateLimits)
	return err
}

// rateSweepBatch bounds the keys one sweep transaction deletes, so that the
// sweep never holds the writer lock for long.
const rateSweepBatch = 500

// SweepRateLimits deletes the hits of name's windows of length window that
// ended before the current one, in batches of bounded size, and returns how
// many it deleted.
func (db *DB) SweepRateLimits(name string, window time.Duration) (int, error) {
	head := append([]byte(name), 0)
	current := ratePrefix(name, windowOf(db.now(), window), nil)
	total := 0
	for {
		n := 0
		err := db.update(func(tx kv.Tx) error {
			n = 0
			b := tx.Bucket(bucketRateLimits)
			var old [][]byte
			c := b.Cursor()
			for k, _ := c.Seek(head); k != nil && bytes.HasPrefix(k, head) && bytes.Compare(k, current) < 0 && len(old) < rateSweepBatch; k, _ = c.Next() {
				old = append(old, copyBytes(k))
			}
			for _, k := range old {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			n = len(old)
			return nil
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("store: rate limit sweep: %w", err)
		}
		if n < rateSweepBatch {
			return total, nil
		}
	}
}
