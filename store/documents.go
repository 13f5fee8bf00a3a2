package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"sealportal/portal"
	"sealportal/store/blob"
	"sealportal/store/kv"
)

// Documents apart from the transactional store (issue 15, design
// scale-out.md §4). A document's bytes are an object in a blob.Store: the
// engine's own bucket (the default) or S3-compatible object storage. Each
// document has its own random 32-byte data key (DEK):
//
//	object  = v1 | nonce | AES-256-GCM(DEK, content, AD = "sealportal document" | kind | object key)
//	row     = the keyring's seal of (object key, size, SHA-256 of the object, DEK),
//	          bound to the row kind, the document id and the owning file's id
//
// The row lives in the kind's <refs> bucket (document_refs, …) and commits
// in the same transaction as the change of the case, request or report; the
// object store holds ciphertext only. A key rotation (rotate.go) re-seals
// the rows, a few dozen bytes per document, and never touches an object.
//
// Write protocol: the content is encrypted and uploaded under a fresh random
// key BEFORE the write transaction (prepareDocuments: no network I/O inside
// a transaction, which groupcommit.go batches), the row is written inside it
// (fileKind.putDocument), then the caller answers. A transaction that fails
// leaves an object no row names: SweepOrphanDocuments deletes those once
// they are a day old. With the engine's own store the object is written in
// the same transaction instead, so nothing is ever orphaned there.
//
// Documents stored before (sealed whole in the documents buckets) are read
// as they are: documentSource accepts both forms, so no migration rewrites
// terabytes; they keep being rotated by the registry's legacy entries.

var (
	bucketDocumentRefs       = []byte("document_refs")
	bucketReliefDocumentRefs = []byte("relief_document_refs")
	bucketLeakDocumentRefs   = []byte("leak_document_refs")
	// bucketDocumentObjects is object key -> owner kind tag | document id:
	// which objects a row names (the sweeper's question), in clear.
	bucketDocumentObjects = []byte("document_objects")
	// bucketBlobObjects is the engine's own object store (engineBlobs):
	// object key -> written time (unix ns) | the object.
	bucketBlobObjects = []byte("blob_objects")
)

const (
	kindDocumentRef       = "document_ref"
	kindReliefDocumentRef = "relief_document_ref"
	kindLeakDocumentRef   = "leak_document_ref"

	// documentObjectPrefix starts every document object's key.
	documentObjectPrefix = "doc/"
	// OrphanAge is how old an object no row names must be before the
	// sweeper deletes it: far longer than any transaction that could still
	// commit its row.
	OrphanAge = 24 * time.Hour
	// blobTimeout bounds one object store call.
	blobTimeout = 2 * time.Minute
)

// migrationDocumentObjectsName names the migration creating the buckets
// above; tests find it by name, since the integrator may renumber it.
const migrationDocumentObjectsName = "documents apart from the transactional store: rows, object index, engine objects (issue 15)"

