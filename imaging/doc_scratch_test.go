package imaging

import (
	"fmt"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

func TestDocScratch(t *testing.T) {
	specs := map[string]testgen.DocSpec{
		"id-ok":      {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4},
		"id-crop":    {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Shift: [2]float64{0.25, 0}},
		"id-skew17":  {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: 17, Fill: 0.6},
		"id-skew28":  {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -28, Fill: 0.6},
		"id-glare":   {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Glare: 0.08},
		"id-glare-s": {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Glare: 0.025},
		"id-blur":    {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Blur: 4},
		"id-blur-s":  {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Blur: 1.5},
		"id-dark":    {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Gain: 0.42},
		"id-over":    {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Gain: 1.5, Lift: 50},
		"id-grey":    {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Grey: true},
		"id-copy":    {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Photocopy: true},
		"id-clutter": {Shape: testgen.IDCard, Surface: testgen.Cluttered, W: 1600, H: 1200, Angle: -4, Fill: 0.6},
		"id-small":   {Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Fill: 0.4},
		"a4-ok":      {Shape: testgen.A4Licence, W: 1500, H: 2000, Angle: 3, Fill: 0.8},
		"a4-clutter": {Shape: testgen.A4Licence, Surface: testgen.Cluttered, W: 1500, H: 2000, Angle: 3, Fill: 0.75},
		"a4-scan":    {Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 1240},
		"a4-over":    {Shape: testgen.A4Licence, W: 1500, H: 2000, Angle: 3, Fill: 0.8, Gain: 1.3, Lift: 110},
		"a4-grey":    {Shape: testgen.A4Licence, W: 1500, H: 2000, Angle: 3, Fill: 0.8, Grey: true},
		"a4-glare":   {Shape: testgen.A4Licence, W: 1500, H: 2000, Angle: 3, Fill: 0.8, Glare: 0.08},
		"a4-blur":    {Shape: testgen.A4Licence, W: 1500, H: 2000, Angle: 3, Fill: 0.8, Blur: 4},
	}
	for name, s := range specs {
		t0 := time.Now()
		img := testgen.Document(s)
		gen := time.Since(t0)
		w := FromImage(img, 1)
		t1 := time.Now()
		m := measureDocument(w, DefaultDocumentThresholds)
		k := KindIDFront
		if s.Shape == testgen.A4Licence {
			k = KindBusinessLicence
		}
		cs := judgeDocument(w, k, m, DefaultDocumentThresholds)
		d := time.Since(t1)
		fmt.Printf("%-11s gen %4dms chk %3dms found=%v fills=%v touch=%v fill=%.3f asp=%.3f ang=%.1f long=%.0f lap=%.0f glare=%.4f clip=%.3f mean=%.0f p1=%d neutral=%.3f bg=%.1f\n", name, gen.Milliseconds(), d.Milliseconds(), m.found, m.fills, m.touches, m.fill, m.aspect, m.rect.angle, m.longSide, m.lapVar, m.glare, m.clipped, m.mean, m.p1, m.neutral, m.bgStd)
		s := ""
		for _, c := range cs {
			s += fmt.Sprintf(" %s=%s", c.ID[9:], c.Verdict)
		}
		fmt.Println("            ", s)
		if name == "id-crop" || name == "a4-scan" || name == "id-clutter" || name == "a4-clutter" || name == "id-ok" || name == "a4-glare" {
			saveJPEG(t, "/tmp/scratch/"+name+".jpg", img)
			saveJPEG(t, "/tmp/scratch/"+name+"-ann.jpg", Annotate(w, cs))
		}
	}
}
