package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/views"
)

// Queries of sealed records through the real router (R14–R17): a querying
// unit files a query, the sealing organ decides it, the unit signs the
// commitment and reads the result inside the window, and the person sees
// every access. Built on the staff console's test world (two courts, a
// police organ, a registered minor).

const qtUnitPassword = "a long passphrase for the unit"

// qtWorld is the staff world with a sealed case about the minor and a
// querying unit.
type qtWorld struct {
	*staffWorld
	sealed portal.Case
	unit   portal.Account
	pages  []*testPage // every page of the journey, searched for forbidden wording
}

func newQTWorld(t *testing.T, kind portal.QueryUnitKind) *qtWorld {
	t.Helper()
	w := &qtWorld{staffWorld: newStaffWorld(t)}
	c := w.submitted(w.court)
	for _, a := range []portal.CaseAction{portal.ActionAccept, portal.ActionStartReview, portal.ActionSeal} {
		c = w.step(c.ID, a, w.judge)
	}
	w.sealed = c
	w.unit = w.qtUnit("unit-1", kind)
	return w
}

func (w *qtWorld) qtUnit(login string, kind portal.QueryUnitKind) portal.Account {
	w.t.Helper()
	a, err := w.db.CreateAccount(portal.Account{Role: portal.RoleQueryingUnit, Login: login, Name: "王某", Organ: "演示市某幼儿园",
		UnitKind: string(kind), PasswordHash: hashFor(w.t, qtUnitPassword)}, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// qtSignIn opens a browser in lang signed in as the unit (it lands on its
// queries).
func (w *qtWorld) qtSignIn(login, lang string) *testClient {
	w.t.Helper()
	c := w.newClient()
	c.setLang(lang)
	c.login(login, qtUnitPassword).wantPath(w.t, "/queries")
	return c
}

// keep records a page of the journey and returns it.
func (w *qtWorld) keep(p *testPage) *testPage {
	w.pages = append(w.pages, p)
	return p
}

// qtAnswers is a complete query of a regulated unit.
func qtAnswers(idNumber string) url.Values {
	return url.Values{"person_id_number": {idNumber}, "reason": {"拟聘用为保育员"}, "basis_kind": {"law"},
		"law_name": {"《中华人民共和国未成年人保护法》"}, "law_article": {"第六十二条"}, "purpose_category": {"employment"},
		"purpose": {"入职前查询，确认是否属于法律禁止从业的情形"}, "scope": {"documents"}, "documents": {"judgment"}}
}

// post sends a form from page with the page's CSRF token.
func (w *qtWorld) post(c *testClient, from *testPage, action string, v url.Values) *testPage {
	w.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set(csrfField, from.csrf(w.t))
	return w.keep(c.post(action, v))
}

// fileQuery goes through form, check your answers and sending, and returns
// the new query's id.
func (w *qtWorld) fileQuery(c *testClient, answers url.Values) uint64 {
	t := w.t
	t.Helper()
	form := w.keep(c.get("/queries/new")).wantPath(t, "/queries/new")
	v := url.Values{"step": {"check"}}
	for k, vs := range answers {
		v[k] = vs
	}
	check := w.post(c, form, "/queries/new", v)
	check.wantStatus(t, http.StatusOK)
	if _, ok := check.testid("query-send"); !ok {
		t.Fatalf("no check your answers page:\n%s", excerpt(check))
	}
	v.Set("step", "submit")
	done := w.post(c, check, "/queries/new", v)
	if !strings.HasSuffix(done.url.Path, "/confirmation") || done.status != http.StatusOK {
		t.Fatalf("sending ended at %s (%d)\n%s", done.url.Path, done.status, excerpt(done))
	}
	parts := strings.Split(done.url.Path, "/")
	id, err := strconv.ParseUint(parts[2], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func qtPath(id uint64, rest string) string { return "/queries/" + strconv.FormatUint(id, 10) + rest }

func qtStaffPath(id uint64, rest string) string {
	return "/staff/queries/" + strconv.FormatUint(id, 10) + rest
}

// noCriminalRecordClaim fails if any page says a criminal record exists
// (R14), except the result of an approved read, which tells the lawful
// querier the truth (R14a).
func (w *qtWorld) noCriminalRecordClaim() {
	w.t.Helper()
	if len(w.pages) < 10 {
		w.t.Fatalf("only %d pages kept", len(w.pages))
	}
	for _, p := range w.pages {
		posted := p.url.Path
		if p.first != nil && p.first.Request != nil {
			posted = p.first.Request.URL.Path // the answer of POST …/read is shown by the query's page
		}
		if (strings.HasSuffix(p.url.Path, "/read") || strings.HasSuffix(posted, "/read")) && p.status == http.StatusOK {
			continue
		}
		body := strings.ToLower(p.body)
		if strings.Contains(body, "有犯罪记录") || strings.Contains(body, "has a criminal record") {
			w.t.Errorf("%s says a criminal record exists", p.url.RequestURI())
		}
	}
}

// R16: reason, legal basis and purpose are all required, each refused with
// its own message and the typed values kept; R15: a regulated unit citing no
// state regulation, and a unit of neither kind, cannot submit.
func TestQueryFormRefusals(t *testing.T) {
	w := newQTWorld(t, portal.QueryUnitRegulated)
	c := w.qtSignIn("unit-1", "en")
	form := c.get("/queries/new").wantPath(t, "/queries/new")

	v := qtAnswers(w.minor.IDNumber)
	v.Set("step", "check")
	v.Del("law_name")
	v.Del("law_article")
	p := w.post(c, form, "/queries/new", v).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("law_name") == "" || p.fieldError("law_article") == "" {
		t.Fatalf("no per-field message for the legal basis:\n%s", excerpt(p))
	}
	if got, _ := p.inputValue("person_id_number"); got != w.minor.IDNumber {
		t.Fatalf("typed identity number not kept: %q", got)
	}
	if _, ok := p.testid("error-summary"); !ok {
		t.Fatal("no error summary")
	}

	v = qtAnswers(w.minor.IDNumber)
	v.Set("step", "check")
	v.Set("reason", " ")
	v.Del("purpose")
	p = w.post(c, form, "/queries/new", v).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("reason") == "" || p.fieldError("purpose") == "" || p.fieldError("law_name") != "" {
		t.Fatalf("reason %q purpose %q law %q", p.fieldError("reason"), p.fieldError("purpose"), p.fieldError("law_name"))
	}

	// Sending (skipping the check page) is validated the same way.
	v = qtAnswers(w.minor.IDNumber)
	v.Set("step", "submit")
	v.Del("law_name")
	w.post(c, form, "/queries/new", v).wantStatus(t, http.StatusUnprocessableEntity)

	// R15(b): an internal rule is no state regulation.
	v = qtAnswers(w.minor.IDNumber)
	v.Set("step", "submit")
	v.Set("basis_kind", "other")
	v.Set("law_name", "本园招聘管理制度")
	p = w.post(c, form, "/queries/new", v).wantStatus(t, http.StatusUnprocessableEntity)
	if msg := p.fieldError("basis_kind"); !strings.Contains(msg, "law or an administrative regulation") {
		t.Fatalf("basis_kind message %q", msg)
	}
	// A case summary is for judicial organs.
	v = qtAnswers(w.minor.IDNumber)
	v.Set("step", "check")
	v.Set("scope", "summary")
	if p := w.post(c, form, "/queries/new", v).wantStatus(t, http.StatusUnprocessableEntity); p.fieldError("scope") == "" {
		t.Fatal("a regulated unit asked for a summary")
	}
	if qs, _ := w.db.QueriesOfUnit(w.unit.ID); len(qs) != 0 {
		t.Fatalf("%d queries stored from refused forms", len(qs))
	}

	// R15: a unit registered as neither has no form and cannot post one.
	neither := w.qtUnit("unit-x", "")
	x := w.qtSignIn("unit-x", "zh-CN")
	page := x.get("/queries/new").wantPath(t, "/queries/new")
	if _, ok := page.testid("unit-kind-missing"); !ok {
		t.Fatal("no explanation for a unit of no kind")
	}
	if _, ok := page.testid("query-form"); ok {
		t.Fatal("a unit of no kind is offered the form")
	}
	list := x.get("/queries").wantPath(t, "/queries")
	v = qtAnswers(w.minor.IDNumber)
	v.Set("step", "submit")
	w.post(x, list, "/queries/new", v).wantStatus(t, http.StatusForbidden)
	if qs, _ := w.db.QueriesOfUnit(neither.ID); len(qs) != 0 {
		t.Fatal("a unit of no kind stored a query")
	}
}

// The whole journey: the unit files a query; staff of another organ cannot
// see or decide it; the sealing organ approves a scope for a window; nothing
// is shown before the commitment; a read inside the window shows only the
// approved scope with the marking; a read beyond the scope or after the
// window is refused and audited; the person sees every access with the
// purpose and is notified; nobody else sees the person's access page; no page
// says a criminal record exists.
func TestQueryJourney(t *testing.T) {
	w := newQTWorld(t, portal.QueryUnitRegulated)
	unitC := w.qtSignIn("unit-1", "zh-CN")
	id := w.fileQuery(unitC, qtAnswers(w.minor.IDNumber))
	conf := w.pages[len(w.pages)-1]
	if ref, _ := conf.testid("query-ref"); ref != "CX-2026-000001" {
		t.Fatalf("reference %q", ref)
	}
	conf.wantText(t, "2026年3月13日") // 3 working days from Tuesday 10 March (R16)
	list := w.keep(unitC.get("/queries")).wantPath(t, "/queries")
	if _, ok := list.testid("query-row"); !ok {
		t.Fatal("the query is not on the unit's list")
	}

	// Staff of another court: 404 for the page and the decision.
	other := w.signIn(w.judge2)
	other.get(qtStaffPath(id, "")).wantStatus(t, http.StatusNotFound)
	otherQueue := other.get("/staff/queries").wantPath(t, "/staff/queries")
	if _, ok := otherQueue.testid("query-queue-row"); ok {
		t.Fatal("another court sees the query in its queue")
	}
	w.post(other, otherQueue, qtStaffPath(id, "/approve"), url.Values{"scope": {"exists"},
		"window_from": {"2026-03-10"}, "window_to": {"2026-03-12"}}).wantStatus(t, http.StatusNotFound)
	// Nor may the unit, nor a citizen, use the organ's pages.
	unitC.get(qtStaffPath(id, "")).wantStatus(t, http.StatusForbidden)

	// The sealing court; opening the case is a read on duty (R17).
	judge := w.signIn(w.judge)
	judge.get("/staff/cases/"+strconv.FormatUint(w.sealed.ID, 10)).wantStatus(t, http.StatusOK)
	queue := w.keep(judge.get("/staff/queries")).wantPath(t, "/staff/queries")
	if row, ok := queue.testid("query-queue-row"); !ok || !strings.Contains(row, "CX-2026-000001") {
		t.Fatalf("court queue row %q", row)
	}
	page := w.keep(judge.get(qtStaffPath(id, ""))).wantPath(t, qtStaffPath(id, ""))
	if ref, _ := page.testid("found-case"); ref != w.sealed.Ref {
		t.Fatalf("case found %q, want %s", ref, w.sealed.Ref)
	}
	page.noText(t, w.minor.IDNumber, w.minor.Name)
	w.post(judge, page, qtStaffPath(id, "/refuse"), url.Values{"refusal_reason": {" "}}).wantStatus(t, http.StatusUnprocessableEntity)
	bad := w.post(judge, page, qtStaffPath(id, "/approve"), url.Values{"scope": {"documents"}, "documents": {"judgment", "other"},
		"window_from": {"2026-03-10"}, "window_to": {"2026-05-10"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if bad.fieldError("scope") == "" || bad.fieldError("window_to") == "" {
		t.Fatalf("broader scope %q, long window %q", bad.fieldError("scope"), bad.fieldError("window_to"))
	}
	done := w.post(judge, page, qtStaffPath(id, "/approve"), url.Values{"scope": {"documents"}, "documents": {"judgment"},
		"window_from": {"2026-03-14"}, "window_to": {"2026-03-16"}})
	done.wantPath(t, qtStaffPath(id, ""))
	if _, ok := done.testid("notice"); !ok {
		t.Fatal("no notice after approval")
	}
	// R14a: until the deadline (13 March) has passed the unit sees the query
	// as sent, decided or not.
	waiting := w.keep(unitC.get(qtPath(id, ""))).wantPath(t, qtPath(id, ""))
	if _, ok := waiting.testid("commitment-form"); ok {
		t.Fatal("a commitment form before the answer was released")
	}
	if !strings.Contains(waiting.body, `data-status="submitted"`) {
		t.Fatalf("the unit sees the decision before the deadline:\n%s", excerpt(waiting))
	}
	w.clock.advance(4 * 24 * time.Hour) // Saturday 14 March
	unitC = w.qtSignIn("unit-1", "zh-CN")

	// R16: approved, but nothing before the commitment.
	show := w.keep(unitC.get(qtPath(id, ""))).wantPath(t, qtPath(id, ""))
	if _, ok := show.testid("commitment-form"); !ok {
		t.Fatal("no commitment form on an approved query")
	}
	if _, ok := show.testid("read-result"); ok {
		t.Fatal("a read button before the commitment")
	}
	show.wantText(t, "保密承诺书", "Our unit undertakes")
	early := w.post(unitC, show, qtPath(id, "/read"), nil).wantStatus(t, http.StatusForbidden)
	if _, ok := early.testid("read-refused"); !ok {
		t.Fatal("no explanation of the refused read")
	}
	early.noText(t, "judgment.pdf")
	if _, ok := early.testid("sealed-marking"); ok {
		t.Fatal("a refused read shows the marking")
	}
	// The checkbox is required.
	unsigned := w.post(unitC, show, qtPath(id, "/commitment"), url.Values{"signer_name": {"王某"}, "signer_position": {"园长"}})
	unsigned.wantStatus(t, http.StatusUnprocessableEntity)
	if unsigned.fieldError("agree") == "" {
		t.Fatal("no message for the checkbox")
	}
	signed := w.post(unitC, show, qtPath(id, "/commitment"), url.Values{"signer_name": {"王某"}, "signer_position": {"园长"}, "agree": {"yes"}})
	signed.wantPath(t, qtPath(id, ""))
	if _, ok := signed.testid("read-result"); !ok {
		t.Fatal("no read button after signing")
	}

	// A read inside the window: only the approved scope, with the marking.
	res := w.post(unitC, signed, qtPath(id, "/read"), nil).wantStatus(t, http.StatusOK)
	if _, ok := res.testid("sealed-marking"); !ok {
		t.Fatal("the result is not marked")
	}
	res.wantText(t, "含犯罪记录封存信息", "contains sealed-record information", "judgment.pdf")
	// R14a: the lawful querier is told the truth; no juvenile-effect note for
	// a unit that is not a judicial organ.
	if _, ok := res.testid("result-record-exists"); !ok {
		t.Fatal("the approved answer does not say the sealed record exists")
	}
	if _, ok := res.testid("result-juvenile-effect"); ok {
		t.Fatal("a regulated unit gets the judicial organs' note")
	}
	res.noText(t, "identity.pdf", w.minor.Name, w.minor.IDNumber, "(2024)甲刑初字第7号")
	if _, ok := res.testid("result-case"); ok {
		t.Fatal("a documents scope shows the case summary")
	}
	// The approved document downloads; the identity document is beyond it.
	var judgmentID, identityID uint64
	for _, d := range w.sealed.Documents {
		switch d.Kind {
		case portal.DocJudgment:
			judgmentID = d.ID
		case portal.DocIdentity:
			identityID = d.ID
		}
	}
	if dl := unitC.get(qtPath(id, "/documents/"+strconv.FormatUint(judgmentID, 10))); dl.status != http.StatusOK || !strings.HasPrefix(dl.body, "%PDF") {
		t.Fatalf("judgment download %d", dl.status)
	}
	unitC.get(qtPath(id, "/documents/"+strconv.FormatUint(identityID, 10))).wantStatus(t, http.StatusForbidden)
	// Beyond the scope: refused.
	w.post(unitC, signed, qtPath(id, "/read"), url.Values{"scope": {"summary"}}).wantStatus(t, http.StatusForbidden)
	// Another unit: 404.
	w.qtUnit("unit-2", portal.QueryUnitRegulated)
	thief := w.qtSignIn("unit-2", "en")
	thief.get(qtPath(id, "")).wantStatus(t, http.StatusNotFound)
	w.post(thief, thief.get("/queries"), qtPath(id, "/read"), nil).wantStatus(t, http.StatusNotFound)

	// After the window's last day (16 March): refused, and the refusal audited.
	w.clock.advance(3 * 24 * time.Hour)
	unitC = w.qtSignIn("unit-1", "en")
	late := w.keep(unitC.get(qtPath(id, ""))).wantPath(t, qtPath(id, ""))
	if _, ok := late.testid("window-ended"); !ok {
		t.Fatal("the page does not say the window ended")
	}
	refused := w.post(unitC, late, qtPath(id, "/read"), nil).wantStatus(t, http.StatusForbidden)
	refused.noText(t, "judgment.pdf")
	evs, err := w.db.AuditBySubject("case", w.sealed.ID)
	if err != nil {
		t.Fatal(err)
	}
	var reads, windowRefusals int
	for _, ev := range evs {
		if ev.ActorID != w.unit.ID {
			continue
		}
		switch {
		case ev.Action == portal.AuditSealedRead && ev.Detail == "query:"+strconv.FormatUint(id, 10)+":employment":
			reads++
		case ev.Action == portal.AuditQueryReadRefused && ev.Detail == "query_refused:"+strconv.FormatUint(id, 10)+":outside_window":
			windowRefusals++
		}
	}
	if reads != 1 || windowRefusals != 1 {
		t.Fatalf("audited %d reads and %d refusals after the window, want 1 and 1", reads, windowRefusals)
	}

	// The person sees every access, with the query's purpose, and was told.
	for _, lang := range []string{"zh-CN", "en"} {
		person := w.newClient()
		person.setLang(lang)
		person.login(w.minor.Login, staffPassword).wantStatus(t, http.StatusOK)
		acc := w.keep(person.get("/cases/" + strconv.FormatUint(w.sealed.ID, 10) + "/access"))
		acc.wantPath(t, "/cases/"+strconv.FormatUint(w.sealed.ID, 10)+"/access")
		acc.wantText(t, "CX-2026-000001", "入职前查询，确认是否属于法律禁止从业的情形", "演示市某幼儿园", "甲市人民法院")
		acc.noText(t, "王某", "测试工作人员") // organs and units, never officials
		if lang == "en" {
			acc.wantText(t, "Working on your case", "Tried to look, and was stopped", "outside the dates they were allowed")
		}
		if n := strings.Count(acc.body, `data-kind="refused"`); n < 3 {
			t.Fatalf("%d refused attempts listed, want at least 3 (unsigned, beyond scope twice, after the window)", n)
		}
		if n := strings.Count(acc.body, `data-kind="read"`); n < 2 {
			t.Fatalf("%d reads listed (the court's and the unit's)", n)
		}
		notes := w.keep(person.get("/notifications")).wantPath(t, "/notifications")
		if lang == "en" {
			notes.wantText(t, "looked at your sealed record under an approved query", "tried to look at your sealed record and was stopped")
		} else {
			notes.wantText(t, "依照批准的查询查看了你的封存记录")
		}
		w.keep(person.get("/cases/" + strconv.FormatUint(w.sealed.ID, 10)))
	}
	// Another person's access page is 404.
	stranger := w.createCitizen(portal.RoleMinor, "13900002222", staffPassword)
	sc := w.newClient()
	sc.login(stranger.Login, staffPassword).wantStatus(t, http.StatusOK)
	sc.get("/cases/"+strconv.FormatUint(w.sealed.ID, 10)+"/access").wantStatus(t, http.StatusNotFound)
	// Staff have no access page of their own.
	judge = w.signIn(w.judge)
	judge.get("/cases/"+strconv.FormatUint(w.sealed.ID, 10)+"/access").wantStatus(t, http.StatusForbidden)

	w.noCriminalRecordClaim()
}

// R14a: an approved "exists" query of a judicial organ is answered
// truthfully in both languages: the sealed record exists, marked
// 含犯罪记录封存信息, with the juvenile record's limited legal effect (CL art.
// 65, art. 100 para 2). A refusal is shown, with its reason, only once the
// answer is released.
func TestQueryExistsTruthful(t *testing.T) {
	w := newQTWorld(t, portal.QueryUnitJudicial)
	unitC := w.qtSignIn("unit-1", "en")
	v := qtAnswers(w.minor.IDNumber)
	v.Set("purpose_category", "case")
	v.Set("case_number", "(2026)演刑初字第9号")
	v.Set("scope", "exists")
	v.Del("documents")
	id := w.fileQuery(unitC, v)
	id2 := w.fileQuery(unitC, v)
	judge := w.signIn(w.judge)
	page := judge.get(qtStaffPath(id, "")).wantPath(t, qtStaffPath(id, ""))
	w.post(judge, page, qtStaffPath(id, "/approve"), url.Values{"scope": {"exists"},
		"window_from": {"2026-03-14"}, "window_to": {"2026-03-20"}}).wantPath(t, qtStaffPath(id, ""))
	page = judge.get(qtStaffPath(id2, "")).wantPath(t, qtStaffPath(id2, ""))
	w.post(judge, page, qtStaffPath(id2, "/refuse"), url.Values{"refusal_reason": {"与所办案件无关"}}).wantPath(t, qtStaffPath(id2, ""))
	show := w.keep(unitC.get(qtPath(id2, ""))).wantPath(t, qtPath(id2, ""))
	show.noText(t, "与所办案件无关")
	w.clock.advance(4 * 24 * time.Hour)
	unitC = w.qtSignIn("unit-1", "en")
	show = unitC.get(qtPath(id, "")).wantPath(t, qtPath(id, ""))
	signed := w.post(unitC, show, qtPath(id, "/commitment"), url.Values{"signer_name": {"李某"}, "signer_position": {"检察官"}, "agree": {"yes"}})
	for _, lang := range []string{"en", "zh-CN"} {
		unitC.setLang(lang)
		res := w.post(unitC, signed, qtPath(id, "/read"), nil).wantStatus(t, http.StatusOK)
		if _, ok := res.testid("no-record-letter"); ok {
			t.Fatalf("a letter of no record about a sealed record:\n%s", excerpt(res))
		}
		for _, id := range []string{"sealed-marking", "result-record-exists", "result-juvenile-effect"} {
			if _, ok := res.testid(id); !ok {
				t.Fatalf("%s: no %s", lang, id)
			}
		}
		want := []string{"sealed by law", "recidivist", "art. 65", "art. 100 para 2"}
		if lang != "en" {
			want = []string{"依法封存的犯罪记录", "累犯", "第六十五条", "第一百条第二款"}
		}
		res.wantText(t, want...).noText(t, w.minor.IDNumber, w.sealed.Ref)
	}
	// The refusal: the unit sees the reason now, and can read nothing.
	show = w.keep(unitC.get(qtPath(id2, ""))).wantPath(t, qtPath(id2, ""))
	show.wantText(t, "与所办案件无关")
	w.post(unitC, show, qtPath(id2, "/read"), nil).wantStatus(t, http.StatusForbidden)
	w.noCriminalRecordClaim()
}

// qtNormal replaces what names a query (its id, reference and the person's
// identity number) by placeholders, so that two queries' pages compare.
func qtNormal(body string, id uint64, ref, idNumber string) string {
	n, _ := portal.ParseIDNumber(idNumber)
	r := strings.NewReplacer("/queries/"+strconv.FormatUint(id, 10), "/queries/ID", ref, "REF", n.Masked(), "MASKED", n.Last4(), "LAST4")
	return r.Replace(body)
}

// qtRow is the unit's list row of a query, normalised.
func qtRow(t *testing.T, list *testPage, id uint64, ref, idNumber string) string {
	t.Helper()
	i := strings.Index(list.body, `<tr data-testid="query-row" data-ref="`+ref+`"`)
	if i < 0 {
		t.Fatalf("no row %s", ref)
	}
	j := strings.Index(list.body[i:], "</tr>")
	return qtNormal(list.body[i:i+j], id, ref, idNumber)
}

// R14a: no query status, timing (deadline) or page differs between a person
// with a sealed record and a person without one until the answer: a query
// about the sealed person that the organ approves at once, one it refuses at
// once, and one about a person the portal holds nothing about look the same
// to the unit — list row, query page, confirmation page, a read attempt —
// every day up to the deadline; the day after it, each answer appears.
func TestQueryNoSideChannel(t *testing.T) {
	w := newQTWorld(t, portal.QueryUnitRegulated)
	unitC := w.qtSignIn("unit-1", "en")
	nobody := testIDNumber(4242, portal.Date{Year: 2005, Month: 6, Day: 1})
	type q struct {
		id       uint64
		ref      string
		idNumber string
	}
	file := func(idNumber string) q {
		id := w.fileQuery(unitC, qtAnswers(idNumber))
		qq, err := w.db.Query(id)
		if err != nil {
			t.Fatal(err)
		}
		return q{id, qq.Ref, idNumber}
	}
	approved, refused, none := file(w.minor.IDNumber), file(w.minor.IDNumber), file(nobody)
	judge := w.signIn(w.judge)
	page := judge.get(qtStaffPath(approved.id, "")).wantPath(t, qtStaffPath(approved.id, ""))
	w.post(judge, page, qtStaffPath(approved.id, "/approve"), url.Values{"scope": {"documents"}, "documents": {"judgment"},
		"window_from": {"2026-03-10"}, "window_to": {"2026-03-30"}}).wantPath(t, qtStaffPath(approved.id, ""))
	page = judge.get(qtStaffPath(refused.id, "")).wantPath(t, qtStaffPath(refused.id, ""))
	w.post(judge, page, qtStaffPath(refused.id, "/refuse"), url.Values{"refusal_reason": {"不符合条件"}}).wantPath(t, qtStaffPath(refused.id, ""))

	pages := func(c *testClient, x q) []string {
		list := c.get("/queries").wantPath(t, "/queries")
		show := c.get(qtPath(x.id, "")).wantStatus(t, http.StatusOK)
		conf := c.get(qtPath(x.id, "/confirmation")).wantStatus(t, http.StatusOK)
		read := w.post(c, show, qtPath(x.id, "/read"), nil)
		sign := w.post(c, show, qtPath(x.id, "/commitment"), url.Values{"signer_name": {"王某"}, "signer_position": {"园长"}, "agree": {"yes"}})
		return []string{qtRow(t, list, x.id, x.ref, x.idNumber), qtNormal(show.body, x.id, x.ref, x.idNumber),
			qtNormal(conf.body, x.id, x.ref, x.idNumber), strconv.Itoa(read.status) + qtNormal(read.body, x.id, x.ref, x.idNumber),
			strconv.Itoa(sign.status) + qtNormal(sign.body, x.id, x.ref, x.idNumber)}
	}
	names := []string{"list row", "query page", "confirmation", "read attempt", "signing attempt"}
	// Tuesday 10 March (sent) to Friday 13 March (the deadline).
	for day := 0; day < 4; day++ {
		if day > 0 {
			w.clock.advance(24 * time.Hour)
			unitC = w.qtSignIn("unit-1", "en")
		}
		want := pages(unitC, none)
		if !strings.Contains(want[0], `data-status="submitted"`) || !strings.Contains(want[0], "13 March 2026") {
			t.Fatalf("day %d: the no-record query is not waiting with its deadline: %s", day, want[0])
		}
		for _, x := range []q{approved, refused} {
			got := pages(unitC, x)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("day %d: the %s of a query about a sealed record differs from one about no record: %s",
						day, names[i], qtDiff(got[i], want[i]))
				}
			}
		}
	}
	// Saturday 14 March: the answers appear.
	w.clock.advance(24 * time.Hour)
	unitC = w.qtSignIn("unit-1", "en")
	list := unitC.get("/queries").wantPath(t, "/queries")
	for x, status := range map[q]string{approved: "approved", refused: "refused", none: "approved"} {
		if row := qtRow(t, list, x.id, x.ref, x.idNumber); !strings.Contains(row, `data-status="`+status+`"`) {
			t.Errorf("after the deadline %s: %s", x.ref, row)
		}
	}
	unitC.get(qtPath(refused.id, "")).wantText(t, "不符合条件")
}

// Every message of this area exists in both languages, differs between
// them, and never says a criminal record exists (R14) — except the approved
// result's, which tells the lawful querier the truth (R14a).
func TestQueryMessages(t *testing.T) {
	n := 0
	for _, k := range views.MessageKeys() {
		if !strings.HasPrefix(k, "queries.") && !strings.HasPrefix(k, "accesslog.") {
			continue
		}
		n++
		zh, en := views.Translate(views.LangZH, k), views.Translate(views.LangEN, k)
		if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" || zh == en {
			t.Errorf("%s: incomplete translation %q / %q", k, zh, en)
		}
		// R14a: only the approved result tells the lawful querier the truth.
		if k == "queries.result_record_exists" {
			continue
		}
		if strings.Contains(strings.ToLower(en), "has a criminal record") || strings.Contains(zh, "有犯罪记录") {
			t.Errorf("%s: says a criminal record exists", k)
		}
	}
	if n < 100 {
		t.Fatalf("only %d messages", n)
	}
	for _, why := range []string{portal.ReadRefusedNotApproved, portal.ReadRefusedUnsigned, portal.ReadRefusedWindow, portal.ReadRefusedScope} {
		for _, k := range []string{"queries.read_refused." + why, "accesslog.refused." + why} {
			if !views.HasMessage(k) {
				t.Errorf("no message %s", k)
			}
		}
	}
}

// qtDiff shows where two pages first differ.
func qtDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-150)
	return "\n" + a[from:min(len(a), i+150)] + "\n---\n" + b[from:min(len(b), i+150)]
}

// R31: a person without a mainland identity number is queried by another
// identity document: a passport needs its issuing state, a Hong Kong travel
// permit its own form; each refused at its field with the typed values kept;
// a valid one is sent and shown masked with its kind.
func TestQueryByIdentityDocument(t *testing.T) {
	w := newQTWorld(t, portal.QueryUnitRegulated)
	unitC := w.qtSignIn("unit-1", "en")
	form := unitC.get("/queries/new").wantPath(t, "/queries/new")
	if !strings.Contains(form.body, `value="resident_id" checked`) {
		t.Fatal("the mainland identity card is not the default kind")
	}
	v := qtAnswers("E1234567")
	v.Set("person_doc_type", "passport")
	v.Set("step", "check")
	bad := w.post(unitC, form, "/queries/new", v).wantStatus(t, http.StatusUnprocessableEntity)
	if bad.fieldError("person_doc_country") == "" || !strings.Contains(bad.body, `value="E1234567"`) {
		t.Fatalf("a passport without its state: %s", excerpt(bad))
	}
	v.Set("person_doc_type", "hkmo_travel_permit")
	bad = w.post(unitC, form, "/queries/new", v).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.fieldError("person_id_number"), "does not have the form") {
		t.Fatalf("a passport number as a travel permit: %q", bad.fieldError("person_id_number"))
	}
	v.Set("person_doc_type", "passport")
	v.Set("person_doc_country", "fra")
	v.Del("step")
	id := w.fileQuery(unitC, v)
	q, err := w.db.Query(id)
	if err != nil || q.PersonDocType != portal.DocPassport || q.PersonDocCountry != "FRA" || q.PersonIDNumber != "E1234567" || len(q.CaseIDs) != 0 {
		t.Fatalf("stored %+v %v", q, err)
	}
	unitC.get(qtPath(id, "")).wantText(t, "Foreign passport", "****4567").noText(t, "E1234567")
}
