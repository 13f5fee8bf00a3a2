package handlers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The OpenAPI 3.1 document of /api/v1 (openapi.json) is checked against the
// route table and against real answers: every /api/v1 route is described,
// every status a real request gets is listed for its operation, and each
// JSON answer matches its schema (types, required members, no undeclared
// member, enums).

type oaDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

type oaOperation struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

func loadOpenAPI(t *testing.T) oaDoc {
	t.Helper()
	var d oaDoc
	if err := json.Unmarshal(openAPIDoc(), &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if d.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", d.OpenAPI)
	}
	return d
}

var oaParamRE = regexp.MustCompile(`:([a-z_]+)`)

func oaPath(routePath string) string { return oaParamRE.ReplaceAllString(routePath, "{$1}") }

// TestOpenAPICoversRoutes: every /api/v1 route of routes() is in the
// document with its method, and the document describes nothing else.
func TestOpenAPICoversRoutes(t *testing.T) {
	d := loadOpenAPI(t)
	seen := map[string]bool{}
	for _, r := range routes() {
		if !strings.HasPrefix(r.path, "/api/v1/") {
			continue
		}
		p, m := oaPath(r.path), strings.ToLower(r.method)
		seen[m+" "+p] = true
		if _, ok := d.Paths[p][m]; !ok {
			t.Errorf("route %s %s is not in openapi.json", r.method, r.path)
		}
	}
	for p, ops := range d.Paths {
		for m := range ops {
			if m != "parameters" && !seen[m+" "+p] {
				t.Errorf("openapi.json describes %s %s, which is not a route", m, p)
			}
		}
	}
}

