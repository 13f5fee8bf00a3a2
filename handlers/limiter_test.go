package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// openSharedServers opens n handlers over n stores on one database (one
// bbolt file admits one, so n > 1 needs PostgreSQL), with one fixed clock.
func openSharedServers(t *testing.T, n int) []*echo.Echo {
	t.Helper()
	loc := enginetest.Location(t, filepath.Join(t.TempDir(), "portal.db"))
	keys := store.NewTestKeys()
	clock := &testClock{now: testEpoch}
	var out []*echo.Echo
	for range n {
		db, err := store.Open(loc, store.Options{Keys: keys, Clock: clock.Now})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		e, err := New(Config{PublicURL: testPublicURL, LoginPause: func(context.Context, time.Duration) {}, Hasher: testHasher,
			Clock: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, db)
		if err != nil {
			t.Fatalf("handlers.New: %v", err)
		}
		out = append(out, e)
	}
	return out
}

func apiCheck(e *echo.Echo, addr string) int {
	body := chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "exempted", "")
	req := httptest.NewRequest(http.MethodPost, "/api/v1/unsealing-check", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = addr
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code
}

// TestLimiterFollowsTheStore: the limits are kept in memory on a store of
// one process (bbolt) and in the database on a shared one (PostgreSQL).
func TestLimiterFollowsTheStore(t *testing.T) {
	loc := enginetest.Location(t, filepath.Join(t.TempDir(), "portal.db"))
	db, err := store.Open(loc, store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &Server{db: db, cfg: Config{Clock: time.Now}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	l := s.newLimiter("login", 2, time.Minute)
	switch _, isDB := l.(*dbLimiter); {
	case db.Shared() && !isDB:
		t.Fatalf("shared store, limiter %T: each app server would count alone", l)
	case !db.Shared():
		if _, ok := l.(*middleware.RateLimiterMemoryStore); !ok {
			t.Fatalf("bbolt store, limiter %T, want the in-memory one", l)
		}
	}
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Allow("192.0.2.1"); ok != want {
			t.Fatalf("hit %d: allowed %v, want %v", i+1, ok, want)
		}
	}
	if ok, _ := l.Allow("192.0.2.2"); !ok {
		t.Fatal("another address was refused")
	}
}

// TestRateLimitSharedAcrossServers: two app servers (handlers.New) on one
// PostgreSQL database share the public API's limit per address: requests
// spread over both are refused once apiRatePerMinute have passed in all,
// and another address is not affected (issue 15, design §6.6).
func TestRateLimitSharedAcrossServers(t *testing.T) {
	enginetest.Require(t, enginetest.Postgres, "two app servers on one database; a bbolt file admits one process (its lock)")
	servers := openSharedServers(t, 2)
	passed := 0
	for i := range apiRatePerMinute + 10 {
		// The answer to the request itself does not matter: only whether
		// the limit let it through.
		if apiCheck(servers[i%2], "198.51.100.9:4000") != http.StatusTooManyRequests {
			passed++
		}
	}
	if passed != apiRatePerMinute {
		t.Fatalf("%d requests passed over two servers, want %d (one shared limit)", passed, apiRatePerMinute)
	}
	for i, e := range servers {
		if code := apiCheck(e, "198.51.100.9:4000"); code != http.StatusTooManyRequests {
			t.Fatalf("server %d over the shared limit: %d", i, code)
		}
	}
	if code := apiCheck(servers[1], "198.51.100.10:4000"); code == http.StatusTooManyRequests {
		t.Fatalf("another address: %d", code)
	}
}
