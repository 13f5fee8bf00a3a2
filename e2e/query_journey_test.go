package e2e

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The query journey's fixed answers. The unit acts under a state regulation
// (R15b): it relies on a law (R15b admits nothing less), names it and its
// article, and asks for the judgment of the sealed case only (R16: what the
// purpose needs; a case summary is for judicial organs).
const (
	qjUnitName    = "测试市教育局"
	qjUnitLogin   = "unit-query"
	qjReason      = "应聘人申请担任校车司机，需核查是否有法律禁止从业的情形。"
	qjLawName     = "《中华人民共和国未成年人保护法》"
	qjLawArticle  = "第六十二条"
	qjPurpose     = "校车司机入职审查"
	qjSignerName  = "王主任"
	qjSignerTitle = "人事科科长"
	qjCaseNumber  = "(2024)测试刑初字第5号"
)

// TestQueryJourney is the browser acceptance for queries: a querying
// unit files a query (first without its legal basis, which is refused field
// by field, R16), the court that sealed the record approves it for the
// judgment only and a short window, the unit sees nothing before signing the
// confidentiality commitment, signs it and reads the result, which is marked
// "含犯罪记录封存信息"; the person then sees that access in "who looked at my
// record", with the query's purpose, and a notification count in the header.
//
// Every page is checked by axe-core in both languages. The harness checks a
// page once per path (and error summary / notice) and language; states of a
// page at the same address (the query form and its check-your-answers page,
// a query before and after approval and signature) are also checked under
// their own variant names with h.axeVariant, in both languages.
func TestQueryJourney(t *testing.T) {
	started := time.Now()
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-query")
	birth := portal.Date{Year: 2006, Month: 5, Day: 9}
	me := h.createCitizen(portal.RoleMinor, "13900005555", "孙小明", 5501, birth)
	// Issue 11: the person's identity is verified (here as if by the organ),
	// so that "who looked at my record" is his to read.
	if _, err := h.DB.VerifyIdentity(me.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: me.IDNumber, Name: me.Name}); err != nil {
		t.Fatal(err)
	}
	sealed := qjSealedCase(h, me, court)
	unit := h.createAccount(portal.Account{Role: portal.RoleQueryingUnit, UnitKind: string(portal.QueryUnitRegulated),
		Organ: qjUnitName, Login: qjUnitLogin, Name: "测试查询员"}, testPassword)

	// ---- The unit files the query, in both languages: each time first
	// without a legal basis (refused, with a message per field), then with it,
	// up to check your answers; the second time it is sent.
	h.login(unit.Login, testPassword)
	h.expectPath("/queries")
	if !h.exists("[data-testid=no-queries]") {
		t.Errorf("a new unit's list is not empty: %q", h.text("main"))
	}
	h.both("", qjNoRecordWording)
	h.clickAndWait("[data-testid=new-query]")
	h.expectPath("/queries/new")
	first := h.pageLang()
	qjFillQuery(h, me.IDNumber)
	// Change: back to the form with every answer kept, then to the other
	// language (an empty form), where the query is filled again and sent.
	h.clickAndWait("[data-testid=query-change]")
	h.expectPath("/queries/new")
	if got := h.value("#purpose"); got != qjPurpose {
		t.Errorf("after 'change' the purpose is %q, want %q", got, qjPurpose)
	}
	h.switchLanguage()
	h.expectPath("/queries/new")
	if h.pageLang() == first {
		t.Fatalf("the language switch on the query form kept %s", first)
	}
	qjFillQuery(h, me.IDNumber)
	h.clickAndWait("[data-testid=query-send]")
	queryID := h.pathID(`^/queries/([0-9]+)/confirmation$`)
	ref := h.text("[data-testid=query-ref]")
	if !regexp.MustCompile(`^CX-[0-9]{4}-[0-9]{6}$`).MatchString(ref) {
		t.Fatalf("the confirmation's reference is %q, want CX-yyyy-nnnnnn", ref)
	}
	if !h.exists("[data-testid=confirm-due]") {
		t.Errorf("the confirmation does not say by when the organ decides")
	}
	h.both("", qjNoRecordWording)
	queryPage := fmt.Sprintf("/queries/%d", queryID)
	h.clickAndWait("[data-testid=open-query]")
	h.expectPath(queryPage)
	qjExpectStatus(h, portal.QuerySubmitted)
	if !h.exists("[data-testid=waiting]") {
		t.Errorf("a submitted query does not say it waits for the decision")
	}
	qjNothingShown(h)
	h.both("/queries/:id submitted", qjNoRecordWording)
	h.logout()

	// ---- The court's official: the query is in the organ's queue; approve
	// the judgment only, for the window the form proposes.
	h.login(court.Login, testPassword)
	h.expectPath("/staff")
	h.both("", qjNoRecordWording)
	h.clickAndWait("[data-testid=staff-queries-link]")
	h.expectPath("/staff/queries")
	row := fmt.Sprintf("[data-testid=query-queue-row][data-ref=%q]", ref)
	if !h.exists(row) {
		t.Fatalf("the court's query queue does not list %s: %q", ref, h.text("main"))
	}
	if got := h.attr(row, "data-status"); got != string(portal.QuerySubmitted) {
		t.Errorf("the queue shows %s as %q, want %q", ref, got, portal.QuerySubmitted)
	}
	h.expectText("[data-testid=count-open]", "1")
	h.both("", qjNoRecordWording)
	h.clickAndWait(row + " a")
	staffPage := fmt.Sprintf("/staff/queries/%d", queryID)
	h.expectPath(staffPage)
	h.expectText("[data-testid=query-unit]", qjUnitName)
	h.expectText("[data-testid=answer-purpose]", qjPurpose)
	h.expectText("[data-testid=answer-basis]", qjLawName+" "+qjLawArticle)
	if got := h.text("[data-testid=answer-person]"); got == me.IDNumber || !strings.HasSuffix(got, me.IDNumber[len(me.IDNumber)-4:]) {
		t.Errorf("the organ's page shows the identity number as %q, want it masked with its last four digits", got)
	}
	h.expectText("[data-testid=found-case]", sealed.Ref)
	qjExpectStatus(h, portal.QuerySubmitted)
	// The form proposes what was asked (the judgment) and a window from today.
	if !h.exists("input[name=scope][value=" + string(portal.ScopeDocuments) + "]:checked") {
		t.Errorf("the approval form does not propose the scope asked for")
	}
	if !h.exists("input[name=documents][value=" + string(portal.DocJudgment) + "]:checked") {
		t.Errorf("the approval form does not propose the judgment asked for")
	}
	// R14a: the unit learns the decision the day after the deadline, so the
	// window proposed starts then.
	stored, err := h.DB.Query(queryID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.value("#window_from"), stored.Due.AddDays(1).String(); got != want {
		t.Errorf("the window proposed starts on %q, want the day after the deadline %q", got, want)
	}
	h.both("/staff/queries/:id submitted", qjNoRecordWording)
	h.clickAndWait("[data-testid=approve]")
	h.expectPath(staffPage)
	if h.exists("[data-testid=error-summary]") {
		t.Fatalf("the approval was refused: %q", h.text("[data-testid=error-summary]"))
	}
	h.expectText("[data-testid=notice]", msg(h.pageLang(), "queries.notice_approved"))
	qjExpectStatus(h, portal.QueryApproved)
	h.expectText("[data-testid=approved-scope]", qjScopeText(h.pageLang()))
	h.both("/staff/queries/:id approved", qjNoRecordWording)
	h.logout()
	// R14a: the unit sees the decision only the day after the deadline,
	// like every query; the clock moves on to that morning.
	release := time.Date(stored.Due.Year, time.Month(stored.Due.Month), stored.Due.Day, 9, 0, 0, 0, portal.China).Add(24 * time.Hour)
	if d := release.Sub(h.clock.Now()); d > 0 {
		h.clock.offset.Add(int64(d))
	}

	// ---- The unit: the query is approved, and nothing is shown before the
	// commitment is signed (R16); a signature without the box ticked is
	// refused; then signed, the result is read in both languages.
	h.login(unit.Login, testPassword)
	h.expectPath("/queries")
	if got := h.attr(fmt.Sprintf("[data-testid=query-row][data-ref=%q]", ref), "data-status"); got != string(portal.QueryApproved) {
		t.Errorf("the unit's list shows %s as %q, want %q", ref, got, portal.QueryApproved)
	}
	h.clickAndWait(fmt.Sprintf("[data-testid=query-row][data-ref=%q] a", ref))
	h.expectPath(queryPage)
	qjExpectStatus(h, portal.QueryApproved)
	qjNothingShown(h)
	if !h.exists("[data-testid=commitment-form]") {
		t.Fatalf("an approved query offers no commitment to sign: %q", h.text("main"))
	}
	for _, l := range []views.Lang{views.LangZH, views.LangEN} {
		sel := fmt.Sprintf("[data-testid=commitment-text] p[lang=%q]", htmlLang(l))
		if got := h.text(sel); got != msg(l, "queries.commitment_text") {
			t.Errorf("the commitment in %s reads %q, want the catalogue's text", l, got)
		}
	}
	h.both("/queries/:id approved", qjNoRecordWording)
	// The refused signature (its own address, /queries/:id/commitment) in
	// both languages: the switch returns to the query's page.
	qjSignWithoutBox(h)
	h.switchLanguage()
	h.expectPath(queryPage)
	qjSignWithoutBox(h)
	h.click("#agree")
	h.clickAndWait("[data-testid=sign-commitment]")
	h.expectPath(queryPage)
	if h.exists("[data-testid=error-summary]") {
		t.Fatalf("the commitment was refused: %q", h.text("[data-testid=error-summary]"))
	}
	h.expectText("[data-testid=notice]", msg(h.pageLang(), "queries.notice_signed"))
	qjExpectStatus(h, portal.QuerySigned)
	if got := h.text("[data-testid=commitment-signed]"); !strings.Contains(got, qjSignerName) || !strings.Contains(got, qjSignerTitle) {
		t.Errorf("the signed commitment reads %q, want the signer %s (%s)", got, qjSignerName, qjSignerTitle)
	}
	h.both("/queries/:id signed", qjNoRecordWording)
	qjReadResult(h, queryPage, me.IDNumber[len(me.IDNumber)-4:])
	// In the other language: the result page's switch returns to the query,
	// where the result is read again (each read is audited, R16).
	h.switchLanguage()
	h.expectPath(queryPage)
	qjReadResult(h, queryPage, me.IDNumber[len(me.IDNumber)-4:])
	h.logout()

	// ---- The person: a notification waits, and "who looked at my record"
	// lists the unit's reads under the query with its purpose.
	h.login(me.Login, testPassword)
	h.expectPath("/cases")
	h.both("", qjNoRecordWording)
	casePage := fmt.Sprintf("/cases/%d", sealed.ID)
	h.visit(casePage)
	unread := h.text("[data-testid=unread-count]")
	if n, err := strconv.Atoi(unread); err != nil || n < 1 {
		t.Errorf("the header's unread count is %q, want a positive number", unread)
	}
	h.both("", qjNoRecordWording)
	if got := h.attr("[data-testid=access-log-link]", "href"); got != casePage+"/access" {
		t.Errorf("the access log link points to %q, want %s/access", got, casePage)
	}
	h.clickAndWait("[data-testid=access-log-link]")
	h.expectPath(casePage + "/access")
	qjAccessLog(h, ref)
	h.screenshot("access-log-" + string(h.pageLang()))
	h.both("", qjNoRecordWording)
	qjAccessLog(h, ref)
	h.screenshot("access-log-" + string(h.pageLang()))
	h.logout()
	// The login page, where each logout lands, in the other language too.
	h.both("", qjNoRecordWording)

	t.Logf("the journey took %v", time.Since(started).Round(100*time.Millisecond))
}

