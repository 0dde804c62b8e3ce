package imaging

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	dimg "github.com/disintegration/imaging"
)

var limitsJPEGPNG = Limits{RuleID: "test", Formats: []string{mediaJPEG, mediaPNG}, MaxBytes: 4 << 20}
var limitsWithGIF = Limits{RuleID: "test", Formats: []string{mediaJPEG, mediaPNG, mediaGIF}, Discouraged: []string{mediaGIF}, MaxBytes: 4 << 20}

// quadrants is a w×h picture whose four quadrants are red, green, blue and
// white (top left, top right, bottom left, bottom right): any turn or flip
// moves the colours somewhere else.
func quadrants(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := [4]color.NRGBA{{220, 20, 20, 255}, {20, 200, 20, 255}, {20, 20, 220, 255}, {245, 245, 245, 255}}[2*(2*y/h)+2*x/w]
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withOrientation inserts an APP1 EXIF segment holding only the
// orientation tag right after the JPEG's SOI, as a camera writes it.
func withOrientation(jpg []byte, o int, order binary.ByteOrder) []byte {
	var tiff bytes.Buffer
	if order == binary.LittleEndian {
		tiff.WriteString("II")
	} else {
		tiff.WriteString("MM")
	}
	w16 := func(v uint16) { binary.Write(&tiff, order, v) }
	w32 := func(v uint32) { binary.Write(&tiff, order, v) }
	w16(42)
	w32(8)
	w16(2)                           // two entries: a harmless one first, then orientation
	w16(0x010f)                      // Make
	w16(2)                           // ASCII
	w32(4)                           // count
	tiff.Write([]byte("Go\x00\x00")) // fits in the value field
	w16(0x0112)
	w16(3)
	w32(1)
	w16(uint16(o))
	w16(0)
	w32(0) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xff, 0xd8, 0xff, 0xe1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func meanColour(img *image.NRGBA, r image.Rectangle) [3]float64 {
	var s [3]float64
	n := 0.0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := img.NRGBAAt(x, y)
			s[0] += float64(p.R)
			s[1] += float64(p.G)
			s[2] += float64(p.B)
			n++
		}
	}
	return [3]float64{s[0] / n, s[1] / n, s[2] / n}
}

// dominant names the quadrant colour a mean colour is closest to.
func dominant(c [3]float64) string {
	switch {
	case c[0] > 180 && c[1] > 180 && c[2] > 180:
		return "W"
	case c[0] > c[1] && c[0] > c[2]:
		return "R"
	case c[1] > c[0] && c[1] > c[2]:
		return "G"
	default:
		return "B"
	}
}

