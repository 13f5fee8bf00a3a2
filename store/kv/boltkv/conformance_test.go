package boltkv_test

import (
	"errors"
	"path/filepath"
	"testing"

	"sealportal/store/kv"
	"sealportal/store/kv/boltkv"
	"sealportal/store/kv/kvtest"
)

func openConformance(t *testing.T) *boltkv.Engine {
	t.Helper()
	e, err := boltkv.Open(filepath.Join(t.TempDir(), "kv.db"), boltkv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// The embedded engine passes the conformance suite every engine must pass
// (design §7), as pgkv does.
func TestConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Engine { return openConformance(t) })
}

// Wrapped in the suite's fault injector, the embedded engine keeps the
// sticky-error contract: a failed read can neither commit nor read as absent.
func TestStickyOnTheFaultWrapper(t *testing.T) {
	f := kvtest.Faulty(openConformance(t))
	kvtest.Sticky(t, f, func(testing.TB, kv.Tx) { f.FailNext(errors.New("injected")) })
}
