package boltkv

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.etcd.io/bbolt"
)

// SinglePutRate measures, in dir, how many bbolt transactions of one Put each
// (fsync on, bbolt's default) commit per second during d: the ceiling of any
// write that must be durable when it is answered (the load test's ratio).
func SinglePutRate(dir string, d time.Duration) (float64, error) {
	f, err := os.CreateTemp(dir, "loadtest-bbolt-*.db")
	if err != nil {
		return 0, fmt.Errorf("bbolt measurement: %w", err)
	}
	path := f.Name()
	defer os.Remove(path)
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("bbolt measurement: %w", err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, fmt.Errorf("bbolt measurement: %w", err)
	}
	defer db.Close()
	val := bytes.Repeat([]byte{0xA5}, 512)
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		err := db.Update(func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return b.Put([]byte(strconv.Itoa(n)), val)
		})
		if err != nil {
			return 0, fmt.Errorf("bbolt measurement: %w", err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
