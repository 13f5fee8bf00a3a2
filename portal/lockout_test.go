package portal

import (
	"testing"
	"time"
)

// A wrong password never locks an account that a second factor protects;
// it is throttled with doubling pauses. Without a second factor, lockouts
// happen at most MaxLockoutsPerDay times a day (issue 13 finding 6).
func TestOnLoginFailure(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	t.Run("second factor: throttled, never locked", func(t *testing.T) {
		a := Account{ID: 1, TOTPEnabled: true}
		want := []time.Duration{0, 0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
		for i := range 40 {
			var f LoginFailure
			a, f = OnLoginFailure(a, now)
			if f.Locked || a.Locked(now) {
				t.Fatalf("failure %d locked the account", i+1)
			}
			w := MaxLoginDelay
			if i < len(want) {
				w = want[i]
			}
			if f.Delay != w {
				t.Fatalf("failure %d: delay %s, want %s", i+1, f.Delay, w)
			}
		}
	})
	t.Run("no second factor: bounded lockouts", func(t *testing.T) {
		a := Account{ID: 2}
		at := now
		for round := 1; round <= MaxLockoutsPerDay+1; round++ {
			var f LoginFailure
			for i := 1; i <= MaxFailedLogins; i++ {
				a, f = OnLoginFailure(a, at)
			}
			if locked := round <= MaxLockoutsPerDay; f.Locked != locked || a.Locked(at) != locked {
				t.Fatalf("round %d: locked %v (%v), want %v", round, f.Locked, a.Locked(at), locked)
			}
			if round > MaxLockoutsPerDay && f.Delay != time.Second {
				t.Fatalf("round %d: delay %s, want throttling", round, f.Delay)
			}
			at = at.Add(LockoutDuration)
		}
		// A day after the first lockout, a lockout is possible again.
		at = now.Add(LockoutWindow)
		a.FailedLogins = 0
		var f LoginFailure
		for i := 1; i <= MaxFailedLogins; i++ {
			a, f = OnLoginFailure(a, at)
		}
		if !f.Locked {
			t.Fatal("no lockout a day later")
		}
	})
}
