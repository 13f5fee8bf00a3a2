package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/blob"
	"sealportal/store/blob/s3blob"
)

// config is read from flags, each with an environment variable as its
// default, so a container needs no command line.
type config struct {
	// The identity provider (issue 11): OpenID Connect.
	oidcIssuer, oidcClientID, oidcClientSecret, oidcRedirectURL, oidcIDClaim, oidcNameClaim string

	debugAddr  string
	keys       string
	addr       string
	publicBase string
	data       string
	// databaseURL selects PostgreSQL (issue 14): a postgres:// URL; empty
	// keeps the bbolt file of data.
	databaseURL string
	// blobURL puts documents' objects in S3-compatible object storage
	// (issue 15, store/documents.go); empty keeps them in the database.
	blobURL         string
	insecureCookies bool
	logFormat       string
	trustedProxies  string
	citizenIdle     time.Duration
	staffIdle       time.Duration
	absolute        time.Duration
	shutdown        time.Duration
	maxSize         int64
	backupEvery     time.Duration
	backupKeep      int
	backupDir       string
	passwordCost    string
	messaging       messagingConfig
	// operatorContact is shown on the help and contact pages (issue 16).
	operatorContact string
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// dataFlags registers the flags every subcommand that opens the store needs.
func dataFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.data, "data", env("PORTAL_DATA", "data/portal.db"), "bbolt database file (env PORTAL_DATA); with -database-url only its folder is used (keys.json, the demo outbox)")
	fs.StringVar(&c.databaseURL, "database-url", env("PORTAL_DATABASE_URL", ""),
		"PostgreSQL database instead of the bbolt file: postgres://user@host:5432/db?sslmode=…, libpq's multi-host form with target_session_attrs=read-write allowed; prefer the env PORTAL_DATABASE_URL when it holds a password")
	fs.StringVar(&c.keys, "keys", env(store.EnvKeysFile, ""), "keys file: key-encryption key, index and audit keys (default keys.json beside -data; env PORTAL_KEYS_FILE); PORTAL_KEK may hold the KEK instead")
	fs.StringVar(&c.blobURL, "blob-url", env("PORTAL_BLOB_URL", ""),
		"documents in S3-compatible object storage instead of the database: s3://bucket[/prefix/]?endpoint=host:port[&region=…][&insecure=1], credentials in the env "+
			s3blob.EnvAccessKey+" and "+s3blob.EnvSecretKey+" (env PORTAL_BLOB_URL; empty: in the database)")
	fs.StringVar(&c.logFormat, "log-format", env("PORTAL_LOG_FORMAT", "text"), "log format: text or json (env PORTAL_LOG_FORMAT)")
}

func serveFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.oidcIssuer, "oidc-issuer", env("PORTAL_OIDC_ISSUER", ""), "OpenID Connect issuer URL of the identity provider that verifies citizens' identity; empty turns it off (env PORTAL_OIDC_ISSUER)")
	fs.StringVar(&c.oidcClientID, "oidc-client-id", env("PORTAL_OIDC_CLIENT_ID", ""), "the portal's client id at the identity provider (env PORTAL_OIDC_CLIENT_ID)")
	fs.StringVar(&c.oidcClientSecret, "oidc-client-secret", env("PORTAL_OIDC_CLIENT_SECRET", ""), "the portal's client secret; prefer the env PORTAL_OIDC_CLIENT_SECRET")
	fs.StringVar(&c.oidcRedirectURL, "oidc-redirect-url", env("PORTAL_OIDC_REDIRECT_URL", ""), "absolute URL of this portal's /identity/oidc/callback registered at the provider (env PORTAL_OIDC_REDIRECT_URL)")
	fs.StringVar(&c.oidcIDClaim, "oidc-id-number-claim", env("PORTAL_OIDC_ID_NUMBER_CLAIM", "id_number"), "claim carrying the resident identity number (env PORTAL_OIDC_ID_NUMBER_CLAIM)")
	fs.StringVar(&c.oidcNameClaim, "oidc-name-claim", env("PORTAL_OIDC_NAME_CLAIM", "name"), "claim carrying the person's name (env PORTAL_OIDC_NAME_CLAIM)")
	dataFlags(fs, c)
	fs.StringVar(&c.addr, "addr", env("PORTAL_ADDR", "127.0.0.1:8080"), "listen address; loopback by default, any other address needs -public-url (env PORTAL_ADDR)")
	fs.StringVar(&c.publicBase, "public-url", env("PORTAL_PUBLIC_URL", ""),
		"canonical address of the portal, printed on certificates as their verification address; required unless -addr is loopback (env PORTAL_PUBLIC_URL)")
	fs.BoolVar(&c.insecureCookies, "insecure-cookies", env("PORTAL_INSECURE_COOKIES", "") == "true",
		"drop Secure and the __Host- prefix from cookies, for plain-http test setups other than localhost (env PORTAL_INSECURE_COOKIES=true)")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", env("PORTAL_TRUSTED_PROXIES", ""), "comma-separated CIDRs whose X-Forwarded-For is trusted (env PORTAL_TRUSTED_PROXIES)")
	fs.DurationVar(&c.citizenIdle, "citizen-idle", envDuration("PORTAL_CITIZEN_IDLE", portal.CitizenIdleTimeout), "idle timeout of citizens' sessions (env PORTAL_CITIZEN_IDLE)")
	fs.DurationVar(&c.staffIdle, "staff-idle", envDuration("PORTAL_STAFF_IDLE", portal.StaffIdleTimeout), "idle timeout of staff sessions (env PORTAL_STAFF_IDLE)")
	fs.DurationVar(&c.absolute, "session-max", envDuration("PORTAL_SESSION_MAX", portal.AbsoluteTimeout), "absolute session lifetime (env PORTAL_SESSION_MAX)")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", 10*time.Second, "how long in-flight requests may finish on SIGINT/SIGTERM")
	fs.StringVar(&c.operatorContact, "operator-contact", env("PORTAL_OPERATOR_CONTACT", ""),
		"how citizens reach the portal's operator, shown on the help and contact pages, e.g. \"XX市人民检察院 平台服务电话 010-12345678\" (env PORTAL_OPERATOR_CONTACT)")
	fs.StringVar(&c.debugAddr, "debug-addr", env("PORTAL_DEBUG_ADDR", ""), "serve net/http/pprof on this loopback address, e.g. 127.0.0.1:6060 (off by default; env PORTAL_DEBUG_ADDR)")
	fs.Int64Var(&c.maxSize, "max-db-size", 0, "refuse writes beyond this database size in bytes (0: no limit)")
	fs.StringVar(&c.passwordCost, "password-cost", env("PORTAL_PASSWORD_COST", "default"),
		"Argon2id cost of new password hashes: default (64 MiB, 3 passes) or minimum (OWASP's 19 MiB, 2 passes; for tests and small machines) (env PORTAL_PASSWORD_COST)")
	// The issue names the schedule flags -every and -keep; both spellings work.
	every := envDuration("PORTAL_BACKUP_EVERY", 0)
	fs.DurationVar(&c.backupEvery, "backup-every", every, "take a checked backup this often, e.g. 1h; 0 turns scheduled backups off (env PORTAL_BACKUP_EVERY)")
	fs.DurationVar(&c.backupEvery, "every", every, "same as -backup-every")
	keep := envInt("PORTAL_BACKUP_KEEP", 48)
	fs.IntVar(&c.backupKeep, "backup-keep", keep, "keep the newest N scheduled backups, removing older ones; 0 keeps all (env PORTAL_BACKUP_KEEP)")
	fs.IntVar(&c.backupKeep, "keep", keep, "same as -backup-keep")
	messagingFlags(fs, &c.messaging)
	fs.StringVar(&c.backupDir, "backup-dir", env("PORTAL_BACKUP_DIR", ""), "folder of scheduled backups (default: backups/ in the data folder; env PORTAL_BACKUP_DIR)")
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// argon2 is the cost of new password hashes. Existing hashes keep the cost
// they were made with; Verify reads it from the hash.
func (c config) argon2() (portal.Argon2Params, error) {
	switch c.passwordCost {
	case "", "default":
		return portal.DefaultArgon2, nil
	case "minimum":
		return portal.MinimumArgon2, nil
	}
	return portal.Argon2Params{}, fmt.Errorf("-password-cost must be default or minimum, not %q", c.passwordCost)
}

