// Package submit sends finished filings to the backend the user or the
// agency configured (docs/backend.md): a resty client that is safe to retry,
// a durable outbox in the drafts store, and a worker that drains it and
// follows each filing through review.
package submit

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// Config is what the settings screen collects about the backend.
type Config struct {
	// BaseURL is the backend's address, e.g. https://filing.example.com.
	// Plain http is accepted only for a loopback address.
	BaseURL string
	// Token is the bearer token the backend issued; empty sends none.
	Token filing.Secret
	// CAPEM holds extra root certificates (PEM) for a backend with a
	// private CA. They are added to the system's roots, never replace them.
	CAPEM []byte
	// Proxy is an http(s) proxy URL; empty uses HTTPS_PROXY and friends
	// (Go does not read the Windows system proxy, hence the setting).
	Proxy string
	// Timeout bounds one attempt, upload included; 0 means 5 minutes,
	// enough for 10 MB at 300 kbit/s. Raise it for larger filings on
	// slower links.
	Timeout time.Duration
	// Retries is how many times one call is retried after a network
	// error, 429 or 5xx; 0 means 3, negative means none.
	Retries int
	// RetryWait and RetryMaxWait bound the jittered backoff between
	// retries (0 means 500 ms and 10 s). A Retry-After from the server is
	// honoured within the same bounds.
	RetryWait, RetryMaxWait time.Duration
	// RetryAfterCap: a Retry-After longer than this (0 means 60 s) ends
	// the call at once with an *HTTPError whose RetryAfter says when to
	// come back, so the outbox reschedules instead of holding a request.
	RetryAfterCap time.Duration
	// Debug logs each request and response, with the token, secrets, ID
	// numbers and phone numbers redacted and no bodies of uploads.
	Debug bool
	// Logger receives the debug and warning lines; nil discards them.
	Logger *slog.Logger
}

// Client talks to one backend. It is safe for concurrent use.
type Client struct {
	cfg   Config
	base  *url.URL
	rc    *resty.Client
	redac *redactor
}

// ConfigError is a setting that cannot be used, with the field to fix.
type ConfigError struct {
	Field  string
	ZH, EN string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.EN }

// Message is the text in "zh" or "en".
func (e *ConfigError) Message(lang string) string {
	if lang == "en" {
		return e.EN
	}
	return e.ZH
}

