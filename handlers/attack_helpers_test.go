package handlers

// The fixtures of the attack tests (attack_test.go): one portal holding, for
// a citizen Alice, a sealed case with documents and a message with an
// attachment, a certificate request, a sent relief request with evidence and
// a sent leak report linked to her account, and a query by a querying unit
// about her person; plus the accounts that attack them (Bob, another
// citizen; an official of another court; another querying unit). Every text
// Alice and the officials wrote can be set, so that the XSS test can fill
// them with payloads.

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"sealportal/portal"
	"sealportal/store"
)

// atkUnknownID is an id that reaches nothing in the attack portal.
const atkUnknownID = "987654321"

// atkTexts are the free texts the fixtures are written with.
type atkTexts struct {
	name, caseNumber, note, message, attachmentName                           string
	reliefName, reliefUnit, reliefDescription, evidenceName                   string
	leakDetail, leakDisclosed, leakSource, leakContactName, leakContact, leak string
	queryReason, queryPurpose, queryLawName, queryLawArticle, queryCase       string
	// queryRefusal, when set, is the reason the court refuses the query with.
	queryRefusal string
}

func atkPlainTexts() atkTexts {
	return atkTexts{name: "李小华", caseNumber: "(2023)演刑初字第1号", note: "材料齐全，予以受理", message: "请问何时封存？",
		attachmentName: "补充材料.png", reliefName: "李小华", reliefUnit: "某公司", reliefDescription: "因封存的记录被辞退",
		evidenceName: "辞退通知.png", leakDetail: "https://example.org/list", leakDisclosed: "判决书照片", leakSource: "某中学",
		leakContactName: "匿名举报人", leakContact: "13800000099", queryReason: "拟聘用为保育员",
		queryPurpose: "入职前查询，确认是否属于法律禁止从业的情形", queryLawName: "《中华人民共和国未成年人保护法》",
		queryLawArticle: "第六十二条", queryCase: "(2026)某检刑诉1号"}
}

// atkWorld is the attack portal.
type atkWorld struct {
	*casesWorld
	texts           atkTexts
	alice, bob      portal.Account
	aliceID         string // the identity number of Alice's person
	caseA           portal.Case
	msgDoc          portal.Document
	cert            portal.Certificate
	relief          portal.ReliefRequest
	reliefDoc       portal.Document
	leak            portal.LeakReport
	leakCode        string
	unitA, unitB    portal.Account
	query           portal.Query
	otherJudge, sup portal.Account
	courtB          portal.Organ
	supOrgan        portal.Organ
	policeOfficer   portal.Account
	nextAddr        int
}

// atkSeq numbers the synthetic identity numbers of the attack tests; they run
// in parallel, so it is atomic.
var atkSeq = func() *atomic.Uint64 { var n atomic.Uint64; n.Store(8100); return &n }()

// atkNext is the next number of atkSeq.
func atkNext() uint64 { return atkSeq.Add(1) }

