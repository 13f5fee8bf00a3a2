package store

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"sealportal/store/kv/enginetest"
)

// TestMain runs the tests on the engine enginetest chooses (bbolt, or
// PostgreSQL with PORTAL_TEST_DATABASE_URL) and stops a throwaway server.
func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// testKeys remembers the keys each test database was opened with, by path, so
// that reopenTestDB can open the same file with the same keys. Tests run in
// parallel, hence the sync.Map.
var testKeys sync.Map // path -> Keys

// newTestDB opens a fresh database file in t.TempDir() with fresh keys and
// closes it when the test ends. Tests that need a fixed clock set db.now.
func newTestDB(t *testing.T) *DB {
	t.Helper()
	return openTestDB(t, filepath.Join(t.TempDir(), "portal.db"), NewTestKeys())
}

// reopenTestDB closes db and opens the same file again with the same keys, to
// show that what a test wrote survives a restart. The clock is carried over.
func reopenTestDB(t *testing.T, db *DB) *DB {
	t.Helper()
	v, ok := testKeys.Load(db.Path())
	if !ok {
		t.Fatalf("reopenTestDB: %s was not opened by newTestDB", db.Path())
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close %s: %v", db.Path(), err)
	}
	db2 := openTestDB(t, db.Path(), v.(Keys))
	db2.now = db.now
	return db2
}

// openTestDB is the common part, taking testing.TB so that benchmarks can use it.
func openTestDB(tb testing.TB, path string, keys Keys) *DB {
	tb.Helper()
	db, err := Open(enginetest.Location(tb, path), Options{Keys: keys})
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	path = db.Path()
	testKeys.Store(path, keys)
	// Closing twice is harmless, so a test may close the database itself.
	tb.Cleanup(func() {
		db.Close()
		testKeys.Delete(path)
	})
	return db
}
