package handlers

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// What citizens see of their cases: cases are built with the store (as the
// applicant's pages and the staff console would), then read and acted on
// through the real router.

const casesPassword = "a long passphrase for cases"

// casesWorld is a test portal with a court and a police organ and one court
// official whose steps the tests take through the store.
type casesWorld struct {
	*testServer
	court, police portal.Organ
	judge         portal.Account
	cal           *portal.Calendar
}

func newCasesWorld(t *testing.T) *casesWorld {
	t.Helper()
	return newCasesWorldWith(t)
}

// newCasesWorldWith is newCasesWorld with configuration changes.
func newCasesWorldWith(t *testing.T, opts ...func(*Config)) *casesWorld {
	t.Helper()
	ts := newTestServer(t, opts...)
	court, err := ts.db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	if err != nil {
		t.Fatal(err)
	}
	police, err := ts.db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	if err != nil {
		t.Fatal(err)
	}
	judge, err := ts.db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "judge1", Name: "王法官",
		Organ: court.Name, OrganID: court.ID, PasswordHash: hashFor(t, casesPassword)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return &casesWorld{testServer: ts, court: court, police: police, judge: judge, cal: portal.DefaultCalendar()}
}

// citizen registers a citizen account directly in the store.
func (w *casesWorld) citizen(role portal.Role, mobile, name, idNumber string) portal.Account {
	w.t.Helper()
	a := portal.Account{Role: role, Login: mobile, Mobile: mobile, Name: name, IDNumber: idNumber,
		PasswordHash: hashFor(w.t, casesPassword)}
	if role == portal.RoleLawyer {
		a.Licence, a.Firm = "11101200000000009", "测试律师事务所"
	}
	a, err := w.db.CreateAccount(a, 0)
	if err != nil {
		w.t.Fatalf("create %s: %v", role, err)
	}
	return a
}

// draft is a complete application by filer about the person with the given
// name and identity number (as store/cases_test.go's completeDraft).
func (w *casesWorld) draft(filer portal.Account, personName, personID string) portal.Case {
	w.t.Helper()
	db := w.db
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(filer.Role)}, filer.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	c, err = db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = personName, personID
		c.DecidingOrganID, c.OrganCaseNumber = w.court.ID, "(2023)演刑初字第1号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2025, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2025, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 36}
		c.HoldingOrganIDs = []uint64{w.court.ID, w.police.ID}
		c.DeclaredTrue = true
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	kinds := []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity}
	switch filer.Role {
	case portal.RoleGuardian:
		kinds = append(kinds, portal.DocGuardianship)
	case portal.RoleLawyer:
		kinds = append(kinds, portal.DocPowerOfAttorney)
	}
	for _, k := range kinds {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: filer.ID}, []byte("%PDF-1.4 "+string(k))); err != nil {
			w.t.Fatal(err)
		}
	}
	c, err = db.Case(c.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// submit sends the application as its filer would.
func (w *casesWorld) submit(c portal.Case, filer portal.Account) portal.Case {
	w.t.Helper()
	got, err := w.db.Apply(c.ID, store.Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: filer.ID, Role: filer.Role}, w.cal)
	if err != nil {
		w.t.Fatalf("submit: %v", err)
	}
	return got
}

// staff takes a step as the court's official would.
func (w *casesWorld) staff(id uint64, a portal.CaseAction, actor portal.Actor, organ uint64, note string) portal.Case {
	w.t.Helper()
	st := store.Step{Action: a, Actor: actor, AccountID: w.judge.ID, Role: portal.RoleCourt, OrganID: organ, Note: note}
	if a == portal.ActionSeal {
		st.Rules = []string{"R1", "R2"}
	}
	if cs, err := w.db.Case(id); err == nil && actor == portal.ActorDecider {
		if _, against := portal.AgainstRules(cs, a); against {
			// Issue 18: against the rules, the decision is proposed by the
			// judge and approved by a second official of the court.
			if _, err := w.db.ProposeOverride(id, portal.Override{Action: a, Rules: st.Rules, Reasons: note}, st, w.cal); err != nil {
				w.t.Fatalf("propose %s: %v", a, err)
			}
			second := store.Step{AccountID: w.judge.ID + 1_000_000, Role: portal.RoleCourt, OrganID: organ}
			got, err := w.db.DecideOverride(id, true, "", second, w.cal)
			if err != nil {
				w.t.Fatalf("approve %s: %v", a, err)
			}
			return got
		}
	}
	got, err := w.db.Apply(id, st, w.cal)
	if err != nil {
		w.t.Fatalf("%s: %v", a, err)
	}
	return got
}

