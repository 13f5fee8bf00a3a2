package handlers

// Fuzz targets for every form binder: each builds an echo.Context from a
// fuzzed urlencoded body (also used as the query string, for the binders that
// read filters from the address), calls the binder and then the validation the
// handler feeds it into. Whatever arrives, nothing panics, every field problem
// names a message that exists in the catalogue, and every error a domain
// validation returns is a portal.Error with the code invalid. Each target runs
// over its seeds (f.Add and testdata/fuzz/<name>/) in a plain `go test`;
// scripts/fuzz.sh runs them as fuzzers.

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/views"
)

// fuzzToday is the date the binders' validations decide against.
var fuzzToday = portal.Date{Year: 2026, Month: 3, Day: 10}

var fuzzEcho = echo.New()

// fuzzContext is a POST whose body and query string are both body, as a form
// (or a filter link) would send it.
func fuzzContext(body []byte) echo.Context {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	req.URL.RawQuery = string(body)
	return fuzzEcho.NewContext(req, httptest.NewRecorder())
}

// fuzzSeeds adds the urlencoded forms as seeds, plus hostile variants that
// every binder should meet: nothing, broken escapes, repeated keys, huge and
// odd values.
func fuzzSeeds(f *testing.F, forms ...url.Values) {
	f.Helper()
	for _, v := range forms {
		f.Add([]byte(v.Encode()))
	}
	for _, s := range []string{"", "=", "&&&", "%", "%zz=%zz", "a=%00%ff", "a=1;b=2", strings.Repeat("x=1&", 200),
		"acts[-1].date=1", "act_rows=99999999999999999999", "act_rows=-5", "page=-1", "within=%EF%BC%91",
		"name=%3Cscript%3Ealert(1)%3C%2Fscript%3E"} {
		f.Add([]byte(s))
	}
}

// fuzzKeys fails on a field problem whose message does not exist.
func fuzzKeys(t *testing.T, what string, fe map[string]string) {
	t.Helper()
	for field, key := range fe {
		if !views.HasMessage(key) {
			t.Fatalf("%s: field %q has message key %q, which is not in the catalogue", what, field, key)
		}
	}
}

// fuzzErr fails unless err is nil or a portal.Error with one of the codes
// and translated keys.
func fuzzErr(t *testing.T, what string, err error, codes ...portal.Code) {
	t.Helper()
	if err == nil {
		return
	}
	pe, ok := portal.AsError(err)
	if !ok {
		t.Fatalf("%s: error %v (%T) is not a portal.Error", what, err, err)
	}
	if len(codes) == 0 {
		codes = []portal.Code{portal.CodeInvalid}
	}
	known := false
	for _, c := range codes {
		known = known || pe.Code == c
	}
	if !known {
		t.Fatalf("%s: error code %q (%v), want one of %v", what, pe.Code, err, codes)
	}
	if len(pe.Fields) == 0 && !views.HasMessage(pe.Key) {
		t.Fatalf("%s: error key %q is not in the catalogue", what, pe.Key)
	}
	fuzzKeys(t, what, pe.Fields)
}

