package imaging

import (
	"fmt"
	"image"
	"image/color"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// The rule pack's two backgrounds (filing/rules/pack.json), as the caller
// passes them; photo_pack_test.go checks that they still agree.
var (
	photoBlue = Background{RuleID: "background.backdrop-blue", RGB: [3]uint8{0x26, 0x5c, 0xaa},
		HueMin: 195, HueMax: 255, SatMin: 0.35, SatMax: 1, ValMin: 0.35}
	photoWhite = Background{RuleID: "background.face-white", RGB: [3]uint8{0xf5, 0xf5, 0xf5},
		HueMin: 1, HueMax: 0, SatMin: 0, SatMax: 0.12, ValMin: 0.75}
)

// photoAbsent marks a check the photo must not report (e.g. clothing when no
// face was found).
const photoAbsent Verdict = -1

// photoAllPass is the verdict of every check on a good photo; cases list only
// the checks that differ.
var photoAllPass = map[string]Verdict{
	"photo.faces": Pass, "photo.centred": Pass, "photo.face_size": Pass,
	"photo.eye_distance": Pass, "photo.upper_body": Pass, "photo.clothing": Pass,
	"photo.clothing_vs_backdrop": Pass, "photo.exposure": Pass, "photo.sharpness": Pass,
	"photo.roll": Pass, "photo.backdrop": Pass,
}

// photoWorking is the generated image as Open would give it: reduced to
// the working size, the full image kept for Original.
func photoWorking(img *image.NRGBA) *Working { return FromImage(img, 1) }

func photoTop(c color.NRGBA) testgen.Top { return testgen.Top{Color: c} }

type photoCase struct {
	name string
	bg   Background
	edit func(*testgen.PhotoSpec)
	want map[string]Verdict // differences from photoAllPass
}

var photoCases = []photoCase{
	{"standard grey top", photoBlue, nil, nil},
	{"red top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.Red) },
		map[string]Verdict{"photo.clothing": Fail}},
	{"dark red top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.DarkRed) },
		map[string]Verdict{"photo.clothing": Fail}},
	// Blue merges with the backdrop: both the rule and the colour distance see it.
	{"blue top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.Blue) },
		map[string]Verdict{"photo.clothing": Fail, "photo.clothing_vs_backdrop": Warn}},
	// Navy is darker than the backdrop: ΔE ≈ 31, just outside the distance
	// warning, so the hue rule alone must catch it.
	{"navy top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.Navy) },
		map[string]Verdict{"photo.clothing": Fail}},
	{"top close to the backdrop colour", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.SteelBlue) },
		map[string]Verdict{"photo.clothing": Fail, "photo.clothing_vs_backdrop": Warn}},
	{"black top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.Black) }, nil},
	{"white top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.White) }, nil},
	{"green top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.Green) }, nil},
	{"orange top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.Orange) },
		map[string]Verdict{"photo.clothing": Warn}},
	{"purple top", photoBlue, func(s *testgen.PhotoSpec) { s.Top = photoTop(testgen.Purple) },
		map[string]Verdict{"photo.clothing": Warn}},
	{"red and white stripes", photoBlue, func(s *testgen.PhotoSpec) {
		s.Top = testgen.Top{Color: testgen.Red, Color2: testgen.White, Pattern: testgen.Stripes}
	}, map[string]Verdict{"photo.clothing": Fail}},
	{"navy and white stripes", photoBlue, func(s *testgen.PhotoSpec) {
		s.Top = testgen.Top{Color: testgen.White, Color2: testgen.Navy, Pattern: testgen.Stripes}
	}, map[string]Verdict{"photo.clothing": Fail}},
	{"grey top with a small red logo", photoBlue, func(s *testgen.PhotoSpec) {
		s.Top = testgen.Top{Color: testgen.Grey, Color2: testgen.Red, Pattern: testgen.Logo}
	}, nil},
	{"white top with a red band (partly red)", photoBlue, func(s *testgen.PhotoSpec) {
		s.Top = testgen.Top{Color: testgen.White, Color2: testgen.Red, Pattern: testgen.Band}
	}, map[string]Verdict{"photo.clothing": Warn}},
	{"grey top with a blue band (partly blue)", photoBlue, func(s *testgen.PhotoSpec) {
		s.Top = testgen.Top{Color: testgen.Grey, Color2: testgen.Blue, Pattern: testgen.Band}
	}, map[string]Verdict{"photo.clothing": Warn}},

	{"white wall, grey top", photoWhite, func(s *testgen.PhotoSpec) {
		s.Background, s.Printed = testgen.WhiteWall, false
	}, nil},
	// On a white wall a white top is no rule breach but merges with it.
	{"white wall, white top", photoWhite, func(s *testgen.PhotoSpec) {
		s.Background, s.Printed, s.Top = testgen.WhiteWall, false, photoTop(testgen.White)
	}, map[string]Verdict{"photo.clothing_vs_backdrop": Warn}},
	{"blue backdrop checked against the white mode", photoWhite, nil,
		map[string]Verdict{"photo.backdrop": Fail}},
	{"backdrop too small, room in the corners", photoBlue, func(s *testgen.PhotoSpec) { s.BackdropCover = 0.7 },
		map[string]Verdict{"photo.backdrop": Fail}},
	{"no reference background given", Background{}, nil,
		map[string]Verdict{"photo.backdrop": photoAbsent, "photo.clothing_vs_backdrop": photoAbsent}},

	{"off-centre", photoBlue, func(s *testgen.PhotoSpec) { s.FaceX = 0.78 },
		map[string]Verdict{"photo.centred": Fail}},
	{"slightly off-centre", photoBlue, func(s *testgen.PhotoSpec) { s.FaceX = 0.62 }, nil},
	{"face too small", photoBlue, func(s *testgen.PhotoSpec) { s.FaceSize = 0.09 },
		map[string]Verdict{"photo.face_size": Warn, "photo.eye_distance": Fail}},
	{"head only, no upper body", photoBlue, func(s *testgen.PhotoSpec) { s.FaceSize, s.FaceY = 0.55, 0.55 },
		map[string]Verdict{"photo.upper_body": Fail, "photo.clothing": Doubtful, "photo.clothing_vs_backdrop": photoAbsent}},
	{"face fills the frame", photoBlue, func(s *testgen.PhotoSpec) { s.FaceSize, s.FaceY = 0.66, 0.5 },
		map[string]Verdict{"photo.face_size": Warn, "photo.upper_body": Fail, "photo.clothing": Doubtful,
			"photo.clothing_vs_backdrop": photoAbsent}},
	{"two people", photoBlue, func(s *testgen.PhotoSpec) { s.SecondFace = true },
		map[string]Verdict{"photo.faces": Fail}},
	{"no one in front of the backdrop", photoBlue, func(s *testgen.PhotoSpec) { s.FaceSize = 0 },
		map[string]Verdict{"photo.faces": Fail, "photo.centred": photoAbsent, "photo.face_size": photoAbsent,
			"photo.eye_distance": photoAbsent, "photo.upper_body": photoAbsent, "photo.clothing": photoAbsent,
			"photo.clothing_vs_backdrop": photoAbsent, "photo.exposure": photoAbsent, "photo.sharpness": photoAbsent,
			"photo.roll": photoAbsent}},
	// Too dark: the backdrop no longer has the backdrop's colour either, and
	// the face's low contrast must not be called blur.
	{"dark", photoBlue, func(s *testgen.PhotoSpec) { s.Gain = 0.25 },
		map[string]Verdict{"photo.exposure": Fail, "photo.sharpness": Doubtful, "photo.backdrop": Fail}},
	{"over-exposed", photoBlue, func(s *testgen.PhotoSpec) { s.Gain = 1.9 },
		map[string]Verdict{"photo.exposure": Fail}},
	{"blurred", photoBlue, func(s *testgen.PhotoSpec) { s.Blur = 3 },
		map[string]Verdict{"photo.sharpness": Fail}},
	{"slightly soft", photoBlue, func(s *testgen.PhotoSpec) { s.Blur = 0.9 },
		map[string]Verdict{"photo.sharpness": Warn}},
	// The portrait's own roll is −1.3°, so −10° of turn measures ≈ −11°.
	{"head rolled 10°", photoBlue, func(s *testgen.PhotoSpec) { s.Roll = -10 },
		map[string]Verdict{"photo.roll": Fail}},
	{"head rolled 6°", photoBlue, func(s *testgen.PhotoSpec) { s.Roll = -6 },
		map[string]Verdict{"photo.roll": Warn}},
}

// photoCaseReports renders and checks every case once per test binary, on
// all cores: several tests read the same reports.
var photoCaseReports = sync.OnceValue(func() map[string][]Check {
	out := make([][]Check, len(photoCases))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				spec := testgen.StandardPhoto()
				if e := photoCases[i].edit; e != nil {
					e(&spec)
				}
				out[i] = CheckPhoto(photoWorking(testgen.Photo(spec)), photoCases[i].bg)
			}
		})
	}
	for i := range photoCases {
		next <- i
	}
	close(next)
	wg.Wait()
	m := map[string][]Check{}
	for i, tc := range photoCases {
		m[tc.name] = out[i]
	}
	return m
})

