package pgkv

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"sealportal/store/kv"
	"sealportal/store/kv/pgkv/pgtest"
)

// TestReadyWhileACommitStalls (issue 15): when a COMMIT waits on the server
// (in production: for a synchronous standby that strict synchronous mode
// requires and that is gone), the server still answers, but no write ends;
// Ready reports the engine not ready once the COMMIT has waited longer than
// CommitStall, and ready again when it ends. The test makes COMMIT wait for
// real: a deferred constraint trigger on the test database's kv table, run
// at COMMIT, waits for an advisory lock the test holds.
func TestReadyWhileACommitStalls(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	e := openTest(t, dsn)
	e.opts.CommitStall = 300 * time.Millisecond
	put := func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte(time.Now().String()))
	}
	if err := e.Update(bg, put); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for _, q := range []string{
		`CREATE FUNCTION stall_commit() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$`,
		`CREATE CONSTRAINT TRIGGER stall_commit AFTER INSERT OR UPDATE ON kv
		 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stall_commit()`,
	} {
		if _, err := db.ExecContext(bg, q); err != nil {
			t.Fatal(err)
		}
	}
	holder, err := db.BeginTx(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(bg, "SELECT pg_advisory_xact_lock(4242)"); err != nil {
		t.Fatal(err)
	}
	if err := e.Ready(bg); err != nil {
		t.Fatalf("Ready before the stalled commit: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Update(bg, put) }()
	var notReady error
	for end := time.Now().Add(20 * time.Second); notReady == nil && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		notReady = e.Ready(bg)
	}
	if notReady == nil || !strings.Contains(notReady.Error(), "COMMIT has waited") {
		t.Fatalf("Ready while a COMMIT waits = %v, want the stalled commit reported", notReady)
	}
	select {
	case err := <-done:
		t.Fatalf("the update ended (%v) while its COMMIT should wait", err)
	default:
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the update after the wait: %v", err)
	}
	if err := e.Ready(bg); err != nil {
		t.Fatalf("Ready after the commit ended: %v", err)
	}
}
