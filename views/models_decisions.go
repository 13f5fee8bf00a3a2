package views

import (
	"time"

	"sealportal/portal"
)

// Decisions that cannot quietly go wrong (issue 18): the case page's panel
// (who changed the case last, what changed since the page was loaded, an
// override waiting for a second official) and the supervisor's list of
// overrides.

// DecisionsModel is the panel of the staff case page.
type DecisionsModel struct {
	// LastChangedBy names the official who took the last step ("name
	// (login)"); LastChangedKey names anyone else by a message key (the
	// applicant, the portal). Zero LastChangedAt shows nothing.
	LastChangedBy  string
	LastChangedKey string
	LastChangedAt  time.Time
	// Stale: a step was posted from a page loaded before these changes.
	Stale   bool
	Changes []DecisionChange
	// Override is the decision against the rules waiting for a second
	// official, nil when none.
	Override *OverrideView
}

// DecisionChange is one step taken since the official's page was loaded.
type DecisionChange struct {
	At     time.Time
	By     string // an official's name and login
	ByKey  string // or a message key for anyone else
	Action portal.CaseAction
	To     portal.CaseStatus
}

// OverrideView is a pending override as the organ's officials see it.
type OverrideView struct {
	Action     portal.CaseAction
	Outcome    portal.Outcome
	Rules      []string
	Reasons    string
	ProposedBy string
	ProposedAt time.Time
	// MayDecide: the reader is a second official of the deciding organ;
	// Own: the reader proposed it and waits for another.
	MayDecide  bool
	Own        bool
	ApproveURL string
	RejectURL  string
	Version    string
	Form       Form // the rejection note after a failed post
}

// OverridesModel is GET /supervision/overrides.
type OverridesModel struct {
	Page  Page
	Rows  []OverrideRow
	Total int
	Pager StaffPager
}

// OverrideRow is a row of the supervisor's list of overrides.
type OverrideRow struct {
	CaseURL    string
	Ref        string
	Organ      string
	Action     portal.CaseAction
	Outcome    portal.Outcome
	State      portal.OverrideState
	ProposedBy string
	ProposedAt time.Time
	DecidedBy  string
	DecidedAt  time.Time
}

// StaffNotificationsModel is GET /staff/notifications.
type StaffNotificationsModel struct {
	Page      Page
	NoticeKey string
	Unread    int
	Rows      []StaffNotificationRow
}

// StaffNotificationRow is one notification: a case reference and what it
// needs, never personal data.
type StaffNotificationRow struct {
	CaseURL string
	Ref     string
	Key     string
	At      time.Time
	Unread  bool
}
