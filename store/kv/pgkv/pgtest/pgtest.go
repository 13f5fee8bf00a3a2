// Package pgtest gives tests a PostgreSQL database of their own.
//
// A test binary that uses it calls Main from TestMain. The first NewDatabase
// starts a throwaway server from Debian's packages (initdb into a temporary
// folder, fsync off, listening only on a unix socket in that folder); Main
// stops it by its PID after the tests and removes the folder. Each test gets
// a fresh database cloned from an empty template (CREATE DATABASE … TEMPLATE,
// tens of milliseconds).
//
// With PORTAL_TEST_DATABASE_URL set (a superuser's postgres:// URL) the
// databases are created on that server instead, and dropped after each test.
//
// The server binaries are looked for in PG_BIN, then
// /usr/lib/postgresql/15/bin, then any /usr/lib/postgresql/*/bin. When none
// is there, tests that need PostgreSQL are skipped with a loud message —
// except under CI=true, where they fail. PostgreSQL refuses to run as root:
// a root test binary runs initdb and the server as the "postgres" system user
// (Debian's postgresql package creates it).
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "PORTAL_TEST_DATABASE_URL"

var (
	inMain   bool
	once     sync.Once
	shared   *cluster
	startErr error
)

// Main runs the tests of a package that uses NewDatabase and stops the
// throwaway server afterwards: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }.
func Main(m *testing.M) int {
	inMain = true
	code := m.Run()
	if shared != nil {
		if err := shared.close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the server: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

var templateInit func(dsn string) error

// InitTemplate sets what is done once to the template before any test's
// database is cloned from it (for instance creating the schema, or running
// the store's migrations), so that each test starts from that state. Call it
// from TestMain before Main; fn must close its connections before returning.
func InitTemplate(fn func(dsn string) error) {
	if inMain {
		panic("pgtest: InitTemplate after Main started")
	}
	templateInit = fn
}

// NewDatabase returns the URL of a new database for t alone: empty, or as
// InitTemplate's function left the template.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if !inMain {
		t.Fatal("pgtest: call pgtest.Main from the package's TestMain, so that the server is stopped")
	}
	once.Do(func() { shared, startErr = start() })
	if errors.Is(startErr, errNoBinaries) {
		msg := fmt.Sprintf("\n*** pgtest: PostgreSQL TESTS NOT RUN: %v.\n*** Install Debian's postgresql package (apt-get install -y postgresql) or set %s. ***\n", startErr, EnvURL)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if startErr != nil {
		t.Fatalf("pgtest: %v", startErr)
	}
	dsn, err := shared.newDatabase()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if shared.external {
		name := shared.lastName(dsn)
		t.Cleanup(func() {
			if err := shared.drop(name); err != nil {
				t.Errorf("pgtest: dropping %s: %v", name, err)
			}
		})
	}
	return dsn
}

// Server returns the admin URL of the test server (starting it when needed);
// for tests that act on the server itself, such as ending another session.
func Server(t testing.TB) string {
	t.Helper()
	NewDatabase(t)
	return shared.url("postgres")
}

// Bin is the path of one of the PostgreSQL programs found beside the server's
// (pg_dump, pg_waldump, …), for tests that act on the server from outside.
func Bin(name string) (string, error) {
	dir, err := binDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil { // #nosec G703 -- the test harness's own folder
		return "", fmt.Errorf("pgtest: %s: %w", name, err)
	}
	return p, nil
}

var errNoBinaries = errors.New("no PostgreSQL server binaries (initdb, postgres) found")

type cluster struct {
	external bool
	base     *url.URL // the server's URL; its path is replaced by each database name
	dir      string   // the throwaway server's folder (data/ and the socket)
	proc     *os.Process
	exited   chan error // the postmaster's exit
	admin    *sql.DB
	template string
	mu       sync.Mutex
	n        int
}

func (c *cluster) url(db string) string {
	u := *c.base
	u.Path = "/" + db
	return u.String()
}

func (c *cluster) lastName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func start() (*cluster, error) {
	c := &cluster{}
	if env := os.Getenv(EnvURL); env != "" {
		u, err := url.Parse(env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvURL, err)
		}
		c.external, c.base = true, u
	} else if err := c.startServer(); err != nil {
		return nil, err
	}
	admin, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		_ = c.close()
		return nil, err
	}
	c.admin = admin
	c.template = "pgtest_template_" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+c.template+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"); err != nil {
		_ = c.close()
		return nil, fmt.Errorf("creating the template: %w", err)
	}
	if templateInit != nil {
		if err := templateInit(c.url(c.template)); err != nil {
			_ = c.close()
			return nil, fmt.Errorf("initialising the template: %w", err)
		}
	}
	return c, nil
}

