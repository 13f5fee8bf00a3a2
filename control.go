package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"sealportal/store"
)

// The control socket. bbolt lets one process open the database file, so
// while `serve` runs, commands that need the database (`admin rotate-keys`,
// `backup`) ask the server over a unix socket beside the database (mode 0600,
// so only the account that runs the portal may connect) and the server does
// the work in its own process, between requests.
//
// The protocol is one request line, then answer lines until a last line
// "ok <summary>" or "error: <reason>". Answers carry no personal data: bucket
// names, counts, key ids and fingerprints.
//
//	rotate-keys [batch=N]   rotate the data key: progress lines, one per batch
//	rotate-kek <base64>     rewrap the data keys under a new KEK
//	rotate-blind [batch=N]  rotate the blind-index key: progress lines, one per batch
//	retire-blind <id>       delete a kept blind-index key
//	keyring                 list the data keys and the blind-index keys
//	backup <absolute path>  (backup.go)

// controlCommand answers one request: arg is the rest of the request line.
type controlCommand func(ctx context.Context, arg string, w io.Writer)

// maxControlLine bounds a request line.
const maxControlLine = 4096

// serveControl listens on path until ctx ends, then removes the socket. more
// adds commands served by other parts of the program (backup).
func serveControl(ctx context.Context, db *store.DB, path string, log *slog.Logger, more map[string]controlCommand) error {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		_ = c.Close() // only a probe: nothing was sent
		return fmt.Errorf("control socket %s: another server answers there", path)
	}
	// A leftover of a server that stopped without cleaning up.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close() // the chmod error is the one to report
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	commands := map[string]controlCommand{
		"rotate-keys":  func(ctx context.Context, arg string, w io.Writer) { controlRotateKeys(ctx, db, arg, w, log) },
		"rotate-kek":   func(_ context.Context, arg string, w io.Writer) { controlRotateKEK(db, arg, w, log) },
		"keyring":      func(_ context.Context, _ string, w io.Writer) { controlKeyring(db, w) },
		"rotate-blind": func(ctx context.Context, arg string, w io.Writer) { controlRotateBlind(ctx, db, arg, w, log) },
		"retire-blind": func(_ context.Context, arg string, w io.Writer) { controlRetireBlind(db, arg, w, log) },
	}
	for name, cmd := range more {
		commands[name] = cmd
	}
	var wg sync.WaitGroup
	go func() {
		<-ctx.Done()
		_ = ln.Close() // unblocks Accept; the loop then sees ctx.Err()
	}()
	defer func() {
		wg.Wait()
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			log.Warn("control socket cleanup", "path", path, "err", err)
		}
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("control socket %s: %w", path, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			serveControlConn(ctx, conn, commands, log)
		}()
	}
}

func serveControlConn(ctx context.Context, conn net.Conn, commands map[string]controlCommand, log *slog.Logger) {
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		log.Warn("control connection deadline", "err", err)
		return
	}
	r := bufio.NewReaderSize(io.LimitReader(conn, maxControlLine), maxControlLine)
	line, err := r.ReadString('\n')
	if err != nil {
		fmt.Fprintln(conn, "error: want one request line")
		return
	}
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		log.Warn("control connection deadline", "err", err)
		return
	}
	name, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(conn, "error: unknown command %q\n", name)
		return
	}
	log.Info("control command", "command", name)
	cmd(ctx, arg, conn)
}

// controlRotateKeys runs a data key rotation in this process, writing a
// progress line per batch. The rotation goes on if the client goes away
// (it is resumable anyway); it stops between batches when the server stops.
func controlRotateKeys(ctx context.Context, db *store.DB, arg string, w io.Writer, log *slog.Logger) {
	opt := store.RotateOptions{Pause: 5 * time.Millisecond}
	for _, f := range strings.Fields(arg) {
		k, v, _ := strings.Cut(f, "=")
		n, err := strconv.Atoi(v)
		if k != "batch" || err != nil || n <= 0 {
			fmt.Fprintf(w, "error: unknown option %q (batch=N)\n", f)
			return
		}
		opt.BatchValues = n
	}
	opt.Progress = func(p store.RotateProgress) { fmt.Fprintln(w, progressLine(p)) }
	rep, err := db.RotateDataKeys(ctx, opt)
	if err != nil {
		log.Error("key rotation", "err", err, "reencrypted", rep.Reencrypted)
		fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
		return
	}
	log.Info("key rotation done", "active", rep.Active, "retired", fmt.Sprint(rep.Retired), "reencrypted", rep.Reencrypted,
		"batches", rep.Batches, "duration", rep.Duration.Round(time.Millisecond).String())
	fmt.Fprintf(w, "ok %s\n", rotateSummary(rep))
}

func controlRotateKEK(db *store.DB, arg string, w io.Writer, log *slog.Logger) {
	kek, err := store.DecodeKEK(arg)
	if err != nil {
		fmt.Fprintln(w, "error: rotate-kek wants the new KEK as base64 of 32 bytes")
		return
	}
	rep, err := db.RotateKEK(kek)
	if err != nil {
		log.Error("kek rotation", "err", err)
		fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
		return
	}
	log.Info("kek rotation done", "old", rep.OldFingerprint, "new", rep.NewFingerprint, "pending", rep.Pending)
	fmt.Fprintf(w, "ok %s\n", kekSummary(rep))
}

func controlKeyring(db *store.DB, w io.Writer) {
	ks, err := db.Keyring()
	if err != nil {
		fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
		return
	}
	for _, k := range ks {
		fmt.Fprintln(w, keyLine(k))
	}
	bks, err := db.BlindKeys()
	if err != nil {
		fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
		return
	}
	for _, k := range bks {
		fmt.Fprintln(w, blindKeyLine(k))
	}
	fmt.Fprintf(w, "ok %d data keys, %d blind-index keys\n", len(ks), len(bks))
}

// controlRotateBlind runs a blind-key rotation (re-index) in this process,
// a progress line per batch; like a data key rotation it is resumable.
func controlRotateBlind(ctx context.Context, db *store.DB, arg string, w io.Writer, log *slog.Logger) {
	opt := store.BlindRotateOptions{Pause: 5 * time.Millisecond}
	for _, f := range strings.Fields(arg) {
		k, v, _ := strings.Cut(f, "=")
		n, err := strconv.Atoi(v)
		if k != "batch" || err != nil || n <= 0 {
			fmt.Fprintf(w, "error: unknown option %q (batch=N)\n", f)
			return
		}
		opt.BatchRecords = n
	}
	opt.Progress = func(r store.BlindRotateReport) { fmt.Fprintln(w, blindProgressLine(r)) }
	rep, err := db.RotateBlindKey(ctx, opt)
	if err != nil {
		log.Error("blind key rotation", "err", err, "records", rep.Records)
		fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
		return
	}
	log.Info("blind key rotation done", "active", rep.NewKey, "kept", fmt.Sprint(rep.OldKeys), "records", rep.Records, "entries", rep.Entries)
	fmt.Fprintf(w, "ok %s\n", blindSummary(rep))
}

func controlRetireBlind(db *store.DB, arg string, w io.Writer, log *slog.Logger) {
	n, err := strconv.Atoi(strings.TrimSpace(arg))
	if err != nil || n <= 0 || n > 255 {
		fmt.Fprintln(w, "error: retire-blind wants a key id from 1 to 255")
		return
	}
	if err := db.RetireBlindKey(byte(n)); err != nil {
		fmt.Fprintf(w, "error: %s\n", oneLine(err.Error()))
		return
	}
	log.Info("blind key retired", "id", n)
	fmt.Fprintf(w, "ok %s\n", retireBlindSummary(byte(n)))
}

func blindProgressLine(r store.BlindRotateReport) string {
	return fmt.Sprintf("re-index to blind key %d: %d records, %d index entries moved", r.NewKey, r.Records, r.Entries)
}

func blindSummary(r store.BlindRotateReport) string {
	s := fmt.Sprintf("blind-index key %d is active; %d records re-indexed (%d entries moved); old keys %v kept only to check codes made before (retire each with -retire-blind ID once those codes have expired, been used or been replaced)",
		r.NewKey, r.Records, r.Entries, r.OldKeys)
	if r.Resumed {
		s = "resumed an interrupted re-index: " + s
	}
	return s
}

func retireBlindSummary(id byte) string {
	return fmt.Sprintf("blind-index key %d retired: codes made with it no longer work", id)
}

func blindKeyLine(k store.BlindKeyInfo) string {
	s := fmt.Sprintf("blind key %d: %s, created %s", k.ID, k.State, k.Created.Format(time.RFC3339))
	if k.KeysFile {
		s += ", the keys file's index_key"
	}
	if k.State != store.KeyRetired {
		s += fmt.Sprintf(", %d long-lived codes made with it (tracking, verification, recovery sets)", k.Codes)
	}
	if !k.Retired.IsZero() {
		s += ", retired " + k.Retired.Format(time.RFC3339)
	}
	return s
}

func progressLine(p store.RotateProgress) string {
	if p.Phase == "retire" {
		return "full scan for values under the old keys done"
	}
	return fmt.Sprintf("batch %d: %s: %d looked at, %d re-encrypted (%d in all)", p.Batches, p.Bucket, p.Scanned, p.Reencrypted, p.Total)
}

func rotateSummary(rep store.RotateReport) string {
	s := fmt.Sprintf("data key %d is active; %d values re-encrypted in %d batches (%d looked at) in %s; retired keys %v (material deleted)",
		rep.Active, rep.Reencrypted, rep.Batches, rep.Scanned, rep.Duration.Round(time.Millisecond), rep.Retired)
	if rep.Resumed {
		s = "resumed an interrupted rotation: " + s
	}
	return s
}

func kekSummary(rep store.KEKReport) string {
	s := fmt.Sprintf("%d data keys and %d blind-index keys rewrapped under the new KEK %s (was %s)", rep.Rewrapped, rep.BlindRewrapped, rep.NewFingerprint, rep.OldFingerprint)
	switch {
	case rep.KeysFile != "":
		s += "; " + rep.KeysFile + " now holds it"
	case rep.Pending:
		s += "; set " + store.EnvKEK + " to the new KEK before the next start (until then the old one still opens the database; the first start with the new one deletes the old wraps)"
	}
	return s
}

func keyLine(k store.KeyInfo) string {
	s := fmt.Sprintf("key %d: %s, created %s", k.ID, k.State, k.Created.Format(time.RFC3339))
	if !k.Retired.IsZero() {
		s += ", retired " + k.Retired.Format(time.RFC3339)
	}
	if !k.HasKey {
		s += ", material deleted"
	}
	return s
}

// askControl sends one request line and copies the answer lines to out until
// "ok ..." (returned without "ok ") or "error: ...".
func askControl(path, request string, out io.Writer) (string, error) {
	conn, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "%s\n", request); err != nil {
		return "", fmt.Errorf("send to server: %w", err)
	}
	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "ok" || strings.HasPrefix(line, "ok "):
			return strings.TrimSpace(strings.TrimPrefix(line, "ok")), nil
		case strings.HasPrefix(line, "error:"):
			return "", errors.New("server: " + strings.TrimSpace(strings.TrimPrefix(line, "error:")))
		default:
			fmt.Fprintln(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read server answer: %w", err)
	}
	return "", errors.New("the server closed the connection without an answer")
}

// encodeKEK is how a KEK travels on the socket and sits in files.
func encodeKEK(k []byte) string { return base64.StdEncoding.EncodeToString(k) }
