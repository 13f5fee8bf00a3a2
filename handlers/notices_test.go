package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// Issue 16: no dead ends, notices people can use.

// noticesWantNextSteps fails unless the page says what to do next, of the
// given kind, with working links: a relief request, 12309 (line and
// website) and 12348.
func noticesWantNextSteps(t *testing.T, p *testPage, kind string) {
	t.Helper()
	block := regexp.MustCompile(`(?s)<section[^>]*data-testid="next-steps" data-kind="([a-z_]+)".*?</section>`).FindStringSubmatch(p.body)
	if block == nil {
		t.Fatalf("%s: no next steps\n%s", p.url.Path, excerpt(p))
	}
	if block[1] != kind {
		t.Errorf("%s: next steps of kind %q, want %q", p.url.Path, block[1], kind)
	}
	for _, href := range []string{`href="/relief/new"`, `href="tel:12309"`, `href="https://www.12309.gov.cn/"`, `href="tel:12348"`, `href="/help/contact"`} {
		if !strings.Contains(block[0], href) {
			t.Errorf("%s: the next steps lack %s", p.url.Path, href)
		}
	}
}

var noticesRuleID = regexp.MustCompile(`\bR[0-9]+\b`)

// noticesNoRuleIDs fails when the page's visible text shows a rule id.
func noticesNoRuleIDs(t *testing.T, p *testPage) {
	t.Helper()
	if m := noticesRuleID.FindString(p.text()); m != "" {
		t.Errorf("%s shows the rule id %s", p.url.Path, m)
	}
}

// A refused case says what to do next, in both languages, and cites the law
// by article; the links lead somewhere.
func TestNoticesRefusedCaseShowsNextSteps(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	// Six years: the rules refuse too, so one official decides (issue 18).
	cs := w.submittedWith(w.court, func(c *portal.Case) { c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 72} })
	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(cs.ID, portal.ActionStartReview, w.judge)
	if _, err := w.db.Apply(cs.ID, store.Step{Action: portal.ActionReject, Actor: portal.ActorDecider, AccountID: w.judge.ID,
		Role: w.judge.Role, OrganID: w.court.ID, Rules: []string{"R2", "R6"}, Note: "刑期超过五年"}, w.cal); err != nil {
		t.Fatal(err)
	}
	c := w.signIn(w.minor)
	path := casesPath(cs.ID)
	p := c.get(path).wantPath(t, path)
	noticesWantNextSteps(t, p, "rejected")
	p.wantText(t, "What you can do next", "The organ decided not to seal this record", "Criminal Procedure Law art. 286")
	noticesNoRuleIDs(t, p)
	c.get("/relief/new").wantStatus(t, http.StatusOK)
	c.get("/help/contact").wantStatus(t, http.StatusOK)
	c.setLang("zh-CN")
	p = c.get(path).wantPath(t, path)
	noticesWantNextSteps(t, p, "rejected")
	p.wantText(t, "你接下来可以做什么", "12309", "12348", "刑事诉讼法第二百八十六条")
	noticesNoRuleIDs(t, p)
}

// A case whose deadline passed says what to do next; one within its
// deadline shows no such block.
func TestNoticesOverdueCaseShowsNextSteps(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	c := w.signIn(w.minor)
	p := c.get(casesPath(cs.ID))
	if strings.Contains(p.body, `data-testid="next-steps"`) {
		t.Fatal("a case within its deadline shows the dead-end block")
	}
	if cs.Due.IsZero() {
		t.Fatal("the submitted case has no deadline")
	}
	w.clock.advance(cs.Due.Time().Sub(w.clock.Now()) + 40*24*time.Hour)
	c = w.signIn(w.minor)
	p = c.get(casesPath(cs.ID))
	noticesWantNextSteps(t, p, "overdue")
}

// Opening the case a notification points to reads it (and only it); the
// notification names the organ.
func TestNotificationReadWhenOpened(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	other := w.submitted(w.court2)
	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(other.ID, portal.ActionAccept, w.judge2)
	if n, _ := w.db.UnreadCount(w.minor.ID); n != 2 {
		t.Fatalf("unread %d, want 2", n)
	}
	c := w.signIn(w.minor)
	np := c.get("/notifications").wantPath(t, "/notifications")
	np.wantText(t, "From: 甲市人民法院", "From: 乙市人民法院")
	c.get(casesPath(cs.ID)).wantStatus(t, http.StatusOK)
	ns, _ := w.db.Notifications(w.minor.ID, 10)
	for _, n := range ns {
		if want := n.Ref != cs.Ref; n.Read == want {
			t.Errorf("notification of %s read=%v after opening %s", n.Ref, n.Read, cs.Ref)
		}
	}
	if n, _ := w.db.UnreadCount(w.minor.ID); n != 1 {
		t.Fatalf("unread %d after opening one case, want 1", n)
	}
	// Opening it again writes nothing and changes nothing.
	c.get(casesPath(cs.ID)).wantStatus(t, http.StatusOK)
	if n, _ := w.db.UnreadCount(w.minor.ID); n != 1 {
		t.Fatalf("unread %d", n)
	}
	p := c.get("/cases")
	if got, _ := p.testid("unread-count"); got != "1" {
		t.Errorf("header count %q", got)
	}
}