// NewClient checks the settings and builds the client.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" {
		return nil, &ConfigError{Field: "backend_url",
			ZH: "备案后台地址须为完整的网址，例如 https://filing.example.com。",
			EN: "the backend address must be a full URL such as https://filing.example.com"}
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return nil, &ConfigError{Field: "backend_url",
			ZH: "备案后台须使用 HTTPS；只有本机地址（127.0.0.1、::1、localhost）可以用 http。",
			EN: "the backend must use HTTPS; plain http is allowed only for this machine (127.0.0.1, ::1, localhost)"}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = 3
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.RetryWait <= 0 {
		cfg.RetryWait = 500 * time.Millisecond
	}
	if cfg.RetryMaxWait <= 0 {
		cfg.RetryMaxWait = 10 * time.Second
	}
	if cfg.RetryMaxWait < cfg.RetryWait {
		cfg.RetryMaxWait = cfg.RetryWait
	}
	if cfg.RetryAfterCap <= 0 {
		cfg.RetryAfterCap = 60 * time.Second
	}
	c := &Client{cfg: cfg, base: u}
	c.redac = newRedactor(cfg.Token.Reveal())
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	rc := resty.New().
		SetBaseURL(u.String()).
		SetTimeout(cfg.Timeout).
		SetRetryCount(cfg.Retries).
		SetRetryWaitTime(cfg.RetryWait).
		SetRetryMaxWaitTime(cfg.RetryMaxWait).
		SetRetryAfter(c.retryAfter).
		AddRetryCondition(c.retryCondition).
		// Uploads are rebuilt by preRequest on every attempt; this covers
		// any multipart reader that may be added later.
		SetRetryResetReaders(true).
		SetLogger(&restyLogger{log: log, redact: c.redac}).
		SetDebug(cfg.Debug).
		SetDebugBodyLimit(1024).
		SetPreRequestHook(c.preRequest).
		OnRequestLog(func(l *resty.RequestLog) error {
			for _, h := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
				if l.Header.Get(h) != "" {
					l.Header.Set(h, "[REDACTED]") // Set replaces the copy's slice, not the request's
				}
			}
			l.Body = c.redac.apply(l.Body)
			return nil
		}).
		OnResponseLog(func(l *resty.ResponseLog) error {
			if l.Header.Get("Set-Cookie") != "" {
				l.Header.Set("Set-Cookie", "[REDACTED]")
			}
			l.Body = c.redac.apply(l.Body)
			return nil
		}).
		SetHeader("User-Agent", "icpfiling")
	if cfg.Token.IsSet() {
		rc.SetAuthToken(cfg.Token.Reveal())
	}
	if len(cfg.CAPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CAPEM) {
			return nil, &ConfigError{Field: "ca_pem",
				ZH: "自定义根证书文件里没有可用的 PEM 证书。", EN: "the custom CA file holds no usable PEM certificate"}
		}
		rc.SetTLSClientConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	} else {
		rc.SetTLSClientConfig(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	if cfg.Proxy != "" {
		pu, err := url.Parse(cfg.Proxy)
		if err != nil || pu.Host == "" || (pu.Scheme != "http" && pu.Scheme != "https" && pu.Scheme != "socks5") {
			return nil, &ConfigError{Field: "proxy",
				ZH: "代理地址须形如 http://host:port。", EN: "the proxy must look like http://host:port"}
		}
		rc.SetProxy(cfg.Proxy)
	}
	c.rc = rc
	return c, nil
}

// BaseURL is the backend address in use.
func (c *Client) BaseURL() string { return c.base.String() }

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// NewIdempotencyKey is 128 random bits, made once when the user presses
// Submit and kept with the submission for every attempt after.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "icpf-" + hex.EncodeToString(b[:])
}

// Progress is where an upload attempt stands. Sent starts again from zero
// when an attempt is retried.
type Progress struct {
	Attempt     int
	Sent, Total int64
}

// Submit uploads one filing. progress, when not nil, is called from the
// sending goroutine as bytes go out (at most every 64 KiB). Cancelling
// ctx stops the upload at once.
func (c *Client) Submit(ctx context.Context, u *Upload, progress func(Progress)) (*api.Filing, error) {
	if !api.ValidKey(u.Key) {
		return nil, &ConfigError{Field: "idempotency_key", ZH: "提交缺少有效的幂等键。", EN: "the submission has no valid idempotency key"}
	}
	plan, err := u.plan()
	if err != nil {
		return nil, err
	}
	plan.progress = progress
	var out api.Filing
	resp, err := c.rc.R().
		SetContext(context.WithValue(ctx, planKey{}, plan)).
		SetHeader(api.HeaderIdempotencyKey, u.Key).
		SetHeader("Content-Type", plan.contentType).
		// The backend can refuse (token, key) before a byte of the upload
		// is sent, and never has to cut a half-sent body short.
		SetHeader("Expect", "100-continue").
		SetResult(&out).
		Post(api.PathFilings)
	if err := c.outcome(ctx, resp, err); err != nil {
		return nil, err
	}
	return &out, nil
}

// Status reads a filing's status and timeline.
func (c *Client) Status(ctx context.Context, id string) (*api.Filing, error) {
	var out api.Filing
	resp, err := c.rc.R().SetContext(ctx).SetResult(&out).
		SetPathParam("id", id).Get(api.PathFilings + "/{id}")
	if err := c.outcome(ctx, resp, err); err != nil {
		return nil, err
	}
	return &out, nil
}

// Health checks that the backend answers; it needs no token.
func (c *Client) Health(ctx context.Context) (*api.Health, error) {
	var out api.Health
	resp, err := c.rc.R().SetContext(ctx).SetResult(&out).Get(api.PathHealth)
	if err := c.outcome(ctx, resp, err); err != nil {
		return nil, err
	}
	return &out, nil
}

// Rules fetches the backend's current rule pack and checks its seal. The
// caller decides with Pack.CanReplace whether to use it.
func (c *Client) Rules(ctx context.Context) (*filing.Pack, []byte, error) {
	resp, err := c.rc.R().SetContext(ctx).Get(api.PathRules)
	if err := c.outcome(ctx, resp, err); err != nil {
		return nil, nil, err
	}
	raw := resp.Body()
	p, err := filing.ParsePack(raw)
	if err != nil {
		return nil, nil, err
	}
	return p, raw, nil
}

// FetchRules fetches the backend's rule pack unless it is still the one
// with etag (If-None-Match): data is nil on 304 Not Modified. The pack is
// not parsed here: filing/packs verifies and applies it. newETag is the
// ETag the backend sent, to give next time.
func (c *Client) FetchRules(ctx context.Context, etag string) (data []byte, newETag string, err error) {
	req := c.rc.R().SetContext(ctx)
	if etag != "" {
		req.SetHeader("If-None-Match", etag)
	}
	resp, err := req.Get(api.PathRules)
	if err == nil && resp.StatusCode() == http.StatusNotModified {
		return nil, etag, nil
	}
	if err := c.outcome(ctx, resp, err); err != nil {
		return nil, "", err
	}
	return resp.Body(), resp.Header().Get("ETag"), nil
}

// outcome turns resty's result into nil or one of this package's errors.
func (c *Client) outcome(ctx context.Context, resp *resty.Response, err error) error {
	var later *retryLater
	var pe *permanentError
	switch {
	case errors.As(err, &pe):
		return pe.err
	case errors.As(err, &later):
		e := c.httpError(resp)
		e.RetryAfter = later.after
		return e
	case err != nil:
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.netError(err)
	case resp.IsError():
		return c.httpError(resp)
	case resp.StatusCode() < 200 || resp.StatusCode() > 299:
		return c.httpError(resp)
	}
	return nil
}

// HTTPError is an answer of the backend that is not a success, with the
// contract's problem body (code, zh, en, field, details).
type HTTPError struct {
	Status  int
	Problem *api.Problem
	// RetryAfter is the wait the server asked for, when it asked.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Problem.Error()) }

// Message is the server's text in "zh" or "en"; for a token problem it
// also says where to fix it.
func (e *HTTPError) Message(lang string) string {
	msg := e.Problem.Message(lang)
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		if lang == "en" {
			return "The backend refused the access token (HTTP " + strconv.Itoa(e.Status) + "): " + msg + " Nothing more is sent until the token is changed in the settings."
		}
		return "备案后台拒绝了访问令牌（HTTP " + strconv.Itoa(e.Status) + "）：" + msg + " 在设置中更换令牌之前不会再发送。"
	}
	return msg
}

// Transient says whether the same request may succeed later unchanged.
func (e *HTTPError) Transient() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 && e.Status != http.StatusNotImplemented
}

// Auth says whether the token is at fault.
func (e *HTTPError) Auth() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// Findings turns the field errors of a 422 (or any problem that names a
// field) into findings the wizard shows on those fields.
func (e *HTTPError) Findings(kind filing.AccessKind) []filing.Finding {
	probs := e.Problem.Details
	if len(probs) == 0 && e.Problem.Field != "" {
		probs = []api.Problem{*e.Problem}
	}
	var out []filing.Finding
	for _, p := range probs {
		if p.Field == "" {
			continue
		}
		out = append(out, filing.Finding{Rule: p.Code, Severity: filing.Block, Field: p.Field,
			Step: filing.StepOf(p.Field, kind), ZH: p.ZH, EN: p.EN, Source: "backend"})
	}
	return out
}

