package imaging

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/icpfiling/icpfiling/imaging/cascade"
)

// The pupil locator runs pigo's puploc cascade, but with our own loop:
// pigo's RunDetector draws its perturbations from the global math/rand,
// which Go seeds randomly, so the same photo would give a slightly
// different roll on every run and a verdict could flip at a threshold.
// The tree walk below follows pigo v1.4.6 core/puploc.go classifyRegion
// (MIT, see imaging/cascade/LICENSE) with a fixed-seed generator.

type puplocCascade struct {
	stages, trees, depth int
	scale                float32 // window multiplier after each stage
	codes                []int8
	preds                []float32
}

var (
	puplocOnce sync.Once
	puploc     *puplocCascade
	puplocErr  error
)

func pupilCascade() (*puplocCascade, error) {
	puplocOnce.Do(func() { puploc, puplocErr = parsePuploc(cascade.Puploc) })
	return puploc, puplocErr
}

// parsePuploc reads the cascade format pigo's UnpackCascade reads, checking
// every length first, since a short file would otherwise panic mid-walk.
func parsePuploc(b []byte) (*puplocCascade, error) {
	if len(b) < 16 {
		return nil, errors.New("imaging: pupil cascade too short")
	}
	le := binary.LittleEndian
	c := &puplocCascade{
		stages: int(le.Uint32(b[0:])),
		scale:  math.Float32frombits(le.Uint32(b[4:])),
		trees:  int(le.Uint32(b[8:])),
		depth:  int(le.Uint32(b[12:])),
	}
	if c.stages <= 0 || c.stages > 64 || c.trees <= 0 || c.trees > 1024 || c.depth <= 0 || c.depth > 12 {
		return nil, errors.New("imaging: pupil cascade header out of range")
	}
	leaves := 1 << c.depth
	perTree := 4*leaves - 4 + 8*leaves
	if len(b) != 16+c.stages*c.trees*perTree {
		return nil, errors.New("imaging: pupil cascade has the wrong length")
	}
	c.codes = make([]int8, 0, c.stages*c.trees*(4*leaves-4))
	c.preds = make([]float32, 0, c.stages*c.trees*2*leaves)
	pos := 16
	for t := 0; t < c.stages*c.trees; t++ {
		for _, v := range b[pos : pos+4*leaves-4] {
			c.codes = append(c.codes, int8(v))
		}
		pos += 4*leaves - 4
		for i := 0; i < 2*leaves; i++ {
			c.preds = append(c.preds, math.Float32frombits(le.Uint32(b[pos:])))
			pos += 4
		}
	}
	return c, nil
}

// regress moves (r, c, s) towards the pupil through every stage.
func (p *puplocCascade) regress(r, c, s float32, pix []uint8, rows, cols int) (float32, float32) {
	leaves := 1 << p.depth
	root, tree := 0, 0
	for i := 0; i < p.stages; i++ {
		var dr, dc float32
		si := int(math.Round(float64(s)))
		ri, ci := int(r), int(c)
		for j := 0; j < p.trees; j++ {
			idx := 0
			for k := 0; k < p.depth; k++ {
				code := p.codes[root+4*idx : root+4*idx+4 : root+4*idx+4]
				r1 := clampIdx((256*ri+int(code[0])*si)>>8, 0, rows-1)
				c1 := clampIdx((256*ci+int(code[1])*si)>>8, 0, cols-1)
				r2 := clampIdx((256*ri+int(code[2])*si)>>8, 0, rows-1)
				c2 := clampIdx((256*ci+int(code[3])*si)>>8, 0, cols-1)
				idx = 2*idx + 1
				if pix[r1*cols+c1] > pix[r2*cols+c2] {
					idx++
				}
			}
			lut := 2 * (leaves*tree + idx - (leaves - 1))
			dr += p.preds[lut]
			dc += p.preds[lut+1]
			root += 4*leaves - 4
			tree++
		}
		r += dr * s
		c += dc * s
		s *= p.scale
	}
	return r, c
}

// pupilPerturbs is how many jittered starts vote; pigo's examples use 63.
const pupilPerturbs = 63

// locatePupil runs the cascade from jittered starts around (row, col) with
// window side scale and returns the median landing point, as pigo does.
func (p *puplocCascade) locatePupil(row, col, scale float32, pix []uint8, rows, cols int) (float32, float32) {
	rng := rand.New(rand.NewPCG(0x1c9f, 0x2a17))
	rs := make([]float32, pupilPerturbs)
	cs := make([]float32, pupilPerturbs)
	for i := range rs {
		r0 := row + scale*0.15*(0.5-rng.Float32())
		c0 := col + scale*0.15*(0.5-rng.Float32())
		s0 := scale * (0.925 + 0.15*rng.Float32())
		rs[i], cs[i] = p.regress(r0, c0, s0, pix, rows, cols)
	}
	slices.Sort(rs)
	slices.Sort(cs)
	return rs[pupilPerturbs/2], cs[pupilPerturbs/2]
}

// pupilPair is the two pupils of a face in the coordinates of the searched
// image; Left is the one with the smaller x.
type pupilPair struct {
	LeftX, LeftY, RightX, RightY float64
}

// Distance between the pupils.
func (e pupilPair) Distance() float64 { return math.Hypot(e.RightX-e.LeftX, e.RightY-e.LeftY) }

// Roll is the angle of the pupil line in degrees; positive when the right
// pupil (in the image) is lower than the left one.
func (e pupilPair) Roll() float64 {
	return math.Atan2(e.RightY-e.LeftY, e.RightX-e.LeftX) * 180 / math.Pi
}

// findEyes places both pupils of face. The start points are pigo's
// (cmd/pigo): 7.5 % of the face above its centre, 17.5 % / 18.5 % to the
// sides, window a quarter of the face.
func findEyes(face Face, gray []uint8, w, h int) (pupilPair, bool) {
	pc, err := pupilCascade()
	if err != nil {
		return pupilPair{}, false
	}
	s := float32(face.Size())
	c := face.Centre()
	row := float32(c.Y) - 0.075*s
	lr, lc := pc.locatePupil(row, float32(c.X)-0.175*s, 0.25*s, gray, h, w)
	rr, rc := pc.locatePupil(row, float32(c.X)+0.185*s, 0.25*s, gray, h, w)
	e := pupilPair{LeftX: float64(lc), LeftY: float64(lr), RightX: float64(rc), RightY: float64(rr)}
	if e.LeftX > e.RightX {
		e.LeftX, e.LeftY, e.RightX, e.RightY = e.RightX, e.RightY, e.LeftX, e.LeftY
	}
	// A pupil pair must look like one: both inside the face box and about
	// a third of the face apart; anything else is a failed localisation.
	ratio := e.Distance() / float64(s)
	r := face.Box
	inside := func(x, y float64) bool {
		return x >= float64(r.Min.X) && x < float64(r.Max.X) && y >= float64(r.Min.Y) && y < float64(r.Max.Y)
	}
	ok := ratio > 0.2 && ratio < 0.65 && inside(e.LeftX, e.LeftY) && inside(e.RightX, e.RightY)
	return e, ok
}

func clampIdx(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
