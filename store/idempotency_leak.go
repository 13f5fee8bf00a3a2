package store

import (
	"errors"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
)

// A leak report is sent from a browser without an account: its draft is
// keyed by a token in a cookie, and sending it deletes the draft and shows
// the tracking code once. When the commit's outcome is unknown (issue 14),
// the retry from the same browser would find no draft, and the reporter would
// never learn the code of a report that was saved. So the transaction that
// sends a report also keeps a receipt under the draft's token for
// LeakReceiptTTL: the report's id and its tracking code, sealed like any
// personal data. A retry within that hour answers with the same confirmation
// (reference number and code); after it the receipt is purged.
//
//	leak_receipts   HMAC("leakreceipt", draft token) -> {body: encrypted JSON: report id, tracking code, sent}

// LeakReceiptTTL is how long a sent report's confirmation can be shown again
// to the browser that sent it.
const LeakReceiptTTL = time.Hour

var bucketLeakReceipts = []byte("leak_receipts")

const kindLeakReceipt = "leak_receipt"

type leakReceipt struct {
	ID   uint64 `json:"id"`
	Code string `json:"code"`
	At   int64  `json:"at"` // UnixNano
}

// leakReceiptID is the id the seal of a receipt is bound to: its key's first
// eight bytes.
func leakReceiptID(k []byte) uint64 { return btoi(k[:8]) }

// putLeakReceipt keeps, inside the transaction that sends the report, what a
// retry from the same browser answers; expired receipts go at the same time.
func (db *DB) putLeakReceipt(tx kv.Tx, token string, id uint64, code string) error {
	b := tx.Bucket(bucketLeakReceipts)
	if b == nil {
		return errors.New("store: leak receipts bucket missing")
	}
	if err := db.purgeLeakReceipts(tx, b); err != nil {
		return err
	}
	k := db.crypt.blind("leakreceipt", token)
	raw, err := db.crypt.sealJSON(kindLeakReceipt, leakReceiptID(k), "body", leakReceipt{ID: id, Code: code, At: db.now().UnixNano()})
	if err != nil {
		return err
	}
	return b.Put(k, raw)
}

// purgeLeakReceipts deletes the receipts older than LeakReceiptTTL (or that
// cannot be read).
func (db *DB) purgeLeakReceipts(tx kv.Tx, b kv.Bucket) error {
	var stale [][]byte
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		var r leakReceipt
		if len(k) < 8 || db.crypt.openJSON(kindLeakReceipt, leakReceiptID(k), "body", v, &r) != nil ||
			db.now().Sub(time.Unix(0, r.At)) > LeakReceiptTTL {
			stale = append(stale, copyBytes(k))
		}
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// LeakReceipt is the report the browser with this draft token sent within
// the last LeakReceiptTTL, with its tracking code; ok is false when there is
// none.
func (db *DB) LeakReceipt(token string) (r portal.LeakReport, code string, ok bool, err error) {
	if token == "" {
		return r, "", false, nil
	}
	err = db.view(func(tx kv.Tx) error {
		b := tx.Bucket(bucketLeakReceipts)
		if b == nil {
			return nil
		}
		k := db.crypt.blind("leakreceipt", token)
		v := b.Get(k)
		if v == nil {
			return nil
		}
		var rc leakReceipt
		if err := db.crypt.openJSON(kindLeakReceipt, leakReceiptID(k), "body", v, &rc); err != nil {
			return err
		}
		if db.now().Sub(time.Unix(0, rc.At)) > LeakReceiptTTL {
			return nil
		}
		rep, err := db.getLeak(tx, rc.ID)
		if err != nil {
			return err
		}
		r, code, ok = rep, rc.Code, true
		return nil
	})
	if err != nil || !ok {
		return portal.LeakReport{}, "", false, err
	}
	return r, code, true, nil
}
