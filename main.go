// Command sealportal is the Sealing Portal: a web application where people
// whose juvenile criminal records must be sealed apply and follow their case,
// and the organs that seal records work the same files.
//
// Usage:
//
//	sealportal [serve] [flags]       serve the portal (the default)
//	sealportal seed [flags]          create demo accounts on an empty database
//	sealportal admin SUBCOMMAND      create-user, list-users, disable-user, enable-user, end-sessions, reset-totp, load-calendar, rotate-keys
//	sealportal verify-audit [flags]  check the tamper-evident audit log; exit 1 on any mismatch
//	sealportal verify [flags]        check a (restored) database: keys decrypt samples, audit log verifies; exit 1 on a problem
//	sealportal backup -o FILE        write a checked hot copy of the database (asks a running server)
//	sealportal restore FILE [-force] check a backup and put it in place of the database
//	sealportal loadtest [flags]      measure a running portal scenario by scenario (loopback only)
//	sealportal ingest -organ N -file F  an organ's records (NDJSON) decided in bulk (ingest.go)
//
// Every command takes -data FILE (the bbolt database, the default) or
// -database-url postgres://… (PostgreSQL, database.go).
package main

import (
	"fmt"
	"os"
)

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = runServe(args)
	case "seed":
		err = runSeed(args, os.Stdout)
	case "admin":
		err = runAdmin(args, os.Stdout)
	case "verify-audit":
		var ok bool
		ok, err = runVerifyAudit(args, os.Stdout)
		if err == nil && !ok {
			os.Exit(1)
		}
	case "verify":
		var ok bool
		ok, err = runVerify(args, os.Stdout)
		if err == nil && !ok {
			os.Exit(1)
		}
	case "loadtest":
		err = runLoadtest(args, os.Stdout)
	case "backup":
		err = runBackup(args, os.Stdout)
	case "restore":
		err = runRestore(args, os.Stdout)
	case "ingest":
		err = runIngest(args, os.Stdout)
	case "help", "-h", "--help":
		fmt.Println("usage: sealportal [serve|seed|admin|verify-audit|verify|backup|restore|loadtest|ingest] [flags]; each takes -h")
		return
	default:
		err = fmt.Errorf("unknown command %q (serve, seed, admin, verify-audit, verify, backup, restore, loadtest, ingest)", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sealportal:", err)
		os.Exit(2)
	}
}
