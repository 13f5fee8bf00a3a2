package handlers

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// The officials' console through the real router: cases are filed with the
// store as the applicant's pages would, then worked by officials signed in
// with their own browsers. The clock is the shared fixed test clock.

const staffPassword = "a long passphrase for officials"

// staffWorld is a portal with two courts, a police organ and a supervisor,
// one official each, and a registered minor who applies.
type staffWorld struct {
	*testServer
	court, court2, police, supOrgan portal.Organ
	judge, judge2, officer, sup     portal.Account
	minor                           portal.Account
	cal                             *portal.Calendar
}

var staffBirth = portal.Date{Year: 2006, Month: 4, Day: 20}

func newStaffWorld(t *testing.T) *staffWorld {
	t.Helper()
	ts := newTestServer(t)
	w := &staffWorld{testServer: ts, cal: portal.DefaultCalendar()}
	w.court = w.organ(portal.RoleCourt, "甲市人民法院")
	w.court2 = w.organ(portal.RoleCourt, "乙市人民法院")
	w.police = w.organ(portal.RolePolice, "甲市公安局")
	w.supOrgan = w.organ(portal.RoleSupervisor, "甲市人民检察院")
	w.judge = w.official(portal.RoleCourt, "judge-a", w.court)
	w.judge2 = w.official(portal.RoleCourt, "judge-b", w.court2)
	w.officer = w.official(portal.RolePolice, "police-a", w.police)
	w.sup = w.official(portal.RoleSupervisor, "supervisor-a", w.supOrgan)
	minor, err := ts.db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13900001111", Mobile: "13900001111",
		Name: "李小华", IDNumber: testIDNumber(501, staffBirth), PasswordHash: hashFor(t, staffPassword),
		// Issue 11: the world's person is identity verified, so records the
		// organs hold about him are linked to his account.
		IdentityVerified: true, IdentityMethod: portal.IdentityByOrgan}, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.minor = minor
	return w
}

func (w *staffWorld) organ(kind portal.Role, name string) portal.Organ {
	w.t.Helper()
	o, err := w.db.EnsureOrgan(kind, name)
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *staffWorld) official(role portal.Role, login string, o portal.Organ) portal.Account {
	w.t.Helper()
	a, err := w.db.CreateAccount(portal.Account{Role: role, Login: login, Name: "测试工作人员", Organ: o.Name, OrganID: o.ID,
		PasswordHash: hashFor(w.t, staffPassword)}, 0)
	if err != nil {
		w.t.Fatalf("create %s: %v", login, err)
	}
	return a
}

// submitted files a complete application by the minor about himself, decided
// by the given court and held by that court and the police, and submits it.
func (w *staffWorld) submitted(court portal.Organ) portal.Case {
	w.t.Helper()
	return w.submittedWith(court, nil)
}

// submittedWith is submitted with the facts changed by change first.
func (w *staffWorld) submittedWith(court portal.Organ, change func(*portal.Case)) portal.Case {
	w.t.Helper()
	db := w.db
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacitySelf}, w.minor.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	_, err = db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = w.minor.Name, w.minor.IDNumber
		c.DecidingOrganID, c.OrganCaseNumber = court.ID, "(2024)甲刑初字第7号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2024, Month: 11, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: portal.Date{Year: 2023, Month: 8, Day: 5}}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 18, Suspended: true}
		c.HoldingOrganIDs = []uint64{court.ID, w.police.ID}
		c.DeclaredTrue = true
		if change != nil {
			change(c)
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity} {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: w.minor.ID},
			[]byte("%PDF-1.4 "+string(k))); err != nil {
			w.t.Fatal(err)
		}
	}
	c, err = db.Apply(c.ID, store.Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: w.minor.ID, Role: w.minor.Role}, w.cal)
	if err != nil {
		w.t.Fatalf("submit: %v", err)
	}
	return c
}

// step takes a deciding-organ step directly in the store.
func (w *staffWorld) step(id uint64, a portal.CaseAction, by portal.Account) portal.Case {
	w.t.Helper()
	c, err := w.db.Apply(id, store.Step{Action: a, Actor: portal.ActorDecider, AccountID: by.ID, Role: by.Role, OrganID: by.OrganID}, w.cal)
	if err != nil {
		w.t.Fatalf("%s: %v", a, err)
	}
	return c
}

// signIn opens an English browser signed in as the account.
func (w *staffWorld) signIn(a portal.Account) *testClient {
	w.t.Helper()
	c := w.newClient()
	c.setLang("en")
	c.login(a.Login, staffPassword).wantStatus(w.t, http.StatusOK)
	return c
}

