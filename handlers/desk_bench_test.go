package handlers

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// The lawyer's dashboard (issue 16) as a whole request — session, store,
// render, gzip — for a lawyer with 5,000 clients: the page costs what it
// shows, not what the account holds.
//
//	go test -run '^$' -bench DeskRequest -benchmem ./handlers/
func BenchmarkDeskRequest(b *testing.B) {
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
	lawyers, err := db.ImportAccounts([]portal.Account{{Role: portal.RoleLawyer, Login: "17000000088", Mobile: "17000000088", Name: "基准律师",
		IDNumber: portal.SyntheticIDNumber(88, portal.Date{Year: 1980, Month: 1, Day: 1}).String(), Licence: "11101200000000009", Firm: "基准律所",
		PasswordHash: hash}})
	if err != nil {
		b.Fatal(err)
	}
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		b.Fatal(err)
	}
	today := portal.DateOf(time.Now())
	statuses := []portal.CaseStatus{portal.StatusSubmitted, portal.StatusReturned, portal.StatusAccepted, portal.StatusUnderReview, portal.StatusCompleted}
	var batch []portal.Case
	for i := range 5000 {
		c := portal.Case{Status: statuses[i%len(statuses)], FiledBy: lawyers[0].ID, Capacity: portal.CapacityLawyer,
			PersonName: fmt.Sprintf("基准客户%05d", i), OrganCaseNumber: fmt.Sprintf("(2025)基准刑初%d号", i), DecidingOrganID: court.ID,
			HoldingOrganIDs: []uint64{court.ID}, CreatedAt: time.Now().UTC()}
		if !c.Status.Final() {
			c.Due = today.AddDays(i%30 - 5)
		}
		batch = append(batch, c)
	}
	if _, err := db.ImportCases(batch); err != nil {
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
	form := url.Values{"login": {"17000000088"}, "password": {"bench-password-2026"}, "_csrf": {csrf}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := do(req); rec.Code != http.StatusSeeOther {
		b.Fatalf("login: %d", rec.Code)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/cases", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := do(req)
		if rec.Code != http.StatusOK {
			b.Fatalf("/cases: %d", rec.Code)
		}
	}
}