// qjFillQuery fills the query form shown, in the page's language: first
// everything but the legal basis, which is refused with a message for each of
// its three fields (R16) and the other answers kept; then the basis, up to
// check your answers, which shows the answers as typed.
func qjFillQuery(h *harness, idNumber string) {
	h.t.Helper()
	l := h.pageLang()
	h.expectText("[data-testid=page-heading]", msg(l, "queries.form_title"))
	h.expectText("[data-testid=unit-as]", msg(l, "queries.unit_as", qjUnitName, msg(l, "queries.unit_kind."+string(portal.QueryUnitRegulated))))
	// A regulated unit is offered no case summary (R15a) and no basis it
	// may not rely on but "other", so that it learns why it cannot query.
	if h.exists("input[name=scope][value=" + string(portal.ScopeSummary) + "]") {
		h.t.Errorf("a regulated unit is offered a case summary")
	}
	if h.exists("input[name=basis_kind][value=" + string(portal.BasisJudicialInterpretation) + "]") {
		h.t.Errorf("a regulated unit is offered a judicial interpretation as its basis")
	}
	h.fill("#person_id_number", idNumber)
	h.fill("#reason", qjReason)
	h.click("input[name=purpose_category][value=" + string(portal.PurposeEmployment) + "]")
	h.fill("#purpose", qjPurpose)
	h.click("input[name=scope][value=" + string(portal.ScopeDocuments) + "]")
	h.click("input[name=documents][value=" + string(portal.DocJudgment) + "]")
	h.clickAndWait("[data-testid=query-continue]")
	h.expectPath("/queries/new")
	if !h.exists("[data-testid=error-summary]") {
		h.t.Fatalf("a query without its legal basis was not refused: %q", h.text("[data-testid=page-heading]"))
	}
	for field, key := range map[string]string{"basis_kind": "queries.basis_kind_required",
		"law_name": "queries.law_name_required", "law_article": "queries.law_article_required"} {
		sel := "[data-testid=error-" + field + "]"
		if !h.exists(sel) {
			h.t.Errorf("the form without a legal basis says nothing at %s", field)
			continue
		}
		if got := h.text(sel); !strings.Contains(got, msg(l, key)) {
			h.t.Errorf("the message at %s is %q, want %q", field, got, msg(l, key))
		}
		if got := h.attr("[data-testid=error-summary] a[href='#"+field+"']", "href"); got == "" {
			h.t.Errorf("the error summary has no link to %s", field)
		}
	}
	for _, field := range []string{"person_id_number", "reason", "purpose"} {
		if h.exists("[data-testid=error-" + field + "]") {
			h.t.Errorf("the complete answer %s was refused: %q", field, h.text("[data-testid=error-"+field+"]"))
		}
	}
	if got := h.value("#reason"); got != qjReason {
		h.t.Errorf("the refused form kept the reason as %q, want %q", got, qjReason)
	}
	if !h.exists("input[name=documents][value=" + string(portal.DocJudgment) + "]:checked") {
		h.t.Errorf("the refused form lost the judgment ticked")
	}
	h.click("input[name=basis_kind][value=" + string(portal.BasisLaw) + "]")
	h.fill("#law_name", qjLawName)
	h.fill("#law_article", qjLawArticle)
	h.clickAndWait("[data-testid=query-continue]")
	h.expectPath("/queries/new")
	if h.exists("[data-testid=error-summary]") {
		h.t.Fatalf("the complete query was refused: %q", h.text("[data-testid=error-summary]"))
	}
	h.expectText("[data-testid=page-heading]", msg(l, "queries.check_title"))
	h.expectText("[data-testid=answer-person]", idNumber) // the unit checks what it typed
	h.expectText("[data-testid=answer-reason]", qjReason)
	h.expectText("[data-testid=answer-basis]", qjLawName+" "+qjLawArticle)
	h.expectText("[data-testid=answer-purpose]", qjPurpose)
	h.expectText("[data-testid=answer-scope]", qjScopeText(l))
	h.axeVariant("/queries/new check your answers")
}

