package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Identity you can trust (issue 11): identity levels, the one verified
// account per identity number, the organ's checks of identity papers and of
// guardianship, the guardian's access at the person's 18th birthday, and the
// devices an account has signed in from.

// bucketAccountDevices holds the hash of each device cookie an account has
// signed in from: itob(account) | SHA-256(device token) -> first seen (RFC 3339).
var bucketAccountDevices = []byte("account_devices")

// Notification keys of identity; none carries a sensitive word.
const (
	NotifyIdentityClaimed  = "notify.identity_claimed"  // someone else gave your identity number
	NotifyIdentityVerified = "notify.identity_verified" // your identity is verified
	NotifyNewDevice        = "notify.new_device"        // a new device signed in
	NotifyGuardianEnded    = "notify.guardian_ended"    // your access as guardian ended (R1)
	NotifyHandedOver       = "notify.handed_over"       // a matter your guardian started is now yours
)

// IdentityProof is what verifies an account: the identity document and name
// a provider's verified claims or the identity papers carry. DocType ""
// is the mainland identity card; DocCountry a passport's state (R31).
type IdentityProof struct {
	Method     portal.IdentityMethod
	IDNumber   string
	DocType    portal.IDDocType
	DocCountry string
	Name       string
	ActorID    uint64 // the official, for IdentityByOrgan; 0 otherwise
	ActorRole  portal.Role
	CaseID     uint64 // the case the papers were checked on, for IdentityByOrgan
	RequestID  string
}

// verifiedHolder finds the identity-verified citizen account registered with
// an identity document, other than except; prefixes are the document's keyed
// hashes (accountPersonKeys, casePersonKeys: R31, one key per document) under
// every lookup key (a blind-key re-index may be running, blindkeys.go).
func (db *DB) verifiedHolder(tx kv.Tx, prefixes [][]byte, except uint64) (uint64, bool, error) {
	if len(prefixes) == 0 {
		return 0, false, nil
	}
	for _, id := range idsUnder(tx.Bucket(bucketAccountsByIDNum), prefixes) {
		if id == except {
			continue
		}
		var r accountRecord
		raw := tx.Bucket(bucketAccounts).Get(itob(id))
		if raw == nil {
			continue
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return 0, false, err
		}
		if r.IdentityVerified && r.Role.IsCitizen() && !r.Disabled {
			return id, true, nil
		}
	}
	return 0, false, nil
}

// onNewAccountIdentity runs when an account with an identity number is
// created: a verified demo account is linked to the records about it; any
// other account that claims a number with a verified holder is never linked,
// and the holder is told.
func (db *DB) onNewAccountIdentity(tx kv.Tx, a portal.Account) error {
	if !a.Role.IsCitizen() {
		return nil
	}
	holder, ok, err := db.verifiedHolder(tx, db.accountPersonKeys(a), a.ID)
	if err != nil {
		return err
	}
	if ok {
		if a.IdentityVerified {
			return &portal.Error{Code: portal.CodeConflict, Key: "identity.already_verified"}
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIdentityClaimRefused,
			SubjectKind: kindAccount, SubjectID: holder, Detail: "registration"}); err != nil {
			return err
		}
		return db.notify(tx, holder, portal.Notification{Key: NotifyIdentityClaimed})
	}
	return db.linkCasesOfVerifiedPerson(tx, a)
}

// VerifyIdentity raises an account to identity verified on a proof: the
// identity number must be the account's (compared by its keyed hash), the
// name must match the account's, and no other account may already be the
// verified holder of that number. On success the records about the person
// are linked to the account. A refused claim on a number that has a verified
// holder is committed as a notification to the holder before the error is
// returned.
func (db *DB) VerifyIdentity(accountID uint64, p IdentityProof) (portal.Account, error) {
	var (
		a       portal.Account
		refusal error
	)
	err := db.update(func(tx kv.Tx) error {
		var err error
		a, refusal, err = db.verifyIdentityTx(tx, accountID, p)
		return err
	})
	if err != nil {
		return portal.Account{}, err
	}
	return a, refusal
}

