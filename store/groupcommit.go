package store

import (
	"fmt"
	"sync"
	"sync/atomic"

	"sealportal/store/kv"
)

// Group commit for short audited reads (issue 18: a workbench search answers
// in under 50 ms p99 however many officials search at once). Every search
// writes its audit entry (R17) and results state in a transaction of its own,
// and a commit is two fsyncs of the disk; one after another, eight officials
// searching together wait for eight commits. bbolt's Batch shares one commit
// but first waits up to 10 ms for company, which a lone search would pay
// every time.
//
// grouped shares commits without that wait: a call with no commit in flight
// leads at once; calls that arrive while a leader commits queue, and the
// first of them leads them all, together, in the next transaction. A lone
// search costs one commit, a crowd about two each, whatever its size.
//
// As with batch, fn may run more than once (when another call of the group
// fails, the group is rolled back, the failing call is run alone for its own
// error and the others again together), so fn must change nothing outside
// the transaction except overwriting its results.
type groupCommit struct {
	mu      sync.Mutex
	leading bool
	pending []*groupCall
	txns    atomic.Uint64 // group transactions begun: which one a call ran in (tests, diagnostics)
}

type groupCall struct {
	fn   func(tx kv.Tx) error
	done chan error    // the call's outcome, when another call led its group
	lead chan struct{} // this call leads the next group
}

// grouped runs fn in a write transaction that it may share with calls that
// arrived while the previous one committed.
func (db *DB) grouped(fn func(tx kv.Tx) error) error {
	g := db.group
	if g == nil {
		return db.update(fn) // a DB not made by Open (tests of old schemas)
	}
	me := &groupCall{fn: fn, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g.mu.Lock()
	if g.leading {
		g.pending = append(g.pending, me)
		g.mu.Unlock()
		select {
		case err := <-me.done:
			return err
		case <-me.lead:
		}
		g.mu.Lock()
	}
	g.leading = true
	calls := append([]*groupCall{me}, g.pending...)
	g.pending = nil
	g.mu.Unlock()

	err := db.commitGroup(calls)

	g.mu.Lock()
	if len(g.pending) > 0 {
		next := g.pending[0]
		g.pending = g.pending[1:]
		next.lead <- struct{}{}
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return err
}

// commitGroup runs calls[0] (the leader's, whose error it returns) and the
// others in one transaction and tells the others their outcome. A call that
// fails is run alone, for its own error, and the rest again together.
func (db *DB) commitGroup(calls []*groupCall) error {
	failed := -1
	err := db.update(func(tx kv.Tx) error {
		db.group.txns.Add(1)
		for i, c := range calls {
			if err := runGuarded(c, tx); err != nil {
				failed = i
				return err
			}
		}
		return nil
	})
	if failed < 0 || len(calls) == 1 {
		// Committed, or the commit itself failed, or a lone call failed:
		// everyone's outcome is err.
		for _, c := range calls[1:] {
			c.done <- err
		}
		return err
	}
	alone := func(c *groupCall) error {
		return db.update(func(tx kv.Tx) error { return runGuarded(c, tx) })
	}
	rest := append(append([]*groupCall{}, calls[:failed]...), calls[failed+1:]...)
	if failed == 0 {
		rest[0].done <- db.commitGroup(rest)
		return alone(calls[0])
	}
	calls[failed].done <- alone(calls[failed])
	return db.commitGroup(rest) // rest[0] is the leader
}

// runGuarded runs a call's fn, a panic becoming its error: a panic on the
// leader's goroutine must not leave the others of its group waiting forever.
func runGuarded(c *groupCall, tx kv.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: panic in a grouped write: %v", r)
		}
	}()
	return c.fn(tx)
}
