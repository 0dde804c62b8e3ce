package imaging_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// backgroundOf converts the rule pack's background the way a caller does;
// the package itself never imports filing.
func backgroundOf(t *testing.T, b *filing.PhotoBackground) imaging.Background {
	t.Helper()
	v, err := strconv.ParseUint(b.RGB[1:], 16, 32)
	if err != nil || len(b.RGB) != 7 {
		t.Fatalf("%s: rgb %q", b.ID, b.RGB)
	}
	return imaging.Background{RuleID: b.ID, RGB: [3]uint8{uint8(v >> 16), uint8(v >> 8), uint8(v)},
		HueMin: b.HueMin, HueMax: b.HueMax, SatMin: b.SatMin, SatMax: b.SatMax, ValMin: b.ValMin}
}

// TestPhotoAgainstRulePack: the backgrounds the shipped rule pack gives
// today accept the generator's backdrop and white wall, and each refuses
// the other, so the checks and the pack's ranges agree.
func TestPhotoAgainstRulePack(t *testing.T) {
	pack := filing.DefaultPack()
	today := filing.DateOf(time.Now())
	blue := pack.BackgroundFor("backdrop", today)
	white := pack.BackgroundFor("face_white", today)
	if blue == nil || white == nil {
		t.Fatal("the rule pack has no backdrop or face_white background today")
	}
	onBlue := testgen.StandardPhoto()
	onWhite := testgen.StandardPhoto()
	onWhite.Background, onWhite.Printed = testgen.WhiteWall, false
	whiteTop := onWhite
	whiteTop.Top = testgen.Top{Color: testgen.White}
	tests := []struct {
		name  string
		bg    *filing.PhotoBackground
		spec  testgen.PhotoSpec
		want  imaging.Verdict
		wantC imaging.Verdict // clothing_vs_backdrop
	}{
		{"backdrop photo, backdrop rule", blue, onBlue, imaging.Pass, imaging.Pass},
		{"white-wall photo, face_white rule", white, onWhite, imaging.Pass, imaging.Pass},
		{"white-wall photo, backdrop rule", blue, onWhite, imaging.Fail, imaging.Pass},
		{"backdrop photo, face_white rule", white, onBlue, imaging.Fail, imaging.Pass},
		{"white top on the white wall, face_white rule", white, whiteTop, imaging.Pass, imaging.Warn},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]imaging.Check{}
			for _, c := range imaging.CheckPhoto(imaging.FromImage(testgen.Photo(tc.spec), 1), backgroundOf(t, tc.bg)) {
				got[c.ID] = c
			}
			if c := got["photo.backdrop"]; c.Verdict != tc.want {
				t.Errorf("backdrop %s (%s), want %s", c.Verdict, c.Measured, tc.want)
			}
			if c := got["photo.clothing_vs_backdrop"]; c.Verdict != tc.wantC {
				t.Errorf("clothing vs backdrop %s (%s), want %s", c.Verdict, c.Measured, tc.wantC)
			}
		})
	}
}
