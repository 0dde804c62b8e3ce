package imaging

import (
	"image"
	"image/color"
	"sync"

	dimg "github.com/disintegration/imaging"
)

// reduce box-filters img so that its long side is at most maxSide; a
// smaller image is copied, never upscaled (blur measures would lie).
//
// JPEGs get a hand-written path straight from the YCbCr planes: averaging
// before the colour conversion converts 1 pixel in ~15 instead of all of
// them, and allocates only the output; imaging.Resize pays a full
// YCbCr→NRGBA conversion (imaging.md §2.2, §4.4).
func reduce(img image.Image, maxSide int) *image.NRGBA {
	b := img.Bounds()
	ow, oh := fitSide(b.Dx(), b.Dy(), maxSide)
	return reduceTo(img, ow, oh)
}

// reduceTo box-filters img onto ow×oh pixels, no larger than img.
func reduceTo(img image.Image, ow, oh int) *image.NRGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch src := img.(type) {
	case *image.YCbCr:
		return reduceYCbCr(src, ow, oh)
	case *image.Gray:
		dst := image.NewNRGBA(image.Rect(0, 0, ow, oh))
		g := make([]uint8, ow*oh)
		boxPlane(src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride, 1, w, h, g, ow, oh)
		for i, v := range g {
			dst.Pix[4*i], dst.Pix[4*i+1], dst.Pix[4*i+2], dst.Pix[4*i+3] = v, v, v, 0xff
		}
		return dst
	case *image.NRGBA:
		return reduceInterleaved(src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride, w, h, ow, oh, false)
	case *image.RGBA:
		return reduceInterleaved(src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride, w, h, ow, oh, true)
	}
	if ow == w && oh == h {
		return dimg.Clone(img)
	}
	return dimg.Resize(img, ow, oh, dimg.Box)
}

// fitSide is the size with the long side at most maxSide, aspect kept.
func fitSide(w, h, maxSide int) (int, int) {
	if maxSide <= 0 || (w <= maxSide && h <= maxSide) {
		return w, h
	}
	if w >= h {
		oh := (h*maxSide + w/2) / w
		return maxSide, max(oh, 1)
	}
	ow := (w*maxSide + h/2) / h
	return max(ow, 1), maxSide
}

func reduceYCbCr(src *image.YCbCr, ow, oh int) *image.NRGBA {
	b := src.Rect
	w, h := b.Dx(), b.Dy()
	n := ow * oh
	planes := make([]uint8, 3*n)
	yp, cbp, crp := planes[:n], planes[n:2*n], planes[2*n:]
	boxPlane(src.Y[src.YOffset(b.Min.X, b.Min.Y):], src.YStride, 1, w, h, yp, ow, oh)
	// The chroma planes cover the same picture with fewer samples; box them
	// over their own extent onto the same output grid.
	c0 := src.COffset(b.Min.X, b.Min.Y)
	c1 := src.COffset(b.Max.X-1, b.Max.Y-1)
	cw := c1%src.CStride - c0%src.CStride + 1
	ch := c1/src.CStride - c0/src.CStride + 1
	if cw < 1 || ch < 1 || c1 >= len(src.Cb) {
		return dimg.Resize(src, ow, oh, dimg.Box)
	}
	boxPlane(src.Cb[c0:], src.CStride, 1, cw, ch, cbp, ow, oh)
	boxPlane(src.Cr[c0:], src.CStride, 1, cw, ch, crp, ow, oh)
	dst := image.NewNRGBA(image.Rect(0, 0, ow, oh))
	for i := range n {
		r, g, bl := color.YCbCrToRGB(yp[i], cbp[i], crp[i])
		p := dst.Pix[4*i : 4*i+4 : 4*i+4]
		p[0], p[1], p[2], p[3] = r, g, bl, 0xff
	}
	return dst
}

