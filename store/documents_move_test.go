package store

import (
	"bytes"
	"context"
	"testing"

	"sealportal/store/blob"
	"sealportal/store/kv"
)

// TestMoveDocumentObjectsToS3 (issue 15): a portal that kept documents in
// the database and is then given an external object store (-blob-url) still
// reads them (the engine's copy is read first), and `admin move-documents`
// moves their ciphertext to the object store unchanged (rows, keys and
// hashes stay valid), deletes the engine's copies, and leaves every document
// readable; a second run has nothing left to move.
func TestMoveDocumentObjectsToS3(t *testing.T) {
	t.Parallel()
	contents := []string{"甲的判决书 moved", "乙的不起诉决定书 moved", "丙的证明 moved"}
	db, caseID, docs := documentsWorld(t, nil, contents...)
	if _, err := db.MoveDocumentObjects(context.Background(), 10); err == nil {
		t.Fatal("moving without an external object store: no error")
	}
	engine := allObjects(t, db.Blobs())
	if len(engine) != len(contents) {
		t.Fatalf("%d objects in the engine before, want %d", len(engine), len(contents))
	}
	s3 := testS3(t)
	db.blobs = s3 // the restart with -blob-url
	read := func(when string) {
		t.Helper()
		for i, d := range docs {
			got, err := db.DocumentContent(caseID, d.ID)
			if err != nil || string(got) != contents[i] {
				t.Fatalf("%s: document %d reads %q, %v; want %q", when, d.ID, got, err, contents[i])
			}
		}
	}
	read("with the object store configured, before the move")
	// A document removed before the move takes its database copy with it.
	gone := docs[len(docs)-1]
	if err := db.RemoveDocument(caseID, gone.ID, gone.UploadedBy); err != nil {
		t.Fatal(err)
	}
	for k := range engine {
		if !objectNamed(t, db, k) {
			delete(engine, k)
		}
	}
	docs, contents = docs[:len(docs)-1], contents[:len(contents)-1]
	if left := allObjects(t, engineBlobs{db: db}); len(left) != len(contents) {
		t.Fatalf("%d objects in the engine after removing one, want %d", len(left), len(contents))
	}
	n, err := db.MoveDocumentObjects(context.Background(), 1) // two batches
	if err != nil || n != len(contents) {
		t.Fatalf("move: %d, %v; want %d moved", n, err, len(contents))
	}
	left := allObjects(t, engineBlobs{db: db})
	if len(left) != 0 {
		t.Fatalf("%d objects left in the engine after the move", len(left))
	}
	moved := allObjects(t, s3)
	for k, v := range engine {
		if !bytes.Equal(moved[k], v) {
			t.Errorf("object %s in the object store differs from the engine's ciphertext", k)
		}
		for _, c := range contents {
			if bytes.Contains(moved[k], []byte(c)) {
				t.Errorf("object %s holds %q in clear", k, c)
			}
		}
	}
	read("after the move")
	if n, err := db.MoveDocumentObjects(context.Background(), 2); err != nil || n != 0 {
		t.Fatalf("second move: %d, %v; want nothing left to move", n, err)
	}
	var _ blob.Store = engineBlobs{}
}

// objectNamed says whether a document row still names object key.
func objectNamed(t *testing.T, db *DB, key string) bool {
	t.Helper()
	named := false
	if err := db.view(func(tx kv.Tx) error {
		named = tx.Bucket(bucketDocumentObjects).Get([]byte(key)) != nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return named
}
