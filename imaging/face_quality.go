package imaging

import (
	"image"
	"math"
)

// faceExposure is the luma of the face's inner region.
type faceExposure struct {
	Mean    float64 // BT.601 luma of gamma-encoded values, 0–255
	Clipped float64 // share of pixels with luma ≥ the clip level
}

// faceCore is the part of a face box that is skin on a frontal face: pigo's
// box also holds hair, ears and some background, which would pull the mean
// towards the backdrop and count a white wall as clipped skin.
func faceCore(box image.Rectangle) image.Rectangle {
	s := box.Dx()
	return image.Rect(box.Min.X+s/5, box.Min.Y+s/5, box.Max.X-s/5, box.Max.Y-s/10)
}

func measureExposure(img *image.NRGBA, face image.Rectangle, clip uint8) faceExposure {
	r := faceCore(face).Intersect(img.Rect)
	if r.Empty() {
		return faceExposure{}
	}
	var sum, n, hi int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for x := 0; x+3 < len(row); x += 4 {
			l := (299*int(row[x]) + 587*int(row[x+1]) + 114*int(row[x+2]) + 500) / 1000
			sum += l
			n++
			if l >= int(clip) {
				hi++
			}
		}
	}
	return faceExposure{Mean: float64(sum) / float64(n), Clipped: float64(hi) / float64(n)}
}

// laplacianVariance is the variance of the 4-neighbour Laplacian of img's
// luma over its interior. Written as a loop: imaging.Convolve3x3 clamps the
// negative half away (imaging.md §4.5).
func laplacianVariance(img *image.NRGBA) float64 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w < 3 || h < 3 {
		return 0
	}
	g := grayPixels(img)
	var sum, sq float64
	n := 0
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			l := float64(int(g[i-1]) + int(g[i+1]) + int(g[i-w]) + int(g[i+w]) - 4*int(g[i]))
			sum += l
			sq += l * l
			n++
		}
	}
	m := sum / float64(n)
	return math.Max(0, sq/float64(n)-m*m)
}