// backupFolder is where scheduled backups go.
func (c config) backupFolder() string {
	if c.backupDir != "" {
		return c.backupDir
	}
	return filepath.Join(filepath.Dir(c.data), "backups")
}

// existingKeys loads the keys of an existing data folder without ever creating
// new ones: a backup or restore with fresh keys could read nothing.
func (c config) existingKeys() (store.Keys, error) {
	path := c.keysPath()
	if _, err := os.Stat(path); err != nil {
		return store.Keys{}, fmt.Errorf("no keys for %s: %w; the keys file that belongs to a database (or %s) is needed to read it",
			c.where(), err, store.EnvKeysFile)
	}
	return store.LoadOrCreateKeysFile(path, os.Getenv)
}

func (c config) logger() (*slog.Logger, error) {
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, nil)), nil
	}
	return nil, fmt.Errorf("-log-format must be text or json, not %q", c.logFormat)
}

func (c config) proxies() ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range strings.Split(c.trustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("-trusted-proxies: %w", err)
		}
		out = append(out, n)
	}
	return out, nil
}

// onServer reports whether the store is a PostgreSQL database (-database-url)
// rather than the bbolt file: several processes share it, there is no
// control socket and no file backup.
func (c config) onServer() bool { return c.databaseURL != "" }

// location is what store.Open takes: the database URL, else the bbolt file.
func (c config) location() string {
	if c.onServer() {
		return c.databaseURL
	}
	return c.data
}

// where names the database for messages and logs, never with a password.
func (c config) where() string {
	if c.onServer() {
		return store.RedactURL(c.databaseURL)
	}
	return c.data
}

// checkLocation refuses a -database-url that is not a PostgreSQL URL, before
// anything is created (a file path there would silently open a bbolt file).
func (c config) checkLocation() error {
	if c.onServer() && !store.IsDatabaseURL(c.databaseURL) {
		return fmt.Errorf("-database-url must be a postgres:// or postgresql:// URL, not %q", store.RedactURL(c.databaseURL))
	}
	return nil
}

// keysPath is the keys file: -keys, else keys.json beside the database.
func (c config) keysPath() string {
	if c.keys != "" {
		return c.keys
	}
	return store.KeysPath(filepath.Dir(c.data), os.Getenv)
}

// openStore creates the data folder (0700) and the keys on first start, then
// opens the database: the bbolt file of -data, or the PostgreSQL database of
// -database-url (whose keys still come from -keys, PORTAL_KEYS_FILE or
// PORTAL_KEK, by default keys.json in the -data folder).
func (c config) openStore(readOnly bool) (*store.DB, error) {
	if err := c.checkLocation(); err != nil {
		return nil, err
	}
	// On PostgreSQL the data folder still holds the demo outbox, and by
	// default the keys.
	for _, dir := range []string{filepath.Dir(c.data), filepath.Dir(c.keysPath())} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data folder %s: %w", dir, err)
		}
	}
	keys, err := store.LoadOrCreateKeysFile(c.keysPath(), os.Getenv)
	if err != nil {
		return nil, err
	}
	blobs, err := c.blobStore()
	if err != nil {
		return nil, err
	}
	return store.Open(c.location(), store.Options{Keys: keys, ReadOnly: readOnly, MaxSize: int(c.maxSize), Blobs: blobs})
}

// blobStore is the object store of -blob-url, nil for none (the documents
// stay in the database). Its credentials come from the environment only.
func (c config) blobStore() (blob.Store, error) {
	if c.blobURL == "" {
		return nil, nil
	}
	cfg, err := s3blob.ParseURL(c.blobURL, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("-blob-url: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := s3blob.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("-blob-url %s: %w", s3blob.Redact(c.blobURL), err)
	}
	return st, nil
}

// openExisting opens a database whose keys must already exist (fresh keys
// could read nothing of it): verify, verify-audit on a copy.
func (c config) openExisting(readOnly bool) (*store.DB, error) {
	if err := c.checkLocation(); err != nil {
		return nil, err
	}
	keys, err := c.existingKeys()
	if err != nil {
		return nil, err
	}
	blobs, err := c.blobStore()
	if err != nil {
		return nil, err
	}
	return store.Open(c.location(), store.Options{Keys: keys, ReadOnly: readOnly, MaxSize: int(c.maxSize), Blobs: blobs})
}
