// Package enginetest chooses the engine the store's tests run on (issue 14):
// bbolt by default, PostgreSQL when PORTAL_TEST_DATABASE_URL names a server
// (each test then gets a database of its own on it) or when
// SEALPORTAL_TEST_ENGINE=postgres (a throwaway server per test binary, see
// pgtest). The README's test command is the same for both; .ci/run runs it
// once on each.
//
// A test names where its database lives with Location: the bbolt file's path
// on bbolt, a postgres:// URL of a fresh database on PostgreSQL. The same
// path gives the same database for the rest of the test, so a test that
// closes and reopens its store reopens the same data. store.Open accepts
// both forms.
//
// A package whose tests use it calls Main from its TestMain.
package enginetest

import (
	"os"
	"strings"
	"sync"
	"testing"

	"sealportal/store/kv/pgkv/pgtest"
)

// The engines.
const (
	Bolt     = "bbolt"
	Postgres = "postgres"
)

// EnvEngine selects PostgreSQL with a throwaway server when set to "postgres".
const EnvEngine = "SEALPORTAL_TEST_ENGINE"

// Name is the engine of this test run.
func Name() string {
	if os.Getenv(pgtest.EnvURL) != "" || os.Getenv(EnvEngine) == Postgres {
		return Postgres
	}
	return Bolt
}

// Main runs the package's tests and stops the throwaway PostgreSQL server, if
// one was started: func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }.
func Main(m *testing.M) int { return pgtest.Main(m) }

// Require marks a test that is about one engine itself (the bbolt file's
// lock, its hot copy, a raw scan of its pages): on the other engine's pass it
// is skipped with the reason, since the pass on its own engine runs it.
func Require(tb testing.TB, engine, why string) {
	tb.Helper()
	if Name() != engine {
		tb.Skipf("this test is about the %s engine (%s); this pass runs on %s", engine, why, Name())
	}
}

var databases sync.Map // path -> database URL

// Location is where the test's store at path lives: path itself on bbolt, or
// the URL of a PostgreSQL database made for it on first use (dropped when the
// test that made it ends).
func Location(tb testing.TB, path string) string {
	tb.Helper()
	if Name() != Postgres || strings.HasPrefix(path, "postgres://") {
		return path // a file, or already a database (reopening db.Path())
	}
	if v, ok := databases.Load(path); ok {
		return v.(string)
	}
	dsn := pgtest.NewDatabase(tb)
	databases.Store(path, dsn)
	tb.Cleanup(func() { databases.Delete(path) })
	return dsn
}

// ServerURL is the admin URL of the PostgreSQL test server (tests that act on
// the server itself: pg_dump, ending a connection).
func ServerURL(tb testing.TB) string {
	tb.Helper()
	return pgtest.Server(tb)
}
