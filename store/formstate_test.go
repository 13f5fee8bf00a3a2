package store

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// A form state is found again by its cookie hash and kind until it expires,
// the two kinds of one cookie are independent, and it is stored sealed.
func TestFormStateLifecycle(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }
	h := sha256.Sum256([]byte("cookie-id"))
	ans := portal.FormState{Kind: portal.FormAnswer, AccountID: 7, Path: "/cases/3", Status: 422,
		Body: []byte("<p>张三 typed this</p>"), Expires: now.Add(portal.FormAnswerAge)}
	kept := portal.FormState{Kind: portal.FormKept, AccountID: 7, Path: "/cases/3", Action: "/cases/3/messages",
		Values: map[string][]string{"body": {"我的留言"}}, HadFiles: true, Expires: now.Add(portal.FormKeptAge)}
	for _, st := range []portal.FormState{ans, kept} {
		if err := db.PutFormState(h[:], st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.FormState(h[:], portal.FormAnswer)
	if err != nil || got.Status != 422 || !bytes.Equal(got.Body, ans.Body) || got.AccountID != 7 || got.Path != "/cases/3" {
		t.Fatalf("answer = %+v, %v", got, err)
	}
	got, err = db.FormState(h[:], portal.FormKept)
	if err != nil || got.Values["body"][0] != "我的留言" || !got.HadFiles || got.Action != "/cases/3/messages" {
		t.Fatalf("kept = %+v, %v", got, err)
	}
	// Sealed: the typed text is nowhere in the file's values.
	_ = db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketFormStates).ForEach(func(k, v []byte) error {
			if bytes.Contains(v, []byte("typed this")) || bytes.Contains(v, []byte("我的留言")) {
				t.Errorf("form state stored in clear under %x", k)
			}
			return nil
		})
	})
	if err := db.DeleteFormState(h[:], portal.FormAnswer); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FormState(h[:], portal.FormAnswer); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("deleted answer: %v", err)
	}
	if _, err := db.FormState(h[:], portal.FormKept); err != nil {
		t.Fatalf("deleting the answer took the kept form: %v", err)
	}
	// Past its expiry it is not found, and the next write purges it with its index row.
	now = now.Add(portal.FormKeptAge + time.Second)
	if _, err := db.FormState(h[:], portal.FormKept); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Fatalf("expired kept form: %v", err)
	}
	other := sha256.Sum256([]byte("other"))
	if err := db.PutFormState(other[:], portal.FormState{Kind: portal.FormAnswer, Path: "/", Expires: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	_ = db.view(func(tx kv.Tx) error {
		if n := tx.Bucket(bucketFormStates).KeyN(); n != 1 {
			t.Errorf("%d form states after the purge, want 1", n)
		}
		if n := tx.Bucket(bucketFormStatesByExpiry).KeyN(); n != 1 {
			t.Errorf("%d expiry rows after the purge, want 1", n)
		}
		return nil
	})
	if err := db.PutFormState(h[:3], ans); err == nil {
		t.Error("a short key was accepted")
	}
}

// The migration that adds the form states' buckets creates them, and running
// it twice changes nothing.
func TestMigrationFormStates(t *testing.T) {
	var m migration
	for _, mm := range migrations {
		if mm.name == migrationFormStatesName {
			m = mm
		}
	}
	if m.apply == nil {
		t.Fatal("migration not in the list")
	}
	b := applyUpTo(t, m.version-1)
	for range 2 {
		if err := b.Update(m.apply); err != nil {
			t.Fatal(err)
		}
	}
	_ = b.View(func(tx kv.Tx) error {
		for _, name := range formStateBuckets() {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	})
}
