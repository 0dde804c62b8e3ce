package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	dimg "github.com/disintegration/imaging"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// The scans the compose tests stitch, made once: an ID card in the corner
// of a 300 dpi A4 flatbed scan (the empty bed is trimmed away), the same
// scan stored turned a quarter with EXIF orientation 6 (shown upright),
// a 150 dpi A4 page filling its scan, and a card photographed too small.
var composeScans = sync.OnceValue(func() map[string][]byte {
	card := testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.Flatbed, DPI: 300, Seed: 3})
	page := testgen.Document(testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 1240, Seed: 5})
	small := testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.Scanner, W: 600, Seed: 8})
	enc := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
			panic(err)
		}
		return b.Bytes()
	}
	// Orientation 6: the stored pixels are the upright picture turned a
	// quarter anticlockwise; the viewer turns them clockwise.
	return map[string][]byte{
		"card.jpg":       enc(card),
		"card-exif6.jpg": withOrientation(enc(dimg.Rotate90(card)), 6, binary.BigEndian),
		"page.jpg":       enc(page),
		"small-card.jpg": enc(small),
	}
})

// composeFiles writes the named scans into a temporary directory.
func composeFiles(t testing.TB, names ...string) []ComposePart {
	t.Helper()
	dir := t.TempDir()
	var parts []ComposePart
	for _, n := range names {
		parts = append(parts, ComposePart{Path: writeFile(t, dir, n, composeScans()[n])})
	}
	return parts
}

var alibabaLimits = Limits{RuleID: "upload.default", Formats: []string{mediaJPEG, mediaPNG}, MaxBytes: 4 << 20}

func TestComposeLayout(t *testing.T) {
	for _, c := range []struct {
		name  string
		sizes []image.Point
		grid  bool
		rects []image.Rectangle
		size  image.Point
	}{
		{"stacked, centred", []image.Point{{100, 50}, {60, 80}}, false,
			[]image.Rectangle{image.Rect(10, 10, 110, 60), image.Rect(30, 70, 90, 150)}, image.Pt(120, 160)},
		{"grid of two is one row", []image.Point{{100, 50}, {60, 80}}, true,
			[]image.Rectangle{image.Rect(10, 25, 110, 75), image.Rect(120, 10, 180, 90)}, image.Pt(190, 100)},
		{"grid of three is two by two", []image.Point{{100, 50}, {60, 80}, {40, 40}}, true,
			[]image.Rectangle{image.Rect(10, 25, 110, 75), image.Rect(120, 10, 180, 90), image.Rect(40, 100, 80, 140)}, image.Pt(190, 150)},
	} {
		t.Run(c.name, func(t *testing.T) {
			rects, size := composeLayout(c.sizes, c.grid, 10)
			if size != c.size {
				t.Errorf("canvas %v, want %v", size, c.size)
			}
			for i := range rects {
				if rects[i] != c.rects[i] {
					t.Errorf("part %d at %v, want %v", i+1, rects[i], c.rects[i])
				}
			}
		})
	}
}

// decodeComposite decodes a composition's JPEG and checks its size.
func decodeComposite(t *testing.T, c *Composition, lim Limits) image.Image {
	t.Helper()
	if lim.MaxBytes > 0 && int64(len(c.JPEG)) >= lim.MaxBytes {
		t.Fatalf("composite %d bytes, limit %d", len(c.JPEG), lim.MaxBytes)
	}
	img, err := jpeg.Decode(bytes.NewReader(c.JPEG))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != c.Width || b.Dy() != c.Height {
		t.Fatalf("JPEG is %v, composition says %d×%d", b, c.Width, c.Height)
	}
	return img
}

