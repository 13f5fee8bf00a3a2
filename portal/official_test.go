package portal

import "testing"

// R15(a): officials of the judicial organs query as a judicial organ from
// their own accounts; units as the kind the administrator gave them; nobody
// else may query.
func TestQueryingAs(t *testing.T) {
	for _, tc := range []struct {
		acct Account
		kind QueryUnitKind
		ok   bool
	}{
		{Account{Role: RoleCourt, OrganID: 1, Organ: "甲区人民法院"}, QueryUnitJudicial, true},
		{Account{Role: RoleProcuratorate, OrganID: 2, Organ: "甲区人民检察院"}, QueryUnitJudicial, true},
		{Account{Role: RolePolice, OrganID: 3, Organ: "甲区公安分局"}, QueryUnitJudicial, true},
		{Account{Role: RoleSupervisor, OrganID: 2, Organ: "甲区人民检察院"}, QueryUnitJudicial, true},
		{Account{Role: RoleCourt}, "", false}, // an official without an organ
		{Account{Role: RoleJudicialAdmin, OrganID: 4, Organ: "甲区司法局"}, "", false},
		{Account{Role: RoleQueryingUnit, Organ: "某幼儿园", UnitKind: string(QueryUnitRegulated)}, QueryUnitRegulated, true},
		{Account{Role: RoleQueryingUnit, Organ: "某法院", UnitKind: string(QueryUnitJudicial)}, QueryUnitJudicial, true},
		{Account{Role: RoleSysadmin}, "", false},
		{Account{Role: RoleMinor}, "", false},
		{Account{Role: RoleLawyer}, "", false},
	} {
		kind, name, ok := tc.acct.QueryingAs()
		if kind != tc.kind || ok != tc.ok || (ok && name != tc.acct.Organ) {
			t.Errorf("%s (organ %d): %q %q %v, want %q %v", tc.acct.Role, tc.acct.OrganID, kind, name, ok, tc.kind, tc.ok)
		}
	}
}

func TestNewOfficialValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     NewOfficial
		field string // "" valid
	}{
		{"court", NewOfficial{Role: RoleCourt, Organ: "甲区人民法院", Name: "吴法官"}, ""},
		{"court by id", NewOfficial{Role: RoleCourt, OrganID: 3, Name: "吴法官"}, ""},
		{"no organ", NewOfficial{Role: RolePolice, Name: "李警官"}, "organ"},
		{"no name", NewOfficial{Role: RolePolice, Organ: "甲区公安分局"}, "name"},
		{"citizen role", NewOfficial{Role: RoleMinor, Name: "某"}, "role"},
		{"unit without kind", NewOfficial{Role: RoleQueryingUnit, Organ: "某幼儿园", Name: "王"}, "unit_kind"},
		{"unit", NewOfficial{Role: RoleQueryingUnit, Organ: "某幼儿园", Name: "王", UnitKind: "regulated"}, ""},
		{"unit without name of unit", NewOfficial{Role: RoleQueryingUnit, Name: "王", UnitKind: "regulated"}, "organ"},
		{"kind on a court", NewOfficial{Role: RoleCourt, Organ: "甲区人民法院", Name: "吴", UnitKind: "judicial"}, "unit_kind"},
		{"sysadmin", NewOfficial{Role: RoleSysadmin, Name: "管理员"}, ""},
		{"mobile as login", NewOfficial{Role: RoleSysadmin, Name: "管理员", Login: "13900001111"}, "login"},
		{"upper-case login", NewOfficial{Role: RoleSysadmin, Name: "管理员", Login: "Admin"}, "login"},
		{"good login", NewOfficial{Role: RoleSysadmin, Name: "管理员", Login: "admin.zhang-1"}, ""},
	} {
		err := tc.n.Validate()
		pe, _ := AsError(err)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (pe == nil || pe.Fields[tc.field] == ""):
			t.Errorf("%s: want an error on %s, got %v", tc.name, tc.field, err)
		}
	}
	if l := RandomOfficialLogin(RolePolice); len(l) != len("police-")+10 || !validOfficialLogin(l) {
		t.Errorf("random login %q", l)
	}
	if p := OneTimePassword(); len(p) != 20 {
		t.Errorf("one-time password %q", p)
	}
}
