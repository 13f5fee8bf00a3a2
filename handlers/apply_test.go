package handlers

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
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

// The applicant's journey through the real router and a real store, on a
// fixed clock (Monday 2 March 2026, 10:00 in Beijing) so that deadlines are
// deterministic: acceptance within 3 working days is Thursday 5 March.

const pwApply = "willow bark and paper"

var applyEpoch = time.Date(2026, 3, 2, 10, 0, 0, 0, portal.China)

// applyOrgansT are the organs a test registers.
type applyOrgansT struct{ court, procuratorate, police, judicial portal.Organ }

func applyServer(t *testing.T) (*testServer, applyOrgansT) {
	t.Helper()
	ts := newTestServer(t)
	ts.clock.mu.Lock()
	ts.clock.now = applyEpoch
	ts.clock.mu.Unlock()
	var o applyOrgansT
	for _, x := range []struct {
		dst  *portal.Organ
		kind portal.Role
		name string
	}{
		{&o.court, portal.RoleCourt, "北京市海淀区人民法院"},
		{&o.procuratorate, portal.RoleProcuratorate, "北京市海淀区人民检察院"},
		{&o.police, portal.RolePolice, "北京市公安局海淀分局"},
		{&o.judicial, portal.RoleJudicialAdmin, "北京市海淀区司法局"},
	} {
		org, err := ts.db.EnsureOrgan(x.kind, x.name)
		if err != nil {
			t.Fatalf("ensure organ: %v", err)
		}
		*x.dst = org
	}
	return ts, o
}

// applyClient signs a new citizen in, in English.
func applyClient(t *testing.T, ts *testServer, role portal.Role, mobile string) (*testClient, portal.Account) {
	t.Helper()
	a := ts.createCitizen(role, mobile, pwApply)
	c := ts.newClient()
	c.setLang("en")
	c.login(mobile, pwApply).wantPath(t, "/cases")
	return c, a
}

var applyIDRE = regexp.MustCompile(`^/apply/(\d+)$`)

// applyStartDraft presses "start a new application" and returns the draft's id.
func applyStartDraft(t *testing.T, c *testClient) uint64 {
	t.Helper()
	p := c.submit("/apply", "/apply", nil)
	m := applyIDRE.FindStringSubmatch(p.url.Path)
	if m == nil || p.status != http.StatusOK {
		t.Fatalf("start: ended at %s with %d\n%s", p.url.Path, p.status, excerpt(p))
	}
	id, _ := strconv.ParseUint(m[1], 10, 64)
	return id
}

func applyP(id uint64, page string) string { return applyPath(id, page) }

func applyFillPerson(t *testing.T, c *testClient, id uint64, name, idNumber string) *testPage {
	t.Helper()
	return c.submit(applyP(id, "person"), applyP(id, "person"), url.Values{"person_name": {name}, "person_id_number": {idNumber}})
}

// applyCaseForm is a complete case page: a suspended one-year sentence for an
// act at 14, decided in September 2025.
func applyCaseForm(organ uint64) url.Values {
	return url.Values{
		"deciding_organ": {strconv.FormatUint(organ, 10)}, "case_number": {"(2025)京0108刑初12号"},
		"disposition":        {"sentenced"},
		"decision_date-year": {"2025"}, "decision_date-month": {"9"}, "decision_date-day": {"1"},
		"acts[0].date-year": {"2025"}, "acts[0].date-month": {"1"}, "acts[0].date-day": {"10"},
		"intent":       {"intentional"},
		"penalty_kind": {"fixed_term"}, "penalty_months": {"12"}, "penalty_suspended": {"yes"},
		"action": {"save"},
	}
}

func applyFillOrgans(t *testing.T, c *testClient, id uint64, organs ...portal.Organ) *testPage {
	t.Helper()
	v := url.Values{}
	for _, o := range organs {
		v.Add("holding_organs", strconv.FormatUint(o.ID, 10))
	}
	return c.submit(applyP(id, "organs"), applyP(id, "organs"), v)
}

var (
	// Real files: uploads are decoded and checked by content (portal.CheckUpload).
	applyPDF  = testValidPDF
	applyPNG  = testValidPNG
	applyJPEG = testValidJPEG
)