// newAttackWorld builds the portal with every fixture written with texts.
// Each browser gets its own client address from a trusted loopback proxy, so
// the per-address limits never decide a test.
func newAttackWorld(t *testing.T, texts atkTexts) *atkWorld {
	t.Helper()
	_, loop, _ := net.ParseCIDR("127.0.0.0/8")
	ts := newTestServer(t, func(c *Config) {
		c.TrustedProxies = []*net.IPNet{loop}
		c.LoginRate = 1000
	})
	cw := &casesWorld{testServer: ts, cal: portal.DefaultCalendar()}
	var err error
	if cw.court, err = ts.db.EnsureOrgan(portal.RoleCourt, "演示市人民法院"); err != nil {
		t.Fatal(err)
	}
	if cw.police, err = ts.db.EnsureOrgan(portal.RolePolice, "演示市公安局"); err != nil {
		t.Fatal(err)
	}
	w := &atkWorld{casesWorld: cw, texts: texts}
	w.judge = w.official(portal.RoleCourt, "judge1", cw.court)
	w.policeOfficer = w.official(portal.RolePolice, "police1", cw.police)
	w.courtB, _ = ts.db.EnsureOrgan(portal.RoleCourt, "另一市人民法院")
	w.otherJudge = w.official(portal.RoleCourt, "judge-b", w.courtB)
	w.supOrgan, _ = ts.db.EnsureOrgan(portal.RoleSupervisor, "演示省人民检察院")
	w.sup = w.official(portal.RoleSupervisor, "sup1", w.supOrgan)

	w.aliceID = testIDNumber(atkNext(), portal.Date{Year: 2007, Month: 5, Day: 1})
	w.alice = w.citizen(portal.RoleMinor, "13900001001", texts.name, w.aliceID)
	w.bob = w.citizen(portal.RoleMinor, "13900001002", "赵小明", testIDNumber(atkNext(), portal.Date{Year: 2007, Month: 6, Day: 1}))

	// Alice's case: her texts, sealed by the court with a note, a message
	// with an attachment.
	c := w.draft(w.alice, texts.name, w.aliceID)
	if _, err := ts.db.UpdateDraft(c.ID, func(d *portal.Case) error { d.OrganCaseNumber = texts.caseNumber; return nil }); err != nil {
		t.Fatal(err)
	}
	c = w.submit(c, w.alice)
	w.staff(c.ID, portal.ActionAccept, portal.ActorDecider, w.court.ID, texts.note)
	w.staff(c.ID, portal.ActionStartReview, portal.ActorDecider, w.court.ID, texts.note)
	w.staff(c.ID, portal.ActionSeal, portal.ActorDecider, w.court.ID, texts.note)
	m, err := ts.db.AddMessage(portal.Message{CaseID: c.ID, From: w.alice.ID, FromRole: w.alice.Role, Text: texts.message,
		Documents: []portal.Document{{Name: texts.attachmentName, MediaType: portal.MediaPNG}}}, [][]byte{[]byte("\x89PNG\r\n\x1a\nattack")})
	if err != nil {
		t.Fatalf("message: %v", err)
	}
	w.msgDoc = m.Documents[0]
	if w.caseA, err = ts.db.Case(c.ID); err != nil {
		t.Fatal(err)
	}

	if w.cert, err = ts.db.RequestCertificate(portal.Certificate{PersonName: texts.name, PersonIDNumber: w.aliceID, RequestedBy: w.alice.ID,
		RequesterRole: w.alice.Role, Capacity: portal.CapacitySelf, PoliceOrganID: w.police.ID}, w.cal, "atk"); err != nil {
		t.Fatalf("certificate: %v", err)
	}

	r, err := ts.db.CreateReliefDraft(portal.ReliefRequest{Capacity: portal.CapacitySelf, PersonName: texts.reliefName, Kind: portal.ReliefJob,
		HappenedOn: portal.Date{Year: 2026, Month: 3, Day: 1}, UnitName: texts.reliefUnit, UnitKind: portal.UnitEmployer,
		Description: texts.reliefDescription, Remedies: []portal.ReliefRemedy{portal.RemedyReinstatement}, LinkedCaseID: c.ID}, w.alice.ID)
	if err != nil {
		t.Fatalf("relief: %v", err)
	}
	docs, err := ts.db.AddReliefDocuments(r.ID, w.alice.ID, []portal.Document{{Name: texts.evidenceName, MediaType: portal.MediaPNG}},
		[][]byte{[]byte("\x89PNG\r\n\x1a\nevidence")})
	if err != nil {
		t.Fatalf("relief evidence: %v", err)
	}
	w.reliefDoc = docs[0]
	if _, err = ts.db.ApplyRelief(r.ID, store.ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: w.alice.ID, Role: w.alice.Role}, w.cal); err != nil {
		t.Fatalf("relief submit: %v", err)
	}
	if w.relief, err = ts.db.Relief(r.ID); err != nil {
		t.Fatal(err)
	}

	token := mxTokenOf("alice-leak")
	if _, err := ts.db.SaveLeakDraft(token, portal.LeakReport{PlaceKind: portal.LeakPlaceWebsite, PlaceDetail: texts.leakDetail,
		SeenOn: portal.Date{Year: 2026, Month: 3, Day: 1}, Disclosed: texts.leakDisclosed, SourceKind: portal.LeakSourceUnit,
		SourceName: texts.leakSource, ContactName: texts.leakContactName, Contact: texts.leakContact, PersonIDNumber: w.aliceID,
		ReporterAccount: w.alice.ID}, []portal.Document{{Name: texts.attachmentName, MediaType: portal.MediaPNG}},
		[][]byte{[]byte("\x89PNG\r\n\x1a\nleak")}); err != nil {
		t.Fatalf("leak draft: %v", err)
	}
	if w.leak, w.leakCode, err = ts.db.SubmitLeakReport(token, w.cal, "atk"); err != nil {
		t.Fatalf("leak submit: %v", err)
	}

	w.unitA = w.unit("unit-a")
	w.unitB = w.unit("unit-b")
	if w.query, err = ts.db.CreateQuery(portal.Query{PersonIDNumber: w.aliceID, Reason: texts.queryReason,
		Basis:           portal.LegalBasis{Kind: portal.BasisKind("law"), Name: texts.queryLawName, Article: texts.queryLawArticle},
		PurposeCategory: portal.QueryPurpose("employment"), Purpose: texts.queryPurpose, CaseNumber: texts.queryCase,
		Requested: portal.QueryScope{Kind: portal.ScopeDocuments, Documents: []portal.DocumentKind{portal.DocJudgment}}}, w.unitA, w.cal, "atk"); err != nil {
		t.Fatalf("query: %v", err)
	}
	if texts.queryRefusal != "" {
		if w.query, err = ts.db.DecideQuery(w.query.ID, portal.QueryDecision{Reason: texts.queryRefusal}, w.judge, "atk"); err != nil {
			t.Fatalf("refuse query: %v", err)
		}
	}
	return w
}

