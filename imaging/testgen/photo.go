package testgen

import (
	"bytes"
	_ "embed"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"sync"

	dimg "github.com/disintegration/imaging"
)

// The portrait is pigo's testdata/sample.jpg (github.com/esimov/pigo
// v1.4.6, MIT; see photo_portrait.md): a real frontal face on a
// light background, which the photo generator cuts out and places.
//
//go:embed photo_portrait.jpg
var photoPortraitJPEG []byte

// Where pigo finds the face in the portrait (320×400): the box centre and
// side. The photo checks' tests confirm these against the detector.
const (
	PortraitFaceX    = 156.5
	PortraitFaceY    = 203.5
	PortraitFaceSize = 245.0
)

// Colours of the test wardrobe and backgrounds.
var (
	Backdrop          = color.NRGBA{38, 92, 170, 255}   // the rule pack's #265caa
	WhiteWall         = color.NRGBA{244, 244, 242, 255} // the face-photo mode's white
	Red               = color.NRGBA{200, 28, 36, 255}
	DarkRed           = color.NRGBA{120, 16, 24, 255}
	Blue              = color.NRGBA{36, 84, 196, 255}
	Navy              = color.NRGBA{24, 32, 78, 255}
	Black             = color.NRGBA{26, 26, 28, 255}
	White             = color.NRGBA{236, 236, 234, 255}
	Grey              = color.NRGBA{128, 128, 132, 255}
	Green             = color.NRGBA{40, 128, 62, 255}
	Orange            = color.NRGBA{236, 122, 28, 255}
	Purple            = color.NRGBA{112, 48, 152, 255}
	SteelBlue         = color.NRGBA{60, 100, 150, 255} // ΔE ≈ 18 from the backdrop
	Skin              = color.NRGBA{214, 164, 140, 255}
	photoPrintedInk   = color.NRGBA{220, 228, 240, 255} // the backdrop's lettering
	photoSecondPerson = 0.85
)

// Pattern is how the top is coloured.
type Pattern int

const (
	Solid   Pattern = iota // Top.Color all over
	Stripes                // horizontal stripes of Top.Color and Top.Color2
	Logo                   // Top.Color with a small Top.Color2 logo on the chest
	Band                   // Top.Color with a Top.Color2 band across the chest
)

// Top is the applicant's top.
type Top struct {
	Color, Color2 color.NRGBA
	Pattern       Pattern
}

// PhotoSpec describes one verification photo.
type PhotoSpec struct {
	W, H       int
	Background color.NRGBA
	// Printed adds the backdrop's pale lettering across its middle.
	Printed bool
	// BackdropCover is the share of the width the background covers, centred,
	// from the top down to 70 % of the height; a room shows around it. 0
	// means the background fills the frame.
	BackdropCover float64
	Top           Top
	// FaceX, FaceY place the face centre as fractions of W and H; FaceSize
	// is the face's side as a fraction of the short side (pigo's box); 0
	// leaves the person out.
	FaceX, FaceY, FaceSize float64
	// Roll turns the head (not the body) by degrees, clockwise on screen.
	Roll float64
	// SecondFace adds another person's head at the right, 85 % the size.
	SecondFace bool
	// Gain multiplies every channel at the end (0.25 dark, 1.9 blown out);
	// 0 means 1.
	Gain float64
	// Blur is a Gaussian σ in output pixels applied at the end.
	Blur float64
	// Noise is the σ of Gaussian sensor noise, in 8-bit levels.
	Noise float64
	Seed  uint64
}

// StandardPhoto is a photo that passes every check: 900×1200, centred, the
// face 30 % of the width, a grey top, the blue backdrop.
func StandardPhoto() PhotoSpec {
	return PhotoSpec{
		W: 900, H: 1200, Background: Backdrop, Printed: true,
		Top:   Top{Color: Grey},
		FaceX: 0.5, FaceY: 0.32, FaceSize: 0.30,
		Noise: 2, Seed: 1,
	}
}

var (
	photoPortraitOnce sync.Once
	photoPortrait     *image.NRGBA // the head cut out: alpha 0 on the background
)

// photoHeadCutout decodes the portrait and makes its light background and the
// white shirt transparent, with a soft edge so the hair does not show a
// hard fringe over the backdrop.
func photoHeadCutout() *image.NRGBA {
	photoPortraitOnce.Do(func() {
		src, err := jpeg.Decode(bytes.NewReader(photoPortraitJPEG))
		if err != nil {
			panic("testgen: embedded portrait: " + err.Error())
		}
		p := image.NewNRGBA(src.Bounds())
		draw.Draw(p, p.Rect, src, src.Bounds().Min, draw.Src)
		for i := 0; i < len(p.Pix); i += 4 {
			r, g, b := p.Pix[i], p.Pix[i+1], p.Pix[i+2]
			mx, mn := max(r, g, b), min(r, g, b)
			v := float64(mx) / 255
			s := 0.0
			if mx > 0 {
				s = float64(mx-mn) / float64(mx)
			}
			bgness := photoClamp01((v-0.78)/0.08) * photoClamp01((0.14-s)/0.06)
			p.Pix[i+3] = uint8(255 * (1 - bgness))
		}
		photoPortrait = p
	})
	return photoPortrait
}

func photoClamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// Photo renders spec.
func Photo(spec PhotoSpec) *image.NRGBA {
	w, h := spec.W, spec.H
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	short := float64(min(w, h))
	s := spec.FaceSize * short
	cx, cy := spec.FaceX*float64(w), spec.FaceY*float64(h)

	photoPaintBackground(img, spec)
	if s > 0 && spec.SecondFace {
		s2 := photoSecondPerson * s
		x2 := math.Min(float64(w)-0.55*s2, cx+1.25*s)
		photoPaintBody(img, x2, cy+0.05*s, s2, Top{Color: Green}, false)
		photoPaintHead(img, x2, cy+0.05*s, s2, 0)
	}
	if s > 0 {
		photoPaintBody(img, cx, cy, s, spec.Top, true)
		photoPaintHead(img, cx, cy, s, spec.Roll)
	}

	rng := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	gain := spec.Gain
	if gain == 0 {
		gain = 1
	}
	for i := 0; i < len(img.Pix); i += 4 {
		n := 0.0
		if spec.Noise > 0 {
			n = rng.NormFloat64() * spec.Noise
		}
		for c := 0; c < 3; c++ {
			img.Pix[i+c] = photoClampByte((float64(img.Pix[i+c]) + n) * gain)
		}
	}
	if spec.Blur > 0 {
		img = dimg.Blur(img, spec.Blur)
	}
	return img
}

func photoClampByte(v float64) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// photoPaintBackground fills the frame with the background colour, lit a little
// unevenly (brighter top centre) as a real backdrop is, and for a printed
// backdrop adds pale lettering in a band above the head's height.
func photoPaintBackground(img *image.NRGBA, spec PhotoSpec) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	bgc := spec.Background
	for y := 0; y < h; y++ {
		fy := float64(y) / float64(h)
		for x := 0; x < w; x++ {
			fx := float64(x)/float64(w) - 0.5
			light := 1.04 - 0.08*fy - 0.10*fx*fx
			i := img.PixOffset(x, y)
			img.Pix[i] = photoClampByte(float64(bgc.R) * light)
			img.Pix[i+1] = photoClampByte(float64(bgc.G) * light)
			img.Pix[i+2] = photoClampByte(float64(bgc.B) * light)
			img.Pix[i+3] = 255
		}
	}
	if spec.BackdropCover > 0 {
		photoPaintRoom(img, spec.BackdropCover)
	}
	if !spec.Printed {
		return
	}
	// Lettering: rows of short bars between 14 % and 20 % of the height and
	// again at 55–60 %, clear of the top corners the backdrop check reads.
	for _, band := range [][2]float64{{0.14, 0.20}, {0.55, 0.60}} {
		y0, y1 := int(band[0]*float64(h)), int(band[1]*float64(h))
		for x0 := int(0.04 * float64(w)); x0 < w-int(0.04*float64(w)); x0 += w / 18 {
			bar := image.Rect(x0, y0, x0+w/30, y1)
			draw.Draw(img, bar, image.NewUniform(photoPrintedInk), image.Point{}, draw.Src)
		}
	}
}

// photoPaintBody draws the neck, shoulders and top of a person whose face box
// (side s) is centred at (cx, cy). The shoulders start 0.3 face sizes
// below the chin and widen to 1.5 face sizes either side; a V-neck of skin
// reaches into the region the clothing check reads, so that skin
// exclusion is exercised.
func photoPaintBody(img *image.NRGBA, cx, cy, s float64, top Top, vneck bool) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	chin := cy + s/2
	shoulder := chin + 0.30*s
	// neck
	for y := int(chin - 0.25*s); y < int(shoulder+0.1*s) && y < h; y++ {
		for x := int(cx - 0.26*s); x < int(cx+0.26*s); x++ {
			if x >= 0 && x < w && y >= 0 {
				shade := 0.9 + 0.1*float64(y-int(chin-0.25*s))/(0.65*s)
				photoSetShaded(img, x, y, Skin, shade)
			}
		}
	}
	for y := max(0, int(shoulder)); y < h; y++ {
		dy := (float64(y) - shoulder) / (0.5 * s)
		half := 1.5 * s
		if dy < 1 {
			half = 0.6*s + 0.9*s*math.Sqrt(1-(1-dy)*(1-dy))
		}
		for x := max(0, int(cx-half)); x < min(w, int(cx+half)); x++ {
			rx := (float64(x) - cx) / s
			ry := (float64(y) - shoulder) / s
			if vneck && ry < 0.5 && math.Abs(rx) < 0.3*(1-ry/0.5) {
				photoSetShaded(img, x, y, Skin, 1)
				continue
			}
			c := top.Color
			switch top.Pattern {
			case Stripes:
				if int(math.Floor(ry/0.12))%2 != 0 {
					c = top.Color2
				}
			case Logo:
				if rx > 0.35 && rx < 0.60 && ry > 0.35 && ry < 0.55 {
					c = top.Color2
				}
			case Band:
				if ry > 0.45 && ry < 0.65 {
					c = top.Color2
				}
			}
			// Folds and fall-off: the cloth is never one flat colour.
			shade := 1 + 0.05*math.Sin(2*math.Pi*(rx/0.7+ry/0.9)) - 0.12*(rx/1.5)*(rx/1.5)
			photoSetShaded(img, x, y, c, shade)
		}
	}
}

