package store

import (
	"bytes"
	"context"
	"testing"

	"sealportal/store/blob"
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
	n, err := db.MoveDocumentObjects(context.Background(), 2) // two batches
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
