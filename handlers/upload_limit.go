package handlers

import (
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Files an address may upload without an account (leak reports and the
// evidence added to them through /track) in a window: enough for a report
// with all its screenshots and a few corrections, far too few to keep the
// server's content checks busy. Signed-in uploads are tied to an account.
const (
	anonUploadFiles  = 30
	anonUploadWindow = 10 * time.Minute
)

// anonUploadLimiters holds each server's limiter of anonymous uploads (one
// per Server, so that tests with their own servers do not share it).
var anonUploadLimiters sync.Map // *Server -> *middleware.RateLimiterMemoryStore

func (s *Server) anonUploadLimiter() *middleware.RateLimiterMemoryStore {
	if v, ok := anonUploadLimiters.Load(s); ok {
		return v.(*middleware.RateLimiterMemoryStore)
	}
	v, _ := anonUploadLimiters.LoadOrStore(s, middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(anonUploadFiles) / anonUploadWindow.Seconds()), Burst: anonUploadFiles, ExpiresIn: anonUploadWindow}))
	return v.(*middleware.RateLimiterMemoryStore)
}

// allowUpload spends one file of the client's allowance when nobody is
// signed in; it reports whether the file may be checked.
func (s *Server) allowUpload(c echo.Context) bool {
	if currentUser(c) != nil {
		return true
	}
	ok, _ := s.anonUploadLimiter().Allow(c.RealIP())
	return ok
}
