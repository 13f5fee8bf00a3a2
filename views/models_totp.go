package views

import (
	"sort"
	"time"

	"github.com/a-h/templ"

	"sealportal/portal"
)

// TOTPSetupModel is the enrolment page: the QR code, the same secret as text
// in groups for typing by hand, and the field that confirms the app works.
type TOTPSetupModel struct {
	Page   Page
	Form   Form
	QR     templ.SafeURL // data: URL of a PNG (the CSP allows data: images)
	Secret string        // grouped for reading: "ABCD EFGH …"
	Next   string        // where to continue afterwards (a local path)
	Forced bool          // an official who cannot go on without it
}

// RecoveryCodesModel shows the recovery codes once, right after enrolment.
type RecoveryCodesModel struct {
	Page  Page
	Codes []string
	Next  string
}

// SecondFactorModel asks for the code: at login (after the password) or
// before a sealed record is shown (step-up).
type SecondFactorModel struct {
	Page   Page
	Form   Form
	Action string // "/login/code" or "/account/verify"
	Next   string
	StepUp bool
	// CodeField names the code field when it is posted with a kept form
	// (a stale session's form post); "code" otherwise.
	CodeField string
	// Kept are the fields of the form post that met a stale second factor,
	// sent back with the code to the same address (Action).
	Kept []KeptField
	// FilesDropped says the post carried files, which cannot be kept.
	FilesDropped bool
}

// KeptField is one typed value carried through the step-up page.
type KeptField struct{ Name, Value string }

// SortKept orders kept fields by name, keeping the order of one name's
// values.
func SortKept(k []KeptField) {
	sort.SliceStable(k, func(i, j int) bool { return k[i].Name < k[j].Name })
}

// CodeName is the name of the code field.
func (m SecondFactorModel) CodeName() string {
	if m.CodeField != "" {
		return m.CodeField
	}
	return "code"
}

// TOTPStatusModel is the account's two-step verification page.
type TOTPStatusModel struct {
	Page         Page
	Enabled      bool
	Required     bool
	RecoveryLeft int
	NoticeKey    string
}

// SysadminAccountRow is one account in the administrator's list. Citizens'
// logins (their mobile numbers) arrive masked and no name is shown at all.
type SysadminAccountRow struct {
	ID       uint64
	Role     portal.Role
	Login    string
	Organ    string
	Disabled bool
	Locked   bool
	TOTP     bool
	Self     bool   // the administrator's own account: no disabling oneself
	Back     string // the list's place (query string), carried through the action
}

// SysadminAccountsModel is the administrator's list of accounts.
type SysadminAccountsModel struct {
	Page      Page
	Rows      []SysadminAccountRow
	NoticeKey string
	// The filters (a role, an organ id; zero for any) and their choices.
	Role   portal.Role
	Organ  uint64
	Roles  []portal.Role
	Organs []SysadminOrgan
	// Single: the rows are the one account a search by login found.
	Single                     bool
	Find                       Form // the search by login, when it failed
	FirstURL, PrevURL, NextURL string
	Back                       string // this page's place, for the actions' return
}

// SysadminOrgan is an organ in the administrator's choices.
type SysadminOrgan struct {
	ID   uint64
	Name string
	Kind portal.Role
}

// SysadminNewModel is the form that opens an official's account.
type SysadminNewModel struct {
	Page      Page
	Form      Form
	Roles     []portal.Role
	UnitKinds []portal.QueryUnitKind
	Organs    []SysadminOrgan
}

// SysadminCreatedModel hands the new account's username and one-time
// password to the administrator who opened it.
type SysadminCreatedModel struct {
	Page     Page
	Row      SysadminAccountRow
	Login    string
	Password string
	Expires  time.Time
}

// SysadminConfirmModel asks the administrator to confirm one action.
type SysadminConfirmModel struct {
	Page   Page
	Row    SysadminAccountRow
	Action string // reset-totp, end-sessions, disable, enable
}
