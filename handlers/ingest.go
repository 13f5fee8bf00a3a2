package handlers

import (
	"embed"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The organs' bulk API (issue 17), for their own case management systems:
//
//	POST /api/v1/organ/records         NDJSON records -> 202 {"job_id"}
//	GET  /api/v1/organ/jobs/:id        -> {"job_id", "state", "counts"}
//	GET  /api/v1/organ/jobs/:id/errors -> NDJSON {"line", "field", "message"} of the rejected lines
//
// Every request carries "Authorization: Bearer <secret>" of a credential made
// by `admin create-api-client`; a credential acts only for its own organ (a
// job of another organ is 404, like one that does not exist). A missing,
// wrong or revoked credential is 401 with the JSON error envelope of the
// eligibility API; the routes read no cookie (no session, no CSRF). Each use
// is in the audit log. The answers hold nothing of the persons beyond the
// organ's own line numbers and field names.

// ingestMaxBody bounds one job's body: about a million records.
const ingestMaxBody = 1 << 30

// handleOrganRecords serves POST /api/v1/organ/records: the body is read
// line by line and stored sealed; the job is decided in the background.
func (s *Server) handleOrganRecords(c echo.Context) error {
	return s.organAPI(c, func(cl store.APIClient, lang views.Lang) error {
		if !isNDJSON(c.Request().Header.Get(echo.HeaderContentType)) {
			return apiFail(c, lang, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Key: "ingest.content_type"})
		}
		tooLarge := &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Key: "ingest.too_large"}
		if c.Request().ContentLength > ingestMaxBody {
			return apiFail(c, lang, tooLarge)
		}
		body := &limitedBody{r: c.Request().Body, left: ingestMaxBody}
		job, err := s.db.ReceiveIngest(cl.Organ, cl, body, requestID(c))
		if errors.Is(err, store.ErrIngestTooLarge) {
			return apiFail(c, lang, tooLarge)
		}
		if err != nil {
			return err
		}
		s.kickIngest()
		return c.JSON(http.StatusAccepted, map[string]string{"job_id": strconv.FormatUint(job.ID, 10)})
	})
}

// kickIngest wakes the background worker (serve's), when there is one.
func (s *Server) kickIngest() {
	if s.cfg.IngestKick != nil {
		select {
		case s.cfg.IngestKick <- struct{}{}:
		default:
		}
	}
}

// ingestJobAnswer is a job's state and counts.
type ingestJobAnswer struct {
	JobID  string              `json:"job_id"`
	State  portal.IngestState  `json:"state"`
	Counts portal.IngestCounts `json:"counts"`
}

// handleOrganJob serves GET /api/v1/organ/jobs/:id.
func (s *Server) handleOrganJob(c echo.Context) error {
	return s.organAPI(c, func(cl store.APIClient, lang views.Lang) error {
		job, aerr := s.organJob(c, cl, "job")
		if aerr != nil {
			return apiFail(c, lang, aerr)
		}
		return c.JSON(http.StatusOK, ingestJobAnswer{JobID: strconv.FormatUint(job.ID, 10), State: job.State, Counts: job.Counts})
	})
}