// signIn opens an English-speaking browser signed in as the account.
func (w *casesWorld) signIn(a portal.Account) *testClient {
	w.t.Helper()
	c := w.newClient()
	c.setLang("en")
	c.login(a.Login, casesPassword).wantStatus(w.t, http.StatusOK)
	return c
}

func casesPath(id uint64, rest ...string) string {
	return "/cases/" + strconv.FormatUint(id, 10) + strings.Join(rest, "")
}

// attr reports whether the page has an element with all the given attribute
// values (in any order within one tag).
func casesTag(p *testPage, attrs ...string) []string {
	var out []string
	for _, tag := range regexp.MustCompile(`<[a-z]+\b[^>]*>`).FindAllString(p.body, -1) {
		ok := true
		for _, a := range attrs {
			if !strings.Contains(tag, a) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, tag)
		}
	}
	return out
}

var casesRawKeyRE = regexp.MustCompile(`\b(cases|case|status|event|notify|role|upload|message|eligibility|error)\.[a-z_.]+[a-z]`)

// casesNoRawKeys fails when a message key shows instead of its text: a
// missing catalogue entry.
func casesNoRawKeys(t *testing.T, p *testPage) *testPage {
	t.Helper()
	if k := casesRawKeyRE.FindString(p.text()); k != "" {
		t.Errorf("%s shows the raw message key %q", p.url.RequestURI(), k)
	}
	return p
}

var casesRefRE = regexp.MustCompile(`data-testid="case-row" data-ref="([^"]*)" data-status="([^"]*)" data-overdue="([^"]*)"`)

// casesRows lists the rows of /cases as ref|status|overdue, in page order.
func casesRows(p *testPage) []string {
	var out []string
	for _, m := range casesRefRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1]+"|"+m[2]+"|"+m[3])
	}
	return out
}

// casesMultipart posts a multipart form (with the page's CSRF token) and
// follows the redirect, as a browser submitting the message form does.
func casesMultipart(t *testing.T, c *testClient, path, csrf string, fields map[string]string, fileName string, content []byte) *testPage {
	t.Helper()
	v := url.Values{csrfField: {csrf}}
	for k, f := range fields {
		v.Set(k, f)
	}
	var files []testUpload
	if fileName != "" {
		files = append(files, testUpload{"file", fileName, content})
	}
	return c.postMultipart(path, v, files...)
}

