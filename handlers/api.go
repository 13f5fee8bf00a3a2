package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// The public JSON API of the eligibility rules:
//
//	POST /api/v1/eligibility      facts of a case -> seal | not_eligible | review | not_yet
//	POST /api/v1/unsealing-check  a sealed case and a later event -> unseal | stays_sealed | review
//
// Optional fields added for the law's harder cases (issue 12), absent in
// older requests and meaning then what they always did: acts[i].intent
// ("intentional" | "negligent", R32); penalty.combined (false: one crime, so
// the single-crime maxima of CL arts. 38, 42, 45 apply, R29); event.combined
// (an adult's crime combined with the sealed sentence, CL arts. 69–71, 77,
// R19); for a retrial, event.act_date is the act date the retrial found (R18).
// New values: dispositions "administrative_penalty" and
// "specialised_correctional_education" and penalty kind "deportation" (R28).
//
// Answers: 200 {"outcome", "rules", "reason": {"zh", "en"}}; every failure is
// {"error": {"code", "message", "fields", "request_id"}} with a 4xx status:
// 400 invalid (malformed JSON, wrong types, unknown fields, nesting deeper
// than apiMaxDepth, impossible or missing values; "fields" maps each field —
// birth_date, acts[0].date, penalty.months, event.kind…, or "body" for the
// body as a whole — to a message), 413 too_large (over 64 KB), 415
// unsupported_media_type (Content-Type other than application/json), 429
// rate_limited (over apiRatePerMinute requests a minute from one address).
// Messages are in the language of Accept-Language (Chinese when it names
// neither Chinese nor English); the reason of a 200 is given in both. No
// cookie is read, nothing is stored, and answers are never cached.

const (
	apiMaxBody       = 64 << 10
	apiMaxDepth      = 16 // the contract needs 3; deeper is never a valid request
	apiMaxFields     = 100
	apiRatePerMinute = 120
)

// apiError is a failed request: its status, code and per-field message keys.
type apiError struct {
	Status int
	Code   string
	Key    string            // message key of the whole
	Fields map[string]string // field -> message key
}

func apiInvalid(fields map[string]string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid", Key: "check.api.invalid", Fields: fields}
}

// apiFields collects per-field message keys, the first problem of each field,
// at most apiMaxFields of them (a body of 20 000 bad acts gets a short answer).
type apiFields map[string]string

func (f apiFields) add(field, key string) {
	if _, ok := f[field]; ok || len(f) >= apiMaxFields {
		return
	}
	f[field] = key
}

// merge adds the domain's validation errors.
func (f apiFields) merge(err error) {
	if pe, ok := portal.AsError(err); ok {
		for field, key := range pe.Fields {
			f.add(field, key)
		}
	}
}

// The answers.
type apiDecision struct {
	Outcome string    `json:"outcome"`
	Rules   []string  `json:"rules"`
	Reason  apiReason `json:"reason"`
}

type apiReason struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

type apiErrorBody struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields"`
	RequestID string            `json:"request_id,omitempty"`
}

// handleAPIEligibility serves POST /api/v1/eligibility.
func (s *Server) handleAPIEligibility(c echo.Context) error {
	return s.serveAPI(c, func(body []byte, today portal.Date) (portal.Decision, *apiError) {
		f, aerr := decodeEligibility(body, today)
		if aerr != nil {
			return portal.Decision{}, aerr
		}
		return portal.EvaluateEligibility(f), nil
	})
}

// handleAPIUnsealing serves POST /api/v1/unsealing-check.
func (s *Server) handleAPIUnsealing(c echo.Context) error {
	return s.serveAPI(c, func(body []byte, today portal.Date) (portal.Decision, *apiError) {
		birth, ev, aerr := decodeUnsealing(body, today)
		if aerr != nil {
			return portal.Decision{}, aerr
		}
		return portal.EvaluateUnsealing(birth, ev), nil
	})
}

// serveAPI is what both endpoints share: rate limit, content type, size,
// then decide, and answer in the one envelope.
func (s *Server) serveAPI(c echo.Context, decide func([]byte, portal.Date) (portal.Decision, *apiError)) error {
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "no-store")
	lang := views.ParseLang(c.Request().Header.Get("Accept-Language"))
	h.Set("Content-Language", string(lang))
	if ok, _ := s.apiLimiter.Allow(c.RealIP()); !ok {
		h.Set("Retry-After", "1")
		return apiFail(c, lang, &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited", Key: "check.api.rate_limited"})
	}
	if !apiIsJSON(c.Request().Header.Get(echo.HeaderContentType)) {
		return apiFail(c, lang, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Key: "check.api.content_type"})
	}
	body, aerr := apiReadBody(c.Request())
	if aerr != nil {
		return apiFail(c, lang, aerr)
	}
	d, aerr := decide(body, portal.DateOf(s.cfg.Clock()))
	if aerr != nil {
		return apiFail(c, lang, aerr)
	}
	rules := d.Rules
	if rules == nil {
		rules = []string{}
	}
	return c.JSON(http.StatusOK, apiDecision{Outcome: string(d.Outcome), Rules: rules,
		Reason: apiReason{ZH: views.Translate(views.LangZH, d.ReasonKey), EN: views.Translate(views.LangEN, d.ReasonKey)}})
}

