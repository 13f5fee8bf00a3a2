package e2e

import (
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sealportal/handlers"
	"sealportal/internal/oidctest"
	"sealportal/portal"
	"sealportal/store"
)

// The identity provider of these journeys is a real OpenID provider in
// process (internal/oidctest: zitadel/oidc's pkg/op).

// openExOfficio has the court open a case about the person (R11).
func openExOfficio(t *testing.T, h *harness, judge portal.Account, name, number string) portal.Case {
	t.Helper()
	c := portal.Case{PersonName: name, PersonIDNumber: number, DecidingOrganID: judge.OrganID, OrganCaseNumber: "(2025)测刑初字第5号",
		Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2025, Month: 9, Day: 1}, Intent: portal.IntentIntentional,
		Acts:    []portal.Act{{Date: portal.Date{Year: 2024, Month: 1, Day: 5}, Main: true}},
		Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}, HoldingOrganIDs: []uint64{judge.OrganID}}
	c, err := h.DB.OpenExOfficio(c, store.Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, AccountID: judge.ID,
		Role: judge.Role, OrganID: judge.OrganID, Rules: []string{"R11"}}, portal.DefaultCalendar())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestJourneyIdentityByOpenIDConnect: a person whose identity is verified
// only by contact does not see the case a court opened about him; he verifies
// his identity through the identity provider (a real OpenID provider) and
// only then finds the case under My cases. Every portal page is checked with
// axe in both languages.
func TestJourneyIdentityByOpenIDConnect(t *testing.T) {
	birth := portal.Date{Year: 2007, Month: 6, Day: 1}
	number := portal.SyntheticIDNumber(91, birth).String()
	h := newHarnessWith(t, func(cfg *handlers.Config, url string) {
		callback := url + "/identity/oidc/callback"
		issuer := oidctest.Start(t, "portal-e2e", "portal-secret", callback, oidctest.Person{ID: "p1", Username: "zhang", Password: "pw-zhang", Name: "张小明", Number: number})
		cfg.OIDC = handlers.OIDCConfig{Issuer: issuer, ClientID: "portal-e2e", ClientSecret: "portal-secret", RedirectURL: callback}
	})
	person := h.createCitizen(portal.RoleMinor, "13900000091", "张小明", 91, birth)
	judge := h.createStaff(portal.RoleCourt, "judge-oidc")
	eo := openExOfficio(t, h, judge, "张小明", number)

	h.visit("/login")
	h.both("")
	h.login(person.Login, testPassword)
	h.both("")
	h.visit("/cases")
	h.both("")
	if h.exists("a[href='/cases/" + strconv.FormatUint(eo.ID, 10) + "']") {
		t.Fatal("the ex officio case is listed before the identity is verified")
	}
	h.visit("/identity")
	h.both("")
	if got := h.attr("[data-testid=identity-level]", "data-level"); got != "contact" {
		t.Fatalf("identity level %q before verification", got)
	}
	// To the provider's own sign-in page (not the portal's: no axe there).
	run(h, "go to the identity provider", chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS("[data-testid=identity-oidc-start]"))))
	h.do("sign in at the identity provider", chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "zhang"), chromedp.SendKeys(chromedp.CSS("#password"), "pw-zhang"))
	run(h, "come back to the portal", chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("button[type=submit]"))))
	h.loaded("back from the identity provider")
	h.expectPath("/identity")
	h.both("with notice")
	if got := h.attr("[data-testid=identity-level]", "data-level"); got != "verified" {
		t.Fatalf("identity level %q after verification", got)
	}
	h.visit("/cases")
	if !h.exists("a[href='/cases/" + strconv.FormatUint(eo.ID, 10) + "']") {
		t.Fatal("the ex officio case is not listed after the identity was verified")
	}
	h.clickAndWait("a[href='/cases/" + strconv.FormatUint(eo.ID, 10) + "']")
	h.both("ex officio case")
}

// TestJourneyIdentityByOrgan: the judge who handles a person's own
// application checks his identity papers on the staff case page (an explicit
// confirmation); the person's account is then identity verified.
func TestJourneyIdentityByOrgan(t *testing.T) {
	h := newHarness(t)
	birth := portal.Date{Year: 2006, Month: 4, Day: 2}
	person := h.createCitizen(portal.RoleMinor, "13900000092", "李小华", 92, birth)
	judge := h.createStaff(portal.RoleCourt, "judge-organ")
	c, err := h.DB.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, person.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = h.DB.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = person.Name, person.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = judge.OrganID, "(2025)测刑初字第6号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2025, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2024, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}
		c.HoldingOrganIDs = []uint64{judge.OrganID}
		c.DeclaredTrue = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := h.DB.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: person.ID}, []byte("%PDF-1.4 x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.DB.Apply(c.ID, store.Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: person.ID, Role: person.Role}, portal.DefaultCalendar()); err != nil {
		t.Fatal(err)
	}

	h.login(judge.Login, testPassword)
	h.both("")
	path := "/staff/cases/" + strconv.FormatUint(c.ID, 10)
	h.visit(path)
	h.both("with identity check")
	h.click("#papers_checked")
	h.clickAndWait("[data-testid=identity-submit]")
	h.expectPath(path)
	h.both("identity checked")
	if !h.exists("[data-testid=identity-done]") {
		t.Fatal("the page does not say the identity is verified")
	}
	a, err := h.DB.Account(person.ID)
	if err != nil || !a.IdentityVerified || a.IdentityMethod != portal.IdentityByOrgan {
		t.Fatalf("account %+v %v", a, err)
	}
	h.logout()
	h.visit("/login")
	h.both("")
	h.login(person.Login, testPassword)
	h.both("")
	h.visit("/identity")
	h.both("")
	if got := h.attr("[data-testid=identity-level]", "data-level"); got != "verified" {
		t.Fatalf("identity level %q", got)
	}
}