// A person follows his case: its status, what happens next, the history of
// the staff's steps with the organ's name, what the rules say, the documents
// and the holding organs; notifications of each step raise the header's
// unread count until he marks them read.
func TestCasesMinorFollowsCase(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	id := testIDNumber(11, portal.Date{Year: 2008, Month: 1, Day: 2})
	minor := w.citizen(portal.RoleMinor, "13900000011", "李小明", id)
	cs := w.submit(w.draft(minor, "李小明", id), minor)
	w.staff(cs.ID, portal.ActionAccept, portal.ActorDecider, w.court.ID, "")
	cs = w.staff(cs.ID, portal.ActionStartReview, portal.ActorDecider, w.court.ID, "")

	c := w.signIn(minor)
	list := c.get("/cases").wantPath(t, "/cases").wantText(t, "My cases", cs.Ref, "Under review", "演示市人民法院 is reviewing it and must decide by")
	if rows := casesRows(list); len(rows) != 1 || rows[0] != cs.Ref+"|under_review|false" {
		t.Fatalf("rows %v", rows)
	}
	if len(casesTag(list, `href="`+casesPath(cs.ID)+`"`)) == 0 {
		t.Fatal("no link to the case page")
	}
	list.noText(t, "李小明") // the list carries no name (R22)
	if len(casesTag(list, `data-testid="start-application"`, `href="/apply"`)) != 1 {
		t.Error("no way to start a new application")
	}
	casesNoRawKeys(t, list)

	// Two staff steps, two notifications (his own submission tells others
	// only); read here before the case page is opened (opening it reads them,
	// TestNotificationReadWhenOpened).
	if n, _ := list.testid("unread-count"); n != "2" {
		t.Fatalf("unread count %q, want 2", n)
	}
	np := casesNoRawKeys(t, c.get("/notifications").wantPath(t, "/notifications"))
	np.wantText(t, "Application under review", "Application accepted", "Case "+cs.Ref, "Unread:")
	if got := casesTag(np, `data-testid="notification"`, `data-read="false"`); len(got) != 2 {
		t.Fatalf("unread notifications %d, want 2", len(got))
	}
	if first := strings.Index(np.body, "Application under review"); first > strings.Index(np.body, "Application accepted") {
		t.Error("notifications are not newest first")
	}
	if len(casesTag(np, `href="`+casesPath(cs.ID)+`"`)) == 0 {
		t.Error("a notification does not link to its case")
	}
	read := c.submit("/notifications", "/notifications/read", nil).wantPath(t, "/notifications")
	read.wantText(t, "Every notification is marked as read")
	if _, ok := read.testid("unread-count"); ok {
		t.Error("unread count still shown after marking read")
	}
	if got := casesTag(read, `data-testid="notification"`, `data-read="true"`); len(got) != 2 {
		t.Fatalf("read notifications %d, want 2", len(got))
	}

	p := casesNoRawKeys(t, c.get(casesPath(cs.ID)).wantPath(t, casesPath(cs.ID)))
	p.wantText(t, "Case details – ", "Case "+cs.Ref, "演示市人民法院", "What happens next", "must decide by")
	if s, _ := p.testid("case-status"); s != "Under review" {
		t.Errorf("status %q", s)
	}
	for _, a := range []portal.CaseAction{portal.ActionSubmit, portal.ActionAccept, portal.ActionStartReview} {
		if len(casesTag(p, `data-action="`+string(a)+`"`)) != 1 {
			t.Errorf("timeline has no %s", a)
		}
	}
	if tl, _ := p.testid("timeline"); !strings.Contains(tl, "Application accepted — 演示市人民法院") || strings.Contains(tl, "王法官") {
		t.Errorf("timeline %q: want the organ's name, never the official's", tl)
	}
	if len(casesTag(p, `data-testid="eligibility-outcome"`, `data-outcome="seal"`)) != 1 {
		t.Error("eligibility outcome is not seal")
	}
	// Issue 16: articles of law, never the portal's rule ids.
	if r, _ := p.testid("eligibility-rules"); !strings.Contains(r, "Criminal Procedure Law art. 286") || strings.Contains(r, "R1") {
		t.Errorf("eligibility rules %q", r)
	}
	p.wantText(t, "judgment.pdf", "identity.pdf", "演示市公安局", "Not confirmed yet")
	if len(casesTag(p, `data-testid="withdraw-link"`)) != 1 || len(casesTag(p, `data-testid="message-form"`)) != 1 {
		t.Error("the person may withdraw and write before a decision")
	}

	// Sealing decided: the organs seal their records, one confirms.
	w.staff(cs.ID, portal.ActionSeal, portal.ActorDecider, w.court.ID, "")
	w.staff(cs.ID, portal.ActionConfirm, portal.ActorHolder, w.court.ID, "")
	p = casesNoRawKeys(t, c.get(casesPath(cs.ID)).wantText(t, "the organs are sealing their records: 1 of 2 confirmed"))
	c.setLang("zh-CN")
	casesNoRawKeys(t, c.get(casesPath(cs.ID))).wantText(t, "已确认 1 个，共 2 个")
	casesNoRawKeys(t, c.get("/cases"))
	casesNoRawKeys(t, c.get("/notifications"))
	c.setLang("en")
	if len(casesTag(p, `data-confirmed="true"`)) != 1 || len(casesTag(p, `data-confirmed="false"`)) != 1 {
		t.Error("holding organs' confirmations not shown")
	}
	if len(casesTag(p, `data-testid="withdraw-link"`)) != 0 {
		t.Error("withdraw offered after a decision")
	}
	// Issue 16: the two steps' notifications were read when the case page
	// they point to was opened.
	if n, ok := p.testid("unread-count"); ok {
		t.Errorf("unread count %q after opening the case", n)
	}
}