// applyUpload sends the documents page's upload form as a browser would
// (multipart, with the page's CSRF token), following a redirect.
func applyUpload(t *testing.T, c *testClient, id uint64, kind, filename string, content []byte) *testPage {
	t.Helper()
	token := c.get(applyP(id, "documents")).csrf(t)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", token)
	_ = w.WriteField("kind", kind)
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(content)
	} else {
		// A browser sends an empty file part when nothing was chosen.
		_, _ = w.CreateFormFile("file", "")
	}
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, c.ts.srv.URL+applyP(id, "documents"), &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	for name, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		c.keepCookies(resp)
		return c.get(resp.Header.Get("Location"))
	}
	return &testPage{status: resp.StatusCode, header: resp.Header, body: string(raw), url: resp.Request.URL, first: resp}
}

func applyDeclare(t *testing.T, c *testClient, id uint64) *testPage {
	t.Helper()
	return c.submit(applyP(id, "declarations"), applyP(id, "declarations"), url.Values{"declare_true": {"yes"}})
}

// applyComplete fills in every section of a draft for someone born on birth.
func applyComplete(t *testing.T, c *testClient, id uint64, o applyOrgansT, name, idNumber string, extraDoc string) {
	t.Helper()
	applyFillPerson(t, c, id, name, idNumber).wantPath(t, applyP(id, ""))
	c.submit(applyP(id, "case"), applyP(id, "case"), applyCaseForm(o.court.ID)).wantPath(t, applyP(id, ""))
	applyFillOrgans(t, c, id, o.court, o.procuratorate, o.police).wantPath(t, applyP(id, ""))
	applyUpload(t, c, id, "judgment", "判决书.pdf", applyPDF).wantPath(t, applyP(id, "documents")).wantText(t, "The file has been uploaded.")
	applyUpload(t, c, id, "identity", "id.png", applyPNG).wantPath(t, applyP(id, "documents"))
	if extraDoc != "" {
		applyUpload(t, c, id, extraDoc, "proof.jpg", applyJPEG).wantPath(t, applyP(id, "documents"))
	}
	applyDeclare(t, c, id).wantPath(t, applyP(id, ""))
}

func applyStateOf(t *testing.T, p *testPage, section string) string {
	t.Helper()
	re := regexp.MustCompile(`data-testid="section-` + section + `" data-state="([a-z_]+)"`)
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no section %s on %s", section, p.url.Path)
	}
	return m[1]
}

var applyRefRE = regexp.MustCompile(`^FC-2026-\d{6}$`)

// applySubmit sends the application from the check page and returns the
// confirmation's reference number.
func applySubmit(t *testing.T, c *testClient, id uint64) (*testPage, string) {
	t.Helper()
	p := c.submit(applyP(id, "check"), applyP(id, "submit"), nil).wantPath(t, applyP(id, "done"))
	ref, ok := p.testid("reference")
	if !ok || !applyRefRE.MatchString(ref) {
		t.Fatalf("reference %q (found %v)", ref, ok)
	}
	return p, ref
}