func (db *DB) verifyIdentityTx(tx kv.Tx, accountID uint64, p IdentityProof) (portal.Account, error, error) {
	a, err := db.getAccount(tx, accountID)
	if err != nil {
		return a, nil, err
	}
	refuse := func(key string) (portal.Account, error, error) {
		err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIdentityRefused, ActorID: p.ActorID, ActorRole: p.ActorRole,
			SubjectKind: kindAccount, SubjectID: a.ID, Detail: string(p.Method) + ":" + key, RequestID: p.RequestID})
		return a, &portal.Error{Code: portal.CodeConflict, Key: key}, err
	}
	if !p.Method.Valid() {
		return a, nil, portal.Internal(nil)
	}
	if !a.Role.IsCitizen() {
		return refuse("identity.not_citizen")
	}
	proofKey := db.accountPersonKey(portal.Account{IDNumber: p.IDNumber, DocType: p.DocType, DocCountry: p.DocCountry})
	if p.IDNumber == "" || !bytes.Equal(proofKey, db.accountPersonKey(a)) {
		return refuse("identity.number_mismatch")
	}
	if !portal.NamesMatch(p.Name, a.Name) {
		return refuse("identity.name_mismatch")
	}
	holder, taken, err := db.verifiedHolder(tx, db.accountPersonKeys(a), a.ID)
	if err != nil {
		return a, nil, err
	}
	if taken {
		if err := db.notify(tx, holder, portal.Notification{Key: NotifyIdentityClaimed}); err != nil {
			return a, nil, err
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIdentityClaimRefused, ActorID: p.ActorID,
			SubjectKind: kindAccount, SubjectID: holder, Detail: string(p.Method)}); err != nil {
			return a, nil, err
		}
		return refuse("identity.already_verified")
	}
	if a.IdentityVerified {
		return a, nil, nil
	}
	a.IdentityVerified, a.IdentityVerifiedAt, a.IdentityMethod = true, db.now().UTC(), p.Method
	if err := db.putAccount(tx, a); err != nil {
		return a, nil, err
	}
	if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIdentityVerified, ActorID: p.ActorID, ActorRole: p.ActorRole,
		SubjectKind: kindAccount, SubjectID: a.ID, Detail: string(p.Method), RequestID: p.RequestID}); err != nil {
		return a, nil, err
	}
	if p.CaseID != 0 {
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditIdentityVerified, ActorID: p.ActorID, ActorRole: p.ActorRole,
			SubjectKind: kindCase, SubjectID: p.CaseID, Detail: string(p.Method), RequestID: p.RequestID}); err != nil {
			return a, nil, err
		}
	}
	if err := db.notify(tx, a.ID, portal.Notification{Key: NotifyIdentityVerified}); err != nil {
		return a, nil, err
	}
	return a, nil, db.linkCasesOfVerifiedPerson(tx, a)
}

// OrganCheck is the deciding organ's explicit step on a case: the official
// checked the applicant's identity papers (the application is the person's
// own) or the guardianship proof (a guardian's application).
type OrganCheck struct {
	Official  portal.Account
	RequestID string
}

// VerifyApplicantByOrgan records that the deciding organ's official checked
// the identity papers of the person who filed the case himself: the filing
// account is verified for the person the case is about (number and name as
// the case records them).
func (db *DB) VerifyApplicantByOrgan(caseID uint64, chk OrganCheck) (portal.Account, error) {
	var (
		a       portal.Account
		refusal error
	)
	err := db.update(func(tx kv.Tx) error {
		c, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if err := organMayCheck(c, chk.Official); err != nil {
			refusal = err
			return nil
		}
		if c.Capacity != portal.CapacitySelf || c.FiledBy == 0 {
			refusal = &portal.Error{Code: portal.CodeConflict, Key: "identity.not_self_filed"}
			return nil
		}
		a, refusal, err = db.verifyIdentityTx(tx, c.FiledBy, IdentityProof{Method: portal.IdentityByOrgan,
			IDNumber: c.PersonIDNumber, DocType: c.PersonDocType, DocCountry: c.PersonDocCountry, Name: c.PersonName, ActorID: chk.Official.ID, ActorRole: chk.Official.Role,
			CaseID: c.ID, RequestID: chk.RequestID})
		return err
	})
	if err != nil {
		return portal.Account{}, err
	}
	return a, refusal
}

// organMayCheck: only the deciding organ's officials check papers, and only
// while the case is before it.
func organMayCheck(c portal.Case, official portal.Account) error {
	if !official.Role.IsOrgan() || official.OrganID == 0 || official.OrganID != c.DecidingOrganID {
		return portal.Forbidden("identity.not_decider")
	}
	switch c.Status {
	case portal.StatusSubmitted, portal.StatusAccepted, portal.StatusUnderReview:
		return nil
	}
	return &portal.Error{Code: portal.CodeConflict, Key: "identity.check_not_now"}
}

