// Package testgen draws deterministic test images for the image checks:
// documents (this file) and verification photos. Everything is seeded, so
// a test's expected verdict stays attached to the same pixels.
package testgen

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"

	dimg "github.com/disintegration/imaging"
)

// DocShape is the kind of document drawn.
type DocShape int

const (
	// IDCard is an ID-1 card (85.6 × 54 mm) like a 身份证 front: pale
	// guilloche, a portrait, lines of dark text and a number.
	IDCard DocShape = iota
	// A4Licence is an A4 portrait page like a 营业执照: white paper, a
	// coloured ornamental border, a red title, a QR block, text and a red
	// seal.
	A4Licence
)

// Surface is what the document lies on.
type Surface int

const (
	// PlainDark is a plain dark table: the easy case (imaging.md §2.8).
	PlainDark Surface = iota
	// Cluttered is a wood table with a white cup touching the document and
	// a pen: the outline cannot be told from the background.
	Cluttered
	// Scanner is a flatbed scan: the document fills the whole frame.
	Scanner
	// Flatbed is a flatbed scanner's white bed (the lid's white backing):
	// the document lies anywhere on it (Pos), scanned at DPI over Bed, the
	// way agencies scan an ID card in the corner of an A4 scan. The
	// document keeps its real size; W, H and Fill are ignored.
	Flatbed
	// LightDesk is a pale laminate desk (luma ≈ 190): a phone photo on a
	// light surface, less contrast than PlainDark.
	LightDesk
)

// DocSpec describes one generated document picture.
type DocSpec struct {
	Shape   DocShape
	Surface Surface
	// W, H is the canvas; for Scanner, H follows from W and the shape.
	W, H int
	// Fill is the document's width as a fraction of the canvas width
	// (default 0.7).
	Fill float64
	// Angle turns the document clockwise on screen, degrees.
	Angle float64
	// Shift moves the document's centre by this fraction of the canvas
	// (push it over an edge to crop it).
	Shift [2]float64
	// Blur is the σ of a Gaussian blur over the whole picture, canvas px.
	Blur float64
	// Glare is the radius of a clipped highlight on the document, as a
	// fraction of its short side (0: none).
	Glare float64
	// Gain and Lift set the exposure: v·Gain + Lift, clipped (defaults 1, 0).
	Gain, Lift float64
	// Grey makes the whole picture neutral grey (a greyscale scan).
	Grey bool
	// Photocopy makes the document a neutral grey copy under a warm light,
	// on a surface that keeps its colour.
	Photocopy bool
	Seed      uint64

	// Flatbed scans: DPI is the scan's resolution (150, 300, 600), Bed the
	// scanned area in mm (default A4 portrait, 210 × 297), Pos where the
	// document lies: its top-left corner as a fraction (0–1) of the room
	// left on the bed each way, 1 mm from the glass's edge at 0 (pushed
	// into the corner guide). Pos beyond 0–1 pushes it off the scan.
	DPI float64
	Bed [2]float64
	Pos [2]float64
	// LidOpen scans with the lid up: the bed around the document comes
	// out near black instead of white.
	LidOpen bool

	// Tilt is the phone's tilt towards the document, degrees: the far
	// (top) edge comes out shorter, a keystone.
	Tilt float64
	// Light is the light's colour as per-channel gains (warm tungsten ≈
	// {1.08, 0.97, 0.72}); LightRight, if set, is the light at the right
	// edge, blended across the picture (mixed window and lamp light).
	Light, LightRight [3]float64
	// Shadow darkens the lower left of the picture by this fraction behind
	// a soft edge (a hand or the phone between lamp and document).
	Shadow float64
	// Moire is the amplitude, in levels, of a moiré beat (a scanned
	// guilloche, a sensor grid).
	Moire float64
	// Noise is the amplitude of phone-camera noise, luma plus some chroma
	// (0: the faint ±2 sensor noise of every generated picture).
	Noise int
	// Margin crops the picture to the document plus this fraction of its
	// short side all round (0: no crop; negative cuts into the document):
	// a tight crop, or a card image that fills the frame with its edge.
	Margin float64
	// Crop asks for the Margin crop (so that a margin of 0 can be asked).
	Crop bool
}

