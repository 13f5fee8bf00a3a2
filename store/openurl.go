package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"sealportal/store/kv"
	"sealportal/store/kv/pgkv"
)

// IsDatabaseURL reports whether s names a PostgreSQL server (a postgres:// or
// postgresql:// URL) rather than a bbolt file.
func IsDatabaseURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// OpenURL opens the store on the PostgreSQL database at dsn (issue 14): a
// postgres:// URL, libpq's multi-host form with target_session_attrs=read-write
// included. The schema is created when missing; migrations run under the admin
// lock, so of several processes starting together one migrates and the others
// wait, then find the schema current. Options.ReadOnly makes every session
// read-only (writes answer kv.ErrFull). Options.MaxSize does not apply (the
// server has its own limits).
func OpenURL(dsn string, opt Options) (*DB, error) {
	if err := checkKeys(opt.Keys); err != nil {
		return nil, err
	}
	eng, err := pgkv.OpenOptions(context.Background(), dsn, pgkv.Options{ReadOnly: opt.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", RedactURL(dsn), err)
	}
	return OpenEngine(eng, RedactURL(dsn), opt)
}

// RedactURL is a database URL without its password, for logs and Path.
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "postgresql database"
	}
	_, hasPassword := u.User.Password()
	q := u.Query()
	if !hasPassword && !q.Has("password") {
		return dsn // nothing secret: the URL as given, so that it can be reopened
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// LockAdmin takes the engine's admin lock for an administrative command run as
// its own process (rotate-keys, create-user, …) while portal servers may run on
// the same database: one such command at a time. Without wait it answers an
// error wrapping kv.ErrAdminBusy when another holds the lock. On an embedded
// engine, where the file lock already admits one process, it is a no-op.
func (db *DB) LockAdmin(wait bool) (unlock func() error, err error) {
	l, ok := db.eng.(kv.AdminLocker)
	if !ok {
		return func() error { return nil }, nil
	}
	return l.LockAdmin(context.Background(), wait)
}

// Shared reports whether several processes may use the store's database at
// once (a server engine): then there is no control socket, and administrative
// commands take the admin lock instead.
func (db *DB) Shared() bool {
	_, ok := db.eng.(kv.AdminLocker)
	return ok
}