// qjSignWithoutBox signs the commitment shown without ticking its box: the
// signature is refused with a message at the box, the name and position
// typed are kept, and still nothing of the record is shown (R16).
func qjSignWithoutBox(h *harness) {
	h.t.Helper()
	l := h.pageLang()
	qjExpectStatus(h, portal.QueryApproved)
	h.fill("#signer_name", qjSignerName)
	h.fill("#signer_position", qjSignerTitle)
	h.clickAndWait("[data-testid=sign-commitment]")
	if !h.exists("[data-testid=error-agree]") {
		h.t.Fatalf("a commitment without its box ticked was not refused: %q", h.text("main"))
	}
	if got := h.text("[data-testid=error-agree]"); !strings.Contains(got, msg(l, "queries.agree_required")) {
		h.t.Errorf("the message at the box is %q, want %q", got, msg(l, "queries.agree_required"))
	}
	qjExpectStatus(h, portal.QueryApproved)
	qjNothingShown(h)
	if got := h.value("#signer_name"); got != qjSignerName {
		h.t.Errorf("after the refusal the signer's name is %q, want %q kept", got, qjSignerName)
	}
	if got := h.value("#signer_position"); got != qjSignerTitle {
		h.t.Errorf("after the refusal the signer's position is %q, want %q kept", got, qjSignerTitle)
	}
}

