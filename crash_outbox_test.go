package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sealportal/portal"
)

// TestCrashOutbox kills the real binary with SIGKILL while people register
// (each registration's code is an outbox message written in the same
// transaction as the pending registration) and while refused registrations
// (a child under 14 registering alone: nothing commits) come in, then
// restarts it, several times. In the end:
//   - every registration whose code page was shown (the commit was
//     acknowledged) has its code in the demo outbox, delivered after the
//     restart if the kill came first;
//   - no message exists for a refused registration (its transaction never
//     committed);
//   - no message is delivered twice: demo delivery can deduplicate (the line
//     of a message is fully determined by it), so even a kill between the
//     file write and the outbox update leaves one line.
//
// Protocols that cannot deduplicate: Tencent Cloud's SendSms has no
// idempotency key and SMTP cannot ask a server whether it took an earlier
// attempt, so with those gateways a kill in that same window sends the
// message again (at least once; e-mails keep their Message-ID).
func TestCrashOutbox(t *testing.T) {
	if testing.Short() {
		t.Skip("outbox crash test: builds the binary and SIGKILLs it; skipped under -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sealportal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data", "portal.db")
	crashOrgans(t, data) // creates the database
	srv := &crashServer{t: t, bin: bin, data: data, addr: freeAddr(t), log: filepath.Join(dir, "serve.log")}
	w := &crashWorld{srv: srv}
	outbox := srv.demoOutbox()

	var (
		mu      sync.Mutex
		acked   = map[string]bool{} // numbers whose code page was shown
		tried   = map[string]bool{} // numbers of every registration sent
		refused = map[string]bool{} // numbers of refused registrations
	)
	var seq atomic.Uint64
	child := portal.DateOf(time.Now()).AddDays(-365 * 10)
	register := func(c *crashClient, mobile string, bad bool) {
		birth := portal.Date{Year: 1985, Month: 5, Day: 17}
		if bad {
			birth = child
		}
		v := url.Values{"role": {"minor"}, "name": {"发件箱测试"}, "mobile": {mobile},
			"id_number": {portal.SyntheticIDNumber(seq.Add(1), birth).String()},
			"password":  {"crash-test-pass-2026"}, "password_confirm": {"crash-test-pass-2026"},
			"consent_privacy": {"yes"}, "consent_sensitive": {"yes"}}
		mu.Lock()
		tried[mobile] = true
		if bad {
			refused[mobile] = true
		}
		mu.Unlock()
		p, err := c.submit("/register", "/register", v)
		if err == nil && !bad && p.status == 200 && strings.Contains(p.body, `action="/register/code"`) {
			mu.Lock()
			acked[mobile] = true
			mu.Unlock()
		}
	}
	const cycles = 8
	var n atomic.Uint64
	for cycle := 1; cycle <= cycles; cycle++ {
		srv.start()
		var wg sync.WaitGroup
		var stop atomic.Bool
		for g := range 4 {
			wg.Go(func() {
				for !stop.Load() {
					c := w.newClient()
					register(c, fmt.Sprintf("137%08d", n.Add(1)), g == 3)
				}
			})
		}
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		srv.kill()
		stop.Store(true)
		wg.Wait()
	}
	// The last start delivers whatever the kills left in the outbox.
	srv.start()
	deadline := time.Now().Add(30 * time.Second)
	var lines []demoLine
	for {
		lines = readDemoLines(t, outbox)
		got := map[string]bool{}
		for _, l := range lines {
			got[l.To] = true
		}
		missing := 0
		for m := range acked {
			if !got[m] {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acknowledged registrations never got their code", missing)
		}
		time.Sleep(200 * time.Millisecond)
	}
	srv.stop()
	lines = readDemoLines(t, outbox)
	seen := map[string]int{}
	perNumber := map[string]int{}
	for _, l := range lines {
		key := l.To + "\x00" + l.Text + "\x00" + l.At
		seen[key]++
		if seen[key] == 2 {
			t.Errorf("message to %s delivered twice", l.To)
		}
		perNumber[l.To]++
		if perNumber[l.To] > 1 {
			t.Errorf("%s got %d messages for one registration", l.To, perNumber[l.To])
		}
		if refused[l.To] {
			t.Errorf("a message went out for a refused registration (%s)", l.To)
		}
		if !tried[l.To] {
			t.Errorf("a message to a number nobody used (%s)", l.To)
		}
	}
	t.Logf("%d kills; %d registrations tried, %d acknowledged, %d refused; %d messages delivered, none twice",
		cycles, len(tried), len(acked), len(refused), len(lines))
	if len(acked) == 0 {
		t.Fatal("no registration was acknowledged: the test proved nothing")
	}
}

type demoLine struct {
	Channel, To, Text, At string
}

func readDemoLines(t *testing.T, path string) []demoLine {
	t.Helper()
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []demoLine
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if l == "" {
			continue
		}
		var d demoLine
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			// A kill can cut the last line short; it is written again
			// whole after the restart, so only a torn final line is allowed.
			t.Logf("torn line in the demo outbox: %q", l)
			continue
		}
		out = append(out, d)
	}
	return out
}
