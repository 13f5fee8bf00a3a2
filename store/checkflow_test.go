package store

import (
	"bytes"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The check's answers belong to the token that saved them, survive a
// restart, expire an hour after the last save, and are purged.
func TestCheckAnswersLifecycle(t *testing.T) {
	db := newTestDB(t)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }

	token, err := db.SaveCheckAnswers("", []byte(`{"birth":"2006-03-14"}`))
	if err != nil || token == "" {
		t.Fatalf("save: %q, %v", token, err)
	}
	again, err := db.SaveCheckAnswers(token, []byte(`{"birth":"2006-03-15"}`))
	if err != nil || again != token {
		t.Fatalf("save again: %q, %v; want the same token", again, err)
	}
	db = reopenTestDB(t, db)
	got, err := db.CheckAnswers(token)
	if err != nil || string(got) != `{"birth":"2006-03-15"}` {
		t.Fatalf("answers after reopen: %s, %v", got, err)
	}
	// Another token, a forged one and none find nothing.
	other, _ := db.SaveCheckAnswers("", []byte(`{}`))
	for _, tok := range []string{"", "1.x", token + "x", other[:len(other)-1]} {
		if _, err := db.CheckAnswers(tok); portal.ErrorCode(err) != portal.CodeNotFound {
			t.Errorf("CheckAnswers(%q) = %v, want not found", tok, err)
		}
	}
	// The answers are sealed: the date is not in the file in clear.
	_ = db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketCheckAnswers).ForEach(func(_, v []byte) error {
			if bytes.Contains(v, []byte("2006")) {
				t.Errorf("a check answer is stored in clear: %s", v)
			}
			return nil
		})
	})
	// Saving extends the life; an hour after the last save they are gone.
	now = now.Add(50 * time.Minute)
	if _, err := db.SaveCheckAnswers(token, []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(50 * time.Minute)
	if _, err := db.CheckAnswers(token); err != nil {
		t.Errorf("answers saved 50 minutes ago: %v", err)
	}
	if _, err := db.CheckAnswers(other); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Errorf("answers of 100 minutes ago: %v, want not found", err)
	}
	now = now.Add(11 * time.Minute)
	fresh, err := db.SaveCheckAnswers(token, []byte(`{}`))
	if err != nil || fresh == token {
		t.Fatalf("saving under an expired token gives %q, %v; want a new token", fresh, err)
	}
	rows := 0
	_ = db.view(func(tx kv.Tx) error { rows = tx.Bucket(bucketCheckAnswers).KeyN(); return nil })
	if rows != 1 {
		t.Errorf("%d rows after the purge, want only the fresh one", rows)
	}
	if err := db.DeleteCheckAnswers(fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckAnswers(fresh); portal.ErrorCode(err) != portal.CodeNotFound {
		t.Errorf("deleted answers: %v, want not found", err)
	}
	if err := db.DeleteCheckAnswers("nope"); err != nil {
		t.Errorf("deleting an unknown token: %v", err)
	}
	if _, err := db.SaveCheckAnswers("", []byte("not json")); err == nil {
		t.Errorf("saving answers that are not JSON succeeded")
	}
}

// The migration creates the bucket, and running it twice is harmless.
func TestMigrationCheckAnswers(t *testing.T) {
	var m *migration
	for i := range migrations {
		if migrations[i].name == migrationCheckAnswersName {
			m = &migrations[i]
		}
	}
	if m == nil {
		t.Fatalf("no migration named %q", migrationCheckAnswersName)
	}
	b := applyUpTo(t, m.version)
	for range 2 {
		if err := b.Update(m.apply); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
	_ = b.View(func(tx kv.Tx) error {
		if tx.Bucket(bucketCheckAnswers) == nil {
			t.Errorf("bucket %s missing after the migration", bucketCheckAnswers)
		}
		return nil
	})
}