// Document draws the picture a spec describes.
func Document(s DocSpec) *image.NRGBA {
	rng := rand.New(rand.NewPCG(s.Seed, 0x1cbf11))
	if s.Fill == 0 {
		s.Fill = 0.7
	}
	if s.Gain == 0 {
		s.Gain = 1
	}
	aspect := 54.0 / 85.6 // height / width
	if s.Shape == A4Licence {
		aspect = 297.0 / 210
	}
	dw := int(s.Fill * float64(s.W))
	if s.Surface == Scanner {
		dw = s.W
		s.H = int(math.Round(float64(s.W) * aspect))
	}
	var bedW, bedH float64 // Flatbed: the scanned area, canvas pixels
	if s.Surface == Flatbed {
		if s.DPI == 0 {
			s.DPI = 300
		}
		if s.Bed == [2]float64{} {
			s.Bed = [2]float64{210, 297}
		}
		px := func(mm float64) float64 { return mm * s.DPI / 25.4 }
		bedW, bedH = px(s.Bed[0]), px(s.Bed[1])
		s.W, s.H = int(math.Round(bedW)), int(math.Round(bedH))
		dw = int(math.Round(px(85.6)))
		if s.Shape == A4Licence {
			dw = int(math.Round(px(210)))
		}
	}
	dh := int(math.Round(float64(dw) * aspect))

	var doc *image.NRGBA
	if s.Shape == IDCard {
		doc = docDrawIDCard(rng, dw, dh)
	} else {
		doc = docDrawLicence(rng, dw, dh)
	}
	if s.Photocopy {
		docGrey(doc, 6, -6)
	}

	var canvas *image.NRGBA
	cx := float64(s.W)/2 + s.Shift[0]*float64(s.W)
	cy := float64(s.H)/2 + s.Shift[1]*float64(s.H)
	if s.Surface == Flatbed {
		// Turned by Angle, the document's box is larger than dw × dh.
		th := s.Angle * math.Pi / 180
		bw := math.Abs(float64(dw)*math.Cos(th)) + math.Abs(float64(dh)*math.Sin(th))
		bh := math.Abs(float64(dw)*math.Sin(th)) + math.Abs(float64(dh)*math.Cos(th))
		gap := s.DPI / 25.4 // 1 mm from the glass's edge
		cx = gap + bw/2 + s.Pos[0]*(bedW-bw-2*gap)
		cy = gap + bh/2 + s.Pos[1]*(bedH-bh-2*gap)
	}
	switch s.Surface {
	case Scanner:
		canvas = doc
	case Cluttered:
		canvas = docWoodTable(rng, s.W, s.H)
		docPlace(canvas, doc, cx, cy, s.Angle)
		// The cup stands on the document's right edge, the pen across the
		// lower left corner: both join the document's bright component.
		th := s.Angle * math.Pi / 180
		ex, ey := cx+math.Cos(th)*float64(dw)*0.5, cy+math.Sin(th)*float64(dw)*0.5
		docCup(canvas, ex+float64(dh)*0.12, ey-float64(dh)*0.15, float64(dh)*0.33)
		docPen(canvas, cx-float64(dw)*0.55, cy+float64(dh)*0.35, float64(dw)*0.5, -0.5)
	case Flatbed:
		if s.LidOpen {
			canvas = docOpenLid(s.W, s.H)
		} else {
			canvas = docWhiteBed(s.W, s.H)
		}
		// The lamp throws a thin shadow along the card's lower and right
		// edges (a card is 0.76 mm thick; a sheet of paper hardly shows one).
		if s.Shape == IDCard && !s.LidOpen {
			off := 0.25 * s.DPI / 25.4
			docPlaceQuad(canvas, docShadowOf(doc), docQuad(cx+off, cy+off, float64(dw), float64(dh), s.Angle, 0))
		}
		docPlaceQuad(canvas, doc, docQuad(cx, cy, float64(dw), float64(dh), s.Angle, s.Tilt))
	default:
		if s.Surface == LightDesk {
			canvas = docLightDesk(rng, s.W, s.H)
		} else {
			canvas = docDarkTable(rng, s.W, s.H)
		}
		if s.Tilt != 0 {
			docPlaceQuad(canvas, doc, docQuad(cx, cy, float64(dw), float64(dh), s.Angle, s.Tilt))
		} else {
			docPlace(canvas, doc, cx, cy, s.Angle)
		}
	}
	if s.Light != [3]float64{} {
		docLight(canvas, s.Light, s.LightRight)
	}
	if s.Shadow > 0 {
		docShadow(canvas, s.Shadow)
	}
	if s.Glare > 0 {
		th := s.Angle * math.Pi / 180
		// Off-centre, where a ceiling lamp usually lands.
		u, v := 0.18*float64(dw), -0.12*float64(dh)
		gx := cx + u*math.Cos(th) - v*math.Sin(th)
		gy := cy + u*math.Sin(th) + v*math.Cos(th)
		if s.Surface == Scanner {
			gx, gy = float64(dw)*0.68, float64(dh)*0.38
		}
		docGlare(canvas, gx, gy, s.Glare*float64(min(dw, dh)))
	}
	if s.Gain != 1 || s.Lift != 0 {
		docExpose(canvas, s.Gain, s.Lift)
	}
	if s.Grey {
		docGrey(canvas, 0, 0)
	}
	if s.Moire > 0 {
		docMoire(canvas, s.Moire)
	}
	if s.Blur > 0 {
		canvas = dimg.Blur(canvas, s.Blur)
	}
	if s.Noise > 0 {
		docPhoneNoise(canvas, rng, s.Noise)
	} else {
		docNoise(canvas, rng, 2)
	}
	if s.Crop || s.Margin != 0 {
		q := docQuad(cx, cy, float64(dw), float64(dh), s.Angle, s.Tilt)
		x0, y0, x1, y1 := q[0][0], q[0][1], q[0][0], q[0][1]
		for _, p := range q[1:] {
			x0, y0, x1, y1 = min(x0, p[0]), min(y0, p[1]), max(x1, p[0]), max(y1, p[1])
		}
		m := s.Margin * float64(min(dw, dh))
		r := image.Rect(int(x0-m), int(y0-m), int(math.Ceil(x1+m)), int(math.Ceil(y1+m))).Intersect(canvas.Rect)
		canvas = dimg.Crop(canvas, r)
	}
	return canvas
}

