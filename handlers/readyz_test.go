package handlers

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv/enginetest"
)

// /readyz answers 503 once the store no longer answers (here: closed), so that
// a load balancer stops sending requests; /healthz (the process) stays 200.
func TestReadyzFailsWhenTheStoreIsClosed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.get("/readyz").wantStatus(t, http.StatusOK)
	if err := ts.db.Close(); err != nil {
		t.Fatal(err)
	}
	c.get("/readyz").wantStatus(t, http.StatusServiceUnavailable)
	c.get("/healthz").wantStatus(t, http.StatusOK)
}

// pgServerControl acts on the PostgreSQL server under ts's store as its
// administrator: the database's settings, and ending its connections.
type pgServerControl struct {
	t      *testing.T
	admin  *sql.DB
	dbName string
}

func newPGServerControl(t *testing.T, ts *testServer) *pgServerControl {
	t.Helper()
	u, err := url.Parse(ts.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", enginetest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	return &pgServerControl{t: t, admin: admin, dbName: strings.TrimPrefix(u.Path, "/")}
}

// exec runs an administrative statement (%s is the database's name).
func (p *pgServerControl) exec(stmt string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := p.admin.ExecContext(ctx, strings.ReplaceAll(stmt, "%s", p.dbName)); err != nil {
		p.t.Fatalf("%s: %v", stmt, err)
	}
}

// dropConnections ends every session of the portal on the database (waiting
// for them to end), as a failover or a restart of the server does.
func (p *pgServerControl) dropConnections() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := p.admin.ExecContext(ctx, "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", p.dbName); err != nil {
		p.t.Fatalf("ending the portal's sessions: %v", err)
	}
}

// readyzSettles asks /readyz until it answers want (the first request after
// the connections were ended may meet a dead pooled connection), at most a
// few times, and then a second time to see that the answer holds.
func readyzSettles(t *testing.T, c *testClient, want int) {
	t.Helper()
	got := 0
	for range 5 {
		if got = c.get("/readyz").status; got == want {
			c.get("/readyz").wantStatus(t, want)
			return
		}
	}
	t.Fatalf("/readyz answers %d, want %d", got, want)
}

// On PostgreSQL /readyz fails while the database does not answer (it refuses
// the portal's connections, as during a failover's election) and while the
// server is read-only (a standby: a portal connected there could not save
// anything), and passes again once the database is back (design §6.8: the
// load balancer drains the app servers meanwhile). The pages themselves then
// work again with the sessions kept in the database.
func TestReadyzFailsWhilePostgresDoesNotAnswer(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Postgres, "the database server stops answering or becomes a read-only standby")
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13900000951", "a long passphrase for readyz")
	c := ts.newClient()
	c.login("13900000951", "a long passphrase for readyz").wantPath(t, "/cases")
	c.get("/readyz").wantStatus(t, http.StatusOK)
	pg := newPGServerControl(t, ts)

	// The database stops answering the portal.
	pg.exec("ALTER DATABASE %s ALLOW_CONNECTIONS false")
	pg.dropConnections()
	readyzSettles(t, c, http.StatusServiceUnavailable)
	c.get("/healthz").wantStatus(t, http.StatusOK)
	if err := ts.db.Ping(); err == nil {
		t.Fatal("Ping answers nil while the database refuses connections")
	}
	pg.exec("ALTER DATABASE %s ALLOW_CONNECTIONS true")
	readyzSettles(t, c, http.StatusOK)
	c.get("/cases").wantStatus(t, http.StatusOK).wantPath(t, "/cases")

	// The server becomes read-only, like a standby.
	pg.exec("ALTER DATABASE %s SET default_transaction_read_only = on")
	pg.dropConnections()
	readyzSettles(t, c, http.StatusServiceUnavailable)
	if err := ts.db.Ping(); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Ping on a read-only server: %v, want the read-only refusal", err)
	}
	pg.exec("ALTER DATABASE %s RESET default_transaction_read_only")
	pg.dropConnections()
	readyzSettles(t, c, http.StatusOK)
	c.get("/cases").wantStatus(t, http.StatusOK).wantPath(t, "/cases")
}
