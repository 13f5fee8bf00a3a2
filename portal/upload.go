package portal

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
)

// Accepted document types, decided by content, never by the file's name or the
// browser's claim.
const (
	MediaPDF  = "application/pdf"
	MediaJPEG = "image/jpeg"
	MediaPNG  = "image/png"
)

// Limits of an upload besides MaxDocumentBytes.
const (
	// MaxImagePixels bounds the pixels of an accepted image. A small file can
	// declare a huge canvas (a decompression bomb); 40 megapixels is more than
	// any phone camera or A3 scan at 600 dpi produces.
	MaxImagePixels = 40_000_000
	// MaxDocumentNameRunes bounds the display name of a document.
	MaxDocumentNameRunes = 100
)

// Message keys of refused uploads. The field is always "file"; handlers with a
// differently named field move the key to theirs.
const (
	keyUploadEmpty     = "upload.empty"
	keyUploadTooBig    = "upload.too_big"
	keyUploadType      = "upload.wrong_type"
	keyUploadMalformed = "upload.malformed"
	keyImageTooBig     = "upload.image_too_big"
	keyPDFActive       = "upload.pdf_active_content"
	keyPDFEncrypted    = "upload.pdf_encrypted"
	keyPDFTooComplex   = "upload.pdf_too_complex"
)

// uploadError is the refusal of an upload, shown on the form's file field.
func uploadError(key string, cause error) *Error {
	return &Error{Code: CodeInvalid, Key: key, Fields: map[string]string{"file": key}, Err: cause}
}

// CheckUpload decides whether an uploaded file may be kept and returns what is
// to be stored: its description and its cleaned bytes. The type is decided by
// the content alone. Images are decoded and encoded again, so only pixels
// survive (no EXIF position, camera or time, no text chunks, nothing a
// decoder bug could be aimed at); a PDF is kept as it is, but only when it
// parses and carries nothing that runs (scripts, launch actions, embedded
// files, multimedia, XFA forms) and is not encrypted, since an encrypted file
// cannot be inspected. The name is used for display only, never as a path.
func CheckUpload(name string, data []byte) (Document, []byte, error) {
	return CheckUploadWithin(name, data, NewUploadBudget())
}

// CheckUploadWithin is CheckUpload spending from a request's budget, so that
// the files of one request together decode no more than
// RequestDecodeBudget.
func CheckUploadWithin(name string, data []byte, budget *UploadBudget) (Document, []byte, error) {
	if len(data) == 0 {
		return Document{}, nil, uploadError(keyUploadEmpty, nil)
	}
	if len(data) > MaxDocumentBytes {
		return Document{}, nil, uploadError(keyUploadTooBig, nil)
	}
	var (
		media string
		clean []byte
		err   error
	)
	switch detectMedia(data) {
	case MediaJPEG:
		media = MediaJPEG
		clean, err = cleanJPEG(data)
	case MediaPNG:
		media = MediaPNG
		clean, err = cleanPNG(data)
	case MediaPDF:
		media = MediaPDF
		clean, err = checkPDF(data, budget)
	default:
		return Document{}, nil, uploadError(keyUploadType, nil)
	}
	if err != nil {
		return Document{}, nil, err
	}
	return Document{Name: DocumentName(name, media), MediaType: media, Size: len(clean)}, clean, nil
}

// detectMedia names the accepted type of data, or "" for anything else.
// mimetype walks its tree from the most specific type, so an animated PNG
// comes back as APNG; its parents are checked for the accepted types.
func detectMedia(data []byte) string {
	for m := mimetype.Detect(data); m != nil; m = m.Parent() {
		switch {
		case m.Is(MediaJPEG):
			return MediaJPEG
		case m.Is(MediaPNG):
			return MediaPNG
		case m.Is(MediaPDF):
			return MediaPDF
		}
	}
	return ""
}

// SniffDocument decides a document's type from its content, refusing
// anything but PDF, JPEG and PNG, and anything too large or empty. It does not
// inspect the file any further: CheckUpload does.
func SniffDocument(b []byte) (string, error) {
	switch {
	case len(b) == 0:
		return "", uploadError(keyUploadEmpty, nil)
	case len(b) > MaxDocumentBytes:
		return "", uploadError(keyUploadTooBig, nil)
	}
	if m := detectMedia(b); m != "" {
		return m, nil
	}
	return "", uploadError(keyUploadType, nil)
}

// DocumentName reduces the name a browser sent to something safe to show and
// to put in a Content-Disposition header: the last path element only, no
// control or format characters, no quotes, separators or semicolons, at most
// MaxDocumentNameRunes runes, Chinese and other letters kept. The extension is
// made to agree with the type decided from the content, so that a saved copy
// opens with the right program.
func DocumentName(name, media string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsSpace(r): // tabs, CR, LF and line separators included
			r = ' '
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), // Cf: bidi overrides
			strings.ContainsRune("\"'`;:*?<>|/\\", r):
			continue
		}
		b.WriteRune(r)
	}
	out := strings.Trim(strings.Join(strings.Fields(b.String()), " "), ". ")
	ext := path.Ext(out)
	want := map[string]string{MediaPDF: ".pdf", MediaJPEG: ".jpg", MediaPNG: ".png"}[media]
	switch lower := strings.ToLower(ext); {
	case want == "", lower == want, lower == ".jpeg" && want == ".jpg":
		want = ext // the uploader's own spelling of the right extension
		out = strings.TrimSuffix(out, ext)
	case lower == ".pdf" || lower == ".jpg" || lower == ".jpeg" || lower == ".png":
		out = strings.TrimSuffix(out, ext) // the wrong one of ours: replaced
	}
	if utf8.RuneCountInString(want) > 16 { // not an extension but part of the name
		out, want = out+want, ""
	}
	out = strings.TrimRight(out, ". ")
	if out == "" {
		out = "document"
	}
	if limit := MaxDocumentNameRunes - utf8.RuneCountInString(want); utf8.RuneCountInString(out) > limit {
		out = strings.TrimRight(string([]rune(out)[:max(limit, 1)]), ". ")
	}
	return out + want
}