// A returned application shows the organ's message and the way back to the
// application's pages to correct and resubmit it.
func TestCasesReturnedShowsNoteAndResubmit(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	id := testIDNumber(12, portal.Date{Year: 2008, Month: 1, Day: 2})
	minor := w.citizen(portal.RoleMinor, "13900000012", "李小红", id)
	cs := w.submit(w.draft(minor, "李小红", id), minor)
	w.staff(cs.ID, portal.ActionReturn, portal.ActorDecider, w.court.ID, "请上传判决书的清晰扫描件")
	c := w.signIn(minor)
	c.get("/cases").wantText(t, "correct it as the organ asks and send it again")
	p := c.get(casesPath(cs.ID)).wantText(t, "Returned for correction", "请上传判决书的清晰扫描件", "Correct and resubmit")
	if len(casesTag(p, `data-testid="resubmit-link"`, `href="/apply/`+strconv.FormatUint(cs.ID, 10)+`"`)) != 1 {
		t.Error("no resubmit link to the application's pages")
	}
	// A draft in the list is called a draft and continues in /apply/:id.
	d := w.draft(minor, "李小红", id)
	list := c.get("/cases")
	if len(casesTag(list, `href="/apply/`+strconv.FormatUint(d.ID, 10)+`"`)) != 1 {
		t.Error("a draft does not link to the application's pages")
	}
	list.wantText(t, "Draft", "Not sent yet")
}

// A person never sees another person's case, its documents or messages, and
// cannot write to it: 404 each time, as for an id that does not exist.
func TestCasesForeignCaseIsNotFound(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	idA := testIDNumber(21, portal.Date{Year: 2008, Month: 1, Day: 2})
	idB := testIDNumber(22, portal.Date{Year: 2008, Month: 2, Day: 3})
	a := w.citizen(portal.RoleMinor, "13900000021", "甲", idA)
	b := w.citizen(portal.RoleMinor, "13900000022", "乙", idB)
	mine := w.submit(w.draft(a, "甲", idA), a)
	theirs := w.submit(w.draft(b, "乙", idB), b)
	theirDoc := theirs.Documents[0].ID

	c := w.signIn(a)
	csrf := c.get(casesPath(mine.ID)).wantStatus(t, http.StatusOK).csrf(t)
	c.get("/cases").noText(t, theirs.Ref)
	for _, path := range []string{
		casesPath(theirs.ID),
		casesPath(theirs.ID, "/documents/", strconv.FormatUint(theirDoc, 10)),
		casesPath(theirs.ID, "/withdraw"),
		casesPath(mine.ID, "/documents/", strconv.FormatUint(theirDoc, 10)), // another case's document through mine
		casesPath(mine.ID, "/documents/x"),
		"/cases/999999",
		"/cases/abc",
	} {
		p := c.get(path)
		if p.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, p.status)
		}
		if strings.Contains(p.body, "乙") || strings.Contains(p.body, theirs.Ref) {
			t.Errorf("GET %s shows the other person's data", path)
		}
	}
	if p := casesMultipart(t, c, casesPath(theirs.ID, "/messages"), csrf, map[string]string{"text": "hello"}, "", nil); p.status != http.StatusNotFound {
		t.Errorf("message to another's case = %d, want 404", p.status)
	}
	if p := c.post(casesPath(theirs.ID, "/withdraw"), url.Values{csrfField: {csrf}}); p.status != http.StatusNotFound {
		t.Errorf("withdraw another's case = %d, want 404", p.status)
	}
	if msgs, _ := w.db.Messages(theirs.ID); len(msgs) != 0 {
		t.Errorf("a message reached another's case: %v", msgs)
	}
	if got, _ := w.db.Case(theirs.ID); got.Status != portal.StatusSubmitted {
		t.Errorf("another's case is %s", got.Status)
	}
	// Staff and other roles are not citizens: the pages are not theirs.
	judge := w.newClient()
	judge.login("judge1", casesPassword)
	if p := judge.get("/cases"); p.status != http.StatusForbidden {
		t.Errorf("staff GET /cases = %d, want 403", p.status)
	}
}

