package store

import (
	"bytes"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

type stashedForTest struct {
	Owner  uint64    `json:"owner"`
	Born   time.Time `json:"born"`
	Lapses time.Time `json:"lapses"`
	Token  []byte    `json:"token,omitempty"`
	Text   string    `json:"text"`
}

// testStashes are the three ways a stash sweeps, over buckets of their own
// (built without newStash: they are no part of the registry).
func testStashes() map[string]*stash[stashedForTest] {
	base := func(name string) stash[stashedForTest] {
		return stash[stashedForTest]{bucket: []byte("test_stash_" + name), kind: kindFormState, field: "body", envelope: true,
			lazy: true, sealID: btoi, ttl: 10 * time.Minute,
			born:      func(v *stashedForTest) time.Time { return v.Born },
			lapses:    func(v *stashedForTest) time.Time { return v.Lapses },
			owner:     func(v *stashedForTest) uint64 { return v.Owner },
			tokenHash: func(v *stashedForTest) []byte { return v.Token }}
	}
	ordered := base("ordered")
	prefix := base("prefix")
	prefix.prefix, prefix.envelope, prefix.field = 4, false, "term"
	prefix.sealID = func(k []byte) uint64 { return btoi(append(make([]byte, 4), k[:4]...)) }
	indexed := base("indexed")
	indexed.byExpiry = []byte("test_stash_indexed_by_expiry")
	return map[string]*stash[stashedForTest]{"ordered": &ordered, "prefix": &prefix, "indexed": &indexed}
}

// A stash finds a value again for its owner until it lapses; a missing, a
// lapsed, a foreign value or a wrong token is not found; take removes it;
// the sweep of a write deletes what has lapsed and keeps what lives, in
// each of the three ways a stash sweeps.
func TestStash(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	now := t0
	db.now = func() time.Time { return now }
	key := func(n uint64) []byte { return append([]byte{0, 0, 0, 7}, itob(n)...) } // 4-byte account, then the row
	for name, s := range testStashes() {
		t.Run(name, func(t *testing.T) {
			now = t0
			if s.byExpiry != nil {
				if err := db.update(func(tx kv.Tx) error { _, err := tx.CreateBucketIfNotExists(s.byExpiry); return err }); err != nil {
					t.Fatal(err)
				}
			}
			k := func(n uint64) []byte {
				if s.prefix > 0 {
					return key(n)
				}
				return itob(n)
			}
			var token string
			put := func(n uint64, v stashedForTest) {
				t.Helper()
				if err := db.update(func(tx kv.Tx) error { return s.put(db, tx, k(n), v) }); err != nil {
					t.Fatal(err)
				}
			}
			v1 := stashedForTest{Owner: 7, Born: t0, Lapses: t0.Add(10 * time.Minute), Text: "张三 typed this"}
			token, v1.Token = s.newToken(db, 1)
			put(1, v1)
			put(2, stashedForTest{Owner: 7, Born: t0.Add(time.Minute), Lapses: t0.Add(11 * time.Minute), Text: "second"})
			peek := func(n, owner uint64) (stashedForTest, error) {
				var v stashedForTest
				err := db.view(func(tx kv.Tx) (err error) { v, err = s.peek(db, tx, k(n), owner); return err })
				return v, err
			}
			for _, c := range []struct {
				name   string
				at     time.Duration
				row    uint64
				owner  uint64
				want   string
				absent bool
			}{
				{name: "found", row: 1, owner: 7, want: "张三 typed this"},
				{name: "missing", row: 3, owner: 7, absent: true},
				{name: "wrong account", row: 1, owner: 8, absent: true},
				{name: "just before its lapse", at: 10*time.Minute - time.Nanosecond, row: 1, owner: 7, want: "张三 typed this"},
				{name: "at its lapse", at: 10 * time.Minute, row: 1, owner: 7, absent: true},
				{name: "another still live", at: 10 * time.Minute, row: 2, owner: 7, want: "second"},
			} {
				now = t0.Add(c.at)
				v, err := peek(c.row, c.owner)
				if c.absent && portal.ErrorCode(err) != portal.CodeNotFound {
					t.Errorf("%s: %+v, %v; want not found", c.name, v, err)
				}
				if !c.absent && (err != nil || v.Text != c.want) {
					t.Errorf("%s: %+v, %v; want %q", c.name, v, err, c.want)
				}
			}
			now = t0
			// The token names row 1; another token, or one naming another row, does not.
			other, _ := s.newToken(db, 1)
			tokens := map[string]bool{token: true, other: false, "2." + token[2:]: false, "garbage": false}
			if s.prefix > 0 {
				tokens = nil // its keys hash a whole token: no id to read from one
			}
			for tok, wantFound := range tokens {
				err := db.view(func(tx kv.Tx) error { _, _, err := s.peekToken(db, tx, tok, 7); return err })
				if found := err == nil; found != wantFound || (!found && portal.ErrorCode(err) != portal.CodeNotFound) {
					t.Errorf("token %q: %v, want found %v", tok, err, wantFound)
				}
			}
			// Sealed: the text is nowhere in the bucket.
			_ = db.view(func(tx kv.Tx) error {
				return tx.Bucket(s.bucket).ForEach(func(k, v []byte) error {
					if bytes.Contains(v, []byte("typed this")) {
						t.Errorf("stored in clear under %x", k)
					}
					return nil
				})
			})
			// take reads and removes.
			put(3, stashedForTest{Owner: 7, Born: t0, Lapses: t0.Add(10 * time.Minute), Text: "taken"})
			if err := db.update(func(tx kv.Tx) error {
				if _, err := s.take(db, tx, k(3), 8); portal.ErrorCode(err) != portal.CodeNotFound {
					t.Errorf("take for another account: %v", err)
				}
				v, err := s.take(db, tx, k(3), 7)
				if err != nil || v.Text != "taken" {
					t.Errorf("take = %+v, %v", v, err)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := peek(3, 7); portal.ErrorCode(err) != portal.CodeNotFound {
				t.Errorf("after take: %v", err)
			}
			// A write after row 1's lapse sweeps it (and its index row) and keeps row 2.
			now = t0.Add(10*time.Minute + time.Second)
			put(4, stashedForTest{Owner: 7, Born: now, Lapses: now.Add(10 * time.Minute), Text: "fourth"})
			_ = db.view(func(tx kv.Tx) error {
				b := tx.Bucket(s.bucket)
				if b.Get(k(1)) != nil {
					t.Error("the lapsed row was not swept")
				}
				if b.Get(k(2)) == nil || b.Get(k(4)) == nil {
					t.Error("the sweep took a live row")
				}
				if s.byExpiry != nil {
					if n := tx.Bucket(s.byExpiry).KeyN(); n != 2 {
						t.Errorf("%d expiry rows, want 2", n)
					}
				}
				return nil
			})
			// drop of a missing row is no error.
			if err := db.update(func(tx kv.Tx) error { return s.drop(db, tx, k(9)) }); err != nil {
				t.Errorf("drop of a missing row: %v", err)
			}
		})
	}
}

// A prefix stash sweeps only the written key's prefix (one account's rows);
// an ordered stash stops at the first row born within its ttl.
func TestStashSweepReach(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	now := t0
	db.now = func() time.Time { return now }
	ss := testStashes()
	prefix, ordered := ss["prefix"], ss["ordered"]
	put := func(s *stash[stashedForTest], k []byte, born, lapses time.Time) {
		t.Helper()
		if err := db.update(func(tx kv.Tx) error {
			return s.put(db, tx, k, stashedForTest{Born: born, Lapses: lapses})
		}); err != nil {
			t.Fatal(err)
		}
	}
	acct := func(a, n uint64) []byte { return append(itob(a)[4:], itob(n)...) }
	put(prefix, acct(1, 1), t0, t0.Add(time.Minute))
	put(prefix, acct(2, 1), t0, t0.Add(time.Minute))
	// Ordered: row 1 is old but renewed (lapses late), row 2 old and lapsed, row 3 young.
	put(ordered, itob(1), t0, t0.Add(time.Hour))
	put(ordered, itob(2), t0, t0.Add(10*time.Minute))
	now = t0.Add(11 * time.Minute)
	put(ordered, itob(3), now, now.Add(10*time.Minute))
	put(prefix, acct(1, 2), now, now.Add(time.Minute))
	_ = db.view(func(tx kv.Tx) error {
		pb, ob := tx.Bucket(prefix.bucket), tx.Bucket(ordered.bucket)
		for _, c := range []struct {
			name string
			b    kv.Bucket
			k    []byte
			kept bool
		}{
			{"account 1's lapsed search", pb, acct(1, 1), false},
			{"account 2's lapsed search (not this account's write)", pb, acct(2, 1), true},
			{"account 1's new search", pb, acct(1, 2), true},
			{"an old row still in use", ob, itob(1), true},
			{"an old lapsed row behind it", ob, itob(2), false},
			{"the new row", ob, itob(3), true},
		} {
			if kept := c.b.Get(c.k) != nil; kept != c.kept {
				t.Errorf("%s: kept %v, want %v", c.name, kept, c.kept)
			}
		}
		return nil
	})
}
