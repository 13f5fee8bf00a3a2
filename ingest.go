package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"sealportal/handlers"
	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Organs' systems feed the portal (issue 17): machine credentials made by
// the administrator, bulk jobs decided in the background, and the same jobs
// from the command line.
//
//	sealportal admin list-organs                             id<TAB>kind<TAB>name, one organ a line
//	sealportal admin create-api-client -organ N -name "…"    client_id: … / secret: … (shown once)
//	sealportal admin list-api-clients                        client_id<TAB>organ<TAB>state<TAB>name
//	sealportal admin rotate-api-client -id oc_N              a new secret; the old one stops working
//	sealportal admin revoke-api-client -id oc_N              the credential stops working for good
//	sealportal ingest -organ N -file records.ndjson          a bulk job from a file
//
// While a server holds the database, each of these asks it over the control
// socket (control.go); otherwise it opens the database itself.

// apiAdminCommands are the admin subcommands of this file.
var apiAdminCommands = map[string]bool{"list-organs": true, "create-api-client": true, "list-api-clients": true,
	"rotate-api-client": true, "revoke-api-client": true}

// runAPIAdmin parses the subcommand's flags and runs it, through the server
// when one answers.
func runAPIAdmin(sub string, args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("admin "+sub, flag.ContinueOnError)
	dataFlags(fs, &c)
	organ := fs.Uint64("organ", 0, "create-api-client: the organ's id (see list-organs)")
	name := fs.String("name", "", "create-api-client: the name of the organ's system, e.g. 法院案件管理系统")
	id := fs.String("id", "", "rotate-api-client, revoke-api-client: the client_id (see list-api-clients)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("admin %s: unexpected arguments %v", sub, fs.Args())
	}
	request := sub
	switch sub {
	case "create-api-client":
		if *organ == 0 || strings.TrimSpace(*name) == "" {
			return errors.New("admin create-api-client: -organ N and -name \"…\" are required")
		}
		if strings.IndexFunc(*name, unicode.IsControl) >= 0 {
			return errors.New("admin create-api-client: -name must be one line of text")
		}
		request = fmt.Sprintf("%s %d %s", sub, *organ, strings.TrimSpace(*name))
	case "rotate-api-client", "revoke-api-client":
		n, ok := store.ParseClientID(*id)
		if !ok {
			return fmt.Errorf("admin %s: -id oc_N is required (see list-api-clients)", sub)
		}
		request = fmt.Sprintf("%s %d", sub, n)
	}
	// A server of the bbolt file answers on its socket; on PostgreSQL the
	// command runs here, beside the servers, under the admin lock.
	if sock := controlSocket(c.data); !c.onServer() {
		if _, err := os.Stat(sock); err == nil {
			summary, err := askControl(sock, request, out)
			if err == nil {
				if summary != "" {
					fmt.Fprintln(out, summary)
				}
				return nil
			}
			if !isNoServer(err) {
				return fmt.Errorf("admin %s: %w", sub, err)
			}
		}
	}
	db, done, err := c.openAdmin(false)
	if err != nil {
		return err
	}
	defer done()
	return apiAdmin(db, request, out)
}

