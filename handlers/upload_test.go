package handlers

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
)

// Real files for tests that upload through the forms: the upload check
// decodes images and parses PDFs, so a few magic bytes no longer pass.
var (
	// testValidPDF is a one-page PDF with a correct cross-reference table.
	testValidPDF = uploadBuildPDF("")
	// testValidJPEG and testValidPNG are small gradient pictures.
	testValidJPEG = uploadEncode(func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }, 40, 30)
	testValidPNG  = uploadEncode(png.Encode, 40, 30)
)

func uploadEncode(enc func(io.Writer, image.Image) error, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 8), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// uploadBuildPDF writes a one-page PDF whose catalogue has the extra entries.
func uploadBuildPDF(catalog string) []byte {
	const content = "BT /F1 12 Tf 72 720 Td (Hello) Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R " + catalog + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
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
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// uploadJPEGWithGPS is a JPEG carrying an EXIF APP1 segment, built by hand,
// with a GPS IFD (latitude 39°54'N) and a camera comment.
func uploadJPEGWithGPS(w, h int) []byte {
	be := binary.BigEndian
	var tiff bytes.Buffer
	put := func(vs ...any) {
		for _, v := range vs {
			_ = binary.Write(&tiff, be, v)
		}
	}
	tiff.WriteString("MM")
	put(uint16(42), uint32(8))
	// IFD0 with one entry, the GPS IFD pointer; the GPS IFD follows at 26.
	put(uint16(1), uint16(0x8825), uint16(4), uint32(1), uint32(26), uint32(0))
	// GPS IFD: latitude ref and latitude (3 rationals at 56).
	put(uint16(2))
	put(uint16(0x0001), uint16(2), uint32(2))
	tiff.WriteString("N\x00\x00\x00")
	put(uint16(0x0002), uint16(5), uint32(3), uint32(56), uint32(0))
	put(uint32(39), uint32(1), uint32(54), uint32(1), uint32(2715), uint32(100))
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	com := []byte("GPS camera Pixel 9 Pro")
	comSeg := append([]byte{0xFF, 0xFE, 0, byte(len(com) + 2)}, com...)
	jpg := uploadEncode(func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }, w, h)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, comSeg...)
	return append(out, jpg[2:]...)
}

