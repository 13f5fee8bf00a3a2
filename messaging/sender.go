// Package messaging delivers the store's outbox: SMS through a Tencent Cloud
// SMS gateway (its documented HTTP API with TC3-HMAC-SHA256 request signing),
// e-mail over SMTP with STARTTLS, or, with no gateway configured, "demo
// delivery" into a JSON-lines file beside the database. The store decides
// what is sent (in the transaction of the event); this package only carries
// it, with retries, exponential backoff and a per-recipient rate limit.
package messaging

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"sealportal/portal"
	"sealportal/store"
)

// Deliverer carries one message over one channel. It returns the gateway's
// id of the message where the gateway gives one. An error wrapped in
// Permanent is not retried.
type Deliverer interface {
	Deliver(ctx context.Context, m store.OutboxMessage) (gatewayID string, err error)
}

// PermanentError marks a failure that retrying cannot fix (a number the
// gateway refuses, a mailbox that does not exist).
type PermanentError struct{ Err error }

func (e PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so the sender gives up at once.
func Permanent(err error) error { return PermanentError{Err: err} }

// Backoff and rate limit settings.
const (
	FirstRetry = 5 * time.Second  // the first retry waits this long, doubling after each failure
	MaxRetry   = 30 * time.Minute // and never longer than this
	// PerRecipientBurst messages may go to one recipient at once, then one
	// every PerRecipientEvery: a flood of events (or an attacker asking for
	// codes) cannot turn the portal into a spammer. Messages over the limit
	// wait; they are not dropped.
	PerRecipientBurst = 5
	PerRecipientEvery = 6 * time.Minute
)

// Sender delivers the outbox until its context ends.
type Sender struct {
	DB    *store.DB
	SMS   Deliverer // nil: SMS is not delivered (messages fail as "no_gateway")
	Email Deliverer // nil: e-mail is not delivered
	Log   *slog.Logger
	Now   func() time.Time
	// Poll is how often the outbox is looked at when nothing is due
	// (default a quarter of a second: one read transaction).
	Poll time.Duration
	// Holder names this app server in the outbox lease (issue 15); the
	// same server restarted after a crash takes its lease back at once.
	// Empty, a random id: a restarted process waits for the lease to lapse.
	Holder []byte

	mu     sync.Mutex
	limits map[[32]byte]*rate.Limiter

	// The outbox lease (store.ClaimOutboxSender, issue 15): on a database
	// shared by several app servers one sender delivers at a time. Used by
	// the one goroutine that runs the sender.
	holder    []byte    // this process's random id
	held      bool      // the lease was held at the last look
	recheckAt time.Time // when to renew it (s.now's clock)
}

// mayDeliver reports whether this sender holds the outbox lease, renewing it
// a third of the lease after the last claim; a sender that does not hold it
// looks again (one read) each time it is asked.
func (s *Sender) mayDeliver() bool {
	now := s.now()
	if s.held && now.Before(s.recheckAt) {
		return true
	}
	if s.holder == nil {
		if s.holder = s.Holder; len(s.holder) == 0 {
			s.holder = []byte(rand.Text())
		}
	}
	held, err := s.DB.ClaimOutboxSender(s.holder)
	if err != nil {
		s.Log.Error("outbox lease", "err", err)
		held = false
	}
	s.held = held
	if held {
		s.recheckAt = now.Add(store.OutboxSenderLease / 3)
	}
	return held
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Run delivers due messages until ctx ends, and purges expired codes and old
// delivery records once an hour.
func (s *Sender) Run(ctx context.Context) {
	poll := s.Poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	var lastPurge time.Time
	for {
		if s.now().Sub(lastPurge) >= time.Hour {
			lastPurge = s.now()
			s.housekeeping()
		}
		n, err := s.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.Log.Error("outbox", "err", err)
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			if s.held {
				if err := s.DB.ReleaseOutboxSender(s.holder); err != nil {
					s.Log.Error("outbox lease", "err", err)
				}
			}
			return
		case <-time.After(poll):
		}
	}
}

func (s *Sender) housekeeping() {
	now := s.now()
	if n, err := s.DB.PurgeOutbox(now.Add(-store.OutboxRetention)); err != nil {
		s.Log.Error("outbox purge", "err", err)
	} else if n > 0 {
		s.Log.Info("outbox purge", "records", n)
	}
	if _, err := s.DB.PurgeCodes(now); err != nil {
		s.Log.Error("code purge", "err", err)
	}
	s.mu.Lock()
	for k, l := range s.limits {
		if l.Tokens() >= PerRecipientBurst {
			delete(s.limits, k)
		}
	}
	s.mu.Unlock()
}

// DeliverDue makes one attempt at each message due now (at most 50) and
// returns how many it attempted; nothing while another app server holds the
// outbox lease.
func (s *Sender) DeliverDue(ctx context.Context) (int, error) {
	if !s.mayDeliver() {
		return 0, nil
	}
	due, err := s.DB.DueOutbox(s.now(), 50)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range due {
		if ctx.Err() != nil || !s.mayDeliver() {
			return n, nil
		}
		attempted, err := s.deliverOne(ctx, m)
		if err != nil {
			return n, err
		}
		if attempted {
			n++
		}
	}
	return n, nil
}

func (s *Sender) limiter(m store.OutboxMessage) *rate.Limiter {
	key := sha256.Sum256([]byte(string(m.Channel) + "\x00" + m.To))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limits == nil {
		s.limits = map[[32]byte]*rate.Limiter{}
	}
	l, ok := s.limits[key]
	if !ok {
		l = rate.NewLimiter(rate.Every(PerRecipientEvery), PerRecipientBurst)
		s.limits[key] = l
	}
	return l
}

// deliverOne attempts one message; it reports false when the message only
// moved (rate limit) or finished without an attempt (expired).
func (s *Sender) deliverOne(ctx context.Context, m store.OutboxMessage) (bool, error) {
	now := s.now()
	if m.Expired(now) {
		return false, s.DB.FinishOutboxAttempt(m.ID, store.OutboxResult{Error: "expired"})
	}
	if !m.InFlight { // a resumed attempt was already counted against the limit
		r := s.limiter(m).ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			return false, s.DB.PostponeOutbox(m.ID, now.Add(d))
		}
	}
	m, err := s.DB.BeginOutboxAttempt(m.ID)
	if portal.ErrorCode(err) == portal.CodeNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	d := s.SMS
	if m.Channel == portal.ChannelEmail {
		d = s.Email
	}
	if d == nil {
		return true, s.DB.FinishOutboxAttempt(m.ID, store.OutboxResult{Error: "no_gateway"})
	}
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	id, derr := d.Deliver(actx, m)
	cancel()
	if derr == nil {
		return true, s.DB.FinishOutboxAttempt(m.ID, store.OutboxResult{Sent: true, GatewayID: id})
	}
	res := store.OutboxResult{Error: errorClass(derr)}
	var perm PermanentError
	if !errors.As(derr, &perm) && m.Attempts < store.MaxOutboxAttempts {
		res.RetryAt = s.now().Add(Backoff(m.Attempts))
	}
	// The log names the message by id and the error class, never the
	// recipient or the text.
	s.Log.Warn("outbox delivery failed", "id", m.ID, "channel", string(m.Channel), "attempt", m.Attempts,
		"class", res.Error, "retry", !res.RetryAt.IsZero())
	return true, s.DB.FinishOutboxAttempt(m.ID, res)
}

// Backoff is the wait after the attempt-th failed attempt (1, 2, ...).
func Backoff(attempt int) time.Duration {
	d := FirstRetry
	for i := 1; i < attempt && d < MaxRetry; i++ {
		d *= 2
	}
	return min(d, MaxRetry)
}

// errorClass is a short name of a delivery error for the outbox row and the
// log. Gateways' own codes are kept (they carry no personal data); anything
// else is reduced to its kind.
func errorClass(err error) string {
	var g GatewayError
	if errors.As(err, &g) {
		return g.Code
	}
	var perm PermanentError
	if errors.As(err, &perm) {
		return "permanent"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "transport"
}

// GatewayError is an error code a gateway answered with.
type GatewayError struct {
	Code    string
	Message string
}

func (e GatewayError) Error() string { return "gateway: " + e.Code + ": " + e.Message }
