package store

// reliefBuckets are created by migration 4.
func reliefBuckets() [][]byte {
	return [][]byte{[]byte("relief_requests")}
}
