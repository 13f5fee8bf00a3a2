package portal

import (
	"runtime"
	"strings"
	"testing"

	"sealportal/internal/pdfgen"
)

// The attack of issue 13: object streams that each inflate to ~50 MiB, and
// its variants (many streams just under the per-stream limit, a request of
// several such files). Every one is refused as too complex to check, and
// decoding stops at the first limit.
func TestCheckUploadRefusesPDFBombs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"eight streams of 50 MiB", pdfgen.ObjectStreamBomb(8, 50<<20), keyPDFTooComplex},
		{"one stream of 5 MiB", pdfgen.ObjectStreamBomb(1, 5<<20), keyPDFTooComplex},
		{"six streams of 3 MiB, over the file budget", pdfgen.ObjectStreamBomb(6, 3<<20), keyPDFTooComplex},
		{"too many object streams", pdfgen.ObjectStreamBomb(pdfMaxObjectStreams+1, 16), keyPDFTooComplex},
		{"a few small object streams", pdfgen.ObjectStreamBomb(3, 1000), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := CheckUpload("bomb.pdf", tc.data)
			if got := uploadKey(err); got != tc.want {
				t.Fatalf("key = %q, want %q (err %v)", got, tc.want, err)
			}
		})
	}
}

// A request's files share one budget: each file alone is within its own,
// but the third of a request is refused once the request's is spent.
func TestCheckUploadRequestBudget(t *testing.T) {
	t.Parallel()
	file := pdfgen.ObjectStreamBomb(4, 3500<<10) // about 14 MiB decoded
	if _, _, err := CheckUpload("a.pdf", file); err != nil {
		t.Fatalf("one file within its budget refused: %v", err)
	}
	b := NewUploadBudget()
	for i, want := range []string{"", "", keyPDFTooComplex} {
		_, _, err := CheckUploadWithin("a.pdf", file, b)
		if got := uploadKey(err); got != want {
			t.Fatalf("file %d: key %q, want %q (err %v)", i+1, got, want, err)
		}
	}
}

// A document may not contact the network, run a menu command, hide fields or
// switch layers by itself on opening (/OpenAction) or on an event (/AA),
// however the action is reached; the same action behind a link the reader
// clicks may stay.
func TestCheckUploadRefusesAutomaticActions(t *testing.T) {
	t.Parallel()
	page := func(extra string) string {
		return "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> " + extra + " >>"
	}
	withPage := func(catalog, pageExtra string, more ...string) []byte {
		objs := []string{
			"<< /Type /Catalog /Pages 2 0 R " + catalog + " >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			page(pageExtra),
			"<< /Length 36 >>\nstream\n" + pdfContent + "\nendstream",
		}
		return buildPDF(append(objs, more...), "")
	}
	link := "<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /URI /URI (https://court.example/) >> >>"
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"open action uri", pdfWith("/OpenAction << /S /URI /URI (https://evil.example/ping) >>"), keyPDFActive},
		{"open action named print by reference", pdfWith("/OpenAction 5 0 R", "<< /S /Named /N /Print >>"), keyPDFActive},
		{"open action hide", pdfWith("/OpenAction << /S /Hide /T (f) >>"), keyPDFActive},
		{"set layers through next", pdfWith("/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>", "<< /S /SetOCGState /State [/OFF] >>"), keyPDFActive},
		{"next array", pdfWith("/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [<< /S /GoTo /D [3 0 R /Fit] >> << /S /U#52I /URI (https://e.example/) >>] >>"), keyPDFActive},
		{"document will-close uri", pdfWith("/AA << /WC << /S /URI /URI (https://evil.example/) >> >>"), keyPDFActive},
		{"page open uri by reference", withPage("", "/AA 5 0 R", "<< /O 6 0 R >>", "<< /S /URI /URI (https://evil.example/) >>"), keyPDFActive},
		{"uri open action in an object stream", pdfObjectStream(t, "<< /S /URI /URI (https://evil.example/) >>"), keyPDFActive},
		{"link annotation with uri", withPage("", "/Annots [5 0 R]", link), ""},
		{"open action goto", pdfWith("/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"), ""},
		{"open action destination", pdfWith("/OpenAction [3 0 R /Fit]"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := CheckUpload("x.pdf", tc.data)
			if got := uploadKey(err); got != tc.want {
				t.Fatalf("key = %q, want %q (err %v)", got, tc.want, err)
			}
		})
	}
	if !strings.Contains(string(pdfObjectStream(t, "<< /S /URI /URI (x) >>")), "ObjStm") {
		t.Fatal("the object stream file has no object stream")
	}
}

// Variants without compression: a file of millions of small values is
// refused before it is parsed, so parsing cannot fill memory (it used to
// reach 225 MB of heap for a 9.5 MB array of zeros).
func TestCheckUploadRefusesValueBombs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data []byte
	}{
		{"array of numbers", pdfWith("/Pad 5 0 R", "["+strings.Repeat("0 ", 4_900_000)+"]")},
		{"names without spaces", pdfWith("/Pad 5 0 R", "["+strings.Repeat("/a", 2_000_000)+"]")},
	}
	for _, tc := range tests {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := CheckUpload("bomb.pdf", tc.data)
		runtime.ReadMemStats(&after)
		if got := uploadKey(err); got != keyPDFTooComplex {
			t.Fatalf("%s: key %q (err %v)", tc.name, got, err)
		}
		if grew := (after.TotalAlloc - before.TotalAlloc) >> 20; grew > 32 {
			t.Errorf("%s: checking allocated %d MB", tc.name, grew)
		}
	}
	// Ten megabytes of incompressible image data stay well within the count.
	noise := make([]byte, 10<<20)
	for i := range noise {
		noise[i] = byte(i*2654435761>>13) ^ byte(i>>7)
	}
	if n := pdfTokens(noise, pdfMaxTokens); n > pdfMaxTokens {
		t.Fatalf("10 MB of noise counts %d tokens", n)
	}
}
