package portal

// Role is what an account may do. Citizens register themselves; staff and
// administrators are created from the command line only.
type Role string

// The roles.
const (
	RoleMinor         Role = "minor"    // the person the record is about (may be an adult now)
	RoleGuardian      Role = "guardian" // a legal representative filing for a minor
	RoleLawyer        Role = "lawyer"   // a (legal-aid) lawyer filing for clients
	RoleCourt         Role = "court"
	RoleProcuratorate Role = "procuratorate"
	RolePolice        Role = "police"
	RoleJudicialAdmin Role = "judicial_admin"
	RoleSupervisor    Role = "supervisor" // the procuratorate's supervision of all organs (MPL art. 105)
	RoleSysadmin      Role = "sysadmin"   // manages accounts only, never reads case contents
	// RoleQueryingUnit is a unit that may query a sealed record (R15): a
	// judicial organ for a case, or a unit acting under a state regulation.
	RoleQueryingUnit Role = "querying_unit"
)

// CitizenRoles may register through the public form.
var CitizenRoles = []Role{RoleMinor, RoleGuardian, RoleLawyer}

// OrganRoles are the four organs that seal records (R12).
var OrganRoles = []Role{RoleCourt, RoleProcuratorate, RolePolice, RoleJudicialAdmin}

// StaffRoles are created from the command line.
var StaffRoles = []Role{RoleCourt, RoleProcuratorate, RolePolice, RoleJudicialAdmin, RoleSupervisor, RoleSysadmin, RoleQueryingUnit}

// AllRoles lists every role, citizens first.
var AllRoles = append(append([]Role{}, CitizenRoles...), StaffRoles...)

// IsCitizen reports whether the role belongs to a self-registered person.
func (r Role) IsCitizen() bool { return r == RoleMinor || r == RoleGuardian || r == RoleLawyer }

// IsStaff reports whether the role belongs to an official account.
func (r Role) IsStaff() bool {
	for _, s := range StaffRoles {
		if r == s {
			return true
		}
	}
	return false
}

// IsOrgan reports whether the role is one of the four sealing organs.
func (r Role) IsOrgan() bool {
	for _, s := range OrganRoles {
		if r == s {
			return true
		}
	}
	return false
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.IsCitizen() || r.IsStaff() }