// qjReadResult reads the result from the signed query's page shown: only
// the judgment, marked as sealed-record information on the page, and nothing
// saying that anyone has a criminal record.
func qjReadResult(h *harness, queryPage, last4 string) {
	h.t.Helper()
	l := h.pageLang()
	qjExpectStatus(h, portal.QuerySigned)
	h.clickAndWait("[data-testid=read-result]")
	// POST-redirect-GET (issue 16): the result is shown at the query's page.
	h.expectPath(queryPage)
	if h.exists("[data-testid=read-refused]") {
		h.t.Fatalf("the read was refused: %q", h.text("[data-testid=read-refused]"))
	}
	if got := h.text("[data-testid=sealed-marking]"); !strings.Contains(got, "含犯罪记录封存信息") {
		h.t.Errorf("the result is marked %q, want 含犯罪记录封存信息", got)
	}
	if got := h.text("[data-testid=sealed-marking] [lang=en]"); got != msg(views.LangEN, "queries.marking") {
		h.t.Errorf("the result's English marking is %q, want %q", got, msg(views.LangEN, "queries.marking"))
	}
	h.expectText("[data-testid=result-scope]", qjScopeText(l))
	if n := evalJS[int](h, `document.querySelectorAll("[data-testid=result-document]").length`); n != 1 {
		h.t.Errorf("the result lists %d documents, want the judgment only: %q", n, h.text("main"))
	}
	if !h.exists("[data-testid=result-document][data-kind=" + string(portal.DocJudgment) + "]") {
		h.t.Errorf("the result does not list the judgment: %q", h.text("main"))
	}
	if h.exists("[data-testid=result-case]") || h.exists("[data-testid=no-record-letter]") {
		h.t.Errorf("the result shows more than the documents approved")
	}
	// R14a: the approved lawful querier is told the truth.
	if got := h.text("[data-testid=result-record-exists]"); got != msg(l, "queries.result_record_exists", last4) {
		h.t.Errorf("the result says %q, want that the sealed record exists", got)
	}
	h.screenshot("result-" + string(l))
}

