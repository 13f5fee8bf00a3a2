package portal

import "time"

// Login throttling beyond MaxFailedLogins (issue 13 finding 6). Five wrong
// passwords from anywhere used to lock any account for 15 minutes, so anyone
// who knew a username could keep its holder out, officials against their
// 3-day deadlines included.
const (
	// MaxLockoutsPerDay bounds the lockouts of an account without a second
	// factor in LockoutWindow: past them, failures are throttled instead, so
	// a lockout cannot be kept up for ever.
	MaxLockoutsPerDay = 3
	// LockoutWindow is the window MaxLockoutsPerDay counts in.
	LockoutWindow = 24 * time.Hour
	// MaxLoginDelay caps the pause a throttled failure costs.
	MaxLoginDelay = 8 * time.Second
)

// LoginFailure is what a wrong password does to the account: Locked when
// this failure locked it, Delay the pause before the answer.
type LoginFailure struct {
	Locked bool
	Delay  time.Duration
}

// OnLoginFailure applies one wrong password at now to a.
//
// Where a second factor protects the account (every official, and citizens
// who turned it on), a wrong password never locks it: a correct password
// and a correct code still get in whatever an attacker sends. After
// MaxFailedLogins failures each further one is answered after a pause that
// doubles up to MaxLoginDelay (with the per-address login limit, this keeps
// guessing slow). Without a second factor, MaxFailedLogins failures lock the
// account for LockoutDuration, at most MaxLockoutsPerDay times per
// LockoutWindow; after that, failures are throttled like the others.
func OnLoginFailure(a Account, now time.Time) (Account, LoginFailure) {
	if now.Sub(a.LockoutsSince) >= LockoutWindow {
		a.Lockouts, a.LockoutsSince = 0, now.UTC()
	}
	a.FailedLogins++
	over := a.FailedLogins - MaxFailedLogins + 1
	if over <= 0 {
		return a, LoginFailure{}
	}
	if !a.TOTPEnabled && a.Lockouts < MaxLockoutsPerDay && !a.Locked(now) {
		a.LockedUntil = now.Add(LockoutDuration).UTC()
		a.FailedLogins = 0
		a.Lockouts++
		return a, LoginFailure{Locked: true}
	}
	a.FailedLogins = min(a.FailedLogins, MaxFailedLogins+16) // no overflow
	return a, LoginFailure{Delay: LoginDelay(over)}
}

// LoginDelay is the pause of the n-th throttled failure: 1 s, 2 s, 4 s, then
// MaxLoginDelay.
func LoginDelay(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := time.Second << min(n-1, 4)
	return min(d, MaxLoginDelay)
}