// The lawyer's dashboard lists every client's case by the nearest deadline,
// overdue first and no deadline last, with the client's name, and filters by
// status; an unknown status is ignored with a message.
func TestCasesLawyerDashboard(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	lawyer := w.citizen(portal.RoleLawyer, "13900000031", "赵律师", testIDNumber(31, portal.Date{Year: 1985, Month: 5, Day: 5}))
	// Created in this order so that the index order is not the answer.
	later := w.draft(lawyer, "张三", testIDNumber(32, portal.Date{Year: 2008, Month: 1, Day: 2}))
	overdue := w.draft(lawyer, "李四", testIDNumber(33, portal.Date{Year: 2008, Month: 2, Day: 3}))
	draft := w.draft(lawyer, "王五", testIDNumber(34, portal.Date{Year: 2008, Month: 3, Day: 4}))
	overdue = w.submit(overdue, lawyer) // Tuesday 10 March: due Friday 13 March
	w.clock.advance(7 * 24 * time.Hour) // Tuesday 17 March
	later = w.submit(later, lawyer)     // due Friday 20 March
	if !overdue.Due.Before(portal.DateOf(w.clock.Now())) || later.Due.Before(portal.DateOf(w.clock.Now())) {
		t.Fatalf("set-up: due %v and %v", overdue.Due, later.Due)
	}

	c := w.signIn(lawyer)
	p := casesNoRawKeys(t, c.get("/cases")).wantPath(t, "/cases").wantText(t, "My clients' cases", "张三", "李四", "王五", "Overdue")
	want := []string{overdue.Ref + "|submitted|true", later.Ref + "|submitted|false", "|draft|false"}
	if got := casesRows(p); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if i, j := strings.Index(p.body, "李四"), strings.Index(p.body, "张三"); i > j {
		t.Error("the overdue client is not first")
	}
	if len(casesTag(p, `<form`, `method="get"`, `action="/cases"`)) != 1 || len(casesTag(p, `<select`, `name="status"`)) != 1 {
		t.Error("no status filter form")
	}
	if len(casesTag(p, `href="/apply/`+strconv.FormatUint(draft.ID, 10)+`"`)) != 1 {
		t.Error("the draft does not continue in the application's pages")
	}

	f := c.get("/cases?status=submitted").wantPath(t, "/cases")
	if got := casesRows(f); len(got) != 2 {
		t.Fatalf("submitted filter: %v", got)
	}
	f.noText(t, "王五").wantText(t, "Showing 2 of 3 cases")
	if len(casesTag(f, `<option`, `value="submitted"`, `selected`)) != 1 {
		t.Error("the chosen status is not kept in the filter")
	}
	if got := casesRows(c.get("/cases?status=draft")); len(got) != 1 || got[0] != "|draft|false" {
		t.Fatalf("draft filter: %v", got)
	}
	if got := casesRows(c.get("/cases?status=completed").wantText(t, "No case has this status")); len(got) != 0 {
		t.Fatalf("completed filter: %v", got)
	}
	u := c.get("/cases?status=%3Cscript%3E").wantPath(t, "/cases").wantText(t, "That status is not one we know")
	if got := casesRows(u); len(got) != 3 {
		t.Fatalf("unknown filter: %v", got)
	}
	if strings.Contains(u.body, "<script>") {
		t.Error("the unknown value is echoed")
	}

	// The lawyer follows a client's case like the person himself.
	c.get(casesPath(overdue.ID)).wantStatus(t, http.StatusOK).wantText(t, overdue.Ref, "Overdue")
}

