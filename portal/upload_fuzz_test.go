package portal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"sealportal/internal/pdfgen"
)

// FuzzCheckUpload feeds arbitrary names and bytes to the upload check. It
// must never panic or hang, must refuse with a translated invalid-input
// error, and what it accepts must be one of the three types, under a safe
// name, and accepted again as the same type when checked a second time (a
// cleaned image is a valid image; a kept PDF is the same bytes).
// The seed corpus is in testdata/fuzz/FuzzCheckUpload; regenerate it with
// WRITE_UPLOAD_CORPUS=1 go test ./portal -run TestWriteUploadCorpus.
func FuzzCheckUpload(f *testing.F) {
	for _, s := range uploadSeeds(f) {
		f.Add(s.name, s.data)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		d, clean, err := CheckUpload(name, data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Code != CodeInvalid || pe.Key == "" || pe.Fields["file"] != pe.Key {
				t.Fatalf("refusal is not a translated invalid-input error: %#v", err)
			}
			if clean != nil {
				t.Fatal("refused upload returned bytes")
			}
			return
		}
		switch d.MediaType {
		case MediaJPEG, MediaPNG, MediaPDF:
		default:
			t.Fatalf("accepted type %q", d.MediaType)
		}
		if d.Size != len(clean) {
			t.Fatalf("size %d for %d bytes", d.Size, len(clean))
		}
		checkNameSafe(t, d.Name)
		if d.MediaType == MediaPDF && !bytes.Equal(clean, data) {
			t.Fatal("a PDF was changed")
		}
		if len(clean) <= MaxDocumentBytes {
			d2, _, err := CheckUpload(d.Name, clean)
			if err != nil || d2.MediaType != d.MediaType {
				t.Fatalf("cleaned %s refused on a second check: %v", d.MediaType, err)
			}
		}
	})
}

type uploadSeed struct {
	name string
	data []byte
}

// uploadSeeds are small valid and almost-valid files of each kind.
func uploadSeeds(t testing.TB) []uploadSeed {
	jpg := testJPEG(t, 16, 12)
	return []uploadSeed{
		{"photo.jpg", withEXIF(jpg, 6)},
		{"scan.png", withTextChunks(testPNG(t, 10, 8))},
		{"judgment.pdf", pdfWith("")},
		{"packed.pdf", pdfObjectStream(t, "<< /S /GoTo /D [3 0 R /Fit] >>")},
		{"script.pdf", pdfWith("/OpenAction << /S /JavaScript /JS (1) >>")},
		{"身份证\r\n\".jpg", jpg[:len(jpg)-10]},
		{"x.html", []byte("<html><body>%PDF-1.4</body></html>")},
		{"streams.pdf", pdfgen.ObjectStreamBomb(3, 1000)},
		{"bomb.pdf", pdfgen.ObjectStreamBomb(2, 5<<20)},
		{"uri.pdf", pdfWith("/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>", "<< /S /URI /URI (https://e.example/) >>")},
	}
}

// TestWriteUploadCorpus writes the seeds in the fuzzing corpus format, so
// that `go test` runs them even without -fuzz and the files can be inspected.
func TestWriteUploadCorpus(t *testing.T) {
	if os.Getenv("WRITE_UPLOAD_CORPUS") == "" {
		t.Skip("set WRITE_UPLOAD_CORPUS=1 to rewrite testdata/fuzz/FuzzCheckUpload")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzCheckUpload")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range uploadSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\nstring(%s)\n[]byte(%s)\n", strconv.Quote(s.name), strconv.Quote(string(s.data)))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