func TestApplyGuardianEndToEnd(t *testing.T) {
	t.Parallel()
	ts, o := applyServer(t)
	c, guardian := applyClient(t, ts, portal.RoleGuardian, "13900000301")

	c.get("/apply").wantPath(t, "/apply").wantText(t, "proof that you are the guardian", "Start a new application")
	id := applyStartDraft(t, c)
	p := c.get(applyP(id, ""))
	for _, sec := range portal.Sections {
		if got := applyStateOf(t, p, sec); got != "not_started" {
			t.Fatalf("new draft: section %s is %s", sec, got)
		}
	}
	if _, ok := p.testid("check-link-disabled"); !ok {
		t.Fatal("check your answers is offered for an empty draft")
	}
	if _, ok := p.testid("eligibility-unknown"); !ok {
		t.Fatal("eligibility shown before any fact")
	}

	// The child is 15.
	child := testIDNumber(301, portal.Date{Year: 2010, Month: 5, Day: 1})
	applyFillPerson(t, c, id, "李小华", child).wantPath(t, applyP(id, ""))
	p = c.get(applyP(id, "person"))
	if s, _ := p.testid("birth-date-check"); !strings.Contains(s, "1 May 2010") {
		t.Fatalf("birth date check %q", s)
	}
	p = c.submit(applyP(id, "case"), applyP(id, "case"), applyCaseForm(o.court.ID)).wantPath(t, applyP(id, ""))
	if got := applyStateOf(t, p, "case"); got != "completed" {
		t.Fatalf("case section %s", got)
	}
	// R1, R2, R3: an act at 14, a suspended one-year term.
	if !strings.Contains(p.body, `data-outcome="seal"`) {
		t.Fatalf("eligibility not shown as seal\n%s", excerpt(p))
	}
	// Issue 16: the citizen reads the articles of law; the rule ids stay in
	// an attribute for tests and tools.
	if rules, _ := p.testid("eligibility-rules"); !strings.Contains(rules, "Criminal Procedure Law art. 286") || strings.Contains(rules, "R1") ||
		!strings.Contains(p.body, `data-rules="R1 R2 R3"`) {
		t.Fatalf("rules %q", rules)
	}
	applyFillOrgans(t, c, id, o.court, o.procuratorate, o.police).wantPath(t, applyP(id, ""))

	// Documents: the proof of guardianship is required of a guardian.
	applyUpload(t, c, id, "judgment", "判决书.pdf", applyPDF).wantPath(t, applyP(id, "documents"))
	p = applyUpload(t, c, id, "identity", "id.png", applyPNG).wantPath(t, applyP(id, "documents"))
	if s, _ := p.testid("documents-missing"); !strings.Contains(s, "Upload proof of guardianship") {
		t.Fatalf("missing documents %q", s)
	}
	applyUpload(t, c, id, "guardianship", "户口簿.jpg", applyJPEG).wantPath(t, applyP(id, "documents"))
	p = c.get(applyP(id, ""))
	if got := applyStateOf(t, p, "documents"); got != "completed" {
		t.Fatalf("documents section %s", got)
	}
	if _, ok := p.testid("check-link"); ok {
		t.Fatal("check your answers offered before the declaration")
	}
	applyDeclare(t, c, id).wantPath(t, applyP(id, ""))
	p = c.get(applyP(id, ""))
	if _, ok := p.testid("check-link"); !ok {
		t.Fatalf("check your answers not offered when complete\n%s", excerpt(p))
	}

	p = c.get(applyP(id, "check")).wantPath(t, applyP(id, "check")).
		wantText(t, "李小华", child, "1 May 2010", "北京市海淀区人民法院", "Sentenced by a court", "12 months",
			"判决书.pdf", "户口簿.jpg", "The record must be sealed")
	if due, _ := p.testid("check-due"); !strings.Contains(due, "5 March 2026") {
		t.Fatalf("check page deadline %q", due)
	}
	if _, ok := p.testid("error-summary"); ok {
		t.Fatal("problems listed for a complete application")
	}

	p, ref := applySubmit(t, c, id)
	if due, _ := p.testid("done-due"); !strings.Contains(due, "5 March 2026") {
		t.Fatalf("confirmation deadline %q", due)
	}
	cs, err := ts.db.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Status != portal.StatusSubmitted || cs.Ref != ref || cs.Capacity != portal.CapacityGuardian || cs.FiledBy != guardian.ID {
		t.Fatalf("stored case: status %s ref %s capacity %s filer %d", cs.Status, cs.Ref, cs.Capacity, cs.FiledBy)
	}
	if cs.Due != (portal.Date{Year: 2026, Month: time.March, Day: 5}) {
		t.Fatalf("due %v", cs.Due)
	}
	// The guardian can still download what he uploaded.
	d := cs.Documents[0]
	dl := c.get(fmt.Sprintf("/apply/%d/documents/%d", id, d.ID)).wantStatus(t, http.StatusOK)
	if dl.body != string(applyPDF) || dl.header.Get("Content-Type") != portal.MediaPDF || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %q %q", dl.header.Get("Content-Type"), dl.header.Get("Content-Disposition"))
	}
}

