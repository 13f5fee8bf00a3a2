package handlers

// Attack tests: what an attacker with a browser (or curl) tries against the
// real router, each answered the way the portal promises. The authorization
// matrix (route × role) and upload sanitising have their own tests; these
// are the attacks around them: guessing ids, forging requests, storing
// script, injecting headers, keeping a stolen session, telling accounts
// apart, overloading the parsers, and reading personal data in the logs.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"sealportal/portal"
)

// TestAttackIDOR: Bob, signed in, types the ids of Alice's case, documents,
// message attachment, certificate, relief request and leak report into the
// address bar; another unit those of a query; an official of another court
// searches Alice's reference; a stranger tries tracking codes. Each is
// answered exactly as an id that does not exist: the same status and the same
// visible page (request ids aside), so nothing says the record is there.
func TestAttackIDOR(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, atkPlainTexts())
	bob := w.as(t, w.bob)
	unitB := w.as(t, w.unitB)
	alice := w.as(t, w.alice)

	// Alice sees her own things (so a 404 below is about Bob, not a broken URL).
	caseA, docA, msgDoc := w.caseA.ID, w.caseA.Documents[0].ID, w.msgDoc.ID
	for _, path := range []string{atkPath("/cases/", caseA), atkPath("/certificates/", w.cert.ID), atkPath("/relief/", w.relief.ID),
		atkPath("/report/mine/", w.leak.ID)} {
		alice.get(path).wantStatus(t, http.StatusOK)
	}
	for _, path := range []string{atkPath("/cases/", caseA, "/documents/", docA), atkPath("/cases/", caseA, "/documents/", msgDoc),
		atkPath("/relief/", w.relief.ID, "/documents/", w.reliefDoc.ID)} {
		if p := alice.get(path); p.status != http.StatusOK || !strings.Contains(p.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("Alice's own %s: %d %q", path, p.status, p.header.Get("Content-Disposition"))
		}
	}
	w.as(t, w.unitA).get(atkPath("/queries/", w.query.ID)).wantStatus(t, http.StatusOK)

	type probe struct {
		who              string
		c                *testClient
		foreign, unknown string
	}
	u := atkUnknownID
	probes := []probe{
		{"case", bob, atkPath("/cases/", caseA), "/cases/" + u},
		{"case document", bob, atkPath("/cases/", caseA, "/documents/", docA), atkPath("/cases/", u, "/documents/", docA)},
		{"case document, own-looking id", bob, atkPath("/cases/", caseA, "/documents/", docA), atkPath("/cases/", caseA, "/documents/", u)},
		{"message attachment", bob, atkPath("/cases/", caseA, "/documents/", msgDoc), atkPath("/cases/", u, "/documents/", msgDoc)},
		{"withdraw form", bob, atkPath("/cases/", caseA, "/withdraw"), atkPath("/cases/", u, "/withdraw")},
		{"access log", bob, atkPath("/cases/", caseA, "/access"), atkPath("/cases/", u, "/access")},
		{"application draft pages", bob, atkPath("/apply/", caseA), "/apply/" + u},
		{"certificate", bob, atkPath("/certificates/", w.cert.ID), "/certificates/" + u},
		{"relief request", bob, atkPath("/relief/", w.relief.ID), "/relief/" + u},
		{"relief evidence", bob, atkPath("/relief/", w.relief.ID, "/documents/", w.reliefDoc.ID), atkPath("/relief/", u, "/documents/", w.reliefDoc.ID)},
		{"relief withdraw form", bob, atkPath("/relief/", w.relief.ID, "/withdraw"), atkPath("/relief/", u, "/withdraw")},
		{"leak report", bob, atkPath("/report/mine/", w.leak.ID), "/report/mine/" + u},
		{"query", unitB, atkPath("/queries/", w.query.ID), "/queries/" + u},
		{"query confirmation", unitB, atkPath("/queries/", w.query.ID, "/confirmation"), atkPath("/queries/", u, "/confirmation")},
		{"query result document", unitB, atkPath("/queries/", w.query.ID, "/documents/", docA), atkPath("/queries/", u, "/documents/", docA)},
	}
	for _, pr := range probes {
		foreign, unknown := pr.c.get(pr.foreign), pr.c.get(pr.unknown)
		if foreign.status != http.StatusNotFound || unknown.status != http.StatusNotFound {
			t.Errorf("%s: %s answered %d, unknown %s answered %d; want 404 for both", pr.who, pr.foreign, foreign.status, pr.unknown, unknown.status)
			continue
		}
		if a, b := atkComparable(foreign), atkComparable(unknown); a != b {
			t.Errorf("%s: another's %s and unknown %s differ:\n%s\n%s", pr.who, pr.foreign, pr.unknown, a, b)
		}
		if cd := foreign.header.Get("Content-Disposition"); cd != "" {
			t.Errorf("%s: %s sent a file (%s)", pr.who, pr.foreign, cd)
		}
	}

	// Writing to another's case is refused the same way, and writes nothing.
	before, _ := w.db.Messages(caseA)
	token := bob.get("/cases").csrf(t)
	foreign := bob.post(atkPath("/cases/", caseA, "/messages"), url.Values{csrfField: {token}, "text": {"冒充的留言"}})
	unknown := bob.post("/cases/"+u+"/messages", url.Values{csrfField: {token}, "text": {"冒充的留言"}})
	if foreign.status != http.StatusNotFound || atkComparable(foreign) != atkComparable(unknown) {
		t.Errorf("message to another's case: %d, unknown %d\n%s\n%s", foreign.status, unknown.status, atkComparable(foreign), atkComparable(unknown))
	}
	if after, _ := w.db.Messages(caseA); len(after) != len(before) {
		t.Errorf("Bob's message was stored on Alice's case (%d -> %d messages)", len(before), len(after))
	}
	foreign = bob.post(atkPath("/relief/", w.relief.ID, "/withdraw"), url.Values{csrfField: {token}})
	unknown = bob.post("/relief/"+u+"/withdraw", url.Values{csrfField: {token}})
	if foreign.status != http.StatusNotFound || atkComparable(foreign) != atkComparable(unknown) {
		t.Errorf("withdrawing another's relief request: %d, unknown %d", foreign.status, unknown.status)
	}
	if r, _ := w.db.Relief(w.relief.ID); r.Status != w.relief.Status {
		t.Errorf("Bob changed Alice's relief request: %s -> %s", w.relief.Status, r.Status)
	}

	// By reference: an official of another court searching Alice's reference
	// learns what a made-up reference tells.
	judgeB := w.as(t, w.otherJudge)
	made := "FC-2026-999999"
	foreign, unknown = judgeB.get("/staff?ref="+url.QueryEscape(w.caseA.Ref)), judgeB.get("/staff?ref="+made)
	if foreign.status != unknown.status || atkComparable(foreign, w.caseA.Ref) != atkComparable(unknown, made) {
		t.Errorf("reference search by another court: %d vs %d\n%s\n%s", foreign.status, unknown.status,
			atkComparable(foreign, w.caseA.Ref), atkComparable(unknown, made))
	}
	if strings.Contains(foreign.text(), w.texts.name) || strings.Contains(foreign.text(), w.texts.caseNumber) {
		t.Error("the reference search showed Alice's case to another court")
	}

	// By tracking code: a well-formed code that is not Alice's and something
	// that cannot be a code get the same page.
	stranger := w.browser()
	tok := stranger.get("/track").csrf(t)
	wrong, junk := "ABCD-EFGH-JKMN-PQRS-TUVW", "not-a-code"
	if strings.EqualFold(strings.ReplaceAll(w.leakCode, "-", ""), strings.ReplaceAll(wrong, "-", "")) {
		wrong = "WVUT-SRQP-NMKJ-HGFE-DCBA"
	}
	a := stranger.post("/track", url.Values{csrfField: {tok}, "code": {wrong}})
	b := stranger.post("/track", url.Values{csrfField: {tok}, "code": {junk}})
	if a.status != b.status || atkComparable(a, wrong) != atkComparable(b, junk) {
		t.Errorf("tracking codes: %d vs %d\n%s\n%s", a.status, b.status, atkComparable(a, wrong), atkComparable(b, junk))
	}
	if strings.Contains(a.text(), w.texts.leakDisclosed) {
		t.Error("a wrong tracking code showed the report")
	}
}

