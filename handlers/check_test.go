package handlers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/views"
)

// The eligibility check, driven like a browser: each page's form is read
// (hidden fields, typed values, checked radios), the test's answers are put
// in, and the form is posted with the button pressed. Today is testEpoch
// (10 March 2026).

var (
	chkFormRE    = regexp.MustCompile(`(?s)<form\b[^>]*>.*?</form>`)
	chkFormTagRE = regexp.MustCompile(`^<form\b[^>]*>`)
	chkInputRE   = regexp.MustCompile(`<input\b[^>]*>`)
	chkTypeRE    = regexp.MustCompile(`\btype="([^"]*)"`)
	chkCheckedRE = regexp.MustCompile(`\schecked(\s|>|/|=)`)
	chkActionRE  = regexp.MustCompile(`\baction="([^"]*)"`)
	chkMethodRE  = regexp.MustCompile(`\bmethod="([^"]*)"`)
	chkHrefRE    = regexp.MustCompile(`\bhref="([^"]*)"`)
	chkStepRE    = regexp.MustCompile(`data-testid="check-form" data-step="([^"]*)"`)
	chkOutcomeRE = regexp.MustCompile(`data-testid="check-outcome" data-outcome="([^"]*)"`)
	chkRulesRE   = regexp.MustCompile(`data-testid="check-rules" data-rules="([^"]*)"`)
)

// chkForm returns the action of the form with the given data-testid and what
// a browser would send from it (without any button).
func chkForm(t *testing.T, p *testPage, testid string) (string, url.Values) {
	t.Helper()
	for _, f := range chkFormRE.FindAllString(p.body, -1) {
		tag := chkFormTagRE.FindString(f)
		if !strings.Contains(tag, `data-testid="`+testid+`"`) {
			continue
		}
		v := url.Values{}
		for _, in := range chkInputRE.FindAllString(f, -1) {
			n, val, typ := nameRE.FindStringSubmatch(in), valueRE.FindStringSubmatch(in), chkTypeRE.FindStringSubmatch(in)
			if n == nil {
				continue
			}
			value := ""
			if val != nil {
				value = html.UnescapeString(val[1])
			}
			if typ != nil && (typ[1] == "radio" || typ[1] == "checkbox") && !chkCheckedRE.MatchString(in) {
				continue
			}
			v.Add(html.UnescapeString(n[1]), value)
		}
		return html.UnescapeString(chkActionRE.FindStringSubmatch(tag)[1]), v
	}
	t.Fatalf("no form %q on the page (status %d)\n%s", testid, p.status, excerpt(p))
	return "", nil
}

// chkWizard is one person going through the check.
type chkWizard struct {
	t    *testing.T
	c    *testClient
	page *testPage
	// answers are the values typed so far (of four characters or more, so
	// that "6" does not match everything), which no URL may contain.
	answers []string
}

// chkStart opens the start page and follows "start".
func chkStart(t *testing.T, c *testClient) *chkWizard {
	t.Helper()
	w := &chkWizard{t: t, c: c}
	w.page = c.get("/check").wantStatus(t, http.StatusOK)
	w.link("check-start")
	w.wantStep(views.CheckStepBirthDate)
	return w
}

// link follows the link with the given data-testid, as a click would.
func (w *chkWizard) link(testid string) *testPage {
	w.t.Helper()
	m := regexp.MustCompile(`<a\b[^>]*\bhref="([^"]*)"[^>]*data-testid="` + regexp.QuoteMeta(testid) + `"`).FindStringSubmatch(w.page.body)
	if m == nil {
		w.t.Fatalf("no link %q on the page\n%s", testid, excerpt(w.page))
	}
	w.page = w.c.get(html.UnescapeString(m[1])).wantStatus(w.t, http.StatusOK)
	chkNoAnswersInURLs(w.t, w.page, w.answers)
	return w.page
}

// back follows the page's back link (as the browser's Back button would
// show the question before: by its own address).
func (w *chkWizard) back() *testPage {
	w.t.Helper()
	return w.link("check-back")
}

// change follows the result page's change link of question st.
func (w *chkWizard) change(st views.CheckStep) *testPage {
	w.t.Helper()
	return w.link("check-change-" + string(st))
}

// wantCheckErrors fails unless the page shows the question again with an
// error summary (after the post and the redirect).
func (p *testPage) wantCheckErrors(t *testing.T) *testPage {
	t.Helper()
	if _, ok := p.testid("error-summary"); !ok || p.status != http.StatusOK {
		t.Fatalf("no error summary (status %d)\n%s", p.status, excerpt(p))
	}
	return p
}