func photoSetShaded(img *image.NRGBA, x, y int, c color.NRGBA, shade float64) {
	i := img.PixOffset(x, y)
	img.Pix[i] = photoClampByte(float64(c.R) * shade)
	img.Pix[i+1] = photoClampByte(float64(c.G) * shade)
	img.Pix[i+2] = photoClampByte(float64(c.B) * shade)
}

// photoPaintHead composites the cut-out portrait so that its face box has side
// s and centre (cx, cy), turned by roll degrees about that centre;
// photoBilinear sampling from the inverse transform.
func photoPaintHead(img *image.NRGBA, cx, cy, s, roll float64) {
	p := photoHeadCutout()
	k := s / PortraitFaceSize
	th := roll * math.Pi / 180
	cos, sin := math.Cos(th), math.Sin(th)
	pw, ph := float64(p.Rect.Dx()), float64(p.Rect.Dy())
	// The portrait's corners, transformed, bound the pixels to visit.
	reach := k * math.Hypot(pw, ph)
	x0, x1 := max(0, int(cx-reach)), min(img.Rect.Dx(), int(cx+reach)+1)
	y0, y1 := max(0, int(cy-reach)), min(img.Rect.Dy(), int(cy+reach)+1)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			dx, dy := (float64(x)+0.5-cx)/k, (float64(y)+0.5-cy)/k
			u := cos*dx + sin*dy + PortraitFaceX - 0.5
			v := -sin*dx + cos*dy + PortraitFaceY - 0.5
			if u < 0 || v < 0 || u > pw-1 || v > ph-1 {
				continue
			}
			r, g, b, a := photoBilinear(p, u, v)
			if a <= 0 {
				continue
			}
			i := img.PixOffset(x, y)
			for c, val := range [3]float64{r, g, b} {
				img.Pix[i+c] = photoClampByte(val*a + float64(img.Pix[i+c])*(1-a))
			}
		}
	}
}

// photoBilinear samples p at (u, v) with straight (unpremultiplied) colours
// weighted by alpha, so transparent background does not bleed in.
func photoBilinear(p *image.NRGBA, u, v float64) (r, g, b, a float64) {
	x0, y0 := int(u), int(v)
	x1, y1 := min(x0+1, p.Rect.Dx()-1), min(y0+1, p.Rect.Dy()-1)
	fx, fy := u-float64(x0), v-float64(y0)
	var acc [4]float64
	for _, t := range [4]struct {
		x, y int
		w    float64
	}{{x0, y0, (1 - fx) * (1 - fy)}, {x1, y0, fx * (1 - fy)}, {x0, y1, (1 - fx) * fy}, {x1, y1, fx * fy}} {
		q := p.Pix[p.PixOffset(t.x, t.y):]
		al := float64(q[3]) / 255 * t.w
		acc[0] += float64(q[0]) * al
		acc[1] += float64(q[1]) * al
		acc[2] += float64(q[2]) * al
		acc[3] += al
	}
	if acc[3] <= 0 {
		return 0, 0, 0, 0
	}
	return acc[0] / acc[3], acc[1] / acc[3], acc[2] / acc[3], acc[3]
}

// photoRoomWall is the beige wall of a room around a backdrop that is too small.
var photoRoomWall = color.NRGBA{206, 192, 168, 255}

// photoPaintRoom replaces the background outside a centred panel (cover of the
// width, down to 70 % of the height) with a wall, a skirting board and a
// door frame, as a photo taken too far from a small backdrop shows.
func photoPaintRoom(img *image.NRGBA, cover float64) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	x0 := int(float64(w) * (1 - cover) / 2)
	x1 := w - x0
	y1 := int(0.7 * float64(h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x >= x0 && x < x1 && y < y1 {
				continue
			}
			c, shade := photoRoomWall, 1-0.1*float64(y)/float64(h)
			switch {
			case y > h-h/12:
				c = color.NRGBA{90, 70, 50, 255} // floor
			case x > w/20 && x < w/20+w/60:
				c = color.NRGBA{150, 120, 90, 255} // door frame
			}
			photoSetShaded(img, x, y, c, shade)
		}
	}
}
