package store

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// lastCode is the code of the newest outbox row of a kind to a recipient.
func lastCode(t *testing.T, db *DB, to string, kind portal.OutboundKind) string {
	t.Helper()
	rows, err := db.OutboxRows()
	if err != nil {
		t.Fatal(err)
	}
	code := ""
	for _, m := range rows {
		if m.To == to && m.Kind == kind {
			code = m.Param
		}
	}
	if code == "" {
		t.Fatalf("no %s message to %s in the outbox", kind, to)
	}
	return code
}

func countTo(t *testing.T, db *DB, to string, kind portal.OutboundKind) int {
	t.Helper()
	rows, err := db.OutboxRows()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range rows {
		if m.To == to && m.Kind == kind {
			n++
		}
	}
	return n
}

// A notification and its SMS are written in one transaction: an event that
// rolls back leaves neither, one that commits leaves both, and the text is
// discreet (no reference, only its last four digits).
func TestOutboxIsWrittenWithTheEvent(t *testing.T) {
	db := newTestDB(t)
	a := testCitizen(portal.RoleMinor, "13800138000", 1)
	a.Lang = portal.LangEN
	a = mustCreate(t, db, a)
	boom := errors.New("rolled back")
	err := db.update(func(tx kv.Tx) error {
		if err := db.notify(tx, a.ID, portal.Notification{CaseID: 1, Ref: "FC-2026-000042", Key: "notify.submitted"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if rows, _ := db.OutboxRows(); len(rows) != 0 {
		t.Fatalf("a rolled-back event left %d outbox rows", len(rows))
	}
	if err := db.update(func(tx kv.Tx) error {
		return db.notify(tx, a.ID, portal.Notification{CaseID: 1, Ref: "FC-2026-000042", Key: "notify.submitted"})
	}); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.OutboxRows()
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	m := rows[0]
	if m.Channel != portal.ChannelSMS || m.To != "13800138000" || m.Status != OutboxPending || m.Lang != portal.LangEN {
		t.Fatalf("row %+v", m)
	}
	if want := portal.OutboundText(portal.OutProgress, portal.LangEN, "0042"); m.Text != want || bytes.Contains([]byte(m.Text), []byte("FC-")) {
		t.Fatalf("text %q", m.Text)
	}
	due, err := db.DueOutbox(time.Now().Add(time.Minute), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v %v", due, err)
	}
}

// The outbox row is sealed: neither the number nor the text is in the file.
func TestOutboxRowsAreSealed(t *testing.T) {
	db := newTestDB(t)
	if err := db.update(func(tx kv.Tx) error {
		return db.enqueueTo(tx, portal.ChannelEmail, "secret.person@example.org", portal.LangZH, portal.OutEmailCode, "918273", 0)
	}); err != nil {
		t.Fatal(err)
	}
	err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(_, v []byte) error {
			if bytes.Contains(v, []byte("secret.person")) || bytes.Contains(v, []byte("918273")) {
				t.Error("outbox row holds personal data in clear")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Attempts: a failure is retried at the given time, a success erases the
// recipient and text and keeps the delivery record, which the purge deletes
// after the retention.
func TestOutboxAttemptsAndRetention(t *testing.T) {
	db := newTestDB(t)
	clock := newStepClock()
	db.now = clock.Now
	if err := db.update(func(tx kv.Tx) error {
		return db.enqueueTo(tx, portal.ChannelSMS, "13800138000", portal.LangZH, portal.OutPasswordChanged, "", 0)
	}); err != nil {
		t.Fatal(err)
	}
	m, err := db.BeginOutboxAttempt(1)
	if err != nil || m.Attempts != 1 || m.Resumed {
		t.Fatalf("%+v %v", m, err)
	}
	// A crash here: the next attempt knows the first one's outcome is unknown.
	m, err = db.BeginOutboxAttempt(1)
	if err != nil || m.Attempts != 2 || !m.Resumed {
		t.Fatalf("resumed: %+v %v", m, err)
	}
	retry := clock.Now().Add(time.Minute)
	if err := db.FinishOutboxAttempt(1, OutboxResult{Error: "transport", RetryAt: retry}); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueOutbox(clock.Now(), 10); len(due) != 0 {
		t.Fatal("due before its retry time")
	}
	if due, _ := db.DueOutbox(retry, 10); len(due) != 1 || due[0].InFlight {
		t.Fatalf("due at retry: %+v", due)
	}
	if _, err := db.BeginOutboxAttempt(1); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishOutboxAttempt(1, OutboxResult{Sent: true, GatewayID: "g1"}); err != nil {
		t.Fatal(err)
	}
	row, _ := db.OutboxRow(1)
	if row.Status != OutboxSent || row.To != "" || row.Text != "" || row.GatewayID != "g1" || row.DoneAt.IsZero() {
		t.Fatalf("after delivery %+v", row)
	}
	if due, _ := db.DueOutbox(retry.Add(time.Hour), 10); len(due) != 0 {
		t.Fatal("a sent message is due again")
	}
	if n, _ := db.PurgeOutbox(clock.Now().Add(OutboxRetention - time.Hour).Add(-OutboxRetention)); n != 0 {
		t.Fatal("purged before the retention")
	}
	if n, _ := db.PurgeOutbox(clock.Now().Add(OutboxRetention + time.Hour).Add(-OutboxRetention)); n != 1 {
		t.Fatalf("purged %d", n)
	}
	if _, err := db.OutboxRow(1); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatal("the delivery record outlived its retention")
	}
}

// Registration by code: the account exists only once the code is entered;
// a wrong code counts, five wrong codes void it, and a resend waits a minute.
func TestRegistrationByCode(t *testing.T) {
	db := newTestDB(t)
	clock := newStepClock()
	db.now = clock.Now
	a := testCitizen(portal.RoleMinor, "13800138000", 1)
	token, err := db.StartRegistration(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AccountByLogin("13800138000"); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatal("the account exists before its code was entered")
	}
	code := lastCode(t, db, "13800138000", portal.OutRegisterCode)
	if _, err := db.ConfirmRegistration(token, "000000"); codeErrKey(err) != "code.wrong" && code != "000000" {
		t.Fatalf("wrong code: %v", err)
	}
	if err := db.ResendRegistrationCode(token); codeErrKey(err) != "code.resend_wait" {
		t.Fatalf("resend at once: %v", err)
	}
	clock.advance(portal.CodeResendAfter)
	if err := db.ResendRegistrationCode(token); err != nil {
		t.Fatal(err)
	}
	newCode := lastCode(t, db, "13800138000", portal.OutRegisterCode)
	if newCode != code {
		if _, err := db.ConfirmRegistration(token, code); codeErrKey(err) != "code.wrong" {
			t.Fatalf("the replaced code still works: %v", err)
		}
	}
	if _, err := db.ConfirmRegistration("999.forged", newCode); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("forged token: %v", err)
	}
	got, err := db.ConfirmRegistration(token, newCode)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == 0 || got.Login != "13800138000" {
		t.Fatalf("account %+v", got)
	}
	if _, err := db.ConfirmRegistration(token, newCode); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatal("a used registration works twice")
	}

	// Five wrong tries void a code; ten minutes expire it.
	b := testCitizen(portal.RoleMinor, "13900139000", 2)
	token, _ = db.StartRegistration(b)
	code = lastCode(t, db, "13900139000", portal.OutRegisterCode)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for range portal.CodeMaxTries {
		if _, err := db.ConfirmRegistration(token, wrong); codeErrKey(err) != "code.wrong" {
			t.Fatalf("wrong try: %v", err)
		}
	}
	if _, err := db.ConfirmRegistration(token, code); codeErrKey(err) != "code.expired" {
		t.Fatalf("after %d wrong tries the right code: %v", portal.CodeMaxTries, err)
	}
	token, _ = db.StartRegistration(b)
	code = lastCode(t, db, "13900139000", portal.OutRegisterCode)
	clock.advance(portal.CodeLifetime)
	if _, err := db.ConfirmRegistration(token, code); codeErrKey(err) != "code.expired" {
		t.Fatalf("expired code: %v", err)
	}
}

// A registration for a number that has an account sends no code and can never
// complete; the owner gets a notice instead. Nobody can squat a number.
func TestRegistrationOfATakenNumberNotifiesTheOwner(t *testing.T) {
	db := newTestDB(t)
	owner := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800138000", 1))
	token, err := db.StartRegistration(testCitizen(portal.RoleGuardian, "13800138000", 2))
	if err != nil || token == "" {
		t.Fatal(err)
	}
	if n := countTo(t, db, "13800138000", portal.OutRegisterCode); n != 0 {
		t.Fatalf("%d codes sent to a taken number", n)
	}
	if n := countTo(t, db, "13800138000", portal.OutRegisterAttempt); n != 1 {
		t.Fatalf("%d notices to the owner", n)
	}
	for _, code := range []string{"000000", "123456", "999999"} {
		if _, err := db.ConfirmRegistration(token, code); codeErrKey(err) != "code.wrong" {
			t.Fatalf("decoy: %v", err)
		}
	}
	if a, _ := db.AccountByLogin("13800138000"); a.ID != owner.ID {
		t.Fatal("the number changed hands")
	}
}

// A reset by SMS code sets the password, lifts a lockout, ends every session
// and tells the owner; an unknown number gets the same answer and no SMS.
func TestPasswordResetByCode(t *testing.T) {
	db := newTestDB(t)
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800138000", 1))
	for range portal.MaxFailedLogins {
		if _, _, err := db.RecordLoginFailure(a.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	if locked, _ := db.Account(a.ID); !locked.Locked(time.Now()) {
		t.Fatal("setup: not locked")
	}
	sess := bytes.Repeat([]byte{1}, 32)
	if err := db.PutSession(sess, portal.Session{AccountID: a.ID, Role: a.Role, CreatedAt: time.Now(), LastSeen: time.Now()}); err != nil {
		t.Fatal(err)
	}
	token, err := db.StartPasswordReset("13800138000")
	if err != nil {
		t.Fatal(err)
	}
	code := lastCode(t, db, "13800138000", portal.OutResetCode)
	if err := db.CheckResetCode(token, code); err != nil {
		t.Fatal(err)
	}
	if err := db.CompletePasswordReset(token, code, "$argon2id$new", "r1"); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Account(a.ID)
	if got.PasswordHash != "$argon2id$new" || got.Locked(time.Now()) || got.FailedLogins != 0 {
		t.Fatalf("after reset %+v", got)
	}
	if _, err := db.Session(sess); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("a session survived the reset: %v", err)
	}
	if countTo(t, db, "13800138000", portal.OutPasswordChanged) != 1 {
		t.Fatal("no notice of the changed password")
	}
	unknown, err := db.StartPasswordReset("13999999999")
	if err != nil || unknown == "" {
		t.Fatal(err)
	}
	if countTo(t, db, "13999999999", portal.OutResetCode) != 0 {
		t.Fatal("a code went to a number without an account")
	}
	if err := db.CompletePasswordReset(unknown, "123456", "$x", ""); codeErrKey(err) != "code.wrong" {
		t.Fatalf("decoy reset: %v", err)
	}
}

// An e-mail address is used only after its code comes back.
func TestEmailConfirmation(t *testing.T) {
	db := newTestDB(t)
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800138000", 1))
	if err := db.StartEmailConfirmation(a.ID, "p@example.org"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(a.ID); got.Email != "" {
		t.Fatal("address used before confirmation")
	}
	if p, _ := db.PendingEmail(a.ID); p != "p@example.org" {
		t.Fatalf("pending %q", p)
	}
	code := lastCode(t, db, "p@example.org", portal.OutEmailCode)
	if err := db.ConfirmEmail(a.ID, code, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(a.ID); got.Email != "p@example.org" {
		t.Fatalf("email %q", got.Email)
	}
	// Notices now go by SMS and e-mail.
	if err := db.EnqueueSecurityNotice(a.ID, portal.OutPasswordChanged); err != nil {
		t.Fatal(err)
	}
	if countTo(t, db, "p@example.org", portal.OutPasswordChanged) != 1 || countTo(t, db, "13800138000", portal.OutPasswordChanged) != 1 {
		t.Fatal("the notice did not go by both channels")
	}
	if err := db.RemoveEmail(a.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(a.ID); got.Email != "" {
		t.Fatal("address not removed")
	}
}

// Migration 10 creates the outbox and code buckets, and running it twice
// changes nothing.
func TestMigration10CreatesTheOutbox(t *testing.T) {
	i := len(migrations) - 1
	for ; i >= 0 && migrations[i].name != "outbox of SMS and e-mail, pending registrations, password resets and e-mail confirmations"; i-- {
	}
	if i < 0 {
		t.Fatal("migration not found")
	}
	db := newTestDB(t)
	for range 2 {
		if err := db.update(migrations[i].apply); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.view(func(tx kv.Tx) error {
		for _, b := range append(outboxBuckets(), codeBuckets()...) {
			if tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing", b)
			}
		}
		return nil
	})
}

func codeErrKey(err error) string {
	if pe, ok := portal.AsError(err); ok {
		return pe.Key
	}
	return ""
}

// Changing the password tells the owner by SMS, in the same transaction.
func TestPasswordChangeNotifiesTheOwner(t *testing.T) {
	db := newTestDB(t)
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800138000", 1))
	if err := db.ChangePassword(a.ID, "$argon2id$new", ""); err != nil {
		t.Fatal(err)
	}
	if countTo(t, db, "13800138000", portal.OutPasswordChanged) != 1 {
		t.Fatal("no notice of the changed password")
	}
}

// Part B's security notifications (someone claimed the identity number, a
// new device signed in) go out by SMS with their own discreet templates,
// through the same notification writer as everything else.
func TestSecurityNotificationsUseTheirTemplates(t *testing.T) {
	db := newTestDB(t)
	holder := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800138000", 1))
	for _, key := range []string{NotifyIdentityClaimed, NotifyNewDevice} {
		if err := db.update(func(tx kv.Tx) error { return db.notify(tx, holder.ID, portal.Notification{Key: key}) }); err != nil {
			t.Fatal(err)
		}
	}
	if countTo(t, db, "13800138000", portal.OutIdentityClaimed) != 1 || countTo(t, db, "13800138000", portal.OutNewDeviceSignIn) != 1 {
		t.Fatal("the security notifications did not use their templates")
	}
}
