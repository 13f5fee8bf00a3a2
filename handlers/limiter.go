package handlers

import (
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Limiter limits hits per client address (the per-address limits of login,
// the public API, certificate verification and leak tracking). It is Echo's
// middleware.RateLimiterStore: Allow reports whether one more hit of
// identifier is allowed now. A limiter that cannot decide answers false with
// its error, and the callers refuse: a limit fails closed.
type Limiter interface {
	Allow(identifier string) (bool, error)
}

// newLimiter is the limiter named name (a store key: "login", "api", …) of
// limit hits per window per client address. On a store shared by several app
// servers (PostgreSQL, issue 15, design §6.6) the count is the database's, so
// the limit holds across servers; otherwise it is a token bucket in memory,
// as one process sees every request.
func (s *Server) newLimiter(name string, limit int, window time.Duration) Limiter {
	if s.db != nil && s.db.Shared() {
		return &dbLimiter{s: s, name: name, limit: limit, window: window}
	}
	return memoryLimiter(limit, window)
}

// memoryLimiter is limit hits per window with a burst of limit, forgetting
// an address after ten minutes (or the window, when longer) without hits.
func memoryLimiter(limit int, window time.Duration) *middleware.RateLimiterMemoryStore {
	return middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(limit) / window.Seconds()), Burst: limit, ExpiresIn: max(window, 10*time.Minute)})
}

// dbLimiter counts in the store's fixed windows (store.RateHit), shared by
// every app server of the database. Once per window each server sweeps the
// windows that ended, in the background.
type dbLimiter struct {
	s      *Server
	name   string
	limit  int
	window time.Duration
	swept  atomic.Int64 // the last window this process swept
}

func (l *dbLimiter) Allow(identifier string) (bool, error) {
	ok, err := l.s.db.RateHit(l.name, identifier, l.limit, l.window)
	if err != nil {
		// No address in the log: the limit's name is enough to find it.
		l.s.log.Error("rate limit", "limit", l.name, "err", err)
		return false, err
	}
	if w := l.s.cfg.Clock().UnixNano() / int64(l.window); l.swept.Load() < w && l.swept.Swap(w) < w {
		go l.sweep()
	}
	return ok, nil
}

func (l *dbLimiter) sweep() {
	if _, err := l.s.db.SweepRateLimits(l.name, l.window); err != nil {
		l.s.log.Error("rate limit sweep", "limit", l.name, "err", err)
	}
}

var _ Limiter = (*middleware.RateLimiterMemoryStore)(nil)
