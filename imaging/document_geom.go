package imaging

import (
	"image"
	"math"
	"slices"
)

// Plain-Go image geometry for the document checks (imaging.md §1.1
// "Document crop / edges": Otsu → opening → largest bright component →
// convex hull → minimum-area rectangle). All of it works on flat []uint8
// planes of the working image; nothing here allocates per pixel.

// lumaPlane is BT.601 luma of an NRGBA image, one byte per pixel.
func lumaPlane(img *image.NRGBA) []uint8 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := make([]uint8, w*h)
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		o := out[y*w : y*w+w]
		for x := range o {
			p := row[4*x : 4*x+3 : 4*x+3]
			o[x] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
		}
	}
	return out
}

// otsu is the threshold that best separates the histogram in two classes:
// pixels > t are "bright".
func otsu(hist *[256]int) int {
	total, sum := 0, 0.0
	for i, n := range hist {
		total += n
		sum += float64(i * n)
	}
	best, bestVar := 127, -1.0
	wB, sumB := 0, 0.0
	for t := range 256 {
		wB += hist[t]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(t * hist[t])
		mB := sumB / float64(wB)
		mF := (sum - sumB) / float64(wF)
		v := float64(wB) * float64(wF) * (mB - mF) * (mB - mF)
		if v > bestVar {
			best, bestVar = t, v
		}
	}
	return best
}

// morphRows erodes (all of the window set) or dilates (any of it) each
// row of a binary plane with a window of 2r+1, run by run: document masks
// are long runs, so the cost is a scan plus a fill. Erosion treats the
// outside as set, so a document touching the frame stays touching it.
func morphRows(src, dst []uint8, w, h, r int, erode bool) {
	for y := range h {
		s, d := src[y*w:y*w+w], dst[y*w:y*w+w]
		clear(d)
		for x := 0; x < w; {
			for x < w && s[x] == 0 {
				x++
			}
			a := x
			for x < w && s[x] != 0 {
				x++
			}
			if a == x {
				break
			}
			lo, hi := max(a-r, 0), min(x+r, w)
			if erode {
				lo, hi = a+r, x-r
				if a == 0 {
					lo = 0
				}
				if x == w {
					hi = w
				}
			}
			for i := lo; i < hi; i++ {
				d[i] = 1
			}
		}
	}
}

// morphCols is morphRows down the columns, with a running count per
// column updated a whole row at a time (cache-friendly, unlike walking
// each column).
func morphCols(src, dst []uint8, w, h, r int, erode bool) {
	cnt := make([]int32, w)
	add := func(y int, k int32) {
		row := src[y*w : y*w+w]
		for x, v := range row {
			cnt[x] += k * int32(v)
		}
	}
	for y := range min(r, h) {
		add(y, 1)
	}
	for y := range h {
		if y+r < h {
			add(y+r, 1)
		}
		if y-r-1 >= 0 {
			add(y-r-1, -1)
		}
		full := int32(min(y+r, h-1) - max(y-r, 0) + 1)
		d := dst[y*w : y*w+w]
		for x, c := range cnt {
			var v uint8
			if (erode && c == full) || (!erode && c > 0) {
				v = 1
			}
			d[x] = v
		}
	}
}

// opening removes bright structures thinner than 2r+1 (texture, lettering
// on the table, a cable) so that they do not join the document.
func opening(mask []uint8, w, h, r int) {
	tmp := make([]uint8, len(mask))
	morphRows(mask, tmp, w, h, r, true)
	morphCols(tmp, mask, w, h, r, true)
	morphRows(mask, tmp, w, h, r, false)
	morphCols(tmp, mask, w, h, r, false)
}

// component is a 4-connected set of pixels of a binary plane.
type component struct {
	area int
	box  image.Rectangle
	// rows[y-box.Min.Y] is the leftmost and rightmost x of the component
	// on row y (-1 when the row is empty): enough for its convex hull.
	rows [][2]int32
}

