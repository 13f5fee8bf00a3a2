package main

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sealportal/messaging"
	"sealportal/portal"
	"sealportal/store"
)

func enqueueCode(t *testing.T, db *store.DB) {
	t.Helper()
	a := portal.Account{Role: portal.RoleMinor, Login: "13800138000", Mobile: "13800138000", Name: "周晓明",
		IDNumber:     portal.SyntheticIDNumber(1, portal.Date{Year: 2006, Month: 5, Day: 17}).String(),
		PasswordHash: "$argon2id$x"}
	if _, err := db.StartRegistration(a); err != nil {
		t.Fatal(err)
	}
}

// With no gateway configured the portal is in demo delivery and says so at
// start-up, without any personal data in the log; the file is beside the
// database.
func TestDemoDeliveryIsTheDefault(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data", "portal.db")
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	serveFlags(fs, &c)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	c.data, c.databaseURL = data, testConfig(t, data).databaseURL
	db, err := c.openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logBuf bytes.Buffer
	s, err := c.messaging.sender(db, data, slog.New(slog.NewTextHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.SMS.(*messaging.Demo); !ok {
		t.Fatalf("SMS deliverer %T, want demo", s.SMS)
	}
	enqueueCode(t, db)
	if n, err := s.DeliverDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("delivered %d, %v", n, err)
	}
	if !strings.Contains(logBuf.String(), "demo delivery is on") {
		t.Fatalf("start-up log: %s", logBuf.String())
	}
	if strings.Contains(logBuf.String(), "13800138000") {
		t.Fatal("the log names a recipient")
	}
	path := filepath.Join(filepath.Dir(data), "demo-outbox.jsonl")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("demo file: %v %v", fi, err)
	}
}

// With a gateway configured the demo file is never written, whatever is
// sent.
func TestGatewayConfiguredNeverWritesTheDemoFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data", "portal.db")
	t.Setenv("PORTAL_SMTP_ADDR", "127.0.0.1:1") // nothing listens: delivery fails and is retried
	t.Setenv("PORTAL_SMTP_FROM", "noreply@portal.example")
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	serveFlags(fs, &c)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	c.data, c.databaseURL = data, testConfig(t, data).databaseURL
	db, err := c.openStore(false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logBuf bytes.Buffer
	s, err := c.messaging.sender(db, data, slog.New(slog.NewTextHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	enqueueCode(t, db)
	if _, err := s.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(data), "demo-outbox.jsonl")); !os.IsNotExist(err) {
		t.Fatalf("the demo file exists with a gateway configured: %v", err)
	}
	if strings.Contains(logBuf.String(), "demo delivery is on") {
		t.Fatal("the log claims demo delivery")
	}
	// A Tencent gateway without its templates refuses to start.
	c.messaging.smsGateway = "tencent"
	if _, err := c.messaging.sender(db, data, slog.New(slog.NewTextHandler(&logBuf, nil))); err == nil {
		t.Fatal("a Tencent gateway without templates and keys started")
	}
}