func TestOpenAppliesEXIFOrientation(t *testing.T) {
	// Stored TL,TR,BL,BR = R,G,B,W; what each orientation shows, worked out
	// from the EXIF specification's pictures, not from our code.
	want := map[int]string{1: "RGBW", 2: "GRWB", 3: "WBGR", 4: "BWRG", 5: "RBGW", 6: "BRWG", 7: "WGBR", 8: "GWRB"}
	src := encodeJPEG(t, quadrants(1500, 1000), 95)
	for o := 1; o <= 8; o++ {
		for _, order := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			data := withOrientation(src, o, order)
			w, checks, err := OpenBytes(data, KindIDFront, limitsJPEGPNG, DefaultGuard)
			if err != nil {
				t.Fatalf("o=%d: %v", o, err)
			}
			if w.Orientation != o {
				t.Errorf("o=%d: read orientation %d", o, w.Orientation)
			}
			wantW, wantH := 1500, 1000
			if o >= 5 {
				wantW, wantH = 1000, 1500
			}
			if w.Width != wantW || w.Height != wantH {
				t.Errorf("o=%d: original %d×%d, want %d×%d", o, w.Width, w.Height, wantW, wantH)
			}
			b := w.Img.Rect
			if max(b.Dx(), b.Dy()) != WorkingSide || (b.Dx() > b.Dy()) != (wantW > wantH) {
				t.Errorf("o=%d: working image %v", o, b)
			}
			q := func(img *image.NRGBA, i int) string {
				r := img.Rect
				cw, ch := r.Dx()/2, r.Dy()/2
				x0, y0 := (i%2)*cw, (i/2)*ch
				return dominant(meanColour(img, image.Rect(x0+cw/4, y0+ch/4, x0+3*cw/4, y0+3*ch/4)))
			}
			got := q(w.Img, 0) + q(w.Img, 1) + q(w.Img, 2) + q(w.Img, 3)
			if got != want[o] {
				t.Errorf("o=%d (%v): working quadrants %s, want %s", o, order, got, want[o])
			}
			// Original crops in shown coordinates must agree with the
			// working image, whatever the orientation.
			for i := range 4 {
				cw, ch := w.Width/2, w.Height/2
				r := image.Rect((i%2)*cw, (i/2)*ch, (i%2+1)*cw, (i/2+1)*ch).Inset(cw / 4)
				crop := w.Original(r, 64)
				if d := dominant(meanColour(crop, crop.Rect)); d != want[o][i:i+1] {
					t.Errorf("o=%d: Original quadrant %d is %s, want %s", o, i, d, want[o][i:i+1])
				}
				if max(crop.Rect.Dx(), crop.Rect.Dy()) > 64 {
					t.Errorf("o=%d: Original crop %v exceeds 64 px", o, crop.Rect)
				}
			}
			wantV, wantFix := Pass, ""
			if o != 1 {
				wantV, wantFix = Warn, FixRotate
			}
			if Worst(checks) != wantV || checks[len(checks)-1].Fix != wantFix {
				t.Errorf("o=%d: file checks %+v, want %v with fix %q", o, checks, wantV, wantFix)
			}
		}
	}
}

func TestOpenRefusesUnsupported(t *testing.T) {
	cases := []struct {
		name, data, measured, hint string
	}{
		{"heic", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC", "JPG"},
		{"avif", "\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "AVIF", "JPG"},
		{"webp", "RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00", "WebP", "JPG"},
		{"tiff-le", "II*\x00\x08\x00\x00\x00", "TIFF", "JPG"},
		{"tiff-be", "MM\x00*\x00\x00\x00\x08", "TIFF", "JPG"},
		{"bmp", "BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", "BMP", "JPG"},
		{"pdf renamed", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF", "PDF"},
		{"svg", "<?xml version=\"1.0\"?><svg xmlns=", "SVG", "JPG"},
		{"zip", "PK\x03\x04\x14\x00\x00\x00", "ZIP/Office", "JPG"},
		{"text", "hello, this is not an image", "?", "JPG"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "scan.jpg") // the name lies; the bytes decide
			if err := os.WriteFile(p, []byte(c.data), 0o644); err != nil {
				t.Fatal(err)
			}
			w, checks, err := Open(p, KindIDFront, limitsJPEGPNG)
			var fe *FileError
			if !errors.As(err, &fe) || w != nil {
				t.Fatalf("got %v, %v; want a FileError", w, err)
			}
			if fe.Check.ID != "file.format" || fe.Check.Verdict != Fail || fe.Check.Measured != c.measured {
				t.Errorf("check %+v, want file.format fail measured %q", fe.Check, c.measured)
			}
			if !strings.Contains(fe.Check.EN, c.hint) || !strings.Contains(fe.Check.ZH, c.hint) {
				t.Errorf("message lacks %q: %q / %q", c.hint, fe.Check.ZH, fe.Check.EN)
			}
			if len(checks) != 1 || checks[0].ID != fe.Check.ID {
				t.Errorf("checks %+v should hold the refusal", checks)
			}
		})
	}
}

func TestOpenCorruptAndTruncated(t *testing.T) {
	jpg := encodeJPEG(t, quadrants(400, 300), 90)
	pngData := encodePNG(t, quadrants(400, 300))
	// A JPEG whose Huffman table is garbage: find DHT and scramble it.
	badHuff := bytes.Clone(jpg)
	i := bytes.Index(badHuff, []byte{0xff, 0xc4})
	for k := i + 5; k < i+21; k++ {
		badHuff[k] = 0xff
	}
	// A PNG whose IDAT CRC is wrong.
	badCRC := bytes.Clone(pngData)
	j := bytes.Index(badCRC, []byte("IDAT"))
	badCRC[j+8] ^= 0x55
	cases := []struct {
		name  string
		data  []byte
		wantZ string // a word of the expected Chinese message
		wantE string
	}{
		{"jpeg truncated", jpg[:len(jpg)*6/10], "不完整", "truncated"},
		{"png truncated", pngData[:len(pngData)*6/10], "不完整", "truncated"},
		{"jpeg header only", jpg[:40], "不完整", "truncated"},
		{"jpeg bad huffman", badHuff, "损坏", "corrupt"},
		{"png bad crc", badCRC, "损坏", "corrupt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := OpenBytes(c.data, KindIDFront, limitsJPEGPNG, DefaultGuard)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FileError", err)
			}
			if fe.Check.ID != "file.decode" || !strings.Contains(fe.Check.ZH, c.wantZ) || !strings.Contains(fe.Check.EN, c.wantE) {
				t.Errorf("got %q / %q, want %q / %q", fe.Check.ZH, fe.Check.EN, c.wantZ, c.wantE)
			}
			if !strings.Contains(fe.Check.EN, "JPG") {
				t.Errorf("no fix in %q", fe.Check.EN)
			}
		})
	}
}

