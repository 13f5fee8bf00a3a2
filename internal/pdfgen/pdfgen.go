// Package pdfgen writes hostile PDF files for the tests of the upload check
// (portal.CheckUpload) and of the upload handlers. It is used by tests only.
package pdfgen

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
)

// ObjectStreamBomb writes a valid one-page PDF 1.5 with streams object
// streams, each holding one small object followed by inflate bytes of white
// space, Flate-compressed: a file of a few hundred kilobytes that decodes to
// streams*inflate bytes. The attack of issue 13 used eight streams of about
// 50 MiB.
func ObjectStreamBomb(streams, inflate int) []byte {
	firstPacked := 6 + streams // after the object streams and the cross-reference stream
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	off := map[int]int{}
	obj := func(n int, s string) {
		off[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, s)
	}
	content := "BT /F1 12 Tf 72 720 Td (Judgment) Tj ET"
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>")
	obj(4, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	pad := bytes.Repeat([]byte{' '}, inflate)
	for i := range streams {
		nr := 5 + i
		head := fmt.Sprintf("%d 0 ", firstPacked+i)
		var z bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
		_, _ = zw.Write([]byte(head + "<< /Pad true >>"))
		_, _ = zw.Write(pad)
		_ = zw.Close()
		off[nr] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n", nr, len(head), z.Len())
		b.Write(z.Bytes())
		b.WriteString("\nendstream\nendobj\n")
	}
	xrefNr := 5 + streams
	off[xrefNr] = b.Len()
	size := firstPacked + streams
	var xr bytes.Buffer
	entry := func(typ byte, f2 uint32, f3 uint16) {
		xr.WriteByte(typ)
		_ = binary.Write(&xr, binary.BigEndian, f2)
		_ = binary.Write(&xr, binary.BigEndian, f3)
	}
	for n := range size {
		switch {
		case n == 0:
			entry(0, 0, 65535)
		case n < firstPacked:
			entry(1, uint32(off[n]), 0) // #nosec G115 -- a test PDF's offsets stay far below 4 GiB
		default:
			entry(2, uint32(5+n-firstPacked), 0) // #nosec G115 -- an object index of a small test PDF
		}
	}
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n", xrefNr, size, xr.Len())
	b.Write(xr.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", off[xrefNr])
	return b.Bytes()
}
