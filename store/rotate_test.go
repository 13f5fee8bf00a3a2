package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/blob"
	"sealportal/store/kv"
)

// sealedWorld is a database with a value of every sealed kind in the
// registry, each with contents a test can recognise in the raw file.
type sealedWorld struct {
	*certWorld
	person    portal.Account
	draft     portal.Case
	docs      []portal.Document // on the draft, one of them a message attachment
	contents  map[uint64]string // document id -> content
	relief    portal.ReliefRequest
	reliefDoc portal.Document
	// documents of the form before issue 15 (sealed whole in the documents
	// buckets), which keep reading and rotating beside the new rows
	legacyRelief portal.Document
	legacyLeak   portal.Document
	leak         portal.LeakReport
	leakCode     string
	query        portal.Query
	cert         portal.Certificate
	notice       portal.CorrectionNotice
	totp         string
	secrets      []string // what must never be in the file in clear
}

func newSealedWorld(t *testing.T) *sealedWorld { t.Helper(); return newSealedWorldWith(t, nil) }

// newSealedWorldWith is newSealedWorld with the documents' objects in blobs
// (nil: the engine's own, documents.go).
func newSealedWorldWith(t *testing.T, blobs blob.Store) *sealedWorld {
	t.Helper()
	w := &sealedWorld{certWorld: newCertWorldWith(t, blobs), contents: map[uint64]string{}}
	db := w.db
	idNumber := portal.SyntheticIDNumber(99, portal.Date{Year: 2007, Month: 8, Day: 9}).String()
	var err error
	w.person, err = db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13912345678", Name: "欧阳秘密人", Mobile: "13912345678",
		IDNumber: idNumber, PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "欧阳秘密人", "13912345678", idNumber, w.minor.IDNumber)

	// A draft with documents and a message with an attachment.
	w.draft = completeDraft(t, db, w.person, w.court, w.police)
	w.draft, err = db.UpdateDraft(w.draft.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber, c.OrganCaseNumber = "欧阳秘密人", idNumber, "(2023)秘刑初字第77号"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		content := fmt.Sprintf("%%PDF-1.4 DOC-CONTENT-SECRET-%d", 7731+i)
		d, err := db.AddDocument(w.draft.ID, portal.Document{Kind: portal.DocOther, Name: fmt.Sprintf("秘密%d.pdf", i), MediaType: portal.MediaPDF, UploadedBy: w.person.ID}, []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		w.docs, w.contents[d.ID] = append(w.docs, d), content
		w.secrets = append(w.secrets, content[len("%PDF-1.4 "):])
	}
	m, err := db.AddMessage(portal.Message{CaseID: w.draft.ID, From: w.person.ID, FromRole: portal.RoleMinor, Text: "MESSAGE-SECRET-5521",
		Documents: []portal.Document{{Name: "att.png", MediaType: portal.MediaPNG}}}, [][]byte{[]byte("\x89PNG\r\n\x1a\nATTACH-SECRET-9931")})
	if err != nil {
		t.Fatal(err)
	}
	w.docs, w.contents[m.Documents[0].ID] = append(w.docs, m.Documents[0]), "\x89PNG\r\n\x1a\nATTACH-SECRET-9931"
	ld := addLegacyDocument(t, db, w.draft.ID, portal.Document{Kind: portal.DocOther, Name: "old.pdf", MediaType: portal.MediaPDF, UploadedBy: w.person.ID},
		[]byte("%PDF-1.4 LEGACY-DOC-SECRET-6061"))
	w.docs, w.contents[ld.ID] = append(w.docs, ld), "%PDF-1.4 LEGACY-DOC-SECRET-6061"
	w.secrets = append(w.secrets, "LEGACY-DOC-SECRET-6061")
	w.secrets = append(w.secrets, "(2023)秘刑初字第77号", "MESSAGE-SECRET-5521", "ATTACH-SECRET-9931")

	// A second factor being enrolled.
	if w.totp, err = db.StartTOTPEnrolment(w.person.ID, "TOTPSECRETBASE32ABCDEFGH"); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, w.totp)

	// The eligibility check's answers between its pages.
	if _, err := db.SaveCheckAnswers("", []byte(`{"a":{"Birth":{"Year":"2007","Month":"8","Day":"9"}}}`)); err != nil {
		t.Fatal(err)
	}
	// A form kept across a sign-in (formstate.go).
	formHash := sha256.Sum256([]byte("form cookie"))
	if err := db.PutFormState(formHash[:], portal.FormState{Kind: portal.FormKept, AccountID: w.person.ID, Path: "/cases",
		Action: "/cases/1/messages", Values: map[string][]string{"text": {"FORM-STATE-SECRET-4411"}}, Expires: db.now().Add(portal.FormKeptAge)}); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "FORM-STATE-SECRET-4411")

	// A registration waiting for its code, a password reset and an e-mail
	// address waiting for confirmation (each also leaves an outbox row).
	if _, err := db.StartRegistration(portal.Account{Role: portal.RoleMinor, Login: "13700000077", Mobile: "13700000077", Name: "注册秘密人",
		IDNumber: portal.SyntheticIDNumber(98, portal.Date{Year: 2007, Month: 8, Day: 9}).String(), PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartPasswordReset("13912345678"); err != nil {
		t.Fatal(err)
	}
	if err := db.StartEmailConfirmation(w.person.ID, "secret.person@example.org"); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "注册秘密人", "13700000077", "secret.person@example.org")

	// An official's account just opened by an administrator: its one-time
	// password waits, sealed, on the handover page.
	if _, _, err := db.CreateOfficial(portal.NewOfficial{Role: portal.RoleCourt, Organ: "交付人民法院", Name: "交付法官"},
		"HandoverSecret2345678", func(string) (string, error) { return fakeHash, nil }, w.person.ID); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "HandoverSecret2345678")

	// A relief request with evidence, a message and a correction notice.
	spp, err := db.EnsureOrgan(portal.RoleSupervisor, "演示市人民检察院")
	if err != nil {
		t.Fatal(err)
	}
	sup, err := db.CreateAccount(portal.Account{Role: portal.RoleSupervisor, Login: "spp1", Name: "检察官", Organ: spp.Name, OrganID: spp.ID, PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	ans := reliefAnswers(w.cs.ID)
	ans.Description = "RELIEF-DESCRIPTION-SECRET 学校拒绝入学"
	r, err := db.CreateReliefDraft(ans, w.minor.ID)
	if err != nil {
		t.Fatal(err)
	}
	rdocs, err := db.AddReliefDocuments(r.ID, w.minor.ID, []portal.Document{{Name: "e.pdf", MediaType: portal.MediaPDF}},
		[][]byte{[]byte("%PDF-1.4 RELIEF-EVIDENCE-SECRET")})
	if err != nil {
		t.Fatal(err)
	}
	w.reliefDoc = rdocs[0]
	w.legacyRelief = addLegacyReliefDocument(t, db, r.ID, portal.Document{Name: "old.pdf", MediaType: portal.MediaPDF, UploadedBy: w.minor.ID},
		[]byte("%PDF-1.4 LEGACY-RELIEF-SECRET"))
	w.secrets = append(w.secrets, "LEGACY-RELIEF-SECRET")
	sup1 := func(st portal.ReliefStep) {
		t.Helper()
		st.Actor = portal.ReliefActorSupervisor
		if r, err = db.ApplyRelief(r.ID, ReliefStep{ReliefStep: st, AccountID: sup.ID, Role: portal.RoleSupervisor}, w.cal); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	if r, err = db.ApplyRelief(r.ID, ReliefStep{ReliefStep: portal.ReliefStep{Action: portal.ReliefSubmit, Actor: portal.ReliefActorApplicant},
		AccountID: w.minor.ID, Role: portal.RoleMinor}, w.cal); err != nil {
		t.Fatal(err)
	}
	sup1(portal.ReliefStep{Action: portal.ReliefAccept})
	if _, err := db.AddReliefMessage(portal.ReliefMessage{ReliefID: r.ID, From: w.minor.ID, FromRole: portal.RoleMinor, Text: "RELIEF-MESSAGE-SECRET"}, nil, w.cal); err != nil {
		t.Fatal(err)
	}
	sup1(portal.ReliefStep{Action: portal.ReliefIssueNotice, OrganID: w.police.ID, Note: "NOTICE-TEXT-SECRET-77"})
	w.relief = r
	notices, err := db.CorrectionNotices(w.police.ID)
	if err != nil || len(notices) != 1 {
		t.Fatalf("notices %v %v", notices, err)
	}
	w.notice = notices[0]
	w.secrets = append(w.secrets, "RELIEF-DESCRIPTION-SECRET", "RELIEF-EVIDENCE-SECRET", "RELIEF-MESSAGE-SECRET", "NOTICE-TEXT-SECRET-77")

	// A leak report with evidence and its tracking code.
	in := leakInput(portal.Date{Year: 2026, Month: 2, Day: 27})
	in.ContactName, in.Disclosed = "举报人秘密甲", "LEAK-DISCLOSED-SECRET"
	if _, err := db.SaveLeakDraft("token-secret-1", in, []portal.Document{{Name: "shot.png", MediaType: portal.MediaPNG}},
		[][]byte{[]byte("\x89PNG\r\n\x1a\nLEAK-EVIDENCE-SECRET-4411")}); err != nil {
		t.Fatal(err)
	}
	if draft, err := db.LeakDraft("token-secret-1"); err != nil {
		t.Fatal(err)
	} else {
		w.legacyLeak = addLegacyLeakDocument(t, db, draft.ID, portal.Document{Name: "old.png", MediaType: portal.MediaPNG},
			[]byte("\x89PNG\r\n\x1a\nLEGACY-LEAK-SECRET"))
	}
	w.secrets = append(w.secrets, "LEGACY-LEAK-SECRET")
	if w.leak, w.leakCode, err = db.SubmitLeakReport("token-secret-1", w.cal, "req-1"); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "举报人秘密甲", "LEAK-DISCLOSED-SECRET", "LEAK-EVIDENCE-SECRET-4411", w.leakCode)

	// A query of the sealed record, a certificate and an unsealing event.
	unit := queriesUnit(t, db, "unit-1", portal.QueryUnitRegulated)
	qin := queriesRequest(w.minor.IDNumber)
	qin.Reason = "QUERY-REASON-SECRET"
	if w.query, err = db.CreateQuery(qin, unit, w.cal, "r1"); err != nil {
		t.Fatal(err)
	}
	w.cert = w.request(t)
	w.secrets = append(w.secrets, "QUERY-REASON-SECRET")
	if w.cert.Code != "" {
		w.secrets = append(w.secrets, w.cert.Code)
	}
	court := Step{AccountID: 5, Role: portal.RoleCourt, OrganID: w.court.ID}
	if _, _, err := db.RecordUnsealingEvent(w.cs.ID, portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: portal.UnsealingAdultCrime,
		ActDate: portal.Date{Year: 2025, Month: 1, Day: 1}, CombinedMonths: 120}, LegalBasis: "UNSEALING-BASIS-SECRET"}, court, w.cal); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "UNSEALING-BASIS-SECRET")
	// Issue 18: a recorded unsealing rejected by a second official, whose
	// reasons are sealed with the record (and the case stays completed).
	if _, _, err := db.RecordUnsealingEvent(w.cs.ID, portal.UnsealingRecord{Event: portal.UnsealingEvent{Kind: portal.UnsealingRetrial,
		CombinedMonths: 80}, LegalBasis: "再审判决"}, court, w.cal); err != nil {
		t.Fatal(err)
	}
	if _, c, err := db.DecideUnsealingApproval(w.cs.ID, UnsealingDecision{Approval: portal.UnsealingApproval{Verdict: portal.ApprovalReject,
		Reasons: "APPROVAL-REASONS-SECRET"}}, Step{AccountID: 6, Role: portal.RoleCourt, OrganID: w.court.ID}, w.cal); err != nil || c.Status != portal.StatusCompleted {
		t.Fatalf("rejected unsealing: %v", err)
	}
	w.secrets = append(w.secrets, "APPROVAL-REASONS-SECRET")
	// Issue 18: a results page of the workbench (sealed: which cases).
	if _, err := db.SaveBulkResult(5, []uint64{w.cs.ID}, nil, 0); err != nil {
		t.Fatal(err)
	}
	// Issue 16: a lawyer's kept search term.
	if err := db.PutDeskSearch(w.person.ID, "desk-token", "DESK-SEARCH-SECRET 王小明"); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "DESK-SEARCH-SECRET")
	w.secrets = append(w.secrets, legalDocsSealedWorld(t, db, w.cs.ID, w.court.ID)...)
	// A supervision opinion on the case (oversight.go).
	if _, err := db.IssueOpinion(portal.Opinion{Kind: portal.OpinionCorrection, Subject: portal.OpinionOnCase, OrganID: w.cs.DecidingOrganID,
		CaseIDs: []uint64{w.cs.ID}, Facts: "OPINION-FACTS-SECRET", Request: "OPINION-REQUEST-SECRET", Citations: []string{"cpl-286"},
		Due: portal.DateOf(db.now()).AddDays(10)}, sup, portal.DateOf(db.now()).AddDays(60), func(string) bool { return true }, "r"); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "OPINION-FACTS-SECRET", "OPINION-REQUEST-SECRET")
	// Issue 17: an organ's bulk body waiting to be decided (ingest.go).
	if _, err := db.ReceiveIngest(w.court.ID, APIClient{}, strings.NewReader(`{"record_id":"INGEST-BODY-SECRET"}`+"\n"), "r"); err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "INGEST-BODY-SECRET")
	return w
}