// apiFail writes the error envelope, messages in the reader's language.
func apiFail(c echo.Context, lang views.Lang, e *apiError) error {
	fields := make(map[string]string, len(e.Fields))
	for f, key := range e.Fields {
		fields[f] = views.Translate(lang, key)
	}
	return c.JSON(e.Status, apiErrorBody{Error: apiErrorDetail{Code: e.Code, Message: views.Translate(lang, e.Key),
		Fields: fields, RequestID: requestID(c)}})
}

// apiIsJSON accepts application/json, with no charset or UTF-8 (RFC 8259).
func apiIsJSON(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != echo.MIMEApplicationJSON {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// apiReadBody reads at most apiMaxBody bytes; more is 413.
func apiReadBody(r *http.Request) ([]byte, *apiError) {
	tooLarge := &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Key: "check.api.too_large"}
	if r.ContentLength > apiMaxBody {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, apiMaxBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, apiInvalid(map[string]string{"body": "check.api.malformed"})
	}
	if len(body) > apiMaxBody {
		return nil, tooLarge
	}
	return body, nil
}

// apiSyntax refuses what is not one well-formed JSON value, or is nested
// deeper than apiMaxDepth, before anything is decoded.
func apiSyntax(body []byte) *apiError {
	if apiTooDeep(body, apiMaxDepth) {
		return apiInvalid(map[string]string{"body": "check.api.too_deep"})
	}
	if !json.Valid(body) {
		return apiInvalid(map[string]string{"body": "check.api.malformed"})
	}
	return nil
}

// apiTooDeep reports whether brackets nest deeper than max (outside strings).
func apiTooDeep(b []byte, max int) bool {
	depth, inString, escaped := 0, false, false
	for _, ch := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
			continue
		}
		switch ch {
		case '"':
			inString = true
		case '[', '{':
			if depth++; depth > max {
				return true
			}
		case ']', '}':
			depth--
		}
	}
	return false
}

func apiIsNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// apiDecodeObject decodes a JSON object into targets by exact key: a key not
// in targets is refused (encoding/json alone would also accept "Birth_Date"),
// a value of the wrong type is refused with the expected type. prefix is the
// path of the object ("" at the top, "penalty.", "acts[2]."). A null or
// missing object decodes nothing and reports false.
func apiDecodeObject(raw json.RawMessage, prefix string, fe apiFields, targets map[string]any) bool {
	if apiIsNull(raw) {
		return false
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		name := strings.TrimSuffix(prefix, ".")
		if name == "" {
			name = "body"
		}
		fe.add(name, "check.api.type_object")
		return false
	}
	for k, v := range obj {
		t, ok := targets[k]
		if !ok {
			if len([]rune(k)) > 64 {
				k = string([]rune(k)[:64]) + "…"
			}
			fe.add(prefix+k, "check.api.field_unknown")
			continue
		}
		if err := json.Unmarshal(v, t); err != nil {
			fe.add(prefix+k, apiTypeKey(t))
		}
	}
	return true
}

func apiTypeKey(target any) string {
	switch target.(type) {
	case **int:
		return "check.api.type_integer"
	case **bool:
		return "check.api.type_bool"
	case *[]json.RawMessage:
		return "check.api.type_list"
	}
	return "check.api.type_string"
}

// apiDate reads a strict YYYY-MM-DD date; missing or "" is the zero date
// (the domain then says it is required).
func apiDate(s *string, field string, fe apiFields) portal.Date {
	if s == nil || *s == "" {
		return portal.Date{}
	}
	d, ok := portal.ParseDate(*s)
	if !ok || d.Year < 1900 {
		fe.add(field, "check.api.date_invalid")
		return portal.Date{}
	}
	return d
}

// Input-only request structs: pointers tell a missing field from a zero.
type eligibilityRequest struct {
	BirthDate   *string
	Acts        []actRequest
	Disposition *string
	Penalty     *penaltyRequest
}

type actRequest struct {
	Date   *string
	Main   *bool
	Intent *string // R32, optional: intentional | negligent
}

type penaltyRequest struct {
	Kind      *string
	Months    *int
	Days      *int
	Suspended *bool
	Combined  *bool // R29, optional: false = one crime (single-crime maxima)
}

