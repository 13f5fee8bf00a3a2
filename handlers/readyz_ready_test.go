package handlers

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// /readyz also asks the server's own checks (Config.Ready; the audit witness
// in serve, issue 15): an error answers 503 without saying why to the
// client, whose page carries no detail, and /healthz stays 200.
func TestReadyzAsksTheServersChecks(t *testing.T) {
	t.Parallel()
	var lost atomic.Bool
	ts := newTestServer(t, func(c *Config) {
		c.Ready = func() error {
			if lost.Load() {
				return errors.New("audit witness: the database lost audit entries this server witnessed")
			}
			return nil
		}
	})
	c := ts.newClient()
	c.get("/readyz").wantStatus(t, http.StatusOK)
	lost.Store(true)
	r := c.get("/readyz")
	r.wantStatus(t, http.StatusServiceUnavailable)
	if strings.Contains(r.body, "audit") {
		t.Errorf("the answer tells a client why: %q", r.body)
	}
	c.get("/healthz").wantStatus(t, http.StatusOK)
}
