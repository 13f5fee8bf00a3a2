package main

import (
	"flag"
	"fmt"
	"io"
)

// runVerifyAudit recomputes the audit log's Merkle tree, checks the signed
// tree head and reports the first entry that does not match. It reports
// ok=false (exit status 1) on any mismatch. On bbolt the file must be free
// (no server running); on PostgreSQL it runs online beside the servers, in
// one snapshot: store.VerifyAudit reads the entries, the stored hashes and
// the signed head in a single View, a REPEATABLE READ READ ONLY transaction,
// so entries committed meanwhile are simply not in the picture.
func runVerifyAudit(args []string, out io.Writer) (bool, error) {
	var c config
	fs := flag.NewFlagSet("verify-audit", flag.ContinueOnError)
	dataFlags(fs, &c)
	witness := auditWitnessFlag(fs) // also checks the witnessed head (witness.go)
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	db, err := c.openExisting(true)
	if err != nil {
		return false, err
	}
	defer db.Close()
	rep, err := db.VerifyAudit()
	if err != nil {
		return false, err
	}
	if rep.OK {
		fmt.Fprintf(out, "audit log OK: %d entries, tree head signature valid\n", rep.Entries)
		return witness.verify(db, out), nil
	}
	if rep.FirstBad >= 0 {
		fmt.Fprintf(out, "audit log BROKEN: %d entries; first bad entry %d: %s\n", rep.Entries, rep.FirstBad, rep.Problem)
	} else {
		fmt.Fprintf(out, "audit log BROKEN: %d entries: %s\n", rep.Entries, rep.Problem)
	}
	return false, nil
}
