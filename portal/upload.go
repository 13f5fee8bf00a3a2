package portal

import "bytes"

// Accepted document types, decided by content, never by the file's name or the
// browser's claim.
const (
	MediaPDF  = "application/pdf"
	MediaJPEG = "image/jpeg"
	MediaPNG  = "image/png"
)

// SniffDocument decides a document's type from its first bytes and refuses
// anything but PDF, JPEG and PNG, and anything too large or empty.
func SniffDocument(b []byte) (string, error) {
	switch {
	case len(b) == 0:
		return "", &Error{Code: CodeInvalid, Key: "upload.empty", Fields: map[string]string{"file": "upload.empty"}}
	case len(b) > MaxDocumentBytes:
		return "", &Error{Code: CodeInvalid, Key: "upload.too_big", Fields: map[string]string{"file": "upload.too_big"}}
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return MediaPDF, nil
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return MediaJPEG, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return MediaPNG, nil
	}
	return "", &Error{Code: CodeInvalid, Key: "upload.wrong_type", Fields: map[string]string{"file": "upload.wrong_type"}}
}
