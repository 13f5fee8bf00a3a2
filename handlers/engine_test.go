package handlers

import (
	"os"
	"testing"

	"sealportal/store/kv/enginetest"
)

// The handlers tests run on the engine enginetest chooses: bbolt by default,
// PostgreSQL with SEALPORTAL_TEST_ENGINE=postgres or PORTAL_TEST_DATABASE_URL
// (issue 14); Main stops the throwaway server afterwards.
func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }
