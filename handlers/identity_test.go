package handlers

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sealportal/internal/oidctest"
	"sealportal/portal"
	"sealportal/store"
)

// The identity provider in these tests is a real OpenID provider run in
// process (internal/oidctest: zitadel/oidc's pkg/op).

var opClientSeq atomic.Uint64

// oidcWorld is a portal whose identity provider is a real OP.
type oidcWorld struct {
	*casesWorld
	issuer string
}

// newOIDCWorld starts the OP and a portal configured for it. The portal's
// listener is made first so that its callback address can be registered
// with the provider before either serves.
func newOIDCWorld(t *testing.T, people ...oidctest.Person) *oidcWorld {
	t.Helper()
	portalSrv := httptest.NewUnstartedServer(nil)
	callback := "http://" + portalSrv.Listener.Addr().String() + "/identity/oidc/callback"
	clientID := "portal-" + strconv.FormatUint(opClientSeq.Add(1), 10)
	issuer := oidctest.Start(t, clientID, "portal-secret", callback, people...)

	w := newCasesWorldWith(t, func(c *Config) {
		c.OIDC = OIDCConfig{Issuer: issuer, ClientID: clientID, ClientSecret: "portal-secret", RedirectURL: callback}
	})
	// Serve the portal on the listener registered with the provider.
	portalSrv.Config.Handler = w.echo
	portalSrv.Start()
	w.srv.Close()
	w.srv = portalSrv
	t.Cleanup(portalSrv.Close)
	return &oidcWorld{casesWorld: w, issuer: issuer}
}

var opAuthIDRE = regexp.MustCompile(`name="id" value="([^"]+)"`)

// verifyAtProvider runs the round trip as a browser would: the portal's
// button, the provider's sign-in page, and back to the portal's callback. It
// returns the portal page the callback ends on.
func (w *oidcWorld) verifyAtProvider(t *testing.T, c *testClient, username, password string) *testPage {
	t.Helper()
	p := c.get("/identity").wantStatus(t, http.StatusOK)
	start := c.send(http.MethodPost, "/identity/oidc", urlencoded(url.Values{csrfField: {p.csrf(t)}}))
	if start.status != http.StatusSeeOther {
		t.Fatalf("start: status %d\n%s", start.status, excerpt(start))
	}
	auth := start.header.Get("Location")
	if !strings.HasPrefix(auth, w.issuer) || !strings.Contains(auth, "code_challenge_method=S256") ||
		!strings.Contains(auth, "nonce=") || !strings.Contains(auth, "state=") {
		t.Fatalf("authorization request %q lacks PKCE, nonce or state", auth)
	}
	jar, _ := cookiejar.New(nil)
	portalHost := w.srv.Listener.Addr().String()
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host == portalHost {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(auth)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := opAuthIDRE.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("the provider's sign-in page has no request id:\n%s", body)
	}
	resp, err = browser.PostForm(w.issuer+"/login/username", url.Values{"id": {m[1]}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if !strings.HasPrefix(back, "http://"+portalHost+"/identity/oidc/callback") {
		t.Fatalf("the provider sent the browser to %q (status %d)", back, resp.StatusCode)
	}
	return c.follow(http.MethodGet, back, nil)
}

// Issue 11 (a): identity verified through the OpenID provider links the ex
// officio case about the person, which the account did not see before.
func TestIdentityOIDCLinksExOfficioCase(t *testing.T) {
	number := testIDNumber(801, portal.Date{Year: 2007, Month: 5, Day: 5})
	w := newOIDCWorld(t, oidctest.Person{ID: "u1", Username: "zhang", Password: "pw-zhang", Name: "张 小明", Number: number},
		oidctest.Person{ID: "u2", Username: "other", Password: "pw-other", Name: "张小明", Number: testIDNumber(802, portal.Date{Year: 2007, Month: 5, Day: 5})})
	person := w.citizen(portal.RoleMinor, "13900000801", "张小明", number)
	eo := w.exOfficioCase(t, "张小明", number)

	c := w.signIn(person)
	c.setLang("en")
	c.get(casesPath(eo.ID)).wantStatus(t, http.StatusNotFound)
	c.get("/identity").wantText(t, "Only your mobile number is verified")

	// Another person at the provider (another number) verifies nothing.
	p := w.verifyAtProvider(t, c, "other", "pw-other")
	p.wantStatus(t, http.StatusConflict).wantText(t, "does not match the one on the account")
	c.get(casesPath(eo.ID)).wantStatus(t, http.StatusNotFound)

	p = w.verifyAtProvider(t, c, "zhang", "pw-zhang")
	p.wantPath(t, "/identity").wantText(t, "Your identity is verified")
	a, _ := w.db.Account(person.ID)
	if !a.IdentityVerified || a.IdentityMethod != portal.IdentityByOIDC {
		t.Fatalf("account %+v", a)
	}
	c.get(casesPath(eo.ID)).wantStatus(t, http.StatusOK).wantText(t, eo.Ref)
	// Who looked lists the person's own read of the case.
	c.get(casesPath(eo.ID, "/access")).wantStatus(t, http.StatusOK).wantText(t, "You", "Read the case")
}

// A callback without the session's state is refused and verifies nothing.
func TestIdentityOIDCStateChecked(t *testing.T) {
	number := testIDNumber(811, portal.Date{Year: 2007, Month: 5, Day: 5})
	w := newOIDCWorld(t, oidctest.Person{ID: "u1", Username: "li", Password: "pw", Name: "李四", Number: number})
	person := w.citizen(portal.RoleMinor, "13900000811", "李四", number)
	c := w.signIn(person)
	c.setLang("en")
	c.get("/identity/oidc/callback?state=forged&code=x").wantStatus(t, http.StatusBadRequest).wantText(t, "The verification request expired")
	if a, _ := w.db.Account(person.ID); a.IdentityVerified {
		t.Fatal("verified by a forged callback")
	}
}

// exOfficioCase opens a case about the person, as a court does (R11).
func (w *casesWorld) exOfficioCase(t *testing.T, name, number string) portal.Case {
	t.Helper()
	c := portal.Case{PersonName: name, PersonIDNumber: number, DecidingOrganID: w.court.ID, OrganCaseNumber: "(2025)演刑初字第8号",
		Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2025, Month: 9, Day: 1}, Intent: portal.IntentIntentional,
		Acts:    []portal.Act{{Date: portal.Date{Year: 2024, Month: 1, Day: 5}, Main: true}},
		Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}, HoldingOrganIDs: []uint64{w.court.ID, w.police.ID}}
	c, err := w.db.OpenExOfficio(c, store.Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, AccountID: w.judge.ID,
		Role: portal.RoleCourt, OrganID: w.court.ID, Rules: []string{"R11"}}, w.cal)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Issue 11 acceptance through the web: a stranger registers with another
// person's identity number (any name, own mobile) and sees no case, document,
// message or notification of that person, cannot withdraw anything, and the
// verified holder is told.
func TestIdentityStrangerSeesNothing(t *testing.T) {
	w := newCasesWorld(t)
	number := testIDNumber(821, portal.Date{Year: 2006, Month: 5, Day: 5})
	holder := w.citizen(portal.RoleMinor, "13900000821", "王小", number)
	if _, err := w.db.VerifyIdentity(holder.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: number, Name: "王小"}); err != nil {
		t.Fatal(err)
	}
	eo := w.exOfficioCase(t, "王小", number)
	lawyer := w.citizen(portal.RoleLawyer, "13900000822", "律师甲", testIDNumber(822, portal.Date{Year: 1980, Month: 1, Day: 1}))
	filed := w.submit(w.draft(lawyer, "王小", number), lawyer)
	if _, err := w.db.AddMessage(portal.Message{CaseID: filed.ID, From: w.judge.ID, FromRole: portal.RoleCourt, OrganID: w.court.ID, Text: "机关留言"}, nil); err != nil {
		t.Fatal(err)
	}

	stranger := w.newClient()
	stranger.setLang("en")
	stranger.register(portal.RoleMinor, "王小", "13900000829", number, casesPassword)
	stranger.login("13900000829", casesPassword)
	list := stranger.get("/cases").wantStatus(t, http.StatusOK)
	list.noText(t, eo.Ref, filed.Ref)
	for _, id := range []uint64{eo.ID, filed.ID} {
		stranger.get(casesPath(id)).wantStatus(t, http.StatusNotFound)
		stranger.get(casesPath(id, "/access")).wantStatus(t, http.StatusNotFound)
		stranger.get(casesPath(id, "/withdraw")).wantStatus(t, http.StatusNotFound)
		stranger.post(casesPath(id, "/withdraw"), url.Values{csrfField: {list.csrf(t)}}).wantStatus(t, http.StatusNotFound)
	}
	if len(filed.Documents) > 0 {
		stranger.get(casesPath(filed.ID, "/documents/"+strconv.FormatUint(filed.Documents[0].ID, 10))).wantStatus(t, http.StatusNotFound)
	}
	stranger.get("/notifications").noText(t, eo.Ref, filed.Ref, "机关留言")
	for _, id := range []uint64{eo.ID, filed.ID} {
		if got, _ := w.db.Case(id); got.Status == portal.StatusWithdrawn {
			t.Fatal("withdrawn by the stranger")
		}
	}
	ns, _ := w.db.Notifications(holder.ID, 50)
	if !slices.ContainsFunc(ns, func(n portal.Notification) bool { return n.Key == store.NotifyIdentityClaimed }) {
		t.Fatal("the verified holder was not told of the claim")
	}
	// The person himself, verified, withdraws nothing he did not file.
	h := w.signIn(holder)
	page := h.get(casesPath(filed.ID)).wantStatus(t, http.StatusOK)
	if len(casesTag(page, `data-testid="withdraw-link"`)) != 0 {
		t.Error("a withdrawal offered to someone who did not file")
	}
	h.post(casesPath(filed.ID, "/withdraw"), url.Values{csrfField: {page.csrf(t)}}).wantStatus(t, http.StatusForbidden)
	h.post(casesPath(eo.ID, "/withdraw"), url.Values{csrfField: {page.csrf(t)}}).wantStatus(t, http.StatusForbidden)
}

