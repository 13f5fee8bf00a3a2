package portal

import (
	"crypto/rand"
	"strings"
)

// NewOfficial is what the system administrator types to open an official's
// account, from the web form or `admin create-user`. Citizens register
// themselves; officials never do.
type NewOfficial struct {
	Role     Role
	Organ    string // the organ's name (a querying unit: the unit's name)
	OrganID  uint64 // an existing organ chosen from the list (the web form)
	Name     string
	Login    string // empty: a random one
	UnitKind string // querying units only (R15)
}

// Validate checks what can be checked without the store; the messages are
// keys of the sysadmin form.
func (n NewOfficial) Validate() error {
	var fe FieldErrors
	switch {
	case !n.Role.IsStaff():
		fe.Add("role", "sysadmin.new.role_required")
	case n.Role == RoleQueryingUnit && !QueryUnitKind(n.UnitKind).Valid():
		// R15: a querying unit is a judicial organ or a unit under a state
		// regulation; the administrator decides which, never the unit.
		fe.Add("unit_kind", "sysadmin.new.unit_kind_required")
	case n.Role != RoleQueryingUnit && n.UnitKind != "":
		fe.Add("unit_kind", "sysadmin.new.unit_kind_only_units")
	}
	if n.NeedsOrgan() && n.OrganID == 0 && strings.TrimSpace(n.Organ) == "" {
		fe.Add("organ", "account.organ_required")
	}
	if n.Role == RoleQueryingUnit && strings.TrimSpace(n.Organ) == "" {
		fe.Add("organ", "account.organ_required")
	}
	switch name := strings.TrimSpace(n.Name); {
	case name == "":
		fe.Add("name", "register.name_required")
	case len([]rune(name)) > 64:
		fe.Add("name", "sysadmin.new.name_too_long")
	}
	if l := strings.TrimSpace(n.Login); l != "" && !validOfficialLogin(l) {
		fe.Add("login", "sysadmin.new.login_format")
	}
	return fe.Err()
}

// NeedsOrgan says whether the role acts for an organ (the supervisor for its
// procuratorate).
func (n NewOfficial) NeedsOrgan() bool { return n.Role.IsOrgan() || n.Role == RoleSupervisor }

// OrganKind is the kind of organ the role belongs to.
func (n NewOfficial) OrganKind() Role {
	if n.Role == RoleSupervisor {
		return RoleProcuratorate
	}
	return n.Role
}

// validOfficialLogin: 3 to 40 lower-case letters, digits, '-', '_' or '.'.
// Never a mobile number: officials do not sign in with one.
func validOfficialLogin(l string) bool {
	if len(l) < 3 || len(l) > 40 || isMobile(l) {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// RandomOfficialLogin is role- and 10 random characters (about 50 bits): an
// official's username must not be guessable, since five wrong passwords
// against a known username could otherwise keep the official out (issue 13).
func RandomOfficialLogin(role Role) string {
	return string(role) + "-" + randomFrom("abcdefghjkmnpqrstuvwxyz23456789", 10)
}

// OneTimePassword is 20 characters from an alphabet without look-alikes
// (about 100 bits), to be changed at first sign-in.
func OneTimePassword() string {
	return randomFrom("abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789", 20)
}

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// QueryingAs is how an account may file a query of a sealed record (R15):
// a querying unit as the kind the administrator gave it; an official of a
// judicial organ — a court, a procuratorate (its supervising department
// included) or the police — from their own account as a judicial organ
// (R15(a): for a case, or recidivism-prevention work), in the organ's name.
// The judicial administration is an administrative organ, not a judicial
// one, and queries through a unit account if a regulation gives it a basis.
// ok is false for everyone else.
func (a Account) QueryingAs() (kind QueryUnitKind, unitName string, ok bool) {
	switch a.Role {
	case RoleQueryingUnit:
		return QueryUnitKind(a.UnitKind), a.Organ, true
	case RoleCourt, RoleProcuratorate, RolePolice, RoleSupervisor:
		if a.OrganID == 0 {
			return "", "", false
		}
		return QueryUnitJudicial, a.Organ, true
	}
	return "", "", false
}

// QueryingRoles are the roles QueryingAs may accept.
var QueryingRoles = []Role{RoleQueryingUnit, RoleCourt, RoleProcuratorate, RolePolice, RoleSupervisor}