// oaCheck validates v against schema s, returning the problems.
func oaCheck(d oaDoc, s map[string]any, v any, at string) []string {
	if ref, ok := s["$ref"].(string); ok {
		return oaCheck(d, d.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")], v, at)
	}
	var out []string
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			out = append(out, oaCheck(d, sub.(map[string]any), v, at)...)
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		out = append(out, fmt.Sprintf("%s: %v not in %v", at, v, enum))
	}
	switch s["type"] {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return append(out, fmt.Sprintf("%s: want an object, got %T", at, v))
		}
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := obj[r]; !ok {
				out = append(out, fmt.Sprintf("%s: required member %q missing", at, r))
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				out = append(out, oaCheck(d, ps, obj[k], at+"."+k)...)
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				out = append(out, oaCheck(d, ap, obj[k], at+"."+k)...)
			} else if s["additionalProperties"] == false {
				out = append(out, fmt.Sprintf("%s: member %q is not in the schema", at, k))
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return append(out, fmt.Sprintf("%s: want an array, got %T", at, v))
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range arr {
				out = append(out, oaCheck(d, items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case "string":
		if _, ok := v.(string); !ok {
			out = append(out, fmt.Sprintf("%s: want a string, got %T", at, v))
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			out = append(out, fmt.Sprintf("%s: want an integer, got %v", at, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			out = append(out, fmt.Sprintf("%s: want a boolean, got %T", at, v))
		}
	}
	return out
}

func asStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, e := range l {
			out = append(out, e.(string))
		}
	}
	return out
}

// TestOpenAPIMatchesAnswers sends real requests to every /api/v1 endpoint
// and checks each answer's status and body against the document.
func TestOpenAPIMatchesAnswers(t *testing.T) {
	d := loadOpenAPI(t)
	w := newIngestWorld(t)
	good := `{"birth_date":"2005-06-10","acts":[{"date":"2022-01-01","main":true}],"disposition":"exempted"}`
	record := ingestLine("OA-1", 1, `"acts":[{"date":"2022-01-01"}],"disposition":"exempted"`, `"decided_on":"2023-01-01"`)
	// A job with a rejected line, decided, for the job and errors answers.
	jobID := w.ingestSend(t, w.courtKey, []string{record, `{"record_id":1}`})
	type call struct {
		method, path, route, secret, ctype, body string
		status                                   int
	}
	calls := []call{
		{"POST", "/api/v1/eligibility", "/api/v1/eligibility", "", "application/json", good, 200},
		{"POST", "/api/v1/eligibility", "/api/v1/eligibility", "", "application/json", `{"birth_date":`, 400},
		{"POST", "/api/v1/eligibility", "/api/v1/eligibility", "", "text/plain", good, 415},
		{"POST", "/api/v1/eligibility", "/api/v1/eligibility", "", "application/json", `{"birth_date":"` + strings.Repeat("9", 70<<10) + `"}`, 413},
		{"POST", "/api/v1/unsealing-check", "/api/v1/unsealing-check", "", "application/json", `{"birth_date":"2005-06-10","event":{"kind":"adult_crime","act_date":"2025-01-01"}}`, 200},
		{"POST", "/api/v1/unsealing-check", "/api/v1/unsealing-check", "", "application/json", `{"birth_date":"2005-06-10"}`, 400},
		{"GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "", "", "", 200},
		{"POST", "/api/v1/organ/records", "/api/v1/organ/records", "", "application/x-ndjson", record, 401},
		{"POST", "/api/v1/organ/records", "/api/v1/organ/records", w.courtKey, "application/json", record, 415},
		{"POST", "/api/v1/organ/records", "/api/v1/organ/records", w.courtKey, "application/x-ndjson", record, 202},
		{"GET", "/api/v1/organ/jobs/" + jobID, "/api/v1/organ/jobs/{id}", w.courtKey, "", "", 200},
		{"GET", "/api/v1/organ/jobs/" + jobID, "/api/v1/organ/jobs/{id}", w.polKey, "", "", 404},
		{"GET", "/api/v1/organ/jobs/" + jobID, "/api/v1/organ/jobs/{id}", "sps_wrong", "", "", 401},
		{"GET", "/api/v1/organ/jobs/" + jobID + "/errors", "/api/v1/organ/jobs/{id}/errors", w.courtKey, "", "", 200},
		{"GET", "/api/v1/organ/jobs/" + jobID + "/errors", "/api/v1/organ/jobs/{id}/errors", w.polKey, "", "", 404},
		{"GET", "/api/v1/organ/jobs/" + jobID + "/errors", "/api/v1/organ/jobs/{id}/errors", "", "", "", 401},
	}
	for _, c := range calls {
		name := fmt.Sprintf("%s %s (%d)", c.method, c.path, c.status)
		if len(name) > 80 {
			name = name[:80]
		}
		rec := ingestDo(t, w.ts, c.method, c.path, c.secret, c.ctype, c.body)
		if rec.Code != c.status {
			t.Errorf("%s: answered %d %s", name, rec.Code, rec.Body)
			continue
		}
		var op oaOperation
		if err := json.Unmarshal(d.Paths[c.route][strings.ToLower(c.method)], &op); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		resp, ok := op.Responses[fmt.Sprint(rec.Code)]
		if !ok {
			t.Errorf("%s: status %d is not in the document", name, rec.Code)
			continue
		}
		ct := strings.TrimSpace(strings.Split(rec.Header().Get("Content-Type"), ";")[0])
		media, ok := resp.Content[ct]
		if !ok {
			t.Errorf("%s: content type %q is not in the document for %d", name, ct, rec.Code)
			continue
		}
		var bodies []any
		if ct == "application/x-ndjson" {
			sc := bufio.NewScanner(rec.Body)
			for sc.Scan() {
				var v any
				if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				bodies = append(bodies, v)
			}
			if len(bodies) == 0 {
				t.Errorf("%s: no lines", name)
			}
		} else {
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			bodies = append(bodies, v)
		}
		for _, v := range bodies {
			for _, p := range oaCheck(d, media.Schema, v, "body") {
				t.Errorf("%s: %s", name, p)
			}
		}
	}
	if t.Failed() {
		return
	}
	// The checker itself refuses what does not match.
	var op oaOperation
	_ = json.Unmarshal(d.Paths["/api/v1/organ/jobs/{id}"]["get"], &op)
	bad := map[string]any{"job_id": 1.0, "state": "lost", "counts": map[string]any{"received": 1.0}, "name": "张三"}
	if n := len(oaCheck(d, op.Responses["200"].Content["application/json"].Schema, bad, "body")); n < 4 {
		t.Errorf("the schema check found %d problems in a bad job answer, want at least 4", n)
	}

}