func TestApplyLawyerTwoClients(t *testing.T) {
	t.Parallel()
	ts, o := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleLawyer, "13900000311")

	a := applyStartDraft(t, c)
	b := applyStartDraft(t, c)
	if a == b {
		t.Fatal("one draft for two clients")
	}
	applyFillPerson(t, c, a, "张一", testIDNumber(311, portal.Date{Year: 2004, Month: 2, Day: 29})).wantPath(t, applyP(a, ""))
	p := c.get("/apply")
	if n := strings.Count(p.body, `data-testid="draft"`); n != 2 {
		t.Fatalf("%d drafts listed, want 2", n)
	}
	p.wantText(t, "张一", "(name not given yet)")

	// A lawyer's documents need a power of attorney per client.
	applyComplete(t, c, a, o, "张一", testIDNumber(311, portal.Date{Year: 2004, Month: 2, Day: 29}), "")
	p = c.get(applyP(a, ""))
	if got := applyStateOf(t, p, "documents"); got != "problems" {
		t.Fatalf("documents without a power of attorney: %s", got)
	}
	p.wantText(t, "Upload the power of attorney")
	applyUpload(t, c, a, "power_of_attorney", "委托书.pdf", applyPDF).wantPath(t, applyP(a, "documents"))
	applyComplete(t, c, b, o, "王二", testIDNumber(312, portal.Date{Year: 2006, Month: 11, Day: 30}), "power_of_attorney")

	// The rules call client b's record not eligible (R2: life imprisonment);
	// the application can still be sent, and the organ decides.
	v := applyCaseForm(o.court.ID)
	v.Set("acts[0].date-year", "2023") // at 16
	v.Set("penalty_kind", "life")
	v.Del("penalty_months")
	v.Del("penalty_suspended")
	p = c.submit(applyP(b, "case"), applyP(b, "case"), v).wantPath(t, applyP(b, ""))
	if !strings.Contains(p.body, `data-outcome="not_eligible"`) || !strings.Contains(p.text(), "A life sentence cannot be sealed") {
		t.Fatalf("life sentence not shown as not eligible\n%s", excerpt(p))
	}
	c.get(applyP(b, "check")).wantText(t, "Sealing of records from under 18 does not apply", "You can still send the application: the authority decides.")

	// Client b is sent the next day (the lawyer signs in again), so a's
	// deadline comes first.
	_, refA := applySubmit(t, c, a)
	ts.clock.advance(24 * time.Hour)
	c.login("13900000311", pwApply).wantPath(t, "/cases")
	_, refB := applySubmit(t, c, b)
	if refA == refB {
		t.Fatalf("both clients got reference %s", refA)
	}
	// The lawyer's dashboard shows both clients, nearest deadline first.
	rows := casesRows(c.get("/cases").wantStatus(t, http.StatusOK))
	if len(rows) != 2 || !strings.HasPrefix(rows[0], refA+"|") || !strings.HasPrefix(rows[1], refB+"|") {
		t.Fatalf("dashboard rows %v, want %s then %s", rows, refA, refB)
	}
	for _, id := range []uint64{a, b} {
		cs, err := ts.db.Case(id)
		if err != nil || cs.Status != portal.StatusSubmitted || cs.Capacity != portal.CapacityLawyer {
			t.Fatalf("case %d: %v %s %s", id, err, cs.Status, cs.Capacity)
		}
	}
	// Nothing left to continue.
	if n := strings.Count(c.get("/apply").body, `data-testid="draft"`); n != 0 {
		t.Fatalf("%d drafts listed after submitting both", n)
	}
}

