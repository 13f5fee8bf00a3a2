package portal

import "time"

// Session is a signed-in (or anonymous) browser session kept on the server.
// The browser holds only a random id; the store keys the session by its hash.
type Session struct {
	AccountID uint64
	Role      Role
	CreatedAt time.Time
	LastSeen  time.Time
	Values    map[string]string // small non-personal values: flash message keys, form step state
}

// Session timeouts; handlers may override them from configuration.
const (
	CitizenIdleTimeout = 15 * time.Minute
	StaffIdleTimeout   = 5 * time.Minute
	AbsoluteTimeout    = 8 * time.Hour
)