// largestComponent labels the set pixels of mask and returns the largest
// 4-connected component (area 0 when mask is empty). labels is scratch
// space of len(mask), reused between calls (nil: allocate).
func largestComponent(mask []uint8, w, h int, labels []int32) component {
	if len(labels) < len(mask) {
		labels = make([]int32, len(mask))
	}
	labels = labels[:len(mask)]
	clear(labels)
	stack := make([]int32, 0, 1024)
	var bestLabel int32
	bestArea := 0
	var next int32
	for i, v := range mask {
		if v == 0 || labels[i] != 0 {
			continue
		}
		next++
		labels[i] = next
		stack = append(stack[:0], int32(i))
		area := 0
		for len(stack) > 0 {
			p := int(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
			area++
			x := p % w
			if x > 0 && mask[p-1] != 0 && labels[p-1] == 0 {
				labels[p-1] = next
				stack = append(stack, int32(p-1))
			}
			if x < w-1 && mask[p+1] != 0 && labels[p+1] == 0 {
				labels[p+1] = next
				stack = append(stack, int32(p+1))
			}
			if p >= w && mask[p-w] != 0 && labels[p-w] == 0 {
				labels[p-w] = next
				stack = append(stack, int32(p-w))
			}
			if p+w < len(mask) && mask[p+w] != 0 && labels[p+w] == 0 {
				labels[p+w] = next
				stack = append(stack, int32(p+w))
			}
		}
		if area > bestArea {
			bestArea, bestLabel = area, next
		}
	}
	c := component{area: bestArea}
	if bestArea == 0 {
		return c
	}
	x0, y0, x1, y1 := w, h, -1, -1
	rows := make([][2]int32, h)
	for y := range h {
		rows[y] = [2]int32{-1, -1}
		row := labels[y*w : y*w+w]
		for x, l := range row {
			if l != bestLabel {
				continue
			}
			if rows[y][0] < 0 {
				rows[y][0] = int32(x)
			}
			rows[y][1] = int32(x)
		}
		if rows[y][0] >= 0 {
			x0, x1 = min(x0, int(rows[y][0])), max(x1, int(rows[y][1]))
			y0, y1 = min(y0, y), max(y1, y)
		}
	}
	c.box = image.Rect(x0, y0, x1+1, y1+1)
	c.rows = rows[y0 : y1+1]
	return c
}

type pt struct{ x, y float64 }

// hull is the convex hull (counter-clockwise in image coordinates' math
// sense, Andrew's monotone chain) of the component's pixel corners.
func (c component) hull() []pt {
	var ps []pt
	for i, r := range c.rows {
		if r[0] < 0 {
			continue
		}
		y := float64(c.box.Min.Y + i)
		ps = append(ps, pt{float64(r[0]), y}, pt{float64(r[0]), y + 1},
			pt{float64(r[1] + 1), y}, pt{float64(r[1] + 1), y + 1})
	}
	slices.SortFunc(ps, func(a, b pt) int {
		if a.x != b.x {
			if a.x < b.x {
				return -1
			}
			return 1
		}
		if a.y < b.y {
			return -1
		}
		if a.y > b.y {
			return 1
		}
		return 0
	})
	ps = slices.Compact(ps)
	if len(ps) < 3 {
		return ps
	}
	cross := func(o, a, b pt) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }
	h := make([]pt, 0, 2*len(ps))
	for _, p := range ps {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	lower := len(h) + 1
	for i := len(ps) - 2; i >= 0; i-- {
		p := ps[i]
		for len(h) >= lower && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	return h[:len(h)-1]
}

func polygonArea(p []pt) float64 {
	a := 0.0
	for i := range p {
		j := (i + 1) % len(p)
		a += p[i].x*p[j].y - p[j].x*p[i].y
	}
	return math.Abs(a) / 2
}

// rotRect is a minimum-area bounding rectangle: its angle in degrees in
// (-45, 45] (positive = turned clockwise on screen, as y points down),
// width along that angle and height across it.
type rotRect struct {
	angle, width, height float64
}

// minAreaRect tries every hull edge as a side (the minimum-area rectangle
// has a side on the hull: Freeman & Shapira); hulls here have tens to a
// few hundred points, so O(n²) costs well under a millisecond.
func minAreaRect(h []pt) rotRect {
	best := rotRect{}
	bestArea := math.Inf(1)
	for i := range h {
		a, b := h[i], h[(i+1)%len(h)]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		ux, uy := dx/l, dy/l
		minU, maxU, minV, maxV := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, p := range h {
			u := p.x*ux + p.y*uy
			v := -p.x*uy + p.y*ux
			minU, maxU = min(minU, u), max(maxU, u)
			minV, maxV = min(minV, v), max(maxV, v)
		}
		if area := (maxU - minU) * (maxV - minV); area < bestArea {
			bestArea = area
			best = rotRect{angle: math.Atan2(uy, ux) * 180 / math.Pi, width: maxU - minU, height: maxV - minV}
		}
	}
	// Normalise to (-45, 45], swapping the sides when turning by 90°.
	for best.angle <= -45 {
		best.angle += 90
		best.width, best.height = best.height, best.width
	}
	for best.angle > 45 {
		best.angle -= 90
		best.width, best.height = best.height, best.width
	}
	return best
}

// lapVar is the variance of the 4-neighbour Laplacian over r of a luma
// plane: the blur measure of imaging.md §2.7, in integers (imaging's
// Convolve3x3 clamps the negative half away, §4.5).
func lapVar(l []uint8, w int, r image.Rectangle) float64 {
	var sum, sq int64
	n := 0
	for y := max(r.Min.Y, 1); y < r.Max.Y-1; y++ {
		row := l[y*w:]
		up, dn := l[(y-1)*w:], l[(y+1)*w:]
		for x := max(r.Min.X, 1); x < min(r.Max.X, w)-1; x++ {
			v := 4*int64(row[x]) - int64(row[x-1]) - int64(row[x+1]) - int64(up[x]) - int64(dn[x])
			sum += v
			sq += v * v
			n++
		}
	}
	if n == 0 {
		return 0
	}
	m := float64(sum) / float64(n)
	return float64(sq)/float64(n) - m*m
}

// quad is the four hull points farthest towards the corners of r's frame
// (top-left, top-right, bottom-right, bottom-left along r's axes): the
// corners of a document seen in perspective, whose hull is a trapezoid
// rather than a rectangle.
func quadOf(h []pt, r rotRect) [4]pt {
	th := r.angle * math.Pi / 180
	ux, uy := math.Cos(th), math.Sin(th)
	var q [4]pt
	best := [4]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, p := range h {
		u := p.x*ux + p.y*uy
		v := -p.x*uy + p.y*ux
		for i, s := range [4]float64{-u - v, u - v, u + v, -u + v} {
			if s > best[i] {
				best[i], q[i] = s, p
			}
		}
	}
	return q
}

// quadShape is a quadrilateral's proportions: long/short from the means
// of opposite sides, and its keystone, how much shorter the shorter of
// two opposite sides is than the longer (0 for a rectangle).
func quadShape(q [4]pt) (aspect, keystone float64) {
	d := func(a, b pt) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }
	top, bottom, left, right := d(q[0], q[1]), d(q[3], q[2]), d(q[0], q[3]), d(q[1], q[2])
	ks := func(a, b float64) float64 { return 1 - min(a, b)/max(a, b, 1e-9) }
	across, down := (top+bottom)/2, (left+right)/2
	return max(across, down) / max(min(across, down), 1e-9), max(ks(top, bottom), ks(left, right))
}

// clearBorderConnected unsets every set pixel of mask connected to the
// frame's edge: on a scan those are the bed or the lid, not the document.
func clearBorderConnected(mask []uint8, w, h int) {
	var stack []int32
	push := func(i int) {
		if mask[i] != 0 {
			mask[i] = 0
			stack = append(stack, int32(i))
		}
	}
	for x := range w {
		push(x)
		push((h-1)*w + x)
	}
	for y := range h {
		push(y * w)
		push(y*w + w - 1)
	}
	for len(stack) > 0 {
		p := int(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		x := p % w
		if x > 0 {
			push(p - 1)
		}
		if x < w-1 {
			push(p + 1)
		}
		if p >= w {
			push(p - w)
		}
		if p+w < len(mask) {
			push(p + w)
		}
	}
}