func photoCaseChecks(tc photoCase) []Check { return photoCaseReports()[tc.name] }

func TestCheckPhotoGenerated(t *testing.T) {
	for _, tc := range photoCases {
		t.Run(tc.name, func(t *testing.T) {
			checks := photoCaseChecks(tc)
			want := maps.Clone(photoAllPass)
			maps.Copy(want, tc.want)
			photoAssertVerdicts(t, checks, want)
		})
	}
}

// photoAssertVerdicts compares every check with want, reporting all the
// differences with the measured values, which say why.
func photoAssertVerdicts(t *testing.T, checks []Check, want map[string]Verdict) {
	t.Helper()
	got := map[string]Check{}
	for _, c := range checks {
		if _, dup := got[c.ID]; dup {
			t.Errorf("%s reported twice", c.ID)
		}
		got[c.ID] = c
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		w := want[id]
		c, ok := got[id]
		switch {
		case w == photoAbsent && ok:
			t.Errorf("%s: reported (%s, %s), want it left out", id, c.Verdict, c.Measured)
		case w != photoAbsent && !ok:
			t.Errorf("%s: missing, want %s", id, w)
		case ok && c.Verdict != w:
			t.Errorf("%s = %s (%s; threshold %s), want %s", id, c.Verdict, c.Measured, c.Threshold, w)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected check %s", id)
		}
	}
}