// apiAdmin runs one request (the control socket's form) against the store;
// the server's control command and the command line share it.
func apiAdmin(db *store.DB, request string, w io.Writer) error {
	sub, arg, _ := strings.Cut(strings.TrimSpace(request), " ")
	switch sub {
	case "list-organs":
		organs, err := db.Organs()
		if err != nil {
			return err
		}
		for _, o := range organs {
			fmt.Fprintf(w, "%d\t%s\t%s\n", o.ID, o.Kind, o.Name)
		}
		return nil
	case "list-api-clients":
		cls, err := db.APIClients()
		if err != nil {
			return err
		}
		for _, cl := range cls {
			state := "active"
			if !cl.Revoked.IsZero() {
				state = "revoked " + cl.Revoked.Format(time.RFC3339)
			} else if !cl.Rotated.IsZero() {
				state = "active, rotated " + cl.Rotated.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", cl.ClientID, cl.Organ, state, cl.Name)
		}
		return nil
	case "create-api-client":
		organArg, name, _ := strings.Cut(arg, " ")
		organ, err := strconv.ParseUint(organArg, 10, 64)
		if err != nil {
			return errors.New("create-api-client wants an organ id and a name")
		}
		cl, secret, err := db.CreateAPIClient(organ, name, 0)
		if err != nil {
			return apiAdminError("create-api-client", err)
		}
		fmt.Fprintf(w, "client_id: %s\nsecret: %s\n", cl.ClientID, secret)
		return nil
	case "rotate-api-client":
		id, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return errors.New("rotate-api-client wants a client id")
		}
		cl, secret, err := db.RotateAPIClient(id, 0)
		if err != nil {
			return apiAdminError("rotate-api-client", err)
		}
		fmt.Fprintf(w, "client_id: %s\nsecret: %s\n", cl.ClientID, secret)
		return nil
	case "revoke-api-client":
		id, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return errors.New("revoke-api-client wants a client id")
		}
		cl, err := db.RevokeAPIClient(id, 0)
		if err != nil {
			return apiAdminError("revoke-api-client", err)
		}
		fmt.Fprintf(w, "%s revoked\n", cl.ClientID)
		return nil
	}
	return fmt.Errorf("unknown request %q", sub)
}

// apiAdminError says in words what the store refused.
func apiAdminError(sub string, err error) error {
	switch portal.ErrorCode(err) {
	case portal.CodeNotFound:
		return fmt.Errorf("%s: no such organ or credential (see list-organs, list-api-clients)", sub)
	case portal.CodeInvalid, portal.CodeConflict:
		if pe, ok := portal.AsError(err); ok {
			return fmt.Errorf("%s: %s", sub, views.Translate(views.LangEN, pe.Key))
		}
	}
	return fmt.Errorf("%s: %w", sub, err)
}

// controlAPIAdmin answers the api-client requests on the control socket.
func controlAPIAdmin(db *store.DB, sub string) controlCommand {
	return func(_ context.Context, arg string, w io.Writer) {
		if err := apiAdmin(db, sub+" "+arg, w); err != nil {
			fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
			return
		}
		fmt.Fprintln(w, "ok")
	}
}

// ingestOptions are the store's options for deciding jobs: the eligibility
// API's line parser, the calendar of deadlines, reasons in Chinese for the
// organ's queue.
func ingestOptions(cal *portal.Calendar) store.IngestOptions {
	return store.IngestOptions{Decode: handlers.DecodeIngestLine, Calendar: cal,
		Reason: func(key string) string { return views.Translate(views.LangZH, key) }}
}