// press fills in the form with set and presses the button name=value: the
// post is answered with a redirect to a page without answers in its URL,
// which is then loaded.
func (w *chkWizard) press(form, name, value string, set url.Values) *testPage {
	w.t.Helper()
	action, v := chkForm(w.t, w.page, form)
	for k, vs := range set {
		v[k] = vs
		for _, s := range vs {
			if len(s) >= 4 {
				w.answers = append(w.answers, s)
			}
		}
	}
	v.Set(name, value)
	if !strings.HasPrefix(action, "/check/") {
		w.t.Fatalf("form %s posts to %q", form, action)
	}
	posted := w.c.do(http.MethodPost, action, v)
	loc := posted.header.Get("Location")
	if posted.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/check/") {
		w.t.Fatalf("POST %s: %d to %q, want 303 to a question\n%s", action, posted.status, loc, excerpt(posted))
	}
	for _, ans := range w.answers {
		if strings.Contains(loc, ans) {
			w.t.Errorf("redirect %q carries the answer %q", loc, ans)
		}
	}
	w.page = w.c.get(loc)
	if w.page.status != http.StatusOK {
		w.t.Fatalf("GET %s: %d\n%s", loc, w.page.status, excerpt(w.page))
	}
	chkNoAnswersInURLs(w.t, w.page, w.answers)
	if cc := w.page.header.Get("Cache-Control"); cc != "no-store" {
		w.t.Errorf("check page Cache-Control %q", cc)
	}
	return w.page
}

// answer fills in the question and presses "continue".
func (w *chkWizard) answer(set url.Values) *testPage {
	w.t.Helper()
	return w.press("check-form", views.CheckFieldAction, views.CheckActionContinue, set)
}

// step is the question shown, or "result".
func (w *chkWizard) step() views.CheckStep {
	if m := chkStepRE.FindStringSubmatch(w.page.body); m != nil {
		return views.CheckStep(m[1])
	}
	if chkOutcomeRE.MatchString(w.page.body) {
		return views.CheckStepResult
	}
	return ""
}

func (w *chkWizard) wantStep(st views.CheckStep) *chkWizard {
	w.t.Helper()
	if got := w.step(); got != st {
		w.t.Fatalf("at %q (status %d), want %q\n%s", got, w.page.status, st, excerpt(w.page))
	}
	return w
}

// wantResult checks the outcome and the rules cited.
func (w *chkWizard) wantResult(outcome portal.Outcome, rules string) *chkWizard {
	w.t.Helper()
	w.wantStep(views.CheckStepResult)
	if got := chkOutcomeRE.FindStringSubmatch(w.page.body)[1]; got != string(outcome) {
		w.t.Fatalf("outcome %s, want %s\n%s", got, outcome, excerpt(w.page))
	}
	if got := chkRulesRE.FindStringSubmatch(w.page.body); got == nil || got[1] != rules {
		w.t.Fatalf("rules %v, want %q", got, rules)
	}
	return w
}

// chkDate is a date's three boxes.
func chkDate(base, iso string) url.Values {
	p := strings.Split(iso, "-")
	return url.Values{base + "-year": {p[0]}, base + "-month": {p[1]}, base + "-day": {p[2]}}
}

func chkJoin(vs ...url.Values) url.Values {
	out := url.Values{}
	for _, v := range vs {
		for k, x := range v {
			out[k] = x
		}
	}
	return out
}

func chkOne(name, value string) url.Values { return url.Values{name: {value}} }

// chkNoAnswersInURLs: every form posts, to a URL without a query, and no link
// on the page carries an answer.
func chkNoAnswersInURLs(t *testing.T, p *testPage, answers []string) {
	t.Helper()
	for _, f := range chkFormRE.FindAllString(p.body, -1) {
		tag := chkFormTagRE.FindString(f)
		m, a := chkMethodRE.FindStringSubmatch(tag), chkActionRE.FindStringSubmatch(tag)
		if m == nil || !strings.EqualFold(m[1], "post") || a == nil || strings.Contains(a[1], "?") {
			t.Errorf("form %s does not post to a plain URL", tag)
		}
	}
	for _, h := range chkHrefRE.FindAllStringSubmatch(p.body, -1) {
		href := html.UnescapeString(h[1])
		if strings.HasPrefix(href, "/static/") {
			continue // versioned assets
		}
		for _, ans := range answers {
			if strings.Contains(href, ans) {
				t.Errorf("link %q carries the answer %q", href, ans)
			}
		}
	}
	if q := p.url.RawQuery; q != "" && q != views.CheckFieldFrom+"="+views.CheckFromResult && q != "then=apply" {
		t.Errorf("page URL %s has a query", p.url)
	}
}