// readBack reads every kind of record through the store's own methods and
// compares it with what was written.
func (w *sealedWorld) readBack(t *testing.T) {
	t.Helper()
	db := w.db
	if term, err := db.DeskSearch(w.person.ID, "desk-token"); err != nil || term != "DESK-SEARCH-SECRET 王小明" {
		t.Fatalf("desk search: %q %v", term, err)
	}
	if a, err := db.Account(w.person.ID); err != nil || a.Name != "欧阳秘密人" || a.Mobile != "13912345678" {
		t.Errorf("account: %+v %v", a, err)
	}
	if a, err := db.AccountByLogin("13912345678"); err != nil || a.ID != w.person.ID {
		t.Errorf("account by login: %v", err)
	}
	var c portal.Case
	if err := db.view(func(tx kv.Tx) (err error) { c, err = db.getCase(tx, w.draft.ID); return }); err != nil || c.PersonName != "欧阳秘密人" {
		t.Errorf("case: %v", err)
	}
	for _, d := range w.docs {
		if got, err := db.DocumentContent(w.draft.ID, d.ID); err != nil || string(got) != w.contents[d.ID] {
			t.Errorf("document %d: %q %v", d.ID, got, err)
		}
	}
	if ms, err := db.Messages(w.draft.ID); err != nil || len(ms) != 1 || ms[0].Text != "MESSAGE-SECRET-5521" {
		t.Errorf("messages: %+v %v", ms, err)
	}
	if secret, err := db.StartTOTPEnrolment(w.person.ID, "OTHER"); err != nil || secret != w.totp {
		t.Errorf("totp: %q %v", secret, err)
	}
	if r, err := db.Relief(w.relief.ID); err != nil || r.Description != "RELIEF-DESCRIPTION-SECRET 学校拒绝入学" {
		t.Errorf("relief: %v", err)
	}
	if got, err := db.ReliefDocumentContent(w.relief.ID, w.reliefDoc.ID); err != nil || string(got) != "%PDF-1.4 RELIEF-EVIDENCE-SECRET" {
		t.Errorf("relief document: %v", err)
	}
	if got, err := db.ReliefDocumentContent(w.relief.ID, w.legacyRelief.ID); err != nil || string(got) != "%PDF-1.4 LEGACY-RELIEF-SECRET" {
		t.Errorf("relief document of the old form: %v", err)
	}
	if _, got, err := db.LeakDocumentForSupervisor(w.leak.ID, w.legacyLeak.ID, portal.Account{ID: 99, Role: portal.RoleSupervisor}, portal.FreshFactor{}, "r"); err != nil || !bytes.Contains(got, []byte("LEGACY-LEAK-SECRET")) {
		t.Errorf("leak document of the old form: %v", err)
	}
	if ms, err := db.ReliefMessages(w.relief.ID); err != nil || len(ms) == 0 {
		t.Errorf("relief messages: %v", err)
	}
	if n, err := db.CorrectionNotice(w.notice.ID); err != nil || n.Text != "NOTICE-TEXT-SECRET-77" {
		t.Errorf("notice: %+v %v", n, err)
	}
	var q portal.Query
	if err := db.view(func(tx kv.Tx) (err error) { q, err = db.getQuery(tx, w.query.ID); return }); err != nil || q.Reason != "QUERY-REASON-SECRET" {
		t.Errorf("query: %v", err)
	}
	var cert portal.Certificate
	if err := db.view(func(tx kv.Tx) (err error) { cert, err = db.getCertificate(tx, w.cert.ID); return }); err != nil || cert.PersonIDNumber != w.minor.IDNumber {
		t.Errorf("certificate: %v", err)
	}
	if us, err := db.UnsealingsOfCase(w.cs.ID); err != nil || len(us) != 2 || us[0].LegalBasis != "UNSEALING-BASIS-SECRET" ||
		us[1].Approval == nil || us[1].Approval.Reasons != "APPROVAL-REASONS-SECRET" {
		t.Errorf("unsealings: %+v %v", us, err)
	}
	var l portal.LeakReport
	if err := db.view(func(tx kv.Tx) (err error) { l, err = db.getLeak(tx, w.leak.ID); return }); err != nil || l.ContactName != "举报人秘密甲" {
		t.Errorf("leak: %v", err)
	}
	sup := portal.Account{ID: 99, Role: portal.RoleSupervisor}
	if _, got, err := db.LeakDocumentForSupervisor(w.leak.ID, w.leak.Documents[0].ID, sup, portal.FreshFactor{}, "r"); err != nil || !bytes.Contains(got, []byte("LEAK-EVIDENCE-SECRET-4411")) {
		t.Errorf("leak document: %v", err)
	}
	w.openEverything(t)
}

