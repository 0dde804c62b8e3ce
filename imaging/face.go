package imaging

import (
	"fmt"
	"image"
	"math"
	"sort"
	"sync"

	pigo "github.com/esimov/pigo/core"

	"github.com/icpfiling/icpfiling/imaging/cascade"
)

// Face is a face found in the working image.
type Face struct {
	// Box is the square pigo reports, in the coordinates of the image that
	// was searched.
	Box image.Rectangle
	// Score is pigo's detection score summed over the merged windows;
	// compare it with PhotoThresholds.FaceMinScore.
	Score float64
}

// Size is the side of the face box.
func (f Face) Size() int { return f.Box.Dx() }

// Centre is the middle of the face box.
func (f Face) Centre() image.Point {
	return image.Pt((f.Box.Min.X+f.Box.Max.X)/2, (f.Box.Min.Y+f.Box.Max.Y)/2)
}

var (
	faceFinderOnce sync.Once
	faceFinder     *pigo.Pigo
	faceFinderErr  error
)

// faceClassifier unpacks the embedded cascade once; pigo's Unpack indexes
// the bytes without bounds checks, so a length check guards a bad embed.
func faceClassifier() (*pigo.Pigo, error) {
	faceFinderOnce.Do(func() {
		if len(cascade.Facefinder) < 16 {
			faceFinderErr = fmt.Errorf("imaging: face cascade missing (%d bytes)", len(cascade.Facefinder))
			return
		}
		faceFinder, faceFinderErr = pigo.NewPigo().Unpack(cascade.Facefinder)
	})
	return faceFinder, faceFinderErr
}

// grayPixels is the BT.601 luma of img as pigo wants it (row-major, one
// byte a pixel). Integer weights keep it at ~2 ms for 1024×768, against
// pigo's own RgbToGrayscale going through image.Image.At.
func grayPixels(img *image.NRGBA) []uint8 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := make([]uint8, w*h)
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		o := out[y*w : (y+1)*w]
		for x := range o {
			p := row[4*x : 4*x+3 : 4*x+3]
			o[x] = uint8((299*uint32(p[0]) + 587*uint32(p[1]) + 114*uint32(p[2]) + 500) / 1000)
		}
	}
	return out
}

// Parameters of the window scan. PICO's reference values; a coarser shift
// loses small faces, a finer one only costs time.
const (
	faceShift = 0.1
	faceScale = 1.1
	// faceClusterIoU is the overlap at which pigo's greedy clustering joins
	// windows; what it leaves over is merged again by mergeFaces.
	faceClusterIoU = 0.2
	// faceDuplicateIoU and faceDuplicateCover decide that two clusters are
	// the same face: pigo's single pass leaves overlapping clusters (seen
	// on 10 of 15 synthetic photos, imaging.md §2.5).
	faceDuplicateIoU   = 0.3
	faceDuplicateCover = 0.6
)

// DetectFaces finds frontal faces in img with the default thresholds: every
// face scoring at least FaceMinScore, duplicates merged, best score first.
func DetectFaces(img *image.NRGBA) []Face {
	t := DefaultPhotoThresholds()
	all := detectFaces(grayPixels(img), img.Rect.Dx(), img.Rect.Dy(), t.FaceMinSizeFrac)
	var out []Face
	for _, f := range all {
		if f.Score >= t.FaceMinScore {
			out = append(out, f)
		}
	}
	return out
}

// detectFaces returns every merged detection, whatever its score, best
// first, in the coordinates of the w×h gray image.
func detectFaces(gray []uint8, w, h int, minFrac float64) []Face {
	clf, err := faceClassifier()
	if err != nil || w < 16 || h < 16 {
		return nil
	}
	short := min(w, h)
	cp := pigo.CascadeParams{
		MinSize:     max(20, int(minFrac*float64(short))),
		MaxSize:     short,
		ShiftFactor: faceShift,
		ScaleFactor: faceScale,
		ImageParams: pigo.ImageParams{Pixels: gray, Rows: h, Cols: w, Dim: w},
	}
	dets := runCascadeSplit(clf, cp)
	dets = clf.ClusterDetections(dets, faceClusterIoU)
	faces := make([]Face, 0, len(dets))
	for _, d := range dets {
		half := d.Scale / 2
		faces = append(faces, Face{
			Box:   image.Rect(d.Col-half, d.Row-half, d.Col-half+d.Scale, d.Row-half+d.Scale),
			Score: float64(d.Q),
		})
	}
	return mergeFaces(faces)
}

// runCascadeSplit runs pigo over disjoint ranges of window sizes in
// parallel. pigo visits sizes in a fixed sequence and the small sizes cost
// most (windows ∝ 1/size²), so the sequence is cut where the work halves.
// The classifier is read-only during RunCascade, so sharing it is safe.
func runCascadeSplit(clf *pigo.Pigo, cp pigo.CascadeParams) []pigo.Detection {
	var sizes []int
	var work []float64
	total := 0.0
	for s := cp.MinSize; s <= cp.MaxSize; s = int(float64(s) + math.Max(2, float64(s)*cp.ScaleFactor-float64(s))) {
		step := math.Max(cp.ShiftFactor*float64(s), 1)
		n := float64(cp.Rows-s) / step * float64(cp.Cols-s) / step
		sizes = append(sizes, s)
		work = append(work, n)
		total += n
	}
	parts := min(spareCores(), 4, len(sizes))
	if parts <= 1 {
		return clf.RunCascade(cp, 0)
	}
	// Cut points: the first size of each part.
	var starts []int
	acc, next := 0.0, 1
	starts = append(starts, 0)
	for i, n := range work {
		if next < parts && acc >= total*float64(next)/float64(parts) {
			starts = append(starts, i)
			next++
		}
		acc += n
	}
	results := make([][]pigo.Detection, len(starts))
	var wg sync.WaitGroup
	for k, first := range starts {
		last := len(sizes) - 1
		if k+1 < len(starts) {
			last = starts[k+1] - 1
		}
		p := cp
		p.MinSize, p.MaxSize = sizes[first], sizes[last]
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = clf.RunCascade(p, 0)
		}()
	}
	wg.Wait()
	var all []pigo.Detection
	for _, r := range results {
		all = append(all, r...)
	}
	return all
}

// mergeFaces is a greedy non-maximum suppression over pigo's clusters:
// the best box absorbs every box that overlaps it enough or lies mostly
// inside it, and takes over its score, so a face split into two clusters
// still counts once and keeps the evidence of both.
func mergeFaces(faces []Face) []Face {
	sort.SliceStable(faces, func(i, j int) bool { return faces[i].Score > faces[j].Score })
	var kept []Face
	for _, f := range faces {
		merged := false
		for i := range kept {
			inter := kept[i].Box.Intersect(f.Box)
			if inter.Empty() {
				continue
			}
			ia := float64(inter.Dx() * inter.Dy())
			a1 := float64(kept[i].Box.Dx() * kept[i].Box.Dy())
			a2 := float64(f.Box.Dx() * f.Box.Dy())
			if ia/(a1+a2-ia) > faceDuplicateIoU || ia/math.Min(a1, a2) > faceDuplicateCover {
				kept[i].Score += f.Score
				merged = true
				break
			}
		}
		if !merged {
			kept = append(kept, f)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Score > kept[j].Score })
	return kept
}
