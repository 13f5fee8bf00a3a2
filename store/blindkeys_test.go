package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// blindWorld is the sealed world plus what only a blind-key rotation
// concerns: a case about a person with a foreign passport (R31, an
// identity-document index key), an issued certificate (its verification
// code) and an account with a confirmed second factor (its recovery codes).
type blindWorld struct {
	*sealedWorld
	docCase  portal.Case
	cert     portal.Certificate
	totpUser portal.Account
	recovery []string
}

func newBlindWorld(t *testing.T) *blindWorld {
	t.Helper()
	w := &blindWorld{sealedWorld: newSealedWorld(t)}
	db := w.db
	var err error
	w.docCase = completeDraft(t, db, w.person, w.court, w.police)
	w.docCase, err = db.UpdateDraft(w.docCase.ID, func(c *portal.Case) error {
		c.PersonName, c.PersonIDNumber, c.PersonDocType, c.PersonDocCountry = "Jean Dupont", "E1234567", portal.DocPassport, "FRA"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := w.sealedWorld.cert // requested by the sealed world
	w.check(t, c.ID, portal.CheckNoRecord)
	if w.cert, err = db.AnswerCertificate(c.ID, w.officer, "req"); err != nil || w.cert.Code == "" {
		t.Fatalf("certificate: %+v %v", w.cert, err)
	}
	w.totpUser = newTOTPTestAccount(t, db)
	secret, err := db.StartTOTPEnrolment(w.totpUser.ID, mustSecret(t))
	if err != nil {
		t.Fatal(err)
	}
	if w.recovery, err = portal.NewRecoveryCodes(); err != nil {
		t.Fatal(err)
	}
	if err := db.ConfirmTOTP(w.totpUser.ID, codeAt(t, secret, db.now(), 0), w.recovery, ""); err != nil {
		t.Fatal(err)
	}
	return w
}

// lookups checks every blind-index lookup the rotation concerns, through
// the store's own methods: logins, identity numbers of accounts, the person
// index of cases by mainland number and by identity document, the
// certificate holder index, and the codes that are never re-hashed.
func (w *blindWorld) lookups(t *testing.T, stage string, recoveryIndex int) {
	t.Helper()
	db := w.db
	if a, err := db.AccountByLogin("13912345678"); err != nil || a.ID != w.person.ID {
		t.Errorf("%s: account by login: %v", stage, err)
	}
	if ids, err := db.AccountsByIDNumber(w.person.IDNumber); err != nil || len(ids) != 1 || ids[0] != w.person.ID {
		t.Errorf("%s: accounts by identity number: %v %v", stage, ids, err)
	}
	err := db.view(func(tx kv.Tx) error {
		cases, err := db.casesOfPerson(tx, w.minor.IDNumber)
		if err != nil || len(cases) == 0 {
			t.Errorf("%s: cases of person: %d %v", stage, len(cases), err)
		}
		sealed, err := db.sealedCasesOf(tx, w.minor.IDNumber)
		if err != nil || len(sealed) != 1 || sealed[0].ID != w.cs.ID {
			t.Errorf("%s: sealed cases of person: %d %v", stage, len(sealed), err)
		}
		doc := idsUnder(tx.Bucket(bucketCasesByPerson), db.lookupWith(func(bl blindFunc) []byte { return casePersonKeyWith(bl, w.docCase) }))
		if len(doc) != 1 || doc[0] != w.docCase.ID {
			t.Errorf("%s: case by passport: %v", stage, doc)
		}
		holder := idsUnder(tx.Bucket(bucketCertByPerson), db.lookupWith(func(bl blindFunc) []byte { return certHolderKeyWith(bl, w.cert) }))
		if len(holder) != 1 || holder[0] != w.cert.ID {
			t.Errorf("%s: certificates of holder: %v", stage, holder)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := db.LeakByCode(w.leakCode); err != nil || r.ID != w.leak.ID {
		t.Errorf("%s: leak tracking code: %v", stage, err)
	}
	if res, err := db.VerifyCertificate(w.cert.Code, ""); err != nil || res.Ref != w.cert.Ref {
		t.Errorf("%s: certificate verification code: %+v %v", stage, res, err)
	}
	if recoveryIndex >= 0 {
		res, err := db.VerifySecondFactor(w.totpUser.ID, w.recovery[recoveryIndex], SecondFactorStepUp, "")
		if err != nil || !res.Passed || !res.Recovery {
			t.Errorf("%s: recovery code made before the rotation: %+v %v", stage, res, err)
		}
	}
}

// recomputableBuckets are the index buckets a re-index moves.
var recomputableBuckets = [][]byte{bucketAccountsByLogin, bucketAccountsByIDNum, bucketCasesByPerson,
	bucketCoOffenderCases, bucketCertByPerson, bucketSealedInfoByNumber}

// indexKeys lists the keys of every recomputable index bucket.
func indexKeys(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := db.view(func(tx kv.Tx) error {
		for _, name := range recomputableBuckets {
			b := tx.Bucket(name)
			if b == nil {
				continue
			}
			if err := b.ForEach(func(k, _ []byte) error {
				out[string(name)] = append(out[string(name)], string(k))
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// expectedUnder computes every recomputable index entry from the source
// records under one blind key.
func expectedUnder(t *testing.T, db *DB, k *blindKey) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := db.view(func(tx kv.Tx) error {
		for _, src := range reindexSources {
			b := tx.Bucket(src.bucket)
			if b == nil {
				continue
			}
			if err := b.ForEach(func(key, v []byte) error {
				es, err := src.entries(db, tx, btoi(key), v, k.blind)
				for _, e := range es {
					out[string(e.bucket)+"|"+string(e.key)] = true
				}
				return err
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func blindStates(t *testing.T, db *DB) map[byte]BlindKeyInfo {
	t.Helper()
	ks, err := db.BlindKeys()
	if err != nil {
		t.Fatal(err)
	}
	out := map[byte]BlindKeyInfo{}
	for _, k := range ks {
		out[k.ID] = k
	}
	return out
}

// Issue 13: after a blind-key rotation every recomputable index holds its
// entries under the new key only (as many as before), every lookup still
// works, and codes made before the rotation (leak tracking, certificate
// verification, TOTP recovery) still work through the kept old key until
// the operator retires it; then they stop.
func TestRotateBlindKey(t *testing.T) {
	t.Parallel()
	rest := watchAtRest(t)
	w := newBlindWorld(t)
	db := w.db
	if s := blindStates(t, db); len(s) != 1 || s[1].State != KeyActive || !s[1].KeysFile || s[1].Codes != 3 {
		t.Fatalf("before: %+v, want key 1 from the keys file, active (migration 15), with a tracking code, a verification code and a recovery set", s)
	}
	w.lookups(t, "before", 0)
	oldKey := db.crypt.bkeys.Load().active
	before := indexKeys(t, db)
	oldEntries := expectedUnder(t, db, oldKey)

	var progress int
	rep, err := db.RotateBlindKey(context.Background(), BlindRotateOptions{BatchRecords: 2, Progress: func(BlindRotateReport) { progress++ }})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Completed || rep.Resumed || rep.NewKey != 2 || len(rep.OldKeys) != 1 || rep.OldKeys[0] != 1 || rep.Entries == 0 || progress < 3 {
		t.Fatalf("report %+v after %d batches", rep, progress)
	}
	s := blindStates(t, db)
	if s[1].State != KeyKept || s[2].State != KeyActive || s[2].KeysFile || s[1].Codes != 3 || s[2].Codes != 0 {
		t.Fatalf("after: %+v (the codes made before stay key 1's)", s)
	}
	newKey := db.crypt.bkeys.Load().active
	if newKey.id != 2 || bytes.Equal(newKey.key, oldKey.key) {
		t.Fatal("the active blind key did not change")
	}
	after := indexKeys(t, db)
	newEntries := expectedUnder(t, db, newKey)
	for bucket, keys := range after {
		if len(keys) != len(before[bucket]) {
			t.Errorf("%s: %d entries, %d before the re-index", bucket, len(keys), len(before[bucket]))
		}
		for _, k := range keys {
			if oldEntries[bucket+"|"+k] {
				t.Errorf("%s still holds an entry under the old key", bucket)
			}
			if !newEntries[bucket+"|"+k] {
				t.Errorf("%s holds an entry that is not under the new key", bucket)
			}
		}
	}
	// The live data (the file compacted, so that freed pages that held the
	// old entries do not count; on PostgreSQL a pg_dump) holds no index key
	// made with the old key.
	raw := liveData(t, db)
	found := 0
	for e := range oldEntries {
		_, key, _ := strings.Cut(e, "|")
		if bytes.Contains(raw, []byte(key[:32])) {
			t.Errorf("an index key under the old blind key is in the file")
		}
	}
	for e := range newEntries {
		_, key, _ := strings.Cut(e, "|")
		if bytes.Contains(raw, []byte(key[:32])) {
			found++
		}
	}
	if found == 0 {
		t.Fatal("no index key under the new blind key found in the file: the search is broken")
	}
	// Lookups no longer try the old key for indexes; codes still do.
	if n := len(db.crypt.lookupKeys()); n != 1 {
		t.Fatalf("%d lookup keys after the re-index", n)
	}
	w.lookups(t, "after", 1)
	w.db = reopenTestDB(t, db)
	db = w.db
	w.lookups(t, "after reopening", 2)
	// The new key is wrapped by the KEK: its material is not at rest (the
	// file; the data directory, the WAL and a dump).
	assertNothingAtRest(t, rest, db.Path(), db, "the new blind key", nil, [][]byte{newKey.key}, "")
	// The rotation is audited with key ids only, and the log verifies.
	if got := blindAuditTrail(t, db); got != "key_activated 2, key_retired 1" {
		t.Fatalf("audit trail: %q", got)
	}

	// A code made now names the new key, and works.
	other, err := db.CreateAccount(portal.Account{Role: portal.RoleCourt, Login: "court-2", Name: "法官乙", Organ: "测试市人民法院", PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := db.StartTOTPEnrolment(other.ID, mustSecret(t))
	if err != nil {
		t.Fatal(err)
	}
	codes, _ := portal.NewRecoveryCodes()
	if err := db.ConfirmTOTP(other.ID, codeAt(t, secret, db.now(), 0), codes, ""); err != nil {
		t.Fatal(err)
	}
	if s := blindStates(t, db); s[1].Codes != 3 || s[2].Codes != 1 {
		t.Fatalf("codes by key: %+v", s)
	}

	// The operator retires key 1: codes made with it stop working.
	if err := db.RetireBlindKey(2); err == nil {
		t.Fatal("the active blind key was retired")
	}
	if err := db.RetireBlindKey(1); err != nil {
		t.Fatal(err)
	}
	if s := blindStates(t, db); s[1].State != KeyRetired || s[1].Retired.IsZero() {
		t.Fatalf("retired: %+v", s)
	}
	if got := blindAuditTrail(t, db); got != "key_activated 2, key_retired 1, key_retired 1" {
		t.Fatalf("audit trail: %q", got)
	}
	if _, err := db.LeakByCode(w.leakCode); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("a tracking code of a retired blind key: %v", err)
	}
	if res, _ := db.VerifySecondFactor(w.totpUser.ID, w.recovery[3], SecondFactorStepUp, ""); res.Passed {
		t.Fatal("a recovery code of a retired blind key still works")
	}
	if res, err := db.VerifySecondFactor(other.ID, codes[0], SecondFactorStepUp, ""); err != nil || !res.Passed {
		t.Fatalf("a recovery code of the active key: %+v %v", res, err)
	}
	// Recomputable lookups are unaffected, also after a restart.
	w.db = reopenTestDB(t, db)
	if a, err := w.db.AccountByLogin("13912345678"); err != nil || a.ID != w.person.ID {
		t.Fatalf("login after retiring key 1: %v", err)
	}
	if _, err := w.db.RotateBlindKey(context.Background(), BlindRotateOptions{}); err != nil {
		t.Fatalf("second rotation: %v", err)
	}
	if s := blindStates(t, w.db); s[2].State != KeyKept || s[3].State != KeyActive {
		t.Fatalf("second rotation: %+v", s)
	}
}

// A re-index stopped after a few batches (a crash) leaves entries under both
// keys; every lookup still works, a change made meanwhile removes the entry
// under whichever key made it, and the next run continues without a third
// key and ends with every entry under the new key.
func TestRotateBlindKeyResumes(t *testing.T) {
	t.Parallel()
	w := newBlindWorld(t)
	db := w.db
	before := indexKeys(t, db)
	_, err := db.RotateBlindKey(context.Background(), BlindRotateOptions{BatchRecords: 1, stopAfter: 3})
	if !errors.Is(err, errReindexStopped) {
		t.Fatalf("stop: %v", err)
	}
	if s := blindStates(t, db); s[1].State != KeyRetiring || s[2].State != KeyActive {
		t.Fatalf("mid re-index: %+v", s)
	}
	w.db = reopenTestDB(t, db)
	db = w.db
	if n := len(db.crypt.lookupKeys()); n != 2 {
		t.Fatalf("%d lookup keys mid re-index, want the new and the old", n)
	}
	w.lookups(t, "mid re-index", 0)
	// A case not yet re-indexed changes its person: the old entry goes.
	w.docCase, err = db.UpdateDraft(w.docCase.ID, func(c *portal.Case) error {
		c.PersonIDNumber = "E7654321"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// An account created mid re-index is found by login at once.
	fresh, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000099", Name: "新人", Mobile: "13800000099",
		IDNumber: portal.SyntheticIDNumber(97, portal.Date{Year: 2008, Month: 1, Day: 2}).String(), PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.RotateBlindKey(context.Background(), BlindRotateOptions{BatchRecords: 2})
	if err != nil || !rep.Resumed || rep.NewKey != 2 || !rep.Completed {
		t.Fatalf("resumed: %+v %v", rep, err)
	}
	if len(blindStates(t, db)) != 2 {
		t.Fatal("a resumed re-index made another key")
	}
	after := indexKeys(t, db)
	newEntries := expectedUnder(t, db, db.crypt.bkeys.Load().active)
	for bucket, keys := range after {
		want := len(before[bucket])
		if bucket == string(bucketAccountsByLogin) || bucket == string(bucketAccountsByIDNum) {
			want++ // the account created meanwhile
		}
		if len(keys) != want {
			t.Errorf("%s: %d entries, want %d", bucket, len(keys), want)
		}
		for _, k := range keys {
			if !newEntries[bucket+"|"+k] {
				t.Errorf("%s holds an entry that is not under the new key", bucket)
			}
		}
	}
	w.lookups(t, "resumed", 1)
	if a, err := db.AccountByLogin("13800000099"); err != nil || a.ID != fresh.ID {
		t.Fatalf("account created mid re-index: %v", err)
	}
	err = db.view(func(tx kv.Tx) error {
		if ids := idsUnder(tx.Bucket(bucketCasesByPerson), db.lookupWith(func(bl blindFunc) []byte { return casePersonKeyWith(bl, w.docCase) })); len(ids) != 1 {
			t.Errorf("case by its new passport number: %v", ids)
		}
		old := w.docCase
		old.PersonIDNumber = "E1234567"
		if ids := idsUnder(tx.Bucket(bucketCasesByPerson), db.lookupWith(func(bl blindFunc) []byte { return casePersonKeyWith(bl, old) })); len(ids) != 0 {
			t.Errorf("case still found by its old passport number: %v", ids)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Migration 14 records the keys file's index key as blind key 1 and
// rewrites nothing else.
func TestMigrationBlindKeys(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	if _, err := db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13900000001", Name: "甲", Mobile: "13900000001",
		IDNumber: portal.SyntheticIDNumber(96, portal.Date{Year: 2008, Month: 1, Day: 2}).String(), PasswordHash: "x"}, 0); err != nil {
		t.Fatal(err)
	}
	// Back to the state before migration 15.
	err := db.update(func(tx kv.Tx) error {
		if err := tx.Bucket(bucketKeyring).Delete(bixKey(1)); err != nil {
			return err
		}
		for i, m := range migrations {
			if m.name == migrationBlindKeysName {
				return tx.Bucket(bucketMeta).Put(keySchemaVersion, itob(uint64(migrations[i-1].version)))
			}
		}
		return errors.New("migration 15 not found")
	})
	if err != nil {
		t.Fatal(err)
	}
	beforeKeys := indexKeys(t, db)
	db = reopenTestDB(t, db)
	if s := blindStates(t, db); len(s) != 1 || s[1].State != KeyActive || !s[1].KeysFile {
		t.Fatalf("after migration: %+v", s)
	}
	if got := indexKeys(t, db); len(got[string(bucketAccountsByLogin)]) != 1 || got[string(bucketAccountsByLogin)][0] != beforeKeys[string(bucketAccountsByLogin)][0] {
		t.Fatal("migration 15 rewrote the login index")
	}
	if a, err := db.AccountByLogin("13900000001"); err != nil || a.Name != "甲" {
		t.Fatalf("login after migration 15: %v", err)
	}
}

// blindAuditTrail lists the audit entries about blind keys.
func blindAuditTrail(t *testing.T, db *DB) string {
	t.Helper()
	if rep, err := db.VerifyAudit(); err != nil || !rep.OK {
		t.Fatalf("verify audit: %+v %v", rep, err)
	}
	var out []string
	for from := uint64(0); ; {
		evs, err := db.AuditEntries(from, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			if ev.SubjectKind == "blind_key" {
				out = append(out, fmt.Sprintf("%s %d", ev.Action, ev.SubjectID))
			}
			from = ev.Seq + 1
		}
	}
	return strings.Join(out, ", ")
}

// A KEK rotation rewraps the blind-index keys with the data keys: the old
// KEK opens the database until the new one is confirmed, the new one then
// opens it alone, and lookups under the rotated blind key work throughout.
func TestBlindKeysFollowKEKRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oldKEK, _ := NewKEK()
	keys, err := LoadOrCreateKeys(dir, envOf(map[string]string{EnvKEK: oldKEK}))
	if err != nil {
		t.Fatal(err)
	}
	path := dir + "/portal.db"
	db, err := Open(enginetest.Location(t, path), Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	a := mustCreate(t, db, testCitizen(portal.RoleMinor, "13800000404", 44))
	if _, err := db.RotateBlindKey(context.Background(), BlindRotateOptions{}); err != nil {
		t.Fatal(err)
	}
	newKEK, _ := NewKEK()
	nk, _ := DecodeKEK(newKEK)
	rep, err := db.RotateKEK(nk)
	if err != nil || rep.BlindRewrapped != 1 || !rep.Pending {
		t.Fatalf("%+v %v", rep, err)
	}
	login := func(k Keys, stage string) {
		t.Helper()
		db, err := Open(enginetest.Location(t, path), Options{Keys: k})
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		defer db.Close()
		if got, err := db.AccountByLogin(a.Login); err != nil || got.ID != a.ID {
			t.Fatalf("%s: login: %v", stage, err)
		}
		if ids, err := db.AccountsByIDNumber(a.IDNumber); err != nil || len(ids) != 1 {
			t.Fatalf("%s: identity number: %v %v", stage, ids, err)
		}
	}
	db.Close()
	login(keys, "old KEK before the switch")
	keys2, err := LoadOrCreateKeys(dir, envOf(map[string]string{EnvKEK: newKEK}))
	if err != nil {
		t.Fatal(err)
	}
	login(keys2, "new KEK")
	if _, err := Open(enginetest.Location(t, path), Options{Keys: keys}); !errors.Is(err, ErrWrongKEK) {
		t.Fatalf("old KEK after the switch: %v", err)
	}
}

// The portal keeps serving during a re-index: accounts created and looked
// up while batches run (in another goroutine, as under serve) are found
// during and after it.
func TestRotateBlindKeyWhileWriting(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	var made []portal.Account
	for i := 0; i < 40; i++ {
		made = append(made, mustCreate(t, db, testCitizen(portal.RoleMinor, fmt.Sprintf("1370000%04d", i), uint64(500+i))))
	}
	done := make(chan error, 1)
	go func() {
		_, err := db.RotateBlindKey(context.Background(), BlindRotateOptions{BatchRecords: 2, Pause: time.Millisecond})
		done <- err
	}()
	for i := 0; i < 30; i++ {
		a := mustCreate(t, db, testCitizen(portal.RoleMinor, fmt.Sprintf("1360000%04d", i), uint64(700+i)))
		made = append(made, a)
		probe := made[(i*7)%len(made)]
		if got, err := db.AccountByLogin(probe.Login); err != nil || got.ID != probe.ID {
			t.Fatalf("login %s during the re-index: %v", probe.Login, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(db.crypt.lookupKeys()); n != 1 {
		t.Fatalf("%d lookup keys after the re-index", n)
	}
	for _, a := range made {
		if got, err := db.AccountByLogin(a.Login); err != nil || got.ID != a.ID {
			t.Fatalf("login %s after the re-index: %v", a.Login, err)
		}
		if ids, err := db.AccountsByIDNumber(a.IDNumber); err != nil || len(ids) != 1 || ids[0] != a.ID {
			t.Fatalf("identity number of %d after the re-index: %v %v", a.ID, ids, err)
		}
	}
}
