package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"sealportal/store"
)

// runBackup writes a checked hot copy of the database to -o. It opens the store
// itself when no server holds it; when a running server does (bbolt allows one
// process per file), it asks that server over its control socket instead, so a
// backup never needs the portal stopped.
func runBackup(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dataFlags(fs, &c)
	target := fs.String("o", "", "file to write the copy to (required); written to a temporary file beside it first, then renamed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *target == "" || fs.NArg() > 0 {
		return errors.New("backup: usage: backup -o FILE [-data PATH]")
	}
	if c.onServer() {
		return serverBackupMessage("backup")
	}
	abs, err := filepath.Abs(*target)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	keys, err := c.existingKeys()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := store.Open(c.data, store.Options{Keys: keys, ReadOnly: true})
	if errors.Is(err, store.ErrLocked) {
		if _, serr := os.Stat(controlSocket(c.data)); serr != nil {
			return fmt.Errorf("backup: %w, and no server answers on %s (another command, such as seed, may hold it: try again when it ends)", err, controlSocket(c.data))
		}
		fmt.Fprintf(out, "the database is held by a running server; asking it over %s\n", controlSocket(c.data))
		return askServerBackup(c.data, abs, out)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	rep, err := db.BackupTo(abs)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintln(out, backupSummary(rep))
	return nil
}

// backupSummary is the one line both the command and the server print: no
// personal data, only sizes, counts and the time taken.
func backupSummary(rep store.BackupReport) string {
	return fmt.Sprintf("backup written to %s: %s (%d bytes) in %s; schema %d, %d accounts, %d cases, %d audit entries verified",
		rep.Path, humanBytes(rep.Bytes), rep.Bytes, rep.Duration.Round(time.Millisecond), rep.Schema, rep.Accounts, rep.Cases, rep.Audit)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// controlSocket is the unix socket a running server listens on, beside the
// database file.
func controlSocket(dbPath string) string { return dbPath + ".ctl" }

// askServerBackup sends "backup <absolute path>" over the control socket
// (control.go) and copies the server's progress lines to out, then its summary.
func askServerBackup(dbPath, target string, out io.Writer) error {
	if strings.ContainsAny(target, "\n\r") {
		return errors.New("backup: the target path must not contain a line break")
	}
	summary, err := askControl(controlSocket(dbPath), "backup "+target, out)
	if err != nil {
		return fmt.Errorf("backup: the database is in use and its server on %s did not make the backup: %w", controlSocket(dbPath), err)
	}
	fmt.Fprintln(out, summary)
	return nil
}

// backupRunner runs the backups of a serving process: the scheduled ones and
// those asked for over the control socket. One at a time: a second run while
// one is going is refused (a scheduled one is skipped and logged).
type backupRunner struct {
	db   *store.DB
	dir  string // where scheduled backups go
	keep int    // how many scheduled backups to keep; 0 keeps all
	log  *slog.Logger
	mu   sync.Mutex
}

var errBackupBusy = errors.New("a backup is already running")

// run writes and checks one backup at path.
func (r *backupRunner) run(path string) (store.BackupReport, error) {
	if !r.mu.TryLock() {
		return store.BackupReport{}, errBackupBusy
	}
	defer r.mu.Unlock()
	return r.db.BackupTo(path)
}

// backupName is the file name of a scheduled backup taken at t; names sort by
// time.
func backupName(t time.Time) string { return "portal-" + t.UTC().Format("20060102T150405Z") + ".db" }

var backupNameRE = regexp.MustCompile(`^portal-\d{8}T\d{6}Z\.db$`)

// schedule takes a backup every interval until ctx ends, each followed by
// pruning the folder to the newest keep backups. Runs never overlap: they happen
// one after another in this goroutine (the ticker keeps at most one tick
// waiting), and run refuses to start while a requested backup is going.
func (r *backupRunner) schedule(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			r.scheduledOnce(now)
		}
	}
}

func (r *backupRunner) scheduledOnce(now time.Time) {
	name := backupName(now)
	rep, err := r.run(filepath.Join(r.dir, name))
	if err != nil {
		r.log.Error("scheduled backup failed", "file", name, "err", err)
		return
	}
	r.log.Info("scheduled backup written", "file", name, "bytes", rep.Bytes, "duration", rep.Duration.Round(time.Millisecond).String(),
		"cases", rep.Cases, "audit_entries", rep.Audit)
	removed, err := pruneBackups(r.dir, r.keep)
	if err != nil {
		r.log.Error("prune backups", "dir", r.dir, "err", err)
	}
	if removed > 0 {
		r.log.Info("old backups removed", "count", removed, "kept", r.keep)
	}
}

// pruneBackups removes all but the newest keep scheduled backups in dir. Only
// files named like scheduled backups are touched.
func pruneBackups(dir string, keep int) (int, error) {
	if keep <= 0 {
		return 0, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && backupNameRE.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	removed := 0
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			return removed, err
		}
		names, removed = names[1:], removed+1
	}
	return removed, nil
}

// controlBackup answers the control-socket command "backup <absolute path>":
// a progress line, then "ok <summary>" or "error: <reason>". It is a
// controlCommand (control.go); serve registers it.
func (r *backupRunner) controlBackup(_ context.Context, arg string, w io.Writer) {
	path := strings.TrimSpace(arg)
	if !filepath.IsAbs(path) {
		fmt.Fprintln(w, "error: backup needs an absolute path")
		return
	}
	fmt.Fprintf(w, "writing and checking %s\n", path)
	rep, err := r.run(path)
	if err != nil {
		fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
		return
	}
	r.log.Info("backup written on request", "bytes", rep.Bytes, "duration", rep.Duration.Round(time.Millisecond).String(), "cases", rep.Cases)
	fmt.Fprintf(w, "ok %s\n", backupSummary(rep))
}

// oneLine keeps an error on one line of the control protocol.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }
