package portal

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Login throttling. These are security settings, not rules of law, so they live
// here rather than in the policy table.
const (
	MaxFailedLogins = 5                // failures before the account is locked
	LockoutDuration = 15 * time.Minute // how long a locked account stays locked
)

// Account is a person or an official who can sign in. Personal fields (Name,
// Mobile, IDNumber) are encrypted by the store.
type Account struct {
	ID                 uint64
	Role               Role
	Login              string // the mobile number for citizens, a generated username for staff
	Name               string
	Mobile             string
	IDNumber           string // canonical resident identity number; citizens only
	Licence            string // lawyer's practice licence number
	Firm               string // lawyer's firm or legal-aid centre
	Organ              string // staff: the organ they work for, e.g. "北京市海淀区人民法院"
	OrganID            uint64 // staff of a sealing organ or the supervisor: the organ's id
	UnitKind           string // querying units: "judicial" or "regulated" (QueryUnitKind, R15)
	PasswordHash       string
	MustChangePassword bool
	Disabled           bool
	FailedLogins       int
	LockedUntil        time.Time
	Lockouts           int       // lockouts since LockoutsSince (OnLoginFailure)
	LockoutsSince      time.Time // start of the lockout window
	CreatedAt          time.Time
	PasswordChangedAt  time.Time
	Seeded             bool // created by the seed command (demo data)
	// TOTPEnabled is set by the store when a second factor is enrolled; the
	// secret itself never leaves the store's TOTP record.
	TOTPEnabled bool

	// Identity level (issue 11). A citizen account is contact verified until
	// its identity is verified by OpenID Connect or by an organ; only then are
	// records held by organs linked to it by identity number.
	IdentityVerified   bool
	IdentityVerifiedAt time.Time
	IdentityMethod     IdentityMethod
	// Contact and messaging (issue 11, part A): the language of the person's
	// SMS and e-mail, an optional e-mail address confirmed by a code (mail
	// goes to it in addition to SMS), and when the person agreed to the
	// privacy notice and, separately, to the processing of sensitive
	// personal information (PIPL arts. 28-30).
	Lang               string
	Email              string
	PrivacyConsentAt   time.Time
	SensitiveConsentAt time.Time
}

// NeedsTOTPEnrolment reports whether the account must enrol a second factor
// before it may do anything else.
func (a Account) NeedsTOTPEnrolment() bool { return RequiresTOTP(a.Role) && !a.TOTPEnabled }

// Locked reports whether the account is locked at time now.
func (a Account) Locked(now time.Time) bool { return now.Before(a.LockedUntil) }

// BirthDate is taken from the identity number (GB 11643), never typed twice.
func (a Account) BirthDate() (Date, bool) {
	n, err := ParseIDNumber(a.IDNumber)
	if err != nil {
		return Date{}, false
	}
	return n.BirthDate(), true
}

// Validate checks an account before it is stored; the store calls it inside
// the write transaction so no path can skip it.
func (a Account) Validate() error {
	var fe FieldErrors
	if !a.Role.Valid() {
		fe.Add("role", "account.role_invalid")
	}
	if a.Login == "" {
		fe.Add("login", "account.login_required")
	}
	if a.PasswordHash == "" {
		fe.Add("password", "password.required")
	}
	if strings.TrimSpace(a.Name) == "" {
		fe.Add("name", "register.name_required")
	}
	if a.Role.IsCitizen() {
		if _, err := NormalizeMobile(a.Mobile); err != nil {
			fe.Add("mobile", "mobile.invalid")
		}
		if _, err := ParseIDNumber(a.IDNumber); err != nil {
			fe.Add("id_number", "id.format")
		}
	}
	if a.Role == RoleLawyer && (a.Licence == "" || a.Firm == "") {
		fe.Add("licence", "register.licence_required")
	}
	if a.Role.IsStaff() && a.Role != RoleSysadmin && strings.TrimSpace(a.Organ) == "" {
		fe.Add("organ", "account.organ_required")
	}
	return fe.Err()
}

// Registration is what a citizen types on the register form.
type Registration struct {
	Role            Role
	Name            string
	Mobile          string
	IDNumber        string
	Licence         string
	Firm            string
	Password        string
	PasswordConfirm string
	// Lang is the language of the page the person registered on; SMS and
	// e-mail go out in it.
	Lang string
	// PrivacyConsent and SensitiveConsent are two separate ticks (PIPL arts.
	// 28-30: sensitive personal information needs its own consent).
	PrivacyConsent   bool
	SensitiveConsent bool
}

// Ages that registration checks, in full years as R1 counts them (the
// birthday itself still counts as the younger age).
const (
	// MinAgeToRegisterAlone: PIPL art. 31, a child under 14 is registered by
	// a guardian, who consents for the child.
	MinAgeToRegisterAlone = 14
)

// ParseRegistrationIdentity reads the identity document typed at
// registration. It is the one place that knows which documents are accepted
// (today the resident identity card); the integrator may extend it to other
// documents.
func ParseRegistrationIdentity(typed string) (IDNumber, error) {
	return ParseIDNumber(typed)
}

// under reports whether a person born on birth is under age (in full years)
// on day: the birthday itself still counts as under (R1's reading).
func under(birth, day Date, age int) bool {
	return !day.After(birthdayAt(birth, age))
}

// MaxNameRunes bounds free-text names.
const MaxNameRunes = 50

// Check validates a registration as of today and returns the account to create
// (without its password hash, which the caller adds after hashing). Every
// problem is reported against its field so the form can show them all at once.
func (r Registration) Check(today Date) (Account, error) {
	var fe FieldErrors
	if !r.Role.IsCitizen() {
		fe.Add("role", "register.role_required")
	}
	name := strings.TrimSpace(r.Name)
	switch {
	case name == "":
		fe.Add("name", "register.name_required")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		fe.Add("name", "register.name_too_long")
	}
	mobile, err := NormalizeMobile(r.Mobile)
	if err != nil {
		fe.Add("mobile", errKey(err))
	}
	id, err := ParseRegistrationIdentity(r.IDNumber)
	switch {
	case err != nil:
		fe.Add("id_number", errKey(err))
	case !id.BornBy(today):
		fe.Add("id_number", "id.birth_date")
	case r.Role == RoleMinor && under(id.BirthDate(), today, MinAgeToRegisterAlone):
		// PIPL art. 31: a child under 14 does not consent alone.
		fe.Add("id_number", "register.child_under_14")
	case (r.Role == RoleGuardian || r.Role == RoleLawyer) && Under18On(id.BirthDate(), today):
		// A guardian (and a lawyer) acts for someone else: an adult only.
		fe.Add("id_number", "register.guardian_adult")
	}
	if r.Role == RoleLawyer {
		if strings.TrimSpace(r.Licence) == "" {
			fe.Add("licence", "register.licence_required")
		} else if utf8.RuneCountInString(r.Licence) > 40 {
			fe.Add("licence", "register.licence_invalid")
		}
		if strings.TrimSpace(r.Firm) == "" {
			fe.Add("firm", "register.firm_required")
		} else if utf8.RuneCountInString(r.Firm) > 100 {
			fe.Add("firm", "register.firm_too_long")
		}
	}
	if err := CheckPasswordPolicy(r.Password); err != nil {
		fe.Add("password", errKey(err))
	} else if r.Password != r.PasswordConfirm {
		fe.Add("password_confirm", "password.mismatch")
	}
	if !r.PrivacyConsent {
		fe.Add("consent_privacy", "register.consent_privacy_required")
	}
	if !r.SensitiveConsent {
		fe.Add("consent_sensitive", "register.consent_sensitive_required")
	}
	if err := fe.Err(); err != nil {
		return Account{}, err
	}
	a := Account{Role: r.Role, Login: mobile, Name: name, Mobile: mobile, IDNumber: id.String(), Lang: NormalizeLang(r.Lang)}
	if r.Role == RoleLawyer {
		a.Licence, a.Firm = strings.TrimSpace(r.Licence), strings.TrimSpace(r.Firm)
	}
	return a, nil
}

// errKey returns the message key of a domain error, or a generic one.
func errKey(err error) string {
	if e, ok := AsError(err); ok && e.Key != "" {
		return e.Key
	}
	return "error.form_invalid"
}
