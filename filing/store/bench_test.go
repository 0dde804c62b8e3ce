package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/icpfiling/icpfiling/filing"
)

// draft5KB is a sample application padded to about 5 KB of JSON, the size
// of a filled-in enterprise filing.
func draft5KB() *filing.Application {
	app := sampleApp(1)
	data, _ := json.Marshal(app)
	app.Subject.Remark = strings.Repeat("备", (5000-len(data))/3)
	return app
}

// reportLatency records each operation and reports p50 and p99 in µs.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	at := func(p float64) float64 { return float64(l[int(p*float64(len(l)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkSaveDraft5KB: one autosave of a 5 KB draft (read-modify-write
// of record and list row, synced), against a bare synced Badger Set of the
// same bytes in the same option set as the baseline.
func BenchmarkSaveDraft5KB(b *testing.B) {
	b.Run("store.SaveDraft", func(b *testing.B) {
		s := openTemp(b, Options{SnapshotInterval: -1})
		app := draft5KB()
		s.NewDraft(app)
		lat := make(latencies, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			app.Subject.Investor = "v" + string(rune('a'+i%26))
			t0 := time.Now()
			if _, err := s.SaveDraft(app); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		b.StopTimer()
		lat.report(b)
	})
	b.Run("baseline-badger-Set", func(b *testing.B) {
		s := openTemp(b, Options{SnapshotInterval: -1})
		data, _ := json.Marshal(draft5KB())
		lat := make(latencies, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("d/x"), data) })
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		b.StopTimer()
		lat.report(b)
	})
}

// BenchmarkListDrafts500: the drafts list of an agency (500 drafts) from
// the small list rows, against decoding every full draft as the baseline.
func BenchmarkListDrafts500(b *testing.B) {
	s := openTemp(b, Options{SnapshotInterval: -1})
	drafts := make([]ImportedDraft, 500)
	for i := range drafts {
		app := draft5KB()
		app.Subject.Name = "客户" + string(rune('A'+i%26))
		drafts[i] = ImportedDraft{App: app, Created: time.Now(), Edited: time.Now()}
		app.ID = ""
	}
	if _, err := s.ImportDrafts(drafts, false); err != nil {
		b.Fatal(err)
	}
	b.Run("store.ListDrafts", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			list, err := s.ListDrafts()
			if err != nil || len(list) != 500 {
				b.Fatal(len(list), err)
			}
		}
	})
	b.Run("store.SearchDrafts", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.SearchDrafts("客户C"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-decode-every-draft", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			n := 0
			err := s.scan([]byte(prefixDraft), func(_, v []byte) error {
				var rec draftRecord
				if err := json.Unmarshal(v, &rec); err != nil {
					return err
				}
				if _, err := filing.DecodeApplication(rec.Application); err != nil {
					return err
				}
				n++
				return nil
			})
			if err != nil || n != 500 {
				b.Fatal(n, err)
			}
		}
	})
}

// BenchmarkOpenCloseEmpty: open + close of an empty store, with the heap
// in use right after open and the apparent disk size while open (what
// NTFS really allocates), against Badger's DefaultOptions as the baseline.
func BenchmarkOpenCloseEmpty(b *testing.B) {
	b.Run("store.Open", func(b *testing.B) {
		var heap, disk float64
		for i := 0; i < b.N; i++ {
			dir := b.TempDir()
			s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			heap, disk = heapMiB(), float64(dirSize(dir))/(1<<20)
			b.StartTimer()
			s.Close()
		}
		b.ReportMetric(heap, "heap-MiB")
		b.ReportMetric(disk, "disk-MiB")
	})
	b.Run("baseline-badger-DefaultOptions", func(b *testing.B) {
		var heap, disk float64
		for i := 0; i < b.N; i++ {
			dir := b.TempDir()
			db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			heap, disk = heapMiB(), float64(dirSize(dir))/(1<<20)
			b.StartTimer()
			db.Close()
		}
		b.ReportMetric(heap, "heap-MiB")
		b.ReportMetric(disk, "disk-MiB")
	})
}

func heapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
