package portal

import (
	"strings"
	"testing"
)

func overrideCase(months int) Case {
	return Case{PersonIDNumber: "110101200801020014", DecidingOrganID: 7, Disposition: DispositionSentenced,
		Acts: []Act{{Date: Date{Year: 2023, Month: 5, Day: 1}}}, Penalty: &Penalty{Kind: PenaltyFixedTerm, Months: months}}
}

// Issue 18: a decision against the rules' computation (R2 here) is an
// override; a decision with them, or where they answer review, is not.
func TestAgainstRules(t *testing.T) {
	tests := []struct {
		name   string
		c      Case
		action CaseAction
		want   bool
	}{
		{"R2 within the limit, refused", overrideCase(36), ActionReject, true},
		{"R2 within the limit, sealed", overrideCase(36), ActionSeal, false},
		{"R2 exactly 60 months (CL art. 99), refused", overrideCase(60), ActionReject, true},
		{"R2 over the limit, sealed", overrideCase(61), ActionSeal, true},
		{"R2 over the limit, refused", overrideCase(61), ActionReject, false},
		{"no facts: the organ decides", Case{}, ActionReject, false},
		{"a return is never an override", overrideCase(36), ActionReturn, false},
	}
	for _, tt := range tests {
		if _, got := AgainstRules(tt.c, tt.action); got != tt.want {
			t.Errorf("%s: AgainstRules = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOverrideValidate(t *testing.T) {
	ok := Override{Action: ActionReject, Reasons: "理由", ProposedBy: 1, OrganID: 7}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]Override{
		"no reasons":       {Action: ActionReject, Reasons: "  ", ProposedBy: 1, OrganID: 7},
		"reasons too long": {Action: ActionReject, Reasons: strings.Repeat("理", MaxOverrideReasonRunes+1), ProposedBy: 1, OrganID: 7},
		"a return":         {Action: ActionReturn, Reasons: "x", ProposedBy: 1, OrganID: 7},
		"nobody":           {Action: ActionSeal, Reasons: "x"},
	} {
		if ErrorCode(o.Validate()) != CodeInvalid {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The second official is another account of the same organ; the first
// cannot approve his own override.
func TestMayDecideOverride(t *testing.T) {
	c := overrideCase(36)
	c.Status = StatusOverridePending
	c.Override = &Override{Action: ActionReject, ProposedBy: 1, OrganID: 7}
	tests := []struct {
		name           string
		account, organ uint64
		want           Code
	}{
		{"second official of the organ", 2, 7, ""},
		{"the proposer himself", 1, 7, CodeForbidden},
		{"another organ", 2, 8, CodeNotFound},
		{"no organ", 2, 0, CodeNotFound},
	}
	for _, tt := range tests {
		err := MayDecideOverride(c, tt.account, tt.organ)
		if got := ErrorCode(err); err != nil && got != tt.want || err == nil && tt.want != "" {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	c.Status, c.Override = StatusUnderReview, nil
	if ErrorCode(MayDecideOverride(c, 2, 7)) != CodeConflict {
		t.Error("nothing pending, yet decided")
	}
}

// R11: an ex officio case has neither a return nor a withdrawal, offered or
// taken.
func TestExOfficioBarred(t *testing.T) {
	c := Case{Status: StatusUnderReview, ExOfficio: true}
	for _, a := range AllowedOn(c, ActorDecider) {
		if a == ActionReturn {
			t.Fatal("return offered on an ex officio case")
		}
	}
	if len(AllowedOn(c, ActorApplicant)) != 0 {
		t.Fatalf("applicant offered %v on an ex officio case", AllowedOn(c, ActorApplicant))
	}
	for _, a := range []CaseAction{ActionReturn, ActionWithdraw} {
		if ErrorCode(CheckExOfficio(c, a)) != CodeForbidden {
			t.Errorf("%s taken on an ex officio case", a)
		}
	}
	c.ExOfficio = false
	if CheckExOfficio(c, ActionReturn) != nil {
		t.Error("return refused on an application")
	}
}

// Each kind of organ opens ex officio only the dispositions it decides.
func TestMayOpenWith(t *testing.T) {
	tests := []struct {
		kind Role
		d    Disposition
		want bool
	}{
		{RoleCourt, DispositionSentenced, true},
		{RoleCourt, DispositionExempted, true},
		{RoleCourt, DispositionNotProsecuted, false},
		{RoleProcuratorate, DispositionNotProsecuted, true},
		{RoleProcuratorate, DispositionConditionalNonProsecutionCompleted, true},
		{RoleProcuratorate, DispositionSentenced, false},
		{RolePolice, DispositionCaseWithdrawn, true},
		{RolePolice, DispositionSentenced, false},
		{RoleJudicialAdmin, DispositionSentenced, true},
		{RoleCourt, DispositionPending, false},
		{RoleSupervisor, DispositionSentenced, false},
	}
	for _, tt := range tests {
		if got := MayOpenWith(tt.kind, tt.d); got != tt.want {
			t.Errorf("MayOpenWith(%s, %s) = %v", tt.kind, tt.d, got)
		}
	}
}
