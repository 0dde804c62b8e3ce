package store

import (
	"testing"
	"time"
)

// BenchmarkImportDrafts3000: a batch import's store half, 3,000 drafts of
// about 5 KB in one ImportDrafts call on an encrypted store.
func BenchmarkImportDrafts3000(b *testing.B) {
	const n = 3000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := openTemp(b, Options{SnapshotInterval: -1})
		drafts := make([]ImportedDraft, n)
		for k := range drafts {
			app := draft5KB()
			app.ID = ""
			drafts[k] = ImportedDraft{App: app, Created: time.Now(), Edited: time.Now()}
		}
		b.StartTimer()
		if _, err := s.ImportDrafts(drafts, false); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
