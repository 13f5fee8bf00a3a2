package pgkv

import (
	"encoding/binary"
	"testing"

	"sealportal/store/kv"
	"sealportal/store/kv/pgkv/pgtest"
)

// benchEngine is an engine on a fresh database with bucket "b" holding
// 1000 keys of 100-byte values.
func benchEngine(b *testing.B) *Engine {
	e := openTest(b, pgtest.NewDatabase(b))
	update(b, e, func(tx kv.Tx) error {
		bk, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := range 1000 {
			if err := bk.Put(binary.BigEndian.AppendUint64(nil, uint64(i)), make([]byte, 100)); err != nil { // #nosec G115 -- small counts
				return err
			}
		}
		return nil
	})
	return e
}

// BenchmarkUpdateOnePut: one read-write transaction with one Put (writer
// lock, one INSERT batch, COMMIT).
func BenchmarkUpdateOnePut(b *testing.B) {
	e := benchEngine(b)
	v := make([]byte, 100)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := e.Update(bg, func(tx kv.Tx) error {
			return tx.Bucket([]byte("b")).Put(binary.BigEndian.AppendUint64(nil, uint64(i%1000)), v) // #nosec G115 -- small counts
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkViewOneGet: one snapshot with one Get.
func BenchmarkViewOneGet(b *testing.B) {
	e := benchEngine(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := e.View(bg, func(tx kv.Tx) error {
			if tx.Bucket([]byte("b")).Get(binary.BigEndian.AppendUint64(nil, uint64(i%1000))) == nil { // #nosec G115 -- small counts
				b.Fatal("missing key")
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCursor1000: one snapshot walking 1000 keys (four pages).
func BenchmarkCursor1000(b *testing.B) {
	e := benchEngine(b)
	b.ResetTimer()
	for b.Loop() {
		err := e.View(bg, func(tx kv.Tx) error {
			n := 0
			c := tx.Bucket([]byte("b")).Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				n++
			}
			if n != 1000 {
				b.Fatalf("%d keys", n)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatchParallel: concurrent one-Put calls through Batch, sharing commits.
func BenchmarkBatchParallel(b *testing.B) {
	e := benchEngine(b)
	v := make([]byte, 100)
	b.ResetTimer()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			err := e.Batch(bg, func(tx kv.Tx) error {
				return tx.Bucket([]byte("b")).Put(binary.BigEndian.AppendUint64(nil, uint64(i%1000)), v) // #nosec G115 -- small counts
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