func (w *staffWorld) status(id uint64) portal.CaseStatus {
	w.t.Helper()
	c, err := w.db.Case(id)
	if err != nil {
		w.t.Fatal(err)
	}
	return c.Status
}

func staffCasePath(id uint64, rest ...string) string {
	return "/staff/cases/" + strconv.FormatUint(id, 10) + strings.Join(rest, "")
}

// staffAct opens the case page and presses the action's button with the
// given fields, as an official would.
func staffAct(c *testClient, id uint64, action portal.CaseAction, fields url.Values) *testPage {
	c.t.Helper()
	return c.submit(staffCasePath(id), staffCasePath(id, "/actions/", string(action)), fields)
}

var staffRowRE = regexp.MustCompile(`data-testid="(?:queue|overdue)-row" data-ref="([^"]*)"`)

// staffRefs lists the references of a queue page's rows, in order.
func staffRefs(p *testPage) []string {
	var out []string
	for _, m := range staffRowRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1])
	}
	return out
}

// staffActionForms lists the action forms a case page offers.
func staffActionForms(p *testPage) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-testid="action-([a-z_]+)"`).FindAllStringSubmatch(p.body, -1) {
		if m[1] != "error" {
			out = append(out, m[1])
		}
	}
	return out
}

// staffInputByID is the value of the input with the given id ("" when none):
// several action forms share field names, but not ids.
func staffInputByID(p *testPage, id string) string {
	tag := regexp.MustCompile(`<input[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(p.body)
	if m := valueRE.FindStringSubmatch(tag); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// staffAudits counts the audit entries of an action by an account on a case.
func (w *staffWorld) staffAudits(action portal.AuditAction, actor, caseID uint64) []portal.AuditEvent {
	w.t.Helper()
	all, err := w.db.AuditEntries(0, 1000)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []portal.AuditEvent
	for _, e := range all {
		if e.Action == action && e.ActorID == actor && e.SubjectID == caseID {
			out = append(out, e)
		}
	}
	return out
}

// staffMultipart posts the message form with an attachment and follows the
// redirect.
func staffMultipart(t *testing.T, c *testClient, path, csrf, text, fileName string, content []byte) *testPage {
	t.Helper()
	p := c.postMultipart(path, url.Values{csrfField: {csrf}, "text": {text}}, testUpload{"file", fileName, content})
	if len(p.redirects) == 0 {
		t.Fatalf("POST %s: status %d, want a redirect", path, p.status)
	}
	return p
}

// An official of one organ can neither open nor act on another organ's case,
// nor learn that it exists.
func TestStaffOtherOrganGets404(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	c := w.signIn(w.judge2)
	c.get(staffCasePath(cs.ID)).wantStatus(t, http.StatusNotFound)
	c.get(staffCasePath(cs.ID, "/documents/", strconv.FormatUint(cs.Documents[0].ID, 10))).wantStatus(t, http.StatusNotFound)
	c.submit("/staff", staffCasePath(cs.ID, "/actions/accept"), nil).wantStatus(t, http.StatusNotFound)
	c.submit("/staff", staffCasePath(cs.ID, "/messages"), url.Values{"text": {"hello"}}).wantStatus(t, http.StatusNotFound)
	// The same answer as for a case that does not exist.
	c.get(staffCasePath(cs.ID+100)).wantStatus(t, http.StatusNotFound)
	c.submit("/staff", staffCasePath(cs.ID, "/actions/no_such_step"), nil).wantStatus(t, http.StatusNotFound)
	if got := w.status(cs.ID); got != portal.StatusSubmitted {
		t.Fatalf("status %s after another organ's attempt", got)
	}
	// Not in its queue, and the reference search does not reveal it.
	if refs := staffRefs(c.get("/staff?done=1")); len(refs) != 0 {
		t.Fatalf("another court's queue lists %v", refs)
	}
	p := c.get("/staff?ref="+cs.Ref).wantPath(t, "/staff")
	if len(p.redirects) != 0 || p.fieldError("ref") == "" {
		t.Fatalf("ref search of another organ's case: redirects %v, error %q", p.redirects, p.fieldError("ref"))
	}
	if msg := p.fieldError("ref"); !strings.HasSuffix(msg, "No case with this number that your organ may open was found.") {
		t.Fatalf("ref error %q", msg)
	}
	// A failed access is not a read: nothing of it is in the audit log as one.
	if got := w.staffAudits(portal.AuditSealedRead, w.judge2.ID, cs.ID); len(got) != 0 {
		t.Fatalf("refused access audited as a read: %+v", got)
	}
}

// The whole procedure through the console: the court accepts, reviews and
// seals; the court and the police, which hold records, confirm; the case is
// completed.
func TestStaffCourtSealsAndHoldersComplete(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)

	q := judge.get("/staff").wantPath(t, "/staff")
	if refs := staffRefs(q); !slices.Equal(refs, []string{cs.Ref}) {
		t.Fatalf("court queue %v, want [%s]", refs, cs.Ref)
	}
	p := judge.get(staffCasePath(cs.ID)).wantPath(t, staffCasePath(cs.ID))
	p.wantText(t, "Case "+cs.Ref, w.minor.Name, "To be sealed", "advice only")
	// The deciding organ sees the full identity number.
	if id, _ := p.testid("person-id"); id != w.minor.IDNumber {
		t.Fatalf("deciding organ sees identity %q, want it in full", id)
	}
	if got := staffActionForms(p); !slices.Equal(got, []string{"accept", "return"}) {
		t.Fatalf("actions on a submitted case %v", got)
	}

	staffAct(judge, cs.ID, portal.ActionAccept, nil).wantPath(t, staffCasePath(cs.ID)).wantText(t, "The application has been accepted.")
	if got := w.status(cs.ID); got != portal.StatusAccepted {
		t.Fatalf("after accept: %s", got)
	}
	staffAct(judge, cs.ID, portal.ActionStartReview, nil).wantPath(t, staffCasePath(cs.ID))
	p = judge.get(staffCasePath(cs.ID))
	if got := staffActionForms(p); !slices.Equal(got, []string{"seal", "reject", "return"}) {
		t.Fatalf("actions under review %v", got)
	}
	// The seal form is prefilled from what the rules compute (R1, R2, R3 for a
	// suspended 18-month term).
	if v, _ := p.inputValue("rules"); v != "R1, R2, R3" {
		t.Fatalf("seal rules prefilled %q", v)
	}
	staffAct(judge, cs.ID, portal.ActionSeal, url.Values{"rules": {"R1, r2,R3"}, "note": {"CPL art. 286"}, "citations": {"cpl-286"}}).
		wantPath(t, staffCasePath(cs.ID)).wantText(t, "Sealing has been decided")
	got, err := w.db.Case(cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := got.Events[len(got.Events)-1]
	if got.Status != portal.StatusSealed || !slices.Equal(last.Rules, []string{"R1", "R2", "R3"}) || last.Note != "CPL art. 286" {
		t.Fatalf("after seal: %s, last event %+v", got.Status, last)
	}

	// The court holds records too: it confirms its own sealing.
	p = judge.get(staffCasePath(cs.ID))
	if forms := staffActionForms(p); !slices.Equal(forms, []string{"confirm"}) {
		t.Fatalf("court's actions after sealing %v", forms)
	}
	staffAct(judge, cs.ID, portal.ActionConfirm, nil).wantPath(t, staffCasePath(cs.ID)).wantText(t, "Your organ's sealing has been confirmed.")
	if forms := staffActionForms(judge.get(staffCasePath(cs.ID))); len(forms) != 0 {
		t.Fatalf("court may still %v after confirming", forms)
	}
	if st := w.status(cs.ID); st != portal.StatusSealed {
		t.Fatalf("after the court's confirmation: %s", st)
	}

	// The police find it in their queue as a holder and confirm; that completes it.
	police := w.signIn(w.officer)
	q = police.get("/staff")
	if refs := staffRefs(q); !slices.Equal(refs, []string{cs.Ref}) {
		t.Fatalf("police queue %v", refs)
	}
	p = police.get(staffCasePath(cs.ID)).wantPath(t, staffCasePath(cs.ID))
	if st, _ := p.testid("standing"); st != "Seals the records it holds" {
		t.Fatalf("police standing %q", st)
	}
	// A holder sees the identity number masked (R22).
	if id, _ := p.testid("person-id"); id == w.minor.IDNumber || !strings.HasSuffix(id, w.minor.IDNumber[14:]) || !strings.HasPrefix(id, "****") {
		t.Fatalf("holder sees identity %q", id)
	}
	if forms := staffActionForms(p); !slices.Equal(forms, []string{"confirm"}) {
		t.Fatalf("police actions %v", forms)
	}
	// A holder cannot take the deciding organ's steps.
	staffAct(police, cs.ID, portal.ActionReject, url.Values{"rules": {"R2"}, "note": {"no"}}).wantStatus(t, http.StatusConflict)
	p = staffAct(police, cs.ID, portal.ActionConfirm, url.Values{"note": {"investigation files sealed"}}).wantPath(t, staffCasePath(cs.ID))
	if st := w.status(cs.ID); st != portal.StatusCompleted {
		t.Fatalf("after every holder confirmed: %s", st)
	}
	p.wantText(t, "Sealing completed", "investigation files sealed")
	for _, ev := range []string{"submit", "accept", "start_review", "seal", "confirm", "complete"} {
		if !strings.Contains(p.body, `data-action="`+ev+`"`) {
			t.Errorf("timeline lacks %s", ev)
		}
	}
	// Done cases leave the queues unless asked for.
	if refs := staffRefs(police.get("/staff")); len(refs) != 0 {
		t.Fatalf("police queue after confirming %v", refs)
	}
	if refs := staffRefs(judge.get("/staff?done=1")); !slices.Equal(refs, []string{cs.Ref}) {
		t.Fatalf("court queue with decided cases %v", refs)
	}
	// A step the state machine does not allow any more is refused with a reason.
	staffAct(judge, cs.ID, portal.ActionAccept, nil).wantStatus(t, http.StatusConflict).
		wantText(t, "This step is not possible at this stage")
}

// A return must tell the applicant what to correct; a refusal needs reasons
// and rules. A failed form keeps what was typed.
func TestStaffActionFormErrors(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)

	p := staffAct(judge, cs.ID, portal.ActionReturn, url.Values{"note": {"   "}}).wantStatus(t, http.StatusUnprocessableEntity)
	if msg := p.fieldError("note"); !strings.HasSuffix(msg, "Tell the applicant what to correct.") {
		t.Fatalf("return without a message: error %q", msg)
	}
	if _, ok := p.testid("error-summary"); !ok {
		t.Fatal("no error summary")
	}
	if st := w.status(cs.ID); st != portal.StatusSubmitted {
		t.Fatalf("a refused return changed the status to %s", st)
	}

	w.step(cs.ID, portal.ActionAccept, w.judge)
	w.step(cs.ID, portal.ActionStartReview, w.judge)
	p = staffAct(judge, cs.ID, portal.ActionReject, url.Values{"rules": {"R2"}, "note": {""}}).wantStatus(t, http.StatusUnprocessableEntity)
	if v := staffInputByID(p, "reject-rules"); v != "R2" {
		t.Fatalf("rules typed were not kept: %q", v)
	}
	// The rules say seal: refusing is an override (issue 18), whose reasons
	// are always required.
	if msg := p.fieldError("note"); !strings.HasSuffix(msg, "Give the reasons for deciding differently from the rules.") {
		t.Fatalf("reject without reasons: %q", msg)
	}
	p = staffAct(judge, cs.ID, portal.ActionReject, url.Values{"rules": {"R2, R99"}, "note": {"the term is over five years"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if msg := p.fieldError("rules"); !strings.HasSuffix(msg, "Enter only rule ids from R1 to R26, separated by commas.") {
		t.Fatalf("unknown rule id: %q", msg)
	}
	if !strings.Contains(p.body, ">the term is over five years</textarea>") {
		t.Fatal("reasons typed were not kept")
	}
	p = staffAct(judge, cs.ID, portal.ActionSeal, url.Values{"rules": {""}}).wantStatus(t, http.StatusUnprocessableEntity)
	if msg := p.fieldError("rules"); !strings.HasSuffix(msg, "Enter the rules relied on.") {
		t.Fatalf("seal without rules: %q", msg)
	}
	if st := w.status(cs.ID); st != portal.StatusUnderReview {
		t.Fatalf("refused steps changed the status to %s", st)
	}

	// With a message the return goes through and the applicant reads it.
	staffAct(judge, cs.ID, portal.ActionReturn, url.Values{"note": {"Please attach the judgment's second page."}}).
		wantPath(t, staffCasePath(cs.ID)).wantText(t, "Please attach the judgment's second page.")
	if st := w.status(cs.ID); st != portal.StatusReturned {
		t.Fatalf("after return: %s", st)
	}
}

// Citizens and the system administrator have no console.
func TestStaffConsoleForbiddenToMinor(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	c := w.signIn(w.minor)
	c.get("/staff").wantStatus(t, http.StatusForbidden)
	c.get(staffCasePath(cs.ID)).wantStatus(t, http.StatusForbidden)
	c.get("/staff/cases/new").wantStatus(t, http.StatusForbidden)
	c.submit("/account", staffCasePath(cs.ID, "/actions/accept"), nil).wantStatus(t, http.StatusForbidden)
	if st := w.status(cs.ID); st != portal.StatusSubmitted {
		t.Fatalf("status %s", st)
	}
}

// The supervisor sees every organ's overdue cases and reads them, but takes
// no step.
func TestStaffSupervisorSeesOverdueReadOnly(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	late := w.submitted(w.court2) // due 13 March 2026 (3 working days)
	w.clock.advance(6 * 24 * time.Hour)
	fresh := w.submitted(w.court) // due later: not overdue

	sup := w.signIn(w.sup)
	p := sup.get("/staff").wantPath(t, "/staff").wantText(t, "Overdue cases of every organ")
	if refs := staffRefs(p); !slices.Equal(refs, []string{late.Ref}) {
		t.Fatalf("supervisor's overdue list %v, want [%s] (not %s)", refs, late.Ref, fresh.Ref)
	}
	if organs, _ := p.testid("overdue-organs"); organs != w.court2.Name {
		t.Fatalf("overdue organ %q", organs)
	}
	if _, ok := p.testid("due"); !ok || !strings.Contains(p.body, `data-overdue="true"`) {
		t.Fatal("the deadline is not marked overdue")
	}

	p = sup.get(staffCasePath(late.ID)).wantPath(t, staffCasePath(late.ID))
	p.wantText(t, "read-only")
	if forms := staffActionForms(p); len(forms) != 0 {
		t.Fatalf("supervisor offered %v", forms)
	}
	if strings.Contains(p.body, `data-testid="message-form"`) {
		t.Fatal("supervisor offered the message form")
	}
	if id, _ := p.testid("person-id"); id == w.minor.IDNumber {
		t.Fatal("supervisor sees the full identity number")
	}
	sup.submit(staffCasePath(late.ID), staffCasePath(late.ID, "/actions/accept"), nil).wantStatus(t, http.StatusForbidden)
	sup.submit(staffCasePath(late.ID), staffCasePath(late.ID, "/messages"), url.Values{"text": {"hurry"}}).wantStatus(t, http.StatusForbidden)
	if st := w.status(late.ID); st != portal.StatusSubmitted {
		t.Fatalf("supervisor changed the status to %s", st)
	}
	// The supervisor finds any case by its reference.
	sup.get("/staff?ref="+fresh.Ref).wantPath(t, staffCasePath(fresh.ID))
	// Reads are audited with their purpose.
	reads := w.staffAudits(portal.AuditSealedRead, w.sup.ID, late.ID)
	if len(reads) != 3 { // the page, and the page again before each refused post
		t.Fatalf("supervisor's reads %+v", reads)
	}
	for _, r := range reads {
		if r.Detail != "supervision" {
			t.Fatalf("supervisor's read %+v", r)
		}
	}
}

// Every look at a case's page and every download is in the audit log (R17).
func TestStaffCaseViewsAreAudited(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	judge.get(staffCasePath(cs.ID)).wantPath(t, staffCasePath(cs.ID))
	judge.get(staffCasePath(cs.ID)).wantPath(t, staffCasePath(cs.ID))
	reads := w.staffAudits(portal.AuditSealedRead, w.judge.ID, cs.ID)
	if len(reads) != 2 {
		t.Fatalf("%d sealed_read entries for two views, want 2", len(reads))
	}
	for _, r := range reads {
		if r.Detail != "case_duty" || r.ActorRole != portal.RoleCourt || r.RequestID == "" {
			t.Fatalf("read entry %+v", r)
		}
	}
	// A holding organ has a duty on the case from the start: its view is
	// audited too, and an official of an unrelated organ writes no read.
	w.signIn(w.officer).get(staffCasePath(cs.ID)).wantPath(t, staffCasePath(cs.ID))
	if got := w.staffAudits(portal.AuditSealedRead, w.officer.ID, cs.ID); len(got) != 1 || got[0].Detail != "case_duty" {
		t.Fatalf("holder's reads %+v", got)
	}
	w.signIn(w.judge2).get(staffCasePath(cs.ID)).wantStatus(t, http.StatusNotFound)
	if got := w.staffAudits(portal.AuditSealedRead, w.judge2.ID, cs.ID); len(got) != 0 {
		t.Fatalf("refused view audited as a read %+v", got)
	}
}

// Documents are downloaded as attachments, each download audited; messages
// to the applicant carry an optional attachment and notify the applicant.
func TestStaffDocumentDownloadAndMessages(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	cs := w.submitted(w.court)
	judge := w.signIn(w.judge)
	doc := cs.Documents[0]
	p := judge.get(staffCasePath(cs.ID, "/documents/", strconv.FormatUint(doc.ID, 10))).wantStatus(t, http.StatusOK)
	if p.body != "%PDF-1.4 judgment" || p.header.Get("Content-Type") != portal.MediaPDF || !strings.HasPrefix(p.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %q %q %q", p.body, p.header.Get("Content-Type"), p.header.Get("Content-Disposition"))
	}
	if got := w.staffAudits(portal.AuditDocumentRead, w.judge.ID, cs.ID); len(got) != 1 {
		t.Fatalf("document reads audited %d times", len(got))
	}
	// A document id of another case is not found.
	other := w.submitted(w.court)
	judge.get(staffCasePath(cs.ID, "/documents/", strconv.FormatUint(other.Documents[0].ID, 10))).wantStatus(t, http.StatusNotFound)

	// An empty message is refused with the field's error.
	p = judge.submit(staffCasePath(cs.ID), staffCasePath(cs.ID, "/messages"), url.Values{"text": {"  "}}).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("text") == "" {
		t.Fatal("no error on an empty message")
	}
	// A message with an attachment reaches the applicant.
	csrf := judge.get(staffCasePath(cs.ID)).csrf(t)
	p = staffMultipart(t, judge, staffCasePath(cs.ID, "/messages"), csrf, "Please send the second page of the judgment.", "form.pdf", testValidPDF)
	p.wantPath(t, staffCasePath(cs.ID)).wantText(t, "Your message has been sent.", "Please send the second page of the judgment.", "form.pdf")
	msgs, err := w.db.Messages(cs.ID)
	if err != nil || len(msgs) != 1 || len(msgs[0].Documents) != 1 || msgs[0].OrganID != w.court.ID {
		t.Fatalf("messages %+v, %v", msgs, err)
	}
	notes, err := w.db.Notifications(w.minor.ID, 50)
	if err != nil || !slices.ContainsFunc(notes, func(n portal.Notification) bool { return n.Key == "notify.message" }) {
		t.Fatalf("the applicant was not notified: %+v, %v", notes, err)
	}
	// A file that is not a PDF, JPEG or PNG is refused.
	csrf = judge.get(staffCasePath(cs.ID)).csrf(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField(csrfField, csrf)
	_ = mw.WriteField("text", "see attached")
	fw, _ := mw.CreateFormFile("file", "evil.html")
	_, _ = fw.Write([]byte("<script>alert(1)</script>"))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, judge.ts.srv.URL+staffCasePath(cs.ID, "/messages"), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for name, v := range judge.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	resp, err := judge.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusSeeOther {
		// POST-redirect-GET: the answer is shown by the case page.
		resp.Body.Close()
		judge.keepCookies(resp)
		p := judge.get(resp.Header.Get("Location"))
		resp = &http.Response{StatusCode: p.status, Body: io.NopCloser(strings.NewReader(p.body))}
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `data-testid="error-file"`) || !strings.Contains(string(body), ">see attached</textarea>") {
		t.Fatalf("bad attachment: %d", resp.StatusCode)
	}
}

// The queue's filters, counts and the search by reference number.
func TestStaffQueueFiltersAndSearch(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	late := w.submitted(w.court) // submitted Tuesday 10 March, due Friday 13 March
	w.clock.advance(4 * 24 * time.Hour)
	fresh := w.submitted(w.court) // submitted 14 March
	accepted := w.submitted(w.court)
	w.step(accepted.ID, portal.ActionAccept, w.judge)
	foreign := w.submitted(w.court2)

	judge := w.signIn(w.judge)
	p := judge.get("/staff").wantPath(t, "/staff")
	refs := staffRefs(p)
	if len(refs) != 3 || refs[0] != late.Ref || slices.Contains(refs, foreign.Ref) {
		t.Fatalf("queue %v: want the overdue case first and no other court's case", refs)
	}
	if n, _ := p.testid("count-open"); n != "3" {
		t.Fatalf("open count %q", n)
	}
	if n, _ := p.testid("count-overdue"); n != "1 overdue" {
		t.Fatalf("overdue count %q", n)
	}
	if !strings.Contains(p.body, `data-overdue="true"`) {
		t.Fatal("the overdue deadline is not marked")
	}

	if refs := staffRefs(judge.get("/staff?overdue=1")); !slices.Equal(refs, []string{late.Ref}) {
		t.Fatalf("overdue only %v", refs)
	}
	if refs := staffRefs(judge.get("/staff?status=accepted")); !slices.Equal(refs, []string{accepted.Ref}) {
		t.Fatalf("status accepted %v", refs)
	}
	if refs := staffRefs(judge.get("/staff?status=submitted&within=90")); len(refs) != 2 || slices.Contains(refs, accepted.Ref) {
		t.Fatalf("submitted within 90 days %v", refs)
	}
	p = judge.get("/staff?status=nonsense&within=500").wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("status") == "" || p.fieldError("within") == "" {
		t.Fatalf("invalid filter errors: status %q within %q", p.fieldError("status"), p.fieldError("within"))
	}
	if v, _ := p.inputValue("within"); v != "500" {
		t.Fatalf("typed filter not kept: %q", v)
	}

	// Search by reference, as typed.
	judge.get("/staff?ref="+url.QueryEscape(" "+strings.ToLower(fresh.Ref)+" ")).wantPath(t, staffCasePath(fresh.ID))
	p = judge.get("/staff?ref=FC-2026-999999").wantPath(t, "/staff")
	if p.fieldError("ref") == "" {
		t.Fatal("an unknown reference shows no message")
	}
}

// Pages of 50 with links to the next and previous pages.
func TestStaffQueuePages(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	var batch []portal.Case
	for i := 0; i < 53; i++ {
		batch = append(batch, portal.Case{Status: portal.StatusSubmitted, DecidingOrganID: w.court.ID, HoldingOrganIDs: []uint64{w.court.ID},
			Due: portal.Date{Year: 2026, Month: 4, Day: 1 + i%28}, CreatedAt: testEpoch, SubmittedAt: testEpoch})
	}
	if _, err := w.db.ImportCases(batch); err != nil {
		t.Fatal(err)
	}
	judge := w.signIn(w.judge)
	p := judge.get("/staff")
	if n := len(staffRefs(p)); n != 50 {
		t.Fatalf("first page has %d rows", n)
	}
	if _, ok := p.testid("pager-prev"); ok {
		t.Fatal("a previous link on the first page")
	}
	next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(p.body)
	if next == nil {
		t.Fatal("no next page link")
	}
	p = judge.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := len(staffRefs(p)); n != 3 {
		t.Fatalf("second page has %d rows", n)
	}
	if _, ok := p.testid("pager-next"); ok {
		t.Fatal("a next link on the last page")
	}
	if _, ok := p.testid("pager-prev"); !ok {
		t.Fatal("no previous link on the second page")
	}
	// The page links keep the filter, and nothing else of the query.
	p = judge.get("/staff?status=submitted&foo=bar")
	next = regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(p.body)
	if next == nil || strings.ReplaceAll(next[1], "&amp;", "&") != "/staff?page=2&status=submitted" {
		t.Fatalf("next link with a filter: %v", next)
	}
}

// An organ opens a case on its own initiative (R11); the person's account
// sees it appear.
func TestStaffExOfficioLinksMinorAccount(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	judge := w.signIn(w.judge)
	form := url.Values{
		"person_name": {""}, "person_id_number": {w.minor.IDNumber}, "case_number": {"(2024)甲刑初字第9号"},
		"decision_date": {"2024-12-02"}, "disposition": {"sentenced"}, "acts[0].date": {"2023-09-10"},
		"penalty_kind": {"criminal_detention"}, "penalty_months": {"4"}, "intent": {"negligent"},
		"holding_organs": {strconv.FormatUint(w.court.ID, 10), strconv.FormatUint(w.police.ID, 10)},
	}
	// A missing name is the form's error, with everything else kept.
	p := judge.submit("/staff/cases/new", "/staff/cases/new", form).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("person_name") == "" {
		t.Fatalf("no error for the missing name\n%s", excerpt(p))
	}
	if v, _ := p.inputValue("case_number"); v != "(2024)甲刑初字第9号" {
		t.Fatalf("case number not kept: %q", v)
	}
	if !strings.Contains(p.body, `value="`+strconv.FormatUint(w.police.ID, 10)+`" checked`) {
		t.Fatal("holding organ choice not kept")
	}
	// A bad date is reported on its field.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("person_name", w.minor.Name)
	bad.Set("acts[0].date", "2023-02-30")
	p = judge.submit("/staff/cases/new", "/staff/cases/new", bad).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("acts[0].date") == "" {
		t.Fatal("no error for an impossible date")
	}

	form.Set("person_name", w.minor.Name)
	p = judge.submit("/staff/cases/new", "/staff/cases/new", form)
	if !strings.HasPrefix(p.url.Path, "/staff/cases/") || p.status != http.StatusOK {
		t.Fatalf("ex officio ended at %s (%d)\n%s", p.url.Path, p.status, excerpt(p))
	}
	p.wantText(t, "The case has been opened ex officio", "Opened by an organ on its own initiative")
	id, err := strconv.ParseUint(strings.TrimPrefix(p.url.Path, "/staff/cases/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := w.db.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	if !cs.ExOfficio || cs.Status != portal.StatusUnderReview || cs.DecidingOrganID != w.court.ID || len(cs.HoldingOrganIDs) != 2 ||
		cs.Penalty == nil || cs.Penalty.Kind != portal.PenaltyCriminalDetention || cs.Intent != portal.IntentNegligent {
		t.Fatalf("ex officio case %+v", cs)
	}
	// Issue 18, R11: an ex officio case has no return for correction.
	if forms := staffActionForms(p); !slices.Equal(forms, []string{"seal", "reject"}) {
		t.Fatalf("actions on an ex officio case %v", forms)
	}
	mine, err := w.db.CasesOfAccount(w.minor.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(mine, func(s store.CaseSummary) bool { return s.Case.ID == id && s.Relation == store.RelPerson }) {
		t.Fatalf("the minor's cases %+v lack the ex officio case", mine)
	}
	// The police, a holding organ, cannot open cases in the court's name: the
	// deciding organ is always the official's own.
	police := w.signIn(w.officer)
	form.Set("case_number", "(2024)甲公立字第1号")
	// Issue 18: the police opens what it decides, a withdrawn case.
	form.Set("disposition", string(portal.DispositionCaseWithdrawn))
	p = police.submit("/staff/cases/new", "/staff/cases/new", form)
	id2, _ := strconv.ParseUint(strings.TrimPrefix(p.url.Path, "/staff/cases/"), 10, 64)
	cs2, err := w.db.Case(id2)
	if err != nil || cs2.DecidingOrganID != w.police.ID {
		t.Fatalf("police ex officio case decided by %d, %v", cs2.DecidingOrganID, err)
	}
}

// R31: an organ opens a case for a person without a mainland identity
// number: a passport needs its issuing state (refused at its field, values
// kept); a Hong Kong resident's residence permit (which carries the birth
// date) opens the case, indexed under that document, with the birth date
// the permit carries.
func TestStaffExOfficioIdentityDocument(t *testing.T) {
	t.Parallel()
	w := newStaffWorld(t)
	judge := w.signIn(w.judge)
	permit := "81000020060501001"
	permit += string("10X98765432"[func() int {
		weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
		sum := 0
		for i, r := range permit {
			sum += int(r-'0') * weights[i]
		}
		return sum % 11
	}()])
	form := url.Values{
		"person_name": {"陈港生"}, "person_doc_type": {"passport"}, "person_id_number": {"K12345678"}, "case_number": {"(2024)甲刑初字第19号"},
		"decision_date": {"2024-12-02"}, "disposition": {"sentenced"}, "acts[0].date": {"2023-09-10"},
		"penalty_kind": {"criminal_detention"}, "penalty_months": {"4"}, "intent": {"negligent"},
		"holding_organs": {strconv.FormatUint(w.court.ID, 10)},
	}
	p := judge.submit("/staff/cases/new", "/staff/cases/new", form).wantStatus(t, http.StatusUnprocessableEntity)
	if p.fieldError("person_doc_country") == "" || !strings.Contains(p.body, `value="passport" checked`) {
		t.Fatalf("a passport without its state\n%s", excerpt(p))
	}
	form.Set("person_doc_type", "hmt_residence_permit")
	form.Set("person_id_number", permit)
	p = judge.submit("/staff/cases/new", "/staff/cases/new", form)
	if !strings.HasPrefix(p.url.Path, "/staff/cases/") || p.status != http.StatusOK {
		t.Fatalf("ex officio ended at %s (%d)\n%s", p.url.Path, p.status, excerpt(p))
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(p.url.Path, "/staff/cases/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := w.db.Case(id)
	if err != nil || cs.PersonDocType != portal.DocResidencePermit || cs.PersonIDNumber != permit {
		t.Fatalf("case %+v %v", cs, err)
	}
	if birth, ok := cs.PersonBirthDate(); !ok || birth != (portal.Date{Year: 2006, Month: 5, Day: 1}) {
		t.Fatalf("birth date %v %v", birth, ok)
	}
}