// "Who looked at my record" groups reads by organ and day, and never says
// "sealed" before the record is.
func TestAccessLogGroupedAndNotSealedEarly(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	path := casesPath(cs.ID, "/access")
	judge := w.signIn(w.judge)
	police := w.signIn(w.officer)
	staffPath := "/staff/cases/" + strconv.FormatUint(cs.ID, 10)
	judge.get(staffPath).wantStatus(t, http.StatusOK)
	judge.get(staffPath).wantStatus(t, http.StatusOK)
	police.get(staffPath).wantStatus(t, http.StatusOK)

	person := w.signIn(w.minor)
	p := person.get(path).wantPath(t, path)
	p.noText(t, "Your record is sealed", "your sealed record")
	p.wantText(t, "Every time an organ or another unit looks at the record of your case")
	rows := regexp.MustCompile(`<tr data-testid="access-entry" data-kind="read" data-count="([0-9]+)">`).FindAllStringSubmatch(p.body, -1)
	if len(rows) != 2 {
		t.Fatalf("%d lines, want 2 (one per organ on the day)\n%s", len(rows), excerpt(p))
	}
	counts := map[string]bool{}
	for _, r := range rows {
		counts[r[1]] = true
	}
	if !counts["2"] || !counts["1"] {
		t.Errorf("counts %v, want the court's 2 reads on one line and the police's 1", rows)
	}
	p.wantText(t, "2 times", "once", "甲市人民法院", "甲市公安局")
	person.setLang("zh-CN")
	person.get(path).wantText(t, "机关和其他单位每一次查看你的案件记录").noText(t, "你的记录已经封存")

	// Once sealed, the page says so.
	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(cs.ID, portal.ActionStartReview, w.judge)
	if _, err := w.db.Apply(cs.ID, store.Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: w.judge.ID,
		Role: w.judge.Role, OrganID: w.court.ID, Rules: []string{"R1", "R2"}}, w.cal); err != nil {
		t.Fatal(err)
	}
	person.setLang("en")
	person.get(path).wantText(t, "Your record is sealed")
}

// The help, rights and contact pages carry 12309, 12348 and the operator's
// contact; unset, they say whom to ask. The rights page says when a sealed
// record can be unsealed.
func TestNoticesHelpPagesCarryNumbers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.setLang("en")
	for _, path := range []string{"/help", "/rights", "/help/contact"} {
		p := c.get(path).wantStatus(t, http.StatusOK)
		p.wantText(t, "12309", "12348", "This portal has not published its operator's contact details")
		for _, href := range []string{`href="tel:12309"`, `href="https://www.12309.gov.cn/"`, `href="tel:12348"`, `href="/relief/new"`} {
			if !strings.Contains(p.body, href) {
				t.Errorf("%s lacks %s", path, href)
			}
		}
		noticesNoRuleIDs(t, p)
	}
	r := c.get("/rights")
	r.wantText(t, "When a sealed record can be unsealed", "more than 5 years", "exactly 5 years", "article 18")
	if _, ok := r.testid("rights-unsealing"); !ok {
		t.Error("no unsealing section")
	}
	h := c.get("/help")
	if !strings.Contains(h.body, `href="/help/glossary"`) || !strings.Contains(h.body, `href="/help/contact"`) {
		t.Error("help does not link the glossary and the contacts")
	}
	g := c.get("/help/glossary").wantText(t, "reference number", "case number", "relief", "In the other language: 受理编号")
	if n := strings.Count(g.body, `data-testid="glossary-term"`); n < 10 {
		t.Errorf("%d glossary terms", n)
	}
	c.setLang("zh-CN")
	c.get("/help/contact").wantText(t, "本平台没有公布运营方的联系方式", "12309", "12348")
	c.get("/help/glossary").wantText(t, "受理编号", "案号", "救济", "权利受到侵害时请求检察院纠正")

	set := newTestServer(t, func(cfg *Config) { cfg.OperatorContact = "演示市人民检察院 平台服务电话 010-12345678" })
	sc := set.newClient()
	for _, path := range []string{"/help", "/rights", "/help/contact"} {
		p := sc.get(path).wantText(t, "演示市人民检察院 平台服务电话 010-12345678")
		p.noText(t, "本平台没有公布运营方的联系方式")
	}
}