// openEverything decrypts every ciphertext of every registered bucket with
// the binding the registry derives, so that a registry entry that names the
// wrong kind, id or field fails here.
func (w *sealedWorld) openEverything(t *testing.T) map[string]int {
	t.Helper()
	db := w.db
	counts := map[string]int{}
	for i := range sealedBuckets {
		sb := &sealedBuckets[i]
		var owners map[uint64]uint64
		if sb.owners != nil {
			var err error
			if owners, err = db.ownerMap(sb); err != nil {
				t.Fatal(err)
			}
		}
		err := db.view(func(tx kv.Tx) error {
			b := tx.Bucket(sb.bucket)
			if b == nil {
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				cts, _, err := sb.ciphertextsOf(v)
				if err != nil {
					return err
				}
				for _, sv := range cts {
					owner, ok := owners[btoi(k)]
					if sb.owners != nil && !ok {
						return fmt.Errorf("%s %x: no owner", sb.bucket, k)
					}
					id, field := sb.at(k, sv.member, owner)
					if _, err := db.crypt.open(sb.kind, id, field, sv.ct); err != nil {
						return fmt.Errorf("%s %x: %w", sb.bucket, k, err)
					}
					counts[string(sb.bucket)]++
				}
				return nil
			})
		})
		if err != nil {
			t.Errorf("open everything: %v", err)
		}
	}
	return counts
}