func reduceInterleaved(pix []uint8, stride, w, h, ow, oh int, premultiplied bool) *image.NRGBA {
	dst := image.NewNRGBA(image.Rect(0, 0, ow, oh))
	plane := make([]uint8, ow*oh)
	for c := range 4 {
		boxPlane(pix[c:], stride, 4, w, h, plane, ow, oh)
		for i, v := range plane {
			dst.Pix[4*i+c] = v
		}
	}
	if premultiplied {
		for i := 0; i < len(dst.Pix); i += 4 {
			a := uint32(dst.Pix[i+3])
			if a == 0xff || a == 0 {
				continue
			}
			for c := range 3 {
				dst.Pix[i+c] = uint8(min(uint32(dst.Pix[i+c])*0xff/a, 0xff))
			}
		}
	}
	return dst
}

// boxPlane averages a w×h plane of 8-bit samples (step bytes apart, rows
// stride apart) onto an ow×oh grid, each output the mean of the source
// samples whose index maps to it. Output rows are split among the spare
// cores, when there are any.
func boxPlane(src []uint8, stride, step, w, h int, dst []uint8, ow, oh int) {
	xb := make([]int, ow+1)
	for i := range xb {
		xb[i] = i * w / ow
	}
	workers := min(spareCores(), max(oh/64, 1))
	var wg sync.WaitGroup
	for k := range workers {
		y0, y1 := k*oh/workers, (k+1)*oh/workers
		wg.Go(func() {
			col := make([]uint32, w+1) // col[x+1] becomes a prefix sum over x
			for oy := y0; oy < y1; oy++ {
				sy0, sy1 := oy*h/oh, (oy+1)*h/oh
				if sy1 <= sy0 {
					sy1 = sy0 + 1
				}
				clear(col)
				for sy := sy0; sy < sy1; sy++ {
					row := src[sy*stride:]
					c := col[1 : w+1]
					if step == 1 { // planes: the hot case, kept free of the multiply
						row = row[:w]
						for x, v := range row {
							c[x] += uint32(v)
						}
						continue
					}
					row = row[:(w-1)*step+1]
					for x := range c {
						c[x] += uint32(row[x*step])
					}
				}
				for x := 1; x <= w; x++ {
					col[x] += col[x-1]
				}
				rows := uint32(sy1 - sy0)
				out := dst[oy*ow : oy*ow+ow]
				for ox := range out {
					x0, x1 := xb[ox], xb[ox+1]
					if x1 <= x0 {
						x1 = x0 + 1
					}
					cnt := rows * uint32(x1-x0)
					out[ox] = uint8((col[x1] - col[x0] + cnt/2) / cnt)
				}
			}
		})
	}
	wg.Wait()
}

// orient turns a stored image the way its EXIF orientation says it should
// be shown; orientFull does the turning for every image type.
func orient(img *image.NRGBA, o int) *image.NRGBA {
	if o < 2 || o > 8 {
		return img
	}
	return orientFull(img, o).(*image.NRGBA)
}

// unorientRect maps a rectangle of the shown (oriented) image back to the
// stored image of size w×h: the inverse of orient, for rectangles.
func unorientRect(r image.Rectangle, o, w, h int) image.Rectangle {
	X0, Y0, X1, Y1 := r.Min.X, r.Min.Y, r.Max.X, r.Max.Y
	switch o {
	case 2:
		return image.Rect(w-X1, Y0, w-X0, Y1)
	case 3:
		return image.Rect(w-X1, h-Y1, w-X0, h-Y0)
	case 4:
		return image.Rect(X0, h-Y1, X1, h-Y0)
	case 5:
		return image.Rect(Y0, X0, Y1, X1)
	case 6:
		return image.Rect(Y0, h-X1, Y1, h-X0)
	case 7:
		return image.Rect(w-Y1, h-X1, w-Y0, h-X0)
	case 8:
		return image.Rect(w-Y1, X0, w-Y0, X1)
	}
	return r
}

// subImage crops without copying where the type allows it.
func subImage(img image.Image, r image.Rectangle) image.Image {
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r)
	}
	return dimg.Crop(img, r)
}