// uploadRaw posts the application's document form with a file part whose
// Content-Disposition carries dispositionName verbatim as its name
// parameters, as a browser (or an attacker) might send it.
func uploadRaw(t *testing.T, c *testClient, id uint64, kind, dispositionName string, content []byte) *testPage {
	t.Helper()
	token := c.get(applyP(id, "documents")).csrf(t)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", token)
	_ = w.WriteField("kind", kind)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; `+dispositionName)
	h.Set("Content-Type", "text/html") // the browser's claim, which must not count
	fw, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, c.ts.srv.URL+applyP(id, "documents"), &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	for name, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		c.keepCookies(resp)
		return c.get(resp.Header.Get("Location"))
	}
	return &testPage{status: resp.StatusCode, header: resp.Header, body: string(raw), url: resp.Request.URL, first: resp}
}

// uploadDraft starts an application with its person filled in.
func uploadDraft(t *testing.T, seq uint64) (*testServer, *testClient, uint64) {
	t.Helper()
	ts, _ := applyServer(t)
	c, _ := applyClient(t, ts, portal.RoleGuardian, "1390000"+strconv.FormatUint(6000+seq, 10))
	id := applyStartDraft(t, c)
	applyFillPerson(t, c, id, "赵小明", testIDNumber(600+seq, portal.Date{Year: 2011, Month: 8, Day: 8})).wantPath(t, applyP(id, ""))
	return ts, c, id
}

// A photo uploaded with its GPS position comes back without it, under a
// sanitized name that cannot add a header, with headers that keep the
// browser from sniffing or running it.
func TestUploadJPEGLosesGPSAndIsServedSafely(t *testing.T) {
	t.Parallel()
	ts, c, id := uploadDraft(t, 1)
	orig := uploadJPEGWithGPS(64, 48)
	evil := "判决书\r\nX-Evil: 1\"; x=\".jpg"
	p := uploadRaw(t, c, id, "judgment", "filename*=UTF-8''"+urlPathEscape(evil), orig)
	p.wantPath(t, applyP(id, "documents"))

	cs, err := ts.db.Case(id)
	if err != nil || len(cs.Documents) != 1 {
		t.Fatalf("case: %v, %d documents", err, len(cs.Documents))
	}
	d := cs.Documents[0]
	// The name arrived whole (CR, LF, quotes and all) and was reduced to
	// something harmless, Chinese kept.
	if d.MediaType != portal.MediaJPEG || d.Name != "判决书 X-Evil 1 x=.jpg" {
		t.Fatalf("stored document %+v", d)
	}

	dl := c.get(applyP(id, "documents/"+strconv.FormatUint(d.ID, 10))).wantStatus(t, http.StatusOK)
	for _, marker := range []string{"Exif", "GPS camera", "\x88\x25"} {
		if strings.Contains(dl.body, marker) {
			t.Errorf("downloaded photo still contains %q", marker)
		}
	}
	img, err := jpeg.Decode(strings.NewReader(dl.body))
	if err != nil || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 48 {
		t.Fatalf("downloaded photo: %v, %v", img, err)
	}
	if len(dl.body) != d.Size {
		t.Fatalf("served %d bytes, stored size %d", len(dl.body), d.Size)
	}
	uploadCheckHeaders(t, dl.header, portal.MediaJPEG, d.Name)
	if dl.header.Get("X-Evil") != "" {
		t.Fatal("the file name added a header")
	}
}

// uploadCheckHeaders checks what every document download must carry.
func uploadCheckHeaders(t *testing.T, h http.Header, media, name string) {
	t.Helper()
	if got := h.Get("Content-Type"); got != media {
		t.Errorf("Content-Type %q, want %q", got, media)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got := h.Get("Content-Security-Policy"); got != "sandbox; default-src 'none'" {
		t.Errorf("Content-Security-Policy %q", got)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	cd := h.Get("Content-Disposition")
	if strings.ContainsAny(cd, "\r\n") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	disp, params, err := mime.ParseMediaType(cd)
	if err != nil || disp != "attachment" {
		t.Fatalf("Content-Disposition %q: %v", cd, err)
	}
	// ParseMediaType prefers the RFC 5987 filename* value, which carries the
	// full name; the plain filename= is an ASCII fallback.
	if params["filename"] != name {
		t.Errorf("filename %q, want %q (%s)", params["filename"], name, cd)
	}
	fallback := cd[strings.Index(cd, `filename="`)+len(`filename="`):]
	fallback = fallback[:strings.IndexByte(fallback, '"')]
	for _, r := range fallback {
		if r > 0x7e || r < 0x20 {
			t.Errorf("fallback filename %q is not ASCII", fallback)
		}
	}
}

// Files whose content is not acceptable are refused on the form with a
// translated message, whatever their name and the browser's Content-Type say;
// a PDF named .jpg is kept as a PDF.
func TestUploadRefusalsAndTypeByContent(t *testing.T) {
	t.Parallel()
	ts, c, id := uploadDraft(t, 2)
	jsPDF := uploadBuildPDF("/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")
	for _, tc := range []struct {
		name, file string
		content    []byte
		want       string
	}{
		{"script in pdf", "a.pdf", jsPDF, "The PDF contains scripts"},
		{"launch in pdf", "a.pdf", uploadBuildPDF("/OpenAction << /S /Launch /F (calc.exe) >>"), "The PDF contains scripts"},
		{"truncated jpeg", "a.jpg", testValidJPEG[:len(testValidJPEG)/2], "The file is damaged or incomplete"},
		{"html named jpg", "a.jpg", []byte("<html><script>alert(1)</script></html>"), "Upload a PDF, JPG or PNG file"},
		{"svg named png", "a.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "Upload a PDF, JPG or PNG file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := uploadRaw(t, c, id, "identity", `filename="`+tc.file+`"`, tc.content).wantStatus(t, http.StatusUnprocessableEntity)
			if e := p.fieldError("file"); !strings.HasPrefix(e, "Error: "+tc.want) {
				t.Fatalf("file error %q, want %q", e, tc.want)
			}
		})
	}
	uploadRaw(t, c, id, "judgment", `filename="scan.jpg"`, testValidPDF).wantPath(t, applyP(id, "documents"))
	cs, _ := ts.db.Case(id)
	if len(cs.Documents) != 1 || cs.Documents[0].MediaType != portal.MediaPDF || cs.Documents[0].Name != "scan.pdf" {
		t.Fatalf("documents %+v", cs.Documents)
	}
	dl := c.get(applyP(id, "documents/"+strconv.FormatUint(cs.Documents[0].ID, 10))).wantStatus(t, http.StatusOK)
	if dl.body != string(testValidPDF) {
		t.Fatal("a PDF was not kept as uploaded")
	}
	uploadCheckHeaders(t, dl.header, portal.MediaPDF, "scan.pdf")
}

// serveDocument is the one way documents leave the portal (applicant, case,
// staff, supervisor, relief, leak and query downloads all call it); its
// headers hold for any stored name, including ones saved before names were
// sanitized at upload.
func TestServeDocumentHeaders(t *testing.T) {
	t.Parallel()
	e := echo.New()
	for _, tc := range []struct {
		name, media, wantName, wantMedia, wantFallback string
	}{
		{"身份证正面.jpg", portal.MediaJPEG, "身份证正面.jpg", portal.MediaJPEG, "document.jpg"},
		{"ID card 身份证.png", portal.MediaPNG, "ID card 身份证.png", portal.MediaPNG, "ID card.png"},
		{"a\r\nSet-Cookie: x=1\";.pdf", portal.MediaPDF, "a Set-Cookie x=1.pdf", portal.MediaPDF, "a Set-Cookie x1.pdf"},
		{"page.html", "text/html", "page.html", "application/octet-stream", "page.html"},
	} {
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
		if err := serveDocument(c, portal.Document{Name: tc.name, MediaType: tc.media}, []byte("x")); err != nil {
			t.Fatal(err)
		}
		uploadCheckHeaders(t, rec.Header(), tc.wantMedia, tc.wantName)
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="`+tc.wantFallback+`"`) {
			t.Errorf("%q: Content-Disposition %q, want fallback %q", tc.name, cd, tc.wantFallback)
		}
	}
}
