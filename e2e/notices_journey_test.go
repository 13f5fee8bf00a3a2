package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// TestJourneyNoticesNoDeadEnds (issue 16): a person whose case was refused
// sees what to do next and follows the links (a relief request, the
// contacts); "who looked at my record" is grouped by organ and day; the
// glossary; the same pages on a phone (390x844), where tables reflow into
// labelled rows; and the quick exit from the case page ends the session.
// Every page is checked with axe in both languages.
func TestJourneyNoticesNoDeadEnds(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "court-notices")
	police := h.createStaff(portal.RolePolice, "police-notices")
	me := h.createCitizen(portal.RoleMinor, "13900008888", "周小安", 8801, portal.Date{Year: 2006, Month: 4, Day: 20})
	if _, err := h.DB.VerifyIdentity(me.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: me.IDNumber, Name: me.Name}); err != nil {
		t.Fatal(err)
	}
	cs := noticesRefusedCase(h, me, court, police)
	// The court reads the case twice and the police once, on the same day.
	for _, reader := range []portal.Account{court, court, police} {
		if _, err := h.DB.CaseForStaff(cs.ID, reader, portal.ProveFreshFactor(reader.ID, time.Now()), "case_duty", "e2e"); err != nil {
			t.Fatal(err)
		}
	}
	casePath := "/cases/" + itoa(cs.ID)

	h.login(me.Login, testPassword)
	h.both("")
	for _, phone := range []bool{false, true} {
		if phone {
			h.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3)))
		}
		variant := map[bool]string{false: "desktop", true: "phone"}[phone]

		// The refused case: next steps with working links.
		h.visit(casePath)
		h.both("refused case "+variant, func(h *harness) {
			l := h.pageLang()
			if got := h.attr("[data-testid=next-steps]", "data-kind"); got != "rejected" {
				h.t.Fatalf("next steps %q, want rejected", got)
			}
			h.expectText("#next-steps-heading", msg(l, "notices.next.heading"))
			for sel, want := range map[string]string{
				"[data-testid=next-relief]":     "/relief/new",
				"[data-testid=next-12309-tel]":  "tel:12309",
				"[data-testid=next-12309-web]":  "https://www.12309.gov.cn/",
				"[data-testid=next-12348]":      "tel:12348",
				"[data-testid=next-contact]":    "/help/contact",
				"[data-testid=access-log-link]": "/cases/" + itoa(cs.ID) + "/access",
			} {
				if got := h.attr(sel, "href"); got != want {
					h.t.Errorf("%s links to %q, want %q", sel, got, want)
				}
			}
			if txt := h.text("main"); ruleIDInText.MatchString(txt) {
				h.t.Errorf("the case page shows a rule id: %q", ruleIDInText.FindString(txt))
			}
		})
		h.clickAndWait("[data-testid=next-relief]")
		h.expectPath("/relief/new")
		h.both("relief form " + variant)
		h.visit(casePath)
		h.clickAndWait("[data-testid=next-contact]")
		h.expectPath("/help/contact")
		h.both("contact "+variant, func(h *harness) {
			if !h.exists("[data-testid=operator-unset]") {
				h.t.Error("the contact page does not say whom to ask without an operator contact")
			}
		})

		// Who looked: one line per organ and day.
		h.visit(casePath)
		h.clickAndWait("[data-testid=access-log-link]")
		h.both("access log "+variant, func(h *harness) {
			counts := evalJS[string](h, `[...document.querySelectorAll("[data-testid=access-entry][data-kind=read]")].map(r => r.dataset.count).sort().join(",")`)
			if counts != "1,2" {
				h.t.Errorf("access lines with counts %q, want the court's 2 and the police's 1", counts)
			}
			if strings.Contains(h.text("main"), msg(h.pageLang(), "accesslog.intro")) {
				h.t.Error("the access log says the record is sealed before it is")
			}
			if phone {
				// Stacked rows, each cell under its column's label.
				got := evalJS[string](h, `(() => { const td = document.querySelector("[data-testid=access-entry] td");
					return getComputedStyle(td).display + "|" + getComputedStyle(td, "::before").content })()`)
				want := "block|\"" + msg(h.pageLang(), "notices.access.col_day") + "\""
				if got != want {
					h.t.Errorf("on a phone the access table cell is %q, want %q", got, want)
				}
				if w := evalJS[int](h, `document.documentElement.scrollWidth`); w > 390 {
					h.t.Errorf("the access log is %dpx wide on a 390px phone", w)
				}
			}
		})
		h.visit("/help/glossary")
		h.both("glossary " + variant)
	}

	// Printing the case page prints the record, not the forms, navigation
	// or buttons.
	h.do("desktop viewport", chromedp.EmulateViewport(1280, 1000))
	h.visit(casePath)
	if _, err := chromedp.Call(h.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	printed := evalJS[string](h, `["[data-testid=message-form]", ".site-header", "[data-testid=quick-exit-bar]", "[data-testid=timeline]", "[data-testid=case-summary]"]
		.map(s => { const e = document.querySelector(s); return e ? getComputedStyle(e).display : "absent" }).join(",")`)
	if parts := strings.Split(printed, ","); len(parts) != 5 || parts[0] != "none" || parts[1] != "none" || parts[2] != "none" || parts[3] == "none" || parts[4] == "none" {
		t.Errorf("printed case page (form, header, quick exit, timeline, summary): %s", printed)
	}
	if _, err := chromedp.Call(h.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
		t.Fatal(err)
	}

	// Quick exit from the case page ends the session. The neutral site is
	// replaced by this portal's help page so that the test needs no network.
	h.visit(casePath)
	evalJS[bool](h, `document.querySelector("[data-quick-exit-form]").setAttribute("data-target", location.origin + "/help"); true`)
	h.clickAndWait("[data-testid=quick-exit]")
	h.expectPath("/help")
	h.both("")
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.visit("/cases")
		if h.location().Path == "/login" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still signed in after the quick exit (at %s)", h.location().Path)
		}
		time.Sleep(200 * time.Millisecond)
	}
	h.visit("/login")
	h.both("")
	if h.pageLang() != views.LangZH && h.pageLang() != views.LangEN {
		t.Errorf("page language %q", h.pageLang())
	}
}

var ruleIDInText = regexp.MustCompile(`\bR[0-9]+\b`)

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

// noticesRefusedCase stores a case of the person that the court refused.
func noticesRefusedCase(h *harness, me, court, police portal.Account) portal.Case {
	h.t.Helper()
	db, cal := h.DB, portal.DefaultCalendar()
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, me.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = me.Name, me.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = court.OrganID, "(2024)测试刑初字第9号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2024, Month: 2, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 8, Day: 5}}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 72}
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
		{Action: portal.ActionReject, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID,
			Rules: []string{"R2"}, Note: "判处六年有期徒刑，超过五年"},
	} {
		if c, err = db.Apply(c.ID, st, cal); err != nil {
			h.t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return c
}