// Issue 11 (b): the deciding organ's official confirms the applicant's
// identity against the papers, an explicit and audited step; before that the
// applicant sees no organ material, afterwards he does. A guardian's
// application is checked for the guardianship instead.
func TestIdentityVerifiedByOrgan(t *testing.T) {
	w := newCasesWorld(t)
	number := testIDNumber(831, portal.Date{Year: 2006, Month: 5, Day: 5})
	minor := w.citizen(portal.RoleMinor, "13900000831", "赵小", number)
	cs := w.submit(w.draft(minor, "赵小", number), minor)
	if _, err := w.db.AddMessage(portal.Message{CaseID: cs.ID, From: w.judge.ID, FromRole: portal.RoleCourt, OrganID: w.court.ID, Text: "请携带证件"}, nil); err != nil {
		t.Fatal(err)
	}
	person := w.signIn(minor)
	person.get(casesPath(cs.ID)).noText(t, "请携带证件")

	judge := w.signIn(w.judge)
	path := "/staff/cases/" + strconv.FormatUint(cs.ID, 10)
	p := judge.get(path).wantStatus(t, http.StatusOK).wantText(t, "Check the applicant's identity")
	// Without the explicit confirmation nothing happens.
	p = judge.submit(path, path+"/identity", url.Values{"check": {"identity"}})
	p.wantStatus(t, http.StatusUnprocessableEntity).wantText(t, "Confirm that you checked the papers")
	if a, _ := w.db.Account(minor.ID); a.IdentityVerified {
		t.Fatal("verified without the confirmation")
	}
	p = judge.submit(path, path+"/identity", url.Values{"check": {"identity"}, "papers_checked": {"yes"}})
	p.wantPath(t, path).wantText(t, "The applicant's identity is verified")
	a, _ := w.db.Account(minor.ID)
	if !a.IdentityVerified || a.IdentityMethod != portal.IdentityByOrgan {
		t.Fatalf("account %+v", a)
	}
	evs, _ := w.db.AuditBySubject("case", cs.ID)
	if !slices.ContainsFunc(evs, func(e portal.AuditEvent) bool {
		return e.Action == portal.AuditIdentityVerified && e.ActorID == w.judge.ID
	}) {
		t.Fatal("the check is not in the case's audit trail")
	}
	person.get(casesPath(cs.ID)).wantText(t, "请携带证件")
	// His own read of a document is audited and listed in "who looked".
	person.get(casesPath(cs.ID, "/documents/"+strconv.FormatUint(cs.Documents[0].ID, 10))).wantStatus(t, http.StatusOK)
	person.get(casesPath(cs.ID, "/access")).wantStatus(t, http.StatusOK).wantText(t, "You", "Opened a document")
	evs, _ = w.db.AuditBySubject("case", cs.ID)
	if !slices.ContainsFunc(evs, func(e portal.AuditEvent) bool {
		return e.Action == portal.AuditDocumentRead && e.ActorID == minor.ID
	}) {
		t.Fatal("the person's document read is not audited")
	}

	// A guardian's application: the guardianship proof.
	g := w.citizen(portal.RoleGuardian, "13900000832", "赵家长", testIDNumber(832, portal.Date{Year: 1980, Month: 1, Day: 1}))
	ward := testIDNumber(833, portal.Date{Year: 2012, Month: 1, Day: 1})
	gc := w.submit(w.draft(g, "赵小小", ward), g)
	if _, err := w.db.AddMessage(portal.Message{CaseID: gc.ID, From: w.judge.ID, FromRole: portal.RoleCourt, OrganID: w.court.ID, Text: "监护证明收到"}, nil); err != nil {
		t.Fatal(err)
	}
	gb := w.signIn(g)
	gb.get(casesPath(gc.ID)).noText(t, "监护证明收到").wantText(t, "The organ has not yet verified your guardianship")
	gb.get(casesPath(gc.ID, "/access")).wantStatus(t, http.StatusForbidden)
	gpath := "/staff/cases/" + strconv.FormatUint(gc.ID, 10)
	judge.get(gpath).wantText(t, "Check the guardianship")
	judge.submit(gpath, gpath+"/identity", url.Values{"check": {"guardianship"}, "papers_checked": {"yes"}}).
		wantPath(t, gpath).wantText(t, "The guardianship is verified")
	gb.get(casesPath(gc.ID)).wantText(t, "监护证明收到")
	gb.get(casesPath(gc.ID, "/access")).wantStatus(t, http.StatusOK)
}

// Every timeline entry names who acted (issue 11).
func TestIdentityTimelineNamesActors(t *testing.T) {
	w := newCasesWorld(t)
	lawyer := w.citizen(portal.RoleLawyer, "13900000841", "律师乙", testIDNumber(841, portal.Date{Year: 1980, Month: 1, Day: 1}))
	cs := w.submit(w.draft(lawyer, "钱小", testIDNumber(842, portal.Date{Year: 2006, Month: 1, Day: 1})), lawyer)
	w.staff(cs.ID, portal.ActionAccept, portal.ActorDecider, w.court.ID, "")
	p := w.signIn(lawyer).get(casesPath(cs.ID))
	tl, _ := p.testid("timeline")
	if !strings.Contains(tl, "Application submitted — The lawyer") || !strings.Contains(tl, "Application accepted — 演示市人民法院") {
		t.Fatalf("timeline %q: want the lawyer and the court named", tl)
	}
}

// A sign-in from a device the account has not used is told and listed in
// "who looked at my record"; the same browser again is not.
func TestIdentityNewDeviceSignIn(t *testing.T) {
	w := newCasesWorld(t)
	number := testIDNumber(851, portal.Date{Year: 2006, Month: 5, Day: 5})
	minor := w.citizen(portal.RoleMinor, "13900000851", "孙小", number)
	if _, err := w.db.VerifyIdentity(minor.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: number, Name: "孙小"}); err != nil {
		t.Fatal(err)
	}
	eo := w.exOfficioCase(t, "孙小", number)
	first := w.signIn(minor) // the first device is learnt silently
	first.logout()
	first.login(minor.Login, casesPassword)
	if n := countNotes(t, w.db, minor.ID, store.NotifyNewDevice); n != 0 {
		t.Fatalf("known device told %d times", n)
	}
	second := w.signIn(minor) // another browser
	if n := countNotes(t, w.db, minor.ID, store.NotifyNewDevice); n != 1 {
		t.Fatalf("new device told %d times", n)
	}
	second.get(casesPath(eo.ID, "/access")).wantText(t, "New device sign-in")
}

