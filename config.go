package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// config is read from flags, each with an environment variable as its
// default, so a container needs no command line.
type config struct {
	addr            string
	data            string
	insecureCookies bool
	logFormat       string
	trustedProxies  string
	citizenIdle     time.Duration
	staffIdle       time.Duration
	absolute        time.Duration
	shutdown        time.Duration
	maxSize         int64
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
	fs.StringVar(&c.data, "data", env("PORTAL_DATA", "data/portal.db"), "bbolt database file; its folder also holds keys.json (env PORTAL_DATA)")
	fs.StringVar(&c.logFormat, "log-format", env("PORTAL_LOG_FORMAT", "text"), "log format: text or json (env PORTAL_LOG_FORMAT)")
}

func serveFlags(fs *flag.FlagSet, c *config) {
	dataFlags(fs, c)
	fs.StringVar(&c.addr, "addr", env("PORTAL_ADDR", ":8080"), "listen address (env PORTAL_ADDR)")
	fs.BoolVar(&c.insecureCookies, "insecure-cookies", env("PORTAL_INSECURE_COOKIES", "") == "true",
		"drop Secure and the __Host- prefix from cookies, for plain-http test setups other than localhost (env PORTAL_INSECURE_COOKIES=true)")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", env("PORTAL_TRUSTED_PROXIES", ""), "comma-separated CIDRs whose X-Forwarded-For is trusted (env PORTAL_TRUSTED_PROXIES)")
	fs.DurationVar(&c.citizenIdle, "citizen-idle", envDuration("PORTAL_CITIZEN_IDLE", portal.CitizenIdleTimeout), "idle timeout of citizens' sessions (env PORTAL_CITIZEN_IDLE)")
	fs.DurationVar(&c.staffIdle, "staff-idle", envDuration("PORTAL_STAFF_IDLE", portal.StaffIdleTimeout), "idle timeout of staff sessions (env PORTAL_STAFF_IDLE)")
	fs.DurationVar(&c.absolute, "session-max", envDuration("PORTAL_SESSION_MAX", portal.AbsoluteTimeout), "absolute session lifetime (env PORTAL_SESSION_MAX)")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", 10*time.Second, "how long in-flight requests may finish on SIGINT/SIGTERM")
	fs.Int64Var(&c.maxSize, "max-db-size", 0, "refuse writes beyond this database size in bytes (0: no limit)")
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

// openStore creates the data folder (0700) and the keys on first start, then
// opens the database.
func (c config) openStore(readOnly bool) (*store.DB, error) {
	dir := filepath.Dir(c.data)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", dir, err)
	}
	keys, err := store.LoadOrCreateKeys(dir, os.Getenv)
	if err != nil {
		return nil, err
	}
	return store.Open(c.data, store.Options{Keys: keys, ReadOnly: readOnly, MaxSize: int(c.maxSize)})
}
