package portal

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// forbidden are words that would tell a bystander reading a phone screen that
// the message is about a criminal matter, a sealing or a court (issue 11).
var forbidden = []string{"犯罪", "刑事", "封存", "法院", "检察", "公安", "案件", "案号", "判决", "罪", "记录",
	"crime", "criminal", "seal", "court", "prosecut", "police", "case", "record", "judg", "convict", "offen", "sentence"}

// Every template, in both languages and with every kind of parameter, is
// discreet: no forbidden word, no reference number, no court name.
func TestOutboundTemplatesAreDiscreet(t *testing.T) {
	refLike := regexp.MustCompile(`[A-Z]{2}-\d{4}-\d+`)
	for _, k := range OutboundKinds() {
		for _, lang := range []string{LangZH, LangEN} {
			for _, param := range []string{"", "123456", RefSuffix("FC-2026-000042")} {
				text := OutboundText(k, lang, param)
				if text == "" {
					t.Fatalf("%s %s: no text", k, lang)
				}
				low := strings.ToLower(text + " " + EmailSubject(lang))
				for _, w := range forbidden {
					if strings.Contains(low, w) {
						t.Errorf("%s %s: %q contains %q", k, lang, text, w)
					}
				}
				if refLike.MatchString(text) {
					t.Errorf("%s %s: %q carries a reference", k, lang, text)
				}
			}
		}
	}
	if got := OutboundText(OutProgress, LangZH, RefSuffix("FC-2026-000042")); got != "【公共服务平台】您在本平台办理的事项有新进展，请登录查看（编号尾号 0042）。" {
		t.Errorf("progress text %q", got)
	}
	if !strings.Contains(OutboundText(OutRegisterCode, LangEN, "123456"), "123456") {
		t.Error("the code is missing from the English code message")
	}
}

func TestRefSuffix(t *testing.T) {
	for in, want := range map[string]string{"FC-2026-000042": "0042", "JZ-2026-001234": "1234", "": "", "X-12": ""} {
		if got := RefSuffix(in); got != want {
			t.Errorf("RefSuffix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOneTimeCode(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		c := OneTimeCode()
		if len(c) != 6 || strings.Trim(c, "0123456789") != "" {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 45 {
		t.Fatalf("only %d distinct codes in 50", len(seen))
	}
}

// Registration: a child under 14 cannot register alone (PIPL art. 31), a
// guardian must be an adult (R1's counting of full years), and the privacy
// notice and the sensitive-information consent are two separate ticks
// (PIPL arts. 28-30).
func TestRegistrationAgeAndConsent(t *testing.T) {
	today := Date{Year: 2026, Month: 3, Day: 10}
	id := func(y, m, d int) string {
		return SyntheticIDNumber(7, Date{Year: y, Month: time.Month(m), Day: d}).String()
	}
	base := func(role Role, idn string) Registration {
		return Registration{Role: role, Name: "周晓明", Mobile: "13800138000", IDNumber: idn,
			Password: "a long pass phrase 42", PasswordConfirm: "a long pass phrase 42", PrivacyConsent: true, SensitiveConsent: true,
			Licence: "11101201510234567", Firm: "某某律师事务所"}
	}
	tests := []struct {
		name  string
		reg   Registration
		field string
		key   string
	}{
		{"minor aged 13", base(RoleMinor, id(2012, 6, 1)), "id_number", "register.child_under_14"},
		{"minor on the 14th birthday", base(RoleMinor, id(2012, 3, 10)), "id_number", "register.child_under_14"},
		{"minor the day after", base(RoleMinor, id(2012, 3, 9)), "", ""},
		{"minor aged 16", base(RoleMinor, id(2010, 1, 1)), "", ""},
		{"guardian aged 17", base(RoleGuardian, id(2009, 1, 1)), "id_number", "register.guardian_adult"},
		{"guardian on the 18th birthday", base(RoleGuardian, id(2008, 3, 10)), "id_number", "register.guardian_adult"},
		{"guardian aged 40", base(RoleGuardian, id(1986, 1, 1)), "", ""},
		{"lawyer aged 17", base(RoleLawyer, id(2009, 1, 1)), "id_number", "register.guardian_adult"},
		{"no privacy tick", func() Registration { r := base(RoleMinor, id(2008, 1, 1)); r.PrivacyConsent = false; return r }(), "consent_privacy", "register.consent_privacy_required"},
		{"no sensitive tick", func() Registration { r := base(RoleMinor, id(2008, 1, 1)); r.SensitiveConsent = false; return r }(), "consent_sensitive", "register.consent_sensitive_required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.reg.Check(today)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			pe, ok := AsError(err)
			if !ok || pe.Fields[tt.field] != tt.key {
				t.Fatalf("got %v, want %s on %s", err, tt.key, tt.field)
			}
		})
	}
}