// qjAccessLog checks "who looked at my record" in the page's language: the
// unit's reads under the query, newest first, with the purpose it stated.
func qjAccessLog(h *harness, ref string) {
	h.t.Helper()
	l := h.pageLang()
	h.expectText("[data-testid=page-heading]", msg(l, "accesslog.title"))
	if h.exists("[data-testid=access-none]") {
		h.t.Fatalf("the access log is empty after the unit's reads")
	}
	// The unit's reads (the court's reads of the acts on its decision page
	// are listed too, as its official duty, R17).
	// Issue 16: reads are grouped by unit and day; the line counts them.
	n := evalJS[int](h, `[...document.querySelectorAll("[data-testid=access-entry][data-kind=read]")].filter(e => e.textContent.includes(`+jsString(qjUnitName)+`)).reduce((sum, e) => sum + Number(e.dataset.count), 0)`)
	if n != 2 {
		h.t.Errorf("the access log lists %d reads by the unit, want 2: %q", n, h.text("[data-testid=access-log]"))
	}
	entry := "[data-testid=access-entry][data-kind=read]"
	h.expectText(entry+" [data-testid=access-who]", qjUnitName)
	h.expectText(entry+" [data-testid=access-query]", msg(l, "accesslog.under_query", ref))
	h.expectText(entry+" [data-testid=access-purpose]", msg(l, "accesslog.purpose", qjPurpose))
	if got := h.text(entry); !strings.Contains(got, msg(l, "queries.purpose."+string(portal.PurposeEmployment))) ||
		!strings.Contains(got, msg(l, "role."+string(portal.RoleQueryingUnit))) {
		h.t.Errorf("the access entry reads %q, want the purpose's category and the unit's role", got)
	}
	if h.exists("[data-testid=access-log] input, [data-testid=access-log] button, [data-testid=access-log] form") {
		h.t.Errorf("the access log offers something to change")
	}
	qjNoRecordWording(h)
}