// decodeEligibility turns a request body into validated facts, or the 400
// with every problem found. It is the fuzzed parser: any input gives facts
// that pass Validate, or a 4xx error.
func decodeEligibility(body []byte, today portal.Date) (portal.EligibilityFacts, *apiError) {
	if aerr := apiSyntax(body); aerr != nil {
		return portal.EligibilityFacts{}, aerr
	}
	fe := apiFields{}
	var req eligibilityRequest
	var acts []json.RawMessage
	var penalty json.RawMessage
	apiDecodeObject(body, "", fe, map[string]any{
		"birth_date": &req.BirthDate, "acts": &acts, "disposition": &req.Disposition, "penalty": &penalty})
	for i, raw := range acts {
		var a actRequest
		apiDecodeObject(raw, "acts["+strconv.Itoa(i)+"].", fe, map[string]any{"date": &a.Date, "main": &a.Main, "intent": &a.Intent})
		req.Acts = append(req.Acts, a)
	}
	if !apiIsNull(penalty) {
		req.Penalty = &penaltyRequest{}
		apiDecodeObject(penalty, "penalty.", fe, map[string]any{
			"kind": &req.Penalty.Kind, "months": &req.Penalty.Months, "days": &req.Penalty.Days, "suspended": &req.Penalty.Suspended,
			"combined": &req.Penalty.Combined})
	}

	var f portal.EligibilityFacts
	f.BirthDate = apiDate(req.BirthDate, "birth_date", fe)
	for i, a := range req.Acts {
		act := portal.Act{Date: apiDate(a.Date, "acts["+strconv.Itoa(i)+"].date", fe), Main: a.Main != nil && *a.Main}
		if a.Intent != nil {
			act.Intent = portal.Intent(*a.Intent)
		}
		f.Acts = append(f.Acts, act)
	}
	if req.Disposition != nil {
		f.Disposition = portal.Disposition(*req.Disposition)
	}
	if p := req.Penalty; p != nil {
		f.Penalty = &portal.Penalty{}
		if p.Kind != nil {
			f.Penalty.Kind = portal.PenaltyKind(*p.Kind)
		}
		if p.Months != nil {
			f.Penalty.Months = *p.Months
		} else if f.Penalty.Kind == portal.PenaltyFixedTerm && f.Disposition == portal.DispositionSentenced {
			// R2 compares the term: a prison term without one cannot be decided.
			fe.add("penalty.months", "check.api.required")
		}
		if p.Days != nil {
			f.Penalty.Days = *p.Days
		}
		if p.Suspended != nil {
			f.Penalty.Suspended = *p.Suspended
		}
		if p.Combined != nil {
			// R29: "combined": false says one crime was punished, so the
			// single-crime maxima apply; absent or true, the combined ones.
			f.Penalty.Single = !*p.Combined
		}
	}
	fe.merge(f.Validate(today))
	if len(fe) > 0 {
		return portal.EligibilityFacts{}, apiInvalid(fe)
	}
	return f, nil
}

type unsealingRequest struct {
	BirthDate *string
	Event     *unsealingEventRequest
}

type unsealingEventRequest struct {
	Kind           *string
	ActDate        *string
	CombinedMonths *int
	CombinedDays   *int
	Combined       *bool // R19, optional: an adult crime combined with the sealed sentence
}

// decodeUnsealing turns a request body into a birth date and a validated
// event, or the 400 with every problem found.
func decodeUnsealing(body []byte, today portal.Date) (portal.Date, portal.UnsealingEvent, *apiError) {
	if aerr := apiSyntax(body); aerr != nil {
		return portal.Date{}, portal.UnsealingEvent{}, aerr
	}
	fe := apiFields{}
	var req unsealingRequest
	var event json.RawMessage
	apiDecodeObject(body, "", fe, map[string]any{"birth_date": &req.BirthDate, "event": &event})
	if !apiIsNull(event) {
		req.Event = &unsealingEventRequest{}
		apiDecodeObject(event, "event.", fe, map[string]any{"kind": &req.Event.Kind, "act_date": &req.Event.ActDate,
			"combined_months": &req.Event.CombinedMonths, "combined_days": &req.Event.CombinedDays, "combined": &req.Event.Combined})
	}

	birth := apiDate(req.BirthDate, "birth_date", fe)
	var ev portal.UnsealingEvent
	if e := req.Event; e != nil {
		if e.Kind != nil {
			ev.Kind = portal.UnsealingKind(*e.Kind)
		}
		ev.ActDate = apiDate(e.ActDate, "event.act_date", fe)
		ev.Combined = e.Combined != nil && *e.Combined
		if e.CombinedMonths != nil {
			ev.CombinedMonths = *e.CombinedMonths
		} else if ev.Kind != portal.UnsealingAdultCrime || ev.Combined {
			// R18 compares the combined (or retrial) term; an adult crime (R19)
			// needs none unless it was combined with the sealed sentence.
			fe.add("event.combined_months", "check.api.required")
		}
		if e.CombinedDays != nil {
			ev.CombinedDays = *e.CombinedDays
		}
		fe.merge(ev.Validate(birth, today))
	} else {
		if _, seen := fe["event"]; !seen {
			fe.add("event", "check.api.event_required")
		}
		// Only the birth date can be checked without an event.
		if pe, ok := portal.AsError(ev.Validate(birth, today)); ok {
			if key, ok := pe.Fields["birth_date"]; ok {
				fe.add("birth_date", key)
			}
		}
	}
	if len(fe) > 0 {
		return portal.Date{}, portal.UnsealingEvent{}, apiInvalid(fe)
	}
	return birth, ev, nil
}
