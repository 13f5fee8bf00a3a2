package main

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"sealportal/store"
)

// runRestore puts a backup in place of the database: it checks the backup with
// the keys of the target data folder first (the same checks as after a backup),
// refuses a database that a running server holds, refuses an existing database
// unless -force (and then keeps it as PATH.before-restore-<time>), and copies
// through a synced temporary file and a rename, so the target is always either
// the old file or the whole new one.
func runRestore(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	dataFlags(fs, &c)
	force := fs.Bool("force", false, "replace an existing database (it is kept as PATH.before-restore-<time>)")
	// Flags may come before or after the file name.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if c.onServer() {
		return serverBackupMessage("restore")
	}
	if len(files) != 1 {
		return errors.New("restore: usage: restore FILE [-data PATH] [-force]")
	}
	src, target := files[0], c.data
	start := time.Now()
	if same, _ := sameFile(src, target); same {
		return fmt.Errorf("restore: %s is the database itself", src)
	}
	keys, err := c.existingKeys()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// A live or existing target is refused before the (long) check.
	exists := false
	if _, err := os.Stat(target); err == nil {
		exists = true
		unlock, err := lockIdle(target)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		defer unlock()
		if !*force {
			return fmt.Errorf("restore: %s already exists; pass -force to replace it (the old file is kept beside it as .before-restore-<time>)", target)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: %w", err)
	}

	rep, err := store.CheckFile(src, store.Options{Keys: keys})
	if err != nil {
		return fmt.Errorf("restore: %s cannot be restored with the keys of %s: %w", src, filepath.Dir(target), err)
	}
	fmt.Fprintf(out, "backup checked: schema %d, %d accounts, %d cases, %d audit entries verified\n", rep.Schema, rep.Accounts, rep.Cases, rep.Audit)

	dir := filepath.Dir(target)
	tmp, sum, n, err := copyToTemp(src, dir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp) // a no-op once renamed
	if got, err := fileSum(tmp); err != nil || got != sum {
		return fmt.Errorf("restore: the copy in %s does not read back as written (%v)", dir, err)
	}
	if exists {
		old := target + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(target, old); err != nil {
			return fmt.Errorf("restore: keep the old database: %w", err)
		}
		fmt.Fprintf(out, "the old database is kept as %s\n", old)
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := store.SyncDir(dir); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(out, "restored %s to %s: %s in %s\n", src, target, humanBytes(n), time.Since(start).Round(time.Millisecond))
	return nil
}

// lockIdle takes the same exclusive lock a serving process holds (bbolt uses
// flock on the file), failing at once when a server has it.
func lockIdle(path string) (unlock func(), err error) {
	f, err := os.Open(path) // #nosec G304 -- the database file named by -data
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close() // opened read-only: nothing to lose
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is in use by a running portal; stop the server before restoring", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { _ = f.Close() }, nil // opened read-only; closing drops the lock
}

// copyToTemp copies src into a new temporary file in dir, synced to disk, and
// returns its name, the SHA-256 of what was written and its size.
func copyToTemp(src, dir string) (string, [sha256.Size]byte, int64, error) {
	var sum [sha256.Size]byte
	in, err := os.Open(src) // #nosec G304 -- the operator names this file on the command line (restore FILE)
	if err != nil {
		return "", sum, 0, err
	}
	defer in.Close()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", sum, 0, err
	}
	tmp, err := os.CreateTemp(dir, ".restore-*.db")
	if err != nil {
		return "", sum, 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp.Name()) // best effort: the copy error is the one to report
		return "", sum, 0, fmt.Errorf("copy %s: %w", src, err)
	}
	copy(sum[:], h.Sum(nil))
	return tmp.Name(), sum, n, nil
}

func fileSum(path string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(path) // #nosec G304 -- the restore FILE or the database under -data
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// sameFile reports whether two paths name one existing file.
func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
