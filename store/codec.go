package store

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"sealportal/portal"
)

// The store's one codec for sealed records (issue 19). A record sealed by
// sealJSON is stored as an envelope: one format byte, then the AES-GCM
// ciphertext (crypt.go: key id, nonce, ciphertext, tag) — no JSON object, no
// base64. Inside the ciphertext, the plaintext is either the record's JSON
// (every record kind, as before) or, for a record type that has a compact
// binary form (binaryBody: the case), a format byte and that form, so that a
// case page decodes the case without encoding/json.
//
// Values written before the envelope (a JSON object {"body": base64}) and
// plaintexts written as JSON are still read: the first byte tells them apart
// ('{' is never a format byte), and migrateCodec (migrate.go) with
// rewriteLegacyRecords (Open) rewrites the old ones in bounded batches.

const (
	// envelopeV1 starts a stored value that is the bare ciphertext. It is
	// never '{' (a legacy JSON wrapper) and never a key id (ids start at 1),
	// so no stored value can be read as the wrong form.
	envelopeV1 byte = 0x00
	// bodyBinaryV1 starts a plaintext in a record type's binary form; a
	// JSON plaintext starts with '{'.
	bodyBinaryV1 byte = 0x01
)

// binaryBody is a record type with a compact binary form of its own.
type binaryBody interface {
	appendBinary(b []byte) []byte
}

// binaryDecoder is the pointer side of binaryBody.
type binaryDecoder interface {
	decodeBinary(b []byte) error
}

// isLegacyWrapper reports whether a stored value is the {"body": base64}
// JSON object every sealed record was before the envelope.
func isLegacyWrapper(v []byte) bool { return len(v) > 0 && v[0] == '{' }

// errCodec is what every malformed binary form reports (no content: the
// bytes are personal data).
var errCodec = errors.New("store: malformed record")

// enc appends the binary form's primitives: unsigned and signed varints,
// length-prefixed strings, times and dates.
type enc struct{ b []byte }

func (e *enc) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) int(v int)     { e.b = binary.AppendVarint(e.b, int64(v)) }
func (e *enc) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// count writes a slice's or map's length so that nil (0) and empty (1) stay
// apart, as they did in JSON (null and []).
func (e *enc) count(n int, isNil bool) {
	if isNil || n < 0 {
		e.uint(0)
		return
	}
	e.uint(uint64(n) + 1)
}

// strings writes a list of strings, nil kept apart from empty.
func (e *enc) strings(ss []string) {
	e.count(len(ss), ss == nil)
	for _, s := range ss {
		e.str(s)
	}
}

// time writes the zero time as one 0 byte, any other as its binary form
// (seconds, nanoseconds, zone offset), which keeps the instant and offset as
// JSON's RFC 3339 did.
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.uint(0)
		return
	}
	n := len(e.b)
	e.b = append(e.b, 0)
	var err error
	if e.b, err = t.AppendBinary(e.b); err != nil {
		// Only a zone offset that is not a whole minute, or outside
		// ±32767 minutes, fails; no time.Location of Go's tz data has
		// one. Keep the instant in UTC rather than lose it.
		e.b, _ = t.UTC().AppendBinary(e.b[:n+1])
	}
	e.b[n] = byte(len(e.b) - n - 1) // #nosec G115 -- time's binary form is at most 16 bytes
}

func (e *enc) date(d portal.Date) {
	e.int(d.Year)
	e.int(int(d.Month))
	e.int(d.Day)
}

// dec reads what enc wrote. The first error sticks, and every length is
// checked against the bytes left, so that no input can make it allocate
// more than the input's size or read past its end.
type dec struct {
	b   []byte
	s   string // the whole input as one string, so strings share one copy
	off int
	err error
}

func newDec(b []byte) *dec { return &dec{b: b, s: string(b)} }

func (d *dec) fail() {
	if d.err == nil {
		d.err = errCodec
	}
}

func (d *dec) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

func (d *dec) int() int {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 || int64(int(v)) != v {
		d.fail()
		return 0
	}
	d.off += n
	return int(v)
}

func (d *dec) left() int { return len(d.b) - d.off }

// size reads a length n, which must be at most left/per + extra, where left
// is what remains after the length itself.
func (d *dec) size(per, extra int) int {
	v := d.uint()
	if d.err != nil {
		return 0
	}
	if v > math.MaxInt32 {
		d.fail()
		return 0
	}
	n := int(v)
	if n > d.left()/per+extra {
		d.fail()
		return 0
	}
	return n
}

func (d *dec) str() string {
	n := d.size(1, 0)
	if d.err != nil {
		return ""
	}
	s := d.s[d.off : d.off+n]
	d.off += n
	return s
}

func (d *dec) bool() bool {
	switch d.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail()
	return false
}

// count reads a length written by enc.count: isNil, or n elements, each of
// which takes at least minSize bytes (so that n elements cannot be more than
// what is left, and a forged length allocates nothing).
func (d *dec) count(minSize int) (n int, isNil bool) {
	v := d.size(minSize, 1)
	if d.err != nil || v == 0 {
		return 0, true
	}
	return v - 1, false
}

// strings reads what enc.strings wrote.
func (d *dec) strings() []string {
	n, isNil := d.count(1)
	if isNil {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *dec) time() time.Time {
	n := d.size(1, 0)
	if d.err != nil || n == 0 {
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalBinary(d.b[d.off : d.off+n]); err != nil || t.IsZero() {
		d.fail()
		return time.Time{}
	}
	d.off += n
	return t
}

// date reads what enc.date wrote. No range check: whatever a Date held
// when written (JSON kept any int) comes back as it was.
func (d *dec) date() portal.Date {
	return portal.Date{Year: d.int(), Month: time.Month(d.int()), Day: d.int()}
}

// end checks that the whole input was read.
func (d *dec) end() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail()
	}
	return d.err
}
