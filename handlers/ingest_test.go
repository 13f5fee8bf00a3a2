package handlers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// ingestWorld is a portal with a court, a procuratorate and a police organ,
// each with a machine credential.
type ingestWorld struct {
	ts                        *testServer
	court, procurate, police  portal.Organ
	courtKey, procKey, polKey string
	courtClient               store.APIClient
}

func newIngestWorld(t *testing.T) *ingestWorld {
	t.Helper()
	ts := newTestServer(t)
	w := &ingestWorld{ts: ts}
	var err error
	if w.court, err = ts.db.EnsureOrgan(portal.RoleCourt, "北京市海淀区人民法院"); err != nil {
		t.Fatal(err)
	}
	if w.procurate, err = ts.db.EnsureOrgan(portal.RoleProcuratorate, "北京市海淀区人民检察院"); err != nil {
		t.Fatal(err)
	}
	if w.police, err = ts.db.EnsureOrgan(portal.RolePolice, "北京市公安局海淀分局"); err != nil {
		t.Fatal(err)
	}
	if w.courtClient, w.courtKey, err = ts.db.CreateAPIClient(w.court.ID, "法院案件管理系统", 0); err != nil {
		t.Fatal(err)
	}
	if _, w.procKey, err = ts.db.CreateAPIClient(w.procurate.ID, "检察业务应用系统", 0); err != nil {
		t.Fatal(err)
	}
	if _, w.polKey, err = ts.db.CreateAPIClient(w.police.ID, "警务综合平台", 0); err != nil {
		t.Fatal(err)
	}
	return w
}

// ingestDo sends one request to the real router.
func ingestDo(t *testing.T, ts *testServer, method, path, secret, contentType, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	ts.echo.ServeHTTP(rec, req)
	return rec
}

