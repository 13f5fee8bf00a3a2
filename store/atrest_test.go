package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"sealportal/store/kv/boltkv"
	"sealportal/store/kv/enginetest"
	"sealportal/store/kv/pgkv/pgtest"
)

// What a database leaves at rest, on either engine (issue 14). On bbolt that
// is the file. On PostgreSQL it is the database's folder in the server's
// data directory, the server's write-ahead log (pg_wal: every change is
// written there first, whatever later happens to the table pages), and what
// a pg_dump of the database gives an operator. The tests that prove that no
// personal data is stored in clear scan all of them.

// Where the pieces come from, as scan names them.
const (
	restFile    = "database file"
	restDataDir = "data directory"
	restWAL     = "WAL"
	restDump    = "pg_dump"
)

// restWatch follows what the test's databases leave at rest.
type restWatch struct {
	// PostgreSQL: the connection that holds a temporary replication slot
	// (the server keeps every WAL segment from startLSN on while it is
	// open) and the LSN the test's writes start at.
	slot     *sql.Conn
	startLSN string
}

// watchAtRest starts watching what the test's databases leave at rest: call
// it first, before the test writes what it then looks for. On bbolt the file
// holds everything and nothing is needed; on PostgreSQL a temporary
// replication slot makes the server keep the WAL written from now on (a
// checkpoint would otherwise recycle the segments that hold the test's first
// writes), until the test ends.
func watchAtRest(t *testing.T) *restWatch {
	t.Helper()
	w := &restWatch{}
	if enginetest.Name() != enginetest.Postgres {
		return w
	}
	pool, err := sql.Open("pgx", enginetest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pool.Close() })
	ctx := context.Background()
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() }) // ends the session: the temporary slot goes with it
	name := fmt.Sprintf("atrest_%d", time.Now().UnixNano())
	if err := conn.QueryRowContext(ctx, "SELECT lsn::text FROM pg_create_physical_replication_slot($1, true, true)", name).Scan(&w.startLSN); err != nil {
		t.Fatalf("reserving the WAL: %v", err)
	}
	w.slot = conn
	return w
}

