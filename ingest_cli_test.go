package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv/enginetest"
)

var secretLines = regexp.MustCompile(`^client_id: (oc_[0-9]+)\nsecret: (sps_[A-Za-z0-9_-]{43})\n$`)

// The credential commands on the command line, without a server: organs one
// a line (id, kind, name), a credential as exactly two lines, list, rotate,
// revoke; each audited.
func TestAdminAPIClientsDirect(t *testing.T) {
	t.Parallel()
	data := testData(t)
	organs := crashOrgans(t, data)
	var out bytes.Buffer
	if err := runAdmin(withData(t, data, "list-organs"), &out); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d\tcourt\t北京市海淀区人民法院\n%d\tprocuratorate\t北京市海淀区人民检察院\n%d\tpolice\t北京市公安局海淀分局\n", organs[0].ID, organs[1].ID, organs[2].ID)
	if out.String() != want {
		t.Fatalf("list-organs:\n%q\nwant\n%q", out.String(), want)
	}
	out.Reset()
	if err := runAdmin(withData(t, data, "create-api-client", "-organ", fmt.Sprint(organs[0].ID), "-name", "法院 案件系统"), &out); err != nil {
		t.Fatal(err)
	}
	m := secretLines.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("create-api-client printed %q", out.String())
	}
	out.Reset()
	if err := runAdmin(withData(t, data, "rotate-api-client", "-id", m[1]), &out); err != nil {
		t.Fatal(err)
	}
	m2 := secretLines.FindStringSubmatch(out.String())
	if m2 == nil || m2[2] == m[2] {
		t.Fatalf("rotate printed %q", out.String())
	}
	out.Reset()
	if err := runAdmin(withData(t, data, "revoke-api-client", "-id", m[1]), &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runAdmin(withData(t, data, "list-api-clients"), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), m[1]+"\t") || !strings.Contains(out.String(), "revoked") || strings.Contains(out.String(), "sps_") {
		t.Fatalf("list-api-clients: %q", out.String())
	}
	if err := runAdmin(withData(t, data, "create-api-client", "-organ", "999", "-name", "x"), &out); err == nil {
		t.Error("a credential for an unknown organ")
	}
	db := openData(t, data)
	evs, err := db.AuditEntries(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[portal.AuditAction]bool{}
	for _, ev := range evs {
		seen[ev.Action] = true
	}
	for _, a := range []portal.AuditAction{portal.AuditAPIClientCreated, portal.AuditAPIClientRotated, portal.AuditAPIClientRevoked} {
		if !seen[a] {
			t.Errorf("no audit entry %s", a)
		}
	}
}

// Through a running server's control socket: the same answers, and `ingest`
// hands the file to the server, which decides it. On PostgreSQL the same
// commands work while the "server" (db) keeps the database open.
func TestAdminAPIClientsAndIngestThroughControl(t *testing.T) {
	t.Parallel()
	data := testData(t)
	organs := crashOrgans(t, data)
	db := openData(t, data)
	cal, err := db.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	more := map[string]controlCommand{"ingest": controlIngest(db, cal)}
	for sub := range apiAdminCommands {
		more[sub] = controlAPIAdmin(db, sub)
	}
	// On PostgreSQL there is no socket: the commands below run directly
	// beside this open store (a running server), under the admin lock.
	if enginetest.Name() == enginetest.Bolt {
		keysStartControl(t, db, more)
	}
	var out bytes.Buffer
	if err := runAdmin(withData(t, data, "create-api-client", "-organ", fmt.Sprint(organs[2].ID), "-name", "警务平台"), &out); err != nil {
		t.Fatal(err)
	}
	if secretLines.FindStringSubmatch(out.String()) == nil {
		t.Fatalf("through the socket, create-api-client printed %q", out.String())
	}
	file := filepath.Join(t.TempDir(), "r.ndjson")
	writeIngestFile(t, file, 30, organs)
	out.Reset()
	if err := runIngest(withData(t, data, "-organ", fmt.Sprint(organs[0].ID), "-file", file), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "received 30, sealed 24, review 0, not_eligible 3, not_yet 3, rejected 0") {
		t.Fatalf("ingest through the server: %q", out.String())
	}
}

// Without a server, `ingest` opens the database and decides the file itself.
func TestIngestDirect(t *testing.T) {
	t.Parallel()
	data := testData(t)
	organs := crashOrgans(t, data)
	file := filepath.Join(t.TempDir(), "r.ndjson")
	writeIngestFile(t, file, 20, organs)
	var out bytes.Buffer
	if err := runIngest(withData(t, data, "-organ", fmt.Sprint(organs[0].ID), "-file", file), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "received 20, sealed 16") || !strings.Contains(out.String(), "20 record ids known, 16 cases") {
		t.Fatalf("ingest: %q", out.String())
	}
	if err := runIngest(withData(t, data, "-organ", "1", "-file", filepath.Join(t.TempDir(), "none")), &out); err == nil {
		t.Error("a missing file was accepted")
	}
	_ = os.Remove(file)
}
