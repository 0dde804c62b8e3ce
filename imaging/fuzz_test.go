package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/gif"
	"testing"
)

// FuzzOpen feeds arbitrary bytes to the guarded open: it must never panic,
// never decode more than the caps allow, and either refuse with a
// FileError or return a working image within bounds.
func FuzzOpen(f *testing.F) {
	small := quadrants(64, 48)
	jpg := encodeJPEG(f, small, 80)
	f.Add(jpg)
	f.Add(withOrientation(jpg, 6, binary.BigEndian))
	f.Add(withOrientation(jpg, 3, binary.LittleEndian))
	f.Add(jpg[:len(jpg)/2])
	f.Add(encodePNG(f, small))
	var g bytes.Buffer
	gif.Encode(&g, small, nil)
	f.Add(g.Bytes())
	f.Add(pngWith(50000, 50000, 1, 0, zeroDeflate(1000)))
	f.Add([]byte("%PDF-1.4"))
	f.Add([]byte("\x00\x00\x00\x18ftypheic"))

	// Small caps: a fuzzer-made header may ask for anything, and the point
	// is that nothing above them is ever allocated.
	guard := Guard{MaxFileBytes: 1 << 20, MaxSide: 2048, MaxPixels: 1 << 20, MaxProgressivePixels: 1 << 19, MaxScans: 16}
	lim := Limits{Formats: []string{mediaJPEG, mediaPNG, mediaGIF}, MaxBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, checks, err := OpenBytes(data, KindCertificate, lim, guard)
		// Decoded scaled down as the checks decode it (any JPEG of 32 px
		// or more is halved at least): refused exactly when the full-size
		// decode is, and the same picture to the checks' coordinates.
		ws, _, errScaled := openBytes(data, KindCertificate, lim, guard, 16)
		if (err == nil) != (errScaled == nil) {
			t.Fatalf("full-size open: %v; scaled: %v", err, errScaled)
		}
		if ws != nil {
			if ws.Width != w.Width || ws.Height != w.Height || ws.Orientation != w.Orientation {
				t.Fatalf("scaled open %d×%d (EXIF %d), full %d×%d (EXIF %d)", ws.Width, ws.Height, ws.Orientation, w.Width, w.Height, w.Orientation)
			}
			CheckDocument(ws, KindCertificate)
			ws.Original(image.Rect(0, 0, ws.Width, ws.Height), 8)
			// A region asking for every pixel: decoded again at full size.
			ws.Original(image.Rect(1, 1, ws.Width/2+2, ws.Height/2+2), 0)
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("in-memory open gave a non-file error: %v", err)
			}
			if fe.Check.Verdict != Fail || fe.Check.ZH == "" || fe.Check.EN == "" {
				t.Fatalf("refusal without a message: %+v", fe.Check)
			}
			if Worst(checks) != Fail {
				t.Fatalf("refused but checks %+v", checks)
			}
			return
		}
		b := w.Img.Rect
		if b.Dx() > WorkingSide || b.Dy() > WorkingSide || int64(w.Width)*int64(w.Height) > guard.MaxPixels {
			t.Fatalf("working %v of %d×%d beyond the caps", b, w.Width, w.Height)
		}
		if w.Orientation < 1 || w.Orientation > 8 {
			t.Fatalf("orientation %d", w.Orientation)
		}
		// The checks that follow must cope with whatever decoded.
		CheckDocument(w, KindCertificate)
	})
}
