package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"sealportal/store"
)

// adminRotateKeys is `admin rotate-keys`: without -new-kek it rotates the data
// key (a new key seals from now on, every sealed value is re-encrypted in
// batches, the old key is retired and its material deleted once a full scan
// finds nothing under it); with -new-kek FILE it rewraps the data keys under
// the key-encryption key in FILE (created with a random KEK when absent).
// With -blind it rotates the blind-index (HMAC) key instead: a new key is
// made active and every index that can be recomputed from sealed data
// (logins, identity numbers, identity documents, co-offender case numbers)
// is re-indexed under it in batches; the old key is then kept only to check
// codes that cannot be re-hashed (leak tracking codes, recovery codes,
// certificate verification codes, one-time codes) until -retire-blind ID
// deletes it (README, Security).
//
// When a server holds the database it asks that server over the control
// socket (control.go) and prints its progress; otherwise it opens the
// database itself. An interrupted rotation is finished by running it again.
func adminRotateKeys(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("admin rotate-keys", flag.ContinueOnError)
	var c config
	dataFlags(fs, &c)
	newKEK := fs.String("new-kek", "", "rotate the key-encryption key instead: FILE holds the new KEK as base64 of 32 bytes, and is created with a random one (mode 0600) when absent")
	batch := fs.Int("batch", 500, "values re-encrypted per write transaction")
	list := fs.Bool("list", false, "only list the data keys and blind-index keys and their states")
	blind := fs.Bool("blind", false, "rotate the blind-index (HMAC) key instead: re-index logins, identity numbers and the other recomputable indexes under a new key")
	retireBlind := fs.Int("retire-blind", 0, "delete the kept blind-index key ID: leak tracking codes, recovery codes and verification codes made with it stop working")
	if err := fs.Parse(args); err != nil {
		return err
	}
	modes := 0
	for _, on := range []bool{*list, *newKEK != "", *blind, *retireBlind != 0} {
		if on {
			modes++
		}
	}
	if fs.NArg() > 0 || *batch <= 0 || modes > 1 || *retireBlind < 0 || *retireBlind > 255 {
		return errors.New("admin rotate-keys: usage: admin rotate-keys [-data PATH | -database-url URL] [-keys FILE] [-batch N] [-new-kek FILE | -blind | -retire-blind ID | -list]")
	}
	var kek []byte
	if *newKEK != "" {
		var err error
		if kek, err = loadOrCreateKEKFile(*newKEK, out); err != nil {
			return fmt.Errorf("admin rotate-keys: %w", err)
		}
	}
	request := fmt.Sprintf("rotate-keys batch=%d", *batch)
	switch {
	case *list:
		request = "keyring"
	case kek != nil:
		request = "rotate-kek " + encodeKEK(kek)
	case *blind:
		request = fmt.Sprintf("rotate-blind batch=%d", *batch)
	case *retireBlind != 0:
		request = fmt.Sprintf("retire-blind %d", *retireBlind)
	}

	db, done, err := openForRotation(c, request, kek != nil && !*list, *newKEK, out)
	if err != nil || db == nil {
		return err
	}
	defer done()
	switch {
	case *list:
		ks, err := db.Keyring()
		if err != nil {
			return err
		}
		for _, k := range ks {
			fmt.Fprintln(out, keyLine(k))
		}
		bks, err := db.BlindKeys()
		if err != nil {
			return err
		}
		for _, k := range bks {
			fmt.Fprintln(out, blindKeyLine(k))
		}
		return nil
	case *retireBlind != 0:
		if err := db.RetireBlindKey(byte(*retireBlind)); err != nil {
			return fmt.Errorf("admin rotate-keys: %w", err)
		}
		fmt.Fprintln(out, retireBlindSummary(byte(*retireBlind)))
		return nil
	case kek != nil:
		rep, err := db.RotateKEK(kek)
		if err != nil {
			return fmt.Errorf("admin rotate-keys: %w", err)
		}
		fmt.Fprintln(out, kekSummary(rep))
		kekCopyNote(*newKEK, out)
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *blind {
		rep, err := db.RotateBlindKey(ctx, store.BlindRotateOptions{BatchRecords: *batch,
			Progress: func(r store.BlindRotateReport) { fmt.Fprintln(out, blindProgressLine(r)) }})
		if err != nil {
			return fmt.Errorf("admin rotate-keys: %w (run it again to finish)", err)
		}
		fmt.Fprintln(out, blindSummary(rep))
		return nil
	}
	rep, err := db.RotateDataKeys(ctx, store.RotateOptions{BatchValues: *batch,
		Progress: func(p store.RotateProgress) { fmt.Fprintln(out, progressLine(p)) }})
	if err != nil {
		return fmt.Errorf("admin rotate-keys: %w (run it again to finish)", err)
	}
	fmt.Fprintln(out, rotateSummary(rep))
	return nil
}

// openForRotation opens the store for a rotation, or, when a server of the
// bbolt file answers on its control socket, lets that server do the work and
// returns a nil store. On PostgreSQL there is no socket: the rotation runs in
// this process beside the servers, under the admin lock.
func openForRotation(c config, request string, kekNote bool, newKEK string, out io.Writer) (*store.DB, func(), error) {
	if !c.onServer() {
		// A running server answers on its socket: let it do the work.
		sock := controlSocket(c.data)
		if _, err := os.Stat(sock); err == nil {
			summary, err := askControl(sock, request, out)
			if err == nil {
				fmt.Fprintln(out, summary)
				if kekNote {
					kekCopyNote(newKEK, out)
				}
				return nil, nil, nil
			}
			if !isNoServer(err) {
				return nil, nil, fmt.Errorf("admin rotate-keys: %w", err)
			}
		}
		if _, err := os.Stat(c.data); err != nil {
			return nil, nil, fmt.Errorf("admin rotate-keys: %w", err)
		}
	}
	// Never create keys here: fresh keys could read nothing of this database.
	if _, err := os.Stat(c.keysPath()); err != nil {
		return nil, nil, fmt.Errorf("admin rotate-keys: keys file: %w", err)
	}
	db, done, err := c.openAdmin(true)
	if errors.Is(err, store.ErrLocked) {
		return nil, nil, fmt.Errorf("admin rotate-keys: %w, and no server answers on %s", err, controlSocket(c.data))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("admin rotate-keys: %w", err)
	}
	return db, done, nil
}

// isNoServer tells a socket nobody listens on (a server that died) from an
// error the server answered.
func isNoServer(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}

// loadOrCreateKEKFile reads a KEK file, or creates it with a random KEK.
func loadOrCreateKEKFile(path string, out io.Writer) ([]byte, error) {
	raw, err := os.ReadFile(path) // #nosec G304 -- the operator names this file on the command line (-keys, -new-kek)
	if errors.Is(err, os.ErrNotExist) {
		s, err := store.NewKEK()
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the operator names this file on the command line
		if err != nil {
			return nil, err
		}
		if _, err := fmt.Fprintln(f, s); err != nil {
			_ = f.Close() // the write error is the one to report
			return nil, err
		}
		if err := f.Sync(); err != nil {
			_ = f.Close() // the sync error is the one to report
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "a new KEK was written to %s (mode 0600) at %s\n", path, time.Now().UTC().Format(time.RFC3339))
		raw = []byte(s)
	} else if err != nil {
		return nil, err
	}
	kek, err := store.DecodeKEK(string(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return kek, nil
}

// kekCopyNote reminds that the -new-kek file is a second copy of the KEK.
func kekCopyNote(file string, out io.Writer) {
	if file != "" {
		fmt.Fprintf(out, "%s is a copy of the new KEK: keep it offline or delete it (the keys file holds the KEK in use; backups made before now need the old KEK)\n", file)
	}
}
