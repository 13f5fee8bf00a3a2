package store

// leakBuckets are created by migration 5.
func leakBuckets() [][]byte {
	return [][]byte{[]byte("leak_reports")}
}
