package portal

import (
	"strings"
	"testing"
)

// R18, R19: the rules' answer picks the step; an unsealing is only proposed
// (issue 18: a second official approves it).
func TestUnsealingStep(t *testing.T) {
	birth := Date{Year: 2006, Month: 5, Day: 1}
	minorAct := Date{Year: 2023, Month: 1, Day: 10}
	adultAct := Date{Year: 2025, Month: 1, Day: 10}
	tests := []struct {
		name string
		ev   UnsealingEvent
		want CaseAction
	}{
		{"R18(a) over 60 months", UnsealingEvent{Kind: UnsealingNewCrime, ActDate: minorAct, CombinedMonths: 61}, ActionProposeUnsealing},
		{"R18(a) 60 months and a day", UnsealingEvent{Kind: UnsealingNewCrime, ActDate: minorAct, CombinedMonths: 60, CombinedDays: 1}, ActionProposeUnsealing},
		{"R18(b) undiscovered, over", UnsealingEvent{Kind: UnsealingUndiscoveredCrime, ActDate: minorAct, CombinedMonths: 72}, ActionProposeUnsealing},
		{"R18(c) retrial over", UnsealingEvent{Kind: UnsealingRetrial, CombinedMonths: 66}, ActionProposeUnsealing},
		{"R18 exactly 60: review", UnsealingEvent{Kind: UnsealingNewCrime, ActDate: minorAct, CombinedMonths: 60}, ActionReferUnsealing},
		{"R18 under: stays sealed", UnsealingEvent{Kind: UnsealingNewCrime, ActDate: minorAct, CombinedMonths: 59}, ActionRecordUnsealingEvent},
		{"R19 adult crime", UnsealingEvent{Kind: UnsealingAdultCrime, ActDate: adultAct, CombinedMonths: 120}, ActionRecordUnsealingEvent},
		{"R19 new crime after 18", UnsealingEvent{Kind: UnsealingNewCrime, ActDate: adultAct, CombinedMonths: 120}, ActionRecordUnsealingEvent},
	}
	for _, tt := range tests {
		got, err := UnsealingStep(EvaluateUnsealing(birth, tt.ev))
		if err != nil || got != tt.want {
			t.Errorf("%s: %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
	if _, err := UnsealingStep(Decision{Outcome: OutcomeSeal}); err == nil {
		t.Error("a sealing outcome picks an unsealing step")
	}
}

func TestUnsealingRecordValidate(t *testing.T) {
	birth, today := Date{Year: 2006, Month: 5, Day: 1}, Date{Year: 2026, Month: 3, Day: 10}
	r := UnsealingRecord{Event: UnsealingEvent{Kind: UnsealingNewCrime, ActDate: Date{Year: 2023, Month: 1, Day: 1}, CombinedMonths: 70},
		LegalBasis: "（2025）甲刑初字第12号刑事判决"}
	if err := r.Validate(birth, today); err != nil {
		t.Fatal(err)
	}
	r.LegalBasis, r.Event.Kind, r.Event.CombinedMonths = " ", "", -1
	pe, _ := AsError(r.Validate(birth, today))
	if pe == nil || pe.Fields["legal_basis"] != "unseal.legal_basis_required" || pe.Fields["kind"] == "" || pe.Fields["combined_months"] == "" {
		t.Fatalf("fields %v", pe)
	}
	r.LegalBasis = strings.Repeat("法", MaxLegalBasisRunes+1)
	if pe, _ := AsError(r.Validate(birth, today)); pe.Fields["legal_basis"] != "unseal.legal_basis_too_long" {
		t.Fatalf("fields %v", pe.Fields)
	}
}

func TestUnsealingReviewValidate(t *testing.T) {
	if err := (UnsealingReview{Verdict: VerdictKeepSealed, Reasons: "依《实施办法》……"}).Validate(); err != nil {
		t.Fatal(err)
	}
	pe, _ := AsError(UnsealingReview{Verdict: "maybe"}.Validate())
	if pe == nil || pe.Fields["verdict"] == "" || pe.Fields["reasons"] == "" {
		t.Fatalf("%v", pe)
	}
}

func TestRecordSealed(t *testing.T) {
	for _, s := range CaseStatuses {
		want := s == StatusSealed || s == StatusCompleted || s == StatusUnsealingReview || s == StatusUnsealingApproval
		if s.RecordSealed() != want {
			t.Errorf("%s.RecordSealed() = %v", s, !want)
		}
	}
}

// R20: case numbers are compared as normalised.
func TestParseCoOffenderCases(t *testing.T) {
	got, err := ParseCoOffenderCases("（2024）京0108刑初123号\n(2024) 京0108刑初123号 ;  (2024)京0108刑初124号\n\n")
	if err != nil || len(got) != 2 || got[0] != "(2024)京0108刑初123号" || got[1] != "(2024)京0108刑初124号" {
		t.Fatalf("%q, %v", got, err)
	}
	if _, err := ParseCoOffenderCases(strings.Repeat("长", 61)); ErrorCode(err) != CodeInvalid {
		t.Fatalf("overlong number: %v", err)
	}
	var many []string
	for i := range MaxCoOffenderCases + 1 {
		many = append(many, "A"+strings.Repeat("1", i+1))
	}
	if _, err := ParseCoOffenderCases(strings.Join(many, "\n")); ErrorCode(err) != CodeInvalid {
		t.Fatalf("too many: %v", err)
	}
	if got, err := ParseCoOffenderCases(" \n "); err != nil || len(got) != 0 {
		t.Fatalf("blank: %q %v", got, err)
	}
}
