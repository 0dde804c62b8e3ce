package bundle

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/icpfiling/icpfiling/filing/store"
)

// benchSource is a store with 50 filings, each with two scans and a photo
// of ~50 KB of its own plus one scan shared by all: an agency batch.
func benchSource(b *testing.B) (*store.Store, []byte) {
	s, err := store.Open(store.Options{Dir: b.TempDir(), SnapshotInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	fillStore(b, s, 50)
	var buf bytes.Buffer
	if _, err := Export(&buf, s, ExportOptions{AppVersion: "bench"}); err != nil {
		b.Fatal(err)
	}
	return s, buf.Bytes()
}

func BenchmarkExport50(b *testing.B) {
	s, sample := benchSource(b)
	b.Run("bundle.Export", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Export(io.Discard, s, ExportOptions{AppVersion: "bench"}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(sample))/(1<<20), "bundle-MiB")
	})
	// The baseline zips the same entries with no loading, hashing or verification.
	entries := unzip(b, sample)
	b.Run("baseline-plain-zip", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			zw := zip.NewWriter(io.Discard)
			for _, e := range entries {
				w, _ := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
				w.Write(e.data)
			}
			zw.Close()
		}
	})
}

func BenchmarkImport50(b *testing.B) {
	_, data := benchSource(b)
	b.Run("bundle.Read+Import", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			dst, err := store.Open(store.Options{Dir: b.TempDir(), SnapshotInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := importBytes(dst, data, ImportOptions{})
			if err != nil || len(res.Drafts) != 50 {
				b.Fatal(err)
			}
			b.StopTimer()
			dst.Close()
			b.StartTimer()
		}
	})
	// The baseline unpacks every entry to files with no checks at all.
	b.Run("baseline-plain-unzip", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			dir := b.TempDir()
			zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			for j, f := range zr.File {
				rc, _ := f.Open()
				out, _ := os.Create(filepath.Join(dir, fmt.Sprint(j)))
				io.Copy(out, rc)
				out.Sync()
				out.Close()
				rc.Close()
			}
		}
	})
}