// The start page, and a whole journey to "must be sealed" in Chinese.
func TestCheckJourneySeal(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	start := c.get("/check").wantStatus(t, http.StatusOK)
	if h, _ := start.testid("page-heading"); h != views.Translate(views.LangZH, "check.start.heading") {
		t.Fatalf("start heading %q", h)
	}
	if start.header.Get("Cache-Control") != "no-store" {
		t.Error("start page may be cached")
	}
	w := chkStart(t, c)
	w.answer(chkDate("birth-date", "2005-06-10")).wantStatus(t, http.StatusOK)
	w.wantStep(views.CheckStepActs)
	w.answer(chkDate("acts-0-date", "2023-06-10")) // the 18th birthday itself (R1)
	w.wantStep(views.CheckStepOutcome)             // one act: no main-act question
	w.answer(chkOne("disposition", "sentenced")).wantStatus(t, http.StatusOK)
	w.wantStep(views.CheckStepPenalty)
	w.answer(chkOne("penalty-kind", "fixed_term"))
	w.wantStep(views.CheckStepTerm)
	w.answer(url.Values{"penalty-months": {"60"}, "penalty-days": {"0"}}).wantStatus(t, http.StatusOK)
	w.wantResult(portal.OutcomeSeal, "R1 R2")
	p := w.page
	p.wantText(t, views.Translate(views.LangZH, "check.result.seal"), views.Translate(views.LangZH, "eligibility.reason.term_within"),
		"2005年6月10日", "2023年6月10日", "5 年", "12348", "12309",
		// The legal basis by articles of law, never the portal's rule ids.
		"《刑事诉讼法》第二百八十六条")
	if regexp.MustCompile(`>[^<]*\bR[0-9]{1,2}\b[^<]*<`).MatchString(p.body) {
		t.Errorf("the result shows a rule id: %s", regexp.MustCompile(`>[^<]*\bR[0-9]{1,2}\b[^<]*<`).FindString(p.body))
	}
	if h, _ := p.testid("page-heading"); h != views.Translate(views.LangZH, "check.result.heading") {
		t.Errorf("result heading %q", h)
	}
	if _, ok := p.testid("check-register"); !ok {
		t.Error("a visitor is not offered to register")
	}
	if _, ok := p.testid("check-apply"); ok {
		t.Error("a visitor is offered /apply")
	}
	for _, st := range []views.CheckStep{views.CheckStepBirthDate, views.CheckStepActs, views.CheckStepOutcome, views.CheckStepPenalty, views.CheckStepTerm} {
		if _, ok := p.testid("check-change-" + string(st)); !ok {
			t.Errorf("no change button for %s", st)
		}
	}
	if _, ok := p.testid("check-change-main-act"); ok {
		t.Error("change button for a question not asked")
	}
}

// Each outcome through the pages, in English.
func TestCheckJourneyOutcomes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	type step struct {
		at  views.CheckStep
		set url.Values
	}
	birth := step{views.CheckStepBirthDate, chkDate("birth-date", "2005-06-10")}
	act := func(iso string) step { return step{views.CheckStepActs, chkDate("acts-0-date", iso)} }
	cases := []struct {
		name    string
		steps   []step
		outcome portal.Outcome
		rules   string
		text    string
	}{
		{"exemption", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "exempted")}},
			portal.OutcomeSeal, "R1 R2", "The record must be sealed"},
		{"suspended prison term", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "sentenced")},
			{views.CheckStepPenalty, chkOne("penalty-kind", "fixed_term")},
			{views.CheckStepTerm, url.Values{"penalty-months": {"36"}, "penalty-suspended": {"yes"}}}},
			portal.OutcomeSeal, "R1 R2 R3", "3 years, suspended"},
		{"60 months and a day", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "sentenced")},
			{views.CheckStepPenalty, chkOne("penalty-kind", "fixed_term")},
			{views.CheckStepTerm, url.Values{"penalty-months": {"60"}, "penalty-days": {"1"}}}},
			portal.OutcomeNotEligible, "R1 R2", "Not eligible under this law"},
		{"life", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "sentenced")},
			{views.CheckStepPenalty, chkOne("penalty-kind", "life")}},
			portal.OutcomeNotEligible, "R1 R2", "Life imprisonment"},
		{"detention, no term asked", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "sentenced")},
			{views.CheckStepPenalty, chkOne("penalty-kind", "criminal_detention")}},
			portal.OutcomeSeal, "R1 R2", "Criminal detention"},
		// R6 decides on the dates alone: how the case ended is not asked.
		{"adult acts", []step{birth, act("2023-06-11")},
			portal.OutcomeNotEligible, "R1 R6", "Not eligible under this law"},
		{"3 years 6 months", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "sentenced")},
			{views.CheckStepPenalty, chkOne("penalty-kind", "fixed_term")},
			{views.CheckStepTerm, url.Values{"penalty-years": {"3"}, "penalty-months": {"6"}}}},
			portal.OutcomeSeal, "R1 R2", "3 years 6 months"},
		{"5 years 1 month", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "sentenced")},
			{views.CheckStepPenalty, chkOne("penalty-kind", "fixed_term")},
			{views.CheckStepTerm, url.Values{"penalty-years": {"5"}, "penalty-months": {"1"}}}},
			portal.OutcomeNotEligible, "R1 R2", "5 years 1 month"},
		{"pending", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "pending")}},
			portal.OutcomeNotYet, "R1 R12", "Not yet: the case has not ended"},
		{"acquitted", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "acquitted_insufficient_evidence")}},
			portal.OutcomeSeal, "R1 R10", "The record must be sealed"},
		// Issue 12: the new dispositions and penalty kind in the wizard (R28)
		// and an impossible input said clearly (R29).
		{"R28 administrative penalty", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "administrative_penalty")}},
			portal.OutcomeSeal, "R1 R28", "An administrative penalty"},
		{"R28 specialised correctional education", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "specialised_correctional_education")}},
			portal.OutcomeSeal, "R1 R28", "Specialised correctional education"},
		{"R28 deportation", []step{birth, act("2022-01-01"), {views.CheckStepOutcome, chkOne("disposition", "sentenced")},
			{views.CheckStepPenalty, chkOne("penalty-kind", "deportation")}},
			portal.OutcomeSeal, "R1 R2 R28", "Only deportation"},
		{"29 February birthday", []step{{views.CheckStepBirthDate, chkDate("birth-date", "2004-02-29")}, act("2022-03-01"),
			{views.CheckStepOutcome, chkOne("disposition", "case_withdrawn")}},
			portal.OutcomeSeal, "R1 R9", "29 February 2004"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ts.newClient()
			c.setLang("en")
			w := chkStart(t, c)
			for _, s := range tc.steps {
				w.wantStep(s.at)
				w.answer(s.set)
			}
			w.wantResult(tc.outcome, tc.rules)
			w.page.wantText(t, tc.text, "Check your answers", "Where to get help")
		})
	}
}