// A minor applies for himself: his name and number come from the account.
func TestApplyMinorPrefilledAndCheckListsProblems(t *testing.T) {
	t.Parallel()
	ts, o := applyServer(t)
	c, minor := applyClient(t, ts, portal.RoleMinor, "13900000321")
	id := applyStartDraft(t, c)
	p := c.get(applyP(id, ""))
	if got := applyStateOf(t, p, "person"); got != "completed" {
		t.Fatalf("minor's person section %s", got)
	}
	if got := applyStateOf(t, p, "case"); got != "not_started" {
		t.Fatalf("case section %s", got)
	}
	if s, _ := c.get(applyP(id, "person")).testid("person-id-number"); s != minor.IDNumber {
		t.Fatalf("person page shows %q, want the account's number", s)
	}
	// The number of a minor's own application cannot be changed to another's.
	applyFillPerson(t, c, id, "测试用户", testIDNumber(321, portal.Date{Year: 2009, Month: 1, Day: 1})).wantPath(t, applyP(id, ""))
	if cs, _ := ts.db.Case(id); cs.PersonIDNumber != minor.IDNumber {
		t.Fatalf("stored number %s", cs.PersonIDNumber)
	}

	// Check your answers lists every problem with a link to its page.
	p = c.get(applyP(id, "check")).wantPath(t, applyP(id, "check"))
	if _, ok := p.testid("error-summary"); !ok {
		t.Fatal("no problems listed for an incomplete application")
	}
	for _, href := range []string{
		fmt.Sprintf(`href="/apply/%d/case#deciding_organ"`, id),
		fmt.Sprintf(`href="/apply/%d/organs#holding_organs"`, id),
		fmt.Sprintf(`href="/apply/%d/documents#documents"`, id),
		fmt.Sprintf(`href="/apply/%d/declarations#declare_true"`, id),
	} {
		if !strings.Contains(p.body, href) {
			t.Errorf("no problem link %s", href)
		}
	}
	if strings.Contains(p.body, fmt.Sprintf(`/apply/%d/person#`, id)) {
		t.Error("the complete person section is listed as a problem")
	}
	if _, ok := p.testid("submit"); ok {
		t.Error("send button offered with problems")
	}
	// Sending anyway is refused with the same list.
	p = c.submit(applyP(id, "check"), applyP(id, "submit"), nil).wantStatus(t, http.StatusUnprocessableEntity)
	p.wantText(t, "You cannot send the application yet", "Choose the authority that decided the case")
	if cs, _ := ts.db.Case(id); cs.Status != portal.StatusDraft || cs.Ref != "" {
		t.Fatalf("refused submission changed the case: %s %s", cs.Status, cs.Ref)
	}

	// A wrong date is shown again as typed, with its error, and the rest kept.
	v := applyCaseForm(o.court.ID)
	v.Set("decision_date-month", "13")
	v.Set("case_number", "(2025)京0108刑初99号")
	p = c.submit(applyP(id, "case"), applyP(id, "case"), v).wantStatus(t, http.StatusUnprocessableEntity)
	if e := p.fieldError("decision_date"); e != "Error: Enter a real date, with a 4-digit year" {
		t.Fatalf("decision date error %q", e)
	}
	if got, _ := p.inputValue("decision_date-month"); got != "13" {
		t.Fatalf("typed month %q not kept", got)
	}
	if got, _ := p.inputValue("case_number"); got != "(2025)京0108刑初99号" {
		t.Fatalf("case number %q not kept", got)
	}
	// What could be stored was saved (the draft is saved on every step).
	if cs, _ := ts.db.Case(id); cs.OrganCaseNumber != "(2025)京0108刑初99号" || cs.DecidingOrganID != o.court.ID || !cs.DecisionDate.IsZero() {
		t.Fatalf("saved: %q %d %v", cs.OrganCaseNumber, cs.DecidingOrganID, cs.DecisionDate)
	}

	// "Add another act" shows one more row and keeps what was typed.
	v = applyCaseForm(o.court.ID)
	v.Set("action", "add_act")
	p = c.submit(applyP(id, "case"), applyP(id, "case"), v).wantStatus(t, http.StatusOK)
	if _, ok := p.inputValue("acts[1].date-year"); !ok {
		t.Fatal("no second act row")
	}
	if got, _ := p.inputValue("acts[0].date-day"); got != "10" {
		t.Fatalf("first act's day %q not kept", got)
	}
	if !strings.Contains(p.body, `name="main"`) {
		t.Fatal("no main-act question with two rows")
	}
	// Two acts on both sides of the 18th birthday (born 2005-06-01): the main
	// act is the court's finding (R5).
	v = applyCaseForm(o.court.ID)
	v.Set("act_rows", "2")
	v.Set("acts[0].date-year", "2023")
	v.Set("acts[1].date-year", "2024")
	v.Set("acts[1].date-month", "2")
	v.Set("acts[1].date-day", "1")
	v.Set("main", "0")
	c.submit(applyP(id, "case"), applyP(id, "case"), v).wantPath(t, applyP(id, ""))
	cs, _ := ts.db.Case(id)
	if len(cs.Acts) != 2 || !cs.Acts[0].Main || cs.Acts[1].Main {
		t.Fatalf("acts %+v", cs.Acts)
	}
}

