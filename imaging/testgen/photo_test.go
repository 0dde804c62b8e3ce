package testgen

import (
	"bytes"
	"image/color"
	"testing"
)

func TestPhotoDeterministic(t *testing.T) {
	a := Photo(StandardPhoto())
	b := Photo(StandardPhoto())
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("the same spec rendered two different images")
	}
	s := StandardPhoto()
	s.Seed = 2
	if bytes.Equal(a.Pix, Photo(s).Pix) {
		t.Error("another seed gave the same noise")
	}
}

// TestPhotoLayout checks what the photo tests rely on, pixel by pixel:
// the backdrop in the corners, the top's colour under the chin, skin in
// the V-neck, and a room where the backdrop is too small.
func TestPhotoLayout(t *testing.T) {
	near := func(c color.NRGBA, want color.NRGBA, tol int) bool {
		d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
		return d(c.R, want.R) <= tol && d(c.G, want.G) <= tol && d(c.B, want.B) <= tol
	}
	s := StandardPhoto()
	s.Top = Top{Color: Red}
	s.Noise = 0
	img := Photo(s)
	face := s.FaceSize * float64(s.W)
	chin := s.FaceY*float64(s.H) + face/2
	tests := []struct {
		name string
		x, y int
		want color.NRGBA
		tol  int
	}{
		{"top-left corner", 5, 5, Backdrop, 12},
		{"top-right corner", s.W - 5, 5, Backdrop, 12},
		{"chest, beside the V-neck", int(0.5*float64(s.W) + 0.6*face), int(chin + 0.9*face), Red, 30},
		{"V-neck", s.W / 2, int(chin + 0.45*face), Skin, 12},
	}
	for _, tc := range tests {
		if c := img.NRGBAAt(tc.x, tc.y); !near(c, tc.want, tc.tol) {
			t.Errorf("%s (%d,%d) = %v, want ≈ %v", tc.name, tc.x, tc.y, c, tc.want)
		}
	}
	s.BackdropCover = 0.6
	if c := Photo(s).NRGBAAt(5, 5); near(c, Backdrop, 40) {
		t.Errorf("a 60 %% backdrop still shows in the corner: %v", c)
	}
}