// pngChunk frames data as a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

func pngWith(w, h uint32, depth, colourType byte, idat []byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colourType, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", idat)...)
	return append(out, pngChunk("IEND", nil)...)
}

// zeroDeflate is a zlib stream that inflates to n zero bytes, written by
// hand with fixed Huffman codes (one literal, then matches of 258 at
// distance 1) so that building a gigabyte bomb costs milliseconds.
func zeroDeflate(n int) []byte {
	var out []byte
	var acc uint64
	var bits uint
	put := func(v uint64, nb uint) { // LSB first
		acc |= v << bits
		bits += nb
		for bits >= 8 {
			out = append(out, byte(acc))
			acc >>= 8
			bits -= 8
		}
	}
	code := func(c uint64, nb uint) { // Huffman codes go MSB first
		var r uint64
		for i := range nb {
			r |= (c >> i & 1) << (nb - 1 - i)
		}
		put(r, nb)
	}
	out = append(out, 0x78, 0x01)
	put(1, 1) // BFINAL
	put(1, 2) // fixed Huffman
	lit0 := func() { code(0x30, 8) }
	lit0()
	left := n - 1
	for left >= 258 {
		code(0xc5, 8) // length code 285 = 258
		code(0, 5)    // distance code 0 = 1
		left -= 258
	}
	for range left {
		lit0()
	}
	code(0, 7) // end of block
	if bits > 0 {
		put(0, 8-bits)
	}
	// Adler-32 of n zeros: a = 1, b = n·1.
	return binary.BigEndian.AppendUint32(out, uint32(n%65521)<<16|1)
}

func TestOpenRefusesBombsBeforeAllocating(t *testing.T) {
	// 1. The header claims 50 000 × 50 000 RGBA (10 GB); four real rows.
	rows := make([]byte, 4*(1+4*50000))
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(rows)
	zw.Close()
	claims := pngWith(50000, 50000, 8, 6, z.Bytes())

	// 2. A valid 1-bit 50 000 × 50 000 PNG of zero rows: the stream really
	// inflates to 312 MB of rows, an image.Gray of 2.5 GB.
	const rowBytes = 1 + 50000/8
	inflates := pngWith(50000, 50000, 1, 0, zeroDeflate(50000*rowBytes))

	for _, c := range []struct {
		name string
		data []byte
	}{{"header claims 50000x50000", claims}, {"inflates to gigabytes", inflates}} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			w, checks, err := OpenBytes(c.data, KindIDFront, limitsJPEGPNG, DefaultGuard)
			runtime.ReadMemStats(&after)
			var fe *FileError
			if !errors.As(err, &fe) || w != nil {
				t.Fatalf("got %v, %v; want a refusal", w, err)
			}
			if fe.Check.ID != "file.decode" || fe.Check.Measured != "50000×50000" {
				t.Errorf("refusal %+v", fe.Check)
			}
			if Worst(checks) != Fail {
				t.Errorf("checks %+v", checks)
			}
			// Headers and a bufio buffer only: no pixel buffer was made.
			alloc := after.TotalAlloc - before.TotalAlloc
			if alloc > 1<<20 {
				t.Errorf("allocated %d bytes while refusing", alloc)
			}
			t.Logf("%d bytes of file claiming %s: refused, %d bytes allocated", len(c.data), fe.Check.Measured, alloc)
		})
	}
	if testing.Short() {
		return
	}
	// The bomb must be real, or the test above proves nothing: its stream
	// inflates to every row (read without keeping anything).
	zr, err := zlib.NewReader(bytes.NewReader(inflates[bytes.Index(inflates, []byte("IDAT"))+4:]))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, zr)
	if err != nil || n != 50000*rowBytes {
		t.Fatalf("bomb inflates to %d bytes (%v), want %d", n, err, 50000*rowBytes)
	}
	if len(inflates) > 3<<20 {
		t.Errorf("the bomb is %d bytes; it should be small", len(inflates))
	}
}

