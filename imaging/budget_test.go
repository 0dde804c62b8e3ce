package imaging

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// flatPNG is a side×side PNG of one colour in model m, compressed hard: a
// 7000×7000 16-bit RGBA one is 381 KB and decodes to 392 MB.
func flatPNG(t testing.TB, side int, m color.Model) []byte {
	t.Helper()
	r := image.Rect(0, 0, side, side)
	var img image.Image
	switch m {
	case color.RGBA64Model:
		img = image.NewRGBA64(r)
	case color.Gray16Model:
		img = image.NewGray16(r)
	case color.NRGBAModel:
		img = image.NewNRGBA(r)
	default:
		img = image.NewGray(r)
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var png16x7000 = sync.OnceValue(func() []byte { return flatPNG(&testing.T{}, 7000, color.RGBA64Model) })

// TestDecodeBudgetInBytes: the guard budgets the bytes a decode takes, not
// the pixels. A 16-bit 7000×7000 PNG is under the pixel cap but needs
// 392 MB: refused from its header, with next to no allocation and a
// message naming the memory; the same pixels in 8-bit grey (49 MB) and a
// small 16-bit image are decoded.
func TestDecodeBudgetInBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes 49 MP images")
	}
	cases := []struct {
		name   string
		data   []byte
		refuse bool
	}{
		{"16-bit RGBA 7000×7000", png16x7000(), true},
		{"16-bit grey 7000×7000 (98 MB)", flatPNG(t, 7000, color.Gray16Model), false},
		{"8-bit grey 7000×7000", flatPNG(t, 7000, color.GrayModel), false},
		{"16-bit RGBA 1000×1000", flatPNG(t, 1000, color.RGBA64Model), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			w, checks, err := OpenBytes(c.data, KindIDFront, limitsJPEGPNG, DefaultGuard)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			if !c.refuse {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				w.Release()
				t.Logf("%d bytes of file: decoded, %d bytes allocated", len(c.data), alloc)
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) || w != nil {
				t.Fatalf("got %v; want a refusal", err)
			}
			if fe.Check.ID != "file.decode" || fe.Check.Measured != "373.84 MB" || Worst(checks) != Fail ||
				!strings.Contains(fe.Check.ZH, "16 位色深") || !strings.Contains(fe.Check.EN, "16 bits a channel") {
				t.Errorf("refusal %+v", fe.Check)
			}
			if alloc > 1<<20 {
				t.Errorf("allocated %d bytes while refusing", alloc)
			}
			t.Logf("%d bytes of file needing %s: refused, %d bytes allocated", len(c.data), fe.Check.Measured, alloc)
		})
	}
}

// TestDecodeBytesEstimate: the estimate follows the decoders: subsampled
// chroma, progressive coefficients, interlaced PNG passes.
func TestDecodeBytesEstimate(t *testing.T) {
	cfg := func(m color.Model) image.Config { return image.Config{ColorModel: m, Width: 1000, Height: 1000} }
	yuv420 := []jpegComponent{{2, 2}, {1, 1}, {1, 1}}
	cases := []struct {
		name             string
		cfg              image.Config
		frame            []jpegComponent
		prog, interlaced bool
		want             int64
	}{
		{"JPEG 4:2:0", cfg(color.YCbCrModel), yuv420, false, false, 1_500_000},
		{"JPEG 4:2:0 progressive", cfg(color.YCbCrModel), yuv420, true, false, 7_500_000},
		{"JPEG grey", cfg(color.GrayModel), []jpegComponent{{1, 1}}, false, false, 1_000_000},
		{"JPEG, frame unread", cfg(color.YCbCrModel), nil, false, false, 3_000_000},
		{"JPEG CMYK", cfg(color.CMYKModel), []jpegComponent{{1, 1}, {1, 1}, {1, 1}, {1, 1}}, false, false, 4_000_000},
		{"PNG 8-bit RGBA", cfg(color.NRGBAModel), nil, false, false, 4_000_000},
		{"PNG 16-bit RGBA", cfg(color.RGBA64Model), nil, false, false, 8_000_000},
		{"PNG 16-bit RGBA interlaced", cfg(color.NRGBA64Model), nil, false, true, 16_000_000},
		{"PNG 16-bit grey", cfg(color.Gray16Model), nil, false, false, 2_000_000},
		{"PNG palette", cfg(color.Palette{color.Black, color.White}), nil, false, false, 1_000_000},
	}
	for _, c := range cases {
		if got := decodeBytes(c.cfg, c.frame, c.prog, c.interlaced); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	// The frame is read from a real file.
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewYCbCr(image.Rect(0, 0, 64, 48), image.YCbCrSubsampleRatio420), nil); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(jpegFrame(bufio.NewReader(bytes.NewReader(b.Bytes())))); got != "[{2 2} {1 1} {1 1}]" {
		t.Errorf("frame %s", got)
	}
}

// BenchmarkDecodeBudget: bytes allocated opening the 381 KB 16-bit
// 7000×7000 PNG with the pixel caps only (the guard before issue 15: the
// baseline) and with the byte budget; and an ordinary 8-bit grey image
// of the same size for scale. go test ./imaging -run '^$' -bench DecodeBudget
func BenchmarkDecodeBudget(b *testing.B) {
	pixelsOnly := DefaultGuard
	pixelsOnly.MaxDecodeBytes = 0
	grey := flatPNG(b, 7000, color.GrayModel)
	for _, c := range []struct {
		name string
		data []byte
		g    Guard
	}{
		{"png16-7000-pixel-caps-only", png16x7000(), pixelsOnly},
		{"png16-7000-byte-budget", png16x7000(), DefaultGuard},
		{"grey8-7000-byte-budget", grey, DefaultGuard},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if w, _, err := OpenBytes(c.data, KindIDFront, limitsJPEGPNG, c.g); err == nil {
					w.Release()
				}
			}
		})
	}
}