// Acts on both sides of the 18th birthday: rows added without JavaScript, the
// main act asked, and each answer to it.
func TestCheckStraddlingActs(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, tc := range []struct {
		main    string
		outcome portal.Outcome
		rules   string
	}{
		{"0", portal.OutcomeSeal, "R1 R5 R2"},
		{"1", portal.OutcomeNotEligible, "R1 R5"},
		{views.CheckMainUnknown, portal.OutcomeReview, "R1 R5"},
	} {
		t.Run(tc.main, func(t *testing.T) {
			t.Parallel()
			w := chkStart(t, ts.newClient())
			w.answer(chkDate("birth-date", "2005-06-10"))
			w.press("check-form", views.CheckFieldAction, views.CheckActionAddAct, chkDate("acts-0-date", "2023-05-01"))
			w.wantStep(views.CheckStepActs)
			if v, _ := w.page.inputValue("acts-0-date-year"); v != "2023" {
				t.Fatalf("first row lost: %q", v)
			}
			if !strings.Contains(w.page.body, `id="acts-1-date"`) || !regexp.MustCompile(`<input[^>]*id="acts-1-date"[^>]*autofocus`).MatchString(w.page.body) {
				t.Fatal("no focused second row")
			}
			w.answer(chkDate("acts-1-date", "2023-08-01"))
			w.wantStep(views.CheckStepMainAct)
			w.page.wantText(t, "2023年5月1日", "2023年8月1日")
			// No choice is an error, in Chinese by default.
			w.answer(nil).wantCheckErrors(t)
			w.wantStep(views.CheckStepMainAct)
			if got := w.page.fieldError(views.CheckFieldMain); !strings.Contains(got, views.Translate(views.LangZH, "check.main_required")) {
				t.Fatalf("main-act error %q", got)
			}
			w.answer(chkOne(views.CheckFieldMain, tc.main))
			w.wantStep(views.CheckStepOutcome)
			w.answer(chkOne("disposition", "sentenced"))
			w.answer(chkOne("penalty-kind", "fixed_term"))
			w.answer(url.Values{"penalty-months": {"24"}})
			w.wantResult(tc.outcome, tc.rules)
			if _, ok := w.page.testid("check-change-main-act"); !ok {
				t.Error("no change button for the main act")
			}
		})
	}
}

// Up to five rows, the last can be removed, empty rows are ignored.
func TestCheckAddAndRemoveActs(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	w := chkStart(t, ts.newClient())
	w.answer(chkDate("birth-date", "2005-06-10"))
	for i := 1; i < views.CheckMaxActs; i++ {
		w.press("check-form", views.CheckFieldAction, views.CheckActionAddAct, nil)
	}
	if _, ok := w.page.testid("check-add-act"); ok {
		t.Fatal("add button offered at the maximum")
	}
	if _, ok := w.page.testid("check-acts-max"); !ok {
		t.Fatal("no explanation of the maximum")
	}
	if !strings.Contains(w.page.body, `id="acts-4-date"`) {
		t.Fatal("no fifth row")
	}
	w.press("check-form", views.CheckFieldAction, views.CheckActionRemoveAct, nil)
	if strings.Contains(w.page.body, `id="acts-4-date"`) || !strings.Contains(w.page.body, `id="acts-3-date"`) {
		t.Fatal("remove did not drop the last row")
	}
	// Only the third row filled: the empty ones go, and it becomes the only act.
	w.answer(chkDate("acts-2-date", "2022-01-01"))
	w.wantStep(views.CheckStepOutcome)
	w.answer(chkOne("disposition", "no_criminal_liability"))
	w.wantResult(portal.OutcomeSeal, "R1 R9")
	// A tampered row count is clamped, and its empty rows dropped.
	w.change(views.CheckStepActs)
	w.press("check-form", views.CheckFieldAction, views.CheckActionContinue, url.Values{views.CheckFieldActsCount: {"999"}})
	w.wantResult(portal.OutcomeSeal, "R1 R9")
	if p := w.change(views.CheckStepActs); strings.Contains(p.body, `id="acts-1-date"`) {
		t.Fatal("rows invented from a tampered count")
	}
}

