package handlers

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// Responses are gzip-compressed for the cheap phones on slow networks the
// portal is for: pages, CSS, JS and JSON shrink four- to eightfold.
//
// The compressor is github.com/klauspost/compress (gzhttp with its own
// deflate), not compress/gzip (issue 19): at the same level 1 (BestSpeed) it
// spends a fraction of the CPU of the standard library's encoder, which was
// 29% of a case page's time under load. Its output is ordinary gzip, so
// every browser reads it. Answers under gzipMinLength (health checks,
// redirects, small JSON) are sent as they are: compressing them costs more
// than it saves. zstd is left off: every browser reads gzip, and each zstd
// encoder would hold megabytes more per concurrent answer.
//
// BREACH (guessing a secret in a compressed page from its length, with the
// attacker's text reflected beside it) needs the victim's browser to send
// thousands of cross-site requests carrying its cookies. Here the CSRF cookie
// is SameSite=Strict, so a cross-site request is answered with a fresh token,
// not the victim's, and the session cookie is SameSite=Lax, so cross-site
// subresource requests carry no session: such requests see neither secret.
const (
	gzipLevel     = gzip.BestSpeed
	gzipMinLength = 1024
)

// gzipWrap is the compressing http wrapper, built once.
var gzipWrap = func() func(http.Handler) http.HandlerFunc {
	w, err := gzhttp.NewWrapper(
		gzhttp.CompressionLevel(gzipLevel),
		gzhttp.MinSize(gzipMinLength),
		gzhttp.EnableZstd(false),
		gzhttp.ContentTypeFilter(compressibleType),
	)
	if err != nil {
		panic(err) // only for invalid options, which are fixed above
	}
	return w
}()

// compressibleType says which answers are worth compressing: text, JSON,
// SVG and JavaScript; not PDFs, pictures or archives, which are compressed
// already.
func compressibleType(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(ct))
	if ct == "" {
		return true
	}
	switch {
	case strings.HasPrefix(ct, "image/svg+xml"):
		return true
	case strings.HasPrefix(ct, "image/"), strings.HasPrefix(ct, "video/"), strings.HasPrefix(ct, "audio/"),
		strings.HasPrefix(ct, "application/pdf"), strings.Contains(ct, "zip"), strings.Contains(ct, "compress"),
		strings.HasPrefix(ct, "application/octet-stream"):
		return false
	}
	return true
}

// skipGzip leaves as they are uploaded documents (PDFs, JPEGs and PNGs are
// compressed already) and static assets, which handleStatic sends
// precompressed.
func skipGzip(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.Contains(p, "/documents/") || strings.HasPrefix(p, "/static/")
}

// compress runs the rest of the chain behind the gzip writer. An error of
// the chain is answered (the error page) inside, so that error pages are
// compressed like any page and nothing is written after the compressor has
// closed.
func (s *Server) compress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if skipGzip(c) {
			return next(c)
		}
		res := c.Response()
		orig := res.Writer
		gzipWrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			res.Writer = w
			defer func() { res.Writer = orig }()
			if err := next(c); err != nil {
				c.Error(err)
			}
		})).ServeHTTP(orig, c.Request())
		return nil
	}
}