// TestCheckPhotoMessages: every check speaks Chinese first and English,
// names its region, and every finding says what to do.
func TestCheckPhotoMessages(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range photoCases {
		for _, c := range photoCaseChecks(tc) {
			key := c.ID + "/" + c.Verdict.String() + "/" + c.EN
			if seen[key] {
				continue
			}
			seen[key] = true
			if !strings.ContainsFunc(c.ZH, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s: ZH %q has no Chinese", c.ID, c.ZH)
			}
			if c.EN == "" || strings.ContainsFunc(c.EN, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s: EN %q empty or not English", c.ID, c.EN)
			}
			if c.Verdict != Pass && !strings.ContainsAny(c.ZH, "请建") {
				t.Errorf("%s (%s): ZH %q says nothing to do", c.ID, c.Verdict, c.ZH)
			}
			if c.Verdict != Pass && !strings.Contains(c.EN, ": ") {
				t.Errorf("%s (%s): EN %q has no 'problem: what to do'", c.ID, c.Verdict, c.EN)
			}
			if c.Region == "" || c.Threshold == "" {
				t.Errorf("%s: region %q, threshold %q", c.ID, c.Region, c.Threshold)
			}
		}
	}
}

// TestCheckPhotoOriginalCoordinates: boxes are in the original's pixels,
// not the working image's, and the clothing mask is in the working image's.
func TestCheckPhotoOriginalCoordinates(t *testing.T) {
	spec := testgen.StandardPhoto()
	spec.Top = photoTop(testgen.Red)
	img := testgen.Photo(spec)
	// The same working image, once as its own original and once standing
	// for an original three times larger (no full image: Original then
	// reads the working image, so the measures stay equal).
	w1 := &Working{Img: img, Width: img.Rect.Dx(), Height: img.Rect.Dy(), Scale: 1}
	w := &Working{Img: img, Width: 3 * img.Rect.Dx(), Height: 3 * img.Rect.Dy(), Scale: 3}
	one := CheckPhoto(w1, photoBlue)
	three := CheckPhoto(w, photoBlue)
	if len(one) != len(three) {
		t.Fatalf("%d checks at scale 1, %d at scale 3", len(one), len(three))
	}
	for i := range one {
		a, b := one[i], three[i]
		if a.Box.Empty() {
			t.Errorf("%s: no box", a.ID)
			continue
		}
		want := image.Rect(3*a.Box.Min.X, 3*a.Box.Min.Y, 3*a.Box.Max.X, 3*a.Box.Max.Y)
		if d := max(photoAbs(b.Box.Min.X-want.Min.X), photoAbs(b.Box.Min.Y-want.Min.Y),
			photoAbs(b.Box.Max.X-want.Max.X), photoAbs(b.Box.Max.Y-want.Max.Y)); d > 3 {
			t.Errorf("%s: box %v at scale 3, want %v", a.ID, b.Box, want)
		}
		if !b.Box.In(image.Rect(0, 0, w.Width, w.Height)) {
			t.Errorf("%s: box %v outside the original", a.ID, b.Box)
		}
		if b.ID == "photo.eye_distance" && b.Measured == a.Measured {
			t.Errorf("eye distance %s does not scale with the original", b.Measured)
		}
	}
	cl := photoFind(t, three, "photo.clothing")
	if cl.Mask == nil {
		t.Fatal("red top: no clothing mask")
	}
	if !cl.Mask.Rect.In(img.Rect) {
		t.Errorf("mask %v is not in working coordinates %v", cl.Mask.Rect, img.Rect)
	}
	set := 0
	for _, a := range cl.Mask.Pix {
		if a == 255 {
			set++
		}
	}
	if frac := float64(set) / float64(len(cl.Mask.Pix)); frac < 0.8 {
		t.Errorf("mask covers %.0f %% of the torso box, want most of it", 100*frac)
	}
	if pass := photoFind(t, CheckPhoto(photoWorking(testgen.Photo(testgen.StandardPhoto())), photoBlue), "photo.clothing"); pass.Mask != nil {
		t.Error("a passing top carries a mask: the preview would tint a grey shirt")
	}
}

