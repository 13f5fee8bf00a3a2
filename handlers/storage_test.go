package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// storageServer is newTestServer on a given file and keys, with store
// options, so that a test can reopen the same database differently.
func storageServer(t *testing.T, path string, keys store.Keys, clock *testClock, opt store.Options) *testServer {
	t.Helper()
	opt.Keys, opt.Clock = keys, clock.Now
	db, err := store.Open(enginetest.Location(t, path), opt)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	cfg := Config{SecureCookies: true, Hasher: testHasher, Clock: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
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
	return ts
}

// reopen stops ts and serves the same file again with opt; the clients keep
// their cookies, and sessions live in the file.
func (ts *testServer) reopen(path string, keys store.Keys, opt store.Options) {
	ts.t.Helper()
	ts.srv.Close()
	if err := ts.db.Close(); err != nil {
		ts.t.Fatal(err)
	}
	n := storageServer(ts.t, path, keys, ts.clock, opt)
	ts.db, ts.echo, ts.srv = n.db, n.echo, n.srv
}

// storageWorld is a guardian with a submitted application (so that messages
// can be sent on it), one message already sent, and a second draft.
func storageWorld(t *testing.T) (ts *testServer, c *testClient, path string, keys store.Keys, caseID, draft uint64) {
	t.Helper()
	path, keys = filepath.Join(t.TempDir(), "portal.db"), store.NewTestKeys()
	ts = storageServer(t, path, keys, &testClock{now: applyEpoch}, store.Options{})
	var o applyOrgansT
	for _, x := range []struct {
		dst  *portal.Organ
		kind portal.Role
		name string
	}{
		{&o.court, portal.RoleCourt, "北京市海淀区人民法院"},
		{&o.procuratorate, portal.RoleProcuratorate, "北京市海淀区人民检察院"},
		{&o.police, portal.RolePolice, "北京市公安局海淀分局"},
	} {
		org, err := ts.db.EnsureOrgan(x.kind, x.name)
		if err != nil {
			t.Fatal(err)
		}
		*x.dst = org
	}
	c, _ = applyClient(t, ts, portal.RoleGuardian, "13900000701")
	caseID = applyStartDraft(t, c)
	applyFillPerson(t, c, caseID, "李小华", testIDNumber(701, portal.Date{Year: 2010, Month: 5, Day: 1})).wantPath(t, applyP(caseID, ""))
	c.submit(applyP(caseID, "case"), applyP(caseID, "case"), applyCaseForm(o.court.ID)).wantPath(t, applyP(caseID, ""))
	applyFillOrgans(t, c, caseID, o.court, o.procuratorate, o.police).wantPath(t, applyP(caseID, ""))
	applyUpload(t, c, caseID, "judgment", "判决书.pdf", testValidPDF).wantPath(t, applyP(caseID, "documents"))
	applyUpload(t, c, caseID, "identity", "id.png", testValidPNG).wantPath(t, applyP(caseID, "documents"))
	applyUpload(t, c, caseID, "guardianship", "proof.png", testValidPNG).wantPath(t, applyP(caseID, "documents"))
	applyDeclare(t, c, caseID).wantPath(t, applyP(caseID, ""))
	applySubmit(t, c, caseID)
	storageMessage(t, c, caseID, "saved before the disk filled").wantStatus(t, http.StatusOK).wantText(t, "saved before the disk filled")
	draft = applyStartDraft(t, c)
	return ts, c, path, keys, caseID, draft
}

func storageCasePath(id uint64) string { return "/cases/" + strconv.FormatUint(id, 10) }

// storageMessage sends a message on a case with the form's token.
func storageMessage(t *testing.T, c *testClient, id uint64, text string) *testPage {
	t.Helper()
	token := c.get(storageCasePath(id)).wantStatus(t, http.StatusOK).csrf(t)
	return c.postMultipart(storageCasePath(id)+"/messages", url.Values{csrfField: {token}, "text": {text}})
}

// storageWantPage checks the page of a refused write: 507, says in the
// reader's language that nothing was saved, and gives back what was typed.
func storageWantPage(t *testing.T, p *testPage, typed ...string) {
	t.Helper()
	p.wantStatus(t, http.StatusInsufficientStorage)
	if _, ok := p.testid("storage-nothing-saved"); !ok {
		t.Fatalf("the page does not say that nothing was saved:\n%s", excerpt(p))
	}
	if _, ok := p.testid("storage-retry-form"); !ok {
		t.Fatalf("no form to send the values again:\n%s", excerpt(p))
	}
	for _, v := range typed {
		if !strings.Contains(p.body, v) {
			t.Fatalf("typed value %q is not on the page:\n%s", v, excerpt(p))
		}
	}
}

// storageFill writes audit entries until the store refuses, with ever smaller
// entries, so that afterwards only writes smaller than the last tiny one fit
// in the pages the last commit freed.
func storageFill(t *testing.T, db *store.DB) {
	t.Helper()
	for _, size := range []int{8000, 2000, 500, 100, 10, 1} {
		for i := 0; ; i++ {
			err := db.RecordAudit(portal.AuditEvent{Action: portal.AuditLoginFailed, ActorID: 1, ActorRole: portal.RoleMinor,
				Detail: strings.Repeat("x", size)})
			if err == nil {
				continue
			}
			if pe, ok := portal.AsError(err); !ok || pe.Key != "error.storage_full" {
				t.Fatalf("write %d of %d bytes failed with %v, want error.storage_full", i, size, err)
			}
			break
		}
	}
}

// When the database reaches its size limit, a citizen's message and an
// application step are refused with a clear page in Chinese and English that
// keeps what was typed and sends it again on request; everything committed
// before is still there after a restart without the limit, and the retry then
// saves the message.
//
// The limit is the bbolt file's (Options.MaxSize). On PostgreSQL the server's
// own refusals (out of disk, read-only) are the same kv.ErrFull
// (pgkv.TestRefusedWriteIsErrFull), and the page for them is proved on both
// engines by TestStorageReadOnlyKeepsTypedValues.
func TestStorageFullKeepsTypedValues(t *testing.T) {
	t.Parallel()
	enginetest.Require(t, enginetest.Bolt, "the size limit Options.MaxSize is the bbolt file's")
	ts, c, path, keys, caseID, _ := storageWorld(t)
	token := c.get(storageCasePath(caseID)).csrf(t)

	// Reopen with the limit at today's size, then fill what free pages remain.
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	ts.reopen(path, keys, store.Options{MaxSize: int(st.Size())})
	storageFill(t, ts.db)
	typed := "我的消息：请尽快处理 <b>not bold</b>"
	p := c.postMultipart(storageCasePath(caseID)+"/messages", url.Values{csrfField: {token}, "text": {typed}})
	storageWantPage(t, p, "我的消息：请尽快处理 &lt;b&gt;not bold&lt;/b&gt;")
	p.wantText(t, "We cannot save anything new right now", "What you just sent was not saved")
	retry := p.hiddenFields(storageCasePath(caseID) + "/messages")
	if retry.Get("text") != typed {
		t.Fatalf("the retry form carries %q", retry.Get("text"))
	}

	c.setLang("zh-CN")
	storageFill(t, ts.db)
	p = c.postMultipart(storageCasePath(caseID)+"/messages", url.Values{csrfField: {token}, "text": {"第二条消息"}})
	storageWantPage(t, p, "第二条消息")
	p.wantText(t, "系统暂时无法保存新内容", "您刚才提交的内容没有保存")

	// Space again: what was saved before is there, the refused message is not,
	// and the retry form sends it.
	ts.reopen(path, keys, store.Options{})
	c.setLang("en")
	page := c.get(storageCasePath(caseID)).wantStatus(t, http.StatusOK).wantText(t, "saved before the disk filled")
	if strings.Contains(page.body, "请尽快处理") {
		t.Fatal("the refused message was saved after all")
	}
	retry.Set(csrfField, page.csrf(t))
	c.postMultipart(storageCasePath(caseID)+"/messages", retry).wantStatus(t, http.StatusOK).wantText(t, "请尽快处理")
	if rep, err := ts.db.VerifyAudit(); err != nil || !rep.OK {
		t.Fatalf("audit after the full disk: %+v %v", rep, err)
	}
}

// A database opened read-only refuses writes with the same page: a message,
// and a step of an application, whose typed answers come back. On PostgreSQL
// the sessions are read-only and the server refuses (SQLSTATE 25006), as a
// standby does.
func TestStorageReadOnlyKeepsTypedValues(t *testing.T) {
	t.Parallel()
	ts, c, path, keys, caseID, draft := storageWorld(t)
	token := c.get(storageCasePath(caseID)).csrf(t)
	ts.reopen(path, keys, store.Options{ReadOnly: true})
	p := c.postMultipart(storageCasePath(caseID)+"/messages", url.Values{csrfField: {token}, "text": {"sent while read-only"}})
	storageWantPage(t, p, "sent while read-only")
	p.wantText(t, "We cannot save anything new right now")

	c.setLang("zh-CN")
	idNumber := testIDNumber(702, portal.Date{Year: 2010, Month: 6, Day: 1})
	p = c.submit(applyP(draft, "person"), applyP(draft, "person"), url.Values{"person_name": {"王小明"}, "person_id_number": {idNumber}})
	storageWantPage(t, p, "王小明", idNumber)
	p.wantText(t, "系统暂时无法保存新内容", "您刚才提交的内容没有保存")
	c.setLang("en")
	// Reading still works.
	c.get(storageCasePath(caseID)).wantStatus(t, http.StatusOK).wantText(t, "saved before the disk filled")
}

// Secrets typed into a refused form are never echoed back.
func TestStorageSecretFields(t *testing.T) {
	t.Parallel()
	for name, secret := range map[string]bool{
		"password": true, "password_confirm": true, "code": true, "totp_code": true, "_csrf": false,
		"text": false, "case_number": false, "opinion": false, "person_name": false, "place_detail": false,
	} {
		if got := secretField(name); got != secret {
			t.Errorf("secretField(%q) = %v, want %v", name, got, secret)
		}
	}
}