func binDir() (string, error) {
	dirs := []string{os.Getenv("PG_BIN"), "/usr/lib/postgresql/15/bin"}
	more, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(more)))
	for _, d := range append(dirs, more...) {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil { // #nosec G703 -- the test harness's own setting (PG_BIN) names the server's folder
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil { // #nosec G703 -- as above
				return d, nil
			}
		}
	}
	return "", errNoBinaries
}

// runAs is how the server's commands run: as the postgres system user when
// this process is root (PostgreSQL refuses root), else as ourselves.
func runAs() (*syscall.SysProcAttr, int, int, error) {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT}
	if os.Geteuid() != 0 {
		return attr, -1, -1, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, 0, 0, fmt.Errorf("running as root and there is no postgres user to run the server as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, 0, 0, fmt.Errorf("the postgres user's ids %q/%q", u.Uid, u.Gid)
	}
	attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return attr, int(uid), int(gid), nil
}

func (c *cluster) startServer() error {
	bin, err := binDir()
	if err != nil {
		return err
	}
	attr, uid, gid, err := runAs()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return err
	}
	c.dir = dir
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			_ = os.RemoveAll(dir)
			return err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N") // #nosec G204 -- the server binary of the test harness, arguments are our own
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: attr.Credential}
	if out, err := initdb.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	logf, err := os.Create(filepath.Join(dir, "server.log")) // #nosec G304 -- our own temporary folder
	if err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	defer func() { _ = logf.Close() }()
	srv := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir, // #nosec G204 -- the server binary of the test harness, arguments are our own
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB",
		"-c", "log_min_messages=warning", "-c", "log_min_error_statement=panic")
	srv.SysProcAttr = attr
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return fmt.Errorf("starting postgres: %w", err)
	}
	c.proc = srv.Process
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	c.exited = exited
	c.base = &url.URL{Scheme: "postgres", User: url.User("postgres"), Host: "", RawQuery: "host=" + url.QueryEscape(dir) + "&sslmode=disable"}
	db, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		_ = c.close()
		return err
	}
	defer func() { _ = db.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			break
		}
		select {
		case werr := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "server.log")) // #nosec G304 -- our own temporary folder
			c.proc = nil
			_ = os.RemoveAll(dir)
			return fmt.Errorf("postgres exited at start (%v):\n%s", werr, log)
		default:
		}
		if time.Now().After(deadline) {
			_ = c.close()
			return fmt.Errorf("postgres did not accept connections within a minute: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

func (c *cluster) newDatabase() (string, error) {
	c.mu.Lock()
	c.n++
	name := fmt.Sprintf("pgtest_%s_%d", randomSuffix(), c.n)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+c.template); err != nil {
		return "", fmt.Errorf("creating a test database: %w", err)
	}
	return c.url(name), nil
}

func (c *cluster) drop(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	return err
}

// close drops the template of an external server, or stops the throwaway
// server (fast shutdown: SIGINT to the postmaster's PID) and removes its folder.
func (c *cluster) close() error {
	var errs []error
	if c.admin != nil {
		if c.external && c.template != "" {
			errs = append(errs, c.drop(c.template))
		}
		errs = append(errs, c.admin.Close())
	}
	if c.proc != nil {
		if err := c.proc.Signal(syscall.SIGINT); err != nil {
			errs = append(errs, err)
		}
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			_ = c.proc.Signal(syscall.SIGQUIT)
			<-c.exited
		}
		c.proc = nil
	}
	if c.dir != "" {
		errs = append(errs, os.RemoveAll(c.dir))
	}
	return errors.Join(errs...)
}
