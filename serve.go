package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"sealportal/handlers"
	"sealportal/portal"
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
	// The outbox sender (messaging): SMS and e-mail written by events in
	// their own transactions are delivered from here, with retries.
	sender, err := c.messaging.sender(db, c.data, log)
	if err != nil {
		return err
	}
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
	// The runner also answers "backup" on the control socket (control.go), so
	// that `sealportal backup` works while this process holds the database.
	backups := &backupRunner{db: db, dir: c.backupFolder(), keep: c.backupKeep, log: log}
	if c.backupEvery > 0 {
		if err := os.MkdirAll(backups.dir, 0o700); err != nil {
			return fmt.Errorf("create backup folder %s: %w", backups.dir, err)
		}
		log.Info("scheduled backups", "every", c.backupEvery.String(), "keep", c.backupKeep, "dir", backups.dir)
		go backups.schedule(ctx, c.backupEvery)
	}
	// The control socket (control.go) answers `admin rotate-keys` and
	// `backup` while this process holds the database.
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
	// On the way out, wait for the control socket to finish its commands and
	// remove its file, before the store closes under it.
	defer func() {
		stop()
		<-controlDone
	}()
	errc := make(chan error, 1)
	go func() {
		log.Info("serving", "addr", c.addr, "data", c.data, "secure_cookies", !c.insecureCookies)
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