// TestComposeGolden stitches generated scans and checks what the window
// and the reviewer rely on: each part's place and size, the parts apart
// and inside the picture, the card trimmed to itself, the EXIF-turned
// scan upright and the same as the upright one, the JPEG under the limit
// and the parts' own reports kept. Sizes, not pixel hashes: the encoder
// may change between Go versions.
func TestComposeGolden(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []string
		grid  bool
		// want: each part's size in the composite, ±tol px.
		want []image.Point
		size image.Point
	}{
		// A card is 1 011 × 638 px at 300 dpi, plus the trim's pad (1.5 %
		// of its long side, 5 working px, 17 px) all round but where the
		// bed's edge, 12 px away, comes first; a 150 dpi A4 page is
		// 1 240 × 1 754, reduced to 1 600 px long.
		{"card and page stacked", []string{"card.jpg", "page.jpg"}, false,
			[]image.Point{{1045, 671}, {1122, 1600}}, image.Pt(1170, 2343)},
		{"card turned by EXIF and page in a grid", []string{"card-exif6.jpg", "page.jpg"}, true,
			[]image.Point{{1041, 671}, {1122, 1600}}, image.Pt(2235, 1648)},
		{"card, card turned, page", []string{"card.jpg", "card-exif6.jpg", "page.jpg"}, false,
			[]image.Point{{1045, 671}, {1041, 671}, {1122, 1600}}, image.Pt(1170, 3038)},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts := composeFiles(t, c.files...)
			// Unnamed, the first part is the slot's kind and the others
			// supporting pages; a card among them says so.
			want := make([]Kind, len(parts))
			for i, f := range c.files {
				want[i] = KindAuthorisationLetter
				if strings.HasPrefix(f, "card") {
					want[i] = KindIDFront
					if i > 0 {
						parts[i].Kind = KindIDFront
					}
				}
			}
			res, err := Compose(parts, ComposeOptions{Kind: KindIDFront, Limits: alibabaLimits, Grid: c.grid})
			if err != nil {
				t.Fatal(err)
			}
			img := decodeComposite(t, res, alibabaLimits)
			for _, p := range res.Parts {
				t.Logf("%s: %v at %v, own check %v", p.Name, p.Rect.Size(), p.Rect.Min, p.Report.Verdict)
			}
			t.Logf("composite %d×%d, q%d, %d KB, checked as %s: %v", res.Width, res.Height, res.Quality, len(res.JPEG)>>10, res.Report.Kind, res.Report.Verdict)
			const tol = 12
			if d := image.Pt(res.Width, res.Height).Sub(c.size); abs(d.X) > 2*tol || abs(d.Y) > 2*tol {
				t.Errorf("composite %d×%d, want about %v", res.Width, res.Height, c.size)
			}
			frame := image.Rect(0, 0, res.Width, res.Height)
			for i, p := range res.Parts {
				s := p.Rect.Size()
				if d := s.Sub(c.want[i]); abs(d.X) > tol || abs(d.Y) > tol {
					t.Errorf("part %d (%s) is %v, want about %v", i+1, p.Name, s, c.want[i])
				}
				if !p.Rect.In(frame) {
					t.Errorf("part %d at %v, outside %v", i+1, p.Rect, frame)
				}
				for k := range i {
					if p.Rect.Overlaps(res.Parts[k].Rect) {
						t.Errorf("parts %d and %d overlap: %v %v", k+1, i+1, res.Parts[k].Rect, p.Rect)
					}
				}
				if p.Report == nil || p.Report.Kind != want[i] || len(p.Report.Checks) == 0 {
					t.Errorf("part %d has no report of its own: %+v", i+1, p.Report)
				}
				if len(p.Warnings) > 0 {
					t.Errorf("part %d warns: %+v", i+1, p.Warnings)
				}
				for _, ch := range p.Report.Checks {
					if ch.ID == "file.orientation" || ch.ID == "file.size" {
						t.Errorf("part %d keeps the file check %s, which the composite settles", i+1, ch.ID)
					}
				}
			}
			if res.Report == nil || res.Report.Size != int64(len(res.JPEG)) || res.Report.Width != res.Width {
				t.Errorf("the composite's report is missing or of another file: %+v", res.Report)
			}
			if len(res.Problems()) > 0 {
				t.Errorf("problems: %+v", res.Problems())
			}
			// Turned upright: the card turned by EXIF shows the same
			// picture as the upright one; turned the wrong way it would not.
			var upright, turned image.Rectangle
			for i, f := range c.files {
				switch f {
				case "card.jpg":
					upright = res.Parts[i].Rect
				case "card-exif6.jpg":
					turned = res.Parts[i].Rect
					if res.Parts[i].Orientation != 6 {
						t.Errorf("orientation %d, want 6", res.Parts[i].Orientation)
					}
					if s := turned.Size(); s.X <= s.Y {
						t.Errorf("the card turned by EXIF is %v: not upright (landscape)", s)
					}
				}
			}
			if !upright.Empty() && !turned.Empty() {
				same := meanAbsDiff(img, upright, turned, false)
				flipped := meanAbsDiff(img, upright, turned, true)
				if same > 12 || flipped < 2*same {
					t.Errorf("turned card differs from the upright one by %.1f levels (turned 180°: %.1f)", same, flipped)
				}
			}
		})
	}
}

