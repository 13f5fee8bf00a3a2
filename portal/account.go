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
	ID       uint64
	Role     Role
	Login    string // the mobile number for citizens, a generated username for staff
	Name     string
	Mobile   string
	IDNumber string // canonical number of the identity document; citizens only
	// DocType is the kind of the citizen's identity document (R31): "" is
	// the mainland identity card; DocCountry a passport's issuing state;
	// DocBirth the birth date typed at registration for a document whose
	// number carries none (passports, travel permits, the older permanent
	// residence card), zero otherwise.
	DocType            IDDocType
	DocCountry         string
	DocBirth           Date
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

// Document is the citizen's identity document (R31); no kind is the
// mainland identity card.
func (a Account) Document() (IdentityDocument, error) {
	return parseStoredDocument(a.DocType, a.IDNumber, a.DocCountry)
}

// SameDocument reports whether the account's identity document is the one a
// case records for its person: same kind, same state, same number (R31).
func (a Account) SameDocument(c Case) bool {
	ad, err := a.Document()
	if err != nil {
		return false
	}
	cd, err := c.PersonDocument()
	return err == nil && ad == cd
}

// BirthDate is taken from the identity number (GB 11643), never typed twice;
// for a document whose number carries none, it is the date typed at
// registration (R31).
func (a Account) BirthDate() (Date, bool) {
	d, err := a.Document()
	if err != nil {
		return Date{}, false
	}
	if b, ok := d.BirthDate(); ok {
		return b, true
	}
	return a.DocBirth, !a.DocBirth.IsZero()
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
		if _, err := a.Document(); err != nil {
			fe.Add("id_number", "id.format")
		} else if _, ok := a.BirthDate(); !ok {
			fe.Add("birth_date", "register.birth_date_required")
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
	Role     Role
	Name     string
	Mobile   string
	IDNumber string
	// DocType, Country and BirthDate (R31): the kind of identity document
	// ("" is the mainland identity card), a passport's issuing state, and
	// the birth date as typed (YYYY-MM-DD), asked only for a document whose
	// number carries none.
	DocType         IDDocType
	Country         string
	BirthDate       string
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
// registration (R31: every kind of IDDocTypes, "" being the mainland
// identity card) and the person's birth date: the one the number carries,
// or else the typed birthDate (YYYY-MM-DD), which a passport or a travel
// permit needs since the age rules below depend on it. A typed date that
// contradicts the number's is refused rather than silently ignored. Errors
// are invalid *Errors whose Fields name "id_number", "doc_type",
// "doc_country" or "birth_date".
func ParseRegistrationIdentity(t IDDocType, number, country, birthDate string, today Date) (IdentityDocument, Date, error) {
	if t == "" {
		t = DocResidentID
	}
	var fe FieldErrors
	doc, err := ParseIdentityDocument(t, number, country)
	if err != nil {
		switch key := errKey(err); key {
		case "iddoc.type_required":
			fe.Add("doc_type", key)
		case "iddoc.country_required":
			fe.Add("doc_country", key)
		default:
			fe.Add("id_number", key)
		}
		return IdentityDocument{}, Date{}, fe.Err()
	}
	if birth, ok := doc.BirthDate(); ok {
		if !today.Before(birth) {
			return doc, birth, nil
		}
		fe.Add("id_number", "id.birth_date")
		return IdentityDocument{}, Date{}, fe.Err()
	}
	birth, ok := ParseDate(strings.TrimSpace(birthDate))
	switch {
	case strings.TrimSpace(birthDate) == "":
		fe.Add("birth_date", "register.birth_date_required")
	case !ok || today.Before(birth) || birth.Year < 1900:
		fe.Add("birth_date", "register.birth_date_invalid")
	}
	if err := fe.Err(); err != nil {
		return IdentityDocument{}, Date{}, err
	}
	return doc, birth, nil
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
	doc, birth, err := ParseRegistrationIdentity(r.DocType, r.IDNumber, r.Country, r.BirthDate, today)
	ageField := "id_number"
	if _, ok := doc.BirthDate(); err == nil && !ok {
		ageField = "birth_date" // the age comes from the typed date
	}
	switch {
	case err != nil:
		if e, ok := AsError(err); ok {
			for f, k := range e.Fields {
				fe.Add(f, k)
			}
		}
	case r.Role == RoleMinor && under(birth, today, MinAgeToRegisterAlone):
		// PIPL art. 31: a child under 14 does not consent alone.
		fe.Add(ageField, "register.child_under_14")
	case (r.Role == RoleGuardian || r.Role == RoleLawyer) && Under18On(birth, today):
		// A guardian (and a lawyer) acts for someone else: an adult only.
		fe.Add(ageField, "register.guardian_adult")
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
	a := Account{Role: r.Role, Login: mobile, Name: name, Mobile: mobile, IDNumber: doc.Number, Lang: NormalizeLang(r.Lang)}
	if !doc.IsResidentID() {
		a.DocType, a.DocCountry = doc.Type, doc.Country
		if _, ok := doc.BirthDate(); !ok {
			a.DocBirth = birth
		}
	}
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