// A wrong answer comes back with an error summary linking to the field, the
// message in the reader's language, and what was typed kept.
func TestCheckInvalidAnswers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, lang := range []views.Lang{views.LangZH, views.LangEN} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			c := ts.newClient()
			if lang == views.LangEN {
				c.setLang("en")
			}
			w := chkStart(t, c)
			cases := []struct {
				set url.Values
				key string
			}{
				{chkDate("birth-date", "2005-02-30"), "check.date_invalid"},
				{chkDate("birth-date", "05-06-10"), "check.date_invalid"},
				{url.Values{"birth-date-year": {"2005"}, "birth-date-month": {"6"}, "birth-date-day": {""}}, "check.date_incomplete"},
				{chkDate("birth-date", "2027-01-01"), "eligibility.birth_date_future"},
				{url.Values{"birth-date-year": {""}, "birth-date-month": {""}, "birth-date-day": {""}}, "eligibility.birth_date_required"},
			}
			for _, tc := range cases {
				w.answer(tc.set).wantCheckErrors(t)
				w.wantStep(views.CheckStepBirthDate)
				want := views.Translate(lang, tc.key)
				if got := w.page.fieldError("birth-date"); !strings.Contains(got, want) {
					t.Fatalf("%v: field error %q, want %q", tc.set, got, want)
				}
				summary, ok := w.page.testid("error-summary")
				if !ok || !strings.Contains(summary, want) || !strings.Contains(w.page.body, `href="#birth-date"`) {
					t.Fatalf("%v: error summary %q", tc.set, summary)
				}
				if !strings.Contains(w.page.body, `id="birth-date"`) {
					t.Fatal("the summary's link has no target")
				}
				for k, v := range tc.set {
					if got, _ := w.page.inputValue(k); got != v[0] {
						t.Errorf("%s kept as %q, want %q", k, got, v[0])
					}
				}
				if !strings.Contains(w.page.body, `aria-invalid="true"`) || !strings.Contains(w.page.body, `aria-describedby="birth-date-hint birth-date-error"`) {
					t.Error("the invalid field is not marked for assistive technology")
				}
			}
			// Full-width digits from a Chinese input method are fine.
			w.answer(url.Values{"birth-date-year": {"２００５"}, "birth-date-month": {"６"}, "birth-date-day": {"１０"}}).wantStatus(t, http.StatusOK)
			w.wantStep(views.CheckStepActs)
			w.answer(chkDate("acts-0-date", "2004-01-01")).wantCheckErrors(t)
			if got := w.page.fieldError("acts-0-date"); !strings.Contains(got, views.Translate(lang, "eligibility.act_before_birth")) {
				t.Fatalf("act error %q", got)
			}
			if !strings.Contains(w.page.body, `href="#acts-0-date"`) {
				t.Fatal("no summary link to the act")
			}
			w.answer(chkDate("acts-0-date", "2022-01-01"))
			w.answer(nil).wantCheckErrors(t)
			w.wantStep(views.CheckStepOutcome)
			if !strings.Contains(w.page.fieldError("disposition"), views.Translate(lang, "eligibility.disposition_required")) || !strings.Contains(w.page.body, `href="#disposition"`) {
				t.Fatal("no disposition error")
			}
			w.answer(chkOne("disposition", "sentenced"))
			w.answer(chkOne("penalty-kind", "no-such-kind")).wantCheckErrors(t)
			w.wantStep(views.CheckStepPenalty)
			w.answer(chkOne("penalty-kind", "fixed_term"))
			for _, tc := range []struct {
				years, months, days, field, key string
			}{
				{"", "", "", "penalty-years", "checkflow.term_required"},
				{"", "abc", "", "penalty-months", "checkflow.months_invalid"},
				{"", "-3", "", "penalty-months", "checkflow.months_invalid"},
				{"x", "", "", "penalty-years", "checkflow.years_invalid"},
				{"26", "", "", "penalty-years", "checkflow.years_invalid"},
				{"", "301", "", "penalty-years", "eligibility.months_range"},
				{"0", "0", "0", "penalty-years", "eligibility.months_range"},
				{"1", "", "31", "penalty-days", "eligibility.days_range"},
				// R29: impossible terms are said clearly.
				{"", "5", "0", "penalty-years", "eligibility.term_below_min.fixed_term"},
				{"4", "0s", "0", "penalty-years", "eligibility.suspended_over_3y"},
			} {
				set := url.Values{"penalty-years": {tc.years}, "penalty-months": {tc.months}, "penalty-days": {tc.days}}
				if m, ok := strings.CutSuffix(tc.months, "s"); ok {
					tc.months = m
					set = url.Values{"penalty-years": {tc.years}, "penalty-months": {m}, "penalty-days": {tc.days}, "penalty-suspended": {"yes"}}
				}
				w.answer(set).wantCheckErrors(t)
				w.wantStep(views.CheckStepTerm)
				if got := w.page.fieldError(tc.field); !strings.Contains(got, views.Translate(lang, tc.key)) {
					t.Fatalf("%s/%s: %s error %q", tc.months, tc.days, tc.field, got)
				}
				if got, _ := w.page.inputValue("penalty-months"); got != tc.months {
					t.Errorf("months kept as %q, want %q", got, tc.months)
				}
			}
			// The suspended box stays ticked from the last answer: 36 months
			// suspended is within CL art. 72 (R29) and R3 applies.
			w.answer(url.Values{"penalty-years": {"３"}, "penalty-months": {""}, "penalty-days": {""}})
			w.wantResult(portal.OutcomeSeal, "R1 R2 R3")
		})
	}
}