// The quick exit on a case page signs out (POST with the CSRF token) and
// passes through a neutral page to an ordinary website; without the token
// it is refused like any form.
func TestNoticesQuickExitSignsOut(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	c := w.signIn(w.minor)
	p := c.get(casesPath(cs.ID)).wantStatus(t, http.StatusOK)
	if !quickExitSignsOut(p) {
		t.Fatalf("the case page has no signing-out quick exit\n%s", excerpt(p))
	}
	if i, j := strings.Index(p.body, `data-testid="quick-exit"`), strings.Index(p.body, `data-testid="page-heading"`); i < 0 || i > j {
		t.Error("the quick exit is not above the heading")
	}
	c.post("/exit", url.Values{}).wantStatus(t, http.StatusForbidden)
	c.get("/cases").wantStatus(t, http.StatusOK) // still signed in
	out := c.do(http.MethodPost, "/exit", url.Values{csrfField: {p.csrf(t)}})
	out.wantStatus(t, http.StatusSeeOther)
	if loc := out.header.Get("Location"); loc != "/exit" {
		t.Fatalf("quick exit goes to %q", loc)
	}
	e := c.get("/exit").wantStatus(t, http.StatusOK)
	if !strings.Contains(e.body, `<meta http-equiv="refresh" content="0;url=https://www.baidu.com/">`) {
		t.Errorf("the exit page does not go on by itself:\n%s", e.body)
	}
	if strings.Contains(e.body, "封存") || strings.Contains(e.body, "seal") {
		t.Error("the exit page names the service")
	}
	c.get("/cases").wantPath(t, "/login")
	// A visitor's quick exit is still a plain link.
	v := w.newClient()
	if !strings.Contains(v.get("/help/relief").body, `<a href="https://www.baidu.com/"`) {
		t.Error("the visitor's quick exit is not a link")
	}
}

// R1, issue 16: after the 18th birthday the former guardian is told what
// happened and what to do on every page he reaches; the adult is told the
// matter is his.
func TestNoticesHandover(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	wardID := testIDNumber(71, portal.Date{Year: 2008, Month: 3, Day: 20}) // 18 on 20 March 2026
	guardian := w.citizen(portal.RoleGuardian, "13900000071", "钱家长", testIDNumber(72, portal.Date{Year: 1980, Month: 1, Day: 1}))
	ward := w.citizen(portal.RoleMinor, "13900000073", "钱小", wardID)
	if _, err := w.db.VerifyIdentity(ward.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: wardID, Name: "钱小"}); err != nil {
		t.Fatal(err)
	}
	cs := w.submit(w.draft(guardian, "钱小", wardID), guardian)
	adult := w.signIn(ward)
	if _, ok := adult.get(casesPath(cs.ID)).testid("handover-adult"); ok {
		t.Error("the minor is told of a handover before the 18th birthday")
	}
	w.clock.advance(11 * 24 * time.Hour) // 21 March 2026: 18
	g := w.signIn(guardian)
	for _, path := range []string{casesPath(cs.ID), casesPath(cs.ID, "/access"), casesPath(cs.ID, "/withdraw")} {
		p := g.get(path).wantStatus(t, http.StatusForbidden)
		if _, ok := p.testid("handover-guardian"); !ok {
			t.Errorf("%s: the former guardian is not told what happened", path)
		}
		p.wantText(t, "What happened", "What you can do", "12348")
	}
	adult = w.signIn(ward)
	p := adult.get(casesPath(cs.ID)).wantStatus(t, http.StatusOK)
	if _, ok := p.testid("handover-adult"); !ok {
		t.Errorf("the adult is not told the matter is his\n%s", excerpt(p))
	}
	p.wantText(t, "This matter is now yours")
}

// Citizens' pages show articles of law, never the portal's rule ids.
func TestNoticesCitizenPagesShowNoRuleIDs(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(cs.ID, portal.ActionStartReview, w.judge)
	if _, err := w.db.Apply(cs.ID, store.Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: w.judge.ID,
		Role: w.judge.Role, OrganID: w.court.ID, Rules: []string{"R1", "R2", "R3"}}, w.cal); err != nil {
		t.Fatal(err)
	}
	c := w.signIn(w.minor)
	for _, lang := range []string{"en", "zh-CN"} {
		c.setLang(lang)
		for _, path := range []string{"/cases", casesPath(cs.ID), casesPath(cs.ID, "/access"), "/notifications", "/help", "/rights",
			"/help/relief", "/help/report", "/help/contact", "/help/glossary", "/relief/new", "/account", "/account/data", "/certificates"} {
			p := c.get(path)
			if p.status != http.StatusOK {
				t.Errorf("%s: status %d", path, p.status)
				continue
			}
			noticesNoRuleIDs(t, p)
		}
	}
}

// A notification without a case links to the page it is about, and opening
// that page reads it (issue 16).
func TestNotificationWithoutCaseReadWhenOpened(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	id := testIDNumber(81, portal.Date{Year: 2008, Month: 5, Day: 1})
	a := w.citizen(portal.RoleMinor, "13900000081", "吴小", id)
	if _, err := w.db.VerifyIdentity(a.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: id, Name: "吴小"}); err != nil {
		t.Fatal(err)
	}
	c := w.signIn(a)
	np := c.get("/notifications")
	if !strings.Contains(np.body, `href="/identity" data-testid="notification-link"`) {
		t.Fatalf("the identity notification does not link to its page\n%s", excerpt(np))
	}
	np.wantText(t, "From: This portal")
	before, _ := w.db.UnreadCount(a.ID)
	c.get("/identity").wantStatus(t, http.StatusOK)
	if after, _ := w.db.UnreadCount(a.ID); after != before-1 {
		t.Errorf("unread %d before opening the identity page, %d after", before, after)
	}
}