// scan calls fn with each piece of what the database holds at rest, named
// by where it comes from (restFile; or restDataDir, restWAL and restDump).
// path is the database (db.Path()); db the store if it is still open (its
// file is synced first), or nil.
func (w *restWatch) scan(t *testing.T, path string, db *DB, fn func(what string, raw []byte)) {
	t.Helper()
	if w.slot == nil {
		if db != nil {
			if err := syncFile(db); err != nil {
				t.Fatal(err)
			}
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fn(restFile, raw)
		return
	}
	ctx := context.Background()
	var dataDir, oid, walFirst, walEnd string
	var startOff, endOff int64
	// The checkpoint writes every changed page of the tables to the files,
	// and the WAL is flushed up to the position read below.
	if _, err := w.slot.ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	err := w.slot.QueryRowContext(ctx, `SELECT current_setting('data_directory'),
		(SELECT oid::text FROM pg_database WHERE datname = $2),
		w.file_name, w.file_offset, e.file_name, e.file_offset
		FROM pg_walfile_name_offset($1::pg_lsn) w, pg_walfile_name_offset(pg_current_wal_flush_lsn()) e`, w.startLSN, dbName(t, path)).
		Scan(&dataDir, &oid, &walFirst, &startOff, &walEnd, &endOff)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dataDir); err != nil {
		t.Skipf("the server's data directory is not on this machine (%v): the scan needs the server's files", err)
	}
	// The database's own folder: its tables, indexes and TOAST, live rows
	// and dead ones alike.
	dbDir := filepath.Join(dataDir, "base", oid)
	files, err := os.ReadDir(dbDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !f.Type().IsRegular() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dbDir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) > 0 {
			fn(restDataDir, raw)
		}
	}
	// The WAL since watchAtRest, segment by segment (each piece overlaps the
	// previous one's end, so a record split between two segments is whole
	// in one piece). The WAL is the server's, shared by every database: the
	// other tests' writes are in it too, and must hold no clear text either.
	segs, err := os.ReadDir(filepath.Join(dataDir, "pg_wal"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range segs {
		n := s.Name()
		if len(n) == 24 && s.Type().IsRegular() && n[:8] == walFirst[:8] && n >= walFirst && n <= walEnd {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 || names[0] != walFirst {
		t.Fatalf("the WAL segments from %s on are not all kept: %v", walFirst, names)
	}
	var tail []byte
	for _, n := range names {
		raw, err := os.ReadFile(filepath.Join(dataDir, "pg_wal", n))
		if err != nil {
			t.Fatal(err)
		}
		if n == walEnd {
			raw = raw[:endOff]
		}
		if n == walFirst {
			raw = raw[startOff:]
		}
		piece := append(tail, raw...)
		if len(piece) > 0 {
			fn(restWAL, piece)
		}
		tail = append([]byte(nil), raw[max(0, len(raw)-8192):]...)
	}
	fn(restDump, pgDump(t, path))
}

// dbName is the database a URL names.
func dbName(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || len(u.Path) < 2 {
		t.Fatalf("not a database URL: %q", dsn)
	}
	return u.Path[1:]
}

// byteaHex is a bytea value in a pg_dump's COPY data (hex output, its
// backslash escaped).
var byteaHex = regexp.MustCompile(`\\\\x([0-9a-f]*)`)

// pgDump is a plain-text pg_dump of the database at dsn, followed by every
// bytea value in it decoded: the dump writes them in hex, and what matters is
// what anyone holding the dump can read from it.
func pgDump(t *testing.T, dsn string) []byte {
	t.Helper()
	bin, err := pgtest.Bin("pg_dump")
	if err != nil {
		t.Skipf("no pg_dump: %v", err)
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(bin, "--no-owner", "--no-privileges", "-d", dsn) // #nosec G204 -- the test server's own tool and URL
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, stderr.String())
	}
	dump := out.Bytes()
	res := append([]byte(nil), dump...)
	for _, m := range byteaHex.FindAllSubmatch(dump, -1) {
		v := make([]byte, hex.DecodedLen(len(m[1])))
		if _, err := hex.Decode(v, m[1]); err != nil {
			t.Fatalf("pg_dump: a bytea value that is not hex: %v", err)
		}
		res = append(append(res, 0), v...)
	}
	return res
}

// assertNothingAtRest scans everything the database at path holds at rest
// for the secrets in their common encodings (see encodings) and for the
// keys' raw bytes and base64. control, when not empty, is something stored
// in clear by design: it must be found in every kind of piece, or the scan is
// looking at the wrong bytes.
func assertNothingAtRest(t *testing.T, w *restWatch, path string, db *DB, stage string, secrets []string, keys [][]byte, control string) {
	t.Helper()
	assertNoneAtRest(t, w, path, db, stage, newLeakFinder(secrets, keys), control)
}

// assertNoUTF8AtRest is assertNothingAtRest for secrets in UTF-8 only: for
// short digit strings, whose other encodings also spell PostgreSQL's own
// catalog arrays (an int2vector 48, 49, … is "0123…" in UTF-16).
func assertNoUTF8AtRest(t *testing.T, w *restWatch, path string, db *DB, stage string, secrets []string) {
	t.Helper()
	f := &leakFinder{reported: map[string]bool{}, byPrefix: map[uint32][]int{}}
	for _, s := range secrets {
		f.add(leakPattern{s, "utf-8", []byte(s)})
	}
	assertNoneAtRest(t, w, path, db, stage, f, "")
}

func assertNoneAtRest(t *testing.T, w *restWatch, path string, db *DB, stage string, f *leakFinder, control string) {
	t.Helper()
	seen := map[string]bool{}
	found := map[string]bool{}
	w.scan(t, path, db, func(what string, raw []byte) {
		seen[what] = true
		if control != "" && bytes.Contains(raw, []byte(control)) {
			found[what] = true
		}
		f.check(t, stage+": "+what, raw)
	})
	kinds := []string{restFile}
	if w.slot != nil {
		kinds = []string{restDataDir, restWAL, restDump}
	}
	for _, k := range kinds {
		if !seen[k] {
			t.Fatalf("%s: nothing read from the %s", stage, k)
		}
		if control != "" && !found[k] {
			t.Fatalf("%s: the control string %q is not found in the %s: the search is broken", stage, control, k)
		}
	}
}

// leakFinder looks for secrets (in every encoding) and keys (raw and base64)
// in pieces of bytes, reporting each finding once. It walks each piece once,
// through a table of the patterns' first two bytes and a map of their first
// four, so that the tens of megabytes of a PostgreSQL server's files take
// well under a second.
type leakFinder struct {
	pats     []leakPattern
	first    [1 << 16]bool
	byPrefix map[uint32][]int
	short    []int // patterns under four bytes, searched one by one
	reported map[string]bool
}

type leakPattern struct {
	secret, form string
	b            []byte
}

func newLeakFinder(secrets []string, keys [][]byte) *leakFinder {
	f := &leakFinder{reported: map[string]bool{}, byPrefix: map[uint32][]int{}}
	for _, s := range secrets {
		for form, b := range encodings(s) {
			f.add(leakPattern{s, form, b})
		}
	}
	for i, k := range keys {
		name := fmt.Sprintf("key %d of %d", i+1, len(keys))
		f.add(leakPattern{name, "raw", k})
		f.add(leakPattern{name, "base64", []byte(base64.StdEncoding.EncodeToString(k))})
	}
	return f
}

func (f *leakFinder) add(p leakPattern) {
	i := len(f.pats)
	f.pats = append(f.pats, p)
	if len(p.b) < 4 {
		f.short = append(f.short, i)
		return
	}
	f.first[binary.BigEndian.Uint16(p.b)] = true
	pre := binary.BigEndian.Uint32(p.b)
	f.byPrefix[pre] = append(f.byPrefix[pre], i)
}

func (f *leakFinder) check(t *testing.T, what string, raw []byte) {
	t.Helper()
	for _, i := range f.find(raw) {
		p := f.pats[i]
		if !f.reported[what+p.secret+p.form] {
			f.reported[what+p.secret+p.form] = true
			t.Errorf("%s: %q is there in clear (as %s)", what, p.secret, p.form)
		}
	}
}

// find returns the patterns found in raw.
func (f *leakFinder) find(raw []byte) []int {
	var out []int
	for _, i := range f.short {
		if bytes.Contains(raw, f.pats[i].b) {
			out = append(out, i)
		}
	}
	for i := 0; i+4 <= len(raw); i++ {
		if !f.first[binary.BigEndian.Uint16(raw[i:])] {
			continue
		}
		for _, j := range f.byPrefix[binary.BigEndian.Uint32(raw[i:])] {
			if bytes.HasPrefix(raw[i:], f.pats[j].b) {
				out = append(out, j)
			}
		}
	}
	return out
}

// liveCopy is the database's content as a copy holds it: bbolt's hot copy
// (freed pages included), or a pg_dump.
func liveCopy(t *testing.T, db *DB) []byte {
	t.Helper()
	if enginetest.Name() == enginetest.Postgres {
		return pgDump(t, db.Path())
	}
	return hotCopy(t, db)
}

// editAtRest changes the stored bytes behind the store's back, with the
// store closed: on bbolt the file's bytes, on PostgreSQL the values of table
// kv through SQL, as someone with write access to the file or the database
// could. edit changes raw in place and says how many places it changed.
func editAtRest(t *testing.T, path string, edit func(raw []byte) int) int {
	t.Helper()
	if enginetest.Name() != enginetest.Postgres {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n := edit(raw)
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ctx := context.Background()
	pool, err := sql.Open("pgx", path)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.QueryContext(ctx, "SELECT bucket, k, v FROM kv")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		bucket int64
		k, v   []byte
	}
	var changed []row
	total := 0
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.bucket, &r.k, &r.v); err != nil {
			t.Fatal(err)
		}
		if n := edit(r.v); n > 0 {
			total += n
			changed = append(changed, r)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatal(err)
	}
	for _, r := range changed {
		res, err := pool.ExecContext(ctx, "UPDATE kv SET v = $3 WHERE bucket = $1 AND k = $2", r.bucket, r.k, r.v)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("editing a row of kv: %d rows changed", n)
		}
	}
	return total
}

