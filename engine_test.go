package main

import (
	"os"
	"testing"

	"sealportal/store/kv/enginetest"
)

// The main package's tests run on both engines (issue 14): bbolt by default,
// PostgreSQL with SEALPORTAL_TEST_ENGINE=postgres or PORTAL_TEST_DATABASE_URL
// (store/kv/enginetest). A test names its database by the -data path of its
// folder; on PostgreSQL that path still holds keys.json and the demo outbox,
// and the database is a fresh one made for the test.
func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// testConfig is the configuration the subcommands would get for the data
// folder of path on this run's engine.
func testConfig(t testing.TB, path string) config {
	t.Helper()
	c := config{data: path}
	if loc := enginetest.Location(t, path); loc != path {
		c.databaseURL = loc
	}
	return c
}

// dataArgs are the command-line flags naming that database: -data, and
// -database-url on PostgreSQL.
func dataArgs(t testing.TB, path string) []string {
	t.Helper()
	if c := testConfig(t, path); c.onServer() {
		return []string{"-data", path, "-database-url", c.databaseURL}
	}
	return []string{"-data", path}
}

// withData is args with the database flags of path appended.
func withData(t testing.TB, path string, args ...string) []string {
	t.Helper()
	return append(args, dataArgs(t, path)...)
}