// qjNothingShown fails when the unit's query page shows, or offers to read,
// anything of the sealed record: before the commitment is signed there is
// nothing to see (R16).
func qjNothingShown(h *harness) {
	h.t.Helper()
	for _, sel := range []string{"[data-testid=read-form]", "[data-testid=read-result]", "[data-testid=sealed-marking]",
		"[data-testid=result-document]", "[data-testid=result-case]", "[data-testid=no-record-letter]", "[data-testid=found-case]"} {
		if h.exists(sel) {
			h.t.Errorf("the query page in status %q shows %s before the commitment is signed: %q",
				h.attr("[data-testid=query-status]", "data-status"), sel, h.text(sel))
		}
	}
	if body := evalJS[string](h, `document.body.innerText`); strings.Contains(body, qjCaseNumber) {
		h.t.Errorf("the query page shows the sealed case's number before the commitment is signed")
	}
}

// qjExpectStatus fails unless the query shown is in status want, in words.
func qjExpectStatus(h *harness, want portal.QueryStatus) {
	h.t.Helper()
	sel := "[data-testid=query-status]"
	if got := h.attr(sel, "data-status"); got != string(want) {
		h.t.Fatalf("the query on %s is %q, want %q", h.location().Path, got, want)
	}
	h.expectText(sel, msg(h.pageLang(), "queries.status."+string(want)))
}

// qjScopeText is the journey's scope (the judgment) as the pages say it.
func qjScopeText(l views.Lang) string {
	colon := "："
	if l == views.LangEN {
		colon = ": "
	}
	return msg(l, "queries.scope."+string(portal.ScopeDocuments)) + colon + msg(l, "queries.doc."+string(portal.DocJudgment))
}

// qjNoRecordWording fails when the page says, in either language, that
// someone has a criminal record (R14).
func qjNoRecordWording(h *harness) {
	h.t.Helper()
	body := evalJS[string](h, `document.documentElement.outerHTML`)
	for _, bad := range []string{"有犯罪记录", "has a criminal record"} {
		if strings.Contains(body, bad) {
			h.t.Errorf("%s says %q", h.location().Path, bad)
		}
	}
}

// qjSealedCase stores the person's sealing case, decided by the court and
// taken to sealed (submit, accept, start review, seal), as the store's own
// tests build one: the sealed record a query finds.
func qjSealedCase(h *harness, me, court portal.Account) portal.Case {
	h.t.Helper()
	db, cal := h.DB, portal.DefaultCalendar()
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, me.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = me.Name, me.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = court.OrganID, qjCaseNumber
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2024, Month: 3, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 9, Day: 12}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 18}
		c.HoldingOrganIDs = []uint64{court.OrganID}
		c.DeclaredTrue = true
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: me.ID},
			[]byte("%PDF-1.4 "+string(k))); err != nil {
			h.t.Fatal(err)
		}
	}
	decider := func(a portal.CaseAction) store.Step {
		return store.Step{Action: a, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID}
	}
	seal := decider(portal.ActionSeal)
	seal.Rules = []string{"R2"}
	for _, st := range []store.Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: me.ID, Role: me.Role},
		decider(portal.ActionAccept),
		decider(portal.ActionStartReview),
		seal,
	} {
		if c, err = db.Apply(c.ID, st, cal); err != nil {
			h.t.Fatalf("%s: %v", st.Action, err)
		}
	}
	if !portal.IsSealedRecord(c) {
		h.t.Fatalf("the case is %s, not a sealed record", c.Status)
	}
	return c
}