// runIngestWorker decides queued jobs, a batch (one transaction) at a time,
// until ctx ends; a job interrupted by a stop resumes where it stopped.
func runIngestWorker(ctx context.Context, db *store.DB, opt store.IngestOptions, kick <-chan struct{}, log *slog.Logger) {
	for {
		id, ok, err := db.NextIngestJob()
		if err != nil {
			log.Error("ingest: next job", "err", err)
		}
		if ok && err == nil {
			if err := drainIngestJob(ctx, db, id, opt, nil); err != nil && ctx.Err() == nil {
				log.Error("ingest job", "job", id, "err", err)
				ok = false // wait before trying again
			} else if ctx.Err() == nil {
				log.Info("ingest job done", "job", id)
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-time.After(2 * time.Second):
		}
	}
}

// drainIngestJob runs a job's batches until it is done (decoding the next
// batch while the current one is written), calling progress after each.
func drainIngestJob(ctx context.Context, db *store.DB, id uint64, opt store.IngestOptions, progress func(store.IngestJob)) error {
	return db.IngestRun(ctx, id, opt, progress)
}

func countsLine(id uint64, c portal.IngestCounts) string {
	return fmt.Sprintf("job %d: received %d, sealed %d, review %d, not_eligible %d, not_yet %d, rejected %d, duplicates %d, updated %d",
		id, c.Received, c.Sealed, c.Review, c.NotEligible, c.NotYet, c.Rejected, c.Duplicates, c.Updated)
}

// ingestFile stores a file as a job of organ and decides it, writing a
// progress line every few batches and the counts at the end.
func ingestFile(ctx context.Context, db *store.DB, organ uint64, path string, cal *portal.Calendar, w io.Writer) (store.IngestJob, error) {
	f, err := os.Open(filepath.Clean(path)) // #nosec G304 -- the operator names this file on the command line or the 0600 control socket
	if err != nil {
		return store.IngestJob{}, err
	}
	defer f.Close()
	job, err := db.ReceiveIngest(organ, store.APIClient{}, f, "cli")
	if err != nil {
		return store.IngestJob{}, err
	}
	fmt.Fprintf(w, "job %d: %d lines stored\n", job.ID, job.Lines)
	last := job
	n := 0
	err = drainIngestJob(ctx, db, job.ID, ingestOptions(cal), func(j store.IngestJob) {
		last = j
		if n++; n%20 == 0 {
			fmt.Fprintln(w, countsLine(j.ID, j.Counts))
		}
	})
	return last, err
}

// controlIngest answers "ingest <organ> <absolute path>" on the control
// socket: the server reads the file (it runs as the same account, the socket
// is 0600) and decides the job with its own worker's options.
func controlIngest(db *store.DB, cal *portal.Calendar) controlCommand {
	return func(ctx context.Context, arg string, w io.Writer) {
		organArg, path, _ := strings.Cut(arg, " ")
		organ, err := strconv.ParseUint(organArg, 10, 64)
		if err != nil || !filepath.IsAbs(path) {
			fmt.Fprintln(w, "error: ingest wants an organ id and an absolute file path")
			return
		}
		job, err := ingestFile(ctx, db, organ, path, cal, w)
		if err != nil {
			fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
			return
		}
		fmt.Fprintf(w, "ok %s\n", countsLine(job.ID, job.Counts))
	}
}

// runIngest is `sealportal ingest -organ N -file F`.
func runIngest(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	dataFlags(fs, &c)
	organ := fs.Uint64("organ", 0, "the organ whose records these are (see admin list-organs)")
	file := fs.String("file", "", "the records, NDJSON: one record a line in the format of POST /api/v1/organ/records")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *organ == 0 || *file == "" || fs.NArg() > 0 {
		return errors.New("ingest: usage: ingest -organ N -file records.ndjson [-data PATH | -database-url URL]")
	}
	abs, err := filepath.Abs(*file)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if sock := controlSocket(c.data); !c.onServer() {
		if _, err := os.Stat(sock); err == nil {
			summary, err := askControl(sock, fmt.Sprintf("ingest %d %s", *organ, abs), out)
			if err == nil {
				fmt.Fprintln(out, summary)
				return nil
			}
			if !isNoServer(err) {
				return fmt.Errorf("ingest: %w", err)
			}
		}
	}
	// On PostgreSQL this process decides the job itself, beside the servers,
	// under the admin lock (one bulk command at a time).
	db, done, err := c.openAdmin(false)
	if err != nil {
		return err
	}
	defer done()
	// A body still arriving belongs to nobody on the bbolt file (this
	// process holds it alone); on PostgreSQL a running server may be
	// receiving it right now, so it is left to the servers' own start.
	if !c.onServer() {
		if _, err := db.AbandonReceivingIngest(); err != nil {
			return err
		}
	}
	cal, err := db.Calendar()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	// Jobs left by an earlier stop go first (they were acknowledged).
	for {
		id, ok, err := db.NextIngestJob()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := drainIngestJob(ctx, db, id, ingestOptions(cal), nil); err != nil {
			return err
		}
	}
	job, err := ingestFile(ctx, db, *organ, abs, cal, out)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	fmt.Fprintln(out, countsLine(job.ID, job.Counts))
	records, cases, err := db.IngestRecordStats(*organ)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "organ %d: %d record ids known, %d cases opened from them\n", *organ, records, cases)
	return nil
}

// signalContext ends on SIGINT or SIGTERM: a job stops between batches and
// resumes at the next run.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
}
