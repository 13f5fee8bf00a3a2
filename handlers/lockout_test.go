package handlers

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"sealportal/portal"
)

// TestLockoutCannotKeepOfficialsOut is issue 13 finding 6 as the attacker
// sends it: many wrong passwords against an official's username, from
// another browser. The official, with the right password and code, still
// signs in; the attacker's failures were answered after growing pauses.
func TestLockoutCannotKeepOfficialsOut(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var pauses []time.Duration
	ts := newTestServer(t, func(c *Config) {
		c.LoginRate = 1000 // the per-address limit is not what is tested here
		c.LoginPause = func(_ context.Context, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			if d > 0 {
				pauses = append(pauses, d)
			}
		}
	})
	ts.createStaff(portal.RoleCourt, "judge-x", staffPassword, false)
	first := ts.newClient()
	first.setLang("en")
	first.login("judge-x", staffPassword).wantStatus(t, http.StatusOK) // enrols the second factor

	attacker := ts.newClient()
	attacker.setLang("en")
	for range 3 * portal.MaxFailedLogins {
		attacker.login("judge-x", "not the password").wantStatus(t, http.StatusUnprocessableEntity)
	}
	if a, _ := ts.db.AccountByLogin("judge-x"); a.Locked(ts.clock.Now()) {
		t.Fatal("wrong passwords locked an official's account")
	}
	mu.Lock()
	if len(pauses) != 2*portal.MaxFailedLogins+1 || pauses[len(pauses)-1] != portal.MaxLoginDelay {
		t.Fatalf("throttling pauses %v", pauses)
	}
	mu.Unlock()
	// The official: right password, right code, in.
	c := ts.manualClient()
	p := c.login("judge-x", staffPassword).wantPath(t, "/login/code")
	typeCode(t, c, p, ts.totpCode("judge-x")).wantPath(t, "/staff")
}

// Without a second factor a lockout still follows five wrong passwords, but
// only MaxLockoutsPerDay times a day: after that the owner's right password
// gets in despite the attacker.
func TestLockoutWithoutSecondFactorIsBounded(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(c *Config) { c.LoginRate = 1000 })
	ts.createCitizen(portal.RoleGuardian, "13900007201", pwMinor)
	attacker := ts.newClient()
	for round := 1; round <= portal.MaxLockoutsPerDay+1; round++ {
		for range portal.MaxFailedLogins {
			attacker.login("13900007201", "wrong wrong wrong").wantStatus(t, http.StatusUnprocessableEntity)
		}
		owner := ts.newClient()
		p := owner.login("13900007201", pwMinor)
		if round <= portal.MaxLockoutsPerDay {
			p.wantStatus(t, http.StatusUnprocessableEntity) // locked for now
			ts.clock.advance(portal.LockoutDuration)
			continue
		}
		p.wantPath(t, "/cases")
	}
}