func (c *Client) httpError(resp *resty.Response) *HTTPError {
	e := &HTTPError{Status: resp.StatusCode(), Problem: api.DecodeProblem(resp.StatusCode(), resp.Body())}
	if d, ok := parseRetryAfter(resp.Header().Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

// NetError is a failure to reach the backend or to finish the exchange.
type NetError struct {
	Err error
	// Permanent is set for a certificate the client will not trust: retrying
	// cannot help, the settings must change.
	Permanent bool
	zh, en    string
}

func (e *NetError) Error() string { return e.en + ": " + e.Err.Error() }
func (e *NetError) Unwrap() error { return e.Err }

// Message is the text in "zh" or "en".
func (e *NetError) Message(lang string) string {
	if lang == "en" {
		return e.en
	}
	return e.zh
}

func (c *Client) netError(err error) *NetError {
	if isCertError(err) {
		return &NetError{Err: err, Permanent: true,
			zh: "无法验证备案后台的证书。若后台使用私有 CA，请在设置中添加其根证书。",
			en: "the backend's certificate cannot be verified; if it uses a private CA, add that CA in the settings"}
	}
	host := c.base.Host
	return &NetError{Err: errors.New(c.redac.apply(err.Error())),
		zh: "无法连接备案后台 " + host + "（网络不通、后台未运行或超时）。稍后会自动重试。",
		en: "cannot reach the backend at " + host + " (offline, not running or timed out); it will be retried automatically"}
}

func isCertError(err error) bool {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &cv)
}

// permanentError is a failure that no retry can fix (a missing local
// file); the retry condition sees through resty's own wrapping, so it must
// recognise these itself.
type permanentError struct {
	err    error
	zh, en string
}

func (e *permanentError) Error() string { return e.en + ": " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// retryCondition: network errors, 429 and 5xx (except 501) are retried;
// everything else is an answer.
func (c *Client) retryCondition(resp *resty.Response, err error) bool {
	if err != nil {
		var pe *permanentError
		var rl *retryLater
		if errors.Is(err, context.Canceled) || errors.As(err, &pe) || errors.As(err, &rl) || isCertError(err) {
			return false
		}
		if resp != nil && resp.Request != nil && resp.Request.Context().Err() != nil {
			return false
		}
		return true
	}
	if resp == nil {
		return false
	}
	s := resp.StatusCode()
	return s == http.StatusTooManyRequests || s >= 500 && s != http.StatusNotImplemented
}

// retryLater ends a call whose server asked for a longer wait than the cap.
type retryLater struct{ after time.Duration }

func (r *retryLater) Error() string { return "the backend asked to retry after " + r.after.String() }

// retryAfter honours Retry-After (seconds or an HTTP date). resty clamps the
// result to [RetryWait, RetryMaxWait]; a longer request ends the call.
func (c *Client) retryAfter(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	if resp == nil || resp.RawResponse == nil {
		return 0, nil
	}
	d, ok := parseRetryAfter(resp.Header().Get("Retry-After"), time.Now())
	if !ok {
		return 0, nil // resty's jittered backoff
	}
	if d > c.cfg.RetryAfterCap {
		return 0, &retryLater{after: d}
	}
	if d == 0 {
		d = time.Nanosecond // 0 would mean "use the default backoff"; the lower bound applies
	}
	return d, nil
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// redactor removes what must never reach a log: the token, and anything
// shaped like a resident ID number or a mainland mobile number.
type redactor struct {
	token string
}

var personalPattern = regexp.MustCompile(`\d{17}[\dXx]|1[3-9]\d{9}`)

func newRedactor(token string) *redactor { return &redactor{token: token} }

func (r *redactor) apply(s string) string {
	if r.token != "" {
		s = strings.ReplaceAll(s, r.token, "[REDACTED]")
	}
	return personalPattern.ReplaceAllString(s, "[REDACTED]")
}

// restyLogger routes resty's lines to slog, redacted.
type restyLogger struct {
	log    *slog.Logger
	redact *redactor
}

func (l *restyLogger) Errorf(format string, v ...any) {
	l.log.Error(l.redact.apply(strings.TrimSpace(fmt.Sprintf(format, v...))))
}
func (l *restyLogger) Warnf(format string, v ...any) {
	l.log.Warn(l.redact.apply(strings.TrimSpace(fmt.Sprintf(format, v...))))
}
func (l *restyLogger) Debugf(format string, v ...any) {
	l.log.Debug(l.redact.apply(strings.TrimSpace(fmt.Sprintf(format, v...))))
}

// decodeJSON is json.Unmarshal for records this package wrote.
func decodeJSON(b []byte, v any) error { return json.Unmarshal(b, v) }