// Back goes one question back with every answer kept (each question has
// its own address); change from the result comes straight back to it, unless
// the change makes a later answer wrong or asks a new question.
func TestCheckBackAndChange(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	w := chkStart(t, ts.newClient())
	if _, ok := w.page.testid("check-back"); !ok {
		t.Fatal("no back link on the first question")
	}
	w.answer(chkDate("birth-date", "2005-06-10"))
	w.answer(chkDate("acts-0-date", "2022-01-01"))
	w.wantStep(views.CheckStepOutcome)
	w.back()
	w.wantStep(views.CheckStepActs)
	if v, _ := w.page.inputValue("acts-0-date-year"); v != "2022" {
		t.Fatalf("act date lost going back: %q", v)
	}
	w.back()
	w.wantStep(views.CheckStepBirthDate)
	if v, _ := w.page.inputValue("birth-date-day"); v != "10" {
		t.Fatalf("birth date lost going back: %q", v)
	}
	// The browser's Back loads the address again: the same answer.
	if v, _ := w.c.get("/check/birth-date").inputValue("birth-date-day"); v != "10" {
		t.Fatalf("birth date lost reloading: %q", v)
	}
	w.answer(nil)
	w.wantStep(views.CheckStepActs)
	w.answer(nil)
	w.wantStep(views.CheckStepOutcome)
	// A question further on than the answers reach goes to the current one.
	if p := w.c.get("/check/term"); p.url.Path != "/check/outcome" {
		t.Fatalf("GET /check/term before the outcome lands on %s", p.url.Path)
	}
	if p := w.c.get("/check/result"); p.url.Path != "/check/outcome" {
		t.Fatalf("GET /check/result before the outcome lands on %s", p.url.Path)
	}
	w.answer(chkOne("disposition", "sentenced"))
	w.answer(chkOne("penalty-kind", "fixed_term"))
	w.answer(url.Values{"penalty-months": {"36"}})
	w.wantResult(portal.OutcomeSeal, "R1 R2")
	// Refreshing the result shows it again; nothing is posted twice.
	if p := w.c.get("/check/result"); !chkOutcomeRE.MatchString(p.body) {
		t.Fatal("reloading the result lost it")
	}

	// Change the birth date to one that makes every act an adult's: R6
	// decides, straight back to the result, without the case's outcome.
	w.change(views.CheckStepBirthDate)
	w.wantStep(views.CheckStepBirthDate)
	if v, _ := w.page.inputValue("birth-date-year"); v != "2005" {
		t.Fatalf("change lost the birth date: %q", v)
	}
	w.answer(chkDate("birth-date", "2003-06-10"))
	w.wantResult(portal.OutcomeNotEligible, "R1 R6")
	w.page.wantText(t, "2003年6月10日")
	if _, ok := w.page.testid("check-change-outcome"); ok {
		t.Error("the result lists how the case ended, which was not asked")
	}
	if p := w.c.get("/check/outcome"); p.url.Path != "/check/result" {
		t.Errorf("GET of a question no longer asked lands on %s", p.url.Path)
	}

	// A birth date after the act: the act question comes back with its error.
	w.change(views.CheckStepBirthDate)
	w.answer(chkDate("birth-date", "2023-01-01"))
	w.wantStep(views.CheckStepActs).page.wantCheckErrors(t)
	if got := w.page.fieldError("acts-0-date"); !strings.Contains(got, views.Translate(views.LangZH, "eligibility.act_before_birth")) {
		t.Fatalf("act error %q", got)
	}
	// R29: a sentence for an act at the age of one is an impossible input.
	w.answer(chkDate("acts-0-date", "2024-01-01")).wantCheckErrors(t)
	if got := w.page.fieldError("acts-0-date"); !strings.Contains(got, views.Translate(views.LangZH, "eligibility.act_under_12")) {
		t.Fatalf("act error %q", got)
	}

	// No sentence any more: the sentence is forgotten.
	w.back()
	w.answer(chkDate("birth-date", "2010-01-01"))
	// Not a change from the result: the next question, with its answer.
	w.wantStep(views.CheckStepActs)
	if v, _ := w.page.inputValue("acts-0-date-year"); v != "2024" {
		t.Fatalf("act date lost: %q", v)
	}
	w.page = w.c.get("/check/result")
	w.wantResult(portal.OutcomeSeal, "R1 R2")
	w.change(views.CheckStepOutcome)
	w.wantStep(views.CheckStepOutcome)
	if !regexp.MustCompile(`<input[^>]*value="sentenced"[^>]*checked`).MatchString(w.page.body) {
		t.Fatal("the chosen answer is not checked")
	}
	w.answer(chkOne("disposition", "not_prosecuted"))
	w.wantResult(portal.OutcomeSeal, "R1 R8")
	if _, ok := w.page.testid("check-change-penalty"); ok {
		t.Fatal("the sentence is still shown")
	}
	// Back to a sentence: its questions are asked again.
	w.change(views.CheckStepOutcome)
	w.answer(chkOne("disposition", "sentenced"))
	w.wantStep(views.CheckStepPenalty)

	// Start again: the answers are deleted.
	w.c.get("/check/result")
	if p := w.c.get("/check/restart"); p.url.Path != "/check/penalty" {
		t.Errorf("GET /check/restart lands on %s, want the current question", p.url.Path)
	}
	w.page = w.c.get("/check/penalty")
	w.page = w.c.submit("/check/penalty", "/check/restart", nil)
	w.wantStep(views.CheckStepBirthDate)
	if v, _ := w.page.inputValue("birth-date-year"); v != "" {
		t.Errorf("after starting again the birth date is %q", v)
	}
}

