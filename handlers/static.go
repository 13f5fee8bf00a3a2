package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"sealportal/static"
)

// staticAsset is one embedded file as it is sent: its bytes, and its gzip
// compressed once at start-up (issue 19) when that is smaller.
type staticAsset struct {
	contentType string
	plain, gz   []byte
	etag        string // of the plain bytes; the gzip one has a suffix
}

// staticAssets are every embedded file, read and compressed once.
var staticAssets = func() map[string]*staticAsset {
	out := map[string]*staticAsset{}
	err := fs.WalkDir(static.Files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.Files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a := &staticAsset{plain: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`,
			contentType: mime.TypeByExtension(path.Ext(name))}
		if a.contentType == "" {
			a.contentType = http.DetectContentType(b)
		}
		if compressibleType(a.contentType) {
			var buf bytes.Buffer
			zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			if err != nil {
				return err
			}
			if _, err := zw.Write(b); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
			if buf.Len() < len(b) {
				a.gz = buf.Bytes()
			}
		}
		out[name] = a
		return nil
	})
	if err != nil {
		panic(err) // the embedded files are part of the binary
	}
	return out
}()

// handleStatic serves GET /static/*: the embedded assets from memory, gzip
// precompressed for a client that accepts it (Vary: Accept-Encoding). A URL
// with the current ?v= version (every page's links: views.asset) is cached
// for a year as immutable, since a change of any file changes the version; any
// other is revalidated by its ETag, so it is never stale.
func (s *Server) handleStatic(c echo.Context) error {
	name := strings.TrimPrefix(c.Request().URL.Path, "/static/")
	a := staticAssets[name]
	if a == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderVary, strings.Join(append(h.Values(echo.HeaderVary), echo.HeaderAcceptEncoding), ", "))
	h.Set(echo.HeaderContentType, a.contentType)
	if c.QueryParam("v") == static.Version {
		h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		h.Set(echo.HeaderCacheControl, "public, max-age=0, must-revalidate")
	}
	body, etag := a.plain, a.etag
	if a.gz != nil && acceptsGzip(c.Request().Header.Values(echo.HeaderAcceptEncoding)) {
		body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	h.Set("ETag", etag)
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(body))
	return nil
}

// acceptsGzip reads Accept-Encoding as RFC 9110 §12.5.3 has it: gzip (or
// x-gzip) named with a q-value above 0. A bare "*" is not taken for gzip, as
// clients that send it often expect the plain bytes.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" {
				continue
			}
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil {
						f = 0
					}
					q = f
				}
			}
			return q > 0
		}
	}
	return false
}
