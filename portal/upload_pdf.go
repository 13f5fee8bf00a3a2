package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
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

// Limits of what checking one PDF may cost. A scanned or exported document
// keeps its pages' images and text in ordinary streams, which are never
// decoded here; what is decoded is the file's structure (object streams,
// cross-reference streams, XMP metadata), a few hundred kilobytes even for a
// thousand-page file. An object stream that inflates to megabytes is an
// attack (a compression bomb), not a document.
const (
	// pdfMaxStreamDecode bounds the decoded size of one structural stream.
	pdfMaxStreamDecode = 4 << 20
	// PDFFileDecodeBudget bounds the decoded bytes of all structural streams
	// of one file together.
	PDFFileDecodeBudget = 16 << 20
	// RequestDecodeBudget bounds the decoded bytes of all the PDFs of one
	// request together (a leak report carries several files).
	RequestDecodeBudget = 32 << 20
	// pdfMaxObjectStreams bounds the object streams of one file; a writer
	// packs about a hundred objects in each.
	pdfMaxObjectStreams = 2_000
	// pdfMaxObjectsPerStream bounds /N of one object stream.
	pdfMaxObjectsPerStream = 10_000
	// pdfMaxObjects bounds the cross-reference entries of one file.
	pdfMaxObjects = 200_000
	// pdfMaxNodes bounds the parsed values (dictionaries, arrays, names,
	// numbers …) of one file, so that megabytes of "0 0 0 …" cannot grow
	// into hundreds of megabytes of parsed objects.
	pdfMaxNodes = 1_000_000
	// pdfMaxTokens bounds the lexical tokens of the whole file, counted
	// before anything is parsed: the parser builds every uncompressed
	// object in memory (about 45 bytes a number), so a 10 MB file of
	// "0 0 0 …" or "/a/a/a…" would take hundreds of megabytes before the
	// value count could refuse it. Ten megabytes of compressed (random-
	// looking) data count about 1,020,000; two million tokens parse into
	// at most about 90 MB, and PDF checks run one at a time (pdfSlots).
	pdfMaxTokens = 2_000_000
)

// UploadBudget is what the content checks of one request may still decode.
// It is not safe for concurrent use; a request checks its files in turn.
type UploadBudget struct{ left int64 }

// NewUploadBudget is the budget of one request.
func NewUploadBudget() *UploadBudget { return &UploadBudget{left: RequestDecodeBudget} }

// pdfAutoActions are the action types refused when they run by themselves
// (in /OpenAction or an /AA additional-actions dictionary): they contact the
// network, run menu commands, or change what the document shows. The same
// action behind a link the reader clicks (a link annotation's /A) may stay.
var pdfAutoActions = map[string]bool{
	"URI":         true,
	"Named":       true,
	"Hide":        true,
	"SetOCGState": true,
}