// TestAttackCSRFEveryPostRoute walks the route table: every POST route, sent
// by a browser signed in with a role the route allows, is refused with 403
// when the token is missing, wrong, taken from another browser's session, or
// when the browser says the request comes from another site (even with the
// right token). Nothing in the database changes. A new POST route is covered
// as soon as it is in routes().
func TestAttackCSRFEveryPostRoute(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, atkPlainTexts())
	// One signed-in browser per role, with its token.
	accounts := map[portal.Role]portal.Account{portal.RoleMinor: w.alice, portal.RoleCourt: w.judge, portal.RolePolice: w.policeOfficer,
		portal.RoleSupervisor: w.sup, portal.RoleQueryingUnit: w.unitA}
	clients := map[portal.Role]*testClient{}
	tokens := map[portal.Role]string{}
	signIn := func(role portal.Role) *testClient {
		if c, ok := clients[role]; ok {
			return c
		}
		a, ok := accounts[role]
		if !ok {
			login := "csrf-" + string(role)
			if role.IsCitizen() {
				login = "1390000" + fmt.Sprintf("%04d", 2000+len(clients))
				a = w.citizen(role, login, "跨站测试", testIDNumber(atkNext()+500, portal.Date{Year: 2006, Month: 1, Day: 1}))
			} else {
				organ := w.court
				if role != portal.RoleSysadmin {
					o, err := w.db.EnsureOrgan(role, "跨站测试"+string(role))
					if err != nil {
						t.Fatal(err)
					}
					organ = o
				}
				a = w.official(role, login, organ)
				if role == portal.RoleSysadmin {
					a.OrganID, a.Organ = 0, ""
				}
			}
			accounts[role] = a
		}
		c := w.as(t, a)
		clients[role] = c
		tokens[role] = c.get("/account").csrf(t)
		return c
	}
	// A second browser of the same role: its token is valid, but for its own
	// cookie only.
	other := w.as(t, w.bob)
	otherToken := other.get("/account").csrf(t)

	type attempt struct {
		name   string
		token  func(role portal.Role) string
		header map[string]string
	}
	attempts := []attempt{
		{"no token", func(portal.Role) string { return "" }, nil},
		{"wrong token", func(portal.Role) string { return strings.Repeat("A", 43) }, nil},
		{"another session's token", func(portal.Role) string { return otherToken }, nil},
		{"cross-site with the right token", func(r portal.Role) string { return tokens[r] }, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"same-site sibling with the right token", func(r portal.Role) string { return tokens[r] }, map[string]string{"Sec-Fetch-Site": "same-site"}},
	}
	type target struct {
		r    route
		role portal.Role
	}
	var targets []target
	for _, r := range routes() {
		if r.method != http.MethodPost {
			continue
		}
		if strings.HasPrefix(r.path, "/api/v1/") {
			// The public JSON APIs read no cookie and change nothing (the
			// csrf middleware's isPublicAPI): there is no session to ride.
			continue
		}
		role := portal.RoleMinor
		if !r.access.public {
			role = r.access.roles[0]
		}
		signIn(role)
		targets = append(targets, target{r, role})
	}
	if len(targets) < 40 {
		t.Fatalf("only %d POST routes found", len(targets))
	}
	snapshot := atkSnapshot(t, w)
	tried := 0
	for _, tg := range targets {
		path := atkConcrete(w, tg.r.path)
		for _, at := range attempts {
			c := clients[tg.role]
			form := url.Values{"text": {"forged"}, "reason": {"forged"}, "note": {"forged"}, "code": {"ABCD"}}
			if tok := at.token(tg.role); tok != "" {
				form.Set(csrfField, tok)
			}
			for k, v := range at.header {
				c.header.Set(k, v)
			}
			p := c.do(http.MethodPost, path, form)
			for k := range at.header {
				c.header.Del(k)
			}
			tried++
			if p.status != http.StatusForbidden {
				t.Errorf("POST %s (%s, as %s): %d, want 403", path, at.name, tg.role, p.status)
			}
		}
	}
	if after := atkSnapshot(t, w); after != snapshot {
		t.Errorf("the database changed under forged requests:\n%s\n%s", snapshot, after)
	}
	t.Logf("CSRF: %d POST routes, %d forged requests, all refused", len(targets), tried)
}

