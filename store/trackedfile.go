package store

import (
	"bytes"
	"slices"

	"sealportal/portal"
	"sealportal/store/kv"
)

// A tracked file is what a person or an organ files and then follows through
// its steps: a sealing case, a relief request, a leak report, a query of a
// sealed record, a certificate request. Each kind repeats one shape:
//
//	<records>      itob(id) -> the whole file, sealed (sealJSON, bound to kind, id, "body")
//	<byRef>        reference number -> itob(id)                   (the number people quote)
//	<byAccount>    itob(account id) | itob(id) -> ...             (the filer's own list)
//	<documents>    itob(document id) -> the file's bytes, sealed and bound to the
//	               document id and the owning file's id ("content:<owner>:%d"):
//	               documents of before issue 15; its sequence numbers all documents
//	<refs>         itob(document id) -> the document's row: object key, size,
//	               SHA-256 and data key, sealed ("ref:<owner>:%d", documents.go)
//
// plus parts of its own (a queue by deadline, messages, notices), which stay
// with the kind. fileKind is that shape once: each kind declares its bucket
// names and the conversion between its domain type T and its stored form B
// (a type of its own so that B can carry the binary codec, casecodec.go), and
// its store code reads and writes through the methods below. A bucket name
// left nil is a part the kind does not have. The buckets themselves are the
// kinds' own (listed in doc.go): fileKind changes no layout.
type fileKind[T, B any] struct {
	kind      string // the records' seal kind (rotate.go)
	records   []byte
	byRef     []byte
	byAccount []byte
	documents []byte
	docKind   string // the documents' seal kind
	docField  string // the documents' seal field, a format of the owner's id
	// refs holds the documents' rows (documents.go), sealed with refKind
	// and refField (a format of the owner's id); objTag names the kind in
	// the object index.
	refs     []byte
	refKind  string
	refField string
	objTag   byte
	// normRef normalizes a reference number typed by a person (nil: as is).
	normRef  func(string) string
	toBody   func(T) B
	fromBody func(B) T
}

func newFileKind[T, B any](f fileKind[T, B]) *fileKind[T, B] {
	registerSealer(f.kind, "body")
	if f.documents != nil {
		registerSealer(f.docKind, f.docField)
		registerSealer(f.refKind, f.refField)
	}
	return &f
}

// encode encrypts v as the stored form of file id.
func (f *fileKind[T, B]) encode(db *DB, id uint64, v T) ([]byte, error) {
	return db.crypt.sealJSON(f.kind, id, "body", f.toBody(v))
}

// decode decrypts the stored form of file id.
func (f *fileKind[T, B]) decode(db *DB, id uint64, raw []byte) (T, error) {
	var b B
	err := db.crypt.openJSON(f.kind, id, "body", raw, &b)
	return f.fromBody(b), err
}

// get reads and opens file id; none (or no bucket yet) is not found.
func (f *fileKind[T, B]) get(db *DB, tx kv.Tx, id uint64) (T, error) {
	var raw []byte
	if rb := tx.Bucket(f.records); rb != nil {
		raw = rb.Get(itob(id))
	}
	if raw == nil {
		var b B
		return f.fromBody(b), portal.NotFound()
	}
	return f.decode(db, id, raw)
}

// put seals v and writes it as file id (its indexes are the caller's).
func (f *fileKind[T, B]) put(db *DB, tx kv.Tx, id uint64, v T) error {
	raw, err := f.encode(db, id, v)
	if err != nil {
		return err
	}
	return tx.Bucket(f.records).Put(itob(id), raw)
}

// idByRef finds a file's id by its reference number.
func (f *fileKind[T, B]) idByRef(tx kv.Tx, ref string) (uint64, error) {
	if f.normRef != nil {
		ref = f.normRef(ref)
	}
	b := tx.Bucket(f.byRef)
	if b == nil {
		return 0, portal.NotFound()
	}
	v := b.Get([]byte(ref))
	if v == nil {
		return 0, portal.NotFound()
	}
	return btoi(v), nil
}

// putRef indexes file id under its reference number.
func (f *fileKind[T, B]) putRef(tx kv.Tx, ref string, id uint64) error {
	return tx.Bucket(f.byRef).Put([]byte(ref), itob(id))
}

// ofAccount lists an account's files, newest first, through its index.
func (f *fileKind[T, B]) ofAccount(db *DB, tx kv.Tx, account uint64) ([]T, error) {
	idx := tx.Bucket(f.byAccount)
	if idx == nil {
		return nil, nil
	}
	var out []T
	prefix := itob(account)
	cur := idx.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		v, err := f.get(db, tx, btoi(k[8:]))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	slices.Reverse(out)
	return out, nil
}

// ofAccountByID reads file id for account: one the account's index does not
// hold is not found, exactly like one that does not exist.
func (f *fileKind[T, B]) ofAccountByID(db *DB, tx kv.Tx, account, id uint64) (T, error) {
	if idx := tx.Bucket(f.byAccount); idx == nil || idx.Get(append(itob(account), itob(id)...)) == nil {
		var b B
		return f.fromBody(b), portal.NotFound()
	}
	return f.get(db, tx, id)
}

// Documents: putDocument, documentSource, deleteDocument are in documents.go.
