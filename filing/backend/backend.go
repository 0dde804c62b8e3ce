// Package backend is the reference backend: a small server that implements
// the contract in docs/backend-api.yaml on disk. It exists so that the app
// can be tried end to end and tested over real HTTP, and so that an agency
// writing its own server has a conforming example to read. It is not a
// gateway to any government or provider system: the review it reports is
// simulated on a clock.
package backend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// Options configure a Server. The zero value of every field but Dir is usable.
type Options struct {
	// Dir holds the stored filings; it is created if missing.
	Dir string
	// Token, when set, is the bearer token every /v1 request except
	// /v1/health must carry. Empty serves without authentication: New
	// refuses that unless NoAuth says it is meant (a test, a loopback demo).
	Token string
	// NoAuth confirms that an empty Token is meant. Without it, New fails
	// closed: a token file that turned out empty never opens the backend.
	NoAuth bool
	// Clock is the real time (the wall clock; nil means time.Now). Every
	// rule about real dates uses it, never the review speed: the date
	// filing.Validate checks an incoming filing on (the domain's 90 days,
	// an ID's expiry), the receipt time (received_at), the times of the
	// timeline's entries and /v1/health.
	Clock func() time.Time
	// Speed is how many times faster than Clock the simulated review runs
	// (0 or 1: real time; 86400: a review day per second). It moves only the
	// review timeline: a stage of d on the review clock ends d/Speed of
	// real time after the filing was received.
	Speed float64
	// InitialReview and BureauReview are how long 初审 and 管局审核 take on
	// the review clock; zero means the rule pack's minimum (1 and 3 working
	// days, as calendar days: the simulation does not know public holidays).
	InitialReview, BureauReview time.Duration
	// Decide says how a filing's review ends. nil approves every filing.
	Decide func(app *filing.Application) Decision
	// Pack is the rule pack served at /v1/rules and used to validate
	// incoming filings; nil means filing.DefaultPack().
	Pack []byte
	// MaxBodyBytes caps a submission; zero means 64 MiB.
	MaxBodyBytes int64
	// Faults injects failures for tests; nil in normal use.
	Faults *Faults
	// Logf receives one line per request; it never gets personal data.
	Logf func(format string, args ...any)
}

// Decision is how the simulated review of one filing ends: approved when
// Stage is empty, otherwise rejected at Stage with Reasons.
type Decision struct {
	Stage   filing.Status // filing.StatusInitialRejected or filing.StatusBureauRejected
	Reasons []string
}

// RejectAtBureau makes every filing fail 管局审核 with the given reasons,
// which is how a demo shows a 驳回.
func RejectAtBureau(reasons ...string) func(*filing.Application) Decision {
	return func(*filing.Application) Decision {
		return Decision{Stage: filing.StatusBureauRejected, Reasons: reasons}
	}
}

// Server implements the contract. It is safe for concurrent use.
type Server struct {
	opt      Options
	pack     *filing.Pack
	packRaw  []byte
	disk     *disk
	keyLocks keyLocks
	mux      *http.ServeMux
	stats    Stats
	// initial and bureau are the stages on the review clock; speed is
	// Options.Speed (1 when not set).
	initial time.Duration
	bureau  time.Duration
	speed   float64
}

// Stats counts what the server saw, for tests and the benchmark.
type Stats struct {
	Requests    atomic.Int64 // every request to /v1 but /v1/health, refused ones included
	Submissions atomic.Int64 // POST /v1/filings requests past the token check
	Active      atomic.Int64 // submissions being received right now
	Stored      atomic.Int64 // filings newly stored
	Replayed    atomic.Int64 // answers from a stored filing to a repeated key
	BodyBytes   atomic.Int64 // request body bytes read from submissions
	Unauthed    atomic.Int64 // requests refused for the token
}

// New opens (or creates) the data directory and builds the server.
func New(opt Options) (*Server, error) {
	if opt.Dir == "" {
		return nil, errors.New("backend: Options.Dir is required")
	}
	opt.Token = strings.TrimSpace(opt.Token)
	if opt.Token == "" && !opt.NoAuth {
		return nil, errors.New("backend: no token: give Options.Token, or set Options.NoAuth to serve without authentication")
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 64 << 20
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	s := &Server{opt: opt}
	s.packRaw = opt.Pack
	if s.packRaw == nil {
		s.packRaw = filing.DefaultPackBytes()
	}
	p, err := filing.ParsePack(s.packRaw)
	if err != nil {
		return nil, fmt.Errorf("backend: rule pack: %w", err)
	}
	s.pack = p
	s.initial, s.bureau = opt.InitialReview, opt.BureauReview
	s.speed = opt.Speed
	if s.speed <= 0 {
		s.speed = 1
	}
	day := filing.DateOf(opt.Clock())
	if s.initial <= 0 {
		s.initial = reviewDays(p, "initial", day, 1)
	}
	if s.bureau <= 0 {
		s.bureau = reviewDays(p, "bureau", day, 3)
	}
	if s.disk, err = openDisk(opt.Dir); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/v1/health", s.health)
	s.mux.HandleFunc("/v1/rules", s.auth(s.rules))
	s.mux.HandleFunc("/v1/filings", s.auth(s.submit))
	s.mux.HandleFunc("/v1/filings/{id}", s.auth(s.status))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, &api.Problem{Code: api.CodeNotFound,
			ZH: "没有这个接口：" + r.URL.Path, EN: "no such endpoint: " + r.URL.Path})
	})
	return s, nil
}

