package imaging

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

var clothNames = [...]string{"neutral", "dark", "skin", "red", "orange", "blue", "navy", "purple"}

func (c clothClass) String() string { return clothNames[c] }

// TestClassifyCloth: imaging.md §2.6's classes on the generator's wardrobe
// and on the colours at the edges of the rules.
func TestClassifyCloth(t *testing.T) {
	tests := []struct {
		name string
		c    color.NRGBA
		want clothClass
	}{
		{"red", testgen.Red, clothRed},
		{"dark red", testgen.DarkRed, clothRed},
		{"blue", testgen.Blue, clothBlue},
		{"sky blue", color.NRGBA{110, 170, 230, 255}, clothBlue},
		{"navy", testgen.Navy, clothNavy},
		{"steel blue", testgen.SteelBlue, clothBlue},
		{"black", testgen.Black, clothDark},
		{"very dark navy", color.NRGBA{20, 20, 40, 255}, clothNavy},
		{"near black blue", color.NRGBA{15, 15, 28, 255}, clothDark},
		{"white", testgen.White, clothNeutral},
		{"grey", testgen.Grey, clothNeutral},
		{"green", testgen.Green, clothNeutral},
		{"orange", testgen.Orange, clothOrange},
		{"purple", testgen.Purple, clothPurple},
		{"pink, low saturation", color.NRGBA{235, 160, 185, 255}, clothNeutral},
		{"cyan, hue below 195°", color.NRGBA{30, 135, 165, 255}, clothNeutral},
		{"generator skin", testgen.Skin, clothSkin},
		{"pale skin", color.NRGBA{236, 200, 180, 255}, clothSkin},
		{"tanned skin", color.NRGBA{170, 110, 80, 255}, clothSkin},
		// Beige reads as skin (§2.6, §4.8): neutral either way.
		{"beige", color.NRGBA{225, 200, 165, 255}, clothSkin},
		// Saturated orange-red lies inside the skin ellipse; the S ≥ 0.55
		// gate keeps it red.
		{"orange-red cloth", color.NRGBA{215, 60, 30, 255}, clothRed},
	}
	lut := clothTable()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := classifyCloth(tc.c.R, tc.c.G, tc.c.B); got != tc.want {
				h, s, v := hsv(tc.c.R, tc.c.G, tc.c.B)
				t.Errorf("%v (H %.0f S %.2f V %.2f) = %s, want %s", tc.c, h, s, v, got, tc.want)
			}
			if got := lut[clothIndex(tc.c.R, tc.c.G, tc.c.B)]; got != tc.want {
				t.Errorf("lookup table says %s, want %s: quantisation moved it", got, tc.want)
			}
		})
	}
}

func TestMeasureClothingStripesAndSkin(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 100, 100))
	for y := 0; y < 100; y++ {
		for x := 0; x < 100; x++ {
			c := testgen.White
			switch {
			case x < 20:
				c = testgen.Skin // an arm: left out of the fractions
			case (y/10)%2 == 0:
				c = testgen.Red
			}
			img.SetNRGBA(x, y, c)
		}
	}
	cl := measureClothing(img, image.Rect(-10, -10, 100, 100))
	if cl.Box != img.Rect {
		t.Errorf("box %v not clipped to the image", cl.Box)
	}
	if cl.Counts[clothSkin] != 2000 || cl.Measured() != 8000 {
		t.Errorf("skin %d measured %d, want 2000 and 8000", cl.Counts[clothSkin], cl.Measured())
	}
	if f := cl.Frac(clothRed); math.Abs(f-0.5) > 1e-9 {
		t.Errorf("red %.3f of the cloth, want 0.5", f)
	}
	if cl.Mask.AlphaAt(50, 5).A != 255 || cl.Mask.AlphaAt(50, 15).A != 0 || cl.Mask.AlphaAt(5, 5).A != 0 {
		t.Error("mask does not follow the red stripes")
	}
}

func TestDeltaE76(t *testing.T) {
	// Reference values: CIELAB of sRGB white is (100, 0, 0), black (0,0,0),
	// pure red ≈ (53.24, 80.09, 67.20).
	tests := []struct {
		rgb  [3]uint8
		want [3]float64
	}{
		{[3]uint8{255, 255, 255}, [3]float64{100, 0, 0}},
		{[3]uint8{0, 0, 0}, [3]float64{0, 0, 0}},
		{[3]uint8{255, 0, 0}, [3]float64{53.24, 80.09, 67.20}},
	}
	for _, tc := range tests {
		if d := deltaE76(rgbToLab(tc.rgb[0], tc.rgb[1], tc.rgb[2]), tc.want); d > 0.3 {
			t.Errorf("Lab%v = %v, want %v", tc.rgb, rgbToLab(tc.rgb[0], tc.rgb[1], tc.rgb[2]), tc.want)
		}
	}
}

func TestBackgroundMatches(t *testing.T) {
	tests := []struct {
		bg   Background
		c    color.NRGBA
		want bool
	}{
		{photoBlue, testgen.Backdrop, true},
		{photoBlue, color.NRGBA{30, 70, 130, 255}, true},    // in shadow, V 0.51
		{photoBlue, color.NRGBA{20, 40, 70, 255}, false},    // too dark: V 0.27
		{photoBlue, color.NRGBA{120, 130, 150, 255}, false}, // greyish: S 0.2
		{photoBlue, color.NRGBA{30, 150, 120, 255}, false},  // teal-green: hue 165°
		{photoBlue, testgen.WhiteWall, false},
		{photoWhite, testgen.WhiteWall, true},
		{photoWhite, color.NRGBA{200, 200, 205, 255}, true}, // a shaded white wall
		{photoWhite, color.NRGBA{170, 170, 170, 255}, false},
		{photoWhite, color.NRGBA{240, 225, 190, 255}, false}, // cream: S 0.21
		{photoWhite, testgen.Backdrop, false},
	}
	for _, tc := range tests {
		if got := tc.bg.Matches(tc.c.R, tc.c.G, tc.c.B); got != tc.want {
			t.Errorf("%s.Matches(%v) = %v", tc.bg.RuleID, tc.c, got)
		}
	}
}