// atkConcrete fills a route pattern's parameters with ids of Alice's things,
// so that a forged request would have had something to change.
func atkConcrete(w *atkWorld, pattern string) string {
	ids := map[string]string{":id": strconv.FormatUint(w.caseA.ID, 10), ":doc": strconv.FormatUint(w.caseA.Documents[0].ID, 10),
		":case": strconv.FormatUint(w.caseA.ID, 10), ":action": "accept"}
	switch {
	case strings.HasPrefix(pattern, "/relief/") || strings.HasPrefix(pattern, "/supervision/relief/"):
		ids[":id"] = strconv.FormatUint(w.relief.ID, 10)
	case strings.HasPrefix(pattern, "/queries/") || strings.HasPrefix(pattern, "/staff/queries/"):
		ids[":id"] = strconv.FormatUint(w.query.ID, 10)
	case strings.HasPrefix(pattern, "/supervision/leaks/"):
		ids[":id"] = strconv.FormatUint(w.leak.ID, 10)
	case strings.HasPrefix(pattern, "/staff/certificates/"):
		ids[":id"] = strconv.FormatUint(w.cert.ID, 10)
	}
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			if v, ok := ids[p]; ok {
				parts[i] = v
			} else {
				parts[i] = "1"
			}
		}
	}
	return strings.ReplaceAll(strings.Join(parts, "/"), "*", "x")
}

// atkSnapshot summarises what forged requests could change: the audit log's
// size and head (every state change is audited), Alice's case, messages,
// relief request, certificate, query and leak report, and the accounts'
// sessions are left out (signing in is not under attack here).
func atkSnapshot(t *testing.T, w *atkWorld) string {
	t.Helper()
	head, err := w.db.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := w.db.Case(w.caseA.ID)
	msgs, _ := w.db.Messages(w.caseA.ID)
	r, _ := w.db.Relief(w.relief.ID)
	l, _ := w.db.LeakByCode(w.leakCode)
	return fmt.Sprintf("audit %d %x | case %s %d docs %d msgs | relief %s | leak %s", head.N, head.Hash[:6], cs.Status, len(cs.Documents), len(msgs), r.Status, l.Status)
}

// atkPayloads are the stored-XSS payloads: a script element, an attribute
// breakout with an event handler, a javascript: URL and template syntax.
var atkPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
	`{{7*7}}`,
}

