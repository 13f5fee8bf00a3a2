package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/store/kv"
	"sealportal/store/kv/enginetest"
)

// fillValue sets every field of v, recursively, to a non-zero value that
// differs from field to field, so that a field the codec forgets, or two it
// swaps, does not come back equal.
func fillValue(t testing.TB, v reflect.Value, seq *int) {
	t.Helper()
	*seq++
	n := *seq
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("值%d-«x»", n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeOf(time.Month(0)) {
			v.SetInt(int64(1 + n%12))
		} else {
			v.SetInt(int64(n * 37))
		}
	case reflect.Uint64:
		v.SetUint(uint64(n) * 1_000_003)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(t, v.Elem(), seq)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillValue(t, v.Index(i), seq)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 3 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillValue(t, k, seq)
			fillValue(t, e, seq)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2020+n%7, time.Month(1+n%12), 1+n%28, n%24, n%60, n%60, n*1013, time.UTC)))
			return
		}
		if v.Type() == reflect.TypeOf(portal.Date{}) {
			v.Set(reflect.ValueOf(portal.Date{Year: 2000 + n%30, Month: time.Month(1 + n%12), Day: 1 + n%28}))
			return
		}
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				t.Fatalf("%s.%s: unexported field, which neither JSON nor the codec would keep", v.Type(), v.Type().Field(i).Name)
			}
			fillValue(t, v.Field(i), seq)
		}
	default:
		t.Fatalf("fillValue: kind %s (%s) not handled: teach it and the case codec", v.Kind(), v.Type())
	}
}

func filledCase(t *testing.T) portal.Case {
	t.Helper()
	var c portal.Case
	seq := 0
	fillValue(t, reflect.ValueOf(&c).Elem(), &seq)
	return c
}

func roundTrip(t *testing.T, c portal.Case) portal.Case {
	t.Helper()
	b := caseBody(c).appendBinary(nil)
	var got caseBody
	if err := got.decodeBinary(b); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return portal.Case(got)
}

// Every field of portal.Case, and of every type it holds, survives the binary
// form: a field added to the domain without its line in casecodec.go fails
// here, instead of being lost on the next write.
func TestCaseCodecCoversEveryField(t *testing.T) {
	t.Parallel()
	c := filledCase(t)
	if got := roundTrip(t, c); !reflect.DeepEqual(got, c) {
		t.Fatalf("the binary form loses or swaps a field:\n got %+v\nwant %+v", got, c)
	}
	// The zero case, and nil kept apart from empty as JSON kept it.
	for _, c := range []portal.Case{{}, {Acts: []portal.Act{}, HoldingOrganIDs: []uint64{}, CoOffenderCases: []string{}, Documents: []portal.Document{},
		Confirmations: map[uint64]time.Time{}, Events: []portal.CaseEvent{{Rules: []string{}}}, Override: &portal.Override{}, Penalty: &portal.Penalty{}}} {
		if got := roundTrip(t, c); !reflect.DeepEqual(got, c) {
			t.Errorf("got %#v\nwant %#v", got, c)
		}
	}
	// Times keep their instant and their zone offset, as RFC 3339 in JSON did.
	at := time.Date(2026, 5, 12, 9, 30, 1, 5, time.FixedZone("", 8*3600))
	got := roundTrip(t, portal.Case{CreatedAt: at})
	if !got.CreatedAt.Equal(at) {
		t.Errorf("time: %v, want %v", got.CreatedAt, at)
	}
	if _, off := got.CreatedAt.Zone(); off != 8*3600 {
		t.Errorf("offset %d", off)
	}
	// Equal cases encode to equal bytes (the map is written in key order).
	if a, b := caseBody(c).appendBinary(nil), caseBody(c).appendBinary(nil); !bytes.Equal(a, b) {
		t.Error("two encodings of one case differ")
	}
}

// The same for the case summary (the lists' record).
func TestSummaryCodecCoversEveryField(t *testing.T) {
	t.Parallel()
	var s caseSummary
	seq := 0
	fillValue(t, reflect.ValueOf(&s).Elem(), &seq)
	b := s.appendBinary(nil)
	var got caseSummary
	if err := got.decodeBinary(b); err != nil || got != s {
		t.Fatalf("%v\n got %+v\nwant %+v", err, got, s)
	}
	for n := range len(b) {
		if err := got.decodeBinary(b[:n]); err == nil {
			t.Fatalf("a summary cut at %d of %d bytes decoded", n, len(b))
		}
	}
	// Written in the binary form, read from either form.
	db := newTestDB(t)
	raw := db.crypt.seal(kindCaseSummary, 5, "summary", s.appendBinary([]byte{bodyBinaryV1}))
	if got, err := db.openSummary(5, raw); err != nil || got != s {
		t.Fatalf("binary: %v %+v", err, got)
	}
	j, _ := json.Marshal(s)
	if got, err := db.openSummary(5, db.crypt.seal(kindCaseSummary, 5, "summary", j)); err != nil || got != s {
		t.Fatalf("json: %v %+v", err, got)
	}
	if _, err := db.openSummary(6, raw); err == nil {
		t.Fatal("a summary opened under another case's id")
	}
}

