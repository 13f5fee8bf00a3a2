package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Leak reports through the real router: an anonymous report with evidence,
// the tracking code shown once and never stored, tracking and adding
// evidence, the supervisor's investigation and its accountability outcome
// (R25), the rate limit on codes, and the notification of the person.

var (
	leakPNG  = testValidPNG
	leakPDF  = testValidPDF
	leakCode = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){4}$`)
)

// leakMultipart posts a multipart form as a browser would: fields, files
// under "files" (in name order), the client's cookies; a 303 is followed.
func leakMultipart(t *testing.T, c *testClient, path string, fields url.Values, files map[string][]byte) *testPage {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	uploads := make([]testUpload, 0, len(names))
	for _, n := range names {
		uploads = append(uploads, testUpload{"files", n, files[n]})
	}
	return c.postMultipart(path, fields, uploads...)
}

// leakReportForm is a complete report.
func leakReportForm(csrf string) url.Values {
	return url.Values{csrfField: {csrf}, "place_kind": {"website"}, "place_detail": {"https://bbs.example.org/t/42"},
		"seen_on": {"2026-03-01"}, "disclosed": {"某某的判决书照片和名字"}, "source_kind": {"unit"}, "source_name": {"某中学"},
		"contact_name": {"热心的邻居"}, "contact": {"13900001111"}}
}

// leakFile sends a report anonymously and returns its tracking code and
// reference number.
func leakFile(t *testing.T, c *testClient, form url.Values, files map[string][]byte) (code, ref string) {
	t.Helper()
	if form == nil {
		form = leakReportForm(c.get("/report").wantStatus(t, http.StatusOK).csrf(t))
	}
	leakMultipart(t, c, "/report", form, files).wantPath(t, "/report/check")
	p := c.submit("/report/check", "/report/submit", nil).wantPath(t, "/report")
	code, _ = p.testid("tracking-code")
	ref, _ = p.testid("leak-ref")
	if !leakCode.MatchString(code) || !strings.HasPrefix(ref, "LK-") {
		t.Fatalf("confirmation: code %q ref %q\n%s", code, ref, excerpt(p))
	}
	return code, ref
}

// leakTrack posts the code to /track.
func leakTrack(t *testing.T, c *testClient, code string) *testPage {
	t.Helper()
	return c.submit("/track", "/track", url.Values{"code": {code}})
}

func leakStatusOf(p *testPage) string {
	m := regexp.MustCompile(`data-testid="leak-status" data-status="([a-z_]+)"`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

func leakWantQuickExit(t *testing.T, p *testPage) {
	t.Helper()
	tag := regexp.MustCompile(`<a[^>]*data-testid="quick-exit"[^>]*>`).FindString(p.body)
	if (tag == "" || !strings.Contains(tag, `href="https://www.baidu.com/"`) || !strings.Contains(tag, "noreferrer")) && !quickExitSignsOut(p) {
		t.Fatalf("%s: quick exit %q", p.url.Path, tag)
	}
	if !strings.Contains(p.body, `src="/static/quickexit.js?v=`) {
		t.Fatalf("%s: quickexit.js not loaded", p.url.Path)
	}
	if i, j := strings.Index(p.body, `data-testid="quick-exit"`), strings.Index(p.body, `data-testid="page-heading"`); i < 0 || j >= 0 && i > j {
		t.Fatalf("%s: the quick exit is not above the heading", p.url.Path)
	}
}