// A message with an attachment is stored; the attachment becomes a document of
// the case and downloads as an attachment the browser will not sniff. A
// refused file or an empty message re-renders the form with the text kept.
func TestCasesMessageWithAttachment(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	id := testIDNumber(41, portal.Date{Year: 2008, Month: 1, Day: 2})
	minor := w.citizen(portal.RoleMinor, "13900000041", "陈小", id)
	cs := w.submit(w.draft(minor, "陈小", id), minor)
	if _, err := w.db.AddMessage(portal.Message{CaseID: cs.ID, From: w.judge.ID, FromRole: portal.RoleCourt, OrganID: w.court.ID, Text: "请补充户籍证明"}, nil); err != nil {
		t.Fatal(err)
	}

	// Issue 11: while only the contact is verified, the organ's message is
	// not shown; the page says why.
	c := w.signIn(minor)
	c.get(casesPath(cs.ID)).noText(t, "请补充户籍证明").wantText(t, "only what you filed and its status are shown")
	if _, err := w.db.VerifyIdentity(minor.ID, store.IdentityProof{Method: portal.IdentityByOIDC, IDNumber: id, Name: "陈小"}); err != nil {
		t.Fatal(err)
	}
	page := c.get(casesPath(cs.ID)).wantText(t, "请补充户籍证明", "演示市人民法院").noText(t, "王法官")
	csrf := page.csrf(t)

	png := testValidPNG
	p := casesMultipart(t, c, casesPath(cs.ID, "/messages"), csrf, map[string]string{"text": "附上户籍证明"}, `..\..\hukou "scan".png`, png)
	p.wantPath(t, casesPath(cs.ID)).wantText(t, "Your message was sent", "附上户籍证明", "You")
	msgs, err := w.db.Messages(cs.ID)
	if err != nil || len(msgs) != 2 || len(msgs[1].Documents) != 1 || msgs[1].From != minor.ID {
		t.Fatalf("messages %+v %v", msgs, err)
	}
	doc := msgs[1].Documents[0]
	if doc.Name != "hukou scan.png" || doc.Kind != portal.DocMessageAttachent {
		t.Errorf("stored document %+v", doc)
	}
	link := casesPath(cs.ID, "/documents/", strconv.FormatUint(doc.ID, 10))
	if len(casesTag(p, `data-testid="attachment-link"`, `href="`+link+`"`)) != 1 {
		t.Fatal("no download link for the attachment")
	}
	d := c.get(link).wantStatus(t, http.StatusOK)
	if cd := d.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if d.header.Get("X-Content-Type-Options") != "nosniff" || d.header.Get("Content-Type") != portal.MediaPNG {
		t.Errorf("headers %v", d.header)
	}
	if d.body != string(png) {
		t.Error("downloaded bytes differ")
	}
	// The staff's side was told.
	// Issue 16: the court's message was read when the case page was opened
	// after it; the identity news is still unread.
	if n, _ := w.db.UnreadCount(minor.ID); n != 1 {
		t.Errorf("the person's unread count %d: the identity verified", n)
	}

	// A file that is not a PDF, JPG or PNG: refused, the text kept.
	bad := casesMultipart(t, c, casesPath(cs.ID, "/messages"), csrf, map[string]string{"text": "再试一次"}, "notes.html", []byte("<html>hi</html>"))
	bad.wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "There is a problem")
	if e := bad.fieldError("file"); !strings.Contains(e, "PDF, JPG or PNG") {
		t.Errorf("file error %q", e)
	}
	if !strings.Contains(bad.body, ">再试一次</textarea>") {
		t.Error("the text was not kept")
	}
	empty := casesMultipart(t, c, casesPath(cs.ID, "/messages"), csrf, map[string]string{"text": "  "}, "", nil)
	empty.wantStatus(t, http.StatusUnprocessableEntity)
	if empty.fieldError("text") == "" {
		t.Error("an empty message is not refused on its field")
	}
	if msgs, _ := w.db.Messages(cs.ID); len(msgs) != 2 {
		t.Errorf("refused messages were stored: %d", len(msgs))
	}
	// Without the CSRF token nothing is posted.
	if p := casesMultipart(t, c, casesPath(cs.ID, "/messages"), "forged", map[string]string{"text": "x"}, "", nil); p.status != http.StatusForbidden {
		t.Errorf("forged token = %d, want 403", p.status)
	}
}