func colorNRGBA(v uint8) color.NRGBA { return color.NRGBA{v, v, v, 0xff} }

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// meanAbsDiff compares two equally sized regions of img, luma, the second
// read turned 180° when flip is set.
func meanAbsDiff(img image.Image, a, b image.Rectangle, flip bool) float64 {
	w, h := min(a.Dx(), b.Dx()), min(a.Dy(), b.Dy())
	luma := func(x, y int) float64 {
		r, g, bl, _ := img.At(x, y).RGBA()
		return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
	}
	s, n := 0.0, 0
	for y := 0; y < h; y += 3 {
		for x := 0; x < w; x += 3 {
			bx, by := b.Min.X+x, b.Min.Y+y
			if flip {
				bx, by = b.Min.X+w-1-x, b.Min.Y+h-1-y
			}
			s += math.Abs(luma(a.Min.X+x, a.Min.Y+y) - luma(bx, by))
			n++
		}
	}
	return s / float64(n)
}

// TestComposeTrim: the empty bed around a card scanned in the corner of
// an A4 bed is cut away, the card whole.
func TestComposeTrim(t *testing.T) {
	parts := composeFiles(t, "card.jpg", "page.jpg")
	res, err := Compose(parts, ComposeOptions{Kind: KindIDFront, Limits: alibabaLimits})
	if err != nil {
		t.Fatal(err)
	}
	// The card lies 1 mm (12 px) from the bed's top left corner.
	card := image.Rect(12, 12, 12+1011, 12+638)
	trim := res.Parts[0].Trim
	if !card.In(trim.Inset(-2)) {
		t.Errorf("trim %v cuts into the card %v", trim, card)
	}
	if trim.Dx() > card.Dx()+80 || trim.Dy() > card.Dy()+80 {
		t.Errorf("trim %v keeps much of the empty bed around %v", trim, card)
	}
	// The page fills its scan: nothing to trim but its white margins.
	if p := res.Parts[1]; p.OriginalSide < 1500 {
		t.Errorf("page trimmed to %v (long side %d)", p.Trim, p.OriginalSide)
	}
}

// TestComposeNeverUpscales: a part below MinPartSide keeps its size and
// warns, naming itself, and the composite is then not legible.
func TestComposeNeverUpscales(t *testing.T) {
	parts := composeFiles(t, "card.jpg", "small-card.jpg")
	res, err := Compose(parts, ComposeOptions{Kind: KindIDFront, Limits: alibabaLimits})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Parts[1]
	if s := max(p.Rect.Dx(), p.Rect.Dy()); s > 600 {
		t.Errorf("a 600 px card became %d px long", s)
	}
	if len(p.Warnings) != 1 || p.Warnings[0].ID != "compose.resolution" {
		t.Fatalf("warnings %+v, want one compose.resolution", p.Warnings)
	}
	w := p.Warnings[0]
	if !bytes.Contains([]byte(w.ZH), []byte("第 2 部分（small-card.jpg）")) || !bytes.Contains([]byte(w.EN), []byte("part 2 (small-card.jpg)")) {
		t.Errorf("the warning does not name the part: %q / %q", w.ZH, w.EN)
	}
	if len(res.Parts[0].Warnings) != 0 || len(res.Problems()) == 0 {
		t.Errorf("part 1 warnings %+v; problems %+v", res.Parts[0].Warnings, res.Problems())
	}
}

