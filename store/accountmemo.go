package store

import (
	"bytes"
	"slices"
	"sync"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Every request of a signed-in person reads his account (role, organ,
// disabled, and the fields handlers show). Decoding it opens eight sealed
// fields; issue 19's profile of the case page put that at 6% of the page.
// SignedInAccount keeps the last decode of each account beside the exact
// sealed bytes it came from, and reuses it only while the stored record is
// byte for byte the same. Any change to the account (a new password, a
// disabling, a rotation of its data key) writes new ciphertext under a fresh
// nonce, so the next read decodes again: the memo can never answer with a
// stale account. It holds at most accountMemoSize accounts, in memory only.

const accountMemoSize = 4096

type accountMemo struct {
	mu sync.Mutex
	m  map[uint64]accountMemoEntry
}

type accountMemoEntry struct {
	raw  []byte
	acct portal.Account
}

func (m *accountMemo) get(id uint64, raw []byte) (portal.Account, bool) {
	if m == nil {
		return portal.Account{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[id]
	if !ok || !bytes.Equal(e.raw, raw) {
		return portal.Account{}, false
	}
	return e.acct, true
}

func (m *accountMemo) put(id uint64, raw []byte, a portal.Account) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= accountMemoSize {
		m.m = make(map[uint64]accountMemoEntry) // start afresh: the active ones come back at their next request
	}
	m.m[id] = accountMemoEntry{raw: slices.Clone(raw), acct: a}
}

// SignedInAccount is Account for the session check of every request: the
// same account, decoded only when its stored record changed since the last
// read.
func (db *DB) SignedInAccount(id uint64) (portal.Account, error) {
	var a portal.Account
	err := db.view(func(tx kv.Tx) error {
		raw := tx.Bucket(bucketAccounts).Get(itob(id))
		if raw == nil {
			return portal.NotFound()
		}
		cached, ok := db.accounts.get(id, raw)
		if !ok {
			var err error
			if cached, err = db.decodeAccount(id, raw); err != nil {
				return err
			}
			db.accounts.put(id, raw, cached)
		}
		a = cached
		a.TOTPEnabled = totpEnabled(tx, id)
		return nil
	})
	return a, err
}