// mxTokenOf is a leak draft token of the cookie's shape (43 characters).
func mxTokenOf(name string) string {
	const pad = "0123456789012345678901234567890123456789012"
	return (name + "-" + pad)[:43]
}

// official stores an official of organ o.
func (w *atkWorld) official(role portal.Role, login string, o portal.Organ) portal.Account {
	w.t.Helper()
	a, err := w.db.CreateAccount(portal.Account{Role: role, Login: login, Name: "工作人员" + login, Organ: o.Name, OrganID: o.ID,
		PasswordHash: hashFor(w.t, casesPassword)}, 0)
	if err != nil {
		w.t.Fatalf("official %s: %v", login, err)
	}
	return a
}

// unit stores a querying unit (one under a state regulation, R15(b)).
func (w *atkWorld) unit(login string) portal.Account {
	w.t.Helper()
	a, err := w.db.CreateAccount(portal.Account{Role: portal.RoleQueryingUnit, Login: login, Name: "查询人" + login,
		Organ: "查询单位" + login, UnitKind: string(portal.QueryUnitRegulated), PasswordHash: hashFor(w.t, casesPassword)}, 0)
	if err != nil {
		w.t.Fatalf("unit %s: %v", login, err)
	}
	return a
}

// browser is a new client with its own client address and English pages.
func (w *atkWorld) browser() *testClient {
	w.nextAddr++
	c := w.newClient()
	c.setLang("en")
	c.header.Set("X-Forwarded-For", "203.0.113."+strconv.Itoa(w.nextAddr%250+1))
	return c
}

// as signs a new browser in as the account.
func (w *atkWorld) as(t *testing.T, a portal.Account) *testClient {
	t.Helper()
	c := w.browser()
	p := c.login(a.Login, casesPassword)
	if p.status != 200 || p.url.Path == "/login" {
		t.Fatalf("sign in %s: ended at %s with %d\n%s", a.Login, p.url.RequestURI(), p.status, excerpt(p))
	}
	return c
}

func atkPath(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		switch v := p.(type) {
		case uint64:
			b.WriteString(strconv.FormatUint(v, 10))
		default:
			b.WriteString(p.(string))
		}
	}
	return b.String()
}

// atkComparable is what a person sees of a page, without the request id (the
// one thing that differs between any two answers) and without the given
// strings (what the attacker typed, shown back to him).
func atkComparable(p *testPage, typed ...string) string {
	s := p.text()
	if id := p.header.Get("X-Request-Id"); id != "" {
		s = strings.ReplaceAll(s, id, "<request-id>")
	}
	for _, x := range typed {
		if x != "" {
			s = strings.ReplaceAll(s, x, "<typed>")
		}
	}
	return s
}

// atkPNG is a real one-pixel PNG, so that upload checks that decode images
// let it through.
func atkPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// atkPDF is a small well-formed PDF (cross-reference offsets right) whose one
// page shows text, so that upload checks that parse PDFs let it through.
func atkPDF(text string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	stream := "BT /F1 12 Tf 10 100 Td (" + text + ") Tj ET"
	objs[3] = "<< /Length " + strconv.Itoa(len(stream)) + " >>\nstream\n" + stream + "\nendstream"
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		b.WriteString(strconv.Itoa(i+1) + " 0 obj\n" + o + "\nendobj\n")
	}
	xref := b.Len()
	b.WriteString("xref\n0 " + strconv.Itoa(len(objs)+1) + "\n0000000000 65535 f \n")
	for _, off := range offsets {
		b.WriteString(fmt.Sprintf("%010d 00000 n \n", off))
	}
	b.WriteString("trailer\n<< /Size " + strconv.Itoa(len(objs)+1) + " /Root 1 0 R >>\nstartxref\n" + strconv.Itoa(xref) + "\n%%EOF\n")
	return b.Bytes()
}