func FuzzBindRegister(f *testing.F) {
	fuzzSeeds(f, url.Values{"role": {"minor"}, "name": {"张三"}, "mobile": {"13800000001"},
		"id_number": {testIDNumber(1, portal.Date{Year: 2008, Month: 1, Day: 2})}, "password": {"a long passphrase"},
		"password_confirm": {"a long passphrase"}, "consent_privacy": {"yes"}, "consent_sensitive": {"yes"}},
		url.Values{"role": {"lawyer"}, "name": {"李律师"}, "mobile": {"+86 138-0000-0002"}, "licence": {"11101200000000009"},
			"firm": {"某律师事务所"}, "password": {"x"}, "password_confirm": {"y"}},
		url.Values{"role": {"court"}, "name": {strings.Repeat("名", 300)}, "id_number": {"１１０１０５１９４９１２３１００２ｘ"}},
		// R31: a passport with its state and a typed birth date, a Hong Kong
		// travel permit with an impossible date, an unknown kind.
		url.Values{"role": {"minor"}, "name": {"John Smith"}, "mobile": {"13800000003"}, "doc_type": {"passport"},
			"id_number": {"e1234 5678"}, "doc_country": {"gbr"}, "birth_date": {"2008-02-29"},
			"password": {"a long passphrase"}, "password_confirm": {"a long passphrase"}, "consent_privacy": {"yes"}, "consent_sensitive": {"yes"}},
		url.Values{"role": {"guardian"}, "doc_type": {"hkmo_travel_permit"}, "id_number": {"H12345678"}, "birth_date": {"2008-02-30"}},
		url.Values{"role": {"minor"}, "doc_type": {"visa"}, "id_number": {"X"}, "doc_country": {"中国"}})
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindRegister(fuzzContext(body))
		reg := in.registration("zh-CN")
		acct, err := reg.Check(fuzzToday)
		fuzzErr(t, "register", err)
		if err == nil {
			if !reg.PrivacyConsent || !reg.SensitiveConsent {
				t.Fatal("registration accepted without both consents")
			}
			if !acct.Role.IsCitizen() {
				t.Fatalf("registration accepted role %q", acct.Role)
			}
			if _, ok := acct.BirthDate(); !ok {
				t.Fatal("registration accepted without a birth date (R31)")
			}
			if acct.Mobile != "" {
				if m, merr := portal.NormalizeMobile(acct.Mobile); merr != nil || m != acct.Mobile {
					t.Fatalf("registration kept mobile %q", acct.Mobile)
				}
			}
		}
		_ = in.values()
	})
}

func FuzzBindApplyDate(f *testing.F) {
	fuzzSeeds(f, url.Values{"d-year": {"2023"}, "d-month": {"2"}, "d-day": {"29"}},
		url.Values{"d-year": {"２０２４"}, "d-month": {"０２"}, "d-day": {"２９"}},
		url.Values{"d-year": {"1899"}, "d-month": {"13"}, "d-day": {"0"}}, url.Values{"d-year": {"2024"}})
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindApplyDate(fuzzContext(body), "d")
		d, key := in.parse()
		if key != "" {
			fuzzKeys(t, "apply date", map[string]string{"d": key})
			if !d.IsZero() {
				t.Fatalf("date %+v with problem %q", d, key)
			}
			return
		}
		if !d.IsZero() && (d.Year < 1900 || d.Year > 9999) {
			t.Fatalf("date %+v accepted from %+v", d, in)
		}
		if d.IsZero() != in.empty() {
			t.Fatalf("date %+v from %+v without a problem", d, in)
		}
	})
}

func FuzzBindApplyCase(f *testing.F) {
	fuzzSeeds(f, url.Values{"deciding_organ": {"3"}, "case_number": {"(2023)演刑初字第1号"}, "disposition": {"sentenced"},
		"decision_date-year": {"2023"}, "decision_date-month": {"9"}, "decision_date-day": {"1"}, "act_rows": {"2"},
		"acts[0].date-year": {"2023"}, "acts[0].date-month": {"1"}, "acts[0].date-day": {"5"},
		"acts[1].date-year": {"2022"}, "acts[1].date-month": {"12"}, "acts[1].date-day": {"31"}, "main": {"1"},
		"intent": {"intentional"}, "penalty_kind": {"fixed_term"}, "penalty_months": {"36"}, "penalty_days": {"0"},
		"penalty_suspended": {"yes"}},
		url.Values{"action": {"add_act"}, "act_rows": {"5"}, "deciding_organ": {"18446744073709551616"}, "disposition": {"x"},
			"penalty_months": {"９９９"}, "main": {"-1"}})
	deciders := []views.ApplyOrganOption{{ID: 3, Kind: portal.RoleCourt, Name: "法院"}, {ID: 4, Kind: portal.RolePolice, Name: "公安"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindApplyCase(fuzzContext(body))
		if len(in.Acts) < 1 || len(in.Acts) > views.ApplyMaxActs {
			t.Fatalf("%d act rows", len(in.Acts))
		}
		patch, fe, rowOf := applyCasePatch(in, deciders)
		fuzzKeys(t, "apply case", fe)
		cs := portal.Case{Capacity: portal.CapacitySelf}
		patch(&cs)
		if cs.DecidingOrganID != 0 && cs.DecidingOrganID != 3 && cs.DecidingOrganID != 4 {
			t.Fatalf("organ %d accepted", cs.DecidingOrganID)
		}
		if len(rowOf) != len(cs.Acts) {
			t.Fatalf("%d rows for %d acts", len(rowOf), len(cs.Acts))
		}
		se := cs.SectionErrors(portal.SectionCase, fuzzToday)
		fuzzKeys(t, "apply case section", se)
		for k := range se {
			_ = applyActKey(k, rowOf)
		}
		_ = in.values()
	})
}