// ingestSend posts a job and decides it as the server's worker would.
func (w *ingestWorld) ingestSend(t *testing.T, secret string, lines []string) string {
	t.Helper()
	rec := ingestDo(t, w.ts, http.MethodPost, "/api/v1/organ/records", secret, "application/x-ndjson", strings.Join(lines, "\n")+"\n")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("POST records: %d %s", rec.Code, rec.Body)
	}
	var ans struct {
		JobID string `json:"job_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || ans.JobID == "" {
		t.Fatalf("POST records: answer %s", rec.Body)
	}
	w.drain(t)
	return ans.JobID
}

func (w *ingestWorld) drain(t *testing.T) {
	t.Helper()
	opt := store.IngestOptions{Decode: DecodeIngestLine, Calendar: portal.DefaultCalendar(), Reason: func(k string) string { return "reason " + k }}
	for {
		id, ok, err := w.ts.db.NextIngestJob()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return
		}
		for done := false; !done; {
			if _, done, err = w.ts.db.IngestStep(id, opt); err != nil {
				t.Fatal(err)
			}
		}
	}
}

type ingestJobJSON struct {
	JobID  string              `json:"job_id"`
	State  string              `json:"state"`
	Counts portal.IngestCounts `json:"counts"`
}

func (w *ingestWorld) job(t *testing.T, secret, id string) ingestJobJSON {
	t.Helper()
	rec := ingestDo(t, w.ts, http.MethodGet, "/api/v1/organ/jobs/"+id, secret, "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET job %s: %d %s", id, rec.Code, rec.Body)
	}
	var j ingestJobJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	return j
}

// ingestLine builds a record line; persons under 1000 are born on
// 2005-06-10, later ones a day earlier for each thousand (an identity
// number's sequence has three digits).
func ingestLine(recordID string, person uint64, facts string, extra ...string) string {
	birth := portal.DateOf(time.Date(2005, 6, 10-int(person/1000%300), 12, 0, 0, 0, portal.China))
	s := fmt.Sprintf(`{"record_id":%q,"person":{"name":"张%s","id_type":"resident_id","id_number":%q,"birth_date":%q},%s`,
		recordID, strings.Repeat("三", int(person%3)+1), portal.SyntheticIDNumber(person, birth).String(), birth.String(), facts)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

// TestIngestAcceptance is issue 17's acceptance: one NDJSON job of the court
// with every disposition the court decides, good and bad lines, a duplicate
// and an update; the procuratorate's and the police's dispositions in their
// own jobs. The counts, the errors, the cases, their holders and deadlines
// (R12) and the audit entries are checked.
func TestIngestAcceptance(t *testing.T) {
	w := newIngestWorld(t)
	db := w.ts.db
	var err error
	holders := fmt.Sprintf(`"holders":[%d,%d]`, w.procurate.ID, w.police.ID)
	dec := `"decided_on":"2023-03-01","effective_on":"2023-03-15"`
	lines := []string{
		// 1–4 sealable (R2, R10, R9): sealed cases at court, procuratorate, police.
		ingestLine("C-1", 1, `"acts":[{"date":"2022-01-01","main":true,"intent":"intentional"}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":36}`, dec, holders),
		ingestLine("C-2", 2, `"acts":[{"date":"2022-01-01","main":true}],"disposition":"exempted"`, dec, holders),
		ingestLine("C-3", 3, `"acts":[{"date":"2022-01-01"}],"disposition":"acquitted_insufficient_evidence"`, dec),
		ingestLine("C-4", 4, `"acts":[{"date":"2022-01-01"}],"disposition":"no_criminal_liability"`, dec),
		// 5: over five years (R2); 6: every act after 18 (R6).
		ingestLine("C-5", 5, `"acts":[{"date":"2022-01-01","main":true}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":72}`, dec),
		ingestLine("C-6", 6, `"acts":[{"date":"2023-08-01","main":true}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":12}`, `"decided_on":"2024-01-10"`),
		// 7: not concluded yet.
		ingestLine("C-7", 7, `"acts":[{"date":"2022-01-01"}],"disposition":"pending"`),
		// 8: main acts on both sides of 18 (R27): review.
		ingestLine("C-8", 8, `"acts":[{"date":"2022-01-01","main":true},{"date":"2023-08-01","main":true}],"disposition":"exempted"`, `"decided_on":"2024-01-10"`),
		// 9–13: bad lines.
		`{"record_id":"C-9","person":`,
		ingestLine("", 10, `"acts":[{"date":"2022-01-01"}],"disposition":"exempted"`, dec),
		ingestLine("C-11", 11, `"acts":[{"date":"2022-01-01"}],"disposition":"pardoned"`, dec),
		strings.Replace(ingestLine("C-12", 12, `"acts":[{"date":"2022-01-01"}],"disposition":"exempted"`, dec), `"id_number":"`, `"id_number":"X`, 1),
		ingestLine("C-13", 13, `"acts":[{"date":"2022-01-01"}],"disposition":"exempted","colour":"blue"`, dec),
		// 14: a procuratorate's disposition sent by the court (R12: each organ seals what it decides).
		ingestLine("C-14", 14, `"acts":[{"date":"2022-01-01"}],"disposition":"not_prosecuted"`, dec),
		// 15: line 1 again, unchanged: a duplicate.
		ingestLine("C-1", 1, `"acts":[{"date":"2022-01-01","main":true,"intent":"intentional"}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":36}`, dec, holders),
		// 16: line 8 again, changed: the court now finds the main act before 18 (R5) — updated, and sealed.
		ingestLine("C-8", 8, `"acts":[{"date":"2022-01-01","main":true},{"date":"2023-08-01"}],"disposition":"exempted"`, `"decided_on":"2024-01-10"`),
		"",
		// 18: a holder that is not an organ.
		ingestLine("C-18", 18, `"acts":[{"date":"2022-01-01"}],"disposition":"exempted"`, dec, `"holders":[999]`),
		// 19: main acts on both sides of 18 (R27), left in review.
		ingestLine("C-19", 19, `"acts":[{"date":"2022-01-01","main":true},{"date":"2023-08-01","main":true}],"disposition":"exempted"`, `"decided_on":"2024-01-10"`),
	}
	// Person 1 has an identity-verified account: the cases about him appear
	// there (and he is told), those of every organ as one person's.
	person1, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13900005555", Mobile: "13900005555", Name: "张三三",
		IDNumber: portal.SyntheticIDNumber(1, portal.Date{Year: 2005, Month: 6, Day: 10}).String(), PasswordHash: "x",
		IdentityVerified: true, IdentityMethod: portal.IdentityByOrgan}, 0)
	if err != nil {
		t.Fatal(err)
	}
	id := w.ingestSend(t, w.courtKey, lines)
	j := w.job(t, w.courtKey, id)
	want := portal.IngestCounts{Received: 18, Sealed: 4, Review: 2, NotEligible: 2, NotYet: 1, Rejected: 7, Duplicates: 1, Updated: 1}
	if j.State != "done" || j.Counts != want {
		t.Fatalf("job = %+v, want done %+v", j, want)
	}

	// The errors, line by line, in the caller's language.
	rec := ingestDo(t, w.ts, http.MethodGet, "/api/v1/organ/jobs/"+id+"/errors", w.courtKey, "", "", "Accept-Language", "en")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("errors: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	type errRow struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Message string `json:"message"`
	}
	var rows []errRow
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		var r errRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("errors line %q: %v", sc.Text(), err)
		}
		if r.Message == "" || strings.Contains(r.Message, ".") && !strings.Contains(r.Message, " ") {
			t.Errorf("line %d %s: untranslated message %q", r.Line, r.Field, r.Message)
		}
		rows = append(rows, r)
	}
	got := map[int][]string{}
	for _, r := range rows {
		got[r.Line] = append(got[r.Line], r.Field)
	}
	for line, field := range map[int]string{9: "body", 10: "record_id", 11: "disposition", 12: "person.id_number", 13: "colour", 14: "disposition", 18: "holders"} {
		if !slices.Contains(got[line], field) {
			t.Errorf("errors of line %d = %v, want %s", line, got[line], field)
		}
	}
	if len(got) != 7 {
		t.Errorf("errors name lines %v, want 7 lines", got)
	}
	if strings.Contains(rec.Body.String(), "张") || strings.Contains(rec.Body.String(), "2005-06-10") {
		t.Error("the errors carry the person's data")
	}
	zh := ingestDo(t, w.ts, http.MethodGet, "/api/v1/organ/jobs/"+id+"/errors", w.courtKey, "", "")
	if !strings.Contains(zh.Body.String(), "记录编号") {
		t.Errorf("errors in Chinese by default: %s", zh.Body)
	}

	// The cases: every holding organ owes its sealing within R12's 3 days.
	today := portal.DateOf(w.ts.clock.Now())
	due, err := portal.DefaultCalendar().Due(today, portal.Policy.OrganSealing)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []portal.Organ{w.court, w.procurate, w.police} {
		q, _, err := db.Queue(o.ID, store.QueueFilter{Status: portal.StatusSealed, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		wantN := 2 // C-1 and C-2 name the procuratorate and the police as holders
		if o.ID == w.court.ID {
			wantN = 5 // C-1..C-4 and C-8 after its update
		}
		if len(q) != wantN {
			t.Errorf("%s: %d sealed cases in the queue, want %d", o.Name, len(q), wantN)
		}
		for _, r := range q {
			if !r.ExOfficio || r.Due != due {
				t.Errorf("%s: case %s ex officio %v due %s, want ex officio due %s (R12)", o.Name, r.Ref, r.ExOfficio, r.Due, due)
			}
			c, err := db.Case(r.CaseID)
			if err != nil {
				t.Fatal(err)
			}
			if c.DecidingOrganID != w.court.ID || !c.Holds(w.court.ID) {
				t.Errorf("case %s: decider %d holders %v", c.Ref, c.DecidingOrganID, c.HoldingOrganIDs)
			}
			evs, err := db.AuditBySubject("case", c.ID)
			if err != nil {
				t.Fatal(err)
			}
			decided := false
			for _, ev := range evs {
				if (ev.Action == portal.AuditIngestDecided || ev.Action == portal.AuditIngestUpdated) && strings.HasPrefix(ev.Detail, "seal:") && strings.Contains(ev.Detail, "R1") {
					decided = true
				}
			}
			if !decided {
				t.Errorf("case %s: no audit entry of the decision naming the rules: %+v", c.Ref, evs)
			}
		}
	}
	// One review is left in the court's queue (C-8's update sealed the
	// other), with the rules' reason on its timeline.
	q, _, err := db.Queue(w.court.ID, store.QueueFilter{Status: portal.StatusUnderReview, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 {
		t.Fatalf("review queue: %+v", q)
	}
	rc, err := db.Case(q[0].CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if last := rc.Events[len(rc.Events)-1]; !strings.HasPrefix(last.Note, "reason ") || !slices.Contains(last.Rules, "R27") || rc.OrganCaseNumber != "C-19" {
		t.Errorf("review case %s: last event %+v", rc.OrganCaseNumber, last)
	}

	// The procuratorate and the police send their own dispositions; the
	// police's record of person 1 is the same person as the court's (one
	// person, by the identity index).
	pid := w.ingestSend(t, w.procKey, []string{
		ingestLine("P-1", 20, `"acts":[{"date":"2022-01-01"}],"disposition":"not_prosecuted"`, dec),
		ingestLine("P-2", 21, `"acts":[{"date":"2022-01-01"}],"disposition":"conditional_non_prosecution_completed"`, dec),
	})
	if c := w.job(t, w.procKey, pid).Counts; c.Sealed != 2 || c.Received != 2 {
		t.Errorf("procuratorate job counts %+v", c)
	}
	lid := w.ingestSend(t, w.polKey, []string{
		ingestLine("G-1", 1, `"acts":[{"date":"2021-05-01"}],"disposition":"case_withdrawn"`, dec),
		ingestLine("G-2", 22, `"acts":[{"date":"2022-01-01"}],"disposition":"administrative_penalty"`, dec),
		ingestLine("G-3", 23, `"acts":[{"date":"2022-01-01"}],"disposition":"specialised_correctional_education"`, dec),
	})
	if c := w.job(t, w.polKey, lid).Counts; c.Sealed != 3 || c.Received != 3 {
		t.Errorf("police job counts %+v", c)
	}
	mine, err := db.CasesOfAccount(person1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 2 || mine[0].Case.DecidingOrganID == mine[1].Case.DecidingOrganID {
		t.Errorf("person 1's account has %d cases, want the court's and the police's", len(mine))
	}
	if n, err := db.UnreadCount(person1.ID); err != nil || n == 0 {
		t.Errorf("person 1 was not told: %d unread, %v", n, err)
	}

	// A credential acts only for its organ: another organ's job is 404, as
	// one that does not exist.
	for _, path := range []string{"/api/v1/organ/jobs/" + id, "/api/v1/organ/jobs/" + id + "/errors", "/api/v1/organ/jobs/99999", "/api/v1/organ/jobs/x"} {
		if rec := ingestDo(t, w.ts, http.MethodGet, path, w.polKey, "", ""); rec.Code != http.StatusNotFound {
			t.Errorf("police reads %s: %d, want 404", path, rec.Code)
		}
	}
	// The job's answers carry the organ's ids and counts only.
	body := ingestDo(t, w.ts, http.MethodGet, "/api/v1/organ/jobs/"+id, w.courtKey, "", "").Body.String()
	if strings.Contains(body, "张") || strings.Contains(body, "FC-") {
		t.Errorf("job answer carries more than counts: %s", body)
	}
	// Every use is audited.
	evs, err := db.AuditBySubject("api_client", w.courtClient.ID)
	if err != nil {
		t.Fatal(err)
	}
	uses := 0
	for _, ev := range evs {
		if ev.Action == portal.AuditAPIClientUsed {
			uses++
		}
	}
	if uses < 5 {
		t.Errorf("court credential: %d uses audited, want at least 5", uses)
	}
}

// TestIngestCredentials: no credential, a wrong one, a revoked one and a
// rotated-away one all get the same 401 JSON; the new secret works.
func TestIngestCredentials(t *testing.T) {
	w := newIngestWorld(t)
	db := w.ts.db
	check := func(name, secret string, want int) {
		t.Helper()
		rec := ingestDo(t, w.ts, http.MethodPost, "/api/v1/organ/records", secret, "application/x-ndjson", "\n")
		if rec.Code != want {
			t.Fatalf("%s: %d %s, want %d", name, rec.Code, rec.Body, want)
		}
		if want == http.StatusUnauthorized {
			var e apiErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "unauthorized" || e.Error.Message == "" {
				t.Errorf("%s: answer %s", name, rec.Body)
			}
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s: no WWW-Authenticate", name)
			}
		}
	}
	check("none", "", http.StatusUnauthorized)
	check("wrong", "sps_"+strings.Repeat("A", 43), http.StatusUnauthorized)
	check("garbage", "x", http.StatusUnauthorized)
	check("good", w.courtKey, http.StatusAccepted)
	cl, fresh, err := db.RotateAPIClient(w.courtClient.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	check("rotated away", w.courtKey, http.StatusUnauthorized)
	check("rotated in", fresh, http.StatusAccepted)
	if _, err := db.RevokeAPIClient(cl.ID, 0); err != nil {
		t.Fatal(err)
	}
	check("revoked", fresh, http.StatusUnauthorized)
	// Wrong content type, with a good credential of another organ.
	if rec := ingestDo(t, w.ts, http.MethodPost, "/api/v1/organ/records", w.polKey, "application/json", "{}"); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("json body: %d", rec.Code)
	}
	list, err := db.APIClients()
	if err != nil || len(list) != 3 || list[0].Revoked.IsZero() {
		t.Errorf("clients %+v %v", list, err)
	}
}

// TestDecodeIngestLineFields: the record's own fields and the eligibility
// API's vocabulary, each problem at its field.
func TestDecodeIngestLineFields(t *testing.T) {
	today := portal.Date{Year: 2026, Month: 3, Day: 10}
	ok := ingestLine("R-1", 1, `"acts":[{"date":"2022-01-01","main":true,"intent":"negligent"}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":24,"suspended":true}`, `"decided_on":"2023-01-01"`)
	r, fe := DecodeIngestLine([]byte(ok), today)
	if fe != nil || r.RecordID != "R-1" || r.Facts.Penalty == nil || r.Facts.Penalty.Months != 24 || r.IntentOf() != portal.IntentNegligent {
		t.Fatalf("good line: %+v %v", r, fe)
	}
	for name, tc := range map[string]struct{ line, field string }{
		"no person":           {`{"record_id":"x","acts":[{"date":"2022-01-01"}],"disposition":"exempted","decided_on":"2023-01-01"}`, "person"},
		"birth in future":     {strings.Replace(ok, `"birth_date":"2005-06-10"`, `"birth_date":"2099-01-01"`, 1), "person.birth_date"},
		"months missing":      {strings.Replace(ok, `,"months":24`, ``, 1), "penalty.months"},
		"R29 suspended 4y":    {strings.Replace(ok, `"months":24`, `"months":48`, 1), "penalty.suspended"},
		"bad id type":         {strings.Replace(ok, `"resident_id"`, `"library_card"`, 1), "person.id_type"},
		"effective before":    {strings.Replace(ok, `"decided_on":"2023-01-01"`, `"decided_on":"2023-01-01","effective_on":"2022-12-01"`, 1), "effective_on"},
		"holder not a number": {strings.Replace(ok, `"decided_on"`, `"holders":["court"],"decided_on"`, 1), "holders[0]"},
		"too deep":            {strings.Repeat("[", 40), "body"},
	} {
		_, fe := DecodeIngestLine([]byte(tc.line), today)
		if _, has := fe[tc.field]; !has {
			t.Errorf("%s: errors %v, want %s", name, fe, tc.field)
		}
	}
}

// FuzzDecodeIngestLine: any line is either rejected with field errors or
// decoded into a record whose facts pass the domain's validation and whose
// person's document parses.
func FuzzDecodeIngestLine(f *testing.F) {
	today := portal.Date{Year: 2026, Month: 3, Day: 10}
	f.Add(ingestLine("F-1", 1, `"acts":[{"date":"2022-01-01","main":true}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":24}`, `"decided_on":"2023-01-01"`, `"holders":[2,3]`))
	f.Add(`{"record_id":"x","person":{"name":"a","id_type":"passport","id_number":"E1234567","country":"GBR","birth_date":"2005-06-10"},"acts":[{"date":"2022-01-01"}],"disposition":"pending"}`)
	f.Add(`{"record_id":null,"person":[],"acts":{}}`)
	f.Fuzz(func(t *testing.T, line string) {
		r, fe := DecodeIngestLine([]byte(line), today)
		if len(fe) > 0 {
			return
		}
		if err := r.Facts.Validate(today); err != nil {
			t.Fatalf("accepted facts that do not validate: %v", err)
		}
		if _, err := portal.ParseIdentityDocument(r.Person.DocType, r.Person.IDNumber, r.Person.DocCountry); err != nil || r.RecordID == "" || r.Person.Name == "" {
			t.Fatalf("accepted a record without a valid person or id: %+v %v", r, err)
		}
	})
}
