package views

import (
	"context"
	"strings"
	"unicode"

	"sealportal/portal"
)

// Written legal documents (issue 18): the view models of the document page,
// the case's documents page and the lists on the staff and citizen case pages.

// LegalDocView is one issued document as a list row and as a printable page.
type LegalDocView struct {
	N      int
	URL    string
	Kind   portal.LegalDocKind
	Number string
	Date   portal.Date
	Organ  string
	// Texts are the frozen texts, Chinese first; each prints on its own page.
	Texts      []portal.LegalDocText
	Recipients []LegalDocRecipientView
}

// LegalDocRecipientView is one recipient with the services recorded on it.
type LegalDocRecipientView struct {
	Index    int
	Kind     portal.RecipientKind
	Name     string
	Services []LegalDocServiceView
}

// LegalDocServiceView is one recorded service.
type LegalDocServiceView struct {
	Method portal.ServiceMethod
	On     portal.Date
	Note   string
}

// Served reports whether the recipient has a recorded service.
func (r LegalDocRecipientView) Served() bool { return len(r.Services) > 0 }

// LegalDocPageModel is the printable document page.
type LegalDocPageModel struct {
	Page      Page
	NoticeKey string
	Ref       string
	BackURL   string
	Doc       LegalDocView
	// Staff only: the services and, for the issuing organ, the form to
	// record one.
	ShowServices bool
	MayServe     bool
	ServeURL     string
	Form         Form
}

// RightsExplanationView is one recorded explanation of rights (R13).
type RightsExplanationView struct {
	On         portal.Date
	Method     portal.ExplainMethod
	ToPerson   bool
	ToGuardian bool
	Organ      string
	Note       string
}

// LegalDocsCaseModel is the staff page of a case's documents, explanations
// of rights and addresses for service.
type LegalDocsCaseModel struct {
	Page         Page
	NoticeKey    string
	CaseID       uint64
	Ref          string
	BackURL      string
	Docs         []LegalDocView
	Explanations []RightsExplanationView
	MayRecord    bool
	ExplainURL   string
	ExplainForm  Form
	ContactsURL  string
	ContactsForm Form
}

// StaffLegalDocsSummary is the section of the staff case page.
type StaffLegalDocsSummary struct {
	Show         bool
	ManageURL    string
	Docs         []LegalDocView
	Explanations []RightsExplanationView
	// Unserved counts recipients without a recorded service.
	Unserved int
}

// legalCitationChoice is one checkbox of the citation picker.
type legalCitationChoice struct {
	Citation portal.Citation
	Checked  bool
}

// legalCitationChoices splits the table into the citations of the rules typed
// on the form (ticked by default) and the others. A form that failed on the
// citations ticks none, as the official left them.
func legalCitationChoices(a StaffActionForm) (suggested, others []legalCitationChoice) {
	rules := strings.FieldsFunc(a.Form.Value("rules"), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i := range rules {
		rules[i] = strings.ToUpper(rules[i][:1]) + rules[i][1:]
	}
	picked := map[string]bool{}
	for _, c := range portal.CitationsForRules(rules) {
		picked[c.ID] = true
		suggested = append(suggested, legalCitationChoice{Citation: c, Checked: a.Form.Error("citations") == ""})
	}
	for _, c := range portal.Citations() {
		if !picked[c.ID] {
			others = append(others, legalCitationChoice{Citation: c})
		}
	}
	return suggested, others
}

// legalShowsCitations reports whether the action issues a document.
func legalShowsCitations(a StaffActionForm) bool {
	return a.Action == portal.ActionSeal || a.Action == portal.ActionReject || a.Action == portal.ActionUnseal
}

// legalRecipientLabel names a recipient in the reader's language.
func legalRecipientLabel(ctx context.Context, r LegalDocRecipientView) string {
	switch r.Kind {
	case portal.RecipientPerson:
		return T(ctx, "legaldoc.recipient.person_named", r.Name)
	case portal.RecipientGuardian:
		if r.Name == "" {
			return T(ctx, "legaldoc.recipient.guardian")
		}
		return T(ctx, "legaldoc.recipient.guardian_named", r.Name)
	}
	return r.Name
}