// JPEG encodes img at each quality in turn, decoding it in between: a
// picture saved by the phone, then sent through a chat app that
// recompresses it. It returns the last file's bytes.
func JPEG(img image.Image, qualities ...int) []byte {
	var data []byte
	for i, q := range qualities {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			panic(err) // an in-memory encode of a valid image cannot fail
		}
		data = buf.Bytes()
		if i < len(qualities)-1 {
			var err error
			if img, err = jpeg.Decode(bytes.NewReader(data)); err != nil {
				panic(err)
			}
		}
	}
	return data
}

// docQuad is the document's four corners on the canvas (top-left,
// top-right, bottom-right, bottom-left): dw × dh centred at (cx, cy),
// turned by deg clockwise; tilt (degrees) shortens the top edge and the
// height, as a phone tilted towards the document sees it.
func docQuad(cx, cy, dw, dh, deg, tilt float64) [4][2]float64 {
	k := 0.6 * math.Sin(math.Abs(tilt)*math.Pi/180)
	hh := dh / 2 * math.Cos(tilt*math.Pi/180)
	local := [4][2]float64{{-dw / 2 * (1 - k), -hh}, {dw / 2 * (1 - k), -hh}, {dw / 2, hh}, {-dw / 2, hh}}
	th := deg * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	var q [4][2]float64
	for i, p := range local {
		q[i] = [2]float64{cx + c*p[0] - s*p[1], cy + s*p[0] + c*p[1]}
	}
	return q
}

// docPlaceQuad draws doc onto the quadrilateral q (corners as docQuad
// gives them) through the projective map between them, with bilinear
// sampling and anti-aliased edges.
func docPlaceQuad(dst, doc *image.NRGBA, q [4][2]float64) {
	dw, dh := float64(doc.Rect.Dx()), float64(doc.Rect.Dy())
	inv := docHomographyInv(q)
	W, H := dst.Rect.Dx(), dst.Rect.Dy()
	x0, y0, x1, y1 := q[0][0], q[0][1], q[0][0], q[0][1]
	for _, p := range q[1:] {
		x0, y0, x1, y1 = min(x0, p[0]), min(y0, p[1]), max(x1, p[0]), max(y1, p[1])
	}
	for y := max(int(y0)-2, 0); y < min(int(y1)+3, H); y++ {
		for x := max(int(x0)-2, 0); x < min(int(x1)+3, W); x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			d := inv[6]*px + inv[7]*py + inv[8]
			u := (inv[0]*px + inv[1]*py + inv[2]) / d * dw
			v := (inv[3]*px + inv[4]*py + inv[5]) / d * dh
			cov := min(u+0.5, dw-u+0.5, v+0.5, dh-v+0.5, 1)
			if cov <= 0 {
				continue
			}
			r, g, b, a := docBilinear(doc, u-0.5, v-0.5)
			a *= cov / 255
			o := dst.PixOffset(x, y)
			p := dst.Pix[o : o+3]
			p[0] = docClamp(float64(p[0])*(1-a) + r*a)
			p[1] = docClamp(float64(p[1])*(1-a) + g*a)
			p[2] = docClamp(float64(p[2])*(1-a) + b*a)
		}
	}
}

