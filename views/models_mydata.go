package views

import (
	"context"
	"fmt"
	"time"

	"sealportal/portal"
)

// MyDataModel is GET /account/data: everything the portal holds about the
// signed-in account, in plain words, with the drafts that may be deleted.
// Data is the same export the JSON download carries, without document
// contents; the account's number and mobile arrive masked, as on /account.
type MyDataModel struct {
	Page      Page
	NoticeKey string
	Data      portal.AccountExport
	Account   MyDataAccount
	Drafts    []MyDataDraft
	// LeakDraft is the unsent leak report this browser holds, nil for none.
	LeakDraft *MyDataLeakDraft
}

// Citizen reports whether the page shows a citizen's records.
func (m MyDataModel) Citizen() bool { return m.Data.Citizen != nil }

// MyDataAccount is the account as the page shows it: masked where a shoulder
// could read it.
type MyDataAccount struct {
	Role             portal.Role
	Name             string
	Login            string
	Mobile           string
	IDNumber         string
	Licence          string
	Firm             string
	Organ            string
	CreatedAt        time.Time
	LastLogin        time.Time
	PasswordChanged  time.Time
	TwoFactorEnabled bool
}

// MyDataDraft is a draft the person may delete.
type MyDataDraft struct {
	Kind       string // "application" or "relief"
	CreatedAt  time.Time
	OpenPath   string
	DeletePath string
}

// MyDataLeakDraft is the unsent leak report of this browser.
type MyDataLeakDraft struct {
	CreatedAt time.Time
	Files     int
}

// MyDataDeleteModel is the confirmation page before a draft is deleted.
type MyDataDeleteModel struct {
	Page      Page
	Kind      string // "relief" or "leak"
	CreatedAt time.Time
	Action    string // where the form posts
	Back      string
}

// MyDataCasePath is the page of a case: a draft's task list, or the case page.
func MyDataCasePath(c portal.ExportedCase) string {
	if c.Status == portal.StatusDraft {
		return fmt.Sprintf("/apply/%d", c.ID)
	}
	return fmt.Sprintf("/cases/%d", c.ID)
}

// mydataSize shows a document's size in KB (at least 1).
func mydataSize(n int) string {
	kb := (n + 1023) / 1024
	if kb < 1 {
		kb = 1
	}
	return fmt.Sprintf("%d KB", kb)
}

// mydataRef is a record's reference, or the words for a draft without one.
func mydataRef(ctx context.Context, ref string) string {
	if ref != "" {
		return ref
	}
	return T(ctx, "mydata.no_ref")
}

// mydataActionKey is the message of an account event; events added later
// read as "another account event" until they have their own words.
func mydataActionKey(a portal.AuditAction) string {
	k := "mydata.action." + string(a)
	if HasMessage(k) {
		return k
	}
	return "mydata.action.other"
}