// atkScriptProblems lists how a page carries a payload as markup: an
// unescaped script element or img, an event handler attribute inside a tag,
// or a javascript: URL in an attribute that navigates.
func atkScriptProblems(body string) []string {
	var out []string
	low := strings.ToLower(body)
	for _, bad := range []string{"<script>alert(1)", `<img src=x onerror`, `"><img`} {
		if strings.Contains(low, bad) {
			out = append(out, fmt.Sprintf("unescaped %q", bad))
		}
	}
	// Attributes as a browser parses them: an event handler, or a URL
	// attribute whose value is a javascript: URL.
	z := xhtml.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		for _, a := range tok.Attr {
			key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(key, "on") {
				out = append(out, fmt.Sprintf("event handler %s=%q on <%s>", a.Key, a.Val, tok.Data))
			}
			switch key {
			case "href", "src", "action", "formaction", "xlink:href":
				if strings.HasPrefix(val, "javascript:") {
					out = append(out, fmt.Sprintf("javascript: URL in %s of <%s>", a.Key, tok.Data))
				}
			}
		}
	}
	return out
}

func atkNoScript(t *testing.T, where string, body string) {
	t.Helper()
	for _, p := range atkScriptProblems(body) {
		t.Errorf("%s: %s", where, p)
	}
}

// TestAttackXSSDetector shows that the detector the XSS test relies on sees
// each payload when a page does render it as markup, and stays quiet on the
// escaped forms.
func TestAttackXSSDetector(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`<p>name:<script>alert(1)</script></p>`, `<input value=""><img src=x onerror=alert(1)>">`,
		`<a href="javascript:alert(1)">x</a>`, `<div title="x" onmouseover="alert(1)">`} {
		if len(atkScriptProblems(raw)) == 0 {
			t.Errorf("detector missed %q", raw)
		}
	}
	for _, payload := range atkPayloads {
		escaped := `<p>name:` + html.EscapeString(payload) + `</p><input value="` + html.EscapeString(payload) + `">`
		if p := atkScriptProblems(escaped); len(p) != 0 {
			t.Errorf("detector flags the escaped %q: %v", payload, p)
		}
	}
}

// TestAttackStoredXSS writes each payload into every free text a user can
// submit (through the forms where the form is cheap to drive: registration,
// messages of the citizen and the official, a staff decision's note; through
// the store as the forms would for the rest: application, relief, leak and
// query texts, upload file names) and opens every page that shows them, as
// the author, the organ's official and the supervisor. No page carries the
// payload as markup, and the text shows as typed (escaped in the HTML).
func TestAttackStoredXSS(t *testing.T) {
	t.Parallel()
	total := 0
	for i, payload := range atkPayloads {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			texts := atkTexts{}
			mark := func(field string) string { return field + ":" + payload }
			texts = atkTexts{name: mark("name"), caseNumber: mark("case"), note: mark("note"), message: mark("msg"),
				attachmentName: mark("att") + ".png", reliefName: mark("rname"), reliefUnit: mark("runit"),
				reliefDescription: mark("rdesc"), evidenceName: mark("ev") + ".png", leakDetail: mark("ldetail"),
				leakDisclosed: mark("ldisc"), leakSource: mark("lsrc"), leakContactName: mark("lcname"), leakContact: mark("lcontact"),
				queryReason: mark("qreason"), queryPurpose: mark("qpurpose"), queryLawName: mark("qlaw"), queryLawArticle: mark("qart"),
				queryCase: mark("qcase"), queryRefusal: mark("qrefuse")}
			w := newAttackWorld(t, texts)

			// Through the forms: a registration, a citizen's message, an
			// official's message and decision note.
			visitor := w.browser()
			visitor.register(portal.RoleGuardian, mark("regname"), "13900003001", testIDNumber(atkNext(), portal.Date{Year: 1980, Month: 1, Day: 1}),
				"a long passphrase for xss").wantStatus(t, http.StatusOK)
			alice := w.as(t, w.alice)
			cp := alice.get(atkPath("/cases/", w.caseA.ID))
			casesMultipart(t, alice, atkPath("/cases/", w.caseA.ID, "/messages"), cp.csrf(t), map[string]string{"text": mark("formmsg")}, "", nil)
			judge := w.as(t, w.judge)
			sp := judge.get(atkPath("/staff/cases/", w.caseA.ID))
			casesMultipart(t, judge, atkPath("/staff/cases/", w.caseA.ID, "/messages"), sp.csrf(t), map[string]string{"text": mark("staffmsg")}, "", nil)

			type view struct {
				who  string
				c    *testClient
				path string
			}
			sup := w.as(t, w.sup)
			police := w.as(t, w.policeOfficer)
			unitA := w.as(t, w.unitA)
			reg := w.browser()
			reg.login("13900003001", "a long passphrase for xss")
			views := []view{
				{"applicant", reg, "/account"},
				{"applicant", alice, "/account"},
				{"applicant", alice, "/cases"},
				{"applicant", alice, atkPath("/cases/", w.caseA.ID)},
				{"applicant", alice, "/notifications"},
				{"applicant", alice, "/certificates"},
				{"applicant", alice, atkPath("/certificates/", w.cert.ID)},
				{"applicant", alice, "/relief"},
				{"applicant", alice, atkPath("/relief/", w.relief.ID)},
				{"applicant", alice, "/report/mine"},
				{"applicant", alice, atkPath("/report/mine/", w.leak.ID)},
				{"official", judge, "/staff"},
				{"official", judge, atkPath("/staff/cases/", w.caseA.ID)},
				{"official", judge, "/staff/queries"},
				{"official", judge, atkPath("/staff/queries/", w.query.ID)},
				{"official", police, "/staff/certificates"},
				{"supervisor", sup, "/supervision"},
				{"supervisor", sup, atkPath("/staff/cases/", w.caseA.ID)},
				{"supervisor", sup, atkPath("/supervision/relief/", w.relief.ID)},
				{"supervisor", sup, atkPath("/supervision/leaks/", w.leak.ID)},
				{"querying unit", unitA, "/queries"},
				{"querying unit", unitA, atkPath("/queries/", w.query.ID)},
			}
			shown := map[string]int{} // field -> pages that show it
			for _, v := range views {
				p := v.c.get(v.path)
				where := v.who + " " + v.path
				if p.status != http.StatusOK {
					t.Errorf("%s: status %d\n%s", where, p.status, excerpt(p))
					continue
				}
				atkNoScript(t, where, p.body)
				// Each field shown on the page is shown escaped, as typed.
				for _, field := range atkFieldNames {
					raw := field + ":" + payload
					if strings.Contains(p.text(), raw) {
						// Shown as typed means escaped in the HTML: the
						// text a person reads is the payload, the markup is not.
						if !strings.Contains(p.body, html.EscapeString(raw)) {
							t.Errorf("%s: %s is shown but not in its escaped form %q", where, field, html.EscapeString(raw))
						}
						shown[field]++
						total++
					}
				}
			}
			// The fields every role reads somewhere must have been seen at
			// least once, or the test proves nothing about them.
			for _, field := range []string{"regname", "name", "msg", "formmsg", "staffmsg", "note", "rdesc", "runit", "ldisc", "qreason", "qrefuse", "att", "ev"} {
				if shown[field] == 0 {
					t.Errorf("no page showed the %s field", field)
				}
			}
			keys := make([]string, 0, len(shown))
			for k := range shown {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var summary []string
			for _, k := range keys {
				summary = append(summary, fmt.Sprintf("%s×%d", k, shown[k]))
			}
			t.Logf("payload %q: %d pages, fields×pages shown: %s", payload, len(views), strings.Join(summary, " "))
		})
	}
	t.Logf("stored XSS: %d (field, page) pairs rendered across %d payloads", total, len(atkPayloads))
}