// TestComposeReduceToFit: under a small limit the parts are made smaller
// together, never over the limit, and the ones now too small warn.
func TestComposeReduceToFit(t *testing.T) {
	lim := Limits{MaxBytes: 200 << 10}
	res, err := Compose(composeFiles(t, "card.jpg", "page.jpg"), ComposeOptions{Kind: KindIDFront, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	decodeComposite(t, res, lim)
	if res.Scale >= 1 {
		t.Errorf("scale %.2f: a 200 KB limit should need reducing", res.Scale)
	}
	if len(res.Warnings()) == 0 {
		t.Errorf("no warnings at scale %.2f", res.Scale)
	}
	// Reduced together: the parts keep their proportions to each other.
	r := float64(res.Parts[1].Rect.Dy()) / float64(res.Parts[0].Rect.Dy())
	if math.Abs(r-1600.0/672) > 0.1 {
		t.Errorf("page/card height %.2f, want about %.2f", r, 1600.0/672)
	}
}

// TestComposeProperty: over a corpus of random compositions (2–6 parts of
// random sizes, shapes and orientations, random layouts and limits from
// 40 KB to 4 MB) the JPEG is always under the limit, or Compose says it
// cannot fit, and a part is never larger than its original.
func TestComposeProperty(t *testing.T) {
	n := 24
	if testing.Short() {
		n = 6
	}
	rng := rand.New(rand.NewPCG(18, 1))
	dir := t.TempDir()
	for i := range n {
		k := MinComposeParts + rng.IntN(MaxComposeParts-MinComposeParts+1)
		var parts []ComposePart
		var sides []int
		for j := range k {
			w := 300 + rng.IntN(1500)
			shape := testgen.DocShape(rng.IntN(2))
			img := testgen.Document(testgen.DocSpec{Shape: shape, Surface: testgen.Surface(rng.IntN(3)), W: w, H: w * 3 / 4, Seed: rng.Uint64()})
			data := encodeJPEG(t, img, 75+rng.IntN(20))
			if o := rng.IntN(8) + 1; o > 1 {
				data = withOrientation(data, o, binary.LittleEndian)
			}
			parts = append(parts, ComposePart{Path: writeFile(t, dir, fmt.Sprintf("%d-%d.jpg", i, j), data)})
			sides = append(sides, max(img.Rect.Dx(), img.Rect.Dy()))
		}
		lim := Limits{MaxBytes: int64(40<<10 + rng.IntN(4<<20-40<<10))}
		res, err := Compose(parts, ComposeOptions{Kind: KindCertificate, Limits: lim, Grid: rng.IntN(2) == 0})
		if errors.Is(err, ErrComposeTooLarge) {
			continue
		}
		if err != nil {
			t.Fatalf("composition %d: %v", i, err)
		}
		if int64(len(res.JPEG)) >= lim.MaxBytes {
			t.Errorf("composition %d: %d bytes, limit %d", i, len(res.JPEG), lim.MaxBytes)
		}
		if _, err := jpeg.DecodeConfig(bytes.NewReader(res.JPEG)); err != nil {
			t.Errorf("composition %d: %v", i, err)
		}
		for j, p := range res.Parts {
			if s := max(p.Rect.Dx(), p.Rect.Dy()); s > sides[j] {
				t.Errorf("composition %d part %d: %d px from a %d px original", i, j+1, s, sides[j])
			}
		}
	}
}

// TestComposeInputs: the part count is bounded; a part that is not an
// image, or too large to decode safely, is refused naming the part; a
// part may come from a reader.
func TestComposeInputs(t *testing.T) {
	dir := t.TempDir()
	card := composeScans()["card.jpg"]
	pdf := writeFile(t, dir, "letter.pdf", []byte("%PDF-1.4 not an image"))
	ok := writeFile(t, dir, "card.jpg", card)
	opts := ComposeOptions{Kind: KindIDFront, Limits: alibabaLimits}
	if _, err := Compose([]ComposePart{{Path: ok}}, opts); !errors.Is(err, ErrComposeParts) {
		t.Errorf("one part: %v", err)
	}
	if _, err := Compose(make([]ComposePart, 7), opts); !errors.Is(err, ErrComposeParts) {
		t.Errorf("seven parts: %v", err)
	}
	_, err := Compose([]ComposePart{{Path: ok}, {Path: pdf}}, opts)
	var ce *ComposeError
	if !errors.As(err, &ce) || ce.Part != 1 || ce.Check.ID != "file.format" {
		t.Fatalf("a PDF part: %v", err)
	}
	if m := ce.Message("en"); !bytes.Contains([]byte(m), []byte("part 2 (letter.pdf)")) {
		t.Errorf("message %q does not name the part", m)
	}
	small := opts
	small.Guard = DefaultGuard
	small.Guard.MaxPixels = 1_000_000
	if _, err := Compose([]ComposePart{{Path: ok}, {Path: ok}}, small); !errors.As(err, &ce) || ce.Check.ID != "file.decode" {
		t.Errorf("a part over the guard's pixels: %v", err)
	}
	small.Guard = DefaultGuard
	small.Guard.MaxFileBytes = int64(len(card)) - 1
	if _, err := Compose([]ComposePart{{Reader: bytes.NewReader(card), Name: "pasted"}, {Path: ok}}, small); !errors.As(err, &ce) || ce.Name != "pasted" || ce.Part != 0 {
		t.Errorf("a reader over the guard's bytes: %v", err)
	}
	res, err := Compose([]ComposePart{{Path: ok}, {Reader: bytes.NewReader(card), Name: "pasted"}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Parts[1].Name != "pasted" || res.Parts[1].Rect.Size() != res.Parts[0].Rect.Size() {
		t.Errorf("the reader's part: %+v", res.Parts[1])
	}
}

// TestTrimBox: margins of the border's colour go, with a pad; a busy
// border or a blank picture keep the whole frame.
func TestTrimBox(t *testing.T) {
	th := DefaultComposeThresholds
	th.TrimPad = 0
	plain := image.NewNRGBA(image.Rect(0, 0, 200, 100))
	for i := range plain.Pix {
		plain.Pix[i] = 250
	}
	if got := trimBox(plain, th); got != plain.Rect {
		t.Errorf("blank: %v", got)
	}
	content := dimg.Clone(plain)
	for y := 20; y < 60; y++ {
		for x := 30; x < 150; x++ {
			content.SetNRGBA(x, y, colorNRGBA(40))
		}
	}
	content.SetNRGBA(5, 95, colorNRGBA(0)) // a speck of dust
	if got := trimBox(content, th); got != image.Rect(30, 20, 150, 60) {
		t.Errorf("content: %v, want (30,20)-(150,60)", got)
	}
	busy := dimg.Clone(content)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range busy.Pix {
		if i%4 != 3 {
			busy.Pix[i] = uint8(rng.IntN(256)) // a wood grain, a cluttered desk
		}
	}
	if got := trimBox(busy, th); got != busy.Rect {
		t.Errorf("busy border: %v", got)
	}
}

// A kept composite is judged as Compose judged it: its file by the slot's
// file checks, its content part by part with each part named, never as
// one document (whose outline, of two documents, is always in doubt). A
// part that is not legible fails the composite, named.
func TestCheckStitched(t *testing.T) {
	dir := t.TempDir()
	blurred := testgen.Document(testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 1240, Seed: 5, Blur: 9})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, blurred, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		files   []string
		verdict Verdict
		failing string // a failing check's part name, "" for none
	}{
		{"card and page", []string{"card.jpg", "page.jpg"}, Pass, ""},
		{"card and a blurred page", []string{"card.jpg", "blurred.jpg"}, Fail, "blurred.jpg"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var parts []ComposePart
			for _, f := range c.files {
				data := composeScans()[f]
				if f == "blurred.jpg" {
					data = b.Bytes()
				}
				parts = append(parts, ComposePart{Name: f, Path: writeFile(t, dir, f, data)})
			}
			comp, err := Compose(parts, ComposeOptions{Kind: KindIDFront, Limits: alibabaLimits})
			if err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, dir, "composite.jpg", comp.JPEG)
			rep, err := CheckStitched(path, KindIDFront, Options{Limits: alibabaLimits, Preview: true}, parts)
			if err != nil {
				t.Fatal(err)
			}
			// The preview is of the composite, for the window's outlines.
			if rep.Preview == nil {
				t.Fatal("no preview of the composite")
			} else if pb := rep.Preview.Bounds(); math.Abs(float64(pb.Dy())/float64(pb.Dx())-float64(comp.Height)/float64(comp.Width)) > 0.02 {
				t.Errorf("preview %v is not of the %d×%d composite", pb, comp.Width, comp.Height)
			}
			if rep.Verdict != c.verdict {
				t.Errorf("verdict %v, want %v: %+v", rep.Verdict, c.verdict, rep.Checks)
			}
			seen := map[string]bool{}
			for _, ch := range rep.Checks {
				if ch.ID == "document.outline" && ch.Verdict != Pass && !strings.Contains(ch.ZH, "部分") {
					t.Errorf("the composite was judged as one document: %s", ch.ZH)
				}
				if strings.HasPrefix(ch.ID, "document.") && !strings.HasPrefix(ch.ZH, "第 ") {
					t.Errorf("a content check names no part: %s", ch.ZH)
				}
				if ch.Verdict == Fail {
					seen[ch.ZH] = true
					if c.failing == "" || !strings.Contains(ch.ZH, c.failing) {
						t.Errorf("unexpected failure: %s", ch.ZH)
					}
				}
				if ch.ID == "file.size" && ch.Verdict != Pass {
					t.Errorf("the composite's own size check: %s", ch.ZH)
				}
			}
			if c.failing != "" && len(seen) == 0 {
				t.Errorf("the blurred part did not fail the composite: %+v", rep.Checks)
			}
		})
	}
}
