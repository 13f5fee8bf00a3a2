package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to tamper with a PostgreSQL database

	"sealportal/handlers"
	"sealportal/portal"
	"sealportal/store"
)

var testHasher = portal.NewPasswordHasher(portal.MinimumArgon2)

// testData returns the -data path of a fresh data folder.
func testData(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "data", "portal.db")
}

// openData opens the store the way the subcommands do (keys.json beside it).
func openData(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := testConfig(t, path).openStore(false)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSeedCreatesDemoAccounts(t *testing.T) {
	t.Parallel()
	db := openData(t, testData(t))
	var out bytes.Buffer
	if err := seed(db, testHasher, &out); err != nil {
		t.Fatalf("seed: %v", err)
	}
	for _, d := range demoAccounts {
		if !strings.Contains(out.String(), d.login) || !strings.Contains(out.String(), d.password) {
			t.Errorf("seed output does not list %s with its password:\n%s", d.login, out.String())
		}
		a, err := db.AccountByLogin(d.login)
		if err != nil || a.Role != d.role || !a.Seeded {
			t.Errorf("demo %s: %+v, %v", d.login, a, err)
		}
	}
	a, _ := db.AccountByLogin(demoAccounts[0].login)
	if ok, _, err := testHasher.Verify(demoAccounts[0].password, a.PasswordHash); !ok || err != nil {
		t.Fatalf("the printed password of %s does not verify", demoAccounts[0].login)
	}
	if n, err := portal.ParseIDNumber(a.IDNumber); err != nil || !n.IsSynthetic() {
		t.Fatalf("demo identity number %q is not synthetic", a.IDNumber)
	}

	// Running it again changes nothing and lists them again.
	out.Reset()
	if err := seed(db, testHasher, &out); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if !strings.Contains(out.String(), demoAccounts[0].password) {
		t.Fatalf("second seed output:\n%s", out.String())
	}
	if total, seeded, _ := db.AccountCounts(); total != len(demoAccounts) || seeded != total {
		t.Fatalf("after two seeds: %d accounts, %d seeded; want %d", total, seeded, len(demoAccounts))
	}
}

func TestSeedRefusesRealData(t *testing.T) {
	t.Parallel()
	path := testData(t)
	db := openData(t, path)
	hash, _ := testHasher.Hash("a real person's passphrase")
	if _, err := db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "court-1", Name: "某法官",
		Organ: "某市人民法院", PasswordHash: hash}, 0); err != nil {
		t.Fatal(err)
	}
	if err := seed(db, testHasher, io.Discard); err == nil {
		t.Fatal("seed accepted a database with a real account")
	}
	if total, _, _ := db.AccountCounts(); total != 1 {
		t.Fatalf("%d accounts after a refused seed", total)
	}
	db.Close()
	// The command line says no too (before any hashing).
	if err := runSeed(withData(t, path), io.Discard); err == nil || !strings.Contains(err.Error(), "real accounts") {
		t.Fatalf("runSeed: %v, want a refusal", err)
	}
}

var (
	otpRE   = regexp.MustCompile(`one-time password: (\S+)`)
	loginRE = regexp.MustCompile(`username: (\S+)`)
	csrfRE  = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
)

// browser is a minimal cookie-keeping client (plain-http cookies here).
type browser struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, hc: &http.Client{Jar: jar}}
}

// get returns the final path and body after redirects.
func (b *browser) get(path string) (string, string) {
	b.t.Helper()
	resp, err := b.hc.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s ended at %s with %d", path, resp.Request.URL.Path, resp.StatusCode)
	}
	return resp.Request.URL.Path, string(body)
}

// submit opens formPath, posts values with its CSRF token and returns the
// final path and status.
func (b *browser) submit(formPath string, values url.Values) (string, int) {
	b.t.Helper()
	_, body := b.get(formPath)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no csrf token on %s", formPath)
	}
	values.Set("_csrf", m[1])
	resp, err := b.hc.PostForm(b.base+formPath, values)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Request.URL.Path, resp.StatusCode
}

func TestAdminCreateUserOneTimePassword(t *testing.T) {
	t.Parallel()
	path := testData(t)
	var out bytes.Buffer
	if err := runAdmin(withData(t, path, "create-user", "-role", "minor", "-name", "x"), &out); err == nil {
		t.Fatal("admin created a citizen account")
	}
	err := runAdmin(withData(t, path, "create-user", "-role", "court", "-organ", "演示市人民法院", "-name", "张法官"), &out)
	if err != nil {
		t.Fatalf("create-user: %v", err)
	}
	otp, login := otpRE.FindStringSubmatch(out.String()), loginRE.FindStringSubmatch(out.String())
	if otp == nil || login == nil || len(otp[1]) < 16 {
		t.Fatalf("create-user output has no username and one-time password:\n%s", out.String())
	}
	out.Reset()
	if err := runAdmin(withData(t, path, "list-users"), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), login[1]) || !strings.Contains(out.String(), "must-change-password") || strings.Contains(out.String(), otp[1]) {
		t.Fatalf("list-users:\n%s", out.String())
	}

	db := openData(t, path)
	e, err := handlers.New(handlers.Config{Hasher: testHasher, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, db)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	// The one-time password works, and leads straight to changing it.
	if at, status := b.submit("/login", url.Values{"login": {login[1]}, "password": {otp[1]}}); at != "/account/password" || status != http.StatusOK {
		t.Fatalf("login with the one-time password ended at %s (%d)", at, status)
	}
	if at, _ := b.get("/staff"); at != "/account/password" {
		t.Fatalf("before changing the password, /staff ended at %s", at)
	}
	if at, status := b.submit("/account/password", url.Values{"current_password": {otp[1]},
		"new_password": {"my own court passphrase"}, "new_password_confirm": {"my own court passphrase"}}); at != "/account/totp/setup" || status != http.StatusOK {
		t.Fatalf("password change ended at %s (%d)", at, status)
	}
	// Officials read sealed records: a second factor comes next (issue 6).
	if at, _ := b.get("/staff"); at != "/account/totp/setup" {
		t.Fatalf("before enrolling a second factor, /staff ended at %s", at)
	}
}

