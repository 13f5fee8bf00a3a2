package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// outboxHolder names this app server in the outbox lease (store/outbox_lease.go,
// issue 15): the host, the listen address and the data folder, hashed. It is
// the same when the same server restarts after a crash, so that it takes its
// lease back at once instead of waiting for it to lapse, and differs between
// app servers (another host, or another address on the same one).
func outboxHolder(c config) []byte {
	host, err := os.Hostname()
	if err != nil {
		host = "" // the address and the folder still tell servers apart
	}
	data, err := filepath.Abs(c.data)
	if err != nil {
		data = c.data
	}
	sum := sha256.Sum256([]byte(host + "\x00" + c.addr + "\x00" + data))
	return []byte(hex.EncodeToString(sum[:12]))
}
