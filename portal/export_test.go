package portal

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestExportRelation(t *testing.T) {
	for _, tc := range []struct {
		filer bool
		cap   FilerCapacity
		want  string
	}{
		{true, CapacitySelf, ExportRelApplicant},
		{true, CapacityGuardian, ExportRelGuardian},
		{true, CapacityLawyer, ExportRelLawyer},
		{false, CapacityGuardian, ExportRelPerson},
		{false, CapacitySelf, ExportRelPerson},
	} {
		if got := ExportRelation(tc.filer, tc.cap); got != tc.want {
			t.Errorf("ExportRelation(%v, %s) = %s, want %s", tc.filer, tc.cap, got, tc.want)
		}
	}
}

func TestAccessDutyAndIsAccess(t *testing.T) {
	for detail, want := range map[string]string{"case_duty": "case_duty", "supervision:document:4": "supervision", "": "other", "x": "other"} {
		if got := AccessDuty(detail); got != want {
			t.Errorf("AccessDuty(%q) = %q, want %q", detail, got, want)
		}
	}
	for _, tc := range []struct {
		ev   AuditEvent
		want bool
	}{
		{AuditEvent{Action: AuditSealedRead, ActorRole: RoleCourt}, true},
		{AuditEvent{Action: AuditDocumentRead, ActorRole: RoleQueryingUnit}, true},
		{AuditEvent{Action: AuditQueryReadRefused, ActorRole: RoleQueryingUnit}, true},
		{AuditEvent{Action: AuditSealedRead, ActorRole: RoleMinor}, false}, // the person's own reads are not "looking at his record"
		{AuditEvent{Action: AuditCaseStep, ActorRole: RoleCourt}, false},
	} {
		if got := IsAccess(tc.ev); got != tc.want {
			t.Errorf("IsAccess(%+v) = %v, want %v", tc.ev, got, tc.want)
		}
	}
}

// A case as the case page shows it: the filer gets his own answers, the
// person (filed by someone else) does not; no official's id or name, no
// co-offender's case number (R20, R22).
func TestExportCaseVisibility(t *testing.T) {
	c := Case{ID: 3, Ref: "FC-2026-000003", Status: StatusSealed, Capacity: CapacityGuardian, PersonName: "张小明",
		PersonIDNumber: SyntheticIDNumber(1, Date{Year: 2008, Month: 1, Day: 2}).String(), DecidingOrganID: 1,
		CoOffenderCases: []string{"(2023)成年同案犯第9号"}, HoldingOrganIDs: []uint64{1, 2},
		Confirmations: map[uint64]time.Time{1: time.Unix(100, 0)},
		Events:        []CaseEvent{{ActorID: 777, ActorRole: RoleCourt, OrganID: 1, Action: ActionSeal, From: StatusUnderReview, To: StatusSealed, Note: "依法封存"}},
		Documents:     []Document{{ID: 9, Kind: DocJudgment, Name: "j.pdf", UploadedBy: 10}}}
	organ := func(id uint64) string { return map[uint64]string{1: "演示法院", 2: "演示公安"}[id] }
	msgs := []Message{{From: 777, FromRole: RoleCourt, OrganID: 1, Text: "已封存"}, {From: 10, FromRole: RoleGuardian, Text: "谢谢"}}

	g := ExportCase(c, true, 10, msgs, organ)
	if g.Relation != ExportRelGuardian || g.Application == nil || g.Application.PersonName != "张小明" || g.Deletable {
		t.Errorf("filer's view: %+v", g)
	}
	if !g.Documents[0].UploadedByYou || !g.Messages[1].FromYou || g.Messages[0].FromOrgan != "演示法院" {
		t.Errorf("documents/messages: %+v %+v", g.Documents, g.Messages)
	}
	if len(g.HoldingOrgans) != 2 || !g.HoldingOrgans[0].Confirmed || g.HoldingOrgans[1].Confirmed {
		t.Errorf("holders: %+v", g.HoldingOrgans)
	}
	p := ExportCase(c, false, 11, msgs, organ)
	if p.Relation != ExportRelPerson || p.Application != nil {
		t.Errorf("person's view carries the filer's answers: %+v", p.Application)
	}
	for _, e := range []ExportedCase{g, p} {
		raw, _ := json.Marshal(e)
		for _, leak := range []string{"777", "成年同案犯"} {
			if strings.Contains(string(raw), leak) {
				t.Errorf("export of the case contains %q: %s", leak, raw)
			}
		}
	}
	if d := ExportCase(Case{ID: 4, Status: StatusDraft}, true, 10, nil, organ); !d.Deletable {
		t.Error("a draft never sent is deletable by its filer")
	}
	if d := ExportCase(Case{ID: 4, Status: StatusDraft}, false, 10, nil, organ); d.Deletable {
		t.Error("only the filer deletes a draft")
	}
}

// A leak report as its reporter reads it: the supervisor's internal notes,
// the source it found and the name of the person found responsible stay
// with the supervisor; the concerned person's number is masked.
func TestExportLeakHidesSupervisorsNotes(t *testing.T) {
	id := SyntheticIDNumber(2, Date{Year: 2008, Month: 1, Day: 2}).String()
	r := LeakReport{ID: 1, Ref: "LK-2026-000001", Status: LeakClosed, PersonIDNumber: id, Disclosed: "公告栏",
		Events:  []LeakEvent{{Action: LeakRecordFindings, Public: "已核实", Internal: "内部备注", Findings: &LeakFindings{SourceIdentified: true, Source: "某派出所民警"}}},
		Outcome: &LeakOutcome{Responsible: LeakResponsibleOfficial, ResponsibleName: "民警王某", Measure: LeakMeasureDiscipline, Summary: "已处分"}}
	raw, _ := json.Marshal(ExportLeak(r))
	for _, leak := range []string{"内部备注", "某派出所民警", "民警王某", id} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("reporter's export contains %q", leak)
		}
	}
	for _, want := range []string{"已核实", "已处分", "公告栏"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("reporter's export lacks %q", want)
		}
	}
}

// The account leaves without its secrets.
func TestExportAccountOfHasNoSecret(t *testing.T) {
	a := Account{ID: 1, Role: RoleMinor, Name: "张小明", PasswordHash: "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", FailedLogins: 3, TOTPEnabled: true}
	raw, _ := json.Marshal(ExportAccountOf(a, time.Time{}))
	if strings.Contains(string(raw), "$argon2id") || strings.Contains(string(raw), "failed") {
		t.Errorf("account export: %s", raw)
	}
	if !ExportAccountOf(a, time.Time{}).TwoFactorEnabled {
		t.Error("two-step verification is on")
	}
}
