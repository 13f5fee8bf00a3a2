package store

import (
	"bytes"
	"encoding/json"
	"slices"

	"sealportal/portal"
	"sealportal/store/kv"
)

// The administrator's list of accounts pages through indexes, so that a
// national deployment's hundreds of thousands of accounts cost one page of
// decryption per request, whatever the filter:
//
//	accounts_by_role   role | 0x00 | itob(account id) -> ""
//	accounts_by_organ  itob(organ id) | role | 0x00 | itob(account id) -> ""
//
// Neither holds personal data: a role and an organ are an official's public
// function, and citizens have no organ. Both are written with the account
// (createAccount) and built for older databases by a migration; an account's
// role and organ never change.
var (
	bucketAccountsByRole  = []byte("accounts_by_role")
	bucketAccountsByOrgan = []byte("accounts_by_organ")
)

// migrationAccountIndexesName names the migration that builds the indexes of
// the administrator's list.
const migrationAccountIndexesName = "accounts by role and by organ (the administrator's paged list)"

// AccountPageSize is the length of a page of the administrator's list.
const AccountPageSize = 50

func accountRoleKey(role portal.Role, id uint64) []byte {
	return append(append([]byte(role), 0), itob(id)...)
}

func accountOrganKey(organ uint64, role portal.Role, id uint64) []byte {
	return append(append(append(itob(organ), role...), 0), itob(id)...)
}

// indexAccount writes an account's rows in the list's indexes.
// Before the migration that creates the indexes (a database being migrated,
// a migration test) there is nothing to write: the migration indexes every
// account it finds.
func indexAccount(tx kv.Tx, a portal.Account) error {
	byRole, byOrgan := tx.Bucket(bucketAccountsByRole), tx.Bucket(bucketAccountsByOrgan)
	if byRole == nil || byOrgan == nil {
		return nil
	}
	if err := byRole.Put(accountRoleKey(a.Role, a.ID), nil); err != nil {
		return err
	}
	if a.OrganID != 0 {
		return byOrgan.Put(accountOrganKey(a.OrganID, a.Role, a.ID), nil)
	}
	return nil
}

// migrateAccountIndexes creates the two indexes and fills them from the
// accounts (their role and organ id are stored in clear).
func migrateAccountIndexes(tx kv.Tx) error {
	for _, b := range [][]byte{bucketAccountsByRole, bucketAccountsByOrgan} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
		var r accountRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		return indexAccount(tx, portal.Account{ID: btoi(k), Role: r.Role, OrganID: r.OrganID})
	})
}

// AccountFilter selects a page of the administrator's list. Role and Organ
// narrow it (zero: any); After pages forward (the rows after that id), Before
// backward (the rows before it); neither is the first page.
type AccountFilter struct {
	Role   portal.Role
	Organ  uint64
	After  uint64
	Before uint64
}

// AccountPage is one page of the list, in id order.
type AccountPage struct {
	Accounts []portal.Account
	HasPrev  bool // rows exist before the first
	HasNext  bool // rows exist after the last
}

// ListAccounts returns one page (AccountPageSize rows) of the accounts the
// filter selects, decrypting only those.
func (db *DB) ListAccounts(f AccountFilter) (AccountPage, error) {
	var page AccountPage
	err := db.view(func(tx kv.Tx) error {
		var bucket kv.Bucket
		var prefix []byte
		switch {
		case f.Organ != 0:
			bucket, prefix = tx.Bucket(bucketAccountsByOrgan), itob(f.Organ)
			if f.Role != "" {
				prefix = append(append(prefix, f.Role...), 0)
			}
		case f.Role != "":
			bucket, prefix = tx.Bucket(bucketAccountsByRole), append([]byte(f.Role), 0)
		default:
			bucket = tx.Bucket(bucketAccounts)
		}
		// In the organ index without a role the id is not the key's order
		// (the role comes first), so that filter is walked whole: an organ
		// has at most some thousands of officials.
		byID := !(f.Organ != 0 && f.Role == "")
		ids, prev, next := pageIDs(bucket, prefix, byID, f)
		page.HasPrev, page.HasNext = prev, next
		for _, id := range ids {
			a, err := db.getAccount(tx, id)
			if err != nil {
				return err
			}
			a.TOTPEnabled = totpEnabled(tx, a.ID)
			page.Accounts = append(page.Accounts, a)
		}
		return nil
	})
	return page, err
}

// pageIDs reads the ids of one page from an index whose keys end in
// itob(id) under prefix. byID says the keys under prefix are in id order
// (then the walk seeks straight to the page); otherwise all ids under prefix
// are collected and sorted.
func pageIDs(b kv.Bucket, prefix []byte, byID bool, f AccountFilter) (ids []uint64, hasPrev, hasNext bool) {
	idOf := func(k []byte) uint64 { return btoi(k[len(k)-8:]) }
	if !byID {
		var all []uint64
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			all = append(all, idOf(k))
		}
		slices.Sort(all)
		return accountPageOf(all, f)
	}
	c := b.Cursor()
	if f.Before != 0 {
		// Backward: the AccountPageSize ids before f.Before, then reversed.
		k, _ := c.Seek(append(append([]byte(nil), prefix...), itob(f.Before)...))
		if k == nil {
			k, _ = c.Last()
		}
		// Step back to the last key under prefix with an id below
		// f.Before; a key below prefix means there is none.
		for k != nil && bytes.Compare(k, prefix) >= 0 && (!bytes.HasPrefix(k, prefix) || idOf(k) >= f.Before) {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			if len(ids) == AccountPageSize {
				hasPrev = true
				break
			}
			ids = append(ids, idOf(k))
		}
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
		return ids, hasPrev, true
	}
	start := append([]byte(nil), prefix...)
	if f.After != 0 {
		start = append(start, itob(f.After+1)...)
		hasPrev = true
	}
	for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(ids) == AccountPageSize {
			hasNext = true
			break
		}
		ids = append(ids, idOf(k))
	}
	return ids, hasPrev, hasNext
}

// accountPageOf cuts one page out of sorted ids.
func accountPageOf(all []uint64, f AccountFilter) (ids []uint64, hasPrev, hasNext bool) {
	lo, hi := 0, len(all)
	switch {
	case f.Before != 0:
		hi = 0
		for hi < len(all) && all[hi] < f.Before {
			hi++
		}
		lo = max(0, hi-AccountPageSize)
		return all[lo:hi], lo > 0, hi < len(all)
	case f.After != 0:
		for lo < len(all) && all[lo] <= f.After {
			lo++
		}
	}
	hi = min(len(all), lo+AccountPageSize)
	return all[lo:hi], lo > 0, hi < len(all)
}