// The binary form is what sealJSON writes for a case, and openJSON reads it
// and the two forms of before (the JSON wrapper, JSON plaintext) alike, to the
// same case.
func TestCodecReadsEveryForm(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	c := filledCase(t)
	c.ID = 42
	raw, err := db.encodeCase(c)
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != envelopeV1 {
		t.Fatalf("stored form starts with %#x", raw[0])
	}
	pt, err := db.crypt.open(kindCase, 42, "body", raw[1:])
	if err != nil || pt[0] != bodyBinaryV1 {
		t.Fatalf("plaintext: %v %x", err, pt[:1])
	}
	got, err := db.decodeCase(42, raw)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("envelope: %v\n%+v", err, got)
	}
	// The form of before: {"body": base64 of the ciphertext of the JSON}.
	legacy := legacySeal(t, db, kindCase, 42, "body", caseBody(c))
	got, err = db.decodeCase(42, legacy)
	if err != nil {
		t.Fatal(err)
	}
	// JSON drops the monotonic reading and turns UTC into UTC: equal.
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("legacy:\n got %+v\nwant %+v", got, c)
	}
	// Bound to its place as before: another id does not open it.
	if _, err := db.decodeCase(43, raw); err == nil {
		t.Error("a case opened under another id")
	}
	// A record kind without a binary form: JSON inside the envelope.
	type other struct{ A string }
	raw, err = db.crypt.sealJSON(kindOutbox, 7, "body", other{A: "x"})
	if err != nil || raw[0] != envelopeV1 {
		t.Fatalf("other: %v", err)
	}
	var o other
	if err := db.crypt.openJSON(kindOutbox, 7, "body", raw, &o); err != nil || o.A != "x" {
		t.Fatalf("other: %v %+v", err, o)
	}
	if err := db.crypt.openJSON(kindOutbox, 7, "body", legacySeal(t, db, kindOutbox, 7, "body", other{A: "y"}), &o); err != nil || o.A != "y" {
		t.Fatalf("other legacy: %v %+v", err, o)
	}
	// A binary body where the type has none, and an unknown envelope, fail.
	raw, _ = db.crypt.sealJSON(kindCase, 1, "body", caseBody{ID: 1})
	if err := db.crypt.openJSON(kindCase, 1, "body", raw, &o); err == nil {
		t.Error("a binary body decoded into a type without a binary form")
	}
	bad := slices.Clone(raw)
	bad[0] = 0x02
	if err := db.crypt.openJSON(kindCase, 1, "body", bad, &caseBody{}); err == nil {
		t.Error("an unknown format byte was read")
	}
}

