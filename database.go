package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"sealportal/store"
	"sealportal/store/kv"
)

// The portal on PostgreSQL (issue 14, design scale-out.md §6.7–6.8): with
// -database-url several portal servers share one database, so the bbolt
// file's one-process tools change shape:
//
//   - administrative commands (admin …, ingest) run as ordinary processes
//     against the database, one at a time under the engine's admin lock,
//     instead of asking the server over the control socket;
//   - verify-audit runs online, in one snapshot (a REPEATABLE READ view);
//   - backup and restore are the database's own tools (pgBackRest, WAL
//     archiving, point-in-time recovery); `verify` checks a restored copy.

// errAdminBusy is what an administrative command says when another one holds
// the admin lock; main turns it into exit status 2.
var errAdminBusy = errors.New("another administrative command is running (it holds the admin lock on the database); try again when it has finished")

// openAdmin opens the store for an administrative command. On PostgreSQL it
// also takes the admin lock without waiting, so that two administrative
// commands never run at once across the cluster. done unlocks and closes.
// With existingKeys the keys file must exist already (a key rotation with
// fresh keys could read nothing of the database).
func (c config) openAdmin(existingKeys bool) (db *store.DB, done func(), err error) {
	if existingKeys {
		db, err = c.openExisting(false)
	} else {
		db, err = c.openStore(false)
	}
	if err != nil {
		return nil, nil, err
	}
	unlock, err := db.LockAdmin(false)
	if err != nil {
		_ = db.Close() // the lock's error is the one to report
		if errors.Is(err, kv.ErrAdminBusy) {
			return nil, nil, errAdminBusy
		}
		return nil, nil, err
	}
	return db, func() {
		_ = unlock() // closing the store ends its session, and the lock with it
		_ = db.Close()
	}, nil
}

// serverBackupMessage is why backup and restore refuse on PostgreSQL.
func serverBackupMessage(cmd string) error {
	return fmt.Errorf("%s: the database is PostgreSQL (-database-url), which is backed up with its own tools: "+
		"pgBackRest with WAL archiving for point-in-time recovery (README, Running on PostgreSQL); "+
		"restore with them, then check the restored copy with `sealportal verify -database-url URL`", cmd)
}

// runVerify is `sealportal verify`: it checks a database the way a restored
// copy must be checked before anyone relies on it — the schema is this
// program's, the first and last account and case decrypt with the keys at
// hand, and the whole audit log verifies against its signed head. On bbolt
// it also runs bbolt's page check. It never creates keys and never writes.
func runVerify(args []string, out io.Writer) (bool, error) {
	var c config
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	dataFlags(fs, &c)
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if fs.NArg() > 0 {
		return false, errors.New("verify: usage: verify [-data PATH | -database-url URL] [-keys FILE]")
	}
	db, err := c.openExisting(true)
	if err != nil {
		return false, fmt.Errorf("verify: %w", err)
	}
	defer db.Close()
	rep, err := db.CheckCopy()
	if errors.Is(err, store.ErrBadCopy) {
		fmt.Fprintf(out, "database %s FAILED its check: %v\n", c.where(), err)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("verify: %w", err)
	}
	fmt.Fprintf(out, "database %s OK: schema %d, %d accounts, %d cases (first and last decrypt with these keys), %d audit entries verified against the signed head\n",
		c.where(), rep.Schema, rep.Accounts, rep.Cases, rep.Audit)
	return true, nil
}