// atkFieldNames are the marks of every free text the XSS test writes.
var atkFieldNames = []string{"regname", "name", "case", "note", "msg", "formmsg", "staffmsg", "att", "rname", "runit", "rdesc", "ev",
	"ldetail", "ldisc", "lsrc", "lcname", "lcontact", "qreason", "qpurpose", "qlaw", "qart", "qcase", "qrefuse"}

// TestAttackFilenameHeaderInjection uploads files whose names carry CR LF, a
// Set-Cookie line and quotes (raw in the part header, and RFC 2231-encoded in
// filename*) and downloads them: the response is an attachment and carries
// no header the name tried to add.
func TestAttackFilenameHeaderInjection(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, atkPlainTexts())
	alice := w.as(t, w.alice)
	caseID := w.caseA.ID
	names := []string{
		"x.png\r\nSet-Cookie: injected=1\r\nX-Injected: 1",
		`a".png"; filename="evil.html`,
	}
	encoded := []string{
		"x.png%0D%0ASet-Cookie%3A%20injected%3D1%0D%0AX-Injected%3A%201",
		"%22%3E%0D%0A%0D%0A%3Cscript%3Ealert%281%29%3C%2Fscript%3E.png",
	}
	png := atkPNG(t)
	var dispositions []string
	var statuses []int
	for i := range len(names) + len(encoded) {
		token := alice.get(atkPath("/cases/", caseID)).csrf(t)
		var body bytes.Buffer
		boundary := "atkboundary" + strconv.Itoa(i)
		fmt.Fprintf(&body, "--%s\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n%s\r\n", boundary, token)
		fmt.Fprintf(&body, "--%s\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nsee attachment %d\r\n", boundary, i)
		if i < len(names) {
			// A client that does not escape: the name's quote and line
			// breaks go into the part header as they are.
			fmt.Fprintf(&body, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\nContent-Type: image/png\r\n\r\n", boundary, names[i])
		} else {
			fmt.Fprintf(&body, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''%s\r\nContent-Type: image/png\r\n\r\n", boundary, encoded[i-len(names)])
		}
		body.Write(png)
		fmt.Fprintf(&body, "\r\n--%s--\r\n", boundary)
		p := alice.followForm(http.MethodPost, atkPath("/cases/", caseID, "/messages"),
			&encodedForm{body: body.Bytes(), contentType: "multipart/form-data; boundary=" + boundary})
		if p.status >= 500 {
			t.Fatalf("upload %d: %d\n%s", i, p.status, excerpt(p))
		}
		statuses = append(statuses, p.status)
	}
	msgs, err := w.db.Messages(caseID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		for _, d := range m.Documents {
			if d.ID == w.msgDoc.ID {
				continue
			}
			n++
			p := alice.get(atkPath("/cases/", caseID, "/documents/", d.ID))
			if p.status != http.StatusOK {
				t.Errorf("download of %q: %d", d.Name, p.status)
				continue
			}
			cd := p.header.Get("Content-Disposition")
			dispositions = append(dispositions, cd)
			if !strings.HasPrefix(strings.TrimSpace(cd), "attachment") {
				t.Errorf("download of %q: Content-Disposition %q is not an attachment", d.Name, cd)
			}
			if strings.ContainsAny(cd, "\r\n") {
				t.Errorf("download of %q: line break in Content-Disposition %q", d.Name, cd)
			}
			if p.header.Get("X-Injected") != "" {
				t.Errorf("download of %q: injected header X-Injected", d.Name)
			}
			for _, ck := range p.first.Cookies() {
				if ck.Name == "injected" {
					t.Errorf("download of %q: injected cookie", d.Name)
				}
			}
			for _, sc := range p.first.Header.Values("Set-Cookie") {
				if strings.Contains(sc, "injected") {
					t.Errorf("download of %q: Set-Cookie %q", d.Name, sc)
				}
			}
		}
	}
	// A name that breaks the part header (a raw line break, a stray quote)
	// leaves no file part at all, so the message is stored without one;
	// filename* decodes to the hostile name, which must then be stored and
	// served safely.
	if n < len(encoded) {
		t.Fatalf("only %d of the %d RFC 2231 hostile names were stored (upload statuses %v)", n, len(encoded), statuses)
	}
	t.Logf("header injection: %d uploads (statuses %v), %d stored and downloaded: %q", len(names)+len(encoded), statuses, n, dispositions)
}

// TestAttackSessionFixation: a session id planted in the browser before
// sign-in is not the one after; a cookie copied before logout is worthless
// after it; and a cookie copied before a password change is worthless after
// it.
func TestAttackSessionFixation(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, atkPlainTexts())
	name := w.sessionCookie()

	t.Run("planted id", func(t *testing.T) {
		c := w.browser()
		planted := strings.Repeat("P", 43)
		c.setCookie(name, planted)
		c.login(w.alice.Login, casesPassword).wantPath(t, "/cases")
		if got := c.cookie(name); got == "" || got == planted {
			t.Fatalf("session cookie after login %q (planted %q)", got, planted)
		}
		// The visitor's own earlier session (an id the server issued) is
		// replaced too.
		c2 := w.browser()
		c2.login(w.bob.Login, casesPassword).wantPath(t, "/cases")
		before := c2.cookie(name)
		c2.login(w.bob.Login, casesPassword).wantPath(t, "/cases")
		if after := c2.cookie(name); after == before {
			t.Fatal("signing in again kept the session id")
		}
		thief := w.browser()
		thief.setCookie(name, before)
		thief.get("/account").wantPath(t, "/login")
	})
	t.Run("after logout", func(t *testing.T) {
		c := w.as(t, w.alice)
		stolen := c.cookie(name)
		c.logout()
		thief := w.browser()
		thief.setCookie(name, stolen)
		p := thief.get("/account").wantPath(t, "/login")
		p.noText(t, w.texts.name)
		thief.get(atkPath("/cases/", w.caseA.ID)).wantPath(t, "/login")
	})
	t.Run("after password change", func(t *testing.T) {
		carol := w.citizen(portal.RoleMinor, "13900001009", "钱小红", testIDNumber(atkNext(), portal.Date{Year: 2007, Month: 2, Day: 2}))
		c := w.as(t, carol)
		elsewhere := w.as(t, carol)
		stolen := c.cookie(name)
		c.changePassword(casesPassword, "a brand new passphrase for carol").wantPath(t, "/account")
		thief := w.browser()
		thief.setCookie(name, stolen)
		thief.get("/account").wantPath(t, "/login")
		elsewhere.get("/account").wantPath(t, "/login")
		c.get("/account").wantPath(t, "/account")
	})
}

