package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// Issue 19: the organ's queue as its official reads it, through the router
// (middleware, session, store, render, gzip):
//
//	go test -run '^$' -bench 'StaffQueue' -benchmem ./handlers/

const benchQueueCases = 2000

// benchCourtOfficial builds a court with benchQueueCases open cases, half of
// them overdue, and a signed-in official of it with a fresh second factor
// (the session is stored directly, as a sign-in would leave it).
func benchCourtOfficial(b *testing.B) (http.Handler, []*http.Cookie) {
	b.Helper()
	db, err := store.Open(enginetest.Location(b, filepath.Join(b.TempDir(), "p.db")), store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	court, err := db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	today := portal.DateOf(now)
	var batch []portal.Case
	for i := range benchQueueCases {
		birth := portal.Date{Year: 2008, Month: time.Month(1 + i%12), Day: 1 + i%28}
		batch = append(batch, portal.Case{Status: portal.StatusSubmitted, Capacity: portal.CapacitySelf, PersonName: "甲",
			PersonIDNumber:  portal.SyntheticIDNumber(uint64(1000+i), birth).String(), // #nosec G115 -- a loop index
			DecidingOrganID: court.ID, HoldingOrganIDs: []uint64{court.ID}, OrganCaseNumber: "(2025)示例刑初1号",
			Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2025, Month: 9, Day: 1},
			Acts:   []portal.Act{{Date: portal.Date{Year: 2024, Month: 1, Day: 10}, Main: true}},
			Intent: portal.IntentIntentional, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12, Suspended: true},
			DeclaredTrue: true, CreatedAt: now, SubmittedAt: now, Due: today.AddDays(i%40 - 20),
			Events: []portal.CaseEvent{{At: now, Action: portal.ActionSubmit, From: portal.StatusDraft, To: portal.StatusSubmitted}}})
	}
	for len(batch) > 0 {
		n := min(len(batch), 500)
		if _, err := db.ImportCases(batch[:n]); err != nil {
			b.Fatal(err)
		}
		batch = batch[n:]
	}
	hash, err := portal.NewPasswordHasher(portal.MinimumArgon2).Hash("bench-password-2026")
	if err != nil {
		b.Fatal(err)
	}
	a, err := db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "court-bench", Name: "测试工作人员", Organ: court.Name,
		OrganID: court.ID, PasswordHash: hash}, 0)
	if err != nil {
		b.Fatal(err)
	}
	secret, err := db.StartTOTPEnrolment(a.ID, "SEALPORTALBENCHSTAFFSECRETKEYABC")
	if err != nil {
		b.Fatal(err)
	}
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.ConfirmTOTP(a.ID, code, nil, "bench"); err != nil {
		b.Fatal(err)
	}
	e, err := New(Config{SecureCookies: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, db)
	if err != nil {
		b.Fatal(err)
	}
	id := "benchbenchbenchbenchbenchbenchbenchbenchben" // 43 characters, like a real id
	if err := db.PutSession(hashID(id), portal.Session{AccountID: a.ID, Role: a.Role, CreatedAt: now, LastSeen: now,
		Values: map[string]string{svSecondFactor: strconv.FormatInt(now.UnixNano(), 10)}}); err != nil {
		b.Fatal(err)
	}
	return e, []*http.Cookie{{Name: "__Host-session", Value: id}}
}

func benchGet(b *testing.B, h http.Handler, cookies []*http.Cookie, path string) {
	b.Helper()
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
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Header().Get("Location"))
		}
	}
}

// The court official's overdue cases, first page of 50 (the loadtest's
// staff_overdue).
func BenchmarkStaffQueueOverdueRequest(b *testing.B) {
	h, cookies := benchCourtOfficial(b)
	benchGet(b, h, cookies, "/staff?overdue=1")
}

// The court official's whole open queue, first page of 50.
func BenchmarkStaffQueueRequest(b *testing.B) {
	h, cookies := benchCourtOfficial(b)
	benchGet(b, h, cookies, "/staff")
}
