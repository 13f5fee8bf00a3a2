package portal

import (
	"strings"
	"testing"
)

var (
	reliefAllActions = []ReliefAction{ReliefCreate, ReliefSubmit, ReliefAccept, ReliefDecline, ReliefAskInfo, ReliefProvideInfo,
		ReliefRecordStep, ReliefIssueNotice, ReliefNoticeAnswered, ReliefClose, ReliefWithdraw}
	reliefAllActors = []ReliefActor{ReliefActorApplicant, ReliefActorSupervisor, ReliefActorOrgan}
)

// Every row of the relief table is allowed, and every other (status, action,
// actor) combination is refused with a conflict.
func TestReliefTransitionsExhaustive(t *testing.T) {
	allowed := map[ReliefTransition]bool{}
	for _, tr := range ReliefTransitions {
		allowed[ReliefTransition{tr.From, tr.Action, tr.Actor, ""}] = true
	}
	var yes, no int
	for _, from := range append([]ReliefStatus{""}, ReliefStatuses...) {
		for _, a := range reliefAllActions {
			for _, who := range reliefAllActors {
				to, err := NextRelief(from, a, who)
				if allowed[ReliefTransition{from, a, who, ""}] {
					yes++
					if err != nil || !to.Valid() {
						t.Errorf("NextRelief(%q, %s, %s) = %q, %v; want allowed", from, a, who, to, err)
					}
					continue
				}
				no++
				if err == nil {
					t.Errorf("NextRelief(%q, %s, %s) = %q; want refused", from, a, who, to)
				} else if ErrorCode(err) != CodeConflict {
					t.Errorf("NextRelief(%q, %s, %s) code %s; want conflict", from, a, who, ErrorCode(err))
				}
			}
		}
	}
	if yes != len(ReliefTransitions) {
		t.Fatalf("checked %d allowed transitions, table has %d (duplicate rows?)", yes, len(ReliefTransitions))
	}
	t.Logf("%d relief transitions allowed, %d refused", yes, no)
}

