package pgkv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"sealportal/store/kv"
)

// Batch implements kv.Engine: calls arriving within BatchDelay share one
// transaction, each inside its own SAVEPOINT, so a failing call is rolled
// back alone and the others commit together. When the shared transaction
// fails as a whole (the lock or the connection), each call runs again alone:
// fn may run twice. A commit whose outcome is unknown is never retried.
func (e *Engine) Batch(ctx context.Context, fn func(kv.Tx) error) error {
	if e.opts.ReadOnly {
		return ErrReadOnly
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	errc := make(chan error, 1)
	e.batchMu.Lock()
	if e.batch == nil || len(e.batch.calls) >= e.opts.MaxBatch {
		b := &batch{e: e}
		b.timer = time.AfterFunc(e.opts.BatchDelay, b.trigger)
		e.batch = b
	}
	b := e.batch
	b.calls = append(b.calls, batchCall{fn: fn, errc: errc})
	if len(b.calls) >= e.opts.MaxBatch {
		go b.trigger()
	}
	e.batchMu.Unlock()
	return <-errc
}

type batchCall struct {
	fn   func(kv.Tx) error
	errc chan error
}

type batch struct {
	e     *Engine
	timer *time.Timer
	calls []batchCall
	once  sync.Once
}

func (b *batch) trigger() { b.once.Do(b.run) }

func (b *batch) run() {
	e := b.e
	e.batchMu.Lock()
	b.timer.Stop()
	if e.batch == b {
		e.batch = nil
	}
	calls := b.calls
	e.batchMu.Unlock()

	results := make([]error, len(calls))
	err := e.Update(context.Background(), func(tx kv.Tx) error {
		t, ok := tx.(*txn)
		if !ok {
			return errors.New("pgkv: batch outside a pgkv transaction")
		}
		for i, c := range calls {
			results[i] = t.savepointCall(c.fn)
			if t.err != nil {
				return t.err
			}
		}
		return nil
	})
	for i, c := range calls {
		switch {
		case results[i] != nil: // rolled back alone, whatever happened to the others
			c.errc <- results[i]
		case err == nil:
			c.errc <- nil
		case errors.Is(err, kv.ErrOutcomeUnknown):
			c.errc <- err
		default:
			c.errc <- e.Update(context.Background(), c.fn)
		}
	}
}

// savepointCall runs one call of a batch inside a savepoint; on its failure
// only its own changes are rolled back, and the transaction's in-memory state
// (queued writes, read cache, buckets) is dropped to match.
func (t *txn) savepointCall(fn func(kv.Tx) error) error {
	t.flush()
	t.exec("savepoint", "SAVEPOINT kv_batch")
	if t.err != nil {
		return t.err
	}
	err := safely(fn, t)
	if err == nil {
		t.flush()
	}
	if err == nil && t.err == nil {
		t.exec("savepoint", "RELEASE SAVEPOINT kv_batch")
		return t.err
	}
	if t.err != nil {
		err = t.err
	}
	t.err = nil
	t.pending, t.pendingBytes, t.cache = nil, 0, nil
	// Buckets are read again: an earlier call may have created some.
	t.local, t.names, t.genKnown = map[string]*bucket{}, nil, false
	t.exec("savepoint", "ROLLBACK TO SAVEPOINT kv_batch")
	t.exec("savepoint", "RELEASE SAVEPOINT kv_batch")
	return err
}

// safely runs fn, turning a panic into the call's error (as bbolt's Batch does).
func safely(fn func(kv.Tx) error, tx kv.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pgkv: batched function panicked: %v", p)
		}
	}()
	return fn(tx)
}
