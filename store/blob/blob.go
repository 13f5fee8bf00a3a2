// Package blob is where documents' bytes live apart from the transactional
// store (issue 15, design scale-out.md §4): an object store keyed by opaque
// names. The store (store/documents.go) only ever hands it ciphertext under
// a per-document key; an implementation never sees plaintext and never
// decides anything about access. Two implementations: the engine's own
// bucket (store.engineBlobs, the embedded default) and S3-compatible object
// storage (blob/s3blob).
package blob

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get for a key that holds no object.
var ErrNotFound = errors.New("blob: object not found")

// Object is one stored object as List reports it.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time // when it was written: the orphan sweeper's age
}

// Store is an object store.
type Store interface {
	// Put stores data under key and returns once the store has it durably
	// (S3 answers 200 only then). Keys are never reused: a Put never
	// replaces an object that a committed row names.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the object under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes the object under key; deleting a missing one is no error.
	Delete(ctx context.Context, key string) error
	// List returns up to limit objects whose keys start with prefix and
	// sort after after (""  from the start), in key order.
	List(ctx context.Context, prefix, after string, limit int) ([]Object, error)
	// Name says which store this is, for logs: never credentials.
	Name() string
}