// The answers are kept on the server under an HttpOnly cookie, sealed; the
// cookie holds no answer.
func TestCheckAnswersStayOnTheServer(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	w := chkStart(t, c)
	w.answer(chkDate("birth-date", "2005-06-10"))
	found := false
	for k, v := range c.cookies {
		if strings.Contains(k, "check") {
			found = true
			if strings.Contains(v, "2005") {
				t.Errorf("the cookie carries an answer: %s", v)
			}
		}
	}
	if !found {
		t.Fatalf("no check cookie among %v", c.cookies)
	}
	// Another browser does not see them.
	if v, _ := ts.newClient().get("/check/birth-date").inputValue("birth-date-year"); v != "" {
		t.Errorf("another browser sees the birth year %q", v)
	}
}

// The result offers "Apply now" to a signed-in citizen, which opens a new
// application with the answers filled in, and nothing to an official.
func TestCheckResultForSignedIn(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleMinor, "13800000077", "a long passphrase 77")
	c := ts.newClient()
	c.login("13800000077", "a long passphrase 77").wantPath(t, "/cases")
	w := chkStart(t, c)
	w.answer(chkDate("birth-date", "2005-06-10"))
	w.answer(chkDate("acts-0-date", "2022-01-01"))
	w.answer(chkOne("disposition", "sentenced"))
	w.answer(chkOne("penalty-kind", "fixed_term"))
	w.answer(url.Values{"penalty-years": {"2"}, "penalty-months": {"6"}, "penalty-suspended": {"yes"}})
	w.wantResult(portal.OutcomeSeal, "R1 R2 R3")
	if _, ok := w.page.testid("check-apply"); !ok {
		t.Fatal("a citizen is not offered to apply")
	}
	if _, ok := w.page.testid("check-register"); ok {
		t.Error("a citizen is offered to register")
	}
	p := c.submit("/check/result", "/check/apply", nil)
	id := chkAppliedCase(t, p)
	cs, err := ts.db.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Acts) != 1 || cs.Acts[0].Date != (portal.Date{Year: 2022, Month: 1, Day: 1}) || cs.Disposition != portal.DispositionSentenced ||
		cs.Penalty == nil || cs.Penalty.Kind != portal.PenaltyFixedTerm || cs.Penalty.Months != 30 || !cs.Penalty.Suspended {
		t.Fatalf("the application holds %+v, penalty %+v", cs.Acts, cs.Penalty)
	}
	// The answers now live in the application: the check starts afresh.
	if p := c.get("/check/result"); p.url.Path != "/check/birth-date" {
		t.Errorf("after applying the check shows %s", p.url.Path)
	}
}

// chkAppliedCase is the id of the new application the browser landed on (its
// first part still to fill in).
func chkAppliedCase(t *testing.T, p *testPage) uint64 {
	t.Helper()
	m := regexp.MustCompile(`^/apply/([0-9]+)/[a-z]+$`).FindStringSubmatch(p.url.Path)
	if m == nil || p.status != http.StatusOK {
		t.Fatalf("landed on %s (%d), want a part of a new application\n%s", p.url.Path, p.status, excerpt(p))
	}
	id, _ := strconv.ParseUint(m[1], 10, 64)
	return id
}

