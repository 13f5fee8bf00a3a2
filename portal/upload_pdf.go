package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
)

// pdfReadTimeout bounds the time one hostile file can keep a request busy.
const pdfReadTimeout = 10 * time.Second

// pdfMaxDepth bounds the nesting of direct objects walked; real files nest a
// handful of levels.
const pdfMaxDepth = 64

// pdfActiveKeys are dictionary keys whose presence means the file can run
// something, carry another file, or replace its pages with a form: scripts
// (in actions and in the name tree), additional actions' scripts, embedded
// files and the file specifications pointing at them, multimedia and XFA.
// Checking keys rather than only /S action types also catches a script action
// whose /S entry was left out or garbled, which some readers still run.
var pdfActiveKeys = map[string]bool{
	"JS":                true,
	"JavaScript":        true,
	"EmbeddedFiles":     true,
	"EmbeddedFile":      true,
	"EF":                true, // a file specification's embedded file stream
	"RichMedia":         true,
	"RichMediaContent":  true,
	"RichMediaSettings": true,
	"XFA":               true,
}

// pdfActiveNames are name values that mean the same: action types that run a
// script, start a program, open or submit to another file or address,
// attachment annotations and embedded-file types.
var pdfActiveNames = map[string]bool{
	"JavaScript":     true,
	"Launch":         true,
	"GoToE":          true,
	"GoToR":          true,
	"ImportData":     true,
	"SubmitForm":     true,
	"FileAttachment": true,
	"EmbeddedFile":   true,
	"RichMedia":      true,
}

// pdfConfig is pdfcpu's configuration for reading an upload. It is built
// here rather than taken from model.NewDefaultConfiguration, which creates a
// configuration directory in the user's home on first use. The limits are
// tightened to what a 10 MB upload can legitimately need.
func pdfConfig() *model.Configuration {
	limits := model.DefaultResourceLimits()
	limits.MaxStreamBytes = MaxDocumentBytes
	limits.MaxDecodeBytes = 64 << 20
	limits.MaxObjectCount = 1_000_000
	limits.MaxXRefEntries = 1_000_000
	limits.MaxObjectStreamCount = 100_000
	return &model.Configuration{
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Eol:                       types.EolLF,
		Cmd:                       model.VALIDATE,
		Limits:                    limits,
	}
}

// checkPDF accepts a PDF that parses, validates (relaxed, as most real files
// need) and carries no active content; the bytes are kept as they are.
func checkPDF(data []byte) (clean []byte, err error) {
	// A file that starts with anything else may be another format with a
	// PDF hidden inside (a polyglot); real PDFs start with their header.
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return nil, uploadError(keyUploadMalformed, nil)
	}
	// A file cut short (an interrupted download or copy) would be rebuilt by
	// pdfcpu's repair and accepted without its last pages; every complete PDF
	// ends with an end-of-file marker, give or take a little trailing junk.
	if !bytes.Contains(data[max(0, len(data)-1024):], []byte("%%EOF")) {
		return nil, uploadError(keyUploadMalformed, errors.New("pdf without end-of-file marker"))
	}
	// A parser bug hit by a hostile file must refuse the file, not take the
	// server down.
	defer func() {
		if r := recover(); r != nil {
			clean, err = nil, uploadError(keyUploadMalformed, fmt.Errorf("pdf parser panic: %v", r))
		}
	}()
	c, cancel := context.WithTimeout(context.Background(), pdfReadTimeout)
	defer cancel()
	ctx, err := pdfcpu.ReadWithContext(c, bytes.NewReader(data), pdfConfig())
	if err != nil {
		if pdfEncryptionError(err) {
			return nil, uploadError(keyPDFEncrypted, err)
		}
		return nil, uploadError(keyUploadMalformed, err)
	}
	// A file encrypted with an empty user password opens without one, but
	// its streams (and any script in them) are still ciphertext to us.
	if ctx.Encrypt != nil || ctx.E != nil {
		return nil, uploadError(keyPDFEncrypted, nil)
	}
	// Inspected before validation, which repairs and removes some entries
	// (an empty AcroForm with its XFA, for one) from the in-memory copy: what
	// is stored is the file as uploaded, so that is what must be inspected.
	if err := pdfInspect(c, ctx.XRefTable); err != nil {
		return nil, err
	}
	if err := validate.XRefTable(ctx); err != nil {
		return nil, uploadError(keyUploadMalformed, err)
	}
	if ctx.PageCount < 1 {
		return nil, uploadError(keyUploadMalformed, errors.New("pdf without pages"))
	}
	return data, nil
}