func reviewDays(p *filing.Pack, stage string, day filing.Date, fallback int) time.Duration {
	days := fallback
	if r := p.ReviewFor(stage, day); r != nil && r.MinDays > 0 {
		days = r.MinDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// Stats returns the live counters.
func (s *Server) Stats() *Stats { return &s.stats }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	s.mux.ServeHTTP(rec, r)
	// The path carries at most a filing id; never the query or the body.
	s.opt.Logf("%s %s %d %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Millisecond))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Hijack and Flush.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.stats.Requests.Add(1)
		if s.opt.Token != "" {
			got, ok := bearerToken(r.Header.Get("Authorization"))
			if !ok || !constantTimeEqual(got, s.opt.Token) {
				s.stats.Unauthed.Add(1)
				w.Header().Set("WWW-Authenticate", `Bearer realm="icpfiling"`)
				writeProblem(w, http.StatusUnauthorized, &api.Problem{Code: api.CodeUnauthorized,
					ZH: "访问令牌缺失或不正确，请在设置中检查备案后台的令牌。",
					EN: "the access token is missing or wrong; check the backend token in the settings"})
				return
			}
		}
		h(w, r)
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET")
		return
	}
	writeJSON(w, http.StatusOK, api.Health{Status: "ok", Time: s.opt.Clock().UTC(),
		PackRevision: s.pack.Revision, PackSHA256: s.pack.Checksum()})
}

func (s *Server) rules(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET")
		return
	}
	etag := `"` + s.pack.Checksum() + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(s.packRaw)
}

// etagMatches reads If-None-Match as RFC 9110 says: a list of tags, weak
// ones compared by their value, or "*".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET")
		return
	}
	rec, err := s.disk.get(r.PathValue("id"))
	if err != nil {
		writeProblem(w, http.StatusNotFound, &api.Problem{Code: api.CodeNotFound,
			ZH: "没有这个备案编号的记录。", EN: "no filing has this id", Field: "id"})
		return
	}
	writeJSON(w, http.StatusOK, s.view(rec))
}

// view is a stored filing as the contract shows it, with the timeline as of now.
func (s *Server) view(rec *record) api.Filing {
	tl := s.timeline(rec, s.opt.Clock())
	return api.Filing{ID: rec.ID, IdempotencyKey: rec.Key, ReceivedAt: rec.ReceivedAt,
		Status: tl[len(tl)-1].Status, Timeline: tl, Files: rec.Files}
}

// timeline derives the review's history from the receipt time and the
// decision taken at receipt, so it needs no background goroutine and a
// restart of the server changes nothing. now and every time in it are real
// times (Options.Clock); only the length of the stages is divided by the
// speed.
func (s *Server) timeline(rec *record, now time.Time) []filing.StatusEvent {
	t0 := rec.ReceivedAt
	tl := []filing.StatusEvent{
		{At: t0, Status: filing.StatusSubmitted},
		{At: t0, Status: filing.StatusInitialReview},
	}
	t1 := t0.Add(s.onWall(s.initial))
	if now.Before(t1) {
		return tl
	}
	if rec.Decision.Stage == filing.StatusInitialRejected {
		return append(tl, filing.StatusEvent{At: t1, Status: filing.StatusInitialRejected, Reasons: rec.Decision.Reasons})
	}
	tl = append(tl, filing.StatusEvent{At: t1, Status: filing.StatusBureauReview})
	t2 := t1.Add(s.onWall(s.bureau))
	if now.Before(t2) {
		return tl
	}
	if rec.Decision.Stage == filing.StatusBureauRejected {
		return append(tl, filing.StatusEvent{At: t2, Status: filing.StatusBureauRejected, Reasons: rec.Decision.Reasons})
	}
	return append(tl, filing.StatusEvent{At: t2, Status: filing.StatusApproved})
}

// onWall is how much real time a stage of d on the review clock takes.
func (s *Server) onWall(d time.Duration) time.Duration {
	if s.speed == 1 {
		return d
	}
	return time.Duration(float64(d) / s.speed)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeProblem(w, http.StatusMethodNotAllowed, &api.Problem{Code: api.CodeMethodNotAllowed,
		ZH: "此接口只接受 " + allow + " 请求。", EN: "this endpoint accepts " + allow + " only"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeProblem(w http.ResponseWriter, status int, p *api.Problem) {
	writeJSON(w, status, p)
}

// bearerToken reads "Bearer <token>" from an Authorization header. The
// scheme is case-insensitive (RFC 7235 §2.1: "bearer" and "BEARER" are the
// same scheme) and may be followed by more than one space.
func bearerToken(h string) (string, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok := strings.TrimSpace(rest)
	return tok, tok != ""
}

func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

func newID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return "f-" + hex.EncodeToString(b[:])
}

// keyLocks serialises requests that carry the same Idempotency-Key, so a
// retry that arrives while the first attempt is still being stored waits
// and then replays instead of storing a second copy.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	refs int
}

func (k *keyLocks) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

// IsLoopback says whether addr ("host:port") binds only to the loopback
// interface. An empty host binds every interface, so it is not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ListenAndServe serves on addr until ctx ends, then shuts down gracefully
// within grace. ready, when not nil, receives the bound address.
func (s *Server) ListenAndServe(ctx context.Context, addr string, grace time.Duration, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln, grace, ready)
}

// Serve is ListenAndServe on a listener the caller opened.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration, ready func(net.Addr)) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	<-errc
	return nil
}
