package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

func witnessedEntries(t *testing.T, file string) int64 {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The note's text is tlog's tree format, then the signature lines.
	text, _, _ := bytes.Cut(raw, []byte("\n\n"))
	tree, err := tlog.ParseTree(append(text, '\n'))
	if err != nil {
		t.Fatalf("witness file: %v\n%s", err, raw)
	}
	return tree.N
}

func addAudits(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for range n {
		if err := db.RecordAudit(portal.AuditEvent{Action: portal.AuditLoginFailed}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditWitnessRefusesALostSuffix: the server writes the signed audit
// head to the witness file at start and stop; a longer log starts; a restore
// of an older copy of the database (which lost the entries the witness saw)
// is refused with a message that says so, and the witness file is not moved
// back to the shorter history (issue 15).
func TestAuditWitnessRefusesALostSuffix(t *testing.T) {
	enginetest.Require(t, enginetest.Bolt, "it restores an older copy of the database file; TestAuditWitnessConsistency in store loses a suffix on both engines")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	data := testData(t)
	file := filepath.Join(t.TempDir(), "witness", "audit-head")
	w := &auditWitness{file: file, every: time.Hour}

	db := openData(t, data)
	addAudits(t, db, 3)
	stop, err := w.start(db, quiet)
	if err != nil {
		t.Fatalf("first start with a witness: %v", err)
	}
	_, tree, err := db.SignedAuditHead()
	if err != nil {
		t.Fatal(err)
	}
	if got := witnessedEntries(t, file); got != tree.N {
		t.Fatalf("witnessed %d entries at start, log has %d", got, tree.N)
	}
	addAudits(t, db, 2)
	stop() // writes the head once more
	if got := witnessedEntries(t, file); got != tree.N+2 {
		t.Fatalf("witnessed %d entries at stop, want %d", got, tree.N+2)
	}
	db.Close()
	older := filepath.Join(t.TempDir(), "older.db")
	copyFile(t, data, older)

	// A longer log: accepted, and witnessed.
	db = openData(t, data)
	addAudits(t, db, 4)
	stop, err = w.start(db, quiet)
	if err != nil {
		t.Fatalf("a log longer than the witnessed head: %v", err)
	}
	stop()
	_, long, err := db.SignedAuditHead()
	if err != nil {
		t.Fatal(err)
	}
	if got := witnessedEntries(t, file); got != long.N {
		t.Fatalf("witnessed %d, log %d", got, long.N)
	}
	db.Close()

	// The older copy restored: 4 entries the witness saw are gone.
	copyFile(t, older, data)
	db = openData(t, data)
	_, err = w.start(db, quiet)
	if err == nil || !errors.Is(err, errWitnessRefused) {
		t.Fatalf("a restore that lost audit entries started: %v", err)
	}
	for _, want := range []string{"refusing to serve", "lost audit entries", file, "4 lost"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}
	if err := w.write(db); err == nil {
		t.Fatal("the witness was overwritten with the shorter log")
	}
	if got := witnessedEntries(t, file); got != long.N {
		t.Fatalf("witness moved from %d to %d entries", long.N, got)
	}
	// An operator who records the loss moves the file aside; then it starts.
	if err := os.Rename(file, file+".lost"); err != nil {
		t.Fatal(err)
	}
	stop, err = w.start(db, quiet)
	if err != nil {
		t.Fatalf("start after the witness was moved aside: %v", err)
	}
	stop()
}

// TestAuditWitnessFlag: -audit-witness, defaulting to PORTAL_AUDIT_WITNESS;
// without either no witness is kept and start does nothing.
func TestAuditWitnessFlag(t *testing.T) {
	t.Setenv(envAuditWitness, "/srv/witness/head")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	w := auditWitnessFlag(fs)
	if err := fs.Parse(nil); err != nil || w.file != "/srv/witness/head" || w.every != time.Minute {
		t.Fatalf("from the environment: %+v %v", w, err)
	}
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	w = auditWitnessFlag(fs)
	if err := fs.Parse([]string{"-audit-witness", "/mnt/worm/head"}); err != nil || w.file != "/mnt/worm/head" {
		t.Fatalf("from the flag: %+v %v", w, err)
	}
	t.Setenv(envAuditWitness, "")
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	w = auditWitnessFlag(fs)
	if err := fs.Parse(nil); err != nil || w.file != "" {
		t.Fatalf("unset: %+v %v", w, err)
	}
	stop, err := w.start(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	stop()
}
