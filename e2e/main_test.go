package e2e

import (
	"os"
	"testing"

	"sealportal/store/kv/enginetest"
)

// TestMain runs the journeys on the engine of this test run (issue 14): a
// bbolt file per test by default, a PostgreSQL database per test with
// PORTAL_TEST_DATABASE_URL or SEALPORTAL_TEST_ENGINE=postgres; a throwaway
// server is stopped when the tests end.
func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }
