package portal

import "time"

// A FormState carries a form across a redirect, so that every form post is
// answered with a redirect (POST-redirect-GET) and Back, refresh and bookmarks
// never resubmit a form or lose what was typed. It lives server-side,
// encrypted, under the hash of a random id the browser holds in a cookie; it
// never travels in a URL.
//
// Two kinds:
//   - FormAnswer: the page a form post answered with (its error messages and
//     the values typed), shown by the GET of the page that owns the form for
//     a few minutes, and again on a refresh of that page.
//   - FormKept: what was typed into a form posted after the session had timed
//     out, filled back into the same form once its writer has signed in again
//     (WCAG 2.2.1 and 2.2.5). Passwords, codes, CSRF tokens and files are never
//     kept.
type FormState struct {
	Kind FormStateKind
	// AccountID is the signed-in account the state belongs to (0 for a
	// visitor); another account never sees it.
	AccountID uint64
	// Path is the page (URL path) that shows the state.
	Path string
	// Action is the address the form posted to (FormKept).
	Action string
	// Status and Body are the answer page (FormAnswer).
	Status int
	Body   []byte
	// Values are the typed values by field name (FormKept).
	Values map[string][]string
	// HadFiles says that chosen files were dropped (FormKept).
	HadFiles bool
	// Shown says that the answer has been shown once: from then on only a
	// reload of the page shows it again.
	Shown   bool
	Expires time.Time
}

// FormStateKind names the two kinds of FormState.
type FormStateKind byte

const (
	FormAnswer FormStateKind = 'a'
	FormKept   FormStateKind = 'k'
)

// How long each kind lives: an answer only for the redirect and a refresh or
// two; a kept form long enough to find the password and sign in again.
const (
	FormAnswerAge = 5 * time.Minute
	FormKeptAge   = 30 * time.Minute
)
