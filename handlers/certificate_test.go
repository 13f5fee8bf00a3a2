package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
)

// Proofs of no criminal record (R14) through the real router: requested by
// the person, answered by the police organ asked, printed, verified at
// /verify by code (never by address) with exactly what the paper shows, and
// still valid after an unsealing (R14); a wrong code reveals nothing and verification is rate-limited. No page says
// that anyone has a record.

const certPW = "a long passphrase for certificates"

// certWorld is a portal with a court, two police organs, a supervisor, an
// official each, and a person (born 20 April 2006) with an account.
type certWorld struct {
	*testServer
	court, court2, police, police2, supOrgan portal.Organ
	judge, judge2, officer, officer2, sup    portal.Account
	minor                                    portal.Account
	cal                                      *portal.Calendar
}

var certBirth = portal.Date{Year: 2006, Month: 4, Day: 20}

func newCertWorld(t *testing.T) *certWorld {
	t.Helper()
	w := &certWorld{testServer: newTestServer(t), cal: portal.DefaultCalendar()}
	w.court = w.certOrgan(portal.RoleCourt, "甲市人民法院")
	w.court2 = w.certOrgan(portal.RoleCourt, "乙市人民法院")
	w.police = w.certOrgan(portal.RolePolice, "甲市公安局")
	w.police2 = w.certOrgan(portal.RolePolice, "乙市公安局")
	w.supOrgan = w.certOrgan(portal.RoleSupervisor, "甲市人民检察院")
	w.judge = w.certOfficial(portal.RoleCourt, "cert-judge", w.court)
	w.judge2 = w.certOfficial(portal.RoleCourt, "cert-judge2", w.court2)
	w.officer = w.certOfficial(portal.RolePolice, "cert-police", w.police)
	w.officer2 = w.certOfficial(portal.RolePolice, "cert-police2", w.police2)
	w.sup = w.certOfficial(portal.RoleSupervisor, "cert-sup", w.supOrgan)
	minor, err := w.db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13900002222", Mobile: "13900002222",
		Name: "王小明", IDNumber: testIDNumber(9001, certBirth), PasswordHash: hashFor(t, certPW),
		// Issue 11: only an identity-verified person asks for a certificate.
		IdentityVerified: true, IdentityMethod: portal.IdentityByOrgan}, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.minor = minor
	return w
}

func (w *certWorld) certOrgan(kind portal.Role, name string) portal.Organ {
	w.t.Helper()
	o, err := w.db.EnsureOrgan(kind, name)
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *certWorld) certOfficial(role portal.Role, login string, o portal.Organ) portal.Account {
	w.t.Helper()
	a, err := w.db.CreateAccount(portal.Account{Role: role, Login: login, Name: "测试工作人员", Organ: o.Name, OrganID: o.ID,
		PasswordHash: hashFor(w.t, certPW)}, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// completed files an application by the person about himself (an act at
// 17, 18 months suspended), decided by the court and held by the court and
// the police, and takes it through every step to completed sealing.
func (w *certWorld) completed(number string) portal.Case {
	w.t.Helper()
	db := w.db
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, w.minor.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err = db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = w.minor.Name, w.minor.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = w.court.ID, number
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2024, Month: 11, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 8, Day: 5}}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 18, Suspended: true}
		c.HoldingOrganIDs = []uint64{w.court.ID, w.police.ID}
		c.DeclaredTrue = true
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: w.minor.ID},
			[]byte("%PDF-1.4 "+string(k))); err != nil {
			w.t.Fatal(err)
		}
	}
	for _, st := range []store.Step{
		{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: w.minor.ID, Role: w.minor.Role},
		{Action: portal.ActionAccept, Actor: portal.ActorDecider, AccountID: w.judge.ID, Role: w.judge.Role, OrganID: w.court.ID},
		{Action: portal.ActionStartReview, Actor: portal.ActorDecider, AccountID: w.judge.ID, Role: w.judge.Role, OrganID: w.court.ID},
		{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: w.judge.ID, Role: w.judge.Role, OrganID: w.court.ID, Rules: []string{"R2"}},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: w.judge.ID, Role: w.judge.Role, OrganID: w.court.ID},
		{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: w.officer.ID, Role: w.officer.Role, OrganID: w.police.ID},
	} {
		if c, err = db.Apply(c.ID, st, w.cal); err != nil {
			w.t.Fatalf("%s: %v", st.Action, err)
		}
	}
	if c.Status != portal.StatusCompleted {
		w.t.Fatalf("status %s", c.Status)
	}
	return c
}

