package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// -blob-url is read by every command that opens the store: a URL without
// the credentials in the environment is refused before anything opens, and
// one with credentials in it is refused without repeating them.
func TestBlobURLRefusals(t *testing.T) {
	t.Setenv("PORTAL_S3_ACCESS_KEY", "")
	t.Setenv("PORTAL_S3_SECRET_KEY", "")
	for _, c := range []struct{ url, want string }{
		{"s3://docs?endpoint=127.0.0.1:1", "PORTAL_S3_ACCESS_KEY"},
		{"s3://AKSECRET:SKSECRET@docs?endpoint=127.0.0.1:1", "not in the URL"},
		{"https://docs", "scheme"},
	} {
		cfg := testConfig(t, filepath.Join(t.TempDir(), "p.db"))
		cfg.blobURL = c.url
		db, err := cfg.openStore(false)
		if err == nil {
			db.Close()
			t.Fatalf("%s: opened", c.url)
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "SKSECRET") {
			t.Errorf("%s: %v; want a message about %q without the secret", c.url, err, c.want)
		}
	}
}

// With -blob-url naming a real S3-compatible server (PORTAL_TEST_S3), the
// store keeps documents there: one uploaded document is an object in the
// bucket, and it reads back. Under CI=true a missing server fails.
func TestBlobURLOpensS3(t *testing.T) {
	url := testS3URL(t, "blob-url-test")
	cfg := testConfig(t, filepath.Join(t.TempDir(), "p.db"))
	cfg.blobURL = url
	db, err := cfg.openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if name := db.Blobs().Name(); !strings.HasPrefix(name, "s3://") || strings.Contains(name, os.Getenv("PORTAL_S3_SECRET_KEY")) {
		t.Fatalf("documents go to %q", name)
	}
	acct, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000777", Mobile: "13800000777", Name: "测试人",
		IDNumber: portal.SyntheticIDNumber(77, portal.Date{Year: 2006, Month: 5, Day: 17}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(acct.Role)}, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.AddDocument(c.ID, portal.Document{Kind: portal.DocOther, Name: "a.pdf", MediaType: portal.MediaPDF, UploadedBy: acct.ID}, []byte("%PDF-1.4 BLOB-URL-MARKER"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := db.Blobs().List(t.Context(), "", "", 10)
	if err != nil || len(objs) != 1 {
		t.Fatalf("objects %v, %v; want the one document", objs, err)
	}
	if got, err := db.DocumentContent(c.ID, d.ID); err != nil || string(got) != "%PDF-1.4 BLOB-URL-MARKER" {
		t.Fatalf("read back %q, %v", got, err)
	}
}

// TestAdminMoveDocuments (issue 15): `admin move-documents -blob-url …`
// moves the documents a portal kept in its database to the object store
// given; they read the same afterwards, from the object store.
func TestAdminMoveDocuments(t *testing.T) {
	url := testS3URL(t, "move-test")
	data := filepath.Join(t.TempDir(), "p.db")
	db := openData(t, data)
	acct, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000778", Mobile: "13800000778", Name: "测试人",
		IDNumber: portal.SyntheticIDNumber(78, portal.Date{Year: 2006, Month: 5, Day: 17}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(acct.Role)}, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	const content = "%PDF-1.4 MOVE-DOCUMENTS-MARKER"
	d, err := db.AddDocument(c.ID, portal.Document{Kind: portal.DocOther, Name: "a.pdf", MediaType: portal.MediaPDF, UploadedBy: acct.ID}, []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out bytes.Buffer
	if err := runAdmin(withData(t, data, "move-documents", "-blob-url", url), &out); err != nil {
		t.Fatalf("admin move-documents: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 document objects moved") {
		t.Errorf("admin move-documents says %q", out.String())
	}
	cfg := testConfig(t, data)
	cfg.blobURL = url
	db, err = cfg.openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	objs, err := db.Blobs().List(t.Context(), "", "", 10)
	if err != nil || len(objs) != 1 {
		t.Fatalf("objects in the object store: %v, %v; want the one document", objs, err)
	}
	if got, err := db.DocumentContent(c.ID, d.ID); err != nil || string(got) != content {
		t.Fatalf("read back %q, %v", got, err)
	}
}

// testS3URL is the -blob-url of the real S3-compatible test server
// (PORTAL_TEST_S3) with a prefix of the calling test's own in the shared
// bucket. Without the server the test skips on a developer's machine and
// fails under CI=true.
func testS3URL(t *testing.T, prefix string) string {
	t.Helper()
	url := os.Getenv("PORTAL_TEST_S3")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PORTAL_TEST_S3 is not set: CI must test -blob-url against a real S3-compatible server (scripts/seaweedfs.sh, .ci/run)")
		}
		t.Skip("PORTAL_TEST_S3 is not set")
	}
	return strings.Replace(url, "?", fmt.Sprintf("/%s-%d/?", prefix, time.Now().UnixNano()), 1)
}
