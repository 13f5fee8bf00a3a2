package messaging

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(enginetest.Location(t, filepath.Join(t.TempDir(), "portal.db")), store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// register starts a registration so that the outbox holds a code for mobile.
func register(t *testing.T, db *store.DB, mobile string, seq uint64, lang string) {
	t.Helper()
	a := portal.Account{Role: portal.RoleMinor, Login: mobile, Mobile: mobile, Name: "周晓明", Lang: lang,
		IDNumber:     portal.SyntheticIDNumber(seq, portal.Date{Year: 2006, Month: 5, Day: 17}).String(),
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}
	if _, err := db.StartRegistration(a); err != nil {
		t.Fatal(err)
	}
}

// The demo outbox contract: one JSON line {"channel","to","text","at"} per
// message, "to" the 11-digit number, in a file of mode 0600; the outbox row
// is then sent, with its recipient and text erased.
func TestDemoDeliveryContract(t *testing.T) {
	db := openStore(t)
	path := filepath.Join(t.TempDir(), DemoFile)
	demo := &Demo{Path: path}
	s := &Sender{DB: db, SMS: demo, Email: demo, Log: quiet()}
	register(t, db, "13800138000", 1, portal.LangZH)
	register(t, db, "13900139000", 2, portal.LangEN)
	n, err := s.DeliverDue(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		for _, k := range []string{`"channel":"sms"`, `"to":"1`, `"text":"`, `"at":"`} {
			if !strings.Contains(l, k) {
				t.Errorf("line %s lacks %s", l, k)
			}
		}
	}
	got, err := ReadDemo(path)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].To != "13800138000" || !strings.Contains(got[0].Text, "验证码") || got[1].To != "13900139000" || !strings.Contains(got[1].Text, "sign-up code") {
		t.Fatalf("lines %+v", got)
	}
	rows, _ := db.OutboxRows()
	for _, m := range rows {
		if m.Status != store.OutboxSent || m.To != "" || m.Text != "" {
			t.Fatalf("row after delivery %+v", m)
		}
	}
	// Nothing is sent twice.
	if n, _ := s.DeliverDue(context.Background()); n != 0 {
		t.Fatalf("delivered %d more", n)
	}
}

