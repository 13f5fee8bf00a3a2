package pgkv

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"sealportal/store/kv"
	"sealportal/store/kv/pgkv/pgtest"
)

// Issue 15: a transaction that reaches no server (here: the database stops
// admitting connections and its sessions are terminated, as when the primary
// dies and no other is promoted yet) answers kv.ErrUnavailable — never
// kv.ErrOutcomeUnknown, since no COMMIT was sent — and a transaction's own
// error is never taken for it. Once the server admits connections again, the
// same engine works.
func TestUnavailable(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	e := openTest(t, dsn)
	put := func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}
	if err := e.Update(bg, put); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin := adminDB(t)
	if _, err := admin.ExecContext(bg, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.ExecContext(bg, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS true") })
	if _, err := admin.ExecContext(bg, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
		t.Fatal(err)
	}
	get := func(tx kv.Tx) error { _ = tx.Bucket([]byte("b")).Get([]byte("k")); return nil }
	for what, err := range map[string]error{
		"Update": e.Update(bg, put),
		"View":   e.View(bg, get),
		"Batch":  e.Batch(bg, put),
	} {
		if !errors.Is(err, kv.ErrUnavailable) || errors.Is(err, kv.ErrOutcomeUnknown) {
			t.Errorf("%s while no server admits connections: %v, want kv.ErrUnavailable", what, err)
		}
	}
	if _, err := admin.ExecContext(bg, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS true"); err != nil {
		t.Fatal(err)
	}
	if err := e.Update(bg, put); err != nil {
		t.Fatalf("Update once the server admits connections again: %v", err)
	}
	// A transaction's own error, whatever it wraps, is not the server's.
	own := errors.New("the store's own refusal")
	if err := e.Update(bg, func(kv.Tx) error { return own }); !errors.Is(err, own) || errors.Is(err, kv.ErrUnavailable) {
		t.Errorf("fn's own error: %v", err)
	}
}
