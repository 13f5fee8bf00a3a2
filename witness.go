package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"sealportal/store"
)

// The witnessed audit head (issue 15, design §6.4). With -audit-witness FILE
// (or PORTAL_AUDIT_WITNESS) the server writes the audit log's signed tree
// head to FILE every minute and when it stops, outside the database (a
// mounted WORM bucket, another machine's disk, the supervisor's store), and
// at start-up it proves with a consistency proof that the database's log
// extends the head in FILE. A restore of an older copy or a failover to a
// standby that lacked the last commits loses audit entries that were
// acknowledged; the server then refuses to serve, saying so, instead of
// signing a new history over the gap. Each app server may keep its own file;
// several writing one shared file only make it lag behind the newest head.

// envAuditWitness is the environment variable behind -audit-witness.
const envAuditWitness = "PORTAL_AUDIT_WITNESS"

// auditWitness is the -audit-witness setting and what it does.
type auditWitness struct {
	file  string        // "" when no witness is kept
	every time.Duration // how often the head is written (a minute)

	mu   sync.Mutex
	lost error // set when the log stopped extending the witnessed head while serving
}

// witnessStore is what the witness needs of the store.
type witnessStore interface {
	SignedAuditHead() ([]byte, tlog.Tree, error)
	CheckAuditExtends(witnessed []byte) (old, cur tlog.Tree, err error)
}

// auditWitnessFlag registers -audit-witness on fs (the serve command).
func auditWitnessFlag(fs *flag.FlagSet) *auditWitness {
	w := &auditWitness{every: time.Minute}
	fs.StringVar(&w.file, "audit-witness", os.Getenv(envAuditWitness),
		"file outside the database that receives the signed audit head every minute and is checked at start-up: a database that lost audit entries is refused (default $"+envAuditWitness+"; empty: no witness)")
	return w
}

// errWitnessRefused prefixes the start-up refusal.
var errWitnessRefused = errors.New("refusing to serve")

// start checks the database against the witnessed head, writes the current
// head and keeps writing it every w.every until stop, which writes it once
// more. Without a file it does nothing.
func (w *auditWitness) start(db witnessStore, log *slog.Logger) (stop func(), err error) {
	if w.file == "" {
		return func() {}, nil
	}
	old, cur, err := w.check(db)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errWitnessRefused, err)
	}
	if old == nil {
		log.Info("audit witness: no head witnessed yet", "file", w.file, "entries", cur.N)
	} else {
		log.Info("audit witness: the audit log extends the witnessed head", "file", w.file, "entries", cur.N)
	}
	if err := w.write(db); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(w.every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if !w.tick(db, log) {
					return
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		if w.ready() != nil {
			return // the witness keeps the longer history it saw
		}
		if err := w.write(db); err != nil {
			log.Error("audit witness", "file", w.file, "err", err)
		}
	}, nil
}

// tick checks the database against the witnessed head and writes the new
// head (issue 15: the check also runs while serving, every w.every). When the
// log no longer extends the head (a failover or restore lost audit entries
// while this server ran) it stops witnessing for good, so that the good head
// is never replaced by the shorter history, makes ready fail, so that the
// load balancer drains this server, logs an alert with what the operator must
// do, and reports false. Other errors (a database that does not answer during
// an election) are logged and the next tick tries again.
func (w *auditWitness) tick(db witnessStore, log *slog.Logger) bool {
	err := w.write(db)
	switch {
	case err == nil:
		return true
	case !errors.Is(err, store.ErrAuditLost):
		log.Error("audit witness", "file", w.file, "err", err)
		return true
	}
	w.mu.Lock()
	w.lost = err
	w.mu.Unlock()
	log.Error("ALERT audit witness: the database no longer holds audit entries this server witnessed; a failover or restore lost them while the portal was serving. "+
		"This server stopped writing the witness (the file keeps the longer history) and answers /readyz with 503. "+
		"Operator: stop the app servers, find the database node that holds the lost entries (patronictl list; the old primary's data directory), "+
		"follow \"After a failover\" in the README, and record the incident; the servers start again only on a log that extends the witnessed head, or after the witness file is moved aside with the loss recorded",
		"alert", "audit_lost", "file", w.file, "err", err)
	return false
}

// ready is nil unless the audit log stopped extending the witnessed head
// while serving (tick); /readyz then answers 503.
func (w *auditWitness) ready() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lost != nil {
		return errors.New("audit witness: the database lost audit entries this server witnessed")
	}
	return nil
}

// verify is verify-audit's check of the witnessed head (the operator's step
// after a failover or a restore, README "After a failover"): it prints whether
// the database's log extends the head in the file and reports whether it
// does. Without a file there is nothing to check.
func (w *auditWitness) verify(db witnessStore, out io.Writer) bool {
	if w.file == "" {
		return true
	}
	raw, err := os.ReadFile(w.file)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(out, "audit witness: %s holds no head yet (nothing to compare)\n", w.file)
		return true
	}
	if err != nil {
		fmt.Fprintf(out, "audit witness FAILED: %v\n", err)
		return false
	}
	old, cur, err := db.CheckAuditExtends(raw)
	if err != nil {
		fmt.Fprintf(out, "audit witness FAILED: the log (%d entries) does not extend the head witnessed in %s (%d entries): %v\n", cur.N, w.file, old.N, err)
		return false
	}
	fmt.Fprintf(out, "audit witness OK: the log (%d entries) extends the head witnessed in %s (%d entries)\n", cur.N, w.file, old.N)
	return true
}

// check reads the witnessed head (nil when the file does not exist yet) and
// proves that the database's log extends it.
func (w *auditWitness) check(db witnessStore) (witnessed []byte, cur tlog.Tree, err error) {
	witnessed, err = os.ReadFile(w.file)
	if errors.Is(err, os.ErrNotExist) {
		_, cur, err = db.SignedAuditHead()
		return nil, cur, err
	}
	if err != nil {
		return nil, cur, fmt.Errorf("audit witness: %w", err)
	}
	old, cur, err := db.CheckAuditExtends(witnessed)
	switch {
	case errors.Is(err, store.ErrAuditLost):
		return witnessed, cur, fmt.Errorf("the database's audit log (%d entries) does not extend the audit head witnessed in %s (%d entries): "+
			"a restore or a failover lost audit entries that were acknowledged (%w). Bring them back (a newer backup, the old primary), "+
			"or record the loss and move %s aside to accept this log", cur.N, w.file, old.N, err, w.file)
	case err != nil:
		return witnessed, cur, fmt.Errorf("the audit head witnessed in %s cannot be checked: %w", w.file, err)
	}
	return witnessed, cur, nil
}

// write replaces the file with the current signed head, after checking that
// the database still extends the head the file holds: a file is never moved
// back to a shorter or different history, so that a loss during the run is
// still refused at the next start. The new file is written beside the old
// one, synced and renamed over it.
func (w *auditWitness) write(db witnessStore) error {
	prev, _, err := w.check(db)
	if err != nil {
		return err
	}
	head, _, err := db.SignedAuditHead()
	if err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	if head == nil || bytes.Equal(head, prev) {
		return nil // an empty log, or nothing new
	}
	dir := filepath.Dir(w.file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(w.file)+".*")
	if err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // #nosec G104 -- gone after the rename; otherwise a leftover to remove
	if _, err := f.Write(head); err != nil {
		_ = f.Close() // the write error is the one to report
		return fmt.Errorf("audit witness: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync error is the one to report
		return fmt.Errorf("audit witness: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	if err := os.Rename(tmp, w.file); err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	return store.SyncDir(dir)
}
