package pgkv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"sealportal/store/kv"
)

// PutUnlocked sets one key outside the writer lock, in a transaction of its
// own: for hot values that depend on no other key's state, such as sessions
// (design §6.3: ~700 saves/s must not queue behind the audited writers). It
// is a portable upsert: UPDATE, else INSERT, and UPDATE again if a
// concurrent INSERT won. A write under the lock that read the same key
// earlier may overwrite it, as in bbolt when two requests race; callers use
// it only where that is acceptable. An error whose outcome is unknown wraps
// kv.ErrOutcomeUnknown.
func (e *Engine) PutUnlocked(ctx context.Context, bucket, key, value []byte) error {
	if e.opts.ReadOnly {
		return ErrReadOnly
	}
	if len(key) == 0 {
		return ErrKeyRequired
	}
	if len(key) > MaxKeySize {
		return ErrKeyTooLarge
	}
	if value == nil {
		value = []byte{}
	}
	e.closeMu.RLock()
	defer e.closeMu.RUnlock()
	if e.closed {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.StatementTimeout)
	defer cancel()
	for range 2 {
		n, err := e.exec(ctx, "UPDATE kv SET v = $3 WHERE bucket = (SELECT id FROM kv_bucket WHERE name = $1) AND k = $2", bucket, key, value)
		if err != nil || n == 1 {
			return err
		}
		n, err = e.exec(ctx, "INSERT INTO kv (bucket, k, v) SELECT id, $2, $3 FROM kv_bucket WHERE name = $1", bucket, key, value)
		switch {
		case hasCode(err, "23505"): // a concurrent INSERT of the same key won: update it
			continue
		case err != nil:
			return err
		case n == 0:
			return kv.ErrBucketNotFound
		}
		return nil
	}
	return errors.New("pgkv: unlocked put: the key changed twice under it")
}

// exec runs one statement in its own (implicit) transaction; a failure that
// is not the server's ordinary refusal leaves the outcome unknown.
func (e *Engine) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := e.db.ExecContext(ctx, q, args...)
	if err != nil {
		if hasCode(err, "23505") {
			return 0, err
		}
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) { // never sent: nothing was saved
			return 0, fmt.Errorf("%w: %w", kv.ErrUnavailable, err)
		}
		return 0, commitError(err)
	}
	return res.RowsAffected()
}

// Ready reports whether the engine reaches a writable primary: for the
// readiness probe, so that a load balancer drains the app servers while no
// primary is reachable (an election, design §6.8).
func (e *Engine) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, e.opts.StatementTimeout)
	defer cancel()
	var ro string
	err := e.db.QueryRowContext(ctx, "SHOW transaction_read_only").Scan(&ro)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errors.New("pgkv: no answer from the server")
	case err != nil:
		return fmt.Errorf("pgkv: not ready: %w", err)
	case ro != "off":
		return errors.New("pgkv: not ready: the server is read-only (a standby)")
	}
	// The server answers, but writes may not: a COMMIT that has waited
	// longer than CommitStall waits for a synchronous standby that is not
	// there (issue 15), and the load balancer should send people elsewhere.
	if d := e.stalledCommit(); d > e.opts.CommitStall {
		return fmt.Errorf("pgkv: not ready: a COMMIT has waited %s for the server (no synchronous standby confirms it?)", d.Round(time.Second))
	}
	return nil
}
