package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

func idStr(id uint64) string { return strconv.FormatUint(id, 10) }

// R24, R33: from a row of the overdue queue the supervisor issues a
// correction notice to the organ that owes the step (a bad form keeps what
// was typed); the organ finds it in its list, another organ cannot open it;
// the organ replies in writing; the supervisor sees it answered. A bulk
// opinion covers an organ's overdue cases.
func TestOversightOpinionJourney(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	w.clock.advance(10 * 24 * time.Hour) // the holders' sealing is overdue (R12)
	sup := w.signIn(w.sup)
	caseID := idStr(w.sealed.ID)
	newURL := "/supervision/opinions/new?case=" + caseID
	q := sup.get("/supervision?kind=case").wantStatus(t, http.StatusOK)
	if !strings.Contains(q.body, `href="`+strings.ReplaceAll(newURL, "&", "&amp;")+`"`) {
		t.Fatalf("no link to a new opinion on the overdue row\n%s", excerpt(q))
	}
	form := sup.get(newURL).wantStatus(t, http.StatusOK).wantText(t, "Issue a supervision opinion", w.sealed.Ref)
	if v, _ := form.testid("organ-select"); !strings.Contains(form.body, `value="`+idStr(w.court.ID)+`" selected`) {
		t.Fatalf("the court (first holder owing) not proposed: %s", v)
	}
	// A short text and no citation: refused, what was typed kept.
	bad := sup.submit(newURL, "/supervision/opinions", url.Values{"kind": {"correction"}, "organ": {idStr(w.court.ID)},
		"facts": {"太短"}, "request": {"请立即封存并书面回复纠正情况"}}).wantStatus(t, http.StatusUnprocessableEntity)
	if bad.fieldError("facts") == "" || bad.fieldError("citations") == "" {
		t.Fatalf("errors facts %q citations %q", bad.fieldError("facts"), bad.fieldError("citations"))
	}
	bad.wantText(t, "请立即封存并书面回复纠正情况")
	// A case the organ has no duty on cannot be named through the form.
	sup.submit(newURL, "/supervision/opinions", url.Values{"kind": {"correction"}, "organ": {idStr(w.spp.ID)},
		"facts": {"该案逾期未确认封存，违反规定"}, "request": {"请立即封存并书面回复纠正情况"}, "citations": {"cpl-286"}}).
		wantStatus(t, http.StatusUnprocessableEntity)

	done := sup.submit(newURL, "/supervision/opinions", url.Values{"kind": {"correction"}, "organ": {idStr(w.court.ID)},
		"facts": {"该案已决定封存，本院逾期未确认封存"}, "request": {"请立即封存并书面回复纠正情况"}, "citations": {"cpl-286", "mpl-105"}}).
		wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(done.url.Path, "/supervision/opinions/") {
		t.Fatalf("ended at %s", done.url.RequestURI())
	}
	number, _ := done.testid("opinion-number")
	if !strings.HasPrefix(number, "JW-2026-") {
		t.Fatalf("number %q", number)
	}
	done.wantText(t, "Correction notice", "Criminal Procedure Law of the People's Republic of China, art. 286", w.court.Name)
	if !strings.Contains(done.body, "opinion-print.css") {
		t.Error("no print stylesheet")
	}
	id := strings.TrimPrefix(done.url.Path, "/supervision/opinions/")

	// Another organ: 404; the court: in its list, and replies.
	police := w.signIn(w.officer)
	police.get("/staff/opinions/"+id).wantStatus(t, http.StatusNotFound)
	police.get("/staff/opinions").wantStatus(t, http.StatusOK).noText(t, number)
	judge := w.signIn(w.judge)
	judge.get("/staff/opinions").wantStatus(t, http.StatusOK).wantText(t, number, "Awaiting reply")
	short := judge.submit("/staff/opinions/"+id, "/staff/opinions/"+id+"/answer", url.Values{"answer": {"好的"}}).
		wantStatus(t, http.StatusUnprocessableEntity)
	if short.fieldError("answer") == "" {
		t.Fatal("short answer not refused")
	}
	judge.submit("/staff/opinions/"+id, "/staff/opinions/"+id+"/answer", url.Values{"answer": {"本院已完成封存，并已书面告知当事人。"}}).
		wantStatus(t, http.StatusOK).wantText(t, "本院已完成封存，并已书面告知当事人。")
	// The case's page shows the opinion to the court and to the supervisor.
	judge.get("/staff/cases/"+caseID).wantStatus(t, http.StatusOK).wantText(t, number)
	sup.get("/staff/cases/"+caseID).wantStatus(t, http.StatusOK).wantText(t, number, "Issue a correction notice or a procuratorial suggestion")

	sup.get("/supervision/opinions?state=answered").wantStatus(t, http.StatusOK).wantText(t, number)
	sup.get("/supervision/opinions?state=open").wantStatus(t, http.StatusOK).noText(t, number)
	sup.get("/supervision/opinions?state=bogus").wantStatus(t, http.StatusBadRequest)
	sup.get("/supervision/opinions/"+id).wantText(t, "The organ's written reply", "本院已完成封存")

	// The police still owes its confirmation: on the list, and in bulk.
	sup.get("/supervision/unconfirmed").wantStatus(t, http.StatusOK).wantText(t, w.sealed.Ref, w.police.Name, "days late")
	bulk := "/supervision/opinions/new?organ=" + idStr(w.police.ID)
	sup.get(bulk).wantStatus(t, http.StatusOK).wantText(t, w.sealed.Ref)
	b := sup.submit(bulk, "/supervision/opinions", url.Values{"kind": {"suggestion"}, "cases": {caseID},
		"facts": {"该局多件案件逾期未确认封存"}, "request": {"建议建立封存确认的期限提醒制度"}, "citations": {"cpl-286"}}).wantStatus(t, http.StatusOK)
	b.wantText(t, "Procuratorial suggestion", w.police.Name)
	if n, _ := b.testid("opinion-number"); !strings.HasPrefix(n, "JJ-2026-") {
		t.Fatalf("suggestion number %q", n)
	}
	// No subject: the organs for a bulk opinion; two subjects: refused.
	sup.get("/supervision/opinions/new").wantStatus(t, http.StatusOK).wantText(t, w.police.Name)
	sup.get("/supervision/opinions/new?case="+caseID+"&leak=1").wantStatus(t, http.StatusBadRequest)
	sup.get("/supervision/opinions/new?case=987654").wantStatus(t, http.StatusNotFound)
}