func TestVerifyAudit(t *testing.T) {
	t.Parallel()
	path := testData(t)
	db := openData(t, path)
	var ids []uint64
	for i, mobile := range []string{"13800000001", "13800000002", "13800000003"} {
		a, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: mobile, Mobile: mobile, Name: "测试",
			IDNumber:     portal.SyntheticIDNumber(uint64(i+1), portal.Date{Year: 2006, Month: 1, Day: 2}).String(),
			PasswordHash: "$argon2id$fake"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	steps := []func() error{
		func() error { _, _, err := db.RecordLoginFailure(ids[0], "r1"); return err },
		func() error { return db.RecordLoginSuccess(ids[0], "", "r2") },
		func() error { return db.ChangePassword(ids[1], "$argon2id$other", "r3") },
		func() error { return db.SetDisabled(ids[2], true, 0) },
		func() error { return db.EndSessions(ids[0], 0, "cli") },
	}
	for _, f := range steps {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	var out bytes.Buffer
	ok, err := runVerifyAudit(withData(t, path), &out)
	if err != nil || !ok {
		t.Fatalf("verify-audit on an untouched log: ok=%v err=%v\n%s", ok, err, out.String())
	}
	if !strings.Contains(out.String(), "OK") {
		t.Fatalf("output: %s", out.String())
	}

	// Change one character of entry 4's action, in every copy the engine
	// keeps: in the bbolt file's bytes, or in PostgreSQL's rows.
	const k = 4
	if changed := tamperStored(t, path, func(raw []byte) int { return tamperAction(t, raw, k) }); changed == 0 {
		t.Fatalf("entry %d not found in the database", k)
	}
	out.Reset()
	ok, err = runVerifyAudit(withData(t, path), &out)
	if err != nil || ok {
		t.Fatalf("verify-audit after tampering: ok=%v err=%v\n%s", ok, err, out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("first bad entry %d", k)) {
		t.Fatalf("output does not name entry %d: %s", k, out.String())
	}
}

// Generated officials' usernames cannot be guessed from the role and a
// counter (issue 13 finding 6): two accounts of one role get unrelated
// names with 10 random characters, never role-1, role-2.
func TestAdminCreateUserUnguessableUsername(t *testing.T) {
	t.Parallel()
	path := testData(t)
	var logins []string
	for range 2 {
		var out bytes.Buffer
		if err := runAdmin(withData(t, path, "create-user", "-role", "court", "-organ", "演示市人民法院", "-name", "张法官"), &out); err != nil {
			t.Fatal(err)
		}
		m := loginRE.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no username in:\n%s", out.String())
		}
		logins = append(logins, m[1])
	}
	re := regexp.MustCompile(`^court-[a-hj-np-z2-9]{10}$`)
	for _, l := range logins {
		if !re.MatchString(l) || l == "court-1" || l == "court-2" {
			t.Fatalf("username %q is guessable", l)
		}
	}
	if logins[0] == logins[1] {
		t.Fatal("two accounts with one username")
	}
}

// tamperAction changes one character of the action of audit entry k in
// every copy of it in raw, in place, and says how many it changed.
func tamperAction(t *testing.T, raw []byte, k int) int {
	t.Helper()
	marker, field := fmt.Appendf(nil, `"seq":%d,`, k), []byte(`"action":"`)
	changed := 0
	for off := 0; ; {
		i := bytes.Index(raw[off:], marker)
		if i < 0 {
			break
		}
		start := off + i
		end := start + bytes.IndexByte(raw[start:], '}')
		f := bytes.Index(raw[start:end], field)
		if f < 0 {
			t.Fatalf("entry %d has no action: %q", k, raw[start:end])
		}
		pos := start + f + len(field)
		raw[pos] = 'a' + (raw[pos]-'a'+1)%26
		changed++
		off = end
	}
	return changed
}

// tamperStored applies change to the stored bytes of the test's database at
// path behind the portal's back: the bbolt file, or on PostgreSQL every
// value row of the kv table (as someone with the database's credentials
// could). It returns how many copies change altered.
func tamperStored(t *testing.T, path string, change func([]byte) int) int {
	t.Helper()
	c := testConfig(t, path)
	if !c.onServer() {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n := change(raw)
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sqldb, err := sql.Open("pgx", c.databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer sqldb.Close()
	rows, err := sqldb.Query("SELECT bucket, k, v FROM kv")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		bucket int
		k, v   []byte
	}
	var changed []row
	n := 0
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.bucket, &r.k, &r.v); err != nil {
			t.Fatal(err)
		}
		if m := change(r.v); m > 0 {
			n += m
			changed = append(changed, r)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for _, r := range changed {
		if _, err := sqldb.Exec("UPDATE kv SET v = $1 WHERE bucket = $2 AND k = $3", r.v, r.bucket, r.k); err != nil {
			t.Fatal(err)
		}
	}
	return n
}
