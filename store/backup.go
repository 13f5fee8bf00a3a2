package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"sealportal/store/kv"
	"sealportal/store/kv/boltkv"
)

// BackupReport describes a backup copy once it has been written and checked.
type BackupReport struct {
	Path     string
	Bytes    int64
	Duration time.Duration // writing, syncing and checking together
	Schema   int
	Accounts int
	Cases    int
	Audit    uint64 // audit entries, all of which verified
}

// Backup writes a consistent copy of the whole database to w. It runs in one
// read transaction, so the portal keeps serving and writing meanwhile; pages
// freed by writers are only reused once the copy ends.
func (db *DB) Backup(w io.Writer) (n int64, err error) {
	fb, err := db.fileBackup()
	if err != nil {
		return 0, err
	}
	n, err = fb.Backup(w)
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// BackupTo writes a hot copy to path: first to a temporary file in the same
// folder, synced to disk, then renamed over path, so that path never holds half
// a copy even if the machine stops midway. The copy is then opened read-only
// and checked (see CheckCopy) with this database's keys; a copy that fails the
// check is removed and the error returned.
func (db *DB) BackupTo(path string) (BackupReport, error) {
	start := time.Now()
	// A server engine is backed up with its own tools: say so before
	// touching the file system.
	if _, err := db.fileBackup(); err != nil {
		return BackupReport{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return BackupReport{}, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if same, _ := sameFile(abs, db.path); same {
		return BackupReport{}, fmt.Errorf("store: backup to %s: that is the live database", path)
	}
	dir := filepath.Dir(abs)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return BackupReport{}, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	ok := false
	defer func() {
		if !ok {
			// Best effort: the error being returned is the one to report.
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	n, err := db.Backup(tmp)
	if err != nil {
		return BackupReport{}, err
	}
	if err := tmp.Sync(); err != nil {
		return BackupReport{}, fmt.Errorf("store: backup to %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return BackupReport{}, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return BackupReport{}, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	ok = true
	if err := SyncDir(dir); err != nil {
		return BackupReport{}, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	rep, err := db.checkFile(abs)
	if err != nil {
		// A copy that fails its check must not pass for a backup.
		if rerr := os.Remove(abs); rerr != nil {
			err = errors.Join(err, fmt.Errorf("store: remove failed backup %s: %w", abs, rerr))
		}
		return BackupReport{}, err
	}
	rep.Bytes, rep.Duration = n, time.Since(start)
	return rep, nil
}

// checkFile opens a copy read-only with this database's keys and checks it.
// The copy shares everything but the file with db, so the check proves that
// the keys in use now can read it.
func (db *DB) checkFile(path string) (BackupReport, error) {
	eng, err := boltkv.Open(path, boltkv.Options{ReadOnly: true, LockTimeout: time.Second})
	if err != nil {
		return BackupReport{}, fmt.Errorf("store: open copy %s: %w", path, err)
	}
	cp := *db
	cp.eng, cp.path = eng, path
	defer eng.Close()
	return cp.CheckCopy()
}

// CheckFile opens the database file at path read-only with opt's keys and
// checks it (see CheckCopy). Its schema must be this program's.
func CheckFile(path string, opt Options) (BackupReport, error) {
	opt.ReadOnly = true
	db, err := Open(path, opt)
	if err != nil {
		return BackupReport{}, err
	}
	defer db.Close()
	return db.CheckCopy()
}

// ErrBadCopy wraps every problem CheckCopy finds in the data.
var ErrBadCopy = errors.New("store: copy failed its check")

// CheckCopy checks an open database the way a backup must be checked before
// anyone relies on it: bbolt's own page and free-list consistency check, the
// schema version, that the first and last account and case decrypt with the
// keys at hand, and that the whole audit log verifies against its signed head.
func (db *DB) CheckCopy() (BackupReport, error) {
	rep := BackupReport{Path: db.path}
	if fb, ok := db.eng.(kv.FileBackup); ok {
		size, err := fb.Size()
		if err != nil {
			return rep, err
		}
		rep.Bytes = size
		if bad := fb.CheckPages(); bad != nil {
			return rep, fmt.Errorf("%w: bbolt consistency: %v", ErrBadCopy, bad)
		}
	}
	err := db.view(func(tx kv.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%w: not a portal database (no meta bucket)", ErrBadCopy)
		}
		rep.Schema = readVersion(meta)
		if rep.Schema != SchemaVersion() {
			return fmt.Errorf("%w: schema %d, this program expects %d", ErrBadCopy, rep.Schema, SchemaVersion())
		}
		if b := tx.Bucket(bucketAccounts); b != nil {
			rep.Accounts = b.KeyN()
			if err := db.checkEnds(b, func(id uint64, v []byte) error { _, err := db.decodeAccount(id, v); return err }); err != nil {
				return fmt.Errorf("%w: the keys cannot read account %v", ErrBadCopy, err)
			}
		}
		if b := tx.Bucket(bucketCases); b != nil {
			rep.Cases = b.KeyN()
			if err := db.checkEnds(b, func(id uint64, v []byte) error { _, err := db.decodeCase(id, v); return err }); err != nil {
				return fmt.Errorf("%w: the keys cannot read case %v", ErrBadCopy, err)
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	audit, err := db.VerifyAudit()
	if err != nil {
		return rep, fmt.Errorf("%w: audit log: %v", ErrBadCopy, err)
	}
	if !audit.OK {
		return rep, fmt.Errorf("%w: audit log broken at entry %d of %d: %s", ErrBadCopy, audit.FirstBad, audit.Entries, audit.Problem)
	}
	rep.Audit = audit.Entries
	return rep, nil
}

// fileBackup is the engine's file copy, when it has one (bbolt; a server is
// backed up with its own tools).
func (db *DB) fileBackup() (kv.FileBackup, error) {
	fb, ok := db.eng.(kv.FileBackup)
	if !ok {
		return nil, errors.New("store: backup: this database engine is backed up with its own tools, not by the portal")
	}
	return fb, nil
}

// checkEnds decodes the first and the last record of a bucket keyed by id.
func (db *DB) checkEnds(b kv.Bucket, decode func(id uint64, v []byte) error) error {
	c := b.Cursor()
	for _, pair := range [][2][]byte{kvOf(c.First()), kvOf(c.Last())} {
		if pair[0] == nil || len(pair[0]) != 8 || pair[1] == nil {
			continue
		}
		id := btoi(pair[0])
		if err := decode(id, pair[1]); err != nil {
			return fmt.Errorf("%d: %v", id, err)
		}
	}
	return nil
}

func kvOf(k, v []byte) [2][]byte { return [2][]byte{k, v} }

// SyncDir fsyncs a folder, so that a rename inside it survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir) // #nosec G304 -- the folder of a file the operator named (backup -o, -keys)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// sameFile reports whether two paths name the same existing file.
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
