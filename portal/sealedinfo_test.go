package portal

import (
	"strings"
	"testing"
)

// R21: a judicial organ marks its own criminal, civil, administrative or
// public-interest case as using sealed information; anything else is refused.
func TestSealedInfoMarkValidate(t *testing.T) {
	tests := []struct {
		name string
		role Role
		mark SealedInfoMark
		code Code
	}{
		{"civil case by a court", RoleCourt, SealedInfoMark{CaseNumber: " (2026)民初字 第5号 ", Kind: OtherCaseCivil, Basis: "CX-2026-000001"}, ""},
		{"public interest by a procuratorate", RoleProcuratorate, SealedInfoMark{CaseNumber: "公益1", Kind: OtherCasePublicInterest, Basis: "查询"}, ""},
		{"criminal by the police", RolePolice, SealedInfoMark{CaseNumber: "刑1", Kind: OtherCaseCriminal, Basis: "查询"}, ""},
		{"judicial administration may not", RoleJudicialAdmin, SealedInfoMark{CaseNumber: "1", Kind: OtherCaseCivil, Basis: "x"}, CodeForbidden},
		{"unknown kind", RoleCourt, SealedInfoMark{CaseNumber: "1", Kind: "family", Basis: "x"}, CodeInvalid},
		{"no number", RoleCourt, SealedInfoMark{Kind: OtherCaseCivil, Basis: "x"}, CodeInvalid},
		{"no basis", RoleCourt, SealedInfoMark{CaseNumber: "1", Kind: OtherCaseCivil}, CodeInvalid},
		{"long basis", RoleCourt, SealedInfoMark{CaseNumber: "1", Kind: OtherCaseCivil, Basis: strings.Repeat("x", MaxSealedInfoBasisRunes+1)}, CodeInvalid},
	}
	for _, tt := range tests {
		m := tt.mark
		err := m.Validate(tt.role)
		if (tt.code == "") != (err == nil) || (err != nil && ErrorCode(err) != tt.code) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
		}
	}
	m := SealedInfoMark{CaseNumber: " (2026)民初字 第5号 ", Kind: OtherCaseCivil, Basis: " CX "}
	if err := m.Validate(RoleCourt); err != nil || m.CaseNumber != "(2026)民初字第5号" || m.Basis != "CX" {
		t.Fatalf("normalised %+v %v", m, err)
	}
}
