package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// encodings lists the forms a string could take in the file if it leaked:
// UTF-8, JSON with and without \u escapes, UTF-16 both ways, and base64 at
// each of the three alignments it can have inside a longer encoded value.
func encodings(s string) map[string][]byte {
	out := map[string][]byte{"utf-8": []byte(s)}
	if j, _ := json.Marshal(s); len(j) > 2 {
		out["json"] = j[1 : len(j)-1]
	}
	var ascii strings.Builder
	for _, r := range s {
		if r < 0x80 {
			ascii.WriteRune(r)
		} else {
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&ascii, `\u%04x`, u)
			}
		}
	}
	out["json-ascii"] = []byte(ascii.String())
	u := utf16.Encode([]rune(s))
	le, be := make([]byte, 2*len(u)), make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(le[2*i:], c)
		binary.BigEndian.PutUint16(be[2*i:], c)
	}
	out["utf-16le"], out["utf-16be"] = le, be
	for pad := 0; pad < 3; pad++ {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, pad), s...))
		// Drop the characters the padding and the unknown tail touch.
		start, end := (pad*8+5)/6, len(enc)-4
		if end-start >= 8 {
			out[fmt.Sprintf("base64+%d", pad)] = []byte(enc[start:end])
		}
	}
	return out
}

// hotCopy is what a backup holds: the engine's copy in one read transaction.
func hotCopy(t *testing.T, db *DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func assertNoPlaintext(t *testing.T, what string, raw []byte, secrets []string) {
	t.Helper()
	if len(raw) == 0 {
		t.Fatalf("%s: nothing read", what)
	}
	for _, s := range secrets {
		for form, b := range encodings(s) {
			if bytes.Contains(raw, b) {
				t.Errorf("%s: %q is in the file as %s", what, s, form)
			}
		}
	}
}

// dataKeys unwraps the keyring's keys, to show that neither they nor the KEK
// are in the file in clear.
func dataKeys(t *testing.T, db *DB) [][]byte {
	t.Helper()
	var out [][]byte
	kek, _, _ := db.ring.current()
	err := db.view(func(tx kv.Tx) error {
		deks, err := readDEKs(tx.Bucket(bucketKeyring))
		for _, d := range deks {
			if len(d.Wrapped) == 0 {
				continue
			}
			k, err := unwrapDEK(kek, d.ID, d.Wrapped)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Evidence: in a database with accounts, cases, documents, messages, leak
// reports and their tracking codes, relief requests, notices, queries and
// certificates, nothing at rest (the bbolt file and a hot copy; on
// PostgreSQL the database's folder in the data directory, the server's WAL
// and a pg_dump) holds any of the names, identity and phone numbers,
// document contents, message texts or tracking codes in any common
// encoding, nor the KEK or a data key; and the same after a key rotation.
func TestNoPlaintextAtRest(t *testing.T) {
	t.Parallel()
	rest := watchAtRest(t)
	w := newSealedWorld(t)
	db := w.db
	mustReadBack := func() { w.readBack(t) }
	mustReadBack() // the secrets are there, only sealed
	kek, _, _ := db.ring.current()
	check := func(stage string) {
		secrets := append([]string(nil), w.secrets...)
		keys := append(dataKeys(t, db), blindKeyMaterial(db)...)
		keys = append(keys, kek) // the last is the KEK
		// A control: an authority's public name is stored in clear by
		// design, so the search does find what is there.
		assertNothingAtRest(t, rest, db.Path(), db, stage, secrets, keys, w.police.Name)
		if enginetest.Name() == enginetest.Bolt {
			copyBytes := hotCopy(t, db)
			if !bytes.Contains(copyBytes, []byte(w.police.Name)) {
				t.Fatalf("%s: the control string %q is not found in the hot copy: the search is broken", stage, w.police.Name)
			}
			newLeakFinder(secrets, keys).check(t, stage+": hot copy", copyBytes)
		}
	}
	check("before rotation")
	if _, err := db.RotateDataKeys(context.Background(), RotateOptions{BatchValues: 7}); err != nil {
		t.Fatal(err)
	}
	mustReadBack()
	check("after rotation")
	// Issue 13: a blind-index key rotation adds a key wrapped by the KEK; its
	// material is not in the file either, and everything still reads.
	if _, err := db.RotateBlindKey(context.Background(), BlindRotateOptions{BatchRecords: 3}); err != nil {
		t.Fatal(err)
	}
	mustReadBack()
	check("after blind-key rotation")
}

// blindKeyMaterial is every blind-index key in memory (key 1 is the keys
// file's index_key, which must not be in the database either).
func blindKeyMaterial(db *DB) [][]byte {
	var out [][]byte
	for _, k := range db.crypt.anyKeys() {
		out = append(out, k.key)
	}
	return out
}

// The encodings helper finds what it should: a guard against a test that
// passes because it looks for the wrong bytes.
func TestEncodingsFindLeaks(t *testing.T) {
	t.Parallel()
	s := "欧阳秘密人 13912345678"
	j, _ := json.Marshal(map[string]any{"x": s, "b": []byte("prefix-" + s + "-suffix")})
	for form, b := range encodings(s) {
		switch form {
		case "utf-8", "json":
			if !bytes.Contains(j, b) {
				t.Errorf("%s form not found in %s", form, j)
			}
		}
	}
	found := false
	for form, b := range encodings(s) {
		if strings.HasPrefix(form, "base64") && bytes.Contains(j, b) {
			found = true
		}
	}
	if !found {
		t.Errorf("no base64 form found in %s", j)
	}
}