// The applicant withdraws before a decision after confirming; after the
// decision the state machine refuses and the page says why.
func TestCasesWithdraw(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	id := testIDNumber(51, portal.Date{Year: 2008, Month: 1, Day: 2})
	minor := w.citizen(portal.RoleMinor, "13900000051", "周小", id)
	early := w.submit(w.draft(minor, "周小", id), minor)
	decided := w.submit(w.draft(minor, "周小", id), minor)
	w.staff(decided.ID, portal.ActionAccept, portal.ActorDecider, w.court.ID, "")
	w.staff(decided.ID, portal.ActionStartReview, portal.ActorDecider, w.court.ID, "")
	w.staff(decided.ID, portal.ActionReject, portal.ActorDecider, w.court.ID, "刑期超过五年")

	c := w.signIn(minor)
	page := c.get(casesPath(early.ID))
	if len(casesTag(page, `data-testid="withdraw-link"`, `href="`+casesPath(early.ID, "/withdraw")+`"`)) != 1 {
		t.Fatal("no withdraw link before a decision")
	}
	confirm := casesNoRawKeys(t, c.get(casesPath(early.ID, "/withdraw"))).wantText(t, "Are you sure you want to withdraw the application?")
	if len(casesTag(confirm, `data-testid="withdraw-confirm"`)) != 1 {
		t.Fatal("no confirmation button")
	}
	done := c.submit(casesPath(early.ID, "/withdraw"), casesPath(early.ID, "/withdraw"), nil)
	done.wantPath(t, casesPath(early.ID)).wantText(t, "The application has been withdrawn", "Withdrawn")
	if got, _ := w.db.Case(early.ID); got.Status != portal.StatusWithdrawn {
		t.Fatalf("status %s", got.Status)
	}
	if len(casesTag(done, `data-testid="withdraw-link"`)) != 0 {
		t.Error("withdraw offered again")
	}

	p := c.get(casesPath(decided.ID)).wantText(t, "Not sealed", "刑期超过五年")
	if len(casesTag(p, `data-testid="withdraw-link"`)) != 0 {
		t.Error("withdraw offered after a decision")
	}
	c.get(casesPath(decided.ID, "/withdraw")).wantStatus(t, http.StatusOK).wantText(t, "can no longer be withdrawn")
	csrf := p.csrf(t)
	refused := c.post(casesPath(decided.ID, "/withdraw"), url.Values{csrfField: {csrf}})
	refused.wantStatus(t, http.StatusConflict).wantText(t, "This application can no longer be withdrawn: withdrawal is possible only before the organ decides")
	if got, _ := w.db.Case(decided.ID); got.Status != portal.StatusRejected {
		t.Fatalf("status %s after a refused withdrawal", got.Status)
	}
}

