package portal

import (
	"strings"
	"testing"
	"time"
)

// R14: a sealed record, or none, is always answered "no criminal record"; a
// record that is not sealed is never certified away.
func TestAnswerCertificate(t *testing.T) {
	tests := []struct {
		name     string
		statuses []CaseStatus
		want     CertificateAnswer
	}{
		{"no case at all", nil, AnswerNoRecord},
		{"sealing decided", []CaseStatus{StatusSealed}, AnswerNoRecord},
		{"sealing completed", []CaseStatus{StatusCompleted}, AnswerNoRecord},
		{"R18 review pending: still sealed", []CaseStatus{StatusUnsealingReview}, AnswerNoRecord},
		{"a draft is no record", []CaseStatus{StatusDraft, StatusCompleted}, AnswerNoRecord},
		{"a withdrawn application is no record", []CaseStatus{StatusWithdrawn}, AnswerNoRecord},
		{"R18 unsealed", []CaseStatus{StatusCompleted, StatusUnsealed}, AnswerNotThroughWeb},
		{"not sealed", []CaseStatus{StatusRejected}, AnswerNotThroughWeb},
		{"sealing still being decided", []CaseStatus{StatusUnderReview}, AnswerNotThroughWeb},
		{"submitted", []CaseStatus{StatusSubmitted}, AnswerNotThroughWeb},
	}
	for _, tt := range tests {
		if got := AnswerCertificate(tt.statuses); got != tt.want {
			t.Errorf("%s: AnswerCertificate(%v) = %s, want %s", tt.name, tt.statuses, got, tt.want)
		}
	}
}

func TestVerificationCode(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := NewVerificationCode()
		if len(c) != VerificationCodeLength || seen[c] {
			t.Fatalf("code %q (len %d, seen %v)", c, len(c), seen[c])
		}
		seen[c] = true
		got, ok := NormalizeVerificationCode(GroupVerificationCode(c))
		if !ok || got != c {
			t.Fatalf("grouped %q normalises to %q, %v", GroupVerificationCode(c), got, ok)
		}
		if got, ok := NormalizeVerificationCode(" " + strings.ToLower(c[:8]) + "－" + c[8:] + "\u3000"); !ok || got != c {
			t.Fatalf("typed variant of %q: %q, %v", c, got, ok)
		}
	}
	// 24 characters of 32 symbols: 120 bits, above the 100 asked for.
	if VerificationCodeLength*5 < 100 {
		t.Fatal("code too short")
	}
	if g := GroupVerificationCode("ABCDEFGHJKLMNPQRSTUVWXYZ"); g != "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ" {
		t.Fatalf("grouped %q", g)
	}
	for _, bad := range []string{"", "ABCD", "ABCDEFGHJKLMNPQRSTUVWXYZ2", "ABCDEFGHJKLMNPQRSTUVWXY0", "ABCDEFGHJKLMNPQRSTUVWXYO", "../../etc", "ABCDEFGHJKLMNPQRSTUVWXY你"} {
		if _, ok := NormalizeVerificationCode(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzNormalizeVerificationCode(f *testing.F) {
	f.Add("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ")
	f.Add("abcd efgh")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := NormalizeVerificationCode(s)
		if !ok {
			return
		}
		if len(c) != VerificationCodeLength {
			t.Fatalf("%q -> %q", s, c)
		}
		if again, ok := NormalizeVerificationCode(c); !ok || again != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, c, again)
		}
	})
}

// R14: the verification page shows exactly what the paper shows (number,
// holder's full name and identity number, issuing organ, date of issue) and
// nothing else.
func TestCertificateVerify(t *testing.T) {
	id := SyntheticIDNumber(7, Date{Year: 2007, Month: 5, Day: 1})
	issued := time.Date(2026, 3, 12, 9, 0, 0, 0, China)
	c := Certificate{Ref: "ZM-2026-000001", Status: CertIssued, PersonName: "李小华", PersonIDNumber: id.String(), AnsweredAt: issued,
		IssuingOrgan: "演示市公安局", Check: &CertificateCheck{Result: CheckNoRecord, Reference: "secret-ref"}}
	v := c.Verify()
	want := VerificationResult{Status: CertIssued, Ref: c.Ref, HolderName: "李小华", HolderID: id.String(), IssuingOrgan: "演示市公安局",
		IssuedOn: Date{Year: 2026, Month: 3, Day: 12}}
	if v != want {
		t.Fatalf("issued: %+v, want %+v", v, want)
	}
	c.Status, c.RevokedAt = CertRevoked, issued.Add(48*time.Hour)
	if v := c.Verify(); v.Status != CertRevoked || v.RevokedOn != (Date{Year: 2026, Month: 3, Day: 14}) {
		t.Fatalf("revoked: %+v", v)
	}
	for _, s := range []CertificateStatus{CertRequested, CertRefused} {
		c.Status = s
		if v := c.Verify(); v != (VerificationResult{}) {
			t.Fatalf("%s verifies as %+v", s, v)
		}
	}
}

