package views

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestExportLocales writes the Go catalogue to one file per language under
// locales/ when EXPORT_LOCALES=1. It is the one-time move of the messages
// out of the messages_*.go files; without the variable it does nothing but
// check that the export would be well formed.
func TestExportLocales(t *testing.T) {
	for i, lang := range []string{"zh-CN", "en"} {
		m := make(map[string]string, len(catalogue))
		for k, v := range catalogue {
			m[k] = v[i]
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
		if os.Getenv("EXPORT_LOCALES") != "1" {
			continue
		}
		if err := os.MkdirAll("locales", 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("locales", lang+".json"), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