// docHomographyInv is the map from the canvas to the unit square whose
// corners (0,0), (1,0), (1,1), (0,1) go to q (Heckbert's square-to-quad,
// inverted by its adjugate), row-major 3 × 3.
func docHomographyInv(q [4][2]float64) [9]float64 {
	x0, y0, x1, y1, x2, y2, x3, y3 := q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]
	dx1, dx2, dx3 := x1-x2, x3-x2, x0-x1+x2-x3
	dy1, dy2, dy3 := y1-y2, y3-y2, y0-y1+y2-y3
	var g, h float64
	if dx3 != 0 || dy3 != 0 {
		den := dx1*dy2 - dx2*dy1
		g = (dx3*dy2 - dx2*dy3) / den
		h = (dx1*dy3 - dx3*dy1) / den
	}
	a, b, c := x1-x0+g*x1, x3-x0+h*x3, x0
	d, e, f := y1-y0+g*y1, y3-y0+h*y3, y0
	// Adjugate of [[a b c] [d e f] [g h 1]].
	return [9]float64{
		e - f*h, c*h - b, b*f - c*e,
		f*g - d, a - c*g, c*d - a*f,
		d*h - e*g, b*g - a*h, a*e - b*d,
	}
}

// docShadowOf is doc's shape in the grey of a thin shadow.
func docShadowOf(doc *image.NRGBA) *image.NRGBA {
	s := image.NewNRGBA(doc.Rect)
	for i := 0; i < len(s.Pix); i += 4 {
		s.Pix[i], s.Pix[i+1], s.Pix[i+2], s.Pix[i+3] = 150, 150, 152, doc.Pix[i+3]
	}
	return s
}

// docWhiteBed is a scanner's white lid over the glass: near-white, a
// little cooler and brighter towards the lamp's end, clipping in places.
func docWhiteBed(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		t := float64(y) / float64(h)
		r, g, b := 249-2*t, 250-2*t, 252-1*t
		for x := range w {
			docSetRGB(img, x, y, r, g, b)
		}
	}
	return img
}

// docOpenLid is the bed scanned with the lid up: the room's dark ceiling,
// a little lighter towards the middle.
func docOpenLid(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		dy := float64(y)/float64(h) - 0.5
		for x := range w {
			dx := float64(x)/float64(w) - 0.5
			v := 30 - 40*(dx*dx+dy*dy)
			docSetRGB(img, x, y, v, v, v+2)
		}
	}
	return img
}

// docLightDesk is a pale grey-beige laminate with a faint mottle.
func docLightDesk(rng *rand.Rand, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	ph := rng.Float64() * 6
	col := make([]float64, w)
	for x := range col {
		col[x] = 3 * math.Sin(float64(x)*0.007+ph)
	}
	for y := range h {
		dy := float64(y)/float64(h) - 0.5
		for x := range w {
			v := 192 + col[x] + 3*math.Sin(float64(y)*0.005) - 14*dy*dy
			docSetRGB(img, x, y, v+6, v, v-10)
		}
	}
	return img
}

// docLight multiplies the picture by the light's colour, blended from
// left to right when right is set.
func docLight(img *image.NRGBA, left, right [3]float64) {
	if right == [3]float64{} {
		right = left
	}
	W, H := img.Rect.Dx(), img.Rect.Dy()
	for x := range W {
		t := float64(x) / float64(max(W-1, 1))
		var k [3]float64
		for c := range 3 {
			k[c] = left[c]*(1-t) + right[c]*t
		}
		for y := range H {
			o := img.PixOffset(x, y)
			for c := range 3 {
				img.Pix[o+c] = docClamp(float64(img.Pix[o+c]) * k[c])
			}
		}
	}
}

// docShadow darkens the part of the picture below the line from 55 % down
// the left edge to 60 % along the bottom, behind a soft edge.
func docShadow(img *image.NRGBA, depth float64) {
	W, H := img.Rect.Dx(), img.Rect.Dy()
	ax, ay, bx, by := 0.0, 0.55*float64(H), 0.6*float64(W), float64(H)
	l := math.Hypot(bx-ax, by-ay)
	soft := 0.03 * math.Hypot(float64(W), float64(H))
	for y := range H {
		for x := range W {
			// Signed distance, positive below the line.
			d := ((bx-ax)*(float64(y)-ay) - (by-ay)*(float64(x)-ax)) / l
			k := min(max(d/soft+0.5, 0), 1)
			if k == 0 {
				continue
			}
			f := 1 - depth*k*k*(3-2*k)
			o := img.PixOffset(x, y)
			for c := range 3 {
				img.Pix[o+c] = docClamp(float64(img.Pix[o+c]) * f)
			}
		}
	}
}