func countNotes(t *testing.T, db *store.DB, account uint64, key string) int {
	t.Helper()
	ns, err := db.Notifications(account, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.Key == key {
			n++
		}
	}
	return n
}

// R1, issue 11: at the ward's 18th birthday the former guardian's relief on
// that case ends with the rest, and the page says what happened.
func TestIdentityFormerGuardianRelief(t *testing.T) {
	w := newCasesWorld(t)
	ward := testIDNumber(861, portal.Date{Year: 2008, Month: 3, Day: 20}) // 18 on 20 March 2026
	g := w.citizen(portal.RoleGuardian, "13900000861", "周家长", testIDNumber(862, portal.Date{Year: 1980, Month: 1, Day: 1}))
	cs := w.submit(w.draft(g, "周小", ward), g)
	r, err := w.db.CreateReliefDraft(portal.ReliefRequest{Capacity: portal.CapacityGuardian, PersonName: "周小", Kind: portal.ReliefJob,
		HappenedOn: portal.Date{Year: 2026, Month: 3, Day: 1}, UnitName: "某某公司", UnitKind: portal.UnitEmployer, Description: "辞退",
		Remedies: []portal.ReliefRemedy{portal.RemedyReinstatement}, LinkedCaseID: cs.ID}, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	path := "/relief/" + strconv.FormatUint(r.ID, 10)
	c := w.signIn(g)
	if p := c.get(path); p.status == http.StatusForbidden {
		t.Fatalf("relief closed before the birthday: %d", p.status)
	}
	w.clock.advance(12 * 24 * time.Hour) // 22 March: the ward is 18
	c.login(g.Login, casesPassword)
	c.get(path).wantStatus(t, http.StatusForbidden).wantText(t, "your access as guardian to this matter has ended")
	c.get(path+"/edit").wantStatus(t, http.StatusForbidden)
}

// R11 through the web: the filer withdraws an application whose facts make
// the record sealable; it stays in the court's queue, where the court takes
// the sealing up ex officio, and the filer can no longer withdraw it.
func TestIdentityWithdrawalLeavesSealingDuty(t *testing.T) {
	w := newCasesWorld(t)
	lawyer := w.citizen(portal.RoleLawyer, "13900000871", "律师丙", testIDNumber(871, portal.Date{Year: 1980, Month: 1, Day: 1}))
	cs := w.submit(w.draft(lawyer, "吴小", testIDNumber(872, portal.Date{Year: 2008, Month: 1, Day: 1})), lawyer) // 17 at the act: sealable
	c := w.signIn(lawyer)
	c.get(casesPath(cs.ID, "/withdraw")).wantStatus(t, http.StatusOK)
	c.submit(casesPath(cs.ID, "/withdraw"), casesPath(cs.ID, "/withdraw"), nil).wantPath(t, casesPath(cs.ID))
	got, _ := w.db.Case(cs.ID)
	if got.Status != portal.StatusWithdrawn || !got.SealingDuty {
		t.Fatalf("after the withdrawal: %s duty=%v", got.Status, got.SealingDuty)
	}
	judge := w.signIn(w.judge)
	judge.get("/staff").wantText(t, cs.Ref)
	path := "/staff/cases/" + strconv.FormatUint(cs.ID, 10)
	judge.get(path).wantText(t, "Take up the sealing ex officio")
	judge.submit(path, path+"/actions/take_up", url.Values{}).wantPath(t, path)
	got, _ = w.db.Case(cs.ID)
	if got.Status != portal.StatusUnderReview || !got.ExOfficio {
		t.Fatalf("after taking up: %s ex officio=%v", got.Status, got.ExOfficio)
	}
	c.get(casesPath(cs.ID, "/withdraw")).wantStatus(t, http.StatusForbidden)
}