// legacySeal writes v as every sealed record was before the envelope.
func legacySeal(t testing.TB, db *DB, kind string, id uint64, field string, v any) []byte {
	t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(sealedRecord{Body: db.crypt.seal(kind, id, field, body)})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Every truncation of a binary case, and trailing bytes, are refused without
// a panic.
func TestCaseCodecRefusesDamage(t *testing.T) {
	t.Parallel()
	b := caseBody(filledCase(t)).appendBinary(nil)
	for n := range len(b) {
		var c caseBody
		if err := c.decodeBinary(b[:n]); err == nil {
			t.Fatalf("a case cut at %d of %d bytes decoded", n, len(b))
		}
	}
	var c caseBody
	if err := c.decodeBinary(append(slices.Clone(b), 0)); err == nil {
		t.Fatal("trailing bytes accepted")
	}
	// A forged count allocates nothing and fails.
	forged := (&enc{}).b
	e := &enc{b: forged}
	e.uint(1)
	e.str("")
	e.str("")
	e.bool(false)
	e.uint(0)
	e.str("")
	e.str("")
	e.str("")
	e.date(portal.Date{})
	e.str("")
	e.str("")
	e.date(portal.Date{})
	e.uint(0)
	e.str("")
	e.str("")
	e.date(portal.Date{})
	e.uint(1 << 40) // acts
	if err := c.decodeBinary(e.b); err == nil {
		t.Fatal("a count of 2^40 acts accepted")
	}
}

// The migration (found by its name: the integrator may renumber it) leaves
// a mark, and Open rewrites every record of the form of before, in batches
// that survive an interruption: cases in the binary form, every other sealed
// record in the envelope with its ciphertext unchanged. Everything reads the
// same before, during and after; a key rotation afterwards still covers all.
func TestMigrationCodecRewritesLegacyRecords(t *testing.T) {
	t.Parallel()
	w := newSealedWorld(t)
	db := w.db
	var m migration
	for _, x := range migrations {
		if x.name == migrationCodecName {
			m = x
		}
	}
	if m.apply == nil {
		t.Fatal("no codec migration")
	}
	// Every case as the portal reads it now.
	want := map[uint64]portal.Case{}
	if err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketCases).ForEach(func(k, v []byte) error {
			c, err := db.decodeCase(btoi(k), v)
			want[btoi(k)] = c
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 {
		t.Fatalf("%d cases in the world", len(want))
	}
	// The database as it was before: every sealJSON value in the JSON
	// wrapper, the cases' plaintext JSON.
	legacyValues := 0
	wantSummaries := map[uint64]caseSummary{}
	if err := db.update(func(tx kv.Tx) error {
		for i := range sealedBuckets {
			sb := &sealedBuckets[i]
			b := tx.Bucket(sb.bucket)
			if !sb.isEnvelope() || b == nil {
				continue
			}
			type put struct{ k, v []byte }
			var puts []put
			err := b.ForEach(func(k, v []byte) error {
				if v == nil {
					return nil
				}
				if v[0] != envelopeV1 {
					return fmt.Errorf("%s: a value not in the envelope", sb.bucket)
				}
				var nv []byte
				if sb.kind == kindCase {
					nv = legacySeal(t, db, kindCase, btoi(k), "body", caseBody(want[btoi(k)]))
				} else {
					var err error
					if nv, err = json.Marshal(sealedRecord{Body: v[1:]}); err != nil {
						return err
					}
				}
				puts = append(puts, put{copyBytes(k), nv})
				return nil
			})
			if err != nil {
				return err
			}
			for _, p := range puts {
				if err := b.Put(p.k, p.v); err != nil {
					return err
				}
			}
			legacyValues += len(puts)
		}
		// Summaries: their plaintext as JSON, as before.
		sums := tx.Bucket(bucketCaseSummaries)
		type put struct{ k, v []byte }
		var puts []put
		if err := sums.ForEach(func(k, v []byte) error {
			s, err := db.openSummary(btoi(k), v)
			if err != nil {
				return err
			}
			wantSummaries[btoi(k)] = s
			j, err := json.Marshal(s)
			puts = append(puts, put{copyBytes(k), db.crypt.seal(kindCaseSummary, btoi(k), "summary", j)})
			return err
		}); err != nil {
			return err
		}
		for _, p := range puts {
			if err := sums.Put(p.k, p.v); err != nil {
				return err
			}
		}
		return m.apply(tx)
	}); err != nil {
		t.Fatal(err)
	}
	if len(wantSummaries) < 2 {
		t.Fatalf("%d summaries", len(wantSummaries))
	}
	if legacyValues < 20 {
		t.Fatalf("only %d legacy values", legacyValues)
	}
	w.openEverything(t)
	// Two batches of three, then a "crash": half done, all readable.
	if err := db.rewriteLegacyRecords(3, 2); err != nil {
		t.Fatal(err)
	}
	if left := countLegacy(t, db); left == 0 || left == legacyValues {
		t.Fatalf("after two batches of 3: %d of %d legacy values left", left, legacyValues)
	}
	w.openEverything(t)
	w.readBack(t)
	// Open finishes the rewrite.
	db = reopenTestDB(t, db)
	w.db = db
	if left := countLegacy(t, db); left != 0 {
		t.Fatalf("%d legacy values left after Open", left)
	}
	if err := db.view(func(tx kv.Tx) error {
		if tx.Bucket(bucketMeta).Get(keyCodecRewrite) != nil {
			t.Error("the rewrite mark is still there")
		}
		return tx.Bucket(bucketCases).ForEach(func(k, v []byte) error {
			pt, err := db.crypt.open(kindCase, btoi(k), "body", v[1:])
			if err != nil || pt[0] != bodyBinaryV1 {
				t.Errorf("case %d not in the binary form: %v", btoi(k), err)
			}
			c, err := db.decodeCase(btoi(k), v)
			if err != nil || !reflect.DeepEqual(c, want[btoi(k)]) {
				t.Errorf("case %d changed: %v\n got %+v\nwant %+v", btoi(k), err, c, want[btoi(k)])
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketCaseSummaries).ForEach(func(k, v []byte) error {
			pt, err := db.crypt.open(kindCaseSummary, btoi(k), "summary", v)
			if err != nil || pt[0] != bodyBinaryV1 {
				t.Errorf("summary %d not in the binary form: %v", btoi(k), err)
			}
			if s, err := db.openSummary(btoi(k), v); err != nil || s != wantSummaries[btoi(k)] {
				t.Errorf("summary %d changed: %v %+v", btoi(k), err, s)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	w.openEverything(t)
	w.readBack(t)
	assertNoPlaintext(t, "after the rewrite", liveCopy(t, db), w.secrets)
	// A rotation afterwards moves every value, envelopes included.
	if _, err := db.RotateDataKeys(t.Context(), RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	use, err := db.KeyUse()
	if err != nil || len(use) != 1 {
		t.Fatalf("key use after rotation: %v %v", use, err)
	}
	w.readBack(t)
}

func countLegacy(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	if err := db.view(func(tx kv.Tx) error {
		for i := range sealedBuckets {
			sb := &sealedBuckets[i]
			if b := tx.Bucket(sb.bucket); b != nil && sb.isEnvelope() {
				if err := b.ForEach(func(_, v []byte) error {
					if isLegacyWrapper(v) {
						n++
					}
					return nil
				}); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// FuzzCaseBinary: the case's binary form is parsed from what a data key
// opened; whatever the bytes, decoding returns an error or a case that
// encodes and decodes to itself, and never panics or over-allocates.
func FuzzCaseBinary(f *testing.F) {
	var seq int
	var c portal.Case
	fillValue(f, reflect.ValueOf(&c).Elem(), &seq)
	f.Add(caseBody(c).appendBinary(nil))
	f.Add(caseBody{}.appendBinary(nil))
	f.Add(caseBody{ID: 3, Events: []portal.CaseEvent{{At: time.Unix(1, 0)}}}.appendBinary(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var x caseBody
		if err := x.decodeBinary(b); err != nil {
			return
		}
		again := x.appendBinary(nil)
		var y caseBody
		if err := y.decodeBinary(again); err != nil {
			t.Fatalf("a decoded case does not decode after encoding: %v", err)
		}
		if !bytes.Equal(y.appendBinary(nil), again) {
			t.Fatal("encoding is not stable")
		}
	})
}

// FuzzSummaryBinary: the same for the case summary's binary form.
func FuzzSummaryBinary(f *testing.F) {
	f.Add(caseSummary{Ref: "FC-2026-000001", Status: portal.StatusSealed, Holders: 2, PersonName: "甲"}.appendBinary(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var x caseSummary
		if err := x.decodeBinary(b); err != nil {
			return
		}
		var y caseSummary
		if err := y.decodeBinary(x.appendBinary(nil)); err != nil || y != x {
			t.Fatalf("a decoded summary does not come back: %v", err)
		}
	})
}

// FuzzSealedValue: a stored value of a sealJSON bucket is parsed before any
// key checks it, by the reads (openJSON) and by rotation and backup
// (ciphertextsOf); whatever the bytes, neither panics, and nothing unsealed
// is accepted.
func FuzzSealedValue(f *testing.F) {
	db := newFuzzDB(f)
	good, err := db.encodeCase(portal.Case{ID: 1, PersonName: "甲"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(legacySeal(f, db, kindCase, 1, "body", caseBody{ID: 1}))
	f.Add([]byte(`{"body":"AAAA"}`))
	f.Add([]byte{envelopeV1})
	f.Add([]byte{envelopeV1, 1, 2, 3})
	sb := &sealedBuckets[slices.IndexFunc(sealedBuckets, func(sb sealedBucket) bool { return sb.kind == kindCase })]
	f.Fuzz(func(t *testing.T, raw []byte) {
		cts, _, cerr := sb.ciphertextsOf(raw)
		var c caseBody
		if err := db.crypt.openJSON(kindCase, 1, "body", raw, &c); err != nil {
			return
		}
		// What a read accepts, a rotation sees: one ciphertext, which opens
		// under a key (so no forgery is read, and no value read is left
		// under a key a rotation retires).
		if cerr != nil || len(cts) != 1 {
			t.Fatalf("read, but rotation sees %d ciphertexts (%v): %x", len(cts), cerr, raw)
		}
		if _, err := db.crypt.open(kindCase, 1, "body", cts[0].ct); err != nil {
			t.Fatalf("read without a valid seal: %x", raw)
		}
	})
}

func newFuzzDB(f *testing.F) *DB {
	dir := f.TempDir()
	db, err := Open(enginetest.Location(f, dir+"/fuzz.db"), Options{Keys: NewTestKeys()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	return db
}