// docMoire adds a beat of two fine gratings: a fine carrier whose
// strength swings slowly across the picture.
func docMoire(img *image.NRGBA, amp float64) {
	W, H := img.Rect.Dx(), img.Rect.Dy()
	for y := range H {
		for x := range W {
			fx, fy := float64(x), float64(y)
			v := amp * math.Cos(2*math.Pi*(0.31*fx+0.07*fy)) * (0.5 + 0.5*math.Cos(2*math.Pi*(0.004*fx+0.009*fy)))
			o := img.PixOffset(x, y)
			for c := range 3 {
				img.Pix[o+c] = docClamp(float64(img.Pix[o+c]) + v)
			}
		}
	}
}

// docPhoneNoise is a phone camera's noise: luma noise of about ±amp shared
// by the channels, and chroma noise of about ±amp/2 on each.
func docPhoneNoise(img *image.NRGBA, rng *rand.Rand, amp int) {
	ls, cs := uint64(2*amp+1), uint64(amp+1)
	for i := 0; i < len(img.Pix); i += 4 {
		r := rng.Uint64()
		// A triangular luma distribution: the sum of two uniforms.
		l := int((r&0xffff)%ls+(r>>16&0xffff)%ls) - 2*amp
		l /= 2
		for c := range 3 {
			n := int((r>>(32+10*c))&0x3ff%cs) - amp/2
			img.Pix[i+c] = docClamp(float64(int(img.Pix[i+c]) + l + n))
		}
	}
}

// docDrawIDCard draws a 身份证-front-like card at w×h.
func docDrawIDCard(rng *rand.Rand, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fw, fh := float64(w), float64(h)
	for y := range h {
		t := float64(y) / fh
		r0, g0, b0 := 236-10*t, 233-3*t, 222+14*t
		// Guilloche: thin pale waves, the security print of the card:
		// where |sin(0.045x + φ(y))| < 0.07, i.e. the phase is within
		// asin(0.07) of a multiple of π.
		phase := 3 * math.Sin(float64(y)*0.021)
		for x := range w {
			a := math.Mod(float64(x)*0.045+phase+4*math.Pi, math.Pi)
			r, g, b := r0, g0, b0
			if a < 0.0701 || a > math.Pi-0.0701 {
				r, g, b = r-28, g-16, b+2
			}
			docSetRGB(img, x, y, r, g, b)
		}
	}
	// Rounded corners read as background: cut them with the table colour
	// later by leaving them transparent.
	rad := int(0.04 * fw)
	for y := range rad {
		for x := range rad {
			dx, dy := float64(rad-x), float64(rad-y)
			if dx*dx+dy*dy > float64(rad*rad) {
				for _, p := range [][2]int{{x, y}, {w - 1 - x, y}, {x, h - 1 - y}, {w - 1 - x, h - 1 - y}} {
					img.Pix[img.PixOffset(p[0], p[1])+3] = 0
				}
			}
		}
	}
	// Portrait on the right.
	px0, py0, pw, ph := int(0.64*fw), int(0.16*fh), int(0.28*fw), int(0.56*fh)
	docFillRect(img, px0, py0, px0+pw, py0+ph, color.NRGBA{224, 228, 232, 255})
	docEllipse(img, float64(px0)+float64(pw)/2, float64(py0)+float64(ph)*0.95, float64(pw)*0.5, float64(ph)*0.3, color.NRGBA{45, 48, 60, 255})
	docEllipse(img, float64(px0)+float64(pw)/2, float64(py0)+float64(ph)*0.4, float64(pw)*0.27, float64(ph)*0.3, color.NRGBA{35, 30, 28, 255})
	docEllipse(img, float64(px0)+float64(pw)/2, float64(py0)+float64(ph)*0.46, float64(pw)*0.21, float64(ph)*0.26, color.NRGBA{214, 172, 142, 255})
	// Labels (blue-grey) and values (black), four lines, then the number.
	ch := max(int(0.055*fh), 4)
	for i, y := range []float64{0.12, 0.26, 0.40, 0.54} {
		yy := int(y * fh)
		docTextLine(img, rng, int(0.06*fw), yy, 2, ch, color.NRGBA{70, 110, 160, 255})
		docTextLine(img, rng, int(0.18*fw), yy, 3+i%3*2, ch, color.NRGBA{25, 25, 30, 255})
	}
	docTextLine(img, rng, int(0.06*fw), int(0.78*fh), 4, ch, color.NRGBA{70, 110, 160, 255})
	docTextLine(img, rng, int(0.30*fw), int(0.78*fh), 18, int(float64(ch)*1.1), color.NRGBA{20, 20, 24, 255})
	return img
}