// ingestErrorLine is one rejected line's problem.
type ingestErrorLine struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// handleOrganJobErrors serves GET /api/v1/organ/jobs/:id/errors: one JSON
// object a line, messages in the language of Accept-Language.
func (s *Server) handleOrganJobErrors(c echo.Context) error {
	return s.organAPI(c, func(cl store.APIClient, lang views.Lang) error {
		job, aerr := s.organJob(c, cl, "errors")
		if aerr != nil {
			return apiFail(c, lang, aerr)
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/x-ndjson")
		c.Response().WriteHeader(http.StatusOK)
		enc := json.NewEncoder(c.Response())
		return s.db.IngestErrors(cl.Organ, job.ID, func(e portal.IngestLineError) error {
			return enc.Encode(ingestErrorLine{Line: e.Line, Field: e.Field, Message: views.Translate(lang, e.Key)})
		})
	})
}

// organJob reads the job named by the path for the credential's organ and
// audits the read.
func (s *Server) organJob(c echo.Context, cl store.APIClient, what string) (store.IngestJob, *apiError) {
	notFound := &apiError{Status: http.StatusNotFound, Code: "not_found", Key: "ingest.job_not_found"}
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil || id == 0 {
		return store.IngestJob{}, notFound
	}
	job, err := s.db.IngestJobOf(cl.Organ, id)
	if err != nil {
		if portal.ErrorCode(err) != portal.CodeNotFound {
			s.log.Error("ingest job", "request_id", requestID(c), "err", err)
			return store.IngestJob{}, &apiError{Status: http.StatusInternalServerError, Code: "internal", Key: "error.internal"}
		}
		return store.IngestJob{}, notFound
	}
	if err := s.db.AuditAPIUse(cl, what+" job:"+strconv.FormatUint(id, 10), requestID(c)); err != nil {
		s.log.Error("audit api use", "request_id", requestID(c), "err", err)
		return store.IngestJob{}, &apiError{Status: http.StatusInternalServerError, Code: "internal", Key: "error.internal"}
	}
	return job, nil
}

// organAPI is what the organ routes share: no caching, the reader's
// language, the per-address rate limit, then the credential. Every refusal
// of a credential is the same 401, whatever was wrong with it.
func (s *Server) organAPI(c echo.Context, fn func(store.APIClient, views.Lang) error) error {
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "no-store")
	lang := views.ParseLang(c.Request().Header.Get("Accept-Language"))
	h.Set("Content-Language", string(lang))
	if ok, _ := s.apiLimiter.Allow(c.RealIP()); !ok {
		h.Set("Retry-After", "1")
		return apiFail(c, lang, &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited", Key: "check.api.rate_limited"})
	}
	unauthorized := func() error {
		h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="organ"`)
		return apiFail(c, lang, &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Key: "apiclient.unauthorized"})
	}
	scheme, secret, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || len(secret) > 200 {
		return unauthorized()
	}
	cl, err := s.db.AuthenticateAPIClient(strings.TrimSpace(secret))
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeForbidden {
			return unauthorized()
		}
		return err
	}
	return fn(cl, lang)
}

// isNDJSON accepts application/x-ndjson, with no charset or UTF-8.
func isNDJSON(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/x-ndjson" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// limitedBody reads at most left bytes, then fails with
// store.ErrIngestTooLarge.
type limitedBody struct {
	r    io.Reader
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, store.ErrIngestTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return n, store.ErrIngestTooLarge
	}
	return n, err
}

// DecodeIngestLine decodes one line of a bulk job: the record's own fields
// (record_id, person, decided_on, effective_on, holders) here, and the
// eligibility facts (acts, disposition, penalty, with person.birth_date as
// birth_date) by the eligibility API's own parser, so that the vocabulary and
// the checks (R29) are exactly those of /api/v1/eligibility. It returns the
// record, or the field errors (field -> message key). Fuzzed.
func DecodeIngestLine(line []byte, today portal.Date) (portal.IngestRecord, map[string]string) {
	if aerr := apiSyntax(line); aerr != nil {
		return portal.IngestRecord{}, aerr.Fields
	}
	fe := apiFields{}
	var recordID, decidedOn, effectiveOn *string
	var person, acts, disposition, penalty json.RawMessage
	var holders []json.RawMessage
	apiDecodeObject(line, "", fe, map[string]any{"record_id": &recordID, "person": &person, "acts": &acts,
		"disposition": &disposition, "penalty": &penalty, "decided_on": &decidedOn, "effective_on": &effectiveOn, "holders": &holders})
	var name, idType, idNumber, birth, country *string
	if !apiDecodeObject(person, "person.", fe, map[string]any{"name": &name, "id_type": &idType, "id_number": &idNumber,
		"birth_date": &birth, "country": &country}) {
		fe.add("person", "ingest.person_required")
	}
	var r portal.IngestRecord
	switch {
	case recordID == nil || strings.TrimSpace(*recordID) == "":
		fe.add("record_id", "ingest.record_id_required")
	case utf8.RuneCountInString(*recordID) > portal.MaxRecordIDRunes || strings.IndexFunc(*recordID, unicode.IsControl) >= 0:
		fe.add("record_id", "ingest.record_id_invalid")
	default:
		r.RecordID = strings.TrimSpace(*recordID)
	}
	if name != nil {
		r.Person.Name = strings.TrimSpace(*name)
	}
	if r.Person.Name == "" {
		fe.add("person.name", "apply.person_name_required")
	} else if utf8.RuneCountInString(r.Person.Name) > portal.MaxNameRunes {
		fe.add("person.name", "register.name_too_long")
	}
	if idType != nil {
		r.Person.DocType = portal.IDDocType(*idType)
	}
	if idNumber != nil {
		r.Person.IDNumber = *idNumber
	}
	if country != nil {
		r.Person.DocCountry = strings.TrimSpace(*country)
	}
	if doc, err := portal.ParseIdentityDocument(r.Person.DocType, r.Person.IDNumber, r.Person.DocCountry); err != nil {
		switch key := errKeyOf(err); key {
		case "iddoc.type_required":
			fe.add("person.id_type", key)
		case "iddoc.country_required":
			fe.add("person.country", key)
		default:
			fe.add("person.id_number", key)
		}
	} else {
		r.Person.IDNumber, r.Person.DocCountry = doc.Number, doc.Country
	}
	r.DecidedOn = apiDate(decidedOn, "decided_on", fe)
	r.EffectiveOn = apiDate(effectiveOn, "effective_on", fe)
	if !r.EffectiveOn.IsZero() && !r.DecidedOn.IsZero() && r.EffectiveOn.Before(r.DecidedOn) {
		fe.add("effective_on", "ingest.effective_before_decided")
	}
	if !r.EffectiveOn.IsZero() && r.EffectiveOn.After(today) {
		fe.add("effective_on", "apply.decision_date_future")
	}
	for i, h := range holders {
		var id uint64
		if err := json.Unmarshal(h, &id); err != nil || id == 0 {
			fe.add("holders["+strconv.Itoa(i)+"]", "ingest.holder_unknown")
			continue
		}
		r.Holders = append(r.Holders, id)
	}
	if len(holders) > 20 {
		fe.add("holders", "ingest.holder_unknown")
	}
	// The facts, through the eligibility API's decoder.
	facts := map[string]json.RawMessage{}
	if birth != nil {
		facts["birth_date"], _ = json.Marshal(*birth)
	}
	for k, v := range map[string]json.RawMessage{"acts": acts, "disposition": disposition, "penalty": penalty} {
		if v != nil {
			facts[k] = v
		}
	}
	body, _ := json.Marshal(facts)
	f, aerr := decodeEligibility(body, today)
	if aerr != nil {
		for k, v := range aerr.Fields {
			if k == "birth_date" {
				k = "person.birth_date"
			}
			fe.add(k, v)
		}
	}
	r.Facts = f
	r.Person.BirthDate = f.BirthDate
	if len(fe) > 0 {
		return portal.IngestRecord{}, fe
	}
	return r, nil
}

// errKeyOf is the message key of a domain error.
func errKeyOf(err error) string {
	if pe, ok := portal.AsError(err); ok {
		return pe.Key
	}
	return "check.api.invalid"
}

//go:embed openapi.json
var apiDocs embed.FS

// openAPIDoc is the OpenAPI 3.1 document of /api/v1, served as it is.
var openAPIDoc = sync.OnceValue(func() []byte {
	raw, err := apiDocs.ReadFile("openapi.json")
	if err != nil {
		panic(err)
	}
	return raw
})

// handleOpenAPI serves GET /api/v1/openapi.json.
func (s *Server) handleOpenAPI(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=300")
	return c.Blob(http.StatusOK, "application/json", openAPIDoc())
}