// A guardian acts while the ward is under 18, the 18th birthday included
// (R1); afterwards his access ends entirely (issue 11): every page of the case
// answers 403 with an explanation, and he is told once.
func TestCasesGuardianAfterWardTurns18(t *testing.T) {
	t.Parallel()
	w := newCasesWorld(t)
	wardID := testIDNumber(61, portal.Date{Year: 2008, Month: 3, Day: 20}) // 18 on Friday 20 March 2026
	guardian := w.citizen(portal.RoleGuardian, "13900000061", "孙家长", testIDNumber(62, portal.Date{Year: 1980, Month: 1, Day: 1}))
	cs := w.submit(w.draft(guardian, "孙小", wardID), guardian)

	c := w.signIn(guardian)
	p := c.get(casesPath(cs.ID)).wantText(t, cs.Ref)
	if len(casesTag(p, `data-testid="message-form"`)) != 1 || len(casesTag(p, `data-testid="read-only"`)) != 0 {
		t.Fatal("the guardian of a minor may act")
	}

	// The birthday itself still counts as under 18.
	w.clock.advance(10 * 24 * time.Hour) // Friday 20 March, 10:00
	c = w.signIn(guardian)
	p = c.get(casesPath(cs.ID))
	if len(casesTag(p, `data-testid="message-form"`)) != 1 {
		t.Fatal("the guardian may still act on the 18th birthday")
	}

	w.clock.advance(24 * time.Hour) // Saturday 21 March: the ward is 18
	c = w.signIn(guardian)
	list := c.get("/cases").wantText(t, "your access as guardian has ended")
	csrf := list.csrf(t)
	// Issue 11: the guardian's access ends entirely (documents, messages,
	// who looked, steps), and every page says plainly what happened.
	ended := "your access as guardian to this matter has ended"
	c.get(casesPath(cs.ID)).wantStatus(t, http.StatusForbidden).wantText(t, ended).noText(t, "judgment.pdf")
	c.get(casesPath(cs.ID, "/access")).wantStatus(t, http.StatusForbidden).wantText(t, ended)
	if len(cs.Documents) > 0 {
		c.get(casesPath(cs.ID, "/documents/"+strconv.FormatUint(cs.Documents[0].ID, 10))).wantStatus(t, http.StatusForbidden)
	}
	m := casesMultipart(t, c, casesPath(cs.ID, "/messages"), csrf, map[string]string{"text": "还在吗"}, "", nil)
	m.wantStatus(t, http.StatusForbidden).wantText(t, ended)
	if msgs, _ := w.db.Messages(cs.ID); len(msgs) != 0 {
		t.Errorf("the message was stored: %v", msgs)
	}
	c.post(casesPath(cs.ID, "/withdraw"), url.Values{csrfField: {csrf}}).wantStatus(t, http.StatusForbidden)
	c.get(casesPath(cs.ID, "/withdraw")).wantStatus(t, http.StatusForbidden)
	ns, _ := w.db.Notifications(guardian.ID, 50)
	if !slices.ContainsFunc(ns, func(n portal.Notification) bool { return n.Key == store.NotifyGuardianEnded }) {
		t.Error("the guardian was not told")
	}
	if got, _ := w.db.Case(cs.ID); got.Status != portal.StatusSubmitted {
		t.Errorf("status %s", got.Status)
	}
}

// Every message key this area shows is in the catalogue, including those made
// from a status, an outcome, a document kind or a notification.
func TestCasesMessagesExist(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, file := range []string{"cases.go", "../views/cases.templ"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(cases\.[a-z_.]*[a-z_])"`).FindAllStringSubmatch(string(src), -1) {
			keys = append(keys, m[1])
		}
	}
	for _, st := range portal.CaseStatuses {
		keys = append(keys, "cases.next."+string(st), "status."+string(st))
		if st != portal.StatusDraft {
			keys = append(keys, "notify.status."+string(st))
		}
	}
	for _, o := range []portal.Outcome{portal.OutcomeSeal, portal.OutcomeNotEligible, portal.OutcomeReview, portal.OutcomeNotYet} {
		keys = append(keys, "cases.outcome."+string(o))
	}
	for _, k := range append(append([]portal.DocumentKind{}, portal.DocumentKinds...), portal.DocMessageAttachent) {
		keys = append(keys, "cases.doc_kind."+string(k))
	}
	for _, r := range portal.AllRoles {
		keys = append(keys, "role."+string(r))
	}
	keys = append(keys, "notify.message", "notify.action.confirm", "case.action_not_allowed")
	for _, k := range keys {
		if k == "cases.next." || k == "cases.outcome." || k == "cases.doc_kind." {
			continue // prefixes, completed above
		}
		if !views.HasMessage(k) {
			t.Errorf("no message %q", k)
		}
	}
}