// R17, R25: the supervisor reads the audit log of the leaked person's case
// and of the suspected official's account, and that read is audited; the
// report, the case and the person's relief request are cross-linked.
func TestOversightLeakInvestigation(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	if _, err := w.db.CaseForStaff(w.sealed.ID, w.officer, portal.FreshFactor{}, purposeCaseDuty, "req-x"); err != nil {
		t.Fatal(err)
	}
	relief := w.storeRelief(w.minor, w.sealed.ID)
	in := portal.LeakReport{PlaceKind: portal.LeakPlaceWebsite, PlaceDetail: "https://example.org/t/1", SeenOn: portal.DateOf(w.clock.Now()),
		Disclosed: "判决书照片", SourceKind: portal.LeakSourceUnit, SourceName: "某单位", PersonIDNumber: w.sealed.PersonIDNumber}
	if _, err := w.db.SaveLeakDraft("inv-token", in, nil, nil); err != nil {
		t.Fatal(err)
	}
	leak, _, err := w.db.SubmitLeakReport("inv-token", w.cal, "req-y")
	if err != nil {
		t.Fatal(err)
	}
	sup := w.signIn(w.sup)
	lp := sup.get("/supervision/leaks/"+idStr(leak.ID)).wantStatus(t, http.StatusOK)
	lp.wantText(t, "Read the access records", w.sealed.Ref, relief.Ref)
	page := sup.get("/supervision/leaks/"+idStr(leak.ID)+"/investigation").wantStatus(t, http.StatusOK)
	page.wantText(t, "Every access to case "+w.sealed.Ref, "Read the sealed record", w.police.Name)
	acct := "/supervision/leaks/" + idStr(leak.ID) + "/investigation?account=" + idStr(w.officer.ID)
	if !strings.Contains(page.body, strings.ReplaceAll(acct, "&", "&amp;")) {
		t.Fatalf("no link to the official's actions\n%s", excerpt(page))
	}
	sup.get(acct).wantStatus(t, http.StatusOK).wantText(t, "Every action of account "+idStr(w.officer.ID))
	// The suspected official named by login (in the form, not the address);
	// a citizen's login is not an official's.
	invPath := "/supervision/leaks/" + idStr(leak.ID) + "/investigation"
	byLogin := sup.submit(invPath, invPath, url.Values{"login": {w.officer.Login}}).wantStatus(t, http.StatusOK)
	if byLogin.url.Query().Get("account") != idStr(w.officer.ID) {
		t.Fatalf("the login led to %s", byLogin.url.RequestURI())
	}
	if p := sup.submit(invPath, invPath, url.Values{"login": {w.minor.Login}}).wantStatus(t, http.StatusUnprocessableEntity); p.fieldError("login") == "" {
		t.Fatal("a citizen's login was not refused at the field")
	}
	sup.get("/supervision/leaks/"+idStr(leak.ID)+"/investigation?case="+idStr(w.sealed.ID+999)).wantStatus(t, http.StatusNotFound)
	sup.get("/supervision/leaks/"+idStr(leak.ID)+"/investigation?case=x").wantStatus(t, http.StatusNotFound)
	evs, err := w.db.AuditBySubject("leak_report", leak.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == store.AuditInvestigationRead && e.ActorID == w.sup.ID {
			n++
		}
	}
	// The case's log, the official's (by link), then each login form's page
	// and its answer (the account's log; the refused form's page again).
	if n != 6 {
		t.Fatalf("%d investigation reads audited, want 6", n)
	}
	// An organ official never reaches it.
	w.signIn(w.judge).get("/supervision/leaks/"+idStr(leak.ID)+"/investigation").wantStatus(t, http.StatusForbidden)
	// The relief request's page links the case and the report.
	sup.get(supPath(relief.ID, "")).wantStatus(t, http.StatusOK).wantText(t, leak.Ref, w.sealed.Ref)
}

