package handlers

import (
	"strconv"

	"sealportal/portal"
	"sealportal/store"
)

// The authorization matrix's rows of the written legal documents (issue 18).
func init() {
	for k, v := range map[string]mxSpec{
		"GET /staff/cases/:id/legal-documents": {kind: "legal-docs", ok: 200},
		// No method of explaining chosen: refused, nothing changes.
		"POST /staff/cases/:id/legal-documents/explanations": {kind: "legal-docs", ok: 422},
		"POST /staff/cases/:id/legal-documents/contacts":     {kind: "legal-docs", form: mxForm("address", "矩阵某路1号"), ok: 303},
		"GET /staff/cases/:id/legal-documents/:n":            {kind: "legal-doc", ok: 200},
		// No method of service chosen: refused, nothing changes.
		"POST /staff/cases/:id/legal-documents/:n/services": {kind: "legal-doc", form: mxForm("recipient", "0", "served_on", "2000-01-01"), ok: 422},
		"GET /cases/:id/legal-documents/:n":                 {kind: "case-legal-doc", ok: 200},
		"GET /staff/queries/:id/legal-documents/:n":         {kind: "staff-query-letter", ok: 200},
		"GET /queries/:id/legal-documents/:n":               {kind: "query-letter", ok: 200},
	} {
		mxSpecs[k] = v
	}
}

// sealedWithDoc is a sent application the deciding organ sealed with its
// notice (issue 18).
func (w *mxWorld) sealedWithDoc(filer portal.Account, decider string, prepare func(portal.Case)) portal.Case {
	w.t.Helper()
	c := w.submitted(filer, decider)
	if prepare != nil {
		prepare(c)
	}
	by := w.officialOf[decider]
	for _, a := range []portal.CaseAction{portal.ActionAccept, portal.ActionStartReview} {
		var err error
		if c, err = w.db.Apply(c.ID, store.Step{Action: a, Actor: portal.ActorDecider, AccountID: by.ID, Role: by.Role, OrganID: by.OrganID}, w.cal); err != nil {
			w.t.Fatalf("%s: %v", a, err)
		}
	}
	c, _, err := w.db.ApplyWithDocument(c.ID, store.Step{Action: portal.ActionSeal, Actor: portal.ActorDecider, AccountID: by.ID, Role: by.Role,
		OrganID: by.OrganID, Rules: []string{"R2"}}, w.cal, store.DocIssue{Kind: portal.DocSealingNotice, Citations: []string{"cpl-286"}})
	if err != nil {
		w.t.Fatalf("seal with document: %v", err)
	}
	return c
}

// legalDocFixtures: each organ's sealed case with its notice and a decided
// query with its letter; court B's are the other organ's; each citizen's own
// sealed case with its notice.
func (w *mxWorld) legalDocFixtures() {
	one := func(c portal.Case) mxParams { return mxParams{"id": mxID(c.ID), "n": "1"} }
	letter := func(q portal.Query, organ string) portal.Query {
		by := w.officialOf[organ]
		if _, err := w.db.DecideQuery(q.ID, portal.QueryDecision{Reason: "目的不明"}, by, "mx"); err != nil {
			w.t.Fatalf("refuse query: %v", err)
		}
		if _, err := w.db.IssueQueryDocument(q.ID, store.Step{AccountID: by.ID, Role: by.Role, OrganID: by.OrganID}, []string{"cpl-286"}); err != nil {
			w.t.Fatalf("query letter: %v", err)
		}
		return q
	}
	docs, doc, qls := w.kind("legal-docs"), w.kind("legal-doc"), w.kind("staff-query-letter")
	sealedB := w.sealedWithDoc(w.other, "court-b", nil)
	qB := letter(w.query(w.otherUnit, sealedB.PersonIDNumber), "court-b")
	for _, role := range portal.OrganRoles {
		c := w.sealedWithDoc(w.other, string(role), nil)
		docs.own[role], doc.own[role] = mxParams{"id": mxID(c.ID)}, one(c)
		qls.own[role] = one(portal.Case{ID: letter(w.query(w.otherUnit, c.PersonIDNumber), string(role)).ID})
	}
	docs.own[portal.RoleSupervisor], doc.own[portal.RoleSupervisor] = docs.own[portal.RoleCourt], doc.own[portal.RoleCourt]
	docs.otherOrgan, doc.otherOrgan = mxParams{"id": mxID(sealedB.ID)}, one(sealedB)
	docs.unknown = mxParams{"id": mxUnknownID}
	doc.unknown = mxParams{"id": doc.own[portal.RoleCourt]["id"], "n": "2"}
	docs.supervisorAll, doc.supervisorAll = true, true
	qls.otherOrgan = one(portal.Case{ID: qB.ID})
	qls.unknown = mxParams{"id": qls.own[portal.RoleCourt]["id"], "n": "2"}

	// Citizens: the person's, the guardian's (guardianship checked) and the
	// lawyer's own sealed case; the other citizen's is foreign.
	cd := w.kind("case-legal-doc")
	for _, role := range portal.CitizenRoles {
		me := w.acting[role]
		c := w.sealedWithDoc(me, "court", func(c portal.Case) {
			if role == portal.RoleGuardian {
				if _, err := w.db.VerifyGuardianship(c.ID, store.OrganCheck{Official: w.officialOf["court"]}); err != nil {
					w.t.Fatal(err)
				}
			}
		})
		cd.own[role] = one(c)
	}
	cd.foreign = one(sealedB)
	cd.unknown = mxParams{"id": cd.own[portal.RoleMinor]["id"], "n": "2"}

	// The unit's own query (approved by court A in organFixtures) with its
	// letter; another unit's query is foreign.
	ql := w.kind("query-letter")
	uq := w.kind("query")
	qid, _ := strconv.ParseUint(uq.own[portal.RoleQueryingUnit]["id"], 10, 64)
	by := w.officialOf["court"]
	if _, err := w.db.IssueQueryDocument(qid, store.Step{AccountID: by.ID, Role: by.Role, OrganID: by.OrganID}, []string{"cpl-286"}); err != nil {
		w.t.Fatalf("unit's letter: %v", err)
	}
	ql.own[portal.RoleQueryingUnit] = mxParams{"id": mxID(qid), "n": "1"}
	// R15(a): each judicial official's own query (organFixtures) with the
	// letter of the organ that decided it.
	for _, role := range []portal.Role{portal.RoleCourt, portal.RoleProcuratorate, portal.RolePolice, portal.RoleSupervisor} {
		jid, _ := strconv.ParseUint(uq.own[role]["id"], 10, 64)
		decider := w.officialOf["court"]
		if role == portal.RoleCourt {
			decider = w.officialOf["police"]
		}
		if _, err := w.db.IssueQueryDocument(jid, store.Step{AccountID: decider.ID, Role: decider.Role, OrganID: decider.OrganID}, []string{"cpl-286"}); err != nil {
			w.t.Fatalf("%s's letter: %v", role, err)
		}
		ql.own[role] = mxParams{"id": mxID(jid), "n": "1"}
	}
	ql.foreign = mxParams{"id": uq.foreign["id"], "n": "1"}
	ql.unknown = mxParams{"id": mxID(qid), "n": "2"}
}
