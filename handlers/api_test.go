package handlers

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
	"sealportal/views"
)

// The JSON API, through the real router over a real store. Today is
// testEpoch (10 March 2026).

// chkAPIResponse is a decoded API answer.
type chkAPIResponse struct {
	status int
	header http.Header
	raw    string
	// 200
	Outcome string            `json:"outcome"`
	Rules   []string          `json:"rules"`
	Reason  map[string]string `json:"reason"`
	// 4xx
	Error *struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

// chkPost sends one request to the router. header pairs are added after the
// JSON content type (which an empty "Content-Type" pair removes).
func chkPost(t testing.TB, e *echo.Echo, path, body string, header ...string) chkAPIResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	r := chkAPIResponse{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("%s: answer is not JSON (%d): %v\n%s", path, rec.Code, err, rec.Body.String())
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", path, got)
	}
	if rec.Code >= 500 {
		t.Errorf("%s: status %d", path, rec.Code)
	}
	if rec.Code != http.StatusOK && (r.Error == nil || r.Error.Code == "" || r.Error.Fields == nil) {
		t.Errorf("%s: status %d without the error envelope: %s", path, rec.Code, rec.Body.String())
	}
	return r
}

// chkFacts builds an eligibility request body.
func chkFacts(birth string, acts []string, main int, disposition string, penalty string) string {
	var b strings.Builder
	b.WriteString(`{"birth_date":"` + birth + `","acts":[`)
	for i, a := range acts {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"date":"` + a + `"`)
		if i == main {
			b.WriteString(`,"main":true`)
		}
		b.WriteString("}")
	}
	b.WriteString(`],"disposition":"` + disposition + `"`)
	if penalty != "" {
		b.WriteString(`,"penalty":` + penalty)
	}
	return b.String() + "}"
}

func TestEligibilityAPIAcceptance(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	const birth = "2005-06-10" // 18th birthday 2023-06-10
	one := func(act string) []string { return []string{act} }
	term := func(months, days int, suspended bool) string {
		return `{"kind":"fixed_term","months":` + strconv.Itoa(months) + `,"days":` + strconv.Itoa(days) + `,"suspended":` + strconv.FormatBool(suspended) + `}`
	}
	kind := func(k string) string { return `{"kind":"` + k + `"}` }
	cases := []struct {
		name    string
		body    string
		outcome portal.Outcome
		rules   []string
	}{
		{"18th birthday itself is under 18", chkFacts(birth, one("2023-06-10"), 0, "sentenced", term(36, 0, false)), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"day after the 18th birthday", chkFacts(birth, one("2023-06-11"), 0, "sentenced", term(36, 0, false)), portal.OutcomeNotEligible, []string{"R1", "R6"}},
		{"29 Feb birthday: 1 March in a common year is still under 18", chkFacts("2004-02-29", one("2022-03-01"), 0, "sentenced", term(12, 0, false)), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"29 Feb birthday: 2 March is adult", chkFacts("2004-02-29", one("2022-03-02"), 0, "sentenced", term(12, 0, false)), portal.OutcomeNotEligible, []string{"R1", "R6"}},
		{"exactly 60 months", chkFacts(birth, one("2022-01-01"), 0, "sentenced", term(60, 0, false)), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"60 months and one day", chkFacts(birth, one("2022-01-01"), 0, "sentenced", term(60, 1, false)), portal.OutcomeNotEligible, []string{"R1", "R2"}},
		{"61 months", chkFacts(birth, one("2022-01-01"), 0, "sentenced", term(61, 0, false)), portal.OutcomeNotEligible, []string{"R1", "R2"}},
		{"suspended", chkFacts(birth, one("2022-01-01"), 0, "sentenced", term(36, 0, true)), portal.OutcomeSeal, []string{"R1", "R2", "R3"}},
		{"detention", chkFacts(birth, one("2022-01-01"), 0, "sentenced", `{"kind":"criminal_detention","months":4}`), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"suspended detention", chkFacts(birth, one("2022-01-01"), 0, "sentenced", `{"kind":"criminal_detention","months":4,"suspended":true}`), portal.OutcomeSeal, []string{"R1", "R2", "R3"}},
		{"surveillance", chkFacts(birth, one("2022-01-01"), 0, "sentenced", kind("public_surveillance")), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"fine only", chkFacts(birth, one("2022-01-01"), 0, "sentenced", kind("fine_only")), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"political rights only", chkFacts(birth, one("2022-01-01"), 0, "sentenced", kind("deprivation_of_political_rights")), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"life", chkFacts(birth, one("2022-01-01"), 0, "sentenced", kind("life")), portal.OutcomeNotEligible, []string{"R1", "R2"}},
		{"exemption", chkFacts(birth, one("2022-01-01"), 0, "exempted", ""), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"straddling, main before 18", chkFacts(birth, []string{"2023-05-01", "2023-08-01"}, 0, "sentenced", term(24, 0, false)), portal.OutcomeSeal, []string{"R1", "R5", "R2"}},
		{"straddling, main after 18", chkFacts(birth, []string{"2023-05-01", "2023-08-01"}, 1, "sentenced", term(24, 0, false)), portal.OutcomeNotEligible, []string{"R1", "R5"}},
		{"straddling, main not known", chkFacts(birth, []string{"2023-05-01", "2023-08-01"}, -1, "sentenced", term(24, 0, false)), portal.OutcomeReview, []string{"R1", "R5"}},
		{"straddling, main on the birthday", chkFacts(birth, []string{"2023-06-10", "2023-08-01"}, 0, "not_prosecuted", ""), portal.OutcomeSeal, []string{"R1", "R5", "R8"}},
		{"not prosecuted", chkFacts(birth, one("2022-01-01"), 0, "not_prosecuted", ""), portal.OutcomeSeal, []string{"R1", "R8"}},
		{"conditional non-prosecution completed", chkFacts(birth, one("2022-01-01"), 0, "conditional_non_prosecution_completed", ""), portal.OutcomeSeal, []string{"R1", "R8"}},
		{"acquitted for insufficient evidence", chkFacts(birth, one("2022-01-01"), 0, "acquitted_insufficient_evidence", ""), portal.OutcomeSeal, []string{"R1", "R10"}},
		{"no criminal liability", chkFacts(birth, one("2018-01-01"), 0, "no_criminal_liability", ""), portal.OutcomeSeal, []string{"R1", "R9"}},
		{"case withdrawn", chkFacts(birth, one("2022-01-01"), 0, "case_withdrawn", ""), portal.OutcomeSeal, []string{"R1", "R9"}},
		{"pending", chkFacts(birth, one("2022-01-01"), 0, "pending", ""), portal.OutcomeNotYet, []string{"R1", "R12"}},
		{"pending, but every act adult", chkFacts(birth, one("2024-01-01"), 0, "pending", ""), portal.OutcomeNotEligible, []string{"R1", "R6"}},
		{"null penalty without a sentence", chkFacts(birth, one("2022-01-01"), 0, "exempted", "null"), portal.OutcomeSeal, []string{"R1", "R2"}},
		{"act today", chkFacts("2010-03-10", one("2026-03-10"), 0, "pending", ""), portal.OutcomeNotYet, []string{"R1", "R12"}},
		// Issue 12: the new values, the contract otherwise unchanged.
		{"R27 two main acts before 18", `{"birth_date":"2005-06-10","acts":[{"date":"2022-01-01","main":true},{"date":"2023-05-01","main":true},{"date":"2023-08-01"}],"disposition":"exempted"}`, portal.OutcomeSeal, []string{"R1", "R5", "R2"}},
		{"R27 main acts on both sides of 18", `{"birth_date":"2005-06-10","acts":[{"date":"2022-01-01","main":true},{"date":"2023-08-01","main":true}],"disposition":"exempted"}`, portal.OutcomeReview, []string{"R1", "R5", "R27"}},
		{"R27 acquittal on both sides of 18", chkFacts(birth, []string{"2023-05-01", "2023-08-01"}, -1, "acquitted_insufficient_evidence", ""), portal.OutcomeReview, []string{"R1", "R5", "R10", "R27"}},
		{"R27 no main act, over five years", chkFacts(birth, []string{"2023-05-01", "2023-08-01"}, -1, "sentenced", term(72, 0, false)), portal.OutcomeNotEligible, []string{"R1", "R5", "R27", "R2"}},
		{"R28 administrative penalty", chkFacts(birth, one("2022-01-01"), 0, "administrative_penalty", ""), portal.OutcomeSeal, []string{"R1", "R28"}},
		{"R28 specialised correctional education", chkFacts(birth, one("2022-01-01"), 0, "specialised_correctional_education", ""), portal.OutcomeSeal, []string{"R1", "R28"}},
		{"R28 deportation alone", chkFacts(birth, one("2022-01-01"), 0, "sentenced", kind("deportation")), portal.OutcomeSeal, []string{"R1", "R2", "R28"}},
		{"R29 one crime of 15 years", chkFacts(birth, one("2022-01-01"), 0, "sentenced", `{"kind":"fixed_term","months":180,"combined":false}`), portal.OutcomeNotEligible, []string{"R1", "R2"}},
		{"R29 combined term of 25 years", chkFacts(birth, one("2022-01-01"), 0, "sentenced", `{"kind":"fixed_term","months":300,"combined":true}`), portal.OutcomeNotEligible, []string{"R1", "R2"}},
		{"R32 intents on acts", `{"birth_date":"2005-06-10","acts":[{"date":"2022-01-01","intent":"intentional"},{"date":"2022-02-01","intent":"negligent"}],"disposition":"not_prosecuted"}`, portal.OutcomeSeal, []string{"R1", "R8"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := chkPost(t, ts.echo, "/api/v1/eligibility", tc.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if r.Outcome != string(tc.outcome) || !slices.Equal(r.Rules, tc.rules) {
				t.Errorf("got %s %v, want %s %v", r.Outcome, r.Rules, tc.outcome, tc.rules)
			}
			if r.Reason["zh"] == "" || r.Reason["en"] == "" || r.Reason["zh"] == r.Reason["en"] {
				t.Errorf("reason not in both languages: %v", r.Reason)
			}
			if strings.Contains(r.raw, "eligibility.reason") {
				t.Errorf("untranslated key in %s", r.raw)
			}
		})
	}
}

func TestUnsealingAPIAcceptance(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ev := func(kind, act string, months, days int) string {
		s := `{"birth_date":"2005-06-10","event":{"kind":"` + kind + `"`
		if act != "" {
			s += `,"act_date":"` + act + `"`
		}
		return s + `,"combined_months":` + strconv.Itoa(months) + `,"combined_days":` + strconv.Itoa(days) + `}}`
	}
	comb := func(body string) string { return strings.Replace(body, `"event":{`, `"event":{"combined":true,`, 1) }
	cases := []struct {
		name    string
		body    string
		outcome portal.Outcome
		rules   []string
	}{
		{"new crime, over 60 months", ev("new_crime", "2022-05-01", 61, 0), portal.OutcomeUnseal, []string{"R1", "R4", "R18"}},
		{"new crime, 60 months and a day", ev("new_crime", "2022-05-01", 60, 1), portal.OutcomeUnseal, []string{"R1", "R4", "R18"}},
		{"new crime, exactly 60 months", ev("new_crime", "2022-05-01", 60, 0), portal.OutcomeReview, []string{"R1", "R4", "R18"}},
		{"new crime, under 60 months", ev("new_crime", "2022-05-01", 59, 30), portal.OutcomeStaysSealed, []string{"R1", "R4", "R18"}},
		{"new crime on the 18th birthday", ev("new_crime", "2023-06-10", 84, 0), portal.OutcomeUnseal, []string{"R1", "R4", "R18"}},
		{"new crime the day after the 18th birthday", ev("new_crime", "2023-06-11", 84, 0), portal.OutcomeStaysSealed, []string{"R1", "R19"}},
		{"undiscovered crime, over", ev("undiscovered_crime", "2021-01-01", 72, 0), portal.OutcomeUnseal, []string{"R1", "R4", "R18"}},
		{"undiscovered crime, exactly", ev("undiscovered_crime", "2021-01-01", 60, 0), portal.OutcomeReview, []string{"R1", "R4", "R18"}},
		{"retrial over, no date", ev("retrial", "", 84, 0), portal.OutcomeUnseal, []string{"R18"}},
		{"retrial exactly", ev("retrial", "", 60, 0), portal.OutcomeReview, []string{"R18"}},
		{"retrial under", ev("retrial", "", 36, 0), portal.OutcomeStaysSealed, []string{"R18"}},
		{"adult crime", `{"birth_date":"2005-06-10","event":{"kind":"adult_crime","act_date":"2025-01-01"}}`, portal.OutcomeStaysSealed, []string{"R19"}},
		{"adult crime with a long term", ev("adult_crime", "2025-01-01", 120, 0), portal.OutcomeStaysSealed, []string{"R19"}},
		// Issue 12: the optional "combined" and a retrial's act date.
		{"R19 adult crime combined over 60 months", comb(ev("adult_crime", "2025-01-01", 72, 0)), portal.OutcomeReview, []string{"R19", "R4"}},
		{"R19 adult crime combined exactly 60 months", comb(ev("adult_crime", "2025-01-01", 60, 0)), portal.OutcomeReview, []string{"R19", "R4", "R18"}},
		{"R19 adult crime combined under", comb(ev("adult_crime", "2025-01-01", 36, 0)), portal.OutcomeStaysSealed, []string{"R19", "R4"}},
		{"R19 adult crime explicitly not combined", `{"birth_date":"2005-06-10","event":{"kind":"adult_crime","act_date":"2025-01-01","combined":false,"combined_months":120}}`, portal.OutcomeStaysSealed, []string{"R19"}},
		{"R19 undiscovered crime as an adult, combined over", comb(ev("undiscovered_crime", "2024-01-01", 61, 0)), portal.OutcomeReview, []string{"R1", "R19", "R4"}},
		{"R18 retrial finds the act after 18", ev("retrial", "2023-06-11", 36, 0), portal.OutcomeReview, []string{"R1", "R18"}},
		{"R18 retrial finds the act before 18, exactly 60", ev("retrial", "2023-06-10", 60, 0), portal.OutcomeReview, []string{"R18"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := chkPost(t, ts.echo, "/api/v1/unsealing-check", tc.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if r.Outcome != string(tc.outcome) || !slices.Equal(r.Rules, tc.rules) {
				t.Errorf("got %s %v, want %s %v", r.Outcome, r.Rules, tc.outcome, tc.rules)
			}
			if r.Reason["zh"] == "" || r.Reason["en"] == "" {
				t.Errorf("reason not in both languages: %v", r.Reason)
			}
		})
	}
}

// Every class of bad request is a 4xx in the one envelope, naming the fields.
func TestAPIErrors(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	good := chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":36}`)
	deep := strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200)
	cases := []struct {
		name   string
		path   string
		body   string
		header []string
		status int
		code   string
		fields []string // each must be in "fields"
	}{
		{"future birth date", "/api/v1/eligibility", chkFacts("2027-01-01", []string{"2022-01-01"}, 0, "exempted", ""), nil, 400, "invalid", []string{"birth_date"}},
		{"future act", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2026-03-11"}, 0, "exempted", ""), nil, 400, "invalid", []string{"acts[0].date"}},
		{"act before birth", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01", "2005-06-09"}, 0, "exempted", ""), nil, 400, "invalid", []string{"acts[1].date"}},
		{"impossible date", "/api/v1/eligibility", chkFacts("2005-02-30", []string{"2022-01-01"}, 0, "exempted", ""), nil, 400, "invalid", []string{"birth_date"}},
		{"date not YYYY-MM-DD", "/api/v1/eligibility", chkFacts("2005/06/10", []string{"2022-1-1"}, 0, "exempted", ""), nil, 400, "invalid", []string{"birth_date", "acts[0].date"}},
		{"months over 300", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":301}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"months negative", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":-1}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"days over 30", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":3,"days":31}`), nil, 400, "invalid", []string{"penalty.days"}},
		{"zero prison term", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":0,"days":0}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"unknown disposition", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "convicted", ""), nil, 400, "invalid", []string{"disposition"}},
		{"unknown penalty kind", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"caning"}`), nil, 400, "invalid", []string{"penalty.kind"}},
		{"suspended surveillance", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"public_surveillance","suspended":true}`), nil, 400, "invalid", []string{"penalty.kind"}},
		{"penalty without a sentence", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "exempted", `{"kind":"fine_only"}`), nil, 400, "invalid", []string{"penalty"}},
		{"sentence without a penalty", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", ""), nil, 400, "invalid", []string{"penalty"}},
		{"prison term without months", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term"}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"R29 suspended over three years", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":48,"suspended":true}`), nil, 400, "invalid", []string{"penalty.suspended"}},
		{"R29 suspended deportation", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"deportation","suspended":true}`), nil, 400, "invalid", []string{"penalty.kind"}},
		{"R29 penalty for an act before 12", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2017-06-09"}, 0, "sentenced", `{"kind":"fine_only"}`), nil, 400, "invalid", []string{"acts[0].date"}},
		{"R29 detention of 7 months for one crime", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"criminal_detention","months":7,"combined":false}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"R29 surveillance of 37 months", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"public_surveillance","months":37}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"R29 prison term of 5 months", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":5}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"R29 combined of the wrong type", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":36,"combined":"yes"}`), nil, 400, "invalid", []string{"penalty.combined"}},
		{"R32 unknown intent", "/api/v1/eligibility", `{"birth_date":"2005-06-10","acts":[{"date":"2022-01-01","intent":"reckless"}],"disposition":"exempted"}`, nil, 400, "invalid", []string{"acts[0].intent"}},
		{"R19 combined adult crime needs its term", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10","event":{"kind":"adult_crime","act_date":"2025-01-01","combined":true}}`, nil, 400, "invalid", []string{"event.combined_months"}},
		{"a retrial is not combined", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10","event":{"kind":"retrial","combined":true,"combined_months":72}}`, nil, 400, "invalid", []string{"event.combined"}},
		{"missing everything", "/api/v1/eligibility", `{}`, nil, 400, "invalid", []string{"birth_date", "acts", "disposition"}},
		{"null body", "/api/v1/eligibility", `null`, nil, 400, "invalid", []string{"birth_date", "acts", "disposition"}},
		{"empty acts", "/api/v1/eligibility", `{"birth_date":"2005-06-10","acts":[],"disposition":"exempted"}`, nil, 400, "invalid", []string{"acts"}},
		{"act without a date", "/api/v1/eligibility", `{"birth_date":"2005-06-10","acts":[{"main":true}],"disposition":"exempted"}`, nil, 400, "invalid", []string{"acts[0].date"}},
		{"null act", "/api/v1/eligibility", `{"birth_date":"2005-06-10","acts":[null],"disposition":"exempted"}`, nil, 400, "invalid", []string{"acts[0].date"}},
		{"too many acts", "/api/v1/eligibility", `{"birth_date":"2005-06-10","acts":[` + strings.Repeat(`{"date":"2022-01-01"},`, 60) + `{"date":"2022-01-01"}],"disposition":"exempted"}`, nil, 400, "invalid", []string{"acts"}},
		{"months as a string", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":"36"}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"months as a fraction", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":36.5}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"months too big for an int", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `{"kind":"fixed_term","months":1e40}`), nil, 400, "invalid", []string{"penalty.months"}},
		{"main as a string", "/api/v1/eligibility", `{"birth_date":"2005-06-10","acts":[{"date":"2022-01-01","main":"yes"}],"disposition":"exempted"}`, nil, 400, "invalid", []string{"acts[0].main"}},
		{"acts as an object", "/api/v1/eligibility", `{"birth_date":"2005-06-10","acts":{"date":"2022-01-01"},"disposition":"exempted"}`, nil, 400, "invalid", []string{"acts"}},
		{"birth date as a number", "/api/v1/eligibility", `{"birth_date":20050610,"acts":[{"date":"2022-01-01"}],"disposition":"exempted"}`, nil, 400, "invalid", []string{"birth_date"}},
		{"penalty as a number", "/api/v1/eligibility", chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "sentenced", `5`), nil, 400, "invalid", []string{"penalty"}},
		{"unknown top-level field", "/api/v1/eligibility", strings.Replace(good, `{`, `{"name":"张三",`, 1), nil, 400, "invalid", []string{"name"}},
		{"unknown nested field", "/api/v1/eligibility", strings.Replace(good, `"months":36`, `"months":36,"probation":12`, 1), nil, 400, "invalid", []string{"penalty.probation"}},
		{"field in the wrong case", "/api/v1/eligibility", strings.Replace(good, `"birth_date"`, `"Birth_Date"`, 1), nil, 400, "invalid", []string{"Birth_Date", "birth_date"}},
		{"malformed JSON", "/api/v1/eligibility", `{"birth_date":"2005-06-10",`, nil, 400, "invalid", []string{"body"}},
		{"trailing data", "/api/v1/eligibility", good + ` {}`, nil, 400, "invalid", []string{"body"}},
		{"empty body", "/api/v1/eligibility", ``, nil, 400, "invalid", []string{"body"}},
		{"not JSON at all", "/api/v1/eligibility", `birth_date=2005-06-10`, nil, 400, "invalid", []string{"body"}},
		{"a list, not an object", "/api/v1/eligibility", `[1,2]`, nil, 400, "invalid", []string{"body"}},
		{"deep nesting", "/api/v1/eligibility", deep, nil, 400, "invalid", []string{"body"}},
		{"deep nesting in a string is fine but unknown", "/api/v1/eligibility", `{"x":"` + strings.Repeat("[", 1000) + `"}`, nil, 400, "invalid", []string{"x"}},
		{"wrong content type", "/api/v1/eligibility", good, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", nil},
		{"form content type", "/api/v1/eligibility", good, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", nil},
		{"no content type", "/api/v1/eligibility", good, []string{"Content-Type", ""}, 415, "unsupported_media_type", nil},
		{"another charset", "/api/v1/eligibility", good, []string{"Content-Type", "application/json; charset=gbk"}, 415, "unsupported_media_type", nil},
		{"oversized body", "/api/v1/eligibility", `{"birth_date":"` + strings.Repeat("9", 70<<10) + `"}`, nil, 413, "too_large", nil},
		{"unsealing: missing event", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10"}`, nil, 400, "invalid", []string{"event"}},
		{"unsealing: unknown kind", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10","event":{"kind":"pardon","act_date":"2022-01-01","combined_months":70}}`, nil, 400, "invalid", []string{"event.kind"}},
		{"unsealing: no term", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10","event":{"kind":"new_crime","act_date":"2022-01-01"}}`, nil, 400, "invalid", []string{"event.combined_months"}},
		{"unsealing: months out of range", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10","event":{"kind":"new_crime","act_date":"2022-01-01","combined_months":400}}`, nil, 400, "invalid", []string{"event.combined_months"}},
		{"unsealing: adult crime under 18", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10","event":{"kind":"adult_crime","act_date":"2023-06-10"}}`, nil, 400, "invalid", []string{"event.act_date"}},
		{"unsealing: future act", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10","event":{"kind":"new_crime","act_date":"2027-01-01","combined_months":70}}`, nil, 400, "invalid", []string{"event.act_date"}},
		{"unsealing: future birth", "/api/v1/unsealing-check", `{"birth_date":"2030-06-10"}`, nil, 400, "invalid", []string{"birth_date", "event"}},
		{"unsealing: unknown field", "/api/v1/unsealing-check", `{"birth_date":"2005-06-10","event":{"kind":"retrial","combined_months":70,"court":"x"}}`, nil, 400, "invalid", []string{"event.court"}},
		{"unsealing: malformed", "/api/v1/unsealing-check", `{"event":`, nil, 400, "invalid", []string{"body"}},
		{"unsealing: deep", "/api/v1/unsealing-check", strings.Repeat("[", 5000), nil, 400, "invalid", []string{"body"}},
		{"unsealing: wrong content type", "/api/v1/unsealing-check", `{}`, []string{"Content-Type", "text/json"}, 415, "unsupported_media_type", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := chkPost(t, ts.echo, tc.path, tc.body, tc.header...)
			if r.status != tc.status || r.Error == nil || r.Error.Code != tc.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.raw, tc.status, tc.code)
			}
			for _, f := range tc.fields {
				if r.Error.Fields[f] == "" {
					t.Errorf("no message for %s in %v", f, r.Error.Fields)
				}
			}
			for f, msg := range r.Error.Fields {
				if strings.HasPrefix(msg, "check.") || strings.HasPrefix(msg, "eligibility.") || strings.HasPrefix(msg, "unsealing.") {
					t.Errorf("untranslated message for %s: %s", f, msg)
				}
			}
			if r.Error.Message == "" || r.Error.RequestID == "" {
				t.Errorf("envelope without message or request id: %s", r.raw)
			}
		})
	}
}

// Field messages follow Accept-Language, Chinese by default; the lang
// cookie is not read.
func TestAPIErrorLanguage(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	body := chkFacts("2027-01-01", []string{"2022-01-01"}, 0, "exempted", "")
	zh := views.Translate(views.LangZH, "eligibility.birth_date_future")
	en := views.Translate(views.LangEN, "eligibility.birth_date_future")
	for _, tc := range []struct {
		header []string
		want   string
	}{
		{nil, zh},
		{[]string{"Accept-Language", "en-GB,en;q=0.9"}, en},
		{[]string{"Accept-Language", "fr-FR"}, zh},
		{[]string{"Accept-Language", "en;q=0.5,zh-CN"}, zh},
		{[]string{"Cookie", "lang=en"}, zh},
	} {
		r := chkPost(t, ts.echo, "/api/v1/eligibility", body, tc.header...)
		if got := r.Error.Fields["birth_date"]; got != tc.want {
			t.Errorf("%v: birth_date message %q, want %q", tc.header, got, tc.want)
		}
	}
}

// The API is public and CSRF-exempt: no token, no session, no cookie needed.
func TestAPINeedsNoCookieOrToken(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	req, _ := http.NewRequest(http.MethodPost, ts.srv.URL+"/api/v1/eligibility",
		strings.NewReader(chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "exempted", "")))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// One address gets apiRatePerMinute requests at once; the next is 429 with
// the envelope, and another address is not affected.
func TestAPIRateLimit(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	body := chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "exempted", "")
	send := func(addr string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/unsealing-check", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		ts.echo.ServeHTTP(rec, req)
		return rec
	}
	// Tokens come back at apiRatePerMinute/60 a second, so count the requests
	// let through before the first refusal rather than expect an exact one.
	passed := 0
	var rec *httptest.ResponseRecorder
	for range 2 * apiRatePerMinute {
		if rec = send("198.51.100.7:4000"); rec.Code == http.StatusTooManyRequests {
			break
		}
		passed++
	}
	if passed < apiRatePerMinute || rec.Code != http.StatusTooManyRequests {
		t.Fatalf("%d requests passed before the limit, want %d", passed, apiRatePerMinute)
	}
	if rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"code":"rate_limited"`) || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("over the limit: %d %v %s", rec.Code, rec.Header(), rec.Body.String())
	}
	if rec := send("198.51.100.8:4000"); rec.Code == http.StatusTooManyRequests {
		t.Fatal("another address was limited")
	}
	// X-Forwarded-For is not believed from an untrusted peer.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/eligibility", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	req.RemoteAddr = "198.51.100.7:4002"
	rec = httptest.NewRecorder()
	ts.echo.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("spoofed X-Forwarded-For escaped the limit: %d", rec.Code)
	}
}

// chkFuzzToday is the date the fuzz targets decide against.
var chkFuzzToday = portal.Date{Year: 2026, Month: time.March, Day: 10}

func chkFuzzCheck(t *testing.T, aerr *apiError) {
	t.Helper()
	if aerr.Status < 400 || aerr.Status >= 500 || aerr.Code == "" || len(aerr.Fields) == 0 || len(aerr.Fields) > apiMaxFields {
		t.Fatalf("bad error %+v", aerr)
	}
	for f, key := range aerr.Fields {
		if !views.HasMessage(key) {
			t.Fatalf("field %q: key %q has no message", f, key)
		}
	}
}

func FuzzEligibilityAPI(f *testing.F) {
	for _, s := range []string{
		chkFacts("2005-06-10", []string{"2023-06-10"}, 0, "sentenced", `{"kind":"fixed_term","months":60,"days":0,"suspended":false}`),
		chkFacts("2004-02-29", []string{"2022-03-01", "2022-03-02"}, 1, "sentenced", `{"kind":"criminal_detention"}`),
		chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "pending", ""),
		`{"birth_date":"2005-06-10","acts":[{"date":"2022-01-01","main":true,"intent":"negligent"},{"date":"2023-08-01","main":true,"intent":"intentional"}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":180,"combined":false}}`,
		`{"birth_date":"2005-06-10","acts":[{"date":"2017-01-01"}],"disposition":"sentenced","penalty":{"kind":"deportation","suspended":true}}`,
		chkFacts("2005-06-10", []string{"2022-01-01"}, 0, "administrative_penalty", ""),
		chkFacts("2005-06-10", []string{"2022-01-01", "2024-01-01"}, -1, "acquitted_insufficient_evidence", ""),
		`{"birth_date":"2005-06-10","acts":[null,{"date":7}],"penalty":{"months":"x"}}`,
		`{}`, `null`, `[]`, `"x"`, `{"acts":{}}`, `{"a":` + strings.Repeat("[", 40), ``, "\xff", `{"birth_date":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		facts, aerr := decodeEligibility(body, chkFuzzToday)
		if aerr != nil {
			chkFuzzCheck(t, aerr)
			return
		}
		if err := facts.Validate(chkFuzzToday); err != nil {
			t.Fatalf("accepted facts that do not validate: %v", err)
		}
		d := portal.EvaluateEligibility(facts)
		switch d.Outcome {
		case portal.OutcomeSeal, portal.OutcomeNotEligible, portal.OutcomeReview, portal.OutcomeNotYet:
		default:
			t.Fatalf("outcome %q", d.Outcome)
		}
		if !views.HasMessage(d.ReasonKey) {
			t.Fatalf("reason %q has no message", d.ReasonKey)
		}
	})
}

func FuzzUnsealingAPI(f *testing.F) {
	for _, s := range []string{
		`{"birth_date":"2005-06-10","event":{"kind":"new_crime","act_date":"2022-05-01","combined_months":60,"combined_days":0}}`,
		`{"birth_date":"2005-06-10","event":{"kind":"retrial","combined_months":61}}`,
		`{"birth_date":"2005-06-10","event":{"kind":"adult_crime","act_date":"2025-01-01"}}`,
		`{"birth_date":"2005-06-10","event":{"kind":"adult_crime","act_date":"2025-01-01","combined":true,"combined_months":60}}`,
		`{"birth_date":"2005-06-10","event":{"kind":"retrial","act_date":"2024-01-01","combined":true,"combined_months":61}}`,
		`{"birth_date":"2005-06-10","event":null}`, `{"event":[]}`, `{}`, `[`, `{"event":{"kind":1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		birth, ev, aerr := decodeUnsealing(body, chkFuzzToday)
		if aerr != nil {
			chkFuzzCheck(t, aerr)
			return
		}
		if err := ev.Validate(birth, chkFuzzToday); err != nil {
			t.Fatalf("accepted an event that does not validate: %v", err)
		}
		d := portal.EvaluateUnsealing(birth, ev)
		switch d.Outcome {
		case portal.OutcomeUnseal, portal.OutcomeStaysSealed, portal.OutcomeReview:
		default:
			t.Fatalf("outcome %q", d.Outcome)
		}
	})
}

// BenchmarkEligibilityAPI is one request through the router and its
// middleware. The client address changes every 100 requests so that the
// rate limit is not what is measured.
func BenchmarkEligibilityAPI(b *testing.B) {
	db, err := store.Open(enginetest.Location(b, filepath.Join(b.TempDir(), "portal.db")), store.Options{Keys: store.NewTestKeys()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	e, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hasher: testHasher,
		Clock: func() time.Time { return testEpoch }}, db)
	if err != nil {
		b.Fatal(err)
	}
	body := chkFacts("2005-06-10", []string{"2023-05-01", "2023-08-01"}, 0, "sentenced", `{"kind":"fixed_term","months":36,"days":0,"suspended":true}`)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/eligibility", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "10.0." + strconv.Itoa(i/100/250%250) + "." + strconv.Itoa(i/100%250) + ":1234"
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		i++
	}
}
