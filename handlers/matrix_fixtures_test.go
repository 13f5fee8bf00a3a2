package handlers

import (
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// The fixtures of the authorization matrix (matrix_test.go): one portal over
// one bbolt file, built once through the store as the applicants' pages, the
// organs' console, the supervisor and the querying units would leave it, and
// one signed-in browser per role. Every resource is made for a purpose named
// by its kind in mxWorld.res; the spec rows of matrix_test.go say which kind
// each route's path ids refer to.

const mxPassword = "a long passphrase for the authorization matrix"

// mxAnonymous is the visitor who is not signed in: the eleventh "role".
const mxAnonymous portal.Role = "anonymous"

// mxRoles are the rows of the matrix: the visitor, then every role.
var mxRoles = append([]portal.Role{mxAnonymous}, portal.AllRoles...)

// mxUnknownID is an id that no bucket reaches in the fixture portal.
const mxUnknownID = "987654321"

// mxParams are the values of a route's path parameters (":id", ":doc", ...).
type mxParams map[string]string

// mxResource is one kind of resource a route's ids can name, in each
// ownership the matrix tries. A nil variant is not tried for this kind.
type mxResource struct {
	// own is the acting account's own resource, per role: its case, document,
	// message, certificate, query, relief request or leak report, or for an
	// official a case (query, notice...) of the official's organ. A role with
	// no own resource of the kind (the guard refuses it before any id is
	// read) is sent another role's.
	own map[portal.Role]mxParams
	// foreign is another citizen's (or another unit's) resource, or one that is
	// nobody's business but its author's yet (a draft).
	foreign mxParams
	// otherOrgan is a resource of another court, procuratorate or police
	// organ.
	otherOrgan mxParams
	// unknown names an id that does not exist (or, for nested ids, the own
	// resource with an id that is not one of its parts).
	unknown mxParams
	// supervisorAll says the supervisor reads every organ's resource of this
	// kind, so other-organ is the supervisor's own too.
	supervisorAll bool
}

// ownFor is the role's own resource, or another role's when the role has
// none (the route refuses the role at the guard, before any id matters).
func (r *mxResource) ownFor(role portal.Role) mxParams {
	if p, ok := r.own[role]; ok {
		return p
	}
	for _, other := range mxRoles {
		if p, ok := r.own[other]; ok {
			return p
		}
	}
	return nil
}

// mxWorld is the fixture portal.
type mxWorld struct {
	*testServer
	t   *testing.T
	cal *portal.Calendar
	seq uint64

	// organs: "court", "procuratorate", "police", "judicial_admin" (the acting
	// officials' organs, "A"), "court-b", "police-b" (other organs), and
	// "supervisor".
	organs map[string]portal.Organ
	// acting is the account each role's browser signs in with.
	acting map[portal.Role]portal.Account
	// other and otherUnit own the foreign resources.
	other, otherUnit portal.Account
	// officialOf is an official of each organ key, for store steps.
	officialOf map[string]portal.Account

	res map[string]*mxResource
	// leakTokens is each browser's leak draft token (its cookie).
	leakTokens map[portal.Role]string
}

func mxID(id uint64) string { return strconv.FormatUint(id, 10) }

// newMatrixWorld builds every fixture. Clients are made by signIn.
func newMatrixWorld(t *testing.T) *mxWorld {
	t.Helper()
	// Each browser gets its own address (X-Forwarded-For from a trusted
	// loopback proxy), so the per-address limits of logins, tracking and
	// verification never decide a row.
	_, loop, _ := net.ParseCIDR("127.0.0.0/8")
	ts := newTestServer(t, func(c *Config) { c.TrustedProxies = []*net.IPNet{loop} })
	w := &mxWorld{testServer: ts, t: t, cal: portal.DefaultCalendar(), seq: 7000,
		organs: map[string]portal.Organ{}, acting: map[portal.Role]portal.Account{}, officialOf: map[string]portal.Account{},
		res: map[string]*mxResource{}, leakTokens: map[portal.Role]string{}}
	for _, o := range []struct {
		key  string
		kind portal.Role
		name string
	}{
		{"court", portal.RoleCourt, "矩阵甲市人民法院"},
		{"procuratorate", portal.RoleProcuratorate, "矩阵甲市人民检察院"},
		{"police", portal.RolePolice, "矩阵甲市公安局"},
		{"judicial_admin", portal.RoleJudicialAdmin, "矩阵甲市司法局"},
		{"court-b", portal.RoleCourt, "矩阵乙市人民法院"},
		{"police-b", portal.RolePolice, "矩阵乙市公安局"},
		{"supervisor", portal.RoleSupervisor, "矩阵省人民检察院"},
	} {
		org, err := ts.db.EnsureOrgan(o.kind, o.name)
		if err != nil {
			t.Fatal(err)
		}
		w.organs[o.key] = org
	}
	// The acting accounts.
	for _, role := range portal.CitizenRoles {
		w.acting[role] = w.citizen(role, "1390000"+strconv.Itoa(7000+len(w.acting)))
	}
	for _, role := range portal.OrganRoles {
		w.acting[role] = w.official(role, "mx-"+string(role), string(role))
		w.officialOf[string(role)] = w.acting[role]
	}
	w.officialOf["court-b"] = w.official(portal.RoleCourt, "mx-court-b", "court-b")
	w.officialOf["police-b"] = w.official(portal.RolePolice, "mx-police-b", "police-b")
	w.acting[portal.RoleSupervisor] = w.official(portal.RoleSupervisor, "mx-supervisor", "supervisor")
	w.acting[portal.RoleSysadmin] = w.official(portal.RoleSysadmin, "mx-sysadmin", "")
	w.acting[portal.RoleQueryingUnit] = w.unit("mx-unit")
	// The other citizen is a lawyer: each of his cases is about another client,
	// so that each sealed case routes its queries to its own organ.
	w.other = w.citizen(portal.RoleLawyer, "13900007999")
	w.otherUnit = w.unit("mx-unit-other")

	w.citizenFixtures()
	w.organFixtures()
	w.workbenchFixtures()
	w.legalDocFixtures()
	w.leakFixtures()
	w.ingestFixtures()
	w.handoverFixtures() // last: a handover lasts minutes, and fixtures move the clock on
	return w
}

func (w *mxWorld) nextSeq() uint64 { w.seq++; return w.seq }

// citizen stores a citizen account (the person, a guardian, a lawyer).
func (w *mxWorld) citizen(role portal.Role, mobile string) portal.Account {
	w.t.Helper()
	a := portal.Account{Role: role, Login: mobile, Mobile: mobile, Name: "矩阵" + string(role),
		IDNumber: testIDNumber(w.nextSeq(), portal.Date{Year: 2006, Month: 5, Day: 1}), PasswordHash: hashFor(w.t, mxPassword)}
	if role == portal.RoleLawyer {
		a.Licence, a.Firm = "11101200000000009", "矩阵律师事务所"
	}
	a, err := w.db.CreateAccount(a, 0)
	if err != nil {
		w.t.Fatalf("create %s: %v", role, err)
	}
	return a
}

// official stores an official of the organ with the given key ("" for none).
func (w *mxWorld) official(role portal.Role, login, organ string) portal.Account {
	w.t.Helper()
	a := portal.Account{Role: role, Login: login, Name: "矩阵工作人员", PasswordHash: hashFor(w.t, mxPassword)}
	if organ != "" {
		a.Organ, a.OrganID = w.organs[organ].Name, w.organs[organ].ID
	}
	a, err := w.db.CreateAccount(a, 0)
	if err != nil {
		w.t.Fatalf("create %s: %v", login, err)
	}
	return a
}

// unit stores a querying unit acting under a state regulation (R15(b)).
func (w *mxWorld) unit(login string) portal.Account {
	w.t.Helper()
	a, err := w.db.CreateAccount(portal.Account{Role: portal.RoleQueryingUnit, Login: login, Name: "矩阵查询人",
		Organ: "矩阵某幼儿园 " + login, UnitKind: string(portal.QueryUnitRegulated), PasswordHash: hashFor(w.t, mxPassword)}, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// personFor is whom a filer's application is about: the person himself, or
// for a guardian someone under 18 on the test clock (so that the guardian
// may still act, GuardianMayAct), or a lawyer's adult client.
func (w *mxWorld) personFor(filer portal.Account) (string, string) {
	switch filer.Role {
	case portal.RoleMinor:
		return filer.Name, filer.IDNumber
	case portal.RoleGuardian:
		return "矩阵被监护人", testIDNumber(w.nextSeq(), portal.Date{Year: 2010, Month: 7, Day: 1})
	}
	// Born 2008: under 18 at the act of 2025, so the rules say seal and one
	// official seals without an override (issue 18).
	return "矩阵委托人", testIDNumber(w.nextSeq(), portal.Date{Year: 2008, Month: 9, Day: 1})
}

// draft is an application by filer decided by the organ with key decider and
// held by it; complete unless declared is false (then it cannot be sent).
// Two documents: the judgment and the identity document (and the filer's
// proof of capacity).
func (w *mxWorld) draft(filer portal.Account, decider string, declared bool) portal.Case {
	w.t.Helper()
	db := w.db
	c, err := db.CreateDraft(portal.Case{Capacity: portal.CapacityOf(filer.Role)}, filer.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	name, idn := w.personFor(filer)
	organ := w.organs[decider]
	// Under 18 at the act, so the rules say seal and one official seals
	// without an override (issue 18): the minors are born in May 2006.
	actDate := portal.Date{Year: 2025, Month: 1, Day: 5}
	if filer.Role == portal.RoleMinor {
		actDate = portal.Date{Year: 2024, Month: 1, Day: 5}
	}
	if _, err = db.UpdateDraft(c.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber = name, idn
		c.DecidingOrganID, c.OrganCaseNumber = organ.ID, "(2025)矩刑初字第"+mxID(c.ID)+"号"
		c.Disposition, c.DecisionDate, c.Intent = portal.DispositionSentenced, portal.Date{Year: 2025, Month: 9, Day: 1}, portal.IntentIntentional
		c.Acts = []portal.Act{{Date: actDate, Main: true}}
		c.Penalty = &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12}
		c.HoldingOrganIDs = []uint64{organ.ID}
		c.DeclaredTrue = declared
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	kinds := []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity}
	switch filer.Role {
	case portal.RoleGuardian:
		kinds = append(kinds, portal.DocGuardianship)
	case portal.RoleLawyer:
		kinds = append(kinds, portal.DocPowerOfAttorney)
	}
	for _, k := range kinds {
		if _, err := db.AddDocument(c.ID, portal.Document{Kind: k, Name: string(k) + ".pdf", MediaType: portal.MediaPDF, UploadedBy: filer.ID},
			[]byte("%PDF-1.4 "+string(k))); err != nil {
			w.t.Fatal(err)
		}
	}
	if c, err = db.Case(c.ID); err != nil {
		w.t.Fatal(err)
	}
	return c
}

// submitted is a complete application, sent.
func (w *mxWorld) submitted(filer portal.Account, decider string) portal.Case {
	w.t.Helper()
	c := w.draft(filer, decider, true)
	c, err := w.db.Apply(c.ID, store.Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: filer.ID, Role: filer.Role}, w.cal)
	if err != nil {
		w.t.Fatalf("submit: %v", err)
	}
	return c
}

// sealed is a sent application the deciding organ accepted, reviewed and
// sealed.
func (w *mxWorld) sealed(filer portal.Account, decider string) portal.Case {
	w.t.Helper()
	c := w.submitted(filer, decider)
	by := w.officialOf[decider]
	for _, a := range []portal.CaseAction{portal.ActionAccept, portal.ActionStartReview, portal.ActionSeal} {
		st := store.Step{Action: a, Actor: portal.ActorDecider, AccountID: by.ID, Role: by.Role, OrganID: by.OrganID}
		if a == portal.ActionSeal {
			st.Rules = []string{"R2"}
		}
		var err error
		if c, err = w.db.Apply(c.ID, st, w.cal); err != nil {
			w.t.Fatalf("%s by %s: %v", a, decider, err)
		}
	}
	return c
}

func mxDoc(c portal.Case, i int) string { return mxID(c.Documents[i].ID) }

// relief is a relief request by filer (R24), with one evidence file; sent
// unless draft. (The store keeps only complete drafts, so a draft can be sent.)
func (w *mxWorld) relief(filer portal.Account, linked uint64, draft bool) portal.ReliefRequest {
	w.t.Helper()
	in := portal.ReliefRequest{Capacity: portal.CapacityOf(filer.Role), PersonName: "矩阵当事人", Kind: portal.ReliefJob,
		HappenedOn: portal.Date{Year: 2026, Month: 3, Day: 1}, UnitName: "矩阵某公司", UnitKind: portal.UnitEmployer,
		Description: "因封存的记录被辞退", Remedies: []portal.ReliefRemedy{portal.RemedyReinstatement}, LinkedCaseID: linked}
	r, err := w.db.CreateReliefDraft(in, filer.ID)
	if err != nil {
		w.t.Fatalf("relief draft: %v", err)
	}
	if _, err := w.db.AddReliefDocuments(r.ID, filer.ID, []portal.Document{{Name: "letter.png", MediaType: portal.MediaPNG}},
		[][]byte{[]byte("\x89PNG\r\n\x1a\nmatrix")}); err != nil {
		w.t.Fatalf("relief evidence: %v", err)
	}
	if !draft {
		if _, err = w.db.ApplyRelief(r.ID, store.ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
			AccountID: filer.ID, Role: filer.Role}, w.cal); err != nil {
			w.t.Fatalf("relief submit: %v", err)
		}
	}
	if r, err = w.db.Relief(r.ID); err != nil {
		w.t.Fatal(err)
	}
	return r
}

// supStep takes a supervisor's step on a relief request.
func (w *mxWorld) supStep(id uint64, st portal.ReliefStep) {
	w.t.Helper()
	sup := w.acting[portal.RoleSupervisor]
	st.Actor = portal.ReliefActorSupervisor
	if _, err := w.db.ApplyRelief(id, store.ReliefStep{ReliefStep: st, AccountID: sup.ID, Role: sup.Role}, w.cal); err != nil {
		w.t.Fatalf("%s: %v", st.Action, err)
	}
}

// certificate is a request for a proof of no criminal record about the
// filer's person (R14), from the police organ with key police.
func (w *mxWorld) certificate(filer portal.Account, person, idNumber, police string) portal.Certificate {
	w.t.Helper()
	c, err := w.db.RequestCertificate(portal.Certificate{PersonName: person, PersonIDNumber: idNumber, RequestedBy: filer.ID,
		RequesterRole: filer.Role, Capacity: portal.CapacityOf(filer.Role), PoliceOrganID: w.organs[police].ID}, w.cal, "mx")
	if err != nil {
		w.t.Fatalf("certificate: %v", err)
	}
	return c
}

// query is a query by unit about the person of a sealed case; it goes to
// the organ that sealed it.
func (w *mxWorld) query(unit portal.Account, idNumber string) portal.Query {
	w.t.Helper()
	q, err := w.db.CreateQuery(portal.Query{PersonIDNumber: idNumber, Reason: "拟聘用为保育员",
		Basis:           portal.LegalBasis{Kind: portal.BasisKind("law"), Name: "《中华人民共和国未成年人保护法》", Article: "第六十二条"},
		PurposeCategory: portal.QueryPurpose("employment"), Purpose: "入职前查询，确认是否属于法律禁止从业的情形",
		Requested: portal.QueryScope{Kind: portal.ScopeDocuments, Documents: []portal.DocumentKind{portal.DocJudgment}}}, unit, w.cal, "mx")
	if err != nil {
		w.t.Fatalf("query: %v", err)
	}
	return q
}

// leak sends a leak report from a browser holding token, linked to the
// account when one is given; with one evidence file.
func (w *mxWorld) leak(token string, account uint64) portal.LeakReport {
	w.t.Helper()
	in := portal.LeakReport{PlaceKind: portal.LeakPlaceWebsite, PlaceDetail: "https://example.org/list",
		SeenOn: portal.Date{Year: 2026, Month: 3, Day: 1}, Disclosed: "判决书照片", SourceKind: portal.LeakSourceUnit,
		SourceName: "矩阵某中学", ContactName: "匿名举报人", ReporterAccount: account}
	if _, err := w.db.SaveLeakDraft(token, in, []portal.Document{{Name: "shot.png", MediaType: portal.MediaPNG}},
		[][]byte{[]byte("\x89PNG\r\n\x1a\nleak")}); err != nil {
		w.t.Fatalf("leak draft: %v", err)
	}
	r, _, err := w.db.SubmitLeakReport(token, w.cal, "mx")
	if err != nil {
		w.t.Fatalf("leak submit: %v", err)
	}
	return r
}

// leakDraft is an unsent report of the browser holding token, with one file.
func (w *mxWorld) leakDraft(token string) portal.LeakReport {
	w.t.Helper()
	r, err := w.db.SaveLeakDraft(token, portal.LeakReport{}, []portal.Document{{Name: "draft.png", MediaType: portal.MediaPNG}},
		[][]byte{[]byte("\x89PNG\r\n\x1a\ndraft")})
	if err != nil {
		w.t.Fatalf("leak draft: %v", err)
	}
	return r
}

// mxToken is a leak draft token of the cookie's shape (43 characters).
func mxToken(name string) string {
	const pad = "0123456789012345678901234567890123456789012"
	return (name + "-" + pad)[:43]
}

func (w *mxWorld) kind(name string) *mxResource {
	r, ok := w.res[name]
	if !ok {
		r = &mxResource{own: map[portal.Role]mxParams{}}
		w.res[name] = r
	}
	return r
}

// citizenFixtures: for the person, the guardian and the lawyer, each his own
// drafts, sent cases, relief requests and certificate; the other citizen's
// are the foreign ones.
func (w *mxWorld) citizenFixtures() {
	other := w.other
	oDraft := w.draft(other, "court", false)
	oSent := w.submitted(other, "court")
	oReliefDraft := w.relief(other, 0, true)
	oRelief := w.relief(other, 0, false)
	oCert := w.certificate(other, other.Name, other.IDNumber, "police")
	unknownDoc := mxID(oSent.Documents[0].ID) // a document of another case

	set := func(kind string, role portal.Role, own mxParams, foreign mxParams, unknown mxParams) {
		r := w.kind(kind)
		r.own[role] = own
		r.foreign, r.unknown = foreign, unknown
	}
	for _, role := range portal.CitizenRoles {
		me := w.acting[role]
		d := w.draft(me, "court", false)
		del := w.draft(me, "court", false)
		sent := w.submitted(me, "court")
		wd := w.submitted(me, "court")
		set("draft", role, mxParams{"id": mxID(d.ID)}, mxParams{"id": mxID(oDraft.ID)}, mxParams{"id": mxUnknownID})
		set("draft-doc", role, mxParams{"id": mxID(d.ID), "doc": mxDoc(d, 0)},
			mxParams{"id": mxID(oDraft.ID), "doc": mxDoc(oDraft, 0)}, mxParams{"id": mxID(d.ID), "doc": unknownDoc})
		set("draft-doc-removable", role, mxParams{"id": mxID(d.ID), "doc": mxDoc(d, 1)},
			mxParams{"id": mxID(oDraft.ID), "doc": mxDoc(oDraft, 1)}, mxParams{"id": mxID(d.ID), "doc": unknownDoc})
		set("draft-deletable", role, mxParams{"id": mxID(del.ID)}, mxParams{"id": mxID(oDraft.ID)}, mxParams{"id": mxUnknownID})
		// Issue 11: the acting person is identity verified and the acting
		// guardian's guardianship checked, so that their own case's pages
		// (who looked) let them in.
		switch role {
		case portal.RoleMinor:
			if _, err := w.db.VerifyIdentity(me.ID, store.IdentityProof{Method: portal.IdentityByOrgan, IDNumber: me.IDNumber, Name: me.Name}); err != nil {
				w.t.Fatal(err)
			}
		case portal.RoleGuardian:
			if _, err := w.db.VerifyGuardianship(sent.ID, store.OrganCheck{Official: w.officialOf["court"]}); err != nil {
				w.t.Fatal(err)
			}
		}
		set("case", role, mxParams{"id": mxID(sent.ID)}, mxParams{"id": mxID(oSent.ID)}, mxParams{"id": mxUnknownID})
		set("case-doc", role, mxParams{"id": mxID(sent.ID), "doc": mxDoc(sent, 0)},
			mxParams{"id": mxID(oSent.ID), "doc": mxDoc(oSent, 0)}, mxParams{"id": mxID(sent.ID), "doc": unknownDoc})
		set("case-withdrawable", role, mxParams{"id": mxID(wd.ID)}, mxParams{"id": mxID(oSent.ID)}, mxParams{"id": mxUnknownID})

		rd := w.relief(me, 0, true)
		rs := w.relief(me, 0, false)
		rw := w.relief(me, 0, false)
		set("relief-draft", role, mxParams{"id": mxID(rd.ID)}, mxParams{"id": mxID(oReliefDraft.ID)}, mxParams{"id": mxUnknownID})
		set("relief-draft-doc", role, mxParams{"id": mxID(rd.ID), "doc": mxID(rd.Documents[0].ID)},
			mxParams{"id": mxID(oReliefDraft.ID), "doc": mxID(oReliefDraft.Documents[0].ID)},
			mxParams{"id": mxID(rd.ID), "doc": mxID(oRelief.Documents[0].ID)})
		set("relief", role, mxParams{"id": mxID(rs.ID)}, mxParams{"id": mxID(oRelief.ID)}, mxParams{"id": mxUnknownID})
		set("relief-doc", role, mxParams{"id": mxID(rs.ID), "doc": mxID(rs.Documents[0].ID)},
			mxParams{"id": mxID(oRelief.ID), "doc": mxID(oRelief.Documents[0].ID)},
			mxParams{"id": mxID(rs.ID), "doc": mxID(oRelief.Documents[0].ID)})
		set("relief-withdrawable", role, mxParams{"id": mxID(rw.ID)}, mxParams{"id": mxID(oRelief.ID)}, mxParams{"id": mxUnknownID})
		rdd := w.relief(me, 0, true)
		set("relief-draft-deletable", role, mxParams{"id": mxID(rdd.ID)}, mxParams{"id": mxID(oReliefDraft.ID)}, mxParams{"id": mxUnknownID})

		cert := w.certificate(me, sent.PersonName, sent.PersonIDNumber, "police")
		set("cert", role, mxParams{"id": mxID(cert.ID)}, mxParams{"id": mxID(oCert.ID)}, mxParams{"id": mxUnknownID})
	}
	// The police organ asked answers the other citizen's request; another
	// police organ's request is not its own.
	oCertB := w.certificate(w.citizen(portal.RoleMinor, "13900007998"), "矩阵乙", testIDNumber(w.nextSeq(), portal.Date{Year: 2006, Month: 2, Day: 2}), "police-b")
	pc := w.kind("police-cert")
	pc.own[portal.RolePolice] = mxParams{"id": mxID(oCert.ID)}
	pc.otherOrgan, pc.unknown = mxParams{"id": mxID(oCertB.ID)}, mxParams{"id": mxUnknownID}
	// A refused answer with a pending objection (R14), and another police
	// organ's.
	objected := func(police string, login string) portal.Certificate {
		filer := w.citizen(portal.RoleMinor, login)
		c := w.certificate(filer, filer.Name, filer.IDNumber, police)
		officer := portal.Account{ID: 1, Role: portal.RolePolice, OrganID: w.organs[police].ID}
		if _, err := w.db.RecordCertificateCheck(c.ID, portal.CertificateCheck{Result: portal.CheckRecordFound, Reference: "MX"}, officer, "mx"); err != nil {
			w.t.Fatal(err)
		}
		if _, err := w.db.AnswerCertificate(c.ID, officer, "mx"); err != nil {
			w.t.Fatal(err)
		}
		c, err := w.db.FileCertificateObjection(c.ID, "不服", filer, w.cal, "mx")
		if err != nil {
			w.t.Fatal(err)
		}
		return c
	}
	pco := w.kind("police-cert-objection")
	pco.own[portal.RolePolice] = mxParams{"id": mxID(objected("police", "13900007996").ID)}
	pco.otherOrgan, pco.unknown = mxParams{"id": mxID(objected("police-b", "13900007995").ID)}, mxParams{"id": mxUnknownID}

	// The supervisor reads every sent relief request, never a draft.
	sr := w.kind("sup-relief")
	sr.own[portal.RoleSupervisor] = mxParams{"id": mxID(oRelief.ID)}
	sr.foreign, sr.unknown = mxParams{"id": mxID(oReliefDraft.ID)}, mxParams{"id": mxUnknownID}
	srd := w.kind("sup-relief-doc")
	srd.own[portal.RoleSupervisor] = mxParams{"id": mxID(oRelief.ID), "doc": mxID(oRelief.Documents[0].ID)}
	srd.foreign = mxParams{"id": mxID(oReliefDraft.ID), "doc": mxID(oReliefDraft.Documents[0].ID)}
	srd.unknown = mxParams{"id": mxID(oRelief.ID), "doc": mxID(oReliefDraft.Documents[0].ID)}
	sra := w.kind("sup-relief-action")
	// Accepting a sent request is the supervisor's first step (R24).
	sra.own[portal.RoleSupervisor] = mxParams{"id": mxID(oRelief.ID), "action": string(portal.ReliefAccept)}
	sra.foreign = mxParams{"id": mxID(oReliefDraft.ID), "action": string(portal.ReliefAccept)}
	sra.unknown = mxParams{"id": mxUnknownID, "action": string(portal.ReliefAccept)}

	// The administrator enables an account that is enabled: nothing changes,
	// and no other browser's session ends.
	sa := w.kind("sysadmin-account")
	sa.own[portal.RoleSysadmin] = mxParams{"id": mxID(other.ID), "action": "enable"}
	sa.unknown = mxParams{"id": mxUnknownID, "action": "enable"}

}

// organFixtures: for each sealing organ A, a sent case it decides, a sealed
// case it decided, a query addressed to it and a correction notice issued
// to it; court B's are the other organ's. The unit's own query is approved
// and signed, so that it can be read.
func (w *mxWorld) organFixtures() {
	other := w.other
	set := func(kind string, role portal.Role, own mxParams) { w.kind(kind).own[role] = own }
	unknown := mxParams{"id": mxUnknownID}

	sentB := w.submitted(other, "court-b")
	sealedB := w.sealed(other, "court-b")
	qB := w.query(w.otherUnit, sealedB.PersonIDNumber)
	sealedOf := map[portal.Role]portal.Case{} // by organ key
	for _, role := range portal.OrganRoles {
		key := string(role)
		sent := w.submitted(other, key)
		sealed := w.sealed(other, key)
		sealedOf[role] = sealed
		q := w.query(w.otherUnit, sealed.PersonIDNumber)
		set("staff-case", role, mxParams{"id": mxID(sent.ID)})
		set("staff-case-doc", role, mxParams{"id": mxID(sent.ID), "doc": mxDoc(sent, 0)})
		// Sealing a case that is not yet under review is refused (409), so
		// the row changes nothing.
		set("staff-case-action", role, mxParams{"id": mxID(sent.ID), "action": string(portal.ActionSeal)})
		set("decided-case", role, mxParams{"id": mxID(sealed.ID)})
		set("staff-query", role, mxParams{"id": mxID(q.ID)})
	}
	// The supervisor reads every organ's sent case.
	set("staff-case", portal.RoleSupervisor, w.kind("staff-case").own[portal.RoleCourt])
	set("staff-case-doc", portal.RoleSupervisor, w.kind("staff-case-doc").own[portal.RoleCourt])
	for _, k := range []string{"staff-case", "staff-case-doc", "staff-case-action", "decided-case", "staff-query"} {
		r := w.kind(k)
		r.unknown = unknown
		switch k {
		case "staff-case", "decided-case":
			c := sentB
			if k == "decided-case" {
				c = sealedB
			}
			r.otherOrgan = mxParams{"id": mxID(c.ID)}
		case "staff-case-doc":
			r.otherOrgan = mxParams{"id": mxID(sentB.ID), "doc": mxDoc(sentB, 0)}
			r.unknown = mxParams{"id": r.own[portal.RoleCourt]["id"], "doc": mxDoc(sentB, 0)}
		case "staff-case-action":
			r.otherOrgan = mxParams{"id": mxID(sentB.ID), "action": string(portal.ActionSeal)}
			r.unknown = mxParams{"id": mxUnknownID, "action": string(portal.ActionSeal)}
		case "staff-query":
			r.otherOrgan = mxParams{"id": mxID(qB.ID)}
		}
	}
	// A draft is nobody's business but the applicant's, not even the organ's
	// that will decide it.
	draftA := w.draft(other, "court", true)
	for _, k := range []string{"staff-case", "decided-case"} {
		w.kind(k).foreign = mxParams{"id": mxID(draftA.ID)}
	}
	w.kind("staff-case-doc").foreign = mxParams{"id": mxID(draftA.ID), "doc": mxDoc(draftA, 0)}
	w.kind("staff-case-action").foreign = mxParams{"id": mxID(draftA.ID), "action": string(portal.ActionAccept)}
	w.kind("staff-case").supervisorAll = true
	w.kind("staff-case-doc").supervisorAll = true

	// The unit's own query: about court A's sealed case, approved for the
	// judgment from today, released to the unit the day after the deadline
	// (R14a: the clock moves on four days), the commitment signed (R16).
	unit := w.acting[portal.RoleQueryingUnit]
	sealedA := sealedOf[portal.RoleCourt]
	q := w.query(unit, sealedA.PersonIDNumber)
	today := portal.DateOf(w.clock.Now())
	if _, err := w.db.DecideQuery(q.ID, portal.QueryDecision{Approve: true,
		Scope: portal.QueryScope{Kind: portal.ScopeDocuments, Documents: []portal.DocumentKind{portal.DocJudgment}},
		From:  today, To: today.AddDays(10)}, w.acting[portal.RoleCourt], "mx"); err != nil {
		w.t.Fatalf("approve query: %v", err)
	}
	// R15(a): each judicial official's own query, filed from their own
	// account as a judicial organ for a case, about a record another
	// organ's official decides (who files never decides).
	judicialQuery := map[portal.Role]portal.Query{}
	judicialTarget := map[portal.Role]portal.Case{}
	for _, role := range []portal.Role{portal.RoleCourt, portal.RoleProcuratorate, portal.RolePolice, portal.RoleSupervisor} {
		target, decider := sealedA, w.acting[portal.RoleCourt]
		if role == portal.RoleCourt {
			target, decider = sealedOf[portal.RolePolice], w.acting[portal.RolePolice]
		}
		jq, err := w.db.CreateQuery(portal.Query{PersonIDNumber: target.PersonIDNumber, Reason: "审查起诉需要核实前科",
			Basis:           portal.LegalBasis{Kind: portal.BasisLaw, Name: "《中华人民共和国刑事诉讼法》", Article: "第二百八十六条"},
			PurposeCategory: portal.PurposeCase, CaseNumber: "（2026）矩阵刑初1号", Purpose: "办理该案需要",
			Requested: portal.QueryScope{Kind: portal.ScopeDocuments, Documents: []portal.DocumentKind{portal.DocJudgment}}}, w.acting[role], w.cal, "mx")
		if err != nil {
			w.t.Fatalf("judicial query by %s: %v", role, err)
		}
		if _, err := w.db.DecideQuery(jq.ID, portal.QueryDecision{Approve: true,
			Scope: portal.QueryScope{Kind: portal.ScopeDocuments, Documents: []portal.DocumentKind{portal.DocJudgment}},
			From:  today, To: today.AddDays(10)}, decider, "mx"); err != nil {
			w.t.Fatalf("approve %s's query: %v", role, err)
		}
		judicialQuery[role], judicialTarget[role] = jq, target
	}
	w.clock.advance(4 * 24 * time.Hour)
	if _, err := w.db.SignCommitment(q.ID, portal.Commitment{Text: queryCommitmentText(), SignerName: "矩阵查询人",
		SignerPosition: "园长", Agreed: true}, unit, "mx"); err != nil {
		w.t.Fatalf("sign commitment: %v", err)
	}
	for role, jq := range judicialQuery {
		if _, err := w.db.SignCommitment(jq.ID, portal.Commitment{Text: queryCommitmentText(), SignerName: "矩阵承办人",
			SignerPosition: "检察官", Agreed: true}, w.acting[role], "mx"); err != nil {
			w.t.Fatalf("sign %s's commitment: %v", role, err)
		}
	}
	qOther := w.query(w.otherUnit, sealedA.PersonIDNumber)
	uq := w.kind("query")
	uq.own[portal.RoleQueryingUnit] = mxParams{"id": mxID(q.ID)}
	uq.foreign, uq.unknown = mxParams{"id": mxID(qOther.ID)}, unknown
	uqd := w.kind("query-doc")
	uqd.own[portal.RoleQueryingUnit] = mxParams{"id": mxID(q.ID), "doc": mxDoc(sealedA, 0)}
	uqd.foreign = mxParams{"id": mxID(qOther.ID), "doc": mxDoc(sealedA, 0)}
	// A document of a case the query does not cover.
	uqd.unknown = mxParams{"id": mxID(q.ID), "doc": mxDoc(sealedB, 0)}
	for role, jq := range judicialQuery {
		uq.own[role] = mxParams{"id": mxID(jq.ID)}
		uqd.own[role] = mxParams{"id": mxID(jq.ID), "doc": mxDoc(judicialTarget[role], 0)}
	}

	// Correction notices (R24): the supervisor accepts the other citizen's
	// request about his sealed case and issues a notice to each organ A and
	// to court B.
	r := w.relief(other, sealedA.ID, false)
	w.supStep(r.ID, portal.ReliefStep{Action: portal.ReliefAccept})
	notices := map[string]uint64{}
	for _, key := range []string{"court", "procuratorate", "police", "judicial_admin", "court-b"} {
		w.supStep(r.ID, portal.ReliefStep{Action: portal.ReliefIssueNotice, OrganID: w.organs[key].ID, Note: "请予纠正"})
		ns, err := w.db.ReliefNotices(r.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		notices[key] = ns[len(ns)-1].ID
	}
	cn := w.kind("correction")
	for _, role := range portal.OrganRoles {
		cn.own[role] = mxParams{"id": mxID(notices[string(role)])}
	}
	cn.otherOrgan, cn.unknown = mxParams{"id": mxID(notices["court-b"])}, unknown

	// Supervision opinions (R33): one to each organ A on its sealed case, and
	// one to court B on its own.
	opinions := map[string]uint64{}
	sealedOf["court-b"] = sealedB
	for _, key := range []string{"court", "procuratorate", "police", "judicial_admin", "court-b"} {
		opinions[key] = w.opinion(key, sealedOf[portal.Role(key)].ID)
	}
	op := w.kind("opinion")
	for _, role := range portal.OrganRoles {
		op.own[role] = mxParams{"id": mxID(opinions[string(role)])}
	}
	op.otherOrgan, op.unknown = mxParams{"id": mxID(opinions["court-b"])}, unknown
	sop := w.kind("sup-opinion")
	sop.own[portal.RoleSupervisor] = mxParams{"id": mxID(opinions["court-b"])}
	sop.unknown = unknown

	// The supervisor's review of an unsealing (R18: a combined term of exactly
	// 60 months is referred): court B records a new crime on its sealed case,
	// which the matrix's supervisor then decides. The case is named in the
	// path; the supervisor decides for every organ.
	courtB := w.officialOf["court-b"]
	if _, err := w.db.Apply(sealedB.ID, store.Step{Action: portal.ActionConfirm, Actor: portal.ActorHolder, AccountID: courtB.ID,
		Role: courtB.Role, OrganID: courtB.OrganID}, w.cal); err != nil {
		w.t.Fatalf("confirm: %v", err)
	}
	if _, _, err := w.db.RecordUnsealingEvent(sealedB.ID, portal.UnsealingRecord{LegalBasis: "（2026）矩乙刑初字第12号刑事判决",
		Event: portal.UnsealingEvent{Kind: portal.UnsealingNewCrime, ActDate: portal.Date{Year: 2024, Month: 6, Day: 1}, CombinedMonths: 60}},
		store.Step{AccountID: courtB.ID, Role: courtB.Role, OrganID: courtB.OrganID}, w.cal); err != nil {
		w.t.Fatalf("unsealing event: %v", err)
	}
	if pending, err := w.db.PendingUnsealingReviews(); err != nil || len(pending) != 1 {
		w.t.Fatalf("pending reviews %v, %v; want the one referred", pending, err)
	}
	ur := w.kind("unseal-review")
	ur.own[portal.RoleSupervisor] = mxParams{"case": mxID(sealedB.ID)}
	ur.unknown = mxParams{"case": mxUnknownID}
}

// leakFixtures: every signed-in account linked a sent report of its own;
// every browser, the visitor's too, has an unsent report with one file; the
// supervisor reads sent reports, never a draft.
func (w *mxWorld) leakFixtures() {
	otherLeak := w.leak(mxToken("other-sent"), w.other.ID)
	otherDraft := w.leakDraft(mxToken("other-draft"))
	lm := w.kind("leak-mine")
	lm.foreign, lm.unknown = mxParams{"id": mxID(otherLeak.ID)}, mxParams{"id": mxUnknownID}
	for _, role := range portal.AllRoles {
		r := w.leak(mxToken("sent-"+string(role)), w.acting[role].ID)
		lm.own[role] = mxParams{"id": mxID(r.ID)}
	}
	ld := w.kind("leak-draft-doc")
	ld.foreign, ld.unknown = mxParams{"doc": mxID(otherDraft.Documents[0].ID)}, mxParams{"doc": mxID(otherLeak.Documents[0].ID)}
	for _, role := range mxRoles {
		tok := mxToken("draft-" + string(role))
		d := w.leakDraft(tok)
		w.leakTokens[role] = tok
		ld.own[role] = mxParams{"doc": mxID(d.Documents[0].ID)}
	}
	sup := portal.RoleSupervisor
	sl := w.kind("sup-leak")
	sl.own[sup] = mxParams{"id": mxID(otherLeak.ID)}
	sl.foreign, sl.unknown = mxParams{"id": mxID(otherDraft.ID)}, mxParams{"id": mxUnknownID}
	sld := w.kind("sup-leak-doc")
	sld.own[sup] = mxParams{"id": mxID(otherLeak.ID), "doc": mxID(otherLeak.Documents[0].ID)}
	sld.foreign = mxParams{"id": mxID(otherDraft.ID), "doc": mxID(otherDraft.Documents[0].ID)}
	sld.unknown = mxParams{"id": mxID(otherLeak.ID), "doc": mxID(otherDraft.Documents[0].ID)}
	// Starting an investigation changes the report: it gets its own.
	start := w.leak(mxToken("sup-start"), 0)
	ss := w.kind("sup-leak-start")
	ss.own[sup] = mxParams{"id": mxID(start.ID)}
	ss.foreign, ss.unknown = mxParams{"id": mxID(otherDraft.ID)}, mxParams{"id": mxUnknownID}
}

// signIn opens the role's browser: its own client address, its leak draft,
// and (except for the visitor) signed in through the shared login helper.
func (w *mxWorld) signIn(t *testing.T, role portal.Role, i int) *testClient {
	t.Helper()
	c := w.newClient()
	c.t = t
	c.header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(10+i))
	if role != mxAnonymous {
		p := c.login(w.acting[role].Login, mxPassword)
		if p.status != http.StatusOK || p.url.Path == "/login" {
			t.Fatalf("%s: sign-in ended at %s with %d\n%s", role, p.url.RequestURI(), p.status, excerpt(p))
		}
	} else {
		c.get("/login")
	}
	c.setCookie(w.leakDraftCookie(), w.leakTokens[role])
	return c
}

// leakDraftCookie is the leak draft cookie's name in this setup.
func (w *mxWorld) leakDraftCookie() string { return mxCookie(w.testServer, "leakdraft") }

// mxCookie is a cookie's name: with the __Host- prefix when cookies are
// Secure, as by default.
func mxCookie(ts *testServer, name string) string {
	if ts.cfg.SecureCookies {
		return "__Host-" + name
	}
	return name
}

// handoverFixtures: the username and one-time password of an account an
// administrator just opened are for that administrator only.
func (w *mxWorld) handoverFixtures() {
	handover := func(actor uint64) string {
		_, token, err := w.db.CreateOfficial(portal.NewOfficial{Role: portal.RoleCourt, Organ: "矩阵交付法院", Name: "交付"}, "one-time-password-1",
			func(p string) (string, error) {
				return "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", nil
			}, actor)
		if err != nil {
			w.t.Fatal(err)
		}
		return token
	}
	ho := w.kind("sysadmin-handover")
	ho.own[portal.RoleSysadmin] = mxParams{"token": handover(w.acting[portal.RoleSysadmin].ID)}
	ho.foreign = mxParams{"token": handover(w.official(portal.RoleSysadmin, "mx-sysadmin-2", "").ID)}
	ho.unknown = mxParams{"token": "999999.bm90LWEtdG9rZW4tYXQtYWxsLW5vdC1vbmUtYXQ"}
}

// opinion issues a correction notice to the organ with the given key on one
// of its cases (R33).
func (w *mxWorld) opinion(organ string, caseID uint64) uint64 {
	w.t.Helper()
	today := portal.DateOf(w.clock.Now())
	o, err := w.db.IssueOpinion(portal.Opinion{Kind: portal.OpinionCorrection, Subject: portal.OpinionOnCase, OrganID: w.organs[organ].ID,
		CaseIDs: []uint64{caseID}, Facts: "矩阵案件逾期未封存，违反封存规定", Request: "请立即封存并书面回复纠正情况",
		Citations: []string{"cpl-286"}, Due: today.AddDays(15)}, w.acting[portal.RoleSupervisor], today.AddDays(60),
		func(string) bool { return true }, "mx")
	if err != nil {
		w.t.Fatalf("opinion to %s: %v", organ, err)
	}
	return o.ID
}