func TestOpenProgressiveCap(t *testing.T) {
	jpg := encodeJPEG(t, quadrants(1200, 1000), 90)
	prog := bytes.Clone(jpg)
	i := bytes.Index(prog, []byte{0xff, 0xc0})
	prog[i+1] = 0xc2 // mark the frame progressive; the cap acts on the header
	g := DefaultGuard
	g.MaxProgressivePixels = 1_000_000
	_, _, err := OpenBytes(prog, KindIDFront, limitsJPEGPNG, g)
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Check.EN, "progressive") {
		t.Fatalf("err = %v, want the progressive cap", err)
	}
	if _, _, err := OpenBytes(jpg, KindIDFront, limitsJPEGPNG, g); err != nil {
		t.Fatalf("baseline of the same size refused: %v", err)
	}
}

func TestOpenFormatAndSizeChecks(t *testing.T) {
	img := quadrants(300, 200)
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	jpg := encodeJPEG(t, img, 90)
	cases := []struct {
		name       string
		data       []byte
		lim        Limits
		wantFormat Verdict
		wantSize   Verdict
		fix        string
	}{
		{"jpeg accepted", jpg, limitsJPEGPNG, Pass, Pass, ""},
		{"png accepted", encodePNG(t, img), limitsJPEGPNG, Pass, Pass, ""},
		{"gif where allowed but discouraged", gifBuf.Bytes(), limitsWithGIF, Warn, Pass, FixToJPEG},
		{"gif where not allowed", gifBuf.Bytes(), limitsJPEGPNG, Fail, Pass, FixToJPEG},
		{"over the limit", jpg, Limits{Formats: []string{mediaJPEG}, MaxBytes: int64(len(jpg))}, Pass, Fail, FixFitSize},
		{"under the minimum", jpg, Limits{Formats: []string{mediaJPEG}, MaxBytes: 4 << 20, MinBytes: 200 << 10}, Pass, Fail, ""},
		{"no limits given: JPEG/PNG", jpg, Limits{}, Pass, Pass, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, checks, err := OpenBytes(c.data, KindIDFront, c.lim, DefaultGuard)
			if err != nil {
				t.Fatal(err)
			}
			if w.Img == nil || w.Width != 300 || w.Height != 200 || w.Scale != 1 {
				t.Fatalf("working %+v", w)
			}
			got := map[string]Check{}
			for _, c := range checks {
				got[c.ID] = c
			}
			if got["file.format"].Verdict != c.wantFormat || got["file.size"].Verdict != c.wantSize {
				t.Errorf("format %v size %v, want %v %v", got["file.format"].Verdict, got["file.size"].Verdict, c.wantFormat, c.wantSize)
			}
			fixes := got["file.format"].Fix + got["file.size"].Fix
			if fixes != c.fix {
				t.Errorf("fix %q, want %q", fixes, c.fix)
			}
			for _, ck := range checks {
				if ck.ZH == "" || ck.EN == "" {
					t.Errorf("%s lacks a message", ck.ID)
				}
			}
		})
	}
}

func TestOpenEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jpg")
	os.WriteFile(empty, nil, 0o644)
	_, _, err := Open(empty, KindIDFront, limitsJPEGPNG)
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Check.EN, "empty") {
		t.Errorf("empty file: %v", err)
	}
	_, _, err = Open(filepath.Join(dir, "missing.jpg"), KindIDFront, limitsJPEGPNG)
	if !errors.Is(err, os.ErrNotExist) || errors.As(err, &fe) {
		t.Errorf("missing file: %v, want the os error", err)
	}
}

// TestReduceMatchesBoxFilter holds the hand-written reducer to
// disintegration/imaging's Box resize on every decoded type it handles.
func TestReduceMatchesBoxFilter(t *testing.T) {
	src := testPhotoLike(1300, 900)
	jpgImg, _ := jpeg.Decode(bytes.NewReader(encodeJPEG(t, src, 92)))
	rgba := image.NewRGBA(src.Rect)
	for i := range rgba.Pix {
		rgba.Pix[i] = src.Pix[i]
	}
	gray := image.NewGray(src.Rect)
	for i := range gray.Pix {
		gray.Pix[i] = src.Pix[4*i+1]
	}
	for _, c := range []struct {
		name string
		img  image.Image
	}{{"ycbcr", jpgImg}, {"nrgba", src}, {"rgba", rgba}, {"gray", gray},
		{"ycbcr sub-image", jpgImg.(*image.YCbCr).SubImage(image.Rect(101, 57, 1201, 857))}} {
		t.Run(c.name, func(t *testing.T) {
			got := reduce(c.img, 512)
			b := c.img.Bounds()
			ow, oh := fitSide(b.Dx(), b.Dy(), 512)
			want := dimg.Resize(c.img, ow, oh, dimg.Box)
			if got.Rect != want.Rect {
				t.Fatalf("size %v, want %v", got.Rect, want.Rect)
			}
			var sum float64
			for i := range got.Pix {
				d := float64(got.Pix[i]) - float64(want.Pix[i])
				sum += d * d
			}
			if rmse := sum / float64(len(got.Pix)); rmse > 9 { // mean squared error: within 3 levels
				t.Errorf("mean squared difference %.1f", rmse)
			}
		})
	}
	if small := reduce(quadrants(300, 200), 1024); small.Rect.Dx() != 300 {
		t.Errorf("a small image was resized to %v; it must never be upscaled", small.Rect)
	}
}

// testPhotoLike is a deterministic picture with smooth detail (periods of
// tens of pixels), where two box filters whose windows differ by a pixel
// must still agree.
func testPhotoLike(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			r := 128 + 90*math.Sin(fx/23)*math.Cos(fy/31)
			g := 40 + 170*fx/float64(w)
			b := 128 + 80*math.Sin((fx+fy)/47)
			img.SetNRGBA(x, y, color.NRGBA{uint8(r), uint8(g), uint8(b), 255})
		}
	}
	return img
}

func TestOpenRefusesScanBombs(t *testing.T) {
	jpg := encodeJPEG(t, quadrants(200, 150), 90)
	i := bytes.Index(jpg, []byte{0xff, 0xda})
	// Many extra scan headers before the real one (the cap acts before
	// decoding, so they need not be valid).
	var bomb []byte
	bomb = append(bomb, jpg[:i]...)
	for range 150 {
		bomb = append(bomb, 0xff, 0xff, 0xda, 0x00, 0x02)
	}
	bomb = append(bomb, jpg[i:]...)
	var fe *FileError
	if _, _, err := OpenBytes(bomb, KindIDFront, limitsJPEGPNG, DefaultGuard); !errors.As(err, &fe) || fe.Check.Measured != "151 scans" {
		t.Fatalf("err = %v", err)
	}
	if got := countScans(bytes.NewReader(jpg)); got != 1 {
		t.Errorf("a baseline JPEG has %d scans, want 1", got)
	}
	t.Logf("a JPEG of %s: refused before decoding", fe.Check.Measured)
}