// pdfConfig is pdfcpu's configuration for reading an upload. It is built
// here rather than taken from model.NewDefaultConfiguration, which creates a
// configuration directory in the user's home on first use. The limits are
// tightened to what a 10 MB upload can legitimately need.
func pdfConfig() *model.Configuration {
	limits := model.DefaultResourceLimits()
	limits.MaxStreamBytes = MaxDocumentBytes
	limits.MaxDecodeBytes = pdfMaxStreamDecode
	limits.MaxObjectCount = pdfMaxObjects
	limits.MaxXRefEntries = pdfMaxObjects
	limits.MaxObjectStreamCount = pdfMaxObjectsPerStream
	limits.MaxObjectStreamFirst = 1 << 20
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
// need) and carries no active content; the bytes are kept as they are. It
// runs in one of the PDF slots, as images run in decode slots, so that a
// burst of uploads checks a bounded number of files at once.
func checkPDF(data []byte, budget *UploadBudget) ([]byte, error) {
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
	if budget.left <= 0 {
		return nil, uploadError(keyPDFTooComplex, errors.New("request decode budget spent"))
	}
	if n := pdfTokens(data, pdfMaxTokens); n > pdfMaxTokens {
		return nil, uploadError(keyPDFTooComplex, fmt.Errorf("over %d tokens", pdfMaxTokens))
	}
	pdfSlots <- struct{}{}
	defer func() { <-pdfSlots }()
	return checkPDFSlot(data, budget)
}

// pdfSlots bounds how many PDFs are checked at once: half the processors,
// one on a small server, so that the worst a burst of hostile files can hold
// is a few times one file's budget (decoded bytes and parsed values), on top
// of the image decoders' own pool.
var pdfSlots = make(chan struct{}, max(1, runtime.NumCPU()/2))

func checkPDFSlot(data []byte, budget *UploadBudget) (clean []byte, err error) {
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
		if pdfLimitError(err) {
			return nil, uploadError(keyPDFTooComplex, err)
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
	// The inspection also enforces the decode budget, so that validation,
	// which decodes object streams and metadata and keeps them, decodes no
	// more than the budget allowed.
	in := &pdfInspector{c: c, xt: ctx.XRefTable, left: min(int64(PDFFileDecodeBudget), budget.left)}
	spentBefore := in.left
	err = in.inspect()
	budget.left -= spentBefore - in.left
	if err != nil {
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

// pdfLimitError reports whether reading stopped at one of the resource
// limits rather than at a malformed file.
func pdfLimitError(err error) bool {
	if errors.Is(err, filter.ErrDecodeLimitExceeded) {
		return true
	}
	m := err.Error()
	return strings.Contains(m, "exceeds limit") || strings.Contains(m, "limit exceeded")
}

// pdfEncryptionError reports whether reading failed because the file is
// encrypted (with a password we do not have, or a scheme pdfcpu lacks).
func pdfEncryptionError(err error) bool {
	return errors.Is(err, pdfcpu.ErrWrongPassword) || errors.Is(err, pdfcpu.ErrEncrypted) ||
		strings.Contains(err.Error(), "encrypt")
}

// pdfInspector walks every object of the cross-reference table, those
// packed in object streams included, and refuses the file at the first sign
// of active content. Every indirect object is an entry of the table, so
// walking the entries reaches everything a reader could reach, whatever
// refers to it (catalogue, name trees, pages, annotations, form fields,
// outlines). Object streams are decoded one at a time from a copy and
// dropped once inspected, within the decode budget (left).
type pdfInspector struct {
	c     context.Context
	xt    *model.XRefTable
	left  int64 // decoded bytes this file may still use
	nodes int   // parsed values seen
	// auto are the objects holding /OpenAction or /AA, checked at the end
	// with references resolved; metadata are the /Metadata streams, which
	// validation decodes.
	auto, metadata []int
	hasAuto        bool // set while walking an object
}

func (in *pdfInspector) inspect() error {
	var streams []int
	for nr, entry := range in.xt.Table {
		if entry == nil || entry.Free || entry.Object == nil {
			continue
		}
		if err := in.c.Err(); err != nil {
			return uploadError(keyUploadMalformed, err)
		}
		switch o := entry.Object.(type) {
		case types.LazyObjectStreamObject:
			continue // inspected with its object stream below
		case types.ObjectStreamDict:
			streams = append(streams, nr)
			if err := in.object(nr, o.Dict); err != nil {
				return err
			}
		default:
			if err := in.object(nr, o); err != nil {
				return err
			}
		}
	}
	if len(streams) > pdfMaxObjectStreams {
		return uploadError(keyPDFTooComplex, fmt.Errorf("%d object streams", len(streams)))
	}
	slices.Sort(streams)
	for _, nr := range streams {
		if err := in.objectStream(nr, in.xt.Table[nr].Object.(types.ObjectStreamDict)); err != nil {
			return err
		}
	}
	for _, nr := range in.metadata {
		if err := in.metadataStream(nr); err != nil {
			return err
		}
	}
	for _, nr := range in.auto {
		if err := in.automatic(nr); err != nil {
			return err
		}
	}
	return nil
}

// object inspects one parsed object.
func (in *pdfInspector) object(nr int, o types.Object) error {
	in.hasAuto = false
	if reason := in.active(o, 0); reason != "" {
		if reason == pdfTooComplex {
			return uploadError(keyPDFTooComplex, fmt.Errorf("object %d: over %d values", nr, pdfMaxNodes))
		}
		return uploadError(keyPDFActive, fmt.Errorf("object %d: %s", nr, reason))
	}
	if in.hasAuto {
		in.auto = append(in.auto, nr)
	}
	return nil
}

// objectStream decodes one object stream from a copy, within what is left
// of the budget, and inspects its objects; nothing of it is kept.
func (in *pdfInspector) objectStream(nr int, osd types.ObjectStreamDict) error {
	sd := osd.StreamDict
	sd.Content = nil
	limit := min(int64(pdfMaxStreamDecode), in.left)
	content, err := sd.DecodeLengthWithLimit(-1, limit)
	if err != nil {
		if errors.Is(err, filter.ErrDecodeLimitExceeded) {
			return uploadError(keyPDFTooComplex, fmt.Errorf("object stream %d: %w", nr, err))
		}
		return uploadError(keyUploadMalformed, fmt.Errorf("object stream %d: %w", nr, err))
	}
	in.left -= int64(len(content))
	first := osd.FirstObjOffset
	if first < 0 || first > len(content) {
		return uploadError(keyUploadMalformed, fmt.Errorf("object stream %d: bad /First", nr))
	}
	prolog := bytes.ReplaceAll(content[:first], []byte{0}, []byte{' '})
	if i := bytes.IndexByte(prolog, '%'); i >= 0 {
		prolog = prolog[:i]
	}
	fields := strings.Fields(string(prolog))
	if len(fields)%2 != 0 || len(fields)/2 > pdfMaxObjectsPerStream {
		return uploadError(keyUploadMalformed, fmt.Errorf("object stream %d: bad prolog", nr))
	}
	offsets := make([]int, 0, len(fields)/2+1)
	for i := 1; i < len(fields); i += 2 {
		off, err := strconv.Atoi(fields[i])
		if err != nil || off < 0 || first+off > len(content) || (len(offsets) > 0 && first+off < offsets[len(offsets)-1]) {
			return uploadError(keyUploadMalformed, fmt.Errorf("object stream %d: bad offset", nr))
		}
		offsets = append(offsets, first+off)
	}
	offsets = append(offsets, len(content))
	for i := 0; i+1 < len(offsets); i++ {
		objNr, err := strconv.Atoi(fields[2*i])
		if err != nil {
			return uploadError(keyUploadMalformed, fmt.Errorf("object stream %d: bad object number", nr))
		}
		text := string(content[offsets[i]:offsets[i+1]])
		o, err := model.ParseObjectContext(in.c, &text, 0)
		if err != nil {
			return uploadError(keyUploadMalformed, fmt.Errorf("object stream %d, object %d: %w", nr, objNr, err))
		}
		if err := in.object(objNr, o); err != nil {
			return err
		}
	}
	return nil
}

// metadataStream checks that a /Metadata stream, which validation decodes
// whole, decodes within the budget.
func (in *pdfInspector) metadataStream(nr int) error {
	entry, ok := in.xt.Table[nr]
	if !ok || entry == nil || entry.Free {
		return nil
	}
	sd, ok := entry.Object.(types.StreamDict)
	if !ok {
		return nil
	}
	sd.Content = nil
	content, err := sd.DecodeLengthWithLimit(-1, min(int64(pdfMaxStreamDecode), in.left))
	if errors.Is(err, filter.ErrDecodeLimitExceeded) {
		return uploadError(keyPDFTooComplex, fmt.Errorf("metadata %d: %w", nr, err))
	}
	in.left -= int64(len(content))
	return nil
}

// automatic checks the actions an object runs by itself: its /OpenAction
// and every action of its /AA dictionary, with their /Next chains,
// references resolved.
func (in *pdfInspector) automatic(nr int) error {
	o, err := in.xt.Dereference(types.IndirectRef{ObjectNumber: types.Integer(nr)})
	if err != nil {
		return uploadError(keyUploadMalformed, fmt.Errorf("object %d: %w", nr, err))
	}
	d, ok := pdfDict(o)
	if !ok {
		return nil
	}
	seen := map[int]bool{}
	for k, v := range d {
		switch pdfName(k) {
		case "OpenAction":
			if r := in.autoAction(v, seen, 0); r != "" {
				return uploadError(keyPDFActive, fmt.Errorf("object %d: /OpenAction %s", nr, r))
			}
		case "AA":
			triggers, _ := in.xt.Dereference(v)
			td, _ := pdfDict(triggers)
			for _, a := range td {
				if r := in.autoAction(a, seen, 0); r != "" {
					return uploadError(keyPDFActive, fmt.Errorf("object %d: /AA %s", nr, r))
				}
			}
		}
	}
	return nil
}

// autoAction returns the refused action type of an action run by itself,
// following /Next (a single action or an array of them).
func (in *pdfInspector) autoAction(o types.Object, seen map[int]bool, depth int) string {
	if depth > pdfMaxDepth {
		return "nesting too deep"
	}
	if ir, ok := o.(types.IndirectRef); ok {
		if seen[ir.ObjectNumber.Value()] {
			return ""
		}
		seen[ir.ObjectNumber.Value()] = true
		var err error
		if o, err = in.xt.Dereference(ir); err != nil {
			return "unreadable action"
		}
	}
	switch a := o.(type) {
	case types.Array:
		// /OpenAction may be a destination (an array, harmless); /Next may
		// be an array of actions.
		for _, v := range a {
			if _, isRef := v.(types.IndirectRef); isRef {
				// A destination's page reference: only a dictionary reached
				// through it is an action.
				if r := in.autoAction(v, seen, depth+1); r != "" {
					return r
				}
				continue
			}
			if _, isDict := v.(types.Dict); isDict {
				if r := in.autoAction(v, seen, depth+1); r != "" {
					return r
				}
			}
		}
	case types.Dict:
		if s, ok := a["S"].(types.Name); ok && pdfAutoActions[pdfName(string(s))] {
			return "/" + string(s)
		}
		if next, ok := a["Next"]; ok {
			return in.autoAction(next, seen, depth+1)
		}
	}
	return ""
}

func pdfDict(o types.Object) (types.Dict, bool) {
	switch d := o.(type) {
	case types.Dict:
		return d, true
	case types.StreamDict:
		return d.Dict, true
	case *types.StreamDict:
		return d.Dict, true
	}
	return nil, false
}

// pdfTooComplex is active's answer when the file has too many values.
const pdfTooComplex = "\x00too complex"

// active returns what makes o active, "" when nothing does; it counts the
// values it walks and notes /OpenAction, /AA and /Metadata on the way.
func (in *pdfInspector) active(o types.Object, depth int) string {
	if depth > pdfMaxDepth {
		return "nesting too deep"
	}
	if in.nodes++; in.nodes > pdfMaxNodes {
		return pdfTooComplex
	}
	switch o := o.(type) {
	case types.Dict:
		return in.activeDict(o, depth)
	case types.StreamDict:
		return in.activeDict(o.Dict, depth)
	case *types.StreamDict:
		return in.activeDict(o.Dict, depth)
	case types.ObjectStreamDict:
		return in.activeDict(o.Dict, depth)
	case *types.ObjectStreamDict:
		return in.activeDict(o.Dict, depth)
	case types.XRefStreamDict:
		return in.activeDict(o.Dict, depth)
	case *types.XRefStreamDict:
		return in.activeDict(o.Dict, depth)
	case types.Array:
		for _, v := range o {
			if r := in.active(v, depth+1); r != "" {
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

func (in *pdfInspector) activeDict(d types.Dict, depth int) string {
	for k, v := range d {
		name := pdfName(k)
		if pdfActiveKeys[name] {
			return "/" + k
		}
		switch name {
		case "OpenAction", "AA":
			in.hasAuto = true
		case "Metadata":
			if ir, ok := v.(types.IndirectRef); ok && len(in.metadata) < pdfMaxObjectStreams {
				in.metadata = append(in.metadata, ir.ObjectNumber.Value())
			}
		}
		if r := in.active(v, depth+1); r != "" {
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

// pdfTokens counts the file's lexical tokens, stopping past limit: every run
// of regular characters and every delimiter, stream data included (which
// overcounts, never under).
func pdfTokens(data []byte, limit int) int {
	n, inRun := 0, false
	for _, b := range data {
		switch b {
		case 0, '\t', '\n', '\f', '\r', ' ':
			inRun = false
		case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
			inRun = false
			n++
		default:
			if !inRun {
				inRun = true
				n++
			}
		}
		if n > limit {
			return n
		}
	}
	return n
}