// FuzzOpinionTarget: whatever the query or form carries, the subject is
// refused or is exactly one of a case, a leak report or an organ, with its
// id set.
func FuzzOpinionTarget(f *testing.F) {
	f.Add("", "12", "", "")
	f.Add("organ", "", "", "7")
	f.Add("case", "1", "2", "3")
	f.Add("leak", "", "0009", "")
	f.Add("", "-1", "x", "18446744073709551616")
	f.Fuzz(func(t *testing.T, subject, caseS, leakS, organS string) {
		got, err := opinionTargetOf(subject, caseS, leakS, organS)
		if err != nil {
			if c := portal.ErrorCode(err); c != portal.CodeNotFound && c != portal.CodeInvalid {
				t.Fatalf("error code %s", c)
			}
			return
		}
		switch got.subject {
		case portal.OpinionOnCase:
			if got.caseID == 0 || got.leakID != 0 {
				t.Fatalf("case target %+v", got)
			}
		case portal.OpinionOnLeak:
			if got.leakID == 0 || got.caseID != 0 {
				t.Fatalf("leak target %+v", got)
			}
		case portal.OpinionOnOrgan:
			if got.organID == 0 || got.caseID != 0 || got.leakID != 0 {
				t.Fatalf("organ target %+v", got)
			}
		default:
			t.Fatalf("no subject %+v", got)
		}
		if subject != "" && string(got.subject) != subject {
			t.Fatalf("asked %q, got %q", subject, got.subject)
		}
	})
}
