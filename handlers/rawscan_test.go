package handlers

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for reading the server's files

	"sealportal/store/kv/enginetest"
)

// storeRawBytes is everything the test server's database holds, as bytes,
// for the tests that look for personal data in the clear; call it after
// ts.db.Close(). On bbolt it is the file. On PostgreSQL (issue 14) it is what
// a dump holds, raw (every bucket name, key and value: pg_dump itself would
// print bytea as hex, where a plaintext search finds nothing), the files of
// the database's tables, TOAST and indexes in the data directory after a
// CHECKPOINT, and the WAL segments written since the test server started.
// Each part must hold the key "schema_version", which the migrations write in
// the clear, so that a part that was not read cannot pass for a clean one.
func storeRawBytes(t *testing.T, ts *testServer) []byte {
	t.Helper()
	if enginetest.Name() != enginetest.Postgres {
		raw, err := os.ReadFile(ts.db.Path())
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	u, err := url.Parse(ts.db.Path())
	if err != nil {
		t.Fatalf("the store's database URL: %v", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := url.Parse(enginetest.ServerURL(t)) // a superuser's URL: reads the server's files
	if err != nil {
		t.Fatal(err)
	}
	admin.Path = "/" + name
	conn, err := sql.Open("pgx", admin.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var parts [3][]byte // dump, data files, WAL
	rows := func(q string, args []any, each func(b []byte)) {
		t.Helper()
		r, err := conn.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer r.Close()
		for r.Next() {
			var b []byte
			if err := r.Scan(&b); err != nil {
				t.Fatal(err)
			}
			each(b)
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The dump: every table of the engine's schema, raw.
	for _, q := range []string{"SELECT name FROM kv_bucket", "SELECT k FROM kv", "SELECT v FROM kv"} {
		rows(q, nil, func(b []byte) { parts[0] = append(append(parts[0], b...), 0) })
	}
	// The data files: written out by a CHECKPOINT.
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	rows(`SELECT pg_read_binary_file(pg_relation_filepath(c.oid)) FROM pg_class c
		WHERE c.relkind IN ('r', 't', 'i') AND (c.relnamespace = 'public'::regnamespace
		OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
		OR c.oid IN (SELECT i.indexrelid FROM pg_index i JOIN pg_class p ON p.reltoastrelid = i.indrelid WHERE p.relnamespace = 'public'::regnamespace))`,
		nil, func(b []byte) { parts[1] = append(parts[1], b...) })
	// The WAL since the server started (other tests' records too: all of
	// them must be free of plaintext personal data anyway).
	rows(`SELECT pg_read_binary_file('pg_wal/' || name) FROM pg_ls_waldir()
		WHERE name ~ '^[0-9A-F]{24}$' AND modification >= $1 ORDER BY name`,
		[]any{ts.started.Add(-5 * time.Second)}, func(b []byte) { parts[2] = append(parts[2], b...) })
	var all []byte
	for i, p := range parts {
		if !strings.Contains(string(p), "schema_version") {
			t.Fatalf("part %d of the database's bytes (dump, data files, WAL) does not hold the known key schema_version: it was not read", i)
		}
		all = append(all, p...)
	}
	return all
}
