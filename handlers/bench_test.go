package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// Benchmarks of whole requests through the router (middleware, session,
// store, render, gzip), without the network:
//
//	go test -run '^$' -bench . -benchmem ./handlers/

// benchCitizen builds a server with one person who has one case, signs him in
// and returns the server, his cookies and the case's id.
func benchCitizen(b *testing.B) (http.Handler, []*http.Cookie, uint64) {
	b.Helper()
	db, err := store.Open(enginetest.Location(b, filepath.Join(b.TempDir(), "p.db")), store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	hasher := portal.NewPasswordHasher(portal.MinimumArgon2)
	hash, err := hasher.Hash("bench-password-2026")
	if err != nil {
		b.Fatal(err)
	}
	birth := portal.Date{Year: 2008, Month: 3, Day: 4}
	idn := portal.SyntheticIDNumber(77, birth).String()
	person, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "17000000077", Mobile: "17000000077", Name: "甲",
		IDNumber: idn, PasswordHash: hash}, 0)
	if err != nil {
		b.Fatal(err)
	}
	// Only an identity-verified account follows a case by identity number
	// (issue 11); without this the page answered 404.
	if _, err := db.VerifyIdentity(person.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: idn, Name: "甲"}); err != nil {
		b.Fatal(err)
	}
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	cases, err := db.ImportCases([]portal.Case{{Status: portal.StatusSubmitted, Capacity: portal.CapacitySelf, PersonName: "甲", PersonIDNumber: idn,
		DecidingOrganID: court.ID, HoldingOrganIDs: []uint64{court.ID}, OrganCaseNumber: "(2025)示例刑初1号", Disposition: portal.DispositionSentenced,
		DecisionDate: portal.Date{Year: 2025, Month: 9, Day: 1}, Acts: []portal.Act{{Date: portal.Date{Year: 2024, Month: 1, Day: 10}, Main: true}},
		Intent: portal.IntentIntentional, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12, Suspended: true},
		DeclaredTrue: true, CreatedAt: now, SubmittedAt: now, Due: portal.DateOf(now).AddDays(3),
		Events: []portal.CaseEvent{{At: now, Action: portal.ActionSubmit, From: portal.StatusDraft, To: portal.StatusSubmitted}}}})
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(Config{SecureCookies: true, Hasher: hasher, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, db)
	if err != nil {
		b.Fatal(err)
	}
	jar := map[string]*http.Cookie{}
	do := func(req *http.Request) *httptest.ResponseRecorder {
		for _, c := range jar {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			jar[c.Name] = c
		}
		return rec
	}
	do(httptest.NewRequest(http.MethodGet, "/login", nil))
	csrf := ""
	for name, c := range jar {
		if strings.HasSuffix(name, "csrf") {
			csrf = c.Value
		}
	}
	form := url.Values{"login": {"17000000077"}, "password": {"bench-password-2026"}, "_csrf": {csrf}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := do(req); rec.Code != http.StatusSeeOther {
		b.Fatalf("login: %d", rec.Code)
	}
	var cookies []*http.Cookie
	for _, c := range jar {
		cookies = append(cookies, c)
	}
	return e, cookies, cases[0].ID
}

// A signed-in person's case page, compressed as a phone asks for it.
func BenchmarkCasePageRequest(b *testing.B) {
	h, cookies, id := benchCitizen(b)
	path := "/cases/" + strconv.FormatUint(id, 10)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
	}
}

// The public start page.
func BenchmarkStartPageRequest(b *testing.B) {
	h, _, _ := benchCitizen(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("/: %d", rec.Code)
		}
	}
}
