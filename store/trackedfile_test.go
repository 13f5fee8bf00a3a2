package store

import (
	"bytes"
	"strings"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
)

type fileForTest struct {
	ID   uint64 `json:"id"`
	Ref  string `json:"ref"`
	Text string `json:"text"`
}

type fileForTestBody fileForTest

// The tracked-file shape answers each of its reads the same way for every
// kind: a file by id, by reference (normalized), the account's own files
// newest first, one file for an account that does not hold it, and a
// document under its own file's binding only.
func TestFileKind(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	f := &fileKind[fileForTest, fileForTestBody]{kind: "test_file", records: []byte("test_files"),
		byRef: []byte("test_files_by_ref"), byAccount: []byte("test_files_by_account"),
		documents: []byte("test_file_documents"), docKind: "test_file_document", docField: "content:test:%d",
		refs: []byte("test_file_document_refs"), refKind: "test_file_document_ref", refField: "ref:test:%d", objTag: 't',
		normRef:  func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) },
		toBody:   func(v fileForTest) fileForTestBody { return fileForTestBody(v) },
		fromBody: func(b fileForTestBody) fileForTest { return fileForTest(b) }}
	// Reads before any bucket exists answer not found or empty.
	if err := db.view(func(tx kv.Tx) error {
		if _, err := f.get(db, tx, 1); portal.ErrorCode(err) != portal.CodeNotFound {
			t.Errorf("get without a bucket: %v", err)
		}
		if out, err := f.ofAccount(db, tx, 7); err != nil || out != nil {
			t.Errorf("list without a bucket: %v %v", out, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var docID uint64
	prepared, err := f.prepareDocuments(db, []byte("证据"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.update(func(tx kv.Tx) error {
		for _, b := range [][]byte{f.records, f.byRef, f.byAccount, f.documents, f.refs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		for id, acct := range map[uint64]uint64{1: 7, 2: 7, 3: 8} {
			v := fileForTest{ID: id, Ref: "TF-" + string(rune('0'+id)), Text: "张三的材料"}
			if err := f.put(db, tx, id, v); err != nil {
				return err
			}
			if err := f.putRef(tx, v.Ref, id); err != nil {
				return err
			}
			if err := tx.Bucket(f.byAccount).Put(append(itob(acct), itob(id)...), nil); err != nil {
				return err
			}
		}
		d, err := f.putDocument(db, tx, 1, portal.Document{Name: "a.pdf"}, prepared[0])
		docID = d.ID
		if err == nil && (d.ID == 0 || d.Size != len("证据") || d.UploadedAt.IsZero()) {
			t.Errorf("document = %+v", d)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_ = db.view(func(tx kv.Tx) error {
		for _, c := range []struct {
			name    string
			read    func() (uint64, error)
			want    uint64
			missing bool
		}{
			{"get", func() (uint64, error) { v, err := f.get(db, tx, 2); return v.ID, err }, 2, false},
			{"get missing", func() (uint64, error) { v, err := f.get(db, tx, 9); return v.ID, err }, 0, true},
			{"by reference, as typed", func() (uint64, error) { return f.idByRef(tx, " tf-3 ") }, 3, false},
			{"by unknown reference", func() (uint64, error) { return f.idByRef(tx, "TF-9") }, 0, true},
			{"the account's own", func() (uint64, error) { v, err := f.ofAccountByID(db, tx, 7, 1); return v.ID, err }, 1, false},
			{"another account's", func() (uint64, error) { v, err := f.ofAccountByID(db, tx, 8, 1); return v.ID, err }, 0, true},
		} {
			got, err := c.read()
			if c.missing && portal.ErrorCode(err) != portal.CodeNotFound {
				t.Errorf("%s: %d, %v; want not found", c.name, got, err)
			}
			if !c.missing && (err != nil || got != c.want) {
				t.Errorf("%s: %d, %v; want %d", c.name, got, err, c.want)
			}
		}
		out, err := f.ofAccount(db, tx, 7)
		if err != nil || len(out) != 2 || out[0].ID != 2 || out[1].ID != 1 {
			t.Errorf("account 7's files = %+v, %v; want 2 then 1", out, err)
		}
		if src, err := f.documentSource(db, tx, 1, docID); err != nil {
			t.Errorf("document of its file: %v", err)
		} else if b, err := db.loadDocument(src); err != nil || string(b) != "证据" {
			t.Errorf("document of its file: %q, %v", b, err)
		}
		if _, err := f.documentSource(db, tx, 2, docID); portal.ErrorCode(err) != portal.CodeNotFound {
			t.Errorf("document read as another file's: %v", err)
		}
		// Sealed: neither the file nor the document is in clear.
		for _, b := range [][]byte{f.records, f.documents, f.refs, bucketBlobObjects} {
			_ = tx.Bucket(b).ForEach(func(k, v []byte) error {
				if bytes.Contains(v, []byte("张三")) || bytes.Contains(v, []byte("证据")) {
					t.Errorf("%s stored in clear under %x", b, k)
				}
				return nil
			})
		}
		return nil
	})
}