// signIn opens a browser in the given language signed in as the account.
func (w *certWorld) signIn(a portal.Account, lang string) *testClient {
	w.t.Helper()
	c := w.newClient()
	c.setLang(lang)
	c.login(a.Login, certPW).wantStatus(w.t, http.StatusOK)
	return c
}

func (w *certWorld) caseStatus(id uint64) portal.CaseStatus {
	w.t.Helper()
	c, err := w.db.Case(id)
	if err != nil {
		w.t.Fatal(err)
	}
	return c.Status
}

// certNoRecordWording fails when a page says, in either language, that
// someone has a criminal record (R14).
func certNoRecordWording(t *testing.T, p *testPage) {
	t.Helper()
	for _, bad := range []string{"有犯罪记录", "has a criminal record", "Has a criminal record"} {
		if strings.Contains(p.body, bad) {
			t.Fatalf("%s says %q", p.url.Path, bad)
		}
	}
}

var (
	certCodeRE   = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){5}$`)
	certIDLinkRE = regexp.MustCompile(`href="/certificates/(\d+)"`)
)

// certRequest asks for a certificate for the person from the police organ.
func certRequest(t *testing.T, c *testClient, person string, police portal.Organ) *testPage {
	t.Helper()
	return c.submit("/certificates", "/certificates", url.Values{"person": {person}, "police": {strconv.FormatUint(police.ID, 10)}})
}

// certLastID is the id of the newest certificate on /certificates.
func certLastID(t *testing.T, p *testPage) string {
	t.Helper()
	m := certIDLinkRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no certificate link on %s\n%s", p.url.Path, excerpt(p))
	}
	return m[1]
}

// certVerify posts a code to /verify from a visitor's browser.
func certVerify(t *testing.T, c *testClient, code string) *testPage {
	t.Helper()
	return c.submit("/verify", "/verify", url.Values{"code": {code}})
}

func certVerifyStatus(p *testPage) string {
	m := regexp.MustCompile(`data-testid="verify-result" data-status="([a-z_]+)"`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// The whole life of a certificate: requested; opened by the police organ
// asked (the sealed record marked as one that must not appear); refused
// without the official's recorded check; checked, issued, printed, verified
// with what the paper shows; still valid after an unsealing (R14); a new
// request is refused from the check, objected to, extended and rejected.
func TestCertificateCheckedIssuedVerifiedNotRevoked(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	cs := w.completed("(2024)甲刑初字第7号")

	me := w.signIn(w.minor, "en")
	p := me.get("/certificates").wantPath(t, "/certificates")
	p.wantText(t, "Proof of no criminal record", "within 3 working days")
	certNoRecordWording(t, p)
	p = certRequest(t, me, "self", w.police).wantPath(t, "/certificates")
	p.wantText(t, "Request sent", "Being handled", "Due by 13 March 2026") // 3 working days from Tuesday 10 March
	id := certLastID(t, p)
	// The same request again, while the first waits, is refused at its field.
	p = certRequest(t, me, "self", w.police).wantStatus(t, http.StatusConflict)
	if !strings.Contains(p.fieldError("person"), "already being handled") {
		t.Fatalf("second request: %q", p.fieldError("person"))
	}
	// While waiting, the page says so.
	me.get("/certificates/"+id).wantStatus(t, http.StatusOK).wantText(t, "must answer by 13 March 2026")

	// Another police organ does not see it and cannot open, check or answer it.
	other := w.signIn(w.officer2, "en")
	other.get("/staff/certificates").wantPath(t, "/staff/certificates").noText(t, "ZM-2026-000001")
	other.get("/staff/certificates/"+id).wantStatus(t, http.StatusNotFound)
	other.submit("/staff/certificates", "/staff/certificates/"+id+"/check", url.Values{"result": {"no_record"}, "reference": {"X"}}).
		wantStatus(t, http.StatusNotFound)
	other.submit("/staff/certificates", "/staff/certificates/"+id+"/issue", nil).wantStatus(t, http.StatusNotFound)
	// The police organ asked opens the request: the verified identity in
	// full, and the sealed record the portal knows, marked as one that must
	// not appear (R14); the view is audited (R17).
	cop := w.signIn(w.officer, "en")
	q := cop.get("/staff/certificates").wantPath(t, "/staff/certificates")
	q.wantText(t, "ZM-2026-000001", "13 March 2026").noText(t, w.minor.Name, cs.Ref)
	h := cop.get("/staff/certificates/"+id).wantStatus(t, http.StatusOK)
	h.wantText(t, w.minor.Name, w.minor.IDNumber, cs.Ref, "Sealed: must not appear", "This portal is not the criminal-record database")
	if got := certAuditCount(t, w, portal.AuditSealedRead, "certificate:"+id); got != 1 {
		t.Fatalf("sealed reads audited %d, want 1", got)
	}
	// R14: no answer without the official's recorded check.
	cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/issue", nil).wantStatus(t, http.StatusConflict).
		wantText(t, "Record the result of the check of the police records first")
	bad := cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/check", url.Values{"result": {"guess"}, "reference": {"WFZ-7"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if bad.fieldError("result") == "" {
		t.Fatalf("a bad result is not refused at its field\n%s", excerpt(bad))
	}
	cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/check", url.Values{"result": {"no_record"}, "reference": {"WFZ-2026-0007"}}).
		wantPath(t, "/staff/certificates/"+id).wantText(t, "The result is recorded", "WFZ-2026-0007", "a certificate of no criminal record will be issued")
	if got := certAuditCount(t, w, portal.AuditCertificateChecked, "no_record"); got != 1 {
		t.Fatalf("checks audited %d, want 1", got)
	}
	q = cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/issue", nil).wantPath(t, "/staff/certificates")
	q.wantText(t, "ZM-2026-000001: certificate of no criminal record issued", "No requests waiting")
	cop.submit("/staff/certificates", "/staff/certificates/"+id+"/issue", nil).wantStatus(t, http.StatusConflict).
		wantText(t, "already been answered")
	// Citizens and other officials cannot open the police queue.
	me.get("/staff/certificates").wantStatus(t, http.StatusForbidden)
	w.signIn(w.judge, "en").get("/staff/certificates").wantStatus(t, http.StatusForbidden)

	// The printable certificate, in both languages: the holder's full name
	// and identity number, as on paper (R14).
	cert := me.get("/certificates/"+id).wantPath(t, "/certificates/"+id)
	cert.wantText(t, "Certificate of no criminal record", "No criminal record was found for 王小明",
		w.minor.IDNumber, "10 March 2026", w.police.Name, "ZM-2026-000001")
	certNoRecordWording(t, cert)
	code, _ := cert.testid("cert-code")
	if !certCodeRE.MatchString(code) {
		t.Fatalf("code %q", code)
	}
	if !regexp.MustCompile(`<link rel="stylesheet" href="/static/print\.css\?v=[0-9a-f]+" media="print"`).MatchString(cert.body) {
		t.Fatal("the certificate does not link the print stylesheet")
	}
	qr := regexp.MustCompile(`<img class="cert-qr" src="data:image/png;base64,([A-Za-z0-9+/=]+)"`).FindStringSubmatch(cert.body)
	if qr == nil {
		t.Fatal("no inline QR code")
	}
	// The QR code and the text name the verification page, never the code.
	verifyURL := testPublicURL + "/verify"
	cert.wantText(t, verifyURL)
	if strings.Contains(cert.body, "/verify?") || strings.Contains(cert.body, "code="+code) {
		t.Fatal("a code in an address")
	}
	if cc := cert.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("certificate Cache-Control %q", cc)
	}
	me.setLang(string("zh-CN"))
	zh := me.get("/certificates/"+id).wantStatus(t, http.StatusOK).wantText(t, "无犯罪记录证明", "经查询，王小明", "无犯罪记录。")
	certNoRecordWording(t, zh)
	certNoRecordWording(t, me.get("/certificates"))
	me.setLang("en")
	css := me.get("/static/print.css").wantStatus(t, http.StatusOK)
	if !strings.Contains(css.body, "@page") || !strings.Contains(css.body, "size: A4") {
		t.Fatal("print.css has no A4 page")
	}
	// Someone else's certificate is a 404.
	stranger := w.createCitizen(portal.RoleMinor, "13900003333", certPW)
	w.signIn(stranger, "en").get("/certificates/"+id).wantStatus(t, http.StatusNotFound)

	// Anyone verifies by code; the answer is exactly what the paper shows.
	anon := w.newClient()
	anon.setLang("en")
	anon.get("/verify").wantPath(t, "/verify").wantText(t, "exactly what the paper certificate shows")
	paper := []string{"ZM-2026-000001", w.minor.Name, w.minor.IDNumber, w.police.Name, "10 March 2026"}
	v := certVerify(t, anon, strings.ToLower(strings.ReplaceAll(code, "-", " "))).wantPath(t, "/verify")
	if certVerifyStatus(v) != "issued" {
		t.Fatalf("verify: %s", excerpt(v))
	}
	v.wantText(t, paper...).noText(t, cs.Ref, "WFZ-2026-0007")
	certNoRecordWording(t, v)
	anon.setLang("zh-CN")
	vz := certVerify(t, anon, code).wantText(t, "有效", w.minor.IDNumber)
	certNoRecordWording(t, vz)
	anon.setLang("en")
	// A code in the address opens nothing.
	anon.get("/verify?code="+url.QueryEscape(code)).wantPath(t, "/verify").noText(t, "Valid:", w.minor.IDNumber)

	// R18: a new crime before 18, combined term over 60 months: unsealed.
	// R14: the certificate issued before still verifies exactly as issued.
	judge := w.signIn(w.judge, "en")
	unsealPost(t, judge, cs.ID, portal.UnsealingNewCrime, "2024-01-10", "72", "").wantText(t, "the rules say the record is to be unsealed")
	unsealApprove(t, w.signIn(w.unsealSecondJudge(t), "en"), cs.ID, "approve", "")
	if st := w.caseStatus(cs.ID); st != portal.StatusUnsealing {
		t.Fatalf("status %s", st)
	}
	v = certVerify(t, anon, code)
	if certVerifyStatus(v) != "issued" {
		t.Fatalf("after unsealing: %s", excerpt(v))
	}
	v.wantText(t, paper...).noText(t, "unseal", "Unseal", "revoked", "Revoked")
	me.get("/notifications").wantText(t, "Your record was unsealed under the law").noText(t, "was revoked")
	if _, ok := me.get("/certificates/" + id).testid("cert-code"); !ok {
		t.Fatal("the certificate lost its code after the unsealing")
	}

	// A new request: the police records show the record; refused with the
	// way forward, and the person objects (R14).
	p = certRequest(t, me, "self", w.police).wantPath(t, "/certificates")
	id2 := certLastID(t, p)
	cop.get("/staff/certificates/"+id2).wantStatus(t, http.StatusOK).wantText(t, "This portal holds no sealed record of this person")
	cop.submit("/staff/certificates/"+id2, "/staff/certificates/"+id2+"/check", url.Values{"result": {"record_found"}, "reference": {"WFZ-8"}}).
		wantPath(t, "/staff/certificates/"+id2)
	cop.submit("/staff/certificates/"+id2, "/staff/certificates/"+id2+"/issue", nil).wantPath(t, "/staff/certificates").
		wantText(t, "ZM-2026-000002: answered, not issued")
	for _, lang := range []string{"en", "zh-CN"} {
		me.setLang(lang)
		ref := me.get("/certificates/"+id2).wantStatus(t, http.StatusOK)
		if _, ok := ref.testid("cert-refused"); !ok {
			t.Fatalf("%s: no refusal\n%s", lang, excerpt(ref))
		}
		if _, ok := ref.testid("cert-code"); ok {
			t.Fatal("a refusal shows a code")
		}
		if _, ok := ref.testid("cert-objection-form"); !ok {
			t.Fatalf("%s: no objection form", lang)
		}
	}
	me.setLang("en")
	me.get("/certificates/"+id2).wantText(t, "cannot issue a certificate of no criminal record", "you can object below")
	e := me.submit("/certificates/"+id2, "/certificates/"+id2+"/objection", url.Values{"reason": {"  "}}).wantStatus(t, http.StatusUnprocessableEntity)
	if e.fieldError("reason") == "" {
		t.Fatal("an empty objection is not refused at its field")
	}
	o := me.submit("/certificates/"+id2, "/certificates/"+id2+"/objection", url.Values{"reason": {"我没有未封存的记录"}}).wantPath(t, "/certificates/"+id2)
	// 15 working days from Tuesday 10 March 2026: Tuesday 31 March.
	o.wantText(t, "Objection filed", "Under review", "31 March 2026")
	cop.get("/staff/certificates").wantText(t, "Objections to review (1)", "ZM-2026-000002")
	d := cop.submit("/staff/certificates/"+id2, "/staff/certificates/"+id2+"/objection", url.Values{"action": {"extend"}, "text": {"需要调取档案"}}).
		wantPath(t, "/staff/certificates/"+id2)
	d.wantText(t, "Recorded.", "extended to 30 working days")
	cop.submit("/staff/certificates/"+id2, "/staff/certificates/"+id2+"/objection", url.Values{"action": {"reject"}, "text": {"档案确有未封存的记录"}}).
		wantPath(t, "/staff/certificates/"+id2)
	me.get("/certificates/"+id2).wantText(t, "Rejected", "档案确有未封存的记录", "Review extended")
	me.get("/notifications").wantText(t, "Your objection to a certificate answer has been decided")
}

// certAuditCount counts audit entries of an action whose detail is detail.
func certAuditCount(t *testing.T, w *certWorld, action portal.AuditAction, detail string) int {
	t.Helper()
	events, err := w.db.AuditEntries(0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == action && e.Detail == detail {
			n++
		}
	}
	return n
}

// A wrong code reveals nothing, whatever it looks like; after 20 tries from
// one address the page answers 429 until the window has passed.
func TestCertificateVerifyWrongCodeAndRateLimit(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	anon := w.newClient()
	anon.setLang("en")
	form := anon.get("/verify").wantPath(t, "/verify")
	if !regexp.MustCompile(`<form method="post" action="/verify"`).MatchString(form.body) {
		t.Fatal("the verification form does not post")
	}
	token := form.csrf(t)
	empty := anon.post("/verify", url.Values{csrfField: {token}, "code": {"  "}}).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(empty.fieldError("code"), "Enter the verification code") {
		t.Fatalf("empty code: %q", empty.fieldError("code"))
	}
	tries := []string{"ABCD-EFGH-JKLM-NPQR-STUV-WXYZ", "not a code", "../../etc/passwd", "<script>"}
	var first string
	for i := 1; i < verifyTries; i++ { // the empty code above spent one try
		code := tries[i%len(tries)]
		p := anon.post("/verify", url.Values{csrfField: {token}, "code": {code}}).wantStatus(t, http.StatusOK)
		if certVerifyStatus(p) != "not_valid" {
			t.Fatalf("try %d: %s", i, excerpt(p))
		}
		// Every wrong code gets the same answer.
		ans, _ := p.testid("verify-result")
		if first == "" {
			first = ans
		} else if ans != first {
			t.Fatalf("answers differ: %q vs %q", ans, first)
		}
		certNoRecordWording(t, p)
	}
	if !strings.Contains(first, "Not valid") {
		t.Fatalf("answer %q", first)
	}
	p := anon.post("/verify", url.Values{csrfField: {token}, "code": {tries[0]}}).wantStatus(t, http.StatusTooManyRequests)
	p.wantText(t, "Too many checks")
	if p.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	// Another server, another budget: the limit is per portal and address.
	other := newCertWorld(t).newClient()
	tok := other.get("/verify").csrf(t)
	other.post("/verify", url.Values{csrfField: {tok}, "code": {tries[0]}}).wantStatus(t, http.StatusOK)
}

// Who may ask for whom (R14: the person or the legal representative); every
// problem is named at its field and the typed choice is kept.
func TestCertificateRequestForm(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	me := w.signIn(w.minor, "en")
	p := me.submit("/certificates", "/certificates", url.Values{"person": {"99"}, "police": {"abc"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.fieldError("person"), "Choose who") || !strings.Contains(p.fieldError("police"), "Choose a police organ") {
		t.Fatalf("errors %q %q", p.fieldError("person"), p.fieldError("police"))
	}
	if _, ok := p.testid("error-summary"); !ok {
		t.Fatal("no error summary")
	}
	// A court is not a police organ.
	p = certRequest(t, me, "self", w.court).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("police") == "" {
		t.Fatal("a court accepted as issuer")
	}

	// A guardian asks for the minor of the case he filed; not for anyone else.
	guardian := w.createCitizen(portal.RoleGuardian, "13900004444", certPW)
	child := testIDNumber(9002, portal.Date{Year: 2011, Month: 2, Day: 3})
	c, err := w.db.CreateDraft(portal.Case{Capacity: portal.CapacityGuardian}, guardian.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = "张小小", child
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	g := w.signIn(guardian, "en")
	// A draft is not yet a case: nobody to ask for.
	g.get("/certificates").wantPath(t, "/certificates").wantText(t, "You cannot ask for anyone yet")
	// Once submitted (directly in the store, as the applicant's pages would).
	if _, err := w.db.UpdateDraft(c.ID, func(cs *portal.Case) error {
		cs.DecidingOrganID, cs.OrganCaseNumber = w.court.ID, "(2025)甲刑初字第1号"
		cs.Disposition, cs.DecisionDate, cs.Intent = portal.DispositionNotProsecuted, portal.Date{Year: 2025, Month: 6, Day: 1}, portal.IntentUnknown
		cs.Acts = []portal.Act{{Date: portal.Date{Year: 2025, Month: 1, Day: 5}}}
		cs.HoldingOrganIDs = []uint64{w.court.ID}
		cs.DeclaredTrue = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity, portal.DocGuardianship} {
		if _, err := w.db.AddDocument(c.ID, portal.Document{Kind: k, Name: "x.pdf", MediaType: portal.MediaPDF, UploadedBy: guardian.ID},
			[]byte("%PDF-1.4 x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.db.Apply(c.ID, store.Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: guardian.ID, Role: guardian.Role}, w.cal); err != nil {
		t.Fatal(err)
	}
	// Issue 11: not before the organ has checked the guardianship.
	g.get("/certificates").wantPath(t, "/certificates").wantText(t, "You cannot ask for anyone yet")
	if _, err := w.db.VerifyGuardianship(c.ID, store.OrganCheck{Official: w.judge}); err != nil {
		t.Fatal(err)
	}
	// Nor a person whose identity is not verified.
	unverified := w.createCitizen(portal.RoleMinor, "13900004445", certPW)
	w.signIn(unverified, "en").get("/certificates").wantText(t, "You cannot ask for anyone yet")
	p = g.get("/certificates").wantPath(t, "/certificates").wantText(t, "张小小", "*"+child[len(child)-4:])
	if strings.Contains(p.body, child) {
		t.Fatal("the whole identity number on the form")
	}
	g.submit("/certificates", "/certificates", url.Values{"person": {"self"}, "police": {strconv.FormatUint(w.police.ID, 10)}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	p = certRequest(t, g, strconv.FormatUint(c.ID, 10), w.police).wantPath(t, "/certificates").wantText(t, "Request sent", "张小小")
	// The police records cannot settle it online: the person is sent to a
	// police station (R14).
	cop := w.signIn(w.officer, "en")
	id := certLastID(t, p)
	cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/check", url.Values{"result": {"cannot_decide"}, "reference": {"WFZ-9"}}).
		wantPath(t, "/staff/certificates/"+id)
	cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/issue", nil).wantText(t, "answered, not issued")
	certNoRecordWording(t, g.get("/certificates/"+id).wantText(t, "cannot be issued through this portal", "police station"))
	// Officials do not ask for certificates.
	w.signIn(w.judge, "en").get("/certificates").wantStatus(t, http.StatusForbidden)
}

// A person with no case in the portal gets no certificate from the portal's
// silence (R14): only the official's recorded check answers; with "no
// record" the certificate is issued like everyone's.
func TestCertificateForPersonWithoutCase(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	me := w.signIn(w.minor, "zh-CN")
	p := certRequest(t, me, "self", w.police2).wantPath(t, "/certificates")
	id := certLastID(t, p)
	cop := w.signIn(w.officer2, "zh-CN")
	cop.submit("/staff/certificates", "/staff/certificates/"+id+"/issue", nil).wantStatus(t, http.StatusConflict)
	if _, ok := me.get("/certificates/" + id).testid("cert-code"); ok {
		t.Fatal("a certificate without the official's check")
	}
	cop.get("/staff/certificates/"+id).wantText(t, "本平台没有此人已封存的记录")
	cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/check", url.Values{"result": {"no_record"}, "reference": {"WFZ-1"}}).
		wantPath(t, "/staff/certificates/"+id)
	cop.submit("/staff/certificates/"+id, "/staff/certificates/"+id+"/issue", nil).wantPath(t, "/staff/certificates")
	cert := me.get("/certificates/"+id).wantStatus(t, http.StatusOK).wantText(t, "无犯罪记录", w.police2.Name)
	certNoRecordWording(t, cert)
	me.get("/notifications").wantText(t, "无犯罪记录证明已出具")
}

// R21: a court marks its civil case as using sealed information (audited);
// the lookup then answers "marked" for that case number; a form without the
// number is refused at its field with the typed values kept; the judicial
// administration and citizens cannot mark.
func TestSealedInfoMarking(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	judge := w.signIn(w.judge, "en")
	judge.get("/staff/sealed-info").wantPath(t, "/staff/sealed-info").wantText(t, "Other cases using sealed information", "None marked yet")
	bad := judge.submit("/staff/sealed-info", "/staff/sealed-info", url.Values{"case_number": {" "}, "kind": {"civil"}, "basis": {"CX-2026-000009"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if bad.fieldError("case_number") == "" || !strings.Contains(bad.body, "CX-2026-000009") {
		t.Fatalf("refused form %s", excerpt(bad))
	}
	judge.submit("/staff/sealed-info", "/staff/sealed-info", url.Values{"case_number": {"(2026)甲民初字第5号"}, "kind": {"civil"}, "basis": {"CX-2026-000009"}}).
		wantPath(t, "/staff/sealed-info").wantText(t, "Marked.", "(2026)甲民初字第5号", "Civil case")
	if got := certAuditCount(t, w, portal.AuditSealedInfoMarked, "civil"); got != 1 {
		t.Fatalf("markings audited %d", got)
	}
	cop := w.signIn(w.officer, "zh-CN")
	cop.get("/staff/cooffender?number="+url.QueryEscape("(2026)甲民初字第5号")).wantStatus(t, http.StatusOK).wantText(t, "含犯罪记录封存信息")
	w.signIn(w.minor, "en").get("/staff/sealed-info").wantStatus(t, http.StatusForbidden)
}
