package imaging

import (
	"image"
)

// defined reports whether the caller gave a reference background at all;
// without one the backdrop checks have nothing to compare with.
func (bg Background) defined() bool { return bg != Background{} }

// Matches reports whether an 8-bit sRGB pixel belongs to the background:
// its HSV values inside the ranges (a hue range only when HueMin ≤ HueMax).
func (bg Background) Matches(r, g, b uint8) bool {
	h, s, v := hsv(r, g, b)
	if bg.HueMin <= bg.HueMax && (h < bg.HueMin || h > bg.HueMax) {
		return false
	}
	return s >= bg.SatMin && s <= bg.SatMax && v >= bg.ValMin
}

// Lab is the reference colour in CIELAB.
func (bg Background) Lab() [3]float64 { return rgbToLab(bg.RGB[0], bg.RGB[1], bg.RGB[2]) }

// backdropCorner is one top-corner patch and how much of it is background.
type backdropCorner struct {
	Box  image.Rectangle // working-image coordinates
	Frac float64
}

// backdropCorners measures the two top-corner patches (side frac of the
// width and height). The corners are where a room shows first when the
// backdrop is too small or too far; the backdrop's own lettering sits in
// its middle, so coverage there, not uniformity, is the measure (§1.1,
// §4.9).
func backdropCorners(img *image.NRGBA, bg Background, frac float64) [2]backdropCorner {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	pw, ph := max(1, int(frac*float64(w)+0.5)), max(1, int(frac*float64(h)+0.5))
	boxes := [2]image.Rectangle{
		image.Rect(0, 0, pw, ph).Add(img.Rect.Min),
		image.Rect(w-pw, 0, w, ph).Add(img.Rect.Min),
	}
	var out [2]backdropCorner
	for i, r := range boxes {
		n, in := 0, 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
			for x := 0; x+3 < len(row); x += 4 {
				n++
				if bg.Matches(row[x], row[x+1], row[x+2]) {
					in++
				}
			}
		}
		out[i] = backdropCorner{Box: r, Frac: float64(in) / float64(max(n, 1))}
	}
	return out
}