func migrateDocumentObjects(tx kv.Tx) error {
	for _, b := range [][]byte{bucketDocumentRefs, bucketReliefDocumentRefs, bucketLeakDocumentRefs, bucketDocumentObjects, bucketBlobObjects} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// ErrDocumentCorrupt is returned when a document's object does not match the
// SHA-256 its row recorded (or does not decrypt): never wrong content.
var ErrDocumentCorrupt = errors.New("store: document object does not match its row")

// preparedDoc is a document encrypted (and, for an external store,
// uploaded) before the transaction that records it.
type preparedDoc struct {
	key  string
	sum  [32]byte
	dek  []byte
	size int
	// object is the ciphertext when the engine's own store keeps it: it is
	// written by putDocument in the caller's transaction.
	object []byte
}

// docSource is where a document's bytes are, read inside a transaction and
// fetched after it (loadDocument).
type docSource struct {
	legacy []byte // a document of the old form: its opened content
	kind   string // the documents' seal kind, bound into the object
	id     uint64
	key    string
	sum    [32]byte
	dek    []byte
	object []byte // the engine's own object, read in the same transaction
}

// objectAD binds an object to its key and its kind of document.
func objectAD(kind, key string) []byte {
	return []byte("sealportal document v1\x00" + kind + "\x00" + key)
}

const objectV1 = 1

func objectAEAD(dek []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(dek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func sealObject(dek []byte, kind, key string, content []byte) ([]byte, error) {
	aead, err := objectAEAD(dek)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := make([]byte, 0, 1+len(nonce)+len(content)+aead.Overhead())
	out = append(append(out, objectV1), nonce...)
	return aead.Seal(out, nonce, content, objectAD(kind, key)), nil // #nosec G407 -- the nonce is fresh from crypto/rand, and each key seals one object
}

func openObject(dek []byte, kind, key string, obj []byte) ([]byte, error) {
	aead, err := objectAEAD(dek)
	if err != nil {
		return nil, err
	}
	ns := aead.NonceSize()
	if len(obj) < 1+ns+aead.Overhead() || obj[0] != objectV1 {
		return nil, errors.New("object too short or of an unknown form")
	}
	return aead.Open(nil, obj[1:1+ns], obj[1+ns:], objectAD(kind, key))
}

// encodeRow is the plaintext of a row: v1 | key length | key | size | SHA-256 | DEK.
func encodeRow(p *preparedDoc) []byte {
	out := make([]byte, 0, 1+2+len(p.key)+8+32+32)
	out = append(out, 1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(p.key))) // #nosec G115 -- keys are "doc/" and 32 hex digits
	out = append(out, p.key...)
	out = binary.BigEndian.AppendUint64(out, uint64(p.size)) // #nosec G115 -- a length
	out = append(out, p.sum[:]...)
	return append(out, p.dek...)
}

func decodeRow(b []byte, src *docSource) error {
	if len(b) < 3 || b[0] != 1 {
		return errors.New("store: document row of an unknown form")
	}
	n := int(binary.BigEndian.Uint16(b[1:3]))
	if len(b) != 3+n+8+32+32 {
		return errors.New("store: document row of a wrong length")
	}
	src.key = string(b[3 : 3+n])
	copy(src.sum[:], b[3+n+8:3+n+8+32])
	src.dek = append([]byte(nil), b[3+n+8+32:]...)
	return nil
}

// newObjectKey is a fresh random object key: nothing of the document, its
// owner or its kind is in it.
func newObjectKey() (string, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	return documentObjectPrefix + hex.EncodeToString(r[:]), nil
}

// prepareDocuments encrypts each content under its own new DEK and, unless
// the engine keeps the objects, uploads it and waits for the store's
// answer. Call it before the write transaction that records the documents.
func (f *fileKind[T, B]) prepareDocuments(db *DB, contents ...[]byte) ([]*preparedDoc, error) {
	out := make([]*preparedDoc, len(contents))
	for i, content := range contents {
		p := &preparedDoc{dek: make([]byte, 32), size: len(content)}
		if _, err := rand.Read(p.dek); err != nil {
			return nil, err
		}
		var err error
		if p.key, err = newObjectKey(); err != nil {
			return nil, err
		}
		obj, err := sealObject(p.dek, f.docKind, p.key, content)
		if err != nil {
			return nil, err
		}
		p.sum = sha256.Sum256(obj)
		if db.blobs == nil {
			p.object = obj
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
			err := db.blobs.Put(ctx, p.key, obj)
			cancel()
			if err != nil {
				return nil, fmt.Errorf("store: upload document object: %w", err) // a 500, logged: no personal data in it
			}
		}
		out[i] = p
	}
	return out, nil
}

// putDocument records a prepared document of file owner under a new
// document id, inside the caller's transaction, and returns d with its id,
// size and upload time.
func (f *fileKind[T, B]) putDocument(db *DB, tx kv.Tx, owner uint64, d portal.Document, p *preparedDoc) (portal.Document, error) {
	id, err := tx.Bucket(f.documents).NextSequence() // ids stay one sequence across both forms
	if err != nil {
		return d, err
	}
	d.ID, d.Size = id, p.size
	if d.UploadedAt.IsZero() {
		d.UploadedAt = db.now().UTC()
	}
	if p.object != nil {
		v := append(itob(uint64(db.now().UnixNano())), p.object...) // #nosec G115 -- a time after 1970
		if err := docPut(tx, bucketBlobObjects, []byte(p.key), v); err != nil {
			return d, err
		}
	}
	row := db.crypt.seal(f.refKind, id, fmt.Sprintf(f.refField, owner), encodeRow(p))
	if err := docPut(tx, f.refs, itob(id), row); err != nil {
		return d, err
	}
	return d, docPut(tx, bucketDocumentObjects, []byte(p.key), append([]byte{f.objTag}, itob(id)...))
}

// docPut puts into a bucket of documents.go, created first if a database
// written at an older schema (the migration tests' own) does not have it yet.
func docPut(tx kv.Tx, name, k, v []byte) error {
	b := tx.Bucket(name)
	if b == nil {
		var err error
		if b, err = tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return b.Put(k, v)
}

// documentSource finds document docID of file owner: its row (or, for a
// document of the old form, its sealed content). A document of another file
// does not open under this file's binding: it is not found.
func (f *fileKind[T, B]) documentSource(db *DB, tx kv.Tx, owner, docID uint64) (docSource, error) {
	src := docSource{kind: f.docKind, id: docID}
	if rb := tx.Bucket(f.refs); rb != nil {
		if raw := rb.Get(itob(docID)); raw != nil {
			pt, err := db.crypt.open(f.refKind, docID, fmt.Sprintf(f.refField, owner), raw)
			if err != nil {
				return src, portal.NotFound()
			}
			if err := decodeRow(pt, &src); err != nil {
				return src, err
			}
			// The engine's own copy first, whichever store is configured: a
			// document stored before -blob-url was set stays readable until
			// MoveDocumentObjects has copied it out (then only the external
			// store has it).
			if ob := tx.Bucket(bucketBlobObjects); ob != nil {
				if v := ob.Get([]byte(src.key)); len(v) >= 8 {
					src.object = copyBytes(v[8:])
				}
			}
			return src, nil
		}
	}
	raw := tx.Bucket(f.documents).Get(itob(docID))
	if raw == nil {
		return src, portal.NotFound()
	}
	out, err := db.crypt.open(f.docKind, docID, fmt.Sprintf(f.docField, owner), raw)
	if err != nil {
		return src, portal.NotFound()
	}
	src.legacy = out
	return src, nil
}

// loadDocument returns a document's bytes: the object is fetched (unless
// already read), its SHA-256 checked against the row before anything is
// decrypted, then opened with the document's DEK.
func (db *DB) loadDocument(src docSource) ([]byte, error) {
	if src.legacy != nil || src.key == "" {
		return src.legacy, nil
	}
	obj := src.object
	if obj == nil {
		if db.blobs == nil {
			return nil, fmt.Errorf("store: document %s %d: %w (its object is missing)", src.kind, src.id, ErrDocumentCorrupt)
		}
		ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
		var err error
		obj, err = db.blobs.Get(ctx, src.key)
		cancel()
		if errors.Is(err, blob.ErrNotFound) {
			return nil, fmt.Errorf("store: document %s %d: %w (its object is missing)", src.kind, src.id, ErrDocumentCorrupt)
		}
		if err != nil {
			return nil, fmt.Errorf("store: document %s %d: fetch object: %w", src.kind, src.id, err)
		}
	}
	if sha256.Sum256(obj) != src.sum {
		return nil, fmt.Errorf("store: document %s %d: %w (SHA-256 differs)", src.kind, src.id, ErrDocumentCorrupt)
	}
	out, err := openObject(src.dek, src.kind, src.key, obj)
	if err != nil {
		return nil, fmt.Errorf("store: document %s %d: %w (%v)", src.kind, src.id, ErrDocumentCorrupt, err)
	}
	return out, nil
}

// deleteDocument removes a document of file owner inside the caller's
// transaction: its row, its entry in the object index and (on the engine's
// own store) its object. It returns the key of an external object, which the
// caller deletes after the commit (dropObjects); if that fails, the object
// is an orphan and the sweeper takes it.
func (f *fileKind[T, B]) deleteDocument(db *DB, tx kv.Tx, owner, docID uint64) (string, error) {
	if err := tx.Bucket(f.documents).Delete(itob(docID)); err != nil {
		return "", err
	}
	rb := tx.Bucket(f.refs)
	if rb == nil {
		return "", nil
	}
	raw := rb.Get(itob(docID))
	if raw == nil {
		return "", nil
	}
	var key string
	if pt, err := db.crypt.open(f.refKind, docID, fmt.Sprintf(f.refField, owner), raw); err == nil {
		var src docSource
		if decodeRow(pt, &src) == nil {
			key = src.key
		}
	}
	if err := rb.Delete(itob(docID)); err != nil {
		return "", err
	}
	if key == "" {
		return "", nil // a row that does not open here: its object is left to the sweeper
	}
	if err := tx.Bucket(bucketDocumentObjects).Delete([]byte(key)); err != nil {
		return "", err
	}
	// The engine's copy goes whichever store is configured (a document
	// stored before -blob-url was set and not moved yet has only that one).
	if ob := tx.Bucket(bucketBlobObjects); ob != nil {
		if err := ob.Delete([]byte(key)); err != nil {
			return "", err
		}
	}
	if db.blobs == nil {
		return "", nil
	}
	return key, nil
}

// dropObjects deletes, after a commit, the objects of deleted documents.
// A failure is not the caller's: the object has no row any more and the
// sweeper deletes it a day later.
func (db *DB) dropObjects(keys []string) {
	if db.blobs == nil {
		return
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
		_ = db.blobs.Delete(ctx, k) // left to SweepOrphanDocuments
		cancel()
	}
}

// sweepState is where the next sweep starts.
type sweepState struct {
	sync.Mutex
	after string
}

// SweepReport is what one sweep did (counts only).
type SweepReport struct {
	Listed  int
	Deleted int
	Wrapped bool // the listing reached the end and starts again next time
}

// SweepOrphanDocuments deletes document objects that no row names and that
// are older than OrphanAge, looking at no more than limit objects per call
// and continuing where the last call stopped (a bounded batch for the serve
// process's periodic jobs). The age protects an upload whose transaction has
// not committed yet.
func (db *DB) SweepOrphanDocuments(ctx context.Context, limit int) (SweepReport, error) {
	var rep SweepReport
	if limit <= 0 {
		limit = 1000
	}
	store := db.Blobs()
	db.sweep.Lock()
	defer db.sweep.Unlock()
	objs, err := store.List(ctx, documentObjectPrefix, db.sweep.after, limit)
	if err != nil {
		return rep, fmt.Errorf("store: sweep documents: list: %w", err)
	}
	rep.Listed = len(objs)
	if len(objs) < limit {
		db.sweep.after, rep.Wrapped = "", true
	} else {
		db.sweep.after = objs[len(objs)-1].Key
	}
	cutoff := db.now().Add(-OrphanAge)
	var old []string
	for _, o := range objs {
		if o.Modified.Before(cutoff) {
			old = append(old, o.Key)
		}
	}
	if len(old) == 0 {
		return rep, nil
	}
	var orphans []string
	err = db.view(func(tx kv.Tx) error {
		orphans = orphans[:0]
		idx := tx.Bucket(bucketDocumentObjects)
		for _, k := range old {
			if idx == nil || idx.Get([]byte(k)) == nil {
				orphans = append(orphans, k)
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	for _, k := range orphans {
		if db.blobs == nil {
			// The engine's own objects: delete only if still unnamed, in
			// the same transaction as the check.
			err = db.update(func(tx kv.Tx) error {
				if tx.Bucket(bucketDocumentObjects).Get([]byte(k)) != nil {
					return nil
				}
				rep.Deleted++
				return tx.Bucket(bucketBlobObjects).Delete([]byte(k))
			})
		} else if err = store.Delete(ctx, k); err == nil {
			rep.Deleted++
		}
		if err != nil {
			return rep, fmt.Errorf("store: sweep documents: delete: %w", err)
		}
	}
	return rep, nil
}

// Blobs is the object store documents live in: the external one given in
// Options, else the engine's own.
func (db *DB) Blobs() blob.Store {
	if db.blobs != nil {
		return db.blobs
	}
	return engineBlobs{db: db}
}

// engineBlobs is the engine's own object store, the embedded default: the
// objects are values of bucketBlobObjects, on bbolt as on PostgreSQL. The
// store writes documents' objects through the caller's transaction
// (putDocument); these methods serve the sweeper, tools and tests.
type engineBlobs struct{ db *DB }

func (e engineBlobs) Name() string { return "engine" }

func (e engineBlobs) Put(_ context.Context, key string, data []byte) error {
	return e.db.update(func(tx kv.Tx) error {
		return tx.Bucket(bucketBlobObjects).Put([]byte(key), append(itob(uint64(e.db.now().UnixNano())), data...)) // #nosec G115 -- a time after 1970
	})
}

func (e engineBlobs) Get(_ context.Context, key string) ([]byte, error) {
	var out []byte
	err := e.db.view(func(tx kv.Tx) error {
		v := tx.Bucket(bucketBlobObjects).Get([]byte(key))
		if len(v) < 8 {
			return blob.ErrNotFound
		}
		out = copyBytes(v[8:])
		return nil
	})
	return out, err
}

func (e engineBlobs) Delete(_ context.Context, key string) error {
	return e.db.update(func(tx kv.Tx) error { return tx.Bucket(bucketBlobObjects).Delete([]byte(key)) })
}

func (e engineBlobs) List(_ context.Context, prefix, after string, limit int) ([]blob.Object, error) {
	var out []blob.Object
	err := e.db.view(func(tx kv.Tx) error {
		out = out[:0]
		c := tx.Bucket(bucketBlobObjects).Cursor()
		var k, v []byte
		if after != "" && after >= prefix {
			if k, v = c.Seek([]byte(after)); k != nil && string(k) == after {
				k, v = c.Next()
			}
		} else {
			k, v = c.Seek([]byte(prefix))
		}
		for ; k != nil && bytes.HasPrefix(k, []byte(prefix)) && len(out) < limit; k, v = c.Next() {
			if len(v) < 8 {
				continue
			}
			out = append(out, blob.Object{Key: string(k), Size: int64(len(v) - 8), Modified: time.Unix(0, int64(btoi(v[:8]))).UTC()}) // #nosec G115 -- written from a time
		}
		return nil
	})
	return out, err
}

// MoveDocumentObjects copies the objects kept in the engine (documents
// stored while no external object store was configured) to the external one
// and then deletes the engine's copies, batch objects per write transaction,
// until none is left; it returns how many it moved. The ciphertext moves as
// it is: rows, keys and hashes stay valid, so nothing is re-encrypted. Each
// object is uploaded (and S3's answer awaited) before its engine copy is
// deleted, and the copy is deleted only if it is still the same value, so a
// crash or a concurrent delete of the document leaves at worst an object the
// sweeper takes after a day; running it again finishes the work (issue 15).
// Documents of the form before issue 15 (sealed whole in the database) are
// not moved: they have no object.
func (db *DB) MoveDocumentObjects(ctx context.Context, batch int) (moved int, err error) {
	if db.blobs == nil {
		return 0, errors.New("store: no external object store is configured (-blob-url): nothing to move documents to")
	}
	if batch <= 0 {
		batch = 500
	}
	for {
		type held struct {
			key string
			raw []byte
		}
		var objs []held
		err := db.view(func(tx kv.Tx) error {
			objs = objs[:0]
			b := tx.Bucket(bucketBlobObjects)
			if b == nil {
				return nil
			}
			c := b.Cursor()
			for k, v := c.Seek([]byte(documentObjectPrefix)); k != nil && bytes.HasPrefix(k, []byte(documentObjectPrefix)) && len(objs) < batch; k, v = c.Next() {
				if len(v) >= 8 {
					objs = append(objs, held{string(k), copyBytes(v)})
				}
			}
			return nil
		})
		if err != nil || len(objs) == 0 {
			return moved, err
		}
		for _, o := range objs {
			if err := ctx.Err(); err != nil {
				return moved, err
			}
			pctx, cancel := context.WithTimeout(ctx, blobTimeout)
			err := db.blobs.Put(pctx, o.key, o.raw[8:])
			cancel()
			if err != nil {
				return moved, fmt.Errorf("store: move document objects: upload: %w", err)
			}
		}
		n := 0
		err = db.update(func(tx kv.Tx) error {
			n = 0
			b := tx.Bucket(bucketBlobObjects)
			for _, o := range objs {
				if bytes.Equal(b.Get([]byte(o.key)), o.raw) {
					if err := b.Delete([]byte(o.key)); err != nil {
						return err
					}
					n++
				}
			}
			return nil
		})
		if err != nil {
			return moved, err
		}
		if n == 0 {
			// Every value changed under us: never loop on the same keys.
			return moved, errors.New("store: move document objects: the engine's objects changed while they were moved; run it again")
		}
		moved += n
	}
}