// The finder finds each secret in each encoding, at the very start and end
// of a piece, and a key in raw and base64 form; and nothing in clean bytes.
func TestLeakFinderFinds(t *testing.T) {
	t.Parallel()
	secrets := []string{"欧阳秘密人", "13912345678", "ab"}
	key := []byte("0123456789abcdef0123456789abcdef")
	f := newLeakFinder(secrets, [][]byte{key})
	for _, s := range secrets {
		for form, b := range encodings(s) {
			for _, raw := range [][]byte{b, append(bytes.Repeat([]byte{0}, 1000), b...), append(append([]byte("x"), b...), 'y')} {
				if len(f.find(raw)) == 0 {
					t.Errorf("%q as %s not found in %q", s, form, raw)
				}
			}
		}
	}
	for _, raw := range [][]byte{key, []byte("..." + base64.StdEncoding.EncodeToString(key))} {
		if len(f.find(raw)) == 0 {
			t.Errorf("key not found in %q", raw)
		}
	}
	if got := f.find(bytes.Repeat([]byte("欧阳秘密 1391234567 a"), 100)); len(got) != 0 {
		t.Errorf("found %d secrets in bytes that do not hold them", len(got))
	}
}

// liveData is the database's live content only: bbolt's file compacted into
// a fresh one (the pages freed by earlier writes left out), or a pg_dump.
func liveData(t *testing.T, db *DB) []byte {
	t.Helper()
	if enginetest.Name() == enginetest.Postgres {
		return pgDump(t, db.Path())
	}
	compacted := filepath.Join(t.TempDir(), "compact.db")
	if err := db.eng.(*boltkv.Engine).CompactTo(compacted); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(compacted)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
