package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
)

// The desk (issue 16) through the real router: a lawyer finds a client's case
// by name, reference or organ case number without the term ever being in a
// URL; the cases that need action come first; the list pages at 50.

var deskActionRE = regexp.MustCompile(`(?s)data-testid="action-row" data-ref="([^"]*)">(.*?)</tr>`)

// deskAction maps each needs-your-action row's reference to its reasons.
func deskAction(p *testPage) map[string][]string {
	out := map[string][]string{}
	for _, m := range deskActionRE.FindAllStringSubmatch(p.body, -1) {
		var why []string
		for _, r := range []string{"returned", "message", "due"} {
			if strings.Contains(m[2], `data-testid="reason-`+r+`"`) {
				why = append(why, r)
			}
		}
		out[m[1]] = why
	}
	return out
}

// deskNoTermInURLs fails when a search term shows in any URL a search went
// through (Location headers and the final URL).
func deskNoTermInURLs(t *testing.T, p *testPage, terms ...string) {
	t.Helper()
	for _, u := range append(append([]string{}, p.redirects...), p.url.String()) {
		dec, _ := url.QueryUnescape(u)
		for _, term := range terms {
			if strings.Contains(dec, term) || strings.Contains(u, url.QueryEscape(term)) {
				t.Errorf("the search term %q travels in the URL %s", term, u)
			}
		}
	}
}