// pdfEncryptionError reports whether reading failed because the file is
// encrypted (with a password we do not have, or a scheme pdfcpu lacks).
func pdfEncryptionError(err error) bool {
	return errors.Is(err, pdfcpu.ErrWrongPassword) || errors.Is(err, pdfcpu.ErrEncrypted) ||
		strings.Contains(err.Error(), "encrypt")
}

// pdfInspect walks every object of the cross-reference table, those packed
// in object streams included (decoded here if pdfcpu left them lazy), and
// refuses the file at the first sign of active content. Every indirect object
// is an entry of the table, so walking the entries reaches everything a
// reader could reach, whatever refers to it (catalogue, name trees, pages,
// annotations, form fields, outlines).
func pdfInspect(c context.Context, xt *model.XRefTable) error {
	for nr, entry := range xt.Table {
		if entry == nil || entry.Free || entry.Object == nil {
			continue
		}
		if err := c.Err(); err != nil {
			return uploadError(keyUploadMalformed, err)
		}
		obj := entry.Object
		if lazy, ok := obj.(types.LazyObjectStreamObject); ok {
			decoded, err := lazy.DecodedObject(c)
			if err != nil {
				return uploadError(keyUploadMalformed, fmt.Errorf("object %d: %w", nr, err))
			}
			obj = decoded
		}
		if reason := pdfActive(obj, 0); reason != "" {
			return uploadError(keyPDFActive, fmt.Errorf("object %d: %s", nr, reason))
		}
	}
	return nil
}

// pdfActive returns what makes o active, "" when nothing does.
func pdfActive(o types.Object, depth int) string {
	if depth > pdfMaxDepth {
		return "nesting too deep"
	}
	switch o := o.(type) {
	case types.Dict:
		return pdfActiveDict(o, depth)
	case types.StreamDict:
		return pdfActiveDict(o.Dict, depth)
	case *types.StreamDict:
		return pdfActiveDict(o.Dict, depth)
	case types.ObjectStreamDict:
		if r := pdfActiveDict(o.Dict, depth); r != "" {
			return r
		}
		return pdfActive(o.ObjArray, depth+1)
	case *types.ObjectStreamDict:
		if r := pdfActiveDict(o.Dict, depth); r != "" {
			return r
		}
		return pdfActive(o.ObjArray, depth+1)
	case types.XRefStreamDict:
		return pdfActiveDict(o.Dict, depth)
	case *types.XRefStreamDict:
		return pdfActiveDict(o.Dict, depth)
	case types.Array:
		for _, v := range o {
			if r := pdfActive(v, depth+1); r != "" {
				return r
			}
		}
	case types.Name:
		if pdfActiveNames[pdfName(string(o))] {
			return "/" + string(o)
		}
	}
	return ""
}

func pdfActiveDict(d types.Dict, depth int) string {
	for k, v := range d {
		if pdfActiveKeys[pdfName(k)] {
			return "/" + k
		}
		if r := pdfActive(v, depth+1); r != "" {
			return r
		}
	}
	return ""
}

// pdfName decodes #xx escapes left in a name, so that /J#53 counts as /JS.
func pdfName(s string) string {
	if !strings.Contains(s, "#") {
		return s
	}
	if d, err := types.DecodeName(s); err == nil {
		return d
	}
	return s
}
