// Package pgkv is the PostgreSQL engine of the kv seam (design:
// ../shared/design/scale-out.md §6.2, §6.3, §6.7, §6.8).
//
// It speaks only a small portable SQL subset through database/sql, so that a
// PostgreSQL-compatible database can be qualified with its own driver:
// SELECT/INSERT/UPDATE/DELETE on four tables, bytea keys compared bytewise,
// ORDER BY … LIMIT, FOR UPDATE on one row, SAVEPOINT. No ON CONFLICT, no
// sequences, no advisory locks, no extensions.
//
//	kv_bucket (id smallint, name bytea, seq bigint)  one row per bucket
//	kv        (bucket smallint, k bytea, v bytea)    the keys
//	kv_writer (id int, gen bigint)                   the writer lock row; gen counts bucket changes
//	kv_admin  (id int)                               the admin lock row (schema, migrations, admin commands)
//
// Update begins at READ COMMITTED and first locks the kv_writer row, so at
// most one read-write transaction runs at a time across every process, and
// each of its statements sees everything committed before it (bbolt's single
// writer, without retries). View is REPEATABLE READ READ ONLY: one snapshot.
// Writes are queued and sent as one multi-row DELETE and one multi-row INSERT
// before the next cursor read and at commit; Get answers from the queue and a
// per-transaction cache first. Cursors read pages of 256 rows.
package pgkv

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"sealportal/store/kv"
)

// Options tune the engine; zero values take the defaults.
type Options struct {
	// StatementTimeout bounds each statement (default 30 s).
	StatementTimeout time.Duration
	// LockTimeout bounds the wait for the writer lock (default 60 s).
	LockTimeout time.Duration
	// TxTimeout bounds a whole transaction, COMMIT included (default 5 min).
	// COMMIT never runs under the caller's context: a canceled request
	// cannot turn a commit into an unknown outcome.
	TxTimeout time.Duration
	// MaxConns is the size of the connection pool (default 16).
	MaxConns int
	// BatchDelay is how long Batch waits for other calls (default 10 ms);
	// MaxBatch the most calls that share a commit (default 64).
	BatchDelay time.Duration
	MaxBatch   int
	// ReadOnly opens the database for reading only (verify-audit, checking
	// a restored copy): every session is read-only on the server too
	// (default_transaction_read_only), the schema is neither created nor
	// locked, and Update, Batch, PutUnlocked and LockAdmin answer
	// ErrReadOnly, as bbolt's read-only file refuses writes.
	ReadOnly bool
	// CommitStall is how long a COMMIT may wait before Ready reports the
	// engine not ready (default 10 s): with synchronous replication a commit
	// waits for a standby's confirmation, and when none is left (strict
	// synchronous mode after losing the standbys) every write hangs while
	// the server still answers reads (issue 15).
	CommitStall time.Duration
}

func (o *Options) defaults() {
	if o.CommitStall <= 0 {
		o.CommitStall = 10 * time.Second
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = 30 * time.Second
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = 60 * time.Second
	}
	if o.TxTimeout <= 0 {
		o.TxTimeout = 5 * time.Minute
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 16
	}
	if o.BatchDelay <= 0 {
		o.BatchDelay = 10 * time.Millisecond
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 64
	}
}

// Errors of this engine.
var (
	// ErrClosed is a transaction started after Close.
	ErrClosed = errors.New("pgkv: engine closed")
	// ErrAdminBusy is LockAdmin without waiting while another process holds the admin lock.
	ErrAdminBusy = kv.ErrAdminBusy
	// ErrReadOnly is a write to an engine opened with Options.ReadOnly; it
	// wraps kv.ErrFull, the seam's "full or read-only" refusal.
	ErrReadOnly = fmt.Errorf("%w: pgkv: the database was opened read-only", kv.ErrFull)
	// ErrKeyRequired is a Put with an empty key (bbolt refuses it too).
	ErrKeyRequired = errors.New("pgkv: key required")
	// ErrKeyTooLarge is a key over MaxKeySize bytes (bbolt's limit).
	ErrKeyTooLarge = errors.New("pgkv: key too large")
)

// MaxKeySize is the longest key, the same as bbolt's.
const MaxKeySize = 32768

// pageSize is how many rows a cursor reads at a time.
const pageSize = 256

