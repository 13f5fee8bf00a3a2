package views

// CodeModel is a page that asks for a code sent by SMS: registration's
// second step and the password reset.
type CodeModel struct {
	Page      Page
	Token     string // the pending registration's or reset's token (random, no personal data)
	Masked    string // the mobile number with its middle digits hidden
	Form      Form
	NoticeKey string
	// Then carries the register form's "then" (land on a new application).
	Then string
}

// ForgotModel is the "forgot password" form.
type ForgotModel struct {
	Page Page
	Form Form
}

// EmailModel is the account's e-mail page.
type EmailModel struct {
	Page      Page
	Current   string // the confirmed address, "" if none
	Pending   string // an address waiting for its code
	Lang      string // the language of the person's SMS and e-mail
	Form      Form
	NoticeKey string
}