// docDrawLicence draws a 营业执照-like A4 page at w×h.
func docDrawLicence(rng *rand.Rand, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fw, fh := float64(w), float64(h)
	docFillRect(img, 0, 0, w, h, color.NRGBA{246, 245, 239, 255})
	// Ornamental border: two brown frames with a wave band between them.
	m, t := int(0.035*fw), max(int(0.006*fw), 2)
	brown := color.NRGBA{150, 105, 55, 255}
	docFrame(img, m, m, w-m, h-m, t, brown)
	m2 := m + int(0.025*fw)
	docFrame(img, m2, m2, w-m2, h-m2, t, brown)
	for y := m; y < h-m; y++ {
		for x := m; x < w-m; x++ {
			if x >= m2 && x < w-m2 && y >= m2 && y < h-m2 {
				continue
			}
			if math.Abs(math.Sin(float64(x+y)*0.09)+math.Sin(float64(x-y)*0.09)) < 0.25 {
				docSetRGB(img, x, y, 196, 150, 96)
			}
		}
	}
	// Red title, centred.
	ch := max(int(0.045*fw), 6)
	docTextLine(img, rng, int(0.34*fw), int(0.09*fh), 4, int(float64(ch)*1.6), color.NRGBA{190, 35, 35, 255})
	// QR block top left.
	q0, qs := int(0.12*fw), max(int(0.006*fw), 2)
	for j := range 25 {
		for i := range 25 {
			if rng.IntN(2) == 0 || (i < 7 && j < 7 && (i%6 == 0 || j%6 == 0 || (i > 1 && i < 5 && j > 1 && j < 5))) {
				docFillRect(img, q0+i*qs, q0+j*qs, q0+(i+1)*qs, q0+(j+1)*qs, color.NRGBA{20, 20, 20, 255})
			}
		}
	}
	// Fields: label column and value column, then a paragraph.
	ch = max(int(0.022*fw), 5)
	for i := range 9 {
		y := int((0.25 + 0.045*float64(i)) * fh)
		docTextLine(img, rng, int(0.12*fw), y, 4, ch, color.NRGBA{30, 30, 30, 255})
		docTextLine(img, rng, int(0.30*fw), y, 8+rng.IntN(12), ch, color.NRGBA{30, 30, 30, 255})
	}
	for i := range 6 {
		y := int((0.68 + 0.035*float64(i)) * fh)
		docTextLine(img, rng, int(0.12*fw), y, 28, ch, color.NRGBA{40, 40, 40, 255})
	}
	// Red seal, multiplied over the text like ink.
	sx, sy, sr := 0.70*fw, 0.80*fh, 0.11*fw
	for y := int(sy - sr); y < int(sy+sr); y++ {
		for x := int(sx - sr); x < int(sx+sr); x++ {
			d := math.Hypot(float64(x)-sx, float64(y)-sy)
			ring := d < sr && d > sr*0.9
			star := d < sr*0.25 && docStarAt(float64(x)-sx, float64(y)-sy, sr*0.25)
			if (ring || star) && x >= 0 && y >= 0 && x < w && y < h {
				o := img.PixOffset(x, y)
				img.Pix[o] = uint8(int(img.Pix[o]) * 215 / 255)
				img.Pix[o+1] = uint8(int(img.Pix[o+1]) * 40 / 255)
				img.Pix[o+2] = uint8(int(img.Pix[o+2]) * 45 / 255)
			}
		}
	}
	return img
}

func docStarAt(x, y, r float64) bool {
	a := math.Atan2(y, x)
	d := math.Hypot(x, y)
	// A five-pointed star's radius swings between r and r·0.4.
	lim := r * (0.4 + 0.6*math.Pow(math.Abs(math.Cos(2.5*(a+math.Pi/2))), 3))
	return d < lim
}

