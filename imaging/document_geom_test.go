package imaging

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveMorph is the definition: a pixel survives erosion when every
// pixel of its (2r+1)² window inside the plane is set, and is set by
// dilation when any is.
func naiveMorph(src []uint8, w, h, r int, erode bool) []uint8 {
	out := make([]uint8, len(src))
	for y := range h {
		for x := range w {
			all, any := true, false
			for j := max(y-r, 0); j <= min(y+r, h-1); j++ {
				for i := max(x-r, 0); i <= min(x+r, w-1); i++ {
					if src[j*w+i] != 0 {
						any = true
					} else {
						all = false
					}
				}
			}
			if (erode && all) || (!erode && any) {
				out[y*w+x] = 1
			}
		}
	}
	return out
}

func TestMorphologyMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ w, h, r int }{{37, 23, 1}, {40, 31, 3}, {9, 50, 6}, {64, 5, 2}, {1, 1, 1}} {
		src := make([]uint8, c.w*c.h)
		for i := range src {
			if rng.IntN(5) != 0 { // mostly set, with holes and specks
				src[i] = 1
			}
		}
		for _, erode := range []bool{true, false} {
			tmp := make([]uint8, len(src))
			got := make([]uint8, len(src))
			morphRows(src, tmp, c.w, c.h, c.r, erode)
			morphCols(tmp, got, c.w, c.h, c.r, erode)
			want := naiveMorph(src, c.w, c.h, c.r, erode)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%dx%d r=%d erode=%v: differs at (%d,%d)", c.w, c.h, c.r, erode, i%c.w, i/c.w)
				}
			}
		}
	}
}

func TestMinAreaRectOfTurnedRectangle(t *testing.T) {
	// A 300×180 rectangle turned clockwise on screen, as a hull.
	for _, deg := range []float64{0, 4, 17, -28, 44} {
		var h []pt
		th := deg * 3.141592653589793 / 180
		cs, sn := math.Cos(th), math.Sin(th)
		for _, p := range []pt{{-150, -90}, {150, -90}, {150, 90}, {-150, 90}} {
			h = append(h, pt{500 + p.x*cs - p.y*sn, 400 + p.x*sn + p.y*cs})
		}
		r := minAreaRect(h)
		if d := r.angle - deg; d > 0.01 || d < -0.01 || math.Abs(r.width-300) > 0.01 || math.Abs(r.height-180) > 0.01 {
			t.Errorf("%v°: got %+v", deg, r)
		}
	}
}
