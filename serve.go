package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"sealportal/handlers"
	"sealportal/portal"
	"sealportal/store"
)

// runServe serves the portal until SIGINT or SIGTERM, then stops accepting,
// lets in-flight requests finish (up to -shutdown-timeout) and closes the store.
func runServe(args []string) error {
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	serveFlags(fs, &c)
	witness := auditWitnessFlag(fs) // -audit-witness (witness.go)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := c.logger()
	if err != nil {
		return err
	}
	if c.onServer() && c.backupEvery > 0 {
		return errors.New("-backup-every is for the bbolt file; a PostgreSQL database is backed up with its own tools (pgBackRest, WAL archiving and point-in-time recovery)")
	}
	// pprof only when asked for, on loopback (debug.go).
	if c.debugAddr != "" {
		stopDebug, err := startDebug(c.debugAddr, log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	proxies, err := c.proxies()
	if err != nil {
		return err
	}
	cost, err := c.argon2()
	if err != nil {
		return err
	}
	db, err := c.openStore(false)
	if err != nil {
		return err
	}
	defer db.Close()
	// The witnessed audit head (witness.go, issue 15): a database that lost
	// audit entries the witness saw is refused before anything is served.
	stopWitness, err := witness.start(db, log)
	if err != nil {
		return err
	}
	defer stopWitness()
	cal, err := db.Calendar()
	if err != nil {
		return err
	}
	log.Info("calendar", "years", cal.Years())
	// Bulk jobs (issue 17): a body that was still arriving at the last stop
	// was never acknowledged and goes; acknowledged jobs resume below.
	if n, err := db.AbandonReceivingIngest(); err != nil {
		return err
	} else if n > 0 {
		log.Info("ingest: unacknowledged bodies removed", "jobs", n)
	}
	ingestKick := make(chan struct{}, 1)
	publicURL, err := c.publicURL()
	if err != nil {
		return err
	}
	e, err := handlers.New(handlers.Config{
		Calendar: cal, PublicURL: publicURL,
		SecureCookies: !c.insecureCookies, TrustedProxies: proxies,
		CitizenIdle: c.citizenIdle, StaffIdle: c.staffIdle, Absolute: c.absolute,
		Logger: log, Hasher: portal.NewPasswordHasher(cost), CodeRate: c.messaging.codeRate, OperatorContact: c.operatorContact,
		OIDC: handlers.OIDCConfig{Issuer: c.oidcIssuer, ClientID: c.oidcClientID, ClientSecret: c.oidcClientSecret,
			RedirectURL: c.oidcRedirectURL, IDNumberClaim: c.oidcIDClaim, NameClaim: c.oidcNameClaim},
		IngestKick: ingestKick,
		Ready:      witness.ready, // /readyz fails once the audit log stops extending the witnessed head (witness.go)
	}, db)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              c.addr,
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads of up to 10 MB on slow mobile networks
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go sweepSessions(ctx, db, c, log)
	go sweepDocuments(ctx, db, log)
	// The outbox sender (messaging): SMS and e-mail written by events in
	// their own transactions are delivered from here, with retries.
	sender, err := c.messaging.sender(db, c.data, log)
	if err != nil {
		return err
	}
	sender.Holder = outboxHolder(c) // one sender at a time across app servers (outbox_holder.go)
	senderDone := make(chan struct{})
	go func() {
		defer close(senderDone)
		sender.Run(ctx)
	}()
	defer func() {
		stop()
		<-senderDone
	}()
	ingestDone := make(chan struct{})
	go func() {
		defer close(ingestDone)
		runIngestWorker(ctx, db, ingestOptions(cal), ingestKick, log)
	}()
	defer func() {
		stop()
		<-ingestDone
	}()
	// On PostgreSQL (-database-url) several servers share the database:
	// administrative commands run as their own processes under the admin
	// lock instead of asking a server over a socket, and the database is
	// backed up with its own tools (README, Running on PostgreSQL).
	if c.onServer() {
		log.Info("database on PostgreSQL: no control socket (admin, ingest and verify-audit run as their own processes against the database) and no scheduled file backups (back the database up with pgBackRest and WAL archiving; check a restored copy with sealportal verify)",
			"database", c.where())
	} else {
		stopControl, err := serveFileExtras(ctx, stop, db, c, cal, log)
		if err != nil {
			return err
		}
		// On the way out, wait for the control socket to finish its
		// commands and remove its file, before the store closes under it.
		defer stopControl()
	}
	errc := make(chan error, 1)
	go func() {
		log.Info("serving", "addr", c.addr, "database", c.where(), "documents", db.Blobs().Name(), "secure_cookies", !c.insecureCookies)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		log.Info("shutting down", "grace", c.shutdown.String())
		sctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Error("shutdown", "err", err)
		}
	}
	log.Info("stopped")
	return nil
}

// serveFileExtras starts what only a server of the bbolt file runs: the
// scheduled backups and the control socket (control.go), which answers
// `admin rotate-keys`, `backup`, the api-client commands and `ingest` while
// this process holds the file. The returned function waits for the socket to
// close (stop ends it).
func serveFileExtras(ctx context.Context, stop func(), db *store.DB, c config, cal *portal.Calendar, log *slog.Logger) (func(), error) {
	// The runner also answers "backup" on the control socket (control.go), so
	// that `sealportal backup` works while this process holds the database.
	backups := &backupRunner{db: db, dir: c.backupFolder(), keep: c.backupKeep, log: log}
	if c.backupEvery > 0 {
		if err := os.MkdirAll(backups.dir, 0o700); err != nil {
			return nil, fmt.Errorf("create backup folder %s: %w", backups.dir, err)
		}
		log.Info("scheduled backups", "every", c.backupEvery.String(), "keep", c.backupKeep, "dir", backups.dir)
		go backups.schedule(ctx, c.backupEvery)
	}
	controlDone := make(chan struct{})
	go func() {
		defer close(controlDone)
		more := map[string]controlCommand{"backup": backups.controlBackup, "ingest": controlIngest(db, cal)}
		for sub := range apiAdminCommands {
			more[sub] = controlAPIAdmin(db, sub)
		}
		if err := serveControl(ctx, db, controlSocket(c.data), log, more); err != nil {
			log.Error("control socket", "err", err)
		}
	}()
	return func() {
		stop()
		<-controlDone
	}, nil
}

// sweepSessions deletes expired sessions every ten minutes.
func sweepSessions(ctx context.Context, db interface {
	DeleteExpiredSessions(idle, absolute int64) (int, error)
}, c config, log interface{ Error(string, ...any) }) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			longestIdle := max(c.citizenIdle, c.staffIdle)
			if _, err := db.DeleteExpiredSessions(now.Add(-longestIdle).UnixNano(), now.Add(-c.absolute).UnixNano()); err != nil {
				log.Error("sweep sessions", "err", err)
			}
		}
	}
}

// sweepDocuments deletes, every hour, documents' objects that no row names
// and that are older than a day (uploads whose transaction failed, objects
// whose delete after a commit failed: store.SweepOrphanDocuments), a bounded
// batch at a time. Counts only in the log.
func sweepDocuments(ctx context.Context, db interface {
	SweepOrphanDocuments(context.Context, int) (store.SweepReport, error)
}, log interface {
	Info(string, ...any)
	Error(string, ...any)
}) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rep, err := db.SweepOrphanDocuments(ctx, 1000)
			if err != nil {
				log.Error("sweep document objects", "err", err)
			} else if rep.Deleted > 0 {
				log.Info("swept orphaned document objects", "deleted", rep.Deleted, "listed", rep.Listed)
			}
		}
	}
}