// When an attempt's outcome is unknown (the process died during it), demo
// delivery finds the line it wrote and does not write it again.
func TestDemoDeliveryDeduplicatesAResumedAttempt(t *testing.T) {
	db := openStore(t)
	path := filepath.Join(t.TempDir(), DemoFile)
	demo := &Demo{Path: path}
	register(t, db, "13800138000", 1, portal.LangZH)
	due, _ := db.DueOutbox(time.Now(), 10)
	m, err := db.BeginOutboxAttempt(due[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Deliver(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	// Crash here: the row still says pending and in flight.
	s := &Sender{DB: db, SMS: demo, Email: demo, Log: quiet()}
	if n, err := s.DeliverDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	lines, _ := ReadDemo(path)
	if len(lines) != 1 {
		t.Fatalf("%d lines: the resumed message was written twice", len(lines))
	}
}

// flaky fails its first failures calls, then records what it delivers.
type flaky struct {
	mu       sync.Mutex
	failures int
	perm     bool
	got      []store.OutboxMessage
}

func (f *flaky) Deliver(_ context.Context, m store.OutboxMessage) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		err := errors.New("connection refused")
		if f.perm {
			return "", Permanent(err)
		}
		return "", err
	}
	f.got = append(f.got, m)
	return "gw-1", nil
}

// A failed delivery is retried after an exponential backoff and recorded on
// the row; a permanent failure is given up at once.
func TestSenderRetriesWithBackoff(t *testing.T) {
	db := openStore(t)
	register(t, db, "13800138000", 1, portal.LangZH)
	now := time.Now()
	clock := func() time.Time { return now }
	gw := &flaky{failures: 2}
	s := &Sender{DB: db, SMS: gw, Log: quiet(), Now: clock}
	if n, _ := s.DeliverDue(context.Background()); n != 1 {
		t.Fatal("first attempt not made")
	}
	rows, _ := db.OutboxRows()
	if r := rows[0]; r.Status != store.OutboxPending || r.Attempts != 1 || r.LastError != "transport" || !r.NextAt.Equal(now.Add(FirstRetry).UTC()) {
		t.Fatalf("after one failure %+v", r)
	}
	if n, _ := s.DeliverDue(context.Background()); n != 0 {
		t.Fatal("retried before the backoff")
	}
	now = now.Add(FirstRetry)
	s.DeliverDue(context.Background())
	rows, _ = db.OutboxRows()
	if r := rows[0]; r.Attempts != 2 || !r.NextAt.Equal(now.Add(2*FirstRetry).UTC()) {
		t.Fatalf("second backoff %+v", r)
	}
	now = now.Add(2 * FirstRetry)
	s.DeliverDue(context.Background())
	rows, _ = db.OutboxRows()
	if r := rows[0]; r.Status != store.OutboxSent || r.GatewayID != "gw-1" || len(gw.got) != 1 {
		t.Fatalf("third attempt %+v", r)
	}
	if Backoff(1) != FirstRetry || Backoff(3) != 4*FirstRetry || Backoff(40) != MaxRetry {
		t.Fatal("backoff schedule")
	}

	perm := &flaky{failures: 1, perm: true}
	s.SMS = perm
	register(t, db, "13900139000", 2, portal.LangZH)
	s.DeliverDue(context.Background())
	rows, _ = db.OutboxRows()
	if r := rows[1]; r.Status != store.OutboxFailed || r.To != "" {
		t.Fatalf("permanent failure %+v", r)
	}
}

// A code that could not be delivered within its lifetime is not sent late.
func TestSenderDropsExpiredCodes(t *testing.T) {
	db := openStore(t)
	gw := &flaky{}
	s := &Sender{DB: db, SMS: gw, Log: quiet(), Now: func() time.Time { return time.Now().Add(portal.CodeLifetime + time.Second) }}
	register(t, db, "13800138000", 1, portal.LangZH)
	s.DeliverDue(context.Background())
	rows, _ := db.OutboxRows()
	if rows[0].Status != store.OutboxFailed || rows[0].LastError != "expired" || len(gw.got) != 0 {
		t.Fatalf("%+v", rows[0])
	}
}

// One recipient gets at most PerRecipientBurst messages at once; the rest
// wait (they are not dropped), and others are not held up.
func TestSenderRateLimitsPerRecipient(t *testing.T) {
	db := openStore(t)
	now := time.Now()
	gw := &flaky{}
	s := &Sender{DB: db, SMS: gw, Log: quiet(), Now: func() time.Time { return now }}
	a, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800138000", Mobile: "13800138000", Name: "周晓明",
		IDNumber:     portal.SyntheticIDNumber(1, portal.Date{Year: 2006, Month: 5, Day: 17}).String(),
		PasswordHash: "$argon2id$x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range PerRecipientBurst + 2 {
		if err := db.EnqueueSecurityNotice(a.ID, portal.OutNewDeviceSignIn); err != nil {
			t.Fatal(err)
		}
	}
	register(t, db, "13900139000", 2, portal.LangZH)
	now = time.Now()
	for range 3 {
		s.DeliverDue(context.Background())
	}
	to := map[string]int{}
	for _, m := range gw.got {
		to[m.To]++
	}
	if to["13800138000"] != PerRecipientBurst || to["13900139000"] != 1 {
		t.Fatalf("delivered %v", to)
	}
	now = now.Add(2 * PerRecipientEvery)
	s.DeliverDue(context.Background())
	if len(gw.got) != PerRecipientBurst+3 {
		t.Fatalf("the held messages were not delivered later: %d", len(gw.got))
	}
}

// A line cut short by a crash is removed before the next line is written, so
// every complete line stays readable.
func TestDemoDeliveryRepairsATornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), DemoFile)
	if err := os.WriteFile(path, []byte(`{"channel":"sms","to":"13800138000","text":"a","at":"x"}`+"\n"+`{"channel":"sms","to":"139`), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &Demo{Path: path}
	if _, err := d.Deliver(context.Background(), store.OutboxMessage{Channel: portal.ChannelSMS, To: "13700137000", Text: "b", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	lines, err := ReadDemo(path)
	if err != nil || len(lines) != 2 || lines[1].To != "13700137000" {
		t.Fatalf("%+v %v", lines, err)
	}
}
