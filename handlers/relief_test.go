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
	"sealportal/views"
)

// Relief requests (R24) through the real router: the applicant's form,
// evidence, check your answers and confirmation; the supervisor's steps; the
// organ's correction notices; what each may see.

const rlfPassword = "a long passphrase for relief"

// rlfWorld is a portal with a court, a police organ, the supervising
// procuratorate, one official of each, and a minor whose case the court
// sealed.
type rlfWorld struct {
	*testServer
	court, police, spp portal.Organ
	judge, officer     portal.Account
	sup                portal.Account
	minor              portal.Account
	sealed             portal.Case
	cal                *portal.Calendar
}

func newRlfWorld(t *testing.T) *rlfWorld {
	t.Helper()
	ts := newTestServer(t)
	w := &rlfWorld{testServer: ts, cal: portal.DefaultCalendar()}
	organ := func(kind portal.Role, name string) portal.Organ {
		o, err := ts.db.EnsureOrgan(kind, name)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.court = organ(portal.RoleCourt, "演示市人民法院")
	w.police = organ(portal.RolePolice, "演示市公安局")
	w.spp = organ(portal.RoleSupervisor, "演示市人民检察院")
	w.judge = w.staffAccount(portal.RoleCourt, "rlf-judge", w.court)
	w.officer = w.staffAccount(portal.RolePolice, "rlf-police", w.police)
	w.sup = w.staffAccount(portal.RoleSupervisor, "rlf-sup", w.spp)
	w.minor = w.citizen(portal.RoleMinor, "13900000301", 301)
	w.sealed = w.sealedCase(w.minor, 301)
	return w
}

func (w *rlfWorld) staffAccount(role portal.Role, login string, o portal.Organ) portal.Account {
	w.t.Helper()
	a, err := w.db.CreateAccount(portal.Account{Role: role, Login: login, Name: "测试工作人员", Organ: o.Name, OrganID: o.ID,
		PasswordHash: hashFor(w.t, rlfPassword)}, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *rlfWorld) citizen(role portal.Role, mobile string, seq uint64) portal.Account {
	w.t.Helper()
	a := portal.Account{Role: role, Login: mobile, Mobile: mobile, Name: "测试用户", IDNumber: testIDNumber(seq, portal.Date{Year: 2009, Month: 4, Day: 1}),
		PasswordHash: hashFor(w.t, rlfPassword)}
	if role == portal.RoleLawyer {
		a.Licence, a.Firm = "11101200000000009", "测试律师事务所"
	}
	a, err := w.db.CreateAccount(a, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// sealedCase is the person's own application, decided by the court: sealed
// (as store/cases_test.go's completeDraft and Apply steps).
func (w *rlfWorld) sealedCase(filer portal.Account, seq uint64) portal.Case {
	w.t.Helper()
	db := w.db
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(filer.Role)}, filer.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err = db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = "测试人", testIDNumber(seq, portal.Date{Year: 2009, Month: 4, Day: 1})
		c.DecidingOrganID, c.OrganCaseNumber = w.court.ID, "(2025)演刑初字第9号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2025, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2025, Month: 1, Day: 5}, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}
		c.HoldingOrganIDs = []uint64{w.court.ID, w.police.ID}
		c.DeclaredTrue = true
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: filer.ID}, []byte("%PDF-1.4 x")); err != nil {
			w.t.Fatal(err)
		}
	}
	for _, st := range []store.Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: filer.ID, Role: filer.Role},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, AccountID: w.judge.ID, Role: portal.RoleCourt, OrganID: w.court.ID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, AccountID: w.judge.ID, Role: portal.RoleCourt, OrganID: w.court.ID},
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: w.judge.ID, Role: portal.RoleCourt, OrganID: w.court.ID, Rules: []string{"R2"}},
	} {
		if c, err = db.Apply(c.ID, st, w.cal); err != nil {
			w.t.Fatalf("%s: %v", st.Action, err)
		}
	}
	return c
}

// signIn opens an English-speaking browser signed in as a.
func (w *rlfWorld) signIn(a portal.Account) *testClient {
	w.t.Helper()
	c := w.newClient()
	c.setLang("en")
	c.login(a.Login, rlfPassword).wantStatus(w.t, http.StatusOK)
	return c
}

