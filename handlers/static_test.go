package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"sealportal/static"
)

// staticGet fetches path with the given Accept-Encoding and If-None-Match,
// seeing the bytes on the wire (no transparent decompression).
func staticGet(t *testing.T, ts *testServer, path, accept, inm string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	if inm != "" {
		req.Header.Set("If-None-Match", inm)
	}
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

// Static assets are compressed once at start-up and sent from memory: the
// same gzip bytes every time, chosen by Accept-Encoding (q=0 refuses), with
// Vary, an ETag per encoding answered 304, a year's immutable caching for the
// current version's URL only, and the security headers of every answer.
func TestStaticAssetsPrecompressed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	css, err := static.Files.ReadFile("app.css")
	if err != nil {
		t.Fatal(err)
	}
	versioned := "/static/app.css?v=" + static.Version

	resp, gz := staticGet(t, ts, versioned, "br, gzip;q=0.8", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	if !bytes.Equal(gz, staticAssets["app.css"].gz) {
		t.Error("the gzip answer is not the bytes compressed at start-up")
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, css) {
		t.Errorf("the gzip answer does not decompress to app.css (%v)", err)
	}
	if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("versioned URL: Cache-Control %q", got)
	}
	if got := resp.Header.Get("Content-Type"); got != "text/css; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if resp.Header.Get("Vary") == "" || resp.Header.Get("Content-Security-Policy") != contentSecurityPolicy ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: Vary %q, CSP %q", resp.Header.Get("Vary"), resp.Header.Get("Content-Security-Policy"))
	}
	gzTag := resp.Header.Get("ETag")

	for _, accept := range []string{"", "gzip;q=0", "identity", "*"} {
		resp, body := staticGet(t, ts, versioned, accept, "")
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, css) {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, %d bytes", accept, resp.Header.Get("Content-Encoding"), len(body))
		}
		if resp.Header.Get("ETag") == gzTag || resp.Header.Get("ETag") == "" {
			t.Errorf("Accept-Encoding %q: ETag %q, the gzip one %q", accept, resp.Header.Get("ETag"), gzTag)
		}
	}

	if resp, body := staticGet(t, ts, versioned, "gzip", gzTag); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("If-None-Match: %d, %d bytes", resp.StatusCode, len(body))
	}
	for _, path := range []string{"/static/app.css", "/static/app.css?v=0123456789"} {
		if resp, _ := staticGet(t, ts, path, "gzip", ""); resp.Header.Get("Cache-Control") != "public, max-age=0, must-revalidate" {
			t.Errorf("%s (not the current version) is cached as %q", path, resp.Header.Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/static/", "/static/nope.css", "/static/../go.mod"} {
		if resp, _ := staticGet(t, ts, path, "gzip", ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		header []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"deflate, gzip;q=1.0, *;q=0.5"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"gzip;q=abc"}, false},
		{[]string{"br", "gzip"}, true},
		{[]string{"*"}, false},
		{[]string{"identity"}, false},
		{[]string{"gzipped"}, false},
	} {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v", tc.header, got)
		}
	}
}

// What is worth compressing: text and SVG, not pictures or PDFs.
func TestCompressibleType(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{
		"text/html; charset=UTF-8": true, "application/json": true, "text/css": true, "image/svg+xml": true,
		"text/javascript; charset=utf-8": true, "": true,
		"image/png": false, "image/jpeg": false, "application/pdf": false, "application/zip": false,
	} {
		if got := compressibleType(ct); got != want {
			t.Errorf("compressibleType(%q) = %v", ct, got)
		}
	}
}