// VerifyGuardianship records that the deciding organ's official checked the
// guardianship proof of a guardian's application. The guardian must be an
// adult and the person still under 18 (R1); only then does the guardian see
// organ-held material on the case.
func (db *DB) VerifyGuardianship(caseID uint64, chk OrganCheck) (portal.Case, error) {
	var (
		c       portal.Case
		refusal error
	)
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		c = old
		if err := organMayCheck(old, chk.Official); err != nil {
			refusal = err
			return nil
		}
		if old.Capacity != portal.CapacityGuardian || old.FiledBy == 0 {
			refusal = &portal.Error{Code: portal.CodeConflict, Key: "identity.not_guardian_filed"}
			return nil
		}
		g, err := db.getAccount(tx, old.FiledBy)
		if err != nil {
			return err
		}
		today := portal.DateOf(db.now())
		switch {
		case !accountAdultOn(g, today):
			refusal = &portal.Error{Code: portal.CodeConflict, Key: "identity.guardian_not_adult"}
			return nil
		case portal.GuardianAccessEnded(old, today):
			refusal = &portal.Error{Code: portal.CodeConflict, Key: "identity.person_adult"}
			return nil
		case old.GuardianshipVerified:
			return nil
		}
		c.GuardianshipVerified = true
		c.UpdatedAt = db.now().UTC()
		if err := db.putCase(tx, old, c); err != nil {
			return err
		}
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditGuardianshipVerified, ActorID: chk.Official.ID,
			ActorRole: chk.Official.Role, SubjectKind: kindCase, SubjectID: c.ID, RequestID: chk.RequestID}); err != nil {
			return err
		}
		return db.notify(tx, g.ID, portal.Notification{CaseID: c.ID, Ref: c.Ref, Key: "notify.guardianship_verified"})
	})
	if err != nil {
		return portal.Case{}, err
	}
	return c, refusal
}

// NoticeGuardianAccessEnded runs when a former guardian reaches a case after
// the person's 18th birthday (R1; computed at read time, no scheduled job):
// once per case it tells the guardian that the access ended and, for an
// unsubmitted draft or a case returned for correction, passes the matter to
// the adult's verified account (linked as the person) and tells the adult.
// It reports whether anything was recorded now.
func (db *DB) NoticeGuardianAccessEnded(caseID, guardian uint64) (bool, error) {
	done := false
	err := db.update(func(tx kv.Tx) error {
		c, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		if c.Capacity != portal.CapacityGuardian || c.FiledBy != guardian || !portal.GuardianAccessEnded(c, portal.DateOf(db.now())) {
			return nil
		}
		if c.GuardianEndNoticed {
			return nil
		}
		old := c
		c.GuardianEndNoticed = true
		if err := db.putCase(tx, old, c); err != nil {
			return err
		}
		done = true
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditGuardianAccessEnded, SubjectKind: kindCase,
			SubjectID: c.ID, Detail: "R1"}); err != nil {
			return err
		}
		if err := db.notify(tx, guardian, portal.Notification{CaseID: c.ID, Ref: c.Ref, Key: NotifyGuardianEnded}); err != nil {
			return err
		}
		if c.Status != portal.StatusDraft && c.Status != portal.StatusReturned {
			return nil
		}
		adult, ok, err := db.verifiedHolder(tx, db.casePersonKeys(c), 0)
		if err != nil || !ok {
			return err // without a verified account the matter passes at verification (linkCasesOfVerifiedPerson)
		}
		a, err := db.getAccount(tx, adult)
		if err != nil {
			return err
		}
		if a.Role != portal.RoleMinor || !portal.NamesMatch(a.Name, c.PersonName) {
			return nil
		}
		if tx.Bucket(bucketCasesByAccount).Get(append(itob(a.ID), itob(c.ID)...)) == nil {
			if err := db.link(tx, a.ID, c.ID, RelPerson); err != nil {
				return err
			}
		}
		return db.tellHandedOver(tx, c, a.ID)
	})
	return done, err
}

// tellHandedOver tells the adult, once per case, that a draft or a returned
// application his guardian started is now his (R1), and audits it.
func (db *DB) tellHandedOver(tx kv.Tx, c portal.Case, adult uint64) error {
	old, err := db.getCase(tx, c.ID)
	if err != nil || old.HandedOverNoticed {
		return err
	}
	c = old
	c.HandedOverNoticed = true
	if err := db.putCase(tx, old, c); err != nil {
		return err
	}
	if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditCaseHandedOver, SubjectKind: kindCase,
		SubjectID: c.ID, Detail: "R1"}); err != nil {
		return err
	}
	return db.notify(tx, adult, portal.Notification{CaseID: c.ID, Ref: c.Ref, Key: NotifyHandedOver})
}

// DeviceHash is the stored form of a device cookie's value.
func DeviceHash(token string) []byte {
	h := sha256.Sum256([]byte("device\x00" + token))
	return h[:]
}

