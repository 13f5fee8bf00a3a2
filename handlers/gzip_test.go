package handlers

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"sealportal/static"
)

// Pages and assets are sent gzip-compressed to a client that accepts it, and
// as they are to one that does not; tiny answers are never compressed.
func TestGzipResponses(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	css, err := static.Files.ReadFile("app.css")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, accept string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, ts.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		// An explicit Accept-Encoding turns off the transport's own
		// decompression, so the test sees the bytes on the wire.
		tr := &http.Transport{DisableCompression: true}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, raw
	}
	for _, path := range []string{"/", "/static/app.css", "/check"} {
		resp, raw := get(path, "gzip")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d, Content-Encoding %q", path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(raw) >= len(plain) {
			t.Errorf("%s: %d bytes compressed, %d plain", path, len(raw), len(plain))
		}
		if path == "/static/app.css" && string(plain) != string(css) {
			t.Errorf("app.css does not decompress to the file")
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Vary %q", path, resp.Header.Get("Vary"))
		}
		plainResp, body := get(path, "")
		if plainResp.Header.Get("Content-Encoding") != "" || path == "/static/app.css" && string(body) != string(css) {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q", path, plainResp.Header.Get("Content-Encoding"))
		}
	}
	if resp, body := get("/healthz", "gzip"); resp.Header.Get("Content-Encoding") != "" || string(body) != "ok" {
		t.Errorf("healthz: Content-Encoding %q, body %q", resp.Header.Get("Content-Encoding"), body)
	}
}
