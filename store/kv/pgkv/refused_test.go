package pgkv

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"sealportal/store/kv"
)

// The server's refusals for want of space or because it is read-only are
// kv.ErrFull (the store's "cannot save now" page), wherever they are met: at
// the writer lock, a statement, or COMMIT; other errors are not.
func TestRefusedWriteIsErrFull(t *testing.T) {
	t.Parallel()
	for code, full := range map[string]bool{"25006": true, "53100": true, "23505": false, "40001": false, "XX000": false} {
		err := fmt.Errorf("wrapped: %w", &pgconn.PgError{Severity: "ERROR", Code: code})
		if got := errors.Is(refusedWrite(err), kv.ErrFull); got != full {
			t.Errorf("refusedWrite(%s) is ErrFull: %v, want %v", code, got, full)
		}
		if got := errors.Is(commitError(err), kv.ErrFull); got != full {
			t.Errorf("commitError(%s) is ErrFull: %v, want %v", code, got, full)
		}
		if errors.Is(commitError(err), kv.ErrOutcomeUnknown) {
			t.Errorf("commitError(%s): an ordinary refusal is not an unknown outcome", code)
		}
	}
	if errors.Is(refusedWrite(errors.New("no space left on device")), kv.ErrFull) {
		t.Error("an error that is not the server's refusal is ErrFull")
	}
}