// Engine is a PostgreSQL database used as a kv engine.
type Engine struct {
	db   *sql.DB
	opts Options

	writer chan struct{}               // this process's writers queue here before taking the lock row
	names  atomic.Pointer[bucketNames] // bucket ids, valid for one kv_writer.gen
	bulk   atomic.Int32

	batchMu sync.Mutex
	batch   *batch

	closeMu sync.RWMutex // transactions hold it for reading; Close for writing
	closed  bool

	beforeCommit func(*txn) // tests only: runs just before COMMIT

	commitMu sync.Mutex
	commits  map[*txn]time.Time // COMMITs under way and when each began (Ready)
}

// bucketNames is an immutable snapshot of kv_bucket at generation gen.
type bucketNames struct {
	gen int64
	ids map[string]int64
}

// Open connects to dsn (a postgres:// URL, including libpq's multi-host form
// with target_session_attrs=read-write, or key=value pairs) and creates the
// schema when it is missing.
func Open(dsn string) (*Engine, error) {
	return OpenOptions(context.Background(), dsn, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(ctx context.Context, dsn string, o Options) (*Engine, error) {
	o.defaults()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgkv: the database URL: %w", err)
	}
	var opts []stdlib.OptionOpenDB
	if o.ReadOnly {
		// Made read-only once connected, not by a start-up parameter: libpq's
		// target_session_attrs=read-write (the multi-host URL of a cluster)
		// checks transaction_read_only while connecting, and a session that
		// starts read-only fails that check on the primary too, so a
		// read-only open of a cluster's URL (verify-audit, the failover
		// test's checker) could connect to no server at all.
		opts = append(opts, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "SET default_transaction_read_only = on")
			return err
		}))
	}
	db := stdlib.OpenDB(*cfg, opts...)
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	e := &Engine{db: db, opts: o, writer: make(chan struct{}, 1)}
	if err := e.ensureSchema(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return e, nil
}

var schema = []string{
	"CREATE TABLE kv_admin (id int PRIMARY KEY)",
	"INSERT INTO kv_admin (id) VALUES (1)",
	"CREATE TABLE kv_writer (id int PRIMARY KEY, gen bigint NOT NULL)",
	"INSERT INTO kv_writer (id, gen) VALUES (1, 0)",
	"CREATE TABLE kv_bucket (id smallint PRIMARY KEY, name bytea UNIQUE NOT NULL, seq bigint NOT NULL DEFAULT 0)",
	"CREATE TABLE kv (bucket smallint NOT NULL, k bytea NOT NULL, v bytea NOT NULL, PRIMARY KEY (bucket, k))",
	// Values are mostly ciphertexts, which do not compress: skip the attempt.
	"ALTER TABLE kv ALTER COLUMN v SET STORAGE EXTERNAL",
}

// ensureSchema checks the schema, creating it in one
// transaction when it is missing. Two processes starting together are safe:
// the second one's CREATE waits for the first one's and fails on the
// duplicate name, and it then finds the schema on its next try.
func (e *Engine) ensureSchema(ctx context.Context) error {
	if e.opts.ReadOnly {
		// Neither created nor locked: only there.
		ctx, cancel := context.WithTimeout(ctx, e.opts.StatementTimeout)
		defer cancel()
		var gen int64
		err := e.db.QueryRowContext(ctx, "SELECT gen FROM kv_writer WHERE id = 1").Scan(&gen)
		if hasCode(err, "42P01") {
			return errors.New("pgkv: opened read-only, and the database holds no kv schema")
		}
		if err != nil {
			return fmt.Errorf("pgkv: checking the schema: %w", err)
		}
		return nil
	}
	var last error
	for range 5 {
		err := e.checkSchema(ctx)
		if err == nil {
			return nil
		}
		if !hasCode(err, "42P01") { // undefined_table
			return fmt.Errorf("pgkv: checking the schema: %w", err)
		}
		last = e.createSchema(ctx)
		if last != nil && !hasCode(last, "42P07", "42710", "23505") { // duplicate_table, duplicate_object (the table's row type), unique_violation
			return fmt.Errorf("pgkv: creating the schema: %w", last)
		}
	}
	return fmt.Errorf("pgkv: creating the schema: %w", last)
}

func (e *Engine) checkSchema(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, e.opts.LockTimeout)
	defer cancel()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var id, gen int64
	// No row lock: the check must not wait for an administrative command
	// holding the admin lock (a key rotation may take minutes); creating
	// the schema is safe without it (see ensureSchema).
	if err := tx.QueryRowContext(ctx, "SELECT id FROM kv_admin WHERE id = 1").Scan(&id); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, "SELECT gen FROM kv_writer WHERE id = 1").Scan(&gen); err != nil {
		return err
	}
	return tx.Commit()
}