func FuzzBindCheck(f *testing.F) {
	fuzzSeeds(f, url.Values{
		views.CheckFieldBirth + "-year": {"2005"}, views.CheckFieldBirth + "-month": {"6"}, views.CheckFieldBirth + "-day": {"10"},
		views.CheckActField(0) + "-year": {"2023"}, views.CheckActField(0) + "-month": {"6"}, views.CheckActField(0) + "-day": {"10"},
		views.CheckFieldActsCount: {"1"}, views.CheckFieldDisposition: {"sentenced"}, views.CheckFieldPenaltyKind: {"fixed_term"},
		views.CheckFieldYears: {"5"}, views.CheckFieldMonths: {"0"}, views.CheckFieldDays: {"0"}, views.CheckFieldSuspended: {"yes"}},
		url.Values{views.CheckFieldActsCount: {"1000"}, views.CheckFieldMain: {"7"}, views.CheckFieldMonths: {"１２"}})
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzContext(body)
		var a views.CheckAnswers
		for _, st := range views.CheckSteps {
			bindCheckStep(c, st, &a)
		}
		if len(a.Acts) < 1 || len(a.Acts) > views.CheckMaxActs {
			t.Fatalf("%d act rows", len(a.Acts))
		}
		a = checkNormalize(a)
		facts, errs := checkFacts(a, fuzzToday)
		fuzzKeys(t, "check", errs)
		if len(errs) == 0 && a.Disposition != "" {
			if err := facts.Validate(fuzzToday); err != nil {
				t.Fatalf("no problem shown but the facts do not validate: %v", err)
			}
		}
	})
}

func FuzzBindLeak(f *testing.F) {
	fuzzSeeds(f, url.Values{"place_kind": {"website"}, "place_detail": {"https://example.org/list"}, "seen_on": {"2026-03-01"},
		"disclosed": {"判决书照片"}, "source_kind": {"unit"}, "source_name": {"某中学"},
		"person_id_number": {testIDNumber(2, portal.Date{Year: 2007, Month: 5, Day: 1})}, "contact_name": {"匿名"},
		"contact": {"13800000003"}, "link_account": {"yes"}},
		url.Values{"place_kind": {"other"}, "seen_on": {"2026-02-30"}, "source_kind": {"unknown"}, "source_name": {"x"}},
		url.Values{"place_detail": {"javascript:alert(1)"}, "seen_on": {"9999-12-31"}})
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindLeak(fuzzContext(body))
		r, fe := in.report(&portal.Account{ID: 7})
		fuzzKeys(t, "leak", fe)
		if r.ReporterAccount != 0 && r.ReporterAccount != 7 {
			t.Fatalf("reporter %d", r.ReporterAccount)
		}
		fuzzErr(t, "leak validate", r.Validate(fuzzToday))
		_ = in.values()
		_ = leakValues(r)
	})
}

func FuzzBindQuery(f *testing.F) {
	fuzzSeeds(f, url.Values{"person_id_number": {testIDNumber(3, portal.Date{Year: 2006, Month: 1, Day: 1})},
		"reason": {"审查起诉需要"}, "basis_kind": {"law"}, "law_name": {"刑事诉讼法"}, "law_article": {"第二百八十六条"},
		"purpose_category": {"criminal_proceedings"}, "purpose": {"核实前科"}, "case_number": {"(2026)某检刑诉1号"},
		"scope": {"documents"}, "documents": {"judgment", "judgment", "nonsense"}, "step": {"review"}},
		url.Values{"scope": {"all"}, "basis_kind": {"?"}})
	unit := &portal.Account{ID: 9, Role: portal.RoleQueryingUnit, Organ: "某单位", UnitKind: "judicial"}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindQuery(fuzzContext(body))
		q := in.query(unit)
		if q.UnitName != unit.Organ {
			t.Fatalf("unit name %q taken from the form", q.UnitName)
		}
		fuzzErr(t, "query validate", q.Validate(fuzzToday))
		_, _ = in.values(), in.ticked()
	})
}

