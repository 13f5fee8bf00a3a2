package portal

import "time"

// AuditAction names a security-relevant event. The audit log records what
// happened, by which account, to which record, never personal data in clear.
type AuditAction string

// The audit actions known so far; later features add theirs here.
const (
	AuditLogin           AuditAction = "login"
	AuditLoginFailed     AuditAction = "login_failed"
	AuditLockout         AuditAction = "lockout"
	AuditLogout          AuditAction = "logout"
	AuditAccountCreated  AuditAction = "account_created"
	AuditAccountDisabled AuditAction = "account_disabled"
	AuditPasswordChanged AuditAction = "password_changed"
	AuditSessionsEnded   AuditAction = "sessions_ended"
	AuditSealedRead      AuditAction = "sealed_read" // every read of sealed data by staff or a querying unit (R17)
	AuditCaseCreated     AuditAction = "case_created"
	AuditCaseStep        AuditAction = "case_step" // a step of the procedure; Detail is action:new status
	AuditDraftDeleted    AuditAction = "draft_deleted"
	AuditDocumentAdded   AuditAction = "document_added"
	AuditDocumentRead    AuditAction = "document_read" // a staff download of a case document (R17)
	AuditMessage         AuditAction = "message"
	AuditOrganCreated    AuditAction = "organ_created"
	AuditCalendarLoaded  AuditAction = "calendar_loaded"
	// AuditCalendarConfirmed: an administrator confirmed a calendar year
	// loaded from a non-official source against the State Council notice.
	AuditCalendarConfirmed AuditAction = "calendar_confirmed"
	// AuditCourtBirthDate: the deciding organ recorded (Detail "set") or
	// removed ("removed") the court-found birth date of a case (R30).
	AuditCourtBirthDate AuditAction = "court_birth_date"
	// The second factor (TOTP): enrolment, a reset by the administrator, a
	// recovery code spent, a wrong or replayed code (Detail: login or step_up).
	AuditTOTPEnrolled       AuditAction = "totp_enrolled"
	AuditTOTPReset          AuditAction = "totp_reset"
	AuditRecoveryCodeUsed   AuditAction = "recovery_code_used"
	AuditSecondFactorFailed AuditAction = "second_factor_failed"
	// Encryption keys (subject "data_key" and its id, or "kek"): a new data
	// key made active, an old one retired and its material deleted, the
	// key-encryption key replaced. Never the keys themselves.
	AuditKeyActivated AuditAction = "key_activated"
	AuditKeyRetired   AuditAction = "key_retired"
	AuditKEKRotated   AuditAction = "kek_rotated"
	// AuditContactChanged: an e-mail address for notices added or removed.
	AuditContactChanged AuditAction = "contact_changed"
)

// AuditEvent is one entry of the append-only audit log. Subject names a record
// by kind and id ("account", 42); Detail is a short, non-personal note such as a
// role, an organ name, a status or a reason code.
type AuditEvent struct {
	Seq         uint64      `json:"seq"`
	At          time.Time   `json:"at"`
	Action      AuditAction `json:"action"`
	ActorID     uint64      `json:"actor_id,omitempty"`
	ActorRole   Role        `json:"actor_role,omitempty"`
	SubjectKind string      `json:"subject_kind,omitempty"`
	SubjectID   uint64      `json:"subject_id,omitempty"`
	Detail      string      `json:"detail,omitempty"`
	RequestID   string      `json:"request_id,omitempty"`
}