// R24: the procedure as it is lived, and the refusals that matter.
func TestReliefTransitionsTable(t *testing.T) {
	tests := []struct {
		name   string
		from   ReliefStatus
		action ReliefAction
		actor  ReliefActor
		want   ReliefStatus // "" means refused
	}{
		{"create", "", ReliefCreate, ReliefActorApplicant, ReliefDraft},
		{"submit", ReliefDraft, ReliefSubmit, ReliefActorApplicant, ReliefSubmitted},
		{"accept", ReliefSubmitted, ReliefAccept, ReliefActorSupervisor, ReliefAccepted},
		{"decline", ReliefSubmitted, ReliefDecline, ReliefActorSupervisor, ReliefDeclined},
		{"decline while waiting", ReliefInfoRequested, ReliefDecline, ReliefActorSupervisor, ReliefDeclined},
		{"ask before deciding", ReliefSubmitted, ReliefAskInfo, ReliefActorSupervisor, ReliefInfoRequested},
		{"ask while acting", ReliefAccepted, ReliefAskInfo, ReliefActorSupervisor, ReliefAccepted},
		{"answer", ReliefInfoRequested, ReliefProvideInfo, ReliefActorApplicant, ReliefSubmitted},
		{"step", ReliefAccepted, ReliefRecordStep, ReliefActorSupervisor, ReliefAccepted},
		{"notice", ReliefAccepted, ReliefIssueNotice, ReliefActorSupervisor, ReliefAccepted},
		{"notice answered", ReliefAccepted, ReliefNoticeAnswered, ReliefActorOrgan, ReliefAccepted},
		{"notice answered after closing", ReliefClosed, ReliefNoticeAnswered, ReliefActorOrgan, ReliefClosed},
		{"notice answered after withdrawal", ReliefWithdrawn, ReliefNoticeAnswered, ReliefActorOrgan, ReliefWithdrawn},
		{"close", ReliefAccepted, ReliefClose, ReliefActorSupervisor, ReliefClosed},
		{"withdraw submitted", ReliefSubmitted, ReliefWithdraw, ReliefActorApplicant, ReliefWithdrawn},
		{"withdraw waiting", ReliefInfoRequested, ReliefWithdraw, ReliefActorApplicant, ReliefWithdrawn},
		{"withdraw accepted", ReliefAccepted, ReliefWithdraw, ReliefActorApplicant, ReliefWithdrawn},

		{"no withdrawal after closing", ReliefClosed, ReliefWithdraw, ReliefActorApplicant, ""},
		{"no withdrawal after declining", ReliefDeclined, ReliefWithdraw, ReliefActorApplicant, ""},
		{"a draft is not withdrawn", ReliefDraft, ReliefWithdraw, ReliefActorApplicant, ""},
		{"no closing before accepting", ReliefSubmitted, ReliefClose, ReliefActorSupervisor, ""},
		{"no closing twice", ReliefClosed, ReliefClose, ReliefActorSupervisor, ""},
		{"no steps before accepting", ReliefSubmitted, ReliefRecordStep, ReliefActorSupervisor, ""},
		{"no notice before accepting", ReliefSubmitted, ReliefIssueNotice, ReliefActorSupervisor, ""},
		{"no notice after closing", ReliefClosed, ReliefIssueNotice, ReliefActorSupervisor, ""},
		{"no accepting twice", ReliefAccepted, ReliefAccept, ReliefActorSupervisor, ""},
		{"no accepting a draft", ReliefDraft, ReliefAccept, ReliefActorSupervisor, ""},
		{"no declining after accepting", ReliefAccepted, ReliefDecline, ReliefActorSupervisor, ""},
		{"no reopening a declined request", ReliefDeclined, ReliefAccept, ReliefActorSupervisor, ""},
		{"the applicant does not accept", ReliefSubmitted, ReliefAccept, ReliefActorApplicant, ""},
		{"the applicant does not close", ReliefAccepted, ReliefClose, ReliefActorApplicant, ""},
		{"the supervisor does not withdraw", ReliefAccepted, ReliefWithdraw, ReliefActorSupervisor, ""},
		{"the supervisor does not answer for the applicant", ReliefInfoRequested, ReliefProvideInfo, ReliefActorSupervisor, ""},
		{"no answer without a question", ReliefSubmitted, ReliefProvideInfo, ReliefActorApplicant, ""},
		{"an organ does not close", ReliefAccepted, ReliefClose, ReliefActorOrgan, ""},
		{"an organ answers no notice on a declined request", ReliefDeclined, ReliefNoticeAnswered, ReliefActorOrgan, ""},
		{"no resubmitting", ReliefSubmitted, ReliefSubmit, ReliefActorApplicant, ""},
	}
	for _, tt := range tests {
		got, err := NextRelief(tt.from, tt.action, tt.actor)
		if tt.want == "" {
			if err == nil || ErrorCode(err) != CodeConflict {
				t.Errorf("%s: NextRelief = %q, %v; want a conflict", tt.name, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: NextRelief = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestReliefAllowed(t *testing.T) {
	tests := []struct {
		from  ReliefStatus
		actor ReliefActor
		want  string
	}{
		{ReliefSubmitted, ReliefActorSupervisor, "accept decline ask_info"},
		{ReliefInfoRequested, ReliefActorSupervisor, "decline"},
		{ReliefAccepted, ReliefActorSupervisor, "ask_info record_step issue_notice close"},
		{ReliefClosed, ReliefActorSupervisor, ""},
		{ReliefInfoRequested, ReliefActorApplicant, "provide_info withdraw"},
		{ReliefDraft, ReliefActorApplicant, "submit"},
		{ReliefDeclined, ReliefActorApplicant, ""},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range AllowedRelief(tt.from, tt.actor) {
			got = append(got, string(a))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("AllowedRelief(%s, %s) = %v, want %q", tt.from, tt.actor, got, tt.want)
		}
	}
}

func TestReliefStatusKinds(t *testing.T) {
	for _, s := range ReliefStatuses {
		if s.Final() && s.Open() {
			t.Errorf("%s is both final and open", s)
		}
	}
	if ReliefDraft.Open() || ReliefDraft.Final() {
		t.Error("a draft is neither open nor final")
	}
	today := Date{2026, 3, 20}
	r := ReliefRequest{Status: ReliefAccepted, Due: Date{2026, 3, 19}}
	if !r.Overdue(today) {
		t.Error("an accepted request past its deadline is overdue")
	}
	r.Status = ReliefClosed
	if r.Overdue(today) {
		t.Error("a closed request is never overdue")
	}
	r.Status, r.Due = ReliefSubmitted, today
	if r.Overdue(today) {
		t.Error("the last day itself is not overdue")
	}
	if got := ReliefReference(2026, 7); got != "JZ-2026-000007" || !IsReliefReference(got) || IsReliefReference(Reference(2026, 7)) {
		t.Errorf("reference %q", got)
	}
}

func reliefValid() ReliefRequest {
	return ReliefRequest{Capacity: CapacitySelf, Kind: ReliefSchool, HappenedOn: Date{2026, 2, 1}, UnitName: "演示市第一中学",
		UnitKind: UnitSchool, Description: "学校以有犯罪记录为由拒绝我入学。", Remedies: []ReliefRemedy{RemedyReinstatement}}
}

// The relief form's answers, field by field.
func TestReliefValidate(t *testing.T) {
	today := Date{2026, 3, 10}
	tests := []struct {
		name  string
		edit  func(*ReliefRequest)
		field string
		key   string
	}{
		{"valid", func(*ReliefRequest) {}, "", ""},
		{"no kind", func(r *ReliefRequest) { r.Kind = "" }, "kind", "relief.kind_required"},
		{"unknown kind", func(r *ReliefRequest) { r.Kind = "crime" }, "kind", "relief.kind_required"},
		{"no date", func(r *ReliefRequest) { r.HappenedOn = Date{} }, "happened_on", "relief.happened_required"},
		{"future date", func(r *ReliefRequest) { r.HappenedOn = Date{2026, 3, 11} }, "happened_on", "relief.happened_future"},
		{"today is fine", func(r *ReliefRequest) { r.HappenedOn = today }, "", ""},
		{"no unit", func(r *ReliefRequest) { r.UnitName = "  " }, "unit_name", "relief.unit_name_required"},
		{"long unit", func(r *ReliefRequest) { r.UnitName = strings.Repeat("校", MaxReliefUnitRunes+1) }, "unit_name", "relief.unit_name_too_long"},
		{"unit at the limit", func(r *ReliefRequest) { r.UnitName = strings.Repeat("校", MaxReliefUnitRunes) }, "", ""},
		{"no unit kind", func(r *ReliefRequest) { r.UnitKind = "" }, "unit_kind", "relief.unit_kind_required"},
		{"no description", func(r *ReliefRequest) { r.Description = "" }, "description", "relief.description_required"},
		{"long description", func(r *ReliefRequest) { r.Description = strings.Repeat("字", MaxReliefDescriptionRunes+1) }, "description", "relief.description_too_long"},
		{"no remedy", func(r *ReliefRequest) { r.Remedies = nil }, "remedies", "relief.remedies_required"},
		{"unknown remedy", func(r *ReliefRequest) { r.Remedies = []ReliefRemedy{"revenge"} }, "remedies", "relief.remedies_required"},
		{"guardian names the person", func(r *ReliefRequest) { r.Capacity = CapacityGuardian }, "person_name", "relief.person_name_required"},
		{"lawyer names the person", func(r *ReliefRequest) { r.Capacity, r.PersonName = CapacityLawyer, "张三" }, "", ""},
		{"too many documents", func(r *ReliefRequest) { r.Documents = make([]Document, MaxDocumentsPerCase+1) }, "file", "upload.too_many"},
	}
	for _, tt := range tests {
		r := reliefValid()
		tt.edit(&r)
		err := r.Validate(today)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		pe, ok := AsError(err)
		if !ok || pe.Code != CodeInvalid || pe.Fields[tt.field] != tt.key {
			t.Errorf("%s: %v, want %s on %s", tt.name, err, tt.key, tt.field)
		}
	}
}

// What each step needs before the store applies it.
func TestReliefStepValidate(t *testing.T) {
	linked := ReliefRequest{LinkedCaseID: 4}
	tests := []struct {
		name  string
		step  ReliefStep
		r     ReliefRequest
		code  Code
		field string
	}{
		{"accept needs nothing", ReliefStep{Action: ReliefAccept}, linked, "", ""},
		{"decline needs a reason", ReliefStep{Action: ReliefDecline}, linked, CodeInvalid, "note"},
		{"decline with a reason", ReliefStep{Action: ReliefDecline, Note: "不属于监督范围"}, linked, "", ""},
		{"a question needs its text", ReliefStep{Action: ReliefAskInfo, Note: " "}, linked, CodeInvalid, "note"},
		{"a step needs its kind", ReliefStep{Action: ReliefRecordStep, Note: "x"}, linked, CodeInvalid, "kind"},
		{"a step needs a note", ReliefStep{Action: ReliefRecordStep, Kind: StepInquiry}, linked, CodeInvalid, "note"},
		{"sealed by which organ", ReliefStep{Action: ReliefRecordStep, Kind: StepRecordSealed, Note: "x"}, linked, CodeInvalid, "organ"},
		{"a complete step", ReliefStep{Action: ReliefRecordStep, Kind: StepRecordSealed, Note: "x", OrganID: 2}, linked, "", ""},
		{"a notice needs a linked case", ReliefStep{Action: ReliefIssueNotice, OrganID: 2, Note: "x"}, ReliefRequest{}, CodeConflict, ""},
		{"a notice needs an organ", ReliefStep{Action: ReliefIssueNotice, Note: "x"}, linked, CodeInvalid, "organ"},
		{"a notice needs its text", ReliefStep{Action: ReliefIssueNotice, OrganID: 2}, linked, CodeInvalid, "note"},
		{"a complete notice", ReliefStep{Action: ReliefIssueNotice, OrganID: 2, Note: "x"}, linked, "", ""},
		{"closing needs an outcome", ReliefStep{Action: ReliefClose}, linked, CodeInvalid, "note"},
		{"an outcome too long", ReliefStep{Action: ReliefClose, Note: strings.Repeat("字", MaxReliefNoteRunes+1)}, linked, CodeInvalid, "note"},
		{"an answer needs its text", ReliefStep{Action: ReliefNoticeAnswered}, linked, CodeInvalid, "answer"},
		{"an answer too long", ReliefStep{Action: ReliefNoticeAnswered, Note: strings.Repeat("字", MaxReliefNoteRunes+1)}, linked, CodeInvalid, "answer"},
	}
	for _, tt := range tests {
		err := tt.step.Validate(tt.r)
		if tt.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			continue
		}
		if tt.field != "" {
			if pe, _ := AsError(err); pe.Fields[tt.field] == "" {
				t.Errorf("%s: %v, want a message on %s", tt.name, err, tt.field)
			}
		}
	}
}

func TestCorrectionNoticeOverdue(t *testing.T) {
	n := CorrectionNotice{Due: Date{2026, 3, 31}}
	if n.Overdue(Date{2026, 3, 31}) || !n.Overdue(Date{2026, 4, 1}) {
		t.Error("a notice is late from the day after its deadline")
	}
	n.AnsweredAt = Date{2026, 4, 2}.Time()
	if !n.Answered() || n.Overdue(Date{2026, 4, 3}) {
		t.Error("an answered notice is not late")
	}
}
