package views

import (
	"time"

	"sealportal/portal"
	"sealportal/static"
)

// Page is the part of every view model the layout needs.
type Page struct {
	TitleKey  string // message key of the page's <title> and heading
	Lang      Lang
	CSRF      string
	Path      string // the current path, for the language switch to come back to
	RequestID string
	User      *User // nil for a visitor
}

// User is what the header shows of the signed-in account: its role, never its
// name, so a glance at a shared screen reveals little.
type User struct {
	Role    portal.Role
	Staff   bool
	Console bool // works cases: the four organs and the supervisor
	Queries bool // files queries of sealed records (R15): units and judicial officials
	Unread  int  // unread notifications, shown as a count in the header
	// IdleSeconds is the session's time limit without activity, stated on
	// the page (SessionTimeout); 0 states nothing.
	IdleSeconds int
}

// Form carries a form's typed values and per-field message keys, so that a
// failed submission re-renders with everything kept.
type Form struct {
	Values  map[string]string
	Errors  map[string]string // field name -> message key
	Summary string            // a form-level message key, when no field is to blame
}

// Value returns the typed value of a field.
func (f Form) Value(name string) string { return f.Values[name] }

// Error returns the message key of a field's problem, "" when none.
func (f Form) Error(name string) string { return f.Errors[name] }

// HasErrors reports whether the form failed.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 || f.Summary != "" }

// StartModel is the start page.
type StartModel struct{ Page Page }

// RegisterModel is the register page.
type RegisterModel struct {
	Page      Page
	Form      Form
	NoticeKey string
}

// LoginModel is the login page.
type LoginModel struct {
	Page      Page
	Form      Form
	Next      string
	NoticeKey string
}

// AccountModel is the account page; personal fields arrive masked.
type AccountModel struct {
	Page     Page
	Role     portal.Role
	Name     string
	Mobile   string
	IDNumber string
	// DocType and DocCountry name a document other than the mainland
	// identity card (R31).
	DocType    portal.IDDocType
	DocCountry string
	Login      string
	Organ      string
	Firm       string
	Licence    string
	CreatedAt  time.Time
	NoticeKey  string
	// Sessions are the person's signed-in sessions; SessionsError a refused
	// end-session form.
	Sessions      []SessionRow
	SessionsError string
	// IdentityVerified is the citizen's identity level (issue 11).
	IdentityVerified bool
}

// SessionRow is one session on the account page.
type SessionRow struct {
	Handle            string
	Device            string // "browser · system", "" when unknown
	Started, LastSeen time.Time
	Current           bool
}

// PasswordModel is the change-password page.
type PasswordModel struct {
	Page   Page
	Form   Form
	Forced bool // a one-time password must be replaced before anything else
}

// ErrorModel is the error page.
type ErrorModel struct {
	Page       Page
	Status     int
	MessageKey string
}

// asset returns the versioned URL of an embedded asset.
func asset(name string) string { return "/static/" + name + "?v=" + static.Version }

// roleKey is the message key of a role's name.
func roleKey(r portal.Role) string { return "role." + string(r) }

// formatDate shows a time as a date in the reader's language (the layout is
// the language file's "format.day").
func formatDate(l Lang, t time.Time) string {
	return t.In(portal.China).Format(Translate(l, "format.day"))
}

// otherLanguages are the languages the switch offers: every one but l.
func otherLanguages(l Lang) []Lang {
	var out []Lang
	for _, o := range Languages() {
		if o != l {
			out = append(out, o)
		}
	}
	return out
}

// langSwitchID is the test id of a language's link: "lang-switch" for the
// one a reader of the default pair switches to, "lang-<tag>" for the rest.
func langSwitchID(current, to Lang) string {
	if (current == LangZH && to == LangEN) || (current != LangZH && to == LangZH) {
		return "lang-switch"
	}
	return "lang-" + string(to)
}

// FormatDay shows a calendar date in the reader's language.
func FormatDay(l Lang, d portal.Date) string {
	return d.Time().Format(Translate(l, "format.day"))
}

// FormatDateTime shows a moment in China's time in the reader's language.
func FormatDateTime(l Lang, t time.Time) string {
	return t.In(portal.China).Format(Translate(l, "format.datetime"))
}
