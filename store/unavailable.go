package store

import (
	"errors"

	"sealportal/store/kv"
)

// IsUnavailable reports whether err is a transaction that reached no usable
// database server, or lost its connection before COMMIT (kv.ErrUnavailable):
// nothing of it was saved, and the same request may succeed shortly (a
// PostgreSQL failover, issue 15). The embedded engine never answers it.
func IsUnavailable(err error) bool { return errors.Is(err, kv.ErrUnavailable) }
