package backend

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// Faults injects the failures the client must survive, inside the real
// server, so that tests exercise real HTTP over a real socket. The zero
// value injects nothing; the methods may be called while serving.
type Faults struct {
	mu             sync.Mutex
	failNext       int
	failStatus     int
	failRetryAfter string
	dropAfterStore int
	slowChunk      int
	slowDelay      time.Duration
}

// FailNext makes the next n submissions read their whole body, as if the
// server failed while storing, and then answer status (e.g. 503) with
// retryAfter as Retry-After when it is not empty.
func (f *Faults) FailNext(n, status int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext, f.failStatus, f.failRetryAfter = n, status, retryAfter
}

// DropAfterStore makes the next n submissions that store a filing close the
// connection instead of answering, as a crash or a network cut right after
// the commit would.
func (f *Faults) DropAfterStore(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropAfterStore = n
}

// SlowReads makes the server read request bodies chunk bytes at a time
// with delay before each read: a slow backend or a slow uplink.
func (f *Faults) SlowReads(chunk int, delay time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slowChunk, f.slowDelay = chunk, delay
}

func (f *Faults) takeFail() (status int, retryAfter string) {
	if f == nil {
		return 0, ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext <= 0 {
		return 0, ""
	}
	f.failNext--
	return f.failStatus, f.failRetryAfter
}

func (f *Faults) takeDrop() bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dropAfterStore <= 0 {
		return false
	}
	f.dropAfterStore--
	return true
}

func (f *Faults) slow(r io.Reader) io.Reader {
	if f == nil {
		return r
	}
	return &slowReader{r: r, f: f}
}

// slowReader looks at the settings on every read, so a test can make a
// slow backend fast again and let a cancelled upload drain at once.
type slowReader struct {
	r io.Reader
	f *Faults
}

func (s *slowReader) Read(p []byte) (int, error) {
	s.f.mu.Lock()
	chunk, delay := s.f.slowChunk, s.f.slowDelay
	s.f.mu.Unlock()
	if chunk > 0 {
		time.Sleep(delay)
		if len(p) > chunk {
			p = p[:chunk]
		}
	}
	return s.r.Read(p)
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked; an aborted handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
