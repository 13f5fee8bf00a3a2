package messaging

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"sealportal/store"
	"sealportal/store/kv/enginetest"
)

// counting records how often each message was delivered, slowly enough that
// two senders would meet on the same messages.
type counting struct {
	mu  sync.Mutex
	got map[uint64]int
}

func (c *counting) Deliver(_ context.Context, m store.OutboxMessage) (string, error) {
	time.Sleep(5 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got[m.ID]++
	return fmt.Sprintf("gw-%d", m.ID), nil
}

// Issue 15: two app servers on one database run a sender each; every
// message is delivered once, by the server that holds the outbox lease.
func TestTwoServersDeliverEachMessageOnce(t *testing.T) {
	enginetest.Require(t, enginetest.Postgres, "two app servers on one database; a bbolt file admits one process (its lock)")
	path := filepath.Join(t.TempDir(), "portal.db")
	keys := store.NewTestKeys()
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(enginetest.Location(t, path), store.Options{Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	const messages = 20
	for i := range messages {
		register(t, dbs[i%2], fmt.Sprintf("139000010%02d", i), uint64(100+i), "zh-CN")
	}
	sms := &counting{got: map[uint64]int{}}
	var wg sync.WaitGroup
	delivered := make([]int, len(dbs))
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &Sender{DB: db, SMS: sms, Email: sms, Log: quiet()}
			for range 3 {
				n, err := s.DeliverDue(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				delivered[i] += n
			}
		}()
	}
	wg.Wait()
	if len(sms.got) != messages {
		t.Fatalf("%d messages delivered, want %d", len(sms.got), messages)
	}
	for id, n := range sms.got {
		if n != 1 {
			t.Errorf("message %d delivered %d times", id, n)
		}
	}
	if delivered[0] != 0 && delivered[1] != 0 {
		t.Errorf("both servers delivered (%v): one holds the lease", delivered)
	}
}
