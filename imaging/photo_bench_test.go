package imaging

import (
	"bytes"
	"image/jpeg"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

var (
	photo12MPOnce sync.Once
	photo12MP     []byte
)

// photo12MPJPEG is a 3000×4000 baseline JPEG (quality 90, 4:2:0) of the
// standard generated photo, with sensor-like noise so that it carries about
// as much entropy per pixel as a phone photo (imaging.md §2.1: 2.3 bit/px).
func photo12MPJPEG(b *testing.B) []byte {
	photo12MPOnce.Do(func() {
		spec := testgen.StandardPhoto()
		spec.W, spec.H, spec.Noise = 3000, 4000, 4
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, testgen.Photo(spec), &jpeg.Options{Quality: 90}); err != nil {
			panic(err)
		}
		photo12MP = buf.Bytes()
		runtime.GC()
	})
	return photo12MP
}

// heapPeak samples the bytes of heap objects (live plus not yet swept)
// until stopped, and returns the highest value seen.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	res := make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				metrics.Read(sample)
				res <- max(peak, sample[0].Value.Uint64())
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-res }
}

// openAndCheckPhoto opens and checks a photo as CheckFile does (the JPEG
// decoded scaled down to what the checks need).
func openAndCheckPhoto(b *testing.B, data []byte) []Check {
	w, _, err := openBytes(data, KindPhoto, Limits{}, DefaultGuard, checkDetail)
	if err != nil {
		b.Fatal(err)
	}
	checks := CheckPhoto(w, photoBlue)
	w.Release()
	return checks
}

// BenchmarkPhoto12MP compares the whole photo check of a 12 MP JPEG
// (guarded open, decode, working image, every photo check) with a plain
// image/jpeg decode of the same bytes. The two alternate inside each
// iteration, so load from other jobs on the machine hits both alike;
// x-decode is their ratio (target ≤ 1.6) and peak-heap-MB the largest
// heap seen while checking (target ≤ 60).
func BenchmarkPhoto12MP(b *testing.B) {
	data := photo12MPJPEG(b)
	for _, c := range openAndCheckPhoto(b, data) {
		if c.Verdict != Pass {
			b.Fatalf("the benchmark photo should pass: %s %s %s", c.ID, c.Verdict, c.Measured)
		}
	}
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			openAndCheckPhoto(b, data)
		}
	})
	b.Run("paired", func(b *testing.B) {
		var decode, check time.Duration
		var ratios []float64
		var peak uint64
		for b.Loop() {
			runtime.GC()
			t0 := time.Now()
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
			d := time.Since(t0)
			runtime.GC()
			stop := heapPeak()
			t0 = time.Now()
			openAndCheckPhoto(b, data)
			c := time.Since(t0)
			peak = max(peak, stop())
			decode += d
			check += c
			ratios = append(ratios, float64(c)/float64(d))
		}
		// The median of the per-pair ratios: a burst of load from another
		// job skews one pair, not the figure.
		slices.Sort(ratios)
		b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms")
		b.ReportMetric(float64(check.Milliseconds())/float64(b.N), "check-ms")
		b.ReportMetric(ratios[len(ratios)/2], "x-decode")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(8*len(data))/12e6, "file-bit/px")
	})
}

// BenchmarkCheckPhotoWorking is the photo checks alone on a working image
// (1024 px), the part that is not decoding.
func BenchmarkCheckPhotoWorking(b *testing.B) {
	w := FromImage(testgen.Photo(testgen.StandardPhoto()), 1)
	w.Release()
	CheckPhoto(w, photoBlue) // build the lookup tables outside the loop
	for b.Loop() {
		CheckPhoto(w, photoBlue)
	}
}
