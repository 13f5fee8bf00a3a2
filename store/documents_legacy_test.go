package store

import (
	"fmt"
	"slices"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
)

// addLegacyDocument writes a document as the store did before issue 15:
// its bytes sealed whole with the keyring into the documents bucket, listed
// on the case. Databases hold such documents; they must keep reading.
func addLegacyDocument(t *testing.T, db *DB, caseID uint64, d portal.Document, content []byte) portal.Document {
	t.Helper()
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getCase(tx, caseID)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketDocuments)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		d.ID, d.Size, d.UploadedAt = id, len(content), db.now().UTC()
		if err := b.Put(itob(id), db.crypt.seal(kindDocument, id, fmt.Sprintf("content:case:%d", caseID), content)); err != nil {
			return err
		}
		c := old
		c.Documents = append(slices.Clone(old.Documents), d)
		return db.putCase(tx, old, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// addLegacyReliefDocument is addLegacyDocument for a relief request (a draft).
func addLegacyReliefDocument(t *testing.T, db *DB, reliefID uint64, d portal.Document, content []byte) portal.Document {
	t.Helper()
	err := db.update(func(tx kv.Tx) error {
		old, err := db.getRelief(tx, reliefID)
		if err != nil {
			return err
		}
		if d, err = putLegacy(db, tx, reliefFiles.documents, kindReliefDocument, fmt.Sprintf("content:relief:%d", reliefID), d, content); err != nil {
			return err
		}
		r := old
		r.Documents = append(slices.Clone(old.Documents), d)
		return db.putRelief(tx, old, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// addLegacyLeakDocument is addLegacyDocument for a leak report.
func addLegacyLeakDocument(t *testing.T, db *DB, reportID uint64, d portal.Document, content []byte) portal.Document {
	t.Helper()
	err := db.update(func(tx kv.Tx) error {
		r, err := db.getLeak(tx, reportID)
		if err != nil {
			return err
		}
		if d, err = putLegacy(db, tx, leakFiles.documents, kindLeakDocument, fmt.Sprintf("content:leak:%d", reportID), d, content); err != nil {
			return err
		}
		r.Documents = append(slices.Clone(r.Documents), d)
		return db.putLeak(tx, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func putLegacy(db *DB, tx kv.Tx, bucket []byte, kind, field string, d portal.Document, content []byte) (portal.Document, error) {
	b := tx.Bucket(bucket)
	id, err := b.NextSequence()
	if err != nil {
		return d, err
	}
	d.ID, d.Size, d.UploadedAt = id, len(content), db.now().UTC()
	return d, b.Put(itob(id), db.crypt.seal(kind, id, field, content))
}

// The migration creating the documents' rows, object index and the engine's
// object bucket, found by its name: after it they exist, it applies twice,
// and a document of the old form written before it still reads after it
// (TestMigration8 reads one through the whole chain as well).
func TestMigrationDocumentObjects(t *testing.T) {
	version := 0
	for _, m := range migrations {
		if m.name == migrationDocumentObjectsName {
			version = m.version
		}
	}
	if version == 0 {
		t.Fatal("no migration named " + migrationDocumentObjectsName)
	}
	b := applyUpTo(t, version)
	if err := b.View(func(tx kv.Tx) error {
		for _, name := range [][]byte{bucketDocumentRefs, bucketReliefDocumentRefs, bucketLeakDocumentRefs, bucketDocumentObjects, bucketBlobObjects} {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.Update(migrations[version-1].apply); err != nil {
		t.Errorf("applied twice: %v", err)
	}
}
