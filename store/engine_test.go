package store

import (
	"context"
	"testing"

	"sealportal/store/kv"
	"sealportal/store/kv/boltkv"
	"sealportal/store/kv/enginetest"
	"sealportal/store/kv/pgkv"
)

// rawFile is a database opened without the store (no keys, no migrations
// run by Open), as an older build left it or a tool sees it.
type rawFile struct{ kv.Engine }

// openRaw opens the test's database at path as a rawFile: the bbolt file, or
// on PostgreSQL the database enginetest.Location gives the path.
func openRaw(tb testing.TB, path string) (rawFile, error) {
	if loc := enginetest.Location(tb, path); IsDatabaseURL(loc) {
		e, err := pgkv.Open(loc)
		if err != nil {
			return rawFile{}, err
		}
		return rawFile{e}, nil
	}
	e, err := boltkv.Open(path, boltkv.Options{})
	if err != nil {
		return rawFile{}, err
	}
	return rawFile{e}, nil
}

// Update runs fn in a write transaction of the file.
func (r rawFile) Update(fn func(kv.Tx) error) error { return r.Engine.Update(context.Background(), fn) }

// View runs fn in a read transaction of the file.
func (r rawFile) View(fn func(kv.Tx) error) error { return r.Engine.View(context.Background(), fn) }

// setNoSync turns the bbolt file's fsync off (true) or on: tests and
// benchmarks whose file is thrown away. Other engines ignore it.
func setNoSync(db *DB, off bool) {
	if e, ok := db.eng.(*boltkv.Engine); ok {
		e.SetNoSync(off)
	}
}

// syncFile flushes the bbolt file to disk (tests that read the file's bytes).
func syncFile(db *DB) error {
	if e, ok := db.eng.(*boltkv.Engine); ok {
		return e.Sync()
	}
	return nil
}
