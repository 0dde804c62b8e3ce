package imaging

import (
	"image"
	"math"
	"sync"
)

// clothClass is what a torso pixel looks like to the clothing rule.
type clothClass uint8

const (
	clothNeutral clothClass = iota // white, grey, black-ish, green, pink, beige…
	clothDark                      // too dark to have a colour
	clothSkin                      // neck, chest, arms: left out of the measure
	clothRed
	clothOrange // orange-red: may be read as red
	clothBlue
	clothNavy
	clothPurple // may be read as blue
	clothClasses
)

// classifyCloth is imaging.md §2.6's classifier (hue in degrees, S and V in
// 0–1). The skin exclusion stops at S 0.55 because saturated orange-red
// cloth falls inside the skin ellipse too (§4.8).
func classifyCloth(r, g, b uint8) clothClass {
	h, s, v := hsv(r, g, b)
	if v < 0.12 {
		return clothDark
	}
	skin := isSkinCbCr(r, g, b) && s < 0.55
	switch {
	case skin:
		return clothSkin
	case (h >= 345 || h < 15) && s >= 0.45 && v >= 0.20:
		return clothRed
	case h >= 15 && h < 30 && s >= 0.50 && v >= 0.20:
		return clothOrange
	case h >= 195 && h < 255 && s >= 0.35 && v >= 0.35:
		return clothBlue
	case h >= 200 && h < 260 && s >= 0.35 && v < 0.35:
		return clothNavy
	case h >= 255 && h < 290 && s >= 0.30 && v >= 0.20:
		return clothPurple
	}
	return clothNeutral
}

// hsv converts 8-bit sRGB to hue in degrees [0, 360), saturation and value.
func hsv(r, g, b uint8) (h, s, v float64) {
	mx := max(r, g, b)
	mn := min(r, g, b)
	v = float64(mx) / 255
	if mx == 0 {
		return 0, 0, v
	}
	d := float64(mx) - float64(mn)
	s = d / float64(mx)
	if d == 0 {
		return 0, s, v
	}
	switch mx {
	case r:
		h = 60 * math.Mod((float64(g)-float64(b))/d, 6)
	case g:
		h = 60 * ((float64(b)-float64(r))/d + 2)
	default:
		h = 60 * ((float64(r)-float64(g))/d + 4)
	}
	if h < 0 {
		h += 360
	}
	return h, s, v
}

// isSkinCbCr is the Hsu–Abdel-Mottaleb–Jain skin ellipse in the CbCr plane
// with BIQT-Face's constants (imaging.md §1.1 "Skin").
func isSkinCbCr(r, g, b uint8) bool {
	const (
		cx, cy   = 109.38, 152.02
		theta    = 2.53
		ecx, ecy = 1.60, 2.41
		a, bAxis = 25.39, 14.03
	)
	rf, gf, bf := float64(r), float64(g), float64(b)
	cb := 128 - 0.168736*rf - 0.331264*gf + 0.5*bf
	cr := 128 + 0.5*rf - 0.418688*gf - 0.081312*bf
	cos, sin := math.Cos(theta), math.Sin(theta)
	x := cos*(cb-cx) + sin*(cr-cy)
	y := -sin*(cb-cx) + cos*(cr-cy)
	dx, dy := (x-ecx)/a, (y-ecy)/bAxis
	return dx*dx+dy*dy <= 1
}

var (
	clothLUTOnce sync.Once
	clothLUT     []clothClass
)

// clothTable classifies every colour once at 6 bits a channel: a lookup is
// ~35× cheaper than float HSV per pixel (imaging.md §2.2: 1.7 ms against
// 57 ms for 1024×768), and the 2-level quantisation is far inside the
// classifier's margins.
func clothTable() []clothClass {
	clothLUTOnce.Do(func() {
		t := make([]clothClass, 1<<18)
		for i := range t {
			r := uint8(i>>12)<<2 | 2
			g := uint8(i>>6&63)<<2 | 2
			b := uint8(i&63)<<2 | 2
			t[i] = classifyCloth(r, g, b)
		}
		clothLUT = t
	})
	return clothLUT
}

func clothIndex(r, g, b uint8) int { return int(r>>2)<<12 | int(g>>2)<<6 | int(b>>2) }

// clothing is what the torso box holds.
type clothing struct {
	Box    image.Rectangle // working-image coordinates
	Counts [clothClasses]int
	// Lab is the mean colour of the non-skin pixels (averaged in linear
	// light, as the eye averages a pattern seen from afar).
	Lab [3]float64
	// Mask is 255 on red, blue and navy pixels and 128 on orange and
	// purple ones, over Box.
	Mask *image.Alpha
}

// Measured is the number of pixels the fractions are of: all but skin.
func (c clothing) Measured() int {
	n := 0
	for k, v := range c.Counts {
		if clothClass(k) != clothSkin {
			n += v
		}
	}
	return n
}

// Frac is the share of measured pixels in the classes.
func (c clothing) Frac(classes ...clothClass) float64 {
	n := c.Measured()
	if n == 0 {
		return 0
	}
	k := 0
	for _, cl := range classes {
		k += c.Counts[cl]
	}
	return float64(k) / float64(n)
}

// measureClothing classifies every pixel of box (clipped to img). Fractions
// of classes, not the dominant class, decide, so stripes count (§2.6).
func measureClothing(img *image.NRGBA, box image.Rectangle) clothing {
	box = box.Intersect(img.Rect)
	c := clothing{Box: box, Mask: image.NewAlpha(box)}
	if box.Empty() {
		return c
	}
	lut := clothTable()
	lin := srgbToLinearTable()
	var sr, sg, sb float64
	for y := box.Min.Y; y < box.Max.Y; y++ {
		row := img.Pix[img.PixOffset(box.Min.X, y):img.PixOffset(box.Max.X, y)]
		mrow := c.Mask.Pix[c.Mask.PixOffset(box.Min.X, y):]
		for x := 0; x < box.Dx(); x++ {
			p := row[4*x : 4*x+3 : 4*x+3]
			cl := lut[clothIndex(p[0], p[1], p[2])]
			c.Counts[cl]++
			switch cl {
			case clothSkin:
				continue
			case clothRed, clothBlue, clothNavy:
				mrow[x] = 255
			case clothOrange, clothPurple:
				mrow[x] = 128
			}
			sr += lin[p[0]]
			sg += lin[p[1]]
			sb += lin[p[2]]
		}
	}
	if n := float64(c.Measured()); n > 0 {
		c.Lab = linearToLab(sr/n, sg/n, sb/n)
	}
	return c
}

var (
	linOnce  sync.Once
	linTable [256]float64
)

func srgbToLinearTable() *[256]float64 {
	linOnce.Do(func() {
		for i := range linTable {
			v := float64(i) / 255
			if v <= 0.04045 {
				linTable[i] = v / 12.92
			} else {
				linTable[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
	})
	return &linTable
}

// rgbToLab is CIELAB (D65) of an 8-bit sRGB colour.
func rgbToLab(r, g, b uint8) [3]float64 {
	lin := srgbToLinearTable()
	return linearToLab(lin[r], lin[g], lin[b])
}

func linearToLab(r, g, b float64) [3]float64 {
	x := (0.4124*r + 0.3576*g + 0.1805*b) / 0.95047
	y := 0.2126*r + 0.7152*g + 0.0722*b
	z := (0.0193*r + 0.1192*g + 0.9505*b) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x), f(y), f(z)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

// deltaE76 is the Euclidean distance in CIELAB.
func deltaE76(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}