// TestAttackLoginEnumeration: an unknown login and a known login with a
// wrong password get the same status and the same page (request ids and the
// login typed aside, which the form shows back).
func TestAttackLoginEnumeration(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, atkPlainTexts())
	for _, lang := range []string{"en", "zh-CN"} {
		c := w.browser()
		c.setLang(lang)
		known := c.login(w.alice.Login, "not the password at all")
		unknownLogin := "13900009999"
		unknown := c.login(unknownLogin, "not the password at all")
		if known.status != unknown.status || known.status == http.StatusOK && known.url.Path != "/login" {
			t.Fatalf("%s: known %d, unknown %d", lang, known.status, unknown.status)
		}
		if a, b := atkComparable(known, w.alice.Login), atkComparable(unknown, unknownLogin); a != b {
			t.Fatalf("%s: the pages differ:\n%s\n%s", lang, a, b)
		}
		staffKnown := c.login(w.judge.Login, "not the password at all")
		staffUnknown := c.login("judge-nobody", "not the password at all")
		if a, b := atkComparable(staffKnown, w.judge.Login), atkComparable(staffUnknown, "judge-nobody"); a != b || staffKnown.status != staffUnknown.status {
			t.Fatalf("%s: the staff pages differ:\n%s\n%s", lang, a, b)
		}
	}
}