// docTextLine draws n glyph-like clusters of strokes, each about size px.
func docTextLine(img *image.NRGBA, rng *rand.Rand, x, y, n, size int, c color.NRGBA) {
	sw := max(size/7, 1)
	for range n {
		for range 3 + rng.IntN(3) {
			if rng.IntN(2) == 0 { // horizontal stroke
				y0 := y + rng.IntN(max(size-sw, 1))
				x0 := x + rng.IntN(max(size/3, 1))
				docFillRect(img, x0, y0, x0+size/2+rng.IntN(max(size/2, 1)), y0+sw, c)
			} else {
				x0 := x + rng.IntN(max(size-sw, 1))
				y0 := y + rng.IntN(max(size/3, 1))
				docFillRect(img, x0, y0, x0+sw, y0+size/2+rng.IntN(max(size/2, 1)), c)
			}
		}
		x += size + size/4
	}
}

func docDarkTable(rng *rand.Rand, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fw, fh := float64(w), float64(h)
	ph := rng.Float64() * 6
	col := make([]float64, w) // what depends on x alone, computed once
	for x := range col {
		dx := float64(x)/fw - 0.5
		col[x] = 44 - 18*dx*dx + 2*math.Sin(float64(x)*0.01+ph)
	}
	for y := range h {
		dy := float64(y)/fh - 0.5
		for x := range w {
			v := col[x] - 18*dy*dy
			docSetRGB(img, x, y, v-2, v, v+5)
		}
	}
	return img
}

func docWoodTable(rng *rand.Rand, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	ph := rng.Float64() * 6
	off := make([]float64, w)
	for x := range off {
		off[x] = 18*math.Sin(float64(x)*0.004+ph) + 6*math.Sin(float64(x)*0.023)
	}
	// The grain depends on y+off only: tabulate it every 1/8 px.
	const sub = 8
	lut := make([]float64, (h+50)*sub)
	for i := range lut {
		fy := float64(i)/sub - 25
		grain := 0.5 + 0.5*math.Sin(fy*0.09+2*math.Sin(fy*0.013))
		lut[i] = 0.75 + 0.45*grain
	}
	for y := range h {
		for x := range w {
			k := lut[int((float64(y)+off[x]+25)*sub)]
			docSetRGB(img, x, y, 160*k, 112*k, 70*k)
		}
	}
	return img
}

// docPlace draws doc centred at (cx, cy), turned by deg clockwise, with
// bilinear sampling and anti-aliased edges (its alpha is its shape).
func docPlace(dst, doc *image.NRGBA, cx, cy, deg float64) {
	th := deg * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	dw, dh := float64(doc.Rect.Dx()), float64(doc.Rect.Dy())
	W, H := dst.Rect.Dx(), dst.Rect.Dy()
	half := math.Hypot(dw, dh)/2 + 2
	for y := max(int(cy-half), 0); y < min(int(cy+half)+1, H); y++ {
		for x := max(int(cx-half), 0); x < min(int(cx+half)+1, W); x++ {
			px, py := float64(x)+0.5-cx, float64(y)+0.5-cy
			u := c*px + s*py + dw/2
			v := -s*px + c*py + dh/2
			cov := min(u+0.5, dw-u+0.5, v+0.5, dh-v+0.5, 1)
			if cov <= 0 {
				continue
			}
			r, g, b, a := docBilinear(doc, u-0.5, v-0.5)
			a *= cov / 255
			o := dst.PixOffset(x, y)
			p := dst.Pix[o : o+3]
			p[0] = docClamp(float64(p[0])*(1-a) + r*a)
			p[1] = docClamp(float64(p[1])*(1-a) + g*a)
			p[2] = docClamp(float64(p[2])*(1-a) + b*a)
		}
	}
}

func docBilinear(img *image.NRGBA, x, y float64) (r, g, b, a float64) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	var acc [4]float64
	for j := range 2 {
		for i := range 2 {
			xi := min(max(x0+i, 0), w-1)
			yj := min(max(y0+j, 0), h-1)
			wt := (1 - math.Abs(float64(i)-fx)) * (1 - math.Abs(float64(j)-fy))
			p := img.Pix[img.PixOffset(xi, yj):]
			for k := range 4 {
				acc[k] += wt * float64(p[k])
			}
		}
	}
	return acc[0], acc[1], acc[2], acc[3]
}

// docCup is a white cup seen from above: a bright rim and a darker inside.
func docCup(img *image.NRGBA, cx, cy, r float64) {
	docEllipse(img, cx+r*0.95, cy, r*0.35, r*0.14, color.NRGBA{238, 238, 236, 255}) // handle
	docEllipse(img, cx, cy, r, r, color.NRGBA{244, 244, 242, 255})
	docEllipse(img, cx, cy, r*0.82, r*0.82, color.NRGBA{120, 82, 50, 255}) // coffee
}