// RecordSignInDevice remembers the device a sign-in came from. A device the
// account has not used before (other than its very first) is audited (shown
// in "who looked at my record") and the account is told; it reports whether
// the device was new.
func (db *DB) RecordSignInDevice(account uint64, role portal.Role, token, requestID string) (bool, error) {
	fresh := false
	err := db.update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketAccountDevices)
		if b == nil {
			return nil // before the migration
		}
		key := append(itob(account), DeviceHash(token)...)
		if b.Get(key) != nil {
			return nil
		}
		// The account's first device (at registration, or the first sign-in
		// after the upgrade) is learnt silently: "new" means new to an
		// account that knows its devices.
		known, _ := b.Cursor().Seek(itob(account))
		first := known == nil || !bytes.HasPrefix(known, itob(account))
		if err := b.Put(key, []byte(db.now().UTC().Format("2006-01-02T15:04:05Z07:00"))); err != nil {
			return err
		}
		if first {
			return nil
		}
		fresh = true
		if err := db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditNewDevice, ActorID: account, ActorRole: role,
			SubjectKind: kindAccount, SubjectID: account, RequestID: requestID}); err != nil {
			return err
		}
		return db.notify(tx, account, portal.Notification{Key: NotifyNewDevice})
	})
	return fresh, err
}

// RecordCitizenRead audits a citizen's read of a sealed case's contents or of
// a case document (issue 11: every read by any account is audited and shown
// in "who looked at my record").
func (db *DB) RecordCitizenRead(caseID uint64, reader portal.Account, what, requestID string) error {
	action := portal.AuditCitizenRead
	if what != "case" {
		action = portal.AuditDocumentRead
	}
	return db.update(func(tx kv.Tx) error {
		return db.appendAudit(tx, portal.AuditEvent{Action: action, ActorID: reader.ID, ActorRole: reader.Role,
			SubjectKind: kindCase, SubjectID: caseID, Detail: "citizen:" + what, RequestID: requestID})
	})
}

// migrateIdentityLevels: every existing citizen account becomes contact
// verified only, and the links by identity number it had (relation
// "person") are removed, because nothing proved that the account is the
// person; seeded demo accounts are identity verified by seed and keep theirs.
// The devices bucket is created.
func migrateIdentityLevels(tx kv.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketAccountDevices); err != nil {
		return err
	}
	accts := tx.Bucket(bucketAccounts)
	type change struct {
		id  uint64
		raw []byte
	}
	var changes []change
	var unlink []uint64
	err := accts.ForEach(func(k, v []byte) error {
		var r accountRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		if !r.Role.IsCitizen() {
			return nil
		}
		if r.Seeded {
			if r.IdentityVerified {
				return nil
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			m["identity_verified"] = json.RawMessage("true")
			m["identity_method"] = json.RawMessage(`"seed"`)
			raw, err := json.Marshal(m)
			if err != nil {
				return err
			}
			changes = append(changes, change{btoi(k), raw})
			return nil
		}
		if !r.IdentityVerified {
			unlink = append(unlink, btoi(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := accts.Put(itob(c.id), c.raw); err != nil {
			return err
		}
	}
	byAcct, caseAccts := tx.Bucket(bucketCasesByAccount), tx.Bucket(bucketCaseAccounts)
	for _, id := range unlink {
		prefix := itob(id)
		var cases [][]byte
		cur := byAcct.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			if Relation(v) == RelPerson {
				cases = append(cases, append([]byte(nil), k[8:]...))
			}
		}
		for _, cid := range cases {
			if err := byAcct.Delete(append(itob(id), cid...)); err != nil {
				return err
			}
			if err := caseAccts.Delete(append(append([]byte(nil), cid...), itob(id)...)); err != nil {
				return err
			}
		}
	}
	return nil
}

// seesOrganMaterial is the store's side of the rule the case pages apply
// (handlers.seesOrganMaterial): the verified person; the person who filed,
// once verified as that person; a guardian once the organ checked the
// guardianship and while the person is under 18; the lawyer who filed.
func (db *DB) seesOrganMaterial(tx kv.Tx, account uint64, rel Relation, c portal.Case) (bool, error) {
	a, err := db.getAccount(tx, account)
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return false, nil
		}
		return false, err
	}
	switch {
	case rel == RelPerson:
		return a.IdentityVerified, nil
	case rel != RelFiler:
		return false, nil
	case a.Role == portal.RoleMinor:
		return a.IdentityVerified && a.SameDocument(c) && portal.NamesMatch(a.Name, c.PersonName), nil
	case a.Role == portal.RoleGuardian:
		return c.GuardianshipVerified && !portal.GuardianAccessEnded(c, portal.DateOf(db.now())), nil
	case a.Role == portal.RoleLawyer:
		return true, nil
	}
	return false, nil
}

// accountAdultOn reports whether the account's holder is 18 or older on today
// (R1), by the birth date of any identity document (R31).
func accountAdultOn(a portal.Account, today portal.Date) bool {
	b, ok := a.BirthDate()
	return ok && !portal.Under18On(b, today)
}
