package portal

import "testing"

// Issue 11: the name on the account must match the name on the record; the
// comparison forgives only writing variants.
func TestNamesMatch(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"张三", "张三", true},
		{" 张三 ", "张三", true},           // trimmed
		{"张 三", "张三", true},            // spaces between surname and given name
		{"张三", "张　三", true},            // ideographic space
		{"阿依古丽·买买提", "阿依古丽・买买提", true}, // katakana middle dot
		{"阿依古丽·买买提", "阿依古丽･买买提", true}, // half-width katakana middle dot
		{"阿依古丽·买买提", "阿依古丽•买买提", true}, // bullet
		{"阿依古丽·买买提", "阿依古丽‧买买提", true}, // hyphenation point
		{"ＡＢＣ", "abc", true},           // full-width Latin, case
		{"张三", "张四", false},
		{"张三", "张三丰", false},
		{"", "", false},                // an empty name never matches
		{"  ", "", false},              // nor blanks
		{"阿依古丽买买提", "阿依古丽·买买提", false}, // the separator is part of the name
	}
	for _, tt := range tests {
		if got := NamesMatch(tt.a, tt.b); got != tt.want {
			t.Errorf("NamesMatch(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// R1: a guardian's access ends after the 18th birthday, not on it.
func TestGuardianAccessEnded(t *testing.T) {
	birth := Date{Year: 2008, Month: 3, Day: 15}
	c := Case{PersonIDNumber: SyntheticIDNumber(7, birth).String()}
	tests := []struct {
		today Date
		want  bool
	}{
		{Date{Year: 2026, Month: 3, Day: 14}, false},
		{Date{Year: 2026, Month: 3, Day: 15}, false}, // under 18 up to and including the birthday (R1)
		{Date{Year: 2026, Month: 3, Day: 16}, true},
	}
	for _, tt := range tests {
		if got := GuardianAccessEnded(c, tt.today); got != tt.want {
			t.Errorf("GuardianAccessEnded on %s = %v, want %v", tt.today, got, tt.want)
		}
		if got := AdultOn(c.PersonIDNumber, tt.today); got != tt.want {
			t.Errorf("AdultOn on %s = %v, want %v", tt.today, got, tt.want)
		}
	}
	if GuardianAccessEnded(Case{}, Date{Year: 2026, Month: 1, Day: 1}) {
		t.Error("a case without a person's number ends nothing")
	}
	if AdultOn("not a number", Date{Year: 2026, Month: 1, Day: 1}) {
		t.Error("an invalid number is not an adult")
	}
}

// R11: a withdrawal leaves the organ's duty when the facts make the record
// sealable, and only then.
func TestWithdrawalLeavesDuty(t *testing.T) {
	birth := Date{Year: 2005, Month: 1, Day: 1}
	sealable := Case{PersonIDNumber: SyntheticIDNumber(9, birth).String(), Disposition: DispositionSentenced,
		Acts: []Act{{Date: Date{Year: 2020, Month: 1, Day: 1}}}, Penalty: &Penalty{Kind: PenaltyFixedTerm, Months: 12}}
	if d, ok := sealable.Eligibility(); !ok || d.Outcome != OutcomeSeal {
		t.Fatalf("fixture: eligibility %+v %v, want seal", d, ok)
	}
	if !WithdrawalLeavesDuty(sealable) {
		t.Error("sealable facts: the duty must remain (R11)")
	}
	over := sealable
	over.Penalty = &Penalty{Kind: PenaltyFixedTerm, Months: 61}
	if WithdrawalLeavesDuty(over) {
		t.Error("not eligible: no duty")
	}
	if WithdrawalLeavesDuty(Case{}) {
		t.Error("incomplete facts: no duty computed")
	}
}

func TestIdentityMethodValid(t *testing.T) {
	for _, m := range []IdentityMethod{IdentityByOIDC, IdentityByOrgan, IdentityBySeed} {
		if !m.Valid() {
			t.Errorf("%s invalid", m)
		}
	}
	if IdentityMethod("sms").Valid() {
		t.Error("unknown method valid")
	}
}
