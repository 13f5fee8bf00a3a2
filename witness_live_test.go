package main

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"sealportal/handlers"
	"sealportal/store"
)

// swapStore is the database behind a running witness; Store replaces it, as
// a failover replaces the primary under the app servers.
type swapStore struct{ cur atomic.Pointer[store.DB] }

func (s *swapStore) SignedAuditHead() ([]byte, tlog.Tree, error) {
	return s.cur.Load().SignedAuditHead()
}
func (s *swapStore) CheckAuditExtends(w []byte) (tlog.Tree, tlog.Tree, error) {
	return s.cur.Load().CheckAuditExtends(w)
}

// lockedBuffer is a log sink the witness's goroutine and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// eventually waits (up to 20 s, for a loaded machine) until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

// TestAuditWitnessWhileServing (issue 15): the witness checks every minute,
// while serving, that the database's log still extends the head it
// witnessed. A failover to a node whose log lost entries (shorter), or holds
// another history (longer but different), makes /readyz answer 503, logs an
// alert that says what happened and what to do, and stops the witness, whose
// file keeps the longer history; the stop does not overwrite it either.
func TestAuditWitnessWhileServing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries int // of the node failed over to, none of them the primary's
	}{
		{"shorter log", 2},
		{"different longer log", 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			primary := openData(t, filepath.Join(dir, "portal.db"))
			other := openData(t, filepath.Join(dir, "other.db")) // the same keys.json: the same audit key
			addAudits(t, primary, 5)
			addAudits(t, other, tc.entries)
			var db swapStore
			db.cur.Store(primary)

			logs := &lockedBuffer{}
			file := filepath.Join(t.TempDir(), "witness", "audit-head")
			w := &auditWitness{file: file, every: 10 * time.Millisecond}
			stop, err := w.start(&db, slog.New(slog.NewTextHandler(logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			stopped := false
			defer func() {
				if !stopped {
					stop()
				}
			}()
			e, err := handlers.New(handlers.Config{Hasher: testHasher, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: w.ready}, primary)
			if err != nil {
				t.Fatal(err)
			}
			readyz := func() int {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
				return rec.Code
			}
			if got := readyz(); got != http.StatusOK {
				t.Fatalf("/readyz = %d before the failover", got)
			}
			// While serving, new entries are witnessed within a tick.
			addAudits(t, primary, 3)
			_, head, err := primary.SignedAuditHead()
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, "the new head is witnessed", func() bool { return witnessedEntries(t, file) == head.N })

			// The failover: the app server now writes to a node without them.
			db.cur.Store(other)
			eventually(t, "the witness notices the lost entries", func() bool { return w.ready() != nil })
			if got := readyz(); got != http.StatusServiceUnavailable {
				t.Fatalf("/readyz = %d after the log lost witnessed entries, want 503", got)
			}
			for _, want := range []string{"ALERT", "alert=audit_lost", "lost audit entries", "/readyz", "After a failover", file} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log does not say %q:\n%s", want, logs.String())
				}
			}
			if !errors.Is(w.lost, store.ErrAuditLost) {
				t.Errorf("lost = %v, want ErrAuditLost", w.lost)
			}
			addAudits(t, other, 30) // longer than anything witnessed, still another history
			stop()
			stopped = true
			if got := witnessedEntries(t, file); got != head.N {
				t.Fatalf("the witness moved from %d to %d entries", head.N, got)
			}
			if got := readyz(); got != http.StatusServiceUnavailable {
				t.Fatalf("/readyz = %d later, want 503 until a restart", got)
			}
		})
	}
}

// A database that does not answer for a moment (an election in progress) is
// no loss: the tick logs it and the server stays ready.
func TestAuditWitnessTransientErrorStaysReady(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	primary := openData(t, filepath.Join(dir, "portal.db"))
	addAudits(t, primary, 3)
	w := &auditWitness{file: filepath.Join(t.TempDir(), "audit-head"), every: time.Hour}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	if !w.tick(primary, log) || w.ready() != nil {
		t.Fatalf("a good tick: ready %v", w.ready())
	}
	primary.Close()
	if !w.tick(primary, log) {
		t.Fatal("the witness stopped on a database that does not answer")
	}
	if err := w.ready(); err != nil {
		t.Fatalf("ready = %v on a transient error", err)
	}
	if !strings.Contains(logs.String(), "audit witness") || strings.Contains(logs.String(), "ALERT") {
		t.Fatalf("log:\n%s", logs.String())
	}
}

// verify-audit -audit-witness (the operator's check after a failover or a
// restore): OK on a log that extends the witnessed head, exit 1 with the
// counts on one that lost witnessed entries.
func TestVerifyAuditChecksTheWitness(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path, other := filepath.Join(dir, "portal.db"), filepath.Join(dir, "other.db")
	file := filepath.Join(t.TempDir(), "audit-head")
	db := openData(t, path)
	addAudits(t, db, 6)
	w := &auditWitness{file: file, every: time.Hour}
	if err := w.write(db); err != nil {
		t.Fatal(err)
	}
	addAudits(t, db, 2)
	db.Close()
	lagging := openData(t, other) // the same keys: the same audit key
	addAudits(t, lagging, 3)
	lagging.Close()
	t.Setenv(envAuditWitness, "")

	var out bytes.Buffer
	ok, err := runVerifyAudit(withData(t, path, "-audit-witness", file), &out)
	if err != nil || !ok || !strings.Contains(out.String(), "audit witness OK") {
		t.Fatalf("verify-audit on the primary = %v, %v:\n%s", ok, err, out.String())
	}
	out.Reset()
	ok, err = runVerifyAudit(withData(t, other, "-audit-witness", file), &out)
	if err != nil || ok || !strings.Contains(out.String(), "audit witness FAILED") || !strings.Contains(out.String(), "lost") {
		t.Fatalf("verify-audit on a log that lost witnessed entries = %v, %v:\n%s", ok, err, out.String())
	}
	out.Reset()
	ok, err = runVerifyAudit(withData(t, other), &out)
	if err != nil || !ok || strings.Contains(out.String(), "witness") {
		t.Fatalf("verify-audit without a witness = %v, %v:\n%s", ok, err, out.String())
	}
}
