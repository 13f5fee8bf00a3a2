package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// TestJourneyLegalDocs (issue 18): a court seals a case through its console,
// citing the provisions the picker ticks; the sealing notice is numbered,
// printable (each language on one A4 page, printed to PDF by Chromium), the
// court records its service on the person and the explanation of rights
// (R13); every holder organ (the police, the procuratorate) finds it on its
// case page, and the person (who reads English) finds his copy, in Chinese
// and English, on his case page. Each other kind of document — the refusal,
// the unsealing decision, the query decision letter — is printed too and
// counted in pages. Every page is checked with axe in both languages.
func TestJourneyLegalDocs(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-docs")
	police := h.createStaff(portal.RolePolice, "police-docs")
	procur := h.createStaff(portal.RoleProcuratorate, "procur-docs")
	birth := portal.Date{Year: 2006, Month: 4, Day: 20}
	me := h.createAccount(portal.Account{Role: portal.RoleMinor, Login: "13900006601", Mobile: "13900006601", Name: "孙小文",
		IDNumber: portal.SyntheticIDNumber(6601, birth).String(), Lang: portal.LangEN}, testPassword)
	if _, err := h.DB.VerifyIdentity(me.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: me.IDNumber, Name: me.Name}); err != nil {
		t.Fatal(err)
	}
	holders := []uint64{court.OrganID, police.OrganID, procur.OrganID}
	cs := ldjCaseUnderReview(h, me, court, holders, "(2024)测试刑初字第61号")
	staffCase := fmt.Sprintf("/staff/cases/%d", cs.ID)

	// ---- The court seals with the citations ticked for the rules.
	h.login(court.Login, testPassword)
	h.expectPath("/staff")
	h.both("")
	h.visit(staffCase)
	if !h.exists("[data-testid=citation-cpl-286]:checked") {
		t.Fatalf("the picker does not tick CPL art. 286: %q", h.text("[data-testid=citation-picker]"))
	}
	h.both("/staff/cases/:id under review, citation picker")
	appjStaffAction(h, portal.ActionSeal, portal.StatusSealed)
	if !h.exists("[data-testid=legal-docs-section] [data-testid=legal-doc-sealing_notice]") {
		t.Fatalf("the court's case page lists no sealing notice: %q", h.text("main"))
	}
	number := h.text("[data-testid=legal-doc-sealing_notice] [data-testid=legal-doc-number]")
	if !regexp.MustCompile(`^〔\d{4}〕法\d{4}封字第\d+号$`).MatchString(number) {
		t.Fatalf("the notice's number is %q", number)
	}
	h.both("/staff/cases/:id sealed, with its notice")
	h.clickAndWait("[data-testid=legal-doc-sealing_notice] a")
	docPath := staffCase + "/legal-documents/1"
	h.expectPath(docPath)
	h.expectText("[data-testid=legal-doc-text-zh-CN] [data-testid=legal-doc-number]", number)
	if !h.exists("[data-testid=legal-doc-text-en]") {
		t.Fatal("the notice has no English text for a person who reads English")
	}
	citations := h.text("[data-testid=legal-doc-text-zh-CN] [data-testid=legal-doc-citations]")
	if !strings.Contains(citations, "《中华人民共和国刑事诉讼法》第二百八十六条") || regexp.MustCompile(`\bR\d+`).MatchString(citations) {
		t.Fatalf("the notice cites %q", citations)
	}
	ldjPrints(h, "sealing-notice", 2) // Chinese and English, one A4 page each
	h.both("/staff/cases/:id/legal-documents/:n")
	// The service on the person, in person, today.
	h.click("#method-in_person")
	h.clickAndWait("[data-testid=service-submit]")
	h.expectPath(docPath)
	if !h.exists("[data-testid=service-row-0] [data-testid=served]") {
		t.Fatalf("the person's service is not recorded: %q", h.text("[data-testid=legal-doc-services]"))
	}
	h.both("/staff/cases/:id/legal-documents/:n served")
	// R13: the explanation of rights, recorded on the case.
	h.visit(staffCase + "/legal-documents")
	h.both("/staff/cases/:id/legal-documents")
	h.click("#explain-in_person")
	h.click("#to_person")
	h.clickAndWait("[data-testid=explain-submit]")
	h.expectPath(staffCase + "/legal-documents")
	if !h.exists("[data-testid=rights-explanations] li") {
		t.Fatalf("the explanation is not recorded: %q", h.text("main"))
	}
	h.visit(staffCase)
	if !h.exists("[data-testid=legal-docs-section] [data-testid=rights-explanations] li") {
		t.Fatal("the staff case page does not show the explanation of rights")
	}
	h.logout()
	h.expectPath("/login")
	h.both("")

	// ---- Every holder organ received the notice.
	for _, holder := range []portal.Account{police, procur} {
		h.login(holder.Login, testPassword)
		h.visit(staffCase)
		if got := h.text("[data-testid=legal-doc-sealing_notice] [data-testid=legal-doc-number]"); got != number {
			t.Fatalf("%s's case page shows notice %q, want %q", holder.Role, got, number)
		}
		h.both("/staff/cases/:id sealed, holder " + string(holder.Role))
		h.clickAndWait("[data-testid=legal-doc-sealing_notice] a")
		h.expectPath(docPath)
		h.both("/staff/cases/:id/legal-documents/:n holder " + string(holder.Role))
		h.logout()
	}

	// ---- The person's copy, on his case page.
	h.login(me.Login, testPassword)
	h.both("")
	myCase := fmt.Sprintf("/cases/%d", cs.ID)
	h.visit(myCase)
	if !h.exists("[data-testid=my-legal-docs] [data-testid=legal-doc-sealing_notice]") {
		t.Fatalf("the person's case page lists no notice: %q", h.text("main"))
	}
	h.both("/cases/:id sealed, with the notice")
	h.clickAndWait("[data-testid=legal-doc-sealing_notice] a")
	h.expectPath(myCase + "/legal-documents/1")
	if !strings.Contains(h.text("[data-testid=legal-doc-text-en]"), "Notice of Sealing of a Criminal Record") {
		t.Fatalf("the English text: %q", h.text("[data-testid=legal-doc-text-en]"))
	}
	ldjPrints(h, "sealing-notice-citizen", 2)
	h.both("/cases/:id/legal-documents/:n")
	h.logout()

	// ---- The other kinds, each printed: a refusal (Chinese only, for a
	// person without an account language), an unsealing decision and a
	// query decision letter.
	other := h.createCitizen(portal.RoleMinor, "13900006602", "周小林", 6602, birth)
	// Six years: the rules refuse too, so one official decides (issue 18).
	refused := ldjCaseUnderReview(h, other, court, holders, "(2024)测试刑初字第62号", func(c *portal.Case) {
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 72}
	})
	if _, _, err := h.DB.ApplyWithDocument(refused.ID, store.Step{Action: portal.ActionReject, Actor: portal.ActorDecider, AccountID: court.ID,
		Role: court.Role, OrganID: court.OrganID, Rules: []string{"R2"}, Note: "数罪并罚后决定执行的刑罚超过五年有期徒刑。"}, portal.DefaultCalendar(),
		store.DocIssue{Kind: portal.DocRefusalDecision, Citations: []string{"cpl-286", "cl-99", "measures-eligibility"}, Reasons: "数罪并罚后决定执行的刑罚超过五年有期徒刑。"}); err != nil {
		t.Fatal(err)
	}
	unsealed := ldjCaseUnderReview(h, other, court, holders, "(2024)测试刑初字第63号")
	cal := portal.DefaultCalendar()
	courtStep := store.Step{Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID}
	seal := courtStep
	seal.Action, seal.Rules = portal.ActionSeal, []string{"R2"}
	if _, _, err := h.DB.ApplyWithDocument(unsealed.ID, seal, cal, store.DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286"}}); err != nil {
		t.Fatal(err)
	}
	if _, c, err := h.DB.RecordUnsealingEvent(unsealed.ID, portal.UnsealingRecord{LegalBasis: "（2026）测试刑初字第70号刑事判决",
		Event: portal.UnsealingEvent{Kind: portal.UnsealingNewCrime, ActDate: portal.Date{Year: 2024, Month: 1, Day: 10}, CombinedMonths: 61}},
		courtStep, cal); err != nil || c.Status != portal.StatusUnsealingApproval {
		t.Fatalf("unsealing: %v %v", c.Status, err)
	}
	// Issue 18: a second official of the court approves; the decision is
	// issued with the approval.
	second := h.createStaff(portal.RoleCourt, "court-docs-2")
	if _, _, err := h.DB.DecideUnsealingApproval(unsealed.ID, store.UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalUnseal},
		Citations: []string{"measures-unsealing", "spp-485"}}, store.Step{AccountID: second.ID, Role: second.Role, OrganID: second.OrganID}, cal); err != nil {
		t.Fatal(err)
	}
	unit := h.createAccount(portal.Account{Role: portal.RoleQueryingUnit, UnitKind: string(portal.QueryUnitRegulated),
		Organ: "测试市某幼儿园", Login: "unit-docs", Name: "测试查询员"}, testPassword)
	q, err := h.DB.CreateQuery(portal.Query{PersonIDNumber: me.IDNumber, Reason: "拟聘用为保育员",
		Basis:           portal.LegalBasis{Kind: portal.BasisKind("law"), Name: "《中华人民共和国未成年人保护法》", Article: "第六十二条"},
		PurposeCategory: portal.QueryPurpose("employment"), Purpose: "入职前查询",
		Requested: portal.QueryScope{Kind: portal.ScopeDocuments, Documents: []portal.DocumentKind{portal.DocJudgment}}}, unit, cal, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	if q.OrganID == court.OrganID {
		if _, err := h.DB.DecideQuery(q.ID, portal.QueryDecision{Reason: "查询目的与所依据的法律规定不符。"}, court, "e2e"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.DB.IssueQueryDocument(q.ID, courtStep, []string{"cpl-286", "measures-query"}); err != nil {
			t.Fatal(err)
		}
	}

	h.login(court.Login, testPassword)
	for _, k := range []struct {
		kind portal.LegalDocKind
		path string
	}{
		{portal.DocRefusalDecision, fmt.Sprintf("/staff/cases/%d/legal-documents/1", refused.ID)},
		{portal.DocUnsealingDecision, fmt.Sprintf("/staff/cases/%d/legal-documents/2", unsealed.ID)},
		{portal.DocQueryDecision, fmt.Sprintf("/staff/queries/%d/legal-documents/1", q.ID)},
	} {
		if k.kind == portal.DocQueryDecision && q.OrganID != court.OrganID {
			t.Fatalf("the query went to organ %d, not the court", q.OrganID)
		}
		h.visit(k.path)
		h.expectPath(k.path)
		if got := h.text("[data-testid=page-heading]"); got != views.Translate(views.LangZH, "legaldoc.kind."+string(k.kind)) {
			t.Errorf("%s: heading %q", k.kind, got)
		}
		ldjPrints(h, string(k.kind), 1)
		h.both(k.path)
	}
}

// ldjCaseUnderReview stores a sent application of the person, decided by
// the court and held by holders, taken to the court's review.
func ldjCaseUnderReview(h *harness, me, court portal.Account, holders []uint64, number string, change ...func(*portal.Case)) portal.Case {
	h.t.Helper()
	db, cal := h.DB, portal.DefaultCalendar()
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, me.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = me.Name, me.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = court.OrganID, number
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2024, Month: 2, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 8, Day: 5}}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12, Suspended: true}
		c.HoldingOrganIDs = holders
		c.DeclaredTrue = true
		for _, f := range change {
			f(c)
		}
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
	for _, st := range []store.Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: me.ID, Role: me.Role},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID},
	} {
		if c, err = db.Apply(c.ID, st, cal); err != nil {
			h.t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return c
}

// ldjPrints prints the page to PDF on A4 paper, honouring the page's own
// @page size, and fails unless the PDF has exactly want pages (one per
// language of the document).
func ldjPrints(h *harness, name string, want int) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, stepTimeout)
	defer cancel()
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69,
		PreferCSSPageSize: &yes, PrintBackground: &yes})
	if err != nil {
		h.t.Fatalf("print to PDF (%s): %v", name, err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(res.Data, -1))
	if pages != want {
		file := filepath.Join(os.TempDir(), "legaldoc-"+name+".pdf")
		_ = os.WriteFile(file, res.Data, 0o644)
		h.t.Fatalf("the document %s prints on %d pages, want %d (PDF kept at %s)", name, pages, want, file)
	}
	if dir := os.Getenv("E2E_SCREENSHOTS"); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, "legaldoc-"+name+".pdf"), res.Data, 0o644)
	}
}