// TestAttackLoginTiming measures 15 failed logins for an unknown login and
// 15 for a known login with a wrong password, interleaved, with the real
// argon2 parameters the tests use (portal.MinimumArgon2), and compares the
// medians: their ratio must lie within [0.5, 2].
//
// This is not a performance test and is robust on a loaded machine: it does
// not compare against a time budget, only the two kinds of attempt against
// each other, run alternately in the same moment so that load hits both
// alike; medians ignore the odd stall; and the bound is a factor of two,
// while the leak it guards against (an unknown login skipping the hash) is a
// factor of ten or more, since the hash dominates a login's cost.
func TestAttackLoginTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing needs 30 hashes")
	}
	w := newAttackWorld(t, atkPlainTexts())
	c := w.browser()
	token := c.get("/login").csrf(t)
	const n = 15
	var known, unknown []time.Duration
	attempt := func(login string) time.Duration {
		start := time.Now()
		p := c.do(http.MethodPost, "/login", url.Values{csrfField: {token}, "login": {login}, "password": {"wrong passphrase " + login}})
		d := time.Since(start)
		p = followFormAnswer(c, p)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("login %s: %d", login, p.status)
		}
		return d
	}
	attempt(w.bob.Login) // warm up (the first request builds caches)
	for i := range n {
		// A fresh known account for every attempt keeps the lockout (which
		// changes the path taken) out of the measurement.
		acct := w.citizen(portal.RoleMinor, fmt.Sprintf("1390000%04d", 4000+i), "计时", testIDNumber(atkNext(), portal.Date{Year: 2007, Month: 1, Day: 1}))
		unknown = append(unknown, attempt(fmt.Sprintf("1390000%04d", 6000+i)))
		known = append(known, attempt(acct.Login))
	}
	mk, mu := atkMedian(known), atkMedian(unknown)
	ratio := float64(mu) / float64(mk)
	t.Logf("login timing: known login, wrong password median %v; unknown login median %v; ratio %.2f", mk, mu, ratio)
	if ratio < 0.5 || ratio > 2 {
		t.Fatalf("unknown/known login time ratio %.2f outside [0.5, 2] (known %v, unknown %v)", ratio, known, unknown)
	}
}

func atkMedian(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestAttackOversizedBodies: a body above the limit is refused with 413 and
// a page that says so, on a form and on the JSON API.
func TestAttackOversizedBodies(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(c *Config) { c.BodyLimit = "64K" })
	c := ts.newClient()
	c.setLang("en")
	token := c.get("/login").csrf(t)
	big := strings.Repeat("x", 80<<10)
	p := c.do(http.MethodPost, "/login", url.Values{csrfField: {token}, "login": {big}, "password": {"x"}})
	if p.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized form: %d, want 413", p.status)
	}
	if msg, ok := p.testid("error-message"); !ok || msg == "" {
		t.Fatalf("oversized form: no clear message\n%s", excerpt(p))
	}
	p = c.send(http.MethodPost, "/api/v1/eligibility", &encodedForm{body: []byte(`{"birth_date":"` + big + `"}`), contentType: "application/json"})
	if p.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized JSON: %d, want 413", p.status)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(p.body), &e); err != nil || e.Error.Code != "too_large" || e.Error.Message == "" {
		t.Fatalf("oversized JSON answer %q (%v)", p.body, err)
	}
}

