package main

import "testing"

// The canonical address: required off loopback, derived on loopback, and
// only an absolute http(s) address is accepted.
func TestPublicURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr, public, want string
		ok                 bool
	}{
		{"127.0.0.1:8080", "", "http://localhost:8080", true},
		{"localhost:9000", "", "http://localhost:9000", true},
		{"[::1]:8080", "", "http://localhost:8080", true},
		{":8080", "", "", false},
		{"0.0.0.0:8080", "", "", false},
		{"10.0.0.5:8080", "", "", false},
		{":8080", "https://portal.example.gov.cn/", "https://portal.example.gov.cn", true},
		{":8080", "https://portal.example.gov.cn/sealing", "https://portal.example.gov.cn/sealing", true},
		{":8080", "portal.example.gov.cn", "", false},
		{":8080", "javascript:alert(1)", "", false},
		{":8080", "https://user@portal.example.gov.cn", "", false},
		{":8080", "https://portal.example.gov.cn/?x=1", "", false},
	}
	for _, tc := range tests {
		got, err := config{addr: tc.addr, publicBase: tc.public}.publicURL()
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("addr %q public %q: %q, %v; want %q ok=%v", tc.addr, tc.public, got, err, tc.want, tc.ok)
		}
	}
}