func (e *Engine) createSchema(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, e.opts.LockTimeout)
	defer cancel()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, stmt := range schema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// refusedWrite marks the server's refusal of a write because it is read-only
// (a standby, default_transaction_read_only: SQLSTATE 25006) or out of disk
// (53100) as kv.ErrFull, as boltkv does for its size limit and read-only
// files: the store then shows its "cannot save anything new" page, which keeps
// what was typed, instead of an internal error.
func refusedWrite(err error) error {
	if hasCode(err, "25006", "53100") {
		return fmt.Errorf("%w: %w", kv.ErrFull, err)
	}
	return err
}

func hasCode(err error, codes ...string) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	for _, c := range codes {
		if pe.Code == c {
			return true
		}
	}
	return false
}

// LockAdmin takes the admin lock row (schema changes, migrations, admin
// commands: one process at a time across the deployment) and holds it until
// unlock. Without wait it answers ErrAdminBusy at once when another process
// holds it (FOR UPDATE NOWAIT).
func (e *Engine) LockAdmin(ctx context.Context, wait bool) (unlock func() error, err error) {
	if e.opts.ReadOnly {
		return nil, ErrReadOnly
	}
	e.closeMu.RLock()
	defer e.closeMu.RUnlock()
	if e.closed {
		return nil, ErrClosed
	}
	tx, err := e.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, fmt.Errorf("pgkv: admin lock: %w", err)
	}
	q := "SELECT id FROM kv_admin WHERE id = 1 FOR UPDATE"
	if !wait {
		q += " NOWAIT"
	}
	qctx, cancel := context.WithTimeout(ctx, e.opts.LockTimeout)
	defer cancel()
	var id int64
	if err := tx.QueryRowContext(qctx, q).Scan(&id); err != nil {
		_ = tx.Rollback()
		if hasCode(err, "55P03") { // lock_not_available
			return nil, ErrAdminBusy
		}
		return nil, fmt.Errorf("pgkv: admin lock: %w", err)
	}
	return tx.Rollback, nil
}

// BulkLoad runs fn with durability relaxed for this engine's writes
// (SET LOCAL synchronous_commit = off in each read-write transaction): for
// filling an empty database (seed -n) only. A crash may lose the last
// transactions, never corrupt the database.
func (e *Engine) BulkLoad(fn func() error) error {
	e.bulk.Add(1)
	defer e.bulk.Add(-1)
	return fn()
}

// Close waits for the transactions in progress (and a pending Batch), then
// closes the connections.
func (e *Engine) Close() error {
	e.batchMu.Lock()
	b := e.batch
	e.batchMu.Unlock()
	if b != nil {
		b.trigger()
	}
	e.closeMu.Lock()
	defer e.closeMu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	return e.db.Close()
}

// View implements kv.Engine.
func (e *Engine) View(ctx context.Context, fn func(kv.Tx) error) error {
	return e.run(ctx, false, fn)
}

// Update implements kv.Engine.
func (e *Engine) Update(ctx context.Context, fn func(kv.Tx) error) error {
	return e.run(ctx, true, fn)
}

func (e *Engine) run(ctx context.Context, writable bool, fn func(kv.Tx) error) error {
	e.closeMu.RLock()
	defer e.closeMu.RUnlock()
	if e.closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if writable && e.opts.ReadOnly {
		return ErrReadOnly
	}
	if writable {
		// One connection waits on the lock row per process; the others
		// queue here without holding a connection.
		select {
		case e.writer <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-e.writer }()
	}
	t, err := e.begin(ctx, writable)
	if err != nil {
		return unavailable(err)
	}
	err = t.finish(t.call(fn))
	if err != nil && t.err != nil && errors.Is(err, t.err) {
		return unavailable(err) // the engine's error, not fn's own
	}
	return err
}

// unavailable marks the error of a transaction that found no usable server
// or lost its connection before COMMIT as kv.ErrUnavailable: nothing of it
// was saved (a COMMIT whose answer was lost is kv.ErrOutcomeUnknown instead),
// and the store's callers answer "try again shortly" rather than an internal
// error. During a failover every write meets it until the new primary is
// promoted (the failover test counted thousands of them as 500 answers).
func unavailable(err error) error {
	if err == nil || errors.Is(err, kv.ErrOutcomeUnknown) || errors.Is(err, kv.ErrFull) || errors.Is(err, kv.ErrUnavailable) {
		return err
	}
	if lostServer(err) {
		return fmt.Errorf("%w: %w", kv.ErrUnavailable, err)
	}
	return err
}

