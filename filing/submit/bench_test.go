package submit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// BenchmarkSubmit sends N filings of five 1 MiB files each to the reference
// backend over loopback. "outbox" is this package: the durable outbox, its
// worker pool and the streaming body that re-opens files per attempt.
// "resty-multipart" is the baseline: the same pool and the same body built
// by resty's own multipart support (SetMultipartFields with *os.File
// readers and SetRetryResetReaders), which assembles each body in memory.
// Both report throughput, the peak of the Go heap in use (sampled every
// millisecond; it includes garbage the GC has not swept, so it follows the
// GC's pacing) and the peak of the live heap marked by each GC, both above
// the heap before the run. The backend runs in the same process, so its
// heap is included. Compare filings=10 with
// filings=50 and 100: a pipeline that buffers the batch grows with it.
//
//	go test ./filing/submit -run '^$' -bench Submit -benchtime 2x
func BenchmarkSubmit(b *testing.B) {
	for _, mode := range []string{"outbox", "resty-multipart"} {
		for _, n := range []int{10, 50, 100} {
			b.Run(fmt.Sprintf("%s/filings=%d", mode, n), func(b *testing.B) { benchSubmit(b, mode, n) })
		}
	}
}

const benchConcurrency = 2

func benchSubmit(b *testing.B, mode string, n int) {
	st := openStore(b, "")
	app, _ := exampleApp(b, st, 1<<20, 1)
	rb := startBackend(b, nil)
	snap, _ := Snapshot(app)
	var fileBytes int64
	for _, e := range api.Manifest(app) {
		fileBytes += e.Size
	}
	b.SetBytes(int64(n) * fileBytes)

	var send func(ctx context.Context) error
	switch mode {
	case "outbox":
		opt := fastOptions(newClient(b, fastConfig(rb.URL, testToken)))
		opt.Concurrency = benchConcurrency
		opt.PollInterval = time.Hour // measure sending, not polling
		var accepted atomic.Int64
		done := make(chan struct{}, 1)
		opt.OnChange = func(s Submission) {
			if s.State == Accepted && accepted.Add(1)%int64(n) == 0 {
				done <- struct{}{}
			}
		}
		o := NewOutbox(st, opt)
		runOutbox(b, o)
		send = func(ctx context.Context) error {
			for range n {
				if _, err := o.Submit(app); err != nil {
					return err
				}
			}
			select {
			case <-done:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	case "resty-multipart":
		rc := resty.New().SetBaseURL(rb.URL).SetAuthToken(testToken).SetRetryCount(3).
			SetRetryResetReaders(true).SetTimeout(time.Minute)
		files := api.Manifest(app)
		send = func(ctx context.Context) error {
			sem := make(chan struct{}, benchConcurrency)
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for range n {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					fields := []*resty.MultipartField{
						{Param: api.PartApplication, FileName: "application.json", ContentType: "application/json", Reader: bytes.NewReader(snap)},
						{Param: api.PartSecrets, FileName: "secrets.json", ContentType: "application/json", Reader: bytes.NewReader([]byte(`{"filing_password":"pw"}`))},
					}
					for _, e := range files {
						f, err := os.Open(st.AttachmentPath(e.SHA256))
						if err != nil {
							errs <- err
							return
						}
						defer f.Close()
						fields = append(fields, &resty.MultipartField{Param: api.PartFile, FileName: e.SHA256, ContentType: e.MediaType, Reader: f})
					}
					resp, err := rc.R().SetContext(ctx).SetHeader(api.HeaderIdempotencyKey, NewIdempotencyKey()).
						SetMultipartFields(fields...).Post(api.PathFilings)
					if err == nil && resp.StatusCode() != 201 {
						err = fmt.Errorf("status %d: %s", resp.StatusCode(), resp.Body())
					}
					if err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			return <-errs
		}
	}

	runtime.GC()
	base, baseLive := heapInUse()
	var peak, peakLive atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			h, live := heapInUse()
			if h > peak.Load() {
				peak.Store(h)
			}
			if live > peakLive.Load() {
				peakLive.Store(live)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	b.ResetTimer()
	for range b.N {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err := send(ctx)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	if got := rb.Stats().Stored.Load(); got != int64(n*b.N) {
		b.Fatalf("stored %d filings, want %d", got, n*b.N)
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "filings/s")
	b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peakLive.Load()-min(baseLive, peakLive.Load()))/(1<<20), "peak-live-MiB")
}

var heapSamples = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
var heapMu sync.Mutex

// heapInUse is the heap in use (live objects and garbage not yet swept)
// and the live heap as the last GC marked it. The first follows the GC's
// pacing; the second shows what is actually retained.
func heapInUse() (inUse, live uint64) {
	heapMu.Lock()
	defer heapMu.Unlock()
	metrics.Read(heapSamples)
	return heapSamples[0].Value.Uint64(), heapSamples[1].Value.Uint64()
}
