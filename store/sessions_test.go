package store

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
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