func TestCertificateValidate(t *testing.T) {
	today := Date{Year: 2026, Month: 3, Day: 10}
	ok := Certificate{PersonName: "李小华", PersonIDNumber: SyntheticIDNumber(3, Date{Year: 2008, Month: 1, Day: 2}).String(),
		PoliceOrganID: 4, RequesterRole: RoleMinor}
	if err := ok.Validate(today); err != nil {
		t.Fatal(err)
	}
	bad := ok
	bad.PersonIDNumber, bad.PoliceOrganID = "123", 0
	err := bad.Validate(today)
	pe, _ := AsError(err)
	if ErrorCode(err) != CodeInvalid || pe.Fields["person"] == "" || pe.Fields["police"] == "" {
		t.Fatalf("err %v", err)
	}
	staff := ok
	staff.RequesterRole = RolePolice
	if staff.Validate(today) == nil {
		t.Fatal("an official may not request a certificate for a person")
	}
}

// R14: no answer without the official's recorded check; the answer follows
// the check alone.
func TestAnswerFromCheck(t *testing.T) {
	tests := []struct {
		check *CertificateCheck
		want  CertificateStatus
		code  Code
	}{
		{nil, "", CodeConflict},
		{&CertificateCheck{Result: "guess"}, "", CodeConflict},
		{&CertificateCheck{Result: CheckNoRecord}, CertIssued, ""},
		{&CertificateCheck{Result: CheckRecordFound}, CertRefused, ""},
		{&CertificateCheck{Result: CheckCannotDecide}, CertRefused, ""},
	}
	for _, tt := range tests {
		got, err := AnswerFromCheck(tt.check)
		if got != tt.want || (tt.code == "") != (err == nil) || (err != nil && ErrorCode(err) != tt.code) {
			t.Errorf("AnswerFromCheck(%+v) = %s, %v; want %s, %s", tt.check, got, err, tt.want, tt.code)
		}
	}
	for _, k := range []CertificateCheck{{Result: CheckNoRecord}, {Result: "x", Reference: "a"}, {Result: CheckNoRecord, Reference: strings.Repeat("a", MaxCheckReferenceRunes+1)}} {
		if ErrorCode(k.Validate()) != CodeInvalid {
			t.Errorf("check %+v accepted", k)
		}
	}
	if err := (CertificateCheck{Result: CheckRecordFound, Reference: "WFZ-1"}).Validate(); err != nil {
		t.Error(err)
	}
}

// R14: the objection procedure's table.
func TestObjectionTransitions(t *testing.T) {
	tests := []struct {
		from   ObjectionStatus
		action ObjectionAction
		want   ObjectionStatus
		ok     bool
	}{
		{"", ObjectionFile, ObjectionPending, true},
		{ObjectionPending, ObjectionExtend, ObjectionPending, true},
		{ObjectionPending, ObjectionUphold, ObjectionUpheld, true},
		{ObjectionPending, ObjectionReject, ObjectionRejected, true},
		{ObjectionRejected, ObjectionUphold, "", false},
		{ObjectionUpheld, ObjectionExtend, "", false},
		{"", ObjectionReject, "", false},
	}
	for _, tt := range tests {
		got, err := NextObjection(tt.from, tt.action)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("NextObjection(%s, %s) = %s, %v", tt.from, tt.action, got, err)
		}
	}
	c := Certificate{Status: CertRefused}
	if !c.MayObject() {
		t.Error("a refusal may be objected to")
	}
	c.Objection = &CertificateObjection{Status: ObjectionPending}
	if c.MayObject() {
		t.Error("a second objection")
	}
	if (Certificate{Status: CertRequested}).MayObject() {
		t.Error("an unanswered request may not be objected to")
	}
}
