// Package static embeds the portal's CSS, images and the little JavaScript there
// is, so that the binary is the whole deployment.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// Files are the embedded assets, served under /static/.
//
//go:embed *.css *.js *.svg
var Files embed.FS

// Version is a digest of every asset, appended to asset URLs so that long
// caching never serves an old file after a release, with nothing to remember
// to bump.
var Version = func() string {
	h := sha256.New()
	_ = fs.WalkDir(Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := Files.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:10]
}()
