package main

import (
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sealportal/store/kv/enginetest"
	"sealportal/store/kv/pgkv/pgtest"
)

// TestTwoServersOnePostgres is issue 14's acceptance test: two portal
// processes (the real binary, `serve`) on ONE PostgreSQL database with one
// keys file write at the same time — citizens registering and filing
// complete applications with uploads, case messages, anonymous leak reports,
// spread over both — while an administrator's command and an online
// verify-audit run beside them. Afterwards every acknowledged submission is
// there exactly once, read through the OTHER server than the one that
// acknowledged it, reference numbers are unique across both, and
// verify-audit finds one contiguous, signed audit log.
//
// It is about PostgreSQL by nature: on the bbolt pass it starts its own
// PostgreSQL database (pgtest) rather than skip.
func TestTwoServersOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("two servers on one PostgreSQL database: builds the binary and runs two servers under load; skipped under -short")
	}
	began := time.Now()
	dir := t.TempDir()
	if d := os.Getenv("TWO_SERVERS_KEEP"); d != "" {
		dir = d // keep the logs for a look
	}
	bin := filepath.Join(dir, "sealportal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var dsn string
	if enginetest.Name() == enginetest.Postgres {
		dsn = enginetest.Location(t, filepath.Join(dir, "shared.db"))
	} else {
		dsn = pgtest.NewDatabase(t) // this test needs PostgreSQL on every pass
	}
	keys := filepath.Join(dir, "keys.json")
	// Each server has a data folder of its own (its demo outbox); the
	// database and the keys file are shared.
	args := func(name string) []string {
		return []string{"-data", filepath.Join(dir, name, "portal.db"), "-keys", keys, "-database-url", dsn}
	}
	setup := config{data: filepath.Join(dir, "a", "portal.db"), keys: keys, databaseURL: dsn}
	organs := organsIn(t, setup) // creates the keys file and the schema

	servers := [2]*crashServer{}
	worlds := [2]*crashWorld{}
	for i, name := range []string{"a", "b"} {
		servers[i] = &crashServer{t: t, bin: bin, data: filepath.Join(dir, name, "portal.db"), addr: freeAddr(t),
			log: filepath.Join(dir, name+".log"), dbArgs: args(name)}
		worlds[i] = &crashWorld{srv: servers[i], organs: organs, pdf: tinyPDF(), png: tinyPNG()}
	}
	worlds[1].seq.Store(50_000_000) // distinct mobiles and identity numbers
	worlds[0].peerOutboxes = []string{servers[1].demoOutbox()}
	worlds[1].peerOutboxes = []string{servers[0].demoOutbox()}
	for _, s := range servers {
		s.start()
		defer s.stop()
	}
	t.Logf("built and started two servers in %s", time.Since(began).Round(time.Millisecond))

	// Each world: one citizen files a whole application undisturbed, so
	// that messages have a case to go to; one of every kind besides.
	journeys := make([][]*crashJourney, 2)
	for i, w := range worlds {
		owner := w.newJourney()
		for owner.step != stepNew || len(w.acks.apps) == 0 {
			step := owner.step
			if err := owner.take(w); err != nil {
				t.Fatalf("server %d: setup application, step %d: %v", i, step, err)
			}
		}
		w.messageCase, w.messages = w.acks.apps[0].caseID, w.newClient()
		if _, err := redirectTo("/")(w.messages.submit("/login", "/login", url.Values{"login": {owner.mobile}, "password": {owner.password}})); err != nil {
			t.Fatalf("server %d: sign in for messages: %v", i, err)
		}
		journeys[i] = []*crashJourney{owner, w.newJourney(), w.newJourney()}
	}

	// Both servers under load at once, for a few seconds.
	var wg sync.WaitGroup
	var stop atomic.Bool
	var failures atomic.Int32
	for i, w := range worlds {
		for _, j := range journeys[i] {
			wg.Go(func() {
				for !stop.Load() {
					if err := j.next(w); err != nil {
						failures.Add(1)
						t.Errorf("server %d: a journey's request failed: %v", i, err)
						return
					}
				}
			})
		}
		wg.Go(func() { w.sendMessages(&stop, 1, 0) })
		wg.Go(func() { w.sendLeaks(&stop, 0) })
		wg.Go(func() { w.registerMany(&stop, 0) })
	}
	// Beside the servers, while they write: verify-audit online (one
	// snapshot) and an administrator's command run as their own processes.
	time.Sleep(2 * time.Second)
	if out, err := exec.Command(bin, append([]string{"verify-audit"}, args("a")...)...).CombinedOutput(); err != nil || !strings.Contains(string(out), "audit log OK") {
		t.Errorf("verify-audit online beside two writing servers: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, append([]string{"admin", "create-user", "-role", "court", "-organ", organs[0].Name, "-name", "张法官"}, args("b")...)...).CombinedOutput(); err != nil || !otpRE.Match(out) {
		t.Errorf("admin create-user beside two writing servers: %v\n%s", err, out)
	}
	time.Sleep(3 * time.Second)
	stop.Store(true)
	wg.Wait()
	if failures.Load() > 0 {
		t.FailNow()
	}

	// An administrative command while another holds the admin lock: a clear
	// message and exit status 2.
	db, err := setup.openStore(true)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := db.LockAdmin(false)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append([]string{"admin", "list-users"}, args("a")...)...).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "another administrative command is running") {
		t.Errorf("admin list-users while the admin lock is held: %v\n%s", err, out)
	}
	_ = unlock()
	db.Close()

	// Every acknowledged submission, read through the other server.
	all := [2]crashAcks{worlds[0].snapshot(), worlds[1].snapshot()}
	for i, a := range all {
		t.Logf("server %d acknowledged %d registrations, %d applications, %d messages, %d leak reports", i, len(a.regs), len(a.apps), len(a.msgs), len(a.leaks))
		if len(a.apps) == 0 || len(a.msgs) == 0 || len(a.leaks) == 0 || len(a.regs) == 0 {
			t.Errorf("server %d: a kind of submission was never acknowledged", i)
		}
	}
	for i, w := range worlds {
		other := servers[1-i]
		cross := &crashWorld{srv: other, messageCase: w.messageCase}
		cross.messages = cross.newClient()
		owner := all[i].apps[0].owner
		if _, err := redirectTo("/")(cross.messages.submit("/login", "/login", url.Values{"login": {owner.mobile}, "password": {owner.password}})); err != nil {
			t.Fatalf("the owner of server %d's case cannot sign in on server %d: %v", i, 1-i, err)
		}
		cross.verify(all[i], true)
		// Each message once on its case.
		p, err := cross.messages.get("/cases/" + strconv.FormatUint(w.messageCase, 10))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range all[i].msgs {
			if n := strings.Count(p.body, m.text); n != 1 {
				t.Errorf("message %s shown %d times", m.text, n)
			}
		}
	}

	servers[0].stop()
	servers[1].stop()
	// Exactly once in the database: reference numbers and case ids unique
	// across both servers, each acknowledged application once among its
	// owner's cases, each leak reference once.
	db, err = setup.openStore(true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	refs, ids, leaks := map[string]int{}, map[uint64]int{}, map[string]int{}
	owners := map[*crashJourney]bool{}
	for _, a := range all {
		for _, app := range a.apps {
			refs[app.ref]++
			ids[app.caseID]++
			owners[app.owner] = true
		}
		for _, l := range a.leaks {
			leaks[l.ref]++
		}
	}
	for ref, n := range refs {
		if n != 1 {
			t.Errorf("reference number %s acknowledged %d times", ref, n)
		}
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("case %d acknowledged %d times", id, n)
		}
	}
	for ref, n := range leaks {
		if n != 1 {
			t.Errorf("leak reference %s acknowledged %d times", ref, n)
		}
	}
	stored := map[string]int{}
	for owner := range owners {
		acct, err := db.AccountByLogin(owner.mobile)
		if err != nil {
			t.Fatalf("owner %s: %v", owner.mobile, err)
		}
		cases, err := db.CasesOfAccount(acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if c.Case.Ref != "" {
				stored[c.Case.Ref]++
			}
		}
	}
	for ref := range refs {
		if stored[ref] != 1 {
			t.Errorf("acknowledged application %s stored %d times among its owner's cases", ref, stored[ref])
		}
	}

	// The audit log: one chain, contiguous, signed, written by both.
	out, err = exec.Command(bin, append([]string{"verify-audit"}, args("b")...)...).CombinedOutput()
	m := regexp.MustCompile(`audit log OK: (\d+) entries`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("verify-audit after two servers: %v\n%s", err, out)
	}
	entries, _ := strconv.Atoi(string(m[1]))
	head, err := db.AuditHead()
	if err != nil || head.N != int64(entries) {
		t.Fatalf("signed head covers %d entries, verify-audit counted %d (%v)", head.N, entries, err)
	}
	var read uint64
	for {
		evs, err := db.AuditEntries(read, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Seq != read {
				t.Fatalf("audit entry %d carries index %d: the index is not contiguous", read, ev.Seq)
			}
			read++
		}
		if len(evs) < 1000 {
			break
		}
	}
	if read != uint64(entries) { // #nosec G115 -- a count of entries
		t.Fatalf("%d audit entries read, %d verified", read, entries)
	}
	if out, err := exec.Command(bin, append([]string{"verify"}, args("a")...)...).CombinedOutput(); err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	t.Logf("two servers, one database: %d audit entries in one contiguous chain; %s in all", entries, time.Since(began).Round(time.Millisecond))

}
