package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv"
	"sealportal/store/kv/boltkv"
	"sealportal/views"
)

// lossyEngine is an engine whose next armed write transaction ends as a
// server engine's does when the connection dies during COMMIT: saved (or
// rolled back), and answered kv.ErrOutcomeUnknown either way. Only a
// transaction that writes to the armed bucket is hit, so that the sessions
// and kept form answers of the same request are left alone.
type lossyEngine struct {
	kv.Engine
	mode   atomic.Int32 // 0: pass; lossCommitted; lossRolledBack
	bucket atomic.Value // string: the bucket whose write is hit
	hits   atomic.Int32
}

const (
	lossCommitted  = 1
	lossRolledBack = 2
)

var errConnectionLost = errors.New("test: the connection died during COMMIT")

func (e *lossyEngine) arm(mode int32, bucket string) {
	e.bucket.Store(bucket)
	e.mode.Store(mode)
}

// watchTx notes whether its transaction opened the armed bucket.
type watchTx struct {
	kv.Tx
	name string
	seen *bool
}

func (t watchTx) Bucket(name []byte) kv.Bucket {
	if string(name) == t.name {
		*t.seen = true
	}
	return t.Tx.Bucket(name)
}

func (e *lossyEngine) write(ctx context.Context, run func(context.Context, func(kv.Tx) error) error, fn func(kv.Tx) error) error {
	mode := e.mode.Load()
	if mode == 0 {
		return run(ctx, fn)
	}
	name, _ := e.bucket.Load().(string)
	var seen bool
	err := run(ctx, func(tx kv.Tx) error {
		seen = false
		if err := fn(watchTx{Tx: tx, name: name, seen: &seen}); err != nil {
			return err
		}
		if seen && mode == lossRolledBack {
			return errConnectionLost // nothing of it is saved
		}
		return nil
	})
	if !seen || !e.mode.CompareAndSwap(mode, 0) {
		return err
	}
	e.hits.Add(1)
	if err != nil && !errors.Is(err, errConnectionLost) {
		return err
	}
	return fmt.Errorf("test: commit: %w: %w", kv.ErrOutcomeUnknown, errConnectionLost)
}

func (e *lossyEngine) Update(ctx context.Context, fn func(kv.Tx) error) error {
	return e.write(ctx, e.Engine.Update, fn)
}

func (e *lossyEngine) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	return e.write(ctx, e.Engine.Batch, fn)
}

