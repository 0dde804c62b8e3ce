package imaging

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// compose3x12MP composes three copies of the 12 MP baseline scan (an ID
// card photographed at 4000×3000) under Alibaba's 4 MB, as a slot's
// stitched image.
func compose3x12MP(paths []string) error {
	parts := make([]ComposePart, len(paths))
	for i, p := range paths {
		parts[i] = ComposePart{Path: p}
	}
	c, err := Compose(parts, ComposeOptions{Kind: KindIDFront, Limits: Limits{Formats: []string{mediaJPEG}, MaxBytes: 4 << 20}})
	if err == nil && len(c.Problems()) > 0 {
		err = errors.New("the benchmark's parts should stay legible")
	}
	return err
}

// files12MP writes n copies of the 12 MP baseline scan (bench12MP).
func files12MP(tb testing.TB, n int) []string {
	tb.Helper()
	dir := tb.TempDir()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = writeFile(tb, dir, fmt.Sprintf("scan-%d.jpg", i), bench12MP())
	}
	return paths
}

func decode3x12MP(paths []string) error {
	for _, p := range paths {
		if err := plainDecode(p); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkDecode3x12MP is BenchmarkCompose3x12MP's baseline: the same
// three files decoded with image/jpeg, one after the other, nothing else.
func BenchmarkDecode3x12MP(b *testing.B) {
	paths := files12MP(b, 3)
	b.ReportAllocs()
	for b.Loop() {
		if err := decode3x12MP(paths); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPeak3(b, paths, decode3x12MP)
}

// BenchmarkCompose3x12MP: issue 18 point 6, compose three 12 MP scans
// within 2× the time of decoding them (BenchmarkDecode3x12MP, same run),
// peak heap under 150 MB. The "vs-decode" sub-benchmark alternates the two
// in every iteration, so that both see the same load on a shared machine,
// and reports the ratio.
func BenchmarkCompose3x12MP(b *testing.B) {
	paths := files12MP(b, 3)
	b.Run("compose", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := compose3x12MP(paths); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		reportPeak3(b, paths, compose3x12MP)
	})
	b.Run("vs-decode", func(b *testing.B) {
		var tDecode, tCompose time.Duration
		for b.Loop() {
			t0 := time.Now()
			if err := decode3x12MP(paths); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := compose3x12MP(paths); err != nil {
				b.Fatal(err)
			}
			tDecode += t1.Sub(t0)
			tCompose += time.Since(t1)
		}
		n := float64(b.N)
		b.ReportMetric(float64(tDecode.Milliseconds())/n, "decode-ms")
		b.ReportMetric(float64(tCompose.Milliseconds())/n, "compose-ms")
		b.ReportMetric(float64(tCompose)/float64(tDecode), "compose/decode")
	})
}

func reportPeak3(b *testing.B, paths []string, op func([]string) error) {
	b.Helper()
	worst := 0.0
	for range 3 {
		p, err := peakHeap(func() error { return op(paths) })
		if err != nil {
			b.Fatal(err)
		}
		worst = max(worst, p)
	}
	b.ReportMetric(worst, "peak-heap-MB")
}

// composePeakHeapLimitMB is issue 18 point 6's bound on composing three
// 12 MP scans.
const composePeakHeapLimitMB = 150

// TestComposePeakHeap: composing three 12 MP scans stays under 150 MB of
// heap (sampled every 100 µs, the worst of three runs).
func TestComposePeakHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 12 MP scans")
	}
	paths := files12MP(t, 3)
	worst := 0.0
	for range 3 {
		p, err := peakHeap(func() error { return compose3x12MP(paths) })
		if err != nil {
			t.Fatal(err)
		}
		worst = max(worst, p)
	}
	t.Logf("peak heap %.0f MB (limit %d MB)", worst, composePeakHeapLimitMB)
	if worst > composePeakHeapLimitMB {
		t.Errorf("peak heap %.0f MB, over %d MB", worst, composePeakHeapLimitMB)
	}
}
