package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// ovSealedCase stores a person's application decided by the court and held
// by the court and the police, who have not confirmed its sealing (R12).
func ovSealedCase(h *harness, person, court portal.Account, police portal.Account, seq uint64) portal.Case {
	h.t.Helper()
	db := h.DB
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(person.Role)}, person.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err = db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = person.Name, person.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = court.OrganID, "(2025)测试刑初字第"+strconv.FormatUint(seq, 10)+"号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2025, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2025, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}
		c.HoldingOrganIDs = []uint64{court.OrganID, police.OrganID}
		c.DeclaredTrue = true
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: person.ID}, []byte("%PDF-1.4 x")); err != nil {
			h.t.Fatal(err)
		}
	}
	cal := portal.DefaultCalendar()
	for _, st := range []store.Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: person.ID, Role: person.Role},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID},
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: court.ID, Role: court.Role, OrganID: court.OrganID, Rules: []string{"R2"}},
	} {
		if c, err = db.Apply(c.ID, st, cal); err != nil {
			h.t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return c
}

// TestJourneySupervisionOpinion: the supervisor issues a correction notice
// from the overdue list (a form without its facts refused first), prints it;
// the court finds it in its list and answers it in writing; the supervisor
// sees it answered. Then the supervisor reads a leak's access log: every read
// of the leaked person's case, and every action of the police official who
// read it (R17, R24, R25, R33). Once in Chinese, once in English; every page
// checked with axe.
func TestJourneySupervisionOpinion(t *testing.T) {
	h := newHarness(t)
	court := h.createStaff(portal.RoleCourt, "ov-court")
	police := h.createStaff(portal.RolePolice, "ov-police")
	h.createStaff(portal.RoleSupervisor, "ov-sup")
	var cases []portal.Case
	var leaks []uint64
	for i := range 2 {
		seq := uint64(61 + i)
		person := h.createCitizen(portal.RoleMinor, "1390000006"+strconv.Itoa(i), "监督测试人", seq, portal.Date{Year: 2008, Month: 4, Day: 1})
		c := ovSealedCase(h, person, court, police, seq)
		cases = append(cases, c)
		// The police official reads the sealed record (on duty, audited).
		if _, err := h.DB.CaseForStaff(c.ID, police, portal.FreshFactor{}, "case_duty", "e2e"); err != nil {
			t.Fatal(err)
		}
		tok := "ov-leak-" + strconv.Itoa(i)
		if _, err := h.DB.SaveLeakDraft(tok, portal.LeakReport{PlaceKind: portal.LeakPlaceWebsite, PlaceDetail: "https://bbs.example.org/t/6" + strconv.Itoa(i),
			SeenOn: portal.DateOf(h.clock.Now()), Disclosed: "判决书照片", SourceKind: portal.LeakSourceUnit, SourceName: "某单位",
			PersonIDNumber: person.IDNumber}, nil, nil); err != nil {
			t.Fatal(err)
		}
		r, _, err := h.DB.SubmitLeakReport(tok, portal.DefaultCalendar(), "e2e")
		if err != nil {
			t.Fatal(err)
		}
		leaks = append(leaks, r.ID)
	}
	// Ten days on: the holders' sealing is overdue (R12).
	h.clock.offset.Add(int64(10 * 24 * time.Hour))

	for i, lang := range []views.Lang{views.LangZH, views.LangEN} {
		c := cases[i]
		h.visit("/")
		if i == 1 {
			h.switchLanguage()
		}
		h.expectLang(lang)
		h.login("ov-sup", testPassword)
		h.visit("/supervision?kind=case")
		h.clickAndWait(`[data-testid=queue-row][data-ref="` + c.Ref + `"] [data-testid=row-opinion]`)
		h.expectPath("/supervision/opinions/new")
		h.fill("#request", "请立即封存该案记录并书面回复纠正情况")
		h.clickAndWait("[data-testid=opinion-submit]")
		if !h.exists("[data-testid=error-summary] a[href='#facts']") {
			t.Fatal("an opinion without its facts was not refused at the field")
		}
		if got := h.value("#request"); got != "请立即封存该案记录并书面回复纠正情况" {
			t.Fatalf("the typed request was lost: %q", got)
		}
		h.fill("#facts", "该案已决定封存，持有案卷的机关逾期未确认封存")
		h.clickAndWait("[data-testid=opinion-submit]")
		number := h.text("[data-testid=opinion-number]")
		if !strings.HasPrefix(number, "JW-") {
			t.Fatalf("opinion number %q", number)
		}
		h.expectText("[data-testid=page-heading]", msg(lang, "oversight.kind.correction"))
		if !h.exists("link[data-testid=print-css][media=print]") {
			t.Fatal("no print stylesheet for A4")
		}
		h.logout()

		h.login("ov-court", testPassword)
		h.visit("/staff/opinions")
		h.clickAndWait(`[data-testid=opinion-row][data-number="` + number + `"] [data-testid=opinion-link]`)
		h.fill("#answer", "本院已于今日完成封存，并书面告知当事人。")
		h.clickAndWait("[data-testid=answer-submit]")
		h.expectText("[data-testid=opinion-answer]", "本院已于今日完成封存，并书面告知当事人。")
		h.logout()

		h.login("ov-sup", testPassword)
		h.visit("/supervision/opinions?state=answered")
		if got := h.attr(`[data-testid=opinion-row][data-number="`+number+`"] [data-testid=opinion-state]`, "data-state"); got != "answered" {
			t.Fatalf("the opinion is %q in the supervisor's list, want answered", got)
		}
		// The leak: its page, then the access log of the person's case and of
		// the official who read it.
		h.visit("/supervision/leaks/" + strconv.FormatUint(leaks[i], 10))
		h.clickAndWait("[data-testid=investigate-link]")
		if !h.exists(`[data-testid=audit-row][data-action=sealed_read][data-account="` + strconv.FormatUint(police.ID, 10) + `"]`) {
			t.Fatal("the police official's read is not in the case's access log")
		}
		h.clickAndWait(`[data-testid=audit-row][data-account="` + strconv.FormatUint(police.ID, 10) + `"] [data-testid=account-log-link]`)
		h.expectText("[data-testid=log-heading]", msg(lang, "oversight.log_of_account", police.ID, police.Organ))
		h.visit("/supervision/unconfirmed")
		h.visit("/supervision/refusals")
		h.logout()
	}
}