// lostServer reports whether err is about the connection rather than the
// statement: no server to connect to (or none writable, for
// target_session_attrs=read-write), a connection closed or broken, or the
// server shutting down (SQLSTATE classes 08 and 57P01–57P03).
func lostServer(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// begin starts a transaction. Its own context outlives the caller's (so that
// COMMIT and ROLLBACK are never cut off by a canceled request) but is bounded
// by TxTimeout; statements run under the caller's context and the statement
// timeout.
func (e *Engine) begin(ctx context.Context, writable bool) (*txn, error) {
	txCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.TxTimeout)
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	if writable {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	stx, err := e.db.BeginTx(txCtx, opts)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("pgkv: begin: %w", err)
	}
	t := &txn{e: e, stx: stx, ctx: ctx, cancel: cancel, writable: writable, local: map[string]*bucket{}}
	if writable {
		lctx, lcancel := context.WithTimeout(ctx, e.opts.LockTimeout)
		err := stx.QueryRowContext(lctx, "SELECT gen FROM kv_writer WHERE id = 1 FOR UPDATE").Scan(&t.gen)
		lcancel()
		if err != nil {
			t.rollback()
			return nil, fmt.Errorf("pgkv: the writer lock: %w", refusedWrite(err))
		}
		t.genKnown = true
		if e.bulk.Load() > 0 {
			t.exec("bulk load", "SET LOCAL synchronous_commit = off")
			if t.err != nil {
				t.rollback()
				return nil, t.err
			}
		}
	}
	return t, nil
}

// call runs fn, rolling back and re-panicking if it panics.
func (t *txn) call(fn func(kv.Tx) error) error {
	done := false
	defer func() {
		if !done {
			t.rollback()
		}
	}()
	err := fn(t)
	done = true
	return err
}

// finish ends the transaction: it rolls back on fn's error or a recorded
// engine error (which wins), else commits the queued writes.
func (t *txn) finish(fnErr error) error {
	if t.err != nil {
		t.rollback()
		return t.err
	}
	if fnErr != nil {
		t.rollback()
		return fnErr
	}
	if !t.writable {
		t.rollback() // a read-only snapshot: nothing to commit
		return nil
	}
	// fn has returned nil: the caller wants the commit, and a request
	// canceled from now on must not cut off the last writes.
	t.ctx = context.WithoutCancel(t.ctx)
	t.flush()
	if t.err != nil {
		t.rollback()
		return t.err
	}
	if t.e.beforeCommit != nil {
		t.e.beforeCommit(t)
	}
	t.e.commitStarted(t)
	err := t.stx.Commit()
	t.e.commitEnded(t)
	t.cancel()
	if err != nil {
		return commitError(err)
	}
	if t.changedBuckets {
		t.e.names.Store(nil)
	}
	return nil
}

// commitError says whether a failed COMMIT certainly rolled back: only when
// the server answered with an ordinary error (or turned the COMMIT into a
// ROLLBACK). A broken connection, a timeout, or a FATAL (a backend terminated
// while waiting for synchronous replication has committed locally) leaves
// the outcome unknown.
func commitError(err error) error {
	if errors.Is(err, pgx.ErrTxCommitRollback) {
		return fmt.Errorf("pgkv: commit rolled back: %w", err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Severity == "ERROR" && !strings.HasPrefix(pe.Code, "08") && !strings.HasPrefix(pe.Code, "57") {
		return fmt.Errorf("pgkv: commit refused: %w", refusedWrite(err))
	}
	return fmt.Errorf("pgkv: commit: %w: %w", kv.ErrOutcomeUnknown, err)
}

func (t *txn) rollback() {
	_ = t.stx.Rollback() // a broken connection is discarded by database/sql
	t.cancel()
}

// commitStarted and commitEnded keep the COMMITs under way, for Ready.
func (e *Engine) commitStarted(t *txn) {
	e.commitMu.Lock()
	defer e.commitMu.Unlock()
	if e.commits == nil {
		e.commits = map[*txn]time.Time{}
	}
	e.commits[t] = time.Now()
}

func (e *Engine) commitEnded(t *txn) {
	e.commitMu.Lock()
	defer e.commitMu.Unlock()
	delete(e.commits, t)
}

// stalledCommit is how long the oldest COMMIT under way has waited (0: none).
func (e *Engine) stalledCommit() time.Duration {
	e.commitMu.Lock()
	defer e.commitMu.Unlock()
	var oldest time.Duration
	for _, at := range e.commits {
		oldest = max(oldest, time.Since(at))
	}
	return oldest
}