// TestAttackHostileJSON sends the eligibility API what breaks naive
// decoders: nesting 10 000 deep, unknown fields, duplicate keys, huge
// numbers. Each is a quick 400 (or a decision for the harmless ones), never a
// crash or a 500.
func TestAttackHostileJSON(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	valid := `"birth_date":"2005-06-10","acts":[{"date":"2023-06-10","main":true}],"disposition":"sentenced","penalty":{"kind":"fixed_term","months":60,"days":0,"suspended":false}`
	cases := []struct {
		name string
		body string
		want []int
	}{
		{"arrays 10000 deep", strings.Repeat("[", 10000) + strings.Repeat("]", 10000), []int{400}},
		{"objects 10000 deep", strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000), []int{400}},
		{"deep inside a field", `{"birth_date":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, []int{400}},
		{"unclosed nesting", strings.Repeat("[{\"a\":", 5000), []int{400}},
		{"unknown field", `{` + valid + `,"admin":true}`, []int{200, 400}},
		{"duplicate key", `{` + valid + `,"birth_date":"1990-01-01"}`, []int{200, 400}},
		{"huge number", `{` + strings.Replace(valid, `"months":60`, `"months":1`+strings.Repeat("0", 400), 1) + `}`, []int{400}},
		{"huge exponent", `{` + strings.Replace(valid, `"months":60`, `"months":1e999999999`, 1) + `}`, []int{400}},
		{"negative zero and fraction", `{` + strings.Replace(valid, `"months":60`, `"months":-0.5`, 1) + `}`, []int{400}},
		{"NUL and bad UTF-8", "{\"birth_date\":\"\x00\xff\"}", []int{400}},
	}
	for _, tc := range cases {
		start := time.Now()
		r := chkPost(t, ts.echo, "/api/v1/eligibility", tc.body)
		took := time.Since(start)
		if !slices.Contains(tc.want, r.status) {
			t.Errorf("%s: status %d, want %v: %s", tc.name, r.status, tc.want, atkTrim(r.raw))
		}
		if took > 2*time.Second {
			t.Errorf("%s: took %v", tc.name, took)
		}
		if r.status == 400 && !strings.Contains(r.raw, `"code":"invalid"`) {
			t.Errorf("%s: 400 without the invalid code: %s", tc.name, atkTrim(r.raw))
		}
	}
}

func atkTrim(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// atkLog is a concurrency-safe buffer for the server's slog output.
type atkLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *atkLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *atkLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestAttackLogsHoldNoPersonalData runs a citizen's whole journey with the
// server logging at debug level into a buffer (register, sign in, apply,
// upload, send, write a message, report a leak and track it) and then looks
// for every personal datum used in the log bytes: names, identity numbers,
// mobile numbers, the tracking code, document contents and file names.
func TestAttackLogsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	var logs atkLog
	ts := newTestServer(t, func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ts.clock.mu.Lock()
	ts.clock.now = applyEpoch
	ts.clock.mu.Unlock()
	var o applyOrgansT
	for _, x := range []struct {
		dst  *portal.Organ
		kind portal.Role
		name string
	}{{&o.court, portal.RoleCourt, "日志市人民法院"}, {&o.procuratorate, portal.RoleProcuratorate, "日志市人民检察院"},
		{&o.police, portal.RolePolice, "日志市公安局"}, {&o.judicial, portal.RoleJudicialAdmin, "日志市司法局"}} {
		org, err := ts.db.EnsureOrgan(x.kind, x.name)
		if err != nil {
			t.Fatal(err)
		}
		*x.dst = org
	}
	name, mobile := "欧阳秘密", "13912345678"
	person, personID := "上官秘密", testIDNumber(9001, portal.Date{Year: 2012, Month: 8, Day: 8})
	ownID := testIDNumber(9002, portal.Date{Year: 1980, Month: 8, Day: 8})
	pw := "a secret passphrase for logs"
	docSecret := "secret-document-content-7f3a"
	fileName := "隐私文件名.pdf"
	msgText := "留言里的隐私内容"
	leakText := "泄露内容的隐私描述"

	c := ts.newClient()
	c.setLang("en")
	c.register(portal.RoleGuardian, name, mobile, ownID, pw).wantStatus(t, http.StatusOK)
	c.login(mobile, pw).wantPath(t, "/cases")
	id := applyStartDraft(t, c)
	// The sections as applyComplete fills them, with files that pass the
	// upload checks; the judgment carries the secret text.
	applyFillPerson(t, c, id, person, personID).wantPath(t, applyP(id, ""))
	c.submit(applyP(id, "case"), applyP(id, "case"), applyCaseForm(o.court.ID)).wantPath(t, applyP(id, ""))
	applyFillOrgans(t, c, id, o.court, o.procuratorate, o.police).wantPath(t, applyP(id, ""))
	applyUpload(t, c, id, "judgment", fileName, atkPDF(docSecret)).wantPath(t, applyP(id, "documents"))
	applyUpload(t, c, id, "identity", "id.png", atkPNG(t)).wantPath(t, applyP(id, "documents"))
	applyUpload(t, c, id, string(portal.DocGuardianship), "proof.png", atkPNG(t)).wantPath(t, applyP(id, "documents"))
	applyDeclare(t, c, id).wantPath(t, applyP(id, ""))
	applySubmit(t, c, id)
	cp := c.get(atkPath("/cases/", id))
	casesMultipart(t, c, atkPath("/cases/", id, "/messages"), cp.csrf(t), map[string]string{"text": msgText}, "", nil)

	// A leak report about the person, then tracking it with its code.
	lc := ts.newClient()
	form := leakReportForm(lc.get("/report").wantStatus(t, http.StatusOK).csrf(t))
	form.Set("disclosed", leakText)
	form.Set("person_id_number", personID)
	form.Set("contact_name", name)
	form.Set("contact", mobile)
	code, _ := leakFile(t, lc, form, nil)
	leakTrack(t, lc, code).wantStatus(t, http.StatusOK)
	// A failed login with the identity number typed as the login.
	ts.newClient().login(personID, "wrong")

	out := logs.String()
	if !strings.Contains(out, `"msg":"request"`) {
		t.Fatalf("the log captured nothing: %q", atkTrim(out))
	}
	secrets := map[string]string{"name": name, "mobile": mobile, "mobile (masked middle)": mobile[3:7] + mobile[7:],
		"person": person, "identity number": personID, "own identity number": ownID, "password": pw,
		"document content": docSecret, "file name": fileName, "message": msgText, "leak text": leakText}
	secrets["tracking code"] = code
	secrets["tracking code (compact)"] = strings.ReplaceAll(code, "-", "")
	for what, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the log contains the %s (%q)", what, s)
		}
		if esc, _ := json.Marshal(s); strings.Contains(out, strings.Trim(string(esc), `"`)) && string(esc) != `"`+s+`"` {
			t.Errorf("the log contains the %s, JSON-escaped", what)
		}
	}
	t.Logf("log checked: %d bytes, %d lines, %d personal data looked for", len(out), strings.Count(out, "\n"), len(secrets))
}