// storeRelief files and sends a request as the account would, through the
// store.
func (w *rlfWorld) storeRelief(filer portal.Account, linked uint64) portal.ReliefRequest {
	w.t.Helper()
	r, err := w.db.CreateReliefDraft(portal.ReliefRequest{Capacity: portal.CapacityOf(filer.Role), PersonName: "张三", Kind: portal.ReliefJob,
		HappenedOn: portal.Date{Year: 2026, Month: 3, Day: 1}, UnitName: "某某公司", UnitKind: portal.UnitEmployer, Description: "辞退了我",
		Remedies: []portal.ReliefRemedy{portal.RemedyReinstatement}, LinkedCaseID: linked}, filer.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	r, err = w.db.ApplyRelief(r.ID, store.ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: filer.ID, Role: filer.Role}, w.cal)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func rlfPath(id uint64, rest string) string { return "/relief/" + strconv.FormatUint(id, 10) + rest }
func supPath(id uint64, rest string) string {
	return "/supervision/relief/" + strconv.FormatUint(id, 10) + rest
}

var rlfIDRE = regexp.MustCompile(`^/relief/(\d+)/`)

// rlfIDOf reads the request id from a page's address.
func rlfIDOf(t *testing.T, p *testPage) uint64 {
	t.Helper()
	m := rlfIDRE.FindStringSubmatch(p.url.Path)
	if m == nil {
		t.Fatalf("no relief id in %s", p.url.Path)
	}
	id, _ := strconv.ParseUint(m[1], 10, 64)
	return id
}

// rlfFile is one file of a multipart post.
type rlfFile struct {
	name    string
	content []byte
}

// rlfMultipart posts a multipart form with the page's CSRF token, as a
// browser submitting an upload form does, and follows a 303.
func rlfMultipart(t *testing.T, c *testClient, path, csrf string, fields url.Values, files ...rlfFile) *testPage {
	t.Helper()
	v := url.Values{csrfField: {csrf}}
	for k, vs := range fields {
		v[k] = vs
	}
	uploads := make([]testUpload, 0, len(files))
	for _, f := range files {
		uploads = append(uploads, testUpload{"file", f.name, f.content})
	}
	return c.postMultipart(path, v, uploads...)
}

// rlfValidForm is a complete answer to the relief form.
func rlfValidForm(linked uint64) url.Values {
	v := url.Values{"kind": {"school"}, "happened_on": {"2026-02-20"}, "unit_name": {"演示市第一中学"}, "unit_kind": {"school"},
		"description": {"The school looked up my sealed record and refused me."}, "remedies": {"seal_or_correct", "reinstatement"}}
	if linked != 0 {
		v.Set("linked_case", strconv.FormatUint(linked, 10))
	}
	return v
}

// rlfQuickExit fails unless the page carries the quick exit: a plain link
// for a visitor, a form that signs out for a signed-in person (issue 16).
func rlfQuickExit(t *testing.T, p *testPage) {
	t.Helper()
	if !strings.Contains(p.body, `<a href="https://www.baidu.com/" class="button button-warning quick-exit" rel="noreferrer noopener" referrerpolicy="no-referrer" data-testid="quick-exit" data-quick-exit>`) &&
		!quickExitSignsOut(p) {
		t.Errorf("%s has no quick exit", p.url.Path)
	}
}

// The acceptance scenario of issue 4: a minor files a relief request linked
// to his sealed case, the supervisor issues a correction notice, the organ's
// notices show it with a deadline and it answers, the supervisor closes the
// request and the minor sees the outcome and a notification.
func TestReliefAcceptanceScenario(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	minor := w.signIn(w.minor)

	// The form: the quick exit, the minor's own case to link.
	form := minor.get("/relief/new").wantPath(t, "/relief/new").wantText(t, "Was your sealed record used against you?", w.sealed.Ref)
	rlfQuickExit(t, form)

	// A failed form keeps every value and says what is wrong, field by field.
	bad := rlfValidForm(w.sealed.ID)
	bad.Del("kind")
	bad.Set("happened_on", "2026-13-40")
	p := minor.submit("/relief/new", "/relief/new", bad).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("kind") == "" || !strings.HasSuffix(p.fieldError("happened_on"), "Enter the date like 2026-02-20") {
		t.Fatalf("errors kind=%q date=%q", p.fieldError("kind"), p.fieldError("happened_on"))
	}
	if v, _ := p.inputValue("unit_name"); v != "演示市第一中学" {
		t.Errorf("unit name not kept: %q", v)
	}
	if v, _ := p.inputValue("happened_on"); v != "2026-13-40" {
		t.Errorf("date not kept: %q", v)
	}
	for _, want := range []string{"The school looked up my sealed record and refused me.</textarea>", `value="reinstatement" checked`,
		`value="school" selected`, `value="` + strconv.FormatUint(w.sealed.ID, 10) + `" selected`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("failed form lost %q", want)
		}
	}
	if _, ok := p.testid("error-summary"); !ok {
		t.Error("no error summary")
	}

	// The answers become a draft; evidence is uploaded, checked by content.
	p = minor.submit("/relief/new", "/relief/new", rlfValidForm(w.sealed.ID))
	id := rlfIDOf(t, p)
	p.wantPath(t, rlfPath(id, "/evidence"))
	rlfQuickExit(t, p)
	bad2 := rlfMultipart(t, minor, rlfPath(id, "/evidence"), p.csrf(t), nil, rlfFile{"notes.txt", []byte("plain text")})
	bad2.wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.HasSuffix(bad2.fieldError("file"), "Upload a PDF, JPG or PNG file") {
		t.Fatalf("wrong type: %q", bad2.fieldError("file"))
	}
	p = rlfMultipart(t, minor, rlfPath(id, "/evidence"), p.csrf(t), nil,
		rlfFile{"refusal.pdf", testValidPDF}, rlfFile{"chat.png", testValidPNG})
	p.wantPath(t, rlfPath(id, "/evidence")).wantText(t, "refusal.pdf", "chat.png")

	// Check your answers, then send: the reference number and the deadline.
	check := minor.get(rlfPath(id, "/check")).wantText(t, "Check your answers before sending", "演示市第一中学", w.sealed.Ref, "refusal.pdf",
		"Give me back my place, my job or my benefit")
	if _, ok := check.testid("change-unit_name"); !ok {
		t.Error("no change link")
	}
	done := minor.submit(rlfPath(id, "/check"), rlfPath(id, "/submit"), nil).wantPath(t, rlfPath(id, "/confirmation"))
	ref, _ := done.testid("reference")
	if ref != "JZ-2026-000001" {
		t.Fatalf("reference %q", ref)
	}
	// R24: 15 working days from Tuesday 10 March 2026.
	done.wantText(t, "must deal with it by 31 March 2026")
	list := minor.get("/relief").wantText(t, ref, "Sent, waiting for the procuratorate")
	rlfQuickExit(t, list)

	// The supervisor's console lists it; its page is an audited read of the
	// linked sealed case (R17).
	sup := w.signIn(w.sup)
	console := sup.get("/supervision").wantPath(t, "/supervision")
	if n, _ := console.testid("count-relief"); !strings.Contains(n, "1") {
		t.Errorf("relief count %q", n)
	}
	if !strings.Contains(console.body, `data-kind="relief" data-ref="`+ref+`"`) {
		t.Fatal("the request is not in the console's queue")
	}
	page := sup.get(supPath(id, "")).wantText(t, ref, "The school looked up my sealed record", "refusal.pdf")
	audits := 0
	evs, _ := w.db.AuditEntries(0, 10000)
	for _, e := range evs {
		if e.Action == portal.AuditSealedRead && e.SubjectID == w.sealed.ID && e.ActorID == w.sup.ID {
			audits++
		}
	}
	if audits == 0 {
		t.Error("the supervisor's read of a linked request is not audited")
	}
	if !strings.Contains(page.body, `data-testid="action-accept"`) || strings.Contains(page.body, `data-testid="action-close"`) {
		t.Error("before acceptance only accept, decline and ask are offered")
	}
	sup.submit(supPath(id, ""), supPath(id, "/actions/accept"), nil).wantPath(t, supPath(id, "")).wantText(t, "Accepted.")

	// A notice without an organ is refused, the text kept; then issued.
	organ := strconv.FormatUint(w.police.ID, 10)
	p = sup.submit(supPath(id, ""), supPath(id, "/actions/issue_notice"), url.Values{"note": {"Seal the police file now."}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	if _, ok := p.testid("error-issue_notice-organ"); !ok || !strings.Contains(p.body, "Seal the police file now.</textarea>") {
		t.Fatal("the failed notice lost its error or its text")
	}
	sup.submit(supPath(id, ""), supPath(id, "/actions/issue_notice"), url.Values{"organ": {organ}, "note": {"Seal the police file now."}}).
		wantPath(t, supPath(id, "")).wantText(t, "Correction notice issued.", "Answer due by 31 March 2026")

	// The police see the notice with its deadline; the court does not.
	notices, err := w.db.CorrectionNotices(w.police.ID)
	if err != nil || len(notices) != 1 || notices[0].Due != (portal.Date{Year: 2026, Month: 3, Day: 31}) {
		t.Fatalf("police notices %+v %v", notices, err)
	}
	nid := strconv.FormatUint(notices[0].ID, 10)
	police := w.signIn(w.officer)
	pl := police.get("/staff/corrections").wantText(t, "Correction notice on "+ref, w.sealed.Ref, "31 March 2026")
	if !strings.Contains(pl.body, `data-case-ref="`+w.sealed.Ref+`" data-answered="false"`) {
		t.Fatal("the notice's row is missing")
	}
	judge := w.signIn(w.judge)
	judge.get("/staff/corrections").noText(t, ref)
	judge.get("/staff/corrections/"+nid).wantStatus(t, http.StatusNotFound)
	judge.submit("/staff/corrections", "/staff/corrections/"+nid+"/answer", url.Values{"answer": {"x"}}).wantStatus(t, http.StatusNotFound)
	p = police.submit("/staff/corrections/"+nid, "/staff/corrections/"+nid+"/answer", url.Values{"answer": {"  "}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("answer") == "" {
		t.Fatal("an empty answer shows no error")
	}
	police.submit("/staff/corrections/"+nid, "/staff/corrections/"+nid+"/answer", url.Values{"answer": {"The file is sealed."}}).
		wantPath(t, "/staff/corrections/"+nid).wantText(t, "Your answer has been recorded.", "The file is sealed.")

	// Closing needs an outcome the applicant can read.
	p = sup.submit(supPath(id, ""), supPath(id, "/actions/close"), url.Values{"note": {" "}}).wantStatus(t, http.StatusUnprocessableEntity)
	if _, ok := p.testid("error-close-note"); !ok {
		t.Fatal("closing without an outcome shows no error")
	}
	outcome := "The police sealed the file and the school took you back."
	sup.submit(supPath(id, ""), supPath(id, "/actions/close"), url.Values{"note": {outcome}}).wantPath(t, supPath(id, "")).wantText(t, "Request closed.")

	// The minor sees the outcome, the timeline and the notifications.
	before, _ := w.db.UnreadCount(w.minor.ID)
	mine := minor.get(rlfPath(id, "")).wantPath(t, rlfPath(id, ""))
	rlfQuickExit(t, mine)
	if got, _ := mine.testid("relief-outcome"); !strings.Contains(got, outcome) {
		t.Fatalf("outcome %q", got)
	}
	mine.wantText(t, "Closed", "The procuratorate accepted the request", "The organ answered the correction notice", "演示市公安局")
	// Issue 16: opening the request read the notifications that point to it;
	// the closed request's page says what to do next.
	after, _ := w.db.UnreadCount(w.minor.ID)
	if after >= before {
		t.Fatalf("unread %d before opening the request, %d after", before, after)
	}
	ns, _ := w.db.Notifications(w.minor.ID, 100)
	for _, n := range ns {
		if n.Ref == ref && !n.Read {
			t.Fatalf("notification %q of the opened request still unread", n.Key)
		}
	}
	if k, _ := mine.testid("next-steps"); !strings.Contains(k, "12309") || !strings.Contains(k, "12348") {
		t.Fatalf("next steps %q", k)
	}
	minor.get("/notifications").wantText(t, "Your request is closed; read the outcome", ref)
	// A closed request takes no more steps.
	minor.submit(rlfPath(id, ""), rlfPath(id, "/withdraw"), nil).wantStatus(t, http.StatusConflict)
}

// Nobody but the supervisor opens the console or a request's supervision
// page: 403 for citizens, organ officials and the administrator; 401 (to
// log in) for a visitor.
func TestSupervisionForbiddenToOthers(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	r := w.storeRelief(w.minor, 0)
	admin, err := w.db.CreateAccount(portal.Account{Role: portal.RoleSysadmin, Login: "rlf-admin", Name: "管理员", PasswordHash: hashFor(t, rlfPassword)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []portal.Account{w.minor, w.judge, w.officer, admin} {
		c := w.signIn(a)
		for _, path := range []string{"/supervision", supPath(r.ID, ""), supPath(r.ID, "/documents/1")} {
			c.get(path).wantStatus(t, http.StatusForbidden)
		}
		c.submit("/account", supPath(r.ID, "/actions/accept"), nil).wantStatus(t, http.StatusForbidden)
	}
	if got, _ := w.db.Relief(r.ID); got.Status != portal.ReliefSubmitted {
		t.Fatalf("a refused post changed the request: %s", got.Status)
	}
	visitor := w.newClient()
	if p := visitor.do(http.MethodGet, "/supervision", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Fatalf("visitor: %d %s", p.status, p.header.Get("Location"))
	}
	// The supervisor does not file relief requests, and organs answer
	// notices, not the supervisor.
	sup := w.signIn(w.sup)
	sup.get("/relief").wantStatus(t, http.StatusForbidden)
	sup.get("/staff/corrections").wantStatus(t, http.StatusForbidden)
	sup.get("/supervision").wantStatus(t, http.StatusOK)
}

// A citizen cannot read another person's request, its files, or act on it:
// the same 404 as for a number that does not exist.
func TestReliefOtherPersonsRequestIsNotFound(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	r := w.storeRelief(w.minor, w.sealed.ID)
	draft, err := w.db.CreateReliefDraft(portal.ReliefRequest{Capacity: portal.CapacitySelf, Kind: portal.ReliefOther,
		HappenedOn: portal.Date{Year: 2026, Month: 3, Day: 1}, UnitName: "x", UnitKind: portal.UnitOther, Description: "x",
		Remedies: []portal.ReliefRemedy{portal.RemedyApology}}, w.minor.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddReliefMessage(portal.ReliefMessage{ReliefID: r.ID, From: w.minor.ID, FromRole: portal.RoleMinor, Text: "evidence",
		Documents: []portal.Document{{Name: "e.pdf", MediaType: portal.MediaPDF}}}, [][]byte{[]byte("%PDF-x")}, w.cal); err != nil {
		t.Fatal(err)
	}
	got, _ := w.db.Relief(r.ID)
	doc := got.Documents[0].ID
	other := w.signIn(w.citizen(portal.RoleMinor, "13900000302", 302))
	lawyer := w.signIn(w.citizen(portal.RoleLawyer, "13900000303", 303))
	for _, c := range []*testClient{other, lawyer} {
		for _, path := range []string{rlfPath(r.ID, ""), rlfPath(r.ID, "/withdraw"), rlfPath(r.ID, "/confirmation"),
			rlfPath(r.ID, "/documents/"+strconv.FormatUint(doc, 10)), rlfPath(draft.ID, "/check"), rlfPath(draft.ID, "/edit"),
			rlfPath(draft.ID, "/evidence"), rlfPath(999999, "")} {
			c.get(path).wantStatus(t, http.StatusNotFound).noText(t, "某某公司", "辞退了我")
		}
		for _, path := range []string{rlfPath(r.ID, "/withdraw"), rlfPath(r.ID, "/messages"), rlfPath(draft.ID, "/submit"), rlfPath(draft.ID, "/edit")} {
			c.submit("/relief", path, url.Values{"text": {"hi"}}).wantStatus(t, http.StatusNotFound)
		}
		c.get("/relief").noText(t, r.Ref)
	}
	if got, _ := w.db.Relief(r.ID); got.Status != portal.ReliefSubmitted {
		t.Fatalf("status %s after refused posts", got.Status)
	}
	if got, _ := w.db.Relief(draft.ID); got.Status != portal.ReliefDraft {
		t.Fatalf("draft status %s after refused posts", got.Status)
	}
	// The owner reads his own file.
	owner := w.signIn(w.minor)
	owner.get(rlfPath(r.ID, "/documents/"+strconv.FormatUint(doc, 10))).wantStatus(t, http.StatusOK)
	// A linked case of another account cannot be chosen, even by a forged post.
	p := other.submit("/relief/new", "/relief/new", rlfValidForm(w.sealed.ID)).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("linked_case") == "" {
		t.Fatal("another person's case was accepted as the linked case")
	}
}

// A guardian names the person; the form's errors keep every value.
func TestReliefFormErrorsKeepValues(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	guardian := w.signIn(w.citizen(portal.RoleGuardian, "13900000304", 304))
	form := guardian.get("/relief/new")
	if _, ok := form.inputValue("person_name"); !ok {
		t.Fatal("a guardian is not asked for the person's name")
	}
	v := url.Values{"kind": {"declaration"}, "unit_name": {strings.Repeat("长", 101)}, "description": {"They made me fill in a form."},
		"happened_on": {"2027-01-01"}}
	p := guardian.submit("/relief/new", "/relief/new", v).wantStatus(t, http.StatusUnprocessableEntity)
	want := map[string]string{
		"person_name": "Enter the young person's name",
		"happened_on": "The date must be today or earlier",
		"unit_name":   "The name must be 100 characters or fewer",
		"unit_kind":   "Choose what kind of organisation it is",
		"remedies":    "Choose at least one thing you would like to happen",
	}
	for f, msg := range want {
		if got := p.fieldError(f); !strings.HasSuffix(got, msg) {
			t.Errorf("%s: %q, want %q", f, got, msg)
		}
	}
	if got, _ := p.inputValue("unit_name"); got != strings.Repeat("长", 101) {
		t.Error("unit name not kept")
	}
	if !strings.Contains(p.body, `value="declaration" checked`) || !strings.Contains(p.body, "They made me fill in a form.</textarea>") {
		t.Error("kind or description not kept")
	}
	// In Chinese too, nothing shows as a raw key.
	guardian.setLang("zh-CN")
	p = guardian.submit("/relief/new", "/relief/new", v)
	if regexp.MustCompile(`relief\.[a-z_]+`).MatchString(p.text()) {
		t.Errorf("a raw message key shows: %s", regexp.MustCompile(`relief\.[a-z_]+`).FindString(p.text()))
	}
	// A valid form with the person's name goes on to the evidence, and
	// changing an answer comes back to check your answers.
	v = rlfValidForm(0)
	v.Set("person_name", "王小明")
	p = guardian.submit("/relief/new", "/relief/new", v)
	id := rlfIDOf(t, p)
	v.Set("unit_name", "另一所中学")
	guardian.submit(rlfPath(id, "/edit"), rlfPath(id, "/edit"), v).wantPath(t, rlfPath(id, "/check")).wantText(t, "另一所中学", "王小明")
}

// What the state machine refuses shows as a refusal on the page, never as a
// change: steps out of order, a notice without a linked case, a withdrawal
// after closing, unknown actions.
func TestReliefStateRefusals(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	r := w.storeRelief(w.minor, 0)
	sup := w.signIn(w.sup)
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/close"), url.Values{"note": {"done"}}).wantStatus(t, http.StatusConflict).
		wantText(t, "This step is not possible at this stage")
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/withdraw"), nil).wantStatus(t, http.StatusNotFound)
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/notice_answered"), nil).wantStatus(t, http.StatusNotFound)

	// A question before deciding waits for the applicant; his answer sends it back.
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/ask_info"), url.Values{"note": {"Which school was it?"}}).
		wantPath(t, supPath(r.ID, ""))
	minor := w.signIn(w.minor)
	page := minor.get(rlfPath(r.ID, ""))
	if q, _ := page.testid("relief-question"); !strings.Contains(q, "Which school was it?") {
		t.Fatalf("question %q", q)
	}
	rlfMultipart(t, minor, rlfPath(r.ID, "/messages"), page.csrf(t), url.Values{"text": {"No. 1 Middle School"}}).
		wantPath(t, rlfPath(r.ID, "")).wantText(t, "Your message has been sent.", "Sent, waiting for the procuratorate")

	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/accept"), nil).wantPath(t, supPath(r.ID, ""))
	p := sup.get(supPath(r.ID, ""))
	if strings.Contains(p.body, `data-testid="action-issue_notice"`) {
		t.Fatal("a notice is offered without a linked case")
	}
	p.wantText(t, "The request is linked to no sealing case")
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/issue_notice"), url.Values{"organ": {strconv.FormatUint(w.police.ID, 10)}, "note": {"x"}}).
		wantStatus(t, http.StatusConflict)
	p = sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/record_step"), url.Values{"kind": {"record_sealed"}, "note": {"Sealed."}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	if _, ok := p.testid("error-record_step-organ"); !ok {
		t.Fatal("a record sealed without its organ shows no error")
	}
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/record_step"), url.Values{"kind": {"inquiry"}, "note": {"Letter sent to the employer."}}).
		wantPath(t, supPath(r.ID, "")).wantText(t, "Step recorded.", "Letter sent to the employer.")
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/close"), url.Values{"note": {"The employer apologised."}}).wantPath(t, supPath(r.ID, ""))
	sup.get(supPath(r.ID, "")).wantText(t, "This request is finished")
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/actions/accept"), nil).wantStatus(t, http.StatusConflict)
	sup.submit(supPath(r.ID, ""), supPath(r.ID, "/messages"), url.Values{"text": {"late"}}).wantStatus(t, http.StatusConflict)

	minor.get(rlfPath(r.ID, "/withdraw")).wantText(t, "This step is not possible at this stage").noText(t, "Yes, withdraw it")
	minor.submit(rlfPath(r.ID, ""), rlfPath(r.ID, "/withdraw"), nil).wantStatus(t, http.StatusConflict)
	if got, _ := w.db.Relief(r.ID); got.Status != portal.ReliefClosed {
		t.Fatalf("status %s", got.Status)
	}

	// Withdrawal before closing is allowed, from the confirmation page.
	r2 := w.storeRelief(w.minor, 0)
	minor.submit(rlfPath(r2.ID, "/withdraw"), rlfPath(r2.ID, "/withdraw"), nil).wantPath(t, rlfPath(r2.ID, "")).wantText(t, "Withdrawn")
	// A sent request is no longer editable: its draft pages lead to its page.
	minor.get(rlfPath(r2.ID, "/edit")).wantPath(t, rlfPath(r2.ID, ""))
}

// The organs' notice list and answer page stay with the organ the notice was
// issued to; time passing makes an unanswered notice overdue.
func TestReliefCorrectionNoticeOverdue(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	r := w.storeRelief(w.minor, w.sealed.ID)
	for _, st := range []portal.ReliefStep{{Action: portal.ReliefAccept},
		{Action: portal.ReliefIssueNotice, OrganID: w.police.ID, Note: "Seal it."}} {
		st.Actor = portal.ReliefActorSupervisor
		if _, err := w.db.ApplyRelief(r.ID, store.ReliefStep{ReliefStep: st, AccountID: w.sup.ID, Role: portal.RoleSupervisor}, w.cal); err != nil {
			t.Fatal(err)
		}
	}
	w.clock.advance(30 * 24 * time.Hour)
	police := w.signIn(w.officer)
	p := police.get("/staff/corrections")
	if !strings.Contains(p.body, `data-answered="false" data-overdue="true"`) {
		t.Fatal("an unanswered notice past its deadline is not flagged overdue")
	}
	p.wantText(t, "Overdue (due 31 March 2026)")
	// The police hold records of the case, so the notice links their page of it.
	if !strings.Contains(p.body, `href="/staff/cases/`+strconv.FormatUint(w.sealed.ID, 10)+`"`) {
		t.Error("no link to the organ's page of the case")
	}
}

// Binding the relief form never panics, and a linked case is always one of
// the applicant's own.
func FuzzReliefInput(f *testing.F) {
	f.Add("school", "2026-02-20", "school", "12", "reinstatement")
	f.Add("", "2026-02-30", "", "x", "")
	f.Add("other", "20260220", "other", "18446744073709551615", "apology")
	f.Add("job", "0000-01-01", "employer", "0", "seal_or_correct")
	cases := []views.ReliefCaseOption{{ID: 12, Ref: "FC-2026-000012"}}
	f.Fuzz(func(t *testing.T, kind, date, unitKind, linked, remedy string) {
		in := reliefInput{Kind: kind, HappenedOn: date, UnitKind: unitKind, LinkedCase: linked, Remedies: []string{remedy, remedy}}
		var r portal.ReliefRequest
		fe := in.apply(&r, cases)
		if r.LinkedCaseID != 0 && r.LinkedCaseID != 12 {
			t.Fatalf("linked case %d accepted", r.LinkedCaseID)
		}
		if len(r.Remedies) > 1 {
			t.Fatalf("remedies %v", r.Remedies)
		}
		if fe["happened_on"] == "" && date != "" && r.HappenedOn.IsZero() {
			t.Fatalf("date %q lost without an error", date)
		}
		_ = r.Validate(portal.Date{Year: 2026, Month: 3, Day: 10})
	})
}
