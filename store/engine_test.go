package store

import (
	"context"

	"sealportal/store/kv"
	"sealportal/store/kv/boltkv"
)

// rawFile is a database file opened without the store (no keys, no
// migrations run by Open), as an older build left it or a tool sees it.
type rawFile struct{ *boltkv.Engine }

// openRaw opens the bbolt file at path as a rawFile.
func openRaw(path string) (rawFile, error) {
	e, err := boltkv.Open(path, boltkv.Options{})
	return rawFile{e}, err
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