// outcomeServer is applyServer over a bbolt file behind a lossyEngine.
func outcomeServer(t *testing.T) (*testServer, *lossyEngine, applyOrgansT) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "portal.db")
	inner, err := boltkv.Open(path, boltkv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := &lossyEngine{Engine: inner}
	clock := &testClock{now: applyEpoch}
	db, err := store.OpenEngine(eng, path, store.Options{Keys: store.NewTestKeys(), Clock: clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	cfg := Config{SecureCookies: true, PublicURL: testPublicURL, LoginPause: func(context.Context, time.Duration) {},
		Hasher: testHasher, Clock: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e, err := New(cfg, db)
	if err != nil {
		db.Close()
		t.Fatalf("handlers.New: %v", err)
	}
	ts := &testServer{t: t, db: db, clock: clock, cfg: cfg, echo: e, srv: httptest.NewServer(e)}
	t.Cleanup(func() {
		ts.srv.Close()
		db.Close()
	})
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
	return ts, eng, o
}

// outcomeWantPage checks the answer to a write of unknown outcome: 503, the
// page says that we could not confirm it was saved and where to look, and
// gives back what was typed in a form that posts it again to action.
func outcomeWantPage(t *testing.T, p *testPage, action, look string, typed ...string) url.Values {
	t.Helper()
	p.wantStatus(t, http.StatusServiceUnavailable)
	if _, ok := p.testid("outcome-unknown"); !ok {
		t.Fatalf("the page does not say the outcome is unknown:\n%s", excerpt(p))
	}
	if !strings.Contains(p.body, `href="`+look+`" data-testid="outcome-look"`) {
		t.Fatalf("the page does not point to %s:\n%s", look, excerpt(p))
	}
	for _, v := range typed {
		if !strings.Contains(p.body, v) {
			t.Fatalf("typed value %q is not on the page:\n%s", v, excerpt(p))
		}
	}
	retry := p.hiddenFields(action)
	if !store.ValidSubmissionID(retry.Get(views.SubmissionIDName)) && !strings.HasSuffix(action, "/submit") {
		t.Fatalf("the retry form has no submission id: %v", retry)
	}
	retry.Set(csrfField, p.csrf(t))
	return retry
}

func outcomeCases(t *testing.T, ts *testServer, account uint64) []store.CaseSummary {
	t.Helper()
	list, err := ts.db.CasesOfAccount(account)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// Issue 14 (design §6.8): a new application, and the submission of a draft,
// whose commit is lost after it was saved are answered "we could not confirm
// it was saved" (never a failure, never a success), with the way to the case
// list; sending the kept form again answers with the draft, then with the
// confirmation and its reference number, and the account has one case.
func TestOutcomeUnknownApplication(t *testing.T) {
	t.Parallel()
	ts, eng, o := outcomeServer(t)
	c, guardian := applyClient(t, ts, portal.RoleGuardian, "13900000801")

	// A new application.
	start := c.get("/apply").wantStatus(t, http.StatusOK)
	form := start.hiddenFields("/apply")
	form.Set(csrfField, start.csrf(t))
	eng.arm(lossCommitted, "cases")
	p := c.post("/apply", form)
	if eng.hits.Load() != 1 {
		t.Fatalf("the lost commit was not injected (%d)", eng.hits.Load())
	}
	p.wantText(t, "We could not confirm that this was saved", "My cases")
	retry := outcomeWantPage(t, p, "/apply", "/cases")
	if n := len(outcomeCases(t, ts, guardian.ID)); n != 1 {
		t.Fatalf("%d cases after the lost commit, want 1", n)
	}
	p = c.post("/apply", retry).wantStatus(t, http.StatusOK)
	m := applyIDRE.FindStringSubmatch(p.url.Path)
	list := outcomeCases(t, ts, guardian.ID)
	if m == nil || len(list) != 1 || m[1] != fmt.Sprint(list[0].Case.ID) {
		t.Fatalf("the retry ended at %s with %d cases", p.url.Path, len(list))
	}
	id := list[0].Case.ID

	// Its submission.
	applyComplete(t, c, id, o, "李小华", testIDNumber(801, portal.Date{Year: 2010, Month: 5, Day: 1}), "guardianship")
	c.setLang("zh-CN")
	check := c.get(applyP(id, "check")).wantStatus(t, http.StatusOK)
	submit := check.hiddenFields(applyP(id, "submit"))
	submit.Set(csrfField, check.csrf(t))
	eng.arm(lossCommitted, "cases")
	p = c.post(applyP(id, "submit"), submit)
	p.wantText(t, "无法确认是否已保存", "我的案件")
	retry = outcomeWantPage(t, p, applyP(id, "submit"), "/cases")
	list = outcomeCases(t, ts, guardian.ID)
	if len(list) != 1 || list[0].Case.Status != portal.StatusSubmitted {
		t.Fatalf("after the lost commit: %+v", list)
	}
	c.setLang("en")
	p = c.post(applyP(id, "submit"), retry).wantPath(t, applyP(id, "done")).wantStatus(t, http.StatusOK)
	if ref, ok := p.testid("reference"); !ok || ref != list[0].Case.Ref {
		t.Fatalf("the confirmation shows %q, want %q", ref, list[0].Case.Ref)
	}
	if n := len(outcomeCases(t, ts, guardian.ID)); n != 1 {
		t.Fatalf("%d cases after the retry, want 1", n)
	}
	if rep, err := ts.db.VerifyAudit(); err != nil || !rep.OK {
		t.Fatalf("audit: %+v %v", rep, err)
	}
}

// A message whose commit is lost is not shown as failed: the page says we
// could not confirm it, keeps the text, and sending it again adds it once,
// whether the first attempt was saved or not; a third press adds nothing.
func TestOutcomeUnknownMessage(t *testing.T) {
	t.Parallel()
	ts, eng, o := outcomeServer(t)
	c, _ := applyClient(t, ts, portal.RoleGuardian, "13900000802")
	id := applyStartDraft(t, c)
	applyComplete(t, c, id, o, "李小华", testIDNumber(802, portal.Date{Year: 2010, Month: 5, Day: 1}), "guardianship")
	applySubmit(t, c, id)
	messages := func() []portal.Message {
		t.Helper()
		list, err := ts.db.Messages(id)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	path := storageCasePath(id) + "/messages"

	for i, tc := range []struct {
		mode int32
		lang string
		text string
		want []string
	}{
		{lossCommitted, "en", "请尽快处理 <b>not bold</b>", []string{"We could not confirm that this was saved", "Sending it again is safe"}},
		{lossRolledBack, "zh-CN", "第二条消息", []string{"无法确认是否已保存", "重新提交是安全的"}},
	} {
		c.setLang(tc.lang)
		page := c.get(storageCasePath(id)).wantStatus(t, http.StatusOK)
		form := page.hiddenFields(path)
		form.Set(csrfField, page.csrf(t))
		form.Set("text", tc.text)
		eng.arm(tc.mode, "messages")
		p := c.postMultipart(path, form).wantText(t, tc.want...)
		retry := outcomeWantPage(t, p, path, "/cases", strings.ReplaceAll(strings.ReplaceAll(tc.text, "<", "&lt;"), ">", "&gt;"))
		if retry.Get("text") != tc.text || retry.Get(views.SubmissionIDName) != form.Get(views.SubmissionIDName) {
			t.Fatalf("the retry form carries %v", retry)
		}
		saved := 0
		if tc.mode == lossCommitted {
			saved = 1
		}
		if n := len(messages()); n != i+saved {
			t.Fatalf("%d messages after the lost commit, want %d", n, i+saved)
		}
		for range 2 {
			c.postMultipart(path, retry).wantStatus(t, http.StatusOK).wantPath(t, storageCasePath(id)).wantText(t, tc.text)
			if n := len(messages()); n != i+1 {
				t.Fatalf("%d messages after the retry, want %d", n, i+1)
			}
		}
	}

}

// The same form sent twice with its submission id (a retry, or a second
// press) answers the second time with the confirmation of the one record
// the first created: a relief request's draft, a certificate request, a
// relief request's message. A malformed id is refused; a form without one
// is still taken.
func TestSubmissionSentTwice(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	minor := w.signIn(w.minor)

	form := minor.get("/relief/new").wantStatus(t, http.StatusOK)
	v := form.hiddenFields("/relief/new")
	if !store.ValidSubmissionID(v.Get(views.SubmissionIDName)) {
		t.Fatalf("the relief form has no submission id: %v", v)
	}
	v.Set(csrfField, form.csrf(t))
	for k, vs := range rlfValidForm(w.sealed.ID) {
		v[k] = vs
	}
	first := minor.post("/relief/new", v).wantStatus(t, http.StatusOK)
	second := minor.post("/relief/new", v).wantStatus(t, http.StatusOK)
	if first.url.Path != second.url.Path || !strings.HasSuffix(first.url.Path, "/evidence") {
		t.Fatalf("first at %s, second at %s", first.url.Path, second.url.Path)
	}
	list, err := w.db.ReliefOfAccount(w.minor.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("%d relief requests (%v), want 1", len(list), err)
	}

	bad := url.Values{}
	for k, vs := range v {
		bad[k] = vs
	}
	bad.Set(views.SubmissionIDName, "not-an-id")
	minor.post("/relief/new", bad).wantStatus(t, http.StatusBadRequest)
	bad.Del(views.SubmissionIDName)
	minor.post("/relief/new", bad).wantStatus(t, http.StatusOK)
	if list, _ = w.db.ReliefOfAccount(w.minor.ID); len(list) != 2 {
		t.Fatalf("%d relief requests after a form without an id, want 2", len(list))
	}

	// A message on a sent request.
	r := w.storeRelief(w.minor, w.sealed.ID)
	page := minor.get(rlfPath(r.ID, "")).wantStatus(t, http.StatusOK)
	m := page.hiddenFields(rlfPath(r.ID, "/messages"))
	m.Set(csrfField, page.csrf(t))
	m.Set("text", "补充说明一次")
	for range 2 {
		minor.postMultipart(rlfPath(r.ID, "/messages"), m).wantStatus(t, http.StatusOK).wantPath(t, rlfPath(r.ID, ""))
	}
	if msgs, err := w.db.ReliefMessages(r.ID); err != nil || len(msgs) != 1 {
		t.Fatalf("%d relief messages (%v), want 1", len(msgs), err)
	}
}

// A certificate request sent twice with its submission id is one request.
func TestCertificateRequestSentTwice(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	me := w.signIn(w.minor, "en")
	page := me.get("/certificates").wantStatus(t, http.StatusOK)
	v := page.hiddenFields("/certificates")
	v.Set(csrfField, page.csrf(t))
	v.Set("person", "self")
	v.Set("police", fmt.Sprint(w.police.ID))
	for range 2 {
		me.post("/certificates", v).wantStatus(t, http.StatusOK).wantPath(t, "/certificates")
	}
	list, err := w.db.CertificatesOfAccount(w.minor.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("%d certificate requests (%v), want 1", len(list), err)
	}
}

// A leak report whose commit is lost after it was saved: the page says we
// could not confirm it; sending it again from the same browser answers with
// the confirmation of the one report, its reference number and its tracking
// code, which opens it. A report that was not saved is saved by the retry.
func TestOutcomeUnknownLeakReport(t *testing.T) {
	t.Parallel()
	ts, eng, _ := outcomeServer(t)
	for i, mode := range []int32{lossCommitted, lossRolledBack} {
		c := ts.newClient()
		c.setLang("en")
		leakMultipart(t, c, "/report", leakReportForm(c.get("/report").wantStatus(t, http.StatusOK).csrf(t)), nil).wantPath(t, "/report/check")
		eng.arm(mode, "leak_by_ref")
		p := c.submit("/report/check", "/report/submit", nil).wantText(t, "We could not confirm that this was saved")
		if eng.hits.Load() != int32(i+1) {
			t.Fatalf("the lost commit was not injected")
		}
		retry := outcomeWantPage(t, p, "/report/submit", "/report")
		p = c.post("/report/submit", retry).wantStatus(t, http.StatusOK).wantPath(t, "/report")
		code, _ := p.testid("tracking-code")
		ref, _ := p.testid("leak-ref")
		if !leakCode.MatchString(code) || !strings.HasPrefix(ref, "LK-") {
			t.Fatalf("confirmation: code %q ref %q\n%s", code, ref, excerpt(p))
		}
		r, err := ts.db.LeakByCode(code)
		if err != nil || r.Ref != ref {
			t.Fatalf("the code opens %+v (%v), want %s", r.Ref, err, ref)
		}
		_, total, err := ts.db.LeakQueue(store.LeakFilter{Status: "all"})
		if err != nil || total != i+1 {
			t.Fatalf("%d reports (%v), want %d", total, err, i+1)
		}
	}
}

// A query sent twice from its check page with one submission id is one
// query, and both answers are its confirmation.
func TestQuerySentTwice(t *testing.T) {
	t.Parallel()
	w := newQTWorld(t, portal.QueryUnitRegulated)
	c := w.qtSignIn("unit-1", "en")
	form := c.get("/queries/new").wantPath(t, "/queries/new")
	v := qtAnswers(w.minor.IDNumber)
	v.Set("step", "check")
	check := w.post(c, form, "/queries/new", v).wantStatus(t, http.StatusOK)
	send := check.hiddenFields("/queries/new")
	if send.Get("step") != "submit" || !store.ValidSubmissionID(send.Get(views.SubmissionIDName)) {
		t.Fatalf("the send form carries %v", send)
	}
	first := w.post(c, check, "/queries/new", send).wantStatus(t, http.StatusOK)
	second := w.post(c, check, "/queries/new", send).wantStatus(t, http.StatusOK)
	if !strings.HasSuffix(first.url.Path, "/confirmation") || first.url.Path != second.url.Path {
		t.Fatalf("first at %s, second at %s", first.url.Path, second.url.Path)
	}
	list, err := w.db.QueriesOfUnit(w.unit.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("%d queries (%v), want 1", len(list), err)
	}
}