func photoFind(t *testing.T, checks []Check, id string) Check {
	t.Helper()
	for _, c := range checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no %s in %v", id, checks)
	return Check{}
}

func photoAbs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestCheckPhotoOddSizes: tiny and extreme images give a report, never a
// panic (pigo indexes its pixels without bounds checks).
func TestCheckPhotoOddSizes(t *testing.T) {
	for _, sz := range []image.Point{{1, 1}, {15, 15}, {16, 16}, {40, 2000}, {2000, 40}, {64, 64}} {
		t.Run(fmt.Sprint(sz), func(t *testing.T) {
			img := image.NewNRGBA(image.Rect(0, 0, sz.X, sz.Y))
			for i := range img.Pix {
				img.Pix[i] = uint8(i * 7)
			}
			checks := CheckPhoto(photoWorking(img), photoBlue)
			if c := photoFind(t, checks, "photo.faces"); c.Verdict != Fail {
				t.Errorf("noise image: faces %s (%s)", c.Verdict, c.Measured)
			}
		})
	}
}

// TestCheckPhotoConcurrent: batches check photos on every core at once;
// the shared cascades and tables are read-only after their first use, and
// the same photo gives the same report whoever checks it.
func TestCheckPhotoConcurrent(t *testing.T) {
	w := photoWorking(testgen.Photo(testgen.StandardPhoto()))
	want := fmt.Sprint(CheckPhoto(w, photoBlue))
	var wg sync.WaitGroup
	got := make([]string, 4)
	for i := range got {
		wg.Go(func() { got[i] = fmt.Sprint(CheckPhoto(w, photoBlue)) })
	}
	wg.Wait()
	for i, g := range got {
		if g != want {
			t.Errorf("run %d differs:\n%s\nwant\n%s", i, g, want)
		}
	}
}