func TestApplyForeignCaseIsNotFound(t *testing.T) {
	t.Parallel()
	ts, _ := applyServer(t)
	owner, _ := applyClient(t, ts, portal.RoleMinor, "13900000331")
	id := applyStartDraft(t, owner)
	applyUpload(t, owner, id, "judgment", "j.pdf", applyPDF).wantPath(t, applyP(id, "documents"))
	cs, _ := ts.db.Case(id)
	doc := cs.Documents[0].ID

	other, _ := applyClient(t, ts, portal.RoleMinor, "13900000332")
	token := other.get("/apply").csrf(t)
	if strings.Contains(other.get("/apply").body, `data-testid="draft"`) {
		t.Fatal("another person's draft is listed")
	}
	n := 0
	for _, r := range applyRoutes() {
		if !strings.Contains(r.path, ":id") {
			continue
		}
		n++
		path := strings.ReplaceAll(strings.ReplaceAll(r.path, ":id", strconv.FormatUint(id, 10)), ":doc", strconv.FormatUint(doc, 10))
		var form url.Values
		if r.method == http.MethodPost {
			form = url.Values{"_csrf": {token}, "person_name": {"x"}, "declare_true": {"yes"}}
		}
		if p := other.do(r.method, path, form); p.status != http.StatusNotFound {
			t.Errorf("%s %s on another person's draft: %d, want 404", r.method, path, p.status)
		}
	}
	if n < 15 {
		t.Fatalf("only %d routes tried", n)
	}
	after, _ := ts.db.Case(id)
	if after.PersonName != cs.PersonName || after.DeclaredTrue || len(after.Documents) != 1 {
		t.Fatal("the foreign requests changed the draft")
	}
}

func TestApplyRejectedUploadKeepsTheRest(t *testing.T) {
	t.Parallel()
	ts, _ := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleGuardian, "13900000341")
	id := applyStartDraft(t, c)
	applyFillPerson(t, c, id, "赵小明", testIDNumber(341, portal.Date{Year: 2011, Month: 8, Day: 8})).wantPath(t, applyP(id, ""))
	applyUpload(t, c, id, "judgment", "judgment.pdf", applyPDF).wantPath(t, applyP(id, "documents"))

	selected := regexp.MustCompile(`<option value="identity" selected`)
	for _, tc := range []struct {
		name, filename string
		content        []byte
		want           string
	}{
		{"text named .pdf", "identity.pdf", []byte("this is plain text, not a PDF"), "Upload a PDF, JPG or PNG file"},
		{"too big", "identity.pdf", append([]byte("%PDF-1.4\n"), make([]byte, portal.MaxDocumentBytes+1-9)...), "The file must be 10 MB or smaller"},
		{"none chosen", "", nil, "Choose a file to upload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "too big" && len(tc.content) != portal.MaxDocumentBytes+1 {
				t.Fatalf("content of %d bytes", len(tc.content))
			}
			p := applyUpload(t, c, id, "identity", tc.filename, tc.content).wantStatus(t, http.StatusUnprocessableEntity)
			if e := p.fieldError("file"); e != "Error: "+tc.want {
				t.Fatalf("file error %q, want %q", e, tc.want)
			}
			if _, ok := p.testid("error-summary"); !ok {
				t.Fatal("no error summary")
			}
			if !selected.MatchString(p.body) {
				t.Fatal("the chosen kind is not kept")
			}
			if n := strings.Count(p.body, `data-testid="document"`); n != 1 {
				t.Fatalf("%d uploaded documents listed, want the judgment", n)
			}
			p.wantText(t, "judgment.pdf")
		})
	}
	cs, _ := ts.db.Case(id)
	if len(cs.Documents) != 1 || cs.PersonName != "赵小明" {
		t.Fatalf("after refused uploads: %d documents, person %q", len(cs.Documents), cs.PersonName)
	}
	// No kind chosen is a field error too.
	p := applyUpload(t, c, id, "", "x.pdf", applyPDF).wantStatus(t, http.StatusUnprocessableEntity)
	if e := p.fieldError("kind"); e != "Error: Choose what kind of document this is" {
		t.Fatalf("kind error %q", e)
	}
	// Removing a document.
	p = c.get(applyP(id, "documents"))
	action := regexp.MustCompile(`action="(/apply/\d+/documents/\d+/remove)"`).FindStringSubmatch(p.body)
	if action == nil {
		t.Fatal("no remove button")
	}
	c.post(action[1], url.Values{"_csrf": {p.csrf(t)}}).wantPath(t, applyP(id, "documents")).wantText(t, "The file has been removed.", "No documents uploaded yet.")
}