// docPen is a blue pen from (x, y), length l, at angle a radians.
func docPen(img *image.NRGBA, x, y, l, a float64) {
	t := l * 0.03
	for s := 0.0; s < l; s += 0.5 {
		docEllipse(img, x+s*math.Cos(a), y+s*math.Sin(a), t, t, color.NRGBA{30, 60, 160, 255})
	}
}

// docGlare adds a specular highlight: clipped white within r, fading over
// another r.
func docGlare(img *image.NRGBA, cx, cy, r float64) {
	W, H := img.Rect.Dx(), img.Rect.Dy()
	for y := max(int(cy-2*r), 0); y < min(int(cy+2*r)+1, H); y++ {
		for x := max(int(cx-2*r), 0); x < min(int(cx+2*r)+1, W); x++ {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			k := 1.0
			if d > r {
				k = max(0, 1-(d-r)/r)
				k *= k
			}
			if k == 0 {
				continue
			}
			o := img.PixOffset(x, y)
			for c := range 3 {
				img.Pix[o+c] = docClamp(float64(img.Pix[o+c]) + (300-float64(img.Pix[o+c]))*k)
			}
		}
	}
}

func docExpose(img *image.NRGBA, gain, lift float64) {
	var lut [256]uint8
	for i := range lut {
		lut[i] = docClamp(float64(i)*gain + lift)
	}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2] = lut[img.Pix[i]], lut[img.Pix[i+1]], lut[img.Pix[i+2]]
	}
}

// docGrey turns every opaque pixel to its luma plus a colour cast.
func docGrey(img *image.NRGBA, castR, castB int) {
	for i := 0; i < len(img.Pix); i += 4 {
		p := img.Pix[i : i+3]
		y := (299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000
		p[0], p[1], p[2] = docClamp(float64(y+castR)), uint8(y), docClamp(float64(y+castB))
	}
}

// docNoise adds sensor-like noise of about ±amp, cheaply (no NormFloat64 per
// channel: 3 MP pictures must draw in tens of milliseconds).
func docNoise(img *image.NRGBA, rng *rand.Rand, amp int) {
	span := uint64(2*amp + 1)
	for i := 0; i < len(img.Pix); i += 4 {
		r := rng.Uint64()
		for c := range 3 {
			n := int((r>>(16*c))&0xffff%span) - amp
			img.Pix[i+c] = docClamp(float64(int(img.Pix[i+c]) + n))
		}
	}
}

func docSetRGB(img *image.NRGBA, x, y int, r, g, b float64) {
	o := img.PixOffset(x, y)
	img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = docClamp(r), docClamp(g), docClamp(b), 255
}

func docFillRect(img *image.NRGBA, x0, y0, x1, y1 int, c color.NRGBA) {
	r := image.Rect(x0, y0, x1, y1).Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = c.R, c.G, c.B, c.A
		}
	}
}

func docFrame(img *image.NRGBA, x0, y0, x1, y1, t int, c color.NRGBA) {
	docFillRect(img, x0, y0, x1, y0+t, c)
	docFillRect(img, x0, y1-t, x1, y1, c)
	docFillRect(img, x0, y0, x0+t, y1, c)
	docFillRect(img, x1-t, y0, x1, y1, c)
}

func docEllipse(img *image.NRGBA, cx, cy, rx, ry float64, c color.NRGBA) {
	r := image.Rect(int(cx-rx), int(cy-ry), int(cx+rx)+1, int(cy+ry)+1).Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dx, dy := (float64(x)+0.5-cx)/rx, (float64(y)+0.5-cy)/ry
			if dx*dx+dy*dy <= 1 {
				o := img.PixOffset(x, y)
				img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = c.R, c.G, c.B, c.A
			}
		}
	}
}

func docClamp(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// PassingScan is a generated scan that passes every check of kind (an
// imaging.Kind's name, e.g. "id_front", "business_licence"): an ID card
// on a dark table for the ID kinds, an A4 page scanned flat for the
// others. Tests of the readiness gate and the scripted walk of the window
// fill a filing's slots with them.
func PassingScan(kind string, seed uint64) *image.NRGBA {
	if kind == "id_front" || kind == "id_back" {
		return Document(DocSpec{Shape: IDCard, Surface: PlainDark, W: 1600, H: 1200, Seed: seed})
	}
	return Document(DocSpec{Shape: A4Licence, Surface: Scanner, W: 1600, H: 1200, Seed: seed})
}