func FuzzBindRelief(f *testing.F) {
	fuzzSeeds(f, url.Values{"person_name": {"张三"}, "kind": {"school"}, "happened_on": {"2026-02-20"}, "unit_name": {"某中学"},
		"unit_kind": {"school"}, "description": {"学校在公告栏张贴了我的判决"}, "linked_case": {"12"},
		"remedies": {"reinstatement", "apology", "apology"}},
		url.Values{"happened_on": {"20260220"}, "linked_case": {"13"}, "remedies": {"x"}})
	cases := []views.ReliefCaseOption{{ID: 12, Ref: "FC-2026-000012"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindRelief(fuzzContext(body))
		var r portal.ReliefRequest
		fe := in.apply(&r, cases)
		fuzzKeys(t, "relief", fe)
		if r.LinkedCaseID != 0 && r.LinkedCaseID != 12 {
			t.Fatalf("linked case %d accepted", r.LinkedCaseID)
		}
		fuzzErr(t, "relief validate", r.Validate(fuzzToday))
		_, _ = in.values(), in.remedies()
	})
}

func FuzzBindStaffQueue(f *testing.F) {
	fuzzSeeds(f, url.Values{"status": {"submitted"}, "overdue": {"1"}, "within": {"5"}, "done": {"1"}, "page": {"2"},
		"ref": {" fc－2026－000001 "}}, url.Values{"within": {"91"}, "page": {"1000001"}, "status": {"x"}})
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindStaffQueue(fuzzContext(body))
		flt, page, fe := in.filter()
		fuzzKeys(t, "staff queue", fe)
		if page < 1 || flt.Offset != (page-1)*staffPageSize || flt.Limit != staffPageSize {
			t.Fatalf("page %d, filter %+v", page, flt)
		}
		if flt.Status != "" && !flt.Status.Valid() {
			t.Fatalf("status %q accepted", flt.Status)
		}
		if flt.DueWithin < 0 || flt.DueWithin > 90 {
			t.Fatalf("within %d accepted", flt.DueWithin)
		}
		if r := normalizeRef(in.Ref); len(r) > 40 {
			t.Fatalf("reference %q", r)
		}
		_ = pager("/staff", in.filterQuery(), page, 1234)
		_ = in.values()
	})
}

func FuzzBindStaffExOfficio(f *testing.F) {
	fuzzSeeds(f, url.Values{"person_name": {"王五"}, "person_id_number": {testIDNumber(4, portal.Date{Year: 2006, Month: 7, Day: 7})},
		"case_number": {"(2023)演刑初字第2号"}, "decision_date": {"2023-09-01"}, "disposition": {"sentenced"}, "main_act": {"0"},
		"acts[0].date": {"2023-01-05"}, "acts[1].date": {"2023-02-05"}, "penalty_kind": {"fixed_term"}, "penalty_months": {"12"},
		"penalty_days": {"0"}, "penalty_suspended": {"yes"}, "intent": {"intentional"}, "holding_organs": {"1", "2", "99"}},
		url.Values{"main_act": {"4"}, "acts[4].date": {""}, "decision_date": {"2023-02-30"}, "penalty_months": {"-1"}})
	organs := map[uint64]portal.Organ{1: {ID: 1, Kind: portal.RoleCourt, Name: "法院"}, 2: {ID: 2, Kind: portal.RolePolice, Name: "公安"}}
	u := &portal.Account{ID: 5, Role: portal.RoleCourt, OrganID: 1, Organ: "法院"}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindStaffExOfficio(fuzzContext(body))
		if len(in.HoldingOrgans) > 100 {
			t.Fatalf("%d holding organs", len(in.HoldingOrgans))
		}
		cs, fe := in.toCase(u, organs)
		fuzzKeys(t, "ex officio", fe)
		if cs.DecidingOrganID != 1 {
			t.Fatalf("deciding organ %d taken from the form", cs.DecidingOrganID)
		}
		for _, id := range cs.HoldingOrganIDs {
			if _, ok := organs[id]; !ok {
				t.Fatalf("holding organ %d accepted", id)
			}
		}
		for _, sec := range []string{portal.SectionPerson, portal.SectionCase, portal.SectionOrgans} {
			fuzzKeys(t, "ex officio "+sec, cs.SectionErrors(sec, fuzzToday))
		}
		_ = in.values()
	})
}