func keyStates(t *testing.T, db *DB) map[byte]KeyInfo {
	t.Helper()
	ks, err := db.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	out := map[byte]KeyInfo{}
	for _, k := range ks {
		out[k.ID] = k
	}
	return out
}

// The world has a value in every registered bucket, so the rotation tests
// below cover every kind.
func TestSealedWorldCoversEveryKind(t *testing.T) {
	t.Parallel()
	w := newSealedWorld(t)
	counts := w.openEverything(t)
	for _, sb := range sealedBuckets {
		if counts[string(sb.bucket)] == 0 {
			t.Errorf("no sealed value in %s: the world misses kind %s", sb.bucket, sb.kind)
		}
	}
}

// A rotation makes a new key active, re-encrypts every value, retires the old
// key and deletes its material; everything reads back, also after a restart.
func TestRotateDataKeys(t *testing.T) {
	t.Parallel()
	w := newSealedWorld(t)
	db := w.db
	before, err := db.KeyUse()
	if err != nil || len(before) != 1 || before[1] == 0 {
		t.Fatalf("before: %v %v", before, err)
	}
	var progress []RotateProgress
	rep, err := db.RotateDataKeys(context.Background(), RotateOptions{BatchValues: 5, Progress: func(p RotateProgress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Resumed || rep.Active != 2 || len(rep.Retired) != 1 || rep.Retired[0] != 1 || rep.Reencrypted == 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.Batches < 2 || len(progress) < rep.Batches {
		t.Fatalf("%d batches, %d progress reports: batches are not bounded", rep.Batches, len(progress))
	}
	after, err := db.KeyUse()
	if err != nil || len(after) != 1 || after[2] == 0 {
		t.Fatalf("after: %v %v", after, err)
	}
	states := keyStates(t, db)
	if states[1].State != KeyRetired || states[1].HasKey || states[1].Retired.IsZero() || states[2].State != KeyActive || !states[2].HasKey {
		t.Fatalf("keyring %+v", states)
	}
	w.readBack(t)
	// The rotation is in the audit log (key ids only), and the log verifies.
	if got := keyAuditTrail(t, db); got != "key_activated 2, key_retired 1" {
		t.Fatalf("audit trail of the rotation: %q", got)
	}
	// New writes use the new key; nothing knows key 1 any more.
	if _, ok := db.crypt.keys.Load().byID[1]; ok {
		t.Fatal("retired key still in memory")
	}
	w.db = reopenTestDB(t, db)
	w.readBack(t)
	// A second rotation retires key 2 the same way.
	if rep, err = w.db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil || rep.Active != 3 || len(rep.Retired) != 1 || rep.Retired[0] != 2 {
		t.Fatalf("second rotation: %+v %v", rep, err)
	}
	w.readBack(t)
}

// A rotation stopped after a few batches (as by a crash) leaves both keys in
// use and readable; run again it creates no third key, skips what is already
// under the new key and finishes.
func TestRotateResumesAfterInterruption(t *testing.T) {
	t.Parallel()
	w := newSealedWorld(t)
	db := w.db
	total, _ := db.KeyUse()
	_, err := db.RotateDataKeys(context.Background(), RotateOptions{BatchValues: 3, stopAfter: 2})
	if !errors.Is(err, errRotationStopped) {
		t.Fatalf("stop: %v", err)
	}
	use, _ := db.KeyUse()
	if use[1] == 0 || use[2] == 0 {
		t.Fatalf("after two batches: %v, want both keys in use", use)
	}
	states := keyStates(t, db)
	if states[1].State != KeyRetiring || states[2].State != KeyActive {
		t.Fatalf("keyring %+v", states)
	}
	// The process dies: reopen, everything still reads.
	w.db = reopenTestDB(t, db)
	db = w.db
	w.readBack(t)
	rep, err := db.RotateDataKeys(context.Background(), RotateOptions{BatchValues: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Resumed || rep.Active != 2 || len(rep.Retired) != 1 || rep.Retired[0] != 1 {
		t.Fatalf("resumed: %+v", rep)
	}
	if rep.Reencrypted >= total[1] {
		t.Fatalf("resumed rotation re-encrypted %d of %d values: it did not skip those already done", rep.Reencrypted, total[1])
	}
	if len(keyStates(t, db)) != 2 {
		t.Fatal("a resumed rotation made another key")
	}
	w.readBack(t)
}

// The portal keeps writing during a rotation: writes between batches land
// under the new key and the rotation still finishes.
func TestRotateWhileWriting(t *testing.T) {
	t.Parallel()
	w := newSealedWorld(t)
	db := w.db
	n := 0
	rep, err := db.RotateDataKeys(context.Background(), RotateOptions{BatchValues: 2, Progress: func(RotateProgress) {
		n++
		if _, err := db.CreateAccount(testCitizen(portal.RoleMinor, fmt.Sprintf("1370000%04d", n), uint64(200+n)), 0); err != nil {
			t.Error(err)
		}
	}})
	if err != nil || len(rep.Retired) != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if use, _ := db.KeyUse(); len(use) != 1 || use[2] == 0 {
		t.Fatalf("use %v", use)
	}
	w.readBack(t)
}

// A ciphertext copied to another record, field or kind does not decrypt:
// the binding survives re-encryption.
func TestMovedCiphertextFailsAfterRotation(t *testing.T) {
	t.Parallel()
	w := newSealedWorld(t)
	db := w.db
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Document 1 of the draft moved onto document 2's key: its row, and,
	// for documents of the old form, its sealed content.
	a, b := w.docs[0].ID, w.docs[1].ID
	err := db.update(func(tx kv.Tx) error {
		docs := tx.Bucket(bucketDocumentRefs)
		if err := docs.Put(itob(b), copyBytes(docs.Get(itob(a)))); err != nil {
			return err
		}
		old := tx.Bucket(bucketDocuments)
		return old.Put(itob(999999), copyBytes(old.Get(itob(w.docs[len(w.docs)-1].ID))))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DocumentContent(w.draft.ID, b); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("moved document: %v", err)
	}
	if _, err := db.DocumentContent(w.draft.ID, 999999); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("moved document of the old form: %v", err)
	}
	// The same document asked for under another case.
	if _, err := db.DocumentContent(w.cs.ID, a); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("document of another case: %v", err)
	}
	// An account's name moved into its mobile field, and a case body onto another case.
	ct := db.crypt.seal(kindAccount, w.person.ID, "name", []byte("x"))
	if _, err := db.crypt.open(kindAccount, w.person.ID, "mobile", ct); err == nil {
		t.Fatal("a name decrypted as a mobile")
	}
	if _, err := db.crypt.open(kindAccount, w.person.ID+1, "name", ct); err == nil {
		t.Fatal("a name decrypted on another account")
	}
	err = db.update(func(tx kv.Tx) error {
		cs := tx.Bucket(bucketCases)
		return cs.Put(itob(w.cs.ID), copyBytes(cs.Get(itob(w.draft.ID))))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.view(func(tx kv.Tx) error { _, err := db.getCase(tx, w.cs.ID); return err }); err == nil {
		t.Fatal("a case body moved to another case decrypted")
	}
}

// A ciphertext naming a key the keyring no longer has fails with a clear
// error, not garbage.
func TestRetiredKeyCannotOpen(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	old := db.crypt.seal(kindAccount, 7, "name", []byte("x"))
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.crypt.open(kindAccount, 7, "name", old); err == nil {
		t.Fatal("a value under a retired key decrypted")
	}
}

// Only one rotation at a time.
func TestRotateBusy(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	db.ring.mu.Lock()
	_, err := db.RotateDataKeys(context.Background(), RotateOptions{})
	db.ring.mu.Unlock()
	if !errors.Is(err, ErrRotationBusy) {
		t.Fatalf("got %v", err)
	}
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Every top-level bucket of a database with every migration applied is
// either in the registry of sealed values or in the plaintext list with a
// reason, never both; and every listed bucket exists. A new bucket fails
// here until someone decides which it is.
func TestEveryBucketIsClassified(t *testing.T) {
	t.Parallel()
	w := newSealedWorld(t) // also creates the buckets made on first write (totp)
	sealed := map[string]bool{}
	for _, sb := range sealedBuckets {
		if sealed[string(sb.bucket)] {
			t.Errorf("bucket %s twice in the registry", sb.bucket)
		}
		sealed[string(sb.bucket)] = true
		if _, ok := plaintextBuckets[string(sb.bucket)]; ok {
			t.Errorf("bucket %s is both sealed and plaintext", sb.bucket)
		}
	}
	for name, why := range plaintextBuckets {
		if why == "" {
			t.Errorf("plaintext bucket %s has no reason", name)
		}
	}
	seen := map[string]bool{}
	err := w.db.view(func(tx kv.Tx) error {
		return tx.ForEachBucket(func(name []byte) error {
			b := tx.Bucket(name)
			seen[string(name)] = true
			if !sealed[string(name)] {
				if _, ok := plaintextBuckets[string(name)]; !ok {
					t.Errorf("bucket %s is neither in the registry of sealed values (rotate.go) nor in plaintextBuckets", name)
				}
			}
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					t.Errorf("bucket %s has a nested bucket %q: classify it", name, k)
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range sealed {
		if !seen[name] {
			t.Errorf("registered bucket %s does not exist", name)
		}
	}
	for name := range plaintextBuckets {
		if !seen[name] {
			t.Errorf("plaintext bucket %s does not exist", name)
		}
	}
}

// Rotation of a fresh database with nothing sealed is quick and harmless.
func TestRotateEmpty(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	start := time.Now()
	rep, err := db.RotateDataKeys(context.Background(), RotateOptions{})
	if err != nil || rep.Active != 2 || rep.Reencrypted != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("slow")
	}
}

// Every call of seal, sealString or sealJSON in the store's source seals a
// kind and field the registry knows, and every registry entry is used: a new
// sealed kind, or a changed binding, fails here until the registry (and so
// the rotation) knows it. Kinds and fields passed through helper functions
// (certPut) are followed to the helpers' callers.
func TestEverySealCallIsRegistered(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	consts := map[string]string{}
	var decls []*ast.FuncDecl
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok != token.CONST {
					continue
				}
				for _, sp := range d.Specs {
					vs := sp.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								consts[n.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				}
			case *ast.FuncDecl:
				decls = append(decls, d)
			}
		}
	}
	calledName := func(call *ast.CallExpr) string {
		switch fn := call.Fun.(type) {
		case *ast.SelectorExpr:
			return fn.Sel.Name
		case *ast.Ident:
			return fn.Name
		}
		return ""
	}
	paramIndex := func(fd *ast.FuncDecl, name string) int {
		i := 0
		for _, f := range fd.Type.Params.List {
			for _, n := range f.Names {
				if n.Name == name {
					return i
				}
				i++
			}
		}
		return -1
	}
	// resolve lists the string values expr can have inside fd.
	var resolve func(expr ast.Expr, fd *ast.FuncDecl, depth int) ([]string, error)
	resolve = func(expr ast.Expr, fd *ast.FuncDecl, depth int) ([]string, error) {
		switch e := expr.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return []string{s}, err
		case *ast.CallExpr:
			if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(e.Args) > 0 {
				return resolve(e.Args[0], fd, depth)
			}
		case *ast.Ident:
			if v, ok := consts[e.Name]; ok {
				return []string{v}, nil
			}
			idx := paramIndex(fd, e.Name)
			if idx < 0 || depth > 3 {
				break
			}
			var out []string
			for _, caller := range decls {
				var err error
				ast.Inspect(caller, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok || calledName(call) != fd.Name.Name || idx >= len(call.Args) || err != nil {
						return true
					}
					var vs []string
					vs, err = resolve(call.Args[idx], caller, depth+1)
					out = append(out, vs...)
					return true
				})
				if err != nil {
					return nil, err
				}
			}
			if len(out) == 0 {
				return nil, fmt.Errorf("parameter %s of %s: no caller found", e.Name, fd.Name.Name)
			}
			return out, nil
		}
		return nil, fmt.Errorf("cannot tell the value of %s at %s", types(expr), fset.Position(expr.Pos()))
	}
	used := map[string]bool{}
	for _, fd := range decls {
		if fd.Recv != nil {
			if rt := fmt.Sprint(fd.Recv.List[0].Type); strings.Contains(rt, "crypter") || strings.Contains(rt, "dataKey") {
				continue // the crypter's own forms of seal
			}
			if isSealerReceiver(fd.Recv.List[0].Type) {
				continue // a stash's or file kind's binding is checked from its registration below
			}
		}
		ast.Inspect(fd, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch calledName(call) {
			case "seal", "sealString", "sealJSON":
			default:
				return true
			}
			if len(call.Args) < 3 {
				return true
			}
			pos := fset.Position(call.Pos())
			kinds, err := resolve(call.Args[0], fd, 0)
			if err != nil {
				t.Errorf("%s: kind: %v", pos, err)
				return true
			}
			fields, err := resolve(call.Args[2], fd, 0)
			if err != nil {
				t.Errorf("%s: field: %v", pos, err)
				return true
			}
			for _, k := range kinds {
				for _, f := range fields {
					i := slices.IndexFunc(sealedBuckets, func(sb sealedBucket) bool { return sb.kind == k && slices.Contains(sb.fields, f) })
					if i < 0 {
						t.Errorf("%s: seals kind %q field %q, which the registry in rotate.go does not know: a rotation would leave it under the old key", pos, k, f)
						continue
					}
					used[k+"\x00"+f] = true
				}
			}
			return true
		})
	}
	for _, st := range sealers {
		if !slices.ContainsFunc(sealedBuckets, func(sb sealedBucket) bool { return sb.kind == st.kind && slices.Contains(sb.fields, st.field) }) {
			t.Errorf("a stash or file kind seals kind %q field %q, which the registry in rotate.go does not know", st.kind, st.field)
		}
		used[st.kind+"\x00"+st.field] = true
	}
	for _, sb := range sealedBuckets {
		for _, f := range sb.fields {
			if !used[sb.kind+"\x00"+f] {
				t.Errorf("registry entry %s field %q is sealed nowhere", sb.kind, f)
			}
		}
	}
}

// isSealerReceiver reports whether a method's receiver is a stash (stash.go)
// or a tracked file kind (trackedfile.go).
func isSealerReceiver(e ast.Expr) bool {
	if st, ok := e.(*ast.StarExpr); ok {
		e = st.X
	}
	switch ix := e.(type) {
	case *ast.IndexExpr:
		e = ix.X
	case *ast.IndexListExpr:
		e = ix.X
	}
	id, ok := e.(*ast.Ident)
	return ok && (id.Name == "stash" || id.Name == "fileKind")
}

func types(e ast.Expr) string { return fmt.Sprintf("%T", e) }

// keyAuditTrail lists the key entries of the audit log, after checking that
// the log verifies.
func keyAuditTrail(t *testing.T, db *DB) string {
	t.Helper()
	if rep, err := db.VerifyAudit(); err != nil || !rep.OK {
		t.Fatalf("verify audit: %+v %v", rep, err)
	}
	var out []string
	for from := uint64(0); ; {
		evs, err := db.AuditEntries(from, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			if ev.SubjectKind == "data_key" {
				out = append(out, fmt.Sprintf("%s %d", ev.Action, ev.SubjectID))
			}
			from = ev.Seq + 1
		}
	}
	return strings.Join(out, ", ")
}
