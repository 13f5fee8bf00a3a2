package portal

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"runtime"
)

// jpegQuality is the quality images are encoded again with: photographed
// documents stay legible and a re-encoded file is not much larger than the
// phone's own.
const jpegQuality = 90

// decodeSlots bounds how many images are decoded at once: one 40 megapixel
// photo takes over 100 MB while it is decoded, and a burst of uploads must not
// exhaust the server's memory.
var decodeSlots = make(chan struct{}, max(2, runtime.NumCPU()))

// withDecodeSlot runs f while holding one of the decode slots.
func withDecodeSlot[T any](f func() (T, error)) (T, error) {
	decodeSlots <- struct{}{}
	defer func() { <-decodeSlots }()
	return f()
}

// imageConfig reads an image's header and refuses a canvas too large to
// decode safely before any pixel is decoded.
func imageConfig(data []byte, decodeConfig func(*bytes.Reader) (image.Config, error)) error {
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return uploadError(keyUploadMalformed, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return uploadError(keyUploadMalformed, nil)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return uploadError(keyImageTooBig, nil)
	}
	return nil
}

// cleanJPEG decodes a JPEG and encodes its pixels again, which drops every
// APPn segment (EXIF with its GPS position, camera and time, XMP, ICC
// profiles, Photoshop IRB) and comments. The EXIF orientation is applied to
// the pixels first, so that a phone photo taken upright still shows upright
// once the tag is gone.
func cleanJPEG(data []byte) ([]byte, error) {
	if err := imageConfig(data, func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }); err != nil {
		return nil, err
	}
	return withDecodeSlot(func() ([]byte, error) {
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, uploadError(keyUploadMalformed, err)
		}
		img = orient(img, jpegOrientation(data))
		var out bytes.Buffer
		if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return nil, uploadError(keyUploadMalformed, err)
		}
		return out.Bytes(), nil
	})
}

// cleanPNG decodes a PNG and encodes its pixels again, which drops every
// ancillary chunk: tEXt, zTXt and iTXt (where XMP and other text live), eXIf,
// iCCP, tIME and anything private. Checksums are verified on the way.
func cleanPNG(data []byte) ([]byte, error) {
	if err := imageConfig(data, func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }); err != nil {
		return nil, err
	}
	return withDecodeSlot(func() ([]byte, error) {
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, uploadError(keyUploadMalformed, err)
		}
		var out bytes.Buffer
		if err := png.Encode(&out, img); err != nil {
			return nil, uploadError(keyUploadMalformed, err)
		}
		return out.Bytes(), nil
	})
}

// jpegOrientation reads the EXIF orientation (1 to 8) from a JPEG's APP1
// segment, 1 (as stored) when there is none or it cannot be read. Only the
// segments before the first scan are looked at.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD9 || marker == 0xDA: // end of image, start of scan
			return 1
		case marker >= 0xD0 && marker <= 0xD7 || marker == 0x01: // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			if o := exifOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		i += 2 + n
	}
	return 1
}

// exifOrientation reads tag 0x0112 of IFD0 of a TIFF structure, 0 when absent
// or out of range.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(tiff[2:]) != 42 {
		return 0
	}
	ifd := int(bo.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > len(tiff) {
		return 0
	}
	count := int(bo.Uint16(tiff[ifd:]))
	for k := 0; k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(tiff) {
			return 0
		}
		if bo.Uint16(tiff[e:]) == 0x0112 && bo.Uint16(tiff[e+2:]) == 3 { // SHORT
			if o := int(bo.Uint16(tiff[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 0
		}
	}
	return 0
}

// orient returns img turned and flipped as EXIF orientation o says it is to
// be shown.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			copy(dst.Pix[y*dst.Stride+4*x:y*dst.Stride+4*x+4], src.Pix[sy*src.Stride+4*sx:sy*src.Stride+4*sx+4])
		}
	}
	return dst
}
