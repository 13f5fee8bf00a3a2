package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// sessionHash stands for the SHA-256 of a browser's session id.
func sessionHash(n int) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "session-%d", n))
	return h[:]
}

var sessionEpoch = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

func putTestSession(t *testing.T, db *DB, accountID uint64, n int) []byte {
	t.Helper()
	h := sessionHash(n)
	err := db.PutSession(h, portal.Session{AccountID: accountID, Role: portal.RoleMinor,
		CreatedAt: sessionEpoch, LastSeen: sessionEpoch.Add(time.Minute), Values: map[string]string{"flash": "saved"}})
	if err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	return h
}

func wantSession(t *testing.T, db *DB, h []byte) portal.Session {
	t.Helper()
	s, err := db.Session(h)
	if err != nil {
		t.Fatalf("Session(%x): %v", h[:4], err)
	}
	return s
}

func wantNoSession(t *testing.T, db *DB, h []byte) {
	t.Helper()
	if _, err := db.Session(h); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("Session(%x) = %v, want not found", h[:4], err)
	}
}

// sessionIndexLen counts sessions_by_account rows, so that tests can see
// deletions leave no dangling index entries behind.
func sessionIndexLen(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketSessionsByAcct).ForEach(func(k, v []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSessionRoundTripAndReopen(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	h := putTestSession(t, db, 42, 1)
	anon := sessionHash(2)
	if err := db.PutSession(anon, portal.Session{CreatedAt: sessionEpoch, LastSeen: sessionEpoch}); err != nil {
		t.Fatal(err)
	}
	check := func(db *DB) {
		t.Helper()
		s := wantSession(t, db, h)
		if s.AccountID != 42 || s.Role != portal.RoleMinor || !s.CreatedAt.Equal(sessionEpoch) ||
			!s.LastSeen.Equal(sessionEpoch.Add(time.Minute)) || s.Values["flash"] != "saved" {
			t.Fatalf("session = %+v", s)
		}
		if a := wantSession(t, db, anon); a.AccountID != 0 || !a.CreatedAt.Equal(sessionEpoch) {
			t.Fatalf("anonymous session = %+v", a)
		}
	}
	check(db)
	db = reopenTestDB(t, db)
	check(db)
	wantNoSession(t, db, sessionHash(3))

	// Put replaces: a touch moves LastSeen on.
	later := sessionEpoch.Add(10 * time.Minute)
	if err := db.PutSession(h, portal.Session{AccountID: 42, Role: portal.RoleMinor, CreatedAt: sessionEpoch, LastSeen: later}); err != nil {
		t.Fatal(err)
	}
	if s := wantSession(t, db, h); !s.LastSeen.Equal(later) || len(s.Values) != 0 {
		t.Fatalf("after touch: %+v", s)
	}
	if n := sessionIndexLen(t, db); n != 1 {
		t.Fatalf("%d index rows for one signed-in session", n)
	}
}

func TestDeleteSessionAndLogout(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	h1, h2 := putTestSession(t, db, 7, 1), putTestSession(t, db, 7, 2)
	if err := db.DeleteSession(h1); err != nil {
		t.Fatal(err)
	}
	wantNoSession(t, db, h1)
	wantSession(t, db, h2)
	if err := db.DeleteSession(h1); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if err := db.Logout(h2, 7, "req"); err != nil {
		t.Fatal(err)
	}
	wantNoSession(t, db, h2)
	if n := sessionIndexLen(t, db); n != 0 {
		t.Fatalf("%d index rows left", n)
	}
	evs, _ := db.AuditEntries(0, 0)
	if len(evs) != 1 || evs[0].Action != portal.AuditLogout || evs[0].ActorID != 7 || evs[0].RequestID != "req" {
		t.Fatalf("audit = %+v, want one logout", evs)
	}
}

func TestEndSessionsOfOneAccount(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	// Account ids whose big-endian keys share a prefix must not be confused.
	mine := [][]byte{putTestSession(t, db, 1, 1), putTestSession(t, db, 1, 2), putTestSession(t, db, 1, 3)}
	others := [][]byte{putTestSession(t, db, 256, 4), putTestSession(t, db, 2, 5)}
	if err := db.EndSessions(1, 9, "req"); err != nil {
		t.Fatal(err)
	}
	for _, h := range mine {
		wantNoSession(t, db, h)
	}
	for _, h := range others {
		wantSession(t, db, h)
	}
	if n := sessionIndexLen(t, db); n != 2 {
		t.Fatalf("%d index rows, want 2", n)
	}
	evs, _ := db.AuditEntries(0, 0)
	if len(evs) != 1 || evs[0].Action != portal.AuditSessionsEnded || evs[0].SubjectID != 1 || evs[0].ActorID != 9 {
		t.Fatalf("audit = %+v", evs)
	}
	// Ending the sessions of an account without any is fine.
	if err := db.EndSessions(3, 9, "req"); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteExpiredSessions(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	put := func(n int, created, seen time.Time) []byte {
		h := sessionHash(n)
		if err := db.PutSession(h, portal.Session{AccountID: uint64(n), CreatedAt: created, LastSeen: seen}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	now := sessionEpoch.Add(9 * time.Hour)
	fresh := put(1, now.Add(-time.Hour), now.Add(-time.Minute))
	idle := put(2, now.Add(-time.Hour), now.Add(-20*time.Minute))
	old := put(3, now.Add(-9*time.Hour), now.Add(-time.Minute))
	n, err := db.DeleteExpiredSessions(now.Add(-15*time.Minute).UnixNano(), now.Add(-8*time.Hour).UnixNano())
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 2", n, err)
	}
	wantSession(t, db, fresh)
	wantNoSession(t, db, idle)
	wantNoSession(t, db, old)
	if n := sessionIndexLen(t, db); n != 1 {
		t.Fatalf("%d index rows, want 1", n)
	}
}

// spyEngine wraps a store's engine to watch the sessions' writes: how many
// sessions each read-write transaction deletes, and every unlocked put. It is
// an UnlockedPutter on both engines: PostgreSQL's own PutUnlocked, or on
// bbolt one transaction of its own, so that the store's unlocked path runs
// (and is tested) on both passes. beforePut, when set, runs once before the
// next unlocked put, outside any transaction (a concurrent request).
type spyEngine struct {
	kv.Engine
	mu         sync.Mutex
	updates    int
	maxDeletes int
	puts       [][]byte
	beforePut  func()
}

func spyOn(db *DB) *spyEngine {
	s := &spyEngine{Engine: db.eng}
	db.eng = s
	return s
}

func (s *spyEngine) Update(ctx context.Context, fn func(kv.Tx) error) error {
	deletes := 0
	err := s.Engine.Update(ctx, func(tx kv.Tx) error {
		deletes = 0
		return fn(spyTx{tx, &deletes})
	})
	s.mu.Lock()
	s.updates++
	s.maxDeletes = max(s.maxDeletes, deletes)
	s.mu.Unlock()
	return err
}

func (s *spyEngine) PutUnlocked(ctx context.Context, bucket, key, value []byte) error {
	s.mu.Lock()
	hook := s.beforePut
	s.beforePut = nil
	s.puts = append(s.puts, append([]byte(nil), value...))
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	if up, ok := s.Engine.(kv.UnlockedPutter); ok {
		return up.PutUnlocked(ctx, bucket, key, value)
	}
	return s.Engine.Update(ctx, func(tx kv.Tx) error { return tx.Bucket(bucket).Put(key, value) })
}

func (s *spyEngine) unlockedPuts() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.puts...)
}

type spyTx struct {
	kv.Tx
	deletes *int
}

func (t spyTx) Bucket(name []byte) kv.Bucket {
	b := t.Tx.Bucket(name)
	if b == nil || string(name) != string(bucketSessions) {
		return b
	}
	return spyBucket{b, t.deletes}
}

type spyBucket struct {
	kv.Bucket
	deletes *int
}

func (b spyBucket) Delete(k []byte) error {
	*b.deletes++
	return b.Bucket.Delete(k)
}

func rawSession(t *testing.T, db *DB, h []byte) []byte {
	t.Helper()
	var raw []byte
	if err := db.view(func(tx kv.Tx) error {
		raw = copyBytes(tx.Bucket(bucketSessions).Get(h))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return raw
}

// Design §6.3: the sweeper deletes in transactions of at most sweepPage
// sessions, all the expired ones in the end (and their index entries), and
// keeps the live ones.
func TestSweeperPages(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	now := sessionEpoch.Add(9 * time.Hour)
	const dead, live = 1203, 7
	if err := db.update(func(tx kv.Tx) error {
		for i := range dead + live {
			seen := now.Add(-time.Hour)
			if i%((dead+live)/live) == 0 && i/((dead+live)/live) < live {
				seen = now.Add(-time.Minute)
			}
			raw, err := encodeSession(portal.Session{AccountID: uint64(i%50 + 1), CreatedAt: now.Add(-2 * time.Hour), LastSeen: seen})
			if err != nil {
				return err
			}
			h := sessionHash(i)
			if err := tx.Bucket(bucketSessions).Put(h, raw); err != nil {
				return err
			}
			if err := tx.Bucket(bucketSessionsByAcct).Put(sessionIndexKey(uint64(i%50+1), h), nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	spy := spyOn(db)
	n, err := db.DeleteExpiredSessions(now.Add(-15*time.Minute).UnixNano(), now.Add(-8*time.Hour).UnixNano())
	if err != nil || n != dead {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want %d", n, err, dead)
	}
	if spy.maxDeletes > sweepPage || spy.updates < (dead+sweepPage-1)/sweepPage {
		t.Fatalf("%d transactions, the largest deleting %d sessions; want at most %d each", spy.updates, spy.maxDeletes, sweepPage)
	}
	if got := sessionIndexLen(t, db); got != live {
		t.Fatalf("%d index rows left, want %d", got, live)
	}
	left := 0
	if err := db.view(func(tx kv.Tx) error { left = tx.Bucket(bucketSessions).KeyN(); return nil }); err != nil || left != live {
		t.Fatalf("%d sessions left (%v), want %d", left, err, live)
	}
}

// A session touched after the sweeper found it expired, and before its
// deleting transaction, is kept.
func TestSweeperKeepsATouchedSession(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	now := sessionEpoch.Add(9 * time.Hour)
	s := portal.Session{AccountID: 5, CreatedAt: now.Add(-time.Hour), LastSeen: now.Add(-time.Hour)}
	h := sessionHash(1)
	if err := db.PutSession(h, s); err != nil {
		t.Fatal(err)
	}
	gone := sessionHash(2)
	if err := db.PutSession(gone, s); err != nil {
		t.Fatal(err)
	}
	inner := db.eng
	db.eng = &touchFirst{Engine: inner, touch: func() {
		s.LastSeen = now
		raw, _ := encodeSession(s)
		_ = inner.Update(context.Background(), func(tx kv.Tx) error { return tx.Bucket(bucketSessions).Put(h, raw) })
	}}
	n, err := db.DeleteExpiredSessions(now.Add(-15*time.Minute).UnixNano(), now.Add(-8*time.Hour).UnixNano())
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	wantSession(t, db, h)
	wantNoSession(t, db, gone)
}

// touchFirst runs touch once, before the first read-write transaction.
type touchFirst struct {
	kv.Engine
	once  sync.Once
	touch func()
}

func (e *touchFirst) Update(ctx context.Context, fn func(kv.Tx) error) error {
	e.once.Do(e.touch)
	return e.Engine.Update(ctx, fn)
}

// Design §6.3: saving a stored session again goes through the unlocked put
// (on PostgreSQL outside the writer lock) with the very bytes the locked save
// writes; creating a session, or moving it to another account, goes under
// the lock with its index entry.
func TestSessionTouchIsUnlockedWithTheSameBytes(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	spy := spyOn(db)
	s := portal.Session{AccountID: 9, Role: portal.RoleLawyer, CreatedAt: sessionEpoch, LastSeen: sessionEpoch,
		Values: map[string]string{"flash": "已保存", "csrf": "x"}}
	h := sessionHash(1)
	if err := db.PutSession(h, s); err != nil {
		t.Fatal(err)
	}
	if n := len(spy.unlockedPuts()); n != 0 {
		t.Fatalf("a new session was saved without the lock (%d puts)", n)
	}
	locked := rawSession(t, db, h)
	if err := db.PutSession(h, s); err != nil { // the same session again
		t.Fatal(err)
	}
	puts := spy.unlockedPuts()
	if len(puts) != 1 || !bytes.Equal(puts[0], locked) || !bytes.Equal(rawSession(t, db, h), locked) {
		t.Fatalf("the unlocked save wrote %q, the locked one %q", puts, locked)
	}
	// A touch moves LastSeen on, through the unlocked put.
	s.LastSeen = sessionEpoch.Add(time.Minute)
	if err := db.PutSession(h, s); err != nil {
		t.Fatal(err)
	}
	if got := wantSession(t, db, h); !got.LastSeen.Equal(s.LastSeen) || got.Values["flash"] != "已保存" || len(spy.unlockedPuts()) != 2 {
		t.Fatalf("after the touch: %+v, %d unlocked puts", got, len(spy.unlockedPuts()))
	}
	// Another account for the same session: under the lock, indexed.
	s.AccountID = 10
	if err := db.PutSession(h, s); err != nil {
		t.Fatal(err)
	}
	if len(spy.unlockedPuts()) != 2 {
		t.Fatal("a session moved to another account without the lock")
	}
	if infos, err := db.SessionsOf(10); err != nil || len(infos) != 1 {
		t.Fatalf("SessionsOf(10) = %v, %v", infos, err)
	}
	// An anonymous session is touched unlocked too (it has no index entry).
	anon := sessionHash(2)
	a := portal.Session{CreatedAt: sessionEpoch, LastSeen: sessionEpoch}
	for range 2 {
		if err := db.PutSession(anon, a); err != nil {
			t.Fatal(err)
		}
	}
	if len(spy.unlockedPuts()) != 3 {
		t.Fatalf("%d unlocked puts after an anonymous session's second save", len(spy.unlockedPuts()))
	}
}

// A session ended (password change: every session of the account) while a
// request saves it stays ended: the unlocked save does not bring it back
// without its index entry, where the next EndSessions could not find it.
func TestSessionEndedDuringTouchStaysEnded(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	spy := spyOn(db)
	h := putTestSession(t, db, 7, 1)
	other := putTestSession(t, db, 8, 2)
	spy.mu.Lock()
	spy.beforePut = func() {
		if err := db.EndSessions(7, 7, "req"); err != nil {
			t.Error(err)
		}
	}
	spy.mu.Unlock()
	if err := db.PutSession(h, portal.Session{AccountID: 7, Role: portal.RoleMinor, CreatedAt: sessionEpoch, LastSeen: sessionEpoch.Add(2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if len(spy.unlockedPuts()) != 1 {
		t.Fatal("the save did not take the unlocked path: the test proves nothing")
	}
	wantNoSession(t, db, h)
	wantSession(t, db, other)
	if n := sessionIndexLen(t, db); n != 1 {
		t.Fatalf("%d index rows, want 1", n)
	}
}

// On PostgreSQL a session's touch does not wait for the writer lock: it
// completes while another transaction holds it.
func TestSessionTouchDoesNotWaitForTheWriter(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Postgres, "the unlocked put is PostgreSQL's; bbolt has one writer in one process")
	db := newTestDB(t)
	h := putTestSession(t, db, 3, 1)
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.update(func(tx kv.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	touched := make(chan error, 1)
	go func() {
		touched <- db.PutSession(h, portal.Session{AccountID: 3, Role: portal.RoleMinor, CreatedAt: sessionEpoch, LastSeen: sessionEpoch.Add(5 * time.Minute)})
	}()
	select {
	case err := <-touched:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		close(release)
		t.Fatal("the touch waited for the writer lock")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := wantSession(t, db, h); !s.LastSeen.Equal(sessionEpoch.Add(5 * time.Minute)) {
		t.Fatalf("after the touch: %+v", s)
	}
}