func TestLeakAnonymousReportJourney(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	c := ts.newClient()
	c.setLang("en")

	// The form is public, carries the quick exit, and keeps typed answers and
	// files when something is missing.
	form := c.get("/report").wantPath(t, "/report")
	leakWantQuickExit(t, form)
	bad := leakReportForm(form.csrf(t))
	bad.Del("disclosed")
	bad.Set("seen_on", "2026-02-30")
	p := leakMultipart(t, c, "/report", bad, map[string][]byte{"screenshot.png": leakPNG}).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("disclosed"), "Say what was shown") || !strings.Contains(p.fieldError("seen_on"), "real date") {
		t.Fatalf("errors: disclosed %q seen_on %q", p.fieldError("disclosed"), p.fieldError("seen_on"))
	}
	if v, _ := p.inputValue("source_name"); v != "某中学" {
		t.Fatalf("typed value lost: %q", v)
	}
	p.wantText(t, "screenshot.png")
	// A wrong file type is refused by its content, the others kept.
	good := leakReportForm(p.csrf(t))
	p = leakMultipart(t, c, "/report", good, map[string][]byte{"notes.txt": []byte("plain text")}).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("files"), "PDF, JPG or PNG") {
		t.Fatalf("files error %q", p.fieldError("files"))
	}
	// Complete now: on to check your answers, with the file kept.
	p = leakMultipart(t, c, "/report", good, nil).wantPath(t, "/report/check")
	p.wantText(t, "某某的判决书照片和名字", "https://bbs.example.org/t/42", "screenshot.png", "1 March 2026")
	leakWantQuickExit(t, p)

	p = c.submit("/report/check", "/report/submit", nil).wantPath(t, "/report")
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("confirmation Cache-Control %q", cc)
	}
	code, _ := p.testid("tracking-code")
	ref, _ := p.testid("leak-ref")
	if !leakCode.MatchString(code) || ref != "LK-2026-000001" {
		t.Fatalf("code %q ref %q", code, ref)
	}
	p.wantText(t, "Write the tracking code down now", "31 March 2026")
	// Shown once: the draft is gone and the code is on no other page.
	c.get("/report/check").wantPath(t, "/report").wantText(t, "There is no report waiting to be sent")
	c.post("/report/submit", url.Values{csrfField: {form.csrf(t)}}).wantPath(t, "/report").noText(t, code)

	// Tracking: a form that posts the code; the page shows progress only.
	tf := c.get("/track").wantPath(t, "/track")
	leakWantQuickExit(t, tf)
	if !regexp.MustCompile(`<form method="post" action="/track"`).MatchString(tf.body) {
		t.Fatal("the tracking form does not post")
	}
	c.get("/track?code="+url.QueryEscape(code)).wantPath(t, "/track").noText(t, ref) // a code in the address opens nothing
	p = leakTrack(t, c, strings.ToLower(strings.ReplaceAll(code, "-", " "))).wantPath(t, "/track")
	if leakStatusOf(p) != "received" {
		t.Fatalf("status %q", leakStatusOf(p))
	}
	p.wantText(t, "Report "+ref, "Report received").noText(t, "某某的判决书照片和名字", "热心的邻居", "某中学")
	leakWantQuickExit(t, p)
	if p.header.Get("Cache-Control") != "no-store" {
		t.Fatal("tracking page may be cached")
	}
	if v := p.hiddenFields("/track/add").Get("code"); v == "" {
		t.Fatal("no code in the add-information form")
	}

	// More information and evidence.
	add := p.hiddenFields("/track/add")
	add.Set(csrfField, p.csrf(t))
	add.Set("more", "公告栏上也贴了")
	p = leakMultipart(t, c, "/track/add", add, map[string][]byte{"more.pdf": leakPDF}).wantPath(t, "/track")
	p.wantText(t, "We have what you added", "You added information", "公告栏上也贴了", "1 files")
	// Nothing at all is refused, per field.
	add.Set("more", "")
	p = leakMultipart(t, c, "/track/add", add, nil).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("more") == "" {
		t.Fatal("empty addition accepted")
	}

	// The supervisor investigates.
	ts.createStaff(portal.RoleSupervisor, "sup-1", pwStaff, false)
	sc := ts.newClient()
	sc.setLang("en")
	sc.login("sup-1", pwStaff)
	id, err := ts.db.LeakByRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	page := "/supervision/leaks/" + strconv.FormatUint(id, 10)
	sp := sc.get(page).wantPath(t, page)
	sp.wantText(t, "某某的判决书照片和名字", "热心的邻居", "13900001111", "screenshot.png", "more.pdf", "公告栏上也贴了", "31 March 2026")
	links := regexp.MustCompile(`href="(`+regexp.QuoteMeta(page)+`/documents/\d+)"`).FindAllStringSubmatch(sp.body, -1)
	if len(links) != 2 {
		t.Fatalf("document links %v", links)
	}
	if d := sc.get(links[0][1]).wantStatus(t, http.StatusOK); d.body != string(leakPNG) || !strings.Contains(d.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("document download %q %q", d.body, d.header.Get("Content-Disposition"))
	}
	// Not closed before an investigation: no close form yet.
	if strings.Contains(sp.body, `action="`+page+`/close"`) {
		t.Fatal("close offered before the investigation")
	}
	sc.submit(page, page+"/start", url.Values{"public": {"我们已开始调查"}, "internal": {"先联系学校"}}).wantPath(t, page).
		wantText(t, "Investigation started")

	// R25: closing without an accountability outcome is refused, per field.
	p = sc.submit(page, page+"/close", nil).wantStatus(t, http.StatusUnprocessableEntity)
	for _, f := range []string{"responsible", "measure", "outcome_date"} {
		if p.fieldError(f) == "" {
			t.Errorf("no error for %s on an empty close", f)
		}
	}
	p = sc.submit(page, page+"/close", url.Values{"responsible": {"official"}, "measure": {"discipline"}, "outcome_date": {"2026-13-45"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("responsible_name") == "" || !strings.Contains(p.fieldError("outcome_date"), "real date") {
		t.Fatalf("errors: name %q date %q", p.fieldError("responsible_name"), p.fieldError("outcome_date"))
	}
	if v, _ := p.inputValue("outcome_date"); v != "2026-13-45" {
		t.Fatalf("typed date lost: %q", v)
	}
	p = sc.submit(page, page+"/close", url.Values{"responsible": {"not_identified"}, "measure": {"discipline"}, "outcome_date": {"2026-03-10"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("measure") == "" {
		t.Fatal("discipline without anyone responsible accepted")
	}
	if st := leakStatusOf(sc.get(page)); st != "investigating" {
		t.Fatalf("status after refused closes: %s", st)
	}

	sc.submit(page, page+"/findings", url.Values{"source_identified": {"yes"}, "source": {"某中学教务处"}, "stopped": {"taken_down"},
		"person_informed": {"yes"}, "internal": {"内部电话核实"}}).wantPath(t, page).wantText(t, "Findings recorded", "某中学教务处")
	sc.submit(page, page+"/close", url.Values{"responsible": {"unit"}, "responsible_name": {"某中学"}, "measure": {"correction_notice"},
		"outcome_date": {"2026-03-10"}, "summary": {"学校已撤下帖子"}}).wantPath(t, page).wantText(t, "The report is closed")
	if st := leakStatusOf(sc.get(page)); st != "closed" {
		t.Fatalf("status after close: %s", st)
	}

	// The reporter reads the outcome in plain words, without names or internal notes.
	p = leakTrack(t, c, code).wantPath(t, "/track")
	if leakStatusOf(p) != "closed" {
		t.Fatalf("tracked status %q", leakStatusOf(p))
	}
	p.wantText(t, "A unit was found responsible", "The procuratorate told the unit to put it right", "10 March 2026", "学校已撤下帖子",
		"我们已开始调查", "Taken down", "This report is closed").
		noText(t, "某中学", "内部电话核实", "先联系学校", "热心的邻居")
	if strings.Contains(p.body, `action="/track/add"`) {
		t.Fatal("a closed report still takes information")
	}

	// The code is nowhere in the database file (on PostgreSQL: a raw dump,
	// the data files, the WAL), in any form.
	if err := ts.db.Close(); err != nil {
		t.Fatal(err)
	}
	raw := storeRawBytes(t, ts)
	compact, _ := portal.NormalizeTrackingCode(code)
	for _, s := range []string{code, compact, strings.ToLower(compact), "热心的邻居", "某某的判决书照片和名字"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%q is in the database file", s)
		}
	}
}

// A wrong code reveals nothing, and an address that keeps trying is stopped.
func TestLeakWrongCodeIsRateLimited(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	code, _ := leakFile(t, ts.newClient(), nil, nil)
	c := ts.newClient()
	c.setLang("en")
	wrong := []string{"ABCD-EFGH-JKMN-PQRS-TUVW", "not a code", code[:len(code)-1] + "2", "<script>x</script>"}
	if code[len(code)-1] == '2' {
		wrong[2] = code[:len(code)-1] + "3"
	}
	for i := 0; i < leakTrackTries; i++ {
		p := leakTrack(t, c, wrong[i%len(wrong)]).wantStatus(t, http.StatusNotFound)
		p.wantText(t, "No report found with this code")
		if leakStatusOf(p) != "" || strings.Contains(p.body, "LK-") {
			t.Fatalf("a wrong code revealed something:\n%s", excerpt(p))
		}
	}
	p := leakTrack(t, c, wrong[0]).wantStatus(t, http.StatusTooManyRequests).wantText(t, "Too many tries")
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Even the right code waits now: trying is what is limited.
	leakTrack(t, c, code).wantStatus(t, http.StatusTooManyRequests)
	form := url.Values{csrfField: {p.csrf(t)}, "code": {code}, "more": {"x"}}
	c.post("/track/add", form).wantStatus(t, http.StatusTooManyRequests)
}

// leakCase stores a submitted sealing case about the person with idNumber,
// filed by filer (as the applicant's pages would).
func leakCase(t *testing.T, ts *testServer, filer portal.Account, idNumber string) portal.Case {
	t.Helper()
	court, _ := ts.db.EnsureOrgan(portal.RoleCourt, "演示市人民法院")
	police, _ := ts.db.EnsureOrgan(portal.RolePolice, "演示市公安局")
	cs, err := ts.db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(filer.Role)}, filer.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.db.UpdateDraft(cs.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = "测试人", idNumber
		c.DecidingOrganID, c.OrganCaseNumber = court.ID, "(2025)演刑初字第9号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2025, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2025, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}
		c.HoldingOrganIDs = []uint64{court.ID, police.ID}
		c.DeclaredTrue = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := ts.db.AddDocument(cs.ID, portal.Document{Kind: k, Name: "x.pdf", MediaType: portal.MediaPDF, UploadedBy: filer.ID}, leakPDF); err != nil {
			t.Fatal(err)
		}
	}
	cs, err = ts.db.Apply(cs.ID, store.Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: filer.ID, Role: filer.Role}, portal.DefaultCalendar())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// A report naming a person with a case in the portal tells that person,
// through a notification that carries nothing of the reporter.
func TestLeakNotifiesThePersonConcerned(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	// Issue 11: leak notices reach the person whose identity is verified
	// (named as the case records him, 测试人).
	minor, err := ts.db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13900003001", Mobile: "13900003001", Name: "测试人",
		IDNumber: testIDNumber(idSeq.Add(1), portal.Date{Year: 2005, Month: 6, Day: 1}), PasswordHash: hashFor(t, pwMinor),
		IdentityVerified: true, IdentityMethod: portal.IdentityByOrgan}, 0)
	if err != nil {
		t.Fatal(err)
	}
	cs := leakCase(t, ts, minor, minor.IDNumber)

	c := ts.newClient()
	c.setLang("en")
	form := leakReportForm(c.get("/report").csrf(t))
	// Typed the way people type: spaces, a lower-case x is folded.
	form.Set("person_id_number", " "+strings.ToLower(minor.IDNumber)+" ")
	_, ref := leakFile(t, c, form, nil)

	mc := ts.newClient()
	mc.setLang("en")
	mc.login("13900003001", pwMinor)
	p := mc.get("/notifications").wantPath(t, "/notifications")
	p.wantText(t, "Someone reported that your sealed record may have been shown to others", cs.Ref).
		noText(t, "热心的邻居", "13900001111", ref, "某中学")
	ns, err := ts.db.Notifications(minor.ID, 10)
	if err != nil || len(ns) == 0 {
		t.Fatal(err)
	}
	if n := ns[0]; n.Key != "leak.notify_reported" || n.CaseID != cs.ID || n.Ref != cs.Ref {
		t.Fatalf("notification %+v", n)
	}

	// The supervisor sees that the person was told.
	ts.createStaff(portal.RoleSupervisor, "sup-2", pwStaff, false)
	sc := ts.newClient()
	sc.setLang("en")
	sc.login("sup-2", pwStaff)
	id, _ := ts.db.LeakByRef(ref)
	sc.get("/supervision/leaks/"+strconv.FormatUint(id, 10)).wantText(t, "1 accounts were notified automatically", minor.IDNumber)
}

// Only the supervisor reads and investigates leak reports.
func TestLeakSupervisorPagesAreTheSupervisors(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	_, ref := leakFile(t, ts.newClient(), nil, nil)
	id, _ := ts.db.LeakByRef(ref)
	page := "/supervision/leaks/" + strconv.FormatUint(id, 10)
	ts.createCitizen(portal.RoleMinor, "13900003002", pwMinor)
	for _, role := range []portal.Role{portal.RoleProcuratorate, portal.RoleCourt, portal.RoleSysadmin} {
		ts.createStaff(role, "x-"+string(role), pwStaff, false)
	}
	for login, pw := range map[string]string{"13900003002": pwMinor, "x-procuratorate": pwStaff, "x-court": pwStaff, "x-sysadmin": pwStaff} {
		c := ts.newClient()
		c.login(login, pw)
		c.get(page).wantStatus(t, http.StatusForbidden).noText(t, "某某的判决书照片和名字")
		c.get(page+"/documents/1").wantStatus(t, http.StatusForbidden)
		token := c.get("/report").csrf(t)
		c.post(page+"/close", url.Values{csrfField: {token}, "responsible": {"not_identified"}, "measure": {"none_found"},
			"outcome_date": {"2026-03-10"}}).wantStatus(t, http.StatusForbidden)
	}
	// A visitor is sent to sign in.
	if p := ts.newClient().do(http.MethodGet, page, nil); p.status != http.StatusSeeOther {
		t.Fatalf("visitor: %d", p.status)
	}
	// An unknown report is a 404 for the supervisor too.
	ts.createStaff(portal.RoleSupervisor, "sup-3", pwStaff, false)
	sc := ts.newClient()
	sc.login("sup-3", pwStaff)
	sc.get("/supervision/leaks/999").wantStatus(t, http.StatusNotFound)
	sc.get(page).wantStatus(t, http.StatusOK)
}

// A signed-in reporter may keep the report in the account; another account
// cannot read it.
func TestLeakSignedInReporterSeesOwnReports(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.createCitizen(portal.RoleGuardian, "13900003003", pwMinor)
	ts.createCitizen(portal.RoleGuardian, "13900003004", pwMinor)
	c := ts.newClient()
	c.setLang("en")
	c.login("13900003003", pwMinor)
	form := c.get("/report").wantPath(t, "/report")
	if v, _ := form.inputValue("link_account"); v != "yes" || !strings.Contains(form.body, `name="link_account" value="yes" checked`) {
		t.Fatal("link to account not offered")
	}
	f := leakReportForm(form.csrf(t))
	f.Set("link_account", "yes")
	_, ref := leakFile(t, c, f, nil)
	p := c.get("/report/mine").wantPath(t, "/report/mine").wantText(t, ref)
	link := regexp.MustCompile(`href="(/report/mine/\d+)"`).FindStringSubmatch(p.body)
	if link == nil {
		t.Fatal("no link to the report")
	}
	c.get(link[1]).wantPath(t, link[1]).wantText(t, "Report "+ref, "Report received").noText(t, "某某的判决书照片和名字")

	other := ts.newClient()
	other.login("13900003004", pwMinor)
	other.get(link[1]).wantStatus(t, http.StatusNotFound)
	other.get("/report/mine").noText(t, ref)
}

// Every key the leak rules return has a text in both languages, and none
// says a criminal record exists (R14).
func TestLeakMessages(t *testing.T) {
	t.Parallel()
	keys := append(portal.LeakMessageKeys(), "leak.quick_exit", "leak.notify_reported", "leak.notify_closed",
		"leak.track_not_found", "leak.track_rate_limited", "leak.seen_on_invalid", "leak.outcome_date_invalid")
	for _, s := range portal.LeakStatuses {
		keys = append(keys, "leak.status."+string(s), "leak.track.status_explain."+string(s))
	}
	for _, m := range portal.LeakMeasures {
		keys = append(keys, "leak.measure."+string(m), "leak.measure_plain."+string(m))
	}
	for _, r := range portal.LeakResponsibles {
		keys = append(keys, "leak.responsible."+string(r), "leak.outcome.responsible_plain."+string(r))
	}
	for _, a := range []portal.LeakAction{portal.LeakSubmit, portal.LeakAddInformation, portal.LeakStart, portal.LeakRecordFindings, portal.LeakClose} {
		keys = append(keys, "leak.step."+string(a))
	}
	for _, k := range views.MessageKeys() {
		if strings.HasPrefix(k, "leak.") || strings.HasPrefix(k, "info.") {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if !views.HasMessage(k) {
			t.Errorf("no message for %s", k)
			continue
		}
		zh, en := views.Translate(views.LangZH, k), views.Translate(views.LangEN, k)
		if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" {
			t.Errorf("%s: incomplete translation", k)
		}
		if strings.Contains(strings.ToLower(en), "has a criminal record") || strings.Contains(zh, "有犯罪记录") {
			t.Errorf("%s: says a criminal record exists", k)
		}
	}
}