func TestApplySubmittedIsReadOnlyAndReturnedIsEditable(t *testing.T) {
	t.Parallel()
	ts, o := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleGuardian, "13900000351")
	id := applyStartDraft(t, c)
	applyComplete(t, c, id, o, "钱小红", testIDNumber(351, portal.Date{Year: 2012, Month: 3, Day: 15}), "guardianship")
	_, ref := applySubmit(t, c, id)

	want := fmt.Sprintf("/cases/%d", id)
	for _, page := range []string{"", "person", "case", "organs", "documents", "declarations", "check", "delete"} {
		p := c.do(http.MethodGet, applyP(id, page), nil)
		if p.status != http.StatusSeeOther || p.header.Get("Location") != want {
			t.Errorf("GET %s of a submitted case: %d to %q, want 303 to %s", applyP(id, page), p.status, p.header.Get("Location"), want)
		}
	}
	token := c.get("/apply").csrf(t)
	p := c.do(http.MethodPost, applyP(id, "person"), url.Values{"_csrf": {token}, "person_name": {"改名"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != want {
		t.Errorf("POST person of a submitted case: %d to %q", p.status, p.header.Get("Location"))
	}
	// Deleting a submitted case is refused, and nothing is deleted (R11).
	c.post(applyP(id, "delete"), url.Values{"_csrf": {token}}).wantStatus(t, http.StatusConflict).
		wantText(t, "Only a draft that was never submitted can be deleted")
	cs, err := ts.db.Case(id)
	if err != nil || cs.PersonName != "钱小红" {
		t.Fatalf("submitted case after refused edits: %v %q", err, cs.PersonName)
	}
	c.get(applyP(id, "done")).wantPath(t, applyP(id, "done"))

	// The organ returns it for correction: it is editable and sent again
	// under the same reference.
	if _, err := ts.db.Apply(id, store.Step{Action: portal.ActionReturn, Actor: portal.ActorDecider, Note: "请上传清晰的判决书"}, ts.cfg.Calendar); err != nil {
		t.Fatal(err)
	}
	p = c.get(applyP(id, "")).wantPath(t, applyP(id, ""))
	if note, _ := p.testid("return-note"); note != "请上传清晰的判决书" {
		t.Fatalf("return note %q", note)
	}
	if _, ok := p.testid("delete-link"); ok {
		t.Fatal("a returned application offers deletion")
	}
	applyUpload(t, c, id, "judgment", "清晰.pdf", applyPDF).wantPath(t, applyP(id, "documents"))
	_, again := applySubmit(t, c, id)
	if again != ref {
		t.Fatalf("resubmitted as %s, was %s", again, ref)
	}
}

func TestApplyDeleteDraft(t *testing.T) {
	t.Parallel()
	ts, _ := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleLawyer, "13900000361")
	id := applyStartDraft(t, c)
	applyFillPerson(t, c, id, "孙三", testIDNumber(361, portal.Date{Year: 2003, Month: 7, Day: 7})).wantPath(t, applyP(id, ""))
	applyUpload(t, c, id, "judgment", "j.pdf", applyPDF).wantPath(t, applyP(id, "documents"))
	c.get(applyP(id, "")).wantText(t, "Delete this draft")
	c.get(applyP(id, "delete")).wantPath(t, applyP(id, "delete")).wantText(t, "Are you sure you want to delete this draft?", "孙三")
	c.submit(applyP(id, "delete"), applyP(id, "delete"), nil).wantPath(t, "/apply").wantText(t, "The draft has been deleted.")
	if _, err := ts.db.Case(id); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("deleted draft still there: %v", err)
	}
	c.get(applyP(id, "")).wantStatus(t, http.StatusNotFound)
}

