package imaging

import (
	"image"
	"reflect"
	"runtime"
	"testing"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// On this project's 2-core machine a check never splits its work
// (spareCores is 1), so these run the split paths by raising GOMAXPROCS
// and require the same answer as the single-core path.
func TestSplitWorkGivesTheSameAnswer(t *testing.T) {
	photo := testgen.Photo(testgen.StandardPhoto())
	ycc := image.NewYCbCr(image.Rect(0, 0, 1999, 1501), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(i * 7 % 251)
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = uint8(i*3%256), uint8(i*5%256)
	}
	for _, c := range []struct {
		name string
		run  func() any
	}{
		{"faces", func() any { return DetectFaces(photo) }},
		{"reduce YCbCr", func() any { return reduce(ycc, 640).Pix }},
		{"reduce NRGBA", func() any { return reduce(photo, 500).Pix }},
	} {
		t.Run(c.name, func(t *testing.T) {
			prev := runtime.GOMAXPROCS(1)
			defer runtime.GOMAXPROCS(prev)
			want := c.run()
			if reflect.ValueOf(want).Len() == 0 {
				t.Fatal("nothing found on one core: the comparison would prove nothing")
			}
			for _, procs := range []int{3, 5} {
				runtime.GOMAXPROCS(procs)
				if got := c.run(); !reflect.DeepEqual(got, want) {
					t.Errorf("GOMAXPROCS %d gives a different answer than 1", procs)
				}
			}
		})
	}
}

// One core stays with the window; the rest are shared among the checks
// running.
func TestSpareCores(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	defer checksInFlight.Store(0)
	for _, c := range []struct {
		procs    int
		inFlight int32
		want     int
	}{
		{1, 1, 1}, {2, 0, 1}, {2, 1, 1}, {2, 2, 1}, {4, 1, 3},
		{9, 0, 8}, {9, 1, 8}, {9, 2, 4}, {9, 3, 2}, {9, 8, 1}, {9, 20, 1},
	} {
		runtime.GOMAXPROCS(c.procs)
		checksInFlight.Store(c.inFlight)
		if got := spareCores(); got != c.want {
			t.Errorf("%d checks running, GOMAXPROCS %d: spareCores = %d, want %d", c.inFlight, c.procs, got, c.want)
		}
	}
}
