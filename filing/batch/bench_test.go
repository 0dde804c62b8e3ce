package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"

	"github.com/icpfiling/icpfiling/internal/cputime"
)

// sheet1000 is a CSV of 1000 distinct filings (forms only), as an agency's
// spreadsheet would be.
func sheet1000(b *testing.B) string {
	rows := make([]map[string]string, 1000)
	for i := range rows {
		rows[i] = with(exampleRow(fmt.Sprintf("K%04d", i)), "domain", fmt.Sprintf("site%04d.example.com", i),
			"subject_name", fmt.Sprintf("杭州示例%04d科技有限公司", i))
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.WriteAll(sheet(rows...))
	path := filepath.Join(b.TempDir(), "1000.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkImportValidate1000 is the target of issue 7 point 7: import
// and check 1000 filings (forms only) in ≤ 2 s. "parse" is the baseline
// (read and parse the sheet only); "import" adds the one Badger
// transaction; "import+check" adds Validate and the batch rules on every
// core — the whole job.
func BenchmarkImportValidate1000(b *testing.B) {
	path := sheet1000(b)
	pack := filing.DefaultPack()
	xlsx := filepath.Join(b.TempDir(), "1000.xlsx")
	csvRows, err := ReadRows(path)
	if err != nil {
		b.Fatal(err)
	}
	writeXLSX(b, xlsx, csvRows)
	b.Run("parse-xlsx", func(b *testing.B) {
		for b.Loop() {
			rows, err := ReadRows(xlsx)
			if err != nil {
				b.Fatal(err)
			}
			if p, _, _ := Parse(rows, pack); len(p) != 1000 {
				b.Fatal(len(p))
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			rows, err := ReadRows(path)
			if err != nil {
				b.Fatal(err)
			}
			if p, _, _ := Parse(rows, pack); len(p) != 1000 {
				b.Fatal(len(p))
			}
		}
	})
	for _, check := range []bool{false, true} {
		name := "import"
		if check {
			name = "import+check"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				st, err := store.Open(store.Options{Dir: b.TempDir(), SnapshotInterval: -1})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := Import(st, path, ImportOptions{Pack: pack})
				if err != nil || len(res.Batch.Filings) != 1000 {
					b.Fatal(err)
				}
				if check {
					apps, _, err := LoadApps(st, res.Batch)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := Check(context.Background(), apps, CheckOptions{Pack: pack, AsOf: asOf}); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				_ = st.Close()
				b.StartTimer()
			}
		})
	}
}

var photo12MP = sync.OnceValue(func() []byte {
	spec := testgen.StandardPhoto()
	spec.W, spec.H, spec.Noise = 3000, 4000, 4
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testgen.Photo(spec), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkCheckPhotos12MP: the batch check of 8 filings, each with one
// 12 MP verification photo, on one worker (the baseline) and on every
// core; the ratio of the two is the scaling. (200 photos take minutes on
// a 2-core machine; the per-photo cost is what scales.)
func BenchmarkCheckPhotos12MP(b *testing.B) {
	const n = 8
	data := photo12MP()
	dir := b.TempDir()
	apps := make([]*filing.Application, n)
	paths := make([]string, n)
	for i := range apps {
		paths[i] = filepath.Join(dir, fmt.Sprintf("K%d_photo.jpg", i))
		if err := os.WriteFile(paths[i], data, 0o644); err != nil {
			b.Fatal(err)
		}
		apps[i] = &filing.Application{SchemaVersion: filing.SchemaVersion}
	}
	pack := filing.DefaultPack()
	bg := pack.BackgroundFor("backdrop", filing.DateOf(asOf))
	opts := imaging.Options{Background: imaging.Background{RuleID: bg.ID, RGB: [3]uint8{0x1e, 0x5a, 0xc8},
		HueMin: bg.HueMin, HueMax: bg.HueMax, SatMin: bg.SatMin, SatMax: bg.SatMax, ValMin: bg.ValMin}}
	images := func(i int, _ *filing.Application) []imaging.Job {
		return []imaging.Job{{Path: paths[i], Kind: imaging.KindPhoto, Options: opts}}
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			cpu0 := cputime.Process()
			for b.Loop() {
				if _, err := Check(context.Background(), apps, CheckOptions{Pack: pack, AsOf: asOf, Workers: workers, Images: images}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/n, "ms/photo")
			// Cores used: CPU time over wall time. On a machine shared with
			// other work the wall-clock ratio understates the scaling; this
			// shows whether the pool keeps every core it gets busy.
			b.ReportMetric((cputime.Process()-cpu0).Seconds()/b.Elapsed().Seconds(), "cores")
		})
	}
}