// R1: a guardian files only for someone under 18, and hands over on the
// day after the 18th birthday.
func TestApplyGuardianAndAdulthood(t *testing.T) {
	t.Parallel()
	ts, _ := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleGuardian, "13900000371")
	id := applyStartDraft(t, c)
	adult := testIDNumber(371, portal.Date{Year: 2007, Month: 1, Day: 1})
	p := applyFillPerson(t, c, id, "周大", adult).wantStatus(t, http.StatusUnprocessableEntity)
	if e := p.fieldError("person_id_number"); !strings.Contains(e, "This person is 18 or over") {
		t.Fatalf("id error %q", e)
	}
	if got, _ := p.inputValue("person_id_number"); got != adult {
		t.Fatalf("typed number %q not kept", got)
	}
	if cs, _ := ts.db.Case(id); cs.PersonIDNumber != "" || cs.PersonName != "周大" {
		t.Fatalf("stored %q %q", cs.PersonName, cs.PersonIDNumber)
	}
	// 18 on 4 March 2026: still under 18 that day (R1), an adult the next.
	ward := testIDNumber(372, portal.Date{Year: 2008, Month: 3, Day: 4})
	applyFillPerson(t, c, id, "周小", ward).wantPath(t, applyP(id, ""))
	ts.clock.advance(3 * 24 * time.Hour)
	c.login("13900000371", pwApply)
	// Issue 11: the guardian's access ends entirely, and the page says so.
	c.get(applyP(id, "")).wantStatus(t, http.StatusForbidden).wantText(t, "your access as guardian to this matter has ended")
}

// R31: a lawyer files for a person without a mainland identity number: a
// passport needs its issuing state (refused at its field, typed values
// kept); with it the draft keeps the document's kind, number and state.
func TestApplyPersonIdentityDocument(t *testing.T) {
	t.Parallel()
	ts, _ := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleLawyer, "13900000381")
	id := applyStartDraft(t, c)
	form := c.get(applyP(id, "person")).wantStatus(t, http.StatusOK)
	if !strings.Contains(form.body, `value="resident_id" checked`) {
		t.Fatal("the mainland identity card is not the default kind")
	}
	v := url.Values{"person_name": {"Jean Dupont"}, "person_doc_type": {"passport"}, "person_id_number": {"e1234567"}}
	p := c.submit(applyP(id, "person"), applyP(id, "person"), v).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("person_doc_country") == "" || !strings.Contains(p.body, `value="passport" checked`) {
		t.Fatalf("a passport without its state\n%s", excerpt(p))
	}
	v.Set("person_doc_country", "fra")
	// R31: a passport's number carries no birth date; the person's is asked
	// (the eligibility rules need it), as the passport shows it.
	p = c.submit(applyP(id, "person"), applyP(id, "person"), v).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("person_birth_date"), "enter the person's date of birth") {
		t.Fatalf("a passport without a birth date: %q\n%s", p.fieldError("person_birth_date"), excerpt(p))
	}
	if got, _ := p.inputValue("person_doc_country"); got != "fra" {
		t.Fatalf("the state typed is not kept: %q", got)
	}
	v.Set("person_birth_date", "2007-02-30")
	p = c.submit(applyP(id, "person"), applyP(id, "person"), v).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("person_birth_date") == "" {
		t.Fatal("an impossible birth date accepted")
	}
	if got, _ := p.inputValue("person_birth_date"); got != "2007-02-30" {
		t.Fatalf("the date typed is not kept: %q", got)
	}
	v.Set("person_birth_date", "2007-06-01")
	c.submit(applyP(id, "person"), applyP(id, "person"), v).wantPath(t, applyP(id, ""))
	cs, err := ts.db.Case(id)
	if err != nil || cs.PersonDocType != portal.DocPassport || cs.PersonIDNumber != "E1234567" || cs.PersonDocCountry != "FRA" {
		t.Fatalf("stored %+v %v", cs, err)
	}
	if b, ok := cs.PersonBirthDate(); !ok || b != (portal.Date{Year: 2007, Month: 6, Day: 1}) {
		t.Fatalf("birth date %v %v", b, ok)
	}
	again := c.get(applyP(id, "person")).wantStatus(t, http.StatusOK)
	if got, _ := again.inputValue("person_id_number"); got != "E1234567" || !strings.Contains(again.body, `value="passport" checked`) {
		t.Fatalf("the form shows %q", got)
	}
	if got, _ := again.inputValue("person_birth_date"); got != "2007-06-01" {
		t.Fatalf("the form shows birth date %q", got)
	}
	// In Chinese too.
	c.setLang("zh-CN")
	v.Del("person_birth_date")
	c.submit(applyP(id, "person"), applyP(id, "person"), v).wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "请填写其出生日期")
}
