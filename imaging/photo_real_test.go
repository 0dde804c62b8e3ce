package imaging

import (
	"maps"
	"path/filepath"
	"testing"

	dimg "github.com/disintegration/imaging"
)

// TestCheckPhotoRealPhotographs runs the photo checks on real photographs
// (testdata/photo/README.md has their origin and licence): the landscape,
// the cat, the cup and a face in profile must not report a face, and the
// one real frontal portrait must be found and judged. Each runs as the
// file is, and upscaled to the 1024 px working size, where imaging.md
// §2.5 saw pigo score the cat 5.5 and the cup 8.4.
func TestCheckPhotoRealPhotographs(t *testing.T) {
	noFace := map[string]Verdict{"photo.faces": Fail, "photo.backdrop": Fail}
	astronaut := map[string]Verdict{
		"photo.faces": Pass, "photo.centred": Pass, "photo.face_size": Pass,
		// 43 px between the pupils in the 512 px file (imaging.md §2.5).
		"photo.eye_distance": Fail, "photo.upper_body": Pass,
		// The orange suit sits on the red/orange border (§2.6: warn).
		"photo.clothing": Warn, "photo.clothing_vs_backdrop": Pass,
		"photo.exposure": Pass, "photo.sharpness": Pass, "photo.roll": Pass,
		// A flag and a grey wall behind her, no backdrop.
		"photo.backdrop": Fail,
	}
	astronautUp := maps.Clone(astronaut)
	astronautUp["photo.eye_distance"] = Warn // doubled: 86 px, under 90
	// Upscaling 2× softens the face: 43 at 256 px, a true "not quite sharp".
	astronautUp["photo.sharpness"] = Warn
	// pigo's box is 10 % larger here, so the torso box reaches further down
	// the suit: red 32 % (orange 32 %) against 26 % in the file as it is.
	// The suit's hues straddle the 15° red/orange cut, so it lands on
	// either side of the 30 % line; both verdicts follow the rule.
	astronautUp["photo.clothing"] = Fail
	tests := []struct {
		file     string
		want     map[string]Verdict
		wantUp   map[string]Verdict
		minScore float64 // the face's score must be at least this
	}{
		{"astronaut.jpg", astronaut, astronautUp, 2 * DefaultPhotoThresholds().FaceMinScore},
		{"camera.jpg", noFace, noFace, 0},
		{"chelsea.jpg", noFace, noFace, 0},
		{"coffee.jpg", noFace, noFace, 0},
		{"rocket.jpg", noFace, noFace, 0},
	}
	for _, tc := range tests {
		path := filepath.Join("testdata", "photo", tc.file)
		t.Run(tc.file, func(t *testing.T) {
			w, _, err := Open(path, KindPhoto, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Release()
			checkRealPhoto(t, w, tc.want, tc.minScore)
		})
		t.Run(tc.file+" at 1024 px", func(t *testing.T) {
			src, err := dimg.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			checkRealPhoto(t, FromImage(dimg.Resize(src, WorkingSide, 0, dimg.Linear), 1), tc.wantUp, tc.minScore)
		})
	}
}

func checkRealPhoto(t *testing.T, w *Working, want map[string]Verdict, minScore float64) {
	t.Helper()
	want = maps.Clone(want)
	for id := range photoAllPass {
		if _, ok := want[id]; !ok {
			want[id] = photoAbsent
		}
	}
	photoAssertVerdicts(t, CheckPhoto(w, photoBlue), want)
	all := detectFaces(grayPixels(w.Img), w.Img.Rect.Dx(), w.Img.Rect.Dy(), DefaultPhotoThresholds().FaceMinSizeFrac)
	best := 0.0
	for _, f := range all {
		best = max(best, f.Score)
	}
	t.Logf("best pigo score %.1f", best)
	if minScore > 0 && best < minScore {
		t.Errorf("the face scored %.1f, want ≥ %.0f: too close to the threshold", best, minScore)
	}
}
