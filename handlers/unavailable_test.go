package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv"
	"sealportal/store/kv/boltkv"
	"sealportal/views"
)

// downEngine answers every transaction as a server engine does while no
// database server can be reached (a failover's election): kv.ErrUnavailable.
type downEngine struct {
	kv.Engine
	down atomic.Bool
}

var errNoServer = fmt.Errorf("test: begin: %w: no server answers", kv.ErrUnavailable)

func (e *downEngine) View(ctx context.Context, fn func(kv.Tx) error) error {
	if e.down.Load() {
		return errNoServer
	}
	return e.Engine.View(ctx, fn)
}

func (e *downEngine) Update(ctx context.Context, fn func(kv.Tx) error) error {
	if e.down.Load() {
		return errNoServer
	}
	return e.Engine.Update(ctx, fn)
}

func (e *downEngine) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	if e.down.Load() {
		return errNoServer
	}
	return e.Engine.Batch(ctx, fn)
}

// Issue 15: while no database server can be reached (a PostgreSQL failover),
// pages and forms answer 503 with Retry-After and "the service is busy, try
// again shortly; nothing you already saved is lost" — not 500 "something went
// wrong on our side" (the failover test saw thousands of those) — and the
// same requests succeed once a server answers again.
func TestDatabaseUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portal.db")
	inner, err := boltkv.Open(path, boltkv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := &downEngine{Engine: inner}
	clock := &testClock{now: testEpoch}
	db, err := store.OpenEngine(eng, path, store.Options{Keys: store.NewTestKeys(), Clock: clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	cfg := Config{SecureCookies: true, PublicURL: testPublicURL, LoginPause: func(context.Context, time.Duration) {},
		Hasher: testHasher, Clock: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e, err := New(cfg, db)
	if err != nil {
		db.Close()
		t.Fatalf("handlers.New: %v", err)
	}
	ts := &testServer{t: t, db: db, clock: clock, cfg: cfg, echo: e, srv: httptest.NewServer(e)}
	t.Cleanup(func() {
		ts.srv.Close()
		db.Close()
	})
	ts.createCitizen(portal.RoleGuardian, "13800000001", "correct-horse-9")
	c := ts.newClient()
	c.setLang("en")
	c.login("13800000001", "correct-horse-9").wantStatus(t, http.StatusOK)
	form := c.get("/apply").wantStatus(t, http.StatusOK)
	token := form.csrf(t)

	busy := views.Translate(views.LangEN, "error.timeout")
	eng.down.Store(true)
	for name, p := range map[string]*testPage{
		"a page":      c.get("/cases"),
		"a form post": c.post("/apply", url.Values{csrfField: {token}}),
	} {
		p.wantStatus(t, http.StatusServiceUnavailable)
		if got := p.first.Header.Get("Retry-After"); got != "5" {
			t.Errorf("%s: Retry-After %q, want 5", name, got)
		}
		if !strings.Contains(p.body, busy) {
			t.Errorf("%s: the page does not say the service is busy (%q):\n%s", name, busy, excerpt(p))
		}
		if strings.Contains(p.body, views.Translate(views.LangEN, "error.internal")) {
			t.Errorf("%s: the page says something went wrong on our side", name)
		}
	}
	// A form posted meanwhile comes back with what was typed, in a form that
	// sends it again to the same address: nothing typed is lost.
	typed := "某某区人民法院 (typed before the failover)"
	p := c.post("/apply", url.Values{csrfField: {token}, "organ": {typed}})
	p.wantStatus(t, http.StatusServiceUnavailable)
	for _, want := range []string{busy, `data-testid="storage-retry-form"`, `action="/apply"`, `name="organ"`, "某某区人民法院 (typed before the failover)"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the form posted while no server answers does not show %q:\n%s", want, excerpt(p))
		}
	}
	eng.down.Store(false)
	c.get("/cases").wantStatus(t, http.StatusOK)
}