func FuzzBindSupervision(f *testing.F) {
	fuzzSeeds(f, url.Values{"kind": {"relief"}, "status": {"relief:closed"}, "organ": {"1"}, "overdue": {"1"}, "page": {"2"}},
		url.Values{"kind": {"case"}, "status": {"case:"}, "organ": {"18446744073709551616"}, "page": {"0"}})
	organs := []portal.Organ{{ID: 1, Kind: portal.RoleCourt, Name: "a"}, {ID: 2, Kind: portal.RoleSupervisor, Name: "b"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindSupervision(fuzzContext(body))
		flt, fe := in.filter(organs)
		fuzzKeys(t, "supervision", fe)
		if flt.page < 1 {
			t.Fatalf("page %d", flt.page)
		}
		if flt.organ != 0 && flt.organ != 1 {
			t.Fatalf("organ %d accepted", flt.organ)
		}
		_ = in.values()
	})
}

func FuzzBindUnseal(f *testing.F) {
	fuzzSeeds(f, url.Values{"kind": {"new_crime"}, "act_date": {"2025-05-01"}, "combined_months": {"61"}, "combined_days": {"0"},
		"legal_basis": {"刑事诉讼法第二百八十六条"}}, url.Values{"kind": {"adult_crime"}, "act_date": {"2026-01-01"}},
		url.Values{"kind": {"retrial"}, "combined_months": {"100001"}, "combined_days": {"x"}})
	birth := portal.Date{Year: 2006, Month: 3, Day: 14}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bindUnseal(fuzzContext(body))
		r, fe := in.record()
		fuzzKeys(t, "unseal", fe)
		if r.Event.CombinedMonths < 0 || r.Event.CombinedDays < 0 {
			t.Fatalf("negative term %+v", r.Event)
		}
		if len(fe) == 0 {
			fuzzErr(t, "unseal validate", r.Validate(birth, fuzzToday))
		}
		_ = in.values()
	})
}

// The free-text forms without a binder of their own (messages, decisions'
// reasons, co-offender lists) read one or two values straight into a domain
// value; their validations take anything.
func FuzzFormTexts(f *testing.F) {
	fuzzSeeds(f, url.Values{"text": {"请问进度如何？"}, "reasons": {"依法维持封存"}, "verdict": {"confirm"},
		"numbers": {"(2023)演刑初字第1号\n(2023)演刑初字第2号"}},
		url.Values{"text": {strings.Repeat("长", 5000)}, "numbers": {strings.Repeat("\n", 300)}})
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzContext(body)
		fuzzErr(t, "message", portal.Message{Text: strings.TrimSpace(c.FormValue("text"))}.Validate())
		fuzzErr(t, "relief message", portal.ReliefMessage{Text: strings.TrimSpace(c.FormValue("text"))}.Validate())
		fuzzErr(t, "unsealing review", portal.UnsealingReview{Verdict: portal.UnsealingReviewVerdict(c.FormValue("verdict")),
			Reasons: strings.TrimSpace(c.FormValue("reasons"))}.Validate())
		numbers, err := portal.ParseCoOffenderCases(c.FormValue("numbers"))
		fuzzErr(t, "co-offenders", err)
		if err == nil {
			for _, n := range numbers {
				if strings.TrimSpace(n) == "" {
					t.Fatalf("empty co-offender number from %q", c.FormValue("numbers"))
				}
			}
		}
	})
}
