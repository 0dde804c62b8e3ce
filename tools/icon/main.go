// Command icon draws the app icon, assets/icon.png: a white filing form
// with "ICP" on a blue tile and a green check badge. It is run by hand
// (go run ./tools/icon) and its output committed, so the icon is ours and
// reproducible without a drawing program or a font.
package main

import (
	"flag"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const size = 512

// shape says whether a point (in icon pixels) is inside.
type shape func(x, y float64) bool

type layer struct {
	in  shape
	col func(x, y float64) color.NRGBA
}

func solid(c color.NRGBA) func(x, y float64) color.NRGBA {
	return func(x, y float64) color.NRGBA { return c }
}

func rect(x0, y0, x1, y1 float64) shape {
	return func(x, y float64) bool { return x >= x0 && x < x1 && y >= y0 && y < y1 }
}

func roundRect(x0, y0, x1, y1, r float64) shape {
	return func(x, y float64) bool {
		if x < x0 || x >= x1 || y < y0 || y >= y1 {
			return false
		}
		cx := math.Max(x0+r, math.Min(x, x1-r))
		cy := math.Max(y0+r, math.Min(y, y1-r))
		return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
	}
}

func circle(cx, cy, r float64) shape {
	return func(x, y float64) bool { return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r }
}

// ring between radii r0 and r1 around (cx, cy), restricted by keep.
func ring(cx, cy, r0, r1 float64, keep func(angle float64) bool) shape {
	return func(x, y float64) bool {
		d := math.Hypot(x-cx, y-cy)
		return d >= r0 && d <= r1 && keep(math.Atan2(y-cy, x-cx))
	}
}

// stroke is a thick polyline with round joints.
func stroke(w float64, pts ...[2]float64) shape {
	return func(x, y float64) bool {
		for i := 0; i+1 < len(pts); i++ {
			ax, ay, bx, by := pts[i][0], pts[i][1], pts[i+1][0], pts[i+1][1]
			dx, dy := bx-ax, by-ay
			t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
			t = math.Max(0, math.Min(1, t))
			if math.Hypot(x-(ax+t*dx), y-(ay+t*dy)) <= w/2 {
				return true
			}
		}
		return false
	}
}

func union(s ...shape) shape {
	return func(x, y float64) bool {
		for _, f := range s {
			if f(x, y) {
				return true
			}
		}
		return false
	}
}

// below is the half-plane under the line through (ax, ay)-(bx, by).
func below(ax, ay, bx, by float64) shape {
	return func(x, y float64) bool { return (bx-ax)*(y-ay)-(by-ay)*(x-ax) > 0 }
}

func main() {
	out := flag.String("o", "assets/icon.png", "where to write the PNG")
	flag.Parse()

	blueTop := color.NRGBA{0x2B, 0x7C, 0xE6, 0xFF}
	blueBottom := color.NRGBA{0x0B, 0x4A, 0xA8, 0xFF}
	ink := color.NRGBA{0x0B, 0x4A, 0xA8, 0xFF}
	green := color.NRGBA{0x1F, 0xAF, 0x5A, 0xFF}
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	fold := color.NRGBA{0xC9, 0xDB, 0xF2, 0xFF}
	grey := color.NRGBA{0xB8, 0xC6, 0xD8, 0xFF}

	// The form: a rounded sheet with its top-right corner folded down.
	const dx0, dy0, dx1, dy1, cut = 112.0, 64.0, 384.0, 448.0, 84.0
	diagonal := below(dx1-cut, dy0, dx1, dy0+cut) // under the fold line
	sheet := func(x, y float64) bool {
		return roundRect(dx0, dy0, dx1, dy1, 22)(x, y) && (diagonal(x, y) || x < dx1-cut || y > dy0+cut)
	}
	// The flap: the cut-off corner mirrored over the fold line.
	foldTri := func(x, y float64) bool {
		return x >= dx1-cut && y <= dy0+cut && diagonal(x, y)
	}

	// "ICP" drawn from bars and rings, no font needed.
	const top, h, s = 128.0, 84.0, 17.0
	letterI := rect(152, top, 152+s, top+h)
	letterC := ring(229, top+h/2, h/2-s, h/2, func(a float64) bool { return math.Abs(a) > 0.75 })
	const px = 284.0
	bowlR := 27.0
	bowlCY := top + bowlR
	letterP := union(
		rect(px, top, px+s, top+h),
		rect(px, top, px+s+14, top+s),
		rect(px, bowlCY+bowlR-s, px+s+14, bowlCY+bowlR),
		ring(px+s+14, bowlCY, bowlR-s, bowlR, func(a float64) bool { return math.Abs(a) <= math.Pi/2 }),
	)
	text := union(letterI, letterC, letterP)
	lines := union(roundRect(152, 250, 340, 266, 8), roundRect(152, 290, 300, 306, 8), roundRect(152, 330, 250, 346, 8))

	const bx, by, br = 368.0, 384.0, 84.0
	layers := []layer{
		{roundRect(0, 0, size, size, 96), func(x, y float64) color.NRGBA {
			t := y / size
			mix := func(a, b uint8) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t) }
			return color.NRGBA{mix(blueTop.R, blueBottom.R), mix(blueTop.G, blueBottom.G), mix(blueTop.B, blueBottom.B), 0xFF}
		}},
		{sheet, solid(white)},
		{foldTri, solid(fold)},
		{text, solid(ink)},
		{lines, solid(grey)},
		{circle(bx, by, br+12), solid(white)},
		{circle(bx, by, br), solid(green)},
		{stroke(24, [2]float64{bx - 40, by + 2}, [2]float64{bx - 10, by + 32}, [2]float64{bx + 42, by - 30}), solid(white)},
	}

	const ss = 4 // 4×4 samples a pixel: smooth edges
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := float64(px) + (float64(sx)+0.5)/ss
					y := float64(py) + (float64(sy)+0.5)/ss
					var cr, cg, cb, ca float64
					for _, l := range layers {
						if !l.in(x, y) {
							continue
						}
						c := l.col(x, y)
						cr, cg, cb, ca = float64(c.R), float64(c.G), float64(c.B), 1
					}
					r, g, b, a = r+cr*ca, g+cg*ca, b+cb*ca, a+ca
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(r/a + 0.5), uint8(g/a + 0.5), uint8(b/a + 0.5), uint8(255*a/(ss*ss) + 0.5)})
		}
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