// A visitor's "Register and apply": registered, signed in and on a new
// application with the check's answers, without signing in again.
func TestCheckRegisterAndApply(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	w := chkStart(t, c)
	w.answer(chkDate("birth-date", "2010-03-14"))
	w.press("check-form", views.CheckFieldAction, views.CheckActionAddAct, chkDate("acts-0-date", "2023-05-01"))
	w.answer(chkDate("acts-1-date", "2024-08-01"))
	w.answer(chkOne(views.CheckFieldMain, "0"))
	w.answer(chkOne("disposition", "not_prosecuted"))
	w.wantResult(portal.OutcomeSeal, "R1 R8")
	w.link("check-register")
	if v, _ := w.page.inputValue("then"); v != "apply" {
		t.Fatalf("the register form does not carry then=apply: %q", v)
	}
	const mobile = "13800000078"
	p := c.submit("/register?then=apply", "/register", url.Values{"role": {string(portal.RoleGuardian)}, "name": {"王监护"},
		"mobile": {mobile}, "id_number": {testIDNumber(78, portal.Date{Year: 1980, Month: 1, Day: 1})},
		"password": {"a long passphrase 78"}, "password_confirm": {"a long passphrase 78"},
		"consent_privacy": {"yes"}, "consent_sensitive": {"yes"}, "then": {"apply"}})
	if v, _ := p.inputValue("then"); v != "apply" {
		t.Fatalf("the code page does not carry then=apply\n%s", excerpt(p))
	}
	code, ok := ts.lastCode(mobile, portal.OutRegisterCode)
	if !ok {
		t.Fatal("no registration code sent")
	}
	p = c.postForm(p, "/register/code", url.Values{"code": {code}, "action": {"confirm"}})
	id := chkAppliedCase(t, p)
	if p.url.Path != fmt.Sprintf("/apply/%d/person", id) {
		t.Errorf("a guardian lands on %s, want the person page first", p.url.Path)
	}
	cs, err := ts.db.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Capacity != portal.CapacityGuardian || len(cs.Acts) != 2 || !cs.Acts[0].Main || cs.Acts[1].Main ||
		cs.Disposition != portal.DispositionNotProsecuted || cs.Penalty != nil || cs.PersonDocBirth != (portal.Date{Year: 2010, Month: 3, Day: 14}) {
		t.Fatalf("the application holds %+v", cs)
	}
}

// Pressing a button without the CSRF token is refused; tampered answers are
// refused with their errors, never a failure.
func TestCheckNeedsCSRFAndSurvivesTampering(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.get("/check")
	c.do(http.MethodPost, "/check/birth-date", chkDate("birth-date", "2005-06-10")).wantStatus(t, http.StatusForbidden)
	c.do(http.MethodPost, "/check/apply", nil).wantStatus(t, http.StatusForbidden)

	w := chkStart(t, c)
	for _, v := range []url.Values{
		{views.CheckFieldMain: {"7"}},
		{views.CheckFieldDisposition: {"nowhere"}},
		{views.CheckFieldAction: {"add_act"}, views.CheckFieldActsCount: {"-4"}},
		{views.CheckFieldFrom: {"result"}},
	} {
		for _, st := range []views.CheckStep{views.CheckStepBirthDate, views.CheckStepActs, views.CheckStepOutcome} {
			v.Set("_csrf", w.page.csrf(t))
			p := c.do(http.MethodPost, views.CheckPath(st), v)
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/check/") {
				t.Errorf("%s %v: status %d to %q", st, v, p.status, p.header.Get("Location"))
			}
		}
	}
	// A page of the older single-address check goes to the current question.
	if p := c.follow(http.MethodPost, "/check", url.Values{"_csrf": {w.page.csrf(t)}, "step": {"birth-date"}}); p.status != http.StatusOK || p.url.Path != "/check/birth-date" {
		t.Errorf("POST /check: %d at %s", p.status, p.url.Path)
	}
}

// Every text the check can show exists in both languages, and none says a
// criminal record exists (R14).
func TestCheckMessages(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, k := range views.MessageKeys() {
		if strings.HasPrefix(k, "check.") {
			keys = append(keys, k)
		}
	}
	for _, d := range portal.Dispositions {
		keys = append(keys, "check.disposition."+string(d), "check.disposition."+string(d)+".hint")
	}
	for _, k := range portal.PenaltyKinds {
		keys = append(keys, "check.penalty."+string(k), "check.penalty."+string(k)+".hint")
	}
	for _, o := range []portal.Outcome{portal.OutcomeSeal, portal.OutcomeNotEligible, portal.OutcomeReview, portal.OutcomeNotYet} {
		keys = append(keys, "check.result."+string(o))
	}
	// Every rule the eligibility rules can cite has its articles of law on
	// the result page, and none names a rule id.
	for _, r := range []string{"R1", "R2", "R3", "R5", "R6", "R8", "R9", "R10", "R12", "R27", "R28"} {
		keys = append(keys, "checkflow.basis."+r)
	}
	for _, k := range views.MessageKeys() {
		if strings.HasPrefix(k, "checkflow.") {
			keys = append(keys, k)
			for _, l := range []views.Lang{views.LangZH, views.LangEN} {
				if regexp.MustCompile(`\bR[0-9]{1,2}\b`).MatchString(views.Translate(l, k)) {
					t.Errorf("%s names a rule id: %q", k, views.Translate(l, k))
				}
			}
		}
	}
	if len(keys) < 100 {
		t.Fatalf("only %d check messages", len(keys))
	}
	for _, k := range keys {
		if !views.HasMessage(k) {
			t.Errorf("no message for %s", k)
			continue
		}
		zh, en := views.Translate(views.LangZH, k), views.Translate(views.LangEN, k)
		if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" || zh == en {
			t.Errorf("%s: incomplete translation %q / %q", k, zh, en)
		}
		if strings.Contains(strings.ToLower(en), "has a criminal record") || strings.Contains(zh, "有犯罪记录") {
			t.Errorf("%s: says a criminal record exists", k)
		}
	}
}