func TestDeskLawyerFindsClient(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	lawyer := w.citizen(portal.RoleLawyer, "13900000041", "钱律师", testIDNumber(41, portal.Date{Year: 1985, Month: 5, Day: 5}))
	other := w.citizen(portal.RoleLawyer, "13900000049", "孙律师", testIDNumber(49, portal.Date{Year: 1986, Month: 5, Day: 5}))
	zhang := w.submit(w.draft(lawyer, "张三", testIDNumber(42, portal.Date{Year: 2008, Month: 1, Day: 2})), lawyer)
	li := w.draft(lawyer, "李四", testIDNumber(43, portal.Date{Year: 2008, Month: 2, Day: 3}))
	li, err := w.db.UpdateDraft(li.ID, func(c *portal.Case) error { c.OrganCaseNumber = "(2024)演0105刑初77号"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	li = w.submit(li, lawyer)
	w.draft(lawyer, "王五", testIDNumber(44, portal.Date{Year: 2008, Month: 3, Day: 4}))
	w.submit(w.draft(other, "张三", testIDNumber(45, portal.Date{Year: 2008, Month: 4, Day: 5})), other)

	c := w.signIn(lawyer)
	p := casesNoRawKeys(t, c.get("/cases")).wantText(t, "Find a case", "Needs your action", "All cases")
	if got := casesRows(p); len(got) != 3 {
		t.Fatalf("rows %v, want 3", got)
	}
	p.wantText(t, "(2024)演0105刑初77号")

	search := func(term string) *testPage {
		t.Helper()
		r := c.submit("/cases", "/cases/search", url.Values{"q": {term}})
		r.wantStatus(t, http.StatusOK).wantPath(t, "/cases")
		deskNoTermInURLs(t, r, strings.TrimSpace(term))
		if r.url.RawQuery != "" {
			t.Errorf("the list after a search has the query %q", r.url.RawQuery)
		}
		return casesNoRawKeys(t, r)
	}
	// By name (spaces and width do not matter), never the other lawyer's
	// client of the same name.
	for _, term := range []string{"张三", " 张 三 "} {
		r := search(term)
		if got := casesRows(r); len(got) != 1 || !strings.HasPrefix(got[0], zhang.Ref+"|") {
			t.Fatalf("search %q: rows %v, want only %s", term, got, zhang.Ref)
		}
		r.wantText(t, "1 found")
	}
	if v := c.cookie("desksearch") + c.cookie("__Host-desksearch"); len(v) != 43 {
		t.Fatalf("search cookie %q", v)
	}
	// The search is kept for the list (and its pages) until cleared.
	if got := casesRows(c.get("/cases?page=1")); len(got) != 1 {
		t.Fatalf("kept search: %v", got)
	}
	// By reference, in lower case, and by the organ's case number in full width.
	if got := casesRows(search(strings.ToLower(li.Ref))); len(got) != 1 || !strings.HasPrefix(got[0], li.Ref+"|") {
		t.Fatalf("by reference: %v", got)
	}
	if got := casesRows(search("（2024）演0105刑初77号")); len(got) != 1 || !strings.HasPrefix(got[0], li.Ref+"|") {
		t.Fatalf("by organ case number: %v", got)
	}
	// A part of a name finds nothing, and says so.
	if got := casesRows(search("张").wantText(t, "No case matches")); len(got) != 0 {
		t.Fatalf("partial name: %v", got)
	}
	// Another session of the same lawyer does not inherit the search.
	if got := casesRows(w.signIn(lawyer).get("/cases")); len(got) != 3 {
		t.Fatalf("a second session sees the first one's search: %v", got)
	}
	// Clearing shows every case again.
	cl := c.submit("/cases", "/cases/search", url.Values{"clear": {"1"}}).wantPath(t, "/cases")
	if got := casesRows(cl); len(got) != 3 {
		t.Fatalf("after clearing: %v", got)
	}
	// Bad input: a clear error, the typed value kept.
	e := c.submit("/cases", "/cases/search", url.Values{"q": {"   "}}).wantStatus(t, http.StatusUnprocessableEntity)
	if e.fieldError("q") == "" {
		t.Error("an empty search has no error on its field")
	}
	long := strings.Repeat("长", 101)
	e = c.submit("/cases", "/cases/search", url.Values{"q": {long}}).wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "at most 100 characters")
	if v, _ := e.inputValue("q"); v != long {
		t.Error("the typed search is not kept")
	}
	// The case page names the client and the organ's case number.
	cp := c.get(casesPath(li.ID)).wantStatus(t, http.StatusOK)
	if v, _ := cp.testid("case-client-name"); v != "李四" {
		t.Errorf("case page client %q", v)
	}
	if v, _ := cp.testid("organ-case-number"); v != "(2024)演0105刑初77号" {
		t.Errorf("case page organ case number %q", v)
	}
	// A person's own list offers no search, and the route refuses him.
	minor := w.citizen(portal.RoleMinor, "13900000048", "周八", testIDNumber(48, portal.Date{Year: 2008, Month: 6, Day: 6}))
	mc := w.signIn(minor)
	mc.get("/cases").noText(t, "Find a case")
	if r := mc.submit("/cases", "/cases/search", url.Values{"q": {"张三"}}); r.status != http.StatusForbidden {
		t.Fatalf("a person's search = %d, want 403", r.status)
	}
}

func TestDeskNeedsYourAction(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	lawyer := w.citizen(portal.RoleLawyer, "13900000051", "吴律师", testIDNumber(51, portal.Date{Year: 1985, Month: 5, Day: 5}))
	ret := w.submit(w.draft(lawyer, "郑一", testIDNumber(52, portal.Date{Year: 2008, Month: 1, Day: 2})), lawyer)
	ret = w.staff(ret.ID, portal.ActionReturn, portal.ActorDecider, w.court.ID, "请补充判决书")
	asked := w.submit(w.draft(lawyer, "冯二", testIDNumber(53, portal.Date{Year: 2008, Month: 2, Day: 3})), lawyer)
	asked = w.staff(asked.ID, portal.ActionAccept, portal.ActorDecider, w.court.ID, "")
	if _, err := w.db.AddMessage(portal.Message{CaseID: asked.ID, From: w.judge.ID, FromRole: portal.RoleCourt, OrganID: w.court.ID, Text: "请说明情况"}, nil); err != nil {
		t.Fatal(err)
	}
	w.draft(lawyer, "陈三", testIDNumber(54, portal.Date{Year: 2008, Month: 3, Day: 4})) // a draft: nothing to do for an organ

	c := w.signIn(lawyer)
	p := casesNoRawKeys(t, c.get("/cases"))
	a := deskAction(p)
	if why := a[ret.Ref]; !contains(why, "returned") {
		t.Fatalf("returned case reasons %v (action %v)", why, a)
	}
	if why := a[asked.Ref]; !contains(why, "message") || contains(why, "returned") {
		t.Fatalf("message case reasons %v (action %v)", why, a)
	}
	if _, ok := a[""]; ok {
		t.Fatal("the draft needs action")
	}
	// The lawyer replies: the message no longer awaits.
	page := c.get(casesPath(asked.ID))
	casesMultipart(t, c, casesPath(asked.ID, "/messages"), page.csrf(t), map[string]string{"text": "情况如下"}, "", nil)
	if why := deskAction(c.get("/cases"))[asked.Ref]; contains(why, "message") {
		t.Fatalf("after the reply: %v", why)
	}
	// Every row listed says why.
	if why, ok := deskAction(c.get("/cases"))[asked.Ref]; ok && !contains(why, "due") {
		t.Fatalf("listed without a reason: %v", why)
	}
	// Chinese too.
	c.setLang("zh-CN")
	c.get("/cases").wantText(t, "需要你处理", "已退回，需要补正")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDeskPages(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	lawyer := w.citizen(portal.RoleLawyer, "13900000061", "林律师", testIDNumber(61, portal.Date{Year: 1985, Month: 5, Day: 5}))
	today := portal.DateOf(w.clock.Now())
	var batch []portal.Case
	for i := range 120 {
		batch = append(batch, portal.Case{Status: portal.StatusAccepted, FiledBy: lawyer.ID, Capacity: portal.CapacityLawyer,
			PersonName: fmt.Sprintf("客户%03d", i), OrganCaseNumber: fmt.Sprintf("(2025)演刑初%d号", i), DecidingOrganID: w.court.ID,
			Due: today.AddDays(10 + i%30), CreatedAt: time.Now()})
	}
	if _, err := w.db.ImportCases(batch); err != nil {
		t.Fatal(err)
	}
	c := w.signIn(lawyer)
	p := casesNoRawKeys(t, c.get("/cases")).wantText(t, "Page 1 of 3")
	if got := casesRows(p); len(got) != 50 {
		t.Fatalf("page 1: %d rows", len(got))
	}
	if len(casesTag(p, `href="/cases?page=2"`, `rel="next"`)) != 1 || len(casesTag(p, `rel="prev"`)) != 0 {
		t.Fatal("page 1 links no next page, or a previous one")
	}
	seen := map[string]bool{}
	for _, r := range casesRows(p) {
		seen[r] = true
	}
	p3 := c.get("/cases?page=3").wantText(t, "Page 3 of 3")
	if got := casesRows(p3); len(got) != 20 {
		t.Fatalf("page 3: %d rows", len(got))
	}
	for _, r := range casesRows(p3) {
		if seen[r] {
			t.Fatalf("%s on pages 1 and 3", r)
		}
	}
	if len(casesTag(p3, `href="/cases?page=2"`, `rel="prev"`)) != 1 || len(casesTag(p3, `rel="next"`)) != 0 {
		t.Fatal("page 3 links no previous page, or a next one")
	}
	c.get("/cases?page=99").wantText(t, "Page 3 of 3")
	if got := casesRows(c.get("/cases?page=abc").wantText(t, "That page number is not one we know", "Page 1 of 3")); len(got) != 50 {
		t.Fatalf("bad page: %d rows", len(got))
	}
	// The status filter is kept by the page links, and nothing else is.
	f := c.get("/cases?status=accepted")
	if len(casesTag(f, `href="/cases?page=2&amp;status=accepted"`)) != 1 {
		t.Fatalf("the filter is not kept by the next link: %v", casesTag(f, `rel="next"`))
	}
}
