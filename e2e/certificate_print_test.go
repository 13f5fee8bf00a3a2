package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// TestJourneyCertificatePrint: a person whose record is sealed asks for a
// proof of no criminal record; once the police organ has issued it, the
// certificate page prints on exactly one A4 page (printed to PDF by Chromium,
// in Chinese and in English) without saying anything about a record; a
// visitor checks the printed code at /verify in both languages. Every page is
// checked with axe in both languages.
func TestJourneyCertificatePrint(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-cert")
	police := h.createStaff(portal.RolePolice, "police-cert")
	birth := portal.Date{Year: 2006, Month: 4, Day: 20}
	me := h.createCitizen(portal.RoleMinor, "13900007777", "赵小雨", 7701, birth)
	// Issue 11: a certificate is asked for an identity-verified person.
	if _, err := h.DB.VerifyIdentity(me.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: me.IDNumber, Name: me.Name}); err != nil {
		t.Fatal(err)
	}
	certjCompletedCase(h, me, court, police)

	// The person asks, in Chinese.
	h.login(me.Login, testPassword)
	h.visit("/account")
	h.visit("/certificates")
	if !h.exists("input[name=person]:checked") || !h.exists("input[name=police]:checked") {
		t.Fatal("the only person and police organ are not chosen")
	}
	h.clickAndWait("[data-testid=cert-submit]")
	h.expectPath("/certificates")
	href := h.attr("[data-testid=cert-link]", "href")
	id, err := strconv.ParseUint(strings.TrimPrefix(href, "/certificates/"), 10, 64)
	if err != nil {
		t.Fatalf("certificate link %q", href)
	}
	// The police organ checks its records and answers (its own pages are in
	// TestJourneyCertificateCheck); "no record" for a sealed record (R14).
	if _, err := h.DB.RecordCertificateCheck(id, portal.CertificateCheck{Result: portal.CheckNoRecord, Reference: "E2E-1"}, police, "e2e"); err != nil {
		t.Fatal(err)
	}
	if c, err := h.DB.AnswerCertificate(id, police, "e2e"); err != nil || c.Status != portal.CertIssued {
		t.Fatalf("answer: %v %v", c.Status, err)
	}

	// The certificate, printed in both languages: one A4 page each.
	h.visit(href)
	code := h.text("[data-testid=cert-code]")
	if !regexp.MustCompile(`^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){5}$`).MatchString(code) {
		t.Fatalf("code %q", code)
	}
	certjPrintsOnOnePage(h, "zh")
	certjNoRecordWording(h)
	h.switchLanguage()
	h.expectLang(views.LangEN)
	h.expectPath(href)
	certjPrintsOnOnePage(h, "en")
	certjNoRecordWording(h)
	h.visit("/certificates")
	h.visit("/account")
	h.logout()

	// A visitor checks the code, in English and then in Chinese.
	for _, lang := range []views.Lang{views.LangEN, views.LangZH} {
		h.visit("/verify")
		if h.lang() != htmlLang(lang) {
			h.switchLanguage()
		}
		h.expectLang(lang)
		h.fill("#code", code)
		h.clickAndWait("[data-testid=verify-submit]")
		h.expectPath("/verify")
		if got := h.attr("[data-testid=verify-result]", "data-status"); got != "issued" {
			t.Fatalf("verify [%s]: %q", lang, got)
		}
		h.expectText("[data-testid=verify-result] p", msg(lang, "verify.valid"))
		h.expectText("[data-testid=verify-id]", me.IDNumber)
		h.expectText("[data-testid=verify-issued]", views.FormatDay(lang, portal.DateOf(certjNow())))
		// The answer is a page of its own: axe checks it too.
		checkA11y(h.t, h.ctx, "/verify result ["+string(lang)+"]")
		certjNoRecordWording(h)
	}
}

// certjNow is the server's clock: the harness runs it on the wall clock.
var certjNow = portal.SystemClock

// certjPrintsOnOnePage prints the page to PDF on A4 paper, honouring the
// page's own @page size, and fails unless the PDF has exactly one page.
func certjPrintsOnOnePage(h *harness, name string) {
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
	if pages != 1 {
		file := filepath.Join(h.t.TempDir(), "certificate-"+name+".pdf")
		_ = os.WriteFile(file, res.Data, 0o644)
		h.t.Fatalf("the certificate (%s) prints on %d pages, want 1 (PDF kept at %s)", name, pages, file)
	}
	if dir := os.Getenv("E2E_SCREENSHOTS"); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, "certificate-"+name+".pdf"), res.Data, 0o644)
	}
}

// certjNoRecordWording fails when the page says, in either language, that
// someone has a criminal record (R14).
func certjNoRecordWording(h *harness) {
	h.t.Helper()
	body := evalJS[string](h, `document.documentElement.outerHTML`)
	for _, bad := range []string{"有犯罪记录", "has a criminal record"} {
		if strings.Contains(body, bad) {
			h.t.Fatalf("%s says %q", h.location().Path, bad)
		}
	}
}

// certjCompletedCase stores a sealing case of the person, decided by the
// court and held by the court and the police, taken to completed sealing.
func certjCompletedCase(h *harness, me, court, police portal.Account) portal.Case {
	h.t.Helper()
	db, cal := h.DB, portal.DefaultCalendar()
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, me.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = me.Name, me.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = court.OrganID, "(2024)测试刑初字第3号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2024, Month: 2, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 8, Day: 5}}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12, Suspended: true}
		c.HoldingOrganIDs = []uint64{court.OrganID, police.OrganID}
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
	for _, st := range []store.Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: me.ID, Role: me.Role},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID},
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID, Rules: []string{"R2"}},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: police.ID, Role: police.Role, OrganID: police.OrganID},
	} {
		if c, err = db.Apply(c.ID, st, cal); err != nil {
			h.t.Fatalf("%s: %v", st.Action, err)
		}
	}
	if c.Status != portal.StatusCompleted {
		h.t.Fatalf("status %s", c.Status)
	}
	return c
}
